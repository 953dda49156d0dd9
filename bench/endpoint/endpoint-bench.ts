/**
 * EC2 endpoint benchmark: the AWS SDK v3 against a real `ec2sim serve` process (journal store in a
 * fresh temp folder, clock ×1000 so instances are running within ~50 ms). Workloads:
 *   1. 1,000 RunInstances calls (1 instance each) in batches of 50 concurrent calls
 *   2. 200 DescribeInstances with filters over those instances, 4 concurrent
 *   3. 50 CreateImage on running instances, in batches of 10
 *   4. 20 concurrent clients for 20 s, mixed reads and writes
 * plus the server's RSS after each phase, journal bytes per 1,000 changes, and restart (replay) time.
 *
 *   npx tsx bench/endpoint/endpoint-bench.ts [--json out.json] [--mixed-seconds 20]
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import {
  CreateImageCommand,
  CreateTagsCommand,
  DescribeImagesCommand,
  DescribeInstancesCommand,
  EC2Client,
  EC2ServiceException,
  RunInstancesCommand,
  StartInstancesCommand,
  StopInstancesCommand,
  TerminateInstancesCommand,
} from "@aws-sdk/client-ec2";
import { cpuMsOf, dirBytes, rssOf } from "./process-stats.ts";

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const argv = process.argv.slice(2);
const arg = (name: string) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const MIXED_SECONDS = Number(arg("--mixed-seconds") ?? 20);
const JSON_OUT = arg("--json");

interface Server {
  url: string;
  proc: ChildProcess;
  stop(): Promise<void>;
}

/** The admin API needs the token the server made in its data directory. */
function adminAuth(dataDir: string): RequestInit {
  return { headers: { authorization: `Bearer ${readFileSync(join(dataDir, "admin-token"), "utf8").trim()}` } };
}

