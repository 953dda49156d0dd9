/**
 * Test plumbing: starts a real `ec2sim serve` process (through bin/ec2sim, as a user would) on
 * 127.0.0.1 with a free port, a temporary data directory and a fast clock; reads the sandbox's
 * credentials from the admin API; finds the real AWS CLI v2 and a python with boto3.
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { EC2Client } from "@aws-sdk/client-ec2";

export const run = promisify(execFile);
export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
export const BIN = join(REPO, "bin", "ec2sim");

export interface Account {
  accountId: string;
  accessKeyId: string;
  secretAccessKey: string;
}

export interface ServerProcess {
  readonly url: string;
  readonly port: number;
  readonly proc: ChildProcess;
  readonly dataDir: string;
  /** Everything the process printed so far. */
  output(): string;
  /** SIGTERM, wait for exit; returns the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL, wait for exit. */
  kill9(): Promise<void>;
  exited: Promise<number | null>;
}

export interface StartOptions {
  dataDir?: string;
  speed?: number;
  args?: string[];
  port?: number;
  timeoutMs?: number;
}

export function tempDir(prefix: string): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), `ec2sim-${prefix}-`));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Starts `bin/ec2sim serve` and resolves once it prints its endpoint. */
export async function startServerProcess(opts: StartOptions = {}): Promise<ServerProcess> {
  const dataDir = opts.dataDir ?? tempDir("data").dir;
  const args = ["serve", "--port", String(opts.port ?? 0), "--data", dataDir, "--speed", String(opts.speed ?? 200), ...(opts.args ?? [])];
  const proc = spawn(BIN, args, { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, EC2SIM_DATA: "" } });
  let out = "";
  proc.stdout!.on("data", (c: Buffer) => (out += c.toString()));
  proc.stderr!.on("data", (c: Buffer) => (out += c.toString()));
  const exited = new Promise<number | null>((res) => proc.on("exit", (code) => res(code)));
  const url = await new Promise<string>((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`server did not start within ${opts.timeoutMs ?? 30_000} ms:\n${out}`)), opts.timeoutMs ?? 30_000);
    const check = () => {
      const m = /serving EC2 at (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        res(m[1]!);
      }
    };
    proc.stdout!.on("data", check);
    void exited.then((code) => {
      clearTimeout(timer);
      rej(new Error(`server exited with ${code} before it was ready:\n${out}`));
    });
  });
  return {
    url,
    port: Number(new URL(url).port),
    proc,
    dataDir,
    output: () => out,
    exited,
    stop: async () => {
      proc.kill("SIGTERM");
      return exited;
    },
    kill9: async () => {
      proc.kill("SIGKILL");
      await exited;
    },
  };
}

export async function admin<T = any>(url: string, method: string, path: string, body?: unknown): Promise<{ status: number; json: T }> {
  const res = await fetch(`${url}/_ec2sim${path}`, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, json: (text ? JSON.parse(text) : undefined) as T };
}

/** The two standard accounts of a sandbox: [A (111122223333), B (444455556666)]. */
export async function accountsOf(url: string, sandbox = "default"): Promise<[Account, Account]> {
  const { json } = await admin<{ accounts: Account[] }>(url, "GET", `/sandboxes/${sandbox}`);
  const a = json.accounts.find((x) => x.accountId === "111122223333");
  const b = json.accounts.find((x) => x.accountId === "444455556666");
  if (!a || !b) throw new Error(`sandbox ${sandbox} lacks its standard accounts: ${JSON.stringify(json)}`);
  return [a, b];
}

export function sdkClient(url: string, account: Pick<Account, "accessKeyId" | "secretAccessKey">, region = "us-east-1"): EC2Client {
  return new EC2Client({
    endpoint: url,
    region,
    credentials: { accessKeyId: account.accessKeyId, secretAccessKey: account.secretAccessKey },
    maxAttempts: 1,
  });
}

/** The first `aws` on PATH that is the AWS CLI v2, or an explanation of why there is none. */
export async function findAwsCliV2(): Promise<{ path: string; version: string } | { error: string }> {
  const seen: string[] = [];
  let candidates: string[] = [];
  try {
    const { stdout } = await run("sh", ["-c", "type -ap aws 2>/dev/null || which -a aws"]);
    candidates = [...new Set(stdout.split("\n").map((s) => s.trim()).filter(Boolean))];
  } catch {
    candidates = [];
  }
  for (const extra of ["/usr/bin/aws", "/usr/local/bin/aws"]) if (!candidates.includes(extra)) candidates.push(extra);
  for (const path of candidates) {
    try {
      const { stdout, stderr } = await run(path, ["--version"], { timeout: 30_000 });
      const version = (stdout || stderr).trim();
      seen.push(`${path}: ${version}`);
      if (version.startsWith("aws-cli/2")) return { path, version };
    } catch {
      // not runnable
    }
  }
  return {
    error: `The AWS CLI v2 is required by this test and was not found (saw: ${seen.join("; ") || "no aws at all"}). Install it: apt-get install -y awscli (Debian 12 ships v2), or the official installer.`,
  };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
