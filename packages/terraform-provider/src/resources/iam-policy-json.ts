// IAM policy JSON as hashicorp/aws writes and compares it, computed locally:
// - data "aws_iam_policy_document": the document its Go model marshals (encoding/json: field order
//   Version, Id, Statement; Sid, Effect, Action, …; single values as strings, sets sorted in reverse;
//   principal and condition maps keyed in sorted order; <, > and & escaped as \u003c, \u003e, \u0026;
//   two-space indentation for `json`, none for `minified_json`), merged with source and override
//   documents the way its Merge does;
// - equivalence of two policies (awspolicyequivalence's rules in spirit: statement order, single value
//   or one-element list, principal "*" or {"AWS": "*"}, action case do not matter), so an equivalent
//   policy read back from IAM never shows as a change.
import { stringHashcode } from "./common.ts";

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Go's encoding/json escapes these inside strings (HTML safety) where JSON.stringify does not. */
const goEscape = (text: string): string =>
  text.replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);

/** json.Marshal / json.MarshalIndent(v, "", "  ") of a value whose keys are already in Go's order. */
export const goJson = (value: unknown, indent = false): string =>
  goEscape(indent ? JSON.stringify(value, null, 2) : JSON.stringify(value));

/** Go's sort.Strings then slices.Reverse: byte order, descending. */
const reverseSorted = (l: string[]): string[] => [...l].sort((a, b) => (a < b ? 1 : a > b ? -1 : 0));

/** policyDecodeConfigStrings: one value as a string, several sorted in reverse. */
const decodeStrings = (l: string[]): string | string[] => (l.length === 1 ? l[0]! : reverseSorted(l));

interface Principal {
  type: string;
  identifiers: string | string[];
}
interface Condition {
  test: string;
  variable: string;
  values: string | string[];
}
interface Statement {
  Sid?: string;
  Effect?: string;
  Action?: unknown;
  NotAction?: unknown;
  Resource?: unknown;
  NotResource?: unknown;
  Principal?: Principal[];
  NotPrincipal?: Principal[];
  Condition?: Condition[];
}
interface PolicyDoc {
  Version?: string;
  Id?: string;
  Statement?: Statement[];
}

const sortKeys = <T>(o: Record<string, T>): Record<string, T> =>
  Object.fromEntries(
    Object.keys(o)
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
      .map((k) => [k, o[k]!]),
  );

/** iamPolicyStatementPrincipalSet.MarshalJSON. */
function marshalPrincipals(ps: Principal[]): Json {
  if (ps.length === 1 && ps[0]!.type === "*") {
    const id = ps[0]!.identifiers;
    if (id === "*" || (Array.isArray(id) && id.length === 1 && id[0] === "*")) return "*";
  }
  const raw: Record<string, string | string[]> = {};
  for (const p of ps) {
    const cur = raw[p.type];
    if (Array.isArray(p.identifiers)) {
      const base: string[] = cur === undefined ? [] : typeof cur === "string" ? [cur] : cur;
      raw[p.type] = [...base, ...reverseSorted(p.identifiers)];
    } else if (cur === undefined) raw[p.type] = p.identifiers;
    else raw[p.type] = typeof cur === "string" ? [cur, p.identifiers] : [...cur, p.identifiers];
  }
  return sortKeys(raw);
}

/** iamPolicyStatementConditionSet.MarshalJSON. */
function marshalConditions(cs: Condition[]): Json {
  const raw: Record<string, Record<string, string[]>> = {};
  for (const c of cs) {
    raw[c.test] ??= {};
    const vals = raw[c.test]![c.variable] ?? [];
    raw[c.test]![c.variable] = [...vals, ...(Array.isArray(c.values) ? c.values : [c.values])];
  }
  const out: Record<string, Json> = {};
  for (const [test, vars] of Object.entries(sortKeys(raw))) {
    const v: Record<string, Json> = {};
    for (const [name, vals] of Object.entries(sortKeys(vars))) v[name] = vals.length === 1 ? vals[0]! : vals;
    out[test] = v;
  }
  return out;
}

