/**
 * `--output text`, as awscli's text.py writes it: a dict's scalars on one tab-separated line in
 * sorted key order (under a list of dicts: the union of their scalar keys, '' where missing), its
 * lists and dicts below, each headed by its key in upper case; scalar lists on one line.
 */
import { byCodePoint, isDict, type PyValue, pyStr } from "./python.ts";

const isScalar = (v: PyValue): boolean => !Array.isArray(v) && !isDict(v);

export function textLines(v: PyValue): string[] {
  const out: string[] = [];
  item(v, out, undefined, undefined);
  return out;
}

function item(v: PyValue, out: string[], identifier: string | undefined, scalarKeys: string[] | undefined): void {
  if (isDict(v)) dict(v, out, identifier, scalarKeys);
  else if (Array.isArray(v)) list(v, out, identifier);
  else out.push(pyStr(v));
}

function list(v: PyValue[], out: string[], identifier: string | undefined): void {
  if (!v.length) return;
  if (v.some(isDict)) {
    const keys = allScalarKeys(v);
    for (const el of v) item(el, out, identifier, keys);
  } else if (v.some(Array.isArray)) {
    const scalars = v.filter((x) => !Array.isArray(x) && !isDict(x));
    if (scalars.length) scalarList(scalars, out, identifier);
    for (const x of v) if (Array.isArray(x) || isDict(x)) item(x, out, identifier, undefined);
  } else scalarList(v, out, identifier);
}

function scalarList(v: PyValue[], out: string[], identifier: string | undefined): void {
  if (identifier !== undefined) for (const x of v) out.push(`${identifier.toUpperCase()}\t${pyStr(x)}`);
  else out.push(v.map(pyStr).join("\t"));
}

function dict(
  v: { [key: string]: PyValue },
  out: string[],
  identifier: string | undefined,
  scalarKeys: string[] | undefined,
): void {
  const scalars: string[] = [];
  const nested: [string, PyValue][] = [];
  if (scalarKeys === undefined) {
    for (const k of Object.keys(v).sort(byCodePoint)) {
      if (isScalar(v[k]!)) scalars.push(pyStr(v[k]!));
      else nested.push([k, v[k]!]);
    }
  } else {
    for (const k of scalarKeys) scalars.push(k in v ? pyStr(v[k]!) : "");
    const rest = Object.keys(v)
      .filter((k) => !scalarKeys.includes(k))
      .sort(byCodePoint);
    for (const k of rest) nested.push([k, v[k]!]);
  }
  if (scalars.length) {
    if (identifier !== undefined) scalars.unshift(identifier.toUpperCase());
    out.push(scalars.join("\t"));
  }
  for (const [k, x] of nested) item(x, out, k, undefined);
}

function allScalarKeys(v: PyValue[]): string[] {
  const keys = new Set<string>();
  for (const d of v) if (isDict(d)) for (const [k, x] of Object.entries(d)) if (isScalar(x)) keys.add(k);
  return [...keys].sort(byCodePoint);
}
