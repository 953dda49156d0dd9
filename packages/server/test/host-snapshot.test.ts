/**
 * SandboxHost and snapshots: a server restarted after a snapshot loads from it (plus the journal
 * after it), fast, and answers as before; snapshots are saved every `snapshotEvery` events and on
 * close; the history stays readable through `events()` (any range), unless the store compacts it
 * (`compactOnSnapshot`): then `events()` says so (410). Snapshots are encoded by the snapshot
 * worker from its own fold of the durable events: what it writes is the state the host holds.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type EventEnvelope, Sandbox, snapshotState } from "@ec2sim/core";
import { afterEach, describe, expect, it } from "vitest";
import { SandboxHost } from "../src/host.ts";
import { JournalStore } from "../src/store/index.ts";

const A = { accountId: "111122223333", region: "us-east-1" };
const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function newestImage(host: SandboxHost): Promise<string> {
  const out = await host.call<{ Images: { ImageId: string; CreationDate: string }[] }>("s", A, "DescribeImages", {
    Owners: ["amazon"],
    Filters: [{ Name: "name", Values: ["al2023-ami-2023*-x86_64"] }],
  });
  return out.Images.sort((x, y) => y.CreationDate.localeCompare(x.CreationDate))[0]!.ImageId;
}

/** What a client sees (the clock is paused, so two looks at one state agree). */
async function look(host: SandboxHost) {
  return {
    instances: await host.call("s", A, "DescribeInstances", { Filters: [{ Name: "tag:team", Values: ["a"] }] }),
    images: await host.call("s", A, "DescribeImages", { Owners: ["self"] }),
    volumes: await host.call("s", A, "DescribeVolumes", { MaxResults: 20 }),
    cost: await host.costReport("s"),
    info: { ...(await host.info("s")), createdAt: "" },
  };
}

