/**
 * The data directory's lock: an OS file lock (flock(2)) on `<root>/LOCK`, held on an open file
 * descriptor for as long as the store is open.
 *
 * Node has no flock API, so the descriptor lives in a small helper process, util-linux's
 * `flock(1)` running `sh -c 'echo locked; exec cat'`: it takes the lock, says so, then reads its
 * standard input — a pipe from this process — until EOF. When this process exits, however it
 * exits (kill -9 included), the kernel closes the pipe, `cat` sees EOF and exits, and the lock
 * goes with its descriptor. The helper runs in its own process group, so a Ctrl-C meant for the
 * server does not drop the lock while the server is still finishing its writes; if the helper
 * dies anyway, `onLost` is told and the store stops writing.
 *
 * Why this holds where a pid file did not: the kernel decides who holds a flock, not a pid that
 * may belong to another PID namespace (two containers on one volume) or another host. There is
 * no "stale lock" to judge: a dead holder's lock is already gone, so recovery can never break a
 * live one. The file is never deleted (deleting a lock file races with a process that just opened
 * it); it holds the holder's pid, host and start time as JSON, for messages only.
 *
 * Where `flock(1)` is missing (macOS, minimal images), the pid-file lock of `pid-lock.ts` is used
 * and `kind` says so; callers warn. See docs/ARCHITECTURE.md for the options weighed.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { open, readFile } from "node:fs/promises";
import { hostname } from "node:os";
import { dirname, resolve } from "node:path";
import { isUnwritable, writeFully } from "./fsutil.ts";
import { acquirePidLock } from "./pid-lock.ts";
import { StoreLockedError } from "./store.ts";

/** What a lock file holds (JSON), for messages: who holds it. */
export interface LockInfo {
  kind?: "flock" | "pid";
  pid: number;
  hostname: string;
  /** The holder's start time from /proc (Linux), to tell a reused pid from the holder (pid locks). */
  procStart?: string;
  acquiredAt: string;
  token: string;
}

export interface HeldLock {
  path: string;
  info: LockInfo;
  /** "flock": an OS lock held by the helper; "pid": the pid-file fallback (no flock(1) here). */
  kind: "flock" | "pid";
  release(): Promise<void>;
}

export interface LockOptions {
  /** How long to wait for a lock held by someone else (ms): a holder that just died frees it within ms. 3,000 unless told. */
  waitMs?: number;
  /** Told when the lock is lost while held (its helper process died): stop writing. */
  onLost?: (error: Error) => void;
}

/** Lock files held by this process: the OS lock would refuse them too, this says why more plainly. */
const heldHere = new Set<string>();

let found: string | null | undefined;
/** util-linux (or busybox) `flock`, or null when there is none. */
function findFlock(): string | null {
  if (found !== undefined) return found;
  const r = spawnSync("sh", ["-c", "command -v flock"], { encoding: "utf8" });
  found = r.status === 0 && r.stdout.trim() ? r.stdout.trim() : null;
  return found;
}

/** Takes the lock on `lockPath` for this process, or fails with `StoreLockedError` naming the holder. */
export async function acquireLock(lockPath: string, options: LockOptions = {}): Promise<HeldLock> {
  const path = resolve(lockPath);
  const flock = findFlock();
  if (flock === null) return acquirePidLock(path);
  if (heldHere.has(path)) {
    throw new StoreLockedError(
      `store directory ${dirname(path)} is already open in this process (lock file ${path})`,
      path,
      process.pid,
    );
  }
  heldHere.add(path);
  try {
    return await takeFlock(flock, path, options);
  } catch (err) {
    heldHere.delete(path);
    throw err;
  }
}

