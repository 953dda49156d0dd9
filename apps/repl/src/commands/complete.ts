/**
 * Tab completion: commands, operations, flags and live resource IDs, each candidate with a short
 * description beside it (an instance's Name tag and state, an image's name), as aws-shell does.
 */
import { INSTANCE_TYPES, REGIONS } from "@ec2sim/core";
import type { ImageRow, InstanceRow } from "../view/sandbox-view.ts";
import { cliOperations, flagsOf, GLOBAL_FLAGS, shapeHint } from "./aws-cli.ts";
import { IMAGE_ALIASES, SHORT_FORMS } from "./parse.ts";
import { tokenizeLoose } from "./tokenize.ts";

export interface Candidate {
  value: string;
  description?: string;
}

export interface Completion {
  /** Where the word being completed starts in the line. */
  start: number;
  /** The word typed so far. */
  word: string;
  candidates: Candidate[];
}

export interface Resources {
  instances: readonly InstanceRow[];
  images: readonly ImageRow[];
  imageNames: Record<string, string>;
}

const INSTANCE_FLAGS = new Set(["--instance-ids", "--instance-id", "--resources"]);
const IMAGE_FLAGS = new Set(["--image-id", "--image-ids", "--source-image-id"]);

function instanceCandidates(r: Resources, states?: string[]): Candidate[] {
  return r.instances
    .filter((i) => !states || states.includes(i.state))
    .map((i) => ({ value: i.id, description: `${i.name ? `${i.name} ` : ""}(${i.state}, ${i.type})` }));
}

function imageCandidates(r: Resources): Candidate[] {
  const own = r.images.map((i) => ({
    value: i.id,
    description: `${i.name} (self, ${i.state}${i.region !== "us-east-1" ? `, ${i.region}` : ""})`,
  }));
  const used = Object.entries(r.imageNames)
    .filter(([id]) => !r.images.some((i) => i.id === id))
    .map(([id, name]) => ({ value: id, description: name }));
  return [...own, ...used];
}

const COMMON_TYPES = [
  "t3.micro",
  "t3.small",
  "t3.medium",
  "t3.nano",
  "t2.micro",
  "t4g.micro",
  "m5.large",
  "c5.large",
  "r5.large",
];

