/**
 * Internet gateways (R29, R31): attached to one VPC at most, the way in from the internet for the
 * VPC's public addresses. Detaching refuses while the VPC still has public addresses mapped;
 * deleting refuses while attached.
 */
import type {
  AttachInternetGatewayRequest,
  AttachmentStatus,
  CreateInternetGatewayRequest,
  CreateInternetGatewayResult,
  DeleteInternetGatewayRequest,
  DescribeInternetGatewaysRequest,
  DescribeInternetGatewaysResult,
  DetachInternetGatewayRequest,
  InternetGateway as Ec2InternetGateway,
} from "@aws-sdk/client-ec2";
import { Ec2Error, errors } from "./errors.ts";
import type { EventOf } from "./events.ts";
import { compileFilters, type Filter, paginate } from "./filters.ts";
import type { InternetGateway } from "./model.ts";
import { findInterface } from "./network-interfaces.ts";
import { type RegionState, regionState, type SandboxState } from "./state.ts";
import { tagMap, tagsFor, toTagSet } from "./tags.ts";
import type { Tx } from "./tx.ts";
import { ownedById, requireVpc } from "./vpcs.ts";

export const notFoundInternetGateway = (id: string) =>
  new Ec2Error("InvalidInternetGatewayID.NotFound", `The internetGateway ID '${id}' does not exist`);

export function requireInternetGateway(tx: Tx, id: string | undefined): InternetGateway {
  if (!id) throw errors.missingParameter("InternetGatewayId");
  const g = tx.region.internetGateways.get(id);
  if (!g || g.ownerId !== tx.ctx.accountId) throw notFoundInternetGateway(id);
  return g;
}

/** The gateway attached to a VPC, if any. */
export function gatewayOf(region: RegionState, vpcId: string): InternetGateway | undefined {
  for (const g of region.internetGateways.values()) if (g.vpcId === vpcId) return g;
  return undefined;
}

/**
 * Whether a VPC has public addresses mapped (instances with a public IPv4, Elastic IPs on its
 * interfaces, NAT gateways): EC2 will not detach the gateway they come in through.
 */
function hasMappedPublicAddresses(region: RegionState, vpcId: string): boolean {
  for (const i of region.instances.values())
    if (i.vpcId === vpcId && i.state !== "terminated" && i.publicIpAddress) return true;
  for (const a of region.addresses.values())
    if (a.networkInterfaceId && findInterface(region, a.networkInterfaceId)?.vpcId === vpcId) return true;
  return false;
}

// ── fold ─────────────────────────────────────────────────────────────────────────────────────
export function addInternetGateway(
  state: SandboxState,
  regionName: string,
  g: { internetGatewayId: string; ownerId: string; vpcId?: string; tags: [string, string][] },
): void {
  regionState(state, regionName).internetGateways.set(g.internetGatewayId, {
    internetGatewayId: g.internetGatewayId,
    ownerId: g.ownerId,
    region: regionName,
    vpcId: g.vpcId,
    tags: tagMap(g.tags),
  });
  state.resourceRegion.set(g.internetGatewayId, regionName);
}

export function applyInternetGatewayEvent(
  state: SandboxState,
  e: EventOf<
    "InternetGatewayCreated" | "InternetGatewayAttached" | "InternetGatewayDetached" | "InternetGatewayDeleted"
  >,
): void {
  const region = regionState(state, e.region);
  if (e.type === "InternetGatewayCreated") return addInternetGateway(state, e.region, { ...e });
  const g = region.internetGateways.get(e.internetGatewayId);
  if (!g) return;
  switch (e.type) {
    case "InternetGatewayAttached":
      g.vpcId = e.vpcId;
      return;
    case "InternetGatewayDetached":
      g.vpcId = undefined;
      return;
    case "InternetGatewayDeleted":
      region.internetGateways.delete(g.internetGatewayId);
      return;
  }
}

// ── wire shape ───────────────────────────────────────────────────────────────────────────────
export const toEc2InternetGateway = (g: InternetGateway): Ec2InternetGateway => ({
  InternetGatewayId: g.internetGatewayId,
  OwnerId: g.ownerId,
  // EC2 reports an attached gateway's attachment as "available" (not one of the SDK's enum values;
  // the AWS provider for Terraform waits for exactly that).
  Attachments: g.vpcId ? [{ State: "available" as AttachmentStatus, VpcId: g.vpcId }] : [],
  Tags: toTagSet(g.tags) ?? [],
});

