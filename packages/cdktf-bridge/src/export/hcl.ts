/**
 * The export plan as HCL the way people write it, split as Terraform projects usually are:
 * providers.tf (required providers, one provider per region with default_tags), variables.tf,
 * main.tf (locals for grouped resources, data sources, resources), outputs.tf, and moved.tf when
 * addresses changed since the last export. References are bare expressions (no `"${…}"`),
 * meta-arguments come first, alike instances are one block with `for_each`, user data is a
 * heredoc. `terraform fmt` leaves it as it is.
 */
import { ORIGIN_TAG } from "../inventory.ts";
import {
  type Block,
  type ExportPlan,
  type Group,
  isRef,
  isVarRef,
  PROVIDER_REQUIREMENT,
  type Ref,
  snake,
  type Value,
} from "../plan.ts";

/** Config keys that are nested blocks in HCL (everything else is an argument). */
const NESTED_BLOCKS = new Set([
  "rootBlockDevice",
  "ebsBlockDevice",
  "metadataOptions",
  "filter",
  "defaultTags",
  "lifecycle",
  "launchTemplate",
  "networkInterfaces",
  "tagSpecifications",
]);

const IDENT = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** A cdktf (camelCase) name as Terraform's (`userDataBase64` -> `user_data_base64`). */
export const tfName = (k: string) => k.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toLowerCase();

export function quote(s: string): string {
  return `"${s
    .replace(/\\/g, "\\\\")
    .replace(/"/g, '\\"')
    .replace(/\n/g, "\\n")
    .replace(/\r/g, "\\r")
    .replace(/\t/g, "\\t")
    .replace(/\$\{/g, "$${")
    .replace(/%\{/g, "%%{")}"`;
}

export interface HclContext {
  plan: ExportPlan;
  byKey: Map<string, Block>;
  groupOf: Map<string, { group: Group; key: string }>;
}

/** A block's address in HCL: `aws_instance.web["web-1"]`, `data.aws_ami.al2023`. */
export function addressOf(ctx: HclContext, key: string): string {
  const b = ctx.byKey.get(key);
  if (!b) {
    const p = ctx.plan.providers.find((x) => x.key === key);
    return p?.alias ? `aws.${p.alias}` : "aws";
  }
  const g = ctx.groupOf.get(key);
  const base = `${b.kind === "data" ? "data." : ""}${b.tfType}.${g ? g.group.label : b.key}`;
  return g ? `${base}[${quote(g.key)}]` : base;
}

function refExpr(ctx: HclContext, r: Ref): string {
  const parts = [addressOf(ctx, r.$ref)];
  for (const p of r.path) parts.push(NESTED_BLOCKS.has(p) ? `${tfName(p)}[0]` : tfName(p));
  return parts.join(".");
}

/** An expression; `raw` values are HCL already (each.key, each.value.x). */
function expr(ctx: HclContext, v: Value, indent: string): string {
  if (isVarRef(v)) return v.index === undefined ? `var.${v.$var}` : `var.${v.$var}[${v.index}]`;
  if (isRef(v)) return refExpr(ctx, v);
  if (v && typeof v === "object" && "$raw" in v) return String((v as { $raw: string }).$raw);
  if (v === null) return "null";
  if (typeof v === "string") return quote(v);
  if (typeof v !== "object") return String(v);
  const inner = `${indent}  `;
  if (Array.isArray(v)) {
    if (!v.length) return "[]";
    const items = v.map((x) => expr(ctx, x, inner));
    const flat = `[${items.join(", ")}]`;
    return flat.length + indent.length <= 100 && !flat.includes("\n")
      ? flat
      : `[\n${items.map((i) => `${inner}${i},`).join("\n")}\n${indent}]`;
  }
  const entries = Object.entries(v).filter(([, x]) => x !== null);
  if (!entries.length) return "{}";
  const lines = entries.map(([k, x]) => [IDENT.test(k) ? k : quote(k), expr(ctx, x as Value, inner)] as const);
  return `{\n${align(
    lines.map(([k, x]) => ({ k, v: x })),
    inner,
  ).join("\n")}\n${indent}}`;
}

/** `k = v` lines with the `=` aligned over runs of one-line values, as terraform fmt does. */
export function align(items: { k: string; v: string }[], indent: string): string[] {
  const out: string[] = [];
  let run: { k: string; v: string }[] = [];
  const flush = () => {
    const w = Math.max(0, ...run.map((x) => x.k.length));
    for (const x of run) out.push(`${indent}${x.k.padEnd(w)} = ${x.v}`);
    run = [];
  };
  for (const it of items) {
    run.push(it);
    if (it.v.includes("\n")) flush();
  }
  flush();
  return out;
}

