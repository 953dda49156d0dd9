/**
 * `SandboxHost`: keeps sandboxes in memory, backed by a `SandboxStore`.
 *
 * - Loading: a sandbox is rebuilt from its journal with `Sandbox.replay` on first use.
 * - Ordering: every command on a sandbox runs to completion synchronously (core is synchronous),
 *   so two commands never interleave; before each one the host fires the transitions that are due
 *   (`sb.sync()`), and the events a command produced are handed to the store in the same tick, in
 *   seq order. Appends are pipelined: the store group-commits appends that arrive while an fsync is
 *   in flight, which is what lets 20 concurrent clients share one fsync.
 * - Durability: a command's answer is released only when every event up to and including the
 *   command's own is durable (`tail`, a promise that resolves in seq order). That holds for reads
 *   too, so no client ever sees a state that a crash could take back.
 * - Failure: if an append fails, the sandbox is marked broken and evicted from memory; its pending
 *   and later answers are `ServiceUnavailable` until it loads again from the store's durable state.
 * - Time: a real-time ticker calls `sync()` on every loaded sandbox and persists the transitions.
 */
import {
  Ec2Error,
  Sandbox,
  type CallContext,
  type ClockState,
  type CostReport,
  type EventEnvelope,
  type NewAccount,
} from "@ec2sim/core";
import { StoreConflictError, StoreExistsError, StoreNotFoundError, StoreUnavailableError, type SandboxMeta, type SandboxStore } from "./store/index.ts";

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
  /** The real clock the simulated clocks run off. */
  realNow?: () => number;
  /** Period of the transition ticker in ms; 0 disables it. 250 unless told. */
  tickMs?: number;
  /** Told of failures that are not the caller's fault (store errors, ticker errors). */
  log?: (message: string, error?: unknown) => void;
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
  { accountId: "111122223333", alias: "sandbox-a", organizationArn: STANDARD_ORGANIZATION_ARN, ouArn: STANDARD_OU_ARNS.a },
  { accountId: "444455556666", alias: "sandbox-b", organizationArn: STANDARD_ORGANIZATION_ARN, ouArn: STANDARD_OU_ARNS.b },
];
export const DEFAULT_ACCOUNT_ID = "111122223333";
export const DEFAULT_SANDBOX = "default";

const SANDBOX_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

export const serviceUnavailable = (why: string): Ec2Error =>
  new Ec2Error("ServiceUnavailable", `The sandbox is unavailable: ${why}. Please retry your request.`, 503);

/** A store that cannot be reached right now (PostgreSQL down) answers ServiceUnavailable (503), not InternalError. */
const storeDown = (e: unknown): never => {
  if (e instanceof StoreUnavailableError) throw serviceUnavailable("its store cannot be reached");
  throw e;
};

/**
 * How often a command is run again on fresh state after another replica appended first; each
 * retry reloads the sandbox from the store after a short random pause (so two replicas do not
 * keep colliding in step).
 */
const CONFLICT_RETRIES = 8;
const conflicted = (h: { broken?: Error }): boolean => h.broken instanceof StoreConflictError;

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
}

type Mutation<T> = (sb: Sandbox) => { output: T; events: readonly EventEnvelope[] };

