// aws_spot_instance_request against EC2's RequestSpotInstances, as hashicorp/aws manages it: one
// instance per request (count does the rest), the request's own tags, wait_for_fulfillment, the
// instance's attributes read into the request's state; destroy cancels the request and terminates
// its instance. The sandbox fulfils a request at once and never interrupts it (core's spot.ts).
import type { RequestSpotInstancesCommandInput, SpotInstanceRequest } from "@aws-sdk/client-ec2";
import { isNotFound, type ResourceContext } from "../framework/context.ts";
import { isUnknown } from "../framework/msgpack.ts";
import type { ResourceImpl } from "../framework/provider.ts";
import type { Obj } from "../framework/values.ts";
import { aws_spot_instance_request } from "../schemas/spot-instance-requests.ts";
import { iso, n, nullIfNotFound, s, tagSpecs, tagsAll, tagsFromApi, updateTags } from "./common.ts";
import { findInstance, flattenInstance, instanceValidate, runInstancesInput, waitState } from "./instances.ts";

/** Go's zero time in RFC 3339: what hashicorp/aws stores for a request without ValidFrom/ValidUntil. */
const ZERO_TIME = "0001-01-01T00:00:00Z";

/** The request, or null when EC2 no longer knows it or it is over (cancelled, closed), as hashicorp/aws finds it. */
async function findRequest(ctx: ResourceContext, id: string): Promise<SpotInstanceRequest | null> {
  const ec2 = await ctx.ec2();
  const out = await nullIfNotFound(() => ec2.describeSpotInstanceRequests({ SpotInstanceRequestIds: [id] }));
  const r = out?.SpotInstanceRequests?.find((x) => x.SpotInstanceRequestId === id);
  if (!r || r.State === "cancelled" || r.State === "closed") return null;
  return r;
}

/** What hashicorp/aws reads back from a request's instance (its readInstance); the rest stays as planned. */
const READ_FROM_INSTANCE = new Set([
  "associate_public_ip_address",
  "ebs_block_device",
  "ephemeral_block_device",
  "ipv6_address_count",
  "ipv6_addresses",
  "password_data",
  "primary_network_interface_id",
  "private_dns",
  "private_ip",
  "public_dns",
  "public_ip",
  "root_block_device",
  "security_groups",
  "source_dest_check",
  "subnet_id",
  "vpc_security_group_ids",
]);

const unset = (v: unknown) => v === null || v === undefined || isUnknown(v) || (Array.isArray(v) && v.length === 0);

async function flattenRequest(ctx: ResourceContext, r: SpotInstanceRequest, state: Obj): Promise<Obj> {
  const instance: Obj = {};
  if (r.InstanceId) {
    const found = await findInstance(ctx, r.InstanceId);
    if (found) {
      const flat = await flattenInstance(ctx, found.inst, found.owner, state);
      for (const [k, v] of Object.entries(flat)) {
        if (["instance_lifecycle", "instance_market_options", "spot_instance_request_id", "tags"].includes(k)) continue;
        // Arguments the request was given (metadata_options, cpu_options, …) keep their planned value,
        // as in hashicorp/aws, which never reads them back; what was left unset gets the instance's.
        instance[k] = READ_FROM_INSTANCE.has(k) || unset(state[k]) ? v : state[k];
      }
    }
  }
  const ami = s(state.ami)?.startsWith("resolve:ssm:") ? state.ami : (r.LaunchSpecification?.ImageId ?? null);
  return {
    ...instance,
    id: r.SpotInstanceRequestId,
    ami,
    instance_type: r.LaunchSpecification?.InstanceType ?? instance.instance_type ?? null,
    key_name: r.LaunchSpecification?.KeyName ?? "",
    spot_bid_status: r.Status?.Code ?? "",
    spot_instance_id: r.InstanceId ?? "",
    spot_request_state: r.State ?? "",
    launch_group: r.LaunchGroup ?? "",
    block_duration_minutes: r.BlockDurationMinutes ?? 0,
    instance_interruption_behavior: r.InstanceInterruptionBehavior ?? "terminate",
    valid_from: iso(r.ValidFrom) ?? ZERO_TIME,
    valid_until: iso(r.ValidUntil) ?? ZERO_TIME,
    spot_type: r.Type ?? "persistent",
    spot_price: r.SpotPrice ?? "",
    // The request's own tags (the instance's are its own: modules tag it with aws_ec2_tag).
    tags: tagsFromApi(ctx, r.Tags, state),
  };
}

