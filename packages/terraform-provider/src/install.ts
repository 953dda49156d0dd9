// Lays out a terraform filesystem_mirror holding this provider as hashicorp/aws (and as
// ec2sim/ec2sim) under every release of OFFERED_VERSIONS, and writes a CLI configuration that
// installs from it, so `terraform init` works offline with configurations that say
// `source = "hashicorp/aws"`, whatever release they pin or lock.
//
// terraform records a package's h1 hash (a hash of every file in the package folder) in
// .terraform.lock.hcl and refuses a package that does not match. So each package folder holds one
// file that never changes: LAUNCHER, which finds the provider set up on this machine and runs it.
// Its hash depends on nothing but the release's name, so a lock file written by ec2sim anywhere (a
// colleague's machine, CI, an older ec2sim) matches here, and N releases cost N hard links, not N
// copies of the bundle. A lock file written against the real hashicorp/aws records the real
// package's hashes, which no other package can match: `terraform init -upgrade` re-locks it.
import { createHash } from "node:crypto";
import { chmodSync, existsSync, linkSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, relative, resolve, sep } from "node:path";
import { DEFAULT_DIST_DIR } from "./build.ts";
import { CDKTF_PROVIDER_VERSION, OFFERED_VERSIONS, summarizeVersions } from "./versions.ts";

/** hashicorp/aws version @cdktf/provider-aws 21.22.1 pins. */
export const DEFAULT_PROVIDER_VERSION = CDKTF_PROVIDER_VERSION;
/** Versions the mirror offers: terraform picks the newest one a configuration's constraint allows. */
export const DEFAULT_PROVIDER_VERSIONS = OFFERED_VERSIONS;
export const HASHICORP_AWS = "registry.terraform.io/hashicorp/aws";
export const EC2SIM_EC2SIM = "registry.terraform.io/ec2sim/ec2sim";
export const MIRRORED_PROVIDERS = [HASHICORP_AWS, EC2SIM_EC2SIM] as const;
export { DEFAULT_DIST_DIR };

/** The script beside the mirror (DIR/provider) that LAUNCHER runs: this machine's provider. */
export const PROVIDER_SCRIPT = "provider";

/**
 * The whole content of every package folder (as terraform-provider-TYPE_vVERSION). Never change it:
 * its bytes are in users' lock files. It runs, in this order: EC2SIM_TF_PROVIDER; the `provider`
 * script beside the CLI config terraform was given (TF_CLI_CONFIG_FILE, which `setup` asks for: the
 * right one even when terraform's plugin cache, shared by every project, links to another project's
 * mirror); else the one six levels above its own resolved location (terraform links
 * .terraform/providers/… to the mirror's folder).
 */
export const LAUNCHER = `#!/bin/sh
# ec2sim's Terraform provider, installed from a local filesystem mirror by ec2sim terraform setup.
# This file is the whole package (terraform hashes it into .terraform.lock.hcl), so it is the same
# everywhere: it runs the provider set up on this machine, as the release named by its file name.
exe="$EC2SIM_TF_PROVIDER"
if [ -z "$exe" ] && [ -n "$TF_CLI_CONFIG_FILE" ] && [ -x "$(dirname "$TF_CLI_CONFIG_FILE")/${PROVIDER_SCRIPT}" ]; then
  exe="$(dirname "$TF_CLI_CONFIG_FILE")/${PROVIDER_SCRIPT}"
fi
[ -n "$exe" ] || exe="$(dirname "$(readlink -f "$0")")/../../../../../../${PROVIDER_SCRIPT}"
if [ ! -x "$exe" ]; then
  echo "ec2sim: no provider at $exe (run: ec2sim terraform setup)" >&2
  exit 1
fi
EC2SIM_TF_PROVIDER_VERSION="\${0##*_v}"
export EC2SIM_TF_PROVIDER_VERSION
exec "$exe" "$@"
`;

/** terraform's h1 hash of a package folder (Go's dirhash.Hash1): what .terraform.lock.hcl records. */
export function packageHash(dir: string): string {
  const files: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else files.push(relative(dir, p).split(sep).join("/"));
    }
  };
  walk(dir);
  const summary = files
    .sort()
    .map(
      (f) =>
        `${createHash("sha256")
          .update(readFileSync(join(dir, f)))
          .digest("hex")}  ${f}\n`,
    )
    .join("");
  return `h1:${createHash("sha256").update(summary).digest("base64")}`;
}

const shQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

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
  const distDir = resolve(opts.distDir ?? DEFAULT_DIST_DIR);
  const platform = opts.platform ?? terraformPlatform();
  if (!existsSync(join(distDir, "provider.mjs")) || !existsSync(join(distDir, "terraform-provider-aws"))) {
    throw new Error(
      `the provider is not built in ${distDir}: run \`npx tsx packages/terraform-provider/scripts/build.ts\` first`,
    );
  }
  const dir = resolve(opts.dir);
  const mirrorDir = join(dir, "mirror");
  rmSync(mirrorDir, { recursive: true, force: true });
  mkdirSync(mirrorDir, { recursive: true });
  // This machine's side: the provider LAUNCHER runs (the build's wrapper knows node and the endpoint).
  const script = join(dir, PROVIDER_SCRIPT);
  writeFileSync(
    script,
    `#!/bin/sh\n# Written by ec2sim terraform setup: the mirror's launchers run this machine's build.\nexec ${shQuote(join(distDir, "terraform-provider-aws"))} "$@"\n`,
  );
  chmodSync(script, 0o755);
  const launcher = join(mirrorDir, ".launcher");
  writeFileSync(launcher, LAUNCHER);
  chmodSync(launcher, 0o755);
  const executables: string[] = [];
  for (const address of addresses) {
    const type = address.split("/").pop()!;
    for (const version of versions) {
      const pkgDir = join(mirrorDir, address, version, platform);
      mkdirSync(pkgDir, { recursive: true });
      const exe = join(pkgDir, `terraform-provider-${type}_v${version}`);
      try {
        linkSync(launcher, exe);
      } catch {
        writeFileSync(exe, LAUNCHER);
        chmodSync(exe, 0o755);
      }
      executables.push(exe);
    }
  }
  rmSync(launcher);
  const list = addresses.map((a) => JSON.stringify(a)).join(", ");
  const cliConfigFile = join(dir, "terraform.rc");
  writeFileSync(
    cliConfigFile,
    `# Written by ec2sim (@ec2sim/terraform-provider): ${addresses.join(" and ")} ${summarizeVersions(versions)}
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
