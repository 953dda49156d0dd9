/**
 * On-disk format of the journal store: segment files of checksummed records, and snapshot files.
 *
 * Segment file `journal-<firstSeq, 16 digits>.log`:
 *   header (16 bytes): "EC2SJNL2" (written since records may be compressed; "EC2SJNL1" segments, whose
 *   records are never compressed, are still read and appended to) | u64 LE firstSeq
 *   records, back to back. Record (32-byte header + payload), integers little-endian:
 *     0  u32 magic 0x314A45FF (bytes FF 45 4A 31; 0xFF never occurs in UTF-8 JSON)
 *     4  u32 CRC-32 of bytes 8 .. end of payload
 *     8  u32 payload length in bytes
 *    12  u32 count of events
 *    16  u64 seq of the first event
 *    24  u32 firstSeq - batchSeq, where batchSeq is the first seq of the group-commit batch
 *    28  u32 flags: bit 0 = last record of its batch; bit 1 = payload compressed (EC2SJNL2 only);
 *        bits 8-31 = batchSeq - U, where U is the first seq of the oldest earlier batch whose fdatasync
 *        had not finished when this batch was written (0: every earlier batch was durable)
 *    32  payload: UTF-8 JSON array of `count` events, or that JSON as raw DEFLATE (RFC 1951) with the
 *        preset dictionary of journal-dictionary.ts when bit 1 is set
 *   One record = one `append` call (atomic). One batch = the records written by one write+fsync.
 *   A batch may be written while the previous one's fdatasync still runs (journal-store.ts), so a
 *   crash can leave that earlier batch damaged and a later one intact: recovery drops both (neither
 *   was acknowledged), and tells that apart from damage to acknowledged data by bits 8-31. Readers
 *   before those bits ignore them (they only differ in calling that crash's hole corruption).
 *
 * Snapshot file `snapshot.snap` (replaced atomically):
 *   "EC2SSNP2" | u32 CRC-32 of bytes 12.. | u32 payload length | u64 seq | payload: UTF-8 JSON state as
 *   raw DEFLATE ("EC2SSNP1" snapshots, whose payload is the JSON itself, are still read).
 *
 * Why DEFLATE: events repeat the same keys and values (a 100-instance launch is 100 near-identical
 * objects), so it shrinks records several times over at a cost paid on libuv's thread pool, not the
 * event loop; the dictionary does the same for the many one-event records. Versioned by magic and
 * flag, so a journal written before stays readable, and an older ec2sim refuses a newer one clearly.
 */
import { promisify } from "node:util";
import { constants, crc32, deflateRaw, deflateRawSync, inflateRawSync } from "node:zlib";
import { JOURNAL_DICTIONARY_V1 } from "./journal-dictionary.ts";
import { StoreCorruptionError } from "./store.ts";

export const SEGMENT_MAGIC = Buffer.from("EC2SJNL2", "latin1");
/** Segments written before records could be compressed. */
export const SEGMENT_MAGIC_V1 = Buffer.from("EC2SJNL1", "latin1");
export const SEGMENT_HEADER_SIZE = 16;
export const RECORD_MAGIC = 0x314a45ff;
const RECORD_MAGIC_BYTES = Buffer.from([0xff, 0x45, 0x4a, 0x31]);
export const RECORD_HEADER_SIZE = 32;
export const FLAG_END_OF_BATCH = 1;
export const FLAG_DEFLATED = 2;
const OVERLAP_SHIFT = 8;
/** The largest `batchSeq - U` a record can carry (24 bits); a batch further ahead waits for the syncs instead. */
export const MAX_OVERLAP = 0xff_ffff;

/** The flag bits that record how far back (in seqs) the oldest batch not yet durable began. */
export function overlapFlags(overlap: number): number {
  if (!Number.isInteger(overlap) || overlap < 0 || overlap > MAX_OVERLAP) throw new RangeError(`overlap ${overlap}`);
  return (overlap << OVERLAP_SHIFT) >>> 0;
}

/** The first seq of the oldest batch that was not durable when `rec`'s batch was written (its own batch if none). */
export function oldestUnsyncedSeq(rec: RecordInfo): number {
  return rec.batchSeq - (rec.flags >>> OVERLAP_SHIFT);
}
/** Largest payload of one record (one append call). */
export const MAX_PAYLOAD = 256 * 1024 * 1024;
export const SNAPSHOT_MAGIC = Buffer.from("EC2SSNP2", "latin1");
/** Snapshots written before they were compressed. */
export const SNAPSHOT_MAGIC_V1 = Buffer.from("EC2SSNP1", "latin1");
export const SNAPSHOT_HEADER_SIZE = 24;

