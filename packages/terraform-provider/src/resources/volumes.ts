// aws_ebs_volume, aws_volume_attachment, aws_ebs_snapshot.
import type { Snapshot, Volume } from "@aws-sdk/client-ec2";
import { errorCode, isNotFound, type ResourceContext } from "../framework/context.ts";
import type { ResourceImpl } from "../framework/provider.ts";
import type { Obj } from "../framework/values.ts";
import { aws_ebs_snapshot, aws_ebs_volume, aws_volume_attachment } from "../schemas/volumes.ts";
import {
  arn,
  b,
  iso,
  n,
  nullIfNotFound,
  s,
  stringHashcode,
  tagSpecs,
  tagsAll,
  tagsFromApi,
  updateTags,
} from "./common.ts";

async function findVolume(ctx: ResourceContext, id: string): Promise<Volume | null> {
  const ec2 = await ctx.ec2();
  return nullIfNotFound(
    async () => (await ec2.describeVolumes({ VolumeIds: [id] })).Volumes?.find((v) => v.VolumeId === id) ?? null,
  );
}

async function waitVolume(ctx: ResourceContext, id: string, want: string[], timeoutMs: number): Promise<Volume | null> {
  return ctx.waitFor(`EBS Volume (${id}) to become ${want.join("|")}`, timeoutMs, async () => {
    const v = await findVolume(ctx, id);
    if (!v) return want.includes("deleted") ? null : undefined;
    if (want.includes(v.State ?? "")) return v;
    if (v.State === "error") throw new Error(`EBS Volume (${id}) is in state error`);
    return undefined;
  });
}

async function flattenVolume(ctx: ResourceContext, v: Volume, state: Obj): Promise<Obj> {
  return {
    id: v.VolumeId,
    arn: await arn(ctx, "volume", v.VolumeId!),
    availability_zone: v.AvailabilityZone ?? null,
    create_time: iso(v.CreateTime),
    encrypted: v.Encrypted ?? false,
    iops: v.Iops ?? 0,
    kms_key_id: v.KmsKeyId ?? "",
    multi_attach_enabled: v.MultiAttachEnabled ?? false,
    outpost_arn: v.OutpostArn ?? "",
    size: v.Size ?? null,
    snapshot_id: v.SnapshotId ?? "",
    tags: tagsFromApi(ctx, v.Tags, state),
    throughput: v.Throughput ?? 0,
    type: v.VolumeType ?? null,
  };
}

