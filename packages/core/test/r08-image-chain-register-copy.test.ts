/**
 * R8 (CreateImage), R9 (instances from an AMI have what the source had; chains of AMIs), R10
 * (instance-store AMIs by bundling and RegisterImage; RegisterImage from an EBS snapshot), R11
 * (CopyImage, DeregisterImage, deregistration protection, disabled images), as a user sees them:
 * through DescribeImages/DescribeSnapshots and the guest shell.
 */
import { describe, expect, it } from "vitest";
import type { CallContext, Sandbox } from "../src/index.ts";
import {
  A,
  AL2023_X86,
  ami,
  B,
  ctx,
  DEBIAN_INSTANCE_STORE,
  describeImage,
  describeInstance,
  EU,
  expectEc2Error,
  launch,
  ok,
  sandbox,
  sh,
  stateOf,
  US,
  waitFor,
  waitImage,
} from "./r01-r13-helpers.ts";

const HOST_KEY = "/etc/ssh/ssh_host_ed25519_key.pub";

/** Instance #1: nginx installed and enabled, an app, and runtime data that an image must drop. */
function buildWebServer(
  sb: Sandbox,
  c: CallContext,
): { id: string; privateIp: string; publicIp: string; hostname: string; hostKey: string } {
  const { instanceId: id } = launch(sb, c, ami(AL2023_X86, c.region), "t3.micro");
  waitFor(sb, c, id, "running");
  ok(sb, c, id, "sudo dnf install -y nginx");
  ok(sb, c, id, "sudo systemctl enable --now nginx");
  ok(sb, c, id, "echo '<h1>shop v1</h1>' | sudo tee /usr/share/nginx/html/index.html");
  ok(sb, c, id, "sudo mkdir -p /opt/shop && echo 'PORT=8080' | sudo tee /opt/shop/app.env");
  ok(sb, c, id, "echo 'remember the milk' > ~/notes.txt");
  // Runtime data: files holding the instance's addresses and hostname, swap, scratch files.
  ok(sb, c, id, "curl -s http://169.254.169.254/latest/meta-data/local-ipv4 | sudo tee /opt/shop/private-ip");
  ok(sb, c, id, "curl -s http://169.254.169.254/latest/meta-data/public-ipv4 | sudo tee /opt/shop/public-ip");
  ok(sb, c, id, "hostname | sudo tee /etc/shop-hostname");
  ok(sb, c, id, "echo swapspace | sudo tee /swapfile");
  ok(sb, c, id, "echo scratch > /tmp/scratch.txt");
  const inst = describeInstance(sb, c, id);
  return {
    id,
    privateIp: inst.PrivateIpAddress,
    publicIp: inst.PublicIpAddress,
    hostname: ok(sb, c, id, "hostname").trim(),
    hostKey: ok(sb, c, id, `cat ${HOST_KEY}`),
  };
}

/** Checks an instance has the web server's software, files and configuration. */
function expectWebServer(sb: Sandbox, c: CallContext, id: string): void {
  expect(ok(sb, c, id, "rpm -qa")).toMatch(/^nginx-1\./m);
  expect(ok(sb, c, id, "systemctl is-enabled nginx")).toBe("enabled\n");
  expect(ok(sb, c, id, "systemctl is-active nginx")).toBe("active\n");
  expect(ok(sb, c, id, "curl http://localhost/")).toBe("<h1>shop v1</h1>\n");
  expect(ok(sb, c, id, "cat /opt/shop/app.env")).toBe("PORT=8080\n");
  expect(ok(sb, c, id, "cat ~/notes.txt")).toBe("remember the milk\n");
}

/** Checks the runtime data of `source` did not come along. */
function expectNoRuntimeDataOf(
  sb: Sandbox,
  c: CallContext,
  id: string,
  source: { id: string; privateIp: string; publicIp: string; hostname: string; hostKey: string },
): void {
  for (const f of [
    "/opt/shop/private-ip",
    "/opt/shop/public-ip",
    "/etc/shop-hostname",
    "/swapfile",
    "/tmp/scratch.txt",
  ]) {
    const r = sh(sb, c, id, `cat ${f}`);
    expect(r.ExitCode, f).toBe(1);
    expect(r.Output).toBe(`cat: ${f}: No such file or directory\n`);
  }
  const inst = describeInstance(sb, c, id);
  const hostname = ok(sb, c, id, "hostname").trim();
  expect(hostname).not.toBe(source.hostname);
  expect(hostname).toBe(
    `ip-${inst.PrivateIpAddress.replace(/\./g, "-")}.${c.region === "us-east-1" ? "ec2.internal" : `${c.region}.compute.internal`}`,
  );
  expect(ok(sb, c, id, "cat /etc/hostname")).toBe(`${hostname}\n`);
  // Fresh host keys.
  const key = ok(sb, c, id, `cat ${HOST_KEY}`);
  expect(key).toMatch(/^ssh-ed25519 /);
  expect(key).not.toBe(source.hostKey);
  for (const ip of [source.privateIp, source.publicIp])
    expect(ok(sb, c, id, "grep -r . /etc/hostname")).not.toContain(ip);
}

