/**
 * The services around EC2 on the same endpoint, driven by the real AWS CLI v2 against a real
 * `ec2sim serve` process: `aws sts`, `aws iam`, `aws ssm` with `--endpoint-url` pointing at the one
 * port EC2 is served on. Requires the AWS CLI v2; fails, never skips, without it.
 */

import { SandboxClient } from "@ec2sim/protocol";
import { type Account, accountsOf, type ServerProcess, startServer } from "@ec2sim/test-harness";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { awsCliRunner } from "./aws-cli-story.ts";
import { findAwsCliV2 } from "./harness.ts";

/** The CLI's error line; with AWS_MAX_ATTEMPTS=1 it adds " (reached max retries: 0)". */
const cliError = (code: string, operation: string, message = "") =>
  new RegExp(
    `An error occurred \\(${code}\\) when calling the ${operation} operation( \\(reached max retries: 0\\))?: ${message.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`,
  );

describe("AWS CLI v2: STS, IAM and SSM on the EC2 endpoint", () => {
  let server: ServerProcess;
  let A: Account;
  let B: Account;
  let cli: ReturnType<typeof awsCliRunner>;

  beforeAll(async () => {
    const found = await findAwsCliV2();
    if ("error" in found) throw new Error(found.error);
    server = await startServer({ speed: 200 });
    [A, B] = await accountsOf(server.url);
    cli = awsCliRunner(
      found.path,
      () => server.url,
      () => A,
    );
  });
  afterAll(async () => {
    await server?.stop();
  });

  it("aws sts get-caller-identity answers each account's root identity", async () => {
    expect(await cli.ok(["get-caller-identity"], { service: "sts" })).toEqual({
      UserId: A.accountId,
      Account: A.accountId,
      Arn: `arn:aws:iam::${A.accountId}:root`,
    });
    expect(await cli.ok(["get-caller-identity"], { service: "sts", as: B, region: "eu-west-1" })).toEqual({
      UserId: B.accountId,
      Account: B.accountId,
      Arn: `arn:aws:iam::${B.accountId}:root`,
    });
  });

  it("a wrong secret is SignatureDoesNotMatch, an unknown key InvalidClientTokenId, as STS says", async () => {
    const r = await cli.aws(["get-caller-identity"], {
      service: "sts",
      as: { ...A, secretAccessKey: "not-the-secret" },
    });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(
      cliError("SignatureDoesNotMatch", "GetCallerIdentity", "The request signature we calculated"),
    );
    const unknown = await cli.aws(["get-caller-identity"], {
      service: "sts",
      as: { ...A, accessKeyId: "AKIAUNKNOWNUNKNOWN00" },
    });
    expect(unknown.stderr).toMatch(
      cliError("InvalidClientTokenId", "GetCallerIdentity", "The security token included in the request is invalid."),
    );
  });

  const trust = (principal: Record<string, string>) =>
    JSON.stringify({
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Principal: principal, Action: "sts:AssumeRole" }],
    });

  it("aws iam create-role / create-instance-profile / add-role-to-instance-profile, read back as the CLI prints them", async () => {
    const iam = (args: string[]) => cli.ok(args, { service: "iam" });
    const created = await iam([
      "create-role",
      "--role-name",
      "cli-web",
      "--path",
      "/app/",
      "--assume-role-policy-document",
      trust({ Service: "ec2.amazonaws.com" }),
      "--tags",
      "Key=team,Value=cats",
    ]);
    expect(created.Role).toMatchObject({
      RoleName: "cli-web",
      Path: "/app/",
      Arn: `arn:aws:iam::${A.accountId}:role/app/cli-web`,
      MaxSessionDuration: 3600,
      Tags: [{ Key: "team", Value: "cats" }],
    });
    expect(created.Role.RoleId).toMatch(/^AROA[A-Z2-7]{17}$/);
    // The CLI decodes the URL-encoded trust policy into JSON, as it does against AWS.
    expect(created.Role.AssumeRolePolicyDocument).toEqual(JSON.parse(trust({ Service: "ec2.amazonaws.com" })));
    const profile = await iam(["create-instance-profile", "--instance-profile-name", "cli-web-profile"]);
    expect(profile.InstanceProfile).toMatchObject({
      InstanceProfileName: "cli-web-profile",
      Arn: `arn:aws:iam::${A.accountId}:instance-profile/cli-web-profile`,
      Roles: [],
    });
    expect(profile.InstanceProfile.InstanceProfileId).toMatch(/^AIPA[A-Z2-7]{17}$/);
    expect(
      await cli.aws(
        ["add-role-to-instance-profile", "--instance-profile-name", "cli-web-profile", "--role-name", "cli-web"],
        {
          service: "iam",
        },
      ),
    ).toMatchObject({ code: 0, stdout: "" });
    const got = await iam(["get-instance-profile", "--instance-profile-name", "cli-web-profile"]);
    expect(got.InstanceProfile.Roles.map((r: { RoleName: string }) => r.RoleName)).toEqual(["cli-web"]);
    await iam([
      "attach-role-policy",
      "--role-name",
      "cli-web",
      "--policy-arn",
      "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore",
    ]);
    expect(await iam(["list-attached-role-policies", "--role-name", "cli-web"])).toEqual({
      AttachedPolicies: [
        {
          PolicyName: "AmazonSSMManagedInstanceCore",
          PolicyArn: "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore",
        },
      ],
    });
    expect((await iam(["list-roles"])).Roles.map((r: { RoleName: string }) => r.RoleName)).toContain("cli-web");
    const second = await cli.aws(
      ["add-role-to-instance-profile", "--instance-profile-name", "cli-web-profile", "--role-name", "cli-web"],
      { service: "iam" },
    );
    expect(second.stderr).toMatch(
      cliError(
        "LimitExceeded",
        "AddRoleToInstanceProfile",
        "Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1",
      ),
    );
    const del = await cli.aws(["delete-role", "--role-name", "cli-web"], { service: "iam" });
    expect(del.stderr).toMatch(
      cliError("DeleteConflict", "DeleteRole", "Cannot delete entity, must detach all policies first."),
    );
    const missing = await cli.aws(["get-role", "--role-name", "nobody"], { service: "iam" });
    expect(missing.stderr).toMatch(cliError("NoSuchEntity", "GetRole", "The role with name nobody cannot be found."));
  });

  it("aws sts assume-role into account B, then get-caller-identity and EC2 calls as the role's session", async () => {
    await cli.ok(
      [
        "create-role",
        "--role-name",
        "cli-deployer",
        "--assume-role-policy-document",
        trust({ AWS: `arn:aws:iam::${A.accountId}:root` }),
      ],
      { service: "iam", as: B },
    );
    const assumed = await cli.ok(
      ["assume-role", "--role-arn", `arn:aws:iam::${B.accountId}:role/cli-deployer`, "--role-session-name", "ci"],
      { service: "sts" },
    );
    expect(assumed.AssumedRoleUser.Arn).toBe(`arn:aws:sts::${B.accountId}:assumed-role/cli-deployer/ci`);
    const session = {
      accountId: B.accountId,
      accessKeyId: assumed.Credentials.AccessKeyId,
      secretAccessKey: assumed.Credentials.SecretAccessKey,
      sessionToken: assumed.Credentials.SessionToken,
    };
    expect(await cli.ok(["get-caller-identity"], { service: "sts", as: session })).toEqual({
      UserId: expect.stringMatching(/^AROA[A-Z2-7]{17}:ci$/),
      Account: B.accountId,
      Arn: `arn:aws:sts::${B.accountId}:assumed-role/cli-deployer/ci`,
    });
    // The session works against EC2 as account B: its key pairs are B's.
    await cli.ok(["create-key-pair", "--key-name", "made-by-session"], { as: session });
    const keys = await cli.ok(["describe-key-pairs"], { as: B });
    expect(keys.KeyPairs.map((k: { KeyName: string }) => k.KeyName)).toContain("made-by-session");
    const denied = await cli.aws(
      ["assume-role", "--role-arn", `arn:aws:iam::${A.accountId}:role/app/cli-web`, "--role-session-name", "x1"],
      { service: "sts", as: B },
    );
    expect(denied.stderr).toMatch(
      cliError(
        "AccessDenied",
        "AssumeRole",
        `User: arn:aws:iam::${B.accountId}:root is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::${A.accountId}:role/app/cli-web`,
      ),
    );
  });

  it("aws ssm get-parameters-by-path --path /aws/service/ami-amazon-linux-latest: every alias, each an AMI the region has", async () => {
    const out = await cli.ok(["get-parameters-by-path", "--path", "/aws/service/ami-amazon-linux-latest"], {
      service: "ssm",
    });
    const names = out.Parameters.map((p: { Name: string }) => p.Name);
    // The CLI follows NextToken itself: more than one page of 10 arrives as one list.
    expect(names.length).toBeGreaterThan(10);
    expect(names).toContain("/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64");
    expect(names).toContain("/aws/service/ami-amazon-linux-latest/amzn2-ami-kernel-5.10-hvm-x86_64-gp2");
    const al2023 = out.Parameters.find(
      (p: { Name: string }) => p.Name === "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64",
    );
    expect(al2023).toMatchObject({
      Type: "String",
      DataType: "text",
      ARN: expect.stringMatching(/^arn:aws:ssm:us-east-1::parameter\//),
    });
    const images = await cli.ok(["describe-images", "--image-ids", al2023.Value]);
    expect(images.Images[0].Name).toMatch(/^al2023-ami-2023\.6\.\d+\.0-kernel-6\.1-x86_64$/);
    const eu = await cli.ok(["get-parameter", "--name", al2023.Name], { service: "ssm", region: "eu-west-1" });
    expect(eu.Parameter.Value).toMatch(/^ami-[0-9a-f]{17}$/);
    expect(eu.Parameter.Value).not.toBe(al2023.Value);
  });

  it("aws ec2 run-instances --image-id resolve:ssm:… launches the AMI the parameter holds", async () => {
    const param = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64";
    const want = (await cli.ok(["get-parameter", "--name", param], { service: "ssm" })).Parameter.Value;
    const run = await cli.ok([
      "run-instances",
      "--image-id",
      `resolve:ssm:${param}`,
      "--instance-type",
      "t3.micro",
      "--count",
      "1",
    ]);
    expect(run.Instances[0].ImageId).toBe(want);
    await cli.ok(
      ["put-parameter", "--name", "/golden/web", "--type", "String", "--data-type", "aws:ec2:image", "--value", want],
      {
        service: "ssm",
      },
    );
    const own = await cli.ok([
      "run-instances",
      "--image-id",
      "resolve:ssm:/golden/web:1",
      "--instance-type",
      "t3.micro",
    ]);
    expect(own.Instances[0].ImageId).toBe(want);
    const missing = await cli.aws([
      "run-instances",
      "--image-id",
      "resolve:ssm:/no/such/param",
      "--instance-type",
      "t3.micro",
    ]);
    expect(missing.stderr).toMatch(
      cliError("InvalidParameterValue", "RunInstances", "Unable to resolve resolve:ssm:/no/such/param"),
    );
  });

  it("aws ssm put-parameter / get-parameter: a SecureString is opaque unless --with-decryption; ParameterNotFound", async () => {
    const ssm = (args: string[]) => cli.ok(args, { service: "ssm" });
    expect(
      await ssm(["put-parameter", "--name", "/cli/db/password", "--type", "SecureString", "--value", "hunter2"]),
    ).toEqual({
      Version: 1,
      Tier: "Standard",
    });
    const opaque = await ssm(["get-parameter", "--name", "/cli/db/password"]);
    expect(opaque.Parameter.Value).not.toContain("hunter2");
    const clear = await ssm(["get-parameter", "--name", "/cli/db/password", "--with-decryption"]);
    expect(clear.Parameter).toMatchObject({
      Name: "/cli/db/password",
      Type: "SecureString",
      Value: "hunter2",
      Version: 1,
    });
    const described = await ssm(["describe-parameters", "--parameter-filters", "Key=Name,Values=/cli/db/password"]);
    expect(described.Parameters).toEqual([
      expect.objectContaining({ Name: "/cli/db/password", Type: "SecureString", KeyId: "alias/aws/ssm", Version: 1 }),
    ]);
    const missing = await cli.aws(["get-parameter", "--name", "/cli/nope"], { service: "ssm" });
    expect(missing.stderr).toMatch(cliError("ParameterNotFound", "GetParameter", "Parameter /cli/nope not found."));
    await ssm(["delete-parameter", "--name", "/cli/db/password"]);
  });

  it("R33 aws ec2 run-instances --iam-instance-profile Name=…: the guest's metadata service hands out the role's credentials, which sign as the role", async () => {
    const iam = (args: string[]) => cli.ok(args, { service: "iam" });
    await iam([
      "create-role",
      "--role-name",
      "cli-ec2-role",
      "--assume-role-policy-document",
      trust({ Service: "ec2.amazonaws.com" }),
    ]);
    const profile = (await iam(["create-instance-profile", "--instance-profile-name", "cli-ec2-profile"]))
      .InstanceProfile;
    await iam([
      "add-role-to-instance-profile",
      "--instance-profile-name",
      "cli-ec2-profile",
      "--role-name",
      "cli-ec2-role",
    ]);
    const run = await cli.ok([
      "run-instances",
      "--image-id",
      "resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64",
      "--instance-type",
      "t3.micro",
      "--iam-instance-profile",
      "Name=cli-ec2-profile",
    ]);
    const instanceId = run.Instances[0].InstanceId;
    expect(run.Instances[0].IamInstanceProfile).toEqual({ Arn: profile.Arn, Id: profile.InstanceProfileId });
    const assoc = await cli.ok([
      "describe-iam-instance-profile-associations",
      "--filters",
      `Name=instance-id,Values=${instanceId}`,
    ]);
    expect(assoc.IamInstanceProfileAssociations).toEqual([
      expect.objectContaining({
        InstanceId: instanceId,
        State: "associated",
        IamInstanceProfile: { Arn: profile.Arn, Id: profile.InstanceProfileId },
      }),
    ]);
    const bad = await cli.aws([
      "run-instances",
      "--image-id",
      run.Instances[0].ImageId,
      "--iam-instance-profile",
      "Name=nope",
    ]);
    expect(bad.stderr).toMatch(
      cliError(
        "InvalidParameterValue",
        "RunInstances",
        "Value (nope) for parameter iamInstanceProfile.name is invalid. Invalid IAM Instance Profile name",
      ),
    );
    await cli.ok(["wait", "instance-running", "--instance-ids", instanceId]);
    // In the guest shell (what the REPL's ssh runs, over the WebSocket protocol): curl the metadata service.
    const guest = await SandboxClient.connect({
      url: server.url,
      accessKeyId: A.accessKeyId,
      secretAccessKey: A.secretAccessKey,
    });
    try {
      const curl = (path: string) =>
        guest.call<{ Output: string; ExitCode: number }>("GuestRun", {
          InstanceId: instanceId,
          Command: `curl -s http://169.254.169.254/latest/meta-data/iam/${path}`,
        });
      expect((await curl("security-credentials/")).Output).toBe("cli-ec2-role");
      const creds = JSON.parse((await curl("security-credentials/cli-ec2-role")).Output);
      expect(creds).toMatchObject({ Code: "Success", Type: "AWS-HMAC" });
      const asRole = {
        accountId: A.accountId,
        accessKeyId: creds.AccessKeyId,
        secretAccessKey: creds.SecretAccessKey,
        sessionToken: creds.Token,
      };
      expect(await cli.ok(["get-caller-identity"], { service: "sts", as: asRole })).toMatchObject({
        Account: A.accountId,
        Arn: `arn:aws:sts::${A.accountId}:assumed-role/cli-ec2-role/${instanceId}`,
      });
    } finally {
      await guest.close();
    }
  });
});
