/**
 * Issue #3 "Must show", rules R14–R26: each `it` starts with its rule ID and drives the sandbox only
 * through its public API (`Sandbox.call`, `advance`, `costReport`), asserting what a user sees.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  type CallContext,
  type EventEnvelope,
  INSTANCE_TYPES,
  REGIONS,
  Sandbox,
  SECONDS_PER_MONTH,
  STORAGE_PRICES,
} from "../src/index.ts";

const REGION = "us-east-1";
const ME = "111122223333";
const OTHER = "444455556666";
const MY_IP = "203.0.113.10";
const GIB = 1024 ** 3;
const AL2023 = "al2023-ami-2023.6.20241212.0-kernel-6.1-x86_64";
const NGINX_PLUS = "nginx-plus-r33-al2023-x86_64-cis-l1-*";
const DEBIAN_INSTANCE_STORE = "debian-12-instance-store-x86_64-20241015";

/** USD per hour of a type in a region, from the price table (R4, R22). */
const hourly = (type: string, region = REGION) =>
  INSTANCE_TYPES.get(type)!.onDemandUsdPerHour * REGIONS.find((r) => r.regionName === region)!.priceFactor;

type Any = any;

function world(seed: string) {
  const sb = new Sandbox({ seed, realNow: () => 0 });
  sb.createAccount({ accountId: ME, callerIp: MY_IP });
  sb.createAccount({ accountId: OTHER, callerIp: "198.51.100.20" });
  const log: EventEnvelope[] = [];
  sb.subscribe((evs) => log.push(...evs));
  const ctx: CallContext = { accountId: ME, region: REGION };
  const other: CallContext = { accountId: OTHER, region: REGION };
  const call = (action: string, input: Record<string, unknown> = {}, c: CallContext = ctx): Any =>
    sb.call(c, action, input).output;
  const fail = (
    action: string,
    input: Record<string, unknown>,
    c: CallContext = ctx,
  ): { code: string; message: string } => {
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
  const instance = (id: string, c: CallContext = ctx): Any =>
    call("DescribeInstances", { InstanceIds: [id] }, c).Reservations[0].Instances[0];
  /** Steps the clock a second at a time until the instance reaches `state`; returns when it did. */
  const until = (id: string, state: string, c: CallContext = ctx, limitMs = 600_000): number => {
    for (let waited = 0; waited <= limitMs; waited += 1000) {
      if (instance(id, c).State.Name === state) {
        const hit = [...log]
          .reverse()
          .find(
            (e) =>
              e.event.type === "InstanceStateChanged" &&
              (e.event as Any).instanceId === id &&
              (e.event as Any).state === state,
          );
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
  const sh = (id: string, command: string, c: CallContext = ctx): { Output: string; ExitCode: number } =>
    call("GuestRun", { InstanceId: id, Command: command }, c);
  const imageAvailable = (id: string, c: CallContext = ctx) => {
    for (let i = 0; i < 3600; i++) {
      if (call("DescribeImages", { ImageIds: [id] }, c).Images[0].State === "available") return;
      sb.advance(5_000);
    }
    throw new Error(`${id} never became available`);
  };
  const line = (resourceId: string, kind: string, accountId?: string) =>
    sb.costReport(accountId).lines.find((l) => l.resourceId === resourceId && l.kind === kind);
  return { sb, log, ctx, other, call, fail, imageId, instance, until, launch, sh, imageAvailable, line };
}

/** An SSH-ready setup: a key pair and a group that lets TCP 22 in from MY_IP. */
function sshReady(w: ReturnType<typeof world>, c: CallContext = w.ctx, ip = MY_IP) {
  const key = w.call("CreateKeyPair", { KeyName: `k-${c.accountId}` }, c);
  const sg = w.call("CreateSecurityGroup", { GroupName: `ssh-${c.accountId}`, Description: "ssh" }, c);
  w.call(
    "AuthorizeSecurityGroupIngress",
    {
      GroupId: sg.GroupId,
      IpPermissions: [{ IpProtocol: "tcp", FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: `${ip}/32` }] }],
    },
    c,
  );
  return { keyName: key.KeyName as string, privateKey: key.KeyMaterial as string, groupId: sg.GroupId as string };
}

describe("R14 attributes change only while an EBS-backed instance is stopped", () => {
  it("R14 instance type and user data: IncorrectInstanceState while running, accepted when stopped, and the next start runs (and bills) the new type", () => {
    const w = world("r14-modify");
    const id = w.launch({
      ImageId: w.imageId(AL2023),
      UserData: Buffer.from("#!/bin/bash\necho v1\n").toString("base64"),
    });
    const run1Start = w.until(id, "running");

    for (const input of [
      { InstanceType: { Value: "t3.large" } },
      { UserData: { Value: Buffer.from("echo v2\n") } },
      { Attribute: "instanceType", Value: "t3.large" },
    ]) {
      const err = w.fail("ModifyInstanceAttribute", { InstanceId: id, ...input });
      expect(err.code).toBe("IncorrectInstanceState");
      expect(err.message).toContain("stopped");
    }
    expect(w.call("DescribeInstanceAttribute", { InstanceId: id, Attribute: "instanceType" }).InstanceType.Value).toBe(
      "t3.micro",
    );

    w.sb.advance(300_000);
    w.call("StopInstances", { InstanceIds: [id] });
    const run1End = w.sb.now;
    w.until(id, "stopped");
    w.call("ModifyInstanceAttribute", { InstanceId: id, InstanceType: { Value: "t3.large" } });
    w.call("ModifyInstanceAttribute", { InstanceId: id, UserData: { Value: Buffer.from("#!/bin/bash\necho v2\n") } });
    expect(w.call("DescribeInstanceAttribute", { InstanceId: id, Attribute: "instanceType" }).InstanceType.Value).toBe(
      "t3.large",
    );
    expect(
      Buffer.from(
        w.call("DescribeInstanceAttribute", { InstanceId: id, Attribute: "userData" }).UserData.Value,
        "base64",
      ).toString(),
    ).toBe("#!/bin/bash\necho v2\n");
    // Another architecture is refused even while stopped.
    expect(w.fail("ModifyInstanceAttribute", { InstanceId: id, InstanceType: { Value: "t4g.micro" } }).code).toBe(
      "InvalidParameterValue",
    );

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
    for (const input of [
      { InstanceType: { Value: "m3.large" } },
      { UserData: { Value: Buffer.from("x") } },
      { Kernel: { Value: "aki-12345678" } },
    ]) {
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
      ImageId: w.imageId(AL2023),
      InstanceType: "m5d.large",
      BlockDeviceMappings: [
        { DeviceName: "/dev/sdf", Ebs: { VolumeSize: 20, VolumeType: "gp3", DeleteOnTermination: false } },
      ],
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
    const id = w.launch({
      ImageId: w.imageId(AL2023),
      BlockDeviceMappings: [{ DeviceName: "/dev/xvda", Ebs: { DeleteOnTermination: false } }],
    });
    w.until(id, "running");
    w.sh(id, "echo precious > /home/ec2-user/notes.txt");
    const rootVol = w.instance(id).BlockDeviceMappings[0].Ebs.VolumeId;
    w.call("TerminateInstances", { InstanceIds: [id] });
    w.until(id, "terminated");
    expect(w.call("DescribeVolumes", { VolumeIds: [rootVol] }).Volumes[0].State).toBe("available");
    // Its files are still there: snapshot it, register an AMI from the snapshot, boot it and look.
    const snap = w.call("CreateSnapshot", { VolumeId: rootVol });
    w.sb.advance(600_000);
    const img = w.call("RegisterImage", {
      Name: "from-kept-root",
      RootDeviceName: "/dev/xvda",
      Architecture: "x86_64",
      BlockDeviceMappings: [{ DeviceName: "/dev/xvda", Ebs: { SnapshotId: snap.SnapshotId } }],
    });
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
    const big = w.fail("RunInstances", {
      ImageId: ami,
      InstanceType: "t3.micro",
      MinCount: 1,
      MaxCount: 1,
      BlockDeviceMappings: [{ DeviceName: "/dev/xvda", Ebs: { VolumeSize: 65537, VolumeType: "io2", Iops: 3000 } }],
    });
    expect(big.code).toBe("InvalidBlockDeviceMapping");
    expect(big.message).toContain("64 TiB");
    const id = w.launch({
      ImageId: ami,
      BlockDeviceMappings: [{ DeviceName: "/dev/xvda", Ebs: { VolumeSize: 65536, VolumeType: "io2", Iops: 3000 } }],
    });
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
    expect(
      w
        .call("DescribeVolumeStatus", { Filters: [{ Name: "volume-status.details-status", Values: ["initializing"] }] })
        .VolumeStatuses.map((s: Any) => s.VolumeId),
    ).toEqual([rootVol]);

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

const sshString = (b: Buffer) => {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(b.length);
  return Buffer.concat([len, b]);
};
const mpint = (b: Buffer) => sshString(b[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), b]) : b);
const colonHex = (b: Buffer) => b.toString("hex").match(/../g)!.join(":");

describe("R18 key pairs and SSH login", () => {
  it("R18 CreateKeyPair returns the private key once, DescribeKeyPairs never; fingerprints are SHA-1 of PKCS#8 DER (RSA) and base64 SHA-256 (ed25519)", () => {
    const w = world("r18-create");
    const rsa = w.call("CreateKeyPair", { KeyName: "rsa-key" });
    expect(rsa.KeyMaterial).toMatch(/^-----BEGIN RSA PRIVATE KEY-----\n[\s\S]+-----END RSA PRIVATE KEY-----\n?$/);
    expect(rsa.KeyPairId).toMatch(/^key-[0-9a-f]{17}$/);
    const pkcs8 = createPrivateKey(rsa.KeyMaterial).export({ type: "pkcs8", format: "der" });
    expect(rsa.KeyFingerprint).toBe(colonHex(createHash("sha1").update(pkcs8).digest()));

    const ed = w.call("CreateKeyPair", { KeyName: "ed-key", KeyType: "ed25519" });
    const x = Buffer.from(createPublicKey(createPrivateKey(ed.KeyMaterial)).export({ format: "jwk" }).x!, "base64url");
    const blob = Buffer.concat([sshString(Buffer.from("ssh-ed25519")), sshString(x)]);
    expect(ed.KeyFingerprint.replace(/=+$/, "")).toBe(
      createHash("sha256").update(blob).digest("base64").replace(/=+$/, ""),
    );

    const listed = w.call("DescribeKeyPairs", { IncludePublicKey: true }).KeyPairs as Any[];
    expect(listed.map((k) => [k.KeyName, k.KeyFingerprint, k.KeyType])).toEqual([
      ["rsa-key", rsa.KeyFingerprint, "rsa"],
      ["ed-key", ed.KeyFingerprint, "ed25519"],
    ]);
    expect(listed[1].PublicKey).toBe(`ssh-ed25519 ${blob.toString("base64")} ed-key`);
    for (const k of [...listed, ...w.call("DescribeKeyPairs", { KeyNames: ["rsa-key"] }).KeyPairs])
      expect(k.KeyMaterial).toBeUndefined();
    expect(JSON.stringify(w.call("DescribeKeyPairs", { IncludePublicKey: true }))).not.toContain("PRIVATE KEY");
    // A second CreateKeyPair cannot fetch it again either: the name is taken.
    expect(w.fail("CreateKeyPair", { KeyName: "rsa-key" }).code).toBe("InvalidKeyPair.Duplicate");
  });

  it("R18 ImportKeyPair takes an OpenSSH public key (MD5 of the public DER as fingerprint); SSH works with its private key and fails with another", () => {
    const w = world("r18-import");
    const mine = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const jwk = mine.publicKey.export({ format: "jwk" });
    const blob = Buffer.concat([
      sshString(Buffer.from("ssh-rsa")),
      mpint(Buffer.from(jwk.e!, "base64url")),
      mpint(Buffer.from(jwk.n!, "base64url")),
    ]);
    const openssh = `ssh-rsa ${blob.toString("base64")} me@laptop`;
    const imported = w.call("ImportKeyPair", { KeyName: "laptop", PublicKeyMaterial: Buffer.from(openssh) });
    expect(imported.KeyFingerprint).toBe(
      colonHex(
        createHash("md5")
          .update(mine.publicKey.export({ type: "spki", format: "der" }))
          .digest(),
      ),
    );
    expect(imported.KeyMaterial).toBeUndefined();
    expect(w.fail("ImportKeyPair", { KeyName: "junk", PublicKeyMaterial: Buffer.from("ssh-rsa not-a-key") }).code).toBe(
      "InvalidKey.Format",
    );

    const sg = w.call("CreateSecurityGroup", { GroupName: "ssh", Description: "ssh" });
    w.call("AuthorizeSecurityGroupIngress", {
      GroupId: sg.GroupId,
      IpPermissions: [{ IpProtocol: "tcp", FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: `${MY_IP}/32` }] }],
    });
    const id = w.launch({ ImageId: w.imageId(AL2023), KeyName: "laptop", SecurityGroupIds: [sg.GroupId] });
    w.until(id, "running");
    const pem = mine.privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    const session = w.call("SshConnect", { InstanceId: id, PrivateKey: pem });
    expect(session).toMatchObject({ User: "ec2-user", Host: w.instance(id).PublicIpAddress });
    // EC2 injected the public key at first boot; there is no password to fall back on.
    expect(w.sh(id, "cat /home/ec2-user/.ssh/authorized_keys").Output).toContain(blob.toString("base64"));

    const stranger = w.call("CreateKeyPair", { KeyName: "someone-else" });
    const wrong = w.fail("SshConnect", { InstanceId: id, PrivateKey: stranger.KeyMaterial });
    expect(wrong.code).toBe("SshPermissionDenied");
    expect(wrong.message).toContain("Permission denied (publickey)");
    expect(wrong.message).toContain("'laptop'");
    expect(w.fail("SshConnect", { InstanceId: id }).code).toBe("SshPermissionDenied");
  });
});

describe("R19 security groups and the SSH checks", () => {
  it("R19 a new group is closed inbound and open outbound; a duplicate rule is refused", () => {
    const w = world("r19-groups");
    const sg = w.call("CreateSecurityGroup", { GroupName: "web", Description: "web" });
    const g = w.call("DescribeSecurityGroups", { GroupIds: [sg.GroupId] }).SecurityGroups[0];
    expect(g.IpPermissions).toEqual([]);
    expect(g.IpPermissionsEgress).toHaveLength(1);
    expect(g.IpPermissionsEgress[0]).toMatchObject({ IpProtocol: "-1", IpRanges: [{ CidrIp: "0.0.0.0/0" }] });
    const rule = {
      GroupId: sg.GroupId,
      IpPermissions: [{ IpProtocol: "tcp", FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: `${MY_IP}/32` }] }],
    };
    w.call("AuthorizeSecurityGroupIngress", rule);
    const dup = w.fail("AuthorizeSecurityGroupIngress", rule);
    expect(dup.code).toBe("InvalidPermission.Duplicate");
    expect(dup.message).toContain(`${MY_IP}/32`);
    expect(
      w.fail("AuthorizeSecurityGroupEgress", {
        GroupId: sg.GroupId,
        IpPermissions: [{ IpProtocol: "-1", IpRanges: [{ CidrIp: "0.0.0.0/0" }] }],
      }).code,
    ).toBe("InvalidPermission.Duplicate");
    expect(w.call("DescribeSecurityGroups", { GroupIds: [sg.GroupId] }).SecurityGroups[0].IpPermissions).toEqual([
      expect.objectContaining({ IpProtocol: "tcp", FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: `${MY_IP}/32` }] }),
    ]);
  });

  it("R19 SSH says which check failed: not running, no public IP, no rule for TCP 22 from the caller's IP, wrong key", () => {
    const w = world("r19-ssh");
    const key = w.call("CreateKeyPair", { KeyName: "k" });
    const sg = w.call("CreateSecurityGroup", { GroupName: "closed", Description: "nothing in" });
    const id = w.launch({ ImageId: w.imageId(AL2023), KeyName: "k", SecurityGroupIds: [sg.GroupId] });
    const ssh = (extra: Record<string, unknown> = {}) =>
      w.fail("SshConnect", { InstanceId: id, PrivateKey: key.KeyMaterial, ...extra });

    const pending = ssh();
    expect(pending.code).toBe("SshConnectionTimedOut");
    expect(pending.message).toContain("the instance is pending, not running");

    w.until(id, "running");
    const blocked = ssh();
    expect(blocked.code).toBe("SshConnectionTimedOut");
    expect(blocked.message).toContain(`no rule in ${sg.GroupId} allows TCP 22 from your IP ${MY_IP}`);
    // A rule for someone else's network, or for another port, does not help.
    w.call("AuthorizeSecurityGroupIngress", {
      GroupId: sg.GroupId,
      IpPermissions: [
        { IpProtocol: "tcp", FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: "198.51.100.0/24" }] },
        { IpProtocol: "tcp", FromPort: 80, ToPort: 80, IpRanges: [{ CidrIp: "0.0.0.0/0" }] },
      ],
    });
    expect(ssh().message).toContain("allows TCP 22 from your IP");
    w.call("AuthorizeSecurityGroupIngress", {
      GroupId: sg.GroupId,
      IpPermissions: [{ IpProtocol: "tcp", FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: `${MY_IP}/32` }] }],
    });
    expect(w.call("SshConnect", { InstanceId: id, PrivateKey: key.KeyMaterial }).Host).toBe(
      w.instance(id).PublicIpAddress,
    );
    // The caller's IP decides: someone in 198.51.100.0/24 gets in too, 192.0.2.1 does not.
    expect(w.call("SshConnect", { InstanceId: id, PrivateKey: key.KeyMaterial, SourceIp: "198.51.100.77" }).User).toBe(
      "ec2-user",
    );
    expect(ssh({ SourceIp: "192.0.2.1" }).message).toContain("from your IP 192.0.2.1");

    const wrong = ssh({ PrivateKey: w.call("CreateKeyPair", { KeyName: "other" }).KeyMaterial });
    expect(wrong.code).toBe("SshPermissionDenied");
    expect(wrong.message).toContain("not the private key of key pair 'k'");

    // Revoking the rule closes the door again.
    w.call("RevokeSecurityGroupIngress", {
      GroupId: sg.GroupId,
      IpPermissions: [{ IpProtocol: "tcp", FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: `${MY_IP}/32` }] }],
    });
    expect(ssh().code).toBe("SshConnectionTimedOut");
    w.call("AuthorizeSecurityGroupIngress", {
      GroupId: sg.GroupId,
      IpPermissions: [{ IpProtocol: "tcp", FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: `${MY_IP}/32` }] }],
    });

    w.call("StopInstances", { InstanceIds: [id] });
    w.until(id, "stopped");
    expect(ssh().message).toContain("the instance is stopped, not running");

    // No public address: the check names it, and an Elastic IP fixes it.
    const hidden = w.launch({
      ImageId: w.imageId(AL2023),
      KeyName: "k",
      NetworkInterfaces: [{ DeviceIndex: 0, AssociatePublicIpAddress: false, Groups: [sg.GroupId] }],
    });
    w.until(hidden, "running");
    expect(w.instance(hidden).PublicIpAddress).toBeUndefined();
    const noIp = w.fail("SshConnect", { InstanceId: hidden, PrivateKey: key.KeyMaterial });
    expect(noIp.code).toBe("SshNoPublicAddress");
    expect(noIp.message).toContain("no public IPv4 address");
    const eip = w.call("AllocateAddress", { Domain: "vpc" });
    w.call("AssociateAddress", { AllocationId: eip.AllocationId, InstanceId: hidden });
    expect(w.call("SshConnect", { InstanceId: hidden, PrivateKey: key.KeyMaterial }).Host).toBe(eip.PublicIp);
  });
});

