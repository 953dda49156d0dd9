/**
 * Child process of store-crash.test.ts: opens a JournalStore, then appends forever with several
 * concurrent appenders, writing "ack <seq>" to stdout (synchronously) after each append resolves,
 * and saving a snapshot now and then. The parent SIGKILLs it at a random moment.
 *
 * Usage: node --import tsx store-crash-child.ts <store dir> <sandbox name>
 */
import { writeSync } from "node:fs";
import { JournalStore } from "../src/store/index.ts";
import { crashEvent, foldAcc } from "./store-crash-shared.ts";

const [dir, name] = process.argv.slice(2) as [string, string];
const store = await JournalStore.open(dir);
if (!(await store.list()).some((m) => m.name === name)) {
  await store.create({ name, createdAt: new Date().toISOString(), config: { crash: true } });
}
const loaded = await store.load(name);
let next = (loaded.entries.at(-1)?.seq ?? loaded.snapshot?.seq ?? 0) + 1;
writeSync(1, `ready ${next - 1}\n`);

const SNAPSHOT_EVERY = 400;
async function appender(worker: number): Promise<never> {
  for (let i = 0; ; i++) {
    const n = 1 + ((worker + i) % 3); // 1 to 3 events per append
    const first = next;
    next += n;
    const entries = Array.from({ length: n }, (_, k) => ({ seq: first + k, event: crashEvent(first + k) }));
    await store.append(name, entries, first - 1);
    const last = first + n - 1;
    writeSync(1, `ack ${last}\n`);
    if (Math.floor(last / SNAPSHOT_EVERY) !== Math.floor((first - 1) / SNAPSHOT_EVERY)) {
      // `last` is durable, so a snapshot at it is allowed; the other appenders keep going meanwhile.
      await store.saveSnapshot(name, last, { seq: last, acc: foldAcc(0, 1, last) });
      writeSync(1, `snapshot ${last}\n`);
    }
  }
}
await Promise.all(Array.from({ length: 6 }, (_, w) => appender(w)));
