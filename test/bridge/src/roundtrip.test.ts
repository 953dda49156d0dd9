/**
 * Round trip, offline, with the real terraform binary and the project's provider plugin standing
 * in for hashicorp/aws: the seeds' story in sandbox A -> `ec2sim export --format json` ->
 * `terraform apply` into an empty sandbox B -> `ec2sim diff --from sandbox:A --to sandbox:B` says
 * no changes (exit 0), as do the AWS SDK reader (aws:PROFILE against B's endpoint) and the
 * `terraform show -json` reader. Then B is changed through the AWS SDK: every reader shows exactly
 * that change (exit 2), and terraform's own plan of the export agrees on what changes.
 * Last: `cdktf deploy --auto-approve` of the exported CDKTF project into an empty sandbox C
 * (`--skip-provider-lock`: with a filesystem mirror, `terraform providers lock` would go online).
 */

import { execFile } from "node:child_process";
import { readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { CreateTagsCommand, ModifyVolumeCommand } from "@aws-sdk/client-ec2";
import { adminOk, credentialsFor, type ServerProcess, sdkClient } from "@ec2sim/test-harness";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ACCOUNT,
  cachedProjectModules,
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
let _ids: StoryIds;
let exportDir: string;
let tfEnv: NodeJS.ProcessEnv;
let awsEnv: NodeJS.ProcessEnv;
let credsB: { accessKeyId: string; secretAccessKey: string };
const byAddress = new Map<string, string>(); // terraform address -> B's ID

beforeAll(async () => {
  server = await startServer(["A", "B", "C"]);
  _ids = await serverStory(server.url, "A");
  credsB = await credentialsFor(server.url, "B");
  const work = tempDir("tf");
  tfEnv = {
    TF_CLI_CONFIG_FILE: await terraformCliConfig(join(work, "cli")),
    EC2SIM_ENDPOINT: `${server.url}/sandbox/B`,
    EC2SIM_TF_POLL_MS: "50",
    AWS_ACCESS_KEY_ID: credsB.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credsB.secretAccessKey,
  };
  // aws:sandbox-b reads a named profile from its own shared files, as against a real account.
  writeFileSync(
    join(work, "credentials"),
    `[sandbox-b]\naws_access_key_id = ${credsB.accessKeyId}\naws_secret_access_key = ${credsB.secretAccessKey}\n`,
  );
  writeFileSync(join(work, "config"), "[profile sandbox-b]\nregion = us-east-1\n");
  awsEnv = {
    AWS_SHARED_CREDENTIALS_FILE: join(work, "credentials"),
    AWS_CONFIG_FILE: join(work, "config"),
    AWS_ACCESS_KEY_ID: "",
    AWS_SECRET_ACCESS_KEY: "",
    AWS_PROFILE: "",
  };
  exportDir = join(work, "export");
}, 300_000);

afterAll(async () => {
  await server?.stop();
  removeTempDirs();
});

const diff = (to: string, extra: string[] = []) =>
  ec2sim(["diff", "--server", server.url, "--from", "sandbox:A", "--to", to, "--detailed-exitcode", ...extra], awsEnv);
const AWS_B = () => ["aws:sandbox-b", ["--endpoint", `${server.url}/sandbox/B`]] as const;

describe("export -> terraform apply -> diff", () => {
  it("exports sandbox A through the CLI (from the running server)", async () => {
    const r = await ec2sim([
      "export",
      "--server",
      server.url,
      "--sandbox",
      "A",
      "--format",
      "json",
      "--out",
      exportDir,
    ]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/16 resources, 1 lookups, 2 provider\(s\) \(us-east-1, eu-west-1\)/);
  });

  it("terraform init + apply creates all of it in the empty sandox B", async () => {
    const init = await terraform(["init", "-input=false", "-no-color"], exportDir, tfEnv);
    expect(init.out).toMatch(/Installed hashicorp\/aws v6\.\d+\.\d+/);
    const apply = await terraform(["apply", "-auto-approve", "-input=false", "-no-color"], exportDir, tfEnv);
    expect(apply.out).toMatch(/Apply complete! Resources: 16 added, 0 changed, 0 destroyed\./);
    expect(apply.code).toBe(0);
    const state = JSON.parse((await terraform(["show", "-json"], exportDir, tfEnv)).out);
    for (const r of state.values.root_module.resources) byAddress.set(r.address, r.values.id);
  }, 120_000);

  it("diff sandbox:A -> sandbox:B: no changes, exit 0", async () => {
    const r = await diff("sandbox:B");
    expect(r.stdout).toMatch(/No changes\. sandbox:B matches sandbox:A \(16 resources\)\./);
    expect(r.code).toBe(0);
  });

  it("the AWS SDK reader (a profile, B's endpoint) and the terraform state readers agree: no changes", async () => {
    const [spec, extra] = AWS_B();
    const aws = await diff(spec, [...extra]);
    expect(aws.stdout).toMatch(/No changes\./);
    expect(aws.code).toBe(0);
    writeFileSync(join(exportDir, "show.json"), (await terraform(["show", "-json"], exportDir, tfEnv)).out);
    for (const spec of [`tfstate:${join(exportDir, "show.json")}`, `tfstate:${join(exportDir, "terraform.tfstate")}`]) {
      const r = await diff(spec);
      expect(r.stdout, spec).toMatch(/No changes\./);
      expect(r.code, spec).toBe(0);
    }
  });

  it("a change made through the AWS SDK shows exactly, by every reader, exit 2", async () => {
    const ec2 = sdkClient(`${server.url}/sandbox/B`, credsB);
    await ec2.send(
      new CreateTagsCommand({
        Resources: [byAddress.get("aws_instance.cats_2")!],
        Tags: [{ Key: "env", Value: "prod" }],
      }),
    );
    await ec2.send(new ModifyVolumeCommand({ VolumeId: byAddress.get("aws_ebs_volume.cats_data")!, Size: 30 }));
    // --json is `terraform show -json`'s resource_changes: the two updates, with before and after objects.
    const expected = {
      summary: { add: 0, change: 2, destroy: 0 },
      changes: [
        { address: "aws_ebs_volume.cats_data", actions: ["update"], before: { size: 30 }, after: { size: 20 } },
        {
          address: "aws_instance.cats_2",
          actions: ["update"],
          before: { tags: { Name: "cats-2", app: "cats", env: "prod" } },
          after: { tags: { Name: "cats-2", app: "cats" } },
        },
      ],
    };
    const pick = (out: string) => {
      const j = JSON.parse(out);
      const acting = j.resource_changes.filter((c: any) => c.change.actions[0] !== "no-op");
      for (const c of j.resource_changes) {
        expect(Object.keys(c).sort()).toEqual(
          ["address", "change", "ec2sim", "mode", "name", "provider_name", "type"]
            .concat(c.action_reason ? ["action_reason"] : [])
            .sort(),
        );
        expect(c.mode).toBe("managed");
        expect(`${c.type}.${c.name}`).toBe(c.address);
      }
      const differing = (a: any, b: any) =>
        Object.fromEntries(
          Object.keys(a)
            .filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]))
            .map((k) => [k, a[k]]),
        );
      return {
        summary: j.ec2sim.summary,
        changes: acting.map((c: any) => ({
          address: c.address,
          actions: c.change.actions,
          before: differing(c.change.before, c.change.after),
          after: differing(c.change.after, c.change.before),
        })),
      };
    };
    const [spec, extra] = AWS_B();
    const aws = await diff(spec, [...extra, "--json"]);
    expect(aws.code).toBe(2);
    expect(pick(aws.stdout)).toEqual(expected);
    const sandbox = await diff("sandbox:B", ["--json"]);
    expect(sandbox.code).toBe(2);
    expect(pick(sandbox.stdout)).toEqual(expected);
    // The state knows once it is refreshed.
    expect(
      (await terraform(["apply", "-refresh-only", "-auto-approve", "-input=false", "-no-color"], exportDir, tfEnv))
        .code,
    ).toBe(0);
    writeFileSync(join(exportDir, "show.json"), (await terraform(["show", "-json"], exportDir, tfEnv)).out);
    const state = await diff(`tfstate:${join(exportDir, "show.json")}`, ["--json"]);
    expect(state.code).toBe(2);
    expect(pick(state.stdout)).toEqual(expected);
    // terraform's own plan of the export wants to change the same two resources, the same way.
    const plan = await terraform(
      ["plan", "-detailed-exitcode", "-input=false", "-no-color", "-out=plan.bin"],
      exportDir,
      tfEnv,
    );
    expect(plan.code).toBe(2);
    const planned = JSON.parse((await terraform(["show", "-json", "plan.bin"], exportDir, tfEnv)).out);
    const theirs = planned.resource_changes
      .filter((c: any) => !c.change.actions.includes("no-op") && !c.change.actions.includes("read"))
      .map((c: any) => ({
        address: c.address,
        actions: c.change.actions,
        size: c.change.after.size,
        tags: c.change.after.tags,
      }));
    const ours = JSON.parse(sandbox.stdout)
      .resource_changes.filter((c: any) => c.change.actions[0] !== "no-op")
      .map((c: any) => ({
        address: c.address,
        actions: c.change.actions,
        size: c.change.after.size,
        tags: c.change.after.tags,
      }));
    // Terraform's tags also carry the origin tag the export adds; ec2sim keeps it apart.
    for (const t of theirs) if (t.tags) delete t.tags["ec2sim:origin"];
    expect(ours).toEqual(theirs);
    // The text is terraform plan's: the same lines for the tags map and the size, whitespace aside.
    const text = await diff("sandbox:B");
    const tfText = (await terraform(["show", "-no-color", "plan.bin"], exportDir, tfEnv)).out;
    const squash = (t: string) => t.split("\n").map((l) => l.trim().replace(/\s+/g, " "));
    const tf = squash(tfText);
    for (const line of [
      "# aws_instance.cats_2 will be updated in-place",
      '~ resource "aws_instance" "cats_2" {',
      "~ tags = {",
      '- "env" = "prod" -> null',
      "# (3 unchanged elements hidden)",
      "# aws_ebs_volume.cats_data will be updated in-place",
      "~ size = 30 -> 20",
    ])
      expect(tf, `terraform shows: ${line}`).toContain(line);
    const mine = squash(text.stdout);
    for (const line of [
      "# aws_instance.cats_2 will be updated in-place",
      '~ resource "aws_instance" "cats_2" {',
      "~ tags = {",
      '- "env" = "prod" -> null',
      "# (2 unchanged elements hidden)",
      "# aws_ebs_volume.cats_data will be updated in-place",
      "~ size = 30 -> 20",
      "Plan: 0 to add, 2 to change, 0 to destroy.",
    ])
      expect(mine, `ec2sim diff shows: ${line}`).toContain(line);
  }, 120_000);

  it("a resource added beside terraform is unmanaged for the readers that see the account, and lowers the coverage", async () => {
    const sg = byAddress.get("aws_security_group.cats_web")!;
    await adminOk(server.url, "POST", "/sandboxes/B/call", {
      action: "AuthorizeSecurityGroupIngress",
      accountId: ACCOUNT,
      input: {
        GroupId: sg,
        IpPermissions: [{ IpProtocol: "tcp", FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: "0.0.0.0/0" }] }],
      },
    });
    const [spec, extra] = AWS_B();
    const aws = await diff(spec, [...extra]);
    expect(aws.code).toBe(2);
    expect(aws.stdout).not.toContain("will be destroyed");
    expect(aws.stdout).toContain("Plan: 0 to add, 2 to change, 0 to destroy.");
    expect(aws.stdout).toMatch(/^Unmanaged: 1 resource\(s\) in aws:sandbox-b that sandbox:A does not describe/m);
    expect(aws.stdout).toMatch(
      /^ {2}aws_vpc_security_group_ingress_rule\.cats_web_ingress_tcp_443 +sgr-\w+ \(us-east-1\)$/m,
    );
    expect(aws.stdout).toContain("Coverage: 94.1% of aws:sandbox-b is managed by sandbox:A (16 of 17 resources).");
  });

  it("an earlier version of A (before the volume) against A: the volume, attachment, snapshot, EIP are unmanaged", async () => {
    const events = await adminOk<{ events: { seq: number; event: { type: string } }[] }>(
      server.url,
      "GET",
      "/sandboxes/A/events",
    );
    const volumeSeq = events.events.find((e) => e.event.type === "VolumeCreated")!.seq;
    const r = await ec2sim([
      "diff",
      "--server",
      server.url,
      "--from",
      `sandbox:A@${volumeSeq - 1}`,
      "--to",
      "sandbox:A",
      "--json",
      "--detailed-exitcode",
    ]);
    expect(r.code).toBe(2);
    const j = JSON.parse(r.stdout);
    expect(j.resource_changes.filter((c: any) => c.change.actions[0] !== "no-op")).toEqual([]);
    expect(j.ec2sim.unmanaged.map((c: any) => c.type).sort()).toEqual([
      "aws_ebs_snapshot",
      "aws_ebs_volume",
      "aws_eip",
      "aws_eip_association",
      "aws_volume_attachment",
    ]);
    expect(j.ec2sim.coverage).toEqual({ managed: 11, unmanaged: 5, percent: 68.8 });
  });

  it("errors exit 1", async () => {
    const r = await ec2sim([
      "diff",
      "--server",
      server.url,
      "--from",
      "sandbox:nope",
      "--to",
      "sandbox:A",
      "--detailed-exitcode",
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/sandbox nope .* HTTP 404/);
  });
});

