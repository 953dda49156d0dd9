/**
 * R12 (states, codes and simulated timings) and R13 (stopping only EBS-backed instances;
 * terminated instances), as DescribeInstances and the state-change answers show them.
 */
import { describe, expect, it } from "vitest";
import {
  AL2023_X86,
  ami,
  ctx,
  DEBIAN_INSTANCE_STORE,
  describeInstance,
  expectEc2Error,
  launch,
  ok,
  sandbox,
  sh,
  stateOf,
  waitFor,
} from "./r01-r13-helpers.ts";

const c = ctx();

describe("R12 states, codes and timings", () => {
  it("R12 an EBS-backed instance is pending (0) then running (16) within a minute", () => {
    const sb = sandbox();
    const { instanceId, state } = launch(sb, c, ami(AL2023_X86), "t3.micro");
    expect(state).toEqual({ Code: 0, Name: "pending" });
    expect(stateOf(sb, c, instanceId)).toEqual({ Code: 0, Name: "pending" });
    const launchTime = describeInstance(sb, c, instanceId).LaunchTime as Date;
    const took = waitFor(sb, c, instanceId, "running");
    expect(took).toBeGreaterThan(0);
    expect(took).toBeLessThan(60_000);
    expect(stateOf(sb, c, instanceId)).toEqual({ Code: 16, Name: "running" });
    expect((describeInstance(sb, c, instanceId).LaunchTime as Date).getTime()).toBe(launchTime.getTime());
    // Usable once running: the guest answers.
    expect(ok(sb, c, instanceId, "whoami")).toBe("ec2-user\n");
    // Several launches all boot in under a minute.
    for (let k = 0; k < 5; k++) {
      const id = launch(sb, c, ami(AL2023_X86), "m5.large").instanceId;
      expect(waitFor(sb, c, id, "running")).toBeLessThan(60_000);
    }
  });

  it("R12 an instance-store-backed instance boots in under 5 minutes, slower than an EBS-backed one", () => {
    const sb = sandbox();
    const ebs = launch(sb, c, ami(AL2023_X86), "m3.medium").instanceId;
    const store = launch(sb, c, ami(DEBIAN_INSTANCE_STORE), "m3.medium");
    expect(store.state).toEqual({ Code: 0, Name: "pending" });
    const ebsTook = waitFor(sb, c, ebs, "running");
    expect(stateOf(sb, c, store.instanceId).Name).toBe("pending");
    // While pending, the guest is not reachable.
    expectEc2Error(() => sh(sb, c, store.instanceId, "whoami"), "SshConnectionClosed", /pending/);
    const storeTook = ebsTook + waitFor(sb, c, store.instanceId, "running");
    expect(storeTook).toBeGreaterThan(ebsTook);
    expect(storeTook).toBeLessThan(5 * 60_000);
    expect(stateOf(sb, c, store.instanceId)).toEqual({ Code: 16, Name: "running" });
    expect(describeInstance(sb, c, store.instanceId).RootDeviceType).toBe("instance-store");
    expect(ok(sb, c, store.instanceId, "whoami")).toBe("admin\n");
    // Instance-store-backed AMIs need a type that boots an instance-store root: instance storage (m5d) is not enough.
    expectEc2Error(() => launch(sb, c, ami(DEBIAN_INSTANCE_STORE), "t3.micro"), "InvalidParameterCombination");
    expectEc2Error(
      () => launch(sb, c, ami(DEBIAN_INSTANCE_STORE), "m5d.large"),
      "InvalidParameterCombination",
      /'m5d\.large' does not support instance-store-backed AMIs; instance types that do: m1\.\* \(e\.g\. m1\.small\), m3\.\* \(e\.g\. m3\.medium\), c3\.\*/,
    );
  });

  it("R12 stop: stopping (64) then stopped (80); start: pending (0) then running (16) quickly; terminate: shutting-down (32) then terminated (48)", () => {
    const sb = sandbox();
    const { instanceId: id } = launch(sb, c, ami(AL2023_X86), "t3.micro");
    waitFor(sb, c, id, "running");
    const codes = new Map<string, number>([
      ["pending", 0],
      ["running", 16],
    ]);

    const stop = sb.call(c, "StopInstances", { InstanceIds: [id] }).output.StoppingInstances[0];
    expect(stop).toEqual({
      InstanceId: id,
      CurrentState: { Code: 64, Name: "stopping" },
      PreviousState: { Code: 16, Name: "running" },
    });
    expect(stateOf(sb, c, id)).toEqual({ Code: 64, Name: "stopping" });
    const stopTook = waitFor(sb, c, id, "stopped");
    expect(stopTook).toBeGreaterThan(0);
    expect(stateOf(sb, c, id)).toEqual({ Code: 80, Name: "stopped" });
    // Stopping again is a no-op that reports the state.
    expect(sb.call(c, "StopInstances", { InstanceIds: [id] }).output.StoppingInstances[0].CurrentState).toEqual({
      Code: 80,
      Name: "stopped",
    });

    const start = sb.call(c, "StartInstances", { InstanceIds: [id] }).output.StartingInstances[0];
    expect(start).toEqual({
      InstanceId: id,
      CurrentState: { Code: 0, Name: "pending" },
      PreviousState: { Code: 80, Name: "stopped" },
    });
    const restartTook = waitFor(sb, c, id, "running");
    expect(restartTook).toBeGreaterThan(0);
    expect(restartTook).toBeLessThan(30_000);
    expect(stateOf(sb, c, id)).toEqual({ Code: 16, Name: "running" });

    const term = sb.call(c, "TerminateInstances", { InstanceIds: [id] }).output.TerminatingInstances[0];
    expect(term).toEqual({
      InstanceId: id,
      CurrentState: { Code: 32, Name: "shutting-down" },
      PreviousState: { Code: 16, Name: "running" },
    });
    const termTook = waitFor(sb, c, id, "terminated");
    expect(termTook).toBeGreaterThan(0);
    expect(stateOf(sb, c, id)).toEqual({ Code: 48, Name: "terminated" });
    for (const [n, code] of [
      ["stopping", 64],
      ["stopped", 80],
      ["shutting-down", 32],
      ["terminated", 48],
    ] as const)
      codes.set(n, code);
    expect(Object.fromEntries(codes)).toEqual({
      pending: 0,
      running: 16,
      stopping: 64,
      stopped: 80,
      "shutting-down": 32,
      terminated: 48,
    });
    // The state-code filter matches the codes.
    expect(
      sb.call(c, "DescribeInstances", { Filters: [{ Name: "instance-state-code", Values: ["48"] }] }).output
        .Reservations[0].Instances[0].InstanceId,
    ).toBe(id);
  });

  it("R12 a restart sets a new launch time; time only moves when the clock is advanced", () => {
    const sb = sandbox();
    const { instanceId: id } = launch(sb, c, ami(AL2023_X86), "t3.micro");
    const t0 = sb.now;
    // Paused clock: asking many times does not move time, the instance stays pending.
    for (let k = 0; k < 20; k++) expect(stateOf(sb, c, id).Name).toBe("pending");
    expect(sb.now).toBe(t0);
    waitFor(sb, c, id, "running");
    const firstLaunch = (describeInstance(sb, c, id).LaunchTime as Date).getTime();
    expect(firstLaunch).toBe(t0);
    sb.call(c, "StopInstances", { InstanceIds: [id] });
    waitFor(sb, c, id, "stopped");
    sb.advance(600_000);
    const restartAt = sb.now;
    sb.call(c, "StartInstances", { InstanceIds: [id] });
    waitFor(sb, c, id, "running");
    expect((describeInstance(sb, c, id).LaunchTime as Date).getTime()).toBe(restartAt);
  });
});

