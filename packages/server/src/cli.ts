/**
 * The `ec2sim` command line. Subcommands are dispatched by the switch in `main`; `serve` runs the
 * durable sandbox server with its EC2 endpoint. (The REPL adds its own subcommand and the
 * no-argument case here.)
 */
import { parseArgs } from "node:util";
import { isEc2Error, MAX_SPEED, MIN_SPEED } from "@ec2sim/core";
import { defaultDataDir, type ServeOptions, startServer } from "./serve.ts";
import { JournalStore, StoreLockedError, StoreUnavailableError } from "./store/index.ts";

const USAGE = `Usage: ec2sim <command> [options]

Commands:
  serve     run the sandbox server: the EC2 Query endpoint and the admin API
  export    write a sandbox as a CDKTF project, Terraform JSON or HCL (ec2sim export --help)
  diff      plan/diff a sandbox against an AWS account, a Terraform state or another sandbox (ec2sim diff --help)
  terraform install the Terraform provider plugin for a project (ec2sim terraform --help)

Options of serve:
  --port N                 port to listen on (default 4566; 0 picks a free one)
  --host ADDR              address to bind (default 127.0.0.1)
  --data DIR               data directory of the journal store (default ~/.ec2sim/data, env EC2SIM_DATA)
  --store memory|journal|postgres://USER@HOST:PORT/DB
                           where sandboxes live (default journal: durable on disk; env EC2SIM_STORE);
                           a PostgreSQL URL lets several servers share sandboxes (schema created by the server)
  --sandbox NAME[:SEED]    a sandbox to create when missing; repeatable; the first is served at /
                           (default: "default"), the others at /sandbox/NAME/
  --speed N                simulated clock speed of new sandboxes (default 1; applied to existing ones when given)
  --accept-any-signature   do not verify SigV4 signatures (for tools that sign with dummy keys)
  --snapshot-every N       save a sandbox's snapshot every N events, so it loads fast (default 10000; 0 never)
  --compact-history        delete the events a snapshot covers (default: keep all history, so exports,
                           diffs and the events API can still go back to any seq); cannot be undone
`;

export interface ServeArgs extends ServeOptions {
  port: number;
  hostname: string;
}

export function parseServeArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): ServeArgs {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      port: { type: "string" },
      host: { type: "string" },
      data: { type: "string" },
      store: { type: "string" },
      sandbox: { type: "string", multiple: true },
      speed: { type: "string" },
      "accept-any-signature": { type: "boolean" },
      "tick-ms": { type: "string" },
      "snapshot-every": { type: "string" },
      "compact-history": { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) throw new UsageExit(USAGE, 0);
  if (positionals.length) throw new UsageExit(`unexpected argument: ${positionals[0]}\n\n${USAGE}`, 2);
  const port = values.port === undefined ? 4566 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new UsageExit(`--port must be 0..65535, not ${values.port}`, 2);
  const storeArg = values.store ?? (env.EC2SIM_STORE || "journal");
  const postgresUrl = /^postgres(ql)?:\/\//.test(storeArg) ? storeArg : undefined;
  const store = postgresUrl ? "postgres" : storeArg;
  if (store !== "memory" && store !== "journal" && store !== "postgres")
    throw new UsageExit(`--store must be memory, journal or a postgres:// URL, not ${store}`, 2);
  const speed = values.speed === undefined ? undefined : Number(values.speed);
  if (speed !== undefined && !(speed >= MIN_SPEED && speed <= MAX_SPEED))
    throw new UsageExit(`--speed must be a number from ${MIN_SPEED} to ${MAX_SPEED}, not ${values.speed}`, 2);
  const tickMs = values["tick-ms"] === undefined ? undefined : Number(values["tick-ms"]);
  if (tickMs !== undefined && (!Number.isInteger(tickMs) || tickMs < 0))
    throw new UsageExit(`--tick-ms must be a non-negative integer`, 2);
  const snapshotEvery = values["snapshot-every"] === undefined ? undefined : Number(values["snapshot-every"]);
  if (snapshotEvery !== undefined && (!Number.isSafeInteger(snapshotEvery) || snapshotEvery < 0))
    throw new UsageExit(`--snapshot-every must be a non-negative integer, not ${values["snapshot-every"]}`, 2);
  const sandboxes = (values.sandbox ?? []).map((s) => {
    const i = s.indexOf(":");
    const name = i < 0 ? s : s.slice(0, i);
    const seed = i < 0 ? undefined : s.slice(i + 1);
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/.test(name))
      throw new UsageExit(`--sandbox: invalid name '${name}' (letters, digits, . _ -)`, 2);
    return seed ? { name, seed } : { name };
  });
  return {
    port,
    hostname: values.host ?? "127.0.0.1",
    store,
    ...(postgresUrl ? { postgresUrl } : {}),
    dataDir: values.data ?? defaultDataDir(env),
    sandboxes,
    ...(speed !== undefined ? { speed, forceSpeed: true } : { speed: 1 }),
    acceptAnySignature: values["accept-any-signature"] ?? false,
    ...(tickMs !== undefined ? { tickMs } : {}),
    ...(snapshotEvery !== undefined ? { snapshotEvery } : {}),
    ...(values["compact-history"] ? { compactHistory: true } : {}),
  };
}

/** A connection URL without its password, for messages. */
function redactUrl(url: string): string {
  return url.replace(/^(postgres(?:ql)?:\/\/[^:@/]*):[^@/]*@/, "$1:***@");
}

export class UsageExit extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

