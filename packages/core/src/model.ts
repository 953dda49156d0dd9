/**
 * The entities a sandbox holds, one family per block. Field names follow EC2's API (camelCase here,
 * PascalCase on the wire); times are simulated epoch milliseconds.
 */
import type { Architecture } from "./data-types.ts";
import type { Taggable } from "./filters.ts";
import type { BlockSet, FsLayer } from "./guest/fs.ts";

export type Tags = Map<string, string>;

// ── accounts, VPCs, subnets ───────────────────────────────────────────────────────────────────
export interface Account {
  accountId: string;
  alias?: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** AWS Organizations membership (R7 launch permissions by organization or OU). */
  organizationArn?: string;
  ouArn?: string;
  /** The public IP the account's user connects from (R19 SSH checks). */
  callerIp: string;
}

export interface Vpc extends Taggable {
  vpcId: string;
  ownerId: string;
  region: string;
  cidrBlock: string;
  isDefault: boolean;
  state: "available";
  instanceTenancy: "default" | "dedicated";
  enableDnsSupport: boolean;
  enableDnsHostnames: boolean;
  enableNetworkAddressUsageMetrics: boolean;
  /** Made with the VPC and deleted with it; neither can be deleted on its own (R31). */
  defaultSecurityGroupId: string;
  defaultNetworkAclId: string;
}

export interface Subnet extends Taggable {
  subnetId: string;
  vpcId: string;
  ownerId: string;
  region: string;
  availabilityZone: string;
  availabilityZoneId: string;
  cidrBlock: string;
  defaultForAz: boolean;
  mapPublicIpOnLaunch: boolean;
  /** Host numbers (offsets from the network address) that interfaces hold (R27). */
  usedHosts: Set<number>;
  /** Where the next automatic address search starts (addresses are handed out in order, then reused). */
  nextHost: number;
  privateDnsHostnameType: "ip-name" | "resource-name";
  enableResourceNameDnsARecord: boolean;
}

// ── internet gateways, route tables, network ACLs ─────────────────────────────────────────────
export interface InternetGateway extends Taggable {
  internetGatewayId: string;
  ownerId: string;
  region: string;
  /** The VPC it is attached to (one at most, and a VPC has one at most). */
  vpcId?: string;
}

/** One route: "local" for the VPC's own block, else exactly one target. */
export interface Route {
  destinationCidrBlock: string;
  /** `local` or an internet gateway. */
  gatewayId?: string;
  natGatewayId?: string;
  networkInterfaceId?: string;
  instanceId?: string;
  origin: "CreateRouteTable" | "CreateRoute";
}

export interface RouteTableAssociation {
  associationId: string;
  /** Absent for the main association (the table every subnet without one of its own uses). */
  subnetId?: string;
  main: boolean;
}

export interface RouteTable extends Taggable {
  routeTableId: string;
  vpcId: string;
  ownerId: string;
  region: string;
  /** The local route first, then in the order they were created. */
  routes: Route[];
  associations: RouteTableAssociation[];
}

/** The default network ACL of a VPC (allow everything both ways); custom ACLs are not modelled. */
export interface NetworkAcl extends Taggable {
  networkAclId: string;
  vpcId: string;
  ownerId: string;
  region: string;
}

// ── NAT gateways ──────────────────────────────────────────────────────────────────────────────
export type NatGatewayState = "pending" | "available" | "deleting" | "deleted" | "failed";

export interface NatGateway extends Taggable {
  natGatewayId: string;
  ownerId: string;
  region: string;
  subnetId: string;
  vpcId: string;
  connectivityType: "public" | "private";
  /** The Elastic IP of a public NAT gateway, and its association with the gateway's interface. */
  allocationId?: string;
  associationId?: string;
  privateIp: string;
  /** Its requester-managed interface in the subnet. */
  networkInterfaceId: string;
  state: NatGatewayState;
  createTime: number;
  deleteTime?: number;
  /** When the current transition (pending → available, deleting → deleted) completes. */
  transitionAt?: number;
  failure?: { code: string; message: string };
  /** Bytes it processed (billed per GB). */
  bytesProcessed: number;
}

