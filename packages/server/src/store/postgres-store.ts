/**
 * `PostgresStore`: the `SandboxStore` contract on PostgreSQL, so several server replicas can share
 * sandboxes (issue #8). Selected with `ec2sim serve --store postgres://…` (or env EC2SIM_STORE).
 *
 * Schema (all in one PostgreSQL schema, "ec2sim" unless told; see `MIGRATIONS`):
 *   migrations (version, name, applied_at)                       which migrations ran
 *   sandboxes  (name PK, meta json, last_seq, snapshot_seq)      one row per sandbox: its metadata
 *   events     (sandbox, seq, event json)  PK (sandbox, seq)      the event logs (all of history)
 *   snapshots  (sandbox PK, seq, state json)                     at most one snapshot per sandbox
 * A snapshot deletes no events: they are the sandbox's history (`readEntries`). Only `compact`
 * (or the option `compactOnSnapshot`) deletes the rows a snapshot covers; a sandbox's history then
 * starts after its lowest remaining seq (no column records it: `min(seq)` is an index lookup).
 * Events and states are stored as `json` (the exact text we wrote: key order and `\u0000` kept,
 * unlike `jsonb`). The server creates and migrates the schema itself on open, under a
 * transaction-scoped advisory lock, so replicas starting together migrate exactly once.
 *
 * Appends are one SQL statement (one round trip, one transaction): a conditional
 * `UPDATE sandboxes SET last_seq = expected + n WHERE last_seq = expected`, the event rows, and a
 * `pg_notify`. The row lock serializes appenders of a sandbox; a loser's UPDATE matches no row and
 * the append raises `StoreConflictError`, so two replicas never fork a history (and the primary
 * key (sandbox, seq) would refuse a fork anyway). An append is durable when it resolves (the
 * commit is, with PostgreSQL's default `synchronous_commit = on`).
 *
 * Live sharing: after each committed append PostgreSQL delivers a NOTIFY `{"s": name, "seq": last}`
 * on the channel `ec2sim:<schema>`; `subscribe(name, fromSeq, onEntries)` turns those into ordered,
 * gap-free batches of entries, re-LISTENs after a lost connection and catches up from the last seq
 * it delivered (a periodic poll covers a connection that died silently).
 *
 * Connection loss: every operation fails within `connectTimeoutMs`/`queryTimeoutMs` with a
 * `StoreUnavailableError` (the host answers `ServiceUnavailable`, HTTP 503) instead of hanging; the
 * pool opens fresh connections when the server is back. An append whose connection broke after
 * PostgreSQL received it is *ambiguous*: it may have committed. It was never acknowledged, and the
 * host reloads the sandbox from what is durable, so nothing acknowledged is lost and nothing
 * unacknowledged is half-applied.
 */
import pg from "pg";
import {
  checkCompactSeq,
  checkReadRange,
  checkSnapshotSeq,
  type JournalEntry,
  type LoadedSandbox,
  type SandboxMeta,
  type SharedSandboxStore,
  StoreClosedError,
  StoreCompactedError,
  StoreConflictError,
  StoreCorruptionError,
  StoreError,
  StoreExistsError,
  StoreNotFoundError,
  type StoreSubscription,
  StoreUnavailableError,
  serializeEvents,
  snapshotText,
  validateEntries,
  validateMeta,
} from "./store.ts";

export interface PostgresStoreOptions {
  /** postgres://user:password@host:port/database (anything `pg` accepts as a connection string). */
  url: string;
  /** PostgreSQL schema holding the tables; "ec2sim" unless told. Lowercase letters, digits, `_`. */
  schema?: string;
  /** Connections in the pool (10 unless told); subscriptions use one more. */
  poolSize?: number;
  /** Give up connecting after this long (5,000 ms unless told). */
  connectTimeoutMs?: number;
  /** Give up on a query after this long (15,000 ms unless told); the connection is then dropped. */
  queryTimeoutMs?: number;
  /** Subscriptions re-read their sandboxes this often even without a NOTIFY (10,000 ms; 0 = never). */
  pollMs?: number;
  /** Told of background failures (lost LISTEN connection, failed catch-up). */
  log?: (message: string, error?: unknown) => void;
  /** Delete the events a snapshot covers when it is saved (false: keep all history). `ec2sim serve --compact-history`. */
  compactOnSnapshot?: boolean;
}

