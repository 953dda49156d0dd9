/**
 * Test plumbing for the Terraform suites: the real terraform CLI (required, never skipped), the
 * provider plugin installed through a filesystem mirror, and the fixture every suite starts from —
 * `terraformProject()`: a Terraform project on a fresh `ec2sim serve` (server, CLI config, plugin,
 * working directory, init; removed after). The server process and the AWS SDK for changes made
 * behind terraform's back come from @ec2sim/test-harness.
 */

import { spawn, spawnSync } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { DescribeInstancesCommand, type EC2Client, type Instance } from "@aws-sdk/client-ec2";
import { type CliConfig, installOrBuild, writeTerraformCliConfig } from "@ec2sim/terraform-provider";
import {
  type Account,
  accountsOf,
  adminTokenOf,
  BIN,
  type ServerProcess,
  sdkClient,
  startServer,
} from "@ec2sim/test-harness";
import { afterAll, beforeAll, expect } from "vitest";

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
export async function importBack(w: Workdir | TerraformProject, ids: [string, string][]): Promise<TfResult> {
  const file = join(w.dir, "ec2sim-import-back.tf");
  writeFileSync(file, ids.map(([to, id]) => `import {\n  to = ${to}\n  id = ${JSON.stringify(id)}\n}\n`).join("\n"));
  try {
    return await w.run(["apply", ...TF, "-auto-approve"]);
  } finally {
    rmSync(file, { force: true });
  }
}

/**
 * What "imports back" means in every suite: the addresses removed from state, imported again by
 * their IDs (importBack) with nothing to change, and the plan after that has no changes either.
 */
export async function expectImportsBackUnchanged(w: Workdir | TerraformProject, ids: [string, string][]) {
  ok(await w.run(["state", "rm", "-no-color", ...ids.map(([a]) => a)]), "state rm");
  const imported = ok(await importBack(w, ids), "apply (import blocks)");
  expect(imported.stdout).toContain(`Plan: ${ids.length} to import, 0 to add, 0 to change, 0 to destroy.`);
  expect(imported.stdout).toContain(`Resources: ${ids.length} imported, 0 added, 0 changed, 0 destroyed.`);
  await expectNoChanges(w);
}