/** A heredoc for multi-line text (user data), with template sequences escaped. */
export function heredoc(text: string): string {
  let tag = "EOT";
  for (let i = 2; text.split("\n").some((l) => l.trim() === tag); i++) tag = `EOT${i}`;
  const body = text.replace(/\$\{/g, "$${").replace(/%\{/g, "%%{");
  return `<<${tag}\n${body.endsWith("\n") ? body : `${body}\n`}${tag}`;
}

/** The body of a resource, data source or nested block: arguments first, then blocks. */
function body(ctx: HclContext, config: Record<string, Value>, indent: string, meta: { k: string; v: string }[] = []) {
  const lines: string[] = [];
  if (meta.length) lines.push(...align(meta, indent), "");
  const args: { k: string; v: string }[] = [];
  const blocks: string[] = [];
  let tags: { k: string; v: string } | undefined;
  for (const [k, v] of Object.entries(config)) {
    if (v === null || v === undefined) continue;
    const name = tfName(k);
    if (k === "dependsOn") {
      // A meta-argument: first, with the others.
      lines.unshift(...align([{ k: name, v: expr(ctx, v, indent) }], indent), ...(meta.length ? [] : [""]));
      continue;
    }
    if (NESTED_BLOCKS.has(k)) {
      for (const item of Array.isArray(v) ? v : [v]) {
        blocks.push("", `${indent}${name} {`, ...body(ctx, item as Record<string, Value>, `${indent}  `), `${indent}}`);
      }
      continue;
    }
    const text =
      k === "userData" && typeof v === "string" && v.includes("\n")
        ? heredoc(v)
        : k === "ignoreChanges" && Array.isArray(v)
          ? `[${v.map((x) => tfName(String(x))).join(", ")}]`
          : expr(ctx, v, indent);
    if (k === "tags") tags = { k: name, v: text };
    else args.push({ k: name, v: text });
  }
  lines.push(...align(args, indent));
  lines.push(...blocks);
  if (tags) lines.push(...(lines.length && lines[lines.length - 1] !== "" ? [""] : []), ...align([tags], indent));
  while (lines.length && lines[0] === "") lines.shift();
  return lines;
}

function blockText(ctx: HclContext, b: Block, meta: { k: string; v: string }[], config: Record<string, Value>) {
  const label = ctx.groupOf.get(b.key)?.group.label ?? b.key;
  const head = `${b.kind} "${b.tfType}" "${label}" {`;
  const m = [...meta];
  if (b.provider) m.push({ k: "provider", v: addressOf(ctx, b.provider) });
  const lines = [head, ...body(ctx, config, "  ", m), "}"];
  return b.comment ? [`# ${b.comment}`, ...lines] : lines;
}

const field = (path: string) => (path === `tags.${ORIGIN_TAG}` ? "origin" : tfName(path.replace(/^tags\./, "")));

function setPath(config: Record<string, Value>, path: string, v: Value): Record<string, Value> {
  const [head, ...rest] = path.split(".");
  if (!rest.length) return { ...config, [head!]: v };
  return { ...config, [head!]: { ...((config[head!] as Record<string, Value>) ?? {}), [rest.join(".")]: v } };
}

function getPath(config: Record<string, Value>, path: string): Value {
  const [head, ...rest] = path.split(".");
  const v = config[head!];
  return rest.length ? ((v as Record<string, Value>)?.[rest.join(".")] ?? null) : (v ?? null);
}

export function hclFiles(plan: ExportPlan): Record<string, string> {
  const ctx: HclContext = {
    plan,
    byKey: new Map(plan.blocks.map((b) => [b.key, b])),
    groupOf: new Map(),
  };
  for (const g of plan.groups) for (const m of g.members) ctx.groupOf.set(m.block, { group: g, key: m.key });

  // providers.tf
  const prov: string[] = [
    "terraform {",
    '  required_version = ">= 1.5"',
    "",
    "  required_providers {",
    "    aws = {",
    `      source  = ${quote(PROVIDER_REQUIREMENT.source)}`,
    `      version = ${quote(PROVIDER_REQUIREMENT.version)}`,
    "    }",
    "  }",
    "}",
  ];
  for (const p of plan.providers) {
    const meta = p.alias ? [{ k: "alias", v: quote(p.alias) }] : [];
    const cfg: Record<string, Value> = { region: p.regionVar ? { $var: p.regionVar } : p.region };
    if (plan.defaultTagsVar) cfg.defaultTags = { tags: { $var: plan.defaultTagsVar } };
    prov.push("", `provider "aws" {`, ...body(ctx, cfg, "  ", meta), "}");
  }

  // variables.tf
  const vars: string[] = [];
  for (const v of plan.variables) {
    if (vars.length) vars.push("");
    const items = [
      { k: "description", v: quote(v.description) },
      { k: "type", v: v.type },
    ];
    if (v.default !== undefined) items.push({ k: "default", v: expr(ctx, v.default, "  ") });
    vars.push(`variable "${v.name}" {`, ...align(items, "  "), "}");
  }

  // main.tf: locals of the groups, then every block in dependency order.
  const main: string[] = [];
  const locals: { k: string; v: string }[] = [];
  const eachOf = new Map<string, string>();
  for (const g of plan.groups) {
    const fields = g.varying.filter((p) => p !== "tags.Name");
    if (!fields.length) {
      eachOf.set(
        g.label,
        `toset(${expr(
          ctx,
          g.members.map((m) => m.key),
          "  ",
        )})`,
      );
      continue;
    }
    const map: Record<string, Value> = {};
    for (const m of g.members) {
      const b = ctx.byKey.get(m.block)!;
      map[m.key] = Object.fromEntries(fields.map((p) => [field(p), getPath(b.config, p)]));
    }
    locals.push({ k: g.label, v: expr(ctx, map as Value, "  ") });
    eachOf.set(g.label, `local.${g.label}`);
  }
  if (locals.length) main.push("locals {", ...align(locals, "  "), "}");
  const emitted = new Set<string>();
  for (const b of plan.blocks) {
    const g = ctx.groupOf.get(b.key)?.group;
    if (g) {
      if (emitted.has(g.label)) continue;
      emitted.add(g.label);
      let config: Record<string, Value> = setPath(b.config, "tags.Name", { $raw: "each.key" } as never);
      for (const p of g.varying)
        if (p !== "tags.Name") config = setPath(config, p, { $raw: `each.value.${field(p)}` } as never);
      const text = blockText(
        ctx,
        { ...b, comment: `${g.members.length} alike instances, one per Name` },
        [{ k: "for_each", v: eachOf.get(g.label)! }],
        config,
      );
      main.push(...(main.length ? [""] : []), ...text);
      continue;
    }
    main.push(...(main.length ? [""] : []), ...blockText(ctx, b, [], b.config));
  }

  // outputs.tf: a group's members as one map output per attribute.
  const outs: string[] = [];
  const groupOutputs = new Set<string>();
  for (const o of plan.outputs) {
    const r = isRef(o.value) ? o.value : undefined;
    const g = r ? ctx.groupOf.get(r.$ref)?.group : undefined;
    let name = o.name;
    let value: string;
    let description = o.description;
    if (g && r) {
      const attr = tfName(r.path[0] ?? "id");
      name = `${g.label}_${attr === "id" ? "ids" : `${attr}s`}`;
      if (groupOutputs.has(name)) continue;
      groupOutputs.add(name);
      value = `{ for name, instance in ${g.tfType}.${g.label} : name => instance.${attr} }`;
      description = `${attr === "id" ? "IDs" : attr === "public_ip" ? "Public IPs" : attr} of the ${g.label} instances, by Name`;
    } else value = expr(ctx, o.value, "  ");
    if (outs.length) outs.push("");
    outs.push(
      `output "${name}" {`,
      ...align(
        [
          { k: "description", v: quote(description) },
          { k: "value", v: value },
        ],
        "  ",
      ),
      "}",
    );
  }

  const files: Record<string, string> = {
    "providers.tf": `${prov.join("\n")}\n`,
    "variables.tf": `${vars.join("\n")}\n`,
    "main.tf": `${main.join("\n")}\n`,
    "outputs.tf": `${outs.join("\n")}\n`,
  };
  if (plan.moved.length)
    files["moved.tf"] = `${plan.moved.map((m) => `moved {\n  from = ${m.from}\n  to   = ${m.to}\n}\n`).join("\n")}`;
  return files;
}

/** Each exported resource's HCL address, by the sandbox ID it comes from (for the next export's `moved`). */
export function hclAddresses(plan: ExportPlan): Record<string, string> {
  const ctx: HclContext = { plan, byKey: new Map(plan.blocks.map((b) => [b.key, b])), groupOf: new Map() };
  for (const g of plan.groups) for (const m of g.members) ctx.groupOf.set(m.block, { group: g, key: m.key });
  const out: Record<string, string> = {};
  for (const b of plan.blocks) if (b.origin && b.kind === "resource") out[b.origin] = addressOf(ctx, b.key);
  return out;
}

export { snake };
