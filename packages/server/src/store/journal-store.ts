/**
 * `JournalStore`: the embedded, durable `SandboxStore` on a local directory.
 *
 *   <root>/LOCK                                  the OS lock (flock) of the open store, holder's pid (lock.ts)
 *   <root>/sandboxes/<encoded name>/meta.json    SandboxMeta, written atomically at create
 *   <root>/sandboxes/<encoded name>/snapshot.snap  latest snapshot (format.ts), replaced atomically
 *   <root>/sandboxes/<encoded name>/journal-<16-digit first seq>.log  segments (format.ts)
 *
 * Appends go to the newest segment. An append resolves only after its record is written and the
 * file fdatasync'ed, and every append before it resolved. Appends arriving while a write is in
 * flight are queued and written together by the next write+fsync (group commit); that write may
 * start while the previous batch's fdatasync still runs (two at most), so a batch does not wait
 * for the rest of another's sync before its own. After a snapshot a new segment starts, so a
 * load reads the snapshot and only the segments after it (a segment's file name carries its first
 * seq; opening a sandbox scans only its last segment). Every segment is kept — the journal is the
 * sandbox's history, read by `readEntries` — unless compaction is asked for (`compact`, or the
 * option `compactOnSnapshot`): it deletes the segments a snapshot wholly covers.
 */

