/**
 * Precompiled XML writers, one per structure shape of the model: the first time a structure is
 * written, its members are turned into straight-line JavaScript (element names and tags as
 * constants, each member read by name, list loops inlined), so writing an object costs its own
 * members and no walk over shape plans. The rules are those of the plan-walking serializer it
 * replaced (element names from `xmlName`, lists wrapped in `<item>`, EC2's timestamps, members
 * missing or null omitted, unknown properties ignored, the same InternalError for a value of the
 * wrong type): test/serialize-compiled.test.ts compares the two byte for byte.
 *
 * **A frozen object is encoded once.** Its element's UTF-8 bytes are kept beside it (a WeakMap, so
 * they go with it) and written as they are the next time: core freezes the SDK-shaped objects it
 * keeps until the resource changes (an instance's answer), which makes a describe between changes
 * cost a lookup per resource. Freeze only values whose whole graph is final.
 *
 * Output goes to an `XmlOut`: text, with those kept bytes as separate chunks, so a large answer is
 * written to the socket chunk by chunk and never joined into one string.
 */
import { Ec2Error } from "./ec2-error.ts";
import type { LeafShape, Shape, StructShape } from "./shape-plan.ts";
import { escapeXml } from "./xml-escape.ts";

/** Where writers append: `s` is text not yet cut into a chunk; kept fragments are chunks of their own. */
export class XmlOut {
  s = "";
  private readonly chunks: (string | Buffer)[] = [];

  push(bytes: Buffer): void {
    if (this.s.length > 0) {
      this.chunks.push(this.s);
      this.s = "";
    }
    this.chunks.push(bytes);
  }

  /** The output as chunks (strings and buffers, in order); the XmlOut is empty afterwards. */
  finish(): (string | Buffer)[] {
    if (this.s.length > 0) this.chunks.push(this.s);
    this.s = "";
    return this.chunks.splice(0);
  }
}

/** Appends the members of `value` (no enclosing element). */
export type StructWriter = (value: Record<string, unknown>, out: XmlOut) => void;

const compiled = new WeakMap<StructShape, StructWriter>();

/** The writer of a structure's members, compiled on first use. */
export function structWriter(shape: StructShape): StructWriter {
  let w = compiled.get(shape);
  if (!w) {
    w = compile(shape);
    compiled.set(shape, w);
  }
  return w;
}

// ── the kept fragments of frozen objects ─────────────────────────────────────────────────────
interface Fragment {
  readonly shape: StructShape;
  readonly name: string;
  readonly bytes: Buffer;
}
const fragments = new WeakMap<object, Fragment>();

/** `<name>…</name>` of a frozen structure: encoded the first time, its bytes reused after. */
function frozenElement(value: object, name: string, shape: StructShape, out: XmlOut): void {
  let f = fragments.get(value);
  if (!f || f.shape !== shape || f.name !== name) {
    const sub = new XmlOut();
    sub.s = `<${name}>`;
    structWriter(shape)(value as Record<string, unknown>, sub);
    sub.s += `</${name}>`;
    const parts = sub.finish();
    const bytes =
      parts.length === 1 && typeof parts[0] === "string"
        ? Buffer.from(parts[0], "utf8")
        : Buffer.concat(parts.map((p) => (typeof p === "string" ? Buffer.from(p, "utf8") : p)));
    f = { shape, name, bytes };
    fragments.set(value, f);
  }
  out.push(f.bytes);
}

// ── helpers the generated code calls ─────────────────────────────────────────────────────────
export function leafText(name: string, shape: LeafShape, value: unknown): string {
  switch (shape.kind) {
    case "string":
      if (typeof value === "string") return escapeXml(value);
      if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") return String(value);
      throw wrongType(name, "a string", value);
    case "number":
    case "bigInteger":
    case "bigDecimal":
      if (typeof value === "number" || typeof value === "bigint") return String(value);
      if (typeof value === "string" && value.trim() !== "" && !Number.isNaN(Number(value))) return escapeXml(value);
      throw wrongType(name, "a number", value);
    case "boolean":
      if (typeof value === "boolean") return value ? "true" : "false";
      if (value === "true" || value === "false") return value;
      throw wrongType(name, "a boolean", value);
    case "timestamp":
      return formatTimestamp(name, value);
    case "blob":
      if (value instanceof Uint8Array)
        return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString("base64");
      if (typeof value === "string") return Buffer.from(value, "utf8").toString("base64");
      throw wrongType(name, "bytes", value);
    case "document":
      return escapeXml(typeof value === "string" ? value : JSON.stringify(value));
    case "unit":
      return "";
  }
}

/**
 * EC2 prints timestamps as ISO-8601 in UTC with milliseconds. Accepts a Date, an ISO string, or a
 * number of milliseconds since the epoch (JavaScript's convention).
 */
function formatTimestamp(name: string, value: unknown): string {
  const date =
    value instanceof Date
      ? value
      : typeof value === "string" || typeof value === "number"
        ? new Date(value)
        : undefined;
  if (!date || Number.isNaN(date.getTime())) throw wrongType(name, "a timestamp", value);
  return date.toISOString();
}

/** A handler returned something the model cannot carry: a server bug, reported as EC2's InternalError. */
export const wrongType = (element: string, expected: string, value: unknown): Ec2Error =>
  new Ec2Error(
    "InternalError",
    `An internal error has occurred (response element ${element} should be ${expected}, got ${describe(value)})`,
    500,
  );

