/**
 * How a host runs commands on its sandboxes and makes their events durable. There are two ways,
 * chosen once by the store (`executorFor`):
 *
 * - `SoleExecutor` (sole-executor.ts): this process is the store's only writer (the journal, the
 *   memory store). Commands run at once, one after another, and their appends are pipelined.
 * - `ReplicaExecutor` (replica-executor.ts): replicas share the store (PostgreSQL). Commands queue
 *   per sandbox and run in batches under the store's write lock, on state caught up with the
 *   other replicas; their events reach this replica through a subscription.
 *
 * Both are a `SandboxExecutor`; what they share — loading a sandbox, evicting it when the store
 * fails it, the clock re-anchor and marks, snapshots, the close — is `BaseExecutor`.
 */
import type { EventEnvelope, Sandbox } from "@ec2sim/core";
import { type LoadedSandbox, type SandboxMeta, type SandboxStore, StoreNotFoundError } from "../store/store.ts";
import { ClockMarker } from "./clock.ts";
import { sandboxNotFound, serviceUnavailable } from "./errors.ts";
import type { ExecutorOptions, Hosted, HostedView, Mutation, SandboxConfig } from "./hosted.ts";
import { SandboxRegistry } from "./registry.ts";
import { SnapshotFollower } from "./snapshot-follower.ts";
import { eventBytes, FOLLOW_BYTES, rebuild, type SnapshotCounts, Snapshots, type SnapshotTiming } from "./snapshots.ts";

/** What the host asks of an executor; sandboxes are named, the executor keeps their records. */
export interface SandboxExecutor {
  /** The sandbox in memory, loading it from the store on first use. */
  load(name: string): Promise<Sandbox>;
  /** The loaded sandbox for synchronous reads (credential lookups), if it is in memory. */
  peek(name: string): Sandbox | undefined;
  /** Hosts a sandbox just created in the store (`sb` empty); `setup` is its first command. */
  adopt(meta: SandboxMeta, sb: Sandbox, setup: Mutation<void>): Promise<void>;
  /** Runs `fn` under the ordering and durability rules; `read`: it only reads (served while writes fail). */
  run<T>(name: string, fn: Mutation<T>, read?: boolean): Promise<T>;
  /**
   * `run`, synchronously when the sandbox is loaded (it was awaited with `load`): `fn` starts
   * before this returns, as the RSA key hand-off needs.
   */
  runLoaded<T>(name: string, fn: Mutation<T>): Promise<T>;
  /** The sandbox once everything issued is durable; `current`: caught up with the store first (info). */
  view(name: string, current: boolean): Promise<HostedView>;
  /** Before the store deletes it: waits for its appends and lets it go. */
  forget(name: string): Promise<void>;
  /** Fires due transitions in every loaded sandbox (the ticker). */
  tick(): void;
  /** Records where running clocks stopped, waits for every pending write, saves close snapshots. */
  close(): Promise<void>;
  readonly lastSnapshot: SnapshotTiming | undefined;
  /** Snapshots saved, by where they were encoded (the admin metrics). */
  readonly snapshotCounts: SnapshotCounts;
}

/**
 * How often a command is run again on fresh state after another writer appended first; each retry
 * reloads the sandbox after a short random pause (so two replicas do not keep colliding in step).
 */
export const CONFLICT_RETRIES = 8;

export abstract class BaseExecutor<H extends Hosted> implements SandboxExecutor {
  protected readonly store: SandboxStore;
  protected readonly realNow: () => number;
  protected readonly log: (message: string, error?: unknown) => void;
  private readonly tell: ExecutorOptions["tell"];
  protected readonly registry = new SandboxRegistry<H>();
  protected readonly clockMarks: ClockMarker;
  protected readonly snapshots: Snapshots<H>;
  /** The snapshot worker's main side, unless snapshots are encoded on the event loop. */
  private readonly follower: SnapshotFollower | undefined;
  private readonly sandboxOptions: ExecutorOptions["sandboxOptions"];
  private readonly isClosed: () => boolean;

