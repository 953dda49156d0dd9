// Schemas of the subnet family (aws_subnet, aws_default_subnet, data aws_subnet, data aws_subnets),
// matching hashicorp/aws 6.25.0: names, types, nesting and computed-ness as `terraform providers schema
// -json` reports them; ForceNew and defaults as its resource code declares.
import {
  bool,
  type DataSourceSchema,
  filterBlock,
  num,
  type ResourceSchema,
  str,
  strList,
  strMap,
  tagsAttrs,
} from "../framework/schema.ts";

const SUBNET_TIMEOUTS = { create: "10m", delete: "20m" };

/** Attributes aws_subnet and aws_default_subnet share, with the same flags and defaults. */
const subnetCommon = {
  arn: str("c"),
  assign_ipv6_address_on_creation: bool("o", { default: false }),
  customer_owned_ipv4_pool: str("o"),
  enable_dns64: bool("o", { default: false }),
  enable_resource_name_dns_a_record_on_launch: bool("o", { default: false }),
  enable_resource_name_dns_aaaa_record_on_launch: bool("o", { default: false }),
  id: str("oc"),
  ipv6_cidr_block_association_id: str("c"),
  ipv6_native: bool("oF", { default: false }),
  map_customer_owned_ip_on_launch: bool("o"),
  owner_id: str("c"),
  private_dns_hostname_type_on_launch: str("oc", { oneOf: ["ip-name", "resource-name"] }),
  region: str("oc"),
  ...tagsAttrs(),
};

export const aws_subnet: ResourceSchema = {
  version: 1,
  timeouts: SUBNET_TIMEOUTS,
  block: {
    attributes: {
      ...subnetCommon,
      availability_zone: str("ocF", { conflictsWith: ["availability_zone_id"] }),
      availability_zone_id: str("ocF", { conflictsWith: ["availability_zone"] }),
      cidr_block: str("oF"),
      enable_lni_at_device_index: num("o"),
      ipv6_cidr_block: str("o"),
      map_public_ip_on_launch: bool("o", { default: false }),
      outpost_arn: str("oF"),
      vpc_id: str("rF"),
    },
  },
};

/** Adopts the default subnet of an AZ (creates it when missing); destroy forgets it unless force_destroy. */
export const aws_default_subnet: ResourceSchema = {
  version: 1,
  timeouts: SUBNET_TIMEOUTS,
  block: {
    attributes: {
      ...subnetCommon,
      availability_zone: str("rF"),
      availability_zone_id: str("c"),
      cidr_block: str("c"),
      enable_lni_at_device_index: num("c"),
      existing_default_subnet: bool("c"),
      force_destroy: bool("o", { default: false }),
      ipv6_cidr_block: str("oc"),
      map_public_ip_on_launch: bool("o", { default: true }),
      outpost_arn: str("c"),
      vpc_id: str("c"),
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
