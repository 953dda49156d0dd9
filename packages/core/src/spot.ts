/**
 * Spot Instances launched through RunInstances (`InstanceMarketOptions.MarketType = spot`): each
 * instance gets a Spot Instance request (`sir-…`) fulfilled at once, reports
 * `InstanceLifecycle: spot` and its `SpotInstanceRequestId`, and is listed by
 * DescribeSpotInstanceRequests (active while it lives, closed when terminated; cancelling the request
 * leaves the instance running, as EC2 does). One-time Spot Instances cannot be stopped.
 *
 * Price: EC2 charges the Spot price in effect, which never exceeds the On-Demand price nor the
 * request's maximum price. The sandbox has no Spot price history (AWS publishes it only through its
 * live API), so it charges that guaranteed upper bound — min(On-Demand price, MaxPrice) — and says
 * so. Interruptions (capacity reclaimed, price above the maximum) are not simulated.
 */
import type { InstanceMarketOptionsRequest, SpotInstanceRequest } from "@aws-sdk/client-ec2";
import type { Ec2Input } from "./action-types.ts";
import { Ec2Error, errors } from "./errors.ts";
import type { Filter } from "./filters.ts";
import { compileFilters, paginate } from "./filters.ts";
import { launchInstances, type RunInstancesInput } from "./instances.ts";
import type { Instance, SpotRequest, Tags } from "./model.ts";
import { tagsFor, toTagSet } from "./tags.ts";
import type { Tx } from "./tx.ts";

/** What a request made with RequestSpotInstances adds to the one its launch records. */
export type SpotRequestExtras = Pick<SpotRequest, "launchGroup" | "availabilityZoneGroup" | "validFrom">;

const SPOT_TYPES = ["one-time", "persistent"] as const;
const BEHAVIORS = ["terminate", "stop", "hibernate"] as const;

/**
 * The Spot request a launch asks for (without its ID), or undefined for On-Demand. Validates as EC2
 * does: market type, request type, interruption behaviour (stop/hibernate need a persistent request),
 * a maximum price that is a positive number.
 */
export function spotRequestFor(
  tx: Tx,
  options: InstanceMarketOptionsRequest | undefined,
  onDemandHourly: number,
): Omit<SpotRequest, "requestId"> | undefined {
  if (!options?.MarketType) {
    if (options?.SpotOptions)
      throw new Ec2Error("MissingParameter", "The request must contain the parameter InstanceMarketOptions.MarketType");
    return undefined;
  }
  if (options.MarketType === "capacity-block")
    throw new Ec2Error("UnsupportedOperation", "Capacity Blocks are not supported by this sandbox.");
  if (options.MarketType !== "spot")
    throw new Ec2Error(
      "InvalidParameterValue",
      `Value (${options.MarketType}) for parameter InstanceMarketOptions.MarketType is invalid.`,
    );
  const o = options.SpotOptions ?? {};
  const spotInstanceType = (o.SpotInstanceType ?? "one-time") as SpotRequest["spotInstanceType"];
  if (!SPOT_TYPES.includes(spotInstanceType))
    throw new Ec2Error(
      "InvalidParameterValue",
      `Value (${o.SpotInstanceType}) for parameter SpotInstanceType is invalid.`,
    );
  const interruptionBehavior = (o.InstanceInterruptionBehavior ?? "terminate") as SpotRequest["interruptionBehavior"];
  if (!BEHAVIORS.includes(interruptionBehavior))
    throw new Ec2Error(
      "InvalidParameterValue",
      `Value (${o.InstanceInterruptionBehavior}) for parameter InstanceInterruptionBehavior is invalid.`,
    );
  if (interruptionBehavior !== "terminate" && spotInstanceType === "one-time")
    throw new Ec2Error(
      "InvalidParameterCombination",
      `The interruption behavior '${interruptionBehavior}' is only supported for persistent Spot Instance requests.`,
    );
  if (o.BlockDurationMinutes !== undefined)
    throw new Ec2Error(
      "InvalidParameterValue",
      "Spot Instances with a defined duration (Spot blocks) are no longer supported.",
    );
  let max: number | undefined;
  if (o.MaxPrice !== undefined) {
    max = Number(o.MaxPrice);
    if (!Number.isFinite(max) || max <= 0)
      throw new Ec2Error("InvalidParameterValue", `Value (${o.MaxPrice}) for parameter MaxPrice is invalid.`);
  }
  const validUntil = o.ValidUntil === undefined ? undefined : new Date(o.ValidUntil).getTime();
  return {
    spotInstanceType,
    interruptionBehavior,
    ...(o.MaxPrice !== undefined ? { maxPrice: o.MaxPrice } : {}),
    ...(validUntil !== undefined ? { validUntil } : {}),
    hourlyPrice: max === undefined ? onDemandHourly : Math.min(max, onDemandHourly),
    createTime: tx.now,
  };
}

