/**
 * AMIs (R5–R11, R25): the catalogs and the caller's own images; launch permissions (accounts,
 * organizations, OUs, public) with block public access; CreateImage from an EBS-backed instance
 * (snapshots of every volume, runtime data dropped, a reboot unless NoReboot); RegisterImage from an
 * instance-store bundle or an EBS snapshot; CopyImage within or across regions; DeregisterImage
 * (running instances keep running); deregistration protection and disabled images.
 */
import type {
  BlockDeviceMapping as Ec2Bdm,
  Image as Ec2Image,
  LaunchPermission,
  TagSpecification,
} from "@aws-sdk/client-ec2";
import { catalogImage, catalogImages } from "./catalog.ts";
import { Ec2Error, errors } from "./errors.ts";
import type { EventOf, ImageInit, LaunchPermissionDelta } from "./events.ts";
import { compileFilters, type Filter, paginate } from "./filters.ts";
import { rootFileSystem } from "./guest/access.ts";
import { BLOCK_BYTES } from "./guest/fs.ts";
import { runtimeDropPaths } from "./guest/os.ts";
import { looksLikeId } from "./ids.ts";
import { type Account, type BlockDeviceMapping, type Image, machineFacts } from "./model.ts";
import { requireRegion } from "./regions.ts";
import { regionState, type SandboxState } from "./state.ts";
import { tagMap, tagsFor, toTagSet } from "./tags.ts";
import type { Tx } from "./tx.ts";
import { findSnapshot, pendingSnapshotBlocks, requireSnapshot, snapshotDuration } from "./volumes.ts";

// ── visibility and launch permission (R7) ────────────────────────────────────────────────────
export function canLaunch(image: Image, account: Account | undefined, accountId: string): boolean {
  const lp = image.launchPermissions;
  if (image.ownerId === accountId || lp.public || lp.userIds.has(accountId)) return true;
  if (account?.organizationArn && lp.organizationArns.has(account.organizationArn)) return true;
  if (account?.ouArn)
    for (const ou of lp.ouArns) if (account.ouArn === ou || account.ouArn.startsWith(`${ou}/`)) return true;
  return false;
}

/**
 * DescribeImages ExecutableUsers (R6): explicit launch permissions only — not the owner's implicit
 * one, nor public. Organization and OU shares count only for the caller's own account.
 */
function explicitlyShared(image: Image, accountId: string, caller: Account | undefined): boolean {
  const lp = image.launchPermissions;
  if (image.ownerId === accountId) return false;
  if (lp.userIds.has(accountId)) return true;
  if (caller?.organizationArn && lp.organizationArns.has(caller.organizationArn)) return true;
  if (caller?.ouArn)
    for (const ou of lp.ouArns) if (caller.ouArn === ou || caller.ouArn.startsWith(`${ou}/`)) return true;
  return false;
}

export function findImage(state: SandboxState, region: string, id: string): Image | undefined {
  return regionState(state, region).images.get(id) ?? catalogImage(region, id);
}

/** An image the caller may see; deregistered and (for non-owners) disabled images are gone. */
export function requireImage(tx: Tx, id: string, region = tx.ctx.region): Image {
  if (!looksLikeId("ami", id)) throw errors.amiMalformed(id);
  const img = findImage(tx.state, region, id);
  const acct = tx.state.accounts.get(tx.ctx.accountId);
  if (
    !img ||
    img.state === "deregistered" ||
    !canLaunch(img, acct, tx.ctx.accountId) ||
    (img.state === "disabled" && img.ownerId !== tx.ctx.accountId)
  ) {
    throw errors.amiNotFound(id);
  }
  return img;
}

export function requireOwnImage(tx: Tx, id: string): Image {
  const img = requireImage(tx, id);
  if (img.ownerId !== tx.ctx.accountId) {
    throw new Ec2Error("AuthFailure", `Not authorized for image:${id}`, 400);
  }
  return img;
}

/** R11: only an available image launches. */
export function requireLaunchableImage(tx: Tx, id: string): Image {
  const img = requireImage(tx, id);
  if (img.state !== "available") throw errors.amiUnavailable(id, img.state);
  return img;
}

// ── R25: a credentials scan before an image is shared ────────────────────────────────────────
const SECRET_PATTERNS: [RegExp, string][] = [
  [/-----BEGIN (RSA |EC |OPENSSH |DSA |ENCRYPTED )?PRIVATE KEY-----/, "a private key"],
  [/\bAKIA[0-9A-Z]{16}\b/, "an AWS access key ID"],
  [/aws_secret_access_key\s*=|\bAWS_SECRET_ACCESS_KEY\b/i, "an AWS secret access key"],
  [/\bgh[pousr]_[A-Za-z0-9]{30,}\b/, "a GitHub token"],
  [/\bxox[baprs]-[A-Za-z0-9-]{10,}\b/, "a Slack token"],
  [/(password|passwd|api[_-]?key|secret|token)\s*[:=]\s*\S{6,}/i, "a password or token"],
];

export interface SecretFinding {
  path: string;
  what: string;
}

/** What a file's content looks like it holds (R25's patterns), or undefined when it looks clean. */
export function secretIn(content: string): string | undefined {
  for (const [re, what] of SECRET_PATTERNS) if (re.test(content)) return what;
  return undefined;
}

/** Files in the image's snapshots that look like credentials (host keys are expected and skipped). */
export function scanImageForSecrets(state: SandboxState, image: Image): SecretFinding[] {
  const layers = image.bundle
    ? [image.bundle.layer]
    : image.blockDeviceMappings
        .map((b) => (b.ebs?.snapshotId ? findSnapshot(state, image.region, b.ebs.snapshotId)?.layer : undefined))
        .filter((l) => !!l);
  const out: SecretFinding[] = [];
  for (const layer of layers) {
    for (const path of layer!.paths()) {
      if (/^\/etc\/ssh\/ssh_host_/.test(path) || path.startsWith("/usr/") || path.startsWith("/var/lib/ec2sim/"))
        continue;
      const what = secretIn(layer!.get(path)!.content);
      if (what) out.push({ path, what });
    }
  }
  return out;
}

