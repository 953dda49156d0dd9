import { configDefaults, defineConfig } from "vitest/config";
import SlowestFirstSequencer from "./scripts/vitest-sequencer.ts";

// One run over every workspace package: unit tests sit beside the code, cross-package suites in test/.
const EVERY_TEST = [
  "packages/*/src/**/*.test.ts",
  "packages/*/test/**/*.test.ts",
  "apps/*/src/**/*.test.{ts,tsx}",
  "apps/*/test/**/*.test.{ts,tsx}",
  "test/*/src/**/*.test.ts",
];
const IN_PROCESS = [
  "packages/core/src/**/*.test.ts",
  "packages/core/test/**/*.test.ts",
  "packages/ec2-query/src/**/*.test.ts",
  "packages/ec2-query/test/{large-payload,serialize-compiled}.test.ts",
  "packages/terraform-provider/test/iam-policy-document.test.ts",
  "apps/repl/src/{format/format,state/state,commands/commands}.test.ts",
  "test/layers/src/exports.test.ts",
  "test/coverage-doc/src/*.test.ts",
];
export default defineConfig({
  // The workspace's packages resolve to their TypeScript sources (the `source` export condition) in the
  // environment vitest runs test files in (ssr) too: their `default` points at dist/, which a fresh
  // clone has not built. ("module" is left out: it sends the AWS SDK to its extensionless dist-es.)
  resolve: { conditions: ["source"] },
  ssr: {
    resolve: {
      conditions: ["source", "node", "development|production"],
      externalConditions: ["source"],
    },
  },
  test: {
    projects: [
      // In-process tests of pure code share one module graph per worker (isolate: false): importing core,
      // the EC2 model and the SDK again for each of these ~40 small files cost more than running them.
      // Nothing here starts a process, a server or a timer that outlives its file.
      { extends: true, test: { name: "unit", include: IN_PROCESS, isolate: false } },
      {
        extends: true,
        test: {
          name: "e2e",
          include: EVERY_TEST,
          exclude: [...configDefaults.exclude, ...IN_PROCESS],
          // The built ec2sim the end-to-end suites run (rebuilt only when a source changed).
          globalSetup: ["scripts/vitest-global-setup.ts"],
        },
      },
    ],
    // Generous: a test waits on events, and a busy shared machine can make one take minutes; a hang still fails.
    testTimeout: 180_000,
    hookTimeout: 180_000,
    pool: "forks",
    // vitest's default is one worker fewer than the cores: on a 2-core machine, one file at a time.
    // Most suites wait on child processes (servers, terraform, the AWS CLI), so two files overlap well.
    maxWorkers: 2,
    // The slowest files start first, so the two workers finish together (scripts/vitest-sequencer.ts).
    sequence: { sequencer: SlowestFirstSequencer },
    reporters: ["default"],
  },
});
