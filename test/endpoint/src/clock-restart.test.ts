/**
 * Simulated time anyone saw never goes back across a restart of the real `ec2sim serve` process:
 * not after SIGTERM (a clean close records where the clock stood), not after kill -9 (the server
 * marks its running clock a little ahead, and a load resumes from that mark). The bill follows.
 */
import { adminOk, type ServerProcess, startServer, tempDir } from "@ec2sim/test-harness";
import { afterAll, describe, expect, it } from "vitest";

interface Info {
  clock: { nowMs: number; speed: number; paused: boolean };
}

const SPEED = 60;

async function clockOf(url: string): Promise<number> {
  return (await adminOk<Info>(url, "GET", "/sandboxes/default")).clock.nowMs;
}

async function costOf(url: string): Promise<number> {
  return (await adminOk<{ total: number }>(url, "GET", "/sandboxes/default/cost")).total;
}

describe("the simulated clock across restarts", () => {
  const data = tempDir("clock-restart");
  let server: ServerProcess | undefined;
  afterAll(async () => {
    await server?.kill9().catch(() => undefined);
    data.remove();
  });

  it("never goes back after SIGTERM or kill -9, and the bill never falls", { timeout: 120_000 }, async () => {
    server = await startServer({ dataDir: data.dir, speed: SPEED });
    const images = await adminOk<{ output: { Images: { ImageId: string }[] } }>(
      server.url,
      "POST",
      "/sandboxes/default/call",
      {
        accountId: "111122223333",
        action: "DescribeImages",
        input: { Owners: ["amazon"], Filters: [{ Name: "name", Values: ["al2023-ami-2023*-x86_64"] }] },
      },
    );
    await adminOk(server.url, "POST", "/sandboxes/default/call", {
      accountId: "111122223333",
      action: "RunInstances",
      input: { ImageId: images.output.Images[0]!.ImageId, InstanceType: "t3.micro", MinCount: 1, MaxCount: 1 },
    });
    for (const how of ["SIGTERM", "kill -9", "SIGTERM", "kill -9"] as const) {
      const seen = await clockOf(server.url);
      const billed = await costOf(server.url);
      if (how === "SIGTERM") expect(await server.stop()).toBe(0);
      else await server.kill9();
      server = await startServer({ dataDir: data.dir, speed: SPEED });
      const after = await clockOf(server.url);
      expect(after, `after ${how}`).toBeGreaterThanOrEqual(seen);
      expect(await costOf(server.url), `the bill after ${how}`).toBeGreaterThanOrEqual(billed);
    }
  });
});
