/**
 * The default network of an account in a region (R3, R28), folded in when the account is created:
 * a default VPC 172.31.0.0/16 with one default /20 subnet per Availability Zone that maps public
 * IPs on launch, its default security group and network ACL, its main route table, and an internet
 * gateway attached with a 0.0.0.0/0 route to it — so an instance launched with no network named is
 * reachable, as on EC2. IDs are a pure function of seed, account, region and name, so they need no
 * events.
 */
import type {
  CreateDefaultSubnetRequest,
  CreateDefaultSubnetResult,
  CreateDefaultVpcRequest,
  CreateDefaultVpcResult,
} from "@aws-sdk/client-ec2";
import { cidrsOverlap, parseCidr } from "./cidr.ts";
import { Ec2Error, errors } from "./errors.ts";
import { stableId } from "./ids.ts";
import { addInternetGateway } from "./internet-gateways.ts";
import type { Subnet, Vpc } from "./model.ts";
import { addNetworkAcl } from "./network-acls.ts";
import { ownPrimaryId } from "./network-interfaces.ts";
import { requireRegion } from "./regions.ts";
import { addRouteTable } from "./route-tables.ts";
import { addDefaultGroup } from "./security-groups.ts";
import type { RegionState, SandboxState } from "./state.ts";
import { addSubnet, defaultSubnets, holdAddress, subnetCidr, toEc2Subnet } from "./subnets.ts";
import type { Tx } from "./tx.ts";
import { addVpc, defaultVpcOf, toEc2Vpc } from "./vpcs.ts";

export function foldDefaultNetwork(
  state: SandboxState,
  accountId: string,
  regionName: string,
  zones: readonly { zoneName: string; zoneId: string }[],
): void {
  const key = `${state.seed}:${accountId}:${regionName}`;
  const vpcId = stableId("vpc", `${key}:default-vpc`);
  const vpc = addVpc(state, regionName, {
    vpcId,
    ownerId: accountId,
    cidrBlock: "172.31.0.0/16",
    isDefault: true,
    instanceTenancy: "default",
    mainRouteTableId: stableId("routeTable", `${key}:main-rtb`),
    mainRouteTableAssociationId: stableId("routeTableAssociation", `${key}:main-rtb-assoc`),
    defaultSecurityGroupId: stableId("securityGroup", `${key}:default-sg`),
    defaultSgIngressRuleId: stableId("securityGroupRule", `${key}:default-sg:in`),
    defaultSgEgressRuleId: stableId("securityGroupRule", `${key}:default-sg:out`),
    defaultNetworkAclId: stableId("networkAcl", `${key}:default-acl`),
    tags: [],
  });
  zones.forEach((z, i) => {
    addSubnet(state, regionName, {
      subnetId: stableId("subnet", `${key}:default-subnet:${z.zoneName}`),
      vpcId,
      ownerId: accountId,
      availabilityZone: z.zoneName,
      availabilityZoneId: z.zoneId,
      cidrBlock: `172.31.${i * 16}.0/20`,
      defaultForAz: true,
      mapPublicIpOnLaunch: true,
      tags: [],
    });
  });
  addDefaultGroup(state, regionName, {
    groupId: vpc.defaultSecurityGroupId,
    ownerId: accountId,
    vpcId,
    ingressRuleId: stableId("securityGroupRule", `${key}:default-sg:in`),
    egressRuleId: stableId("securityGroupRule", `${key}:default-sg:out`),
  });
  addDefaultGateway(state, key, accountId, regionName, vpcId);
}

