// Schemas of the network-interface family (aws_network_interface, aws_network_interface_attachment,
// data aws_network_interface), matching hashicorp/aws 6.25.0: names, types, nesting and computed-ness
// as `terraform providers schema -json` reports them; ForceNew and defaults as its resource code declares.
import {
  attr,
  bool,
  type DataSourceSchema,
  filterBlock,
  list,
  num,
  obj,
  type ResourceSchema,
  setBlock,
  str,
  strList,
  strMap,
  strSet,
  tagsAttrs,
} from "../framework/schema.ts";

export const aws_network_interface: ResourceSchema = {
  version: 0,
  block: {
    attributes: {
      arn: str("c"),
      description: str("o"),
      enable_primary_ipv6: bool("oc"),
      id: str("oc"),
      interface_type: str("ocF", { oneOf: ["efa", "efa-only", "branch", "trunk"] }),
      ipv4_prefix_count: num("oc", { conflictsWith: ["ipv4_prefixes"] }),
      ipv4_prefixes: strSet("oc", { conflictsWith: ["ipv4_prefix_count"] }),
      ipv6_address_count: num("oc", { conflictsWith: ["ipv6_addresses", "ipv6_address_list"] }),
      ipv6_address_list: strList("oc", { conflictsWith: ["ipv6_addresses", "ipv6_address_count"] }),
      ipv6_address_list_enabled: bool("o", { default: false }),
      ipv6_addresses: strSet("oc", { conflictsWith: ["ipv6_address_count", "ipv6_address_list"] }),
      ipv6_prefix_count: num("oc", { conflictsWith: ["ipv6_prefixes"] }),
      ipv6_prefixes: strSet("oc", { conflictsWith: ["ipv6_prefix_count"] }),
      mac_address: str("c"),
      outpost_arn: str("c"),
      owner_id: str("c"),
      private_dns_name: str("c"),
      private_ip: str("oc"),
      private_ip_list: strList("oc", { conflictsWith: ["private_ips", "private_ips_count"] }),
      private_ip_list_enabled: bool("o", { default: false }),
      private_ips: strSet("oc", { conflictsWith: ["private_ip_list"] }),
      private_ips_count: num("oc", { conflictsWith: ["private_ip_list"] }),
      region: str("oc"),
      security_groups: strSet("oc"),
      source_dest_check: bool("o", { default: true }),
      subnet_id: str("rF"),
      ...tagsAttrs(),
    },
    blocks: {
      // Optional+Computed in hashicorp/aws: an aws_network_interface_attachment beside it is read
      // back here without a diff.
      attachment: setBlock(
        {
          attachment_id: str("c"),
          device_index: num("r"),
          instance: str("r"),
          network_card_index: num("oc"),
        },
        { computed: true },
      ),
    },
  },
};

export const aws_network_interface_attachment: ResourceSchema = {
  version: 0,
  block: {
    attributes: {
      attachment_id: str("c"),
      device_index: num("rF"),
      id: str("oc"),
      instance_id: str("rF"),
      network_card_index: num("ocF"),
      network_interface_id: str("rF"),
      region: str("oc"),
      status: str("c"),
    },
  },
};

export const data_aws_network_interface: DataSourceSchema = {
  version: 0,
  timeouts: { read: "20m" },
  block: {
    attributes: {
      arn: str("c"),
      association: attr(
        list(
          obj({
            allocation_id: "string",
            association_id: "string",
            carrier_ip: "string",
            customer_owned_ip: "string",
            ip_owner_id: "string",
            public_dns_name: "string",
            public_ip: "string",
          }),
        ),
        "c",
      ),
      attachment: attr(
        list(
          obj({
            attachment_id: "string",
            device_index: "number",
            instance_id: "string",
            instance_owner_id: "string",
            network_card_index: "number",
          }),
        ),
        "c",
      ),
      availability_zone: str("c"),
      description: str("c"),
      id: str("oc"),
      interface_type: str("c"),
      ipv6_addresses: strSet("c"),
      mac_address: str("c"),
      outpost_arn: str("c"),
      owner_id: str("c"),
      private_dns_name: str("c"),
      private_ip: str("c"),
      private_ips: strList("c"),
      region: str("oc"),
      requester_id: str("c"),
      security_groups: strSet("c"),
      subnet_id: str("c"),
      tags: strMap("oc"),
      vpc_id: str("c"),
    },
    blocks: {
      filter: filterBlock(),
    },
  },
};
