// aws_route_table, aws_default_route_table, aws_route, aws_route_table_association and
// data aws_route_table against the EC2 Query API.
import type { CreateRouteCommandInput, Route, RouteTable } from "@aws-sdk/client-ec2";
import { errorCode, isNotFound, type ResourceContext } from "../framework/context.ts";
import { isUnknown, UNKNOWN } from "../framework/msgpack.ts";
import type { DataSourceImpl, ResourceImpl } from "../framework/provider.ts";
import { isObj, type Obj } from "../framework/values.ts";
import {
  aws_default_route_table,
  aws_route,
  aws_route_table,
  aws_route_table_association,
  DEFAULT_ROUTE_TARGETS,
  data_aws_route_table,
  ROUTE_DESTINATIONS,
  ROUTE_RESOURCE_DESTINATIONS,
  ROUTE_RESOURCE_TARGETS,
  ROUTE_TARGETS,
} from "../schemas/route-tables.ts";
import {
  buildFilters,
  dataSourceTags,
  nullIfNotFound,
  objs,
  s,
  singleResult,
  stringHashcode,
  strs,
  tagSpecs,
  tagsAll,
  tagsFromApi,
  updateTags,
} from "./common.ts";

export async function findRouteTable(ctx: ResourceContext, id: string): Promise<RouteTable | null> {
  const ec2 = await ctx.ec2();
  return nullIfNotFound(
    async () =>
      (await ec2.describeRouteTables({ RouteTableIds: [id] })).RouteTables?.find((t) => t.RouteTableId === id) ?? null,
  );
}

const rtArn = (ctx: ResourceContext, t: RouteTable) =>
  `arn:aws:ec2:${ctx.region}:${t.OwnerId}:route-table/${t.RouteTableId}`;

/** An inline route's fields from EC2's Route (a VPC endpoint is reported in GatewayId). */
function routeFields(r: Route): Record<string, string | undefined> {
  const vpce = r.GatewayId?.startsWith("vpce-");
  return {
    cidr_block: r.DestinationCidrBlock,
    ipv6_cidr_block: r.DestinationIpv6CidrBlock,
    destination_prefix_list_id: r.DestinationPrefixListId,
    carrier_gateway_id: r.CarrierGatewayId,
    core_network_arn: r.CoreNetworkArn,
    egress_only_gateway_id: r.EgressOnlyInternetGatewayId,
    gateway_id: vpce ? undefined : r.GatewayId,
    instance_id: r.InstanceId,
    local_gateway_id: r.LocalGatewayId,
    nat_gateway_id: r.NatGatewayId,
    // An instance or NAT route also names an interface; hashicorp/aws keeps the target that was configured.
    network_interface_id: r.NatGatewayId ? undefined : r.NetworkInterfaceId,
    transit_gateway_id: r.TransitGatewayId,
    vpc_endpoint_id: vpce ? r.GatewayId : undefined,
    vpc_peering_connection_id: r.VpcPeeringConnectionId,
  };
}

/** The routes Terraform manages inline: not the local route, not propagated, not VPC-endpoint prefix lists. */
function managedRoutes(t: RouteTable): Route[] {
  return (t.Routes ?? []).filter(
    (r) =>
      r.GatewayId !== "local" &&
      r.Origin !== "EnableVgwRoutePropagation" &&
      !(r.DestinationPrefixListId && r.GatewayId?.startsWith("vpce-")),
  );
}

/** A route as the set element hashicorp/aws stores: every field present, "" when unset. */
function routeObject(fields: Record<string, unknown>, keys: readonly string[]): Obj {
  return Object.fromEntries(keys.map((k) => [k, fields[k] ?? ""]));
}

const routeKeys = (targets: readonly string[]) => [...ROUTE_DESTINATIONS, ...targets];

/** A configured route with nulls as "" (what state holds); unknowns stay unknown. */
function zeroRoute(r: Obj, keys: readonly string[]): Obj {
  return Object.fromEntries(keys.map((k) => [k, r[k] === null || r[k] === undefined ? "" : r[k]]));
}

