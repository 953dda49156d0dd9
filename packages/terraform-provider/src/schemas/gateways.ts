// Schemas of the gateway family (aws_internet_gateway, data aws_internet_gateway, aws_nat_gateway),
// matching hashicorp/aws 6.25.0: names, types, nesting and computed-ness as `terraform providers schema
// -json` reports them; ForceNew and defaults as its resource code declares.
import {
  attr,
  type DataSourceSchema,
  filterBlock,
  list,
  num,
  obj,
  type ResourceSchema,
  set,
  setBlock,
  str,
  strMap,
  strSet,
  tagsAttrs,
} from "../framework/schema.ts";

export const aws_internet_gateway: ResourceSchema = {
  version: 0,
  timeouts: { create: "20m", delete: "20m", update: "20m" },
  block: {
    attributes: {
      arn: str("c"),
      id: str("oc"),
      owner_id: str("c"),
      region: str("oc"),
      ...tagsAttrs(),
      vpc_id: str("oc"),
    },
  },
};

export const data_aws_internet_gateway: DataSourceSchema = {
  version: 0,
  timeouts: { read: "20m" },
  block: {
    attributes: {
      arn: str("c"),
      attachments: attr(list(obj({ state: "string", vpc_id: "string" })), "c"),
      id: str("oc"),
      internet_gateway_id: str("oc"),
      owner_id: str("c"),
      region: str("oc"),
      tags: strMap("oc"),
    },
    blocks: {
      filter: filterBlock(),
    },
  },
};

export const aws_nat_gateway: ResourceSchema = {
  version: 0,
  timeouts: { create: "10m", delete: "30m", update: "10m" },
  block: {
    attributes: {
      allocation_id: str("oF"),
      association_id: str("c"),
      auto_provision_zones: str("c"),
      auto_scaling_ips: str("c"),
      availability_mode: str("ocF", { oneOf: ["zonal", "regional"] }),
      connectivity_type: str("oF", { default: "public", oneOf: ["public", "private"] }),
      id: str("oc"),
      network_interface_id: str("c"),
      private_ip: str("ocF"),
      public_ip: str("c"),
      region: str("oc"),
      regional_nat_gateway_address: attr(
        set(
          obj({
            allocation_id: "string",
            association_id: "string",
            availability_zone: "string",
            availability_zone_id: "string",
            network_interface_id: "string",
            public_ip: "string",
            status: "string",
          }),
        ),
        "c",
      ),
      regional_nat_gateway_auto_mode: str("c"),
      route_table_id: str("c"),
      secondary_allocation_ids: strSet("oc"),
      secondary_private_ip_address_count: num("oc", { conflictsWith: ["secondary_private_ip_addresses"] }),
      secondary_private_ip_addresses: strSet("oc", { conflictsWith: ["secondary_private_ip_address_count"] }),
      subnet_id: str("oF"),
      ...tagsAttrs(),
      vpc_id: str("ocF"),
    },
    blocks: {
      availability_zone_address: setBlock({
        allocation_ids: strSet("o"),
        availability_zone: str("o"),
        availability_zone_id: str("oc"),
      }),
    },
  },
};
