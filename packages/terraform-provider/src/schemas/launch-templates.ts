// Schemas of the launch-template family (aws_launch_template, data aws_launch_template), matching
// hashicorp/aws 6.25.0: names, types, nesting and computed-ness as `terraform providers schema -json`
// reports them; ForceNew and defaults as its resource code declares. Several booleans of a template
// are "nullable bools" in hashicorp/aws: strings "true"/"false", "" when unset.
import {
  attr,
  type Block,
  bool,
  type CtyType,
  type DataSourceSchema,
  filterBlock,
  list,
  listBlock,
  map,
  type NestedBlock,
  num,
  obj,
  type ResourceSchema,
  setBlock,
  str,
  strMap,
  strSet,
  tagsAttrs,
} from "../framework/schema.ts";

const minMax = (minRequired = false): NestedBlock =>
  listBlock({ max: num("o"), min: num(minRequired ? "r" : "o") }, { max: 1, ...(minRequired ? { min: 1 } : {}) });

/** The launch parameters: the blocks of aws_launch_template (the data source reports them as attributes). */
const templateBlocks: Block["blocks"] = {
  block_device_mappings: listBlock(
    { device_name: str("o"), no_device: str("o"), virtual_name: str("o") },
    {
      blocks: {
        ebs: listBlock(
          {
            delete_on_termination: str("o"),
            encrypted: str("o"),
            iops: num("oc"),
            kms_key_id: str("o"),
            snapshot_id: str("o"),
            throughput: num("oc"),
            volume_initialization_rate: num("oc"),
            volume_size: num("oc"),
            volume_type: str("oc"),
          },
          { max: 1 },
        ),
      },
    },
  ),
  capacity_reservation_specification: listBlock(
    { capacity_reservation_preference: str("o") },
    {
      max: 1,
      blocks: {
        capacity_reservation_target: listBlock(
          { capacity_reservation_id: str("o"), capacity_reservation_resource_group_arn: str("o") },
          { max: 1 },
        ),
      },
    },
  ),
  cpu_options: listBlock({ amd_sev_snp: str("o"), core_count: num("o"), threads_per_core: num("o") }, { max: 1 }),
  credit_specification: listBlock({ cpu_credits: str("o") }, { max: 1 }),
  enclave_options: listBlock({ enabled: bool("o") }, { max: 1 }),
  hibernation_options: listBlock({ configured: bool("r") }, { max: 1 }),
  iam_instance_profile: listBlock({ arn: str("o"), name: str("o") }, { max: 1 }),
  instance_market_options: listBlock(
    { market_type: str("o") },
    {
      max: 1,
      blocks: {
        spot_options: listBlock(
          {
            block_duration_minutes: num("o"),
            instance_interruption_behavior: str("o"),
            max_price: str("o"),
            spot_instance_type: str("o"),
            valid_until: str("oc"),
          },
          { max: 1 },
        ),
      },
    },
  ),
  instance_requirements: listBlock(
    {
      accelerator_manufacturers: strSet("o"),
      accelerator_names: strSet("o"),
      accelerator_types: strSet("o"),
      allowed_instance_types: strSet("o"),
      bare_metal: str("o"),
      burstable_performance: str("o"),
      cpu_manufacturers: strSet("o"),
      excluded_instance_types: strSet("o"),
      instance_generations: strSet("o"),
      local_storage: str("o"),
      local_storage_types: strSet("o"),
      max_spot_price_as_percentage_of_optimal_on_demand_price: num("o"),
      on_demand_max_price_percentage_over_lowest_price: num("o"),
      require_hibernate_support: bool("o"),
      spot_max_price_percentage_over_lowest_price: num("o"),
    },
    {
      max: 1,
      blocks: {
        accelerator_count: minMax(),
        accelerator_total_memory_mib: minMax(),
        baseline_ebs_bandwidth_mbps: minMax(),
        memory_gib_per_vcpu: minMax(),
        memory_mib: minMax(true),
        network_bandwidth_gbps: minMax(),
        network_interface_count: minMax(),
        total_local_storage_gb: minMax(),
        vcpu_count: minMax(true),
      },
    },
  ),
  license_specification: setBlock({ license_configuration_arn: str("r") }),
  maintenance_options: listBlock({ auto_recovery: str("o") }, { max: 1 }),
  metadata_options: listBlock(
    {
      http_endpoint: str("oc"),
      http_protocol_ipv6: str("oc"),
      http_put_response_hop_limit: num("oc"),
      http_tokens: str("oc"),
      instance_metadata_tags: str("oc"),
    },
    { max: 1, computed: true },
  ),
  monitoring: listBlock({ enabled: bool("o") }, { max: 1 }),
  network_interfaces: listBlock(
    {
      associate_carrier_ip_address: str("o"),
      associate_public_ip_address: str("o"),
      delete_on_termination: str("o"),
      description: str("o"),
      device_index: num("o"),
      interface_type: str("o"),
      ipv4_address_count: num("o"),
      ipv4_addresses: strSet("o"),
      ipv4_prefix_count: num("o"),
      ipv4_prefixes: strSet("o"),
      ipv6_address_count: num("o"),
      ipv6_addresses: strSet("o"),
      ipv6_prefix_count: num("o"),
      ipv6_prefixes: strSet("o"),
      network_card_index: num("o"),
      network_interface_id: str("o"),
      primary_ipv6: str("o"),
      private_ip_address: str("o"),
      security_groups: strSet("o"),
      subnet_id: str("o"),
    },
    {
      blocks: {
        connection_tracking_specification: listBlock(
          { tcp_established_timeout: num("o"), udp_stream_timeout: num("o"), udp_timeout: num("o") },
          { max: 1 },
        ),
        ena_srd_specification: listBlock(
          { ena_srd_enabled: bool("o") },
          {
            max: 1,
            blocks: { ena_srd_udp_specification: listBlock({ ena_srd_udp_enabled: bool("o") }, { max: 1 }) },
          },
        ),
      },
    },
  ),
  placement: listBlock(
    {
      affinity: str("o"),
      availability_zone: str("o"),
      group_id: str("o"),
      group_name: str("o"),
      host_id: str("o"),
      host_resource_group_arn: str("o"),
      partition_number: num("o"),
      spread_domain: str("o"),
      tenancy: str("o"),
    },
    { max: 1 },
  ),
  private_dns_name_options: listBlock(
    {
      enable_resource_name_dns_a_record: bool("o"),
      enable_resource_name_dns_aaaa_record: bool("o"),
      hostname_type: str("o"),
    },
    { max: 1 },
  ),
  tag_specifications: listBlock({ resource_type: str("o"), tags: strMap("o") }),
};

