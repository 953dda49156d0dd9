/**
 * A sandbox's state (core's fold) as an inventory: what one account holds in the chosen regions,
 * the way Terraform would manage it. Terminated instances, deregistered images and deleted
 * volumes/snapshots are gone; root and launch volumes belong to their instance; snapshots behind
 * an AMI belong to the AMI; default security groups and default VPCs are not managed.
 */
import {
  baseFileSystem,
  catalogImages,
  type Image,
  type Instance,
  rootFileSystem,
  type SandboxState,
  type SecurityGroup,
} from "@ec2sim/core";
import { guestFileEntry, userDataHash } from "../diff/user-data.ts";
import { type FsView, guestChanges } from "../export/cloud-init.ts";
import {
  type Inventory,
  type InvResource,
  isLaunchVolume,
  launchTemplateRef,
  normalizeProtocol,
  normalizePublicKey,
  splitTags,
} from "../inventory.ts";
import { readSandboxNetwork } from "./sandbox-network.ts";

export interface ScopeOptions {
  accountId: string;
  /** Regions to read; all regions the sandbox touched when absent. */
  regions?: string[];
}

export const LIVE_INSTANCE = new Set(["pending", "running", "stopping", "stopped"]);
export const LIVE_IMAGE = new Set(["pending", "available", "disabled"]);

export function liveImage(img: Image | undefined): boolean {
  return !!img && LIVE_IMAGE.has(img.state);
}

/** The external key of an image nobody here manages. */
export const externalImageKey = (img: { ownerAlias?: string | undefined; ownerId: string; name: string }) =>
  `ami:${img.ownerAlias ?? img.ownerId}/${img.name}`;

export function nameOf(tags: Map<string, string>, fallback?: string): string | undefined {
  return tags.get("Name") ?? fallback;
}

export function regionsOf(state: SandboxState, opts: ScopeOptions): string[] {
  const all = [...state.regions.keys()].sort();
  return opts.regions?.length ? all.filter((r) => opts.regions!.includes(r)) : all;
}

/** Snapshots that back an AMI the account owns (they come with the AMI, not on their own). */
export function amiSnapshotIds(state: SandboxState, accountId: string): Set<string> {
  const out = new Set<string>();
  for (const r of state.regions.values()) {
    for (const img of r.images.values()) {
      if (img.ownerId !== accountId || img.state === "deregistered") continue;
      for (const b of img.blockDeviceMappings) if (b.ebs?.snapshotId) out.add(b.ebs.snapshotId);
    }
  }
  return out;
}

export function isDefaultGroup(g: SecurityGroup): boolean {
  return g.groupName === "default";
}

export function imageType(img: Image): "aws_ami_from_instance" | "aws_ami_copy" | "aws_ami" {
  // CreateImage records the instance and its AMI (ancestry); CopyImage the source AMI and region.
  if (img.sourceInstanceId) return "aws_ami_from_instance";
  if (img.sourceImageId) return "aws_ami_copy";
  return "aws_ami";
}

