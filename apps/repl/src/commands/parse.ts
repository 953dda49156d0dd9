/**
 * One line typed at the prompt -> one command. Two syntaxes reach the same core actions: the AWS
 * CLI's (`ec2 run-instances …`, see aws-cli.ts) and short forms (`launch al2023 t3.micro`). Short
 * forms take resources by ID or by Name tag (`stop cats-2`: resolved against the live view when
 * the command runs), refuse arguments they do not know, and suggest the nearest command for a typo.
 */
import { parseDuration, REGIONS } from "@ec2sim/core";
import { kindNamed, type ResourceKind } from "../view/resources.ts";
import { type AwsCliCommand, CliUsageError, parseAwsCli } from "./aws-cli.ts";
import { closest } from "./suggest.ts";
import { TokenizeError, tokenize } from "./tokenize.ts";

export type Command =
  | AwsCliCommand
  | {
      kind: "launch";
      image: string;
      instanceType: string;
      count: number;
      key?: string;
      securityGroups?: string[];
      name?: string;
      region?: string;
    }
  | {
      kind: "lifecycle";
      action: "StopInstances" | "StartInstances" | "TerminateInstances" | "RebootInstances";
      /** Instance IDs or Name tags. */
      targets: string[];
      force?: boolean;
    }
  | { kind: "image-create"; instance: string; name: string; noReboot: boolean }
  | { kind: "image-copy"; image: string; region: string; name?: string }
  | { kind: "image-deregister"; image: string }
  | { kind: "images" }
  | { kind: "instances" }
  | { kind: "view"; view: ResourceKind }
  | { kind: "ssh"; target: string; user?: string; identity?: string }
  | { kind: "clock"; op: "show" | "advance" | "speed" | "pause" | "resume"; ms?: number; speed?: number }
  | { kind: "region"; region?: string }
  | { kind: "account"; account?: string }
  | { kind: "cost" }
  | { kind: "tree" }
  | { kind: "help"; topic?: string }
  | { kind: "clear" }
  | { kind: "exit" }
  | { kind: "empty" };

export interface ShortForm {
  name: string;
  /** Other names it answers to. */
  aliases?: string[];
  /** Usage in a few words, for the help list. */
  short: string;
  usage: string;
  summary: string;
  /** What it runs, in the CLI's syntax. */
  equivalent: string;
  examples: string[];
  /** Words after the name that complete (subcommands). */
  subcommands?: string[];
  flags?: string[];
}

/** Quick Start image aliases for `launch`: name patterns of the newest matching catalog AMI. */
export const IMAGE_ALIASES: Record<string, { owner: string; pattern: string; what: string }> = {
  al2023: { owner: "amazon", pattern: "al2023-ami-2023*-x86_64", what: "Amazon Linux 2023 (x86_64)" },
  amzn2: { owner: "amazon", pattern: "amzn2-ami-kernel-*-x86_64-gp2", what: "Amazon Linux 2 (x86_64)" },
  ubuntu: {
    owner: "099720109477",
    pattern: "ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-*",
    what: "Ubuntu 24.04 LTS (amd64)",
  },
  debian: { owner: "136693071363", pattern: "debian-12-amd64-*", what: "Debian 12 (amd64)" },
  rhel: { owner: "309956199498", pattern: "RHEL-9*_HVM-*-x86_64-*", what: "Red Hat Enterprise Linux 9 (x86_64)" },
  windows: { owner: "amazon", pattern: "Windows_Server-2022-English-Full-Base-*", what: "Windows Server 2022" },
};

