// Data sources of the instance-types family: aws_ec2_instance_type (one type's facts from
// DescribeInstanceTypes), aws_ec2_instance_types and aws_ec2_instance_type_offerings (lists, paged).
import type { InstanceTypeInfo } from "@aws-sdk/client-ec2";
import type { DataSourceImpl } from "../framework/provider.ts";
import {
  data_aws_ec2_instance_type,
  data_aws_ec2_instance_type_offerings,
  data_aws_ec2_instance_types,
} from "../schemas/instance-types.ts";
import { buildFilters, NotFoundError, s } from "./common.ts";

const mem = (m?: { SizeInMiB?: number }) => m?.SizeInMiB ?? 0;

function flattenInstanceType(v: InstanceTypeInfo) {
  const ebs = v.EbsInfo?.EbsOptimizedInfo;
  const net = v.NetworkInfo;
  const acc = (l?: { Count?: number; Manufacturer?: string; MemoryInfo?: { SizeInMiB?: number }; Name?: string }[]) =>
    (l ?? []).map((x) => ({
      count: x.Count ?? 0,
      manufacturer: x.Manufacturer ?? "",
      memory_size: mem(x.MemoryInfo),
      name: x.Name ?? "",
    }));
  return {
    id: v.InstanceType,
    auto_recovery_supported: v.AutoRecoverySupported ?? false,
    bandwidth_weightings: net?.BandwidthWeightings ?? [],
    bare_metal: v.BareMetal ?? false,
    boot_modes: v.SupportedBootModes ?? [],
    burstable_performance_supported: v.BurstablePerformanceSupported ?? false,
    current_generation: v.CurrentGeneration ?? false,
    dedicated_hosts_supported: v.DedicatedHostsSupported ?? false,
    default_cores: v.VCpuInfo?.DefaultCores ?? 0,
    default_network_card_index: net?.DefaultNetworkCardIndex ?? 0,
    default_threads_per_core: v.VCpuInfo?.DefaultThreadsPerCore ?? 0,
    default_vcpus: v.VCpuInfo?.DefaultVCpus ?? 0,
    ebs_encryption_support: v.EbsInfo?.EncryptionSupport ?? "",
    ebs_nvme_support: v.EbsInfo?.NvmeSupport ?? "",
    ebs_optimized_support: v.EbsInfo?.EbsOptimizedSupport ?? "",
    ebs_performance_baseline_bandwidth: ebs?.BaselineBandwidthInMbps ?? 0,
    ebs_performance_baseline_iops: ebs?.BaselineIops ?? 0,
    ebs_performance_baseline_throughput: ebs?.BaselineThroughputInMBps ?? 0,
    ebs_performance_maximum_bandwidth: ebs?.MaximumBandwidthInMbps ?? 0,
    ebs_performance_maximum_iops: ebs?.MaximumIops ?? 0,
    ebs_performance_maximum_throughput: ebs?.MaximumThroughputInMBps ?? 0,
    efa_maximum_interfaces: net?.EfaInfo?.MaximumEfaInterfaces ?? 0,
    efa_supported: net?.EfaSupported ?? false,
    ena_srd_supported: net?.EnaSrdSupported ?? false,
    ena_support: net?.EnaSupport ?? "",
    encryption_in_transit_supported: net?.EncryptionInTransitSupported ?? false,
    fpgas: acc(v.FpgaInfo?.Fpgas),
    free_tier_eligible: v.FreeTierEligible ?? false,
    gpus: acc(v.GpuInfo?.Gpus),
    hibernation_supported: v.HibernationSupported ?? false,
    hypervisor: v.Hypervisor ?? "",
    inference_accelerators: acc(v.InferenceAcceleratorInfo?.Accelerators),
    instance_disks: (v.InstanceStorageInfo?.Disks ?? []).map((d) => ({
      count: d.Count ?? 0,
      size: d.SizeInGB ?? 0,
      type: d.Type ?? "",
    })),
    instance_storage_supported: v.InstanceStorageSupported ?? false,
    instance_type: v.InstanceType,
    ipv6_supported: net?.Ipv6Supported ?? false,
    maximum_ipv4_addresses_per_interface: net?.Ipv4AddressesPerInterface ?? 0,
    maximum_ipv6_addresses_per_interface: net?.Ipv6AddressesPerInterface ?? 0,
    maximum_network_cards: net?.MaximumNetworkCards ?? 0,
    maximum_network_interfaces: net?.MaximumNetworkInterfaces ?? 0,
    media_accelerators: acc(v.MediaAcceleratorInfo?.Accelerators),
    memory_size: mem(v.MemoryInfo),
    network_cards: (net?.NetworkCards ?? []).map((n) => ({
      baseline_bandwidth: n.BaselineBandwidthInGbps ?? 0,
      index: n.NetworkCardIndex ?? 0,
      maximum_interfaces: n.MaximumNetworkInterfaces ?? 0,
      peak_bandwidth: n.PeakBandwidthInGbps ?? 0,
      performance: n.NetworkPerformance ?? "",
    })),
    network_performance: net?.NetworkPerformance ?? "",
    neuron_devices: (v.NeuronInfo?.NeuronDevices ?? []).map((d) => ({
      core_count: d.CoreInfo?.Count ?? 0,
      core_version: d.CoreInfo?.Version ?? 0,
      count: d.Count ?? 0,
      memory_size: mem(d.MemoryInfo),
      name: d.Name ?? "",
    })),
    nitro_enclaves_support: v.NitroEnclavesSupport ?? "",
    nitro_tpm_support: v.NitroTpmSupport ?? "",
    nitro_tpm_supported_versions: v.NitroTpmInfo?.SupportedVersions ?? [],
    phc_support: v.PhcSupport ?? "",
    supported_architectures: v.ProcessorInfo?.SupportedArchitectures ?? [],
    supported_cpu_features: v.ProcessorInfo?.SupportedFeatures ?? [],
    supported_placement_strategies: v.PlacementGroupInfo?.SupportedStrategies ?? [],
    supported_root_device_types: v.SupportedRootDeviceTypes ?? [],
    supported_usages_classes: v.SupportedUsageClasses ?? [],
    supported_virtualization_types: v.SupportedVirtualizationTypes ?? [],
    sustained_clock_speed: v.ProcessorInfo?.SustainedClockSpeedInGhz ?? 0,
    total_fpga_memory: v.FpgaInfo?.TotalFpgaMemoryInMiB ?? 0,
    total_gpu_memory: v.GpuInfo?.TotalGpuMemoryInMiB ?? 0,
    total_inference_memory: v.InferenceAcceleratorInfo?.TotalInferenceMemoryInMiB ?? 0,
    total_instance_storage: v.InstanceStorageInfo?.TotalSizeInGB ?? 0,
    total_media_memory: v.MediaAcceleratorInfo?.TotalMediaMemoryInMiB ?? 0,
    total_neuron_device_memory: v.NeuronInfo?.TotalNeuronDeviceMemoryInMiB ?? 0,
    valid_cores: v.VCpuInfo?.ValidCores ?? [],
    valid_threads_per_core: v.VCpuInfo?.ValidThreadsPerCore ?? [],
  };
}

