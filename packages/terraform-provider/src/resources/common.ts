// Helpers shared by the resource families: tags, filters, ARNs, value conversions.
import type { Filter, ResourceType, Tag, TagSpecification } from "@aws-sdk/client-ec2";
import { isNotFound, type ResourceContext } from "../framework/context.ts";
import { isObj, type Obj } from "../framework/values.ts";

export const s = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);
export const n = (v: unknown): number | undefined => (typeof v === "number" ? v : undefined);
export const b = (v: unknown): boolean | undefined => (typeof v === "boolean" ? v : undefined);
export const strs = (v: unknown): string[] =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];
export const objs = (v: unknown): Obj[] => (Array.isArray(v) ? v.filter(isObj) : isObj(v) ? [v] : []);
export const first = (v: unknown): Obj | undefined => objs(v)[0];
export const iso = (d: Date | string | undefined): string | null =>
  d === undefined ? null : d instanceof Date ? d.toISOString().replace(/\.\d{3}Z$/, "Z") : d;

/** tags_all as a record (tags merged over default_tags; computed at plan time). */
export function tagsAll(plan: Obj): Record<string, string> {
  const t = isObj(plan.tags_all) ? plan.tags_all : isObj(plan.tags) ? plan.tags : {};
  return Object.fromEntries(Object.entries(t).filter(([, v]) => typeof v === "string")) as Record<string, string>;
}

export function tagSpecs(resourceType: ResourceType, tags: Record<string, string>): TagSpecification[] | undefined {
  const list = Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
  return list.length ? [{ ResourceType: resourceType, Tags: list }] : undefined;
}

/** Tags from the API as the resource's `tags`: without aws: system tags, ignore_tags and default_tags-only keys. */
export function tagsFromApi(ctx: ResourceContext, tags: Tag[] | undefined, state?: Obj): Record<string, string> {
  const out: Record<string, string> = {};
  const cfg = ctx.config;
  const configured = isObj(state?.tags) ? state.tags : {};
  for (const t of tags ?? []) {
    if (!t.Key || t.Key.startsWith("aws:")) continue;
    if (cfg.ignoreTagKeys.includes(t.Key) || cfg.ignoreTagPrefixes.some((p) => t.Key!.startsWith(p))) continue;
    // A default tag is reported in tags only if the configuration also sets it on the resource.
    if (t.Key in cfg.defaultTags && cfg.defaultTags[t.Key] === t.Value && !(t.Key in configured)) continue;
    out[t.Key] = t.Value ?? "";
  }
  return out;
}

/** Tags as data sources report them: all of them, default tags included, less aws: and ignore_tags. */
export function dataSourceTags(ctx: ResourceContext, tags: Tag[] | undefined): Record<string, string> {
  const cfg = ctx.config;
  const out: Record<string, string> = {};
  for (const t of tags ?? []) {
    if (!t.Key || t.Key.startsWith("aws:")) continue;
    if (cfg.ignoreTagKeys.includes(t.Key) || cfg.ignoreTagPrefixes.some((p) => t.Key!.startsWith(p))) continue;
    out[t.Key] = t.Value ?? "";
  }
  return out;
}

/** Bring the remote tags of `id` from tags_all(prior) to tags_all(plan). */
export async function updateTags(ctx: ResourceContext, id: string, prior: Obj, plan: Obj): Promise<void> {
  const before = tagsAll(prior);
  const after = tagsAll(plan);
  const removed = Object.keys(before).filter((k) => !(k in after));
  const changed = Object.entries(after).filter(([k, v]) => before[k] !== v);
  const ec2 = await ctx.ec2();
  if (removed.length) await ec2.deleteTags({ Resources: [id], Tags: removed.map((Key) => ({ Key })) });
  if (changed.length) await ec2.createTags({ Resources: [id], Tags: changed.map(([Key, Value]) => ({ Key, Value })) });
}

/** EC2 filters from `filter { name values }` blocks plus simple name -> value pairs and tag maps. */
export function buildFilters(
  config: Obj,
  simple: Record<string, unknown> = {},
  tagMaps: unknown[] = [],
): Filter[] | undefined {
  const out: Filter[] = [];
  for (const [name, v] of Object.entries(simple)) {
    if (v === null || v === undefined || v === "") continue;
    out.push({ Name: name, Values: Array.isArray(v) ? v.map(String) : [String(v)] });
  }
  for (const m of tagMaps) {
    if (!isObj(m)) continue;
    for (const [k, v] of Object.entries(m)) if (typeof v === "string") out.push({ Name: `tag:${k}`, Values: [v] });
  }
  for (const f of objs(config.filter)) {
    if (typeof f.name === "string") out.push({ Name: f.name, Values: strs(f.values) });
  }
  return out.length ? out : undefined;
}

export async function arn(ctx: ResourceContext, kind: string, id: string, withAccount = true): Promise<string> {
  const account = withAccount ? await ctx.accountId() : "";
  return `arn:aws:ec2:${ctx.region}:${account}:${kind}/${id}`;
}

/** A unique name as terraform-plugin-sdk's id.PrefixedUniqueId makes them ("terraform-2024...0001"). */
let uniqueCounter = 0;
export function prefixedUniqueId(prefix: string): string {
  const d = new Date();
  const p = (x: number, w = 2) => String(x).padStart(w, "0");
  const ts = `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}${p(d.getUTCMilliseconds(), 3)}00`;
  uniqueCounter = (uniqueCounter + 1) % 100000000;
  return `${prefix}${ts}${p(uniqueCounter + Math.floor(Math.random() * 1000) * 100, 8)}`.slice(0, prefix.length + 26);
}

/** create.StringHashcode: CRC-32 (IEEE) of the string, as a non-negative int. */
export function stringHashcode(str: string): number {
  let crc = ~0;
  for (const byte of new TextEncoder().encode(str)) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  const v = ~crc | 0;
  return v >= 0 ? v : -v;
}

export class NotFoundError extends Error {
  constructor(message = "Your query returned no results. Please change your search criteria and try again.") {
    super(message);
    this.name = "NotFoundError";
  }
}

export function singleResult<T>(items: T[] | undefined, what: string): T {
  if (!items || items.length === 0) throw new NotFoundError(`no matching ${what} found`);
  if (items.length > 1)
    throw new Error(`multiple ${what}s matched; use additional constraints to reduce matches to a single ${what}`);
  return items[0]!;
}

/** f's result, or null when EC2 answers that the thing does not exist (an error code with NotFound). */
export async function nullIfNotFound<T>(f: () => Promise<T>): Promise<T | null> {
  try {
    return await f();
  } catch (err) {
    if (isNotFound(err)) return null;
    throw err;
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
