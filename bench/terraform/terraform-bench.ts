/**
 * Terraform provider benchmark, one run, side by side:
 *   1. plugin start-up (spawn -> go-plugin handshake line) of the bundle as built now and of the
 *      unoptimized bundle (whole CommonJS AWS SDK, grpc-js with proto-loader), with bare `node -e 0`
 *      as the floor; plus the cost of loading the EC2 client at the first API call.
 *   2. terraform plan / apply / no-change plan / destroy of 10 and 100 aws_instance (plus the
 *      Quick Start AMI lookup) against a real `ec2sim serve` (journal store in a temp dir, clock
 *      ×1000 so boots take ~15-45 ms), with the plugin spawned by terraform (the normal way, both
 *      bundles) and in reattach mode (one provider process).
 *
 *   npx tsx bench/terraform/terraform-bench.ts [--json out.json] [--sizes 10,100] [--startup-runs 15]
 */

import { spawn, spawnSync } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import {
  buildProvider,
  createProvider,
  providerDefinition,
  startServer as startPlugin,
  writeTerraformCliConfig,
} from "@ec2sim/terraform-provider";

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const BIN = join(REPO, "bin", "ec2sim");
const MAGIC = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";

const { values: args } = parseArgs({
  options: { json: { type: "string" }, sizes: { type: "string" }, "startup-runs": { type: "string" } },
});
const SIZES = (args.sizes ?? "10,100").split(",").map(Number);
const STARTUP_RUNS = Number(args["startup-runs"] ?? 15);

const tfv = spawnSync("terraform", ["version", "-json"], {
  encoding: "utf8",
  env: { ...process.env, TF_CLI_CONFIG_FILE: "/dev/null" },
});
if (tfv.status !== 0) throw new Error("terraform is not on PATH: this benchmark drives the real terraform CLI");
const terraformVersion = (JSON.parse(tfv.stdout) as { terraform_version: string }).terraform_version;

const root = mkdtempSync(join(tmpdir(), "ec2sim-tf-bench-"));
const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
  return { median: Math.round(q(0.5)), p90: Math.round(q(0.9)), min: Math.round(s[0]!), n: s.length };
};

// ---- builds ----
const t0 = performance.now();
const current = await buildProvider(join(root, "dist-current"));
const buildCurrentMs = performance.now() - t0;
const t1 = performance.now();
const baseline = await buildProvider(join(root, "dist-unoptimized"), {}, { unoptimized: true });
const buildBaselineMs = performance.now() - t1;
const sizeOf = (dir: string): number =>
  readdirSync(dir, { withFileTypes: true }).reduce(
    (n, e) => n + (e.isDirectory() ? sizeOf(join(dir, e.name)) : statSync(join(dir, e.name)).size),
    0,
  );

// ---- 1. start-up ----
const clientCert = spawnSync(
  "openssl",
  [
    "req",
    "-x509",
    "-newkey",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:P-256",
    "-nodes",
    "-keyout",
    "/dev/null",
    "-subj",
    "/CN=terraform",
    "-days",
    "1",
  ],
  { encoding: "utf8" },
).stdout;
function handshake(cmd: string, cmdArgs: string[]): Promise<number> {
  return new Promise((res, rej) => {
    const env = {
      ...process.env,
      TF_PLUGIN_MAGIC_COOKIE: MAGIC,
      PLUGIN_PROTOCOL_VERSIONS: "5,6",
      PLUGIN_CLIENT_CERT: clientCert,
    };
    const start = performance.now();
    const p = spawn(cmd, cmdArgs, { env });
    let out = "";
    p.stdout.on("data", (d: Buffer) => {
      out += d.toString();
      if (out.includes("\n")) {
        const ms = performance.now() - start;
        p.kill("SIGKILL");
        res(ms);
      }
    });
    p.on("exit", (code) => {
      if (cmdArgs[0] === "-e") res(performance.now() - start);
      else if (!out.includes("\n")) rej(new Error(`plugin exited ${code}`));
    });
  });
}
/** Time to import the EC2 client chunk (what the first API call of a launch pays). */
function sdkLoad(distDir: string): number {
  const chunk = readdirSync(join(distDir, "chunks")).find(
    (f) =>
      /^(ec2-client|dist-cjs)/.test(f) &&
      spawnSync("grep", ["-l", "EC2Client", join(distDir, "chunks", f)]).status === 0,
  );
  const r = spawnSync(
    process.execPath,
    [
      "--input-type=module",
      "-e",
      `const t=performance.now(); await import(${JSON.stringify(join(distDir, "chunks", chunk!))}); console.log(performance.now()-t)`,
    ],
    { encoding: "utf8" },
  );
  return Number(r.stdout.trim());
}
const startup = {
  node: [] as number[],
  current: [] as number[],
  unoptimized: [] as number[],
  sdkCurrent: [] as number[],
  sdkUnoptimized: [] as number[],
};
for (let i = 0; i < STARTUP_RUNS; i++) {
  // Interleaved, so machine load affects every variant alike.
  startup.node.push(await handshake(process.execPath, ["-e", "0"]));
  startup.current.push(await handshake(current.wrapper, []));
  startup.unoptimized.push(await handshake(baseline.wrapper, []));
  if (i < 7) {
    startup.sdkCurrent.push(sdkLoad(current.outdir));
    startup.sdkUnoptimized.push(sdkLoad(baseline.outdir));
  }
}

