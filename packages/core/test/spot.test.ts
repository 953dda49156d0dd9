/**
 * Spot Instances through RunInstances' InstanceMarketOptions and RequestSpotInstances: the instance's
 * lifecycle and request, DescribeSpotInstanceRequests/CancelSpotInstanceRequests, request tags, what
 * cannot be stopped, EC2's validation, the bill (the upper bound EC2 guarantees: min(On-Demand,
 * MaxPrice)), and replay.
 */
import { describe, expect, it } from "vitest";
import { type EventEnvelope, Sandbox } from "../src/index.ts";
import { AL2023_X86, ami, ctx, expectEc2Error, sandbox } from "./r01-r13-helpers.ts";

type Run = { Instances: { InstanceId: string; InstanceLifecycle?: string; SpotInstanceRequestId?: string }[] };
type Requests = {
  SpotInstanceRequests: {
    SpotInstanceRequestId: string;
    State: string;
    Status: { Code: string };
    InstanceId: string;
  }[];
};

const run = (sb: Sandbox, extra: object = {}) =>
  (
    sb.call(ctx(), "RunInstances", {
      ImageId: ami(AL2023_X86),
      InstanceType: "t3.micro",
      MinCount: 1,
      MaxCount: 1,
      ...extra,
    }).output as Run
  ).Instances[0]!;

const spot = (options: object = {}) => ({ InstanceMarketOptions: { MarketType: "spot", SpotOptions: options } });

const requests = (sb: Sandbox, ids?: string[]) =>
  (sb.call(ctx(), "DescribeSpotInstanceRequests", ids ? { SpotInstanceRequestIds: ids } : {}).output as Requests)
    .SpotInstanceRequests;

