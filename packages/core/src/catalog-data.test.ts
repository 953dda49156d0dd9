import { describe, expect, it } from "vitest";
import {
  CATALOG_IMAGES,
  GUEST_BASES,
  INSTANCE_TYPE_OFFERINGS,
  INSTANCE_TYPES,
  isOffered,
  onDemandUsdPerHour,
  PACKAGE_REPOS,
  REGIONS,
  regionByName,
  STORAGE_PRICES,
} from "./catalog-data.ts";
import type { Architecture, CatalogImage } from "./data-types.ts";

const type = (name: string) => {
  const t = INSTANCE_TYPES.get(name);
  if (!t) throw new Error(`${name} missing from the catalog`);
  return t;
};

describe("regions (R2)", () => {
  it("R2 regions and AZs are the real ones", () => {
    const use1 = regionByName("us-east-1")!;
    expect(use1.zones.map((z) => z.zoneName)).toEqual([
      "us-east-1a",
      "us-east-1b",
      "us-east-1c",
      "us-east-1d",
      "us-east-1e",
      "us-east-1f",
    ]);
    expect(use1.zones.find((z) => z.zoneName === "us-east-1a")?.zoneId).toBe("use1-az6");
    expect(use1.priceFactor).toBe(1);
    expect(use1.endpoint).toBe("ec2.us-east-1.amazonaws.com");
    expect(regionByName("eu-west-1")!.zones).toHaveLength(3);
    expect(regionByName("us-west-1")!.zones.map((z) => z.zoneName)).toEqual(["us-west-1a", "us-west-1b"]);
    expect(regionByName("ap-northeast-1")!.zones.map((z) => z.zoneName)).toEqual([
      "ap-northeast-1a",
      "ap-northeast-1c",
      "ap-northeast-1d",
    ]);
    expect(regionByName("us-west-2")!.zones).toHaveLength(4);
    expect(regionByName("cn-north-1")).toBeUndefined(); // commercial partition only
    expect(regionByName("us-gov-west-1")).toBeUndefined();
    expect(REGIONS.length).toBeGreaterThanOrEqual(30);
  });

  it("R2 every zone belongs to its region and zone IDs are unique", () => {
    const ids = new Set<string>();
    for (const r of REGIONS) {
      expect(r.zones.length).toBeGreaterThanOrEqual(2);
      for (const z of r.zones) {
        expect(z.zoneName.startsWith(r.regionName)).toBe(true);
        expect(z.zoneName).toMatch(/^[a-z]{2}-[a-z]+-\d[a-z]$/);
        expect(z.zoneId).toMatch(/^[a-z]+\d-az\d$/);
        expect(ids.has(z.zoneId)).toBe(false);
        ids.add(z.zoneId);
      }
    }
  });

  it("R2 opt-in status follows AWS: regions launched since 2019 need opting in", () => {
    expect(regionByName("us-east-1")!.optInStatus).toBe("opt-in-not-required");
    expect(regionByName("eu-north-1")!.optInStatus).toBe("opt-in-not-required");
    expect(regionByName("af-south-1")!.optInStatus).toBe("not-opted-in");
    expect(regionByName("ap-east-1")!.optInStatus).toBe("not-opted-in");
    expect(REGIONS.filter((r) => r.optInStatus === "opt-in-not-required")).toHaveLength(17);
  });

  it("R4 regional price factors are realistic", () => {
    const f = (n: string) => regionByName(n)!.priceFactor;
    expect(f("us-east-2")).toBe(1);
    expect(f("us-west-2")).toBe(1);
    expect(f("eu-west-1")).toBeCloseTo(0.0114 / 0.0104, 4);
    expect(f("ap-northeast-1")).toBeCloseTo(0.0136 / 0.0104, 4);
    expect(f("sa-east-1")).toBeCloseTo(0.0168 / 0.0104, 4);
    for (const r of REGIONS) {
      expect(r.priceFactor).toBeGreaterThanOrEqual(1);
      expect(r.priceFactor).toBeLessThan(1.7);
    }
    expect(onDemandUsdPerHour("t3.micro", "ap-northeast-1")).toBeCloseTo(0.0136, 6);
  });
});