const gatewayFields = {
  "internet-gateway-id": (g: InternetGateway) => g.internetGatewayId,
  "owner-id": (g: InternetGateway) => g.ownerId,
  "attachment.vpc-id": (g: InternetGateway) => g.vpcId,
  "attachment.state": (g: InternetGateway) => (g.vpcId ? "available" : undefined),
};

export const internetGatewayActions = {
  CreateInternetGateway(tx: Tx, input: CreateInternetGatewayRequest): CreateInternetGatewayResult {
    const tags = tagsFor(input.TagSpecifications, "internet-gateway", ["internet-gateway"]);
    const internetGatewayId = tx.newId("internetGateway");
    tx.emit({
      type: "InternetGatewayCreated",
      region: tx.ctx.region,
      internetGatewayId,
      ownerId: tx.ctx.accountId,
      tags,
    });
    return { InternetGateway: toEc2InternetGateway(tx.region.internetGateways.get(internetGatewayId)!) };
  },

  AttachInternetGateway(tx: Tx, input: AttachInternetGatewayRequest) {
    const g = requireInternetGateway(tx, input.InternetGatewayId);
    const vpc = requireVpc(tx, input.VpcId);
    if (g.vpcId)
      throw new Ec2Error(
        "Resource.AlreadyAssociated",
        `resource ${g.internetGatewayId} is already attached to network ${g.vpcId}`,
      );
    const other = gatewayOf(tx.region, vpc.vpcId);
    if (other)
      throw new Ec2Error(
        "Resource.AlreadyAssociated",
        `resource ${vpc.vpcId} already has an internet gateway attached (${other.internetGatewayId})`,
      );
    tx.emit({
      type: "InternetGatewayAttached",
      region: tx.ctx.region,
      internetGatewayId: g.internetGatewayId,
      vpcId: vpc.vpcId,
    });
    return {};
  },

  DetachInternetGateway(tx: Tx, input: DetachInternetGatewayRequest) {
    const g = requireInternetGateway(tx, input.InternetGatewayId);
    const vpc = requireVpc(tx, input.VpcId);
    if (g.vpcId !== vpc.vpcId)
      throw new Ec2Error(
        "Gateway.NotAttached",
        `resource ${g.internetGatewayId} is not attached to network ${vpc.vpcId}`,
      );
    if (hasMappedPublicAddresses(tx.region, vpc.vpcId))
      throw new Ec2Error(
        "DependencyViolation",
        `Network ${vpc.vpcId} has some mapped public address(es). Please unmap those public address(es) before detaching the gateway.`,
      );
    tx.emit({
      type: "InternetGatewayDetached",
      region: tx.ctx.region,
      internetGatewayId: g.internetGatewayId,
      vpcId: vpc.vpcId,
    });
    return {};
  },

  DeleteInternetGateway(tx: Tx, input: DeleteInternetGatewayRequest) {
    const g = requireInternetGateway(tx, input.InternetGatewayId);
    // R31: detach first.
    if (g.vpcId)
      throw new Ec2Error(
        "DependencyViolation",
        `The internetGateway '${g.internetGatewayId}' has dependencies and cannot be deleted.`,
      );
    tx.emit({ type: "InternetGatewayDeleted", region: tx.ctx.region, internetGatewayId: g.internetGatewayId });
    return {};
  },

  DescribeInternetGateways(
    tx: Tx,
    input: DescribeInternetGatewaysRequest & { Filters?: Filter[] },
  ): DescribeInternetGatewaysResult {
    const match = compileFilters(input.Filters, gatewayFields);
    const rows = ownedById(
      tx.region.internetGateways,
      tx.ctx.accountId,
      input.InternetGatewayIds,
      notFoundInternetGateway,
    ).filter(match);
    const { page, nextToken } = paginate(rows, input, { min: 5, max: 1000 }, "igws");
    return { InternetGateways: page.map(toEc2InternetGateway), NextToken: nextToken };
  },
};
