/**
 * Runs once before any test file: the end-to-end suites run the built `ec2sim` (apps/cli/dist, what
 * `npm pack` ships; test/harness's BIN), so it is built here when a source is newer than the build.
 * The build runs as its own Node process on the workspace's TypeScript sources (the `source` export
 * condition): vite's resolver for the global setup would take the packages' `default` builds, which a
 * fresh clone does not have yet.
 */
import { execFile } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const REPO = join(dirname(fileURLToPath(import.meta.url)), "..");

export default async function setup(): Promise<void> {
  const tsx = join(REPO, "node_modules/tsx/dist/loader.mjs");
  const script = join(REPO, "apps/cli/scripts/build.ts");
  await promisify(execFile)(
    process.execPath,
    ["--conditions=source", "--import", `file://${tsx}`, script, "--quiet", "--if-stale"],
    { cwd: REPO, maxBuffer: 64 * 1024 * 1024 },
  ).catch((e: { stdout?: string; stderr?: string; message: string }) => {
    throw new Error(`building ec2sim for the end-to-end suites failed:\n${e.stderr || e.stdout || e.message}`);
  });
}
