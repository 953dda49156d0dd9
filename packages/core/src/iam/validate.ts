/**
 * The checks IAM makes on names, paths, descriptions, tags and list paging, with its own wording
 * (`1 validation error detected: Value 'x' at 'roleName' failed to satisfy constraint: …`).
 */
import type { TagList } from "../events.ts";
import { iamErrors } from "./iam-errors.ts";

const NAME = /^[\w+=,.@-]+$/;

/** Role, instance profile and policy names: `[\w+=,.@-]+` of 1..max characters. */
export function checkName(value: string | undefined, member: string, max: number): string {
  if (value === undefined) throw iamErrors.validation(`The request must contain the parameter ${member}`);
  if (value.length < 1 || value.length > max) {
    throw iamErrors.constraint(value, member, `Member must have length less than or equal to ${max}`);
  }
  if (!NAME.test(value)) {
    throw iamErrors.constraint(value, member, "Member must satisfy regular expression pattern: [\\w+=,.@-]+");
  }
  return value;
}

/** Paths: `/` or `/segments/`, printable ASCII, at most 512 characters. */
export function checkPath(value: string | undefined, member = "path"): string {
  const path = value ?? "/";
  if (path.length > 512) throw iamErrors.constraint(path, member, "Member must have length less than or equal to 512");
  if (!/^(\/|\/[\u0021-\u007E]+\/)$/.test(path)) {
    throw iamErrors.constraint(
      path,
      member,
      "Member must satisfy regular expression pattern: (\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)",
    );
  }
  return path;
}

/** A path prefix of List* calls. */
export function checkPathPrefix(value: string | undefined): string {
  const prefix = value ?? "/";
  if (!prefix.startsWith("/") || prefix.length > 512) {
    throw iamErrors.constraint(
      prefix,
      "pathPrefix",
      "Member must satisfy regular expression pattern: \\u002F[\\u0021-\\u007F]*",
    );
  }
  return prefix;
}

export function checkDescription(value: string | undefined): string | undefined {
  if (value !== undefined && value.length > 1000) {
    throw iamErrors.constraint(value, "description", "Member must have length less than or equal to 1000");
  }
  return value;
}

/** At most 50 tags, keys 1..128 and unique without regard to case, values 0..256. */
export function checkTags(tags: readonly { Key?: string; Value?: string }[] | undefined, existing = 0): TagList {
  const out: TagList = [];
  const seen = new Set<string>();
  for (const t of tags ?? []) {
    const k = t.Key ?? "";
    if (k.length < 1 || k.length > 128)
      throw iamErrors.constraint(k, "tags.member.key", "Member must have length between 1 and 128");
    if (!/^[\p{L}\p{Z}\p{N}_.:/=+\-@]+$/u.test(k)) {
      throw iamErrors.constraint(
        k,
        "tags.member.key",
        "Member must satisfy regular expression pattern: [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+",
      );
    }
    if ((t.Value ?? "").length > 256) {
      throw iamErrors.constraint(
        t.Value ?? "",
        "tags.member.value",
        "Member must have length less than or equal to 256",
      );
    }
    if (seen.has(k.toLowerCase())) {
      throw iamErrors.invalidInput("Duplicate tag keys found. Please note that Tag keys are case insensitive.");
    }
    seen.add(k.toLowerCase());
    out.push([k, t.Value ?? ""]);
  }
  if (out.length + existing > 50) throw iamErrors.limitExceeded("The number of tags has reached the maximum limit.");
  return out;
}

export interface Page<T> {
  items: T[];
  IsTruncated: boolean;
  Marker?: string;
}

/** One page of a List* answer: MaxItems 1..1000 (100 by default), an opaque Marker for the rest. */
export function pageOf<T>(all: readonly T[], input: { Marker?: string; MaxItems?: number }, guard: string): Page<T> {
  const max = input.MaxItems ?? 100;
  if (!Number.isInteger(max) || max < 1 || max > 1000) {
    throw iamErrors.constraint(String(max), "maxItems", "Member must have value between 1 and 1000");
  }
  let start = 0;
  if (input.Marker !== undefined) {
    const text = Buffer.from(input.Marker, "base64").toString("utf8");
    const m = /^(.*):(\d+)$/.exec(text);
    if (!m || m[1] !== guard) throw iamErrors.validation("Invalid Marker.");
    start = Number(m[2]);
  }
  const items = all.slice(start, start + max);
  const more = start + max < all.length;
  return more
    ? { items, IsTruncated: true, Marker: Buffer.from(`${guard}:${start + max}`).toString("base64") }
    : { items, IsTruncated: false };
}
