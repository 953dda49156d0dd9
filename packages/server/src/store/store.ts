/**
 * The storage-agnostic persistence interface for sandboxes.
 *
 * A sandbox's state is a fold of domain events. A store keeps, per sandbox, its metadata, an
 * append-only journal of events numbered 1, 2, 3, … and at most one snapshot (the folded state at
 * some seq). Implementations: `JournalStore` (embedded, on local disk), `MemoryStore` (tests and
 * `--store memory`), `PostgresStore` (shared by several server replicas).
 *
 * History: the journal is the sandbox's history (what exports, diffs and branches replay, up to
 * any seq), so a store keeps all of it. A snapshot only speeds up `load` (the snapshot plus the
 * entries after it); the entries it covers stay readable with `readEntries`. Dropping them is an
 * explicit opt-in: `compact(name, upToSeq)`, or the store option `compactOnSnapshot` (false unless
 * told; `ec2sim serve --compact-history`), after which reading them fails with
 * `StoreCompactedError`.
 */

/** One journaled event. `seq` is 1, 2, 3, … per sandbox; `event` must be JSON-serializable. */
export interface JournalEntry {
  seq: number;
  event: unknown;
}

export interface SandboxMeta {
  name: string;
  createdAt: string;
  config: unknown;
}

export interface LoadedSandbox {
  meta: SandboxMeta;
  /** The latest snapshot, if one was saved; `json` its text as stored, where the store had it (the host's snapshot worker is seeded from it). */
  snapshot?: { seq: number; state: unknown; json?: string };
  /** Entries after the snapshot (or from seq 1 when there is none), in order and contiguous. */
  entries: JournalEntry[];
  /** The last clock mark (`markClock`), if the store keeps them and one was made. */
  clockMark?: number;
}

export interface SandboxStore {
  /** All sandboxes, sorted by name. */
  list(): Promise<SandboxMeta[]>;
  /** Rejects with `StoreExistsError` if a sandbox of that name exists. */
  create(meta: SandboxMeta): Promise<void>;
  /** Rejects with `StoreNotFoundError` if there is no such sandbox. */
  load(name: string): Promise<LoadedSandbox>;
  /**
   * Durable when the promise resolves. `expectedLastSeq` is an optimistic check: rejects with a
   * `StoreConflictError` if the log's last seq differs. Entries must be contiguous, starting at
   * `expectedLastSeq + 1`. The entries of one call are atomic: after a crash either all or none
   * of them are in the log.
   */
  append(name: string, entries: JournalEntry[], expectedLastSeq: number): Promise<void>;
  /**
   * Atomically records `state` as the fold of entries 1..seq (a `SnapshotJson` when already
   * serialized: written as is). Later loads start from it. The
   * entries it covers are kept (still readable with `readEntries`) unless the store was opened
   * with `compactOnSnapshot`, which then compacts them as `compact(name, seq)` does. `seq` must
   * not exceed the log's durable last seq nor be below the current snapshot's seq.
   */
  saveSnapshot(name: string, seq: number, state: unknown): Promise<void>;
  /**
   * The durable entries `fromSeq`..`toSeq` (to the log's end when `toSeq` is absent or beyond
   * it), in order and contiguous; `[]` when the range is empty or starts after the log's end.
   * Reads no more of the log than the range needs (no replay, no snapshot). Rejects with
   * `StoreCompactedError` when entries from `fromSeq` on are no longer held (compacted), with
   * `StoreNotFoundError` for an unknown sandbox, `RangeError` when `fromSeq` < 1.
   */
  readEntries(name: string, fromSeq: number, toSeq?: number): Promise<JournalEntry[]>;
  /**
   * Explicit compaction (the only way history is ever dropped): removes entries 1..`upToSeq`,
   * which the current snapshot must cover (`RangeError` otherwise). A store may keep some of them
   * (the journal drops whole segment files only). Resolves to the seq up to which history is now
   * gone (0: nothing); `readEntries` from at or below it then rejects with `StoreCompactedError`.
   */
  compact(name: string, upToSeq: number): Promise<number>;
  /** Rejects with `StoreNotFoundError` if there is no such sandbox. */
  delete(name: string): Promise<void>;
  /**
   * Optional. Records a simulated moment the sandbox's running clock may have been seen at (the
   * host writes it a little ahead of time while the clock runs, and exactly on a clean close), so
   * a sandbox loaded after a crash resumes no earlier than anyone saw; `load` returns the last one
   * as `clockMark`. Not history: replaced in place, and not fsynced (it survives the process
   * dying; a power cut may lose it, and the load then falls back to the last event).
   */
  markClock?(name: string, simMs: number): Promise<void>;
  /** Waits for in-flight writes, then releases resources (and, for `JournalStore`, the lock). */
  close(): Promise<void>;
}

