/**
 * Runs once before any test file: the end-to-end suites run the built `ec2sim` (apps/cli/dist, what
 * `npm pack` ships; test/harness's BIN), so it is built here when a source is newer than the build.
 */
import { buildCli, buildIsCurrent } from "../apps/cli/scripts/build.ts";

export default async function setup(): Promise<void> {
  if (!buildIsCurrent()) await buildCli();
}
