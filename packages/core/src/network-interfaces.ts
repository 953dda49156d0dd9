/**
 * Network interfaces (R30): every instance has a primary interface at device index 0 that cannot be
 * detached; other interfaces in the same zone can be attached and detached; security groups, the
 * source/dest check and private addresses (a primary one and secondaries) belong to interfaces; an
 * Elastic IP is associated with an interface's private address.
 *
 * An instance's own primary interface (the one its launch made) is kept in the instance record —
 * its subnet, private IP, groups and source/dest check are instance fields, the rest `Instance.eni`
 * — and shown as an interface with the instance's ID in `eni-…` form. Interfaces made on their own
 * (CreateNetworkInterface, a launch's extra or existing interfaces, NAT gateways) are entities in
 * `RegionState.networkInterfaces`. Every call here sees both through `InterfaceView`. Why: a second
 * record per instance would cost 100,000 instances ~50 MiB for what every instance already holds.
 */
import type {
  AssignPrivateIpAddressesRequest,
  AssignPrivateIpAddressesResult,
  AttachNetworkInterfaceRequest,
  AttachNetworkInterfaceResult,
  CreateNetworkInterfaceRequest,
  CreateNetworkInterfaceResult,
  DeleteNetworkInterfaceRequest,
  DescribeNetworkInterfaceAttributeRequest,
  DescribeNetworkInterfaceAttributeResult,
  DescribeNetworkInterfacesRequest,
  DescribeNetworkInterfacesResult,
  DetachNetworkInterfaceRequest,
  NetworkInterface as Ec2NetworkInterface,
  InstanceNetworkInterface,
  ModifyNetworkInterfaceAttributeRequest,
  ResetNetworkInterfaceAttributeRequest,
  UnassignPrivateIpAddressesRequest,
} from "@aws-sdk/client-ec2";
import { privateDnsName, publicDnsName } from "./dns-names.ts";
import { Ec2Error, errors } from "./errors.ts";
import type { EniInit, EventOf, LaunchInterface } from "./events.ts";
import { compileFilters, type Filter, pageEnd, paginate } from "./filters.ts";
import { requireInstanceType } from "./instance-types.ts";
import { requireInstance } from "./instances.ts";
import type { Instance, NetworkInterface, NetworkInterfaceAttachment, Tags } from "./model.ts";
import { requireGroup } from "./security-groups.ts";
import { type RegionState, regionState, type SandboxState } from "./state.ts";
import { AddressPlans, findSubnet, holdAddress, releaseAddress } from "./subnets.ts";
import { tagMap, tagsFor, toTagSet } from "./tags.ts";
import type { Tx } from "./tx.ts";

// ── identity ─────────────────────────────────────────────────────────────────────────────────
const hexOf = (id: string) => id.slice(id.indexOf("-") + 1);
/** The ID of an instance's own primary interface: its instance ID's digits (no event needed). */
export const ownPrimaryId = (instanceId: string) => `eni-${hexOf(instanceId)}`;
export const primaryInterfaceId = (inst: Instance): string => inst.primaryEniId ?? ownPrimaryId(inst.instanceId);
const ownAttachmentId = (instanceId: string) => `eni-attach-${hexOf(instanceId)}`;
const macOf = (id: string) => `0e:${hexOf(id).slice(0, 10).match(/../g)!.join(":")}`;

/** The instance an `eni-…` ID is the own primary interface of (while the instance has it). */
function ownerInstance(region: RegionState, eniId: string): Instance | undefined {
  if (!eniId.startsWith("eni-")) return undefined;
  const inst = region.instances.get(`i-${hexOf(eniId)}`);
  return inst && !inst.primaryEniId && inst.state !== "terminated" ? inst : undefined;
}

const NO_TAGS: Tags = new Map();

/** One interface, wherever it is kept. */
export interface InterfaceView {
  networkInterfaceId: string;
  ownerId: string;
  region: string;
  subnetId: string;
  vpcId: string;
  availabilityZone: string;
  description: string;
  privateIpAddress: string;
  secondaryPrivateIps: readonly string[];
  groupIds: readonly string[];
  sourceDestCheck: boolean;
  interfaceType: "interface" | "nat_gateway";
  requesterManaged: boolean;
  attachment?: NetworkInterfaceAttachment;
  tags: Tags;
  /** Set when this is an instance's own primary interface (its data lives in the instance). */
  own?: Instance;
  /** Set when this is an interface of its own. */
  eni?: NetworkInterface;
}

function ownView(inst: Instance): InterfaceView {
  return {
    networkInterfaceId: ownPrimaryId(inst.instanceId),
    ownerId: inst.ownerId,
    region: inst.region,
    subnetId: inst.subnetId,
    vpcId: inst.vpcId,
    availabilityZone: inst.availabilityZone,
    description: inst.eni?.description ?? "",
    privateIpAddress: inst.privateIpAddress,
    secondaryPrivateIps: inst.eni?.secondaryPrivateIps ?? [],
    groupIds: inst.securityGroupIds,
    sourceDestCheck: inst.sourceDestCheck,
    interfaceType: "interface",
    requesterManaged: false,
    attachment: {
      attachmentId: ownAttachmentId(inst.instanceId),
      instanceId: inst.instanceId,
      deviceIndex: 0,
      deleteOnTermination: !inst.eni?.keepOnTermination,
      attachTime: inst.primaryAttachTime,
    },
    tags: inst.eni?.tags ?? NO_TAGS,
    own: inst,
  };
}

