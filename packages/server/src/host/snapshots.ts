/**
 * Snapshots of hosted sandboxes. A sandbox loads from its store's snapshot (core's `snapshotState`
 * format) plus the entries after it, else by replaying its whole journal. A snapshot is saved
 * every `every` durable events and on close, at the durable seq, encoded by the snapshot worker
 * (snapshot-follower.ts) off the event loop; where the worker cannot (not following that sandbox:
 * a small one, or a large one before its first snapshot in this process), the state is encoded
 * here, synchronously, as before — then handed to the store once every event folded into it is
 * durable. A snapshot encoded here that turns out large (`FOLLOW_BYTES`) seeds the worker's
 * follower of that sandbox, so the next ones are made off the event loop; small sandboxes never
 * start the worker (a thread with its own copy of core costs ~20 MiB at rest). Who may save is the executor's call (on a shared
 * store only the replica holding the clock lease).
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

/** A sandbox whose snapshot is at least this large (JSON bytes, ~1,000 instances) is followed by the worker. */
export const FOLLOW_BYTES = 1_000_000;

/** The last snapshot saved: its sandbox, seq, where it was encoded, the encode and the store's save (ms). */
export interface SnapshotTiming {
  sandbox: string;
  seq: number;
  /** "worker": off the event loop (`encodeMs` is the wait for it); "loop": on the event loop (`encodeMs` it was blocked). */
  encodedOn: "worker" | "loop";
  encodeMs: number;
  saveMs: number;
}

export class Snapshots<H extends Hosted> {
  last: SnapshotTiming | undefined;

  constructor(private readonly policy: SnapshotPolicy<H>) {}

  /** After events became durable: a snapshot once `every` have accrued (after the answers go out). */
  soon(h: H): void {
    const { every } = this.policy;
    if (every <= 0 || h.snapshotting || h.durableSeq - h.snapshotSeq < every) return;
    h.snapshotting = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => this.save(h))
      .finally(() => (h.snapshotting = undefined));
  }

  async save(h: H): Promise<void> {
    if (h.broken || !this.policy.mayTake(h)) return;
    const t0 = performance.now();
    let made: { seq: number; state: unknown; encodedOn: SnapshotTiming["encodedOn"] } | undefined =
      await this.offLoop(h);
    // Encoded here when the worker cannot; a large one seeds the worker's follower for the next ones.
    made ??= { ...this.onLoop(h), encodedOn: "loop" };
    const { seq, state, encodedOn } = made;
    const encodeMs = performance.now() - t0;
    try {
      await h.tail; // everything folded into it is durable (or the save is skipped)
      if (h.broken || h.durableSeq < seq || seq <= h.snapshotSeq) return;
      const t1 = performance.now();
      await this.policy.store.saveSnapshot(h.name, seq, state);
      h.snapshotSeq = Math.max(h.snapshotSeq, seq);
      this.last = { sandbox: h.name, seq, encodedOn, encodeMs, saveMs: performance.now() - t1 };
    } catch (e) {
      this.policy.log(`sandbox "${h.name}": saving a snapshot at seq ${seq} failed`, e);
    }
  }

  /** The snapshot of the state as it is, encoded on the event loop; a large one starts the worker following it. */
  private onLoop(h: H): { seq: number; state: unknown } {
    const state = snapshotState(h.sb);
    const follower = this.policy.follower;
    if (!follower || follower.follows(h.name)) return { seq: state.seq, state };
    const json = JSON.stringify(state);
    // Seeded at once (no await since the encode), and only from durable state: every event after
    // state.seq reaches it after the seed, and none it holds can be taken back.
    if (json.length >= FOLLOW_BYTES && state.seq <= h.durableSeq)
      follower.seed(h.name, h.meta.config as SandboxConfig, { snapshot: { seq: state.seq, state, json }, entries: [] });
    return { seq: state.seq, state: new SnapshotJson(Buffer.from(json, "utf8")) };
  }

  /** The snapshot at the durable seq from the worker, or nothing when it cannot (encode here then). */
  private async offLoop(h: H): Promise<{ seq: number; state: unknown; encodedOn: "worker" } | undefined> {
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