const destinationOf = (r: Obj): [string, string] | undefined => {
  for (const k of ROUTE_DESTINATIONS) if (s(r[k])) return [k, r[k] as string];
  return undefined;
};
const targetOf = (r: Obj, targets: readonly string[]): [string, string] | undefined => {
  for (const k of targets) if (s(r[k])) return [k, r[k] as string];
  return undefined;
};

/** The destination members of CreateRoute/ReplaceRoute/DeleteRoute. */
function destinationInput([key, value]: [string, string]) {
  return key === "cidr_block" || key === "destination_cidr_block"
    ? { DestinationCidrBlock: value }
    : key === "ipv6_cidr_block" || key === "destination_ipv6_cidr_block"
      ? { DestinationIpv6CidrBlock: value }
      : { DestinationPrefixListId: value };
}

/** CreateRoute/ReplaceRoute members for a destination and a target. */
function routeInput(dest: [string, string], target: [string, string]): Omit<CreateRouteCommandInput, "RouteTableId"> {
  const [tk, tv] = target;
  const member: Record<string, keyof CreateRouteCommandInput> = {
    carrier_gateway_id: "CarrierGatewayId",
    core_network_arn: "CoreNetworkArn",
    egress_only_gateway_id: "EgressOnlyInternetGatewayId",
    gateway_id: "GatewayId",
    instance_id: "InstanceId",
    local_gateway_id: "LocalGatewayId",
    nat_gateway_id: "NatGatewayId",
    network_interface_id: "NetworkInterfaceId",
    transit_gateway_id: "TransitGatewayId",
    vpc_endpoint_id: "VpcEndpointId",
    vpc_peering_connection_id: "VpcPeeringConnectionId",
  };
  return { ...destinationInput(dest), [member[tk]!]: tv };
}

/** The route of `table` to `destination` (its value), if EC2 has it. */
function routeTo(t: RouteTable | null, destination: string): Route | undefined {
  return (t?.Routes ?? []).find(
    (r) =>
      r.DestinationCidrBlock === destination ||
      r.DestinationIpv6CidrBlock === destination ||
      r.DestinationPrefixListId === destination,
  );
}

async function waitRoute(ctx: ResourceContext, tableId: string, destination: string, timeoutMs: number) {
  return ctx.waitFor(`Route in Route Table (${tableId}) with destination (${destination})`, timeoutMs, async () => {
    const r = routeTo(await findRouteTable(ctx, tableId), destination);
    return r ?? undefined;
  });
}

/** Bring a table's inline routes from `from` to `to` (hashicorp/aws: replace on a new target, by destination). */
async function syncRoutes(
  ctx: ResourceContext,
  tableId: string,
  from: Obj[],
  to: Obj[],
  targets: readonly string[],
  timeoutMs: number,
) {
  const ec2 = await ctx.ec2();
  const fromByDest = new Map(from.map((r) => [destinationOf(r)?.[1], r]));
  const toDests = new Set(to.map((r) => destinationOf(r)?.[1]));
  for (const r of to) {
    const dest = destinationOf(r);
    const target = targetOf(r, targets);
    if (!dest || !target)
      throw new Error("creating route: exactly one destination and one target must be specified in each route");
    const old = fromByDest.get(dest[1]);
    if (old && targetOf(old, targets)?.join("=") === target.join("=")) continue;
    const input = { RouteTableId: tableId, ...routeInput(dest, target) };
    if (old) await ec2.replaceRoute(input);
    else await ec2.createRoute(input);
    await waitRoute(ctx, tableId, dest[1], timeoutMs);
  }
  for (const r of from) {
    const dest = destinationOf(r);
    if (!dest || toDests.has(dest[1])) continue;
    await nullIfNotFound(() => ec2.deleteRoute({ RouteTableId: tableId, ...destinationInput(dest) }));
  }
}

async function syncPropagation(ctx: ResourceContext, tableId: string, from: string[], to: string[]) {
  const ec2 = await ctx.ec2();
  for (const g of from.filter((x) => !to.includes(x)))
    await ec2.disableVgwRoutePropagation({ RouteTableId: tableId, GatewayId: g });
  for (const g of to.filter((x) => !from.includes(x)))
    await ec2.enableVgwRoutePropagation({ RouteTableId: tableId, GatewayId: g });
}

