// cty values <-> msgpack (the DynamicValue encoding terraform uses).
// Unknown values arrive as msgpack extension type 0; terraform >= 1.6 also sends extension
// type 12 for "refined" unknowns (e.g. known not-null, string prefix, number bounds). Both are
// decoded into Unknown and encoded back byte for byte.
import { decode, ExtensionCodec, encode } from "@msgpack/msgpack";

export class Unknown {
  constructor(
    readonly extType: number = 0,
    readonly data: Uint8Array = new Uint8Array([0]),
  ) {}
}

/** A fresh, unrefined unknown value (what `d4 00 00` decodes to). */
export const UNKNOWN = new Unknown();

export function isUnknown(v: unknown): v is Unknown {
  return v instanceof Unknown;
}

const codec = new ExtensionCodec();
for (const type of [0, 12]) {
  codec.register({
    type,
    encode: (input: unknown) => (input instanceof Unknown && input.extType === type ? input.data : null),
    decode: (data: Uint8Array) => new Unknown(type, data.slice()),
  });
}

export function decodeValue(bytes: Uint8Array | undefined): unknown {
  if (!bytes || bytes.length === 0) return null;
  return decode(bytes, { extensionCodec: codec });
}

export function encodeValue(value: unknown): Uint8Array {
  return encode(value ?? null, { extensionCodec: codec, ignoreUndefined: false });
}

/** Does the value contain any unknown anywhere? */
export function containsUnknown(v: unknown): boolean {
  if (v instanceof Unknown) return true;
  if (Array.isArray(v)) return v.some(containsUnknown);
  if (v !== null && typeof v === "object" && !(v instanceof Uint8Array)) return Object.values(v).some(containsUnknown);
  return false;
}
