/**
 * Hardening bench (issue #11): how much other clients suffer while someone makes the server work.
 * One run of the real `ec2sim serve`, three phases side by side, each measuring the latency of
 * 4 normal clients calling DescribeRegions (the AWS SDK v3) for a fixed time:
 *   1. idle: nothing else happening;
 *   2. while 10 concurrent clients call CreateKeyPair (RSA 2048) over and over (keys made by the key
 *      worker; and on a second server with its own idle phase, made in libuv's thread pool as
 *      before it: `--keys-in-thread-pool`);
 *   3. while 3,000 slow sockets are open, each trickling a request header a byte a second (spread
 *      over six loopback addresses, 500 each, under the per-client cap of 512);
 *   4. while snapshots of another sandbox holding 10,000 instances are written over and over
 *      (`--snapshot-every 20` and a client tagging one of its instances), on two more servers side
 *      by side: one encoding snapshots on the event loop (`--snapshot-on-loop`, as before the
 *      snapshot worker), one on the snapshot worker (the default); each with its own idle phase.
 * Target: phases 2 to 4 at most 2x the idle p99. Run: `npx tsx bench/endpoint/hardening-bench.ts`
 * (`PHASES=keys` runs phase 2 on two servers only, `PHASES=snapshot` phase 4 only;
 * `PHASES=snapshot SNAPSHOT_BINS=before=PATH,after=PATH` phase 4 on each built `ec2sim.mjs`, worker on).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { CreateKeyPairCommand, DeleteKeyPairCommand, DescribeRegionsCommand, EC2Client } from "@aws-sdk/client-ec2";

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const PHASE_MS = Number(process.env.PHASE_MS ?? 15_000);

const PHASES = process.env.PHASES ?? "all";

/** `ec2sim serve` from this clone's sources (bin/ec2sim), or from a built `ec2sim.mjs` (another commit's, for a before/after). */
async function serve(dataDir: string, args: string[] = [], bin?: string): Promise<{ url: string; proc: ChildProcess }> {
  const [cmd, ...pre] = bin ? [process.execPath, bin] : [join(REPO, "bin", "ec2sim")];
  const proc = spawn(cmd!, [...pre, "serve", "--port", "0", "--data", dataDir, ...args], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, EC2SIM_DATA: "" },
  });
  let out = "";
  proc.stderr!.on("data", (c: Buffer) => (out += c.toString()));
  const url = await new Promise<string>((res, rej) => {
    proc.stdout!.on("data", (c: Buffer) => {
      out += c.toString();
      const m = /serving EC2 at (http:\/\/[\d.]+:\d+)/.exec(out);
      if (m) res(m[1]!);
    });
    proc.on("exit", (code) => rej(new Error(`server exited ${code}: ${out}`)));
  });
  return { url, proc };
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]! : Number.NaN;
};
const round = (x: number) => Math.round(x * 10) / 10;

/** 4 normal clients for PHASE_MS: every DescribeRegions latency (ms) and the failures. */
async function normalClients(
  client: EC2Client,
): Promise<{ p50: number; p99: number; max: number; n: number; errors: number }> {
  const lat: number[] = [];
  let errors = 0;
  const end = Date.now() + PHASE_MS;
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (Date.now() < end) {
        const t0 = performance.now();
        try {
          await client.send(new DescribeRegionsCommand({}));
          lat.push(performance.now() - t0);
        } catch {
          errors++;
        }
      }
    }),
  );
  return { p50: round(pct(lat, 50)), p99: round(pct(lat, 99)), max: round(Math.max(...lat)), n: lat.length, errors };
}

/** The slow-socket holder: opens 3,000 sockets, trickles a header byte a second, says how many are open. */
const SLOW_SOCKETS = `
const net = require("node:net");
const [host, port] = process.argv.slice(1);
const sockets = [];
let refused = 0;
for (let a = 2; a < 8; a++)
  for (let i = 0; i < 500; i++) {
    const s = net.connect({ host, port: Number(port), localAddress: "127.0.0." + a });
    s.on("error", () => {});
    s.on("data", (d) => { if (String(d).startsWith("HTTP/1.1 503")) refused++; });
    s.write("GET / HTTP/1.1\\r\\nHost: x\\r\\nX-Slow: ");
    sockets.push(s);
  }
setInterval(() => { for (const s of sockets) if (!s.destroyed) s.write("a"); }, 1000);
setTimeout(() => {
  console.log(JSON.stringify({ opened: sockets.length, open: sockets.filter((s) => !s.destroyed).length, refusedWith503: refused }));
  console.log("open");
}, 2000);
`;

