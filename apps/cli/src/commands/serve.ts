/**
 * `ec2sim serve`: the durable sandbox server with its EC2 endpoint, WebSocket protocol and admin
 * API. Reads the parsed options into the server's `ServeOptions`, prints the banner (endpoint,
 * credentials, a ready-to-paste AWS CLI line) and closes cleanly on SIGINT/SIGTERM.
 */
import { readFileSync } from "node:fs";
import { isEc2Error, MAX_SPEED, MIN_SPEED } from "@ec2sim/core";
import { DEFAULT_ACCOUNT_ID } from "@ec2sim/core/defaults";
// Deep imports: the server's barrel also exports what serve loads only on demand (ws, PostgreSQL).
import { defaultDataDir, isLoopbackHost, type ServeOptions, startServer } from "@ec2sim/server/serve";
import { StoreLockedError, StoreUnavailableError } from "@ec2sim/server/store/errors";
import type { Parsed } from "../spec.ts";
import { UsageError } from "../spec.ts";
import { serve as spec } from "../table.ts";

export interface ServeArgs extends ServeOptions {
  port: number;
  hostname: string;
}

function readPem(file: string, flag: string): Buffer {
  try {
    return readFileSync(file);
  } catch (e) {
    throw usage(`${flag}: cannot read ${file} (${(e as Error).message})`);
  }
}

const usage = (message: string) => new UsageError(message, spec);

/** The parsed command line as the server's options; a UsageError names what is wrong. */
export function serveArgs({ values }: Parsed, env: NodeJS.ProcessEnv = process.env): ServeArgs {
  const str = (name: string) => values[name] as string | undefined;
  const port = str("port") === undefined ? 4566 : Number(str("port"));
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw usage(`--port must be 0..65535, not ${str("port")}`);
  const storeArg = str("store") ?? (env.EC2SIM_STORE || "journal");
  const postgresUrl = /^postgres(ql)?:\/\//.test(storeArg) ? storeArg : undefined;
  const store = postgresUrl ? "postgres" : storeArg;
  if (store !== "memory" && store !== "journal" && store !== "postgres")
    throw usage(`--store must be memory, journal or a postgres:// URL, not ${store}`);
  const speed = str("speed") === undefined ? undefined : Number(str("speed"));
  if (speed !== undefined && !(speed >= MIN_SPEED && speed <= MAX_SPEED))
    throw usage(`--speed must be a number from ${MIN_SPEED} to ${MAX_SPEED}, not ${str("speed")}`);
  const tickMs = str("tick-ms") === undefined ? undefined : Number(str("tick-ms"));
  if (tickMs !== undefined && (!Number.isInteger(tickMs) || tickMs < 0))
    throw usage("--tick-ms must be a non-negative integer");
  const snapshotEvery = str("snapshot-every") === undefined ? undefined : Number(str("snapshot-every"));
  if (snapshotEvery !== undefined && (!Number.isSafeInteger(snapshotEvery) || snapshotEvery < 0))
    throw usage(`--snapshot-every must be a non-negative integer, not ${str("snapshot-every")}`);
  const cap = (flag: string): number | undefined => {
    const v = str(flag);
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isSafeInteger(n) || n < 1) throw usage(`--${flag} must be a positive integer, not ${v}`);
    return n;
  };
  const maxConnections = cap("max-connections");
  const maxConnectionsPerClient = cap("max-connections-per-client");
  const headersTimeoutMs = cap("header-timeout-ms");
  const requestTimeoutMs = cap("request-timeout-ms");
  if ((headersTimeoutMs ?? 10_000) > (requestTimeoutMs ?? 30_000))
    throw usage(
      `--header-timeout-ms must not be longer than --request-timeout-ms (the whole request's, ${requestTimeoutMs ?? 30_000})`,
    );
  const sandboxes = ((values.sandbox as string[] | undefined) ?? []).map((s) => {
    const i = s.indexOf(":");
    const name = i < 0 ? s : s.slice(0, i);
    const seed = i < 0 ? undefined : s.slice(i + 1);
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/.test(name))
      throw usage(`--sandbox: invalid name '${name}' (letters, digits, . _ -)`);
    return seed ? { name, seed } : { name };
  });
  const hostname = str("host") ?? "127.0.0.1";
  if (!str("tls-cert") !== !str("tls-key")) throw usage("--tls-cert and --tls-key go together");
  const tls = str("tls-cert")
    ? { cert: readPem(str("tls-cert")!, "--tls-cert"), key: readPem(str("tls-key")!, "--tls-key") }
    : undefined;
  if (!isLoopbackHost(hostname) && !tls && values["insecure-expose"] !== true) {
    throw usage(
      `refusing to serve on ${hostname} without TLS: other machines would see account keys and the admin token in clear. ` +
        "Give --tls-cert FILE --tls-key FILE, or --insecure-expose if this network is yours alone (see docs/SECURITY.md)",
    );
  }
  const adminToken = env.EC2SIM_ADMIN_TOKEN || undefined; // empty is unset (docs/SECURITY.md)
  if (adminToken !== undefined && adminToken.length < 16)
    throw usage("EC2SIM_ADMIN_TOKEN must be at least 16 characters");
  const allowedHosts = values["allow-host"] as string[] | undefined;
  const allowedOrigins = values["allow-origin"] as string[] | undefined;
  return {
    port,
    hostname,
    ...(tls ? { tls } : {}),
    ...(adminToken ? { adminToken } : {}),
    ...(allowedHosts ? { allowedHosts } : {}),
    ...(allowedOrigins ? { allowedOrigins } : {}),
    store,
    ...(postgresUrl ? { postgresUrl } : {}),
    dataDir: str("data") ?? defaultDataDir(env),
    sandboxes,
    ...(speed !== undefined ? { speed, forceSpeed: true } : { speed: 1 }),
    acceptAnySignature: values["accept-any-signature"] === true,
    ...(tickMs !== undefined ? { tickMs } : {}),
    ...(snapshotEvery !== undefined ? { snapshotEvery } : {}),
    ...(maxConnections !== undefined ? { maxConnections } : {}),
    ...(maxConnectionsPerClient !== undefined ? { maxConnectionsPerClient } : {}),
    ...(headersTimeoutMs !== undefined ? { headersTimeoutMs } : {}),
    ...(requestTimeoutMs !== undefined ? { requestTimeoutMs } : {}),
    ...(values["snapshot-on-loop"] === true ? { snapshotWorker: false } : {}),
    ...(values["keys-in-thread-pool"] === true ? { keyWorker: false } : {}),
    ...(values["compact-history"] ? { compactHistory: true } : {}),
  };
}

