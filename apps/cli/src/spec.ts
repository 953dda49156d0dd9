/**
 * How a command is described: its options once, as data. The parser (node's util.parseArgs), the
 * help text and the shell completion scripts are all read from these tables, so they cannot
 * disagree.
 */
import { parseArgs } from "node:util";

export interface OptionSpec {
  readonly type: "string" | "boolean";
  /** May be given more than once (values collect into an array). */
  readonly multiple?: boolean;
  readonly short?: string;
  /** The value's placeholder in the help (`N`, `DIR`, `URL`). */
  readonly arg?: string;
  /** One line, or several for long explanations. */
  readonly help: string;
  /** The only values accepted (and offered by completion). */
  readonly choices?: readonly string[];
  /** Values completion offers where others are accepted too. */
  readonly suggest?: readonly string[];
  /** What completion offers for the value when there are no choices. */
  readonly complete?: "file" | "dir";
  /** Accepted but not listed (test knobs). */
  readonly hidden?: boolean;
}

export interface PositionalSpec {
  readonly name: string;
  readonly choices?: readonly string[];
  readonly required?: boolean;
}

/** What the parser hands a command: option values by name, and the positionals in order. */
export interface Parsed {
  readonly values: Readonly<Record<string, string | boolean | string[] | undefined>>;
  readonly positionals: readonly string[];
}

export interface CommandSpec {
  readonly name: string;
  /** One line for the command list. */
  readonly summary: string;
  /** Usage lines after `Usage: `. */
  readonly usage: readonly string[];
  /** Paragraphs between the usage and the options. */
  readonly description?: string;
  readonly options: Readonly<Record<string, OptionSpec>>;
  readonly positionals?: readonly PositionalSpec[];
  /** Runs the command; imports what it needs only now. Resolves to the exit code. */
  readonly run: (args: Parsed) => Promise<number>;
}

/** A mistake in the command line: printed with the command's usage, exit code 2 (or 0 for --help). */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly command: CommandSpec | undefined,
    readonly exitCode = 2,
  ) {
    super(message);
    this.name = "UsageError";
  }
}

export const HELP_OPTION: OptionSpec = { type: "boolean", short: "h", help: "show this help" };

/** Parses `argv` against the command's table; `--help` throws a UsageError with exit code 0. */
export function parseCommand(spec: CommandSpec, argv: readonly string[]): Parsed {
  const options: Record<string, { type: "string" | "boolean"; multiple?: boolean; short?: string }> = {
    help: { type: "boolean", short: "h" },
  };
  for (const [name, o] of Object.entries(spec.options))
    options[name] = { type: o.type, ...(o.multiple ? { multiple: true } : {}), ...(o.short ? { short: o.short } : {}) };
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: [...argv], options, strict: true, allowPositionals: true });
  } catch (e) {
    throw new UsageError((e as Error).message, spec);
  }
  if (parsed.values.help) throw new UsageError("", spec, 0);
  const wanted = spec.positionals ?? [];
  if (parsed.positionals.length > wanted.length)
    throw new UsageError(`unexpected argument: ${parsed.positionals[wanted.length]}`, spec);
  wanted.forEach((p, i) => {
    const given = parsed.positionals[i];
    if (given === undefined) {
      if (p.required) throw new UsageError(`${p.name} is required`, spec);
    } else if (p.choices && !p.choices.includes(given))
      throw new UsageError(`${p.name} must be ${orList(p.choices)}, not '${given}'`, spec);
  });
  for (const [name, o] of Object.entries(spec.options)) {
    const v = parsed.values[name];
    if (o.choices && typeof v === "string" && !o.choices.includes(v))
      throw new UsageError(`--${name} must be ${orList(o.choices)}, not '${v}'`, spec);
  }
  return { values: parsed.values as Parsed["values"], positionals: parsed.positionals };
}

export const orList = (xs: readonly string[]): string =>
  xs.length <= 1 ? (xs[0] ?? "") : `${xs.slice(0, -1).join(", ")} or ${xs[xs.length - 1]}`;

/** The options block of a help text: `  --name ARG   help`, wrapped help lines aligned. */
export function optionLines(options: Readonly<Record<string, OptionSpec>>, width = 26): string[] {
  const lines: string[] = [];
  const all: [string, OptionSpec][] = [...Object.entries(options), ["help", HELP_OPTION]];
  for (const [name, o] of all) {
    if (o.hidden) continue;
    const flag = `${o.short ? `-${o.short}, ` : ""}--${name}${o.type === "string" ? ` ${o.arg ?? "VALUE"}` : ""}`;
    const [first = "", ...rest] = o.help.split("\n");
    lines.push(
      flag.length + 2 < width ? `  ${flag.padEnd(width - 2)}${first}` : `  ${flag}\n${" ".repeat(width)}${first}`,
    );
    for (const r of rest) lines.push(`${" ".repeat(width)}${r}`);
  }
  return lines;
}

/** The usage lines of a command, and where to read more: what a mistake in its command line prints. */
export function shortUsage(spec: CommandSpec): string {
  const lines = spec.usage.map((u, i) => `${i === 0 ? "Usage: " : "       "}${u}`);
  return `${lines.join("\n")}\n(ec2sim ${spec.name ? `${spec.name} ` : ""}--help for the options)\n`;
}

/** The whole help text of one command. */
export function commandHelp(spec: CommandSpec): string {
  const usage = spec.usage.map((u, i) => `${i === 0 ? "Usage: " : "       "}${u}`);
  return [
    ...usage,
    "",
    ...(spec.description ? [spec.description, ""] : []),
    "Options:",
    ...optionLines(spec.options),
    "",
  ].join("\n");
}
