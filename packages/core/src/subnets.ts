/**
 * Subnets (R27, R28): a CIDR inside its VPC's, overlapping no other subnet of the VPC, in one
 * Availability Zone. EC2 reserves five addresses of each (the first four and the last), so
 * `AvailableIpAddressCount` starts at size − 5 and falls as interfaces take addresses. Addresses are
 * chosen by the command (they are in its events) and held or released by the fold.
 */
import type {
  CreateSubnetRequest,
  CreateSubnetResult,
  DeleteSubnetRequest,
  DescribeSubnetsRequest,
  DescribeSubnetsResult,
  Subnet as Ec2Subnet,
  ModifySubnetAttributeRequest,
} from "@aws-sdk/client-ec2";
import { type Cidr, cidrsOverlap, cidrText, cidrWithin, intToIp, ipToInt, parseCidr } from "./cidr.ts";
import { Ec2Error, errors } from "./errors.ts";
import type { EventOf, SubnetInit } from "./events.ts";
import { compileFilters, type Filter, paginate } from "./filters.ts";
import type { Subnet } from "./model.ts";
import { requireRegion } from "./regions.ts";
import { type RegionState, regionState, type SandboxState } from "./state.ts";
import { tagMap, tagsFor, toTagSet } from "./tags.ts";
import type { Tx } from "./tx.ts";
import { ownedById, requireNetworkCidr, requireVpc } from "./vpcs.ts";

export const notFoundSubnet = (id: string) =>
  new Ec2Error("InvalidSubnetID.NotFound", `The subnet ID '${id}' does not exist`);

export function findSubnet(tx: Tx, subnetId: string): Subnet {
  const s = tx.region.subnets.get(subnetId);
  if (!s || s.ownerId !== tx.ctx.accountId) throw notFoundSubnet(subnetId);
  return s;
}

/** The account's default subnets in the region, in AZ order. */
export function defaultSubnets(region: RegionState, accountId: string): Subnet[] {
  const out: Subnet[] = [];
  for (const s of region.subnets.values()) if (s.ownerId === accountId && s.defaultForAz) out.push(s);
  return out.sort((a, b) => (a.availabilityZone < b.availabilityZone ? -1 : 1));
}

// ── addresses ────────────────────────────────────────────────────────────────────────────────
/** Host numbers an interface may hold: EC2 keeps the network address and the next three, and the last. */
const FIRST_HOST = 4;
const cidrCache = new Map<string, Cidr>();
export function subnetCidr(s: Pick<Subnet, "cidrBlock">): Cidr {
  let c = cidrCache.get(s.cidrBlock);
  if (!c) cidrCache.set(s.cidrBlock, (c = parseCidr(s.cidrBlock)!));
  return c;
}
const lastHost = (c: Cidr) => c.size - 2;

/** R27: the addresses left for interfaces. */
export const availableIpCount = (s: Subnet): number => Math.max(0, subnetCidr(s).size - 5 - s.usedHosts.size);

/**
 * The addresses one command takes from a subnet: automatic ones in order from where the last search
 * stopped, or ones the caller names. Several interfaces of one command share a plan, so they never
 * get the same address before the fold has held the first.
 */
export class AddressPlan {
  private readonly taken = new Set<number>();
  private next: number;
  private readonly cidr: Cidr;

  constructor(readonly subnet: Subnet) {
    this.cidr = subnetCidr(subnet);
    this.next = subnet.nextHost;
  }

  get free(): number {
    return availableIpCount(this.subnet) - this.taken.size;
  }

  private isFree(h: number): boolean {
    return !this.subnet.usedHosts.has(h) && !this.taken.has(h);
  }

  /** The next free address, or EC2's error naming the subnet. */
  take(what: "instances" | "interface" = "interface"): string {
    if (this.free <= 0) throw insufficientAddresses(this.subnet.subnetId, what);
    const last = lastHost(this.cidr);
    let h = this.next < FIRST_HOST || this.next > last ? FIRST_HOST : this.next;
    while (!this.isFree(h)) h = h >= last ? FIRST_HOST : h + 1;
    this.taken.add(h);
    this.next = h >= last ? FIRST_HOST : h + 1;
    return intToIp(this.cidr.network + h);
  }

