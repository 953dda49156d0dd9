/**
 * The journal's on-disk format across versions (format.ts): records and snapshots are compressed,
 * which is what keeps a sandbox's history small on disk; a data directory written by the first
 * format is still read, and appended to, by this one; the dictionary compressed records need is
 * the one they were written with; a batch written while the previous one's fdatasync still ran
 * lets recovery drop the hole a crash can leave then, and only then.
 */
import { createHash } from "node:crypto";
import { cp, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  encodeRecord,
  FLAG_DEFLATED,
  FLAG_END_OF_BATCH,
  overlapFlags,
  RECORD_HEADER_SIZE,
  readRecordAt,
  SEGMENT_HEADER_SIZE,
} from "../src/store/format.ts";
import { JournalStore, StoreCorruptionError } from "../src/store/index.ts";
import { JOURNAL_DICTIONARY_V1 } from "../src/store/journal-dictionary.ts";
import { ev, meta } from "./store-contract.ts";

let dirs: string[] = [];
async function tempDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), "ec2sim-format-"));
  dirs.push(d);
  return d;
}
afterEach(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  dirs = [];
});

/** The records of a segment file: their flags and event counts. */
async function records(file: string): Promise<{ magic: string; records: { flags: number; count: number }[] }> {
  const buf = await readFile(file);
  const out = [];
  for (let off = SEGMENT_HEADER_SIZE; off < buf.length; ) {
    const r = readRecordAt(buf, off);
    if (!r.ok) throw new Error(r.reason);
    out.push({ flags: r.rec.flags, count: r.rec.count });
    off = r.rec.end;
  }
  return { magic: buf.toString("latin1", 0, 8), records: out };
}

/** An instance-launch-like event: many alike keys and values, as the sandbox's events are. */
const launch = (seq: number) => ({
  type: "InstancesLaunched",
  region: "us-east-1",
  instances: Array.from({ length: 10 }, (_, i) => ({
    instanceId: `i-${(seq * 10 + i).toString(16).padStart(17, "0")}`,
    ownerId: "111122223333",
    availabilityZone: "us-east-1a",
    instanceType: "t3.micro",
    rootDeviceName: "/dev/xvda",
    metadataOptions: { httpTokens: "required", httpEndpoint: "enabled", httpPutResponseHopLimit: 2 },
    tags: [["Name", `web-${seq}-${i}`]],
  })),
});

describe("journal format", () => {
  it("records and snapshots are stored compressed, and read back exactly", async () => {
    const dir = await tempDir();
    const store = await JournalStore.open(dir);
    await store.create(meta("a"));
    let json = 0;
    for (let seq = 1; seq <= 50; seq++) {
      await store.append("a", [{ seq, event: launch(seq) }], seq - 1);
      json += JSON.stringify(launch(seq)).length;
    }
    const state = { instances: Array.from({ length: 50 }, (_, i) => launch(i)) };
    await store.saveSnapshot("a", 50, state);
    await store.close();

    const sandbox = join(dir, "sandboxes", "a");
    const segment = await records(join(sandbox, "journal-0000000000000001.log"));
    expect(segment.magic).toBe("EC2SJNL2");
    expect(segment.records.every((r) => r.flags & FLAG_DEFLATED)).toBe(true);
    // What a user sees: the history takes a fraction of its JSON on disk.
    expect((await stat(join(sandbox, "journal-0000000000000001.log"))).size).toBeLessThan(json / 4);
    expect((await stat(join(sandbox, "snapshot.snap"))).size).toBeLessThan(JSON.stringify(state).length / 4);

    const reopened = await JournalStore.open(dir);
    const loaded = await reopened.load("a");
    expect(loaded.snapshot?.state).toEqual(state);
    const all = await reopened.readEntries("a", 1);
    expect(all.map((e) => e.event)).toEqual(Array.from({ length: 50 }, (_, i) => launch(i + 1)));
    await reopened.close();
  });

  it("a short record stays as it is (compressing it would not make it smaller)", async () => {
    const dir = await tempDir();
    const store = await JournalStore.open(dir);
    await store.create(meta("a"));
    await store.append("a", [{ seq: 1, event: { t: 1 } }], 0);
    await store.close();
    const segment = await records(join(dir, "sandboxes", "a", "journal-0000000000000001.log"));
    expect(segment.records).toEqual([{ flags: 1, count: 1 }]);
  });

  it("a data directory of the first format is read, appended to in its own format, then continued in the new", async () => {
    const dir = await tempDir();
    await cp(join(import.meta.dirname, "fixtures", "journal-v1"), dir, { recursive: true });
    const sandbox = join(dir, "sandboxes", "old");
    const store = await JournalStore.open(dir);
    expect((await store.list()).map((m) => m.name)).toEqual(["old"]);
    const loaded = await store.load("old");
    expect(loaded.snapshot).toMatchObject({ seq: 30, state: { at: 30, note: "written by the first format" } });
    expect(loaded.entries.map((e) => e.event)).toEqual(Array.from({ length: 15 }, (_, i) => ev(31 + i)));
    expect((await store.readEntries("old", 1)).map((e) => e.event)).toEqual(
      Array.from({ length: 45 }, (_, i) => ev(i + 1)),
    );

    // Appends go on in the old segment, uncompressed (an EC2SJNL1 segment never holds compressed records).
    await store.append("old", [{ seq: 46, event: launch(46) }], 45);
    const old = await records(join(sandbox, "journal-0000000000000031.log"));
    expect(old.magic).toBe("EC2SJNL1");
    expect(old.records.every((r) => !(r.flags & FLAG_DEFLATED))).toBe(true);
    // The next snapshot starts a segment of the new format.
    await store.saveSnapshot("old", 46, { at: 46 });
    await store.append("old", [{ seq: 47, event: launch(47) }], 46);
    await store.close();
    expect((await readdir(sandbox)).filter((f) => f.startsWith("journal-")).sort()).toEqual([
      "journal-0000000000000001.log",
      "journal-0000000000000031.log",
      "journal-0000000000000047.log",
    ]);
    const fresh = await records(join(sandbox, "journal-0000000000000047.log"));
    expect(fresh).toEqual({ magic: "EC2SJNL2", records: [{ flags: 1 | FLAG_DEFLATED, count: 1 }] });

    const reopened = await JournalStore.open(dir);
    const again = await reopened.load("old");
    expect(again.snapshot).toMatchObject({ seq: 46, state: { at: 46 } });
    expect(again.entries.map((e) => e.event)).toEqual([launch(47)]);
    const history = await reopened.readEntries("old", 1);
    expect(history.map((e) => e.seq)).toEqual(Array.from({ length: 47 }, (_, i) => i + 1));
    expect(history[45]!.event).toEqual(launch(46));
    await reopened.close();
  });

  it("a compressed record in a segment of the first format is corruption, not a torn tail to drop", async () => {
    const dir = await tempDir();
    const store = await JournalStore.open(dir);
    await store.create(meta("a"));
    await store.append("a", [{ seq: 1, event: launch(1) }], 0);
    await store.close();
    const file = join(dir, "sandboxes", "a", "journal-0000000000000001.log");
    const buf = await readFile(file);
    buf.write("EC2SJNL1", 0, "latin1");
    await writeFile(file, buf);
    const reopened = await JournalStore.open(dir);
    await expect(reopened.load("a")).rejects.toThrow(StoreCorruptionError);
    await reopened.close();
  });

  it("the dictionary of compressed records is the one they were written with", () => {
    // Changing it would make every compressed record ever written unreadable: a new one needs a new flag.
    expect(createHash("sha256").update(JOURNAL_DICTIONARY_V1).digest("hex")).toBe(
      "8e8fb7fa1c66018725c7422905beb7fae8d2dbe0d7dde33b79b0bcaa5eb39edb",
    );
  });
});

