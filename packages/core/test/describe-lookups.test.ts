/**
 * DescribeTags by `resource-id`, DescribeVolumes by one VolumeId or one `attachment.instance-id` and
 * DescribeInstances by one `vpc-id`, `subnet-id` or `image-id` find their rows by key instead of
 * walking the region (issue #15). The answers must be the ones the
 * walk gives: each is compared with the same question asked in a form that still walks (a second,
 * unknown ID beside the first), over a sandbox with two accounts, extra and detached volumes,
 * terminated instances, tagged snapshots, groups and interfaces.
 */
import { describe, expect, it } from "vitest";
import { Sandbox, snapshotState } from "../src/index.ts";
import { A, AL2023_X86, ami, B, ctx, sandbox } from "./r01-r13-helpers.ts";

function world() {
  const sb = sandbox("describe-lookups", { accountId: B });
  const image = ami(AL2023_X86);
  const out = <T>(c: ReturnType<typeof ctx>, action: string, input: Record<string, unknown>) =>
    sb.call(c, action, input).output as T;
  const run = (c: ReturnType<typeof ctx>, n: number) =>
    out<{ Instances: { InstanceId: string }[] }>(c, "RunInstances", {
      ImageId: image,
      InstanceType: "t3.micro",
      MinCount: n,
      MaxCount: n,
    }).Instances.map((i) => i.InstanceId);
  const mine = run(ctx(), 4);
  const theirs = run(ctx(B), 2);
  sb.advance(120_000);
  const az = (id: string) =>
    out<{ Reservations: { Instances: { Placement: { AvailabilityZone: string } }[] }[] }>(ctx(), "DescribeInstances", {
      InstanceIds: [id],
    }).Reservations[0]!.Instances[0]!.Placement.AvailabilityZone;
  const vol = (zone = "us-east-1a") =>
    out<{ VolumeId: string }>(ctx(), "CreateVolume", {
      AvailabilityZone: zone,
      Size: 1,
      TagSpecifications: [{ ResourceType: "volume", Tags: [{ Key: "k", Value: "v" }] }],
    }).VolumeId;
  const extra = [vol(az(mine[1]!)), vol(), vol()];
  sb.advance(10_000);
  // Two volumes on mine[1]: its root and one more.
  out(ctx(), "AttachVolume", { VolumeId: extra[0], InstanceId: mine[1], Device: "/dev/sdf" });
  const snap = out<{ SnapshotId: string }>(ctx(), "CreateSnapshot", {
    VolumeId: extra[1],
    TagSpecifications: [{ ResourceType: "snapshot", Tags: [{ Key: "s", Value: "1" }] }],
  }).SnapshotId;
  out(ctx(), "CreateTags", { Resources: [mine[0], mine[2], extra[2], snap], Tags: [{ Key: "team", Value: "a" }] });
  out(ctx(B), "CreateTags", { Resources: [theirs[0]], Tags: [{ Key: "team", Value: "b" }] });
  out(ctx(), "TerminateInstances", { InstanceIds: [mine[3]] });
  sb.advance(120_000);
  return { sb, out, mine, theirs, extra, snap, image };
}

const NONE_I = "i-00000000000000000";
const NONE_VOL = "vol-00000000000000000";

