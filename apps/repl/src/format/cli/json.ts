/** `--output json`: Python's `json.dump(value, indent=4, ensure_ascii=False)`, as the AWS CLI writes it. */
import { floatRepr, isDict, PyFloat, type PyValue } from "./python.ts";

const ESCAPES: Record<string, string> = {
  '"': '\\"',
  "\\": "\\\\",
  "\n": "\\n",
  "\r": "\\r",
  "\t": "\\t",
  "\b": "\\b",
  "\f": "\\f",
};

/** A JSON string as Python writes it (non-ASCII kept, other control characters as \u00XX). */
export function pyJsonString(s: string): string {
  return `"${s.replace(/["\\\x00-\x1f]/g, (c) => ESCAPES[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`)}"`;
}

export function pyJson(v: PyValue, indent = 4, level = 0): string {
  if (v === null) return "null";
  if (v === true) return "true";
  if (v === false) return "false";
  if (v instanceof PyFloat) return jsonFloat(v.value);
  if (typeof v === "number") return Number.isInteger(v) ? String(v) : jsonFloat(v);
  if (typeof v === "string") return pyJsonString(v);
  const pad = " ".repeat(indent * (level + 1));
  const end = " ".repeat(indent * level);
  if (Array.isArray(v)) {
    if (!v.length) return "[]";
    return `[\n${v.map((x) => pad + pyJson(x, indent, level + 1)).join(",\n")}\n${end}]`;
  }
  if (!isDict(v)) return "null";
  const entries = Object.entries(v);
  if (!entries.length) return "{}";
  return `{\n${entries.map(([k, x]) => `${pad}${pyJsonString(k)}: ${pyJson(x, indent, level + 1)}`).join(",\n")}\n${end}}`;
}

/** json.dumps of a float: repr, with NaN/Infinity spelled as Python's json module does. */
function jsonFloat(x: number): string {
  if (Number.isNaN(x)) return "NaN";
  if (!Number.isFinite(x)) return x > 0 ? "Infinity" : "-Infinity";
  return floatRepr(x);
}

/** The lines `aws … --output json` prints: nothing for `{}`. */
export function jsonLines(v: PyValue): string[] {
  if (isDict(v) && Object.keys(v).length === 0) return [];
  return pyJson(v).split("\n");
}
