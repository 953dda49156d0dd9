/**
 * R22, R23: forgotten instances and deleted volumes and snapshots stay on the bill, kept as the few
 * fields their cost lines read (model.ts `Billed*`), not as whole records. The bill is the one the
 * whole records gave: format1-dead.json.gz holds the dead-resources story as the previous version
 * (f0439b5, snapshot format 1, whole records) folded it — its events, its state snapshot and its bill.
 */
import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import {
  type CostReport,
  type EventEnvelope,
  Sandbox,
  type SandboxSnapshot,
  SNAPSHOT_FORMAT,
  snapshotState,
} from "../src/index.ts";
import { DEAD_SEED, deadResourcesStory } from "./dead-resources-story.ts";
import { A, AL2023_X86, ami, ctx, sandbox } from "./r01-r13-helpers.ts";
import { canonical } from "./snapshot-canonical.ts";

type Any = any;

const old = JSON.parse(
  gunzipSync(readFileSync(new URL("./fixtures/format1-dead.json.gz", import.meta.url))).toString(),
) as {
  events: EventEnvelope[];
  snapshot: SandboxSnapshot;
  bill: CostReport;
};
const opts = { realNow: () => 0 };
const jsonRoundTrip = (s: SandboxSnapshot) => JSON.parse(JSON.stringify(s)) as SandboxSnapshot;

/** IDs a user can still describe (the rest of the bill's resources are dead). */
function listed(sb: Sandbox): Set<string> {
  const out = new Set<string>();
  for (const r of sb.state.regions.values())
    for (const m of [r.instances, r.volumes, r.snapshots]) for (const id of m.keys()) out.add(id);
  return out;
}

