/**
 * Sandbox state -> export plan. One block per resource, named from its Name tag, with an origin
 * tag on everything taggable; what cannot be expressed goes to `notExported` with the reason.
 */

import { gzipSync } from "node:zlib";
import {
  baseFileSystem,
  catalogImages,
  guestBase,
  type Image,
  type Instance,
  rootFileSystem,
  type SandboxState,
  userDataText,
} from "@ec2sim/core";
import { isLaunchVolume, normalizeProtocol, ORIGIN_TAG } from "../inventory.ts";
import {
  type Block,
  type ExportPlan,
  Namer,
  type NotExported,
  type ProviderBlock,
  ref,
  topoSort,
  type Value,
  type Variable,
  varRef,
} from "../plan.ts";
import {
  amiSnapshotIds,
  catalogLookup,
  imageType,
  isDefaultGroup,
  LIVE_INSTANCE,
  liveImage,
  regionsOf,
} from "../readers/sandbox-state.ts";
import {
  cloudConfig,
  type FsView,
  type GuestChanges,
  guestChanges,
  isEmpty,
  multipart,
  userDataType,
} from "./cloud-init.ts";
import { makeIdiomatic } from "./idioms.ts";
import { addLaunchTemplate, instanceLaunchTemplate } from "./launch-template-plan.ts";
import { type NetworkPlan, planNetwork } from "./network-plan.ts";
import { type PackerImage, packerFile, packerNamePattern, packerTemplate } from "./packer.ts";

export interface ExportOptions {
  sandbox: string;
  accountId: string;
  regions?: string[];
  /** Stack name in the synthesized output (default `ec2sim`). */
  stackName?: string;
  /** Put files that look like credentials into user data too (default: left out, listed). */
  includeSecrets?: boolean;
  /** Pin packages to the guest's versions (default: names only, the distribution's current ones). */
  pinPackages?: boolean;
  /** Tag everything with `ec2sim:origin` (default true; `--no-origin-tags` leaves it out). */
  originTags?: boolean;
  /**
   * Own AMIs: `rebuild` makes them again (aws_ami_from_instance / aws_ami_copy of the exported
   * instance), `lookup` takes existing AMIs by ID (a variable each), `packer` writes a Packer
   * template per AMI made from an instance and looks its newest build up by name.
   */
  amiStrategy?: AmiStrategy;
  /** Labels of the previous export (sandbox ID -> label), kept for the same resources. */
  previousLabels?: Record<string, string>;
}

export type AmiStrategy = "rebuild" | "lookup" | "packer";

/** EC2's limit on user data, in bytes before base64 (gzip-compressed user data counts compressed). */
export const USER_DATA_LIMIT = 16384;

/** What cannot be exported as asked: said before anything is written. */
export class ExportError extends Error {
  override readonly name = "ExportError";
}

const HOME_REGION = "us-east-1";

