/**
 * Issue #3 "Must show", rules R14–R26: each `it` starts with its rule ID and drives the sandbox only
 * through its public API (`Sandbox.call`, `advance`, `costReport`), asserting what a user sees.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { INSTANCE_TYPES, REGIONS, SECONDS_PER_MONTH, STORAGE_PRICES, Sandbox, type CallContext, type EventEnvelope } from "../src/index.ts";

const REGION = "us-east-1";
const ME = "111122223333";
const OTHER = "444455556666";
const MY_IP = "203.0.113.10";
const GIB = 1024 ** 3;
const AL2023 = "al2023-ami-2023.6.20241212.0-kernel-6.1-x86_64";
const NGINX_PLUS = "nginx-plus-r33-al2023-x86_64-cis-l1-*";
const DEBIAN_INSTANCE_STORE = "debian-12-instance-store-x86_64-20241015";

/** USD per hour of a type in a region, from the price table (R4, R22). */
const hourly = (type: string, region = REGION) => INSTANCE_TYPES.get(type)!.onDemandUsdPerHour * REGIONS.find((r) => r.regionName === region)!.priceFactor;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;

function world(seed: string) {
  const sb = new Sandbox({ seed, realNow: () => 0 });
  sb.createAccount({ accountId: ME, callerIp: MY_IP });
  sb.createAccount({ accountId: OTHER, callerIp: "198.51.100.20" });
  const log: EventEnvelope[] = [];
  sb.subscribe((evs) => log.push(...evs));
  const ctx: CallContext = { accountId: ME, region: REGION };
  const other: CallContext = { accountId: OTHER, region: REGION };
  const call = (action: string, input: Record<string, unknown> = {}, c: CallContext = ctx): Any => sb.call(c, action, input).output;
  const fail = (action: string, input: Record<string, unknown>, c: CallContext = ctx): { code: string; message: string } => {
    try {
      sb.call(c, action, input);
    } catch (e) {
      const err = e as { code?: string; message: string };
      if (!err.code) throw e;
      return { code: err.code, message: err.message };
    }
    throw new Error(`${action} succeeded; expected an error`);
  };
  const imageId = (name: string, c: CallContext = ctx): string => {
    const imgs = call("DescribeImages", { Filters: [{ Name: "name", Values: [name] }] }, c).Images;
    expect(imgs.length, name).toBeGreaterThan(0);
    return imgs[0].ImageId;
  };
  const instance = (id: string, c: CallContext = ctx): Any => call("DescribeInstances", { InstanceIds: [id] }, c).Reservations[0].Instances[0];
  /** Steps the clock a second at a time until the instance reaches `state`; returns when it did. */
  const until = (id: string, state: string, c: CallContext = ctx, limitMs = 600_000): number => {
    for (let waited = 0; waited <= limitMs; waited += 1000) {
      if (instance(id, c).State.Name === state) {
        const hit = [...log].reverse().find((e) => e.event.type === "InstanceStateChanged" && (e.event as Any).instanceId === id && (e.event as Any).state === state);
        return hit ? hit.at : sb.now;
      }
      sb.advance(1000);
    }
    throw new Error(`${id} did not reach ${state}`);
  };
  const launch = (input: Record<string, unknown>, c: CallContext = ctx): string => {
    const out = call("RunInstances", { MinCount: 1, MaxCount: 1, InstanceType: "t3.micro", ...input }, c);
    return out.Instances[0].InstanceId;
  };
  const sh = (id: string, command: string, c: CallContext = ctx): { Output: string; ExitCode: number } => call("GuestRun", { InstanceId: id, Command: command }, c);
  const imageAvailable = (id: string, c: CallContext = ctx) => {
    for (let i = 0; i < 3600; i++) {
      if (call("DescribeImages", { ImageIds: [id] }, c).Images[0].State === "available") return;
      sb.advance(5_000);
    }
    throw new Error(`${id} never became available`);
  };
  const line = (resourceId: string, kind: string, accountId?: string) => sb.costReport(accountId).lines.find((l) => l.resourceId === resourceId && l.kind === kind);
  return { sb, log, ctx, other, call, fail, imageId, instance, until, launch, sh, imageAvailable, line };
}

/** An SSH-ready setup: a key pair and a group that lets TCP 22 in from MY_IP. */
function sshReady(w: ReturnType<typeof world>, c: CallContext = w.ctx, ip = MY_IP) {
  const key = w.call("CreateKeyPair", { KeyName: `k-${c.accountId}` }, c);
  const sg = w.call("CreateSecurityGroup", { GroupName: `ssh-${c.accountId}`, Description: "ssh" }, c);
  w.call("AuthorizeSecurityGroupIngress", { GroupId: sg.GroupId, IpPermissions: [{ IpProtocol: "tcp", FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: `${ip}/32` }] }] }, c);
  return { keyName: key.KeyName as string, privateKey: key.KeyMaterial as string, groupId: sg.GroupId as string };
}

