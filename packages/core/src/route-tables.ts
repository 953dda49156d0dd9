/**
 * Route tables (R29, R31): every VPC has a main table (made with it, with the local route), which
 * serves every subnet without an association of its own. Routes send a destination block to a local
 * delivery, an internet gateway, a NAT gateway, an interface or an instance; the most specific
 * route wins. A route whose target is gone or not usable is a blackhole. The main table, or a table
 * any subnet uses, cannot be deleted.
 */
import type {
  AssociateRouteTableRequest,
  AssociateRouteTableResult,
  CreateRouteRequest,
  CreateRouteTableRequest,
  CreateRouteTableResult,
  DeleteRouteRequest,
  DeleteRouteTableRequest,
  DescribeRouteTablesRequest,
  DescribeRouteTablesResult,
  DisassociateRouteTableRequest,
  Route as Ec2Route,
  RouteTable as Ec2RouteTable,
  ReplaceRouteRequest,
  ReplaceRouteTableAssociationRequest,
  ReplaceRouteTableAssociationResult,
} from "@aws-sdk/client-ec2";
import { cidrContains, cidrWithin, parseCidr } from "./cidr.ts";
import { Ec2Error, errors } from "./errors.ts";
import type { EventOf, RouteTarget } from "./events.ts";
import { compileFilters, type Filter, paginate } from "./filters.ts";
import { requireInstance } from "./instances.ts";
import { requireInternetGateway } from "./internet-gateways.ts";
import type { Route, RouteTable, Subnet } from "./model.ts";
import { natInUse, requireNatGateway } from "./nat-gateways.ts";
import { findInterface, interfacesOf, primaryInterfaceId, requireInterface } from "./network-interfaces.ts";
import { type RegionState, regionState, type SandboxState } from "./state.ts";
import { findSubnet } from "./subnets.ts";
import { tagMap, tagsFor, toTagSet } from "./tags.ts";
import type { Tx } from "./tx.ts";
import { ownedById, requireVpc } from "./vpcs.ts";

export const notFoundRouteTable = (id: string) =>
  new Ec2Error("InvalidRouteTableID.NotFound", `The routeTable ID '${id}' does not exist`);

export function requireRouteTable(tx: Tx, id: string | undefined): RouteTable {
  if (!id) throw errors.missingParameter("RouteTableId");
  const t = tx.region.routeTables.get(id);
  if (!t || t.ownerId !== tx.ctx.accountId) throw notFoundRouteTable(id);
  return t;
}

export const isMain = (t: RouteTable): boolean => t.associations.some((a) => a.main);

/** The VPC's main route table. */
export function mainTableOf(region: RegionState, vpcId: string): RouteTable | undefined {
  for (const t of region.routeTables.values()) if (t.vpcId === vpcId && isMain(t)) return t;
  return undefined;
}

/** The table a subnet uses: its own association, else its VPC's main table. */
export function tableOfSubnet(region: RegionState, subnet: Pick<Subnet, "subnetId" | "vpcId">): RouteTable | undefined {
  for (const t of region.routeTables.values())
    if (t.vpcId === subnet.vpcId && t.associations.some((a) => a.subnetId === subnet.subnetId)) return t;
  return mainTableOf(region, subnet.vpcId);
}

/** Whether a route's target can carry traffic now; else it is a blackhole. */
export function routeActive(region: RegionState, table: RouteTable, r: Route): boolean {
  if (r.gatewayId === "local") return true;
  if (r.gatewayId) return region.internetGateways.get(r.gatewayId)?.vpcId === table.vpcId;
  if (r.natGatewayId) return region.natGateways.get(r.natGatewayId)?.state === "available";
  if (r.networkInterfaceId) {
    // An interface (an instance's, or one of its own) carries traffic while attached to a running instance.
    const inst = instanceBehind(region, r);
    return inst?.state === "running" && (r.instanceId === undefined || inst.instanceId === r.instanceId);
  }
  return false;
}

/** The instance a route's interface is attached to now. */
function instanceBehind(region: RegionState, r: Route) {
  if (r.instanceId) return region.instances.get(r.instanceId);
  const v = r.networkInterfaceId ? findInterface(region, r.networkInterfaceId) : undefined;
  return v?.attachment ? region.instances.get(v.attachment.instanceId) : undefined;
}