const eniView = (e: NetworkInterface): InterfaceView => ({
  networkInterfaceId: e.networkInterfaceId,
  ownerId: e.ownerId,
  region: e.region,
  subnetId: e.subnetId,
  vpcId: e.vpcId,
  availabilityZone: e.availabilityZone,
  description: e.description,
  privateIpAddress: e.privateIpAddress,
  secondaryPrivateIps: e.secondaryPrivateIps,
  groupIds: e.groupIds,
  sourceDestCheck: e.sourceDestCheck,
  interfaceType: e.interfaceType,
  requesterManaged: e.requesterManaged,
  attachment: e.attachment,
  tags: e.tags,
  eni: e,
});

export function findInterface(region: RegionState, id: string): InterfaceView | undefined {
  const e = region.networkInterfaces.get(id);
  if (e) return eniView(e);
  const inst = ownerInstance(region, id);
  return inst ? ownView(inst) : undefined;
}

export const notFoundInterface = (id: string) =>
  new Ec2Error("InvalidNetworkInterfaceID.NotFound", `The networkInterface ID '${id}' does not exist`);

export function requireInterface(tx: Tx, id: string | undefined): InterfaceView {
  if (!id) throw errors.missingParameter("NetworkInterfaceId");
  const v = findInterface(tx.region, id);
  if (!v || v.ownerId !== tx.ctx.accountId) throw notFoundInterface(id);
  return v;
}

/** An instance's interfaces, primary first, then by device index (none once it is terminated). */
export function interfacesOf(region: RegionState, inst: Instance): InterfaceView[] {
  if (inst.state === "terminated") return [];
  const out: InterfaceView[] = inst.primaryEniId ? [] : [ownView(inst)];
  for (const id of inst.attachedEnis ?? []) {
    const e = region.networkInterfaces.get(id);
    if (e) out.push(eniView(e));
  }
  return out.sort((a, b) => a.attachment!.deviceIndex - b.attachment!.deviceIndex);
}

/** Every private address of an interface, primary first. */
export const addressesOf = (v: Pick<InterfaceView, "privateIpAddress" | "secondaryPrivateIps">): string[] => [
  v.privateIpAddress,
  ...v.secondaryPrivateIps,
];

/** The public IPv4 of one private address: an Elastic IP associated with it, else the auto-assigned one. */
export function publicIpOf(
  region: RegionState,
  v: InterfaceView,
  privateIp: string,
): { publicIp: string; allocationId?: string; associationId?: string; ownerId?: string } | undefined {
  for (const a of region.addresses.values())
    if (a.networkInterfaceId === v.networkInterfaceId && a.privateIpAddress === privateIp)
      return { publicIp: a.publicIp, allocationId: a.allocationId, associationId: a.associationId, ownerId: a.ownerId };
  // The auto-assigned address sits on the primary address of the primary interface.
  const inst = v.attachment ? region.instances.get(v.attachment.instanceId) : undefined;
  if (inst?.publicIpAddress && v.attachment!.deviceIndex === 0 && privateIp === v.privateIpAddress)
    return { publicIp: inst.publicIpAddress };
  return undefined;
}

// ── fold ─────────────────────────────────────────────────────────────────────────────────────
function addInterface(state: SandboxState, regionName: string, init: EniInit, attachment?: NetworkInterfaceAttachment) {
  const region = regionState(state, regionName);
  const { tags, ...rest } = init;
  const eni: NetworkInterface = { ...rest, region: regionName, tags: tagMap(tags), attachment };
  region.networkInterfaces.set(eni.networkInterfaceId, eni);
  state.resourceRegion.set(eni.networkInterfaceId, regionName);
  for (const ip of addressesOf(eni)) holdAddress(region, eni.subnetId, ip);
  return eni;
}

/** Addresses associated with an interface that is going away are disassociated. */
function dropAddressesOf(region: RegionState, eniId: string, only?: readonly string[]): void {
  for (const a of region.addresses.values())
    if (a.networkInterfaceId === eniId && (!only || only.includes(a.privateIpAddress ?? ""))) {
      const inst = a.instanceId ? region.instances.get(a.instanceId) : undefined;
      if (inst && inst.publicIpAddress === a.publicIp) inst.publicIpAddress = undefined;
      Object.assign(a, {
        instanceId: undefined,
        networkInterfaceId: undefined,
        associationId: undefined,
        privateIpAddress: undefined,
      });
    }
}

function attach(region: RegionState, eni: NetworkInterface, inst: Instance, a: NetworkInterfaceAttachment): void {
  eni.attachment = a;
  inst.attachedEnis = [...(inst.attachedEnis ?? []), eni.networkInterfaceId];
  for (const addr of region.addresses.values())
    if (addr.networkInterfaceId === eni.networkInterfaceId) addr.instanceId = inst.instanceId;
}

function detach(region: RegionState, eni: NetworkInterface): void {
  const inst = eni.attachment ? region.instances.get(eni.attachment.instanceId) : undefined;
  if (inst) inst.attachedEnis = (inst.attachedEnis ?? []).filter((id) => id !== eni.networkInterfaceId);
  eni.attachment = undefined;
  for (const addr of region.addresses.values())
    if (addr.networkInterfaceId === eni.networkInterfaceId) addr.instanceId = undefined;
}

function deleteInterface(region: RegionState, eni: NetworkInterface): void {
  dropAddressesOf(region, eni.networkInterfaceId);
  if (eni.attachment) detach(region, eni);
  for (const ip of addressesOf(eni)) releaseAddress(region, eni.subnetId, ip);
  region.networkInterfaces.delete(eni.networkInterfaceId);
}