/** The admin API, with the install's token. */
function admin(url: string, data: string) {
  const token = readFileSync(join(data, "admin-token"), "utf8").trim();
  return async (path: string, body?: unknown): Promise<unknown> => {
    const res = await fetch(`${url}/_ec2sim${path}`, {
      method: body === undefined ? "GET" : "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    return res.json();
  };
}

/** Seqs of the snapshots found in the data dir's snapshot files (header bytes 16..24). */
function snapshotSeqs(data: string, sandbox: string): number | undefined {
  try {
    const buf = readFileSync(join(data, "sandboxes", sandbox, "snapshot.snap"));
    return Number(buf.readBigUInt64LE(16));
  } catch {
    return undefined;
  }
}

/** The normal clients while 10 clients loop CreateKeyPair (RSA) + DeleteKeyPair. */
async function whileKeys(client: EC2Client): Promise<{ createKeyPair: unknown; createKeyPairRate: number }> {
  let stop = false;
  let made = 0;
  const keyLoops = Array.from({ length: 10 }, async (_, i) => {
    for (let n = 0; !stop; n++) {
      const name = `bench-${i}-${n}`;
      await client.send(new CreateKeyPairCommand({ KeyName: name }));
      made++;
      await client.send(new DeleteKeyPairCommand({ KeyName: name }));
    }
  });
  const t0 = performance.now();
  const createKeyPair = await normalClients(client);
  stop = true;
  await Promise.all(keyLoops);
  return { createKeyPair, createKeyPairRate: round((made / (performance.now() - t0)) * 1000) };
}

/** Phase 2 on a server of its own started with `args` (`--keys-in-thread-pool`: before the key worker), with its idle. */
async function keyPhase(args: string[]): Promise<Record<string, unknown>> {
  const data = mkdtempSync(join(tmpdir(), "ec2sim-hardening-keys-"));
  const { url, proc } = await serve(data, args);
  try {
    const info = (await admin(url, data)("/sandboxes/default")) as {
      accounts: { accessKeyId: string; secretAccessKey: string }[];
    };
    const client = new EC2Client({
      endpoint: url,
      region: "us-east-1",
      credentials: info.accounts[0]!,
      maxAttempts: 1,
    });
    await normalClients(client); // warm-up
    const idle = await normalClients(client);
    const keys = await whileKeys(client);
    return { idle, ...keys, ratio: round((keys.createKeyPair as { p99: number }).p99 / idle.p99) };
  } finally {
    proc.kill("SIGTERM");
    await new Promise((r) => proc.on("exit", r));
    rmSync(data, { recursive: true, force: true });
  }
}

/**
 * Phase 4 on one server: a sandbox "big" with 10,000 instances (its clock paused, so no
 * transitions), snapshots every 20 events, a client tagging one of its instances every 50 ms, and
 * the 4 normal clients on the default sandbox; also that server's own idle phase first.
 */
async function snapshotPhase(args: string[], bin?: string): Promise<Record<string, unknown>> {
  const data = mkdtempSync(join(tmpdir(), "ec2sim-hardening-snap-"));
  const { url, proc } = await serve(data, ["--snapshot-every", "20", ...args], bin);
  const loadAtStart = loadavg().map(round);
  try {
    const call = admin(url, data);
    const info = (await call("/sandboxes/default")) as { accounts: { accessKeyId: string; secretAccessKey: string }[] };
    const client = new EC2Client({
      endpoint: url,
      region: "us-east-1",
      credentials: info.accounts[0]!,
      maxAttempts: 1,
    });
    await call("/sandboxes", { name: "big", paused: true });
    const images = (await call("/sandboxes/big/call", {
      action: "DescribeImages",
      input: { Owners: ["amazon"], Filters: [{ Name: "name", Values: ["al2023-ami-2023*-x86_64"] }] },
    })) as { output: { Images: { ImageId: string }[] } };
    const ImageId = images.output.Images[0]!.ImageId;
    let first = "";
    for (let i = 0; i < 10; i++) {
      const out = (await call("/sandboxes/big/call", {
        action: "RunInstances",
        input: { ImageId, InstanceType: "t3.micro", MinCount: 1000, MaxCount: 1000 },
      })) as { output: { Instances: { InstanceId: string }[] } };
      first ||= out.output.Instances[0]!.InstanceId;
    }
    await normalClients(client); // warm-up
    const idle = await normalClients(client);
    let stop = false;
    let tags = 0;
    const writer = (async () => {
      while (!stop) {
        await call("/sandboxes/big/call", {
          action: "CreateTags",
          input: { Resources: [first], Tags: [{ Key: "n", Value: String(tags++) }] },
        });
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    const seqs = new Set<number>();
    const watch = setInterval(() => {
      const seq = snapshotSeqs(data, "big");
      if (seq !== undefined) seqs.add(seq);
    }, 100);
    const before = snapshotSeqs(data, "big");
    const during = await normalClients(client);
    stop = true;
    await writer;
    clearInterval(watch);
    if (before !== undefined) seqs.delete(before);
    const snapshot = readFileSync(join(data, "sandboxes", "big", "snapshot.snap")).length;
    // Where the server says it encoded them (GET /_ec2sim/metrics; a build without it answers 404).
    const metrics = await call("/metrics").catch((e: unknown) => `no metrics: ${String(e)}`);
    return {
      ...(bin ? { bin } : {}),
      load: { atStart: loadAtStart, atEnd: loadavg().map(round) },
      metrics,
      idle,
      whileSnapshotting: during,
      ratio: round(during.p99 / idle.p99),
      snapshotsWritten: seqs.size,
      snapshotMB: round(snapshot / 1e6),
      tagsWritten: tags,
    };
  } finally {
    proc.kill("SIGTERM");
    await new Promise((r) => proc.on("exit", r));
    rmSync(data, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  if (PHASES === "keys") {
    const results = {
      date: new Date().toISOString(),
      node: process.version,
      loadBefore: loadavg().map(round),
      phaseMs: PHASE_MS,
      keysInThreadPool: await keyPhase(["--keys-in-thread-pool"]),
      keyWorker: await keyPhase([]),
      loadAfter: loadavg().map(round),
    };
    console.log(JSON.stringify(results, null, 2));
    return;
  }
  // SNAPSHOT_BINS="before=/path/ec2sim.mjs,after=apps/cli/dist/ec2sim.mjs": phase 4 on each build (snapshot worker on).
  if (PHASES === "snapshot" && process.env.SNAPSHOT_BINS) {
    const results: Record<string, unknown> = {
      date: new Date().toISOString(),
      node: process.version,
      loadBefore: loadavg().map(round),
      phaseMs: PHASE_MS,
    };
    for (const spec of process.env.SNAPSHOT_BINS.split(",")) {
      const [label, bin] = spec.split("=") as [string, string];
      results[label] = await snapshotPhase([], resolve(bin));
    }
    results.loadAfter = loadavg().map(round);
    console.log(JSON.stringify(results, null, 2));
    return;
  }
  if (PHASES === "snapshot") {
    const results = {
      date: new Date().toISOString(),
      node: process.version,
      loadBefore: loadavg().map(round),
      phaseMs: PHASE_MS,
      snapshotOnLoop: await snapshotPhase(["--snapshot-on-loop"]),
      snapshotWorker: await snapshotPhase([]),
      loadAfter: loadavg().map(round),
    };
    console.log(JSON.stringify(results, null, 2));
    return;
  }
  const data = mkdtempSync(join(tmpdir(), "ec2sim-hardening-"));
  const { url, proc } = await serve(data);
  const token = readFileSync(join(data, "admin-token"), "utf8").trim();
  const info = (await (
    await fetch(`${url}/_ec2sim/sandboxes/default`, { headers: { authorization: `Bearer ${token}` } })
  ).json()) as { accounts: { accessKeyId: string; secretAccessKey: string }[] };
  const credentials = info.accounts[0]!;
  const client = new EC2Client({ endpoint: url, region: "us-east-1", credentials, maxAttempts: 1 });
  const results: Record<string, unknown> = {
    date: new Date().toISOString(),
    node: process.version,
    loadBefore: loadavg().map(round),
    phaseMs: PHASE_MS,
  };
  try {
    await normalClients(client); // warm-up (the SDK, the server's shape plans)
    results.idle = await normalClients(client);

    // 2. Ten CreateKeyPair loops (RSA), each deleting what it made (keys from the key worker).
    Object.assign(results, await whileKeys(client));

    // 3. 3,000 slow sockets, 500 from each of six loopback addresses, held by a process of their own
    //    (so the normal clients' process measures the server, not its own socket work).
    const { port, hostname } = new URL(url);
    const slow = spawn(process.execPath, ["-e", SLOW_SOCKETS, hostname, port], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let report = "";
    slow.stdout!.on("data", (c: Buffer) => (report += c.toString()));
    await new Promise<void>((r) => slow.stdout!.on("data", () => report.includes("open") && r()));
    const during = await normalClients(client);
    slow.kill("SIGTERM");
    await new Promise((r) => slow.on("exit", r));
    const counts = JSON.parse(report.split("\n").find((l) => l.startsWith("{"))!) as Record<string, number>;
    results.slowSockets = { ...during, ...counts };

    const idle = results.idle as { p99: number };
    const ratio = (k: string) => round((results[k] as { p99: number }).p99 / idle.p99);
    results.ratios = { createKeyPair: ratio("createKeyPair"), slowSockets: ratio("slowSockets"), target: 2 };
    results.keysInThreadPool = await keyPhase(["--keys-in-thread-pool"]);
    results.snapshotOnLoop = await snapshotPhase(["--snapshot-on-loop"]);
    results.snapshotWorker = await snapshotPhase([]);
    results.loadAfter = loadavg().map(round);
    console.log(JSON.stringify(results, null, 2));
  } finally {
    proc.kill("SIGTERM");
    await new Promise((r) => proc.on("exit", r));
    rmSync(data, { recursive: true, force: true });
  }
}

await main();
