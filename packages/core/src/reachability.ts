/**
 * Internet reachability (R29): traffic from the internet reaches an instance only through a public
 * IPv4 (auto-assigned or Elastic) on one of its interfaces, an internet gateway attached to the
 * VPC, a route to that gateway covering the caller's address in the route table of the interface's
 * subnet (else the VPC's main table), and security-group rules that let it in (R19). The first piece
 * missing is named, as a user debugging a timeout would want to hear it.
 */
import { Ec2Error } from "./errors.ts";
import { gatewayOf } from "./internet-gateways.ts";
import type { Instance, SecurityGroup } from "./model.ts";
import { addressesOf, interfacesOf, publicIpOf } from "./network-interfaces.ts";
import { routeTo, tableOfSubnet } from "./route-tables.ts";
import { allowsEgress, allowsIngress } from "./security-groups.ts";
import type { RegionState } from "./state.ts";

/** A way in: the public address, and the groups of the interface that holds it. */
export interface PublicEntry {
  publicIp: string;
  subnetId: string;
  vpcId: string;
  groupIds: string[];
}

/** The instance's public addresses (on any private address of any interface), primary interface first. */
export function publicEntries(region: RegionState, inst: Instance): PublicEntry[] {
  const out: PublicEntry[] = [];
  for (const v of interfacesOf(region, inst))
    for (const ip of addressesOf(v)) {
      const pub = publicIpOf(region, v, ip);
      if (pub) out.push({ publicIp: pub.publicIp, subnetId: v.subnetId, vpcId: v.vpcId, groupIds: [...v.groupIds] });
    }
  return out;
}

const timedOut = (ip: string, port: number, why: string) =>
  new Ec2Error("SshConnectionTimedOut", `ssh: connect to host ${ip} port ${port}: Connection timed out (${why})`);

/**
 * The first entry through which TCP `port` from `sourceIp` reaches the instance, or the error that
 * names the first missing piece (of the primary interface's path when no entry gets through).
 */
export function reachFromInternet(region: RegionState, inst: Instance, sourceIp: string, port: number): PublicEntry {
  const entries = publicEntries(region, inst);
  if (entries.length === 0)
    throw new Ec2Error(
      "SshNoPublicAddress",
      `${inst.instanceId} has no public IPv4 address: associate an Elastic IP or launch it in a subnet that assigns public IPs`,
    );
  let first: Ec2Error | undefined;
  for (const e of entries) {
    const why = missingPiece(region, e, sourceIp, port);
    if (!why) return e;
    first ??= timedOut(e.publicIp, port, why);
  }
  throw first!;
}

/** What stops traffic from `sourceIp` to `port` on one entry, or undefined when nothing does. */
function missingPiece(region: RegionState, e: PublicEntry, sourceIp: string, port: number): string | undefined {
  const igw = gatewayOf(region, e.vpcId);
  if (!igw) return `VPC ${e.vpcId} has no internet gateway attached`;
  const subnet = region.subnets.get(e.subnetId);
  const table = subnet ? tableOfSubnet(region, subnet) : undefined;
  const hit = table ? routeTo(region, table, sourceIp) : undefined;
  if (!table || !hit || hit.route.gatewayId !== igw.internetGatewayId || !hit.active)
    return `route table ${table?.routeTableId ?? "(none)"} of subnet ${e.subnetId} has no route to internet gateway ${igw.internetGatewayId} covering your IP ${sourceIp}`;
  const groups = e.groupIds.map((g) => region.securityGroups.get(g)).filter((g): g is SecurityGroup => g !== undefined);
  if (!allowsIngress(groups, "tcp", port, sourceIp))
    return `no rule in ${e.groupIds.join(", ")} allows TCP ${port} from your IP ${sourceIp}`;
  return undefined;
}

/** Where an instance's traffic to the internet goes out (R29): a NAT gateway gives outbound access only. */
export type Egress =
  | { ok: true; via: "internet-gateway" }
  | { ok: true; via: "nat-gateway"; natGatewayId: string }
  | { ok: false; why: string };

/** An address out on the internet that package repositories stand for. */
const INTERNET = "52.94.0.1";

/**
 * How the instance reaches the internet going out: through the route its primary interface's subnet
 * has for internet addresses — to the internet gateway with its own public IPv4, or to an available
 * public NAT gateway whose own subnet routes to the gateway — and its groups' outbound rules.
 */
export function internetEgress(region: RegionState, inst: Instance): Egress {
  const [primary] = interfacesOf(region, inst);
  if (!primary) return { ok: false, why: `the instance is ${inst.state}` };
  const groups = primary.groupIds.map((g) => region.securityGroups.get(g)).filter((g): g is SecurityGroup => !!g);
  if (!allowsEgress(groups, "tcp", 443, INTERNET))
    return { ok: false, why: `no outbound rule in ${primary.groupIds.join(", ")} allows HTTPS` };
  const out = routeOut(region, primary.subnetId, primary.vpcId);
  if (!out.ok) return out;
  if (out.via === "internet-gateway" && !publicIpOf(region, primary, primary.privateIpAddress))
    return {
      ok: false,
      why: `the instance has no public IPv4 address (a private subnet reaches the internet through a NAT gateway)`,
    };
  return out;
}

/** The way out of a subnet toward the internet, before the instance's own address is considered. */
function routeOut(region: RegionState, subnetId: string, vpcId: string): Egress {
  const subnet = region.subnets.get(subnetId);
  const table = subnet ? tableOfSubnet(region, subnet) : undefined;
  const hit = table ? routeTo(region, table, INTERNET) : undefined;
  if (!table || !hit?.active)
    return {
      ok: false,
      why: `route table ${table?.routeTableId ?? "(none)"} of subnet ${subnetId} has no route to the internet`,
    };
  const igw = gatewayOf(region, vpcId);
  if (hit.route.gatewayId && hit.route.gatewayId === igw?.internetGatewayId)
    return { ok: true, via: "internet-gateway" };
  if (hit.route.natGatewayId) {
    const nat = region.natGateways.get(hit.route.natGatewayId)!;
    if (nat.connectivityType !== "public")
      return { ok: false, why: `NAT gateway ${nat.natGatewayId} is private (it does not reach the internet)` };
    // The NAT gateway goes out through its own subnet's route to the internet gateway.
    const beyond = routeOut(region, nat.subnetId, nat.vpcId);
    if (!beyond.ok || beyond.via !== "internet-gateway")
      return {
        ok: false,
        why: `NAT gateway ${nat.natGatewayId} has no route to an internet gateway from its subnet ${nat.subnetId}`,
      };
    return { ok: true, via: "nat-gateway", natGatewayId: nat.natGatewayId };
  }
  return {
    ok: false,
    why: `the route to the internet in ${table.routeTableId} does not lead to an internet or NAT gateway`,
  };
}
