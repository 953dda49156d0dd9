// aws_key_pair and data aws_key_pair.
import type { KeyPairInfo } from "@aws-sdk/client-ec2";
import type { ResourceContext } from "../framework/context.ts";
import type { DataSourceImpl, ResourceImpl } from "../framework/provider.ts";
import type { Obj } from "../framework/values.ts";
import { aws_key_pair, data_aws_key_pair } from "../schemas/key-pairs.ts";
import {
  arn,
  buildFilters,
  dataSourceTags,
  iso,
  nullIfNotFound,
  prefixedUniqueId,
  s,
  singleResult,
  tagSpecs,
  tagsAll,
  tagsFromApi,
  updateTags,
} from "./common.ts";

async function findKeyPair(ctx: ResourceContext, name: string): Promise<KeyPairInfo | null> {
  const ec2 = await ctx.ec2();
  return nullIfNotFound(
    async () => (await ec2.describeKeyPairs({ KeyNames: [name] })).KeyPairs?.find((k) => k.KeyName === name) ?? null,
  );
}

async function flattenKeyPair(ctx: ResourceContext, k: KeyPairInfo, state: Obj): Promise<Obj> {
  return {
    id: k.KeyName,
    arn: await arn(ctx, "key-pair", k.KeyName!),
    fingerprint: k.KeyFingerprint ?? null,
    key_name: k.KeyName,
    key_pair_id: k.KeyPairId ?? null,
    key_type: k.KeyType ?? null,
    tags: tagsFromApi(ctx, k.Tags, state),
  };
}

export const awsKeyPair: ResourceImpl = {
  schema: aws_key_pair,
  title: "EC2 Key Pair",
  async create(ctx, plan) {
    const ec2 = await ctx.ec2();
    const name = s(plan.key_name) ?? prefixedUniqueId(s(plan.key_name_prefix) ?? "terraform-");
    await ec2.importKeyPair({
      KeyName: name,
      PublicKeyMaterial: new TextEncoder().encode(String(plan.public_key)),
      TagSpecifications: tagSpecs("key-pair", tagsAll(plan)),
    });
    const k = await findKeyPair(ctx, name);
    if (!k) throw new Error(`EC2 Key Pair (${name}) not found after import`);
    return { ...(await flattenKeyPair(ctx, k, plan)), key_name_prefix: s(plan.key_name_prefix) ?? "" };
  },
  async read(ctx, state) {
    const k = await findKeyPair(ctx, String(state.id));
    if (!k) return null;
    return { ...(await flattenKeyPair(ctx, k, state)), key_name_prefix: state.key_name_prefix ?? "" };
  },
  async update(ctx, prior, plan) {
    await updateTags(ctx, String(prior.key_pair_id ?? prior.id), prior, plan);
  },
  async delete(ctx, state) {
    const ec2 = await ctx.ec2();
    await ec2.deleteKeyPair({ KeyName: String(state.id) });
  },
};

export const dataAwsKeyPair: DataSourceImpl = {
  schema: data_aws_key_pair,
  title: "EC2 Key Pair",
  async read(ctx, config) {
    const ec2 = await ctx.ec2();
    const out = await ec2.describeKeyPairs({
      KeyNames: s(config.key_name) ? [config.key_name as string] : undefined,
      KeyPairIds: s(config.key_pair_id) ? [config.key_pair_id as string] : undefined,
      Filters: buildFilters(config),
      IncludePublicKey: config.include_public_key === true,
    });
    const k = singleResult(out.KeyPairs, "EC2 Key Pair");
    return {
      id: k.KeyPairId,
      arn: await arn(ctx, "key-pair", k.KeyName!),
      create_time: iso(k.CreateTime),
      fingerprint: k.KeyFingerprint ?? null,
      key_name: k.KeyName ?? null,
      key_pair_id: k.KeyPairId ?? null,
      key_type: k.KeyType ?? null,
      public_key: k.PublicKey ?? "",
      tags: dataSourceTags(ctx, k.Tags),
    };
  },
};
