// Schemas of the VPC family (aws_vpc, aws_default_vpc, data aws_vpc, data aws_vpcs), matching
// hashicorp/aws 6.25.0: names, types, nesting and computed-ness as `terraform providers schema -json`
// reports them; ForceNew and defaults as its resource code declares.
import {
  attr,
  bool,
  type DataSourceSchema,
  filterBlock,
  list,
  num,
  obj,
  type ResourceSchema,
  str,
  strList,
  strMap,
  tagsAttrs,
} from "../framework/schema.ts";

/** What aws_vpc and aws_default_vpc compute alike. */
const vpcComputed = {
  arn: str("c"),
  default_network_acl_id: str("c"),
  default_route_table_id: str("c"),
  default_security_group_id: str("c"),
  dhcp_options_id: str("c"),
  id: str("oc"),
  ipv6_association_id: str("c"),
  main_route_table_id: str("c"),
  owner_id: str("c"),
  region: str("oc"),
};

export const aws_vpc: ResourceSchema = {
  version: 1,
  block: {
    attributes: {
      ...vpcComputed,
      assign_generated_ipv6_cidr_block: bool("o"),
      cidr_block: str("ocF", { conflictsWith: ["ipv4_netmask_length"] }),
      enable_dns_hostnames: bool("oc"),
      enable_dns_support: bool("o", { default: true }),
      enable_network_address_usage_metrics: bool("oc"),
      instance_tenancy: str("o", { default: "default", oneOf: ["default", "dedicated"] }),
      ipv4_ipam_pool_id: str("oF"),
      ipv4_netmask_length: num("oF", { conflictsWith: ["cidr_block"] }),
      ipv6_cidr_block: str("oc"),
      ipv6_cidr_block_network_border_group: str("oc"),
      ipv6_ipam_pool_id: str("o"),
      ipv6_netmask_length: num("o"),
      ...tagsAttrs(),
    },
  },
};

/** Adopts the region's default VPC (creates one when there is none); destroy forgets it unless force_destroy. */
export const aws_default_vpc: ResourceSchema = {
  version: 1,
  block: {
    attributes: {
      ...vpcComputed,
      assign_generated_ipv6_cidr_block: bool("o", { default: false }),
      cidr_block: str("c"),
      enable_dns_hostnames: bool("o", { default: true }),
      enable_dns_support: bool("o", { default: true }),
      enable_network_address_usage_metrics: bool("oc"),
      existing_default_vpc: bool("c"),
      force_destroy: bool("o", { default: false }),
      instance_tenancy: str("c"),
      ipv6_cidr_block: str("oc"),
      ipv6_cidr_block_network_border_group: str("oc"),
      ipv6_ipam_pool_id: str("o"),
      ipv6_netmask_length: num("o"),
      ...tagsAttrs(),
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

export const data_aws_vpcs: DataSourceSchema = {
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
