/**
 * `SandboxHost`: keeps sandboxes in memory, backed by a `SandboxStore`, and is what the endpoint,
 * the admin API and the WebSocket call. It validates, builds answers and owns the listeners; how
 * commands run and become durable is its executor's (host/executor.ts), chosen once by the store:
 *
 * - `SoleExecutor` (host/sole-executor.ts) when this process alone writes the store (the journal,
 *   the memory store): commands run at once, appends pipelined, store faults heal.
 * - `ReplicaExecutor` (host/replica-executor.ts) when replicas share it (PostgreSQL): batches under
 *   the store's per-sandbox lock, other replicas' events followed live, clock and host leases.
 *
 * Both keep loaded sandboxes in a registry (host/registry.ts), re-anchor a resting clock and mark
 * a running one (host/clock.ts), save snapshots (host/snapshots.ts); a ticker (host/ticker.ts)
 * fires due transitions even when nobody calls. A command's answer is released only once every
 * event up to its own is durable, reads included. The rules: docs/ARCHITECTURE.md, "The host".
 */
import {
  type CallContext,
  type ClockState,
  type CostReport,
  checkSpeed,
  Ec2Error,
  type EventEnvelope,
  type NewAccount,
  Sandbox,
} from "@ec2sim/core";
import { DEFAULT_ACCOUNT_ID } from "@ec2sim/core/defaults";
import { eventsCompacted, sandboxNotFound, serviceUnavailable, storeDown } from "./host/errors.ts";
import type { SandboxExecutor } from "./host/executor.ts";
import type { Mutation, SandboxConfig } from "./host/hosted.ts";
import { ReplicaExecutor } from "./host/replica-executor.ts";
import { FOLLOW_BYTES, type SnapshotCounts, type SnapshotTiming } from "./host/snapshots.ts";
import { SoleExecutor } from "./host/sole-executor.ts";
import { Ticker } from "./host/ticker.ts";
import { RsaKeyPool } from "./key-pool.ts";
import {
  isSharedStore,
  type SandboxStore,
  StoreCompactedError,
  StoreExistsError,
  StoreNotFoundError,
} from "./store/store.ts";

export { eventsCompacted, sandboxNotFound, serviceUnavailable } from "./host/errors.ts";
export type { SandboxConfig } from "./host/hosted.ts";

export interface AccountInfo {
  accountId: string;
  alias?: string;
  accessKeyId: string;
  secretAccessKey: string;
  organizationArn?: string;
  ouArn?: string;
}

/** The server's own figures for operators (`GET /_ec2sim/metrics`, admin token required). */
export interface HostMetrics {
  snapshots: SnapshotCounts & {
    /** Snapshots estimated at least this large (JSON bytes) are encoded off the event loop. */
    followBytes: number;
    last?: SnapshotTiming;
  };
}

const round1 = (ms: number) => Math.round(ms * 10) / 10;

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
  /**
   * Encode snapshots on a worker thread that follows each hosted sandbox (a second copy of its
   * state in memory), so a large one does not stall the event loop; true unless told.
   */
  snapshotWorker?: boolean;
  /** Make RSA keys on the key worker thread (key-pool.ts), not in libuv's thread pool; true unless told. */
  keyWorker?: boolean;
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

/** Actions that only read (EC2's naming), served from the durable state while the store fails writes. */
const READ_ACTION = /^(Describe|Get|List)/;

export class SandboxHost {
  private readonly store: SandboxStore;
  private readonly realNow: () => number;
  private readonly log: (message: string, error?: unknown) => void;
  private readonly listeners = new Set<DurableListener>();
  private readonly creating = new Map<string, Promise<SandboxInfo>>();
  private readonly executor: SandboxExecutor;
  private readonly ticker: Ticker;
  private closed = false;
  /** What every Sandbox is built with: the install secret, and key material whose RSA keys are made off the event loop. */
  private readonly secret: { installSecret?: string; keys: RsaKeyPool["material"] };
  private readonly keyPool: RsaKeyPool;

  constructor(options: SandboxHostOptions) {
    this.store = options.store;
    this.realNow = options.realNow ?? Date.now;
    this.keyPool = new RsaKeyPool(2, options.keyWorker ?? true);
    this.secret = {
      ...(options.installSecret !== undefined ? { installSecret: options.installSecret } : {}),
      keys: this.keyPool.material,
    };
    this.log =
      options.log ??
      ((m, e) => console.error(`ec2sim: ${m}${e ? `: ${e instanceof Error ? e.message : String(e)}` : ""}`));
    const executorOptions = {
      realNow: this.realNow,
      log: this.log,
      sandboxOptions: this.secret,
      tell: (name: string, events: readonly EventEnvelope[]) => this.tell(name, events),
      isClosed: () => this.closed,
      snapshotEvery: options.snapshotEvery ?? 10_000,
      snapshotOnCloseMin: options.snapshotOnCloseMin ?? 1_000,
      snapshotWorker: options.snapshotWorker ?? true,
      clockMarkMs: options.clockMarkMs ?? 1_000,
    };
    const store = this.store;
    this.executor = isSharedStore(store)
      ? new ReplicaExecutor({ ...executorOptions, store })
      : new SoleExecutor({ ...executorOptions, store });
    this.ticker = new Ticker(options.tickMs ?? 250, () => this.tick());
  }

