/**
 * R1 (IDs), R2 (regions and AZs; regional resources), R3 (accounts, credentials, default network),
 * as a user of the sandbox sees them.
 */
import { describe, expect, it } from "vitest";
import { type CallContext, Sandbox } from "../src/index.ts";
import {
  A,
  AL2023_X86,
  ami,
  B,
  ctx,
  describeImage,
  EU,
  expectEc2Error,
  launch,
  sandbox,
  US,
  waitFor,
  waitImage,
} from "./r01-r13-helpers.ts";

const HEX17 = /^[0-9a-f]{17}$/;

/** Creates one resource of every ID kind in a region and returns their IDs by prefix. */
function oneOfEach(sb: Sandbox, c: CallContext): Record<string, string> {
  const key = sb.call(c, "CreateKeyPair", { KeyName: `k-${c.region}` }).output;
  const sg = sb.call(c, "CreateSecurityGroup", { GroupName: `web-${c.region}`, Description: "web" }).output;
  const run = sb.call(c, "RunInstances", {
    ImageId: ami(AL2023_X86, c.region),
    InstanceType: "t3.micro",
    MinCount: 1,
    MaxCount: 1,
    KeyName: `k-${c.region}`,
    SecurityGroupIds: [sg.GroupId],
  }).output;
  const instanceId = run.Instances[0].InstanceId;
  waitFor(sb, c, instanceId, "running");
  const volumeId =
    run.Instances[0].BlockDeviceMappings?.[0]?.Ebs?.VolumeId ??
    sb.call(c, "DescribeInstances", { InstanceIds: [instanceId] }).output.Reservations[0].Instances[0]
      .BlockDeviceMappings[0].Ebs.VolumeId;
  const snap = sb.call(c, "CreateSnapshot", { VolumeId: volumeId }).output;
  const image = sb.call(c, "CreateImage", { InstanceId: instanceId, Name: `img-${c.region}`, NoReboot: true }).output;
  const alloc = sb.call(c, "AllocateAddress", { Domain: "vpc" }).output;
  const assoc = sb.call(c, "AssociateAddress", { AllocationId: alloc.AllocationId, InstanceId: instanceId }).output;
  const vpc = sb.call(c, "DescribeVpcs", {}).output.Vpcs[0];
  const subnet = sb.call(c, "DescribeSubnets", {}).output.Subnets[0];
  return {
    ami: image.ImageId,
    i: instanceId,
    vol: volumeId,
    snap: snap.SnapshotId,
    sg: sg.GroupId,
    key: key.KeyPairId,
    eipalloc: alloc.AllocationId,
    eipassoc: assoc.AssociationId,
    r: run.ReservationId,
    vpc: vpc.VpcId,
    subnet: subnet.SubnetId,
  };
}

