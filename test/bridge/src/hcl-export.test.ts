/**
 * Idiomatic HCL (issue 16): a sandbox with three alike web servers (two zones), a key pair, a
 * security group and an Elastic IP, exported with `ec2sim export --format hcl`, is a project an
 * engineer would commit — split files, variables, outputs, default_tags, snake_case labels,
 * `for_each` over the alike instances, `source = "hashicorp/aws"` / `~> 6.0`, no interpolation-only
 * strings, `terraform fmt -check` clean — and it applies with real terraform into an empty sandbox,
 * after which `ec2sim diff` finds nothing to change (exit 0). A re-export keeps the labels.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { adminOk, credentialsFor, type ServerProcess } from "@ec2sim/test-harness";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminCall, ec2sim, removeTempDirs, startServer, tempDir, terraform, terraformCliConfig } from "./harness.ts";
import { newestImage } from "./newest-image.ts";

let server: ServerProcess;
let dir: string;
let tfEnv: NodeJS.ProcessEnv;
const ids: Record<string, string> = {};

beforeAll(async () => {
  server = await startServer(["A", "B"]);
  const call = adminCall(server.url, "A");
  const ami = newestImage(
    (
      await call("DescribeImages", {
        Owners: ["amazon"],
        Filters: [{ Name: "name", Values: ["al2023-ami-2023.*-x86_64"] }],
      })
    ).Images,
  ).ImageId;
  await call("CreateKeyPair", { KeyName: "web-key" });
  const sg = (await call("CreateSecurityGroup", { GroupName: "web-sg", Description: "HTTP from anywhere" })).GroupId;
  await call("AuthorizeSecurityGroupIngress", {
    GroupId: sg,
    IpPermissions: [{ IpProtocol: "tcp", FromPort: 80, ToPort: 80, IpRanges: [{ CidrIp: "0.0.0.0/0" }] }],
  });
  for (const [name, az] of [
    ["web-1", "us-east-1a"],
    ["web-2", "us-east-1a"],
    ["web-3", "us-east-1b"],
  ] as const) {
    const run = await call("RunInstances", {
      ImageId: ami,
      InstanceType: "t3.small",
      MinCount: 1,
      MaxCount: 1,
      KeyName: "web-key",
      SecurityGroupIds: [sg],
      Placement: { AvailabilityZone: az },
      TagSpecifications: [
        {
          ResourceType: "instance",
          Tags: [
            { Key: "Name", Value: name },
            { Key: "tier", Value: "web" },
          ],
        },
      ],
    });
    ids[name] = run.Instances[0].InstanceId;
  }
  const eip = await call("AllocateAddress", {
    Domain: "vpc",
    TagSpecifications: [{ ResourceType: "elastic-ip", Tags: [{ Key: "Name", Value: "web-ip" }] }],
  });
  await call("AssociateAddress", { AllocationId: eip.AllocationId, InstanceId: ids["web-1"] });
  await adminOk(server.url, "POST", "/sandboxes/A/clock", { advance: 60_000 });
  const creds = await credentialsFor(server.url, "B");
  tfEnv = {
    TF_CLI_CONFIG_FILE: await terraformCliConfig(join(tempDir("cli"), "cli")),
    EC2SIM_ENDPOINT: `${server.url}/sandbox/B`,
    EC2SIM_TF_POLL_MS: "50",
    AWS_ACCESS_KEY_ID: creds.accessKeyId,
    AWS_SECRET_ACCESS_KEY: creds.secretAccessKey,
  };
  dir = tempDir("hcl");
}, 300_000);

afterAll(async () => {
  await server?.stop();
  removeTempDirs();
});

const exportHcl = (extra: string[] = []) =>
  ec2sim(["export", "--server", server.url, "--sandbox", "A", "--format", "hcl", "--out", dir, ...extra]);
const read = (f: string) => readFileSync(join(dir, f), "utf8");

describe("ec2sim export --format hcl", () => {
  it("writes providers.tf, variables.tf, main.tf, outputs.tf (and NOT-EXPORTED.md), terraform fmt -check clean", async () => {
    const r = await exportHcl();
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(readdirSync(dir).sort()).toEqual([
      ".ec2sim",
      "NOT-EXPORTED.md",
      "main.tf",
      "outputs.tf",
      "providers.tf",
      "variables.tf",
    ]);
    const fmt = await terraform(["fmt", "-check", "-list=true", "-recursive"], dir, {});
    expect(fmt.out).toBe("");
    expect(fmt.code).toBe(0);
  });

  it("groups the three alike instances in one for_each block keyed by Name, zones from a variable", () => {
    const main = read("main.tf");
    expect(main.match(/^resource "aws_instance"/gm)).toHaveLength(1);
    expect(main).toMatch(
      /^locals \{\n {2}web = \{\n {4}web-1 = \{\n {6}availability_zone = var\.availability_zones\[0\]\n {6}origin {12}= "A\/i-[0-9a-f]+"\n {4}\}/m,
    );
    expect(main).toMatch(/^ {4}web-3 = \{\n {6}availability_zone = var\.availability_zones\[1\]\n/m);
    const web = /^resource "aws_instance" "web" \{\n([\s\S]*?)\n\}$/m.exec(main)?.[1] ?? "";
    // Meta-arguments first, then arguments (references bare), then blocks, tags last.
    expect(web.split("\n")[0]).toBe("  for_each = local.web");
    expect(web).toMatch(/^ {2}ami += data\.aws_ami\.al2023_ami_2023_kernel_6_1?\d*_x86_64\.id$/m);
    expect(web).toMatch(/^ {2}instance_type += var\.instance_type$/m);
    expect(web).toMatch(/^ {2}availability_zone += each\.value\.availability_zone$/m);
    expect(web).toMatch(/^ {2}key_name += aws_key_pair\.web_key\.key_name$/m);
    expect(web).toMatch(/^ {2}vpc_security_group_ids = \[aws_security_group\.web_sg\.id\]$/m);
    expect(web).toMatch(
      / {2}tags = \{\n {4}Name += each\.key\n {4}tier += "web"\n {4}"ec2sim:origin" = each\.value\.origin\n {2}\}$/,
    );
    // The Elastic IP goes on one member, by key.
    expect(main).toMatch(/^ {2}instance_id {3}= aws_instance\.web\["web-1"\]\.id$/m);
  });

  it("reads as people write it: no interpolation-only strings, hashicorp/aws ~> 6.0, no unreferenced data sources", () => {
    const all = ["providers.tf", "variables.tf", "main.tf", "outputs.tf"].map(read).join("\n");
    expect(all).not.toMatch(/"\$\{/);
    expect(read("providers.tf")).toMatch(/source {2}= "hashicorp\/aws"\n {6}version = "~> 6\.0"/);
    expect(read("providers.tf")).toMatch(
      /provider "aws" \{\n {2}region = var\.region\n\n {2}default_tags \{\n {4}tags = var\.default_tags\n/,
    );
    const dataSources = [...all.matchAll(/^data "(\w+)" "(\w+)"/gm)].map((m) => `data.${m[1]}.${m[2]}`);
    for (const d of dataSources) expect(all.split(d).length - 1, d).toBeGreaterThan(0);
    expect(all).not.toMatch(/data "aws_security_group"/);
    // The base AMI by a name pattern, newest first, deprecated ones only when asked.
    expect(all).toMatch(/default {5}= "al2023-ami-2023\.\*-kernel-[\d.]+-x86_64"/);
    expect(all).toMatch(
      /most_recent {8}= true\n {2}owners {13}= \["amazon"\]\n {2}include_deprecated = var\.include_deprecated_amis/,
    );
    // Labels are snake_case.
    for (const m of all.matchAll(/^(?:resource|data) "\w+" "([^"]+)"/gm)) expect(m[1]).toMatch(/^[a-z][a-z0-9_]*$/);
  });

  it("has variables (region, zones, key, instance type) and outputs (IDs, public IPs, the Elastic IP)", () => {
    const vars = [...read("variables.tf").matchAll(/^variable "(\w+)"/gm)].map((m) => m[1]);
    expect(vars.slice(0, 5)).toEqual(["region", "availability_zones", "key_name", "public_key", "instance_type"]);
    expect(vars).toContain("default_tags");
    expect(read("variables.tf")).toMatch(/default {5}= \["us-east-1a", "us-east-1b"\]/);
    const outputs = read("outputs.tf");
    expect(outputs).toMatch(
      /output "web_ids" \{\n[^}]*value {7}= \{ for name, instance in aws_instance\.web : name => instance\.id \}/,
    );
    expect(outputs).toMatch(/output "web_public_ips" \{/);
    expect(outputs).toMatch(/output "web_ip_public_ip" \{\n[^}]*value {7}= aws_eip\.web_ip\.public_ip/);
  });

  it("applies with real terraform into an empty sandbox; then ec2sim diff finds no changes (exit 0)", async () => {
    const init = await terraform(["init", "-input=false", "-no-color"], dir, tfEnv);
    expect(init.code, init.out).toBe(0);
    const apply = await terraform(["apply", "-auto-approve", "-input=false", "-no-color"], dir, tfEnv);
    expect(apply.out).toMatch(/Apply complete! Resources: 9 added, 0 changed, 0 destroyed\./);
    expect(apply.out).toMatch(/web_ids = \{\n\s+"web-1" = "i-[0-9a-f]+"/);
    const d = await ec2sim([
      "diff",
      "--server",
      server.url,
      "--from",
      "sandbox:A",
      "--to",
      "sandbox:B",
      "--detailed-exitcode",
    ]);
    expect(d.stdout).toMatch(/No changes\./);
    expect(d.code).toBe(0);
  }, 180_000);

  it("a second export keeps every label (the project's .ec2sim/export.json) and terraform plans nothing", async () => {
    const before = read("main.tf");
    const r = await exportHcl();
    expect(r.code).toBe(0);
    expect(read("main.tf")).toBe(before);
    // The instance's public_ip output learns of the Elastic IP on a refresh (as on AWS).
    const refresh = await terraform(
      ["apply", "-refresh-only", "-auto-approve", "-input=false", "-no-color"],
      dir,
      tfEnv,
    );
    expect(refresh.code, refresh.out).toBe(0);
    const plan = await terraform(["plan", "-detailed-exitcode", "-input=false", "-no-color"], dir, tfEnv);
    expect(plan.out).toMatch(/No changes\./);
    expect(plan.code).toBe(0);
  }, 120_000);
});
