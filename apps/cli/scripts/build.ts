/**
 * Builds the published `ec2sim` command into apps/cli/dist (what `npm pack` ships):
 *   ec2sim.mjs + chunks   one esbuild bundle of the CLI and every workspace package it runs, split
 *                         so each command loads only its own code (no runtime dependencies: the
 *                         tarball installs without the registry, except cdktf on first export)
 *   snapshot-worker.mjs   the server's worker threads: snapshots (packages/server/src/host/) and
 *   key-worker.mjs        RSA keys (packages/server/src/), each started beside its chunks
 *   ec2-model.cjs         the EC2 model's schemas that core does not serve, read on first use
 *   terraform-provider/   the Terraform provider plugin, prebuilt (ec2sim terraform setup copies it)
 * Usage: tsx apps/cli/scripts/build.ts [--quiet] [--if-stale]
 *   --if-stale   only when a source (packages/*, apps/*, the lockfile) is newer than the build
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Sandbox } from "@ec2sim/core";
import { buildProvider } from "@ec2sim/terraform-provider";
import { type BuildOptions, build, type Plugin } from "esbuild";

const CLI_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const DIST = join(CLI_DIR, "dist");
const REPO = resolve(CLI_DIR, "../..");
const quiet = process.argv.includes("--quiet");

// The SDK's schema module, as the ec2-query package resolves it (ES module build).
const ec2QueryDir = join(CLI_DIR, "../../packages/ec2-query");
const sdkDir = dirname(createRequire(join(ec2QueryDir, "package.json")).resolve("@aws-sdk/client-ec2/package.json"));
const SCHEMAS = join(sdkDir, "dist-es/schemas/schemas_0.js");

/** Every operation in the model, and the ones core serves (those the server loads at start). */
function modelActions(): { all: string[]; served: string[] } {
  const src = readFileSync(SCHEMAS, "utf8");
  const all = [...src.matchAll(/^export var ([A-Z][A-Za-z0-9]*)\$ = \[9, /gm)].map((m) => m[1]!).sort();
  return { all, served: all.filter((a) => Sandbox.hasAction(a)) };
}

/**
 * ec2-query's model.ts, generated: the served actions' schemas imported by name from a copy of the
 * schema module of their own (so the bundle keeps only what they reach, even though the SDK clients
 * of `terraform reattach` and the bridge's AWS reader import the whole module), every action's
 * name, and the rest of the model from ec2-model.cjs through a synchronous require on first use.
 */
function modelPlugin(actions: { all: string[]; served: string[] }): Plugin {
  return {
    name: "ec2sim-model",
    setup(b) {
      b.onResolve({ filter: /^ec2sim:served-schemas$/ }, () => ({ path: SCHEMAS, namespace: "ec2sim-served" }));
      b.onLoad({ filter: /.*/, namespace: "ec2sim-served" }, ({ path }) => ({
        contents: pureSchemaSource(path),
        loader: "js",
        resolveDir: dirname(path),
      }));
      b.onLoad({ filter: /[\\/]ec2-query[\\/]src[\\/]model\.ts$/ }, () => ({
        loader: "js",
        resolveDir: dirname(SCHEMAS),
        contents: [
          'import { createRequire } from "node:module";',
          `import { ${actions.served.map((a) => `${a}$`).join(", ")} } from "ec2sim:served-schemas";`,
          `export const servedModel = { ${actions.served.map((a) => `${a}$`).join(", ")} };`,
          "let full;",
          'export const loadFullModel = () => (full ??= createRequire(import.meta.url)("./ec2-model.cjs"));',
          `export const MODEL_ACTIONS = ${JSON.stringify(actions.all)};`,
        ].join("\n"),
      }));
    },
  };
}

/**
 * The SDK's schemas are one module of ~12,000 array literals, some holding objects with computed
 * keys that esbuild must assume have side effects; marking each top-level initializer pure lets it
 * drop the schemas no served operation reaches (the provider's build does the same).
 */
function pureSchemaSource(path: string): string {
  const out: string[] = [];
  let stmt: string[] = [];
  const flush = () => {
    if (!stmt.length) return;
    const text = stmt.join("\n");
    const m = /^((?:export )?var [A-Za-z_$][\w$]* = )(\[[\s\S]*\]);\s*$/.exec(text);
    out.push(m ? `${m[1]}/* @__PURE__ */ (() => (${m[2]}))();` : text);
    stmt = [];
  };
  for (const line of readFileSync(path, "utf8").split("\n")) {
    if (line !== "" && !/^[\s\])}]/.test(line)) flush();
    stmt.push(line);
  }
  flush();
  return out.join("\n");
}