describe("describes found by key answer as the walk does", () => {
  const { sb, out, mine, theirs, extra, snap, image } = world();
  const ids = [...mine, ...theirs, ...extra, snap, NONE_I, NONE_VOL];

  it("DescribeTags by resource-id: one ID, several, with other filters, any account's resource", () => {
    const tags = (values: string[], more: object[] = []) =>
      out<{ Tags: unknown[] }>(ctx(), "DescribeTags", {
        Filters: [{ Name: "resource-id", Values: values }, ...more],
      }).Tags;
    const walk = (values: string[], more: object[] = []) => tags([...values, "eni-00000000000000000"], more);
    let rows = 0;
    for (const id of ids) {
      expect(tags([id])).toEqual(walk([id]));
      expect(tags([id], [{ Name: "key", Values: ["team"] }])).toEqual(walk([id], [{ Name: "key", Values: ["team"] }]));
      rows += tags([id]).length;
    }
    expect(rows).toBeGreaterThan(4);
    // Several IDs of one family and of several: listed in the walk's order, not the request's.
    const several = [snap, extra[2]!, mine[2]!, mine[0]!, theirs[0]!, NONE_I];
    expect(tags(several)).toEqual(walk(several));
    expect(tags([...several].reverse())).toEqual(walk(several));
    expect(tags(several).length).toBeGreaterThan(3);
  });

  it("DescribeInstances by one vpc-id, subnet-id or image-id, alone or with other filters, also after a restore", () => {
    type Answer = { Reservations: { Instances: { InstanceId: string; VpcId: string; SubnetId: string }[] }[] };
    const ask = (box: Sandbox, filters: { Name: string; Values: string[] }[], max?: number) =>
      (box.call(ctx(), "DescribeInstances", { Filters: filters, ...(max ? { MaxResults: max } : {}) }).output as Answer)
        .Reservations;
    const first = ask(sb, [])[0]!.Instances[0]!;
    const restored = Sandbox.fromSnapshot(JSON.parse(JSON.stringify(snapshotState(sb))), { realNow: () => 0 });
    const cases: [string, string][] = [
      ["vpc-id", first.VpcId],
      ["subnet-id", first.SubnetId],
      ["image-id", image],
      ["vpc-id", "vpc-00000000000000000"],
    ];
    let found = 0;
    for (const [name, value] of cases)
      for (const more of [
        [],
        [{ Name: "tag:team", Values: ["a"] }],
        [{ Name: "instance-state-name", Values: ["running"] }],
      ]) {
        const filters = [{ Name: name, Values: [value] }, ...more];
        const walk = ask(sb, [{ Name: name, Values: [value, `${name.split("-")[0]}-none`] }, ...more]);
        expect(ask(sb, filters)).toEqual(walk);
        expect(ask(restored, filters)).toEqual(walk);
        expect(ask(sb, filters, 5)).toEqual(ask(sb, [{ Name: name, Values: [value, "x"] }, ...more], 5));
        found += walk.length;
      }
    expect(found).toBeGreaterThan(3);
  });

  it("DescribeVolumes by one VolumeId and by one attachment.instance-id", () => {
    const vols = (input: Record<string, unknown>) =>
      out<{ Volumes: unknown[] }>(ctx(), "DescribeVolumes", input).Volumes;
    const byAttachment = (values: string[]) => vols({ Filters: [{ Name: "attachment.instance-id", Values: values }] });
    for (const id of [...mine, ...theirs, NONE_I]) expect(byAttachment([id])).toEqual(byAttachment([id, NONE_I]));
    expect(byAttachment([mine[0]!])).toHaveLength(1);
    expect(byAttachment([mine[1]!])).toHaveLength(2);
    expect(byAttachment([mine[3]!])).toHaveLength(0); // terminated: its root went with it
    for (const v of extra) {
      const one = vols({ VolumeIds: [v] });
      expect(one).toHaveLength(1);
      expect(one).toEqual(vols({ Filters: [{ Name: "volume-id", Values: [v] }] }));
      expect(vols({ VolumeIds: [v], Filters: [{ Name: "status", Values: ["creating"] }] })).toEqual([]);
    }
    const all = vols({}) as { VolumeId: string }[];
    const two = [all[2]!.VolumeId, all[0]!.VolumeId];
    expect((vols({ VolumeIds: two }) as { VolumeId: string }[]).map((v) => v.VolumeId)).toEqual([
      all[0]!.VolumeId,
      all[2]!.VolumeId,
    ]);
  });

  it("DescribeVolumes by an ID of another account's volume is still InvalidVolume.NotFound", () => {
    const { sb } = world();
    const theirsVol = (
      sb.call(ctx(B), "CreateVolume", { AvailabilityZone: "us-east-1a", Size: 1 }).output as {
        VolumeId: string;
      }
    ).VolumeId;
    expect(() => sb.call(ctx(A), "DescribeVolumes", { VolumeIds: [theirsVol] })).toThrow(/does not exist/);
  });
});
