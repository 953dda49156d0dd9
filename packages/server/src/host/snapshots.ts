/**
 * Snapshots of hosted sandboxes. A sandbox loads from its store's snapshot (core's `snapshotState`
 * format) plus the entries after it, else by replaying its whole journal. A snapshot is saved
 * every `every` durable events and on close, at the durable seq — then handed to the store once
 * every event folded into it is durable.
 *
 * Where it is encoded is decided before encoding, on an estimate of its size: the last snapshot's
 * JSON bytes plus `GROWTH_PER_EVENT_BYTE` times the JSON bytes of the durable events since. A
 * sandbox estimated at `FOLLOW_BYTES` or more is encoded by the snapshot worker
 * (snapshot-follower.ts), off the event loop; the worker starts following it from the store (its
 * snapshot and the events after it) as soon as the estimate crosses, so a sandbox that grows
 * large in this process has even its first large snapshot made there. Small ones are encoded
 * here, synchronously (cheap, and they never start the worker: a thread with its own copy of core
 * costs ~20 MiB at rest). Should the estimate miss (or the worker be unable), a large snapshot
 * encoded here seeds the worker for the next ones; `counts.largeOnLoop` tells an operator whether
 * that ever happened (GET /_ec2sim/metrics). Who may save is the executor's call (on a shared store
 * only the replica holding the clock lease).
 */
import { type EventEnvelope, Sandbox, type SandboxOptions, type SandboxSnapshot, snapshotState } from "@ec2sim/core";
import { type SandboxStore, SnapshotJson } from "../store/store.ts";
import { serviceUnavailable } from "./errors.ts";
import type { Hosted, SandboxConfig } from "./hosted.ts";
import type { SnapshotFollower } from "./snapshot-follower.ts";

/** The sandbox from its snapshot and the entries after it, or from the whole journal. */
export function rebuild(
  name: string,
  config: SandboxConfig,
  snapshot: { seq: number; state: unknown } | undefined,
  envelopes: EventEnvelope[],
  options: Omit<SandboxOptions, "seed" | "start"> & { log: (message: string, error?: unknown) => void },
): Sandbox {
  const { log, ...sandboxOptions } = options;
  if (!snapshot)
    return Sandbox.replay(envelopes, {
      ...sandboxOptions,
      seed: config.seed,
      ...(config.start !== undefined ? { start: config.start } : {}),
    });
  let sb: Sandbox;
  try {
    sb = Sandbox.fromSnapshot(snapshot.state as SandboxSnapshot, { ...sandboxOptions, seed: config.seed });
  } catch (e) {
    log(`sandbox "${name}": cannot read its snapshot`, e);
    throw serviceUnavailable(
      `sandbox '${name}' has a snapshot this server cannot read (${e instanceof Error ? e.message : String(e)})`,
    );
  }
  if (sb.state.seq !== snapshot.seq)
    throw serviceUnavailable(`sandbox '${name}' has a snapshot of seq ${sb.state.seq} stored as seq ${snapshot.seq}`);
  sb.apply(envelopes);
  return sb;
}

export interface SnapshotPolicy<H extends Hosted> {
  store: SandboxStore;
  log: (message: string, error?: unknown) => void;
  /** Save once this many events became durable since the last snapshot; 0 never. */
  every: number;
  /** On close, save when at least this many events came since the last snapshot; 0 never. */
  onCloseMin: number;
  /** Whether this process may save `h`'s snapshot now. */
  mayTake: (h: H) => boolean;
  /** The worker that encodes off the event loop; none: encode on it. */
  follower?: SnapshotFollower;
}

/** A sandbox whose snapshot is (estimated) at least this large (JSON bytes, ~450 instances) is followed by the worker. */
export const FOLLOW_BYTES = 1_000_000;

/**
 * How many bytes a snapshot grows, at most, per byte of the events that grew it. State only grows
 * by events; measured: RunInstances adds ~2.3 KB of snapshot per ~1.5 KB of event (1.6), a volume
 * 1.1, tags replacing tags ~0. Over-estimating only starts the worker early (memory); under-
 * estimating would stall the event loop, so the factor is rounded up.
 */
export const GROWTH_PER_EVENT_BYTE = 2;

/** The estimated JSON size of `h`'s next snapshot, known before encoding it. */
export function estimatedSnapshotBytes(h: Hosted): number {
  return (h.snapshotBytes ?? 0) + GROWTH_PER_EVENT_BYTE * (h.grownBytes ?? 0);
}

/** JSON bytes of events (UTF-16 units: close enough for an estimate). */
export function eventBytes(events: readonly EventEnvelope[]): number {
  return events.length ? JSON.stringify(events).length : 0;
}

/** The last snapshot saved: its sandbox, seq, size, where it was encoded, the encode and the store's save (ms). */
export interface SnapshotTiming {
  sandbox: string;
  seq: number;
  /** Its JSON bytes. */
  bytes: number;
  /** "worker": off the event loop (`encodeMs` is the wait for it); "loop": on the event loop (`encodeMs` it was blocked). */
  encodedOn: "worker" | "loop";
  encodeMs: number;
  saveMs: number;
}

/** Snapshots saved by this process, by where they were encoded: what an operator reads to see the event loop kept free. */
export interface SnapshotCounts {
  onWorker: number;
  onLoop: number;
  /** Encoded on the event loop although at least `FOLLOW_BYTES` (a stall the estimate should have avoided). */
  largeOnLoop: number;
}

