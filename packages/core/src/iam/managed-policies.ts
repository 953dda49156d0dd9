/**
 * Managed policies: the account's own (customer managed, up to five versions, one the default) and
 * AWS's (`arn:aws:iam::aws:policy/…`, known by name in every account without events). Answers are
 * IAM's, with attachment counts of the caller's account. Documents are stored, never enforced.
 */
import type {
  GetPolicyVersionResponse,
  PolicyVersion as IamPolicyVersion,
  ListEntitiesForPolicyResponse,
  ListPoliciesResponse,
  ListPolicyTagsResponse,
  ListPolicyVersionsResponse,
  Policy,
} from "@aws-sdk/client-iam";
import type { Tx } from "../tx.ts";
import { type AwsManagedPolicy, awsManagedPolicies, awsManagedPolicy, isAwsManagedArn } from "./aws-managed.ts";
import { iamErrors } from "./iam-errors.ts";
import { type ManagedPolicy, policyArn, readIamOf } from "./model.ts";
import { encodeDocument, parsePolicyDocument, policySize } from "./policy-document.ts";
import { iamUniqueId } from "./roles.ts";
import { checkDescription, checkName, checkPath, checkPathPrefix, checkTags, pageOf } from "./validate.ts";

type Out<T> = Omit<T, "$metadata">;

const POLICY_SIZE_QUOTA = 6144;
const MAX_VERSIONS = 5;

function checkPolicyDocument(text: string | undefined): string {
  if (text === undefined) throw iamErrors.validation("The request must contain the parameter PolicyDocument");
  if (policySize(text) > POLICY_SIZE_QUOTA) {
    throw iamErrors.limitExceeded(`Cannot exceed quota for PolicySize: ${POLICY_SIZE_QUOTA}`);
  }
  parsePolicyDocument(text, "identity");
  return text;
}

type AnyPolicy = { own: ManagedPolicy; arn: string } | { aws: AwsManagedPolicy; arn: string };

