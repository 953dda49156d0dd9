/**
 * Instance profiles on instances (R33): RunInstances' `IamInstanceProfile` (by name or ARN, in the
 * caller's account), Associate/Replace/Disassociate/DescribeIamInstanceProfileAssociations, and
 * what the guest sees: the instance metadata service's `iam/info` and
 * `iam/security-credentials/<role>` with temporary credentials for the profile's role, rotating
 * every hour of sandbox time (each set valid six hours). EC2 gets them only if the role's trust
 * policy allows `ec2.amazonaws.com`; otherwise the metadata service answers
 * `AssumeRoleUnauthorizedAccess`, as on AWS. Those credentials also sign requests to the endpoint,
 * as the role (`assumed-role/<role>/<instance-id>`), while they are valid.
 */
import type { IamInstanceProfileAssociation as Ec2Association } from "@aws-sdk/client-ec2";
import { Ec2Error, errors } from "./errors.ts";
import type { EventOf } from "./events.ts";
import { compileFilters, type Filter, paginate } from "./filters.ts";
import { instanceProfileArn, parseIamArn, trustAllows } from "./iam/index.ts";
import { readIamOf } from "./iam/model.ts";
import { hash32, looksLikeId } from "./ids.ts";
import type { IamInstanceProfileAssociation, Instance } from "./model.ts";
import { regionState, type SandboxState } from "./state.ts";
import type { Tx } from "./tx.ts";

export interface ProfileSpec {
  Arn?: string;
  Name?: string;
}

const HOUR = 3_600_000;
const VALID_FOR = 6 * HOUR;
const KEY_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const SECRET_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/** The instance profile a request names, in the caller's account: its ARN and ID. */
export function requireProfileForInstance(tx: Tx, spec: ProfileSpec): { arn: string; id: string } {
  if (spec.Arn !== undefined && spec.Name !== undefined) {
    throw errors.invalidCombination(
      "The parameter iamInstanceProfile.name may not be used in combination with iamInstanceProfile.arn",
    );
  }
  const iam = readIamOf(tx.state, tx.ctx.accountId);
  if (spec.Arn !== undefined) {
    const parts = parseIamArn(spec.Arn, "instance-profile");
    const p = parts?.accountId === tx.ctx.accountId ? iam.instanceProfiles.get(parts.name.toLowerCase()) : undefined;
    if (!p || instanceProfileArn(tx.ctx.accountId, p) !== spec.Arn) {
      throw errors.invalidParameterValue(
        `Value (${spec.Arn}) for parameter iamInstanceProfile.arn is invalid. Invalid IAM Instance Profile ARN`,
      );
    }
    return { arn: spec.Arn, id: p.id };
  }
  const name = spec.Name ?? "";
  const p = iam.instanceProfiles.get(name.toLowerCase());
  if (!p) {
    throw errors.invalidParameterValue(
      `Value (${name}) for parameter iamInstanceProfile.name is invalid. Invalid IAM Instance Profile name`,
    );
  }
  return { arn: instanceProfileArn(tx.ctx.accountId, p), id: p.id };
}

/** RunInstances' IamInstanceProfile: the profile and a new association for each instance. */
export function launchProfile(tx: Tx, spec: ProfileSpec | undefined): { arn: string; id: string } | undefined {
  if (!spec || (spec.Arn === undefined && spec.Name === undefined)) return undefined;
  return requireProfileForInstance(tx, spec);
}

export function applyProfileAssociationEvent(
  state: SandboxState,
  e: EventOf<"IamInstanceProfileAssociated" | "IamInstanceProfileDisassociated">,
  at: number,
): void {
  const inst = regionState(state, e.region).instances.get(e.instanceId);
  if (!inst) return;
  if (e.type === "IamInstanceProfileAssociated") {
    inst.iamInstanceProfile = { associationId: e.associationId, arn: e.arn, id: e.id, since: at };
  } else if (inst.iamInstanceProfile?.associationId === e.associationId) {
    delete inst.iamInstanceProfile;
  }
}

/** DescribeInstances' IamInstanceProfile. */
export const toEc2IamInstanceProfile = (i: Instance): { Arn: string; Id: string } | undefined =>
  i.iamInstanceProfile && i.state !== "terminated"
    ? { Arn: i.iamInstanceProfile.arn, Id: i.iamInstanceProfile.id }
    : undefined;

const toAssociation = (i: Instance, a: IamInstanceProfileAssociation, state: string): Ec2Association => ({
  AssociationId: a.associationId,
  InstanceId: i.instanceId,
  IamInstanceProfile: { Arn: a.arn, Id: a.id },
  State: state as never,
  Timestamp: new Date(a.since),
});

function requireAssociation(tx: Tx, associationId: string | undefined): Instance {
  if (!associationId) throw errors.missingParameter("AssociationId");
  const notFound = () =>
    new Ec2Error("InvalidAssociationID.NotFound", `An association with ID ${associationId} does not exist.`);
  if (!looksLikeId("iip-assoc", associationId)) throw notFound();
  for (const i of tx.region.instances.values()) {
    if (
      i.ownerId === tx.ctx.accountId &&
      i.state !== "terminated" &&
      i.iamInstanceProfile?.associationId === associationId
    ) {
      return i;
    }
  }
  throw notFound();
}

