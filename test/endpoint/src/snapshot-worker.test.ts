/**
 * Snapshots of a large sandbox are encoded off the event loop, seen as an operator sees it: the
 * real `ec2sim serve`, its admin metrics (`GET /_ec2sim/metrics`, admin token required), a sandbox
 * that starts small and grows past the worker's threshold in this process. The decision is made on
 * an estimate before encoding, so even the first large snapshot is the worker's; none is made on
 * the event loop. No timing is asserted: where each snapshot was encoded is counted by the server.
 */
import { adminOk, type ServerProcess, startServer, tempDir } from "@ec2sim/test-harness";
import { afterAll, describe, expect, it } from "vitest";

interface Metrics {
  snapshots: {
    onWorker: number;
    onLoop: number;
    largeOnLoop: number;
    followBytes: number;
    last?: { sandbox: string; seq: number; bytes: number; encodedOn: "worker" | "loop" };
  };
}

const metrics = (s: ServerProcess) => adminOk<Metrics>(s.url, "GET", "/metrics");

/** Polls the metrics until `done` holds (the snapshot after a write is saved in the background). */
async function metricsUntil(s: ServerProcess, done: (m: Metrics) => boolean, what: string): Promise<Metrics> {
  let m = await metrics(s);
  for (const end = Date.now() + 120_000; !done(m); m = await metrics(s)) {
    if (Date.now() > end) throw new Error(`metrics never showed ${what}: ${JSON.stringify(m)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return m;
}

describe("snapshot encoding off the event loop (ec2sim serve)", { timeout: 300_000 }, () => {
  const data = tempDir("snap-worker");
  afterAll(() => data.remove());

  it("a sandbox that grows past the threshold in this process has every large snapshot made by the worker, its first included", async () => {
    let server = await startServer({ dataDir: data.dir, extraArgs: ["--snapshot-every", "1"] });
    try {
      // The metrics are the admin's: no token, no figures.
      const open = await fetch(`${server.url}/_ec2sim/metrics`);
      expect(open.status).toBe(401);

      await adminOk(server.url, "POST", "/sandboxes", { name: "grow", paused: true });
      const images = await adminOk<{ output: { Images: { ImageId: string }[] } }>(
        server.url,
        "POST",
        "/sandboxes/grow/call",
        {
          action: "DescribeImages",
          input: { Owners: ["amazon"], Filters: [{ Name: "name", Values: ["al2023-ami-2023*-x86_64"] }] },
        },
      );
      const ImageId = images.output.Images[0]!.ImageId;
      const launch = () =>
        adminOk(server.url, "POST", "/sandboxes/grow/call", {
          action: "RunInstances",
          input: { ImageId, InstanceType: "t3.micro", MinCount: 100, MaxCount: 100 },
        });
      // Small first: its snapshots are cheap and made on the event loop.
      await launch();
      const small = await metricsUntil(server, (m) => m.snapshots.last?.sandbox === "grow", "a snapshot of grow");
      expect(small.snapshots.last!.encodedOn).toBe("loop");
      expect(small.snapshots.last!.bytes).toBeLessThan(small.snapshots.followBytes);
      // Then it grows, 100 instances a call, to 2,000 instances (over 2 MB of snapshot).
      for (let i = 0; i < 19; i++) await launch();
      const { lastSeq } = await adminOk<{ lastSeq: number }>(server.url, "GET", "/sandboxes/grow/events?upTo=1");
      const grown = await metricsUntil(
        server,
        (m) => m.snapshots.last?.sandbox === "grow" && m.snapshots.last.seq === lastSeq,
        `the snapshot of grow at seq ${lastSeq}`,
      );
      expect(grown.snapshots.last!.bytes).toBeGreaterThanOrEqual(2 * grown.snapshots.followBytes);
      expect(grown.snapshots.last!.encodedOn).toBe("worker");
      expect(grown.snapshots.onWorker).toBeGreaterThanOrEqual(1);
      // Not one snapshot at or above the threshold was made on the event loop: the first large one
      // went to the worker too.
      expect(grown.snapshots.largeOnLoop).toBe(0);

      // What the worker wrote is the sandbox: after a restart (loaded from that snapshot) every instance is there.
      await server.stop();
      server = await startServer({ dataDir: data.dir, extraArgs: ["--snapshot-every", "1"] });
      const described = await adminOk<{ output: { Reservations: { Instances: unknown[] }[] } }>(
        server.url,
        "POST",
        "/sandboxes/grow/call",
        { action: "DescribeInstances", input: {} },
      );
      expect(described.output.Reservations.flatMap((r) => r.Instances)).toHaveLength(2000);
    } finally {
      await server.stop();
    }
  });
});
