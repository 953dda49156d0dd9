/**
 * Where cdktf comes from for `ec2sim export`. From the repository: the bridge's own dependencies.
 * In the published package, cdktf, constructs and @cdktf/provider-aws (about 400 MB) are optional
 * peer dependencies: used when installed beside ec2sim (`npm install -g` them next to it), else
 * installed on first use with npm into a cache folder (EC2SIM_CDKTF_DIR, default
 * ~/.ec2sim/cdktf-<versions>), saying so first.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { homedir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { Synthesizer } from "@ec2sim/cdktf-bridge";
import pkg from "../../package.json" with { type: "json" };

/** The versions the bridge is built and tested against (the package's peer dependencies). */
export const CDKTF_PACKAGES: Readonly<Record<string, string>> = pkg.peerDependencies;

export function cdktfCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const tag = `${CDKTF_PACKAGES.cdktf}-${CDKTF_PACKAGES["@cdktf/provider-aws"]}`;
  return env.EC2SIM_CDKTF_DIR || join(homedir(), ".ec2sim", `cdktf-${tag}`);
}

const specs = () => Object.entries(CDKTF_PACKAGES).map(([name, version]) => `${name}@${version}`);

/** Installs the cdktf packages into `dir` with npm (from the registry npm is configured for). */
export function installCdktf(dir: string, say: (line: string) => void): void {
  say(
    `ec2sim export: synthesizing needs ${specs().join(", ")} (about 400 MB, once);\n` +
      `  installing them into ${dir} with npm…`,
  );
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "package.json"), `${JSON.stringify({ name: "ec2sim-cdktf", private: true }, null, 2)}\n`);
  try {
    execFileSync("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error", ...specs()], {
      cwd: dir,
      stdio: ["ignore", "ignore", "inherit"],
      env: { ...process.env, CHECKPOINT_DISABLE: "1" },
    });
  } catch (e) {
    throw new Error(
      `could not install cdktf (${e instanceof Error ? e.message.split("\n")[0] : String(e)}).\n` +
        `  Install it beside ec2sim yourself: npm install -g ${specs().join(" ")}`,
    );
  }
  say("  done.");
}

export async function cdktfSynthesizer(): Promise<Synthesizer> {
  const { cdktfResolvable, cdktfSynthesizer, cdktfSynthesizerWith } = await import("@ec2sim/cdktf-bridge/synth/cdktf");
  if (await cdktfResolvable()) return cdktfSynthesizer;
  const dir = cdktfCacheDir();
  if (!existsSync(join(dir, "node_modules", "@cdktf", "provider-aws", "package.json")))
    installCdktf(dir, (line) => process.stderr.write(`${line}\n`));
  const require = createRequire(join(dir, "package.json"));
  return cdktfSynthesizerWith(
    (specifier) => import(pathToFileURL(require.resolve(specifier)).href) as Promise<Record<string, unknown>>,
  );
}