import { randomBytes } from "node:crypto";
import { type FileHandle, mkdir, open, readdir, readFile, rename, rm, stat, unlink, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import {
  compressPayload,
  compressSnapshot,
  decodeRecordEvents,
  decodeSnapshot,
  encodeRecord,
  encodeSegmentHeader,
  encodeSnapshot,
  FLAG_END_OF_BATCH,
  MAX_OVERLAP,
  MAX_PAYLOAD,
  overlapFlags,
  parseSegmentFileName,
  scanSegment,
  segmentFileName,
} from "./format.ts";
import { fsyncDir, isUnwritable, writeFileAtomic, writeFileSynced, writeFully } from "./fsutil.ts";
import { acquireLock, type HeldLock } from "./lock.ts";
import {
  checkCompactSeq,
  checkReadRange,
  checkSnapshotSeq,
  type JournalEntry,
  type LoadedSandbox,
  type SandboxMeta,
  type SandboxStore,
  SnapshotJson,
  StoreClosedError,
  StoreCompactedError,
  StoreConflictError,
  StoreCorruptionError,
  StoreError,
  StoreExistsError,
  StoreNotFoundError,
  StoreUnavailableError,
  serializeEvents,
  snapshotText,
  validateEntries,
  validateMeta,
} from "./store.ts";

/** A torn or garbled tail cut away when a sandbox's journal was opened. */
export interface RecoveryNote {
  sandbox: string;
  file: string;
  /** Where the kept data ends (the file's new length). */
  offset: number;
  droppedBytes: number;
  reason: string;
}

export interface JournalStoreOptions {
  /** Called for every torn tail dropped during recovery (they are also kept in `store.recoveries`). */
  onRecovery?: (note: RecoveryNote) => void;
  /**
   * Delete the segments a snapshot wholly covers when it is saved (the behaviour before history
   * was kept). False unless told: all history stays readable. `ec2sim serve --compact-history`.
   */
  compactOnSnapshot?: boolean;
  /** How long `open` waits for a lock another process holds (ms; 3,000 unless told): a holder that just died frees it at once. */
  lockWaitMs?: number;
  /**
   * Told if the data directory's lock is lost while open (its helper process was killed): from
   * then on every write fails, since another process may take the directory. Close the store.
   */
  onLockLost?: (error: Error) => void;
}

const META_FILE = "meta.json";
const SNAPSHOT_FILE = "snapshot.snap";
/** The last clock mark (`markClock`): `{"simMs": …}`, replaced by rename, not fsynced. */
const CLOCK_MARK_FILE = "clock-mark.json";
const SANDBOXES_DIR = "sandboxes";

/** Folder name for a sandbox: percent-encoding, with "." and the other URI-safe marks encoded too. */
export function sandboxDirName(name: string): string {
  return encodeURIComponent(name).replace(/[!'()*.~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** Runs tasks one at a time, in call order. */
class Serial {
  private tail: Promise<unknown> = Promise.resolve();
  run<T>(fn: () => Promise<T>): Promise<T> {
    const p = this.tail.then(fn);
    this.tail = p.catch(() => undefined);
    return p;
  }
}

interface Segment {
  /** 2 when its records may be compressed (an EC2SJNL2 segment); only the last one's is read. */
  version: 1 | 2;
  firstSeq: number;
  path: string;
  /** Durable length in bytes. */
  size: number;
  /** Seq of its last event, or firstSeq - 1 when empty. */
  lastSeq: number;
}

/** A batch written whose sync has not settled yet. */
interface InFlight {
  firstSeq: number;
  /** Resolves once it was acknowledged (true) or refused (false), after every batch before it. */
  settled: Promise<boolean>;
}

/**
 * How many batches' fdatasyncs may run at once. Two lets the next batch be written as soon as it
 * is ready instead of after the running sync; more would take more of libuv's pool (4 threads)
 * from everything else for little gain (bench/endpoint/RESULTS.md, "Mixed load").
 */
const MAX_SYNCS_IN_FLIGHT = 2;

interface PendingAppend {
  firstSeq: number;
  count: number;
  payload: Buffer;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/** The open journal of one sandbox. All file work runs on `serial`; appends only queue. */
class SandboxLog {
  readonly serial = new Serial();
  private pending: PendingAppend[] = [];
  private flushScheduled = false;
  /** Last seq accepted by `append` (written or queued). */
  private acceptedSeq: number;
  /** Last seq written and fsynced. */
  private durableSeq: number;
  private failure: Error | undefined;
  private gone = false;
  /** Batches written whose syncs have not settled, oldest first. */
  private readonly inFlight: InFlight[] = [];
  /** A write that failed while earlier batches were still syncing: no more writes (their failure follows in order). */
  private writeFailed: Error | undefined;
  /** Where the next batch is written: the last segment's durable end plus what is in flight. */
  private writtenEnd: number;

  constructor(
    readonly name: string,
    readonly dir: string,
    private segments: Segment[],
    private fh: FileHandle,
    private snapshotSeq: number,
    private readonly compactOnSnapshot: boolean,
    /** Why its files could only be opened for reading (a read-only or unwritable directory); undefined: writable. */
    private readonly readOnly?: Error,
  ) {
    this.durableSeq = this.acceptedSeq = segments[segments.length - 1]!.lastSeq;
    this.writtenEnd = segments[segments.length - 1]!.size;
  }

  /** A write failed, or its files are read-only: the next load opens the journal afresh from disk. */
  get needsReopen(): boolean {
    return this.failure !== undefined || this.readOnly !== undefined;
  }

  /** The last segment's durable length: whatever lies beyond it was never acknowledged (a failed write's remains). */
  get durableEnd(): { path: string; size: number } {
    const last = this.segments[this.segments.length - 1]!;
    return { path: last.path, size: last.size };
  }

  /** Gives up this handle of the journal (after a failure), without touching the files. */
  abandon(): Promise<void> {
    return this.exclusive(async () => {
      if (this.gone) return;
      this.gone = true;
      await this.fh.close().catch(() => undefined);
    });
  }

  get lastSeq(): number {
    return this.acceptedSeq;
  }

  append(entries: JournalEntry[], expectedLastSeq: number): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.readOnly) {
      return Promise.reject(
        new StoreUnavailableError(`sandbox "${this.name}": its journal cannot be written (${this.readOnly.message})`, {
          cause: this.readOnly,
        }),
      );
    }
    if (this.gone) return Promise.reject(new StoreNotFoundError(this.name));
    if (expectedLastSeq !== this.acceptedSeq) {
      return Promise.reject(new StoreConflictError(this.name, expectedLastSeq, this.acceptedSeq));
    }
    if (entries.length === 0) return Promise.resolve();
    let payload: Buffer;
    try {
      payload = Buffer.from(serializeEvents(entries), "utf8");
    } catch (err) {
      return Promise.reject(err);
    }
    if (payload.length > MAX_PAYLOAD) {
      return Promise.reject(
        new RangeError(`one append may hold at most ${MAX_PAYLOAD} bytes of JSON, got ${payload.length}`),
      );
    }
    this.acceptedSeq += entries.length;
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ firstSeq: expectedLastSeq + 1, count: entries.length, payload, resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        void this.serial.run(() => this.flush());
      }
    });
  }

  /**
   * Writes every queued append with one write, then starts its fdatasync and returns: the next
   * batch may be written while that sync runs (up to `MAX_SYNCS_IN_FLIGHT` of them), so a write
   * that arrives during a sync waits for one sync, not for the rest of that one and then its own.
   * Batches are still acknowledged in order, each once it and every batch before it is durable.
   * Its records carry how far back the oldest batch not yet durable starts (format.ts), which is
   * what lets recovery tell a crash's hole (a batch lost while a later one reached the disk,
   * neither acknowledged) from damage to acknowledged data.
   */
  private async flush(): Promise<void> {
    this.flushScheduled = false;
    while (this.inFlight.length >= MAX_SYNCS_IN_FLIGHT) await this.inFlight[0]!.settled;
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return;
    if (this.failure || this.gone || this.writeFailed) {
      const err = this.failure ?? (this.gone ? new StoreNotFoundError(this.name) : this.writeFailed);
      for (const p of batch) p.reject(err);
      return;
    }
    const batchSeq = batch[0]!.firstSeq;
    const segment = this.segments[this.segments.length - 1]!;
    let payloads: { payload: Buffer; flags: number }[];
    try {
      // An EC2SJNL1 segment (opened from an older journal) goes on without compression.
      payloads = await Promise.all(
        batch.map((p) => (segment.version === 2 ? compressPayload(p.payload) : { payload: p.payload, flags: 0 })),
      );
    } catch (err) {
      for (const p of batch) p.reject(err);
      return;
    }
    // The oldest batch whose sync is still running, too far back to record (after a huge launch): wait for it.
    if (this.inFlight.length > 0 && batchSeq - this.inFlight[0]!.firstSeq > MAX_OVERLAP) await this.synced();
    if (this.failure || this.writeFailed) {
      for (const p of batch) p.reject(this.failure ?? this.writeFailed);
      return;
    }
    // From here to the write's start nothing awaits: the overlap names exactly the batches not
    // acknowledged when this one is written.
    const overlap = this.inFlight.length > 0 ? batchSeq - this.inFlight[0]!.firstSeq : 0;
    let buf: Buffer;
    try {
      const records = batch.map((p, i) =>
        encodeRecord(
          p.firstSeq,
          p.count,
          batchSeq,
          (i === batch.length - 1 ? FLAG_END_OF_BATCH : 0) | payloads[i]!.flags | overlapFlags(overlap),
          payloads[i]!.payload,
        ),
      );
      buf = records.length === 1 ? records[0]! : Buffer.concat(records);
    } catch (err) {
      for (const p of batch) p.reject(err);
      return;
    }
    const last = batch[batch.length - 1]!;
    const previous = this.inFlight[this.inFlight.length - 1]?.settled ?? Promise.resolve(true);
    const at = this.writtenEnd;
    let settle!: (ok: boolean) => void;
    const entry: InFlight = { firstSeq: batchSeq, settled: new Promise<boolean>((r) => (settle = r)) };
    this.inFlight.push(entry);
    this.writtenEnd += buf.length;
    let err: unknown;
    try {
      await writeFully(this.fh, buf, at);
    } catch (e) {
      err = e;
      this.writeFailed ??= e as Error; // nothing more is written after a hole
    }
    const synced =
      err === undefined
        ? this.fh.datasync().then(
            () => undefined,
            (e: unknown) => e,
          )
        : undefined;
    // Acknowledge in order: once this batch is durable and every earlier one was acknowledged.
    void (async () => {
      err ??= await synced;
      const ok = (await previous) && err === undefined;
      if (ok) {
        segment.size = at + buf.length;
        segment.lastSeq = this.durableSeq = last.firstSeq + last.count - 1;
        for (const p of batch) p.resolve();
      } else {
        this.failure ??= new StoreClosedError(
          `sandbox "${this.name}": journal write failed (${((err ?? this.writeFailed) as Error | undefined)?.message}); ` +
            "it accepts no more writes until its journal is opened again (the next load), from the last durable state",
          { cause: err ?? this.writeFailed },
        );
        for (const p of batch) p.reject(this.failure);
      }
      this.inFlight.shift();
      settle(ok);
    })();
  }

  /** Resolves once every batch written so far has settled (synced, or failed). */
  private async synced(): Promise<void> {
    while (this.inFlight.length > 0) await this.inFlight[this.inFlight.length - 1]!.settled;
  }

  /** File work other than appends: after queued appends, with none of their syncs still running. */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    return this.serial.run(async () => {
      await this.synced();
      return fn();
    });
  }

  load(meta: SandboxMeta): Promise<LoadedSandbox> {
    return this.exclusive(async () => {
      this.check();
      const loaded: LoadedSandbox = { meta, entries: [] };
      if (this.snapshotSeq > 0) {
        const file = join(this.dir, SNAPSHOT_FILE);
        const snap = decodeSnapshot(await readFile(file), file, true);
        if (snap.seq !== this.snapshotSeq)
          throw new StoreCorruptionError(`${file}: snapshot changed under the store`, file);
        loaded.snapshot = { seq: snap.seq, state: snap.state, ...(snap.json !== undefined ? { json: snap.json } : {}) };
      }
      let next = this.snapshotSeq + 1;
      for (const seg of this.segments) {
        if (seg.lastSeq < next) continue;
        const { buf, scan } = await readSegment(seg);
        for (const rec of scan.records) {
          if (rec.firstSeq + rec.count - 1 < next) continue;
          const events = decodeRecordEvents(buf, rec, seg.path);
          events.forEach((event, i) => {
            const seq = rec.firstSeq + i;
            if (seq >= next) loaded.entries.push({ seq, event });
          });
          next = rec.firstSeq + rec.count;
        }
      }
      if (next - 1 !== this.durableSeq) {
        throw new StoreCorruptionError(
          `sandbox "${this.name}": journal ends at seq ${next - 1}, expected ${this.durableSeq}`,
        );
      }
      return loaded;
    });
  }

  /** The durable entries fromSeq..toSeq, reading only the segments that hold them. */
  readEntries(fromSeq: number, toSeq: number | undefined): Promise<JournalEntry[]> {
    return this.exclusive(async () => {
      this.check();
      const compacted = this.segments[0]!.firstSeq - 1;
      if (fromSeq <= compacted) throw new StoreCompactedError(this.name, compacted, fromSeq);
      const to = Math.min(toSeq ?? this.durableSeq, this.durableSeq);
      const out: JournalEntry[] = [];
      for (const seg of this.segments) {
        if (seg.lastSeq < fromSeq || seg.lastSeq < seg.firstSeq) continue;
        if (seg.firstSeq > to) break;
        const { buf, scan } = await readSegment(seg);
        for (const rec of scan.records) {
          if (rec.firstSeq + rec.count - 1 < fromSeq) continue;
          if (rec.firstSeq > to) break;
          decodeRecordEvents(buf, rec, seg.path).forEach((event, i) => {
            const seq = rec.firstSeq + i;
            if (seq >= fromSeq && seq <= to) out.push({ seq, event });
          });
        }
      }
      return out;
    });
  }

  /** Deletes the segments wholly covered by `upToSeq` (never the last one); returns the seq history now starts after. */
  compact(upToSeq: number): Promise<number> {
    return this.exclusive(async () => {
      this.check();
      checkCompactSeq(this.name, upToSeq, this.snapshotSeq);
      try {
        await this.dropSegmentsUpTo(upToSeq);
      } catch (err) {
        throw this.fail("compacting its journal", err);
      }
      return this.segments[0]!.firstSeq - 1;
    });
  }

  /** Oldest first, so a crash midway leaves a journal that still starts at or before the snapshot. */
  private async dropSegmentsUpTo(seq: number): Promise<void> {
    let removed = 0;
    while (this.segments.length > 1 && this.segments[0]!.lastSeq <= seq) {
      await unlink(this.segments[0]!.path);
      this.segments.shift();
      removed++;
    }
    if (removed > 0) await fsyncDir(this.dir);
  }

  private fail(what: string, err: unknown): Error {
    if (err instanceof StoreError) return err;
    this.failure = new StoreClosedError(
      `sandbox "${this.name}": ${what} failed (${(err as Error).message}); reopen the store`,
      { cause: err },
    );
    return this.failure;
  }

  saveSnapshot(seq: number, state: unknown): Promise<void> {
    // Serialize now: the caller may go on mutating `state`.
    let json: string | Uint8Array;
    try {
      json = state instanceof SnapshotJson ? state.bytes : snapshotText(state);
    } catch (e) {
      return Promise.reject(e);
    }
    return this.exclusive(async () => {
      this.check();
      checkSnapshotSeq(this.name, seq, this.durableSeq, this.snapshotSeq);
      try {
        await writeFileAtomic(join(this.dir, SNAPSHOT_FILE), encodeSnapshot(seq, await compressSnapshot(json)));
        this.snapshotSeq = seq;
        const current = this.segments[this.segments.length - 1]!;
        if (current.lastSeq >= current.firstSeq) {
          // Start a new segment (created complete under a temporary name, then renamed in).
          const firstSeq = this.durableSeq + 1;
          const path = join(this.dir, segmentFileName(firstSeq));
          await writeFileSynced(`${path}.tmp`, encodeSegmentHeader(firstSeq));
          await rename(`${path}.tmp`, path);
          await fsyncDir(this.dir);
          const fh = await open(path, "r+");
          await this.fh.close();
          this.fh = fh;
          this.segments.push({
            version: 2,
            firstSeq,
            path,
            size: encodeSegmentHeader(firstSeq).length,
            lastSeq: firstSeq - 1,
          });
          this.writtenEnd = encodeSegmentHeader(firstSeq).length;
        }
        // History stays unless compaction was asked for: drop the segments the snapshot covers.
        if (this.compactOnSnapshot) await this.dropSegmentsUpTo(seq);
      } catch (err) {
        throw this.fail("saving a snapshot", err);
      }
    });
  }

  /** Waits for queued work, then closes the file. */
  shutdown(): Promise<void> {
    return this.exclusive(async () => {
      if (!this.gone) {
        this.gone = true;
        await this.fh.close();
      }
    });
  }

  /** Runs `fn` after queued work, with the log marked gone and its file closed. */
  remove(fn: () => Promise<void>): Promise<void> {
    return this.exclusive(async () => {
      if (this.gone) throw new StoreNotFoundError(this.name);
      this.gone = true;
      await this.fh.close();
      await fn();
    });
  }

  /** Refuses every later write and read (the store lost its lock). */
  poison(error: Error): void {
    this.failure ??= error;
  }

  private check(): void {
    if (this.failure) throw this.failure;
    if (this.gone) throw new StoreNotFoundError(this.name);
  }

  /**
   * Opens a sandbox's journal, cutting away a torn tail. Only the last segment is scanned (the
   * only one a crash can have left unfinished: a new segment starts after an fsync of everything
   * before it); an earlier one ends where the next begins and is verified when it is read.
   */
  static async recover(
    name: string,
    dir: string,
    notes: (n: RecoveryNote) => void,
    compactOnSnapshot: boolean,
    durableEnd?: { path: string; size: number },
  ): Promise<SandboxLog> {
    const files = await readdir(dir);
    let readOnly: Error | undefined;
    for (const f of files) {
      if (!f.endsWith(".tmp")) continue;
      await unlink(join(dir, f)).catch((err: unknown) => {
        if (!isUnwritable(err)) throw err;
        readOnly = err as Error;
      });
    }
    let snapshotSeq = 0;
    if (files.includes(SNAPSHOT_FILE)) {
      const file = join(dir, SNAPSHOT_FILE);
      snapshotSeq = decodeSnapshot(await readFile(file), file, false).seq;
    }
    const firstSeqs = files
      .map(parseSegmentFileName)
      .filter((s): s is number => s !== undefined)
      .sort((a, b) => a - b);
    if (firstSeqs.length === 0) throw new StoreCorruptionError(`sandbox "${name}": no journal segment in ${dir}`, dir);
    const segments: Segment[] = [];
    if (firstSeqs[0]! > snapshotSeq + 1) {
      throw new StoreCorruptionError(
        `sandbox "${name}": journal starts at seq ${firstSeqs[0]} but the snapshot only covers up to ${snapshotSeq}`,
        join(dir, segmentFileName(firstSeqs[0]!)),
      );
    }
    for (const [i, firstSeq] of firstSeqs.entries()) {
      const path = join(dir, segmentFileName(firstSeq));
      if (i < firstSeqs.length - 1) {
        // Not read here, so its format is not known yet; only the last segment is written to.
        segments.push({ version: 1, firstSeq, path, size: (await stat(path)).size, lastSeq: firstSeqs[i + 1]! - 1 });
        continue;
      }
      let buf = await readFile(path);
      // After a failed write, what lies beyond the durable end was never acknowledged: cut it too,
      // even if it reads back whole (its fsync may have failed).
      const cut = durableEnd?.path === path && buf.length > durableEnd.size ? buf.length - durableEnd.size : 0;
      if (cut > 0) buf = buf.subarray(0, durableEnd!.size);
      const scan = scanSegment(buf, path, firstSeq, "recover");
      if (cut > 0 || scan.dropped) {
        try {
          const fh = await open(path, "r+");
          try {
            await fh.truncate(scan.validLength);
            await fh.sync();
          } finally {
            await fh.close();
          }
        } catch (err) {
          // Cannot cut it now (read-only): read up to the valid length and accept no writes.
          if (!isUnwritable(err)) throw err;
          readOnly = err as Error;
        }
      }
      if (scan.dropped) {
        notes({
          sandbox: name,
          file: path,
          offset: scan.validLength,
          droppedBytes: scan.dropped.bytes,
          reason: scan.dropped.reason,
        });
      }
      segments.push({ version: scan.version, firstSeq, path, size: scan.validLength, lastSeq: scan.lastSeq });
    }
    const last = segments[segments.length - 1]!;
    if (last.lastSeq < snapshotSeq) {
      throw new StoreCorruptionError(
        `sandbox "${name}": snapshot is at seq ${snapshotSeq} but the journal ends at ${last.lastSeq}`,
        dir,
      );
    }
    let fh: FileHandle | undefined;
    if (!readOnly) {
      fh = await open(last.path, "r+").catch((err: unknown) => {
        if (!isUnwritable(err)) throw err;
        readOnly = err as Error;
        return undefined;
      });
    }
    fh ??= await open(last.path, "r");
    return new SandboxLog(name, dir, segments, fh, snapshotSeq, compactOnSnapshot, readOnly);
  }
}

