/**
 * The Quick Start families people still pin (issue 13): each found by the owner and name pattern a
 * `data "aws_ami"` filter written for AWS uses, newest first; each launches and boots its own
 * distribution; the SSM public parameters point at them; and IDs of the old 8-hex-digit form are
 * NotFound, never Malformed.
 */
import { describe, expect, it } from "vitest";
import { type CallContext, catalogImages } from "../src/index.ts";
import { A, ami, expectEc2Error, launch, ok, sandbox, US, waitFor } from "./r01-r13-helpers.ts";

type Any = any;
const a: CallContext = { accountId: A, region: US };

/** What hashicorp/aws's data "aws_ami" does: DescribeImages with owners and filters, most_recent. */
function mostRecent(sb: ReturnType<typeof sandbox>, owners: string[], pattern: string, arch = "x86_64"): Any {
  const { Images } = sb.call(a, "DescribeImages", {
    Owners: owners,
    Filters: [
      { Name: "name", Values: [pattern] },
      { Name: "architecture", Values: [arch] },
      { Name: "virtualization-type", Values: ["hvm"] },
    ],
  }).output;
  return [...Images].sort((x: Any, y: Any) => y.CreationDate.localeCompare(x.CreationDate))[0];
}

const FAMILIES: [string, string[], string, string, RegExp][] = [
  [
    "Amazon Linux 2 (kernel 4.14)",
    ["amazon"],
    "amzn2-ami-hvm-*-x86_64-gp2",
    "x86_64",
    /^amzn2-ami-hvm-2\.0\.\d+\.0-x86_64-gp2$/,
  ],
  [
    "Amazon Linux 2 (kernel 5.10)",
    ["137112412989"],
    "amzn2-ami-kernel-5.10-hvm-*-x86_64-gp2",
    "x86_64",
    /kernel-5\.10/,
  ],
  ["Amazon Linux 2 arm64", ["amazon"], "amzn2-ami-hvm-*-arm64-gp2", "arm64", /^amzn2-ami-hvm-.*-arm64-gp2$/],
  ["Ubuntu 18.04", ["099720109477"], "ubuntu/images/hvm-ssd/ubuntu-bionic-18.04-amd64-server-*", "x86_64", /bionic/],
  [
    "Ubuntu 18.04 arm64",
    ["099720109477"],
    "ubuntu/images/hvm-ssd/ubuntu-bionic-18.04-arm64-server-*",
    "arm64",
    /bionic/,
  ],
  ["Ubuntu 20.04", ["099720109477"], "ubuntu/images/hvm-ssd/ubuntu-focal-20.04-amd64-server-*", "x86_64", /focal/],
  ["Ubuntu 20.04 arm64", ["099720109477"], "ubuntu/images/hvm-ssd/ubuntu-focal-20.04-arm64-server-*", "arm64", /focal/],
  ["Ubuntu 22.04", ["099720109477"], "ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-amd64-server-*", "x86_64", /jammy/],
  ["Ubuntu 22.04 arm64", ["099720109477"], "ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-arm64-server-*", "arm64", /jammy/],
  ["Ubuntu 24.04", ["099720109477"], "ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-*", "x86_64", /noble/],
  [
    "Ubuntu 24.04 arm64",
    ["099720109477"],
    "ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-arm64-server-*",
    "arm64",
    /noble/,
  ],
  ["Debian 11", ["136693071363"], "debian-11-amd64-*", "x86_64", /^debian-11-amd64-/],
  ["Debian 12", ["136693071363"], "debian-12-amd64-*", "x86_64", /^debian-12-amd64-/],
  ["RHEL 8", ["309956199498"], "RHEL-8*_HVM-*", "x86_64", /^RHEL-8\.10\.0_HVM-/],
  ["RHEL 9", ["309956199498"], "RHEL-9*_HVM-*", "x86_64", /^RHEL-9\.5\.0_HVM-/],
  ["SUSE 15", ["amazon"], "suse-sles-15-sp*-v*-hvm-ssd-x86_64", "x86_64", /^suse-sles-15-sp6-/],
  ["Windows Server 2019", ["amazon"], "Windows_Server-2019-English-Full-Base-*", "x86_64", /2019/],
  ["Windows Server 2022", ["amazon"], "Windows_Server-2022-English-Full-Base-*", "x86_64", /2022/],
  ["Windows Server 2025", ["amazon"], "Windows_Server-2025-English-Full-Base-*", "x86_64", /2025/],
];

