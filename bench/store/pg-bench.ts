/**
 * PostgresStore beside JournalStore, measured side by side in one run.
 * Run: npx tsx bench/store/pg-bench.ts
 * (A throwaway PostgreSQL cluster from test/pg — default settings, fsync and synchronous_commit
 * on — and a journal in a fresh temp dir; both removed afterwards.)
 *
 * Per store: appends/s and p99 latency with 1 and with 20 concurrent appenders on one sandbox
 * (one ~300-byte event per append, each durable before it resolves), 20 appenders on 20 sandboxes,
 * and the time to load a sandbox of 100,000 events.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { JournalStore, PostgresStore, type SandboxStore } from "../../packages/server/src/store/index.ts";
import { startCluster } from "../../test/pg/src/index.ts";

function event(seq: number) {
  return {
    type: "InstanceStateChanged",
    seq,
    instanceId: `i-${((seq * 2654435761) % 2 ** 32).toString(16).padStart(17, "0")}`,
    from: "pending",
    to: "running",
    at: new Date(Date.UTC(2025, 0, 1) + seq * 1000).toISOString(),
    reason: "User initiated (2025-01-01 00:00:00 GMT)",
    tags: { Name: `web-${seq % 97}`, Team: "platform", Env: "sandbox", CostCenter: "cc-1234" },
    az: "us-east-1a",
    ownerId: "111122223333",
  };
}
const meta = (name: string) => ({ name, createdAt: new Date().toISOString(), config: {} });

/** `appenders` loops sharing one seq counter per sandbox until `total` events are appended; returns ms and latencies. */
async function run(
  store: SandboxStore,
  names: string[],
  appenders: number,
  total: number,
): Promise<{ ms: number; lat: number[] }> {
  const next = new Map(names.map((n) => [n, 1]));
  let done = 0;
  const lat: number[] = [];
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: appenders }, async (_, w) => {
      const name = names[w % names.length]!;
      while (done < total) {
        done++;
        const seq = next.get(name)!;
        next.set(name, seq + 1);
        const a = performance.now();
        await store.append(name, [{ seq, event: event(seq) }], seq - 1);
        lat.push(performance.now() - a);
      }
    }),
  );
  return { ms: performance.now() - t0, lat };
}
const p99 = (lat: number[]) => [...lat].sort((a, b) => a - b)[Math.floor(lat.length * 0.99)]!;

async function measure(label: string, store: SandboxStore): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const fmt = (n: number) => Math.round(n).toLocaleString("en-US");
  await store.create(meta("one"));
  let r = await run(store, ["one"], 1, 2_000);
  out["1 appender: appends/s"] = fmt((2_000 / r.ms) * 1000);
  out["1 appender: p99 ms"] = p99(r.lat).toFixed(2);
  await store.create(meta("twenty"));
  r = await run(store, ["twenty"], 20, 10_000);
  out["20 appenders, one sandbox: appends/s"] = fmt((10_000 / r.ms) * 1000);
  out["20 appenders, one sandbox: p99 ms"] = p99(r.lat).toFixed(2);
  const many = Array.from({ length: 20 }, (_, i) => `many-${i}`);
  for (const n of many) await store.create(meta(n));
  r = await run(store, many, 20, 10_000);
  out["20 appenders, 20 sandboxes: appends/s"] = fmt((10_000 / r.ms) * 1000);
  out["20 appenders, 20 sandboxes: p99 ms"] = p99(r.lat).toFixed(2);
  await store.create(meta("big"));
  const t0 = performance.now();
  for (let seq = 1; seq <= 100_000; seq += 500) {
    await store.append(
      "big",
      Array.from({ length: 500 }, (_, i) => ({ seq: seq + i, event: event(seq + i) })),
      seq - 1,
    );
  }
  out["write 100,000 events (appends of 500) ms"] = fmt(performance.now() - t0);
  for (const k of ["load 100,000 events ms (1st)", "load 100,000 events ms (2nd)"]) {
    const t = performance.now();
    const loaded = await store.load("big");
    if (loaded.entries.length !== 100_000) throw new Error(`${label}: loaded ${loaded.entries.length}`);
    out[k] = fmt(performance.now() - t);
  }
  return out;
}

const cluster = await startCluster();
const dir = await mkdtemp(join(tmpdir(), "ec2sim-bench-"));
try {
  const journal = await JournalStore.open(dir);
  const jr = await measure("journal", journal);
  await journal.close();
  const pgStore = await PostgresStore.open({ url: cluster.url, poolSize: 20 });
  const pr = await measure("postgres", pgStore);
  await pgStore.close();
  const version = await cluster.psql("SHOW server_version");
  console.log(
    `PostgreSQL ${version} (throwaway cluster, fsync on, synchronous_commit on, loopback TCP), Node ${process.version}\n`,
  );
  console.log("| measure | JournalStore | PostgresStore |\n|---|---|---|");
  for (const k of Object.keys(jr)) console.log(`| ${k} | ${jr[k]} | ${pr[k]} |`);
} finally {
  await rm(dir, { recursive: true, force: true });
  await cluster.destroy();
}