// ---- 2. plan/apply ----
async function startEc2sim(): Promise<{ url: string; stop(): Promise<void> }> {
  const data = join(root, "data");
  const proc = spawn(BIN, ["serve", "--port", "0", "--data", data, "--speed", "1000"], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, EC2SIM_DATA: "" },
  });
  let out = "";
  proc.stdout.on("data", (d: Buffer) => (out += d.toString()));
  const url = await new Promise<string>((res, rej) => {
    proc.stdout.on("data", () => {
      const m = /serving EC2 at (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) res(m[1]!);
    });
    proc.on("exit", (c) => rej(new Error(`ec2sim serve exited ${c}: ${out}`)));
  });
  return { url, stop: () => new Promise((r) => (proc.on("exit", () => r()), proc.kill("SIGTERM"))) };
}
const server = await startEc2sim();

function tf(cwd: string, tfArgs: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((res, rej) => {
    const start = performance.now();
    const p = spawn("terraform", tfArgs, { cwd, env, stdio: ["ignore", "ignore", "pipe"] });
    let err = "";
    p.stderr.on("data", (d: Buffer) => (err += d.toString()));
    p.on("close", (code) =>
      code === 0 || (code === 2 && tfArgs.includes("-detailed-exitcode"))
        ? res(performance.now() - start)
        : rej(new Error(`terraform ${tfArgs[0]} exited ${code}: ${err}`)),
    );
  });
}

const pub = (() => {
  const raw = generateKeyPairSync("ed25519").publicKey.export({ format: "der", type: "spki" }).subarray(-32);
  const str = (b: Buffer) => Buffer.concat([Buffer.from([0, 0, 0, b.length]), b]);
  return `ssh-ed25519 ${Buffer.concat([str(Buffer.from("ssh-ed25519")), str(raw)]).toString("base64")} bench`;
})();
const config = (n: number, keyName: string) => `terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = "6.25.0" }
  }
}
provider "aws" {
  region = "us-east-1"
}
data "aws_ami" "al2023" {
  most_recent = true
  owners      = ["amazon"]
  filter {
    name   = "name"
    values = ["al2023-ami-2023*-x86_64"]
  }
}
resource "aws_key_pair" "bench" {
  key_name   = "${keyName}"
  public_key = "${pub}"
}
resource "aws_instance" "web" {
  count         = ${n}
  ami           = data.aws_ami.al2023.id
  instance_type = "t3.micro"
  key_name      = aws_key_pair.bench.key_name
  tags          = { Name = "web-\${count.index}" }
}
`;

