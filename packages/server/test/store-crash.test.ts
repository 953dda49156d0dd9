import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { JournalStore } from "../src/store/index.ts";
import { crashEvent, foldAcc } from "./store-crash-shared.ts";

const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));
const tsxLoader = pathToFileURL(join(repoRoot, "node_modules/tsx/dist/loader.mjs")).href;
const childScript = fileURLToPath(new URL("./store-crash-child.ts", import.meta.url));

interface Round {
  readyAt: number;
  acked: number[];
  snapshots: number[];
  signal: NodeJS.Signals | null;
  stderr: string;
}

/** Runs the child until `delayMs` after it is ready, then SIGKILLs it; resolves once it is reaped. */
function runAndKill(dir: string, delayMs: number): Promise<Round> {
  return new Promise((resolve, reject) => {
    // `node --import tsx` rather than the tsx CLI: the CLI runs the script in a grandchild that SIGKILL would not reach.
    const child = spawn(process.execPath, ["--import", tsxLoader, childScript, dir, "crash"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    const round: Round = { readyAt: -1, acked: [], snapshots: [], signal: null, stderr: "" };
    let buffered = "";
    const guard = setTimeout(() => child.kill("SIGKILL"), 15_000);
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      buffered += chunk;
      const lines = buffered.split("\n");
      buffered = lines.pop()!;
      for (const line of lines) {
        const [word, num] = line.split(" ");
        const n = Number(num);
        if (word === "ready") {
          round.readyAt = n;
          setTimeout(() => child.kill("SIGKILL"), delayMs);
        } else if (word === "ack") round.acked.push(n);
        else if (word === "snapshot") round.snapshots.push(n);
      }
    });
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (round.stderr += chunk));
    child.on("error", reject);
    child.on("exit", (_code, signal) => {
      clearTimeout(guard);
      round.signal = signal;
      resolve(round);
    });
  });
}

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

describe("JournalStore under kill -9", () => {
  it("keeps every acknowledged append across 10 random SIGKILLs, and appending continues", async () => {
    const dir = await mkdtemp(join(tmpdir(), "ec2sim-crash-"));
    dirs.push(dir);
    let verifiedLast = 0; // the log's last seq as verified after the previous round
    let totalAcked = 0;
    let totalSnapshots = 0;
    let tornTails = 0;
    const started = Date.now();
    for (let round = 0; round < 10; round++) {
      const delay = 50 + Math.floor(Math.random() * 350);
      const r = await runAndKill(dir, delay);
      expect(r.signal, `round ${round}: child died on its own:\n${r.stderr}`).toBe("SIGKILL");
      expect(r.readyAt, `round ${round}: child never got ready:\n${r.stderr}`).toBe(verifiedLast);
      totalAcked += r.acked.length;
      totalSnapshots += r.snapshots.length;

      const store = await JournalStore.open(dir);
      const loaded = await store.load("crash");
      tornTails += store.recoveries.length;
      const base = loaded.snapshot?.seq ?? 0;
      const seqs = loaded.entries.map((e) => e.seq);
      const last = seqs.at(-1) ?? base;
      // Contiguous from the snapshot on, with exactly the events that were written.
      expect(seqs, `round ${round}`).toEqual(Array.from({ length: last - base }, (_, i) => base + 1 + i));
      for (const e of loaded.entries) expect(e.event).toEqual(crashEvent(e.seq));
      // Snapshot and fold agree with a fold from scratch.
      const snapAcc = base === 0 ? 0 : (loaded.snapshot!.state as { seq: number; acc: number }).acc;
      if (base > 0) expect(loaded.snapshot!.state).toEqual({ seq: base, acc: foldAcc(0, 1, base) });
      expect(foldAcc(snapAcc, base + 1, last)).toBe(foldAcc(0, 1, last));
      // Every acknowledged seq is there; nothing verified earlier went missing.
      const maxAcked = Math.max(verifiedLast, ...r.acked);
      expect(last, `round ${round}: acknowledged up to ${maxAcked}, recovered up to ${last}`).toBeGreaterThanOrEqual(
        maxAcked,
      );
      if (r.snapshots.length > 0) expect(base).toBeGreaterThanOrEqual(Math.max(...r.snapshots));

      // Appending continues where the log ends.
      for (let seq = last + 1; seq <= last + 3; seq++)
        await store.append("crash", [{ seq, event: crashEvent(seq) }], seq - 1);
      await store.close();
      verifiedLast = last + 3;
    }
    // The run must have exercised something: many acknowledged appends, and snapshots.
    expect(totalAcked).toBeGreaterThan(200);
    expect(totalSnapshots).toBeGreaterThan(0);
    console.log(
      `crash test: ${totalAcked} acknowledged appends, ${totalSnapshots} snapshots, ${tornTails} torn tails dropped, ` +
        `log at seq ${verifiedLast}, ${Date.now() - started} ms`,
    );
  }, 60_000);
});