/** The most specific route of a table for a destination address, and whether it is usable. */
export function routeTo(
  region: RegionState,
  table: RouteTable,
  ip: string,
): { route: Route; active: boolean } | undefined {
  let best: Route | undefined;
  let bestBits = -1;
  for (const r of table.routes) {
    const c = parseCidr(r.destinationCidrBlock);
    if (c && c.bits > bestBits && cidrContains(c, ip)) {
      best = r;
      bestBits = c.bits;
    }
  }
  return best ? { route: best, active: routeActive(region, table, best) } : undefined;
}

// ── fold ─────────────────────────────────────────────────────────────────────────────────────
export function addRouteTable(
  state: SandboxState,
  regionName: string,
  t: { routeTableId: string; vpcId: string; ownerId: string; vpcCidr: string; tags: [string, string][] },
): RouteTable {
  const table: RouteTable = {
    routeTableId: t.routeTableId,
    vpcId: t.vpcId,
    ownerId: t.ownerId,
    region: regionName,
    routes: [{ destinationCidrBlock: t.vpcCidr, gatewayId: "local", origin: "CreateRouteTable" }],
    associations: [],
    tags: tagMap(t.tags),
  };
  regionState(state, regionName).routeTables.set(t.routeTableId, table);
  state.resourceRegion.set(t.routeTableId, regionName);
  return table;
}

function findAssociation(region: RegionState, associationId: string) {
  for (const t of region.routeTables.values()) {
    const a = t.associations.find((x) => x.associationId === associationId);
    if (a) return { table: t, association: a };
  }
  return undefined;
}

export function applyRouteTableEvent(
  state: SandboxState,
  e: EventOf<
    | "VpcCreated"
    | "VpcDeleted"
    | "SubnetDeleted"
    | "RouteTableCreated"
    | "RouteTableDeleted"
    | "RouteCreated"
    | "RouteReplaced"
    | "RouteDeleted"
    | "RouteTableAssociated"
    | "RouteTableDisassociated"
    | "RouteTableAssociationReplaced"
  >,
): void {
  const region = regionState(state, e.region);
  switch (e.type) {
    case "VpcCreated": {
      const t = addRouteTable(state, e.region, {
        routeTableId: e.vpc.mainRouteTableId,
        vpcId: e.vpc.vpcId,
        ownerId: e.vpc.ownerId,
        vpcCidr: e.vpc.cidrBlock,
        tags: [],
      });
      t.associations.push({ associationId: e.vpc.mainRouteTableAssociationId, main: true });
      return;
    }
    case "VpcDeleted":
      // Only the main table can be left when a VPC goes (others are dependencies).
      for (const t of region.routeTables.values()) if (t.vpcId === e.vpcId) region.routeTables.delete(t.routeTableId);
      return;
    case "SubnetDeleted":
      for (const t of region.routeTables.values())
        t.associations = t.associations.filter((a) => a.subnetId !== e.subnetId);
      return;
    case "RouteTableCreated": {
      const vpc = region.vpcs.get(e.vpcId);
      addRouteTable(state, e.region, { ...e, vpcCidr: vpc?.cidrBlock ?? "0.0.0.0/32" });
      return;
    }
    case "RouteTableDeleted":
      region.routeTables.delete(e.routeTableId);
      return;
    case "RouteCreated":
      region.routeTables.get(e.routeTableId)?.routes.push({ ...e.route, origin: "CreateRoute" });
      return;
    case "RouteReplaced": {
      const t = region.routeTables.get(e.routeTableId);
      const i = t?.routes.findIndex((r) => r.destinationCidrBlock === e.route.destinationCidrBlock) ?? -1;
      if (t && i >= 0) t.routes[i] = { ...e.route, origin: t.routes[i]!.origin };
      return;
    }
    case "RouteDeleted": {
      const t = region.routeTables.get(e.routeTableId);
      if (t) t.routes = t.routes.filter((r) => r.destinationCidrBlock !== e.destinationCidrBlock);
      return;
    }
    case "RouteTableAssociated":
      region.routeTables
        .get(e.routeTableId)
        ?.associations.push({ associationId: e.associationId, subnetId: e.subnetId, main: false });
      return;
    case "RouteTableDisassociated": {
      const hit = findAssociation(region, e.associationId);
      if (hit) hit.table.associations = hit.table.associations.filter((a) => a !== hit.association);
      return;
    }
    case "RouteTableAssociationReplaced": {
      const hit = findAssociation(region, e.associationId);
      const to = region.routeTables.get(e.routeTableId);
      if (!hit || !to) return;
      hit.table.associations = hit.table.associations.filter((a) => a !== hit.association);
      to.associations.push({ ...hit.association, associationId: e.newAssociationId });
      return;
    }
  }
}

