/**
 * NAT gateways (R29): outbound access only, for instances in subnets whose route table sends
 * internet traffic to one. A gateway is pending, then available on the simulated clock (failed, if it
 * is public and its VPC has no internet gateway by then); deleting, then deleted. A public gateway
 * holds an Elastic IP on its requester-managed interface in the subnet. It is billed per hour and
 * per GB it processes (billing.ts, prices in data/prices.json).
 */
import type {
  CreateNatGatewayRequest,
  CreateNatGatewayResult,
  DeleteNatGatewayRequest,
  DeleteNatGatewayResult,
  DescribeNatGatewaysRequest,
  DescribeNatGatewaysResult,
  NatGateway as Ec2NatGateway,
  TagSpecification,
} from "@aws-sdk/client-ec2";
import { Ec2Error, errors } from "./errors.ts";
import type { EventOf, NatGatewayInit } from "./events.ts";
import { compileFilters, type Filter, paginate } from "./filters.ts";
import { gatewayOf } from "./internet-gateways.ts";
import type { NatGateway } from "./model.ts";
import { foldCreateInterface, foldDeleteInterface } from "./network-interfaces.ts";
import { type RegionState, regionState, type SandboxState } from "./state.ts";
import { AddressPlans, findSubnet } from "./subnets.ts";
import { tagMap, tagsFor, toTagSet } from "./tags.ts";
import type { Tx } from "./tx.ts";

/** Simulated times of a NAT gateway's transitions (ms): EC2 takes a minute or two, and about as long to delete. */
export const NAT_TIMING = { create: [60_000, 120_000], delete: [30_000, 75_000] } as const;

export const notFoundNatGateway = (id: string) =>
  new Ec2Error("NatGatewayNotFound", `The Nat Gateway ${id} was not found`);

export function requireNatGateway(tx: Tx, id: string | undefined): NatGateway {
  if (!id) throw errors.missingParameter("NatGatewayId");
  const n = tx.region.natGateways.get(id);
  if (!n || n.ownerId !== tx.ctx.accountId) throw notFoundNatGateway(id);
  return n;
}

/** A NAT gateway that has not gone (pending, available, deleting): it holds its interface and address. */
export const natInUse = (n: NatGateway) => n.state === "pending" || n.state === "available" || n.state === "deleting";

// ── fold ─────────────────────────────────────────────────────────────────────────────────────
/** Its interface and Elastic IP go back (deleted or failed). */
function release(region: RegionState, n: NatGateway): void {
  foldDeleteInterface(region, n.networkInterfaceId);
}

export function applyNatGatewayEvent(
  state: SandboxState,
  e: EventOf<"NatGatewayCreated" | "NatGatewayStateChanged" | "NatGatewayTrafficRecorded">,
  at: number,
): void {
  const region = regionState(state, e.region);
  if (e.type === "NatGatewayCreated") {
    const { availableAt, tags, ...init } = e.nat;
    const n: NatGateway = {
      ...init,
      region: e.region,
      state: "pending",
      createTime: at,
      transitionAt: availableAt,
      bytesProcessed: 0,
      tags: tagMap(tags),
    };
    region.natGateways.set(n.natGatewayId, n);
    state.resourceRegion.set(n.natGatewayId, e.region);
    foldCreateInterface(state, e.region, {
      networkInterfaceId: n.networkInterfaceId,
      ownerId: n.ownerId,
      subnetId: n.subnetId,
      vpcId: n.vpcId,
      availabilityZone: region.subnets.get(n.subnetId)?.availabilityZone ?? "",
      description: `Interface for NAT Gateway ${n.natGatewayId}`,
      privateIpAddress: n.privateIp,
      secondaryPrivateIps: [],
      groupIds: [],
      sourceDestCheck: false,
      interfaceType: "nat_gateway",
      requesterManaged: true,
      tags: [],
    });
    const a = n.allocationId ? region.addresses.get(n.allocationId) : undefined;
    if (a)
      Object.assign(a, {
        networkInterfaceId: n.networkInterfaceId,
        privateIpAddress: n.privateIp,
        associationId: n.associationId,
        instanceId: undefined,
      });
    state.timers.push({ at: availableAt, region: e.region, kind: "nat-gateway", id: n.natGatewayId });
    return;
  }
  const n = region.natGateways.get(e.natGatewayId);
  if (!n) return;
  if (e.type === "NatGatewayTrafficRecorded") {
    n.bytesProcessed += e.bytes;
    return;
  }
  n.state = e.state;
  n.transitionAt = e.transitionAt;
  if (e.transitionAt !== undefined)
    state.timers.push({ at: e.transitionAt, region: e.region, kind: "nat-gateway", id: n.natGatewayId });
  if (e.failure) n.failure = e.failure;
  if (e.state === "deleting") n.deleteTime = at;
  if (e.state === "deleted" || e.state === "failed") {
    if (e.state === "failed") n.deleteTime = at;
    release(region, n);
  }
}

