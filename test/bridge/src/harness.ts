/**
 * Plumbing for the bridge's end-to-end tests: a real `ec2sim serve` process (@ec2sim/test-harness),
 * the seeds' story run through its admin API or in-process, the `ec2sim` CLI, terraform with the
 * project's provider plugin standing in for hashicorp/aws, and a cached install of the generated
 * CDKTF project's dependencies (cdktf-cli and friends, ~870 MB, ~30 s cold).
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { Sandbox } from "@ec2sim/core";
import { adminOk, adminTokenOf, BIN, REPO, type ServerProcess, startServer as startShared } from "@ec2sim/test-harness";
import { type Call, catPhotoStory, type StoryIds } from "./story.ts";

export const ACCOUNT = "111122223333";
export const FRIEND = "444455556666";
export const ORG = "arn:aws:organizations::111122223333:organization/o-ec2sim0001";
export const OU_A = "arn:aws:organizations::111122223333:ou/o-ec2sim0001/ou-ec2s-aaaa1111";
export const OU_B = "arn:aws:organizations::111122223333:ou/o-ec2sim0001/ou-ec2s-bbbb2222";
const execFileP = promisify(execFile);

const made: string[] = [];
/** Removes the temporary folders made so far (test files call it in afterAll). */
export function removeTempDirs(): void {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
}
/** A temporary folder, removed by `removeTempDirs` (EC2SIM_KEEP_TMP=1 keeps it). */
export function tempDir(prefix: string): string {
  const d = mkdtempSync(join(tmpdir(), `ec2sim-bridge-${prefix}-`));
  if (!process.env.EC2SIM_KEEP_TMP) made.push(d);
  return d;
}

/** The story in an in-process sandbox with the server's two standard accounts. */
export async function storySandbox(seed = "A"): Promise<{ sb: Sandbox; ids: StoryIds }> {
  const sb = new Sandbox({ seed, realNow: () => 0 });
  sb.createAccount({ accountId: ACCOUNT, alias: "sandbox-a", organizationArn: ORG, ouArn: OU_A });
  sb.createAccount({ accountId: FRIEND, alias: "sandbox-b", organizationArn: ORG, ouArn: OU_B });
  const ids = await catPhotoStory(
    async (action, input, region) =>
      sb.call({ accountId: ACCOUNT, region: region ?? "us-east-1" }, action, input).output,
    async (ms) => void sb.advance(ms),
    { accountId: FRIEND, ouArn: OU_B },
  );
  return { sb, ids };
}

/** `ec2sim serve` with the given sandboxes, a fast clock and a 20 ms tick (temp data dir, removed on exit). */
export function startServer(sandboxes: string[], speed = 2000): Promise<ServerProcess> {
  return startShared({ speed, extraArgs: ["--tick-ms", "20", ...sandboxes.flatMap((s) => ["--sandbox", s])] });
}

/** The story in a sandbox of a running server, through its admin API (cats-key imported when given). */
export async function serverStory(url: string, sandbox: string, publicKey?: string): Promise<StoryIds> {
  return catPhotoStory(
    async (action, input, region) =>
      (
        await adminOk(url, "POST", `/sandboxes/${sandbox}/call`, {
          action,
          input,
          accountId: ACCOUNT,
          region: region ?? "us-east-1",
        })
      ).output,
    async (ms) => void (await adminOk(url, "POST", `/sandboxes/${sandbox}/clock`, { advance: ms })),
    { accountId: FRIEND, ouArn: OU_B },
    publicKey,
  );
}

/** `call` of a story through a running server's admin API, as the default account of `sandbox`. */
export function adminCall(url: string, sandbox: string): Call {
  return async (action, input, region) =>
    (
      await adminOk(url, "POST", `/sandboxes/${sandbox}/call`, {
        action,
        input,
        accountId: ACCOUNT,
        region: region ?? "us-east-1",
      })
    ).output;
}

/** Runs `ec2sim …` (bin/ec2sim, as a user would); never throws on a non-zero exit. */
export async function ec2sim(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    // `--server URL` reads the admin API: give the command that server's admin token.
    const server = args[args.indexOf("--server") + 1];
    const token = args.includes("--server") && server ? adminTokenOf(server) : undefined;
    const r = await execFileP(BIN, args, {
      env: { ...process.env, NO_COLOR: "1", ...(token ? { EC2SIM_ADMIN_TOKEN: token } : {}), ...env },
      maxBuffer: 1 << 28,
    });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const x = e as { code?: number; stdout?: string; stderr?: string };
    if (typeof x.code !== "number") throw e;
    return { code: x.code, stdout: x.stdout ?? "", stderr: x.stderr ?? "" };
  }
}

/**
 * The provider plugin in a filesystem mirror as hashicorp/aws, and the CLI config that uses it: the
 * built ec2sim's bundle (kept current by vitest's global setup; a copy), else built here.
 */
export async function terraformCliConfig(dir: string): Promise<string> {
  const provider = await import("@ec2sim/terraform-provider");
  const { outdir } = await provider.installOrBuild(join(dirname(BIN), "terraform-provider"), join(dir, "dist"));
  return provider.writeTerraformCliConfig({ dir, distDir: outdir }).cliConfigFile;
}

/**
 * Runs terraform without blocking this process (a blocked test process neither drains the server's
 * output pipes nor sees its idle keep-alive sockets close, and the next fetch fails on a dead one).
 */
export async function terraform(
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
): Promise<{ code: number; out: string }> {
  try {
    const r = await execFileP("terraform", args, {
      cwd,
      env: { ...process.env, CHECKPOINT_DISABLE: "1", TF_IN_AUTOMATION: "1", ...env },
      encoding: "utf8",
      maxBuffer: 1 << 28,
    });
    return { code: 0, out: r.stdout };
  } catch (e) {
    const x = e as { code?: unknown; stdout?: string; stderr?: string };
    if (typeof x.code !== "number") throw e;
    return { code: x.code, out: `${x.stdout ?? ""}${x.stderr ?? ""}` };
  }
}

/**
 * node_modules for a generated project, installed once per package.json's dependencies and Node ABI
 * (cdktf-cli has a native addon, built for the Node that installs it) with npm from the registry
 * under node_modules/.cache, then symlinked into each project.
 */
export async function cachedProjectModules(packageJson: {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
}): Promise<string> {
  const key = createHash("sha256")
    .update(JSON.stringify([packageJson.dependencies, packageJson.devDependencies, process.versions.modules]))
    .digest("hex")
    .slice(0, 16);
  const dir = join(REPO, "node_modules", ".cache", `ec2sim-cdktf-project-${key}`);
  if (existsSync(join(dir, "node_modules", ".bin", "cdktf"))) return join(dir, "node_modules");
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  writeFileSync(
    join(tmp, "package.json"),
    JSON.stringify(
      {
        name: "ec2sim-cdktf-cache",
        private: true,
        dependencies: packageJson.dependencies,
        devDependencies: packageJson.devDependencies,
      },
      null,
      2,
    ),
  );
  await execFileP("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error"], {
    cwd: tmp,
    env: { ...process.env, CHECKPOINT_DISABLE: "1" },
    maxBuffer: 1 << 26,
  });
  // Two test files may install at once (cold cache): the first to finish wins, the other's copy goes.
  if (existsSync(join(dir, "node_modules", ".bin", "cdktf"))) rmSync(tmp, { recursive: true, force: true });
  else {
    rmSync(dir, { recursive: true, force: true });
    renameSync(tmp, dir);
  }
  return join(dir, "node_modules");
}