// ── fold ─────────────────────────────────────────────────────────────────────────────────────
function imageFromInit(state: SandboxState, i: ImageInit, at: number): Image {
  const img: Image = {
    imageId: i.imageId,
    region: i.region,
    ownerId: i.ownerId,
    name: i.name,
    description: i.description,
    state: "pending",
    ...machineFacts(i),
    sriovNetSupport: i.sriovNetSupport,
    imdsSupport: i.imdsSupport,
    imageLocation: i.imageLocation,
    kernelId: i.kernelId,
    ramdiskId: i.ramdiskId,
    creationDate: at,
    blockDeviceMappings: i.blockDeviceMappings,
    productCodes: i.productCodes,
    softwareUsdPerHour: i.softwareUsdPerHour,
    launchPermissions: { userIds: new Set(), organizationArns: new Set(), ouArns: new Set(), public: false },
    deregistrationProtection: false,
    availableAt: i.availableAt,
    sourceInstanceId: i.sourceInstanceId,
    sourceImageId: i.sourceImageId,
    sourceRegion: i.sourceRegion,
    guest: i.guest,
    tags: tagMap(i.tags),
  };
  if (i.bundleFrom) {
    const b = state.bundles.get(i.bundleFrom.manifest);
    const src = i.bundleFrom.imageId ? findImage(state, i.bundleFrom.region, i.bundleFrom.imageId)?.bundle : undefined;
    const layer = b?.layer ?? src?.layer;
    const usedBlocks = b?.usedBlocks ?? src?.usedBlocks ?? 0;
    // R23: an instance-store AMI stores its full size in S3 every time.
    if (layer)
      img.bundle = {
        layer,
        usedBlocks,
        sizeBytes: usedBlocks * BLOCK_BYTES,
        manifest: i.imageLocation ?? i.bundleFrom.manifest,
      };
  }
  return img;
}

function applyLaunchDelta(img: Image, d: LaunchPermissionDelta | undefined, add: boolean): void {
  if (!d) return;
  const lp = img.launchPermissions;
  const op = <T>(s: Set<T>, v: T) => (add ? s.add(v) : s.delete(v));
  for (const u of d.userIds ?? []) op(lp.userIds, u);
  for (const o of d.organizationArns ?? []) op(lp.organizationArns, o);
  for (const o of d.ouArns ?? []) op(lp.ouArns, o);
  if (d.group === "all") lp.public = add;
}

export function applyImageEvent(
  state: SandboxState,
  e: EventOf<
    "ImageCreated" | "ImageStateChanged" | "ImageAttributesChanged" | "ImageDeregistered" | "ImageBlockPublicAccessSet"
  >,
  at: number,
): void {
  if (e.type === "ImageCreated") {
    const r = regionState(state, e.image.region);
    const img = imageFromInit(state, e.image, at);
    r.images.set(img.imageId, img);
    r.imagesByOwner.add(img.ownerId, img.imageId);
    state.resourceRegion.set(img.imageId, img.region);
    state.timers.push({ at: e.image.availableAt, region: img.region, kind: "image", id: img.imageId });
    return;
  }
  const r = regionState(state, e.region);
  if (e.type === "ImageBlockPublicAccessSet") {
    if (e.enabled) r.imageBlockPublicAccess.add(e.accountId);
    else r.imageBlockPublicAccess.delete(e.accountId);
    return;
  }
  const img = r.images.get(e.imageId);
  if (!img) return;
  switch (e.type) {
    case "ImageStateChanged":
      img.state = e.state;
      img.stateReason = e.reason;
      img.availableAt = undefined;
      return;
    case "ImageAttributesChanged":
      if (e.description !== undefined) img.description = e.description;
      if (e.deregistrationProtection !== undefined) img.deregistrationProtection = e.deregistrationProtection;
      if (e.lastLaunchedTime !== undefined) img.lastLaunchedTime = e.lastLaunchedTime;
      if (e.launchReset)
        img.launchPermissions = { userIds: new Set(), organizationArns: new Set(), ouArns: new Set(), public: false };
      applyLaunchDelta(img, e.launchAdd, true);
      applyLaunchDelta(img, e.launchRemove, false);
      return;
    case "ImageDeregistered":
      img.state = "deregistered";
      r.imagesByOwner.remove(img.ownerId, img.imageId);
      return;
  }
}

/** Timer: a pending image becomes available once every snapshot it needs has completed. */
export function imageTimer(tx: Tx, imageId: string): void {
  const img = tx.region.images.get(imageId);
  if (img?.state !== "pending" || img.availableAt === undefined || img.availableAt > tx.now) return;
  const pendingSnap = img.blockDeviceMappings.some(
    (b) => b.ebs?.snapshotId && findSnapshot(tx.state, img.region, b.ebs.snapshotId)?.state === "pending",
  );
  if (pendingSnap) {
    tx.state.timers.push({ at: tx.now + 1000, region: img.region, kind: "image", id: imageId });
    return;
  }
  tx.emit({ type: "ImageStateChanged", region: img.region, imageId, state: "available" });
}

// ── wire shapes ──────────────────────────────────────────────────────────────────────────────
export const toEc2Bdm = (b: BlockDeviceMapping): Ec2Bdm => ({
  DeviceName: b.deviceName,
  ...(b.virtualName ? { VirtualName: b.virtualName } : {}),
  ...(b.noDevice ? { NoDevice: "" } : {}),
  ...(b.ebs
    ? {
        Ebs: {
          SnapshotId: b.ebs.snapshotId,
          VolumeSize: b.ebs.volumeSize,
          VolumeType: b.ebs.volumeType as never,
          DeleteOnTermination: b.ebs.deleteOnTermination,
          Encrypted: b.ebs.encrypted,
          ...(b.ebs.iops !== undefined ? { Iops: b.ebs.iops } : {}),
          ...(b.ebs.throughput !== undefined ? { Throughput: b.ebs.throughput } : {}),
        },
      }
    : {}),
});