/** A Spot request ID as EC2 writes them: `sir-` and 8 characters. */
export function newSpotRequestId(tx: Tx): string {
  return `sir-${tx.newId("spotInstanceRequest").slice(4, 12)}`;
}

/** EC2 refuses to stop an instance of a one-time request. */
export function assertStoppable(i: Instance): void {
  if (i.spot?.spotInstanceType === "one-time")
    throw new Ec2Error(
      "UnsupportedOperation",
      `You can't stop the Spot Instance '${i.instanceId}' because it is associated with a one-time Spot Instance request. You can only stop Spot Instances associated with persistent Spot Instance requests.`,
    );
}

function stateOf(i: Instance, spot: SpotRequest): Pick<SpotInstanceRequest, "State" | "Status"> {
  const gone = i.state === "terminated" || i.state === "shutting-down";
  const at = new Date(spot.cancelledAt ?? i.terminatedAt ?? spot.createTime);
  if (spot.cancelledAt !== undefined)
    return gone
      ? {
          State: "cancelled",
          Status: { Code: "instance-terminated-by-user", Message: "Spot Instance terminated by user.", UpdateTime: at },
        }
      : {
          State: "cancelled",
          Status: {
            Code: "request-canceled-and-instance-running",
            Message: "Spot Instance request canceled by user, but the Spot Instance is still running.",
            UpdateTime: at,
          },
        };
  if (gone)
    return {
      State: "closed",
      Status: { Code: "instance-terminated-by-user", Message: "Spot Instance terminated by user.", UpdateTime: at },
    };
  return {
    State: "active",
    Status: { Code: "fulfilled", Message: "Your Spot request is fulfilled.", UpdateTime: new Date(spot.createTime) },
  };
}

function toEc2SpotRequest(i: Instance, spot: SpotRequest): SpotInstanceRequest {
  return {
    SpotInstanceRequestId: spot.requestId,
    SpotPrice: spot.maxPrice ?? String(i.spot ? i.spot.hourlyPrice : 0),
    Type: spot.spotInstanceType,
    ...stateOf(i, spot),
    InstanceId: i.instanceId,
    LaunchedAvailabilityZone: i.availabilityZone,
    CreateTime: new Date(spot.createTime),
    ProductDescription: "Linux/UNIX",
    InstanceInterruptionBehavior: spot.interruptionBehavior,
    ...(spot.validUntil !== undefined ? { ValidUntil: new Date(spot.validUntil) } : {}),
    ...(spot.validFrom !== undefined ? { ValidFrom: new Date(spot.validFrom) } : {}),
    ...(spot.launchGroup ? { LaunchGroup: spot.launchGroup } : {}),
    ...(spot.availabilityZoneGroup ? { AvailabilityZoneGroup: spot.availabilityZoneGroup } : {}),
    LaunchSpecification: {
      ImageId: i.imageId,
      InstanceType: i.instanceType as never,
      ...(i.keyName ? { KeyName: i.keyName } : {}),
      Placement: { AvailabilityZone: i.availabilityZone },
      SubnetId: i.subnetId,
      SecurityGroups: i.securityGroupIds.map((GroupId) => ({ GroupId })),
    },
    Tags: toTagSet(spotTags(spot)) ?? [],
  };
}

/**
 * A request's tags. Requests folded before requests had tags (an older state snapshot) get an empty
 * map the first time they are asked, so CreateTags works on them too.
 */