const ignoreUnwritable = (err: unknown): void => {
  if (!isUnwritable(err)) throw err;
};

/** Reads and strictly verifies a segment's durable part, which must hold exactly firstSeq..lastSeq. */
async function readSegment(seg: Segment): Promise<{ buf: Buffer; scan: ReturnType<typeof scanSegment> }> {
  const buf = await readPrefix(seg.path, seg.size);
  const scan = scanSegment(buf, seg.path, seg.firstSeq, "strict");
  if (scan.lastSeq !== seg.lastSeq) {
    throw new StoreCorruptionError(
      `${seg.path}: holds seqs ${seg.firstSeq}..${scan.lastSeq}, expected ${seg.firstSeq}..${seg.lastSeq} (the next segment's start)`,
      seg.path,
    );
  }
  return { buf, scan };
}

async function readPrefix(path: string, length: number): Promise<Buffer> {
  const fh = await open(path, "r");
  try {
    const buf = Buffer.allocUnsafe(length);
    let done = 0;
    while (done < length) {
      const { bytesRead } = await fh.read(buf, done, length - done, done);
      if (bytesRead === 0)
        throw new StoreCorruptionError(`${path}: shorter than its durable length ${length}`, path, done);
      done += bytesRead;
    }
    return buf;
  } finally {
    await fh.close();
  }
}

