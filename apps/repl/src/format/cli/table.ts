/**
 * `--output table`, as awscli's table.py and TableFormatter draw it: sections (a title, optional
 * column headers, rows) for the value's dicts and lists, nested sections indented with `|`,
 * columns scaled to the widest section, and — when that is wider than the terminal — every
 * single-row section turned into key/value rows. Widths count East Asian wide and ambiguous
 * characters as two columns, as Python's `unicodedata.east_asian_width` in "WFA" does.
 */
import { eastAsianWidthType } from "get-east-asian-width";
import { byCodePoint, isDict, type PyValue, pyRound, pyStr, truthy } from "./python.ts";

export function textWidth(text: string): number {
  let n = 0;
  for (const ch of text) {
    const t = eastAsianWidthType(ch.codePointAt(0)!);
    n += t === "wide" || t === "fullwidth" || t === "ambiguous" ? 2 : 1;
  }
  return n;
}

class Section {
  title = "";
  headers: string[] = [];
  rows: string[][] = [];
  indent = 0;
  private cols: number | undefined;
  private maxWidths: number[] = [];

  columnWidths(padding = 0, maxWidth?: number): number[] {
    const unscaled = this.maxWidths.map((w) => w + padding);
    if (maxWidth === undefined || !unscaled.length) return unscaled;
    const factor = maxWidth / unscaled.reduce((a, b) => a + b, 0);
    const scaled = unscaled.map((w) => pyRound(factor * w));
    let off = scaled.reduce((a, b) => a + b, 0) - maxWidth;
    while (off !== 0) {
      const order = [...scaled.keys()];
      if (off < 0) order.reverse();
      for (const i of order) {
        if (off > 0) {
          scaled[i]!--;
          off--;
        } else {
          scaled[i]!++;
          off++;
        }
        if (off === 0) break;
      }
    }
    return scaled;
  }

  totalWidth(padding = 0, border = false, outer = 0): number {
    let total = 0;
    for (const w of this.columnWidths()) total += w + padding;
    if (border) total += 2;
    total += 2 * outer;
    return Math.max(textWidth(this.title) + 2 + 2 * outer, total);
  }

  addHeader(headers: string[]): void {
    this.updateWidths(headers);
    this.cols ??= headers.length;
    this.headers = headers;
  }

  addRow(row: PyValue[]): void {
    this.cols ??= row.length;
    if (row.length !== this.cols)
      throw new Error(`Row should have ${this.cols} elements, instead it has ${row.length}`);
    const cells = row.map(pyStr);
    this.rows.push(cells);
    this.updateWidths(cells);
  }

  private updateWidths(row: string[]): void {
    if (!this.maxWidths.length) this.maxWidths = row.map(textWidth);
    else for (const [i, el] of row.entries()) this.maxWidths[i] = Math.max(textWidth(el), this.maxWidths[i] ?? 0);
  }
}

function centerText(text: string, length: number, left = "|", right = "|"): string {
  const tl = textWidth(text);
  const start = Math.floor(length / 2) - Math.floor(tl / 2) - 1;
  const soFar = textWidth(left) + start + tl;
  return `${left}${" ".repeat(Math.max(0, start))}${text}${" ".repeat(Math.max(0, length - textWidth(right) - soFar))}${right}`;
}

function alignLeft(text: string, length: number, left = "|", right = "|"): string {
  const tl = textWidth(text);
  const padding = length - (tl + 2 + textWidth(left) + textWidth(right)) >= 0 ? 2 : 0;
  const soFar = left.length + padding + tl;
  return `${left}${" ".repeat(padding)}${text}${" ".repeat(Math.max(0, length - soFar - right.length))}${right}`;
}

class MultiTable {
  sections: Section[] = [];
  private current: Section | undefined;
  constructor(private readonly terminalWidth: number) {}

  newSection(title: string, indent = 0): void {
    this.current = new Section();
    this.current.title = title;
    this.current.indent = indent;
    this.sections.push(this.current);
  }
  addRowHeader(headers: string[]): void {
    this.current!.addHeader(headers);
  }
  addRow(row: PyValue[]): void {
    this.current!.addRow(row);
  }

  render(): string[] {
    let max = this.maxWidth();
    if (max > this.terminalWidth) {
      this.sections = this.sections.map((s) => {
        if (s.rows.length !== 1 || !s.headers.length) return s;
        const v = new Section();
        v.title = s.title;
        v.indent = s.indent;
        for (const [i, h] of s.headers.entries()) v.addRow([h, s.rows[0]![i] ?? ""]);
        return v;
      });
      max = this.maxWidth();
    }
    const out: string[] = ["-".repeat(max)];
    for (const s of this.sections) this.renderSection(s, max, out);
    return out;
  }

