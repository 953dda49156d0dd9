/**
 * `ec2sim export --from aws:…`: an account (any inventory a reader gives) as an export plan, the
 * way terraformer and former2 do it — every resource the reader sees becomes a block of its own
 * configuration (attributes, references between blocks, tags), and an `import {}` block says
 * which existing resource it is, so `terraform plan` adopts the account instead of recreating it.
 *
 * What an account does not show is listed in NOT-EXPORTED.md: how its own AMIs were built (they
 * are read by ID, `data "aws_ami"`), what is inside its instances (no guest; user data only as a
 * hash), the launch data of templates beyond what the reader reads (launch-template-plan.ts's
 * members for a sandbox: image, type, key, groups, the first interface, IMDS tokens).
 */

import type { ImportBlock } from "../diff/adopt.ts";
import { importId } from "../diff/adopt.ts";
import { familyOf, type Inventory, type InvResource } from "../inventory.ts";
import {
  type Block,
  type ExportPlan,
  Namer,
  type NotExported,
  type ProviderBlock,
  ref,
  topoSort,
  type Value,
} from "../plan.ts";

const HOME_REGION = "us-east-1";
const camel = (k: string) => k.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
/** Inventory attributes that are what a reader saw, not arguments. */
const NOT_ARGUMENTS: Record<string, Set<string>> = {
  aws_ebs_snapshot: new Set(["volume_size"]),
  aws_instance: new Set(["user_data", "guest_files", "guest_packages"]),
};

