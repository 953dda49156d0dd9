import { spawn, spawnSync } from "node:child_process";
import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm, truncate, writeFile } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { readRecordAt, SEGMENT_HEADER_SIZE, scanSegment } from "../src/store/format.ts";
import {
  JournalStore,
  MemoryStore,
  type SandboxStore,
  StoreCompactedError,
  StoreConflictError,
  StoreCorruptionError,
  StoreLockedError,
} from "../src/store/index.ts";
import { sandboxDirName } from "../src/store/journal-store.ts";
import { appendEach, ev, meta, storeContract } from "./store-contract.ts";

let dirs: string[] = [];
async function tempDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), "ec2sim-store-"));
  dirs.push(d);
  return d;
}
afterEach(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  dirs = [];
});

const factories: [string, () => Promise<SandboxStore>, () => Promise<SandboxStore>][] = [
  ["MemoryStore", async () => new MemoryStore(), async () => new MemoryStore({ compactOnSnapshot: true })],
  [
    "JournalStore",
    async () => JournalStore.open(await tempDir()),
    async () => JournalStore.open(await tempDir(), { compactOnSnapshot: true }),
  ],
];

for (const [label, make, makeCompacting] of factories) storeContract(label, make, makeCompacting);

describe("JournalStore on disk", () => {
  it("reopens with everything acknowledged, including odd names and snapshots", async () => {
    const dir = await tempDir();
    let store = await JournalStore.open(dir);
    const names = ["default", "../escape", "dots.and/slashes", "ünï cødé ☁", "."];
    for (const n of names) await store.create(meta(n));
    await appendEach(store, "default", 1, 20);
    await store.saveSnapshot("default", 15, { upTo: 15 });
    await store.append(
      "../escape",
      [
        { seq: 1, event: ev(1) },
        { seq: 2, event: ev(2) },
      ],
      0,
    );
    await store.close();
    expect((await readdir(join(dir, "sandboxes"))).sort()).toEqual(names.map(sandboxDirName).sort());

    store = await JournalStore.open(dir);
    await store.markClock("default", 1_736_154_093_000);
    await store.close();

    store = await JournalStore.open(dir);
    expect((await store.load("default")).clockMark).toBe(1_736_154_093_000);
    expect((await store.list()).map((m) => m.name)).toEqual([...names].sort());
    const loaded = await store.load("default");
    expect(loaded.snapshot).toEqual({ seq: 15, state: { upTo: 15 }, json: JSON.stringify({ upTo: 15 }) });
    expect(loaded.entries.map((e) => e.seq)).toEqual([16, 17, 18, 19, 20]);
    expect(loaded.entries[4]).toEqual({ seq: 20, event: ev(20) });
    expect((await store.load("../escape")).entries.map((e) => e.seq)).toEqual([1, 2]);
    await expect(store.append("default", [{ seq: 20, event: 1 }], 19)).rejects.toBeInstanceOf(StoreConflictError);
    await store.append("default", [{ seq: 21, event: ev(21) }], 20);
    expect(store.recoveries).toEqual([]);
    await store.close();
  });

  it("after a snapshot starts a new segment and keeps the segments it covers; compaction, when asked, deletes them", async () => {
    const dir = await tempDir();
    let store = await JournalStore.open(dir);
    await store.create(meta("a"));
    const sbDir = join(dir, "sandboxes", "a");
    const segments = async () => (await readdir(sbDir)).filter((f) => f.startsWith("journal-")).sort();
    await appendEach(store, "a", 1, 10);
    expect(await segments()).toEqual(["journal-0000000000000001.log"]);
    // A snapshot behind the log's end keeps the segment holding 6..10.
    await store.saveSnapshot("a", 5, { s: 5 });
    expect(await segments()).toEqual(["journal-0000000000000001.log", "journal-0000000000000011.log"]);
    await appendEach(store, "a", 11, 14);
    await store.saveSnapshot("a", 14, { s: 14 });
    // History is kept: the covered segments stay.
    expect(await segments()).toEqual([
      "journal-0000000000000001.log",
      "journal-0000000000000011.log",
      "journal-0000000000000015.log",
    ]);
    // Snapshotting again with no new entries does not start another segment.
    await store.saveSnapshot("a", 14, { s: 14, again: true });
    expect(await segments()).toEqual([
      "journal-0000000000000001.log",
      "journal-0000000000000011.log",
      "journal-0000000000000015.log",
    ]);
    await appendEach(store, "a", 15, 16);
    await store.close();
    store = await JournalStore.open(dir);
    let loaded = await store.load("a");
    expect(loaded.snapshot).toEqual({
      seq: 14,
      state: { s: 14, again: true },
      json: JSON.stringify({ s: 14, again: true }),
    });
    expect(loaded.entries.map((e) => e.seq)).toEqual([15, 16]);
    expect((await store.readEntries("a", 1)).map((e) => e.seq)).toEqual(upTo(16));
    expect((await readdir(sbDir)).filter((f) => f.endsWith(".tmp"))).toEqual([]);
    // Compaction when asked: the segments the snapshot wholly covers go.
    expect(await store.compact("a", 14)).toBe(14);
    expect(await segments()).toEqual(["journal-0000000000000015.log"]);
    await expect(store.readEntries("a", 14)).rejects.toBeInstanceOf(StoreCompactedError);
    await store.close();
    // A compacted directory (as the journal left them before history was kept) reopens as such.
    store = await JournalStore.open(dir);
    loaded = await store.load("a");
    expect(loaded.snapshot?.seq).toBe(14);
    expect(loaded.entries.map((e) => e.seq)).toEqual([15, 16]);
    await expect(store.readEntries("a", 1)).rejects.toMatchObject({ name: "StoreCompactedError", compactedSeq: 14 });
    expect((await store.readEntries("a", 15)).map((e) => e.seq)).toEqual([15, 16]);
    await store.append("a", [{ seq: 17, event: ev(17) }], 16);
    await store.close();
  });

  it("opening and loading after a snapshot read only the segments after it; older ones are verified when read", async () => {
    const dir = await tempDir();
    let store = await JournalStore.open(dir);
    await store.create(meta("a"));
    await appendEach(store, "a", 1, 10);
    await store.saveSnapshot("a", 10, { s: 10 });
    await appendEach(store, "a", 11, 20);
    await store.saveSnapshot("a", 20, { s: 20 });
    await appendEach(store, "a", 21, 22);
    await store.close();
    // Damage the oldest segment: nothing that does not read it notices.
    const oldest = join(dir, "sandboxes", "a", "journal-0000000000000001.log");
    const buf = await readFile(oldest);
    buf[buf.length - 5] = buf[buf.length - 5]! ^ 0x20;
    await writeFile(oldest, buf);
    store = await JournalStore.open(dir);
    const loaded = await store.load("a");
    expect(loaded.snapshot?.seq).toBe(20);
    expect(loaded.entries.map((e) => e.seq)).toEqual([21, 22]);
    expect((await store.readEntries("a", 11, 21)).map((e) => e.seq)).toEqual(upTo(21).slice(10));
    const err = await store.readEntries("a", 3, 4).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoreCorruptionError);
    expect((err as Error).message).toMatch(/journal-0000000000000001\.log/);
    expect(store.recoveries).toEqual([]);
    await store.close();
  });

  it("group commit: concurrent appends share one write+fsync and are all durable", async () => {
    const dir = await tempDir();
    const store = await JournalStore.open(dir);
    await store.create(meta("a"));
    await store.append("a", [{ seq: 1, event: ev(1) }], 0); // opens the log
    const acks = await Promise.all(
      Array.from({ length: 50 }, (_, i) => store.append("a", [{ seq: i + 2, event: ev(i + 2) }], i + 1)),
    );
    expect(acks).toHaveLength(50);
    await store.close();
    const buf = await readFile(join(dir, "sandboxes", "a", "journal-0000000000000001.log"));
    const batches = new Set<number>();
    let records = 0;
    for (let off = SEGMENT_HEADER_SIZE; off < buf.length; ) {
      const r = readRecordAt(buf, off);
      if (!r.ok) throw new Error(r.reason);
      batches.add(r.rec.batchSeq);
      records++;
      off = r.rec.end;
    }
    expect(records).toBe(51);
    expect(batches.size).toBeLessThan(10); // 1 for the first append, then very few for the 50
    const reopened = await JournalStore.open(dir);
    expect((await reopened.load("a")).entries.map((e) => e.seq)).toEqual(Array.from({ length: 51 }, (_, i) => i + 1));
    await reopened.close();
  });

  it("appends, snapshots, loads and a delete interleaved without awaiting stay consistent", async () => {
    const dir = await tempDir();
    const store = await JournalStore.open(dir);
    await store.create(meta("a"));
    await store.create(meta("b"));
    await appendEach(store, "a", 1, 5);
    const ops: Promise<unknown>[] = [];
    const loads: Promise<{ snapshot?: { seq: number }; entries: { seq: number }[] }>[] = [];
    for (let seq = 6; seq <= 60; seq++) {
      ops.push(store.append("a", [{ seq, event: ev(seq) }], seq - 1));
      if (seq % 10 === 0) ops.push(store.saveSnapshot("a", seq - 3, { at: seq - 3 }));
      if (seq % 7 === 0) loads.push(store.load("a"));
    }
    ops.push(store.append("b", [{ seq: 1, event: 1 }], 0), store.delete("b"));
    await Promise.all(ops);
    for (const l of await Promise.all(loads)) {
      const base = l.snapshot?.seq ?? 0;
      const seqs = l.entries.map((e) => e.seq);
      expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => base + 1 + i));
    }
    await store.close();
    const reopened = await JournalStore.open(dir);
    const loaded = await reopened.load("a");
    expect(loaded.snapshot).toEqual({ seq: 57, state: { at: 57 }, json: JSON.stringify({ at: 57 }) });
    expect(loaded.entries.map((e) => e.seq)).toEqual([58, 59, 60]);
    expect((await reopened.list()).map((m) => m.name)).toEqual(["a"]);
    await reopened.close();
  });
});

