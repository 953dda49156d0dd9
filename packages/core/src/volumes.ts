/**
 * EBS volumes and snapshots. Volumes hold a guest file system and count storage in blocks; a
 * snapshot freezes the file system and stores only the blocks written since the last snapshot of
 * the same lineage (R23). A volume restored from a snapshot is usable at once but reads slowly
 * until its blocks are fetched (R17).
 */
import type { Snapshot as Ec2Snapshot, Volume as Ec2Volume, TagSpecification } from "@aws-sdk/client-ec2";
import { catalogSnapshot } from "./catalog.ts";
import { Ec2Error, errors } from "./errors.ts";
import type { EventOf, VolumeInit } from "./events.ts";
import { compileFilters, exactValues, type Filter, paginate } from "./filters.ts";
import { BLOCK_BYTES, BLOCKS_PER_GIB, BlockSet, FsLayer } from "./guest/fs.ts";
import type { BilledSnapshot, BilledVolume, Snapshot, Volume } from "./model.ts";
import { requireZone } from "./regions.ts";
import { type RegionState, regionState, type SandboxState } from "./state.ts";
import { tagMap, tagsFor, toTagSet } from "./tags.ts";
import type { Tx } from "./tx.ts";

export const VOLUME_TYPES: Record<
  string,
  { min: number; max: number; iops?: [number, number]; defaultIops?: number; throughput?: number }
> = {
  gp2: { min: 1, max: 16384 },
  gp3: { min: 1, max: 16384, iops: [3000, 16000], defaultIops: 3000, throughput: 125 },
  io1: { min: 4, max: 16384, iops: [100, 64000] },
  io2: { min: 4, max: 65536, iops: [100, 256000] },
  st1: { min: 125, max: 16384 },
  sc1: { min: 125, max: 16384 },
  standard: { min: 1, max: 1024 },
};

/** R16: root devices can be at most 64 TiB on EBS, 10 GiB on instance store. */
export const MAX_EBS_ROOT_GIB = 65536;
export const MAX_INSTANCE_STORE_ROOT_GIB = 10;

export function validateVolumeSpec(volumeType: string, size: number, iops?: number): void {
  const t = VOLUME_TYPES[volumeType];
  if (!t)
    throw new Ec2Error(
      "InvalidParameterValue",
      `Value (${volumeType}) for parameter volumeType is invalid. Valid values: ${Object.keys(VOLUME_TYPES).join(", ")}`,
    );
  if (!Number.isInteger(size) || size < t.min || size > t.max) {
    throw new Ec2Error(
      "InvalidParameterValue",
      `Volume of ${size}GiB is outside the range ${t.min}-${t.max} GiB for volume type ${volumeType}`,
    );
  }
  if (iops !== undefined) {
    if (!t.iops)
      throw new Ec2Error(
        "InvalidParameterCombination",
        `The parameter iops is not supported for ${volumeType} volumes.`,
      );
    if (iops < t.iops[0] || iops > t.iops[1])
      throw new Ec2Error(
        "InvalidParameterValue",
        `Volume iops of ${iops} is outside the range ${t.iops[0]}-${t.iops[1]}`,
      );
  }
  if ((volumeType === "io1" || volumeType === "io2") && iops === undefined) throw errors.missingParameter("Iops");
}

/** Any snapshot the caller may read: its own, a shared one, or a catalog image's. */
export function findSnapshot(state: SandboxState, region: string, id: string): Snapshot | undefined {
  return regionState(state, region).snapshots.get(id) ?? catalogSnapshot(region, id);
}

export function requireSnapshot(tx: Tx, id: string, region = tx.ctx.region): Snapshot {
  const s = findSnapshot(tx.state, region, id);
  if (
    !s ||
    s.deletedAt !== undefined ||
    !(
      s.ownerId === tx.ctx.accountId ||
      s.createVolumePermissions.has(tx.ctx.accountId) ||
      s.createVolumePermissions.has("all")
    )
  ) {
    throw new Ec2Error("InvalidSnapshot.NotFound", `The snapshot '${id}' does not exist.`);
  }
  return s;
}

export function requireVolume(tx: Tx, id: string): Volume {
  const v = tx.region.volumes.get(id);
  if (!v || v.ownerId !== tx.ctx.accountId || v.state === "deleted")
    throw new Ec2Error("InvalidVolume.NotFound", `The volume '${id}' does not exist.`);
  return v;
}

