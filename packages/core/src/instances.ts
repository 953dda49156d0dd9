/**
 * Instances (R12–R17, R20, R22): launch from an AMI on a type of the same architecture, boot in
 * simulated time (EBS-backed under a minute, instance-store-backed under five), stop/start only when
 * EBS-backed, terminate (root volume deleted when DeleteOnTermination), attributes that change only
 * while stopped, instance store lost on stop, public IPs lost on stop, billing periods per start.
 */
import type {
  BlockDeviceMapping as Ec2Bdm,
  Instance as Ec2Instance,
  InstanceMarketOptionsRequest,
  InstanceStatus,
  TagSpecification,
} from "@aws-sdk/client-ec2";
import { privateDnsName, publicDnsName } from "./dns-names.ts";
import { Ec2Error, errors } from "./errors.ts";
import type { DomainEvent, EventOf, InstanceInit, TagList } from "./events.ts";
import { compileFilters, exactValues, type Filter, pageEnd, paginate } from "./filters.ts";
import { applyGuestEffects, rootFileSystem, rootVolume } from "./guest/access.ts";
import { runCloudInit, userDataText } from "./guest/cloud-init.ts";
import { FsLayer } from "./guest/fs.ts";
import { bootFiles, enabledServices, guestBase, parameterValues } from "./guest/os.ts";
import { looksLikeId } from "./ids.ts";
import { findImage, requireLaunchableImage } from "./images.ts";
import { launchProfile, toEc2IamInstanceProfile } from "./instance-profile-associations.ts";
import { hourlyPrice, instanceStoreRootTypes, offeredIn, requireInstanceType } from "./instance-types.ts";
import { findKeyPairByName } from "./key-pairs.ts";
import { withLaunchTemplate } from "./launch-templates.ts";
import { type BilledInstance, type Instance, type InstanceStateName, machineFacts, STATE_CODE } from "./model.ts";
import {
  foldLaunchInterfaces,
  foldTerminatedInterfaces,
  interfacesOf,
  toInstanceInterface,
} from "./network-interfaces.ts";
import { type InterfaceSpec, placeInstances } from "./network-placement.ts";
import { requireGroup } from "./security-groups.ts";
import { assertStoppable, newSpotRequestId, type SpotRequestExtras, spotFieldsOf, spotRequestFor } from "./spot.ts";
import { resolveImageReference } from "./ssm/index.ts";
import { launchKeys, type RegionState, regionState, type SandboxState } from "./state.ts";
import { tagMap, tagsFor, toTagSet } from "./tags.ts";
import type { Tx } from "./tx.ts";
import {
  deleteVolume,
  MAX_EBS_ROOT_GIB,
  MAX_INSTANCE_STORE_ROOT_GIB,
  requireSnapshot,
  VOLUME_TYPES,
  validateVolumeSpec,
} from "./volumes.ts";

/** R12 timings (ms). */
export const TIMING = {
  ebsBoot: [15_000, 45_000],
  instanceStoreBoot: [120_000, 270_000],
  ebsRestart: [8_000, 20_000],
  stop: [15_000, 40_000],
  shutdown: [5_000, 20_000],
  /** R13: a terminated instance stays listed for about an hour. */
  forgetAfter: 3_600_000,
} as const;

const publicIpFor = (tx: Tx): string => {
  const firsts = [3, 18, 34, 44, 52, 54];
  return `${firsts[tx.randomInt(0, firsts.length - 1)]}.${tx.randomInt(0, 255)}.${tx.randomInt(0, 255)}.${tx.randomInt(1, 254)}`;
};

export function requireInstance(tx: Tx, id: string): Instance {
  if (!looksLikeId("i", id)) throw errors.instanceMalformed(id);
  const inst = tx.region.instances.get(id);
  if (!inst || inst.ownerId !== tx.ctx.accountId) throw errors.instanceNotFound(id);
  return inst;
}

// ── fold ─────────────────────────────────────────────────────────────────────────────────────
function setState(region: RegionState, inst: Instance, to: InstanceStateName): void {
  region.instancesByState.remove(inst.state, inst.instanceId);
  inst.state = to;
  region.instancesByState.add(to, inst.instanceId);
}

function launch(state: SandboxState, e: EventOf<"InstancesLaunched">, at: number): void {
  const region = regionState(state, e.region);
  for (const i of e.instances) {
    const inst: Instance = {
      instanceId: i.instanceId,
      reservationId: e.reservationId,
      region: e.region,
      ownerId: i.ownerId,
      availabilityZone: i.availabilityZone,
      subnetId: i.subnetId,
      vpcId: i.vpcId,
      imageId: i.imageId,
      instanceType: i.instanceType,
      keyName: i.keyName,
      securityGroupIds: i.securityGroupIds,
      state: "pending",
      stateTransitionReason: "",
      transitionAt: i.transitionAt,
      launchTime: at,
      primaryAttachTime: at,
      amiLaunchIndex: i.amiLaunchIndex,
      privateIpAddress: i.privateIpAddress,
      publicIpAddress: i.publicIpAddress,
      ...machineFacts(i),
      ebsOptimized: i.ebsOptimized,
      blockDevices: [],
      instanceStores: i.instanceStores.map((s) => ({ ...s, fs: new FsLayer() })),
      userData: i.userData,
      kernelId: i.kernelId,
      ramdiskId: i.ramdiskId,
      disableApiTermination: i.disableApiTermination,
      disableApiStop: i.disableApiStop,
      instanceInitiatedShutdownBehavior: i.instanceInitiatedShutdownBehavior,
      sourceDestCheck: true,
      monitoring: i.monitoring,
      clientToken: i.clientToken,
      productCodes: i.productCodes,
      softwareUsdPerHour: i.softwareUsdPerHour,
      creditSpecification: i.creditSpecification,
      metadataOptions: i.metadataOptions,
      ...(i.iamInstanceProfile ? { iamInstanceProfile: { ...i.iamInstanceProfile, since: at } } : {}),
      ...(i.spot ? { spot: { ...i.spot, tags: new Map() } } : {}),
      guest: { os: i.guestOs, hostname: i.hostname, running: new Set(), bootCount: 0 },
      runs: [],
      tags: tagMap(i.tags),
    };
    if (i.rootDeviceType === "instance-store") {
      const img = findImage(state, e.region, i.imageId);
      inst.ephemeralRoot = { fs: new FsLayer(img?.bundle?.layer), usedBlocks: img?.bundle?.usedBlocks ?? 0 };
    }
    region.instances.set(inst.instanceId, inst);
    region.instancesByOwner.add(inst.ownerId, inst.instanceId);
    for (const key of launchKeys(inst)) region.instancesByLaunch.add(key, inst.instanceId);
    region.instancesByState.add("pending", inst.instanceId);
    for (const [k, v] of inst.tags) region.instancesByTag.add(`${k}=${v}`, inst.instanceId);
    state.resourceRegion.set(inst.instanceId, e.region);
    if (i.publicIpAddress) inst.autoPublicIp = true;
    foldLaunchInterfaces(state, region, inst, i, at);
    if (i.eniTags?.length) inst.eni = { ...inst.eni, tags: tagMap(i.eniTags) };
    for (const v of i.volumes) {
      // Root and data EBS volumes: created from their snapshots and attached at once.
      const { deviceName, deleteOnTermination, ...init } = v;
      const vol = (regionState(state, e.region), import_createVolume(state, init, at));
      vol.state = "in-use";
      vol.availableAt = undefined;
      vol.attachment = {
        instanceId: inst.instanceId,
        device: deviceName,
        state: "attached",
        attachTime: at,
        deleteOnTermination,
      };
      inst.blockDevices.push({ deviceName, volumeId: vol.volumeId, deleteOnTermination, attachTime: at });
    }
    state.timers.push({ at: i.transitionAt, region: e.region, kind: "instance", id: inst.instanceId });
  }
}

import { createVolume as import_createVolume } from "./volumes.ts";

/** Boot: cloud-init writes the hostname, the key and host keys; enabled services start. */
function boot(state: SandboxState, inst: Instance, at: number): void {
  const fs = rootFileSystem(state, inst);
  const key = inst.keyName
    ? [...regionState(state, inst.region).keyPairs.values()].find(
        (k) => k.keyName === inst.keyName && k.ownerId === inst.ownerId,
      )
    : undefined;
  const userData = inst.userData !== undefined ? userDataText(inst.userData) : undefined;
  const params = findImage(state, inst.region, inst.imageId)?.parameters;
  const files = bootFiles(
    fs,
    {
      instanceId: inst.instanceId,
      hostname: inst.guest.hostname,
      user: guestBase(inst.guest.os).defaultUser,
      publicKey: key?.publicKey,
      keyName: key?.keyName,
      userData,
      parameters: params?.length ? parameterValues(params, userData) : undefined,
    },
    inst.guest.bootCount === 0,
  );
  applyGuestEffects(
    state,
    inst,
    files.map((f) => ({ op: "write" as const, ...f })),
    at,
  );
  inst.guest.bootCount++;
  inst.guest.running = new Set(enabledServices(fs));
}