export function spotTags(spot: SpotRequest): Tags {
  if (!spot.tags) spot.tags = new Map();
  return spot.tags;
}

/** The instance whose launch fulfilled a Spot request, by request ID. */
export function findSpotRequest(instances: Iterable<Instance>, requestId: string): Instance | undefined {
  for (const i of instances) if (i.spot?.requestId === requestId) return i;
  return undefined;
}

function spotInstances(tx: Tx): Instance[] {
  return [...tx.region.instancesByOwner.get(tx.ctx.accountId)]
    .map((id) => tx.region.instances.get(id)!)
    .filter((i) => i?.spot);
}

/**
 * RequestSpotInstances: the launch specification becomes a RunInstances Spot launch (the same
 * validation, placement and bill), one request per instance, each fulfilled at once — the sandbox
 * has no Spot capacity or price to wait for — so the answer is already `active`/`fulfilled` with its
 * instance. A request whose ValidFrom lies ahead would have to wait, which the sandbox does not
 * model: it is refused, saying so. A persistent request is fulfilled the same way; it is not
 * re-opened when its instance is terminated or interrupted (interruptions are not simulated).
 */
function requestSpotInstances(tx: Tx, input: Ec2Input<"RequestSpotInstances">) {
  const spec = input.LaunchSpecification;
  if (!spec?.ImageId) throw errors.missingParameter("LaunchSpecification.ImageId");
  const count = input.InstanceCount ?? 1;
  if (!Number.isInteger(count) || count < 1)
    throw new Ec2Error("InvalidParameterValue", `Value (${count}) for parameter instanceCount is invalid.`);
  const requestTags = tagsFor(input.TagSpecifications, "spot-instances-request", ["spot-instances-request"]);
  const validFrom = input.ValidFrom === undefined ? undefined : new Date(input.ValidFrom).getTime();
  if (validFrom !== undefined && validFrom > tx.now)
    throw new Ec2Error(
      "UnsupportedOperation",
      "This sandbox fulfils Spot Instance requests at once: a ValidFrom in the future is not supported.",
    );
  const validUntil = input.ValidUntil === undefined ? undefined : new Date(input.ValidUntil).getTime();
  if (validUntil !== undefined && validUntil <= tx.now)
    throw new Ec2Error("InvalidParameterValue", "The ValidUntil date must be in the future.");
  const launch: RunInstancesInput = {
    ImageId: spec.ImageId,
    InstanceType: spec.InstanceType,
    MinCount: count,
    MaxCount: count,
    KeyName: spec.KeyName,
    SecurityGroupIds: spec.SecurityGroupIds,
    SecurityGroups: spec.SecurityGroups,
    SubnetId: spec.SubnetId,
    ...(spec.Placement ? { Placement: spec.Placement } : {}),
    BlockDeviceMappings: spec.BlockDeviceMappings,
    UserData: spec.UserData,
    EbsOptimized: spec.EbsOptimized,
    ...(spec.Monitoring ? { Monitoring: spec.Monitoring } : {}),
    KernelId: spec.KernelId,
    RamdiskId: spec.RamdiskId,
    IamInstanceProfile: spec.IamInstanceProfile,
    NetworkInterfaces: spec.NetworkInterfaces,
    InstanceMarketOptions: {
      MarketType: "spot",
      SpotOptions: {
        ...(input.SpotPrice ? { MaxPrice: input.SpotPrice } : {}),
        SpotInstanceType: input.Type ?? "one-time",
        InstanceInterruptionBehavior: input.InstanceInterruptionBehavior,
        ...(input.BlockDurationMinutes !== undefined ? { BlockDurationMinutes: input.BlockDurationMinutes } : {}),
        ...(validUntil !== undefined ? { ValidUntil: new Date(validUntil) } : {}),
      },
    },
  };
  const out = launchInstances(tx, launch, {
    ...(input.LaunchGroup ? { launchGroup: input.LaunchGroup } : {}),
    ...(input.AvailabilityZoneGroup ? { availabilityZoneGroup: input.AvailabilityZoneGroup } : {}),
    ...(validFrom !== undefined ? { validFrom } : {}),
  });
  const launched = (out.Instances ?? []).map((x) => tx.region.instances.get(x.InstanceId!)!);
  if (requestTags.length)
    tx.emit({
      type: "TagsCreated",
      region: tx.ctx.region,
      resourceIds: launched.map((i) => i.spot!.requestId),
      tags: requestTags,
    });
  return { SpotInstanceRequests: launched.map((i) => toEc2SpotRequest(i, i.spot!)) };
}

