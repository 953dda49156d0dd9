// biome-ignore-all lint/suspicious/noExplicitAny: items are read from EC2 answers the protocol client returns untyped
/**
 * The resource kinds the REPL keeps live and shows as views, one entry each: how to list them
 * (the Describe call, per region), how to re-read a few by ID (an ID filter, which answers
 * without error for IDs that are gone), and what a row holds. Adding a kind is adding an entry.
 */

export type ResourceKind =
  | "instances"
  | "images"
  | "volumes"
  | "snapshots"
  | "securityGroups"
  | "keyPairs"
  | "vpcs"
  | "subnets";

/** What every row has; `raw` is the EC2 API's item, for the describe view. */
export interface BaseRow {
  id: string;
  region: string;
  name?: string;
  state?: string;
  /** Creation (epoch ms) — the default order, so rows keep their place when their state changes. */
  created: number;
  raw: any;
}

export interface InstanceRow extends BaseRow {
  state: string;
  type: string;
  az: string;
  publicIp?: string;
  privateIp?: string;
  imageId: string;
  keyName?: string;
  launchTime: number;
  rootDeviceType?: string;
}

export interface ImageRow extends BaseRow {
  name: string;
  state: string;
  ownerId: string;
  ownerAlias?: string;
  sourceInstanceId?: string;
  sourceImageId?: string;
  sourceRegion?: string;
  creationDate?: string;
}

export type GenericRow = BaseRow;

export interface KindSpec {
  kind: ResourceKind;
  /** The view's title. */
  title: string;
  /** One of them, in a sentence ("security group"). */
  noun: string;
  /** Names that open the view (`:images`, `:ami`). The first is the canonical one. */
  names: string[];
  /** The ID prefix (`i-`), for telling which kind an ID in an event belongs to. */
  prefix: string;
  action: string;
  /** Input of the list call (e.g. only the account's own images). */
  input: Record<string, unknown>;
  /** Filter that selects by ID. */
  idFilter: string;
  items: (out: any) => any[];
  row: (item: any, region: string) => BaseRow;
}

export const tagOf = (tags: { Key?: string; Value?: string }[] | undefined, key: string): string | undefined =>
  tags?.find((t) => t.Key === key)?.Value;

const nameTag = (item: any) => {
  const n = tagOf(item.Tags, "Name");
  return n ? { name: n } : {};
};
const time = (v: unknown) => (typeof v === "string" ? Date.parse(v) || 0 : 0);

/**
 * When an instance came to be: its primary interface's attach time, which EC2 keeps from the launch
 * on. Not LaunchTime: EC2 moves that on every start after a stop, and the row would jump to the end
 * of the view. (An instance without interfaces listed — terminated — keeps its LaunchTime anyway.)
 */
function instanceCreated(i: any): number {
  const primary = (i.NetworkInterfaces ?? []).find((n: any) => n.Attachment?.DeviceIndex === 0);
  return time(primary?.Attachment?.AttachTime) || time(i.LaunchTime);
}

function instanceRow(i: any, region: string): InstanceRow {
  return {
    id: i.InstanceId,
    region,
    ...nameTag(i),
    state: i.State?.Name ?? "?",
    type: i.InstanceType,
    az: i.Placement?.AvailabilityZone ?? region,
    ...(i.PublicIpAddress ? { publicIp: i.PublicIpAddress } : {}),
    ...(i.PrivateIpAddress ? { privateIp: i.PrivateIpAddress } : {}),
    imageId: i.ImageId,
    ...(i.KeyName ? { keyName: i.KeyName } : {}),
    ...(i.RootDeviceType ? { rootDeviceType: i.RootDeviceType } : {}),
    launchTime: time(i.LaunchTime),
    created: instanceCreated(i),
    raw: i,
  };
}

function imageRow(img: any, region: string): ImageRow {
  return {
    id: img.ImageId,
    region,
    name: img.Name,
    state: img.State,
    ownerId: img.OwnerId,
    ...(img.ImageOwnerAlias ? { ownerAlias: img.ImageOwnerAlias } : {}),
    ...(img.SourceInstanceId ? { sourceInstanceId: img.SourceInstanceId } : {}),
    ...(img.SourceImageId ? { sourceImageId: img.SourceImageId, sourceRegion: img.SourceImageRegion } : {}),
    ...(img.CreationDate ? { creationDate: img.CreationDate } : {}),
    created: time(img.CreationDate),
    raw: img,
  };
}