/** A connection URL without its password, for messages. */
function redactUrl(url: string): string {
  return url.replace(/^(postgres(?:ql)?:\/\/[^:@/]*):[^@/]*@/, "$1:***@");
}

/** A failure to start, said in one line with what to do about it; exit code 1. */
class StartFailure extends Error {}

export async function serve(parsed: Parsed): Promise<number> {
  const args = serveArgs(parsed);
  const log = (m: string, e?: unknown) =>
    console.error(`ec2sim: ${m}${e ? `: ${e instanceof Error ? e.message : String(e)}` : ""}`);
  let running: Awaited<ReturnType<typeof startServer>>;
  // The store can fail for good while serving (the data directory's lock lost): close and exit 1.
  let fatal: ((e: Error) => void) | undefined;
  try {
    running = await startServer({ ...args, log, onFatal: (e) => fatal?.(e) }).catch((e: unknown) => {
      throw startFailure(e, args) ?? e;
    });
  } catch (e) {
    if (!(e instanceof StartFailure)) throw e;
    console.error(e.message);
    return 1;
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
    `  admin API  ${running.url}/_ec2sim/sandboxes (Authorization: Bearer <admin token>)`,
    running.adminTokenCreated
      ? `  admin token ${running.adminToken}  (made now, shown once; kept in ${running.adminTokenFile}, mode 600)`
      : `  admin token ${running.adminTokenFile ? `in ${running.adminTokenFile} (mode 600)` : "from EC2SIM_ADMIN_TOKEN"}`,
    // Unset and empty are the same (as for EC2SIM_DATA); said, so no one believes the empty string is the token.
    ...(process.env.EC2SIM_ADMIN_TOKEN === "" ? ["  (EC2SIM_ADMIN_TOKEN is empty: ignored, as if unset)"] : []),
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
  if (!isLoopbackHost(args.hostname)) {
    const bar = "!".repeat(78);
    lines.unshift(
      bar,
      `!! WARNING: serving on ${args.hostname}, reachable from other machines${args.tls ? " (over TLS)" : " WITHOUT TLS"}.`,
      ...(args.tls ? [] : ["!! Account keys and the admin token cross the network in clear (--insecure-expose)."]),
      "!! Anyone who can reach it and has an account's keys acts as that account. See docs/SECURITY.md.",
      bar,
    );
  }
  if (args.acceptAnySignature) {
    const bar = "!".repeat(78);
    lines.unshift(
      bar,
      `!! WARNING: --accept-any-signature is ON. SigV4 signatures are NOT verified:`,
      `!! any caller with any keys is let in (unknown keys act as account ${DEFAULT_ACCOUNT_ID}).`,
      `!! Use it only on a trusted machine, for tools that sign with dummy keys.`,
      bar,
    );
  }
  // Handlers go in before the banner: whoever reads the banner may signal at once.
  const closed = new Promise<number>((resolve) => {
    let stopping = false;
    let failed = false;
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
          resolve(failed ? 1 : 0);
        },
        (e: unknown) => {
          console.error(`ec2sim: close failed: ${e instanceof Error ? e.message : String(e)}`);
          resolve(1);
        },
      );
    };
    process.on("SIGINT", () => stop("SIGINT"));
    process.on("SIGTERM", () => stop("SIGTERM"));
    fatal = (e) => {
      failed = true;
      if (!stopping) console.error(`ec2sim: ${e.message}`);
      stop("fatal error");
    };
  });
  console.log(lines.join("\n"));
  return closed;
}

function startFailure(e: unknown, args: ServeArgs): StartFailure | undefined {
  if (e instanceof StoreUnavailableError)
    return new StartFailure(
      `ec2sim: ${e.message}\n(is PostgreSQL running at ${redactUrl(args.postgresUrl ?? "")}? check --store / EC2SIM_STORE)`,
    );
  if (e instanceof StoreLockedError)
    return new StartFailure(
      `ec2sim: ${e.message}\n(another ec2sim server is using ${args.dataDir}; stop it or pass --data DIR)`,
    );
  if ((e as NodeJS.ErrnoException).code === "EADDRINUSE")
    return new StartFailure(
      `ec2sim: port ${args.port} on ${args.hostname} is in use; pass --port N (0 picks a free one)`,
    );
  if (isEc2Error(e)) return new StartFailure(`ec2sim: ${e.code}: ${e.message}`);
  return undefined;
}