export const awsEbsVolume: ResourceImpl = {
  schema: aws_ebs_volume,
  title: "EBS Volume",
  async create(ctx, plan) {
    const ec2 = await ctx.ec2();
    const out = await ec2.createVolume({
      AvailabilityZone: s(plan.availability_zone),
      Size: n(plan.size),
      SnapshotId: s(plan.snapshot_id),
      VolumeType: s(plan.type) as never,
      Iops: n(plan.iops) || undefined,
      Throughput: n(plan.throughput) || undefined,
      Encrypted: b(plan.encrypted),
      KmsKeyId: s(plan.kms_key_id),
      MultiAttachEnabled: b(plan.multi_attach_enabled),
      OutpostArn: s(plan.outpost_arn),
      VolumeInitializationRate: n(plan.volume_initialization_rate),
      TagSpecifications: tagSpecs("volume", tagsAll(plan)),
    });
    const id = out.VolumeId!;
    ctx.partial = { id };
    const v = await waitVolume(ctx, id, ["available"], ctx.timeout("create"));
    return flattenVolume(ctx, v!, plan);
  },
  async read(ctx, state) {
    const v = await findVolume(ctx, String(state.id));
    if (!v || v.State === "deleted") return null;
    return flattenVolume(ctx, v, state);
  },
  async update(ctx, prior, plan) {
    const id = String(prior.id);
    const ec2 = await ctx.ec2();
    if (JSON.stringify(prior.tags_all) !== JSON.stringify(plan.tags_all)) await updateTags(ctx, id, prior, plan);
    const ch = (k: string) => plan[k] !== prior[k] && plan[k] !== null;
    if (ch("size") || ch("type") || ch("iops") || ch("throughput")) {
      await ec2.modifyVolume({
        VolumeId: id,
        Size: ch("size") ? n(plan.size) : undefined,
        VolumeType: ch("type") ? (s(plan.type) as never) : undefined,
        Iops: ch("iops") ? n(plan.iops) || undefined : undefined,
        Throughput: ch("throughput") ? n(plan.throughput) || undefined : undefined,
      });
      await ctx.waitFor(`EBS Volume (${id}) modification`, ctx.timeout("update"), async () => {
        const mods = (await ec2.describeVolumesModifications({ VolumeIds: [id] })).VolumesModifications ?? [];
        const state = mods[mods.length - 1]?.ModificationState;
        if (state === "failed")
          throw new Error(`EBS Volume (${id}) modification failed: ${mods[mods.length - 1]?.StatusMessage ?? ""}`);
        return state === undefined || state === "optimizing" || state === "completed" ? true : undefined;
      });
    }
    const v = await findVolume(ctx, id);
    return v ? flattenVolume(ctx, v, plan) : undefined;
  },
  async delete(ctx, state) {
    const id = String(state.id);
    const ec2 = await ctx.ec2();
    if (state.final_snapshot === true) {
      const snap = await ec2.createSnapshot({ VolumeId: id, TagSpecifications: tagSpecs("snapshot", tagsAll(state)) });
      await ctx.waitFor(`EBS Snapshot (${snap.SnapshotId}) of ${id}`, ctx.timeout("delete"), async () => {
        const st = (await ec2.describeSnapshots({ SnapshotIds: [snap.SnapshotId!] })).Snapshots?.[0]?.State;
        if (st === "error") throw new Error(`final snapshot ${snap.SnapshotId} failed`);
        return st === "completed" ? true : undefined;
      });
    }
    try {
      await ec2.deleteVolume({ VolumeId: id });
    } catch (err) {
      if (isNotFound(err)) return;
      throw err;
    }
    await waitVolume(ctx, id, ["deleted"], ctx.timeout("delete"));
  },
};

/** The ID hashicorp/aws gives an attachment: "vai-" + hash(device-instance-volume-). */
export function volumeAttachmentId(device: string, instanceId: string, volumeId: string): string {
  return `vai-${stringHashcode(`${device}-${instanceId}-${volumeId}-`)}`;
}

async function attachmentState(ctx: ResourceContext, state: Obj): Promise<string | null> {
  const v = await findVolume(ctx, String(state.volume_id));
  const a = v?.Attachments?.find((x) => x.InstanceId === state.instance_id && x.Device === state.device_name);
  return a?.State ?? null;
}

