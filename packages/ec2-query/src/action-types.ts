/** The SDK's input and output types of each EC2 action (defined in core, whose action table they type). */
export type { Ec2Action, Ec2Input, Ec2Output } from "@ec2sim/core";