export function buildExportPlan(state: SandboxState, opts: ExportOptions): ExportPlan {
  const acct = opts.accountId;
  if (!state.accounts.has(acct))
    throw new Error(
      `account ${acct} does not exist in sandbox ${opts.sandbox} (accounts: ${[...state.accounts.keys()].join(", ")})`,
    );
  const namer = new Namer([], opts.previousLabels ?? {});
  const lookupAmis = opts.amiStrategy === "lookup";
  const packer = opts.amiStrategy === "packer";
  const files: Record<string, string> = {};
  const variables: Variable[] = [];
  const blocks: Block[] = [];
  const notes: NotExported[] = [];
  const regions = regionsOf(state, opts);
  const keyOf = new Map<string, string>(); // sandbox resource ID -> block key
  const origin = (id: string) => `${opts.sandbox}/${id}`;
  const tags = (m: Map<string, string>, id: string): Record<string, string> => {
    const t: Record<string, string> = {};
    for (const [k, v] of [...m].sort(([a], [b]) => a.localeCompare(b)))
      if (!k.startsWith("aws:") && k !== ORIGIN_TAG) t[k] = v;
    if (opts.originTags !== false) t[ORIGIN_TAG] = origin(id);
    return t;
  };
  const amiSnaps = amiSnapshotIds(state, acct);
  const note = (resource: string, kind: string, reason: string, severity: NotExported["severity"] = "skipped") =>
    notes.push({ resource, kind, reason, severity });

  // Providers: the home region is the default one, every other region gets an alias.
  const used = regions.filter((r) => hasAnything(state, r, acct));
  const home = used.includes(HOME_REGION) || used.length === 0 ? HOME_REGION : used[0]!;
  const providers: ProviderBlock[] = [{ key: "aws", region: home }];
  const providerFor = new Map<string, string | undefined>([[home, undefined]]);
  const providerKeyFor = (region: string): string | undefined => {
    if (providerFor.has(region)) return providerFor.get(region);
    const alias = region.replace(/-/g, "_");
    const key = namer.unique(`aws_${alias}`);
    providers.push({ key, region, alias });
    providerFor.set(region, key);
    return key;
  };
  namer.unique("aws");
  const add = (b: Omit<Block, "provider"> & { provider?: string }): Block => {
    const p = providerKeyFor(b.region);
    const block: Block = { ...b, ...(p ? { provider: p } : {}) };
    blocks.push(block);
    return block;
  };

  // Images nobody here manages: looked up by owner and a name pattern (their IDs differ per account
  // and region, and dated names disappear when AWS deprecates them), once per region and pattern.
  const lookups = new Map<string, string>();
  const notedBase = new Set<string>();
  /** How to find an image nobody here manages: its owner and a name pattern for its family. */
  const family = (region: string, img: Image) => {
    const owner = img.ownerAlias ?? img.ownerId;
    const pattern = amiNamePattern(img.name);
    const newest = pattern === img.name ? undefined : newestMatching(region, owner, pattern);
    // The pattern must still find the same family (guest and architecture), else the exact name.
    const usePattern = !!newest && newest.guest === img.guest && newest.architecture === img.architecture;
    return { owner, pattern, newest, usePattern, name: usePattern ? pattern : img.name };
  };
  const lookupImage = (region: string, img: Image): Value => {
    const { owner, pattern, newest, usePattern, name } = family(region, img);
    const k = `${region}:${owner}:${name}`;
    let key = lookups.get(k);
    if (!key) {
      key = namer.unique(name.replace(/\*/g, "").slice(0, 40));
      lookups.set(k, key);
      const config: Record<string, Value> = { mostRecent: true, owners: [owner] };
      if (usePattern) {
        const v = `${key}_name`;
        variables.push({
          name: v,
          type: "string",
          description: `Name pattern of the base AMI (${owner}); the newest match is used`,
          default: pattern,
        });
        if (!variables.some((x) => x.name === "include_deprecated_amis"))
          variables.push({
            name: "include_deprecated_amis",
            type: "bool",
            description: "Also find base AMIs that AWS has deprecated",
            default: false,
          });
        config.includeDeprecated = varRef("include_deprecated_amis");
        config.filter = [{ name: "name", values: [varRef(v)] }];
      } else config.filter = [{ name: "name", values: [img.name] }];
      add({
        key,
        kind: "data",
        tfType: "aws_ami",
        region,
        config,
        comment: `${img.catalog === "marketplace" ? "AWS Marketplace" : img.catalog === "quick-start" ? "Quick Start" : img.catalog === "community" ? "Community" : "Shared"} AMI ${name} (${owner}): IDs differ per account and region, so look it up`,
      });
    }
    if (usePattern && newest && newest.name !== img.name && !notedBase.has(img.imageId) && notedBase.add(img.imageId))
      note(
        `${img.imageId} (${img.name})`,
        "base AMI",
        `looked up as the newest ${pattern} (today ${newest.name}), not the older build the sandbox ran`,
        "partial",
      );
    return ref(key);
  };

  const findImage = (region: string, id: string | undefined): Image | undefined =>
    id === undefined ? undefined : (state.regions.get(region)?.images.get(id) ?? catalogLookup(region, id));
  const ownLive = (img: Image | undefined): img is Image => !!img && img.ownerId === acct && liveImage(img);

  // ── what gets exported: instances always; own images when their source is exported ──────────
  const liveInstances: Instance[] = [];
  for (const region of regions)
    for (const i of state.regions.get(region)!.instances.values())
      if (i.ownerId === acct && LIVE_INSTANCE.has(i.state)) liveInstances.push(i);
  const instanceIds = new Set(liveInstances.map((i) => i.instanceId));
  const exportedImages = new Map<string, Image>();
  const imageVerdict = new Map<string, string | true>();
  const canExportImage = (img: Image, depth = 0): string | true => {
    const seen = imageVerdict.get(img.imageId);
    if (seen !== undefined) return seen;
    let v: string | true;
    const t = imageType(img);
    if (img.rootDeviceType === "instance-store")
      v = "instance-store-backed AMIs (bundles in S3) cannot be expressed in Terraform";
    else if (t === "aws_ami_from_instance")
      // Only rebuild needs the instance: lookup and packer do not image it.
      v =
        instanceIds.has(img.sourceInstanceId!) || lookupAmis || packer
          ? true
          : `its source instance ${img.sourceInstanceId} is not exported (terminated or not the account's), so aws_ami_from_instance has nothing to image`;
    else if (t === "aws_ami_copy") {
      const src = findImage(img.sourceRegion ?? img.region, img.sourceImageId);
      if (!src) v = `its source image ${img.sourceImageId} is unknown`;
      else if (src.ownerId !== acct) v = true;
      else if (!liveImage(src)) v = `its source image ${src.imageId} is ${src.state}`;
      else if (depth > 20) v = "copy chain too deep";
      else {
        const s = canExportImage(src, depth + 1);
        v = s === true ? true : `its source image ${src.imageId} is not exported (${s})`;
      }
    } else
      v =
        "AMIs registered from snapshots or bundles (RegisterImage) cannot be recreated: their snapshots' contents are not reproducible in Terraform";
    imageVerdict.set(img.imageId, v);
    return v;
  };
  for (const region of regions) {
    for (const img of state.regions.get(region)!.images.values()) {
      if (!ownLive(img)) continue;
      const v = canExportImage(img);
      if (v === true) exportedImages.set(img.imageId, img);
      else note(`${img.imageId} (${img.name})`, "AMI", v);
    }
  }

  /** The image an instance is launched from in the export, and the file system its user data is relative to. */
  const launchSource = (inst: Instance): { ami: Value; base: FsView; guest: string | undefined; via?: string } => {
    let img = findImage(inst.region, inst.imageId);
    let via: string | undefined;
    for (let hops = 0; img && hops < 20; hops++) {
      if (exportedImages.has(img.imageId))
        return { ami: imageValue(img.imageId), base: imageFs(state, img), guest: img.guest, ...(via ? { via } : {}) };
      if (img.ownerId !== acct)
        return {
          ami: lookupImage(inst.region, img),
          base: imageFs(state, img),
          guest: img.guest,
          ...(via ? { via } : {}),
        };
      // An own image that is not exported: go back along its lineage to one that is.
      via ??= `${img.imageId} (${img.name}, ${img.state}) is not exported`;
      const parent: Image | undefined = img.sourceImageId
        ? findImage(img.sourceRegion ?? img.region, img.sourceImageId)
        : img.sourceInstanceId
          ? findImage(img.region, findInstance(state, img.sourceInstanceId)?.imageId)
          : undefined;
      if (!parent) {
        const cat = latestCatalogFor(inst.region, img.guest, img.architecture);
        if (cat) return { ami: lookupImage(inst.region, cat), base: imageFs(state, cat), guest: cat.guest, via };
        break;
      }
      img =
        parent.region === inst.region
          ? parent
          : (findImage(inst.region, parent.imageId) ??
            latestCatalogFor(inst.region, parent.guest, parent.architecture) ??
            parent);
    }
    const cat = latestCatalogFor(inst.region, inst.guest.os, inst.architecture);
    if (!cat) throw new Error(`cannot find a base image for ${inst.instanceId}`);
    return {
      ami: lookupImage(inst.region, cat),
      base: imageFs(state, cat),
      guest: cat.guest,
      via: via ?? `its AMI ${inst.imageId} is unknown`,
    };
  };
  /** An own exported AMI: its block, or with --ami-strategy lookup the variable that names it. */
  const imageValue = (id: string): Value => {
    if (!lookupAmis) return ref(keyFor(id));
    const name = `${keyFor(id)}_ami_id`;
    if (!variables.some((v) => v.name === name)) {
      const img = exportedImages.get(id)!;
      variables.push({
        name,
        type: "string",
        description: `ID of an existing AMI built like ${img.name} (sandbox ${img.imageId} in ${img.region}); --ami-strategy lookup does not build it`,
      });
    }
    return varRef(name);
  };
  const keyFor = (id: string): string => {
    const k = keyOf.get(id);
    if (!k) throw new Error(`no block for ${id}`);
    return k;
  };

  // ── names first (references need them) ──────────────────────────────────────────────────────
  const networks = new Map<string, NetworkPlan>();
  for (const region of regions) {
    const r = state.regions.get(region)!;
    networks.set(region, planNetwork({ region, acct, r, namer, keyOf, add, tags, note }));
    for (const k of r.keyPairs.values())
      if (k.ownerId === acct) keyOf.set(k.keyPairId, namer.unique(k.keyName, k.keyPairId));
    for (const g of r.securityGroups.values())
      if (g.ownerId === acct && !isDefaultGroup(g))
        keyOf.set(g.groupId, namer.unique(g.tags.get("Name") ?? g.groupName, g.groupId));
    for (const i of liveInstances)
      if (i.region === region) keyOf.set(i.instanceId, namer.unique(i.tags.get("Name") ?? i.instanceId, i.instanceId));
    for (const img of exportedImages.values()) {
      if (img.region !== region) continue;
      const base = img.tags.get("Name") ?? img.name;
      keyOf.set(img.imageId, namer.unique(imageType(img) === "aws_ami_copy" ? `${base}-${region}` : base, img.imageId));
    }
    for (const t of r.launchTemplates.values())
      if (t.ownerId === acct) keyOf.set(t.launchTemplateId, namer.unique(t.tags.get("Name") ?? t.launchTemplateName));
  }

  for (const region of regions) {
    const r = state.regions.get(region)!;
    const net = networks.get(region)!;
    // Key pairs: the public key only.
    for (const k of r.keyPairs.values()) {
      if (k.ownerId !== acct) continue;
      add({
        key: keyFor(k.keyPairId),
        kind: "resource",
        tfType: "aws_key_pair",
        region,
        origin: k.keyPairId,
        config: { keyName: k.keyName, publicKey: k.publicKey, tags: tags(k.tags, k.keyPairId) },
        comment: `Key pair ${k.keyName} (${k.keyPairId}, ${k.keyType}): the public key only; the private key stays with you`,
      });
    }
    // Security groups and their rules.
    let defaultGroupKey: string | undefined;
    const groupValue = (id: string): Value | undefined => {
      const g = r.securityGroups.get(id);
      if (!g) return undefined;
      if (!isDefaultGroup(g)) return keyOf.has(id) ? ref(keyFor(id)) : undefined;
      // A custom VPC's default group comes with the VPC.
      const ofVpc = net.defaultGroupValue(g.vpcId);
      if (ofVpc) return ofVpc;
      defaultGroupKey ??= (() => {
        const key = namer.unique(`default-sg-${region}`);
        add({
          key,
          kind: "data",
          tfType: "aws_security_group",
          region,
          config: { name: "default" },
          comment: `The default VPC's default security group in ${region}`,
        });
        return key;
      })();
      return ref(defaultGroupKey);
    };
    // VPCs, subnets, gateways, route tables, routes, associations, NAT gateways, interfaces.
    net.addBlocks((id) => keyOf.get(id), groupValue);
    const keyNameValue = (name: string): Value => {
      const kp = [...r.keyPairs.values()].find((k) => k.keyName === name && k.ownerId === acct);
      return kp ? ref(keyFor(kp.keyPairId), "keyName") : name;
    };
    for (const t of r.launchTemplates.values())
      if (t.ownerId === acct)
        addLaunchTemplate(
          {
            region,
            keyOf,
            imageValue: (id) => {
              const img = findImage(region, id);
              if (img && exportedImages.has(img.imageId)) return ref(keyFor(img.imageId));
              return img && img.ownerId !== acct ? lookupImage(region, img) : undefined;
            },
            groupValue,
            subnetValue: (id) => net.subnetValue(id),
            keyNameValue,
            add,
            tags,
            note,
          },
          t,
        );
    for (const g of r.securityGroups.values()) {
      if (g.ownerId !== acct) continue;
      if (isDefaultGroup(g)) {
        const custom = [...g.rules.values()].filter(
          (x) =>
            !(x.referencedGroupId === g.groupId && !x.isEgress) &&
            !(x.isEgress && x.cidrIpv4 === "0.0.0.0/0" && x.ipProtocol === "-1"),
        );
        if (custom.length)
          note(
            `${g.groupId} (default)`,
            "security group rules",
            `${custom.length} rule(s) added to the default security group are not exported (the default group is not managed)`,
          );
        continue;
      }
      const gkey = keyFor(g.groupId);
      add({
        key: gkey,
        kind: "resource",
        tfType: "aws_security_group",
        region,
        origin: g.groupId,
        config: {
          name: g.groupName,
          description: g.description,
          ...(net.vpcValue(g.vpcId) ? { vpcId: net.vpcValue(g.vpcId)! } : {}),
          tags: tags(g.tags, g.groupId),
        },
        comment: `Security group ${g.groupName} (${g.groupId}); its rules follow as separate resources`,
      });
      for (const rule of g.rules.values()) {
        const proto = normalizeProtocol(rule.ipProtocol);
        const dir = rule.isEgress ? "egress" : "ingress";
        const target =
          rule.cidrIpv4 ??
          rule.cidrIpv6 ??
          (rule.referencedGroupId
            ? (r.securityGroups.get(rule.referencedGroupId)?.groupName ?? rule.referencedGroupId)
            : "");
        const ports =
          proto === "-1"
            ? "all"
            : rule.fromPort === rule.toPort
              ? `${proto}-${rule.fromPort}`
              : `${proto}-${rule.fromPort}-${rule.toPort}`;
        const config: Record<string, Value> = { securityGroupId: ref(gkey), ipProtocol: proto };
        if (proto !== "-1") {
          config.fromPort = rule.fromPort ?? null;
          config.toPort = rule.toPort ?? null;
        }
        if (rule.cidrIpv4) config.cidrIpv4 = rule.cidrIpv4;
        if (rule.cidrIpv6) config.cidrIpv6 = rule.cidrIpv6;
        if (rule.referencedGroupId) {
          const v = groupValue(rule.referencedGroupId);
          if (!v) {
            note(
              rule.ruleId,
              `security group rule of ${g.groupName}`,
              `it references ${rule.referencedGroupId}, which is not exported`,
            );
            continue;
          }
          config.referencedSecurityGroupId = v;
        }
        if (rule.description) config.description = rule.description;
        config.tags = tags(rule.tags, rule.ruleId);
        add({
          key: namer.unique(
            `${gkey}-${dir}-${ports}${rule.cidrIpv4 === "0.0.0.0/0" || !target ? "" : `-${target.replace(/\/32$/, "")}`}`,
            rule.ruleId,
          ),
          kind: "resource",
          tfType: rule.isEgress ? "aws_vpc_security_group_egress_rule" : "aws_vpc_security_group_ingress_rule",
          region,
          origin: rule.ruleId,
          config,
          comment: `${dir} ${proto === "-1" ? "all traffic" : `${proto}/${rule.fromPort === rule.toPort ? rule.fromPort : `${rule.fromPort}-${rule.toPort}`}`} ${rule.isEgress ? "to" : "from"} ${target}${rule.description ? ` (${rule.description})` : ""}`,
        });
      }
    }
    // Instances: launch image, placement, key, groups, block devices, guest changes as user data.
    for (const inst of liveInstances) {
      if (inst.region !== region) continue;
      const src = launchSource(inst);
      if (src.via)
        note(
          inst.instanceId,
          "instance AMI",
          `${src.via}: launched from a base image instead, with everything done since in its user data`,
          "partial",
        );
      const config: Record<string, Value> = {
        ami: src.ami,
        instanceType: inst.instanceType,
        availabilityZone: inst.availabilityZone,
      };
      const subnet = net.subnetValue(inst.subnetId);
      if (subnet) {
        config.subnetId = subnet;
        // A public IP the subnet would not have given (or none where it would): say so at launch.
        const maps = r.subnets.get(inst.subnetId)?.mapPublicIpOnLaunch ?? false;
        const eip = [...r.addresses.values()].some(
          (a) => a.instanceId === inst.instanceId && a.releasedAt === undefined,
        );
        if (!eip && !!inst.publicIpAddress !== maps) config.associatePublicIpAddress = !!inst.publicIpAddress;
      }
      if (inst.keyName) {
        const kp = [...r.keyPairs.values()].find((k) => k.keyName === inst.keyName && k.ownerId === acct);
        config.keyName = kp ? ref(keyFor(kp.keyPairId), "keyName") : inst.keyName;
        if (!kp)
          note(
            inst.instanceId,
            "instance key pair",
            `its key pair ${inst.keyName} no longer exists; the name is kept as a literal`,
            "partial",
          );
      }
      const groups = inst.securityGroupIds.map((id) => ({ id, v: groupValue(id), g: r.securityGroups.get(id) }));
      if (!(groups.length === 1 && groups[0]!.g && isDefaultGroup(groups[0]!.g))) {
        config.vpcSecurityGroupIds = groups.filter((x) => x.v !== undefined).map((x) => x.v!);
      }
      const root = inst.blockDevices.find((b) => b.deviceName === inst.rootDeviceName);
      const rootVol = root ? r.volumes.get(root.volumeId) : undefined;
      if (rootVol && root) {
        const rb: Record<string, Value> = {
          volumeSize: rootVol.size,
          volumeType: rootVol.volumeType,
          deleteOnTermination: root.deleteOnTermination,
        };
        if (rootVol.encrypted) rb.encrypted = true;
        Object.assign(rb, performance(rootVol));
        config.rootBlockDevice = rb;
      }
      const ebs: Value[] = [];
      for (const b of inst.blockDevices) {
        if (b.deviceName === inst.rootDeviceName || !b.deleteOnTermination) continue;
        const v = r.volumes.get(b.volumeId);
        if (!v) continue;
        const e: Record<string, Value> = {
          deviceName: b.deviceName,
          volumeSize: v.size,
          volumeType: v.volumeType,
          deleteOnTermination: true,
        };
        if (v.encrypted) e.encrypted = true;
        ebs.push(e);
      }
      if (ebs.length) config.ebsBlockDevice = ebs;
      const changes = guestChanges(rootFileSystem(state, inst) as FsView, src.base, src.guest, {
        includeSecrets: !!opts.includeSecrets,
      });
      for (const x of changes.secrets)
        note(
          `${inst.instanceId}:${x.path}`,
          "guest file",
          `it looks like it holds ${x.what} (R25's scan); user data is readable by anyone who can describe the instance, so it is left out (--include-secrets puts it in)`,
          "partial",
        );
      // No instance ID in it: alike instances get the same user data (and group).
      const header = `Generated by ec2sim export from sandbox ${opts.sandbox}:\nwhat was done inside the instance since its image (packages, files, services).`;
      const cc = isEmpty(changes) ? undefined : cloudConfig(changes, header, { pinPackages: !!opts.pinPackages });
      const original = inst.userData ? userDataText(inst.userData) : undefined;
      const userData =
        cc && original
          ? multipart([
              { type: userDataType(original), content: original },
              { type: "text/cloud-config", content: cc },
            ])
          : (cc ?? original);
      if (userData) Object.assign(config, fitUserData(userData, inst, changes));
      if (inst.disableApiTermination) config.disableApiTermination = true;
      if (inst.instanceInitiatedShutdownBehavior === "terminate")
        config.instanceInitiatedShutdownBehavior = "terminate";
      const launchedFrom = findImage(inst.region, inst.imageId);
      if (inst.metadataOptions.httpTokens === "required" && launchedFrom?.imdsSupport !== "v2.0")
        config.metadataOptions = { httpTokens: "required" };
      if (inst.monitoring === "enabled") config.monitoring = true;
      const lt = instanceLaunchTemplate(keyOf, r.launchTemplates, inst.tags);
      if (lt.value) config.launchTemplate = lt.value;
      if (lt.olderVersion)
        note(
          inst.instanceId,
          "instance launch template version",
          `launched from version ${lt.olderVersion}; the export has the template's latest version only (the instance's own settings are kept)`,
          "partial",
        );
      config.tags = tags(inst.tags, inst.instanceId);
      if (inst.state === "stopped" || inst.state === "stopping")
        note(
          inst.instanceId,
          "instance state",
          "the instance is stopped; it is exported as a running instance (aws_ec2_instance_state is not generated)",
          "partial",
        );
      if (inst.instanceStores.length)
        note(
          inst.instanceId,
          "instance store",
          "instance store volumes hold nothing that survives; their contents are not exported",
          "partial",
        );
      const what = [
        changes.packages.length ? `${changes.packages.length} package(s)` : "",
        changes.files.length ? `${changes.files.length} file(s)` : "",
        changes.services.length ? `${changes.services.length} service(s)` : "",
      ]
        .filter(Boolean)
        .join(", ");
      add({
        key: keyFor(inst.instanceId),
        kind: "resource",
        tfType: "aws_instance",
        region,
        origin: inst.instanceId,
        config,
        comment: `Instance ${inst.tags.get("Name") ?? inst.instanceId} (${inst.instanceId}, ${inst.instanceType})${what ? `; user data installs ${what}` : ""}`,
      });
    }
    // Images: from an exported instance, or copies (with the region's provider); then who may launch them.
    for (const img of exportedImages.values()) {
      if (img.region !== region) continue;
      const key = keyFor(img.imageId);
      const t = imageType(img);
      const grantsOnly = lookupAmis;
      const config: Record<string, Value> = { name: img.name };
      if (img.description) config.description = img.description;
      if (t === "aws_ami_from_instance") {
        // lookup and packer take an image whose builder is gone: nothing references it then.
        if (keyOf.has(img.sourceInstanceId!)) config.sourceInstanceId = ref(keyFor(img.sourceInstanceId!));
      } else {
        const srcRegion = img.sourceRegion ?? region;
        const src = findImage(srcRegion, img.sourceImageId)!;
        config.sourceAmiId = exportedImages.has(src.imageId) ? imageValue(src.imageId) : lookupImage(srcRegion, src);
        config.sourceAmiRegion = srcRegion;
        if (img.blockDeviceMappings.some((b) => b.ebs?.encrypted)) config.encrypted = true;
      }
      config.tags = tags(img.tags, img.imageId);
      if (packer && t === "aws_ami_from_instance") addPackerImage(img, key);
      else if (!grantsOnly)
        add({
          key,
          kind: "resource",
          tfType: t,
          region,
          origin: img.imageId,
          config,
          comment:
            t === "aws_ami_copy"
              ? `AMI ${img.name} (${img.imageId}): a copy of ${img.sourceImageId} from ${img.sourceRegion}`
              : `AMI ${img.name} (${img.imageId}) from instance ${img.sourceInstanceId}`,
        });
      const lp = img.launchPermissions;
      const grant = (suffix: string, cfg: Record<string, Value>, what: string) =>
        add({
          key: namer.unique(`${key}-share-${suffix}`, `${img.imageId}/${suffix}`),
          kind: "resource",
          tfType: "aws_ami_launch_permission",
          region,
          origin: `${img.imageId}/${suffix}`,
          config: { imageId: imageValue(img.imageId), ...cfg },
          comment: `${img.name} may be launched by ${what}`,
        });
      for (const u of [...lp.userIds].sort()) grant(u, { accountId: u }, `account ${u}`);
      for (const o of [...lp.organizationArns].sort())
        grant(o.split("/").pop()!, { organizationArn: o }, `organization ${o}`);
      for (const o of [...lp.ouArns].sort()) grant(o.split("/").pop()!, { organizationalUnitArn: o }, `OU ${o}`);
      if (lp.public) grant("public", { group: "all" }, "everyone (public)");
    }
    // Volumes created on their own, and their attachments.
    const volumeExported = (id: string): boolean => {
      const v = r.volumes.get(id);
      if (!v || v.ownerId !== acct || v.state === "deleted" || v.state === "deleting") return false;
      const att = v.attachment;
      const inst = att ? r.instances.get(att.instanceId) : undefined;
      return !(
        att &&
        inst &&
        isLaunchVolume({ device: att.device, deleteOnTermination: att.deleteOnTermination }, inst)
      );
    };
    const rootOwner = (volumeId: string) =>
      liveInstances.find(
        (i) =>
          i.region === region &&
          i.blockDevices.some((b) => b.volumeId === volumeId && b.deviceName === i.rootDeviceName),
      );
    const snapshotVerdict = (s: {
      ownerId: string;
      deletedAt?: number;
      snapshotId: string;
      sourceSnapshotId?: string;
      sourceRegion?: string;
      volumeId: string;
    }): string | true => {
      if (s.ownerId !== acct || s.deletedAt !== undefined || amiSnaps.has(s.snapshotId))
        return "not the account's, deleted, or behind an AMI";
      if (s.sourceSnapshotId)
        return `a copy of ${s.sourceSnapshotId}${s.sourceRegion ? ` from ${s.sourceRegion}` : ""}: snapshot copies are not mapped yet (aws_ebs_snapshot_copy)`;
      if (volumeExported(s.volumeId) || rootOwner(s.volumeId)) return true;
      return `its volume ${s.volumeId} is not exported (deleted, or a launch volume other than the root)`;
    };
    for (const v of r.volumes.values()) {
      if (v.ownerId !== acct || v.state === "deleted" || v.state === "deleting") continue;
      const att = v.attachment;
      const inst = att ? r.instances.get(att.instanceId) : undefined;
      if (att && inst && isLaunchVolume({ device: att.device, deleteOnTermination: att.deleteOnTermination }, inst))
        continue;
      const key = namer.unique(v.tags.get("Name") ?? v.volumeId, v.volumeId);
      keyOf.set(v.volumeId, key);
      const config: Record<string, Value> = { availabilityZone: v.availabilityZone, size: v.size, type: v.volumeType };
      Object.assign(config, performance(v));
      if (v.encrypted) config.encrypted = true;
      if (v.snapshotId) {
        const s = r.snapshots.get(v.snapshotId);
        if (s && snapshotVerdict(s) === true) config.snapshotId = ref(snapshotKey(s.snapshotId));
        else
          note(
            v.volumeId,
            "volume contents",
            `created from snapshot ${v.snapshotId}, which is not exported; the volume is exported empty`,
            "partial",
          );
      }
      config.tags = tags(v.tags, v.volumeId);
      add({
        key,
        kind: "resource",
        tfType: "aws_ebs_volume",
        region,
        origin: v.volumeId,
        config,
        comment: `Volume ${v.tags.get("Name") ?? v.volumeId} (${v.size} GiB ${v.volumeType})`,
      });
      if (att && att.state !== "detached") {
        if (!instanceIds.has(att.instanceId))
          note(
            `${v.volumeId} -> ${att.instanceId}`,
            "volume attachment",
            `the instance ${att.instanceId} is not exported`,
          );
        else
          add({
            key: namer.unique(`${key}-attachment`),
            kind: "resource",
            tfType: "aws_volume_attachment",
            region,
            config: { deviceName: att.device, volumeId: ref(key), instanceId: ref(keyFor(att.instanceId)) },
            comment: `${key} on ${keyFor(att.instanceId)} as ${att.device}`,
          });
      }
    }
    // Snapshots of exported volumes (or of an exported instance's root volume).
    for (const s of r.snapshots.values()) {
      if (s.ownerId !== acct || s.deletedAt !== undefined || amiSnaps.has(s.snapshotId)) continue;
      const verdict = snapshotVerdict(s);
      if (verdict !== true) {
        note(s.snapshotId, "snapshot", verdict);
        continue;
      }
      const key = snapshotKey(s.snapshotId);
      const config: Record<string, Value> = {};
      if (volumeExported(s.volumeId)) config.volumeId = ref(keyFor(s.volumeId));
      else config.volumeId = ref(keyFor(rootOwner(s.volumeId)!.instanceId), "rootBlockDevice", "volumeId");
      if (s.description) config.description = s.description;
      config.tags = tags(s.tags, s.snapshotId);
      add({
        key,
        kind: "resource",
        tfType: "aws_ebs_snapshot",
        region,
        origin: s.snapshotId,
        config,
        comment: `Snapshot ${s.tags.get("Name") ?? s.snapshotId} of ${s.volumeId} (a new snapshot of the volume as it is then)`,
      });
    }
    // Elastic IPs and their associations.
    for (const a of r.addresses.values()) {
      if (a.ownerId !== acct || a.releasedAt !== undefined) continue;
      const instName = a.instanceId && keyOf.get(a.instanceId);
      const key =
        keyOf.get(a.allocationId) ??
        namer.unique(a.tags.get("Name") ?? (instName ? `${instName}-eip` : a.allocationId), a.allocationId);
      add({
        key,
        kind: "resource",
        tfType: "aws_eip",
        region,
        origin: a.allocationId,
        config: { domain: "vpc", tags: tags(a.tags, a.allocationId) },
        comment: `Elastic IP ${a.publicIp} (${a.allocationId}): the real one gets another address`,
      });
      if (a.instanceId) {
        if (!instanceIds.has(a.instanceId))
          note(
            `${a.allocationId} -> ${a.instanceId}`,
            "EIP association",
            `the instance ${a.instanceId} is not exported`,
          );
        else
          add({
            key: namer.unique(`${key}-association`),
            kind: "resource",
            tfType: "aws_eip_association",
            region,
            config: { allocationId: ref(key), instanceId: ref(keyFor(a.instanceId)) },
            comment: `${key} on ${keyFor(a.instanceId)}`,
          });
      }
    }
    for (const p of r.pipelines.values())
      if (p.ownerId === acct)
        note(
          p.arn,
          "Image Builder pipeline",
          "EC2 Image Builder pipelines and recipes are not mapped (aws_imagebuilder_* would express them); the AMIs they built are handled as AMIs",
        );
  }
  const plan: ExportPlan = {
    ...(Object.keys(files).length ? { files } : {}),
    sandbox: opts.sandbox,
    accountId: acct,
    seq: state.seq,
    stackName: opts.stackName ?? "ec2sim",
    providers,
    blocks: topoSort(blocks),
    notExported: notes,
    variables,
    outputs: [],
    groups: [],
    moved: [],
  };
  makeIdiomatic(plan, namer);
  return plan;

  /** `--ami-strategy packer`: the AMI's template, and the newest build looked up by name. */
  function addPackerImage(img: Image, key: string): void {
    const region = img.region;
    const variable = `${key}_ami_name`;
    variables.push({
      name: variable,
      type: "string",
      description: `Name of the AMI ${packerFile(key)} builds (${img.name}-YYYYMMDDhhmmss); the newest build is used`,
      default: packerNamePattern(img.name),
    });
    add({
      key,
      kind: "data",
      tfType: "aws_ami",
      region,
      config: { mostRecent: true, owners: ["self"], filter: [{ name: "name", values: [varRef(variable)] }] },
      comment: `AMI ${img.name} (${img.imageId}), built by Packer (${packerFile(key)}): its newest build`,
    });
    const gb = guestBase(img.guest);
    if (gb.family === "windows") {
      note(
        `${img.imageId} (${img.name})`,
        "AMI",
        "Windows AMIs are built over WinRM; no Packer template is generated: build it yourself with this name",
        "partial",
      );
      return;
    }
    // The build instance's AMI: the one the image's instance was launched from.
    let base = findImage(region, img.sourceImageId);
    let baseFilter: { owner: string; name: string; what: string } | undefined;
    if (base && exportedImages.has(base.imageId)) {
      const built = imageType(base) === "aws_ami_from_instance";
      baseFilter = {
        owner: "self",
        name: built ? packerNamePattern(base.name) : base.name,
        what: `the newest build of ${base.name}${built ? ` (${packerFile(keyFor(base.imageId))})` : ""}`,
      };
    } else if (base && base.ownerId !== acct) {
      const f = family(region, base);
      baseFilter = { owner: f.owner, name: f.name, what: `the newest ${f.name} (${f.owner})` };
    } else {
      const cat = latestCatalogFor(region, img.guest, img.architecture);
      if (!cat) throw new Error(`cannot find a base image for ${img.imageId}`);
      note(
        `${img.imageId} (${img.name})`,
        "AMI base",
        `its instance's AMI ${img.sourceImageId ?? "(unknown)"} is not exported: the Packer build starts from the newest Quick Start image instead`,
        "partial",
      );
      base = cat;
      const f = family(region, cat);
      baseFilter = { owner: f.owner, name: f.name, what: `the newest ${f.name} (${f.owner})` };
    }
    const changes = guestChanges(imageFs(state, img), imageFs(state, base), base.guest, {
      includeSecrets: !!opts.includeSecrets,
    });
    for (const x of changes.secrets)
      note(
        `${img.imageId}:${x.path}`,
        "guest file",
        `it looks like it holds ${x.what} (R25's scan); a Packer template is code people commit and share, so it is left out (--include-secrets puts it in)`,
        "partial",
      );
    const root = img.blockDeviceMappings.find((b) => b.deviceName === img.rootDeviceName);
    const source = img.sourceInstanceId ? findInstance(state, img.sourceInstanceId) : undefined;
    const spec: PackerImage = {
      label: key,
      sandbox: opts.sandbox,
      imageId: img.imageId,
      region,
      instanceType: source?.instanceType ?? (img.architecture === "arm64" ? "t4g.micro" : "t3.micro"),
      sshUsername: gb.defaultUser,
      packageManager: gb.packageManager,
      base: baseFilter,
      amiName: img.name,
      ...(img.description ? { description: img.description } : {}),
      ...(root?.ebs?.volumeSize
        ? {
            rootDevice: {
              deviceName: root.deviceName,
              volumeSize: root.ebs.volumeSize,
              volumeType: root.ebs.volumeType ?? "gp3",
            },
          }
        : {}),
      tags: tags(img.tags, img.imageId),
      changes,
      ...(opts.pinPackages ? { pinPackages: true } : {}),
    };
    files[packerFile(key)] = packerTemplate(spec);
  }

  function snapshotKey(id: string): string {
    let k = keyOf.get(id);
    if (!k) {
      const s = findSnapshot(state, id);
      k = namer.unique(s?.tags.get("Name") ?? id, id);
      keyOf.set(id, k);
    }
    return k;
  }
}

