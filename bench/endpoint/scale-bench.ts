/**
 * Throughput and scale (issue #15), side by side in one run: one or more `ec2sim serve` builds
 * (`--bin`, repeatable: e.g. the commit before a change and the change) and moto when it is
 * installed (`python3 -m moto.server`), all driven by the same raw HTTP client — node:http with
 * keep-alive and a small SigV4 signer of its own (no SDK: its XML parsing would swamp the server's
 * work on these 2 cores). Workloads, per target:
 *   1. DescribeInstances of 1,000 instances (a tag filter that matches them all), same signed bytes
 *      each time, one at a time: latency to the last byte and the server's CPU per call;
 *   2. (ec2sim) 9,000 more instances, then DescribeInstances of all 10,000 in one page, and of
 *      1,000 of them by a tag filter; RSS before and after N describes of the 10,000 (and peak);
 *   3. simple calls (DescribeAvailabilityZones, signature checked) from C keep-alive connections
 *      for S seconds, then a bare node:http server (its own process) sending the same bytes to the
 *      same client: the ratio is the figure;
 *   4. mixed load without scans: 20 clients for S seconds — describes by ID, by a tag matching one
 *      instance, images by ID, volumes of an instance, zones, tags of an instance, CreateTags,
 *      RunInstances of one — every request signed anew; calls/s, p50/p99, the client's own CPU share;
 *   5. (ec2sim) journal bytes per event over the whole run.
 * With `--network` (issue #12) only this instead: 1,000 VPCs, 1,000 subnets (/26s of one VPC), 1,000
 * network interfaces (500 CreateNetworkInterface, 500 instances' primaries), made by signed requests;
 * then DescribeVpcs / DescribeSubnets / DescribeNetworkInterfaces of all 1,000, a page of 100 and 20
 * IDs, by the raw client (same signed bytes) and by the AWS SDK v3 (signed anew, XML parsed).
 * Every figure carries the load average of the machine while it was taken. Server CPU is given for
 * the whole process and for its event loop (main thread) alone: a snapshot worker seeding or
 * encoding in the background shows in the first and not in the second. `--rounds N` runs every
 * target N times, alternating (A B A B …).
 *
 *   npx tsx bench/endpoint/scale-bench.ts [--bin PATH --label NAME]... [--no-moto] [--network]
 *       [--seconds 10] [--rss-describes 200] [--mixed-10k] [--rounds 1] [--simple-only] [--mixed-only]
 *       [--server-log FILE] [--json out.json]
 * `--simple-only` runs workload 3 alone, interleaved: every target and one bare server are up at
 * once, and `--simple-rounds N` rounds each give every one of them S seconds in turn (A B bare A B
 * bare …), so each ratio is to the bare server's rate of the same round, minutes apart at most.
 * `--mixed-only` launches 1,000 instances and runs workload 4 alone (per target, per round);
 * `--server-log FILE` appends the servers' stderr to FILE; `--memory-store-too` adds the last build
 * once more on `--store memory` (nothing durable: the ceiling without the durability wait).
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { createHash, createHmac } from "node:crypto";
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { Agent, request } from "node:http";
import { loadavg, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import {
  DescribeNetworkInterfacesCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
  EC2Client,
} from "@aws-sdk/client-ec2";
import { cpuMsOf, dirBytes, rssOf } from "./process-stats.ts";

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const argv = process.argv.slice(2);
const all = (name: string): string[] => argv.flatMap((a, i) => (a === name && argv[i + 1] ? [argv[i + 1]!] : []));
const one = (name: string): string | undefined => all(name)[0];
const SECONDS = Number(one("--seconds") ?? 10);
const RSS_DESCRIBES = Number(one("--rss-describes") ?? 200);
/** A slow target stops describing after this long (the count done is recorded). */
const RSS_SECONDS = Number(one("--rss-seconds") ?? 120);
const SIMPLE_CONNECTIONS = Number(one("--connections") ?? 8);
const MIXED_CLIENTS = 20;
const BINS = all("--bin");
const LABELS = all("--label");
const defaultBin = join(REPO, "apps", "cli", "dist", "ec2sim.mjs");
const targets: { label: string; bin: string; memory?: boolean }[] = (BINS.length ? BINS : [defaultBin]).map(
  (bin, i) => ({ bin, label: LABELS[i] ?? (BINS.length > 1 ? `ec2sim#${i + 1}` : "ec2sim") }),
);
// `--memory-store-too`: the last build once more on the memory store (nothing durable, nothing to
// wait for): the ceiling the durability rule is measured against.
if (argv.includes("--memory-store-too")) {
  const lastTarget = targets[targets.length - 1]!;
  targets.push({ bin: lastTarget.bin, label: `${lastTarget.label} (memory store)`, memory: true });
}
const NETWORK = argv.includes("--network");
/** Also run the mixed load again once the sandbox holds 10,000 instances (where a scan would show). */
const MIXED_10K = argv.includes("--mixed-10k");
/** Only the simple calls against the bare server (workload 3), `--simple-rounds` times per target. */
const SIMPLE_ONLY = argv.includes("--simple-only");
const SIMPLE_ROUNDS = Number(one("--simple-rounds") ?? 1);
/** Extra node flags for the ec2sim and bare servers, e.g. `--node-arg --cpu-prof --node-arg --cpu-prof-dir=/tmp/p`. */
const NODE_ARGS = all("--node-arg");
/** Only the mixed load at 1,000 instances: for side-by-side rounds of it alone. */
const MIXED_ONLY = argv.includes("--mixed-only");
const WITH_MOTO = !argv.includes("--no-moto") && !NETWORK && !SIMPLE_ONLY && !MIXED_ONLY;
/** Every target this many times, alternating. */
const ROUNDS = Number(one("--rounds") ?? 1);