export function applyInstanceEvent(
  state: SandboxState,
  e: EventOf<
    | "InstancesLaunched"
    | "InstanceStateChanged"
    | "InstanceAttributeChanged"
    | "InstanceRebooted"
    | "InstanceForgotten"
    | "GuestChanged"
  >,
  at: number,
): void {
  if (e.type === "InstancesLaunched") return launch(state, e, at);
  const region = regionState(state, e.region);
  const inst = region.instances.get(e.instanceId);
  if (!inst) return;
  switch (e.type) {
    case "InstanceStateChanged": {
      const from = inst.state;
      setState(region, inst, e.state);
      inst.transitionAt = e.transitionAt;
      if (e.transitionAt !== undefined)
        state.timers.push({ at: e.transitionAt, region: e.region, kind: "instance", id: inst.instanceId });
      if (e.reason !== undefined) inst.stateTransitionReason = e.reason;
      inst.stateReason = e.stateReason;
      if (e.publicIp !== undefined) inst.publicIpAddress = e.publicIp ?? undefined;
      if (e.state === "running") {
        boot(state, inst, at);
        inst.runs.push({ start: at, instanceType: inst.instanceType, publicIp: inst.publicIpAddress !== undefined });
      }
      if ((e.state === "stopping" || e.state === "shutting-down") && from === "running") {
        const run = inst.runs[inst.runs.length - 1];
        if (run && run.end === undefined) run.end = at;
      }
      if (e.state === "pending" && from === "stopped") inst.launchTime = at;
      if (e.state === "stopped" || e.state === "terminated") {
        inst.guest.running.clear();
        // R15: instance store data lives only as long as the instance runs.
        for (const s of inst.instanceStores) s.fs = new FsLayer();
      }
      if (e.state === "terminated") {
        inst.terminatedAt = at;
        // Its interfaces go or stay as their attachments say, their addresses back to the subnet (R27, R30).
        foldTerminatedInterfaces(state, region, inst);
        inst.forgetAt = e.forgetAt;
        if (e.forgetAt !== undefined)
          state.timers.push({ at: e.forgetAt, region: e.region, kind: "forget-instance", id: inst.instanceId });
        if (inst.ephemeralRoot) inst.ephemeralRoot = { fs: new FsLayer(), usedBlocks: 0 };
        for (const b of inst.blockDevices) {
          const vol = region.volumes.get(b.volumeId);
          if (!vol) continue;
          if (b.deleteOnTermination) deleteVolume(state, region, b.volumeId, at);
          else {
            vol.attachment = undefined;
            vol.state = "available";
          }
        }
        inst.blockDevices = [];
      }
      return;
    }
    case "InstanceAttributeChanged": {
      const a = e.attrs;
      if (a.instanceType !== undefined) inst.instanceType = a.instanceType;
      if (a.userData !== undefined) inst.userData = a.userData ?? undefined;
      if (a.kernelId !== undefined) inst.kernelId = a.kernelId;
      if (a.ramdiskId !== undefined) inst.ramdiskId = a.ramdiskId;
      if (a.disableApiTermination !== undefined) inst.disableApiTermination = a.disableApiTermination;
      if (a.disableApiStop !== undefined) inst.disableApiStop = a.disableApiStop;
      if (a.instanceInitiatedShutdownBehavior !== undefined)
        inst.instanceInitiatedShutdownBehavior = a.instanceInitiatedShutdownBehavior;
      if (a.sourceDestCheck !== undefined) inst.sourceDestCheck = a.sourceDestCheck;
      if (a.securityGroupIds !== undefined) inst.securityGroupIds = a.securityGroupIds;
      // They are its primary interface's: one of its own follows.
      const eni = inst.primaryEniId ? region.networkInterfaces.get(inst.primaryEniId) : undefined;
      if (eni && a.sourceDestCheck !== undefined) eni.sourceDestCheck = a.sourceDestCheck;
      if (eni && a.securityGroupIds !== undefined) eni.groupIds = a.securityGroupIds;
      if (a.ebsOptimized !== undefined) inst.ebsOptimized = a.ebsOptimized;
      if (a.monitoring !== undefined) inst.monitoring = a.monitoring;
      if (a.creditSpecification !== undefined) inst.creditSpecification = a.creditSpecification;
      if (a.httpTokens !== undefined) inst.metadataOptions = { ...inst.metadataOptions, httpTokens: a.httpTokens };
      return;
    }
    case "InstanceRebooted":
      boot(state, inst, at);
      return;
    case "InstanceForgotten":
      region.instances.delete(inst.instanceId);
      region.instancesByOwner.remove(inst.ownerId, inst.instanceId);
      for (const key of launchKeys(inst)) region.instancesByLaunch.remove(key, inst.instanceId);
      region.instancesByState.remove(inst.state, inst.instanceId);
      for (const [k, v] of inst.tags) region.instancesByTag.remove(`${k}=${v}`, inst.instanceId);
      forgottenInstances(region).push(billedInstance(inst));
      state.resourceRegion.delete(inst.instanceId);
      return;
    case "GuestChanged":
      applyGuestEffects(state, inst, e.effects, at);
      return;
  }
}

/** Instances no longer listed still belong on the bill: what it reads of them. */
export const forgottenInstances = (r: RegionState): BilledInstance[] => (r._forgotten ??= []);

/** The part of an instance (or of an older snapshot's full record of one) that the bill reads. */
export function billedInstance(i: BilledInstance): BilledInstance {
  return {
    instanceId: i.instanceId,
    region: i.region,
    ownerId: i.ownerId,
    runs: i.runs,
    softwareUsdPerHour: i.softwareUsdPerHour,
    productCodes: i.productCodes.map((p) => ({ productCodeId: p.productCodeId })),
    ...(i.spot ? { spot: { hourlyPrice: i.spot.hourlyPrice } } : {}),
    tags: i.tags,
  };
}

/** Whether the public IP on its primary address is an Elastic IP (kept across stop/start, R20). */
const holdsElasticIp = (region: RegionState, inst: Instance) =>
  inst.publicIpAddress !== undefined &&
  [...region.addresses.values()].some((a) => a.instanceId === inst.instanceId && a.publicIp === inst.publicIpAddress);

/** Timer: finish the transition an instance is in. */
export function instanceTimer(tx: Tx, id: string): void {
  const inst = tx.region.instances.get(id);
  if (!inst || inst.transitionAt === undefined || inst.transitionAt > tx.now) return;
  const next: Partial<Record<InstanceStateName, InstanceStateName>> = {
    pending: "running",
    stopping: "stopped",
    "shutting-down": "terminated",
  };
  const to = next[inst.state];
  if (!to) return;
  const ctx = tx.ctx;
  void ctx;
  if (to === "stopped") {
    const hasEip = holdsElasticIp(tx.region, inst);
    tx.emit({
      type: "InstanceStateChanged",
      region: inst.region,
      instanceId: id,
      state: "stopped",
      ...(hasEip ? {} : { publicIp: null }),
    });
  } else if (to === "terminated") {
    tx.emit({
      type: "InstanceStateChanged",
      region: inst.region,
      instanceId: id,
      state: "terminated",
      publicIp: null,
      forgetAt: tx.now + TIMING.forgetAfter,
    });
  } else {
    const firstBoot = inst.guest.bootCount === 0;
    tx.emit({ type: "InstanceStateChanged", region: inst.region, instanceId: id, state: "running" });
    // cloud-init runs the user data once, on the first boot (R26: what the instance needs at start-up).
    if (firstBoot) runCloudInit(tx, inst);
  }
}

export function forgetTimer(tx: Tx, id: string): void {
  const inst = tx.region.instances.get(id);
  if (inst && inst.state === "terminated" && inst.forgetAt !== undefined && inst.forgetAt <= tx.now) {
    tx.emit({ type: "InstanceForgotten", region: inst.region, instanceId: id });
  }
}

// ── wire shape ───────────────────────────────────────────────────────────────────────────────
/**
 * The SDK-shaped instance is rebuilt only after something it shows changed, per instance: the fold
 * tells this cache what each event touched (`noteInstanceWire`). An event about one instance drops
 * that instance's shape; an event that cannot change any instance's answer drops none; any other
 * event (interfaces, addresses, groups, volumes, a termination…) drops every shape of the sandbox
 * (a generation). A new event type lands in that last case until it is listed, so a forgotten case
 * costs speed, never a stale answer (test/instance-wire-cache.test.ts checks cached against fresh).
 *
 * The shape is frozen: the endpoint (ec2-query) encodes a frozen value once and reuses its XML, so
 * a describe between changes costs a lookup per instance. Nothing below the top is ever changed
 * either; callers treat the answer as read-only.
 */