async function startServer(dataDir: string): Promise<Server & { readyMs: number }> {
  const t0 = performance.now();
  const proc = spawn(join(REPO, "bin", "ec2sim"), ["serve", "--port", "0", "--data", dataDir, "--speed", "1000"], {
    stdio: ["ignore", "pipe", "pipe"],
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
  const exited = new Promise<void>((r) => proc.on("exit", () => r()));
  return {
    url,
    proc,
    readyMs: performance.now() - t0,
    stop: async () => {
      proc.kill("SIGTERM");
      await exited;
    },
  };
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
};
const r1 = (x: number) => Math.round(x * 10) / 10;

async function timed<T>(lat: number[], f: () => Promise<T>): Promise<T> {
  const t = performance.now();
  try {
    return await f();
  } finally {
    lat.push(performance.now() - t);
  }
}

async function main() {
  const data = mkdtempSync(join(tmpdir(), "ec2sim-bench-"));
  const results: Record<string, unknown> = {
    node: process.version,
    cpus: (await import("node:os")).cpus().length,
    date: new Date().toISOString(),
  };
  let server = await startServer(data);
  try {
    const info = (await (await fetch(`${server.url}/_ec2sim/sandboxes/default`, adminAuth(data))).json()) as {
      accounts: { accessKeyId: string; secretAccessKey: string }[];
      lastSeq: number;
    };
    const acct = info.accounts[0]!;
    const mk = () =>
      new EC2Client({
        endpoint: server.url,
        region: "us-east-1",
        credentials: { accessKeyId: acct.accessKeyId, secretAccessKey: acct.secretAccessKey },
        maxAttempts: 1,
      });
    const client = mk();
    const seqAtStart = info.lastSeq;
    results.rssIdle = rssOf(server.proc.pid!);
    const image = (
      await client.send(
        new DescribeImagesCommand({
          Owners: ["amazon"],
          Filters: [{ Name: "name", Values: ["al2023-ami-2023*-x86_64"] }],
        }),
      )
    ).Images!.sort((a, b) => b.CreationDate!.localeCompare(a.CreationDate!))[0]!.ImageId!;

    // 1. 1,000 RunInstances in batches of 50.
    const runLat: number[] = [];
    const ids: string[] = [];
    const types = ["t3.micro", "t3.small", "t3.nano", "m5.large"] as const;
    const cpu = () => cpuMsOf(server.proc.pid!);
    let c0 = cpu();
    let t = performance.now();
    for (let b = 0; b < 20; b++) {
      const batch = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          timed(runLat, () =>
            client.send(
              new RunInstancesCommand({
                ImageId: image,
                InstanceType: types[(b * 50 + i) % types.length],
                MinCount: 1,
                MaxCount: 1,
                TagSpecifications: [
                  {
                    ResourceType: "instance",
                    Tags: [
                      { Key: "group", Value: `g${(b * 50 + i) % 10}` },
                      { Key: "Name", Value: `bench-${b * 50 + i}` },
                    ],
                  },
                ],
              }),
            ),
          ),
        ),
      );
      for (const r of batch) ids.push(r.Instances![0]!.InstanceId!);
    }
    let ms = performance.now() - t;
    results.runInstances = {
      calls: 1000,
      batch: 50,
      totalMs: Math.round(ms),
      perSecond: Math.round(1000 / (ms / 1000)),
      p50Ms: r1(pct(runLat, 50)),
      p99Ms: r1(pct(runLat, 99)),
      serverCpuMsPerCall: r1((cpu() - c0) / 1000),
    };
    results.rssAfterRun = rssOf(server.proc.pid!);
    await new Promise((r) => setTimeout(r, 300)); // ×1000: every instance is running by now

    // 2. 200 DescribeInstances with filters, 4 concurrent.
    const descLat: number[] = [];
    const filters = (n: number) =>
      [
        [{ Name: "tag:group", Values: [`g${n % 10}`] }],
        [
          { Name: "instance-type", Values: [types[n % types.length]!] },
          { Name: "instance-state-name", Values: ["running"] },
        ],
        [{ Name: "tag:Name", Values: [`bench-${n}*`] }],
        [{ Name: "instance-id", Values: ids.slice(n, n + 20) }],
      ][n % 4]!;
    let found = 0;
    c0 = cpu();
    t = performance.now();
    for (let b = 0; b < 50; b++) {
      const outs = await Promise.all(
        Array.from({ length: 4 }, (_, i) =>
          timed(descLat, () => client.send(new DescribeInstancesCommand({ Filters: filters(b * 4 + i) }))),
        ),
      );
      for (const o of outs) found += o.Reservations!.reduce((n, r) => n + r.Instances!.length, 0);
    }
    ms = performance.now() - t;
    results.describeInstances = {
      calls: 200,
      concurrency: 4,
      over: ids.length,
      avgMatched: Math.round(found / 200),
      totalMs: Math.round(ms),
      p50Ms: r1(pct(descLat, 50)),
      p99Ms: r1(pct(descLat, 99)),
      serverCpuMsPerCall: r1((cpu() - c0) / 200),
    };
    const fullLat: number[] = [];
    for (let i = 0; i < 5; i++) await timed(fullLat, () => client.send(new DescribeInstancesCommand({})));
    results.describeAll = { instances: ids.length, p50Ms: r1(pct(fullLat, 50)), maxMs: r1(Math.max(...fullLat)) };

    // 3. 50 CreateImage, batches of 10.
    const imgLat: number[] = [];
    c0 = cpu();
    t = performance.now();
    for (let b = 0; b < 5; b++) {
      await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          timed(imgLat, () =>
            client.send(
              new CreateImageCommand({
                InstanceId: ids[b * 10 + i],
                Name: `bench-image-${b * 10 + i}`,
                NoReboot: true,
              }),
            ),
          ),
        ),
      );
    }
    ms = performance.now() - t;
    results.createImage = {
      calls: 50,
      batch: 10,
      totalMs: Math.round(ms),
      p50Ms: r1(pct(imgLat, 50)),
      p99Ms: r1(pct(imgLat, 99)),
      serverCpuMsPerCall: r1((cpu() - c0) / 50),
    };
    results.rssAfterImages = rssOf(server.proc.pid!);

    // 4. 20 concurrent clients, mixed, for MIXED_SECONDS.
    const until = performance.now() + MIXED_SECONDS * 1000;
    const ops: Record<string, { n: number; lat: number[] }> = {};
    const errors: Record<string, number> = {};
    let unexpected = 0;
    const clientLoop = async (c: number) => {
      const ec2 = mk();
      const mine: string[] = ids.slice(100 + c * 40, 100 + c * 40 + 40);
      let n = 0;
      while (performance.now() < until) {
        const roll = (n++ * 7 + c * 13) % 20;
        let op: string;
        let f: () => Promise<unknown>;
        const target = mine[n % mine.length]!;
        if (roll < 8) {
          op = "DescribeInstances(filter)";
          f = () =>
            ec2.send(
              new DescribeInstancesCommand({
                Filters: [
                  { Name: "tag:group", Values: [`g${c % 10}`] },
                  { Name: "instance-state-name", Values: ["running", "stopped"] },
                ],
              }),
            );
        } else if (roll < 12) {
          op = "CreateTags";
          f = () =>
            ec2.send(new CreateTagsCommand({ Resources: [target], Tags: [{ Key: `k${n % 30}`, Value: String(n) }] }));
        } else if (roll < 14) {
          op = "RunInstances";
          f = async () => {
            const r = await ec2.send(
              new RunInstancesCommand({ ImageId: image, InstanceType: "t3.nano", MinCount: 1, MaxCount: 1 }),
            );
            mine.push(r.Instances![0]!.InstanceId!);
          };
        } else if (roll < 16) {
          op = "DescribeImages(self)";
          f = () => ec2.send(new DescribeImagesCommand({ Owners: ["self"] }));
        } else if (roll < 17) {
          op = "StopInstances";
          f = () => ec2.send(new StopInstancesCommand({ InstanceIds: [target] }));
        } else if (roll < 18) {
          op = "StartInstances";
          f = () => ec2.send(new StartInstancesCommand({ InstanceIds: [target] }));
        } else if (roll < 19) {
          op = "DescribeInstances(ids)";
          f = () => ec2.send(new DescribeInstancesCommand({ InstanceIds: mine.slice(0, 10) }));
        } else {
          op = "TerminateInstances";
          const victim = mine.pop()!;
          f = () => ec2.send(new TerminateInstancesCommand({ InstanceIds: [victim] }));
        }
        const rec = (ops[op] ??= { n: 0, lat: [] });
        try {
          await timed(rec.lat, f);
          rec.n++;
        } catch (e) {
          rec.n++;
          const code = e instanceof EC2ServiceException ? e.name : `non-EC2: ${(e as Error).message}`;
          errors[code] = (errors[code] ?? 0) + 1;
          if (
            !(e instanceof EC2ServiceException) ||
            !["IncorrectInstanceState", "InvalidInstanceID.NotFound"].includes(e.name)
          )
            unexpected++;
        }
      }
    };
    c0 = cpu();
    const before = performance.now();
    await Promise.all(Array.from({ length: 20 }, (_, c) => clientLoop(c)));
    const elapsed = (performance.now() - before) / 1000;
    const total = Object.values(ops).reduce((n, o) => n + o.n, 0);
    const allLat = Object.values(ops).flatMap((o) => o.lat);
    results.mixed = {
      clients: 20,
      seconds: r1(elapsed),
      requests: total,
      perSecond: Math.round(total / elapsed),
      p50Ms: r1(pct(allLat, 50)),
      p99Ms: r1(pct(allLat, 99)),
      byOp: Object.fromEntries(
        Object.entries(ops).map(([k, v]) => [k, { n: v.n, p50Ms: r1(pct(v.lat, 50)), p99Ms: r1(pct(v.lat, 99)) }]),
      ),
      errors,
      unexpectedErrors: unexpected,
      serverCpuMsPerRequest: r1((cpu() - c0) / total),
      serverCpuShareOfOneCore: r1((cpu() - c0) / (elapsed * 1000)),
    };
    results.rssAfterMixed = rssOf(server.proc.pid!);

    // Journal size per 1,000 changes (events).
    const after = (await (await fetch(`${server.url}/_ec2sim/sandboxes/default`, adminAuth(data))).json()) as {
      lastSeq: number;
    };
    await new Promise((r) => setTimeout(r, 300));
    const bytes = dirBytes(join(data, "sandboxes"));
    results.journal = {
      events: after.lastSeq,
      bytes,
      bytesPer1000Events: Math.round((bytes / after.lastSeq) * 1000),
      eventsDuringBench: after.lastSeq - seqAtStart,
    };

    // Restart: replay the whole journal.
    await server.stop();
    server = await startServer(data);
    const t1 = performance.now();
    await mk().send(new DescribeInstancesCommand({ MaxResults: 5 }));
    results.restart = {
      events: after.lastSeq,
      readyMs: Math.round(server.readyMs),
      firstCallMs: Math.round(performance.now() - t1),
      rssAfterReplay: rssOf(server.proc.pid!),
    };
  } finally {
    await server.stop();
    rmSync(data, { recursive: true, force: true });
  }
  console.log(JSON.stringify(results, null, 2));
  if (JSON_OUT) writeFileSync(JSON_OUT, JSON.stringify(results, null, 2));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