/**
 * A store several processes share (`PostgresStore`), on which replicas of the server take turns:
 * appends under a per-sandbox lock, live delivery of others' entries, and the host and clock
 * leases. The host runs its replica mode on such a store (`isSharedStore`).
 */
export interface SharedSandboxStore extends SandboxStore {
  /**
   * Delivers the entries of
   * sandbox `name` after `fromSeq` as they are committed by anyone, in order and without gaps, in
   * batches (this process's own appends included: skip what you already folded), so a replica can
   * fold other replicas' events (`sb.apply(envelopes)`). Survives lost connections by catching up
   * from the last delivered seq. `onError` is told when it cannot go on (sandbox deleted, entries
   * compacted away: reload). Returns the unsubscribe function.
   */
  subscribe(
    name: string,
    fromSeq: number,
    onEntries: (entries: JournalEntry[]) => void,
    onError?: (error: Error) => void,
  ): StoreSubscription;
  /**
   * Appends under the sandbox's write lock, so replicas
   * take turns instead of conflicting: locks the sandbox, reads the entries after `afterSeq` that
   * this process has not folded (`missed`, committed by others), calls `build(missed)`
   * synchronously — the caller folds them, runs its commands on the now-current state and returns
   * the entries to append (seq `afterSeq + missed.length + 1` on; may be empty) — then appends
   * them and commits. Durable when it resolves. If it rejects, nothing `build` returned was
   * acknowledged (it may still have committed if the connection broke during COMMIT: reload).
   */
  appendExclusive(name: string, afterSeq: number, build: (missed: JournalEntry[]) => JournalEntry[]): Promise<void>;
  /**
   * Registers this process as hosting `name` for as long as it is open
   * (or until `releaseHost`). When no other process hosted it, `ifFirst` runs first, while others
   * wait to register (the host re-anchors a resting clock there). Resolves to whether it ran.
   */
  claimHost(name: string, ifFirst: () => Promise<void>): Promise<boolean>;
  releaseHost(name: string): void;
  /**
   * Tries to become the one process that fires `name`'s timers (the
   * clock lease); true if it holds the lease now. A lease ends with `releaseClock`, the process,
   * or its connection (then `holdsClock` turns false and another process can take it).
   */
  claimClock(name: string): Promise<boolean>;
  holdsClock(name: string): boolean;
  releaseClock(name: string): void;
}

/** Whether `store` is shared by replicas (it has the whole `SharedSandboxStore` surface). */
export function isSharedStore(store: SandboxStore): store is SharedSandboxStore {
  const s = store as Partial<SharedSandboxStore>;
  return (
    typeof s.appendExclusive === "function" &&
    typeof s.subscribe === "function" &&
    typeof s.claimHost === "function" &&
    typeof s.claimClock === "function"
  );
}

/** A snapshot state already serialized to UTF-8 JSON (off the event loop): `saveSnapshot` writes it as is. */
export class SnapshotJson {
  constructor(readonly bytes: Uint8Array) {}
  get text(): string {
    return Buffer.from(this.bytes.buffer, this.bytes.byteOffset, this.bytes.byteLength).toString("utf8");
  }
}

/** The JSON text of a snapshot state handed to `saveSnapshot`; throws `TypeError` when it is not JSON. */
export function snapshotText(state: unknown): string {
  if (state instanceof SnapshotJson) return state.text;
  const json = JSON.stringify(state);
  if (json === undefined) throw new TypeError("snapshot state is not JSON-serializable");
  return json;
}

/** Ends a `subscribe`. */
export type StoreSubscription = () => void;

/** Base class of every error a store raises on purpose. */
export class StoreError extends Error {
  override name = "StoreError";
}

/** The optimistic check of `append` failed: someone else appended first. */
export class StoreConflictError extends StoreError {
  override name = "StoreConflictError";
  constructor(
    readonly sandbox: string,
    readonly expectedLastSeq: number,
    readonly actualLastSeq: number,
  ) {
    super(`sandbox "${sandbox}": expected last seq ${expectedLastSeq}, but the log is at ${actualLastSeq}`);
  }
}

export class StoreNotFoundError extends StoreError {
  override name = "StoreNotFoundError";
  constructor(readonly sandbox: string) {
    super(`sandbox "${sandbox}" does not exist`);
  }
}

export class StoreExistsError extends StoreError {
  override name = "StoreExistsError";
  constructor(readonly sandbox: string) {
    super(`sandbox "${sandbox}" already exists`);
  }
}

/** Stored data is damaged in a way that cannot be explained by a crash during a write. */
export class StoreCorruptionError extends StoreError {
  override name = "StoreCorruptionError";
  constructor(
    message: string,
    readonly file?: string,
    readonly offset?: number,
  ) {
    super(message);
  }
}

