/**
 * Replicas (issue #8), side by side in one run: commands/s and p99 through real `ec2sim serve`
 * processes on the embedded journal store, on PostgreSQL with 1 replica, and on PostgreSQL with 2
 * replicas (clients spread over both), all on one sandbox; then the start-up of a replica on a
 * sandbox of 100,000 events (in-process SandboxHost load, and `ec2sim serve --sandbox big` to its
 * banner, beside an empty one).
 * Run: npx tsx bench/store/replica-bench.ts   (throwaway PostgreSQL cluster from test/pg, default
 * settings: fsync and synchronous_commit on; everything removed afterwards)
 */
import {
  CreateTagsCommand,
  DescribeImagesCommand,
  DescribeInstancesCommand,
  EC2Client,
  RunInstancesCommand,
} from "@aws-sdk/client-ec2";
import { type EventEnvelope, Sandbox } from "@ec2sim/core";
import { PostgresStore, SandboxHost, STANDARD_ACCOUNTS } from "@ec2sim/server";
import { accountsOf, type ServerProcess, startServerProcess, tempDir } from "@ec2sim/test-endpoint/src/harness.ts";
import { startCluster } from "@ec2sim/test-pg";

const CLIENTS = 20;
const COMMANDS = Number(process.env.COMMANDS ?? 1_500);
const fmt = (n: number) => Math.round(n).toLocaleString("en-US");
const pct = (lat: number[], p: number) =>
  [...lat].sort((a, b) => a - b)[Math.min(lat.length - 1, Math.floor(lat.length * p))]!;

async function load(urls: string[]): Promise<{ perSec: number; p50: number; p99: number }> {
  const [A] = await accountsOf(urls[0]!);
  const clients = urls.map((u) => new EC2Client({ endpoint: u, region: "us-east-1", credentials: A, maxAttempts: 1 }));
  const imgs = await clients[0]!.send(
    new DescribeImagesCommand({ Owners: ["amazon"], Filters: [{ Name: "name", Values: ["al2023-ami-2023*-x86_64"] }] }),
  );
  const ami = imgs.Images![0]!.ImageId!;
  const seedRun = await clients[0]!.send(
    new RunInstancesCommand({ ImageId: ami, InstanceType: "t3.micro", MinCount: 5, MaxCount: 5 }),
  );
  const ids = seedRun.Instances!.map((i) => i.InstanceId!);
  let issued = 0;
  const lat: number[] = [];
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CLIENTS }, async (_, w) => {
      const c = clients[w % clients.length]!;
      while (issued < COMMANDS) {
        const n = issued++;
        const a = performance.now();
        // The mix: 10% launches, 50% tags, 40% describes of one instance.
        if (n % 10 === 0)
          await c.send(
            new RunInstancesCommand({
              ImageId: ami,
              InstanceType: "t3.micro",
              MinCount: 1,
              MaxCount: 1,
              ClientToken: `b${n}`,
            }),
          );
        else if (n % 10 < 6)
          await c.send(
            new CreateTagsCommand({ Resources: [ids[n % ids.length]!], Tags: [{ Key: `k${n}`, Value: "v" }] }),
          );
        else await c.send(new DescribeInstancesCommand({ InstanceIds: [ids[n % ids.length]!] }));
        lat.push(performance.now() - a);
      }
    }),
  );
  const ms = performance.now() - t0;
  return { perSec: (COMMANDS * 1000) / ms, p50: pct(lat, 0.5), p99: pct(lat, 0.99) };
}

async function serve(store: string[], dir: string): Promise<ServerProcess> {
  return startServerProcess({ dataDir: dir, speed: 60, args: store, timeoutMs: 120_000 });
}