export function toEc2Image(img: Image, viewer: string): Ec2Image {
  return {
    ImageId: img.imageId,
    ImageLocation: img.imageLocation ?? `${img.ownerId}/${img.name}`,
    State: img.state as Ec2Image["State"],
    OwnerId: img.ownerId,
    ...(img.ownerAlias ? { ImageOwnerAlias: img.ownerAlias } : {}),
    CreationDate: new Date(img.creationDate).toISOString(),
    Public: img.launchPermissions.public,
    Architecture: img.architecture,
    ImageType: "machine",
    Name: img.name,
    ...(img.description !== undefined ? { Description: img.description } : {}),
    ...(img.platform ? { Platform: img.platform as never } : {}),
    PlatformDetails: img.platformDetails,
    UsageOperation: img.usageOperation,
    RootDeviceType: img.rootDeviceType,
    RootDeviceName: img.rootDeviceName,
    VirtualizationType: img.virtualizationType,
    Hypervisor: "xen",
    EnaSupport: img.enaSupport,
    ...(img.sriovNetSupport ? { SriovNetSupport: img.sriovNetSupport } : {}),
    ...(img.bootMode ? { BootMode: img.bootMode as never } : {}),
    ...(img.imdsSupport ? { ImdsSupport: img.imdsSupport as never } : {}),
    ...(img.kernelId ? { KernelId: img.kernelId } : {}),
    ...(img.ramdiskId ? { RamdiskId: img.ramdiskId } : {}),
    BlockDeviceMappings: img.blockDeviceMappings.map(toEc2Bdm),
    ProductCodes: img.productCodes.map((p) => ({
      ProductCodeId: p.productCodeId,
      ProductCodeType: p.productCodeType as never,
    })),
    ...(img.deprecationTime ? { DeprecationTime: new Date(img.deprecationTime).toISOString() } : {}),
    ...(img.stateReason ? { StateReason: { Code: img.stateReason.code, Message: img.stateReason.message } } : {}),
    ...(img.sourceImageId
      ? { SourceImageId: img.sourceImageId, SourceImageRegion: img.sourceRegion ?? img.region }
      : {}),
    ...(img.sourceInstanceId && img.ownerId === viewer ? { SourceInstanceId: img.sourceInstanceId } : {}),
    ...(img.lastLaunchedTime ? { LastLaunchedTime: new Date(img.lastLaunchedTime).toISOString() } : {}),
    DeregistrationProtection: img.deregistrationProtection ? "enabled" : "disabled",
    Tags: img.ownerId === viewer ? toTagSet(img.tags) : undefined,
  };
}

const imageFields = {
  "image-id": (i: Image) => i.imageId,
  name: (i: Image) => i.name,
  description: (i: Image) => i.description,
  state: (i: Image) => i.state,
  architecture: (i: Image) => i.architecture,
  "owner-id": (i: Image) => i.ownerId,
  "owner-alias": (i: Image) => i.ownerAlias,
  "is-public": (i: Image) => String(i.launchPermissions.public),
  "image-type": () => "machine",
  platform: (i: Image) => i.platform,
  "platform-details": (i: Image) => i.platformDetails,
  "usage-operation": (i: Image) => i.usageOperation,
  "root-device-type": (i: Image) => i.rootDeviceType,
  "root-device-name": (i: Image) => i.rootDeviceName,
  "virtualization-type": (i: Image) => i.virtualizationType,
  hypervisor: () => "xen",
  "ena-support": (i: Image) => String(i.enaSupport),
  "boot-mode": (i: Image) => i.bootMode,
  "creation-date": (i: Image) => new Date(i.creationDate).toISOString(),
  "manifest-location": (i: Image) => i.imageLocation,
  "product-code": (i: Image) => i.productCodes.map((p) => p.productCodeId),
  "product-code.type": (i: Image) => i.productCodes.map((p) => p.productCodeType),
  "kernel-id": (i: Image) => i.kernelId,
  "ramdisk-id": (i: Image) => i.ramdiskId,
  "block-device-mapping.snapshot-id": (i: Image) => i.blockDeviceMappings.map((b) => b.ebs?.snapshotId),
  "block-device-mapping.volume-size": (i: Image) => i.blockDeviceMappings.map((b) => b.ebs?.volumeSize),
  "block-device-mapping.volume-type": (i: Image) => i.blockDeviceMappings.map((b) => b.ebs?.volumeType),
  "block-device-mapping.device-name": (i: Image) => i.blockDeviceMappings.map((b) => b.deviceName),
  "block-device-mapping.delete-on-termination": (i: Image) =>
    i.blockDeviceMappings.map((b) => (b.ebs ? String(b.ebs.deleteOnTermination) : undefined)),
  "block-device-mapping.encrypted": (i: Image) =>
    i.blockDeviceMappings.map((b) => (b.ebs ? String(b.ebs.encrypted) : undefined)),
  "source-instance-id": (i: Image) => i.sourceInstanceId,
  "source-image-id": (i: Image) => i.sourceImageId,
  "source-image-region": (i: Image) => i.sourceRegion,
  "sriov-net-support": (i: Image) => i.sriovNetSupport,
  "imds-support": (i: Image) => i.imdsSupport,
  "deprecation-time": (i: Image) => (i.deprecationTime ? new Date(i.deprecationTime).toISOString() : undefined),
};

