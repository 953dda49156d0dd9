/**
 * One XML serializer for every EC2 action, driven by the model's output shapes: element names from
 * `xmlName` (`imagesSet`, `imageId`), lists wrapped in `<item>` elements, timestamps as EC2 prints
 * them (`2024-12-12T05:03:52.000Z`). The mirror image of the SDK's `XmlShapeDeserializer`.
 * Members missing (or null) in the output object are omitted; properties the model does not know
 * are ignored, so handlers may return richer objects than the wire needs. Each structure is written
 * by a writer compiled from its shape (xml-writers.ts), and frozen objects are encoded once.
 */
import { errors } from "./ec2-error.ts";
import { EC2_API_VERSION, findOperation } from "./operations.ts";
import type { StructShape } from "./shape-plan.ts";
import { escapeXml } from "./xml-escape.ts";
import { structWriter, wrongType, XmlOut } from "./xml-writers.ts";

export const EC2_XML_NAMESPACE = `http://ec2.amazonaws.com/doc/${EC2_API_VERSION}/`;
const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n';

/**
 * A response body as the chunks it was written in (strings and the kept bytes of frozen objects),
 * to be sent one after the other: a large answer is never joined into one string.
 */
export interface XmlBody {
  readonly chunks: readonly (string | Buffer)[];
  /** Its length in UTF-8 bytes (the Content-Length). */
  readonly byteLength: number;
}

/** The XML body of a successful response to `action`, with `output` shaped as the SDK's `…Result`. */
export function serializeResponse(action: string, output: unknown, requestId: string): string {
  return bodyText(serializeResponseBody(action, output, requestId));
}

/** `serializeResponse` as chunks. */
export function serializeResponseBody(action: string, output: unknown, requestId: string): XmlBody {
  const operation = findOperation(action);
  if (!operation) throw errors.invalidAction(action);
  const root = `${action}Response`;
  const out = new XmlOut();
  out.s = `${XML_DECLARATION}<${root} xmlns="${EC2_XML_NAMESPACE}"><requestId>${escapeXml(requestId)}</requestId>`;
  const shape = operation.output;
  if (shape.kind === "struct") {
    if (output != null && typeof output !== "object") throw wrongType(root, "an object", output);
    structWriter(shape)((output ?? {}) as Record<string, unknown>, out);
  } else {
    // Operations without output answer `<return>true</return>` on the real endpoint.
    out.s += "<return>true</return>";
  }
  out.s += `</${root}>`;
  const chunks = out.finish();
  let byteLength = 0;
  for (const c of chunks) byteLength += typeof c === "string" ? Buffer.byteLength(c, "utf8") : c.length;
  return { chunks, byteLength };
}

/** The body as one string (small answers, tests). */
export function bodyText(body: XmlBody): string {
  const { chunks } = body;
  if (chunks.length === 1 && typeof chunks[0] === "string") return chunks[0];
  return chunks.map((c) => (typeof c === "string" ? c : c.toString("utf8"))).join("");
}

/** The XML of the members of `value` (without an enclosing element), walking `shape`. */
export function serializeStructMembers(shape: StructShape, value: Record<string, unknown>): string {
  const out = new XmlOut();
  structWriter(shape)(value, out);
  return bodyText({ chunks: out.finish(), byteLength: 0 });
}
