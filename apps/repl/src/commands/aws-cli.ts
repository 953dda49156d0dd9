/**
 * The AWS CLI's own syntax, model-driven: `ec2 <operation> --flag value …` is read against the
 * operation's input shape from `@aws-sdk/client-ec2` (the same compiled shape plans the EC2 Query
 * endpoint uses), so every operation and every flag works without a line of per-operation code.
 *   - operation and flag names are the CLI's kebab-case of the model's names
 *     (`DescribeImages` -> `describe-images`, `ImageIds` -> `--image-ids`);
 *   - lists take several words (`--image-ids ami-1 ami-2`) or commas; structures take shorthand
 *     (`--filters Name=x,Values=a,b`) or JSON; booleans are `--dry-run` / `--no-dry-run`;
 *   - `run-instances --count N[:M]` and its MinCount = MaxCount = 1 default, as the CLI does;
 *   - global options: `--query` (JMESPath), `--output json|text|table|yaml`, `--region`.
 */
import { findOperation, listOperations, type MemberPlan, type StructShape } from "@ec2sim/ec2-query";
import { OUTPUT_FORMATS, type OutputFormat } from "../format/cli/index.ts";
import { coerce, parseShorthand, ShorthandError } from "./shorthand.ts";
import { closest } from "./suggest.ts";

export type { OutputFormat };

export interface AwsCliCommand {
  kind: "call";
  action: string;
  input: Record<string, unknown>;
  query?: string;
  output?: OutputFormat;
  region?: string;
  /** The CLI operation name (`describe-images`), for titles. */
  operation: string;
}

export class CliUsageError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
  }
}

/** `DescribeImages` -> `describe-images`; `ImageIds` -> `image-ids`; `Ipv6AddressCount` -> `ipv6-address-count`. */
export function kebab(name: string): string {
  return name
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1-$2")
    .replace(/([a-z0-9])([A-Z])/g, "$1-$2")
    .toLowerCase();
}

let operationsByKebab: Map<string, string> | undefined;
/** Every EC2 operation by its CLI name. */
export function cliOperations(): Map<string, string> {
  if (!operationsByKebab) operationsByKebab = new Map(listOperations().map((a) => [kebab(a), a]));
  return operationsByKebab;
}

export const GLOBAL_FLAGS = [
  "--query",
  "--output",
  "--region",
  "--no-paginate",
  "--debug",
  "--profile",
  "--endpoint-url",
  "--no-cli-pager",
] as const;

/** The CLI flags of an operation, with their members (what completion and help list). */
export function flagsOf(action: string): { flag: string; member: MemberPlan }[] {
  const op = findOperation(action);
  if (!op) return [];
  const out = op.input.members
    .filter((m) => !m.idempotencyToken || m.name === "ClientToken")
    .map((m) => ({ flag: `--${kebab(m.name)}`, member: m }));
  if (action === "RunInstances")
    out.push({
      flag: "--count",
      member: {
        name: "Count",
        queryKey: "Count",
        awsQueryKey: "Count",
        xmlName: "",
        openTag: "",
        closeTag: "",
        idempotencyToken: false,
        shape: { kind: "string" },
      },
    });
  return out;
}