/** Fold: an interface other families make (a NAT gateway's). */
export const foldCreateInterface = (state: SandboxState, regionName: string, init: EniInit): void =>
  void addInterface(state, regionName, init);

/** Fold: an interface other families remove (a NAT gateway's), its addresses and Elastic IP with it. */
export function foldDeleteInterface(region: RegionState, id: string): void {
  const eni = region.networkInterfaces.get(id);
  if (eni) deleteInterface(region, eni);
}

/** Fold: a launched instance's interfaces — its own primary's secondary IPs, and interfaces of their own. */
export function foldLaunchInterfaces(
  state: SandboxState,
  region: RegionState,
  inst: Instance,
  init: {
    secondaryPrivateIps?: string[];
    eniDescription?: string;
    keepPrimaryEni?: boolean;
    primaryEniId?: string;
    interfaces?: LaunchInterface[];
  },
  at: number,
): void {
  if (!init.primaryEniId) {
    holdAddress(region, inst.subnetId, inst.privateIpAddress);
    if (init.secondaryPrivateIps?.length || init.eniDescription || init.keepPrimaryEni) {
      inst.eni = {
        ...(init.eniDescription ? { description: init.eniDescription } : {}),
        ...(init.secondaryPrivateIps?.length ? { secondaryPrivateIps: init.secondaryPrivateIps } : {}),
        ...(init.keepPrimaryEni ? { keepOnTermination: true } : {}),
      };
      for (const ip of init.secondaryPrivateIps ?? []) holdAddress(region, inst.subnetId, ip);
    }
  } else inst.primaryEniId = init.primaryEniId;
  for (const li of init.interfaces ?? []) {
    const a: NetworkInterfaceAttachment = {
      attachmentId: li.attachmentId,
      instanceId: inst.instanceId,
      deviceIndex: li.deviceIndex,
      deleteOnTermination: li.deleteOnTermination,
      attachTime: at,
    };
    const eni = li.create
      ? addInterface(state, inst.region, li.create)
      : region.networkInterfaces.get(li.networkInterfaceId);
    if (eni) attach(region, eni, inst, a);
  }
}

/**
 * Fold: a terminated instance's interfaces (R30) — its own primary goes (or, kept by a launch that
 * said DeleteOnTermination=false, becomes an interface of its own), interfaces of their own are
 * deleted or detached as their attachment says; their addresses go back to the subnet.
 */
export function foldTerminatedInterfaces(state: SandboxState, region: RegionState, inst: Instance): void {
  if (!inst.primaryEniId) {
    const own = ownView(inst);
    if (inst.eni?.keepOnTermination) {
      const { own: _o, eni: _e, attachment: _a, region: _r, tags, ...init } = own;
      const kept = addInterfaceKeepingAddresses(state, region, {
        ...init,
        secondaryPrivateIps: [...own.secondaryPrivateIps],
        groupIds: [...own.groupIds],
        tags: [...tags],
      });
      for (const a of region.addresses.values())
        if (a.networkInterfaceId === kept.networkInterfaceId) a.instanceId = undefined;
    } else {
      dropAddressesOf(region, own.networkInterfaceId);
      for (const ip of addressesOf(own)) releaseAddress(region, inst.subnetId, ip);
    }
  }
  for (const id of [...(inst.attachedEnis ?? [])]) {
    const eni = region.networkInterfaces.get(id);
    if (!eni) continue;
    if (eni.attachment?.deleteOnTermination) deleteInterface(region, eni);
    else detach(region, eni);
  }
  inst.attachedEnis = undefined;
}

function addInterfaceKeepingAddresses(state: SandboxState, region: RegionState, init: EniInit): NetworkInterface {
  const { tags, ...rest } = init;
  const eni: NetworkInterface = { ...rest, region: region.name, tags: tagMap(tags) };
  region.networkInterfaces.set(eni.networkInterfaceId, eni);
  state.resourceRegion.set(eni.networkInterfaceId, region.name);
  return eni;
}

/** The instance an interface is the primary of, whose mirror fields follow the interface. */
function primaryHolder(region: RegionState, eni: NetworkInterface): Instance | undefined {
  if (eni.attachment?.deviceIndex !== 0) return undefined;
  return region.instances.get(eni.attachment.instanceId);
}

