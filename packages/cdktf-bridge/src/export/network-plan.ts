/**
 * The networking part of an export: a region's own VPCs, subnets, internet gateways, route tables,
 * routes and associations, NAT gateways (with their Elastic IP, exported with the other addresses),
 * network interfaces made on their own and their attachments, as blocks that reference each other,
 * and the references the rest of the export takes from them (an instance's subnet, a group's VPC, a
 * custom VPC's default group). The default VPC is looked up, not managed; a VPC's main route table is
 * the VPC's `main_route_table_id`. Interfaces an instance was launched with come with it.
 */
import type { RegionState, Route } from "@ec2sim/core";
import { type Block, type Namer, type NotExported, ref, type Value } from "../plan.ts";

export interface NetworkPlanContext {
  region: string;
  acct: string;
  r: RegionState;
  namer: Namer;
  /** sandbox resource ID -> block key (shared with the rest of the export). */
  keyOf: Map<string, string>;
  add(b: Omit<Block, "provider">): Block;
  tags(m: Map<string, string>, id: string): Record<string, string>;
  note(resource: string, kind: string, reason: string, severity?: NotExported["severity"]): void;
}

export interface NetworkPlan {
  /** The VPC of a group or subnet: a reference, or undefined for the default VPC (nothing to say). */
  vpcValue(vpcId: string): Value | undefined;
  /** The subnet of an instance: a reference, or undefined for a default subnet (its zone says it). */
  subnetValue(subnetId: string | undefined): Value | undefined;
  /** A custom VPC's default security group, referenced through its VPC. */
  defaultGroupValue(vpcId: string): Value | undefined;
  /** Adds the blocks; call after every name is known (routes may target instances, interfaces name groups). */
  addBlocks(instanceKey: (id: string) => string | undefined, groupValue: (id: string) => Value | undefined): void;
}