function flattenRouteTable(ctx: ResourceContext, t: RouteTable, state: Obj, targets: readonly string[]): Obj {
  return {
    id: t.RouteTableId,
    arn: rtArn(ctx, t),
    owner_id: t.OwnerId ?? null,
    propagating_vgws: (t.PropagatingVgws ?? []).map((g) => g.GatewayId).filter(Boolean),
    route: managedRoutes(t).map((r) => routeObject(routeFields(r), routeKeys(targets))),
    tags: tagsFromApi(ctx, t.Tags, state),
    vpc_id: t.VpcId ?? null,
  };
}

/** Configured inline routes are planned with "" for what they leave out, as the SDK stores them. */
function planRoutes(plan: Obj, config: Obj, targets: readonly string[]) {
  if (Array.isArray(config.route) && Array.isArray(plan.route))
    plan.route = plan.route.map((r) => (isObj(r) ? zeroRoute(r, routeKeys(targets)) : r));
}

async function updateRouteTable(ctx: ResourceContext, prior: Obj, plan: Obj, targets: readonly string[]) {
  const id = String(prior.id);
  if (Array.isArray(plan.propagating_vgws))
    await syncPropagation(ctx, id, strs(prior.propagating_vgws), strs(plan.propagating_vgws));
  if (Array.isArray(plan.route) && JSON.stringify(prior.route) !== JSON.stringify(plan.route))
    await syncRoutes(ctx, id, objs(prior.route), objs(plan.route), targets, ctx.timeout("update"));
  if (JSON.stringify(prior.tags_all) !== JSON.stringify(plan.tags_all)) await updateTags(ctx, id, prior, plan);
}

export const awsRouteTable: ResourceImpl = {
  schema: aws_route_table,
  title: "Route Table",
  modifyPlan({ plan, config }) {
    planRoutes(plan, config, ROUTE_TARGETS);
  },
  async create(ctx, plan) {
    const ec2 = await ctx.ec2();
    const out = await ec2.createRouteTable({
      VpcId: s(plan.vpc_id),
      TagSpecifications: tagSpecs("route-table", tagsAll(plan)),
    });
    const id = out.RouteTable!.RouteTableId!;
    ctx.partial = { id };
    await ctx.waitFor(`Route Table (${id}) create`, ctx.timeout("create"), async () =>
      (await findRouteTable(ctx, id)) ? true : undefined,
    );
    await syncPropagation(ctx, id, [], strs(plan.propagating_vgws));
    await syncRoutes(ctx, id, [], objs(plan.route), ROUTE_TARGETS, ctx.timeout("create"));
    const t = await findRouteTable(ctx, id);
    if (!t) throw new Error(`Route Table (${id}) not found after create`);
    return flattenRouteTable(ctx, t, plan, ROUTE_TARGETS);
  },
  async read(ctx, state) {
    const t = await findRouteTable(ctx, String(state.id));
    return t ? flattenRouteTable(ctx, t, state, ROUTE_TARGETS) : null;
  },
  async update(ctx, prior, plan) {
    await updateRouteTable(ctx, prior, plan, ROUTE_TARGETS);
  },
  async delete(ctx, state) {
    const id = String(state.id);
    const ec2 = await ctx.ec2();
    const t = await findRouteTable(ctx, id);
    if (!t) return;
    for (const a of t.Associations ?? [])
      if (!a.Main && a.RouteTableAssociationId)
        await nullIfNotFound(() => ec2.disassociateRouteTable({ AssociationId: a.RouteTableAssociationId! }));
    await nullIfNotFound(() => ec2.deleteRouteTable({ RouteTableId: id }));
    await ctx.waitFor(`Route Table (${id}) delete`, ctx.timeout("delete"), async () =>
      (await findRouteTable(ctx, id)) ? undefined : true,
    );
  },
};

