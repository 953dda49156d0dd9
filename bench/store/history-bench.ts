/**
 * JournalStore history benchmark: what keeping the whole history across snapshots costs a load.
 * Run: npx tsx bench/store/history-bench.ts [old-journal-store.ts]
 *
 * A sandbox of 110,000 events (~300-byte JSON each, appends of 500) with a snapshot (a ~1 MB state)
 * at seq 100,000, laid out two ways: one snapshot at 100,000 (segments 1..100,000 and
 * 100,001..110,000) and the host's default cadence, a snapshot every 10,000 (11 segments). Each is
 * measured on a store that keeps the history (the default), on one that compacts on snapshot (the
 * old behaviour's files on disk), and, given the path of an older journal-store.ts (e.g. extracted
 * with `git show c10b36d:packages/server/src/store/<file>.ts` for journal-store, format, fsutil,
 * lock and store into one folder), on that store (and that store opening the kept history: it
 * scanned every segment at open). Figures: a fresh open + load (recovery scan +
 * snapshot + entries after it; median of 5), reading the whole history, reading 100 events from the
 * middle, and the bytes on disk. The same log without a snapshot is the full-load reference.
 */
import { mkdtemp, readdir, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
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
const state = {
  instances: Array.from({ length: 5_000 }, (_, i) => ({
    id: `i-${i.toString(16).padStart(17, "0")}`,
    state: "running",
    tags: { Name: `web-${i}`, Team: "platform" },
    launchedAt: 1_736_000_000_000 + i,
  })),
};
const TOTAL = 110_000;
const SNAP = 100_000;

interface Store {
  create(meta: { name: string; createdAt: string; config: unknown }): Promise<void>;
  append(name: string, entries: { seq: number; event: unknown }[], expectedLastSeq: number): Promise<void>;
  saveSnapshot(name: string, seq: number, state: unknown): Promise<void>;
  load(name: string): Promise<{ snapshot?: { seq: number }; entries: unknown[] }>;
  readEntries?(name: string, fromSeq: number, toSeq?: number): Promise<unknown[]>;
  close(): Promise<void>;
}
type Open = (dir: string) => Promise<Store>;

/** Writes the log, snapshotting at each seq in `snapshots` as it passes it. */
async function build(open: Open, dir: string, snapshots: number[]): Promise<void> {
  const store = await open(dir);
  await store.create({ name: "s", createdAt: new Date().toISOString(), config: {} });
  for (let seq = 1; seq <= TOTAL; seq += 500) {
    await store.append(
      "s",
      Array.from({ length: 500 }, (_, i) => ({ seq: seq + i, event: event(seq + i) })),
      seq - 1,
    );
    const last = seq + 499;
    if (snapshots.includes(last)) await store.saveSnapshot("s", last, { ...state, seq: last });
  }
  await store.close();
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function measure(open: Open, dir: string): Promise<Record<string, string>> {
  const loads: number[] = [];
  let loaded = 0;
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    const store = await open(dir);
    const l = await store.load("s");
    loads.push(performance.now() - t0);
    loaded = l.entries.length;
    await store.close();
  }
  const out: Record<string, string> = {
    "open + load (median of 5)": `${median(loads).toFixed(0)} ms (${loaded.toLocaleString("en")} entries)`,
  };
  const store = await open(dir);
  if (store.readEntries) {
    try {
      let t0 = performance.now();
      const all = await store.readEntries("s", 1);
      out["read the whole history"] = `${(performance.now() - t0).toFixed(0)} ms (${all.length.toLocaleString("en")})`;
      t0 = performance.now();
      const mid = await store.readEntries("s", 50_001, 50_100);
      out["read 100 from the middle"] = `${(performance.now() - t0).toFixed(1)} ms (${mid.length})`;
    } catch (e) {
      out["read the whole history"] = `fails: ${(e as Error).name}`;
    }
  } else out["read the whole history"] = "(no readEntries)";
  await store.close();
  const sb = join(dir, "sandboxes", "s");
  let bytes = 0;
  const files = await readdir(sb);
  for (const f of files) bytes += (await stat(join(sb, f))).size;
  out["on disk"] =
    `${(bytes / 2 ** 20).toFixed(1)} MiB, ${files.filter((f) => f.startsWith("journal-")).length} segment(s)`;
  return out;
}

const root = await mkdtemp(join(tmpdir(), "ec2sim-history-bench-"));
const variants: [string, Open][] = [
  ["keeps history (default)", (d) => JournalStore.open(d)],
  ["compactOnSnapshot", (d) => JournalStore.open(d, { compactOnSnapshot: true })],
];
if (process.argv[2]) {
  const old = (await import(resolve(process.argv[2]))) as { JournalStore: { open(dir: string): Promise<Store> } };
  variants.push(["older store (argument)", (d) => old.JournalStore.open(d)]);
}
try {
  const results: [string, Record<string, string>][] = [];
  const dir0 = join(root, "no-snapshot");
  await build((d) => JournalStore.open(d), dir0, []);
  results.push(["no snapshot (full load)", await measure((d) => JournalStore.open(d), dir0)]);
  for (const [layout, snaps] of [
    ["one snapshot at 100,000", [SNAP]],
    ["a snapshot every 10,000", Array.from({ length: 10 }, (_, i) => (i + 1) * 10_000)],
  ] as const) {
    for (const [label, open] of variants) {
      const dir = join(root, `${layout}-${label}`.replace(/[^a-z0-9]+/gi, "-"));
      await build(open, dir, [...snaps]);
      results.push([`${layout}, ${label}`, await measure(open, dir)]);
    }
    // The older store opening a directory that kept its history scans every segment at open.
    const older = variants.find(([l]) => l.startsWith("older"));
    if (older) {
      const dir = join(root, `${layout}-keeps`.replace(/[^a-z0-9]+/gi, "-"));
      await build(variants[0]![1], dir, [...snaps]);
      results.push([`${layout}, older store on the kept history`, await measure(older[1], dir)]);
    }
  }
  const cols = [...new Set(results.flatMap(([, r]) => Object.keys(r)))];
  console.log(`| log of ${TOTAL.toLocaleString("en")} events | ${cols.join(" | ")} |`);
  console.log(`|---|${cols.map(() => "---").join("|")}|`);
  for (const [label, r] of results) console.log(`| ${label} | ${cols.map((c) => r[c] ?? "").join(" | ")} |`);
} finally {
  await rm(root, { recursive: true, force: true });
}
