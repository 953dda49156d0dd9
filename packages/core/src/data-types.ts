/**
 * Shapes of the catalog data files in packages/core/data (real AWS data, derived by the scripts in
 * packages/core/scripts). Field names follow EC2's API where the API has the field.
 */

export type Architecture = "i386" | "x86_64" | "arm64";

export interface ZoneInfo {
  /** e.g. `us-east-1a` */
  zoneName: string;
  /** e.g. `use1-az6` — the account-independent zone ID. */
  zoneId: string;
}

export interface RegionInfo {
  /** e.g. `us-east-1` */
  regionName: string;
  /** `opt-in-not-required` for the default regions, `not-opted-in` for opt-in ones. */
  optInStatus: "opt-in-not-required" | "opted-in" | "not-opted-in";
  /** e.g. `ec2.us-east-1.amazonaws.com` */
  endpoint: string;
  zones: ZoneInfo[];
  /** On-demand prices in this region relative to us-east-1 (1.0 there). */
  priceFactor: number;
}

export interface InstanceStorageDisk {
  count: number;
  sizeInGB: number;
  type: "ssd" | "hdd";
}

export interface InstanceTypeInfo {
  instanceType: string;
  currentGeneration: boolean;
  freeTierEligible: boolean;
  supportedUsageClasses: string[];
  supportedRootDeviceTypes: ("ebs" | "instance-store")[];
  supportedVirtualizationTypes: ("hvm" | "paravirtual")[];
  bareMetal: boolean;
  hypervisor?: "nitro" | "xen";
  architectures: Architecture[];
  sustainedClockSpeedInGhz?: number;
  defaultVCpus: number;
  defaultCores?: number;
  defaultThreadsPerCore?: number;
  memoryMiB: number;
  instanceStorageSupported: boolean;
  instanceStorage?: { totalSizeInGB: number; disks: InstanceStorageDisk[]; nvmeSupport: string };
  ebsOptimizedSupport: string;
  encryptionSupport?: string;
  networkPerformance: string;
  maximumNetworkInterfaces: number;
  ipv4AddressesPerInterface: number;
  enaSupport: string;
  gpus?: { name: string; manufacturer: string; count: number; memoryMiB: number }[];
  burstablePerformanceSupported: boolean;
  supportedBootModes: ("legacy-bios" | "uefi")[];
  /** Linux on-demand USD per hour in us-east-1. */
  onDemandUsdPerHour: number;
}

export type GuestFamily = "amazon-linux" | "debian" | "rhel" | "suse" | "windows";

/** One package a distribution's repository offers (what `dnf/yum/apt install NAME` gets). */
export interface RepoPackage {
  name: string;
  version: string;
  sizeKiB: number;
  /** Files the package puts on disk (path -> content); binaries are short placeholder text. */
  files?: Record<string, string>;
  /** systemd units the package ships (e.g. `nginx` for nginx). */
  services?: string[];
  /** Other packages it pulls in. */
  requires?: string[];
}

/** What a distribution looks like inside: the guest model's starting point. */
export interface GuestBase {
  family: GuestFamily;
  /** `dnf`, `yum`, `apt`, `zypper` (SUSE) or `none` (Windows). */
  packageManager: "dnf" | "yum" | "apt" | "zypper" | "none";
  /** The login user: `ec2-user`, `ubuntu`, `admin`, `Administrator`. */
  defaultUser: string;
  /** Used size of the root file system in GiB (what the root snapshot holds). */
  usedGiB: number;
  /** Packages installed out of the box: name -> version. */
  packages: Record<string, string>;
  /** systemd units enabled out of the box. */
  enabledServices: string[];
  /** Files present out of the box beyond the packages' (e.g. /etc/os-release): path -> content. */
  files: Record<string, string>;
  /** Key of the repository in data/package-repos.json this distribution installs from. */
  repository: string;
  /** Where the packaged web servers serve from (e.g. `/usr/share/nginx/html`). */
  webRoot: string;
}

export interface CatalogImage {
  /** e.g. `al2023-ami-2023.6.20241212.0-kernel-6.1-x86_64` */
  name: string;
  description: string;
  ownerId: string;
  /** `amazon`, `aws-marketplace`, or absent for community images. */
  ownerAlias?: string;
  /** `amazon/al2023-ami-...` or `099720109477/ubuntu/images/...` */
  imageLocation: string;
  architecture: Architecture;
  /** `windows` for Windows; absent for Linux. */
  platform?: "windows";
  /** e.g. `Linux/UNIX`, `Red Hat Enterprise Linux`, `Windows` */
  platformDetails: string;
  /** e.g. `RunInstances`, `RunInstances:0010` (RHEL), `RunInstances:0002` (Windows) */
  usageOperation: string;
  rootDeviceName: string;
  rootDeviceType: "ebs" | "instance-store";
  virtualizationType: "hvm" | "paravirtual";
  bootMode?: "legacy-bios" | "uefi" | "uefi-preferred";
  enaSupport: boolean;
  sriovNetSupport?: "simple";
  imdsSupport?: "v2.0";
  /** Root volume size in GiB and type in the block device mapping. */
  rootVolumeSizeGiB: number;
  rootVolumeType: "gp2" | "gp3" | "standard";
  /** ISO-8601, as EC2 prints CreationDate. */
  creationDate: string;
  deprecationTime?: string;
  /** Marketplace: product codes and the hourly software charge. */
  productCodes?: { productCodeId: string; productCodeType: "marketplace" | "devpay" }[];
  softwareUsdPerHour?: number;
  /** Which catalog the console lists it in. */
  catalog: "quick-start" | "marketplace" | "community";
  /** Key into data/guest-bases.json. */
  guest: string;
  /** Optional marketplace/community extras (R26): a getting-started text, launch parameters. */
  gettingStarted?: string;
  parameters?: { name: string; description: string; default?: string }[];
  /** Regions the image is offered in; absent = every region. */
  regions?: string[];
}

/** Storage prices per GB-month in us-east-1 (scaled by the region's priceFactor). */
export interface StoragePrices {
  ebs: Record<"gp2" | "gp3" | "io1" | "io2" | "st1" | "sc1" | "standard", number>;
  snapshot: number;
  s3Standard: number;
  /** Public IPv4 address, USD per hour (AWS charges for every public IPv4 since 2024). */
  publicIpv4PerHour: number;
  /** NAT gateway: USD per hour it exists (each partial hour billed as a full one), and per GB it processes. */
  natGatewayPerHour: number;
  natGatewayPerGb: number;
}