function marshalDoc(doc: PolicyDoc): Json {
  const out: Record<string, Json> = {};
  if (doc.Version) out.Version = doc.Version;
  if (doc.Id) out.Id = doc.Id;
  if (doc.Statement?.length) {
    out.Statement = doc.Statement.map((s) => {
      const o: Record<string, Json> = {};
      if (s.Sid) o.Sid = s.Sid;
      if (s.Effect) o.Effect = s.Effect;
      for (const k of ["Action", "NotAction", "Resource", "NotResource"] as const) {
        const v = s[k];
        // omitempty: nil, "", and empty slices are left out.
        if (v !== undefined && v !== null && v !== "" && !(Array.isArray(v) && v.length === 0)) o[k] = v as Json;
      }
      if (s.Principal?.length) o.Principal = marshalPrincipals(s.Principal);
      if (s.NotPrincipal?.length) o.NotPrincipal = marshalPrincipals(s.NotPrincipal);
      if (s.Condition?.length) o.Condition = marshalConditions(s.Condition);
      return o;
    });
  }
  return out;
}

/** A policy document JSON read into the Go model (json.Unmarshal into IAMPolicyDoc), or an error message. */
function unmarshalDoc(text: string): PolicyDoc {
  const raw = JSON.parse(text) as unknown;
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new Error("json: cannot unmarshal into Go value of type iam.IAMPolicyDoc");
  }
  const r = raw as Record<string, unknown>;
  const doc: PolicyDoc = {};
  if (typeof r.Version === "string") doc.Version = r.Version;
  if (typeof r.Id === "string") doc.Id = r.Id;
  if (r.Statement !== undefined && r.Statement !== null) {
    if (!Array.isArray(r.Statement)) {
      throw new Error(
        "json: cannot unmarshal object into Go struct field IAMPolicyDoc.Statement of type []*iam.IAMPolicyStatement",
      );
    }
    doc.Statement = r.Statement.map((x) => {
      const s = (x ?? {}) as Record<string, unknown>;
      const st: Statement = {};
      if (typeof s.Sid === "string") st.Sid = s.Sid;
      if (typeof s.Effect === "string") st.Effect = s.Effect;
      for (const k of ["Action", "NotAction", "Resource", "NotResource"] as const) if (s[k] !== undefined) st[k] = s[k];
      for (const k of ["Principal", "NotPrincipal"] as const) if (s[k] !== undefined) st[k] = readPrincipals(s[k]);
      if (s.Condition !== undefined) st.Condition = readConditions(s.Condition);
      return st;
    });
  }
  return doc;
}

function readPrincipals(v: unknown): Principal[] {
  if (typeof v === "string") return [{ type: "*", identifiers: ["*"] }];
  if (typeof v !== "object" || v === null || Array.isArray(v)) {
    throw new Error(`Unsupported data type for IAMPolicyStatementPrincipalSet`);
  }
  return Object.entries(v as Record<string, unknown>).map(([type, ids]) => {
    if (typeof ids === "string") return { type, identifiers: ids };
    if (Array.isArray(ids) && ids.every((x) => typeof x === "string")) {
      return { type, identifiers: [...(ids as string[])].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)) };
    }
    throw new Error(
      `Unsupported element type for IAMPolicyStatementPrincipalSet.Identifiers (principal type "${type}"): must be string`,
    );
  });
}

function readConditions(v: unknown): Condition[] {
  const out: Condition[] = [];
  for (const [test, vars] of Object.entries((v ?? {}) as Record<string, Record<string, unknown>>)) {
    for (const [variable, vals] of Object.entries(vars ?? {})) {
      if (typeof vals === "string") out.push({ test, variable, values: [vals] });
      else if (typeof vals === "boolean") out.push({ test, variable, values: String(vals) });
      else if (Array.isArray(vals)) out.push({ test, variable, values: vals.map((x) => String(x)) });
    }
  }
  return out;
}

