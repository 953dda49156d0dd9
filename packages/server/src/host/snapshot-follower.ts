/**
 * The main side of the snapshot worker (snapshot-worker.ts): encoding a large sandbox's snapshot
 * took seconds of the event loop (10,000 instances: ~2 s to walk the state, ~0.5 s to stringify,
 * measured in bench/endpoint/RESULTS.md), so every client of the server waited. The worker keeps a
 * follower of each hosted sandbox, folded from the same durable events, and encodes it on its own
 * thread. The event loop only copies each durable batch of events to it (and, to seed it, a
 * snapshot's text and the events after it: read from the store when a large sandbox loads or when
 * one hosted here is estimated to have grown large, or, failing both, a snapshot just encoded on the
 * event loop). The cost is memory: a second copy of each followed sandbox's state, which is why
 * only large sandboxes are followed (snapshots.ts). Started on first use, 10 nice levels below the event loop (which comes
 * first); if it cannot start, or a follower is not exactly at the seq asked, the host encodes on
 * the event loop as before.
 */
import type { Worker } from "node:worker_threads";
import type { EventEnvelope } from "@ec2sim/core";
import type { LoadedSandbox } from "../store/store.ts";
import { startWorker } from "../worker-thread.ts";
import type { SandboxConfig } from "./hosted.ts";
import type { FollowerMessage, FollowerReply } from "./snapshot-worker.ts";

export class SnapshotFollower {
  private worker: Worker | undefined;
  private unusable = false;
  private closing = false;
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve: (b: Uint8Array) => void; reject: (e: Error) => void }>();
  /** Sandboxes the worker follows. */
  private readonly followed = new Set<string>();
  /** Sandboxes being seeded from their store: the durable events that come meanwhile, sent once the seed is. */
  private readonly seeding = new Map<string, { held: EventEnvelope[][]; done: Promise<boolean> }>();

  constructor(private readonly log: (message: string, error?: unknown) => void) {}

  /** Whether `name` is followed (an encode may be asked). */
  follows(name: string): boolean {
    return this.followed.has(name) && !this.unusable;
  }

  /** Starts following a sandbox as loaded (or created: no snapshot, no events), replacing any earlier follower. */
  seed(name: string, config: SandboxConfig, stored: Pick<LoadedSandbox, "snapshot" | "entries"> | undefined): void {
    const snapshotJson = stored?.snapshot ? (stored.snapshot.json ?? JSON.stringify(stored.snapshot.state)) : undefined;
    const events = (stored?.entries ?? []).map((e) => e.event as EventEnvelope);
    const sent = this.post({
      type: "seed",
      name,
      seed: config.seed,
      ...(config.start !== undefined ? { start: config.start } : {}),
      ...(snapshotJson !== undefined ? { snapshotJson } : {}),
      events,
    });
    if (sent) this.followed.add(name);
  }

  /**
   * Starts following a sandbox from what its store holds (`load`: its snapshot and the events
   * after it), without encoding anything on the event loop; true once it is followed. Events made
   * durable while the store is read are held and sent after the seed (the worker skips those the
   * read already had), so the follower has no gap: every durable event is in the store's answer or
   * came after the hold began.
   */
  seedFromStore(
    name: string,
    config: SandboxConfig,
    load: () => Promise<Pick<LoadedSandbox, "snapshot" | "entries">>,
  ): Promise<boolean> {
    if (this.follows(name)) return Promise.resolve(true);
    const pending = this.seeding.get(name);
    if (pending) return pending.done;
    if (!this.start()) return Promise.resolve(false);
    const held: EventEnvelope[][] = [];
    const mine = { held, done: Promise.resolve(false) };
    const current = () => this.seeding.get(name) === mine;
    mine.done = load().then(
      (stored) => {
        if (!current()) return false; // dropped (deleted, evicted) while the store was read
        this.seeding.delete(name);
        this.seed(name, config, stored);
        for (const events of held) this.follow(name, events);
        return this.follows(name);
      },
      (e: unknown) => {
        if (current()) this.seeding.delete(name);
        this.log(`sandbox "${name}": cannot read it to start the snapshot worker's follower`, e);
        return false;
      },
    );
    this.seeding.set(name, mine);
    return mine.done;
  }

  /** The seed from the store in progress for `name`, if any. */
  seedingFromStore(name: string): Promise<boolean> | undefined {
    return this.seeding.get(name)?.done;
  }

  /** Events of a followed sandbox, once durable, in seq order. */
  follow(name: string, events: readonly EventEnvelope[]): void {
    const seeding = this.seeding.get(name);
    if (seeding) seeding.held.push([...events]);
    else if (this.followed.has(name)) this.post({ type: "events", name, events });
  }

  drop(name: string): void {
    this.seeding.delete(name);
    if (this.followed.delete(name)) this.post({ type: "drop", name });
  }

  /** The snapshot of `name` at `seq` as UTF-8 JSON, made on the worker's thread. */
  encode(name: string, seq: number): Promise<Uint8Array> {
    const worker = this.worker;
    if (!worker || !this.follows(name)) return Promise.reject(new Error(`sandbox "${name}" is not followed`));
    const id = this.nextId++;
    return new Promise<Uint8Array>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      worker.ref(); // an encode in flight keeps the process alive (a close's snapshot)
      worker.postMessage({ type: "encode", id, name, seq } satisfies FollowerMessage);
    });
  }

  async close(): Promise<void> {
    this.closing = true;
    const w = this.worker;
    this.worker = undefined;
    this.fail(new Error("the snapshot worker was closed"));
    if (w) await w.terminate();
  }

  private post(m: FollowerMessage): boolean {
    const w = this.start();
    if (!w) return false;
    try {
      w.postMessage(m);
      return true;
    } catch (e) {
      this.log("the snapshot worker cannot take a message; snapshots are encoded on the event loop", e);
      this.unusable = true;
      return false;
    }
  }

  private start(): Worker | undefined {
    if (this.worker || this.unusable || this.closing) return this.worker;
    try {
      const w = startWorker(import.meta.url, "snapshot-worker");
      w.on("message", (r: FollowerReply) => {
        const p = this.waiting.get(r.id);
        if (!p) return;
        this.waiting.delete(r.id);
        if (this.waiting.size === 0) w.unref();
        if ("bytes" in r) p.resolve(r.bytes);
        else p.reject(new Error(r.error));
      });
      w.on("error", (e) => {
        this.log("the snapshot worker failed; snapshots are encoded on the event loop", e);
        this.unusable = true;
        this.fail(e);
      });
      w.on("exit", () => {
        if (!this.closing) this.unusable = true;
        this.fail(new Error("the snapshot worker exited"));
      });
      this.worker = w;
      return w;
    } catch (e) {
      this.log("the snapshot worker cannot start; snapshots are encoded on the event loop", e);
      this.unusable = true;
      return undefined;
    }
  }

  private fail(e: Error): void {
    for (const p of this.waiting.values()) p.reject(e);
    this.waiting.clear();
  }
}
