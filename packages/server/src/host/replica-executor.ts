/**
 * The executor of a store several replicas share (PostgreSQL, issue #8).
 *
 * - Replicas take turns: commands queue per sandbox and run in batches under the store's
 *   per-sandbox write lock (`appendExclusive`), on state caught up with what other replicas
 *   committed (`missed`), so replicas do not conflict and a ClientToken retried on another replica
 *   answers the first result. Answers go out after the commit.
 * - Live sharing: other replicas' events arrive through `store.subscribe`, are folded and told to
 *   the listeners (the WebSocket fan-out) as they commit.
 * - The clock advances once: only the holder of a sandbox's clock lease runs the ticker (and saves
 *   snapshots) for it; a command anywhere still fires what is due first, under the lock, so each
 *   transition is recorded once. Time rests only when nobody hosts: the first replica to host a
 *   resting sandbox (the store's host lease) re-anchors its running clock.
 */
import type { EventEnvelope } from "@ec2sim/core";
import { Ec2Error } from "@ec2sim/core";
import {
  type JournalEntry,
  type LoadedSandbox,
  type SharedSandboxStore,
  StoreCompactedError,
  StoreConflictError,
  StoreNotFoundError,
  StoreUnavailableError,
} from "../store/store.ts";
import { reanchorClock } from "./clock.ts";
import { sandboxNotFound, serviceUnavailable } from "./errors.ts";
import { BaseExecutor, CONFLICT_RETRIES } from "./executor.ts";
import type { ExecutorOptions, Hosted, HostedView, Mutation } from "./hosted.ts";

/** A command waiting for its sandbox's next batch. */
interface Job {
  fn: Mutation<unknown>;
  /** Do not fire due transitions first (the clock re-anchor on load). */
  raw: boolean;
  attempt: number;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

/** A sandbox hosted by a replica. */
interface ReplicaHosted extends Hosted {
  /** Commands waiting for the next batch. */
  queue: Job[];
  /** Whether a batch is in flight. */
  running: boolean;
  /** What the subscription delivered while a batch ran. */
  backlog: JournalEntry[];
  unsubscribe?: () => void;
  /** When this replica last tried to take the clock lease (real ms). */
  clockTriedAt: number;
}

const noop: Mutation<void> = () => ({ output: undefined, events: [] });

export class ReplicaExecutor extends BaseExecutor<ReplicaHosted> {
  private readonly shared: SharedSandboxStore;

  constructor(options: ExecutorOptions & { store: SharedSandboxStore }) {
    super(options);
    this.shared = options.store;
  }

  protected make(base: Hosted): ReplicaHosted {
    return Object.assign(base, { queue: [], running: false, backlog: [], clockTriedAt: 0 });
  }

  protected created(h: ReplicaHosted): Promise<void> {
    return this.share(h, false);
  }

  protected loaded(h: ReplicaHosted, stored: LoadedSandbox): Promise<void> {
    return this.share(h, true, stored.clockMark);
  }

  protected tickOne(h: ReplicaHosted): void {
    void this.clockMarks.mark(h);
    if (!this.ownsClock(h)) return;
    this.execute(h, noop).catch((e) => this.log(`sandbox "${h.name}": clock tick failed`, e));
  }

  /** `current`: catch up with the other replicas first, so lastSeq and the clock are current. */
  async view(name: string, current: boolean): Promise<HostedView> {
    let h = await this.hosted(name);
    if (current) {
      await this.execute(h, noop);
      h = await this.hosted(name);
    }
    await h.tail.catch(() => undefined);
    return h;
  }

  protected broke(h: ReplicaHosted): void {
    h.unsubscribe?.();
    // Commands queued behind the failed batch run on the reloaded sandbox.
    for (const job of h.queue.splice(0))
      this.rehost(h, 0)
        .then((nh) => this.enqueue(nh, job.fn, job.raw, job.attempt + 1))
        .then(job.resolve, job.reject);
  }

  protected forgot(name: string, h: ReplicaHosted | undefined): void {
    h?.unsubscribe?.();
    this.shared.releaseHost(name);
    this.shared.releaseClock(name);
  }

  protected async settle(h: ReplicaHosted): Promise<void> {
    while (h.running) await h.tail; // queued commands form the next batch
    h.unsubscribe?.();
  }

  protected mayTakeSnapshot(h: ReplicaHosted): boolean {
    return this.shared.holdsClock(h.name);
  }

  protected async execute<T>(h: ReplicaHosted, fn: Mutation<T>): Promise<T> {
    if (h.broken) h = await this.rehost(h, 0); // evicted after a failed batch: reload once
    return this.enqueue(h, fn);
  }

  /**
   * Registers this replica as hosting the sandbox — the first to host a resting sandbox
   * re-anchors its running clock (once for all replicas, under the store's host lease) — and
   * follows the store's stream of its events.
   */
  private async share(h: ReplicaHosted, resume: boolean, clockMark?: number): Promise<void> {
    try {
      await this.shared.claimHost(h.name, async () => {
        if (!resume) return;
        await this.enqueue(
          h,
          (sb) => ({ output: undefined, events: reanchorClock(sb, this.realNow(), clockMark) }),
          true,
        );
      });
    } catch (e) {
      this.log(`sandbox "${h.name}": cannot register as its host`, e);
      throw serviceUnavailable(`sandbox '${h.name}' cannot be loaded (${e instanceof Error ? e.name : "error"})`);
    }
    this.registry.markReady(h);
    h.unsubscribe = this.shared.subscribe(
      h.name,
      h.sb.state.seq,
      (entries) => {
        h.backlog.push(...entries);
        if (!h.running) this.foldBacklog(h);
      },
      (e) => this.breakHosted(h, e),
    );
  }

