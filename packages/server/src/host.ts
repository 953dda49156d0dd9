/**
 * `SandboxHost`: keeps sandboxes in memory, backed by a `SandboxStore`.
 *
 * - Loading: a sandbox is rebuilt on first use from the store's snapshot (`Sandbox.fromSnapshot`)
 *   plus the journal after it, or by replaying its whole journal (`Sandbox.replay`). Snapshots are
 *   saved every `snapshotEvery` events and on close (see "snapshots" at the end of the class).
 * - Ordering: every command on a sandbox runs to completion synchronously (core is synchronous),
 *   so two commands never interleave; before each one the host fires the transitions that are due
 *   (`sb.sync()`), and the events a command produced are handed to the store in the same tick, in
 *   seq order. Appends are pipelined: the store group-commits appends that arrive while an fsync is
 *   in flight, which is what lets 20 concurrent clients share one fsync.
 * - Durability: a command's answer is released only when every event up to and including the
 *   command's own is durable (`tail`, a promise that resolves in seq order). That holds for reads
 *   too, so no client ever sees a state that a crash could take back.
 * - Failure: if an append fails (a full disk, a read-only directory), the sandbox is marked broken and
 *   evicted from memory; its pending answers are `ServiceUnavailable`. It reloads from the store's
 *   durable state at once, and from then on reads (Describe*, the cost report) answer from that
 *   state — without firing due transitions, which would be writes — while writes answer
 *   `ServiceUnavailable` until the next retry: the first write after it reloads the sandbox again
 *   (the journal store reopens its files then) and runs; retries back off from 250 ms to 5 s.
 * - Time: a real-time ticker calls `sync()` on every loaded sandbox and persists the transitions.
 * - Replicas (a store with `appendExclusive`, i.e. PostgreSQL, issue #8): commands queue per
 *   sandbox and run in batches under the store's per-sandbox write lock, on state caught up with
 *   what other replicas committed (`missed`), so replicas take turns instead of conflicting and a
 *   ClientToken retried on another replica answers the first result. Other replicas' events also
 *   arrive through `store.subscribe` and are folded and told to listeners (the WebSocket fan-out)
 *   as they commit. Only the holder of a sandbox's clock lease runs the ticker for it; a command
 *   anywhere still fires what is due first, under the lock, so each transition is recorded once.
 */
import {
  type CallContext,
  type ClockState,
  type CostReport,
  checkSpeed,
  Ec2Error,
  type EventEnvelope,
  type KeyMaterial,
  type NewAccount,
  Sandbox,
  type SandboxSnapshot,
  snapshotState,
} from "@ec2sim/core";
import { DEFAULT_ACCOUNT_ID } from "@ec2sim/core/defaults";
import { RsaKeyPool } from "./key-pool.ts";
import { isUnwritable } from "./store/fsutil.ts";
import {
  isSharedStore,
  type JournalEntry,
  type SandboxMeta,
  type SandboxStore,
  type SharedSandboxStore,
  StoreClosedError,
  StoreCompactedError,
  StoreConflictError,
  StoreExistsError,
  StoreNotFoundError,
  StoreUnavailableError,
} from "./store/store.ts";

/** What a sandbox's metadata `config` holds. */
export interface SandboxConfig {
  seed: string;
  /** Simulated start (epoch ms); core's default epoch when absent. */
  start?: number;
}

export interface AccountInfo {
  accountId: string;
  alias?: string;
  accessKeyId: string;
  secretAccessKey: string;
  organizationArn?: string;
  ouArn?: string;
}

export interface SandboxInfo {
  name: string;
  seed: string;
  createdAt: string;
  /** Last seq of the sandbox's event log (durable). */
  lastSeq: number;
  clock: { now: string; nowMs: number; speed: number; paused: boolean };
  /** Accounts that may move the clock over the WebSocket (the admin token always may). */
  clockOperators: string[];
  accounts: AccountInfo[];
}

export interface CreateSandboxOptions {
  seed?: string;
  /** Clock speed (simulated ms per real ms); 1 unless told. */
  speed?: number;
  /** Start with the clock paused. */
  paused?: boolean;
  /** Accounts to create; the two standard ones unless told. */
  accounts?: NewAccount[];
}

export interface SandboxHostOptions {
  store: SandboxStore;
  /** The install's secret: accounts created from now on get keys derived from it (see core's `credentialsFor`). */
  installSecret?: string;
  /** The real clock the simulated clocks run off. */
  realNow?: () => number;
  /** Period of the transition ticker in ms; 0 disables it. 250 unless told. */
  tickMs?: number;
  /** Told of failures that are not the caller's fault (store errors, ticker errors). */
  log?: (message: string, error?: unknown) => void;
  /**
   * Snapshots (see "snapshots" at the end of the class): save a sandbox's folded state once this
   * many events became durable since its last snapshot; 0 never. 10,000 unless told. A snapshot
   * only speeds up loading: the history stays readable by `events()` unless the store compacts
   * (its `compactOnSnapshot` option, `ec2sim serve --compact-history`).
   */
  snapshotEvery?: number;
  /** On close, snapshot sandboxes with at least this many events since their last snapshot; 0 never. 1,000 unless told. */
  snapshotOnCloseMin?: number;
  /**
   * While a sandbox's clock runs, mark the simulated time in the store (`markClock`) this often,
   * each mark two periods ahead, so a crash never takes back time anyone saw; 0 never. 1,000 unless told.
   */
  clockMarkMs?: number;
}

