/**
 * Core benchmark (issue #3). Run from the repo root:
 *
 *   node --expose-gc --import tsx bench/core/core-bench.ts [launch] [describe] [image] [replay] [network]
 *
 * (no argument: all five). Every section builds its own sandbox (paused clock, `realNow: () => 0`)
 * so one section's garbage does not bill the next; heap/RSS are read after `global.gc()`.
 *
 * 1. launch   — 100 RunInstances × 1,000 (t3.micro, AL2023) into one sandbox with tags
 *               team=a|b|c, env=prod|staging|dev, Name; then the clock moves on so all 100,000 boot.
 * 2. describe — 10,000 instances (a quarter stopped), DescribeInstances with a tag filter, a state
 *               filter and both; 500 calls each, unpaged and with MaxResults=100 (first page).
 * 3. image    — 1,000 CreateImage calls on running instances, 500 NoReboot=true then 500 false.
 * 4. replay   — ~1,000,000 events made by running commands (launches with tags, CreateTags,
 *               DeleteTags, stop/start, terminate, clock moves), then `Sandbox.replay` of the log.
 * 5. network  — 1,000 VPCs, 1,000 subnets (/26s of one VPC), 1,000 network interfaces (500 made with
 *               CreateNetworkInterface, 500 instances' primaries); DescribeVpcs / DescribeSubnets /
 *               DescribeNetworkInterfaces unpaged, first page of 100, by a filter and by 20 IDs.
 */
import { loadavg } from "node:os";
import { type CallContext, type EventEnvelope, Sandbox } from "../../packages/core/src/index.ts";
import { launch as launchAs, newestAl2023Id, replayCycle, TEAMS } from "./replay-mix.ts";

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) {
  console.error("run with: node --expose-gc --import tsx bench/core/core-bench.ts");
  process.exit(1);
}

const ACCOUNT = "111122223333";
const ctx: CallContext = { accountId: ACCOUNT, region: "us-east-1" };
const MiB = 1024 * 1024;

function memory(): { heapMiB: number; rssMiB: number } {
  gc!();
  gc!();
  const m = process.memoryUsage();
  return { heapMiB: Math.round(m.heapUsed / MiB), rssMiB: Math.round(m.rss / MiB) };
}

function pct(samples: number[], p: number): number {
  const s = [...samples].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
}
const ms = (n: number) => (n < 10 ? n.toFixed(3) : n < 100 ? n.toFixed(1) : n.toFixed(0));

function newSandbox(onEvents?: (events: readonly EventEnvelope[]) => void): { sb: Sandbox; imageId: string } {
  const sb = new Sandbox({ seed: "bench", realNow: () => 0 });
  if (onEvents) sb.subscribe(onEvents);
  sb.createAccount({ accountId: ACCOUNT });
  return { sb, imageId: newestAl2023Id(sb, ctx) };
}

/** RunInstances of `count` with team/env/Name tags (replay-mix.ts), as account ACCOUNT in us-east-1. */
function launch(sb: Sandbox, imageId: string, batch: number, count: number): string[] {
  return launchAs(sb, ctx, imageId, batch, count);
}

const report: Record<string, unknown> = { node: process.version, date: new Date().toISOString() };
const load = () =>
  loadavg()
    .map((x) => x.toFixed(1))
    .join(" ");

// ── 1. launch 100,000 ──────────────────────────────────────────────────────────────────────────
function benchLaunch(): void {
  const before = memory();
  const { sb, imageId } = newSandbox();
  const per: number[] = [];
  const t0 = performance.now();
  for (let b = 0; b < 100; b++) {
    const t = performance.now();
    launch(sb, imageId, b, 1000);
    per.push(performance.now() - t);
  }
  const launchMs = performance.now() - t0;
  const afterLaunch = memory();
  const t1 = performance.now();
  const booted = sb.advance(120_000).length;
  const bootMs = performance.now() - t1;
  const afterBoot = memory();
  const running = sb.state.regions.get("us-east-1")!.instancesByState.get("running").size;
  const r = {
    instances: sb.state.regions.get("us-east-1")!.instances.size,
    launchMs: Math.round(launchMs),
    perRunInstancesMs: { p50: ms(pct(per, 50)), p99: ms(pct(per, 99)), max: ms(Math.max(...per)) },
    baseline: before,
    afterLaunch,
    bootAllMs: Math.round(bootMs),
    bootEvents: booted,
    running,
    afterBoot,
    events: sb.state.seq,
  };
  report.launch = r;
  console.log("launch", JSON.stringify(r));
}