/**
 * User data as EC2 takes it: the text when it fits in 16 KB; else gzip-compressed (cloud-init
 * gunzips it) as `user_data_base64`; else an error naming the largest files, before anything is written.
 */
function fitUserData(text: string, inst: Instance, changes: GuestChanges): Record<string, Value> {
  const bytes = Buffer.byteLength(text);
  if (bytes <= USER_DATA_LIMIT) return { userData: text };
  const gz = gzipSync(text, { level: 9 });
  if (gz.length <= USER_DATA_LIMIT) return { userDataBase64: gz.toString("base64") };
  const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
  const largest = changes.files
    .filter((f) => Buffer.byteLength(f.content) >= 1024)
    .sort((a, b) => Buffer.byteLength(b.content) - Buffer.byteLength(a.content))
    .slice(0, 5)
    .map((f) => `  ${f.path} (${kb(Buffer.byteLength(f.content))})`);
  throw new ExportError(
    [
      `instance ${inst.tags.get("Name") ?? inst.instanceId} (${inst.instanceId}): its user data would be ${kb(bytes)}, ${kb(gz.length)} gzip-compressed; EC2 takes at most 16 KB (${USER_DATA_LIMIT} bytes), so terraform apply would fail.`,
      ...(largest.length ? ["The largest files written inside it:", ...largest] : []),
      "Remove or shrink them in the sandbox and export again (or install them from a package or a download at boot).",
      "Shipping them as a bundle in S3 (aws_s3_object fetched by cloud-init) is not generated by ec2sim export.",
    ].join("\n"),
  );
}