/** The main route table of a VPC (what aws_default_route_table is imported by). */
async function mainRouteTableOf(ctx: ResourceContext, vpcId: string): Promise<RouteTable | null> {
  const ec2 = await ctx.ec2();
  const out = await ec2.describeRouteTables({
    Filters: [
      { Name: "vpc-id", Values: [vpcId] },
      { Name: "association.main", Values: ["true"] },
    ],
  });
  return out.RouteTables?.[0] ?? null;
}

export const awsDefaultRouteTable: ResourceImpl = {
  schema: aws_default_route_table,
  title: "Default Route Table",
  modifyPlan({ plan, config }) {
    planRoutes(plan, config, DEFAULT_ROUTE_TARGETS);
  },
  async create(ctx, plan) {
    const id = String(plan.default_route_table_id);
    const t = await findRouteTable(ctx, id);
    if (!t) throw new Error(`EC2 Default Route Table (${id}) not found`);
    ctx.partial = { id };
    // Adoption, as hashicorp/aws: the table's routes and propagations become exactly the configured ones.
    const current = flattenRouteTable(ctx, t, plan, DEFAULT_ROUTE_TARGETS);
    await syncPropagation(ctx, id, strs(current.propagating_vgws), strs(plan.propagating_vgws));
    await syncRoutes(ctx, id, objs(current.route), objs(plan.route), DEFAULT_ROUTE_TARGETS, ctx.timeout("create"));
    const tags = Object.fromEntries(
      (t.Tags ?? []).filter((x) => x.Key && !x.Key.startsWith("aws:")).map((x) => [x.Key!, x.Value ?? ""]),
    );
    await updateTags(ctx, id, { tags_all: tags }, plan);
    const fresh = (await findRouteTable(ctx, id)) ?? t;
    return { ...flattenRouteTable(ctx, fresh, plan, DEFAULT_ROUTE_TARGETS), default_route_table_id: id };
  },
  async read(ctx, state) {
    // Imported by VPC ID (as hashicorp/aws documents it) or by route table ID.
    const ref = String(state.id);
    const t = ref.startsWith("vpc-") ? await mainRouteTableOf(ctx, ref) : await findRouteTable(ctx, ref);
    if (!t) return null;
    return {
      ...flattenRouteTable(ctx, t, state, DEFAULT_ROUTE_TARGETS),
      default_route_table_id: t.RouteTableId,
    };
  },
  async update(ctx, prior, plan) {
    await updateRouteTable(ctx, prior, plan, DEFAULT_ROUTE_TARGETS);
  },
  async delete() {
    // As hashicorp/aws: a VPC's main route table cannot be deleted; destroy only forgets it.
  },
};

// ---- aws_route ----
/** hashicorp/aws's route ID: "r-" + the table ID + a hash of the destination. */
export const routeId = (tableId: string, destination: string) => `r-${tableId}${stringHashcode(destination)}`;

const routeDestination = (r: Obj): [string, string] | undefined => {
  for (const k of ROUTE_RESOURCE_DESTINATIONS) if (s(r[k])) return [k, r[k] as string];
  return undefined;
};

function flattenRoute(r: Route): Obj {
  const vpce = r.GatewayId?.startsWith("vpce-");
  return {
    carrier_gateway_id: r.CarrierGatewayId ?? "",
    core_network_arn: r.CoreNetworkArn ?? "",
    destination_cidr_block: r.DestinationCidrBlock ?? "",
    destination_ipv6_cidr_block: r.DestinationIpv6CidrBlock ?? "",
    destination_prefix_list_id: r.DestinationPrefixListId ?? "",
    egress_only_gateway_id: r.EgressOnlyInternetGatewayId ?? "",
    gateway_id: vpce ? "" : (r.GatewayId ?? ""),
    instance_id: r.InstanceId ?? "",
    instance_owner_id: r.InstanceOwnerId ?? "",
    local_gateway_id: r.LocalGatewayId ?? "",
    nat_gateway_id: r.NatGatewayId ?? "",
    network_interface_id: r.NetworkInterfaceId ?? "",
    origin: r.Origin ?? "",
    state: r.State ?? "",
    transit_gateway_id: r.TransitGatewayId ?? "",
    vpc_endpoint_id: vpce ? (r.GatewayId ?? "") : "",
    vpc_peering_connection_id: r.VpcPeeringConnectionId ?? "",
  };
}

