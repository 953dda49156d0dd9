/**
 * `ec2sim diff` as driftctl and terraform plan: two sandboxes built by the same commands (P and Q,
 * no export between them, so no origin tags) pair by content and diff clean through every reader;
 * a renamed Name tag is an update of the same address; guest files and user data are compared;
 * what Q holds beyond P is unmanaged (listed, counted in the coverage), left out by .ec2simignore
 * or --only-managed; and what is to be created renders as the real `terraform plan` of the export
 * renders it (maps, lists, nested blocks).
 */
import { execFile } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import {
  CreateSecurityGroupCommand,
  DescribeInstancesCommand,
  type EC2Client,
  ModifyInstanceAttributeCommand,
  StartInstancesCommand,
  StopInstancesCommand,
} from "@aws-sdk/client-ec2";
import { adminOk, credentialsFor, type ServerProcess, sdkClient } from "@ec2sim/test-harness";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ACCOUNT,
  ec2sim,
  removeTempDirs,
  serverStory,
  startServer,
  tempDir,
  terraform,
  terraformCliConfig,
} from "./harness.ts";
import type { StoryIds } from "./story.ts";

const execFileP = promisify(execFile);

let server: ServerProcess;
let p: StoryIds;
let q: StoryIds;
let work: string;
let credsQ: { accessKeyId: string; secretAccessKey: string };
let ec2Q: EC2Client;

