/**
 * IAM, STS and SSM through the AWS SDK v3 clients against a real `ec2sim serve` process on the one
 * endpoint EC2 is served on: each service's errors arrive as the SDK's own exception classes, with
 * the statuses and fault types the real services give them.
 */
import {
  AddRoleToInstanceProfileCommand,
  AttachRolePolicyCommand,
  CreateInstanceProfileCommand,
  CreateRoleCommand,
  DeleteConflictException,
  DeleteRoleCommand,
  EntityAlreadyExistsException,
  GetRoleCommand,
  IAMClient,
  LimitExceededException,
  MalformedPolicyDocumentException,
  NoSuchEntityException,
} from "@aws-sdk/client-iam";
import {
  GetParameterCommand,
  ParameterAlreadyExists,
  ParameterNotFound,
  PutParameterCommand,
  SSMClient,
} from "@aws-sdk/client-ssm";
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { type Account, accountsOf, type ServerProcess, startServer } from "@ec2sim/test-harness";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

let server: ServerProcess;
let A: Account;
let B: Account;

beforeAll(async () => {
  server = await startServer({ speed: 200 });
  [A, B] = await accountsOf(server.url);
});
afterAll(async () => {
  await server?.stop();
});

const creds = (x: Account) => ({ accessKeyId: x.accessKeyId, secretAccessKey: x.secretAccessKey });
const iam = (as: Account = A) =>
  new IAMClient({ endpoint: server.url, region: "us-east-1", credentials: creds(as), maxAttempts: 1 });
const sts = (as: Account = A) =>
  new STSClient({ endpoint: server.url, region: "us-east-1", credentials: creds(as), maxAttempts: 1 });
const ssm = (as: Account = A, region = "us-east-1") =>
  new SSMClient({ endpoint: server.url, region, credentials: creds(as), maxAttempts: 1 });
const failure = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error("expected a failure");
    },
    (e: unknown) => e as Error & { name: string; $metadata: { httpStatusCode: number }; $fault: string },
  );

const ec2Trust = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }],
});

describe("IAM errors through the SDK v3", () => {
  it("NoSuchEntity (404), EntityAlreadyExists (409), MalformedPolicyDocument (400) as the SDK's classes", async () => {
    const missing = await failure(iam().send(new GetRoleCommand({ RoleName: "sdk-nobody" })));
    expect(missing).toBeInstanceOf(NoSuchEntityException);
    expect(missing).toMatchObject({
      message: "The role with name sdk-nobody cannot be found.",
      $fault: "client",
      $metadata: { httpStatusCode: 404 },
    });
    await iam().send(new CreateRoleCommand({ RoleName: "sdk-web", AssumeRolePolicyDocument: ec2Trust }));
    const twice = await failure(
      iam().send(new CreateRoleCommand({ RoleName: "SDK-WEB", AssumeRolePolicyDocument: ec2Trust })),
    );
    expect(twice).toBeInstanceOf(EntityAlreadyExistsException);
    expect(twice.$metadata.httpStatusCode).toBe(409);
    const bad = await failure(
      iam().send(new CreateRoleCommand({ RoleName: "sdk-bad", AssumeRolePolicyDocument: "{" })),
    );
    expect(bad).toBeInstanceOf(MalformedPolicyDocumentException);
    expect(bad).toMatchObject({ message: "This policy contains invalid Json", $metadata: { httpStatusCode: 400 } });
  });

  it("DeleteConflict and LimitExceeded (409); the role is left as it was", async () => {
    await iam().send(new CreateRoleCommand({ RoleName: "sdk-db", AssumeRolePolicyDocument: ec2Trust }));
    await iam().send(new CreateRoleCommand({ RoleName: "sdk-db2", AssumeRolePolicyDocument: ec2Trust }));
    await iam().send(
      new AttachRolePolicyCommand({ RoleName: "sdk-db", PolicyArn: "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess" }),
    );
    const conflict = await failure(iam().send(new DeleteRoleCommand({ RoleName: "sdk-db" })));
    expect(conflict).toBeInstanceOf(DeleteConflictException);
    expect(conflict.$metadata.httpStatusCode).toBe(409);
    await iam().send(new CreateInstanceProfileCommand({ InstanceProfileName: "sdk-db" }));
    await iam().send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: "sdk-db", RoleName: "sdk-db" }));
    const full = await failure(
      iam().send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: "sdk-db", RoleName: "sdk-db2" })),
    );
    expect(full).toBeInstanceOf(LimitExceededException);
    expect(full.message).toBe("Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1");
    expect((await iam().send(new GetRoleCommand({ RoleName: "sdk-db" }))).Role?.RoleName).toBe("sdk-db");
  });

  it("a modelled IAM action the sandbox does not implement is InvalidAction, not a crash", async () => {
    const { CreateUserCommand } = await import("@aws-sdk/client-iam");
    const e = await failure(iam().send(new CreateUserCommand({ UserName: "u" })));
    expect(e).toMatchObject({
      name: "InvalidAction",
      message: "The action CreateUser is not supported by this sandbox",
    });
  });
});

