/**
 * The order test files start in: the slowest first, so that the two workers finish together instead
 * of one running a long Terraform or AWS CLI suite alone at the end while the other idles. vitest
 * orders by the durations it cached on this checkout's last run, but a fresh clone has none, and
 * then vitest starts the largest files first — size says little about time here (the rules suites
 * are large and take a second; a 300-line Terraform suite takes a minute and a half). So the files
 * below lead, slowest first (as measured on the 2-core machine, 2026-12-02; an approximate order is
 * all that is needed), and every other file follows in vitest's own order.
 */
import { relative } from "node:path";
import { BaseSequencer, type TestSpecification } from "vitest/node";

const SLOWEST_FIRST = [
  "test/endpoint/src/fuzz.test.ts",
  "test/bridge/src/roundtrip.test.ts",
  "test/endpoint/src/aws-cli.test.ts",
  "test/terraform/src/network.test.ts",
  "test/replicas/src/aws-cli-replicas.test.ts",
  "test/terraform/src/story.test.ts",
  "test/terraform/src/versions.test.ts",
  "test/bridge/src/history.test.ts",
  "test/terraform/src/community-idioms.test.ts",
  "test/terraform/src/network-defaults.test.ts",
  "test/repl/src/cli-compare.test.ts",
  "test/bridge/src/diff.test.ts",
  "test/endpoint/src/limits.test.ts",
  "test/endpoint/src/aws-cli-paging.test.ts",
  "test/terraform/src/iam-ssm.test.ts",
  "test/bridge/src/cdktf-project.test.ts",
  "test/terraform/src/compat-types.test.ts",
  "packages/core/test/snapshot.test.ts",
  "packages/server/test/host-snapshot.test.ts",
  "test/replicas/src/sdk-postgres.test.ts",
  "test/terraform/src/held.test.ts",
  "packages/terraform-provider/test/network.test.ts",
  "test/replicas/src/load.test.ts",
  "packages/server/test/store-crash.test.ts",
  "test/bridge/src/network-roundtrip.test.ts",
  "test/endpoint/src/aws-services-cli.test.ts",
  "apps/repl/src/components/Views.server.test.tsx",
  "test/bridge/src/hcl-export.test.ts",
];

export default class SlowestFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (f: TestSpecification) => {
      const i = SLOWEST_FIRST.indexOf(relative(f.project.config.root, f.moduleId).replaceAll("\\", "/"));
      return i < 0 ? SLOWEST_FIRST.length : i;
    };
    // vitest's order first (stable), then the known slow files moved to the front in their order.
    return (await super.sort(files)).sort((a, b) => rank(a) - rank(b));
  }
}