describe("R20 Elastic IPs", () => {
  it("R20 allocate, associate; stop/start keeps the Elastic IP while an auto-assigned IP changes; move to another instance; release", () => {
    const w = world("r20");
    const ami = w.imageId(AL2023);
    const a = w.launch({ ImageId: ami });
    const b = w.launch({ ImageId: ami });
    w.until(a, "running");
    w.until(b, "running");
    const autoB = w.instance(b).PublicIpAddress;
    expect(autoB).toMatch(/^\d+\.\d+\.\d+\.\d+$/);

    const eip = w.call("AllocateAddress", { Domain: "vpc" });
    expect(eip.AllocationId).toMatch(/^eipalloc-[0-9a-f]{17}$/);
    const assoc = w.call("AssociateAddress", { AllocationId: eip.AllocationId, InstanceId: a });
    expect(assoc.AssociationId).toMatch(/^eipassoc-[0-9a-f]{17}$/);
    expect(w.instance(a).PublicIpAddress).toBe(eip.PublicIp);
    expect(w.call("DescribeAddresses", { AllocationIds: [eip.AllocationId] }).Addresses[0]).toMatchObject({
      InstanceId: a,
      AssociationId: assoc.AssociationId,
      PublicIp: eip.PublicIp,
    });

    w.call("StopInstances", { InstanceIds: [a, b] });
    w.until(a, "stopped");
    w.until(b, "stopped");
    expect(w.instance(a).PublicIpAddress).toBe(eip.PublicIp);
    expect(w.instance(b).PublicIpAddress).toBeUndefined();
    w.call("StartInstances", { InstanceIds: [a, b] });
    w.until(a, "running");
    w.until(b, "running");
    expect(w.instance(a).PublicIpAddress).toBe(eip.PublicIp);
    expect(w.instance(b).PublicIpAddress).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    expect(w.instance(b).PublicIpAddress).not.toBe(autoB);

    // Move it: b gets the address, a no longer has it.
    const moved = w.call("AssociateAddress", { AllocationId: eip.AllocationId, InstanceId: b });
    expect(w.instance(b).PublicIpAddress).toBe(eip.PublicIp);
    expect(w.instance(a).PublicIpAddress).not.toBe(eip.PublicIp);
    expect(w.call("DescribeAddresses", {}).Addresses[0]).toMatchObject({
      InstanceId: b,
      AssociationId: moved.AssociationId,
    });
    expect(
      w.fail("AssociateAddress", { AllocationId: eip.AllocationId, InstanceId: a, AllowReassociation: false }).code,
    ).toBe("Resource.AlreadyAssociated");

    expect(w.fail("ReleaseAddress", { AllocationId: eip.AllocationId }).code).toBe("InvalidIPAddress.InUse");
    w.call("DisassociateAddress", { AssociationId: moved.AssociationId });
    expect(w.instance(b).PublicIpAddress).not.toBe(eip.PublicIp);
    w.call("ReleaseAddress", { AllocationId: eip.AllocationId });
    expect(w.call("DescribeAddresses", {}).Addresses).toEqual([]);
    expect(w.fail("DescribeAddresses", { AllocationIds: [eip.AllocationId] }).code).toBe(
      "InvalidAllocationID.NotFound",
    );
    // Addresses belong to an account: another account cannot use or see this one.
    const mine = w.call("AllocateAddress", {});
    expect(w.fail("AssociateAddress", { AllocationId: mine.AllocationId, InstanceId: a }, w.other).code).toBe(
      "InvalidAllocationID.NotFound",
    );
  });
});