/** A store dir with sandbox "a" holding records of 1, 2, 1, 3, 1 events, each its own batch. Returns record offsets. */
async function fixture(): Promise<{
  dir: string;
  segment: string;
  bounds: { start: number; end: number; lastSeq: number }[];
}> {
  const dir = await tempDir();
  const store = await JournalStore.open(dir);
  await store.create(meta("a"));
  let seq = 0;
  for (const n of [1, 2, 1, 3, 1]) {
    await store.append(
      "a",
      Array.from({ length: n }, (_, i) => ({ seq: seq + 1 + i, event: ev(seq + 1 + i) })),
      seq,
    );
    seq += n;
  }
  await store.close();
  const segment = join(dir, "sandboxes", "a", "journal-0000000000000001.log");
  const buf = await readFile(segment);
  const bounds = [];
  for (let off = SEGMENT_HEADER_SIZE; off < buf.length; ) {
    const r = readRecordAt(buf, off);
    if (!r.ok) throw new Error(r.reason);
    bounds.push({ start: off, end: r.rec.end, lastSeq: r.rec.firstSeq + r.rec.count - 1 });
    off = r.rec.end;
  }
  expect(bounds.map((b) => b.lastSeq)).toEqual([1, 3, 4, 7, 8]);
  return { dir, segment, bounds };
}

