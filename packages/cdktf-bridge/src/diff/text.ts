/**
 * A diff as `terraform plan` prints it: `+`/`~`/`-`/`-/+` per resource, attributes aligned,
 * maps as `tags = { "k" = v }` blocks with their own markers, lists of values one a line, nested
 * blocks (`root_block_device { … }`) after the attributes, unchanged attributes, elements and blocks
 * hidden behind a count (`id`, `name` and `tags` always shown, as terraform does), `# forces
 * replacement`, `(known after apply)`; then `Plan: X to add, Y to change, Z to destroy.` Then
 * ec2sim's additions: what is unmanaged, and the coverage. Colour on a TTY.
 */
import { isEmptyValue, sameValue } from "./shape.ts";
import type { DiffResult, PlanObject, PlanValue, ResourceChange } from "./types.ts";

export interface RenderOptions {
  color?: boolean;
  /** Leave unmanaged resources out (the coverage is still given). */
  onlyManaged?: boolean;
}

type Colors = Record<"green" | "yellow" | "red" | "bold" | "dim" | "off", string>;
type Mark = "+" | "-" | "~" | " ";

const ALWAYS_SHOWN = new Set(["id", "name", "tags"]);
const UNKNOWN = Symbol("unknown");
/** An unknown element of a list, among known ones. */
const UNKNOWN_ELEMENT = "\u0000(known after apply)";
type Cell = PlanValue | typeof UNKNOWN | undefined;

export function renderPlan(d: DiffResult, opts: RenderOptions = {}): string {
  const c: Colors = opts.color
    ? { green: "\x1b[32m", yellow: "\x1b[33m", red: "\x1b[31m", bold: "\x1b[1m", dim: "\x1b[2m", off: "\x1b[0m" }
    : { green: "", yellow: "", red: "", bold: "", dim: "", off: "" };
  const lines: string[] = [];
  lines.push(`${c.dim}Comparing ${d.to} (what exists) with ${d.from} (what is wanted).${c.off}`, "");
  const acting = d.changes.filter((x) => x.action !== "no-op");
  if (!acting.length) {
    lines.push(
      `${c.green}${c.bold}No changes.${c.off}${c.bold} ${d.to} matches ${d.from} (${d.unchanged} resources).${c.off}`,
    );
  } else {
    lines.push("Resource actions are indicated with the following symbols:");
    const used = new Set(acting.map((x) => x.action));
    if (used.has("create")) lines.push(`  ${c.green}+${c.off} create`);
    if (used.has("update")) lines.push(`  ${c.yellow}~${c.off} update in-place`);
    if (used.has("delete")) lines.push(`  ${c.red}-${c.off} destroy`);
    if (used.has("replace")) lines.push(`${c.red}-${c.off}/${c.green}+${c.off} destroy and then create replacement`);
    lines.push("", "Terraform would perform the following actions:", "");
    for (const ch of acting) lines.push(...renderChange(ch, d, c), "");
    const s = d.summary;
    lines.push(`${c.bold}Plan:${c.off} ${s.add} to add, ${s.change} to change, ${s.destroy} to destroy.`);
  }
  if (d.unmanaged.length && !opts.onlyManaged) {
    lines.push(
      "",
      `${c.bold}Unmanaged:${c.off} ${d.unmanaged.length} resource(s) in ${d.to} that ${d.from} does not describe (left alone; list them in .ec2simignore, or use --only-managed):`,
    );
    const width = Math.max(...d.unmanaged.map((u) => u.address.length));
    for (const u of d.unmanaged) lines.push(`  ${u.address.padEnd(width)}  ${c.dim}${u.id} (${u.region})${c.off}`);
  }
  const cov = d.coverage;
  lines.push(
    "",
    `Coverage: ${cov.percent}% of ${d.to} is managed by ${d.from} (${cov.managed} of ${cov.managed + cov.unmanaged} resources${d.ignored ? `; ${d.ignored} ignored` : ""}).`,
  );
  for (const w of d.warnings) lines.push(`${c.yellow}Warning:${c.off} ${w}`);
  return `${lines.join("\n")}\n`;
}