describe("R1 IDs", () => {
  it("R1 every kind of ID is its EC2 prefix followed by 17 lowercase hex digits", () => {
    const sb = sandbox();
    const ids = oneOfEach(sb, ctx());
    expect(Object.keys(ids).sort()).toEqual([
      "ami",
      "eipalloc",
      "eipassoc",
      "i",
      "key",
      "r",
      "sg",
      "snap",
      "subnet",
      "vol",
      "vpc",
    ]);
    for (const [prefix, id] of Object.entries(ids)) {
      expect(id.startsWith(`${prefix}-`), id).toBe(true);
      expect(id.slice(prefix.length + 1), id).toMatch(HEX17);
    }
    // Catalog AMIs and the snapshots behind them look the same.
    const catalog = describeImage(sb, ctx(), ami(AL2023_X86));
    expect(catalog.ImageId).toMatch(/^ami-[0-9a-f]{17}$/);
    expect(catalog.BlockDeviceMappings[0].Ebs.SnapshotId).toMatch(/^snap-[0-9a-f]{17}$/);
  });

  it("R1 a seeded sandbox produces the same IDs on every run, and another seed other IDs", () => {
    const first = oneOfEach(sandbox("seed-one"), ctx());
    const again = oneOfEach(sandbox("seed-one"), ctx());
    const other = oneOfEach(sandbox("seed-two"), ctx());
    expect(again).toEqual(first);
    for (const k of ["ami", "i", "vol", "snap", "sg", "key", "eipalloc", "eipassoc", "r", "vpc", "subnet"]) {
      expect(other[k], k).not.toBe(first[k]);
    }
  });

  it("R1 IDs are unique per region, catalog AMIs have a different ID in each region, and a copied AMI gets a new ID", () => {
    const sb = sandbox();
    const us = oneOfEach(sb, ctx(A, US));
    const eu = oneOfEach(sb, ctx(A, EU));
    const all = [...Object.values(us), ...Object.values(eu)];
    expect(new Set(all).size).toBe(all.length);
    // The same Quick Start image has its own ID in every region.
    const names = new Set([ami(AL2023_X86, US), ami(AL2023_X86, EU), ami(AL2023_X86, "ap-northeast-1")]);
    expect(names.size).toBe(3);
    expect(describeImage(sb, ctx(A, EU), ami(AL2023_X86, EU)).Name).toBe(AL2023_X86);
    // Copies, within a region and to another, are new AMIs.
    waitImage(sb, ctx(A, US), us.ami!);
    const copyHere = sb.call(ctx(A, US), "CopyImage", { SourceImageId: us.ami, SourceRegion: US, Name: "copy-here" })
      .output.ImageId;
    const copyThere = sb.call(ctx(A, EU), "CopyImage", { SourceImageId: us.ami, SourceRegion: US, Name: "copy-there" })
      .output.ImageId;
    expect(copyHere).toMatch(/^ami-[0-9a-f]{17}$/);
    expect(copyThere).toMatch(/^ami-[0-9a-f]{17}$/);
    expect(new Set([us.ami, copyHere, copyThere, eu.ami]).size).toBe(4);
  });

  it("R1 the same seed yields the same default network and catalog IDs, but other accounts get their own", () => {
    const a1 = sandbox("net");
    const a2 = sandbox("net");
    a1.createAccount({ accountId: B });
    a2.createAccount({ accountId: B });
    const vpcA1 = a1.call(ctx(A), "DescribeVpcs", {}).output.Vpcs[0].VpcId;
    const vpcA2 = a2.call(ctx(A), "DescribeVpcs", {}).output.Vpcs[0].VpcId;
    const vpcB = a1.call(ctx(B), "DescribeVpcs", {}).output.Vpcs[0].VpcId;
    expect(vpcA2).toBe(vpcA1);
    expect(vpcB).not.toBe(vpcA1);
    expect(vpcB).toMatch(/^vpc-[0-9a-f]{17}$/);
  });
});