const NAME_RE = /^[a-zA-Z0-9()[\]./\-'@_ ]{3,128}$/;

function checkName(tx: Tx, name: string | undefined, region = tx.ctx.region): string {
  if (!name) throw errors.missingParameter("Name");
  if (!NAME_RE.test(name)) {
    throw new Ec2Error(
      "InvalidAMIName.Malformed",
      `AMI names must be between 3 and 128 characters long, and may contain letters, numbers, '(', ')', '.', '-', '/' and '_'`,
    );
  }
  for (const id of tx.regionOf(region).imagesByOwner.get(tx.ctx.accountId)) {
    const other = tx.regionOf(region).images.get(id)!;
    if (other.name === name && other.state !== "deregistered")
      throw new Ec2Error("InvalidAMIName.Duplicate", `AMI name ${name} is already in use by AMI ${other.imageId}`);
  }
  return name;
}

function launchDelta(list: LaunchPermission[] | undefined): LaunchPermissionDelta | undefined {
  if (!list?.length) return undefined;
  const d: LaunchPermissionDelta = {};
  for (const p of list) {
    if (p.UserId) {
      if (!/^\d{12}$/.test(p.UserId)) throw new Ec2Error("InvalidUserID.Malformed", `User ID '${p.UserId}' is invalid`);
      (d.userIds ??= []).push(p.UserId);
    } else if (p.Group) {
      if (p.Group !== "all")
        throw new Ec2Error("InvalidParameterValue", `Invalid value '${p.Group}' for userGroup. Only 'all' is allowed`);
      d.group = "all";
    } else if (p.OrganizationArn) {
      if (!/^arn:aws:organizations::\d{12}:organization\/o-[a-z0-9]{10,32}$/.test(p.OrganizationArn))
        throw new Ec2Error("InvalidParameterValue", `Invalid organization ARN: ${p.OrganizationArn}`);
      (d.organizationArns ??= []).push(p.OrganizationArn);
    } else if (p.OrganizationalUnitArn) {
      if (
        !/^arn:aws:organizations::\d{12}:ou\/o-[a-z0-9]{10,32}\/ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$/.test(
          p.OrganizationalUnitArn,
        )
      )
        throw new Ec2Error("InvalidParameterValue", `Invalid organizational unit ARN: ${p.OrganizationalUnitArn}`);
      (d.ouArns ??= []).push(p.OrganizationalUnitArn);
    } else throw errors.missingParameter("LaunchPermission.UserId");
  }
  return d;
}

const permissionsOut = (img: Image): LaunchPermission[] => [
  ...(img.launchPermissions.public ? [{ Group: "all" as const }] : []),
  ...[...img.launchPermissions.userIds].map((UserId) => ({ UserId })),
  ...[...img.launchPermissions.organizationArns].map((OrganizationArn) => ({ OrganizationArn })),
  ...[...img.launchPermissions.ouArns].map((OrganizationalUnitArn) => ({ OrganizationalUnitArn })),
];

interface DescribeImagesInput {
  ImageIds?: string[];
  Owners?: string[];
  ExecutableUsers?: string[];
  Filters?: Filter[];
  IncludeDeprecated?: boolean;
  IncludeDisabled?: boolean;
  IncludeDeregistered?: boolean;
  MaxResults?: number;
  NextToken?: string;
}

export const imageActions = {
  DescribeImages(tx: Tx, input: DescribeImagesInput) {
    const me = tx.ctx.accountId;
    const acct = tx.state.accounts.get(me);
    for (const id of input.ImageIds ?? []) if (!looksLikeId("ami", id)) throw errors.amiMalformed(id);
    const owners = input.Owners?.map((o) => (o === "self" ? me : o));
    const visible = (img: Image) =>
      img.state !== "deregistered" &&
      canLaunch(img, acct, me) &&
      (img.state !== "disabled" || (img.ownerId === me && input.IncludeDisabled === true));
    let pool: Iterable<Image>;
    if (input.ImageIds?.length) {
      const found: Image[] = [];
      for (const id of input.ImageIds) {
        const img = findImage(tx.state, tx.ctx.region, id);
        if (!img || !visible(img)) throw errors.amiNotFound(id);
        found.push(img);
      }
      pool = found;
    } else if (owners?.length === 1 && owners[0] === me) {
      pool = [...tx.region.imagesByOwner.get(me)].map((id) => tx.region.images.get(id)!);
    } else {
      pool = [...catalogImages(tx.ctx.region), ...tx.region.images.values()];
    }
    const exec = input.ExecutableUsers?.map((u) => (u === "self" ? me : u));
    const match = compileFilters(input.Filters, imageFields);
    const now = tx.now;
    const rows: Image[] = [];
    for (const img of pool) {
      if (!visible(img)) continue;
      if (owners?.length && !owners.includes(img.ownerId) && !(img.ownerAlias && owners.includes(img.ownerAlias)))
        continue;
      if (
        exec?.length &&
        !exec.some((u) =>
          u === "all" ? img.launchPermissions.public : explicitlyShared(img, u, u === me ? acct : undefined),
        )
      )
        continue;
      if (
        !input.ImageIds?.length &&
        img.deprecationTime !== undefined &&
        img.deprecationTime <= now &&
        input.IncludeDeprecated !== true &&
        img.ownerId !== me
      )
        continue;
      if (match(img)) rows.push(img);
    }
    const { page, nextToken } = paginate(rows, input, { min: 1, max: 1000 }, "images");
    return { Images: page.map((i) => toEc2Image(i, me)), NextToken: nextToken };
  },

  CreateImage(
    tx: Tx,
    input: {
      InstanceId?: string;
      Name?: string;
      Description?: string;
      NoReboot?: boolean;
      BlockDeviceMappings?: Ec2Bdm[];
      TagSpecifications?: TagSpecification[];
    },
  ) {
    if (!input.InstanceId) throw errors.missingParameter("InstanceId");
    const inst = tx.region.instances.get(input.InstanceId);
    if (!inst || inst.ownerId !== tx.ctx.accountId) throw errors.instanceNotFound(input.InstanceId);
    if (inst.rootDeviceType !== "ebs") {
      throw errors.unsupported(
        `The instance '${inst.instanceId}' has an instance-store root device. Bundle it on the instance (ec2-bundle-vol, ec2-upload-bundle) and call RegisterImage with the manifest location.`,
      );
    }
    if (inst.state !== "running" && inst.state !== "stopped")
      throw errors.incorrectInstanceState(inst.instanceId, inst.state, "imaged");
    const name = checkName(tx, input.Name);
    if (input.Description && input.Description.length > 255)
      throw new Ec2Error("InvalidParameterValue", "Description is at most 255 characters");
    const imageTags = tagsFor(input.TagSpecifications, "image", ["image", "snapshot"]);
    const snapTags = tagsFor(input.TagSpecifications, "snapshot", ["image", "snapshot"]);
    const imageId = tx.newId("image");
    // Without NoReboot the instance reboots so the file systems are consistent.
    // The instance family's own reboot, in this transaction.
    if (!input.NoReboot && inst.state === "running") tx.call("RebootInstances", { InstanceIds: [inst.instanceId] });
    const root = rootFileSystem(tx.state, inst);
    const drops = runtimeDropPaths(root, {
      privateIp: inst.privateIpAddress,
      publicIp: inst.publicIpAddress,
      hostname: inst.guest.hostname,
    });
    const excluded = new Set(
      (input.BlockDeviceMappings ?? []).filter((b) => b.NoDevice !== undefined).map((b) => b.DeviceName),
    );
    const bdms: BlockDeviceMapping[] = [];
    let availableAt = tx.now;
    for (const dev of inst.blockDevices) {
      if (excluded.has(dev.deviceName)) continue;
      const vol = tx.region.volumes.get(dev.volumeId)!;
      const snapshotId = tx.newId("snapshot");
      const completesAt = tx.now + snapshotDuration(pendingSnapshotBlocks(tx.state, vol));
      availableAt = Math.max(availableAt, completesAt);
      tx.emit({
        type: "SnapshotStarted",
        region: tx.ctx.region,
        snapshotId,
        volumeId: vol.volumeId,
        ownerId: tx.ctx.accountId,
        description: `Created by CreateImage(${inst.instanceId}) for ${imageId}`,
        tags: snapTags,
        completesAt,
        ...(dev.deviceName === inst.rootDeviceName ? { dropPaths: drops } : {}),
      });
      const override = input.BlockDeviceMappings?.find((b) => b.DeviceName === dev.deviceName)?.Ebs;
      bdms.push({
        deviceName: dev.deviceName,
        ebs: {
          snapshotId,
          volumeSize: override?.VolumeSize ?? vol.size,
          volumeType: override?.VolumeType ?? vol.volumeType,
          deleteOnTermination: override?.DeleteOnTermination ?? dev.deleteOnTermination,
          encrypted: vol.encrypted,
          ...(vol.iops !== undefined && (vol.volumeType === "gp3" || vol.volumeType.startsWith("io"))
            ? { iops: vol.iops }
            : {}),
          ...(vol.throughput !== undefined ? { throughput: vol.throughput } : {}),
        },
      });
    }
    for (const s of inst.instanceStores) bdms.push({ deviceName: s.deviceName, virtualName: s.virtualName });
    const source = findImage(tx.state, tx.ctx.region, inst.imageId);
    tx.emit({
      type: "ImageCreated",
      image: {
        imageId,
        region: tx.ctx.region,
        ownerId: tx.ctx.accountId,
        name,
        description: input.Description,
        ...machineFacts(inst),
        rootDeviceType: "ebs",
        sriovNetSupport: "simple",
        imdsSupport: source?.imdsSupport,
        blockDeviceMappings: bdms,
        productCodes: inst.productCodes,
        softwareUsdPerHour: inst.softwareUsdPerHour || undefined,
        guest: inst.guest.os,
        availableAt: availableAt + 5_000,
        sourceInstanceId: inst.instanceId,
        sourceImageId: inst.imageId,
        tags: imageTags,
        imageLocation: `${tx.ctx.accountId}/${name}`,
      },
    });
    return { ImageId: imageId };
  },

  RegisterImage(
    tx: Tx,
    input: {
      Name?: string;
      Description?: string;
      ImageLocation?: string;
      Architecture?: string;
      RootDeviceName?: string;
      BlockDeviceMappings?: Ec2Bdm[];
      VirtualizationType?: string;
      KernelId?: string;
      RamdiskId?: string;
      EnaSupport?: boolean;
      SriovNetSupport?: string;
      BootMode?: string;
      ImdsSupport?: string;
      TagSpecifications?: TagSpecification[];
    },
  ) {
    const name = checkName(tx, input.Name);
    const tags = tagsFor(input.TagSpecifications, "image", ["image"]);
    const arch = (input.Architecture ?? "x86_64") as ImageInit["architecture"];
    if (!["i386", "x86_64", "arm64"].includes(arch))
      throw new Ec2Error("InvalidParameterValue", `Value (${arch}) for parameter architecture is invalid`);
    if (input.ImageLocation) {
      // R10: an instance-store-backed AMI is registered from a bundle uploaded to S3.
      const loc = input.ImageLocation.replace(/^https?:\/\/[^/]+\//, "").replace(/^s3:\/\//, "");
      const bundle = tx.state.bundles.get(loc);
      if (!bundle || bundle.ownerId !== tx.ctx.accountId) {
        throw new Ec2Error(
          "InvalidManifest",
          `Unable to read manifest ${loc}: the bundle does not exist or you do not have access to it. Bundle an instance-store instance with ec2-bundle-vol and ec2-upload-bundle first.`,
        );
      }
      if (bundle.region !== tx.ctx.region)
        throw new Ec2Error("InvalidManifest", `The manifest ${loc} is in region ${bundle.region}; register it there`);
      const imageId = tx.newId("image");
      tx.emit({
        type: "ImageCreated",
        image: {
          imageId,
          region: tx.ctx.region,
          ownerId: tx.ctx.accountId,
          name,
          description: input.Description,
          architecture: bundle.architecture,
          platformDetails: "Linux/UNIX",
          usageOperation: "RunInstances",
          rootDeviceType: "instance-store",
          rootDeviceName: input.RootDeviceName ?? "/dev/sda1",
          virtualizationType: (input.VirtualizationType as "hvm" | "paravirtual") ?? "hvm",
          enaSupport: input.EnaSupport ?? false,
          blockDeviceMappings: [{ deviceName: "sdb", virtualName: "ephemeral0" }],
          productCodes: [],
          guest: bundle.guest,
          availableAt: tx.now + 30_000,
          imageLocation: loc,
          kernelId: input.KernelId,
          ramdiskId: input.RamdiskId,
          tags,
          bundleFrom: { region: tx.ctx.region, manifest: loc },
        },
      });
      return { ImageId: imageId };
    }
    // From an EBS snapshot: the root device's mapping names the snapshot.
    if (!input.RootDeviceName) throw errors.missingParameter("RootDeviceName");
    const mappings = input.BlockDeviceMappings ?? [];
    const root = mappings.find((b) => b.DeviceName === input.RootDeviceName);
    if (!root?.Ebs?.SnapshotId)
      throw new Ec2Error(
        "InvalidBlockDeviceMapping",
        `The root device ${input.RootDeviceName} must map to an EBS snapshot`,
      );
    const bdms: BlockDeviceMapping[] = [];
    let guest = "al2023";
    for (const b of mappings) {
      if (!b.DeviceName) throw errors.missingParameter("BlockDeviceMapping.DeviceName");
      if (b.VirtualName) {
        bdms.push({ deviceName: b.DeviceName, virtualName: b.VirtualName });
        continue;
      }
      const snap = b.Ebs?.SnapshotId ? requireSnapshot(tx, b.Ebs.SnapshotId) : undefined;
      if (b.DeviceName === input.RootDeviceName && snap?.guest) guest = snap.guest;
      const size = b.Ebs?.VolumeSize ?? snap?.volumeSize;
      if (size === undefined) throw errors.missingParameter("BlockDeviceMapping.Ebs.VolumeSize");
      bdms.push({
        deviceName: b.DeviceName,
        ebs: {
          snapshotId: snap?.snapshotId,
          volumeSize: size,
          volumeType: b.Ebs?.VolumeType ?? "gp2",
          deleteOnTermination: b.Ebs?.DeleteOnTermination ?? true,
          encrypted: snap?.encrypted ?? false,
        },
      });
    }
    const imageId = tx.newId("image");
    tx.emit({
      type: "ImageCreated",
      image: {
        imageId,
        region: tx.ctx.region,
        ownerId: tx.ctx.accountId,
        name,
        description: input.Description,
        architecture: arch,
        platformDetails: "Linux/UNIX",
        usageOperation: "RunInstances",
        rootDeviceType: "ebs",
        rootDeviceName: input.RootDeviceName,
        virtualizationType: (input.VirtualizationType as "hvm") ?? "hvm",
        bootMode: input.BootMode,
        enaSupport: input.EnaSupport ?? false,
        sriovNetSupport: input.SriovNetSupport,
        imdsSupport: input.ImdsSupport,
        blockDeviceMappings: bdms,
        productCodes: [],
        guest,
        availableAt: tx.now + 10_000,
        kernelId: input.KernelId,
        ramdiskId: input.RamdiskId,
        tags,
      },
    });
    return { ImageId: imageId };
  },

  CopyImage(
    tx: Tx,
    input: {
      SourceImageId?: string;
      SourceRegion?: string;
      Name?: string;
      Description?: string;
      Encrypted?: boolean;
      CopyImageTags?: boolean;
      TagSpecifications?: TagSpecification[];
    },
  ) {
    if (!input.SourceImageId) throw errors.missingParameter("SourceImageId");
    if (!input.SourceRegion) throw errors.missingParameter("SourceRegion");
    requireRegion(input.SourceRegion);
    const src = requireImage(tx, input.SourceImageId, input.SourceRegion);
    if (src.state !== "available") throw errors.amiUnavailable(src.imageId, src.state);
    if (src.productCodes.length && src.ownerId !== tx.ctx.accountId) {
      throw new Ec2Error(
        "InvalidRequest",
        `You do not have permission to copy the AMI ${src.imageId}: AWS Marketplace AMIs cannot be copied by subscribers`,
      );
    }
    const name = checkName(tx, input.Name ?? src.name);
    const tags = [
      ...(input.CopyImageTags && src.ownerId === tx.ctx.accountId ? [...src.tags] : []),
      ...tagsFor(input.TagSpecifications, "image", ["image", "snapshot"]),
    ] as [string, string][];
    const snapTags = tagsFor(input.TagSpecifications, "snapshot", ["image", "snapshot"]);
    const cross = input.SourceRegion !== tx.ctx.region;
    const imageId = tx.newId("image");
    let availableAt = tx.now;
    const bdms: BlockDeviceMapping[] = [];
    for (const b of src.blockDeviceMappings) {
      if (!b.ebs?.snapshotId) {
        bdms.push({ ...b });
        continue;
      }
      const srcSnap = findSnapshot(tx.state, input.SourceRegion, b.ebs.snapshotId)!;
      const snapshotId = tx.newId("snapshot");
      const completesAt = tx.now + snapshotDuration(srcSnap.blocks.size) * (cross ? 2 : 1);
      availableAt = Math.max(availableAt, completesAt);
      tx.emit({
        type: "SnapshotCopied",
        region: tx.ctx.region,
        snapshotId,
        sourceRegion: input.SourceRegion,
        sourceSnapshotId: srcSnap.snapshotId,
        ownerId: tx.ctx.accountId,
        description: `Copied for DestinationAmi ${imageId} from SourceAmi ${src.imageId} for SourceSnapshot ${srcSnap.snapshotId}. Task created on ${new Date(tx.now).toISOString()}.`,
        tags: snapTags,
        completesAt,
      });
      bdms.push({
        deviceName: b.deviceName,
        ebs: { ...b.ebs, snapshotId, encrypted: input.Encrypted ?? b.ebs.encrypted },
      });
    }
    if (src.bundle)
      availableAt = tx.now + Math.ceil(src.bundle.sizeBytes / (32 * 1024 * 1024)) * 1000 * (cross ? 2 : 1);
    tx.emit({
      type: "ImageCreated",
      image: {
        imageId,
        region: tx.ctx.region,
        ownerId: tx.ctx.accountId,
        name,
        description: input.Description ?? src.description,
        ...machineFacts(src),
        sriovNetSupport: src.sriovNetSupport,
        imdsSupport: src.imdsSupport,
        blockDeviceMappings: bdms,
        productCodes: src.productCodes,
        softwareUsdPerHour: src.softwareUsdPerHour,
        guest: src.guest,
        availableAt: availableAt + 5_000,
        sourceImageId: src.imageId,
        sourceRegion: input.SourceRegion,
        tags,
        imageLocation: src.bundle ? `${src.bundle.manifest}.copy-${imageId}` : `${tx.ctx.accountId}/${name}`,
        ...(src.bundle
          ? { bundleFrom: { imageId: src.imageId, region: input.SourceRegion, manifest: src.bundle.manifest } }
          : {}),
      },
    });
    return { ImageId: imageId };
  },

  DeregisterImage(tx: Tx, input: { ImageId?: string; DeleteAssociatedSnapshots?: boolean }) {
    if (!input.ImageId) throw errors.missingParameter("ImageId");
    const img = requireOwnImage(tx, input.ImageId);
    if (img.deregistrationProtection) {
      throw new Ec2Error(
        "OperationNotPermitted",
        `The image ${img.imageId} has deregistration protection enabled. Disable it with DisableImageDeregistrationProtection before you deregister the image.`,
      );
    }
    tx.emit({ type: "ImageDeregistered", region: tx.ctx.region, imageId: img.imageId });
    const results: { SnapshotId: string; ReturnCode: "success" }[] = [];
    if (input.DeleteAssociatedSnapshots) {
      for (const b of img.blockDeviceMappings) {
        const s = b.ebs?.snapshotId ? tx.region.snapshots.get(b.ebs.snapshotId) : undefined;
        if (s && s.ownerId === tx.ctx.accountId) {
          tx.emit({ type: "SnapshotDeleted", region: tx.ctx.region, snapshotId: s.snapshotId });
          results.push({ SnapshotId: s.snapshotId, ReturnCode: "success" });
        }
      }
    }
    return { Return: true, DeleteSnapshotResults: results };
  },

  DescribeImageAttribute(tx: Tx, input: { ImageId?: string; Attribute?: string }) {
    if (!input.ImageId) throw errors.missingParameter("ImageId");
    if (!input.Attribute) throw errors.missingParameter("Attribute");
    const img = requireImage(tx, input.ImageId);
    const own = img.ownerId === tx.ctx.accountId;
    const base = { ImageId: img.imageId };
    switch (input.Attribute) {
      case "launchPermission":
        if (!own) throw new Ec2Error("AuthFailure", `Not authorized for image:${img.imageId}`);
        return { ...base, LaunchPermissions: permissionsOut(img) };
      case "description":
        return { ...base, Description: img.description !== undefined ? { Value: img.description } : {} };
      case "productCodes":
        return {
          ...base,
          ProductCodes: img.productCodes.map((p) => ({
            ProductCodeId: p.productCodeId,
            ProductCodeType: p.productCodeType as never,
          })),
        };
      case "blockDeviceMapping":
        return { ...base, BlockDeviceMappings: img.blockDeviceMappings.map(toEc2Bdm) };
      case "kernel":
        return { ...base, KernelId: img.kernelId ? { Value: img.kernelId } : {} };
      case "ramdisk":
        return { ...base, RamdiskId: img.ramdiskId ? { Value: img.ramdiskId } : {} };
      case "sriovNetSupport":
        return { ...base, SriovNetSupport: img.sriovNetSupport ? { Value: img.sriovNetSupport } : {} };
      case "bootMode":
        return { ...base, BootMode: img.bootMode ? { Value: img.bootMode } : {} };
      case "imdsSupport":
        return { ...base, ImdsSupport: img.imdsSupport ? { Value: img.imdsSupport } : {} };
      case "lastLaunchedTime":
        return {
          ...base,
          LastLaunchedTime: img.lastLaunchedTime ? { Value: new Date(img.lastLaunchedTime).toISOString() } : {},
        };
      case "deregistrationProtection":
        return { ...base, DeregistrationProtection: { Value: img.deregistrationProtection ? "enabled" : "disabled" } };
      case "uefiData":
      case "tpmSupport":
        return { ...base };
      default:
        throw new Ec2Error(
          "InvalidParameterValue",
          `Value (${input.Attribute}) for parameter attribute is invalid. Unknown attribute.`,
        );
    }
  },

  ModifyImageAttribute(
    tx: Tx,
    input: {
      ImageId?: string;
      Attribute?: string;
      OperationType?: "add" | "remove";
      UserIds?: string[];
      UserGroups?: string[];
      OrganizationArns?: string[];
      OrganizationalUnitArns?: string[];
      LaunchPermission?: { Add?: LaunchPermission[]; Remove?: LaunchPermission[] };
      Description?: { Value?: string };
      Value?: string;
    },
  ) {
    if (!input.ImageId) throw errors.missingParameter("ImageId");
    const img = requireOwnImage(tx, input.ImageId);
    let launchAdd = launchDelta(input.LaunchPermission?.Add);
    let launchRemove = launchDelta(input.LaunchPermission?.Remove);
    const flat: LaunchPermission[] = [
      ...(input.UserIds ?? []).map((UserId) => ({ UserId })),
      ...(input.UserGroups ?? []).map((Group) => ({ Group: Group as "all" })),
      ...(input.OrganizationArns ?? []).map((OrganizationArn) => ({ OrganizationArn })),
      ...(input.OrganizationalUnitArns ?? []).map((OrganizationalUnitArn) => ({ OrganizationalUnitArn })),
    ];
    if (flat.length) {
      if (input.OperationType === "remove") launchRemove = launchDelta(flat);
      else if (input.OperationType === "add" || input.Attribute === "launchPermission") launchAdd = launchDelta(flat);
      else throw errors.missingParameter("OperationType");
    }
    const description = input.Description?.Value ?? (input.Attribute === "description" ? input.Value : undefined);
    if (!launchAdd && !launchRemove && description === undefined)
      throw new Ec2Error(
        "MissingParameter",
        "The request must contain the parameter LaunchPermission, Description or Attribute",
      );
    if (launchAdd?.group === "all" && tx.region.imageBlockPublicAccess.has(tx.ctx.accountId)) {
      throw new Ec2Error(
        "OperationNotPermitted",
        `You can't publicly share this image because block public access for AMIs is enabled for this account. To publicly share the image, you must call the DisableImageBlockPublicAccess API.`,
      );
    }
    if (launchAdd && img.state !== "available" && img.state !== "pending")
      throw errors.amiUnavailable(img.imageId, img.state);
    tx.emit({
      type: "ImageAttributesChanged",
      region: tx.ctx.region,
      imageId: img.imageId,
      ...(description !== undefined ? { description } : {}),
      ...(launchAdd ? { launchAdd } : {}),
      ...(launchRemove ? { launchRemove } : {}),
    });
    // R25: warn before the image's data becomes readable by others.
    const Warnings = launchAdd
      ? scanImageForSecrets(tx.state, img).map(
          (f) => `${f.path} looks like it holds ${f.what}; everyone you share ${img.imageId} with can read it`,
        )
      : [];
    return Warnings.length ? { Warnings } : {};
  },

  ResetImageAttribute(tx: Tx, input: { ImageId?: string; Attribute?: string }) {
    if (!input.ImageId) throw errors.missingParameter("ImageId");
    const img = requireOwnImage(tx, input.ImageId);
    if (input.Attribute !== "launchPermission")
      throw new Ec2Error(
        "InvalidParameterValue",
        `Value (${input.Attribute}) for parameter attribute is invalid. Only launchPermission can be reset.`,
      );
    tx.emit({ type: "ImageAttributesChanged", region: tx.ctx.region, imageId: img.imageId, launchReset: true });
    return {};
  },

  EnableImageBlockPublicAccess(tx: Tx, input: { ImageBlockPublicAccessState?: string }) {
    if (input.ImageBlockPublicAccessState !== "block-new-sharing")
      throw new Ec2Error(
        "InvalidParameterValue",
        `Value (${input.ImageBlockPublicAccessState}) for parameter ImageBlockPublicAccessState is invalid. Valid value: block-new-sharing`,
      );
    tx.emit({ type: "ImageBlockPublicAccessSet", region: tx.ctx.region, accountId: tx.ctx.accountId, enabled: true });
    return { ImageBlockPublicAccessState: "block-new-sharing" as const };
  },
  DisableImageBlockPublicAccess(tx: Tx) {
    tx.emit({ type: "ImageBlockPublicAccessSet", region: tx.ctx.region, accountId: tx.ctx.accountId, enabled: false });
    return { ImageBlockPublicAccessState: "unblocked" as const };
  },
  GetImageBlockPublicAccessState(tx: Tx) {
    return {
      ImageBlockPublicAccessState: tx.region.imageBlockPublicAccess.has(tx.ctx.accountId)
        ? "block-new-sharing"
        : "unblocked",
      ManagedBy: "account" as const,
    };
  },
  EnableImageDeregistrationProtection(tx: Tx, input: { ImageId?: string }) {
    const img = requireOwnImage(tx, input.ImageId ?? "");
    tx.emit({
      type: "ImageAttributesChanged",
      region: tx.ctx.region,
      imageId: img.imageId,
      deregistrationProtection: true,
    });
    return { Return: "enabled" };
  },
  DisableImageDeregistrationProtection(tx: Tx, input: { ImageId?: string }) {
    const img = requireOwnImage(tx, input.ImageId ?? "");
    tx.emit({
      type: "ImageAttributesChanged",
      region: tx.ctx.region,
      imageId: img.imageId,
      deregistrationProtection: false,
    });
    return { Return: "disabled" };
  },
  DisableImage(tx: Tx, input: { ImageId?: string }) {
    const img = requireOwnImage(tx, input.ImageId ?? "");
    if (img.state !== "available") throw errors.amiUnavailable(img.imageId, img.state);
    tx.emit({ type: "ImageStateChanged", region: tx.ctx.region, imageId: img.imageId, state: "disabled" });
    const lp = img.launchPermissions;
    if (lp.public || lp.userIds.size || lp.organizationArns.size || lp.ouArns.size)
      tx.emit({ type: "ImageAttributesChanged", region: tx.ctx.region, imageId: img.imageId, launchReset: true });
    return { Return: true };
  },
  EnableImage(tx: Tx, input: { ImageId?: string }) {
    const img = requireOwnImage(tx, input.ImageId ?? "");
    if (img.state !== "disabled") throw new Ec2Error("IncorrectState", `The image ${img.imageId} is not disabled`);
    tx.emit({ type: "ImageStateChanged", region: tx.ctx.region, imageId: img.imageId, state: "available" });
    return { Return: true };
  },
};
