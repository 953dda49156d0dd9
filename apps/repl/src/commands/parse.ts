/**
 * One line typed at the prompt -> one command. Two syntaxes reach the same core actions: the AWS
 * CLI's (`ec2 run-instances …`, see aws-cli.ts) and short forms (`launch al2023 t3.micro`).
 */
import { parseDuration } from "@ec2sim/core";
import { type AwsCliCommand, CliUsageError, parseAwsCli } from "./aws-cli.ts";
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
    }
  | {
      kind: "lifecycle";
      action: "StopInstances" | "StartInstances" | "TerminateInstances" | "RebootInstances";
      ids: string[];
    }
  | { kind: "image-create"; instanceId: string; name: string; noReboot: boolean }
  | { kind: "image-copy"; imageId: string; region: string; name?: string }
  | { kind: "image-deregister"; imageId: string }
  | { kind: "images" }
  | { kind: "instances" }
  | { kind: "ssh"; instanceId: string }
  | { kind: "clock"; op: "show" | "advance" | "speed" | "pause" | "resume"; ms?: number; speed?: number }
  | { kind: "cost" }
  | { kind: "tree" }
  | { kind: "help"; topic?: string }
  | { kind: "clear" }
  | { kind: "exit" }
  | { kind: "empty" };

export interface ShortForm {
  name: string;
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
    usage: "launch <ami-…|al2023|ubuntu|AMI name> [type] [--count N] [--key K] [--sg sg-…] [--name N]",
    summary: "run instances (a key pair and an SSH/HTTP security group are made for you)",
    equivalent: "ec2 run-instances --image-id … --instance-type … --count N --key-name K --security-group-ids …",
    examples: ["launch al2023 t3.micro", "launch al2023 t3.micro --count 2 --name web", "launch MyCustomAMI t3.small"],
    flags: ["--count", "--key", "--sg", "--name"],
  },
  {
    name: "stop",
    short: "stop <i-…>",
    usage: "stop <i-…> [i-…]",
    summary: "stop EBS-backed instances",
    equivalent: "ec2 stop-instances --instance-ids …",
    examples: ["stop i-0a1b2c3d4e5f60718"],
  },
  {
    name: "start",
    short: "start <i-…>",
    usage: "start <i-…> [i-…]",
    summary: "start stopped instances",
    equivalent: "ec2 start-instances --instance-ids …",
    examples: ["start i-0a1b2c3d4e5f60718"],
  },
  {
    name: "reboot",
    short: "reboot <i-…>",
    usage: "reboot <i-…> [i-…]",
    summary: "reboot instances",
    equivalent: "ec2 reboot-instances --instance-ids …",
    examples: ["reboot i-0a1b2c3d4e5f60718"],
  },
  {
    name: "terminate",
    short: "terminate <i-…>",
    usage: "terminate <i-…> [i-…]",
    summary: "terminate instances",
    equivalent: "ec2 terminate-instances --instance-ids …",
    examples: ["terminate i-0a1b2c3d4e5f60718"],
  },
  {
    name: "image",
    short: "image create|copy|…",
    usage: "image create <i-…> <name> [--no-reboot] | image copy <ami-…> <region> | image deregister <ami-…>",
    summary: "make, copy or deregister an AMI",
    equivalent: "ec2 create-image --instance-id … --name … | ec2 copy-image | ec2 deregister-image",
    examples: ["image create i-0a1b2c3d4e5f60718 MyCustomAMI", "image copy ami-07e6d5c4b3a29180f eu-west-1"],
    subcommands: ["create", "copy", "deregister"],
    flags: ["--no-reboot"],
  },
  {
    name: "images",
    short: "images",
    usage: "images",
    summary: "your AMIs (and the ones your instances run)",
    equivalent: "ec2 describe-images --owners self",
    examples: ["images"],
  },
  {
    name: "instances",
    short: "instances",
    usage: "instances",
    summary: "every instance, as a table",
    equivalent: "ec2 describe-instances",
    examples: ["instances"],
  },
  {
    name: "ssh",
    short: "ssh <i-…>",
    usage: "ssh <i-…>",
    summary: "open the instance's shell with the key kept for it ('exit' leaves)",
    equivalent: "ssh -i key.pem ec2-user@<public IP>",
    examples: ["ssh i-0a1b2c3d4e5f60718"],
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
    name: "cost",
    short: "cost",
    usage: "cost",
    summary: "the bill so far, per resource, with a chart over time",
    equivalent: "(sandbox cost report)",
    examples: ["cost"],
  },
  {
    name: "tree",
    short: "tree",
    usage: "tree",
    summary: "AMI lineage: AMI → instance → AMI → …, copies across regions",
    equivalent: "(from describe-images and describe-instances)",
    examples: ["tree"],
  },
  {
    name: "help",
    short: "help [command]   ?",
    usage: "help [command | ec2 <operation>]   (also ?)",
    summary: "this help, or one command's",
    equivalent: "",
    examples: ["help launch", "help ec2 run-instances"],
  },
  { name: "clear", short: "clear", usage: "clear", summary: "clear the output", equivalent: "", examples: ["clear"] },
  {
    name: "exit",
    short: "exit   Ctrl-D",
    usage: "exit   (or Ctrl-D)",
    summary: "leave ec2sim (an ssh session: leave the instance)",
    equivalent: "",
    examples: ["exit"],
  },
];

