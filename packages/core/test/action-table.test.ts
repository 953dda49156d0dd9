/**
 * The action table is held to the official model by the compiler (sandbox.ts: `ModelTyped`): every
 * EC2 handler takes its action's SDK request and answers its SDK result. The type assertions below
 * are checked by `tsc` (npm test type-checks every test file); the runtime part checks that the
 * table is what the sandbox dispatches.
 */
import { describe, expect, expectTypeOf, it } from "vitest";
import { ACTIONS, type Ec2Input, type ModelTyped, Sandbox } from "../src/index.ts";
import type { Tx } from "../src/tx.ts";

describe("the action table is typed by the model", () => {
  it("a handler answering the wrong shape, or wanting more than the request has, does not type-check", () => {
    const wrongAnswer = { DescribeRegions: (_tx: Tx, _input: object) => ({ Regions: 5 }) };
    // @ts-expect-error DescribeRegions answers Regions: Region[], not a number
    const a: ModelTyped<typeof wrongAnswer> = wrongAnswer;
    const wrongInput = { RebootInstances: (_tx: Tx, _input: { InstanceIds: number[] }) => ({}) };
    // @ts-expect-error RebootInstances' request carries InstanceIds as strings
    const b: ModelTyped<typeof wrongInput> = wrongInput;
    const right = { RebootInstances: (_tx: Tx, input: Ec2Input<"RebootInstances">) => ({ ids: input.InstanceIds }) };
    const c: ModelTyped<typeof right> = right;
    expectTypeOf(c.RebootInstances).parameter(1).toEqualTypeOf<Ec2Input<"RebootInstances">>();
    expect([a, b, c].every((x) => typeof x === "object")).toBe(true);
  });

  it("the sandbox dispatches through that table", () => {
    for (const action of ["RunInstances", "DescribeImages", "CreateVpc", "iam:CreateRole", "ssm:GetParameter"])
      expect([action, Sandbox.hasAction(action), typeof ACTIONS[action]]).toEqual([action, true, "function"]);
  });
});
