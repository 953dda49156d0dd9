/**
 * The `SandboxStore` contract, shared by every store's tests: store.test.ts runs it on
 * `MemoryStore` and `JournalStore`, store-postgres.test.ts on `PostgresStore`. `make` returns a
 * fresh, empty store for each test; `makeCompacting` one opened with `compactOnSnapshot`.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  type LoadedSandbox,
  type SandboxMeta,
  type SandboxStore,
  SnapshotJson,
  StoreClosedError,
  StoreCompactedError,
  StoreConflictError,
  StoreExistsError,
  StoreNotFoundError,
} from "../src/store/index.ts";

/** A loaded snapshot's seq and state; its text, where the store hands it out, must be that state's JSON. */
function snapshotOf(loaded: LoadedSandbox): { seq: number; state: unknown } | undefined {
  const snap = loaded.snapshot;
  if (!snap) return undefined;
  if (snap.json !== undefined) expect(JSON.parse(snap.json)).toEqual(snap.state);
  return { seq: snap.seq, state: snap.state };
}

export const meta = (name: string): SandboxMeta => ({
  name,
  createdAt: "2025-01-01T00:00:00.000Z",
  config: { region: "us-east-1", seed: 7 },
});
export const ev = (seq: number) => ({
  type: "InstanceLaunched",
  seq,
  id: `i-${seq.toString(16).padStart(17, "0")}`,
  tags: { n: String(seq) },
});

/** Appends seqs from..to one call each, awaiting each (so each is its own write batch). */
export async function appendEach(store: SandboxStore, name: string, from: number, to: number): Promise<void> {
  for (let seq = from; seq <= to; seq++) await store.append(name, [{ seq, event: ev(seq) }], seq - 1);
}

const seqs = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
const entries = (from: number, to: number) => seqs(from, to).map((seq) => ({ seq, event: ev(seq) }));

