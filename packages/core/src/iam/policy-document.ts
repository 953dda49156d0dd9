/**
 * IAM policy documents: parsed and checked as IAM checks them on the way in (JSON, Version,
 * Statement, Effect, Action, and Principal only where it belongs — a trust policy must name one, a
 * permissions policy must not), and the one piece of evaluation the sandbox needs: whether a role's
 * trust policy lets a principal call `sts:AssumeRole` (R33: EC2 assumes an instance's role only when
 * the trust policy allows `ec2.amazonaws.com`). Identity policies are stored and answered, never
 * enforced: every principal may do everything in its own account.
 */
import { Ec2Error } from "../errors.ts";

export type PolicyKind = "trust" | "identity";

interface Statement {
  Sid?: unknown;
  Effect?: unknown;
  Action?: unknown;
  NotAction?: unknown;
  Resource?: unknown;
  NotResource?: unknown;
  Principal?: unknown;
  NotPrincipal?: unknown;
  Condition?: unknown;
}

export interface PolicyDocument {
  Version?: string;
  Statement: Statement[];
}

export const malformed = (message: string): Ec2Error => new Ec2Error("MalformedPolicyDocument", message, 400);

const STATEMENT_KEYS = new Set([
  "Sid",
  "Effect",
  "Action",
  "NotAction",
  "Resource",
  "NotResource",
  "Principal",
  "NotPrincipal",
  "Condition",
]);

const strings = (v: unknown): string[] | undefined =>
  typeof v === "string" ? [v] : Array.isArray(v) && v.every((x) => typeof x === "string") ? v : undefined;

/** Parses and validates a policy document as IAM does when it is stored. */
export function parsePolicyDocument(text: string, kind: PolicyKind): PolicyDocument {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw malformed("This policy contains invalid Json");
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) throw malformed("Syntax errors in policy.");
  const doc = json as Record<string, unknown>;
  for (const k of Object.keys(doc)) {
    if (k !== "Version" && k !== "Statement" && k !== "Id") throw malformed(`Syntax errors in policy.`);
  }
  if (doc.Version !== undefined && doc.Version !== "2012-10-17" && doc.Version !== "2008-10-17") {
    throw malformed("The policy failed legacy parsing");
  }
  const raw = doc.Statement;
  if (raw === undefined) throw malformed("Syntax errors in policy.");
  const statements = (Array.isArray(raw) ? raw : [raw]) as unknown[];
  if (statements.length === 0 && kind === "identity") throw malformed("Syntax errors in policy.");
  const out: Statement[] = [];
  for (const s of statements) {
    if (typeof s !== "object" || s === null || Array.isArray(s)) throw malformed("Syntax errors in policy.");
    const st = s as Statement;
    for (const k of Object.keys(st)) if (!STATEMENT_KEYS.has(k)) throw malformed("Syntax errors in policy.");
    if (st.Effect !== "Allow" && st.Effect !== "Deny") throw malformed("Syntax errors in policy.");
    if (st.Action === undefined && st.NotAction === undefined)
      throw malformed("Policy statement must contain actions.");
    if ((st.Action !== undefined && !strings(st.Action)) || (st.NotAction !== undefined && !strings(st.NotAction))) {
      throw malformed("Syntax errors in policy.");
    }
    for (const a of strings(st.Action ?? st.NotAction) ?? []) {
      if (a !== "*" && !/^[a-zA-Z0-9-]+:[a-zA-Z0-9*?]+$/.test(a)) {
        throw malformed(`Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.`);
      }
    }
    if (kind === "trust") {
      if (st.Principal === undefined && st.NotPrincipal === undefined) {
        throw malformed("AssumeRolepolicy contained an invalid principal: Missing required field Principal");
      }
      if (st.Resource !== undefined || st.NotResource !== undefined) throw malformed("Has prohibited field Resource");
      checkPrincipal(st.Principal ?? st.NotPrincipal);
    } else {
      if (st.Principal !== undefined || st.NotPrincipal !== undefined) {
        throw malformed("Policy document should not specify a principal.");
      }
      if (st.Resource === undefined && st.NotResource === undefined) {
        throw malformed("Policy statement must contain resources.");
      }
    }
    if (st.Condition !== undefined && (typeof st.Condition !== "object" || st.Condition === null)) {
      throw malformed("Syntax errors in policy.");
    }
    out.push(st);
  }
  return { ...(typeof doc.Version === "string" ? { Version: doc.Version } : {}), Statement: out };
}

