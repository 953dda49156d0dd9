import { defineConfig } from "vitest/config";
import SlowestFirstSequencer from "./scripts/vitest-sequencer.ts";

// One run over every workspace package: unit tests sit beside the code, cross-package suites in test/.
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
    include: [
      "packages/*/src/**/*.test.ts",
      "packages/*/test/**/*.test.ts",
      "apps/*/src/**/*.test.{ts,tsx}",
      "apps/*/test/**/*.test.{ts,tsx}",
      "test/*/src/**/*.test.ts",
    ],
    // The built ec2sim the end-to-end suites run (rebuilt only when a source changed).
    globalSetup: ["scripts/vitest-global-setup.ts"],
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