export function applyNetworkInterfaceEvent(
  state: SandboxState,
  e: EventOf<
    | "NetworkInterfaceCreated"
    | "NetworkInterfaceAttached"
    | "NetworkInterfaceDetached"
    | "NetworkInterfaceAttributeChanged"
    | "NetworkInterfaceDeleted"
    | "PrivateIpAddressesAssigned"
    | "PrivateIpAddressesUnassigned"
  >,
  at: number,
): void {
  const region = regionState(state, e.region);
  if (e.type === "NetworkInterfaceCreated") {
    addInterface(state, e.region, e.eni);
    return;
  }
  const eni = region.networkInterfaces.get(e.networkInterfaceId);
  const own = eni ? undefined : ownerInstance(region, e.networkInterfaceId);
  switch (e.type) {
    case "NetworkInterfaceAttached": {
      const inst = region.instances.get(e.instanceId);
      if (eni && inst)
        attach(region, eni, inst, {
          attachmentId: e.attachmentId,
          instanceId: e.instanceId,
          deviceIndex: e.deviceIndex,
          deleteOnTermination: e.deleteOnTermination,
          attachTime: at,
        });
      return;
    }
    case "NetworkInterfaceDetached":
      if (eni) detach(region, eni);
      return;
    case "NetworkInterfaceAttributeChanged": {
      const a = e.attrs;
      if (eni) {
        if (a.description !== undefined) eni.description = a.description;
        if (a.groupIds !== undefined) eni.groupIds = a.groupIds;
        if (a.sourceDestCheck !== undefined) eni.sourceDestCheck = a.sourceDestCheck;
        if (a.deleteOnTermination !== undefined && eni.attachment)
          eni.attachment = { ...eni.attachment, deleteOnTermination: a.deleteOnTermination };
        // A primary interface of its own: the instance's mirror fields follow it.
        const holder = primaryHolder(region, eni);
        if (holder) {
          if (a.groupIds !== undefined) holder.securityGroupIds = a.groupIds;
          if (a.sourceDestCheck !== undefined) holder.sourceDestCheck = a.sourceDestCheck;
        }
      } else if (own) {
        if (a.groupIds !== undefined) own.securityGroupIds = a.groupIds;
        if (a.sourceDestCheck !== undefined) own.sourceDestCheck = a.sourceDestCheck;
        if (a.description !== undefined) own.eni = { ...own.eni, description: a.description };
        if (a.deleteOnTermination !== undefined) own.eni = { ...own.eni, keepOnTermination: !a.deleteOnTermination };
      }
      return;
    }
    case "NetworkInterfaceDeleted":
      if (eni) deleteInterface(region, eni);
      return;
    case "PrivateIpAddressesAssigned": {
      const subnetId = eni?.subnetId ?? own?.subnetId;
      if (!subnetId) return;
      for (const ip of e.addresses) holdAddress(region, subnetId, ip);
      if (eni) eni.secondaryPrivateIps = [...eni.secondaryPrivateIps, ...e.addresses];
      else if (own)
        own.eni = { ...own.eni, secondaryPrivateIps: [...(own.eni?.secondaryPrivateIps ?? []), ...e.addresses] };
      return;
    }
    case "PrivateIpAddressesUnassigned": {
      const subnetId = eni?.subnetId ?? own?.subnetId;
      if (!subnetId) return;
      for (const ip of e.addresses) releaseAddress(region, subnetId, ip);
      dropAddressesOf(region, e.networkInterfaceId, e.addresses);
      const keep = (ips: readonly string[] | undefined) => (ips ?? []).filter((ip) => !e.addresses.includes(ip));
      if (eni) eni.secondaryPrivateIps = keep(eni.secondaryPrivateIps);
      else if (own) own.eni = { ...own.eni, secondaryPrivateIps: keep(own.eni?.secondaryPrivateIps) };
      return;
    }
  }
}

/** Tags of an interface, made writable (an instance's own primary gets its tag map on first use). */
export function interfaceTags(region: RegionState, id: string): { tags: Tags; ownerId: string } | undefined {
  const e = region.networkInterfaces.get(id);
  if (e) return e;
  const inst = ownerInstance(region, id);
  if (!inst) return undefined;
  return { ownerId: inst.ownerId, tags: inst.eni?.tags ?? NO_TAGS };
}

export function writableInterfaceTags(region: RegionState, id: string): Tags | undefined {
  const e = region.networkInterfaces.get(id);
  if (e) return e.tags;
  const inst = ownerInstance(region, id);
  if (!inst) return undefined;
  inst.eni = { ...inst.eni };
  return (inst.eni.tags ??= new Map());
}

// ── wire shapes ──────────────────────────────────────────────────────────────────────────────
const groupsOf = (region: RegionState, v: InterfaceView) =>
  v.groupIds.map((id) => ({ GroupId: id, GroupName: region.securityGroups.get(id)?.groupName ?? "" }));

function association(region: RegionState, v: InterfaceView, ip: string) {
  const pub = publicIpOf(region, v, ip);
  if (!pub) return undefined;
  return {
    IpOwnerId: pub.allocationId ? pub.ownerId! : "amazon",
    PublicDnsName: publicDnsName(v.region, pub.publicIp),
    PublicIp: pub.publicIp,
    ...(pub.allocationId ? { AllocationId: pub.allocationId, AssociationId: pub.associationId } : {}),
  };
}

/** The interface as DescribeInstances lists it. */
export function toInstanceInterface(region: RegionState, v: InterfaceView): InstanceNetworkInterface {
  // The primary address's public association and DNS name serve twice (interface and address list):
  // worked out once, as a full DescribeInstances builds this for every instance.
  const assoc = association(region, v, v.privateIpAddress);
  const primaryDns = privateDnsName(v.region, v.privateIpAddress);
  const a = v.attachment!;
  return {
    Attachment: {
      AttachTime: new Date(a.attachTime),
      AttachmentId: a.attachmentId,
      DeleteOnTermination: a.deleteOnTermination,
      DeviceIndex: a.deviceIndex,
      Status: "attached",
      NetworkCardIndex: 0,
    },
    Description: v.description,
    Groups: groupsOf(region, v),
    Ipv6Addresses: [],
    MacAddress: macOf(v.networkInterfaceId),
    NetworkInterfaceId: v.networkInterfaceId,
    OwnerId: v.ownerId,
    PrivateDnsName: primaryDns,
    PrivateIpAddress: v.privateIpAddress,
    SourceDestCheck: v.sourceDestCheck,
    Status: "in-use",
    SubnetId: v.subnetId,
    VpcId: v.vpcId,
    InterfaceType: v.interfaceType,
    ...(assoc
      ? { Association: { IpOwnerId: assoc.IpOwnerId, PublicDnsName: assoc.PublicDnsName, PublicIp: assoc.PublicIp } }
      : {}),
    PrivateIpAddresses: addressesOf(v).map((ip, k) => {
      const x = k === 0 ? assoc : association(region, v, ip);
      return {
        Primary: k === 0,
        PrivateDnsName: k === 0 ? primaryDns : privateDnsName(v.region, ip),
        PrivateIpAddress: ip,
        ...(x ? { Association: { IpOwnerId: x.IpOwnerId, PublicDnsName: x.PublicDnsName, PublicIp: x.PublicIp } } : {}),
      };
    }),
  };
}