/** Told of every event once it is durable, in seq order. */
export type DurableListener = (sandbox: string, events: readonly EventEnvelope[]) => void;

/** The organization and OUs of the standard accounts, so OU and organization sharing (R7) can be shown. */
export const STANDARD_ORGANIZATION_ARN = "arn:aws:organizations::111122223333:organization/o-ec2sim0001";
/** OU ARNs name the organization and the OU, as AWS writes them; each standard account is in its own OU. */
export const STANDARD_OU_ARNS = {
  a: "arn:aws:organizations::111122223333:ou/o-ec2sim0001/ou-ec2s-aaaa1111",
  b: "arn:aws:organizations::111122223333:ou/o-ec2sim0001/ou-ec2s-bbbb2222",
} as const;
export const STANDARD_ACCOUNTS: readonly NewAccount[] = [
  {
    accountId: DEFAULT_ACCOUNT_ID,
    alias: "sandbox-a",
    organizationArn: STANDARD_ORGANIZATION_ARN,
    ouArn: STANDARD_OU_ARNS.a,
  },
  {
    accountId: "444455556666",
    alias: "sandbox-b",
    organizationArn: STANDARD_ORGANIZATION_ARN,
    ouArn: STANDARD_OU_ARNS.b,
  },
];
export { DEFAULT_ACCOUNT_ID };
export const DEFAULT_SANDBOX = "default";

const SANDBOX_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

export const serviceUnavailable = (why: string): Ec2Error =>
  new Ec2Error("ServiceUnavailable", `The sandbox is unavailable: ${why}. Please retry your request.`, 503);

/** A store that cannot be reached right now (PostgreSQL down) answers ServiceUnavailable (503), not InternalError. */
const storeDown = (e: unknown): never => {
  if (e instanceof StoreUnavailableError) throw serviceUnavailable("its store cannot be reached");
  if (isUnwritable(e) || e instanceof StoreClosedError)
    throw serviceUnavailable(`its store cannot be written right now (${(e as Error).message})`);
  throw e;
};

/**
 * How often a command is run again on fresh state after another replica appended first; each
 * retry reloads the sandbox from the store after a short random pause (so two replicas do not
 * keep colliding in step).
 */
const CONFLICT_RETRIES = 8;
const conflicted = (h: { broken?: Error }): boolean => h.broken instanceof StoreConflictError;

/** A sandbox whose store failed a write: reads answer from its durable state, writes wait for `retryAt`. */
interface Fault {
  error: Error;
  delayMs: number;
  /** Real ms (Date.now) from which a write may try again. */
  retryAt: number;
}
const FAULT_FIRST_RETRY_MS = 250;
const FAULT_MAX_RETRY_MS = 5_000;

/** Actions that only read (EC2's naming), served from the durable state while the store fails writes. */
const READ_ACTION = /^(Describe|Get|List)/;

export function sandboxNotFound(name: string): Ec2Error {
  return new Ec2Error("InvalidSandbox.NotFound", `The sandbox '${name}' does not exist`, 404);
}

interface Hosted {
  readonly name: string;
  readonly meta: SandboxMeta;
  readonly sb: Sandbox;
  /** Last seq handed to the store. */
  issuedSeq: number;
  /** Last seq known durable. */
  durableSeq: number;
  /** Resolves when everything issued so far is durable; rejects once an append failed. */
  tail: Promise<void>;
  broken?: Error;
  /** Shared stores: commands waiting for the next batch, whether one is in flight, what the subscription delivered meanwhile. */
  queue?: Job[];
  running?: boolean;
  backlog?: JournalEntry[];
  unsubscribe?: () => void;
  /** When this replica last tried to take the clock lease (real ms). */
  clockTriedAt?: number;
  /** Seq of the snapshot it was loaded from or last saved (0: none); a save in progress. */
  snapshotSeq?: number;
  snapshotting?: Promise<void>;
  /** Real ms of the last clock mark. */
  markedAt?: number;
}

interface Job {
  fn: Mutation<unknown>;
  /** Do not fire due transitions first (the clock re-anchor on load). */
  raw: boolean;
  attempt: number;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

type Mutation<T> = (sb: Sandbox) => { output: T; events: readonly EventEnvelope[] };

export class SandboxHost {
  private readonly store: SandboxStore;
  private readonly realNow: () => number;
  private readonly log: (message: string, error?: unknown) => void;
  private readonly loaded = new Map<string, Promise<Hosted>>();
  private readonly listeners = new Set<DurableListener>();
  private readonly creating = new Map<string, Promise<SandboxInfo>>();
  private readonly faults = new Map<string, Fault>();
  private ticker: NodeJS.Timeout | undefined;
  private closed = false;
  /** The store, when replicas share it (`isSharedStore`): batches under its lock, subscriptions, leases. */
  private readonly shared: SharedSandboxStore | undefined;
  private readonly snapshotEvery: number;
  private readonly snapshotOnCloseMin: number;
  /** What every Sandbox is built with: the install secret, and key material whose RSA keys are made off the event loop. */
  private readonly secret: { installSecret?: string; keys: KeyMaterial };
  private readonly keyPool = new RsaKeyPool();
  private readonly clockMarkMs: number;