/** IAMPolicyDoc.Merge: newer Id and Version win; statements with a Sid replace the one with that Sid. */
function merge(into: PolicyDoc, doc: PolicyDoc): void {
  if (doc.Id) into.Id = doc.Id;
  if ((doc.Version ?? "") > (into.Version ?? "")) into.Version = doc.Version;
  for (const st of doc.Statement ?? []) {
    into.Statement ??= [];
    if (!st.Sid) {
      into.Statement.push(st);
      continue;
    }
    const at = into.Statement.findIndex((x) => x.Sid === st.Sid);
    if (at >= 0) into.Statement[at] = st;
    else into.Statement.push(st);
  }
}

const replaceVars = (v: string | string[], version: string): string | string[] => {
  const one = (s: string) => {
    if (version === "2008-10-17" && s.includes("&{")) {
      throw new Error(`found &{ sequence in (${s}), which is not supported in document version 2008-10-17`);
    }
    return s.replaceAll("&{", "${");
  };
  return Array.isArray(v) ? v.map(one) : one(v);
};

export interface PolicyDocumentConfig {
  version?: string | null;
  policy_id?: string | null;
  source_policy_documents?: (string | null)[] | null;
  override_policy_documents?: (string | null)[] | null;
  statement?: {
    sid?: string | null;
    effect?: string | null;
    actions?: string[] | null;
    not_actions?: string[] | null;
    resources?: string[] | null;
    not_resources?: string[] | null;
    principals?: { type: string; identifiers: string[] }[] | null;
    not_principals?: { type: string; identifiers: string[] }[] | null;
    condition?: { test: string; variable: string; values: string[] }[] | null;
  }[];
}

/** data "aws_iam_policy_document": json, minified_json and the id (the hash of json). */
export function policyDocument(cfg: PolicyDocumentConfig): { json: string; minified: string; id: string } {
  const merged: PolicyDoc = {};
  const sids = new Set<string>();
  (cfg.source_policy_documents ?? []).forEach((text, i) => {
    if (text === null || text === undefined) return;
    let doc: PolicyDoc;
    try {
      doc = unmarshalDoc(text);
    } catch (e) {
      throw new Error(`writing IAM Policy Document: merging source document ${i}: ${(e as Error).message}`);
    }
    (doc.Statement ?? []).forEach((st, j) => {
      if (!st.Sid) return;
      if (sids.has(st.Sid)) {
        throw new Error(
          `writing IAM Policy Document: merging source document ${i}: duplicate Sid (${st.Sid}) in source_policy_documents (statement ${j}). Remove the Sid or ensure Sids are unique.`,
        );
      }
      sids.add(st.Sid);
    });
    merge(merged, doc);
  });
  const version = cfg.version || "2012-10-17";
  const doc: PolicyDoc = { Version: version, ...(cfg.policy_id ? { Id: cfg.policy_id } : {}) };
  const seen = new Set<string>();
  const statements: Statement[] = [];
  for (const s of cfg.statement ?? []) {
    const st: Statement = { Effect: s.effect || "Allow" };
    if (s.sid !== undefined && s.sid !== null) {
      if (seen.has(s.sid)) {
        throw new Error(
          `writing IAM Policy Document: duplicate Sid (${s.sid}). Remove the Sid or ensure the Sid is unique.`,
        );
      }
      if (s.sid) {
        seen.add(s.sid);
        st.Sid = s.sid;
      }
    }
    if (s.actions?.length) st.Action = decodeStrings(s.actions);
    if (s.not_actions?.length) st.NotAction = decodeStrings(s.not_actions);
    if (s.resources?.length) st.Resource = replaceVars(decodeStrings(s.resources), version);
    if (s.not_resources?.length) st.NotResource = replaceVars(decodeStrings(s.not_resources), version);
    const principals = (list: { type: string; identifiers: string[] }[]) =>
      list.map((p) => ({ type: p.type, identifiers: replaceVars(decodeStrings(p.identifiers ?? []), version) }));
    if (s.principals?.length) st.Principal = principals(s.principals);
    if (s.not_principals?.length) st.NotPrincipal = principals(s.not_principals);
    if (s.condition?.length) {
      st.Condition = s.condition.map((c) => {
        const values = replaceVars(c.values ?? [], version) as string[];
        return { test: c.test, variable: c.variable, values: values.length === 1 ? values[0]! : values };
      });
    }
    statements.push(st);
  }
  if (statements.length) doc.Statement = statements;
  merge(merged, doc);
  (cfg.override_policy_documents ?? []).forEach((text, i) => {
    if (text === null || text === undefined) return;
    let over: PolicyDoc;
    try {
      over = unmarshalDoc(text);
    } catch (e) {
      throw new Error(`writing IAM Policy Document: merging override document ${i}: ${(e as Error).message}`);
    }
    merge(merged, over);
  });
  const model = marshalDoc(merged);
  const json = goJson(model, true);
  return { json, minified: goJson(model), id: String(stringHashcode(json)) };
}

