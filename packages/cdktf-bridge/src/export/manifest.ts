/**
 * Safe re-export: the project keeps `.ec2sim/export.json`, the checksum of every file ec2sim
 * wrote (and the labels it chose, so addresses stay stable). Before writing, a file that differs
 * from what ec2sim last wrote (a hand edit) or that ec2sim never wrote is a conflict: the export
 * refuses, showing what it would change, unless forced.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

export const MANIFEST = ".ec2sim/export.json";

export interface Manifest {
  generator: "ec2sim export";
  sandbox: string;
  seq: number;
  format: string;
  /** File (relative to the project) -> sha256 of what ec2sim wrote. */
  files: Record<string, string>;
  /** Sandbox resource ID -> the label (construct ID) it was exported under; the next export keeps it. */
  labels: Record<string, string>;
  /** Sandbox resource ID -> its Terraform address in this format (HCL's `moved` when it changes). */
  addresses: Record<string, string>;
}

export const sha256 = (text: string | Buffer) => createHash("sha256").update(text).digest("hex");

export function readManifest(dir: string): Manifest | undefined {
  const p = join(dir, MANIFEST);
  if (!existsSync(p)) return undefined;
  try {
    const m = JSON.parse(readFileSync(p, "utf8")) as Manifest;
    return m && typeof m.files === "object"
      ? { ...m, labels: m.labels ?? {}, addresses: m.addresses ?? {} }
      : undefined;
  } catch {
    return undefined;
  }
}

export function writeManifest(dir: string, m: Manifest): void {
  const p = join(dir, MANIFEST);
  mkdirSync(dirname(p), { recursive: true });
  writeFileSync(p, `${JSON.stringify(m, null, 2)}\n`);
}

export interface Conflict {
  file: string;
  why: "edited" | "not ec2sim's";
  /** A unified diff from what is on disk to what the export would write. */
  diff: string;
}

/** Files the export would overwrite that are not as ec2sim last wrote them. */
export function conflicts(dir: string, files: Record<string, string>, previous: Manifest | undefined): Conflict[] {
  const out: Conflict[] = [];
  for (const [name, text] of Object.entries(files)) {
    const p = join(dir, name);
    if (!existsSync(p)) continue;
    const onDisk = readFileSync(p, "utf8");
    if (onDisk === text) continue;
    const known = previous?.files[name];
    if (known === sha256(onDisk)) continue;
    out.push({ file: name, why: known ? "edited" : "not ec2sim's", diff: unifiedDiff(name, onDisk, text) });
  }
  return out;
}

/** A short unified diff (3 lines of context), enough to show a person what would change. */
export function unifiedDiff(name: string, a: string, b: string, maxLines = 60): string {
  const x = a.split("\n");
  const y = b.split("\n");
  // Trim the common head and tail, then an LCS over what is left (small for a hand edit).
  let head = 0;
  while (head < x.length && head < y.length && x[head] === y[head]) head++;
  let tail = 0;
  while (tail < x.length - head && tail < y.length - head && x[x.length - 1 - tail] === y[y.length - 1 - tail]) tail++;
  const xs = x.slice(head, x.length - tail);
  const ys = y.slice(head, y.length - tail);
  const ops: [" " | "-" | "+", string][] = [];
  if (xs.length * ys.length > 4_000_000) {
    for (const l of xs) ops.push(["-", l]);
    for (const l of ys) ops.push(["+", l]);
  } else {
    const n = xs.length;
    const m = ys.length;
    const L = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
    for (let i = n - 1; i >= 0; i--)
      for (let j = m - 1; j >= 0; j--)
        L[i]![j] = xs[i] === ys[j] ? L[i + 1]![j + 1]! + 1 : Math.max(L[i + 1]![j]!, L[i]![j + 1]!);
    let i = 0;
    let j = 0;
    while (i < n || j < m) {
      if (i < n && j < m && xs[i] === ys[j]) {
        ops.push([" ", xs[i]!]);
        i++;
        j++;
      } else if (j < m && (i === n || L[i]![j + 1]! >= L[i + 1]![j]!)) ops.push(["+", ys[j++]!]);
      else ops.push(["-", xs[i++]!]);
    }
  }
  const ctx = 3;
  const before = x.slice(Math.max(0, head - ctx), head).map((l) => ` ${l}`);
  const after = x.slice(x.length - tail, x.length - tail + ctx).map((l) => ` ${l}`);
  const body = ops.map(([op, l]) => `${op}${l}`);
  const lines = [...before, ...body, ...after];
  const start = Math.max(0, head - ctx) + 1;
  const shown = lines.slice(0, maxLines);
  if (lines.length > maxLines) shown.push(`… ${lines.length - maxLines} more line(s)`);
  return [`--- ${name} (on disk)`, `+++ ${name} (export)`, `@@ -${start} +${start} @@`, ...shown].join("\n");
}