// ── wire shape ───────────────────────────────────────────────────────────────────────────────
function toEc2Route(region: RegionState, t: RouteTable, r: Route): Ec2Route {
  // EC2 shows the instance behind an interface target.
  const instanceId = r.instanceId ?? (r.networkInterfaceId ? instanceBehind(region, r)?.instanceId : undefined);
  return {
    DestinationCidrBlock: r.destinationCidrBlock,
    ...(r.gatewayId ? { GatewayId: r.gatewayId } : {}),
    ...(r.natGatewayId ? { NatGatewayId: r.natGatewayId } : {}),
    ...(instanceId ? { InstanceId: instanceId, InstanceOwnerId: t.ownerId } : {}),
    ...(r.networkInterfaceId ? { NetworkInterfaceId: r.networkInterfaceId } : {}),
    Origin: r.origin,
    State: routeActive(region, t, r) ? "active" : "blackhole",
  };
}

export const toEc2RouteTable = (region: RegionState, t: RouteTable): Ec2RouteTable => ({
  RouteTableId: t.routeTableId,
  VpcId: t.vpcId,
  OwnerId: t.ownerId,
  Routes: t.routes.map((r) => toEc2Route(region, t, r)),
  Associations: t.associations.map((a) => ({
    Main: a.main,
    RouteTableAssociationId: a.associationId,
    RouteTableId: t.routeTableId,
    ...(a.subnetId ? { SubnetId: a.subnetId } : {}),
    AssociationState: { State: "associated" },
  })),
  PropagatingVgws: [],
  Tags: toTagSet(t.tags) ?? [],
});

const tableFields = (region: RegionState) => ({
  "route-table-id": (t: RouteTable) => t.routeTableId,
  "vpc-id": (t: RouteTable) => t.vpcId,
  "owner-id": (t: RouteTable) => t.ownerId,
  "association.main": (t: RouteTable) => t.associations.map((a) => String(a.main)),
  "association.subnet-id": (t: RouteTable) => t.associations.map((a) => a.subnetId),
  "association.route-table-association-id": (t: RouteTable) => t.associations.map((a) => a.associationId),
  "association.route-table-id": (t: RouteTable) => (t.associations.length ? t.routeTableId : undefined),
  "association.association-state": (t: RouteTable) => t.associations.map(() => "associated"),
  "route.destination-cidr-block": (t: RouteTable) => t.routes.map((r) => r.destinationCidrBlock),
  "route.gateway-id": (t: RouteTable) => t.routes.map((r) => r.gatewayId),
  "route.nat-gateway-id": (t: RouteTable) => t.routes.map((r) => r.natGatewayId),
  "route.instance-id": (t: RouteTable) => t.routes.map((r) => r.instanceId),
  "route.network-interface-id": (t: RouteTable) => t.routes.map((r) => r.networkInterfaceId),
  "route.origin": (t: RouteTable) => t.routes.map((r) => r.origin),
  "route.state": (t: RouteTable) => t.routes.map((r) => (routeActive(region, t, r) ? "active" : "blackhole")),
});