describe("R8 CreateImage", () => {
  it("R8 CreateImage from a running EBS-backed instance: pending, a snapshot of every EBS volume, then available", () => {
    const sb = sandbox();
    const c = ctx();
    const { instanceId } = launch(sb, c, ami(AL2023_X86), "t3.micro", {
      BlockDeviceMappings: [{ DeviceName: "/dev/sdf", Ebs: { VolumeSize: 20, VolumeType: "gp3" } }],
    });
    waitFor(sb, c, instanceId, "running");
    const volumes = describeInstance(sb, c, instanceId).BlockDeviceMappings.map(
      (b: { DeviceName: string; Ebs: { VolumeId: string } }) => [b.DeviceName, b.Ebs.VolumeId],
    );
    expect(volumes.map((v: string[]) => v[0])).toEqual(["/dev/xvda", "/dev/sdf"]);
    const imageId = sb.call(c, "CreateImage", { InstanceId: instanceId, Name: "web-1.0", Description: "web server" })
      .output.ImageId;
    expect(imageId).toMatch(/^ami-[0-9a-f]{17}$/);
    const pending = describeImage(sb, c, imageId);
    expect(pending).toMatchObject({
      State: "pending",
      Name: "web-1.0",
      Description: "web server",
      OwnerId: A,
      Public: false,
      RootDeviceType: "ebs",
      RootDeviceName: "/dev/xvda",
      Architecture: "x86_64",
      SourceInstanceId: instanceId,
    });
    // One snapshot per EBS volume, of that volume, at its size.
    const bdms = pending.BlockDeviceMappings as {
      DeviceName: string;
      Ebs: { SnapshotId: string; VolumeSize: number; VolumeType: string; DeleteOnTermination: boolean };
    }[];
    expect(bdms.map((b) => [b.DeviceName, b.Ebs.VolumeSize, b.Ebs.VolumeType])).toEqual([
      ["/dev/xvda", 8, "gp3"],
      ["/dev/sdf", 20, "gp3"],
    ]);
    const snaps = sb.call(c, "DescribeSnapshots", { SnapshotIds: bdms.map((b) => b.Ebs.SnapshotId) }).output
      .Snapshots as { SnapshotId: string; VolumeId: string; State: string; OwnerId: string; Description: string }[];
    expect(snaps.map((s) => s.VolumeId).sort()).toEqual(volumes.map((v: string[]) => v[1]).sort());
    expect(
      snaps.every((s) => s.OwnerId === A && s.Description.includes(imageId) && s.Description.includes(instanceId)),
    ).toBe(true);
    // In time: the snapshots complete, then the image is available.
    const waited = waitImage(sb, c, imageId);
    expect(waited).toBeGreaterThan(0);
    const after = sb.call(c, "DescribeSnapshots", { SnapshotIds: bdms.map((b) => b.Ebs.SnapshotId) }).output
      .Snapshots as { State: string }[];
    expect(after.every((s) => s.State === "completed")).toBe(true);
    expect(
      sb.call(c, "DescribeImages", { Owners: ["self"], Filters: [{ Name: "state", Values: ["available"] }] }).output
        .Images,
    ).toHaveLength(1);
    // The instance is still running.
    expect(stateOf(sb, c, instanceId)).toEqual({ Code: 16, Name: "running" });
    // A volume attached later is imaged too, and an instance of the AMI gets a volume made from each snapshot.
    const az = describeInstance(sb, c, instanceId).Placement.AvailabilityZone;
    const extra = sb.call(c, "CreateVolume", { AvailabilityZone: az, Size: 5 }).output.VolumeId;
    sb.advance(10_000);
    sb.call(c, "AttachVolume", { VolumeId: extra, InstanceId: instanceId, Device: "/dev/sdg" });
    sb.advance(10_000);
    const second = sb.call(c, "CreateImage", { InstanceId: instanceId, Name: "web-1.1", NoReboot: true }).output
      .ImageId;
    const secondBdms = describeImage(sb, c, second).BlockDeviceMappings as {
      DeviceName: string;
      Ebs: { SnapshotId: string; VolumeSize: number };
    }[];
    expect(secondBdms.map((b) => [b.DeviceName, b.Ebs.VolumeSize])).toEqual([
      ["/dev/xvda", 8],
      ["/dev/sdf", 20],
      ["/dev/sdg", 5],
    ]);
    expect(new Set([...secondBdms, ...bdms].map((b) => b.Ebs.SnapshotId)).size).toBe(5);
    waitImage(sb, c, second);
    const { instanceId: next } = launch(sb, c, second, "t3.micro");
    const nextVolumes = describeInstance(sb, c, next).BlockDeviceMappings.map(
      (b: { Ebs: { VolumeId: string } }) => b.Ebs.VolumeId,
    );
    const made = sb
      .call(c, "DescribeVolumes", { VolumeIds: nextVolumes })
      .output.Volumes.map((v: { SnapshotId: string; Size: number }) => [v.SnapshotId, v.Size])
      .sort();
    expect(made).toEqual(secondBdms.map((b) => [b.Ebs.SnapshotId, b.Ebs.VolumeSize]).sort());
  });

  it("R8 without NoReboot the instance reboots (services started by hand stop); with NoReboot it does not", () => {
    const sb = sandbox();
    const c = ctx();
    const { instanceId: id } = launch(sb, c, ami(AL2023_X86), "t3.micro");
    waitFor(sb, c, id, "running");
    ok(sb, c, id, "sudo dnf install -y redis6");
    ok(sb, c, id, "sudo systemctl start redis6");
    expect(ok(sb, c, id, "systemctl is-active redis6")).toBe("active\n");
    sb.call(c, "CreateImage", { InstanceId: id, Name: "no-reboot", NoReboot: true });
    expect(ok(sb, c, id, "systemctl is-active redis6")).toBe("active\n");
    sb.call(c, "CreateImage", { InstanceId: id, Name: "with-reboot" });
    const r = sh(sb, c, id, "systemctl is-active redis6");
    expect([r.ExitCode, r.Output]).toEqual([3, "inactive\n"]);
    // Enabled services come back after the reboot.
    expect(ok(sb, c, id, "systemctl is-active sshd")).toBe("active\n");
  });

  it("R8 CreateImage works from a stopped instance too, but not from an instance-store one or one shutting down", () => {
    const sb = sandbox();
    const c = ctx();
    const { instanceId: id } = launch(sb, c, ami(AL2023_X86), "t3.micro");
    waitFor(sb, c, id, "running");
    ok(sb, c, id, "echo stopped-state | sudo tee /etc/marker");
    sb.call(c, "StopInstances", { InstanceIds: [id] });
    waitFor(sb, c, id, "stopped");
    const imageId = sb.call(c, "CreateImage", { InstanceId: id, Name: "from-stopped" }).output.ImageId;
    waitImage(sb, c, imageId);
    expect(stateOf(sb, c, id).Name).toBe("stopped");
    const { instanceId: next } = launch(sb, c, imageId, "t3.micro");
    waitFor(sb, c, next, "running");
    expect(ok(sb, c, next, "cat /etc/marker")).toBe("stopped-state\n");

    const store = launch(sb, c, ami(DEBIAN_INSTANCE_STORE), "m3.medium").instanceId;
    waitFor(sb, c, store, "running");
    expectEc2Error(
      () => sb.call(c, "CreateImage", { InstanceId: store, Name: "nope" }),
      "UnsupportedOperation",
      /instance-store root device/,
    );
    sb.call(c, "TerminateInstances", { InstanceIds: [next] });
    expectEc2Error(() => sb.call(c, "CreateImage", { InstanceId: next, Name: "nope" }), "IncorrectInstanceState");
    expectEc2Error(
      () => sb.call(c, "CreateImage", { InstanceId: id, Name: "from-stopped" }),
      "InvalidAMIName.Duplicate",
    );
  });

  it("R8 the image keeps software, files and configuration but drops swap, host keys, hostname and files holding the instance's addresses", () => {
    const sb = sandbox();
    const c = ctx();
    const one = buildWebServer(sb, c);
    const imageId = sb.call(c, "CreateImage", { InstanceId: one.id, Name: "shop-1" }).output.ImageId;
    waitImage(sb, c, imageId);
    const { instanceId: two } = launch(sb, c, imageId, "t3.micro");
    waitFor(sb, c, two, "running");
    expectWebServer(sb, c, two);
    expectNoRuntimeDataOf(sb, c, two, one);
    // Instance #1 itself still has everything.
    expect(ok(sb, c, one.id, "cat /opt/shop/private-ip")).toBe(one.privateIp);
    expect(ok(sb, c, one.id, "cat /swapfile")).toBe("swapspace\n");
  });
});