  /** Fires due transitions in every loaded sandbox and persists them. */
  tick(): void {
    this.executor.tick();
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
      const meta = { name, createdAt: new Date(this.realNow()).toISOString(), config };
      try {
        await this.store.create(meta);
      } catch (e) {
        if (e instanceof StoreExistsError)
          throw new Ec2Error("InvalidParameterValue", `The sandbox '${name}' already exists`);
        storeDown(e);
      }
      const sb = new Sandbox({ seed, realNow: this.realNow, ...this.secret });
      const accounts = options.accounts ?? STANDARD_ACCOUNTS;
      await this.executor.adopt(meta, sb, (s) => {
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
    await this.executor.forget(name);
    try {
      await this.store.delete(name);
    } catch (e) {
      if (e instanceof StoreNotFoundError) throw sandboxNotFound(name);
      storeDown(e);
    }
  }

  async info(name: string): Promise<SandboxInfo> {
    const h = await this.executor.view(name, true);
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
    const h = await this.executor.view(name, false);
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
    return this.executor.peek(name);
  }

  /** Loads a sandbox (replaying its journal) unless it is in memory. */
  load(name: string): Promise<Sandbox> {
    return this.executor.load(name);
  }

  /** Runs an action (EC2's or the sandbox's own) as an account in a region; durable when it resolves. */
  async call<T = unknown>(
    name: string,
    ctx: CallContext,
    action: string,
    input: Record<string, unknown> = {},
  ): Promise<T> {
    // An RSA key pair is made in the thread pool before the (synchronous) command runs.
    const rsa = action === "CreateKeyPair" && (input.KeyType ?? "rsa") === "rsa" && input.DryRun !== true;
    if (!rsa) return this.executor.run(name, (sb) => sb.call<T>(ctx, action, input), READ_ACTION.test(action));
    await this.executor.load(name);
    const key = await this.keyPool.take();
    await this.executor.load(name);
    // runLoaded runs the command before its first await: the key is handed to exactly this command.
    return this.keyPool.withKey(key, () => this.executor.runLoaded(name, (sb) => sb.call<T>(ctx, action, input)));
  }

  async createAccount(name: string, spec: NewAccount): Promise<AccountInfo> {
    return this.executor.run(name, (sb) => sb.createAccount(spec));
  }

  async advance(name: string, ms: number): Promise<ClockState> {
    return this.executor.run(name, (sb) => ({ events: sb.advance(ms), output: { ...sb.state.clock } }));
  }

  async setClock(name: string, change: { speed?: number; paused?: boolean }): Promise<ClockState> {
    return this.executor.run(name, (sb) => ({ events: sb.setClock(change), output: { ...sb.state.clock } }));
  }

  /** Names the accounts that may move the sandbox's clock (the admin token always may). */
  async setClockOperators(name: string, accountIds: string[]): Promise<string[]> {
    return this.executor.run(name, (sb) => ({ events: sb.setClockOperators(accountIds), output: [...accountIds] }));
  }

  async costReport(name: string, accountId?: string): Promise<CostReport> {
    return this.executor.run(name, (sb) => ({ output: sb.costReport(accountId), events: [] }), true);
  }

  /** Runs any mutation of a loaded sandbox under the host's ordering and durability rules. */
  async mutate<T>(name: string, fn: Mutation<T>): Promise<T> {
    return this.executor.run(name, fn);
  }

  /** The last snapshot saved: its sandbox, seq, size, where it was encoded, the encode and the store's save (ms). */
  get lastSnapshot(): SnapshotTiming | undefined {
    return this.executor.lastSnapshot;
  }

  /** What an operator reads at `GET /_ec2sim/metrics`: snapshots saved by where they were encoded, and the last one. */
  metrics(): HostMetrics {
    const last = this.executor.lastSnapshot;
    return {
      snapshots: {
        ...this.executor.snapshotCounts,
        followBytes: FOLLOW_BYTES,
        ...(last ? { last: { ...last, encodeMs: round1(last.encodeMs), saveMs: round1(last.saveMs) } } : {}),
      },
    };
  }

  /** Stops the ticker, records where running clocks stopped, waits for every pending write, closes the store. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.ticker.stop();
    await Promise.allSettled([...this.creating.values()]);
    await this.executor.close();
    await this.keyPool.close();
    await this.store.close();
  }

  private checkOpen(): void {
    if (this.closed) throw serviceUnavailable("the server is shutting down");
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
}
