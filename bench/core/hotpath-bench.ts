/**
 * Per-request cost of the "narrow" describes (issue #15, "no full-sandbox work on the hot path"):
 * each answers a handful of rows, so its cost should not grow with the sandbox. Run from the repo root:
 *
 *   node --import tsx bench/core/hotpath-bench.ts [--sizes 1000,10000] [--calls 300]
 *
 * For each size N: N instances (t3.micro, tags team/env/Name, one volume each), booted, a tag
 * `slot=k` on 200 of them; then each call below `--calls` times (paused clock, nothing changes
 * between calls except where noted) and its p50 in core. A figure that grows ~N× from 1,000 to
 * 10,000 is a scan.
 */
import { loadavg } from "node:os";
import { type CallContext, Sandbox } from "../../packages/core/src/index.ts";

const argv = process.argv.slice(2);
const opt = (n: string) => {
  const i = argv.indexOf(n);
  return i >= 0 ? argv[i + 1] : undefined;
};
const SIZES = (opt("--sizes") ?? "1000,10000").split(",").map(Number);
const CALLS = Number(opt("--calls") ?? 300);
const ctx: CallContext = { accountId: "111122223333", region: "us-east-1" };

function build(n: number) {
  const sb = new Sandbox({ seed: "bench", realNow: () => 0 });
  sb.createAccount({ accountId: ctx.accountId });
  const imgs = sb.call<{ Images: { ImageId: string; CreationDate: string }[] }>(ctx, "DescribeImages", {
    Owners: ["amazon"],
    Filters: [{ Name: "name", Values: ["al2023-ami-2023*-x86_64"] }],
  }).output.Images;
  const imageId = imgs.sort((a, b) => (a.CreationDate < b.CreationDate ? 1 : -1))[0]!.ImageId;
  const ids: string[] = [];
  for (let b = 0; b < n / 1000; b++) {
    const out = sb.call<{ Instances: { InstanceId: string }[] }>(ctx, "RunInstances", {
      ImageId: imageId,
      InstanceType: "t3.micro",
      MinCount: 1000,
      MaxCount: 1000,
      TagSpecifications: [{ ResourceType: "instance", Tags: [{ Key: "team", Value: `t${b % 3}` }] }],
    }).output;
    ids.push(...out.Instances.map((i) => i.InstanceId));
  }
  sb.advance(120_000);
  for (let k = 0; k < 200; k++)
    sb.call(ctx, "CreateTags", { Resources: [ids[k]!], Tags: [{ Key: "slot", Value: `${k}` }] });
  const first = sb.call<{ Reservations: { Instances: { VpcId: string; SubnetId: string }[] }[] }>(
    ctx,
    "DescribeInstances",
    { InstanceIds: [ids[0]!] },
  ).output.Reservations[0]!.Instances[0]!;
  return { sb, ids, imageId, vpcId: first.VpcId, subnetId: first.SubnetId };
}

const p50 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const results: Record<string, Record<number, string>> = {};
for (const n of SIZES) {
  const { sb, ids, imageId, vpcId, subnetId } = build(n);
  let r = 7;
  const any = () => ids[(r = (r * 1103515245 + 12345) & 0x7fffffff) % ids.length]!;
  const cases: [string, string, () => Record<string, unknown>][] = [
    ["DescribeInstances 3 IDs", "DescribeInstances", () => ({ InstanceIds: [any(), any(), any()] })],
    [
      "DescribeInstances instance-id filter",
      "DescribeInstances",
      () => ({ Filters: [{ Name: "instance-id", Values: [any()] }] }),
    ],
    [
      "DescribeInstances tag:slot=k",
      "DescribeInstances",
      () => ({ Filters: [{ Name: "tag:slot", Values: [String(r++ % 200)] }] }),
    ],
    [
      "DescribeInstances vpc-id, page 5",
      "DescribeInstances",
      () => ({ Filters: [{ Name: "vpc-id", Values: [vpcId] }], MaxResults: 5 }),
    ],
    [
      "DescribeInstances subnet-id (none match)",
      "DescribeInstances",
      () => ({ Filters: [{ Name: "subnet-id", Values: ["subnet-00000000000000000"] }] }),
    ],
    [
      "DescribeInstances image-id (none match)",
      "DescribeInstances",
      () => ({ Filters: [{ Name: "image-id", Values: ["ami-00000000000000000"] }] }),
    ],
    [
      "DescribeInstances vpc-id (none match)",
      "DescribeInstances",
      () => ({ Filters: [{ Name: "vpc-id", Values: ["vpc-00000000000000000"] }] }),
    ],
    ["DescribeImages by ID", "DescribeImages", () => ({ ImageIds: [imageId] })],
    [
      "DescribeVolumes attachment.instance-id",
      "DescribeVolumes",
      () => ({ Filters: [{ Name: "attachment.instance-id", Values: [any()] }] }),
    ],
    [
      "DescribeVolumes volume-id filter (none)",
      "DescribeVolumes",
      () => ({ Filters: [{ Name: "volume-id", Values: ["vol-00000000000000000"] }] }),
    ],
    ["DescribeTags resource-id", "DescribeTags", () => ({ Filters: [{ Name: "resource-id", Values: [any()] }] })],
    ["DescribeSnapshots self", "DescribeSnapshots", () => ({ OwnerIds: ["self"] })],
    ["DescribeAvailabilityZones", "DescribeAvailabilityZones", () => ({})],
    ["CreateTags one", "CreateTags", () => ({ Resources: [any()], Tags: [{ Key: "touched", Value: String(r) }] })],
  ];
  void subnetId;
  for (const [label, action, input] of cases) {
    for (let k = 0; k < 10; k++) sb.call(ctx, action, input());
    const xs: number[] = [];
    for (let k = 0; k < CALLS; k++) {
      const i = input();
      const t = performance.now();
      sb.call(ctx, action, i);
      xs.push(performance.now() - t);
    }
    (results[label] ??= {})[n] = p50(xs).toFixed(3);
  }
}
console.log(
  `load ${loadavg()
    .map((x) => x.toFixed(1))
    .join(" ")}; p50 ms in core, ${CALLS} calls each`,
);
console.log(["call", ...SIZES.map(String)].join(" | "));
for (const [label, row] of Object.entries(results)) console.log([label, ...SIZES.map((n) => row[n])].join(" | "));
