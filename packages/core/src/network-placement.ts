/**
 * Where a RunInstances call puts its instances on the network: the subnet (named, through an
 * interface spec, or a default subnet with room — R28), the interfaces (R30: the primary one, extra
 * ones to create, existing ones to attach), the security groups of each (of the interface's VPC),
 * the private addresses (R27: a full subnet refuses the launch, or limits how many launch) and
 * whether the primary interface gets a public IPv4. Kept apart from instances.ts so the launch's
 * other concerns (image, type, volumes) and this one change separately.
 */

import type { InstanceTypeInfo } from "./data-types.ts";
import { Ec2Error, errors } from "./errors.ts";
import type { EniInit, LaunchInterface } from "./events.ts";
import type { NetworkInterface, Subnet } from "./model.ts";
import { checkAddressLimit, interfaceGroups, planAddresses, requireInterface } from "./network-interfaces.ts";
import { groupByName } from "./security-groups.ts";
import { AddressPlans, availableIpCount, defaultSubnets, findSubnet, insufficientAddresses } from "./subnets.ts";
import type { Tx } from "./tx.ts";

/** One interface spec of RunInstances (the SDK's InstanceNetworkInterfaceSpecification, as used here). */
export interface InterfaceSpec {
  DeviceIndex?: number;
  NetworkInterfaceId?: string;
  AssociatePublicIpAddress?: boolean;
  SubnetId?: string;
  Groups?: string[];
  DeleteOnTermination?: boolean;
  Description?: string;
  PrivateIpAddress?: string;
  PrivateIpAddresses?: { PrivateIpAddress?: string; Primary?: boolean }[];
  SecondaryPrivateIpAddressCount?: number;
  Ipv6AddressCount?: number;
  Ipv6Addresses?: unknown[];
  NetworkCardIndex?: number;
  InterfaceType?: string;
}

/** The network part of a RunInstances request (the SDK's members of the same names). */
export interface NetworkInput {
  SubnetId?: string;
  SecurityGroupIds?: string[];
  SecurityGroups?: string[];
  Placement?: { AvailabilityZone?: string };
  PrivateIpAddress?: string;
  NetworkInterfaces?: InterfaceSpec[];
  Ipv6AddressCount?: number;
  Ipv6Addresses?: unknown[];
}

/** What one launched instance gets on the network (the instance-record part of `InstanceInit`). */
export interface InstanceNetwork {
  subnetId: string;
  vpcId: string;
  availabilityZone: string;
  securityGroupIds: string[];
  privateIpAddress: string;
  secondaryPrivateIps: string[];
  /** Whether its primary interface gets an auto-assigned public IPv4 (R28). */
  publicIp: boolean;
  eniDescription?: string;
  keepPrimaryEni?: boolean;
  primaryEniId?: string;
}

export interface NetworkPlacement {
  /** The primary interface's subnet. */
  subnet: Subnet;
  /** How many instances fit, between MinCount and MaxCount (EC2 launches as many as it can). */
  count: number;
  instances: InstanceNetwork[];
  /** The interfaces of instance `k` that are not its own primary, with their new IDs (allocate after validating). */
  interfacesFor(tx: Tx, k: number): LaunchInterface[];
}

function wrongZone(zone: string, subnet: Subnet): Ec2Error {
  return new Ec2Error(
    "InvalidParameterValue",
    `Value (${zone}) for parameter availabilityZone is invalid. Subnet '${subnet.subnetId}' is in the availability zone ${subnet.availabilityZone}`,
  );
}

/** A default subnet (in the zone asked for) with room for `need` addresses. */
function defaultSubnetFor(tx: Tx, zone: string | undefined, need: number): Subnet {
  const defaults = defaultSubnets(tx.region, tx.ctx.accountId);
  if (defaults.length === 0) throw new Ec2Error("VPCIdNotSpecified", "No default VPC for this user");
  if (zone) {
    const s = defaults.find((x) => x.availabilityZone === zone);
    if (!s) throw new Ec2Error("InvalidParameterValue", `Invalid availability zone: [${zone}]`);
    return s;
  }
  // EC2 picks the zone: the first default subnet that has room for the launch.
  return defaults.find((s) => availableIpCount(s) >= need) ?? defaults[0]!;
}

/** One interface of the launch, resolved (the subnet it lives in, or the existing interface). */
interface ResolvedSpec {
  spec: InterfaceSpec;
  deviceIndex: number;
  subnet: Subnet;
  existing?: NetworkInterface;
  groupIds: string[];
  /** Addresses each instance takes from the subnet through this interface. */
  perInstance: number;
}

