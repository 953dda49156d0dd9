/**
 * Derives data/ec2-docs.json — the inline docs completion shows — from the EC2 model's own
 * documentation as `@aws-sdk/client-ec2` ships it (the doc comments of its `dist-types/models`):
 * for every operation, the first sentence of each input member's doc, and the filter names its
 * `Filters` member documents (with the values the doc lists, e.g. architecture: i386|x86_64|arm64).
 * Run after upgrading the SDK: npx tsx apps/repl/scripts/ec2-docs.ts
 */
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { listOperations } from "@ec2sim/ec2-query";

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const sdk = dirname(require.resolve("@aws-sdk/client-ec2/package.json"));
const models = join(sdk, "dist-types", "models");
const text = readdirSync(models)
  .filter((f) => f.endsWith(".d.ts"))
  .map((f) => readFileSync(join(models, f), "utf8"))
  .join("\n");

/** The doc comment and name of each member of `export interface NAME {…}`. */
function membersOf(name: string): { member: string; doc: string }[] {
  const start = text.indexOf(`export interface ${name} {`);
  if (start < 0) return [];
  const end = text.indexOf("\n}", start);
  const body = text.slice(start, end);
  const out: { member: string; doc: string }[] = [];
  const re = /\/\*\*([\s\S]*?)\*\/\s*\n\s*(\w+)\??:/g;
  for (let m = re.exec(body); m; m = re.exec(body)) {
    const doc = m[1]!
      .split("\n")
      .map((l) => l.replace(/^\s*\*\s?/, ""))
      .filter((l) => !l.startsWith("@"))
      .join(" ");
    out.push({ member: m[2]!, doc });
  }
  return out;
}

const entities = (s: string) =>
  s
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, "&");
const plain = (html: string) =>
  entities(html.replace(/<[^>]+>/g, " "))
    .replace(/\s+/g, " ")
    .replace(/\s+([.,;:)])/g, "$1")
    .replace(/\(\s+/g, "(")
    .trim();

/** The first sentence, at most `max` characters. */
function firstSentence(html: string, max = 110): string {
  const firstPara = /<p>([\s\S]*?)<\/p>/.exec(html)?.[1] ?? html;
  const t = plain(firstPara);
  const m = /^(.+?[.!?])(\s|$)/.exec(t);
  const s = m ? m[1]! : t;
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

interface OpDocs {
  flags: Record<string, string>;
  filters?: Record<string, { doc: string; values?: string[] }>;
}

const out: Record<string, OpDocs> = {};
for (const action of listOperations()) {
  const members = membersOf(`${action}Request`);
  if (!members.length) continue;
  const op: OpDocs = { flags: {} };
  for (const { member, doc } of members) {
    op.flags[member] = firstSentence(doc);
    if (member !== "Filters" && member !== "Filter") continue;
    const filters: Record<string, { doc: string; values?: string[] }> = {};
    for (const li of doc.match(/<li>[\s\S]*?<\/li>/g) ?? []) {
      const m = /^\s*<p>\s*<code>([^<]+)<\/code>\s*-\s*([\s\S]*?)<\/p>/.exec(li.replace(/^<li>/, ""));
      if (!m) continue;
      const name = entities(m[1]!.trim());
      const desc = m[2]!;
      const choice = /\(\s*(<code>[^<]+<\/code>\s*(?:\|\s*<code>[^<]+<\/code>\s*)+)\)/.exec(desc);
      const values = choice
        ? [...choice[1]!.matchAll(/<code>([^<]+)<\/code>/g)].map((x) => entities(x[1]!).trim())
        : undefined;
      filters[name] = { doc: firstSentence(desc, 80), ...(values ? { values } : {}) };
    }
    if (Object.keys(filters).length) op.filters = filters;
  }
  out[action] = op;
}
const file = join(here, "..", "data", "ec2-docs.json");
writeFileSync(file, `${JSON.stringify(out)}\n`);
console.log(`${Object.keys(out).length} operations -> ${file}`);