async function takeFlock(flock: string, path: string, options: LockOptions): Promise<HeldLock> {
  // Create the file ourselves (mode 644); never truncate here: the holder's details are in it.
  // A read-only directory that has it can still be locked (flock(1) opens it for reading).
  await open(path, "a", 0o644).then(
    (fh) => fh.close(),
    (err: unknown) => {
      if (!isUnwritable(err)) throw err;
    },
  );
  const waitSec = Math.max(0, (options.waitMs ?? 3_000) / 1000);
  // The shell says when the lock is held (`flock --verbose` says it too, but block-buffered on a pipe).
  const args = ["-x", "-w", String(waitSec), path, "sh", "-c", "echo locked; exec cat"];
  const child = spawn(flock, args, {
    stdio: ["pipe", "pipe", "pipe"],
    detached: true, // its own process group: a terminal's Ctrl-C reaches the server, not the lock
  });
  let stderr = "";
  const isLocked = (out: string) => out.includes("locked\n");
  child.stdin!.on("error", () => undefined); // EPIPE if it is gone; its exit tells us
  const exited = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
  const locked = await new Promise<boolean>((resolveLocked, reject) => {
    let out = "";
    child.stdout!.on("data", (c: Buffer) => {
      out += c.toString();
      if (isLocked(out)) resolveLocked(true);
    });
    child.stderr!.on("data", (c: Buffer) => (stderr += c.toString()));
    child.on("error", reject);
    void exited.then(() => resolveLocked(false));
  });
  if (!locked) {
    const holder = parseInfo(await readFile(path, "utf8").catch(() => ""));
    const who = holder
      ? `process ${holder.pid} on ${holder.hostname} since ${holder.acquiredAt}`
      : "another process (maybe in another container or on another host sharing this volume)";
    throw new StoreLockedError(
      `store directory ${dirname(path)} is in use by ${who} (lock file ${path}, an OS lock held as long as that ` +
        `process lives)${stderr.trim() && !/timeout|failed to get lock|timed out/i.test(stderr) ? `: ${stderr.trim()}` : ""}`,
      path,
      holder?.pid,
    );
  }
  const info: LockInfo = {
    kind: "flock",
    pid: process.pid,
    hostname: hostname(),
    acquiredAt: new Date().toISOString(),
    token: randomBytes(8).toString("hex"),
  };
  try {
    await writeInfo(path, `${JSON.stringify(info)}\n`);
  } catch (err) {
    // Read-only or full: the lock holds all the same, only the holder's details are not written.
    if (!isUnwritable(err)) {
      await stopHelper(child, exited);
      throw err;
    }
  }
  // The helper must not keep this process alive, nor outlive it.
  child.unref();
  for (const s of [child.stdin, child.stdout, child.stderr]) (s as unknown as { unref?: () => void }).unref?.();
  let releasing = false;
  void exited.then((code) => {
    if (releasing) return;
    heldHere.delete(path);
    options.onLost?.(
      new StoreLockedError(
        `lost the lock of store directory ${dirname(path)}: its flock helper (pid ${child.pid}) exited (code ${code})`,
        path,
      ),
    );
  });
  return {
    path,
    info,
    kind: "flock",
    release: async () => {
      if (releasing) return;
      releasing = true;
      try {
        await writeInfo(path, ""); // still ours: say nobody holds it
      } catch {
        // the lock is released all the same
      }
      await stopHelper(child, exited);
      heldHere.delete(path);
    },
  };
}

/** Closes the helper's stdin (it exits on EOF, dropping the lock) and waits for it to be gone. */
async function stopHelper(child: ChildProcess, exited: Promise<unknown>): Promise<void> {
  child.stdin!.end();
  const timer = setTimeout(() => {
    try {
      process.kill(-child.pid!, "SIGKILL"); // the whole group: flock and the cat holding the descriptor
    } catch {
      // gone already
    }
  }, 2_000);
  await exited;
  clearTimeout(timer);
}

async function writeInfo(path: string, text: string): Promise<void> {
  const fh = await open(path, "r+");
  try {
    await fh.truncate(0);
    if (text) await writeFully(fh, Buffer.from(text), 0);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

function parseInfo(text: string): LockInfo | undefined {
  try {
    const v = JSON.parse(text) as Partial<LockInfo>;
    return typeof v.pid === "number" && typeof v.hostname === "string" ? (v as LockInfo) : undefined;
  } catch {
    return undefined;
  }
}
