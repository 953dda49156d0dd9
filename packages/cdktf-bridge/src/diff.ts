/**
 * plan/diff between two inventories: `from` is what is wanted (a sandbox), `to` is what exists
 * (an account, a state, another sandbox). Resources are matched by the origin tag, then by name,
 * then by shape; then compared attribute by attribute, references compared through the matching.
 * The result speaks `terraform plan`'s language: create, update in-place, replace, destroy.
 */
import { type AttrValue, familyOf, type Inventory, type InvResource, type ResourceType } from "./inventory.ts";

export type Action = "create" | "update" | "replace" | "delete";

export interface AttrChange {
  name: string;
  /** Current value (in `to`), null when absent. */
  old: AttrValue;
  /** Wanted value (in `from`). */
  new: AttrValue;
  forceNew: boolean;
}

export interface Change {
  action: Action;
  address: string;
  type: ResourceType;
  region: string;
  fromId?: string;
  toId?: string;
  /** For create/delete: every attribute; for update/replace: what differs. */
  attributes: AttrChange[];
  matchedBy?: "origin" | "name" | "shape";
}

export interface DiffResult {
  from: string;
  to: string;
  changes: Change[];
  summary: { add: number; change: number; destroy: number };
  unchanged: number;
  warnings: string[];
}

/** Attributes whose change means a new resource, as in hashicorp/aws. */
const FORCE_NEW: Partial<Record<string, Set<string>>> = {
  aws_key_pair: new Set(["key_name", "public_key", "key_type"]),
  aws_security_group: new Set(["name", "description", "vpc_id"]),
  aws_vpc_security_group_ingress_rule: new Set(["security_group_id"]),
  aws_vpc_security_group_egress_rule: new Set(["security_group_id"]),
  aws_instance: new Set(["ami", "availability_zone", "key_name", "ebs_block_devices", "subnet_id"]),
  image: new Set([
    "name",
    "source_instance_id",
    "source_ami_id",
    "source_ami_region",
    "architecture",
    "root_volume_size",
    "type",
  ]),
  aws_ami_launch_permission: new Set([
    "image_id",
    "account_id",
    "group",
    "organization_arn",
    "organizational_unit_arn",
  ]),
  aws_ebs_volume: new Set(["availability_zone", "snapshot_id", "encrypted"]),
  aws_volume_attachment: new Set(["device_name", "volume_id", "instance_id"]),
  aws_ebs_snapshot: new Set(["volume_id", "description"]),
  aws_eip: new Set(["domain"]),
  aws_eip_association: new Set(["allocation_id", "instance_id"]),
  aws_vpc: new Set(["cidr_block"]),
  aws_subnet: new Set(["vpc_id", "cidr_block", "availability_zone"]),
  aws_route_table: new Set(["vpc_id"]),
  aws_default_route_table: new Set(["vpc_id"]),
  aws_route: new Set(["route_table_id", "destination_cidr_block", "destination_ipv6_cidr_block"]),
  aws_route_table_association: new Set(["subnet_id", "gateway_id"]),
  aws_nat_gateway: new Set(["subnet_id", "allocation_id", "connectivity_type"]),
  aws_network_interface: new Set(["subnet_id"]),
  aws_network_interface_attachment: new Set(["network_interface_id", "instance_id", "device_index"]),
  aws_launch_template: new Set(["name"]),
};

/** Matching order: what others point at first. */
const ORDER: string[] = [
  "aws_vpc",
  "aws_subnet",
  "aws_internet_gateway",
  "aws_default_route_table",
  "aws_route_table",
  "aws_key_pair",
  "aws_security_group",
  "aws_launch_template",
  "aws_network_interface",
  "aws_instance",
  "image",
  "aws_ebs_volume",
  "aws_ebs_snapshot",
  "aws_eip",
  "aws_nat_gateway",
  "aws_vpc_security_group_ingress_rule",
  "aws_vpc_security_group_egress_rule",
  "aws_ami_launch_permission",
  "aws_volume_attachment",
  "aws_eip_association",
  "aws_route",
  "aws_route_table_association",
  "aws_network_interface_attachment",
];

