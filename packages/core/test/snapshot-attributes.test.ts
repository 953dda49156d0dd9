/** Create-volume permissions on snapshots: ModifySnapshotAttribute and DescribeSnapshotAttribute. */
import { describe, expect, it } from "vitest";
import { B, ctx, expectEc2Error, sandbox } from "./r01-r13-helpers.ts";

describe("snapshot create-volume permissions", () => {
  it("the owner grants and revokes; DescribeSnapshotAttribute lists who may; the grantee sees the snapshot", () => {
    const sb = sandbox("snapshot-attributes", { accountId: B });
    const vol = sb.call(ctx(), "CreateVolume", { AvailabilityZone: "us-east-1a", Size: 1 }).output as {
      VolumeId: string;
    };
    const snap = sb.call(ctx(), "CreateSnapshot", { VolumeId: vol.VolumeId }).output as { SnapshotId: string };
    const attr = () =>
      sb.call(ctx(), "DescribeSnapshotAttribute", { SnapshotId: snap.SnapshotId, Attribute: "createVolumePermission" })
        .output;
    expect(attr()).toEqual({ SnapshotId: snap.SnapshotId, CreateVolumePermissions: [] });
    sb.call(ctx(), "ModifySnapshotAttribute", {
      SnapshotId: snap.SnapshotId,
      Attribute: "createVolumePermission",
      CreateVolumePermission: { Add: [{ UserId: B }] },
    });
    expect(attr()).toEqual({ SnapshotId: snap.SnapshotId, CreateVolumePermissions: [{ UserId: B }] });
    const seen = sb.call(ctx(B), "DescribeSnapshots", { RestorableByUserIds: [B] }).output as {
      Snapshots: { SnapshotId: string }[];
    };
    expect(seen.Snapshots.map((s) => s.SnapshotId)).toContain(snap.SnapshotId);
    // Only the owner reads the attribute; an unknown attribute is refused.
    expectEc2Error(
      () =>
        sb.call(ctx(B), "DescribeSnapshotAttribute", {
          SnapshotId: snap.SnapshotId,
          Attribute: "createVolumePermission",
        }),
      "InvalidSnapshot.NotFound",
    );
    expectEc2Error(
      () => sb.call(ctx(), "DescribeSnapshotAttribute", { SnapshotId: snap.SnapshotId, Attribute: "color" }),
      "InvalidParameterValue",
    );
    sb.call(ctx(), "ModifySnapshotAttribute", {
      SnapshotId: snap.SnapshotId,
      Attribute: "createVolumePermission",
      OperationType: "remove",
      UserIds: [B],
    });
    expect(attr()).toEqual({ SnapshotId: snap.SnapshotId, CreateVolumePermissions: [] });
  });
});
