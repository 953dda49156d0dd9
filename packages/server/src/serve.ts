/**
 * Starts a whole server in-process: a store, a `SandboxHost` on it, the sandboxes asked for, and
 * the HTTP endpoint. Used by `ec2sim serve`, by tests, and by the REPL's embedded mode.
 */
import type { IncomingMessage, Server } from "node:http";
import type { Duplex } from "node:stream";
import { credentialsFor } from "@ec2sim/core";
import { announceServer, defaultDataDir } from "@ec2sim/protocol/local-servers";
import { isLoopbackHost, requestGuard } from "./guard.ts";
import { DEFAULT_SANDBOX, SandboxHost, type SandboxInfo } from "./host.ts";
import { createHttpServer, listen } from "./http.ts";
import { ADMIN_TOKEN_FILE, INSTALL_SECRET_FILE, newSecret, readOrCreateSecret } from "./install.ts";
import { JournalStore } from "./store/journal-store.ts";
import { MemoryStore } from "./store/memory-store.ts";
import type { SandboxStore } from "./store/store.ts";
import type { WebSocketEndpoint } from "./ws.ts";

export interface ServeOptions {
  port?: number;
  hostname?: string;
  store?: "memory" | "journal" | "postgres";
  /** Connection URL of the PostgreSQL store (store "postgres"): postgres://user:pass@host:port/db. */
  postgresUrl?: string;
  /** Data directory of the journal store. */
  dataDir?: string;
  /** Sandboxes to create when missing (the first is the one behind `/`), default [{name:"default"}]. */
  sandboxes?: { name: string; seed?: string }[];
  /** Clock speed of sandboxes created now; with `forceSpeed`, also applied to existing ones. */
  speed?: number;
  forceSpeed?: boolean;
  acceptAnySignature?: boolean;
  tickMs?: number;
  /** Save a sandbox's snapshot every this many events (the host's `snapshotEvery`: 10,000 unless told; 0 never). */
  snapshotEvery?: number;
  /** Encode snapshots on a worker thread (the host's `snapshotWorker`: true unless told). */
  snapshotWorker?: boolean;
  /** Make RSA keys on the key worker thread (the host's `keyWorker`: true unless told). */
  keyWorker?: boolean;
  /** Delete the history a snapshot covers (the store's `compactOnSnapshot`); off unless told: all history is kept. */
  compactHistory?: boolean;
  log?: (message: string, error?: unknown) => void;
  /** Told when the server cannot go on safely (it lost its data directory's lock): close it. */
  onFatal?: (error: Error) => void;
  /** The admin token (else `<data>/admin-token`, made at the first start). `ec2sim serve` reads EC2SIM_ADMIN_TOKEN. */
  adminToken?: string;
  /** Host names (and `host:port`) the admin API and the WebSocket answer besides the loopback names. */
  allowedHosts?: string[];
  /** Browser origins (`https://tools.example`) allowed to use the admin API and the WebSocket. */
  allowedOrigins?: string[];
  /** Serve HTTPS with this certificate and key (PEM). */
  tls?: { cert: Buffer | string; key: Buffer | string };
  /** Open connections allowed in all (8,192 unless told) and per client address (512): beyond, a 503 and close. */
  maxConnections?: number;
  maxConnectionsPerClient?: number;
  /** How long a client may take to send its headers (10 s unless told) and its whole request (30 s): beyond, a 408. */
  headersTimeoutMs?: number;
  requestTimeoutMs?: number;
}

export interface RunningSandboxServer {
  readonly url: string;
  readonly port: number;
  readonly host: SandboxHost;
  readonly defaultSandbox: string;
  readonly sandboxes: SandboxInfo[];
  readonly dataDir: string | undefined;
  /** The admin token the admin API requires (bearer), and the file it is kept in (mode 600) unless it was given. */
  readonly adminToken: string;
  readonly adminTokenFile: string | undefined;
  /** It was made by this start (the banner shows it once). */
  readonly adminTokenCreated: boolean;
  close(): Promise<void>;
}

