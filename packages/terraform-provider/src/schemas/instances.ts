// Schemas of the instances family, matching hashicorp/aws 6.x (6.25.0): names, types, nesting and
// computed-ness as that provider reports them; ForceNew and defaults as its resource code declares.
import {
  attr,
  bool,
  type DataSourceSchema,
  filterBlock,
  list,
  listBlock,
  map,
  num,
  obj,
  type ResourceSchema,
  set,
  setBlock,
  str,
  strList,
  strMap,
  strSet,
  tagsAttrs,
} from "../framework/schema.ts";

export const aws_instance: ResourceSchema = {
  version: 1,
  timeouts: { create: "10m", delete: "20m", read: "15m", update: "10m" },
  block: {
    attributes: {
      ami: str("ocF", { atLeastOneOf: ["ami", "launch_template"] }),
      arn: str("c"),
      associate_public_ip_address: bool("ocF"),
      availability_zone: str("ocF"),
      disable_api_stop: bool("oc"),
      disable_api_termination: bool("oc"),
      ebs_optimized: bool("ocF"),
      enable_primary_ipv6: bool("ocF"),
      force_destroy: bool("o", { default: false }),
      get_password_data: bool("o", { default: false }),
      hibernation: bool("oF"),
      host_id: str("ocF"),
      host_resource_group_arn: str("oc"),
      iam_instance_profile: str("oc"),
      id: str("oc"),
      instance_initiated_shutdown_behavior: str("oc"),
      instance_lifecycle: str("c"),
      instance_state: str("c"),
      instance_type: str("oc"),
      ipv6_address_count: num("ocF"),
      ipv6_addresses: strList("ocF"),
      key_name: str("ocF"),
      monitoring: bool("oc"),
      outpost_arn: str("c"),
      password_data: str("cS"),
      placement_group: str("ocF"),
      placement_group_id: str("ocF"),
      placement_partition_number: num("ocF"),
      primary_network_interface_id: str("c"),
      private_dns: str("c"),
      private_ip: str("ocF"),
      public_dns: str("c"),
      public_ip: str("c"),
      region: str("oc"),
      secondary_private_ips: strSet("oc"),
      security_groups: strSet("ocF"),
      source_dest_check: bool("o", { default: true }),
      spot_instance_request_id: str("c"),
      subnet_id: str("ocF"),
      ...tagsAttrs(),
      tenancy: str("ocF"),
      user_data: str("oc", { conflictsWith: ["user_data_base64"] }),
      user_data_base64: str("oc", { conflictsWith: ["user_data"] }),
      user_data_replace_on_change: bool("o", { default: false }),
      volume_tags: strMap("o"),
      vpc_security_group_ids: strSet("oc"),
    },
    blocks: {
      capacity_reservation_specification: listBlock(
        {
          capacity_reservation_preference: str("o"),
        },
        {
          max: 1,
          computed: true,
          blocks: {
            capacity_reservation_target: listBlock(
              {
                capacity_reservation_id: str("o"),
                capacity_reservation_resource_group_arn: str("o"),
              },
              { max: 1 },
            ),
          },
        },
      ),
      cpu_options: listBlock(
        {
          amd_sev_snp: str("ocF"),
          core_count: num("ocF"),
          // 6.37 (schemas/history.ts: not in earlier releases); refused when set (instances.ts).
          nested_virtualization: str("oF"),
          threads_per_core: num("ocF"),
        },
        { max: 1, computed: true },
      ),
      credit_specification: listBlock(
        {
          cpu_credits: str("o"),
        },
        { max: 1, emptyIsMissing: true },
      ),
      ebs_block_device: setBlock(
        {
          delete_on_termination: bool("oF", { default: true }),
          device_name: str("rF"),
          encrypted: bool("ocF"),
          iops: num("ocF"),
          kms_key_id: str("ocF"),
          snapshot_id: str("ocF"),
          ...tagsAttrs(),
          throughput: num("ocF"),
          volume_id: str("c"),
          volume_size: num("ocF"),
          volume_type: str("ocF"),
        },
        { computed: true },
      ),
      enclave_options: listBlock(
        {
          enabled: bool("ocF"),
        },
        { max: 1, computed: true },
      ),
      ephemeral_block_device: setBlock(
        {
          device_name: str("r"),
          no_device: bool("o"),
          virtual_name: str("o"),
        },
        { computed: true, forceNew: true },
      ),
      instance_market_options: listBlock(
        {
          market_type: str("ocF"),
        },
        {
          max: 1,
          computed: true,
          forceNew: true,
          blocks: {
            spot_options: listBlock(
              {
                instance_interruption_behavior: str("ocF"),
                max_price: str("ocF"),
                spot_instance_type: str("ocF"),
                valid_until: str("ocF"),
              },
              { max: 1, computed: true },
            ),
          },
        },
      ),
      launch_template: listBlock(
        {
          id: str("ocF"),
          name: str("ocF"),
          version: str("o", { default: "$Default" }),
        },
        { max: 1, forceNew: true },
      ),
      maintenance_options: listBlock(
        {
          auto_recovery: str("oc"),
        },
        { max: 1, computed: true },
      ),
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
      network_interface: setBlock(
        {
          delete_on_termination: bool("oF", { default: false }),
          device_index: num("rF"),
          network_card_index: num("oF", { default: 0 }),
          network_interface_id: str("rF"),
        },
        { computed: true },
      ),
      primary_network_interface: listBlock(
        {
          delete_on_termination: bool("c"),
          network_interface_id: str("rF"),
        },
        { max: 1, computed: true, forceNew: true },
      ),
      private_dns_name_options: listBlock(
        {
          enable_resource_name_dns_a_record: bool("oc"),
          enable_resource_name_dns_aaaa_record: bool("oc"),
          hostname_type: str("oc"),
        },
        { max: 1, computed: true },
      ),
      // 6.37 (schemas/history.ts); EC2's secondary interfaces are not simulated: refused when set.
      secondary_network_interface: listBlock(
        {
          delete_on_termination: bool("oF"),
          device_index: num("ocF"),
          interface_type: str("oF"),
          network_card_index: num("rF"),
          private_ip_address_count: num("ocF"),
          private_ip_addresses: strList("ocF"),
          secondary_subnet_id: str("rF"),
        },
        { forceNew: true },
      ),
      root_block_device: listBlock(
        {
          delete_on_termination: bool("o", { default: true }),
          device_name: str("c"),
          encrypted: bool("ocF"),
          iops: num("oc"),
          kms_key_id: str("ocF"),
          ...tagsAttrs(),
          throughput: num("oc"),
          volume_id: str("c"),
          volume_size: num("oc"),
          volume_type: str("oc"),
        },
        { max: 1, computed: true },
      ),
    },
  },
};

