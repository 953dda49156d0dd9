// aws_ec2_tag (CreateTags/DescribeTags/DeleteTags on one key of any EC2 resource; ID
// "RESOURCE-ID,KEY" as hashicorp/aws writes it, importable) and data aws_default_tags.
import type { ResourceContext } from "../framework/context.ts";
import type { DataSourceImpl, ResourceImpl } from "../framework/provider.ts";
import { aws_ec2_tag, data_aws_default_tags } from "../schemas/tags.ts";

const tagId = (resourceId: string, key: string) => `${resourceId},${key}`;

function parseTagId(id: string): { resource_id: string; key: string } {
  const i = id.indexOf(",");
  if (i <= 0 || i === id.length - 1) throw new Error(`unexpected format for ID (${id}), expected EC2-RESOURCE-ID,KEY`);
  return { resource_id: id.slice(0, i), key: id.slice(i + 1) };
}

async function findTagValue(ctx: ResourceContext, resourceId: string, key: string): Promise<string | null> {
  const ec2 = await ctx.ec2();
  const out = await ec2.describeTags({
    Filters: [
      { Name: "resource-id", Values: [resourceId] },
      { Name: "key", Values: [key] },
    ],
  });
  const t = (out.Tags ?? []).find((x) => x.ResourceId === resourceId && x.Key === key);
  return t ? (t.Value ?? "") : null;
}

export const awsEc2Tag: ResourceImpl = {
  schema: aws_ec2_tag,
  title: "EC2 Resource Tag",
  importState(id) {
    return { id, ...parseTagId(id) };
  },
  async create(ctx, plan) {
    const ec2 = await ctx.ec2();
    const resourceId = String(plan.resource_id);
    const key = String(plan.key);
    await ec2.createTags({ Resources: [resourceId], Tags: [{ Key: key, Value: String(plan.value) }] });
    return { id: tagId(resourceId, key) };
  },
  async read(ctx, state) {
    const { resource_id, key } = parseTagId(String(state.id));
    const value = await findTagValue(ctx, resource_id, key);
    return value === null ? null : { resource_id, key, value };
  },
  async update(ctx, _prior, plan) {
    const ec2 = await ctx.ec2();
    await ec2.createTags({
      Resources: [String(plan.resource_id)],
      Tags: [{ Key: String(plan.key), Value: String(plan.value) }],
    });
  },
  async delete(ctx, state) {
    const ec2 = await ctx.ec2();
    await ec2.deleteTags({ Resources: [String(state.resource_id)], Tags: [{ Key: String(state.key) }] });
  },
};

export const dataAwsDefaultTags: DataSourceImpl = {
  schema: data_aws_default_tags,
  title: "Default Tags",
  async read(ctx) {
    return { id: "aws", tags: ctx.config.defaultTags };
  },
};