describe("R2 regions and Availability Zones", () => {
  it("R2 DescribeRegions and DescribeAvailabilityZones give the real names and counts (us-east-1 has 6 AZs)", () => {
    const sb = sandbox();
    const regions = sb
      .call(ctx(), "DescribeRegions", {})
      .output.Regions.map((r: { RegionName: string }) => r.RegionName);
    for (const r of [
      "us-east-1",
      "us-east-2",
      "us-west-1",
      "us-west-2",
      "eu-west-1",
      "eu-central-1",
      "ap-northeast-1",
      "ap-southeast-2",
      "sa-east-1",
      "ca-central-1",
    ]) {
      expect(regions).toContain(r);
    }
    const zones = (region: string) => sb.call(ctx(A, region), "DescribeAvailabilityZones", {}).output.AvailabilityZones;
    expect(zones(US).map((z: { ZoneName: string }) => z.ZoneName)).toEqual([
      "us-east-1a",
      "us-east-1b",
      "us-east-1c",
      "us-east-1d",
      "us-east-1e",
      "us-east-1f",
    ]);
    expect(
      zones(US).every(
        (z: { RegionName: string; State: string; ZoneId: string }) =>
          z.RegionName === US && z.State === "available" && /^use1-az\d$/.test(z.ZoneId),
      ),
    ).toBe(true);
    expect(zones("us-west-1").map((z: { ZoneName: string }) => z.ZoneName)).toEqual(["us-west-1a", "us-west-1b"]);
    expect(zones("us-west-2")).toHaveLength(4);
    expect(zones(EU).map((z: { ZoneName: string }) => z.ZoneName)).toEqual(["eu-west-1a", "eu-west-1b", "eu-west-1c"]);
    expect(zones("ap-northeast-2")).toHaveLength(4);
    // A region that does not exist is refused.
    expectEc2Error(
      () => sb.call(ctx(A, "us-east-9"), "DescribeAvailabilityZones", {}),
      "InvalidParameterValue",
      /us-east-9/,
    );
    expectEc2Error(
      () => sb.call(ctx(), "DescribeAvailabilityZones", { ZoneNames: ["eu-west-1a"] }),
      "InvalidParameterValue",
      /eu-west-1a/,
    );
  });

  it("R2 instances are placed in the region's AZs, each AZ's default subnet being used when asked", () => {
    const sb = sandbox();
    const seen = new Set<string>();
    for (const z of ["us-east-1a", "us-east-1c", "us-east-1f"]) {
      const { instanceId } = launch(sb, ctx(), ami(AL2023_X86), "t3.micro", { Placement: { AvailabilityZone: z } });
      const inst = sb.call(ctx(), "DescribeInstances", { InstanceIds: [instanceId] }).output.Reservations[0]
        .Instances[0];
      expect(inst.Placement.AvailabilityZone).toBe(z);
      seen.add(inst.SubnetId);
    }
    expect(seen.size).toBe(3);
    expectEc2Error(
      () => launch(sb, ctx(), ami(AL2023_X86), "t3.micro", { Placement: { AvailabilityZone: "eu-west-1a" } }),
      "InvalidParameterValue",
      /eu-west-1a/,
    );
  });

  it("R2 a key pair, a security group or an AMI of another region is not found", () => {
    const sb = sandbox();
    const us = ctx(A, US),
      eu = ctx(A, EU);
    sb.call(us, "CreateKeyPair", { KeyName: "us-key" });
    const sg = sb.call(us, "CreateSecurityGroup", { GroupName: "us-web", Description: "web" }).output.GroupId;
    const { instanceId } = launch(sb, us, ami(AL2023_X86), "t3.micro");
    waitFor(sb, us, instanceId, "running");
    const myAmi = sb.call(us, "CreateImage", { InstanceId: instanceId, Name: "mine", NoReboot: true }).output.ImageId;
    waitImage(sb, us, myAmi);
    const euAmi = ami(AL2023_X86, EU);

    expectEc2Error(
      () => launch(sb, eu, euAmi, "t3.micro", { KeyName: "us-key" }),
      "InvalidKeyPair.NotFound",
      "The key pair 'us-key' does not exist",
    );
    expectEc2Error(() => sb.call(eu, "DescribeKeyPairs", { KeyNames: ["us-key"] }), "InvalidKeyPair.NotFound");
    expectEc2Error(
      () => launch(sb, eu, euAmi, "t3.micro", { SecurityGroupIds: [sg] }),
      "InvalidGroup.NotFound",
      `The security group '${sg}' does not exist`,
    );
    expectEc2Error(() => sb.call(eu, "DescribeSecurityGroups", { GroupIds: [sg] }), "InvalidGroup.NotFound");
    expectEc2Error(
      () => launch(sb, eu, myAmi, "t3.micro"),
      "InvalidAMIID.NotFound",
      `The image id '[${myAmi}]' does not exist`,
    );
    expectEc2Error(() => sb.call(eu, "DescribeImages", { ImageIds: [myAmi] }), "InvalidAMIID.NotFound");
    // A catalog AMI ID is regional too.
    expectEc2Error(() => launch(sb, eu, ami(AL2023_X86, US), "t3.micro"), "InvalidAMIID.NotFound");
    // Volumes and snapshots as well.
    const volumeId = sb.call(us, "DescribeInstances", { InstanceIds: [instanceId] }).output.Reservations[0].Instances[0]
      .BlockDeviceMappings[0].Ebs.VolumeId;
    const snapshotId = describeImage(sb, us, myAmi).BlockDeviceMappings[0].Ebs.SnapshotId;
    expectEc2Error(() => sb.call(eu, "DescribeVolumes", { VolumeIds: [volumeId] }), "InvalidVolume.NotFound");
    expectEc2Error(() => sb.call(eu, "DescribeSnapshots", { SnapshotIds: [snapshotId] }), "InvalidSnapshot.NotFound");
    // In its own region each is there, and a same-named key pair may exist in the other region.
    expect(sb.call(us, "DescribeKeyPairs", { KeyNames: ["us-key"] }).output.KeyPairs).toHaveLength(1);
    sb.call(eu, "CreateKeyPair", { KeyName: "us-key" });
    expect(sb.call(eu, "DescribeKeyPairs", {}).output.KeyPairs.map((k: { KeyName: string }) => k.KeyName)).toEqual([
      "us-key",
    ]);
  });
});