/** The interface as DescribeNetworkInterfaces lists it. */
export function toEc2NetworkInterface(region: RegionState, v: InterfaceView): Ec2NetworkInterface {
  const assoc = association(region, v, v.privateIpAddress);
  const a = v.attachment;
  const inst = a ? region.instances.get(a.instanceId) : undefined;
  return {
    NetworkInterfaceId: v.networkInterfaceId,
    SubnetId: v.subnetId,
    VpcId: v.vpcId,
    AvailabilityZone: v.availabilityZone,
    Description: v.description,
    OwnerId: v.ownerId,
    RequesterManaged: v.requesterManaged,
    ...(v.requesterManaged ? { RequesterId: "amazon-elb" } : {}),
    Status: a || v.requesterManaged ? "in-use" : "available",
    MacAddress: macOf(v.networkInterfaceId),
    PrivateIpAddress: v.privateIpAddress,
    PrivateDnsName: privateDnsName(v.region, v.privateIpAddress),
    SourceDestCheck: v.sourceDestCheck,
    Groups: groupsOf(region, v),
    // EC2 answers "nat_gateway" for a NAT gateway's interface (the SDK's enum spells it otherwise).
    InterfaceType: v.interfaceType as Ec2NetworkInterface["InterfaceType"],
    ...(a
      ? {
          Attachment: {
            AttachmentId: a.attachmentId,
            AttachTime: new Date(a.attachTime),
            DeleteOnTermination: a.deleteOnTermination,
            DeviceIndex: a.deviceIndex,
            NetworkCardIndex: 0,
            InstanceId: a.instanceId,
            InstanceOwnerId: inst?.ownerId ?? v.ownerId,
            Status: "attached",
          },
        }
      : {}),
    ...(assoc ? { Association: assoc } : {}),
    PrivateIpAddresses: addressesOf(v).map((ip, k) => {
      const x = association(region, v, ip);
      return {
        Primary: k === 0,
        PrivateDnsName: privateDnsName(v.region, ip),
        PrivateIpAddress: ip,
        ...(x ? { Association: x } : {}),
      };
    }),
    Ipv6Addresses: [],
    TagSet: toTagSet(v.tags) ?? [],
  };
}

const interfaceFields = (region: RegionState) => ({
  "network-interface-id": (v: InterfaceView) => v.networkInterfaceId,
  "subnet-id": (v: InterfaceView) => v.subnetId,
  "vpc-id": (v: InterfaceView) => v.vpcId,
  "availability-zone": (v: InterfaceView) => v.availabilityZone,
  "owner-id": (v: InterfaceView) => v.ownerId,
  description: (v: InterfaceView) => v.description,
  status: (v: InterfaceView) => (v.attachment || v.requesterManaged ? "in-use" : "available"),
  "private-ip-address": (v: InterfaceView) => v.privateIpAddress,
  "addresses.private-ip-address": (v: InterfaceView) => addressesOf(v),
  "addresses.primary": (v: InterfaceView) => ["true", ...v.secondaryPrivateIps.map(() => "false")],
  "private-dns-name": (v: InterfaceView) => privateDnsName(v.region, v.privateIpAddress),
  "mac-address": (v: InterfaceView) => macOf(v.networkInterfaceId),
  "source-dest-check": (v: InterfaceView) => String(v.sourceDestCheck),
  "group-id": (v: InterfaceView) => v.groupIds,
  "group-name": (v: InterfaceView) => v.groupIds.map((g) => region.securityGroups.get(g)?.groupName),
  "interface-type": (v: InterfaceView) => v.interfaceType,
  "requester-managed": (v: InterfaceView) => String(v.requesterManaged),
  "attachment.instance-id": (v: InterfaceView) => v.attachment?.instanceId,
  "attachment.attachment-id": (v: InterfaceView) => v.attachment?.attachmentId,
  "attachment.device-index": (v: InterfaceView) => v.attachment?.deviceIndex,
  "attachment.status": (v: InterfaceView) => (v.attachment ? "attached" : undefined),
  "attachment.delete-on-termination": (v: InterfaceView) =>
    v.attachment ? String(v.attachment.deleteOnTermination) : undefined,
  "attachment.instance-owner-id": (v: InterfaceView) => (v.attachment ? v.ownerId : undefined),
  "association.public-ip": (v: InterfaceView) => addressesOf(v).map((ip) => publicIpOf(region, v, ip)?.publicIp),
  "association.allocation-id": (v: InterfaceView) =>
    addressesOf(v).map((ip) => publicIpOf(region, v, ip)?.allocationId),
  "association.association-id": (v: InterfaceView) =>
    addressesOf(v).map((ip) => publicIpOf(region, v, ip)?.associationId),
});

// ── checks shared by the actions and RunInstances ────────────────────────────────────────────
/** Groups for an interface in `vpcId`: each must exist and belong to that VPC; at most five. */
export function interfaceGroups(tx: Tx, ids: readonly string[], vpcId: string, subnetId: string): string[] {
  const out = [...new Set(ids.map((id) => requireGroup(tx, id).groupId))];
  for (const g of out)
    if (tx.region.securityGroups.get(g)!.vpcId !== vpcId)
      throw errors.invalidParameter(`Security group ${g} and subnet ${subnetId} belong to different networks.`);
  if (out.length > 5)
    throw new Ec2Error(
      "SecurityGroupsPerInterfaceLimitExceeded",
      "The maximum number of security groups per interface has been reached.",
    );
  return out;
}

