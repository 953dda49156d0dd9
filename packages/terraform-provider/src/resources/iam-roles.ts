// aws_iam_role, aws_iam_role_policy, aws_iam_role_policy_attachment and data aws_iam_role.
import type { Role } from "@aws-sdk/client-iam";
import type { ResourceContext } from "../framework/context.ts";
import type { DataSourceImpl, ResourceImpl } from "../framework/provider.ts";
import type { Obj } from "../framework/values.ts";
import {
  aws_iam_role,
  aws_iam_role_policy,
  aws_iam_role_policy_attachment,
  data_aws_iam_role,
} from "../schemas/iam.ts";
import { n, objs, prefixedUniqueId, s, strs } from "./common.ts";
import {
  decodeDocument,
  iamTags,
  isNoSuchEntity,
  nameOf,
  namePrefixFromName,
  nullIfNoSuchEntity,
  rfc3339,
  tagDiff,
  tagsOut,
} from "./iam-common.ts";
import { normalizeJson, policiesEquivalent, policyToSet } from "./iam-policy-json.ts";

async function findRole(ctx: ResourceContext, name: string): Promise<Role | null> {
  const iam = await ctx.iam();
  return nullIfNoSuchEntity(async () => (await iam.getRole({ RoleName: name })).Role ?? null);
}

async function inlinePolicies(ctx: ResourceContext, role: string): Promise<{ name: string; policy: string }[]> {
  const iam = await ctx.iam();
  const names = (await iam.listRolePolicies({ RoleName: role })).PolicyNames ?? [];
  const out: { name: string; policy: string }[] = [];
  for (const name of names) {
    const p = await iam.getRolePolicy({ RoleName: role, PolicyName: name });
    out.push({ name, policy: decodeDocument(p.PolicyDocument) });
  }
  return out;
}

async function attachedArns(ctx: ResourceContext, role: string): Promise<string[]> {
  const iam = await ctx.iam();
  const arns: string[] = [];
  let marker: string | undefined;
  do {
    const page = await iam.listAttachedRolePolicies({ RoleName: role, Marker: marker });
    for (const p of page.AttachedPolicies ?? []) if (p.PolicyArn) arns.push(p.PolicyArn);
    marker = page.IsTruncated ? page.Marker : undefined;
  } while (marker);
  return arns;
}

async function flattenRole(ctx: ResourceContext, role: Role, state: Obj): Promise<Obj> {
  const name = role.RoleName!;
  const inline = await inlinePolicies(ctx, name);
  const priorInline = objs(state.inline_policy);
  return {
    id: name,
    arn: role.Arn ?? null,
    assume_role_policy: policyToSet(state.assume_role_policy, decodeDocument(role.AssumeRolePolicyDocument)),
    create_date: rfc3339(role.CreateDate),
    description: role.Description ?? null,
    force_detach_policies: state.force_detach_policies ?? false,
    inline_policy: inline.map((p) => ({
      name: p.name,
      policy: policyToSet(priorInline.find((x) => x.name === p.name)?.policy, p.policy),
    })),
    managed_policy_arns: await attachedArns(ctx, name),
    max_session_duration: role.MaxSessionDuration ?? 3600,
    name,
    name_prefix: namePrefixFromName(name),
    path: role.Path ?? "/",
    permissions_boundary: role.PermissionsBoundary?.PermissionsBoundaryArn ?? null,
    tags: tagsOut(ctx, role.Tags, state),
    unique_id: role.RoleId ?? null,
  };
}

const configuredInline = (v: unknown) =>
  objs(v).filter((p) => s(p.name) && typeof p.policy === "string") as { name: string; policy: string }[];