  /** Folds what the subscription delivered (other replicas' events) and tells the listeners. */
  private foldBacklog(h: ReplicaHosted): void {
    const entries = h.backlog;
    h.backlog = [];
    if (h.broken) return;
    const fresh: EventEnvelope[] = [];
    let next = h.sb.state.seq + 1;
    for (const e of entries) {
      if (e.seq < next) continue; // folded already (our own, or caught up under the lock)
      if (e.seq > next) {
        // A gap (cannot happen with an ordered stream, but never fold across one): catch up under the lock.
        this.execute(h, noop).catch(() => undefined);
        break;
      }
      fresh.push(e.event as EventEnvelope);
      next++;
    }
    this.foldRemote(h, fresh);
  }

  private foldRemote(h: ReplicaHosted, events: EventEnvelope[]): void {
    if (!events.length) return;
    h.sb.apply(events);
    h.issuedSeq = h.durableSeq = h.sb.state.seq;
    this.told(h, events);
  }

  /** Whether this replica fires the sandbox's timers now (holds its clock lease); tries to take a free lease now and then. */
  private ownsClock(h: ReplicaHosted): boolean {
    if (this.shared.holdsClock(h.name)) {
      const next = h.sb.state.timers.peek();
      return !!next && next.at <= h.sb.now;
    }
    const now = Date.now();
    if (now - h.clockTriedAt >= 1_000) {
      h.clockTriedAt = now;
      this.shared.claimClock(h.name).catch(() => undefined);
    }
    return false;
  }

  /**
   * Queues a command for the sandbox's next batch. A batch runs under the store's write lock:
   * fold what others committed, run every queued command (firing due transitions first), append
   * their events, commit; answers go out once durable. A batch whose append fails after its
   * commands changed the state evicts the sandbox (it reloads from the store); its commands run
   * again on the fresh state after a conflict (up to CONFLICT_RETRIES), else answer
   * ServiceUnavailable.
   */
  private enqueue<T>(h: ReplicaHosted, fn: Mutation<T>, raw = false, attempt = 0): Promise<T> {
    if (h.broken)
      return Promise.reject(serviceUnavailable(`sandbox '${h.name}' lost its journal (${h.broken.message})`));
    return new Promise<T>((resolve, reject) => {
      h.queue.push({ fn, raw, attempt, resolve: resolve as (v: unknown) => void, reject });
      this.drain(h);
    });
  }

  private drain(h: ReplicaHosted): void {
    if (h.running || !h.queue.length) return;
    h.running = true;
    const jobs = h.queue.splice(0);
    const results: { ok: boolean; value: unknown }[] = [];
    const own: EventEnvelope[] = [];
    let built = false;
    const batch = this.shared.appendExclusive(h.name, h.sb.state.seq, (missed) => {
      built = true;
      if (h.broken) throw h.broken;
      this.foldRemote(
        h,
        missed.map((e) => e.event as EventEnvelope),
      );
      const base = h.sb.state.seq;
      for (const job of jobs) {
        try {
          if (!job.raw) own.push(...h.sb.sync());
          const r = job.fn(h.sb);
          own.push(...r.events);
          results.push({ ok: true, value: r.output });
        } catch (e) {
          const carried = (e as { events?: EventEnvelope[] } | null)?.events;
          if (Array.isArray(carried)) own.push(...carried);
          results.push({ ok: false, value: e });
        }
      }
      const contiguous = own.every((e, i) => e.seq === base + 1 + i) && h.sb.state.seq === base + own.length;
      if (!contiguous)
        throw new Error(
          `events ${own[0]?.seq}..${own.at(-1)?.seq} do not follow seq ${base} (state at ${h.sb.state.seq})`,
        );
      h.issuedSeq = h.sb.state.seq;
      return own.map((e) => ({ seq: e.seq, event: e }));
    });
    h.tail = batch.catch(() => undefined);
    batch
      .then(
        () => {
          h.durableSeq = h.issuedSeq;
          this.snapshots.soon(h);
          if (own.length) this.told(h, own);
          jobs.forEach((job, i) => {
            if (results[i]!.ok) job.resolve(results[i]!.value);
            else job.reject(results[i]!.value);
          });
        },
        (e: unknown) => {
          const err = e instanceof Error ? e : new Error(String(e));
          // Nothing of this batch was acknowledged. If its commands changed the state, that state is
          // not the store's: evict it (reloaded on next use).
          // Entries this replica missed were compacted by another replica's snapshot: reload from it.
          const compacted = err instanceof StoreCompactedError;
          const polluted = own.length > 0 || compacted || (built && h.sb.state.seq !== h.durableSeq);
          if (polluted) this.breakHosted(h, err);
          const again = err instanceof StoreConflictError || compacted;
          for (const job of jobs) {
            if (again && job.attempt < CONFLICT_RETRIES && !this.closed) {
              const retry = polluted ? this.rehost(h, job.attempt + 1) : Promise.resolve(h);
              retry.then((nh) => this.enqueue(nh, job.fn, job.raw, job.attempt + 1)).then(job.resolve, job.reject);
            } else if (err instanceof StoreNotFoundError) job.reject(sandboxNotFound(h.name));
            else if (err instanceof StoreUnavailableError)
              job.reject(serviceUnavailable("its store cannot be reached"));
            else if (err instanceof Ec2Error) job.reject(err);
            else {
              this.log(`sandbox "${h.name}": a batch failed`, err);
              job.reject(serviceUnavailable(`sandbox '${h.name}' could not persist a change`));
            }
          }
        },
      )
      .finally(() => {
        h.running = false;
        if (!h.broken) this.foldBacklog(h);
        this.drain(h);
      });
  }
}