export const SHORT_FORMS: ShortForm[] = [
  {
    name: "launch",
    short: "launch <image> [type] …",
    usage: "launch <ami-…|al2023|ubuntu|AMI name> [type] [--count N] [--key K] [--sg sg-…] [--name N] [--region R]",
    summary: "run instances (a key pair and an SSH/HTTP security group are made for you)",
    equivalent: "ec2 run-instances --image-id … --instance-type … --count N --key-name K --security-group-ids …",
    examples: ["launch al2023 t3.micro", "launch al2023 t3.micro --count 2 --name web", "launch MyCustomAMI t3.small"],
    flags: ["--count", "--key", "--sg", "--name", "--type", "--region"],
  },
  {
    name: "stop",
    short: "stop <i-…|name>",
    usage: "stop <i-…|Name tag> … [--force]",
    summary: "stop EBS-backed instances",
    equivalent: "ec2 stop-instances --instance-ids …",
    examples: ["stop i-0a1b2c3d4e5f60718", "stop cats-2"],
    flags: ["--force"],
  },
  {
    name: "start",
    short: "start <i-…|name>",
    usage: "start <i-…|Name tag> …",
    summary: "start stopped instances",
    equivalent: "ec2 start-instances --instance-ids …",
    examples: ["start i-0a1b2c3d4e5f60718", "start cats-2"],
  },
  {
    name: "reboot",
    short: "reboot <i-…|name>",
    usage: "reboot <i-…|Name tag> …",
    summary: "reboot instances",
    equivalent: "ec2 reboot-instances --instance-ids …",
    examples: ["reboot cats-1"],
  },
  {
    name: "terminate",
    short: "terminate <i-…|name>",
    usage: "terminate <i-…|Name tag> …",
    summary: "terminate instances",
    equivalent: "ec2 terminate-instances --instance-ids …",
    examples: ["terminate i-0a1b2c3d4e5f60718", "terminate cats-1 cats-2"],
  },
  {
    name: "image",
    short: "image create|copy|…",
    usage:
      "image create <i-…|name> <AMI name> [--no-reboot] | image copy <ami-…|AMI name> <region> [name] | image deregister <ami-…|AMI name>",
    summary: "make, copy or deregister an AMI",
    equivalent: "ec2 create-image --instance-id … --name … | ec2 copy-image | ec2 deregister-image",
    examples: ["image create cats-1 MyCustomAMI", "image copy MyCustomAMI eu-west-1", "image deregister MyCustomAMI"],
    subcommands: ["create", "copy", "deregister"],
    flags: ["--no-reboot"],
  },
  {
    name: "images",
    short: "images",
    usage: "images",
    summary: "your AMIs in every region, as a table",
    equivalent: "ec2 describe-images --owners self (each region)",
    examples: ["images"],
  },
  {
    name: "instances",
    aliases: ["ls"],
    short: "instances",
    usage: "instances",
    summary: "every instance in every region, as a table",
    equivalent: "ec2 describe-instances (each region)",
    examples: ["instances"],
  },
  {
    name: "ssh",
    short: "ssh [-i key.pem] <i-…|name>",
    usage: "ssh [-i FILE] [-l USER] [USER@]<i-…|Name tag|public IP>",
    summary: "open the instance's shell with the key kept for it, or -i FILE ('exit' leaves)",
    equivalent: "ssh -i key.pem ec2-user@<public IP>",
    examples: ["ssh cats-1", "ssh -i ~/.ssh/my-key.pem ec2-user@i-0a1b2c3d4e5f60718"],
    flags: ["-i", "-l"],
  },
  {
    name: "clock",
    short: "clock advance|speed|pause",
    usage: "clock [advance 5m | speed 60 | pause | resume]",
    summary: "the simulated clock: move it by hand, change its speed, stop it",
    equivalent: "(sandbox clock)",
    examples: ["clock advance 5m", "clock speed 60", "clock pause"],
    subcommands: ["advance", "speed", "pause", "resume"],
  },
  {
    name: "region",
    short: "region [name]",
    usage: "region [eu-west-1]",
    summary: "the region commands run in (shown in the header); without a name, the current one",
    equivalent: "--region on every ec2 command",
    examples: ["region eu-west-1", "region"],
  },
  {
    name: "account",
    short: "account [alias|ID]",
    usage: "account [sandbox-b | 444455556666]",
    summary: "act as another account of the sandbox (shown in the header); without one, list them",
    equivalent: "other credentials",
    examples: ["account sandbox-b", "account"],
  },
  {
    name: "cost",
    aliases: ["bill"],
    short: "cost",
    usage: "cost",
    summary: "the bill so far, per resource, with a chart over time",
    equivalent: "(sandbox cost report)",
    examples: ["cost"],
  },
  {
    name: "tree",
    aliases: ["lineage"],
    short: "tree",
    usage: "tree",
    summary: "AMI lineage: AMI → instance → AMI → …, copies across regions",
    equivalent: "(from describe-images and describe-instances)",
    examples: ["tree"],
  },
  {
    name: "help",
    aliases: ["?"],
    short: "help [command]   ?",
    usage: "help [command | ec2 <operation> | keys]   (also ?)",
    summary: "this help, one command's, an EC2 operation's options, or the keys of the views",
    equivalent: "",
    examples: ["help launch", "help ec2 run-instances", "help keys"],
  },
  { name: "clear", short: "clear", usage: "clear", summary: "clear the output", equivalent: "", examples: ["clear"] },
  {
    name: "exit",
    aliases: ["quit"],
    short: "exit   Ctrl-D",
    usage: "exit   (or Ctrl-D)",
    summary: "leave ec2sim (an ssh session: leave the instance)",
    equivalent: "",
    examples: ["exit"],
  },
];