export const aws_launch_template: ResourceSchema = {
  version: 1,
  block: {
    attributes: {
      arn: str("c"),
      default_version: num("oc", { conflictsWith: ["update_default_version"] }),
      description: str("o"),
      disable_api_stop: bool("o"),
      disable_api_termination: bool("o"),
      ebs_optimized: str("o"),
      id: str("oc"),
      image_id: str("o"),
      instance_initiated_shutdown_behavior: str("o", { oneOf: ["stop", "terminate"] }),
      instance_type: str("o"),
      kernel_id: str("o"),
      key_name: str("o"),
      latest_version: num("c"),
      name: str("ocF", { conflictsWith: ["name_prefix"] }),
      name_prefix: str("ocF", { conflictsWith: ["name"] }),
      ram_disk_id: str("o"),
      region: str("oc"),
      security_group_names: strSet("o"),
      ...tagsAttrs(),
      update_default_version: bool("o", { conflictsWith: ["default_version"] }),
      user_data: str("o"),
      vpc_security_group_ids: strSet("o"),
    },
    blocks: templateBlocks,
  },
};

/** A block's shape as the type of a computed attribute: data aws_launch_template reports every block as a list. */
function blockAsType(b: NestedBlock): CtyType {
  const fields: Record<string, CtyType> = {};
  for (const [n, a] of Object.entries(b.block.attributes)) fields[n] = a.type;
  // The data source does not report ENA Express settings (a resource-only block in hashicorp/aws 6.25).
  for (const [n, nb] of Object.entries(b.block.blocks ?? {}))
    if (n !== "ena_srd_specification") fields[n] = blockAsType(nb);
  return list(
    obj(
      Object.fromEntries(
        Object.keys(fields)
          .sort()
          .map((k) => [k, fields[k]!]),
      ),
    ),
  );
}

export const data_aws_launch_template: DataSourceSchema = {
  version: 0,
  timeouts: { read: "20m" },
  block: {
    attributes: {
      arn: str("c"),
      ...Object.fromEntries(Object.entries(templateBlocks).map(([n, b]) => [n, attr(blockAsType(b), "c")])),
      default_version: num("c"),
      description: str("c"),
      disable_api_stop: bool("c"),
      disable_api_termination: bool("c"),
      ebs_optimized: str("c"),
      id: str("oc"),
      image_id: str("c"),
      instance_initiated_shutdown_behavior: str("c"),
      instance_type: str("c"),
      kernel_id: str("c"),
      key_name: str("c"),
      latest_version: num("c"),
      name: str("oc"),
      ram_disk_id: str("c"),
      region: str("oc"),
      security_group_names: strSet("c"),
      tag_specifications: attr(list(obj({ resource_type: "string", tags: map("string") })), "c"),
      tags: strMap("oc"),
      user_data: str("c"),
      vpc_security_group_ids: strSet("c"),
    },
    blocks: {
      filter: filterBlock(),
    },
  },
};