/** The clock mark in `file`, if there is a readable one (it is only a hint: never fail a load over it). */
async function readClockMark(file: string): Promise<number | undefined> {
  try {
    const { simMs } = JSON.parse(await readFile(file, "utf8")) as { simMs?: unknown };
    return typeof simMs === "number" && Number.isFinite(simMs) ? simMs : undefined;
  } catch {
    return undefined;
  }
}

interface IndexEntry {
  meta: SandboxMeta;
  dir: string;
}

/** The embedded durable store. Create with `JournalStore.open(dir)`. */
export class JournalStore implements SandboxStore {
  /** Torn tails cut away since this store was opened. */
  readonly recoveries: RecoveryNote[] = [];
  private readonly logs = new Map<string, SandboxLog>();
  private readonly opening = new Map<string, Promise<SandboxLog>>();
  private readonly creating = new Set<string>();
  private closed = false;
  private closing: Promise<void> | undefined;
  /** Per sandbox, the clock marks being written, one after another (the last one asked for wins). */
  private readonly marking = new Map<string, Promise<void>>();

  private constructor(
    readonly root: string,
    private readonly lock: HeldLock,
    private readonly index: Map<string, IndexEntry>,
    private readonly options: JournalStoreOptions,
  ) {}

  /** Opens (creating if needed) a store directory and takes its lock. Journals are recovered on first use of each sandbox. */
  static async open(dir: string, options: JournalStoreOptions = {}): Promise<JournalStore> {
    const root = resolve(dir);
    await mkdir(root, { recursive: true });
    const lost: { store?: JournalStore } = {};
    const lock = await acquireLock(join(root, "LOCK"), {
      ...(options.lockWaitMs !== undefined ? { waitMs: options.lockWaitMs } : {}),
      onLost: (error) => {
        lost.store?.lockLost(error);
        options.onLockLost?.(error);
      },
    });
    try {
      const sandboxesDir = join(root, SANDBOXES_DIR);
      await mkdir(sandboxesDir, { recursive: true });
      // A read-only directory opens too: its sandboxes answer reads, their writes fail (503) until it is writable.
      await fsyncDir(root).catch(ignoreUnwritable);
      const index = new Map<string, IndexEntry>();
      let cleaned = false;
      for (const entry of await readdir(sandboxesDir, { withFileTypes: true })) {
        const path = join(sandboxesDir, entry.name);
        if (entry.name.startsWith(".")) {
          // A create or delete that did not finish.
          await rm(path, { recursive: true, force: true }).catch(ignoreUnwritable);
          cleaned = true;
          continue;
        }
        if (!entry.isDirectory()) continue;
        const metaFile = join(path, META_FILE);
        let meta: SandboxMeta;
        try {
          meta = JSON.parse(await readFile(metaFile, "utf8")) as SandboxMeta;
        } catch (err) {
          throw new StoreCorruptionError(
            `${metaFile}: unreadable sandbox metadata (${(err as Error).message})`,
            metaFile,
          );
        }
        if (sandboxDirName(meta.name) !== entry.name) {
          throw new StoreCorruptionError(
            `${metaFile}: names sandbox "${meta.name}", which does not belong in ${path}`,
            metaFile,
          );
        }
        index.set(meta.name, { meta, dir: path });
      }
      if (cleaned) await fsyncDir(sandboxesDir).catch(ignoreUnwritable);
      lost.store = new JournalStore(root, lock, index, options);
      return lost.store;
    } catch (err) {
      await lock.release();
      throw err;
    }
  }

