/**
 * Instance types (R4): vCPUs, memory, network, architectures, instance store and price, from the
 * real DescribeInstanceTypes data in data/instance-types.json.
 */
import type { InstanceTypeInfo as Ec2InstanceTypeInfo } from "@aws-sdk/client-ec2";
import { INSTANCE_TYPE_OFFERINGS, INSTANCE_TYPES, regionByName } from "./catalog-data.ts";
import type { InstanceTypeInfo } from "./data-types.ts";
import { Ec2Error } from "./errors.ts";
import { compileFilters, type Filter, paginate } from "./filters.ts";
import type { Tx } from "./tx.ts";

export function requireInstanceType(name: string | undefined): InstanceTypeInfo {
  const t = name ? INSTANCE_TYPES.get(name) : undefined;
  if (!t) throw new Ec2Error("InvalidParameterValue", `Invalid value '${name}' for InstanceType.`);
  return t;
}

/** On-demand Linux price per hour of a type in a region (R4, R22). */
export function hourlyPrice(type: InstanceTypeInfo, region: string): number {
  return type.onDemandUsdPerHour * (regionByName(region)?.priceFactor ?? 1);
}

export function offeredIn(type: string, region: string): boolean {
  const list = INSTANCE_TYPE_OFFERINGS[region];
  return !list || list.includes(type);
}

const noTags = new Map<string, string>();

export function toEc2InstanceType(t: InstanceTypeInfo): Ec2InstanceTypeInfo {
  return {
    InstanceType: t.instanceType as never,
    CurrentGeneration: t.currentGeneration,
    FreeTierEligible: t.freeTierEligible,
    SupportedUsageClasses: t.supportedUsageClasses as never,
    SupportedRootDeviceTypes: t.supportedRootDeviceTypes,
    SupportedVirtualizationTypes: t.supportedVirtualizationTypes,
    BareMetal: t.bareMetal,
    ...(t.hypervisor ? { Hypervisor: t.hypervisor } : {}),
    ProcessorInfo: {
      SupportedArchitectures: t.architectures,
      ...(t.sustainedClockSpeedInGhz ? { SustainedClockSpeedInGhz: t.sustainedClockSpeedInGhz } : {}),
    },
    VCpuInfo: {
      DefaultVCpus: t.defaultVCpus,
      ...(t.defaultCores ? { DefaultCores: t.defaultCores } : {}),
      ...(t.defaultThreadsPerCore ? { DefaultThreadsPerCore: t.defaultThreadsPerCore } : {}),
    },
    MemoryInfo: { SizeInMiB: t.memoryMiB },
    InstanceStorageSupported: t.instanceStorageSupported,
    ...(t.instanceStorage
      ? {
          InstanceStorageInfo: {
            TotalSizeInGB: t.instanceStorage.totalSizeInGB,
            Disks: t.instanceStorage.disks.map((d) => ({ Count: d.count, SizeInGB: d.sizeInGB, Type: d.type })),
            NvmeSupport: t.instanceStorage.nvmeSupport as never,
          },
        }
      : {}),
    EbsInfo: {
      EbsOptimizedSupport: t.ebsOptimizedSupport as never,
      EncryptionSupport: (t.encryptionSupport ?? "supported") as never,
      NvmeSupport: t.hypervisor === "nitro" ? "required" : "unsupported",
    },
    NetworkInfo: {
      NetworkPerformance: t.networkPerformance,
      MaximumNetworkInterfaces: t.maximumNetworkInterfaces,
      Ipv4AddressesPerInterface: t.ipv4AddressesPerInterface,
      EnaSupport: t.enaSupport as never,
      Ipv6Supported: true,
      Ipv6AddressesPerInterface: t.ipv4AddressesPerInterface,
      MaximumNetworkCards: 1,
      DefaultNetworkCardIndex: 0,
    },
    ...(t.gpus?.length
      ? {
          GpuInfo: {
            Gpus: t.gpus.map((g) => ({
              Name: g.name,
              Manufacturer: g.manufacturer,
              Count: g.count,
              MemoryInfo: { SizeInMiB: g.memoryMiB },
            })),
          },
        }
      : {}),
    PlacementGroupInfo: { SupportedStrategies: ["cluster", "partition", "spread"] },
    HibernationSupported: !t.instanceType.startsWith("t4g") && t.memoryMiB <= 153600,
    BurstablePerformanceSupported: t.burstablePerformanceSupported,
    DedicatedHostsSupported: !t.burstablePerformanceSupported,
    AutoRecoverySupported: !t.instanceStorageSupported,
    SupportedBootModes: t.supportedBootModes,
  };
}