const originId = (o: string | undefined) => (o ? o.slice(o.lastIndexOf("/") + 1) : undefined);
const norm = (v: AttrValue | undefined): AttrValue =>
  v === undefined || v === "" ? null : Array.isArray(v) ? [...v].map((x) => (x === "" ? null : x)).sort() : v;
const same = (a: AttrValue | undefined, b: AttrValue | undefined) =>
  JSON.stringify(norm(a)) === JSON.stringify(norm(b));

export function diffInventories(from: Inventory, to: Inventory): DiffResult {
  const fromById = new Map(from.resources.map((r) => [r.id, r]));
  const toById = new Map(to.resources.map((r) => [r.id, r]));
  /** to id -> from id */
  const match = new Map<string, string>();
  const matchedFrom = new Map<string, { to: InvResource; by: Change["matchedBy"] }>();
  const link = (f: InvResource, t: InvResource, by: Change["matchedBy"]) => {
    match.set(t.id, f.id);
    matchedFrom.set(f.id, { to: t, by });
  };
  /** A `to` reference in `from`'s terms. */
  const canon = (v: string): string => {
    if (v.startsWith("ami:") || v.startsWith("sg:")) return v;
    const m = match.get(v);
    if (m) return m;
    return fromById.has(v) && !toById.has(v) ? `?${v}` : toById.has(v) ? `?${v}` : v;
  };
  const refsOf = (r: InvResource, side: "from" | "to"): Record<string, AttrValue> => {
    const out: Record<string, AttrValue> = {};
    for (const [k, v] of Object.entries(r.refs))
      out[k] = Array.isArray(v) ? v.map((x) => (side === "to" ? canon(x) : x)).sort() : side === "to" ? canon(v) : v;
    return out;
  };
  const shapeOf = (r: InvResource, side: "from" | "to"): string => {
    const refs = refsOf(r, side);
    return JSON.stringify([
      r.type === "aws_ami_from_instance" || r.type === "aws_ami_copy" || r.type === "aws_ami" ? "image" : r.type,
      r.region,
      Object.entries(r.attrs)
        .filter(([k]) => k !== "description" && k !== "iops" && k !== "throughput")
        .map(([k, v]) => [k, norm(v)])
        .sort(),
      Object.entries(refs).sort(),
    ]);
  };

  for (const family of ORDER) {
    const fs = from.resources.filter((r) => familyOf(r.type) === family);
    const ts = to.resources.filter((r) => familyOf(r.type) === family);
    if (!fs.length || !ts.length) continue;
    // 1. origin tag (either side may carry it: export A -> B tags B with A's IDs).
    const fromByOrigin = new Map<string, InvResource>();
    for (const f of fs) {
      fromByOrigin.set(f.id, f);
      const o = originId(f.origin);
      if (o && !fromByOrigin.has(o)) fromByOrigin.set(o, f);
    }
    for (const t of ts) {
      const keys = [originId(t.origin), t.id].filter((x): x is string => !!x);
      for (const k of keys) {
        const f = fromByOrigin.get(k);
        if (f && !matchedFrom.has(f.id) && f.region === t.region) {
          link(f, t, "origin");
          break;
        }
      }
    }
    // 2. name, when unique on both sides.
    const byName = (rs: InvResource[], side: Map<string, unknown>) => {
      const m = new Map<string, InvResource[]>();
      for (const r of rs)
        if (r.name && !side.has(r.id))
          m.set(`${r.region}\u0000${r.name}`, [...(m.get(`${r.region}\u0000${r.name}`) ?? []), r]);
      return m;
    };
    const fn = byName(fs, matchedFrom);
    const tn = byName(ts, match);
    for (const [k, f] of fn) {
      const t = tn.get(k);
      if (f.length === 1 && t?.length === 1) link(f[0]!, t[0]!, "name");
    }
    // 3. shape (every compared attribute and reference equal), when unique on both sides.
    for (let pass = 0; pass < 2; pass++) {
      const fsh = new Map<string, InvResource[]>();
      for (const f of fs)
        if (!matchedFrom.has(f.id)) fsh.set(shapeOf(f, "from"), [...(fsh.get(shapeOf(f, "from")) ?? []), f]);
      const tsh = new Map<string, InvResource[]>();
      for (const t of ts) if (!match.has(t.id)) tsh.set(shapeOf(t, "to"), [...(tsh.get(shapeOf(t, "to")) ?? []), t]);
      let linked = 0;
      for (const [k, f] of fsh) {
        const t = tsh.get(k);
        if (f.length === 1 && t?.length === 1) {
          link(f[0]!, t[0]!, "shape");
          linked++;
        }
      }
      if (!linked) break;
    }
  }

  const addresses = addressNames(
    from.resources,
    to.resources.filter((t) => !match.has(t.id)),
    fromById,
    toById,
  );
  const changes: Change[] = [];
  let unchanged = 0;
  const all = (r: InvResource, side: "from" | "to"): Record<string, AttrValue> => {
    const o: Record<string, AttrValue> = { ...r.attrs, ...refsOf(r, side) };
    for (const [k, v] of Object.entries(r.tags)) o[`tags.${k}`] = v;
    return o;
  };
  const display = (v: AttrValue, side: "from" | "to"): AttrValue => {
    if (typeof v !== "string")
      return Array.isArray(v) ? v.map((x) => (typeof x === "string" ? displayRef(x, side) : x)) : v;
    return displayRef(v, side);
  };
  const displayRef = (v: string, _side: "from" | "to"): string => {
    if (v.startsWith("?")) return addresses.get(`to:${v.slice(1)}`) ?? v.slice(1);
    return addresses.get(`from:${v}`) ?? v;
  };
  const refKeys = (r: InvResource) => new Set(Object.keys(r.refs));
  for (const f of from.resources) {
    const m = matchedFrom.get(f.id);
    const address = addresses.get(`from:${f.id}`)!;
    if (!m) {
      const rk = refKeys(f);
      changes.push({
        action: "create",
        address,
        type: f.type,
        region: f.region,
        fromId: f.id,
        attributes: Object.entries(all(f, "from")).map(([name, v]) => ({
          name,
          old: null,
          new: rk.has(name) ? display(v, "from") : v,
          forceNew: false,
        })),
      });
      continue;
    }
    const t = m.to;
    const a = all(f, "from");
    const b = all(t, "to");
    if (familyOf(f.type) === "image" && f.type !== t.type) {
      a.type = f.type;
      b.type = t.type;
    }
    const fam = familyOf(f.type);
    const rk = new Set([...refKeys(f), ...refKeys(t)]);
    const diffs: AttrChange[] = [];
    for (const name of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort(attrOrder)) {
      if (same(a[name], b[name])) continue;
      diffs.push({
        name,
        old: rk.has(name) ? display(norm(b[name] ?? null), "to") : norm(b[name] ?? null),
        new: rk.has(name) ? display(norm(a[name] ?? null), "from") : norm(a[name] ?? null),
        forceNew: FORCE_NEW[fam]?.has(name) ?? false,
      });
    }
    if (!diffs.length) {
      unchanged++;
      continue;
    }
    changes.push({
      action: diffs.some((d) => d.forceNew) ? "replace" : "update",
      address,
      type: f.type,
      region: f.region,
      fromId: f.id,
      toId: t.id,
      attributes: diffs,
      matchedBy: m.by,
    });
  }
  for (const t of to.resources) {
    if (match.has(t.id)) continue;
    const rk = refKeys(t);
    changes.push({
      action: "delete",
      address: addresses.get(`to:${t.id}`)!,
      type: t.type,
      region: t.region,
      toId: t.id,
      attributes: Object.entries(all(t, "to")).map(([name, v]) => ({
        name,
        old: rk.has(name) ? display(v, "to") : v,
        new: null,
        forceNew: false,
      })),
    });
  }
  const rank: Record<Action, number> = { delete: 0, replace: 1, update: 2, create: 3 };
  changes.sort((x, y) => x.address.localeCompare(y.address) || rank[x.action] - rank[y.action]);
  const summary = { add: 0, change: 0, destroy: 0 };
  for (const c of changes) {
    if (c.action === "create") summary.add++;
    else if (c.action === "delete") summary.destroy++;
    else if (c.action === "update") summary.change++;
    else {
      summary.add++;
      summary.destroy++;
    }
  }
  return {
    from: from.source,
    to: to.source,
    changes,
    summary,
    unchanged,
    warnings: [...from.warnings.map((w) => `${from.source}: ${w}`), ...to.warnings.map((w) => `${to.source}: ${w}`)],
  };
}

