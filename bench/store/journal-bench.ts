/**
 * JournalStore benchmark. Run: npx tsx bench/store/journal-bench.ts [dir]
 * (dir defaults to a fresh folder in the OS temp dir; it is removed afterwards).
 *
 * Measures appends/s with 1 and 20 concurrent appenders (one ~300-byte event per append, every
 * append durable before it resolves), bytes on disk per 1,000 events, and the time to load a
 * sandbox of 100,000 events.
 */
import { mkdtemp, readdir, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readRecordAt, SEGMENT_HEADER_SIZE } from "../../packages/server/src/store/format.ts";
import { JournalStore } from "../../packages/server/src/store/index.ts";

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

/** `appenders` concurrent loops sharing one seq counter until `total` events are appended. */
async function run(store: JournalStore, name: string, appenders: number, total: number, start = 0): Promise<number> {
  let next = start + 1;
  const end = start + total;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: appenders }, async () => {
      while (next <= end) {
        const seq = next++;
        await store.append(name, [{ seq, event: event(seq) }], seq - 1);
      }
    }),
  );
  return performance.now() - t0;
}

async function dirBytes(dir: string): Promise<number> {
  let total = 0;
  for (const f of await readdir(dir)) total += (await stat(join(dir, f))).size;
  return total;
}

/** Records and write batches (= fdatasync calls) in a sandbox's segments. */
async function batches(dir: string): Promise<{ records: number; batches: number }> {
  let records = 0;
  const ids = new Set<number>();
  for (const f of (await readdir(dir)).filter((f) => f.startsWith("journal-"))) {
    const buf = await readFile(join(dir, f));
    for (let off = SEGMENT_HEADER_SIZE; off < buf.length; ) {
      const r = readRecordAt(buf, off);
      if (!r.ok) throw new Error(`${f}: ${r.reason}`);
      records++;
      ids.add(r.rec.batchSeq);
      off = r.rec.end;
    }
  }
  return { records, batches: ids.size };
}

const root = process.argv[2] ?? (await mkdtemp(join(tmpdir(), "ec2sim-bench-")));
const store = await JournalStore.open(root);
const eventJsonBytes = JSON.stringify(event(50_000)).length;
console.log(`event JSON size ~${eventJsonBytes} bytes; store at ${root}`);

for (const appenders of [1, 20]) {
  const name = `bench-${appenders}`;
  await store.create(meta(name));
  await run(store, name, appenders, 200); // warm-up
  const n = appenders === 1 ? 3_000 : 20_000;
  const ms = await run(store, name, appenders, n, 200);
  const b = await batches(join(root, "sandboxes", name));
  console.log(
    `${appenders} appender(s): ${n} appends in ${ms.toFixed(0)} ms = ${Math.round((n / ms) * 1000)} appends/s ` +
      `(${b.records} records in ${b.batches} write+fdatasync batches, ${(b.records / b.batches).toFixed(1)} per batch)`,
  );
}

// Bytes per 1,000 events, one event per append (the usual case).
{
  await store.create(meta("size"));
  await run(store, "size", 20, 10_000);
  const bytes = await dirBytes(join(root, "sandboxes", "size"));
  console.log(`on disk: ${Math.round(bytes / 10)} bytes per 1,000 events (JSON alone: ${eventJsonBytes * 1000})`);
}

// Load time for 100,000 events.
{
  await store.create(meta("load"));
  const ms = await run(store, "load", 20, 100_000);
  console.log(`wrote 100,000 events in ${ms.toFixed(0)} ms`);
  await store.close();
  const t0 = performance.now();
  const reopened = await JournalStore.open(root);
  const loaded = await reopened.load("load");
  const first = performance.now() - t0;
  const t1 = performance.now();
  await reopened.load("load");
  const second = performance.now() - t1;
  if (loaded.entries.length !== 100_000) throw new Error(`loaded ${loaded.entries.length} events`);
  console.log(
    `load 100,000 events: ${first.toFixed(0)} ms after reopen (recovery scan + read + parse), ${second.toFixed(0)} ms again`,
  );
  await reopened.saveSnapshot("load", 100_000, { note: "a folded state would go here", size: 100_000 });
  const t2 = performance.now();
  await reopened.load("load");
  console.log(`load after a snapshot at 100,000: ${(performance.now() - t2).toFixed(1)} ms`);
  await reopened.close();
}
if (process.argv[2] === undefined) await rm(root, { recursive: true, force: true });
