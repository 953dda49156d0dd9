// Bundles the provider with esbuild into OUTDIR/provider.mjs (+ lazily loaded chunks, e.g. the AWS
// SDK) and writes OUTDIR/terraform-provider-aws, a #!/bin/sh wrapper that execs node on the bundle.
// esbuild is imported only when a build runs, so importing this package stays cheap.
import { chmodSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const PACKAGE_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const DEFAULT_DIST_DIR = join(PACKAGE_DIR, "dist");
export const WRAPPER_NAME = "terraform-provider-aws";

export interface WrapperOptions {
  /** The node executable the wrapper prefers (EC2SIM_NODE overrides it, then `node` on PATH). */
  nodePath?: string;
  /** Default EC2 endpoint baked into the wrapper; EC2SIM_ENDPOINT still wins. */
  endpoint?: string;
}

/** The wrapper script: exec (so terraform's PID is node's), the bundle beside it. */
export function wrapperScript(opts: WrapperOptions | string = {}): string {
  const o = typeof opts === "string" ? { nodePath: opts } : opts;
  const nodePath = o.nodePath ?? process.execPath;
  const endpoint = o.endpoint ? `: "\${EC2SIM_ENDPOINT:=${o.endpoint.replace(/["\\$`]/g, "")}}"\nexport EC2SIM_ENDPOINT\n` : "";
  return `#!/bin/sh
# ec2sim terraform provider (tfplugin6): runs the bundled provider beside this script with node.
${endpoint}NODE="\${EC2SIM_NODE:-${nodePath}}"
[ -x "$NODE" ] || NODE=node
exec "$NODE" "$(dirname "$0")/provider.mjs" "$@"
`;
}

export interface BuildResult {
  outdir: string;
  wrapper: string;
  bundle: string;
}

export async function buildProvider(outdir = DEFAULT_DIST_DIR, wrapper: WrapperOptions = {}): Promise<BuildResult> {
  const { build } = await import("esbuild");
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
  const wrapperPath = join(outdir, WRAPPER_NAME);
  writeFileSync(wrapperPath, wrapperScript(wrapper));
  chmodSync(wrapperPath, 0o755);
  return { outdir, wrapper: wrapperPath, bundle: join(outdir, "provider.mjs") };
}