describe("SandboxHost snapshots", () => {
  it("a restarted server loads from the snapshot saved on close (fast) and answers the same, then goes on like a full replay", async () => {
    const dir = await mkdtemp(join(tmpdir(), "ec2sim-host-snap-"));
    dirs.push(dir);
    let host = new SandboxHost({
      store: await JournalStore.open(dir),
      tickMs: 0,
      snapshotEvery: 0,
      snapshotOnCloseMin: 1,
    });
    await host.create("s", { seed: "snap", paused: true });
    const image = await newestImage(host);
    for (let i = 0; i < 20; i++) {
      await host.call("s", A, "RunInstances", {
        ImageId: image,
        InstanceType: "t3.micro",
        MinCount: 100,
        MaxCount: 100,
        TagSpecifications: [{ ResourceType: "instance", Tags: [{ Key: "team", Value: i % 2 ? "a" : "b" }] }],
      });
    }
    await host.advance("s", 120_000);
    const first = (
      await host.call<{ Reservations: { Instances: { InstanceId: string }[] }[] }>("s", A, "DescribeInstances", {
        MaxResults: 5,
      })
    ).Reservations[0]!.Instances[0]!.InstanceId;
    await host.call("s", A, "GuestRun", { InstanceId: first, Command: "echo hello | sudo tee /etc/motd" });
    const ami = (await host.call<{ ImageId: string }>("s", A, "CreateImage", { InstanceId: first, Name: "snap-ami" }))
      .ImageId;
    await host.advance("s", 30_000); // the image is still pending: a transition in flight at the snapshot
    const before = await look(host);
    const fullLog = (await host.events("s")).events;
    await host.close(); // saves the snapshot (snapshotOnCloseMin: 1)

    // Reference: a server that replays the whole log (a copy of the journal without the snapshot).
    const t0 = performance.now();
    host = new SandboxHost({ store: await JournalStore.open(dir), tickMs: 0, snapshotEvery: 0, snapshotOnCloseMin: 0 });
    await host.load("s");
    const loadMs = performance.now() - t0;
    expect(await look(host)).toEqual(before);
    // The snapshot kept the history: the whole log, or any part of it, reads back as before.
    expect((await host.events("s")).events).toEqual(fullLog);
    expect((await host.events("s", 30, 10)).events).toEqual(fullLog.slice(10, 30));
    expect((await host.events("s", undefined, fullLog.at(-1)!.seq)).events).toEqual([]);

    const { Sandbox } = await import("@ec2sim/core");
    const t1 = performance.now();
    const replayed = Sandbox.replay(fullLog, { seed: "snap", realNow: () => 0 });
    const replayMs = performance.now() - t1;
    console.log(
      `host restart from snapshot: ${loadMs.toFixed(0)} ms (store open + load + restore, 2,000 instances, ${fullLog.length} events); full replay of the same log: ${replayMs.toFixed(0)} ms`,
    );

    // Both go on the same: the image finishes, a new launch gets the same IDs.
    await host.advance("s", 10 * 60_000);
    replayed.advance(10 * 60_000);
    const next = await host.call<{ Instances: { InstanceId: string; PrivateIpAddress: string }[] }>(
      "s",
      A,
      "RunInstances",
      { ImageId: ami, InstanceType: "t3.small", MinCount: 2, MaxCount: 2 },
    );
    const nextReplay = replayed.call(A, "RunInstances", {
      ImageId: ami,
      InstanceType: "t3.small",
      MinCount: 2,
      MaxCount: 2,
    }).output as typeof next;
    expect(next.Instances.map((i) => [i.InstanceId, i.PrivateIpAddress])).toEqual(
      nextReplay.Instances.map((i) => [i.InstanceId, i.PrivateIpAddress]),
    );
    expect(await host.call("s", A, "DescribeImages", { ImageIds: [ami] })).toEqual(
      replayed.call(A, "DescribeImages", { ImageIds: [ami] }).output,
    );
    expect(await host.costReport("s")).toEqual(replayed.costReport());
    await host.close();
  }, 120_000);

  it("saves a snapshot every snapshotEvery durable events, while serving; a reload starts from it", async () => {
    const dir = await mkdtemp(join(tmpdir(), "ec2sim-host-snap-"));
    dirs.push(dir);
    let host = new SandboxHost({
      store: await JournalStore.open(dir),
      tickMs: 0,
      snapshotEvery: 50,
      snapshotOnCloseMin: 0,
    });
    await host.create("s", { seed: "every", paused: true });
    const image = await newestImage(host);
    for (let i = 0; i < 60; i++)
      await host.call("s", A, "RunInstances", {
        ImageId: image,
        InstanceType: "t3.micro",
        MinCount: 1,
        MaxCount: 1,
        TagSpecifications: [{ ResourceType: "instance", Tags: [{ Key: "team", Value: "a" }] }],
      });
    // The save runs after the answers went out: wait for it (each turn of the event loop, bounded).
    for (const end = Date.now() + 10_000; (host.lastSnapshot?.seq ?? 0) < 50 && Date.now() < end; )
      await new Promise((r) => setImmediate(r));
    expect(host.lastSnapshot?.seq).toBeGreaterThanOrEqual(50);
    await host.advance("s", 60_000);
    const before = await look(host);
    const lastSeq = before.info.lastSeq;
    await host.close(); // waits for a save in progress
    const snapSeq = host.lastSnapshot!.seq;
    host = new SandboxHost({ store: await JournalStore.open(dir), tickMs: 0, snapshotEvery: 0, snapshotOnCloseMin: 0 });
    expect(await look(host)).toEqual(before);
    // The journal holds the events after the snapshot.
    const tail = await host.events("s", undefined, snapSeq);
    expect(tail.events.map((e) => e.seq)).toEqual(Array.from({ length: lastSeq - snapSeq }, (_, i) => snapSeq + 1 + i));
    expect(tail.lastSeq).toBe(lastSeq);
    // ...and so does everything before it: the history survived every snapshot.
    const all = await host.events("s");
    expect(all.events.map((e) => e.seq)).toEqual(Array.from({ length: lastSeq }, (_, i) => i + 1));
    expect(all.lastSeq).toBe(lastSeq);
    const early = await host.events("s", 20);
    expect(early.events).toEqual(all.events.slice(0, 20));
    expect(early.lastSeq).toBe(lastSeq);
    await host.close();
  }, 60_000);

  it("a large sandbox's snapshots are made by the snapshot worker from its own fold: what it writes is the state the host holds", async () => {
    const dir = await mkdtemp(join(tmpdir(), "ec2sim-host-snap-"));
    dirs.push(dir);
    const open = async (snapshotWorker: boolean) =>
      new SandboxHost({
        store: await JournalStore.open(dir),
        tickMs: 0,
        snapshotEvery: 0,
        snapshotOnCloseMin: 1,
        snapshotWorker,
      });
    const life = async (host: SandboxHost, round: number) => {
      const image = await newestImage(host);
      for (let i = 0; i < 3; i++) {
        await host.call("s", A, "RunInstances", {
          ImageId: image,
          InstanceType: "t3.micro",
          MinCount: 400,
          MaxCount: 400,
          TagSpecifications: [{ ResourceType: "instance", Tags: [{ Key: "team", Value: `r${round}` }] }],
        });
        await host.call("s", A, "CreateKeyPair", { KeyName: `k${round}-${i}` });
        await host.advance("s", 45_000); // instances go running on the clock: timers fired by the host
      }
    };
    const stored = async () => {
      const store = await JournalStore.open(dir);
      const loaded = await store.load("s");
      const events = (await store.readEntries("s", 1)).map((e) => e.event as EventEnvelope);
      await store.close();
      return { snapshot: loaded.snapshot, events };
    };
    let host = await open(true);
    await host.create("s", { seed: "worker", paused: true });
    await life(host, 1);
    await host.close();
    // Even the first snapshot of a sandbox that grew large in this process is the worker's (the
    // decision is made on an estimate before encoding)...
    expect(host.lastSnapshot?.encodedOn).toBe("worker");
    expect(host.metrics().snapshots).toMatchObject({ onWorker: 1, onLoop: 0, largeOnLoop: 0 });
    const firstLarge = await stored();
    expect(firstLarge.snapshot?.state).toEqual(
      JSON.parse(JSON.stringify(snapshotState(Sandbox.replay(firstLarge.events, { seed: "worker" })))),
    );
    host = await open(true);
    await life(host, 2);
    await host.setClock("s", { speed: 60, paused: false });
    await host.close(); // records where the clock stopped, then the close snapshot
    // ...a large sandbox loaded from its snapshot is followed from its load.
    expect(host.lastSnapshot?.encodedOn).toBe("worker");
    const second = await stored();
    expect(second.snapshot?.seq).toBe(host.lastSnapshot!.seq);
    expect(second.events.at(-1)?.seq).toBe(host.lastSnapshot!.seq);
    const replayed = Sandbox.replay(second.events, { seed: "worker" });
    expect(second.snapshot?.state).toEqual(JSON.parse(JSON.stringify(snapshotState(replayed))));

    // The same sandbox with the encoding kept on the event loop: the same snapshot.
    host = await open(false);
    await host.call("s", A, "DeleteKeyPair", { KeyName: "k1-0" });
    await host.close();
    expect(host.lastSnapshot?.encodedOn).toBe("loop");
    expect(host.metrics().snapshots.largeOnLoop).toBe(1); // what an operator would see of it
    const third = await stored();
    expect(third.snapshot?.state).toEqual(
      JSON.parse(JSON.stringify(snapshotState(Sandbox.replay(third.events, { seed: "worker" })))),
    );
  }, 120_000);

  it("a store told to compact on snapshot drops the history; events() then answers EventsCompacted (410) for it", async () => {
    const dir = await mkdtemp(join(tmpdir(), "ec2sim-host-snap-"));
    dirs.push(dir);
    let host = new SandboxHost({
      store: await JournalStore.open(dir, { compactOnSnapshot: true }),
      tickMs: 0,
      snapshotEvery: 0,
      snapshotOnCloseMin: 1,
    });
    await host.create("s", { seed: "compact", paused: true });
    const image = await newestImage(host);
    for (let i = 0; i < 5; i++)
      await host.call("s", A, "RunInstances", { ImageId: image, InstanceType: "t3.micro", MinCount: 1, MaxCount: 1 });
    const fullLog = (await host.events("s")).events;
    await host.close(); // snapshot on close, compacting
    host = new SandboxHost({ store: await JournalStore.open(dir), tickMs: 0, snapshotEvery: 0, snapshotOnCloseMin: 0 });
    const err = await host.events("s").catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "InvalidSandbox.EventsCompacted", httpStatus: 410 });
    expect((err as Error).message).toContain(`up to seq ${fullLog.at(-1)!.seq}`);
    expect((await host.events("s", undefined, fullLog.at(-1)!.seq)).events).toEqual([]);
    await host.close();
  }, 60_000);
});
