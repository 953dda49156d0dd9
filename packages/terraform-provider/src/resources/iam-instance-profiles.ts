// aws_iam_instance_profile and data aws_iam_instance_profile.
import type { InstanceProfile } from "@aws-sdk/client-iam";
import type { ResourceContext } from "../framework/context.ts";
import type { DataSourceImpl, ResourceImpl } from "../framework/provider.ts";
import type { Obj } from "../framework/values.ts";
import { aws_iam_instance_profile, data_aws_iam_instance_profile } from "../schemas/iam.ts";
import { s } from "./common.ts";
import {
  iamTags,
  isNoSuchEntity,
  nameOf,
  namePrefixFromName,
  nullIfNoSuchEntity,
  rfc3339,
  tagDiff,
  tagsOut,
} from "./iam-common.ts";

async function findProfile(ctx: ResourceContext, name: string): Promise<InstanceProfile | null> {
  const iam = await ctx.iam();
  return nullIfNoSuchEntity(
    async () => (await iam.getInstanceProfile({ InstanceProfileName: name })).InstanceProfile ?? null,
  );
}

function flatten(ctx: ResourceContext, p: InstanceProfile, state: Obj): Obj {
  const name = p.InstanceProfileName!;
  return {
    id: name,
    arn: p.Arn ?? null,
    create_date: rfc3339(p.CreateDate),
    name,
    name_prefix: namePrefixFromName(name),
    path: p.Path ?? "/",
    role: p.Roles?.[0]?.RoleName ?? null,
    tags: tagsOut(ctx, p.Tags, state),
    unique_id: p.InstanceProfileId ?? null,
  };
}

export const awsIamInstanceProfile: ResourceImpl = {
  schema: aws_iam_instance_profile,
  title: "IAM Instance Profile",
  async create(ctx, plan) {
    const iam = await ctx.iam();
    const name = nameOf(plan);
    await iam.createInstanceProfile({ InstanceProfileName: name, Path: s(plan.path) ?? "/", Tags: iamTags(plan) });
    ctx.partial = { id: name };
    if (s(plan.role)) await iam.addRoleToInstanceProfile({ InstanceProfileName: name, RoleName: s(plan.role) });
    const p = await findProfile(ctx, name);
    if (!p) throw new Error(`IAM Instance Profile (${name}) not found after creation`);
    return flatten(ctx, p, plan);
  },
  async read(ctx, state) {
    const p = await findProfile(ctx, String(state.id));
    return p ? flatten(ctx, p, state) : null;
  },
  async update(ctx, prior, plan) {
    const iam = await ctx.iam();
    const name = String(prior.id);
    if ((prior.role ?? null) !== (plan.role ?? null)) {
      if (s(prior.role)) {
        await nullIfNoSuchEntity(() =>
          iam.removeRoleFromInstanceProfile({ InstanceProfileName: name, RoleName: s(prior.role) }),
        );
      }
      if (s(plan.role)) await iam.addRoleToInstanceProfile({ InstanceProfileName: name, RoleName: s(plan.role) });
    }
    if (JSON.stringify(prior.tags_all ?? null) !== JSON.stringify(plan.tags_all ?? null)) {
      const { set, remove } = tagDiff(prior, plan);
      if (remove.length) await iam.untagInstanceProfile({ InstanceProfileName: name, TagKeys: remove });
      if (set.length) await iam.tagInstanceProfile({ InstanceProfileName: name, Tags: set });
    }
  },
  async delete(ctx, state) {
    const iam = await ctx.iam();
    const name = String(state.id);
    if (s(state.role)) {
      await nullIfNoSuchEntity(() =>
        iam.removeRoleFromInstanceProfile({ InstanceProfileName: name, RoleName: s(state.role) }),
      );
    }
    try {
      await iam.deleteInstanceProfile({ InstanceProfileName: name });
    } catch (err) {
      if (!isNoSuchEntity(err)) throw err;
    }
  },
};

export const dataAwsIamInstanceProfile: DataSourceImpl = {
  schema: data_aws_iam_instance_profile,
  title: "IAM Instance Profile",
  async read(ctx, config) {
    const name = String(config.name);
    const p = await findProfile(ctx, name);
    if (!p) throw new Error(`couldn't find resource (IAM Instance Profile ${name})`);
    const role = p.Roles?.[0];
    return {
      id: p.InstanceProfileId ?? name,
      arn: p.Arn ?? null,
      create_date: rfc3339(p.CreateDate),
      name: p.InstanceProfileName,
      path: p.Path ?? "/",
      role_arn: role?.Arn ?? "",
      role_id: role?.RoleId ?? "",
      role_name: role?.RoleName ?? "",
    };
  },
};