const cluster = await startCluster();
const rows: [string, string, string, string][] = [];
try {
  // 1. Commands through ec2sim serve.
  const results: Record<string, { perSec: number; p50: number; p99: number }> = {};
  {
    const data = tempDir("bench-journal");
    const s = await serve([], data.dir);
    results.journal = await load([s.url]);
    await s.stop();
    data.remove();
  }
  for (const n of [1, 2]) {
    const db = await cluster.createDatabase(`bench${n}`);
    const data = tempDir("bench-pg");
    const servers: ServerProcess[] = [];
    for (let i = 0; i < n; i++) servers.push(await serve(["--store", db], data.dir));
    results[`pg${n}`] = await load(servers.map((s) => s.url));
    await Promise.all(servers.map((s) => s.stop()));
    data.remove();
  }
  console.log(JSON.stringify(results));
  const r = (k: string) => results[k]!;
  rows.push([
    `${CLIENTS} clients, ${fmt(COMMANDS)} commands on one sandbox: commands/s`,
    fmt(r("journal").perSec),
    fmt(r("pg1").perSec),
    fmt(r("pg2").perSec),
  ]);
  rows.push(["p50 ms", r("journal").p50.toFixed(1), r("pg1").p50.toFixed(1), r("pg2").p50.toFixed(1)]);
  rows.push(["p99 ms", r("journal").p99.toFixed(1), r("pg1").p99.toFixed(1), r("pg2").p99.toFixed(1)]);

  // 2. A replica starting on a sandbox of 100,000 events.
  const db = await cluster.createDatabase("big");
  const t0 = performance.now();
  const sb = new Sandbox({ seed: "big", realNow: () => 0 });
  const events: EventEnvelope[] = [];
  for (const a of STANDARD_ACCOUNTS) events.push(...sb.createAccount(a).events);
  events.push(...sb.setClock({ paused: true }));
  const ctx = { accountId: "111122223333", region: "us-east-1" };
  const ami = (sb.call(ctx, "DescribeImages", { Owners: ["amazon"] }).output as { Images: { ImageId: string }[] })
    .Images[0]!.ImageId;
  let ids: string[] = [];
  for (let n = 0; sb.state.seq < 100_000; n++) {
    if (n % 50 === 0) {
      const r = sb.call<{ Instances: { InstanceId: string }[] }>(ctx, "RunInstances", {
        ImageId: ami,
        InstanceType: "t3.micro",
        MinCount: 5,
        MaxCount: 5,
      });
      events.push(...r.events);
      ids = r.output.Instances.map((i) => i.InstanceId);
      events.push(...sb.advance(120_000));
    } else {
      events.push(
        ...sb.call(ctx, "CreateTags", {
          Resources: [ids[n % ids.length]!],
          Tags: [{ Key: `k${n % 40}`, Value: `v${n}` }],
        }).events,
      );
    }
  }
  const store = await PostgresStore.open({ url: db });
  await store.create({ name: "big", createdAt: new Date().toISOString(), config: { seed: "big" } });
  for (let i = 0; i < events.length; i += 1_000)
    await store.append(
      "big",
      events.slice(i, i + 1_000).map((e) => ({ seq: e.seq, event: e })),
      i,
    );
  await store.close();
  const total = events.length;
  console.log(`wrote ${total} events in ${fmt(performance.now() - t0)} ms`);
  const loads: number[] = [];
  for (let i = 0; i < 3; i++) {
    const host = new SandboxHost({ store: await PostgresStore.open({ url: db }), tickMs: 0 });
    const a = performance.now();
    await host.load("big");
    loads.push(performance.now() - a);
    await host.close();
  }
  rows.push([
    `replica start-up on ${fmt(total)} events: SandboxHost load (in-process; best of 3)`,
    "",
    `${fmt(Math.min(...loads))} ms`,
    "",
  ]);
  const banner = async (args: string[]) => {
    const data = tempDir("bench-start");
    const a = performance.now();
    const s = await serve(["--store", db, ...args], data.dir);
    const ms = performance.now() - a;
    await s.stop();
    data.remove();
    return ms;
  };
  const empty = await banner(["--sandbox", "empty"]);
  const big = await banner(["--sandbox", "big"]);
  const second = await (async () => {
    // a second replica joining while the first hosts the sandbox
    const data = tempDir("bench-first");
    const first = await serve(["--store", db, "--sandbox", "big"], data.dir);
    const ms = await banner(["--sandbox", "big"]);
    await first.stop();
    data.remove();
    return ms;
  })();
  rows.push([`ec2sim serve to its banner, empty sandbox`, "", `${fmt(empty)} ms`, ""]);
  rows.push([`ec2sim serve to its banner, --sandbox big (${fmt(total)} events)`, "", `${fmt(big)} ms`, ""]);
  rows.push([`the same while another replica hosts it`, "", "", `${fmt(second)} ms`]);
} finally {
  await cluster.destroy();
}
console.log("\n| measure | journal | postgres, 1 replica | postgres, 2 replicas |\n|---|---|---|---|");
for (const r of rows) console.log(`| ${r.join(" | ")} |`);