describe("R14 attributes change only while an EBS-backed instance is stopped", () => {
  it("R14 instance type and user data: IncorrectInstanceState while running, accepted when stopped, and the next start runs (and bills) the new type", () => {
    const w = world("r14-modify");
    const id = w.launch({ ImageId: w.imageId(AL2023), UserData: Buffer.from("#!/bin/bash\necho v1\n").toString("base64") });
    const run1Start = w.until(id, "running");

    for (const input of [{ InstanceType: { Value: "t3.large" } }, { UserData: { Value: Buffer.from("echo v2\n") } }, { Attribute: "instanceType", Value: "t3.large" }]) {
      const err = w.fail("ModifyInstanceAttribute", { InstanceId: id, ...input });
      expect(err.code).toBe("IncorrectInstanceState");
      expect(err.message).toContain("stopped");
    }
    expect(w.call("DescribeInstanceAttribute", { InstanceId: id, Attribute: "instanceType" }).InstanceType.Value).toBe("t3.micro");

    w.sb.advance(300_000);
    w.call("StopInstances", { InstanceIds: [id] });
    const run1End = w.sb.now;
    w.until(id, "stopped");
    w.call("ModifyInstanceAttribute", { InstanceId: id, InstanceType: { Value: "t3.large" } });
    w.call("ModifyInstanceAttribute", { InstanceId: id, UserData: { Value: Buffer.from("#!/bin/bash\necho v2\n") } });
    expect(w.call("DescribeInstanceAttribute", { InstanceId: id, Attribute: "instanceType" }).InstanceType.Value).toBe("t3.large");
    expect(Buffer.from(w.call("DescribeInstanceAttribute", { InstanceId: id, Attribute: "userData" }).UserData.Value, "base64").toString()).toBe("#!/bin/bash\necho v2\n");
    // Another architecture is refused even while stopped.
    expect(w.fail("ModifyInstanceAttribute", { InstanceId: id, InstanceType: { Value: "t4g.micro" } }).code).toBe("InvalidParameterValue");

    w.call("StartInstances", { InstanceIds: [id] });
    const run2Start = w.until(id, "running");
    expect(w.instance(id).InstanceType).toBe("t3.large");
    expect(w.sh(id, "curl -s http://169.254.169.254/latest/meta-data/instance-type").Output).toBe("t3.large");
    // cloud-init fetched the new user data at this boot.
    expect(w.sh(id, "sudo cat /var/lib/cloud/instance/user-data.txt").Output).toBe("#!/bin/bash\necho v2\n");

    w.sb.advance(600_000);
    const l = w.line(id, "instance")!;
    const s1 = Math.max(60, Math.floor((run1End - run1Start) / 1000));
    const s2 = Math.floor((w.sb.now - run2Start) / 1000);
    expect(l.detail).toBe(`t3.micro ${s1}s, t3.large ${s2}s`);
    expect(l.quantity).toBe(s1 + s2);
    expect(l.usd).toBeCloseTo((s1 / 3600) * hourly("t3.micro") + (s2 / 3600) * hourly("t3.large"), 12);
  });

  it("R14 instance-store-backed instances keep their attributes for life", () => {
    const w = world("r14-instance-store");
    const id = w.launch({ ImageId: w.imageId(DEBIAN_INSTANCE_STORE), InstanceType: "m3.medium" });
    w.until(id, "running");
    for (const input of [{ InstanceType: { Value: "m3.large" } }, { UserData: { Value: Buffer.from("x") } }, { Kernel: { Value: "aki-12345678" } }]) {
      const err = w.fail("ModifyInstanceAttribute", { InstanceId: id, ...input });
      expect(err.code).toBe("UnsupportedOperation");
      expect(err.message).toMatch(/instance-store/);
    }
    // …and such an instance can never be stopped to make them changeable.
    expect(w.fail("StopInstances", { InstanceIds: [id] }).code).toBe("UnsupportedOperation");
    expect(w.instance(id).InstanceType).toBe("m3.medium");
  });
});