// ── fold ─────────────────────────────────────────────────────────────────────────────────────
export function createVolume(state: SandboxState, init: VolumeInit, at: number): Volume {
  const region = regionState(state, init.region);
  const snap = init.snapshotId ? findSnapshot(state, init.region, init.snapshotId) : undefined;
  const used = snap ? snap.blocks.clone() : new BlockSet();
  const v: Volume = {
    volumeId: init.volumeId,
    region: init.region,
    availabilityZone: init.availabilityZone,
    ownerId: init.ownerId,
    size: init.size,
    volumeType: init.volumeType,
    iops: init.iops,
    throughput: init.throughput,
    encrypted: init.encrypted,
    snapshotId: init.snapshotId,
    state: "creating",
    createTime: at,
    fs: new FsLayer(snap?.layer),
    usedBlocks: used,
    dirty: new BlockSet(),
    // Incremental only against a snapshot the same account owns in this region (R23).
    lineageSnapshotId: snap && snap.ownerId === init.ownerId ? snap.snapshotId : undefined,
    nextBlock: maxBlock(used),
    availableAt: init.availableAt,
    billedFrom: at,
    tags: tagMap(init.tags),
    guest: snap?.guest,
    // R17: lazily loaded from the snapshot: about 1 minute per GiB held until every block is fetched.
    lazyLoadedUntil: snap ? at + Math.ceil((snap.blocks.size / BLOCKS_PER_GIB) * 60_000) : undefined,
  };
  region.volumes.set(v.volumeId, v);
  state.resourceRegion.set(v.volumeId, v.region);
  if (init.availableAt > at)
    state.timers.push({ at: init.availableAt, region: v.region, kind: "volume", id: v.volumeId });
  else v.state = "available";
  return v;
}

const maxBlock = (b: BlockSet) => Math.max(b.prefix, ...[...b.extra].map((x) => x + 1), 0);

/** Marks `count` blocks from `first` as written (the fold calls this for every guest write). */
export function touchBlocks(v: { usedBlocks: BlockSet; dirty: BlockSet }, first: number, count: number): void {
  v.usedBlocks.addRun(first, count);
  v.dirty.addRun(first, count);
}

export function applySnapshotStarted(state: SandboxState, e: EventOf<"SnapshotStarted">, at: number): void {
  const region = regionState(state, e.region);
  const vol = region.volumes.get(e.volumeId)!;
  // Freeze what the volume holds now; the volume goes on writing into a fresh layer above it.
  let layer: FsLayer;
  if (vol.fs.entries.size > 0 || !vol.fs.parent) {
    vol.fs.frozen = true;
    layer = vol.fs.depth > 24 ? vol.fs.flatten() : vol.fs;
    vol.fs = new FsLayer(layer);
  } else layer = vol.fs.parent;
  if (e.dropPaths?.length) {
    const cleaned = new FsLayer(layer);
    for (const p of e.dropPaths) if (layer.get(p)) cleaned.entries.set(p, null);
    cleaned.frozen = true;
    layer = cleaned;
  }
  const parent = vol.lineageSnapshotId ? region.snapshots.get(vol.lineageSnapshotId) : undefined;
  const incremental = parent !== undefined && parent.deletedAt === undefined && parent.ownerId === e.ownerId;
  const snap: Snapshot = {
    snapshotId: e.snapshotId,
    region: e.region,
    ownerId: e.ownerId,
    volumeId: e.volumeId,
    volumeSize: vol.size,
    description: e.description,
    state: "pending",
    startTime: at,
    completedAt: e.completesAt,
    encrypted: vol.encrypted,
    layer,
    blocks: vol.usedBlocks.clone(),
    storedBlocks: incremental ? vol.dirty.clone() : vol.usedBlocks.clone(),
    parentSnapshotId: incremental ? parent.snapshotId : undefined,
    guest: vol.guest,
    createVolumePermissions: new Set(),
    tags: tagMap(e.tags),
  };
  region.snapshots.set(snap.snapshotId, snap);
  state.resourceRegion.set(snap.snapshotId, e.region);
  vol.dirty = new BlockSet();
  vol.lineageSnapshotId = snap.snapshotId;
  state.timers.push({ at: e.completesAt, region: e.region, kind: "snapshot", id: snap.snapshotId });
}

export function applySnapshotCopied(state: SandboxState, e: EventOf<"SnapshotCopied">, at: number): void {
  const src = findSnapshot(state, e.sourceRegion, e.sourceSnapshotId)!;
  const region = regionState(state, e.region);
  // The first copy into a region is a full copy.
  region.snapshots.set(e.snapshotId, {
    snapshotId: e.snapshotId,
    region: e.region,
    ownerId: e.ownerId,
    volumeId: "vol-ffffffff",
    volumeSize: src.volumeSize,
    description: e.description,
    state: "pending",
    startTime: at,
    completedAt: e.completesAt,
    encrypted: src.encrypted,
    layer: src.layer,
    blocks: src.blocks.clone(),
    storedBlocks: src.blocks.clone(),
    guest: src.guest,
    createVolumePermissions: new Set(),
    tags: tagMap(e.tags),
    sourceSnapshotId: e.sourceSnapshotId,
    sourceRegion: e.sourceRegion,
  });
  state.resourceRegion.set(e.snapshotId, e.region);
  state.timers.push({ at: e.completesAt, region: e.region, kind: "snapshot", id: e.snapshotId });
}

export function applySnapshotDeleted(state: SandboxState, region: RegionState, id: string, at: number): void {
  const s = region.snapshots.get(id);
  if (!s) return;
  // Blocks the next snapshot still needs move to it (AWS keeps them; the bill moves with them).
  for (const child of region.snapshots.values()) {
    if (child.parentSnapshotId === id && child.deletedAt === undefined) {
      child.storedBlocks = child.storedBlocks.union(s.storedBlocks.minus(child.storedBlocks));
      child.parentSnapshotId = s.parentSnapshotId;
    }
  }
  s.deletedAt = at;
  region.snapshots.delete(id);
  deletedSnapshots(region).push(billedSnapshot(s));
  state.resourceRegion.delete(id);
}

