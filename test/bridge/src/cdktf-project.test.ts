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
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ACCOUNT, cachedProjectModules, removeTempDirs, storySandbox, tempDir } from "./harness.ts";

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
