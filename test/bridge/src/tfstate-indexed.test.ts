/**
 * The Terraform state readers keep the addresses of resources made with `count` and `for_each`
 * (`aws_instance.web[0]`, `aws_instance.worker["a"]`: the state's `index_key`), so a diff names
 * them as terraform does. A config with both is applied with real terraform into a sandbox; the
 * sandbox diffs clean against the state (.tfstate and `terraform show -json`), and a tag added
 * beside terraform shows at the address terraform's own plan gives it.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { adminOk, credentialsFor, type ServerProcess } from "@ec2sim/test-harness";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ACCOUNT, ec2sim, removeTempDirs, startServer, tempDir, terraform, terraformCliConfig } from "./harness.ts";

type Json = Record<string, any>;
let server: ServerProcess;
let dir: string;
let env: NodeJS.ProcessEnv;

const CONFIG = `terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 6.0"
    }
  }
}

provider "aws" {
  region = "us-east-1"
}

data "aws_ami" "al2023" {
  most_recent = true
  owners      = ["amazon"]

  filter {
    name   = "name"
    values = ["al2023-ami-2023.*-kernel-6.1-x86_64"]
  }
}

# A state alone cannot tell the default group's ID from another: a data source names it (as exports do).
data "aws_security_group" "default" {
  name = "default"
}

resource "aws_instance" "web" {
  count = 2

  ami                    = data.aws_ami.al2023.id
  instance_type          = "t3.micro"
  vpc_security_group_ids = [data.aws_security_group.default.id]

  tags = {
    Name = "web-\${count.index}"
  }
}

resource "aws_instance" "worker" {
  for_each = toset(["a", "b"])

  ami                    = data.aws_ami.al2023.id
  instance_type          = "t3.small"
  vpc_security_group_ids = [data.aws_security_group.default.id]

  tags = {
    Name = "worker-\${each.key}"
  }
}
`;

const ADDRESSES = [
  "aws_instance.web[0]",
  "aws_instance.web[1]",
  'aws_instance.worker["a"]',
  'aws_instance.worker["b"]',
];

beforeAll(async () => {
  server = await startServer(["S"]);
  dir = tempDir("indexed");
  const creds = await credentialsFor(server.url, "S");
  env = {
    TF_CLI_CONFIG_FILE: await terraformCliConfig(join(tempDir("cli"), "cli")),
    EC2SIM_ENDPOINT: `${server.url}/sandbox/S`,
    EC2SIM_TF_POLL_MS: "50",
    AWS_ACCESS_KEY_ID: creds.accessKeyId,
    AWS_SECRET_ACCESS_KEY: creds.secretAccessKey,
  };
  writeFileSync(join(dir, "main.tf"), CONFIG);
  expect((await terraform(["init", "-input=false", "-no-color"], dir, env)).code).toBe(0);
  const apply = await terraform(["apply", "-auto-approve", "-input=false", "-no-color"], dir, env);
  expect(apply.out).toMatch(/Apply complete! Resources: 4 added, 0 changed, 0 destroyed\./);
  writeFileSync(join(dir, "show.json"), (await terraform(["show", "-json"], dir, env)).out);
}, 180_000);

afterAll(async () => {
  await server?.stop();
  removeTempDirs();
});

const diff = (to: string, extra: string[] = []) =>
  ec2sim(["diff", "--server", server.url, "--from", "sandbox:S", "--to", to, "--detailed-exitcode", ...extra]);
const states = () => [`tfstate:${join(dir, "terraform.tfstate")}`, `tfstate:${join(dir, "show.json")}`];

describe("count and for_each in a state", () => {
  it("the sandbox diffs clean against the state, each instance at its indexed address (index as terraform's JSON has it)", async () => {
    for (const spec of states()) {
      const r = await diff(spec, ["--json"]);
      expect(r.code, `${spec}: ${r.stderr}`).toBe(0);
      const changes = JSON.parse(r.stdout).resource_changes as Json[];
      expect(
        changes.map((c) => [c.address, c.name, c.index ?? null, c.change.actions[0]]),
        spec,
      ).toEqual([
        ["aws_instance.web[0]", "web", 0, "no-op"],
        ["aws_instance.web[1]", "web", 1, "no-op"],
        ['aws_instance.worker["a"]', "worker", "a", "no-op"],
        ['aws_instance.worker["b"]', "worker", "b", "no-op"],
      ]);
    }
  });

  it("a tag added beside terraform shows at the address terraform's own plan gives it", async () => {
    const state = JSON.parse((await terraform(["show", "-json"], dir, env)).out).values.root_module.resources.filter(
      (r: Json) => r.mode === "managed",
    ) as Json[];
    expect(state.map((r) => r.address).sort()).toEqual(ADDRESSES);
    const b = state.find((r) => r.address === 'aws_instance.worker["b"]')!.values.id;
    await adminOk(server.url, "POST", "/sandboxes/S/call", {
      action: "CreateTags",
      accountId: ACCOUNT,
      input: { Resources: [b], Tags: [{ Key: "team", Value: "cats" }] },
    });
    const plan = await terraform(["plan", "-detailed-exitcode", "-input=false", "-no-color"], dir, env);
    expect(plan.code).toBe(2);
    expect(plan.out).toContain('# aws_instance.worker["b"] will be updated in-place');
    for (const spec of states()) {
      const r = await diff(spec);
      expect(r.code, spec).toBe(2);
      expect(r.stdout, spec).toContain('# aws_instance.worker["b"] will be updated in-place');
      expect(r.stdout, spec).toContain('~ resource "aws_instance" "worker" {');
      expect(r.stdout, spec).toContain('+ "team" = "cats"');
      expect(r.stdout, spec).toContain("Plan: 0 to add, 1 to change, 0 to destroy.");
    }
  }, 120_000);
});
