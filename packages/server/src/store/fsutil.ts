import { type FileHandle, open, rename } from "node:fs/promises";
import { dirname } from "node:path";

/** Makes a directory's entries (created, renamed, removed files) durable. No-op on Windows. */
export async function fsyncDir(dir: string): Promise<void> {
  if (process.platform === "win32") return;
  const fh = await open(dir, "r");
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Writes all of `buf` at `position`, looping over short writes. */
export async function writeFully(fh: FileHandle, buf: Buffer, position: number): Promise<void> {
  let done = 0;
  while (done < buf.length) {
    const { bytesWritten } = await fh.write(buf, done, buf.length - done, position + done);
    if (bytesWritten <= 0) throw new Error("write made no progress");
    done += bytesWritten;
  }
}

/** Creates or replaces `path` with `data` and fsyncs the file (not its directory). */
export async function writeFileSynced(path: string, data: Buffer, flags = "w"): Promise<void> {
  const fh = await open(path, flags);
  try {
    await writeFully(fh, data, 0);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Replaces `path` atomically: write `path.tmp`, fsync, rename over `path`, fsync the directory. */
export async function writeFileAtomic(path: string, data: Buffer): Promise<void> {
  const tmp = `${path}.tmp`;
  await writeFileSynced(tmp, data);
  await rename(tmp, path);
  await fsyncDir(dirname(path));
}

/** An error that says the files cannot be written now (read-only mount, permissions, a full disk). */
export function isUnwritable(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  return code === "EROFS" || code === "EACCES" || code === "EPERM" || code === "ENOSPC" || code === "EDQUOT";
}
