/**
 * Tab completion, as aws-shell and k9s users expect it: commands, EC2 operations, flags (each with
 * the first sentence of its doc from the EC2 model), filter names and values (`--filters
 * Name=<Tab>`), regions, views, and live resources — an instance completes from its ID or its Name
 * tag to its ID, an image to the ones usable in the region the command runs in. Matching is fuzzy
 * (letters in order; prefixes first). Tab inserts the only candidate or what all share; Tab again
 * puts each candidate in the line in turn (Shift-Tab goes back).
 */
import { INSTANCE_TYPES, REGIONS } from "@ec2sim/core";
import { KIND_LIST, KINDS, type ResourceKind } from "../view/resources.ts";
import type { BaseRow, ImageRow, InstanceRow } from "../view/sandbox-view.ts";
import { cliOperations, flagsOf, GLOBAL_FLAGS, shapeHint } from "./aws-cli.ts";
import { filterDocs, flagDoc } from "./docs.ts";
import { IMAGE_ALIASES, SHORT_FORMS } from "./parse.ts";
import { fuzzyFilter } from "./suggest.ts";
import { tokenizeLoose } from "./tokenize.ts";

export interface Candidate {
  value: string;
  description?: string;
  /** Also matched against the typed word, besides the value (an instance's Name tag, an AMI's name). */
  match?: string;
  /** Insert without the space after (a filter name goes on with `,Values=`). */
  noSpace?: boolean;
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
  rows?: Partial<Record<ResourceKind, readonly BaseRow[]>>;
}

export interface CompleteOptions {
  /** The region commands run in (images complete to the ones there). */
  region?: string;
}

const INSTANCE_FLAGS = new Set(["--instance-ids", "--instance-id", "--resources"]);
const IMAGE_FLAGS = new Set(["--image-id", "--image-ids", "--source-image-id"]);
const ROW_FLAGS: Record<string, ResourceKind> = {
  "--volume-id": "volumes",
  "--volume-ids": "volumes",
  "--snapshot-id": "snapshots",
  "--snapshot-ids": "snapshots",
  "--source-snapshot-id": "snapshots",
  "--group-id": "securityGroups",
  "--group-ids": "securityGroups",
  "--security-group-ids": "securityGroups",
  "--vpc-id": "vpcs",
  "--vpc-ids": "vpcs",
  "--subnet-id": "subnets",
  "--subnet-ids": "subnets",
};

const COMMON_TYPES = [
  "t3.micro",
  "t3.small",
  "t3.medium",
  "t3.nano",
  "t2.micro",
  "t4g.micro",
  "m5.large",
  "m5d.large",
  "c5.large",
  "r5.large",
  "m3.medium",
];

function describeType(name: string): string {
  const t = INSTANCE_TYPES.get(name);
  return t ? `${t.defaultVCpus} vCPU, ${t.memoryMiB / 1024} GiB, $${t.onDemandUsdPerHour}/h` : "";
}

function instanceCandidates(r: Resources, states?: string[]): Candidate[] {
  return r.instances
    .filter((i) => (states ? states.includes(i.state) : i.state !== "terminated"))
    .map((i) => ({
      value: i.id,
      ...(i.name ? { match: i.name } : {}),
      description: `${i.name ? `${i.name} ` : ""}(${i.state}, ${i.type}, ${i.region})`,
    }));
}

/** The account's images usable in `region` (not deregistered, not copies elsewhere), then the ones its instances run. */
function imageCandidates(r: Resources, region: string | undefined): Candidate[] {
  const own = r.images
    .filter((i) => i.state !== "deregistered" && (!region || i.region === region))
    .map((i) => ({ value: i.id, match: i.name, description: `${i.name} (self, ${i.state})` }));
  const used = Object.entries(r.imageNames)
    .filter(([id, name]) => !r.images.some((i) => i.id === id) && name !== "(deregistered)")
    .filter(([id]) => !region || r.instances.some((i) => i.imageId === id && i.region === region))
    .map(([id, name]) => ({ value: id, match: name, description: name }));
  return [...own, ...used];
}

const regions = (): Candidate[] => REGIONS.map((x) => ({ value: x.regionName, description: x.regionName }));