describe("Spot Instances", () => {
  it("a Spot launch reports its lifecycle and request; the request is active and fulfilled", () => {
    const sb = sandbox("spot-lifecycle");
    const onDemand = run(sb);
    const i = run(sb, spot());
    expect(onDemand.InstanceLifecycle).toBeUndefined();
    expect(i.InstanceLifecycle).toBe("spot");
    expect(i.SpotInstanceRequestId).toMatch(/^sir-[0-9a-f]{8}$/);
    const [r] = requests(sb);
    expect(r).toMatchObject({
      SpotInstanceRequestId: i.SpotInstanceRequestId,
      InstanceId: i.InstanceId,
      State: "active",
      Status: { Code: "fulfilled" },
      Type: "one-time",
      InstanceInterruptionBehavior: "terminate",
      ProductDescription: "Linux/UNIX",
    });
    const described = sb.call(ctx(), "DescribeInstances", { InstanceIds: [i.InstanceId] }).output as {
      Reservations: { Instances: { InstanceLifecycle?: string; SpotInstanceRequestId?: string }[] }[];
    };
    expect(described.Reservations[0]!.Instances[0]).toMatchObject({
      InstanceLifecycle: "spot",
      SpotInstanceRequestId: i.SpotInstanceRequestId,
    });
    expectEc2Error(
      () => sb.call(ctx(), "DescribeSpotInstanceRequests", { SpotInstanceRequestIds: ["sir-00000000"] }),
      "InvalidSpotInstanceRequestID.NotFound",
    );
  });

  it("a one-time Spot Instance cannot be stopped; a persistent one with interruption behavior stop can", () => {
    const sb = sandbox("spot-stop");
    const once = run(sb, spot());
    const kept = run(sb, spot({ SpotInstanceType: "persistent", InstanceInterruptionBehavior: "stop" }));
    sb.advance(120_000);
    expectEc2Error(() => sb.call(ctx(), "StopInstances", { InstanceIds: [once.InstanceId] }), "UnsupportedOperation");
    sb.call(ctx(), "StopInstances", { InstanceIds: [kept.InstanceId] });
    expectEc2Error(
      () => run(sb, spot({ InstanceInterruptionBehavior: "stop" })),
      "InvalidParameterCombination",
      /only supported for persistent Spot Instance requests/,
    );
    expectEc2Error(() => run(sb, { InstanceMarketOptions: { MarketType: "capacity-block" } }), "UnsupportedOperation");
    expectEc2Error(() => run(sb, spot({ MaxPrice: "cheap" })), "InvalidParameterValue");
  });

  it("cancelling leaves the instance running; terminating closes the request", () => {
    const sb = sandbox("spot-cancel");
    const a = run(sb, spot());
    const b = run(sb, spot());
    sb.advance(120_000);
    const out = sb.call(ctx(), "CancelSpotInstanceRequests", { SpotInstanceRequestIds: [a.SpotInstanceRequestId] })
      .output as { CancelledSpotInstanceRequests: { State: string }[] };
    expect(out.CancelledSpotInstanceRequests).toEqual([
      { SpotInstanceRequestId: a.SpotInstanceRequestId, State: "cancelled" },
    ]);
    expect(requests(sb, [a.SpotInstanceRequestId!])[0]).toMatchObject({
      State: "cancelled",
      Status: { Code: "request-canceled-and-instance-running" },
    });
    const st = sb.call(ctx(), "DescribeInstances", { InstanceIds: [a.InstanceId] }).output as {
      Reservations: { Instances: { State: { Name: string } }[] }[];
    };
    expect(st.Reservations[0]!.Instances[0]!.State.Name).toBe("running");
    sb.call(ctx(), "TerminateInstances", { InstanceIds: [b.InstanceId] });
    expect(requests(sb, [b.SpotInstanceRequestId!])[0]).toMatchObject({
      State: "closed",
      Status: { Code: "instance-terminated-by-user" },
    });
  });

  it("the bill charges min(On-Demand price, MaxPrice) per second, beside an On-Demand instance; replay agrees", () => {
    const events: EventEnvelope[] = [];
    const sb = new Sandbox({ seed: "spot-bill", realNow: () => 0 });
    sb.subscribe((es) => events.push(...es));
    sb.createAccount({ accountId: "111122223333" });
    const onDemand = run(sb);
    const capped = run(sb, spot({ MaxPrice: "0.0052" }));
    const uncapped = run(sb, spot());
    sb.advance(3_600_000);
    const report = sb.costReport();
    // USD per hour actually charged (each instance booted after its own random delay).
    const hourly = (id: string) => {
      const l = report.lines.find((x) => x.resourceId === id && x.kind === "instance")!;
      return (l.usd / l.quantity) * 3600;
    };
    // t3.micro in us-east-1 is 0.0104/h On-Demand.
    expect(hourly(onDemand.InstanceId)).toBeCloseTo(0.0104, 10);
    expect(hourly(uncapped.InstanceId)).toBeCloseTo(0.0104, 10);
    expect(hourly(capped.InstanceId)).toBeCloseTo(0.0052, 10);
    const replayed = Sandbox.replay(events, { seed: "spot-bill", realNow: () => 0 });
    replayed.advance(0);
    expect(replayed.call(ctx(), "DescribeSpotInstanceRequests", {}).output).toEqual(
      sb.call(ctx(), "DescribeSpotInstanceRequests", {}).output,
    );
  });

  it("RequestSpotInstances: one fulfilled request per instance, with its launch group, validity and own tags", () => {
    const events: EventEnvelope[] = [];
    const sb = new Sandbox({ seed: "spot-request", realNow: () => 0 });
    sb.subscribe((es) => events.push(...es));
    sb.createAccount({ accountId: "111122223333" });
    const validUntil = new Date(sb.now + 86_400_000);
    const out = sb.call(ctx(), "RequestSpotInstances", {
      InstanceCount: 2,
      Type: "persistent",
      SpotPrice: "0.005",
      LaunchGroup: "batch",
      ValidUntil: validUntil,
      LaunchSpecification: { ImageId: ami(AL2023_X86), InstanceType: "t3.micro" },
      TagSpecifications: [{ ResourceType: "spot-instances-request", Tags: [{ Key: "team", Value: "cats" }] }],
    }).output as Requests;
    expect(out.SpotInstanceRequests).toHaveLength(2);
    const [a, b] = out.SpotInstanceRequests;
    expect(a!.SpotInstanceRequestId).not.toBe(b!.SpotInstanceRequestId);
    for (const r of out.SpotInstanceRequests)
      expect(r).toMatchObject({
        State: "active",
        Status: { Code: "fulfilled" },
        Type: "persistent",
        SpotPrice: "0.005",
        LaunchGroup: "batch",
        ValidUntil: validUntil,
        Tags: [{ Key: "team", Value: "cats" }],
        InstanceId: expect.stringMatching(/^i-/),
      });
    // The request's tags are its own: the instance has none, and tag filters ask about requests.
    const inst = sb.call(ctx(), "DescribeInstances", { InstanceIds: [a!.InstanceId] }).output as {
      Reservations: { Instances: { InstanceLifecycle?: string; SpotInstanceRequestId?: string; Tags?: unknown }[] }[];
    };
    expect(inst.Reservations[0]!.Instances[0]).toMatchObject({
      InstanceLifecycle: "spot",
      SpotInstanceRequestId: a!.SpotInstanceRequestId,
    });
    expect(inst.Reservations[0]!.Instances[0]!.Tags).toBeUndefined();
    sb.call(ctx(), "CreateTags", { Resources: [a!.SpotInstanceRequestId], Tags: [{ Key: "Name", Value: "first" }] });
    const named = sb.call(ctx(), "DescribeSpotInstanceRequests", {
      Filters: [{ Name: "tag:Name", Values: ["first"] }],
    }).output as Requests;
    expect(named.SpotInstanceRequests.map((r) => r.SpotInstanceRequestId)).toEqual([a!.SpotInstanceRequestId]);
    const tags = sb.call(ctx(), "DescribeTags", {
      Filters: [{ Name: "resource-type", Values: ["spot-instances-request"] }],
    }).output as { Tags: { ResourceId: string; Key: string }[] };
    expect(
      tags.Tags.filter((t) => t.ResourceId === a!.SpotInstanceRequestId)
        .map((t) => t.Key)
        .sort(),
    ).toEqual(["Name", "team"]);
    // Billed at the request's price; the events replay to the same requests.
    sb.advance(3_600_000);
    const line = sb.costReport().lines.find((l) => l.resourceId === a!.InstanceId && l.kind === "instance")!;
    expect((line.usd / line.quantity) * 3600).toBeCloseTo(0.005, 10);
    const replayed = Sandbox.replay(events, { seed: "spot-request", realNow: () => 0 });
    replayed.advance(0);
    expect(replayed.call(ctx(), "DescribeSpotInstanceRequests", {}).output).toEqual(
      sb.call(ctx(), "DescribeSpotInstanceRequests", {}).output,
    );
  });

  it("RequestSpotInstances refuses what EC2 refuses, and a ValidFrom the sandbox would have to wait for", () => {
    const sb = sandbox("spot-request-errors");
    const req = (extra: object) =>
      sb.call(ctx(), "RequestSpotInstances", {
        LaunchSpecification: { ImageId: ami(AL2023_X86), InstanceType: "t3.micro" },
        ...extra,
      });
    expectEc2Error(() => sb.call(ctx(), "RequestSpotInstances", {}), "MissingParameter");
    expectEc2Error(() => req({ InstanceInterruptionBehavior: "stop" }), "InvalidParameterCombination");
    expectEc2Error(() => req({ BlockDurationMinutes: 60 }), "InvalidParameterValue", /no longer supported/);
    expectEc2Error(() => req({ SpotPrice: "-1" }), "InvalidParameterValue");
    expectEc2Error(
      () => req({ TagSpecifications: [{ ResourceType: "instance", Tags: [{ Key: "a", Value: "b" }] }] }),
      "InvalidParameterValue",
    );
    expectEc2Error(
      () => req({ ValidFrom: new Date(sb.now + 3_600_000) }),
      "UnsupportedOperation",
      /ValidFrom in the future/,
    );
    expectEc2Error(
      () => req({ LaunchSpecification: { ImageId: "ami-0123456789abcdef0", InstanceType: "t3.micro" } }),
      "InvalidAMIID.NotFound",
    );
    expectEc2Error(
      () => sb.call(ctx(), "CreateTags", { Resources: ["sir-0badc0de"], Tags: [{ Key: "a", Value: "b" }] }),
      "InvalidSpotInstanceRequestID.NotFound",
      "The spot instance request ID 'sir-0badc0de' does not exist",
    );
    // Nothing was launched by the refused requests.
    expect((sb.call(ctx(), "DescribeSpotInstanceRequests", {}).output as Requests).SpotInstanceRequests).toEqual([]);
  });
});