  constructor(options: SandboxHostOptions) {
    this.store = options.store;
    this.realNow = options.realNow ?? Date.now;
    this.secret = {
      ...(options.installSecret !== undefined ? { installSecret: options.installSecret } : {}),
      keys: this.keyPool.material,
    };
    this.log =
      options.log ??
      ((m, e) => console.error(`ec2sim: ${m}${e ? `: ${e instanceof Error ? e.message : String(e)}` : ""}`));
    this.shared = isSharedStore(this.store) ? this.store : undefined;
    this.snapshotEvery = options.snapshotEvery ?? 10_000;
    this.snapshotOnCloseMin = options.snapshotOnCloseMin ?? 1_000;
    this.clockMarkMs = options.clockMarkMs ?? 1_000;
    const tickMs = options.tickMs ?? 250;
    if (tickMs > 0) {
      this.ticker = setInterval(() => this.tick(), tickMs);
      this.ticker.unref();
    }
  }

  /** Fires due transitions in every loaded sandbox and persists them. */
  tick(): void {
    if (this.closed) return;
    for (const [name, p] of this.loaded) {
      p.then(
        (h) => {
          if (h.broken || this.closed) return;
          const fault = this.faults.get(name);
          if (!fault) void this.markClock(h); // no marks while the store fails writes
          if (this.shared && !this.ownsClock(h)) return;
          if (fault && (Date.now() < fault.retryAt || !((h.sb.state.timers.peek()?.at ?? Infinity) <= h.sb.now)))
            return;
          this.execute(h, () => ({ output: undefined, events: [] })).catch((e) =>
            this.log(`sandbox "${name}": clock tick failed`, e),
          );
        },
        () => undefined,
      );
    }
  }