// ── launch templates (R32) ────────────────────────────────────────────────────────────────────
/** Launch parameters as a launch template holds them: RequestLaunchTemplateData, as plain JSON. */
export type LaunchTemplateData = Record<string, unknown>;

export interface LaunchTemplateVersion {
  versionNumber: number;
  description?: string;
  data: LaunchTemplateData;
  createTime: number;
  createdBy: string;
}

export interface LaunchTemplate extends Taggable {
  launchTemplateId: string;
  launchTemplateName: string;
  ownerId: string;
  region: string;
  createTime: number;
  createdBy: string;
  defaultVersion: number;
  latestVersion: number;
  /** Numbered, immutable versions (deleted ones are gone from the map). */
  versions: Map<number, LaunchTemplateVersion>;
}

// ── security groups, key pairs ────────────────────────────────────────────────────────────────
export interface SecurityGroupRule {
  ruleId: string;
  groupId: string;
  isEgress: boolean;
  ipProtocol: string; // "tcp" | "udp" | "icmp" | "-1" | number as text
  fromPort?: number;
  toPort?: number;
  cidrIpv4?: string;
  cidrIpv6?: string;
  referencedGroupId?: string;
  description?: string;
  tags: Tags;
}

export interface SecurityGroup extends Taggable {
  groupId: string;
  groupName: string;
  description: string;
  ownerId: string;
  region: string;
  vpcId: string;
  rules: Map<string, SecurityGroupRule>;
}

export interface KeyPair extends Taggable {
  keyPairId: string;
  keyName: string;
  ownerId: string;
  region: string;
  keyType: "rsa" | "ed25519";
  keyFingerprint: string;
  /** OpenSSH public key text; EC2 keeps only this (R18). */
  publicKey: string;
  createTime: number;
}

// ── machine facts: what an AMI fixes and an instance inherits (R5) ─────────────────────────────
export interface MachineFacts {
  architecture: Architecture;
  platform?: "windows";
  platformDetails: string;
  usageOperation: string;
  rootDeviceType: "ebs" | "instance-store";
  rootDeviceName: string;
  virtualizationType: "hvm" | "paravirtual";
  bootMode?: string;
  enaSupport: boolean;
}

/** The machine facts of an image or instance, to hand on to what is made from it. */
export const machineFacts = (x: MachineFacts): MachineFacts => ({
  architecture: x.architecture,
  platform: x.platform,
  platformDetails: x.platformDetails,
  usageOperation: x.usageOperation,
  rootDeviceType: x.rootDeviceType,
  rootDeviceName: x.rootDeviceName,
  virtualizationType: x.virtualizationType,
  bootMode: x.bootMode,
  enaSupport: x.enaSupport,
});

// ── images ────────────────────────────────────────────────────────────────────────────────────
export interface BlockDeviceMapping {
  deviceName: string;
  ebs?: {
    snapshotId?: string;
    volumeSize: number;
    volumeType: string;
    deleteOnTermination: boolean;
    encrypted: boolean;
    iops?: number;
    throughput?: number;
  };
  virtualName?: string;
  noDevice?: boolean;
}

export interface LaunchPermissions {
  userIds: Set<string>;
  organizationArns: Set<string>;
  ouArns: Set<string>;
  public: boolean;
}

export type ImageState = "pending" | "available" | "failed" | "deregistered" | "disabled" | "invalid";