describe("instance types (R4)", () => {
  const families = "t2 t3 t3a t4g m5 m5d m6g m6i m7i m7g c5 c5d c6i c7g r5 r6i i3 p3 g5 a1".split(" ");

  it("R4 every required family is present with its sizes", () => {
    for (const f of families) {
      const sizes = [...INSTANCE_TYPES.keys()].filter((k) => k.split(".")[0] === f);
      expect(sizes.length, f).toBeGreaterThanOrEqual(3);
    }
    expect([...INSTANCE_TYPES.keys()].filter((k) => k.startsWith("t3.")).sort()).toEqual([
      "t3.2xlarge",
      "t3.large",
      "t3.medium",
      "t3.micro",
      "t3.nano",
      "t3.small",
      "t3.xlarge",
    ]);
    expect([...INSTANCE_TYPES.keys()].filter((k) => k.startsWith("p3.")).sort()).toEqual([
      "p3.16xlarge",
      "p3.2xlarge",
      "p3.8xlarge",
    ]);
    expect(type("g5.48xlarge").defaultVCpus).toBe(192);
  });

  it("R4 vCPUs and memory are AWS's", () => {
    expect([type("t2.micro").defaultVCpus, type("t2.micro").memoryMiB]).toEqual([1, 1024]);
    expect([type("t3.micro").defaultVCpus, type("t3.micro").memoryMiB]).toEqual([2, 1024]);
    expect([type("m5.large").defaultVCpus, type("m5.large").memoryMiB]).toEqual([2, 8192]);
    expect([type("c5.large").defaultVCpus, type("c5.large").memoryMiB]).toEqual([2, 4096]);
    expect([type("r5.large").defaultVCpus, type("r5.large").memoryMiB]).toEqual([2, 16384]);
    expect(type("i3.large").memoryMiB).toBe(15616);
    expect(type("p3.2xlarge").gpus).toEqual([{ name: "V100", manufacturer: "NVIDIA", count: 1, memoryMiB: 16384 }]);
    expect(type("g5.xlarge").gpus?.[0]).toMatchObject({ name: "A10G", manufacturer: "NVIDIA", count: 1 });
    expect(type("m5.metal").bareMetal).toBe(true);
    expect(type("t3.micro").burstablePerformanceSupported).toBe(true);
    expect(type("m5.large").burstablePerformanceSupported).toBe(false);
  });

  it("R4 instance-store volumes have the right count and size", () => {
    const disks = (n: string) => type(n).instanceStorage?.disks;
    expect(disks("m5d.large")).toEqual([{ count: 1, sizeInGB: 75, type: "ssd" }]);
    expect(disks("c5d.large")).toEqual([{ count: 1, sizeInGB: 50, type: "ssd" }]);
    expect(disks("i3.large")).toEqual([{ count: 1, sizeInGB: 475, type: "ssd" }]);
    expect(disks("m5d.24xlarge")).toEqual([{ count: 4, sizeInGB: 900, type: "ssd" }]);
    expect(disks("i3.16xlarge")).toEqual([{ count: 8, sizeInGB: 1900, type: "ssd" }]);
    expect(type("m5d.large").instanceStorage?.nvmeSupport).toBe("required");
    expect(type("m5.large").instanceStorageSupported).toBe(false);
    expect(type("m5.large").instanceStorage).toBeUndefined();
    expect(type("t3.micro").instanceStorageSupported).toBe(false);
    for (const t of INSTANCE_TYPES.values()) {
      expect(t.instanceStorageSupported, t.instanceType).toBe(t.instanceStorage !== undefined);
      if (t.instanceStorage) {
        const sum = t.instanceStorage.disks.reduce((s, d) => s + d.count * d.sizeInGB, 0);
        expect(sum, t.instanceType).toBe(t.instanceStorage.totalSizeInGB);
      }
    }
  });

  it("R4 architectures: Graviton is arm64, t2 runs i386 too", () => {
    for (const f of ["t4g", "m6g", "m7g", "c7g", "a1"]) {
      for (const t of INSTANCE_TYPES.values()) {
        if (t.instanceType.split(".")[0] === f) expect(t.architectures, t.instanceType).toEqual(["arm64"]);
      }
    }
    expect(type("t2.micro").architectures).toEqual(["i386", "x86_64"]);
    expect(type("t3.micro").architectures).toEqual(["x86_64"]);
    expect(type("m7i.large").architectures).toEqual(["x86_64"]);
  });

  it("R4 some types boot instance-store roots and paravirtual images", () => {
    expect(type("m3.medium").supportedRootDeviceTypes).toContain("instance-store");
    expect(type("m1.small").supportedVirtualizationTypes).toContain("paravirtual");
    expect(type("m1.small").architectures).toContain("i386");
    expect(type("m5.large").supportedRootDeviceTypes).toEqual(["ebs"]);
    expect(type("m5.large").supportedVirtualizationTypes).toEqual(["hvm"]);
  });

  it("R4 us-east-1 Linux on-demand prices match AWS's published ones", () => {
    const published: Record<string, number> = {
      "t2.micro": 0.0116,
      "t3.micro": 0.0104,
      "t3.small": 0.0208,
      "t3.medium": 0.0416,
      "t3a.micro": 0.0094,
      "t4g.micro": 0.0084,
      "m5.large": 0.096,
      "m5d.large": 0.113,
      "m6g.large": 0.077,
      "m7i.large": 0.1008,
      "c5.large": 0.085,
      "c5d.large": 0.096,
      "c7g.large": 0.0725,
      "r5.large": 0.126,
      "i3.large": 0.156,
      "p3.2xlarge": 3.06,
      "g5.xlarge": 1.006,
      // linear sizes and the non-linear g5 table
      "t3.large": 0.0832,
      "t3.nano": 0.0052,
      "t2.small": 0.023,
      "m5.xlarge": 0.192,
      "m5.24xlarge": 4.608,
      "c5.9xlarge": 1.53,
      "p3.16xlarge": 24.48,
      "g5.2xlarge": 1.212,
      "g5.12xlarge": 5.672,
      "g5.16xlarge": 4.096,
      "g5.48xlarge": 16.288,
    };
    for (const [name, usd] of Object.entries(published)) expect(type(name).onDemandUsdPerHour, name).toBe(usd);
    for (const t of INSTANCE_TYPES.values()) expect(t.onDemandUsdPerHour, t.instanceType).toBeGreaterThan(0);
  });

  it("R4 offerings come from AWS per region", () => {
    expect(Object.keys(INSTANCE_TYPE_OFFERINGS).sort()).toEqual(REGIONS.map((r) => r.regionName).sort());
    expect(INSTANCE_TYPE_OFFERINGS["us-east-1"]).toHaveLength(INSTANCE_TYPES.size);
    for (const r of REGIONS) {
      expect(isOffered(r.regionName, "t3.micro") || isOffered(r.regionName, "t4g.micro"), r.regionName).toBe(true);
      for (const t of INSTANCE_TYPE_OFFERINGS[r.regionName]!) expect(INSTANCE_TYPES.has(t), t).toBe(true);
    }
    // Real gaps: Malaysia (2024) opened without 5th-generation Intel or previous-generation types.
    expect(isOffered("ap-southeast-5", "m5.large")).toBe(false);
    expect(isOffered("ap-southeast-5", "t2.micro")).toBe(false);
    expect(isOffered("ap-southeast-5", "m7i.large")).toBe(true);
    expect(isOffered("nowhere-1", "t3.micro")).toBe(false);
  });
});