export function readSandboxState(state: SandboxState, opts: ScopeOptions & { source?: string }): Inventory {
  const out: InvResource[] = [];
  const warnings: string[] = [];
  const acct = opts.accountId;
  const amiSnaps = amiSnapshotIds(state, acct);
  const findImage = (region: string, id: string): Image | undefined => {
    const r = state.regions.get(region);
    return r?.images.get(id) ?? catalogLookup(region, id);
  };
  const imageRef = (region: string, id: string): string => {
    const img = findImage(region, id);
    if (!img) return id;
    if (img.ownerId === acct && liveImage(img)) return img.imageId;
    return externalImageKey(img);
  };
  for (const region of regionsOf(state, opts)) {
    const r = state.regions.get(region)!;
    const groupRef = (id: string) => {
      const g = r.securityGroups.get(id);
      return g && isDefaultGroup(g) ? "sg:default" : id;
    };
    const network = readSandboxNetwork(r, region, acct, (id) => imageRef(region, id), groupRef);
    out.push(...network.resources);
    for (const k of r.keyPairs.values()) {
      if (k.ownerId !== acct) continue;
      const t = splitTags(k.tags);
      out.push({
        type: "aws_key_pair",
        id: k.keyPairId,
        region,
        name: k.keyName,
        ...t,
        attrs: { key_name: k.keyName, key_type: k.keyType, public_key: normalizePublicKey(k.publicKey) },
        refs: {},
      });
    }
    for (const g of r.securityGroups.values()) {
      if (g.ownerId !== acct || isDefaultGroup(g)) continue;
      const t = splitTags(g.tags);
      out.push({
        type: "aws_security_group",
        id: g.groupId,
        region,
        name: nameOf(g.tags, g.groupName),
        ...t,
        attrs: { name: g.groupName, description: g.description },
        refs: network.vpcRef(g.vpcId) !== "vpc:default" ? { vpc_id: g.vpcId } : {},
      });
      for (const rule of g.rules.values()) {
        const rt = splitTags(rule.tags);
        const proto = normalizeProtocol(rule.ipProtocol);
        out.push({
          type: rule.isEgress ? "aws_vpc_security_group_egress_rule" : "aws_vpc_security_group_ingress_rule",
          id: rule.ruleId,
          region,
          ...rt,
          attrs: {
            ip_protocol: proto,
            from_port: proto === "-1" ? null : (rule.fromPort ?? null),
            to_port: proto === "-1" ? null : (rule.toPort ?? null),
            cidr_ipv4: rule.cidrIpv4 ?? null,
            cidr_ipv6: rule.cidrIpv6 ?? null,
            description: rule.description ?? null,
          },
          refs: {
            security_group_id: g.groupId,
            ...(rule.referencedGroupId ? { referenced_security_group_id: groupRef(rule.referencedGroupId) } : {}),
          },
        });
      }
    }
    for (const inst of r.instances.values()) {
      if (inst.ownerId !== acct || !LIVE_INSTANCE.has(inst.state)) continue;
      const t = splitTags(inst.tags);
      // cloud-init runs the user data when the first boot ends (pending -> running): until then the
      // guest is not what it will be, so it is not compared (a diff right after RunInstances).
      const booting = inst.state === "pending" && inst.guest.bootCount === 0 && !!inst.userData;
      if (booting)
        warnings.push(
          `${region}: ${inst.instanceId} is still pending: its user data has not run yet, so its guest files and packages are not compared (wait until it is running)`,
        );
      out.push({
        type: "aws_instance",
        id: inst.instanceId,
        region,
        name: nameOf(inst.tags),
        ...t,
        attrs: instanceAttrs(state, inst, booting),
        refs: {
          ami: imageRef(region, inst.imageId),
          vpc_security_group_ids: inst.securityGroupIds.map(groupRef).sort(),
          ...(network.subnetRef(inst.subnetId) ? { subnet_id: inst.subnetId } : {}),
          ...launchTemplateRef(r.launchTemplates, inst.tags),
        },
      });
    }
    for (const img of r.images.values()) {
      if (img.ownerId !== acct || !liveImage(img)) continue;
      const t = splitTags(img.tags);
      const type = imageType(img);
      const refs: Record<string, string> = {};
      const attrs: InvResource["attrs"] = {
        name: img.name,
        description: img.description ?? null,
        architecture: img.architecture,
        root_volume_size: rootSize(img),
      };
      if (type === "aws_ami_copy") {
        refs.source_ami_id = imageRefAcross(state, acct, img.sourceRegion ?? region, img.sourceImageId!);
        attrs.source_ami_region = img.sourceRegion ?? region;
      } else if (
        type === "aws_ami_from_instance" &&
        LIVE_INSTANCE.has(r.instances.get(img.sourceInstanceId!)?.state ?? "")
      )
        // A builder that is gone (terminated) is nothing either side can pair: the image stands alone.
        refs.source_instance_id = img.sourceInstanceId!;
      out.push({ type, id: img.imageId, region, name: nameOf(img.tags, img.name), ...t, attrs, refs });
      const lp = img.launchPermissions;
      const perm = (grantee: string, attrs: InvResource["attrs"]) =>
        out.push({
          type: "aws_ami_launch_permission",
          id: `${img.imageId}/${grantee}`,
          region,
          tags: {},
          attrs: { account_id: null, group: null, organization_arn: null, organizational_unit_arn: null, ...attrs },
          refs: { image_id: img.imageId },
        });
      for (const u of [...lp.userIds].sort()) perm(u, { account_id: u });
      for (const o of [...lp.organizationArns].sort()) perm(o, { organization_arn: o });
      for (const o of [...lp.ouArns].sort()) perm(o, { organizational_unit_arn: o });
      if (lp.public) perm("all", { group: "all" });
    }
    for (const v of r.volumes.values()) {
      if (v.ownerId !== acct || v.state === "deleted" || v.state === "deleting") continue;
      const att = v.attachment;
      const inst = att ? r.instances.get(att.instanceId) : undefined;
      if (att && inst && isLaunchVolume({ device: att.device, deleteOnTermination: att.deleteOnTermination }, inst))
        continue;
      const t = splitTags(v.tags);
      out.push({
        type: "aws_ebs_volume",
        id: v.volumeId,
        region,
        name: nameOf(v.tags),
        ...t,
        attrs: {
          availability_zone: v.availabilityZone,
          size: v.size,
          type: v.volumeType,
          iops: v.iops ?? null,
          throughput: v.throughput ?? null,
          encrypted: v.encrypted,
        },
        refs: v.snapshotId ? { snapshot_id: v.snapshotId } : {},
      });
      if (att && inst && LIVE_INSTANCE.has(inst.state) && att.state !== "detached") {
        out.push({
          type: "aws_volume_attachment",
          id: `${att.device}:${v.volumeId}:${att.instanceId}`,
          region,
          tags: {},
          attrs: { device_name: att.device },
          refs: { volume_id: v.volumeId, instance_id: att.instanceId },
        });
      }
    }
    for (const s of r.snapshots.values()) {
      if (s.ownerId !== acct || s.deletedAt !== undefined || amiSnaps.has(s.snapshotId)) continue;
      const t = splitTags(s.tags);
      out.push({
        type: "aws_ebs_snapshot",
        id: s.snapshotId,
        region,
        name: nameOf(s.tags),
        ...t,
        attrs: { description: s.description ?? null, volume_size: s.volumeSize },
        refs: { volume_id: s.volumeId },
      });
    }
    for (const a of r.addresses.values()) {
      if (a.ownerId !== acct || a.releasedAt !== undefined) continue;
      const t = splitTags(a.tags);
      out.push({
        type: "aws_eip",
        id: a.allocationId,
        region,
        name: nameOf(a.tags),
        ...t,
        attrs: { domain: a.domain },
        refs: {},
      });
      if (a.instanceId)
        out.push({
          type: "aws_eip_association",
          id: a.associationId ?? `${a.allocationId}:${a.instanceId}`,
          region,
          tags: {},
          attrs: {},
          refs: { allocation_id: a.allocationId, instance_id: a.instanceId },
        });
    }
  }
  return { source: opts.source ?? "sandbox", resources: out, warnings };
}

