/**
 * The plan as an engineer would write it, after it is built: inputs as variables (regions, zones,
 * key pairs, instance types), tags every resource shares as the providers' `default_tags`, alike
 * instances grouped (for_each in HCL, a loop in main.ts), outputs (IDs, public IPs, Elastic IPs),
 * and no data source that nothing references.
 */
import { ORIGIN_TAG } from "../inventory.ts";
import {
  type Block,
  type ExportPlan,
  type Group,
  isRef,
  isVarRef,
  type Namer,
  refsIn,
  snake,
  type Value,
  type Variable,
  varRef,
} from "../plan.ts";

export function makeIdiomatic(plan: ExportPlan, namer: Namer): void {
  pruneData(plan);
  regionVariables(plan);
  zoneVariable(plan);
  keyPairVariables(plan);
  defaultTags(plan);
  plan.groups = alikeInstances(plan, namer);
  instanceTypeVariables(plan);
  plan.outputs = outputs(plan);
  // Where to start reading: regions and zones, then keys, sizes, images, tags.
  const rank = (n: string) =>
    n === "region" || n.endsWith("_region")
      ? 0
      : n === "availability_zones"
        ? 1
        : n.endsWith("key_name") || n.endsWith("public_key")
          ? 2
          : n.endsWith("instance_type")
            ? 3
            : n === "default_tags"
              ? 5
              : 4;
  plan.variables = plan.variables
    .map((v, i) => ({ v, i }))
    .sort((a, b) => rank(a.v.name) - rank(b.v.name) || a.i - b.i)
    .map((x) => x.v);
}

/** Data sources nothing references (a default group looked up for an instance that ended up naming none). */
function pruneData(plan: ExportPlan): void {
  const used = new Set<string>();
  for (const b of plan.blocks) for (const k of refsIn(b.config)) used.add(k);
  plan.blocks = plan.blocks.filter((b) => b.kind !== "data" || used.has(b.key));
}

function addVar(plan: ExportPlan, v: Variable): void {
  if (!plan.variables.some((x) => x.name === v.name)) plan.variables.push(v);
}

function regionVariables(plan: ExportPlan): void {
  for (const p of plan.providers) {
    const name = p.alias ? `${p.alias}_region` : "region";
    addVar(plan, {
      name,
      type: "string",
      description: p.alias
        ? `Region of the ${p.alias} provider (the sandbox's ${p.region})`
        : `Region to create everything in that names no other (the sandbox's ${p.region})`,
      default: p.region,
    });
    p.regionVar = name;
  }
}

/** Zones of the default provider's region: `var.availability_zones[i]` in place of `us-east-1a`. */
function zoneVariable(plan: ExportPlan): void {
  const home = plan.providers[0]!.region;
  const zones = new Set<string>();
  for (const b of plan.blocks)
    if (b.region === home && b.kind === "resource" && typeof b.config.availabilityZone === "string")
      zones.add(b.config.availabilityZone);
  if (!zones.size) return;
  const list = [...zones].sort();
  addVar(plan, {
    name: "availability_zones",
    type: "list(string)",
    description: `Availability zones to use, in order (the sandbox used ${list.join(", ")})`,
    default: list,
  });
  for (const b of plan.blocks)
    if (b.region === home && b.kind === "resource" && typeof b.config.availabilityZone === "string")
      b.config.availabilityZone = varRef("availability_zones", list.indexOf(b.config.availabilityZone));
}

function keyPairVariables(plan: ExportPlan): void {
  const pairs = plan.blocks.filter((b) => b.tfType === "aws_key_pair");
  for (const b of pairs) {
    const prefix = pairs.length === 1 ? "" : `${b.key}_`;
    addVar(plan, {
      name: `${prefix}key_name`,
      type: "string",
      description: "Name of the EC2 key pair to create",
      default: b.config.keyName!,
    });
    addVar(plan, {
      name: `${prefix}public_key`,
      type: "string",
      description: "Public half of your SSH key (the sandbox's by default); the private key stays with you",
      default: b.config.publicKey!,
    });
    b.config.keyName = varRef(`${prefix}key_name`);
    b.config.publicKey = varRef(`${prefix}public_key`);
  }
}

/** Tags every taggable resource carries (bar Name and the origin) move to the providers' default_tags. */
function defaultTags(plan: ExportPlan): void {
  const tagged = plan.blocks.filter((b) => b.kind === "resource" && b.config.tags && typeof b.config.tags === "object");
  let common: Record<string, string> | undefined;
  for (const b of tagged) {
    const t = b.config.tags as Record<string, string>;
    if (!common) common = Object.fromEntries(Object.entries(t).filter(([k]) => k !== "Name" && k !== ORIGIN_TAG));
    else for (const k of Object.keys(common)) if (t[k] !== common[k]) delete common[k];
  }
  const shared = tagged.length > 1 ? (common ?? {}) : {};
  addVar(plan, {
    name: "default_tags",
    type: "map(string)",
    description: "Tags for every resource (the provider's default_tags)",
    default: shared,
  });
  plan.defaultTagsVar = "default_tags";
  for (const b of tagged) {
    const t = { ...(b.config.tags as Record<string, Value>) };
    for (const k of Object.keys(shared)) delete t[k];
    if (Object.keys(t).length) b.config.tags = t;
    else delete b.config.tags;
  }
}