async function loadSeqs(dir: string): Promise<{ seqs: number[]; dropped: number }> {
  const store = await JournalStore.open(dir);
  try {
    const loaded = await store.load("a");
    for (const e of loaded.entries) expect(e.event).toEqual(ev(e.seq));
    return { seqs: loaded.entries.map((e) => e.seq), dropped: store.recoveries.length };
  } finally {
    await store.close();
  }
}
const upTo = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

/**
 * Cut points inside a record that reach each way `readRecordAt` can find it unfinished: one byte
 * in, just past the magic, the checksum and the length, one short of a whole header, a header with
 * no payload, one payload byte, half the payload, one byte short of the end.
 */
const cutsInside = (rec: { start: number; end: number }): number[] =>
  [1, 4, 8, 12, 31, 32, 33, Math.floor((32 + rec.end - rec.start) / 2), rec.end - rec.start - 1].map(
    (d) => rec.start + d,
  );
/** A byte of every field of a record's header (magic, checksum, length, count, seq, batch, flags) and of its payload. */
const fieldsOf = (rec: { start: number; end: number }): number[] =>
  [0, 4, 8, 12, 16, 24, 28, 32, Math.floor((32 + rec.end - rec.start) / 2), rec.end - rec.start - 1].map(
    (d) => rec.start + d,
  );

