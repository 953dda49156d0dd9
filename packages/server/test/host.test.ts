/**
 * SandboxHost in-process: ordering under concurrency, durable-before-ack (for writes and for the
 * reads that follow them), a failed append, the transition ticker, and action routing.
 */

import { createPrivateKey, createPublicKey } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type EventEnvelope, isEc2Error } from "@ec2sim/core";
import { describe, expect, it } from "vitest";
import { routeAction } from "../src/dispatch.ts";
import { SandboxHost } from "../src/host.ts";
import {
  type JournalEntry,
  JournalStore,
  type LoadedSandbox,
  MemoryStore,
  type SandboxMeta,
  type SandboxStore,
} from "../src/store/index.ts";

const A = { accountId: "111122223333", region: "us-east-1" };

/** Waits (each turn of the event loop) until `cond` holds; fails after `ms`. */
async function until(cond: () => boolean, ms = 10_000): Promise<void> {
  for (const end = Date.now() + ms; !cond(); ) {
    if (Date.now() > end) throw new Error(`condition not met within ${ms} ms`);
    await new Promise((res) => setImmediate(res));
  }
}

/** A store whose appends wait for the test to release them, or fail on demand. */
class GatedStore implements SandboxStore {
  readonly inner = new MemoryStore();
  gate = false;
  /** How many of the next appends fail. */
  failNext: boolean | number = false;
  private waiting: (() => void)[] = [];
  appended = 0;
  attempts = 0;
  /** Appends held at the gate. */
  get held(): number {
    return this.waiting.length;
  }
  list() {
    return this.inner.list();
  }
  create(meta: SandboxMeta) {
    return this.inner.create(meta);
  }
  load(name: string): Promise<LoadedSandbox> {
    return this.inner.load(name);
  }
  append(name: string, entries: JournalEntry[], expected: number): Promise<void> {
    this.attempts++;
    if (this.failNext) {
      this.failNext = typeof this.failNext === "number" && this.failNext > 1 ? this.failNext - 1 : false;
      return Promise.reject(new Error("disk on fire"));
    }
    const p = this.inner.append(name, entries, expected);
    if (!this.gate) return p.then(() => void (this.appended += entries.length));
    return p.then(
      () =>
        new Promise<void>((resolve) =>
          this.waiting.push(() => {
            this.appended += entries.length;
            resolve();
          }),
        ),
    );
  }
  release() {
    const w = this.waiting;
    this.waiting = [];
    for (const f of w) f();
  }
  saveSnapshot(name: string, seq: number, state: unknown) {
    return this.inner.saveSnapshot(name, seq, state);
  }
  readEntries(name: string, fromSeq: number, toSeq?: number) {
    return this.inner.readEntries(name, fromSeq, toSeq);
  }
  compact(name: string, upToSeq: number) {
    return this.inner.compact(name, upToSeq);
  }
  delete(name: string) {
    return this.inner.delete(name);
  }
  close() {
    return this.inner.close();
  }
}

async function newestImage(host: SandboxHost, name = "t"): Promise<string> {
  const out = await host.call<{ Images: { ImageId: string; CreationDate: string }[] }>(name, A, "DescribeImages", {
    Owners: ["amazon"],
    Filters: [{ Name: "name", Values: ["al2023-ami-2023*-x86_64"] }],
  });
  return out.Images.sort((x, y) => y.CreationDate.localeCompare(x.CreationDate))[0]!.ImageId;
}

