/**
 * EC2 Query request parsing, driven by the model: `Action=DescribeImages&Owner.1=self&Filter.1.Name=name`
 * becomes `{ action: "DescribeImages", input: { Owners: ["self"], Filters: [{ Name: "name", … }] } }`
 * with member names and value types exactly as the AWS SDK declares them. The mirror image of the
 * SDK's `QueryShapeSerializer` with EC2 settings (flattened lists, capitalised keys, `ec2QueryName`).
 *
 * `parseInput` also reads the plain awsQuery protocol (IAM, STS: `Tags.member.1.Key`), given its
 * dialect: EC2's Query protocol is a variant of awsQuery, so one parser serves both.
 */
import { Ec2Error, errors } from "./ec2-error.ts";
import { echo, limits } from "./limits.ts";
import { findOperation } from "./operations.ts";
import { decodeQueryPairs, type QueryPair } from "./query-string.ts";
import type { LeafShape, ListShape, MapShape, MemberPlan, Shape, StructShape } from "./shape-plan.ts";

/** How one member of the Query family spells keys, and what its errors say. */
export interface QueryDialect {
  /** The member whose key segment is `segment`, if any. */
  member(shape: StructShape, segment: string): MemberPlan | undefined;
  /** The segment between a list's key and an item's index (`member`), or undefined when items follow directly. */
  listItemSegment(list: ListShape): string | undefined;
  /** Key-entry names of a map (`key`, `value`). */
  mapKeyName(map: MapShape): string;
  mapValueName(map: MapShape): string;
  unknownParameter(key: string): Error;
  invalidValue(raw: string, key: string): Error;
}

export interface ParsedQueryRequest {
  readonly action: string;
  /** The `Version` parameter as sent (`2016-11-15`), if any. */
  readonly version: string | undefined;
  /** The operation's input, shaped as the SDK's `…Request` type. */
  readonly input: Record<string, unknown>;
}

/**
 * Top-level parameters that belong to the protocol or to request signing rather than to an
 * operation's input (SigV4 presigned URLs and legacy SigV2 query signing).
 */
const PROTOCOL_PARAMETERS = new Set([
  "Action",
  "Version",
  "X-Amz-Algorithm",
  "X-Amz-Credential",
  "X-Amz-Date",
  "X-Amz-Expires",
  "X-Amz-SignedHeaders",
  "X-Amz-Signature",
  "X-Amz-Security-Token",
  "AWSAccessKeyId",
  "SignatureMethod",
  "SignatureVersion",
  "Signature",
  "Timestamp",
  "Expires",
  "SecurityToken",
]);

export const unknownParameter = (key: string): Ec2Error =>
  new Ec2Error("UnknownParameter", `The parameter ${echo(key)} is not recognized`);

export const invalidValue = (raw: string, key: string): Ec2Error =>
  errors.invalidParameterValue(`Invalid value '${echo(raw)}' for ${echo(key)}`);

/** EC2: flattened lists (`Filter.1.Value.2`), `ec2QueryName` or capitalised keys. */
export const EC2_QUERY_DIALECT: QueryDialect = {
  member: (shape, segment) => shape.membersByQueryKey.get(segment),
  listItemSegment: () => undefined,
  mapKeyName: (map) => map.keyQueryName,
  mapValueName: (map) => map.valueQueryName,
  unknownParameter,
  invalidValue,
};

/**
 * awsQuery (IAM, STS): `xmlName` or member-name keys, list items under `member` (the item's
 * `xmlName`) unless the list is flattened, maps as `entry.N.key`/`entry.N.value`. Invalid values are
 * the services' `ValidationError`.
 */
export const AWS_QUERY_DIALECT: QueryDialect = {
  member: (shape, segment) => shape.membersByAwsQueryKey.get(segment),
  listItemSegment: (list) => (list.flattened ? undefined : list.itemXmlName),
  mapKeyName: (map) => map.keyXmlName,
  mapValueName: (map) => map.valueXmlName,
  unknownParameter: (key) => new Ec2Error("InvalidParameter", `The parameter ${echo(key)} is not recognized`),
  invalidValue: (raw, key) =>
    new Ec2Error(
      "ValidationError",
      `1 validation error detected: Value '${echo(raw)}' at '${echo(key)}' failed to satisfy constraint: Member must be of the type the model declares`,
    ),
};

/** Parses a form-encoded EC2 Query request body (or GET query string) against the model. */
export function parseQueryRequest(body: string | URLSearchParams): ParsedQueryRequest {
  const pairs: QueryPair[] = typeof body === "string" ? decodeQueryPairs(body) : [...body];
  let action: string | undefined;
  let version: string | undefined;
  for (const [key, value] of pairs) {
    if (key === "Action") action = value;
    else if (key === "Version") version = value;
  }
  if (action === undefined || action === "") {
    throw new Ec2Error("InvalidAction", "The request must contain the parameter Action");
  }
  const operation = findOperation(action);
  if (!operation) throw errors.invalidAction(echo(action));
  return { action, version, input: parseInput(operation.input, pairs) };
}

/** Builds an input object for `shape` from decoded query pairs, ignoring protocol parameters. */
export function parseInput(
  shape: StructShape,
  pairs: Iterable<QueryPair>,
  dialect: QueryDialect = EC2_QUERY_DIALECT,
): Record<string, unknown> {
  let root: Record<string, unknown> = {};
  for (const [key, value] of pairs) {
    if (PROTOCOL_PARAMETERS.has(key) && !dialect.member(shape, key)) continue;
    root = insert(dialect, shape, root, key.split("."), 0, value, key) as Record<string, unknown>;
  }
  return finish(root) as Record<string, unknown>;
}