describe("R9 instances launched from an AMI", () => {
  it("R9 AMI #1 → instance #1 → AMI #2 → instance #2 → AMI #3 → instance #3: every layer's software and files are there", () => {
    const sb = sandbox();
    const c = ctx();
    const one = buildWebServer(sb, c);
    const ami1 = sb.call(c, "CreateImage", { InstanceId: one.id, Name: "shop-1" }).output.ImageId;
    waitImage(sb, c, ami1);
    const two = launch(sb, c, ami1, "t3.micro").instanceId;
    waitFor(sb, c, two, "running");
    ok(sb, c, two, "echo 'feature=cart' | sudo tee /opt/shop/features.conf");
    ok(sb, c, two, "echo '<h1>shop v2</h1>' | sudo tee /usr/share/nginx/html/v2.html");
    ok(sb, c, two, "sudo dnf install -y redis6 && sudo systemctl enable --now redis6");
    const twoKey = ok(sb, c, two, `cat ${HOST_KEY}`);
    const ami2 = sb.call(c, "CreateImage", { InstanceId: two, Name: "shop-2" }).output.ImageId;
    waitImage(sb, c, ami2);
    const three = launch(sb, c, ami2, "t3.small").instanceId;
    waitFor(sb, c, three, "running");
    ok(sb, c, three, "sudo rm /opt/shop/app.env && echo 'PORT=9090' | sudo tee /opt/shop/app.env");
    const threeKey = ok(sb, c, three, `cat ${HOST_KEY}`);
    const ami3 = sb.call(c, "CreateImage", { InstanceId: three, Name: "shop-3" }).output.ImageId;
    waitImage(sb, c, ami3);
    const four = launch(sb, c, ami3, "t3.micro").instanceId;
    waitFor(sb, c, four, "running");

    expect(ok(sb, c, four, "rpm -qa")).toMatch(/^nginx-1\./m);
    expect(ok(sb, c, four, "rpm -qa")).toMatch(/^redis6-/m);
    expect(ok(sb, c, four, "systemctl is-active nginx")).toBe("active\n");
    expect(ok(sb, c, four, "systemctl is-active redis6")).toBe("active\n");
    expect(ok(sb, c, four, "curl http://localhost/")).toBe("<h1>shop v1</h1>\n");
    expect(ok(sb, c, four, "curl http://localhost/v2.html")).toBe("<h1>shop v2</h1>\n");
    expect(ok(sb, c, four, "cat /opt/shop/features.conf")).toBe("feature=cart\n");
    expect(ok(sb, c, four, "cat /opt/shop/app.env")).toBe("PORT=9090\n");
    expect(ok(sb, c, four, "cat ~/notes.txt")).toBe("remember the milk\n");
    expectNoRuntimeDataOf(sb, c, four, one);
    const fourKey = ok(sb, c, four, `cat ${HOST_KEY}`);
    expect(new Set([one.hostKey, twoKey, threeKey, fourKey]).size).toBe(4);
    // Each AMI records where it came from, and earlier AMIs are unchanged by later work.
    expect(describeImage(sb, c, ami3)).toMatchObject({ SourceInstanceId: three, State: "available" });
    const fromAmi1 = launch(sb, c, ami1, "t3.micro").instanceId;
    waitFor(sb, c, fromAmi1, "running");
    expect(sh(sb, c, fromAmi1, "cat /opt/shop/features.conf").ExitCode).toBe(1);
    expect(ok(sb, c, fromAmi1, "cat /opt/shop/app.env")).toBe("PORT=8080\n");
  });

  it("R9 the AMI holds the files as they were when it was made, not later changes on the source", () => {
    const sb = sandbox();
    const c = ctx();
    const { instanceId: src } = launch(sb, c, ami(AL2023_X86), "t3.micro");
    waitFor(sb, c, src, "running");
    ok(sb, c, src, "echo before | sudo tee /etc/release-note");
    const imageId = sb.call(c, "CreateImage", { InstanceId: src, Name: "point-in-time", NoReboot: true }).output
      .ImageId;
    ok(sb, c, src, "echo after | sudo tee /etc/release-note");
    ok(sb, c, src, "echo late | sudo tee /etc/late-file");
    waitImage(sb, c, imageId);
    const { instanceId: copy } = launch(sb, c, imageId, "t3.micro");
    waitFor(sb, c, copy, "running");
    expect(ok(sb, c, copy, "cat /etc/release-note")).toBe("before\n");
    expect(sh(sb, c, copy, "cat /etc/late-file").ExitCode).toBe(1);
    expect(ok(sb, c, src, "cat /etc/release-note")).toBe("after\n");
  });
});

