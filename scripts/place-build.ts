/**
 * After `tsc -p tsconfig.build.json` (one program over every package, emitted into dist/): moves
 * each library package's output to its own `dist/`, where its package.json `exports` point
 * (`types` and `default`; the workspace itself runs on `source`). Source maps are rewritten to
 * point at the sources from there. A package's output sits one level below its root, as `src/`
 * does, so its relative imports of package files (core's `../data/*.json`) resolve the same.
 * The CLI (apps/cli) is not listed: its build is one bundle (apps/cli/scripts/build.ts).
 * Usage: tsx scripts/place-build.ts
 */
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "..");
/** Every workspace package with a library build, as its directory in the repository. */
export const BUILT_PACKAGES = [
  "packages/core",
  "packages/ec2-query",
  "packages/aws-protocols",
  "packages/protocol",
  "packages/server",
  "packages/cdktf-bridge",
  "packages/terraform-provider",
  "apps/repl",
];

function* files(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* files(path);
    else yield path;
  }
}

/** Moves the built output of `BUILT_PACKAGES` into place. */
export function placeBuild(): void {
  for (const name of BUILT_PACKAGES) place(name);
}

function place(dir: string): void {
  const from = join(REPO, "dist", dir, "src");
  const to = join(REPO, dir, "dist");
  if (!existsSync(from)) throw new Error(`${from}: not built (run tsc -p tsconfig.build.json first)`);
  rmSync(to, { recursive: true, force: true });
  renameSync(from, to);
  for (const file of files(to)) {
    if (!file.endsWith(".map")) continue;
    const map = JSON.parse(readFileSync(file, "utf8")) as { sources: string[] };
    const was = join(from, relative(to, dirname(file)));
    map.sources = map.sources.map((s) => relative(dirname(file), resolve(was, s)));
    writeFileSync(file, JSON.stringify(map));
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) placeBuild();
