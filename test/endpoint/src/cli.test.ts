/**
 * `ec2sim serve` as a command: clean shutdown on Ctrl-C (SIGINT) even right after the banner,
 * the banner's ready-to-paste lines, argument errors, and a data directory held by another server.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { BIN, SOURCE_BIN, startServer, tempDir } from "@ec2sim/test-harness";
import { describe, expect, it } from "vitest";
import { run } from "./harness.ts";

describe("ec2sim serve (the command)", () => {
  it("closes cleanly on SIGINT sent the moment the banner appears: exit 0, store closed, lock released", async () => {
    const data = tempDir("sigint");
    try {
      const server = await startServer({ dataDir: data.dir });
      server.proc.kill("SIGINT");
      expect(await server.exited).toBe(0);
      expect(server.output()).toContain("ec2sim: SIGINT, closing");
      expect(server.output()).toContain("ec2sim: closed");
      expect(readFileSync(join(data.dir, "LOCK"), "utf8")).toBe(""); // the OS lock is released; the file names no holder
    } finally {
      data.remove();
    }
  });

  it("prints the endpoint, the credentials and a ready-to-paste aws line", async () => {
    const data = tempDir("banner");
    const server = await startServer({ dataDir: data.dir });
    try {
      const out = server.output();
      expect(out).toMatch(/AWS_ACCESS_KEY_ID=AKIA[A-Z2-7]{16} AWS_SECRET_ACCESS_KEY=\S{40}/);
      expect(out).toContain(`aws --endpoint-url ${server.url} ec2 describe-images --owners amazon`);
      expect(out).toContain(`journal at ${data.dir}`);
      // A second server on the same data directory is refused with a clear message.
      const second = await run(BIN, ["serve", "--port", "0", "--data", data.dir]).then(
        () => ({ code: 0, stderr: "" }),
        (e: { code: number; stderr: string }) => ({ code: e.code, stderr: e.stderr }),
      );
      expect(second.code).toBe(1);
      expect(second.stderr).toContain("another ec2sim server is using");
    } finally {
      await server.stop();
      data.remove();
    }
  });

  it("rejects bad arguments with exit code 2 and the usage", async () => {
    const cases = [
      ["serve", "--port", "http"],
      ["serve", "--store", "cloud"],
      ["serve", "--speed", "0"],
      ["serve", "--nope"],
      ["serve", "--sandbox", "../x"],
      ["frobnicate"],
    ];
    const results = await Promise.all(
      cases.map((args) =>
        run(BIN, args).then(
          () => ({ code: 0, out: "" }),
          (e: { code: number; stderr: string }) => ({ code: e.code, out: e.stderr }),
        ),
      ),
    );
    cases.forEach((args, i) => {
      expect([args.join(" "), results[i]!.code]).toEqual([args.join(" "), 2]);
      expect(results[i]!.out.length).toBeGreaterThan(10);
    });
    const help = await run(BIN, ["serve", "--help"]);
    expect(help.stdout).toContain("--accept-any-signature");
  });

  it("bin/ec2sim, the sources through tsx as a clone runs them, serves too", async () => {
    const server = await startServer({ bin: SOURCE_BIN, store: "memory", timeoutMs: 120_000 });
    expect(server.output()).toContain("memory (nothing is kept after exit)");
    expect(await server.stop()).toBe(0);
  });

  it("--store memory keeps nothing after exit", async () => {
    const server = await startServer({ store: "memory" });
    expect(server.output()).toContain("memory (nothing is kept after exit)");
    expect(await server.stop()).toBe(0);
  });
});