const shapeCache = new WeakMap<Instance, { gen: number; shape: Ec2Instance }>();
const generations = new WeakMap<SandboxState, number>();

export function toEc2Instance(state: SandboxState, i: Instance): Ec2Instance {
  const gen = generations.get(state) ?? 0;
  const hit = shapeCache.get(i);
  if (hit && hit.gen === gen) return hit.shape;
  const shape = Object.freeze(buildEc2Instance(state, i));
  shapeCache.set(i, { gen, shape });
  return shape;
}

/** Events that change no instance's answer (see toEc2Instance). */
const WIRE_NEUTRAL = new Set<DomainEvent["type"]>([
  "AccountCreated",
  "ClockChanged",
  "ClockOperatorsSet",
  "ClientTokenRecorded",
  "KeyPairCreated",
  "KeyPairDeleted",
  "SecurityGroupCreated",
  "SecurityGroupRulesAuthorized",
  "SecurityGroupRulesRevoked",
  "VpcCreated",
  "VpcAttributeChanged",
  "SubnetCreated",
  "SubnetAttributeChanged",
  "LaunchTemplateCreated",
  "LaunchTemplateVersionCreated",
  "LaunchTemplateModified",
  "LaunchTemplateVersionsDeleted",
  "LaunchTemplateDeleted",
  "InternetGatewayCreated",
  "InternetGatewayAttached",
  "InternetGatewayDetached",
  "InternetGatewayDeleted",
  "RouteTableCreated",
  "RouteTableDeleted",
  "RouteCreated",
  "RouteReplaced",
  "RouteDeleted",
  "RouteTableAssociated",
  "RouteTableDisassociated",
  "RouteTableAssociationReplaced",
  "NatGatewayTrafficRecorded",
  "AddressAllocated",
  "VolumeCreated",
  "VolumeModified",
  "VolumeModificationCompleted",
  "SnapshotStarted",
  "SnapshotCopied",
  "SnapshotStateChanged",
  "SnapshotDeleted",
  "SnapshotPermissionChanged",
  "ImageCreated",
  "ImageStateChanged",
  "ImageAttributesChanged",
  "ImageDeregistered",
  "ImageBlockPublicAccessSet",
  "RecipeCreated",
  "PipelineCreated",
  "PipelineBuildRecorded",
  "PipelineVersionSelected",
  "SsmParameterPut",
  "SsmParametersDeleted",
  "SsmParameterLabeled",
  "SsmParameterUnlabeled",
  "SsmTagsChanged",
]);

/** Called by the fold after each event: which cached instance shapes it made stale. */
export function noteInstanceWire(state: SandboxState, e: DomainEvent): void {
  if (WIRE_NEUTRAL.has(e.type)) return;
  const drop = (region: string, id: string) => {
    const i = state.regions.get(region)?.instances.get(id);
    if (i) shapeCache.delete(i);
  };
  switch (e.type) {
    case "InstancesLaunched":
      // New instances only: an interface it attaches was attached to no other instance.
      return;
    case "InstanceStateChanged":
      // A termination moves interfaces, addresses and volumes: handled as a change of everything.
      if (e.state === "terminated") break;
      return drop(e.region, e.instanceId);
    case "InstanceAttributeChanged":
    case "InstanceRebooted":
    case "GuestChanged":
    case "IamInstanceProfileAssociated":
    case "IamInstanceProfileDisassociated":
      return drop(e.region, e.instanceId);
    case "InstanceForgotten":
      return;
    case "SpotInstanceRequestsCancelled":
      for (const id of e.instanceIds) drop(e.region, id);
      return;
    case "TagsCreated":
    case "TagsDeleted":
      // An instance shows only its own tags.
      for (const id of e.resourceIds) drop(e.region, id);
      return;
  }
  generations.set(state, (generations.get(state) ?? 0) + 1);
}

function buildEc2Instance(state: SandboxState, i: Instance): Ec2Instance {
  const region = regionState(state, i.region);
  const groups = i.securityGroupIds.map((id) => ({
    GroupId: id,
    GroupName: region.securityGroups.get(id)?.groupName ?? "",
  }));
  const privateDns = privateDnsName(i.region, i.privateIpAddress);
  const publicDns = publicDnsName(i.region, i.publicIpAddress);
  return {
    InstanceId: i.instanceId,
    ImageId: i.imageId,
    State: { Code: STATE_CODE[i.state], Name: i.state },
    PrivateDnsName: privateDns,
    PublicDnsName: publicDns,
    StateTransitionReason: i.stateTransitionReason,
    ...(i.keyName ? { KeyName: i.keyName } : {}),
    AmiLaunchIndex: i.amiLaunchIndex,
    ProductCodes: i.productCodes.map((p) => ({
      ProductCodeId: p.productCodeId,
      ProductCodeType: p.productCodeType as never,
    })),
    InstanceType: i.instanceType as never,
    LaunchTime: new Date(i.launchTime),
    Placement: { AvailabilityZone: i.availabilityZone, GroupName: "", Tenancy: "default" },
    ...spotFieldsOf(i),
    ...(i.kernelId ? { KernelId: i.kernelId } : {}),
    ...(i.ramdiskId ? { RamdiskId: i.ramdiskId } : {}),
    ...(i.platform ? { Platform: i.platform as never } : {}),
    ...(toEc2IamInstanceProfile(i) ? { IamInstanceProfile: toEc2IamInstanceProfile(i) } : {}),
    Monitoring: { State: i.monitoring },
    SubnetId: i.subnetId,
    VpcId: i.vpcId,
    PrivateIpAddress: i.privateIpAddress,
    ...(i.publicIpAddress ? { PublicIpAddress: i.publicIpAddress } : {}),
    ...(i.stateReason ? { StateReason: { Code: i.stateReason.code, Message: i.stateReason.message } } : {}),
    Architecture: i.architecture,
    RootDeviceType: i.rootDeviceType,
    RootDeviceName: i.rootDeviceName,
    BlockDeviceMappings: i.blockDevices.map((b) => ({
      DeviceName: b.deviceName,
      Ebs: {
        VolumeId: b.volumeId,
        Status: "attached",
        AttachTime: new Date(b.attachTime),
        DeleteOnTermination: b.deleteOnTermination,
      },
    })),
    VirtualizationType: i.virtualizationType,
    ...(i.clientToken ? { ClientToken: i.clientToken } : {}),
    Tags: toTagSet(i.tags),
    SecurityGroups: groups,
    SourceDestCheck: i.sourceDestCheck,
    Hypervisor: "xen",
    EbsOptimized: i.ebsOptimized,
    EnaSupport: i.enaSupport,
    NetworkInterfaces: interfacesOf(region, i).map((v) => toInstanceInterface(region, v)),
    CpuOptions: {
      CoreCount: Math.max(1, Math.floor(requireInstanceType(i.instanceType).defaultCores ?? 1)),
      ThreadsPerCore: requireInstanceType(i.instanceType).defaultThreadsPerCore ?? 1,
    },
    CapacityReservationSpecification: { CapacityReservationPreference: "open" },
    HibernationOptions: { Configured: false },
    MetadataOptions: {
      State: "applied",
      HttpTokens: i.metadataOptions.httpTokens,
      HttpPutResponseHopLimit: i.metadataOptions.httpPutResponseHopLimit,
      HttpEndpoint: i.metadataOptions.httpEndpoint,
      HttpProtocolIpv6: "disabled",
      InstanceMetadataTags: "disabled",
    },
    EnclaveOptions: { Enabled: false },
    ...(i.bootMode
      ? {
          BootMode: i.bootMode as never,
          CurrentInstanceBootMode: (i.bootMode === "uefi-preferred" ? "uefi" : i.bootMode) as never,
        }
      : {}),
    PlatformDetails: i.platformDetails,
    UsageOperation: i.usageOperation,
    UsageOperationUpdateTime: new Date(i.launchTime),
    PrivateDnsNameOptions: {
      HostnameType: "ip-name",
      EnableResourceNameDnsARecord: false,
      EnableResourceNameDnsAAAARecord: false,
    },
    MaintenanceOptions: { AutoRecovery: "default" },
  };
}