export function storeContract(
  label: string,
  make: () => Promise<SandboxStore>,
  makeCompacting?: () => Promise<SandboxStore>,
): void {
  describe(`${label}: the SandboxStore contract`, () => {
    let store: SandboxStore;
    beforeEach(async () => {
      store = await make();
    });
    afterEach(async () => {
      await store.close();
    });

    it("round-trips meta and events, as JSON", async () => {
      await store.create(meta("b"));
      await store.create(meta("a"));
      expect((await store.list()).map((m) => m.name)).toEqual(["a", "b"]);
      await store.append(
        "a",
        [
          { seq: 1, event: ev(1) },
          { seq: 2, event: { at: new Date(0), n: null } },
        ],
        0,
      );
      await store.append("a", [{ seq: 3, event: "plain string" }], 2);
      const loaded = await store.load("a");
      expect(loaded.meta).toEqual(meta("a"));
      expect(loaded.snapshot).toBeUndefined();
      expect(loaded.entries).toEqual([
        { seq: 1, event: ev(1) },
        { seq: 2, event: { at: "1970-01-01T00:00:00.000Z", n: null } },
        { seq: 3, event: "plain string" },
      ]);
      expect((await store.load("b")).entries).toEqual([]);
    });

    it("refuses duplicates, unknown sandboxes, and non-serializable events", async () => {
      await store.create(meta("a"));
      await expect(store.create(meta("a"))).rejects.toBeInstanceOf(StoreExistsError);
      await expect(store.load("nope")).rejects.toBeInstanceOf(StoreNotFoundError);
      await expect(store.append("nope", [{ seq: 1, event: 1 }], 0)).rejects.toBeInstanceOf(StoreNotFoundError);
      await expect(store.delete("nope")).rejects.toBeInstanceOf(StoreNotFoundError);
      await expect(store.append("a", [{ seq: 1, event: undefined }], 0)).rejects.toBeInstanceOf(TypeError);
      await expect(store.append("a", [{ seq: 1, event: () => 1 }], 0)).rejects.toBeInstanceOf(TypeError);
      await expect(store.append("a", [{ seq: 1, event: { n: 1n } }], 0)).rejects.toBeInstanceOf(TypeError);
      // None of the refused appends consumed a seq.
      await store.append("a", [{ seq: 1, event: 1 }], 0);
      expect((await store.load("a")).entries).toEqual([{ seq: 1, event: 1 }]);
    });

    it("checks expectedLastSeq optimistically and requires contiguous entries", async () => {
      await store.create(meta("a"));
      await appendEach(store, "a", 1, 3);
      const err = await store.append("a", [{ seq: 3, event: 3 }], 2).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StoreConflictError);
      expect(err).toMatchObject({ expectedLastSeq: 2, actualLastSeq: 3 });
      await expect(store.append("a", [{ seq: 5, event: 5 }], 3)).rejects.toBeInstanceOf(RangeError);
      await expect(
        store.append(
          "a",
          [
            { seq: 4, event: 4 },
            { seq: 6, event: 6 },
          ],
          3,
        ),
      ).rejects.toBeInstanceOf(RangeError);
      // Two writers racing from the same point: exactly one wins.
      const results = await Promise.allSettled([
        store.append("a", [{ seq: 4, event: "x" }], 3),
        store.append("a", [{ seq: 4, event: "y" }], 3),
      ]);
      expect(results.map((r) => r.status).sort()).toEqual(["fulfilled", "rejected"]);
      expect((await store.load("a")).entries.map((e) => e.seq)).toEqual([1, 2, 3, 4]);
      await store.append("a", [], 4); // empty append: only the check
      await expect(store.append("a", [], 3)).rejects.toBeInstanceOf(StoreConflictError);
    });

    it("a snapshot handed over already serialized (SnapshotJson, from the snapshot worker) loads as that state", async () => {
      await store.create(meta("a"));
      await appendEach(store, "a", 1, 4);
      const state = { count: 4, name: "ünï ☁", list: [1, null, "x"] };
      await store.saveSnapshot("a", 4, new SnapshotJson(new TextEncoder().encode(JSON.stringify(state))));
      const loaded = await store.load("a");
      expect(snapshotOf(loaded)).toEqual({ seq: 4, state });
      expect(loaded.entries).toEqual([]);
    });

    it("snapshots: later loads start from it; checks its seq", async () => {
      await store.create(meta("a"));
      await appendEach(store, "a", 1, 10);
      await expect(store.saveSnapshot("a", 11, {})).rejects.toBeInstanceOf(RangeError);
      const state = { count: 6, list: [1, 2] };
      await store.saveSnapshot("a", 6, state);
      state.count = 999; // the store took a copy
      await appendEach(store, "a", 11, 12);
      let loaded = await store.load("a");
      expect(snapshotOf(loaded)).toEqual({ seq: 6, state: { count: 6, list: [1, 2] } });
      expect(loaded.entries.map((e) => e.seq)).toEqual([7, 8, 9, 10, 11, 12]);
      await expect(store.saveSnapshot("a", 5, {})).rejects.toBeInstanceOf(RangeError);
      await store.saveSnapshot("a", 12, { count: 12 });
      loaded = await store.load("a");
      expect(snapshotOf(loaded)).toEqual({ seq: 12, state: { count: 12 } });
      expect(loaded.entries).toEqual([]);
      await store.append("a", [{ seq: 13, event: ev(13) }], 12);
      expect((await store.load("a")).entries).toEqual([{ seq: 13, event: ev(13) }]);
    });

    it("snapshots keep the history: entries before them stay readable, any range; load() is the snapshot and the later entries", async () => {
      await store.create(meta("a"));
      await appendEach(store, "a", 1, 10);
      await store.saveSnapshot("a", 6, { s: 6 });
      await appendEach(store, "a", 11, 12);
      await store.saveSnapshot("a", 12, { s: 12 });
      await appendEach(store, "a", 13, 14);
      const loaded = await store.load("a");
      expect(snapshotOf(loaded)).toEqual({ seq: 12, state: { s: 12 } });
      expect(loaded.entries).toEqual(entries(13, 14));
      expect(await store.readEntries("a", 1)).toEqual(entries(1, 14));
      expect(await store.readEntries("a", 5, 8)).toEqual(entries(5, 8));
      expect(await store.readEntries("a", 6, 6)).toEqual(entries(6, 6));
      expect(await store.readEntries("a", 10, 100)).toEqual(entries(10, 14));
      expect(await store.readEntries("a", 13)).toEqual(entries(13, 14));
      expect(await store.readEntries("a", 15)).toEqual([]);
      expect(await store.readEntries("a", 8, 7)).toEqual([]);
      await expect(store.readEntries("a", 0)).rejects.toBeInstanceOf(RangeError);
      await expect(store.readEntries("nope", 1)).rejects.toBeInstanceOf(StoreNotFoundError);
      await store.create(meta("empty"));
      expect(await store.readEntries("empty", 1)).toEqual([]);
    });

    it("compaction, only when asked, removes what a snapshot covers; reading it then fails clearly", async () => {
      await store.create(meta("a"));
      await appendEach(store, "a", 1, 10);
      await expect(store.compact("a", 1)).rejects.toBeInstanceOf(RangeError); // no snapshot covers it
      await store.saveSnapshot("a", 6, { s: 6 });
      await appendEach(store, "a", 11, 12);
      await store.saveSnapshot("a", 12, { s: 12 });
      await store.append("a", [{ seq: 13, event: ev(13) }], 12);
      await expect(store.compact("a", 13)).rejects.toBeInstanceOf(RangeError); // beyond the snapshot
      // A store may keep more than it was allowed to drop (the journal drops whole segments).
      const partly = await store.compact("a", 6);
      expect(partly).toBeGreaterThanOrEqual(0);
      expect(partly).toBeLessThanOrEqual(6);
      expect(await store.readEntries("a", partly + 1)).toEqual(entries(partly + 1, 13));
      expect(await store.compact("a", 12)).toBe(12);
      const err = await store.readEntries("a", 1).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StoreCompactedError);
      expect(err).toMatchObject({ sandbox: "a", compactedSeq: 12, fromSeq: 1 });
      expect((err as Error).message).toMatch(/compacted/);
      await expect(store.readEntries("a", 12, 12)).rejects.toBeInstanceOf(StoreCompactedError);
      expect(await store.readEntries("a", 13)).toEqual(entries(13, 13));
      const loaded = await store.load("a");
      expect(snapshotOf(loaded)).toEqual({ seq: 12, state: { s: 12 } });
      expect(loaded.entries).toEqual(entries(13, 13));
      await store.append("a", [{ seq: 14, event: ev(14) }], 13);
      expect((await store.load("a")).entries).toEqual(entries(13, 14));
      expect(await store.compact("a", 12)).toBe(12); // again: nothing more to do
    });

    if (makeCompacting) {
      it("compactOnSnapshot: saving a snapshot compacts the history it covers", async () => {
        const compacting = await makeCompacting();
        try {
          await compacting.create(meta("a"));
          await appendEach(compacting, "a", 1, 5);
          await compacting.saveSnapshot("a", 5, { s: 5 });
          await compacting.append("a", [{ seq: 6, event: ev(6) }], 5);
          await expect(compacting.readEntries("a", 1)).rejects.toMatchObject({
            name: "StoreCompactedError",
            compactedSeq: 5,
          });
          expect(await compacting.readEntries("a", 6)).toEqual(entries(6, 6));
          const loaded = await compacting.load("a");
          expect(snapshotOf(loaded)).toEqual({ seq: 5, state: { s: 5 } });
          expect(loaded.entries).toEqual(entries(6, 6));
        } finally {
          await compacting.close();
        }
      });
    }

    it("deletes, and a deleted name can be created again from scratch", async () => {
      await store.create(meta("a"));
      await appendEach(store, "a", 1, 3);
      await store.delete("a");
      expect(await store.list()).toEqual([]);
      await expect(store.load("a")).rejects.toBeInstanceOf(StoreNotFoundError);
      await store.create(meta("a"));
      expect((await store.load("a")).entries).toEqual([]);
      await store.append("a", [{ seq: 1, event: "again" }], 0);
    });

    it("clock marks (where a store keeps them): load returns the last one; none until one is made", async () => {
      if (!store.markClock) return; // optional: PostgresStore keeps none
      await store.create(meta("a"));
      await appendEach(store, "a", 1, 2);
      expect((await store.load("a")).clockMark).toBeUndefined();
      await Promise.all([store.markClock("a", 1_000), store.markClock("a", 2_000), store.markClock("a", 1_500)]);
      expect((await store.load("a")).clockMark).toBe(1_500); // the last asked for, not the largest
      await expect(store.markClock("a", Number.NaN)).rejects.toBeInstanceOf(RangeError);
      await expect(store.markClock("nope", 1)).rejects.toBeInstanceOf(StoreNotFoundError);
    });

    it("rejects everything once closed", async () => {
      await store.create(meta("a"));
      await store.close();
      await expect(store.list()).rejects.toBeInstanceOf(StoreClosedError);
      await expect(store.append("a", [{ seq: 1, event: 1 }], 0)).rejects.toBeInstanceOf(StoreClosedError);
    });
  });
}