export function planFromInventory(
  inv: Inventory,
  opts: { accountId?: string; stackName?: string },
): { plan: ExportPlan; imports: ImportBlock[] } {
  const namer = new Namer(["aws"]);
  const blocks: Block[] = [];
  const notes: NotExported[] = [];
  const imports: ImportBlock[] = [];
  const regions = [...new Set(inv.resources.map((r) => r.region))].sort();
  const home = regions.includes(HOME_REGION) || !regions.length ? HOME_REGION : regions[0]!;
  const providers: ProviderBlock[] = [{ key: "aws", region: home }];
  const providerOf = new Map<string, string | undefined>([[home, undefined]]);
  for (const region of regions)
    if (!providerOf.has(region)) {
      const alias = region.replace(/-/g, "_");
      const key = namer.unique(`aws_${alias}`);
      providers.push({ key, region, alias });
      providerOf.set(region, key);
    }
  const add = (b: Omit<Block, "provider">): Block => {
    const p = providerOf.get(b.region);
    const block: Block = { ...b, ...(p ? { provider: p } : {}) };
    blocks.push(block);
    return block;
  };
  const byId = new Map(inv.resources.map((r) => [r.id, r]));
  const keyOf = new Map<string, string>();
  const lookups = new Map<string, string>();
  /** A data source, once per region and what it finds. */
  const lookup = (region: string, what: string, tfType: string, config: Record<string, Value>, comment: string) => {
    const k = `${region}\u0000${tfType}\u0000${JSON.stringify(config)}`;
    let key = lookups.get(k);
    if (!key) {
      key = namer.unique(what);
      lookups.set(k, key);
      add({ key, kind: "data", tfType, region, config, comment });
    }
    return key;
  };
  const label = (r: InvResource): string => {
    switch (r.type) {
      case "aws_vpc_security_group_ingress_rule":
      case "aws_vpc_security_group_egress_rule": {
        const g = byId.get(r.refs.security_group_id as string);
        const p = String(r.attrs.ip_protocol);
        return `${g?.name ?? "sg"}-${r.type.includes("ingress") ? "ingress" : "egress"}-${p === "-1" ? "all" : `${p}-${r.attrs.from_port}`}`;
      }
      case "aws_volume_attachment":
        return `${byId.get(r.refs.volume_id as string)?.name ?? "volume"}-attachment`;
      case "aws_eip_association":
        return `${byId.get(r.refs.allocation_id as string)?.name ?? "eip"}-association`;
      case "aws_ami_launch_permission":
        return `${byId.get(r.refs.image_id as string)?.name ?? "ami"}-share`;
      default:
        return r.name ?? r.id;
    }
  };
  // Keys first, so references can name blocks made later.
  for (const r of inv.resources) keyOf.set(r.id, namer.unique(label(r)));

  const value = (r: InvResource, attr: string, v: string): Value => {
    if (v.startsWith("ami:")) {
      const [owner, ...name] = v.slice(4).split("/");
      return ref(
        lookup(
          r.region,
          name.join("/").slice(0, 40),
          "aws_ami",
          { owners: [owner!], mostRecent: true, filter: [{ name: "name", values: [name.join("/")] }] },
          `AMI ${name.join("/")} (${owner}): looked up by owner and name`,
        ),
      );
    }
    if (v === "sg:default") {
      const vpc = r.refs.vpc_id ?? (r.refs.subnet_id ? byId.get(r.refs.subnet_id as string)?.refs.vpc_id : undefined);
      if (typeof vpc === "string" && keyOf.has(vpc)) return ref(keyOf.get(vpc)!, "defaultSecurityGroupId");
      return ref(
        lookup(
          r.region,
          `default-sg-${r.region}`,
          "aws_security_group",
          { name: "default" },
          "The default VPC's default security group",
        ),
      );
    }
    const target = byId.get(v);
    if (!target) return v;
    if (attr === "key_name" && target.type === "aws_key_pair") return ref(keyOf.get(v)!, "keyName");
    return ref(keyOf.get(v)!);
  };

  /** A key pair the account holds, by the name an instance or template gives. */
  const keyPairOf = (r: InvResource): Value | undefined => {
    const name = r.attrs.key_name;
    if (typeof name !== "string" || !name) return undefined;
    const kp = inv.resources.find((x) => x.type === "aws_key_pair" && x.region === r.region && x.name === name);
    return kp ? ref(keyOf.get(kp.id)!, "keyName") : undefined;
  };

  for (const r of inv.resources) {
    const key = keyOf.get(r.id)!;
    if (familyOf(r.type) === "image") {
      // How the image was built is not visible: read it by ID (instances and grants refer to it).
      add({
        key,
        kind: "data",
        tfType: "aws_ami",
        region: r.region,
        config: { owners: ["self"], filter: [{ name: "image-id", values: [r.id] }] },
        comment: `AMI ${r.name ?? r.id} (${r.id}), read by ID`,
      });
      notes.push({
        resource: r.id,
        kind: "AMI",
        reason:
          "how it was built (its instance, its guest) is not visible through the API: it is read by ID, not recreated",
        severity: "partial",
      });
      continue;
    }
    const config: Record<string, Value> = {};
    if (r.type === "aws_launch_template") {
      Object.assign(
        config,
        launchTemplateConfig(r, (attr, v) => value(r, attr, v), keyPairOf(r)),
      );
      notes.push({
        resource: r.id,
        kind: "launch template",
        reason:
          "its latest version's image, type, key, groups, first interface (subnet, public IP) and IMDS tokens are exported; other launch data (user data, block devices, tag specifications…) is not read from an account",
        severity: "partial",
      });
    } else {
      const skip = NOT_ARGUMENTS[r.type];
      for (const [k, v] of Object.entries(r.attrs)) {
        if (skip?.has(k) || v === null || (Array.isArray(v) && !v.length)) continue;
        if (r.type === "aws_instance" && (k.startsWith("root_") || k === "ebs_block_devices")) continue;
        config[camel(k)] = v as Value;
      }
      for (const [k, v] of Object.entries(r.refs)) {
        // The template an instance came from: terraform reads it from the instance on import, and
        // `version = "$Latest"` would not be what the instance was launched with.
        if (k === "launch_template_id") continue;
        config[camel(k)] = Array.isArray(v) ? v.map((x) => value(r, k, x)) : value(r, k, v);
      }
    }
    if (r.type === "aws_instance") {
      const kp = keyPairOf(r);
      if (kp) config.keyName = kp;
      const lt = r.refs.launch_template_id;
      if (typeof lt === "string" && keyOf.has(lt)) {
        // Its template, by reference; terraform reads the version it was launched with on import
        // (a number), which "$Latest" would replace the instance over: the block is not enforced.
        config.launchTemplate = { id: ref(keyOf.get(lt)!), version: "$Latest" };
        config.lifecycle = { ignoreChanges: ["launch_template"] };
      }
      if (r.attrs.root_volume_size != null)
        config.rootBlockDevice = {
          volumeSize: r.attrs.root_volume_size,
          ...(r.attrs.root_volume_type ? { volumeType: r.attrs.root_volume_type as string } : {}),
          ...(r.attrs.root_delete_on_termination != null
            ? { deleteOnTermination: r.attrs.root_delete_on_termination as boolean }
            : {}),
        };
      const ebs = ((r.attrs.ebs_block_devices ?? []) as string[]).map((s) => {
        const [deviceName, size, type] = s.split(":");
        return { deviceName: deviceName!, volumeSize: Number(size), volumeType: type!, deleteOnTermination: true };
      });
      if (ebs.length) config.ebsBlockDevice = ebs;
      notes.push({
        resource: r.id,
        kind: "instance guest",
        reason: `what is inside it is not visible through the API (no cloud-init generated)${r.attrs.user_data ? "; its user data is only seen as a hash and is not exported" : ""}`,
        severity: "partial",
      });
    }
    if (r.type === "aws_key_pair") config.lifecycle = { ignoreChanges: ["public_key"] };
    if (r.type === "aws_default_route_table") {
      // A VPC's main table is adopted through the VPC's `default_route_table_id` (no vpc_id argument).
      const vpc = r.refs.vpc_id;
      delete config.vpcId;
      config.defaultRouteTableId =
        typeof vpc === "string" && keyOf.has(vpc) && byId.get(vpc)?.type === "aws_vpc"
          ? ref(keyOf.get(vpc)!, "defaultRouteTableId")
          : r.id;
    }
    if (Object.keys(r.tags).length) config.tags = { ...r.tags };
    add({ key, kind: "resource", tfType: r.type, region: r.region, origin: r.id, config });
    const p = providerOf.get(r.region);
    const alias = p ? providers.find((x) => x.key === p)?.alias : undefined;
    imports.push({
      to: `${r.type}.${key}`,
      id: importId(r.type, r.id, { ...r.attrs, ...flatRefs(r) } as never),
      ...(alias ? { provider: `aws.${alias}` } : {}),
    });
  }
  return {
    plan: {
      sandbox: inv.source,
      accountId: opts.accountId ?? "",
      seq: 0,
      stackName: opts.stackName ?? "ec2sim",
      providers,
      // The synthesizers want what is referenced before what references it.
      blocks: topoSort(blocks),
      notExported: notes,
      // Resource by resource, as the import blocks name them: no variables or groups.
      variables: [],
      outputs: [],
      groups: [],
      moved: [],
    },
    imports,
  };
}

