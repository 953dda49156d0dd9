/**
 * R4 (instance types), R5 (what an AMI fixes; architecture mismatch), R6 (catalogs and
 * DescribeImages), R7 (launch permissions and block public access), as a user sees them.
 */
import { describe, expect, it } from "vitest";
import type { CallContext, Sandbox } from "../src/index.ts";
import {
  A,
  AL2023_ARM,
  AL2023_X86,
  ami,
  B,
  ctx,
  DEBIAN_I386,
  DEBIAN_INSTANCE_STORE,
  describeImage,
  expectEc2Error,
  launch,
  NGINX_PLUS_X86,
  ok,
  sandbox,
  UBUNTU_X86,
  WINDOWS_2022,
  waitFor,
  waitImage,
} from "./r01-r13-helpers.ts";

interface TypeInfo {
  InstanceType: string;
  VCpuInfo: { DefaultVCpus: number };
  MemoryInfo: { SizeInMiB: number };
  ProcessorInfo: { SupportedArchitectures: string[] };
  NetworkInfo: { NetworkPerformance: string };
  InstanceStorageSupported: boolean;
  InstanceStorageInfo?: {
    TotalSizeInGB: number;
    Disks: { Count: number; SizeInGB: number; Type: string }[];
    NvmeSupport: string;
  };
  GpuInfo?: { Gpus: { Name: string; Manufacturer: string; Count: number }[] };
  SupportedRootDeviceTypes: string[];
}

const types = (sb: Sandbox, names: string[]): Map<string, TypeInfo> =>
  new Map(
    sb
      .call(ctx(), "DescribeInstanceTypes", { InstanceTypes: names })
      .output.InstanceTypes.map((t: TypeInfo) => [t.InstanceType, t]),
  );

/** Launches AL2023, images it and waits until the AMI is available. */
function myImage(sb: Sandbox, c: CallContext, name: string, tags?: Record<string, string>): string {
  const { instanceId } = launch(sb, c, ami(AL2023_X86, c.region), "t3.micro");
  waitFor(sb, c, instanceId, "running");
  const TagSpecifications = tags
    ? [{ ResourceType: "image", Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) }]
    : undefined;
  const id = sb.call(c, "CreateImage", { InstanceId: instanceId, Name: name, NoReboot: true, TagSpecifications }).output
    .ImageId;
  waitImage(sb, c, id);
  sb.call(c, "TerminateInstances", { InstanceIds: [instanceId] });
  return id;
}

const names = (images: { Name: string }[]) => images.map((i) => i.Name).sort();

