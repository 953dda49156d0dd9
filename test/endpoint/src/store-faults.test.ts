/**
 * Store faults with the real `ec2sim serve` on a small tmpfs of its own (mounting needs root): a
 * disk filled with `dd` while it runs, and a data directory that is read-only when it starts. In
 * both, reads keep answering from the last durable state, writes answer 503 ServiceUnavailable,
 * and once the fault is gone the next writes go through (bounded backoff) — without a restart.
 * Nothing acknowledged is lost, nothing refused appears after a restart.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateKeyPairCommand, DescribeKeyPairsCommand, type EC2Client } from "@aws-sdk/client-ec2";
import { credentialsFor, type ServerProcess, sdkClient, startServer } from "@ec2sim/test-harness";
import { describe, expect, it } from "vitest";

/** A fresh tmpfs of `sizeMb` MiB; `remove` unmounts it. */
function tmpfs(sizeMb: number): { dir: string; remount(mode: "ro" | "rw"): void; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), "ec2sim-tmpfs-"));
  execFileSync("mount", ["-t", "tmpfs", "-o", `size=${sizeMb}m,mode=0755`, "tmpfs", dir]);
  return {
    dir,
    remount: (mode) => execFileSync("mount", ["-o", `remount,${mode}`, dir]),
    remove: () => {
      spawnSync("umount", ["-l", dir]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The error code of a command, or "ok". */
async function outcome(client: EC2Client, keyName: string): Promise<string> {
  return client.send(new CreateKeyPairCommand({ KeyName: keyName, KeyType: "ed25519" })).then(
    () => "ok",
    (e: { name?: string; $metadata?: { httpStatusCode?: number } }) => `${e.name} ${e.$metadata?.httpStatusCode}`,
  );
}

async function keyNames(client: EC2Client): Promise<string[]> {
  const r = await client.send(new DescribeKeyPairsCommand({}));
  return (r.KeyPairs ?? []).map((k) => k.KeyName!).sort();
}

/** Tries the write until it goes through (or the deadline): the outcomes seen, in order, without repeats. */
async function writeUntilOk(client: EC2Client, keyName: string, deadlineMs: number): Promise<string[]> {
  const seen: string[] = [];
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const r = await outcome(client, keyName);
    if (seen.at(-1) !== r) seen.push(r);
    if (r === "ok" || Date.now() > deadline) return seen;
    await new Promise((res) => setTimeout(res, 50));
  }
}

describe("store faults (ec2sim serve on a tmpfs)", { timeout: 240_000 }, () => {
  it("a disk filled by dd: reads answer, writes answer 503; once space is freed writes go through again", async () => {
    const fs = tmpfs(16);
    let server: ServerProcess | undefined;
    try {
      server = await startServer({ dataDir: fs.dir });
      const client = sdkClient(server.url, await credentialsFor(server.url));
      expect(await outcome(client, "kept")).toBe("ok");
      // Fill the disk to the last block. Writes may still fit in the journal's last page for a while:
      // those are acknowledged and must stay; the first that does not fit answers 503.
      spawnSync("dd", ["if=/dev/zero", `of=${join(fs.dir, "fill")}`, "bs=64k"], { stdio: "ignore" });
      const acked = ["kept"];
      let refused = "";
      for (let i = 0; i < 200 && !refused; i++) {
        const r = await outcome(client, `fits-${i}`);
        if (r === "ok") acked.push(`fits-${i}`);
        else refused = r;
      }
      acked.sort();
      expect(refused).toBe("ServiceUnavailable 503");
      for (let i = 0; i < 5; i++) expect(await keyNames(client)).toEqual(acked);
      expect(await outcome(client, "lost-too")).toBe("ServiceUnavailable 503");
      rmSync(join(fs.dir, "fill"));
      const freedAt = Date.now();
      const seen = await writeUntilOk(client, "after", 20_000);
      expect(seen.at(-1)).toBe("ok");
      expect(Date.now() - freedAt).toBeLessThan(15_000); // the backoff is bounded (5 s at most)
      expect(await keyNames(client)).toEqual(["after", ...acked].sort());
      expect(server.output()).toMatch(/ENOSPC|no space left/i);
      expect(server.output()).toContain("takes writes again");
      // Across a restart: every acknowledged change, nothing refused.
      expect(await server.stop()).toBe(0);
      server = await startServer({ dataDir: fs.dir });
      expect(await keyNames(sdkClient(server.url, await credentialsFor(server.url)))).toEqual(
        ["after", ...acked].sort(),
      );
    } finally {
      await server?.stop();
      fs.remove();
    }
  });

  it("a read-only data directory: the server starts, reads answer, writes answer 503 until it is writable", async () => {
    const fs = tmpfs(16);
    let server: ServerProcess | undefined;
    try {
      server = await startServer({ dataDir: fs.dir });
      const creds = await credentialsFor(server.url);
      expect(await outcome(sdkClient(server.url, creds), "kept")).toBe("ok");
      expect(await server.stop()).toBe(0);
      fs.remount("ro");
      server = await startServer({ dataDir: fs.dir });
      const client = sdkClient(server.url, creds);
      expect(await keyNames(client)).toEqual(["kept"]);
      expect(await outcome(client, "refused")).toBe("ServiceUnavailable 503");
      expect(await keyNames(client)).toEqual(["kept"]);
      fs.remount("rw");
      const seen = await writeUntilOk(client, "after", 20_000);
      expect(seen.at(-1)).toBe("ok");
      expect(await keyNames(client)).toEqual(["after", "kept"]);
      expect(await server.stop()).toBe(0);
      server = await startServer({ dataDir: fs.dir });
      expect(await keyNames(sdkClient(server.url, creds))).toEqual(["after", "kept"]);
    } finally {
      await server?.stop();
      fs.remove();
    }
  });
});