interface Row {
  instances: number;
  mode: string;
  plan: number;
  apply: number;
  noChangePlan: number;
  destroy: number;
}
const rows: Row[] = [];
const modes: { name: string; dist: string; reattach: boolean }[] = [
  { name: "spawned (current bundle)", dist: current.outdir, reattach: false },
  { name: "spawned (unoptimized bundle)", dist: baseline.outdir, reattach: false },
  { name: "reattach (one provider process)", dist: current.outdir, reattach: true },
];
const plugin = await startPlugin({ handlers: createProvider(providerDefinition) });
process.env.EC2SIM_ENDPOINT = server.url; // the in-process provider (reattach) reads it when configured
for (const n of SIZES) {
  for (const m of modes) {
    const dir = join(root, `w-${n}-${m.name.replace(/\W+/g, "-")}`);
    mkdirSync(dir, { recursive: true });
    const cli = writeTerraformCliConfig({
      dir: join(dir, ".cli"),
      distDir: m.dist,
      versions: ["6.25.0"],
      addresses: ["hashicorp/aws"],
    });
    writeFileSync(join(dir, "main.tf"), config(n, `bench-${n}-${rows.length}`));
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      TF_CLI_CONFIG_FILE: cli.cliConfigFile,
      CHECKPOINT_DISABLE: "1",
      TF_IN_AUTOMATION: "1",
      EC2SIM_ENDPOINT: server.url,
    };
    for (const k of ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "TF_LOG", "TF_REATTACH_PROVIDERS"]) delete env[k];
    await tf(dir, ["init", "-input=false", "-no-color"], env);
    if (m.reattach) env.TF_REATTACH_PROVIDERS = plugin.reattach(["registry.terraform.io/hashicorp/aws"]);
    const plan = await tf(dir, ["plan", "-input=false", "-no-color", "-out=tfplan", "-detailed-exitcode"], env);
    const apply = await tf(dir, ["apply", "-input=false", "-no-color", "tfplan"], env);
    const noChangePlan = await tf(dir, ["plan", "-input=false", "-no-color", "-detailed-exitcode"], env);
    const destroy = await tf(dir, ["destroy", "-input=false", "-no-color", "-auto-approve"], env);
    rows.push({ instances: n, mode: m.name, plan, apply, noChangePlan, destroy });
    console.error(
      `${n} instances, ${m.name}: plan ${plan.toFixed(0)} ms, apply ${apply.toFixed(0)} ms, no-change plan ${noChangePlan.toFixed(0)} ms, destroy ${destroy.toFixed(0)} ms`,
    );
  }
}
await plugin.close();
await server.stop();

// ---- report ----
const s = {
  node: stats(startup.node),
  current: stats(startup.current),
  unoptimized: stats(startup.unoptimized),
  sdkCurrent: stats(startup.sdkCurrent),
  sdkUnoptimized: stats(startup.sdkUnoptimized),
};
const kb = (n: number) => `${Math.round(n / 1024)} KB`;
const secs = (ms: number) => (ms / 1000).toFixed(2);
const report = [
  `Machine: ${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, Node ${process.version}, terraform ${terraformVersion}; ec2sim serve (journal store) with the clock at ×1000.`,
  ``,
  `### Plugin start-up (spawn → handshake line), ${STARTUP_RUNS} interleaved runs`,
  `| | median | p90 | min |`,
  `|---|---:|---:|---:|`,
  `| bare \`node -e 0\` (the floor) | ${s.node.median} ms | ${s.node.p90} ms | ${s.node.min} ms |`,
  `| plugin, current bundle (${kb(sizeOf(current.outdir))} on disk) | ${s.current.median} ms | ${s.current.p90} ms | ${s.current.min} ms |`,
  `| plugin, unoptimized bundle (${kb(sizeOf(baseline.outdir))} on disk) | ${s.unoptimized.median} ms | ${s.unoptimized.p90} ms | ${s.unoptimized.min} ms |`,
  `| + loading the EC2 client at the first API call, current | ${s.sdkCurrent.median} ms | ${s.sdkCurrent.p90} ms | ${s.sdkCurrent.min} ms |`,
  `| + loading the EC2 client at the first API call, unoptimized | ${s.sdkUnoptimized.median} ms | ${s.sdkUnoptimized.p90} ms | ${s.sdkUnoptimized.min} ms |`,
  ``,
  `### terraform commands (seconds, wall clock)`,
  `| instances | plugin | plan | apply | no-change plan | destroy |`,
  `|---:|---|---:|---:|---:|---:|`,
  ...rows.map(
    (r) =>
      `| ${r.instances} | ${r.mode} | ${secs(r.plan)} | ${secs(r.apply)} | ${secs(r.noChangePlan)} | ${secs(r.destroy)} |`,
  ),
  ``,
  `Builds: current ${buildCurrentMs.toFixed(0)} ms, unoptimized ${buildBaselineMs.toFixed(0)} ms.`,
].join("\n");
console.log(report);
if (args.json) writeFileSync(args.json, JSON.stringify({ terraformVersion, startup: s, rows }, null, 2));
rmSync(root, { recursive: true, force: true });