export function segmentFileName(firstSeq: number): string {
  return `journal-${String(firstSeq).padStart(16, "0")}.log`;
}

export function parseSegmentFileName(file: string): number | undefined {
  const m = /^journal-(\d{16})\.log$/.exec(file);
  return m ? Number(m[1]) : undefined;
}

export function encodeSegmentHeader(firstSeq: number): Buffer {
  const buf = Buffer.alloc(SEGMENT_HEADER_SIZE);
  SEGMENT_MAGIC.copy(buf, 0);
  buf.writeBigUInt64LE(BigInt(firstSeq), 8);
  return buf;
}

const deflate = promisify(deflateRaw);
const DICTIONARY = Buffer.from(JOURNAL_DICTIONARY_V1, "utf8");
const DEFLATE_OPTIONS = { level: constants.Z_BEST_SPEED, dictionary: DICTIONARY };
/**
 * Records below this stay as they are: a one-event record of a few hundred bytes saves ~200 bytes
 * but costs ~40 µs each way (a zlib context per call), which at thousands of small appends a second
 * is most of the store's CPU. The bytes are in the large records (launches, images).
 */
export const MIN_COMPRESS_BYTES = 512;
/** Above this a record is compressed on the thread pool rather than on the event loop. */
const COMPRESS_OFF_LOOP_BYTES = 64 * 1024;

/**
 * A record's payload as written to an EC2SJNL2 segment: the JSON compressed when it is large enough
 * to pay and that makes it smaller, with the flag to set.
 */
export async function compressPayload(json: Buffer): Promise<{ payload: Buffer; flags: number }> {
  if (json.length < MIN_COMPRESS_BYTES) return { payload: json, flags: 0 };
  const z =
    json.length < COMPRESS_OFF_LOOP_BYTES
      ? deflateRawSync(json, DEFLATE_OPTIONS)
      : await deflate(json, DEFLATE_OPTIONS);
  return z.length < json.length ? { payload: z, flags: FLAG_DEFLATED } : { payload: json, flags: 0 };
}

/** A snapshot's payload, compressed on the thread pool. */
export function compressSnapshot(json: string | Uint8Array): Promise<Buffer> {
  return deflate(typeof json === "string" ? Buffer.from(json, "utf8") : json, { level: constants.Z_BEST_SPEED });
}

export function encodeRecord(
  firstSeq: number,
  count: number,
  batchSeq: number,
  flags: number,
  payload: Buffer,
): Buffer {
  const buf = Buffer.allocUnsafe(RECORD_HEADER_SIZE + payload.length);
  buf.writeUInt32LE(RECORD_MAGIC, 0);
  buf.writeUInt32LE(payload.length, 8);
  buf.writeUInt32LE(count, 12);
  buf.writeBigUInt64LE(BigInt(firstSeq), 16);
  buf.writeUInt32LE(firstSeq - batchSeq, 24);
  buf.writeUInt32LE(flags >>> 0, 28);
  payload.copy(buf, RECORD_HEADER_SIZE);
  buf.writeUInt32LE(crc32(buf.subarray(8)), 4);
  return buf;
}

export interface RecordInfo {
  offset: number;
  /** Offset just past the record. */
  end: number;
  firstSeq: number;
  count: number;
  batchSeq: number;
  flags: number;
  payloadStart: number;
}

type ReadResult = { ok: true; rec: RecordInfo } | { ok: false; reason: string };

