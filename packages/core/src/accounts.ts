/**
 * Accounts (R3): 12-digit IDs with their own access keys, an organization and OU for launch
 * permissions (R7), and in every region a default VPC with one default subnet per AZ and a default
 * security group. Default network IDs are a pure function of seed, account and region, so they are
 * the same on every run and need no events of their own.
 */
import type { AccountAttribute, Subnet as Ec2Subnet, Vpc as Ec2Vpc } from "@aws-sdk/client-ec2";
import { REGIONS } from "./catalog-data.ts";
import { Ec2Error, errors } from "./errors.ts";
import type { EventOf } from "./events.ts";
import { compileFilters, type Filter, paginate } from "./filters.ts";
import { hex17, stableId } from "./ids.ts";
import type { SecurityGroup, Subnet, Vpc } from "./model.ts";
import { regionState, type SandboxState } from "./state.ts";
import { toTagSet } from "./tags.ts";
import type { Tx } from "./tx.ts";

export interface NewAccount {
  accountId?: string;
  alias?: string;
  organizationArn?: string;
  ouArn?: string;
  callerIp?: string;
}

/** Access key and secret for an account: deterministic test data, never a real credential. */
export function credentialsFor(seed: string, accountId: string): { accessKeyId: string; secretAccessKey: string } {
  const body = (hex17(`${seed}:ak:${accountId}`) + hex17(`${seed}:ak2:${accountId}`))
    .toUpperCase()
    .replace(/[^A-Z2-7]/g, (c) => "ABCDEFGHIJ"[Number(c)] ?? "Z");
  const secret = Buffer.from(
    hex17(`${seed}:sk:${accountId}`) + hex17(`${seed}:sk2:${accountId}`) + hex17(`${seed}:sk3:${accountId}`),
  )
    .toString("base64")
    .slice(0, 40);
  return { accessKeyId: `AKIA${body.slice(0, 16)}`, secretAccessKey: secret };
}

export function createAccountEvent(state: SandboxState, spec: NewAccount): EventOf<"AccountCreated"> {
  const accountId =
    spec.accountId ??
    String(
      100000000000 +
        (Number.parseInt(hex17(`${state.seed}:acct:${state.accounts.size}`).slice(0, 10), 16) % 899999999999),
    );
  if (!/^\d{12}$/.test(accountId))
    throw new Ec2Error("InvalidParameterValue", `Account IDs are 12 digits: '${accountId}'`);
  if (state.accounts.has(accountId)) throw new Ec2Error("InvalidParameterValue", `Account ${accountId} already exists`);
  const creds = credentialsFor(state.seed, accountId);
  return {
    type: "AccountCreated",
    accountId,
    ...(spec.alias ? { alias: spec.alias } : {}),
    ...creds,
    ...(spec.organizationArn ? { organizationArn: spec.organizationArn } : {}),
    ...(spec.ouArn ? { ouArn: spec.ouArn } : {}),
    callerIp: spec.callerIp ?? "203.0.113.10",
  };
}

/** Default network of an account in one region; folded in when the account is created. */
function addDefaultNetwork(
  state: SandboxState,
  accountId: string,
  regionName: string,
  zones: { zoneName: string; zoneId: string }[],
): void {
  const region = regionState(state, regionName);
  const key = `${state.seed}:${accountId}:${regionName}`;
  const vpcId = stableId("vpc", `${key}:default-vpc`);
  const vpc: Vpc = {
    vpcId,
    ownerId: accountId,
    region: regionName,
    cidrBlock: "172.31.0.0/16",
    isDefault: true,
    state: "available",
    tags: new Map(),
  };
  region.vpcs.set(vpcId, vpc);
  state.resourceRegion.set(vpcId, regionName);
  zones.forEach((z, i) => {
    const subnetId = stableId("subnet", `${key}:default-subnet:${z.zoneName}`);
    const subnet: Subnet = {
      subnetId,
      vpcId,
      ownerId: accountId,
      region: regionName,
      availabilityZone: z.zoneName,
      availabilityZoneId: z.zoneId,
      cidrBlock: `172.31.${i * 16}.0/20`,
      defaultForAz: true,
      mapPublicIpOnLaunch: true,
      nextHost: 0,
      tags: new Map(),
    };
    region.subnets.set(subnetId, subnet);
    state.resourceRegion.set(subnetId, regionName);
  });
  const groupId = stableId("securityGroup", `${key}:default-sg`);
  const sg: SecurityGroup = {
    groupId,
    groupName: "default",
    description: "default VPC security group",
    ownerId: accountId,
    region: regionName,
    vpcId,
    rules: new Map(),
    tags: new Map(),
  };
  // The default group: all traffic from members of the group, all traffic out.
  const inRule = stableId("securityGroupRule", `${key}:default-sg:in`);
  const outRule = stableId("securityGroupRule", `${key}:default-sg:out`);
  sg.rules.set(inRule, {
    ruleId: inRule,
    groupId,
    isEgress: false,
    ipProtocol: "-1",
    referencedGroupId: groupId,
    tags: new Map(),
  });
  sg.rules.set(outRule, {
    ruleId: outRule,
    groupId,
    isEgress: true,
    ipProtocol: "-1",
    cidrIpv4: "0.0.0.0/0",
    tags: new Map(),
  });
  region.securityGroups.set(groupId, sg);
  state.resourceRegion.set(groupId, regionName);
}