  async list(): Promise<SandboxMeta[]> {
    this.checkOpen();
    return [...this.index.keys()].sort().map((name) => structuredClone(this.index.get(name)!.meta));
  }

  async create(meta: SandboxMeta): Promise<void> {
    this.checkOpen();
    validateMeta(meta);
    const dirName = sandboxDirName(meta.name);
    if (Buffer.byteLength(dirName) > 240)
      throw new RangeError(`sandbox name is too long for a folder name: "${meta.name}"`);
    if (this.index.has(meta.name) || this.creating.has(meta.name)) throw new StoreExistsError(meta.name);
    const metaJson = JSON.stringify(meta);
    const stored = JSON.parse(metaJson) as SandboxMeta;
    this.creating.add(meta.name);
    try {
      // Build the folder under a temporary name, then rename it in: a sandbox exists whole or not at all.
      const sandboxesDir = join(this.root, SANDBOXES_DIR);
      const tmp = join(sandboxesDir, `.create-${randomBytes(6).toString("hex")}`);
      await mkdir(tmp);
      await writeFileSynced(join(tmp, META_FILE), Buffer.from(metaJson, "utf8"));
      await writeFileSynced(join(tmp, segmentFileName(1)), encodeSegmentHeader(1));
      await fsyncDir(tmp);
      const dir = join(sandboxesDir, dirName);
      await rename(tmp, dir);
      await fsyncDir(sandboxesDir);
      this.index.set(meta.name, { meta: stored, dir });
    } finally {
      this.creating.delete(meta.name);
    }
  }

