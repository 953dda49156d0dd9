/**
 * IAM and STS in core: roles with trust policies, inline and attached managed policies (AWS's known
 * by name), instance profiles carrying one role (R33), customer managed policies with versions,
 * tags, IAM's own errors — and STS: every account's root identity, AssumeRole between the
 * sandbox's accounts as the trust policy allows, sessions that act as the role's account.
 */
import { describe, expect, it } from "vitest";
import { type CallContext, Sandbox } from "../src/index.ts";
import { A, B, expectEc2Error, US } from "./r01-r13-helpers.ts";

type Any = any;

const a: CallContext = { accountId: A, region: US };
const b: CallContext = { accountId: B, region: US };

const ec2Trust = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }],
});
const accountTrust = (account: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      { Effect: "Allow", Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: "sts:AssumeRole", ...extra },
    ],
  });
const s3Read = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Action: ["s3:GetObject"], Resource: "arn:aws:s3:::cats/*" }],
});

function fresh(events?: Any[]): Sandbox {
  const sb = new Sandbox({ seed: "iam", realNow: () => 0 });
  if (events) sb.subscribe((es) => events.push(...es));
  sb.createAccount({ accountId: A, alias: "sandbox-a" });
  sb.createAccount({ accountId: B });
  return sb;
}
const call = (sb: Sandbox, c: CallContext, action: string, input: Record<string, unknown> = {}): Any =>
  sb.call(c, action, input).output;

