/**
 * VPCs (R27, R28, R31): an IPv4 CIDR between /16 and /28, DNS attributes, and what EC2 makes with
 * every VPC — a main route table, a default security group, a default network ACL — which live and
 * die with it. A VPC that anything still uses cannot be deleted. Each region of an account has a
 * default VPC (default-network.ts).
 */
import type {
  CreateVpcRequest,
  CreateVpcResult,
  DeleteVpcRequest,
  DescribeVpcAttributeRequest,
  DescribeVpcAttributeResult,
  DescribeVpcsRequest,
  DescribeVpcsResult,
  Vpc as Ec2Vpc,
  ModifyVpcAttributeRequest,
} from "@aws-sdk/client-ec2";
import { type Cidr, cidrText, isNetworkCidr, parseCidr } from "./cidr.ts";
import { Ec2Error, errors } from "./errors.ts";
import type { EventOf, VpcInit } from "./events.ts";
import { compileFilters, type Filter, paginate } from "./filters.ts";
import { hex17 } from "./ids.ts";
import type { Vpc } from "./model.ts";
import { type RegionState, regionState, type SandboxState } from "./state.ts";
import { tagMap, tagsFor, toTagSet } from "./tags.ts";
import type { Tx } from "./tx.ts";

export const notFoundVpc = (id: string) => new Ec2Error("InvalidVpcID.NotFound", `The vpc ID '${id}' does not exist`);

export function requireVpc(tx: Tx, id: string | undefined): Vpc {
  if (!id) throw errors.missingParameter("VpcId");
  const v = tx.region.vpcs.get(id);
  if (!v || v.ownerId !== tx.ctx.accountId) throw notFoundVpc(id);
  return v;
}

/** The account's default VPC in a region, if it has one (it can be deleted). */
export function defaultVpcOf(region: RegionState, accountId: string): Vpc | undefined {
  for (const v of region.vpcs.values()) if (v.isDefault && v.ownerId === accountId) return v;
  return undefined;
}

export function defaultVpc(tx: Tx, accountId = tx.ctx.accountId): Vpc {
  const v = defaultVpcOf(tx.region, accountId);
  if (!v) throw new Ec2Error("VPCIdNotSpecified", "No default VPC for this user");
  return v;
}

/** A CIDR block given for a VPC or subnet: well formed and a network address, else EC2's error. */
export function requireNetworkCidr(text: string | undefined): Cidr {
  if (!text) throw errors.missingParameter("CidrBlock");
  const c = parseCidr(text);
  if (!c || !isNetworkCidr(c))
    throw new Ec2Error(
      "InvalidParameterValue",
      `Value (${text}) for parameter cidrBlock is invalid. This is not a valid CIDR block.`,
    );
  return c;
}

// ── fold ─────────────────────────────────────────────────────────────────────────────────────
export function addVpc(state: SandboxState, regionName: string, init: VpcInit): Vpc {
  const vpc: Vpc = {
    vpcId: init.vpcId,
    ownerId: init.ownerId,
    region: regionName,
    cidrBlock: init.cidrBlock,
    isDefault: init.isDefault,
    state: "available",
    instanceTenancy: init.instanceTenancy,
    // A default VPC resolves and hands out DNS hostnames; a new one only resolves (EC2's defaults).
    enableDnsSupport: true,
    enableDnsHostnames: init.isDefault,
    enableNetworkAddressUsageMetrics: false,
    defaultSecurityGroupId: init.defaultSecurityGroupId,
    defaultNetworkAclId: init.defaultNetworkAclId,
    tags: tagMap(init.tags),
  };
  regionState(state, regionName).vpcs.set(vpc.vpcId, vpc);
  state.resourceRegion.set(vpc.vpcId, regionName);
  return vpc;
}

export function applyVpcEvent(
  state: SandboxState,
  e: EventOf<"VpcCreated" | "VpcAttributeChanged" | "VpcDeleted">,
): void {
  const region = regionState(state, e.region);
  switch (e.type) {
    case "VpcCreated":
      addVpc(state, e.region, e.vpc);
      return;
    case "VpcAttributeChanged": {
      const v = region.vpcs.get(e.vpcId);
      if (v) Object.assign(v, e.attrs);
      return;
    }
    case "VpcDeleted":
      region.vpcs.delete(e.vpcId);
      return;
  }
}

