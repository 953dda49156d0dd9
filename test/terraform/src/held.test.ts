/**
 * A user's path: `ec2sim terraform setup` (through bin/ec2sim) in a project, then a configuration
 * written for the real AWS provider (the hashicorp/aws documentation examples, held in
 * fixtures/hashicorp-docs, not tuned to ec2sim) plans and applies unchanged with the spawned
 * plugin. Also: version constraints resolve through the mirror, the ec2sim/ec2sim-only mode, and
 * (in reattach mode, one provider process) EC2 errors as diagnostics and timeouts that run on the
 * sandbox clock.
 */

import { execFile } from "node:child_process";
import { cpSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { DescribeImagesCommand, DescribeInstancesCommand, type EC2Client } from "@aws-sdk/client-ec2";
import {
  createProvider,
  providerDefinition,
  type RunningServer,
  startServer as startPlugin,
} from "@ec2sim/terraform-provider";
import { adminOk, BIN } from "@ec2sim/test-harness";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FIXTURES, freshServer, pullState, requireTerraform, type TfResult, tempDir, tf } from "./harness.ts";

const run = promisify(execFile);

// One server for the file; the reattach suite's slow clock is a sandbox of its own on it.
const s = freshServer();

describe("ec2sim terraform setup + a configuration written for the real AWS provider", () => {
  let project: string;
  let env: NodeJS.ProcessEnv;
  let west: EC2Client;
  let setupOut: string;
  const tfp = (args: string[], cwd = project): Promise<TfResult> => tf(cwd, args, env);

  beforeAll(async () => {
    requireTerraform();
    west = s.client("us-west-2");
    project = tempDir("project");
    cpSync(join(FIXTURES, "hashicorp-docs"), project, { recursive: true });
    const r = await run(BIN, ["terraform", "setup", "--dir", project, "--endpoint", s.url], {
      env: { ...process.env, EC2SIM_ENDPOINT: "" },
    });
    setupOut = r.stdout;
    const cliConfig = /export TF_CLI_CONFIG_FILE="([^"]+)"/.exec(setupOut)?.[1];
    if (!cliConfig) throw new Error(`ec2sim terraform setup did not say what to export:\n${setupOut}\n${r.stderr}`);
    // What the user's shell has: the exported CLI config and nothing ec2sim-specific (no keys, no endpoint).
    env = { ...process.env, TF_CLI_CONFIG_FILE: cliConfig, CHECKPOINT_DISABLE: "1", TF_IN_AUTOMATION: "1" };
    for (const k of [
      "AWS_ACCESS_KEY_ID",
      "AWS_SECRET_ACCESS_KEY",
      "AWS_SESSION_TOKEN",
      "AWS_REGION",
      "AWS_DEFAULT_REGION",
      "EC2SIM_ENDPOINT",
      "TF_REATTACH_PROVIDERS",
      "TF_LOG",
    ])
      delete env[k];
  });

  it("setup builds the plugin into the project and says how to use it", () => {
    expect(setupOut).toContain(`ec2sim's Terraform provider is installed for ${project}`);
    expect(setupOut).toContain("hashicorp/aws 3.76.1, 4.67.0, 5.0.0–5.100.0, 6.0.0–6.38.0");
    expect(setupOut).toContain(`${s.url} (EC2SIM_ENDPOINT overrides it)`);
    const rc = readFileSync(join(project, ".ec2sim/terraform/terraform.rc"), "utf8");
    expect(rc).toContain(`include = ["registry.terraform.io/hashicorp/aws", "registry.terraform.io/ec2sim/ec2sim"]`);
  });

  it("init, validate, plan, apply: the documentation examples work unchanged", async () => {
    const init = await tfp(["init", "-no-color", "-input=false"]);
    expect(init.stderr).toBe("");
    expect(init.stdout).toContain("Installed hashicorp/aws v6.38.0 (unauthenticated)"); // version = ">= 5.0"
    const v = await tfp(["validate", "-no-color"]);
    expect(v.stdout).toContain("Success! The configuration is valid.");
    const plan = await tfp(["plan", "-no-color", "-input=false", "-detailed-exitcode", "-out=tfplan"]);
    expect(plan.stderr).toBe("");
    expect(plan.status).toBe(2);
    expect(plan.stdout).toContain("Plan: 17 to add, 0 to change, 0 to destroy.");
    const apply = await tfp(["apply", "-no-color", "-input=false", "tfplan"]);
    expect(apply.stderr).toBe("");
    expect(apply.stdout).toContain("Apply complete! Resources: 17 added, 0 changed, 0 destroyed.");
    expect(apply.stdout).toMatch(/ubuntu_ami = "ubuntu\/images\/hvm-ssd\/ubuntu-jammy-22\.04-amd64-server-\d{8}"/);

    const show = (await pullState({ run: tfp })).resources;
    const web = show.get("aws_instance.web")!.values;
    expect(web).toMatchObject({
      availability_zone: "us-west-2a",
      instance_type: "t3.micro",
      key_name: "deployer-key",
      tags: { Name: "HelloWorld" },
    });
    expect(show.get("data.aws_ami.ubuntu")!.values).toMatchObject({
      owner_id: "099720109477",
      virtualization_type: "hvm",
      architecture: "x86_64",
    });
    const inst = (await west.send(new DescribeInstancesCommand({ InstanceIds: [web.id] }))).Reservations![0]!
      .Instances![0]!;
    expect(inst).toMatchObject({
      State: { Name: "running" },
      ImageId: show.get("data.aws_ami.ubuntu")!.values.id,
      Placement: { AvailabilityZone: "us-west-2a" },
    });
    const mine = (await west.send(new DescribeImagesCommand({ Owners: ["self"] }))).Images!.map((i) => i.Name).sort();
    expect(mine).toEqual(["terraform-example", "terraform-example-copy", "terraform-example-from-instance"]);
  });

  it("a second plan has no changes; destroy removes it all", async () => {
    const plan = await tfp(["plan", "-no-color", "-input=false", "-detailed-exitcode"]);
    expect(plan.stderr).toBe("");
    expect(plan.stdout).toContain("No changes.");
    expect(plan.status).toBe(0);
    const destroy = await tfp(["destroy", "-no-color", "-input=false", "-auto-approve"]);
    expect(destroy.stderr).toBe("");
    expect(destroy.stdout).toContain("Destroy complete! Resources: 17 destroyed.");
    expect((await west.send(new DescribeImagesCommand({ Owners: ["self"] }))).Images).toEqual([]);
  });

  it("version constraints: 6.25.0 (@cdktf/provider-aws 21.22.1), ~> 6.0 and ~> 5.0 all resolve through the mirror", async () => {
    for (const [constraint, expected] of [
      ["6.25.0", "6.25.0"],
      ["~> 6.0", "6.38.0"],
      ["~> 5.0", "5.100.0"],
    ] as const) {
      const dir = join(project, `constraint-${expected}-${constraint.replace(/\W/g, "")}`);
      mkdirSync(dir);
      writeFileSync(
        join(dir, "main.tf"),
        `terraform {\n  required_providers {\n    aws = { source = "hashicorp/aws", version = "${constraint}" }\n  }\n}\nprovider "aws" {\n  region = "us-east-1"\n}\ndata "aws_region" "current" {}\n`,
      );
      const init = await tfp(["init", "-no-color", "-input=false"], dir);
      expect(init.stderr).toBe("");
      expect(init.stdout).toContain(`Installed hashicorp/aws v${expected} (unauthenticated)`);
    }
  });

  it("--address ec2sim/ec2sim leaves hashicorp/aws to the registry", async () => {
    const other = tempDir("project-ec2sim");
    const r = await run(BIN, ["terraform", "setup", "--dir", other, "--address", "ec2sim/ec2sim"]);
    expect(r.stdout).toContain("ec2sim/ec2sim 3.76.1, 4.67.0, 5.0.0–5.100.0, 6.0.0–6.38.0");
    expect(r.stdout).not.toContain("hashicorp/aws 3.76.1");
    expect(r.stdout).toContain('Only source = "ec2sim/ec2sim" gets this plugin');
    const rc = readFileSync(join(other, ".ec2sim/terraform/terraform.rc"), "utf8");
    expect(rc).toContain(`include = ["registry.terraform.io/ec2sim/ec2sim"]`);
    const bad = await run(BIN, ["terraform", "setup", "--dir", other, "--address", "hashicorp/google"]).catch(
      (e: { code: number; stderr: string }) => e,
    );
    expect((bad as { code: number }).code).toBe(2);
    expect((bad as { stderr: string }).stderr).toContain("--address must be hashicorp/aws or ec2sim/ec2sim");
  });
});