describe("IAM roles", () => {
  it("CreateRole answers the role with its ARN, an AROA ID and the trust policy URL-encoded; GetRole and ListRoles agree", () => {
    const sb = fresh();
    const { Role } = call(sb, a, "iam:CreateRole", {
      RoleName: "web",
      Path: "/app/",
      AssumeRolePolicyDocument: ec2Trust,
      Description: "web servers",
      Tags: [{ Key: "team", Value: "cats" }],
    });
    expect(Role).toMatchObject({
      RoleName: "web",
      Path: "/app/",
      Arn: `arn:aws:iam::${A}:role/app/web`,
      AssumeRolePolicyDocument: encodeURIComponent(ec2Trust),
      Description: "web servers",
      MaxSessionDuration: 3600,
      Tags: [{ Key: "team", Value: "cats" }],
    });
    expect(Role.RoleId).toMatch(/^AROA[A-Z2-7]{17}$/);
    expect(Role.CreateDate).toEqual(new Date(sb.now));
    expect(call(sb, a, "iam:GetRole", { RoleName: "WEB" }).Role).toEqual(Role);
    const list = call(sb, a, "iam:ListRoles", {});
    expect(list.Roles.map((r: Any) => r.RoleName)).toEqual(["web"]);
    expect(list.Roles[0].Tags).toBeUndefined();
    // Per account: B sees none of A's roles.
    expect(call(sb, b, "iam:ListRoles", {}).Roles).toEqual([]);
    expectEc2Error(
      () => call(sb, b, "iam:GetRole", { RoleName: "web" }),
      "NoSuchEntity",
      "The role with name web cannot be found.",
    );
  });

  it("names are unique without regard to case; names, paths and trust policies are checked as IAM checks them", () => {
    const sb = fresh();
    call(sb, a, "iam:CreateRole", { RoleName: "Web", AssumeRolePolicyDocument: ec2Trust });
    expectEc2Error(
      () => call(sb, a, "iam:CreateRole", { RoleName: "web", AssumeRolePolicyDocument: ec2Trust }),
      "EntityAlreadyExists",
      "Role with name web already exists.",
    );
    expectEc2Error(
      () => call(sb, a, "iam:CreateRole", { RoleName: "bad name", AssumeRolePolicyDocument: ec2Trust }),
      "ValidationError",
      /Value 'bad name' at 'roleName' failed to satisfy constraint: Member must satisfy regular expression pattern/,
    );
    expectEc2Error(
      () => call(sb, a, "iam:CreateRole", { RoleName: "x", Path: "app", AssumeRolePolicyDocument: ec2Trust }),
      "ValidationError",
    );
    expectEc2Error(
      () => call(sb, a, "iam:CreateRole", { RoleName: "x", AssumeRolePolicyDocument: "{not json" }),
      "MalformedPolicyDocument",
      "This policy contains invalid Json",
    );
    expectEc2Error(
      () => call(sb, a, "iam:CreateRole", { RoleName: "x", AssumeRolePolicyDocument: s3Read }),
      "MalformedPolicyDocument",
    );
    expectEc2Error(
      () =>
        call(sb, a, "iam:CreateRole", {
          RoleName: "x",
          AssumeRolePolicyDocument: JSON.stringify({
            Version: "2012-10-17",
            Statement: [{ Effect: "Allow", Principal: { AWS: "not-an-arn" }, Action: "sts:AssumeRole" }],
          }),
        }),
      "MalformedPolicyDocument",
      /Invalid principal in policy/,
    );
    expectEc2Error(
      () =>
        call(sb, a, "iam:CreateRole", {
          RoleName: "x",
          AssumeRolePolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: [], Padding: "x".repeat(3000) }),
        }),
      "LimitExceeded",
      "Cannot exceed quota for ACLSizePerRole: 2048",
    );
    // Nothing refused left a trace.
    expect(call(sb, a, "iam:ListRoles", {}).Roles.map((r: Any) => r.RoleName)).toEqual(["Web"]);
  });

  it("inline policies: put, get (URL-encoded), list, delete; a Principal in a permissions policy is refused", () => {
    const sb = fresh();
    call(sb, a, "iam:CreateRole", { RoleName: "web", AssumeRolePolicyDocument: ec2Trust });
    call(sb, a, "iam:PutRolePolicy", { RoleName: "web", PolicyName: "s3-read", PolicyDocument: s3Read });
    expect(call(sb, a, "iam:GetRolePolicy", { RoleName: "web", PolicyName: "s3-read" })).toEqual({
      RoleName: "web",
      PolicyName: "s3-read",
      PolicyDocument: encodeURIComponent(s3Read),
    });
    expect(call(sb, a, "iam:ListRolePolicies", { RoleName: "web" })).toEqual({
      PolicyNames: ["s3-read"],
      IsTruncated: false,
    });
    expectEc2Error(
      () => call(sb, a, "iam:PutRolePolicy", { RoleName: "web", PolicyName: "p", PolicyDocument: ec2Trust }),
      "MalformedPolicyDocument",
      "Policy document should not specify a principal.",
    );
    expectEc2Error(
      () => call(sb, a, "iam:DeleteRole", { RoleName: "web" }),
      "DeleteConflict",
      "Cannot delete entity, must delete policies first.",
    );
    call(sb, a, "iam:DeleteRolePolicy", { RoleName: "web", PolicyName: "s3-read" });
    expectEc2Error(
      () => call(sb, a, "iam:GetRolePolicy", { RoleName: "web", PolicyName: "s3-read" }),
      "NoSuchEntity",
      "The role policy with name s3-read cannot be found.",
    );
    call(sb, a, "iam:DeleteRole", { RoleName: "web" });
    expect(call(sb, a, "iam:ListRoles", {}).Roles).toEqual([]);
  });

  it("managed policies: AWS's are known by ARN (AmazonSSMManagedInstanceCore, with its document), unknown ones are NoSuchEntity", () => {
    const sb = fresh();
    call(sb, a, "iam:CreateRole", { RoleName: "web", AssumeRolePolicyDocument: ec2Trust });
    const ssm = "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore";
    call(sb, a, "iam:AttachRolePolicy", { RoleName: "web", PolicyArn: ssm });
    call(sb, a, "iam:AttachRolePolicy", { RoleName: "web", PolicyArn: ssm }); // attaching twice is a no-op
    expect(call(sb, a, "iam:ListAttachedRolePolicies", { RoleName: "web" }).AttachedPolicies).toEqual([
      { PolicyName: "AmazonSSMManagedInstanceCore", PolicyArn: ssm },
    ]);
    const got = call(sb, a, "iam:GetPolicy", { PolicyArn: ssm }).Policy;
    expect(got).toMatchObject({
      PolicyName: "AmazonSSMManagedInstanceCore",
      Path: "/",
      AttachmentCount: 1,
      IsAttachable: true,
    });
    expect(got.PolicyId).toMatch(/^ANPA/);
    const version = call(sb, a, "iam:GetPolicyVersion", {
      PolicyArn: ssm,
      VersionId: got.DefaultVersionId,
    }).PolicyVersion;
    const doc = JSON.parse(decodeURIComponent(version.Document));
    expect(doc.Statement[0].Action).toContain("ssm:UpdateInstanceInformation");
    // In account B the same AWS policy has no attachments.
    expect(call(sb, b, "iam:GetPolicy", { PolicyArn: ssm }).Policy.AttachmentCount).toBe(0);
    expectEc2Error(
      () =>
        call(sb, a, "iam:AttachRolePolicy", {
          RoleName: "web",
          PolicyArn: "arn:aws:iam::aws:policy/NoSuchPolicyAtAll",
        }),
      "NoSuchEntity",
      "Policy arn:aws:iam::aws:policy/NoSuchPolicyAtAll does not exist or is not attachable.",
    );
    expectEc2Error(
      () => call(sb, a, "iam:DeleteRole", { RoleName: "web" }),
      "DeleteConflict",
      "Cannot delete entity, must detach all policies first.",
    );
    call(sb, a, "iam:DetachRolePolicy", { RoleName: "web", PolicyArn: ssm });
    expectEc2Error(() => call(sb, a, "iam:DetachRolePolicy", { RoleName: "web", PolicyArn: ssm }), "NoSuchEntity");
    // The AWS scope lists every AWS managed policy by pages.
    const first = call(sb, a, "iam:ListPolicies", { Scope: "AWS", MaxItems: 100 });
    expect(first.Policies).toHaveLength(100);
    expect(first.IsTruncated).toBe(true);
    const second = call(sb, a, "iam:ListPolicies", { Scope: "AWS", MaxItems: 100, Marker: first.Marker });
    expect(second.Policies[0].PolicyName).not.toBe(first.Policies[0].PolicyName);
  });

  it("customer managed policies: versions up to five, one default, deletion only once detached and alone", () => {
    const sb = fresh();
    const { Policy } = call(sb, a, "iam:CreatePolicy", {
      PolicyName: "cats-read",
      PolicyDocument: s3Read,
      Description: "read cats",
    });
    expect(Policy).toMatchObject({
      PolicyName: "cats-read",
      Arn: `arn:aws:iam::${A}:policy/cats-read`,
      DefaultVersionId: "v1",
      AttachmentCount: 0,
      Description: "read cats",
    });
    expectEc2Error(
      () => call(sb, a, "iam:CreatePolicy", { PolicyName: "CATS-READ", PolicyDocument: s3Read }),
      "EntityAlreadyExists",
      "A policy called CATS-READ already exists. Duplicate names are not allowed.",
    );
    for (let i = 2; i <= 5; i++) {
      expect(
        call(sb, a, "iam:CreatePolicyVersion", { PolicyArn: Policy.Arn, PolicyDocument: s3Read, SetAsDefault: i === 3 })
          .PolicyVersion,
      ).toMatchObject({ VersionId: `v${i}`, IsDefaultVersion: i === 3 });
    }
    expectEc2Error(
      () => call(sb, a, "iam:CreatePolicyVersion", { PolicyArn: Policy.Arn, PolicyDocument: s3Read }),
      "LimitExceeded",
      /up to 5 versions/,
    );
    expect(call(sb, a, "iam:GetPolicy", { PolicyArn: Policy.Arn }).Policy.DefaultVersionId).toBe("v3");
    expectEc2Error(
      () => call(sb, a, "iam:DeletePolicyVersion", { PolicyArn: Policy.Arn, VersionId: "v3" }),
      "DeleteConflict",
      "Cannot delete the default version of a policy.",
    );
    call(sb, a, "iam:CreateRole", { RoleName: "web", AssumeRolePolicyDocument: ec2Trust });
    call(sb, a, "iam:AttachRolePolicy", { RoleName: "web", PolicyArn: Policy.Arn });
    expect(call(sb, a, "iam:ListEntitiesForPolicy", { PolicyArn: Policy.Arn }).PolicyRoles).toEqual([
      { RoleName: "web", RoleId: call(sb, a, "iam:GetRole", { RoleName: "web" }).Role.RoleId },
    ]);
    expectEc2Error(
      () => call(sb, a, "iam:DeletePolicy", { PolicyArn: Policy.Arn }),
      "DeleteConflict",
      "Cannot delete a policy attached to entities.",
    );
    call(sb, a, "iam:DetachRolePolicy", { RoleName: "web", PolicyArn: Policy.Arn });
    expectEc2Error(
      () => call(sb, a, "iam:DeletePolicy", { PolicyArn: Policy.Arn }),
      "DeleteConflict",
      /more than one version/,
    );
    for (const v of ["v1", "v2", "v4", "v5"])
      call(sb, a, "iam:DeletePolicyVersion", { PolicyArn: Policy.Arn, VersionId: v });
    call(sb, a, "iam:DeletePolicy", { PolicyArn: Policy.Arn });
    expectEc2Error(() => call(sb, a, "iam:GetPolicy", { PolicyArn: Policy.Arn }), "NoSuchEntity");
    // Version numbers are never reused: a new policy of the same name starts at v1 again, its own.
    expect(
      call(sb, a, "iam:CreatePolicy", { PolicyName: "cats-read", PolicyDocument: s3Read }).Policy.DefaultVersionId,
    ).toBe("v1");
  });

  it("tags on roles, instance profiles and policies: set, replaced without regard to case, removed, at most 50", () => {
    const sb = fresh();
    call(sb, a, "iam:CreateRole", {
      RoleName: "web",
      AssumeRolePolicyDocument: ec2Trust,
      Tags: [{ Key: "Env", Value: "dev" }],
    });
    call(sb, a, "iam:TagRole", {
      RoleName: "web",
      Tags: [
        { Key: "env", Value: "prod" },
        { Key: "team", Value: "cats" },
      ],
    });
    expect(call(sb, a, "iam:ListRoleTags", { RoleName: "web" }).Tags).toEqual([
      { Key: "env", Value: "prod" },
      { Key: "team", Value: "cats" },
    ]);
    call(sb, a, "iam:UntagRole", { RoleName: "web", TagKeys: ["TEAM"] });
    expect(call(sb, a, "iam:GetRole", { RoleName: "web" }).Role.Tags).toEqual([{ Key: "env", Value: "prod" }]);
    const many = Array.from({ length: 50 }, (_, i) => ({ Key: `k${i}`, Value: "v" }));
    expectEc2Error(() => call(sb, a, "iam:TagRole", { RoleName: "web", Tags: many }), "LimitExceeded");
    expectEc2Error(
      () =>
        call(sb, a, "iam:TagRole", {
          RoleName: "web",
          Tags: [
            { Key: "a", Value: "1" },
            { Key: "A", Value: "2" },
          ],
        }),
      "InvalidInput",
      /Duplicate tag keys/,
    );
    call(sb, a, "iam:CreateInstanceProfile", { InstanceProfileName: "web", Tags: [{ Key: "x", Value: "1" }] });
    call(sb, a, "iam:TagInstanceProfile", { InstanceProfileName: "web", Tags: [{ Key: "y", Value: "2" }] });
    expect(call(sb, a, "iam:ListInstanceProfileTags", { InstanceProfileName: "web" }).Tags).toHaveLength(2);
  });
});