/** Reads and verifies the record at `offset` (magic, length bounds, checksum). */
export function readRecordAt(buf: Buffer, offset: number): ReadResult {
  if (buf.length - offset < RECORD_HEADER_SIZE) return { ok: false, reason: "incomplete record header" };
  if (buf.readUInt32LE(offset) !== RECORD_MAGIC) return { ok: false, reason: "bad record magic" };
  const len = buf.readUInt32LE(offset + 8);
  if (len > MAX_PAYLOAD) return { ok: false, reason: "impossible record length" };
  const end = offset + RECORD_HEADER_SIZE + len;
  if (end > buf.length) return { ok: false, reason: "incomplete record payload" };
  if (crc32(buf.subarray(offset + 8, end)) !== buf.readUInt32LE(offset + 4))
    return { ok: false, reason: "checksum mismatch" };
  const count = buf.readUInt32LE(offset + 12);
  const firstSeq = Number(buf.readBigUInt64LE(offset + 16));
  const batchSeq = firstSeq - buf.readUInt32LE(offset + 24);
  if (count < 1 || !Number.isSafeInteger(firstSeq) || firstSeq < 1 || batchSeq < 1) {
    return { ok: false, reason: "impossible record header" };
  }
  return {
    ok: true,
    rec: {
      offset,
      end,
      firstSeq,
      count,
      batchSeq,
      flags: buf.readUInt32LE(offset + 28),
      payloadStart: offset + RECORD_HEADER_SIZE,
    },
  };
}

export interface SegmentScan {
  /** 2: records may be compressed; 1: the first format, whose records never are. */
  version: 1 | 2;
  records: RecordInfo[];
  /** Seq of the last kept event, or firstSeq - 1 if none. */
  lastSeq: number;
  /** Length of the valid prefix of the file; less than the file's length if a torn tail must be cut. */
  validLength: number;
  /** Why the tail past `validLength` is dropped, when it is. */
  dropped?: { offset: number; bytes: number; reason: string };
}

/**
 * Parses a segment. In "strict" mode any damage is a `StoreCorruptionError`. In "recover" mode
 * (the last segment, at open) damage that a crash during the last write could have left (a torn
 * or garbled last batch, trailing garbage, a batch missing its end) is reported in `dropped`, while
 * damage followed by intact data from a later batch, which no crash can produce because every
 * batch is fsynced before the next is written, is still a `StoreCorruptionError`.
 */
export function scanSegment(buf: Buffer, file: string, firstSeq: number, mode: "strict" | "recover"): SegmentScan {
  const magic = buf.subarray(0, 8);
  const version = magic.equals(SEGMENT_MAGIC) ? 2 : magic.equals(SEGMENT_MAGIC_V1) ? 1 : 0;
  if (buf.length < SEGMENT_HEADER_SIZE || version === 0) {
    throw new StoreCorruptionError(`${file}: not a journal segment (bad or missing header)`, file, 0);
  }
  const headerSeq = Number(buf.readBigUInt64LE(8));
  if (headerSeq !== firstSeq) {
    throw new StoreCorruptionError(`${file}: header says first seq ${headerSeq}, file name says ${firstSeq}`, file, 8);
  }
  const records: RecordInfo[] = [];
  let offset = SEGMENT_HEADER_SIZE;
  let nextSeq = firstSeq;
  let failure: string | undefined;
  while (offset < buf.length) {
    const r = readRecordAt(buf, offset);
    if (!r.ok) {
      failure = r.reason;
      break;
    }
    const rec = r.rec;
    if (rec.flags & FLAG_DEFLATED && version === 1) {
      throw new StoreCorruptionError(
        `${file}: compressed record at offset ${offset} in an EC2SJNL1 segment`,
        file,
        offset,
      );
    }
    if (rec.firstSeq !== nextSeq) {
      throw new StoreCorruptionError(
        `${file}: record at offset ${offset} has seq ${rec.firstSeq}, expected ${nextSeq}`,
        file,
        offset,
      );
    }
    const prev = records[records.length - 1];
    const expectedBatch = !prev || prev.flags & FLAG_END_OF_BATCH ? rec.firstSeq : prev.batchSeq;
    if (rec.batchSeq !== expectedBatch) {
      throw new StoreCorruptionError(
        `${file}: record at offset ${offset} (seq ${rec.firstSeq}) breaks its write batch`,
        file,
        offset,
      );
    }
    records.push(rec);
    nextSeq += rec.count;
    offset = rec.end;
  }
  const last = records[records.length - 1];
  const openBatch = last !== undefined && !(last.flags & FLAG_END_OF_BATCH);
  if (failure === undefined && !openBatch) {
    return { version, records, lastSeq: nextSeq - 1, validLength: buf.length };
  }
  const where =
    failure === undefined ? `a write batch without its end at offset ${offset}` : `${failure} at offset ${offset}`;
  if (mode === "strict") throw new StoreCorruptionError(`${file}: ${where}`, file, offset);

  if (failure !== undefined) {
    // Is there intact data from a later batch after the damage, written once the damaged batch was
    // durable? Then it is not a crash's torn tail. (A batch written while the damaged one's sync
    // still ran may have reached the disk first; it was not acknowledged either.)
    const tornBatch = openBatch ? last.batchSeq : nextSeq;
    for (let p = buf.indexOf(RECORD_MAGIC_BYTES, offset + 1); p !== -1; p = buf.indexOf(RECORD_MAGIC_BYTES, p + 1)) {
      const r = readRecordAt(buf, p);
      if (r.ok && r.rec.batchSeq !== tornBatch && r.rec.firstSeq > nextSeq && oldestUnsyncedSeq(r.rec) > tornBatch) {
        throw new StoreCorruptionError(
          `${file}: damaged record at offset ${offset} (${failure}) is followed by intact records ` +
            `(seq ${r.rec.firstSeq} at offset ${p}); refusing to drop acknowledged data`,
          file,
          offset,
        );
      }
    }
  }
  // Drop the unfinished batch as a whole: none of it was acknowledged.
  let keep = records.length;
  if (openBatch) while (keep > 0 && records[keep - 1]!.batchSeq === last.batchSeq) keep--;
  const kept = records.slice(0, keep);
  const validLength = keep === 0 ? SEGMENT_HEADER_SIZE : kept[keep - 1]!.end;
  const keptLast = kept[kept.length - 1];
  return {
    version,
    records: kept,
    lastSeq: keptLast ? keptLast.firstSeq + keptLast.count - 1 : firstSeq - 1,
    validLength,
    dropped: { offset: validLength, bytes: buf.length - validLength, reason: where },
  };
}

