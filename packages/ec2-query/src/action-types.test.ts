import type { Image, Reservation, RunInstancesRequest } from "@aws-sdk/client-ec2";
import { describe, expectTypeOf, it } from "vitest";
import type { Ec2Action, Ec2Input, Ec2Output } from "./action-types.ts";

describe("action types", () => {
  it("map action names to the SDK's request and result types", () => {
    expectTypeOf<Ec2Input<"RunInstances">>().not.toBeAny();
    expectTypeOf<Ec2Output<"RunInstances">>().not.toBeAny();
    expectTypeOf<Ec2Input<"RunInstances">>().toEqualTypeOf<RunInstancesRequest>();
    expectTypeOf<Ec2Output<"RunInstances">>().toEqualTypeOf<Omit<Reservation, never>>();
    expectTypeOf<Ec2Output<"DescribeImages">["Images"]>().toEqualTypeOf<Image[] | undefined>();
    expectTypeOf<"DescribeImages">().toMatchTypeOf<Ec2Action>();
    expectTypeOf<"LaunchRocket">().not.toMatchTypeOf<Ec2Action>();
  });
});
