// Schemas of the route-table family (aws_route_table, aws_default_route_table, aws_route,
// aws_route_table_association, data aws_route_table), matching hashicorp/aws 6.25.0: names, types,
// nesting and computed-ness as `terraform providers schema -json` reports them; ForceNew and defaults
// as its resource code declares.
import {
  attr,
  type CtyType,
  type DataSourceSchema,
  filterBlock,
  list,
  obj,
  type ResourceSchema,
  set,
  str,
  strMap,
  strSet,
  tagsAttrs,
} from "../framework/schema.ts";

/** Route destinations of an inline `route`, then its targets (the order hashicorp/aws checks them in). */
export const ROUTE_DESTINATIONS = ["cidr_block", "ipv6_cidr_block", "destination_prefix_list_id"] as const;
export const ROUTE_TARGETS = [
  "carrier_gateway_id",
  "core_network_arn",
  "egress_only_gateway_id",
  "gateway_id",
  "local_gateway_id",
  "nat_gateway_id",
  "network_interface_id",
  "transit_gateway_id",
  "vpc_endpoint_id",
  "vpc_peering_connection_id",
] as const;
/** aws_default_route_table's routes: no carrier or local gateways, but instance_id. */
export const DEFAULT_ROUTE_TARGETS = [
  "core_network_arn",
  "egress_only_gateway_id",
  "gateway_id",
  "instance_id",
  "nat_gateway_id",
  "network_interface_id",
  "transit_gateway_id",
  "vpc_endpoint_id",
  "vpc_peering_connection_id",
] as const;

const stringObject = (names: readonly string[]): CtyType =>
  obj(Object.fromEntries([...names].sort().map((n) => [n, "string" as CtyType])));

/**
 * The inline routes: an SDK attribute in "attributes as blocks" mode, so `route { … }` blocks and
 * `route = []` both work; a set of objects with every field present ("" when unset).
 */
const inlineRoutes = (targets: readonly string[]) => attr(set(stringObject([...ROUTE_DESTINATIONS, ...targets])), "oc");

export const aws_route_table: ResourceSchema = {
  version: 0,
  timeouts: { create: "5m", delete: "5m", update: "2m" },
  block: {
    attributes: {
      arn: str("c"),
      id: str("oc"),
      owner_id: str("c"),
      propagating_vgws: strSet("oc"),
      region: str("oc"),
      route: inlineRoutes(ROUTE_TARGETS),
      ...tagsAttrs(),
      vpc_id: str("rF"),
    },
  },
};

/** Adopts a VPC's main route table: its routes become the configured ones; destroy only forgets it. */
export const aws_default_route_table: ResourceSchema = {
  version: 0,
  timeouts: { create: "2m", update: "2m" },
  block: {
    attributes: {
      arn: str("c"),
      default_route_table_id: str("rF"),
      id: str("oc"),
      owner_id: str("c"),
      propagating_vgws: strSet("o"),
      region: str("oc"),
      route: inlineRoutes(DEFAULT_ROUTE_TARGETS),
      ...tagsAttrs(),
      vpc_id: str("c"),
    },
  },
};

/** aws_route's destinations and targets: exactly one of each. */
export const ROUTE_RESOURCE_DESTINATIONS = [
  "destination_cidr_block",
  "destination_ipv6_cidr_block",
  "destination_prefix_list_id",
] as const;
export const ROUTE_RESOURCE_TARGETS = [
  "carrier_gateway_id",
  "core_network_arn",
  "egress_only_gateway_id",
  "gateway_id",
  "local_gateway_id",
  "nat_gateway_id",
  "network_interface_id",
  "transit_gateway_id",
  "vpc_endpoint_id",
  "vpc_peering_connection_id",
] as const;

const dest = (conflictsWith?: string[]) => ({
  exactlyOneOf: [...ROUTE_RESOURCE_DESTINATIONS],
  ...(conflictsWith ? { conflictsWith } : {}),
});
const target = (conflictsWith?: string[]) => ({
  exactlyOneOf: [...ROUTE_RESOURCE_TARGETS],
  ...(conflictsWith ? { conflictsWith } : {}),
});

export const aws_route: ResourceSchema = {
  version: 0,
  timeouts: { create: "5m", delete: "5m", update: "2m" },
  block: {
    attributes: {
      // Targets that work with one kind of destination only, as hashicorp/aws declares them.
      carrier_gateway_id: str("o", target(["destination_ipv6_cidr_block"])),
      core_network_arn: str("o", target()),
      destination_cidr_block: str("oF", dest()),
      destination_ipv6_cidr_block: str("oF", dest()),
      destination_prefix_list_id: str("oF", dest()),
      egress_only_gateway_id: str("o", target(["destination_cidr_block"])),
      gateway_id: str("o", target()),
      id: str("oc"),
      instance_id: str("c"),
      instance_owner_id: str("c"),
      local_gateway_id: str("o", target()),
      nat_gateway_id: str("o", target()),
      network_interface_id: str("oc", target()),
      origin: str("c"),
      region: str("oc"),
      route_table_id: str("rF"),
      state: str("c"),
      transit_gateway_id: str("o", target()),
      vpc_endpoint_id: str("o", target(["destination_prefix_list_id"])),
      vpc_peering_connection_id: str("o", target()),
    },
  },
};

export const aws_route_table_association: ResourceSchema = {
  version: 0,
  timeouts: { create: "5m", delete: "5m", update: "2m" },
  block: {
    attributes: {
      gateway_id: str("oF", { exactlyOneOf: ["gateway_id", "subnet_id"] }),
      id: str("oc"),
      region: str("oc"),
      route_table_id: str("r"),
      subnet_id: str("oF", { exactlyOneOf: ["gateway_id", "subnet_id"] }),
    },
  },
};

export const data_aws_route_table: DataSourceSchema = {
  version: 0,
  timeouts: { read: "20m" },
  block: {
    attributes: {
      arn: str("c"),
      associations: attr(
        list(
          obj({
            gateway_id: "string",
            main: "bool",
            route_table_association_id: "string",
            route_table_id: "string",
            subnet_id: "string",
          }),
        ),
        "c",
      ),
      gateway_id: str("oc"),
      id: str("oc"),
      owner_id: str("c"),
      region: str("oc"),
      route_table_id: str("oc"),
      routes: attr(
        list(
          stringObject([
            "carrier_gateway_id",
            "cidr_block",
            "core_network_arn",
            "destination_prefix_list_id",
            "egress_only_gateway_id",
            "gateway_id",
            "instance_id",
            "ipv6_cidr_block",
            "local_gateway_id",
            "nat_gateway_id",
            "network_interface_id",
            "transit_gateway_id",
            "vpc_endpoint_id",
            "vpc_peering_connection_id",
          ]),
        ),
        "c",
      ),
      subnet_id: str("oc"),
      tags: strMap("oc"),
      vpc_id: str("oc"),
    },
    blocks: {
      filter: filterBlock(),
    },
  },
};