describe("JournalStore recovery", () => {
  // Where a torn tail is cut is decided by one pure function, the recover-mode scan the store runs
  // on the last segment at its first load: it is checked at every byte offset. The store around
  // it (open, load, cut the file, append, reopen) does the same at any offset, so it is driven at
  // every record boundary and at the cut points inside every record that reach each branch of the
  // scan: the whole proof at a tenth of the opens (each open starts a flock helper process).
  it("a tail torn at every byte offset recovers exactly the complete records, then appends go on", {
    timeout: 240_000,
  }, async () => {
    const { dir, segment, bounds } = await fixture();
    const full = await readFile(segment);
    const expected = (len: number) => {
      const complete = bounds.filter((b) => b.end <= len);
      return {
        lastSeq: complete.length ? complete[complete.length - 1]!.lastSeq : 0,
        validLength: complete.length ? complete[complete.length - 1]!.end : SEGMENT_HEADER_SIZE,
      };
    };
    for (let len = SEGMENT_HEADER_SIZE; len < full.length; len++) {
      const { lastSeq, validLength } = expected(len);
      const scan = scanSegment(full.subarray(0, len), segment, 1, "recover");
      expect({ lastSeq: scan.lastSeq, validLength: scan.validLength }, `length ${len}`).toEqual({
        lastSeq,
        validLength,
      });
      expect(scan.dropped?.bytes ?? 0, `length ${len}`).toBe(len - validLength);
    }
    const lengths = [SEGMENT_HEADER_SIZE, ...bounds.flatMap((b) => [...cutsInside(b), b.end])].filter(
      (len) => len < full.length,
    );
    for (const len of lengths) {
      await writeFile(segment, full.subarray(0, len));
      const { lastSeq, validLength } = expected(len);
      const store = await JournalStore.open(dir);
      const loaded = await store.load("a");
      expect(
        loaded.entries.map((e) => e.seq),
        `length ${len}`,
      ).toEqual(upTo(lastSeq));
      expect(store.recoveries.length, `length ${len}`).toBe(validLength === len ? 0 : 1);
      expect((await readFile(segment)).length, `length ${len}`).toBe(validLength); // the tail is cut away
      await store.append("a", [{ seq: lastSeq + 1, event: ev(lastSeq + 1) }], lastSeq);
      await store.close();
      expect((await loadSeqs(dir)).seqs, `length ${len}`).toEqual(upTo(lastSeq + 1));
    }
  });

  it("a segment whose header is cut short is corruption (segments are created whole)", async () => {
    const { dir, segment } = await fixture();
    await truncate(segment, 10);
    const store = await JournalStore.open(dir);
    await expect(store.load("a")).rejects.toBeInstanceOf(StoreCorruptionError);
    await store.close();
  });

  it("garbage after the last record is dropped", async () => {
    const { dir, segment } = await fixture();
    await writeFile(
      segment,
      Buffer.concat([await readFile(segment), Buffer.from("\0\0\0\0garbage\xff\x45\x4a\x31 more garbage", "latin1")]),
    );
    expect(await loadSeqs(dir)).toEqual({ seqs: upTo(8), dropped: 1 });
  });

  // As above: the scan the store runs at its first load sees every flipped byte; the store itself
  // at a byte of each field (fieldsOf).
  it("a flipped byte anywhere in the last record drops that record only", { timeout: 240_000 }, async () => {
    const { dir, segment, bounds } = await fixture();
    const full = await readFile(segment);
    const last = bounds[bounds.length - 1]!;
    const flipped = (off: number) => {
      const damaged = Buffer.from(full);
      damaged[off] = damaged[off]! ^ 0x5a;
      return damaged;
    };
    for (let off = last.start; off < last.end; off++) {
      const scan = scanSegment(flipped(off), segment, 1, "recover");
      expect({ lastSeq: scan.lastSeq, validLength: scan.validLength }, `offset ${off}`).toEqual({
        lastSeq: 7,
        validLength: last.start,
      });
    }
    for (const off of fieldsOf(last)) {
      await writeFile(segment, flipped(off));
      expect(await loadSeqs(dir), `offset ${off}`).toEqual({ seqs: upTo(7), dropped: 1 });
    }
  });

  it("a flipped byte anywhere in an earlier record is reported as corruption, not skipped", {
    timeout: 240_000,
  }, async () => {
    const { dir, segment, bounds } = await fixture();
    const full = await readFile(segment);
    const flipped = (off: number) => {
      const damaged = Buffer.from(full);
      damaged[off] = damaged[off]! ^ 0x01;
      return damaged;
    };
    for (const rec of [bounds[0]!, bounds[3]!]) {
      for (let off = rec.start; off < rec.end; off++) {
        let err: unknown;
        try {
          scanSegment(flipped(off), segment, 1, "recover");
        } catch (e) {
          err = e;
        }
        expect(err, `offset ${off}`).toBeInstanceOf(StoreCorruptionError);
        expect((err as StoreCorruptionError).offset, `offset ${off}`).toBe(rec.start);
      }
      for (const off of fieldsOf(rec)) {
        await writeFile(segment, flipped(off));
        const store = await JournalStore.open(dir);
        const err = await store.load("a").catch((e: unknown) => e);
        await store.close();
        expect(err, `offset ${off}`).toBeInstanceOf(StoreCorruptionError);
        expect((err as StoreCorruptionError).offset, `offset ${off}`).toBe(rec.start);
        expect((err as Error).message).toMatch(/journal-0000000000000001\.log/);
      }
    }
    // The damaged file was left as it was: nothing truncated.
    expect((await readFile(segment)).length).toBe(full.length);
  });

  it("an unfinished write batch is dropped as a whole", async () => {
    const dir = await tempDir();
    const store = await JournalStore.open(dir);
    await store.create(meta("a"));
    await appendEach(store, "a", 1, 2);
    // Five concurrent appends are written as one batch of five records.
    await Promise.all([3, 4, 5, 6, 7].map((seq) => store.append("a", [{ seq, event: ev(seq) }], seq - 1)));
    await store.close();
    const segment = join(dir, "sandboxes", "a", "journal-0000000000000001.log");
    const buf = await readFile(segment);
    const ends: number[] = [];
    const batchOf: number[] = [];
    for (let off = SEGMENT_HEADER_SIZE; off < buf.length; ) {
      const r = readRecordAt(buf, off);
      if (!r.ok) throw new Error(r.reason);
      ends.push(r.rec.end);
      batchOf.push(r.rec.batchSeq);
      off = r.rec.end;
    }
    expect(batchOf).toEqual([1, 2, 3, 3, 3, 3, 3]);
    // Cut right after the 4th record of the batch: records 3..6 are whole, but the batch has no end.
    await truncate(segment, ends[5]!);
    expect(await loadSeqs(dir)).toEqual({ seqs: [1, 2], dropped: 1 });
  });

  it("a damaged snapshot is corruption", async () => {
    const dir = await tempDir();
    const store = await JournalStore.open(dir);
    await store.create(meta("a"));
    await appendEach(store, "a", 1, 3);
    await store.saveSnapshot("a", 3, { big: "x".repeat(100) });
    await store.close();
    const snap = join(dir, "sandboxes", "a", "snapshot.snap");
    const buf = await readFile(snap);
    buf[buf.length - 10] = buf[buf.length - 10]! ^ 0x20;
    await writeFile(snap, buf);
    const reopened = await JournalStore.open(dir);
    await expect(reopened.load("a")).rejects.toThrow(/snapshot is damaged/);
    // ...but the sandbox can still be deleted.
    await reopened.delete("a");
    expect(await reopened.list()).toEqual([]);
    await reopened.close();
  });
});