/** Deleted volumes and snapshots are kept aside for the bill: what it reads of them. */
export const deletedSnapshots = (r: RegionState): BilledSnapshot[] => (r._deletedSnaps ??= []);
export const deletedVolumes = (r: RegionState): BilledVolume[] => (r._deletedVols ??= []);

/** The part of a volume (or of an older snapshot's full record of one) that the bill reads. */
export function billedVolume(v: BilledVolume): BilledVolume {
  return {
    volumeId: v.volumeId,
    region: v.region,
    ownerId: v.ownerId,
    size: v.size,
    volumeType: v.volumeType,
    createTime: v.createTime,
    deletedAt: v.deletedAt,
    tags: v.tags,
  };
}

/** The part of a snapshot (or of an older state snapshot's full record of one) that the bill reads. */
export function billedSnapshot(s: Snapshot | BilledSnapshot): BilledSnapshot {
  return {
    snapshotId: s.snapshotId,
    region: s.region,
    ownerId: s.ownerId,
    startTime: s.startTime,
    deletedAt: s.deletedAt,
    parentSnapshotId: s.parentSnapshotId,
    tags: s.tags,
    storedBlockCount: "storedBlockCount" in s ? s.storedBlockCount : s.storedBlocks.size,
  };
}

export function deleteVolume(state: SandboxState, region: RegionState, id: string, at: number): void {
  const v = region.volumes.get(id);
  if (!v) return;
  v.state = "deleted";
  v.deletedAt = at;
  v.attachment = undefined;
  region.volumes.delete(id);
  deletedVolumes(region).push(billedVolume(v));
  state.resourceRegion.delete(id);
}

export function applyVolumeEvent(
  state: SandboxState,
  e: EventOf<
    | "VolumeCreated"
    | "VolumeStateChanged"
    | "VolumeAttached"
    | "VolumeDetached"
    | "VolumeDeleted"
    | "VolumeModified"
    | "SnapshotStateChanged"
    | "SnapshotDeleted"
    | "SnapshotPermissionChanged"
    | "SnapshotStarted"
    | "SnapshotCopied"
  >,
  at: number,
): void {
  switch (e.type) {
    case "VolumeCreated":
      createVolume(state, e.volume, at);
      return;
    case "SnapshotStarted":
      applySnapshotStarted(state, e, at);
      return;
    case "SnapshotCopied":
      applySnapshotCopied(state, e, at);
      return;
  }
  const region = regionState(state, e.region);
  switch (e.type) {
    case "VolumeStateChanged": {
      const v = region.volumes.get(e.volumeId);
      if (v) {
        if (e.state === "deleted") deleteVolume(state, region, e.volumeId, at);
        else {
          v.state = v.attachment ? "in-use" : e.state;
          v.availableAt = undefined;
        }
      }
      return;
    }
    case "VolumeAttached": {
      const v = region.volumes.get(e.volumeId)!;
      v.attachment = {
        instanceId: e.instanceId,
        device: e.device,
        state: "attached",
        attachTime: at,
        deleteOnTermination: e.deleteOnTermination,
      };
      v.state = "in-use";
      const inst = region.instances.get(e.instanceId);
      inst?.blockDevices.push({
        deviceName: e.device,
        volumeId: e.volumeId,
        deleteOnTermination: e.deleteOnTermination,
        attachTime: at,
      });
      return;
    }
    case "VolumeDetached": {
      const v = region.volumes.get(e.volumeId)!;
      const inst = v.attachment ? region.instances.get(v.attachment.instanceId) : undefined;
      if (inst) inst.blockDevices = inst.blockDevices.filter((b) => b.volumeId !== e.volumeId);
      v.attachment = undefined;
      v.state = "available";
      return;
    }
    case "VolumeDeleted":
      deleteVolume(state, region, e.volumeId, at);
      return;
    case "VolumeModified": {
      const v = region.volumes.get(e.volumeId)!;
      v.modification = {
        state: "modifying",
        originalSize: v.size,
        targetSize: e.size,
        originalVolumeType: v.volumeType,
        targetVolumeType: e.volumeType,
        startTime: at,
        doneAt: e.doneAt,
      };
      v.size = e.size;
      v.volumeType = e.volumeType;
      v.iops = e.iops;
      v.throughput = e.throughput;
      state.timers.push({ at: e.doneAt, region: e.region, kind: "volume-modification", id: e.volumeId });
      return;
    }
    case "SnapshotStateChanged": {
      const s = region.snapshots.get(e.snapshotId);
      if (s) s.state = e.state;
      return;
    }
    case "SnapshotDeleted":
      applySnapshotDeleted(state, region, e.snapshotId, at);
      return;
    case "SnapshotPermissionChanged": {
      const s = region.snapshots.get(e.snapshotId)!;
      for (const a of e.add) s.createVolumePermissions.add(a);
      for (const a of e.remove) s.createVolumePermissions.delete(a);
      return;
    }
  }
}

/** How long a snapshot of `blocks` takes: 15 s plus 1 s per 64 MiB it stores. */
export const snapshotDuration = (stored: number) =>
  15_000 + Math.ceil((stored * BLOCK_BYTES) / (64 * 1024 * 1024)) * 1000;

