import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { link, open, readFile, rename, unlink } from "node:fs/promises";
import { hostname } from "node:os";
import { dirname, resolve } from "node:path";
import { fsyncDir, writeFully } from "./fsutil.ts";
import type { HeldLock, LockInfo } from "./lock.ts";
import { StoreLockedError } from "./store.ts";

/** Lock files held by stores in this process: a lock naming our own pid but not listed here is stale. */
const heldHere = new Set<string>();

function procStat(pid: number): { state: string; start: string } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // After "pid (comm) ": field 3 (state) is fields[0], field 22 (starttime) is fields[19].
    const state = fields[0];
    const start = fields[19];
    return state !== undefined && start !== undefined ? { state, start } : undefined;
  } catch {
    return undefined;
  }
}

/** Whether the process that wrote `info` may still be alive (unknowable across hosts: assume yes). */
export function lockHolderAlive(info: LockInfo): boolean {
  if (info.hostname !== hostname()) return true;
  if (info.pid === process.pid) return false; // not a store of this process (checked first): an earlier life of our pid
  try {
    process.kill(info.pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ESRCH") return false;
    // EPERM: it exists but belongs to someone else; fall through to the /proc check.
  }
  const stat = procStat(info.pid);
  if (stat === undefined) return true; // exists, and /proc cannot tell more
  if (stat.state === "Z" || stat.state === "X") return false; // killed, not yet reaped
  if (info.procStart !== undefined && stat.start !== info.procStart) return false; // pid reused
  return true;
}

function parseLock(text: string): LockInfo | undefined {
  try {
    const v = JSON.parse(text) as Partial<LockInfo>;
    return typeof v.pid === "number" && typeof v.hostname === "string" && typeof v.token === "string"
      ? (v as LockInfo)
      : undefined;
  } catch {
    return undefined;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The fallback where util-linux `flock(1)` is missing (see lock.ts): it cannot tell a live holder
 * in another PID namespace or on another host from a dead one.
 *
 * Takes `lockPath` for this process: created with O_EXCL, holding our pid. If it exists and its
 * holder is alive, fails with `StoreLockedError`; if the holder is dead (or a reused pid), the
 * stale lock is moved aside atomically and taken over.
 */
export async function acquirePidLock(lockPath: string): Promise<HeldLock> {
  const path = resolve(lockPath);
  const info: LockInfo = {
    kind: "pid",
    pid: process.pid,
    hostname: hostname(),
    acquiredAt: new Date().toISOString(),
    token: randomBytes(8).toString("hex"),
  };
  const start = procStat(process.pid)?.start;
  if (start !== undefined) info.procStart = start;
  const text = `${JSON.stringify(info)}\n`;
  if (heldHere.has(path)) {
    throw new StoreLockedError(
      `store directory ${dirname(path)} is already open in this process (lock file ${path})`,
      path,
      process.pid,
    );
  }
  heldHere.add(path); // reserve now, so a concurrent open in this process never judges our lock stale
  try {
    return await takeLock(path, info, text);
  } catch (err) {
    heldHere.delete(path);
    throw err;
  }
}

async function takeLock(path: string, info: LockInfo, text: string): Promise<HeldLock> {
  for (let attempt = 0; attempt < 20; attempt++) {
    try {
      const fh = await open(path, "wx");
      try {
        await writeFully(fh, Buffer.from(text), 0);
        await fh.sync();
      } finally {
        await fh.close();
      }
      await fsyncDir(dirname(path));
      return { path, info, kind: "pid", release: () => releaseLock(path, info.token) };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    }
    let existing: string;
    try {
      existing = await readFile(path, "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") continue;
      throw err;
    }
    const holder = parseLock(existing);
    if (holder === undefined && attempt < 5) {
      await sleep(20); // maybe being written right now
      continue;
    }
    if (holder !== undefined && lockHolderAlive(holder)) {
      throw new StoreLockedError(
        `store directory ${dirname(path)} is in use by process ${holder.pid} on ${holder.hostname} since ${holder.acquiredAt} (lock file ${path}); ` +
          "stop it first, or delete the lock file if you are sure that process is gone",
        path,
        holder.pid,
      );
    }
    // Stale: move it aside atomically, and make sure what we moved is what we judged stale.
    const aside = `${path}.stale-${process.pid}-${randomBytes(4).toString("hex")}`;
    try {
      await rename(path, aside);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") continue;
      throw err;
    }
    const moved = await readFile(aside, "utf8");
    if (moved !== existing) await link(aside, path).catch(() => undefined); // someone else's fresh lock: put it back
    await unlink(aside);
  }
  throw new StoreLockedError(`could not take the lock file ${path}: it keeps changing`, path);
}

async function releaseLock(path: string, token: string): Promise<void> {
  heldHere.delete(path);
  try {
    const holder = parseLock(await readFile(path, "utf8"));
    if (holder?.token === token) {
      await unlink(path);
      await fsyncDir(dirname(path));
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
  }
}
