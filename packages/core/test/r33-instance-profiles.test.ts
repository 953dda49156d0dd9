/**
 * R33: an instance profile carries one IAM role; an instance launched with it can read temporary
 * credentials for that role from its metadata service; the role's trust policy must allow
 * `ec2.amazonaws.com`. Plus the EC2 side of instance profiles: RunInstances' IamInstanceProfile,
 * Associate/Replace/Disassociate/DescribeIamInstanceProfileAssociations.
 */
import { describe, expect, it } from "vitest";
import { type CallContext, Sandbox, snapshotState } from "../src/index.ts";
import {
  A,
  AL2023_X86,
  ami,
  B,
  describeInstance,
  expectEc2Error,
  launch,
  ok,
  sh,
  US,
  waitFor,
} from "./r01-r13-helpers.ts";

type Any = any;

const a: CallContext = { accountId: A, region: US };
const b: CallContext = { accountId: B, region: US };
const MD = "http://169.254.169.254/latest/meta-data";

const trust = (principal: Record<string, string>) =>
  JSON.stringify({
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Principal: principal, Action: "sts:AssumeRole" }],
  });

function world(events?: Any[]) {
  const sb = new Sandbox({ seed: "r33", realNow: () => 0 });
  if (events) sb.subscribe((es) => events.push(...es));
  sb.createAccount({ accountId: A });
  sb.createAccount({ accountId: B });
  const call = (c: CallContext, action: string, input: Record<string, unknown> = {}): Any =>
    sb.call(c, action, input).output;
  const role = call(a, "iam:CreateRole", {
    RoleName: "web-role",
    AssumeRolePolicyDocument: trust({ Service: "ec2.amazonaws.com" }),
  }).Role;
  const profile = call(a, "iam:CreateInstanceProfile", { InstanceProfileName: "web-profile" }).InstanceProfile;
  call(a, "iam:AddRoleToInstanceProfile", { InstanceProfileName: "web-profile", RoleName: "web-role" });
  return { sb, call, role, profile };
}

const json = (text: string): Any => JSON.parse(text);

