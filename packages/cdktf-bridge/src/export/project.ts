/**
 * The export plan as a ready CDKTF TypeScript project: main.ts with one construct per resource
 * (deep imports), package.json pinning the synthesizer's versions, cdktf.json, tsconfig.json, a
 * README and NOT-EXPORTED.md. `cdktf synth` of it gives the JSON the in-process synth gives.
 */
import { ORIGIN_TAG } from "../inventory.ts";
import {
  type Block,
  constructOf,
  type ExportPlan,
  type Group,
  isRef,
  isVarRef,
  PROVIDER_REQUIREMENT,
  type Value,
} from "../plan.ts";
import type { Synthesizer } from "../synth/synthesizer.ts";

const RESERVED = new Set(
  "break case catch class const continue debugger default delete do else enum export extends false finally for function if import in instanceof new null return super switch this throw true try typeof var void while with as implements interface let package private protected public static yield app stack scope id".split(
    " ",
  ),
);

function camel(key: string): string {
  const parts = key.split(/[^A-Za-z0-9]+/).filter(Boolean);
  let s = parts
    .map((p, i) => (i === 0 ? p.charAt(0).toLowerCase() + p.slice(1) : p.charAt(0).toUpperCase() + p.slice(1)))
    .join("");
  if (!/^[A-Za-z_$]/.test(s)) s = `r${s}`;
  return s || "resource";
}

const ident = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

function templateLiteral(s: string): string {
  return `\`${s.replace(/\\/g, "\\\\").replace(/`/g, "\\`").replace(/\$\{/g, "\\${")}\``;
}

function tsValue(v: Value, vars: Map<string, string>, indent: string, tfVars: TfVars): string {
  if (isVarRef(v)) return tfVars.expr(v.$var, v.index);
  if (isRef(v)) return [vars.get(v.$ref)!, ...v.path].join(".");
  if (v && typeof v === "object" && "$raw" in v) return String((v as { $raw: string }).$raw);
  if (v === null) return "null";
  if (typeof v === "string") return JSON.stringify(v);
  if (typeof v !== "object") return String(v);
  const inner = `${indent}  `;
  if (Array.isArray(v)) {
    if (v.length === 0) return "[]";
    const items = v.map((x) => tsValue(x, vars, inner, tfVars));
    const flat = `[${items.join(", ")}]`;
    return flat.length <= 80 && !flat.includes("\n")
      ? flat
      : `[\n${items.map((i) => `${inner}${i},`).join("\n")}\n${indent}]`;
  }
  const entries = Object.entries(v).map(
    ([k, x]) => `${ident.test(k) ? k : JSON.stringify(k)}: ${tsValue(x as Value, vars, inner, tfVars)}`,
  );
  if (entries.length === 0) return "{}";
  const flat = `{ ${entries.join(", ")} }`;
  return flat.length <= 80 && !flat.includes("\n")
    ? flat
    : `{\n${entries.map((e) => `${inner}${e},`).join("\n")}\n${indent}}`;
}

interface TfVars {
  expr(name: string, index?: number): string;
}

/** Sets a dotted config path (`tags.Name`; a tag key may hold dots after the first one). */
function setPath(config: Record<string, Value>, path: string, v: Value): void {
  const [head, ...rest] = path.split(".");
  if (!rest.length) {
    config[head!] = v;
    return;
  }
  const inner = { ...((config[head!] as Record<string, Value>) ?? {}) };
  inner[rest.join(".")] = v;
  config[head!] = inner;
}

function getPath(config: Record<string, Value>, path: string): Value {
  const [head, ...rest] = path.split(".");
  const v = config[head!];
  return rest.length ? ((v as Record<string, Value>)?.[rest.join(".")] ?? null) : (v ?? null);
}