/** Names the region's networking resources (so that anything may reference them) and returns the plan. */
export function planNetwork(ctx: NetworkPlanContext): NetworkPlan {
  const { r, region, acct, namer, keyOf } = ctx;
  const mine = (x: { ownerId: string }) => x.ownerId === acct;
  const vpcs = [...r.vpcs.values()].filter((v) => mine(v) && !v.isDefault);
  const defaultVpcIds = new Set([...r.vpcs.values()].filter((v) => mine(v) && v.isDefault).map((v) => v.vpcId));
  const subnets = [...r.subnets.values()].filter((s) => mine(s) && !s.defaultForAz);
  const igws = [...r.internetGateways.values()].filter((g) => mine(g) && !(g.vpcId && defaultVpcIds.has(g.vpcId)));
  const tables = [...r.routeTables.values()].filter((t) => mine(t) && !defaultVpcIds.has(t.vpcId));
  const isMain = (t: { associations: { main: boolean }[] }) => t.associations.some((a) => a.main);

  for (const v of vpcs) keyOf.set(v.vpcId, namer.unique(v.tags.get("Name") ?? v.vpcId, v.vpcId));
  for (const s of subnets) keyOf.set(s.subnetId, namer.unique(s.tags.get("Name") ?? s.subnetId, s.subnetId));
  for (const g of igws)
    keyOf.set(g.internetGatewayId, namer.unique(g.tags.get("Name") ?? g.internetGatewayId, g.internetGatewayId));
  for (const t of tables)
    if (!isMain(t)) keyOf.set(t.routeTableId, namer.unique(t.tags.get("Name") ?? t.routeTableId, t.routeTableId));
  const live = new Set(["pending", "available"]);
  const nats = [...r.natGateways.values()].filter((n) => mine(n) && live.has(n.state));
  for (const n of nats) {
    const key = namer.unique(n.tags.get("Name") ?? n.natGatewayId, n.natGatewayId);
    keyOf.set(n.natGatewayId, key);
    // Its Elastic IP is exported with the other addresses, under a name that says whose it is.
    const eip = n.allocationId ? r.addresses.get(n.allocationId) : undefined;
    if (eip) keyOf.set(eip.allocationId, namer.unique(eip.tags.get("Name") ?? `${key}-eip`, eip.allocationId));
  }
  const enis = [...r.networkInterfaces.values()].filter(
    (e) => mine(e) && !e.requesterManaged && e.interfaceType === "interface",
  );
  for (const e of enis)
    if (!e.attachment?.deleteOnTermination)
      keyOf.set(e.networkInterfaceId, namer.unique(e.tags.get("Name") ?? e.networkInterfaceId, e.networkInterfaceId));

  let defaultVpcKey: string | undefined;
  const defaultVpc = (): Value => {
    defaultVpcKey ??= (() => {
      const key = namer.unique(`default-vpc-${region}`);
      ctx.add({
        key,
        kind: "data",
        tfType: "aws_vpc",
        region,
        config: { default: true },
        comment: `The default VPC of ${region}: every account has one (its ID differs), so look it up`,
      });
      return key;
    })();
    return ref(defaultVpcKey);
  };
  const vpcValue = (vpcId: string): Value | undefined =>
    keyOf.has(vpcId) && !defaultVpcIds.has(vpcId) ? ref(keyOf.get(vpcId)!) : undefined;
  /** A table: its block, or for a main table the VPC's main_route_table_id. */
  const tableValue = (tableId: string): Value | undefined => {
    if (keyOf.has(tableId)) return ref(keyOf.get(tableId)!);
    const t = r.routeTables.get(tableId);
    return t && vpcValue(t.vpcId) ? ref(keyOf.get(t.vpcId)!, "mainRouteTableId") : undefined;
  };

  return {
    vpcValue,
    subnetValue: (id) => (id && keyOf.has(id) ? ref(keyOf.get(id)!) : undefined),
    defaultGroupValue: (vpcId) => (vpcValue(vpcId) ? ref(keyOf.get(vpcId)!, "defaultSecurityGroupId") : undefined),
    addBlocks(instanceKey, groupValue) {
      for (const v of vpcs) {
        const config: Record<string, Value> = { cidrBlock: v.cidrBlock };
        if (v.enableDnsHostnames) config.enableDnsHostnames = true;
        if (!v.enableDnsSupport) config.enableDnsSupport = false;
        if (v.enableNetworkAddressUsageMetrics) config.enableNetworkAddressUsageMetrics = true;
        if (v.instanceTenancy !== "default") config.instanceTenancy = v.instanceTenancy;
        config.tags = ctx.tags(v.tags, v.vpcId);
        ctx.add({
          key: keyOf.get(v.vpcId)!,
          kind: "resource",
          tfType: "aws_vpc",
          region,
          origin: v.vpcId,
          config,
          comment: `VPC ${v.tags.get("Name") ?? v.vpcId} (${v.vpcId}, ${v.cidrBlock}); its main route table and default security group come with it`,
        });
      }
      for (const s of subnets) {
        const config: Record<string, Value> = {
          vpcId: vpcValue(s.vpcId) ?? defaultVpc(),
          cidrBlock: s.cidrBlock,
          availabilityZone: s.availabilityZone,
        };
        if (s.mapPublicIpOnLaunch) config.mapPublicIpOnLaunch = true;
        config.tags = ctx.tags(s.tags, s.subnetId);
        ctx.add({
          key: keyOf.get(s.subnetId)!,
          kind: "resource",
          tfType: "aws_subnet",
          region,
          origin: s.subnetId,
          config,
          comment: `Subnet ${s.tags.get("Name") ?? s.subnetId} (${s.subnetId}, ${s.cidrBlock} in ${s.availabilityZone})${s.mapPublicIpOnLaunch ? ", public IPs on launch" : ""}`,
        });
      }
      for (const g of igws) {
        const config: Record<string, Value> = {};
        if (g.vpcId) config.vpcId = vpcValue(g.vpcId) ?? null;
        config.tags = ctx.tags(g.tags, g.internetGatewayId);
        ctx.add({
          key: keyOf.get(g.internetGatewayId)!,
          kind: "resource",
          tfType: "aws_internet_gateway",
          region,
          origin: g.internetGatewayId,
          config,
          comment: `Internet gateway ${g.tags.get("Name") ?? g.internetGatewayId} (${g.internetGatewayId})${g.vpcId ? ` attached to ${g.vpcId}` : ", not attached"}`,
        });
      }
      for (const t of tables) {
        const main = isMain(t);
        const tkey = main ? undefined : keyOf.get(t.routeTableId)!;
        if (tkey)
          ctx.add({
            key: tkey,
            kind: "resource",
            tfType: "aws_route_table",
            region,
            origin: t.routeTableId,
            config: { vpcId: vpcValue(t.vpcId)!, tags: ctx.tags(t.tags, t.routeTableId) },
            comment: `Route table ${t.tags.get("Name") ?? t.routeTableId} (${t.routeTableId}); its routes and associations follow`,
          });
        else if ([...t.tags.keys()].some((k) => !k.startsWith("aws:")))
          ctx.note(
            t.routeTableId,
            "main route table tags",
            "the main route table comes with its VPC; its tags are not exported (aws_default_route_table would carry them)",
            "partial",
          );
        const table = tableValue(t.routeTableId)!;
        const tname = tkey ?? `${keyOf.get(t.vpcId)}-main`;
        for (const route of t.routes) {
          const target = routeTargetValue(route, instanceKey);
          if (target === "local") continue;
          if (!target) {
            ctx.note(`${t.routeTableId} ${route.destinationCidrBlock}`, "route", "its target is not exported");
            continue;
          }
          ctx.add({
            key: namer.unique(
              `${tname}-${route.destinationCidrBlock === "0.0.0.0/0" ? "default" : route.destinationCidrBlock.replace(/\/\d+$/, "")}`,
            ),
            kind: "resource",
            tfType: "aws_route",
            region,
            config: { routeTableId: table, destinationCidrBlock: route.destinationCidrBlock, ...target },
            comment: `${route.destinationCidrBlock} via ${Object.values(routeIds(route))[0]} in ${t.routeTableId}${tkey ? "" : " (the VPC's main route table)"}`,
          });
        }
        for (const a of t.associations) {
          if (a.main || !a.subnetId) continue;
          const subnet = keyOf.get(a.subnetId);
          if (!subnet) {
            ctx.note(a.associationId, "route table association", `its subnet ${a.subnetId} is not exported`);
            continue;
          }
          ctx.add({
            key: namer.unique(`${subnet}-${tname}`),
            kind: "resource",
            tfType: "aws_route_table_association",
            region,
            config: { subnetId: ref(subnet), routeTableId: table },
            comment: `${a.subnetId} uses ${t.routeTableId}`,
          });
        }
      }
      for (const n of nats) {
        const subnet = keyOf.get(n.subnetId);
        if (!subnet) {
          ctx.note(n.natGatewayId, "NAT gateway", `its subnet ${n.subnetId} is not exported (a default subnet)`);
          keyOf.delete(n.natGatewayId);
          continue;
        }
        const config: Record<string, Value> = { subnetId: ref(subnet) };
        if (n.connectivityType === "private") config.connectivityType = "private";
        else if (n.allocationId && keyOf.has(n.allocationId)) config.allocationId = ref(keyOf.get(n.allocationId)!);
        config.tags = ctx.tags(n.tags, n.natGatewayId);
        // A public NAT gateway needs its VPC's internet gateway attached first (else it fails), as
        // hashicorp/aws's documentation says with depends_on.
        const igw = igws.find((g) => g.vpcId === n.vpcId);
        if (n.connectivityType === "public" && igw)
          config.dependsOn = [{ $ref: keyOf.get(igw.internetGatewayId)!, path: [] }];
        ctx.add({
          key: keyOf.get(n.natGatewayId)!,
          kind: "resource",
          tfType: "aws_nat_gateway",
          region,
          origin: n.natGatewayId,
          config,
          comment: `NAT gateway ${n.tags.get("Name") ?? n.natGatewayId} (${n.natGatewayId}, ${n.connectivityType}) in ${n.subnetId}${n.allocationId ? ` with ${n.allocationId}` : ""}`,
        });
      }
      for (const e of enis) {
        const att = e.attachment;
        if (att?.deleteOnTermination) {
          ctx.note(
            e.networkInterfaceId,
            "network interface",
            `it was made by ${att.instanceId}'s launch and goes with the instance; aws_instance does not recreate launch-time interfaces beyond the primary`,
            "partial",
          );
          continue;
        }
        const key = keyOf.get(e.networkInterfaceId)!;
        const subnet = keyOf.get(e.subnetId);
        if (!subnet) {
          ctx.note(
            e.networkInterfaceId,
            "network interface",
            `its subnet ${e.subnetId} is not exported (a default subnet)`,
          );
          keyOf.delete(e.networkInterfaceId);
          continue;
        }
        const config: Record<string, Value> = { subnetId: ref(subnet) };
        if (e.description) config.description = e.description;
        const groups = e.groupIds.map(groupValue).filter((v): v is Value => v !== undefined);
        if (groups.length) config.securityGroups = groups;
        if (!e.sourceDestCheck) config.sourceDestCheck = false;
        // Addresses are not pinned (the new subnet may hand out others), only how many secondaries.
        if (e.secondaryPrivateIps.length) config.privateIpsCount = e.secondaryPrivateIps.length;
        config.tags = ctx.tags(e.tags, e.networkInterfaceId);
        ctx.add({
          key,
          kind: "resource",
          tfType: "aws_network_interface",
          region,
          origin: e.networkInterfaceId,
          config,
          comment: `Network interface ${e.tags.get("Name") ?? e.networkInterfaceId} (${e.networkInterfaceId}, ${e.privateIpAddress}${e.secondaryPrivateIps.length ? ` + ${e.secondaryPrivateIps.length} secondary` : ""}) in ${e.subnetId}`,
        });
        if (!att) continue;
        const inst = instanceKey(att.instanceId);
        if (!inst) {
          ctx.note(
            `${e.networkInterfaceId} -> ${att.instanceId}`,
            "interface attachment",
            `the instance ${att.instanceId} is not exported`,
          );
          continue;
        }
        ctx.add({
          key: namer.unique(`${key}-attachment`),
          kind: "resource",
          tfType: "aws_network_interface_attachment",
          region,
          config: { instanceId: ref(inst), networkInterfaceId: ref(key), deviceIndex: att.deviceIndex },
          comment: `${key} on ${inst} as device ${att.deviceIndex}`,
        });
      }
      // What was changed in the default VPC's own network is not exported (it is not managed).
      for (const t of r.routeTables.values()) {
        if (!mine(t) || !defaultVpcIds.has(t.vpcId)) continue;
        // EC2 made the local route and the default route to the default gateway; anything else is the user's.
        const added = t.routes.filter(
          (x) =>
            x.gatewayId !== "local" && !(x.destinationCidrBlock === "0.0.0.0/0" && x.gatewayId?.startsWith("igw-")),
        );
        if (!isMain(t) || added.length)
          ctx.note(
            t.routeTableId,
            "default VPC route table",
            "route tables and routes of the default VPC are not exported (the default VPC is not managed)",
          );
      }

      function routeIds(route: Route) {
        return {
          ...(route.gatewayId ? { gateway: route.gatewayId } : {}),
          ...(route.natGatewayId ? { nat: route.natGatewayId } : {}),
          ...(route.instanceId ? { instance: route.instanceId } : {}),
          ...(route.networkInterfaceId ? { eni: route.networkInterfaceId } : {}),
        };
      }

      /** A route's target as config (its gateway, NAT gateway or instance by reference), "local", or undefined. */
      function routeTargetValue(
        route: Route,
        instKey: (id: string) => string | undefined,
      ): Record<string, Value> | "local" | undefined {
        if (route.gatewayId === "local") return "local";
        if (route.gatewayId)
          return keyOf.has(route.gatewayId) ? { gatewayId: ref(keyOf.get(route.gatewayId)!) } : undefined;
        if (route.natGatewayId)
          return keyOf.has(route.natGatewayId) ? { natGatewayId: ref(keyOf.get(route.natGatewayId)!) } : undefined;
        if (route.instanceId) {
          const k = instKey(route.instanceId);
          return k ? { networkInterfaceId: ref(k, "primaryNetworkInterfaceId") } : undefined;
        }
        if (route.networkInterfaceId)
          return keyOf.has(route.networkInterfaceId)
            ? { networkInterfaceId: ref(keyOf.get(route.networkInterfaceId)!) }
            : undefined;
        return undefined;
      }
    },
  };
}
