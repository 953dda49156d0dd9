// A minimal protocol-buffers (proto3) codec driven by static message descriptors.
// Only what tfplugin6 and go-plugin's controller need: varint scalars (int64, bool, enum),
// length-delimited (string, bytes, messages), repeated fields and map<string, Message>.
// Unknown fields are skipped on decode. Written by hand so that start-up costs no .proto parsing.

export type ScalarKind = "string" | "bytes" | "bool" | "int64" | "enum";

export interface FieldDesc {
  readonly no: number;
  readonly name: string;
  /** A scalar kind, or a thunk to a message descriptor (thunks allow recursion). */
  readonly kind: ScalarKind | (() => MessageDesc);
  readonly repeated?: boolean;
  /** map<string, V>: kind is V (scalar string or message thunk). */
  readonly map?: boolean;
}

export interface MessageDesc {
  readonly name: string;
  readonly fields: readonly FieldDesc[];
}

const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder();

class Writer {
  private buf = new Uint8Array(256);
  pos = 0;

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
  }

  varint(value: number | bigint): void {
    this.ensure(10);
    if (typeof value === "number" && value >= 0 && value <= 0x7fffffff) {
      let v = value >>> 0;
      while (v > 0x7f) {
        this.buf[this.pos++] = (v & 0x7f) | 0x80;
        v >>>= 7;
      }
      this.buf[this.pos++] = v;
      return;
    }
    // 64-bit two's complement for negatives and large values.
    let v = BigInt.asUintN(64, BigInt(value));
    while (v > 0x7fn) {
      this.buf[this.pos++] = Number(v & 0x7fn) | 0x80;
      v >>= 7n;
    }
    this.buf[this.pos++] = Number(v);
  }

  tag(no: number, wireType: number): void {
    this.varint((no << 3) | wireType);
  }

  bytes(data: Uint8Array): void {
    this.varint(data.length);
    this.ensure(data.length);
    this.buf.set(data, this.pos);
    this.pos += data.length;
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }
}

export function encodeMessage(desc: MessageDesc, value: Record<string, unknown>): Uint8Array {
  const w = new Writer();
  writeMessage(w, desc, value);
  return w.finish();
}

function writeMessage(w: Writer, desc: MessageDesc, value: Record<string, unknown>): void {
  for (const f of desc.fields) {
    const v = value[f.name];
    if (v === undefined || v === null) continue;
    if (f.map) {
      for (const [k, item] of Object.entries(v as Record<string, unknown>)) {
        const entry = new Writer();
        entry.tag(1, 2);
        entry.bytes(textEncoder.encode(k));
        writeField(entry, { no: 2, name: "value", kind: f.kind }, item, true);
        w.tag(f.no, 2);
        w.bytes(entry.finish());
      }
    } else if (f.repeated) {
      for (const item of v as unknown[]) writeField(w, f, item, true);
    } else {
      writeField(w, f, v, false);
    }
  }
}

function writeField(w: Writer, f: FieldDesc, v: unknown, always: boolean): void {
  switch (f.kind) {
    case "string": {
      const s = v as string;
      if (!always && s === "") return;
      w.tag(f.no, 2);
      w.bytes(textEncoder.encode(s));
      return;
    }
    case "bytes": {
      const b = v as Uint8Array;
      if (!always && b.length === 0) return;
      w.tag(f.no, 2);
      w.bytes(b);
      return;
    }
    case "bool":
      if (!always && !v) return;
      w.tag(f.no, 0);
      w.varint(v ? 1 : 0);
      return;
    case "int64":
    case "enum": {
      const n = v as number | bigint;
      if (!always && (n === 0 || n === 0n)) return;
      w.tag(f.no, 0);
      w.varint(n);
      return;
    }
    default: {
      const sub = new Writer();
      writeMessage(sub, f.kind(), v as Record<string, unknown>);
      w.tag(f.no, 2);
      w.bytes(sub.finish());
    }
  }
}

class Reader {
  pos = 0;
  constructor(
    readonly buf: Uint8Array,
    readonly end = buf.length,
  ) {}

  varint(): bigint | number {
    let result = 0;
    let shift = 0;
    // Fast path: up to 4 bytes fit in a 32-bit number.
    while (shift < 28) {
      const b = this.buf[this.pos++]!;
      result |= (b & 0x7f) << shift;
      if (b < 0x80) return result >>> 0;
      shift += 7;
    }
    let big = BigInt(result >>> 0);
    let bshift = 28n;
    for (;;) {
      if (this.pos >= this.end) throw new Error("protobuf: truncated varint");
      const b = this.buf[this.pos++]!;
      big |= BigInt(b & 0x7f) << bshift;
      if (b < 0x80) break;
      bshift += 7n;
    }
    const signed = BigInt.asIntN(64, big);
    return signed >= BigInt(Number.MIN_SAFE_INTEGER) && signed <= BigInt(Number.MAX_SAFE_INTEGER)
      ? Number(signed)
      : signed;
  }

  bytes(): Uint8Array {
    const len = Number(this.varint());
    const start = this.pos;
    this.pos += len;
    if (this.pos > this.end) throw new Error("protobuf: truncated bytes");
    return this.buf.subarray(start, this.pos);
  }

  skip(wireType: number): void {
    switch (wireType) {
      case 0:
        this.varint();
        return;
      case 1:
        this.pos += 8;
        return;
      case 2:
        this.bytes();
        return;
      case 5:
        this.pos += 4;
        return;
      default:
        throw new Error(`protobuf: unsupported wire type ${wireType}`);
    }
  }
}

export function decodeMessage<T = Record<string, unknown>>(desc: MessageDesc, data: Uint8Array): T {
  return readMessage(new Reader(data), desc) as T;
}

function readMessage(r: Reader, desc: MessageDesc): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of desc.fields) {
    if (f.map) out[f.name] = {};
    else if (f.repeated) out[f.name] = [];
  }
  while (r.pos < r.end) {
    const tag = Number(r.varint());
    const no = tag >>> 3;
    const wt = tag & 7;
    const f = desc.fields.find((x) => x.no === no);
    if (!f) {
      r.skip(wt);
      continue;
    }
    if (f.map) {
      const entryBytes = r.bytes();
      const er = new Reader(entryBytes);
      let key = "";
      let value: unknown;
      while (er.pos < er.end) {
        const etag = Number(er.varint());
        const eno = etag >>> 3;
        if (eno === 1) key = textDecoder.decode(er.bytes());
        else if (eno === 2) value = readValue(er, f.kind, etag & 7);
        else er.skip(etag & 7);
      }
      (out[f.name] as Record<string, unknown>)[key] = value;
    } else if (f.repeated) {
      (out[f.name] as unknown[]).push(readValue(r, f.kind, wt));
    } else {
      out[f.name] = readValue(r, f.kind, wt);
    }
  }
  return out;
}

function readValue(r: Reader, kind: FieldDesc["kind"], wt: number): unknown {
  switch (kind) {
    case "string":
      return textDecoder.decode(r.bytes());
    case "bytes":
      return r.bytes().slice();
    case "bool":
      return r.varint() !== 0;
    case "int64":
    case "enum":
      return r.varint();
    default: {
      if (wt !== 2) throw new Error("protobuf: message field with wrong wire type");
      const b = r.bytes();
      return readMessage(new Reader(b), kind());
    }
  }
}