function hasAnything(state: SandboxState, region: string, acct: string): boolean {
  const r = state.regions.get(region);
  if (!r) return false;
  const mine = (x: { ownerId: string }) => x.ownerId === acct;
  return (
    [...r.instances.values()].some((i) => mine(i) && LIVE_INSTANCE.has(i.state)) ||
    [...r.images.values()].some((i) => mine(i) && liveImage(i)) ||
    [...r.keyPairs.values()].some(mine) ||
    [...r.securityGroups.values()].some((g) => mine(g) && !isDefaultGroup(g)) ||
    [...r.volumes.values()].some((v) => mine(v) && v.state !== "deleted") ||
    [...r.addresses.values()].some((a) => mine(a) && a.releasedAt === undefined) ||
    [...r.snapshots.values()].some((s) => mine(s) && s.deletedAt === undefined) ||
    [...r.vpcs.values()].some((v) => mine(v) && !v.isDefault) ||
    [...r.subnets.values()].some((s) => mine(s) && !s.defaultForAz) ||
    [...r.launchTemplates.values()].some(mine) ||
    [...r.networkInterfaces.values()].some((e) => mine(e) && !e.requesterManaged)
  );
}

function findInstance(state: SandboxState, id: string): Instance | undefined {
  for (const r of state.regions.values()) {
    const i = r.instances.get(id);
    if (i) return i;
  }
  return undefined;
}