describe("R21 tags", () => {
  it("R21 tags set at creation and later filter DescribeInstances, Images, Volumes and Snapshots by tag:K, tag-key and tag-value; DeleteTags removes them", () => {
    const w = world("r21");
    const ami = w.imageId(AL2023);
    const web1 = w.launch({
      ImageId: ami,
      TagSpecifications: [
        {
          ResourceType: "instance",
          Tags: [
            { Key: "Name", Value: "web-1" },
            { Key: "env", Value: "prod" },
          ],
        },
        {
          ResourceType: "volume",
          Tags: [
            { Key: "env", Value: "prod" },
            { Key: "role", Value: "root" },
          ],
        },
      ],
    });
    const web2 = w.launch({
      ImageId: ami,
      TagSpecifications: [
        {
          ResourceType: "instance",
          Tags: [
            { Key: "Name", Value: "web-2" },
            { Key: "env", Value: "dev" },
          ],
        },
      ],
    });
    w.until(web1, "running");
    const instances = (filters: Any[]) =>
      (w.call("DescribeInstances", { Filters: filters }).Reservations as Any[])
        .flatMap((r) => r.Instances.map((i: Any) => i.InstanceId))
        .sort();
    expect(instances([{ Name: "tag:env", Values: ["prod"] }])).toEqual([web1]);
    expect(instances([{ Name: "tag:Name", Values: ["web-*"] }])).toEqual([web1, web2].sort());
    expect(instances([{ Name: "tag-key", Values: ["env"] }])).toEqual([web1, web2].sort());
    expect(instances([{ Name: "tag-value", Values: ["dev"] }])).toEqual([web2]);
    expect(
      instances([
        { Name: "tag:env", Values: ["prod", "dev"] },
        { Name: "tag:Name", Values: ["web-2"] },
      ]),
    ).toEqual([web2]);
    expect(w.instance(web1).Tags).toEqual(
      expect.arrayContaining([
        { Key: "Name", Value: "web-1" },
        { Key: "env", Value: "prod" },
      ]),
    );

    const vol1 = w.instance(web1).BlockDeviceMappings[0].Ebs.VolumeId;
    const vol2 = w.instance(web2).BlockDeviceMappings[0].Ebs.VolumeId;
    const volumes = (filters: Any[]) =>
      (w.call("DescribeVolumes", { Filters: filters }).Volumes as Any[]).map((v) => v.VolumeId).sort();
    expect(volumes([{ Name: "tag:role", Values: ["root"] }])).toEqual([vol1]);
    w.call("CreateTags", {
      Resources: [vol2, web2],
      Tags: [
        { Key: "role", Value: "root" },
        { Key: "team", Value: "blue" },
      ],
    });
    expect(volumes([{ Name: "tag:role", Values: ["root"] }])).toEqual([vol1, vol2].sort());
    expect(volumes([{ Name: "tag-value", Values: ["blue"] }])).toEqual([vol2]);
    expect(instances([{ Name: "tag:team", Values: ["blue"] }])).toEqual([web2]);

    const img = w.call("CreateImage", {
      InstanceId: web1,
      Name: "web-image",
      NoReboot: true,
      TagSpecifications: [
        { ResourceType: "image", Tags: [{ Key: "app", Value: "web" }] },
        { ResourceType: "snapshot", Tags: [{ Key: "app", Value: "web-snap" }] },
      ],
    });
    const snap = w.call("CreateSnapshot", {
      VolumeId: vol2,
      TagSpecifications: [{ ResourceType: "snapshot", Tags: [{ Key: "backup", Value: "nightly" }] }],
    });
    const images = (filters: Any[]) =>
      (w.call("DescribeImages", { Owners: ["self"], Filters: filters }).Images as Any[]).map((i) => i.ImageId);
    expect(images([{ Name: "tag:app", Values: ["web"] }])).toEqual([img.ImageId]);
    expect(images([{ Name: "tag-key", Values: ["app"] }])).toEqual([img.ImageId]);
    expect(images([{ Name: "tag:app", Values: ["nope"] }])).toEqual([]);
    const snapshots = (filters: Any[]) =>
      (w.call("DescribeSnapshots", { OwnerIds: ["self"], Filters: filters }).Snapshots as Any[])
        .map((s) => s.SnapshotId)
        .sort();
    const imageSnap = w.call("DescribeImages", { ImageIds: [img.ImageId] }).Images[0].BlockDeviceMappings[0].Ebs
      .SnapshotId;
    expect(snapshots([{ Name: "tag:app", Values: ["web-snap"] }])).toEqual([imageSnap]);
    expect(snapshots([{ Name: "tag-value", Values: ["nightly"] }])).toEqual([snap.SnapshotId]);
    expect(snapshots([{ Name: "tag-key", Values: ["app", "backup"] }])).toEqual([imageSnap, snap.SnapshotId].sort());

    // DescribeTags names each resource by its own ID and type.
    const described = (
      w.call("DescribeTags", { Filters: [{ Name: "key", Values: ["app", "backup"] }] }).Tags as Any[]
    ).map((t) => [t.ResourceId, t.ResourceType, t.Key, t.Value]);
    expect(described).toEqual(
      expect.arrayContaining([
        [img.ImageId, "image", "app", "web"],
        [imageSnap, "snapshot", "app", "web-snap"],
        [snap.SnapshotId, "snapshot", "backup", "nightly"],
      ]),
    );
    expect(described).toHaveLength(3);

    // A value that does not match leaves the tag; no value removes it whatever it is.
    w.call("DeleteTags", { Resources: [web1], Tags: [{ Key: "env", Value: "staging" }] });
    expect(instances([{ Name: "tag:env", Values: ["prod"] }])).toEqual([web1]);
    w.call("DeleteTags", { Resources: [web1], Tags: [{ Key: "env" }] });
    expect(instances([{ Name: "tag:env", Values: ["prod"] }])).toEqual([]);
    expect(instances([{ Name: "tag-key", Values: ["env"] }])).toEqual([web2]);
    w.call("DeleteTags", { Resources: [snap.SnapshotId] });
    expect(snapshots([{ Name: "tag-value", Values: ["nightly"] }])).toEqual([]);
    // Other accounts cannot tag my resources.
    expect(w.fail("CreateTags", { Resources: [web1], Tags: [{ Key: "x", Value: "y" }] }, w.other).code).toBe(
      "InvalidInstanceID.NotFound",
    );
  });

  it("R21 security groups, key pairs and Elastic IPs take tags at creation and filter by them", () => {
    const w = world("r21-more");
    const sg = w.call("CreateSecurityGroup", {
      GroupName: "tagged",
      Description: "t",
      TagSpecifications: [{ ResourceType: "security-group", Tags: [{ Key: "tier", Value: "db" }] }],
    });
    w.call("CreateKeyPair", {
      KeyName: "tagged",
      TagSpecifications: [{ ResourceType: "key-pair", Tags: [{ Key: "owner", Value: "ops" }] }],
    });
    w.call("CreateKeyPair", { KeyName: "plain" });
    const eip = w.call("AllocateAddress", {
      TagSpecifications: [{ ResourceType: "elastic-ip", Tags: [{ Key: "use", Value: "bastion" }] }],
    });
    w.call("AllocateAddress", {});
    expect(
      w
        .call("DescribeSecurityGroups", { Filters: [{ Name: "tag:tier", Values: ["db"] }] })
        .SecurityGroups.map((g: Any) => g.GroupId),
    ).toEqual([sg.GroupId]);
    expect(
      w
        .call("DescribeKeyPairs", { Filters: [{ Name: "tag:owner", Values: ["ops"] }] })
        .KeyPairs.map((k: Any) => k.KeyName),
    ).toEqual(["tagged"]);
    expect(
      w
        .call("DescribeAddresses", { Filters: [{ Name: "tag-key", Values: ["use"] }] })
        .Addresses.map((a: Any) => a.AllocationId),
    ).toEqual([eip.AllocationId]);
  });
});