function attrOrder(a: string, b: string): number {
  const ta = a.startsWith("tags.") ? 1 : 0;
  const tb = b.startsWith("tags.") ? 1 : 0;
  return ta - tb || a.localeCompare(b);
}

/** `type.name` addresses, from Name tags and natural names, unique per type. */
function addressNames(
  fromRs: InvResource[],
  toOnly: InvResource[],
  fromById: Map<string, InvResource>,
  toById: Map<string, InvResource>,
): Map<string, string> {
  const used = new Set<string>();
  const out = new Map<string, string>();
  const label = (r: InvResource, byId: Map<string, InvResource>): string => {
    const nm = (id: string | string[] | undefined) => {
      const x = typeof id === "string" ? byId.get(id) : undefined;
      return x ? (x.name ?? x.id) : String(id ?? "");
    };
    switch (r.type) {
      case "aws_vpc_security_group_ingress_rule":
      case "aws_vpc_security_group_egress_rule": {
        const proto = String(r.attrs.ip_protocol);
        const ports =
          proto === "-1"
            ? "all"
            : r.attrs.from_port === r.attrs.to_port
              ? `${proto}-${r.attrs.from_port}`
              : `${proto}-${r.attrs.from_port}-${r.attrs.to_port}`;
        const target =
          (r.attrs.cidr_ipv4 as string | null) ??
          (r.attrs.cidr_ipv6 as string | null) ??
          nm(r.refs.referenced_security_group_id);
        return `${nm(r.refs.security_group_id)}-${r.type.includes("ingress") ? "ingress" : "egress"}-${ports}${target && target !== "0.0.0.0/0" ? `-${target.replace(/\/32$/, "")}` : ""}`;
      }
      case "aws_ami_launch_permission": {
        const g = (r.attrs.account_id ??
          r.attrs.organizational_unit_arn ??
          r.attrs.organization_arn ??
          (r.attrs.group === "all" ? "public" : r.attrs.group)) as string;
        return `${nm(r.refs.image_id)}-share-${g.split("/").pop()}`;
      }
      case "aws_volume_attachment":
        return `${nm(r.refs.volume_id)}-attachment`;
      case "aws_eip_association":
        return `${nm(r.refs.allocation_id)}-association`;
      case "aws_default_route_table":
        return r.name ?? `${nm(r.refs.vpc_id)}-main`;
      case "aws_route":
        return `${nm(r.refs.route_table_id)}-${String(
          r.attrs.destination_cidr_block ?? r.attrs.destination_ipv6_cidr_block ?? "",
        )
          .replace("0.0.0.0/0", "default")
          .replace(/\/\d+$/, "")}`;
      case "aws_route_table_association":
        return `${nm(r.refs.subnet_id ?? r.refs.gateway_id)}-${nm(r.refs.route_table_id)}`;
      case "aws_network_interface_attachment":
        return `${nm(r.refs.network_interface_id)}-attachment`;
      case "aws_ami_copy":
        return `${r.name ?? r.id}-${r.region}`;
      default:
        return r.name ?? r.id;
    }
  };
  const assign = (r: InvResource, side: "from" | "to", byId: Map<string, InvResource>) => {
    let s =
      label(r, byId)
        .replace(/[^A-Za-z0-9_-]+/g, "-")
        .replace(/^-+|-+$/g, "") || r.id;
    if (!/^[A-Za-z_]/.test(s)) s = `r-${s}`;
    let name = s;
    for (let i = 2; used.has(`${r.type}.${name}`); i++) name = `${s}-${i}`;
    used.add(`${r.type}.${name}`);
    out.set(`${side}:${r.id}`, `${r.type}.${name}`);
  };
  for (const r of fromRs) assign(r, "from", fromById);
  for (const r of toOnly) assign(r, "to", toById);
  return out;
}