export async function serve(argv: string[]): Promise<void> {
  const args = parseServeArgs(argv);
  const log = (m: string, e?: unknown) =>
    console.error(`ec2sim: ${m}${e ? `: ${e instanceof Error ? e.message : String(e)}` : ""}`);
  let running;
  let fatal: ((e: Error) => void) | undefined;
  try {
    running = await startServer({ ...args, log, onFatal: (e) => fatal?.(e) });
  } catch (e) {
    if (e instanceof StoreUnavailableError)
      throw new UsageExit(
        `ec2sim: ${e.message}\n(is PostgreSQL running at ${redactUrl(args.postgresUrl ?? "")}? check --store / EC2SIM_STORE)`,
        1,
      );
    if (e instanceof StoreLockedError)
      throw new UsageExit(
        `ec2sim: ${e.message}\n(another ec2sim server is using ${args.dataDir}; stop it or pass --data DIR)`,
        1,
      );
    if ((e as NodeJS.ErrnoException).code === "EADDRINUSE")
      throw new UsageExit(
        `ec2sim: port ${args.port} on ${args.hostname} is in use; pass --port N (0 picks a free one)`,
        1,
      );
    if (isEc2Error(e)) throw new UsageExit(`ec2sim: ${e.code}: ${e.message}`, 1);
    throw e;
  }
  const main = running.sandboxes[0]!;
  const acct = main.accounts[0]!;
  const lines = [
    ``,
    `ec2sim is serving EC2 at ${running.url}`,
    `  store      ${args.store === "memory" ? "memory (nothing is kept after exit)" : args.store === "postgres" ? `postgres at ${redactUrl(args.postgresUrl ?? "")}` : `journal at ${running.dataDir}`}`,
    ...running.sandboxes.map(
      (s, i) =>
        `  sandbox    ${s.name} (seed ${s.seed}, clock ×${s.clock.speed}${s.clock.paused ? ", paused" : ""}) at ${i === 0 ? `${running.url}/` : `${running.url}/sandbox/${s.name}/`}`,
    ),
    `  admin API  ${running.url}/_ec2sim/sandboxes`,
    ``,
    `Credentials of sandbox "${main.name}":`,
    ...main.accounts.map(
      (a) =>
        `  account ${a.accountId}${a.alias ? ` (${a.alias})` : ""}: AWS_ACCESS_KEY_ID=${a.accessKeyId} AWS_SECRET_ACCESS_KEY=${a.secretAccessKey}`,
    ),
    ``,
    `Try:`,
    `  export AWS_ACCESS_KEY_ID=${acct.accessKeyId} AWS_SECRET_ACCESS_KEY=${acct.secretAccessKey} AWS_DEFAULT_REGION=us-east-1`,
    `  aws --endpoint-url ${running.url} ec2 describe-images --owners amazon --filters 'Name=name,Values=al2023-ami-2023*-x86_64' --query 'Images[].[ImageId,Name]' --output text`,
    ``,
  ];
  if (args.acceptAnySignature) {
    const bar = "!".repeat(78);
    lines.unshift(
      bar,
      `!! WARNING: --accept-any-signature is ON. SigV4 signatures are NOT verified:`,
      `!! any caller with any keys is let in (unknown keys act as account 111122223333).`,
      `!! Use it only on a trusted machine, for tools that sign with dummy keys.`,
      bar,
    );
  }
  // Handlers go in before the banner: whoever reads the banner may signal at once.
  const closed = new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) {
        console.error(`ec2sim: ${signal} again, exiting now`);
        process.exit(130);
      }
      stopping = true;
      console.error(`ec2sim: ${signal}, closing (finishing writes, closing the store)…`);
      running.close().then(
        () => {
          console.error("ec2sim: closed");
          resolve();
        },
        (e: unknown) => {
          console.error(`ec2sim: close failed: ${e instanceof Error ? e.message : String(e)}`);
          process.exitCode = 1;
          resolve();
        },
      );
    };
    process.on("SIGINT", () => stop("SIGINT"));
    process.on("SIGTERM", () => stop("SIGTERM"));
    fatal = (e) => {
      process.exitCode = 1;
      if (!stopping) console.error(`ec2sim: ${e.message}`);
      stop("fatal error");
    };
  });
  console.log(lines.join("\n"));
  await closed;
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case "serve":
        await serve(rest);
        return 0;
      case "export":
      case "diff": {
        // The CDKTF bridge (loaded only for these subcommands; cdktf itself only when synthesizing).
        const { bridgeMain } = await import("@ec2sim/cdktf-bridge/cli");
        return await bridgeMain(command, rest, { openStore: (dir) => JournalStore.open(dir) });
      }
      case "terraform": {
        // The Terraform provider package (loaded only for this subcommand).
        const { terraformCommand } = await import("@ec2sim/terraform-provider/cli");
        return await terraformCommand(rest);
      }
      case "help":
      case "--help":
      case "-h":
        console.log(USAGE);
        return 0;
      case undefined:
        console.log(USAGE);
        return 0;
      default:
        console.error(`ec2sim: unknown command '${command}'\n\n${USAGE}`);
        return 2;
    }
  } catch (e) {
    if (e instanceof UsageExit) {
      (e.exitCode === 0 ? console.log : console.error)(e.message);
      return e.exitCode;
    }
    if (e instanceof TypeError && (e as NodeJS.ErrnoException).code?.startsWith("ERR_PARSE_ARGS")) {
      console.error(`ec2sim: ${e.message}\n\n${USAGE}`);
      return 2;
    }
    throw e;
  }
}

const isEntry = (() => {
  const entry = process.argv[1];
  if (!entry) return false;
  return import.meta.url === new URL(`file://${entry}`).href || entry.endsWith("/server/src/cli.ts");
})();

if (isEntry) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: unknown) => {
      console.error(`ec2sim: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      process.exit(1);
    },
  );
}
