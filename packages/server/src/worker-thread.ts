/**
 * Starting the server's worker threads (the snapshot worker, the key worker) in every layout the
 * server runs from: built (the CLI bundle puts each worker beside its chunks as `<name>.mjs`, tsc
 * beside its module as `<name>.js`) or, in a clone, as TypeScript through tsx — registered inside
 * the worker, because Node 20 does not apply a `--import`ed loader to a worker's entry module.
 */
import { existsSync, readFileSync, readlinkSync } from "node:fs";
import { createRequire } from "node:module";
import { getPriority, setPriority } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";

/**
 * A worker `name` found beside `base` (the caller's `import.meta.url`), unref'd (it never keeps
 * the process alive by itself); throws when its code is not there.
 */
export function startWorker(base: string, name: string): Worker {
  for (const file of [`./${name}.mjs`, `./${name}.js`]) {
    const url = new URL(file, base);
    if (url.protocol === "file:" && existsSync(fileURLToPath(url))) return unref(new Worker(url));
  }
  const ts = new URL(`./${name}.ts`, base);
  if (ts.protocol !== "file:" || !existsSync(fileURLToPath(ts)))
    throw new Error(`the code of the ${name} thread was not found beside the server's`);
  const require = createRequire(base);
  const tsxJson = require.resolve("tsx/package.json");
  const exports = (
    JSON.parse(readFileSync(tsxJson, "utf8")) as { exports: Record<string, { import: { default: string } }> }
  ).exports;
  const api = pathToFileURL(join(dirname(tsxJson), exports["./esm/api"]!.import.default)).href;
  const boot = `import(${JSON.stringify(api)}).then((m) => { m.register(); return import(${JSON.stringify(ts.href)}); })`;
  return unref(new Worker(boot, { eval: true, execArgv: ["--conditions=source"] }));
}

function unref(w: Worker): Worker {
  w.unref();
  return w;
}

/**
 * Called inside a worker: this thread yields the CPU to the one answering clients, 10 nice levels
 * below it (about a tenth of its weight: the work still moves on a busy machine, where the lowest
 * priority could starve it). On Linux a thread has its own nice value, and /proc/thread-self names
 * this thread's ID; elsewhere (or when not allowed) the thread keeps the process's priority.
 */
export function yieldToEventLoop(): void {
  try {
    const tid = Number(readlinkSync("/proc/thread-self").split("/").pop());
    if (Number.isInteger(tid) && tid > 0) setPriority(tid, Math.min(19, getPriority(tid) + 10));
  } catch {
    // the same priority as the event loop
  }
}