/** What the next snapshot of a volume would store, in blocks. */
export function pendingSnapshotBlocks(state: SandboxState, v: Volume): number {
  const parent = v.lineageSnapshotId ? regionState(state, v.region).snapshots.get(v.lineageSnapshotId) : undefined;
  return parent && parent.ownerId === v.ownerId ? v.dirty.size : v.usedBlocks.size;
}

// ── wire shapes ──────────────────────────────────────────────────────────────────────────────
export const toEc2Volume = (v: Volume): Ec2Volume => ({
  VolumeId: v.volumeId,
  Size: v.size,
  SnapshotId: v.snapshotId ?? "",
  AvailabilityZone: v.availabilityZone,
  State: v.state as Ec2Volume["State"],
  CreateTime: new Date(v.createTime),
  VolumeType: v.volumeType as Ec2Volume["VolumeType"],
  Iops: v.iops,
  Throughput: v.throughput,
  Encrypted: v.encrypted,
  MultiAttachEnabled: false,
  Attachments: v.attachment
    ? [
        {
          VolumeId: v.volumeId,
          InstanceId: v.attachment.instanceId,
          Device: v.attachment.device,
          State: v.attachment.state,
          AttachTime: new Date(v.attachment.attachTime),
          DeleteOnTermination: v.attachment.deleteOnTermination,
        },
      ]
    : [],
  Tags: toTagSet(v.tags),
});

export const snapshotStoredBytes = (s: Snapshot) => s.storedBlocks.size * BLOCK_BYTES;

export const toEc2Snapshot = (s: Snapshot, now: number): Ec2Snapshot => ({
  SnapshotId: s.snapshotId,
  VolumeId: s.volumeId,
  VolumeSize: s.volumeSize,
  OwnerId: s.ownerId,
  OwnerAlias: s.ownerAlias,
  Description: s.description ?? "",
  State: s.state,
  StartTime: new Date(s.startTime),
  Encrypted: s.encrypted,
  StorageTier: "standard",
  Progress:
    s.state === "completed"
      ? "100%"
      : `${Math.min(99, Math.floor(((now - s.startTime) / Math.max(1, (s.completedAt ?? now) - s.startTime)) * 100))}%`,
  // Full snapshot size in bytes, as EC2's FullSnapshotSizeInBytes reports it.
  FullSnapshotSizeInBytes: s.blocks.size * BLOCK_BYTES,
  Tags: toTagSet(s.tags),
});

/**
 * At most one volume a DescribeVolumes can answer with, found by key (its one VolumeId, or the one
 * volume attached to its one `attachment.instance-id`) instead of a walk over the region's volumes;
 * undefined (walk) when there may be more, since the answer lists them in the volume map's order.
 */
function volumeCandidates(
  region: RegionState,
  ids: ReadonlySet<string> | undefined,
  attachedTo: string[] | undefined,
): Volume[] | undefined {
  if (ids?.size === 1) {
    const v = region.volumes.get([...ids][0]!);
    return v ? [v] : [];
  }
  if (ids || attachedTo?.length !== 1) return undefined;
  const inst = region.instances.get(attachedTo[0]!);
  // A volume names its instance in its attachment, and the instance lists it among its devices.
  if (!inst) return undefined;
  const vols = inst.blockDevices.flatMap((b) => region.volumes.get(b.volumeId) ?? []);
  if (vols.length > 1) return undefined;
  return vols.filter((v) => v.attachment?.instanceId === inst.instanceId);
}

const volumeFields = {
  "volume-id": (v: Volume) => v.volumeId,
  status: (v: Volume) => v.state,
  size: (v: Volume) => v.size,
  "volume-type": (v: Volume) => v.volumeType,
  "availability-zone": (v: Volume) => v.availabilityZone,
  "snapshot-id": (v: Volume) => v.snapshotId,
  encrypted: (v: Volume) => String(v.encrypted),
  "create-time": (v: Volume) => new Date(v.createTime).toISOString(),
  "attachment.instance-id": (v: Volume) => v.attachment?.instanceId,
  "attachment.device": (v: Volume) => v.attachment?.device,
  "attachment.status": (v: Volume) => v.attachment?.state,
  "attachment.delete-on-termination": (v: Volume) =>
    v.attachment ? String(v.attachment.deleteOnTermination) : undefined,
  "multi-attach-enabled": () => "false",
};

const snapshotFields = {
  "snapshot-id": (s: Snapshot) => s.snapshotId,
  "volume-id": (s: Snapshot) => s.volumeId,
  status: (s: Snapshot) => s.state,
  "owner-id": (s: Snapshot) => s.ownerId,
  "owner-alias": (s: Snapshot) => s.ownerAlias,
  description: (s: Snapshot) => s.description,
  "volume-size": (s: Snapshot) => s.volumeSize,
  encrypted: (s: Snapshot) => String(s.encrypted),
  "start-time": (s: Snapshot) => new Date(s.startTime).toISOString(),
  progress: (s: Snapshot) => (s.state === "completed" ? "100%" : "0%"),
  "storage-tier": () => "standard",
};