// ── routes ───────────────────────────────────────────────────────────────────────────────────
/** Targets this sandbox does not model, named in the error. */
const UNSUPPORTED_TARGETS: [keyof CreateRouteRequest, string][] = [
  ["VpcPeeringConnectionId", "VPC peering connections"],
  ["TransitGatewayId", "transit gateways"],
  ["VpcEndpointId", "VPC endpoints"],
  ["EgressOnlyInternetGatewayId", "egress-only internet gateways (IPv6)"],
  ["CarrierGatewayId", "carrier gateways (Wavelength)"],
  ["LocalGatewayId", "local gateways (Outposts)"],
  ["CoreNetworkArn", "Cloud WAN core networks"],
  ["OdbNetworkArn", "Oracle Database@AWS networks"],
  ["DestinationIpv6CidrBlock", "IPv6 routes"],
  ["DestinationPrefixListId", "prefix-list destinations"],
];

/** Validates a CreateRoute/ReplaceRoute request into a route (one destination, one target). */
function routeFrom(tx: Tx, table: RouteTable, input: CreateRouteRequest): RouteTarget {
  for (const [k, what] of UNSUPPORTED_TARGETS)
    if (input[k] !== undefined) throw errors.unsupported(`Routes to ${what} are not supported by this sandbox`);
  const text = input.DestinationCidrBlock;
  if (!text) throw errors.missingParameter("DestinationCidrBlock");
  const dest = parseCidr(text);
  if (!dest || dest.base !== dest.network)
    throw new Ec2Error(
      "InvalidParameterValue",
      `Value (${text}) for parameter destinationCidrBlock is invalid. This is not a valid CIDR block.`,
    );
  const given = [input.GatewayId, input.NatGatewayId, input.NetworkInterfaceId, input.InstanceId].filter(
    (x) => x !== undefined,
  );
  if (given.length !== 1)
    throw errors.invalidCombination(
      "The request must contain exactly one of gatewayId, natGatewayId, networkInterfaceId or instanceId",
    );
  const vpcCidr = parseCidr(tx.region.vpcs.get(table.vpcId)!.cidrBlock)!;
  const gatewayTarget = input.GatewayId !== undefined || input.NatGatewayId !== undefined;
  if (gatewayTarget && cidrWithin(dest, vpcCidr) && dest.bits > vpcCidr.bits)
    throw new Ec2Error(
      "InvalidParameterValue",
      `The destination CIDR block ${text} is equal to or more specific than one of this VPC's CIDR blocks. This route can target only an interface or an instance.`,
    );
  const route: RouteTarget = { destinationCidrBlock: text };
  if (input.GatewayId !== undefined) {
    if (input.GatewayId.startsWith("vgw-"))
      throw errors.unsupported("Routes to virtual private gateways (VPN) are not supported by this sandbox");
    const g = requireInternetGateway(tx, input.GatewayId);
    if (g.vpcId !== table.vpcId)
      throw new Ec2Error(
        "InvalidParameterValue",
        `route table ${table.routeTableId} and network gateway ${g.internetGatewayId} belong to different networks`,
      );
    route.gatewayId = g.internetGatewayId;
  } else if (input.NatGatewayId !== undefined) {
    const n = requireNatGateway(tx, input.NatGatewayId);
    if (!natInUse(n)) throw new Ec2Error("InvalidParameterValue", `The NAT gateway ${n.natGatewayId} is ${n.state}`);
    if (n.vpcId !== table.vpcId)
      throw new Ec2Error(
        "InvalidParameterValue",
        `route table ${table.routeTableId} and NAT gateway ${n.natGatewayId} belong to different networks`,
      );
    route.natGatewayId = n.natGatewayId;
  } else if (input.InstanceId !== undefined) {
    const inst = requireInstance(tx, input.InstanceId);
    if (inst.vpcId !== table.vpcId)
      throw new Ec2Error(
        "InvalidParameterValue",
        `route table ${table.routeTableId} and instance ${inst.instanceId} belong to different networks`,
      );
    const ifs = interfacesOf(tx.region, inst);
    if (ifs.length > 1)
      throw new Ec2Error(
        "InvalidInstanceID",
        `There are multiple interfaces attached to instance '${inst.instanceId}'. Please specify an interface ID for the operation instead.`,
      );
    route.instanceId = inst.instanceId;
    route.networkInterfaceId = primaryInterfaceId(inst);
  } else if (input.NetworkInterfaceId !== undefined) {
    const v = requireInterface(tx, input.NetworkInterfaceId);
    if (v.vpcId !== table.vpcId)
      throw new Ec2Error(
        "InvalidParameterValue",
        `route table ${table.routeTableId} and interface ${v.networkInterfaceId} belong to different networks`,
      );
    route.networkInterfaceId = v.networkInterfaceId;
  } else {
    throw errors.unsupported("This route target is not supported by this sandbox yet");
  }
  return route;
}

