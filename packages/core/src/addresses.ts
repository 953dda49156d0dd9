/**
 * Elastic IPs (R20, R30): static public IPv4 addresses of an account and region, associated with an
 * interface's private address (an instance's, or an interface of its own) and moved between them;
 * an instance keeps its Elastic IP when it stops.
 */
import type { Address as Ec2Address, TagSpecification } from "@aws-sdk/client-ec2";
import { Ec2Error, errors } from "./errors.ts";
import type { EventOf } from "./events.ts";
import { compileFilters, type Filter } from "./filters.ts";
import { requireInstance } from "./instances.ts";
import { gatewayOf } from "./internet-gateways.ts";
import type { Address } from "./model.ts";
import {
  addressesOf,
  findInterface,
  type InterfaceView,
  interfacesOf,
  primaryInterfaceId,
  requireInterface,
} from "./network-interfaces.ts";
import { type RegionState, regionState, type SandboxState } from "./state.ts";
import { tagMap, tagsFor, toTagSet } from "./tags.ts";
import type { Tx } from "./tx.ts";

function requireAddress(tx: Tx, allocationId?: string, publicIp?: string): Address {
  for (const a of tx.region.addresses.values()) {
    if (a.ownerId !== tx.ctx.accountId) continue;
    if ((allocationId && a.allocationId === allocationId) || (!allocationId && publicIp && a.publicIp === publicIp))
      return a;
  }
  if (allocationId)
    throw new Ec2Error("InvalidAllocationID.NotFound", `The allocation ID '${allocationId}' does not exist`);
  if (publicIp) throw new Ec2Error("InvalidAddress.NotFound", `The address '${publicIp}' does not exist.`);
  throw errors.missingParameter("AllocationId");
}

export function applyAddressEvent(
  state: SandboxState,
  e: EventOf<"AddressAllocated" | "AddressAssociated" | "AddressDisassociated" | "AddressReleased">,
  at: number,
): void {
  const r = regionState(state, e.region);
  if (e.type === "AddressAllocated") {
    r.addresses.set(e.allocationId, {
      allocationId: e.allocationId,
      publicIp: e.publicIp,
      region: e.region,
      ownerId: e.ownerId,
      domain: "vpc",
      allocatedAt: at,
      networkBorderGroup: e.region,
      tags: tagMap(e.tags),
    });
    state.resourceRegion.set(e.allocationId, e.region);
    return;
  }
  const a = r.addresses.get(e.allocationId);
  if (!a) return;
  switch (e.type) {
    case "AddressAssociated": {
      leave(r, a); // moved away from where it was
      // Older events name only the instance: its primary interface.
      const inst = e.instanceId ? r.instances.get(e.instanceId) : undefined;
      const eniId = e.networkInterfaceId ?? (inst ? primaryInterfaceId(inst) : undefined);
      // One public address per private address: this one replaces any other there.
      for (const other of r.addresses.values())
        if (other !== a && other.networkInterfaceId === eniId && other.privateIpAddress === e.privateIpAddress) {
          leave(r, other);
          clear(other);
        }
      const view = eniId ? findInterface(r, eniId) : undefined;
      a.networkInterfaceId = eniId;
      a.instanceId = view?.attachment?.instanceId ?? e.instanceId;
      a.associationId = e.associationId;
      a.privateIpAddress = e.privateIpAddress;
      // On the primary address of an instance's primary interface, it is the instance's public IP.
      const holder = a.instanceId ? r.instances.get(a.instanceId) : undefined;
      if (holder && view?.attachment?.deviceIndex === 0 && e.privateIpAddress === view.privateIpAddress)
        holder.publicIpAddress = a.publicIp;
      return;
    }
    case "AddressDisassociated":
      leave(r, a);
      clear(a);
      return;
    case "AddressReleased":
      a.releasedAt = at;
      r.addresses.delete(e.allocationId);
      releasedAddresses(r).push(a);
      return;
  }
}