/** Every word that starts a command (short forms, their aliases, `ec2`, `aws`, the `:view` names). */
export function commandWords(): string[] {
  return [...SHORT_FORMS.flatMap((s) => [s.name, ...(s.aliases ?? [])]), "ec2", "aws"];
}

export class ParseError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
  }
}

export const INSTANCE_ID = /^i-[0-9a-f]{8,17}$/;
export const IMAGE_ID = /^ami-[0-9a-f]{8,17}$/;
const REGION_NAMES = new Set(REGIONS.map((r) => r.regionName));

function usage(name: string): string {
  return SHORT_FORMS.find((s) => s.name === name)?.usage ?? name;
}

/** Refuses any word left over: a short form never ignores what it was given. */
function none(name: string, rest: string[]): void {
  if (rest.length)
    throw new ParseError(`${name}: unexpected argument '${rest[0]}'`, `usage: ${usage(name)} (help ${name})`);
}

export function checkRegion(region: string, what: string): string {
  if (REGION_NAMES.has(region)) return region;
  const guess = closest(region, [...REGION_NAMES]);
  throw new ParseError(
    `${what}: '${region}' is not a region`,
    guess ? `did you mean ${guess}? (Tab completes regions)` : "e.g. us-east-1, eu-west-1 (Tab completes regions)",
  );
}

export function parseLine(line: string): Command {
  let words: string[];
  try {
    words = tokenize(line).map((t) => t.value);
  } catch (e) {
    if (e instanceof TokenizeError) throw new ParseError(e.message, "close the quote");
    throw e;
  }
  if (words[0] === "aws") words = words.slice(1);
  const [head, ...rest] = words;
  try {
    switch (head) {
      case undefined:
        return { kind: "empty" };
      case "ec2":
        return parseAwsCli(rest);
      case "launch":
        return parseLaunch(rest);
      case "stop":
      case "start":
      case "reboot":
      case "terminate":
        return parseLifecycle(head, rest);
      case "image":
        return parseImage(rest);
      case "images":
        none("images", rest);
        return { kind: "images" };
      case "instances":
      case "ls":
        none("instances", rest);
        return { kind: "instances" };
      case "ssh":
        return parseSsh(rest);
      case "clock":
        return parseClock(rest);
      case "region":
        if (rest.length > 1) none("region", rest.slice(1));
        return rest[0] ? { kind: "region", region: checkRegion(rest[0], "region") } : { kind: "region" };
      case "account":
        if (rest.length > 1) none("account", rest.slice(1));
        return rest[0] ? { kind: "account", account: rest[0] } : { kind: "account" };
      case "cost":
      case "bill":
        none("cost", rest);
        return { kind: "cost" };
      case "tree":
      case "lineage":
        none("tree", rest);
        return { kind: "tree" };
      case "help":
      case "?":
        return { kind: "help", ...(rest.length ? { topic: rest.join(" ") } : {}) };
      case "clear":
        none("clear", rest);
        return { kind: "clear" };
      case "exit":
      case "quit":
        none("exit", rest);
        return { kind: "exit" };
      default: {
        if (head.startsWith(":")) {
          const view = kindNamed(head);
          if (!view)
            throw new ParseError(
              `no view '${head}'`,
              "views: :instances :images :volumes :snapshots :sg :keys :vpcs :subnets",
            );
          none(head, rest);
          return { kind: "view", view };
        }
        if (head.endsWith("?") && head.length > 1) return { kind: "help", topic: head.slice(0, -1) };
        const guess = closest(head, commandWords());
        throw new ParseError(
          `unknown command '${head}'`,
          guess
            ? `did you mean: ${guess}${rest.length ? ` ${rest.join(" ")}` : ""}? (? lists the commands)`
            : "type ? for the commands, or use the AWS CLI's syntax: ec2 describe-instances",
        );
      }
    }
  } catch (e) {
    if (e instanceof CliUsageError) throw new ParseError(e.message, e.hint);
    throw e;
  }
}

