/**
 * The commands behind core-bench's replay section (bench/core/RESULTS.md §4), shared with
 * bench/store/million-load.ts so both fold the same event mix. Only types come from core: each
 * caller passes its own Sandbox (core-bench runs core's sources, million-load the built core the
 * server runs).
 */
import type { CallContext, Sandbox } from "../../packages/core/src/index.ts";

export const TEAMS = ["a", "b", "c"];
export const ENVS = ["prod", "staging", "dev"];

/** The newest Quick Start AL2023 x86_64 image id in the catalog. */
export function newestAl2023Id(sb: Sandbox, ctx: CallContext): string {
  const imgs = sb.call<{ Images: { ImageId: string; CreationDate: string }[] }>(ctx, "DescribeImages", {
    Owners: ["amazon"],
    Filters: [{ Name: "name", Values: ["al2023-ami-2023*-x86_64"] }],
  }).output.Images;
  const latest = imgs.sort((a, b) => (a.CreationDate < b.CreationDate ? 1 : -1))[0];
  if (!latest) throw new Error("no AL2023 image in the catalog");
  return latest.ImageId;
}

/** RunInstances of `count` with team/env/Name tags; batch `b` gets team TEAMS[b%3], env ENVS[(b/3|0)%3]. */
export function launch(sb: Sandbox, ctx: CallContext, imageId: string, batch: number, count: number): string[] {
  const out = sb.call<{ Instances: { InstanceId: string }[] }>(ctx, "RunInstances", {
    ImageId: imageId,
    InstanceType: "t3.micro",
    MinCount: count,
    MaxCount: count,
    TagSpecifications: [
      {
        ResourceType: "instance",
        Tags: [
          { Key: "team", Value: TEAMS[batch % 3]! },
          { Key: "env", Value: ENVS[Math.floor(batch / 3) % 3]! },
          { Key: "Name", Value: `web-${batch}` },
        ],
      },
    ],
  }).output;
  return out.Instances.map((i) => i.InstanceId);
}

/**
 * One cycle of the mix (~3,600 events, 628 commands): 20 launches of 25 (tags at launch), then
 * per instance: boot, CreateTags, a few DeleteTags, stop → stopped → start → running for half,
 * terminate → terminated → forgotten (after the hour). `after` is called after every command or
 * clock move (a caller that journals them takes each one's events as one append, as the server
 * does). Returns the next batch number.
 */
export function replayCycle(
  sb: Sandbox,
  ctx: CallContext,
  imageId: string,
  firstBatch: number,
  after: () => void = () => undefined,
): number {
  let batch = firstBatch;
  const step = <T>(fn: () => T): T => {
    const out = fn();
    after();
    return out;
  };
  const cycle: string[] = [];
  for (let k = 0; k < 20; k++) cycle.push(...step(() => launch(sb, ctx, imageId, batch++, 25)));
  step(() => sb.advance(60_000));
  for (let k = 0; k < cycle.length; k += 10) {
    const slice = cycle.slice(k, k + 10);
    for (const id of slice)
      step(() =>
        sb.call(ctx, "CreateTags", {
          Resources: [id],
          Tags: [
            { Key: "owner", Value: `u${k % 17}` },
            { Key: "cost-center", Value: `cc-${k % 5}` },
          ],
        }),
      );
    step(() => sb.call(ctx, "CreateTags", { Resources: slice, Tags: [{ Key: "wave", Value: String(batch) }] }));
    step(() => sb.call(ctx, "DeleteTags", { Resources: slice, Tags: [{ Key: "Name" }] }));
  }
  const half = cycle.filter((_, k) => k % 2 === 0);
  step(() => sb.call(ctx, "StopInstances", { InstanceIds: half }));
  step(() => sb.advance(60_000));
  step(() => sb.call(ctx, "StartInstances", { InstanceIds: half }));
  step(() => sb.advance(60_000));
  step(() => sb.call(ctx, "TerminateInstances", { InstanceIds: cycle }));
  step(() => sb.advance(30_000));
  step(() => sb.advance(3_700_000));
  return batch;
}
