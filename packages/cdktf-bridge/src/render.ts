/**
 * A diff as `terraform plan` prints it: `+ create`, `~ update in-place` with `attr: old -> new`,
 * `-/+ replace`, `- destroy`, then `Plan: X to add, Y to change, Z to destroy.` Colour on a TTY.
 */

import type { Change, DiffResult } from "./diff.ts";
import type { AttrValue } from "./inventory.ts";

export interface RenderOptions {
  color?: boolean;
}

const fmt = (v: AttrValue): string =>
  v === null
    ? "null"
    : Array.isArray(v)
      ? `[${v.map((x) => fmt(x)).join(", ")}]`
      : typeof v === "string"
        ? JSON.stringify(v)
        : String(v);

export function renderPlan(d: DiffResult, opts: RenderOptions = {}): string {
  const c = opts.color
    ? { green: "\x1b[32m", yellow: "\x1b[33m", red: "\x1b[31m", bold: "\x1b[1m", dim: "\x1b[2m", off: "\x1b[0m" }
    : { green: "", yellow: "", red: "", bold: "", dim: "", off: "" };
  const lines: string[] = [];
  lines.push(`${c.dim}Comparing ${d.to} (what exists) with ${d.from} (what is wanted).${c.off}`, "");
  if (!d.changes.length) {
    lines.push(
      `${c.green}${c.bold}No changes.${c.off}${c.bold} ${d.to} matches ${d.from} (${d.unchanged} resources).${c.off}`,
    );
    for (const w of d.warnings) lines.push(`${c.yellow}Warning:${c.off} ${w}`);
    return `${lines.join("\n")}\n`;
  }
  lines.push("Resource actions are indicated with the following symbols:");
  const used = new Set(d.changes.map((x) => x.action));
  if (used.has("create")) lines.push(`  ${c.green}+${c.off} create`);
  if (used.has("update")) lines.push(`  ${c.yellow}~${c.off} update in-place`);
  if (used.has("delete")) lines.push(`  ${c.red}-${c.off} destroy`);
  if (used.has("replace")) lines.push(`${c.red}-${c.off}/${c.green}+${c.off} destroy and then create replacement`);
  lines.push("", "Terraform would perform the following actions:", "");
  for (const ch of d.changes) lines.push(...renderChange(ch, c), "");
  const s = d.summary;
  lines.push(`${c.bold}Plan:${c.off} ${s.add} to add, ${s.change} to change, ${s.destroy} to destroy.`);
  for (const w of d.warnings) lines.push(`${c.yellow}Warning:${c.off} ${w}`);
  return `${lines.join("\n")}\n`;
}

function renderChange(ch: Change, c: Record<string, string>): string[] {
  const [type, ...rest] = ch.address.split(".");
  const name = rest.join(".");
  const out: string[] = [];
  const where = `${c.dim}(${ch.region}${ch.toId ? `, ${ch.toId}` : ""}${ch.fromId && ch.toId ? ` <- ${ch.fromId}` : ch.fromId ? `, from ${ch.fromId}` : ""})${c.off}`;
  const width = Math.max(...ch.attributes.map((a) => a.name.length), 2);
  const pad = (s: string) => s.padEnd(width);
  switch (ch.action) {
    case "create":
      out.push(
        `  ${c.bold}# ${ch.address}${c.off} will be created ${where}`,
        `  ${c.green}+${c.off} resource "${type}" "${name}" {`,
      );
      for (const a of ch.attributes)
        if (a.new !== null && !(Array.isArray(a.new) && !a.new.length))
          out.push(`      ${c.green}+${c.off} ${pad(a.name)} = ${fmt(a.new)}`);
      out.push("    }");
      break;
    case "delete":
      out.push(
        `  ${c.bold}# ${ch.address}${c.off} will be ${c.red}${c.bold}destroyed${c.off} ${where}`,
        `  ${c.red}-${c.off} resource "${type}" "${name}" {`,
      );
      for (const a of ch.attributes)
        if (a.old !== null && !(Array.isArray(a.old) && !a.old.length))
          out.push(`      ${c.red}-${c.off} ${pad(a.name)} = ${fmt(a.old)} -> null`);
      out.push("    }");
      break;
    case "update":
      out.push(
        `  ${c.bold}# ${ch.address}${c.off} will be updated in-place ${where}`,
        `  ${c.yellow}~${c.off} resource "${type}" "${name}" {`,
      );
      for (const a of ch.attributes)
        out.push(`      ${sym(a.old, a.new, c)} ${pad(a.name)} = ${fmt(a.old)} -> ${fmt(a.new)}`);
      out.push("    }");
      break;
    case "replace":
      out.push(
        `  ${c.bold}# ${ch.address}${c.off} must be ${c.red}${c.bold}replaced${c.off} ${where}`,
        `${c.red}-${c.off}/${c.green}+${c.off} resource "${type}" "${name}" {`,
      );
      for (const a of ch.attributes)
        out.push(
          `      ${sym(a.old, a.new, c)} ${pad(a.name)} = ${fmt(a.old)} -> ${fmt(a.new)}${a.forceNew ? ` ${c.red}# forces replacement${c.off}` : ""}`,
        );
      out.push("    }");
      break;
  }
  return out;
}

function sym(old: AttrValue, nw: AttrValue, c: Record<string, string>): string {
  if (old === null) return `${c.green}+${c.off}`;
  if (nw === null) return `${c.red}-${c.off}`;
  return `${c.yellow}~${c.off}`;
}

export function diffJson(d: DiffResult): string {
  return `${JSON.stringify(
    {
      from: d.from,
      to: d.to,
      changes: d.changes.map((x) => ({
        action: x.action,
        address: x.address,
        type: x.type,
        region: x.region,
        from_id: x.fromId ?? null,
        to_id: x.toId ?? null,
        matched_by: x.matchedBy ?? null,
        attributes: x.attributes.map((a) => ({ name: a.name, old: a.old, new: a.new, force_new: a.forceNew })),
      })),
      summary: d.summary,
      unchanged: d.unchanged,
      warnings: d.warnings,
    },
    null,
    2,
  )}\n`;
}
