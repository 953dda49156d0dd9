/**
 * Types of each action's input and output as the AWS SDK declares them: `Ec2Input<"RunInstances">`
 * is `RunInstancesRequest`, `Ec2Output<"RunInstances">` is `Reservation`. Derived from the pinned
 * @aws-sdk/client-ec2's command classes; types only. The action table holds every EC2 handler to
 * them (sandbox.ts).
 */
import type * as Ec2 from "@aws-sdk/client-ec2";

type Commands = typeof Ec2;
type CommandName<A extends string> = `${A}Command`;
type CommandOf<A extends Ec2Action> = Commands[CommandName<A>] extends abstract new (
  ...args: never[]
) => unknown
  ? Commands[CommandName<A>]
  : never;

/** Every action name the SDK has a command for (`DescribeImages`, `RunInstances`, …). */
export type Ec2Action = {
  [K in keyof Commands]: K extends `${infer A}Command` ? A : never;
}[keyof Commands];

/** The input an action's dispatch receives. */
export type Ec2Input<A extends Ec2Action> = NonNullable<ConstructorParameters<CommandOf<A>>[0]>;

type HandlerOutputOf<C> = C extends abstract new (
  ...args: never[]
) => infer I
  ? I extends { resolveMiddleware: (...args: never[]) => (...args: never[]) => Promise<{ output: infer O }> }
    ? O
    : never
  : never;

/** The output an action's dispatch returns (without the SDK's `$metadata`). */
export type Ec2Output<A extends Ec2Action> = Omit<HandlerOutputOf<CommandOf<A>>, "$metadata">;
