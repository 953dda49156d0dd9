/**
 * MaxResults and NextToken as EC2 pages its lists: the bounds of each operation (the EC2 API
 * reference), the lists where EC2 caps a larger MaxResults instead of refusing it (what AWS CLI v2
 * sends to describe-volumes and describe-snapshots by default: 1000), and every row once across pages.
 */
import { describe, expect, it } from "vitest";
import type { Sandbox } from "../src/index.ts";
import { ctx, expectEc2Error, sandbox } from "./r01-r13-helpers.ts";

/** Every page of `action` asked with `max`; returns the pages' sizes and the rows' keys. */
function pages(sb: Sandbox, action: string, list: string, key: string, max: number) {
  const sizes: number[] = [];
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const out = sb.call(ctx(), action, { MaxResults: max, ...(token ? { NextToken: token } : {}) }).output as Record<
      string,
      unknown
    >;
    const rows = out[list] as Record<string, string>[];
    sizes.push(rows.length);
    keys.push(...rows.map((r) => r[key]!));
    token = out.NextToken as string | undefined;
  } while (token);
  return { sizes, keys };
}

function volumes(sb: Sandbox, count: number): string[] {
  const ids: string[] = [];
  for (let i = 0; i < count; i++)
    ids.push(
      (sb.call(ctx(), "CreateVolume", { AvailabilityZone: "us-east-1a", Size: 1 }).output as { VolumeId: string })
        .VolumeId,
    );
  return ids;
}

describe("paging", () => {
  it("DescribeVolumes takes MaxResults=1000 (AWS CLI v2's default) and answers at most 500 a page", () => {
    const sb = sandbox("paging-volumes");
    const ids = volumes(sb, 503);
    const { sizes, keys } = pages(sb, "DescribeVolumes", "Volumes", "VolumeId", 1000);
    expect(sizes).toEqual([500, 3]);
    expect(keys.sort()).toEqual([...ids].sort());
    // Below the floor is still refused, with EC2's words.
    expectEc2Error(
      () => sb.call(ctx(), "DescribeVolumes", { MaxResults: 4 }),
      "InvalidParameterValue",
      "Value ( 4 ) for parameter maxResults is invalid. Expecting a value between 5 and 500.",
    );
  });

  it("DescribeSnapshots --owner-ids self takes MaxResults above 1000 and answers at most 1000 a page", () => {
    const sb = sandbox("paging-snapshots");
    const [vol] = volumes(sb, 1);
    const ids: string[] = [];
    for (let i = 0; i < 1002; i++)
      ids.push((sb.call(ctx(), "CreateSnapshot", { VolumeId: vol }).output as { SnapshotId: string }).SnapshotId);
    const sizes: number[] = [];
    const seen: string[] = [];
    let token: string | undefined;
    do {
      const out = sb.call(ctx(), "DescribeSnapshots", { OwnerIds: ["self"], MaxResults: 5000, NextToken: token })
        .output as { Snapshots: { SnapshotId: string }[]; NextToken?: string };
      sizes.push(out.Snapshots.length);
      seen.push(...out.Snapshots.map((s) => s.SnapshotId));
      token = out.NextToken;
    } while (token);
    expect(sizes).toEqual([1000, 2]);
    expect(seen.sort()).toEqual(ids.sort());
  });

  it("DescribeVolumeStatus and DescribeVolumesModifications cap too; DescribeInstances refuses above 1000", () => {
    const sb = sandbox("paging-status");
    const ids = volumes(sb, 7);
    for (const id of ids.slice(0, 6)) sb.call(ctx(), "ModifyVolume", { VolumeId: id, Size: 2 });
    expect(pages(sb, "DescribeVolumeStatus", "VolumeStatuses", "VolumeId", 5000).keys.sort()).toEqual([...ids].sort());
    const mods = pages(sb, "DescribeVolumesModifications", "VolumesModifications", "VolumeId", 5);
    expect(mods.sizes).toEqual([5, 1]);
    expect(mods.keys.sort()).toEqual(ids.slice(0, 6).sort());
    expectEc2Error(
      () => sb.call(ctx(), "DescribeInstances", { MaxResults: 1001 }),
      "InvalidParameterValue",
      "Value ( 1001 ) for parameter maxResults is invalid. Expecting a value between 5 and 1000.",
    );
    expectEc2Error(
      () => sb.call(ctx(), "DescribeInstanceTypes", { MaxResults: 1000 }),
      "InvalidParameterValue",
      "Value ( 1000 ) for parameter maxResults is invalid. Expecting a value between 5 and 100.",
    );
  });
});
