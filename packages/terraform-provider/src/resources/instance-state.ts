// aws_ec2_instance_state: brings an instance to `running` or `stopped` (StartInstances /
// StopInstances with Force, then waits on the sandbox clock); deleting it leaves the instance as it
// is, as hashicorp/aws does. ID and import ID: the instance ID.
import type { ResourceContext } from "../framework/context.ts";
import type { ResourceImpl } from "../framework/provider.ts";
import type { Obj } from "../framework/values.ts";
import { aws_ec2_instance_state } from "../schemas/instance-state.ts";
import { nullIfNotFound } from "./common.ts";

async function instanceState(ctx: ResourceContext, id: string): Promise<string | null> {
  const ec2 = await ctx.ec2();
  const out = await nullIfNotFound(() => ec2.describeInstances({ InstanceIds: [id] }));
  const st = out?.Reservations?.[0]?.Instances?.[0]?.State?.Name;
  return st && st !== "terminated" ? st : null;
}

async function converge(ctx: ResourceContext, plan: Obj, timeoutMs: number): Promise<void> {
  const ec2 = await ctx.ec2();
  const id = String(plan.instance_id);
  const want = String(plan.state);
  // An instance between states settles first (stopping -> stopped, pending -> running).
  const settled = await ctx.waitFor(`EC2 Instance (${id}) to settle`, timeoutMs, async () => {
    const st = await instanceState(ctx, id);
    if (st === null) throw new Error(`EC2 Instance (${id}) not found`);
    return st === "pending" || st === "stopping" ? undefined : st;
  });
  if (settled !== want) {
    if (want === "running") await ec2.startInstances({ InstanceIds: [id] });
    else await ec2.stopInstances({ InstanceIds: [id], Force: plan.force === true });
  }
  await ctx.waitFor(`EC2 Instance (${id}) to be ${want}`, timeoutMs, async () =>
    (await instanceState(ctx, id)) === want ? true : undefined,
  );
}

export const awsEc2InstanceState: ResourceImpl = {
  schema: aws_ec2_instance_state,
  title: "EC2 Instance State",
  importState(id) {
    return { id, instance_id: id, force: false };
  },
  async create(ctx, plan) {
    await converge(ctx, plan, ctx.timeout("create"));
    return { id: String(plan.instance_id) };
  },
  async read(ctx, state) {
    const id = String(state.instance_id ?? state.id);
    const st = await instanceState(ctx, id);
    return st === null ? null : { id, instance_id: id, state: st };
  },
  async update(ctx, _prior, plan) {
    await converge(ctx, plan, ctx.timeout("update"));
  },
  async delete() {
    // hashicorp/aws only forgets it: the instance keeps the state it is in.
  },
};