export const spotActions = {
  RequestSpotInstances: requestSpotInstances,
  DescribeSpotInstanceRequests(
    tx: Tx,
    input: { SpotInstanceRequestIds?: string[]; Filters?: Filter[]; MaxResults?: number; NextToken?: string },
  ) {
    const mine = spotInstances(tx);
    for (const id of input.SpotInstanceRequestIds ?? [])
      if (!mine.some((i) => i.spot!.requestId === id))
        throw new Ec2Error(
          "InvalidSpotInstanceRequestID.NotFound",
          `The spot instance request ID '${id}' does not exist`,
        );
    // Tag filters (tag:KEY, tag-key, tag-value) ask about the request's tags, not its instance's.
    type Row = { i: Instance; tags: Tags };
    const match = compileFilters<Row>(input.Filters, {
      "spot-instance-request-id": ({ i }) => i.spot!.requestId,
      "instance-id": ({ i }) => i.instanceId,
      state: ({ i }) => stateOf(i, i.spot!).State,
      "status-code": ({ i }) => stateOf(i, i.spot!).Status?.Code,
      type: ({ i }) => i.spot!.spotInstanceType,
      "launch-group": ({ i }) => i.spot!.launchGroup,
      "launched-availability-zone": ({ i }) => i.availabilityZone,
      "launch.instance-type": ({ i }) => i.instanceType,
      "launch.image-id": ({ i }) => i.imageId,
    });
    const rows = mine
      .filter((i) => !input.SpotInstanceRequestIds?.length || input.SpotInstanceRequestIds.includes(i.spot!.requestId))
      .filter((i) => match({ i, tags: spotTags(i.spot!) }))
      .map((i) => toEc2SpotRequest(i, i.spot!));
    const { page, nextToken } = paginate(rows, input, { min: 5, max: 1000 }, "spot");
    return { SpotInstanceRequests: page, NextToken: nextToken };
  },

  CancelSpotInstanceRequests(tx: Tx, input: { SpotInstanceRequestIds?: string[] }) {
    if (!input.SpotInstanceRequestIds?.length)
      throw new Ec2Error("MissingParameter", "The request must contain the parameter SpotInstanceRequestId");
    const mine = spotInstances(tx);
    const found = input.SpotInstanceRequestIds.map((id) => {
      const i = mine.find((x) => x.spot!.requestId === id);
      if (!i)
        throw new Ec2Error(
          "InvalidSpotInstanceRequestID.NotFound",
          `The spot instance request ID '${id}' does not exist`,
        );
      return i;
    });
    const open = found.filter((i) => i.spot!.cancelledAt === undefined && i.state !== "terminated");
    if (open.length)
      tx.emit({
        type: "SpotInstanceRequestsCancelled",
        region: tx.ctx.region,
        instanceIds: open.map((i) => i.instanceId),
      });
    return {
      CancelledSpotInstanceRequests: found.map((i) => ({
        SpotInstanceRequestId: i.spot!.requestId,
        State: (i.state === "terminated" ? "closed" : "cancelled") as "closed" | "cancelled",
      })),
    };
  },
};

/** Folds SpotInstanceRequestsCancelled: the requests stop; their instances keep running. */
export function applySpotCancelled(instances: Map<string, Instance>, e: { instanceIds: string[] }, at: number): void {
  for (const id of e.instanceIds) {
    const i = instances.get(id);
    if (i?.spot) i.spot = { ...i.spot, cancelledAt: at };
  }
}

/** The Spot facts DescribeInstances shows. */
export function spotFieldsOf(i: Instance): { InstanceLifecycle?: "spot"; SpotInstanceRequestId?: string } {
  return i.spot ? { InstanceLifecycle: "spot", SpotInstanceRequestId: i.spot.requestId } : {};
}
