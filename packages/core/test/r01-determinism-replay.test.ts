/**
 * Determinism (R1) and replay: the same seed and the same commands give the same IDs, times and
 * bill; folding the recorded events into a fresh sandbox gives the same answers as the live one.
 */
import { describe, expect, it } from "vitest";
import { type EventEnvelope, Sandbox } from "../src/index.ts";
import {
  A,
  AL2023_ARM,
  AL2023_X86,
  ami,
  B,
  ctx,
  DEBIAN_INSTANCE_STORE,
  EU,
  NGINX_PLUS_X86,
  US,
} from "./r01-r13-helpers.ts";

interface Run {
  sb: Sandbox;
  events: EventEnvelope[];
  ids: Record<string, string>;
}

/** A day in the life of two accounts, driven only by commands and the simulated clock. */
function scenario(seed: string): Run {
  const sb = new Sandbox({ seed, realNow: () => 0 });
  const events: EventEnvelope[] = [];
  sb.subscribe((es) => events.push(...es));
  sb.createAccount({ accountId: A });
  sb.createAccount({ accountId: B });
  const a = ctx(A, US),
    b = ctx(B, US),
    aEu = ctx(A, EU);
  const ids: Record<string, string> = {};
  ids.key = sb.call(a, "CreateKeyPair", { KeyName: "ops" }).output.KeyPairId;
  ids.sg = sb.call(a, "CreateSecurityGroup", { GroupName: "web", Description: "web" }).output.GroupId;
  sb.call(a, "AuthorizeSecurityGroupIngress", {
    GroupId: ids.sg,
    IpPermissions: [{ IpProtocol: "tcp", FromPort: 80, ToPort: 80, IpRanges: [{ CidrIp: "0.0.0.0/0" }] }],
  });
  const run = sb.call(a, "RunInstances", {
    ImageId: ami(AL2023_X86),
    InstanceType: "t3.micro",
    MinCount: 2,
    MaxCount: 2,
    KeyName: "ops",
    SecurityGroupIds: [ids.sg],
    TagSpecifications: [{ ResourceType: "instance", Tags: [{ Key: "app", Value: "shop" }] }],
  }).output;
  ids.web1 = run.Instances[0].InstanceId;
  ids.web2 = run.Instances[1].InstanceId;
  ids.arm = sb.call(a, "RunInstances", {
    ImageId: ami(AL2023_ARM),
    InstanceType: "t4g.micro",
    MinCount: 1,
    MaxCount: 1,
  }).output.Instances[0].InstanceId;
  ids.market = sb.call(b, "RunInstances", {
    ImageId: ami(NGINX_PLUS_X86),
    InstanceType: "m5.large",
    MinCount: 1,
    MaxCount: 1,
  }).output.Instances[0].InstanceId;
  ids.store = sb.call(b, "RunInstances", {
    ImageId: ami(DEBIAN_INSTANCE_STORE),
    InstanceType: "m3.medium",
    MinCount: 1,
    MaxCount: 1,
  }).output.Instances[0].InstanceId;
  sb.advance(5 * 60_000);
  sb.call(a, "GuestRun", {
    InstanceId: ids.web1,
    Command: "sudo dnf install -y nginx && sudo systemctl enable --now nginx",
  });
  sb.call(a, "GuestRun", {
    InstanceId: ids.web1,
    Command: "echo '<h1>shop</h1>' | sudo tee /usr/share/nginx/html/index.html",
  });
  sb.call(b, "GuestRun", { InstanceId: ids.store, Command: "echo data | sudo tee /etc/app.conf" });
  sb.call(b, "GuestRun", {
    InstanceId: ids.store,
    Command: "sudo ec2-bundle-vol -d /tmp && sudo ec2-upload-bundle -b b-bucket/app -m /tmp/image.manifest.xml",
  });
  ids.bundleAmi = sb.call(b, "RegisterImage", {
    Name: "b-app",
    ImageLocation: "b-bucket/app/image.manifest.xml",
  }).output.ImageId;
  ids.ami = sb.call(a, "CreateImage", { InstanceId: ids.web1, Name: "shop-1" }).output.ImageId;
  sb.advance(10 * 60_000);
  sb.call(a, "ModifyImageAttribute", { ImageId: ids.ami, LaunchPermission: { Add: [{ UserId: B }] } });
  ids.copy = sb.call(aEu, "CopyImage", { SourceImageId: ids.ami, SourceRegion: US, Name: "shop-1-eu" }).output.ImageId;
  ids.fromShared = sb.call(b, "RunInstances", {
    ImageId: ids.ami,
    InstanceType: "t3.small",
    MinCount: 1,
    MaxCount: 1,
  }).output.Instances[0].InstanceId;
  sb.call(a, "StopInstances", { InstanceIds: [ids.web2] });
  ids.eip = sb.call(a, "AllocateAddress", { Domain: "vpc" }).output.AllocationId;
  sb.call(a, "AssociateAddress", { AllocationId: ids.eip, InstanceId: ids.web1 });
  sb.advance(45 * 60_000 + 20_000);
  ids.euInstance = sb.call(aEu, "RunInstances", {
    ImageId: ids.copy,
    InstanceType: "t3.micro",
    MinCount: 1,
    MaxCount: 1,
  }).output.Instances[0].InstanceId;
  sb.call(a, "TerminateInstances", { InstanceIds: [ids.arm] });
  sb.call(a, "StartInstances", { InstanceIds: [ids.web2] });
  sb.advance(3 * 3_600_000 + 7_000);
  return { sb, events, ids };
}

