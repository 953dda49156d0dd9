/**
 * The end-to-end suites' shared plumbing: a real `ec2sim serve` process started through the built
 * `ec2sim` (as a user would) on 127.0.0.1, ready once it prints its banner; the admin API; the sandbox's
 * accounts and credentials; AWS SDK clients; temp dirs; a seeded PRNG.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { DescribeImagesCommand, EC2Client, type Image } from "@aws-sdk/client-ec2";

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
/**
 * The `ec2sim` the suites run: the built command (apps/cli/dist, what `npm pack` ships), made current
 * by vitest's global setup. It starts in a fraction of the time the sources through tsx take.
 */
export const BIN = join(REPO, "apps", "cli", "dist", "ec2sim.mjs");
/** bin/ec2sim: the sources through tsx, what `npm start` and a clone run. */
export const SOURCE_BIN = join(REPO, "bin", "ec2sim");
/** The two standard accounts every sandbox starts with. */
export const ACCOUNT_A = "111122223333";
export const ACCOUNT_B = "444455556666";

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export interface Account {
  accountId: string;
  accessKeyId: string;
  secretAccessKey: string;
}

export type Credentials = Pick<Account, "accessKeyId" | "secretAccessKey">;

/** A fresh temporary folder `ec2sim-PREFIX-…` and a way to remove it. */
export function tempDir(prefix: string): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), `ec2sim-${prefix}-`));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface ServerProcess {
  readonly url: string;
  /** The admin token (read from `<data>/admin-token`, where the server made it), sent by `admin()`. */
  readonly adminToken: string;
  readonly port: number;
  readonly proc: ChildProcess;
  readonly dataDir: string;
  /** Everything the process printed so far (stdout and stderr). */
  output(): string;
  /** SIGTERM, wait for exit; returns the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL, wait for exit. */
  kill9(): Promise<void>;
  /** The exit code, once the process has exited (and a data dir of its own is removed). */
  exited: Promise<number | null>;
}

export interface StartOptions {
  /** --data; without it, a temp dir of the server's own, removed when the process exits. */
  dataDir?: string;
  /** --store (e.g. a postgres:// URL, or "memory"). */
  store?: string;
  /** --speed (default 200). */
  speed?: number;
  /** --port (default 0: any free port). */
  port?: number;
  /** More `serve` arguments, after the others. */
  extraArgs?: string[];
  /** How long to wait for the banner (default 30 s). */
  timeoutMs?: number;
  /** How to find the URL in the banner (default: `serving EC2 at http://127.0.0.1:PORT`). */
  bannerUrl?: RegExp;
  /** A command the server runs under, e.g. ["unshare", "--pid", "--fork", "--kill-child"] (a container's PID namespace). */
  prefix?: string[];
  /** The `ec2sim` executable (default BIN, the built command of this repository). */
  bin?: string;
  /** The working directory of the process (default this one's). */
  cwd?: string;
  /**
   * The process's environment (default this one's, with EC2SIM_DATA cleared and without
   * EC2SIM_ADMIN_TOKEN, so the server makes `<data>/admin-token` even when the shell running the
   * tests exports one). Given one that holds EC2SIM_ADMIN_TOKEN, the server uses that token and
   * keeps no file: the harness then sends that one.
   */
  env?: NodeJS.ProcessEnv;
}