  async load(name: string): Promise<LoadedSandbox> {
    this.checkOpen();
    const log = await this.usableLog(name);
    const entry = this.index.get(name);
    if (!entry) throw new StoreNotFoundError(name);
    const loaded = await log.load(structuredClone(entry.meta));
    const mark = await readClockMark(join(entry.dir, CLOCK_MARK_FILE));
    if (mark !== undefined) loaded.clockMark = mark;
    return loaded;
  }

  async markClock(name: string, simMs: number): Promise<void> {
    this.checkOpen();
    if (!Number.isFinite(simMs)) throw new RangeError(`a clock mark must be a finite number, got ${String(simMs)}`);
    const entry = this.index.get(name);
    if (!entry) throw new StoreNotFoundError(name);
    const file = join(entry.dir, CLOCK_MARK_FILE);
    const write = async () => {
      // A process that dies keeps what it wrote (the page cache is the kernel's), so no fsync.
      const tmp = `${file}.${randomBytes(4).toString("hex")}.tmp`;
      await writeFile(tmp, JSON.stringify({ simMs }));
      await rename(tmp, file);
    };
    const next = (this.marking.get(name) ?? Promise.resolve()).then(write, write);
    this.marking.set(name, next);
    try {
      await next;
    } finally {
      if (this.marking.get(name) === next) this.marking.delete(name);
    }
  }

