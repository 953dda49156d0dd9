/**
 * What the AWS CLI holds after botocore parsed the EC2 endpoint's XML answer, rebuilt from the
 * answer object the WebSocket returns — so the REPL prints what the CLI would print:
 *   - members in the order of the CLI's model (botocore's: EC2's original order, which the SDK's
 *     schemas do not keep), only the model's members (the XML serializer drops the rest), none that
 *     are null; empty lists kept (`<groupSet/>` parses to []);
 *   - timestamps as the CLI prints them (`2025-01-06T09:00:11.840000+00:00`, ISO 8601 UTC);
 *   - `double` members as Python floats (`3.0`), other numbers as integers;
 *   - botocore's own EC2 handler: GetConsoleOutput's `Output` decoded from base64.
 * An operation without output (`ModifyImageAttribute`) answers `{}`, which the CLI prints as nothing.
 */
import { findOperation, type MemberPlan, type Shape, type StructShape } from "@ec2sim/ec2-query";
import cliModel from "../../../data/aws-cli-model.json" with { type: "json" };
import { PyFloat, type PyValue } from "./python.ts";

/** What the CLI's own (botocore) model says beyond the SDK's schemas: member order, doubles (scripts/aws-cli-model.ts). */
const DOUBLES = new Set<string>(cliModel.doubles);
const ORDER = cliModel.order as Record<string, string[]>;
const orderCache = new Map<StructShape, readonly MemberPlan[]>();

/** A structure's members in the order the CLI prints them: botocore's, then members it lacks in the SDK's order. */
function membersInCliOrder(shape: StructShape): readonly MemberPlan[] {
  const order = ORDER[shape.name];
  if (!order) return shape.members;
  let members = orderCache.get(shape);
  if (!members) {
    const byName = new Map(shape.members.map((m) => [m.name, m]));
    const first = order.map((n) => byName.get(n)).filter((m): m is MemberPlan => !!m);
    members = [...first, ...shape.members.filter((m) => !order.includes(m.name))];
    orderCache.set(shape, members);
  }
  return members;
}

/** Which members a CLI's model knows (an older AWS CLI drops members added to EC2 after it). */
export type KnownMembers = (structure: string, member: string) => boolean;

/** The CLI's view of `output`, the answer to `action` (as a CLI whose model knows `known` would print it). */
export function normalizeOutput(action: string, output: unknown, known?: KnownMembers): PyValue {
  const shape = findOperation(action)?.output;
  if (shape?.kind !== "struct") return {};
  const value = struct(shape, output, known);
  if (action === "GetConsoleOutput" && typeof value.Output === "string") value.Output = decodeConsole(value.Output);
  return value;
}

function struct(shape: StructShape, v: unknown, known: KnownMembers | undefined): { [key: string]: PyValue } {
  const out: { [key: string]: PyValue } = {};
  if (typeof v !== "object" || v === null || Array.isArray(v)) return out;
  const o = v as Record<string, unknown>;
  for (const m of membersInCliOrder(shape)) {
    const x = o[m.name];
    if (x === null || x === undefined || (known && !known(shape.name, m.name))) continue;
    const n = node(m.shape, x, DOUBLES.has(`${shape.name}.${m.name}`), known);
    if (n !== undefined) out[m.name] = n;
  }
  return out;
}

function node(shape: Shape, v: unknown, double: boolean, known: KnownMembers | undefined): PyValue | undefined {
  switch (shape.kind) {
    case "struct":
      return struct(shape, v, known);
    case "list":
      if (!Array.isArray(v)) return undefined;
      return v.filter((x) => x !== null && x !== undefined).flatMap((x) => node(shape.item, x, false, known) ?? []);
    case "map": {
      if (typeof v !== "object" || v === null) return undefined;
      const out: { [key: string]: PyValue } = {};
      for (const [k, x] of Object.entries(v)) {
        if (x === null || x === undefined) continue;
        const n = node(shape.value, x, false, known);
        if (n !== undefined) out[k] = n;
      }
      return out;
    }
    case "string":
      return typeof v === "string" ? v : String(v);
    case "number":
    case "bigInteger":
    case "bigDecimal": {
      const n = typeof v === "number" ? v : Number(v);
      if (!Number.isFinite(n)) return undefined;
      return double || !Number.isInteger(n) ? new PyFloat(n) : n;
    }
    case "boolean":
      return v === true || v === "true";
    case "timestamp":
      return cliTimestamp(v);
    default:
      return typeof v === "string" ? v : JSON.stringify(v);
  }
}

/** Python's `datetime.isoformat()` of a UTC instant: microseconds only when there are any. */
export function cliTimestamp(v: unknown): string {
  const ms = v instanceof Date ? v.getTime() : typeof v === "number" ? v * 1000 : Date.parse(String(v));
  if (!Number.isFinite(ms)) return String(v);
  const iso = new Date(ms).toISOString(); // 2025-01-06T09:00:11.840Z
  const frac = ms % 1000 === 0 ? "" : `.${iso.slice(20, 23)}000`;
  return `${iso.slice(0, 19)}${frac}+00:00`;
}

function decodeConsole(b64: string): string {
  // botocore: base64 decoded, then utf-8 with replacement characters
  return new TextDecoder("utf-8").decode(Buffer.from(b64, "base64"));
}