  /** An address the caller names: inside the subnet, not reserved, not in use. */
  claim(ip: string): string {
    const n = ipToInt(ip);
    if (n === undefined)
      throw new Ec2Error("InvalidParameterValue", `Value (${ip}) for parameter privateIpAddress is invalid.`);
    const h = n - this.cidr.network;
    if (h < 0 || h >= this.cidr.size)
      throw new Ec2Error(
        "InvalidParameterValue",
        `Address ${ip} does not fall within the subnet's address range (${this.subnet.cidrBlock})`,
      );
    if (h < FIRST_HOST || h > lastHost(this.cidr))
      throw new Ec2Error(
        "InvalidParameterValue",
        `Address ${ip} is reserved by AWS in subnet ${this.subnet.subnetId} (the first four and the last address of a subnet are)`,
      );
    if (!this.isFree(h)) throw new Ec2Error("InvalidIPAddress.InUse", `Address ${ip} is in use.`);
    this.taken.add(h);
    return ip;
  }
}

export function insufficientAddresses(subnetId: string, what: "instances" | "interface"): Ec2Error {
  return new Ec2Error(
    "InsufficientFreeAddressesInSubnet",
    what === "instances"
      ? `There are not enough free addresses in subnet '${subnetId}' to satisfy the requested number of instances.`
      : "The specified subnet does not have enough free addresses to satisfy the request.",
  );
}

/** Plans of one command, by subnet. */
export class AddressPlans {
  private readonly plans = new Map<string, AddressPlan>();
  of(subnet: Subnet): AddressPlan {
    let p = this.plans.get(subnet.subnetId);
    if (!p) this.plans.set(subnet.subnetId, (p = new AddressPlan(subnet)));
    return p;
  }
}

/** Fold: an interface holds `ip` in its subnet (addresses outside the subnet, from old logs, are ignored). */
export function holdAddress(region: RegionState, subnetId: string, ip: string): void {
  const s = region.subnets.get(subnetId);
  const n = ipToInt(ip);
  if (!s || n === undefined) return;
  const c = subnetCidr(s);
  const h = n - c.network;
  if (h < FIRST_HOST || h > lastHost(c)) return;
  s.usedHosts.add(h);
  s.nextHost = h >= lastHost(c) ? FIRST_HOST : h + 1;
}

export function releaseAddress(region: RegionState, subnetId: string, ip: string | undefined): void {
  const s = region.subnets.get(subnetId);
  const n = ip === undefined ? undefined : ipToInt(ip);
  if (!s || n === undefined) return;
  s.usedHosts.delete(n - subnetCidr(s).network);
}

// ── fold ─────────────────────────────────────────────────────────────────────────────────────
export function addSubnet(state: SandboxState, regionName: string, init: SubnetInit): Subnet {
  const s: Subnet = {
    subnetId: init.subnetId,
    vpcId: init.vpcId,
    ownerId: init.ownerId,
    region: regionName,
    availabilityZone: init.availabilityZone,
    availabilityZoneId: init.availabilityZoneId,
    cidrBlock: init.cidrBlock,
    defaultForAz: init.defaultForAz,
    mapPublicIpOnLaunch: init.mapPublicIpOnLaunch,
    usedHosts: new Set(),
    nextHost: FIRST_HOST,
    privateDnsHostnameType: "ip-name",
    enableResourceNameDnsARecord: false,
    tags: tagMap(init.tags),
  };
  regionState(state, regionName).subnets.set(s.subnetId, s);
  state.resourceRegion.set(s.subnetId, regionName);
  return s;
}

export function applySubnetEvent(
  state: SandboxState,
  e: EventOf<"SubnetCreated" | "SubnetAttributeChanged" | "SubnetDeleted">,
): void {
  const region = regionState(state, e.region);
  switch (e.type) {
    case "SubnetCreated":
      addSubnet(state, e.region, e.subnet);
      return;
    case "SubnetAttributeChanged": {
      const s = region.subnets.get(e.subnetId);
      if (s) Object.assign(s, e.attrs);
      return;
    }
    case "SubnetDeleted":
      region.subnets.delete(e.subnetId);
      return;
  }
}

// ── wire shape ───────────────────────────────────────────────────────────────────────────────
const subnetArn = (s: Subnet) => `arn:aws:ec2:${s.region}:${s.ownerId}:subnet/${s.subnetId}`;