describe("R22 per-second billing with a one-minute minimum per start", () => {
  it("R22 20 s of running bills 60 s; 3 min 40 s bills 220 s; stopped bills no instance usage but EBS still bills", () => {
    const w = world("r22");
    const id = w.launch({ ImageId: w.imageId(AL2023) });
    const t0 = w.until(id, "running");
    w.sb.advance(t0 + 20_000 - w.sb.now);
    w.call("StopInstances", { InstanceIds: [id] });
    let l = w.line(id, "instance")!;
    expect([l.quantity, l.unit, l.detail]).toEqual([60, "seconds", "t3.micro 60s"]);
    expect(l.usd).toBeCloseTo((60 / 3600) * hourly("t3.micro"), 12);

    w.until(id, "stopped");
    w.call("StartInstances", { InstanceIds: [id] });
    const t1 = w.until(id, "running");
    w.sb.advance(t1 + 220_000 - w.sb.now);
    w.call("StopInstances", { InstanceIds: [id] });
    l = w.line(id, "instance")!;
    expect([l.quantity, l.detail]).toEqual([280, "t3.micro 60s, t3.micro 220s"]);
    expect(l.usd).toBeCloseTo((280 / 3600) * hourly("t3.micro"), 12);

    // Stopped for a day: no instance usage, but the root volume still bills GB-months.
    w.until(id, "stopped");
    const vol = w.call("DescribeVolumes", { Filters: [{ Name: "attachment.instance-id", Values: [id] }] }).Volumes[0];
    const ebsBefore = w.line(vol.VolumeId, "ebs")!.usd;
    w.sb.advance(86_400_000);
    l = w.line(id, "instance")!;
    expect([l.quantity, l.detail]).toEqual([280, "t3.micro 60s, t3.micro 220s"]);
    const ebs = w.line(vol.VolumeId, "ebs")!;
    const months = (w.sb.now - vol.CreateTime.getTime()) / 1000 / SECONDS_PER_MONTH;
    expect(ebs.unit).toBe("GB-month");
    expect(ebs.quantity).toBeCloseTo(vol.Size * months, 12);
    expect(ebs.usd).toBeCloseTo(
      vol.Size * months * (STORAGE_PRICES.ebs as Record<string, number>)[vol.VolumeType]!,
      12,
    );
    expect(ebs.usd).toBeGreaterThan(ebsBefore);
  });

  it("R22 an idle running instance bills every second", () => {
    const w = world("r22-idle");
    const id = w.launch({ ImageId: w.imageId(AL2023), InstanceType: "m5.large" });
    const t0 = w.until(id, "running");
    w.sb.advance(t0 + 2 * 3_600_000 + 17_000 - w.sb.now); // nobody connects, nothing runs
    const l = w.line(id, "instance")!;
    expect(l.quantity).toBe(7217);
    expect(l.usd).toBeCloseTo((7217 / 3600) * hourly("m5.large"), 12);
  });

  it("R22 a Marketplace AMI adds its hourly software charge on top of the instance usage", () => {
    const w = world("r22-marketplace");
    const ami = w.imageId(NGINX_PLUS);
    const entry = w.call("DescribeCatalogEntry", { ImageId: ami });
    expect(entry.SoftwareUsdPerHour).toBeGreaterThan(0);
    const id = w.launch({ ImageId: ami });
    expect(w.instance(id).ProductCodes).toEqual([
      { ProductCodeId: entry.ProductCodes[0].ProductCodeId, ProductCodeType: "marketplace" },
    ]);
    const t0 = w.until(id, "running");
    w.sb.advance(t0 + 3_600_000 - w.sb.now);
    const inst = w.line(id, "instance")!;
    const sw = w.line(id, "software")!;
    expect([inst.quantity, sw.quantity]).toEqual([3600, 3600]);
    expect(inst.usd).toBeCloseTo(hourly("t3.micro"), 12);
    expect(sw.usd).toBeCloseTo(entry.SoftwareUsdPerHour, 12);
    expect(sw.detail).toContain(entry.ProductCodes[0].ProductCodeId);
    // A Quick Start AMI has no software line.
    const free = w.launch({ ImageId: w.imageId(AL2023) });
    w.sb.advance(120_000);
    expect(w.line(free, "instance")).toBeDefined();
    expect(w.line(free, "software")).toBeUndefined();
  });
});

