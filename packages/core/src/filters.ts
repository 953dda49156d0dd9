/**
 * EC2's filter and pagination semantics, shared by every Describe call: values of one filter are
 * OR'd, filters are AND'd, `*` and `?` are wildcards, `tag:Key`, `tag-key` and `tag-value` work on
 * any taggable resource, an unknown filter name is an error, and MaxResults/NextToken page.
 */
import { Ec2Error } from "./errors.ts";

export interface Filter {
  Name?: string;
  Values?: string[];
}

/** A filter's value(s) for one entity; undefined means "no value" (never matches). */
export type FilterValue =
  | string
  | number
  | boolean
  | undefined
  | null
  | readonly (string | number | boolean | undefined)[];
export type FilterFields<T> = Record<string, (entity: T) => FilterValue>;

const wildcardCache = new Map<string, RegExp | string>();

/** A matcher for one EC2 filter value: exact text unless it holds `*` or `?`. */
function compileValue(value: string): RegExp | string {
  let hit = wildcardCache.get(value);
  if (hit !== undefined) return hit;
  if (!/[*?]/.test(value)) hit = value;
  else {
    const body = value
      .replace(/[.+^${}()|[\]\\]/g, "\\$&")
      .replace(/\*/g, ".*")
      .replace(/\?/g, ".");
    hit = new RegExp(`^${body}$`, "s");
  }
  if (wildcardCache.size > 10_000) wildcardCache.clear();
  wildcardCache.set(value, hit);
  return hit;
}

export function matchesAny(candidate: FilterValue, values: readonly string[]): boolean {
  if (candidate === undefined || candidate === null) return false;
  if (Array.isArray(candidate)) return candidate.some((c) => matchesAny(c, values));
  const text = String(candidate);
  for (const v of values) {
    const m = compileValue(v);
    if (typeof m === "string" ? m === text : m.test(text)) return true;
  }
  return false;
}

export interface Taggable {
  tags: Map<string, string>;
}

/**
 * Builds a predicate for a list of filters over entities of one family. Throws EC2's error for an
 * unknown filter name, as EC2 does, before looking at any entity.
 */
export function compileFilters<T extends Taggable>(
  filters: readonly Filter[] | undefined,
  fields: FilterFields<T>,
): (entity: T) => boolean {
  if (!filters || filters.length === 0) return () => true;
  const tests: ((e: T) => boolean)[] = [];
  for (const f of filters) {
    const name = f.Name;
    if (!name) throw new Ec2Error("InvalidParameterValue", "The filter 'null' is invalid");
    const values = f.Values ?? [];
    if (values.length === 0) throw new Ec2Error("InvalidParameterValue", `The filter '${name}' requires a value`);
    if (name.startsWith("tag:")) {
      const key = name.slice(4);
      tests.push((e) => matchesAny(e.tags.get(key), values));
    } else if (name === "tag-key") {
      tests.push((e) => matchesAny([...e.tags.keys()], values));
    } else if (name === "tag-value") {
      tests.push((e) => matchesAny([...e.tags.values()], values));
    } else {
      const get = fields[name];
      if (!get) throw new Ec2Error("InvalidParameterValue", `The filter '${name}' is invalid`);
      tests.push((e) => matchesAny(get(e), values));
    }
  }
  return (e) => tests.every((t) => t(e));
}

/** The exact values a filter asks for, when none uses a wildcard (used to pick an index). */
export function exactValues(filters: readonly Filter[] | undefined, name: string): string[] | undefined {
  const f = filters?.find((x) => x.Name === name);
  if (!f?.Values || f.Values.some((v) => /[*?]/.test(v))) return undefined;
  return f.Values;
}

export interface PageRequest {
  MaxResults?: number;
  NextToken?: string;
}

export interface PageLimits {
  min: number;
  max: number;
  /**
   * EC2's documented leniency for some lists (DescribeVolumes, DescribeSnapshots,
   * DescribeVolumeStatus…): "if MaxResults is given a value larger than N, only N results are
   * returned". AWS CLI v2 sends MaxResults=1000 to describe-volumes/describe-snapshots by default,
   * so refusing it would break their plain form. Without it, a value above `max` is an error.
   */
  capAbove?: boolean;
}

/**
 * One page of a stable, ordered list. The token encodes the position and a guard so a token from
 * another call is refused instead of silently paging the wrong list.
 */
export function paginate<T>(
  items: readonly T[],
  req: PageRequest,
  limits: PageLimits = { min: 5, max: 1000 },
  guard = "",
): { page: T[]; nextToken?: string } {
  let start = 0;
  if (req.NextToken !== undefined && req.NextToken !== "") {
    start = decodeToken(req.NextToken, guard);
  }
  if (req.MaxResults === undefined) {
    return { page: items.slice(start) };
  }
  const asked = req.MaxResults;
  if (!Number.isInteger(asked) || asked < limits.min || (asked > limits.max && !limits.capAbove)) {
    throw new Ec2Error(
      "InvalidParameterValue",
      `Value ( ${asked} ) for parameter maxResults is invalid. Expecting a value between ${limits.min} and ${limits.max}.`,
    );
  }
  const max = Math.min(asked, limits.max);
  const page = items.slice(start, start + max);
  const next = start + max < items.length ? encodeToken(start + max, guard) : undefined;
  return next ? { page, nextToken: next } : { page };
}

/**
 * How many rows of a list `paginate` needs to answer `req` exactly (the page plus one, to know
 * whether a next page exists), or undefined when it needs them all. Never throws: a bad
 * MaxResults or NextToken is left for `paginate` to refuse.
 */
export function pageEnd(req: PageRequest, guard = ""): number | undefined {
  const max = req.MaxResults;
  if (max === undefined || !Number.isInteger(max) || max < 0) return undefined;
  let start = 0;
  if (req.NextToken !== undefined && req.NextToken !== "") {
    try {
      start = decodeToken(req.NextToken, guard);
    } catch {
      return undefined;
    }
  }
  return start + max + 1;
}

function encodeToken(offset: number, guard: string): string {
  return Buffer.from(JSON.stringify({ o: offset, g: guard })).toString("base64url");
}

function decodeToken(token: string, guard: string): number {
  try {
    const parsed = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as { o?: unknown; g?: unknown };
    if (typeof parsed.o === "number" && Number.isInteger(parsed.o) && parsed.o >= 0 && parsed.g === guard)
      return parsed.o;
  } catch {
    /* fall through to the EC2 error */
  }
  throw new Ec2Error("InvalidNextToken", "The provided next token is not valid.");
}
