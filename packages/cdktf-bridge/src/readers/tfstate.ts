// biome-ignore-all lint/suspicious/noExplicitAny: terraform state values are untyped JSON whose shape depends on the resource type
/**
 * A Terraform state as an inventory: the JSON of `terraform show -json` or a `.tfstate` file
 * (format 4). Only what Terraform manages is in it: resources created beside it are invisible,
 * and attributes are as of the last refresh (`terraform apply -refresh-only` first for "now").
 */
import {
  type AttrValue,
  type Inventory,
  type InvResource,
  normalizeProtocol,
  normalizePublicKey,
  type ResourceType,
  splitTags,
} from "../inventory.ts";
import { NETWORK_TYPES, readStateNetwork } from "./tfstate-network.ts";

type Obj = Record<string, any>;

interface StateResource {
  mode: "managed" | "data";
  type: string;
  name: string;
  /** Provider alias, when the raw state names one. */
  alias?: string;
  /** Its address: `aws_instance.web`, `aws_instance.web[0]`, `module.app.aws_instance.web["a"]`. */
  address: string;
  values: Obj;
}

/** A raw state instance's address: count gives a number key, for_each a string. */
function rawAddress(r: Obj, indexKey: unknown): string {
  const key =
    typeof indexKey === "number"
      ? `[${indexKey}]`
      : typeof indexKey === "string"
        ? `[${JSON.stringify(indexKey)}]`
        : "";
  return `${r.module ? `${r.module}.` : ""}${r.mode === "data" ? "data." : ""}${r.type}.${r.name}${key}`;
}

/** Flattens either format into one list. */
export function stateResources(doc: Obj): StateResource[] {
  const out: StateResource[] = [];
  if (doc.values || doc.format_version) {
    const walk = (m: Obj | undefined) => {
      if (!m) return;
      for (const r of m.resources ?? [])
        out.push({
          mode: r.mode,
          type: r.type,
          name: r.name,
          address: r.address ?? `${r.mode === "data" ? "data." : ""}${r.type}.${r.name}`,
          values: r.values ?? {},
        });
      for (const c of m.child_modules ?? []) walk(c);
    };
    walk(doc.values?.root_module);
    return out;
  }
  if (doc.version === 4 || Array.isArray(doc.resources)) {
    for (const r of doc.resources ?? []) {
      const alias = /\]\.([A-Za-z0-9_-]+)$/.exec(String(r.provider ?? ""))?.[1];
      for (const i of r.instances ?? [])
        out.push({
          mode: r.mode,
          type: r.type,
          name: r.name,
          ...(alias ? { alias } : {}),
          address: rawAddress(r, i.index_key),
          values: i.attributes ?? {},
        });
    }
    return out;
  }
  throw new Error("not a Terraform state: expected `terraform show -json` output or a .tfstate file (format 4)");
}

const regionFromArn = (arn: unknown): string | undefined =>
  typeof arn === "string" ? arn.split(":")[3] || undefined : undefined;
const regionFromAz = (az: unknown): string | undefined =>
  typeof az === "string" && /\d[a-z]$/.test(az) ? az.slice(0, -1) : undefined;
const n = (v: unknown): AttrValue => (v === undefined || v === "" ? null : (v as AttrValue));
const first = (v: unknown): Obj | undefined =>
  Array.isArray(v) ? v[0] : v && typeof v === "object" ? (v as Obj) : undefined;

