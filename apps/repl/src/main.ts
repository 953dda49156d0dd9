/**
 * The REPL session (`ec2sim` with no command; apps/cli parses the command line): on a server it
 * starts in-process on the embedded journal store (data dir ~/.ec2sim/data or EC2SIM_DATA; port
 * 4566 when free, else any free port), or on a running server with `--connect ws://…`. The REPL's
 * frame is drawn first; the server, the connection and the first read of the sandbox arrive behind it.
 */
import { appendFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import type { SandboxClient } from "@ec2sim/protocol";
import { render } from "ink";
import { createElement } from "react";
import type { OutLine } from "./commands/run.ts";
import { App, type Session } from "./components/App.tsx";
import { History } from "./state/history.ts";
import { KeyStore } from "./state/key-store.ts";

export interface ReplArgs {
  dataDir: string;
  port?: number;
  sandbox: string;
  speed?: number;
  connect?: string;
  accessKeyId?: string;
  secretAccessKey?: string;
}

export class ReplUsageError extends Error {}

interface AccountKeys {
  accountId: string;
  alias?: string;
  accessKeyId: string;
  secretAccessKey: string;
}

/** The sandbox's accounts and their keys, from the server's admin API (with its admin token). */
async function accountsFromServer(url: string, sandbox: string, dataDir: string): Promise<AccountKeys[]> {
  const [{ wsUrlOf }, { adminTokenFor }] = await Promise.all([
    import("@ec2sim/protocol"),
    import("@ec2sim/protocol/local-servers"),
  ]);
  const http = wsUrlOf(url)
    .replace(/^ws/, "http")
    .replace(/\/_ec2sim\/ws.*$/, "");
  const token = adminTokenFor(http, process.env, dataDir);
  const res = await fetch(`${http}/_ec2sim/sandboxes/${encodeURIComponent(sandbox)}`, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
  }).catch((e: unknown) => {
    throw new ReplUsageError(`cannot reach ${http}: ${e instanceof Error ? e.message : String(e)}`);
  });
  if (res.status === 401)
    throw new ReplUsageError(
      `the server at ${http} wants its admin token to tell an account's keys: set EC2SIM_ADMIN_TOKEN (it is in that server's data directory, file admin-token), pass --data DIR of that server, or give the keys (--access-key-id/--secret-access-key)`,
    );
  if (!res.ok)
    throw new ReplUsageError(
      `the server at ${http} has no sandbox '${sandbox}' (HTTP ${res.status}); pass --sandbox NAME`,
    );
  const info = (await res.json()) as { accounts: AccountKeys[] };
  if (!info.accounts.length) throw new ReplUsageError(`sandbox '${sandbox}' has no accounts`);
  return info.accounts;
}

/**
 * Runs the REPL until it is left. `drawn` says how many lines above the cursor's a first frame
 * took that was written before anything was loaded (`firstFrame`; -1: none): Ink's first frame
 * replaces it.
 */
