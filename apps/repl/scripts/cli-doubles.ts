/**
 * Derives data/ec2-doubles.json: the EC2 structure members the model types `double`/`float`
 * ("ProcessorInfo.SustainedClockSpeedInGhz"), which the AWS CLI prints as Python floats (`3.0`).
 * The SDK's schemas type every number alike, so this reads botocore's EC2 model from an installed
 * AWS CLI v2: npx tsx apps/repl/scripts/cli-doubles.ts [path/to/botocore/data/ec2/2016-11-15]
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";

const dir = process.argv[2] ?? "/usr/lib/python3/dist-packages/awscli/botocore/data/ec2/2016-11-15";
const file = [join(dir, "service-2.json"), join(dir, "service-2.json.gz")].find(existsSync);
if (!file) throw new Error(`no botocore EC2 model in ${dir}`);
const raw = readFileSync(file);
const model = JSON.parse((file.endsWith(".gz") ? gunzipSync(raw) : raw).toString("utf8")) as {
  shapes: Record<string, { type: string; members?: Record<string, { shape: string }> }>;
};
const doubles = new Set(
  Object.entries(model.shapes)
    .filter(([, s]) => s.type === "double" || s.type === "float")
    .map(([n]) => n),
);
const out: string[] = [];
for (const [name, s] of Object.entries(model.shapes))
  for (const [member, m] of Object.entries(s.members ?? {})) if (doubles.has(m.shape)) out.push(`${name}.${member}`);
const target = join(dirname(fileURLToPath(import.meta.url)), "..", "data", "ec2-doubles.json");
writeFileSync(target, `${JSON.stringify(out.sort(), null, 1)}\n`);
console.log(`${out.length} double members -> ${target}`);