beforeAll(async () => {
  server = await startServer(["P", "Q", "R"]);
  work = tempDir("diff");
  // Both stories import the same public key, as someone with one key would.
  await execFileP("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "me@laptop", "-f", join(work, "id")]);
  const publicKey = readFileSync(join(work, "id.pub"), "utf8").trim();
  p = await serverStory(server.url, "P", publicKey);
  q = await serverStory(server.url, "Q", publicKey);
  credsQ = await credentialsFor(server.url, "Q");
  ec2Q = sdkClient(`${server.url}/sandbox/Q`, credsQ);
}, 300_000);

afterAll(async () => {
  await server?.stop();
  removeTempDirs();
});

const diff = (to: string, extra: string[] = [], from = "sandbox:P") =>
  ec2sim(["diff", "--server", server.url, "--from", from, "--to", to, "--detailed-exitcode", ...extra], {
    AWS_ACCESS_KEY_ID: credsQ.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credsQ.secretAccessKey,
    AWS_PROFILE: "",
  });
const awsQ = () => ["aws:", ["--endpoint", `${server.url}/sandbox/Q`]] as const;
const squash = (t: string) => t.split("\n").map((l) => l.trim().replace(/\s+/g, " "));

describe("pairing by content", () => {
  it("two sandboxes built by the same commands diff clean without origin tags, by the sandbox and AWS readers", async () => {
    expect(q.i2).not.toBe(p.i2);
    const r = await diff("sandbox:Q");
    expect(r.stderr).toBe("");
    expect(r.stdout).toMatch(/No changes\. sandbox:Q matches sandbox:P \(16 resources\)\./);
    expect(r.stdout).toContain("Coverage: 100% of sandbox:Q is managed by sandbox:P (16 of 16 resources).");
    expect(r.code).toBe(0);
    const j = JSON.parse((await diff("sandbox:Q", ["--json"])).stdout);
    expect(j.resource_changes).toHaveLength(16);
    expect(new Set(j.resource_changes.map((c: any) => c.ec2sim.matched_by))).toEqual(new Set(["content"]));
    const byAddress = new Map(j.resource_changes.map((c: any) => [c.address, c]));
    expect((byAddress.get("aws_instance.cats_2") as any).ec2sim).toMatchObject({ from_id: p.i2, to_id: q.i2 });
    const [spec, extra] = awsQ();
    const aws = await diff(spec, [...extra]);
    expect(aws.stdout).toMatch(/No changes\./);
    expect(aws.code).toBe(0);
  });

  it("a Name tag renamed in the sandbox is an in-place update of the same address, not a destroy and a create", async () => {
    const tag = (name: string) =>
      adminOk(server.url, "POST", "/sandboxes/P/call", {
        action: "CreateTags",
        accountId: ACCOUNT,
        input: { Resources: [p.i2], Tags: [{ Key: "Name", Value: name }] },
      });
    await tag("cats-two");
    try {
      const r = await diff("sandbox:Q");
      expect(r.code).toBe(2);
      const lines = squash(r.stdout);
      for (const line of [
        "# aws_instance.cats_2 will be updated in-place",
        '~ resource "aws_instance" "cats_2" {',
        "~ tags = {",
        '~ "Name" = "cats-2" -> "cats-two"',
        "# (1 unchanged element hidden)",
        "Plan: 0 to add, 1 to change, 0 to destroy.",
      ])
        expect(lines).toContain(line);
      expect(r.stdout).not.toMatch(/will be (created|destroyed)/);
    } finally {
      await tag("cats-2");
    }
  });
});

describe("adopt mode", () => {
  it("diff --adopt writes P's export with import {} blocks for what Q holds: terraform plans 14 to import, 0 to add, 0 to change, 0 to destroy", async () => {
    const tfEnv = {
      TF_CLI_CONFIG_FILE: await terraformCliConfig(join(work, "cli-adopt")),
      EC2SIM_ENDPOINT: `${server.url}/sandbox/Q`,
      AWS_ACCESS_KEY_ID: credsQ.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credsQ.secretAccessKey,
    };
    for (const format of ["hcl", "json"]) {
      const dir = join(work, `adopt-${format}`);
      const [spec, extra] = awsQ();
      const r = await diff(spec, [...extra, "--adopt", dir, "--format", format]);
      expect(r.code, r.stdout).toBe(0);
      const file = format === "hcl" ? "imports.tf" : "imports.tf.json";
      expect(r.stdout).toContain(
        `(${format === "hcl" ? "providers.tf, variables.tf, main.tf, outputs.tf" : "cdk.tf.json"}, NOT-EXPORTED.md, ${file})`,
      );
      expect(r.stdout).toMatch(
        /Adopt: wrote .*: 14 resource\(s\) to import from aws:, 0 to create, 2 image\(s\) read as data sources\./,
      );
      const imports = readFileSync(join(dir, file), "utf8");
      expect(imports).toContain(q.i2);
      expect(imports).toContain(q.volume);
      expect(imports).not.toContain(p.i2);
      expect((await terraform(["init", "-input=false", "-no-color"], dir, tfEnv)).code).toBe(0);
      const plan = await terraform(["plan", "-input=false", "-no-color"], dir, tfEnv);
      expect(plan.out, format).toContain("Plan: 14 to import, 0 to add, 0 to change, 0 to destroy.");
      expect(plan.code).toBe(0);
    }
  }, 240_000);
});

describe("export --from aws:", () => {
  it("exports the account Q (read through the SDK) with import {} blocks: terraform plans 14 to import, 0 to add; AMIs and guests it cannot see are listed", async () => {
    const dir = join(work, "from-aws");
    const r = await ec2sim(
      [
        "export",
        "--from",
        "aws:",
        "--endpoint",
        `${server.url}/sandbox/Q`,
        "--region",
        "us-east-1",
        "--region",
        "eu-west-1",
        "--out",
        dir,
      ],
      { AWS_ACCESS_KEY_ID: credsQ.accessKeyId, AWS_SECRET_ACCESS_KEY: credsQ.secretAccessKey, AWS_PROFILE: "" },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("providers.tf, variables.tf, main.tf, outputs.tf, NOT-EXPORTED.md, imports.tf");
    expect(r.stdout).toMatch(
      /14 resources \(each with an import \{\} block\), \d+ lookups, 2 provider\(s\) \(us-east-1, eu-west-1\)/,
    );
    const hcl = readFileSync(join(dir, "main.tf"), "utf8");
    expect(hcl).toContain('resource "aws_instance" "cats_2"');
    expect(hcl).not.toContain("ec2sim:origin");
    const notExported = readFileSync(join(dir, "NOT-EXPORTED.md"), "utf8");
    for (const id of [q.ami2, q.copy, q.i1, q.i2]) expect(notExported).toContain(id);
    expect(notExported).toMatch(/not visible through the API/);
    const tfEnv = {
      TF_CLI_CONFIG_FILE: await terraformCliConfig(join(work, "cli-from")),
      EC2SIM_ENDPOINT: `${server.url}/sandbox/Q`,
      AWS_ACCESS_KEY_ID: credsQ.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credsQ.secretAccessKey,
    };
    expect((await terraform(["init", "-input=false", "-no-color"], dir, tfEnv)).code).toBe(0);
    const plan = await terraform(["plan", "-input=false", "-no-color"], dir, tfEnv);
    expect(plan.out).toContain("Plan: 14 to import, 0 to add, 0 to change, 0 to destroy.");
    expect(plan.code).toBe(0);
  }, 180_000);
});

describe("what Q holds beyond P", () => {
  it("is unmanaged: listed apart, in the coverage, exit 2; .ec2simignore and --only-managed leave it out", async () => {
    const sg = await ec2Q.send(new CreateSecurityGroupCommand({ GroupName: "extra-sg", Description: "made by hand" }));
    const r = await diff("sandbox:Q");
    expect(r.code).toBe(2);
    expect(r.stdout).toContain("No changes.");
    // The group and the egress rule EC2 gives every new group.
    expect(r.stdout).toMatch(/^Unmanaged: 2 resource\(s\) in sandbox:Q that sandbox:P does not describe/m);
    expect(r.stdout).toMatch(new RegExp(`^  aws_security_group\\.extra_sg +${sg.GroupId} \\(us-east-1\\)$`, "m"));
    expect(r.stdout).toMatch(/^ {2}aws_vpc_security_group_egress_rule\.extra_sg_egress_all +sgr-\w+ \(us-east-1\)$/m);
    expect(r.stdout).toContain("Coverage: 88.9% of sandbox:Q is managed by sandbox:P (16 of 18 resources).");
    const j = JSON.parse((await diff("sandbox:Q", ["--json"])).stdout);
    expect(j.ec2sim.unmanaged[0]).toMatchObject({
      address: "aws_security_group.extra_sg",
      id: sg.GroupId,
      type: "aws_security_group",
      values: { name: "extra-sg", description: "made by hand" },
    });
    expect(j.ec2sim.coverage).toEqual({ managed: 16, unmanaged: 2, percent: 88.9 });

    // An ignore file: by ID pattern; the last matching line wins, so `!` brings it back.
    const ignore = join(work, "ignore");
    writeFileSync(ignore, `# hand-made things\n${sg.GroupId}\n*.extra_sg_egress_*\n`);
    const ignored = await diff("sandbox:Q", ["--ignore-file", ignore]);
    expect(ignored.stdout).not.toContain("Unmanaged:");
    expect(ignored.stdout).toContain("(16 of 16 resources; 2 ignored)");
    expect(ignored.code).toBe(0);
    writeFileSync(ignore, `${sg.GroupId}\n*.extra_sg_egress_*\n!aws_security_group.extra_*\n`);
    expect((await diff("sandbox:Q", ["--ignore-file", ignore])).code).toBe(2);
    // .ec2simignore in the working folder is read by default.
    writeFileSync(
      join(work, ".ec2simignore"),
      "aws_security_group.extra_sg\naws_vpc_security_group_egress_rule.extra_sg_*\n",
    );
    const byDefault = await execFileP(
      join(process.cwd(), "bin", "ec2sim"),
      ["diff", "--server", server.url, "--from", "sandbox:P", "--to", "sandbox:Q", "--detailed-exitcode"],
      { cwd: work, env: { ...process.env, NO_COLOR: "1", EC2SIM_ADMIN_TOKEN: await adminToken() } },
    );
    expect(byDefault.stdout).toContain("(16 of 16 resources; 2 ignored)");

    const managed = await diff("sandbox:Q", ["--only-managed"]);
    expect(managed.stdout).not.toContain("Unmanaged:");
    expect(managed.code).toBe(0);
    expect(JSON.parse((await diff("sandbox:Q", ["--only-managed", "--json"])).stdout).ec2sim.unmanaged).toEqual([]);
    await adminOk(server.url, "POST", "/sandboxes/Q/call", {
      action: "DeleteSecurityGroup",
      accountId: ACCOUNT,
      input: { GroupId: sg.GroupId },
    });
  });

  it("guest files and user data are compared: path and hash, by the readers that can see them", async () => {
    const run = (cmd: string) =>
      adminOk<any>(server.url, "POST", "/sandboxes/Q/call", {
        action: "GuestRun",
        accountId: ACCOUNT,
        input: { InstanceId: q.i1, Command: cmd },
      });
    expect((await run("echo 'motd by hand' | sudo tee /etc/motd.d/hand")).output.ExitCode).toBe(0);
    const r = await diff("sandbox:Q");
    expect(r.code).toBe(2);
    const lines = squash(r.stdout);
    expect(lines).toContain("# aws_instance.cats_1 will be updated in-place");
    expect(lines).toContain("~ guest_files = {");
    expect(lines.find((l) => l.startsWith('- "/etc/motd.d/hand" = "sha256:'))).toMatch(/ -> null$/);
    // An account shows no guest: the AWS reader sees no difference.
    const [spec, extra] = awsQ();
    const viaAws = await diff(spec, [...extra]);
    expect(viaAws.code, viaAws.stdout).toBe(0);
    await run("sudo rm /etc/motd.d/hand");
    expect((await diff("sandbox:Q")).code).toBe(0);

    // User data (changed while stopped) is seen by both readers, as a hash of it.
    await ec2Q.send(new StopInstancesCommand({ InstanceIds: [q.i1] }));
    await until(ec2Q, q.i1, "stopped");
    const script = "#!/bin/sh\necho hello > /tmp/hello\n";
    await ec2Q.send(new ModifyInstanceAttributeCommand({ InstanceId: q.i1, UserData: { Value: Buffer.from(script) } }));
    await ec2Q.send(new StartInstancesCommand({ InstanceIds: [q.i1] }));
    await until(ec2Q, q.i1, "running");
    const sha1 = (await import("node:crypto")).createHash("sha1").update(script.replace(/\n$/, "")).digest("hex");
    for (const to of ["sandbox:Q", spec]) {
      const u = await diff(to, to === spec ? [...extra] : []);
      expect(u.code, to).toBe(2);
      expect(squash(u.stdout), to).toContain(`- user_data = "${sha1}" -> null`);
    }
  }, 120_000);
});

describe("plan text", () => {
  it("what is to be created renders as terraform plan renders the export: maps, lists, nested blocks", async () => {
    const dir = join(work, "export");
    const exp = await ec2sim(["export", "--server", server.url, "--sandbox", "P", "--format", "json", "--out", dir]);
    expect(exp.code).toBe(0);
    const credsR = await credentialsFor(server.url, "R");
    const tfEnv = {
      TF_CLI_CONFIG_FILE: await terraformCliConfig(join(work, "cli")),
      EC2SIM_ENDPOINT: `${server.url}/sandbox/R`,
      AWS_ACCESS_KEY_ID: credsR.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credsR.secretAccessKey,
    };
    expect((await terraform(["init", "-input=false", "-no-color"], dir, tfEnv)).code).toBe(0);
    const plan = await terraform(["plan", "-input=false", "-no-color"], dir, tfEnv);
    expect(plan.code).toBe(0);
    const mine = await diff("sandbox:R");
    expect(mine.code).toBe(2);
    const theirs = squash(plan.out);
    const ours = squash(mine.stdout);
    for (const line of [
      "# aws_instance.cats_1 will be created",
      '+ resource "aws_instance" "cats_1" {',
      '+ instance_type = "t3.micro"',
      "+ tags = {",
      '+ "Name" = "cats-1"',
      '+ "app" = "cats"',
      "+ root_block_device {",
      "+ volume_size = 8",
      '+ volume_type = "gp3"',
      "+ vpc_security_group_ids = [",
      "+ (known after apply),",
      "+ id = (known after apply)",
      '+ resource "aws_ebs_volume" "cats_data" {',
      "+ size = 20",
      "Plan: 16 to add, 0 to change, 0 to destroy.",
    ]) {
      expect(theirs, `terraform plan shows: ${line}`).toContain(line);
      expect(ours, `ec2sim diff shows: ${line}`).toContain(line);
    }
  }, 180_000);
});

async function until(ec2: EC2Client, id: string, state: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const r = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [id] }));
    if (r.Reservations?.[0]?.Instances?.[0]?.State?.Name === state) return;
    if (Date.now() > deadline) throw new Error(`${id} never became ${state}`);
    await new Promise((res) => setImmediate(res));
  }
}

async function adminToken(): Promise<string> {
  const { adminTokenOf } = await import("@ec2sim/test-harness");
  return adminTokenOf(server.url) ?? "";
}
