/**
 * The published ec2sim as a user without a clone gets it: `npm pack` of apps/cli (its prepack
 * builds the bundle), `npm install -g --offline` of the tarball into a temporary prefix, and the
 * installed command run from a folder outside the repository with a HOME of its own and nothing of
 * the repository on its paths: --version and --help, `ec2sim serve` driven by the real AWS CLI v2,
 * `export --format json` (cdktf installed on first use into a cache folder) and `diff`. The installed
 * files name no path of the repository, so nothing it runs can come from the sources.
 */
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { awsCliRunner, type CliAccount } from "@ec2sim/test-endpoint/src/aws-cli-story.ts";
import { findAwsCliV2 } from "@ec2sim/test-endpoint/src/harness.ts";
import {
  type Account,
  accountsOf,
  adminOk,
  REPO,
  type ServerProcess,
  startServer,
  tempDir,
} from "@ec2sim/test-harness";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const execFileP = promisify(execFile);
const CLI_PKG = JSON.parse(readFileSync(join(REPO, "apps/cli/package.json"), "utf8"));
/** cdktf for `export` is installed once per version set and shared by runs (about 400 MB). */
const CDKTF_CACHE = join(
  REPO,
  "node_modules/.cache",
  `ec2sim-cdktf-${CLI_PKG.peerDependencies.cdktf}-${CLI_PKG.peerDependencies["@cdktf/provider-aws"]}`,
);

const work = tempDir("pack");
const prefix = join(work.dir, "prefix");
const home = join(work.dir, "home");
const bin = join(prefix, "bin", "ec2sim");
/** What a user's shell has: PATH (node, npm, aws), a HOME, and nothing that points into the repository. */
const env: NodeJS.ProcessEnv = {
  PATH: `${join(prefix, "bin")}:${process.env.PATH}`,
  HOME: home,
  EC2SIM_CDKTF_DIR: CDKTF_CACHE,
  NO_COLOR: "1",
};

async function ec2sim(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  // export and diff read the sandbox through the admin API, with the token the banner showed.
  const token = server ? { EC2SIM_ADMIN_TOKEN: server.adminToken } : {};
  try {
    const r = await execFileP(bin, args, { cwd: home, env: { ...env, ...token }, maxBuffer: 1 << 26 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const x = e as { code?: unknown; stdout?: string; stderr?: string };
    if (typeof x.code !== "number") throw e;
    return { code: x.code, stdout: x.stdout ?? "", stderr: x.stderr ?? "" };
  }
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

let server: ServerProcess | undefined;
let cli: ReturnType<typeof awsCliRunner>;
let A: Account;

beforeAll(async () => {
  mkdirSync(home, { recursive: true });
  const packed = await execFileP("npm", ["pack", "--silent", "--pack-destination", work.dir], {
    cwd: join(REPO, "apps/cli"),
    maxBuffer: 1 << 26,
  });
  const tarball = join(work.dir, packed.stdout.trim().split("\n").pop()!);
  await execFileP("npm", ["install", "-g", "--offline", "--no-audit", "--no-fund", "--prefix", prefix, tarball], {
    cwd: home,
    env: { ...env, npm_config_loglevel: "error" },
  });
  const found = await findAwsCliV2();
  if ("error" in found) throw new Error(found.error);
  cli = awsCliRunner(
    found.path,
    () => server!.url,
    () => A as CliAccount,
  );
}, 300_000);

afterAll(async () => {
  await server?.stop();
  work.remove();
});

describe("ec2sim installed from its npm tarball", () => {
  it("is one self-contained package: no dependency was installed, no file names the repository", () => {
    const installed = join(prefix, "lib", "node_modules");
    expect(readdirSync(installed)).toEqual(["ec2sim"]);
    expect(existsSync(join(installed, "ec2sim", "node_modules"))).toBe(false);
    const files = filesUnder(join(installed, "ec2sim"));
    expect(files.some((f) => f.endsWith("dist/ec2sim.mjs"))).toBe(true);
    expect(files.filter((f) => !f.endsWith(".d.ts") && readFileSync(f, "utf8").includes(REPO))).toEqual([]);
  });

  it("answers --version and --help", async () => {
    expect((await ec2sim(["--version"])).stdout).toBe(`${CLI_PKG.version}\n`);
    const help = await ec2sim(["--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^ {2}serve +run the sandbox server/m);
  });

  it("serves EC2 to the real AWS CLI v2", async () => {
    server = await startServer({ bin, cwd: home, env, speed: 200, timeoutMs: 60_000 });
    [A] = await accountsOf(server.url);
    const images = await cli.ok([
      "describe-images",
      "--owners",
      "amazon",
      "--filters",
      "Name=name,Values=al2023-ami-2023*-x86_64",
    ]);
    expect(images.Images.length).toBeGreaterThan(0);
    const run = await cli.ok([
      "run-instances",
      "--image-id",
      images.Images[0].ImageId,
      "--instance-type",
      "t3.micro",
      "--count",
      "1",
      "--tag-specifications",
      "ResourceType=instance,Tags=[{Key=Name,Value=packed}]",
    ]);
    const id = run.Instances[0].InstanceId as string;
    expect(id).toMatch(/^i-[0-9a-f]{17}$/);
    // At ×200 a boot takes well under a second; the waiter polls until it is running.
    const wait = await cli.aws(["wait", "instance-running", "--instance-ids", id], { timeoutMs: 90_000 });
    expect(wait.code, wait.stderr).toBe(0);
    const described = await cli.ok(["describe-instances", "--instance-ids", id]);
    expect(described.Reservations[0].Instances[0]).toMatchObject({
      InstanceId: id,
      State: { Name: "running" },
      Tags: [{ Key: "Name", Value: "packed" }],
    });
  }, 180_000);

  it("exports the sandbox as Terraform JSON, installing cdktf on first use", async () => {
    const cold = !existsSync(join(CDKTF_CACHE, "node_modules", "@cdktf", "provider-aws", "package.json"));
    const out = join(work.dir, "export");
    const r = await ec2sim(["export", "--server", server!.url, "--format", "json", "--out", out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`Exported sandbox default (account ${A.accountId}`);
    // The first export says that it installs cdktf, and where; later ones use what is there.
    expect(r.stderr.includes("installing them into")).toBe(cold);
    const json = JSON.parse(readFileSync(join(out, "cdk.tf.json"), "utf8"));
    const instances = Object.values(json.resource.aws_instance) as { tags: Record<string, string> }[];
    expect(instances.map((i) => i.tags.Name)).toEqual(["packed"]);
  }, 600_000);

  it("diffs the sandbox against an earlier version of itself", async () => {
    const same = await ec2sim([
      "diff",
      "--server",
      server!.url,
      "--from",
      "sandbox:default",
      "--to",
      "sandbox:default",
      "--detailed-exitcode",
    ]);
    expect(same.stdout).toMatch(/No changes\./);
    expect(same.code).toBe(0);
    const { lastSeq } = await adminOk<{ lastSeq: number }>(server!.url, "GET", "/sandboxes/default/events?upTo=1");
    expect(lastSeq).toBeGreaterThan(1);
    const before = await ec2sim([
      "diff",
      "--server",
      server!.url,
      "--from",
      "sandbox:default",
      "--to",
      "sandbox:default@1",
      "--detailed-exitcode",
    ]);
    expect(before.stdout).toContain("# aws_instance.packed will be created");
    expect(before.code).toBe(2);
  }, 120_000);
});