// ── wire shape ───────────────────────────────────────────────────────────────────────────────
// Hashes of the VPC ID, kept once made: three hashes each cost more than the rest of a VPC's answer
// (DescribeVpcs of 1,000 went from ~4 ms to ~0.5 ms; bench/core "network").
const derivedIds = new Map<string, { dhcp: string; assoc: string }>();
function derivedIdsOf(vpcId: string): { dhcp: string; assoc: string } {
  let d = derivedIds.get(vpcId);
  if (!d)
    derivedIds.set(
      vpcId,
      (d = { dhcp: `dopt-${hex17(vpcId).slice(0, 8)}`, assoc: `vpc-cidr-assoc-${hex17(`${vpcId}c`)}` }),
    );
  return d;
}
export const dhcpOptionsIdOf = (v: Vpc) => derivedIdsOf(v.vpcId).dhcp;
const cidrAssociationIdOf = (v: Vpc) => derivedIdsOf(v.vpcId).assoc;

export const toEc2Vpc = (v: Vpc): Ec2Vpc => ({
  VpcId: v.vpcId,
  OwnerId: v.ownerId,
  State: v.state,
  CidrBlock: v.cidrBlock,
  IsDefault: v.isDefault,
  DhcpOptionsId: dhcpOptionsIdOf(v),
  InstanceTenancy: v.instanceTenancy,
  CidrBlockAssociationSet: [
    { AssociationId: cidrAssociationIdOf(v), CidrBlock: v.cidrBlock, CidrBlockState: { State: "associated" } },
  ],
  Ipv6CidrBlockAssociationSet: [],
  Tags: toTagSet(v.tags),
});

const vpcFields = {
  "vpc-id": (v: Vpc) => v.vpcId,
  "owner-id": (v: Vpc) => v.ownerId,
  state: (v: Vpc) => v.state,
  "is-default": (v: Vpc) => String(v.isDefault),
  isDefault: (v: Vpc) => String(v.isDefault),
  "cidr-block": (v: Vpc) => v.cidrBlock,
  cidr: (v: Vpc) => v.cidrBlock,
  cidrBlock: (v: Vpc) => v.cidrBlock,
  "cidr-block-association.cidr-block": (v: Vpc) => v.cidrBlock,
  "cidr-block-association.association-id": (v: Vpc) => cidrAssociationIdOf(v),
  "cidr-block-association.state": () => "associated",
  "dhcp-options-id": (v: Vpc) => dhcpOptionsIdOf(v),
  "instance-tenancy": (v: Vpc) => v.instanceTenancy,
};

/** The account's entities of one map, by the IDs asked for (each must exist) or all of them. */
export function ownedById<T extends { ownerId: string }>(
  map: ReadonlyMap<string, T>,
  accountId: string,
  ids: readonly string[] | undefined,
  notFound: (id: string) => Error,
): T[] {
  if (ids?.length) {
    const out: T[] = [];
    const seen = new Set<string>();
    for (const id of ids) {
      const x = map.get(id);
      if (!x || x.ownerId !== accountId) throw notFound(id);
      if (!seen.has(id)) out.push(x);
      seen.add(id);
    }
    return out;
  }
  const out: T[] = [];
  for (const x of map.values()) if (x.ownerId === accountId) out.push(x);
  return out;
}

/**
 * Whether anything still uses a VPC (R31): subnets (which hold every interface), groups other than
 * its default, an attached internet gateway, route tables other than the main one.
 */
function vpcInUse(r: RegionState, v: Vpc): boolean {
  for (const s of r.subnets.values()) if (s.vpcId === v.vpcId) return true;
  for (const g of r.securityGroups.values())
    if (g.vpcId === v.vpcId && g.groupId !== v.defaultSecurityGroupId) return true;
  for (const g of r.internetGateways.values()) if (g.vpcId === v.vpcId) return true;
  for (const t of r.routeTables.values()) if (t.vpcId === v.vpcId && !t.associations.some((a) => a.main)) return true;
  return false;
}

