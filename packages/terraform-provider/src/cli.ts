// `ec2sim terraform …` (the command line is parsed by apps/cli): installs this provider for a
// project so terraform uses it offline, or runs it long-lived.
//   ec2sim terraform setup [--dir PROJECT] [--address hashicorp/aws|ec2sim/ec2sim] [--endpoint URL]
//   ec2sim terraform reattach [--endpoint URL]   one long-lived provider process (TF_REATTACH_PROVIDERS)
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { buildProvider, installPrebuilt } from "./build.ts";
import { DEFAULT_ACCOUNT_ID } from "./framework/context.ts";
import {
  type CliConfig,
  DEFAULT_PROVIDER_VERSIONS,
  EC2SIM_EC2SIM,
  HASHICORP_AWS,
  providerAddress,
  writeTerraformCliConfig,
} from "./install.ts";
import { summarizeVersions } from "./versions.ts";

export class TerraformUsageError extends Error {
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message);
  }
}

export interface SetupOptions {
  dir?: string;
  address?: string;
  endpoint?: string;
  /** A provider bundle built earlier, copied instead of building one from the sources. */
  prebuilt?: string;
  /** Where to write the output (default: console.log). */
  print?: (text: string) => void;
}

export interface SetupResult extends CliConfig {
  projectDir: string;
  outDir: string;
  endpoint?: string;
  buildMs: number;
}

/** Builds the bundle into PROJECT/.ec2sim/terraform/dist and writes the mirror and terraform.rc beside it. */
export async function setup(opts: SetupOptions = {}): Promise<SetupResult> {
  const projectDir = resolve(opts.dir ?? ".");
  if (!existsSync(projectDir)) throw new TerraformUsageError(`--dir ${opts.dir}: no such directory`, 1);
  const address = providerAddress(opts.address ?? "hashicorp/aws");
  if (address !== HASHICORP_AWS && address !== EC2SIM_EC2SIM)
    throw new TerraformUsageError(`--address must be hashicorp/aws or ec2sim/ec2sim, not ${opts.address}`);
  if (opts.endpoint !== undefined && !/^https?:\/\/[^\s"'`$\\]+$/.test(opts.endpoint))
    throw new TerraformUsageError(`--endpoint must be an http(s) URL, not ${opts.endpoint}`);
  const outDir = join(projectDir, ".ec2sim", "terraform");
  const t0 = performance.now();
  const wrapper = opts.endpoint ? { endpoint: opts.endpoint } : {};
  const built = opts.prebuilt
    ? installPrebuilt(opts.prebuilt, join(outDir, "dist"), wrapper)
    : await buildProvider(join(outDir, "dist"), wrapper);
  const buildMs = performance.now() - t0;
  const cli = writeTerraformCliConfig({
    dir: outDir,
    distDir: built.outdir,
    versions: DEFAULT_PROVIDER_VERSIONS,
    addresses: address === HASHICORP_AWS ? [HASHICORP_AWS, EC2SIM_EC2SIM] : [EC2SIM_EC2SIM],
  });
  const result: SetupResult = {
    ...cli,
    projectDir,
    outDir,
    buildMs,
    ...(opts.endpoint ? { endpoint: opts.endpoint } : {}),
  };
  (opts.print ?? console.log)(setupReport(result));
  return result;
}

function setupReport(r: SetupResult): string {
  const hashicorp = r.addresses.includes(HASHICORP_AWS);
  return [
    `ec2sim's Terraform provider is installed for ${r.projectDir}`,
    `  plugin     ${join(r.outDir, "dist")} (built in ${Math.round(r.buildMs)} ms)`,
    `  mirror     ${r.mirrorDir}`,
    ...r.addresses.map(
      (a) => `             ${a.replace("registry.terraform.io/", "")} ${summarizeVersions(r.versions)}`,
    ),
    `  endpoint   ${r.endpoint ? `${r.endpoint} (EC2SIM_ENDPOINT overrides it)` : "EC2SIM_ENDPOINT, else http://127.0.0.1:4566 (ec2sim serve's default)"}`,
    `  keys       none needed: the plugin uses the sandbox's default account (${DEFAULT_ACCOUNT_ID}) unless the`,
    `             provider block or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY give others`,
    ``,
    `Use it (in this shell):`,
    `  export TF_CLI_CONFIG_FILE="${r.cliConfigFile}"`,
    `  terraform init && terraform apply`,
    ``,
    hashicorp
      ? `Configurations that say source = "hashicorp/aws" (any constraint the releases above meet, e.g. "~> 4.0", ">= 5.0",\n"~> 6.0", @cdktf/provider-aws 21.x stacks) now get this plugin, with that release's schema. Unset TF_CLI_CONFIG_FILE\nto use the real AWS provider again.`
      : `Only source = "ec2sim/ec2sim" gets this plugin (write provider = ec2sim on resources, or name it "aws" locally:\n  required_providers { aws = { source = "ec2sim/ec2sim" } }); hashicorp/aws still installs from the registry.`,
    ``,
    `A .terraform.lock.hcl written with ec2sim (here, on another machine, by another ec2sim version) matches this`,
    `mirror: each package is one launcher that never changes. A lock file written with the real hashicorp/aws`,
    `records the real package's hashes, or a release not offered here: run \`terraform init -upgrade\` once to re-lock.`,
  ].join("\n");
}

/** Runs the provider in this process and prints TF_REATTACH_PROVIDERS; resolves when it is stopped. */
export async function reattach(opts: { endpoint?: string; print?: (text: string) => void } = {}): Promise<void> {
  if (opts.endpoint) process.env.EC2SIM_ENDPOINT = opts.endpoint;
  const [{ createProvider }, { startServer }, { providerDefinition }] = await Promise.all([
    import("./framework/provider.ts"),
    import("./plugin.ts"),
    import("./resources/index.ts"),
  ]);
  const running = await startServer({ handlers: createProvider(providerDefinition) });
  const value = running.reattach([HASHICORP_AWS, EC2SIM_EC2SIM]);
  (opts.print ?? console.log)(
    [
      `ec2sim's Terraform provider is serving on 127.0.0.1:${running.port} (Ctrl-C stops it). In another shell:`,
      `  export TF_REATTACH_PROVIDERS='${value}'`,
      `terraform then uses this process for hashicorp/aws and ec2sim/ec2sim (run \`terraform init\` once as usual).`,
    ].join("\n"),
  );
  await new Promise<void>((done) => {
    const stop = () => void running.close().then(done);
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
}