export const awsVolumeAttachment: ResourceImpl = {
  schema: aws_volume_attachment,
  title: "EBS Volume Attachment",
  importState(id) {
    // DEVICE_NAME:VOLUME_ID:INSTANCE_ID
    const [device_name, volume_id, instance_id] = id.split(":");
    if (!device_name || !volume_id || !instance_id)
      throw new Error(`wrong format of import ID (${id}), use: 'device-name:volume-id:instance-id'`);
    return { id: volumeAttachmentId(device_name, instance_id, volume_id), device_name, volume_id, instance_id };
  },
  async create(ctx, plan) {
    const ec2 = await ctx.ec2();
    const input = {
      Device: String(plan.device_name),
      InstanceId: String(plan.instance_id),
      VolumeId: String(plan.volume_id),
    };
    const current = await attachmentState(ctx, plan);
    if (current !== "attached" && current !== "attaching") {
      // The instance may still be pending: retry IncorrectState until the timeout.
      await ctx.waitFor(`EBS Volume (${input.VolumeId}) attach`, ctx.timeout("create"), async () => {
        try {
          await ec2.attachVolume(input);
          return true;
        } catch (err) {
          if (errorCode(err) === "IncorrectState") return undefined;
          throw err;
        }
      });
    }
    const id = volumeAttachmentId(input.Device, input.InstanceId, input.VolumeId);
    ctx.partial = { id };
    await ctx.waitFor(
      `EBS Volume (${input.VolumeId}) to attach to ${input.InstanceId}`,
      ctx.timeout("create"),
      async () => ((await attachmentState(ctx, plan)) === "attached" ? true : undefined),
    );
    return { id };
  },
  async read(ctx, state) {
    const st = await attachmentState(ctx, state);
    if (st !== "attached" && st !== "attaching") return null;
    return { id: volumeAttachmentId(String(state.device_name), String(state.instance_id), String(state.volume_id)) };
  },
  async update() {
    // Only skip_destroy, force_detach and stop_instance_before_detaching can change: state only.
  },
  async delete(ctx, state) {
    if (state.skip_destroy === true) return;
    const ec2 = await ctx.ec2();
    const instanceId = String(state.instance_id);
    if (state.stop_instance_before_detaching === true) {
      await ec2.stopInstances({ InstanceIds: [instanceId] });
      await ctx.waitFor(`EC2 Instance (${instanceId}) to stop`, ctx.timeout("delete"), async () => {
        const st = (await ec2.describeInstances({ InstanceIds: [instanceId] })).Reservations?.[0]?.Instances?.[0]?.State
          ?.Name;
        return st === "stopped" ? true : undefined;
      });
    }
    try {
      await ec2.detachVolume({
        Device: String(state.device_name),
        InstanceId: instanceId,
        VolumeId: String(state.volume_id),
        Force: state.force_detach === true,
      });
    } catch (err) {
      if (isNotFound(err) || errorCode(err) === "IncorrectState") return;
      throw err;
    }
    await ctx.waitFor(`EBS Volume (${state.volume_id}) to detach`, ctx.timeout("delete"), async () =>
      (await attachmentState(ctx, state)) === null ? true : undefined,
    );
  },
};

export async function findSnapshot(ctx: ResourceContext, id: string): Promise<Snapshot | null> {
  const ec2 = await ctx.ec2();
  return nullIfNotFound(
    async () =>
      (await ec2.describeSnapshots({ SnapshotIds: [id] })).Snapshots?.find((x) => x.SnapshotId === id) ?? null,
  );
}

export function flattenSnapshot(ctx: ResourceContext, sn: Snapshot, state: Obj): Obj {
  return {
    id: sn.SnapshotId,
    arn: `arn:aws:ec2:${ctx.region}::snapshot/${sn.SnapshotId}`,
    data_encryption_key_id: sn.DataEncryptionKeyId ?? "",
    description: sn.Description ?? "",
    encrypted: sn.Encrypted ?? false,
    kms_key_id: sn.KmsKeyId ?? "",
    outpost_arn: sn.OutpostArn ?? "",
    owner_alias: sn.OwnerAlias ?? "",
    owner_id: sn.OwnerId ?? null,
    storage_tier: sn.StorageTier ?? "standard",
    tags: tagsFromApi(ctx, sn.Tags, state),
    volume_id: sn.VolumeId ?? state.volume_id ?? null,
    volume_size: sn.VolumeSize ?? null,
  };
}

export const awsEbsSnapshot: ResourceImpl = {
  schema: aws_ebs_snapshot,
  title: "EBS Snapshot",
  async create(ctx, plan) {
    const ec2 = await ctx.ec2();
    const out = await ec2.createSnapshot({
      VolumeId: s(plan.volume_id),
      Description: s(plan.description),
      OutpostArn: s(plan.outpost_arn),
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
    const ec2 = await ctx.ec2();
    if (plan.storage_tier !== prior.storage_tier && plan.storage_tier === "archive")
      await ec2.modifySnapshotTier({ SnapshotId: id, StorageTier: "archive" });
    const sn = await findSnapshot(ctx, id);
    return sn ? flattenSnapshot(ctx, sn, plan) : undefined;
  },
  async delete(ctx, state) {
    const ec2 = await ctx.ec2();
    await nullIfNotFound(() => ec2.deleteSnapshot({ SnapshotId: String(state.id) }));
  },
};