describe("R33 instance profiles on instances", () => {
  it("R33 an instance launched with an instance profile reads its role's temporary credentials from the metadata service", () => {
    const { sb, role, profile } = world();
    const { instanceId } = launch(sb, a, ami(AL2023_X86), "t3.micro", { IamInstanceProfile: { Name: "web-profile" } });
    expect(describeInstance(sb, a, instanceId).IamInstanceProfile).toEqual({
      Arn: profile.Arn,
      Id: profile.InstanceProfileId,
    });
    waitFor(sb, a, instanceId, "running");
    expect(ok(sb, a, instanceId, `curl -s ${MD}/`).split("\n")).toContain("iam/");
    expect(ok(sb, a, instanceId, `curl -s ${MD}/iam/security-credentials/`)).toBe("web-role");
    const info = json(ok(sb, a, instanceId, `curl -s ${MD}/iam/info`));
    expect(info).toMatchObject({
      Code: "Success",
      InstanceProfileArn: profile.Arn,
      InstanceProfileId: profile.InstanceProfileId,
    });
    const text = ok(sb, a, instanceId, `curl -s ${MD}/iam/security-credentials/web-role`);
    expect(text).toMatch(/^\{\n {2}"Code" : "Success",\n/);
    const creds = json(text);
    expect(creds).toMatchObject({ Code: "Success", Type: "AWS-HMAC" });
    expect(creds.AccessKeyId).toMatch(/^ASIA[A-Z2-7]{16}$/);
    expect(creds.SecretAccessKey).toHaveLength(40);
    expect(Date.parse(creds.Expiration) - Date.parse(creds.LastUpdated)).toBe(6 * 3_600_000);
    // The credentials act as the role: GetCallerIdentity names the instance as the session.
    expect(sb.accountForAccessKey(creds.AccessKeyId)).toEqual({ accountId: A, secretAccessKey: creds.SecretAccessKey });
    expect(sb.call({ ...a, accessKeyId: creds.AccessKeyId }, "sts:GetCallerIdentity").output).toEqual({
      UserId: `${role.RoleId}:${instanceId}`,
      Account: A,
      Arn: `arn:aws:sts::${A}:assumed-role/web-role/${instanceId}`,
    });
  });

  it("R33 the credentials rotate every hour of sandbox time; each set stays valid for six hours", () => {
    const { sb } = world();
    const { instanceId } = launch(sb, a, ami(AL2023_X86), "t3.micro", { IamInstanceProfile: { Name: "web-profile" } });
    waitFor(sb, a, instanceId, "running");
    const read = () => json(ok(sb, a, instanceId, `curl -s ${MD}/iam/security-credentials/web-role`));
    const first = read();
    expect(read().AccessKeyId).toBe(first.AccessKeyId);
    sb.advance(3_600_000);
    const second = read();
    expect(second.AccessKeyId).not.toBe(first.AccessKeyId);
    expect(Date.parse(second.LastUpdated) - Date.parse(first.LastUpdated)).toBe(3_600_000);
    // The first set still signs until it expires.
    expect(sb.accountForAccessKey(first.AccessKeyId)?.accountId).toBe(A);
    sb.advance(5 * 3_600_000);
    expect(sb.accountForAccessKey(first.AccessKeyId)).toBeUndefined();
    expect(sb.accountForAccessKey(read().AccessKeyId)?.accountId).toBe(A);
  });

  it("R33 the role's trust policy must allow ec2.amazonaws.com: otherwise the metadata service answers AssumeRoleUnauthorizedAccess", () => {
    const { sb, call } = world();
    call(a, "iam:CreateRole", { RoleName: "ops", AssumeRolePolicyDocument: trust({ AWS: `arn:aws:iam::${A}:root` }) });
    call(a, "iam:CreateInstanceProfile", { InstanceProfileName: "ops" });
    call(a, "iam:AddRoleToInstanceProfile", { InstanceProfileName: "ops", RoleName: "ops" });
    const { instanceId } = launch(sb, a, ami(AL2023_X86), "t3.micro", { IamInstanceProfile: { Name: "ops" } });
    waitFor(sb, a, instanceId, "running");
    const refused = json(ok(sb, a, instanceId, `curl -s ${MD}/iam/security-credentials/ops`));
    expect(refused).toMatchObject({ Code: "AssumeRoleUnauthorizedAccess" });
    expect(refused.Message).toMatch(/^EC2 cannot assume the role ops\./);
    expect(refused.AccessKeyId).toBeUndefined();
    expect(json(ok(sb, a, instanceId, `curl -s ${MD}/iam/info`)).Code).toBe("AssumeRoleUnauthorizedAccess");
    // Trusting EC2 fixes it, without touching the instance.
    call(a, "iam:UpdateAssumeRolePolicy", { RoleName: "ops", PolicyDocument: trust({ Service: "ec2.amazonaws.com" }) });
    expect(json(ok(sb, a, instanceId, `curl -s ${MD}/iam/security-credentials/ops`)).Code).toBe("Success");
  });

  it("R33 an instance profile carries one role: the instance sees the role the profile carries now, or none", () => {
    const { sb, call } = world();
    call(a, "iam:CreateRole", {
      RoleName: "db-role",
      AssumeRolePolicyDocument: trust({ Service: "ec2.amazonaws.com" }),
    });
    const { instanceId } = launch(sb, a, ami(AL2023_X86), "t3.micro", { IamInstanceProfile: { Name: "web-profile" } });
    waitFor(sb, a, instanceId, "running");
    expectEc2Error(
      () => call(a, "iam:AddRoleToInstanceProfile", { InstanceProfileName: "web-profile", RoleName: "db-role" }),
      "LimitExceeded",
    );
    call(a, "iam:RemoveRoleFromInstanceProfile", { InstanceProfileName: "web-profile", RoleName: "web-role" });
    const gone = sh(sb, a, instanceId, `curl -s ${MD}/iam/security-credentials/web-role`);
    expect(gone.Output).toMatch(/404 - Not Found/);
    call(a, "iam:AddRoleToInstanceProfile", { InstanceProfileName: "web-profile", RoleName: "db-role" });
    expect(ok(sb, a, instanceId, `curl -s ${MD}/iam/security-credentials/`)).toBe("db-role");
  });

  it("an instance without a profile has no iam/ in its metadata", () => {
    const { sb } = world();
    const { instanceId } = launch(sb, a, ami(AL2023_X86), "t3.micro");
    waitFor(sb, a, instanceId, "running");
    expect(ok(sb, a, instanceId, `curl -s ${MD}/`).split("\n")).not.toContain("iam/");
    expect(sh(sb, a, instanceId, `curl -s ${MD}/iam/info`).Output).toMatch(/404 - Not Found/);
    expect(describeInstance(sb, a, instanceId).IamInstanceProfile).toBeUndefined();
  });
});

describe("IamInstanceProfile on RunInstances and the association actions", () => {
  it("RunInstances takes the profile by name or ARN of the caller's account, with EC2's wording for the rest", () => {
    const { sb, profile } = world();
    const byArn = launch(sb, a, ami(AL2023_X86), "t3.micro", { IamInstanceProfile: { Arn: profile.Arn } });
    expect(describeInstance(sb, a, byArn.instanceId).IamInstanceProfile.Id).toBe(profile.InstanceProfileId);
    expectEc2Error(
      () => launch(sb, a, ami(AL2023_X86), "t3.micro", { IamInstanceProfile: { Name: "nope" } }),
      "InvalidParameterValue",
      "Value (nope) for parameter iamInstanceProfile.name is invalid. Invalid IAM Instance Profile name",
    );
    // Another account's profile is not the caller's to use.
    expectEc2Error(
      () => launch(sb, b, ami(AL2023_X86), "t3.micro", { IamInstanceProfile: { Arn: profile.Arn } }),
      "InvalidParameterValue",
      `Value (${profile.Arn}) for parameter iamInstanceProfile.arn is invalid. Invalid IAM Instance Profile ARN`,
    );
    expectEc2Error(
      () =>
        launch(sb, a, ami(AL2023_X86), "t3.micro", { IamInstanceProfile: { Arn: profile.Arn, Name: "web-profile" } }),
      "InvalidParameterCombination",
    );
  });

  it("Associate, Describe, Replace, Disassociate; one association per instance; gone with a terminated instance", () => {
    const { sb, call, profile } = world();
    call(a, "iam:CreateInstanceProfile", { InstanceProfileName: "other" });
    const { instanceId } = launch(sb, a, ami(AL2023_X86), "t3.micro");
    const assoc = call(a, "AssociateIamInstanceProfile", {
      InstanceId: instanceId,
      IamInstanceProfile: { Name: "web-profile" },
    }).IamInstanceProfileAssociation;
    expect(assoc).toMatchObject({
      InstanceId: instanceId,
      IamInstanceProfile: { Arn: profile.Arn, Id: profile.InstanceProfileId },
      State: "associating",
    });
    expect(assoc.AssociationId).toMatch(/^iip-assoc-[0-9a-f]{17}$/);
    expectEc2Error(
      () => call(a, "AssociateIamInstanceProfile", { InstanceId: instanceId, IamInstanceProfile: { Name: "other" } }),
      "IncorrectState",
      `There is an existing association for instance ${instanceId}`,
    );
    expect(call(a, "DescribeIamInstanceProfileAssociations").IamInstanceProfileAssociations).toEqual([
      { ...assoc, State: "associated" },
    ]);
    expect(
      call(a, "DescribeIamInstanceProfileAssociations", {
        Filters: [{ Name: "instance-id", Values: ["i-00000000000000000"] }],
      }).IamInstanceProfileAssociations,
    ).toEqual([]);
    const replaced = call(a, "ReplaceIamInstanceProfileAssociation", {
      AssociationId: assoc.AssociationId,
      IamInstanceProfile: { Name: "other" },
    }).IamInstanceProfileAssociation;
    expect(replaced.AssociationId).not.toBe(assoc.AssociationId);
    expect(replaced.IamInstanceProfile.Arn).toBe(`arn:aws:iam::${A}:instance-profile/other`);
    expectEc2Error(
      () => call(a, "DisassociateIamInstanceProfile", { AssociationId: assoc.AssociationId }),
      "InvalidAssociationID.NotFound",
      `An association with ID ${assoc.AssociationId} does not exist.`,
    );
    expect(call(b, "DescribeIamInstanceProfileAssociations").IamInstanceProfileAssociations).toEqual([]);
    expect(
      call(a, "DisassociateIamInstanceProfile", { AssociationId: replaced.AssociationId }).IamInstanceProfileAssociation
        .State,
    ).toBe("disassociating");
    expect(call(a, "DescribeIamInstanceProfileAssociations").IamInstanceProfileAssociations).toEqual([]);
    const second = launch(sb, a, ami(AL2023_X86), "t3.micro", { IamInstanceProfile: { Name: "web-profile" } });
    expect(call(a, "DescribeIamInstanceProfileAssociations").IamInstanceProfileAssociations).toHaveLength(1);
    call(a, "TerminateInstances", { InstanceIds: [second.instanceId] });
    waitFor(sb, a, second.instanceId, "terminated");
    expect(call(a, "DescribeIamInstanceProfileAssociations").IamInstanceProfileAssociations).toEqual([]);
  });

  it("associations replay exactly and survive a snapshot, credentials included", () => {
    const events: Any[] = [];
    const { sb, call } = world(events);
    const { instanceId } = launch(sb, a, ami(AL2023_X86), "t3.micro", { IamInstanceProfile: { Name: "web-profile" } });
    waitFor(sb, a, instanceId, "running");
    sb.advance(2 * 3_600_000);
    const view = (s: Sandbox) => ({
      assoc: s.call(a, "DescribeIamInstanceProfileAssociations").output,
      creds: s.call(a, "GuestRun", {
        InstanceId: instanceId,
        Command: `curl -s ${MD}/iam/security-credentials/web-role`,
      }).output,
    });
    const want = view(sb);
    expect(view(Sandbox.replay(events, { seed: "r33", realNow: () => 0 }))).toEqual(want);
    expect(view(Sandbox.fromSnapshot(JSON.parse(JSON.stringify(snapshotState(sb))), { realNow: () => 0 }))).toEqual(
      want,
    );
    void call;
  });
});