export function mainTs(plan: ExportPlan): string {
  const vars = new Map<string, string>();
  const usedNames = new Set<string>();
  const varFor = (key: string) => {
    let base = camel(key);
    if (RESERVED.has(base)) base = `${base}Resource`;
    let n = base;
    for (let i = 2; usedNames.has(n); i++) n = `${base}${i}`;
    usedNames.add(n);
    vars.set(key, n);
    return n;
  };
  const referenced = new Set<string>();
  const walk = (v: Value): void => {
    if (isRef(v)) referenced.add(v.$ref);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === "object") for (const x of Object.values(v)) walk(x as Value);
  };
  for (const b of plan.blocks) {
    walk(b.config);
    if (b.provider) referenced.add(b.provider);
  }
  for (const o of plan.outputs) walk(o.value);
  const groupOf = new Map<string, Group>();
  for (const g of plan.groups) for (const m of g.members) groupOf.set(m.block, g);
  const imports = new Map<string, string>([["AwsProvider", "provider"]]);
  for (const b of plan.blocks) {
    const c = constructOf(b);
    imports.set(c.className, c.module);
  }
  const cdktfImports = new Set(["App", "TerraformStack"]);
  if (plan.statePath) cdktfImports.add("LocalBackend");
  if (plan.variables.length) cdktfImports.add("TerraformVariable");
  if (plan.outputs.length) cdktfImports.add("TerraformOutput");
  const types = new Map(plan.variables.map((v) => [v.name, v.type]));
  const tfVarName = new Map<string, string>();
  const tfVars: TfVars = {
    expr(name, index) {
      const n = tfVarName.get(name)!;
      if (index !== undefined) {
        cdktfImports.add("Fn");
        return `Fn.element(${n}.listValue, ${index})`;
      }
      const t = types.get(name);
      return `${n}.${t === "bool" ? "booleanValue" : t === "number" ? "numberValue" : t === "string" ? "stringValue" : "value"}`;
    },
  };
  const body: string[] = [];
  const ind = "    ";
  body.push(
    `${ind}this.addOverride("terraform.required_providers.aws", ${tsValue({ ...PROVIDER_REQUIREMENT }, vars, ind, tfVars)});`,
  );
  if (plan.statePath) {
    body.push(`${ind}// The state stays beside main.ts (cdktf runs terraform in cdktf.out/stacks/${plan.stackName}).`);
    body.push(`${ind}new LocalBackend(this, { path: ${JSON.stringify(plan.statePath)} });`);
  }
  if (plan.variables.length) body.push("");
  for (const v of plan.variables) {
    const n = varFor(`var_${v.name}`);
    tfVarName.set(v.name, n);
    const cfg: Record<string, Value> = { type: v.type, description: v.description };
    if (v.default !== undefined) cfg.default = v.default;
    body.push(
      `${ind}const ${n} = new TerraformVariable(this, ${JSON.stringify(v.name)}, ${tsValue(cfg as Value, vars, ind, tfVars)});`,
    );
  }
  body.push("");
  for (const p of plan.providers) {
    const cfg: Record<string, Value> = { region: p.regionVar ? { $var: p.regionVar } : p.region };
    if (p.alias) cfg.alias = p.alias;
    if (plan.defaultTagsVar) cfg.defaultTags = [{ tags: { $var: plan.defaultTagsVar } }];
    const text = tsValue(cfg as Value, vars, ind, tfVars);
    body.push(
      `${referenced.has(p.key) ? `${ind}const ${varFor(p.key)} = ` : ind}new AwsProvider(this, ${JSON.stringify(p.key)}, ${text});`,
    );
  }
  let lastGroup = "";
  const emitted = new Set<string>();
  for (const b of plan.blocks) {
    const c = constructOf(b);
    const g = groupOf.get(b.key);
    if (g && emitted.has(g.label)) continue;
    const group = `${b.kind}:${b.tfType}`;
    const config: Record<string, Value> = { ...b.config };
    let pre = "";
    if (typeof config.userData === "string") {
      const uv = `${camel(g?.label ?? b.key)}UserData`;
      pre = `${ind}const ${uv} = ${templateLiteral(config.userData)};\n`;
      config.userData = { $raw: uv } as never;
    }
    if (b.provider) config.provider = { $ref: b.provider, path: [] };
    if (group !== lastGroup || b.comment || g) body.push("");
    lastGroup = group;
    if (g) {
      // Alike instances: one entry each, the same configuration but for what varies.
      emitted.add(g.label);
      const n = varFor(g.label);
      for (const m of g.members) vars.set(m.block, `${n}[${JSON.stringify(m.key)}]`);
      const fields = g.varying.filter((p) => p !== "tags.Name");
      const entries = g.members.map((m) => {
        const mb = plan.blocks.find((x) => x.key === m.block)!;
        const e: Record<string, Value> = { id: m.block };
        for (const p of fields) e[fieldName(p)] = getPath(mb.config, p);
        return `${ind}  ${JSON.stringify(m.key)}: ${tsValue(e as Value, vars, `${ind}  `, tfVars)},`;
      });
      setPath(config, "tags.Name", { $raw: "name" } as never);
      for (const p of fields) setPath(config, p, { $raw: `each.${fieldName(p)}` } as never);
      const text = tsValue(config as Value, vars, `${ind}  `, tfVars);
      body.push(
        `${ind}// ${g.members.length} alike instances (${g.members.map((m) => m.key).join(", ")}), one per entry`,
      );
      body.push(`${ind}const ${n}: Record<string, ${c.className}> = {};`);
      body.push(`${ind}const ${n}Entries = {`, ...entries, `${ind}};`);
      body.push(`${pre}${ind}for (const [name, each] of Object.entries(${n}Entries)) {`);
      body.push(`${ind}  ${n}[name] = new ${c.className}(this, each.id, ${text});`);
      body.push(`${ind}}`);
      continue;
    }
    const text = tsValue(config as Value, vars, ind, tfVars);
    if (b.comment) body.push(`${ind}// ${b.comment}`);
    const decl = referenced.has(b.key) ? `const ${varFor(b.key)} = ` : "";
    body.push(`${pre}${ind}${decl}new ${c.className}(this, ${JSON.stringify(b.key)}, ${text});`);
  }
  if (plan.outputs.length) body.push("");
  for (const o of plan.outputs)
    body.push(
      `${ind}new TerraformOutput(this, ${JSON.stringify(o.name)}, ${tsValue({ value: o.value, description: o.description } as Value, vars, ind, tfVars)});`,
    );
  const importLines = [...imports]
    .sort(([, a], [, b]) => a.localeCompare(b))
    .map(([cls, mod]) => `import { ${cls} } from "@cdktf/provider-aws/lib/${mod}";`);
  return `/**
 * Sandbox "${plan.sandbox}" (account ${plan.accountId}, event ${plan.seq}) as a CDKTF stack, generated by \`ec2sim export\`.
 *
 *   npx cdktf synth     -> cdktf.out/stacks/${plan.stackName}/cdk.tf.json
 *   npx cdktf deploy    -> creates it all in the account your AWS credentials point at
 *
 * Inputs are TerraformVariables (override with TF_VAR_name). What could not be expressed is
 * listed in NOT-EXPORTED.md.
 */
import { ${[...cdktfImports].sort().join(", ")} } from "cdktf";
import type { Construct } from "constructs";
${importLines.join("\n")}

class SandboxStack extends TerraformStack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
${body.join("\n")}
  }
}

const app = new App();
new SandboxStack(app, ${JSON.stringify(plan.stackName)});
app.synth();
`;
}