  async append(name: string, entries: JournalEntry[], expectedLastSeq: number): Promise<void> {
    this.checkOpen();
    validateEntries(entries, expectedLastSeq);
    // When the log is open the optimistic check runs synchronously, in call order.
    const log = this.logs.get(name) ?? (await this.log(name));
    return log.append(entries, expectedLastSeq);
  }

  async saveSnapshot(name: string, seq: number, state: unknown): Promise<void> {
    this.checkOpen();
    const log = await this.log(name);
    return log.saveSnapshot(seq, state);
  }

  async readEntries(name: string, fromSeq: number, toSeq?: number): Promise<JournalEntry[]> {
    this.checkOpen();
    checkReadRange(fromSeq, toSeq);
    return (await this.usableLog(name)).readEntries(fromSeq, toSeq);
  }

  async compact(name: string, upToSeq: number): Promise<number> {
    this.checkOpen();
    return (await this.log(name)).compact(upToSeq);
  }

  async delete(name: string): Promise<void> {
    this.checkOpen();
    const entry = this.index.get(name);
    if (!entry) throw new StoreNotFoundError(name);
    const trashAndRemove = async () => {
      const sandboxesDir = join(this.root, SANDBOXES_DIR);
      const trash = join(sandboxesDir, `.delete-${randomBytes(6).toString("hex")}`);
      await rename(entry.dir, trash);
      await fsyncDir(sandboxesDir);
      this.index.delete(name);
      this.logs.delete(name);
      await rm(trash, { recursive: true, force: true });
    };
    // A sandbox whose journal cannot be opened (corrupt) can still be deleted.
    const log = this.logs.get(name) ?? (await this.opening.get(name)?.catch(() => undefined));
    if (log) return log.remove(trashAndRemove);
    return trashAndRemove();
  }

