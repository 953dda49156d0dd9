/**
 * Types of each action's input and output as the AWS SDK declares them: `Ec2Input<"RunInstances">`
 * is `RunInstancesRequest`, `Ec2Output<"RunInstances">` is `Reservation`; likewise `IamInput`,
 * `StsInput`, `SsmInput` and their outputs for the other services core answers. Derived from the
 * pinned @aws-sdk/client-* command classes; types only. The action table holds every handler to
 * them (`ModelTyped` in sandbox.ts).
 */
import type * as Ec2 from "@aws-sdk/client-ec2";
import type * as Iam from "@aws-sdk/client-iam";
import type * as Ssm from "@aws-sdk/client-ssm";
import type * as Sts from "@aws-sdk/client-sts";

/** Every action name a client module has a command for (`DescribeImages`, `CreateRole`, …). */
type ActionOf<M> = { [K in keyof M]: K extends `${infer A}Command` ? A : never }[keyof M];

type CommandOf<M, A extends string> = M[`${A}Command` & keyof M] extends abstract new (
  ...args: never[]
) => unknown
  ? M[`${A}Command` & keyof M]
  : never;

/** The input a command's dispatch receives. */
type InputOf<C> = C extends abstract new (...args: infer P) => unknown ? NonNullable<P[0]> : never;

type HandlerOutputOf<C> = C extends abstract new (
  ...args: never[]
) => infer I
  ? I extends { resolveMiddleware: (...args: never[]) => (...args: never[]) => Promise<{ output: infer O }> }
    ? O
    : never
  : never;

/** The output a command's dispatch returns (without the SDK's `$metadata`). */
type OutputOf<C> = Omit<HandlerOutputOf<C>, "$metadata">;

type Ec2Commands = typeof Ec2;
export type Ec2Action = ActionOf<Ec2Commands>;
export type Ec2Input<A extends Ec2Action> = InputOf<CommandOf<Ec2Commands, A>>;
export type Ec2Output<A extends Ec2Action> = OutputOf<CommandOf<Ec2Commands, A>>;

type IamCommands = typeof Iam;
export type IamAction = ActionOf<IamCommands>;
export type IamInput<A extends IamAction> = InputOf<CommandOf<IamCommands, A>>;
export type IamOutput<A extends IamAction> = OutputOf<CommandOf<IamCommands, A>>;

type StsCommands = typeof Sts;
export type StsAction = ActionOf<StsCommands>;
export type StsInput<A extends StsAction> = InputOf<CommandOf<StsCommands, A>>;
export type StsOutput<A extends StsAction> = OutputOf<CommandOf<StsCommands, A>>;

type SsmCommands = typeof Ssm;
export type SsmAction = ActionOf<SsmCommands>;
export type SsmInput<A extends SsmAction> = InputOf<CommandOf<SsmCommands, A>>;
export type SsmOutput<A extends SsmAction> = OutputOf<CommandOf<SsmCommands, A>>;