/** Timer: a pending gateway becomes available (or fails without a way out); a deleting one is deleted. */
export function natGatewayTimer(tx: Tx, id: string): void {
  const n = tx.region.natGateways.get(id);
  if (!n || n.transitionAt === undefined || n.transitionAt > tx.now) return;
  if (n.state === "pending") {
    if (n.connectivityType === "public" && !gatewayOf(tx.region, n.vpcId)) {
      tx.emit({
        type: "NatGatewayStateChanged",
        region: n.region,
        natGatewayId: id,
        state: "failed",
        failure: { code: "Gateway.NotAttached", message: `Network ${n.vpcId} has no Internet gateway attached` },
      });
    } else tx.emit({ type: "NatGatewayStateChanged", region: n.region, natGatewayId: id, state: "available" });
  } else if (n.state === "deleting") {
    tx.emit({ type: "NatGatewayStateChanged", region: n.region, natGatewayId: id, state: "deleted" });
  }
}

// ── wire shape ───────────────────────────────────────────────────────────────────────────────
const ADDRESS_STATUS = { pending: "associating", available: "succeeded", deleting: "disassociating" } as const;

export function toEc2NatGateway(region: RegionState, n: NatGateway): Ec2NatGateway {
  const addr = n.allocationId ? region.addresses.get(n.allocationId) : undefined;
  const held = natInUse(n);
  return {
    NatGatewayId: n.natGatewayId,
    SubnetId: n.subnetId,
    VpcId: n.vpcId,
    State: n.state,
    ConnectivityType: n.connectivityType,
    CreateTime: new Date(n.createTime),
    ...(n.deleteTime !== undefined && n.state !== "deleting" ? { DeleteTime: new Date(n.deleteTime) } : {}),
    ...(n.failure ? { FailureCode: n.failure.code, FailureMessage: n.failure.message } : {}),
    NatGatewayAddresses: [
      {
        ...(n.allocationId ? { AllocationId: n.allocationId } : {}),
        NetworkInterfaceId: n.networkInterfaceId,
        PrivateIp: n.privateIp,
        ...(n.allocationId && addr ? { PublicIp: addr.publicIp, AssociationId: n.associationId } : {}),
        IsPrimary: true,
        ...(held ? { Status: ADDRESS_STATUS[n.state as "pending" | "available" | "deleting"] } : {}),
      },
    ],
    Tags: toTagSet(n.tags) ?? [],
  };
}

const natFields = {
  "nat-gateway-id": (n: NatGateway) => n.natGatewayId,
  state: (n: NatGateway) => n.state,
  "subnet-id": (n: NatGateway) => n.subnetId,
  "vpc-id": (n: NatGateway) => n.vpcId,
};