/** One migration: SQL run once, in order, inside the migration transaction. `%s` is the quoted schema. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "sandboxes, events, snapshots",
    sql: `
      CREATE TABLE %s.sandboxes (
        name         text PRIMARY KEY,
        meta         json NOT NULL,
        last_seq     bigint NOT NULL DEFAULT 0 CHECK (last_seq >= 0),
        snapshot_seq bigint NOT NULL DEFAULT 0 CHECK (snapshot_seq >= 0 AND snapshot_seq <= last_seq),
        created_at   timestamptz NOT NULL DEFAULT now()
      );
      CREATE TABLE %s.events (
        sandbox text NOT NULL REFERENCES %s.sandboxes (name) ON DELETE CASCADE,
        seq     bigint NOT NULL CHECK (seq > 0),
        event   json NOT NULL,
        PRIMARY KEY (sandbox, seq)
      );
      CREATE TABLE %s.snapshots (
        sandbox  text PRIMARY KEY REFERENCES %s.sandboxes (name) ON DELETE CASCADE,
        seq      bigint NOT NULL,
        state    json NOT NULL,
        saved_at timestamptz NOT NULL DEFAULT now()
      );`,
  },
  {
    version: 2,
    name: "install secret",
    // The per-install secret account keys are derived from (issue #11): one for every replica of the database.
    sql: `
      CREATE TABLE %s.install (
        key   text PRIMARY KEY,
        value text NOT NULL
      );`,
  },
];

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,47}$/;
/** Rows fetched per catch-up query of a subscription. */
const CATCH_UP_BATCH = 5_000;

/** Errors that mean "the database cannot be reached right now" rather than "the request is wrong". */
export function isConnectionError(e: unknown): boolean {
  if (!(e instanceof Error)) return false;
  const code = (e as { code?: unknown }).code;
  if (typeof code === "string") {
    if (
      /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|ENOTFOUND|EHOSTUNREACH|ENETUNREACH|EAI_AGAIN|ECONNABORTED)$/.test(code)
    )
      return true;
    // SQLSTATE: 08 connection exception, 57P01-03 shutdown / cannot connect now, 57014 canceled (timeout), 53300 too many connections.
    if (/^08/.test(code) || /^57P0[123]$/.test(code) || code === "57014" || code === "53300") return true;
  }
  return /Connection terminated|timeout exceeded when trying to connect|Query read timeout|connection error|Connection ended|Client was closed|not queryable|terminating connection/i.test(
    e.message,
  );
}

interface Subscription {
  readonly name: string;
  lastSeq: number;
  readonly onEntries: (entries: JournalEntry[]) => void;
  readonly onError: ((error: Error) => void) | undefined;
  running: boolean;
  again: boolean;
  active: boolean;
}

export class PostgresStore implements SharedSandboxStore {
  private readonly pool: pg.Pool;
  private readonly schema: string;
  private readonly channel: string;
  private readonly sql: ReturnType<typeof statements>;
  private readonly log: (message: string, error?: unknown) => void;
  private closed = false;
  private closing: Promise<void> | undefined;
  private inflight = 0;
  private drained: (() => void) | undefined;
  private readonly subs = new Set<Subscription>();
  /** The last append of each sandbox this instance has in flight (see `append`). */
  private readonly appendChains = new Map<string, { end: number; settled: boolean; done: Promise<boolean> }>();
  private listener: pg.Client | undefined;
  private listenerConnecting = false;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private reconnectDelay = 100;
  private pollTimer: NodeJS.Timeout | undefined;
  /** The connection holding this process's session advisory locks (host and clock leases). */
  private leaseConn: pg.Client | undefined;
  private leaseConnecting: Promise<pg.Client> | undefined;
  private leaseRetry: NodeJS.Timeout | undefined;
  /** Sandboxes this process hosts (a shared lock each, re-taken after a lost connection). */
  private readonly hostLeases = new Set<string>();
  /** Sandboxes whose clock this process owns (an exclusive lock each, gone with the connection). */
  private readonly clockLeases = new Set<string>();

  private constructor(private readonly options: PostgresStoreOptions) {
    const schema = options.schema ?? "ec2sim";
    if (!SCHEMA_NAME.test(schema)) throw new TypeError(`schema must match ${SCHEMA_NAME.source}, not '${schema}'`);
    this.schema = schema;
    this.channel = `ec2sim:${schema}`;
    this.sql = statements(`"${schema}"`);
    this.log =
      options.log ??
      ((m, e) => console.error(`ec2sim: ${m}${e ? `: ${e instanceof Error ? e.message : String(e)}` : ""}`));
    this.pool = new pg.Pool({
      connectionString: options.url,
      max: options.poolSize ?? 10,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 5_000,
      query_timeout: options.queryTimeoutMs ?? 15_000,
      idleTimeoutMillis: 30_000,
      keepAlive: true,
      application_name: "ec2sim",
    });
    // An idle connection that breaks (server restart) is dropped by the pool; without a listener
    // the 'error' event would crash the process.
    this.pool.on("error", (e) => this.log("PostgreSQL connection lost (idle; the pool reconnects on demand)", e));
  }

  /**
   * The database's per-install secret (account keys derive from it): `candidate` when this call
   * stores the first one, else the one stored — every replica gets the same.
   */
  async installSecret(candidate: string): Promise<string> {
    try {
      await this.pool.query(
        `INSERT INTO "${this.schema}".install (key, value) VALUES ('secret', $1) ON CONFLICT DO NOTHING`,
        [candidate],
      );
      return (await this.pool.query(`SELECT value FROM "${this.schema}".install WHERE key = 'secret'`)).rows[0].value;
    } catch (e) {
      if (isConnectionError(e))
        throw new StoreUnavailableError(`PostgreSQL cannot be reached: ${(e as Error).message}`);
      throw e;
    }
  }

