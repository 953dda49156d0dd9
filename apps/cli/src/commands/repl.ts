/**
 * `ec2sim` with no command: the REPL. Ink draws nothing interactive when it believes it runs in CI
 * (any of CI, CONTINUOUS_INTEGRATION, CI_* set): it waits to print the last frame at exit. A REPL on
 * a real terminal is interactive wherever that terminal is — a CI job's tmux included — so those
 * variables are cleared before Ink is loaded.
 */
import { MAX_SPEED, MIN_SPEED } from "@ec2sim/core";
import type { ReplArgs } from "@ec2sim/repl/main";
import { defaultDataDir } from "@ec2sim/server/serve";
import { type Parsed, UsageError } from "../spec.ts";
import { repl as spec } from "../table.ts";

/** The parsed command line as the REPL's arguments; a UsageError names what is wrong. */
export function replArgs({ values }: Parsed, env: NodeJS.ProcessEnv = process.env): ReplArgs {
  const str = (name: string) => values[name] as string | undefined;
  const port = str("port") === undefined ? undefined : Number(str("port"));
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535))
    throw new UsageError(`--port must be 0..65535, not ${str("port")}`, spec);
  const speed = str("speed") === undefined ? undefined : Number(str("speed"));
  if (speed !== undefined && !(speed >= MIN_SPEED && speed <= MAX_SPEED))
    throw new UsageError(`--speed must be a number from ${MIN_SPEED} to ${MAX_SPEED}, not ${str("speed")}`, spec);
  const accessKeyId = str("access-key-id") ?? env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = str("secret-access-key") ?? env.AWS_SECRET_ACCESS_KEY;
  return {
    dataDir: str("data") ?? defaultDataDir(env),
    ...(port !== undefined ? { port } : {}),
    sandbox: str("sandbox") ?? "default",
    ...(speed !== undefined ? { speed } : {}),
    ...(str("connect") ? { connect: str("connect") } : {}),
    ...(accessKeyId ? { accessKeyId } : {}),
    ...(secretAccessKey ? { secretAccessKey } : {}),
  };
}

/**
 * The REPL's first frame, written with plain escape codes before the REPL's modules load (Ink,
 * React and the EC2 model take a while, seconds on a busy machine): Ink's first frame replaces it.
 * Returns how many lines above the cursor's it took (-1: none, not a terminal).
 */
function firstFrame(): number {
  const width = process.stdout.columns || 80;
  const cut = (s: string) => (s.length > width ? s.slice(0, width) : s);
  const lines = [
    `\x1b[1;36m${cut("ec2sim · starting…")}\x1b[0m`,
    `\x1b[2m${cut("loading the REPL, then the sandbox")}\x1b[0m`,
    `\x1b[2m${"─".repeat(width)}\x1b[0m`,
    "\x1b[1;90m> \x1b[0m",
  ];
  process.stdout.write(lines.join("\n"));
  return lines.length - 1;
}

export async function repl(p: Parsed): Promise<number> {
  const args = replArgs(p);
  let drawn = -1;
  if (process.stdout.isTTY && process.stdin.isTTY) {
    for (const key of Object.keys(process.env)) {
      if (key === "CI" || key === "CONTINUOUS_INTEGRATION" || key.startsWith("CI_")) delete process.env[key];
    }
    drawn = firstFrame();
  }
  const { runRepl, ReplUsageError, eraseFirstFrame } = await import("@ec2sim/repl/main");
  try {
    return await runRepl(args, drawn);
  } catch (e) {
    eraseFirstFrame(drawn, true);
    if (e instanceof ReplUsageError) throw new UsageError(e.message, spec);
    throw e;
  }
}
