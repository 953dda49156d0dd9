/**
 * Instance profiles: the container that carries a role to an EC2 instance. Each holds at most one
 * role (R33); adding a second is IAM's `LimitExceeded`. A profile with a role cannot be deleted.
 */
import type {
  InstanceProfile as IamInstanceProfile,
  ListInstanceProfilesForRoleResponse,
  ListInstanceProfilesResponse,
  ListInstanceProfileTagsResponse,
} from "@aws-sdk/client-iam";
import type { Tx } from "../tx.ts";
import { iamErrors } from "./iam-errors.ts";
import { type InstanceProfile, instanceProfileArn, key, readIamOf } from "./model.ts";
import { findRole, iamUniqueId, requireRole, toIamRole } from "./roles.ts";
import { checkName, checkPath, checkPathPrefix, checkTags, pageOf } from "./validate.ts";

type Out<T> = Omit<T, "$metadata">;

export function findInstanceProfile(tx: Tx, name: string, accountId = tx.ctx.accountId): InstanceProfile | undefined {
  return readIamOf(tx.state, accountId).instanceProfiles.get(key(name));
}

export function requireInstanceProfile(tx: Tx, name: string | undefined): InstanceProfile {
  const n = checkName(name, "instanceProfileName", 128);
  const p = findInstanceProfile(tx, n);
  if (!p) throw iamErrors.noSuchEntity(`Instance Profile ${n} cannot be found.`);
  return p;
}

export function toIamInstanceProfile(
  tx: Tx,
  accountId: string,
  p: InstanceProfile,
  withTags = true,
): IamInstanceProfile {
  const role = p.role ? findRole(tx, p.role, accountId) : undefined;
  return {
    Path: p.path,
    InstanceProfileName: p.name,
    InstanceProfileId: p.id,
    Arn: instanceProfileArn(accountId, p),
    CreateDate: new Date(p.createDate),
    Roles: role ? [toIamRole(accountId, role, false)] : [],
    ...(withTags && p.tags.size ? { Tags: [...p.tags].map(([Key, Value]) => ({ Key, Value })) } : {}),
  };
}

const sorted = (profiles: Iterable<[string, InstanceProfile]>): InstanceProfile[] =>
  [...profiles].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, p]) => p);

