// Schemas of the instance-types family (data aws_ec2_instance_type, aws_ec2_instance_types,
// aws_ec2_instance_type_offerings), matching hashicorp/aws 6.x: names, types and computed-ness as
// its data sources declare them (SDK data sources: computed nested objects are attributes).
import {
  attr,
  bool,
  type DataSourceSchema,
  filterBlock,
  list,
  num,
  obj,
  set,
  str,
  strList,
  strSet,
} from "../framework/schema.ts";

const accelerator = obj({ count: "number", manufacturer: "string", memory_size: "number", name: "string" });
const c = (names: readonly string[], make: (flags: string) => ReturnType<typeof str>) =>
  Object.fromEntries(names.map((n) => [n, make("c")]));

export const data_aws_ec2_instance_type: DataSourceSchema = {
  version: 0,
  timeouts: { read: "20m" },
  block: {
    attributes: {
      ...c(
        [
          "auto_recovery_supported",
          "bare_metal",
          "burstable_performance_supported",
          "current_generation",
          "dedicated_hosts_supported",
          "efa_supported",
          "ena_srd_supported",
          "encryption_in_transit_supported",
          "free_tier_eligible",
          "hibernation_supported",
          "instance_storage_supported",
          "ipv6_supported",
        ],
        bool,
      ),
      ...c(
        [
          "default_cores",
          "default_network_card_index",
          "default_threads_per_core",
          "default_vcpus",
          "ebs_performance_baseline_bandwidth",
          "ebs_performance_baseline_iops",
          "ebs_performance_baseline_throughput",
          "ebs_performance_maximum_bandwidth",
          "ebs_performance_maximum_iops",
          "ebs_performance_maximum_throughput",
          "efa_maximum_interfaces",
          "maximum_ipv4_addresses_per_interface",
          "maximum_ipv6_addresses_per_interface",
          "maximum_network_cards",
          "maximum_network_interfaces",
          "memory_size",
          "sustained_clock_speed",
          "total_fpga_memory",
          "total_gpu_memory",
          "total_inference_memory",
          "total_instance_storage",
          "total_media_memory",
          "total_neuron_device_memory",
        ],
        num,
      ),
      ...c(
        [
          "ebs_encryption_support",
          "ebs_nvme_support",
          "ebs_optimized_support",
          "ena_support",
          "hypervisor",
          "network_performance",
          "nitro_enclaves_support",
          "nitro_tpm_support",
          "phc_support",
        ],
        str,
      ),
      ...c(["bandwidth_weightings", "boot_modes", "nitro_tpm_supported_versions", "supported_cpu_features"], strSet),
      ...c(
        [
          "supported_architectures",
          "supported_placement_strategies",
          "supported_root_device_types",
          "supported_usages_classes",
          "supported_virtualization_types",
        ],
        strList,
      ),
      fpgas: attr(set(accelerator), "c"),
      gpus: attr(set(accelerator), "c"),
      id: str("oc"),
      inference_accelerators: attr(set(accelerator), "c"),
      instance_disks: attr(set(obj({ count: "number", size: "number", type: "string" })), "c"),
      instance_type: str("r"),
      media_accelerators: attr(set(accelerator), "c"),
      network_cards: attr(
        set(
          obj({
            baseline_bandwidth: "number",
            index: "number",
            maximum_interfaces: "number",
            peak_bandwidth: "number",
            performance: "string",
          }),
        ),
        "c",
      ),
      neuron_devices: attr(
        set(
          obj({ core_count: "number", core_version: "number", count: "number", memory_size: "number", name: "string" }),
        ),
        "c",
      ),
      region: str("oc"),
      valid_cores: attr(list("number"), "c"),
      valid_threads_per_core: attr(list("number"), "c"),
    },
  },
};

export const data_aws_ec2_instance_types: DataSourceSchema = {
  version: 0,
  timeouts: { read: "20m" },
  block: {
    attributes: { id: str("oc"), instance_types: strList("c"), region: str("oc") },
    blocks: { filter: filterBlock() },
  },
};

export const data_aws_ec2_instance_type_offerings: DataSourceSchema = {
  version: 0,
  timeouts: { read: "20m" },
  block: {
    attributes: {
      id: str("oc"),
      instance_types: strList("c"),
      location_type: str("o", { oneOf: ["availability-zone", "availability-zone-id", "outpost", "region"] }),
      location_types: strList("c"),
      locations: strList("c"),
      region: str("oc"),
    },
    blocks: { filter: filterBlock() },
  },
};