function renderChange(ch: ResourceChange, d: DiffResult, c: Colors): string[] {
  const type = ch.type;
  const out: string[] = [];
  const head = `  ${c.bold}# ${ch.address}${c.off}`;
  const where =
    ch.toId && ch.fromId
      ? `  ${c.dim}# (${ch.toId} in ${d.to}, ${ch.fromId} in ${d.from}; paired by ${ch.matchedBy}; ${ch.region})${c.off}`
      : ch.fromId
        ? `  ${c.dim}# (${ch.fromId} in ${d.from}; ${ch.region})${c.off}`
        : `  ${c.dim}# (${ch.toId} in ${d.to}; ${ch.region})${c.off}`;
  const before = ch.before ?? {};
  const after = ch.after ?? {};
  const unknown = new Set(Object.keys(ch.afterUnknown));
  const afterCell = (k: string): Cell => {
    const u = ch.afterUnknown[k];
    if (u === true) return UNKNOWN;
    if (Array.isArray(u) && Array.isArray(after[k]))
      return (after[k] as PlanValue[]).map((v, i) => (u[i] ? UNKNOWN_ELEMENT : v));
    return after[k];
  };
  switch (ch.action) {
    case "create":
      out.push(`${head} will be created`, where, `  ${c.green}+${c.off} resource "${type}" "${ch.name}" {`);
      out.push(...body(Object.fromEntries(keysOf(after, unknown).map((k) => [k, [undefined, afterCell(k)]])), "+", c));
      break;
    case "delete":
      out.push(
        `${head} will be ${c.red}${c.bold}destroyed${c.off}`,
        `  # (because ${ch.address} is not in ${d.from})`,
        where,
        `  ${c.red}-${c.off} resource "${type}" "${ch.name}" {`,
      );
      out.push(...body(Object.fromEntries(Object.keys(before).map((k) => [k, [before[k], undefined]])), "-", c));
      break;
    case "update":
    case "replace": {
      out.push(
        ch.action === "update"
          ? `${head} will be updated in-place`
          : `${head} must be ${c.red}${c.bold}replaced${c.off}`,
        where,
        ch.action === "update"
          ? `  ${c.yellow}~${c.off} resource "${type}" "${ch.name}" {`
          : `${c.red}-${c.off}/${c.green}+${c.off} resource "${type}" "${ch.name}" {`,
      );
      const keys = [...new Set([...Object.keys(before), ...keysOf(after, unknown)])];
      out.push(
        ...body(Object.fromEntries(keys.map((k) => [k, [before[k], afterCell(k)]])), "~", c, new Set(ch.replacePaths)),
      );
      break;
    }
  }
  out.push("    }");
  return out;
}

const keysOf = (o: PlanObject, unknown: Set<string>) => [...new Set([...Object.keys(o), ...unknown])];
const isBlockList = (v: Cell) =>
  Array.isArray(v) && v.length > 0 && v.every((x) => x !== null && typeof x === "object" && !Array.isArray(x));
const isMap = (v: Cell) => v !== null && typeof v === "object" && !Array.isArray(v);

/** The attributes and blocks of one resource (or block), at 6 spaces + depth. */
function body(
  cells: Record<string, [Cell, Cell]>,
  mode: "+" | "-" | "~",
  c: Colors,
  forces: Set<string> = new Set(),
  indent = "      ",
): string[] {
  const out: string[] = [];
  const names = Object.keys(cells).sort();
  const attrs = names.filter((k) => !isBlockList(cells[k]![0]) && !isBlockList(cells[k]![1]));
  const blocks = names.filter((k) => isBlockList(cells[k]![0]) || isBlockList(cells[k]![1]));
  const changed = (k: string) => {
    const [a, b] = cells[k]!;
    return (
      b === UNKNOWN || (Array.isArray(b) && b.includes(UNKNOWN_ELEMENT)) || !sameValue(a as PlanValue, b as PlanValue)
    );
  };
  const present = (v: Cell) => v === UNKNOWN || !isEmptyValue(v as PlanValue);
  const shownAttrs = attrs.filter((k) => {
    const [a, b] = cells[k]!;
    if (mode === "+") return present(b);
    if (mode === "-") return present(a);
    return changed(k) || (ALWAYS_SHOWN.has(k) && present(a));
  });
  const width = Math.max(0, ...shownAttrs.map((k) => k.length));
  let hidden = 0;
  for (const k of attrs) if (!shownAttrs.includes(k) && mode === "~" && present(cells[k]![0])) hidden++;
  for (const k of shownAttrs) {
    const [a, b] = cells[k]!;
    const mark: Mark = mode !== "~" ? mode : !changed(k) ? " " : !present(a) ? "+" : !present(b) ? "-" : "~";
    const force = forces.has(k) ? ` ${c.red}# forces replacement${c.off}` : "";
    out.push(...attrLines(indent, k.padEnd(width), mark, a, b, c, force));
  }
  if (hidden) out.push(`${indent}  # (${hidden} unchanged attribute${hidden === 1 ? "" : "s"} hidden)`);
  let hiddenBlocks = 0;
  for (const k of blocks) {
    const [a, b] = cells[k]!;
    const as = (Array.isArray(a) ? a : []) as PlanObject[];
    const bs = b === UNKNOWN ? [] : ((Array.isArray(b) ? b : []) as PlanObject[]);
    for (let i = 0; i < Math.max(as.length, bs.length); i++) {
      const x = as[i];
      const y = bs[i];
      const m: "+" | "-" | "~" = mode !== "~" ? mode : !x ? "+" : !y ? "-" : "~";
      if (m === "~" && sameValue(x ?? null, y ?? null)) {
        hiddenBlocks++;
        continue;
      }
      const inner = Object.fromEntries(
        [...new Set([...Object.keys(x ?? {}), ...Object.keys(y ?? {})])].map((f) => [
          f,
          [x?.[f], y?.[f]] as [Cell, Cell],
        ]),
      );
      const mk = m === "~" ? `${c.yellow}~${c.off}` : m === "+" ? `${c.green}+${c.off}` : `${c.red}-${c.off}`;
      const f = forces.has(k) ? ` ${c.red}# forces replacement${c.off}` : "";
      out.push("", `${indent}${mk} ${k} {${f}`, ...body(inner, m, c, new Set(), `${indent}    `), `${indent}  }`);
    }
  }
  if (hiddenBlocks)
    out.push("", `${indent}  # (${hiddenBlocks} unchanged block${hiddenBlocks === 1 ? "" : "s"} hidden)`);
  return out;
}

