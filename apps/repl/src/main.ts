/**
 * The REPL session (`ec2sim` with no command; apps/cli parses the command line): on a server it
 * starts in-process on the embedded journal store (data dir ~/.ec2sim/data or EC2SIM_DATA; port
 * 4566 when free, else any free port), or on a running server with `--connect ws://…`.
 */
import { appendFileSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { isProtocolError, SandboxClient, wsUrlOf } from "@ec2sim/protocol";
import { ADMIN_TOKEN_FILE, type RunningSandboxServer, StoreLockedError, startServer } from "@ec2sim/server";
import { render } from "ink";
import { createElement } from "react";
import type { OutLine } from "./commands/run.ts";
import { App } from "./components/App.tsx";
import { History } from "./state/history.ts";
import { KeyStore } from "./state/key-store.ts";
import { SandboxView } from "./view/sandbox-view.ts";

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

/** Starts the in-process server: port 4566 if free, else any free port. */
async function startEmbedded(args: ReplArgs, log: (m: string, e?: unknown) => void): Promise<RunningSandboxServer> {
  const base = {
    store: "journal" as const,
    dataDir: args.dataDir,
    sandboxes: [{ name: args.sandbox }],
    log,
    ...(args.speed ? { speed: args.speed } : {}),
  };
  try {
    return await startServer({ ...base, port: args.port ?? 4566 });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "EADDRINUSE" && args.port === undefined)
      return startServer({ ...base, port: 0 });
    throw e;
  }
}

/** The admin token for another server's admin API: EC2SIM_ADMIN_TOKEN, else `<data>/admin-token` (a server on this data dir). */
function adminTokenFor(dataDir: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.EC2SIM_ADMIN_TOKEN) return env.EC2SIM_ADMIN_TOKEN;
  try {
    return readFileSync(join(dataDir, ADMIN_TOKEN_FILE), "utf8").trim() || undefined;
  } catch {
    return undefined;
  }
}

async function credentialsFromServer(
  url: string,
  sandbox: string,
  dataDir: string,
): Promise<{ accessKeyId: string; secretAccessKey: string }> {
  const http = wsUrlOf(url)
    .replace(/^ws/, "http")
    .replace(/\/_ec2sim\/ws.*$/, "");
  const token = adminTokenFor(dataDir);
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
  const info = (await res.json()) as { accounts: { accessKeyId: string; secretAccessKey: string }[] };
  const a = info.accounts[0];
  if (!a) throw new ReplUsageError(`sandbox '${sandbox}' has no accounts`);
  return a;
}

export async function runRepl(args: ReplArgs): Promise<number> {
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
  let server: RunningSandboxServer | undefined;
  let url: string;
  let creds: { accessKeyId: string; secretAccessKey: string };
  const greeting: OutLine[] = [];
  if (args.connect) {
    url = args.connect;
    creds =
      args.accessKeyId && args.secretAccessKey
        ? { accessKeyId: args.accessKeyId, secretAccessKey: args.secretAccessKey }
        : await credentialsFromServer(url, args.sandbox, args.dataDir);
    greeting.push({ text: `connected to ${wsUrlOf(url)} (sandbox ${args.sandbox})`, dim: true });
  } else {
    try {
      server = await startEmbedded(args, log);
    } catch (e) {
      if (e instanceof StoreLockedError) {
        throw new ReplUsageError(
          `${args.dataDir} is in use by another ec2sim (${e.message}).\nJoin it with: ec2sim --connect ws://127.0.0.1:4566 (its port), or use another --data DIR`,
        );
      }
      if ((e as NodeJS.ErrnoException).code === "EADDRINUSE")
        throw new ReplUsageError(`port ${args.port} is in use: pass --port 0 for any free port`);
      throw e;
    }
    url = server.url;
    const info = server.sandboxes[0]!;
    creds = info.accounts[0]!;
    greeting.push(
      { text: `ec2sim: sandbox "${info.name}" served at ${server.url} (journal in ${server.dataDir})`, color: "cyan" },
      {
        text: `  AWS CLI: AWS_ACCESS_KEY_ID=${creds.accessKeyId} AWS_SECRET_ACCESS_KEY=${creds.secretAccessKey} AWS_DEFAULT_REGION=us-east-1 \\`,
        dim: true,
      },
      { text: `           aws --endpoint-url ${server.url} ec2 describe-instances`, dim: true },
      { text: `  another REPL: ec2sim --connect ${server.url.replace("http", "ws")}`, dim: true },
    );
  }
  greeting.push({ text: "Type ? for help, Tab to complete. Try: launch al2023 t3.micro", dim: true });

  let client: SandboxClient;
  try {
    client = await SandboxClient.connect({ url, sandbox: args.sandbox, ...creds, clientName: "ec2sim-repl" });
  } catch (e) {
    await server?.close();
    if (isProtocolError(e)) throw new ReplUsageError(`${e.code}: ${e.message}`);
    throw e;
  }
  const view = new SandboxView(client);
  await view.start();
  const history = new History(join(args.dataDir, "repl_history"));
  const keys = new KeyStore(join(args.dataDir, "keys"), { sandbox: args.sandbox, accountId: client.accountId });

  return await new Promise<number>((resolve) => {
    let done = false;
    const finish = async () => {
      if (done) return;
      done = true;
      app.unmount();
      if (process.stdin.isTTY) process.stdin.setRawMode(false);
      process.stdin.pause();
      view.stop();
      await client.close().catch(() => undefined);
      await server?.close().catch(() => undefined);
      resolve(0);
    };
    const app = render(createElement(App, { client, view, keys, history, greeting, onExit: () => void finish() }), {
      exitOnCtrlC: false,
      patchConsole: true,
    });
    process.once("SIGTERM", () => void finish());
    process.once("SIGHUP", () => void finish());
  });
}