/** Starts `ec2sim serve` (BIN, or `opts.bin`) and resolves once it prints "serving EC2 at http://127.0.0.1:PORT". */
export async function startServer(opts: StartOptions = {}): Promise<ServerProcess> {
  const ownDir = opts.dataDir === undefined ? tempDir("data").dir : undefined;
  const dataDir = opts.dataDir ?? ownDir!;
  const args = [
    "serve",
    "--port",
    String(opts.port ?? 0),
    "--data",
    dataDir,
    "--speed",
    String(opts.speed ?? 200),
    ...(opts.store === undefined ? [] : ["--store", opts.store]),
    ...(opts.extraArgs ?? []),
  ];
  const [cmd, ...cmdArgs] = [...(opts.prefix ?? []), opts.bin ?? BIN, ...args];
  // Under a prefix (unshare ignores SIGTERM while it waits), signals go to the whole process group.
  const grouped = (opts.prefix ?? []).length > 0;
  const env = opts.env ?? serverEnv();
  const proc = spawn(cmd!, cmdArgs, {
    stdio: ["ignore", "pipe", "pipe"],
    env,
    detached: grouped,
    ...(opts.cwd ? { cwd: opts.cwd } : {}),
  });
  const signal = (sig: NodeJS.Signals) => {
    try {
      if (grouped) process.kill(-proc.pid!, sig);
      else proc.kill(sig);
    } catch {
      // exited already
    }
  };
  let out = "";
  proc.stdout!.on("data", (c: Buffer) => (out += c.toString()));
  proc.stderr!.on("data", (c: Buffer) => (out += c.toString()));
  const exited = new Promise<number | null>((res) =>
    proc.on("exit", (code) => {
      if (ownDir) rmSync(ownDir, { recursive: true, force: true });
      res(code);
    }),
  );
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const url = await new Promise<string>((res, rej) => {
    const timer = setTimeout(
      () => rej(new Error(`ec2sim serve did not start within ${timeoutMs} ms:\n${out}`)),
      timeoutMs,
    );
    proc.stdout!.on("data", () => {
      const m = (opts.bannerUrl ?? /serving EC2 at (http:\/\/127\.0\.0\.1:\d+)/).exec(out);
      if (m) {
        clearTimeout(timer);
        res(m[1]!);
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      rej(new Error(`ec2sim serve exited with ${code} before it was ready:\n${out}`));
    });
  });
  // `ec2sim serve` treats an empty EC2SIM_ADMIN_TOKEN as unset (docs/SECURITY.md).
  const adminToken = env.EC2SIM_ADMIN_TOKEN || readFileSync(join(dataDir, "admin-token"), "utf8").trim();
  adminTokens.set(new URL(url).origin, adminToken);
  return {
    url,
    adminToken,
    port: Number(new URL(url).port),
    proc,
    dataDir,
    output: () => out,
    exited,
    stop: async () => {
      signal("SIGTERM");
      return exited;
    },
    kill9: async () => {
      signal("SIGKILL");
      await exited;
    },
  };
}

/** This process's environment for a server the harness starts: EC2SIM_DATA cleared, EC2SIM_ADMIN_TOKEN removed. */
export function serverEnv(): NodeJS.ProcessEnv {
  const { EC2SIM_ADMIN_TOKEN: _token, ...env } = process.env;
  return { ...env, EC2SIM_DATA: "" };
}

/** Admin tokens of the servers started here, by origin. */
const adminTokens = new Map<string, string>();

/** Tells `admin()` the token of a server started elsewhere (the REPL's embedded one): read from its data directory. */
export function useAdminTokenOf(url: string, dataDir: string): void {
  adminTokens.set(new URL(url).origin, readFileSync(join(dataDir, "admin-token"), "utf8").trim());
}

/** The admin token of a server started here (by any URL of it), for tools given it by EC2SIM_ADMIN_TOKEN. */
export function adminTokenOf(url: string): string | undefined {
  return adminTokens.get(new URL(url).origin);
}

/** The headers an admin request to `url` needs: the server's admin token, and JSON for changes. */
export function adminHeaders(url: string, method = "GET"): Record<string, string> {
  const token = adminTokens.get(new URL(url).origin);
  return {
    ...(token ? { authorization: `Bearer ${token}` } : {}),
    ...(method === "GET" || method === "HEAD" ? {} : { "content-type": "application/json" }),
  };
}

/** A request to the admin API (`URL/_ec2sim/PATH`) with the server's admin token: its status and parsed JSON body, whatever the status. */
export async function admin<T = any>(
  url: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: T }> {
  const res = await fetch(`${url}/_ec2sim${path}`, {
    method,
    headers: adminHeaders(url, method),
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, json: (text ? JSON.parse(text) : undefined) as T };
}

/** `admin` that throws unless the answer is 2xx; returns the JSON body. */
export async function adminOk<T = any>(url: string, method: string, path: string, body?: unknown): Promise<T> {
  const { status, json } = await admin<T>(url, method, path, body);
  if (status < 200 || status > 299) throw new Error(`admin ${method} ${path}: HTTP ${status}: ${JSON.stringify(json)}`);
  return json;
}

/** The sandbox's two standard accounts: [A (111122223333), B (444455556666)]. */
export async function accountsOf(url: string, sandbox = "default"): Promise<[Account, Account]> {
  const { json } = await admin<{ accounts: Account[] }>(url, "GET", `/sandboxes/${sandbox}`);
  const a = json.accounts.find((x) => x.accountId === ACCOUNT_A);
  const b = json.accounts.find((x) => x.accountId === ACCOUNT_B);
  if (!a || !b) throw new Error(`sandbox ${sandbox} lacks its standard accounts: ${JSON.stringify(json)}`);
  return [a, b];
}

/** One account's keys in a sandbox (from the admin API). */
export async function credentialsFor(url: string, sandbox = "default", accountId = ACCOUNT_A): Promise<Credentials> {
  const info = await adminOk<{ accounts: Account[] }>(url, "GET", `/sandboxes/${sandbox}`);
  const a = info.accounts.find((x) => x.accountId === accountId);
  if (!a) throw new Error(`no account ${accountId} in ${sandbox}`);
  return { accessKeyId: a.accessKeyId, secretAccessKey: a.secretAccessKey };
}

/** An EC2 client of the SDK for an account, at `url`, without retries. */
export function sdkClient(url: string, account: Credentials, region = "us-east-1"): EC2Client {
  return new EC2Client({
    endpoint: url,
    region,
    credentials: { accessKeyId: account.accessKeyId, secretAccessKey: account.secretAccessKey },
    maxAttempts: 1,
  });
}

/** The newest Quick Start AL2023 x86_64 image. */
export async function newestAl2023(client: EC2Client): Promise<Image> {
  const r = await client.send(
    new DescribeImagesCommand({ Owners: ["amazon"], Filters: [{ Name: "name", Values: ["al2023-ami-2023*-x86_64"] }] }),
  );
  return [...r.Images!].sort((x, y) => y.CreationDate!.localeCompare(x.CreationDate!))[0]!;
}

/** A tiny seeded PRNG (mulberry32), so a failing randomized run can be repeated from its seed. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