/** Parses the words after `ec2` (`describe-images --owners self`). */
export function parseAwsCli(words: string[]): AwsCliCommand {
  const [opName, ...args] = words;
  if (!opName)
    throw new CliUsageError(
      "ec2: an operation is required",
      "try: ec2 describe-instances, ec2 run-instances --image-id ami-… (Tab lists them)",
    );
  const ops = cliOperations();
  const action = ops.get(opName) ?? (findOperation(opName) ? opName : undefined);
  if (!action) {
    const guess = closest(opName, [...ops.keys()]);
    throw new CliUsageError(
      `ec2: invalid choice: '${opName}'`,
      guess ? `did you mean: ec2 ${guess}` : "Tab after 'ec2 ' lists every operation",
    );
  }
  const op = findOperation(action)!;
  const input: StructShape = op.input;
  const flags = new Map(flagsOf(action).map((f) => [f.flag, f.member]));
  const out: AwsCliCommand = { kind: "call", action, input: {}, operation: kebab(action) };
  let i = 0;
  const values = (): string[] => {
    const vs: string[] = [];
    while (i < args.length && !args[i]!.startsWith("--")) vs.push(args[i++]!);
    return vs;
  };
  while (i < args.length) {
    const word = args[i++]!;
    if (!word.startsWith("--"))
      throw new CliUsageError(`ec2 ${opName}: unexpected value '${word}'`, "values follow a --flag");
    const [flag, inline] =
      word.includes("=") && !word.startsWith("--filters=")
        ? [word.slice(0, word.indexOf("=")), word.slice(word.indexOf("=") + 1)]
        : [word, undefined];
    const vs = inline !== undefined ? [inline] : values();
    const one = (): string => {
      if (vs.length !== 1)
        throw new CliUsageError(`ec2 ${opName}: ${flag} takes one value${vs.length ? `, got ${vs.length}` : ""}`);
      return vs[0]!;
    };
    switch (flag) {
      case "--query":
        out.query = one();
        continue;
      case "--output": {
        const f = one();
        if ((OUTPUT_FORMATS as readonly string[]).includes(f)) out.output = f as OutputFormat;
        else
          throw new CliUsageError(
            `argument --output: Invalid choice '${f}', valid choices are: ${OUTPUT_FORMATS.join(", ")}`,
          );
        continue;
      }
      case "--region":
        out.region = one();
        continue;
      case "--no-paginate":
      case "--debug":
      case "--no-cli-pager":
        continue;
      case "--profile":
      case "--endpoint-url":
        one();
        continue;
      case "--count":
        if (action === "RunInstances") {
          const m = /^(\d+)(?::(\d+))?$/.exec(one());
          if (!m) throw new CliUsageError("--count: expected N or MIN:MAX");
          out.input.MinCount = Number(m[1]);
          out.input.MaxCount = Number(m[2] ?? m[1]);
          continue;
        }
    }
    let member = flags.get(flag);
    let negated = false;
    if (!member && flag.startsWith("--no-")) {
      member = flags.get(`--${flag.slice(5)}`);
      negated = member?.shape.kind === "boolean";
      if (!negated) member = undefined;
    }
    if (!member) {
      const guess = closest(flag, [...flags.keys(), ...GLOBAL_FLAGS]);
      throw new CliUsageError(
        `ec2 ${opName}: Unknown options: ${flag}`,
        guess
          ? `did you mean ${guess}? (help ec2 ${opName} lists every option)`
          : `help ec2 ${opName} lists every option`,
      );
    }
    try {
      out.input[member.name] = valueFor(member, vs, negated);
    } catch (e) {
      if (e instanceof ShorthandError || e instanceof CliUsageError)
        throw new CliUsageError(`ec2 ${opName}: ${flag}: ${e.message}`, shapeHint(member));
      throw e;
    }
  }
  if (action === "RunInstances") {
    out.input.MinCount ??= 1;
    out.input.MaxCount ??= out.input.MinCount;
  }
  void input;
  return out;
}

function valueFor(member: MemberPlan, vs: string[], negated: boolean): unknown {
  const shape = member.shape;
  if (shape.kind === "boolean") {
    if (vs.length === 0) return !negated;
    if (vs.length === 1) return coerce(vs[0], shape, member.name);
    throw new CliUsageError("expected no value, or true/false");
  }
  if (vs.length === 0) throw new CliUsageError("expected a value");
  if (shape.kind === "list") {
    if (vs.length === 1) {
      const parsed = parseShorthand(vs[0]!);
      if (Array.isArray(parsed)) return coerce(parsed, shape, member.name);
      if (shape.item.kind === "struct" || typeof parsed !== "string") return coerce([parsed], shape, member.name);
      return coerce(parsed.split(","), shape, member.name);
    }
    return coerce(
      vs.map((v) => (shape.item.kind === "struct" || shape.item.kind === "list" ? parseShorthand(v) : v)),
      shape,
      member.name,
    );
  }
  if (vs.length !== 1) throw new CliUsageError(`expected one value, got ${vs.length} (quote values with spaces)`);
  if (shape.kind === "struct" || shape.kind === "map") return coerce(parseShorthand(vs[0]!), shape, member.name);
  return coerce(vs[0], shape, member.name);
}

/** What a flag's value looks like, for errors and help. */
export function shapeHint(member: MemberPlan): string {
  const s = member.shape;
  const flag = `--${kebab(member.name)}`;
  switch (s.kind) {
    case "boolean":
      return `${flag} | --no-${kebab(member.name)}`;
    case "number":
      return `${flag} <number>`;
    case "list":
      if (s.item.kind === "struct")
        return `${flag} ${s.item.members
          .slice(0, 3)
          .map((m) => `${m.name}=…`)
          .join(",")} [...]`;
      return `${flag} <value> [<value> ...]`;
    case "struct":
      return `${flag} ${s.members
        .slice(0, 3)
        .map((m) => `${m.name}=…`)
        .join(",")}`;
    default:
      return `${flag} <${s.kind === "string" ? "value" : s.kind}>`;
  }
}
