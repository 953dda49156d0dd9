/**
 * AttachVolume refuses a volume that is not `available` with the error EC2 gives for its state:
 * `IncorrectState` while it is still being created, `VolumeInUse` once it is attached.
 */
import { describe, it } from "vitest";
import { AL2023_X86, ami, ctx, expectEc2Error, launch, sandbox, waitFor } from "./r01-r13-helpers.ts";

describe("AttachVolume and the volume's state", () => {
  it("a volume still creating is not 'available' (IncorrectState); an attached one is in use (VolumeInUse)", () => {
    const sb = sandbox("attach-states");
    const c = ctx();
    const { instanceId } = launch(sb, c, ami(AL2023_X86), "t3.micro", {
      Placement: { AvailabilityZone: "us-east-1a" },
    });
    waitFor(sb, c, instanceId, "running");
    const other = launch(sb, c, ami(AL2023_X86), "t3.micro", { Placement: { AvailabilityZone: "us-east-1a" } });
    waitFor(sb, c, other.instanceId, "running");
    const vol = sb.call(c, "CreateVolume", { AvailabilityZone: "us-east-1a", Size: 8 }).output.VolumeId as string;
    const attach = (InstanceId: string, Device: string) =>
      sb.call(c, "AttachVolume", { VolumeId: vol, InstanceId, Device });

    expectEc2Error(() => attach(instanceId, "/dev/sdf"), "IncorrectState", `${vol} is not 'available'.`);
    sb.advance(60_000);
    attach(instanceId, "/dev/sdf");
    expectEc2Error(
      () => attach(other.instanceId, "/dev/sdg"),
      "VolumeInUse",
      `${vol} is already attached to an instance`,
    );
  });
});