export function complete(line: string, r: Resources): Completion {
  const tokens = tokenizeLoose(line);
  const endsWithSpace = line.length > 0 && /\s$/.test(line);
  const words = tokens.map((t) => t.value);
  const word = endsWithSpace || !words.length ? "" : words[words.length - 1]!;
  const start = endsWithSpace || !tokens.length ? line.length : tokens[tokens.length - 1]!.start;
  const before = endsWithSpace ? words : words.slice(0, -1);
  const filter = (cs: Candidate[]) => cs.filter((c) => c.value.startsWith(word));
  const result = (cs: Candidate[]): Completion => ({ start, word, candidates: filter(cs) });
  const head = before[0] === "aws" ? before[1] : before[0];
  const args = before[0] === "aws" ? before.slice(2) : before.slice(1);

  if (!head) {
    return result([
      ...SHORT_FORMS.map((s) => ({ value: s.name, description: s.summary })),
      { value: "ec2", description: "the AWS CLI's syntax: ec2 <operation> --flags" },
    ]);
  }
  const anyId = (): Completion =>
    word.startsWith("i-")
      ? result(instanceCandidates(r))
      : word.startsWith("ami-")
        ? result(imageCandidates(r))
        : result([]);
  switch (head) {
    case "ec2": {
      if (args.length === 0) return result([...cliOperations().keys()].map((value) => ({ value })));
      const action = cliOperations().get(args[0]!);
      if (!action) return result([]);
      const prev = args[args.length - 1];
      if (!word.startsWith("-") && prev && INSTANCE_FLAGS.has(prev)) return result(instanceCandidates(r));
      if (!word.startsWith("-") && prev && IMAGE_FLAGS.has(prev)) return result(imageCandidates(r));
      if (!word.startsWith("-") && prev === "--instance-type")
        return result(COMMON_TYPES.map((value) => ({ value, description: describeType(value) })));
      if (!word.startsWith("-") && prev === "--output")
        return result(["json", "table", "text"].map((value) => ({ value })));
      if (!word.startsWith("-") && prev === "--region") return result(REGIONS.map((x) => ({ value: x.regionName })));
      if (!word.startsWith("-") && prev === "--owners")
        return result(["self", "amazon", "aws-marketplace"].map((value) => ({ value })));
      if (!word.startsWith("-") && word) return anyId();
      const used = new Set(args);
      const flags = flagsOf(action)
        .filter((f) => !used.has(f.flag))
        .map((f) => ({ value: f.flag, description: shapeHint(f.member).replace(`${f.flag} `, "") }));
      return result([
        ...flags,
        ...GLOBAL_FLAGS.filter((g) => !used.has(g)).map((value) => ({ value, description: "global" })),
      ]);
    }
    case "launch": {
      if (word.startsWith("-"))
        return result((SHORT_FORMS.find((s) => s.name === "launch")!.flags ?? []).map((value) => ({ value })));
      const prev = args[args.length - 1];
      if (prev === "--sg") return result([]);
      if (prev === "--count" || prev === "--key" || prev === "--name") return result([]);
      if (word.startsWith("ami-")) return anyId();
      const positional = args.filter((a, i) => !a.startsWith("--") && !(args[i - 1] ?? "").startsWith("--"));
      if (positional.length === 0) {
        return result([
          ...Object.entries(IMAGE_ALIASES).map(([value, a]) => ({ value, description: a.what })),
          ...r.images
            .filter((i) => i.state !== "deregistered")
            .map((i) => ({ value: i.name.includes(" ") ? i.id : i.name, description: `${i.id} (self, ${i.state})` })),
        ]);
      }
      if (positional.length === 1)
        return result(COMMON_TYPES.map((value) => ({ value, description: describeType(value) })));
      return result([]);
    }
    case "stop":
    case "reboot":
      return result(instanceCandidates(r, ["running", "pending"]));
    case "start":
      return result(instanceCandidates(r, ["stopped"]));
    case "terminate":
      return result(instanceCandidates(r, ["pending", "running", "stopping", "stopped"]));
    case "ssh":
      return result(instanceCandidates(r, ["running"]));
    case "image": {
      if (args.length === 0) return result(["create", "copy", "deregister"].map((value) => ({ value })));
      if (args[0] === "create" && args.length === 1) return result(instanceCandidates(r, ["running", "stopped"]));
      if (args[0] === "copy" && args.length === 1) return result(imageCandidates(r));
      if (args[0] === "copy" && args.length === 2) return result(REGIONS.map((x) => ({ value: x.regionName })));
      if (args[0] === "deregister" && args.length === 1)
        return result(r.images.map((i) => ({ value: i.id, description: i.name })));
      return result([]);
    }
    case "clock":
      if (args.length === 0) return result(["advance", "speed", "pause", "resume"].map((value) => ({ value })));
      if (args[0] === "advance") return result(["30s", "1m", "5m", "1h", "1d"].map((value) => ({ value })));
      if (args[0] === "speed")
        return result(["1", "10", "60", "600", "3600"].map((value) => ({ value, description: `×${value}` })));
      return result([]);
    case "help":
    case "?":
      return result([...SHORT_FORMS.map((s) => ({ value: s.name })), { value: "ec2" }]);
    default:
      return anyId();
  }
}

function describeType(name: string): string {
  const t = INSTANCE_TYPES.get(name);
  return t ? `${t.defaultVCpus} vCPU, ${t.memoryMiB / 1024} GiB, $${t.onDemandUsdPerHour}/h` : "";
}

/** The longest prefix shared by every candidate (what Tab inserts when there are several). */
export function commonPrefix(values: readonly string[]): string {
  if (!values.length) return "";
  let p = values[0]!;
  for (const v of values) while (!v.startsWith(p)) p = p.slice(0, -1);
  return p;
}

/** Applies a Tab press: the new line, and the candidates to show (when it stays ambiguous). */
export function applyTab(line: string, r: Resources): { line: string; shown: Candidate[] } {
  const c = complete(line, r);
  if (!c.candidates.length) return { line, shown: [] };
  if (c.candidates.length === 1) return { line: `${line.slice(0, c.start)}${c.candidates[0]!.value} `, shown: [] };
  const prefix = commonPrefix(c.candidates.map((x) => x.value));
  return { line: `${line.slice(0, c.start)}${prefix.length > c.word.length ? prefix : c.word}`, shown: c.candidates };
}