/** The instance an address leaves stops showing it as its public IP. */
function leave(r: RegionState, a: Address): void {
  const inst = a.instanceId ? r.instances.get(a.instanceId) : undefined;
  if (inst && inst.publicIpAddress === a.publicIp) inst.publicIpAddress = undefined;
}

const clear = (a: Address) =>
  Object.assign(a, {
    instanceId: undefined,
    networkInterfaceId: undefined,
    associationId: undefined,
    privateIpAddress: undefined,
  });

export const releasedAddresses = (r: RegionState): Address[] => (r._released ??= []);

const toEc2 = (a: Address): Ec2Address => ({
  AllocationId: a.allocationId,
  PublicIp: a.publicIp,
  Domain: a.domain,
  NetworkBorderGroup: a.networkBorderGroup,
  PublicIpv4Pool: "amazon",
  ...(a.associationId
    ? {
        ...(a.instanceId ? { InstanceId: a.instanceId } : {}),
        AssociationId: a.associationId,
        PrivateIpAddress: a.privateIpAddress,
        NetworkInterfaceId: a.networkInterfaceId,
        NetworkInterfaceOwnerId: a.ownerId,
      }
    : {}),
  Tags: toTagSet(a.tags),
});

export const addressActions = {
  AllocateAddress(
    tx: Tx,
    input: { Domain?: string; TagSpecifications?: TagSpecification[]; NetworkBorderGroup?: string },
  ) {
    if (input.Domain && input.Domain !== "vpc" && input.Domain !== "standard")
      throw new Ec2Error("InvalidParameterValue", `Invalid value '${input.Domain}' for domain.`);
    const mine = [...tx.region.addresses.values()].filter((a) => a.ownerId === tx.ctx.accountId).length;
    if (mine >= 5) throw new Ec2Error("AddressLimitExceeded", "The maximum number of addresses has been reached.");
    const tags = tagsFor(input.TagSpecifications, "elastic-ip", ["elastic-ip"]);
    const allocationId = tx.newId("allocation");
    const publicIp = `${[3, 18, 44, 52, 54][tx.randomInt(0, 4)]}.${tx.randomInt(0, 255)}.${tx.randomInt(0, 255)}.${tx.randomInt(1, 254)}`;
    tx.emit({
      type: "AddressAllocated",
      region: tx.ctx.region,
      allocationId,
      publicIp,
      ownerId: tx.ctx.accountId,
      tags,
    });
    return {
      AllocationId: allocationId,
      PublicIp: publicIp,
      Domain: "vpc" as const,
      PublicIpv4Pool: "amazon",
      NetworkBorderGroup: tx.ctx.region,
    };
  },
  AssociateAddress(
    tx: Tx,
    input: {
      AllocationId?: string;
      PublicIp?: string;
      InstanceId?: string;
      AllowReassociation?: boolean;
      PrivateIpAddress?: string;
      NetworkInterfaceId?: string;
    },
  ) {
    const a = requireAddress(tx, input.AllocationId, input.PublicIp);
    let view: InterfaceView;
    if (input.NetworkInterfaceId) {
      view = requireInterface(tx, input.NetworkInterfaceId);
      if (input.InstanceId && view.attachment?.instanceId !== input.InstanceId)
        throw errors.invalidCombination(
          `Network interface ${view.networkInterfaceId} is not attached to instance ${input.InstanceId}`,
        );
    } else if (input.InstanceId) {
      const inst = requireInstance(tx, input.InstanceId);
      if (inst.state === "terminated" || inst.state === "shutting-down")
        throw errors.incorrectInstanceState(inst.instanceId, inst.state, "associated with an Elastic IP");
      const ifs = interfacesOf(tx.region, inst);
      if (ifs.length > 1)
        throw new Ec2Error(
          "InvalidInstanceID",
          `There are multiple interfaces attached to instance '${inst.instanceId}'. Please specify an interface ID for the operation instead.`,
        );
      view = ifs[0]!;
    } else throw errors.missingParameter("InstanceId");
    const privateIp = input.PrivateIpAddress ?? view.privateIpAddress;
    if (!addressesOf(view).includes(privateIp))
      throw errors.invalidParameterValue(
        `The private IP address ${privateIp} is not assigned to network interface ${view.networkInterfaceId}`,
      );
    // R29: a public address is reached through the VPC's internet gateway.
    if (!gatewayOf(tx.region, view.vpcId))
      throw new Ec2Error("Gateway.NotAttached", `Network ${view.vpcId} is not attached to any internet gateway`);
    const sameTarget = a.networkInterfaceId === view.networkInterfaceId && a.privateIpAddress === privateIp;
    if (a.associationId && !sameTarget && input.AllowReassociation === false) {
      throw new Ec2Error(
        "Resource.AlreadyAssociated",
        `resource ${a.allocationId} is already associated with associate-id ${a.associationId}`,
      );
    }
    const associationId = tx.newId("association");
    tx.emit({
      type: "AddressAssociated",
      region: tx.ctx.region,
      allocationId: a.allocationId,
      associationId,
      ...(view.attachment ? { instanceId: view.attachment.instanceId } : {}),
      networkInterfaceId: view.networkInterfaceId,
      privateIpAddress: privateIp,
    });
    return { AssociationId: associationId };
  },
  DisassociateAddress(tx: Tx, input: { AssociationId?: string; PublicIp?: string }) {
    const a = [...tx.region.addresses.values()].find(
      (x) =>
        x.ownerId === tx.ctx.accountId &&
        ((input.AssociationId && x.associationId === input.AssociationId) ||
          (input.PublicIp && x.publicIp === input.PublicIp)),
    );
    if (!a?.associationId) {
      if (input.AssociationId)
        throw new Ec2Error(
          "InvalidAssociationID.NotFound",
          `The association ID '${input.AssociationId}' does not exist`,
        );
      throw new Ec2Error("InvalidAddress.NotFound", `The address '${input.PublicIp}' does not exist.`);
    }
    tx.emit({ type: "AddressDisassociated", region: tx.ctx.region, allocationId: a.allocationId });
    return {};
  },
  ReleaseAddress(tx: Tx, input: { AllocationId?: string; PublicIp?: string }) {
    const a = requireAddress(tx, input.AllocationId, input.PublicIp);
    if (a.associationId) throw new Ec2Error("InvalidIPAddress.InUse", `Address ${a.publicIp} is in use.`);
    tx.emit({ type: "AddressReleased", region: tx.ctx.region, allocationId: a.allocationId });
    return {};
  },
  DescribeAddresses(tx: Tx, input: { AllocationIds?: string[]; PublicIps?: string[]; Filters?: Filter[] }) {
    const mine = [...tx.region.addresses.values()].filter((a) => a.ownerId === tx.ctx.accountId);
    for (const id of input.AllocationIds ?? [])
      if (!mine.some((a) => a.allocationId === id))
        throw new Ec2Error("InvalidAllocationID.NotFound", `The allocation ID '${id}' does not exist`);
    for (const ip of input.PublicIps ?? [])
      if (!mine.some((a) => a.publicIp === ip))
        throw new Ec2Error("InvalidAddress.NotFound", `Address '${ip}' not found.`);
    const match = compileFilters(input.Filters, {
      "allocation-id": (a: Address) => a.allocationId,
      "association-id": (a: Address) => a.associationId,
      "instance-id": (a: Address) => a.instanceId,
      "public-ip": (a: Address) => a.publicIp,
      "private-ip-address": (a: Address) => a.privateIpAddress,
      domain: (a: Address) => a.domain,
      "network-border-group": (a: Address) => a.networkBorderGroup,
      "network-interface-id": (a: Address) => a.networkInterfaceId,
      "network-interface-owner-id": (a: Address) => (a.networkInterfaceId ? a.ownerId : undefined),
    });
    const rows = mine.filter(
      (a) =>
        (!input.AllocationIds?.length || input.AllocationIds.includes(a.allocationId)) &&
        (!input.PublicIps?.length || input.PublicIps.includes(a.publicIp)) &&
        match(a),
    );
    return { Addresses: rows.map(toEc2) };
  },
};
