/**
 * Seeded random values for any model shape, for round-trip tests across every operation: the SDK
 * is the independent oracle of the wire format, these plans only choose what to send.
 */
import type { Shape, StructShape } from "../src/index.ts";

export function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ALPHABET = [
  "a",
  "Z",
  "0",
  "-",
  "_",
  ".",
  "/",
  " ",
  "&",
  "=",
  "+",
  "%",
  "<",
  ">",
  '"',
  "'",
  "é",
  "ü",
  "日",
  "😀",
  "\t",
  "\r\n",
];

export interface RandomOptions {
  /** Timestamps at whole seconds: the SDK's request serializer drops milliseconds. */
  readonly wholeSecondTimestamps: boolean;
  /** Always fill idempotency tokens, which the SDK would otherwise generate. */
  readonly fillIdempotencyTokens: boolean;
  /** Chance that an optional member is present. */
  readonly memberProbability?: number;
  /** Deepest nesting generated (lists and structures each count one level). */
  readonly maxDepth?: number;
}

export function randomString(rnd: () => number): string {
  const n = 1 + Math.floor(rnd() * 12);
  let s = "x";
  for (let i = 0; i < n; i++) s += ALPHABET[Math.floor(rnd() * ALPHABET.length)];
  return s;
}

/** A random value of `shape`; never an empty structure or list, which the wire cannot tell from absent. */
export function randomValue(shape: Shape, rnd: () => number, options: RandomOptions, depth = 0): unknown {
  switch (shape.kind) {
    case "struct":
      return randomStruct(shape, rnd, options, depth);
    case "list": {
      if (depth > (options.maxDepth ?? 6)) return undefined;
      const n = 1 + Math.floor(rnd() * 3);
      const items: unknown[] = [];
      for (let i = 0; i < n; i++) {
        const v = randomValue(shape.item, rnd, options, depth + 1);
        if (v !== undefined) items.push(v);
      }
      return items.length ? items : undefined;
    }
    case "map":
      return { k1: randomValue(shape.value, rnd, options, depth + 1) };
    case "string":
    case "document":
      return randomString(rnd);
    case "number":
      return rnd() < 0.8 ? Math.floor(rnd() * 100000) : Math.round(rnd() * 1000) / 8;
    case "boolean":
      return rnd() < 0.5;
    case "timestamp": {
      const ms = Date.UTC(2020, 0, 1) + Math.floor(rnd() * 5 * 365 * 86400) * 1000;
      return new Date(options.wholeSecondTimestamps ? ms : ms + Math.floor(rnd() * 1000));
    }
    case "blob":
      return new Uint8Array(Array.from({ length: 1 + Math.floor(rnd() * 20) }, () => Math.floor(rnd() * 256)));
    case "bigInteger":
      return BigInt(Math.floor(rnd() * 1e9));
    case "bigDecimal":
      return String(Math.floor(rnd() * 1e6));
    case "unit":
      return undefined;
  }
}

export function randomStruct(
  shape: StructShape,
  rnd: () => number,
  options: RandomOptions,
  depth = 0,
): Record<string, unknown> | undefined {
  if (depth > (options.maxDepth ?? 6)) return undefined;
  const out: Record<string, unknown> = {};
  for (const member of shape.members) {
    const must = options.fillIdempotencyTokens && member.idempotencyToken;
    if (!must && rnd() >= (options.memberProbability ?? 0.5)) continue;
    const v = randomValue(member.shape, rnd, options, depth + 1);
    if (v !== undefined) out[member.name] = v;
  }
  return Object.keys(out).length || depth === 0 ? out : undefined;
}