function checkPrincipal(p: unknown): void {
  if (p === "*") return;
  if (typeof p !== "object" || p === null || Array.isArray(p)) {
    throw malformed(`Invalid principal in policy: ${JSON.stringify(p)}`);
  }
  for (const [type, value] of Object.entries(p)) {
    const list = strings(value);
    if (!list || !["AWS", "Service", "Federated", "CanonicalUser"].includes(type)) {
      throw malformed(`Invalid principal in policy: "${type}":${JSON.stringify(value)}`);
    }
    for (const v of list) {
      const ok =
        type === "AWS"
          ? v === "*" || /^\d{12}$/.test(v) || /^arn:aws:(iam|sts)::\d{12}:.+$/.test(v)
          : type === "Service"
            ? /^[a-z0-9.-]+\.amazonaws\.com(\.cn)?$/.test(v) || v === "*"
            : v.length > 0;
      if (!ok) throw malformed(`Invalid principal in policy: "${type}":"${v}"`);
    }
  }
}

/** Who is asking to assume a role: a service (`ec2.amazonaws.com`) or an AWS principal. */
export type AssumingPrincipal =
  | { readonly service: string }
  | {
      readonly accountId: string;
      /** The caller's own ARNs: its root, and for a role session the role and the session. */
      readonly arns: readonly string[];
      readonly externalId?: string;
      readonly sessionName?: string;
    };

const wildcard = (pattern: string, text: string): boolean => {
  if (!/[*?]/.test(pattern)) return pattern.toLowerCase() === text.toLowerCase();
  const re = new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, "\\$&")
      .replace(/\*/g, ".*")
      .replace(/\?/g, ".")}$`,
    "i",
  );
  return re.test(text);
};

function actionMatches(st: Statement, action: string): boolean {
  if (st.Action !== undefined) return (strings(st.Action) ?? []).some((a) => wildcard(a, action));
  return !(strings(st.NotAction) ?? []).some((a) => wildcard(a, action));
}

function principalMatches(p: unknown, who: AssumingPrincipal): boolean {
  if (p === "*") return "accountId" in who;
  if (typeof p !== "object" || p === null) return false;
  const entries = p as Record<string, unknown>;
  if ("service" in who) return (strings(entries.Service) ?? []).some((s) => s === "*" || s === who.service);
  return (strings(entries.AWS) ?? []).some(
    (v) =>
      v === "*" ||
      v === who.accountId ||
      v === `arn:aws:iam::${who.accountId}:root` ||
      who.arns.some((arn) => wildcard(v, arn)),
  );
}

/**
 * Conditions the sandbox can judge: `StringEquals`/`StringLike`/`StringNotEquals` on
 * `sts:ExternalId`, `sts:RoleSessionName`, `aws:PrincipalAccount` and `aws:SourceAccount`. A
 * condition on anything else is not met (the statement does not apply), which errs on refusing.
 */
function conditionsMet(condition: unknown, who: AssumingPrincipal): boolean {
  if (condition === undefined) return true;
  const values: Record<string, string | undefined> =
    "service" in who
      ? {}
      : {
          "sts:externalid": who.externalId,
          "sts:rolesessionname": who.sessionName,
          "aws:principalaccount": who.accountId,
          "aws:sourceaccount": who.accountId,
        };
  for (const [operator, tests] of Object.entries(condition as Record<string, unknown>)) {
    if (typeof tests !== "object" || tests === null) return false;
    for (const [key, expected] of Object.entries(tests as Record<string, unknown>)) {
      const want = strings(expected) ?? [];
      const k = key.toLowerCase();
      if (!(k in values)) return false;
      const have = values[k];
      switch (operator) {
        case "StringEquals":
          if (have === undefined || !want.includes(have)) return false;
          break;
        case "StringLike":
          if (have === undefined || !want.some((w) => wildcard(w, have))) return false;
          break;
        case "StringNotEquals":
          if (have !== undefined && want.includes(have)) return false;
          break;
        default:
          return false;
      }
    }
  }
  return true;
}

/** True when the trust policy allows `who` to perform `action` (sts:AssumeRole) and denies nothing. */
export function trustAllows(documentText: string, who: AssumingPrincipal, action = "sts:AssumeRole"): boolean {
  let doc: PolicyDocument;
  try {
    doc = parsePolicyDocument(documentText, "trust");
  } catch {
    return false;
  }
  let allowed = false;
  for (const st of doc.Statement) {
    if (!actionMatches(st, action)) continue;
    const hit =
      st.Principal !== undefined ? principalMatches(st.Principal, who) : !principalMatches(st.NotPrincipal, who);
    if (!hit || !conditionsMet(st.Condition, who)) continue;
    if (st.Effect === "Deny") return false;
    allowed = true;
  }
  return allowed;
}

/** Characters of a document that count against IAM's size quotas (whitespace does not). */
export const policySize = (text: string): number => text.replace(/\s/g, "").length;

/** Documents travel URL-encoded in IAM's answers (the CLI and the SDKs decode them). */
export const encodeDocument = (text: string): string => encodeURIComponent(text);