// ── equivalence ──────────────────────────────────────────────────────────────────────────────
const asList = (v: unknown): string[] =>
  v === undefined || v === null ? [] : Array.isArray(v) ? v.map((x) => String(x)) : [String(v)];

function canonicalStatement(s: Record<string, unknown>): Json {
  const out: Record<string, Json> = {};
  if (s.Sid) out.Sid = String(s.Sid);
  out.Effect = String(s.Effect ?? "");
  for (const k of ["Action", "NotAction"])
    if (s[k] !== undefined)
      out[k] = asList(s[k])
        .map((a) => a.toLowerCase())
        .sort();
  for (const k of ["Resource", "NotResource"]) if (s[k] !== undefined) out[k] = asList(s[k]).sort();
  for (const k of ["Principal", "NotPrincipal"]) {
    const p = s[k];
    if (p === undefined) continue;
    const map: Record<string, string[]> = typeof p === "string" ? { AWS: [p] } : {};
    if (typeof p === "object" && p !== null) for (const [t, ids] of Object.entries(p)) map[t] = asList(ids).sort();
    out[k] = sortKeys(map);
  }
  if (s.Condition !== undefined && s.Condition !== null) {
    const c: Record<string, Json> = {};
    for (const [test, vars] of Object.entries(s.Condition as Record<string, Record<string, unknown>>)) {
      const v: Record<string, Json> = {};
      for (const [name, vals] of Object.entries(vars ?? {})) v[name] = asList(vals).sort();
      c[test] = sortKeys(v);
    }
    out.Condition = sortKeys(c);
  }
  return out;
}

/** Whether two policy documents mean the same (false when either is not a JSON object). */
export function policiesEquivalent(a: string, b: string): boolean {
  const canon = (text: string): string | undefined => {
    try {
      const d = JSON.parse(text) as Record<string, unknown>;
      if (typeof d !== "object" || d === null || Array.isArray(d)) return undefined;
      const st = d.Statement === undefined ? [] : Array.isArray(d.Statement) ? d.Statement : [d.Statement];
      const statements = st.map((x) => JSON.stringify(canonicalStatement((x ?? {}) as Record<string, unknown>))).sort();
      return JSON.stringify({ Version: d.Version ?? "", Id: d.Id ?? "", Statement: statements });
    } catch {
      return undefined;
    }
  };
  const x = canon(a);
  return x !== undefined && x === canon(b);
}

/** What state keeps for a policy read back: the prior string when equivalent (no diff), else the read one. */
export const policyToSet = (prior: unknown, read: string): string =>
  typeof prior === "string" && prior !== "" && policiesEquivalent(prior, read) ? prior : read;

/** structure.NormalizeJsonString: JSON re-marshalled with sorted keys, compact (what is sent to IAM). */
export function normalizeJson(text: string): string {
  const sort = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(sort)
      : v !== null && typeof v === "object"
        ? Object.fromEntries(
            Object.keys(v)
              .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
              .map((k) => [k, sort((v as Record<string, unknown>)[k])]),
          )
        : v;
  return goJson(sort(JSON.parse(text)));
}