describe("instance profiles", () => {
  it("R33 an instance profile carries one role: a second AddRoleToInstanceProfile is LimitExceeded", () => {
    const sb = fresh();
    call(sb, a, "iam:CreateRole", { RoleName: "web", AssumeRolePolicyDocument: ec2Trust });
    call(sb, a, "iam:CreateRole", { RoleName: "db", AssumeRolePolicyDocument: ec2Trust });
    const { InstanceProfile } = call(sb, a, "iam:CreateInstanceProfile", {
      InstanceProfileName: "web-profile",
      Path: "/app/",
    });
    expect(InstanceProfile).toMatchObject({
      InstanceProfileName: "web-profile",
      Arn: `arn:aws:iam::${A}:instance-profile/app/web-profile`,
      Path: "/app/",
      Roles: [],
    });
    expect(InstanceProfile.InstanceProfileId).toMatch(/^AIPA[A-Z2-7]{17}$/);
    call(sb, a, "iam:AddRoleToInstanceProfile", { InstanceProfileName: "web-profile", RoleName: "web" });
    expectEc2Error(
      () => call(sb, a, "iam:AddRoleToInstanceProfile", { InstanceProfileName: "web-profile", RoleName: "db" }),
      "LimitExceeded",
      "Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1",
    );
    const got = call(sb, a, "iam:GetInstanceProfile", { InstanceProfileName: "web-profile" }).InstanceProfile;
    expect(got.Roles.map((r: Any) => r.RoleName)).toEqual(["web"]);
    expect(
      call(sb, a, "iam:ListInstanceProfilesForRole", { RoleName: "web" }).InstanceProfiles.map(
        (p: Any) => p.InstanceProfileName,
      ),
    ).toEqual(["web-profile"]);
    expectEc2Error(
      () => call(sb, a, "iam:DeleteRole", { RoleName: "web" }),
      "DeleteConflict",
      "Cannot delete entity, must remove roles from instance profile first.",
    );
    expectEc2Error(
      () => call(sb, a, "iam:DeleteInstanceProfile", { InstanceProfileName: "web-profile" }),
      "DeleteConflict",
    );
    call(sb, a, "iam:RemoveRoleFromInstanceProfile", { InstanceProfileName: "web-profile", RoleName: "web" });
    call(sb, a, "iam:AddRoleToInstanceProfile", { InstanceProfileName: "web-profile", RoleName: "db" });
    call(sb, a, "iam:RemoveRoleFromInstanceProfile", { InstanceProfileName: "web-profile", RoleName: "db" });
    call(sb, a, "iam:DeleteInstanceProfile", { InstanceProfileName: "web-profile" });
    expectEc2Error(
      () => call(sb, a, "iam:GetInstanceProfile", { InstanceProfileName: "web-profile" }),
      "NoSuchEntity",
      "Instance Profile web-profile cannot be found.",
    );
  });
});