describe("R15 instance store data lives only as long as the instance; EBS persists", () => {
  it("R15 files on /media/ephemeral0 are gone after stop/start, files on the EBS root stay; terminate deletes the root and keeps a DeleteOnTermination=false volume", () => {
    const w = world("r15");
    const id = w.launch({
      ImageId: w.imageId(AL2023), InstanceType: "m5d.large",
      BlockDeviceMappings: [{ DeviceName: "/dev/sdf", Ebs: { VolumeSize: 20, VolumeType: "gp3", DeleteOnTermination: false } }],
    });
    w.until(id, "running");
    expect(w.sh(id, "echo scratch | sudo tee /media/ephemeral0/scratch.txt").ExitCode).toBe(0);
    expect(w.sh(id, "echo keep > /home/ec2-user/keep.txt").ExitCode).toBe(0);
    expect(w.sh(id, "cat /media/ephemeral0/scratch.txt").Output).toBe("scratch\n");

    w.call("StopInstances", { InstanceIds: [id] });
    w.until(id, "stopped");
    w.call("StartInstances", { InstanceIds: [id] });
    w.until(id, "running");
    const gone = w.sh(id, "cat /media/ephemeral0/scratch.txt");
    expect(gone.ExitCode).not.toBe(0);
    expect(gone.Output).toContain("No such file or directory");
    expect(w.sh(id, "cat /home/ec2-user/keep.txt").Output).toBe("keep\n");

    const bdm = w.instance(id).BlockDeviceMappings as Any[];
    const root = bdm.find((b) => b.DeviceName === "/dev/xvda")!;
    const data = bdm.find((b) => b.DeviceName === "/dev/sdf")!;
    expect(root.Ebs.DeleteOnTermination).toBe(true);
    expect(data.Ebs.DeleteOnTermination).toBe(false);
    // A volume attached later persists by default too.
    const extra = w.call("CreateVolume", { AvailabilityZone: w.instance(id).Placement.AvailabilityZone, Size: 5 });
    w.sb.advance(10_000);
    w.call("AttachVolume", { VolumeId: extra.VolumeId, InstanceId: id, Device: "/dev/sdg" });

    w.call("TerminateInstances", { InstanceIds: [id] });
    w.until(id, "terminated");
    expect(w.fail("DescribeVolumes", { VolumeIds: [root.Ebs.VolumeId] }).code).toBe("InvalidVolume.NotFound");
    const left = w.call("DescribeVolumes", { VolumeIds: [data.Ebs.VolumeId, extra.VolumeId] }).Volumes;
    expect(left.map((v: Any) => [v.VolumeId, v.State, v.Attachments.length])).toEqual([
      [data.Ebs.VolumeId, "available", 0],
      [extra.VolumeId, "available", 0],
    ]);
  });

  it("R15 DeleteOnTermination=false on the root keeps the root volume, with its files, after termination", () => {
    const w = world("r15-keep-root");
    const id = w.launch({ ImageId: w.imageId(AL2023), BlockDeviceMappings: [{ DeviceName: "/dev/xvda", Ebs: { DeleteOnTermination: false } }] });
    w.until(id, "running");
    w.sh(id, "echo precious > /home/ec2-user/notes.txt");
    const rootVol = w.instance(id).BlockDeviceMappings[0].Ebs.VolumeId;
    w.call("TerminateInstances", { InstanceIds: [id] });
    w.until(id, "terminated");
    expect(w.call("DescribeVolumes", { VolumeIds: [rootVol] }).Volumes[0].State).toBe("available");
    // Its files are still there: snapshot it, register an AMI from the snapshot, boot it and look.
    const snap = w.call("CreateSnapshot", { VolumeId: rootVol });
    w.sb.advance(600_000);
    const img = w.call("RegisterImage", { Name: "from-kept-root", RootDeviceName: "/dev/xvda", Architecture: "x86_64", BlockDeviceMappings: [{ DeviceName: "/dev/xvda", Ebs: { SnapshotId: snap.SnapshotId } }] });
    w.imageAvailable(img.ImageId);
    const id2 = w.launch({ ImageId: img.ImageId });
    w.until(id2, "running");
    expect(w.sh(id2, "cat /home/ec2-user/notes.txt").Output).toBe("precious\n");
  });
});