/** Bytes a storage line stands for: GB-months divided by the months it has existed. */
const storedBytes = (quantity: number, since: number, at: number) =>
  (quantity * GIB * SECONDS_PER_MONTH) / ((at - since) / 1000);

describe("R23 storage: full S3 bundles, incremental EBS snapshots, and the cost report", () => {
  it("R23 an instance-store AMI stores its full size in S3 each time: two bundles, two full sizes", () => {
    const w = world("r23-s3");
    const id = w.launch({ ImageId: w.imageId(DEBIAN_INSTANCE_STORE), InstanceType: "m3.medium" });
    w.until(id, "running");
    const bundle = (prefix: string) => {
      expect(w.sh(id, "sudo ec2-bundle-vol -d /tmp").ExitCode).toBe(0);
      expect(w.sh(id, `sudo ec2-upload-bundle -b my-amis/${prefix} -m /tmp/image.manifest.xml`).ExitCode).toBe(0);
      return w.call("RegisterImage", {
        Name: `debian-${prefix}`,
        ImageLocation: `my-amis/${prefix}/image.manifest.xml`,
      }).ImageId as string;
    };
    const v1 = bundle("v1");
    expect(w.sh(id, "sudo fallocate -l 1G /opt/dataset.bin").ExitCode).toBe(0);
    const v2 = bundle("v2");
    w.sb.advance(30 * 86_400_000);
    const report = w.sb.costReport(ME);
    const gib = (imageId: string) => {
      const l = report.lines.find((x) => x.resourceId === imageId && x.kind === "s3")!;
      expect(l.unit).toBe("GB-month");
      const created = Date.parse(w.call("DescribeImages", { ImageIds: [imageId] }).Images[0].CreationDate);
      expect(l.usd).toBeCloseTo(l.quantity * STORAGE_PRICES.s3Standard, 12);
      return storedBytes(l.quantity, created, report.at) / GIB;
    };
    const g1 = gib(v1),
      g2 = gib(v2);
    const df = /\/dev\/root\s+\S+\s+([\d.]+)G/.exec(w.sh(id, "df -h /").Output)!;
    expect(g1).toBeGreaterThanOrEqual(Number(df[1]) - 0.05); // the whole root, not a delta
    expect(g2 - g1).toBeCloseTo(1, 2); // the second bundle holds everything again, plus the new GiB
    expect(report.byKind.snapshot).toBe(0);
    expect(report.byKind.ebs).toBe(0);
  });

  it("R23 an EBS-backed AMI: the first snapshot of my volume is full, a later one stores only the changed blocks", () => {
    const w = world("r23-ebs");
    const id = w.launch({ ImageId: w.imageId(AL2023) });
    w.until(id, "running");
    const img1 = w.call("CreateImage", { InstanceId: id, Name: "app-v1", NoReboot: true });
    w.imageAvailable(img1.ImageId);
    expect(w.sh(id, "fallocate -l 5M /home/ec2-user/data.bin").ExitCode).toBe(0);
    const img2 = w.call("CreateImage", { InstanceId: id, Name: "app-v2", NoReboot: true });
    w.imageAvailable(img2.ImageId);
    w.sb.advance(86_400_000);

    const snapOf = (imageId: string) => {
      const sid = w.call("DescribeImages", { ImageIds: [imageId] }).Images[0].BlockDeviceMappings[0].Ebs.SnapshotId;
      return w.call("DescribeSnapshots", { SnapshotIds: [sid] }).Snapshots[0];
    };
    const s1 = snapOf(img1.ImageId),
      s2 = snapOf(img2.ImageId);
    const report = w.sb.costReport(ME);
    const stored = (s: Any) => {
      const l = report.lines.find((x) => x.resourceId === s.SnapshotId && x.kind === "snapshot")!;
      expect(l.usd).toBeCloseTo(l.quantity * STORAGE_PRICES.snapshot, 12);
      return { bytes: Math.round(storedBytes(l.quantity, s.StartTime.getTime(), report.at)), detail: l.detail };
    };
    const a = stored(s1),
      b = stored(s2);
    expect(a.bytes).toBe(s1.FullSnapshotSizeInBytes);
    expect(a.detail).toContain("(full)");
    expect(s1.FullSnapshotSizeInBytes).toBeGreaterThan(GIB);
    expect(s2.FullSnapshotSizeInBytes).toBe(s1.FullSnapshotSizeInBytes + 5 * 1024 * 1024);
    expect(b.bytes).toBe(5 * 1024 * 1024);
    expect(b.detail).toContain(`incremental on ${s1.SnapshotId}`);
  });

  it("R23 the cost report totals instance seconds, EBS, snapshot and S3 GB-months per resource, per tag and per account", () => {
    const w = world("r23-report");
    const alpha = [{ Key: "Project", Value: "alpha" }];
    const mine = w.launch({
      ImageId: w.imageId(AL2023),
      TagSpecifications: [
        { ResourceType: "instance", Tags: alpha },
        { ResourceType: "volume", Tags: alpha },
      ],
    });
    const theirs = w.launch(
      {
        ImageId: w.imageId(AL2023, w.other),
        TagSpecifications: [{ ResourceType: "instance", Tags: [{ Key: "Project", Value: "beta" }] }],
      },
      w.other,
    );
    w.until(mine, "running");
    w.until(theirs, "running", w.other);
    const vol = w.instance(mine).BlockDeviceMappings[0].Ebs.VolumeId;
    const snap = w.call("CreateSnapshot", {
      VolumeId: vol,
      TagSpecifications: [{ ResourceType: "snapshot", Tags: alpha }],
    });
    const store = w.launch({ ImageId: w.imageId(DEBIAN_INSTANCE_STORE), InstanceType: "m3.medium" });
    w.until(store, "running");
    w.sh(store, "sudo ec2-bundle-vol -d /tmp && sudo ec2-upload-bundle -b reports/b1 -m /tmp/image.manifest.xml");
    const bundled = w.call("RegisterImage", {
      Name: "bundled",
      ImageLocation: "reports/b1/image.manifest.xml",
      TagSpecifications: [{ ResourceType: "image", Tags: alpha }],
    });
    w.sb.advance(6 * 3_600_000);

    const all = w.sb.costReport();
    const sum = (pred: (l: (typeof all.lines)[number]) => boolean) =>
      all.lines.filter(pred).reduce((a, l) => a + l.usd, 0);
    const kinds = (id: string) => all.lines.filter((l) => l.resourceId === id).map((l) => [l.kind, l.unit]);
    expect(kinds(mine)).toContainEqual(["instance", "seconds"]);
    expect(kinds(vol)).toEqual([["ebs", "GB-month"]]);
    expect(kinds(snap.SnapshotId)).toEqual([["snapshot", "GB-month"]]);
    expect(kinds(bundled.ImageId)).toEqual([["s3", "GB-month"]]);
    for (const id of [mine, vol, snap.SnapshotId, bundled.ImageId, theirs])
      expect(all.byResource[id]).toBeCloseTo(
        sum((l) => l.resourceId === id),
        12,
      );
    expect(all.byTag["Project=alpha"]).toBeCloseTo(
      sum(
        (l) =>
          l.resourceId === mine ||
          l.resourceId === vol ||
          l.resourceId === snap.SnapshotId ||
          l.resourceId === bundled.ImageId,
      ),
      12,
    );
    expect(all.byTag["Project=beta"]).toBeCloseTo(
      sum((l) => l.resourceId === theirs),
      12,
    );
    expect(all.byAccount[ME]! + all.byAccount[OTHER]!).toBeCloseTo(all.total, 12);
    const justMe = w.sb.costReport(ME);
    expect(justMe.lines.every((l) => l.accountId === ME)).toBe(true);
    expect(justMe.total).toBeCloseTo(all.byAccount[ME]!, 12);
    expect(justMe.byResource[theirs]).toBeUndefined();
    expect(w.sb.costReport(OTHER).total).toBeCloseTo(all.byAccount[OTHER]!, 12);
  });
});

