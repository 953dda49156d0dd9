/**
 * The journal's on-disk format across versions (format.ts): records and snapshots are compressed,
 * which is what keeps a sandbox's history small on disk; a data directory written by the first
 * format is still read, and appended to, by this one; the dictionary compressed records need is
 * the one they were written with.
 */
import { createHash } from "node:crypto";
import { cp, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { FLAG_DEFLATED, readRecordAt, SEGMENT_HEADER_SIZE } from "../src/store/format.ts";
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