describe("batches written while an earlier one's fdatasync runs (journal-store.ts)", () => {
  /**
   * A journal whose durable part is seq 1, followed by what a crash left of two batches in flight:
   * seq 2 (its sync still running), then seq 3 written with `overlap3` (how far back the oldest batch
   * not yet durable began when it was written); seq 2's payload then damaged, as if its pages never
   * reached the disk while seq 3's did.
   */
  async function journalWithHole(overlap3: number): Promise<{ dir: string; file: string }> {
    const dir = await tempDir();
    const store = await JournalStore.open(dir);
    await store.create(meta("a"));
    await store.append("a", [{ seq: 1, event: ev(1) }], 0);
    await store.close();
    const file = join(dir, "sandboxes", "a", "journal-0000000000000001.log");
    const payload = (seq: number) => Buffer.from(JSON.stringify([ev(seq)]), "utf8");
    const b = encodeRecord(2, 1, 2, FLAG_END_OF_BATCH, payload(2));
    const c = encodeRecord(3, 1, 3, FLAG_END_OF_BATCH | overlapFlags(overlap3), payload(3));
    b[RECORD_HEADER_SIZE + 3]! ^= 0xff;
    await writeFile(file, Buffer.concat([await readFile(file), b, c]));
    return { dir, file };
  }

  it("a damaged batch followed by one written during its sync is a crash's hole: both dropped, appends go on", async () => {
    const { dir } = await journalWithHole(1);
    const store = await JournalStore.open(dir);
    const loaded = await store.load("a");
    expect(loaded.entries.map((e) => e.seq)).toEqual([1]);
    expect(store.recoveries).toHaveLength(1);
    expect(store.recoveries[0]!.reason).toMatch(/checksum/);
    await store.append("a", [{ seq: 2, event: ev(2) }], 1);
    await store.close();
    const again = await JournalStore.open(dir);
    expect((await again.load("a")).entries.map((e) => e.seq)).toEqual([1, 2]);
    expect(again.recoveries).toEqual([]);
    await again.close();
  });

  it("a damaged batch followed by one written after it was durable is corruption, not dropped", async () => {
    const { dir } = await journalWithHole(0);
    const store = await JournalStore.open(dir);
    await expect(store.load("a")).rejects.toThrow(/followed by intact records/);
    await store.close();
  });

  it("concurrent appends from many ticks are acknowledged in order, and every acknowledged one is read back", async () => {
    const dir = await tempDir();
    const store = await JournalStore.open(dir);
    await store.create(meta("a"));
    const acked: number[] = [];
    const appends: Promise<void>[] = [];
    for (let seq = 1; seq <= 200; seq++) {
      appends.push(store.append("a", [{ seq, event: ev(seq) }], seq - 1).then(() => void acked.push(seq)));
      if (seq % 3 === 0) await new Promise((r) => setImmediate(r));
    }
    await Promise.all(appends);
    expect(acked).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    await store.close();
    const again = await JournalStore.open(dir);
    expect((await again.load("a")).entries.map((e) => e.seq)).toEqual(acked);
    expect(again.recoveries).toEqual([]);
    await again.close();
  });
});
