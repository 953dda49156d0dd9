/** The records of a sandbox's journal segments, read straight from disk (for the store benches). */
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { readRecordAt, SEGMENT_HEADER_SIZE } from "../../packages/server/src/store/format.ts";

export async function* journalRecords(dir: string): AsyncGenerator<{ batchSeq: number; flags: number }> {
  for (const f of (await readdir(dir)).filter((f) => f.startsWith("journal-"))) {
    const buf = await readFile(join(dir, f));
    for (let off = SEGMENT_HEADER_SIZE; off < buf.length; ) {
      const r = readRecordAt(buf, off);
      if (!r.ok) throw new Error(`${f}: ${r.reason}`);
      yield r.rec;
      off = r.rec.end;
    }
  }
}