function requireLiveInstance(tx: Tx, instanceId: string | undefined): Instance {
  if (!instanceId) throw errors.missingParameter("InstanceId");
  if (!looksLikeId("i", instanceId)) throw errors.instanceMalformed(instanceId);
  const i = tx.region.instances.get(instanceId);
  if (!i || i.ownerId !== tx.ctx.accountId) throw errors.instanceNotFound(instanceId);
  if (i.state === "terminated" || i.state === "shutting-down") {
    throw errors.incorrectInstanceState(i.instanceId, i.state, "associated with an instance profile");
  }
  return i;
}

const associationFields = {
  "instance-id": (i: Instance) => i.instanceId,
  state: () => "associated",
};

export const profileAssociationActions = {
  AssociateIamInstanceProfile(tx: Tx, input: { IamInstanceProfile?: ProfileSpec; InstanceId?: string }) {
    const inst = requireLiveInstance(tx, input.InstanceId);
    if (!input.IamInstanceProfile) throw errors.missingParameter("IamInstanceProfile");
    const profile = requireProfileForInstance(tx, input.IamInstanceProfile);
    if (inst.iamInstanceProfile) {
      throw new Ec2Error("IncorrectState", `There is an existing association for instance ${inst.instanceId}`);
    }
    const associationId = tx.newId("iamInstanceProfileAssociation");
    tx.emit({
      type: "IamInstanceProfileAssociated",
      region: tx.ctx.region,
      instanceId: inst.instanceId,
      associationId,
      ...profile,
    });
    return { IamInstanceProfileAssociation: toAssociation(inst, inst.iamInstanceProfile!, "associating") };
  },

  ReplaceIamInstanceProfileAssociation(tx: Tx, input: { IamInstanceProfile?: ProfileSpec; AssociationId?: string }) {
    const inst = requireAssociation(tx, input.AssociationId);
    if (!input.IamInstanceProfile) throw errors.missingParameter("IamInstanceProfile");
    const profile = requireProfileForInstance(tx, input.IamInstanceProfile);
    const associationId = tx.newId("iamInstanceProfileAssociation");
    tx.emit({
      type: "IamInstanceProfileDisassociated",
      region: tx.ctx.region,
      instanceId: inst.instanceId,
      associationId: input.AssociationId!,
    });
    tx.emit({
      type: "IamInstanceProfileAssociated",
      region: tx.ctx.region,
      instanceId: inst.instanceId,
      associationId,
      ...profile,
    });
    return { IamInstanceProfileAssociation: toAssociation(inst, inst.iamInstanceProfile!, "associating") };
  },

  DisassociateIamInstanceProfile(tx: Tx, input: { AssociationId?: string }) {
    const inst = requireAssociation(tx, input.AssociationId);
    const before = inst.iamInstanceProfile!;
    tx.emit({
      type: "IamInstanceProfileDisassociated",
      region: tx.ctx.region,
      instanceId: inst.instanceId,
      associationId: before.associationId,
    });
    return { IamInstanceProfileAssociation: toAssociation(inst, before, "disassociating") };
  },

  DescribeIamInstanceProfileAssociations(
    tx: Tx,
    input: { AssociationIds?: string[]; Filters?: Filter[]; MaxResults?: number; NextToken?: string },
  ) {
    const mine = [...tx.region.instances.values()].filter(
      (i) => i.ownerId === tx.ctx.accountId && i.state !== "terminated" && i.iamInstanceProfile,
    );
    const ids = input.AssociationIds ?? [];
    for (const id of ids) requireAssociation(tx, id);
    const match = compileFilters(input.Filters, associationFields);
    const rows = mine.filter((i) => (!ids.length || ids.includes(i.iamInstanceProfile!.associationId)) && match(i));
    const { page, nextToken } = paginate(rows, input, { min: 5, max: 1000 }, "iip-associations");
    return {
      IamInstanceProfileAssociations: page.map((i) => toAssociation(i, i.iamInstanceProfile!, "associated")),
      ...(nextToken ? { NextToken: nextToken } : {}),
    };
  },
};

// ── what the guest sees: the instance metadata service's iam/ tree ─────────────────────────────

interface InstanceRole {
  accountId: string;
  profileArn: string;
  profileId: string;
  roleName?: string;
  roleId?: string;
  /** R33: EC2 may assume the role only when its trust policy allows ec2.amazonaws.com. */
  assumable: boolean;
}

function roleOf(state: SandboxState, inst: Instance): InstanceRole | undefined {
  const a = inst.iamInstanceProfile;
  if (!a || inst.state === "terminated") return undefined;
  const parts = parseIamArn(a.arn, "instance-profile");
  if (!parts) return undefined;
  const iam = readIamOf(state, parts.accountId);
  const profile = iam.instanceProfiles.get(parts.name.toLowerCase());
  const base = { accountId: parts.accountId, profileArn: a.arn, profileId: a.id };
  if (!profile || profile.id !== a.id || !profile.role) return { ...base, assumable: false };
  const role = iam.roles.get(profile.role);
  if (!role) return { ...base, assumable: false };
  return {
    ...base,
    roleName: role.roleName,
    roleId: role.roleId,
    assumable: trustAllows(role.assumeRolePolicyDocument, { service: "ec2.amazonaws.com" }),
  };
}