export const dataAwsEc2InstanceType: DataSourceImpl = {
  schema: data_aws_ec2_instance_type,
  title: "EC2 Instance Type",
  async read(ctx, config) {
    const ec2 = await ctx.ec2();
    const name = String(config.instance_type);
    const v = (await ec2.describeInstanceTypes({ InstanceTypes: [name as never] })).InstanceTypes?.[0];
    if (!v) throw new NotFoundError(`no EC2 Instance Type (${name}) found`);
    return flattenInstanceType(v);
  },
};

export const dataAwsEc2InstanceTypes: DataSourceImpl = {
  schema: data_aws_ec2_instance_types,
  title: "EC2 Instance Types",
  async read(ctx, config) {
    const ec2 = await ctx.ec2();
    const types: string[] = [];
    let token: string | undefined;
    do {
      const out = await ec2.describeInstanceTypes({ Filters: buildFilters(config), MaxResults: 100, NextToken: token });
      for (const t of out.InstanceTypes ?? []) if (t.InstanceType) types.push(t.InstanceType);
      token = out.NextToken;
    } while (token);
    return { id: ctx.region, instance_types: types };
  },
};

export const dataAwsEc2InstanceTypeOfferings: DataSourceImpl = {
  schema: data_aws_ec2_instance_type_offerings,
  title: "EC2 Instance Type Offerings",
  async read(ctx, config) {
    const ec2 = await ctx.ec2();
    const types: string[] = [];
    const locations: string[] = [];
    const locationTypes: string[] = [];
    let token: string | undefined;
    do {
      const out = await ec2.describeInstanceTypeOfferings({
        LocationType: s(config.location_type) as never,
        Filters: buildFilters(config),
        NextToken: token,
      });
      for (const o of out.InstanceTypeOfferings ?? []) {
        types.push(o.InstanceType ?? "");
        locations.push(o.Location ?? "");
        locationTypes.push(o.LocationType ?? "");
      }
      token = out.NextToken;
    } while (token);
    return { id: ctx.region, instance_types: types, locations, location_types: locationTypes };
  },
};
