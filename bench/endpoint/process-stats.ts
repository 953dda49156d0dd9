/** What the benches read of a server process from /proc (Linux): its CPU time and memory, and a data dir's size. */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

/** User+system CPU of the whole process (every thread), or of its main thread (the event loop) with `loop`, ms. */
export function cpuMsOf(pid: number, loop = false): number {
  const stat = readFileSync(loop ? `/proc/${pid}/task/${pid}/stat` : `/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10; // utime, stime in 1/100 s
}

/** Resident memory now and at its peak (VmHWM), MiB to a tenth. */
export function rssOf(pid: number): { rssMiB: number; hwmMiB: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (k: string) => Number(new RegExp(`${k}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0);
  return { rssMiB: Math.round(kb("VmRSS") / 102.4) / 10, hwmMiB: Math.round(kb("VmHWM") / 102.4) / 10 };
}

/** Bytes of every file under `dir`. */
export function dirBytes(dir: string): number {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    n += e.isDirectory() ? dirBytes(p) : statSync(p).size;
  }
  return n;
}