/** Completes `Name=…,Values=…` of `--filters` from the operation's documented filters and live values. */
function filterCandidates(action: string, word: string, r: Resources): Candidate[] | undefined {
  const docs = filterDocs(action);
  const m = /^Name=([^,]*)(?:,Values=(.*))?$/.exec(word);
  if (!word || "Name=".startsWith(word) || (m && m[2] === undefined)) {
    return Object.entries(docs).map(([name, d]) => ({
      value: `Name=${name},Values=`,
      match: `Name=${name}`,
      description: d.doc,
      noSpace: true,
    }));
  }
  if (!m || m[2] === undefined) return undefined;
  const name = m[1]!;
  const typed = m[2]!;
  const done = typed.includes(",") ? typed.slice(0, typed.lastIndexOf(",") + 1) : "";
  const prefix = `Name=${name},Values=${done}`;
  const values: Candidate[] = (docs[name]?.values ?? []).map((v) => ({ value: v }));
  const live = (kind: ResourceKind, pick: (row: BaseRow) => string | undefined) =>
    (r.rows?.[kind] ?? []).map(pick).filter((v): v is string => !!v);
  if (name === "tag:Name")
    for (const n of new Set([...r.instances.map((i) => i.name), ...live("images", (x) => x.name)]))
      if (n) values.push({ value: n });
  if (name === "instance-id") for (const c of instanceCandidates(r)) values.push(c);
  if (name === "image-id") for (const c of imageCandidates(r, undefined)) values.push(c);
  if (name === "instance-type") for (const t of COMMON_TYPES) values.push({ value: t, description: describeType(t) });
  if (name === "name" && action === "DescribeImages")
    for (const i of r.images) values.push({ value: i.name, description: i.id });
  if (name === "availability-zone") for (const az of new Set(r.instances.map((i) => i.az))) values.push({ value: az });
  return values.map((v) => ({ ...v, value: `${prefix}${v.value}`, match: `${prefix}${v.match ?? v.value}` }));
}

function flagCandidates(action: string, used: Set<string>): Candidate[] {
  const flags = flagsOf(action)
    .filter((f) => !used.has(f.flag))
    .map((f) => {
      const shape = shapeHint(f.member).replace(f.flag, "").trim();
      const doc = flagDoc(action, f.member.name);
      return { value: f.flag, description: [shape, doc].filter(Boolean).join("  ") };
    });
  const globals = GLOBAL_FLAGS.filter((g) => !used.has(g)).map((value) => ({
    value,
    description:
      value === "--query"
        ? "JMESPath applied to the answer"
        : value === "--output"
          ? "json | text | table | yaml"
          : value === "--region"
            ? "the region to run in"
            : "global",
  }));
  return [...flags, ...globals];
}

