/**
 * The `ec2sim` command: finds the command in the table, parses its arguments, runs it. With no
 * command (or only options), the REPL. Imports nothing heavy: each command loads its own modules.
 */
import pkg from "../package.json" with { type: "json" };
import { commandHelp, optionLines, type Parsed, parseCommand, shortUsage, UsageError } from "./spec.ts";
import { COMMANDS, repl } from "./table.ts";

export const VERSION: string = pkg.version;

export interface Io {
  out(text: string): void;
  err(text: string): void;
}

const stdio: Io = {
  out: (t) => void process.stdout.write(t),
  err: (t) => void process.stderr.write(t),
};

/** The top-level help: the REPL's usage and options, then the commands. */
export function mainHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length)) + 4;
  return [
    `ec2sim ${VERSION}: a sandbox of Amazon EC2 and AMIs`,
    "",
    commandHelp(repl).trimEnd(),
    "",
    "Commands:",
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}${c.summary}`),
    "",
  ].join("\n");
}

const byName = (name: string) => COMMANDS.find((c) => c.name === name);

/** Runs `ec2sim ARGV`; resolves to the exit code. */
export async function main(argv: readonly string[], io: Io = stdio): Promise<number> {
  const [first, ...rest] = argv;
  try {
    if (first === "--version" || first === "-V") {
      io.out(`${VERSION}\n`);
      return 0;
    }
    if (first === "--help" || first === "-h") {
      io.out(mainHelp());
      return 0;
    }
    if (first === undefined || first.startsWith("-")) {
      const args = parseCommand(repl, argv);
      if (args.values.version) {
        io.out(`${VERSION}\n`);
        return 0;
      }
      return await repl.run(args);
    }
    const command = byName(first);
    if (!command) throw new UsageError(`unknown command '${first}'`, undefined);
    const args: Parsed = parseCommand(command, rest);
    if (command.name === "help") {
      const about = args.positionals[0];
      io.out(about ? commandHelp(byName(about)!) : mainHelp());
      return 0;
    }
    return await command.run(args);
  } catch (e) {
    if (e instanceof UsageError) {
      const command = e.command && e.command !== repl ? e.command : undefined;
      if (e.exitCode === 0) io.out(command ? commandHelp(command) : mainHelp());
      else io.err(`ec2sim${command ? ` ${command.name}` : ""}: ${e.message}\n${shortUsage(command ?? repl)}`);
      return e.exitCode;
    }
    throw e;
  }
}

export { optionLines };