const typeFields = {
  "instance-type": (x: { t: InstanceTypeInfo }) => x.t.instanceType,
  "current-generation": (x: { t: InstanceTypeInfo }) => String(x.t.currentGeneration),
  "free-tier-eligible": (x: { t: InstanceTypeInfo }) => String(x.t.freeTierEligible),
  "processor-info.supported-architecture": (x: { t: InstanceTypeInfo }) => x.t.architectures,
  "vcpu-info.default-vcpus": (x: { t: InstanceTypeInfo }) => x.t.defaultVCpus,
  "memory-info.size-in-mib": (x: { t: InstanceTypeInfo }) => x.t.memoryMiB,
  "instance-storage-supported": (x: { t: InstanceTypeInfo }) => String(x.t.instanceStorageSupported),
  "instance-storage-info.total-size-in-gb": (x: { t: InstanceTypeInfo }) => x.t.instanceStorage?.totalSizeInGB,
  "burstable-performance-supported": (x: { t: InstanceTypeInfo }) => String(x.t.burstablePerformanceSupported),
  "supported-root-device-type": (x: { t: InstanceTypeInfo }) => x.t.supportedRootDeviceTypes,
  "supported-virtualization-type": (x: { t: InstanceTypeInfo }) => x.t.supportedVirtualizationTypes,
  "supported-boot-mode": (x: { t: InstanceTypeInfo }) => x.t.supportedBootModes,
  "network-info.network-performance": (x: { t: InstanceTypeInfo }) => x.t.networkPerformance,
  hypervisor: (x: { t: InstanceTypeInfo }) => x.t.hypervisor,
  "bare-metal": (x: { t: InstanceTypeInfo }) => String(x.t.bareMetal),
};

export const instanceTypeActions = {
  DescribeInstanceTypes(
    tx: Tx,
    input: { InstanceTypes?: string[]; Filters?: Filter[]; MaxResults?: number; NextToken?: string },
  ) {
    for (const n of input.InstanceTypes ?? []) {
      if (!INSTANCE_TYPES.has(n))
        throw new Ec2Error("InvalidInstanceType", `The following supplied instance types do not exist: [${n}]`);
    }
    const match = compileFilters<{ t: InstanceTypeInfo; tags: Map<string, string> }>(input.Filters, typeFields);
    const rows = [...INSTANCE_TYPES.values()]
      .filter(
        (t) =>
          offeredIn(t.instanceType, tx.ctx.region) &&
          (!input.InstanceTypes?.length || input.InstanceTypes.includes(t.instanceType)),
      )
      .map((t) => ({ t, tags: noTags }))
      .filter(match);
    const { page, nextToken } = paginate(rows, input, { min: 5, max: 100 }, "itypes");
    return { InstanceTypes: page.map((x) => toEc2InstanceType(x.t)), NextToken: nextToken };
  },
  DescribeInstanceTypeOfferings(
    tx: Tx,
    input: { LocationType?: string; Filters?: Filter[]; MaxResults?: number; NextToken?: string },
  ) {
    const region = regionByName(tx.ctx.region)!;
    const locType = input.LocationType ?? "region";
    const locations =
      locType === "region"
        ? [region.regionName]
        : locType === "availability-zone"
          ? region.zones.map((z) => z.zoneName)
          : region.zones.map((z) => z.zoneId);
    const rows = [...INSTANCE_TYPES.keys()]
      .filter((t) => offeredIn(t, tx.ctx.region))
      .flatMap((t) => locations.map((l) => ({ t, l, tags: noTags })));
    const match = compileFilters<{ t: string; l: string; tags: Map<string, string> }>(input.Filters, {
      "instance-type": (x) => x.t,
      location: (x) => x.l,
    });
    const { page, nextToken } = paginate(rows.filter(match), input, { min: 5, max: 1000 }, "offerings");
    return {
      InstanceTypeOfferings: page.map((x) => ({
        InstanceType: x.t as never,
        LocationType: locType as never,
        Location: x.l,
      })),
      NextToken: nextToken,
    };
  },
};

/**
 * The types that can boot an instance-store root (the previous generations: m1, m3, c3 …), as
 * families with an example — having instance storage (m5d, i3) is not enough.
 */
export function instanceStoreRootTypes(): string {
  const families = new Map<string, string>();
  for (const t of INSTANCE_TYPES.values())
    if (t.supportedRootDeviceTypes.includes("instance-store"))
      families.set(t.instanceType.split(".")[0]!, families.get(t.instanceType.split(".")[0]!) ?? t.instanceType);
  return [...families].map(([family, first]) => `${family}.* (e.g. ${first})`).join(", ");
}