export class SandboxHost {
  private readonly store: SandboxStore;
  private readonly realNow: () => number;
  private readonly log: (message: string, error?: unknown) => void;
  private readonly loaded = new Map<string, Promise<Hosted>>();
  private readonly listeners = new Set<DurableListener>();
  private readonly creating = new Map<string, Promise<SandboxInfo>>();
  private ticker: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(options: SandboxHostOptions) {
    this.store = options.store;
    this.realNow = options.realNow ?? Date.now;
    this.log = options.log ?? ((m, e) => console.error(`ec2sim: ${m}${e ? `: ${e instanceof Error ? e.message : String(e)}` : ""}`));
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
          this.execute(h, () => ({ output: undefined, events: [] })).catch((e) => this.log(`sandbox "${name}": clock tick failed`, e));
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
      throw new Ec2Error("InvalidParameterValue", `Invalid sandbox name '${String(name).slice(0, 80)}': use 1-63 letters, digits, '.', '_' or '-', starting with a letter or digit`);
    }
    const seed = options.seed ?? name;
    if (typeof seed !== "string" || seed.length === 0 || seed.length > 200) throw new Ec2Error("InvalidParameterValue", "The seed must be a string of 1 to 200 characters");
    const speed = options.speed ?? 1;
    if (!Number.isFinite(speed) || speed <= 0 || speed > 100_000) throw new Ec2Error("InvalidParameterValue", `Clock speed must be between 0 and 100000, not ${speed}`);
    if (this.creating.has(name)) throw new Ec2Error("InvalidParameterValue", `The sandbox '${name}' already exists`);
    const work = (async () => {
      const config: SandboxConfig = { seed };
      const meta: SandboxMeta = { name, createdAt: new Date(this.realNow()).toISOString(), config };
      try {
        await this.store.create(meta);
      } catch (e) {
        if (e instanceof StoreExistsError) throw new Ec2Error("InvalidParameterValue", `The sandbox '${name}' already exists`);
        storeDown(e);
      }
      const sb = new Sandbox({ seed, realNow: this.realNow });
      const hosted: Hosted = { name, meta, sb, issuedSeq: 0, durableSeq: 0, tail: Promise.resolve() };
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
    const h = await this.hosted(name);
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
   * The sandbox's durable event log (up to `upTo` when given) with the config needed to replay it:
   * what exports, diffs and branches read (`Sandbox.replay(events, { seed, start })`).
   */
  async events(name: string, upTo?: number): Promise<{ name: string; config: SandboxConfig; lastSeq: number; events: EventEnvelope[] }> {
    const h = await this.hosted(name);
    await h.tail.catch(() => undefined);
    const loaded = await this.store.load(name).catch(storeDown);
    if (loaded.snapshot) throw serviceUnavailable(`sandbox '${name}' has a snapshot, which this server version cannot read`);
    const events = loaded.entries.map((e) => e.event as EventEnvelope).filter((e) => upTo === undefined || e.seq <= upTo);
    return { name, config: loaded.meta.config as SandboxConfig, lastSeq: loaded.entries.at(-1)?.seq ?? 0, events };
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
  async call<T = unknown>(name: string, ctx: CallContext, action: string, input: Record<string, unknown> = {}): Promise<T> {
    const h = await this.hosted(name);
    return this.execute(h, (sb) => sb.call<T>(ctx, action, input));
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

  async costReport(name: string, accountId?: string): Promise<CostReport> {
    const h = await this.hosted(name);
    return this.execute(h, (sb) => ({ output: sb.costReport(accountId), events: [] }));
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
    await Promise.allSettled(hosts.map((r) => (r.status === "fulfilled" ? r.value.tail : undefined)));
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
    if (loaded.snapshot) throw serviceUnavailable(`sandbox '${name}' has a snapshot, which this server version cannot read`);
    const config = loaded.meta.config as SandboxConfig;
    const envelopes = loaded.entries.map((e) => e.event as EventEnvelope);
    const sb = Sandbox.replay(envelopes, { seed: config.seed, realNow: this.realNow, ...(config.start !== undefined ? { start: config.start } : {}) });
    const last = loaded.entries.at(-1)?.seq ?? 0;
    if (sb.state.seq !== last) throw serviceUnavailable(`sandbox '${name}' replayed to seq ${sb.state.seq}, but its journal ends at ${last}`);
    const hosted: Hosted = { name, meta: loaded.meta, sb, issuedSeq: last, durableSeq: last, tail: Promise.resolve() };
    this.ready.set(name, hosted);
    this.resumeClock(hosted);
    return hosted;
  }

  /**
   * Simulated time stands still while a sandbox is not hosted: a running clock is re-anchored at
   * the simulated time of the last persisted event, so a server that was down overnight at ×60
   * does not wake up to 40 simulated days of uptime and bills. Recorded as a ClockChanged event.
   */
  private resumeClock(h: Hosted): void {
    const { state } = h.sb;
    if (state.clock.paused) return;
    const clock: ClockState = { ...state.clock, simAtAnchor: state.now, realAtAnchor: this.realNow() };
    const env: EventEnvelope = { seq: state.seq + 1, at: state.now, event: { type: "ClockChanged", clock } };
    h.sb.apply([env]);
    this.issue(h, [env]);
  }

  /**
   * The one path by which a sandbox changes: sync, run, hand the events to the store in the same
   * tick, then answer once everything up to here is durable.
   */
  private async execute<T>(h: Hosted, fn: Mutation<T>, attempt = 0): Promise<T> {
    if (conflicted(h) && attempt < CONFLICT_RETRIES) return this.execute(await this.rehost(h, attempt), fn, attempt + 1);
    if (h.broken) throw serviceUnavailable(`sandbox '${h.name}' lost its journal (${h.broken.message})`);
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
      if (conflicted(h) && attempt < CONFLICT_RETRIES) return this.execute(await this.rehost(h, attempt), fn, attempt + 1);
      throw e;
    }
    if (failed) throw failure;
    return output as T;
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
      this.breakHosted(h, new Error(`events ${first}..${last} do not follow seq ${h.issuedSeq} (state at ${h.sb.state.seq})`));
      return;
    }
    const expected = h.issuedSeq;
    h.issuedSeq = last;
    const entries = events.map((e) => ({ seq: e.seq, event: e }));
    const appended = this.store.append(h.name, entries, expected).then(
      () => {
        h.durableSeq = last;
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
    h.tail = Promise.reject(serviceUnavailable(`sandbox '${h.name}' lost its journal`));
    h.tail.catch(() => undefined);
    this.log(`sandbox "${h.name}": ${error.message}; evicted from memory, it reloads from its durable journal`);
    if (this.ready.get(h.name) === h) this.ready.delete(h.name);
    void this.loaded.get(h.name)?.then((cur) => {
      if (cur === h) this.loaded.delete(h.name);
    });
  }
}