/** A `--flag`'s suggestion when a short form does not know it. */
function unknownFlag(name: string, flag: string, known: readonly string[]): ParseError {
  const guess = closest(flag, [...known]);
  return new ParseError(
    `${name}: unknown option ${flag}`,
    guess ? `did you mean ${guess}? usage: ${usage(name)}` : `usage: ${usage(name)}`,
  );
}

function parseLifecycle(head: "stop" | "start" | "reboot" | "terminate", rest: string[]): Command {
  const action = (
    {
      stop: "StopInstances",
      start: "StartInstances",
      reboot: "RebootInstances",
      terminate: "TerminateInstances",
    } as const
  )[head];
  const targets: string[] = [];
  let force = false;
  for (const w of rest) {
    if (w === "--force" && head === "stop") force = true;
    else if (w.startsWith("-")) throw unknownFlag(head, w, head === "stop" ? ["--force"] : []);
    else targets.push(w);
  }
  if (!targets.length)
    throw new ParseError(`${head}: which instance?`, `usage: ${usage(head)} (Tab completes IDs and Name tags)`);
  return { kind: "lifecycle", action, targets, ...(force ? { force } : {}) };
}

function parseLaunch(words: string[]): Command {
  const pos: string[] = [];
  const cmd: Extract<Command, { kind: "launch" }> = { kind: "launch", image: "", instanceType: "t3.micro", count: 1 };
  const flags = SHORT_FORMS.find((s) => s.name === "launch")!.flags!;
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    const val = () => {
      const v = words[++i];
      if (v === undefined) throw new ParseError(`launch: ${w} needs a value`, `usage: ${usage("launch")}`);
      return v;
    };
    switch (w) {
      case "--count":
      case "-n": {
        const n = Number(val());
        if (!Number.isInteger(n) || n < 1) throw new ParseError("launch: --count must be a whole number ≥ 1");
        cmd.count = n;
        break;
      }
      case "--key":
      case "--key-name":
        cmd.key = val();
        break;
      case "--sg":
      case "--security-group-ids":
        cmd.securityGroups = [...(cmd.securityGroups ?? []), ...val().split(",")];
        break;
      case "--name":
        cmd.name = val();
        break;
      case "--type":
      case "--instance-type":
        cmd.instanceType = val();
        break;
      case "--region":
        cmd.region = checkRegion(val(), "launch");
        break;
      default:
        if (w.startsWith("-")) throw unknownFlag("launch", w, flags);
        pos.push(w);
    }
  }
  if (!pos.length)
    throw new ParseError(
      "launch: which image?",
      `usage: ${usage("launch")}; aliases: ${Object.keys(IMAGE_ALIASES).join(", ")}`,
    );
  cmd.image = pos[0]!;
  if (pos[1]) cmd.instanceType = pos[1];
  if (pos.length > 2) throw new ParseError(`launch: unexpected '${pos[2]}'`, `usage: ${usage("launch")}`);
  return cmd;
}

