/**
 * Gets a sandbox's state: from a running server (its admin API's event log) or from a local data
 * directory (the journal store, when no server holds it), optionally as of an earlier event.
 * Either way the log is replayed through core, so the state is exactly what the server has. The
 * store keeps a sandbox's whole history across snapshots, so any seq can be read back — unless
 * the server was told to compact it (`ec2sim serve --compact-history`).
 */
import { type EventEnvelope, Sandbox, type SandboxState } from "@ec2sim/core";
import { adminTokenFor } from "@ec2sim/protocol/local-servers";

export interface LoadedSandbox {
  name: string;
  state: SandboxState;
  seq: number;
}

interface EventLog {
  config: { seed: string; start?: number };
  events: EventEnvelope[];
}

/** What the bridge needs of the server's journal store (the server's CLI hands it in). */
export type LocalStoreOpener = (dataDir: string) => Promise<{
  list(): Promise<{ name: string; config: unknown }[]>;
  /** The history from `fromSeq` up to `toSeq` (the end when absent); rejects when it was compacted away. */
  readEntries(name: string, fromSeq: number, toSeq?: number): Promise<{ seq: number; event: unknown }[]>;
  close(): Promise<void>;
}>;

function replay(name: string, log: EventLog, upTo?: number): LoadedSandbox {
  const sb = Sandbox.replay(log.events, {
    seed: log.config.seed,
    realNow: () => 0,
    ...(log.config.start !== undefined ? { start: log.config.start } : {}),
    ...(upTo !== undefined ? { upTo } : {}),
  });
  return { name, state: sb.state, seq: sb.state.seq };
}

export async function loadFromServer(
  url: string,
  name: string,
  upTo?: number,
  token = adminTokenFor(url),
): Promise<LoadedSandbox> {
  const u = `${url.replace(/\/+$/, "")}/_ec2sim/sandboxes/${encodeURIComponent(name)}/events${upTo !== undefined ? `?upTo=${upTo}` : ""}`;
  let res: Response;
  try {
    res = await fetch(u, token ? { headers: { authorization: `Bearer ${token}` } } : {});
  } catch (e) {
    throw new Error(
      `cannot reach the ec2sim server at ${url} (${(e as Error).cause ?? (e as Error).message}); is \`ec2sim serve\` running? Or pass --data DIR to read a stopped server's data`,
    );
  }
  const text = await res.text();
  if (!res.ok) {
    let msg = text;
    try {
      msg = JSON.parse(text).error?.message ?? text;
    } catch {
      /* not JSON */
    }
    throw new Error(`sandbox ${name} at ${url}: HTTP ${res.status}: ${msg}`);
  }
  return replay(name, JSON.parse(text) as EventLog, upTo);
}

export async function loadFromDataDir(
  open: LocalStoreOpener,
  dataDir: string,
  name: string,
  upTo?: number,
): Promise<LoadedSandbox> {
  let store;
  try {
    store = await open(dataDir);
  } catch (e) {
    throw new Error(
      `${(e as Error).message}\n(while a server runs, read the sandbox from it: --server URL instead of --data)`,
    );
  }
  try {
    const meta = (await store.list()).find((m) => m.name === name);
    if (!meta) throw new Error(`sandbox ${name} does not exist in ${dataDir}`);
    let entries;
    try {
      entries = await store.readEntries(name, 1, upTo);
    } catch (e) {
      if ((e as Error).name !== "StoreCompactedError") throw e;
      throw new Error(
        `sandbox ${name} in ${dataDir}: ${(e as Error).message} (the server compacts history: --compact-history), so it cannot be replayed`,
      );
    }
    return replay(
      name,
      { config: meta.config as EventLog["config"], events: entries.map((e) => e.event as EventEnvelope) },
      upTo,
    );
  } finally {
    await store.close();
  }
}