describe("R13 stopping and terminated instances", () => {
  it("R13 stopping an instance-store-backed instance fails with UnsupportedOperation; it stays running", () => {
    const sb = sandbox();
    const { instanceId: id } = launch(sb, c, ami(DEBIAN_INSTANCE_STORE), "c3.large");
    waitFor(sb, c, id, "running");
    expectEc2Error(
      () => sb.call(c, "StopInstances", { InstanceIds: [id] }),
      "UnsupportedOperation",
      `The instance '${id}' does not have an 'ebs' root device type and cannot be stopped.`,
    );
    expectEc2Error(() => sb.call(c, "StopInstances", { InstanceIds: [id], Force: true }), "UnsupportedOperation");
    expect(stateOf(sb, c, id)).toEqual({ Code: 16, Name: "running" });
    // A mixed request is refused whole: the EBS-backed instance in it is not stopped either.
    const ebs = launch(sb, c, ami(AL2023_X86), "t3.micro").instanceId;
    waitFor(sb, c, ebs, "running");
    expectEc2Error(() => sb.call(c, "StopInstances", { InstanceIds: [ebs, id] }), "UnsupportedOperation");
    expect(stateOf(sb, c, ebs).Name).toBe("running");
    // Such an instance is running or terminated: a shutdown from inside terminates it.
    sh(sb, c, id, "sudo shutdown -h now");
    expect(stateOf(sb, c, id)).toEqual({ Code: 32, Name: "shutting-down" });
    waitFor(sb, c, id, "terminated");
    expect(stateOf(sb, c, id)).toEqual({ Code: 48, Name: "terminated" });
  });

  it("R13 a terminated instance cannot be started (IncorrectInstanceState)", () => {
    const sb = sandbox();
    const { instanceId: id } = launch(sb, c, ami(AL2023_X86), "t3.micro");
    waitFor(sb, c, id, "running");
    sb.call(c, "TerminateInstances", { InstanceIds: [id] });
    expectEc2Error(
      () => sb.call(c, "StartInstances", { InstanceIds: [id] }),
      "IncorrectInstanceState",
      new RegExp(`'${id}' is not in a state from which it can be started. Current state: shutting-down`),
    );
    waitFor(sb, c, id, "terminated");
    expectEc2Error(
      () => sb.call(c, "StartInstances", { InstanceIds: [id] }),
      "IncorrectInstanceState",
      `The instance '${id}' is not in a state from which it can be started. Current state: terminated`,
    );
    expectEc2Error(() => sb.call(c, "StopInstances", { InstanceIds: [id] }), "IncorrectInstanceState");
    expectEc2Error(() => sb.call(c, "RebootInstances", { InstanceIds: [id] }), "IncorrectInstanceState");
    // Terminating again is harmless.
    expect(sb.call(c, "TerminateInstances", { InstanceIds: [id] }).output.TerminatingInstances[0]).toEqual({
      InstanceId: id,
      CurrentState: { Code: 48, Name: "terminated" },
      PreviousState: { Code: 48, Name: "terminated" },
    });
    expect(stateOf(sb, c, id).Name).toBe("terminated");
    // A stopping EBS-backed instance cannot be started until it has stopped.
    const other = launch(sb, c, ami(AL2023_X86), "t3.micro").instanceId;
    waitFor(sb, c, other, "running");
    sb.call(c, "StopInstances", { InstanceIds: [other] });
    expectEc2Error(
      () => sb.call(c, "StartInstances", { InstanceIds: [other] }),
      "IncorrectInstanceState",
      /Current state: stopping/,
    );
  });

  it("R13 a terminated instance stays visible for a while, then disappears", () => {
    const sb = sandbox();
    const { instanceId: id } = launch(sb, c, ami(AL2023_X86), "t3.micro");
    const keep = launch(sb, c, ami(AL2023_X86), "t3.micro").instanceId;
    waitFor(sb, c, id, "running");
    sb.call(c, "TerminateInstances", { InstanceIds: [id] });
    waitFor(sb, c, id, "terminated");
    const terminated = (filter: string[]) =>
      sb
        .call(c, "DescribeInstances", { Filters: [{ Name: "instance-state-name", Values: filter }] })
        .output.Reservations.flatMap((r: { Instances: { InstanceId: string }[] }) =>
          r.Instances.map((i) => i.InstanceId),
        );
    expect(terminated(["terminated"])).toEqual([id]);
    sb.advance(30 * 60_000);
    expect(stateOf(sb, c, id)).toEqual({ Code: 48, Name: "terminated" });
    expect(terminated(["terminated"])).toEqual([id]);
    sb.advance(2 * 3_600_000);
    expect(terminated(["terminated"])).toEqual([]);
    expectEc2Error(
      () => sb.call(c, "DescribeInstances", { InstanceIds: [id] }),
      "InvalidInstanceID.NotFound",
      `The instance ID '${id}' does not exist`,
    );
    expect(
      sb
        .call(c, "DescribeInstances", {})
        .output.Reservations.flatMap((r: { Instances: { InstanceId: string }[] }) =>
          r.Instances.map((i) => i.InstanceId),
        ),
    ).toEqual([keep]);
    // The bill still has its run.
    expect(sb.costReport().lines.some((l) => l.resourceId === id && l.kind === "instance")).toBe(true);
  });
});