describe("diagnostics and timeouts through terraform (reattach mode: one provider process)", () => {
  let plugin: RunningServer;
  let env: NodeJS.ProcessEnv;
  let dir: string;

  beforeAll(async () => {
    requireTerraform();
    // ×10, not ×200: the create timeout (10 simulated s) must be seen before the instance is up (15-45
    // simulated s), a window of 500 real ms here; at ×200 it was 25 ms, which a busy machine overran.
    await adminOk(s.url, "POST", "/sandboxes", { name: "slow", speed: 10 });
    const endpoint = new URL("sandbox/slow/", s.url).href;
    plugin = await startPlugin({ handlers: createProvider(providerDefinition) });
    // init still needs the provider installed: a CLI config from setup, then reattach for every command.
    const project = tempDir("reattach");
    const r = await run(BIN, ["terraform", "setup", "--dir", project]);
    const cliConfig = /export TF_CLI_CONFIG_FILE="([^"]+)"/.exec(r.stdout)![1]!;
    env = { ...process.env, TF_CLI_CONFIG_FILE: cliConfig, CHECKPOINT_DISABLE: "1", TF_IN_AUTOMATION: "1" };
    for (const k of ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "EC2SIM_ENDPOINT", "TF_LOG"]) delete env[k];
    dir = project;
    writeFileSync(
      join(dir, "main.tf"),
      `provider "aws" {
  region = "us-east-1"
  endpoints {
    ec2 = "${endpoint}"
  }
}
data "aws_ami" "al2023" {
  most_recent = true
  owners      = ["amazon"]
  filter {
    name   = "name"
    values = ["al2023-ami-2023*-x86_64"]
  }
}
`,
    );
    const init = await tf(dir, ["init", "-no-color", "-input=false"], env);
    if (init.status !== 0) throw new Error(init.stderr);
    env.TF_REATTACH_PROVIDERS = plugin.reattach(["registry.terraform.io/hashicorp/aws"]);
  });
  afterAll(async () => {
    await plugin?.close();
  });

  it("an EC2 error is a Terraform diagnostic that names EC2's code", async () => {
    writeFileSync(
      join(dir, "bad.tf"),
      `resource "aws_instance" "bad" {\n  ami           = "ami-0123456789abcdef0"\n  instance_type = "t3.micro"\n}\n`,
    );
    const r = await tf(dir, ["apply", "-no-color", "-input=false", "-auto-approve"], env);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(
      "Error: creating EC2 Instance: api error InvalidAMIID.NotFound: The image id '[ami-0123456789abcdef0]' does not exist",
    );
    expect(r.stderr).toContain("with aws_instance.bad,");
    const state = await tf(dir, ["state", "list"], env);
    expect(state.stdout.trim()).toBe("data.aws_ami.al2023");
  });

  it("timeouts run on the sandbox clock: a 10s create timeout expires while the instance boots (15-45 simulated s)", async () => {
    writeFileSync(
      join(dir, "bad.tf"),
      `resource "aws_instance" "slow" {\n  ami           = data.aws_ami.al2023.id\n  instance_type = "t3.micro"\n  timeouts {\n    create = "10s"\n  }\n}\n`,
    );
    const r = await tf(dir, ["apply", "-no-color", "-input=false", "-auto-approve"], env);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(
      /Error: creating EC2 Instance: timeout while waiting for EC2 Instance \(i-[0-9a-f]{17}\) to become running \(timeout: 10s on the sandbox clock\)/,
    );
    // Not the wall clock: ten real seconds are 100 simulated ones at ×10, and the instance is up by 45.
    // As with hashicorp/aws, the half-made instance is in state, tainted; the next plan replaces it.
    const plan = await tf(dir, ["plan", "-no-color", "-input=false"], env);
    expect(plan.stdout).toContain("# aws_instance.slow is tainted, so must be replaced");
    // With the default timeout (10m on the sandbox clock) it comes up.
    writeFileSync(
      join(dir, "bad.tf"),
      `resource "aws_instance" "slow" {\n  ami           = data.aws_ami.al2023.id\n  instance_type = "t3.micro"\n}\n`,
    );
    const ok = await tf(dir, ["apply", "-no-color", "-input=false", "-auto-approve"], env);
    expect(ok.stderr).toBe("");
    expect(ok.stdout).toContain("Apply complete! Resources: 1 added, 0 changed, 1 destroyed.");
    const destroy = await tf(dir, ["destroy", "-no-color", "-input=false", "-auto-approve"], env);
    expect(destroy.stdout).toContain("Destroy complete! Resources: 1 destroyed.");
  });
});