describe("cdktf deploy", () => {
  it("`cdktf deploy --auto-approve --skip-provider-lock` of the exported project fills an empty sandbox C, which then matches A", async () => {
    const dir = tempDir("deploy");
    const r = await ec2sim(["export", "--server", server.url, "--sandbox", "A", "--format", "cdktf", "--out", dir]);
    expect(r.code).toBe(0);
    const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
    symlinkSync(await cachedProjectModules(pkg), join(dir, "node_modules"), "dir");
    const credsC = await credentialsFor(server.url, "C");
    const env = {
      ...process.env,
      ...tfEnv,
      EC2SIM_ENDPOINT: `${server.url}/sandbox/C`,
      AWS_ACCESS_KEY_ID: credsC.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credsC.secretAccessKey,
      CHECKPOINT_DISABLE: "1",
      CI: "1",
      FORCE_COLOR: "0",
    };
    let out: string;
    try {
      const args = ["deploy", "--auto-approve", "--skip-provider-lock"];
      out = (await execFileP(join(dir, "node_modules/.bin/cdktf"), args, { cwd: dir, env, encoding: "utf8" })).stdout;
    } catch (e) {
      const x = e as { stdout?: string; stderr?: string };
      throw new Error(`cdktf deploy failed:\n${x.stdout ?? ""}\n${x.stderr ?? ""}`);
    }
    expect(out).toMatch(/16 added, 0 changed, 0 destroyed/);
    const d = await ec2sim([
      "diff",
      "--server",
      server.url,
      "--from",
      "sandbox:A",
      "--to",
      "sandbox:C",
      "--detailed-exitcode",
    ]);
    expect(d.stdout).toMatch(/No changes\./);
    expect(d.code).toBe(0);
  }, 300_000);
});