export const awsRoute: ResourceImpl = {
  schema: aws_route,
  title: "Route",
  importState(id) {
    // ROUTETABLEID_DESTINATION
    const i = id.indexOf("_");
    if (i <= 0 || i === id.length - 1)
      throw new Error(`unexpected format of ID (${JSON.stringify(id)}), expected ROUTETABLEID_DESTINATION`);
    const table = id.slice(0, i);
    const dest = id.slice(i + 1);
    const key = dest.includes(":")
      ? "destination_ipv6_cidr_block"
      : dest.includes(".")
        ? "destination_cidr_block"
        : "destination_prefix_list_id";
    return { id: routeId(table, dest), route_table_id: table, [key]: dest };
  },
  async create(ctx, plan) {
    const ec2 = await ctx.ec2();
    const dest = routeDestination(plan);
    const target = targetOf(plan, ROUTE_RESOURCE_TARGETS);
    if (!dest || !target) throw new Error("creating Route: a destination and a target must be given");
    const table = String(plan.route_table_id);
    try {
      await ec2.createRoute({ RouteTableId: table, ...routeInput(dest, target) });
    } catch (err) {
      if (errorCode(err) === "InvalidGatewayID.NotFound" && target[1] === "local")
        throw new Error("cannot create local Route, use `terraform import` to manage existing local Routes");
      throw err;
    }
    ctx.partial = { id: routeId(table, dest[1]) };
    const r = await waitRoute(ctx, table, dest[1], ctx.timeout("create"));
    return { id: routeId(table, dest[1]), ...flattenRoute(r) };
  },
  async read(ctx, state) {
    const dest = routeDestination(state);
    if (!dest) throw new Error("reading Route: no destination in state");
    const r = routeTo(await findRouteTable(ctx, String(state.route_table_id)), dest[1]);
    return r ? flattenRoute(r) : null;
  },
  async update(ctx, _prior, plan) {
    const ec2 = await ctx.ec2();
    const dest = routeDestination(plan)!;
    const target = targetOf(plan, ROUTE_RESOURCE_TARGETS);
    if (!target) throw new Error("updating Route: a target must be given");
    const table = String(plan.route_table_id);
    await ec2.replaceRoute(
      target[0] === "gateway_id" && target[1] === "local"
        ? { RouteTableId: table, ...routeInput(dest, target), GatewayId: undefined, LocalTarget: true }
        : { RouteTableId: table, ...routeInput(dest, target) },
    );
    return flattenRoute(await waitRoute(ctx, table, dest[1], ctx.timeout("update")));
  },
  async delete(ctx, state) {
    const ec2 = await ctx.ec2();
    const dest = routeDestination(state);
    if (!dest) return;
    try {
      await ec2.deleteRoute({ RouteTableId: String(state.route_table_id), ...destinationInput(dest) });
    } catch (err) {
      if (isNotFound(err)) return;
      // An imported local route cannot be deleted: it leaves the state only.
      if (errorCode(err) === "InvalidParameterValue" && /local route/i.test((err as Error).message)) return;
      throw err;
    }
  },
};

// ---- aws_route_table_association ----
async function findAssociation(ctx: ResourceContext, associationId: string) {
  const ec2 = await ctx.ec2();
  const out = await nullIfNotFound(() =>
    ec2.describeRouteTables({
      Filters: [{ Name: "association.route-table-association-id", Values: [associationId] }],
    }),
  );
  for (const t of out?.RouteTables ?? [])
    for (const a of t.Associations ?? []) if (a.RouteTableAssociationId === associationId) return a;
  return null;
}

async function waitAssociated(ctx: ResourceContext, associationId: string, timeoutMs: number) {
  return ctx.waitFor(`Route Table Association (${associationId})`, timeoutMs, async () => {
    const a = await findAssociation(ctx, associationId);
    const st = a?.AssociationState?.State;
    if (st === "failed") throw new Error(`Route Table Association (${associationId}) failed`);
    return a && (!st || st === "associated") ? a : undefined;
  });
}

