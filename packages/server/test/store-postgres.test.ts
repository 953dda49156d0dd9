/**
 * PostgresStore against a real PostgreSQL server (a throwaway cluster from @ec2sim/test-pg; no
 * mocks): the shared SandboxStore contract, migrations under concurrency, two replicas appending
 * to one sandbox, NOTIFY delivery folded by core, and a restart of the server mid-run.
 * Fails (never skips) when the PostgreSQL server binaries are missing: `apt-get install -y postgresql`.
 */
import { type EventEnvelope, isEc2Error, Sandbox } from "@ec2sim/core";
import { type PgCluster, startCluster } from "@ec2sim/test-pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SandboxHost } from "../src/host.ts";
import {
  type JournalEntry,
  MIGRATIONS,
  PostgresStore,
  StoreConflictError,
  StoreError,
  StoreUnavailableError,
} from "../src/store/index.ts";
import { ev, meta, storeContract } from "./store-contract.ts";

let cluster: PgCluster;
beforeAll(async () => {
  cluster = await startCluster();
}, 120_000);
afterAll(async () => {
  await cluster?.destroy();
});

let schemas = 0;
/** A store in a schema of its own (a fresh, empty store), with short timeouts. */
function open(
  schema = `t${++schemas}`,
  extra: Partial<Parameters<typeof PostgresStore.open>[0] & object> = {},
): Promise<PostgresStore> {
  return PostgresStore.open({
    url: cluster.url,
    schema,
    connectTimeoutMs: 2_000,
    queryTimeoutMs: 5_000,
    log: () => undefined,
    ...extra,
  });
}

storeContract(
  "PostgresStore",
  () => open(),
  () => open(undefined, { compactOnSnapshot: true }),
);

