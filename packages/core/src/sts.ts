/**
 * STS: who the caller is, and role sessions. An account's own keys are its root user
 * (`arn:aws:iam::ACCOUNT:root`, whose user ID is the account ID). `AssumeRole` hands out temporary
 * credentials for a role of any of the sandbox's accounts whose trust policy allows the caller;
 * they act as the role's account until they expire (on the sandbox clock). What the role's
 * permissions policies allow is not enforced (see iam/policy-document.ts).
 */
import type { AssumeRoleResponse, GetCallerIdentityResponse } from "@aws-sdk/client-sts";
import { Ec2Error } from "./errors.ts";
import { findRole, roleArn, trustAllows } from "./iam/index.ts";
import { instanceRoleSession } from "./instance-profile-associations.ts";
import type { SandboxState } from "./state.ts";
import type { Tx } from "./tx.ts";

type Out<T> = Omit<T, "$metadata">;

/** What AssumeRole handed out. */
export interface StsSession {
  accountId: string;
  callerAccountId: string;
  roleName: string;
  roleId: string;
  rolePath: string;
  sessionName: string;
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  /** Simulated epoch ms. */
  expiresAt: number;
}

const KEY_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const SECRET_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

export const sessionArn = (s: Pick<StsSession, "accountId" | "roleName" | "sessionName">): string =>
  `arn:aws:sts::${s.accountId}:assumed-role/${s.roleName}/${s.sessionName}`;

/** The live session an access key belongs to, if it is one (expired sessions are gone). */
export function sessionOf(state: SandboxState, accessKeyId: string | undefined, now: number): StsSession | undefined {
  if (!accessKeyId?.startsWith("ASIA")) return undefined;
  const s = state.stsSessions.get(accessKeyId);
  return s && s.expiresAt > now ? s : undefined;
}

const validation = (message: string) => new Ec2Error("ValidationError", message, 400);

export const stsActions = {
  "sts:GetCallerIdentity"(tx: Tx): Out<GetCallerIdentityResponse> {
    const session = sessionOf(tx.state, tx.ctx.accessKeyId, tx.now);
    if (session) {
      return {
        UserId: `${session.roleId}:${session.sessionName}`,
        Account: session.accountId,
        Arn: sessionArn(session),
      };
    }
    const instanceRole = tx.ctx.accessKeyId ? instanceRoleSession(tx.state, tx.ctx.accessKeyId, tx.now) : undefined;
    if (instanceRole) return { UserId: instanceRole.userId, Account: instanceRole.accountId, Arn: instanceRole.arn };
    const account = tx.ctx.accountId;
    return { UserId: account, Account: account, Arn: `arn:aws:iam::${account}:root` };
  },

  "sts:AssumeRole"(
    tx: Tx,
    input: { RoleArn?: string; RoleSessionName?: string; DurationSeconds?: number; ExternalId?: string },
  ): Out<AssumeRoleResponse> {
    const arn = input.RoleArn ?? "";
    const sessionName = input.RoleSessionName ?? "";
    const badSessionName = (constraint: string) =>
      validation(
        `1 validation error detected: Value '${sessionName.slice(0, 100)}' at 'roleSessionName' failed to satisfy constraint: ${constraint}`,
      );
    if (sessionName.length < 2) throw badSessionName("Member must have length greater than or equal to 2");
    if (sessionName.length > 64) throw badSessionName("Member must have length less than or equal to 64");
    if (!/^[\w+=,.@-]+$/.test(sessionName)) {
      throw badSessionName("Member must satisfy regular expression pattern: [\\w+=,.@-]*");
    }
    const m = /^arn:aws:iam::(\d{12}):role(\/(?:[\u0021-\u007E]+\/)?)?([\w+=,.@-]+)$/.exec(arn);
    if (!m) throw validation(`${arn} is invalid`);
    const [, accountId, , roleName] = m as unknown as [string, string, string | undefined, string];
    const caller = sessionOf(tx.state, tx.ctx.accessKeyId, tx.now);
    const callerArn = caller ? sessionArn(caller) : `arn:aws:iam::${tx.ctx.accountId}:root`;
    const denied = () =>
      new Ec2Error(
        "AccessDenied",
        `User: ${callerArn} is not authorized to perform: sts:AssumeRole on resource: ${arn}`,
        403,
      );
    const role = tx.state.accounts.has(accountId) ? findRole(tx, roleName, accountId) : undefined;
    if (!role || roleArn(accountId, role) !== arn) throw denied();
    const who = {
      accountId: tx.ctx.accountId,
      arns: caller
        ? [callerArn, roleArn(caller.accountId, { path: caller.rolePath, roleName: caller.roleName })]
        : [callerArn],
      sessionName,
      ...(input.ExternalId !== undefined ? { externalId: input.ExternalId } : {}),
    };
    if (!trustAllows(role.assumeRolePolicyDocument, who)) throw denied();
    const duration = input.DurationSeconds ?? 3600;
    if (!Number.isInteger(duration) || duration < 900) {
      throw validation(
        `1 validation error detected: Value '${duration}' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900`,
      );
    }
    if (duration > role.maxSessionDuration) {
      throw validation("The requested DurationSeconds exceeds the MaxSessionDuration set for this role.");
    }
    const accessKeyId = `ASIA${tx.newChars(16, KEY_ALPHABET)}`;
    const secretAccessKey = tx.newChars(40, SECRET_ALPHABET);
    const sessionToken = `IQoJb3JpZ2luX2VjE${tx.newChars(300, SECRET_ALPHABET)}`;
    const expiresAt = Math.floor((tx.now + duration * 1000) / 1000) * 1000;
    tx.emit({
      type: "StsRoleAssumed",
      accountId,
      callerAccountId: tx.ctx.accountId,
      roleName: role.roleName,
      roleId: role.roleId,
      rolePath: role.path,
      sessionName,
      accessKeyId,
      secretAccessKey,
      sessionToken,
      expiresAt,
    });
    return {
      Credentials: {
        AccessKeyId: accessKeyId,
        SecretAccessKey: secretAccessKey,
        SessionToken: sessionToken,
        Expiration: new Date(expiresAt),
      },
      AssumedRoleUser: {
        AssumedRoleId: `${role.roleId}:${sessionName}`,
        Arn: sessionArn({ accountId, roleName: role.roleName, sessionName }),
      },
      PackedPolicySize: 0,
    };
  },
};