describe("R24 EC2 Image Builder", () => {
  it("R24 a recipe and a pipeline build tagged AMI versions; a rollback selects an older one", () => {
    const w = world("r24");
    const recipe = w.call("CreateImageRecipe", {
      name: "web",
      semanticVersion: "1.0.0",
      parentImage: w.imageId(AL2023),
      components: [
        { name: "nginx", commands: ["dnf install -y nginx", "systemctl enable nginx"] },
        { name: "page", commands: ["echo '<h1>golden</h1>' > /usr/share/nginx/html/index.html"] },
      ],
    });
    const pipeline = w.call("CreateImagePipeline", { name: "web-golden", imageRecipeArn: recipe.imageRecipeArn });
    const day1 = new Date(w.sb.now).toISOString().slice(0, 10);
    const b1 = w.call("StartImagePipelineExecution", { imagePipelineArn: pipeline.imagePipelineArn });
    w.imageAvailable(b1.imageId);
    w.sb.advance(86_400_000);
    const day2 = new Date(w.sb.now).toISOString().slice(0, 10);
    const b2 = w.call("StartImagePipelineExecution", { imagePipelineArn: pipeline.imagePipelineArn });
    w.imageAvailable(b2.imageId);
    expect([b1.version, b2.version]).toEqual(["1.0.0", "1.0.1"]);
    expect(b1.imageId).not.toBe(b2.imageId);

    const tags = (imageId: string) =>
      Object.fromEntries(
        w.call("DescribeImages", { ImageIds: [imageId] }).Images[0].Tags.map((t: Any) => [t.Key, t.Value]),
      );
    expect(tags(b1.imageId)).toMatchObject({
      Version: "1.0.0",
      BuildDate: day1,
      Purpose: expect.stringContaining("web-golden"),
    });
    expect(tags(b2.imageId)).toMatchObject({ Version: "1.0.1", BuildDate: day2 });
    expect(
      w
        .call("DescribeImages", { Owners: ["self"], Filters: [{ Name: "tag:Version", Values: ["1.0.0"] }] })
        .Images.map((i: Any) => i.ImageId),
    ).toEqual([b1.imageId]);

    let list = w.call("ListImagePipelineImages", { imagePipelineArn: pipeline.imagePipelineArn });
    expect(list.current).toBe("1.0.1");
    expect(list.images.map((i: Any) => [i.version, i.imageId])).toEqual([
      ["1.0.0", b1.imageId],
      ["1.0.1", b2.imageId],
    ]);
    expect(w.call("RollbackImagePipeline", { imagePipelineArn: pipeline.imagePipelineArn, version: "1.0.0" })).toEqual({
      version: "1.0.0",
      imageId: b1.imageId,
    });
    list = w.call("ListImagePipelineImages", { imagePipelineArn: pipeline.imagePipelineArn });
    expect(list.current).toBe("1.0.0");
    expect(list.images.find((i: Any) => i.current).imageId).toBe(b1.imageId);
    expect(
      w.fail("RollbackImagePipeline", { imagePipelineArn: pipeline.imagePipelineArn, version: "9.9.9" }).code,
    ).toBe("InvalidParameterValue");

    // The rolled-back version is a working image: the components' work is in it.
    const id = w.launch({ ImageId: list.images.find((i: Any) => i.current).imageId });
    w.until(id, "running");
    expect(w.sh(id, "systemctl is-active nginx").Output).toBe("active\n");
    expect(w.sh(id, "curl -s http://localhost/").Output).toContain("<h1>golden</h1>");
    // Build instances are gone once the images are made.
    const builders = (
      w.call("DescribeInstances", {
        Filters: [{ Name: "instance-state-name", Values: ["pending", "running", "stopping", "stopped"] }],
      }).Reservations as Any[]
    ).flatMap((r) => r.Instances.map((i: Any) => i.InstanceId));
    expect(builders).toEqual([id]);
  });
});