export const data_aws_instance: DataSourceSchema = {
  version: 0,
  timeouts: { read: "15m" },
  block: {
    attributes: {
      ami: str("c"),
      arn: str("c"),
      associate_public_ip_address: bool("c"),
      availability_zone: str("c"),
      credit_specification: attr(list(obj({ cpu_credits: "string" })), "c"),
      disable_api_stop: bool("c"),
      disable_api_termination: bool("c"),
      ebs_block_device: attr(
        set(
          obj({
            delete_on_termination: "bool",
            device_name: "string",
            encrypted: "bool",
            iops: "number",
            kms_key_id: "string",
            snapshot_id: "string",
            tags: map("string"),
            throughput: "number",
            volume_id: "string",
            volume_size: "number",
            volume_type: "string",
          }),
        ),
        "c",
      ),
      ebs_optimized: bool("c"),
      enclave_options: attr(list(obj({ enabled: "bool" })), "c"),
      ephemeral_block_device: attr(
        list(obj({ device_name: "string", no_device: "bool", virtual_name: "string" })),
        "c",
      ),
      get_password_data: bool("o"),
      get_user_data: bool("o"),
      host_id: str("c"),
      host_resource_group_arn: str("c"),
      iam_instance_profile: str("c"),
      id: str("oc"),
      instance_id: str("oc"),
      instance_state: str("c"),
      instance_tags: strMap("o"),
      instance_type: str("c"),
      ipv6_addresses: strSet("c"),
      key_name: str("c"),
      launch_time: str("c"),
      maintenance_options: attr(list(obj({ auto_recovery: "string" })), "c"),
      metadata_options: attr(
        list(
          obj({
            http_endpoint: "string",
            http_protocol_ipv6: "string",
            http_put_response_hop_limit: "number",
            http_tokens: "string",
            instance_metadata_tags: "string",
          }),
        ),
        "c",
      ),
      monitoring: bool("c"),
      network_interface_id: str("c"),
      outpost_arn: str("c"),
      password_data: str("c"),
      placement_group: str("c"),
      placement_group_id: str("c"),
      placement_partition_number: num("c"),
      private_dns: str("c"),
      private_dns_name_options: attr(
        list(
          obj({
            enable_resource_name_dns_a_record: "bool",
            enable_resource_name_dns_aaaa_record: "bool",
            hostname_type: "string",
          }),
        ),
        "c",
      ),
      private_ip: str("c"),
      public_dns: str("c"),
      public_ip: str("c"),
      region: str("oc"),
      root_block_device: attr(
        set(
          obj({
            delete_on_termination: "bool",
            device_name: "string",
            encrypted: "bool",
            iops: "number",
            kms_key_id: "string",
            tags: map("string"),
            throughput: "number",
            volume_id: "string",
            volume_size: "number",
            volume_type: "string",
          }),
        ),
        "c",
      ),
      secondary_private_ips: strSet("c"),
      security_groups: strSet("c"),
      source_dest_check: bool("c"),
      subnet_id: str("c"),
      tags: strMap("oc"),
      tenancy: str("c"),
      user_data: str("c"),
      user_data_base64: str("c"),
      vpc_security_group_ids: strSet("c"),
    },
    blocks: {
      filter: filterBlock(),
    },
  },
};

export const data_aws_instances: DataSourceSchema = {
  version: 0,
  timeouts: { read: "20m" },
  block: {
    attributes: {
      id: str("oc"),
      ids: strList("c"),
      instance_state_names: strSet("o"),
      instance_tags: strMap("o"),
      ipv6_addresses: strList("c"),
      private_ips: strList("c"),
      public_ips: strList("c"),
      region: str("oc"),
    },
    blocks: {
      filter: filterBlock(),
    },
  },
};
