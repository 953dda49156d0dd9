/**
 * Where a RunInstances call puts its instances on the network: the subnet (named, or a default
 * subnet with room — R28), the security groups (of the subnet's VPC), each instance's private
 * address (R27: a full subnet refuses the launch) and whether it gets a public IPv4. Kept apart from
 * instances.ts so the launch's other concerns (image, type, volumes) and this one change separately.
 */
import { Ec2Error, errors } from "./errors.ts";
import type { Subnet } from "./model.ts";
import { groupByName, requireGroup } from "./security-groups.ts";
import { AddressPlans, availableIpCount, defaultSubnets, findSubnet, insufficientAddresses } from "./subnets.ts";
import type { Tx } from "./tx.ts";

/** The network part of a RunInstances request (the SDK's members of the same names). */
export interface NetworkInput {
  SubnetId?: string;
  SecurityGroupIds?: string[];
  SecurityGroups?: string[];
  Placement?: { AvailabilityZone?: string };
  PrivateIpAddress?: string;
  NetworkInterfaces?: {
    DeviceIndex?: number;
    AssociatePublicIpAddress?: boolean;
    SubnetId?: string;
    Groups?: string[];
    DeleteOnTermination?: boolean;
    PrivateIpAddress?: string;
  }[];
}

/** What one launched instance gets. */
export interface InstanceNetwork {
  privateIpAddress: string;
  /** Whether it gets an auto-assigned public IPv4 (R28). */
  publicIp: boolean;
}

export interface NetworkPlacement {
  subnet: Subnet;
  groupIds: string[];
  /** How many instances fit, between MinCount and MaxCount (EC2 launches as many as it can). */
  count: number;
  /** The addresses of instance `k` (0 ≤ k < count). */
  instances: InstanceNetwork[];
}

function wrongZone(zone: string, subnet: Subnet): Ec2Error {
  return new Ec2Error(
    "InvalidParameterValue",
    `Value (${zone}) for parameter availabilityZone is invalid. Subnet '${subnet.subnetId}' is in the availability zone ${subnet.availabilityZone}`,
  );
}

/** The subnet a launch goes to: the one named, else a default subnet (in the zone asked for) with room. */
function chooseSubnet(tx: Tx, input: NetworkInput, min: number): Subnet {
  const nic = input.NetworkInterfaces?.[0];
  const named = input.SubnetId ?? nic?.SubnetId;
  const zone = input.Placement?.AvailabilityZone;
  if (named) {
    const subnet = findSubnet(tx, named);
    if (zone && subnet.availabilityZone !== zone) throw wrongZone(zone, subnet);
    return subnet;
  }
  const defaults = defaultSubnets(tx.region, tx.ctx.accountId);
  if (defaults.length === 0) throw new Ec2Error("VPCIdNotSpecified", "No default VPC for this user");
  if (zone) {
    const s = defaults.find((x) => x.availabilityZone === zone);
    if (!s) throw new Ec2Error("InvalidParameterValue", `Invalid availability zone: [${zone}]`);
    return s;
  }
  // EC2 picks the zone: the first default subnet that has room for the launch.
  return defaults.find((s) => availableIpCount(s) >= min) ?? defaults[0]!;
}

export function placeInstances(tx: Tx, input: NetworkInput, min: number, max: number): NetworkPlacement {
  const subnet = chooseSubnet(tx, input, min);
  const nic = input.NetworkInterfaces?.[0];
  const groupIds = [
    ...(input.SecurityGroupIds ?? []).map((id) => requireGroup(tx, id).groupId),
    ...(nic?.Groups ?? []).map((id) => requireGroup(tx, id).groupId),
    ...(input.SecurityGroups ?? []).map((n) => groupByName(tx, n, subnet.vpcId).groupId),
  ];
  for (const g of groupIds) {
    if (tx.region.securityGroups.get(g)!.vpcId !== subnet.vpcId)
      throw errors.invalidParameter(`Security group ${g} and subnet ${subnet.subnetId} belong to different networks.`);
  }
  if (groupIds.length === 0) groupIds.push(groupByName(tx, "default", subnet.vpcId).groupId);

  const fixedIp = input.PrivateIpAddress ?? nic?.PrivateIpAddress;
  if (fixedIp !== undefined && max > 1)
    throw errors.invalidCombination("A private IP address can only be specified when launching a single instance.");
  // R27: as many instances as the subnet has addresses for, and at least MinCount.
  const free = availableIpCount(subnet);
  if (free < min) throw insufficientAddresses(subnet.subnetId, "instances");
  const count = Math.min(max, free);
  const plan = new AddressPlans().of(subnet);
  const publicIp = nic?.AssociatePublicIpAddress ?? subnet.mapPublicIpOnLaunch;
  const instances: InstanceNetwork[] = [];
  for (let k = 0; k < count; k++) {
    instances.push({
      privateIpAddress: k === 0 && fixedIp !== undefined ? plan.claim(fixedIp) : plan.take("instances"),
      publicIp,
    });
  }
  return { subnet, groupIds: [...new Set(groupIds)], count, instances };
}
