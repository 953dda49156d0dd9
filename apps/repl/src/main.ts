/**
 * The `ec2sim` command. With no subcommand it opens the REPL: on a server it starts in-process on
 * the embedded journal store (data dir ~/.ec2sim/data or EC2SIM_DATA; port 4566 when free, else
 * any free port), or on a running server with `--connect ws://…`. Subcommands (`serve`, …) go to
 * the server's command line.
 */
import { appendFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { isProtocolError, SandboxClient, wsUrlOf } from "@ec2sim/protocol";
import { cliMain, defaultDataDir, type RunningSandboxServer, StoreLockedError, startServer } from "@ec2sim/server";
import { render } from "ink";
import { createElement } from "react";
import type { OutLine } from "./commands/run.ts";
import { App } from "./components/App.tsx";
import { History } from "./state/history.ts";
import { KeyStore } from "./state/key-store.ts";
import { SandboxView } from "./view/sandbox-view.ts";

export const REPL_USAGE = `Usage: ec2sim [options]            open the REPL on a sandbox (starts a server in-process)
       ec2sim --connect URL [options]  open the REPL on a running server (ws://HOST:PORT or http://HOST:PORT)

Options of the REPL:
  --data DIR            data directory (default ~/.ec2sim/data, env EC2SIM_DATA): journal, history, keys
  --port N              port of the in-process server (default 4566 when free, else a free one)
  --sandbox NAME        sandbox to open (default "default")
  --speed N             clock speed of a sandbox created now (default 1)
  --connect URL         join a running ec2sim server instead of starting one
  --access-key-id K     with --connect: the account's credentials (default: env AWS_ACCESS_KEY_ID /
  --secret-access-key S   AWS_SECRET_ACCESS_KEY, else the sandbox's first account from the server)
`;

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

export function parseReplArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): ReplArgs {
  const { values, positionals } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: true,
    options: {
      data: { type: "string" },
      port: { type: "string" },
      sandbox: { type: "string" },
      speed: { type: "string" },
      connect: { type: "string" },
      "access-key-id": { type: "string" },
      "secret-access-key": { type: "string" },
    },
  });
  if (positionals.length) throw new ReplUsageError(`unexpected argument: ${positionals[0]}`);
  const port = values.port === undefined ? undefined : Number(values.port);
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535))
    throw new ReplUsageError(`--port must be 0..65535, not ${values.port}`);
  const speed = values.speed === undefined ? undefined : Number(values.speed);
  if (speed !== undefined && (!Number.isFinite(speed) || speed <= 0 || speed > 100_000))
    throw new ReplUsageError(`--speed must be in (0, 100000], not ${values.speed}`);
  return {
    dataDir: values.data ?? defaultDataDir(env),
    ...(port !== undefined ? { port } : {}),
    sandbox: values.sandbox ?? "default",
    ...(speed !== undefined ? { speed } : {}),
    ...(values.connect ? { connect: values.connect } : {}),
    ...((values["access-key-id"] ?? env.AWS_ACCESS_KEY_ID)
      ? { accessKeyId: values["access-key-id"] ?? env.AWS_ACCESS_KEY_ID }
      : {}),
    ...((values["secret-access-key"] ?? env.AWS_SECRET_ACCESS_KEY)
      ? { secretAccessKey: values["secret-access-key"] ?? env.AWS_SECRET_ACCESS_KEY }
      : {}),
  };
}

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

async function credentialsFromServer(
  url: string,
  sandbox: string,
): Promise<{ accessKeyId: string; secretAccessKey: string }> {
  const http = wsUrlOf(url)
    .replace(/^ws/, "http")
    .replace(/\/_ec2sim\/ws.*$/, "");
  const res = await fetch(`${http}/_ec2sim/sandboxes/${encodeURIComponent(sandbox)}`).catch((e: unknown) => {
    throw new ReplUsageError(`cannot reach ${http}: ${e instanceof Error ? e.message : String(e)}`);
  });
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
        : await credentialsFromServer(url, args.sandbox);
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

/** The `ec2sim` entry point: the REPL without a subcommand, the server's CLI with one. */
export async function main(argv: string[]): Promise<number> {
  const first = argv[0];
  if (first === "--help" || first === "-h" || first === "help") {
    console.log(REPL_USAGE);
    return cliMain(["help"]);
  }
  if (first !== undefined && !first.startsWith("-")) return cliMain(argv);
  try {
    return await runRepl(parseReplArgs(argv));
  } catch (e) {
    if (
      e instanceof ReplUsageError ||
      (e instanceof TypeError && (e as NodeJS.ErrnoException).code?.startsWith("ERR_PARSE_ARGS"))
    ) {
      console.error(`ec2sim: ${e.message}\n\n${REPL_USAGE}`);
      return 2;
    }
    throw e;
  }
}