/** The default VPC's main route table (local + 0.0.0.0/0 to its gateway), gateway and network ACL. */
function addDefaultGateway(state: SandboxState, key: string, accountId: string, regionName: string, vpcId: string) {
  const internetGatewayId = stableId("internetGateway", `${key}:default-igw`);
  addInternetGateway(state, regionName, { internetGatewayId, ownerId: accountId, vpcId, tags: [] });
  const main = addRouteTable(state, regionName, {
    routeTableId: stableId("routeTable", `${key}:main-rtb`),
    vpcId,
    ownerId: accountId,
    vpcCidr: "172.31.0.0/16",
    tags: [],
  });
  main.associations.push({ associationId: stableId("routeTableAssociation", `${key}:main-rtb-assoc`), main: true });
  main.routes.push({ destinationCidrBlock: "0.0.0.0/0", gatewayId: internetGatewayId, origin: "CreateRoute" });
  addNetworkAcl(state, regionName, {
    networkAclId: stableId("networkAcl", `${key}:default-acl`),
    vpcId,
    ownerId: accountId,
  });
}

/**
 * A state restored from a snapshot taken before VPCs had their own fields and subnets counted
 * their addresses: fills in what the fold of the same events builds today (only default networks
 * existed then, so their parts get the IDs `foldDefaultNetwork` gives them).
 */
export function upgradeNetwork(state: SandboxState): void {
  for (const [regionName, region] of state.regions) {
    for (const vpc of region.vpcs.values()) {
      if (vpc.defaultSecurityGroupId !== undefined) continue;
      const key = `${state.seed}:${vpc.ownerId}:${regionName}`;
      Object.assign(vpc, {
        instanceTenancy: "default",
        enableDnsSupport: true,
        enableDnsHostnames: vpc.isDefault,
        enableNetworkAddressUsageMetrics: false,
        defaultSecurityGroupId: stableId("securityGroup", `${key}:default-sg`),
        defaultNetworkAclId: stableId("networkAcl", `${key}:default-acl`),
      } satisfies Partial<Vpc>);
      addDefaultGateway(state, key, vpc.ownerId, regionName, vpc.vpcId);
    }
    let counted = false;
    for (const s of region.subnets.values()) {
      if (s.usedHosts !== undefined) continue;
      Object.assign(s, {
        usedHosts: new Set<number>(),
        nextHost: 4,
        privateDnsHostnameType: "ip-name",
        enableResourceNameDnsARecord: false,
      } satisfies Partial<Subnet>);
      counted = true;
    }
    if (counted) {
      for (const i of region.instances.values()) {
        if (i.state !== "terminated") holdAddress(region, i.subnetId, i.privateIpAddress);
        // Restarts gave an auto-assigned public IP in subnets that map them.
        if (region.subnets.get(i.subnetId)?.mapPublicIpOnLaunch) i.autoPublicIp = true;
      }
      // Elastic IPs were associated with instances: their primary interfaces.
      for (const a of region.addresses.values())
        if (a.instanceId && a.networkInterfaceId === undefined) a.networkInterfaceId = ownPrimaryId(a.instanceId);
    }
  }
}

/** The first /20 of 172.31.0.0/16 that no subnet of the VPC overlaps. */
function freeDefaultBlock(region: RegionState, vpcId: string): string | undefined {
  const taken = [...region.subnets.values()].filter((s) => s.vpcId === vpcId).map((s) => subnetCidr(s));
  for (let third = 0; third < 256; third += 16) {
    const block = parseCidr(`172.31.${third}.0/20`)!;
    if (!taken.some((c) => cidrsOverlap(c, block))) return `172.31.${third}.0/20`;
  }
  return undefined;
}

