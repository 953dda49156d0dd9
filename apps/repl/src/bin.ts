/**
 * Entry of the `ec2sim` command (bin/ec2sim). Ink draws nothing interactive when it believes it
 * runs in CI (any of CI, CONTINUOUS_INTEGRATION, CI_* set): it waits to print the last frame at
 * exit. A REPL on a real terminal is interactive wherever that terminal is — a CI job's tmux
 * included — so those variables are cleared before Ink is loaded.
 */
if (process.stdout.isTTY && process.stdin.isTTY) {
  for (const key of Object.keys(process.env)) {
    if (key === "CI" || key === "CONTINUOUS_INTEGRATION" || key.startsWith("CI_")) delete process.env[key];
  }
}

const { main } = await import("./main.ts");

main(process.argv.slice(2)).then(
  (code) => {
    // Let the event loop drain (exiting with the terminal still being reset can trip Node's stdio
    // assertion); leave by force only if something still holds it open.
    process.exitCode = code;
    setTimeout(() => process.exit(code), 3_000).unref();
  },
  (e: unknown) => {
    console.error(`ec2sim: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    process.exit(1);
  },
);
