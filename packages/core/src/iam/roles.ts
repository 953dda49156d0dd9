/**
 * IAM roles: created with a trust policy (who may assume the role), described and listed, updated,
 * tagged, and deleted only once nothing hangs off them (IAM's `DeleteConflict`). Their inline
 * policies and attached managed policies are here too. `iam:PassRole` is not checked: whoever may
 * call RunInstances in an account may hand any of its roles to an instance.
 */
import type {
  AttachedPolicy,
  GetRolePolicyResponse,
  Role as IamRole,
  ListAttachedRolePoliciesResponse,
  ListRolePoliciesResponse,
  ListRolesResponse,
  ListRoleTagsResponse,
} from "@aws-sdk/client-iam";
import type { Tx } from "../tx.ts";
import { awsManagedPolicy, isAwsManagedArn } from "./aws-managed.ts";
import { iamErrors } from "./iam-errors.ts";
import { key, type Role, readIamOf, roleArn } from "./model.ts";
import { encodeDocument, parsePolicyDocument, policySize } from "./policy-document.ts";
import { checkDescription, checkName, checkPath, checkPathPrefix, checkTags, pageOf } from "./validate.ts";

type Out<T> = Omit<T, "$metadata">;

const ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
/** IAM unique IDs: a four-letter prefix by kind and 17 characters (`AROA…`, `AIPA…`, `ANPA…`). */
export const iamUniqueId = (tx: Tx, prefix: string): string => prefix + tx.newChars(17, ID_ALPHABET);

const TRUST_POLICY_QUOTA = 2048;
const INLINE_POLICIES_QUOTA = 10_240;

export function findRole(tx: Tx, name: string, accountId = tx.ctx.accountId): Role | undefined {
  return readIamOf(tx.state, accountId).roles.get(key(name));
}

export function requireRole(tx: Tx, name: string | undefined): Role {
  const n = checkName(name, "roleName", 64);
  const r = findRole(tx, n);
  if (!r) throw iamErrors.noSuchEntity(`The role with name ${n} cannot be found.`);
  return r;
}

/** A trust policy as IAM takes it: valid JSON, a principal in every statement, within the 2,048 quota. */
export function checkTrustPolicy(text: string | undefined): string {
  if (text === undefined) throw iamErrors.validation("The request must contain the parameter AssumeRolePolicyDocument");
  if (policySize(text) > TRUST_POLICY_QUOTA) {
    throw iamErrors.limitExceeded(`Cannot exceed quota for ACLSizePerRole: ${TRUST_POLICY_QUOTA}`);
  }
  parsePolicyDocument(text, "trust");
  return text;
}

const boundaryOf = (r: Role) =>
  r.permissionsBoundary
    ? { PermissionsBoundaryType: "PermissionsBoundaryPolicy" as const, PermissionsBoundaryArn: r.permissionsBoundary }
    : undefined;

export function toIamRole(accountId: string, r: Role, full = true): IamRole {
  return {
    Path: r.path,
    RoleName: r.roleName,
    RoleId: r.roleId,
    Arn: roleArn(accountId, r),
    CreateDate: new Date(r.createDate),
    AssumeRolePolicyDocument: encodeDocument(r.assumeRolePolicyDocument),
    ...(r.description !== undefined ? { Description: r.description } : {}),
    MaxSessionDuration: r.maxSessionDuration,
    ...(full
      ? {
          ...(r.permissionsBoundary ? { PermissionsBoundary: boundaryOf(r) } : {}),
          ...(r.tags.size ? { Tags: [...r.tags].map(([Key, Value]) => ({ Key, Value })) } : {}),
          RoleLastUsed: {},
        }
      : {}),
  };
}

function checkMaxSessionDuration(v: number | undefined): number | undefined {
  if (v !== undefined && (!Number.isInteger(v) || v < 3600 || v > 43200)) {
    throw iamErrors.constraint(String(v), "maxSessionDuration", "Member must have value greater than or equal to 3600");
  }
  return v;
}

