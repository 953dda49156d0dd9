// Bundles the provider with esbuild into OUTDIR/provider.mjs (+ lazily loaded chunks, e.g. the AWS
// SDK) and writes OUTDIR/terraform-provider-aws, a #!/bin/sh wrapper that execs node on the bundle.
// esbuild is imported only when a build runs, so importing this package stays cheap.
import { chmodSync, cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const PACKAGE_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "..");
// Not dist/: that is the package's library build (scripts/place-build.ts).
export const DEFAULT_DIST_DIR = join(PACKAGE_DIR, "bundle");
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
  const endpoint = o.endpoint
    ? `: "\${EC2SIM_ENDPOINT:=${o.endpoint.replace(/["\\$`]/g, "")}}"\nexport EC2SIM_ENDPOINT\n`
    : "";
  return `#!/bin/sh
# ec2sim terraform provider (tfplugin6): runs the bundled provider beside this script with node.
${endpoint}NODE="\${EC2SIM_NODE:-${nodePath}}"
[ -x "$NODE" ] || NODE=node
exec "$NODE" "$(dirname "$0")/provider.mjs" "$@"
`;
}

/**
 * The SDK's operation schemas are one module of ~12,000 array literals; some hold objects with
 * computed keys, which esbuild must assume have side effects, so it keeps every schema (~800 KB)
 * although the provider sends 57 operations. Marking each top-level schema initializer pure lets
 * esbuild drop the schemas no kept operation reaches. Evaluation order is unchanged.
 */
const pureSchemas = {
  name: "ec2sim-pure-sdk-schemas",
  setup(b: {
    onLoad(o: { filter: RegExp }, cb: (a: { path: string }) => { contents: string; loader: "js" } | undefined): void;
  }) {
    b.onLoad(
      { filter: /@aws-sdk[\\/]client-(?:ec2|iam|ssm|sts)[\\/]dist-es[\\/]schemas[\\/]schemas_\d+\.js$/ },
      ({ path }) => {
        const src = readFileSync(path, "utf8");
        // Top-level statements start in column 0; a schema is `[export ]var NAME = [ … ];`.
        const lines = src.split("\n");
        const out: string[] = [];
        let stmt: string[] = [];
        const flush = () => {
          if (!stmt.length) return;
          const text = stmt.join("\n");
          const m = /^((?:export )?var [A-Za-z_$][\w$]* = )(\[[\s\S]*\]);\s*$/.exec(text);
          out.push(m ? `${m[1]}/* @__PURE__ */ (() => (${m[2]}))();` : text);
          stmt = [];
        };
        for (const line of lines) {
          if (line !== "" && !/^[\s\])}]/.test(line)) flush();
          stmt.push(line);
        }
        flush();
        return { contents: out.join("\n"), loader: "js" };
      },
    );
  },
};

export interface BuildResult {
  outdir: string;
  wrapper: string;
  bundle: string;
}

export interface BundleOptions {
  /**
   * Bundle as before the start-up work (for side-by-side benchmarks): the SDK's CommonJS build
   * whole (~2.3 MB loaded at the first API call) and grpc-js with proto-loader.
   */
  unoptimized?: boolean;
}

export async function buildProvider(
  outdir = DEFAULT_DIST_DIR,
  wrapper: WrapperOptions = {},
  bundle: BundleOptions = {},
): Promise<BuildResult> {
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
    ...(bundle.unoptimized
      ? {}
      : {
          // The SDK's ES module build (dist-es) lets esbuild drop the operations the provider never sends.
          mainFields: ["module", "main"],
          plugins: [pureSchemas as never],
          // grpc-js loads proto-loader (and protobufjs) only for its channelz/ORCA admin services, which a
          // provider never serves: leave them out of the bundle (~150 KB less to parse at every start).
          external: ["@grpc/proto-loader"],
        }),
    minifyWhitespace: true,
    minifySyntax: true,
    legalComments: "none",
    logLevel: "warning",
    // CommonJS dependencies (grpc-js) call require(): give the ESM bundle one.
    banner: {
      js: 'import { createRequire as __ec2simCreateRequire } from "node:module"; const require = __ec2simCreateRequire(import.meta.url);',
    },
  });
  const wrapperPath = join(outdir, WRAPPER_NAME);
  writeFileSync(wrapperPath, wrapperScript(wrapper));
  chmodSync(wrapperPath, 0o755);
  return { outdir, wrapper: wrapperPath, bundle: join(outdir, "provider.mjs") };
}

/**
 * Installs a bundle built earlier (the published ec2sim ships one: it has no sources to build from)
 * into `outdir`, with a wrapper for this machine's node.
 */
export function installPrebuilt(from: string, outdir: string, wrapper: WrapperOptions = {}): BuildResult {
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });
  cpSync(from, outdir, { recursive: true, filter: (src) => !src.endsWith(WRAPPER_NAME) });
  const wrapperPath = join(outdir, WRAPPER_NAME);
  writeFileSync(wrapperPath, wrapperScript(wrapper));
  chmodSync(wrapperPath, 0o755);
  return { outdir, wrapper: wrapperPath, bundle: join(outdir, "provider.mjs") };
}

/**
 * The bundle in `prebuilt` when there is one (a copy: instant), else a build from the sources into
 * `outdir` (seconds of esbuild). What the test suites use, with the built ec2sim's bundle.
 */
export async function installOrBuild(
  prebuilt: string,
  outdir: string,
  wrapper: WrapperOptions = {},
): Promise<BuildResult> {
  return existsSync(join(prebuilt, "provider.mjs"))
    ? installPrebuilt(prebuilt, outdir, wrapper)
    : buildProvider(outdir, wrapper);
}
