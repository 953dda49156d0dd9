/**
 * `.ec2simignore`: resources the diff leaves out, as driftctl's `.driftignore` does. One pattern a
 * line over a resource's address (`aws_instance.web`), `type.id` (`aws_instance.i-0abc…`) or bare
 * ID (`i-0abc…`, `sgr-*`); `*` matches any run of characters (dots included), `?` one; `#` starts a
 * comment; `!` re-includes what an earlier line left out (the last matching line wins, as in git);
 * `\#` and `\!` are literal.
 */
import { existsSync, readFileSync } from "node:fs";

export const IGNORE_FILE = ".ec2simignore";

interface Rule {
  negate: boolean;
  re: RegExp;
}

export function parseIgnore(text: string): Rule[] {
  const rules: Rule[] = [];
  for (const raw of text.split(/\r?\n/)) {
    let line = raw.trim();
    if (!line || line.startsWith("#")) continue;
    let negate = false;
    if (line.startsWith("!")) {
      negate = true;
      line = line.slice(1);
    } else if (line.startsWith("\\#") || line.startsWith("\\!")) line = line.slice(1);
    const re = new RegExp(
      `^${line
        .split("")
        .map((c) => (c === "*" ? ".*" : c === "?" ? "." : c.replace(/[.+^${}()|[\]\\]/g, "\\$&")))
        .join("")}$`,
    );
    rules.push({ negate, re });
  }
  return rules;
}

/** True when the last pattern that matches any of the names leaves the resource out. */
export function isIgnored(rules: Rule[], names: string[]): boolean {
  let ignored = false;
  for (const r of rules) if (names.some((n) => r.re.test(n))) ignored = !r.negate;
  return ignored;
}

/** The patterns of a file (none when the default file is absent; a named file must exist). */
export function readIgnoreFile(path: string | undefined, cwd: string = process.cwd()): string {
  if (path !== undefined) return readFileSync(path, "utf8");
  const p = `${cwd}/${IGNORE_FILE}`;
  return existsSync(p) ? readFileSync(p, "utf8") : "";
}
