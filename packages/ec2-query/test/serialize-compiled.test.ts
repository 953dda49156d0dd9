/**
 * The compiled XML writers and the kept bytes of frozen objects (issue #15) against the serializer
 * they replaced (reference-serializer.ts): the same bytes for random outputs of every operation
 * (frozen or not, written once or again from what was kept), the same errors for values of the
 * wrong type, and the same answers for a varied sandbox's DescribeInstances.
 */
import { describe, expect, it } from "vitest";
import { ME, REGION } from "../../core/test/network-world.ts";
import { variedInstances } from "../../core/test/varied-instances.ts";
import {
  bodyText,
  createQueryHandler,
  findOperation,
  listOperations,
  type Shape,
  serializeResponse,
  serializeResponseBody,
} from "../src/index.ts";
import { prng, randomStruct } from "./random-values.ts";
import { referenceSerializeResponse } from "./reference-serializer.ts";

function deepFreeze<T>(x: T): T {
  if (x && typeof x === "object" && !(x instanceof Date) && !ArrayBuffer.isView(x) && !Object.isFrozen(x)) {
    Object.freeze(x);
    for (const v of Object.values(x)) deepFreeze(v);
  }
  return x;
}

const errorOf = (f: () => unknown): string => {
  try {
    f();
    return "no error";
  } catch (e) {
    const err = e as { code?: string; message: string };
    return `${err.code}: ${err.message}`;
  }
};

/** A copy of `value` with one member (chosen by `rnd`) swapped for a value of another kind. */
function withWrongType(value: unknown, rnd: () => number): unknown {
  const wrong = [{ a: 1 }, [1, 2], "text", "", 12, true, Number.NaN, new Date(Number.NaN), Symbol.for("x")];
  const paths: (string | number)[][] = [];
  const walk = (v: unknown, path: (string | number)[]) => {
    if (v && typeof v === "object" && !(v instanceof Date) && !ArrayBuffer.isView(v)) {
      for (const [k, x] of Object.entries(v)) {
        paths.push([...path, Array.isArray(v) ? Number(k) : k]);
        walk(x, [...path, Array.isArray(v) ? Number(k) : k]);
      }
    }
  };
  walk(value, []);
  if (!paths.length) return value;
  const copy = structuredClone(value) as Record<string | number, unknown>;
  const path = paths[Math.floor(rnd() * paths.length)]!;
  let at = copy;
  for (const k of path.slice(0, -1)) at = at[k] as Record<string | number, unknown>;
  at[path.at(-1)!] = wrong[Math.floor(rnd() * wrong.length)];
  return copy;
}

describe("compiled XML writers", () => {
  it("write the reference serializer's bytes for random outputs of every operation, frozen or not", () => {
    const rnd = prng(15_2026);
    let compared = 0;
    for (const action of listOperations()) {
      const shape = findOperation(action)!.output as Shape;
      for (let round = 0; round < 3; round++) {
        const output =
          shape.kind === "struct"
            ? randomStruct(shape, rnd, {
                wholeSecondTimestamps: false,
                fillIdempotencyTokens: false,
                memberProbability: 0.7,
              })
            : undefined;
        const expected = referenceSerializeResponse(action, output, "req-1");
        expect(serializeResponse(action, output, "req-1"), action).toBe(expected);
        const body = serializeResponseBody(action, output, "req-1");
        expect(body.byteLength, action).toBe(Buffer.byteLength(expected));
        // Frozen: every structure's bytes are kept the first time and reused the second.
        const frozen = deepFreeze(structuredClone(output));
        expect(serializeResponse(action, frozen, "req-1"), action).toBe(expected);
        const again = serializeResponseBody(action, frozen, "req-1");
        expect(bodyText(again), action).toBe(expected);
        expect(again.byteLength, action).toBe(Buffer.byteLength(expected));
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(2000);
  });

  it("throw the reference serializer's errors for members of the wrong type", () => {
    const rnd = prng(404);
    let failures = 0;
    for (const action of listOperations()) {
      const shape = findOperation(action)!.output as Shape;
      if (shape.kind !== "struct") continue;
      const output = randomStruct(shape, rnd, { wholeSecondTimestamps: false, fillIdempotencyTokens: false });
      const bad = withWrongType(output, rnd);
      const expected = errorOf(() => referenceSerializeResponse(action, bad, "r"));
      expect(
        errorOf(() => serializeResponse(action, bad, "r")),
        action,
      ).toBe(expected);
      expect(
        errorOf(() => serializeResponse(action, deepFreeze(bad), "r")),
        action,
      ).toBe(expected);
      if (expected !== "no error") failures++;
    }
    // Most swaps are caught (a string where a string-like value goes is not an error for either).
    expect(failures).toBeGreaterThan(200);
  });

  it("answer a varied sandbox's DescribeInstances with the reference bytes, before and after changes", async () => {
    const { sb, steps } = variedInstances("serialize-compiled");
    const handler = createQueryHandler({
      acceptAnySignature: true,
      defaultAccountId: ME,
      credentials: () => undefined,
      requestIdFactory: () => "req-2",
      dispatch: (action, input, c) => sb.call({ accountId: c.accountId, region: c.region }, action, input).output,
    });
    const ask = async (body: string) => {
      const out = await handler({ method: "POST", path: "/", headers: {}, body });
      expect(out.status, out.body).toBe(200);
      return out;
    };
    let compared = 0;
    let seen = "";
    for (const [name, step] of steps) {
      step();
      for (let twice = 0; twice < 2; twice++) {
        const expected = referenceSerializeResponse(
          "DescribeInstances",
          sb.call({ accountId: ME, region: REGION }, "DescribeInstances", {}).output,
          "req-2",
        );
        const out = await ask("Action=DescribeInstances&Version=2016-11-15");
        const joined = Buffer.concat(
          out.chunks!.chunks.map((c) => (typeof c === "string" ? Buffer.from(c, "utf8") : c)),
        ).toString("utf8");
        expect(joined, `after "${name}"`).toBe(expected);
        expect(out.body).toBe(expected);
        seen += expected;
        expect(out.chunks!.byteLength).toBe(Buffer.byteLength(expected));
        compared++;
      }
    }
    // Every state and the parts of an instance the script set out to show were in the answers.
    const xml = seen;
    for (const state of ["pending", "running", "stopping", "stopped", "terminated"]) {
      expect(xml).toContain(`<name>${state}</name>`);
    }
    for (const part of [
      "<iamInstanceProfile>",
      "<instanceLifecycle>spot",
      "<platform>windows",
      "<keyName>k1",
      "web &lt;&amp;&gt; é 日",
      "<groupName></groupName>",
      "<association>",
      "<primary>false</primary>",
      "<sourceDestCheck>false",
    ]) {
      expect(xml).toContain(part);
    }
    expect(compared).toBe(steps.length * 2);
  });
});
