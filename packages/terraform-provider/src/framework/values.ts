// Helpers over decoded cty values (plain JS: null, string, number, boolean, arrays, objects, Unknown).
import { isUnknown, Unknown } from "./msgpack.ts";
import type { Block, CtyType } from "./schema.ts";

export type Obj = Record<string, unknown>;

export function isObj(v: unknown): v is Obj {
  return (
    v !== null && typeof v === "object" && !Array.isArray(v) && !(v instanceof Unknown) && !(v instanceof Uint8Array)
  );
}

/** Shape a value to a type: every object attribute present (null when missing), undefined -> null. */
export function normalizeType(t: CtyType, v: unknown): unknown {
  if (v === undefined || v === null) return null;
  if (isUnknown(v)) return v;
  if (t === "dynamic") return v;
  if (typeof t === "string") {
    if (t === "string") return typeof v === "string" ? v : String(v);
    if (t === "number") return typeof v === "number" ? v : Number(v);
    return typeof v === "boolean" ? v : v === "true";
  }
  if (t[0] === "object") {
    const o = isObj(v) ? v : {};
    return Object.fromEntries(Object.entries(t[1]).map(([k, kt]) => [k, normalizeType(kt, o[k])]));
  }
  if (t[0] === "map") {
    if (!isObj(v)) return null;
    return Object.fromEntries(
      Object.entries(v)
        .filter(([, x]) => x !== undefined)
        .map(([k, x]) => [k, normalizeType(t[1], x)]),
    );
  }
  if (!Array.isArray(v)) return null;
  return v.map((x) => normalizeType(t[1], x));
}

/** Shape an object to a block: every attribute present, absent list/set blocks as [], single blocks null. */
export function normalize(block: Block, v: unknown): Obj {
  const src = isObj(v) ? v : {};
  const out: Obj = {};
  for (const [name, a] of Object.entries(block.attributes)) out[name] = normalizeType(a.type, src[name]);
  for (const [name, b] of Object.entries(block.blocks ?? {})) {
    const x = src[name];
    if (isUnknown(x)) out[name] = x;
    else if (b.nesting === "single") out[name] = isObj(x) ? normalize(b.block, x) : null;
    else out[name] = Array.isArray(x) ? x.map((e) => normalize(b.block, e)) : [];
  }
  return out;
}

/** Replace every unknown with null (what a provider must do before returning a new state). */
export function unknownsToNull(v: unknown): unknown {
  if (isUnknown(v)) return null;
  if (Array.isArray(v)) return v.map(unknownsToNull);
  if (isObj(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, unknownsToNull(x)]));
  return v;
}

function canonical(v: unknown, setLike: boolean): string {
  if (isUnknown(v)) return "\u0000unknown";
  if (Array.isArray(v)) {
    const items = v.map((x) => canonical(x, true));
    return `[${(setLike ? [...items].sort() : items).join(",")}]`;
  }
  if (isObj(v))
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(v[k], true)}`)
      .join(",")}}`;
  return JSON.stringify(v ?? null);
}

/** Deep equality for state values; sets compare order-insensitively; unknown never equals anything. */
export function sameValue(a: unknown, b: unknown, setLike = false): boolean {
  if (isUnknown(a) || isUnknown(b)) return false;
  return canonical(a, setLike) === canonical(b, setLike);
}

/** Go duration strings as hashicorp/aws timeouts use them: "10m", "1h30m", "45s", "500ms". */
export function parseDuration(s: string): number {
  const re = /(\d+(?:\.\d+)?)(ms|h|m|s)/g;
  let total = 0;
  let matched = "";
  for (let m = re.exec(s); m; m = re.exec(s)) {
    const n = Number(m[1]);
    total += m[2] === "h" ? n * 3_600_000 : m[2] === "m" ? n * 60_000 : m[2] === "s" ? n * 1000 : n;
    matched += m[0];
  }
  if (matched !== s.trim() || !matched) throw new Error(`invalid duration "${s}"`);
  return total;
}

/** tags_all = default_tags merged with tags (resource tags win), as hashicorp/aws plans it. */
export function mergeTags(defaults: Record<string, string>, tags: unknown): unknown {
  if (isUnknown(tags)) return tags;
  if (isObj(tags) && Object.values(tags).some(isUnknown)) return new Unknown();
  const merged: Record<string, string> = { ...defaults, ...((isObj(tags) ? tags : {}) as Record<string, string>) };
  return merged;
}
