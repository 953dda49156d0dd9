// Lays out a terraform filesystem_mirror holding this provider as hashicorp/aws (and as
// ec2sim/ec2sim) and writes a CLI configuration that installs from it, so `terraform init` works
// offline with configurations that say `source = "hashicorp/aws"`.
import { chmodSync, cpSync, existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { DEFAULT_DIST_DIR } from "./build.ts";

/** hashicorp/aws version @cdktf/provider-aws 21.22.1 pins. */
export const DEFAULT_PROVIDER_VERSION = "6.25.0";
/**
 * Versions the mirror offers: terraform picks the newest one a configuration's constraint allows,
 * so `6.25.0`, `~> 6.0` and `>= 5.0` get 6.25.0, and `~> 5.0`-style pins get the last 5.x.
 */
export const DEFAULT_PROVIDER_VERSIONS = [DEFAULT_PROVIDER_VERSION, "5.100.0"] as const;
export const HASHICORP_AWS = "registry.terraform.io/hashicorp/aws";
export const EC2SIM_EC2SIM = "registry.terraform.io/ec2sim/ec2sim";
export const MIRRORED_PROVIDERS = [HASHICORP_AWS, EC2SIM_EC2SIM] as const;
export { DEFAULT_DIST_DIR };

export interface CliConfigOptions {
  /** Where to put the mirror (DIR/mirror) and the CLI config file (DIR/terraform.rc). */
  dir: string;
  /** One version (kept for callers that pin one); see `versions`. */
  version?: string;
  /** Versions to offer; default DEFAULT_PROVIDER_VERSIONS. */
  versions?: readonly string[];
  /** Provider addresses served from the mirror; the others install from their registry as usual. Default: both. */
  addresses?: readonly string[];
  /** The build output (provider.mjs, chunks/, terraform-provider-aws wrapper). Default: the package's dist/. */
  distDir?: string;
  /** terraform's platform name, e.g. linux_amd64; default: this machine's. */
  platform?: string;
}

export interface CliConfig {
  /** Set TF_CLI_CONFIG_FILE to this. */
  cliConfigFile: string;
  mirrorDir: string;
  /** The plugin executables, one per mirrored provider address and version. */
  executables: string[];
  addresses: string[];
  versions: string[];
}

/** terraform's name for this machine's platform (GOOS_GOARCH). */
export function terraformPlatform(platform: string = process.platform, arch: string = process.arch): string {
  const goArch: Record<string, string> = { x64: "amd64", arm64: "arm64", ia32: "386", arm: "arm" };
  return `${platform === "win32" ? "windows" : platform}_${goArch[arch] ?? arch}`;
}

/** Registry addresses from short forms: "hashicorp/aws" -> "registry.terraform.io/hashicorp/aws". */
export function providerAddress(short: string): string {
  const parts = short.split("/");
  if (parts.length === 2) return `registry.terraform.io/${short}`;
  if (parts.length === 3) return short;
  throw new Error(`not a provider address: ${short} (use hashicorp/aws or ec2sim/ec2sim)`);
}

export function writeTerraformCliConfig(opts: CliConfigOptions): CliConfig {
  const versions = [...(opts.versions ?? (opts.version ? [opts.version] : DEFAULT_PROVIDER_VERSIONS))];
  const addresses = [...(opts.addresses ?? MIRRORED_PROVIDERS)].map(providerAddress);
  const distDir = opts.distDir ?? DEFAULT_DIST_DIR;
  const platform = opts.platform ?? terraformPlatform();
  if (!existsSync(join(distDir, "provider.mjs")) || !existsSync(join(distDir, "terraform-provider-aws"))) {
    throw new Error(
      `the provider is not built in ${distDir}: run \`npx tsx packages/terraform-provider/scripts/build.ts\` first`,
    );
  }
  const mirrorDir = join(resolve(opts.dir), "mirror");
  rmSync(mirrorDir, { recursive: true, force: true });
  const executables: string[] = [];
  for (const address of addresses) {
    const type = address.split("/").pop()!;
    for (const version of versions) {
      const pkgDir = join(mirrorDir, address, version, platform);
      mkdirSync(pkgDir, { recursive: true });
      // The package folder is self-contained (terraform hashes and copies the whole folder).
      cpSync(distDir, pkgDir, { recursive: true, filter: (src) => !src.endsWith("terraform-provider-aws") });
      const exe = join(pkgDir, `terraform-provider-${type}_v${version}`);
      cpSync(join(distDir, "terraform-provider-aws"), exe);
      chmodSync(exe, 0o755);
      executables.push(exe);
    }
  }
  const list = addresses.map((a) => JSON.stringify(a)).join(", ");
  const cliConfigFile = join(resolve(opts.dir), "terraform.rc");
  writeFileSync(
    cliConfigFile,
    `# Written by ec2sim (@ec2sim/terraform-provider): ${addresses.join(" and ")} ${versions.join(", ")}
# install from the local mirror below, offline; every other provider installs from its registry.
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
  return { cliConfigFile, mirrorDir, executables, addresses, versions };
}