/** The data directory when none is given (EC2SIM_DATA, else ~/.ec2sim/data): the one tools look in too. */
export { defaultDataDir };

async function openJournal(dir: string, compactOnSnapshot: boolean, options: ServeOptions): Promise<JournalStore> {
  const store = await JournalStore.open(dir, {
    compactOnSnapshot,
    onLockLost: (e) => {
      options.log?.(`${e.message}; writes stop now, since another server may take ${dir}`);
      options.onFatal?.(e);
    },
  });
  if (store.lockKind === "pid")
    options.log?.(
      `warning: flock(1) (util-linux) was not found, so ${dir} is locked by a pid file only: it cannot see a server in another container or on another host sharing this directory`,
    );
  return store;
}

/** The PostgreSQL store keeps the install secret in its database (every replica derives the same keys). */
const isSharedSecretStore = (
  store: SandboxStore,
): store is SandboxStore & { installSecret(candidate: string): Promise<string> } =>
  typeof (store as { installSecret?: unknown }).installSecret === "function";

/** Re-exported for `ec2sim serve`'s --host rule. */
export { isLoopbackHost };

/**
 * Sandboxes made before keys came from the install secret have the keys anyone can compute from
 * their seed (they are kept: they are in the log); say so, and how to get private ones.
 */
function warnOfPublicKeys(info: SandboxInfo, log: ServeOptions["log"]): void {
  const public_ = info.accounts.filter(
    (a) => credentialsFor(info.seed, a.accountId).secretAccessKey === a.secretAccessKey,
  );
  if (!public_.length) return;
  log?.(
    `notice: sandbox "${info.name}" was made by an earlier ec2sim: the keys of account(s) ${public_.map((a) => a.accountId).join(", ")} ` +
      `derive from its seed, so anyone can compute them. They keep working; for keys no one else knows, make a new sandbox ` +
      `(or delete this one: it is made again with private keys at the next start).`,
  );
}