export const awsSpotInstanceRequest: ResourceImpl = {
  schema: aws_spot_instance_request,
  title: "EC2 Spot Instance Request",
  partial:
    "fulfilled at once (no Spot capacity or price to wait for), never interrupted; a valid_from ahead is refused",
  validate: instanceValidate,
  modifyPlan({ prior, plan, config }) {
    // hashicorp/aws compares prices as numbers: "0.05" and "0.050" are the same bid.
    if (prior && typeof config.spot_price === "string" && Number(config.spot_price) === Number(prior.spot_price))
      plan.spot_price = prior.spot_price;
  },
  async create(ctx, plan) {
    const ec2 = await ctx.ec2();
    const run = await runInstancesInput(ctx, plan);
    const behavior = s(plan.instance_interruption_behavior) ?? "terminate";
    const input: RequestSpotInstancesCommandInput = {
      ClientToken: run.ClientToken,
      InstanceCount: 1,
      InstanceInterruptionBehavior: behavior as never,
      LaunchSpecification: {
        BlockDeviceMappings: run.BlockDeviceMappings,
        EbsOptimized: run.EbsOptimized,
        Monitoring: run.Monitoring,
        IamInstanceProfile: run.IamInstanceProfile,
        ImageId: run.ImageId,
        InstanceType: run.InstanceType,
        KeyName: run.KeyName,
        SecurityGroupIds: run.SecurityGroupIds,
        SecurityGroups: run.SecurityGroups,
        SubnetId: run.SubnetId,
        UserData: run.UserData,
        NetworkInterfaces: run.NetworkInterfaces,
        // Placement group names go only with the terminate behaviour, as hashicorp/aws sends them.
        ...(behavior === "terminate" ? { Placement: run.Placement } : {}),
      },
      SpotPrice: s(plan.spot_price),
      Type: (s(plan.spot_type) ?? "persistent") as never,
      BlockDurationMinutes: n(plan.block_duration_minutes) || undefined,
      LaunchGroup: s(plan.launch_group),
      ValidFrom: s(plan.valid_from) ? new Date(String(plan.valid_from)) : undefined,
      ValidUntil: s(plan.valid_until) ? new Date(String(plan.valid_until)) : undefined,
      TagSpecifications: tagSpecs("spot-instances-request", tagsAll(plan)),
    };
    const out = await ec2.requestSpotInstances(input);
    const id = out.SpotInstanceRequests?.[0]?.SpotInstanceRequestId;
    if (!id) throw new Error("RequestSpotInstances returned no request");
    ctx.partial = { id };
    if (plan.wait_for_fulfillment === true) {
      await ctx.waitFor(`EC2 Spot Instance Request (${id}) to be fulfilled`, ctx.timeout("create"), async () => {
        const r = await findRequest(ctx, id);
        return r?.State === "active" && r.Status?.Code === "fulfilled" && r.InstanceId ? r : undefined;
      });
    }
    const r = await findRequest(ctx, id);
    if (!r) throw new Error(`EC2 Spot Instance Request (${id}) not found after creation`);
    if (r.InstanceId) await waitState(ctx, r.InstanceId, ["running"], ctx.timeout("create"));
    return flattenRequest(ctx, r, plan);
  },
  async read(ctx, state) {
    const r = await findRequest(ctx, String(state.id));
    return r ? flattenRequest(ctx, r, state) : null;
  },
  async update(ctx, prior, plan) {
    // Tags only: everything else replaces the request.
    await updateTags(ctx, String(prior.id), prior, plan);
    const r = await findRequest(ctx, String(prior.id));
    return r ? flattenRequest(ctx, r, plan) : undefined;
  },
  async delete(ctx, state) {
    const ec2 = await ctx.ec2();
    try {
      await ec2.cancelSpotInstanceRequests({ SpotInstanceRequestIds: [String(state.id)] });
    } catch (err) {
      if (isNotFound(err)) return;
      throw err;
    }
    const instanceId = s(state.spot_instance_id);
    if (!instanceId) return;
    try {
      await ec2.terminateInstances({ InstanceIds: [instanceId] });
    } catch (err) {
      if (isNotFound(err)) return;
      throw err;
    }
    await waitState(ctx, instanceId, ["terminated"], ctx.timeout("delete"), true);
  },
};