const instanceFields = (state: SandboxState) => ({
  "instance-id": (i: Instance) => i.instanceId,
  "instance-state-name": (i: Instance) => i.state,
  "instance-state-code": (i: Instance) => STATE_CODE[i.state],
  "instance-type": (i: Instance) => i.instanceType,
  "image-id": (i: Instance) => i.imageId,
  "availability-zone": (i: Instance) => i.availabilityZone,
  "vpc-id": (i: Instance) => i.vpcId,
  "subnet-id": (i: Instance) => i.subnetId,
  "key-name": (i: Instance) => i.keyName,
  "private-ip-address": (i: Instance) => i.privateIpAddress,
  "ip-address": (i: Instance) => i.publicIpAddress,
  "network-interface.addresses.association.public-ip": (i: Instance) => i.publicIpAddress,
  "network-interface.network-interface-id": (i: Instance) =>
    interfacesOf(regionState(state, i.region), i).map((v) => v.networkInterfaceId),
  "network-interface.subnet-id": (i: Instance) => interfacesOf(regionState(state, i.region), i).map((v) => v.subnetId),
  "network-interface.vpc-id": (i: Instance) => interfacesOf(regionState(state, i.region), i).map((v) => v.vpcId),
  "network-interface.group-id": (i: Instance) =>
    interfacesOf(regionState(state, i.region), i).flatMap((v) => v.groupIds),
  "network-interface.addresses.private-ip-address": (i: Instance) =>
    interfacesOf(regionState(state, i.region), i).flatMap((v) => [v.privateIpAddress, ...v.secondaryPrivateIps]),
  "network-interface.source-dest-check": (i: Instance) => String(i.sourceDestCheck),
  "private-dns-name": (i: Instance) => privateDnsName(i.region, i.privateIpAddress),
  "dns-name": (i: Instance) => publicDnsName(i.region, i.publicIpAddress) || undefined,
  architecture: (i: Instance) => i.architecture,
  "root-device-type": (i: Instance) => i.rootDeviceType,
  "root-device-name": (i: Instance) => i.rootDeviceName,
  platform: (i: Instance) => i.platform,
  "platform-details": (i: Instance) => i.platformDetails,
  "owner-id": (i: Instance) => i.ownerId,
  "reservation-id": (i: Instance) => i.reservationId,
  "launch-time": (i: Instance) => new Date(i.launchTime).toISOString(),
  "group-id": (i: Instance) => i.securityGroupIds,
  "instance.group-id": (i: Instance) => i.securityGroupIds,
  "group-name": (i: Instance) =>
    i.securityGroupIds.map((g) => regionState(state, i.region).securityGroups.get(g)?.groupName),
  "instance.group-name": (i: Instance) =>
    i.securityGroupIds.map((g) => regionState(state, i.region).securityGroups.get(g)?.groupName),
  "virtualization-type": (i: Instance) => i.virtualizationType,
  hypervisor: () => "xen",
  "client-token": (i: Instance) => i.clientToken,
  "block-device-mapping.volume-id": (i: Instance) => i.blockDevices.map((b) => b.volumeId),
  "block-device-mapping.device-name": (i: Instance) => i.blockDevices.map((b) => b.deviceName),
  "product-code": (i: Instance) => i.productCodes.map((p) => p.productCodeId),
  "ami-launch-index": (i: Instance) => i.amiLaunchIndex,
  "monitoring-state": (i: Instance) => i.monitoring,
  tenancy: () => "default",
  "placement-group-name": () => undefined,
  "metadata-options.http-tokens": (i: Instance) => i.metadataOptions.httpTokens,
});

const LAUNCH_FILTERS = ["vpc-id", "subnet-id", "image-id"] as const;

/** Candidate instances for a describe: the owner's, narrowed by the most selective exact index. */
function candidates(tx: Tx, filters: Filter[] | undefined): Iterable<string> {
  const r = tx.region;
  let best: ReadonlySet<string> = r.instancesByOwner.get(tx.ctx.accountId);
  // One value: the index's own set (no copy). Several: copied into one set only when their total
  // beats the best so far (the sets of distinct values of one key or state are disjoint, so the
  // total is the union's size).
  const consider = (sets: ReadonlySet<string>[]) => {
    if (sets.length === 1) {
      if (sets[0]!.size < best.size) best = sets[0]!;
      return;
    }
    let total = 0;
    for (const s of sets) total += s.size;
    if (total >= best.size) return;
    const union = new Set<string>();
    for (const s of sets) for (const id of s) union.add(id);
    best = union;
  };
  const states = exactValues(filters, "instance-state-name");
  if (states) consider([...new Set(states)].map((s) => r.instancesByState.get(s)));
  for (const f of filters ?? []) {
    if (f.Name?.startsWith("tag:")) {
      const vals = exactValues(filters, f.Name);
      if (vals) consider([...new Set(vals)].map((v) => r.instancesByTag.get(`${f.Name!.slice(4)}=${v}`)));
    }
  }
  const ids = exactValues(filters, "instance-id");
  if (ids) {
    const set = new Set(ids);
    if (set.size < best.size) best = set;
  }
  // Still the owner's whole list: a launch-fact set of one value lists a subset of it in the same
  // order, so the answer is the same (the other indexes keep their own order, hence only here).
  if (best === r.instancesByOwner.get(tx.ctx.accountId)) {
    for (const name of LAUNCH_FILTERS) {
      const vals = exactValues(filters, name);
      if (vals && new Set(vals).size === 1) {
        const set = r.instancesByLaunch.get(`${name}=${vals[0]}`);
        if (set.size < best.size) best = set;
      }
    }
  }
  return best;
}

export interface RunInstancesInput {
  ImageId?: string;
  InstanceType?: string;
  MinCount?: number;
  MaxCount?: number;
  KeyName?: string;
  SecurityGroupIds?: string[];
  SecurityGroups?: string[];
  SubnetId?: string;
  Placement?: { AvailabilityZone?: string; Tenancy?: string };
  BlockDeviceMappings?: Ec2Bdm[];
  UserData?: string;
  TagSpecifications?: TagSpecification[];
  ClientToken?: string;
  DisableApiTermination?: boolean;
  DisableApiStop?: boolean;
  InstanceInitiatedShutdownBehavior?: "stop" | "terminate";
  EbsOptimized?: boolean;
  Monitoring?: { Enabled?: boolean };
  CreditSpecification?: { CpuCredits?: string };
  /** Spot (spot.ts). */
  InstanceMarketOptions?: InstanceMarketOptionsRequest;
  MetadataOptions?: {
    HttpTokens?: "optional" | "required";
    HttpEndpoint?: "enabled" | "disabled";
    HttpPutResponseHopLimit?: number;
  };
  PrivateIpAddress?: string;
  NetworkInterfaces?: InterfaceSpec[];
  LaunchTemplate?: { LaunchTemplateId?: string; LaunchTemplateName?: string; Version?: string };
  KernelId?: string;
  RamdiskId?: string;
  IamInstanceProfile?: { Arn?: string; Name?: string };
}

function stateChange(i: Instance, previous: InstanceStateName) {
  return {
    InstanceId: i.instanceId,
    CurrentState: { Code: STATE_CODE[i.state], Name: i.state },
    PreviousState: { Code: STATE_CODE[previous], Name: previous },
  };
}

function ids(input: { InstanceIds?: string[] }): string[] {
  if (!input.InstanceIds?.length) throw errors.missingParameter("InstanceId");
  return input.InstanceIds;
}

const reasonAt = (why: string, at: number) =>
  `${why} (${new Date(at)
    .toISOString()
    .replace("T", " ")
    .replace(/\.\d+Z$/, " GMT")})`;

/** EC2's console output: the boot log as cloud-init prints it. */
function consoleOutput(state: SandboxState, i: Instance): string {
  const base = guestBase(i.guest.os);
  const fs = rootFileSystem(state, i);
  const lines = [
    `[    0.000000] Linux version 6.1.119 (mockbuild@ec2sim) #1 SMP`,
    `[    0.000000] Command line: BOOT_IMAGE=/boot/vmlinuz root=UUID=ec2sim ro console=tty0 console=ttyS0,115200n8`,
    `[    1.204112] EXT4-fs (nvme0n1p1): mounted filesystem with ordered data mode.`,
    `Cloud-init v. 22.2.2 running 'init' at ${new Date(i.launchTime).toUTCString()}. Up 4.51 seconds.`,
    `ci-info: ++++++++++++++++++++++++++++++++++++++Net device info++++++++++++++++++++++++++++++++++++++`,
    `ci-info: |  ens5  | True |        ${i.privateIpAddress}        | 255.255.240.0 | global |`,
    `Cloud-init v. 22.2.2 running 'modules:config' at ${new Date(i.launchTime + 6000).toUTCString()}.`,
    `${i.guest.hostname} login: ${base.defaultUser}`,
    `-----BEGIN SSH HOST KEY FINGERPRINTS-----`,
    ...["ed25519", "ecdsa", "rsa"].map(
      (alg) =>
        `256 SHA256:${(fs.get(`/etc/ssh/ssh_host_${alg}_key.pub`)?.content.split(" ")[1] ?? "").slice(4, 47)} root@${i.guest.hostname} (${alg.toUpperCase()})`,
    ),
    `-----END SSH HOST KEY FINGERPRINTS-----`,
    `Cloud-init v. 22.2.2 finished at ${new Date(i.launchTime + 9000).toUTCString()}. Datasource DataSourceEc2Local.  Up 9.02 seconds`,
  ];
  return `${lines.join("\r\n")}\r\n`;
}