export const natGatewayActions = {
  CreateNatGateway(
    tx: Tx,
    input: CreateNatGatewayRequest & { TagSpecifications?: TagSpecification[] },
  ): CreateNatGatewayResult {
    if (
      input.SecondaryAllocationIds?.length ||
      input.SecondaryPrivateIpAddresses?.length ||
      input.SecondaryPrivateIpAddressCount
    )
      throw errors.unsupported("Secondary addresses on NAT gateways are not supported by this sandbox");
    if (!input.SubnetId) throw errors.missingParameter("SubnetId");
    const subnet = findSubnet(tx, input.SubnetId);
    const connectivity = input.ConnectivityType ?? "public";
    if (connectivity !== "public" && connectivity !== "private")
      throw errors.invalidParameterValue(`Value (${connectivity}) for parameter ConnectivityType is invalid.`);
    let allocationId: string | undefined;
    if (connectivity === "public") {
      if (!input.AllocationId) throw errors.missingParameter("AllocationId");
      const a = tx.region.addresses.get(input.AllocationId);
      if (!a || a.ownerId !== tx.ctx.accountId)
        throw new Ec2Error("InvalidAllocationID.NotFound", `The allocation ID '${input.AllocationId}' does not exist`);
      if (a.associationId)
        throw new Ec2Error(
          "Resource.AlreadyAssociated",
          `Elastic IP address [${a.allocationId}] is already associated`,
        );
      allocationId = a.allocationId;
    } else if (input.AllocationId)
      throw errors.invalidCombination("A private NAT gateway cannot have an Elastic IP address (AllocationId).");
    const plan = new AddressPlans().of(subnet);
    const privateIp = input.PrivateIpAddress !== undefined ? plan.claim(input.PrivateIpAddress) : plan.take();
    const tags = tagsFor(input.TagSpecifications, "natgateway", ["natgateway"]);
    const nat: NatGatewayInit = {
      natGatewayId: tx.newId("natGateway"),
      ownerId: tx.ctx.accountId,
      subnetId: subnet.subnetId,
      vpcId: subnet.vpcId,
      connectivityType: connectivity,
      ...(allocationId ? { allocationId, associationId: tx.newId("association") } : {}),
      privateIp,
      networkInterfaceId: tx.newId("networkInterface"),
      availableAt: tx.now + tx.randomInt(NAT_TIMING.create[0], NAT_TIMING.create[1]),
      tags,
    };
    tx.emit({ type: "NatGatewayCreated", region: tx.ctx.region, nat });
    return {
      NatGateway: toEc2NatGateway(tx.region, tx.region.natGateways.get(nat.natGatewayId)!),
      ...(input.ClientToken ? { ClientToken: input.ClientToken } : {}),
    };
  },

  DeleteNatGateway(tx: Tx, input: DeleteNatGatewayRequest): DeleteNatGatewayResult {
    const n = requireNatGateway(tx, input.NatGatewayId);
    // Deleting one that is already going (or gone) changes nothing.
    if (n.state === "pending" || n.state === "available")
      tx.emit({
        type: "NatGatewayStateChanged",
        region: tx.ctx.region,
        natGatewayId: n.natGatewayId,
        state: "deleting",
        transitionAt: tx.now + tx.randomInt(NAT_TIMING.delete[0], NAT_TIMING.delete[1]),
      });
    return { NatGatewayId: n.natGatewayId };
  },

  DescribeNatGateways(
    tx: Tx,
    input: DescribeNatGatewaysRequest & { Filter?: Filter[]; Filters?: Filter[] },
  ): DescribeNatGatewaysResult {
    const match = compileFilters(input.Filter ?? input.Filters, natFields);
    const ids = input.NatGatewayIds;
    const rows: NatGateway[] = [];
    for (const id of ids ?? []) {
      const n = tx.region.natGateways.get(id);
      if (!n || n.ownerId !== tx.ctx.accountId) throw notFoundNatGateway(id);
    }
    for (const n of tx.region.natGateways.values())
      if (n.ownerId === tx.ctx.accountId && (!ids?.length || ids.includes(n.natGatewayId)) && match(n)) rows.push(n);
    const { page, nextToken } = paginate(rows, input, { min: 5, max: 1000 }, "nats");
    return { NatGateways: page.map((n) => toEc2NatGateway(tx.region, n)), NextToken: nextToken };
  },
};