export const instanceProfileActions = {
  "iam:CreateInstanceProfile"(
    tx: Tx,
    input: { InstanceProfileName?: string; Path?: string; Tags?: { Key?: string; Value?: string }[] },
  ): Out<{ InstanceProfile: IamInstanceProfile }> {
    const name = checkName(input.InstanceProfileName, "instanceProfileName", 128);
    const path = checkPath(input.Path);
    const tags = checkTags(input.Tags);
    if (findInstanceProfile(tx, name)) throw iamErrors.exists(`Instance Profile ${name} already exists.`);
    tx.emit({
      type: "IamInstanceProfileCreated",
      accountId: tx.ctx.accountId,
      name,
      id: iamUniqueId(tx, "AIPA"),
      path,
      tags,
    });
    return { InstanceProfile: toIamInstanceProfile(tx, tx.ctx.accountId, findInstanceProfile(tx, name)!) };
  },

  "iam:GetInstanceProfile"(
    tx: Tx,
    input: { InstanceProfileName?: string },
  ): Out<{ InstanceProfile: IamInstanceProfile }> {
    return {
      InstanceProfile: toIamInstanceProfile(
        tx,
        tx.ctx.accountId,
        requireInstanceProfile(tx, input.InstanceProfileName),
      ),
    };
  },

  "iam:ListInstanceProfiles"(
    tx: Tx,
    input: { PathPrefix?: string; Marker?: string; MaxItems?: number },
  ): Out<ListInstanceProfilesResponse> {
    const prefix = checkPathPrefix(input.PathPrefix);
    const all = sorted(readIamOf(tx.state, tx.ctx.accountId).instanceProfiles).filter((p) => p.path.startsWith(prefix));
    const page = pageOf(all, input, "instance-profiles");
    return {
      InstanceProfiles: page.items.map((p) => toIamInstanceProfile(tx, tx.ctx.accountId, p, false)),
      IsTruncated: page.IsTruncated,
      ...(page.Marker ? { Marker: page.Marker } : {}),
    };
  },

  "iam:ListInstanceProfilesForRole"(
    tx: Tx,
    input: { RoleName?: string; Marker?: string; MaxItems?: number },
  ): Out<ListInstanceProfilesForRoleResponse> {
    const r = requireRole(tx, input.RoleName);
    const all = sorted(readIamOf(tx.state, tx.ctx.accountId).instanceProfiles).filter(
      (p) => p.role === key(r.roleName),
    );
    const page = pageOf(all, input, `profiles-of:${r.roleId}`);
    return {
      InstanceProfiles: page.items.map((p) => toIamInstanceProfile(tx, tx.ctx.accountId, p, false)),
      IsTruncated: page.IsTruncated,
      ...(page.Marker ? { Marker: page.Marker } : {}),
    };
  },

  "iam:DeleteInstanceProfile"(tx: Tx, input: { InstanceProfileName?: string }) {
    const p = requireInstanceProfile(tx, input.InstanceProfileName);
    if (p.role) throw iamErrors.deleteConflict("Cannot delete entity, must remove roles from instance profile first.");
    tx.emit({ type: "IamInstanceProfileDeleted", accountId: tx.ctx.accountId, name: p.name });
    return {};
  },

  "iam:AddRoleToInstanceProfile"(tx: Tx, input: { InstanceProfileName?: string; RoleName?: string }) {
    const p = requireInstanceProfile(tx, input.InstanceProfileName);
    const r = requireRole(tx, input.RoleName);
    // R33: one role per instance profile.
    if (p.role) throw iamErrors.limitExceeded("Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1");
    tx.emit({ type: "IamInstanceProfileRoleAdded", accountId: tx.ctx.accountId, name: p.name, roleName: r.roleName });
    return {};
  },

  "iam:RemoveRoleFromInstanceProfile"(tx: Tx, input: { InstanceProfileName?: string; RoleName?: string }) {
    const p = requireInstanceProfile(tx, input.InstanceProfileName);
    const roleName = checkName(input.RoleName, "roleName", 64);
    if (p.role !== key(roleName)) throw iamErrors.noSuchEntity(`The role with name ${roleName} cannot be found.`);
    const r = findRole(tx, roleName);
    tx.emit({
      type: "IamInstanceProfileRoleRemoved",
      accountId: tx.ctx.accountId,
      name: p.name,
      roleName: r?.roleName ?? roleName,
    });
    return {};
  },

  "iam:TagInstanceProfile"(tx: Tx, input: { InstanceProfileName?: string; Tags?: { Key?: string; Value?: string }[] }) {
    const p = requireInstanceProfile(tx, input.InstanceProfileName);
    const set = checkTags(input.Tags);
    checkTags(input.Tags, [...p.tags.keys()].filter((k) => !set.some(([n]) => key(n) === key(k))).length);
    tx.emit({
      type: "IamTagsChanged",
      accountId: tx.ctx.accountId,
      resource: { kind: "instance-profile", name: p.name },
      set,
      remove: [],
    });
    return {};
  },

  "iam:UntagInstanceProfile"(tx: Tx, input: { InstanceProfileName?: string; TagKeys?: string[] }) {
    const p = requireInstanceProfile(tx, input.InstanceProfileName);
    tx.emit({
      type: "IamTagsChanged",
      accountId: tx.ctx.accountId,
      resource: { kind: "instance-profile", name: p.name },
      set: [],
      remove: input.TagKeys ?? [],
    });
    return {};
  },

  "iam:ListInstanceProfileTags"(
    tx: Tx,
    input: { InstanceProfileName?: string; Marker?: string; MaxItems?: number },
  ): Out<ListInstanceProfileTagsResponse> {
    const p = requireInstanceProfile(tx, input.InstanceProfileName);
    const page = pageOf([...p.tags], input, `tags:${p.id}`);
    return {
      Tags: page.items.map(([Key, Value]) => ({ Key, Value })),
      IsTruncated: page.IsTruncated,
      ...(page.Marker ? { Marker: page.Marker } : {}),
    };
  },
};
