/**
 * What the AWS CLI holds after botocore parsed the EC2 endpoint's XML answer, rebuilt from the
 * answer object the WebSocket returns — so the REPL prints what the CLI would print:
 *   - members in model order, only the model's members (the XML serializer drops the rest), none
 *     that are null; empty lists kept (`<groupSet/>` parses to []);
 *   - timestamps as the CLI prints them (`2025-01-06T09:00:11.840000+00:00`, ISO 8601 UTC);
 *   - `double` members as Python floats (`3.0`), other numbers as integers;
 *   - botocore's own EC2 handler: GetConsoleOutput's `Output` decoded from base64.
 * An operation without output (`ModifyImageAttribute`) answers `{}`, which the CLI prints as nothing.
 */
import { findOperation, type Shape, type StructShape } from "@ec2sim/ec2-query";
import doubleMembers from "../../../data/ec2-doubles.json" with { type: "json" };
import { PyFloat, type PyValue } from "./python.ts";

const DOUBLES = new Set<string>(doubleMembers as string[]);

/** The CLI's view of `output`, the answer to `action`. */
export function normalizeOutput(action: string, output: unknown): PyValue {
  const shape = findOperation(action)?.output;
  if (shape?.kind !== "struct") return {};
  const value = struct(shape, output);
  if (action === "GetConsoleOutput" && typeof value.Output === "string") value.Output = decodeConsole(value.Output);
  return value;
}

function struct(shape: StructShape, v: unknown): { [key: string]: PyValue } {
  const out: { [key: string]: PyValue } = {};
  if (typeof v !== "object" || v === null || Array.isArray(v)) return out;
  const o = v as Record<string, unknown>;
  for (const m of shape.members) {
    const x = o[m.name];
    if (x === null || x === undefined) continue;
    const n = node(m.shape, x, DOUBLES.has(`${shape.name}.${m.name}`));
    if (n !== undefined) out[m.name] = n;
  }
  return out;
}

function node(shape: Shape, v: unknown, double: boolean): PyValue | undefined {
  switch (shape.kind) {
    case "struct":
      return struct(shape, v);
    case "list":
      if (!Array.isArray(v)) return undefined;
      return v.filter((x) => x !== null && x !== undefined).flatMap((x) => node(shape.item, x, false) ?? []);
    case "map": {
      if (typeof v !== "object" || v === null) return undefined;
      const out: { [key: string]: PyValue } = {};
      for (const [k, x] of Object.entries(v)) {
        if (x === null || x === undefined) continue;
        const n = node(shape.value, x, false);
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
