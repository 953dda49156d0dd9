/**
 * Starts a whole server in-process: a store, a `SandboxHost` on it, the sandboxes asked for, and
 * the HTTP endpoint. Used by `ec2sim serve`, by tests, and by the REPL's embedded mode.
 */
import type { IncomingMessage, Server } from "node:http";
import { homedir } from "node:os";
import { join } from "node:path";
import type { Duplex } from "node:stream";
import { DEFAULT_SANDBOX, SandboxHost, type SandboxInfo } from "./host.ts";
import { createHttpServer, listen } from "./http.ts";
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
  /** Delete the history a snapshot covers (the store's `compactOnSnapshot`); off unless told: all history is kept. */
  compactHistory?: boolean;
  log?: (message: string, error?: unknown) => void;
  /** Told when the server cannot go on safely (it lost its data directory's lock): close it. */
  onFatal?: (error: Error) => void;
}

export interface RunningSandboxServer {
  readonly url: string;
  readonly port: number;
  readonly host: SandboxHost;
  readonly defaultSandbox: string;
  readonly sandboxes: SandboxInfo[];
  readonly dataDir: string | undefined;
  close(): Promise<void>;
}

export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.EC2SIM_DATA || join(homedir(), ".ec2sim", "data");
}

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

export async function startServer(options: ServeOptions = {}): Promise<RunningSandboxServer> {
  const kind = options.store ?? "journal";
  const dataDir = kind === "journal" ? (options.dataDir ?? defaultDataDir()) : undefined;
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
  const host = new SandboxHost({
    store,
    ...(options.tickMs !== undefined ? { tickMs: options.tickMs } : {}),
    ...(options.snapshotEvery !== undefined ? { snapshotEvery: options.snapshotEvery } : {}),
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
      infos.push(await host.info(s.name));
    }
    const defaultSandbox = wanted[0]!.name;
    const server = createHttpServer(host, {
      defaultSandbox,
      acceptAnySignature: options.acceptAnySignature ?? false,
      ...(options.log ? { log: options.log } : {}),
    });
    // WebSocket protocol (issue #5)
    const ws = lazyWebSocket(server, async () =>
      (await import("./ws.ts")).attachWebSocket(server, host, {
        defaultSandbox,
        ...(options.log ? { log: options.log } : {}),
      }),
    );
    const running = await listen(server, options.port ?? 4566, options.hostname ?? "127.0.0.1");
    let closing: Promise<void> | undefined;
    return {
      url: running.url,
      port: running.port,
      host,
      defaultSandbox,
      sandboxes: infos,
      dataDir,
      close: () =>
        (closing ??= (async () => {
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