/** `availabilityZone` -> `availabilityZone`, `tags.ec2sim:origin` -> `origin`. */
function fieldName(path: string): string {
  return path === `tags.${ORIGIN_TAG}` ? "origin" : camel(path.replace(/^tags\./, ""));
}

export function notExportedMd(plan: ExportPlan): string {
  const lines = [`# Not exported from sandbox ${plan.sandbox} (account ${plan.accountId})`, ""];
  if (!plan.notExported.length) {
    lines.push("Everything in the sandbox was exported.", "");
    return lines.join("\n");
  }
  const skipped = plan.notExported.filter((n) => n.severity === "skipped");
  const partial = plan.notExported.filter((n) => n.severity === "partial");
  if (skipped.length) {
    lines.push("## Left out (nothing generated)", "", "| Resource | What | Why |", "|---|---|---|");
    for (const n of skipped) lines.push(`| \`${n.resource}\` | ${n.kind} | ${n.reason.replace(/\|/g, "\\|")} |`);
    lines.push("");
  }
  if (partial.length) {
    lines.push("## Exported, but not all of it", "", "| Resource | What | Why |", "|---|---|---|");
    for (const n of partial) lines.push(`| \`${n.resource}\` | ${n.kind} | ${n.reason.replace(/\|/g, "\\|")} |`);
    lines.push("");
  }
  return lines.join("\n");
}