  async close(): Promise<void> {
    if (this.closing) return this.closing;
    this.closed = true;
    this.closing = (async () => {
      await Promise.allSettled([...this.opening.values(), ...this.marking.values()]);
      await Promise.allSettled([...this.logs.values()].map((log) => log.shutdown()));
      this.logs.clear();
      await this.lock.release();
    })();
    return this.closing;
  }

  /** The last seq of a sandbox's log, including appends still in flight. */
  async lastSeq(name: string): Promise<number> {
    this.checkOpen();
    return (await this.log(name)).lastSeq;
  }

  /** "flock" (an OS lock) or "pid" (the fallback where flock(1) is missing: weaker, see lock.ts). */
  get lockKind(): "flock" | "pid" {
    return this.lock.kind;
  }

  private lostLock: Error | undefined;
  private lockLost(error: Error): void {
    this.lostLock = error;
    for (const log of this.logs.values()) log.poison(error);
  }

  private checkOpen(): void {
    if (this.closed) throw new StoreClosedError(`store ${this.root} is closed`);
    if (this.lostLock) throw this.lostLock;
  }

  /**
   * The sandbox's journal for reading, opened afresh from disk if its last write failed or it
   * could only be opened read-only: this is how a sandbox heals once the fault is gone (space
   * freed, directory writable again) — what the failed write left beyond the durable end is cut.
   */
  private async usableLog(name: string): Promise<SandboxLog> {
    const log = await this.log(name);
    if (!log.needsReopen || this.logs.get(name) !== log) return log;
    this.logs.delete(name);
    const durableEnd = log.durableEnd;
    await log.abandon();
    return this.log(name, durableEnd);
  }

  private log(name: string, durableEnd?: { path: string; size: number }): Promise<SandboxLog> {
    const open = this.logs.get(name);
    if (open) return Promise.resolve(open);
    const entry = this.index.get(name);
    if (!entry) return Promise.reject(new StoreNotFoundError(name));
    let opening = this.opening.get(name);
    if (!opening) {
      opening = SandboxLog.recover(
        name,
        entry.dir,
        (note) => {
          this.recoveries.push(note);
          this.options.onRecovery?.(note);
        },
        this.options.compactOnSnapshot ?? false,
        durableEnd,
      ).then(
        (log) => {
          this.opening.delete(name);
          if (this.closed) {
            void log.shutdown();
            throw new StoreClosedError(`store ${this.root} is closed`);
          }
          this.logs.set(name, log);
          return log;
        },
        (err: unknown) => {
          this.opening.delete(name);
          throw err;
        },
      );
      this.opening.set(name, opening);
    }
    return opening;
  }
}