function volumeSize(input: { Size?: number }, snap?: Snapshot): number {
  if (input.Size === undefined) {
    if (!snap) throw new Ec2Error("MissingParameter", "The request must contain the parameter size or snapshotId");
    return snap.volumeSize;
  }
  if (snap && input.Size < snap.volumeSize) {
    throw new Ec2Error(
      "InvalidParameterValue",
      `Volume of ${input.Size}GiB is smaller than snapshot '${snap.snapshotId}', expect size >= ${snap.volumeSize}GiB`,
    );
  }
  return input.Size;
}

export const volumeActions = {
  CreateVolume(
    tx: Tx,
    input: {
      AvailabilityZone?: string;
      Size?: number;
      SnapshotId?: string;
      VolumeType?: string;
      Iops?: number;
      Throughput?: number;
      Encrypted?: boolean;
      TagSpecifications?: TagSpecification[];
      ClientToken?: string;
    },
  ) {
    if (!input.AvailabilityZone) throw errors.missingParameter("AvailabilityZone");
    const zone = requireZone(tx.ctx.region, input.AvailabilityZone);
    const snap = input.SnapshotId ? requireSnapshot(tx, input.SnapshotId) : undefined;
    if (snap && snap.state !== "completed")
      throw new Ec2Error("IncorrectState", `Snapshot '${snap.snapshotId}' is not 'completed'.`);
    const size = volumeSize(input, snap);
    const volumeType = input.VolumeType ?? "gp2";
    validateVolumeSpec(volumeType, size, input.Iops);
    const tags = tagsFor(input.TagSpecifications, "volume", ["volume"]);
    const volumeId = tx.newId("volume");
    const spec = VOLUME_TYPES[volumeType]!;
    const init: VolumeInit = {
      volumeId,
      region: tx.ctx.region,
      availabilityZone: zone.zoneName,
      ownerId: tx.ctx.accountId,
      size,
      volumeType,
      iops:
        input.Iops ?? spec.defaultIops ?? (volumeType === "gp2" ? Math.min(16000, Math.max(100, size * 3)) : undefined),
      throughput: input.Throughput ?? spec.throughput,
      encrypted: input.Encrypted ?? snap?.encrypted ?? false,
      snapshotId: snap?.snapshotId,
      availableAt: tx.now + 5_000,
      tags,
    };
    tx.emit({ type: "VolumeCreated", volume: init });
    return toEc2Volume(tx.region.volumes.get(volumeId)!);
  },
  DescribeVolumes(
    tx: Tx,
    input: { VolumeIds?: string[]; Filters?: Filter[]; MaxResults?: number; NextToken?: string },
  ) {
    const region = tx.region,
      me = tx.ctx.accountId;
    for (const id of input.VolumeIds ?? [])
      if (region.volumes.get(id)?.ownerId !== me)
        throw new Ec2Error("InvalidVolume.NotFound", `The volume '${id}' does not exist.`);
    const match = compileFilters(input.Filters, volumeFields);
    const wanted = input.VolumeIds?.length ? new Set(input.VolumeIds) : undefined;
    const keep = (v: Volume) => v.ownerId === me && (!wanted || wanted.has(v.volumeId)) && match(v);
    const few = volumeCandidates(region, wanted, exactValues(input.Filters, "attachment.instance-id"));
    const rows = few ? few.filter(keep) : [...region.volumes.values()].filter(keep);
    const { page, nextToken } = paginate(rows, input, { min: 5, max: 500, capAbove: true }, "volumes");
    return { Volumes: page.map(toEc2Volume), NextToken: nextToken };
  },
  /** R17: a volume made from a snapshot reports `initialization-state` until its blocks are all fetched. */
  DescribeVolumeStatus(
    tx: Tx,
    input: { VolumeIds?: string[]; Filters?: Filter[]; MaxResults?: number; NextToken?: string },
  ) {
    const mine = [...tx.region.volumes.values()].filter((v) => v.ownerId === tx.ctx.accountId);
    for (const id of input.VolumeIds ?? [])
      if (!mine.some((v) => v.volumeId === id))
        throw new Ec2Error("InvalidVolume.NotFound", `The volume '${id}' does not exist.`);
    const initialized = (v: Volume) => v.lazyLoadedUntil === undefined || v.lazyLoadedUntil <= tx.now;
    const progress = (v: Volume) =>
      initialized(v)
        ? 100
        : Math.min(99, Math.floor(((tx.now - v.createTime) / Math.max(1, v.lazyLoadedUntil! - v.createTime)) * 100));
    const details = (v: Volume) => [
      { Name: "io-enabled" as const, Status: "passed" },
      { Name: "io-performance" as const, Status: "not-applicable" },
      ...(v.snapshotId
        ? [{ Name: "initialization-state" as const, Status: initialized(v) ? "completed" : "initializing" }]
        : []),
    ];
    const match = compileFilters(input.Filters, {
      "volume-id": (v: Volume) => v.volumeId,
      "availability-zone": (v: Volume) => v.availabilityZone,
      "volume-status.status": () => "ok",
      "volume-status.details-name": (v: Volume) => details(v).map((d) => d.Name),
      "volume-status.details-status": (v: Volume) => details(v).map((d) => d.Status),
    });
    const rows = mine.filter((v) => (!input.VolumeIds?.length || input.VolumeIds.includes(v.volumeId)) && match(v));
    const { page, nextToken } = paginate(rows, input, { min: 5, max: 1000, capAbove: true }, "volume-status");
    return {
      VolumeStatuses: page.map((v) => ({
        VolumeId: v.volumeId,
        AvailabilityZone: v.availabilityZone,
        Actions: [],
        Events: [],
        VolumeStatus: { Status: "ok" as const, Details: details(v) },
        AttachmentStatuses: v.attachment
          ? [{ InstanceId: v.attachment.instanceId, IoPerformance: "not-applicable" }]
          : [],
        ...(v.snapshotId
          ? { InitializationStatusDetails: { InitializationType: "default" as const, Progress: progress(v) } }
          : {}),
      })),
      NextToken: nextToken,
    };
  },
  AttachVolume(tx: Tx, input: { VolumeId?: string; InstanceId?: string; Device?: string }) {
    if (!input.VolumeId) throw errors.missingParameter("VolumeId");
    if (!input.InstanceId) throw errors.missingParameter("InstanceId");
    if (!input.Device) throw errors.missingParameter("Device");
    const v = requireVolume(tx, input.VolumeId);
    const inst = tx.region.instances.get(input.InstanceId);
    if (!inst || inst.ownerId !== tx.ctx.accountId || inst.state === "terminated")
      throw errors.instanceNotFound(input.InstanceId);
    // EC2 tells an attached volume from one not ready yet (still creating, or being deleted).
    if (v.state === "in-use") throw new Ec2Error("VolumeInUse", `${v.volumeId} is already attached to an instance`);
    if (v.state !== "available") throw new Ec2Error("IncorrectState", `${v.volumeId} is not 'available'.`);
    if (v.availabilityZone !== inst.availabilityZone) {
      throw new Ec2Error(
        "InvalidVolume.ZoneMismatch",
        `The volume '${v.volumeId}' is not in the same availability zone as instance '${inst.instanceId}'`,
      );
    }
    if (!/^\/dev\/(sd[a-z]\d*|xvd[a-z]+)$/.test(input.Device))
      throw new Ec2Error(
        "InvalidParameterValue",
        `Value (${input.Device}) for parameter device is invalid. ${input.Device} is not a valid EBS device name.`,
      );
    if (
      inst.blockDevices.some((b) => b.deviceName === input.Device) ||
      inst.instanceStores.some((s) => s.deviceName === input.Device)
    ) {
      throw new Ec2Error(
        "InvalidParameterValue",
        `Invalid value '${input.Device}' for unixDevice. Attachment point ${input.Device} is already in use`,
      );
    }
    tx.emit({
      type: "VolumeAttached",
      region: tx.ctx.region,
      volumeId: v.volumeId,
      instanceId: inst.instanceId,
      device: input.Device,
      deleteOnTermination: false,
    });
    return {
      VolumeId: v.volumeId,
      InstanceId: inst.instanceId,
      Device: input.Device,
      State: "attaching" as const,
      AttachTime: new Date(tx.now),
    };
  },
  DetachVolume(tx: Tx, input: { VolumeId?: string; InstanceId?: string; Device?: string; Force?: boolean }) {
    if (!input.VolumeId) throw errors.missingParameter("VolumeId");
    const v = requireVolume(tx, input.VolumeId);
    const att = v.attachment;
    if (!att) throw new Ec2Error("IncorrectState", `Volume '${v.volumeId}' is in the 'available' state.`);
    if (input.InstanceId && input.InstanceId !== att.instanceId)
      throw new Ec2Error(
        "InvalidAttachment.NotFound",
        `Volume '${v.volumeId}' is not attached to instance '${input.InstanceId}'`,
      );
    const inst = tx.region.instances.get(att.instanceId)!;
    if (att.device === inst.rootDeviceName && inst.state !== "stopped") {
      throw new Ec2Error(
        "IncorrectState",
        `Unable to detach root volume '${v.volumeId}' from instance '${inst.instanceId}'`,
      );
    }
    tx.emit({ type: "VolumeDetached", region: tx.ctx.region, volumeId: v.volumeId });
    return {
      VolumeId: v.volumeId,
      InstanceId: att.instanceId,
      Device: att.device,
      State: "detaching" as const,
      AttachTime: new Date(att.attachTime),
    };
  },
  DeleteVolume(tx: Tx, input: { VolumeId?: string }) {
    if (!input.VolumeId) throw errors.missingParameter("VolumeId");
    const v = requireVolume(tx, input.VolumeId);
    if (v.attachment)
      throw new Ec2Error("VolumeInUse", `Volume ${v.volumeId} is currently attached to ${v.attachment.instanceId}`);
    if (v.state === "creating") throw new Ec2Error("IncorrectState", `The volume '${v.volumeId}' is 'creating'`);
    tx.emit({ type: "VolumeDeleted", region: tx.ctx.region, volumeId: v.volumeId });
    return {};
  },
  ModifyVolume(
    tx: Tx,
    input: { VolumeId?: string; Size?: number; VolumeType?: string; Iops?: number; Throughput?: number },
  ) {
    if (!input.VolumeId) throw errors.missingParameter("VolumeId");
    const v = requireVolume(tx, input.VolumeId);
    if (v.modification && v.modification.state !== "completed") {
      throw new Ec2Error(
        "IncorrectModificationState",
        `Cannot modify volume ${v.volumeId} as it is already being modified.`,
      );
    }
    const size = input.Size ?? v.size;
    if (size < v.size) throw new Ec2Error("InvalidParameterValue", `New size cannot be smaller than existing size`);
    const volumeType = input.VolumeType ?? v.volumeType;
    validateVolumeSpec(
      volumeType,
      size,
      input.Iops ?? (VOLUME_TYPES[volumeType]?.iops ? (v.iops ?? VOLUME_TYPES[volumeType]?.defaultIops) : undefined),
    );
    const doneAt = tx.now + 60_000 + Math.max(0, size - v.size) * 100;
    const iops =
      input.Iops ?? (VOLUME_TYPES[volumeType]?.iops ? (v.iops ?? VOLUME_TYPES[volumeType]?.defaultIops) : undefined);
    tx.emit({
      type: "VolumeModified",
      region: tx.ctx.region,
      volumeId: v.volumeId,
      size,
      volumeType,
      iops,
      throughput: input.Throughput ?? (volumeType === "gp3" ? (v.throughput ?? 125) : undefined),
      doneAt,
    });
    const m = v.modification!;
    return {
      VolumeModification: {
        VolumeId: v.volumeId,
        ModificationState: "modifying" as const,
        TargetSize: m.targetSize,
        OriginalSize: m.originalSize,
        TargetVolumeType: m.targetVolumeType as Ec2Volume["VolumeType"],
        OriginalVolumeType: m.originalVolumeType as Ec2Volume["VolumeType"],
        Progress: 0,
        StartTime: new Date(m.startTime),
      },
    };
  },
  DescribeVolumesModifications(tx: Tx, input: { VolumeIds?: string[]; MaxResults?: number; NextToken?: string }) {
    const rows = [...tx.region.volumes.values()].filter(
      (v) =>
        v.ownerId === tx.ctx.accountId &&
        v.modification &&
        (!input.VolumeIds?.length || input.VolumeIds.includes(v.volumeId)),
    );
    // "up to a limit of 500" (the EC2 API reference): larger values are capped, not refused.
    const { page, nextToken } = paginate(rows, input, { min: 1, max: 500, capAbove: true }, "modifications");
    return {
      NextToken: nextToken,
      VolumesModifications: page.map((v) => ({
        VolumeId: v.volumeId,
        ModificationState: v.modification!.state,
        TargetSize: v.modification!.targetSize,
        OriginalSize: v.modification!.originalSize,
        TargetVolumeType: v.modification!.targetVolumeType as Ec2Volume["VolumeType"],
        OriginalVolumeType: v.modification!.originalVolumeType as Ec2Volume["VolumeType"],
        Progress: v.modification!.state === "completed" ? 100 : 50,
        StartTime: new Date(v.modification!.startTime),
      })),
    };
  },
  CreateSnapshot(tx: Tx, input: { VolumeId?: string; Description?: string; TagSpecifications?: TagSpecification[] }) {
    if (!input.VolumeId) throw errors.missingParameter("VolumeId");
    const v = requireVolume(tx, input.VolumeId);
    const tags = tagsFor(input.TagSpecifications, "snapshot", ["snapshot"]);
    const snapshotId = tx.newId("snapshot");
    const completesAt = tx.now + snapshotDuration(pendingSnapshotBlocks(tx.state, v));
    tx.emit({
      type: "SnapshotStarted",
      region: tx.ctx.region,
      snapshotId,
      volumeId: v.volumeId,
      ownerId: tx.ctx.accountId,
      description: input.Description,
      tags,
      completesAt,
    });
    return toEc2Snapshot(tx.region.snapshots.get(snapshotId)!, tx.now);
  },
  DescribeSnapshots(
    tx: Tx,
    input: {
      SnapshotIds?: string[];
      OwnerIds?: string[];
      RestorableByUserIds?: string[];
      Filters?: Filter[];
      MaxResults?: number;
      NextToken?: string;
    },
  ) {
    const me = tx.ctx.accountId;
    const visible = [...tx.region.snapshots.values()].filter(
      (s) => s.ownerId === me || s.createVolumePermissions.has(me) || s.createVolumePermissions.has("all"),
    );
    for (const id of input.SnapshotIds ?? []) {
      if (!visible.some((s) => s.snapshotId === id) && !catalogSnapshot(tx.ctx.region, id))
        throw new Ec2Error("InvalidSnapshot.NotFound", `The snapshot '${id}' does not exist.`);
    }
    const owners = (input.OwnerIds ?? []).map((o) => (o === "self" ? me : o));
    const match = compileFilters(input.Filters, snapshotFields);
    const pool = [
      ...visible,
      ...(input.SnapshotIds ?? []).map((id) => catalogSnapshot(tx.ctx.region, id)).filter((s): s is Snapshot => !!s),
    ];
    const rows = pool.filter(
      (s) =>
        (!input.SnapshotIds?.length || input.SnapshotIds.includes(s.snapshotId)) &&
        (!owners.length ||
          owners.includes(s.ownerId) ||
          (s.ownerAlias !== undefined && owners.includes(s.ownerAlias))) &&
        match(s),
    );
    const { page, nextToken } = paginate(rows, input, { min: 5, max: 1000, capAbove: true }, "snapshots");
    return { Snapshots: page.map((s) => toEc2Snapshot(s, tx.now)), NextToken: nextToken };
  },
  DeleteSnapshot(tx: Tx, input: { SnapshotId?: string }) {
    if (!input.SnapshotId) throw errors.missingParameter("SnapshotId");
    const s = tx.region.snapshots.get(input.SnapshotId);
    if (!s || s.ownerId !== tx.ctx.accountId)
      throw new Ec2Error("InvalidSnapshot.NotFound", `The snapshot '${input.SnapshotId}' does not exist.`);
    for (const img of tx.region.images.values()) {
      if (img.state !== "deregistered" && img.blockDeviceMappings.some((b) => b.ebs?.snapshotId === s.snapshotId)) {
        throw new Ec2Error(
          "InvalidSnapshot.InUse",
          `The snapshot ${s.snapshotId} is currently in use by ${img.imageId}`,
        );
      }
    }
    tx.emit({ type: "SnapshotDeleted", region: tx.ctx.region, snapshotId: s.snapshotId });
    return {};
  },
  CopySnapshot(
    tx: Tx,
    input: {
      SourceRegion?: string;
      SourceSnapshotId?: string;
      Description?: string;
      TagSpecifications?: TagSpecification[];
      DestinationRegion?: string;
    },
  ) {
    if (!input.SourceRegion) throw errors.missingParameter("SourceRegion");
    if (!input.SourceSnapshotId) throw errors.missingParameter("SourceSnapshotId");
    const src = requireSnapshot(tx, input.SourceSnapshotId, input.SourceRegion);
    if (src.state !== "completed")
      throw new Ec2Error("IncorrectState", `Snapshot '${src.snapshotId}' is not 'completed'.`);
    const tags = tagsFor(input.TagSpecifications, "snapshot", ["snapshot"]);
    const snapshotId = tx.newId("snapshot");
    const crossRegion = input.SourceRegion !== tx.ctx.region;
    const completesAt = tx.now + snapshotDuration(src.blocks.size) * (crossRegion ? 2 : 1);
    tx.emit({
      type: "SnapshotCopied",
      region: tx.ctx.region,
      snapshotId,
      sourceRegion: input.SourceRegion,
      sourceSnapshotId: src.snapshotId,
      ownerId: tx.ctx.accountId,
      description:
        input.Description ?? `[Copied ${src.snapshotId} from ${input.SourceRegion}] ${src.description ?? ""}`.trim(),
      tags,
      completesAt,
    });
    return { SnapshotId: snapshotId, Tags: tags.length ? tags.map(([Key, Value]) => ({ Key, Value })) : undefined };
  },
  ModifySnapshotAttribute(
    tx: Tx,
    input: {
      SnapshotId?: string;
      Attribute?: string;
      OperationType?: string;
      UserIds?: string[];
      GroupNames?: string[];
      CreateVolumePermission?: {
        Add?: { UserId?: string; Group?: string }[];
        Remove?: { UserId?: string; Group?: string }[];
      };
    },
  ) {
    if (!input.SnapshotId) throw errors.missingParameter("SnapshotId");
    const s = tx.region.snapshots.get(input.SnapshotId);
    if (!s || s.ownerId !== tx.ctx.accountId)
      throw new Ec2Error("InvalidSnapshot.NotFound", `The snapshot '${input.SnapshotId}' does not exist.`);
    const who = (l?: { UserId?: string; Group?: string }[]) =>
      (l ?? []).map((p) => p.UserId ?? p.Group ?? "").filter(Boolean);
    let add = who(input.CreateVolumePermission?.Add);
    let remove = who(input.CreateVolumePermission?.Remove);
    const list = [...(input.UserIds ?? []), ...(input.GroupNames ?? [])];
    if (input.OperationType === "add") add = add.concat(list);
    if (input.OperationType === "remove") remove = remove.concat(list);
    tx.emit({ type: "SnapshotPermissionChanged", region: tx.ctx.region, snapshotId: s.snapshotId, add, remove });
    return {};
  },
  /** Who may create volumes from an owned snapshot (the owner only reads its own snapshots' attributes). */
  DescribeSnapshotAttribute(tx: Tx, input: { SnapshotId?: string; Attribute?: string }) {
    if (!input.SnapshotId) throw errors.missingParameter("SnapshotId");
    if (!input.Attribute) throw errors.missingParameter("Attribute");
    const s = tx.region.snapshots.get(input.SnapshotId);
    if (!s || s.ownerId !== tx.ctx.accountId)
      throw new Ec2Error("InvalidSnapshot.NotFound", `The snapshot '${input.SnapshotId}' does not exist.`);
    if (input.Attribute === "createVolumePermission")
      return {
        SnapshotId: s.snapshotId,
        CreateVolumePermissions: [...s.createVolumePermissions]
          .sort()
          .map((who) => (who === "all" ? { Group: "all" as const } : { UserId: who })),
      };
    if (input.Attribute === "productCodes") return { SnapshotId: s.snapshotId, ProductCodes: [] };
    throw new Ec2Error(
      "InvalidParameterValue",
      `Value (${input.Attribute}) for parameter attribute is invalid. Unknown attribute.`,
    );
  },
};