describe("R16 root device size limits", () => {
  it("R16 an EBS root can be at most 64 TiB", () => {
    const w = world("r16-ebs");
    const ami = w.imageId(AL2023);
    const big = w.fail("RunInstances", { ImageId: ami, InstanceType: "t3.micro", MinCount: 1, MaxCount: 1, BlockDeviceMappings: [{ DeviceName: "/dev/xvda", Ebs: { VolumeSize: 65537, VolumeType: "io2", Iops: 3000 } }] });
    expect(big.code).toBe("InvalidBlockDeviceMapping");
    expect(big.message).toContain("64 TiB");
    const id = w.launch({ ImageId: ami, BlockDeviceMappings: [{ DeviceName: "/dev/xvda", Ebs: { VolumeSize: 65536, VolumeType: "io2", Iops: 3000 } }] });
    const vol = w.call("DescribeVolumes", { Filters: [{ Name: "attachment.instance-id", Values: [id] }] }).Volumes[0];
    expect([vol.Size, vol.VolumeType]).toEqual([65536, "io2"]);
    // The guest sees the room: 20 GiB fits on the 64 TiB root but not on the AMI's default 8 GiB one.
    const small = w.launch({ ImageId: ami });
    w.until(id, "running");
    w.until(small, "running");
    expect(w.sh(id, "sudo fallocate -l 20G /var/data.img").ExitCode).toBe(0);
    expect(w.sh(small, "sudo fallocate -l 20G /var/data.img").Output).toContain("No space left on device");
  });

  it("R16 an instance-store root holds at most 10 GiB", () => {
    const w = world("r16-instance-store");
    const id = w.launch({ ImageId: w.imageId(DEBIAN_INSTANCE_STORE), InstanceType: "m3.medium" });
    w.until(id, "running");
    const df = w.sh(id, "df -h /").Output;
    const size = /\/dev\/root\s+([\d.]+)G/.exec(df)![1]!;
    expect(Number(size)).toBeLessThanOrEqual(10);
    const full = w.sh(id, "sudo fallocate -l 11G /var/big.img");
    expect(full.ExitCode).not.toBe(0);
    expect(full.Output).toContain("No space left on device");
    expect(w.sh(id, "sudo fallocate -l 1G /var/ok.img").ExitCode).toBe(0);
    expect(w.sh(id, "ls -l /var/ok.img").Output).toContain(String(GIB));
  });
});

describe("R17 lazily loaded root volumes", () => {
  it("R17 the root volume restored from the AMI's snapshot is usable at once and reports initialization until its blocks are fetched", () => {
    const w = world("r17");
    const id = w.launch({ ImageId: w.imageId(AL2023) });
    w.until(id, "running");
    const rootVol = w.instance(id).BlockDeviceMappings[0].Ebs.VolumeId;
    // Usable at once…
    expect(w.sh(id, "cat /etc/os-release").Output).toContain("Amazon Linux");
    // …while the blocks are still being fetched.
    const early = w.call("DescribeVolumeStatus", { VolumeIds: [rootVol] }).VolumeStatuses[0];
    expect(early.VolumeStatus.Details).toContainEqual({ Name: "initialization-state", Status: "initializing" });
    expect(early.InitializationStatusDetails.InitializationType).toBe("default");
    expect(early.InitializationStatusDetails.Progress).toBeGreaterThanOrEqual(0);
    expect(early.InitializationStatusDetails.Progress).toBeLessThan(100);
    expect(w.call("DescribeVolumeStatus", { Filters: [{ Name: "volume-status.details-status", Values: ["initializing"] }] }).VolumeStatuses.map((s: Any) => s.VolumeId)).toEqual([rootVol]);

    w.sb.advance(30 * 60_000);
    const later = w.call("DescribeVolumeStatus", { VolumeIds: [rootVol] }).VolumeStatuses[0];
    expect(later.VolumeStatus.Details).toContainEqual({ Name: "initialization-state", Status: "completed" });
    expect(later.InitializationStatusDetails.Progress).toBe(100);
    expect(later.InitializationStatusDetails.Progress).toBeGreaterThan(early.InitializationStatusDetails.Progress);
  });

  it("R17 a volume from a snapshot initializes lazily; an empty volume has nothing to fetch", () => {
    const w = world("r17-volume");
    const id = w.launch({ ImageId: w.imageId(AL2023) });
    w.until(id, "running");
    const zone = w.instance(id).Placement.AvailabilityZone;
    const snap = w.call("CreateSnapshot", { VolumeId: w.instance(id).BlockDeviceMappings[0].Ebs.VolumeId });
    w.sb.advance(10 * 60_000);
    const fromSnap = w.call("CreateVolume", { AvailabilityZone: zone, SnapshotId: snap.SnapshotId });
    const empty = w.call("CreateVolume", { AvailabilityZone: zone, Size: 8 });
    w.sb.advance(10_000);
    const st = w.call("DescribeVolumeStatus", { VolumeIds: [fromSnap.VolumeId, empty.VolumeId] }).VolumeStatuses;
    const a = st.find((s: Any) => s.VolumeId === fromSnap.VolumeId);
    const b = st.find((s: Any) => s.VolumeId === empty.VolumeId);
    expect(a.VolumeStatus.Details).toContainEqual({ Name: "initialization-state", Status: "initializing" });
    expect(b.InitializationStatusDetails).toBeUndefined();
    expect(b.VolumeStatus.Details.map((d: Any) => d.Name)).not.toContain("initialization-state");
    expect(b.VolumeStatus.Status).toBe("ok");
  });
});