export class Snapshots<H extends Hosted> {
  last: SnapshotTiming | undefined;
  readonly counts: SnapshotCounts = { onWorker: 0, onLoop: 0, largeOnLoop: 0 };

  constructor(private readonly policy: SnapshotPolicy<H>) {}

  /**
   * Events of `h` made durable (every batch, in order): its next snapshot's estimate grows, and
   * once it reaches `FOLLOW_BYTES` the worker starts following it, ahead of its next snapshot.
   */
  grew(h: H, events: readonly EventEnvelope[]): void {
    const follower = this.policy.follower;
    if (!follower || h.broken || follower.follows(h.name) || follower.seedingFromStore(h.name)) return;
    h.grownBytes = (h.grownBytes ?? 0) + eventBytes(events);
    if (estimatedSnapshotBytes(h) >= FOLLOW_BYTES && this.policy.mayTake(h)) void this.followFromStore(h);
  }

  /** Starts (or joins) the worker's following of `h` from the store; true once it follows. */
  private followFromStore(h: H): Promise<boolean> {
    const follower = this.policy.follower;
    if (!follower) return Promise.resolve(false);
    return follower.seedFromStore(h.name, h.meta.config as SandboxConfig, () => this.policy.store.load(h.name));
  }

  /** After events became durable: a snapshot once `every` have accrued (after the answers go out). */
  soon(h: H): void {
    const { every } = this.policy;
    if (every <= 0 || h.snapshotting || h.durableSeq - h.snapshotSeq < every) return;
    h.snapshotting = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => this.save(h))
      .finally(() => {
        h.snapshotting = undefined;
        // Events that became durable during the save asked for none (one was running): ask again.
        this.soon(h);
      });
  }

  async save(h: H): Promise<void> {
    if (h.broken || !this.policy.mayTake(h)) return;
    const t0 = performance.now();
    const grown = h.grownBytes ?? 0;
    // Decided before encoding: a sandbox estimated large is followed (from the store) and encoded there.
    const follower = this.policy.follower;
    if (follower && !follower.follows(h.name) && estimatedSnapshotBytes(h) >= FOLLOW_BYTES)
      await this.followFromStore(h);
    let made: { seq: number; state: SnapshotJson; encodedOn: SnapshotTiming["encodedOn"] } | undefined =
      await this.offLoop(h);
    // Encoded here when the worker cannot (or the sandbox is small); a large one seeds the worker for the next ones.
    made ??= { ...this.onLoop(h), encodedOn: "loop" };
    const { seq, state, encodedOn } = made;
    const encodeMs = performance.now() - t0;
    const bytes = state.bytes.byteLength;
    try {
      await h.tail; // everything folded into it is durable (or the save is skipped)
      if (h.broken || h.durableSeq < seq || seq <= h.snapshotSeq) return;
      const t1 = performance.now();
      await this.policy.store.saveSnapshot(h.name, seq, state);
      h.snapshotSeq = Math.max(h.snapshotSeq, seq);
      h.snapshotBytes = bytes;
      h.grownBytes = Math.max(0, (h.grownBytes ?? 0) - grown);
      if (encodedOn === "worker") this.counts.onWorker++;
      else this.counts.onLoop++;
      if (encodedOn === "loop" && bytes >= FOLLOW_BYTES) this.counts.largeOnLoop++;
      this.last = { sandbox: h.name, seq, bytes, encodedOn, encodeMs, saveMs: performance.now() - t1 };
    } catch (e) {
      this.policy.log(`sandbox "${h.name}": saving a snapshot at seq ${seq} failed`, e);
    }
  }

  /** The snapshot of the state as it is, encoded on the event loop; a large one starts the worker following it. */
  private onLoop(h: H): { seq: number; state: SnapshotJson } {
    const state = snapshotState(h.sb);
    const follower = this.policy.follower;
    // The store would stringify it anyway; done here, its size is known (the estimate's next base).
    const json = JSON.stringify(state);
    const text = new SnapshotJson(Buffer.from(json, "utf8"));
    if (!follower || follower.follows(h.name) || follower.seedingFromStore(h.name))
      return { seq: state.seq, state: text };
    // Seeded at once (no await since the encode), and only from durable state: every event after
    // state.seq reaches it after the seed, and none it holds can be taken back.
    if (json.length >= FOLLOW_BYTES && state.seq <= h.durableSeq)
      follower.seed(h.name, h.meta.config as SandboxConfig, { snapshot: { seq: state.seq, state, json }, entries: [] });
    return { seq: state.seq, state: text };
  }

  /** The snapshot at the durable seq from the worker, or nothing when it cannot (encode here then). */
  private async offLoop(h: H): Promise<{ seq: number; state: SnapshotJson; encodedOn: "worker" } | undefined> {
    const follower = this.policy.follower;
    if (!follower?.follows(h.name) || h.durableSeq <= h.snapshotSeq) return undefined;
    const seq = h.durableSeq;
    try {
      return { seq, state: new SnapshotJson(await follower.encode(h.name, seq)), encodedOn: "worker" };
    } catch (e) {
      this.policy.log(`sandbox "${h.name}": the snapshot worker could not encode seq ${seq}; encoding here`, e);
      return undefined;
    }
  }

  /** On close: waits for saves in progress, then saves where enough events came since the last one. */
  async onClose(hosts: readonly H[]): Promise<void> {
    for (const h of hosts) {
      await h.snapshotting;
      const min = this.policy.onCloseMin;
      if (min > 0 && !h.broken && h.durableSeq - h.snapshotSeq >= min) await this.save(h);
    }
  }
}