  constructor(options: ExecutorOptions) {
    this.store = options.store;
    this.realNow = options.realNow;
    this.log = options.log;
    const saves = options.snapshotEvery > 0 || options.snapshotOnCloseMin > 0;
    const follower = saves && options.snapshotWorker ? new SnapshotFollower(options.log) : undefined;
    this.follower = follower;
    this.tell = options.tell;
    this.sandboxOptions = options.sandboxOptions;
    this.isClosed = options.isClosed;
    this.clockMarks = new ClockMarker(options.store, options.clockMarkMs, options.realNow, options.log);
    this.snapshots = new Snapshots({
      store: options.store,
      log: options.log,
      every: options.snapshotEvery,
      onCloseMin: options.snapshotOnCloseMin,
      mayTake: (h) => this.mayTakeSnapshot(h),
      ...(follower ? { follower } : {}),
    });
  }

  // ── what each mode does its own way ───────────────────────────────────────────────────────

  /** Runs `fn` on `h` under the mode's rules; durable when it resolves. */
  protected abstract execute<T>(h: H, fn: Mutation<T>, read?: boolean): Promise<T>;
  /** The mode's record around a freshly built sandbox. */
  protected abstract make(base: Hosted): H;
  /** After a load from the store: the clock re-anchor, registering as host. */
  protected abstract loaded(h: H, stored: LoadedSandbox): Promise<void>;
  /** A sandbox just created: registering as host. */
  protected abstract created(h: H): Promise<void>;
  /** One sandbox's turn of the ticker. */
  protected abstract tickOne(h: H): void;
  /** The mode's part of evicting a broken sandbox. */
  protected abstract broke(h: H, error: Error): void;
  /** The mode's part of letting a deleted sandbox go (`h` if it was loaded). */
  protected abstract forgot(name: string, h: H | undefined): void;
  /** On close, once every append settled: what the mode still has in flight. */
  protected abstract settle(h: H): Promise<void>;
  protected abstract mayTakeSnapshot(h: H): boolean;
  abstract view(name: string, current: boolean): Promise<HostedView>;

  // ── shared ──────────────────────────────────────────────────────────────────────────────────

  get lastSnapshot(): SnapshotTiming | undefined {
    return this.snapshots.last;
  }

  get snapshotCounts(): SnapshotCounts {
    return { ...this.snapshots.counts };
  }

  /**
   * Events `h` folded, once durable (its own, or for replicas other replicas' too), in seq order:
   * to the host's listeners, the snapshot estimate and the worker's follower.
   */
  protected told(h: H, events: readonly EventEnvelope[]): void {
    this.snapshots.grew(h, events);
    this.follower?.follow(h.name, events);
    this.tell(h.name, events);
  }

  async load(name: string): Promise<Sandbox> {
    return (await this.hosted(name)).sb;
  }

  peek(name: string): Sandbox | undefined {
    return this.registry.readyOne(name)?.sb;
  }

  async adopt(meta: SandboxMeta, sb: Sandbox, setup: Mutation<void>): Promise<void> {
    const h = this.make({
      name: meta.name,
      meta,
      sb,
      issuedSeq: 0,
      durableSeq: 0,
      tail: Promise.resolve(),
      snapshotSeq: 0,
    });
    await this.created(h);
    this.registry.put(h);
    await this.execute(h, setup);
  }

  run<T>(name: string, fn: Mutation<T>, read = false): Promise<T> {
    return this.hosted(name).then((h) => this.execute(h, fn, read));
  }

  runLoaded<T>(name: string, fn: Mutation<T>): Promise<T> {
    const h = this.registry.current(name);
    return h ? this.execute(h, fn) : this.run(name, fn);
  }

  async forget(name: string): Promise<void> {
    this.checkOpen();
    const p = this.registry.pending(name);
    const h = p ? await p.catch(() => undefined) : undefined;
    if (h) await h.tail.catch(() => undefined);
    this.forgot(name, h);
    this.follower?.drop(name);
    this.registry.drop(name);
  }

  tick(): void {
    if (this.isClosed()) return;
    for (const [, p] of this.registry.entries()) {
      p.then(
        (h) => {
          if (!h.broken && !this.isClosed()) this.tickOne(h);
        },
        () => undefined,
      );
    }
  }