const load = (): string =>
  loadavg()
    .map((x) => x.toFixed(1))
    .join(" ");
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? Number.NaN;
};
const r1 = (x: number) => Math.round(x * 10) / 10;
const log = (m: string) => process.stderr.write(`${m}\n`);

// ── a minimal SigV4 signer (header form), the signing key cached per day ──────────────────────
type Signer = (host: string, body: string) => Record<string, string>;
function makeSigner(accessKeyId: string, secret: string, region = "us-east-1", service = "ec2"): Signer {
  let keyDate = "";
  let key = Buffer.alloc(0);
  const hmac = (k: Buffer | string, s: string) => createHmac("sha256", k).update(s).digest();
  const sha = (s: string) => createHash("sha256").update(s).digest("hex");
  return (host, body) => {
    const amzDate = new Date()
      .toISOString()
      .replace(/[-:]/g, "")
      .replace(/\.\d{3}/, "");
    const date = amzDate.slice(0, 8);
    if (date !== keyDate) {
      key = hmac(hmac(hmac(hmac(`AWS4${secret}`, date), region), service), "aws4_request");
      keyDate = date;
    }
    const contentType = "application/x-www-form-urlencoded; charset=utf-8";
    const canonical = `POST\n/\n\ncontent-type:${contentType}\nhost:${host}\nx-amz-date:${amzDate}\n\ncontent-type;host;x-amz-date\n${sha(body)}`;
    const scope = `${date}/${region}/${service}/aws4_request`;
    const signature = createHmac("sha256", key)
      .update(`AWS4-HMAC-SHA256\n${amzDate}\n${scope}\n${sha(canonical)}`)
      .digest("hex");
    return {
      "content-type": contentType,
      "x-amz-date": amzDate,
      authorization: `AWS4-HMAC-SHA256 Credential=${accessKeyId}/${scope}, SignedHeaders=content-type;host;x-amz-date, Signature=${signature}`,
    };
  };
}

// ── raw HTTP ───────────────────────────────────────────────────────────────────────────────────
interface Answer {
  status: number;
  bytes: number;
  text?: string;
  headers: Record<string, string | string[] | undefined>;
}
function post(
  agent: Agent,
  port: number,
  headers: Record<string, string>,
  body: string,
  keepText = false,
): Promise<Answer> {
  return new Promise((res, rej) => {
    const req = request(
      {
        agent,
        host: "127.0.0.1",
        port,
        method: "POST",
        path: "/",
        headers: { ...headers, "content-length": Buffer.byteLength(body) },
      },
      (r) => {
        let bytes = 0;
        const chunks: Buffer[] = [];
        r.on("data", (c: Buffer) => {
          bytes += c.length;
          if (keepText) chunks.push(c);
        });
        r.on("end", () =>
          res({
            status: r.statusCode ?? 0,
            bytes,
            headers: r.headers,
            ...(keepText ? { text: Buffer.concat(chunks).toString("utf8") } : {}),
          }),
        );
        r.on("error", rej);
      },
    );
    req.on("error", rej);
    req.end(body);
  });
}

const form = (params: Record<string, string | number>) =>
  Object.entries({ Version: "2016-11-15", ...params })
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
    .join("&");

// ── servers ──────────────────────────────────────────────────────────────────────────────────
interface Target {
  label: string;
  kind: "ec2sim" | "moto";
  port: number;
  pid: number;
  dataDir?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
  sign: Signer;
  stop(): Promise<void>;
}

