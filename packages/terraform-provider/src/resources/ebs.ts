// The EBS data sources (aws_ebs_volume, aws_ebs_snapshot, aws_ebs_snapshot_ids) and the snapshot
// resources beside aws_ebs_snapshot: aws_ebs_snapshot_copy (CopySnapshot, waits until completed)
// and aws_snapshot_create_volume_permission (ModifySnapshotAttribute / DescribeSnapshotAttribute).
import type { Snapshot, Volume } from "@aws-sdk/client-ec2";
import { errorCode, type ResourceContext } from "../framework/context.ts";
import type { DataSourceImpl, ResourceImpl } from "../framework/provider.ts";
import type { Obj } from "../framework/values.ts";
import {
  aws_ebs_snapshot_copy,
  aws_snapshot_create_volume_permission,
  data_aws_ebs_snapshot,
  data_aws_ebs_snapshot_ids,
  data_aws_ebs_volume,
} from "../schemas/ebs.ts";
import {
  arn,
  buildFilters,
  dataSourceTags,
  iso,
  NotFoundError,
  nullIfNotFound,
  s,
  strs,
  tagSpecs,
  tagsAll,
  updateTags,
} from "./common.ts";
import { findSnapshot, flattenSnapshot } from "./volumes.ts";

const newest = <T>(items: T[], time: (x: T) => Date | undefined): T[] =>
  [...items].sort((a, b) => (time(b)?.getTime() ?? 0) - (time(a)?.getTime() ?? 0));

/** One result, or the newest when most_recent is set (hashicorp/aws's singular-data-source rule). */
function pick<T>(items: T[], mostRecent: boolean, time: (x: T) => Date | undefined, what: string): T {
  if (items.length === 0)
    throw new NotFoundError("Your query returned no results. Please change your search criteria and try again.");
  if (items.length > 1 && !mostRecent)
    throw new Error(
      `Your query returned more than one result. Please try a more specific search criteria, or set \`most_recent\` attribute to true. (${what})`,
    );
  return newest(items, time)[0]!;
}

export const dataAwsEbsVolume: DataSourceImpl = {
  schema: data_aws_ebs_volume,
  title: "EBS Volume",
  async read(ctx, config) {
    const ec2 = await ctx.ec2();
    const volumes: Volume[] = [];
    let token: string | undefined;
    do {
      const out = await ec2.describeVolumes({ Filters: buildFilters(config, {}, [config.tags]), NextToken: token });
      volumes.push(...(out.Volumes ?? []));
      token = out.NextToken;
    } while (token);
    const v = pick(volumes, config.most_recent === true, (x) => x.CreateTime, "EBS Volume");
    return {
      id: v.VolumeId,
      arn: await arn(ctx, "volume", v.VolumeId!),
      availability_zone: v.AvailabilityZone ?? "",
      create_time: iso(v.CreateTime),
      encrypted: v.Encrypted ?? false,
      iops: v.Iops ?? 0,
      kms_key_id: v.KmsKeyId ?? "",
      multi_attach_enabled: v.MultiAttachEnabled ?? false,
      outpost_arn: v.OutpostArn ?? "",
      size: v.Size ?? 0,
      snapshot_id: v.SnapshotId ?? "",
      tags: dataSourceTags(ctx, v.Tags),
      throughput: v.Throughput ?? 0,
      volume_id: v.VolumeId,
      volume_initialization_rate: v.VolumeInitializationRate ?? 0,
      volume_type: v.VolumeType ?? "",
    };
  },
};

async function describeSnapshots(ctx: ResourceContext, config: Obj): Promise<Snapshot[]> {
  const ec2 = await ctx.ec2();
  const ids = strs(config.snapshot_ids);
  const out: Snapshot[] = [];
  let token: string | undefined;
  do {
    const page = await ec2.describeSnapshots({
      OwnerIds: strs(config.owners).length ? strs(config.owners) : undefined,
      RestorableByUserIds: strs(config.restorable_by_user_ids).length ? strs(config.restorable_by_user_ids) : undefined,
      SnapshotIds: ids.length ? ids : undefined,
      Filters: buildFilters(config, {}, [config.tags]),
      NextToken: token,
    });
    out.push(...(page.Snapshots ?? []));
    token = page.NextToken;
  } while (token);
  return out;
}

export const dataAwsEbsSnapshot: DataSourceImpl = {
  schema: data_aws_ebs_snapshot,
  title: "EBS Snapshot",
  async read(ctx, config) {
    const sn = pick(
      await describeSnapshots(ctx, config),
      config.most_recent === true,
      (x) => x.StartTime,
      "EBS Snapshot",
    );
    return {
      ...flattenSnapshot(ctx, sn, {}),
      snapshot_id: sn.SnapshotId,
      start_time: iso(sn.StartTime),
      state: sn.State ?? "",
      tags: dataSourceTags(ctx, sn.Tags),
      volume_id: sn.VolumeId ?? "",
    };
  },
};

export const dataAwsEbsSnapshotIds: DataSourceImpl = {
  schema: data_aws_ebs_snapshot_ids,
  title: "EBS Snapshot IDs",
  async read(ctx, config) {
    const snaps = newest(await describeSnapshots(ctx, config), (x) => x.StartTime);
    return { id: ctx.region, ids: snaps.map((x) => x.SnapshotId) };
  },
};

