// Helpers of the IAM resources: names (create.Name / NamePrefixFromName), tags in IAM's shape,
// documents IAM answers URL-encoded, and NoSuchEntity as "gone".
import type { Tag } from "@aws-sdk/client-iam";
import { errorCode, type ResourceContext } from "../framework/context.ts";
import { isObj, type Obj } from "../framework/values.ts";
import { prefixedUniqueId, s, tagsAll } from "./common.ts";

/** create.Name: the name, else the prefix plus a unique suffix, else "terraform-" plus one. */
export const nameOf = (plan: Obj): string => s(plan.name) ?? prefixedUniqueId(s(plan.name_prefix) ?? "terraform-");

/** create.NamePrefixFromName: the prefix a generated name was made from (26 digits follow it), else "". */
export const namePrefixFromName = (name: string): string => /^(.*)\d{26}$/.exec(name)?.[1] ?? "";

/** IAM's answers carry documents URL-encoded; the SDK leaves them so. */
export const decodeDocument = (text: string | undefined): string => {
  if (!text) return "";
  try {
    return decodeURIComponent(text.replace(/\+/g, "%20"));
  } catch {
    return text;
  }
};

export const iamTags = (plan: Obj): Tag[] | undefined => {
  const list = Object.entries(tagsAll(plan)).map(([Key, Value]) => ({ Key, Value }));
  return list.length ? list : undefined;
};

/** Tags as the resource's `tags`: without aws: tags, ignore_tags and keys only default_tags set. */
export function tagsOut(ctx: ResourceContext, tags: Tag[] | undefined, state?: Obj): Record<string, string> {
  const cfg = ctx.config;
  const configured = isObj(state?.tags) ? state.tags : {};
  const out: Record<string, string> = {};
  for (const t of tags ?? []) {
    if (!t.Key || t.Key.startsWith("aws:")) continue;
    if (cfg.ignoreTagKeys.includes(t.Key) || cfg.ignoreTagPrefixes.some((p) => t.Key!.startsWith(p))) continue;
    if (t.Key in cfg.defaultTags && cfg.defaultTags[t.Key] === t.Value && !(t.Key in configured)) continue;
    out[t.Key] = t.Value ?? "";
  }
  return out;
}

/** The tag changes from tags_all(prior) to tags_all(plan). */
export function tagDiff(prior: Obj, plan: Obj): { set: Tag[]; remove: string[] } {
  const before = tagsAll(prior);
  const after = tagsAll(plan);
  return {
    set: Object.entries(after)
      .filter(([k, v]) => before[k] !== v)
      .map(([Key, Value]) => ({ Key, Value })),
    remove: Object.keys(before).filter((k) => !(k in after)),
  };
}

export const isNoSuchEntity = (err: unknown): boolean =>
  errorCode(err) === "NoSuchEntity" || (err as { name?: string })?.name === "NoSuchEntityException";

/** f's answer, or null when IAM says the entity does not exist. */
export async function nullIfNoSuchEntity<T>(f: () => Promise<T>): Promise<T | null> {
  try {
    return await f();
  } catch (err) {
    if (isNoSuchEntity(err)) return null;
    throw err;
  }
}

/** Time as hashicorp/aws writes create_date (RFC 3339). */
export const rfc3339 = (d: Date | undefined): string | null => (d ? d.toISOString().replace(/\.\d{3}Z$/, "Z") : null);