function findPolicy(tx: Tx, arn: string | undefined): AnyPolicy | undefined {
  if (!arn) throw iamErrors.validation("The request must contain the parameter PolicyArn");
  if (!/^arn:aws:iam::(\d{12}|aws):policy\//.test(arn)) throw iamErrors.invalidInput(`ARN ${arn} is not valid.`);
  if (isAwsManagedArn(arn)) {
    const aws = awsManagedPolicy(arn);
    return aws ? { aws, arn } : undefined;
  }
  const own = readIamOf(tx.state, tx.ctx.accountId).policies.get(arn);
  return own ? { own, arn } : undefined;
}

function requirePolicy(tx: Tx, arn: string | undefined): AnyPolicy {
  const p = findPolicy(tx, arn);
  if (!p) throw iamErrors.noSuchEntity(`Policy ${arn} was not found.`);
  return p;
}

const attachmentsOf = (tx: Tx, arn: string): string[] =>
  [...readIamOf(tx.state, tx.ctx.accountId).roles.values()]
    .filter((r) => r.attachedPolicies.includes(arn))
    .map((r) => r.roleName);

const boundaryUses = (tx: Tx, arn: string): number =>
  [...readIamOf(tx.state, tx.ctx.accountId).roles.values()].filter((r) => r.permissionsBoundary === arn).length;

function toPolicy(tx: Tx, p: AnyPolicy, full = true): Policy {
  const common = {
    Arn: p.arn,
    AttachmentCount: attachmentsOf(tx, p.arn).length,
    PermissionsBoundaryUsageCount: boundaryUses(tx, p.arn),
    IsAttachable: true,
  };
  if ("aws" in p) {
    return {
      PolicyName: p.aws.name,
      PolicyId: p.aws.policyId,
      Path: p.aws.path,
      DefaultVersionId: p.aws.defaultVersionId,
      ...common,
      CreateDate: new Date(p.aws.createDate),
      UpdateDate: new Date(p.aws.updateDate),
    };
  }
  const o = p.own;
  return {
    PolicyName: o.name,
    PolicyId: o.id,
    Path: o.path,
    DefaultVersionId: o.defaultVersionId,
    ...common,
    ...(full && o.description !== undefined ? { Description: o.description } : {}),
    CreateDate: new Date(o.createDate),
    UpdateDate: new Date(o.updateDate),
    ...(full && o.tags.size ? { Tags: [...o.tags].map(([Key, Value]) => ({ Key, Value })) } : {}),
  };
}

export const managedPolicyActions = {
  "iam:CreatePolicy"(
    tx: Tx,
    input: {
      PolicyName?: string;
      Path?: string;
      PolicyDocument?: string;
      Description?: string;
      Tags?: { Key?: string; Value?: string }[];
    },
  ): Out<{ Policy: Policy }> {
    const name = checkName(input.PolicyName, "policyName", 128);
    const path = checkPath(input.Path);
    const document = checkPolicyDocument(input.PolicyDocument);
    const description = checkDescription(input.Description);
    const tags = checkTags(input.Tags);
    const arn = policyArn(tx.ctx.accountId, { path, name });
    for (const p of readIamOf(tx.state, tx.ctx.accountId).policies.values()) {
      if (p.name.toLowerCase() === name.toLowerCase()) {
        throw iamErrors.exists(`A policy called ${name} already exists. Duplicate names are not allowed.`);
      }
    }
    tx.emit({
      type: "IamPolicyCreated",
      accountId: tx.ctx.accountId,
      policyName: name,
      policyId: iamUniqueId(tx, "ANPA"),
      path,
      ...(description !== undefined ? { description } : {}),
      document,
      tags,
    });
    return { Policy: toPolicy(tx, requirePolicy(tx, arn)) };
  },

  "iam:GetPolicy"(tx: Tx, input: { PolicyArn?: string }): Out<{ Policy: Policy }> {
    return { Policy: toPolicy(tx, requirePolicy(tx, input.PolicyArn)) };
  },

  "iam:ListPolicies"(
    tx: Tx,
    input: {
      Scope?: "All" | "AWS" | "Local";
      OnlyAttached?: boolean;
      PathPrefix?: string;
      PolicyUsageFilter?: "PermissionsPolicy" | "PermissionsBoundary";
      Marker?: string;
      MaxItems?: number;
    },
  ): Out<ListPoliciesResponse> {
    const scope = input.Scope ?? "All";
    if (!["All", "AWS", "Local"].includes(scope)) {
      throw iamErrors.constraint(scope, "scope", "Member must satisfy enum value set: [All, AWS, Local]");
    }
    const prefix = checkPathPrefix(input.PathPrefix);
    const all: AnyPolicy[] = [];
    if (scope !== "AWS") {
      const own = [...readIamOf(tx.state, tx.ctx.accountId).policies.entries()].sort(([a], [b]) => (a < b ? -1 : 1));
      for (const [arn, p] of own) all.push({ own: p, arn });
    }
    if (scope !== "Local") for (const aws of awsManagedPolicies()) all.push({ aws, arn: aws.arn });
    const path = (p: AnyPolicy) => ("aws" in p ? p.aws.path : p.own.path);
    const rows = all.filter((p) => {
      if (!path(p).startsWith(prefix)) return false;
      if (input.OnlyAttached) {
        const used =
          input.PolicyUsageFilter === "PermissionsBoundary"
            ? boundaryUses(tx, p.arn) > 0
            : input.PolicyUsageFilter === "PermissionsPolicy"
              ? attachmentsOf(tx, p.arn).length > 0
              : attachmentsOf(tx, p.arn).length > 0 || boundaryUses(tx, p.arn) > 0;
        if (!used) return false;
      }
      return true;
    });
    const page = pageOf(rows, input, `policies:${scope}:${prefix}:${input.OnlyAttached ? 1 : 0}`);
    return {
      Policies: page.items.map((p) => toPolicy(tx, p, false)),
      IsTruncated: page.IsTruncated,
      ...(page.Marker ? { Marker: page.Marker } : {}),
    };
  },

  "iam:GetPolicyVersion"(tx: Tx, input: { PolicyArn?: string; VersionId?: string }): Out<GetPolicyVersionResponse> {
    const p = requirePolicy(tx, input.PolicyArn);
    const versionId = input.VersionId ?? "";
    const missing = () =>
      iamErrors.noSuchEntity(`Policy ${p.arn} version ${versionId} does not exist or is not attachable.`);
    if ("aws" in p) {
      if (versionId !== p.aws.defaultVersionId) throw missing();
      if (p.aws.document === undefined) {
        throw iamErrors.noSuchEntity(
          `Policy ${p.arn} version ${versionId}: this sandbox does not hold the document of the AWS managed policy ${p.aws.name} (it holds those of the most used ones, see packages/core/data/SOURCES.md)`,
        );
      }
      return {
        PolicyVersion: {
          Document: encodeDocument(p.aws.document),
          VersionId: versionId,
          IsDefaultVersion: true,
          CreateDate: new Date(p.aws.updateDate),
        },
      };
    }
    const v = p.own.versions.find((x) => x.versionId === versionId);
    if (!v) throw missing();
    return {
      PolicyVersion: {
        Document: encodeDocument(v.document),
        VersionId: v.versionId,
        IsDefaultVersion: v.versionId === p.own.defaultVersionId,
        CreateDate: new Date(v.createDate),
      },
    };
  },

  "iam:ListPolicyVersions"(
    tx: Tx,
    input: { PolicyArn?: string; Marker?: string; MaxItems?: number },
  ): Out<ListPolicyVersionsResponse> {
    const p = requirePolicy(tx, input.PolicyArn);
    const versions: IamPolicyVersion[] =
      "aws" in p
        ? [{ VersionId: p.aws.defaultVersionId, IsDefaultVersion: true, CreateDate: new Date(p.aws.updateDate) }]
        : [...p.own.versions].reverse().map((v) => ({
            VersionId: v.versionId,
            IsDefaultVersion: v.versionId === p.own.defaultVersionId,
            CreateDate: new Date(v.createDate),
          }));
    const page = pageOf(versions, input, `versions:${p.arn}`);
    return { Versions: page.items, IsTruncated: page.IsTruncated, ...(page.Marker ? { Marker: page.Marker } : {}) };
  },

  "iam:CreatePolicyVersion"(
    tx: Tx,
    input: { PolicyArn?: string; PolicyDocument?: string; SetAsDefault?: boolean },
  ): Out<{ PolicyVersion: IamPolicyVersion }> {
    const p = requirePolicy(tx, input.PolicyArn);
    if ("aws" in p) throw iamErrors.invalidInput(`Policy ${p.arn} is an AWS managed policy and cannot be changed.`);
    const document = checkPolicyDocument(input.PolicyDocument);
    if (p.own.versions.length >= MAX_VERSIONS) {
      throw iamErrors.limitExceeded(
        "A managed policy can have up to 5 versions. Before you create a new version, you must delete an existing version.",
      );
    }
    const versionId = `v${p.own.nextVersion}`;
    tx.emit({
      type: "IamPolicyVersionCreated",
      accountId: tx.ctx.accountId,
      policyArn: p.arn,
      versionId,
      document,
      setAsDefault: input.SetAsDefault === true,
    });
    return {
      PolicyVersion: {
        VersionId: versionId,
        IsDefaultVersion: input.SetAsDefault === true,
        CreateDate: new Date(tx.now),
      },
    };
  },

  "iam:DeletePolicyVersion"(tx: Tx, input: { PolicyArn?: string; VersionId?: string }) {
    const p = requirePolicy(tx, input.PolicyArn);
    if ("aws" in p) throw iamErrors.invalidInput(`Policy ${p.arn} is an AWS managed policy and cannot be changed.`);
    const v = p.own.versions.find((x) => x.versionId === input.VersionId);
    if (!v)
      throw iamErrors.noSuchEntity(`Policy ${p.arn} version ${input.VersionId} does not exist or is not attachable.`);
    if (v.versionId === p.own.defaultVersionId)
      throw iamErrors.deleteConflict("Cannot delete the default version of a policy.");
    tx.emit({ type: "IamPolicyVersionDeleted", accountId: tx.ctx.accountId, policyArn: p.arn, versionId: v.versionId });
    return {};
  },

  "iam:SetDefaultPolicyVersion"(tx: Tx, input: { PolicyArn?: string; VersionId?: string }) {
    const p = requirePolicy(tx, input.PolicyArn);
    if ("aws" in p) throw iamErrors.invalidInput(`Policy ${p.arn} is an AWS managed policy and cannot be changed.`);
    const v = p.own.versions.find((x) => x.versionId === input.VersionId);
    if (!v)
      throw iamErrors.noSuchEntity(`Policy ${p.arn} version ${input.VersionId} does not exist or is not attachable.`);
    tx.emit({
      type: "IamPolicyDefaultVersionSet",
      accountId: tx.ctx.accountId,
      policyArn: p.arn,
      versionId: v.versionId,
    });
    return {};
  },

  "iam:DeletePolicy"(tx: Tx, input: { PolicyArn?: string }) {
    const p = requirePolicy(tx, input.PolicyArn);
    if ("aws" in p) throw iamErrors.invalidInput(`Policy ${p.arn} is an AWS managed policy and cannot be deleted.`);
    if (attachmentsOf(tx, p.arn).length || boundaryUses(tx, p.arn)) {
      throw iamErrors.deleteConflict("Cannot delete a policy attached to entities.");
    }
    if (p.own.versions.length > 1) {
      throw iamErrors.deleteConflict(
        "This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.",
      );
    }
    tx.emit({ type: "IamPolicyDeleted", accountId: tx.ctx.accountId, policyArn: p.arn });
    return {};
  },

  "iam:ListEntitiesForPolicy"(
    tx: Tx,
    input: { PolicyArn?: string; EntityFilter?: string; Marker?: string; MaxItems?: number },
  ): Out<ListEntitiesForPolicyResponse> {
    const p = requirePolicy(tx, input.PolicyArn);
    const roles =
      input.EntityFilter && input.EntityFilter !== "Role" && input.EntityFilter !== "LocalManagedPolicy"
        ? []
        : attachmentsOf(tx, p.arn);
    const iam = readIamOf(tx.state, tx.ctx.accountId);
    const page = pageOf(roles, input, `entities:${p.arn}`);
    return {
      PolicyGroups: [],
      PolicyUsers: [],
      PolicyRoles: page.items.map((n) => ({ RoleName: n, RoleId: iam.roles.get(n.toLowerCase())!.roleId })),
      IsTruncated: page.IsTruncated,
      ...(page.Marker ? { Marker: page.Marker } : {}),
    };
  },

  "iam:TagPolicy"(tx: Tx, input: { PolicyArn?: string; Tags?: { Key?: string; Value?: string }[] }) {
    const p = requireOwnPolicyOrRefuse(tx, input.PolicyArn);
    const set = checkTags(input.Tags);
    checkTags(
      input.Tags,
      [...p.own.tags.keys()].filter((k) => !set.some(([n]) => n.toLowerCase() === k.toLowerCase())).length,
    );
    tx.emit({
      type: "IamTagsChanged",
      accountId: tx.ctx.accountId,
      resource: { kind: "policy", arn: p.arn },
      set,
      remove: [],
    });
    return {};
  },

  "iam:UntagPolicy"(tx: Tx, input: { PolicyArn?: string; TagKeys?: string[] }) {
    const p = requireOwnPolicyOrRefuse(tx, input.PolicyArn);
    tx.emit({
      type: "IamTagsChanged",
      accountId: tx.ctx.accountId,
      resource: { kind: "policy", arn: p.arn },
      set: [],
      remove: input.TagKeys ?? [],
    });
    return {};
  },

  "iam:ListPolicyTags"(
    tx: Tx,
    input: { PolicyArn?: string; Marker?: string; MaxItems?: number },
  ): Out<ListPolicyTagsResponse> {
    const p = requirePolicy(tx, input.PolicyArn);
    const tags = "own" in p ? [...p.own.tags] : [];
    const page = pageOf(tags, input, `tags:${p.arn}`);
    return {
      Tags: page.items.map(([Key, Value]) => ({ Key, Value })),
      IsTruncated: page.IsTruncated,
      ...(page.Marker ? { Marker: page.Marker } : {}),
    };
  },
};

function requireOwnPolicyOrRefuse(tx: Tx, arn: string | undefined): { own: ManagedPolicy; arn: string } {
  const p = requirePolicy(tx, arn);
  if ("aws" in p) throw iamErrors.invalidInput(`Policy ${p.arn} is an AWS managed policy and cannot be tagged.`);
  return p;
}