// ── 2. DescribeInstances over 10,000 ───────────────────────────────────────────────────────────
function benchDescribe(): void {
  const { sb, imageId } = newSandbox();
  const ids: string[] = [];
  for (let b = 0; b < 10; b++) ids.push(...launch(sb, imageId, b, 1000));
  sb.advance(120_000);
  // A quarter stopped, so the state filter selects something smaller than "everything".
  const stop = ids.filter((_, k) => k % 4 === 0);
  for (let k = 0; k < stop.length; k += 500) sb.call(ctx, "StopInstances", { InstanceIds: stop.slice(k, k + 500) });
  sb.advance(120_000);
  const calls = 500;
  const cases: [string, { Name: string; Values: string[] }[]][] = [
    ["tag team=a", [{ Name: "tag:team", Values: ["a"] }]],
    ["state stopped", [{ Name: "instance-state-name", Values: ["stopped"] }]],
    ["state running", [{ Name: "instance-state-name", Values: ["running"] }]],
    [
      "tag team=a + state stopped",
      [
        { Name: "tag:team", Values: ["a"] },
        { Name: "instance-state-name", Values: ["stopped"] },
      ],
    ],
    [
      "tag env=prod + state running",
      [
        { Name: "tag:env", Values: ["prod"] },
        { Name: "instance-state-name", Values: ["running"] },
      ],
    ],
  ];
  const rows: Record<string, unknown>[] = [];
  // "warm": nothing changes between calls (a waiter or the REPL polling); "cold": a CreateTags
  // before every call, so the per-instance shape cache (invalidated by any event) never helps.
  for (const [label, Filters] of cases) {
    for (const [paged, cold] of [
      [false, false],
      [false, true],
      [true, false],
      [true, true],
    ] as const) {
      const input = paged ? { Filters, MaxResults: 100 } : { Filters };
      let returned = 0;
      for (let k = 0; k < 20; k++) sb.call(ctx, "DescribeInstances", input); // warm-up
      const samples: number[] = [];
      for (let k = 0; k < calls; k++) {
        if (cold)
          sb.call(ctx, "CreateTags", {
            Resources: [ids[k % ids.length]!],
            Tags: [{ Key: "touched", Value: String(k) }],
          });
        const t = performance.now();
        const out = sb.call<{ Reservations: { Instances: unknown[] }[] }>(ctx, "DescribeInstances", input).output;
        samples.push(performance.now() - t);
        if (k === 0) returned = out.Reservations.reduce((n, r) => n + r.Instances.length, 0);
      }
      const row = {
        filter: label,
        page: paged ? "MaxResults=100" : "all",
        cache: cold ? "cold" : "warm",
        returned,
        p50: ms(pct(samples, 50)),
        p99: ms(pct(samples, 99)),
        max: ms(Math.max(...samples)),
      };
      rows.push(row);
      console.log("describe", JSON.stringify(row));
    }
  }
  // Walking every page of a filter with NextToken (one "full listing").
  const walk: number[] = [];
  let pages = 0;
  for (let k = 0; k < 20; k++) {
    const t = performance.now();
    let token: string | undefined;
    pages = 0;
    do {
      const out = sb.call<{ NextToken?: string }>(ctx, "DescribeInstances", {
        Filters: cases[2]![1],
        MaxResults: 1000,
        ...(token ? { NextToken: token } : {}),
      }).output;
      token = out.NextToken;
      pages++;
    } while (token);
    walk.push(performance.now() - t);
  }
  const walkRow = {
    filter: "state running, every page of 1000 (NextToken)",
    pages,
    p50: ms(pct(walk, 50)),
    max: ms(Math.max(...walk)),
  };
  console.log("describe", JSON.stringify(walkRow));
  report.describe = { rows, walk: walkRow };
}