export const awsIamRole: ResourceImpl = {
  schema: aws_iam_role,
  title: "IAM Role",
  modifyPlan({ prior, plan }) {
    // An equivalent trust policy (other formatting, key order, one value or a list of one) is no change.
    if (prior && typeof plan.assume_role_policy === "string" && typeof prior.assume_role_policy === "string") {
      if (policiesEquivalent(prior.assume_role_policy, plan.assume_role_policy))
        plan.assume_role_policy = prior.assume_role_policy;
    }
  },
  async create(ctx, plan) {
    const iam = await ctx.iam();
    const name = nameOf(plan);
    const out = await iam.createRole({
      RoleName: name,
      Path: s(plan.path) ?? "/",
      AssumeRolePolicyDocument: normalizeJson(String(plan.assume_role_policy)),
      Description: s(plan.description),
      MaxSessionDuration: n(plan.max_session_duration),
      PermissionsBoundary: s(plan.permissions_boundary),
      Tags: iamTags(plan),
    });
    ctx.partial = { id: out.Role?.RoleName ?? name };
    for (const p of configuredInline(plan.inline_policy)) {
      await iam.putRolePolicy({ RoleName: name, PolicyName: p.name, PolicyDocument: p.policy });
    }
    for (const arn of strs(plan.managed_policy_arns)) await iam.attachRolePolicy({ RoleName: name, PolicyArn: arn });
    const role = await findRole(ctx, name);
    if (!role) throw new Error(`IAM Role (${name}) not found after creation`);
    return flattenRole(ctx, role, plan);
  },
  async read(ctx, state) {
    const role = await findRole(ctx, String(state.id));
    return role ? flattenRole(ctx, role, state) : null;
  },
  async update(ctx, prior, plan) {
    const iam = await ctx.iam();
    const name = String(prior.id);
    const changed = (k: string) => JSON.stringify(prior[k] ?? null) !== JSON.stringify(plan[k] ?? null);
    if (changed("assume_role_policy")) {
      await iam.updateAssumeRolePolicy({
        RoleName: name,
        PolicyDocument: normalizeJson(String(plan.assume_role_policy)),
      });
    }
    if (changed("description"))
      await iam.updateRoleDescription({ RoleName: name, Description: s(plan.description) ?? "" });
    if (changed("max_session_duration"))
      await iam.updateRole({ RoleName: name, MaxSessionDuration: n(plan.max_session_duration) });
    if (changed("permissions_boundary")) {
      if (s(plan.permissions_boundary)) {
        await iam.putRolePermissionsBoundary({ RoleName: name, PermissionsBoundary: s(plan.permissions_boundary) });
      } else await iam.deleteRolePermissionsBoundary({ RoleName: name });
    }
    if (changed("inline_policy")) {
      const before = configuredInline(prior.inline_policy);
      const after = configuredInline(plan.inline_policy);
      for (const p of before) {
        if (!after.some((q) => q.name === p.name)) await iam.deleteRolePolicy({ RoleName: name, PolicyName: p.name });
      }
      for (const p of after) {
        const was = before.find((q) => q.name === p.name);
        if (!was || !policiesEquivalent(was.policy, p.policy)) {
          await iam.putRolePolicy({ RoleName: name, PolicyName: p.name, PolicyDocument: p.policy });
        }
      }
    }
    if (changed("managed_policy_arns") && Array.isArray(plan.managed_policy_arns)) {
      const before = strs(prior.managed_policy_arns);
      const after = strs(plan.managed_policy_arns);
      for (const arn of before.filter((a) => !after.includes(a)))
        await iam.detachRolePolicy({ RoleName: name, PolicyArn: arn });
      for (const arn of after.filter((a) => !before.includes(a)))
        await iam.attachRolePolicy({ RoleName: name, PolicyArn: arn });
    }
    if (changed("tags_all")) {
      const { set, remove } = tagDiff(prior, plan);
      if (remove.length) await iam.untagRole({ RoleName: name, TagKeys: remove });
      if (set.length) await iam.tagRole({ RoleName: name, Tags: set });
    }
  },
  async delete(ctx, state) {
    const iam = await ctx.iam();
    const name = String(state.id);
    // As hashicorp/aws: the role leaves its instance profiles, and loses the policies this resource
    // manages (every policy with force_detach_policies) before it is deleted.
    const profiles =
      (await nullIfNoSuchEntity(() => iam.listInstanceProfilesForRole({ RoleName: name })))?.InstanceProfiles ?? [];
    for (const p of profiles) {
      await nullIfNoSuchEntity(() =>
        iam.removeRoleFromInstanceProfile({ InstanceProfileName: p.InstanceProfileName, RoleName: name }),
      );
    }
    const force = state.force_detach_policies === true;
    if (force || strs(state.managed_policy_arns).length) {
      const arns = force ? await attachedArns(ctx, name) : strs(state.managed_policy_arns);
      for (const arn of arns) await nullIfNoSuchEntity(() => iam.detachRolePolicy({ RoleName: name, PolicyArn: arn }));
    }
    if (force || configuredInline(state.inline_policy).length) {
      const names = force
        ? ((await iam.listRolePolicies({ RoleName: name })).PolicyNames ?? [])
        : configuredInline(state.inline_policy).map((p) => p.name);
      for (const policy of names)
        await nullIfNoSuchEntity(() => iam.deleteRolePolicy({ RoleName: name, PolicyName: policy }));
    }
    try {
      await iam.deleteRole({ RoleName: name });
    } catch (err) {
      if (!isNoSuchEntity(err)) throw err;
    }
  },
};

