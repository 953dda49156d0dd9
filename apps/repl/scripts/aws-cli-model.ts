/**
 * Derives data/aws-cli-model.json: what the AWS CLI's own model (botocore's EC2 service-2.json)
 * decides about printed output that the SDK's schemas do not say:
 *   - `order`: the member order of each output structure where it differs from the SDK's (botocore
 *     keeps EC2's original order, e.g. Reservation: Groups, Instances, OwnerId, …; the CLI's JSON
 *     prints members in that order; members it lacks come after, in the SDK's order);
 *   - `doubles`: the members typed `double`/`float` ("ProcessorInfo.SustainedClockSpeedInGhz"),
 *     which the CLI prints as Python floats (`3.0`); the SDK types every number alike.
 * Run with an AWS CLI v2 installed: npx tsx apps/repl/scripts/aws-cli-model.ts [botocore/data/ec2/2016-11-15]
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import { findOperation, listOperations, type Shape } from "@ec2sim/ec2-query";

const dir = process.argv[2] ?? "/usr/lib/python3/dist-packages/awscli/botocore/data/ec2/2016-11-15";
const file = [join(dir, "service-2.json"), join(dir, "service-2.json.gz")].find(existsSync);
if (!file) throw new Error(`no botocore EC2 model in ${dir}`);
const raw = readFileSync(file);
interface BotoShape {
  type: string;
  members?: Record<string, { shape: string }>;
  member?: { shape: string };
  value?: { shape: string };
}
const model = JSON.parse((file.endsWith(".gz") ? gunzipSync(raw) : raw).toString("utf8")) as {
  shapes: Record<string, BotoShape>;
};

// the SDK's member order of every output structure, by name
const sdkOrder = new Map<string, string[]>();
const walk = (s: Shape) => {
  if (s.kind === "struct") {
    if (sdkOrder.has(s.name)) return;
    sdkOrder.set(
      s.name,
      s.members.map((m) => m.name),
    );
    for (const m of s.members) walk(m.shape);
  } else if (s.kind === "list") walk(s.item);
  else if (s.kind === "map") walk(s.value);
};
for (const action of listOperations()) {
  const out = findOperation(action)?.output;
  if (out?.kind === "struct") walk(out);
}

const order: Record<string, string[]> = {};
for (const [name, sdk] of sdkOrder) {
  const boto = Object.keys(model.shapes[name]?.members ?? {});
  const common = boto.filter((m) => sdk.includes(m));
  const sdkCommon = sdk.filter((m) => boto.includes(m));
  if (common.join() !== sdkCommon.join()) order[name] = common;
}
const doubleShapes = new Set(
  Object.entries(model.shapes)
    .filter(([, s]) => s.type === "double" || s.type === "float")
    .map(([n]) => n),
);
const doubles: string[] = [];
for (const [name, s] of Object.entries(model.shapes))
  for (const [member, m] of Object.entries(s.members ?? {}))
    if (doubleShapes.has(m.shape)) doubles.push(`${name}.${member}`);

const target = join(dirname(fileURLToPath(import.meta.url)), "..", "data", "aws-cli-model.json");
writeFileSync(
  target,
  `${JSON.stringify({ source: "botocore ec2 2016-11-15 (AWS CLI v2)", order, doubles: doubles.sort() })}\n`,
);
console.log(`${Object.keys(order).length} structures reordered, ${doubles.length} doubles -> ${target}`);