function checkSpecs(input: NetworkInput, nics: InterfaceSpec[], max: number): void {
  if (input.Ipv6AddressCount || input.Ipv6Addresses?.length)
    throw errors.unsupported("IPv6 addresses are not supported by this sandbox (IPv4 only)");
  if (nics.length === 0) return;
  if (input.SubnetId)
    throw errors.invalidCombination(
      "Network interfaces and an instance-level subnet ID may not be specified on the same request",
    );
  if (input.SecurityGroupIds?.length || input.SecurityGroups?.length)
    throw errors.invalidCombination(
      "Network interfaces and an instance-level security groups may not be specified on the same request",
    );
  if (input.PrivateIpAddress !== undefined)
    throw errors.invalidCombination(
      "Network interfaces and an instance-level private IP address should not be specified on the same request",
    );
  const seen = new Set<number>();
  for (const n of nics) {
    if (n.DeviceIndex === undefined) throw errors.missingParameter("NetworkInterface.DeviceIndex");
    if (!Number.isInteger(n.DeviceIndex) || n.DeviceIndex < 0)
      throw errors.invalidParameterValue(`Value (${n.DeviceIndex}) for parameter deviceIndex is invalid.`);
    if (seen.has(n.DeviceIndex))
      throw errors.invalidParameterValue(`Each network interface requires a unique device index (${n.DeviceIndex}).`);
    seen.add(n.DeviceIndex);
    if (n.NetworkCardIndex) throw errors.unsupported("Network cards other than 0 are not supported by this sandbox");
    if (n.InterfaceType && n.InterfaceType !== "interface")
      throw errors.unsupported(`Interfaces of type '${n.InterfaceType}' are not supported by this sandbox`);
    if (n.Ipv6AddressCount || n.Ipv6Addresses?.length)
      throw errors.unsupported("IPv6 addresses are not supported by this sandbox (IPv4 only)");
    if (n.NetworkInterfaceId !== undefined) {
      if (n.SubnetId || n.Groups?.length || n.PrivateIpAddress || n.PrivateIpAddresses?.length)
        throw errors.invalidCombination(
          "A network interface ID may not be specified together with a subnet, groups or private addresses",
        );
      if (n.AssociatePublicIpAddress !== undefined)
        throw errors.invalidCombination(
          "The associatePublicIPAddress parameter cannot be specified for an existing network interface.",
        );
      if (max > 1)
        throw errors.invalidCombination("An existing network interface can only be used when launching one instance.");
    }
  }
  if (!seen.has(0)) throw errors.invalidParameterValue("The network interfaces must include one at device index 0.");
  if (nics.length > 1 && nics.some((n) => n.AssociatePublicIpAddress))
    throw errors.invalidCombination(
      "The associatePublicIPAddress parameter cannot be specified when launching with multiple network interfaces.",
    );
}