export async function runRepl(args: ReplArgs, drawn = -1): Promise<number> {
  mkdirSync(args.dataDir, { recursive: true });
  const logFile = join(args.dataDir, "ec2sim.log");
  // The screen belongs to Ink: the server's complaints go to a log file.
  const log = (m: string, e?: unknown) => {
    try {
      appendFileSync(
        logFile,
        `${new Date().toISOString()} ${m}${e ? `: ${e instanceof Error ? e.message : String(e)}` : ""}\n`,
      );
    } catch {
      // nowhere to log
    }
  };
  const history = new History(join(args.dataDir, "repl_history"));
  let server: { url: string; close(): Promise<void> } | undefined;
  let accounts: () => Promise<AccountKeys[]> = async () => [];
  let current: Session | undefined;
  const { SandboxClient, isProtocolError, wsUrlOf } = await import("@ec2sim/protocol");
  const { SandboxView } = await import("./view/sandbox-view.ts");

  const open = async (url: string, creds: AccountKeys, greeting: OutLine[]): Promise<Session> => {
    let client: SandboxClient;
    try {
      client = await SandboxClient.connect({ url, sandbox: args.sandbox, ...creds, clientName: "ec2sim-repl" });
    } catch (e) {
      if (isProtocolError(e)) throw new ReplUsageError(`${e.code}: ${e.message}`);
      throw e;
    }
    const view = new SandboxView(client);
    await view.start();
    const keys = new KeyStore(join(args.dataDir, "keys"), { sandbox: args.sandbox, accountId: client.accountId });
    return { client, view, keys, greeting };
  };

  const connecting = (async (): Promise<Session> => {
    if (args.connect) {
      const url = args.connect;
      accounts = () => accountsFromServer(url, args.sandbox, args.dataDir);
      const creds =
        args.accessKeyId && args.secretAccessKey
          ? { accountId: "", accessKeyId: args.accessKeyId, secretAccessKey: args.secretAccessKey }
          : (await accounts())[0]!;
      return open(url, creds, [{ text: `connected to ${wsUrlOf(url)} (sandbox ${args.sandbox})`, dim: true }]);
    }
    const { startServer, StoreLockedError } = await import("@ec2sim/server");
    const base = {
      store: "journal" as const,
      dataDir: args.dataDir,
      sandboxes: [{ name: args.sandbox }],
      log,
      ...(args.speed ? { speed: args.speed } : {}),
    };
    try {
      try {
        server = await startServer({ ...base, port: args.port ?? 4566 });
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === "EADDRINUSE" && args.port === undefined)
          server = await startServer({ ...base, port: 0 });
        else throw e;
      }
    } catch (e) {
      if (e instanceof StoreLockedError)
        throw new ReplUsageError(
          `${args.dataDir} is in use by another ec2sim (${e.message}).\nJoin it with: ec2sim --connect ws://127.0.0.1:4566 (its port), or use another --data DIR`,
        );
      if ((e as NodeJS.ErrnoException).code === "EADDRINUSE")
        throw new ReplUsageError(`port ${args.port} is in use: pass --port 0 for any free port`);
      throw e;
    }
    const running = server as Awaited<ReturnType<typeof startServer>>;
    accounts = async () => (await running.host.info(args.sandbox)).accounts;
    const creds = running.sandboxes[0]!.accounts[0]!;
    return open(running.url, creds, [
      {
        text: `ec2sim: sandbox "${args.sandbox}" served at ${running.url} (journal in ${running.dataDir})`,
        color: "cyan",
      },
      {
        text: `  AWS CLI: AWS_ACCESS_KEY_ID=${creds.accessKeyId} AWS_SECRET_ACCESS_KEY=${creds.secretAccessKey} AWS_DEFAULT_REGION=us-east-1 \\`,
        dim: true,
      },
      { text: `           aws --endpoint-url ${running.url} ec2 describe-instances`, dim: true },
      { text: `  another REPL: ec2sim --connect ${running.url.replace("http", "ws")}`, dim: true },
    ]);
  })();

  const openAccount = async (which: string): Promise<Session> => {
    const all = await accounts();
    const a = all.find((x) => x.accountId === which || x.alias === which);
    if (!a)
      throw new ReplUsageError(
        `no account '${which}' in sandbox ${args.sandbox}: ${all.map((x) => `${x.accountId}${x.alias ? ` (${x.alias})` : ""}`).join(", ")}`,
      );
    const url = server?.url ?? args.connect!;
    const old = current;
    const s = await open(url, a, []);
    old?.view.stop();
    void old?.client.close().catch(() => undefined);
    return s;
  };

  eraseFirstFrame(drawn);
  return await new Promise<number>((resolve, reject) => {
    let done = false;
    const finish = async (failure?: unknown) => {
      if (done) return;
      done = true;
      if (failure) app.clear(); // the frame goes; the reason is printed in its place
      app.unmount();
      if (process.stdin.isTTY) process.stdin.setRawMode(false);
      process.stdin.pause();
      current?.view.stop();
      await current?.client.close().catch(() => undefined);
      await server?.close().catch(() => undefined);
      if (failure) reject(failure);
      else resolve(0);
    };
    const app = render(
      createElement(App, {
        connecting,
        starting: args.connect ? `connecting to ${args.connect}…` : "starting the server…",
        history,
        greeting: [{ text: "Type ? for help, Tab to complete. Try: launch al2023 t3.micro", dim: true }],
        onExit: () => void finish(),
        accounts: async () =>
          (await accounts()).map((a) => ({ accountId: a.accountId, ...(a.alias ? { alias: a.alias } : {}) })),
        openAccount,
        onSession: (s: Session) => {
          current = s;
        },
      }),
      // incremental: a frame rewrites only the lines that changed (a clock tick is the header's line, not the screen)
      { exitOnCtrlC: false, patchConsole: true, incrementalRendering: true },
    );
    connecting.catch((e: unknown) => void finish(e));
    process.once("SIGTERM", () => void finish());
    process.once("SIGHUP", () => void finish());
  });
}

/** Takes back a first frame drawn before the REPL loaded (`drawn` lines above the cursor's), so what follows starts where it did. */
let erased = false;
export function eraseFirstFrame(drawn: number, now = false): void {
  if (drawn < 0 || erased) return;
  erased = true;
  const erase = `\r${drawn > 0 ? `\x1b[${drawn}A` : ""}\x1b[J`;
  if (now) {
    process.stdout.write(erase);
    return;
  }
  // prefixed to whatever is written next (Ink's first frame), so the screen is never blank between
  const out = process.stdout as unknown as { write: (chunk: unknown, ...rest: unknown[]) => boolean };
  const write = out.write;
  out.write = (chunk: unknown, ...rest: unknown[]) => {
    out.write = write;
    return write.call(process.stdout, typeof chunk === "string" ? erase + chunk : chunk, ...rest);
  };
}