export function complete(line: string, r: Resources, opts: CompleteOptions = {}): Completion {
  const tokens = tokenizeLoose(line);
  const endsWithSpace = line.length > 0 && /\s$/.test(line);
  const words = tokens.map((t) => t.value);
  const word = endsWithSpace || !words.length ? "" : words[words.length - 1]!;
  const start = endsWithSpace || !tokens.length ? line.length : tokens[tokens.length - 1]!.start;
  const before = endsWithSpace ? words : words.slice(0, -1);
  const result = (cs: Candidate[]): Completion => ({
    start,
    word,
    candidates: fuzzyFilter(word, cs, (c) => (c.match ? [c.value, c.match] : c.value)),
  });
  const head = before[0] === "aws" ? before[1] : before[0];
  const args = before[0] === "aws" ? before.slice(2) : before.slice(1);
  const region = opts.region;

  if (!head) {
    if (word.startsWith(":"))
      return result(KIND_LIST.map((k) => ({ value: `:${KINDS[k].names[0]}`, description: `view: ${KINDS[k].title}` })));
    return result([
      ...SHORT_FORMS.map((s) => ({ value: s.name, description: s.summary })),
      { value: "ec2", description: "the AWS CLI's syntax: ec2 <operation> --flags" },
    ]);
  }
  const anyId = (): Completion =>
    word.startsWith("ami-") ? result(imageCandidates(r, region)) : result(instanceCandidates(r));
  switch (head) {
    case "ec2": {
      if (args.length === 0) return result([...cliOperations().keys()].map((value) => ({ value })));
      const action = cliOperations().get(args[0]!);
      if (!action) return result([]);
      const prev = args[args.length - 1];
      const argRegion = args.includes("--region") ? args[args.indexOf("--region") + 1] : region;
      if (!word.startsWith("--")) {
        if (prev === "--filters" || prev === "--filter" || (word.startsWith("Name=") && args.includes("--filters"))) {
          const f = filterCandidates(action, word, r);
          if (f) return result(f);
        }
        if (prev && INSTANCE_FLAGS.has(prev)) return result(instanceCandidates(r));
        if (prev && IMAGE_FLAGS.has(prev)) return result(imageCandidates(r, argRegion));
        if (prev && ROW_FLAGS[prev])
          return result(
            (r.rows?.[ROW_FLAGS[prev]!] ?? [])
              .filter((x) => !argRegion || x.region === argRegion)
              .map((x) => ({
                value: x.id,
                ...(x.name ? { match: x.name } : {}),
                description: `${x.name ?? ""} ${x.state ?? ""}`.trim(),
              })),
          );
        if (prev === "--key-name")
          return result(
            (r.rows?.keyPairs ?? [])
              .filter((k) => !argRegion || k.region === argRegion)
              .map((k) => ({ value: k.name ?? k.id, description: k.id })),
          );
        if (prev === "--instance-type")
          return result(COMMON_TYPES.map((value) => ({ value, description: describeType(value) })));
        if (prev === "--output")
          return result(["json", "text", "table", "yaml", "yaml-stream"].map((value) => ({ value })));
        if (prev === "--region") return result(regions());
        if (prev === "--owners") return result(["self", "amazon", "aws-marketplace"].map((value) => ({ value })));
        if (word) return anyId();
      }
      return result(flagCandidates(action, new Set(args)));
    }
    case "launch": {
      const flags = SHORT_FORMS.find((s) => s.name === "launch")!.flags ?? [];
      if (word.startsWith("-")) return result(flags.map((value) => ({ value })));
      const prev = args[args.length - 1];
      if (prev === "--region") return result(regions());
      if (prev === "--type") return result(COMMON_TYPES.map((value) => ({ value, description: describeType(value) })));
      if (prev === "--key")
        return result((r.rows?.keyPairs ?? []).map((k) => ({ value: k.name ?? k.id, description: k.region })));
      if (prev === "--sg" || prev === "--count" || prev === "--name") return result([]);
      const launchRegion = args.includes("--region") ? args[args.indexOf("--region") + 1] : region;
      const positional = args.filter((a, i) => !a.startsWith("--") && !(args[i - 1] ?? "").startsWith("--"));
      if (positional.length === 0) {
        return result([
          ...Object.entries(IMAGE_ALIASES).map(([value, a]) => ({ value, description: a.what })),
          ...r.images
            .filter((i) => i.state !== "deregistered" && (!launchRegion || i.region === launchRegion))
            .map((i) => ({
              value: i.name.includes(" ") ? i.id : i.name,
              match: i.id,
              description: `${i.id} (self, ${i.state})`,
            })),
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
      if (args.at(-1) === "-i" || args.at(-1) === "-l") return result([]);
      return result(instanceCandidates(r, ["running"]));
    case "region":
      return result(regions());
    case "image": {
      const own = (inRegion: boolean) =>
        r.images
          .filter((i) => i.state !== "deregistered" && (!inRegion || !region || i.region === region))
          .map((i) => ({ value: i.id, match: i.name, description: `${i.name} (${i.state}, ${i.region})` }));
      if (args.length === 0) return result(["create", "copy", "deregister"].map((value) => ({ value })));
      if (args[0] === "create" && args.length === 1) return result(instanceCandidates(r, ["running", "stopped"]));
      if (args[0] === "copy" && args.length === 1) return result(own(false));
      if (args[0] === "copy" && args.length === 2) return result(regions());
      if (args[0] === "deregister" && args.length === 1) return result(own(true));
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
      if (args[0] === "ec2") return result([...cliOperations().keys()].map((value) => ({ value })));
      return result([
        ...SHORT_FORMS.map((s) => ({ value: s.name, description: s.summary })),
        { value: "ec2", description: "an EC2 operation's options" },
        { value: "keys", description: "the keys of the views" },
      ]);
    default:
      return anyId();
  }
}

/** The longest prefix shared by every candidate (what Tab inserts when there are several). */
export function commonPrefix(values: readonly string[]): string {
  if (!values.length) return "";
  let p = values[0]!;
  for (const v of values) while (!v.startsWith(p)) p = p.slice(0, -1);
  return p;
}

/** Between two Tabs: the candidates shown, which one is in the line, and the line Tab left. */
export interface TabState {
  start: number;
  word: string;
  candidates: Candidate[];
  index: number;
  line: string;
}

/**
 * Applies a Tab press to the text before the cursor: the new text, the candidates to show, and the
 * state for the next Tab (cycling, when nothing was typed in between).
 */
export function applyTab(
  line: string,
  r: Resources,
  prev?: TabState,
  backwards = false,
  opts: CompleteOptions = {},
): { line: string; shown: Candidate[]; state?: TabState } {
  if (prev && prev.line === line && prev.candidates.length > 1) {
    const n = prev.candidates.length;
    const index = prev.index < 0 ? (backwards ? n - 1 : 0) : (prev.index + (backwards ? n - 1 : 1)) % n;
    const c = prev.candidates[index]!;
    const next = `${line.slice(0, prev.start)}${c.value}`;
    return { line: next, shown: prev.candidates, state: { ...prev, index, line: next } };
  }
  const c = complete(line, r, opts);
  if (!c.candidates.length) return { line, shown: [] };
  if (c.candidates.length === 1) {
    const only = c.candidates[0]!;
    return { line: `${line.slice(0, c.start)}${only.value}${only.noSpace ? "" : " "}`, shown: [] };
  }
  const prefixed = c.candidates.filter((x) => x.value.startsWith(c.word));
  const prefix = prefixed.length === c.candidates.length ? commonPrefix(prefixed.map((x) => x.value)) : c.word;
  const next = `${line.slice(0, c.start)}${prefix.length > c.word.length ? prefix : c.word}`;
  return {
    line: next,
    shown: c.candidates,
    state: { start: c.start, word: c.word, candidates: c.candidates, index: -1, line: next },
  };
}