describe("SandboxHost", () => {
  it("loses and reorders nothing under 400 concurrent commands; a replay of the journal gives the same state", async () => {
    const store = new MemoryStore();
    const host = new SandboxHost({ store, tickMs: 0 });
    await host.create("t", { seed: "s", speed: 1000 });
    const image = await newestImage(host);
    const run = await host.call<{ Instances: { InstanceId: string }[] }>("t", A, "RunInstances", {
      ImageId: image,
      InstanceType: "t3.micro",
      MinCount: 8,
      MaxCount: 8,
    });
    const ids = run.Instances.map((i) => i.InstanceId);
    const jobs: Promise<unknown>[] = [];
    for (let n = 0; n < 400; n++) {
      const id = ids[n % ids.length]!;
      jobs.push(
        n % 50 === 0
          ? host.call("t", A, "RunInstances", { ImageId: image, InstanceType: "t3.nano", MinCount: 1, MaxCount: 1 })
          : host.call("t", A, "CreateTags", {
              Resources: [id],
              Tags: [{ Key: `k${Math.floor(n / ids.length)}`, Value: String(n) }],
            }),
      );
    }
    await Promise.all(jobs);
    const loaded = await store.load("t");
    loaded.entries.forEach((e, i) => {
      expect(e.seq).toBe(i + 1);
    });
    expect((loaded.entries.at(-1)!.event as EventEnvelope).seq).toBe(loaded.entries.length);
    const sb = await host.load("t");
    expect(sb.state.seq).toBe(loaded.entries.length);
    // A second host on the same store rebuilds the same sandbox from the journal alone.
    const host2 = new SandboxHost({ store, tickMs: 0 });
    const describe = (h: SandboxHost) =>
      h.call<{ Reservations: { Instances: { InstanceId: string; Tags: unknown[] }[] }[] }>(
        "t",
        A,
        "DescribeInstances",
        {},
      );
    const [one, two] = [await describe(host), await describe(host2)];
    expect(JSON.stringify(two)).toBe(JSON.stringify(one));
    const tagged = one.Reservations.flatMap((r) => r.Instances).filter((i) => ids.includes(i.InstanceId));
    expect(tagged.reduce((n, i) => n + i.Tags.length, 0)).toBe(400 - 8 + 0); // 392 CreateTags, unique keys per instance
  });

  it("answers a write, and a read after it, only once the write is durable", async () => {
    const store = new GatedStore();
    const host = new SandboxHost({ store, tickMs: 0 });
    await host.create("t", { seed: "s", paused: true });
    store.gate = true;
    let wrote = false;
    let read = false;
    // ed25519: an RSA CreateKeyPair first waits for its key from the thread pool, so it is ordered when it runs.
    const w = host.call("t", A, "CreateKeyPair", { KeyName: "k1", KeyType: "ed25519" }).then(() => (wrote = true));
    const r = host.call<{ KeyPairs: unknown[] }>("t", A, "DescribeKeyPairs", {}).then((o) => ((read = true), o));
    // The write has reached the store and is held there; an answer given early would have gone out
    // by the turn of the event loop after that.
    await until(() => store.held > 0);
    await new Promise((res) => setImmediate(res));
    expect([wrote, read]).toEqual([false, false]);
    store.release();
    const out = await r;
    await w;
    expect([wrote, read]).toEqual([true, true]);
    expect(out.KeyPairs).toHaveLength(1);
  });

  it("after a failed append: reads answer the durable state, writes answer 503 until the retry, which heals it", async () => {
    const store = new GatedStore();
    const logs: string[] = [];
    const host = new SandboxHost({ store, tickMs: 0, log: (m) => logs.push(m) });
    await host.create("t", { seed: "s", paused: true });
    await host.call("t", A, "CreateKeyPair", { KeyName: "kept", KeyType: "ed25519" });
    store.failNext = 2; // the failed write, and the first retry
    const err = await host
      .call("t", A, "CreateKeyPair", { KeyName: "lost", KeyType: "ed25519" })
      .catch((e: unknown) => e);
    expect(isEc2Error(err) && err.code).toBe("ServiceUnavailable");
    expect(isEc2Error(err) && err.httpStatus).toBe(503);
    expect(logs.join("\n")).toContain("disk on fire");
    // Reads go on, from what is durable.
    const out = await host.call<{ KeyPairs: { KeyName: string }[] }>("t", A, "DescribeKeyPairs", {});
    expect(out.KeyPairs.map((k) => k.KeyName)).toEqual(["kept"]);
    expect((await host.costReport("t")).total).toBeGreaterThanOrEqual(0);
    // A write before the retry time is refused at once, saying when it is tried again; nothing reaches the store.
    const appendsBefore = store.attempts;
    const early = await host
      .call("t", A, "CreateKeyPair", { KeyName: "early", KeyType: "ed25519" })
      .catch((e: unknown) => e);
    expect(isEc2Error(early) && early.code).toBe("ServiceUnavailable");
    expect(isEc2Error(early) && early.message).toMatch(/reads still answer, writes are tried again from/);
    expect(store.attempts).toBe(appendsBefore);
    // Writes are retried with a backoff (the first retry fails too) until one goes through.
    const deadline = Date.now() + 20_000;
    const outcomes: string[] = [];
    for (;;) {
      const r = await host.call("t", A, "CreateKeyPair", { KeyName: "after", KeyType: "ed25519" }).then(
        () => "ok",
        (e: unknown) => (isEc2Error(e) ? e.code : String(e)),
      );
      if (outcomes.at(-1) !== r) outcomes.push(r);
      if (r === "ok" || Date.now() > deadline) break;
      await new Promise((res) => setTimeout(res, 20));
    }
    expect(outcomes).toEqual(["ServiceUnavailable", "ok"]);
    expect(store.attempts - appendsBefore).toBe(2); // one failed retry, one good: no hammering in between
    expect(logs.join("\n")).toContain("takes writes again");
    const again = await host.call<{ KeyPairs: { KeyName: string }[] }>("t", A, "DescribeKeyPairs", {});
    expect(again.KeyPairs.map((k) => k.KeyName).sort()).toEqual(["after", "kept"]);
    // Healed: the next write goes straight through.
    await host.call("t", A, "CreateKeyPair", { KeyName: "next", KeyType: "ed25519" });
    await host.close();
  });

  it("persists clock transitions from the ticker without any request", async () => {
    const store = new MemoryStore();
    const host = new SandboxHost({ store, tickMs: 20 });
    await host.create("t", { seed: "s", speed: 2000 });
    const image = await newestImage(host);
    await host.call("t", A, "RunInstances", { ImageId: image, InstanceType: "t3.micro", MinCount: 1, MaxCount: 1 });
    const deadline = Date.now() + 5_000;
    let running = false;
    while (!running && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      const { entries } = await store.load("t");
      running = entries.some((e) => {
        const ev = (e.event as EventEnvelope).event as { type: string; state?: string };
        return ev.type === "InstanceStateChanged" && ev.state === "running";
      });
    }
    expect(running).toBe(true);
    await host.close();
  });

  it("concurrent RSA CreateKeyPair calls each get their own valid key (made off the event loop), which DescribeKeyPairs shows", async () => {
    const host = new SandboxHost({ store: new MemoryStore(), tickMs: 0 });
    await host.create("t", { seed: "rsa" });
    type Made = { KeyName: string; KeyMaterial: string; KeyFingerprint: string };
    const made = await Promise.all(
      Array.from({ length: 6 }, (_, i) => host.call<Made>("t", A, "CreateKeyPair", { KeyName: `rsa-${i}` })),
    );
    expect(new Set(made.map((k) => k.KeyMaterial)).size).toBe(6);
    const described = await host.call<{ KeyPairs: { KeyName: string; PublicKey: string; KeyType: string }[] }>(
      "t",
      A,
      "DescribeKeyPairs",
      { IncludePublicKey: true },
    );
    for (const k of made) {
      const priv = createPrivateKey(k.KeyMaterial);
      expect(priv.asymmetricKeyType).toBe("rsa");
      expect(priv.asymmetricKeyDetails?.modulusLength).toBe(2048);
      const pub = described.KeyPairs.find((d) => d.KeyName === k.KeyName)!;
      expect(pub.KeyType).toBe("rsa");
      // The public key shown is the private key's (OpenSSH "ssh-rsa <base64>": e then n, big-endian).
      const jwk = createPublicKey(priv).export({ format: "jwk" });
      const blob = Buffer.from(pub.PublicKey.split(" ")[1]!, "base64");
      expect(blob.toString("hex")).toContain(Buffer.from(jwk.n!, "base64url").toString("hex"));
    }
    await host.close();
  });

  it("stops simulated time while a sandbox is not hosted (no downtime billed at ×60)", async () => {
    const store = new MemoryStore();
    let real = 1_000_000;
    const host = new SandboxHost({ store, tickMs: 0, realNow: () => real });
    await host.create("t", { seed: "s", speed: 60 });
    await host.call("t", A, "CreateKeyPair", { KeyName: "k" });
    real += 10_000; // 10 s real = 10 min simulated while hosted
    await host.call("t", A, "CreateKeyPair", { KeyName: "k2" });
    const before = (await host.load("t")).now;
    real += 3_600_000; // the server is down for an hour
    const host2 = new SandboxHost({ store, tickMs: 0, realNow: () => real });
    const sb2 = await host2.load("t");
    expect(sb2.now).toBe(before);
    real += 1_000; // and runs on from there at ×60
    expect(sb2.now).toBe(before + 60_000);
    expect((await host2.info("t")).clock).toMatchObject({ speed: 60, paused: false });
    const { entries } = await store.load("t");
    expect(((entries.at(-1)!.event as EventEnvelope).event as { type: string }).type).toBe("ClockChanged");
  });

  it("a clean close records where the running clock stood: the next load resumes there, not at the last event", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ec2sim-host-rest-"));
    let real = 1_000_000;
    const host = new SandboxHost({ store: await JournalStore.open(dir), tickMs: 0, realNow: () => real });
    await host.create("t", { seed: "s", speed: 60 });
    await host.call("t", A, "CreateKeyPair", { KeyName: "k" });
    real += 29_000; // 29 s real = 29 min simulated with no event at all: what a REPL's header showed
    const seen = (await host.load("t")).now;
    const costSeen = (await host.costReport("t")).total;
    await host.close();
    real += 3_600_000;
    const host2 = new SandboxHost({ store: await JournalStore.open(dir), tickMs: 0, realNow: () => real });
    const sb2 = await host2.load("t");
    expect(sb2.now).toBe(seen);
    expect((await host2.costReport("t")).total).toBeGreaterThanOrEqual(costSeen);
    await host2.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("a crash never takes back time anyone saw: the clock resumes from the mark written ahead while it ran", async () => {
    const store = new MemoryStore();
    let real = 1_000_000;
    const host = new SandboxHost({ store, tickMs: 0, clockMarkMs: 1_000, realNow: () => real });
    await host.create("t", { seed: "s", speed: 60 });
    const image = await newestImage(host);
    await host.call("t", A, "RunInstances", { ImageId: image, InstanceType: "t3.micro", MinCount: 1, MaxCount: 1 });
    let seen = 0;
    for (let s = 0; s < 30; s++) {
      real += 1_000;
      host.tick(); // the ticker's work: fire what is due, and mark the clock
      await host.load("t").then((sb) => (seen = sb.now));
    }
    real += 400; // seen on a screen after the last tick, then kill -9 (the host is abandoned, never closed)
    seen = (await host.load("t")).now;
    real += 3_600_000;
    const host2 = new SandboxHost({ store, tickMs: 0, realNow: () => real });
    const sb2 = await host2.load("t");
    expect(sb2.now).toBeGreaterThanOrEqual(seen);
    // ahead by at most two mark periods of simulated time (×60)
    expect(sb2.now - seen).toBeLessThanOrEqual(2 * 1_000 * 60);
    expect((await store.load("t")).clockMark).toBeGreaterThanOrEqual(seen);
    await host2.close();
  });

  it("a paused clock is not marked ahead, and resumes exactly where it was paused", async () => {
    const store = new MemoryStore();
    let real = 1_000_000;
    const host = new SandboxHost({ store, tickMs: 0, realNow: () => real });
    await host.create("t", { seed: "s", speed: 60, paused: true });
    await host.advance("t", 90_000);
    const seen = (await host.load("t")).now;
    for (let s = 0; s < 5; s++) {
      real += 1_000;
      host.tick();
    }
    expect((await store.load("t")).clockMark).toBeUndefined();
    real += 3_600_000;
    const sb2 = await new SandboxHost({ store, tickMs: 0, realNow: () => real }).load("t");
    expect(sb2.now).toBe(seen);
  });

  it("routes core actions to the sandbox, model-only actions to UnsupportedOperation, others to InvalidAction", () => {
    expect(routeAction("RunInstances")).toBe("core");
    expect(routeAction("CreateVpcEndpoint")).toBe("unsupported");
    expect(routeAction("NoSuchThing")).toBe("invalid");
    expect(routeAction("GuestRun")).toBe("invalid"); // sandbox-only: the admin API's /call, not the EC2 endpoint
  });
});