export function applyAccountCreated(state: SandboxState, e: EventOf<"AccountCreated">): void {
  state.accounts.set(e.accountId, {
    accountId: e.accountId,
    alias: e.alias,
    accessKeyId: e.accessKeyId,
    secretAccessKey: e.secretAccessKey,
    organizationArn: e.organizationArn,
    ouArn: e.ouArn,
    callerIp: e.callerIp,
  });
  state.accountsByAccessKey.set(e.accessKeyId, e.accountId);
  for (const r of REGIONS) addDefaultNetwork(state, e.accountId, r.regionName, r.zones);
}

export function defaultVpc(tx: Tx, accountId = tx.ctx.accountId): Vpc {
  for (const v of tx.region.vpcs.values()) if (v.isDefault && v.ownerId === accountId) return v;
  throw new Ec2Error("VPCIdNotSpecified", "No default VPC for this user");
}

export function defaultSubnet(tx: Tx, zone?: string): Subnet {
  const subnets = [...tx.region.subnets.values()].filter((s) => s.ownerId === tx.ctx.accountId && s.defaultForAz);
  if (zone) {
    const s = subnets.find((x) => x.availabilityZone === zone);
    if (!s) throw new Ec2Error("InvalidParameterValue", `Invalid availability zone: [${zone}]`);
    return s;
  }
  if (subnets.length === 0) throw new Ec2Error("VPCIdNotSpecified", "No default VPC for this user");
  return subnets[0]!;
}

export function findSubnet(tx: Tx, subnetId: string): Subnet {
  const s = tx.region.subnets.get(subnetId);
  if (!s || s.ownerId !== tx.ctx.accountId)
    throw new Ec2Error("InvalidSubnetID.NotFound", `The subnet ID '${subnetId}' does not exist`);
  return s;
}

/** The next private IP of a subnet: 172.31.X.Y from its /20, skipping AWS's reserved first four. */
export function nextPrivateIp(subnet: Subnet): string {
  const base = subnet.cidrBlock.split("/")[0]!.split(".").map(Number);
  const host = subnet.nextHost + 4;
  const third = base[2]! + Math.floor(host / 256);
  return `${base[0]}.${base[1]}.${third}.${host % 256}`;
}

const vpcFields = {
  "vpc-id": (v: Vpc) => v.vpcId,
  "owner-id": (v: Vpc) => v.ownerId,
  state: (v: Vpc) => v.state,
  "is-default": (v: Vpc) => String(v.isDefault),
  "cidr-block": (v: Vpc) => v.cidrBlock,
  cidr: (v: Vpc) => v.cidrBlock,
  "cidr-block-association.cidr-block": (v: Vpc) => v.cidrBlock,
  "dhcp-options-id": () => "default",
};

const subnetFields = {
  "subnet-id": (s: Subnet) => s.subnetId,
  "vpc-id": (s: Subnet) => s.vpcId,
  "owner-id": (s: Subnet) => s.ownerId,
  "availability-zone": (s: Subnet) => s.availabilityZone,
  "availability-zone-id": (s: Subnet) => s.availabilityZoneId,
  "default-for-az": (s: Subnet) => String(s.defaultForAz),
  defaultForAz: (s: Subnet) => String(s.defaultForAz),
  "cidr-block": (s: Subnet) => s.cidrBlock,
  cidrBlock: (s: Subnet) => s.cidrBlock,
  cidr: (s: Subnet) => s.cidrBlock,
  state: () => "available",
  "map-public-ip-on-launch": (s: Subnet) => String(s.mapPublicIpOnLaunch),
};

