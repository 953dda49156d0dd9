/**
 * Test plumbing for the Terraform suites: the real terraform CLI (required, never skipped), the
 * provider plugin installed through a filesystem mirror. The `ec2sim serve` process per test file
 * and the AWS SDK for changes made behind terraform's back come from @ec2sim/test-harness.
 */

import { spawn, spawnSync } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { type CliConfig, installOrBuild, writeTerraformCliConfig } from "@ec2sim/terraform-provider";
import { adminTokenOf, BIN } from "@ec2sim/test-harness";

export const FIXTURES = resolve(dirname(fileURLToPath(import.meta.url)), "../fixtures");
/**
 * The plugin bundle of the built ec2sim (what `ec2sim terraform setup` installs), made current from
 * these sources by vitest's global setup: copying it is instant, where an esbuild build per test file
 * cost seconds of CPU each.
 */
const PREBUILT = join(dirname(BIN), "terraform-provider");

/** terraform's version; throws a clear error when terraform is not on PATH (these suites never skip). */
export function requireTerraform(): string {
  const r = spawnSync("terraform", ["version", "-json"], {
    encoding: "utf8",
    env: { ...process.env, CHECKPOINT_DISABLE: "1", TF_CLI_CONFIG_FILE: "/dev/null" },
  });
  if (r.error || r.status !== 0) {
    throw new Error(
      "terraform is missing: the Terraform suites drive the real terraform CLI (1.11.x) and `terraform` was not found on PATH " +
        `(${r.error?.message ?? r.stderr}). Install terraform (https://developer.hashicorp.com/terraform/install) and run the tests again.`,
    );
  }
  return (JSON.parse(r.stdout) as { terraform_version: string }).terraform_version;
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `ec2sim-tf-${prefix}-`));
}

export interface Terraform {
  root: string;
  cli: CliConfig;
  /** The environment every terraform command runs with. */
  env: NodeJS.ProcessEnv;
  /** A fresh working directory, optionally seeded with a fixture folder. */
  workdir(name: string, fixture?: string): string;
  run(cwd: string, args: string[], extraEnv?: NodeJS.ProcessEnv): Promise<TfResult>;
  remove(): void;
}

export interface TfResult {
  status: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/**
 * Installs the plugin bundle (the built ec2sim's; built here when there is none) into a temp dir and
 * through a filesystem mirror with a private CLI config (hashicorp/aws and ec2sim/ec2sim). `env` is
 * the environment of every command; AWS keys from the caller's environment are removed so the
 * plugin's own defaults are what is tested.
 */
export async function prepareTerraform(env: NodeJS.ProcessEnv = {}): Promise<Terraform> {
  const root = tempDir("tf");
  const { outdir } = await installOrBuild(PREBUILT, join(root, "dist"));
  const cli = writeTerraformCliConfig({ dir: join(root, "cli"), distDir: outdir });
  const base: NodeJS.ProcessEnv = {
    ...process.env,
    TF_CLI_CONFIG_FILE: cli.cliConfigFile,
    TF_IN_AUTOMATION: "1",
    TF_INPUT: "0",
    CHECKPOINT_DISABLE: "1",
  };
  for (const k of [
    "TF_LOG",
    "TF_REATTACH_PROVIDERS",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_PROFILE",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "EC2SIM_ENDPOINT",
  ])
    delete base[k];
  const fullEnv = { ...base, ...env };
  // The provider reads the admin API (the default account's keys, the clock): give it that server's token.
  if (env.EC2SIM_ENDPOINT && !env.EC2SIM_ADMIN_TOKEN) {
    const token = adminTokenOf(env.EC2SIM_ENDPOINT);
    if (token) fullEnv.EC2SIM_ADMIN_TOKEN = token;
  }
  return {
    root,
    cli,
    env: fullEnv,
    workdir(name, fixture) {
      const dir = mkdtempSync(join(root, `${name}-`));
      if (fixture) cpSync(join(FIXTURES, fixture), dir, { recursive: true });
      return dir;
    },
    run: (cwd, args, extraEnv = {}) => tf(cwd, args, { ...fullEnv, ...extraEnv }),
    remove: () => rmSync(root, { recursive: true, force: true }),
  };
}

/** Runs terraform without blocking the event loop (an in-process reattached provider must keep serving). */
export function tf(cwd: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs = 120_000): Promise<TfResult> {
  const t0 = performance.now();
  return new Promise((res, rej) => {
    const p = spawn("terraform", args, { cwd, env });
    let stdout = "";
    let stderr = "";
    p.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    p.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => p.kill("SIGKILL"), timeoutMs);
    p.on("error", rej);
    p.on("close", (status) => {
      clearTimeout(timer);
      res({ status, stdout, stderr, ms: performance.now() - t0 });
    });
  });
}

/**
 * Imports resources back into state by their IDs with one `terraform apply` of `import {}` blocks:
 * the provider imports and reads each ID as `terraform import` does, and the plan compares every
 * imported resource with the configuration, in one terraform and one provider process instead of one
 * of each per resource (9-13 per project: most of a suite's time under load). The blocks' file is
 * removed after.
 */
export async function importBack(t: Terraform, dir: string, ids: [string, string][]): Promise<TfResult> {
  const file = join(dir, "ec2sim-import-back.tf");
  writeFileSync(file, ids.map(([to, id]) => `import {\n  to = ${to}\n  id = ${JSON.stringify(id)}\n}\n`).join("\n"));
  try {
    return await t.run(dir, ["apply", "-no-color", "-input=false", "-auto-approve"]);
  } finally {
    rmSync(file, { force: true });
  }
}

/** A fresh ed25519 key's public half in OpenSSH format ("ssh-ed25519 AAAA… comment"). */
export function sshPublicKey(comment = "ec2sim-test"): string {
  return sshKeyPair(comment).publicKey;
}

/** A fresh ed25519 key pair: the public half in OpenSSH format, the private half as PKCS#8 PEM (what ssh -i reads). */
export function sshKeyPair(comment = "ec2sim-test"): { publicKey: string; privateKeyPem: string } {
  const { publicKey, privateKey } = generateKeyPairSync("ed25519");
  const raw = publicKey.export({ format: "der", type: "spki" }).subarray(-32);
  const str = (b: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(b.length);
    return Buffer.concat([len, b]);
  };
  const blob = Buffer.concat([str(Buffer.from("ssh-ed25519")), str(raw)]);
  return {
    publicKey: `ssh-ed25519 ${blob.toString("base64")} ${comment}`,
    privateKeyPem: privateKey.export({ format: "pem", type: "pkcs8" }).toString(),
  };
}

/** `terraform show -json` (of the state, or of a saved plan). */
export async function showJson<T = TfShow>(t: Terraform, cwd: string, planFile?: string): Promise<T> {
  const r = await t.run(cwd, ["show", "-json", ...(planFile ? [planFile] : [])]);
  if (r.status !== 0) throw new Error(`terraform show -json failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

export interface TfResource {
  address: string;
  mode: "managed" | "data";
  type: string;
  name: string;
  index?: number | string;
  provider_name: string;
  schema_version: number;
  values: Record<string, any>;
  sensitive_values: Record<string, unknown>;
  depends_on?: string[];
}
export interface TfShow {
  format_version: string;
  terraform_version: string;
  values?: {
    outputs?: Record<string, { value: unknown; type: unknown; sensitive: boolean }>;
    root_module: { resources?: TfResource[] };
  };
}

export const resourcesOf = (show: TfShow): Map<string, TfResource> =>
  new Map((show.values?.root_module.resources ?? []).map((r) => [r.address, r]));