export function projectFiles(plan: ExportPlan, synth: Synthesizer): Record<string, string> {
  const v = synth.versions;
  const counts = new Map<string, number>();
  for (const b of plan.blocks)
    counts.set(
      `${b.kind === "data" ? "data." : ""}${b.tfType}`,
      (counts.get(`${b.kind === "data" ? "data." : ""}${b.tfType}`) ?? 0) + 1,
    );
  return {
    "main.ts": mainTs(plan),
    "package.json": `${JSON.stringify(
      {
        name: `ec2sim-export-${plan.sandbox.toLowerCase().replace(/[^a-z0-9-]+/g, "-")}`,
        version: "0.1.0",
        private: true,
        description: `Sandbox ${plan.sandbox} (account ${plan.accountId}) exported by ec2sim as a CDKTF stack`,
        scripts: { synth: "cdktf synth", deploy: "cdktf deploy", typecheck: "tsc --noEmit" },
        dependencies: { cdktf: v.cdktf, constructs: v.constructs, "@cdktf/provider-aws": v["@cdktf/provider-aws"] },
        devDependencies: { "cdktf-cli": v["cdktf-cli"], typescript: "~5.9.3", tsx: "^4.20.0" },
      },
      null,
      2,
    )}\n`,
    "cdktf.json": `${JSON.stringify({ language: "typescript", app: "npx tsx main.ts", projectId: `ec2sim-${plan.sandbox}`, sendCrashReports: "false", terraformProviders: [], terraformModules: [], context: {} }, null, 2)}\n`,
    "tsconfig.json": `${JSON.stringify(
      {
        compilerOptions: {
          target: "ES2022",
          module: "commonjs",
          moduleResolution: "node",
          lib: ["ES2022"],
          strict: true,
          noEmit: true,
          skipLibCheck: true,
          esModuleInterop: true,
          types: [],
        },
        include: ["main.ts"],
      },
      null,
      2,
    )}\n`,
    ".gitignore": "node_modules/\ncdktf.out/\n.terraform/\nterraform.tfstate*\n",
    "README.md": readme(plan, counts),
    "NOT-EXPORTED.md": notExportedMd(plan),
  };
}

function readme(plan: ExportPlan, counts: Map<string, number>): string {
  return `# Sandbox ${plan.sandbox} as a CDKTF project

Generated by \`ec2sim export --format cdktf\` from sandbox **${plan.sandbox}**, account ${plan.accountId},
at event ${plan.seq}. Regions: ${plan.providers.map((p) => p.region).join(", ")} (${plan.providers[0]!.region} is the default
provider; other regions use a provider alias).

## Use

\`\`\`sh
npm install                       # cdktf, constructs, @cdktf/provider-aws (deep imports keep synth fast)
npx cdktf synth                   # -> cdktf.out/stacks/${plan.stackName}/cdk.tf.json
npx cdktf deploy --auto-approve   # creates everything with your AWS credentials
\`\`\`

Offline, set \`CHECKPOINT_DISABLE=1\`; with a provider filesystem mirror (e.g. ec2sim's Terraform
provider standing in for hashicorp/aws) deploy with \`--skip-provider-lock\`, or cdktf runs
\`terraform providers lock\`, which goes to the registry. State is kept locally in \`terraform.tfstate\` beside main.ts
(LocalBackend; not in cdktf.out/); change the backend in main.ts for a team. Inputs are
TerraformVariables: override them with \`TF_VAR_<name>\`. Commit \`.ec2sim/export.json\`: the next
\`ec2sim export\` keeps its labels and refuses to overwrite files you edited. \`cdktf synth\` sets the output folder (CDKTF_OUTDIR), so
main.ts does not.

## What is in it

| Terraform type | Count |
|---|---|
${[...counts].map(([t, n]) => `| \`${t}\` | ${n} |`).join("\n")}

- Quick Start / Marketplace AMIs are \`data "aws_ami"\` lookups by owner and a name pattern (the newest
  match; a variable each): AMI IDs differ per account and region, and dated names get deprecated.
- Your AMIs become \`aws_ami_from_instance\` of the exported instance, copies \`aws_ami_copy\` (with
  the target region's provider), sharing \`aws_ami_launch_permission\`.
- What was done inside an instance (packages, files under /etc, /usr/share, /var/www, /home, /opt,
  enabled services) is its \`user_data\` (#cloud-config), so the real instance ends with the same software.
  Caveat: \`aws_ami_from_instance\` may image an instance before cloud-init has finished (Terraform
  has no wait for it); if an AMI must hold the software, export with \`--ami-strategy packer\` (a
  Packer template per AMI in packer/, built before deploy) or \`--ami-strategy lookup\` (the AMI's ID).
- Key pairs carry the public key only: keep using your private key.
- Every taggable resource is tagged \`ec2sim:origin = ${plan.sandbox}/<sandbox id>\`, which
  \`ec2sim diff --from sandbox:${plan.sandbox} --to aws:PROFILE\` uses to match resources.

${plan.notExported.length ? `**${plan.notExported.length} item(s) could not be exported (fully): see NOT-EXPORTED.md.**` : "Everything in the sandbox was exported."}
`;
}

export type { Block };