  subscribe(listener: DurableListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async list(): Promise<SandboxInfo[]> {
    const metas = await this.store.list().catch(storeDown);
    return Promise.all(metas.map((m) => this.info(m.name)));
  }

  async exists(name: string): Promise<boolean> {
    return (await this.store.list().catch(storeDown)).some((m) => m.name === name);
  }

  /** Creates a sandbox with its accounts and a running clock. `InvalidParameterValue` if it exists. */
  async create(name: string, options: CreateSandboxOptions = {}): Promise<SandboxInfo> {
    this.checkOpen();
    if (typeof name !== "string" || !SANDBOX_NAME.test(name)) {
      throw new Ec2Error(
        "InvalidParameterValue",
        `Invalid sandbox name '${String(name).slice(0, 80)}': use 1-63 letters, digits, '.', '_' or '-', starting with a letter or digit`,
      );
    }
    const seed = options.seed ?? name;
    if (typeof seed !== "string" || seed.length === 0 || seed.length > 200)
      throw new Ec2Error("InvalidParameterValue", "The seed must be a string of 1 to 200 characters");
    const speed = options.speed ?? 1;
    checkSpeed(speed);
    if (this.creating.has(name)) throw new Ec2Error("InvalidParameterValue", `The sandbox '${name}' already exists`);
    const work = (async () => {
      const config: SandboxConfig = { seed };
      const meta: SandboxMeta = { name, createdAt: new Date(this.realNow()).toISOString(), config };
      try {
        await this.store.create(meta);
      } catch (e) {
        if (e instanceof StoreExistsError)
          throw new Ec2Error("InvalidParameterValue", `The sandbox '${name}' already exists`);
        storeDown(e);
      }
      const sb = new Sandbox({ seed, realNow: this.realNow, ...this.secret });
      const hosted: Hosted = { name, meta, sb, issuedSeq: 0, durableSeq: 0, tail: Promise.resolve() };
      if (this.shared) await this.share(hosted, false);
      this.loaded.set(name, Promise.resolve(hosted));
      const accounts = options.accounts ?? STANDARD_ACCOUNTS;
      await this.execute(hosted, (s) => {
        const events: EventEnvelope[] = [];
        for (const a of accounts) events.push(...s.createAccount(a).events);
        events.push(...s.setClock({ speed, paused: options.paused ?? false }));
        return { output: undefined, events };
      });
      return this.info(name);
    })();
    this.creating.set(name, work);
    try {
      return await work;
    } finally {
      this.creating.delete(name);
    }
  }

  /** Creates the sandbox unless it exists. */
  async ensure(name: string, options: CreateSandboxOptions = {}): Promise<{ created: boolean; info: SandboxInfo }> {
    if (await this.exists(name)) return { created: false, info: await this.info(name) };
    return { created: true, info: await this.create(name, options) };
  }

  async delete(name: string): Promise<void> {
    this.checkOpen();
    const p = this.loaded.get(name);
    if (p) await p.then((h) => h.tail).catch(() => undefined);
    if (p)
      void p.then(
        (h) => h.unsubscribe?.(),
        () => undefined,
      );
    this.shared?.releaseHost(name);
    this.shared?.releaseClock(name);
    this.loaded.delete(name);
    this.ready.delete(name);
    try {
      await this.store.delete(name);
    } catch (e) {
      if (e instanceof StoreNotFoundError) throw sandboxNotFound(name);
      storeDown(e);
    }
  }

  async info(name: string): Promise<SandboxInfo> {
    let h = await this.hosted(name);
    if (h.broken && !this.shared) h = await this.rehost(h, 0);
    // Shared store: catch up with the other replicas first, so lastSeq and the clock are current.
    if (this.shared) {
      await this.execute(h, () => ({ output: undefined, events: [] }));
      h = await this.hosted(name);
    }
    await h.tail.catch(() => undefined);
    const sb = h.sb;
    const clock = sb.state.clock;
    const config = h.meta.config as SandboxConfig;
    return {
      name,
      seed: config.seed,
      createdAt: h.meta.createdAt,
      lastSeq: h.durableSeq,
      clock: { now: new Date(sb.now).toISOString(), nowMs: sb.now, speed: clock.speed, paused: clock.paused },
      clockOperators: [...sb.state.accounts.keys()].filter((id) => sb.isClockOperator(id)),
      accounts: [...sb.state.accounts.values()].map((a) => ({
        accountId: a.accountId,
        ...(a.alias ? { alias: a.alias } : {}),
        accessKeyId: a.accessKeyId,
        secretAccessKey: a.secretAccessKey,
        ...(a.organizationArn ? { organizationArn: a.organizationArn } : {}),
        ...(a.ouArn ? { ouArn: a.ouArn } : {}),
      })),
    };
  }

  /**
   * The sandbox's durable event log after `since` (from seq 1 unless told) up to `upTo` (the end
   * unless told) with the config needed to replay it: what exports, diffs and branches read
   * (`Sandbox.replay(events, { seed, start })`). Read from the store's history (snapshots do not
   * drop it), only the range asked for; `InvalidSandbox.EventsCompacted` (410) when the store was
   * told to compact it away. `lastSeq` is the log's last durable seq, whatever `upTo` says.
   */
  async events(
    name: string,
    upTo?: number,
    since = 0,
  ): Promise<{ name: string; config: SandboxConfig; lastSeq: number; events: EventEnvelope[] }> {
    const h = await this.hosted(name);
    await h.tail.catch(() => undefined);
    const entries = await this.store.readEntries(name, since + 1, upTo).catch((e: unknown) => {
      if (e instanceof StoreCompactedError) throw eventsCompacted(name, e.compactedSeq);
      if (e instanceof StoreNotFoundError) throw sandboxNotFound(name);
      return storeDown(e);
    });
    const events = entries.map((e) => e.event as EventEnvelope);
    return {
      name,
      config: h.meta.config as SandboxConfig,
      lastSeq: Math.max(h.durableSeq, entries.at(-1)?.seq ?? 0),
      events,
    };
  }

  /** The loaded sandbox, if it is in memory (for synchronous credential lookups). */
  peek(name: string): Sandbox | undefined {
    return this.ready.get(name)?.sb;
  }
  private readonly ready = new Map<string, Hosted>();

  /** Loads a sandbox (replaying its journal) unless it is in memory. */
  async load(name: string): Promise<Sandbox> {
    return (await this.hosted(name)).sb;
  }

  /** Runs an action (EC2's or the sandbox's own) as an account in a region; durable when it resolves. */
  async call<T = unknown>(
    name: string,
    ctx: CallContext,
    action: string,
    input: Record<string, unknown> = {},
  ): Promise<T> {
    const h = await this.hosted(name);
    // An RSA key pair is made in the thread pool before the (synchronous) command runs.
    const rsa = action === "CreateKeyPair" && (input.KeyType ?? "rsa") === "rsa" && input.DryRun !== true;
    if (!rsa) return this.execute(h, (sb) => sb.call<T>(ctx, action, input), 0, READ_ACTION.test(action));
    const key = await this.keyPool.take();
    const current = await this.hosted(name);
    // execute runs the command before its first await: the key is handed to exactly this command.
    return this.keyPool.withKey(key, () => this.execute(current, (sb) => sb.call<T>(ctx, action, input)));
  }

  async createAccount(name: string, spec: NewAccount): Promise<AccountInfo> {
    const h = await this.hosted(name);
    return this.execute(h, (sb) => sb.createAccount(spec));
  }

  async advance(name: string, ms: number): Promise<ClockState> {
    const h = await this.hosted(name);
    return this.execute(h, (sb) => ({ events: sb.advance(ms), output: { ...sb.state.clock } }));
  }

  async setClock(name: string, change: { speed?: number; paused?: boolean }): Promise<ClockState> {
    const h = await this.hosted(name);
    return this.execute(h, (sb) => ({ events: sb.setClock(change), output: { ...sb.state.clock } }));
  }

  /** Names the accounts that may move the sandbox's clock (the admin token always may). */
  async setClockOperators(name: string, accountIds: string[]): Promise<string[]> {
    const h = await this.hosted(name);
    return this.execute(h, (sb) => ({ events: sb.setClockOperators(accountIds), output: [...accountIds] }));
  }

  async costReport(name: string, accountId?: string): Promise<CostReport> {
    const h = await this.hosted(name);
    return this.execute(h, (sb) => ({ output: sb.costReport(accountId), events: [] }), 0, true);
  }

  /** Runs any mutation of a loaded sandbox under the host's ordering and durability rules. */
  async mutate<T>(name: string, fn: Mutation<T>): Promise<T> {
    return this.execute(await this.hosted(name), fn);
  }

  /** Stops the ticker, waits for every pending append, closes the store. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.ticker) clearInterval(this.ticker);
    await Promise.allSettled([...this.creating.values()]);
    const hosts = await Promise.allSettled([...this.loaded.values()]);
    await Promise.allSettled(hosts.map((r) => (r.status === "fulfilled" ? this.restClock(r.value) : undefined)));
    await Promise.allSettled(hosts.map((r) => (r.status === "fulfilled" ? r.value.tail : undefined)));
    for (const r of hosts) {
      if (r.status !== "fulfilled") continue;
      const h = r.value;
      while (h.running) await h.tail; // a shared store's batches: queued commands form the next one
      h.unsubscribe?.();
    }
    await this.snapshotOnClose(hosts);
    await this.store.close();
  }

  private checkOpen(): void {
    if (this.closed) throw serviceUnavailable("the server is shutting down");
  }

  private hosted(name: string): Promise<Hosted> {
    this.checkOpen();
    let p = this.loaded.get(name);
    if (!p) {
      p = this.loadFromStore(name);
      this.loaded.set(name, p);
      p.catch(() => {
        if (this.loaded.get(name) === p) this.loaded.delete(name);
      });
    }
    return p;
  }

  private async loadFromStore(name: string): Promise<Hosted> {
    let loaded;
    try {
      loaded = await this.store.load(name);
    } catch (e) {
      if (e instanceof StoreNotFoundError) throw sandboxNotFound(name);
      this.log(`sandbox "${name}": cannot load`, e);
      throw serviceUnavailable(`sandbox '${name}' cannot be loaded (${e instanceof Error ? e.name : "error"})`);
    }
    const config = loaded.meta.config as SandboxConfig;
    const envelopes = loaded.entries.map((e) => e.event as EventEnvelope);
    const sb = this.rebuild(name, config, loaded.snapshot, envelopes);
    if (sb.state.clockRepairs)
      this.log(
        `warning: sandbox "${name}": ${sb.state.clockRepairs} event(s) of its log hold times beyond the clock's bounds (written by an earlier version); they were loaded at the last valid time, ${new Date(sb.state.now).toISOString()}`,
      );
    const last = loaded.entries.at(-1)?.seq ?? loaded.snapshot?.seq ?? 0;
    if (sb.state.seq !== last)
      throw serviceUnavailable(`sandbox '${name}' replayed to seq ${sb.state.seq}, but its journal ends at ${last}`);
    const hosted: Hosted = {
      name,
      meta: loaded.meta,
      sb,
      issuedSeq: last,
      durableSeq: last,
      tail: Promise.resolve(),
      snapshotSeq: loaded.snapshot?.seq ?? 0,
    };
    if (this.shared) {
      await this.share(hosted, true, loaded.clockMark);
    } else {
      this.ready.set(name, hosted);
      // Reloaded after a store fault: it was hosted all along, its clock did not rest (nor can it be written now).
      if (!this.faults.has(name)) {
        this.resumeClock(hosted, loaded.clockMark);
        await this.markClock(hosted); // before anyone sees the resumed clock
      }
    }
    return hosted;
  }

  /**
   * Shared store: registers this replica as hosting the sandbox — the first to host a resting
   * sandbox re-anchors its running clock (the rule of `resumeClock`, once for all replicas, under
   * the store's host lease) — and follows the store's stream of its events.
   */
  private async share(h: Hosted, resume: boolean, clockMark?: number): Promise<void> {
    h.queue = [];
    h.backlog = [];
    try {
      await this.shared?.claimHost(h.name, async () => {
        if (!resume) return;
        await this.enqueue(
          h,
          (sb) => {
            if (sb.state.clock.paused) return { output: undefined, events: [] };
            const env = this.restartedClock(sb, clockMark);
            sb.apply([env]);
            return { output: undefined, events: [env] };
          },
          true,
        );
      });
    } catch (e) {
      this.log(`sandbox "${h.name}": cannot register as its host`, e);
      throw serviceUnavailable(`sandbox '${h.name}' cannot be loaded (${e instanceof Error ? e.name : "error"})`);
    }
    this.ready.set(h.name, h);
    if (!this.shared) return;
    h.unsubscribe = this.shared.subscribe(
      h.name,
      h.sb.state.seq,
      (entries) => {
        h.backlog!.push(...entries);
        if (!h.running) this.foldBacklog(h);
      },
      (e) => this.breakHosted(h, e),
    );
  }

  /** Folds what the subscription delivered (other replicas' events) and tells the listeners. */
  private foldBacklog(h: Hosted): void {
    const entries = h.backlog!;
    h.backlog = [];
    if (h.broken) return;
    const fresh: EventEnvelope[] = [];
    let next = h.sb.state.seq + 1;
    for (const e of entries) {
      if (e.seq < next) continue; // folded already (our own, or caught up under the lock)
      if (e.seq > next) {
        // A gap (cannot happen with an ordered stream, but never fold across one): catch up under the lock.
        this.execute(h, () => ({ output: undefined, events: [] })).catch(() => undefined);
        break;
      }
      fresh.push(e.event as EventEnvelope);
      next++;
    }
    this.foldRemote(h, fresh);
  }

  private foldRemote(h: Hosted, events: EventEnvelope[]): void {
    if (!events.length) return;
    h.sb.apply(events);
    h.issuedSeq = h.durableSeq = h.sb.state.seq;
    this.tell(h.name, events);
  }

  private tell(name: string, events: readonly EventEnvelope[]): void {
    for (const l of this.listeners) {
      try {
        l(name, events);
      } catch (e) {
        this.log(`listener failed`, e);
      }
    }
  }

  /** Whether this replica fires the sandbox's timers (holds its clock lease); tries to take a free lease now and then. */
  private ownsClock(h: Hosted): boolean {
    if (!this.shared) return true;
    if (this.shared.holdsClock(h.name)) return !!h.sb.state.timers.peek() && h.sb.state.timers.peek()!.at <= h.sb.now;
    const now = Date.now();
    if (now - (h.clockTriedAt ?? 0) >= 1_000) {
      h.clockTriedAt = now;
      this.shared.claimClock(h.name).catch(() => undefined);
    }
    return false;
  }

  /**
   * Shared store: queues a command for the sandbox's next batch. A batch runs under the store's
   * write lock: fold what others committed, run every queued command (firing due transitions
   * first), append their events, commit; answers go out once durable. A batch whose append fails
   * after its commands changed the state evicts the sandbox (it reloads from the store); its
   * commands run again on the fresh state after a conflict (up to CONFLICT_RETRIES), else answer
   * ServiceUnavailable.
   */
  private enqueue<T>(h: Hosted, fn: Mutation<T>, raw = false, attempt = 0): Promise<T> {
    if (h.broken)
      return Promise.reject(serviceUnavailable(`sandbox '${h.name}' lost its journal (${h.broken.message})`));
    return new Promise<T>((resolve, reject) => {
      h.queue!.push({ fn, raw, attempt, resolve: resolve as (v: unknown) => void, reject });
      this.drain(h);
    });
  }

  private drain(h: Hosted): void {
    if (h.running || !h.queue!.length) return;
    h.running = true;
    const jobs = h.queue!.splice(0);
    const results: { ok: boolean; value: unknown }[] = [];
    const own: EventEnvelope[] = [];
    let built = false;
    const batch = this.shared!.appendExclusive(h.name, h.sb.state.seq, (missed) => {
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
          this.snapshotSoon(h);
          if (own.length) this.tell(h.name, own);
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

  /**
   * Simulated time stands still while a sandbox is not hosted: a running clock is re-anchored at
   * the last moment it was known to have reached, so a server that was down overnight at ×60 does
   * not wake up to 40 simulated days of uptime and bills. Recorded as a ClockChanged event.
   */
  private resumeClock(h: Hosted, clockMark?: number): void {
    if (h.sb.state.clock.paused) return;
    const env = this.restartedClock(h.sb, clockMark);
    h.sb.apply([env]);
    this.issue(h, [env]);
  }

  /**
   * The re-anchor of a resting sandbox's running clock. Time anyone saw never goes back: it
   * resumes from the later of the last event (a clean close records the moment it stopped, see
   * `restClock`) and the store's clock mark (written ahead while it ran, for a crash).
   */
  private restartedClock(sb: Sandbox, clockMark?: number): EventEnvelope {
    const { state } = sb;
    const at = Math.max(state.now, clockMark ?? state.now);
    const clock: ClockState = { ...state.clock, simAtAnchor: at, realAtAnchor: this.realNow() };
    return { seq: state.seq + 1, at, event: { type: "ClockChanged", clock } };
  }

  /** While the clock runs: a mark in the store every `clockMarkMs`, two periods ahead (it may be read after a crash). */
  private async markClock(h: Hosted): Promise<void> {
    const clock = h.sb.state.clock;
    if (!this.store.markClock || this.clockMarkMs <= 0 || clock.paused) return;
    const real = this.realNow();
    if (real - (h.markedAt ?? Number.NEGATIVE_INFINITY) < this.clockMarkMs) return;
    h.markedAt = real;
    const ahead = clock.simAtAnchor + Math.max(0, real + 2 * this.clockMarkMs - clock.realAtAnchor) * clock.speed;
    await this.store
      .markClock(h.name, ahead)
      .catch((e: unknown) => this.log(`sandbox "${h.name}": clock mark failed`, e));
  }

  /**
   * A clean close records the moment a running clock came to rest (a ClockChanged at the
   * simulated now) and marks it exactly, so the next load resumes where the clock stood — not at
   * the last event, which may be long before what everyone watching saw.
   */
  private async restClock(h: Hosted): Promise<void> {
    if (h.broken || h.sb.state.clock.paused) return;
    try {
      await this.execute(h, (sb) => ({ output: undefined, events: sb.setClock({}) }));
      await this.store.markClock?.(h.name, h.sb.state.now);
    } catch (e) {
      this.log(`sandbox "${h.name}": could not record where its clock stopped`, e);
    }
  }

  /**
   * The one path by which a sandbox changes: sync, run, hand the events to the store in the same
   * tick, then answer once everything up to here is durable.
   */
  private async execute<T>(h: Hosted, fn: Mutation<T>, attempt = 0, read = false): Promise<T> {
    if (this.shared) {
      if (h.broken) h = await this.rehost(h, 0); // evicted after a failed batch: reload once
      return this.enqueue(h, fn);
    }
    if (conflicted(h) && attempt < CONFLICT_RETRIES)
      return this.execute(await this.rehost(h, attempt), fn, attempt + 1, read);
    const fault = this.faults.get(h.name);
    if (fault || h.broken) {
      if (read) return this.readDurable(h.broken ? await this.rehost(h, 0) : h, fn);
      if (fault && Date.now() < fault.retryAt) throw faulted(h.name, fault);
      // Time to try again: reload from the store (which reopens its files), then run as usual.
      h = await this.rehost(h, 0);
      if (h.broken) throw serviceUnavailable(`sandbox '${h.name}' lost its journal (${h.broken.message})`);
    }
    if (h.sb !== this.ready.get(h.name)?.sb) this.ready.set(h.name, h);
    const events: EventEnvelope[] = [];
    let output: T | undefined;
    let failure: unknown;
    let failed = false;
    try {
      events.push(...h.sb.sync());
      const r = fn(h.sb);
      output = r.output;
      events.push(...r.events);
    } catch (e) {
      failed = true;
      failure = e;
      const carried = (e as { events?: EventEnvelope[] } | null)?.events;
      if (Array.isArray(carried)) events.push(...carried);
    }
    if (events.length) this.issue(h, events);
    try {
      await h.tail;
    } catch (e) {
      // Another replica sharing the store appended first (issue #8): nothing of this command was
      // stored, so run it again on the sandbox as the store now has it.
      if (conflicted(h) && attempt < CONFLICT_RETRIES)
        return this.execute(await this.rehost(h, attempt), fn, attempt + 1);
      throw e;
    }
    if (failed) throw failure;
    return output as T;
  }

  /** A read while the store fails writes: on the durable state as loaded, without firing due transitions. */
  private async readDurable<T>(h: Hosted, fn: Mutation<T>): Promise<T> {
    await h.tail.catch(() => undefined);
    const r = fn(h.sb);
    if (r.events.length) {
      this.breakHosted(h, new Error("a read changed the sandbox"));
      throw serviceUnavailable(`sandbox '${h.name}' cannot persist changes right now`);
    }
    return r.output;
  }

  /** Records (or extends, backing off) a sandbox's store fault. */
  private noteFault(name: string, error: Error): void {
    const prev = this.faults.get(name);
    const delayMs = prev ? Math.min(prev.delayMs * 2, FAULT_MAX_RETRY_MS) : FAULT_FIRST_RETRY_MS;
    this.faults.set(name, { error, delayMs, retryAt: Date.now() + delayMs });
  }

  /** The sandbox reloaded from the store, in place of `h` (evicted after a conflict). */
  private async rehost(h: Hosted, attempt: number): Promise<Hosted> {
    await new Promise((r) => setTimeout(r, Math.random() * 5 * attempt));
    const p = this.loaded.get(h.name);
    if (p && (await p.catch(() => undefined)) === h && this.loaded.get(h.name) === p) this.loaded.delete(h.name);
    return this.hosted(h.name);
  }

  private issue(h: Hosted, events: EventEnvelope[]): void {
    const first = events[0]!.seq;
    const last = events[events.length - 1]!.seq;
    const contiguous = first === h.issuedSeq + 1 && last - first === events.length - 1 && h.sb.state.seq === last;
    if (!contiguous) {
      this.breakHosted(
        h,
        new Error(`events ${first}..${last} do not follow seq ${h.issuedSeq} (state at ${h.sb.state.seq})`),
      );
      return;
    }
    const expected = h.issuedSeq;
    h.issuedSeq = last;
    const entries = events.map((e) => ({ seq: e.seq, event: e }));
    const appended = this.store.append(h.name, entries, expected).then(
      () => {
        h.durableSeq = last;
        if (this.faults.delete(h.name)) this.log(`sandbox "${h.name}": its store takes writes again`);
        this.snapshotSoon(h);
        for (const l of this.listeners) {
          try {
            l(h.name, events);
          } catch (e) {
            this.log(`listener failed`, e);
          }
        }
      },
      (e: unknown) => {
        this.breakHosted(h, e instanceof Error ? e : new Error(String(e)));
        throw serviceUnavailable(`sandbox '${h.name}' could not persist a change`);
      },
    );
    appended.catch(() => undefined); // observed through `tail`; unobserved when an earlier append failed first
    // Appends of one sandbox resolve in order; chaining keeps `tail` "everything so far".
    const prev = h.tail;
    h.tail = prev.then(() => appended);
    h.tail.catch(() => undefined);
  }

  private breakHosted(h: Hosted, error: Error): void {
    if (h.broken) return;
    h.broken = error;
    if (!this.shared && !(error instanceof StoreConflictError)) this.noteFault(h.name, error);
    h.unsubscribe?.();
    if (h.queue?.length) {
      // Commands queued behind the failed batch run on the reloaded sandbox.
      for (const job of h.queue.splice(0))
        this.rehost(h, 0)
          .then((nh) => this.enqueue(nh, job.fn, job.raw, job.attempt + 1))
          .then(job.resolve, job.reject);
    }
    h.tail = Promise.reject(serviceUnavailable(`sandbox '${h.name}' lost its journal`));
    h.tail.catch(() => undefined);
    this.log(`sandbox "${h.name}": ${error.message}; evicted from memory, it reloads from its durable journal`);
    if (this.ready.get(h.name) === h) this.ready.delete(h.name);
    void this.loaded.get(h.name)?.then((cur) => {
      if (cur === h) this.loaded.delete(h.name);
    });
  }

  // ── snapshots ──────────────────────────────────────────────────────────────────────────────
  // A sandbox loads from its store's snapshot (core's `snapshotState` format) plus the entries
  // after it, else by replaying its whole journal. A snapshot is saved every `snapshotEvery`
  // durable events and on close: the state is encoded synchronously (the one pause a request can
  // see), then handed to the store once every event folded into it is durable. On a shared store
  // only the replica holding the sandbox's clock lease saves.

  /** The sandbox from its snapshot and the entries after it, or from the whole journal. */
  private rebuild(
    name: string,
    config: SandboxConfig,
    snapshot: { seq: number; state: unknown } | undefined,
    envelopes: EventEnvelope[],
  ): Sandbox {
    if (!snapshot)
      return Sandbox.replay(envelopes, {
        seed: config.seed,
        realNow: this.realNow,
        ...this.secret,
        ...(config.start !== undefined ? { start: config.start } : {}),
      });
    let sb: Sandbox;
    try {
      sb = Sandbox.fromSnapshot(snapshot.state as SandboxSnapshot, {
        seed: config.seed,
        realNow: this.realNow,
        ...this.secret,
      });
    } catch (e) {
      this.log(`sandbox "${name}": cannot read its snapshot`, e);
      throw serviceUnavailable(
        `sandbox '${name}' has a snapshot this server cannot read (${e instanceof Error ? e.message : String(e)})`,
      );
    }
    if (sb.state.seq !== snapshot.seq)
      throw serviceUnavailable(`sandbox '${name}' has a snapshot of seq ${sb.state.seq} stored as seq ${snapshot.seq}`);
    sb.apply(envelopes);
    return sb;
  }

  /** After events became durable: a snapshot once `snapshotEvery` have accrued (after the answers go out). */
  private snapshotSoon(h: Hosted): void {
    if (this.snapshotEvery <= 0 || h.snapshotting || h.durableSeq - (h.snapshotSeq ?? 0) < this.snapshotEvery) return;
    h.snapshotting = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => this.saveSnapshot(h))
      .finally(() => (h.snapshotting = undefined));
  }

  private async saveSnapshot(h: Hosted): Promise<void> {
    if (h.broken || (this.shared && !this.shared.holdsClock(h.name))) return;
    const t0 = performance.now();
    const snapshot = snapshotState(h.sb);
    const encodeMs = performance.now() - t0;
    try {
      await h.tail; // everything folded into it is durable (or the save is skipped)
      if (h.broken || h.durableSeq < snapshot.seq || snapshot.seq <= (h.snapshotSeq ?? 0)) return;
      const t1 = performance.now();
      await this.store.saveSnapshot(h.name, snapshot.seq, snapshot);
      h.snapshotSeq = Math.max(h.snapshotSeq ?? 0, snapshot.seq);
      this.lastSnapshot = { sandbox: h.name, seq: snapshot.seq, encodeMs, saveMs: performance.now() - t1 };
    } catch (e) {
      this.log(`sandbox "${h.name}": saving a snapshot at seq ${snapshot.seq} failed`, e);
    }
  }

  /** The last snapshot saved: its sandbox, seq, the synchronous encode and the store's save (ms). */
  lastSnapshot?: { sandbox: string; seq: number; encodeMs: number; saveMs: number };

  private async snapshotOnClose(hosts: PromiseSettledResult<Hosted>[]): Promise<void> {
    for (const r of hosts) {
      if (r.status !== "fulfilled") continue;
      const h = r.value;
      await h.snapshotting;
      if (this.snapshotOnCloseMin > 0 && !h.broken && h.durableSeq - (h.snapshotSeq ?? 0) >= this.snapshotOnCloseMin)
        await this.saveSnapshot(h);
    }
  }
}

const faulted = (name: string, fault: Fault): Ec2Error =>
  serviceUnavailable(
    `sandbox '${name}' cannot persist changes right now (${fault.error.message}); reads still answer, writes are tried again from ${new Date(fault.retryAt).toISOString()}`,
  );

/** `events()` cannot reach back before what the store compacted (only when told to: `compactOnSnapshot`, `compact`). */
export const eventsCompacted = (name: string, seq: number): Ec2Error =>
  new Ec2Error(
    "InvalidSandbox.EventsCompacted",
    `The events of sandbox '${name}' up to seq ${seq} were compacted into a snapshot; the journal holds the events after it`,
    410,
  );