export const defaultNetworkActions = {
  /** After a default VPC was deleted: a new one, as EC2 makes it (new IDs), with its subnets and gateway. */
  CreateDefaultVpc(tx: Tx, _input: CreateDefaultVpcRequest): CreateDefaultVpcResult {
    if (defaultVpcOf(tx.region, tx.ctx.accountId))
      throw new Ec2Error("DefaultVpcAlreadyExists", "A Default VPC already exists for this account in this region.");
    const region = tx.ctx.region;
    const vpcId = tx.newId("vpc");
    tx.emit({
      type: "VpcCreated",
      region,
      vpc: {
        vpcId,
        ownerId: tx.ctx.accountId,
        cidrBlock: "172.31.0.0/16",
        isDefault: true,
        instanceTenancy: "default",
        mainRouteTableId: tx.newId("routeTable"),
        mainRouteTableAssociationId: tx.newId("routeTableAssociation"),
        defaultSecurityGroupId: tx.newId("securityGroup"),
        defaultSgIngressRuleId: tx.newId("securityGroupRule"),
        defaultSgEgressRuleId: tx.newId("securityGroupRule"),
        defaultNetworkAclId: tx.newId("networkAcl"),
        tags: [],
      },
    });
    requireRegion(region).zones.forEach((z, i) => {
      tx.emit({
        type: "SubnetCreated",
        region,
        subnet: {
          subnetId: tx.newId("subnet"),
          vpcId,
          ownerId: tx.ctx.accountId,
          availabilityZone: z.zoneName,
          availabilityZoneId: z.zoneId,
          cidrBlock: `172.31.${i * 16}.0/20`,
          defaultForAz: true,
          mapPublicIpOnLaunch: true,
          tags: [],
        },
      });
    });
    const internetGatewayId = tx.newId("internetGateway");
    tx.emit({ type: "InternetGatewayCreated", region, internetGatewayId, ownerId: tx.ctx.accountId, tags: [] });
    tx.emit({ type: "InternetGatewayAttached", region, internetGatewayId, vpcId });
    const vpc = tx.region.vpcs.get(vpcId)!;
    const main = [...tx.region.routeTables.values()].find((t) => t.vpcId === vpcId)!;
    tx.emit({
      type: "RouteCreated",
      region,
      routeTableId: main.routeTableId,
      route: { destinationCidrBlock: "0.0.0.0/0", gatewayId: internetGatewayId },
    });
    return { Vpc: toEc2Vpc(vpc) };
  },

  /** A default subnet (a free /20 of the default VPC, public IPs on launch) in a zone that lacks one. */
  CreateDefaultSubnet(tx: Tx, input: CreateDefaultSubnetRequest): CreateDefaultSubnetResult {
    const vpc = defaultVpcOf(tx.region, tx.ctx.accountId);
    if (!vpc) throw new Ec2Error("DefaultVpcDoesNotExist", "No default VPC exists for this account in this region.");
    if (input.Ipv6Native) throw errors.unsupported("IPv6-only subnets are not supported by this sandbox (IPv4 only)");
    const zones = requireRegion(tx.ctx.region).zones;
    const zone = zones.find((z) => z.zoneName === input.AvailabilityZone || z.zoneId === input.AvailabilityZoneId);
    if (!zone)
      throw new Ec2Error(
        "InvalidParameterValue",
        `Value (${input.AvailabilityZone ?? input.AvailabilityZoneId}) for parameter availabilityZone is invalid.`,
      );
    if (defaultSubnets(tx.region, tx.ctx.accountId).some((s) => s.availabilityZone === zone.zoneName))
      throw new Ec2Error(
        "DefaultSubnetAlreadyExistsInAvailabilityZone",
        `A default subnet already exists in availability zone ${zone.zoneName}.`,
      );
    const cidrBlock = freeDefaultBlock(tx.region, vpc.vpcId);
    if (!cidrBlock)
      throw new Ec2Error("InsufficientFreeAddressesInSubnet", `The default VPC ${vpc.vpcId} has no free /20 left.`);
    const subnetId = tx.newId("subnet");
    tx.emit({
      type: "SubnetCreated",
      region: tx.ctx.region,
      subnet: {
        subnetId,
        vpcId: vpc.vpcId,
        ownerId: tx.ctx.accountId,
        availabilityZone: zone.zoneName,
        availabilityZoneId: zone.zoneId,
        cidrBlock,
        defaultForAz: true,
        mapPublicIpOnLaunch: true,
        tags: [],
      },
    });
    return { Subnet: toEc2Subnet(tx.region.subnets.get(subnetId)!) };
  },
};