describe("R4 instance types", () => {
  it("R4 an instance type fixes vCPUs, memory, network performance and architectures", () => {
    const sb = sandbox();
    const t = types(sb, [
      "t2.micro",
      "t3.micro",
      "t3a.micro",
      "t4g.micro",
      "m5.large",
      "m6g.large",
      "m7i.large",
      "c5.large",
      "c7g.large",
      "r5.large",
      "i3.16xlarge",
      "p3.2xlarge",
      "g5.xlarge",
    ]);
    const facts = (n: string) => {
      const x = t.get(n)!;
      return [
        x.VCpuInfo.DefaultVCpus,
        x.MemoryInfo.SizeInMiB,
        x.NetworkInfo.NetworkPerformance,
        x.ProcessorInfo.SupportedArchitectures,
      ];
    };
    expect(facts("t2.micro")).toEqual([1, 1024, "Low to Moderate", ["i386", "x86_64"]]);
    expect(facts("t3.micro")).toEqual([2, 1024, "Up to 5 Gigabit", ["x86_64"]]);
    expect(facts("t3a.micro")).toEqual([2, 1024, "Up to 5 Gigabit", ["x86_64"]]);
    expect(facts("t4g.micro")).toEqual([2, 1024, "Up to 5 Gigabit", ["arm64"]]);
    expect(facts("m5.large")).toEqual([2, 8192, "Up to 10 Gigabit", ["x86_64"]]);
    expect(facts("m6g.large")).toEqual([2, 8192, "Up to 10 Gigabit", ["arm64"]]);
    expect(facts("m7i.large")).toEqual([2, 8192, "Up to 12.5 Gigabit", ["x86_64"]]);
    expect(facts("c5.large")).toEqual([2, 4096, "Up to 10 Gigabit", ["x86_64"]]);
    expect(facts("c7g.large")).toEqual([2, 4096, "Up to 12.5 Gigabit", ["arm64"]]);
    expect(facts("r5.large")).toEqual([2, 16384, "Up to 10 Gigabit", ["x86_64"]]);
    expect(facts("i3.16xlarge")).toEqual([64, 499712, "25 Gigabit", ["x86_64"]]);
    expect(facts("p3.2xlarge")).toEqual([8, 62464, "Up to 10 Gigabit", ["x86_64"]]);
    expect(t.get("p3.2xlarge")!.GpuInfo!.Gpus[0]).toMatchObject({ Name: "V100", Manufacturer: "NVIDIA", Count: 1 });
    expect(t.get("g5.xlarge")!.GpuInfo!.Gpus[0]).toMatchObject({ Name: "A10G", Manufacturer: "NVIDIA", Count: 1 });
    // Every family R4 names is in the catalog.
    const all = new Set<string>();
    let token: string | undefined;
    do {
      const page = sb.call(ctx(), "DescribeInstanceTypes", { MaxResults: 100, NextToken: token }).output;
      for (const x of page.InstanceTypes as TypeInfo[]) all.add(x.InstanceType.split(".")[0]!);
      token = page.NextToken;
    } while (token);
    for (const f of ["t2", "t3", "t3a", "t4g", "m5", "m5d", "m6g", "m7i", "c5", "c5d", "c7g", "r5", "i3", "p3", "g5"])
      expect(all, f).toContain(f);
    expectEc2Error(
      () => sb.call(ctx(), "DescribeInstanceTypes", { InstanceTypes: ["m5.huge"] }),
      "InvalidInstanceType",
      /m5\.huge/,
    );
  });

  it("R4 m5d, c5d and i3 carry instance-store volumes (count and size); m5 and c5 have none", () => {
    const sb = sandbox();
    const t = types(sb, [
      "m5d.large",
      "m5d.24xlarge",
      "c5d.large",
      "c5d.18xlarge",
      "i3.large",
      "i3.16xlarge",
      "m5.large",
      "c5.large",
    ]);
    const store = (n: string) => {
      const s = t.get(n)!.InstanceStorageInfo;
      return s && [s.TotalSizeInGB, s.Disks.map((d) => `${d.Count}x${d.SizeInGB} ${d.Type}`), s.NvmeSupport];
    };
    expect(store("m5d.large")).toEqual([75, ["1x75 ssd"], "required"]);
    expect(store("m5d.24xlarge")).toEqual([3600, ["4x900 ssd"], "required"]);
    expect(store("c5d.large")).toEqual([50, ["1x50 ssd"], "required"]);
    expect(store("c5d.18xlarge")).toEqual([1800, ["2x900 ssd"], "required"]);
    expect(store("i3.large")).toEqual([475, ["1x475 ssd"], "required"]);
    expect(store("i3.16xlarge")).toEqual([15200, ["8x1900 ssd"], "required"]);
    expect(t.get("m5.large")!.InstanceStorageSupported).toBe(false);
    expect(t.get("m5.large")!.InstanceStorageInfo).toBeUndefined();
    expect(t.get("c5.large")!.InstanceStorageSupported).toBe(false);
    // The instance-store-supported filter finds them.
    const withStore = sb
      .call(ctx(), "DescribeInstanceTypes", {
        Filters: [
          { Name: "instance-storage-supported", Values: ["true"] },
          { Name: "instance-type", Values: ["m5d.*", "c5.*", "i3.*"] },
        ],
        MaxResults: 100,
      })
      .output.InstanceTypes.map((x: TypeInfo) => x.InstanceType);
    expect(withStore).toContain("m5d.large");
    expect(withStore).toContain("i3.large");
    expect(withStore.some((n: string) => n.startsWith("c5."))).toBe(false);
  });

  it("R4 an instance type fixes the on-demand price the bill charges", () => {
    const sb = sandbox();
    const prices: Record<string, number> = {
      "t3.micro": 0.0104,
      "t4g.micro": 0.0084,
      "m5.large": 0.096,
      "m5d.large": 0.113,
      "c5d.large": 0.096,
      "i3.large": 0.156,
      "p3.2xlarge": 3.06,
      "g5.xlarge": 1.006,
    };
    const ids: Record<string, string> = {};
    for (const type of Object.keys(prices)) {
      ids[type] = launch(sb, ctx(), ami(type.startsWith("t4g") ? AL2023_ARM : AL2023_X86), type).instanceId;
    }
    sb.advance(60_000);
    for (const id of Object.values(ids)) expect(stateOf(sb, id)).toBe("running");
    sb.advance(3_600_000);
    const report = sb.costReport(A);
    for (const [type, price] of Object.entries(prices)) {
      const line = report.lines.find((l) => l.resourceId === ids[type] && l.kind === "instance")!;
      expect(line.unit).toBe("seconds");
      expect(line.usd / (line.quantity / 3600), type).toBeCloseTo(price, 6);
    }
  });
});

const stateOf = (sb: Sandbox, id: string) =>
  sb.call(ctx(), "DescribeInstances", { InstanceIds: [id] }).output.Reservations[0].Instances[0].State.Name;

