/**
 * IAM's entities, per account (IAM is global: one set per account, whatever the region): roles
 * with their trust policy, inline policies and attached managed policies; instance profiles (one
 * role each, R33); customer managed policies with their versions. Names are unique without regard
 * to case, as in IAM, so the maps are keyed by the lower-cased name.
 */
import type { Tags } from "../model.ts";
import type { SandboxState } from "../state.ts";

export interface Role {
  roleName: string;
  roleId: string;
  path: string;
  /** The trust policy as it was given (IAM answers it URL-encoded). */
  assumeRolePolicyDocument: string;
  description?: string;
  maxSessionDuration: number;
  permissionsBoundary?: string;
  createDate: number;
  tags: Tags;
  /** Inline policies by name (case kept), in the order they were put. */
  inlinePolicies: Map<string, string>;
  /** ARNs of attached managed policies (the account's and AWS's), in attachment order. */
  attachedPolicies: string[];
}

export interface InstanceProfile {
  name: string;
  id: string;
  path: string;
  createDate: number;
  /** The role it carries (R33: at most one), by its lower-cased name. */
  role?: string;
  tags: Tags;
}

export interface PolicyVersion {
  versionId: string;
  document: string;
  createDate: number;
}

export interface ManagedPolicy {
  name: string;
  id: string;
  path: string;
  description?: string;
  createDate: number;
  updateDate: number;
  defaultVersionId: string;
  /** Oldest first; at most five. */
  versions: PolicyVersion[];
  /** The number the next version takes (`v3`): IAM never reuses one. */
  nextVersion: number;
  tags: Tags;
}

export interface IamAccount {
  roles: Map<string, Role>;
  instanceProfiles: Map<string, InstanceProfile>;
  /** Customer managed policies by ARN. */
  policies: Map<string, ManagedPolicy>;
}

export const newIamAccount = (): IamAccount => ({ roles: new Map(), instanceProfiles: new Map(), policies: new Map() });

/** The account's IAM, created on first touch (folds only). */
export function iamOf(state: SandboxState, accountId: string): IamAccount {
  let a = state.iam.get(accountId);
  if (!a) state.iam.set(accountId, (a = newIamAccount()));
  return a;
}

/** The account's IAM for reading: an empty one is not stored. */
export const readIamOf = (state: SandboxState, accountId: string): IamAccount =>
  state.iam.get(accountId) ?? newIamAccount();

export const key = (name: string): string => name.toLowerCase();

export const roleArn = (accountId: string, r: Pick<Role, "path" | "roleName">): string =>
  `arn:aws:iam::${accountId}:role${r.path}${r.roleName}`;
export const instanceProfileArn = (accountId: string, p: Pick<InstanceProfile, "path" | "name">): string =>
  `arn:aws:iam::${accountId}:instance-profile${p.path}${p.name}`;
export const policyArn = (accountId: string, p: Pick<ManagedPolicy, "path" | "name">): string =>
  `arn:aws:iam::${accountId}:policy${p.path}${p.name}`;

/** `arn:aws:iam::123456789012:role/path/name` → its parts; undefined when it is not an IAM ARN of that kind. */
export function parseIamArn(
  arn: string,
  kind: "role" | "instance-profile" | "policy",
): { accountId: string; path: string; name: string } | undefined {
  const m = /^arn:aws:iam::(\d{12}|aws):([a-z-]+)(\/.*)$/.exec(arn);
  if (!m || m[2] !== kind) return undefined;
  const rest = m[3]!;
  const cut = rest.lastIndexOf("/");
  return { accountId: m[1]!, path: rest.slice(0, cut + 1), name: rest.slice(cut + 1) };
}
