/**
 * Loading a journal of ~1,000,000 events (issue #15: "load of 1,000,000 events ≤ 3 s"), as a user
 * sees it: a data dir whose default sandbox holds that journal, and how long the built `ec2sim
 * serve` on it takes until it answers, then its first signed DescribeInstances. Run from a clone
 * after `npm run build`:
 *
 *   npx tsx --expose-gc --max-old-space-size=6144 bench/store/million-load.ts [--events 1000000] [--rounds 3]
 *     [--work DIR] [--layouts snapshots,none] [--node-args="--cpu-prof --cpu-prof-dir=/tmp/prof"]
 *
 * Two layouts of the same events, measured in interleaved rounds:
 *   snapshots — the server's default (`--snapshot-every` 10,000, history kept): the latest snapshot
 *               where the server would have saved it and the events after it;
 *   none      — no snapshot at all (what `--snapshot-every 0` leaves): the load replays everything.
 * The data dir is made by `ec2sim serve` itself (default sandbox, accounts, admin token, install
 * secret); the events come from the commands of core-bench's replay section (bench/core/replay-mix.ts)
 * run on the default sandbox rebuilt in this process with an injected (frozen) real clock, each
 * command's events one `JournalStore.append`, as the host journals them. Only the snapshots that
 * can be the last are encoded (see `generate`). Each round copies a pristine layout, starts
 * `ec2sim serve --data COPY --port 0 --speed 1` (+ `--snapshot-every 0` for "none"; --speed 1 is the
 * sandbox's own speed, so nothing is written at start but the re-anchor of its clock), waits for
 * its banner, sends one DescribeInstances with the banner's keys (AWS SDK v3, warmed up beforehand),
 * reads the server's RSS, stops it. Beside it, the same load in this process, split: file reads,
 * CRC, inflate, JSON.parse, then restore/replay (the host's `rebuild`).
 *
 * --work DIR keeps the generated layouts there and reuses them on the next run (generating takes
 * a minute); without it they go to a temp dir, removed at the end. --node-args runs the built
 * command under node with those flags (a profile: node's --cpu-prof is refused in NODE_OPTIONS;
 * GC settings); --layouts measures only those named.
 * Results: bench/store/RESULTS.md.
 */
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { loadavg } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { inflateRawSync } from "node:zlib";
import { DescribeInstancesCommand } from "@aws-sdk/client-ec2";
import { type CallContext, type EventEnvelope, type Sandbox, snapshotState } from "@ec2sim/core";
import { reanchorClock } from "../../packages/server/src/host/clock.ts";
import type { SandboxConfig } from "../../packages/server/src/host/hosted.ts";
import { eventBytes, rebuild } from "../../packages/server/src/host/snapshots.ts";
import {
  FLAG_DEFLATED,
  parseSegmentFileName,
  SNAPSHOT_HEADER_SIZE,
  scanSegment,
  segmentFileName,
} from "../../packages/server/src/store/format.ts";
import { type JournalEntry, JournalStore, SnapshotJson } from "../../packages/server/src/store/index.ts";
import { JOURNAL_DICTIONARY_V1 } from "../../packages/server/src/store/journal-dictionary.ts";
import {
  ACCOUNT_A,
  type Credentials,
  type ServerProcess,
  sdkClient,
  sleep,
  startServer,
  tempDir,
} from "../../test/harness/src/index.ts";
import { newestAl2023Id, replayCycle } from "../core/replay-mix.ts";
import { rssOf } from "../endpoint/process-stats.ts";