export interface Image extends Taggable, MachineFacts {
  imageId: string;
  region: string;
  ownerId: string;
  ownerAlias?: string;
  name: string;
  description?: string;
  state: ImageState;
  stateReason?: { code: string; message: string };
  sriovNetSupport?: string;
  imdsSupport?: string;
  imageLocation?: string;
  kernelId?: string;
  ramdiskId?: string;
  creationDate: number;
  deprecationTime?: number;
  lastLaunchedTime?: number;
  blockDeviceMappings: BlockDeviceMapping[];
  productCodes: { productCodeId: string; productCodeType: string }[];
  launchPermissions: LaunchPermissions;
  deregistrationProtection: boolean;
  /** When the pending image becomes available (simulated ms). */
  availableAt?: number;
  /** Where it came from, for the lineage tree. */
  sourceInstanceId?: string;
  sourceImageId?: string;
  sourceRegion?: string;
  /** Which catalog lists it (catalog images only). */
  catalog?: "quick-start" | "marketplace" | "community";
  /** Key into the guest bases: what OS the image's root holds. */
  guest: string;
  softwareUsdPerHour?: number;
  /** Instance-store images: the bundle's root file system and its size in S3 (R10, R23). */
  bundle?: { layer: FsLayer; sizeBytes: number; usedBlocks: number; manifest: string };
  gettingStarted?: string;
  parameters?: { name: string; description: string; default?: string }[];
}

// ── volumes and snapshots ─────────────────────────────────────────────────────────────────────
export type VolumeState = "creating" | "available" | "in-use" | "deleting" | "deleted" | "error";

export interface VolumeAttachment {
  instanceId: string;
  device: string;
  state: "attaching" | "attached" | "detaching" | "detached";
  attachTime: number;
  deleteOnTermination: boolean;
}

export interface Volume extends Taggable {
  volumeId: string;
  region: string;
  availabilityZone: string;
  ownerId: string;
  size: number;
  volumeType: string;
  iops?: number;
  throughput?: number;
  encrypted: boolean;
  snapshotId?: string;
  state: VolumeState;
  createTime: number;
  attachment?: VolumeAttachment;
  /** The file system the volume holds (its top layer is writable). */
  fs: FsLayer;
  /** Blocks in use (the OS plus what was written). */
  usedBlocks: BlockSet;
  /** Blocks written since the last snapshot of this volume's lineage. */
  dirty: BlockSet;
  /** The snapshot the next snapshot is incremental against (same owner and region only). */
  lineageSnapshotId?: string;
  nextBlock: number;
  /** R17: blocks not yet fetched from the source snapshot until this time. */
  lazyLoadedUntil?: number;
  availableAt?: number;
  modification?: {
    state: "modifying" | "optimizing" | "completed";
    originalSize: number;
    targetSize: number;
    originalVolumeType: string;
    targetVolumeType: string;
    startTime: number;
    doneAt: number;
  };
  /** Billing: intervals during which the volume existed (ms). */
  billedFrom: number;
  deletedAt?: number;
  /** Guest OS key of the file system it holds, when it is a root volume. */
  guest?: string;
}

/** What the bill reads of a volume (billing.ts): all that is kept of one once it is deleted. */
export type BilledVolume = Pick<
  Volume,
  "volumeId" | "region" | "ownerId" | "size" | "volumeType" | "createTime" | "deletedAt" | "tags"
>;

export type SnapshotState = "pending" | "completed" | "error";

export interface Snapshot extends Taggable {
  snapshotId: string;
  region: string;
  ownerId: string;
  ownerAlias?: string;
  volumeId: string;
  volumeSize: number;
  description?: string;
  state: SnapshotState;
  startTime: number;
  completedAt?: number;
  encrypted: boolean;
  layer: FsLayer;
  /** All blocks the snapshot's point-in-time view holds, and the blocks it stores itself (R23). */
  blocks: BlockSet;
  storedBlocks: BlockSet;
  /** The snapshot it is incremental against. */
  parentSnapshotId?: string;
  guest?: string;
  createVolumePermissions: Set<string>;
  deletedAt?: number;
  /** Copies: where from. */
  sourceSnapshotId?: string;
  sourceRegion?: string;
}

/**
 * What the bill reads of a snapshot: all that is kept of one once it is deleted — the number of
 * blocks it stores, not the blocks (nor its file layer).
 */