function parseImage(words: string[]): Command {
  const [sub, ...rest] = words;
  const flags = rest.filter((w) => w.startsWith("-"));
  const pos = rest.filter((w) => !w.startsWith("-"));
  const onlyFlags = (allowed: string[]) => {
    const bad = flags.find((f) => !allowed.includes(f));
    if (bad) throw unknownFlag("image", bad, allowed);
  };
  switch (sub) {
    case "create": {
      onlyFlags(["--no-reboot"]);
      const [instance, ...nameWords] = pos;
      if (!instance || !nameWords.length)
        throw new ParseError("image create: give an instance and a name", "usage: image create i-…|name MyCustomAMI");
      return { kind: "image-create", instance, name: nameWords.join(" "), noReboot: flags.includes("--no-reboot") };
    }
    case "copy": {
      onlyFlags([]);
      const [image, region, name, extra] = pos;
      if (!image || !region)
        throw new ParseError("image copy: give an AMI and a region", "usage: image copy ami-…|name eu-west-1 [name]");
      if (extra !== undefined) none("image", [extra]);
      return { kind: "image-copy", image, region: checkRegion(region, "image copy"), ...(name ? { name } : {}) };
    }
    case "deregister": {
      onlyFlags([]);
      const [image, extra] = pos;
      if (!image) throw new ParseError("image deregister: which AMI?", "usage: image deregister ami-…|name");
      if (extra !== undefined) none("image", [extra]);
      return { kind: "image-deregister", image };
    }
    case "list":
    case undefined:
      none("images", rest);
      return { kind: "images" };
    default: {
      const guess = closest(sub, ["create", "copy", "deregister", "list"]);
      throw new ParseError(
        `image: unknown subcommand '${sub}'`,
        guess ? `did you mean: image ${guess}?` : "image create | image copy | image deregister",
      );
    }
  }
}

function parseSsh(words: string[]): Command {
  let identity: string | undefined;
  let user: string | undefined;
  const pos: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    if (w === "-i" || w === "-l" || w === "-p") {
      const v = words[++i];
      if (v === undefined) throw new ParseError(`ssh: ${w} needs a value`, `usage: ${usage("ssh")}`);
      if (w === "-i") identity = v;
      else if (w === "-l") user = v;
      continue;
    }
    if (w.startsWith("-i") && w.length > 2) {
      identity = w.slice(2);
      continue;
    }
    if (w.startsWith("-o")) {
      if (w === "-o") i++; // -o Option=value: meaningless in the sandbox, accepted as ssh does
      continue;
    }
    if (w.startsWith("-")) throw unknownFlag("ssh", w, ["-i", "-l"]);
    pos.push(w);
  }
  if (!pos.length) throw new ParseError("ssh: which instance?", `usage: ${usage("ssh")}`);
  if (pos.length > 1) throw new ParseError(`ssh: unexpected '${pos[1]}'`, "run commands after logging in");
  let target = pos[0]!;
  const at = target.lastIndexOf("@");
  if (at >= 0) {
    user ??= target.slice(0, at);
    target = target.slice(at + 1);
  }
  return { kind: "ssh", target, ...(user ? { user } : {}), ...(identity ? { identity } : {}) };
}

function parseClock(words: string[]): Command {
  const [sub, arg, ...extra] = words;
  if (extra.length) none("clock", extra);
  switch (sub) {
    case undefined:
      return { kind: "clock", op: "show" };
    case "advance":
    case "+": {
      const ms = arg ? parseDuration(arg) : undefined;
      if (ms === undefined)
        throw new ParseError(
          `clock advance: '${arg ?? ""}' is not a duration`,
          "e.g. clock advance 5m (units: ms s m h d)",
        );
      return { kind: "clock", op: "advance", ms };
    }
    case "speed": {
      const n = Number(arg?.replace(/^[x×]/, ""));
      if (!arg || !Number.isFinite(n) || n <= 0 || n > 100_000)
        throw new ParseError(
          `clock speed: '${arg ?? ""}' is not a speed`,
          "e.g. clock speed 60 (simulated seconds per real second, up to 100000)",
        );
      return { kind: "clock", op: "speed", speed: n };
    }
    case "pause":
    case "stop":
      if (arg) none("clock", [arg]);
      return { kind: "clock", op: "pause" };
    case "resume":
    case "run":
      if (arg) none("clock", [arg]);
      return { kind: "clock", op: "resume" };
    default: {
      const ms = parseDuration(sub);
      if (ms !== undefined && !arg) return { kind: "clock", op: "advance", ms };
      const guess = closest(sub, ["advance", "speed", "pause", "resume"]);
      throw new ParseError(
        `clock: unknown subcommand '${sub}'`,
        guess ? `did you mean: clock ${guess}?` : "clock advance 5m | clock speed 60 | clock pause | clock resume",
      );
    }
  }
}
