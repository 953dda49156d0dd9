/**
 * Network ACLs: each VPC has its default ACL (everything allowed in and out), made and deleted with
 * the VPC and associated with every subnet of it, so ACL IDs and DescribeNetworkAcls answer as on
 * EC2. Custom ACLs and entries are not modelled (those actions answer UnsupportedOperation).
 */
import type {
  DescribeNetworkAclsRequest,
  DescribeNetworkAclsResult,
  NetworkAcl as Ec2NetworkAcl,
  NetworkAclEntry,
} from "@aws-sdk/client-ec2";
import { Ec2Error } from "./errors.ts";
import type { EventOf } from "./events.ts";
import { compileFilters, type Filter, paginate } from "./filters.ts";
import { hex17 } from "./ids.ts";
import type { NetworkAcl } from "./model.ts";
import { type RegionState, regionState, type SandboxState } from "./state.ts";
import { toTagSet } from "./tags.ts";
import type { Tx } from "./tx.ts";
import { ownedById } from "./vpcs.ts";

export const notFoundNetworkAcl = (id: string) =>
  new Ec2Error("InvalidNetworkAclID.NotFound", `The networkAcl ID '${id}' does not exist`);

export function addNetworkAcl(
  state: SandboxState,
  regionName: string,
  acl: { networkAclId: string; vpcId: string; ownerId: string },
): void {
  regionState(state, regionName).networkAcls.set(acl.networkAclId, { ...acl, region: regionName, tags: new Map() });
  state.resourceRegion.set(acl.networkAclId, regionName);
}

export function applyNetworkAclEvent(state: SandboxState, e: EventOf<"VpcCreated" | "VpcDeleted">): void {
  if (e.type === "VpcCreated")
    return addNetworkAcl(state, e.region, {
      networkAclId: e.vpc.defaultNetworkAclId,
      vpcId: e.vpc.vpcId,
      ownerId: e.vpc.ownerId,
    });
  const region = regionState(state, e.region);
  for (const a of region.networkAcls.values()) if (a.vpcId === e.vpcId) region.networkAcls.delete(a.networkAclId);
}

const subnetsOf = (region: RegionState, acl: NetworkAcl) =>
  [...region.subnets.values()].filter((s) => s.vpcId === acl.vpcId).map((s) => s.subnetId);
const associationIdOf = (subnetId: string) => `aclassoc-${hex17(`${subnetId}:acl`)}`;

const ENTRIES: NetworkAclEntry[] = [true, false].flatMap((Egress) => [
  { RuleNumber: 100, Protocol: "-1", RuleAction: "allow", Egress, CidrBlock: "0.0.0.0/0" },
  { RuleNumber: 32767, Protocol: "-1", RuleAction: "deny", Egress, CidrBlock: "0.0.0.0/0" },
]);

const toEc2NetworkAcl = (region: RegionState, acl: NetworkAcl): Ec2NetworkAcl => ({
  NetworkAclId: acl.networkAclId,
  VpcId: acl.vpcId,
  OwnerId: acl.ownerId,
  IsDefault: true,
  Entries: ENTRIES.map((e) => ({ ...e })),
  Associations: subnetsOf(region, acl).map((SubnetId) => ({
    NetworkAclAssociationId: associationIdOf(SubnetId),
    NetworkAclId: acl.networkAclId,
    SubnetId,
  })),
  Tags: toTagSet(acl.tags) ?? [],
});

export const networkAclActions = {
  DescribeNetworkAcls(tx: Tx, input: DescribeNetworkAclsRequest & { Filters?: Filter[] }): DescribeNetworkAclsResult {
    const region = tx.region;
    const match = compileFilters(input.Filters, {
      "network-acl-id": (a: NetworkAcl) => a.networkAclId,
      "vpc-id": (a: NetworkAcl) => a.vpcId,
      "owner-id": (a: NetworkAcl) => a.ownerId,
      default: () => "true",
      "association.subnet-id": (a: NetworkAcl) => subnetsOf(region, a),
      "association.association-id": (a: NetworkAcl) => subnetsOf(region, a).map(associationIdOf),
      "association.network-acl-id": (a: NetworkAcl) => a.networkAclId,
      "entry.rule-action": () => ["allow", "deny"],
      "entry.protocol": () => "-1",
      "entry.cidr": () => "0.0.0.0/0",
      "entry.egress": () => ["true", "false"],
      "entry.rule-number": () => ["100", "32767"],
    });
    const rows = ownedById(region.networkAcls, tx.ctx.accountId, input.NetworkAclIds, notFoundNetworkAcl).filter(match);
    const { page, nextToken } = paginate(rows, input, { min: 5, max: 1000 }, "acls");
    return { NetworkAcls: page.map((a) => toEc2NetworkAcl(region, a)), NextToken: nextToken };
  },
};