/** Starts a process that exits at once and waits until it is reaped: its pid is then dead. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ["-e", "0"]);
  await new Promise((r) => child.on("exit", r));
  return child.pid!;
}

/** Another process holding an OS lock on `file` (util-linux flock, optionally in a new PID namespace) until killed. */
async function foreignHolder(file: string, prefix: string[] = []): Promise<{ kill(): Promise<void> }> {
  const args = [...prefix, "flock", "-x", file, "sh", "-c", "echo held; exec sleep 60"];
  const child = spawn(args[0]!, args.slice(1), { stdio: ["ignore", "pipe", "inherit"], detached: true });
  await new Promise<void>((res, rej) => {
    child.stdout!.on("data", (c: Buffer) => c.toString().includes("held") && res());
    child.on("exit", (code) => rej(new Error(`lock holder exited with ${code}`)));
  });
  const exited = new Promise((r) => child.on("exit", r));
  return {
    kill: async () => {
      process.kill(-child.pid!, "SIGKILL");
      await exited;
    },
  };
}

describe("JournalStore lock (an OS flock held for the store's life)", () => {
  const lockOf = (dir: string) => JSON.parse(readFileSync(join(dir, "LOCK"), "utf8")) as { pid: number; kind: string };

  it("is an OS lock naming our pid; a second open in this process fails clearly; close releases it", async () => {
    const dir = await tempDir();
    const store = await JournalStore.open(dir);
    expect(store.lockKind).toBe("flock");
    expect(lockOf(dir)).toMatchObject({ pid: process.pid, kind: "flock" });
    const err = await JournalStore.open(dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoreLockedError);
    expect((err as Error).message).toMatch(/already open in this process/);
    // Another process cannot take it either (the kernel says so, not a pid).
    const probe = spawnSync("flock", ["-n", join(dir, "LOCK"), "true"]);
    expect(probe.status).not.toBe(0);
    await store.close();
    expect(readFileSync(join(dir, "LOCK"), "utf8")).toBe(""); // kept (never unlinked), holder cleared
    expect(spawnSync("flock", ["-n", join(dir, "LOCK"), "true"]).status).toBe(0);
    const again = await JournalStore.open(dir);
    await again.close();
  });

  it("two concurrent opens in one process: exactly one wins", async () => {
    const dir = await tempDir();
    const results = await Promise.allSettled([JournalStore.open(dir), JournalStore.open(dir), JournalStore.open(dir)]);
    const won = results.filter((r) => r.status === "fulfilled");
    expect(won).toHaveLength(1);
    for (const r of results) if (r.status === "rejected") expect(r.reason).toBeInstanceOf(StoreLockedError);
    await (won[0] as PromiseFulfilledResult<JournalStore>).value.close();
  });

  it("fails while a process in another PID namespace holds it, whatever the file says; opens once it dies", async () => {
    const dir = await tempDir();
    const file = join(dir, "LOCK");
    // What the holder wrote names a pid that is dead here: a pid lock would have judged it stale.
    await writeFile(file, JSON.stringify({ pid: await deadPid(), hostname: hostname(), acquiredAt: "x", token: "t" }));
    const holder = await foreignHolder(file, ["unshare", "--pid", "--fork", "--mount-proc"]);
    try {
      const err = await JournalStore.open(dir, { lockWaitMs: 200 }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StoreLockedError);
      expect((err as Error).message).toContain("is in use by process");
      expect(readdirSyncLock(dir)).toEqual(["LOCK"]);
    } finally {
      await holder.kill();
    }
    const store = await JournalStore.open(dir, { lockWaitMs: 200 });
    expect(lockOf(dir).pid).toBe(process.pid);
    await store.close();
  });

  it("waits for a holder that is about to let go (a server killed a moment ago)", async () => {
    const dir = await tempDir();
    const holder = await foreignHolder(join(dir, "LOCK"));
    const opening = JournalStore.open(dir, { lockWaitMs: 10_000 });
    await holder.kill();
    const store = await opening;
    expect(lockOf(dir).pid).toBe(process.pid);
    await store.close();
  });

  it("a lock file left by a dead holder, our own pid from an earlier life, or garbage is simply taken", async () => {
    const stale = [
      { pid: await deadPid(), hostname: hostname(), acquiredAt: "x", token: "dead" },
      { pid: process.pid, hostname: hostname(), acquiredAt: "x", token: "mine-before-restart" },
      "not json at all",
    ];
    for (const content of stale) {
      const dir = await tempDir();
      await writeFile(join(dir, "LOCK"), typeof content === "string" ? content : JSON.stringify(content));
      const store = await JournalStore.open(dir, { lockWaitMs: 0 });
      expect(lockOf(dir).pid).toBe(process.pid);
      expect(readdirSyncLock(dir)).toEqual(["LOCK"]); // nothing left aside
      await store.close();
    }
  });

  it("if its helper dies, the store is told and refuses every write from then on", async () => {
    const dir = await tempDir();
    let lost: Error | undefined;
    const store = await JournalStore.open(dir, { onLockLost: (e) => (lost = e) });
    await store.create(meta("a"));
    await store.append("a", [{ seq: 1, event: ev(1) }], 0);
    const holder = lockOf(dir);
    expect(holder.pid).toBe(process.pid);
    // The helper is the only other process holding the lock file open: find it through /proc.
    const helpers = readdirSync("/proc")
      .filter((p) => /^\d+$/.test(p))
      .filter((p) => {
        try {
          return readdirSync(`/proc/${p}/fd`).some((fd) => {
            try {
              return readlinkSync(`/proc/${p}/fd/${fd}`) === join(dir, "LOCK");
            } catch {
              return false;
            }
          });
        } catch {
          return false;
        }
      })
      .map(Number);
    expect(helpers.length).toBeGreaterThan(0);
    for (const pid of helpers) process.kill(pid, "SIGKILL");
    const deadline = Date.now() + 10_000;
    while (!lost && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(lost?.message).toMatch(/lost the lock/);
    await expect(store.append("a", [{ seq: 2, event: ev(2) }], 1)).rejects.toThrow(/lost the lock/);
    await store.close();
  });
});

function readdirSyncLock(dir: string): string[] {
  return readdirSync(dir).filter((f) => f.startsWith("LOCK"));
}