describe("R5 what an AMI fixes", () => {
  it("R5 an AMI fixes platform, architecture, root device type and name, block device mappings, virtualization and boot mode", () => {
    const sb = sandbox();
    const al = describeImage(sb, ctx(), ami(AL2023_X86));
    expect(al).toMatchObject({
      Architecture: "x86_64",
      PlatformDetails: "Linux/UNIX",
      RootDeviceType: "ebs",
      RootDeviceName: "/dev/xvda",
      VirtualizationType: "hvm",
      BootMode: "uefi-preferred",
      State: "available",
    });
    expect(al.Platform).toBeUndefined();
    expect(al.BlockDeviceMappings).toEqual([
      {
        DeviceName: "/dev/xvda",
        Ebs: expect.objectContaining({
          SnapshotId: expect.stringMatching(/^snap-/),
          VolumeSize: 8,
          VolumeType: "gp3",
          DeleteOnTermination: true,
        }),
      },
    ]);
    expect(describeImage(sb, ctx(), ami(AL2023_ARM)).Architecture).toBe("arm64");
    expect(describeImage(sb, ctx(), ami(DEBIAN_I386)).Architecture).toBe("i386");
    const win = describeImage(sb, ctx(), ami(WINDOWS_2022));
    expect(win).toMatchObject({ Platform: "windows", PlatformDetails: "Windows", RootDeviceName: "/dev/sda1" });
    const store = describeImage(sb, ctx(), ami(DEBIAN_INSTANCE_STORE));
    expect(store).toMatchObject({ RootDeviceType: "instance-store", RootDeviceName: "/dev/sda1" });
    expect(store.BlockDeviceMappings).toEqual([{ DeviceName: "sdb", VirtualName: "ephemeral0" }]);
    // An instance takes these facts from its AMI.
    const { instanceId } = launch(sb, ctx(), ami(AL2023_X86), "t3.micro");
    const inst = sb.call(ctx(), "DescribeInstances", { InstanceIds: [instanceId] }).output.Reservations[0].Instances[0];
    expect(inst).toMatchObject({
      Architecture: "x86_64",
      RootDeviceType: "ebs",
      RootDeviceName: "/dev/xvda",
      VirtualizationType: "hvm",
      PlatformDetails: "Linux/UNIX",
      ImageId: ami(AL2023_X86),
    });
    expect(inst.BlockDeviceMappings.map((b: { DeviceName: string }) => b.DeviceName)).toEqual(["/dev/xvda"]);
    const vol = sb.call(ctx(), "DescribeVolumes", { VolumeIds: [inst.BlockDeviceMappings[0].Ebs.VolumeId] }).output
      .Volumes[0];
    expect(vol).toMatchObject({ Size: 8, VolumeType: "gp3", SnapshotId: al.BlockDeviceMappings[0].Ebs.SnapshotId });
  });

  it("R5 an AMI fixes the software on its root volume", () => {
    const sb = sandbox();
    const al = launch(sb, ctx(), ami(AL2023_X86), "t3.micro").instanceId;
    const ub = launch(sb, ctx(), ami(UBUNTU_X86), "t3.micro").instanceId;
    const arm = launch(sb, ctx(), ami(AL2023_ARM), "t4g.micro").instanceId;
    sb.advance(60_000);
    expect(ok(sb, ctx(), al, "cat /etc/os-release")).toMatch(/Amazon Linux 2023/);
    expect(ok(sb, ctx(), al, "whoami")).toBe("ec2-user\n");
    expect(ok(sb, ctx(), al, "rpm -qa")).toMatch(/^dnf-/m);
    expect(ok(sb, ctx(), ub, "cat /etc/os-release")).toMatch(/Ubuntu 24\.04/);
    expect(ok(sb, ctx(), ub, "whoami")).toBe("ubuntu\n");
    expect(ok(sb, ctx(), ub, "dpkg -l")).toMatch(/^ii {2}apt /m);
    expect(ok(sb, ctx(), arm, "uname -m")).toBe("aarch64\n");
    expect(ok(sb, ctx(), al, "uname -m")).toBe("x86_64\n");
    // The instance identity document names the AMI's architecture; a 32-bit AMI runs a 32-bit kernel.
    const doc = (id: string) =>
      JSON.parse(ok(sb, ctx(), id, "curl http://169.254.169.254/latest/dynamic/instance-identity/document")) as {
        architecture: string;
        imageId: string;
      };
    expect(doc(arm)).toMatchObject({ architecture: "arm64", imageId: ami(AL2023_ARM) });
    expect(doc(al)).toMatchObject({ architecture: "x86_64", imageId: ami(AL2023_X86) });
    const i386 = launch(sb, ctx(), ami(DEBIAN_I386), "t2.micro").instanceId;
    sb.advance(60_000);
    expect(ok(sb, ctx(), i386, "uname -m")).toBe("i686\n");
    expect(doc(i386).architecture).toBe("i386");
  });

  it("R5 launching an AMI on an instance type of another architecture fails with InvalidParameterValue", () => {
    const sb = sandbox();
    const mismatch =
      /architecture '.*' of the specified instance type does not match the architecture '(arm64|x86_64|i386)' of the specified AMI/;
    expectEc2Error(() => launch(sb, ctx(), ami(AL2023_ARM), "t3.micro"), "InvalidParameterValue", mismatch);
    expectEc2Error(
      () => launch(sb, ctx(), ami(AL2023_ARM), "m5.large"),
      "InvalidParameterValue",
      /'arm64' of the specified AMI/,
    );
    expectEc2Error(
      () => launch(sb, ctx(), ami(AL2023_X86), "t4g.micro"),
      "InvalidParameterValue",
      /'x86_64' of the specified AMI/,
    );
    expectEc2Error(() => launch(sb, ctx(), ami(AL2023_X86), "c7g.large"), "InvalidParameterValue", mismatch);
    expectEc2Error(
      () => launch(sb, ctx(), ami(DEBIAN_I386), "t3.micro"),
      "InvalidParameterValue",
      /'i386' of the specified AMI/,
    );
    // Nothing was launched by the refusals; matching pairs launch.
    expect(sb.call(ctx(), "DescribeInstances", {}).output.Reservations).toEqual([]);
    expect(launch(sb, ctx(), ami(AL2023_ARM), "t4g.micro").state).toEqual({ Code: 0, Name: "pending" });
    expect(launch(sb, ctx(), ami(AL2023_ARM), "m6g.large").state.Name).toBe("pending");
    expect(launch(sb, ctx(), ami(DEBIAN_I386), "t2.micro").state.Name).toBe("pending");
    // The same holds for the caller's own AMIs: an x86_64 image of an instance does not run on Graviton.
    const mine = myImage(sb, ctx(), "mine-x86");
    expectEc2Error(
      () => launch(sb, ctx(), mine, "t4g.micro"),
      "InvalidParameterValue",
      /'x86_64' of the specified AMI/,
    );
  });
});