  /** Connects, creates or migrates the schema, and returns the store. */
  static async open(options: PostgresStoreOptions | string): Promise<PostgresStore> {
    const store = new PostgresStore(typeof options === "string" ? { url: options } : options);
    try {
      await store.op(() => store.migrate());
    } catch (e) {
      await store.pool.end().catch(() => undefined);
      throw e;
    }
    return store;
  }

  /** Schema version after open (the highest migration applied). */
  async schemaVersion(): Promise<number> {
    return this.op(async () =>
      Number(
        (await this.pool.query(`SELECT coalesce(max(version), 0) AS v FROM "${this.schema}".migrations`)).rows[0].v,
      ),
    );
  }

  private async migrate(): Promise<void> {
    const client = await this.pool.connect();
    let failed: unknown;
    const onError = (e: Error) => (failed = e); // a checked-out client's 'error' would otherwise be uncaught
    client.on("error", onError);
    try {
      await client.query("BEGIN");
      // hashtext is stable across servers; the key is per schema.
      await client.query("SELECT pg_advisory_xact_lock(hashtext($1))", [`ec2sim:migrate:${this.schema}`]);
      await client.query(`CREATE SCHEMA IF NOT EXISTS "${this.schema}"`);
      await client.query(
        `CREATE TABLE IF NOT EXISTS "${this.schema}".migrations (version int PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
      );
      const current = Number(
        (await client.query(`SELECT coalesce(max(version), 0) AS v FROM "${this.schema}".migrations`)).rows[0].v,
      );
      const latest = MIGRATIONS[MIGRATIONS.length - 1]!.version;
      if (current > latest) {
        throw new StoreError(
          `PostgreSQL schema "${this.schema}" is at version ${current}, newer than this server knows (${latest}): upgrade ec2sim`,
        );
      }
      for (const m of MIGRATIONS) {
        if (m.version <= current) continue;
        await client.query(m.sql.replaceAll("%s", `"${this.schema}"`));
        await client.query(`INSERT INTO "${this.schema}".migrations (version, name) VALUES ($1, $2)`, [
          m.version,
          m.name,
        ]);
      }
      await client.query("COMMIT");
    } catch (e) {
      failed = e;
      await client.query("ROLLBACK").catch(() => undefined);
      throw e;
    } finally {
      client.off("error", onError);
      client.release(failed instanceof Error && isConnectionError(failed) ? failed : undefined);
    }
  }

  async list(): Promise<SandboxMeta[]> {
    return this.op(async () => {
      const r = await this.pool.query({ text: this.sql.list, rowMode: "array" });
      const metas = r.rows.map((row: unknown[]) => JSON.parse(row[0] as string) as SandboxMeta);
      return metas.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    });
  }

  async create(meta: SandboxMeta): Promise<void> {
    return this.op(async () => {
      validateMeta(meta);
      const json = JSON.stringify(meta);
      const r = await this.pool.query(this.sql.create, [meta.name, json]);
      if (r.rowCount === 0) throw new StoreExistsError(meta.name);
    });
  }

  async load(name: string): Promise<LoadedSandbox> {
    return this.op(() =>
      this.transaction("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", async (client) => {
        const head = await client.query({ text: this.sql.loadHead, values: [name], rowMode: "array" });
        if (head.rowCount === 0) throw new StoreNotFoundError(name);
        const [metaJson, lastSeqRaw, snapSeqRaw, stateJson] = head.rows[0] as [
          string,
          string,
          string | null,
          string | null,
        ];
        const lastSeq = Number(lastSeqRaw);
        const loaded: LoadedSandbox = { meta: JSON.parse(metaJson) as SandboxMeta, entries: [] };
        let from = 0;
        if (snapSeqRaw !== null && stateJson !== null) {
          from = Number(snapSeqRaw);
          loaded.snapshot = { seq: from, state: JSON.parse(stateJson) as unknown, json: stateJson };
        }
        if (lastSeq > from) {
          const rows = (await client.query({ text: this.sql.loadEvents, values: [name, from], rowMode: "array" }))
            .rows as [string, string][];
          loaded.entries = toEntries(name, rows, from);
          if (rows.length !== lastSeq - from) {
            throw new StoreCorruptionError(
              `sandbox "${name}": its log should hold seqs ${from + 1}..${lastSeq}, found ${rows.length} events`,
            );
          }
        }
        return loaded;
      }),
    );
  }

  async append(name: string, entries: JournalEntry[], expectedLastSeq: number): Promise<void> {
    return this.op(async () => {
      validateEntries(entries, expectedLastSeq);
      serializeEvents(entries); // same refusals as the other stores, before anything is sent
      if (entries.length === 0) {
        const r = await this.pool.query({ text: this.sql.lastSeq, values: [name], rowMode: "array" });
        if (r.rowCount === 0) throw new StoreNotFoundError(name);
        const actual = Number((r.rows[0] as unknown[])[0]);
        if (actual !== expectedLastSeq) throw new StoreConflictError(name, expectedLastSeq, actual);
        return;
      }
      const events = entries.map((e) => JSON.stringify(e.event));
      // Appends of one sandbox from this instance go out in call order, one at a time: over a
      // pool they could otherwise overtake each other (a spurious conflict). And an append that was
      // pipelined behind one that then failed, building on it, must fail too: else, if another
      // replica took seq n, an append expecting n would land on top of *their* event n, stacking
      // events computed from a state that never was. (A failed append counts as pending until the
      // next macrotask, so its caller has seen the failure before later appends go unchecked.)
      const prev = this.appendChains.get(name);
      const queuedBehind = prev !== undefined && !prev.settled;
      let settle!: (ok: boolean) => void;
      const mine = {
        end: expectedLastSeq + entries.length,
        settled: false,
        done: new Promise<boolean>((r) => (settle = r)),
      };
      this.appendChains.set(name, mine);
      let ok = false;
      try {
        if (prev && queuedBehind && !(await prev.done) && prev.end === expectedLastSeq) {
          const r = await this.pool.query({ text: this.sql.lastSeq, values: [name], rowMode: "array" });
          if (r.rowCount === 0) throw new StoreNotFoundError(name);
          throw new StoreConflictError(name, expectedLastSeq, Number((r.rows[0] as unknown[])[0]));
        }
        try {
          const r = await this.pool.query({
            text: this.sql.append,
            values: [name, expectedLastSeq, events, this.channel],
            rowMode: "array",
          });
          ok = Number((r.rows[0] as unknown[])[0]) === 1;
        } catch (e) {
          // A duplicate (sandbox, seq) can only mean someone else holds that seq: a conflict.
          if ((e as { code?: string }).code !== "23505") throw e;
        }
        if (ok) return;
        const r = await this.pool.query({ text: this.sql.lastSeq, values: [name], rowMode: "array" });
        if (r.rowCount === 0) throw new StoreNotFoundError(name);
        throw new StoreConflictError(name, expectedLastSeq, Number((r.rows[0] as unknown[])[0]));
      } finally {
        settle(ok);
        const done = () => {
          mine.settled = true;
          if (this.appendChains.get(name) === mine) this.appendChains.delete(name);
        };
        if (ok) done();
        else setImmediate(done);
      }
    });
  }

  async saveSnapshot(name: string, seq: number, state: unknown): Promise<void> {
    return this.op(() =>
      this.transaction("BEGIN", async (client) => {
        const json = snapshotText(state);
        const head = await client.query({ text: this.sql.lockHead, values: [name], rowMode: "array" });
        if (head.rowCount === 0) throw new StoreNotFoundError(name);
        const [last, snap] = head.rows[0] as [string, string];
        checkSnapshotSeq(name, seq, Number(last), Number(snap));
        await client.query(this.sql.upsertSnapshot, [name, seq, json]);
        await client.query(this.sql.setSnapshotSeq, [name, seq]);
        if (this.options.compactOnSnapshot) await client.query(this.sql.compact, [name, seq]);
      }),
    );
  }

  async readEntries(name: string, fromSeq: number, toSeq?: number): Promise<JournalEntry[]> {
    return this.op(async () => {
      checkReadRange(fromSeq, toSeq);
      return this.transaction("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", async (client) => {
        const head = await client.query({ text: this.sql.historyHead, values: [name], rowMode: "array" });
        if (head.rowCount === 0) throw new StoreNotFoundError(name);
        const [lastRaw, minRaw] = head.rows[0] as [string, string | null];
        const last = Number(lastRaw);
        const compacted = minRaw === null ? last : Number(minRaw) - 1;
        if (fromSeq <= compacted) throw new StoreCompactedError(name, compacted, fromSeq);
        const to = Math.min(toSeq ?? last, last);
        if (to < fromSeq) return [];
        const rows = (await client.query({ text: this.sql.readRange, values: [name, fromSeq, to], rowMode: "array" }))
          .rows as [string, string][];
        const entries = toEntries(name, rows, fromSeq - 1);
        if (entries.length !== to - fromSeq + 1)
          throw new StoreCorruptionError(
            `sandbox "${name}": its log should hold seqs ${fromSeq}..${to}, found ${entries.length} events`,
          );
        return entries;
      });
    });
  }

  async compact(name: string, upToSeq: number): Promise<number> {
    return this.op(() =>
      this.transaction("BEGIN", async (client) => {
        const head = await client.query({ text: this.sql.lockHead, values: [name], rowMode: "array" });
        if (head.rowCount === 0) throw new StoreNotFoundError(name);
        checkCompactSeq(name, upToSeq, Number((head.rows[0] as unknown[])[1]));
        await client.query(this.sql.compact, [name, upToSeq]);
        const h = await client.query({ text: this.sql.historyHead, values: [name], rowMode: "array" });
        const [lastRaw, minRaw] = h.rows[0] as [string, string | null];
        return minRaw === null ? Number(lastRaw) : Number(minRaw) - 1;
      }),
    );
  }

  async delete(name: string): Promise<void> {
    return this.op(async () => {
      const r = await this.pool.query(this.sql.delete, [name, this.channel]);
      if (r.rowCount === 0) throw new StoreNotFoundError(name);
    });
  }

  /**
   * Delivers the entries of sandbox `name` after `fromSeq`, in order and without gaps, in batches,
   * as they are committed by any process using this database (this store's own appends included:
   * skip what you already folded). Catches up at once, then on each NOTIFY; after a lost
   * connection it re-LISTENs and catches up from the last seq it delivered. `onError` is told when
   * the subscription cannot go on (the sandbox was deleted, or entries it needed were compacted
   * away by a snapshot: reload then); transient failures are retried, not reported.
   * Returns the unsubscribe function.
   */
  subscribe(
    name: string,
    fromSeq: number,
    onEntries: (entries: JournalEntry[]) => void,
    onError?: (error: Error) => void,
  ): StoreSubscription {
    this.checkOpen();
    if (!Number.isSafeInteger(fromSeq) || fromSeq < 0)
      throw new RangeError(`fromSeq must be a non-negative integer, got ${String(fromSeq)}`);
    const sub: Subscription = {
      name,
      lastSeq: fromSeq,
      onEntries,
      onError,
      running: false,
      again: false,
      active: true,
    };
    this.subs.add(sub);
    this.ensureListener();
    this.ensurePoll();
    this.pull(sub);
    return () => {
      sub.active = false;
      this.subs.delete(sub);
      if (this.subs.size === 0) this.stopListening();
    };
  }

  /**
   * Appends under the sandbox's row lock (`SELECT … FOR UPDATE`, held to COMMIT), so replicas take
   * turns instead of conflicting: reads what others committed after `afterSeq`, hands it to
   * `build` (which folds it, runs commands and returns the entries to append), appends, commits.
   */
  async appendExclusive(
    name: string,
    afterSeq: number,
    build: (missed: JournalEntry[]) => JournalEntry[],
  ): Promise<void> {
    return this.op(() =>
      this.transaction("BEGIN", async (client) => {
        const head = await client.query({ text: this.sql.lockHead, values: [name], rowMode: "array" });
        if (head.rowCount === 0) throw new StoreNotFoundError(name);
        const last = Number((head.rows[0] as unknown[])[0]);
        const snap = Number((head.rows[0] as unknown[])[1]);
        if (last < afterSeq) throw new StoreConflictError(name, afterSeq, last);
        let missed: JournalEntry[] = [];
        if (last > afterSeq) {
          const rows = (await client.query({ text: this.sql.loadEvents, values: [name, afterSeq], rowMode: "array" }))
            .rows as [string, string][];
          const first = rows.length ? Number(rows[0]![0]) : last + 1;
          if (first > afterSeq + 1 && snap > afterSeq) throw new StoreCompactedError(name, first - 1, afterSeq + 1);
          missed = toEntries(name, rows, afterSeq);
          if (missed.length !== last - afterSeq)
            throw new StoreCorruptionError(
              `sandbox "${name}": its log should hold seqs ${afterSeq + 1}..${last}, found ${missed.length} events after ${afterSeq}`,
            );
        }
        const entries = build(missed);
        if (entries.length === 0) return;
        validateEntries(entries, last);
        const events = entries.map((e) => {
          const json = JSON.stringify(e.event);
          if (json === undefined) throw new TypeError(`entry ${e.seq}: event is not JSON-serializable`);
          return json;
        });
        const r = await client.query({
          text: this.sql.append,
          values: [name, last, events, this.channel],
          rowMode: "array",
        });
        if (Number((r.rows[0] as unknown[])[0]) !== 1) throw new StoreConflictError(name, last, -1);
      }),
    );
  }

  /**
   * Registers this process as hosting `name` (a shared advisory lock on the lease connection).
   * If nobody hosted it (the exclusive lock is free), runs `ifFirst` under the exclusive lock, then
   * downgrades; others registering meanwhile wait. Resolves to whether `ifFirst` ran.
   */
  async claimHost(name: string, ifFirst: () => Promise<void>): Promise<boolean> {
    if (this.hostLeases.has(name)) return false;
    const c = await this.leaseClient();
    const key = [`ec2sim:${this.schema}:host`, name];
    const first = await this.op(
      async () =>
        (
          await c.query({
            text: "SELECT pg_try_advisory_lock(hashtext($1), hashtext($2))",
            values: key,
            rowMode: "array",
          })
        ).rows[0]?.[0] === true,
    );
    if (first) {
      try {
        await ifFirst();
      } finally {
        await this.op(async () => {
          await c.query("SELECT pg_advisory_lock_shared(hashtext($1), hashtext($2))", key);
          await c.query("SELECT pg_advisory_unlock(hashtext($1), hashtext($2))", key);
        }).catch(() => undefined);
      }
    } else {
      await this.op(() => c.query("SELECT pg_advisory_lock_shared(hashtext($1), hashtext($2))", key));
    }
    if (this.leaseConn === c) this.hostLeases.add(name);
    return first;
  }

  releaseHost(name: string): void {
    if (!this.hostLeases.delete(name)) return;
    this.leaseConn
      ?.query("SELECT pg_advisory_unlock_shared(hashtext($1), hashtext($2))", [`ec2sim:${this.schema}:host`, name])
      .catch(() => undefined);
  }

  /** Tries to take the clock lease of `name` (an exclusive advisory lock); true if held now. */
  async claimClock(name: string): Promise<boolean> {
    if (this.clockLeases.has(name)) return true;
    const c = await this.leaseClient();
    const got = await this.op(
      async () =>
        (
          await c.query({
            text: "SELECT pg_try_advisory_lock(hashtext($1), hashtext($2))",
            values: [`ec2sim:${this.schema}:clock`, name],
            rowMode: "array",
          })
        ).rows[0]?.[0] === true,
    );
    if (got && this.leaseConn === c) this.clockLeases.add(name);
    return got && this.clockLeases.has(name);
  }

  holdsClock(name: string): boolean {
    return this.clockLeases.has(name);
  }

  releaseClock(name: string): void {
    if (!this.clockLeases.delete(name)) return;
    this.leaseConn
      ?.query("SELECT pg_advisory_unlock(hashtext($1), hashtext($2))", [`ec2sim:${this.schema}:clock`, name])
      .catch(() => undefined);
  }

  /** The lease connection, opened (and its host leases re-taken) when needed. */
  private leaseClient(): Promise<pg.Client> {
    this.checkOpen();
    if (this.leaseConn) return Promise.resolve(this.leaseConn);
    return (this.leaseConnecting ??= this.op(async () => {
      const client = new pg.Client({
        connectionString: this.options.url,
        connectionTimeoutMillis: this.options.connectTimeoutMs ?? 5_000,
        query_timeout: this.options.queryTimeoutMs ?? 15_000,
        keepAlive: true,
        application_name: "ec2sim-lease",
      });
      let gone = false;
      const lost = (e?: unknown) => {
        if (gone) return;
        gone = true;
        if (this.leaseConn === client) this.leaseConn = undefined;
        this.clockLeases.clear(); // the locks went with the connection
        client.end().catch(() => undefined);
        if (this.closed) return;
        this.log("PostgreSQL lease connection lost; clock leases dropped, host leases are taken again on reconnect", e);
        this.scheduleLeaseRetry();
      };
      client.on("error", lost);
      client.on("end", () => lost());
      try {
        await client.connect();
        for (const name of this.hostLeases)
          await client.query("SELECT pg_advisory_lock_shared(hashtext($1), hashtext($2))", [
            `ec2sim:${this.schema}:host`,
            name,
          ]);
      } catch (e) {
        lost(e);
        throw e;
      }
      if (this.closed) {
        await client.end().catch(() => undefined);
        throw new StoreClosedError("store is closed");
      }
      this.leaseConn = client;
      return client;
    }).finally(() => (this.leaseConnecting = undefined)));
  }

  private scheduleLeaseRetry(): void {
    if (this.leaseRetry || this.closed || this.hostLeases.size === 0) return;
    this.leaseRetry = setTimeout(() => {
      this.leaseRetry = undefined;
      this.leaseClient().catch(() => this.scheduleLeaseRetry());
    }, 500);
    this.leaseRetry.unref();
  }

  /** Waits for in-flight operations, then closes the pool and any LISTEN connection. Idempotent. */
  async close(): Promise<void> {
    this.closed = true;
    return (this.closing ??= (async () => {
      for (const s of this.subs) s.active = false;
      this.subs.clear();
      this.stopListening();
      if (this.leaseRetry) clearTimeout(this.leaseRetry);
      if (this.inflight > 0) await new Promise<void>((r) => (this.drained = r));
      await this.leaseConnecting?.catch(() => undefined);
      const lease = this.leaseConn;
      this.leaseConn = undefined;
      if (lease) {
        lease.removeAllListeners("end");
        lease.on("error", () => undefined);
        await lease.end().catch(() => undefined);
      }
      await this.pool.end();
    })());
  }

  // ---- internals ----

  private checkOpen(): void {
    if (this.closed) throw new StoreClosedError("store is closed");
  }

  /** Runs one store operation: refuses once closed, counts it in flight, maps connection errors. */
  private async op<T>(fn: () => Promise<T>): Promise<T> {
    this.checkOpen();
    this.inflight++;
    try {
      return await fn();
    } catch (e) {
      if (e instanceof StoreError || e instanceof TypeError || e instanceof RangeError) throw e;
      if (isConnectionError(e)) {
        throw new StoreUnavailableError(`PostgreSQL is unavailable: ${(e as Error).message}`, { cause: e });
      }
      throw e;
    } finally {
      if (--this.inflight === 0 && this.drained) this.drained();
    }
  }

  private async transaction<T>(begin: string, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    // The pool does not listen for errors on a checked-out client: without this, a connection lost
    // mid-transaction would be an uncaught 'error' event (the query itself rejects too).
    const onError = (e: Error) => (broken = e);
    client.on("error", onError);
    try {
      await client.query(begin);
      const out = await fn(client);
      await client.query("COMMIT");
      return out;
    } catch (e) {
      if (e instanceof Error && isConnectionError(e)) broken = e;
      else
        await client.query("ROLLBACK").catch((r: unknown) => (broken = r instanceof Error ? r : new Error(String(r))));
      throw e;
    } finally {
      client.off("error", onError);
      client.release(broken); // a broken connection is destroyed, not reused
    }
  }

  private pull(sub: Subscription): void {
    if (!sub.active || this.closed) return;
    if (sub.running) {
      sub.again = true;
      return;
    }
    sub.running = true;
    void (async () => {
      try {
        for (;;) {
          sub.again = false;
          const r = await this.op(async () => {
            return this.transaction("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", async (client) => {
              const head = await client.query({ text: this.sql.lastSeq, values: [sub.name], rowMode: "array" });
              if (head.rowCount === 0) return undefined;
              const rows = (
                await client.query({
                  text: this.sql.catchUp,
                  values: [sub.name, sub.lastSeq, CATCH_UP_BATCH],
                  rowMode: "array",
                })
              ).rows as [string, string][];
              return { last: Number((head.rows[0] as unknown[])[0]), rows };
            });
          });
          if (!sub.active) return;
          if (!r) return this.endSub(sub, new StoreNotFoundError(sub.name));
          if (r.rows.length === 0) {
            if (r.last > sub.lastSeq)
              return this.endSub(
                sub,
                new StoreError(
                  `sandbox "${sub.name}": entries after seq ${sub.lastSeq} were compacted by a snapshot; reload it`,
                ),
              );
            if (!sub.again) return;
            continue;
          }
          const first = Number(r.rows[0]![0]);
          if (first !== sub.lastSeq + 1)
            return this.endSub(
              sub,
              new StoreError(
                `sandbox "${sub.name}": entries ${sub.lastSeq + 1}..${first - 1} were compacted by a snapshot; reload it`,
              ),
            );
          const entries = toEntries(sub.name, r.rows, sub.lastSeq);
          sub.lastSeq = entries[entries.length - 1]!.seq;
          try {
            sub.onEntries(entries);
          } catch (e) {
            this.log(`sandbox "${sub.name}": subscriber failed`, e);
          }
          if (r.rows.length < CATCH_UP_BATCH && !sub.again) return;
        }
      } catch (e) {
        if (!sub.active || this.closed) return;
        // Transient (lost connection): the listener's reconnect or the poll catches up later.
        if (!(e instanceof StoreUnavailableError)) this.log(`sandbox "${sub.name}": catching up failed`, e);
      } finally {
        sub.running = false;
      }
    })();
  }

  private endSub(sub: Subscription, error: Error): void {
    sub.active = false;
    this.subs.delete(sub);
    if (sub.onError) sub.onError(error);
    else this.log(`subscription of sandbox "${sub.name}" ended`, error);
  }

  private ensurePoll(): void {
    const every = this.options.pollMs ?? 10_000;
    if (this.pollTimer || every <= 0) return;
    this.pollTimer = setInterval(() => {
      for (const s of this.subs) this.pull(s);
    }, every);
    this.pollTimer.unref();
  }

  private ensureListener(): void {
    if (this.listener || this.listenerConnecting || this.reconnectTimer || this.closed || this.subs.size === 0) return;
    this.listenerConnecting = true;
    const client = new pg.Client({
      connectionString: this.options.url,
      connectionTimeoutMillis: this.options.connectTimeoutMs ?? 5_000,
      keepAlive: true,
      application_name: "ec2sim-listen",
    });
    let gone = false;
    const lost = (why: string, e?: unknown) => {
      if (gone) return;
      gone = true;
      if (this.listener === client) this.listener = undefined;
      client.removeAllListeners("notification");
      client.end().catch(() => undefined);
      if (this.closed || this.subs.size === 0) return;
      this.log(`PostgreSQL LISTEN connection ${why}; reconnecting in ${this.reconnectDelay} ms`, e);
      this.reconnectTimer = setTimeout(() => {
        this.reconnectTimer = undefined;
        this.ensureListener();
      }, this.reconnectDelay);
      this.reconnectTimer.unref();
      this.reconnectDelay = Math.min(this.reconnectDelay * 2, 5_000);
    };
    client.on("error", (e) => lost("failed", e));
    client.on("end", () => lost("ended"));
    client.on("notification", (n) => {
      if (n.channel !== this.channel || !n.payload) return;
      let msg: { s?: string; seq?: number };
      try {
        msg = JSON.parse(n.payload) as { s?: string; seq?: number };
      } catch {
        return;
      }
      for (const s of this.subs)
        if (s.name === msg.s && (msg.seq === undefined || msg.seq > s.lastSeq || msg.seq < 0)) this.pull(s);
    });
    void (async () => {
      try {
        await client.connect();
        await client.query(`LISTEN "${this.channel}"`);
        this.listenerConnecting = false;
        if (gone) return;
        if (this.closed || this.subs.size === 0) {
          gone = true;
          await client.end().catch(() => undefined);
          return;
        }
        this.listener = client;
        this.reconnectDelay = 100;
        // Listening again: catch up on whatever was committed while we were not.
        for (const s of this.subs) this.pull(s);
      } catch (e) {
        this.listenerConnecting = false;
        lost("could not be opened", e);
      }
    })();
  }

  private stopListening(): void {
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    if (this.pollTimer) clearInterval(this.pollTimer);
    this.pollTimer = undefined;
    const l = this.listener;
    this.listener = undefined;
    if (l) {
      l.removeAllListeners("end");
      l.removeAllListeners("notification");
      l.on("error", () => undefined);
      l.end().catch(() => undefined);
    }
  }
}

function toEntries(name: string, rows: [string, string][], after: number): JournalEntry[] {
  const entries: JournalEntry[] = new Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const seq = Number(rows[i]![0]);
    if (seq !== after + 1 + i)
      throw new StoreCorruptionError(`sandbox "${name}": expected event ${after + 1 + i}, found ${seq}`);
    entries[i] = { seq, event: JSON.parse(rows[i]![1]) as unknown };
  }
  return entries;
}

function statements(s: string) {
  return {
    list: `SELECT meta::text FROM ${s}.sandboxes`,
    create: `INSERT INTO ${s}.sandboxes (name, meta) VALUES ($1, $2::json) ON CONFLICT (name) DO NOTHING`,
    loadHead: `SELECT sb.meta::text, sb.last_seq, sn.seq, sn.state::text
                 FROM ${s}.sandboxes sb LEFT JOIN ${s}.snapshots sn ON sn.sandbox = sb.name WHERE sb.name = $1`,
    loadEvents: `SELECT seq, event::text FROM ${s}.events WHERE sandbox = $1 AND seq > $2 ORDER BY seq`,
    catchUp: `SELECT seq, event::text FROM ${s}.events WHERE sandbox = $1 AND seq > $2 ORDER BY seq LIMIT $3`,
    lastSeq: `SELECT last_seq FROM ${s}.sandboxes WHERE name = $1`,
    historyHead: `SELECT sb.last_seq, (SELECT min(seq) FROM ${s}.events WHERE sandbox = $1) FROM ${s}.sandboxes sb WHERE sb.name = $1`,
    readRange: `SELECT seq, event::text FROM ${s}.events WHERE sandbox = $1 AND seq >= $2 AND seq <= $3 ORDER BY seq`,
    lockHead: `SELECT last_seq, snapshot_seq FROM ${s}.sandboxes WHERE name = $1 FOR UPDATE`,
    // One statement = one transaction: the conditional bump of last_seq (row-locked), the events,
    // and the NOTIFY (delivered at commit). Data-modifying CTEs run even when not referenced.
    append: `WITH upd AS (
               UPDATE ${s}.sandboxes SET last_seq = $2::bigint + cardinality($3::text[])
                WHERE name = $1 AND last_seq = $2::bigint
                RETURNING name, last_seq
             ), ins AS (
               INSERT INTO ${s}.events (sandbox, seq, event)
               SELECT upd.name, $2::bigint + e.ord, e.ev::json FROM upd, unnest($3::text[]) WITH ORDINALITY AS e(ev, ord)
               RETURNING 1
             ), n AS (
               SELECT pg_notify($4, json_build_object('s', upd.name, 'seq', upd.last_seq)::text) FROM upd
             )
             SELECT (SELECT count(*) FROM upd)::int, (SELECT count(*) FROM ins)::int, (SELECT count(*) FROM n)::int`,
    upsertSnapshot: `INSERT INTO ${s}.snapshots (sandbox, seq, state) VALUES ($1, $2, $3::json)
                     ON CONFLICT (sandbox) DO UPDATE SET seq = excluded.seq, state = excluded.state, saved_at = now()`,
    setSnapshotSeq: `UPDATE ${s}.sandboxes SET snapshot_seq = $2 WHERE name = $1`,
    compact: `DELETE FROM ${s}.events WHERE sandbox = $1 AND seq <= $2`,
    delete: `WITH d AS (DELETE FROM ${s}.sandboxes WHERE name = $1 RETURNING name)
             SELECT pg_notify($2, json_build_object('s', d.name, 'seq', -1)::text) FROM d`,
  };
}