export class ParseError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
  }
}

const INSTANCE_ID = /^i-[0-9a-f]{8,17}$/;

function usage(name: string): string {
  return SHORT_FORMS.find((s) => s.name === name)?.usage ?? name;
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
      case "terminate": {
        if (!rest.length) throw new ParseError(`${head}: which instance?`, `usage: ${usage(head)} (Tab completes IDs)`);
        const bad = rest.find((w) => !INSTANCE_ID.test(w));
        if (bad)
          throw new ParseError(
            `${head}: '${bad}' is not an instance ID`,
            "instance IDs look like i-0a1b2c3d4e5f60718 (Tab completes them)",
          );
        const action = (
          {
            stop: "StopInstances",
            start: "StartInstances",
            reboot: "RebootInstances",
            terminate: "TerminateInstances",
          } as const
        )[head];
        return { kind: "lifecycle", action, ids: rest };
      }
      case "image":
        return parseImage(rest);
      case "images":
        return { kind: "images" };
      case "instances":
      case "ls":
        return { kind: "instances" };
      case "ssh": {
        const target = rest.find((w) => !w.startsWith("-"))?.replace(/^[a-z-]+@/, "");
        if (!target) throw new ParseError("ssh: which instance?", `usage: ${usage("ssh")}`);
        if (!INSTANCE_ID.test(target))
          throw new ParseError(`ssh: '${target}' is not an instance ID`, "use the instance ID (Tab completes it)");
        return { kind: "ssh", instanceId: target };
      }
      case "clock":
        return parseClock(rest);
      case "cost":
      case "bill":
        return { kind: "cost" };
      case "tree":
      case "lineage":
        return { kind: "tree" };
      case "help":
      case "?":
        return { kind: "help", ...(rest.length ? { topic: rest.join(" ") } : {}) };
      case "clear":
        return { kind: "clear" };
      case "exit":
      case "quit":
        return { kind: "exit" };
      default:
        if (head.endsWith("?")) return { kind: "help", topic: head.slice(0, -1) };
        throw new ParseError(
          `unknown command '${head}'`,
          "type ? for the commands, or use the AWS CLI's syntax: ec2 describe-instances",
        );
    }
  } catch (e) {
    if (e instanceof CliUsageError) throw new ParseError(e.message, e.hint);
    throw e;
  }
}

function parseLaunch(words: string[]): Command {
  const pos: string[] = [];
  const cmd: Extract<Command, { kind: "launch" }> = { kind: "launch", image: "", instanceType: "t3.micro", count: 1 };
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
      default:
        if (w.startsWith("--")) throw new ParseError(`launch: unknown option ${w}`, `usage: ${usage("launch")}`);
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
  const pos = rest.filter((w) => !w.startsWith("--"));
  switch (sub) {
    case "create": {
      const [instanceId, ...nameWords] = pos;
      if (!instanceId || !INSTANCE_ID.test(instanceId) || !nameWords.length)
        throw new ParseError("image create: give an instance and a name", "usage: image create i-… MyCustomAMI");
      return { kind: "image-create", instanceId, name: nameWords.join(" "), noReboot: rest.includes("--no-reboot") };
    }
    case "copy": {
      const [imageId, region, name] = pos;
      if (!imageId?.startsWith("ami-") || !region)
        throw new ParseError("image copy: give an AMI and a region", "usage: image copy ami-… eu-west-1");
      return { kind: "image-copy", imageId, region, ...(name ? { name } : {}) };
    }
    case "deregister": {
      const [imageId] = pos;
      if (!imageId?.startsWith("ami-"))
        throw new ParseError("image deregister: which AMI?", "usage: image deregister ami-…");
      return { kind: "image-deregister", imageId };
    }
    case "list":
    case undefined:
      return { kind: "images" };
    default:
      throw new ParseError(`image: unknown subcommand '${sub}'`, "image create | image copy | image deregister");
  }
}

function parseClock(words: string[]): Command {
  const [sub, arg] = words;
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
      return { kind: "clock", op: "pause" };
    case "resume":
    case "run":
      return { kind: "clock", op: "resume" };
    default: {
      const ms = parseDuration(sub);
      if (ms !== undefined) return { kind: "clock", op: "advance", ms };
      throw new ParseError(
        `clock: unknown subcommand '${sub}'`,
        "clock advance 5m | clock speed 60 | clock pause | clock resume",
      );
    }
  }
}