describe("R10 instance-store AMIs and RegisterImage", () => {
  it("R10 an instance-store AMI is made by bundling on the instance and registering the bundle", () => {
    const sb = sandbox();
    const c = ctx();
    const { instanceId: src } = launch(sb, c, ami(DEBIAN_INSTANCE_STORE), "m3.medium");
    waitFor(sb, c, src, "running");
    expect(describeInstance(sb, c, src).RootDeviceType).toBe("instance-store");
    ok(sb, c, src, "sudo apt-get install -y nginx");
    ok(sb, c, src, "sudo systemctl enable nginx");
    ok(sb, c, src, "echo '<h1>from a bundle</h1>' | sudo tee /var/www/html/index.html");
    ok(sb, c, src, "curl -s http://169.254.169.254/latest/meta-data/local-ipv4 | sudo tee /etc/my-ip");
    const srcKey = ok(sb, c, src, `cat ${HOST_KEY}`);
    // Not as the login user, and only after bundling can the bundle be uploaded.
    expect(sh(sb, c, src, "ec2-bundle-vol -d /tmp -r x86_64").ExitCode).not.toBe(0);
    expect(sh(sb, c, src, "sudo ec2-upload-bundle -b shop-bundles/v1 -m /tmp/image.manifest.xml").ExitCode).not.toBe(0);
    expect(ok(sb, c, src, "sudo ec2-bundle-vol -d /tmp -r x86_64")).toMatch(/ec2-bundle-vol complete/);
    expect(ok(sb, c, src, "sudo ec2-upload-bundle -b shop-bundles/v1 -m /tmp/image.manifest.xml")).toMatch(
      /shop-bundles\/v1\/image\.manifest\.xml/,
    );
    // CreateImage is for EBS-backed instances only.
    expectEc2Error(() => sb.call(c, "CreateImage", { InstanceId: src, Name: "nope" }), "UnsupportedOperation");
    // Register the manifest: an instance-store-backed AMI.
    expectEc2Error(
      () => sb.call(c, "RegisterImage", { Name: "shop-s3", ImageLocation: "shop-bundles/v9/image.manifest.xml" }),
      "InvalidManifest",
    );
    const imageId = sb.call(c, "RegisterImage", {
      Name: "shop-s3",
      ImageLocation: "shop-bundles/v1/image.manifest.xml",
      Architecture: "x86_64",
      VirtualizationType: "hvm",
    }).output.ImageId;
    const img = describeImage(sb, c, imageId);
    expect(img).toMatchObject({
      RootDeviceType: "instance-store",
      ImageLocation: "shop-bundles/v1/image.manifest.xml",
      State: "pending",
      OwnerId: A,
      Architecture: "x86_64",
    });
    expect(img.BlockDeviceMappings.some((b: { Ebs?: unknown }) => b.Ebs)).toBe(false);
    waitImage(sb, c, imageId);
    // Another account cannot register someone else's bundle.
    sb.createAccount({ accountId: B });
    expectEc2Error(
      () => sb.call(ctx(B), "RegisterImage", { Name: "stolen", ImageLocation: "shop-bundles/v1/image.manifest.xml" }),
      "InvalidManifest",
    );
    // An instance of it has the software and files, not the source's runtime data.
    const { instanceId: next } = launch(sb, c, imageId, "m3.medium");
    waitFor(sb, c, next, "running");
    expect(describeInstance(sb, c, next).RootDeviceType).toBe("instance-store");
    expect(ok(sb, c, next, "dpkg -l")).toMatch(/^ii {2}nginx /m);
    expect(ok(sb, c, next, "systemctl is-active nginx")).toBe("active\n");
    expect(ok(sb, c, next, "curl http://localhost/")).toBe("<h1>from a bundle</h1>\n");
    expect(sh(sb, c, next, "cat /etc/my-ip").ExitCode).toBe(1);
    expect(ok(sb, c, next, `cat ${HOST_KEY}`)).not.toBe(srcKey);
    expect(ok(sb, c, next, "hostname").trim()).toBe(
      `ip-${describeInstance(sb, c, next).PrivateIpAddress.replace(/\./g, "-")}.ec2.internal`,
    );
  });

  it("R10 RegisterImage can register an EBS-backed AMI from a snapshot", () => {
    const sb = sandbox();
    const c = ctx();
    const { instanceId: src } = launch(sb, c, ami(AL2023_X86), "t3.micro");
    waitFor(sb, c, src, "running");
    ok(sb, c, src, "echo 'from a snapshot' | sudo tee /etc/origin");
    const root = describeInstance(sb, c, src).BlockDeviceMappings[0].Ebs.VolumeId;
    const snapshotId = sb.call(c, "CreateSnapshot", { VolumeId: root, Description: "root of src" }).output.SnapshotId;
    expectEc2Error(
      () =>
        sb.call(c, "RegisterImage", {
          Name: "no-root",
          RootDeviceName: "/dev/xvda",
          BlockDeviceMappings: [{ DeviceName: "/dev/sdf", Ebs: { SnapshotId: snapshotId } }],
        }),
      "InvalidBlockDeviceMapping",
    );
    const imageId = sb.call(c, "RegisterImage", {
      Name: "from-snapshot",
      Architecture: "x86_64",
      RootDeviceName: "/dev/xvda",
      VirtualizationType: "hvm",
      EnaSupport: true,
      BlockDeviceMappings: [{ DeviceName: "/dev/xvda", Ebs: { SnapshotId: snapshotId, VolumeType: "gp3" } }],
    }).output.ImageId;
    waitImage(sb, c, imageId);
    const img = describeImage(sb, c, imageId);
    expect(img).toMatchObject({
      RootDeviceType: "ebs",
      RootDeviceName: "/dev/xvda",
      Architecture: "x86_64",
      State: "available",
    });
    expect(img.BlockDeviceMappings[0].Ebs).toMatchObject({ SnapshotId: snapshotId, VolumeSize: 8, VolumeType: "gp3" });
    const { instanceId: next } = launch(sb, c, imageId, "t3.micro");
    waitFor(sb, c, next, "running");
    expect(ok(sb, c, next, "cat /etc/origin")).toBe("from a snapshot\n");
    expect(ok(sb, c, next, "cat /etc/os-release")).toMatch(/Amazon Linux 2023/);
    // Someone else's snapshot is not found.
    sb.createAccount({ accountId: B });
    expectEc2Error(
      () =>
        sb.call(ctx(B), "RegisterImage", {
          Name: "not-mine",
          RootDeviceName: "/dev/xvda",
          BlockDeviceMappings: [{ DeviceName: "/dev/xvda", Ebs: { SnapshotId: snapshotId } }],
        }),
      "InvalidSnapshot.NotFound",
    );
  });
});

