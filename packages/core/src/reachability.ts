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
import { routeTo, tableOfSubnet } from "./route-tables.ts";
import { allowsIngress } from "./security-groups.ts";
import type { RegionState } from "./state.ts";

/** A way in: the public address, and the groups of the interface that holds it. */
export interface PublicEntry {
  publicIp: string;
  subnetId: string;
  vpcId: string;
  groupIds: string[];
}

/** The instance's public addresses, primary interface first. */
export function publicEntries(_region: RegionState, inst: Instance): PublicEntry[] {
  return inst.publicIpAddress
    ? [{ publicIp: inst.publicIpAddress, subnetId: inst.subnetId, vpcId: inst.vpcId, groupIds: inst.securityGroupIds }]
    : [];
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
