// aws_ssm_parameter and data aws_ssm_parameter.
import type { Tag } from "@aws-sdk/client-ssm";
import { errorCode, type ResourceContext } from "../framework/context.ts";
import { UNKNOWN } from "../framework/msgpack.ts";
import type { DataSourceImpl, ResourceImpl } from "../framework/provider.ts";
import type { Obj } from "../framework/values.ts";
import { aws_ssm_parameter, data_aws_ssm_parameter } from "../schemas/ssm.ts";
import { s, tagsAll } from "./common.ts";
import { tagsOut } from "./iam-common.ts";

const isNotFound = (err: unknown) =>
  errorCode(err) === "ParameterNotFound" || (err as { name?: string })?.name === "ParameterNotFound";

async function readParameter(ctx: ResourceContext, name: string) {
  const ssm = await ctx.ssm();
  try {
    const got = (await ssm.getParameter({ Name: name, WithDecryption: true })).Parameter;
    if (!got) return null;
    const described = await ssm.describeParameters({
      ParameterFilters: [{ Key: "Name", Option: "Equals", Values: [name] }],
    });
    const meta = described.Parameters?.find((p) => p.Name === name);
    const tags = (await ssm.listTagsForResource({ ResourceType: "Parameter", ResourceId: name })).TagList ?? [];
    return { got, meta, tags };
  } catch (err) {
    if (isNotFound(err)) return null;
    throw err;
  }
}

function flatten(ctx: ResourceContext, r: NonNullable<Awaited<ReturnType<typeof readParameter>>>, state: Obj): Obj {
  const { got, meta, tags } = r;
  const insecure = typeof state.insecure_value === "string" && got.Type !== "SecureString";
  return {
    id: got.Name,
    allowed_pattern: meta?.AllowedPattern ?? state.allowed_pattern ?? null,
    arn: got.ARN ?? null,
    data_type: got.DataType ?? "text",
    description: meta?.Description ?? state.description ?? null,
    insecure_value: insecure ? (got.Value ?? null) : null,
    key_id: meta?.KeyId ?? "",
    name: got.Name,
    overwrite: state.overwrite ?? null,
    tags: tagsOut(ctx, tags as Tag[], state),
    // Intelligent-Tiering is what the configuration asks; SSM answers the tier it chose.
    tier: state.tier === "Intelligent-Tiering" ? "Intelligent-Tiering" : (meta?.Tier ?? "Standard"),
    type: got.Type ?? null,
    value: insecure ? null : (got.Value ?? null),
    version: got.Version ?? null,
  };
}

const tagList = (plan: Obj) => Object.entries(tagsAll(plan)).map(([Key, Value]) => ({ Key, Value }));

async function put(ctx: ResourceContext, plan: Obj, overwrite: boolean): Promise<void> {
  const ssm = await ctx.ssm();
  const tags = tagList(plan);
  await ssm.putParameter({
    Name: String(plan.name),
    Type: String(plan.type) as never,
    Value: s(plan.value) ?? String(plan.insecure_value ?? ""),
    Description: s(plan.description),
    KeyId: plan.type === "SecureString" ? s(plan.key_id) : undefined,
    Tier: s(plan.tier) as never,
    AllowedPattern: s(plan.allowed_pattern),
    DataType: s(plan.data_type),
    Overwrite: overwrite,
    Tags: !overwrite && tags.length ? tags : undefined,
  });
}

export const awsSsmParameter: ResourceImpl = {
  schema: aws_ssm_parameter,
  title: "SSM Parameter",
  partial: "value_wo (a write-only argument) is not in the schema: use value",
  modifyPlan({ prior, plan }) {
    // A new value makes a new version, which SSM numbers when it is put.
    if (prior && (plan.value !== prior.value || plan.insecure_value !== prior.insecure_value)) plan.version = UNKNOWN;
  },
  async create(ctx, plan) {
    await put(ctx, plan, false);
    ctx.partial = { id: plan.name };
    const r = await readParameter(ctx, String(plan.name));
    if (!r) throw new Error(`SSM Parameter (${String(plan.name)}) not found after creation`);
    return flatten(ctx, r, plan);
  },
  async read(ctx, state) {
    const r = await readParameter(ctx, String(state.id));
    return r ? flatten(ctx, r, state) : null;
  },
  async update(ctx, prior, plan) {
    const changed = (k: string) => JSON.stringify(prior[k] ?? null) !== JSON.stringify(plan[k] ?? null);
    if (["value", "insecure_value", "description", "type", "key_id", "tier", "allowed_pattern"].some(changed)) {
      await put(ctx, plan, true);
    }
    if (changed("tags_all")) {
      const ssm = await ctx.ssm();
      const before = tagsAll(prior);
      const after = tagsAll(plan);
      const remove = Object.keys(before).filter((k) => !(k in after));
      const set = Object.entries(after).filter(([k, v]) => before[k] !== v);
      if (remove.length) {
        await ssm.removeTagsFromResource({ ResourceType: "Parameter", ResourceId: String(prior.id), TagKeys: remove });
      }
      if (set.length) {
        await ssm.addTagsToResource({
          ResourceType: "Parameter",
          ResourceId: String(prior.id),
          Tags: set.map(([Key, Value]) => ({ Key, Value })),
        });
      }
    }
    const r = await readParameter(ctx, String(prior.id));
    if (!r) throw new Error(`SSM Parameter (${String(prior.id)}) not found after update`);
    return flatten(ctx, r, plan);
  },
  async delete(ctx, state) {
    const ssm = await ctx.ssm();
    try {
      await ssm.deleteParameter({ Name: String(state.id) });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  },
};

export const dataAwsSsmParameter: DataSourceImpl = {
  schema: data_aws_ssm_parameter,
  title: "SSM Parameter",
  async read(ctx, config) {
    const ssm = await ctx.ssm();
    const got = (
      await ssm.getParameter({ Name: String(config.name), WithDecryption: config.with_decryption !== false })
    ).Parameter;
    if (!got) throw new Error(`couldn't find resource (SSM Parameter ${String(config.name)})`);
    return {
      id: got.Name,
      arn: got.ARN ?? null,
      insecure_value: got.Type === "SecureString" ? "" : (got.Value ?? ""),
      type: got.Type ?? null,
      value: got.Value ?? null,
      version: got.Version ?? null,
    };
  },
};
