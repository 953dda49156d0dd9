// Schemas of the addresses family, matching hashicorp/aws 6.x (6.25.0): names, types, nesting and
// computed-ness as that provider reports them; ForceNew and defaults as its resource code declares.
import {
  bool,
  type DataSourceSchema,
  filterBlock,
  type ResourceSchema,
  str,
  strMap,
  tagsAttrs,
} from "../framework/schema.ts";

export const aws_eip: ResourceSchema = {
  version: 0,
  timeouts: { delete: "3m", read: "15m", update: "5m" },
  block: {
    attributes: {
      address: str("oF"),
      allocation_id: str("c"),
      arn: str("c"),
      associate_with_private_ip: str("oF"),
      association_id: str("c"),
      carrier_ip: str("c"),
      customer_owned_ip: str("c"),
      customer_owned_ipv4_pool: str("oF"),
      domain: str("ocF"),
      id: str("oc"),
      instance: str("oc", { conflictsWith: ["network_interface"] }),
      ipam_pool_id: str("ocF"),
      network_border_group: str("ocF"),
      network_interface: str("oc", { conflictsWith: ["instance"] }),
      private_dns: str("c"),
      private_ip: str("c"),
      ptr_record: str("c"),
      public_dns: str("c"),
      public_ip: str("c"),
      public_ipv4_pool: str("ocF"),
      region: str("oc"),
      ...tagsAttrs(),
    },
  },
};

export const aws_eip_association: ResourceSchema = {
  version: 0,
  block: {
    attributes: {
      allocation_id: str("ocF"),
      allow_reassociation: bool("oF"),
      id: str("oc"),
      instance_id: str("ocF"),
      network_interface_id: str("ocF"),
      private_ip_address: str("ocF"),
      public_ip: str("ocF"),
      region: str("oc"),
    },
  },
};

export const data_aws_eip: DataSourceSchema = {
  version: 0,
  timeouts: { read: "20m" },
  block: {
    attributes: {
      arn: str("c"),
      association_id: str("c"),
      carrier_ip: str("c"),
      customer_owned_ip: str("c"),
      customer_owned_ipv4_pool: str("c"),
      domain: str("c"),
      id: str("oc"),
      instance_id: str("c"),
      ipam_pool_id: str("c"),
      network_interface_id: str("c"),
      network_interface_owner_id: str("c"),
      private_dns: str("c"),
      private_ip: str("c"),
      ptr_record: str("c"),
      public_dns: str("c"),
      public_ip: str("oc"),
      public_ipv4_pool: str("c"),
      region: str("oc"),
      tags: strMap("oc"),
    },
    blocks: { filter: filterBlock() },
  },
};
