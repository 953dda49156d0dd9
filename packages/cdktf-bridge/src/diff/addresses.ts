/**
 * `type.name` addresses, unique per type. A resource a state holds keeps its address; a paired
 * resource is named after what exists (`to`), so renaming a Name tag in the sandbox changes the
 * resource, not its address; what is to be created is named after `from`.
 */
import type { InvResource } from "../inventory.ts";
import { snake } from "../plan.ts";
import type { Matching } from "./match.ts";

/**
 * An address's parts as terraform's JSON gives them: `module.app.aws_instance.web["a"]` is
 * module_address `module.app`, type `aws_instance`, name `web`, index `"a"` (count: a number).
 */
export function splitAddress(address: string): {
  moduleAddress?: string;
  type: string;
  name: string;
  index?: number | string;
} {
  const m = /^((?:module\.[^.[]+(?:\[[^\]]+\])?\.)*)(?:data\.)?([^.[]+)\.([^.[]+)(?:\[(.+)\])?$/.exec(address);
  if (!m) return { type: address.split(".")[0] ?? address, name: address.slice(address.indexOf(".") + 1) };
  const index = m[4] === undefined ? undefined : (JSON.parse(m[4]) as number | string);
  return {
    ...(m[1] ? { moduleAddress: m[1].slice(0, -1) } : {}),
    type: m[2]!,
    name: m[3]!,
    ...(index !== undefined ? { index } : {}),
  };
}

export function addressNames(fromRs: InvResource[], toRs: InvResource[], m: Matching): Map<string, string> {
  const fromById = new Map(fromRs.map((r) => [r.id, r]));
  const toById = new Map(toRs.map((r) => [r.id, r]));
  const used = new Set<string>();
  const out = new Map<string, string>();
  // The export's labels (snake_case), so an exported project's addresses are the diff's.
  const clean = (type: string, base: string, id: string): string => {
    const s = snake(base || id);
    let name = s;
    for (let i = 2; used.has(`${type}.${name}`); i++) name = `${s}_${i}`;
    used.add(`${type}.${name}`);
    return `${type}.${name}`;
  };
  // State addresses first: they are given, not chosen.
  for (const t of toRs)
    if (t.address && !used.has(t.address)) {
      used.add(t.address);
      out.set(`to:${t.id}`, t.address);
      const f = m.toFrom.get(t.id);
      if (f !== undefined) out.set(`from:${f}`, t.address);
    }
  for (const f of fromRs) {
    if (out.has(`from:${f.id}`)) continue;
    const p = m.fromTo.get(f.id);
    const fromLabel = label(f, fromById);
    const toLabel = p ? label(p.to, toById) : undefined;
    // What exists names it, unless it has no name there (its ID would be the label).
    const base = toLabel !== undefined && toLabel !== p!.to.id ? toLabel : fromLabel;
    const address = clean(p ? p.to.type : f.type, base, f.id);
    out.set(`from:${f.id}`, address);
    if (p) out.set(`to:${p.to.id}`, address);
  }
  for (const t of toRs) if (!out.has(`to:${t.id}`)) out.set(`to:${t.id}`, clean(t.type, label(t, toById), t.id));
  return out;
}

/** A readable label: the Name tag or natural name; composites after what they join. */
function label(r: InvResource, byId: Map<string, InvResource>): string {
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
}