describe("R6 AMI catalogs and DescribeImages", () => {
  it("R6 Quick Start images are owned by alias amazon, free, and found with Owners amazon", () => {
    const sb = sandbox();
    const images = sb.call(ctx(), "DescribeImages", { Owners: ["amazon"] }).output.Images;
    expect(images.length).toBeGreaterThanOrEqual(10);
    expect(
      images.every(
        (i: { ImageOwnerAlias: string; Public: boolean; ProductCodes: unknown[] }) =>
          i.ImageOwnerAlias === "amazon" && i.Public && i.ProductCodes.length === 0,
      ),
    ).toBe(true);
    expect(names(images)).toContain(AL2023_X86);
    expect(names(images)).toContain(WINDOWS_2022);
    expect(names(images)).not.toContain(NGINX_PLUS_X86);
    // Free: launching one bills instance time only, no software charge.
    const { instanceId } = launch(sb, ctx(), ami(AL2023_X86), "t3.micro");
    sb.advance(3_600_000);
    const lines = sb.costReport(A).lines.filter((l) => l.resourceId === instanceId);
    expect(lines.map((l) => l.kind).sort()).toEqual(["instance", "ipv4"]);
  });

  it("R6 Marketplace images: owner alias aws-marketplace, product codes, an hourly software charge", () => {
    const sb = sandbox();
    const market = sb.call(ctx(), "DescribeImages", { Owners: ["aws-marketplace"] }).output.Images;
    expect(market.length).toBeGreaterThanOrEqual(2);
    for (const i of market) {
      expect(i.ImageOwnerAlias).toBe("aws-marketplace");
      expect(i.ProductCodes.length).toBeGreaterThan(0);
      expect(i.ProductCodes[0].ProductCodeType).toBe("marketplace");
    }
    const nginx = describeImage(sb, ctx(), ami(NGINX_PLUS_X86));
    const code = nginx.ProductCodes[0].ProductCodeId;
    const byCode = sb.call(ctx(), "DescribeImages", { Filters: [{ Name: "product-code", Values: [code] }] }).output
      .Images;
    expect(
      byCode.every((i: { ProductCodes: { ProductCodeId: string }[] }) => i.ProductCodes[0]!.ProductCodeId === code),
    ).toBe(true);
    expect(names(byCode)).toContain(NGINX_PLUS_X86);
    // The instance carries the product code and the bill adds the software charge per hour.
    const run = launch(sb, ctx(), nginx.ImageId, "t3.micro");
    const inst = sb.call(ctx(), "DescribeInstances", { InstanceIds: [run.instanceId] }).output.Reservations[0]
      .Instances[0];
    expect(inst.ProductCodes).toEqual([{ ProductCodeId: code, ProductCodeType: "marketplace" }]);
    sb.advance(60_000);
    sb.advance(2 * 3_600_000);
    const software = sb.costReport(A).lines.find((l) => l.resourceId === run.instanceId && l.kind === "software")!;
    expect(software.usd / (software.quantity / 3600)).toBeCloseTo(0.14, 6);
    expect(software.quantity).toBeGreaterThanOrEqual(2 * 3600);
  });

  it("R6 Community images are other accounts' public AMIs; My AMIs are Owners self", () => {
    const sb = sandbox("community", { accountId: B });
    const community = sb
      .call(ctx(), "DescribeImages", { Filters: [{ Name: "is-public", Values: ["true"] }] })
      .output.Images.filter((i: { ImageOwnerAlias?: string }) => i.ImageOwnerAlias === undefined);
    expect(names(community)).toEqual(expect.arrayContaining([DEBIAN_INSTANCE_STORE, DEBIAN_I386]));
    // My AMIs: only the caller's.
    expect(sb.call(ctx(), "DescribeImages", { Owners: ["self"] }).output.Images).toEqual([]);
    const mine = myImage(sb, ctx(), "my-web-1.0", { team: "web" });
    const self = sb.call(ctx(), "DescribeImages", { Owners: ["self"] }).output.Images;
    expect(self.map((i: { ImageId: string }) => i.ImageId)).toEqual([mine]);
    expect(self[0]).toMatchObject({ OwnerId: A, Public: false, Name: "my-web-1.0" });
    expect(sb.call(ctx(B), "DescribeImages", { Owners: ["self"] }).output.Images).toEqual([]);
    // Once public, B finds it among community images by owner ID, and A's own view shows it too.
    sb.call(ctx(), "ModifyImageAttribute", { ImageId: mine, LaunchPermission: { Add: [{ Group: "all" }] } });
    const fromB = sb.call(ctx(B), "DescribeImages", { Owners: [A] }).output.Images;
    expect(fromB.map((i: { ImageId: string; Public: boolean }) => [i.ImageId, i.Public])).toEqual([[mine, true]]);
    expect(fromB[0].Tags).toBeUndefined(); // tags are the owner's
    expect(
      sb.call(ctx(B), "DescribeImages", {
        Filters: [
          { Name: "is-public", Values: ["true"] },
          { Name: "owner-id", Values: [A] },
        ],
      }).output.Images,
    ).toHaveLength(1);
  });

  it("R6 DescribeImages filters: name wildcards, architecture, root-device-type, state, tag, owner-alias, is-public, platform", () => {
    const sb = sandbox();
    const q = (Filters: { Name: string; Values: string[] }[], extra: Record<string, unknown> = {}) =>
      sb.call(ctx(), "DescribeImages", { Filters, ...extra }).output.Images as {
        Name: string;
        Architecture: string;
        ImageOwnerAlias?: string;
        RootDeviceType: string;
        Platform?: string;
        ImageId: string;
      }[];
    const al2023x86 = q([{ Name: "name", Values: ["al2023-ami-2023.*-x86_64"] }]);
    expect(al2023x86.length).toBe(3);
    expect(
      al2023x86.every(
        (i) => i.Name.startsWith("al2023-ami-2023.") && i.Name.endsWith("-x86_64") && !i.Name.includes("minimal"),
      ),
    ).toBe(true);
    expect(names(q([{ Name: "name", Values: ["al2023-ami-minimal-*"] }]))).toEqual([
      "al2023-ami-minimal-2023.6.20241212.0-kernel-6.1-arm64",
      "al2023-ami-minimal-2023.6.20241212.0-kernel-6.1-x86_64",
    ]);
    // '?' matches one character.
    expect(names(q([{ Name: "name", Values: ["debian-1?-amd64-*"] }]))).toEqual([
      "debian-11-amd64-20241202-1949",
      "debian-12-amd64-20241201-1949",
    ]);
    expect(names(q([{ Name: "name", Values: ["debian-1?-amd64-2024120?-1949"] }]))).toHaveLength(2);
    expect(names(q([{ Name: "name", Values: ["debian-?-amd64-*"] }]))).toEqual([]);
    // Values of one filter are ORed, filters are ANDed.
    const both = q([
      { Name: "name", Values: ["al2023-ami-2023.6.20241212.0-*"] },
      { Name: "architecture", Values: ["arm64", "i386"] },
    ]);
    expect(names(both)).toEqual([AL2023_ARM]);
    expect(q([{ Name: "architecture", Values: ["i386"] }]).map((i) => i.Name)).toEqual([DEBIAN_I386]);
    expect(q([{ Name: "root-device-type", Values: ["instance-store"] }]).map((i) => i.Name)).toEqual([
      DEBIAN_INSTANCE_STORE,
    ]);
    expect(
      q([{ Name: "platform", Values: ["windows"] }])
        .map((i) => i.Name)
        .sort(),
    ).toEqual([
      "Windows_Server-2019-English-Full-Base-2024.12.13",
      WINDOWS_2022,
      "Windows_Server-2025-English-Full-Base-2024.12.13",
    ]);
    expect(q([{ Name: "owner-alias", Values: ["amazon"] }]).every((i) => i.ImageOwnerAlias === "amazon")).toBe(true);
    expect(
      q([{ Name: "owner-alias", Values: ["aws-marketplace"] }]).every((i) => i.ImageOwnerAlias === "aws-marketplace"),
    ).toBe(true);
    expect(q([{ Name: "name", Values: ["no-such-image-*"] }])).toEqual([]);
    // The caller's own image: private, pending first, tagged.
    const { instanceId } = launch(sb, ctx(), ami(AL2023_X86), "t3.micro");
    waitFor(sb, ctx(), instanceId, "running");
    const mine = sb.call(ctx(), "CreateImage", {
      InstanceId: instanceId,
      Name: "shop-2025-01",
      NoReboot: true,
      TagSpecifications: [{ ResourceType: "image", Tags: [{ Key: "app", Value: "shop" }] }],
    }).output.ImageId;
    expect(q([{ Name: "state", Values: ["pending"] }], { Owners: ["self"] }).map((i) => i.ImageId)).toEqual([mine]);
    waitImage(sb, ctx(), mine);
    expect(q([{ Name: "state", Values: ["pending"] }], { Owners: ["self"] })).toEqual([]);
    expect(q([{ Name: "tag:app", Values: ["shop"] }]).map((i) => i.ImageId)).toEqual([mine]);
    expect(q([{ Name: "tag:app", Values: ["blog"] }])).toEqual([]);
    expect(q([{ Name: "is-public", Values: ["false"] }]).map((i) => i.ImageId)).toEqual([mine]);
    expect(q([{ Name: "is-public", Values: ["true"] }]).some((i) => i.ImageId === mine)).toBe(false);
    expect(q([{ Name: "name", Values: ["shop-*"] }]).map((i) => i.ImageId)).toEqual([mine]);
    // ImageIds and Owners together.
    expect(
      sb
        .call(ctx(), "DescribeImages", { ImageIds: [mine, ami(AL2023_X86)], Owners: ["self"] })
        .output.Images.map((i: { ImageId: string }) => i.ImageId),
    ).toEqual([mine]);
    expectEc2Error(() => sb.call(ctx(), "DescribeImages", { ImageIds: ["ami-123"] }), "InvalidAMIID.Malformed");
  });

  it("R6 ExecutableUsers: self gives the AMIs explicitly shared with the caller, all the public ones", () => {
    const sb = sandbox("exec-users", { accountId: B });
    const shared = myImage(sb, ctx(), "shared-with-b");
    const secret = myImage(sb, ctx(), "not-shared");
    sb.call(ctx(), "ModifyImageAttribute", { ImageId: shared, LaunchPermission: { Add: [{ UserId: B }] } });
    const forB = sb
      .call(ctx(B), "DescribeImages", { ExecutableUsers: ["self"] })
      .output.Images.map((i: { ImageId: string }) => i.ImageId);
    expect(forB).toEqual([shared]);
    // The owner asking which of its images B may launch.
    expect(
      sb
        .call(ctx(), "DescribeImages", { Owners: ["self"], ExecutableUsers: [B] })
        .output.Images.map((i: { ImageId: string }) => i.ImageId),
    ).toEqual([shared]);
    // Organization shares count for the caller's own account only, as EC2 documents.
    const C = "777700001111";
    sb.createAccount({
      accountId: C,
      organizationArn: "arn:aws:organizations::111122223333:organization/o-a1b2c3d4e5",
    });
    const orgImage = myImage(sb, ctx(), "shared-with-org");
    sb.call(ctx(), "ModifyImageAttribute", {
      ImageId: orgImage,
      LaunchPermission: { Add: [{ OrganizationArn: "arn:aws:organizations::111122223333:organization/o-a1b2c3d4e5" }] },
    });
    expect(
      sb
        .call(ctx(C), "DescribeImages", { ExecutableUsers: ["self"] })
        .output.Images.map((i: { ImageId: string }) => i.ImageId),
    ).toEqual([orgImage]);
    expect(
      sb
        .call(ctx(C), "DescribeImages", { ExecutableUsers: [C] })
        .output.Images.map((i: { ImageId: string }) => i.ImageId),
    ).toEqual([orgImage]);
    expect(sb.call(ctx(), "DescribeImages", { Owners: ["self"], ExecutableUsers: [C] }).output.Images).toEqual([]);
    const pub = sb.call(ctx(B), "DescribeImages", { ExecutableUsers: ["all"] }).output.Images;
    expect(pub.length).toBeGreaterThan(10);
    expect(pub.every((i: { Public: boolean }) => i.Public)).toBe(true);
    expect(pub.some((i: { ImageId: string }) => i.ImageId === shared || i.ImageId === secret)).toBe(false);
  });
});