export function placeInstances(
  tx: Tx,
  input: NetworkInput,
  type: InstanceTypeInfo,
  min: number,
  max: number,
): NetworkPlacement {
  const nics = [...(input.NetworkInterfaces ?? [])].sort((a, b) => (a.DeviceIndex ?? 0) - (b.DeviceIndex ?? 0));
  checkSpecs(input, nics, max);
  const zone = input.Placement?.AvailabilityZone;
  const specs: InterfaceSpec[] = nics.length ? nics : [{ DeviceIndex: 0, PrivateIpAddress: input.PrivateIpAddress }];
  if (specs.length > type.maximumNetworkInterfaces)
    throw errors.invalidParameterValue(
      `The number of network interfaces (${specs.length}) exceeds the limit for ${type.instanceType} (${type.maximumNetworkInterfaces}).`,
    );

  const resolved: ResolvedSpec[] = [];
  for (const spec of specs) {
    const deviceIndex = spec.DeviceIndex ?? 0;
    const perInstance =
      1 + (spec.PrivateIpAddresses?.filter((p) => !p.Primary).length ?? 0) + (spec.SecondaryPrivateIpAddressCount ?? 0);
    let subnet: Subnet;
    let existing: NetworkInterface | undefined;
    if (spec.NetworkInterfaceId !== undefined) {
      const v = requireInterface(tx, spec.NetworkInterfaceId);
      if (v.attachment || !v.eni || v.requesterManaged)
        throw errors.invalidParameterValue(`Interface '${v.networkInterfaceId}' is in use.`);
      existing = v.eni;
      subnet = findSubnet(tx, existing.subnetId);
    } else if (spec.SubnetId ?? (deviceIndex === 0 ? input.SubnetId : undefined)) {
      subnet = findSubnet(tx, (spec.SubnetId ?? input.SubnetId)!);
    } else if (deviceIndex === 0) {
      subnet = defaultSubnetFor(tx, zone, min * perInstance);
    } else {
      subnet = resolved[0]!.subnet;
    }
    if (zone && subnet.availabilityZone !== zone) throw wrongZone(zone, subnet);
    if (resolved.length && subnet.availabilityZone !== resolved[0]!.subnet.availabilityZone)
      throw errors.invalidCombination("All network interfaces of an instance must be in the same availability zone.");
    const named =
      spec.Groups ??
      (deviceIndex === 0
        ? [
            ...(input.SecurityGroupIds ?? []),
            ...(input.SecurityGroups ?? []).map((n) => groupByName(tx, n, subnet.vpcId).groupId),
          ]
        : []);
    const groupIds = existing
      ? existing.groupIds
      : named.length
        ? interfaceGroups(tx, named, subnet.vpcId, subnet.subnetId)
        : [tx.region.vpcs.get(subnet.vpcId)!.defaultSecurityGroupId];
    checkAddressLimit(type.instanceType, existing ? 1 + existing.secondaryPrivateIps.length : perInstance);
    resolved.push({ spec, deviceIndex, subnet, existing, groupIds, perInstance: existing ? 0 : perInstance });
  }

  // R27: as many instances as every subnet has addresses for, and at least MinCount.
  const fixed = specs.some((s) => s.PrivateIpAddress !== undefined || s.PrivateIpAddresses?.length);
  if (fixed && max > 1)
    throw errors.invalidCombination("A private IP address can only be specified when launching a single instance.");
  let count = max;
  const need = new Map<Subnet, number>();
  for (const r of resolved) need.set(r.subnet, (need.get(r.subnet) ?? 0) + r.perInstance);
  for (const [subnet, n] of need) {
    if (n === 0) continue;
    const fits = Math.floor(availableIpCount(subnet) / n);
    if (fits < min) throw insufficientAddresses(subnet.subnetId, "instances");
    count = Math.min(count, fits);
  }

  const plans = new AddressPlans();
  const primary = resolved[0]!;
  const nic0 = primary.spec;
  const publicIp =
    !primary.existing && specs.length === 1 && (nic0.AssociatePublicIpAddress ?? primary.subnet.mapPublicIpOnLaunch);
  const instances: InstanceNetwork[] = [];
  const extra: { r: ResolvedSpec; primary: string; secondaries: string[] }[][] = [];
  for (let k = 0; k < count; k++) {
    const mine: { r: ResolvedSpec; primary: string; secondaries: string[] }[] = [];
    for (const r of resolved.slice(1))
      if (!r.existing) mine.push({ r, ...planAddresses(plans.of(r.subnet), r.spec) });
      else mine.push({ r, primary: r.existing.privateIpAddress, secondaries: [] });
    extra.push(mine);
    if (primary.existing) {
      const e = primary.existing;
      instances.push({
        subnetId: e.subnetId,
        vpcId: e.vpcId,
        availabilityZone: e.availabilityZone,
        securityGroupIds: e.groupIds,
        privateIpAddress: e.privateIpAddress,
        secondaryPrivateIps: [],
        publicIp: false,
        primaryEniId: e.networkInterfaceId,
      });
      continue;
    }
    const { primary: ip, secondaries } = planAddresses(plans.of(primary.subnet), nic0);
    instances.push({
      subnetId: primary.subnet.subnetId,
      vpcId: primary.subnet.vpcId,
      availabilityZone: primary.subnet.availabilityZone,
      securityGroupIds: primary.groupIds,
      privateIpAddress: ip,
      secondaryPrivateIps: secondaries,
      publicIp,
      ...(nic0.Description ? { eniDescription: nic0.Description } : {}),
      ...(nic0.DeleteOnTermination === false ? { keepPrimaryEni: true } : {}),
    });
  }
  return {
    subnet: primary.subnet,
    count,
    instances,
    interfacesFor(tx, k) {
      const out: LaunchInterface[] = [];
      if (primary.existing)
        out.push({
          networkInterfaceId: primary.existing.networkInterfaceId,
          deviceIndex: 0,
          attachmentId: tx.newId("networkInterfaceAttachment"),
          deleteOnTermination: nic0.DeleteOnTermination ?? false,
        });
      for (const { r, primary: ip, secondaries } of extra[k]!) {
        if (r.existing) {
          out.push({
            networkInterfaceId: r.existing.networkInterfaceId,
            deviceIndex: r.deviceIndex,
            attachmentId: tx.newId("networkInterfaceAttachment"),
            deleteOnTermination: r.spec.DeleteOnTermination ?? false,
          });
          continue;
        }
        const create: EniInit = {
          networkInterfaceId: tx.newId("networkInterface"),
          ownerId: tx.ctx.accountId,
          subnetId: r.subnet.subnetId,
          vpcId: r.subnet.vpcId,
          availabilityZone: r.subnet.availabilityZone,
          description: r.spec.Description ?? "",
          privateIpAddress: ip,
          secondaryPrivateIps: secondaries,
          groupIds: r.groupIds,
          sourceDestCheck: true,
          interfaceType: "interface",
          requesterManaged: false,
          tags: [],
        };
        out.push({
          networkInterfaceId: create.networkInterfaceId,
          deviceIndex: r.deviceIndex,
          attachmentId: tx.newId("networkInterfaceAttachment"),
          deleteOnTermination: r.spec.DeleteOnTermination ?? true,
          create,
        });
      }
      return out;
    },
  };
}