/** The private addresses an interface of an instance type may hold (R4 data: ipv4AddressesPerInterface). */
export function checkAddressLimit(instanceType: string | undefined, count: number): void {
  const limit = instanceType ? requireInstanceType(instanceType).ipv4AddressesPerInterface : 50;
  if (count > limit)
    throw new Ec2Error("PrivateIpAddressLimitExceeded", "Number of private addresses will exceed limit.");
}

/** Addresses asked for as `PrivateIpAddresses` (the primary flagged) and/or a count of secondaries. */
export function planAddresses(
  plan: ReturnType<AddressPlans["of"]>,
  input: {
    PrivateIpAddress?: string;
    PrivateIpAddresses?: { PrivateIpAddress?: string; Primary?: boolean }[];
    SecondaryPrivateIpAddressCount?: number;
  },
): { primary: string; secondaries: string[] } {
  const listed = input.PrivateIpAddresses ?? [];
  const primaries = listed.filter((p) => p.Primary);
  if (primaries.length > 1 || (primaries.length === 1 && input.PrivateIpAddress !== undefined))
    throw errors.invalidCombination("Only one primary private IP address can be specified.");
  const count = input.SecondaryPrivateIpAddressCount ?? 0;
  if (!Number.isInteger(count) || count < 0)
    throw errors.invalidParameterValue(`Value (${count}) for parameter secondaryPrivateIpAddressCount is invalid.`);
  const primaryIp = input.PrivateIpAddress ?? primaries[0]?.PrivateIpAddress;
  const primary = primaryIp !== undefined ? plan.claim(primaryIp) : plan.take();
  const secondaries = listed.filter((p) => !p.Primary).map((p) => plan.claim(p.PrivateIpAddress ?? ""));
  for (let k = 0; k < count; k++) secondaries.push(plan.take());
  return { primary, secondaries };
}

const interfaceCount = (region: RegionState, inst: Instance) => interfacesOf(region, inst).length;

function attachmentOwner(region: RegionState, attachmentId: string): InterfaceView | undefined {
  for (const e of region.networkInterfaces.values()) if (e.attachment?.attachmentId === attachmentId) return eniView(e);
  if (attachmentId.startsWith("eni-attach-")) {
    const inst = region.instances.get(`i-${attachmentId.slice("eni-attach-".length)}`);
    if (inst && !inst.primaryEniId && inst.state !== "terminated") return ownView(inst);
  }
  return undefined;
}