describe("R7 launch permissions", () => {
  const ORG = "arn:aws:organizations::111122223333:organization/o-a1b2c3d4e5";
  const OTHER_ORG = "arn:aws:organizations::999988887777:organization/o-z9y8x7w6v5";
  const OU = `arn:aws:organizations::111122223333:ou/o-a1b2c3d4e5/ou-ab12-cdef3456`;
  const C = "777700001111",
    D = "777700002222",
    E = "777700003333";

  function setUp() {
    const sb = sandbox(
      "launch-permissions",
      { accountId: B },
      { accountId: C, organizationArn: ORG },
      { accountId: D, organizationArn: ORG, ouArn: OU },
      { accountId: E, organizationArn: OTHER_ORG },
    );
    const image = myImage(sb, ctx(), "private-app");
    return { sb, image };
  }
  const canSee = (sb: Sandbox, acct: string, image: string) => {
    try {
      sb.call(ctx(acct), "DescribeImages", { ImageIds: [image] });
      return true;
    } catch (e) {
      expect((e as { code: string }).code).toBe("InvalidAMIID.NotFound");
      return false;
    }
  };

  it("R7 a private AMI is seen and launched only by its owner; others get InvalidAMIID.NotFound", () => {
    const { sb, image } = setUp();
    expect(describeImage(sb, ctx(), image).Public).toBe(false);
    expect(launch(sb, ctx(), image, "t3.micro").state.Name).toBe("pending");
    expectEc2Error(
      () => sb.call(ctx(B), "DescribeImages", { ImageIds: [image] }),
      "InvalidAMIID.NotFound",
      `The image id '[${image}]' does not exist`,
    );
    expectEc2Error(
      () => launch(sb, ctx(B), image, "t3.micro"),
      "InvalidAMIID.NotFound",
      `The image id '[${image}]' does not exist`,
    );
    expect(sb.call(ctx(B), "DescribeImages", { Owners: [A] }).output.Images).toEqual([]);
    // Nor may B share or describe its permissions.
    expectEc2Error(
      () => sb.call(ctx(B), "ModifyImageAttribute", { ImageId: image, LaunchPermission: { Add: [{ UserId: B }] } }),
      "InvalidAMIID.NotFound",
    );
  });

  it("R7 explicit permission by account ID lets that account describe and launch, and removing it takes it back", () => {
    const { sb, image } = setUp();
    sb.call(ctx(), "ModifyImageAttribute", { ImageId: image, LaunchPermission: { Add: [{ UserId: B }] } });
    expect(
      sb.call(ctx(), "DescribeImageAttribute", { ImageId: image, Attribute: "launchPermission" }).output
        .LaunchPermissions,
    ).toEqual([{ UserId: B }]);
    expect(describeImage(sb, ctx(B), image)).toMatchObject({ ImageId: image, OwnerId: A, Public: false });
    const run = launch(sb, ctx(B), image, "t3.micro");
    expect(run.state.Name).toBe("pending");
    // Sharing the AMI does not share its snapshots; B's instance and its volume are B's.
    const snap = describeImage(sb, ctx(), image).BlockDeviceMappings[0].Ebs.SnapshotId;
    expectEc2Error(() => sb.call(ctx(B), "DescribeSnapshots", { SnapshotIds: [snap] }), "InvalidSnapshot.NotFound");
    expectEc2Error(
      () => sb.call(ctx(B), "CreateVolume", { AvailabilityZone: "us-east-1a", SnapshotId: snap }),
      "InvalidSnapshot.NotFound",
    );
    const bVol = sb.call(ctx(B), "DescribeInstances", { InstanceIds: [run.instanceId] }).output.Reservations[0]
      .Instances[0].BlockDeviceMappings[0].Ebs.VolumeId;
    expect(sb.call(ctx(B), "DescribeVolumes", { VolumeIds: [bVol] }).output.Volumes[0].SnapshotId).toBe(snap);
    expectEc2Error(() => sb.call(ctx(), "DescribeVolumes", { VolumeIds: [bVol] }), "InvalidVolume.NotFound");
    expect(canSee(sb, C, image)).toBe(false);
    // Only the owner reads the permission list.
    expectEc2Error(
      () => sb.call(ctx(B), "DescribeImageAttribute", { ImageId: image, Attribute: "launchPermission" }),
      "AuthFailure",
    );
    sb.call(ctx(), "ModifyImageAttribute", { ImageId: image, LaunchPermission: { Remove: [{ UserId: B }] } });
    expect(canSee(sb, B, image)).toBe(false);
    expectEc2Error(() => launch(sb, ctx(B), image, "t3.micro"), "InvalidAMIID.NotFound");
    // The instance B already launched is B's and keeps running.
    sb.advance(60_000);
    expect(
      sb.call(ctx(B), "DescribeInstances", { InstanceIds: [run.instanceId] }).output.Reservations[0].Instances[0].State
        .Name,
    ).toBe("running");
    // The CLI's flat form (--operation-type add --user-ids) works the same.
    sb.call(ctx(), "ModifyImageAttribute", {
      ImageId: image,
      Attribute: "launchPermission",
      OperationType: "add",
      UserIds: [B],
    });
    expect(canSee(sb, B, image)).toBe(true);
  });

  it("R7 permission by organization ARN or OU ARN reaches the accounts in it, and no one else", () => {
    const { sb, image } = setUp();
    sb.call(ctx(), "ModifyImageAttribute", { ImageId: image, LaunchPermission: { Add: [{ OrganizationArn: ORG }] } });
    expect([B, C, D, E].map((a) => canSee(sb, a, image))).toEqual([false, true, true, false]);
    expect(launch(sb, ctx(C), image, "t3.micro").state.Name).toBe("pending");
    expectEc2Error(() => launch(sb, ctx(E), image, "t3.micro"), "InvalidAMIID.NotFound");
    sb.call(ctx(), "ModifyImageAttribute", {
      ImageId: image,
      LaunchPermission: { Remove: [{ OrganizationArn: ORG }], Add: [{ OrganizationalUnitArn: OU }] },
    });
    expect([B, C, D, E].map((a) => canSee(sb, a, image))).toEqual([false, false, true, false]);
    expect(launch(sb, ctx(D), image, "t3.micro").state.Name).toBe("pending");
    expectEc2Error(() => launch(sb, ctx(C), image, "t3.micro"), "InvalidAMIID.NotFound");
    expect(
      sb.call(ctx(), "DescribeImageAttribute", { ImageId: image, Attribute: "launchPermission" }).output
        .LaunchPermissions,
    ).toEqual([{ OrganizationalUnitArn: OU }]);
    expectEc2Error(
      () =>
        sb.call(ctx(), "ModifyImageAttribute", {
          ImageId: image,
          LaunchPermission: { Add: [{ OrganizationArn: "arn:aws:organizations::1:organization/x" }] },
        }),
      "InvalidParameterValue",
    );
  });

  it("R7 public (group all) lets every account describe and launch; block public access refuses it", () => {
    const { sb, image } = setUp();
    sb.call(ctx(), "ModifyImageAttribute", { ImageId: image, LaunchPermission: { Add: [{ Group: "all" }] } });
    expect(describeImage(sb, ctx(B), image).Public).toBe(true);
    expect([B, C, D, E].map((a) => canSee(sb, a, image))).toEqual([true, true, true, true]);
    expect(launch(sb, ctx(E), image, "t3.micro").state.Name).toBe("pending");
    sb.call(ctx(), "ModifyImageAttribute", { ImageId: image, LaunchPermission: { Remove: [{ Group: "all" }] } });
    expect(canSee(sb, B, image)).toBe(false);

    // Block public access for AMIs: making an image public is refused, sharing with accounts is not.
    expect(sb.call(ctx(), "GetImageBlockPublicAccessState", {}).output.ImageBlockPublicAccessState).toBe("unblocked");
    sb.call(ctx(), "EnableImageBlockPublicAccess", { ImageBlockPublicAccessState: "block-new-sharing" });
    expect(sb.call(ctx(), "GetImageBlockPublicAccessState", {}).output.ImageBlockPublicAccessState).toBe(
      "block-new-sharing",
    );
    expectEc2Error(
      () => sb.call(ctx(), "ModifyImageAttribute", { ImageId: image, LaunchPermission: { Add: [{ Group: "all" }] } }),
      "OperationNotPermitted",
      /block public access/,
    );
    expect(describeImage(sb, ctx(), image).Public).toBe(false);
    expect(canSee(sb, B, image)).toBe(false);
    sb.call(ctx(), "ModifyImageAttribute", { ImageId: image, LaunchPermission: { Add: [{ UserId: B }] } });
    expect(canSee(sb, B, image)).toBe(true);
    // The setting is per region.
    expect(sb.call(ctx(A, "eu-west-1"), "GetImageBlockPublicAccessState", {}).output.ImageBlockPublicAccessState).toBe(
      "unblocked",
    );
    sb.call(ctx(), "DisableImageBlockPublicAccess", {});
    sb.call(ctx(), "ModifyImageAttribute", { ImageId: image, LaunchPermission: { Add: [{ Group: "all" }] } });
    expect(canSee(sb, E, image)).toBe(true);
  });
});