function findSnapshot(state: SandboxState, id: string) {
  for (const r of state.regions.values()) {
    const s = r.snapshots.get(id);
    if (s) return s;
  }
  return undefined;
}

/**
 * A Quick Start name as a pattern that keeps finding the image family when AWS publishes newer
 * (and deprecates older) builds: the dated version becomes `*` (`al2023-ami-2023.6.20241212.0-kernel-6.1-x86_64`
 * -> `al2023-ami-2023.*-kernel-6.1-x86_64`). A name without a date stays exact.
 */
export function amiNamePattern(name: string): string {
  // The version's first number stays (al2023's `2023.`), so `al2023-ami-minimal-…` does not match.
  return name.replace(/(?:(\d+\.)(?:\d+\.)*)?(?:19|20)\d{6}(?:[.-]\d+)*/, (_m, major?: string) => `${major ?? ""}*`);
}

/** The root file system an image gives its instances. */
function imageFs(state: SandboxState, img: Image): FsView {
  const root = img.blockDeviceMappings.find((b) => b.deviceName === img.rootDeviceName)?.ebs?.snapshotId;
  const snap = root ? state.regions.get(img.region)?.snapshots.get(root) : undefined;
  if (snap) return snap.layer as FsView;
  if (img.bundle) return img.bundle.layer as FsView;
  return baseFileSystem(img.guest).layer as FsView;
}