describe("R22 R23: dead resources on the bill", () => {
  it("R22 R23: the fixture's bill holds forgotten instances (Marketplace, Spot, public IPs, two runs) and deleted volumes and snapshots", () => {
    const restored = Sandbox.fromSnapshot(jsonRoundTrip(old.snapshot), opts);
    const alive = listed(restored);
    const dead = old.bill.lines.filter((l) => !alive.has(l.resourceId));
    const kinds = new Set(dead.map((l) => l.kind));
    expect([...kinds].sort()).toEqual(["ebs", "instance", "ipv4", "snapshot", "software"]);
    expect(new Set(dead.filter((l) => l.kind === "instance").map((l) => l.resourceId)).size).toBe(6);
    expect(dead.some((l) => l.detail.includes("incremental on"))).toBe(true);
    expect(dead.some((l) => l.detail.includes(", "))).toBe(true); // two runs: a stop and a start
  });

  it("R22 R23: a format 1 snapshot (whole records) restores and bills exactly as the version that wrote it", () => {
    expect(old.snapshot.format).toBe(1);
    const restored = Sandbox.fromSnapshot(jsonRoundTrip(old.snapshot), opts);
    expect(restored.costReport()).toEqual(old.bill);
    // and keeps billing the same as the events replayed, a day on
    const replayed = Sandbox.replay(old.events, { seed: DEAD_SEED, ...opts });
    restored.advance(86_400_000);
    replayed.advance(86_400_000);
    expect(restored.costReport()).toEqual(replayed.costReport());
  });

  it("R22 R23 R1: replay, the live story and the old snapshot restored keep the same compact state and the whole records' bill", () => {
    const replayed = Sandbox.replay(old.events, { seed: DEAD_SEED, ...opts });
    const { sb: live } = deadResourcesStory();
    const restored = Sandbox.fromSnapshot(jsonRoundTrip(old.snapshot), opts);
    expect(replayed.costReport()).toEqual(old.bill);
    expect(live.costReport()).toEqual(old.bill);
    const want = canonical(snapshotState(live));
    expect(canonical(snapshotState(replayed))).toEqual(want);
    expect(canonical(snapshotState(restored))).toEqual(want);
  });

  it("R22 R23 R1: after the old snapshot is restored, commands (also naming dead resources) answer and bill as on the live story", () => {
    const { sb: live } = deadResourcesStory();
    const restored = Sandbox.fromSnapshot(jsonRoundTrip(old.snapshot), opts);
    const dead = (kind: string) => {
      const alive = listed(live);
      return old.bill.lines.find((l) => l.kind === kind && l.accountId === A && !alive.has(l.resourceId))!.resourceId;
    };
    const [deadInstance, deadVolume] = [dead("instance"), dead("ebs")];
    const outcome = (sb: Sandbox, action: string, input: Record<string, unknown>): unknown => {
      try {
        return sb.call(ctx(), action, input).output;
      } catch (e) {
        return { code: (e as { code?: string }).code };
      }
    };
    const more = (sb: Sandbox): unknown[] => {
      const out: unknown[] = [
        outcome(sb, "CreateTags", { Resources: [deadInstance], Tags: [{ Key: "k", Value: "v" }] }),
        outcome(sb, "TerminateInstances", { InstanceIds: [deadInstance] }),
        outcome(sb, "DeleteVolume", { VolumeId: deadVolume }),
      ];
      const run = outcome(sb, "RunInstances", {
        ImageId: ami(AL2023_X86),
        InstanceType: "t3.small",
        MinCount: 2,
        MaxCount: 2,
      }) as Any;
      out.push(run);
      sb.advance(20 * 60_000);
      out.push(outcome(sb, "TerminateInstances", { InstanceIds: [run.Instances[0].InstanceId] }));
      sb.advance(2 * 3_600_000); // the terminated one is forgotten: on the bill only
      out.push(outcome(sb, "DescribeInstances", {}));
      return out;
    };
    const answers = more(live);
    expect(answers.slice(0, 3)).toEqual([
      { code: "InvalidInstanceID.NotFound" },
      { code: "InvalidInstanceID.NotFound" },
      { code: "InvalidVolume.NotFound" },
    ]);
    expect(more(restored)).toEqual(answers);
    expect(restored.costReport()).toEqual(live.costReport());
    expect(canonical(snapshotState(restored))).toEqual(canonical(snapshotState(live)));
  });

  it(`R22 R23: a format ${SNAPSHOT_FORMAT} snapshot round trip bills the same, now and a day on`, () => {
    const { sb: live } = deadResourcesStory();
    const snap = jsonRoundTrip(snapshotState(live));
    expect(snap.format).toBe(SNAPSHOT_FORMAT);
    const restored = Sandbox.fromSnapshot(snap, opts);
    expect(restored.costReport()).toEqual(old.bill);
    expect(restored.costReport(A)).toEqual(live.costReport(A));
    live.advance(86_400_000);
    restored.advance(86_400_000);
    expect(restored.costReport()).toEqual(live.costReport());
    expect(canonical(snapshotState(restored))).toEqual(canonical(snapshotState(live)));
  });

  it("R22: a forgotten instance and its deleted root volume cost a few hundred bytes of snapshot, no file layer", () => {
    const sb = sandbox("dead-size");
    const size = () => JSON.stringify(snapshotState(sb)).length;
    const before = size();
    const run = sb.call(ctx(), "RunInstances", {
      ImageId: ami(AL2023_X86),
      InstanceType: "t3.micro",
      MinCount: 200,
      MaxCount: 200,
      TagSpecifications: [{ ResourceType: "instance", Tags: [{ Key: "team", Value: "batch" }] }],
    }).output as Any;
    sb.advance(10 * 60_000);
    const ids = run.Instances.map((i: Any) => i.InstanceId);
    const bill = sb.costReport();
    sb.call(ctx(), "TerminateInstances", { InstanceIds: ids });
    sb.advance(2 * 3_600_000);
    expect((sb.call(ctx(), "DescribeInstances", {}).output as Any).Reservations).toEqual([]);
    // Still on the bill: each instance's usage, IPv4 and root volume, as they were billed at termination.
    const lines = sb.costReport().lines;
    expect(lines.filter((l) => l.kind === "instance").length).toBe(200);
    expect(lines.filter((l) => l.kind === "ebs").length).toBe(200);
    expect(bill.lines.length).toBe(lines.length);
    const snap = snapshotState(sb);
    expect(snap.layers).toEqual([]);
    // Whole records with their layers were ~2 KB each (bench/store/RESULTS.md).
    expect((size() - before) / 200).toBeLessThan(400);
  });
});
