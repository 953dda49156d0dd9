/**
 * Results printed as the AWS CLI prints them: `--output json` (4-space JSON), `text` (tab-separated
 * rows), `table` (boxed, titled by the operation), after an optional `--query` (JMESPath).
 */
import { search } from "@jmespath-community/jmespath";
import type { OutputFormat } from "../commands/aws-cli.ts";

export class QueryError extends Error {}

export function applyQuery(value: unknown, query: string | undefined): unknown {
  if (!query) return value;
  try {
    return search(JSON.parse(JSON.stringify(value ?? null)), query);
  } catch (e) {
    throw new QueryError(`Bad value for --query ${query}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

export function formatOutput(value: unknown, format: OutputFormat, title: string, width = 80): string[] {
  if (value === null || value === undefined) return format === "json" ? ["null"] : [];
  switch (format) {
    case "json":
      return JSON.stringify(value, null, 4).split("\n");
    case "text":
      return textLines(value);
    case "table":
      return tableLines(value, title, width);
  }
}

const isScalar = (v: unknown) => v === null || typeof v !== "object";
const scalarText = (v: unknown) =>
  v === null || v === undefined ? "None" : typeof v === "boolean" ? (v ? "True" : "False") : String(v);

/** The CLI's text output, simplified: scalars of one object or one list row on a tab-separated line. */
function textLines(value: unknown, key?: string): string[] {
  if (isScalar(value)) return [scalarText(value)];
  if (Array.isArray(value)) {
    if (value.every(isScalar)) return value.length ? [value.map(scalarText).join("\t")] : [];
    return value.flatMap((v) => textLines(v, key));
  }
  const obj = value as Record<string, unknown>;
  const scalars = Object.entries(obj).filter(([, v]) => isScalar(v));
  const nested = Object.entries(obj).filter(([, v]) => !isScalar(v));
  const lines: string[] = [];
  if (scalars.length)
    lines.push([...(key ? [key.toUpperCase()] : []), ...scalars.map(([, v]) => scalarText(v))].join("\t"));
  for (const [k, v] of nested) lines.push(...textLines(v, k));
  return lines;
}

/** Boxed tables: one per list of objects found, scalars of an object as key | value rows. */
function tableLines(value: unknown, title: string, width: number): string[] {
  const out: string[] = [];
  const box = (heading: string, header: string[] | undefined, rows: string[][]) => {
    const cols = Math.max(header?.length ?? 0, ...rows.map((r) => r.length));
    const w = new Array<number>(cols).fill(1);
    for (const r of [...(header ? [header] : []), ...rows])
      r.forEach((c, i) => {
        w[i] = Math.max(w[i]!, [...c].length);
      });
    // shrink the widest columns until the table fits
    const total = () => w.reduce((a, b) => a + b + 3, 1);
    while (total() > width && Math.max(...w) > 6) w[w.indexOf(Math.max(...w))]!--;
    if (total() - 2 < [...heading].length + 2) w[cols - 1]! += [...heading].length + 2 - (total() - 2);
    const inner = total() - 2;
    const cell = (c: string, i: number) => {
      const t = [...c].length > w[i]! ? `${[...c].slice(0, w[i]! - 1).join("")}…` : c;
      return ` ${t}${" ".repeat(w[i]! - [...t].length)} `;
    };
    out.push(`+${"-".repeat(inner)}+`);
    const h = [...heading].length > inner ? heading.slice(0, inner) : heading;
    const left = Math.floor((inner - [...h].length) / 2);
    out.push(`|${" ".repeat(left)}${h}${" ".repeat(inner - left - [...h].length)}|`);
    out.push(`+${w.map((x) => "-".repeat(x + 2)).join("+")}+`);
    if (header) {
      out.push(`|${header.map(cell).join("|")}|`);
      out.push(`+${w.map((x) => "-".repeat(x + 2)).join("+")}+`);
    }
    for (const r of rows) out.push(`|${Array.from({ length: cols }, (_, i) => cell(r[i] ?? "", i)).join("|")}|`);
    out.push(`+${w.map((x) => "-".repeat(x + 2)).join("+")}+`);
  };
  const walk = (v: unknown, heading: string) => {
    if (isScalar(v)) {
      box(heading, undefined, [[scalarText(v)]]);
      return;
    }
    if (Array.isArray(v)) {
      if (!v.length) return;
      if (v.every(isScalar)) {
        box(
          heading,
          undefined,
          v.map((x) => [scalarText(x)]),
        );
        return;
      }
      if (v.every((x) => Array.isArray(x))) {
        box(
          heading,
          undefined,
          (v as unknown[][]).map((r) => r.map(scalarText)),
        );
        return;
      }
      const objs = v.filter((x) => x && typeof x === "object" && !Array.isArray(x)) as Record<string, unknown>[];
      const keys = [...new Set(objs.flatMap((o) => Object.keys(o).filter((k) => isScalar(o[k]))))];
      if (keys.length)
        box(
          heading,
          keys,
          objs.map((o) => keys.map((k) => (o[k] === undefined ? "" : scalarText(o[k])))),
        );
      for (const o of objs) for (const [k, x] of Object.entries(o)) if (!isScalar(x)) walk(x, k);
      return;
    }
    const obj = v as Record<string, unknown>;
    const scalars = Object.entries(obj).filter(([, x]) => isScalar(x));
    if (scalars.length)
      box(
        heading,
        undefined,
        scalars.map(([k, x]) => [k, scalarText(x)]),
      );
    for (const [k, x] of Object.entries(obj)) if (!isScalar(x)) walk(x, k);
  };
  walk(value, title);
  return out;
}
