/**
 * The plan-walking XML serializer the compiled writers replaced (issue #15), kept as it was at
 * 08b1981 as the oracle of test/serialize-compiled.test.ts: the writers must produce its bytes
 * and its errors.
 */
import { Ec2Error, errors } from "../src/ec2-error.ts";
import { EC2_API_VERSION, findOperation } from "../src/operations.ts";
import type { LeafShape, Shape, StructShape } from "../src/shape-plan.ts";
import { escapeXml } from "../src/xml-escape.ts";

export const EC2_XML_NAMESPACE = `http://ec2.amazonaws.com/doc/${EC2_API_VERSION}/`;
const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n';

/** The XML body of a successful response to `action`, with `output` shaped as the SDK's `…Result`. */
export function referenceSerializeResponse(action: string, output: unknown, requestId: string): string {
  const operation = findOperation(action);
  if (!operation) throw errors.invalidAction(action);
  const root = `${action}Response`;
  let xml = `${XML_DECLARATION}<${root} xmlns="${EC2_XML_NAMESPACE}"><requestId>${escapeXml(requestId)}</requestId>`;
  const shape = operation.output;
  if (shape.kind === "struct") {
    if (output != null && typeof output !== "object") throw wrongType(root, "an object", output);
    xml += serializeStructMembers(shape, (output ?? {}) as Record<string, unknown>);
  } else {
    // Operations without output answer `<return>true</return>` on the real endpoint.
    xml += "<return>true</return>";
  }
  return `${xml}</${root}>`;
}

/** The XML of the members of `value` (without an enclosing element), walking `shape`. */
export function serializeStructMembers(shape: StructShape, value: Record<string, unknown>): string {
  let xml = "";
  const members = shape.members;
  for (let i = 0; i < members.length; i++) {
    const member = members[i]!;
    const v = value[member.name];
    if (v == null) continue;
    const memberShape = member.shape;
    switch (memberShape.kind) {
      case "string":
        xml +=
          member.openTag +
          (typeof v === "string" ? escapeXml(v) : leafText(member.xmlName, memberShape, v)) +
          member.closeTag;
        break;
      case "struct":
      case "list":
      case "map":
        xml += serializeElement(member.xmlName, memberShape, v);
        break;
      default:
        xml += member.openTag + leafText(member.xmlName, memberShape, v) + member.closeTag;
    }
  }
  return xml;
}

function serializeElement(name: string, shape: Shape, value: unknown): string {
  switch (shape.kind) {
    case "struct":
      if (typeof value !== "object" || Array.isArray(value)) throw wrongType(name, "an object", value);
      return `<${name}>${serializeStructMembers(shape, value as Record<string, unknown>)}</${name}>`;
    case "list": {
      if (!Array.isArray(value)) throw wrongType(name, "an array", value);
      if (shape.flattened) {
        let xml = "";
        for (const item of value) if (item != null) xml += serializeElement(name, shape.item, item);
        return xml;
      }
      if (value.length === 0) return `<${name}/>`;
      let xml = `<${name}>`;
      for (const item of value) if (item != null) xml += serializeElement(shape.itemXmlName, shape.item, item);
      return `${xml}</${name}>`;
    }
    case "map": {
      if (typeof value !== "object" || Array.isArray(value)) throw wrongType(name, "an object", value);
      let entries = "";
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        if (v == null) continue;
        const entry = `<${shape.keyXmlName}>${escapeXml(k)}</${shape.keyXmlName}>${serializeElement(shape.valueXmlName, shape.value, v)}`;
        entries += shape.flattened ? `<${name}>${entry}</${name}>` : `<entry>${entry}</entry>`;
      }
      return shape.flattened ? entries : `<${name}>${entries}</${name}>`;
    }
    default:
      return `<${name}>${leafText(name, shape, value)}</${name}>`;
  }
}

function leafText(name: string, shape: LeafShape, value: unknown): string {
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
const wrongType = (element: string, expected: string, value: unknown): Ec2Error =>
  new Ec2Error(
    "InternalError",
    `An internal error has occurred (response element ${element} should be ${expected}, got ${describe(value)})`,
    500,
  );

const describe = (value: unknown): string =>
  value === null ? "null" : Array.isArray(value) ? "an array" : typeof value;
