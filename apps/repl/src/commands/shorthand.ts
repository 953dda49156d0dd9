/**
 * The AWS CLI's shorthand syntax, read into plain values and then shaped by the model:
 *   Name=instance-state-name,Values=running,stopped   -> { Name, Values: [running, stopped] }
 *   ResourceType=instance,Tags=[{Key=Name,Value=web}] -> { ResourceType, Tags: [{Key, Value}] }
 *   Key=a,Value=b                                      -> { Key, Value }
 * A bare value after `Key=value,` continues that key as a list (as the CLI does). JSON values
 * (`{"Name": …}`, `[…]`) are accepted wherever shorthand is.
 */
import type { Shape } from "@ec2sim/ec2-query";

export class ShorthandError extends Error {}

type Raw = string | Raw[] | { [k: string]: Raw };

class Reader {
  i = 0;
  constructor(readonly s: string) {}
  peek(): string | undefined {
    return this.s[this.i];
  }
  eof(): boolean {
    return this.i >= this.s.length;
  }
}

/** Reads `k=v,k2=v2,…` until `stop` (or the end). */
function readPairs(r: Reader, stop?: string): Record<string, Raw> {
  const out: Record<string, Raw> = {};
  let lastKey: string | undefined;
  while (!r.eof() && r.peek() !== stop) {
    const start = r.i;
    let key = "";
    while (!r.eof() && !"=,}]".includes(r.peek()!)) key += r.s[r.i++];
    if (r.peek() === "=") {
      r.i++;
      key = key.trim();
      if (!key) throw new ShorthandError(`a key is missing before '=' at character ${start + 1}`);
      out[key] = readValue(r, stop);
      lastKey = key;
    } else {
      // a bare value: continues the previous key as a list
      if (!lastKey) throw new ShorthandError(`expected Key=Value, found '${key}'`);
      const prev = out[lastKey]!;
      out[lastKey] = Array.isArray(prev) ? [...prev, key.trim()] : [prev, key.trim()];
    }
    if (r.peek() === ",") r.i++;
  }
  if (stop) {
    if (r.peek() !== stop) throw new ShorthandError(`missing '${stop}'`);
    r.i++;
  }
  return out;
}

function readValue(r: Reader, stop?: string): Raw {
  const ch = r.peek();
  if (ch === "[") {
    r.i++;
    const items: Raw[] = [];
    while (!r.eof() && r.peek() !== "]") {
      items.push(readValue(r, "]"));
      if (r.peek() === ",") r.i++;
    }
    if (r.peek() !== "]") throw new ShorthandError("missing ']'");
    r.i++;
    return items;
  }
  if (ch === "{") {
    r.i++;
    return readPairs(r, "}");
  }
  if (ch === '"' || ch === "'") {
    const close = r.s.indexOf(ch, r.i + 1);
    if (close < 0) throw new ShorthandError(`unterminated ${ch}`);
    const v = r.s.slice(r.i + 1, close);
    r.i = close + 1;
    return v;
  }
  let v = "";
  while (!r.eof() && r.peek() !== "," && r.peek() !== stop && !(stop === "]" && r.peek() === "]")) v += r.s[r.i++];
  return v.trim();
}

/** Parses shorthand or JSON text into plain values (not yet shaped). */
export function parseShorthand(text: string): Raw | unknown {
  const t = text.trim();
  if (t.startsWith("{") || (t.startsWith("[") && !/^\[\s*\{?\s*[A-Za-z]+=/.test(t))) {
    try {
      return JSON.parse(t);
    } catch {
      // fall through: shorthand with braces, such as {Key=a,Value=b}
    }
  }
  if (t.startsWith("[")) {
    const r = new Reader(t);
    return readValue(r);
  }
  if (!/^[A-Za-z0-9_.:-]+=/.test(t)) return t;
  const r = new Reader(t);
  return readPairs(r);
}

/** Shapes a parsed value by the model: member names (any case), numbers, booleans, lists. */
export function coerce(value: unknown, shape: Shape, where: string): unknown {
  switch (shape.kind) {
    case "struct": {
      if (typeof value !== "object" || value === null || Array.isArray(value))
        throw new ShorthandError(`${where}: expected Key=Value pairs, got ${JSON.stringify(value)}`);
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) {
        const m = shape.members.find((x) => x.name.toLowerCase() === k.toLowerCase());
        if (!m)
          throw new ShorthandError(
            `${where}: unknown key '${k}' (valid: ${shape.members.map((x) => x.name).join(", ")})`,
          );
        out[m.name] = coerce(v, m.shape, `${where}.${m.name}`);
      }
      return out;
    }
    case "list": {
      const items = Array.isArray(value)
        ? value
        : typeof value === "string" && shape.item.kind !== "struct"
          ? value.split(",")
          : [value];
      return items.map((x, i) => coerce(x, shape.item, `${where}[${i}]`));
    }
    case "map": {
      if (typeof value !== "object" || value === null) throw new ShorthandError(`${where}: expected key=value pairs`);
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, coerce(v, shape.value, `${where}.${k}`)]));
    }
    case "number":
    case "bigInteger":
    case "bigDecimal": {
      const n = typeof value === "number" ? value : Number(value);
      if (typeof value === "string" && value.trim() === "") throw new ShorthandError(`${where}: expected a number`);
      if (!Number.isFinite(n)) throw new ShorthandError(`${where}: expected a number, got '${String(value)}'`);
      return n;
    }
    case "boolean": {
      if (typeof value === "boolean") return value;
      const s = String(value).toLowerCase();
      if (s === "true") return true;
      if (s === "false") return false;
      throw new ShorthandError(`${where}: expected true or false, got '${String(value)}'`);
    }
    default:
      if (typeof value === "object" && value !== null) throw new ShorthandError(`${where}: expected a single value`);
      return String(value);
  }
}
