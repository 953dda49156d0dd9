/**
 * `--output yaml`, as the AWS CLI writes it: ruamel.yaml's safe dumper (block style, keys sorted,
 * YAML 1.2 resolution deciding which strings need quotes) emitting through libyaml's emitter
 * (ruamel.yaml.clib): 2-space indents, sequences under a key not indented, empty lists and dicts
 * as `[]`/`{}`, long scalars folded past column 80, the quoting rules of libyaml's scalar
 * analysis. A top-level scalar is printed as JSON, as the CLI does.
 */
import { pyJson } from "./json.ts";
import { byCodePoint, floatRepr, isDict, PyFloat, type PyValue } from "./python.ts";

const BEST_WIDTH = 80;
const BEST_INDENT = 2;

/** YAML 1.2 implicit resolution (ruamel's VersionedResolver): would this plain text read back as something else than a string? */
const RESOLVERS: [string, RegExp][] = [
  ["tTfF", /^(?:true|True|TRUE|false|False|FALSE)$/],
  [
    "-+0123456789.",
    /^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?|[-+]?(?:[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)|[-+]?\.[0-9_]+(?:[eE][-+][0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/,
  ],
  ["-+0123456789", /^(?:[-+]?0b[0-1_]+|[-+]?0o?[0-7_]+|[-+]?[0-9_]+|[-+]?0x[0-9a-fA-F_]+)$/],
  ["<", /^(?:<<)$/],
  ["~nN", /^(?:~|null|Null|NULL|)$/],
  [
    "0123456789",
    /^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?(?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$/,
  ],
  ["=", /^(?:=)$/],
  ["!&*", /^(?:!|&|\*)$/],
];

function plainIsString(s: string): boolean {
  if (s === "") return false; // resolves to null
  for (const [first, re] of RESOLVERS) if (first.includes(s[0]!) && re.test(s.replace(/\n$/, ""))) return false;
  return true;
}

const isBreak = (c: string | undefined) =>
  c === "\n" || c === "\r" || c === "\u0085" || c === "\u2028" || c === "\u2029";
const isBlankz = (c: string | undefined) => c === undefined || c === " " || c === "\t" || c === "\0" || isBreak(c);

/** libyaml's IS_PRINTABLE (4-byte UTF-8 characters are not). */
function printable(c: string): boolean {
  const cp = c.codePointAt(0)!;
  return (
    cp === 0x0a ||
    (cp >= 0x20 && cp <= 0x7e) ||
    (cp >= 0xa0 && cp <= 0xd7ff) ||
    (cp >= 0xe000 && cp <= 0xfffd && cp !== 0xfeff)
  );
}

interface Analysis {
  empty: boolean;
  multiline: boolean;
  flowPlain: boolean;
  blockPlain: boolean;
  singleQuoted: boolean;
}

/** libyaml's yaml_emitter_analyze_scalar. */
function analyze(s: string): Analysis {
  if (!s) return { empty: true, multiline: false, flowPlain: false, blockPlain: true, singleQuoted: true };
  const ch = [...s];
  let blockInd = false;
  let flowInd = false;
  let lineBreaks = false;
  let special = false;
  let leadingSpace = false;
  let leadingBreak = false;
  let trailingSpace = false;
  let trailingBreak = false;
  let breakSpace = false;
  let spaceBreak = false;
  let previousSpace = false;
  let previousBreak = false;
  if (s.startsWith("---") || s.startsWith("...")) {
    blockInd = true;
    flowInd = true;
  }
  let precededByWs = true;
  let followedByWs = isBlankz(ch[1]);
  for (let i = 0; i < ch.length; i++) {
    const c = ch[i]!;
    if (i === 0) {
      if ("#,[]{}&*!|>'\"%@`".includes(c)) {
        flowInd = true;
        blockInd = true;
      }
      if (c === "?" || c === ":") {
        flowInd = true;
        if (followedByWs) blockInd = true;
      }
      if (c === "-" && followedByWs) {
        flowInd = true;
        blockInd = true;
      }
    } else {
      if (",?[]{}".includes(c)) flowInd = true;
      if (c === ":") {
        flowInd = true;
        if (followedByWs) blockInd = true;
      }
      if (c === "#" && precededByWs) {
        flowInd = true;
        blockInd = true;
      }
    }
    if (!printable(c)) special = true;
    if (isBreak(c)) lineBreaks = true;
    if (c === " ") {
      if (i === 0) leadingSpace = true;
      if (i === ch.length - 1) trailingSpace = true;
      if (previousBreak) breakSpace = true;
      previousSpace = true;
      previousBreak = false;
    } else if (isBreak(c)) {
      if (i === 0) leadingBreak = true;
      if (i === ch.length - 1) trailingBreak = true;
      if (previousSpace) spaceBreak = true;
      previousSpace = false;
      previousBreak = true;
    } else {
      previousSpace = false;
      previousBreak = false;
    }
    precededByWs = isBlankz(c);
    followedByWs = isBlankz(ch[i + 2]);
  }
  let flowPlain = true;
  let blockPlain = true;
  let singleQuoted = true;
  if (leadingSpace || leadingBreak || trailingSpace || trailingBreak) flowPlain = blockPlain = false;
  if (breakSpace) flowPlain = blockPlain = singleQuoted = false;
  if (spaceBreak || special) flowPlain = blockPlain = singleQuoted = false;
  if (lineBreaks) flowPlain = blockPlain = false;
  if (flowInd) flowPlain = false;
  if (blockInd) blockPlain = false;
  return { empty: false, multiline: lineBreaks, flowPlain, blockPlain, singleQuoted };
}

const ESCAPES: Record<string, string> = {
  "\0": "0",
  "\x07": "a",
  "\b": "b",
  "\t": "t",
  "\n": "n",
  "\x0b": "v",
  "\f": "f",
  "\r": "r",
  "\x1b": "e",
  '"': '"',
  "\\": "\\",
  "\u0085": "N",
  "\u00a0": "_",
  "\u2028": "L",
  "\u2029": "P",
};

/** The state of libyaml's emitter that decides line breaks and indentation. */
class Emitter {
  out = "";
  column = 0;
  indent = -1;
  whitespace = true;
  indention = true;
  private readonly indents: number[] = [];

  put(s: string): void {
    this.out += s;
    this.column += [...s].length;
  }
  putBreak(): void {
    this.out += "\n";
    this.column = 0;
  }
  increaseIndent(flow: boolean, indentless: boolean): void {
    this.indents.push(this.indent);
    if (this.indent < 0) this.indent = flow ? BEST_INDENT : 0;
    else if (!indentless) this.indent += BEST_INDENT;
  }
  popIndent(): void {
    this.indent = this.indents.pop()!;
  }
  writeIndent(): void {
    const indent = Math.max(this.indent, 0);
    if (!this.indention || this.column > indent || (this.column === indent && !this.whitespace)) this.putBreak();
    while (this.column < indent) this.put(" ");
    this.whitespace = true;
    this.indention = true;
  }
  writeIndicator(ind: string, needWhitespace: boolean, isWhitespace: boolean, isIndention: boolean): void {
    if (needWhitespace && !this.whitespace) this.put(" ");
    this.put(ind);
    this.whitespace = isWhitespace;
    this.indention = this.indention && isIndention;
  }

  node(v: PyValue, ctx: { mapping: boolean; simpleKey: boolean }): void {
    if (Array.isArray(v)) return this.sequence(v, ctx);
    if (isDict(v)) return this.mapping(v);
    this.scalar(scalarText(v), typeof v === "string" ? plainIsString(v) : true, ctx.simpleKey);
  }

  private sequence(v: PyValue[], ctx: { mapping: boolean }): void {
    if (!v.length) {
      this.writeIndicator("[", true, true, false);
      this.writeIndicator("]", false, false, false);
      return;
    }
    this.increaseIndent(false, ctx.mapping && !this.indention);
    for (const item of v) {
      this.writeIndent();
      this.writeIndicator("-", true, false, true);
      this.node(item, { mapping: false, simpleKey: false });
    }
    this.popIndent();
  }

  private mapping(v: { [key: string]: PyValue }): void {
    const keys = Object.keys(v).sort(byCodePoint);
    if (!keys.length) {
      this.writeIndicator("{", true, true, false);
      this.writeIndicator("}", false, false, false);
      return;
    }
    this.increaseIndent(false, false);
    for (const k of keys) {
      this.writeIndent();
      this.node(k, { mapping: false, simpleKey: true });
      this.writeIndicator(":", false, false, false);
      this.node(v[k]!, { mapping: true, simpleKey: false });
    }
    this.popIndent();
  }

  private scalar(text: string, plainImplicit: boolean, simpleKey: boolean): void {
    const a = analyze(text);
    let style: "plain" | "single" | "double" = "plain";
    if (simpleKey && a.multiline) style = "double";
    if (style === "plain") {
      if (!a.blockPlain) style = "single";
      if (a.empty && simpleKey) style = "single";
      if (!plainImplicit) style = "single";
    }
    if (style === "single" && !a.singleQuoted) style = "double";
    this.increaseIndent(true, false);
    const breaks = !simpleKey;
    if (style === "plain") this.plain(text, breaks);
    else if (style === "single") this.singleQuoted(text, breaks);
    else this.doubleQuoted(text, breaks);
    this.popIndent();
  }

  private plain(text: string, allowBreaks: boolean): void {
    const ch = [...text];
    if (!this.whitespace && ch.length) this.put(" ");
    let spaces = false;
    let breaks = false;
    for (let i = 0; i < ch.length; i++) {
      const c = ch[i]!;
      if (c === " ") {
        if (allowBreaks && !spaces && this.column > BEST_WIDTH && ch[i + 1] !== " ") this.writeIndent();
        else this.put(c);
        spaces = true;
      } else if (isBreak(c)) {
        if (!breaks && c === "\n") this.putBreak();
        this.putBreak();
        this.indention = true;
        breaks = true;
      } else {
        if (breaks) this.writeIndent();
        this.put(c);
        this.indention = false;
        spaces = false;
        breaks = false;
      }
    }
    this.whitespace = false;
    this.indention = false;
  }

  private singleQuoted(text: string, allowBreaks: boolean): void {
    const ch = [...text];
    this.writeIndicator("'", true, false, false);
    let spaces = false;
    let breaks = false;
    for (let i = 0; i < ch.length; i++) {
      const c = ch[i]!;
      if (c === " ") {
        if (allowBreaks && !spaces && this.column > BEST_WIDTH && i !== 0 && i !== ch.length - 1 && ch[i + 1] !== " ")
          this.writeIndent();
        else this.put(c);
        spaces = true;
      } else if (isBreak(c)) {
        if (!breaks && c === "\n") this.putBreak();
        this.putBreak();
        this.indention = true;
        breaks = true;
      } else {
        if (breaks) this.writeIndent();
        if (c === "'") this.put("'");
        this.put(c);
        this.indention = false;
        spaces = false;
        breaks = false;
      }
    }
    if (breaks) this.writeIndent();
    this.writeIndicator("'", false, false, false);
  }

  private doubleQuoted(text: string, allowBreaks: boolean): void {
    const ch = [...text];
    this.writeIndicator('"', true, false, false);
    let spaces = false;
    for (let i = 0; i < ch.length; i++) {
      const c = ch[i]!;
      if (!printable(c) || c === "\ufeff" || isBreak(c) || c === '"' || c === "\\") {
        const cp = c.codePointAt(0)!;
        const esc = ESCAPES[c] ?? (cp <= 0xff ? `x${hex(cp, 2)}` : cp <= 0xffff ? `u${hex(cp, 4)}` : `U${hex(cp, 8)}`);
        this.put(`\\${esc}`);
        spaces = false;
      } else if (c === " ") {
        if (allowBreaks && !spaces && this.column > BEST_WIDTH && i !== 0 && i !== ch.length - 1) {
          this.writeIndent();
          if (ch[i + 1] === " ") this.put("\\");
        } else this.put(c);
        spaces = true;
      } else {
        this.put(c);
        spaces = false;
      }
    }
    this.writeIndicator('"', false, false, false);
  }
}

const hex = (n: number, width: number) => n.toString(16).toUpperCase().padStart(width, "0");

function scalarText(v: PyValue): string {
  if (v === null) return "null";
  if (v === true) return "true";
  if (v === false) return "false";
  if (v instanceof PyFloat) return yamlFloat(v.value);
  if (typeof v === "number") return Number.isInteger(v) ? String(v) : yamlFloat(v);
  return v as string;
}

/** ruamel's represent_float: `.nan`, `.inf`, else repr() lower-cased. */
function yamlFloat(x: number): string {
  if (Number.isNaN(x)) return ".nan";
  if (!Number.isFinite(x)) return x > 0 ? ".inf" : "-.inf";
  return floatRepr(x).toLowerCase();
}

/** The lines `aws … --output yaml` prints. */
export function yamlLines(v: PyValue): string[] {
  if (isDict(v) && !Object.keys(v).length) return [];
  if (!Array.isArray(v) && !isDict(v)) return [pyJson(v, 0).replace(/\n/g, "")];
  const e = new Emitter();
  e.node(v, { mapping: false, simpleKey: false });
  return e.out.split("\n");
}
