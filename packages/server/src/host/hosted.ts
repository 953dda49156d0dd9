/** A sandbox held in memory by an executor, and what every executor is built with. */
import type { EventEnvelope, KeyMaterial, Sandbox } from "@ec2sim/core";
import type { SandboxMeta, SandboxStore } from "../store/store.ts";

/** What a sandbox's metadata `config` holds. */
export interface SandboxConfig {
  seed: string;
  /** Simulated start (epoch ms); core's default epoch when absent. */
  start?: number;
}

/** One hosted sandbox: its state and how far its events reached the store. */
export interface Hosted {
  readonly name: string;
  readonly meta: SandboxMeta;
  readonly sb: Sandbox;
  /** Last seq handed to the store. */
  issuedSeq: number;
  /** Last seq known durable. */
  durableSeq: number;
  /** Resolves when everything issued so far is durable; rejects once an append failed. */
  tail: Promise<void>;
  /** Set once its store failed it: it is evicted and reloads on next use. */
  broken?: Error;
  /** Seq of the snapshot it was loaded from or last saved (0: none). */
  snapshotSeq: number;
  /** JSON bytes of the snapshot it was loaded from or last saved, when known (what the next one's estimate starts from). */
  snapshotBytes?: number;
  /** JSON bytes of the durable events since that snapshot, counted while the snapshot worker does not follow it. */
  grownBytes?: number;
  /** A snapshot save in progress. */
  snapshotting?: Promise<void>;
  /** Real ms of the last clock mark. */
  markedAt?: number;
}

/** What readers of a hosted sandbox see (info, events). */
export type HostedView = Pick<Hosted, "meta" | "sb" | "durableSeq">;

/** A change of a loaded sandbox: its answer and the events it produced (already folded). */
export type Mutation<T> = (sb: Sandbox) => { output: T; events: readonly EventEnvelope[] };

export interface ExecutorOptions {
  store: SandboxStore;
  realNow: () => number;
  log: (message: string, error?: unknown) => void;
  /** What every Sandbox is built with: the install secret and the key material. */
  sandboxOptions: { installSecret?: string; keys: KeyMaterial };
  /** Tells the host's listeners of events once durable (or, for replicas, once folded from the store). */
  tell: (sandbox: string, events: readonly EventEnvelope[]) => void;
  /** Whether the host is shutting down (no new loads, no retries). */
  isClosed: () => boolean;
  snapshotEvery: number;
  snapshotOnCloseMin: number;
  /** Encode snapshots on a worker thread (host/snapshot-follower.ts), not on the event loop. */
  snapshotWorker: boolean;
  clockMarkMs: number;
}