const chars = (seed: string, text: string, length: number, alphabet: string): string => {
  let out = "";
  for (let i = 0; out.length < length; i++) {
    const h = hash32(`${seed}:${text}:${i}`, 13);
    for (let b = 0; b < 4 && out.length < length; b++) out += alphabet[((h >>> (b * 8)) & 0xff) % alphabet.length];
  }
  return out;
};

interface RoleCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  token: string;
  lastUpdated: number;
  expiration: number;
}

/** The credentials of an association's rotation window `k` (a pure function of the seed). */
function credentialsFor(state: SandboxState, a: IamInstanceProfileAssociation, k: number): RoleCredentials {
  const text = `imds:${a.associationId}:${k}`;
  const lastUpdated = a.since + k * HOUR;
  return {
    accessKeyId: `ASIA${chars(state.seed, `${text}:key`, 16, KEY_ALPHABET)}`,
    secretAccessKey: chars(state.seed, `${text}:secret`, 40, SECRET_ALPHABET),
    token: `IQoJb3JpZ2luX2VjE${chars(state.seed, `${text}:token`, 300, SECRET_ALPHABET)}`,
    lastUpdated,
    expiration: lastUpdated + VALID_FOR,
  };
}

const window = (a: IamInstanceProfileAssociation, now: number): number =>
  Math.max(0, Math.floor((now - a.since) / HOUR));

const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");

/** IMDS's JSON style: two-space indent, ` : ` between key and value. */
const imdsJson = (fields: [string, string][]): string =>
  `{\n${fields.map(([k, v]) => `  "${k}" : "${v}"`).join(",\n")}\n}`;

/**
 * The instance metadata service's `iam/` tree as the instance sees it at `now`: path (below
 * `/latest/meta-data/`) -> body. Undefined when no instance profile is associated (IMDS answers 404).
 */
export function instanceRoleMetadata(
  state: SandboxState,
  inst: Instance,
  now: number,
): Record<string, string> | undefined {
  const r = roleOf(state, inst);
  const a = inst.iamInstanceProfile;
  if (!r || !a) return undefined;
  const creds = credentialsFor(state, a, window(a, now));
  const refused = imdsJson([
    ["Code", "AssumeRoleUnauthorizedAccess"],
    [
      "Message",
      `EC2 cannot assume the role ${r.roleName ?? "(none)"}. Please see documentation at https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_switch-role-ec2.html#troubleshoot_roles_ec2-role-assume.`,
    ],
    ["LastUpdated", iso(creds.lastUpdated)],
  ]);
  const out: Record<string, string> = {
    iam: "info\nsecurity-credentials/",
    "iam/info": r.assumable
      ? imdsJson([
          ["Code", "Success"],
          ["LastUpdated", iso(creds.lastUpdated)],
          ["InstanceProfileArn", r.profileArn],
          ["InstanceProfileId", r.profileId],
        ])
      : refused,
  };
  if (r.roleName) {
    out["iam/security-credentials"] = r.roleName;
    out[`iam/security-credentials/${r.roleName}`] = r.assumable
      ? imdsJson([
          ["Code", "Success"],
          ["LastUpdated", iso(creds.lastUpdated)],
          ["Type", "AWS-HMAC"],
          ["AccessKeyId", creds.accessKeyId],
          ["SecretAccessKey", creds.secretAccessKey],
          ["Token", creds.token],
          ["Expiration", iso(creds.expiration)],
        ])
      : refused;
  }
  return out;
}

/** An instance role's live credentials by access key: who they act as (endpoint signing, GetCallerIdentity). */
export function instanceRoleSession(
  state: SandboxState,
  accessKeyId: string,
  now: number,
): { accountId: string; secretAccessKey: string; arn: string; userId: string } | undefined {
  if (!accessKeyId.startsWith("ASIA")) return undefined;
  for (const region of state.regions.values()) {
    for (const inst of region.instances.values()) {
      const a = inst.iamInstanceProfile;
      if (!a || inst.state === "terminated") continue;
      const k = window(a, now);
      for (let w = k; w >= 0 && w > k - VALID_FOR / HOUR; w--) {
        const c = credentialsFor(state, a, w);
        if (c.accessKeyId !== accessKeyId || c.expiration <= now) continue;
        const r = roleOf(state, inst);
        if (!r?.assumable || !r.roleName) return undefined;
        return {
          accountId: r.accountId,
          secretAccessKey: c.secretAccessKey,
          arn: `arn:aws:sts::${r.accountId}:assumed-role/${r.roleName}/${inst.instanceId}`,
          userId: `${r.roleId}:${inst.instanceId}`,
        };
      }
    }
  }
  return undefined;
}