/** Decodes the events of a verified record. */
export function decodeRecordEvents(buf: Buffer, rec: RecordInfo, file: string): unknown[] {
  let events: unknown;
  try {
    const payload = buf.subarray(rec.payloadStart, rec.end);
    const json = rec.flags & FLAG_DEFLATED ? inflateRawSync(payload, { dictionary: DICTIONARY }) : payload;
    events = JSON.parse(json.toString("utf8"));
  } catch (err) {
    throw new StoreCorruptionError(
      `${file}: record at offset ${rec.offset} holds invalid events (${(err as Error).message})`,
      file,
      rec.offset,
    );
  }
  if (!Array.isArray(events) || events.length !== rec.count) {
    throw new StoreCorruptionError(
      `${file}: record at offset ${rec.offset} should hold ${rec.count} events`,
      file,
      rec.offset,
    );
  }
  return events;
}

/** A snapshot file from its compressed payload (compressSnapshot). */
export function encodeSnapshot(seq: number, payload: Buffer): Buffer {
  const buf = Buffer.allocUnsafe(SNAPSHOT_HEADER_SIZE + payload.length);
  SNAPSHOT_MAGIC.copy(buf, 0);
  buf.writeUInt32LE(payload.length, 12);
  buf.writeBigUInt64LE(BigInt(seq), 16);
  payload.copy(buf, SNAPSHOT_HEADER_SIZE);
  buf.writeUInt32LE(crc32(buf.subarray(12)), 8);
  return buf;
}

/** Verifies a snapshot file; returns its seq and the state (parsed only when asked). */
export function decodeSnapshot(
  buf: Buffer,
  file: string,
  parse: boolean,
): { seq: number; state?: unknown; json?: string } {
  const magic = buf.subarray(0, 8);
  const compressed = magic.equals(SNAPSHOT_MAGIC);
  if (
    buf.length < SNAPSHOT_HEADER_SIZE ||
    !(compressed || magic.equals(SNAPSHOT_MAGIC_V1)) ||
    buf.readUInt32LE(12) !== buf.length - SNAPSHOT_HEADER_SIZE ||
    crc32(buf.subarray(12)) !== buf.readUInt32LE(8)
  ) {
    throw new StoreCorruptionError(`${file}: snapshot is damaged (bad header, length or checksum)`, file, 0);
  }
  const seq = Number(buf.readBigUInt64LE(16));
  if (!parse) return { seq };
  const payload = buf.subarray(SNAPSHOT_HEADER_SIZE);
  let json: string;
  try {
    json = (compressed ? inflateRawSync(payload) : payload).toString("utf8");
  } catch (err) {
    throw new StoreCorruptionError(`${file}: snapshot does not decompress (${(err as Error).message})`, file, 0);
  }
  return { seq, state: JSON.parse(json) as unknown, json };
}