describe('Quick Start families, found as data "aws_ami" finds them', () => {
  for (const [family, owners, pattern, arch, want] of FAMILIES) {
    it(`R6 ${family}: owners ${owners.join(",")} name ${pattern}`, () => {
      const sb = sandbox("families");
      const img = mostRecent(sb, owners, pattern, arch);
      expect(img, family).toBeDefined();
      expect(img.Name).toMatch(want);
      expect(img.Public).toBe(true);
      expect(img.State).toBe("available");
    });
  }

  it("R9 each family boots its own distribution: os-release, login user, package manager (zypper on SUSE)", () => {
    const sb = sandbox("families-boot");
    sb.call(a, "CreateKeyPair", { KeyName: "k" });
    const cases: [string, string, string, RegExp][] = [
      ["ubuntu/images/hvm-ssd/ubuntu-focal-20.04-amd64-server-20241206", "t3.micro", "apt", /Ubuntu 20\.04\.6 LTS/],
      ["ubuntu/images/hvm-ssd/ubuntu-bionic-18.04-arm64-server-20230531", "t4g.micro", "apt", /Ubuntu 18\.04\.6 LTS/],
      ["debian-11-amd64-20241202-1949", "t3.micro", "apt", /Debian GNU\/Linux 11/],
      ["RHEL-8.10.0_HVM-20241210-x86_64-0-Hourly2-GP3", "t3.micro", "dnf", /Red Hat Enterprise Linux 8\.10/],
      ["suse-sles-15-sp6-v20241113-hvm-ssd-x86_64", "t3.micro", "zypper", /SUSE Linux Enterprise Server 15 SP6/],
      ["amzn2-ami-hvm-2.0.20241217.0-x86_64-gp2", "t2.micro", "yum", /Amazon Linux 2/],
    ];
    for (const [name, type, pm, pretty] of cases) {
      const { instanceId } = launch(sb, a, ami(name), type);
      waitFor(sb, a, instanceId, "running");
      expect(ok(sb, a, instanceId, "cat /etc/os-release"), name).toMatch(pretty);
      const web = ok(
        sb,
        a,
        instanceId,
        `sudo ${pm} install -y nginx && sudo systemctl enable --now nginx && curl -s localhost`,
      );
      expect(web, name).toMatch(/Welcome to nginx|nginx/i);
    }
    const win = launch(sb, a, ami("Windows_Server-2025-English-Full-Base-2024.12.13"), "t3.large");
    expect(
      sb.call(a, "DescribeInstances", { InstanceIds: [win.instanceId] }).output.Reservations[0].Instances[0].Platform,
    ).toBe("windows");
  });

  it("zypper answers as SUSE's does: unknown packages, non-root, and not on other distributions", () => {
    const sb = sandbox("zypper");
    const suse = launch(sb, a, ami("suse-sles-15-sp6-v20241113-hvm-ssd-x86_64"), "t3.micro").instanceId;
    const al2 = launch(sb, a, ami("amzn2-ami-hvm-2.0.20241217.0-x86_64-gp2"), "t3.micro").instanceId;
    waitFor(sb, a, suse, "running");
    waitFor(sb, a, al2, "running");
    const run = (id: string, c: string) => sb.call(a, "GuestRun", { InstanceId: id, Command: c }).output;
    expect(run(suse, "sudo zypper in -y no-such-package")).toMatchObject({
      ExitCode: 104,
      Output: expect.stringMatching(/Package 'no-such-package' not found/),
    });
    expect(run(suse, "zypper install -y git").Output).toMatch(/Root privileges are required/);
    expect(run(suse, "sudo dnf install -y git").ExitCode).toBe(127);
    expect(run(al2, "sudo zypper install -y git").ExitCode).toBe(127);
    expect(run(suse, "sudo zypper install -y git").Output).toMatch(/\(1\/1\) Installing: git-2\.43\.0-150600/);
  });
});

describe("every SSM public parameter names an image of the catalog, of the architecture it says", () => {
  it("R1 each /aws/service/ parameter resolves, in us-east-1 and eu-west-1, to an available image of its architecture", () => {
    const sb = sandbox("public-params");
    for (const region of ["us-east-1", "eu-west-1"]) {
      const c = { accountId: A, region };
      const names: string[] = [];
      for (const path of [
        "/aws/service/ami-amazon-linux-latest",
        "/aws/service/canonical",
        "/aws/service/debian",
        "/aws/service/ami-windows-latest",
      ]) {
        let token: string | undefined;
        do {
          const out = sb.call(c, "ssm:GetParametersByPath", { Path: path, Recursive: true, NextToken: token }).output;
          for (const p of out.Parameters) {
            names.push(p.Name);
            const img = [...catalogImages(region)].find((i) => i.imageId === p.Value);
            expect(img, p.Name).toBeDefined();
            const arch = /arm64/.test(p.Name) ? "arm64" : "x86_64";
            expect(img!.architecture, p.Name).toBe(arch);
          }
          token = out.NextToken;
        } while (token);
      }
      expect(names.length).toBeGreaterThan(60);
      expect(names).toContain("/aws/service/canonical/ubuntu/server/20.04/stable/current/amd64/hvm/ebs-gp2/ami-id");
      expect(names).toContain("/aws/service/debian/release/bullseye/latest/arm64");
      expect(names).toContain("/aws/service/ami-windows-latest/Windows_Server-2019-English-Full-Base");
      expect(names).toContain("/aws/service/ami-amazon-linux-latest/amzn2-ami-hvm-x86_64-gp2");
    }
  });
});

describe("old 8-hex-digit IDs", () => {
  it("R1 ami-21f78e11 is NotFound, never Malformed, in DescribeImages and RunInstances; i-1234abcd likewise", () => {
    const sb = sandbox("old-ids");
    expectEc2Error(
      () => sb.call(a, "DescribeImages", { ImageIds: ["ami-21f78e11"] }),
      "InvalidAMIID.NotFound",
      "The image id '[ami-21f78e11]' does not exist",
    );
    expectEc2Error(
      () => sb.call(a, "RunInstances", { ImageId: "ami-21f78e11", InstanceType: "t3.micro", MinCount: 1, MaxCount: 1 }),
      "InvalidAMIID.NotFound",
    );
    expectEc2Error(
      () => sb.call(a, "DescribeInstances", { InstanceIds: ["i-1234abcd"] }),
      "InvalidInstanceID.NotFound",
    );
    // Anything else that is not an ID is still Malformed.
    expectEc2Error(() => sb.call(a, "DescribeImages", { ImageIds: ["ami-21f78e1"] }), "InvalidAMIID.Malformed");
    expectEc2Error(() => sb.call(a, "DescribeImages", { ImageIds: ["ami-21F78E11"] }), "InvalidAMIID.Malformed");
  });
});
