/**
 * A diff taken while an instance is still pending (right after RunInstances) must not compare a
 * guest whose user data has not run: cloud-init runs it when the first boot ends. The sandbox
 * reader leaves such a guest out and says so; once the instance runs, its guest is compared.
 */
import { diffInventories, readSandboxState } from "@ec2sim/cdktf-bridge";
import { Sandbox } from "@ec2sim/core";
import { describe, expect, it } from "vitest";
import { ACCOUNT } from "./harness.ts";
import { newestImage } from "./newest-image.ts";

type Json = Record<string, any>;
const USER_DATA = Buffer.from(
  "#cloud-config\npackages:\n  - nginx\nwrite_files:\n  - path: /opt/app/app.conf\n    content: port=8080\n",
).toString("base64");

function launched(seed: string): { sb: Sandbox; id: string } {
  const sb = new Sandbox({ seed, realNow: () => 0 });
  sb.createAccount({ accountId: ACCOUNT });
  const call = (action: string, input: Json) =>
    sb.call({ accountId: ACCOUNT, region: "us-east-1" }, action, input).output as Json;
  const base: Json = newestImage(
    call("DescribeImages", {
      Owners: ["amazon"],
      Filters: [{ Name: "name", Values: ["al2023-ami-2023.*-kernel-6.1-x86_64"] }],
    }).Images,
  );
  const id = call("RunInstances", {
    ImageId: base.ImageId,
    InstanceType: "t3.micro",
    MinCount: 1,
    MaxCount: 1,
    UserData: USER_DATA,
    TagSpecifications: [{ ResourceType: "instance", Tags: [{ Key: "Name", Value: "app" }] }],
  }).Instances[0].InstanceId as string;
  return { sb, id };
}

const read = (sb: Sandbox, source: string) => readSandboxState(sb.state, { accountId: ACCOUNT, source });
const instanceOf = (inv: ReturnType<typeof read>) => inv.resources.find((r) => r.type === "aws_instance")!;

describe("a pending instance's guest", () => {
  it("is not compared until cloud-init has run (a warning says so); then it is", () => {
    const running = launched("pending-a");
    running.sb.advance(60_000);
    expect(instanceOf(read(running.sb, "sandbox:A")).attrs.guest_files).toEqual([
      expect.stringMatching(/^\/opt\/app\/app\.conf sha256:/),
    ]);
    const pending = launched("pending-b");
    expect(pending.sb.state.regions.get("us-east-1")!.instances.get(pending.id)!.state).toBe("pending");
    const early = read(pending.sb, "sandbox:B");
    expect(instanceOf(early).attrs).not.toHaveProperty("guest_files");
    expect(instanceOf(early).attrs).not.toHaveProperty("guest_packages");
    expect(early.warnings).toEqual([
      `us-east-1: ${pending.id} is still pending: its user data has not run yet, so its guest files and packages are not compared (wait until it is running)`,
    ]);
    const d = diffInventories(read(running.sb, "sandbox:A"), early);
    expect(d.changes.map((c) => [c.address, c.action])).toEqual([["aws_instance.app", "no-op"]]);
    expect(d.warnings).toEqual([`sandbox:B: ${early.warnings[0]}`]);
    // Booted: the guest is there and compared, with nothing to report.
    pending.sb.advance(60_000);
    const late = read(pending.sb, "sandbox:B");
    expect(late.warnings).toEqual([]);
    expect(instanceOf(late).attrs.guest_files).toEqual(instanceOf(read(running.sb, "sandbox:A")).attrs.guest_files);
    expect(instanceOf(late).attrs.guest_packages).toEqual(["nginx"]);
    const after = diffInventories(read(running.sb, "sandbox:A"), late);
    expect(after.changes.map((c) => c.action)).toEqual(["no-op"]);
    // And a guest that differs once both have booted shows.
    pending.sb.call({ accountId: ACCOUNT, region: "us-east-1" }, "GuestRun", {
      InstanceId: pending.id,
      Command: "echo 'port=9090' | sudo tee /opt/app/app.conf > /dev/null",
    });
    const changed = diffInventories(read(running.sb, "sandbox:A"), read(pending.sb, "sandbox:B"));
    expect(changed.changes.map((c) => c.action)).toEqual(["update"]);
  });
});