const describe = (value: unknown): string =>
  value === null ? "null" : Array.isArray(value) ? "an array" : typeof value;

/** `<name>…</name>` of any shape, by walking it: lists of lists and maps (rare in EC2's answers). */
function writeElement(name: string, shape: Shape, value: unknown, out: XmlOut): void {
  switch (shape.kind) {
    case "struct":
      return structElement(name, shape, value, out);
    case "list": {
      if (!Array.isArray(value)) throw wrongType(name, "an array", value);
      if (shape.flattened) {
        for (const item of value) if (item != null) writeElement(name, shape.item, item, out);
        return;
      }
      if (value.length === 0) {
        out.s += `<${name}/>`;
        return;
      }
      out.s += `<${name}>`;
      for (const item of value) if (item != null) writeElement(shape.itemXmlName, shape.item, item, out);
      out.s += `</${name}>`;
      return;
    }
    case "map": {
      if (typeof value !== "object" || Array.isArray(value)) throw wrongType(name, "an object", value);
      if (!shape.flattened) out.s += `<${name}>`;
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        if (v == null) continue;
        out.s += shape.flattened ? `<${name}>` : "<entry>";
        out.s += `<${shape.keyXmlName}>${escapeXml(k)}</${shape.keyXmlName}>`;
        writeElement(shape.valueXmlName, shape.value, v, out);
        out.s += shape.flattened ? `</${name}>` : "</entry>";
      }
      if (!shape.flattened) out.s += `</${name}>`;
      return;
    }
    default:
      out.s += `<${name}>${leafText(name, shape, value)}</${name}>`;
  }
}

function structElement(name: string, shape: StructShape, value: unknown, out: XmlOut): void {
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw wrongType(name, "an object", value);
  if (Object.isFrozen(value)) return frozenElement(value, name, shape, out);
  out.s += `<${name}>`;
  structWriter(shape)(value as Record<string, unknown>, out);
  out.s += `</${name}>`;
}

// ── the compiler ─────────────────────────────────────────────────────────────────────────────
const q = JSON.stringify;

/**
 * Generates the writer's body. Constants the code needs (shapes, nested writers) go to `refs` and
 * are read as `r[n]`; nested structures' writers are bound lazily (`w[n]`), as structures may be
 * recursive.
 */
function compile(shape: StructShape): StructWriter {
  const refs: unknown[] = [];
  const ref = (x: unknown): string => {
    refs.push(x);
    return `r[${refs.length - 1}]`;
  };
  const nested: StructShape[] = [];
  const writerOf = (s: StructShape): string => {
    nested.push(s);
    return `w[${nested.length - 1}]`;
  };
  let code = "let x, it;\n";

  /** Code appending the element `name` for `val` (never null here) of `s`. */
  const element = (name: string, s: Shape, val: string): string => {
    const open = q(`<${name}>`);
    const close = q(`</${name}>`);
    switch (s.kind) {
      case "string":
        return `o.s += ${open} + (typeof ${val} === "string" ? esc(${val}) : leaf(${q(name)}, ${ref(s)}, ${val})) + ${close};\n`;
      case "number":
        return `o.s += ${open} + (typeof ${val} === "number" ? "" + ${val} : leaf(${q(name)}, ${ref(s)}, ${val})) + ${close};\n`;
      case "boolean":
        return `o.s += ${open} + (${val} === true ? "true" : ${val} === false ? "false" : leaf(${q(name)}, ${ref(s)}, ${val})) + ${close};\n`;
      case "struct":
        return (
          `if (typeof ${val} !== "object" || Array.isArray(${val})) throw wt(${q(name)}, "an object", ${val});\n` +
          `if (frozen(${val})) fe(${val}, ${q(name)}, ${ref(s)}, o);\n` +
          `else { o.s += ${open}; ${writerOf(s)}(${val}, o); o.s += ${close}; }\n`
        );
      case "list": {
        if (s.item.kind === "list" || s.item.kind === "map") return `el(${q(name)}, ${ref(s)}, ${val}, o);\n`;
        const itemName = s.flattened ? name : s.itemXmlName;
        const loop = `for (let k = 0; k < ${val}.length; k++) { it = ${val}[k]; if (it != null) { ${element(itemName, s.item, "it")} } }\n`;
        const check = `if (!Array.isArray(${val})) throw wt(${q(name)}, "an array", ${val});\n`;
        if (s.flattened) return check + loop;
        return `${check}if (${val}.length === 0) o.s += ${q(`<${name}/>`)};\nelse { o.s += ${open};\n${loop}o.s += ${close}; }\n`;
      }
      case "map":
        return `el(${q(name)}, ${ref(s)}, ${val}, o);\n`;
      default:
        return `o.s += ${open} + leaf(${q(name)}, ${ref(s)}, ${val}) + ${close};\n`;
    }
  };

  for (const m of shape.members) {
    code += `x = v[${q(m.name)}];\nif (x != null) {\n${element(m.xmlName, m.shape, "x")}}\n`;
  }
  const w = nested.map(
    (s, i) =>
      function bind(value: Record<string, unknown>, out: XmlOut) {
        const real = structWriter(s);
        w[i] = real;
        real(value, out);
      } as StructWriter,
  );
  const factory = new Function(
    "r",
    "w",
    "esc",
    "leaf",
    "wt",
    "frozen",
    "fe",
    "el",
    `return function write(v, o) {\n${code}};`,
  );
  return factory(refs, w, escapeXml, leafText, wrongType, Object.isFrozen, frozenElement, writeElement) as StructWriter;
}