  async close(): Promise<void> {
    const settled = await Promise.allSettled(this.registry.loads());
    const hosts = settled.flatMap((r) => (r.status === "fulfilled" ? [r.value] : []));
    await Promise.allSettled(hosts.map((h) => this.restClock(h)));
    await Promise.allSettled(hosts.map((h) => h.tail));
    for (const h of hosts) await this.settle(h);
    await this.snapshots.onClose(hosts);
    await this.follower?.close();
  }

  protected get closed(): boolean {
    return this.isClosed();
  }

  protected checkOpen(): void {
    if (this.isClosed()) throw serviceUnavailable("the server is shutting down");
  }

  protected hosted(name: string): Promise<H> {
    this.checkOpen();
    return this.registry.get(name, () => this.loadFromStore(name));
  }

  /** The sandbox reloaded from the store, in place of `h` (evicted after a conflict or a fault). */
  protected async rehost(h: H, attempt: number): Promise<H> {
    await new Promise((r) => setTimeout(r, Math.random() * 5 * attempt));
    await this.registry.release(h);
    return this.hosted(h.name);
  }

  /** Marks `h` broken and evicts it: it reloads from the store's durable state on next use. */
  protected breakHosted(h: H, error: Error): void {
    if (h.broken) return;
    h.broken = error;
    this.broke(h, error);
    this.follower?.drop(h.name); // it may hold events of this state the store never took: seeded again on reload
    h.tail = Promise.reject(serviceUnavailable(`sandbox '${h.name}' lost its journal`));
    h.tail.catch(() => undefined);
    this.log(`sandbox "${h.name}": ${error.message}; evicted from memory, it reloads from its durable journal`);
    this.registry.evict(h);
  }

  /**
   * A clean close records the moment a running clock came to rest (a ClockChanged at the
   * simulated now) and marks it exactly, so the next load resumes where the clock stood — not at
   * the last event, which may be long before what everyone watching saw.
   */
  private async restClock(h: H): Promise<void> {
    if (h.broken || h.sb.state.clock.paused) return;
    try {
      await this.execute(h, (sb) => ({ output: undefined, events: sb.setClock({}) }));
      await this.store.markClock?.(h.name, h.sb.state.now);
    } catch (e) {
      this.log(`sandbox "${h.name}": could not record where its clock stopped`, e);
    }
  }

  private async loadFromStore(name: string): Promise<H> {
    let stored: LoadedSandbox;
    try {
      stored = await this.store.load(name);
    } catch (e) {
      if (e instanceof StoreNotFoundError) throw sandboxNotFound(name);
      this.log(`sandbox "${name}": cannot load`, e);
      throw serviceUnavailable(`sandbox '${name}' cannot be loaded (${e instanceof Error ? e.name : "error"})`);
    }
    const config = stored.meta.config as SandboxConfig;
    const envelopes = stored.entries.map((e) => e.event as EventEnvelope);
    const sb = rebuild(name, config, stored.snapshot, envelopes, {
      realNow: this.realNow,
      log: this.log,
      ...this.sandboxOptions,
    });
    if (sb.state.clockRepairs)
      this.log(
        `warning: sandbox "${name}": ${sb.state.clockRepairs} event(s) of its log hold times beyond the clock's bounds (written by an earlier version); they were loaded at the last valid time, ${new Date(sb.state.now).toISOString()}`,
      );
    const last = stored.entries.at(-1)?.seq ?? stored.snapshot?.seq ?? 0;
    if (sb.state.seq !== last)
      throw serviceUnavailable(`sandbox '${name}' replayed to seq ${sb.state.seq}, but its journal ends at ${last}`);
    const h = this.make({
      name,
      meta: stored.meta,
      sb,
      issuedSeq: last,
      durableSeq: last,
      tail: Promise.resolve(),
      snapshotSeq: stored.snapshot?.seq ?? 0,
      ...(stored.snapshot?.json !== undefined ? { snapshotBytes: stored.snapshot.json.length } : {}),
    });
    // A large sandbox is followed from its load (its stored snapshot's text is cheap to hand over);
    // a small one once the estimate of its snapshot says it grew large (snapshots.ts), counting
    // from the events loaded after its snapshot.
    if ((stored.snapshot?.json?.length ?? 0) >= FOLLOW_BYTES) this.follower?.seed(name, config, stored);
    else if (this.follower) h.grownBytes = eventBytes(envelopes);
    await this.loaded(h, stored);
    return h;
  }
}