export type BilledSnapshot = Pick<
  Snapshot,
  "snapshotId" | "region" | "ownerId" | "startTime" | "deletedAt" | "parentSnapshotId" | "tags"
> & { storedBlockCount: number };

// ── instances ─────────────────────────────────────────────────────────────────────────────────
export type InstanceStateName = "pending" | "running" | "shutting-down" | "terminated" | "stopping" | "stopped";

export const STATE_CODE: Record<InstanceStateName, number> = {
  pending: 0,
  running: 16,
  "shutting-down": 32,
  terminated: 48,
  stopping: 64,
  stopped: 80,
};

export interface InstanceStoreVolume {
  virtualName: string;
  deviceName: string;
  sizeGiB: number;
  mountPoint: string;
  fs: FsLayer;
}

export interface Instance extends Taggable, MachineFacts {
  instanceId: string;
  reservationId: string;
  region: string;
  ownerId: string;
  availabilityZone: string;
  subnetId: string;
  vpcId: string;
  imageId: string;
  instanceType: string;
  keyName?: string;
  /** The groups of its primary interface (R30: groups belong to interfaces). */
  securityGroupIds: string[];
  state: InstanceStateName;
  stateTransitionReason: string;
  stateReason?: { code: string; message: string };
  /** When the current transition (pending, stopping, shutting-down) completes. */
  transitionAt?: number;
  /** When it last went pending (RunInstances, then each start after a stop): LaunchTime. */
  launchTime: number;
  /**
   * When its own primary interface was attached: at launch, kept across stop and start (EC2 keeps
   * the attachment; only LaunchTime moves).
   */
  primaryAttachTime: number;
  amiLaunchIndex: number;
  privateIpAddress: string;
  publicIpAddress?: string;
  ebsOptimized: boolean;
  /** EBS volumes attached, by device. */
  blockDevices: { deviceName: string; volumeId: string; deleteOnTermination: boolean; attachTime: number }[];
  instanceStores: InstanceStoreVolume[];
  /** Instance-store-backed root: the file system lives here, not on a volume. */
  ephemeralRoot?: { fs: FsLayer; usedBlocks: number };
  userData?: string;
  kernelId?: string;
  ramdiskId?: string;
  disableApiTermination: boolean;
  disableApiStop: boolean;
  instanceInitiatedShutdownBehavior: "stop" | "terminate";
  sourceDestCheck: boolean;
  monitoring: "disabled" | "enabled";
  clientToken?: string;
  productCodes: { productCodeId: string; productCodeType: string }[];
  softwareUsdPerHour: number;
  creditSpecification?: "standard" | "unlimited";
  metadataOptions: {
    httpTokens: "optional" | "required";
    httpEndpoint: "enabled" | "disabled";
    httpPutResponseHopLimit: number;
  };
  /** The instance profile associated with it (R33), as EC2 records it: ARN and ID at association. */
  iamInstanceProfile?: IamInstanceProfileAssociation;
  /** A Spot Instance: its request (spot.ts). */
  spot?: SpotRequest;
  /** The guest at run time (what does not live on disk). */
  guest: { os: string; hostname: string; running: Set<string>; bootCount: number };
  /** Billing periods: each start opens one (R22). */
  runs: { start: number; end?: number; instanceType: string; publicIp: boolean }[];
  terminatedAt?: number;
  /** When a terminated instance stops being listed (R13). */
  forgetAt?: number;
  /**
   * Its own primary interface (R30) lives in the instance — subnet, private IP, groups and
   * source/dest check are the fields above — with these extras once any is set. Absent when the
   * primary interface is a network interface of its own (`primaryEniId`).
   */
  eni?: PrimaryInterfaceExtras;
  /** A network interface of its own attached at device index 0 (launched with an existing interface). */
  primaryEniId?: string;
  /** Its primary interface takes an auto-assigned public IPv4 at each start (as it did at launch, R28). */
  autoPublicIp?: boolean;
  /** Network interfaces of their own attached to it (device index 0 included when `primaryEniId`). */
  attachedEnis?: string[];
}