describe("R3 accounts", () => {
  it("R3 accounts are 12-digit IDs with their own credentials", () => {
    const sb = new Sandbox({ seed: "accounts", realNow: () => 0 });
    const made = [sb.createAccount().output, sb.createAccount().output, sb.createAccount({ accountId: A }).output];
    for (const a of made) {
      expect(a.accountId).toMatch(/^\d{12}$/);
      expect(a.accessKeyId).toMatch(/^AKIA[A-Z2-7]{16}$/);
      expect(a.secretAccessKey).toHaveLength(40);
      expect(sb.accountForAccessKey(a.accessKeyId)).toEqual({
        accountId: a.accountId,
        secretAccessKey: a.secretAccessKey,
      });
    }
    expect(new Set(made.map((a) => a.accountId)).size).toBe(3);
    expect(new Set(made.map((a) => a.accessKeyId)).size).toBe(3);
    expect(new Set(made.map((a) => a.secretAccessKey)).size).toBe(3);
    expect(sb.accountForAccessKey("AKIAIOSFODNN7EXAMPLE")).toBeUndefined();
    expectEc2Error(() => sb.createAccount({ accountId: "12345" }), "InvalidParameterValue", /12 digits/);
    expectEc2Error(() => sb.createAccount({ accountId: A }), "InvalidParameterValue", /already exists/);
    // An account the sandbox does not know cannot call.
    expectEc2Error(() => sb.call(ctx("999999999999"), "DescribeInstances", {}), "AuthFailure");
  });

  it("R3 every resource has an owner account, and other accounts do not see it", () => {
    const sb = sandbox("owners", { accountId: B });
    const a = ctx(A),
      b = ctx(B);
    const run = sb.call(a, "RunInstances", {
      ImageId: ami(AL2023_X86),
      InstanceType: "t3.micro",
      MinCount: 1,
      MaxCount: 1,
    }).output;
    const id = run.Instances[0].InstanceId;
    expect(run.OwnerId).toBe(A);
    waitFor(sb, a, id, "running");
    const inst = sb.call(a, "DescribeInstances", {}).output.Reservations[0];
    expect(inst.OwnerId).toBe(A);
    const img = sb.call(a, "CreateImage", { InstanceId: id, Name: "owned", NoReboot: true }).output.ImageId;
    expect(describeImage(sb, a, img).OwnerId).toBe(A);
    const snap = describeImage(sb, a, img).BlockDeviceMappings[0].Ebs.SnapshotId;
    expect(sb.call(a, "DescribeSnapshots", { SnapshotIds: [snap] }).output.Snapshots[0].OwnerId).toBe(A);
    const sg = sb.call(a, "DescribeSecurityGroups", {}).output.SecurityGroups;
    expect(sg.every((g: { OwnerId: string }) => g.OwnerId === A)).toBe(true);
    // B sees none of A's resources.
    expect(sb.call(b, "DescribeInstances", {}).output.Reservations).toEqual([]);
    expectEc2Error(
      () => sb.call(b, "DescribeInstances", { InstanceIds: [id] }),
      "InvalidInstanceID.NotFound",
      `The instance ID '${id}' does not exist`,
    );
    expectEc2Error(() => sb.call(b, "TerminateInstances", { InstanceIds: [id] }), "InvalidInstanceID.NotFound");
    expectEc2Error(() => sb.call(b, "DescribeImages", { ImageIds: [img] }), "InvalidAMIID.NotFound");
    expect(sb.call(b, "DescribeImages", { Owners: ["self"] }).output.Images).toEqual([]);
    expect(
      sb.call(b, "DescribeSecurityGroups", {}).output.SecurityGroups.every((g: { OwnerId: string }) => g.OwnerId === B),
    ).toBe(true);
  });

  it("R3 each account has in each region a default VPC with one default subnet per AZ and a default security group", () => {
    const sb = sandbox("default-net", { accountId: B });
    for (const [region, azs] of [
      [US, 6],
      [EU, 3],
      ["us-west-2", 4],
    ] as const) {
      for (const acct of [A, B]) {
        const c = ctx(acct, region);
        const vpcs = sb.call(c, "DescribeVpcs", {}).output.Vpcs;
        expect(vpcs).toHaveLength(1);
        expect(vpcs[0]).toMatchObject({
          IsDefault: true,
          CidrBlock: "172.31.0.0/16",
          State: "available",
          OwnerId: acct,
        });
        const subnets = sb.call(c, "DescribeSubnets", { Filters: [{ Name: "default-for-az", Values: ["true"] }] })
          .output.Subnets;
        expect(subnets).toHaveLength(azs);
        expect(new Set(subnets.map((s: { AvailabilityZone: string }) => s.AvailabilityZone)).size).toBe(azs);
        expect(
          subnets.every(
            (s: { VpcId: string; MapPublicIpOnLaunch: boolean; CidrBlock: string }) =>
              s.VpcId === vpcs[0].VpcId && s.MapPublicIpOnLaunch && /^172\.31\.\d+\.0\/20$/.test(s.CidrBlock),
          ),
        ).toBe(true);
        const groups = sb.call(c, "DescribeSecurityGroups", { Filters: [{ Name: "group-name", Values: ["default"] }] })
          .output.SecurityGroups;
        expect(groups).toHaveLength(1);
        expect(groups[0]).toMatchObject({ GroupName: "default", VpcId: vpcs[0].VpcId, OwnerId: acct });
        expect(groups[0].GroupId).toMatch(/^sg-[0-9a-f]{17}$/);
        const attrs = sb.call(c, "DescribeAccountAttributes", { AttributeNames: ["default-vpc"] }).output
          .AccountAttributes;
        expect(attrs[0].AttributeValues[0].AttributeValue).toBe(vpcs[0].VpcId);
      }
    }
    // A launch with no network named lands in the default VPC, in the default group.
    const { instanceId } = launch(sb, ctx(), ami(AL2023_X86), "t3.micro");
    const inst = sb.call(ctx(), "DescribeInstances", { InstanceIds: [instanceId] }).output.Reservations[0].Instances[0];
    const vpc = sb.call(ctx(), "DescribeVpcs", {}).output.Vpcs[0].VpcId;
    expect(inst.VpcId).toBe(vpc);
    expect(inst.SecurityGroups.map((g: { GroupName: string }) => g.GroupName)).toEqual(["default"]);
    expect(inst.PrivateIpAddress).toMatch(/^172\.31\./);
  });
});