describe("STS", () => {
  it("GetCallerIdentity: each account's keys are its root user", () => {
    const sb = fresh();
    expect(call(sb, a, "sts:GetCallerIdentity")).toEqual({ UserId: A, Account: A, Arn: `arn:aws:iam::${A}:root` });
    expect(call(sb, b, "sts:GetCallerIdentity")).toEqual({ UserId: B, Account: B, Arn: `arn:aws:iam::${B}:root` });
  });

  it("AssumeRole across the sandbox's accounts as the trust policy allows; the session acts as the role's account", () => {
    const sb = fresh();
    const role = call(sb, b, "iam:CreateRole", {
      RoleName: "deployer",
      AssumeRolePolicyDocument: accountTrust(A),
    }).Role;
    const out = call(sb, a, "sts:AssumeRole", {
      RoleArn: role.Arn,
      RoleSessionName: "ci-run-1",
      DurationSeconds: 1800,
    });
    expect(out.AssumedRoleUser).toEqual({
      AssumedRoleId: `${role.RoleId}:ci-run-1`,
      Arn: `arn:aws:sts::${B}:assumed-role/deployer/ci-run-1`,
    });
    expect(out.Credentials.AccessKeyId).toMatch(/^ASIA[A-Z2-7]{16}$/);
    expect(out.Credentials.SecretAccessKey).toHaveLength(40);
    expect(out.Credentials.Expiration).toEqual(new Date(sb.now + 1800_000));
    // The session's keys are B's now; GetCallerIdentity says who.
    expect(sb.accountForAccessKey(out.Credentials.AccessKeyId)).toEqual({
      accountId: B,
      secretAccessKey: out.Credentials.SecretAccessKey,
    });
    const asSession = { accountId: B, region: US, accessKeyId: out.Credentials.AccessKeyId };
    expect(call(sb, asSession, "sts:GetCallerIdentity")).toEqual({
      UserId: `${role.RoleId}:ci-run-1`,
      Account: B,
      Arn: `arn:aws:sts::${B}:assumed-role/deployer/ci-run-1`,
    });
    // It expires on the sandbox clock.
    sb.advance(1800_000);
    expect(sb.accountForAccessKey(out.Credentials.AccessKeyId)).toBeUndefined();
  });

  it("AssumeRole refuses what the trust policy does not allow, a missing role, and a duration over the role's maximum", () => {
    const sb = fresh();
    const role = call(sb, b, "iam:CreateRole", {
      RoleName: "deployer",
      AssumeRolePolicyDocument: accountTrust(B),
    }).Role;
    expectEc2Error(
      () => call(sb, a, "sts:AssumeRole", { RoleArn: role.Arn, RoleSessionName: "s1" }),
      "AccessDenied",
      `User: arn:aws:iam::${A}:root is not authorized to perform: sts:AssumeRole on resource: ${role.Arn}`,
    );
    expectEc2Error(
      () => call(sb, a, "sts:AssumeRole", { RoleArn: `arn:aws:iam::${B}:role/missing`, RoleSessionName: "s1" }),
      "AccessDenied",
    );
    // An EC2 service role cannot be assumed by an account.
    const web = call(sb, a, "iam:CreateRole", { RoleName: "web", AssumeRolePolicyDocument: ec2Trust }).Role;
    expectEc2Error(() => call(sb, a, "sts:AssumeRole", { RoleArn: web.Arn, RoleSessionName: "s1" }), "AccessDenied");
    // ExternalId conditions are judged.
    const ext = call(sb, b, "iam:CreateRole", {
      RoleName: "vendor",
      AssumeRolePolicyDocument: accountTrust(A, { Condition: { StringEquals: { "sts:ExternalId": "s3cret" } } }),
    }).Role;
    expectEc2Error(() => call(sb, a, "sts:AssumeRole", { RoleArn: ext.Arn, RoleSessionName: "s1" }), "AccessDenied");
    expect(
      call(sb, a, "sts:AssumeRole", { RoleArn: ext.Arn, RoleSessionName: "s1", ExternalId: "s3cret" }).Credentials,
    ).toBeDefined();
    const own = call(sb, b, "iam:CreateRole", { RoleName: "self", AssumeRolePolicyDocument: accountTrust(A) }).Role;
    expectEc2Error(
      () => call(sb, a, "sts:AssumeRole", { RoleArn: own.Arn, RoleSessionName: "s1", DurationSeconds: 7200 }),
      "ValidationError",
      "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
    );
  });

  it("IAM and STS state replays exactly and survives a snapshot", async () => {
    const { snapshotState } = await import("../src/index.ts");
    const events: Any[] = [];
    const sb = fresh(events);
    call(sb, a, "iam:CreateRole", {
      RoleName: "web",
      AssumeRolePolicyDocument: ec2Trust,
      Tags: [{ Key: "a", Value: "b" }],
    });
    call(sb, a, "iam:PutRolePolicy", { RoleName: "web", PolicyName: "s3", PolicyDocument: s3Read });
    call(sb, a, "iam:AttachRolePolicy", {
      RoleName: "web",
      PolicyArn: "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore",
    });
    call(sb, a, "iam:CreateInstanceProfile", { InstanceProfileName: "web" });
    call(sb, a, "iam:AddRoleToInstanceProfile", { InstanceProfileName: "web", RoleName: "web" });
    const p = call(sb, a, "iam:CreatePolicy", { PolicyName: "p", PolicyDocument: s3Read }).Policy;
    call(sb, a, "iam:CreatePolicyVersion", { PolicyArn: p.Arn, PolicyDocument: s3Read, SetAsDefault: true });
    const deployer = call(sb, b, "iam:CreateRole", {
      RoleName: "deployer",
      AssumeRolePolicyDocument: accountTrust(A),
    }).Role;
    const creds = call(sb, a, "sts:AssumeRole", { RoleArn: deployer.Arn, RoleSessionName: "s2" }).Credentials;
    const view = (s: Sandbox) => ({
      roles: call(s, a, "iam:ListRoles", {}),
      web: call(s, a, "iam:GetRole", { RoleName: "web" }),
      inline: call(s, a, "iam:ListRolePolicies", { RoleName: "web" }),
      attached: call(s, a, "iam:ListAttachedRolePolicies", { RoleName: "web" }),
      profile: call(s, a, "iam:GetInstanceProfile", { InstanceProfileName: "web" }),
      policy: call(s, a, "iam:GetPolicy", { PolicyArn: p.Arn }),
      versions: call(s, a, "iam:ListPolicyVersions", { PolicyArn: p.Arn }),
      session: s.accountForAccessKey(creds.AccessKeyId),
    });
    const replayed = Sandbox.replay(events, { seed: "iam", realNow: () => 0 });
    expect(view(replayed)).toEqual(view(sb));
    const restored = Sandbox.fromSnapshot(JSON.parse(JSON.stringify(snapshotState(sb))), { realNow: () => 0 });
    expect(view(restored)).toEqual(view(sb));
    // And they go on identically: the next IDs are the same.
    const next = (s: Sandbox) =>
      call(s, a, "iam:CreateRole", { RoleName: "next", AssumeRolePolicyDocument: ec2Trust }).Role.RoleId;
    expect(next(restored)).toBe(next(sb));
  });
});
