// aws_iam_policy, data aws_iam_policy, data aws_iam_policy_document (computed here, no API call) and
// data aws_partition.
import type { Policy } from "@aws-sdk/client-iam";
import type { ResourceContext } from "../framework/context.ts";
import type { DataSourceImpl, ResourceImpl } from "../framework/provider.ts";
import type { Obj } from "../framework/values.ts";
import {
  aws_iam_policy,
  data_aws_iam_policy,
  data_aws_iam_policy_document,
  data_aws_partition,
} from "../schemas/iam.ts";
import { s } from "./common.ts";
import {
  decodeDocument,
  iamTags,
  isNoSuchEntity,
  nameOf,
  namePrefixFromName,
  nullIfNoSuchEntity,
  tagDiff,
  tagsOut,
} from "./iam-common.ts";
import { type PolicyDocumentConfig, policiesEquivalent, policyDocument, policyToSet } from "./iam-policy-json.ts";

async function findPolicy(ctx: ResourceContext, arn: string): Promise<{ policy: Policy; document: string } | null> {
  const iam = await ctx.iam();
  const policy = await nullIfNoSuchEntity(async () => (await iam.getPolicy({ PolicyArn: arn })).Policy ?? null);
  if (!policy) return null;
  const version = await iam.getPolicyVersion({ PolicyArn: arn, VersionId: policy.DefaultVersionId });
  return { policy, document: decodeDocument(version.PolicyVersion?.Document) };
}

function flatten(ctx: ResourceContext, p: Policy, document: string, state: Obj): Obj {
  const name = p.PolicyName!;
  return {
    id: p.Arn,
    arn: p.Arn,
    attachment_count: p.AttachmentCount ?? 0,
    description: p.Description ?? null,
    name,
    name_prefix: namePrefixFromName(name),
    path: p.Path ?? "/",
    policy: policyToSet(state.policy, document),
    policy_id: p.PolicyId ?? null,
    tags: tagsOut(ctx, p.Tags, state),
  };
}

export const awsIamPolicy: ResourceImpl = {
  schema: aws_iam_policy,
  title: "IAM Policy",
  modifyPlan({ prior, plan }) {
    if (prior && typeof plan.policy === "string" && typeof prior.policy === "string") {
      if (policiesEquivalent(prior.policy, plan.policy)) plan.policy = prior.policy;
    }
  },
  async create(ctx, plan) {
    const iam = await ctx.iam();
    const out = await iam.createPolicy({
      PolicyName: nameOf(plan),
      Path: s(plan.path) ?? "/",
      PolicyDocument: String(plan.policy),
      Description: s(plan.description),
      Tags: iamTags(plan),
    });
    const arn = out.Policy!.Arn!;
    ctx.partial = { id: arn };
    const found = await findPolicy(ctx, arn);
    if (!found) throw new Error(`IAM Policy (${arn}) not found after creation`);
    return flatten(ctx, found.policy, found.document, plan);
  },
  async read(ctx, state) {
    const found = await findPolicy(ctx, String(state.id));
    return found ? flatten(ctx, found.policy, found.document, state) : null;
  },
  async update(ctx, prior, plan) {
    const iam = await ctx.iam();
    const arn = String(prior.id);
    if (prior.policy !== plan.policy) {
      // At most five versions: the oldest non-default one goes first, as hashicorp/aws does.
      const versions = (await iam.listPolicyVersions({ PolicyArn: arn })).Versions ?? [];
      if (versions.length >= 5) {
        const oldest = versions
          .filter((v) => !v.IsDefaultVersion)
          .sort((a, b) => (a.CreateDate?.getTime() ?? 0) - (b.CreateDate?.getTime() ?? 0))[0];
        if (oldest) await iam.deletePolicyVersion({ PolicyArn: arn, VersionId: oldest.VersionId });
      }
      await iam.createPolicyVersion({ PolicyArn: arn, PolicyDocument: String(plan.policy), SetAsDefault: true });
    }
    if (JSON.stringify(prior.tags_all ?? null) !== JSON.stringify(plan.tags_all ?? null)) {
      const { set, remove } = tagDiff(prior, plan);
      if (remove.length) await iam.untagPolicy({ PolicyArn: arn, TagKeys: remove });
      if (set.length) await iam.tagPolicy({ PolicyArn: arn, Tags: set });
    }
  },
  async delete(ctx, state) {
    const iam = await ctx.iam();
    const arn = String(state.id);
    const versions = (await nullIfNoSuchEntity(() => iam.listPolicyVersions({ PolicyArn: arn })))?.Versions ?? [];
    for (const v of versions) {
      if (!v.IsDefaultVersion)
        await nullIfNoSuchEntity(() => iam.deletePolicyVersion({ PolicyArn: arn, VersionId: v.VersionId }));
    }
    try {
      await iam.deletePolicy({ PolicyArn: arn });
    } catch (err) {
      if (!isNoSuchEntity(err)) throw err;
    }
  },
};

export const dataAwsIamPolicy: DataSourceImpl = {
  schema: data_aws_iam_policy,
  title: "IAM Policy",
  async read(ctx, config) {
    const iam = await ctx.iam();
    let arn = s(config.arn);
    if (!arn) {
      const name = s(config.name);
      const prefix = s(config.path_prefix);
      const hits: Policy[] = [];
      let marker: string | undefined;
      do {
        const page = await iam.listPolicies({ PathPrefix: prefix, Marker: marker, MaxItems: 1000 });
        for (const p of page.Policies ?? []) if (!name || p.PolicyName === name) hits.push(p);
        marker = page.IsTruncated ? page.Marker : undefined;
      } while (marker);
      if (hits.length === 0) throw new Error("no IAM policy found matching criteria; try different search");
      if (hits.length > 1)
        throw new Error(
          `${hits.length} IAM policies matched; use additional constraints to reduce matches to a single IAM policy`,
        );
      arn = hits[0]!.Arn!;
    }
    const found = await findPolicy(ctx, arn);
    if (!found) throw new Error(`couldn't find resource (IAM Policy ${arn})`);
    const p = found.policy;
    const tags: Record<string, string> = {};
    for (const t of p.Tags ?? []) if (t.Key && !t.Key.startsWith("aws:")) tags[t.Key] = t.Value ?? "";
    return {
      id: p.Arn,
      arn: p.Arn,
      attachment_count: p.AttachmentCount ?? 0,
      description: p.Description ?? "",
      name: p.PolicyName,
      path: p.Path ?? "/",
      policy: found.document,
      policy_id: p.PolicyId ?? null,
      tags,
    };
  },
};

export const dataAwsIamPolicyDocument: DataSourceImpl = {
  schema: data_aws_iam_policy_document,
  title: "IAM Policy Document",
  async read(_ctx, config) {
    for (const k of ["override_json", "source_json"]) {
      if (s(config[k])) throw new Error(`${k}: expected "${k}" to be an empty string, got ${String(config[k])}`);
    }
    const doc = policyDocument(config as unknown as PolicyDocumentConfig);
    return { id: doc.id, json: doc.json, minified_json: doc.minified };
  },
};

/** The partition of every region ec2sim serves: the commercial `aws` one. */
export const dataAwsPartition: DataSourceImpl = {
  schema: data_aws_partition,
  title: "Partition",
  async read() {
    return { id: "aws", partition: "aws", dns_suffix: "amazonaws.com", reverse_dns_prefix: "com.amazonaws" };
  },
};