describe("catalog images (R5, R6)", () => {
  const quick = CATALOG_IMAGES.filter((i) => i.catalog === "quick-start");
  const has = (re: RegExp, arch: Architecture) => quick.some((i) => re.test(i.name) && i.architecture === arch);

  it("R6 every Quick Start OS is present for x86_64 and (except Windows) arm64", () => {
    const patterns: [RegExp, boolean][] = [
      [/^al2023-ami-2023\.\d+\.\d{8}\.\d+-kernel-6\.1-(x86_64|arm64)$/, true],
      [/^al2023-ami-minimal-2023\.\d+\.\d{8}\.\d+-kernel-6\.1-(x86_64|arm64)$/, true],
      [/^amzn2-ami-kernel-5\.10-hvm-2\.0\.\d{8}\.\d+-(x86_64|arm64)-gp2$/, true],
      [/^ubuntu\/images\/hvm-ssd-gp3\/ubuntu-noble-24\.04-(amd64|arm64)-server-\d{8}$/, true],
      [/^ubuntu\/images\/hvm-ssd\/ubuntu-jammy-22\.04-(amd64|arm64)-server-\d{8}$/, true],
      [/^debian-12-(amd64|arm64)-\d{8}-\d{4}$/, true],
      [/^RHEL-9\.\d\.0_HVM-\d{8}-(x86_64|arm64)-\d+-Hourly2-GP3$/, true],
      [/^Windows_Server-2022-English-Full-Base-\d{4}\.\d{2}\.\d{2}$/, false],
      // The families people still pin (issue 13).
      [/^amzn2-ami-hvm-2\.0\.\d{8}\.\d+-(x86_64|arm64)-gp2$/, true],
      [/^ubuntu\/images\/hvm-ssd\/ubuntu-focal-20\.04-(amd64|arm64)-server-\d{8}$/, true],
      [/^ubuntu\/images\/hvm-ssd\/ubuntu-bionic-18\.04-(amd64|arm64)-server-\d{8}$/, true],
      [/^debian-11-(amd64|arm64)-\d{8}-\d{4}$/, true],
      [/^RHEL-8\.\d+\.0_HVM-\d{8}-(x86_64|arm64)-\d+-Hourly2-GP3$/, true],
      [/^suse-sles-15-sp\d-v\d{8}-hvm-ssd-(x86_64|arm64)$/, true],
      [/^Windows_Server-2019-English-Full-Base-\d{4}\.\d{2}\.\d{2}$/, false],
      [/^Windows_Server-2025-English-Full-Base-\d{4}\.\d{2}\.\d{2}$/, false],
    ];
    for (const [re, arm] of patterns) {
      expect(has(re, "x86_64"), `${re} x86_64`).toBe(true);
      expect(has(re, "arm64"), `${re} arm64`).toBe(arm);
    }
    for (const i of quick) {
      expect(
        patterns.some(([re]) => re.test(i.name)),
        i.name,
      ).toBe(true);
      // the name's architecture word agrees with the architecture field
      const word = i.name.match(/(x86_64|arm64|amd64)/)?.[1];
      if (word) expect(word === "arm64" ? "arm64" : "x86_64", i.name).toBe(i.architecture);
    }
  });

  it("R6 there are several dated AL2023 releases so 'most recent' means something", () => {
    const al = quick.filter((i) => /^al2023-ami-2023.*-x86_64$/.test(i.name));
    expect(al.length).toBeGreaterThanOrEqual(3);
    const newest = [...al].sort((a, b) => b.creationDate.localeCompare(a.creationDate))[0]!;
    expect(newest.name).toBe("al2023-ami-2023.6.20241212.0-kernel-6.1-x86_64");
  });

  it("R6 owners, aliases and billing codes are AWS's", () => {
    const by = (re: RegExp) => quick.filter((i) => re.test(i.name));
    for (const i of by(/^(al2023|amzn2)-/)) expect([i.ownerId, i.ownerAlias]).toEqual(["137112412989", "amazon"]);
    for (const i of by(/^ubuntu\//)) {
      expect([i.ownerId, i.ownerAlias]).toEqual(["099720109477", undefined]);
      expect(i.imageLocation).toBe(`099720109477/${i.name}`);
      expect(i.rootDeviceName).toBe("/dev/sda1");
    }
    for (const i of by(/^debian-12/)) expect([i.ownerId, i.ownerAlias]).toEqual(["136693071363", undefined]);
    for (const i of by(/^RHEL-9/)) {
      expect(i.ownerId).toBe("309956199498");
      expect([i.platformDetails, i.usageOperation]).toEqual(["Red Hat Enterprise Linux", "RunInstances:0010"]);
    }
    for (const i of by(/^suse-sles-15/)) {
      expect([i.ownerId, i.ownerAlias, i.platformDetails, i.usageOperation]).toEqual([
        "013907871322",
        "amazon",
        "SUSE Linux",
        "RunInstances:000g",
      ]);
    }
    const win = by(/^Windows_Server/)[0]!;
    expect([
      win.ownerId,
      win.ownerAlias,
      win.platform,
      win.platformDetails,
      win.usageOperation,
      win.rootDeviceName,
    ]).toEqual(["801119661308", "amazon", "windows", "Windows", "RunInstances:0002", "/dev/sda1"]);
    const al = by(/^al2023-ami-2023\.6\.20241212\.0-kernel-6\.1-x86_64$/)[0]!;
    expect(al).toMatchObject({
      imageLocation: "amazon/al2023-ami-2023.6.20241212.0-kernel-6.1-x86_64",
      rootDeviceName: "/dev/xvda",
      rootDeviceType: "ebs",
      virtualizationType: "hvm",
      bootMode: "uefi-preferred",
      enaSupport: true,
      imdsSupport: "v2.0",
      rootVolumeSizeGiB: 8,
      rootVolumeType: "gp3",
      platformDetails: "Linux/UNIX",
      usageOperation: "RunInstances",
    });
  });

  it("R26 marketplace entries carry product codes, a price and their extras", () => {
    const mkt = CATALOG_IMAGES.filter((i) => i.catalog === "marketplace");
    expect(mkt.length).toBeGreaterThanOrEqual(2);
    for (const i of mkt) {
      expect([i.ownerId, i.ownerAlias], i.name).toEqual(["679593333241", "aws-marketplace"]);
      expect(i.productCodes?.length, i.name).toBeGreaterThan(0);
      for (const p of i.productCodes!) {
        expect(p.productCodeId).toMatch(/^[a-z0-9]{25}$/);
        expect(p.productCodeType).toBe("marketplace");
      }
      expect(i.softwareUsdPerHour, i.name).toBeGreaterThan(0);
      expect(i.gettingStarted?.length, i.name).toBeGreaterThan(40);
      expect(i.parameters?.length, i.name).toBeGreaterThan(0);
    }
  });

  it("R6 community images: other accounts, no alias, one instance-store, one i386", () => {
    const com = CATALOG_IMAGES.filter((i) => i.catalog === "community");
    expect(com.length).toBeGreaterThanOrEqual(3);
    const known = new Set([
      "137112412989",
      "099720109477",
      "136693071363",
      "309956199498",
      "801119661308",
      "679593333241",
    ]);
    for (const i of com) {
      expect(i.ownerAlias, i.name).toBeUndefined();
      expect(i.ownerId).toMatch(/^\d{12}$/);
      expect(known.has(i.ownerId), i.name).toBe(false);
      expect(i.productCodes).toBeUndefined();
    }
    const store = com.find((i) => i.rootDeviceType === "instance-store");
    expect(store?.rootDeviceName).toBe("/dev/sda1");
    expect(store!.rootVolumeSizeGiB).toBeLessThanOrEqual(10); // R16
    expect(store!.imageLocation).toMatch(/\.manifest\.xml$/);
    expect(com.some((i) => i.architecture === "i386")).toBe(true);
  });

  it("R5 every image can launch on some catalog type and names its guest", () => {
    const types = [...INSTANCE_TYPES.values()];
    const names = new Set<string>();
    for (const i of CATALOG_IMAGES as CatalogImage[]) {
      expect(names.has(i.name), i.name).toBe(false);
      names.add(i.name);
      expect(GUEST_BASES[i.guest], `${i.name} guest ${i.guest}`).toBeDefined();
      expect(Number.isNaN(Date.parse(i.creationDate)), i.name).toBe(false);
      const fits = types.some(
        (t) =>
          t.architectures.includes(i.architecture) &&
          t.supportedRootDeviceTypes.includes(i.rootDeviceType) &&
          t.supportedVirtualizationTypes.includes(i.virtualizationType),
      );
      expect(fits, i.name).toBe(true);
      if (i.platform === "windows") expect(GUEST_BASES[i.guest]!.family).toBe("windows");
    }
  });
});

describe("guest bases and repositories", () => {
  it("R9 every distribution has real os-release, login user, services and a repository", () => {
    const expectations: Record<string, { user: string; pm: string; pretty: RegExp; sshd: string }> = {
      al2023: { user: "ec2-user", pm: "dnf", pretty: /^PRETTY_NAME="Amazon Linux 2023\.6\.20241212"$/m, sshd: "sshd" },
      amzn2: { user: "ec2-user", pm: "yum", pretty: /^PRETTY_NAME="Amazon Linux 2"$/m, sshd: "sshd" },
      "ubuntu-2404": { user: "ubuntu", pm: "apt", pretty: /^PRETTY_NAME="Ubuntu 24\.04\.1 LTS"$/m, sshd: "ssh" },
      "ubuntu-2204": { user: "ubuntu", pm: "apt", pretty: /^PRETTY_NAME="Ubuntu 22\.04\.5 LTS"$/m, sshd: "ssh" },
      "debian-12": {
        user: "admin",
        pm: "apt",
        pretty: /^PRETTY_NAME="Debian GNU\/Linux 12 \(bookworm\)"$/m,
        sshd: "ssh",
      },
      "rhel-9": {
        user: "ec2-user",
        pm: "dnf",
        pretty: /^PRETTY_NAME="Red Hat Enterprise Linux 9\.5 \(Plow\)"$/m,
        sshd: "sshd",
      },
      "ubuntu-2004": { user: "ubuntu", pm: "apt", pretty: /^PRETTY_NAME="Ubuntu 20\.04\.6 LTS"$/m, sshd: "ssh" },
      "ubuntu-1804": { user: "ubuntu", pm: "apt", pretty: /^PRETTY_NAME="Ubuntu 18\.04\.6 LTS"$/m, sshd: "ssh" },
      "debian-11": {
        user: "admin",
        pm: "apt",
        pretty: /^PRETTY_NAME="Debian GNU\/Linux 11 \(bullseye\)"$/m,
        sshd: "ssh",
      },
      "rhel-8": {
        user: "ec2-user",
        pm: "dnf",
        pretty: /^PRETTY_NAME="Red Hat Enterprise Linux 8\.10 \(Ootpa\)"$/m,
        sshd: "sshd",
      },
      "sles-15": {
        user: "ec2-user",
        pm: "zypper",
        pretty: /^PRETTY_NAME="SUSE Linux Enterprise Server 15 SP6"$/m,
        sshd: "sshd",
      },
      "amzn2-kernel-4.14": { user: "ec2-user", pm: "yum", pretty: /^PRETTY_NAME="Amazon Linux 2"$/m, sshd: "sshd" },
    };
    for (const [key, e] of Object.entries(expectations)) {
      const b = GUEST_BASES[key]!;
      expect(b, key).toBeDefined();
      expect([b.defaultUser, b.packageManager], key).toEqual([e.user, e.pm]);
      expect(b.files["/etc/os-release"], key).toMatch(e.pretty);
      expect(b.enabledServices, key).toContain(e.sshd);
      expect(b.enabledServices, key).toContain(
        key.startsWith("al") || key.startsWith("amzn2") || key.startsWith("rhel") || key === "sles-15"
          ? "chronyd"
          : "chrony",
      );
      expect(b.files["/etc/ssh/sshd_config"], key).toContain("Subsystem");
      expect(b.files["/etc/hosts"], key).toContain("localhost");
      expect(b.files["/etc/fstab"], key).not.toMatch(/\bswap\b/);
      expect(b.packages["openssh-server"], key).toBeDefined();
      expect(b.packages["cloud-init"], key).toBeDefined();
      expect(PACKAGE_REPOS[b.repository]?.length, key).toBeGreaterThanOrEqual(25);
      expect(b.usedGiB).toBeGreaterThan(0.5);
    }
    expect(GUEST_BASES.al2023!.packages["curl-minimal"]).toMatch(/^8\.5\.0-/);
    const win = GUEST_BASES["windows-2022"]!;
    expect([win.family, win.packageManager, win.defaultUser]).toEqual(["windows", "none", "Administrator"]);
  });

  it("R9 guest bases fit in their images' root volumes", () => {
    for (const i of CATALOG_IMAGES) expect(GUEST_BASES[i.guest]!.usedGiB, i.name).toBeLessThan(i.rootVolumeSizeGiB);
  });

  it("R9 repositories hold the real packages of each release", () => {
    const pkg = (repo: string, name: string) => PACKAGE_REPOS[repo]?.find((p) => p.name === name);
    expect(pkg("al2023", "nginx")?.version).toMatch(/^1\.2[46]\./);
    expect(pkg("al2023", "nginx")?.files?.["/etc/nginx/nginx.conf"]).toContain("root         /usr/share/nginx/html;");
    expect(pkg("al2023", "nginx")?.files?.["/usr/share/nginx/html/index.html"]).toContain("Welcome to nginx!");
    expect(pkg("al2023", "nginx")?.services).toEqual(["nginx"]);
    expect(pkg("al2023", "httpd")?.version).toMatch(/^2\.4\.\d+-/);
    for (const n of [
      "git",
      "python3-pip",
      "nodejs",
      "mariadb105-server",
      "postgresql15-server",
      "docker",
      "tmux",
      "htop",
    ]) {
      expect(pkg("al2023", n), n).toBeDefined();
    }
    expect(pkg("ubuntu-noble", "nginx")?.version).toMatch(/^1\.24\.0-2ubuntu7/);
    expect(pkg("ubuntu-noble", "nginx")?.files?.["/var/www/html/index.nginx-debian.html"]).toContain(
      "Welcome to nginx!",
    );
    expect(pkg("ubuntu-noble", "apache2")?.files?.["/var/www/html/index.html"]).toContain(
      "Apache2 Ubuntu Default Page",
    );
    expect(pkg("debian-bookworm", "apache2")?.files?.["/var/www/html/index.html"]).toContain(
      "Apache2 Debian Default Page",
    );
    expect(pkg("debian-bookworm", "nginx")?.version).toBe("1.22.1-9");
    expect(pkg("ubuntu-jammy", "nginx")?.version).toMatch(/^1\.18\.0-6ubuntu14/);
    expect(pkg("rhel-9", "podman")).toBeDefined();
    expect(pkg("rhel-9", "docker")).toBeUndefined(); // RHEL ships podman, not docker
    expect(pkg("amzn2", "nginx")).toBeDefined();
    for (const [key, pkgs] of Object.entries(PACKAGE_REPOS)) {
      const names = new Set(pkgs.map((p) => p.name));
      expect(names.size, key).toBe(pkgs.length);
      for (const p of pkgs) {
        expect(p.sizeKiB, `${key}/${p.name}`).toBeGreaterThan(0);
        for (const r of p.requires ?? []) {
          // a requirement is either in the repository or already in a base image of that repository
          const inBase = Object.values(GUEST_BASES).some((b) => b.repository === key && b.packages[r] !== undefined);
          expect(names.has(r) || inBase, `${key}/${p.name} requires ${r}`).toBe(true);
        }
      }
    }
  });
});

describe("storage prices (R23)", () => {
  it("R23 R29 EBS, snapshot, S3, public IPv4 and NAT gateway prices are AWS's us-east-1 ones", () => {
    expect(STORAGE_PRICES).toEqual({
      ebs: { gp3: 0.08, gp2: 0.1, io1: 0.125, io2: 0.125, st1: 0.045, sc1: 0.015, standard: 0.05 },
      snapshot: 0.05,
      s3Standard: 0.023,
      publicIpv4PerHour: 0.005,
      natGatewayPerHour: 0.045,
      natGatewayPerGb: 0.045,
    });
  });
});