export const KINDS: Record<ResourceKind, KindSpec> = {
  instances: {
    kind: "instances",
    noun: "instance",
    title: "Instances",
    names: ["instances", "ec2", "i", "ls"],
    prefix: "i-",
    action: "DescribeInstances",
    input: {},
    idFilter: "instance-id",
    items: (out) => (out.Reservations ?? []).flatMap((r: any) => r.Instances ?? []),
    row: instanceRow,
  },
  images: {
    kind: "images",
    noun: "image",
    title: "Images (yours)",
    names: ["images", "ami", "amis"],
    prefix: "ami-",
    action: "DescribeImages",
    input: { Owners: ["self"] },
    idFilter: "image-id",
    items: (out) => out.Images ?? [],
    row: imageRow,
  },
  volumes: {
    kind: "volumes",
    noun: "volume",
    title: "Volumes",
    names: ["volumes", "vol", "ebs"],
    prefix: "vol-",
    action: "DescribeVolumes",
    input: {},
    idFilter: "volume-id",
    items: (out) => out.Volumes ?? [],
    row: (v, region) => ({
      id: v.VolumeId,
      region,
      ...nameTag(v),
      state: v.State,
      created: time(v.CreateTime),
      raw: v,
    }),
  },
  snapshots: {
    kind: "snapshots",
    noun: "snapshot",
    title: "Snapshots (yours)",
    names: ["snapshots", "snap", "snaps"],
    prefix: "snap-",
    action: "DescribeSnapshots",
    input: { OwnerIds: ["self"] },
    idFilter: "snapshot-id",
    items: (out) => out.Snapshots ?? [],
    row: (s, region) => ({
      id: s.SnapshotId,
      region,
      ...nameTag(s),
      state: s.State,
      created: time(s.StartTime),
      raw: s,
    }),
  },
  securityGroups: {
    kind: "securityGroups",
    noun: "security group",
    title: "Security groups",
    names: ["sg", "securitygroups", "security-groups", "groups"],
    prefix: "sg-",
    action: "DescribeSecurityGroups",
    input: {},
    idFilter: "group-id",
    items: (out) => out.SecurityGroups ?? [],
    row: (g, region) => ({ id: g.GroupId, region, name: g.GroupName, created: 0, raw: g }),
  },
  keyPairs: {
    kind: "keyPairs",
    noun: "key pair",
    title: "Key pairs",
    names: ["keys", "keypairs", "key-pairs", "kp"],
    prefix: "key-",
    action: "DescribeKeyPairs",
    input: {},
    idFilter: "key-pair-id",
    items: (out) => out.KeyPairs ?? [],
    row: (k, region) => ({ id: k.KeyPairId, region, name: k.KeyName, created: time(k.CreateTime), raw: k }),
  },
  vpcs: {
    kind: "vpcs",
    noun: "VPC",
    title: "VPCs",
    names: ["vpcs", "vpc"],
    prefix: "vpc-",
    action: "DescribeVpcs",
    input: {},
    idFilter: "vpc-id",
    items: (out) => out.Vpcs ?? [],
    row: (v, region) => ({ id: v.VpcId, region, ...nameTag(v), state: v.State, created: 0, raw: v }),
  },
  subnets: {
    kind: "subnets",
    noun: "subnet",
    title: "Subnets",
    names: ["subnets", "subnet"],
    prefix: "subnet-",
    action: "DescribeSubnets",
    input: {},
    idFilter: "subnet-id",
    items: (out) => out.Subnets ?? [],
    row: (s, region) => ({ id: s.SubnetId, region, ...nameTag(s), state: s.State, created: 0, raw: s }),
  },
};

export const KIND_LIST: ResourceKind[] = Object.keys(KINDS) as ResourceKind[];

/** The kind a view name (`ami`, `:vol`) opens, if any. */
export function kindNamed(name: string): ResourceKind | undefined {
  const n = name.replace(/^:/, "").toLowerCase();
  return KIND_LIST.find((k) => KINDS[k].names.includes(n));
}

/** The kind an ID belongs to (`i-…` → instances). */
export function kindOfId(id: string): ResourceKind | undefined {
  return KIND_LIST.find((k) => id.startsWith(KINDS[k].prefix));
}

export const RESOURCE_ID = /^(i|ami|vol|snap|sg|key|vpc|subnet)-[0-9a-f]{8,17}$/;