  private maxWidth(): number {
    return Math.max(...this.sections.map((s) => s.totalWidth(4, true, s.indent)));
  }

  private renderSection(s: Section, maxWidth: number, out: string[]): void {
    const edge = "|".repeat(s.indent);
    const write = (line: string) => out.push(`${edge}${line}${edge}`);
    const width = maxWidth - s.indent * 2;
    if (s.title) {
      write(centerText(s.title, width));
      if (!s.headers.length && !s.rows.length) write(`+${"-".repeat(width - 2)}+`);
    }
    if (s.headers.length) {
      const widths = s.columnWidths(4, width);
      write(lineBreak(widths));
      write(s.headers.map((h, i) => centerText(h, widths[i] ?? 0, i === 0 ? "|" : "", "|")).join(""));
    }
    if (s.rows.length) {
      const widths = s.columnWidths(4, width);
      if (!widths.length) return;
      write(lineBreak(widths));
      for (const row of s.rows)
        write(
          widths
            .slice(0, row.length)
            .map((w, i) => alignLeft(row[i]!, w, i === 0 ? "|" : "", "|"))
            .join(""),
        );
      write(lineBreak(widths));
    }
  }
}

function lineBreak(widths: number[]): string {
  return widths.map((w, i) => (i === 0 ? `+${"-".repeat(w - 2)}+` : `${"-".repeat(w - 1)}+`)).join("");
}

const isScalar = (v: PyValue | undefined): boolean => v === undefined || (!Array.isArray(v) && !isDict(v));

function scalarKeys(d: { [key: string]: PyValue }): { headers: string[]; more: string[] } {
  const headers: string[] = [];
  const more: string[] = [];
  for (const [k, v] of Object.entries(d)) (isScalar(v) ? headers : more).push(k);
  return { headers: headers.sort(byCodePoint), more: more.sort(byCodePoint) };
}

/** The lines `aws … --output table` prints for `value` (nothing when it is falsy), for a terminal `width` wide. */
export function tableLines(value: PyValue, title: string, width = 80): string[] {
  const table = new MultiTable(width);
  const build = (t: string | undefined, current: PyValue, indent = 0): boolean => {
    if (!truthy(current)) return false;
    if (t !== undefined) table.newSection(t, indent);
    if (Array.isArray(current)) {
      if (isDict(current[0])) fromList(current as { [key: string]: PyValue }[], indent, t);
      else
        for (const item of current) {
          // Python iterates a dict's keys: a dict item becomes a row of its keys
          if (isScalar(item)) table.addRow([item]);
          else if (isDict(item)) table.addRow(Object.keys(item));
          else if ((item as PyValue[]).every(isScalar)) table.addRow(item as PyValue[]);
          else build(undefined, item);
        }
    }
    if (isDict(current)) fromDict(current, indent);
    return true;
  };
  const fromDict = (d: { [key: string]: PyValue }, indent: number) => {
    const { headers, more } = scalarKeys(d);
    if (headers.length === 1) table.addRow([headers[0]!, d[headers[0]!]!]);
    else if (headers.length) {
      table.addRowHeader(headers);
      table.addRow(headers.map((k) => d[k]!));
    }
    for (const k of more) build(k, d[k]!, indent + 1);
  };
  const fromList = (list: { [key: string]: PyValue }[], indent: number, t: string | undefined) => {
    const headerSet = new Set<string>();
    const moreSet = new Set<string>();
    for (const el of list) {
      if (!isDict(el)) continue;
      const { headers, more } = scalarKeys(el);
      for (const h of headers) headerSet.add(h);
      for (const m of more) moreSet.add(m);
    }
    const headers = [...headerSet].sort(byCodePoint);
    const more = [...moreSet].sort(byCodePoint);
    table.addRowHeader(headers);
    let first = true;
    for (const el of list) {
      if (!first && more.length) {
        table.newSection(t ?? "", indent);
        table.addRowHeader(headers);
      }
      first = false;
      const d = isDict(el) ? el : {};
      table.addRow(headers.map((h) => (h in d ? d[h]! : "")));
      for (const m of more) if (m in d) build(m, d[m]!, indent + 1);
    }
  };
  if (!build(title, value)) return [];
  return table.render();
}