export const toEc2Subnet = (s: Subnet): Ec2Subnet => ({
  SubnetId: s.subnetId,
  VpcId: s.vpcId,
  OwnerId: s.ownerId,
  State: "available",
  AvailabilityZone: s.availabilityZone,
  AvailabilityZoneId: s.availabilityZoneId,
  CidrBlock: s.cidrBlock,
  AvailableIpAddressCount: availableIpCount(s),
  DefaultForAz: s.defaultForAz,
  MapPublicIpOnLaunch: s.mapPublicIpOnLaunch,
  MapCustomerOwnedIpOnLaunch: false,
  AssignIpv6AddressOnCreation: false,
  Ipv6CidrBlockAssociationSet: [],
  SubnetArn: subnetArn(s),
  EnableDns64: false,
  Ipv6Native: false,
  PrivateDnsNameOptionsOnLaunch: {
    HostnameType: s.privateDnsHostnameType,
    EnableResourceNameDnsARecord: s.enableResourceNameDnsARecord,
    EnableResourceNameDnsAAAARecord: false,
  },
  Tags: toTagSet(s.tags),
});

const subnetFields = {
  "subnet-id": (s: Subnet) => s.subnetId,
  "vpc-id": (s: Subnet) => s.vpcId,
  vpcId: (s: Subnet) => s.vpcId,
  "owner-id": (s: Subnet) => s.ownerId,
  "availability-zone": (s: Subnet) => s.availabilityZone,
  availabilityZone: (s: Subnet) => s.availabilityZone,
  "availability-zone-id": (s: Subnet) => s.availabilityZoneId,
  "available-ip-address-count": (s: Subnet) => availableIpCount(s),
  availableIpAddressCount: (s: Subnet) => availableIpCount(s),
  "default-for-az": (s: Subnet) => String(s.defaultForAz),
  defaultForAz: (s: Subnet) => String(s.defaultForAz),
  "cidr-block": (s: Subnet) => s.cidrBlock,
  cidrBlock: (s: Subnet) => s.cidrBlock,
  cidr: (s: Subnet) => s.cidrBlock,
  state: () => "available",
  "map-public-ip-on-launch": (s: Subnet) => String(s.mapPublicIpOnLaunch),
  "subnet-arn": (s: Subnet) => subnetArn(s),
  "ipv6-native": () => "false",
};

const boolAttr = (v: { Value?: boolean } | undefined) => v?.Value;

