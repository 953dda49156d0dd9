/**
 * Elastic IPs (R20): static public IPv4 addresses of an account and region, associated with and
 * moved between instances; an instance keeps its Elastic IP when it stops.
 */
import type { Address as Ec2Address, TagSpecification } from "@aws-sdk/client-ec2";
import { Ec2Error, errors } from "./errors.ts";
import type { EventOf } from "./events.ts";
import { compileFilters, type Filter } from "./filters.ts";
import { requireInstance } from "./instances.ts";
import type { Address } from "./model.ts";
import { regionState, type SandboxState } from "./state.ts";
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
  const inst = a.instanceId ? r.instances.get(a.instanceId) : undefined;
  switch (e.type) {
    case "AddressAssociated": {
      if (inst) inst.publicIpAddress = undefined; // moved away from its previous instance
      const target = r.instances.get(e.instanceId);
      // An instance can hold one public IPv4 on its primary interface: the EIP replaces any other.
      for (const other of r.addresses.values())
        if (other !== a && other.instanceId === e.instanceId)
          Object.assign(other, { instanceId: undefined, associationId: undefined, privateIpAddress: undefined });
      a.instanceId = e.instanceId;
      a.associationId = e.associationId;
      a.privateIpAddress = e.privateIpAddress;
      if (target) target.publicIpAddress = a.publicIp;
      return;
    }
    case "AddressDisassociated":
      if (inst) inst.publicIpAddress = undefined;
      a.instanceId = a.associationId = a.privateIpAddress = undefined;
      return;
    case "AddressReleased":
      a.releasedAt = at;
      r.addresses.delete(e.allocationId);
      releasedAddresses(r).push(a);
      return;
  }
}

export const releasedAddresses = (r: import("./state.ts").RegionState): Address[] => (r._released ??= []);

const toEc2 = (a: Address): Ec2Address => ({
  AllocationId: a.allocationId,
  PublicIp: a.publicIp,
  Domain: a.domain,
  NetworkBorderGroup: a.networkBorderGroup,
  PublicIpv4Pool: "amazon",
  ...(a.instanceId
    ? {
        InstanceId: a.instanceId,
        AssociationId: a.associationId,
        PrivateIpAddress: a.privateIpAddress,
        NetworkInterfaceId: `eni-${a.instanceId.slice(2)}`,
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
    const instanceId =
      input.InstanceId ??
      (input.NetworkInterfaceId?.startsWith("eni-") ? `i-${input.NetworkInterfaceId.slice(4)}` : undefined);
    if (!instanceId) throw errors.missingParameter("InstanceId");
    const inst = requireInstance(tx, instanceId);
    if (inst.state === "terminated" || inst.state === "shutting-down")
      throw errors.incorrectInstanceState(inst.instanceId, inst.state, "associated with an Elastic IP");
    if (a.instanceId && a.instanceId !== inst.instanceId && input.AllowReassociation === false) {
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
      instanceId: inst.instanceId,
      privateIpAddress: input.PrivateIpAddress ?? inst.privateIpAddress,
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
      "network-interface-id": (a: Address) => (a.instanceId ? `eni-${a.instanceId.slice(2)}` : undefined),
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