// ── 3. CreateImage × 1,000 ─────────────────────────────────────────────────────────────────────
function benchCreateImage(): void {
  const { sb, imageId } = newSandbox();
  const ids = launch(sb, imageId, 0, 1000);
  sb.advance(120_000);
  const rows: Record<string, unknown>[] = [];
  const all: number[] = [];
  const t0 = performance.now();
  for (const noReboot of [true, false]) {
    const samples: number[] = [];
    const t1 = performance.now();
    for (let k = 0; k < 500; k++) {
      const id = ids[(noReboot ? 0 : 500) + k]!;
      const t = performance.now();
      sb.call(ctx, "CreateImage", { InstanceId: id, Name: `bench-${noReboot ? "nr" : "rb"}-${k}`, NoReboot: noReboot });
      samples.push(performance.now() - t);
    }
    all.push(...samples);
    const row = {
      NoReboot: noReboot,
      calls: 500,
      totalMs: Math.round(performance.now() - t1),
      p50: ms(pct(samples, 50)),
      p99: ms(pct(samples, 99)),
      max: ms(Math.max(...samples)),
    };
    rows.push(row);
    console.log("image", JSON.stringify(row));
  }
  const total = {
    calls: 1000,
    totalMs: Math.round(performance.now() - t0),
    p50: ms(pct(all, 50)),
    p99: ms(pct(all, 99)),
  };
  const t2 = performance.now();
  sb.advance(3_600_000);
  const available = [...sb.state.regions.get("us-east-1")!.images.values()].filter(
    (i) => i.state === "available",
  ).length;
  console.log(
    "image",
    JSON.stringify({ ...total, availableAfterAnHour: available, advanceMs: Math.round(performance.now() - t2) }),
  );
  report.image = { rows, total, availableAfterAnHour: available };
}

// ── 4. replay of ~1,000,000 events ─────────────────────────────────────────────────────────────
// The mix (replay-mix.ts): cycles of 20 launches of 25 with tags, CreateTags, DeleteTags, stop/start of
// half, terminate → terminated → forgotten after the hour.
function benchReplay(target = 1_000_000): void {
  const log: EventEnvelope[] = [];
  let live: Sandbox | undefined;
  {
    const { sb, imageId } = newSandbox((events) => {
      for (const e of events) log.push(e);
    });
    live = sb;
    const t0 = performance.now();
    let batch = 0;
    while (log.length < target) batch = replayCycle(sb, ctx, imageId, batch);
    const genMs = performance.now() - t0;
    const counts = new Map<string, number>();
    for (const e of log) counts.set(e.event.type, (counts.get(e.event.type) ?? 0) + 1);
    report.replayGen = {
      events: log.length,
      genMs: Math.round(genMs),
      mix: Object.fromEntries([...counts].sort((a, b) => b[1] - a[1])),
    };
    console.log("replay-gen", JSON.stringify(report.replayGen));
  }
  const liveSeq = live.state.seq;
  live = undefined;
  const base = memory();
  const t = performance.now();
  const sb = Sandbox.replay(log);
  const replayMs = performance.now() - t;
  const after = memory();
  if (sb.state.seq !== liveSeq) throw new Error(`replay stopped at ${sb.state.seq}, live was at ${liveSeq}`);
  const r = {
    events: log.length,
    replayMs: Math.round(replayMs),
    eventsPerSec: Math.round(log.length / (replayMs / 1000)),
    memoryWithLog: base,
    afterReplay: after,
  };
  report.replay = r;
  console.log("replay", JSON.stringify(r));
}