function waitForLine(proc: ChildProcess, re: RegExp): Promise<RegExpExecArray> {
  return new Promise((res, rej) => {
    let out = "";
    const on = (c: Buffer) => {
      out += c.toString();
      const m = re.exec(out);
      if (m) res(m);
    };
    proc.stdout?.on("data", on);
    proc.stderr?.on("data", on);
    proc.on("exit", (code) => rej(new Error(`exited ${code}: ${out.slice(-2000)}`)));
  });
}

async function startEc2sim(label: string, bin: string, memory = false): Promise<Target> {
  const dataDir = mkdtempSync(join(tmpdir(), "ec2sim-scale-"));
  const proc = spawn(
    process.execPath,
    [
      ...NODE_ARGS,
      bin,
      "serve",
      "--port",
      "0",
      "--data",
      dataDir,
      "--speed",
      "1000",
      ...(memory ? ["--store", "memory"] : []),
    ],
    {
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  const m = await waitForLine(proc, /serving EC2 at http:\/\/[\d.]+:(\d+)/);
  const port = Number(m[1]);
  const serverLog = one("--server-log");
  if (serverLog) proc.stderr?.on("data", (c: Buffer) => appendFileSync(serverLog, `[${label}] ${c.toString()}`));
  const token = readFileSync(join(dataDir, "admin-token"), "utf8").trim();
  const info = (await (
    await fetch(`http://127.0.0.1:${port}/_ec2sim/sandboxes/default`, { headers: { authorization: `Bearer ${token}` } })
  ).json()) as { accounts: { accessKeyId: string; secretAccessKey: string }[] };
  const acct = info.accounts[0]!;
  const exited = new Promise<void>((r) => proc.on("exit", () => r()));
  return {
    label,
    kind: "ec2sim",
    port,
    pid: proc.pid!,
    dataDir,
    credentials: acct,
    sign: makeSigner(acct.accessKeyId, acct.secretAccessKey),
    stop: async () => {
      proc.kill("SIGTERM");
      await exited;
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

function motoAvailable(): boolean {
  return spawnSync("python3", ["-c", "import moto.server"], { stdio: "ignore" }).status === 0;
}

async function startMoto(): Promise<Target> {
  const port = 40_000 + Math.floor(Math.random() * 20_000);
  const proc = spawn("python3", ["-m", "moto.server", "-H", "127.0.0.1", "-p", String(port)], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  await waitForLine(proc, /Running on/);
  const exited = new Promise<void>((r) => proc.on("exit", () => r()));
  return {
    label: "moto",
    kind: "moto",
    port,
    pid: proc.pid!,
    sign: makeSigner("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
    stop: async () => {
      proc.kill("SIGTERM");
      await exited;
    },
  };
}

/** A bare node:http server answering every request with the same status, headers and body. */
async function startBare(status: number, headers: Record<string, string>, body: string): Promise<Target> {
  const script = `
    const http = require("node:http");
    const body = Buffer.from(${JSON.stringify(body)});
    const headers = ${JSON.stringify(headers)};
    headers["content-length"] = body.length;
    const s = http.createServer((req, res) => { req.resume(); req.on("end", () => { res.writeHead(${status}, headers); res.end(body); }); });
    s.keepAliveTimeout = 30000;
    s.listen(0, "127.0.0.1", () => console.log("listening " + s.address().port));
    process.on("SIGTERM", () => process.exit(0)); // exit as ec2sim does (a --cpu-prof is written then)`;
  const proc = spawn(process.execPath, [...NODE_ARGS, "-e", script], { stdio: ["ignore", "pipe", "pipe"] });
  const m = await waitForLine(proc, /listening (\d+)/);
  const exited = new Promise<void>((r) => proc.on("exit", () => r()));
  return {
    label: "bare node:http",
    kind: "moto",
    port: Number(m[1]),
    pid: proc.pid!,
    sign: () => ({}),
    stop: async () => {
      proc.kill("SIGTERM");
      await exited;
    },
  };
}

// ── workloads ────────────────────────────────────────────────────────────────────────────────
class Client {
  readonly agent: Agent;
  readonly host: string;
  constructor(
    readonly t: Target,
    sockets: number,
  ) {
    this.agent = new Agent({ keepAlive: true, maxSockets: sockets });
    this.host = `127.0.0.1:${t.port}`;
  }
  async call(params: Record<string, string | number>, keepText = true): Promise<Answer> {
    const body = form(params);
    const a = await post(this.agent, this.t.port, this.t.sign(this.host, body), body, keepText);
    if (a.status !== 200) throw new Error(`${params.Action} -> ${a.status}: ${a.text?.slice(0, 400)}`);
    return a;
  }
  /** The same signed bytes again and again (valid for 15 minutes). */
  presigned(params: Record<string, string | number>): () => Promise<Answer> {
    const body = form(params);
    const headers = this.t.sign(this.host, body);
    return () => post(this.agent, this.t.port, headers, body);
  }
  close() {
    this.agent.destroy();
  }
}

const ids = (xml: string, tag: string): string[] =>
  [...xml.matchAll(new RegExp(`<${tag}>([^<]+)</${tag}>`, "g"))].map((m) => m[1]!);

async function imageFor(c: Client): Promise<string> {
  const params: Record<string, string | number> =
    c.t.kind === "ec2sim"
      ? {
          Action: "DescribeImages",
          "Owner.1": "amazon",
          "Filter.1.Name": "name",
          "Filter.1.Value.1": "al2023-ami-2023*-x86_64",
        }
      : { Action: "DescribeImages", "Owner.1": "amazon" };
  const xml = (await c.call(params)).text!;
  const found = ids(xml, "imageId");
  if (!found.length) throw new Error(`no image on ${c.t.label}`);
  return found[0]!;
}

async function launch(c: Client, image: string, count: number, batch: number): Promise<string[]> {
  const xml = (
    await c.call({
      Action: "RunInstances",
      ImageId: image,
      InstanceType: "t3.nano",
      MinCount: count,
      MaxCount: count,
      "TagSpecification.1.ResourceType": "instance",
      "TagSpecification.1.Tag.1.Key": "bench",
      "TagSpecification.1.Tag.1.Value": "yes",
      "TagSpecification.1.Tag.2.Key": "batch",
      "TagSpecification.1.Tag.2.Value": String(batch),
    })
  ).text!;
  return ids(xml, "instanceId");
}

async function untilRunning(c: Client, total: number): Promise<void> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const a = await c.call({
      Action: "DescribeInstances",
      "Filter.1.Name": "instance-state-name",
      "Filter.1.Value.1": "pending",
      MaxResults: 5,
    });
    if (!a.text!.includes("<instanceId>")) return;
    if (Date.now() > deadline) throw new Error(`instances still pending after 2 minutes (${total})`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

interface Timing {
  p50: number;
  p99: number;
  n: number;
  bytes: number;
  serverCpuMsPerCall: number;
  /** The event loop's share of it (the rest: the snapshot and key workers, GC helpers, libuv's pool). */
  loopCpuMsPerCall: number;
  load: string;
}
async function repeat(t: Target, f: () => Promise<Answer>, n: number, seconds = Infinity): Promise<Timing> {
  await f(); // warm
  const lat: number[] = [];
  let bytes = 0;
  const cpu0 = cpuMsOf(t.pid);
  const loop0 = cpuMsOf(t.pid, true);
  const end = performance.now() + seconds * 1000;
  for (let i = 0; i < n && performance.now() < end; i++) {
    const t0 = performance.now();
    const a = await f();
    lat.push(performance.now() - t0);
    if (a.status !== 200) throw new Error(`status ${a.status}`);
    bytes = a.bytes;
  }
  return {
    p50: r1(pct(lat, 50)),
    p99: r1(pct(lat, 99)),
    n: lat.length,
    bytes,
    serverCpuMsPerCall: r1((cpuMsOf(t.pid) - cpu0) / lat.length),
    loopCpuMsPerCall: r1((cpuMsOf(t.pid, true) - loop0) / lat.length),
    load: load(),
  };
}

interface Rate {
  calls: number;
  perSecond: number;
  p50: number;
  p99: number;
  errors: number;
  clientCpuShare: number;
  serverCpuShare: number;
  loopCpuShare: number;
  load: string;
}
/** `clients` loops calling `next()` for `seconds`; CPU shares are of one core. */
async function rate(
  t: Target,
  clients: number,
  seconds: number,
  next: (client: number) => Promise<Answer>,
): Promise<Rate> {
  const lat: number[] = [];
  let errors = 0;
  const end = performance.now() + seconds * 1000;
  const cpu0 = process.cpuUsage();
  const scpu0 = cpuMsOf(t.pid);
  const loop0 = cpuMsOf(t.pid, true);
  const t0 = performance.now();
  let firstError: unknown;
  await Promise.all(
    Array.from({ length: clients }, async (_, k) => {
      while (performance.now() < end) {
        const s = performance.now();
        try {
          const a = await next(k);
          if (a.status !== 200) errors++;
        } catch (e) {
          errors++;
          firstError ??= e;
        }
        lat.push(performance.now() - s);
      }
    }),
  );
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  if (firstError) log(`  first error: ${String(firstError).slice(0, 300)}`);
  return {
    calls: lat.length,
    perSecond: Math.round(lat.length / (wall / 1000)),
    p50: r1(pct(lat, 50)),
    p99: r1(pct(lat, 99)),
    errors,
    clientCpuShare: Math.round(((cpu.user + cpu.system) / 1000 / wall) * 100) / 100,
    serverCpuShare: Math.round(((cpuMsOf(t.pid) - scpu0) / wall) * 100) / 100,
    loopCpuShare: Math.round(((cpuMsOf(t.pid, true) - loop0) / wall) * 100) / 100,
    load: load(),
  };
}

async function simpleVsBare(t: Target): Promise<Record<string, unknown>> {
  const probe = new Client(t, 1);
  const zones = { Action: "DescribeAvailabilityZones" };
  const sample = await probe.call(zones);
  probe.close();
  const c = new Client(t, SIMPLE_CONNECTIONS);
  const f = c.presigned(zones);
  await rate(t, SIMPLE_CONNECTIONS, 1, f); // warm
  const server = await rate(t, SIMPLE_CONNECTIONS, SECONDS, f);
  c.close();
  const headers: Record<string, string> = {};
  for (const h of ["content-type", "x-amzn-requestid", "server"]) headers[h] = String(sample.headers[h] ?? "");
  const bare = await startBare(200, headers, sample.text!);
  const b = new Client(bare, SIMPLE_CONNECTIONS);
  const g = b.presigned(zones);
  try {
    await rate(bare, SIMPLE_CONNECTIONS, 1, g);
    const bareRate = await rate(bare, SIMPLE_CONNECTIONS, SECONDS, g);
    return {
      bytes: sample.bytes,
      connections: SIMPLE_CONNECTIONS,
      server,
      bare: bareRate,
      ratio: Math.round((server.perSecond / bareRate.perSecond) * 100) / 100,
    };
  } finally {
    b.close();
    await bare.stop();
  }
}

/** Workload 3 alone, every target beside one bare server in interleaved rounds (`--simple-only`). */
async function simpleInterleaved(ts: Target[]): Promise<Record<string, unknown>> {
  const zones = { Action: "DescribeAvailabilityZones" };
  const probe = new Client(ts[0]!, 1);
  const sample = await probe.call(zones);
  probe.close();
  const headers: Record<string, string> = {};
  for (const h of ["content-type", "x-amzn-requestid", "server"]) headers[h] = String(sample.headers[h] ?? "");
  const bare = await startBare(200, headers, sample.text!);
  const all = [...ts, bare];
  const clients = all.map((t) => new Client(t, SIMPLE_CONNECTIONS));
  const calls = clients.map((c) => c.presigned(zones));
  const rounds: Record<string, unknown>[] = [];
  try {
    for (let k = 0; k < all.length; k++) await rate(all[k]!, SIMPLE_CONNECTIONS, 1, calls[k]!); // warm
    for (let r = 1; r <= SIMPLE_ROUNDS; r++) {
      const round: Record<string, unknown> = { round: r };
      const rates: Rate[] = [];
      for (let k = 0; k < all.length; k++) rates.push(await rate(all[k]!, SIMPLE_CONNECTIONS, SECONDS, calls[k]!));
      const bareRate = rates.at(-1)!;
      all.forEach((t, k) => {
        const x = rates[k]!;
        round[t.label] = {
          ...x,
          serverCpuUsPerCall: Math.round((x.serverCpuShare * 1e6) / x.perSecond),
          loopCpuUsPerCall: Math.round((x.loopCpuShare * 1e6) / x.perSecond),
          ...(t === bare ? {} : { ratio: Math.round((x.perSecond / bareRate.perSecond) * 100) / 100 }),
        };
      });
      log(`simple round ${r}: ${JSON.stringify(round)}`);
      rounds.push(round);
    }
  } finally {
    for (const c of clients) c.close();
    await bare.stop();
  }
  const summary: Record<string, unknown> = {};
  for (const t of all) {
    const of = (f: (x: Record<string, number>) => number | undefined) =>
      pct(
        rounds.map((r) => f(r[t.label] as Record<string, number>) ?? Number.NaN),
        50,
      );
    summary[t.label] = {
      medianPerSecond: of((x) => x.perSecond),
      medianServerCpuUsPerCall: of((x) => x.serverCpuUsPerCall),
      medianLoopCpuUsPerCall: of((x) => x.loopCpuUsPerCall),
      ...(t === bare ? {} : { medianRatio: of((x) => x.ratio) }),
    };
  }
  return { bytes: sample.bytes, connections: SIMPLE_CONNECTIONS, seconds: SECONDS, rounds, summary };
}

async function mixed(t: Target, image: string, instanceIds: string[]): Promise<Rate> {
  const c = new Client(t, MIXED_CLIENTS);
  // One instance per slot tag, so a tag filter that names a slot matches one instance.
  const slots = instanceIds.slice(0, 200);
  for (let k = 0; k < slots.length; k++) {
    await c.call({ Action: "CreateTags", "ResourceId.1": slots[k]!, "Tag.1.Key": "slot", "Tag.1.Value": String(k) });
  }
  const volXml = (await c.call({ Action: "DescribeVolumes", MaxResults: 50 })).text!;
  void volXml;
  let rnd = 12345;
  const rand = (n: number) => {
    rnd = (rnd * 1103515245 + 12345) & 0x7fffffff;
    return rnd % n;
  };
  const anyId = () => instanceIds[rand(instanceIds.length)]!;
  const ops: [number, () => Record<string, string | number>][] = [
    [
      25,
      () => ({
        Action: "DescribeInstances",
        "InstanceId.1": anyId(),
        "InstanceId.2": anyId(),
        "InstanceId.3": anyId(),
      }),
    ],
    [
      15,
      () => ({
        Action: "DescribeInstances",
        "Filter.1.Name": "tag:slot",
        "Filter.1.Value.1": String(rand(slots.length)),
      }),
    ],
    [10, () => ({ Action: "DescribeImages", "ImageId.1": image })],
    [10, () => ({ Action: "DescribeAvailabilityZones" })],
    [10, () => ({ Action: "DescribeVolumes", "Filter.1.Name": "attachment.instance-id", "Filter.1.Value.1": anyId() })],
    [10, () => ({ Action: "DescribeTags", "Filter.1.Name": "resource-id", "Filter.1.Value.1": anyId() })],
    [
      15,
      () => ({
        Action: "CreateTags",
        "ResourceId.1": anyId(),
        "Tag.1.Key": "touched",
        "Tag.1.Value": String(rand(1000)),
      }),
    ],
    [5, () => ({ Action: "RunInstances", ImageId: image, InstanceType: "t3.nano", MinCount: 1, MaxCount: 1 })],
  ];
  const total = ops.reduce((n, [w]) => n + w, 0);
  const pick = () => {
    let x = rand(total);
    for (const [w, f] of ops) {
      if (x < w) return f();
      x -= w;
    }
    return ops[0]![1]();
  };
  const call = () => {
    const body = form(pick());
    return post(c.agent, t.port, t.sign(c.host, body), body);
  };
  await rate(t, MIXED_CLIENTS, 1, call); // warm
  const r = await rate(t, MIXED_CLIENTS, SECONDS, call);
  c.close();
  return r;
}

/** Issue #12: 1,000 VPCs, subnets and interfaces, then their Describe calls, raw and through the SDK. */
async function network(t: Target): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = { label: t.label, loadAtStart: load() };
  const c = new Client(t, 1);
  const image = await imageFor(c);
  const made = async (what: string, f: () => Promise<void>) => {
    const t0 = performance.now();
    await f();
    out[what] = { ms: Math.round(performance.now() - t0), load: load() };
    log(`[${t.label}] ${what}: ${JSON.stringify(out[what])}`);
  };
  const vpcIds: string[] = [];
  await made("create1000Vpcs", async () => {
    for (let k = 0; k < 1000; k++) {
      const xml = (await c.call({ Action: "CreateVpc", CidrBlock: `10.${k % 250}.0.0/16` })).text!;
      vpcIds.push(ids(xml, "vpcId")[0]!);
    }
  });
  const home = vpcIds[0]!;
  const subnetIds: string[] = [];
  await made("create1000Subnets", async () => {
    for (let k = 0; k < 1000; k++) {
      const cidr = `10.0.${k >> 2}.${(k & 3) * 64}/26`;
      const xml = (await c.call({ Action: "CreateSubnet", VpcId: home, CidrBlock: cidr })).text!;
      subnetIds.push(ids(xml, "subnetId")[0]!);
    }
  });
  const eniIds: string[] = [];
  await made("create500Interfaces", async () => {
    for (let k = 0; k < 500; k++) {
      const xml = (await c.call({ Action: "CreateNetworkInterface", SubnetId: subnetIds[k]! })).text!;
      eniIds.push(ids(xml, "networkInterfaceId")[0]!);
    }
  });
  await made("launch500Instances", async () => {
    for (let b = 0; b < 10; b++)
      await c.call({
        Action: "RunInstances",
        ImageId: image,
        InstanceType: "t3.nano",
        MinCount: 50,
        MaxCount: 50,
        SubnetId: subnetIds[500 + b]!,
      });
  });
  const list = (prefix: string, values: string[]) =>
    Object.fromEntries(values.map((v, i) => [`${prefix}.${i + 1}`, v]));
  const cases: [string, Record<string, string | number>][] = [
    ["DescribeVpcs all", { Action: "DescribeVpcs" }],
    ["DescribeVpcs MaxResults=100", { Action: "DescribeVpcs", MaxResults: 100 }],
    ["DescribeVpcs 20 IDs", { Action: "DescribeVpcs", ...list("VpcId", vpcIds.slice(100, 120)) }],
    ["DescribeSubnets all", { Action: "DescribeSubnets" }],
    ["DescribeSubnets MaxResults=100", { Action: "DescribeSubnets", MaxResults: 100 }],
    ["DescribeSubnets 20 IDs", { Action: "DescribeSubnets", ...list("SubnetId", subnetIds.slice(100, 120)) }],
    ["DescribeNetworkInterfaces all", { Action: "DescribeNetworkInterfaces" }],
    ["DescribeNetworkInterfaces MaxResults=100", { Action: "DescribeNetworkInterfaces", MaxResults: 100 }],
    [
      "DescribeNetworkInterfaces 20 IDs",
      { Action: "DescribeNetworkInterfaces", ...list("NetworkInterfaceId", eniIds.slice(100, 120)) },
    ],
  ];
  const raw: Record<string, Timing> = {};
  for (const [label, params] of cases) {
    raw[label] = await repeat(t, c.presigned(params), 50);
    log(`[${t.label}] raw ${label}: ${JSON.stringify(raw[label])}`);
  }
  out.raw = raw;
  // The SDK: each call signed anew and its XML parsed into objects, as a program sees it.
  const sdk = new EC2Client({
    endpoint: `http://127.0.0.1:${t.port}`,
    region: "us-east-1",
    credentials: t.credentials!,
    maxAttempts: 1,
  });
  const sdkCases: [string, () => Promise<number>][] = [
    ["DescribeVpcs all", async () => (await sdk.send(new DescribeVpcsCommand({}))).Vpcs!.length],
    ["DescribeSubnets all", async () => (await sdk.send(new DescribeSubnetsCommand({}))).Subnets!.length],
    [
      "DescribeNetworkInterfaces all",
      async () => (await sdk.send(new DescribeNetworkInterfacesCommand({}))).NetworkInterfaces!.length,
    ],
    [
      "DescribeNetworkInterfaces MaxResults=100",
      async () => (await sdk.send(new DescribeNetworkInterfacesCommand({ MaxResults: 100 }))).NetworkInterfaces!.length,
    ],
  ];
  const viaSdk: Record<string, unknown> = {};
  for (const [label, f] of sdkCases) {
    await f();
    const lat: number[] = [];
    let n = 0;
    const cpu0 = cpuMsOf(t.pid);
    for (let i = 0; i < 20; i++) {
      const t0 = performance.now();
      n = await f();
      lat.push(performance.now() - t0);
    }
    viaSdk[label] = {
      returned: n,
      p50: r1(pct(lat, 50)),
      p99: r1(pct(lat, 99)),
      serverCpuMsPerCall: r1((cpuMsOf(t.pid) - cpu0) / lat.length),
      load: load(),
    };
    log(`[${t.label}] sdk ${label}: ${JSON.stringify(viaSdk[label])}`);
  }
  out.sdk = viaSdk;
  sdk.destroy();
  c.close();
  return out;
}

async function runTarget(t: Target): Promise<Record<string, unknown>> {
  if (NETWORK) return network(t);
  const out: Record<string, unknown> = { label: t.label };
  const c = new Client(t, 1);
  const image = await imageFor(c);
  log(`[${t.label}] launching 1,000 instances (load ${load()})`);
  const first = await launch(c, image, 1000, 0);
  if (t.kind === "ec2sim") await untilRunning(c, 1000);
  if (MIXED_ONLY) {
    out.mixed = await mixed(t, image, first);
    log(`[${t.label}] mixed: ${JSON.stringify(out.mixed)}`);
    c.close();
    return out;
  }
  out.describe1k = await repeat(
    t,
    c.presigned({ Action: "DescribeInstances", "Filter.1.Name": "tag:bench", "Filter.1.Value.1": "yes" }),
    t.kind === "moto" ? 5 : 30,
  );
  log(`[${t.label}] describe 1,000: ${JSON.stringify(out.describe1k)}`);
  out.simple = await simpleVsBare(t);
  log(`[${t.label}] simple: ${JSON.stringify(out.simple)}`);
  out.mixed = await mixed(t, image, first);
  log(`[${t.label}] mixed: ${JSON.stringify(out.mixed)}`);
  if (t.kind === "ec2sim") {
    log(`[${t.label}] launching 9,000 more (load ${load()})`);
    const more: string[] = [];
    for (let b = 1; b <= 9; b++) more.push(...(await launch(c, image, 1000, b)));
    await untilRunning(c, 10_000);
    if (MIXED_10K) {
      // Narrow questions over 10,000 instances: their cost should not grow with the sandbox.
      const one = more[4321]!;
      out.tagsOfOne = await repeat(
        t,
        c.presigned({ Action: "DescribeTags", "Filter.1.Name": "resource-id", "Filter.1.Value.1": one }),
        50,
      );
      out.volumesOfOne = await repeat(
        t,
        c.presigned({ Action: "DescribeVolumes", "Filter.1.Name": "attachment.instance-id", "Filter.1.Value.1": one }),
        50,
      );
      log(`[${t.label}] tags of one / volumes of one: ${JSON.stringify([out.tagsOfOne, out.volumesOfOne])}`);
      out.mixed10k = await mixed(t, image, [...first, ...more]);
      log(`[${t.label}] mixed at 10,000: ${JSON.stringify(out.mixed10k)}`);
    }
    const all10k = c.presigned({ Action: "DescribeInstances" });
    out.describe1kOf10k = await repeat(
      t,
      c.presigned({ Action: "DescribeInstances", "Filter.1.Name": "tag:batch", "Filter.1.Value.1": "3" }),
      20,
    );
    log(`[${t.label}] describe 1,000 of 10,000: ${JSON.stringify(out.describe1kOf10k)}`);
    const before = rssOf(t.pid);
    const loadBefore = load();
    const timing = await repeat(t, all10k, RSS_DESCRIBES - 1, RSS_SECONDS);
    const after = rssOf(t.pid);
    out.describe10k = timing;
    out.rss = {
      describes: timing.n + 1,
      beforeMiB: before.rssMiB,
      afterMiB: after.rssMiB,
      peakMiB: after.hwmMiB,
      loadBefore,
      loadAfter: load(),
    };
    log(`[${t.label}] describe 10,000: ${JSON.stringify(out.describe10k)} rss ${JSON.stringify(out.rss)}`);
    const info = await fetch(`http://127.0.0.1:${t.port}/_ec2sim/sandboxes/default`, {
      headers: { authorization: `Bearer ${readFileSync(join(t.dataDir!, "admin-token"), "utf8").trim()}` },
    });
    const lastSeq = ((await info.json()) as { lastSeq: number }).lastSeq;
    const journalBytes = dirBytes(t.dataDir!);
    out.journal = { events: lastSeq, bytes: journalBytes, bytesPerEvent: Math.round(journalBytes / lastSeq) };
    log(`[${t.label}] journal: ${JSON.stringify(out.journal)}`);
  }
  c.close();
  return out;
}

async function main() {
  const results: Record<string, unknown> = {
    date: new Date().toISOString(),
    node: process.version,
    cpus: (await import("node:os")).cpus().length,
    loadAtStart: load(),
    seconds: SECONDS,
    targets: [] as unknown[],
  };
  const list = targets.map((x) => () => startEc2sim(x.label, x.bin, x.memory));
  if (WITH_MOTO) {
    if (motoAvailable()) list.push(startMoto);
    else {
      results.moto = "not installed (python3 -c 'import moto.server' failed): skipped";
      log("moto: not installed, skipped");
    }
  }
  if (SIMPLE_ONLY) {
    const ts: Target[] = [];
    try {
      for (const x of targets) ts.push(await startEc2sim(x.label, x.bin));
      results.simple = await simpleInterleaved(ts);
      log(`simple: ${JSON.stringify((results.simple as { summary: unknown }).summary)}`);
    } finally {
      for (const t of ts) await t.stop();
    }
    list.length = 0;
  }
  // Rounds alternate the targets (A B A B …) so a change of the machine's load falls on each of them.
  for (let round = 1; round <= ROUNDS; round++) {
    for (const start of list) {
      const t = await start();
      try {
        (results.targets as unknown[]).push({ round, ...(await runTarget(t)) });
      } finally {
        await t.stop();
      }
    }
  }
  results.loadAtEnd = load();
  const json = JSON.stringify(results, null, 2);
  const out = one("--json");
  if (out) writeFileSync(out, json);
  console.log(json);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
