/**
 * Snapshot benchmark: 100,000 instances from one AMI in one sandbox (100 RunInstances × 1,000 with
 * tags, then all boot), then side by side in one run:
 *   - snapshot: `snapshotState` (the host's synchronous pause), `JSON.stringify` (what the store does), size;
 *   - restore: `JSON.parse` + `Sandbox.fromSnapshot`;
 *   - full replay: `JSON.parse` of the event log + `Sandbox.replay`;
 * and checks the restore and the replay answer like the live sandbox.
 *
 *   node --expose-gc --max-old-space-size=12000 --import tsx bench/core/snapshot-bench.ts [instances]
 *   CHURN=300000 node … snapshot-bench.ts 10000     (a longer log: 300,000 more single-instance commands)
 */
import {
  type CallContext,
  type EventEnvelope,
  Sandbox,
  type SandboxSnapshot,
  snapshotState,
} from "../../packages/core/src/index.ts";

const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);
const N = Number(process.argv[2] ?? 100_000);
const CHURN = Number(process.env.CHURN ?? 0);
const ctx: CallContext = { accountId: "111122223333", region: "us-east-1" };
const MiB = 1024 * 1024;
const time = <T>(f: () => T): [T, number] => {
  const t0 = performance.now();
  const r = f();
  return [r, performance.now() - t0];
};
const rss = () => `${Math.round(process.memoryUsage().rss / MiB)} MiB RSS`;

const log: EventEnvelope[] = [];
const live = new Sandbox({ seed: "bench", realNow: () => 0 });
live.subscribe((es) => log.push(...es));
live.createAccount({ accountId: ctx.accountId });
const imageId = (
  live.call(ctx, "DescribeImages", {
    Owners: ["amazon"],
    Filters: [{ Name: "name", Values: ["al2023-ami-2023*-x86_64"] }],
  }).output as { Images: { ImageId: string; CreationDate: string }[] }
).Images.sort((a, b) => (a.CreationDate < b.CreationDate ? 1 : -1))[0]!.ImageId;
const [, buildMs] = time(() => {
  for (let b = 0; b < N / 1000; b++) {
    live.call(ctx, "RunInstances", {
      ImageId: imageId,
      InstanceType: "t3.micro",
      MinCount: 1000,
      MaxCount: 1000,
      TagSpecifications: [
        {
          ResourceType: "instance",
          Tags: [
            { Key: "team", Value: ["a", "b", "c"][b % 3]! },
            { Key: "Name", Value: `web-${b}` },
          ],
        },
      ],
    });
  }
  live.advance(120_000);
  // CHURN=n: n more commands on single instances (tag changes; every 10th a stop or start), so the
  // log grows longer than the state — the case snapshots are for.
  const ids = [...live.state.regions.get(ctx.region)!.instances.keys()];
  for (let i = 0; i < CHURN; i++) {
    const id = ids[(i * 7919) % ids.length]!;
    if (i % 10 === 9) live.call(ctx, (i / 10) % 2 < 1 ? "StopInstances" : "StartInstances", { InstanceIds: [id] });
    else live.call(ctx, "CreateTags", { Resources: [id], Tags: [{ Key: "rev", Value: String(i) }] });
    if (i % 1000 === 999) live.advance(60_000);
  }
});
const logJson = JSON.stringify(log);
log.length = 0;
gc();
console.log(
  `built ${N.toLocaleString()} running instances (+${CHURN.toLocaleString()} churn commands) in ${(buildMs / 1000).toFixed(1)} s; log ${live.state.seq.toLocaleString()} events, ${(logJson.length / MiB).toFixed(1)} MiB JSON; ${rss()}`,
);

const [snap, encodeMs] = time(() => snapshotState(live));
const [json, stringifyMs] = time(() => JSON.stringify(snap));
console.log(
  `snapshot: snapshotState ${encodeMs.toFixed(0)} ms + JSON.stringify ${stringifyMs.toFixed(0)} ms = ${(encodeMs + stringifyMs).toFixed(0)} ms; ${(json.length / MiB).toFixed(1)} MiB JSON (${(json.length / N).toFixed(0)} B/instance), ${snap.layers.length.toLocaleString()} layers, ${snap.shapes.length} shapes; ${rss()}`,
);

gc();
const [restored, restoreMs] = time(() =>
  Sandbox.fromSnapshot(JSON.parse(json) as SandboxSnapshot, { realNow: () => 0 }),
);
console.log(`restore: JSON.parse + Sandbox.fromSnapshot ${restoreMs.toFixed(0)} ms; ${rss()}`);

gc();
const [replayed, replayMs] = time(() =>
  Sandbox.replay(JSON.parse(logJson) as EventEnvelope[], { seed: "bench", realNow: () => 0 }),
);
console.log(`full replay: JSON.parse + Sandbox.replay ${replayMs.toFixed(0)} ms; ${rss()}`);

const look = (sb: Sandbox) =>
  JSON.stringify([
    sb.call(ctx, "DescribeInstances", { Filters: [{ Name: "tag:team", Values: ["b"] }], MaxResults: 1000 }).output,
    sb.call(ctx, "DescribeVolumes", { MaxResults: 500 }).output,
    sb.costReport(),
    sb.call(ctx, "RunInstances", { ImageId: imageId, InstanceType: "t3.micro", MinCount: 3, MaxCount: 3 }).output,
  ]);
const want = look(live);
console.log(`same answers: restore ${look(restored) === want}, replay ${look(replayed) === want}`);
console.log(
  `| ${N.toLocaleString()} | ${live.state.seq.toLocaleString()} | ${encodeMs.toFixed(0)} + ${stringifyMs.toFixed(0)} ms | ${(json.length / MiB).toFixed(0)} MiB | ${restoreMs.toFixed(0)} ms | ${replayMs.toFixed(0)} ms (${(logJson.length / MiB).toFixed(0)} MiB log) |`,
);