const scalar = (v: Cell): string =>
  v === UNKNOWN
    ? "(known after apply)"
    : v === undefined || v === null
      ? "null"
      : typeof v === "string"
        ? JSON.stringify(v)
        : String(v);

function markOf(m: Mark, c: Colors): string {
  return m === "+" ? `${c.green}+${c.off}` : m === "-" ? `${c.red}-${c.off}` : m === "~" ? `${c.yellow}~${c.off}` : " ";
}

/** One attribute: a scalar on its line, a map or list spread over lines with per-element markers. */
function attrLines(indent: string, name: string, m: Mark, a: Cell, b: Cell, c: Colors, force: string): string[] {
  const mk = markOf(m, c);
  const complex = (v: Cell) => isMap(v) || Array.isArray(v);
  if (b === UNKNOWN || (!complex(a) && !complex(b))) {
    const text =
      m === "+"
        ? scalar(b)
        : m === "-"
          ? `${scalar(a)} -> null`
          : m === " "
            ? scalar(a)
            : `${scalar(a)} -> ${scalar(b)}`;
    return [`${indent}${mk} ${name} = ${text}${force}`];
  }
  const tail = m === "-" ? " -> null" : "";
  if (isMap(a) || isMap(b)) {
    const x = (isMap(a) ? a : {}) as PlanObject;
    const y = (isMap(b) ? b : {}) as PlanObject;
    const keys = [...new Set([...Object.keys(x), ...Object.keys(y)])].sort();
    const rows: [Mark, string, Cell, Cell][] = [];
    let same = 0;
    for (const k of keys) {
      const has = { a: k in x && !isEmptyValue(x[k]), b: k in y && !isEmptyValue(y[k]) };
      if (m === "+" || (has.b && !has.a)) rows.push(["+", k, undefined, y[k]]);
      else if (m === "-" || (has.a && !has.b)) rows.push(["-", k, x[k], undefined]);
      else if (!sameValue(x[k], y[k])) rows.push(["~", k, x[k], y[k]]);
      else same++;
    }
    const w = Math.max(0, ...rows.map((r) => JSON.stringify(r[1]).length));
    const out = [`${indent}${mk} ${name} = {${m === "~" || m === " " ? force : ""}`];
    for (const [rm, k, ra, rb] of rows) {
      const key = JSON.stringify(k).padEnd(w);
      const v = rm === "+" ? scalar(rb) : rm === "-" ? `${scalar(ra)} -> null` : `${scalar(ra)} -> ${scalar(rb)}`;
      out.push(`${indent}    ${markOf(rm, c)} ${key} = ${v}`);
    }
    if (same) out.push(`${indent}      # (${same} unchanged element${same === 1 ? "" : "s"} hidden)`);
    out.push(`${indent}  }${tail}${m === "+" || m === "-" ? force : ""}`);
    return out;
  }
  // A list (or set) of values.
  const x = (Array.isArray(a) ? a : []) as PlanValue[];
  const y = (Array.isArray(b) ? b : []) as PlanValue[];
  const xs = new Set(x.map((v) => JSON.stringify(v)));
  const ys = new Set(y.map((v) => JSON.stringify(v)));
  const out = [`${indent}${mk} ${name} = [${m === "~" ? force : ""}`];
  let same = 0;
  for (const v of [...new Set([...xs, ...ys])].sort()) {
    const rm: Mark = m === "+" ? "+" : m === "-" ? "-" : !xs.has(v) ? "+" : !ys.has(v) ? "-" : " ";
    if (rm === " " && m === "~") {
      same++;
      continue;
    }
    out.push(`${indent}    ${markOf(rm, c)} ${v === JSON.stringify(UNKNOWN_ELEMENT) ? "(known after apply)" : v},`);
  }
  if (same) out.push(`${indent}      # (${same} unchanged element${same === 1 ? "" : "s"} hidden)`);
  out.push(`${indent}  ]${tail}${m !== "~" ? force : ""}`);
  return out;
}