export const vpcActions = {
  CreateVpc(tx: Tx, input: CreateVpcRequest): CreateVpcResult {
    if (input.AmazonProvidedIpv6CidrBlock || input.Ipv6Pool || input.Ipv6CidrBlock || input.Ipv6IpamPoolId)
      throw errors.unsupported("IPv6 CIDR blocks for VPCs are not supported by this sandbox (IPv4 only)");
    if (input.Ipv4IpamPoolId)
      throw errors.unsupported("IPAM pools (Ipv4IpamPoolId) are not supported by this sandbox: give a CidrBlock");
    const cidr = requireNetworkCidr(input.CidrBlock);
    // R27: /16 (65,536 addresses) to /28 (16).
    if (cidr.bits < 16 || cidr.bits > 28)
      throw new Ec2Error("InvalidVpc.Range", `The CIDR '${input.CidrBlock}' is invalid.`);
    const tenancy = input.InstanceTenancy ?? "default";
    if (tenancy !== "default" && tenancy !== "dedicated")
      throw new Ec2Error("InvalidParameterValue", `Value (${tenancy}) for parameter instanceTenancy is invalid.`);
    const tags = tagsFor(input.TagSpecifications, "vpc", ["vpc"]);
    const vpc: VpcInit = {
      vpcId: tx.newId("vpc"),
      ownerId: tx.ctx.accountId,
      cidrBlock: cidrText(cidr),
      isDefault: false,
      instanceTenancy: tenancy,
      mainRouteTableId: tx.newId("routeTable"),
      mainRouteTableAssociationId: tx.newId("routeTableAssociation"),
      defaultSecurityGroupId: tx.newId("securityGroup"),
      defaultSgIngressRuleId: tx.newId("securityGroupRule"),
      defaultSgEgressRuleId: tx.newId("securityGroupRule"),
      defaultNetworkAclId: tx.newId("networkAcl"),
      tags,
    };
    tx.emit({ type: "VpcCreated", region: tx.ctx.region, vpc });
    // EC2 answers while the VPC is still pending; it is available by the next call.
    return { Vpc: { ...toEc2Vpc(tx.region.vpcs.get(vpc.vpcId)!), State: "pending" } };
  },

  DeleteVpc(tx: Tx, input: DeleteVpcRequest) {
    const v = requireVpc(tx, input.VpcId);
    if (vpcInUse(tx.region, v))
      throw new Ec2Error("DependencyViolation", `The vpc '${v.vpcId}' has dependencies and cannot be deleted.`);
    tx.emit({ type: "VpcDeleted", region: tx.ctx.region, vpcId: v.vpcId });
    return {};
  },

  DescribeVpcs(tx: Tx, input: DescribeVpcsRequest & { Filters?: Filter[] }): DescribeVpcsResult {
    const match = compileFilters(input.Filters, vpcFields);
    const rows = ownedById(tx.region.vpcs, tx.ctx.accountId, input.VpcIds, notFoundVpc).filter(match);
    const { page, nextToken } = paginate(rows, input, { min: 5, max: 1000 }, "vpcs");
    return { Vpcs: page.map(toEc2Vpc), NextToken: nextToken };
  },

  ModifyVpcAttribute(tx: Tx, input: ModifyVpcAttributeRequest) {
    const v = requireVpc(tx, input.VpcId);
    const attrs: EventOf<"VpcAttributeChanged">["attrs"] = {};
    if (input.EnableDnsSupport?.Value !== undefined) attrs.enableDnsSupport = input.EnableDnsSupport.Value;
    if (input.EnableDnsHostnames?.Value !== undefined) attrs.enableDnsHostnames = input.EnableDnsHostnames.Value;
    if (input.EnableNetworkAddressUsageMetrics?.Value !== undefined)
      attrs.enableNetworkAddressUsageMetrics = input.EnableNetworkAddressUsageMetrics.Value;
    const n = Object.keys(attrs).length;
    if (n === 0)
      throw errors.missingParameter("EnableDnsSupport, EnableDnsHostnames or EnableNetworkAddressUsageMetrics");
    if (n > 1)
      throw errors.invalidCombination(
        "You cannot modify more than one VPC attribute in the same request. Use separate requests for each attribute.",
      );
    tx.emit({ type: "VpcAttributeChanged", region: tx.ctx.region, vpcId: v.vpcId, attrs });
    return {};
  },

  DescribeVpcAttribute(tx: Tx, input: DescribeVpcAttributeRequest): DescribeVpcAttributeResult {
    const v = requireVpc(tx, input.VpcId);
    switch (input.Attribute) {
      case undefined:
        throw errors.missingParameter("Attribute");
      case "enableDnsSupport":
        return { VpcId: v.vpcId, EnableDnsSupport: { Value: v.enableDnsSupport } };
      case "enableDnsHostnames":
        return { VpcId: v.vpcId, EnableDnsHostnames: { Value: v.enableDnsHostnames } };
      case "enableNetworkAddressUsageMetrics":
        return { VpcId: v.vpcId, EnableNetworkAddressUsageMetrics: { Value: v.enableNetworkAddressUsageMetrics } };
      default:
        throw new Ec2Error(
          "InvalidParameterValue",
          `Value (${String(input.Attribute)}) for parameter attribute is invalid. Unknown attribute.`,
        );
    }
  },
};