export function readTfState(
  doc: Obj,
  opts: { source?: string; defaultRegion?: string; aliasRegions?: Record<string, string> } = {},
): Inventory {
  const res = stateResources(doc);
  const warnings: string[] = [];
  const out: InvResource[] = [];
  const defaultRegion = opts.defaultRegion ?? "us-east-1";
  // data "aws_ami": id -> owner/name, so instances from looked-up images match across accounts.
  const lookedUp = new Map<string, string>();
  const defaultGroups = new Set<string>();
  for (const r of res) {
    if (r.mode !== "data") continue;
    if (r.type === "aws_ami" && r.values.id)
      lookedUp.set(r.values.id, `ami:${r.values.image_owner_alias || r.values.owner_id}/${r.values.name}`);
    if (r.type === "aws_security_group" && r.values.name === "default" && r.values.id) defaultGroups.add(r.values.id);
  }
  // A managed VPC's default group comes with it (its ID is in the VPC's state).
  for (const r of res)
    if (
      r.mode === "managed" &&
      (r.type === "aws_vpc" || r.type === "aws_default_vpc") &&
      r.values.default_security_group_id
    )
      defaultGroups.add(r.values.default_security_group_id);
  const managedImages = new Set(
    res.filter((r) => r.mode === "managed" && /^aws_ami(_copy|_from_instance)?$/.test(r.type)).map((r) => r.values.id),
  );
  const imageRef = (id: string) => (managedImages.has(id) ? id : (lookedUp.get(id) ?? id));
  const groupRef = (id: string) => (defaultGroups.has(id) ? "sg:default" : id);
  const network = readStateNetwork(res, imageRef, groupRef);
  out.push(...network.resources);
  for (const r of res) {
    if (r.mode !== "managed") continue;
    const v = r.values;
    const t = splitTags(v.tags_all ?? v.tags ?? {});
    const region =
      regionFromArn(v.arn) ??
      regionFromAz(v.availability_zone) ??
      (r.alias ? opts.aliasRegions?.[r.alias] : undefined) ??
      "";
    const base = { region, ...t };
    const rootSize = (x: Obj) =>
      ((x.ebs_block_device ?? []) as Obj[]).find((b) => b.device_name === x.root_device_name)?.volume_size ?? null;
    switch (r.type as ResourceType | string) {
      case "aws_key_pair":
        out.push({
          type: "aws_key_pair",
          id: v.key_pair_id || v.id,
          name: v.key_name,
          ...base,
          attrs: { key_name: v.key_name, key_type: v.key_type || "rsa", public_key: normalizePublicKey(v.public_key) },
          refs: {},
        });
        break;
      case "aws_security_group":
        out.push({
          type: "aws_security_group",
          id: v.id,
          name: t.tags.Name ?? v.name,
          ...base,
          attrs: { name: v.name, description: n(v.description) },
          refs: network.vpcRef(v.vpc_id) && network.vpcRef(v.vpc_id) !== "vpc:default" ? { vpc_id: v.vpc_id } : {},
        });
        break;
      case "aws_vpc_security_group_ingress_rule":
      case "aws_vpc_security_group_egress_rule": {
        const proto = normalizeProtocol(v.ip_protocol);
        out.push({
          type: r.type as ResourceType,
          id: v.security_group_rule_id || v.id,
          ...base,
          attrs: {
            ip_protocol: proto,
            from_port: proto === "-1" ? null : n(v.from_port),
            to_port: proto === "-1" ? null : n(v.to_port),
            cidr_ipv4: n(v.cidr_ipv4),
            cidr_ipv6: n(v.cidr_ipv6),
            description: n(v.description),
          },
          refs: {
            security_group_id: v.security_group_id,
            ...(v.referenced_security_group_id
              ? { referenced_security_group_id: groupRef(v.referenced_security_group_id) }
              : {}),
          },
        });
        break;
      }
      case "aws_instance": {
        const root = first(v.root_block_device) ?? {};
        const extra = ((v.ebs_block_device ?? []) as Obj[])
          .filter((b) => b.delete_on_termination)
          .map((b) => `${b.device_name}:${b.volume_size}:${b.volume_type}:true`)
          .sort();
        out.push({
          type: "aws_instance",
          id: v.id,
          ...(t.tags.Name ? { name: t.tags.Name } : {}),
          ...base,
          attrs: {
            instance_type: v.instance_type,
            availability_zone: n(v.availability_zone),
            key_name: n(v.key_name),
            root_volume_size: n(root.volume_size),
            root_volume_type: n(root.volume_type),
            root_delete_on_termination: n(root.delete_on_termination),
            ebs_block_devices: extra,
          },
          refs: {
            ami: imageRef(v.ami),
            vpc_security_group_ids: ((v.vpc_security_group_ids ?? []) as string[]).map(groupRef).sort(),
            ...(network.subnetRef(v.subnet_id) ? { subnet_id: v.subnet_id } : {}),
            ...(first(v.launch_template)?.id ? { launch_template_id: first(v.launch_template)!.id } : {}),
          },
        });
        break;
      }
      case "aws_ami_from_instance":
      case "aws_ami_copy":
      case "aws_ami": {
        const attrs: InvResource["attrs"] = {
          name: v.name,
          description: n(v.description),
          architecture: n(v.architecture),
          root_volume_size: rootSize(v),
        };
        const refs: Record<string, string> = {};
        if (r.type === "aws_ami_from_instance") refs.source_instance_id = v.source_instance_id;
        if (r.type === "aws_ami_copy") {
          refs.source_ami_id = imageRef(v.source_ami_id);
          attrs.source_ami_region = v.source_ami_region;
        }
        out.push({ type: r.type as ResourceType, id: v.id, name: t.tags.Name ?? v.name, ...base, attrs, refs });
        break;
      }
      case "aws_ami_launch_permission": {
        const grantee = v.account_id || v.organization_arn || v.organizational_unit_arn || v.group;
        out.push({
          type: "aws_ami_launch_permission",
          id: `${v.image_id}/${grantee}`,
          ...base,
          tags: {},
          attrs: {
            account_id: n(v.account_id),
            group: n(v.group),
            organization_arn: n(v.organization_arn),
            organizational_unit_arn: n(v.organizational_unit_arn),
          },
          refs: { image_id: v.image_id },
        });
        break;
      }
      case "aws_ebs_volume":
        out.push({
          type: "aws_ebs_volume",
          id: v.id,
          ...(t.tags.Name ? { name: t.tags.Name } : {}),
          ...base,
          attrs: {
            availability_zone: v.availability_zone,
            size: n(v.size),
            type: n(v.type),
            iops: n(v.iops),
            throughput: n(v.throughput),
            encrypted: !!v.encrypted,
          },
          refs: v.snapshot_id ? { snapshot_id: v.snapshot_id } : {},
        });
        break;
      case "aws_volume_attachment":
        out.push({
          type: "aws_volume_attachment",
          id: `${v.device_name}:${v.volume_id}:${v.instance_id}`,
          ...base,
          tags: {},
          attrs: { device_name: v.device_name },
          refs: { volume_id: v.volume_id, instance_id: v.instance_id },
        });
        break;
      case "aws_ebs_snapshot":
        out.push({
          type: "aws_ebs_snapshot",
          id: v.id,
          ...(t.tags.Name ? { name: t.tags.Name } : {}),
          ...base,
          attrs: { description: n(v.description), volume_size: n(v.volume_size) },
          refs: { volume_id: v.volume_id },
        });
        break;
      case "aws_eip":
        out.push({
          type: "aws_eip",
          id: v.allocation_id || v.id,
          ...(t.tags.Name ? { name: t.tags.Name } : {}),
          ...base,
          attrs: { domain: v.domain || "vpc" },
          refs: {},
        });
        break;
      case "aws_eip_association":
        out.push({
          type: "aws_eip_association",
          id: v.id,
          ...base,
          tags: {},
          attrs: {},
          refs: { allocation_id: v.allocation_id, instance_id: v.instance_id },
        });
        break;
      default:
        if (NETWORK_TYPES.has(r.type)) break; // read by readStateNetwork
        warnings.push(`${r.type}.${r.name}: not compared (the bridge does not read this type)`);
    }
  }
  // Resources without an ARN or a zone take the region of what they point at.
  const byId = new Map(out.map((x) => [x.id, x]));
  for (let pass = 0; pass < 3; pass++) {
    for (const x of out) {
      if (x.region) continue;
      for (const v of Object.values(x.refs)) {
        const reg = (Array.isArray(v) ? v : [v]).map((id) => byId.get(id)?.region).find(Boolean);
        if (reg) {
          x.region = reg;
          break;
        }
      }
    }
  }
  for (const x of out) if (!x.region) x.region = defaultRegion;
  // Each resource keeps its address (the diff names it so): found by any of the IDs a state gives.
  const addressOf = new Map<string, string>();
  for (const r of res) {
    if (r.mode !== "managed") continue;
    for (const k of ["id", "key_pair_id", "security_group_rule_id", "allocation_id", "association_id"]) {
      const id = r.values[k];
      if (typeof id === "string" && id && !addressOf.has(`${r.type}\u0000${id}`))
        addressOf.set(`${r.type}\u0000${id}`, r.address);
    }
  }
  for (const r of out) {
    const a = addressOf.get(`${r.type}\u0000${r.id}`);
    if (a) r.address = a;
  }
  return { source: opts.source ?? "tfstate", resources: out, warnings };
}
