/**
 * The data directory's lock, with the real `ec2sim serve`: an OS lock (flock) held for the
 * server's life, so a second server is refused even from another PID namespace (two containers on
 * one volume, simulated with `unshare --pid --fork --mount-proc`, which needs root), a server
 * killed with -9 frees it at once, and of two servers racing for a fresh directory exactly one wins.
 */
import { adminOk, BIN, type ServerProcess, startServer, tempDir } from "@ec2sim/test-harness";
import { describe, expect, it } from "vitest";
import { run } from "./harness.ts";

/** A PID namespace of its own, with its own /proc; the server dies with `unshare`. */
const CONTAINER = ["unshare", "--pid", "--fork", "--mount-proc", "--kill-child"];

/** `ec2sim serve` on `dir` run to its end: exit code and stderr (it is expected to be refused). */
async function refusedServe(dir: string, prefix: string[] = []): Promise<{ code: number; stderr: string }> {
  const [cmd, ...args] = [...prefix, BIN, "serve", "--port", "0", "--data", dir];
  return run(cmd!, args, { timeout: 60_000 }).then(
    () => ({ code: 0, stderr: "" }),
    (e: { code: number; stderr: string }) => ({ code: e.code, stderr: e.stderr }),
  );
}

describe("the data directory's lock (ec2sim serve)", { timeout: 240_000 }, () => {
  it("a server in another PID namespace is refused while the first lives; once the first is killed -9 it starts and has every acknowledged change", async () => {
    const data = tempDir("lock-ns");
    let first: ServerProcess | undefined;
    let second: ServerProcess | undefined;
    try {
      first = await startServer({ dataDir: data.dir });
      await adminOk(first.url, "POST", "/sandboxes", { name: "acked", paused: true });
      const refused = await refusedServe(data.dir, CONTAINER);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain(`is in use by process`);
      expect(refused.stderr).toContain("another ec2sim server is using");
      // The first server is untouched by the attempt.
      expect((await adminOk(first.url, "GET", "/sandboxes/acked")).name).toBe("acked");
      await first.kill9();
      second = await startServer({ dataDir: data.dir, prefix: CONTAINER });
      const names = (await adminOk<{ name: string }[]>(second.url, "GET", "/sandboxes")).map((s) => s.name);
      expect(names).toEqual(["acked", "default"]);
    } finally {
      await first?.kill9();
      await second?.stop();
      data.remove();
    }
  });

  it("a server inside a PID namespace holds the directory against one outside it", async () => {
    const data = tempDir("lock-ns2");
    const inside = await startServer({ dataDir: data.dir, prefix: CONTAINER });
    try {
      const refused = await refusedServe(data.dir);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain("another ec2sim server is using");
    } finally {
      await inside.stop();
      data.remove();
    }
  });

  it("two servers racing for a fresh directory: exactly one serves, the other is refused", async () => {
    for (let round = 0; round < 2; round++) {
      const data = tempDir("lock-race");
      const results = await Promise.allSettled([
        startServer({ dataDir: data.dir }),
        startServer({ dataDir: data.dir, prefix: round === 1 ? CONTAINER : [] }),
      ]);
      try {
        const won = results.filter((r): r is PromiseFulfilledResult<ServerProcess> => r.status === "fulfilled");
        const lost = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
        expect(won).toHaveLength(1);
        expect(String(lost[0]!.reason)).toContain("another ec2sim server is using");
        await adminOk(won[0]!.value.url, "POST", "/sandboxes", { name: `r${round}`, paused: true });
      } finally {
        for (const r of results) if (r.status === "fulfilled") await r.value.stop();
        data.remove();
      }
    }
  });
});
