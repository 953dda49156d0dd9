import {
  checkCompactSeq,
  checkReadRange,
  checkSnapshotSeq,
  type JournalEntry,
  type LoadedSandbox,
  type SandboxMeta,
  type SandboxStore,
  StoreClosedError,
  StoreCompactedError,
  StoreConflictError,
  StoreExistsError,
  StoreNotFoundError,
  serializeEvents,
  snapshotText,
  validateEntries,
  validateMeta,
} from "./store.ts";

interface MemorySandbox {
  meta: string; // JSON, so callers never share objects with the store
  snapshot?: { seq: number; state: string };
  /** Entries compactedSeq+1..lastSeq. */
  entries: { seq: number; event: string }[];
  lastSeq: number;
  /** History up to here was compacted away (0: none). */
  compactedSeq: number;
  clockMark?: number;
}

export interface MemoryStoreOptions {
  /** Compact the history a snapshot covers when it is saved (false: keep all history). */
  compactOnSnapshot?: boolean;
}

/**
 * The `SandboxStore` contract in memory: same checks, same JSON round trip of values (a `Date`
 * comes back as a string, as it would from disk), no durability.
 */
export class MemoryStore implements SandboxStore {
  private readonly sandboxes = new Map<string, MemorySandbox>();
  private closed = false;

  constructor(private readonly options: MemoryStoreOptions = {}) {}

  async list(): Promise<SandboxMeta[]> {
    this.checkOpen();
    return [...this.sandboxes.keys()].sort().map((name) => JSON.parse(this.sandboxes.get(name)!.meta) as SandboxMeta);
  }

  async create(meta: SandboxMeta): Promise<void> {
    this.checkOpen();
    validateMeta(meta);
    if (this.sandboxes.has(meta.name)) throw new StoreExistsError(meta.name);
    this.sandboxes.set(meta.name, { meta: JSON.stringify(meta), entries: [], lastSeq: 0, compactedSeq: 0 });
  }

  async load(name: string): Promise<LoadedSandbox> {
    const sb = this.get(name);
    const loaded: LoadedSandbox = {
      meta: JSON.parse(sb.meta) as SandboxMeta,
      entries: sb.entries
        .slice(Math.max(0, (sb.snapshot?.seq ?? 0) - sb.compactedSeq))
        .map((e) => ({ seq: e.seq, event: JSON.parse(e.event) as unknown })),
    };
    if (sb.snapshot)
      loaded.snapshot = {
        seq: sb.snapshot.seq,
        state: JSON.parse(sb.snapshot.state) as unknown,
        json: sb.snapshot.state,
      };
    if (sb.clockMark !== undefined) loaded.clockMark = sb.clockMark;
    return loaded;
  }

  async append(name: string, entries: JournalEntry[], expectedLastSeq: number): Promise<void> {
    const sb = this.get(name);
    validateEntries(entries, expectedLastSeq);
    if (sb.lastSeq !== expectedLastSeq) throw new StoreConflictError(name, expectedLastSeq, sb.lastSeq);
    serializeEvents(entries); // same refusals as the journal
    for (const e of entries) sb.entries.push({ seq: e.seq, event: JSON.stringify(e.event) });
    sb.lastSeq = expectedLastSeq + entries.length;
  }

  async saveSnapshot(name: string, seq: number, state: unknown): Promise<void> {
    const sb = this.get(name);
    checkSnapshotSeq(name, seq, sb.lastSeq, sb.snapshot?.seq ?? 0);
    sb.snapshot = { seq, state: snapshotText(state) };
    if (this.options.compactOnSnapshot) await this.compact(name, seq);
  }

  async readEntries(name: string, fromSeq: number, toSeq?: number): Promise<JournalEntry[]> {
    const sb = this.get(name);
    checkReadRange(fromSeq, toSeq);
    if (fromSeq <= sb.compactedSeq) throw new StoreCompactedError(name, sb.compactedSeq, fromSeq);
    const to = Math.min(toSeq ?? sb.lastSeq, sb.lastSeq);
    return sb.entries
      .slice(fromSeq - sb.compactedSeq - 1, Math.max(0, to - sb.compactedSeq))
      .map((e) => ({ seq: e.seq, event: JSON.parse(e.event) as unknown }));
  }

  async compact(name: string, upToSeq: number): Promise<number> {
    const sb = this.get(name);
    checkCompactSeq(name, upToSeq, sb.snapshot?.seq ?? 0);
    if (upToSeq > sb.compactedSeq) {
      sb.entries = sb.entries.slice(upToSeq - sb.compactedSeq);
      sb.compactedSeq = upToSeq;
    }
    return sb.compactedSeq;
  }

  async markClock(name: string, simMs: number): Promise<void> {
    if (!Number.isFinite(simMs)) throw new RangeError(`a clock mark must be a finite number, got ${String(simMs)}`);
    this.get(name).clockMark = simMs;
  }

  async delete(name: string): Promise<void> {
    this.get(name);
    this.sandboxes.delete(name);
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  private checkOpen(): void {
    if (this.closed) throw new StoreClosedError("store is closed");
  }

  private get(name: string): MemorySandbox {
    this.checkOpen();
    const sb = this.sandboxes.get(name);
    if (!sb) throw new StoreNotFoundError(name);
    return sb;
  }
}