const { values } = parseArgs({
  options: {
    events: { type: "string" },
    rounds: { type: "string" },
    work: { type: "string" },
    "node-args": { type: "string" },
    layouts: { type: "string" },
  },
});
const TARGET = Number(values.events ?? 1_000_000);
const ROUNDS = Number(values.rounds ?? 3);
/** How long DescribeInstances is sent again and again after the first answer. */
const PROBE_MS = 15_000;
/** The host's default `snapshotEvery`. */
const EVERY = 10_000;
const SANDBOX = "default";
const ctx: CallContext = { accountId: ACCOUNT_A, region: "us-east-1" };
const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);
const MiB = 1024 * 1024;
const load1 = () => loadavg()[0]!.toFixed(1);
/** RSS now and at its peak of a process, whole MiB. */
const mibOf = (pid: number) => {
  const { rssMiB, hwmMiB } = rssOf(pid);
  return { rss: Math.round(rssMiB), peak: Math.round(hwmMiB) };
};
const log = (m: string) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${m}\n`);

interface Layout {
  name: "snapshots" | "none";
  dir: string;
  /** `serve` arguments beyond the harness's. */
  args: string[];
}

interface Generated {
  events: number;
  /** Seq of the snapshot in the "snapshots" layout, and how many snapshots were encoded to get it. */
  snapshotSeq: number;
  snapshotsEncoded: number;
  snapshotJsonBytes: number;
  /** The host's on-loop encode (snapshotState + JSON.stringify) of the last one, ms. */
  snapshotEncodeMs: number;
  genMs: number;
  commandsMs: number;
  commands: number;
  mix: Record<string, number>;
  load: string;
}

/** `ec2sim serve` makes the data dir (sandbox, accounts, admin token, install secret); a DescribeInstances warms the SDK here. */
async function template(dir: string): Promise<void> {
  const server = await startServer({ dataDir: dir, speed: 1 });
  try {
    await sdkClient(server.url, bannerCredentials(server)).send(new DescribeInstancesCommand({}));
  } finally {
    await server.stop();
  }
}

/** Account A's keys as the banner prints them (what a user copies). */
function bannerCredentials(server: ServerProcess): Credentials {
  const m = new RegExp(`account ${ACCOUNT_A}.*AWS_ACCESS_KEY_ID=(\\S+) AWS_SECRET_ACCESS_KEY=(\\S+)`).exec(
    server.output(),
  );
  if (!m) throw new Error(`no credentials of ${ACCOUNT_A} in the banner:\n${server.output()}`);
  return { accessKeyId: m[1]!, secretAccessKey: m[2]! };
}

/**
 * Runs the mix on the default sandbox of both layouts until at least `TARGET` events (whole
 * cycles), each command's events one append to both stores, as the host issues them (group
 * commit batches the writes). The "snapshots" layout gets a snapshot where the host would take
 * one: after a command whose events bring the log `EVERY` or more past the last snapshot (the host
 * checks once each append is durable). All of them would only replace each other in snapshot.snap
 * (and start a segment each, which a load never reads), so only those that can be the last are
 * encoded and saved: from `TARGET - EVERY - 2 × the largest command` on. The encoding is the
 * host's (snapshots.ts): `JSON.stringify(snapshotState(sb))`, handed to `saveSnapshot` as
 * SnapshotJson, at the trigger's seq; that layout's appends after it are held until it is saved.
 */
async function generate(layouts: Layout[]): Promise<Generated> {
  const stores = await Promise.all(layouts.map((l) => JournalStore.open(l.dir)));
  const snapStore = stores[layouts.findIndex((l) => l.name === "snapshots")]!;
  const stored = await snapStore.load(SANDBOX);
  const frozen = Date.now();
  const sb: Sandbox = rebuild(
    SANDBOX,
    stored.meta.config as SandboxConfig,
    stored.snapshot,
    stored.entries.map((e) => e.event as EventEnvelope),
    { realNow: () => frozen, log: (m) => log(m) },
  );
  let pending: EventEnvelope[] = [];
  const counts = new Map<string, number>();
  sb.subscribe((events) => {
    pending.push(...events);
    for (const e of events) counts.set(e.event.type, (counts.get(e.event.type) ?? 0) + 1);
  });
  let seq = sb.state.seq;
  let inFlight: Promise<void>[] = [];
  /** The "snapshots" layout's appends after a snapshot not saved yet. */
  let held: { entries: JournalEntry[]; expected: number }[] | undefined;
  let commands = 0;
  let maxCommand = 0;
  const journal = (): void => {
    if (!pending.length) return;
    const entries: JournalEntry[] = pending.map((e) => ({ seq: e.seq, event: e }));
    for (const s of stores) {
      if (s === snapStore && held) held.push({ entries, expected: seq });
      else inFlight.push(s.append(SANDBOX, entries, seq));
    }
    seq += pending.length;
    maxCommand = Math.max(maxCommand, pending.length);
    commands++;
    pending = [];
  };
  // What the host does once it loaded the sandbox: re-anchor its resting clock (one event).
  reanchorClock(sb, frozen, stored.clockMark);
  journal();
  let lastTrigger = stored.snapshot?.seq ?? 0;
  const snap = { seq: 0, encoded: 0, bytes: 0, encodeMs: 0 };
  const imageId = newestAl2023Id(sb, ctx);
  const t0 = performance.now();
  let commandsMs = 0;
  let batch = 0;
  let stepStart = performance.now();
  while (seq < TARGET) {
    let toSave: { seq: number; json: SnapshotJson } | undefined;
    stepStart = performance.now();
    batch = replayCycle(sb, ctx, imageId, batch, () => {
      commandsMs += performance.now() - stepStart;
      journal();
      if (seq - lastTrigger >= EVERY) {
        lastTrigger = seq;
        if (seq >= TARGET - EVERY - 2 * maxCommand) {
          if (toSave) throw new Error("two snapshots in one cycle"); // cycles are ~3,600 events
          const t = performance.now();
          const json = JSON.stringify(snapshotState(sb));
          snap.encodeMs = performance.now() - t;
          snap.bytes = json.length;
          toSave = { seq, json: new SnapshotJson(Buffer.from(json, "utf8")) };
          held = [];
        }
      }
      stepStart = performance.now();
    });
    await Promise.all(inFlight);
    inFlight = [];
    if (toSave) {
      await snapStore.saveSnapshot(SANDBOX, toSave.seq, toSave.json);
      snap.seq = toSave.seq;
      snap.encoded++;
      for (const h of held ?? []) inFlight.push(snapStore.append(SANDBOX, h.entries, h.expected));
      held = undefined;
      await Promise.all(inFlight);
      inFlight = [];
      log(
        `snapshot at seq ${toSave.seq} (${(snap.bytes / MiB).toFixed(1)} MiB of JSON, ${snap.encodeMs.toFixed(0)} ms)`,
      );
    }
    if (Math.floor(seq / 100_000) !== Math.floor((seq - 3_700) / 100_000)) log(`generated ${seq} events`);
  }
  const genMs = performance.now() - t0;
  await Promise.all(stores.map((s) => s.close()));
  return {
    events: seq,
    snapshotSeq: snap.seq,
    snapshotsEncoded: snap.encoded,
    snapshotJsonBytes: snap.bytes,
    snapshotEncodeMs: Math.round(snap.encodeMs),
    genMs: Math.round(genMs),
    commandsMs: Math.round(commandsMs),
    commands,
    mix: Object.fromEntries([...counts].sort((a, b) => b[1] - a[1])),
    load: load1(),
  };
}

/** Bytes of a layout's default sandbox: journal segments, snapshot, everything. */
function diskBytes(dir: string): { journal: number; segments: number; snapshot: number; total: number } {
  const sandboxDir = join(dir, "sandboxes", SANDBOX);
  let journal = 0;
  let segments = 0;
  let total = 0;
  let snapshot = 0;
  for (const f of readdirSync(sandboxDir)) {
    const size = statSync(join(sandboxDir, f)).size;
    total += size;
    if (parseSegmentFileName(f) !== undefined) {
      journal += size;
      segments++;
    }
    if (f === "snapshot.snap") snapshot = size;
  }
  return { journal, segments, snapshot, total };
}

interface Spawned {
  layout: string;
  readyMs: number;
  firstCallMs: number;
  instances: number;
  rssMiB: number;
  peakRssMiB: number;
  /** DescribeInstances one after another (50 ms apart) for `PROBE_MS` after the first: the slowest, and how many. */
  probeMaxMs: number;
  probeCalls: number;
  /** RSS after the probe (the snapshot worker may have loaded its own copy meanwhile). */
  rssAfterProbeMiB: number;
  /** SIGTERM to exit: a clean stop saves a snapshot when 1,000 or more events came since the last one. */
  stopMs: number;
  load: string;
}

/** `ec2sim serve` on a copy of the layout: spawn → banner, then one DescribeInstances; its RSS after. */
async function spawned(layout: Layout, workDir: string, nodeArgs: string[]): Promise<Spawned> {
  const copy = join(workDir, `run-${layout.name}`);
  rmSync(copy, { recursive: true, force: true });
  cpSync(layout.dir, copy, { recursive: true });
  gc();
  const load = load1();
  const t0 = performance.now();
  const server = await startServer({
    dataDir: copy,
    speed: 1,
    extraArgs: layout.args,
    timeoutMs: 600_000,
    // The built command under node with those flags (node refuses --cpu-prof in NODE_OPTIONS).
    ...(nodeArgs.length ? { prefix: [process.execPath, ...nodeArgs] } : {}),
  });
  try {
    const readyMs = performance.now() - t0;
    const client = sdkClient(server.url, bannerCredentials(server));
    const t1 = performance.now();
    const out = await client.send(new DescribeInstancesCommand({}));
    const firstCallMs = performance.now() - t1;
    const instances = (out.Reservations ?? []).reduce((n, r) => n + (r.Instances?.length ?? 0), 0);
    const mem = mibOf(server.proc.pid!);
    // What follows the banner (the snapshot worker's seeding, the first ticks) can stall the event loop.
    const probe: number[] = [];
    for (const end = performance.now() + PROBE_MS; performance.now() < end; ) {
      await sleep(50);
      const t = performance.now();
      await client.send(new DescribeInstancesCommand({}));
      probe.push(performance.now() - t);
    }
    const memAfter = mibOf(server.proc.pid!);
    const t2 = performance.now();
    const code = await server.stop();
    const stopMs = performance.now() - t2;
    if (code !== 0) log(`${layout.name}: ec2sim serve exited with ${code}:\n${server.output()}`);
    return {
      layout: layout.name,
      readyMs: Math.round(readyMs),
      firstCallMs: Math.round(firstCallMs),
      instances,
      rssMiB: mem.rss,
      peakRssMiB: mem.peak,
      probeMaxMs: Math.round(Math.max(...probe)),
      probeCalls: probe.length,
      rssAfterProbeMiB: memAfter.rss,
      stopMs: Math.round(stopMs),
      load,
    };
  } finally {
    if (server.proc.exitCode === null) await server.kill9();
    rmSync(copy, { recursive: true, force: true });
  }
}

interface InProcess {
  layout: string;
  /** The store's own open + load (read, CRC, inflate, JSON.parse), then the host's rebuild. */
  openMs: number;
  storeLoadMs: number;
  restoreMs: number;
  applyMs: number;
  /** `eventBytes` of the loaded events: what the host computes at load for the snapshot estimate when the snapshot is small or absent. */
  eventBytesMs: number;
  /** The same load taken apart with the format's functions: file reads, CRC scan, inflate, JSON.parse (ms). */
  split: { readMs: number; crcMs: number; inflateMs: number; parseMs: number; bytesRead: number; entries: number };
  heapMiB: number;
  load: string;
}

/** The store's load of a layout and the host's rebuild from it, in this process; then the same read taken apart. */
async function inProcess(layout: Layout): Promise<InProcess> {
  gc();
  const load = load1();
  const t0 = performance.now();
  const store = await JournalStore.open(layout.dir);
  const t1 = performance.now();
  let stored: Awaited<ReturnType<JournalStore["load"]>> | undefined = await store.load(SANDBOX);
  const t2 = performance.now();
  await store.close();
  const config = stored.meta.config as SandboxConfig;
  let envelopes: EventEnvelope[] | undefined = stored.entries.map((e) => e.event as EventEnvelope);
  const options = { realNow: Date.now, log: (m: string) => log(m) };
  // rebuild() is fromSnapshot + apply (or a replay): timed apart by rebuilding from the snapshot alone first.
  const t3 = performance.now();
  let sb: Sandbox | undefined = rebuild(SANDBOX, config, stored.snapshot, stored.snapshot ? [] : envelopes, options);
  const t4 = performance.now();
  if (stored.snapshot) sb.apply(envelopes);
  const t5 = performance.now();
  const bytes = eventBytes(envelopes);
  const t6 = performance.now();
  const heapMiB = Math.round(process.memoryUsage().heapUsed / MiB);
  if (sb.state.seq !== (stored.entries.at(-1)?.seq ?? stored.snapshot?.seq))
    throw new Error("rebuilt at the wrong seq");
  const snapshotSeq = stored.snapshot?.seq ?? 0;
  stored = undefined;
  envelopes = undefined;
  sb = undefined;
  void bytes;
  gc();
  return {
    layout: layout.name,
    openMs: Math.round(t1 - t0),
    storeLoadMs: Math.round(t2 - t1),
    restoreMs: Math.round(t4 - t3),
    applyMs: Math.round(t5 - t4),
    eventBytesMs: Math.round(t6 - t5),
    split: await splitRead(join(layout.dir, "sandboxes", SANDBOX), snapshotSeq),
    heapMiB,
    load,
  };
}

/** What the store's load reads (the snapshot and the segments after it), timed by stage with format.ts's functions. */
async function splitRead(dir: string, snapshotSeq: number): Promise<InProcess["split"]> {
  const out = { readMs: 0, crcMs: 0, inflateMs: 0, parseMs: 0, bytesRead: 0, entries: 0 };
  const time = <T>(key: "readMs" | "crcMs" | "inflateMs" | "parseMs", fn: () => T): T => {
    const t = performance.now();
    const r = fn();
    out[key] += performance.now() - t;
    return r;
  };
  if (snapshotSeq > 0) {
    const t = performance.now();
    const buf = await readFile(join(dir, "snapshot.snap"));
    out.readMs += performance.now() - t;
    out.bytesRead += buf.length;
    const json = time("inflateMs", () => inflateRawSync(buf.subarray(SNAPSHOT_HEADER_SIZE)).toString("utf8"));
    time("parseMs", () => JSON.parse(json));
  }
  const firsts = readdirSync(dir)
    .map(parseSegmentFileName)
    .filter((s): s is number => s !== undefined)
    .sort((a, b) => a - b);
  const dictionary = Buffer.from(JOURNAL_DICTIONARY_V1, "utf8");
  for (const [i, first] of firsts.entries()) {
    const next = firsts[i + 1];
    if (next !== undefined && next - 1 <= snapshotSeq) continue; // wholly before the snapshot: not read
    const file = join(dir, segmentFileName(first));
    const t = performance.now();
    const buf = await readFile(file);
    out.readMs += performance.now() - t;
    out.bytesRead += buf.length;
    const scan = time("crcMs", () => scanSegment(buf, file, first, "strict"));
    for (const rec of scan.records) {
      if (rec.firstSeq + rec.count - 1 <= snapshotSeq) continue;
      const payload = buf.subarray(rec.payloadStart, rec.end);
      const json =
        rec.flags & FLAG_DEFLATED ? time("inflateMs", () => inflateRawSync(payload, { dictionary })) : payload;
      out.entries += time("parseMs", () => (JSON.parse(json.toString("utf8")) as unknown[]).length);
    }
  }
  return {
    ...out,
    readMs: Math.round(out.readMs),
    crcMs: Math.round(out.crcMs),
    inflateMs: Math.round(out.inflateMs),
    parseMs: Math.round(out.parseMs),
  };
}

// ── main ────────────────────────────────────────────────────────────────────────────────────────
const ownWork = values.work === undefined ? tempDir("million-load") : undefined;
const work = resolve(values.work ?? ownWork!.dir);
mkdirSync(work, { recursive: true });
const layouts: Layout[] = [
  { name: "snapshots", dir: join(work, "snapshots"), args: [] },
  { name: "none", dir: join(work, "none"), args: ["--snapshot-every", "0"] },
];
const measured = values.layouts ? layouts.filter((l) => values.layouts!.split(",").includes(l.name)) : layouts;
const generatedFile = join(work, "generated.json");
try {
  let generated: Generated;
  const reuse = existsSync(generatedFile) && JSON.parse(readFileSync(generatedFile, "utf8")).target === TARGET;
  // The SDK is warmed up by the template's server either way (its first call loads the client's modules).
  const base = join(work, "template");
  rmSync(base, { recursive: true, force: true });
  log("making the data dir with ec2sim serve");
  await template(base);
  if (reuse) {
    generated = JSON.parse(readFileSync(generatedFile, "utf8")).generated as Generated;
    log(`reusing the layouts in ${work} (${generated.events} events)`);
  } else {
    for (const l of layouts) {
      rmSync(l.dir, { recursive: true, force: true });
      cpSync(base, l.dir, { recursive: true });
    }
    log(`generating ${TARGET} events into ${work}`);
    generated = await generate(layouts);
    writeFileSync(generatedFile, JSON.stringify({ target: TARGET, generated }, null, 2));
  }
  rmSync(base, { recursive: true, force: true });
  console.log("generated", JSON.stringify(generated));
  const disk = Object.fromEntries(layouts.map((l) => [l.name, diskBytes(l.dir)]));
  console.log("disk", JSON.stringify(disk));

  const rows: { spawned: Spawned; inProcess: InProcess }[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    for (const l of round % 2 ? [...measured].reverse() : measured) {
      const sp = await spawned(l, work, values["node-args"]?.split(" ").filter(Boolean) ?? []);
      console.log("spawned", JSON.stringify(sp));
      const ip = await inProcess(l);
      console.log("in-process", JSON.stringify(ip));
      rows.push({ spawned: sp, inProcess: ip });
    }
  }

  // The table for RESULTS.md.
  const f = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  const per = (name: string) => rows.filter((r) => r.spawned.layout === name);
  const list = (name: string, get: (r: (typeof rows)[number]) => string) => per(name).map(get).join(" / ");
  const lines = [
    `${generated.events.toLocaleString("en")} events; Node ${process.version}; ${ROUNDS} rounds (figures per round, in order).`,
    "",
    "| | snapshots (default) | none (--snapshot-every 0) |",
    "|---|---|---|",
    ...(
      [
        ["`serve` to its banner (ready)", (r) => f(r.spawned.readyMs)],
        ["then the first DescribeInstances", (r) => `${r.spawned.firstCallMs} ms`],
        ["server RSS after it (peak)", (r) => `${r.spawned.rssMiB} (${r.spawned.peakRssMiB}) MiB`],
        [
          `slowest DescribeInstances in the ${PROBE_MS / 1000} s after (calls)`,
          (r) => `${r.spawned.probeMaxMs} ms (${r.spawned.probeCalls})`,
        ],
        ["server RSS then", (r) => `${r.spawned.rssAfterProbeMiB} MiB`],
        ["then SIGTERM to exit", (r) => f(r.spawned.stopMs)],
        ["load average at the start", (r) => r.spawned.load],
        ["in-process: store open + load", (r) => `${r.inProcess.openMs} + ${r.inProcess.storeLoadMs} ms`],
        ["in-process: restore + apply (or replay)", (r) => `${r.inProcess.restoreMs} + ${r.inProcess.applyMs} ms`],
        ["in-process: eventBytes of the loaded events", (r) => `${r.inProcess.eventBytesMs} ms`],
        [
          "split: read / CRC / inflate / JSON.parse",
          (r) =>
            `${r.inProcess.split.readMs} / ${r.inProcess.split.crcMs} / ${r.inProcess.split.inflateMs} / ${r.inProcess.split.parseMs} ms`,
        ],
        ["in-process load average", (r) => r.inProcess.load],
      ] as [string, (r: (typeof rows)[number]) => string][]
    ).map(([label, get]) => `| ${label} | ${list("snapshots", get)} | ${list("none", get)} |`),
  ];
  console.log(lines.join("\n"));
} finally {
  ownWork?.remove();
}