export async function startServer(options: ServeOptions = {}): Promise<RunningSandboxServer> {
  const kind = options.store ?? "journal";
  const dataDir = kind === "journal" ? (options.dataDir ?? defaultDataDir()) : undefined;
  /** Where the admin token (and, but for PostgreSQL, the install secret) live, whatever the store. */
  const home = options.dataDir ?? defaultDataDir();
  const compactOnSnapshot = options.compactHistory ?? false;
  const store: SandboxStore =
    kind === "memory"
      ? new MemoryStore({ compactOnSnapshot })
      : kind === "postgres"
        ? // PostgreSQL's driver is loaded only for a postgres store.
          await (await import("./store/postgres-store.ts")).PostgresStore.open({
            url: options.postgresUrl ?? "",
            compactOnSnapshot,
            ...(options.log ? { log: options.log } : {}),
          })
        : await openJournal(dataDir!, compactOnSnapshot, options);
  let secrets: { installSecret: string; token: { value: string; file?: string; created: boolean } };
  try {
    secrets = {
      installSecret: isSharedSecretStore(store)
        ? await store.installSecret(newSecret())
        : (await readOrCreateSecret(home, INSTALL_SECRET_FILE)).value,
      token: options.adminToken
        ? { value: options.adminToken, created: false }
        : await readOrCreateSecret(home, ADMIN_TOKEN_FILE),
    };
  } catch (e) {
    await store.close().catch(() => undefined);
    throw e;
  }
  const host = new SandboxHost({
    store,
    installSecret: secrets.installSecret,
    ...(options.tickMs !== undefined ? { tickMs: options.tickMs } : {}),
    ...(options.snapshotEvery !== undefined ? { snapshotEvery: options.snapshotEvery } : {}),
    ...(options.snapshotWorker !== undefined ? { snapshotWorker: options.snapshotWorker } : {}),
    ...(options.keyWorker !== undefined ? { keyWorker: options.keyWorker } : {}),
    ...(options.log ? { log: options.log } : {}),
  });
  try {
    const wanted = options.sandboxes?.length ? options.sandboxes : [{ name: DEFAULT_SANDBOX }];
    const infos: SandboxInfo[] = [];
    for (const s of wanted) {
      const { created, info } = await host.ensure(s.name, {
        ...(s.seed ? { seed: s.seed } : {}),
        ...(options.speed ? { speed: options.speed } : {}),
      });
      if (!created) {
        if (s.seed && s.seed !== info.seed)
          options.log?.(`sandbox "${s.name}" exists with seed "${info.seed}"; the seed "${s.seed}" is ignored`);
        if (options.forceSpeed && options.speed && (info.clock.speed !== options.speed || info.clock.paused)) {
          await host.setClock(s.name, { speed: options.speed, paused: false });
        }
      }
      const current = await host.info(s.name);
      warnOfPublicKeys(current, options.log);
      infos.push(current);
    }
    const defaultSandbox = wanted[0]!.name;
    const hostname = options.hostname ?? "127.0.0.1";
    const guard = requestGuard({
      adminToken: secrets.token.value,
      // The address it is bound to is a name it answers to as well.
      allowedHosts: [...(options.allowedHosts ?? []), ...(isLoopbackHost(hostname) ? [] : [hostname])],
      allowedOrigins: options.allowedOrigins ?? [],
    });
    const server = createHttpServer(host, {
      defaultSandbox,
      guard,
      ...(options.tls ? { tls: options.tls } : {}),
      ...(options.maxConnections !== undefined ? { maxConnections: options.maxConnections } : {}),
      ...(options.maxConnectionsPerClient !== undefined
        ? { maxConnectionsPerClient: options.maxConnectionsPerClient }
        : {}),
      ...(options.headersTimeoutMs !== undefined ? { headersTimeoutMs: options.headersTimeoutMs } : {}),
      ...(options.requestTimeoutMs !== undefined ? { requestTimeoutMs: options.requestTimeoutMs } : {}),
      acceptAnySignature: options.acceptAnySignature ?? false,
      ...(options.log ? { log: options.log } : {}),
    });
    // WebSocket protocol (issue #5)
    const ws = lazyWebSocket(server, async () =>
      (await import("./ws.ts")).attachWebSocket(server, host, {
        defaultSandbox,
        guard,
        ...(options.log ? { log: options.log } : {}),
      }),
    );
    const running = await listen(server, options.port ?? 4566, hostname);
    // Tools given only this URL (the Terraform provider, the bridge, a --connect REPL) find the token
    // file through this note, wherever the data directory is.
    const withdraw = secrets.token.file ? announceServer(running.url, secrets.token.file) : () => undefined;
    let closing: Promise<void> | undefined;
    return {
      url: running.url,
      port: running.port,
      host,
      defaultSandbox,
      sandboxes: infos,
      dataDir,
      adminToken: secrets.token.value,
      adminTokenFile: secrets.token.file,
      adminTokenCreated: secrets.token.created,
      close: () =>
        (closing ??= (async () => {
          withdraw();
          await ws.close(); // WebSocket protocol (issue #5)
          await running.close();
          await host.close();
        })()),
    };
  } catch (e) {
    await host.close().catch(() => undefined);
    throw e;
  }
}

/**
 * The WebSocket endpoint, loaded on the first upgrade request: a server no REPL opens never loads
 * ws or parses the protocol's schemas (a third of its start-up). Requests that arrive while it
 * loads are handed to it, in order, once it listens.
 */
function lazyWebSocket(server: Server, attach: () => Promise<WebSocketEndpoint>): { close(): Promise<void> } {
  let endpoint: Promise<WebSocketEndpoint> | undefined;
  let closed = false;
  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    endpoint ??= attach().then((ep) => {
      server.off("upgrade", onUpgrade); // from now on the endpoint's own listener answers
      return ep;
    });
    endpoint.then(
      () => (closed ? socket.destroy() : server.emit("upgrade", req, socket, head)),
      () => socket.destroy(),
    );
  };
  server.on("upgrade", onUpgrade);
  return {
    close: async () => {
      closed = true;
      server.off("upgrade", onUpgrade);
      await endpoint?.then(
        (ep) => ep.close(),
        () => undefined,
      );
    },
  };
}