/** The newest catalog image of an owner whose name matches a glob (`*`, `?`), as `most_recent` finds it. */
function newestMatching(region: string, owner: string, glob: string): Image | undefined {
  const re = new RegExp(
    `^${glob
      .replace(/[.+^${}()|[\]\\]/g, "\\$&")
      .replace(/\*/g, ".*")
      .replace(/\?/g, ".")}$`,
  );
  let best: Image | undefined;
  for (const i of catalogImages(region)) {
    if ((i.ownerAlias ?? i.ownerId) !== owner || !re.test(i.name)) continue;
    if (!best || i.creationDate > best.creationDate) best = i;
  }
  return best;
}

function latestCatalogFor(region: string, guest: string, arch: string): Image | undefined {
  let best: Image | undefined;
  for (const i of catalogImages(region)) {
    if (i.guest !== guest || i.architecture !== arch || i.catalog !== "quick-start") continue;
    if (!best || i.creationDate > best.creationDate) best = i;
  }
  return best;
}

/** IOPS and throughput when they are not the volume type's defaults (gp3: 3000 and 125). */
function performance(v: { volumeType: string; iops?: number; throughput?: number }): Record<string, number> {
  const out: Record<string, number> = {};
  if (v.volumeType === "gp3") {
    if (v.iops !== undefined && v.iops !== 3000) out.iops = v.iops;
    if (v.throughput !== undefined && v.throughput !== 125) out.throughput = v.throughput;
  } else if ((v.volumeType === "io1" || v.volumeType === "io2") && v.iops !== undefined) out.iops = v.iops;
  return out;
}