export const toEc2Vpc = (v: Vpc): Ec2Vpc => ({
  VpcId: v.vpcId,
  OwnerId: v.ownerId,
  State: v.state,
  CidrBlock: v.cidrBlock,
  IsDefault: v.isDefault,
  DhcpOptionsId: `dopt-${hex17(v.vpcId).slice(0, 8)}`,
  InstanceTenancy: "default",
  CidrBlockAssociationSet: [
    {
      AssociationId: `vpc-cidr-assoc-${hex17(`${v.vpcId}c`)}`,
      CidrBlock: v.cidrBlock,
      CidrBlockState: { State: "associated" },
    },
  ],
  Tags: toTagSet(v.tags),
});

const subnetArn = (s: Subnet) => `arn:aws:ec2:${s.region}:${s.ownerId}:subnet/${s.subnetId}`;

export const toEc2Subnet = (s: Subnet, used: number): Ec2Subnet => ({
  SubnetId: s.subnetId,
  VpcId: s.vpcId,
  OwnerId: s.ownerId,
  State: "available",
  AvailabilityZone: s.availabilityZone,
  AvailabilityZoneId: s.availabilityZoneId,
  CidrBlock: s.cidrBlock,
  AvailableIpAddressCount: 4091 - used,
  DefaultForAz: s.defaultForAz,
  MapPublicIpOnLaunch: s.mapPublicIpOnLaunch,
  MapCustomerOwnedIpOnLaunch: false,
  AssignIpv6AddressOnCreation: false,
  Ipv6CidrBlockAssociationSet: [],
  SubnetArn: subnetArn(s),
  EnableDns64: false,
  Ipv6Native: false,
  PrivateDnsNameOptionsOnLaunch: {
    HostnameType: "ip-name",
    EnableResourceNameDnsARecord: false,
    EnableResourceNameDnsAAAARecord: false,
  },
  Tags: toTagSet(s.tags),
});

export const accountActions = {
  DescribeAccountAttributes(tx: Tx, input: { AttributeNames?: string[] }) {
    const vpc = defaultVpc(tx);
    const all: AccountAttribute[] = [
      { AttributeName: "supported-platforms", AttributeValues: [{ AttributeValue: "VPC" }] },
      { AttributeName: "default-vpc", AttributeValues: [{ AttributeValue: vpc.vpcId }] },
      { AttributeName: "max-instances", AttributeValues: [{ AttributeValue: "1000" }] },
      { AttributeName: "vpc-max-security-groups-per-interface", AttributeValues: [{ AttributeValue: "5" }] },
      { AttributeName: "max-elastic-ips", AttributeValues: [{ AttributeValue: "5" }] },
      { AttributeName: "vpc-max-elastic-ips", AttributeValues: [{ AttributeValue: "5" }] },
    ];
    const names = input.AttributeNames ?? [];
    for (const n of names)
      if (!all.some((a) => a.AttributeName === n))
        throw new Ec2Error("InvalidParameterValue", `Invalid account attribute name: ${n}`);
    return { AccountAttributes: names.length ? all.filter((a) => names.includes(a.AttributeName!)) : all };
  },
  DescribeVpcs(tx: Tx, input: { VpcIds?: string[]; Filters?: Filter[]; MaxResults?: number; NextToken?: string }) {
    const mine = [...tx.region.vpcs.values()].filter((v) => v.ownerId === tx.ctx.accountId);
    for (const id of input.VpcIds ?? [])
      if (!mine.some((v) => v.vpcId === id))
        throw new Ec2Error("InvalidVpcID.NotFound", `The vpc ID '${id}' does not exist`);
    const match = compileFilters(input.Filters, vpcFields);
    const rows = mine.filter((v) => (!input.VpcIds?.length || input.VpcIds.includes(v.vpcId)) && match(v));
    const { page, nextToken } = paginate(rows, input, { min: 5, max: 1000 }, "vpcs");
    return { Vpcs: page.map(toEc2Vpc), NextToken: nextToken };
  },
  DescribeSubnets(
    tx: Tx,
    input: { SubnetIds?: string[]; Filters?: Filter[]; MaxResults?: number; NextToken?: string },
  ) {
    const mine = [...tx.region.subnets.values()].filter((s) => s.ownerId === tx.ctx.accountId);
    for (const id of input.SubnetIds ?? [])
      if (!mine.some((s) => s.subnetId === id))
        throw new Ec2Error("InvalidSubnetID.NotFound", `The subnet ID '${id}' does not exist`);
    const match = compileFilters(input.Filters, subnetFields);
    const rows = mine.filter((s) => (!input.SubnetIds?.length || input.SubnetIds.includes(s.subnetId)) && match(s));
    const { page, nextToken } = paginate(rows, input, { min: 5, max: 1000 }, "subnets");
    return { Subnets: page.map((s) => toEc2Subnet(s, s.nextHost)), NextToken: nextToken };
  },
};

export { errors };