export const awsEbsSnapshotCopy: ResourceImpl = {
  schema: aws_ebs_snapshot_copy,
  title: "EBS Snapshot",
  partial:
    "encryption (encrypted, kms_key_id) and archive restores (permanent_restore, temporary_restore_days) are not simulated",
  async create(ctx, plan) {
    const ec2 = await ctx.ec2();
    const out = await ec2.copySnapshot({
      SourceRegion: s(plan.source_region),
      SourceSnapshotId: s(plan.source_snapshot_id),
      Description: s(plan.description),
      Encrypted: plan.encrypted === true ? true : undefined,
      KmsKeyId: s(plan.kms_key_id),
      CompletionDurationMinutes:
        typeof plan.completion_duration_minutes === "number" ? plan.completion_duration_minutes : undefined,
      TagSpecifications: tagSpecs("snapshot", tagsAll(plan)),
    });
    const id = out.SnapshotId!;
    ctx.partial = { id };
    const sn = await ctx.waitFor(`EBS Snapshot (${id}) to complete`, ctx.timeout("create"), async () => {
      const x = await findSnapshot(ctx, id);
      if (x?.State === "error") throw new Error(`EBS Snapshot (${id}) failed: ${x.StateMessage ?? ""}`);
      return x?.State === "completed" ? x : undefined;
    });
    if (s(plan.storage_tier) === "archive") await ec2.modifySnapshotTier({ SnapshotId: id, StorageTier: "archive" });
    return flattenSnapshot(ctx, sn, plan);
  },
  async read(ctx, state) {
    const sn = await findSnapshot(ctx, String(state.id));
    return sn ? flattenSnapshot(ctx, sn, state) : null;
  },
  async update(ctx, prior, plan) {
    const id = String(prior.id);
    if (JSON.stringify(prior.tags_all) !== JSON.stringify(plan.tags_all)) await updateTags(ctx, id, prior, plan);
    if (plan.storage_tier !== prior.storage_tier && plan.storage_tier === "archive")
      await (await ctx.ec2()).modifySnapshotTier({ SnapshotId: id, StorageTier: "archive" });
  },
  async delete(ctx, state) {
    const ec2 = await ctx.ec2();
    await nullIfNotFound(() => ec2.deleteSnapshot({ SnapshotId: String(state.id) }));
  },
};

/** hashicorp/aws's ID of a create-volume permission: SNAPSHOT-ID-ACCOUNT-ID. */
const permissionId = (snapshotId: string, accountId: string) => `${snapshotId}-${accountId}`;

function parsePermissionId(id: string): { snapshot_id: string; account_id: string } {
  const m = /^(snap-[0-9a-f]+)-(.+)$/.exec(id);
  if (!m) throw new Error(`unexpected format for ID (${id}), expected SNAPSHOT-ID-ACCOUNT-ID`);
  return { snapshot_id: m[1]!, account_id: m[2]! };
}

async function hasPermission(ctx: ResourceContext, snapshotId: string, accountId: string): Promise<boolean | null> {
  const ec2 = await ctx.ec2();
  const out = await nullIfNotFound(() =>
    ec2.describeSnapshotAttribute({ SnapshotId: snapshotId, Attribute: "createVolumePermission" }),
  );
  if (!out) return null;
  return (out.CreateVolumePermissions ?? []).some((p) => p.UserId === accountId || p.Group === accountId);
}

export const awsSnapshotCreateVolumePermission: ResourceImpl = {
  schema: aws_snapshot_create_volume_permission,
  title: "EBS Snapshot CreateVolumePermission",
  importState(id) {
    return { id, ...parsePermissionId(id) };
  },
  async create(ctx, plan) {
    const ec2 = await ctx.ec2();
    const snapshotId = String(plan.snapshot_id);
    const accountId = String(plan.account_id);
    const who = accountId === "all" ? { Group: "all" as const } : { UserId: accountId };
    await ec2.modifySnapshotAttribute({
      SnapshotId: snapshotId,
      Attribute: "createVolumePermission",
      CreateVolumePermission: { Add: [who] },
    });
    await ctx.waitFor(
      `EBS Snapshot (${snapshotId}) CreateVolumePermission (${accountId}) create`,
      ctx.timeout("create"),
      async () => ((await hasPermission(ctx, snapshotId, accountId)) ? true : undefined),
    );
    return { id: permissionId(snapshotId, accountId) };
  },
  async read(ctx, state) {
    const { snapshot_id, account_id } = parsePermissionId(String(state.id));
    return (await hasPermission(ctx, snapshot_id, account_id)) ? { snapshot_id, account_id } : null;
  },
  async delete(ctx, state) {
    const ec2 = await ctx.ec2();
    const snapshotId = String(state.snapshot_id);
    const accountId = String(state.account_id);
    const who = accountId === "all" ? { Group: "all" as const } : { UserId: accountId };
    try {
      await ec2.modifySnapshotAttribute({
        SnapshotId: snapshotId,
        Attribute: "createVolumePermission",
        CreateVolumePermission: { Remove: [who] },
      });
    } catch (err) {
      if (errorCode(err)?.endsWith(".NotFound")) return;
      throw err;
    }
  },
};