/** List items while a request is being read: 1-based index -> item, compacted in index order at the end. */
class SparseList {
  readonly items = new Map<number, unknown>();
}

/** Map entries while a request is being read: index -> { key, value }. */
class SparseMap {
  readonly entries = new Map<number, { key?: string; value?: unknown }>();
}

function insert(
  d: QueryDialect,
  shape: Shape,
  current: unknown,
  segments: string[],
  at: number,
  raw: string,
  key: string,
): unknown {
  if (at === segments.length) {
    if (shape.kind === "list" && raw === "") return current ?? new SparseList(); // `Name=` is an empty list
    if (shape.kind === "struct" || shape.kind === "list" || shape.kind === "map") throw d.unknownParameter(key);
    return coerceLeaf(d, shape, raw, key);
  }
  const segment = segments[at]!;
  switch (shape.kind) {
    case "struct": {
      const member = d.member(shape, segment);
      if (!member) throw d.unknownParameter(key);
      const node = (current ?? {}) as Record<string, unknown>;
      node[member.name] = insert(d, member.shape, node[member.name], segments, at + 1, raw, key);
      return node;
    }
    case "list": {
      let i = at;
      const itemSegment = d.listItemSegment(shape);
      if (itemSegment !== undefined) {
        if (segment !== itemSegment) throw d.unknownParameter(key);
        i++;
      }
      const indexSegment = segments[i];
      if (indexSegment === undefined) throw d.unknownParameter(key);
      const index = listIndex(d, indexSegment, key);
      const node = current instanceof SparseList ? current : new SparseList();
      node.items.set(index, insert(d, shape.item, node.items.get(index), segments, i + 1, raw, key));
      return node;
    }
    case "map": {
      let i = at;
      if (!shape.flattened) {
        if (segment !== "entry") throw d.unknownParameter(key);
        i++;
      }
      const indexSegment = segments[i];
      const part = segments[i + 1];
      if (indexSegment === undefined || part === undefined) throw d.unknownParameter(key);
      const index = listIndex(d, indexSegment, key);
      const node = current instanceof SparseMap ? current : new SparseMap();
      const entry = node.entries.get(index) ?? {};
      node.entries.set(index, entry);
      if (part === d.mapKeyName(shape) && i + 2 === segments.length) entry.key = raw;
      else if (part === d.mapValueName(shape))
        entry.value = insert(d, shape.value, entry.value, segments, i + 2, raw, key);
      else throw d.unknownParameter(key);
      return node;
    }
    default:
      throw d.unknownParameter(key);
  }
}

function listIndex(d: QueryDialect, segment: string, key: string): number {
  if (!/^[0-9]{1,12}$/.test(segment)) throw d.unknownParameter(key);
  const index = Number(segment);
  if (index < 1) throw d.invalidValue(segment, key);
  if (index > limits.maxListIndex) {
    throw errors.invalidParameterValue(
      `The list index ${echo(segment)} in ${echo(key)} exceeds the maximum of ${limits.maxListIndex}`,
    );
  }
  return index;
}

const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const INTEGER = /^[+-]?\d+$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{2,3})?$/;
const EPOCH_SECONDS = /^\d+(?:\.\d+)?$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/i;

function coerceLeaf(d: QueryDialect, shape: LeafShape, raw: string, key: string): unknown {
  switch (shape.kind) {
    case "number": {
      const text = raw.trim();
      if (!NUMBER.test(text)) throw d.invalidValue(raw, key);
      const n = Number(text);
      if (!Number.isFinite(n)) throw d.invalidValue(raw, key);
      return n;
    }
    case "boolean": {
      const text = raw.trim().toLowerCase();
      if (text === "true") return true;
      if (text === "false") return false;
      throw d.invalidValue(raw, key);
    }
    case "timestamp": {
      const text = raw.trim();
      let date: Date | undefined;
      if (EPOCH_SECONDS.test(text)) date = new Date(Number(text) * 1000);
      else if (ISO_DATE.test(text)) date = new Date(asUtcIso(text));
      if (!date || Number.isNaN(date.getTime())) throw d.invalidValue(raw, key);
      return date;
    }
    case "blob": {
      const text = raw.replace(/[\s]/g, "");
      if (!BASE64.test(text)) throw d.invalidValue(raw, key);
      const bytes = Buffer.from(text, "base64");
      return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    }
    case "bigInteger": {
      const text = raw.trim();
      if (!INTEGER.test(text)) throw d.invalidValue(raw, key);
      return BigInt(text);
    }
    case "unit":
      throw d.unknownParameter(key);
    default:
      // strings, enums (kept as the strings they are), big decimals and documents
      return raw;
  }
}

/** ISO-8601 text without a zone is UTC on the wire, never the server's local time. */
const asUtcIso = (text: string): string => {
  const t = text.replace(" ", "T");
  return t.length > 10 && !/(?:Z|[+-]\d{2}:?\d{2})$/i.test(t) ? `${t}Z` : t;
};

/** Turns sparse lists and maps into arrays and objects, recursively. */
function finish(value: unknown): unknown {
  if (value instanceof SparseList) {
    const indices = [...value.items.keys()].sort((a, b) => a - b);
    return indices.map((i) => finish(value.items.get(i)));
  }
  if (value instanceof SparseMap) {
    const out: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
    const indices = [...value.entries.keys()].sort((a, b) => a - b);
    for (const i of indices) {
      const entry = value.entries.get(i)!;
      if (entry.key !== undefined && entry.value !== undefined) out[entry.key] = finish(entry.value);
    }
    return { ...out };
  }
  if (value !== null && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    const record = value as Record<string, unknown>;
    for (const k of Object.keys(record)) record[k] = finish(record[k]);
    return record;
  }
  return value;
}