const A = { accountId: "111122223333", region: "us-east-1" };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(what: string, cond: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

describe("PostgresStore schema", () => {
  it("migrates once when several replicas open a fresh database at the same time, and reopens as a no-op", async () => {
    const stores = await Promise.all(Array.from({ length: 6 }, () => open("race")));
    const rows = await cluster.psql(`SELECT version || ':' || name FROM race.migrations ORDER BY version`);
    expect(rows.split("\n")).toEqual(MIGRATIONS.map((m) => `${m.version}:${m.name}`));
    for (const s of stores) expect(await s.schemaVersion()).toBe(MIGRATIONS.at(-1)!.version);
    // One install secret for every replica: the first stored wins, whatever each proposes.
    const secrets = await Promise.all(stores.map((s, i) => s.installSecret(`candidate-${i}`)));
    expect(new Set(secrets).size).toBe(1);
    expect(secrets[0]).toMatch(/^candidate-\d$/);
    await stores[0]!.create(meta("a"));
    await Promise.all(stores.map((s) => s.close()));
    const again = await open("race");
    expect((await again.list()).map((m) => m.name)).toEqual(["a"]);
    await again.close();
  });

  it("refuses a schema migrated by a newer server", async () => {
    const s = await open("future");
    await s.close();
    await cluster.psql(`INSERT INTO future.migrations (version, name) VALUES (999, 'from the future')`);
    await expect(open("future")).rejects.toThrow(/version 999, newer than this server knows/);
  });

  it("keeps event JSON exactly as written (key order, \\u0000, big and odd numbers)", async () => {
    const s = await open();
    await s.create(meta("a"));
    const odd = { z: 1, a: [1.5e300, -0.000001, 2 ** 53 - 1], "\u0000nul": "a\u0000b", emoji: "☁️ \ud83d\ude00" };
    await s.append("a", [{ seq: 1, event: odd }], 0);
    const [e] = (await s.load("a")).entries;
    expect(JSON.stringify(e!.event)).toBe(JSON.stringify(odd));
    await s.close();
  });

  it("fails to open with StoreUnavailableError, promptly, when nothing listens", async () => {
    const t0 = Date.now();
    const err = await PostgresStore.open({ url: "postgres://x@127.0.0.1:1/none", connectTimeoutMs: 1_000 }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(StoreUnavailableError);
    expect(Date.now() - t0).toBeLessThan(3_000);
  });
});

describe("PostgresStore: two replicas", () => {
  it("appending concurrently to one sandbox never fork its history: each append succeeds or conflicts; the log is contiguous", async () => {
    const schema = `replicas${++schemas}`;
    const [r1, r2] = [await open(schema), await open(schema)];
    await r1.create(meta("shared"));
    const TOTAL = 600;
    const won = new Map<number, string>();
    let conflicts = 0;
    let acked = 0;
    const writer = async (store: PostgresStore, id: string) => {
      let known = 0;
      let n = 0;
      while (acked < TOTAL) {
        const seq = known + 1;
        const batch = n++ % 5 === 0 ? 2 : 1; // some multi-event appends too
        const entries = Array.from({ length: batch }, (_, i) => ({ seq: seq + i, event: { by: id, seq: seq + i } }));
        try {
          await store.append("shared", entries, known);
          for (const e of entries) {
            expect(won.has(e.seq), `seq ${e.seq} acknowledged twice`).toBe(false);
            won.set(e.seq, id);
          }
          acked += batch;
          known += batch;
        } catch (e) {
          expect(e).toBeInstanceOf(StoreConflictError);
          conflicts++;
          known = (e as StoreConflictError).actualLastSeq;
        }
      }
    };
    await Promise.all([
      ...Array.from({ length: 8 }, (_, i) => writer(r1, `r1.${i}`)),
      ...Array.from({ length: 8 }, (_, i) => writer(r2, `r2.${i}`)),
    ]);
    expect(conflicts).toBeGreaterThan(0); // they did race
    for (const store of [r1, r2]) {
      const { entries } = await store.load("shared");
      expect(entries.map((e) => e.seq)).toEqual(Array.from({ length: won.size }, (_, i) => i + 1));
      for (const e of entries) expect((e.event as { by: string }).by).toBe(won.get(e.seq));
    }
    await Promise.all([r1.close(), r2.close()]);
  });

  it("NOTIFY delivers another replica's appends, in order, and a subscriber folds them into the same state (sb.apply)", async () => {
    const schema = `notify${++schemas}`;
    const writerStore = await open(schema, { pollMs: 0 });
    const readerStore = await open(schema, { pollMs: 0 }); // no polling: only NOTIFY can deliver
    const host = new SandboxHost({ store: writerStore, tickMs: 0 });
    await host.create("live", { seed: "notify", paused: true });
    const base = await readerStore.load("live");
    const replica = Sandbox.replay(
      base.entries.map((e) => e.event as EventEnvelope),
      { seed: "notify" },
    );
    const delivered: number[] = [];
    const unsubscribe = readerStore.subscribe("live", base.entries.at(-1)!.seq, (entries: JournalEntry[]) => {
      delivered.push(...entries.map((e) => e.seq));
      replica.apply(entries.map((e) => e.event as EventEnvelope));
    });
    const imgs = await host.call<{ Images: { ImageId: string }[] }>("live", A, "DescribeImages", {
      Owners: ["amazon"],
      Filters: [{ Name: "name", Values: ["al2023-ami-2023*-x86_64"] }],
    });
    const run = await host.call<{ Instances: { InstanceId: string }[] }>("live", A, "RunInstances", {
      ImageId: imgs.Images[0]!.ImageId,
      InstanceType: "t3.micro",
      MinCount: 3,
      MaxCount: 3,
    });
    for (const [i, inst] of run.Instances.entries())
      await host.call("live", A, "CreateTags", {
        Resources: [inst.InstanceId],
        Tags: [{ Key: "n", Value: String(i) }],
      });
    await host.advance("live", 120_000);
    const last = (await host.info("live")).lastSeq;
    await until("the reader to fold every event", () => replica.state.seq === last);
    expect(delivered).toEqual(Array.from({ length: delivered.length }, (_, i) => base.entries.length + 1 + i));
    const describe = (sb: Sandbox) => JSON.stringify(sb.call(A, "DescribeInstances", {}).output);
    expect(describe(replica)).toBe(describe(await host.load("live")));
    expect(describe(replica)).toContain('"running"');
    unsubscribe();
    await host.close();
    await readerStore.close();
  });

  it("a subscription reports a deleted sandbox and one whose entries were compacted away", async () => {
    const s = await open(undefined, { pollMs: 0 });
    await s.create(meta("gone"));
    await s.append(
      "gone",
      [
        { seq: 1, event: ev(1) },
        { seq: 2, event: ev(2) },
      ],
      0,
    );
    const errors: Error[] = [];
    const got: number[] = [];
    s.subscribe(
      "gone",
      0,
      (es) => got.push(...es.map((e) => e.seq)),
      (e) => errors.push(e),
    );
    await until("catch-up", () => got.length === 2);
    await s.delete("gone");
    await until("the deletion", () => errors.length === 1);
    expect(errors[0]).toBeInstanceOf(StoreError);
    await s.create(meta("snap"));
    await s.append(
      "snap",
      [
        { seq: 1, event: 1 },
        { seq: 2, event: 2 },
        { seq: 3, event: 3 },
      ],
      0,
    );
    await s.saveSnapshot("snap", 2, { at: 2 });
    await s.compact("snap", 2); // a snapshot alone keeps the history
    s.subscribe(
      "snap",
      0,
      () => undefined,
      (e) => errors.push(e),
    );
    await until("the compaction", () => errors.length === 2);
    expect(errors[1]!.message).toMatch(/compacted by a snapshot/);
    await s.close();
  });
});

describe("SandboxHost on PostgresStore: two replicas", () => {
  it("replicas take turns under the sandbox's write lock: a stale replica catches up instead of conflicting; no command is refused; the log never forks", async () => {
    const schema = `hosts${++schemas}`;
    const conflicts: string[] = [];
    const log = (m: string) => void (/expected last seq/.test(m) && conflicts.push(m));
    const h1 = new SandboxHost({ store: await open(schema), tickMs: 0, log });
    const h2 = new SandboxHost({ store: await open(schema), tickMs: 0, log });
    await h1.create("s", { seed: "two-hosts", paused: true });
    await h2.load("s");
    // ed25519 keys: the test is about the write lock, and 42 RSA keys cost seconds of CPU on a busy machine.
    // Alternating: every command finds its replica one write behind, and catches up under the lock.
    for (let i = 0; i < 10; i++)
      await (i % 2 ? h2 : h1).call("s", A, "CreateKeyPair", { KeyName: `alt-${i}`, KeyType: "ed25519" });
    expect(conflicts).toEqual([]);
    // A concurrent burst: 2 clients per replica. Every command is acknowledged and in the log.
    const ok: string[] = [];
    const refused: string[] = [];
    const client = async (host: SandboxHost, id: string) => {
      for (let i = 0; i < 8; i++) {
        const name = `${id}-${i}`;
        try {
          await host.call("s", A, "CreateKeyPair", { KeyName: name, KeyType: "ed25519" });
          ok.push(name);
        } catch (e) {
          expect(isEc2Error(e) && e.code, String(e)).toBe("ServiceUnavailable");
          refused.push(name);
        }
      }
    };
    await Promise.all([client(h1, "h1a"), client(h1, "h1b"), client(h2, "h2a"), client(h2, "h2b")]);
    const check = new SandboxHost({ store: await open(schema), tickMs: 0 });
    const keys = (await check.call<{ KeyPairs: { KeyName: string }[] }>("s", A, "DescribeKeyPairs", {})).KeyPairs.map(
      (k) => k.KeyName,
    );
    expect(keys.sort()).toEqual([...Array.from({ length: 10 }, (_, i) => `alt-${i}`), ...ok].sort());
    const { events } = await check.events("s");
    expect(events.map((e) => e.seq)).toEqual(Array.from({ length: events.length }, (_, i) => i + 1));
    expect(refused).toEqual([]);
    expect(conflicts).toEqual([]);
    console.log(
      `two replicas, 4 clients x 8 CreateKeyPair: ${ok.length} acknowledged, ${refused.length} ServiceUnavailable after retries`,
    );
    await Promise.all([h1.close(), h2.close(), check.close()]);
  });
});

describe("PostgresStore: the PostgreSQL server restarts mid-run", () => {
  it("acknowledged appends survive, errors during the outage are StoreUnavailable (503 from the host) and prompt, everything recovers", async () => {
    const schema = `restart${++schemas}`;
    const store = await open(schema, { pollMs: 500 });
    const watcher = await open(schema, { pollMs: 0 });
    await store.create(meta("r"));
    const host = new SandboxHost({ store: await open(schema), tickMs: 0, log: () => undefined });
    await host.create("h", { seed: "restart", paused: true });

    const acked = new Map<number, unknown>();
    const outageErrors: unknown[] = [];
    let slowestFailureMs = 0;
    let stop = false;
    const writer = async (id: number) => {
      let known = -1;
      while (!stop) {
        if (known < 0) {
          try {
            const l = await store.load("r");
            known = l.entries.at(-1)?.seq ?? 0;
          } catch (e) {
            outageErrors.push(e);
            await sleep(50);
            continue;
          }
        }
        const seq = known + 1;
        const event = { w: id, seq };
        const t0 = Date.now();
        try {
          await store.append("r", [{ seq, event }], known);
          acked.set(seq, event);
          known = seq;
        } catch (e) {
          if (e instanceof StoreConflictError) {
            known = e.actualLastSeq;
            continue;
          }
          slowestFailureMs = Math.max(slowestFailureMs, Date.now() - t0);
          outageErrors.push(e);
          known = -1; // ambiguous: re-read what is durable
          await sleep(50);
        }
      }
    };
    const delivered: number[] = [];
    watcher.subscribe("r", 0, (es) => delivered.push(...es.map((e) => e.seq)));

    const writers = Array.from({ length: 4 }, (_, i) => writer(i));
    await until("some appends", () => acked.size >= 100);
    await cluster.stop("immediate"); // a crash: recovery from the WAL on start
    const ackedBefore = new Map(acked);
    // While it is down: store operations and host commands fail promptly and clearly.
    const t0 = Date.now();
    await expect(store.list()).rejects.toBeInstanceOf(StoreUnavailableError);
    const hostErr = await host.call("h", A, "CreateKeyPair", { KeyName: "during-outage" }).catch((e: unknown) => e);
    expect(isEc2Error(hostErr) && hostErr.code).toBe("ServiceUnavailable");
    expect(isEc2Error(hostErr) && hostErr.httpStatus).toBe(503);
    expect(Date.now() - t0).toBeLessThan(5_000);
    await sleep(500);
    await cluster.start();
    const resumedAt = acked.size;
    await until("appends to resume", () => acked.size >= resumedAt + 100, 20_000);
    stop = true;
    await Promise.all(writers);

    expect(outageErrors.length).toBeGreaterThan(0);
    for (const e of outageErrors) expect(e, String(e)).toBeInstanceOf(StoreUnavailableError);
    expect(slowestFailureMs).toBeLessThan(5_000);
    const { entries } = await store.load("r");
    expect(entries.map((e) => e.seq)).toEqual(Array.from({ length: entries.length }, (_, i) => i + 1));
    const bySeq = new Map(entries.map((e) => [e.seq, e.event]));
    for (const [seq, event] of acked) expect(bySeq.get(seq), `acknowledged seq ${seq}`).toEqual(event);
    expect([...ackedBefore.keys()].every((s) => bySeq.has(s))).toBe(true);
    // The subscriber re-LISTENed and caught up on everything, in order, exactly once.
    const last = entries.at(-1)!.seq;
    await until("the subscriber to catch up", () => delivered.at(-1) === last, 15_000);
    expect(delivered).toEqual(Array.from({ length: last }, (_, i) => i + 1));
    // The host recovers too: the sandbox reloads from what is durable.
    await host.call("h", A, "CreateKeyPair", { KeyName: "after-outage" });
    const keys = await host.call<{ KeyPairs: { KeyName: string }[] }>("h", A, "DescribeKeyPairs", {});
    expect(keys.KeyPairs.map((k) => k.KeyName)).toContain("after-outage");
    await host.close();
    await Promise.all([store.close(), watcher.close()]);
  }, 90_000);
});