/** A managed policy that may be attached in this account: the account's own, or AWS's. */
function requireAttachable(tx: Tx, arn: string | undefined): string {
  if (!arn) throw iamErrors.validation("The request must contain the parameter PolicyArn");
  if (!/^arn:aws:iam::(\d{12}|aws):policy\//.test(arn)) {
    throw iamErrors.invalidInput(`ARN ${arn} is not valid.`);
  }
  const ok = isAwsManagedArn(arn) ? !!awsManagedPolicy(arn) : readIamOf(tx.state, tx.ctx.accountId).policies.has(arn);
  if (!ok) throw iamErrors.noSuchEntity(`Policy ${arn} does not exist or is not attachable.`);
  return arn;
}

export const roleActions = {
  "iam:CreateRole"(
    tx: Tx,
    input: {
      RoleName?: string;
      Path?: string;
      AssumeRolePolicyDocument?: string;
      Description?: string;
      MaxSessionDuration?: number;
      PermissionsBoundary?: string;
      Tags?: { Key?: string; Value?: string }[];
    },
  ): Out<{ Role: IamRole }> {
    const roleName = checkName(input.RoleName, "roleName", 64);
    const path = checkPath(input.Path);
    const document = checkTrustPolicy(input.AssumeRolePolicyDocument);
    const description = checkDescription(input.Description);
    const maxSessionDuration = checkMaxSessionDuration(input.MaxSessionDuration) ?? 3600;
    const tags = checkTags(input.Tags);
    const boundary =
      input.PermissionsBoundary !== undefined ? requireAttachable(tx, input.PermissionsBoundary) : undefined;
    if (findRole(tx, roleName)) throw iamErrors.exists(`Role with name ${roleName} already exists.`);
    tx.emit({
      type: "IamRoleCreated",
      accountId: tx.ctx.accountId,
      roleName,
      roleId: iamUniqueId(tx, "AROA"),
      path,
      assumeRolePolicyDocument: document,
      ...(description !== undefined ? { description } : {}),
      maxSessionDuration,
      ...(boundary ? { permissionsBoundary: boundary } : {}),
      tags,
    });
    return { Role: toIamRole(tx.ctx.accountId, findRole(tx, roleName)!) };
  },

  "iam:GetRole"(tx: Tx, input: { RoleName?: string }): Out<{ Role: IamRole }> {
    return { Role: toIamRole(tx.ctx.accountId, requireRole(tx, input.RoleName)) };
  },

  "iam:ListRoles"(tx: Tx, input: { PathPrefix?: string; Marker?: string; MaxItems?: number }): Out<ListRolesResponse> {
    const prefix = checkPathPrefix(input.PathPrefix);
    const all = [...readIamOf(tx.state, tx.ctx.accountId).roles.entries()]
      .filter(([, r]) => r.path.startsWith(prefix))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, r]) => r);
    const page = pageOf(all, input, "roles");
    return {
      Roles: page.items.map((r) => toIamRole(tx.ctx.accountId, r, false)),
      IsTruncated: page.IsTruncated,
      ...(page.Marker ? { Marker: page.Marker } : {}),
    };
  },

  "iam:UpdateRole"(tx: Tx, input: { RoleName?: string; Description?: string; MaxSessionDuration?: number }) {
    const r = requireRole(tx, input.RoleName);
    const description = checkDescription(input.Description);
    const max = checkMaxSessionDuration(input.MaxSessionDuration);
    if (description !== undefined || max !== undefined) {
      tx.emit({
        type: "IamRoleUpdated",
        accountId: tx.ctx.accountId,
        roleName: r.roleName,
        ...(description !== undefined ? { description } : {}),
        ...(max !== undefined ? { maxSessionDuration: max } : {}),
      });
    }
    return {};
  },

  "iam:UpdateRoleDescription"(tx: Tx, input: { RoleName?: string; Description?: string }): Out<{ Role: IamRole }> {
    const r = requireRole(tx, input.RoleName);
    const description = checkDescription(input.Description ?? "")!;
    tx.emit({ type: "IamRoleUpdated", accountId: tx.ctx.accountId, roleName: r.roleName, description });
    return { Role: toIamRole(tx.ctx.accountId, r) };
  },

  "iam:UpdateAssumeRolePolicy"(tx: Tx, input: { RoleName?: string; PolicyDocument?: string }) {
    const r = requireRole(tx, input.RoleName);
    const document = checkTrustPolicy(input.PolicyDocument);
    tx.emit({
      type: "IamRoleUpdated",
      accountId: tx.ctx.accountId,
      roleName: r.roleName,
      assumeRolePolicyDocument: document,
    });
    return {};
  },

  "iam:PutRolePermissionsBoundary"(tx: Tx, input: { RoleName?: string; PermissionsBoundary?: string }) {
    const r = requireRole(tx, input.RoleName);
    const arn = requireAttachable(tx, input.PermissionsBoundary);
    tx.emit({ type: "IamRoleUpdated", accountId: tx.ctx.accountId, roleName: r.roleName, permissionsBoundary: arn });
    return {};
  },

  "iam:DeleteRolePermissionsBoundary"(tx: Tx, input: { RoleName?: string }) {
    const r = requireRole(tx, input.RoleName);
    if (!r.permissionsBoundary) {
      throw iamErrors.noSuchEntity(`The role with name ${r.roleName} does not have a permissions boundary.`);
    }
    tx.emit({ type: "IamRoleUpdated", accountId: tx.ctx.accountId, roleName: r.roleName, permissionsBoundary: null });
    return {};
  },

  "iam:DeleteRole"(tx: Tx, input: { RoleName?: string }) {
    const r = requireRole(tx, input.RoleName);
    if (r.attachedPolicies.length)
      throw iamErrors.deleteConflict("Cannot delete entity, must detach all policies first.");
    if (r.inlinePolicies.size) throw iamErrors.deleteConflict("Cannot delete entity, must delete policies first.");
    for (const p of readIamOf(tx.state, tx.ctx.accountId).instanceProfiles.values()) {
      if (p.role === key(r.roleName)) {
        throw iamErrors.deleteConflict("Cannot delete entity, must remove roles from instance profile first.");
      }
    }
    tx.emit({ type: "IamRoleDeleted", accountId: tx.ctx.accountId, roleName: r.roleName });
    return {};
  },

  "iam:TagRole"(tx: Tx, input: { RoleName?: string; Tags?: { Key?: string; Value?: string }[] }) {
    const r = requireRole(tx, input.RoleName);
    const set = checkTags(input.Tags);
    const kept = [...r.tags.keys()].filter((k) => !set.some(([n]) => key(n) === key(k))).length;
    checkTags(input.Tags, kept);
    tx.emit({
      type: "IamTagsChanged",
      accountId: tx.ctx.accountId,
      resource: { kind: "role", name: r.roleName },
      set,
      remove: [],
    });
    return {};
  },

  "iam:UntagRole"(tx: Tx, input: { RoleName?: string; TagKeys?: string[] }) {
    const r = requireRole(tx, input.RoleName);
    tx.emit({
      type: "IamTagsChanged",
      accountId: tx.ctx.accountId,
      resource: { kind: "role", name: r.roleName },
      set: [],
      remove: input.TagKeys ?? [],
    });
    return {};
  },

  "iam:ListRoleTags"(
    tx: Tx,
    input: { RoleName?: string; Marker?: string; MaxItems?: number },
  ): Out<ListRoleTagsResponse> {
    const r = requireRole(tx, input.RoleName);
    const page = pageOf([...r.tags], input, `tags:${r.roleId}`);
    return {
      Tags: page.items.map(([Key, Value]) => ({ Key, Value })),
      IsTruncated: page.IsTruncated,
      ...(page.Marker ? { Marker: page.Marker } : {}),
    };
  },

  // ── inline policies ──────────────────────────────────────────────────────────────────────────
  "iam:PutRolePolicy"(tx: Tx, input: { RoleName?: string; PolicyName?: string; PolicyDocument?: string }) {
    const r = requireRole(tx, input.RoleName);
    const policyName = checkName(input.PolicyName, "policyName", 128);
    if (input.PolicyDocument === undefined)
      throw iamErrors.validation("The request must contain the parameter PolicyDocument");
    parsePolicyDocument(input.PolicyDocument, "identity");
    let total = policySize(input.PolicyDocument);
    for (const [n, d] of r.inlinePolicies) if (key(n) !== key(policyName)) total += policySize(d);
    if (total > INLINE_POLICIES_QUOTA) {
      throw iamErrors.limitExceeded(
        `Maximum policy size of ${INLINE_POLICIES_QUOTA} bytes exceeded for role ${r.roleName}`,
      );
    }
    tx.emit({
      type: "IamRolePolicyPut",
      accountId: tx.ctx.accountId,
      roleName: r.roleName,
      policyName,
      document: input.PolicyDocument,
    });
    return {};
  },

  "iam:GetRolePolicy"(tx: Tx, input: { RoleName?: string; PolicyName?: string }): Out<GetRolePolicyResponse> {
    const r = requireRole(tx, input.RoleName);
    const name = checkName(input.PolicyName, "policyName", 128);
    const hit = [...r.inlinePolicies].find(([n]) => key(n) === key(name));
    if (!hit) throw iamErrors.noSuchEntity(`The role policy with name ${name} cannot be found.`);
    return { RoleName: r.roleName, PolicyName: hit[0], PolicyDocument: encodeDocument(hit[1]) };
  },

  "iam:DeleteRolePolicy"(tx: Tx, input: { RoleName?: string; PolicyName?: string }) {
    const r = requireRole(tx, input.RoleName);
    const name = checkName(input.PolicyName, "policyName", 128);
    const hit = [...r.inlinePolicies.keys()].find((n) => key(n) === key(name));
    if (!hit) throw iamErrors.noSuchEntity(`The role policy with name ${name} cannot be found.`);
    tx.emit({ type: "IamRolePolicyDeleted", accountId: tx.ctx.accountId, roleName: r.roleName, policyName: hit });
    return {};
  },

  "iam:ListRolePolicies"(
    tx: Tx,
    input: { RoleName?: string; Marker?: string; MaxItems?: number },
  ): Out<ListRolePoliciesResponse> {
    const r = requireRole(tx, input.RoleName);
    const names = [...r.inlinePolicies.keys()].sort((a, b) => (key(a) < key(b) ? -1 : 1));
    const page = pageOf(names, input, `inline:${r.roleId}`);
    return { PolicyNames: page.items, IsTruncated: page.IsTruncated, ...(page.Marker ? { Marker: page.Marker } : {}) };
  },

  // ── attached managed policies ──────────────────────────────────────────────────────────────
  "iam:AttachRolePolicy"(tx: Tx, input: { RoleName?: string; PolicyArn?: string }) {
    const r = requireRole(tx, input.RoleName);
    const arn = requireAttachable(tx, input.PolicyArn);
    if (!r.attachedPolicies.includes(arn)) {
      if (r.attachedPolicies.length >= 20) {
        throw iamErrors.limitExceeded(`Cannot exceed quota for PoliciesPerRole: 20`);
      }
      tx.emit({ type: "IamRolePolicyAttached", accountId: tx.ctx.accountId, roleName: r.roleName, policyArn: arn });
    }
    return {};
  },

  "iam:DetachRolePolicy"(tx: Tx, input: { RoleName?: string; PolicyArn?: string }) {
    const r = requireRole(tx, input.RoleName);
    const arn = input.PolicyArn ?? "";
    if (!r.attachedPolicies.includes(arn)) throw iamErrors.noSuchEntity(`Policy ${arn} was not found.`);
    tx.emit({ type: "IamRolePolicyDetached", accountId: tx.ctx.accountId, roleName: r.roleName, policyArn: arn });
    return {};
  },

  "iam:ListAttachedRolePolicies"(
    tx: Tx,
    input: { RoleName?: string; PathPrefix?: string; Marker?: string; MaxItems?: number },
  ): Out<ListAttachedRolePoliciesResponse> {
    const r = requireRole(tx, input.RoleName);
    const prefix = checkPathPrefix(input.PathPrefix);
    const iam = readIamOf(tx.state, tx.ctx.accountId);
    const attached: AttachedPolicy[] = [];
    for (const arn of r.attachedPolicies) {
      const aws = awsManagedPolicy(arn);
      const own = aws ? undefined : iam.policies.get(arn);
      const path = aws?.path ?? own?.path ?? "/";
      if (!path.startsWith(prefix)) continue;
      attached.push({ PolicyName: aws?.name ?? own?.name ?? arn.slice(arn.lastIndexOf("/") + 1), PolicyArn: arn });
    }
    const page = pageOf(attached, input, `attached:${r.roleId}`);
    return {
      AttachedPolicies: page.items,
      IsTruncated: page.IsTruncated,
      ...(page.Marker ? { Marker: page.Marker } : {}),
    };
  },
};
