// Test helper: a real `ec2sim serve` process (the built ec2sim, as a user starts it) on 127.0.0.1 with a
// free port, a temporary data directory and a fast clock; its accounts from the admin API.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

// The built command (apps/cli/dist), made current by vitest's global setup.
const BIN = resolve(import.meta.dirname, "../../../apps/cli/dist/ec2sim.mjs");

export interface Ec2simServer {
  url: string;
  /** The server's admin token (the provider reads it from EC2SIM_ADMIN_TOKEN). */
  adminToken: string;
  accounts: { accountId: string; accessKeyId: string; secretAccessKey: string }[];
  admin<T = any>(method: string, path: string, body?: unknown): Promise<T>;
  stop(): Promise<void>;
}

function withoutAdminToken(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { EC2SIM_ADMIN_TOKEN: _token, ...rest } = env;
  return rest;
}

export async function startEc2sim(speed = 200): Promise<Ec2simServer> {
  const dataDir = mkdtempSync(join(tmpdir(), "ec2sim-tfp-data-"));
  const proc = spawn(BIN, ["serve", "--port", "0", "--data", dataDir, "--speed", String(speed)], {
    stdio: ["ignore", "pipe", "pipe"],
    // Without the shell's EC2SIM_ADMIN_TOKEN, so the server keeps its token in <data>/admin-token, read below.
    env: { ...withoutAdminToken(process.env), EC2SIM_DATA: "" },
  });
  let out = "";
  proc.stdout.on("data", (c: Buffer) => (out += c.toString()));
  proc.stderr.on("data", (c: Buffer) => (out += c.toString()));
  const exited = new Promise<void>((res) => proc.on("exit", () => res()));
  const url = await new Promise<string>((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`ec2sim serve did not start:\n${out}`)), 30_000);
    proc.stdout.on("data", () => {
      const m = /serving EC2 at (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        res(m[1]!);
      }
    });
    void exited.then(() => rej(new Error(`ec2sim serve exited:\n${out}`)));
  });
  const adminToken = readFileSync(join(dataDir, "admin-token"), "utf8").trim();
  const admin = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const r = await fetch(`${url}/_ec2sim${path}`, {
      method,
      headers: {
        authorization: `Bearer ${adminToken}`,
        ...(method === "GET" ? {} : { "content-type": "application/json" }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (!r.ok) throw new Error(`admin ${method} ${path}: ${r.status} ${await r.text()}`);
    return (await r.json()) as T;
  };
  const info = await admin<{ accounts: Ec2simServer["accounts"] }>("GET", "/sandboxes/default");
  return {
    url,
    adminToken,
    accounts: info.accounts,
    admin,
    stop: async () => {
      proc.kill("SIGTERM");
      await exited;
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
