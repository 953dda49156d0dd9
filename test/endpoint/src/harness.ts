/**
 * Test plumbing: the shared harness (@ec2sim/test-harness: a real `ec2sim serve` process, the
 * admin API, the sandbox's accounts, SDK clients) and the real AWS CLI v2.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { type ServerProcess, startServer } from "@ec2sim/test-harness";

// What bench/store/replica-bench.ts takes from here.
export { accountsOf, type ServerProcess, tempDir } from "@ec2sim/test-harness";

export const run = promisify(execFile);

/** `startServer` with its former option name `args` (bench/store/replica-bench.ts starts servers this way). */
export function startServerProcess(
  opts: { dataDir?: string; speed?: number; args?: string[]; port?: number; timeoutMs?: number } = {},
): Promise<ServerProcess> {
  const { args, ...rest } = opts;
  return startServer({ ...rest, ...(args ? { extraArgs: args } : {}) });
}

/** The first `aws` on PATH that is the AWS CLI v2, or an explanation of why there is none. */
export async function findAwsCliV2(): Promise<{ path: string; version: string } | { error: string }> {
  const seen: string[] = [];
  let candidates: string[] = [];
  try {
    const { stdout } = await run("sh", ["-c", "type -ap aws 2>/dev/null || which -a aws"]);
    candidates = [
      ...new Set(
        stdout
          .split("\n")
          .map((s) => s.trim())
          .filter(Boolean),
      ),
    ];
  } catch {
    candidates = [];
  }
  for (const extra of ["/usr/bin/aws", "/usr/local/bin/aws"]) if (!candidates.includes(extra)) candidates.push(extra);
  for (const path of candidates) {
    try {
      const { stdout, stderr } = await run(path, ["--version"], { timeout: 30_000 });
      const version = (stdout || stderr).trim();
      seen.push(`${path}: ${version}`);
      if (version.startsWith("aws-cli/2")) return { path, version };
    } catch {
      // not runnable
    }
  }
  return {
    error: `The AWS CLI v2 is required by this test and was not found (saw: ${seen.join("; ") || "no aws at all"}). Install it: apt-get install -y awscli (Debian 12 ships v2), or the official installer.`,
  };
}