const sameDestination = (r: Route, dest: string) => r.destinationCidrBlock === dest;

function assertSameVpc(table: RouteTable, subnet: Subnet): void {
  if (subnet.vpcId !== table.vpcId)
    throw new Ec2Error(
      "InvalidParameterValue",
      `routeTable ${table.routeTableId} and subnet ${subnet.subnetId} belong to different networks`,
    );
}

export const routeTableActions = {
  CreateRouteTable(tx: Tx, input: CreateRouteTableRequest): CreateRouteTableResult {
    const vpc = requireVpc(tx, input.VpcId);
    const tags = tagsFor(input.TagSpecifications, "route-table", ["route-table"]);
    const routeTableId = tx.newId("routeTable");
    tx.emit({
      type: "RouteTableCreated",
      region: tx.ctx.region,
      routeTableId,
      vpcId: vpc.vpcId,
      ownerId: tx.ctx.accountId,
      tags,
    });
    return { RouteTable: toEc2RouteTable(tx.region, tx.region.routeTables.get(routeTableId)!) };
  },

  DeleteRouteTable(tx: Tx, input: DeleteRouteTableRequest) {
    const t = requireRouteTable(tx, input.RouteTableId);
    // R31: the main table, and a table a subnet uses, stay.
    if (t.associations.length > 0)
      throw new Ec2Error(
        "DependencyViolation",
        `The routeTable '${t.routeTableId}' has dependencies and cannot be deleted.`,
      );
    tx.emit({ type: "RouteTableDeleted", region: tx.ctx.region, routeTableId: t.routeTableId });
    return {};
  },

  DescribeRouteTables(tx: Tx, input: DescribeRouteTablesRequest & { Filters?: Filter[] }): DescribeRouteTablesResult {
    const match = compileFilters(input.Filters, tableFields(tx.region));
    const rows = ownedById(tx.region.routeTables, tx.ctx.accountId, input.RouteTableIds, notFoundRouteTable).filter(
      match,
    );
    const { page, nextToken } = paginate(rows, input, { min: 5, max: 100 }, "rtbs");
    return { RouteTables: page.map((t) => toEc2RouteTable(tx.region, t)), NextToken: nextToken };
  },

  CreateRoute(tx: Tx, input: CreateRouteRequest) {
    const t = requireRouteTable(tx, input.RouteTableId);
    const route = routeFrom(tx, t, input);
    if (t.routes.some((r) => sameDestination(r, route.destinationCidrBlock)))
      throw new Ec2Error("RouteAlreadyExists", `The route identified by ${route.destinationCidrBlock} already exists.`);
    tx.emit({ type: "RouteCreated", region: tx.ctx.region, routeTableId: t.routeTableId, route });
    return { Return: true };
  },

  ReplaceRoute(tx: Tx, input: ReplaceRouteRequest) {
    const t = requireRouteTable(tx, input.RouteTableId);
    if (input.LocalTarget) throw errors.unsupported("Restoring a local route target is not supported by this sandbox");
    const route = routeFrom(tx, t, input);
    const old = t.routes.find((r) => sameDestination(r, route.destinationCidrBlock));
    if (!old)
      throw new Ec2Error(
        "InvalidParameterValue",
        `There is no route defined for '${route.destinationCidrBlock}' in the route table. Use CreateRoute instead.`,
      );
    if (old.gatewayId === "local")
      throw new Ec2Error(
        "InvalidParameterValue",
        `cannot replace local route ${old.destinationCidrBlock} in route table ${t.routeTableId}`,
      );
    tx.emit({ type: "RouteReplaced", region: tx.ctx.region, routeTableId: t.routeTableId, route });
    return {};
  },

  DeleteRoute(tx: Tx, input: DeleteRouteRequest) {
    const t = requireRouteTable(tx, input.RouteTableId);
    if (input.DestinationIpv6CidrBlock || input.DestinationPrefixListId)
      throw errors.unsupported("IPv6 and prefix-list routes are not supported by this sandbox");
    const dest = input.DestinationCidrBlock;
    if (!dest) throw errors.missingParameter("DestinationCidrBlock");
    const r = t.routes.find((x) => sameDestination(x, dest));
    if (!r)
      throw new Ec2Error(
        "InvalidRoute.NotFound",
        `no route with destination-cidr-block ${dest} in route table ${t.routeTableId}`,
      );
    if (r.gatewayId === "local")
      throw new Ec2Error("InvalidParameterValue", `cannot remove local route ${dest} in route table ${t.routeTableId}`);
    tx.emit({ type: "RouteDeleted", region: tx.ctx.region, routeTableId: t.routeTableId, destinationCidrBlock: dest });
    return {};
  },

  AssociateRouteTable(tx: Tx, input: AssociateRouteTableRequest): AssociateRouteTableResult {
    const t = requireRouteTable(tx, input.RouteTableId);
    if (input.GatewayId)
      throw errors.unsupported("Gateway route tables (edge associations) are not supported by this sandbox");
    if (!input.SubnetId) throw errors.missingParameter("SubnetId");
    const subnet = findSubnet(tx, input.SubnetId);
    assertSameVpc(t, subnet);
    for (const other of tx.region.routeTables.values()) {
      if (other.associations.some((a) => a.subnetId === subnet.subnetId))
        throw new Ec2Error(
          "Resource.AlreadyAssociated",
          `the specified association for route table ${t.routeTableId} conflicts with an existing association`,
        );
    }
    const associationId = tx.newId("routeTableAssociation");
    tx.emit({
      type: "RouteTableAssociated",
      region: tx.ctx.region,
      routeTableId: t.routeTableId,
      associationId,
      subnetId: subnet.subnetId,
    });
    return { AssociationId: associationId, AssociationState: { State: "associated" } };
  },

  DisassociateRouteTable(tx: Tx, input: DisassociateRouteTableRequest) {
    if (!input.AssociationId) throw errors.missingParameter("AssociationId");
    const hit = findAssociation(tx.region, input.AssociationId);
    if (!hit || hit.table.ownerId !== tx.ctx.accountId)
      throw new Ec2Error("InvalidAssociationID.NotFound", `The association ID '${input.AssociationId}' does not exist`);
    if (hit.association.main)
      throw new Ec2Error(
        "InvalidParameterValue",
        `cannot disassociate the main route table association ${input.AssociationId}`,
      );
    tx.emit({
      type: "RouteTableDisassociated",
      region: tx.ctx.region,
      routeTableId: hit.table.routeTableId,
      associationId: input.AssociationId,
    });
    return {};
  },

  ReplaceRouteTableAssociation(tx: Tx, input: ReplaceRouteTableAssociationRequest): ReplaceRouteTableAssociationResult {
    if (!input.AssociationId) throw errors.missingParameter("AssociationId");
    const hit = findAssociation(tx.region, input.AssociationId);
    if (!hit || hit.table.ownerId !== tx.ctx.accountId)
      throw new Ec2Error("InvalidAssociationID.NotFound", `The association ID '${input.AssociationId}' does not exist`);
    const to = requireRouteTable(tx, input.RouteTableId);
    if (to.vpcId !== hit.table.vpcId)
      throw new Ec2Error(
        "InvalidParameterValue",
        `routeTable ${to.routeTableId} and association ${input.AssociationId} belong to different networks`,
      );
    const newAssociationId = tx.newId("routeTableAssociation");
    tx.emit({
      type: "RouteTableAssociationReplaced",
      region: tx.ctx.region,
      associationId: input.AssociationId,
      newAssociationId,
      routeTableId: to.routeTableId,
    });
    return { NewAssociationId: newAssociationId, AssociationState: { State: "associated" } };
  },
};