const catalogByRegion = new Map<string, Map<string, Image>>();
/** A catalog (Quick Start, Marketplace, Community) image by ID: they live outside the state. */
export function catalogLookup(region: string, id: string): Image | undefined {
  let m = catalogByRegion.get(region);
  if (!m) catalogByRegion.set(region, (m = new Map([...catalogImages(region)].map((i) => [i.imageId, i]))));
  return m.get(id);
}

function imageRefAcross(state: SandboxState, acct: string, region: string, id: string): string {
  const img = state.regions.get(region)?.images.get(id) ?? catalogLookup(region, id);
  if (!img) return id;
  if (img.ownerId === acct && liveImage(img)) return img.imageId;
  return externalImageKey(img);
}

function rootSize(img: Image): number | null {
  return img.blockDeviceMappings.find((b) => b.deviceName === img.rootDeviceName)?.ebs?.volumeSize ?? null;
}

function instanceAttrs(state: SandboxState, inst: Instance, booting: boolean): InvResource["attrs"] {
  const r = state.regions.get(inst.region)!;
  let root: { size: number; type: string; dot: boolean } | undefined;
  const extra: string[] = [];
  for (const b of inst.blockDevices) {
    const v = r.volumes.get(b.volumeId);
    if (!v) continue;
    if (b.deviceName === inst.rootDeviceName) root = { size: v.size, type: v.volumeType, dot: b.deleteOnTermination };
    else if (b.deleteOnTermination) extra.push(`${b.deviceName}:${v.size}:${v.volumeType}:${b.deleteOnTermination}`);
  }
  return {
    instance_type: inst.instanceType,
    availability_zone: inst.availabilityZone,
    key_name: inst.keyName ?? null,
    root_volume_size: root?.size ?? null,
    root_volume_type: root?.type ?? null,
    root_delete_on_termination: root?.dot ?? null,
    ebs_block_devices: extra.sort(),
    user_data: userDataHash(inst.userData),
    ...(booting ? {} : guestAttrs(state, inst)),
  };
}

/** What was done inside the guest since its OS base: files (path and hash) and packages. */
function guestAttrs(state: SandboxState, inst: Instance): InvResource["attrs"] {
  let base: FsView;
  try {
    base = baseFileSystem(inst.guest.os).layer as FsView;
  } catch {
    return {};
  }
  const c = guestChanges(rootFileSystem(state, inst) as FsView, base, inst.guest.os);
  return { guest_files: c.files.map(guestFileEntry).sort(), guest_packages: c.packages.map((p) => p.name).sort() };
}