/** What a user would look at: instances and images of both accounts in both regions, and the bill. */
function view(sb: Sandbox) {
  const out: Record<string, unknown> = {};
  for (const acct of [A, B]) {
    for (const region of [US, EU]) {
      const c = ctx(acct, region);
      out[`${acct}/${region}/instances`] = sb.call(c, "DescribeInstances", {}).output;
      out[`${acct}/${region}/images`] = sb.call(c, "DescribeImages", { Owners: ["self"] }).output;
      out[`${acct}/${region}/shared`] = sb.call(c, "DescribeImages", { ExecutableUsers: ["self"] }).output;
      out[`${acct}/${region}/volumes`] = sb.call(c, "DescribeVolumes", {}).output;
      out[`${acct}/${region}/snapshots`] = sb.call(c, "DescribeSnapshots", { OwnerIds: ["self"] }).output;
    }
  }
  out.cost = sb.costReport();
  return out;
}

describe("R1 determinism and replay", () => {
  it("R1 the same seed and commands give the same IDs, times and bill", () => {
    const one = scenario("replay-seed");
    const two = scenario("replay-seed");
    expect(two.ids).toEqual(one.ids);
    expect(two.sb.now).toBe(one.sb.now);
    // Same event log (key material aside: CreateKeyPair makes a real, random key).
    const strip = (es: EventEnvelope[]) =>
      es.map((e) =>
        e.event.type === "KeyPairCreated" ? { ...e, event: { ...e.event, keyFingerprint: "", publicKey: "" } } : e,
      );
    expect(strip(two.events)).toEqual(strip(one.events));
    const v1 = view(one.sb),
      v2 = view(two.sb);
    expect(v2).toEqual(v1);
    const count = (k: string) =>
      (v1[k] as { Reservations: { Instances: unknown[] }[] }).Reservations.flatMap((r) => r.Instances).length;
    expect([count(`${A}/${US}/instances`), count(`${B}/${US}/instances`), count(`${A}/${EU}/instances`)]).toEqual([
      2, 3, 1,
    ]); // the arm64 instance was terminated and is gone
    expect((v1[`${A}/${EU}/images`] as { Images: { State: string }[] }).Images.map((i) => i.State)).toEqual([
      "available",
    ]);
    const cost = v1.cost as ReturnType<Sandbox["costReport"]>;
    expect(cost.total).toBeGreaterThan(0);
    expect(cost.byKind.software).toBeGreaterThan(0);
    expect(cost.byKind.s3).toBeGreaterThan(0);
    // Another seed: other IDs, and so another log.
    const other = scenario("another-seed");
    expect(other.ids.web1).not.toBe(one.ids.web1);
    expect(other.ids.ami).not.toBe(one.ids.ami);
  });

  it("R1 Sandbox.replay of all events gives the same DescribeInstances, DescribeImages and cost report as the live sandbox", () => {
    const live = scenario("replay-seed");
    const replayed = Sandbox.replay(live.events, { seed: "replay-seed", realNow: () => 0 });
    expect(replayed.now).toBe(live.sb.now);
    expect(replayed.state.seq).toBe(live.sb.state.seq);
    expect(view(replayed)).toEqual(view(live.sb));
    expect(replayed.costReport(A)).toEqual(live.sb.costReport(A));
    expect(replayed.costReport(B)).toEqual(live.sb.costReport(B));
    // The guest file systems came back too.
    const cat = (sb: Sandbox) =>
      sb.call(ctx(A, US), "GuestRun", { InstanceId: live.ids.web1, Command: "curl http://localhost/" }).output.Output;
    expect(cat(replayed)).toBe("<h1>shop</h1>\n");
    expect(cat(replayed)).toBe(cat(live.sb));
    // Both continue identically: the same next IDs, the same timings and the same bill.
    const next = (sb: Sandbox) => {
      const r = sb.call(ctx(A, US), "RunInstances", {
        ImageId: ami(AL2023_X86),
        InstanceType: "m5.large",
        MinCount: 1,
        MaxCount: 1,
      }).output;
      sb.advance(90 * 60_000);
      const img = sb.call(ctx(A, EU), "CreateImage", {
        InstanceId: live.ids.euInstance,
        Name: "eu-next",
        NoReboot: true,
      }).output.ImageId;
      sb.advance(10 * 60_000);
      return { instance: r.Instances[0].InstanceId, ip: r.Instances[0].PublicIpAddress, img, view: view(sb) };
    };
    expect(next(replayed)).toEqual(next(live.sb));
  });

  it("R1 a replay up to a sequence number is the sandbox as it was then", () => {
    const live = scenario("branch");
    const cut = live.events.find((e) => e.event.type === "ImageCreated" && e.event.image.imageId === live.ids.ami)!.seq;
    const before = Sandbox.replay(live.events, { seed: "branch", realNow: () => 0, upTo: cut - 1 });
    const at = Sandbox.replay(live.events, { seed: "branch", realNow: () => 0, upTo: cut });
    expect(before.call(ctx(A, US), "DescribeImages", { Owners: ["self"] }).output.Images).toEqual([]);
    expect(
      at
        .call(ctx(A, US), "DescribeImages", { Owners: ["self"] })
        .output.Images.map((i: { ImageId: string }) => i.ImageId),
    ).toEqual([live.ids.ami]);
  });
});
