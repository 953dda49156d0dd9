/**
 * Two real replicas live on one PostgreSQL database: a WebSocket client (@ec2sim/protocol) on
 * replica 2 sees the instances launched through replica 1 (EC2 endpoint, AWS SDK) as they happen,
 * and the simulated clock advances once — each boot transition is recorded once although both
 * replicas host the sandbox (only the clock-lease holder ticks). Fails, never skips, without PostgreSQL.
 */
import { DescribeInstancesCommand, RunInstancesCommand } from "@aws-sdk/client-ec2";
import { SandboxClient, type WireEnvelope } from "@ec2sim/protocol";
import {
  type Account,
  accountsOf,
  admin,
  newestAl2023,
  type ServerProcess,
  sdkClient,
  sleep,
} from "@ec2sim/test-harness";
import { type PgCluster, startCluster } from "@ec2sim/test-pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freshDatabase, startReplica } from "./harness.ts";

describe("two replicas share a sandbox live", () => {
  let cluster: PgCluster;
  let r1: ServerProcess;
  let r2: ServerProcess;
  let A: Account;
  beforeAll(async () => {
    cluster = await startCluster();
    const db = await freshDatabase(cluster, "live");
    r1 = await startReplica(db, { speed: 100 });
    r2 = await startReplica(db, { speed: 100 });
    [A] = await accountsOf(r1.url);
  }, 180_000);
  afterAll(async () => {
    await Promise.all([r1?.stop(), r2?.stop()]);
    await cluster?.destroy();
  });

  it("a WebSocket client on replica 2 sees replica 1's launches live; each boot transition is recorded once", async () => {
    const ws = await SandboxClient.connect({
      url: r2.url,
      accessKeyId: A.accessKeyId,
      secretAccessKey: A.secretAccessKey,
      reconnect: false,
    });
    const seen: { at: number; e: WireEnvelope }[] = [];
    await ws.subscribe((events) => {
      for (const e of events) seen.push({ at: Date.now(), e });
    });
    const ec2 = sdkClient(r1.url, A);
    const images = await ec2.send(new DescribeInstancesCommand({}));
    expect(images.Reservations).toEqual([]);
    const { callAt, ids } = await (async () => {
      const callAt = Date.now();
      const { json: img } = await admin(r1.url, "GET", "/sandboxes/default");
      expect(img.name).toBe("default");
      const run = await ec2.send(
        new RunInstancesCommand({
          ImageId: (await newestAl2023(sdkClient(r1.url, A))).ImageId,
          InstanceType: "t3.micro",
          MinCount: 3,
          MaxCount: 3,
        }),
      );
      return { callAt, ids: run.Instances!.map((i) => i.InstanceId!) };
    })();
    const ackAt = Date.now();
    const launched = () => seen.find((s) => s.e.event.type === "InstancesLaunched");
    for (const end = Date.now() + 10_000; !launched() && Date.now() < end; ) await sleep(5);
    const l = launched();
    expect(l, "replica 2's WebSocket client saw the launch").toBeDefined();
    const wire = JSON.stringify(l!.e);
    for (const id of ids) expect(wire).toContain(id);
    console.log(
      `launch through replica 1 seen on replica 2's WebSocket ${l!.at - ackAt} ms after replica 1 answered (${ackAt - callAt} ms call)`,
    );
    // Boot completes on the simulated clock (x100): 'running' arrives live too, once per instance.
    const running = () =>
      seen.filter(
        (s) => s.e.event.type === "InstanceStateChanged" && (s.e.event as { state?: string }).state === "running",
      ).length;
    for (const end = Date.now() + 20_000; running() < ids.length && Date.now() < end; ) await sleep(20);
    expect(running()).toBe(ids.length);
    await sleep(1_500); // both replicas keep ticking meanwhile
    const { json: log } = await admin<{ events: WireEnvelope[] }>(r2.url, "GET", "/sandboxes/default/events");
    for (const id of ids) {
      const toRunning = log.events.filter(
        (e) =>
          e.event.type === "InstanceStateChanged" &&
          (e.event as { instanceId?: string }).instanceId === id &&
          (e.event as { state?: string }).state === "running",
      );
      expect(toRunning, `one 'running' transition for ${id}`).toHaveLength(1);
    }
    expect(log.events.map((e) => e.seq)).toEqual(log.events.map((_, i) => i + 1));
    // The WebSocket stream is the log (the part account A may see), in order, without duplicates.
    const seqs = seen.map((s) => s.e.seq);
    expect(seqs).toEqual([...new Set(seqs)].sort((a, b) => a - b));
    await ws.close();
  });
});
