// Bundles the provider with esbuild into dist/provider.mjs (+ lazily loaded chunks, e.g. the AWS SDK)
// and writes dist/terraform-provider-aws, a #!/bin/sh wrapper that execs node on the bundle.
//   npx tsx packages/terraform-provider/scripts/build.ts [outdir]
import { build } from "esbuild";
import { chmodSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const PACKAGE_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const WRAPPER_NAME = "terraform-provider-aws";

/** The wrapper script: exec (so terraform's PID is node's), the bundle beside it. */
export function wrapperScript(nodePath = process.execPath): string {
  return `#!/bin/sh
# ec2sim terraform provider (tfplugin6): runs the bundled provider beside this script with node.
NODE="\${EC2SIM_NODE:-${nodePath}}"
[ -x "$NODE" ] || NODE=node
exec "$NODE" "$(dirname "$0")/provider.mjs" "$@"
`;
}

export async function buildProvider(outdir = join(PACKAGE_DIR, "dist")): Promise<{ outdir: string; wrapper: string; bundle: string }> {
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });
  await build({
    entryPoints: { provider: join(PACKAGE_DIR, "src/main.ts") },
    outdir,
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node20",
    outExtension: { ".js": ".mjs" },
    chunkNames: "chunks/[name]-[hash]",
    conditions: ["source"],
    minifyWhitespace: true,
    minifySyntax: true,
    legalComments: "none",
    logLevel: "warning",
    // CommonJS dependencies (grpc-js) call require(): give the ESM bundle one.
    banner: { js: 'import { createRequire as __ec2simCreateRequire } from "node:module"; const require = __ec2simCreateRequire(import.meta.url);' },
  });
  const wrapper = join(outdir, WRAPPER_NAME);
  writeFileSync(wrapper, wrapperScript());
  chmodSync(wrapper, 0o755);
  return { outdir, wrapper, bundle: join(outdir, "provider.mjs") };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const started = Date.now();
  const out = await buildProvider(process.argv[2] ? resolve(process.argv[2]) : undefined);
  process.stdout.write(`built ${out.bundle} and ${out.wrapper} in ${Date.now() - started} ms\n`);
}
