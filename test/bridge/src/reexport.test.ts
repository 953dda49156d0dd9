/**
 * Safe re-export (issue 16): an export keeps the checksums of what it wrote in the project
 * (.ec2sim/export.json); exporting again over a hand-edited file refuses, showing what it would
 * change, and writes nothing; --force overwrites; files nobody touched are simply rewritten.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { exportSandbox } from "@ec2sim/cdktf-bridge";
import { afterAll, describe, expect, it } from "vitest";
import { ACCOUNT, removeTempDirs, storySandbox, tempDir } from "./harness.ts";

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
