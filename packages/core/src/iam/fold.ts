/** The fold of IAM's events (and STS's sessions) into the state: each event names its account. */
import type { EventOf } from "../events.ts";
import type { SandboxState } from "../state.ts";
import { tagMap } from "../tags.ts";
import { iamOf, key, parseIamArn } from "./model.ts";

export type IamEvent = EventOf<
  | "IamRoleCreated"
  | "IamRoleUpdated"
  | "IamRoleDeleted"
  | "IamRolePolicyPut"
  | "IamRolePolicyDeleted"
  | "IamRolePolicyAttached"
  | "IamRolePolicyDetached"
  | "IamPolicyCreated"
  | "IamPolicyVersionCreated"
  | "IamPolicyVersionDeleted"
  | "IamPolicyDefaultVersionSet"
  | "IamPolicyDeleted"
  | "IamInstanceProfileCreated"
  | "IamInstanceProfileDeleted"
  | "IamInstanceProfileRoleAdded"
  | "IamInstanceProfileRoleRemoved"
  | "IamTagsChanged"
>;

export function applyIamEvent(state: SandboxState, e: IamEvent, at: number): void {
  const iam = iamOf(state, e.accountId);
  switch (e.type) {
    case "IamRoleCreated":
      iam.roles.set(key(e.roleName), {
        roleName: e.roleName,
        roleId: e.roleId,
        path: e.path,
        assumeRolePolicyDocument: e.assumeRolePolicyDocument,
        ...(e.description !== undefined ? { description: e.description } : {}),
        maxSessionDuration: e.maxSessionDuration,
        ...(e.permissionsBoundary !== undefined ? { permissionsBoundary: e.permissionsBoundary } : {}),
        createDate: at,
        tags: tagMap(e.tags),
        inlinePolicies: new Map(),
        attachedPolicies: [],
      });
      return;
    case "IamRoleUpdated": {
      const r = iam.roles.get(key(e.roleName));
      if (!r) return;
      if (e.description === null) delete r.description;
      else if (e.description !== undefined) r.description = e.description;
      if (e.maxSessionDuration !== undefined) r.maxSessionDuration = e.maxSessionDuration;
      if (e.assumeRolePolicyDocument !== undefined) r.assumeRolePolicyDocument = e.assumeRolePolicyDocument;
      if (e.permissionsBoundary === null) delete r.permissionsBoundary;
      else if (e.permissionsBoundary !== undefined) r.permissionsBoundary = e.permissionsBoundary;
      return;
    }
    case "IamRoleDeleted":
      iam.roles.delete(key(e.roleName));
      return;
    case "IamRolePolicyPut": {
      const r = iam.roles.get(key(e.roleName));
      // Names are unique without regard to case: a put under another case replaces the policy.
      if (!r) return;
      for (const n of r.inlinePolicies.keys()) if (key(n) === key(e.policyName)) r.inlinePolicies.delete(n);
      r.inlinePolicies.set(e.policyName, e.document);
      return;
    }
    case "IamRolePolicyDeleted": {
      const r = iam.roles.get(key(e.roleName));
      if (r) for (const n of r.inlinePolicies.keys()) if (key(n) === key(e.policyName)) r.inlinePolicies.delete(n);
      return;
    }
    case "IamRolePolicyAttached": {
      const r = iam.roles.get(key(e.roleName));
      if (r && !r.attachedPolicies.includes(e.policyArn)) r.attachedPolicies.push(e.policyArn);
      return;
    }
    case "IamRolePolicyDetached": {
      const r = iam.roles.get(key(e.roleName));
      if (r) r.attachedPolicies = r.attachedPolicies.filter((a) => a !== e.policyArn);
      return;
    }
    case "IamPolicyCreated": {
      const arn = `arn:aws:iam::${e.accountId}:policy${e.path}${e.policyName}`;
      iam.policies.set(arn, {
        name: e.policyName,
        id: e.policyId,
        path: e.path,
        ...(e.description !== undefined ? { description: e.description } : {}),
        createDate: at,
        updateDate: at,
        defaultVersionId: "v1",
        versions: [{ versionId: "v1", document: e.document, createDate: at }],
        nextVersion: 2,
        tags: tagMap(e.tags),
      });
      return;
    }
    case "IamPolicyVersionCreated": {
      const p = iam.policies.get(e.policyArn);
      if (!p) return;
      p.versions.push({ versionId: e.versionId, document: e.document, createDate: at });
      p.nextVersion = Number(e.versionId.slice(1)) + 1;
      if (e.setAsDefault) {
        p.defaultVersionId = e.versionId;
        p.updateDate = at;
      }
      return;
    }
    case "IamPolicyVersionDeleted": {
      const p = iam.policies.get(e.policyArn);
      if (p) p.versions = p.versions.filter((v) => v.versionId !== e.versionId);
      return;
    }
    case "IamPolicyDefaultVersionSet": {
      const p = iam.policies.get(e.policyArn);
      if (p) {
        p.defaultVersionId = e.versionId;
        p.updateDate = at;
      }
      return;
    }
    case "IamPolicyDeleted":
      iam.policies.delete(e.policyArn);
      return;
    case "IamInstanceProfileCreated":
      iam.instanceProfiles.set(key(e.name), {
        name: e.name,
        id: e.id,
        path: e.path,
        createDate: at,
        tags: tagMap(e.tags),
      });
      return;
    case "IamInstanceProfileDeleted":
      iam.instanceProfiles.delete(key(e.name));
      return;
    case "IamInstanceProfileRoleAdded": {
      const p = iam.instanceProfiles.get(key(e.name));
      if (p) p.role = key(e.roleName);
      return;
    }
    case "IamInstanceProfileRoleRemoved": {
      const p = iam.instanceProfiles.get(key(e.name));
      if (p?.role === key(e.roleName)) delete p.role;
      return;
    }
    case "IamTagsChanged": {
      const r = e.resource;
      const tags =
        r.kind === "policy"
          ? iam.policies.get(r.arn)?.tags
          : r.kind === "role"
            ? iam.roles.get(key(r.name))?.tags
            : iam.instanceProfiles.get(key(r.name))?.tags;
      if (!tags) return;
      for (const k of e.remove) for (const t of tags.keys()) if (key(t) === key(k)) tags.delete(t);
      for (const [k, v] of e.set) {
        for (const t of tags.keys()) if (key(t) === key(k)) tags.delete(t);
        tags.set(k, v);
      }
      return;
    }
  }
}

/** A role session: what AssumeRole handed out, until it expires. */
export function applyRoleAssumed(state: SandboxState, e: EventOf<"StsRoleAssumed">): void {
  state.stsSessions.set(e.accessKeyId, {
    accountId: e.accountId,
    callerAccountId: e.callerAccountId,
    roleName: e.roleName,
    roleId: e.roleId,
    rolePath: e.rolePath,
    sessionName: e.sessionName,
    accessKeyId: e.accessKeyId,
    secretAccessKey: e.secretAccessKey,
    sessionToken: e.sessionToken,
    expiresAt: e.expiresAt,
  });
}

export { parseIamArn };