export const awsIamRolePolicy: ResourceImpl = {
  schema: aws_iam_role_policy,
  title: "IAM Role Policy",
  modifyPlan({ prior, plan }) {
    if (prior && typeof plan.policy === "string" && typeof prior.policy === "string") {
      if (policiesEquivalent(prior.policy, plan.policy)) plan.policy = prior.policy;
    }
  },
  importState(id) {
    return { id };
  },
  async create(ctx, plan) {
    const iam = await ctx.iam();
    const role = String(plan.role);
    const name = nameOf(plan);
    await iam.putRolePolicy({ RoleName: role, PolicyName: name, PolicyDocument: String(plan.policy) });
    return { ...plan, id: `${role}:${name}`, name, name_prefix: namePrefixFromName(name) };
  },
  async read(ctx, state) {
    const id = String(state.id);
    const cut = id.indexOf(":");
    if (cut < 1) throw new Error(`unexpected format of ID (${id}), expected ROLE-NAME:POLICY-NAME`);
    const role = id.slice(0, cut);
    const name = id.slice(cut + 1);
    const iam = await ctx.iam();
    const got = await nullIfNoSuchEntity(() => iam.getRolePolicy({ RoleName: role, PolicyName: name }));
    if (!got) return null;
    return {
      id,
      name: got.PolicyName ?? name,
      name_prefix: namePrefixFromName(got.PolicyName ?? name),
      policy: policyToSet(state.policy, decodeDocument(got.PolicyDocument)),
      role: got.RoleName ?? role,
    };
  },
  async update(ctx, _prior, plan) {
    const iam = await ctx.iam();
    await iam.putRolePolicy({
      RoleName: String(plan.role),
      PolicyName: String(plan.name),
      PolicyDocument: String(plan.policy),
    });
  },
  async delete(ctx, state) {
    const iam = await ctx.iam();
    await nullIfNoSuchEntity(() =>
      iam.deleteRolePolicy({ RoleName: String(state.role), PolicyName: String(state.name) }),
    );
  },
};

export const awsIamRolePolicyAttachment: ResourceImpl = {
  schema: aws_iam_role_policy_attachment,
  title: "IAM Role Policy Attachment",
  importState(id) {
    const cut = id.indexOf("/");
    if (cut < 1) throw new Error(`unexpected format for ID (${id}), expected <role-name>/<policy_arn>`);
    const role = id.slice(0, cut);
    return { id: prefixedUniqueId(`${role}-`), role, policy_arn: id.slice(cut + 1) };
  },
  async create(ctx, plan) {
    const iam = await ctx.iam();
    const role = String(plan.role);
    await iam.attachRolePolicy({ RoleName: role, PolicyArn: String(plan.policy_arn) });
    return { ...plan, id: prefixedUniqueId(`${role}-`) };
  },
  async read(ctx, state) {
    const arns = await nullIfNoSuchEntity(() => attachedArns(ctx, String(state.role)));
    if (!arns?.includes(String(state.policy_arn))) return null;
    return { id: state.id, role: state.role, policy_arn: state.policy_arn };
  },
  async delete(ctx, state) {
    const iam = await ctx.iam();
    await nullIfNoSuchEntity(() =>
      iam.detachRolePolicy({ RoleName: String(state.role), PolicyArn: String(state.policy_arn) }),
    );
  },
};

export const dataAwsIamRole: DataSourceImpl = {
  schema: data_aws_iam_role,
  title: "IAM Role",
  async read(ctx, config) {
    const name = String(config.name);
    const role = await findRole(ctx, name);
    if (!role) throw new Error(`couldn't find resource (IAM Role ${name})`);
    const tags: Record<string, string> = {};
    for (const t of role.Tags ?? []) if (t.Key && !t.Key.startsWith("aws:")) tags[t.Key] = t.Value ?? "";
    return {
      id: role.RoleName,
      arn: role.Arn ?? null,
      assume_role_policy: decodeDocument(role.AssumeRolePolicyDocument),
      create_date: rfc3339(role.CreateDate),
      description: role.Description ?? "",
      max_session_duration: role.MaxSessionDuration ?? 3600,
      name: role.RoleName,
      path: role.Path ?? "/",
      permissions_boundary: role.PermissionsBoundary?.PermissionsBoundaryArn ?? "",
      role_last_used: role.RoleLastUsed
        ? [{ last_used_date: rfc3339(role.RoleLastUsed.LastUsedDate), region: role.RoleLastUsed.Region ?? "" }]
        : [],
      tags,
      unique_id: role.RoleId ?? null,
    };
  },
};
