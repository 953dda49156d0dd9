/**
 * Pairs the resources of `from` with those of `to`, family by family (what others point at
 * first, so references compare through the pairing). Tiers, each on what the previous left:
 *
 *   1. origin  — the `ec2sim:origin` tag (either side: an export tags what it creates);
 *   2. content — every attribute, reference and tag equal;
 *   3. content — the same without tags (a renamed Name tag is a change, not another resource);
 *   4. name    — the Name tag (or natural name), unique on both sides;
 *   5. key     — the attributes that force a replacement equal (what differs is an in-place update),
 *                the most alike first.
 *
 * In tiers 2, 3 and 5 alike resources pair in the order the readers list them (creation order for
 * a sandbox), so two sandboxes built by the same commands pair one to one however many twins.
 */
import { familyOf, type InvResource } from "../inventory.ts";
import { FORCE_NEW, PARTIAL_ATTRS } from "./shape.ts";
import type { MatchedBy } from "./types.ts";

/** Matching order: what others point at first. */
export const ORDER: string[] = [
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

export interface Matching {
  /** from id -> its pair in `to` and how it was found. */
  fromTo: Map<string, { to: InvResource; by: MatchedBy }>;
  /** to id -> from id. */
  toFrom: Map<string, string>;
  /** A reference of `to` in `from`'s terms (`?id` when its target is unpaired). */
  canon: (v: string) => string;
}

const originId = (o: string | undefined) => (o ? o.slice(o.lastIndexOf("/") + 1) : undefined);
const isExternal = (v: string) => v.startsWith("ami:") || v.startsWith("sg:") || v.startsWith("vpc:");
/** Above this many candidate pairs, a group pairs in order instead of by likeness. */
const LIKENESS_LIMIT = 250_000;

export function matchInventories(fromRs: InvResource[], toRs: InvResource[]): Matching {
  const fromIds = new Set(fromRs.map((r) => r.id));
  const toIds = new Set(toRs.map((r) => r.id));
  const fromTo = new Map<string, { to: InvResource; by: MatchedBy }>();
  const toFrom = new Map<string, string>();
  const link = (f: InvResource, t: InvResource, by: MatchedBy) => {
    toFrom.set(t.id, f.id);
    fromTo.set(f.id, { to: t, by });
  };
  const canon = (v: string): string => {
    if (isExternal(v)) return v;
    const m = toFrom.get(v);
    if (m) return m;
    return toIds.has(v) || fromIds.has(v) ? `?${v}` : v;
  };
  const refText = (r: InvResource, side: "from" | "to", only?: ReadonlySet<string>) =>
    Object.entries(r.refs)
      .filter(([k]) => !only || only.has(k))
      .map(([k, v]) => {
        const c = (x: string) => (side === "to" ? canon(x) : x);
        return [k, Array.isArray(v) ? v.map(c).sort() : c(v)] as const;
      })
      .sort((a, b) => a[0].localeCompare(b[0]));
  // What only some readers see (user data, guests) tells twins apart only when both sides see it.
  const seen = (rs: InvResource[]) =>
    new Set(rs.flatMap((r) => Object.keys(r.attrs).filter((k) => PARTIAL_ATTRS.has(k))));
  const fromSees = seen(fromRs);
  const bothSee = new Set([...seen(toRs)].filter((k) => fromSees.has(k)));
  const attrText = (r: InvResource, only?: ReadonlySet<string>) =>
    Object.entries(r.attrs)
      .filter(([k]) => !PARTIAL_ATTRS.has(k) || bothSee.has(k))
      .filter(([k, v]) => (!only || only.has(k)) && v !== null && v !== "" && !(Array.isArray(v) && !v.length))
      .map(([k, v]) => [k, Array.isArray(v) ? [...v].sort() : v] as const)
      .sort((a, b) => a[0].localeCompare(b[0]));
  const tagText = (r: InvResource) => Object.entries(r.tags).sort((a, b) => a[0].localeCompare(b[0]));

  const families = ORDER.map((family) => ({
    family,
    fs: fromRs.filter((r) => familyOf(r.type) === family),
    ts: toRs.filter((r) => familyOf(r.type) === family),
  })).filter((x) => x.fs.length && x.ts.length);
  const left = (x: { fs: InvResource[]; ts: InvResource[] }) => ({
    f: x.fs.filter((r) => !fromTo.has(r.id)),
    t: x.ts.filter((r) => !toFrom.has(r.id)),
  });
  const head = (r: InvResource) => [familyOf(r.type), r.region];
  /** Pairs equal signatures in order; the signature of a `to` resource reads references through the pairing. */
  const bySignature = (
    x: { fs: InvResource[]; ts: InvResource[] },
    sig: (r: InvResource, side: "from" | "to") => string,
    by: MatchedBy,
  ) => {
    const { f, t } = left(x);
    if (!f.length || !t.length) return;
    const groups = new Map<string, InvResource[]>();
    for (const y of t) {
      const k = sig(y, "to");
      const g = groups.get(k);
      if (g) g.push(y);
      else groups.set(k, [y]);
    }
    for (const y of f) {
      const z = groups.get(sig(y, "from"))?.shift();
      if (z) link(y, z, by);
    }
  };
  const exact = (r: InvResource, side: "from" | "to") =>
    JSON.stringify([head(r), attrText(r), refText(r, side), tagText(r)]);
  const untagged = (r: InvResource, side: "from" | "to") => JSON.stringify([head(r), attrText(r), refText(r, side)]);
  const byContent = (after = -1) => {
    // References go both ways (an image names its instance, an instance its image): a second round
    // pairs what waited on a later family.
    for (let round = 0; round < 2; round++)
      for (const x of families.slice(after + 1)) {
        bySignature(x, exact, "content");
        bySignature(x, untagged, "content");
      }
  };
  // 1. origin tag.
  for (const { fs, ts } of families) {
    const fromByOrigin = new Map<string, InvResource>();
    for (const f of fs) {
      fromByOrigin.set(f.id, f);
      const o = originId(f.origin);
      if (o && !fromByOrigin.has(o)) fromByOrigin.set(o, f);
    }
    for (const t of ts) {
      for (const k of [originId(t.origin), t.id]) {
        const f = k ? fromByOrigin.get(k) : undefined;
        if (f && !fromTo.has(f.id) && f.region === t.region) {
          link(f, t, "origin");
          break;
        }
      }
    }
  }
  // 2. and 3. content, with and without tags.
  byContent();
  // 4. name, when unique on both sides; then content again (names may have paired what others reference).
  for (const x of families) {
    const { f, t } = left(x);
    const count = (rs: InvResource[]) => {
      const m = new Map<string, InvResource[]>();
      for (const r of rs) {
        if (!r.name) continue;
        const k = `${r.region}\u0000${r.name}`;
        m.set(k, [...(m.get(k) ?? []), r]);
      }
      return m;
    };
    const tn = count(t);
    for (const [k, fsOf] of count(f)) {
      const tsOf = tn.get(k);
      if (fsOf.length === 1 && tsOf?.length === 1) link(fsOf[0]!, tsOf[0]!, "name");
    }
  }
  byContent();
  // 5. what forces a replacement, the most alike first.
  for (const [index, x] of families.entries()) {
    const { f, t } = left(x);
    if (!f.length || !t.length) continue;
    const before = toFrom.size;
    const keys = FORCE_NEW[x.family] ?? new Set<string>();
    const sig = (r: InvResource, side: "from" | "to") =>
      JSON.stringify([head(r), attrText(r, keys), refText(r, side, keys)]);
    const groups = new Map<string, { f: InvResource[]; t: InvResource[] }>();
    for (const y of f) {
      const k = sig(y, "from");
      const g = groups.get(k) ?? { f: [], t: [] };
      g.f.push(y);
      groups.set(k, g);
    }
    for (const y of t) groups.get(sig(y, "to"))?.t.push(y);
    for (const g of groups.values()) {
      if (!g.t.length) continue;
      if (g.f.length * g.t.length > LIKENESS_LIMIT) {
        for (let i = 0; i < Math.min(g.f.length, g.t.length); i++) link(g.f[i]!, g.t[i]!, "key");
        continue;
      }
      const words = (r: InvResource, side: "from" | "to") =>
        new Set([...attrText(r), ...refText(r, side), ...tagText(r)].map((w) => JSON.stringify(w)));
      const tw = g.t.map((y) => ({ y, w: words(y, "to") }));
      for (const y of g.f) {
        const yw = words(y, "from");
        let best = -1;
        let bestScore = -1;
        tw.forEach((c, i) => {
          if (toFrom.has(c.y.id)) return;
          let score = 0;
          for (const w of c.w) if (yw.has(w)) score++;
          if (score > bestScore) {
            best = i;
            bestScore = score;
          }
        });
        if (best >= 0) link(y, tw[best]!.y, "key");
      }
    }
    // What references this family (later in ORDER) may now agree.
    if (toFrom.size > before) byContent(index);
  }
  return { fromTo, toFrom, canon };
}