const pureSchemas: Plugin = {
  name: "ec2sim-pure-schemas",
  setup(b) {
    b.onLoad({ filter: /@aws-sdk[\\/]client-ec2[\\/]dist-es[\\/]schemas[\\/]schemas_\d+\.js$/ }, ({ path }) => ({
      contents: pureSchemaSource(path),
      loader: "js",
    }));
  },
};

const REQUIRE_SHIM =
  'import { createRequire as __ec2simCreateRequire } from "node:module"; const require = __ec2simCreateRequire(import.meta.url);';

export async function buildCli(): Promise<{ ms: number; files: string[] }> {
  const t0 = performance.now();
  // Built beside dist and swapped in whole, so a test run that spawns dist/ec2sim.mjs meanwhile
  // never finds it half written or missing.
  const out = `${DIST}.new-${process.pid}`;
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const actions = modelActions();
  const shared: BuildOptions = {
    bundle: true,
    platform: "node",
    target: "node20",
    conditions: ["source"],
    // ES module builds of the SDK and friends let esbuild drop what is not used.
    mainFields: ["module", "main"],
    minifyWhitespace: true,
    minifySyntax: true,
    legalComments: "none",
    logLevel: "warning",
  };
  const main = await build({
    ...shared,
    // The server's worker threads are entries of their own (the server finds them beside its chunks).
    entryPoints: {
      ec2sim: join(CLI_DIR, "src/bin.ts"),
      "snapshot-worker": join(REPO, "packages/server/src/host/snapshot-worker.ts"),
      "key-worker": join(REPO, "packages/server/src/key-worker.ts"),
    },
    outdir: out,
    splitting: true,
    format: "esm",
    outExtension: { ".js": ".mjs" },
    // Chunks beside the entry, so a command finds files next to its code (terraform-provider/).
    chunkNames: "[name]-[hash]",
    // React and Ink pick their production builds.
    define: { "process.env.NODE_ENV": '"production"' },
    // cdktf (optional peer, resolved at run time), esbuild (only to build from sources), and the
    // optional native add-ons of ws and pg.
    external: [
      "cdktf",
      "constructs",
      "@cdktf/*",
      "esbuild",
      "pg-native",
      "bufferutil",
      "utf-8-validate",
      "react-devtools-core",
    ],
    plugins: [modelPlugin(actions), pureSchemas],
    // CommonJS dependencies (pg, ws, yaml …) call require(): give the ES module bundle one.
    banner: { js: REQUIRE_SHIM },
    metafile: true,
  });
  // The whole model, for actions core does not serve (UnsupportedOperation needs to know them) and
  // the REPL's AWS CLI syntax of every action.
  await build({
    ...shared,
    stdin: { contents: 'export * from "./schemas_0.js";', resolveDir: dirname(SCHEMAS), loader: "js" },
    outfile: join(out, "ec2-model.cjs"),
    format: "cjs",
  });
  await buildProvider(join(out, "terraform-provider"));
  // What went into which chunk, for looking into start-up costs (not shipped).
  writeFileSync(join(CLI_DIR, "node_modules", ".build-meta.json"), JSON.stringify(main.metafile!));
  const files = Object.keys(main.metafile!.outputs).map((f) => relative(out, resolve(f)));
  const old = `${DIST}.old-${process.pid}`;
  if (existsSync(DIST)) renameSync(DIST, old);
  renameSync(out, DIST);
  rmSync(old, { recursive: true, force: true });
  return { ms: performance.now() - t0, files };
}

/** The newest modification time of the files a build reads (sources, data, manifests), in ms. */
function newestInput(): number {
  let newest = statSync(join(REPO, "pnpm-lock.yaml")).mtimeMs;
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name === "node_modules" || entry.name.startsWith("dist") || entry.name === "test") continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else newest = Math.max(newest, statSync(path).mtimeMs);
    }
  };
  for (const group of ["packages", "apps"])
    for (const pkg of readdirSync(join(REPO, group))) walk(join(REPO, group, pkg));
  return newest;
}

/** Whether dist holds a build at least as new as every input. */
export function buildIsCurrent(): boolean {
  const entry = join(DIST, "ec2sim.mjs");
  if (!existsSync(entry) || !existsSync(join(DIST, "terraform-provider", "provider.mjs"))) return false;
  return statSync(entry).mtimeMs >= newestInput();
}

if (import.meta.url === `file://${process.argv[1]}`) {
  if (process.argv.includes("--if-stale") && buildIsCurrent()) {
    if (!quiet) process.stdout.write(`${DIST} is current\n`);
  } else {
    const { ms, files } = await buildCli();
    if (!quiet) process.stdout.write(`built ${DIST} (${files.length} files) in ${Math.round(ms)} ms\n`);
  }
}
