/**
 * The `SandboxStore` contract, shared by every store's tests: store.test.ts runs it on
 * `MemoryStore` and `JournalStore`, store-postgres.test.ts on `PostgresStore`. `make` returns a
 * fresh, empty store for each test.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  type SandboxMeta,
  type SandboxStore,
  StoreClosedError,
  StoreConflictError,
  StoreExistsError,
  StoreNotFoundError,
} from "../src/store/index.ts";

export const meta = (name: string): SandboxMeta => ({ name, createdAt: "2025-01-01T00:00:00.000Z", config: { region: "us-east-1", seed: 7 } });
export const ev = (seq: number) => ({ type: "InstanceLaunched", seq, id: `i-${seq.toString(16).padStart(17, "0")}`, tags: { n: String(seq) } });

/** Appends seqs from..to one call each, awaiting each (so each is its own write batch). */
export async function appendEach(store: SandboxStore, name: string, from: number, to: number): Promise<void> {
  for (let seq = from; seq <= to; seq++) await store.append(name, [{ seq, event: ev(seq) }], seq - 1);
}

export function storeContract(label: string, make: () => Promise<SandboxStore>): void {
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
      await store.append("a", [{ seq: 1, event: ev(1) }, { seq: 2, event: { at: new Date(0), n: null } }], 0);
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
      await expect(store.append("a", [{ seq: 4, event: 4 }, { seq: 6, event: 6 }], 3)).rejects.toBeInstanceOf(RangeError);
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

    it("snapshots: later loads start from it; checks its seq", async () => {
      await store.create(meta("a"));
      await appendEach(store, "a", 1, 10);
      await expect(store.saveSnapshot("a", 11, {})).rejects.toBeInstanceOf(RangeError);
      const state = { count: 6, list: [1, 2] };
      await store.saveSnapshot("a", 6, state);
      state.count = 999; // the store took a copy
      await appendEach(store, "a", 11, 12);
      let loaded = await store.load("a");
      expect(loaded.snapshot).toEqual({ seq: 6, state: { count: 6, list: [1, 2] } });
      expect(loaded.entries.map((e) => e.seq)).toEqual([7, 8, 9, 10, 11, 12]);
      await expect(store.saveSnapshot("a", 5, {})).rejects.toBeInstanceOf(RangeError);
      await store.saveSnapshot("a", 12, { count: 12 });
      loaded = await store.load("a");
      expect(loaded.snapshot).toEqual({ seq: 12, state: { count: 12 } });
      expect(loaded.entries).toEqual([]);
      await store.append("a", [{ seq: 13, event: ev(13) }], 12);
      expect((await store.load("a")).entries).toEqual([{ seq: 13, event: ev(13) }]);
    });

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

    it("rejects everything once closed", async () => {
      await store.create(meta("a"));
      await store.close();
      await expect(store.list()).rejects.toBeInstanceOf(StoreClosedError);
      await expect(store.append("a", [{ seq: 1, event: 1 }], 0)).rejects.toBeInstanceOf(StoreClosedError);
    });
  });
}