describe("R24 a failing build", () => {
  it("R24 a component that fails makes a FAILED build: no AMI, no version, the build instance terminated", () => {
    const w = world("r24-fail");
    const recipe = w.call("CreateImageRecipe", {
      name: "broken",
      semanticVersion: "2.0.0",
      parentImage: w.imageId(AL2023),
      components: [
        { name: "nginx", commands: ["dnf install -y nginx"] },
        { name: "typo", commands: ["dnf install -y ngnix"] },
      ],
    });
    const pipeline = w.call("CreateImagePipeline", { name: "broken", imageRecipeArn: recipe.imageRecipeArn });
    const before = w.call("DescribeImages", { Owners: ["self"] }).Images.length;
    const b = w.call("StartImagePipelineExecution", { imagePipelineArn: pipeline.imagePipelineArn });
    expect(b.status).toBe("FAILED");
    expect(b.reason).toMatch(
      /Component typo failed on 'dnf install -y ngnix' \(exit 1\).*Unable to find a match: ngnix/s,
    );
    expect(b.imageId).toBeUndefined();
    expect(w.call("DescribeImages", { Owners: ["self"] }).Images.length).toBe(before);
    expect(w.call("ListImagePipelineImages", { imagePipelineArn: pipeline.imagePipelineArn }).images).toEqual([]);
    w.sb.advance(60_000);
    const states = (w.call("DescribeInstances", {}).Reservations as Any[]).flatMap((r) =>
      r.Instances.map((i: Any) => i.State.Name),
    );
    expect(states).toEqual(["terminated"]);
  });
});