describe("STS through the SDK v3", () => {
  it("GetCallerIdentity, and AssumeRole's AccessDenied (403) for a caller the trust policy does not name", async () => {
    expect(await sts(B).send(new GetCallerIdentityCommand({}))).toMatchObject({
      Account: B.accountId,
      Arn: `arn:aws:iam::${B.accountId}:root`,
    });
    const denied = await failure(
      sts(B).send(
        new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${A.accountId}:role/sdk-web`, RoleSessionName: "x1" }),
      ),
    );
    expect(denied).toMatchObject({
      name: "AccessDenied",
      message: `User: arn:aws:iam::${B.accountId}:root is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::${A.accountId}:role/sdk-web`,
      $metadata: { httpStatusCode: 403 },
    });
  });
});

describe("SSM through the SDK v3 (awsJson1.1)", () => {
  it("ParameterNotFound, ParameterAlreadyExists and ValidationException (400) as the SDK's classes", async () => {
    const missing = await failure(ssm().send(new GetParameterCommand({ Name: "/sdk/nope" })));
    expect(missing).toBeInstanceOf(ParameterNotFound);
    expect(missing).toMatchObject({ message: "Parameter /sdk/nope not found.", $metadata: { httpStatusCode: 400 } });
    await ssm().send(new PutParameterCommand({ Name: "/sdk/x", Value: "1", Type: "String" }));
    const again = await failure(ssm().send(new PutParameterCommand({ Name: "/sdk/x", Value: "2", Type: "String" })));
    expect(again).toBeInstanceOf(ParameterAlreadyExists);
    const reserved = await failure(ssm().send(new PutParameterCommand({ Name: "ssm-x", Value: "2", Type: "String" })));
    expect(reserved).toMatchObject({ name: "ValidationException", $metadata: { httpStatusCode: 400 } });
    expect(reserved.message).toMatch(/can't be prefixed with "aws" or "ssm"/);
    // Regional: the parameter is not in eu-west-1; B cannot read A's.
    await failure(ssm(A, "eu-west-1").send(new GetParameterCommand({ Name: "/sdk/x" })));
    expect(await failure(ssm(B).send(new GetParameterCommand({ Name: "/sdk/x" })))).toBeInstanceOf(ParameterNotFound);
    const got = await ssm().send(new GetParameterCommand({ Name: "/sdk/x" }));
    expect(got.Parameter).toMatchObject({ Name: "/sdk/x", Value: "1", Version: 1, Type: "String" });
    expect(got.Parameter?.LastModifiedDate).toBeInstanceOf(Date);
  });

  it("an SSM action the sandbox does not implement is UnknownOperationException, not a crash", async () => {
    const { ListDocumentsCommand } = await import("@aws-sdk/client-ssm");
    const e = await failure(ssm().send(new ListDocumentsCommand({})));
    expect(e).toMatchObject({ name: "UnknownOperationException", $metadata: { httpStatusCode: 400 } });
  });
});
