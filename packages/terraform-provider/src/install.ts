// Lays out a terraform filesystem_mirror holding this provider as hashicorp/aws (and as
// ec2sim/ec2sim) and writes a CLI configuration that installs from it, so `terraform init` works
// offline with configurations that say `source = "hashicorp/aws"`.
import { chmodSync, cpSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** hashicorp/aws version @cdktf/provider-aws 21.22.1 pins. */
export const DEFAULT_PROVIDER_VERSION = "6.25.0";
export const MIRRORED_PROVIDERS = ["registry.terraform.io/hashicorp/aws", "registry.terraform.io/ec2sim/ec2sim"] as const;
export const DEFAULT_DIST_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "../dist");

export interface CliConfigOptions {
  /** Where to put the mirror (DIR/mirror) and the CLI config file (DIR/terraform.rc). */
  dir: string;
  version?: string;
  /** The build output (provider.mjs, chunks/, terraform-provider-aws wrapper). Default: the package's dist/. */
  distDir?: string;
  platform?: string;
}

export interface CliConfig {
  /** Set TF_CLI_CONFIG_FILE to this. */
  cliConfigFile: string;
  mirrorDir: string;
  /** The plugin executables, one per mirrored provider address. */
  executables: string[];
}

export function writeTerraformCliConfig(opts: CliConfigOptions): CliConfig {
  const version = opts.version ?? DEFAULT_PROVIDER_VERSION;
  const distDir = opts.distDir ?? DEFAULT_DIST_DIR;
  const platform = opts.platform ?? "linux_amd64";
  if (!existsSync(join(distDir, "provider.mjs")) || !existsSync(join(distDir, "terraform-provider-aws"))) {
    throw new Error(`the provider is not built in ${distDir}: run \`npx tsx packages/terraform-provider/scripts/build.ts\` first`);
  }
  const mirrorDir = join(resolve(opts.dir), "mirror");
  const executables: string[] = [];
  for (const address of MIRRORED_PROVIDERS) {
    const type = address.split("/").pop()!;
    const pkgDir = join(mirrorDir, address, version, platform);
    mkdirSync(pkgDir, { recursive: true });
    // The package folder is self-contained (terraform hashes and copies the whole folder).
    cpSync(distDir, pkgDir, { recursive: true, filter: (src) => !src.endsWith("terraform-provider-aws") });
    const exe = join(pkgDir, `terraform-provider-${type}_v${version}`);
    cpSync(join(distDir, "terraform-provider-aws"), exe);
    chmodSync(exe, 0o755);
    executables.push(exe);
  }
  const list = MIRRORED_PROVIDERS.map((a) => JSON.stringify(a)).join(", ");
  const cliConfigFile = join(resolve(opts.dir), "terraform.rc");
  writeFileSync(
    cliConfigFile,
    `# Written by @ec2sim/terraform-provider: install hashicorp/aws and ec2sim/ec2sim from the local mirror.
provider_installation {
  filesystem_mirror {
    path    = ${JSON.stringify(mirrorDir)}
    include = [${list}]
  }
  direct {
    exclude = [${list}]
  }
}
`,
  );
  return { cliConfigFile, mirrorDir, executables };
}
