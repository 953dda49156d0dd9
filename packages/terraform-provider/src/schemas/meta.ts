// Schemas of the meta family, matching hashicorp/aws 6.x (6.25.0): names, types, nesting and
// computed-ness as that provider reports them; ForceNew and defaults as its resource code declares.
import {
  attr,
  bool,
  type DataSourceSchema,
  filterBlock,
  list,
  num,
  obj,
  str,
  strList,
  strMap,
  strSet,
} from "../framework/schema.ts";

export const data_aws_availability_zones: DataSourceSchema = {
  version: 0,
  timeouts: { read: "20m" },
  block: {
    attributes: {
      all_availability_zones: bool("o"),
      exclude_names: strSet("o"),
      exclude_zone_ids: strSet("o"),
      group_names: strSet("c"),
      id: str("oc"),
      names: strList("c"),
      region: str("oc"),
      state: str("oc"),
      zone_ids: strList("c"),
    },
    blocks: {
      filter: filterBlock(),
    },
  },
};

export const data_aws_region: DataSourceSchema = {
  version: 0,
  block: {
    attributes: {
      description: str("c"),
      endpoint: str("oc"),
      id: str("oc"),
      name: str("oc"),
      region: str("oc"),
    },
  },
};

export const data_aws_caller_identity: DataSourceSchema = {
  version: 0,
  block: {
    attributes: {
      account_id: str("c"),
      arn: str("c"),
      id: str("oc"),
      user_id: str("c"),
    },
  },
};

export const data_aws_vpc: DataSourceSchema = {
  version: 0,
  timeouts: { read: "20m" },
  block: {
    attributes: {
      arn: str("c"),
      cidr_block: str("oc"),
      cidr_block_associations: attr(
        list(obj({ association_id: "string", cidr_block: "string", state: "string" })),
        "c",
      ),
      default: bool("oc"),
      dhcp_options_id: str("oc"),
      enable_dns_hostnames: bool("c"),
      enable_dns_support: bool("c"),
      enable_network_address_usage_metrics: bool("c"),
      id: str("oc"),
      instance_tenancy: str("c"),
      ipv6_association_id: str("c"),
      ipv6_cidr_block: str("c"),
      main_route_table_id: str("c"),
      owner_id: str("c"),
      region: str("oc"),
      state: str("oc"),
      tags: strMap("oc"),
    },
    blocks: {
      filter: filterBlock(),
    },
  },
};

export const data_aws_subnet: DataSourceSchema = {
  version: 0,
  timeouts: { read: "20m" },
  block: {
    attributes: {
      arn: str("c"),
      assign_ipv6_address_on_creation: bool("c"),
      availability_zone: str("oc"),
      availability_zone_id: str("oc"),
      available_ip_address_count: num("c"),
      cidr_block: str("oc"),
      customer_owned_ipv4_pool: str("c"),
      default_for_az: bool("oc"),
      enable_dns64: bool("c"),
      enable_lni_at_device_index: num("c"),
      enable_resource_name_dns_a_record_on_launch: bool("c"),
      enable_resource_name_dns_aaaa_record_on_launch: bool("c"),
      id: str("oc"),
      ipv6_cidr_block: str("oc"),
      ipv6_cidr_block_association_id: str("c"),
      ipv6_native: bool("c"),
      map_customer_owned_ip_on_launch: bool("c"),
      map_public_ip_on_launch: bool("c"),
      outpost_arn: str("c"),
      owner_id: str("c"),
      private_dns_hostname_type_on_launch: str("c"),
      region: str("oc"),
      state: str("oc"),
      tags: strMap("oc"),
      vpc_id: str("oc"),
    },
    blocks: {
      filter: filterBlock(),
    },
  },
};

export const data_aws_subnets: DataSourceSchema = {
  version: 0,
  timeouts: { read: "20m" },
  block: {
    attributes: {
      id: str("oc"),
      ids: strList("c"),
      region: str("oc"),
      tags: strMap("oc"),
    },
    blocks: {
      filter: filterBlock(),
    },
  },
};
