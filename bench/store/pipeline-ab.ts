/**
 * The journal's group commit, this checkout's store beside an older one, alternating in one process
 * (issue #15: the pipelined group commit). Run:
 *   npx tsx bench/store/pipeline-ab.ts <folder holding an older packages/server/src/store> [rounds]
 * (e.g. `mkdir -p packages/server/src/store-old && for f in $(git ls-tree --name-only <commit>
 * packages/server/src/store/); do git show <commit>:$f > packages/server/src/store-old/$(basename $f); done`:
 * it must sit inside the repository so its imports resolve).
 * Three shapes of appenders, one ~200-byte event per append, every append durable before it resolves:
 * one appender; 20 in lockstep (each appends again as soon as its append resolves: they all land in
 * the same batch); 20 staggered (each waits a turn of the event loop between appends and starts up
 * to 4 ms late, as HTTP clients arrive) — the shape where appends arrive while a sync runs.
 * Prints appends/s per round, and the batches and overlapped records of the last round's journal.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { JournalStore as NewStore } from "../../packages/server/src/store/index.ts";
import { journalRecords } from "./journal-records.ts";

const oldDir = process.argv[2];
if (!oldDir) throw new Error("usage: pipeline-ab.ts <folder of an older store> [rounds]");
const rounds = Number(process.argv[3] ?? 4);
const { JournalStore: OldStore } = (await import(pathToFileURL(resolve(oldDir, "index.ts")).href)) as {
  JournalStore: typeof NewStore;
};

const ev = (seq: number) => ({
  type: "InstanceStateChanged",
  seq,
  instanceId: `i-${seq.toString(16).padStart(17, "0")}`,
  from: "pending",
  to: "running",
  tags: { Name: `web-${seq % 97}`, Team: "platform" },
});
const meta = (name: string) => ({ name, createdAt: new Date().toISOString(), config: {} });

async function run(store: NewStore, name: string, appenders: number, total: number, stagger: boolean) {
  await store.create(meta(name));
  let next = 1;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: appenders }, async (_, k) => {
      if (stagger) await new Promise((r) => setTimeout(r, k % 5));
      while (next <= total) {
        const seq = next++;
        await store.append(name, [{ seq, event: ev(seq) }], seq - 1);
        if (stagger) await new Promise((r) => setImmediate(r));
      }
    }),
  );
  return Math.round((total / (performance.now() - t0)) * 1000);
}

/** Records, write batches and records written while an earlier batch's sync ran. */
async function batches(dir: string): Promise<string> {
  let records = 0;
  let overlapped = 0;
  const ids = new Set<number>();
  for await (const rec of journalRecords(dir)) {
    records++;
    ids.add(rec.batchSeq);
    if (rec.flags >>> 8) overlapped++;
  }
  return `${records} records in ${ids.size} batches, ${overlapped} overlapped`;
}

const shapes = [
  ["1 appender", 1, 1_000, false],
  ["20 lockstep", 20, 10_000, false],
  ["20 staggered", 20, 10_000, true],
] as const;
const rates: Record<string, number[]> = {};
for (let round = 1; round <= rounds; round++) {
  for (const [label, Store] of [
    ["older", OldStore],
    ["this", NewStore],
  ] as const) {
    const dir = await mkdtemp(join(tmpdir(), "ec2sim-ab-"));
    const store = await Store.open(dir);
    for (const [shape, appenders, total, stagger] of shapes) {
      const name = shape.replace(/ /g, "-");
      (rates[`${label}, ${shape}`] ??= []).push(await run(store, name, appenders, total, stagger));
      if (round === rounds) console.log(`${label}, ${shape}: ${await batches(join(dir, "sandboxes", name))}`);
    }
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
  console.log(`round ${round} done, load average ${loadavg()[0]!.toFixed(1)}`);
}
for (const [k, v] of Object.entries(rates)) {
  const median = [...v].sort((a, b) => a - b)[v.length >> 1];
  console.log(`${k}: ${v.join(", ")} appends/s (median ${median})`);
}