describe("R25 credentials check before sharing", () => {
  it("R25 sharing an AMI whose files hold credentials warns with the file names; a clean AMI shares silently; the other account can read the files", () => {
    const w = world("r25");
    const ami = w.imageId(AL2023);
    const me = sshReady(w);
    const dirty = w.launch({ ImageId: ami, KeyName: me.keyName, SecurityGroupIds: [me.groupId] });
    const clean = w.launch({ ImageId: ami, KeyName: me.keyName, SecurityGroupIds: [me.groupId] });
    w.until(dirty, "running");
    w.until(clean, "running");
    expect(
      w.sh(
        dirty,
        "mkdir -p /home/ec2-user/.aws && printf '[default]\\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\\n' > /home/ec2-user/.aws/credentials",
      ).ExitCode,
    ).toBe(0);
    expect(
      w.sh(
        dirty,
        "printf '-----BEGIN RSA PRIVATE KEY-----\\nMIIEowIBAAKCAQEAexample\\n-----END RSA PRIVATE KEY-----\\n' > /home/ec2-user/.ssh/deploy_key",
      ).ExitCode,
    ).toBe(0);
    const dirtyImg = w.call("CreateImage", { InstanceId: dirty, Name: "with-secrets", NoReboot: true }).ImageId;
    const cleanImg = w.call("CreateImage", { InstanceId: clean, Name: "clean", NoReboot: true }).ImageId;
    w.imageAvailable(dirtyImg);
    w.imageAvailable(cleanImg);

    const shared = w.call("ModifyImageAttribute", {
      ImageId: dirtyImg,
      LaunchPermission: { Add: [{ UserId: OTHER }] },
    });
    expect(shared.Warnings).toHaveLength(2);
    expect(shared.Warnings).toEqual(
      expect.arrayContaining([
        expect.stringContaining("/home/ec2-user/.aws/credentials"),
        expect.stringContaining("/home/ec2-user/.ssh/deploy_key"),
      ]),
    );
    expect(shared.Warnings.find((m: string) => m.includes("credentials"))).toMatch(/AWS access key/);
    expect(shared.Warnings.find((m: string) => m.includes("deploy_key"))).toMatch(/private key/);
    // Making it public warns too.
    expect(
      w.call("ModifyImageAttribute", { ImageId: dirtyImg, LaunchPermission: { Add: [{ Group: "all" }] } }).Warnings,
    ).toHaveLength(2);
    w.call("ModifyImageAttribute", { ImageId: dirtyImg, LaunchPermission: { Remove: [{ Group: "all" }] } });
    expect(
      w.call("ModifyImageAttribute", { ImageId: cleanImg, LaunchPermission: { Add: [{ UserId: OTHER }] } }).Warnings,
    ).toBeUndefined();

    // The other account sees the AMI, launches it with its own key, and reads the files.
    expect(
      w
        .call("DescribeImages", { ExecutableUsers: ["self"] }, w.other)
        .Images.map((i: Any) => i.ImageId)
        .sort(),
    ).toEqual([dirtyImg, cleanImg].sort());
    const them = sshReady(w, w.other, "198.51.100.20");
    const theirs = w.launch({ ImageId: dirtyImg, KeyName: them.keyName, SecurityGroupIds: [them.groupId] }, w.other);
    w.until(theirs, "running", w.other);
    expect(w.call("SshConnect", { InstanceId: theirs, PrivateKey: them.privateKey }, w.other).User).toBe("ec2-user");
    expect(w.sh(theirs, "cat /home/ec2-user/.aws/credentials", w.other).Output).toContain("AKIAIOSFODNN7EXAMPLE");
    expect(w.sh(theirs, "cat /home/ec2-user/.ssh/deploy_key", w.other).Output).toContain("BEGIN RSA PRIVATE KEY");
  });
});

describe("R26 catalog entries: description, getting started, parameters, injected files", () => {
  it("R26 a catalog entry carries a description, a getting-started text, the parameters an instance needs and the files injected at start-up", () => {
    const w = world("r26-entry");
    const ami = w.imageId(NGINX_PLUS);
    const entry = w.call("DescribeCatalogEntry", { ImageId: ami });
    expect(entry.Catalog).toBe("marketplace");
    expect(entry.Description).toBe(w.call("DescribeImages", { ImageIds: [ami] }).Images[0].Description);
    expect(entry.Description).toContain("NGINX Plus");
    expect(entry.GettingStarted).toContain("ec2-user");
    expect(entry.Parameters).toEqual([
      expect.objectContaining({ Name: "SERVER_NAME", Default: "_" }),
      expect.objectContaining({ Name: "ENABLE_API_WRITE", Default: "off" }),
    ]);
    expect(entry.InjectedFiles.map((f: Any) => f.Path)).toEqual([
      "/home/ec2-user/.ssh/authorized_keys",
      "/var/lib/cloud/instance/user-data.txt",
      "/var/lib/cloud/instance/parameters.env",
    ]);
    const plain = w.call("DescribeCatalogEntry", { ImageId: w.imageId(AL2023) });
    expect([plain.Catalog, plain.Parameters, plain.GettingStarted]).toEqual(["quick-start", [], ""]);
    expect(plain.InjectedFiles.map((f: Any) => f.Path)).not.toContain("/var/lib/cloud/instance/parameters.env");
    // My own AMI is listed under My AMIs; another account without launch permission cannot see it at all.
    const src = w.launch({ ImageId: w.imageId(AL2023) });
    w.until(src, "running");
    const own = w.call("CreateImage", { InstanceId: src, Name: "mine", NoReboot: true }).ImageId;
    expect(w.call("DescribeCatalogEntry", { ImageId: own }).Catalog).toBe("my-amis");
    expect(w.fail("DescribeCatalogEntry", { ImageId: own }, w.other).code).toBe("InvalidAMIID.NotFound");
  });

  it("R26 at start-up the SSH public key, the user data and the launch parameters are written into the file system", () => {
    const w = world("r26-inject");
    const ami = w.imageId(NGINX_PLUS);
    const me = sshReady(w);
    const userData = "SERVER_NAME=shop.example.com\nexport OTHER=ignored\n";
    const id = w.launch({
      ImageId: ami,
      KeyName: me.keyName,
      SecurityGroupIds: [me.groupId],
      UserData: Buffer.from(userData).toString("base64"),
    });
    const plain = w.launch({ ImageId: ami, KeyName: me.keyName, SecurityGroupIds: [me.groupId] });
    w.until(id, "running");
    w.until(plain, "running");
    const pub = w
      .call("DescribeKeyPairs", { KeyNames: [me.keyName], IncludePublicKey: true })
      .KeyPairs[0].PublicKey.split(" ")[1];
    expect(w.call("SshConnect", { InstanceId: id, PrivateKey: me.privateKey }).User).toBe("ec2-user");
    expect(w.sh(id, "cat ~/.ssh/authorized_keys").Output).toContain(pub);
    expect(w.sh(id, "sudo cat /var/lib/cloud/instance/user-data.txt").Output).toBe(userData);
    expect(w.sh(id, "sudo cat /var/lib/cloud/instance/parameters.env").Output).toBe(
      "SERVER_NAME=shop.example.com\nENABLE_API_WRITE=off\n",
    );
    expect(w.sh(plain, "sudo cat /var/lib/cloud/instance/parameters.env").Output).toBe(
      "SERVER_NAME=_\nENABLE_API_WRITE=off\n",
    );
    // Only root reads them.
    expect(w.sh(id, "cat /var/lib/cloud/instance/parameters.env").Output).toContain("Permission denied");
    // An instance launched without user data has none on disk.
    expect(w.sh(plain, "sudo cat /var/lib/cloud/instance/user-data.txt").Output).toContain("No such file or directory");
  });
});
