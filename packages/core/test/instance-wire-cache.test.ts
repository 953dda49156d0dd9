/**
 * DescribeInstances' instances are kept between changes, per instance (issue #15): after each step
 * of a varied script, the live sandbox's answer (kept shapes where nothing changed) must equal the
 * answer of the same sandbox rebuilt from a snapshot (every shape built anew).
 */
import { describe, expect, it } from "vitest";
import { Sandbox, snapshotState } from "../src/index.ts";
import { ME, OTHER, REGION } from "./network-world.ts";
import { variedInstances } from "./varied-instances.ts";

describe("instance shapes kept between changes", () => {
  it("answer as a freshly built sandbox does after every step", () => {
    const { sb, steps } = variedInstances();
    const describeAll = (s: Sandbox, accountId: string) =>
      s.call({ accountId, region: REGION }, "DescribeInstances", {}).output;
    let checked = 0;
    for (const [name, step] of steps) {
      // Described before the step, so the step has kept shapes to go stale.
      describeAll(sb, ME);
      step();
      const fresh = Sandbox.fromSnapshot(snapshotState(sb.state), { realNow: () => 0 });
      for (const account of [ME, OTHER]) {
        expect(describeAll(sb, account), `after "${name}"`).toEqual(describeAll(fresh, account));
      }
      checked++;
    }
    expect(checked).toBe(steps.length);
  });

  it("keep an instance's shape while other instances change, and build it anew when it changes", () => {
    const { sb, steps } = variedInstances();
    for (const [, step] of steps.slice(0, 7)) step();
    const one = (id?: string) =>
      (
        sb.call({ accountId: ME, region: REGION }, "DescribeInstances", id ? { InstanceIds: [id] } : {}).output as {
          Reservations: { Instances: { InstanceId: string }[] }[];
        }
      ).Reservations.flatMap((r) => r.Instances);
    const [a, b] = one();
    expect(Object.isFrozen(a)).toBe(true);
    sb.call({ accountId: ME, region: REGION }, "CreateTags", {
      Resources: [b!.InstanceId],
      Tags: [{ Key: "x", Value: "y" }],
    });
    expect(one(a!.InstanceId)[0]).toBe(a);
    expect(one(b!.InstanceId)[0]).not.toBe(b);
  });
});
