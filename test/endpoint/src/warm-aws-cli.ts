/**
 * Runs the real AWS CLI v2 for tests, either as a new process per call (execFile) or, when the `aws`
 * under test is a Python script (Debian's awscli is), through warm-aws-cli.py: the CLI's own
 * interpreter imports awscli.clidriver once and forks a child per call that runs what the `aws`
 * script runs, awscli.clidriver.main(), with the call's argv and environment. Same code, same
 * output, one fifth of the CPU per call: interpreter start and imports were most of each call's cost,
 * and the suites make over a thousand calls. `EC2SIM_TEST_AWS_EXEC=1` forces a process per call; a
 * CLI that is not a Python script (the official installer's bundle) always gets one.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

export interface AwsRun {
  code: number;
  stdout: string;
  stderr: string;
}

const HERE = dirname(fileURLToPath(import.meta.url));

/** Runs `aws ARGS…` (the CLI at `awsPath`) with exactly `env`; never throws. */
export function runAws(awsPath: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<AwsRun> {
  const warm = process.env.EC2SIM_TEST_AWS_EXEC === "1" ? undefined : warmCli(awsPath);
  return warm ? warm.run(args, env, timeoutMs) : execAws(awsPath, args, env, timeoutMs);
}

function execAws(awsPath: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<AwsRun> {
  return new Promise((resolve) => {
    execFile(awsPath, args, { env, timeout: timeoutMs }, (err, stdout, stderr) => {
      const code = err
        ? typeof (err as { code?: unknown }).code === "number"
          ? (err as { code: number }).code
          : -1
        : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

interface WarmCli {
  run(args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<AwsRun>;
}

const warmByPath = new Map<string, WarmCli | undefined>();

/** The warm runner for this CLI, or undefined when it is not a Python script that imports awscli. */
function warmCli(awsPath: string): WarmCli | undefined {
  if (warmByPath.has(awsPath)) return warmByPath.get(awsPath);
  let python: string | undefined;
  try {
    const head = readFileSync(awsPath, "utf8").slice(0, 4096);
    const shebang = /^#!\s*(\S*python[0-9.]*)\s*$/m.exec(head.split("\n")[0] ?? "");
    if (shebang && head.includes("awscli.clidriver")) python = shebang[1];
  } catch {
    python = undefined;
  }
  const warm = python ? startWarm(python, awsPath) : undefined;
  warmByPath.set(awsPath, warm);
  return warm;
}

function startWarm(python: string, awsPath: string): WarmCli {
  let proc: ChildProcess | undefined;
  let nextId = 1;
  const waiting = new Map<number, (r: AwsRun) => void>();
  const ensure = (): ChildProcess => {
    if (proc && proc.exitCode === null && !proc.killed) return proc;
    const p = spawn(python, [join(HERE, "warm-aws-cli.py")], {
      stdio: ["pipe", "pipe", "inherit"],
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: process.env.HOME ?? "/tmp" },
    });
    held(p, false);
    createInterface({ input: p.stdout! }).on("line", (line) => {
      const answer = JSON.parse(line) as AwsRun & { id: number };
      const resolve = waiting.get(answer.id);
      waiting.delete(answer.id);
      if (waiting.size === 0) held(p, false);
      // A child killed at its deadline exits by signal: report it as execFile's timeout does.
      resolve?.({ code: answer.code < 0 ? -1 : answer.code, stdout: answer.stdout, stderr: answer.stderr });
    });
    p.on("exit", () => {
      for (const [id, resolve] of waiting) {
        waiting.delete(id);
        resolve({ code: -1, stdout: "", stderr: `the warm AWS CLI (${awsPath}) exited` });
      }
    });
    process.once("exit", () => p.kill());
    proc = p;
    return p;
  };
  return {
    run(args, env, timeoutMs) {
      const p = ensure();
      const id = nextId++;
      return new Promise((resolve) => {
        waiting.set(id, resolve);
        held(p, true);
        p.stdin!.write(`${JSON.stringify({ id, argv: [awsPath, ...args], env, timeoutMs })}\n`);
      });
    },
  };
}

/** While calls are outstanding the warm CLI keeps this process alive; idle, it does not hold it open. */
function held(p: ChildProcess, hold: boolean): void {
  for (const h of [p, p.stdin, p.stdout] as unknown as { ref?: () => void; unref?: () => void }[])
    hold ? h?.ref?.() : h?.unref?.();
}