/**
 * RunInstances, and the launch a Spot request makes (spot.ts): `spotRequest` is what RequestSpotInstances
 * adds to the request its launch creates (launch group, validity).
 */
export function launchInstances(tx: Tx, request: RunInstancesInput, spotRequest?: SpotRequestExtras) {
  // R32: a launch template's version under the call's own parameters.
  const { input, tags: templateTags } = withLaunchTemplate(tx, request);
  if (!input.ImageId) throw errors.missingParameter("ImageId");
  const min = input.MinCount ?? 1,
    max = input.MaxCount ?? min;
  if (!Number.isInteger(min) || min < 1)
    throw new Ec2Error(
      "InvalidParameterValue",
      `Value (${min}) for parameter minCount is invalid. Expected a positive integer.`,
    );
  if (!Number.isInteger(max) || max < min)
    throw new Ec2Error(
      "InvalidParameterValue",
      `Value (${max}) for parameter maxCount is invalid. Expected a value greater than or equal to minCount (${min}).`,
    );
  if (max > 10_000)
    throw new Ec2Error(
      "InstanceLimitExceeded",
      `You have requested more instances (${max}) than your current instance limit of 10000 allows.`,
    );
  // `resolve:ssm:NAME` stands for the AMI ID the parameter holds now.
  const image = requireLaunchableImage(tx, resolveImageReference(tx, input.ImageId));
  const typeName = input.InstanceType ?? "m1.small";
  const type = input.InstanceType === undefined ? requireInstanceType("t2.micro") : requireInstanceType(typeName);
  // R5: the AMI's architecture must be one the type runs.
  if (!type.architectures.includes(image.architecture)) {
    throw new Ec2Error(
      "InvalidParameterValue",
      `The architecture '${type.architectures.join(", ")}' of the specified instance type does not match the architecture '${image.architecture}' of the specified AMI. Specify an instance type and an AMI that have matching architectures, and try again. You can use 'describe-instance-types' or 'describe-images' to discover the architecture of the instance type or AMI.`,
    );
  }
  if (!type.supportedRootDeviceTypes.includes(image.rootDeviceType)) {
    throw new Ec2Error(
      "InvalidParameterCombination",
      `The instance type '${type.instanceType}' does not support instance-store-backed AMIs; instance types that do: ${instanceStoreRootTypes()}.`,
    );
  }
  if (!type.supportedVirtualizationTypes.includes(image.virtualizationType)) {
    throw new Ec2Error(
      "InvalidParameterCombination",
      `Virtualization type '${image.virtualizationType}' is required for AMI '${image.imageId}', but instance type '${type.instanceType}' supports only ${type.supportedVirtualizationTypes.join(", ")}.`,
    );
  }
  if (image.bootMode === "uefi" && !type.supportedBootModes.includes("uefi")) {
    throw new Ec2Error(
      "InvalidParameterCombination",
      `The instance type '${type.instanceType}' does not support the boot mode 'uefi' that the AMI '${image.imageId}' requires.`,
    );
  }
  if (!offeredIn(type.instanceType, tx.ctx.region)) {
    throw new Ec2Error(
      "Unsupported",
      `Your requested instance type (${type.instanceType}) is not supported in your requested region (${tx.ctx.region}).`,
    );
  }
  // R2: key pairs and groups are regional.
  if (input.KeyName !== undefined && !findKeyPairByName(tx, input.KeyName))
    throw new Ec2Error("InvalidKeyPair.NotFound", `The key pair '${input.KeyName}' does not exist`);
  const net = placeInstances(tx, input, type, min, max);
  const subnet = net.subnet;
  if (input.UserData !== undefined && input.UserData.length > 21848)
    throw new Ec2Error("InvalidParameterValue", "User data is limited to 16384 bytes");
  const instTags = [
    ...tagsFor(input.TagSpecifications, "instance", ["instance", "volume", "network-interface"]),
    ...templateTags,
  ];
  const volTags = tagsFor(input.TagSpecifications, "volume", ["instance", "volume", "network-interface"]);
  const eniTags = tagsFor(input.TagSpecifications, "network-interface", ["instance", "volume", "network-interface"]);

  // Block devices: the AMI's mappings, overridden by the request's (R15, R16).
  const volumes: {
    deviceName: string;
    snapshotId?: string;
    size: number;
    volumeType: string;
    iops?: number;
    throughput?: number;
    deleteOnTermination: boolean;
    encrypted: boolean;
  }[] = [];
  const overrides = new Map((input.BlockDeviceMappings ?? []).map((b) => [b.DeviceName ?? "", b]));
  for (const b of input.BlockDeviceMappings ?? [])
    if (!b.DeviceName) throw errors.missingParameter("BlockDeviceMapping.DeviceName");
  const deviceNames = new Set<string>();
  for (const m of image.blockDeviceMappings) {
    const o = overrides.get(m.deviceName);
    if (o?.NoDevice !== undefined) {
      if (m.deviceName === image.rootDeviceName)
        throw new Ec2Error("InvalidBlockDeviceMapping", "The root device cannot be suppressed with NoDevice");
      continue;
    }
    if (!m.ebs) continue;
    deviceNames.add(m.deviceName);
    const size = o?.Ebs?.VolumeSize ?? m.ebs.volumeSize;
    if (size < m.ebs.volumeSize)
      throw new Ec2Error(
        "InvalidBlockDeviceMapping",
        `Volume of size ${size}GB is smaller than snapshot '${m.ebs.snapshotId}', expect size >= ${m.ebs.volumeSize}GB`,
      );
    const volumeType = o?.Ebs?.VolumeType ?? m.ebs.volumeType;
    const iops = o?.Ebs?.Iops ?? (volumeType === m.ebs.volumeType ? m.ebs.iops : VOLUME_TYPES[volumeType]?.defaultIops);
    if (m.deviceName === image.rootDeviceName && size > MAX_EBS_ROOT_GIB)
      throw new Ec2Error(
        "InvalidBlockDeviceMapping",
        `The root volume can be at most ${MAX_EBS_ROOT_GIB} GiB (64 TiB)`,
      );
    validateVolumeSpec(volumeType, size, VOLUME_TYPES[volumeType]?.iops ? iops : undefined);
    volumes.push({
      deviceName: m.deviceName,
      snapshotId: m.ebs.snapshotId,
      size,
      volumeType,
      iops,
      throughput: o?.Ebs?.Throughput ?? m.ebs.throughput ?? VOLUME_TYPES[volumeType]?.throughput,
      deleteOnTermination: o?.Ebs?.DeleteOnTermination ?? m.ebs.deleteOnTermination,
      encrypted: o?.Ebs?.Encrypted ?? m.ebs.encrypted,
    });
  }
  if (image.rootDeviceType === "instance-store") {
    const rootGiB = Math.ceil(((image.bundle?.usedBlocks ?? 0) * 512) / (1024 * 1024));
    if (rootGiB > MAX_INSTANCE_STORE_ROOT_GIB)
      throw new Ec2Error(
        "InvalidParameterValue",
        `An instance-store root device can be at most ${MAX_INSTANCE_STORE_ROOT_GIB} GiB; this image needs ${rootGiB} GiB`,
      );
  }
  for (const b of input.BlockDeviceMappings ?? []) {
    if (deviceNames.has(b.DeviceName!) || b.NoDevice !== undefined || b.VirtualName) continue;
    if (image.blockDeviceMappings.some((m) => m.deviceName === b.DeviceName)) continue;
    const snap = b.Ebs?.SnapshotId ? requireSnapshot(tx, b.Ebs.SnapshotId) : undefined;
    const size = b.Ebs?.VolumeSize ?? snap?.volumeSize;
    if (size === undefined)
      throw new Ec2Error("InvalidBlockDeviceMapping", `The device ${b.DeviceName} needs a volume size or a snapshot`);
    const volumeType = b.Ebs?.VolumeType ?? "gp2";
    validateVolumeSpec(volumeType, size, b.Ebs?.Iops);
    volumes.push({
      deviceName: b.DeviceName!,
      snapshotId: snap?.snapshotId,
      size,
      volumeType,
      iops: b.Ebs?.Iops ?? VOLUME_TYPES[volumeType]?.defaultIops,
      throughput: b.Ebs?.Throughput ?? VOLUME_TYPES[volumeType]?.throughput,
      deleteOnTermination: b.Ebs?.DeleteOnTermination ?? false,
      encrypted: b.Ebs?.Encrypted ?? false,
    });
  }
  // Instance store volumes of the type (R4, R15), mounted where Amazon Linux mounts them.
  const stores: InstanceInit["instanceStores"] = [];
  let n = 0;
  for (const d of type.instanceStorage?.disks ?? []) {
    for (let k = 0; k < d.count; k++, n++)
      stores.push({
        virtualName: `ephemeral${n}`,
        deviceName: `/dev/nvme${n + 1}n1`,
        sizeGiB: d.sizeInGB,
        mountPoint: `/media/ephemeral${n}`,
      });
  }
  const credits = input.CreditSpecification?.CpuCredits;
  if (credits !== undefined && credits !== "standard" && credits !== "unlimited")
    throw new Ec2Error("InvalidParameterValue", `Value (${credits}) for parameter CpuCredits is invalid`);
  if (credits && !type.burstablePerformanceSupported)
    throw new Ec2Error(
      "InvalidParameterCombination",
      `The instance type ${type.instanceType} does not support CPU credits`,
    );

  // The instance profile, by name or ARN, in the caller's account (R33; iam:PassRole is not checked).
  const profile = launchProfile(tx, input.IamInstanceProfile);
  // Spot (InstanceMarketOptions): a request per instance, fulfilled by this launch (spot.ts).
  const spot = spotRequestFor(tx, input.InstanceMarketOptions, hourlyPrice(type, tx.ctx.region));

  // Validation done: allocate IDs and emit.
  const reservationId = tx.newId("reservation");
  const inits: InstanceInit[] = [];
  const isEbs = image.rootDeviceType === "ebs";
  const [bootLo, bootHi] = isEbs ? TIMING.ebsBoot : TIMING.instanceStoreBoot;
  const base = guestBase(image.guest);
  for (let k = 0; k < net.count; k++) {
    const instanceId = tx.newId("instance");
    const { publicIp, secondaryPrivateIps, ...where } = net.instances[k]!;
    const privateIpAddress = where.privateIpAddress;
    inits.push({
      instanceId,
      ownerId: tx.ctx.accountId,
      ...where,
      ...(secondaryPrivateIps.length ? { secondaryPrivateIps } : {}),
      imageId: image.imageId,
      instanceType: type.instanceType,
      keyName: input.KeyName,
      amiLaunchIndex: k,
      ...(publicIp ? { publicIpAddress: publicIpFor(tx) } : {}),
      transitionAt: tx.now + tx.randomInt(bootLo, bootHi),
      ...machineFacts(image),
      ebsOptimized: input.EbsOptimized ?? type.ebsOptimizedSupport === "default",
      volumes: volumes.map((v) => ({
        volumeId: tx.newId("volume"),
        region: tx.ctx.region,
        availabilityZone: subnet.availabilityZone,
        ownerId: tx.ctx.accountId,
        size: v.size,
        volumeType: v.volumeType,
        iops: v.iops,
        throughput: v.throughput,
        encrypted: v.encrypted,
        snapshotId: v.snapshotId,
        availableAt: tx.now,
        tags: volTags,
        deviceName: v.deviceName,
        deleteOnTermination: v.deleteOnTermination,
      })),
      instanceStores: stores,
      userData: input.UserData,
      kernelId: input.KernelId ?? image.kernelId,
      ramdiskId: input.RamdiskId ?? image.ramdiskId,
      disableApiTermination: input.DisableApiTermination ?? false,
      disableApiStop: input.DisableApiStop ?? false,
      instanceInitiatedShutdownBehavior: input.InstanceInitiatedShutdownBehavior ?? "stop",
      monitoring: input.Monitoring?.Enabled ? "enabled" : "disabled",
      clientToken: input.ClientToken,
      productCodes: image.productCodes,
      softwareUsdPerHour: image.softwareUsdPerHour ?? 0,
      creditSpecification: type.burstablePerformanceSupported
        ? ((credits as "standard" | "unlimited") ?? (type.instanceType.startsWith("t2") ? "standard" : "unlimited"))
        : undefined,
      metadataOptions: {
        httpTokens: input.MetadataOptions?.HttpTokens ?? (image.imdsSupport === "v2.0" ? "required" : "optional"),
        httpEndpoint: input.MetadataOptions?.HttpEndpoint ?? "enabled",
        httpPutResponseHopLimit:
          input.MetadataOptions?.HttpPutResponseHopLimit ?? (image.imdsSupport === "v2.0" ? 2 : 1),
      },
      ...(profile
        ? { iamInstanceProfile: { ...profile, associationId: tx.newId("iamInstanceProfileAssociation") } }
        : {}),
      ...(spot ? { spot: { ...spot, ...spotRequest, requestId: newSpotRequestId(tx) } } : {}),
      guestOs: image.guest,
      hostname: privateDnsName(tx.ctx.region, privateIpAddress).replace(
        /\.compute\.internal$|\.ec2\.internal$/,
        (m) => m,
      ),
      tags: instTags as TagList,
      ...(eniTags.length ? { eniTags } : {}),
    });
    const interfaces = net
      .interfacesFor(tx, k)
      .map((li) => (li.create ? { ...li, create: { ...li.create, tags: eniTags } } : li));
    if (interfaces.length) inits[k]!.interfaces = interfaces;
  }
  void base;
  tx.emit({ type: "InstancesLaunched", region: tx.ctx.region, reservationId, instances: inits });
  if (image.ownerId === tx.ctx.accountId && tx.region.images.has(image.imageId)) {
    tx.emit({
      type: "ImageAttributesChanged",
      region: tx.ctx.region,
      imageId: image.imageId,
      lastLaunchedTime: tx.now,
    });
  }
  return {
    ReservationId: reservationId,
    OwnerId: tx.ctx.accountId,
    Groups: [],
    Instances: inits.map((i) => toEc2Instance(tx.state, tx.region.instances.get(i.instanceId)!)),
  };
}