const flatRefs = (r: InvResource) =>
  Object.fromEntries(Object.entries(r.refs).map(([k, v]) => [k, Array.isArray(v) ? v.join(",") : v]));

/**
 * A template as the AWS reader sees it (its latest version) in the members the sandbox export
 * writes: an SSM parameter image kept as written, the key by reference, the first network interface
 * when it has a subnet or a public IP setting (its groups then), else `vpc_security_group_ids`.
 */
function launchTemplateConfig(
  r: InvResource,
  value: (attr: string, v: string) => Value,
  keyPair: Value | undefined,
): Record<string, Value> {
  const a = r.attrs;
  const config: Record<string, Value> = { name: String(a.name ?? r.id) };
  const image = r.refs.image_id;
  if (typeof image === "string") config.imageId = image.startsWith("resolve:ssm:") ? image : value("image_id", image);
  if (typeof a.instance_type === "string") config.instanceType = a.instance_type;
  if (typeof a.key_name === "string") config.keyName = keyPair ?? a.key_name;
  const groups = ((r.refs.vpc_security_group_ids ?? []) as string[]).map((g) => value("vpc_security_group_ids", g));
  const subnet = typeof r.refs.subnet_id === "string" ? value("subnet_id", r.refs.subnet_id) : undefined;
  if (subnet !== undefined || a.associate_public_ip_address !== null) {
    config.networkInterfaces = [
      {
        deviceIndex: 0,
        ...(typeof a.associate_public_ip_address === "boolean"
          ? { associatePublicIpAddress: String(a.associate_public_ip_address) }
          : {}),
        ...(subnet !== undefined ? { subnetId: subnet } : {}),
        ...(groups.length ? { securityGroups: groups } : {}),
      },
    ];
  } else if (groups.length) config.vpcSecurityGroupIds = groups;
  if (typeof a.http_tokens === "string") config.metadataOptions = { httpTokens: a.http_tokens };
  return config;
}