/** The config with what may differ among alike instances taken out, as a comparable string. */
function shape(b: Block): string {
  const c = { ...b.config } as Record<string, Value>;
  delete c.availabilityZone;
  const t = { ...((c.tags as Record<string, Value>) ?? {}) };
  delete t.Name;
  delete t[ORIGIN_TAG];
  c.tags = t;
  return JSON.stringify([b.region, b.provider ?? "", c]);
}

/**
 * Instances configured alike (type, image, key, groups, devices, user data, tags but their Name)
 * with distinct Name tags: two or more become one group, keyed by Name.
 */
function alikeInstances(plan: ExportPlan, namer: Namer): Group[] {
  const byShape = new Map<string, Block[]>();
  for (const b of plan.blocks) {
    if (b.tfType !== "aws_instance" || b.kind !== "resource") continue;
    const name = (b.config.tags as Record<string, Value> | undefined)?.Name;
    if (typeof name !== "string") continue;
    const k = shape(b);
    byShape.set(k, [...(byShape.get(k) ?? []), b]);
  }
  const groups: Group[] = [];
  for (const members of byShape.values()) {
    if (members.length < 2) continue;
    const names = members.map((b) => (b.config.tags as Record<string, string>).Name!);
    if (new Set(names).size !== names.length) continue;
    const varying = ["tags.Name"];
    const differs = (f: (b: Block) => unknown) => new Set(members.map((b) => JSON.stringify(f(b) ?? null))).size > 1;
    if (differs((b) => b.config.availabilityZone)) varying.push("availabilityZone");
    if (members.some((b) => (b.config.tags as Record<string, Value>)[ORIGIN_TAG] !== undefined))
      varying.push(`tags.${ORIGIN_TAG}`);
    const prefix = commonPrefix(names).replace(/[-_.\s\d]+$/, "");
    groups.push({
      label: namer.unique(prefix || `${members[0]!.key}_group`),
      tfType: "aws_instance",
      members: members.map((b, i) => ({ block: b.key, key: names[i]! })),
      varying,
    });
  }
  return groups;
}

function commonPrefix(names: string[]): string {
  let p = names[0] ?? "";
  for (const n of names) while (!n.startsWith(p)) p = p.slice(0, -1);
  return p;
}

/** One `instance_type` when every instance has the same; else one per group or instance. */
function instanceTypeVariables(plan: ExportPlan): void {
  const instances = plan.blocks.filter((b) => b.tfType === "aws_instance" && b.kind === "resource");
  const types = new Set(instances.map((b) => b.config.instanceType));
  const groupOf = new Map<string, Group>();
  for (const g of plan.groups) for (const m of g.members) groupOf.set(m.block, g);
  for (const b of instances) {
    if (typeof b.config.instanceType !== "string") continue;
    const owner = types.size === 1 ? "" : `${groupOf.get(b.key)?.label ?? b.key}_`;
    const name = `${owner}instance_type`;
    addVar(plan, {
      name,
      type: "string",
      description: owner ? `Instance type of ${owner.slice(0, -1)}` : "Instance type of the instances",
      default: b.config.instanceType,
    });
    b.config.instanceType = varRef(name);
  }
}

/** IDs and public IPs of instances, public IPs of Elastic IPs. */
function outputs(plan: ExportPlan): ExportPlan["outputs"] {
  const out: ExportPlan["outputs"] = [];
  for (const b of plan.blocks) {
    if (b.kind !== "resource") continue;
    if (b.tfType === "aws_instance") {
      out.push({ name: `${b.key}_id`, description: `ID of instance ${b.key}`, value: ref(b.key, "id") });
      out.push({
        name: `${b.key}_public_ip`,
        description: `Public IP of instance ${b.key} (empty without one)`,
        value: ref(b.key, "publicIp"),
      });
    } else if (b.tfType === "aws_eip")
      out.push({ name: `${b.key}_public_ip`, description: `Elastic IP ${b.key}`, value: ref(b.key, "publicIp") });
  }
  return out;
}

const ref = (key: string, attr: string): Value => ({ $ref: key, path: [attr] });

/** Every variable a value uses. */
export function varsIn(v: Value, out: Set<string> = new Set()): Set<string> {
  if (isVarRef(v)) out.add(v.$var);
  else if (isRef(v)) return out;
  else if (Array.isArray(v)) for (const x of v) varsIn(x, out);
  else if (v && typeof v === "object") for (const x of Object.values(v)) varsIn(x as Value, out);
  return out;
}

export { snake };
