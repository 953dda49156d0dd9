import * as ec2 from "@aws-sdk/client-ec2";
import { NormalizedSchema } from "@smithy/core/schema";
const op = (ec2 as any).DescribeImages$;
console.log(op);
const ns = NormalizedSchema.of(op[4] ?? op.input);
for (const [n, m] of ns.structIterator()) console.log(n, m.getMergedTraits());
const ns2 = NormalizedSchema.of((ec2 as any).CreateVolume$[4]);
for (const [n, m] of ns2.structIterator()) console.log(n, m.getMergedTraits());
