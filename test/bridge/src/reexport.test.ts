/**
 * Safe re-export (issue 16): an export keeps the checksums of what it wrote in the project
 * (.ec2sim/export.json); exporting again over a hand-edited file refuses, showing what it would
 * change, and writes nothing; --force overwrites; files nobody touched are simply rewritten.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { exportSandbox } from "@ec2sim/cdktf-bridge";
import { Sandbox } from "@ec2sim/core";
import { afterAll, describe, expect, it } from "vitest";
import { ACCOUNT, removeTempDirs, storySandbox, tempDir } from "./harness.ts";
import { newestImage } from "./newest-image.ts";

afterAll(removeTempDirs);

describe("re-export", () => {
  it("refuses to overwrite a hand-edited main.ts (showing the change), overwrites with force", async () => {
    const { sb } = await storySandbox();
    const dir = tempDir("reexport");
    const opts = { sandbox: "A", accountId: ACCOUNT, format: "cdktf" as const, outDir: dir };
    await exportSandbox(sb.state, opts);
    const manifest = JSON.parse(readFileSync(join(dir, ".ec2sim/export.json"), "utf8"));
    expect(Object.keys(manifest.files)).toContain("main.ts");
    // Untouched: a second export goes through.
    expect((await exportSandbox(sb.state, opts)).warnings).toEqual([]);

    const main = readFileSync(join(dir, "main.ts"), "utf8");
    const edited = main.replace('description: "cat photos backup"', 'description: "my backup"');
    expect(edited).not.toBe(main);
    writeFileSync(join(dir, "main.ts"), edited);
    writeFileSync(join(dir, "notes.md"), "my own notes\n"); // not ec2sim's, not in its way
    const err = await exportSandbox(sb.state, opts).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(err?.message).toMatch(
      /^1 file\(s\) in .* differ from what ec2sim last wrote; nothing was written \(--force/,
    );
    expect(err?.message).toMatch(/^ {2}main\.ts: edited since the last export$/m);
    expect(err?.message).toMatch(/^-.*description: "my backup",$/m);
    expect(err?.message).toMatch(/^\+.*description: "cat photos backup",$/m);
    expect(readFileSync(join(dir, "main.ts"), "utf8")).toBe(edited);

    const forced = await exportSandbox(sb.state, { ...opts, force: true });
    expect(forced.warnings).toEqual(["overwrote main.ts (--force)"]);
    expect(readFileSync(join(dir, "main.ts"), "utf8")).toBe(main);
    expect(readFileSync(join(dir, "notes.md"), "utf8")).toBe("my own notes\n");
  });

  it("refuses to write over files it did not write (an export into someone's project)", async () => {
    const { sb } = await storySandbox();
    const dir = tempDir("foreign");
    writeFileSync(join(dir, "main.tf"), 'resource "aws_instance" "mine" {}\n');
    const opts = { sandbox: "A", accountId: ACCOUNT, format: "hcl" as const, outDir: dir };
    await expect(exportSandbox(sb.state, opts)).rejects.toThrow(/main\.tf: not written by ec2sim/);
    expect(existsSync(join(dir, ".ec2sim/export.json"))).toBe(false);
  });
});

describe("labels across exports", () => {
  it("keep their address; when an instance joins a for_each group, the HCL says so with a moved block", async () => {
    const sb = new Sandbox({ seed: "M", realNow: () => 0 });
    sb.createAccount({ accountId: ACCOUNT });
    const call = (action: string, input: Record<string, unknown>) =>
      sb.call({ accountId: ACCOUNT, region: "us-east-1" }, action, input).output;
    const ami = newestImage(
      call("DescribeImages", {
        Owners: ["amazon"],
        Filters: [{ Name: "name", Values: ["al2023-ami-2023.*-x86_64"] }],
      }).Images,
    ).ImageId;
    const launch = (name: string) =>
      call("RunInstances", {
        ImageId: ami,
        InstanceType: "t3.micro",
        MinCount: 1,
        MaxCount: 1,
        Placement: { AvailabilityZone: "us-east-1a" },
        TagSpecifications: [{ ResourceType: "instance", Tags: [{ Key: "Name", Value: name }] }],
      });
    launch("web-1");
    sb.advance(60_000);
    const dir = tempDir("moved");
    const opts = { sandbox: "M", accountId: ACCOUNT, format: "hcl" as const, outDir: dir };
    await exportSandbox(sb.state, opts);
    expect(readFileSync(join(dir, "main.tf"), "utf8")).toMatch(/^resource "aws_instance" "web_1" \{$/m);
    expect(existsSync(join(dir, "moved.tf"))).toBe(false);
    launch("web-2");
    sb.advance(60_000);
    await exportSandbox(sb.state, opts);
    const main = readFileSync(join(dir, "main.tf"), "utf8");
    expect(main).toMatch(/^resource "aws_instance" "web" \{\n {2}for_each = local\.web$/m);
    expect(readFileSync(join(dir, "moved.tf"), "utf8")).toBe(
      'moved {\n  from = aws_instance.web_1\n  to   = aws_instance.web["web-1"]\n}\n',
    );
  });
});
