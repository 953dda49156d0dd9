/**
 * The clock's bounds and owner (issue #11): advances and speeds are validated with a clear error,
 * simulated time never leaves year 9999, a log written before the bounds still loads (its
 * out-of-bounds times repaired and counted), and the clock's operators are explicit.
 */
import { describe, expect, it } from "vitest";
import { type EventEnvelope, isEc2Error, MAX_ADVANCE_MS, MAX_SIM_TIME, Sandbox } from "../src/index.ts";

const errorOf = (f: () => unknown): { code: string; message: string } | undefined => {
  try {
    f();
    return undefined;
  } catch (e) {
    return isEc2Error(e) ? { code: e.code, message: e.message } : { code: "not an Ec2Error", message: String(e) };
  }
};

function sandbox(): Sandbox {
  const sb = new Sandbox({ seed: "clock", realNow: () => 0 });
  sb.createAccount({ accountId: "111122223333" });
  sb.createAccount({ accountId: "444455556666" });
  return sb;
}

describe("clock bounds", () => {
  it("refuses advances that are not finite, negative, longer than ten years, or past year 9999", () => {
    const sb = sandbox();
    for (const ms of [1e300, Number.POSITIVE_INFINITY, Number.NaN, -1, MAX_ADVANCE_MS + 1]) {
      const err = errorOf(() => sb.advance(ms));
      expect(err?.code).toBe("InvalidParameterValue");
      expect(err?.message).toMatch(/Cannot advance the clock/);
    }
    expect(errorOf(() => sb.advance(MAX_ADVANCE_MS + 1))?.message).toMatch(/at most 10 years/);
    const before = sb.now;
    sb.advance(MAX_ADVANCE_MS);
    expect(sb.now).toBe(before + MAX_ADVANCE_MS);
    // Nothing was recorded by the refused ones, and time prints.
    expect(new Date(sb.now).toISOString()).toMatch(/^20\d\d-/);
  });

  it("refuses speeds outside 0.001..100000", () => {
    const sb = sandbox();
    for (const speed of [0, -5, 1e-9, 1e6, Number.NaN, Number.POSITIVE_INFINITY])
      expect(errorOf(() => sb.setClock({ speed }))?.code).toBe("InvalidParameterValue");
    expect(errorOf(() => sb.setClock({ speed: 100_000 }))).toBeUndefined();
  });

  it("a running clock stops at the end of year 9999 instead of leaving the dates clients can print", () => {
    let real = 0;
    const sb = new Sandbox({ seed: "far", realNow: () => real });
    sb.createAccount({ accountId: "111122223333" });
    sb.setClock({ speed: 100_000, paused: false });
    real = 1e15;
    expect(sb.now).toBe(MAX_SIM_TIME);
    expect(new Date(sb.now).toISOString()).toBe("9999-12-31T23:59:59.999Z");
  });

  it("a log poisoned by an earlier version (clock advanced by 1e300) loads: repaired at the last valid time, counted", () => {
    // The log as an earlier version wrote it: an account, a key pair, the clock moved by 1e300, then a key pair made then.
    const writer = new Sandbox({ seed: "clock", realNow: () => 0 });
    const ctx = { accountId: "111122223333", region: "us-east-1" };
    const log: EventEnvelope[] = [...writer.createAccount({ accountId: ctx.accountId }).events];
    log.push(...writer.call(ctx, "CreateKeyPair", { KeyName: "before" }).events);
    const validNow = writer.now;
    const later = writer.call(ctx, "CreateKeyPair", { KeyName: "after" }).events;
    const poisonAt = validNow + 1e300;
    log.push({
      seq: log.length + 1,
      at: poisonAt,
      event: { type: "ClockChanged", clock: { simAtAnchor: poisonAt, realAtAnchor: 0, speed: 1, paused: true } },
    });
    for (const e of later) log.push({ ...e, seq: log.length + 1, at: poisonAt });
    const loaded = Sandbox.replay(log, { seed: "clock", realNow: () => 0 });
    expect(loaded.state.clockRepairs).toBe(1 + later.length);
    expect(loaded.now).toBe(validNow);
    expect(loaded.state.clock.simAtAnchor).toBe(validNow);
    // Everything in it prints: the key pair made "at 1e300" has the last valid time.
    const out = loaded.call(ctx, "DescribeKeyPairs", {}).output as {
      KeyPairs: { KeyName: string; CreateTime: Date }[];
    };
    expect(out.KeyPairs.map((k) => k.KeyName).sort()).toEqual(["after", "before"]);
    for (const k of out.KeyPairs) expect(new Date(k.CreateTime).toISOString()).toMatch(/^2025-/);
    // And it goes on: the clock moves again within its bounds.
    loaded.advance(60_000);
    expect(loaded.now).toBe(validNow + 60_000);
  });
});

describe("clock operators", () => {
  it("until named, the first account created is the operator; named operators replace it; unknown accounts are refused", () => {
    const sb = sandbox();
    expect(sb.isClockOperator("111122223333")).toBe(true);
    expect(sb.isClockOperator("444455556666")).toBe(false);
    const events = sb.setClockOperators(["444455556666"]);
    expect(events[0]!.event).toEqual({ type: "ClockOperatorsSet", accountIds: ["444455556666"] });
    expect(sb.isClockOperator("111122223333")).toBe(false);
    expect(sb.isClockOperator("444455556666")).toBe(true);
    expect(errorOf(() => sb.setClockOperators(["999999999999"]))?.code).toBe("InvalidParameterValue");
  });
});