export const instanceActions = {
  RunInstances(tx: Tx, request: RunInstancesInput) {
    return launchInstances(tx, request);
  },

  DescribeInstances(
    tx: Tx,
    input: { InstanceIds?: string[]; Filters?: Filter[]; MaxResults?: number; NextToken?: string },
  ) {
    if (input.InstanceIds?.length && input.MaxResults !== undefined) {
      throw new Ec2Error(
        "InvalidParameterCombination",
        "The parameter instancesSet cannot be used with the parameter maxResults",
      );
    }
    let rows: Instance[];
    if (input.InstanceIds?.length) {
      const pool = input.InstanceIds.map((id) => requireInstance(tx, id));
      rows = pool.filter(compileFilters(input.Filters, instanceFields(tx.state)));
    } else {
      const match = compileFilters(input.Filters, instanceFields(tx.state));
      // With MaxResults, stop one row past the page: paginate answers the same from that prefix.
      const limit = pageEnd(input, "instances") ?? Infinity;
      const region = tx.region,
        me = tx.ctx.accountId;
      rows = [];
      for (const id of candidates(tx, input.Filters)) {
        const i = region.instances.get(id);
        if (i && i.ownerId === me && match(i)) {
          rows.push(i);
          if (rows.length >= limit) break;
        }
      }
    }
    const { page, nextToken } = paginate(rows, input, { min: 5, max: 1000 }, "instances");
    // One reservation per launch, as EC2 groups them.
    const byRes = new Map<string, Instance[]>();
    for (const i of page) {
      const list = byRes.get(i.reservationId);
      if (list) list.push(i);
      else byRes.set(i.reservationId, [i]);
    }
    return {
      Reservations: [...byRes].map(([ReservationId, list]) => ({
        ReservationId,
        OwnerId: list[0]!.ownerId,
        Groups: [],
        Instances: list.map((i) => toEc2Instance(tx.state, i)),
      })),
      NextToken: nextToken,
    };
  },

  DescribeInstanceStatus(
    tx: Tx,
    input: {
      InstanceIds?: string[];
      IncludeAllInstances?: boolean;
      Filters?: Filter[];
      MaxResults?: number;
      NextToken?: string;
    },
  ) {
    const pool = input.InstanceIds?.length
      ? input.InstanceIds.map((id) => requireInstance(tx, id))
      : [...tx.region.instancesByOwner.get(tx.ctx.accountId)].map((id) => tx.region.instances.get(id)!);
    const statusOf = (i: Instance): "ok" | "initializing" | "not-applicable" => {
      if (i.state !== "running") return "not-applicable";
      const run = i.runs[i.runs.length - 1];
      return run && tx.now - run.start >= 120_000 ? "ok" : "initializing";
    };
    const match = compileFilters(input.Filters, {
      "availability-zone": (i: Instance) => i.availabilityZone,
      "instance-state-name": (i: Instance) => i.state,
      "instance-state-code": (i: Instance) => STATE_CODE[i.state],
      "instance-status.status": (i: Instance) => statusOf(i),
      "system-status.status": (i: Instance) => statusOf(i),
      "instance-status.reachability": (i: Instance) => (statusOf(i) === "ok" ? "passed" : "initializing"),
    });
    const rows = pool.filter((i) => (input.IncludeAllInstances || i.state === "running") && match(i));
    const { page, nextToken } = paginate(rows, input, { min: 5, max: 1000 }, "status");
    const InstanceStatuses: InstanceStatus[] = page.map((i) => {
      const s = statusOf(i);
      const details =
        s === "not-applicable"
          ? []
          : [{ Name: "reachability" as const, Status: (s === "ok" ? "passed" : "initializing") as never }];
      return {
        InstanceId: i.instanceId,
        AvailabilityZone: i.availabilityZone,
        InstanceState: { Code: STATE_CODE[i.state], Name: i.state },
        InstanceStatus: { Status: s, Details: details },
        SystemStatus: { Status: s, Details: details },
        AttachedEbsStatus: { Status: s, Details: details },
      };
    });
    return { InstanceStatuses, NextToken: nextToken };
  },

  StartInstances(tx: Tx, input: { InstanceIds?: string[] }) {
    const list = ids(input).map((id) => requireInstance(tx, id));
    for (const i of list) {
      if (i.state === "terminated" || i.state === "shutting-down" || i.state === "stopping")
        throw errors.incorrectInstanceState(i.instanceId, i.state, "started");
    }
    const out = [];
    for (const i of list) {
      const prev = i.state;
      if (prev === "stopped") {
        // A new auto-assigned public IP when it had one (an Elastic IP stays with the instance).
        const ip = holdsElasticIp(tx.region, i) || !i.autoPublicIp ? undefined : publicIpFor(tx);
        tx.emit({
          type: "InstanceStateChanged",
          region: tx.ctx.region,
          instanceId: i.instanceId,
          state: "pending",
          reason: "",
          transitionAt: tx.now + tx.randomInt(TIMING.ebsRestart[0], TIMING.ebsRestart[1]),
          ...(ip ? { publicIp: ip } : {}),
        });
      }
      out.push(stateChange(i, prev));
    }
    return { StartingInstances: out };
  },

  StopInstances(tx: Tx, input: { InstanceIds?: string[]; Force?: boolean; Hibernate?: boolean }) {
    const list = ids(input).map((id) => requireInstance(tx, id));
    for (const i of list) {
      // R13: only EBS-backed instances can be stopped.
      if (i.rootDeviceType !== "ebs")
        throw errors.unsupported(
          `The instance '${i.instanceId}' does not have an 'ebs' root device type and cannot be stopped.`,
        );
      if (i.disableApiStop)
        throw new Ec2Error(
          "OperationNotPermitted",
          `The instance '${i.instanceId}' may not be stopped. Modify its 'disableApiStop' instance attribute and try again.`,
        );
      assertStoppable(i);
      if (i.state === "terminated" || i.state === "shutting-down" || i.state === "pending")
        throw errors.incorrectInstanceState(i.instanceId, i.state, "stopped");
      if (input.Hibernate)
        throw new Ec2Error(
          "UnsupportedHibernationConfiguration",
          `The instance ${i.instanceId} is not configured for hibernation.`,
        );
    }
    const out = [];
    for (const i of list) {
      const prev = i.state;
      if (prev === "running") {
        tx.emit({
          type: "InstanceStateChanged",
          region: tx.ctx.region,
          instanceId: i.instanceId,
          state: "stopping",
          reason: reasonAt("User initiated", tx.now),
          stateReason: {
            code: "Client.UserInitiatedShutdown",
            message: "Client.UserInitiatedShutdown: User initiated shutdown",
          },
          transitionAt:
            tx.now + (input.Force ? tx.randomInt(2_000, 5_000) : tx.randomInt(TIMING.stop[0], TIMING.stop[1])),
        });
      }
      out.push(stateChange(i, prev));
    }
    return { StoppingInstances: out };
  },

  RebootInstances(tx: Tx, input: { InstanceIds?: string[] }) {
    const list = ids(input).map((id) => requireInstance(tx, id));
    for (const i of list)
      if (i.state === "terminated") throw errors.incorrectInstanceState(i.instanceId, i.state, "rebooted");
    let any = false;
    for (const i of list) {
      if (i.state === "running") {
        tx.emit({ type: "InstanceRebooted", region: tx.ctx.region, instanceId: i.instanceId });
        any = true;
      }
    }
    if (!any && tx.dryRun) throw errors.dryRun();
    return {};
  },

  TerminateInstances(tx: Tx, input: { InstanceIds?: string[] }) {
    const list = ids(input).map((id) => requireInstance(tx, id));
    for (const i of list) {
      if (i.disableApiTermination)
        throw new Ec2Error(
          "OperationNotPermitted",
          `The instance '${i.instanceId}' may not be terminated. Modify its 'disableApiTermination' instance attribute and try again.`,
        );
    }
    const out = [];
    for (const i of list) {
      const prev = i.state;
      if (prev !== "terminated" && prev !== "shutting-down") {
        tx.emit({
          type: "InstanceStateChanged",
          region: tx.ctx.region,
          instanceId: i.instanceId,
          state: "shutting-down",
          reason: reasonAt("User initiated", tx.now),
          stateReason: {
            code: "Client.UserInitiatedShutdown",
            message: "Client.UserInitiatedShutdown: User initiated shutdown",
          },
          transitionAt: tx.now + tx.randomInt(TIMING.shutdown[0], TIMING.shutdown[1]),
        });
      }
      out.push(stateChange(i, prev));
    }
    return { TerminatingInstances: out };
  },

  DescribeInstanceAttribute(tx: Tx, input: { InstanceId?: string; Attribute?: string }) {
    if (!input.InstanceId) throw errors.missingParameter("InstanceId");
    if (!input.Attribute) throw errors.missingParameter("Attribute");
    const i = requireInstance(tx, input.InstanceId);
    const base = { InstanceId: i.instanceId };
    const region = tx.region;
    switch (input.Attribute) {
      case "instanceType":
        return { ...base, InstanceType: { Value: i.instanceType } };
      case "userData":
        return { ...base, UserData: i.userData !== undefined ? { Value: i.userData } : {} };
      case "kernel":
        return { ...base, KernelId: i.kernelId ? { Value: i.kernelId } : {} };
      case "ramdisk":
        return { ...base, RamdiskId: i.ramdiskId ? { Value: i.ramdiskId } : {} };
      case "disableApiTermination":
        return { ...base, DisableApiTermination: { Value: i.disableApiTermination } };
      case "disableApiStop":
        return { ...base, DisableApiStop: { Value: i.disableApiStop } };
      case "instanceInitiatedShutdownBehavior":
        return { ...base, InstanceInitiatedShutdownBehavior: { Value: i.instanceInitiatedShutdownBehavior } };
      case "rootDeviceName":
        return { ...base, RootDeviceName: { Value: i.rootDeviceName } };
      case "blockDeviceMapping":
        return {
          ...base,
          BlockDeviceMappings: i.blockDevices.map((b) => ({
            DeviceName: b.deviceName,
            Ebs: {
              VolumeId: b.volumeId,
              Status: "attached" as const,
              AttachTime: new Date(b.attachTime),
              DeleteOnTermination: b.deleteOnTermination,
            },
          })),
        };
      case "sourceDestCheck":
        return { ...base, SourceDestCheck: { Value: i.sourceDestCheck } };
      case "groupSet":
        return {
          ...base,
          Groups: i.securityGroupIds.map((g) => ({ GroupId: g, GroupName: region.securityGroups.get(g)?.groupName })),
        };
      case "ebsOptimized":
        return { ...base, EbsOptimized: { Value: i.ebsOptimized } };
      case "sriovNetSupport":
        return { ...base, SriovNetSupport: { Value: "simple" } };
      case "enaSupport":
        return { ...base, EnaSupport: { Value: i.enaSupport } };
      case "productCodes":
        return {
          ...base,
          ProductCodes: i.productCodes.map((p) => ({
            ProductCodeId: p.productCodeId,
            ProductCodeType: p.productCodeType as never,
          })),
        };
      case "enclaveOptions":
        return { ...base, EnclaveOptions: { Enabled: false } };
      default:
        throw new Ec2Error(
          "InvalidParameterValue",
          `Value (${input.Attribute}) for parameter attribute is invalid. Unknown attribute.`,
        );
    }
  },

  ModifyInstanceAttribute(
    tx: Tx,
    input: {
      InstanceId?: string;
      Attribute?: string;
      Value?: string;
      InstanceType?: { Value?: string };
      UserData?: { Value?: Uint8Array | string };
      Kernel?: { Value?: string };
      Ramdisk?: { Value?: string };
      DisableApiTermination?: { Value?: boolean };
      DisableApiStop?: { Value?: boolean };
      InstanceInitiatedShutdownBehavior?: { Value?: string };
      SourceDestCheck?: { Value?: boolean };
      Groups?: string[];
      EbsOptimized?: { Value?: boolean };
      BlockDeviceMappings?: { DeviceName?: string; Ebs?: { DeleteOnTermination?: boolean; VolumeId?: string } }[];
      EnaSupport?: { Value?: boolean };
    },
  ) {
    if (!input.InstanceId) throw errors.missingParameter("InstanceId");
    const i = requireInstance(tx, input.InstanceId);
    const attr = input.Attribute;
    const v = input.Value;
    const instanceType = input.InstanceType?.Value ?? (attr === "instanceType" ? v : undefined);
    const userDataRaw = input.UserData?.Value ?? (attr === "userData" ? v : undefined);
    const kernelId = input.Kernel?.Value ?? (attr === "kernel" ? v : undefined);
    const ramdiskId = input.Ramdisk?.Value ?? (attr === "ramdisk" ? v : undefined);
    const ebsOptimized = input.EbsOptimized?.Value ?? (attr === "ebsOptimized" ? v === "true" : undefined);
    // R14: these change only while an EBS-backed instance is stopped.
    if (
      instanceType !== undefined ||
      userDataRaw !== undefined ||
      kernelId !== undefined ||
      ramdiskId !== undefined ||
      ebsOptimized !== undefined
    ) {
      if (i.rootDeviceType !== "ebs")
        throw errors.unsupported(
          `The instance '${i.instanceId}' has an instance-store root device; its instance type, kernel, RAM disk and user data are fixed for its life.`,
        );
      if (i.state !== "stopped")
        throw new Ec2Error("IncorrectInstanceState", `The instance '${i.instanceId}' is not in the 'stopped' state.`);
    }
    const attrs: EventOf<"InstanceAttributeChanged">["attrs"] = {};
    if (instanceType !== undefined) {
      const t = requireInstanceType(instanceType);
      if (!t.architectures.includes(i.architecture))
        throw new Ec2Error(
          "InvalidParameterValue",
          `The instance type '${instanceType}' does not support the architecture '${i.architecture}' of instance '${i.instanceId}'`,
        );
      attrs.instanceType = instanceType;
    }
    if (userDataRaw !== undefined)
      attrs.userData = typeof userDataRaw === "string" ? userDataRaw : Buffer.from(userDataRaw).toString("base64");
    if (kernelId !== undefined) attrs.kernelId = kernelId;
    if (ramdiskId !== undefined) attrs.ramdiskId = ramdiskId;
    if (ebsOptimized !== undefined) attrs.ebsOptimized = ebsOptimized;
    const dat = input.DisableApiTermination?.Value ?? (attr === "disableApiTermination" ? v === "true" : undefined);
    if (dat !== undefined) attrs.disableApiTermination = dat;
    const das = input.DisableApiStop?.Value ?? (attr === "disableApiStop" ? v === "true" : undefined);
    if (das !== undefined) attrs.disableApiStop = das;
    const isb =
      input.InstanceInitiatedShutdownBehavior?.Value ?? (attr === "instanceInitiatedShutdownBehavior" ? v : undefined);
    if (isb !== undefined) {
      if (isb !== "stop" && isb !== "terminate")
        throw new Ec2Error(
          "InvalidParameterValue",
          `Value (${isb}) for parameter instanceInitiatedShutdownBehavior is invalid`,
        );
      if (isb === "stop" && i.rootDeviceType !== "ebs")
        throw errors.unsupported("Instance-store-backed instances can only terminate on shutdown");
      attrs.instanceInitiatedShutdownBehavior = isb;
    }
    const sdc = input.SourceDestCheck?.Value ?? (attr === "sourceDestCheck" ? v === "true" : undefined);
    if (sdc !== undefined) attrs.sourceDestCheck = sdc;
    if (input.Groups?.length) attrs.securityGroupIds = input.Groups.map((g) => requireGroup(tx, g).groupId);
    const dots = (input.BlockDeviceMappings ?? []).map((b) => {
      const dev = i.blockDevices.find((d) => d.deviceName === b.DeviceName);
      if (!dev) throw new Ec2Error("InvalidInstanceAttributeValue", `No device is currently mapped at ${b.DeviceName}`);
      return { deviceName: dev.deviceName, deleteOnTermination: b.Ebs?.DeleteOnTermination ?? dev.deleteOnTermination };
    });
    if (Object.keys(attrs).length === 0 && dots.length === 0)
      throw new Ec2Error("InvalidParameterCombination", "No attributes specified.");
    if (Object.keys(attrs).length)
      tx.emit({ type: "InstanceAttributeChanged", region: tx.ctx.region, instanceId: i.instanceId, attrs });
    for (const d of dots)
      tx.emit({ type: "VolumeDeleteOnTerminationSet", region: tx.ctx.region, instanceId: i.instanceId, ...d });
    return {};
  },

  ModifyInstanceMetadataOptions(tx: Tx, input: { InstanceId?: string; HttpTokens?: "optional" | "required" }) {
    const i = requireInstance(tx, input.InstanceId ?? "");
    if (input.HttpTokens)
      tx.emit({
        type: "InstanceAttributeChanged",
        region: tx.ctx.region,
        instanceId: i.instanceId,
        attrs: { httpTokens: input.HttpTokens },
      });
    return {
      InstanceId: i.instanceId,
      InstanceMetadataOptions: {
        State: "applied" as const,
        HttpTokens: i.metadataOptions.httpTokens,
        HttpPutResponseHopLimit: i.metadataOptions.httpPutResponseHopLimit,
        HttpEndpoint: i.metadataOptions.httpEndpoint,
      },
    };
  },

  DescribeInstanceCreditSpecifications(
    tx: Tx,
    input: { InstanceIds?: string[]; Filters?: Filter[]; MaxResults?: number; NextToken?: string },
  ) {
    const pool = input.InstanceIds?.length
      ? input.InstanceIds.map((id) => requireInstance(tx, id))
      : [...tx.region.instancesByOwner.get(tx.ctx.accountId)].map((id) => tx.region.instances.get(id)!);
    const rows = pool.filter((i) => i.creditSpecification);
    const { page, nextToken } = paginate(rows, input, { min: 5, max: 1000 }, "credits");
    return {
      InstanceCreditSpecifications: page.map((i) => ({ InstanceId: i.instanceId, CpuCredits: i.creditSpecification })),
      NextToken: nextToken,
    };
  },

  ModifyInstanceCreditSpecification(
    tx: Tx,
    input: { InstanceCreditSpecifications?: { InstanceId?: string; CpuCredits?: string }[] },
  ) {
    const ok = [];
    for (const s of input.InstanceCreditSpecifications ?? []) {
      const i = requireInstance(tx, s.InstanceId ?? "");
      if (s.CpuCredits !== "standard" && s.CpuCredits !== "unlimited")
        throw new Ec2Error("InvalidParameterValue", `Value (${s.CpuCredits}) for parameter CpuCredits is invalid`);
      tx.emit({
        type: "InstanceAttributeChanged",
        region: tx.ctx.region,
        instanceId: i.instanceId,
        attrs: { creditSpecification: s.CpuCredits },
      });
      ok.push({ InstanceId: i.instanceId });
    }
    return { SuccessfulInstanceCreditSpecifications: ok, UnsuccessfulInstanceCreditSpecifications: [] };
  },

  GetConsoleOutput(tx: Tx, input: { InstanceId?: string; Latest?: boolean }) {
    if (!input.InstanceId) throw errors.missingParameter("InstanceId");
    const i = requireInstance(tx, input.InstanceId);
    const started = i.guest.bootCount > 0;
    return {
      InstanceId: i.instanceId,
      Timestamp: new Date(tx.now),
      ...(started ? { Output: Buffer.from(consoleOutput(tx.state, i)).toString("base64") } : {}),
    };
  },
};

export function applyDeleteOnTermination(state: SandboxState, e: EventOf<"VolumeDeleteOnTerminationSet">): void {
  const r = regionState(state, e.region);
  const i = r.instances.get(e.instanceId);
  const dev = i?.blockDevices.find((d) => d.deviceName === e.deviceName);
  if (!dev) return;
  dev.deleteOnTermination = e.deleteOnTermination;
  const v = r.volumes.get(dev.volumeId);
  if (v?.attachment) v.attachment.deleteOnTermination = e.deleteOnTermination;
}

export { rootVolume };
