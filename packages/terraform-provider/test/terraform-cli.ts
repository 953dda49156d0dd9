// Test helpers: the real terraform CLI with a private CLI config, in temp dirs.
import { spawn, spawnSync } from "node:child_process";
import { cpSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { installOrBuild, PACKAGE_DIR } from "../src/build.ts";
import { type CliConfig, writeTerraformCliConfig } from "../src/install.ts";

/** Fails (never skips) when terraform is missing. */
export function requireTerraform(): string {
  const r = spawnSync("terraform", ["version", "-json"], {
    encoding: "utf8",
    env: { ...process.env, CHECKPOINT_DISABLE: "1", TF_CLI_CONFIG_FILE: "/dev/null" },
  });
  if (r.error || r.status !== 0) {
    throw new Error(
      "terraform is missing: these tests drive the real terraform CLI (1.11.x) and `terraform` was not found on PATH " +
        `(${r.error?.message ?? r.stderr}). Install terraform and run the tests again.`,
    );
  }
  return (JSON.parse(r.stdout) as { terraform_version: string }).terraform_version;
}

export interface Sandbox {
  root: string;
  cli: CliConfig;
  env: NodeJS.ProcessEnv;
  distDir: string;
}

/**
 * The plugin bundle of the built ec2sim (apps/cli/dist), made current from these sources by vitest's
 * global setup: copying it is instant, where an esbuild build per test file cost seconds of CPU.
 */
const PREBUILT = join(PACKAGE_DIR, "..", "..", "apps", "cli", "dist", "terraform-provider");

/** Install the provider (the prebuilt bundle; built here when there is none) into a temp dir, lay out the mirror and the CLI config there. */
export async function setupSandbox(): Promise<Sandbox> {
  const root = mkdtempSync(join(tmpdir(), "ec2sim-tf-"));
  const { outdir } = await installOrBuild(PREBUILT, join(root, "dist"));
  const cli = writeTerraformCliConfig({ dir: join(root, "cli"), distDir: outdir });
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    TF_CLI_CONFIG_FILE: cli.cliConfigFile,
    TF_IN_AUTOMATION: "1",
    TF_INPUT: "0",
    CHECKPOINT_DISABLE: "1",
    // Nothing listens here: a test that accidentally needs the EC2 API fails fast instead of hanging.
    EC2SIM_ENDPOINT: "http://127.0.0.1:9",
    AWS_ACCESS_KEY_ID: "test",
    AWS_SECRET_ACCESS_KEY: "test",
  };
  delete env.TF_LOG;
  delete env.TF_REATTACH_PROVIDERS;
  return { root, cli, env, distDir: outdir };
}

export function workdir(sb: Sandbox, fixture: string): string {
  const dir = mkdtempSync(join(sb.root, `${fixture}-`));
  cpSync(join(import.meta.dirname, "fixtures", fixture), dir, { recursive: true });
  return dir;
}

export interface TfResult {
  status: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Run terraform without blocking the event loop (an in-process reattached provider must keep serving). */
export function tf(sb: Sandbox, cwd: string, args: string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<TfResult> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const p = spawn("terraform", args, { cwd, env: { ...sb.env, ...extraEnv } });
    let stdout = "";
    let stderr = "";
    p.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    p.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => p.kill("SIGKILL"), 120_000);
    p.on("error", reject);
    p.on("close", (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr, ms: performance.now() - t0 });
    });
  });
}