/** The entries asked for were compacted away (`compact`, or `compactOnSnapshot`): history up to `compactedSeq` is gone. */
export class StoreCompactedError extends StoreError {
  override name = "StoreCompactedError";
  constructor(
    readonly sandbox: string,
    readonly compactedSeq: number,
    readonly fromSeq: number,
  ) {
    super(
      `sandbox "${sandbox}": entries up to seq ${compactedSeq} were compacted by a snapshot (asked from seq ${fromSeq}); the log holds seq ${compactedSeq + 1} on`,
    );
  }
}

/** Another live process owns the store directory. */
export class StoreLockedError extends StoreError {
  override name = "StoreLockedError";
  constructor(
    message: string,
    readonly lockFile: string,
    readonly holderPid?: number,
  ) {
    super(message);
  }
}

/**
 * The store's backing service cannot be reached right now (database down, connection lost,
 * timeout). Retryable; the host answers `ServiceUnavailable` (HTTP 503).
 */
export class StoreUnavailableError extends StoreError {
  override name = "StoreUnavailableError";
}

/** The store was closed, or is unusable after a failed write. */
export class StoreClosedError extends StoreError {
  override name = "StoreClosedError";
}

/** Checks the arguments of `append` that do not depend on the log; throws `TypeError`/`RangeError`. */
export function validateEntries(entries: JournalEntry[], expectedLastSeq: number): void {
  if (!Number.isSafeInteger(expectedLastSeq) || expectedLastSeq < 0) {
    throw new RangeError(`expectedLastSeq must be a non-negative integer, got ${String(expectedLastSeq)}`);
  }
  entries.forEach((entry, i) => {
    const want = expectedLastSeq + 1 + i;
    if (entry.seq !== want) {
      throw new RangeError(`entries must be contiguous: entry ${i} has seq ${String(entry.seq)}, expected ${want}`);
    }
    if (entry.event === undefined)
      throw new TypeError(`entry ${entry.seq}: event is undefined (not JSON-serializable)`);
  });
}

/** Serializes events to one JSON array, refusing values JSON cannot hold (functions, undefined, cycles, bigint). */
export function serializeEvents(entries: JournalEntry[]): string {
  const parts: string[] = [];
  for (const entry of entries) {
    const json = JSON.stringify(entry.event);
    if (json === undefined) throw new TypeError(`entry ${entry.seq}: event is not JSON-serializable`);
    parts.push(json);
  }
  return `[${parts.join(",")}]`;
}

export function validateMeta(meta: SandboxMeta): void {
  if (typeof meta.name !== "string" || meta.name.length === 0 || meta.name.length > 200) {
    throw new TypeError("sandbox name must be a non-empty string of at most 200 characters");
  }
  if (typeof meta.createdAt !== "string") throw new TypeError("createdAt must be a string");
}

/** Checks `readEntries`' range arguments; throws `RangeError`. */
export function checkReadRange(fromSeq: number, toSeq: number | undefined): void {
  if (!Number.isSafeInteger(fromSeq) || fromSeq < 1)
    throw new RangeError(`fromSeq must be a positive integer, got ${String(fromSeq)}`);
  if (toSeq !== undefined && (!Number.isSafeInteger(toSeq) || toSeq < 0))
    throw new RangeError(`toSeq must be a non-negative integer, got ${String(toSeq)}`);
}

/** The rule for `compact`'s seq: only what the snapshot covers; throws `RangeError`. */
export function checkCompactSeq(name: string, upToSeq: number, snapshotSeq: number): void {
  if (!Number.isSafeInteger(upToSeq) || upToSeq < 0)
    throw new RangeError(`compaction seq must be a non-negative integer, got ${String(upToSeq)}`);
  if (upToSeq > snapshotSeq) {
    throw new RangeError(
      `sandbox "${name}": cannot compact up to seq ${upToSeq}, the snapshot only covers up to ${snapshotSeq}`,
    );
  }
}

/** The rule for `saveSnapshot`'s seq, shared by implementations; throws `RangeError`. */
export function checkSnapshotSeq(name: string, seq: number, lastSeq: number, currentSnapshotSeq: number): void {
  if (!Number.isSafeInteger(seq) || seq < 0)
    throw new RangeError(`snapshot seq must be a non-negative integer, got ${String(seq)}`);
  if (seq > lastSeq)
    throw new RangeError(`sandbox "${name}": cannot snapshot at seq ${seq}, the durable log ends at ${lastSeq}`);
  if (seq < currentSnapshotSeq) {
    throw new RangeError(
      `sandbox "${name}": snapshot seq ${seq} is older than the current snapshot (${currentSnapshotSeq})`,
    );
  }
}