export const awsRouteTableAssociation: ResourceImpl = {
  schema: aws_route_table_association,
  title: "Route Table Association",
  modifyPlan({ prior, plan }) {
    // A new route table means a new association ID (ReplaceRouteTableAssociation).
    if (prior && !isUnknown(plan.route_table_id) && plan.route_table_id !== prior.route_table_id) plan.id = UNKNOWN;
  },
  importState(id) {
    // SUBNETID/ROUTETABLEID or GATEWAYID/ROUTETABLEID: resolved to the association by read.
    const [target, table] = id.split("/");
    if (!target || !table)
      throw new Error(
        `unexpected format for ID (${id}), expected E.g. SUBNETID/ROUTETABLEID or GATEWAYID/ROUTETABLEID`,
      );
    return { id, route_table_id: table, [target.startsWith("subnet-") ? "subnet_id" : "gateway_id"]: target };
  },
  async create(ctx, plan) {
    const ec2 = await ctx.ec2();
    const out = await ec2.associateRouteTable({
      RouteTableId: String(plan.route_table_id),
      SubnetId: s(plan.subnet_id),
      GatewayId: s(plan.gateway_id),
    });
    const id = out.AssociationId!;
    ctx.partial = { id };
    await waitAssociated(ctx, id, ctx.timeout("create"));
    return { id };
  },
  async read(ctx, state) {
    const ref = String(state.id);
    if (ref.includes("/")) {
      const [target, table] = ref.split("/");
      const t = await findRouteTable(ctx, table!);
      const a = (t?.Associations ?? []).find((x) => x.SubnetId === target || x.GatewayId === target);
      if (!a) throw new Error(`no association of ${target} with route table ${table} was found`);
      return {
        id: a.RouteTableAssociationId,
        route_table_id: a.RouteTableId,
        subnet_id: a.SubnetId ?? "",
        gateway_id: a.GatewayId ?? "",
      };
    }
    const a = await findAssociation(ctx, ref);
    if (!a || a.AssociationState?.State === "disassociated") return null;
    return { route_table_id: a.RouteTableId, subnet_id: a.SubnetId ?? "", gateway_id: a.GatewayId ?? "" };
  },
  async update(ctx, prior, plan) {
    const ec2 = await ctx.ec2();
    const out = await ec2.replaceRouteTableAssociation({
      AssociationId: String(prior.id),
      RouteTableId: String(plan.route_table_id),
    });
    const id = out.NewAssociationId!;
    await waitAssociated(ctx, id, ctx.timeout("update"));
    return { id };
  },
  async delete(ctx, state) {
    const ec2 = await ctx.ec2();
    await nullIfNotFound(() => ec2.disassociateRouteTable({ AssociationId: String(state.id) }));
  },
};

// ---- data aws_route_table ----
export const dataAwsRouteTable: DataSourceImpl = {
  schema: data_aws_route_table,
  title: "Route Table",
  async read(ctx, config) {
    const ec2 = await ctx.ec2();
    const out = await ec2.describeRouteTables({
      Filters: buildFilters(
        config,
        {
          "route-table-id": config.route_table_id,
          "vpc-id": config.vpc_id,
          "association.subnet-id": config.subnet_id,
          "association.gateway-id": config.gateway_id,
        },
        [config.tags],
      ),
    });
    const t = singleResult(out.RouteTables, "Route Table");
    const keys = [...ROUTE_DESTINATIONS, ...ROUTE_TARGETS, "instance_id"];
    return {
      id: t.RouteTableId,
      arn: rtArn(ctx, t),
      associations: (t.Associations ?? []).map((a) => ({
        gateway_id: a.GatewayId ?? "",
        main: a.Main ?? false,
        route_table_association_id: a.RouteTableAssociationId ?? "",
        route_table_id: a.RouteTableId ?? "",
        subnet_id: a.SubnetId ?? "",
      })),
      owner_id: t.OwnerId ?? null,
      route_table_id: t.RouteTableId,
      routes: managedRoutes(t).map((r) => routeObject(routeFields(r), keys)),
      tags: dataSourceTags(ctx, t.Tags),
      vpc_id: t.VpcId ?? null,
    };
  },
};