// ── 5. networking: 1,000 VPCs, subnets and interfaces ──────────────────────────────────────────
function benchNetwork(): void {
  const { sb, imageId } = newSandbox();
  const call = <T>(action: string, input: object) => sb.call<T>(ctx, action, input as Record<string, unknown>).output;
  const timeIt = (f: () => void) => {
    const t = performance.now();
    f();
    return Math.round(performance.now() - t);
  };
  const made: Record<string, number> = {};
  const vpcIds: string[] = [];
  made.createVpcMs = timeIt(() => {
    for (let k = 0; k < 1000; k++)
      vpcIds.push(
        call<{ Vpc: { VpcId: string } }>("CreateVpc", {
          CidrBlock: `10.${k % 250}.0.0/16`,
          TagSpecifications: [{ ResourceType: "vpc", Tags: [{ Key: "team", Value: TEAMS[k % 3]! }] }],
        }).Vpc.VpcId,
      );
  });
  // One VPC holds every subnet: 1,000 /26s of 10.0.0.0/16 (each create checks overlap with its siblings).
  const home = vpcIds[0]!;
  const subnetIds: string[] = [];
  made.createSubnetMs = timeIt(() => {
    for (let k = 0; k < 1000; k++)
      subnetIds.push(
        call<{ Subnet: { SubnetId: string } }>("CreateSubnet", {
          VpcId: home,
          CidrBlock: `10.0.${k >> 2}.${(k & 3) * 64}/26`,
          TagSpecifications: [{ ResourceType: "subnet", Tags: [{ Key: "team", Value: TEAMS[k % 3]! }] }],
        }).Subnet.SubnetId,
      );
  });
  const eniIds: string[] = [];
  made.createNetworkInterfaceMs = timeIt(() => {
    for (let k = 0; k < 500; k++)
      eniIds.push(
        call<{ NetworkInterface: { NetworkInterfaceId: string } }>("CreateNetworkInterface", {
          SubnetId: subnetIds[k]!,
          TagSpecifications: [{ ResourceType: "network-interface", Tags: [{ Key: "team", Value: TEAMS[k % 3]! }] }],
        }).NetworkInterface.NetworkInterfaceId,
      );
  });
  // 500 instances, 10 launches of 50 into 10 subnets: their primary interfaces are the other 500.
  made.runInstancesMs = timeIt(() => {
    for (let b = 0; b < 10; b++)
      call("RunInstances", {
        ImageId: imageId,
        InstanceType: "t3.micro",
        MinCount: 50,
        MaxCount: 50,
        SubnetId: subnetIds[500 + b]!,
      });
  });
  sb.advance(120_000);
  const all = call<{ NetworkInterfaces: unknown[] }>("DescribeNetworkInterfaces", {}).NetworkInterfaces.length;
  const vpcs = call<{ Vpcs: unknown[] }>("DescribeVpcs", {}).Vpcs.length;
  const subnets = call<{ Subnets: unknown[] }>("DescribeSubnets", {}).Subnets.length;
  console.log("network", JSON.stringify({ made, vpcs, subnets, interfaces: all, load: load() }));
  const calls = 200;
  const cases: [action: string, label: string, input: object, list: string][] = [
    ["DescribeVpcs", "all", {}, "Vpcs"],
    ["DescribeVpcs", "MaxResults=100", { MaxResults: 100 }, "Vpcs"],
    ["DescribeVpcs", "tag team=a", { Filters: [{ Name: "tag:team", Values: ["a"] }] }, "Vpcs"],
    ["DescribeVpcs", "20 IDs", { VpcIds: vpcIds.slice(100, 120) }, "Vpcs"],
    ["DescribeSubnets", "all", {}, "Subnets"],
    ["DescribeSubnets", "MaxResults=100", { MaxResults: 100 }, "Subnets"],
    ["DescribeSubnets", "vpc-id (all 1,000)", { Filters: [{ Name: "vpc-id", Values: [home] }] }, "Subnets"],
    ["DescribeSubnets", "tag team=a", { Filters: [{ Name: "tag:team", Values: ["a"] }] }, "Subnets"],
    ["DescribeSubnets", "20 IDs", { SubnetIds: subnetIds.slice(100, 120) }, "Subnets"],
    ["DescribeNetworkInterfaces", "all", {}, "NetworkInterfaces"],
    ["DescribeNetworkInterfaces", "MaxResults=100", { MaxResults: 100 }, "NetworkInterfaces"],
    [
      "DescribeNetworkInterfaces",
      "status=in-use (the instances')",
      { Filters: [{ Name: "status", Values: ["in-use"] }] },
      "NetworkInterfaces",
    ],
    [
      "DescribeNetworkInterfaces",
      "subnet-id (one of 1,000)",
      { Filters: [{ Name: "subnet-id", Values: [subnetIds[7]!] }] },
      "NetworkInterfaces",
    ],
    ["DescribeNetworkInterfaces", "20 IDs", { NetworkInterfaceIds: eniIds.slice(100, 120) }, "NetworkInterfaces"],
  ];
  const rows: Record<string, unknown>[] = [];
  for (const [action, label, input, list] of cases) {
    for (let k = 0; k < 10; k++) call(action, input); // warm-up
    const samples: number[] = [];
    let returned = 0;
    for (let k = 0; k < calls; k++) {
      const t = performance.now();
      const out = call<Record<string, unknown[]>>(action, input);
      samples.push(performance.now() - t);
      returned = out[list]!.length;
    }
    const row = {
      action,
      input: label,
      returned,
      p50: ms(pct(samples, 50)),
      p99: ms(pct(samples, 99)),
      max: ms(Math.max(...samples)),
      load: load(),
    };
    rows.push(row);
    console.log("network", JSON.stringify(row));
  }
  report.network = { made, rows };
}

const which = new Set(process.argv.slice(2));
const all = which.size === 0;
if (all || which.has("launch")) benchLaunch();
if (all || which.has("describe")) benchDescribe();
if (all || which.has("image")) benchCreateImage();
if (all || which.has("replay")) benchReplay(Number(process.env.REPLAY_EVENTS ?? 1_000_000));
if (all || which.has("network")) benchNetwork();
console.log(JSON.stringify(report));