/** A plan that finds the infrastructure as configured: exit 0 with -detailed-exitcode, nothing on stderr. */
export async function expectNoChanges(w: Workdir | TerraformProject, args: string[] = []): Promise<void> {
  const plan = await w.plan(args);
  expect(plan.stderr).toBe("");
  expect(plan.stdout, plan.stdout).toContain("No changes.");
  expect(plan.status).toBe(0);
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

/** The flags every terraform command that could ask a question takes here. */
export const TF = ["-no-color", "-input=false"] as const;

/** A terraform command that must have succeeded with nothing on stderr (its output in the error when not). */
export function ok(r: TfResult, what: string): TfResult {
  if (r.status !== 0) throw new Error(`terraform ${what} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  expect(r.stderr).toBe("");
  return r;
}

/** An EC2 ID with this prefix (i, vpc, ami, …): the prefix, a dash, 17 hex digits. */
export const ID = (prefix: string): RegExp => new RegExp(`^${prefix}-[0-9a-f]{17}$`);

/** One instance, as DescribeInstances tells it. */
export async function describeInstance(ec2: EC2Client, id: string): Promise<Instance> {
  const out = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [id] }));
  const inst = out.Reservations?.[0]?.Instances?.[0];
  if (!inst) throw new Error(`instance ${id} not found`);
  return inst;
}

/** An AWS SDK v3 client class (IAMClient, SSMClient, …). */
type SdkClientClass<C> = new (config: {
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  maxAttempts: number;
}) => C;

export interface ServerOptions {
  /** The sandbox clock's speed (default 200). */
  speed?: number;
}

/**
 * A fresh `ec2sim serve` for one test file (or describe): started in beforeAll, stopped in afterAll.
 * Its fields are there from beforeAll on.
 */
export class ServerFixture {
  #server?: ServerProcess;
  #accounts?: [Account, Account];
  #ec2?: EC2Client;

  constructor(protected readonly serverOptions: ServerOptions = {}) {}

  protected static ready<T>(value: T | undefined, what: string): T {
    if (value === undefined) throw new Error(`${what} is there only once the fixture's beforeAll has run`);
    return value;
  }

  get server(): ServerProcess {
    return ServerFixture.ready(this.#server, "the server");
  }
  get url(): string {
    return this.server.url;
  }
  /** The sandbox's account A (111122223333): the default account the plugin uses. */
  get A(): Account {
    return ServerFixture.ready(this.#accounts, "the accounts")[0];
  }
  /** The sandbox's account B (444455556666). */
  get B(): Account {
    return ServerFixture.ready(this.#accounts, "the accounts")[1];
  }
  /** EC2 as account A sees it in us-east-1. */
  get ec2(): EC2Client {
    return ServerFixture.ready(this.#ec2, "the EC2 client");
  }
  /** EC2 for an account (A by default) in a region. */
  client(region = "us-east-1", account: Account = this.A): EC2Client {
    return sdkClient(this.url, account, region);
  }
  /** Another service's client (IAM, SSM, …) for account A, without retries. */
  sdk<C>(Client: SdkClientClass<C>, region = "us-east-1"): C {
    const { accessKeyId, secretAccessKey } = this.A;
    return new Client({ endpoint: this.url, region, credentials: { accessKeyId, secretAccessKey }, maxAttempts: 1 });
  }

  async start(): Promise<void> {
    this.#server = await startServer({ speed: this.serverOptions.speed ?? 200 });
    this.#accounts = await accountsOf(this.#server.url);
    this.#ec2 = sdkClient(this.#server.url, this.#accounts[0]);
  }
  async stop(): Promise<void> {
    await this.#server?.stop();
  }
}

/** A fresh server for the describe (or file) this is called in. */
export function freshServer(opts: ServerOptions = {}): ServerFixture {
  return withHooks(new ServerFixture(opts));
}

/** What a project's working directory starts with: a fixture folder's files, and/or this main.tf. */
export interface WorkdirSeed {
  fixture?: string;
  mainTf?: string;
}

/** One terraform working directory and the commands the suites run in it. */
export class Workdir {
  constructor(
    readonly t: Terraform,
    readonly dir: string,
  ) {}

  run(args: string[], extraEnv?: NodeJS.ProcessEnv): Promise<TfResult> {
    return this.t.run(this.dir, args, extraEnv);
  }
  /** Replaces main.tf. */
  write(mainTf: string): void {
    writeFileSync(join(this.dir, "main.tf"), mainTf);
  }
  /** `terraform init`, which must succeed. */
  async init(): Promise<TfResult> {
    return ok(await this.run(["init", ...TF]), "init");
  }
  /** `terraform plan -detailed-exitcode` (0: no changes, 2: changes), unchecked. */
  plan(args: string[] = []): Promise<TfResult> {
    return this.run(["plan", ...TF, "-detailed-exitcode", ...args]);
  }
  /** `terraform apply` (of the configuration, -auto-approve; or of a saved plan), which must succeed. */
  async apply(args: string[] = []): Promise<TfResult> {
    return ok(await this.run(["apply", ...TF, "-auto-approve", ...args]), `apply ${args.join(" ")}`);
  }
  /** `terraform destroy -auto-approve`, which must succeed. */
  async destroy(args: string[] = []): Promise<TfResult> {
    return ok(await this.run(["destroy", ...TF, "-auto-approve", ...args]), "destroy");
  }
  /** `terraform show -json` of the state, or of a saved plan. */
  show<T = TfShow>(planFile?: string): Promise<T> {
    return showJson<T>(this.t, this.dir, planFile);
  }
  /** The state's resources by address (`terraform state pull`). */
  async state(): Promise<Map<string, StateResource>> {
    return (await pullState(this)).resources;
  }
  /** The state's output values by name (`terraform state pull`). */
  async outputs(): Promise<Record<string, any>> {
    return (await pullState(this)).outputs;
  }
  /** Applies a plan saved with `plan -out=FILE` (what was reviewed is what is applied), which must succeed. */
  async applyPlan(planFile: string): Promise<TfResult> {
    return ok(await this.run(["apply", ...TF, planFile]), `apply ${planFile}`);
  }
}

export interface ProjectOptions extends ServerOptions, WorkdirSeed {
  /** `terraform init` in beforeAll (default true; false where the first test checks init's own output). */
  init?: boolean;
}

/**
 * A Terraform project on a fresh server: the server, a private CLI config with the plugin installed
 * through the mirror and EC2SIM_ENDPOINT set (no keys anywhere: the plugin takes the default
 * account's), a working directory seeded from a fixture or a main.tf and initialised; all removed
 * after. Its terraform commands run in that directory; `workdir()` makes more on the same server
 * and CLI config.
 */
export class TerraformProject extends ServerFixture {
  #t?: Terraform;
  #main?: Workdir;

  constructor(
    readonly name: string,
    private readonly options: ProjectOptions = {},
  ) {
    super(options);
  }

  get t(): Terraform {
    return ServerFixture.ready(this.#t, "terraform");
  }
  /** The project's own working directory. */
  get main(): Workdir {
    return ServerFixture.ready(this.#main, "the working directory");
  }
  get dir(): string {
    return this.main.dir;
  }

  override async start(): Promise<void> {
    requireTerraform();
    await super.start();
    this.#t = await prepareTerraform({ EC2SIM_ENDPOINT: this.url });
    this.#main = this.workdir(this.name, this.options);
    if (this.options.init ?? true) await this.#main.init();
  }
  override async stop(): Promise<void> {
    await super.stop();
    this.#t?.remove();
  }

  /** A fresh working directory on this project's server and CLI config (not initialised). */
  workdir(name: string, seed: WorkdirSeed = {}): Workdir {
    const w = new Workdir(this.t, this.t.workdir(name, seed.fixture));
    if (seed.mainTf !== undefined) w.write(seed.mainTf);
    return w;
  }

  run(args: string[], extraEnv?: NodeJS.ProcessEnv): Promise<TfResult> {
    return this.main.run(args, extraEnv);
  }
  write(mainTf: string): void {
    this.main.write(mainTf);
  }
  init(): Promise<TfResult> {
    return this.main.init();
  }
  plan(args: string[] = []): Promise<TfResult> {
    return this.main.plan(args);
  }
  apply(args: string[] = []): Promise<TfResult> {
    return this.main.apply(args);
  }
  destroy(args: string[] = []): Promise<TfResult> {
    return this.main.destroy(args);
  }
  show<T = TfShow>(planFile?: string): Promise<T> {
    return this.main.show<T>(planFile);
  }
  state(): Promise<Map<string, StateResource>> {
    return this.main.state();
  }
  outputs(): Promise<Record<string, any>> {
    return this.main.outputs();
  }
  applyPlan(planFile: string): Promise<TfResult> {
    return this.main.applyPlan(planFile);
  }
}

/** A resource instance as terraform keeps it in state: its address and attribute values. */
export interface StateResource {
  address: string;
  mode: "managed" | "data";
  type: string;
  name: string;
  values: Record<string, any>;
}

interface StateV4 {
  outputs?: Record<string, { value: unknown }>;
  resources?: {
    module?: string;
    mode: "managed" | "data";
    type: string;
    name: string;
    instances: { index_key?: string | number; deposed?: string; attributes: Record<string, any> }[];
  }[];
}

/**
 * The state as terraform holds it (`terraform state pull`: no provider to start, where `show -json`
 * starts one for its schema): every current resource instance by address, modules' included, and the
 * outputs' values.
 */
export async function pullState(w: {
  run(args: string[]): Promise<TfResult>;
}): Promise<{ resources: Map<string, StateResource>; outputs: Record<string, any> }> {
  const r = await w.run(["state", "pull"]);
  if (r.status !== 0) throw new Error(`terraform state pull failed: ${r.stderr}`);
  const state = JSON.parse(r.stdout || "{}") as StateV4;
  const resources = new Map<string, StateResource>();
  for (const res of state.resources ?? []) {
    const base = `${res.module ? `${res.module}.` : ""}${res.mode === "data" ? "data." : ""}${res.type}.${res.name}`;
    for (const i of res.instances) {
      if (i.deposed) continue;
      const key = i.index_key === undefined ? "" : `[${JSON.stringify(i.index_key)}]`;
      const address = base + key;
      resources.set(address, { address, mode: res.mode, type: res.type, name: res.name, values: i.attributes });
    }
  }
  const outputs = Object.fromEntries(Object.entries(state.outputs ?? {}).map(([k, v]) => [k, v.value]));
  return { resources, outputs };
}

/** A Terraform project on a fresh server for the describe (or file) this is called in. */
export function terraformProject(name: string, opts: ProjectOptions = {}): TerraformProject {
  return withHooks(new TerraformProject(name, opts));
}

function withHooks<F extends ServerFixture>(fixture: F): F {
  beforeAll(() => fixture.start(), 120_000);
  afterAll(() => fixture.stop());
  return fixture;
}
