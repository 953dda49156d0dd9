/**
 * The generated CDKTF project is a real one: it type-checks with tsc and `cdktf synth` (cdktf-cli
 * from the registry, installed once per version set under node_modules/.cache) produces the JSON
 * the in-process synth produces.
 */
import { execFile } from "node:child_process";
import { readFileSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { exportSandbox } from "@ec2sim/cdktf-bridge";
import { Sandbox } from "@ec2sim/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ACCOUNT, cachedProjectModules, removeTempDirs, storySandbox, tempDir } from "./harness.ts";
import { newestImage } from "./newest-image.ts";

const execFileP = promisify(execFile);

let dir: string;
let expected: Record<string, unknown>;

beforeAll(async () => {
  const { sb } = await storySandbox();
  dir = tempDir("project");
  await exportSandbox(sb.state, { sandbox: "A", accountId: ACCOUNT, format: "cdktf", outDir: dir });
  const json = await exportSandbox(sb.state, {
    sandbox: "A",
    accountId: ACCOUNT,
    format: "json",
    outDir: tempDir("json"),
  });
  expected = json.json!;
  const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
  symlinkSync(await cachedProjectModules(pkg), join(dir, "node_modules"), "dir");
}, 600_000);

afterAll(removeTempDirs);

describe("the exported CDKTF project", () => {
  it("type-checks with tsc", async () => {
    await execFileP(join(dir, "node_modules/.bin/tsc"), ["--noEmit", "-p", "."], { cwd: dir });
  });

  it("`cdktf synth` gives the same cdk.tf.json as the in-process synth", async () => {
    await execFileP(join(dir, "node_modules/.bin/cdktf"), ["synth"], {
      cwd: dir,
      env: { ...process.env, CHECKPOINT_DISABLE: "1", CI: "1", FORCE_COLOR: "0" },
    });
    const synthesized = JSON.parse(readFileSync(join(dir, "cdktf.out/stacks/ec2sim/cdk.tf.json"), "utf8"));
    // Only the state's place differs: beside main.ts for the project, beside cdk.tf.json for --format json.
    expect(synthesized.terraform.backend).toEqual({ local: { path: "../../../terraform.tfstate" } });
    expect({ ...synthesized, terraform: { ...synthesized.terraform, backend: null } }).toEqual({
      ...expected,
      terraform: { ...(expected.terraform as object), backend: null },
    });
  }, 120_000);
});

describe("alike instances in the CDKTF project", () => {
  it("are one loop in main.ts that type-checks and synthesizes to the in-process JSON (one block each)", async () => {
    const sb = new Sandbox({ seed: "L", realNow: () => 0 });
    sb.createAccount({ accountId: ACCOUNT });
    const call = (action: string, input: Record<string, unknown>) =>
      sb.call({ accountId: ACCOUNT, region: "us-east-1" }, action, input).output;
    const ami = newestImage(
      call("DescribeImages", {
        Owners: ["amazon"],
        Filters: [{ Name: "name", Values: ["al2023-ami-2023.*-x86_64"] }],
      }).Images,
    ).ImageId;
    for (const [name, az] of [
      ["web-1", "us-east-1a"],
      ["web-2", "us-east-1b"],
      ["web-3", "us-east-1a"],
    ])
      call("RunInstances", {
        ImageId: ami,
        InstanceType: "t3.micro",
        MinCount: 1,
        MaxCount: 1,
        Placement: { AvailabilityZone: az },
        TagSpecifications: [{ ResourceType: "instance", Tags: [{ Key: "Name", Value: name }] }],
      });
    sb.advance(60_000);
    const loopDir = tempDir("loop");
    const opts = { sandbox: "L", accountId: ACCOUNT, originTags: false };
    await exportSandbox(sb.state, { ...opts, format: "cdktf", outDir: loopDir });
    const want = (await exportSandbox(sb.state, { ...opts, format: "json", outDir: tempDir("loop-json") })).json!;
    const main = readFileSync(join(loopDir, "main.ts"), "utf8");
    expect(main).toMatch(/for \(const \[name, each\] of Object\.entries\(webEntries\)\) \{/);
    expect(main.match(/new Instance\(/g)).toHaveLength(1);
    expect(main).not.toContain("ec2sim:origin");
    symlinkSync(join(dir, "node_modules"), join(loopDir, "node_modules"), "dir");
    await execFileP(join(loopDir, "node_modules/.bin/tsc"), ["--noEmit", "-p", "."], { cwd: loopDir });
    await execFileP(join(loopDir, "node_modules/.bin/cdktf"), ["synth"], {
      cwd: loopDir,
      env: { ...process.env, CHECKPOINT_DISABLE: "1", CI: "1", FORCE_COLOR: "0" },
    });
    const got = JSON.parse(readFileSync(join(loopDir, "cdktf.out/stacks/ec2sim/cdk.tf.json"), "utf8"));
    expect(Object.keys(got.resource.aws_instance).sort()).toEqual(["web_1", "web_2", "web_3"]);
    expect({ ...got, terraform: { ...got.terraform, backend: null } }).toEqual({
      ...want,
      terraform: { ...(want.terraform as object), backend: null },
    });
  }, 180_000);
});