// ── actions ──────────────────────────────────────────────────────────────────────────────────
export const networkInterfaceActions = {
  CreateNetworkInterface(tx: Tx, input: CreateNetworkInterfaceRequest): CreateNetworkInterfaceResult {
    if (!input.SubnetId) throw errors.missingParameter("SubnetId");
    if (
      input.Ipv6AddressCount ||
      input.Ipv6Addresses?.length ||
      input.Ipv6Prefixes?.length ||
      input.Ipv4Prefixes?.length
    )
      throw errors.unsupported("IPv6 addresses and IP prefixes on interfaces are not supported by this sandbox");
    if (input.InterfaceType)
      throw errors.unsupported(`Interfaces of type '${input.InterfaceType}' are not supported by this sandbox`);
    const subnet = findSubnet(tx, input.SubnetId);
    const groups = input.Groups?.length
      ? interfaceGroups(tx, input.Groups, subnet.vpcId, subnet.subnetId)
      : [tx.region.vpcs.get(subnet.vpcId)!.defaultSecurityGroupId];
    const plan = new AddressPlans().of(subnet);
    const { primary, secondaries } = planAddresses(plan, input);
    checkAddressLimit(undefined, 1 + secondaries.length);
    const tags = tagsFor(input.TagSpecifications, "network-interface", ["network-interface"]);
    const eni: EniInit = {
      networkInterfaceId: tx.newId("networkInterface"),
      ownerId: tx.ctx.accountId,
      subnetId: subnet.subnetId,
      vpcId: subnet.vpcId,
      availabilityZone: subnet.availabilityZone,
      description: input.Description ?? "",
      privateIpAddress: primary,
      secondaryPrivateIps: secondaries,
      groupIds: groups,
      sourceDestCheck: true,
      interfaceType: "interface",
      requesterManaged: false,
      tags,
    };
    tx.emit({ type: "NetworkInterfaceCreated", region: tx.ctx.region, eni });
    return {
      NetworkInterface: toEc2NetworkInterface(tx.region, findInterface(tx.region, eni.networkInterfaceId)!),
      ...(input.ClientToken ? { ClientToken: input.ClientToken } : {}),
    };
  },

  DeleteNetworkInterface(tx: Tx, input: DeleteNetworkInterfaceRequest) {
    const v = requireInterface(tx, input.NetworkInterfaceId);
    if (v.attachment)
      throw new Ec2Error(
        "InvalidNetworkInterface.InUse",
        `The network interface '${v.networkInterfaceId}' is currently in use.`,
      );
    if (v.requesterManaged)
      throw new Ec2Error(
        "OperationNotPermitted",
        `The network interface '${v.networkInterfaceId}' is managed by a NAT gateway and is deleted with it.`,
      );
    tx.emit({ type: "NetworkInterfaceDeleted", region: tx.ctx.region, networkInterfaceId: v.networkInterfaceId });
    return {};
  },

  DescribeNetworkInterfaces(
    tx: Tx,
    input: DescribeNetworkInterfacesRequest & { Filters?: Filter[] },
  ): DescribeNetworkInterfacesResult {
    if (input.NetworkInterfaceIds?.length && input.MaxResults !== undefined)
      throw errors.invalidCombination("The parameter NetworkInterfaceIds cannot be used with the parameter MaxResults");
    const region = tx.region;
    const match = compileFilters(input.Filters, interfaceFields(region));
    let rows: InterfaceView[];
    if (input.NetworkInterfaceIds?.length) {
      rows = [...new Set(input.NetworkInterfaceIds)].map((id) => requireInterface(tx, id)).filter(match);
    } else {
      // Interfaces of their own, then the instances' own primaries; with MaxResults, stop a row past the page.
      const limit = pageEnd(input, "enis") ?? Number.POSITIVE_INFINITY;
      rows = [];
      for (const e of region.networkInterfaces.values()) {
        if (rows.length >= limit) break;
        if (e.ownerId !== tx.ctx.accountId) continue;
        const v = eniView(e);
        if (match(v)) rows.push(v);
      }
      for (const id of region.instancesByOwner.get(tx.ctx.accountId)) {
        if (rows.length >= limit) break;
        const inst = region.instances.get(id)!;
        if (inst.primaryEniId || inst.state === "terminated") continue;
        const v = ownView(inst);
        if (match(v)) rows.push(v);
      }
    }
    const { page, nextToken } = paginate(rows, input, { min: 5, max: 1000 }, "enis");
    return { NetworkInterfaces: page.map((v) => toEc2NetworkInterface(region, v)), NextToken: nextToken };
  },

  AttachNetworkInterface(tx: Tx, input: AttachNetworkInterfaceRequest): AttachNetworkInterfaceResult {
    const v = requireInterface(tx, input.NetworkInterfaceId);
    if (!input.InstanceId) throw errors.missingParameter("InstanceId");
    const inst = requireInstance(tx, input.InstanceId);
    if (input.DeviceIndex === undefined) throw errors.missingParameter("DeviceIndex");
    if (input.NetworkCardIndex)
      throw errors.unsupported("Network cards other than 0 are not supported by this sandbox");
    if (v.attachment || !v.eni)
      throw new Ec2Error("InvalidParameterValue", `Interface '${v.networkInterfaceId}' is in use.`);
    if (v.requesterManaged)
      throw new Ec2Error(
        "OperationNotPermitted",
        `The network interface '${v.networkInterfaceId}' is managed by a NAT gateway.`,
      );
    if (inst.state === "terminated" || inst.state === "shutting-down")
      throw errors.incorrectInstanceState(inst.instanceId, inst.state, "attached to");
    if (v.availabilityZone !== inst.availabilityZone)
      throw errors.invalidCombination(
        "You may not attach a network interface to an instance if they are not in the same availability zone",
      );
    const index = input.DeviceIndex;
    if (!Number.isInteger(index) || index < 1)
      throw errors.invalidParameterValue(`Value (${index}) for parameter deviceIndex is invalid.`);
    if (interfacesOf(tx.region, inst).some((x) => x.attachment!.deviceIndex === index))
      throw errors.invalidParameterValue(
        `Instance '${inst.instanceId}' already has an interface attached at device index '${index}'.`,
      );
    const type = requireInstanceType(inst.instanceType);
    const n = interfaceCount(tx.region, inst) + 1;
    if (n > type.maximumNetworkInterfaces)
      throw new Ec2Error("AttachmentLimitExceeded", `Interface count ${n} exceeds the limit for ${inst.instanceType}`);
    checkAddressLimit(inst.instanceType, addressesOf(v).length);
    const attachmentId = tx.newId("networkInterfaceAttachment");
    tx.emit({
      type: "NetworkInterfaceAttached",
      region: tx.ctx.region,
      networkInterfaceId: v.networkInterfaceId,
      instanceId: inst.instanceId,
      deviceIndex: index,
      attachmentId,
      deleteOnTermination: false,
    });
    return { AttachmentId: attachmentId, NetworkCardIndex: 0 };
  },

  DetachNetworkInterface(tx: Tx, input: DetachNetworkInterfaceRequest) {
    if (!input.AttachmentId) throw errors.missingParameter("AttachmentId");
    const v = attachmentOwner(tx.region, input.AttachmentId);
    if (!v || v.ownerId !== tx.ctx.accountId)
      throw new Ec2Error("InvalidAttachmentID.NotFound", `The attachment ID '${input.AttachmentId}' does not exist`);
    // R30: the primary interface stays with its instance.
    if (v.attachment!.deviceIndex === 0)
      throw new Ec2Error(
        "OperationNotPermitted",
        "The network interface at device index 0 and networkCard index 0 cannot be detached.",
      );
    if (v.requesterManaged)
      throw new Ec2Error(
        "OperationNotPermitted",
        `The network interface '${v.networkInterfaceId}' is managed by a NAT gateway.`,
      );
    tx.emit({
      type: "NetworkInterfaceDetached",
      region: tx.ctx.region,
      networkInterfaceId: v.networkInterfaceId,
      instanceId: v.attachment!.instanceId,
    });
    return {};
  },

  ModifyNetworkInterfaceAttribute(tx: Tx, input: ModifyNetworkInterfaceAttributeRequest) {
    const v = requireInterface(tx, input.NetworkInterfaceId);
    const attrs: EventOf<"NetworkInterfaceAttributeChanged">["attrs"] = {};
    if (input.Description?.Value !== undefined) attrs.description = input.Description.Value;
    if (input.SourceDestCheck?.Value !== undefined) attrs.sourceDestCheck = input.SourceDestCheck.Value;
    if (input.Groups?.length) attrs.groupIds = interfaceGroups(tx, input.Groups, v.vpcId, v.subnetId);
    if (input.Attachment) {
      if (!v.attachment || input.Attachment.AttachmentId !== v.attachment.attachmentId)
        throw new Ec2Error(
          "InvalidAttachmentID.NotFound",
          `The attachment ID '${input.Attachment.AttachmentId}' does not exist`,
        );
      if (input.Attachment.DeleteOnTermination !== undefined)
        attrs.deleteOnTermination = input.Attachment.DeleteOnTermination;
    }
    const n = Object.keys(attrs).length;
    if (n === 0) throw errors.missingParameter("Description, SourceDestCheck, Groups or Attachment");
    if (n > 1) throw errors.invalidCombination("You can only modify one interface attribute at a time.");
    tx.emit({
      type: "NetworkInterfaceAttributeChanged",
      region: tx.ctx.region,
      networkInterfaceId: v.networkInterfaceId,
      attrs,
    });
    return {};
  },

  ResetNetworkInterfaceAttribute(tx: Tx, input: ResetNetworkInterfaceAttributeRequest) {
    const v = requireInterface(tx, input.NetworkInterfaceId);
    if (input.SourceDestCheck !== "sourceDestCheck")
      throw errors.invalidParameterValue(`Value (${input.SourceDestCheck}) for parameter sourceDestCheck is invalid.`);
    tx.emit({
      type: "NetworkInterfaceAttributeChanged",
      region: tx.ctx.region,
      networkInterfaceId: v.networkInterfaceId,
      attrs: { sourceDestCheck: true },
    });
    return {};
  },

  DescribeNetworkInterfaceAttribute(
    tx: Tx,
    input: DescribeNetworkInterfaceAttributeRequest,
  ): DescribeNetworkInterfaceAttributeResult {
    const v = requireInterface(tx, input.NetworkInterfaceId);
    const base = { NetworkInterfaceId: v.networkInterfaceId };
    switch (input.Attribute) {
      case "description":
        return { ...base, Description: { Value: v.description } };
      case "sourceDestCheck":
        return { ...base, SourceDestCheck: { Value: v.sourceDestCheck } };
      case "groupSet":
        return { ...base, Groups: groupsOf(tx.region, v) };
      case "attachment": {
        const s = toEc2NetworkInterface(tx.region, v);
        return { ...base, ...(s.Attachment ? { Attachment: s.Attachment } : {}) };
      }
      case undefined:
        throw errors.missingParameter("Attribute");
      default:
        throw errors.invalidParameterValue(
          `Value (${String(input.Attribute)}) for parameter attribute is invalid. Unknown attribute.`,
        );
    }
  },

  AssignPrivateIpAddresses(tx: Tx, input: AssignPrivateIpAddressesRequest): AssignPrivateIpAddressesResult {
    const v = requireInterface(tx, input.NetworkInterfaceId);
    if (input.Ipv4Prefixes?.length || input.Ipv4PrefixCount)
      throw errors.unsupported("IP prefixes on interfaces are not supported by this sandbox");
    if (input.AllowReassignment)
      throw errors.unsupported(
        "Reassigning addresses between interfaces (AllowReassignment) is not supported by this sandbox",
      );
    const listed = input.PrivateIpAddresses ?? [];
    const count = input.SecondaryPrivateIpAddressCount ?? 0;
    if (listed.length === 0 && count <= 0)
      throw errors.missingParameter("PrivateIpAddresses or SecondaryPrivateIpAddressCount");
    const plan = new AddressPlans().of(findSubnet(tx, v.subnetId));
    const addresses = [...listed.map((ip) => plan.claim(ip))];
    for (let k = 0; k < count; k++) addresses.push(plan.take());
    const inst = v.attachment ? tx.region.instances.get(v.attachment.instanceId) : undefined;
    checkAddressLimit(inst?.instanceType, addressesOf(v).length + addresses.length);
    tx.emit({
      type: "PrivateIpAddressesAssigned",
      region: tx.ctx.region,
      networkInterfaceId: v.networkInterfaceId,
      addresses,
    });
    return {
      NetworkInterfaceId: v.networkInterfaceId,
      AssignedPrivateIpAddresses: addresses.map((PrivateIpAddress) => ({ PrivateIpAddress })),
    };
  },

  UnassignPrivateIpAddresses(tx: Tx, input: UnassignPrivateIpAddressesRequest) {
    const v = requireInterface(tx, input.NetworkInterfaceId);
    const addresses = input.PrivateIpAddresses ?? [];
    if (addresses.length === 0) throw errors.missingParameter("PrivateIpAddresses");
    if (addresses.includes(v.privateIpAddress))
      throw errors.invalidParameterValue(
        `The primary private IP address ${v.privateIpAddress} of interface ${v.networkInterfaceId} cannot be unassigned.`,
      );
    if (addresses.some((ip) => !v.secondaryPrivateIps.includes(ip)))
      throw errors.invalidParameterValue(
        `Some of the specified addresses are not assigned to interface ${v.networkInterfaceId}`,
      );
    tx.emit({
      type: "PrivateIpAddressesUnassigned",
      region: tx.ctx.region,
      networkInterfaceId: v.networkInterfaceId,
      addresses: [...new Set(addresses)],
    });
    return {};
  },
};