/**
 * What the bill reads of an instance (billing.ts): all that is kept of one once it is forgotten —
 * no file layers, interfaces or block devices (the full record, its deleted root volume and that
 * volume's layer were ~2 KB of snapshot JSON per instance; bench/store/RESULTS.md).
 */
export type BilledInstance = Pick<
  Instance,
  "instanceId" | "region" | "ownerId" | "runs" | "softwareUsdPerHour" | "tags"
> & {
  productCodes: { productCodeId: string }[];
  spot?: { hourlyPrice: number };
};

export interface PrimaryInterfaceExtras {
  description?: string;
  secondaryPrivateIps?: string[];
  /** DeleteOnTermination of the primary interface (true unless the launch said otherwise). */
  keepOnTermination?: boolean;
  tags?: Tags;
}

// ── network interfaces ────────────────────────────────────────────────────────────────────────
export interface NetworkInterfaceAttachment {
  attachmentId: string;
  instanceId: string;
  deviceIndex: number;
  deleteOnTermination: boolean;
  attachTime: number;
}

/** A network interface of its own (CreateNetworkInterface, a launch's extra interfaces, a NAT gateway's). */
export interface NetworkInterface extends Taggable {
  networkInterfaceId: string;
  ownerId: string;
  region: string;
  subnetId: string;
  vpcId: string;
  availabilityZone: string;
  description: string;
  privateIpAddress: string;
  secondaryPrivateIps: string[];
  groupIds: string[];
  sourceDestCheck: boolean;
  interfaceType: "interface" | "nat_gateway";
  /** Made and managed by AWS for a service (a NAT gateway): the user cannot detach or delete it. */
  requesterManaged: boolean;
  attachment?: NetworkInterfaceAttachment;
}

/** What a Spot launch records on the instance (its request, fulfilled by the launch). */
export interface SpotRequest {
  requestId: string;
  spotInstanceType: "one-time" | "persistent";
  interruptionBehavior: "terminate" | "stop" | "hibernate";
  /** The request's maximum price (USD/hour, as given), if any. */
  maxPrice?: string;
  validUntil?: number;
  /** What the instance is charged per hour (see the module comment). */
  hourlyPrice: number;
  createTime: number;
  cancelledAt?: number;
  /** Made by RequestSpotInstances (not a RunInstances Spot launch): what that request also carries. */
  launchGroup?: string;
  availabilityZoneGroup?: string;
  validFrom?: number;
  /** The request's own tags (`sir-…` is taggable); folded in empty, filled by TagsCreated. */
  tags?: Tags;
}

export interface IamInstanceProfileAssociation {
  associationId: string;
  arn: string;
  id: string;
  /** When it was associated (simulated ms): the instance's role credentials rotate from here. */
  since: number;
}

// ── Elastic IPs ───────────────────────────────────────────────────────────────────────────────
export interface Address extends Taggable {
  allocationId: string;
  publicIp: string;
  region: string;
  ownerId: string;
  domain: "vpc";
  /** The instance the interface it is associated with is attached to, if any. */
  instanceId?: string;
  /** The interface and private address it is associated with (R30). */
  networkInterfaceId?: string;
  associationId?: string;
  privateIpAddress?: string;
  allocatedAt: number;
  releasedAt?: number;
  networkBorderGroup: string;
}

// ── image builder (R24) ───────────────────────────────────────────────────────────────────────
export interface ImageRecipe {
  arn: string;
  name: string;
  version: string;
  ownerId: string;
  region: string;
  parentImage: string;
  components: { name: string; commands: string[] }[];
}

export interface ImagePipeline {
  arn: string;
  name: string;
  ownerId: string;
  region: string;
  recipeArn: string;
  instanceType: string;
  /** Every AMI the pipeline built, oldest first, with its version. */
  builds: { version: string; imageId: string; at: number }[];
  /** The version launches should use now (rollback moves it back). */
  currentVersion?: string;
}