export const subnetActions = {
  CreateSubnet(tx: Tx, input: CreateSubnetRequest): CreateSubnetResult {
    const vpc = requireVpc(tx, input.VpcId);
    if (input.Ipv6Native || input.Ipv6CidrBlock || input.Ipv6IpamPoolId)
      throw errors.unsupported("IPv6 subnets (and IPv6-only subnets) are not supported by this sandbox (IPv4 only)");
    if (input.OutpostArn) throw errors.unsupported("Outposts subnets are not supported by this sandbox");
    if (input.Ipv4IpamPoolId)
      throw errors.unsupported("IPAM pools (Ipv4IpamPoolId) are not supported by this sandbox: give a CidrBlock");
    const cidr = requireNetworkCidr(input.CidrBlock);
    const vpcCidr = parseCidr(vpc.cidrBlock)!;
    // R27: /16 to /28, inside the VPC's block.
    if (cidr.bits < 16 || cidr.bits > 28 || !cidrWithin(cidr, vpcCidr))
      throw new Ec2Error("InvalidSubnet.Range", `The CIDR '${input.CidrBlock}' is invalid.`);
    const siblings = [...tx.region.subnets.values()].filter((s) => s.vpcId === vpc.vpcId);
    if (siblings.some((s) => cidrsOverlap(subnetCidr(s), cidr)))
      throw new Ec2Error("InvalidSubnet.Conflict", `The CIDR '${input.CidrBlock}' conflicts with another subnet`);
    const zones = requireRegion(tx.ctx.region).zones;
    let zone: { zoneName: string; zoneId: string } | undefined;
    if (input.AvailabilityZone !== undefined || input.AvailabilityZoneId !== undefined) {
      zone = zones.find(
        (z) =>
          (input.AvailabilityZone === undefined || z.zoneName === input.AvailabilityZone) &&
          (input.AvailabilityZoneId === undefined || z.zoneId === input.AvailabilityZoneId),
      );
      if (!zone)
        throw new Ec2Error(
          "InvalidParameterValue",
          `Value (${input.AvailabilityZone ?? input.AvailabilityZoneId}) for parameter availabilityZone is invalid. Subnets can currently only be created in the following availability zones: ${zones.map((z) => z.zoneName).join(", ")}.`,
        );
    } else {
      // EC2 picks a zone; here the first of those with the fewest subnets of this VPC.
      const count = (z: string) => siblings.filter((s) => s.availabilityZone === z).length;
      zone = zones.reduce((best, z) => (count(z.zoneName) < count(best.zoneName) ? z : best), zones[0]!);
    }
    const tags = tagsFor(input.TagSpecifications, "subnet", ["subnet"]);
    const subnet: SubnetInit = {
      subnetId: tx.newId("subnet"),
      vpcId: vpc.vpcId,
      ownerId: tx.ctx.accountId,
      availabilityZone: zone.zoneName,
      availabilityZoneId: zone.zoneId,
      cidrBlock: cidrText(cidr),
      defaultForAz: false,
      // R28: a new subnet does not map public IPs unless told to.
      mapPublicIpOnLaunch: false,
      tags,
    };
    tx.emit({ type: "SubnetCreated", region: tx.ctx.region, subnet });
    return { Subnet: toEc2Subnet(tx.region.subnets.get(subnet.subnetId)!) };
  },

  DeleteSubnet(tx: Tx, input: DeleteSubnetRequest) {
    if (!input.SubnetId) throw errors.missingParameter("SubnetId");
    const s = findSubnet(tx, input.SubnetId);
    // Every interface (an instance's, a NAT gateway's, one of its own) holds an address here.
    if (s.usedHosts.size > 0)
      throw new Ec2Error("DependencyViolation", `The subnet '${s.subnetId}' has dependencies and cannot be deleted.`);
    tx.emit({ type: "SubnetDeleted", region: tx.ctx.region, subnetId: s.subnetId });
    return {};
  },

  DescribeSubnets(tx: Tx, input: DescribeSubnetsRequest & { Filters?: Filter[] }): DescribeSubnetsResult {
    const match = compileFilters(input.Filters, subnetFields);
    const rows = ownedById(tx.region.subnets, tx.ctx.accountId, input.SubnetIds, notFoundSubnet).filter(match);
    const { page, nextToken } = paginate(rows, input, { min: 5, max: 1000 }, "subnets");
    return { Subnets: page.map(toEc2Subnet), NextToken: nextToken };
  },

  ModifySubnetAttribute(tx: Tx, input: ModifySubnetAttributeRequest) {
    if (!input.SubnetId) throw errors.missingParameter("SubnetId");
    const s = findSubnet(tx, input.SubnetId);
    if (boolAttr(input.AssignIpv6AddressOnCreation) || boolAttr(input.EnableDns64))
      throw errors.unsupported("IPv6 subnets are not supported by this sandbox (IPv4 only)");
    if (boolAttr(input.EnableResourceNameDnsAAAARecordOnLaunch))
      throw errors.unsupported("IPv6 (AAAA) DNS records are not supported by this sandbox (IPv4 only)");
    if (boolAttr(input.MapCustomerOwnedIpOnLaunch) || input.CustomerOwnedIpv4Pool)
      throw errors.unsupported("customer-owned IP addresses (Outposts) are not supported by this sandbox");
    if (input.EnableLniAtDeviceIndex !== undefined || boolAttr(input.DisableLniAtDeviceIndex))
      throw errors.unsupported("local network interfaces (Outposts) are not supported by this sandbox");
    const attrs: EventOf<"SubnetAttributeChanged">["attrs"] = {};
    const map = boolAttr(input.MapPublicIpOnLaunch);
    if (map !== undefined) attrs.mapPublicIpOnLaunch = map;
    if (input.PrivateDnsHostnameTypeOnLaunch !== undefined) {
      const t = input.PrivateDnsHostnameTypeOnLaunch as string;
      if (t !== "ip-name" && t !== "resource-name")
        throw new Ec2Error(
          "InvalidParameterValue",
          `Value (${t}) for parameter PrivateDnsHostnameTypeOnLaunch is invalid.`,
        );
      attrs.privateDnsHostnameType = t;
    }
    const aRecord = boolAttr(input.EnableResourceNameDnsARecordOnLaunch);
    if (aRecord !== undefined) attrs.enableResourceNameDnsARecord = aRecord;
    const n = Object.keys(attrs).length;
    // False values of the IPv6/Outposts attributes change nothing and are accepted alone.
    if (n === 0) {
      if (Object.keys(input).some((k) => k !== "SubnetId" && k !== "DryRun")) return {};
      throw errors.missingParameter("MapPublicIpOnLaunch");
    }
    if (n > 1)
      throw errors.invalidCombination("You can only modify one subnet attribute at a time. Use separate requests.");
    tx.emit({ type: "SubnetAttributeChanged", region: tx.ctx.region, subnetId: s.subnetId, attrs });
    return {};
  },
};