describe("R11 CopyImage, DeregisterImage, protection, disabled images", () => {
  function webImage(sb: Sandbox, c: CallContext) {
    const one = buildWebServer(sb, c);
    const imageId = sb.call(c, "CreateImage", {
      InstanceId: one.id,
      Name: "shop-1",
      TagSpecifications: [{ ResourceType: "image", Tags: [{ Key: "app", Value: "shop" }] }],
    }).output.ImageId;
    waitImage(sb, c, imageId);
    return { one, imageId };
  }

  it("R11 CopyImage within a region makes a new AMI with its own snapshots; the source is unchanged", () => {
    const sb = sandbox();
    const c = ctx();
    const { one, imageId } = webImage(sb, c);
    const before = describeImage(sb, c, imageId);
    const copyId = sb.call(c, "CopyImage", {
      SourceImageId: imageId,
      SourceRegion: US,
      Name: "shop-1-copy",
      Description: "a copy",
    }).output.ImageId;
    expect(copyId).not.toBe(imageId);
    const copy = describeImage(sb, c, copyId);
    expect(copy).toMatchObject({
      State: "pending",
      Name: "shop-1-copy",
      Description: "a copy",
      OwnerId: A,
      SourceImageId: imageId,
      SourceImageRegion: US,
      RootDeviceName: "/dev/xvda",
      Architecture: "x86_64",
    });
    const srcSnaps = before.BlockDeviceMappings.map((b: { Ebs: { SnapshotId: string } }) => b.Ebs.SnapshotId);
    const copySnaps = copy.BlockDeviceMappings.map((b: { Ebs: { SnapshotId: string } }) => b.Ebs.SnapshotId);
    expect(copySnaps).toHaveLength(srcSnaps.length);
    for (const s of copySnaps) expect(srcSnaps).not.toContain(s);
    const described = sb.call(c, "DescribeSnapshots", { SnapshotIds: copySnaps }).output.Snapshots;
    expect(
      described.every(
        (s: { OwnerId: string; Description: string }) => s.OwnerId === A && s.Description.includes(copyId),
      ),
    ).toBe(true);
    waitImage(sb, c, copyId);
    // The source is as it was.
    expect(describeImage(sb, c, imageId)).toEqual(before);
    // The copy launches with the same files; deleting the source's snapshots does not touch the copy.
    sb.call(c, "DeregisterImage", { ImageId: imageId, DeleteAssociatedSnapshots: true });
    expectEc2Error(() => sb.call(c, "DescribeSnapshots", { SnapshotIds: srcSnaps }), "InvalidSnapshot.NotFound");
    const { instanceId } = launch(sb, c, copyId, "t3.micro");
    waitFor(sb, c, instanceId, "running");
    expectWebServer(sb, c, instanceId);
    expectNoRuntimeDataOf(sb, c, instanceId, one);
  });

  it("R11 CopyImage to another region creates an AMI there (new ID, own snapshots); the source region is unchanged", () => {
    const sb = sandbox();
    const us = ctx(A, US),
      eu = ctx(A, EU);
    const { one, imageId } = webImage(sb, us);
    const usImagesBefore = sb.call(us, "DescribeImages", { Owners: ["self"] }).output.Images;
    const copyId = sb.call(eu, "CopyImage", {
      SourceImageId: imageId,
      SourceRegion: US,
      Name: "shop-1-eu",
      CopyImageTags: true,
    }).output.ImageId;
    expect(copyId).not.toBe(imageId);
    // The copy lives in eu-west-1 only; the source only in us-east-1.
    expectEc2Error(() => sb.call(us, "DescribeImages", { ImageIds: [copyId] }), "InvalidAMIID.NotFound");
    expectEc2Error(() => sb.call(eu, "DescribeImages", { ImageIds: [imageId] }), "InvalidAMIID.NotFound");
    expect(sb.call(us, "DescribeImages", { Owners: ["self"] }).output.Images).toEqual(usImagesBefore);
    const copy = describeImage(sb, eu, copyId);
    expect(copy).toMatchObject({ State: "pending", SourceImageId: imageId, SourceImageRegion: US, Name: "shop-1-eu" });
    expect(copy.Tags).toEqual([{ Key: "app", Value: "shop" }]);
    const snapId = copy.BlockDeviceMappings[0].Ebs.SnapshotId;
    expect(sb.call(eu, "DescribeSnapshots", { SnapshotIds: [snapId] }).output.Snapshots[0].OwnerId).toBe(A);
    expectEc2Error(() => sb.call(us, "DescribeSnapshots", { SnapshotIds: [snapId] }), "InvalidSnapshot.NotFound");
    waitImage(sb, eu, copyId);
    const { instanceId } = launch(sb, eu, copyId, "t3.micro");
    waitFor(sb, eu, instanceId, "running");
    expect(describeInstance(sb, eu, instanceId).Placement.AvailabilityZone).toMatch(/^eu-west-1[abc]$/);
    expectWebServer(sb, eu, instanceId);
    expectNoRuntimeDataOf(sb, eu, instanceId, one);
    expect(ok(sb, eu, instanceId, "hostname")).toMatch(/\.eu-west-1\.compute\.internal\n$/);
    // Copying an AMI the caller cannot see is refused.
    sb.createAccount({ accountId: B });
    expectEc2Error(
      () => sb.call(ctx(B, EU), "CopyImage", { SourceImageId: imageId, SourceRegion: US, Name: "stolen" }),
      "InvalidAMIID.NotFound",
    );
  });

  it("R11 CopyImage of an instance-store-backed AMI to another region copies its bundle", () => {
    const sb = sandbox();
    const us = ctx(A, US),
      eu = ctx(A, EU);
    const { instanceId: src } = launch(sb, us, ami(DEBIAN_INSTANCE_STORE), "m3.medium");
    waitFor(sb, us, src, "running");
    ok(sb, us, src, "echo 'bundled config' | sudo tee /etc/app.conf");
    ok(
      sb,
      us,
      src,
      "sudo ec2-bundle-vol -d /tmp && sudo ec2-upload-bundle -b app-bundles/v1 -m /tmp/image.manifest.xml",
    );
    const imageId = sb.call(us, "RegisterImage", { Name: "app-s3", ImageLocation: "app-bundles/v1/image.manifest.xml" })
      .output.ImageId;
    waitImage(sb, us, imageId);
    const copyId = sb.call(eu, "CopyImage", { SourceImageId: imageId, SourceRegion: US, Name: "app-s3-eu" }).output
      .ImageId;
    const copy = describeImage(sb, eu, copyId);
    expect(copyId).not.toBe(imageId);
    expect(copy).toMatchObject({
      RootDeviceType: "instance-store",
      SourceImageId: imageId,
      SourceImageRegion: US,
      State: "pending",
    });
    expect(copy.ImageLocation).not.toBe("app-bundles/v1/image.manifest.xml");
    waitImage(sb, eu, copyId);
    expect(describeImage(sb, us, imageId).ImageLocation).toBe("app-bundles/v1/image.manifest.xml");
    const { instanceId } = launch(sb, eu, copyId, "m3.medium");
    waitFor(sb, eu, instanceId, "running");
    expect(ok(sb, eu, instanceId, "cat /etc/app.conf")).toBe("bundled config\n");
    // The bundle in eu-west-1 is a second full copy in S3.
    const s3 = sb
      .costReport(A)
      .lines.filter((l) => l.kind === "s3")
      .map((l) => [l.resourceId, l.region])
      .sort();
    expect(s3).toEqual(
      [
        [imageId, US],
        [copyId, EU],
      ].sort(),
    );
  });

  it("R11 after DeregisterImage instances already launched keep running, but no new instance launches", () => {
    const sb = sandbox();
    const c = ctx();
    const { imageId } = webImage(sb, c);
    const { instanceId: running } = launch(sb, c, imageId, "t3.micro");
    waitFor(sb, c, running, "running");
    // Its snapshot cannot be deleted while the AMI is registered.
    const snap = describeImage(sb, c, imageId).BlockDeviceMappings[0].Ebs.SnapshotId;
    expectEc2Error(
      () => sb.call(c, "DeleteSnapshot", { SnapshotId: snap }),
      "InvalidSnapshot.InUse",
      new RegExp(imageId),
    );
    expect(sb.call(c, "DeregisterImage", { ImageId: imageId }).output.Return).toBe(true);
    sb.call(c, "DeleteSnapshot", { SnapshotId: snap });
    expectEc2Error(
      () => launch(sb, c, imageId, "t3.micro"),
      "InvalidAMIID.NotFound",
      `The image id '[${imageId}]' does not exist`,
    );
    expect(sb.call(c, "DescribeImages", { Owners: ["self"] }).output.Images).toEqual([]);
    sb.advance(3_600_000);
    expect(stateOf(sb, c, running)).toEqual({ Code: 16, Name: "running" });
    expectWebServer(sb, c, running);
    // It can still be stopped and started: the instance does not need its AMI any more.
    sb.call(c, "StopInstances", { InstanceIds: [running] });
    waitFor(sb, c, running, "stopped");
    sb.call(c, "StartInstances", { InstanceIds: [running] });
    waitFor(sb, c, running, "running");
    expect(describeInstance(sb, c, running).ImageId).toBe(imageId);
    // Another account cannot deregister an image it does not own.
    sb.createAccount({ accountId: B });
    const { imageId: other } = webImage(sb, ctx(A, EU));
    sb.call(ctx(A, EU), "ModifyImageAttribute", { ImageId: other, LaunchPermission: { Add: [{ UserId: B }] } });
    expectEc2Error(() => sb.call(ctx(B, EU), "DeregisterImage", { ImageId: other }), "AuthFailure");
    expect(describeImage(sb, ctx(A, EU), other).State).toBe("available");
  });

  it("R11 deregistration protection refuses DeregisterImage until it is disabled", () => {
    const sb = sandbox();
    const c = ctx();
    const { imageId } = webImage(sb, c);
    sb.call(c, "EnableImageDeregistrationProtection", { ImageId: imageId });
    expect(describeImage(sb, c, imageId).DeregistrationProtection).toBe("enabled");
    expect(
      sb.call(c, "DescribeImageAttribute", { ImageId: imageId, Attribute: "deregistrationProtection" }).output
        .DeregistrationProtection.Value,
    ).toBe("enabled");
    expectEc2Error(
      () => sb.call(c, "DeregisterImage", { ImageId: imageId }),
      "OperationNotPermitted",
      /deregistration protection/,
    );
    expect(describeImage(sb, c, imageId).State).toBe("available");
    sb.call(c, "DisableImageDeregistrationProtection", { ImageId: imageId });
    expect(describeImage(sb, c, imageId).DeregistrationProtection).toBe("disabled");
    sb.call(c, "DeregisterImage", { ImageId: imageId });
    expectEc2Error(() => sb.call(c, "DescribeImages", { ImageIds: [imageId] }), "InvalidAMIID.NotFound");
  });

  it("R11 a disabled image cannot launch, is hidden unless asked for, loses its shares, and can be re-enabled", () => {
    const sb = sandbox("disabled", { accountId: B });
    const c = ctx();
    const { imageId } = webImage(sb, c);
    sb.call(c, "ModifyImageAttribute", { ImageId: imageId, LaunchPermission: { Add: [{ UserId: B }] } });
    const { instanceId: existing } = launch(sb, c, imageId, "t3.micro");
    expect(sb.call(c, "DisableImage", { ImageId: imageId }).output.Return).toBe(true);
    expect(sb.call(c, "DescribeImages", { ImageIds: [imageId], IncludeDisabled: true }).output.Images[0].State).toBe(
      "disabled",
    );
    expect(sb.call(c, "DescribeImages", { Owners: ["self"] }).output.Images).toEqual([]);
    expect(
      sb
        .call(c, "DescribeImages", { Owners: ["self"], IncludeDisabled: true })
        .output.Images.map((i: { ImageId: string; State: string }) => [i.ImageId, i.State]),
    ).toEqual([[imageId, "disabled"]]);
    expectEc2Error(() => launch(sb, c, imageId, "t3.micro"), "InvalidAMIID.Unavailable");
    expectEc2Error(() => sb.call(ctx(B), "DescribeImages", { ImageIds: [imageId] }), "InvalidAMIID.NotFound");
    expectEc2Error(() => launch(sb, ctx(B), imageId, "t3.micro"), "InvalidAMIID.NotFound");
    waitFor(sb, c, existing, "running");
    // Re-enabled: the owner launches again; the share was removed and stays removed.
    sb.call(c, "EnableImage", { ImageId: imageId });
    expect(describeImage(sb, c, imageId).State).toBe("available");
    expect(launch(sb, c, imageId, "t3.micro").state.Name).toBe("pending");
    expect(
      sb.call(c, "DescribeImageAttribute", { ImageId: imageId, Attribute: "launchPermission" }).output
        .LaunchPermissions,
    ).toEqual([]);
    expectEc2Error(() => launch(sb, ctx(B), imageId, "t3.micro"), "InvalidAMIID.NotFound");
  });

  it("R11 disabling an image shared with an organization removes that share too", () => {
    const ORG = "arn:aws:organizations::111122223333:organization/o-a1b2c3d4e5";
    const sb = sandbox("disabled-org", { accountId: B, organizationArn: ORG });
    const c = ctx();
    const { imageId } = webImage(sb, c);
    sb.call(c, "ModifyImageAttribute", { ImageId: imageId, LaunchPermission: { Add: [{ OrganizationArn: ORG }] } });
    expect(describeImage(sb, ctx(B), imageId).ImageId).toBe(imageId);
    sb.call(c, "DisableImage", { ImageId: imageId });
    sb.call(c, "EnableImage", { ImageId: imageId });
    expect(
      sb.call(c, "DescribeImageAttribute", { ImageId: imageId, Attribute: "launchPermission" }).output
        .LaunchPermissions,
    ).toEqual([]);
    expectEc2Error(() => sb.call(ctx(B), "DescribeImages", { ImageIds: [imageId] }), "InvalidAMIID.NotFound");
  });
});
