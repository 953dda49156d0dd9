/**
 * The real AWS SDK v3 clients for IAM, STS and SSM drive the service handler over HTTP: what the SDK
 * sends must arrive in dispatch as the SDK's own input shape (awsQuery lists and maps, JSON bodies),
 * what dispatch returns must come back out of the SDK unchanged, and errors must become the SDK's
 * own exception classes with the model's status codes.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import {
  CreateRoleCommand,
  DeleteRoleCommand,
  GetRoleCommand,
  IAMClient,
  ListRolesCommand,
  NoSuchEntityException,
} from "@aws-sdk/client-iam";
import {
  GetParameterCommand,
  GetParametersByPathCommand,
  ParameterNotFound,
  PutParameterCommand,
  SSMClient,
} from "@aws-sdk/client-ssm";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { Ec2Error } from "@ec2sim/core";
import type { QueryRequestContext } from "@ec2sim/ec2-query";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createServiceHandler, type ServiceId, serviceModelLoaded, serviceOfRequest } from "../src/index.ts";

const ALICE = { accessKeyId: "AKIAALICE0000000001", secretAccessKey: "alice-secret", accountId: "111122223333" };
const credentials = { accessKeyId: ALICE.accessKeyId, secretAccessKey: ALICE.secretAccessKey };

interface Call {
  service: ServiceId | "ec2";
  action: string;
  input: Record<string, unknown>;
  context: QueryRequestContext;
}

const created = new Date("2024-12-12T05:03:52.000Z");
const role = {
  Path: "/app/",
  RoleName: "web",
  RoleId: "AROAEXAMPLE123456789",
  Arn: "arn:aws:iam::111122223333:role/app/web",
  CreateDate: created,
  AssumeRolePolicyDocument: encodeURIComponent('{"Version":"2012-10-17","Statement":[]}'),
  Description: "a <web> & 'role'",
  MaxSessionDuration: 3600,
  Tags: [
    { Key: "team", Value: "cats" },
    { Key: "empty", Value: "" },
  ],
};

const responders: Record<string, (input: Record<string, unknown>) => unknown> = {
  "iam:CreateRole": (input) => ({ Role: { ...role, RoleName: input.RoleName } }),
  "iam:GetRole": (input) => {
    if (input.RoleName !== "web") {
      throw new Ec2Error("NoSuchEntity", `The role with name ${input.RoleName} cannot be found.`);
    }
    return { Role: role };
  },
  "iam:ListRoles": () => ({ Roles: [role, { ...role, RoleName: "db", Tags: undefined }], IsTruncated: false }),
  "iam:DeleteRole": () => undefined,
  "sts:GetCallerIdentity": () => ({
    UserId: "111122223333",
    Account: "111122223333",
    Arn: "arn:aws:iam::111122223333:root",
  }),
  "ssm:PutParameter": () => ({ Version: 3, Tier: "Standard" }),
  "ssm:GetParameter": (input) => {
    if (input.Name !== "/app/db") throw new Ec2Error("ParameterNotFound", `Parameter ${input.Name} not found.`);
    return {
      Parameter: {
        Name: "/app/db",
        Type: "String",
        Value: "postgres://db",
        Version: 3,
        LastModifiedDate: created,
        ARN: "arn:aws:ssm:eu-west-1:111122223333:parameter/app/db",
        DataType: "text",
        Unknown: "dropped",
      },
    };
  },
  "ssm:GetParametersByPath": () => ({ Parameters: [], NextToken: "t1" }),
};

let server: Server;
let endpoint: string;
const calls: Call[] = [];

beforeAll(async () => {
  const handler = createServiceHandler({
    credentials: (key) => (key === ALICE.accessKeyId ? ALICE : undefined),
    dispatch: (service, action, input, context) => {
      calls.push({ service, action, input, context });
      const responder = responders[`${service}:${action}`];
      if (!responder) throw new Error(`no responder for ${service}:${action}`);
      return responder(input);
    },
    requestIdFactory: () => "rid-1",
  });
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const headers: Record<string, string | undefined> = {};
      for (const [k, v] of Object.entries(req.headers)) headers[k] = Array.isArray(v) ? v.join(",") : v;
      const request = {
        method: req.method ?? "GET",
        path: req.url ?? "/",
        headers,
        body: Buffer.concat(chunks).toString(),
      };
      const service = serviceOfRequest(request);
      if (service === "ec2") {
        res.writeHead(418);
        res.end();
        return;
      }
      void handler(service, request).then((out) => {
        res.writeHead(out.status, out.headers);
        res.end(out.body);
      });
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const iam = () => new IAMClient({ endpoint, region: "us-east-1", credentials, maxAttempts: 1 });
const ssm = () => new SSMClient({ endpoint, region: "eu-west-1", credentials, maxAttempts: 1 });
const sts = () => new STSClient({ endpoint, region: "us-east-1", credentials, maxAttempts: 1 });

describe("IAM, STS and SSM through the real SDK v3 clients", () => {
  it("loads no model before its service's first request", () => {
    // The server's start-up must not pay for these imports (issue 14 cuts start-up).
    expect(serviceModelLoaded("iam") || serviceModelLoaded("ssm") || serviceModelLoaded("sts")).toBe(false);
  });

  it("IAM (awsQuery): tag lists arrive as the SDK's input; the role comes back field by field", async () => {
    calls.length = 0;
    const out = await iam().send(
      new CreateRoleCommand({
        RoleName: "web",
        Path: "/app/",
        AssumeRolePolicyDocument: '{"Version":"2012-10-17","Statement":[]}',
        MaxSessionDuration: 7200,
        Tags: [
          { Key: "team", Value: "cats" },
          { Key: "cost", Value: "a&b=c" },
        ],
      }),
    );
    expect(calls).toEqual([
      {
        service: "iam",
        action: "CreateRole",
        input: {
          RoleName: "web",
          Path: "/app/",
          AssumeRolePolicyDocument: '{"Version":"2012-10-17","Statement":[]}',
          MaxSessionDuration: 7200,
          Tags: [
            { Key: "team", Value: "cats" },
            { Key: "cost", Value: "a&b=c" },
          ],
        },
        context: {
          accountId: ALICE.accountId,
          region: "us-east-1",
          accessKeyId: ALICE.accessKeyId,
          requestId: "rid-1",
        },
      },
    ]);
    expect(out.Role).toEqual(role);
    expect(out.$metadata.requestId).toBe("rid-1");
    expect(serviceModelLoaded("iam")).toBe(true);
    expect(serviceModelLoaded("ssm")).toBe(false);
  });

  it("IAM: lists of members, unit outputs, and NoSuchEntity as NoSuchEntityException (404)", async () => {
    const list = await iam().send(new ListRolesCommand({ PathPrefix: "/" }));
    expect(list.Roles?.map((r) => r.RoleName)).toEqual(["web", "db"]);
    expect(list.Roles?.[0]?.Tags).toEqual(role.Tags);
    expect(list.IsTruncated).toBe(false);
    await expect(iam().send(new DeleteRoleCommand({ RoleName: "web" }))).resolves.toMatchObject({
      $metadata: { httpStatusCode: 200 },
    });
    const error = await iam()
      .send(new GetRoleCommand({ RoleName: "nope" }))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NoSuchEntityException);
    expect(error).toMatchObject({
      name: "NoSuchEntityException",
      message: "The role with name nope cannot be found.",
      Error: { Type: "Sender", Code: "NoSuchEntity" },
      $metadata: { httpStatusCode: 404, requestId: "rid-1" },
    });
  });

  it("STS (awsQuery): GetCallerIdentity", async () => {
    await expect(sts().send(new GetCallerIdentityCommand({}))).resolves.toMatchObject({
      UserId: "111122223333",
      Account: "111122223333",
      Arn: "arn:aws:iam::111122223333:root",
    });
  });

  it("SSM (awsJson1.1): the JSON body arrives typed, dates leave as epoch seconds, unknown members are dropped", async () => {
    calls.length = 0;
    await ssm().send(
      new PutParameterCommand({ Name: "/app/db", Value: "v", Type: "SecureString", Overwrite: true, Tags: undefined }),
    );
    expect(calls[0]).toMatchObject({
      service: "ssm",
      action: "PutParameter",
      input: { Name: "/app/db", Value: "v", Type: "SecureString", Overwrite: true },
      context: { region: "eu-west-1", accountId: ALICE.accountId },
    });
    const got = await ssm().send(new GetParameterCommand({ Name: "/app/db", WithDecryption: true }));
    expect(got.Parameter).toEqual({
      Name: "/app/db",
      Type: "String",
      Value: "postgres://db",
      Version: 3,
      LastModifiedDate: created,
      ARN: "arn:aws:ssm:eu-west-1:111122223333:parameter/app/db",
      DataType: "text",
    });
    const page = await ssm().send(new GetParametersByPathCommand({ Path: "/aws", Recursive: true, MaxResults: 10 }));
    expect(page).toMatchObject({ Parameters: [], NextToken: "t1" });
  });

  it("SSM: ParameterNotFound as the SDK's ParameterNotFound (400), with the message", async () => {
    const error = await ssm()
      .send(new GetParameterCommand({ Name: "/nope" }))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ParameterNotFound);
    expect(error).toMatchObject({ message: "Parameter /nope not found.", $metadata: { httpStatusCode: 400 } });
  });
});

describe("the service endpoint's own answers to bad requests", () => {
  const post = async (headers: Record<string, string>, body: string) => {
    const res = await fetch(endpoint, { method: "POST", headers, body });
    return { status: res.status, type: res.headers.get("content-type"), body: await res.text() };
  };
  const scope = (service: string, date = "20241212") =>
    `AWS4-HMAC-SHA256 Credential=${ALICE.accessKeyId}/${date}/us-east-1/${service}/aws4_request, SignedHeaders=host, Signature=00`;

  it("an unknown awsQuery action is IAM's InvalidAction; a wrong signature is IAM's SignatureDoesNotMatch", async () => {
    const handler = createServiceHandler({
      credentials: () => undefined,
      acceptAnySignature: true,
      dispatch: () => ({}),
      requestIdFactory: () => "rid-2",
    });
    const res = await handler("iam", {
      method: "POST",
      path: "/",
      headers: {},
      body: "Action=CreateUnicorn&Version=2010-05-08",
    });
    expect(res.status).toBe(400);
    expect(res.body).toBe(
      '<?xml version="1.0" encoding="UTF-8"?>\n<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>Sender</Type><Code>InvalidAction</Code><Message>Could not find operation CreateUnicorn for version 2010-05-08</Message></Error><RequestId>rid-2</RequestId></ErrorResponse>',
    );
    const amzDate = new Date().toISOString().replace(/[-:]/g, "").replace(/\.\d+/, "");
    const signed = await post(
      {
        authorization: scope("iam", amzDate.slice(0, 8)).replace("Signature=00", `Signature=${"0".repeat(64)}`),
        "x-amz-date": amzDate,
      },
      "Action=ListRoles",
    );
    expect(signed.status).toBe(403);
    expect(signed.body).toMatch(/<Type>Sender<\/Type><Code>SignatureDoesNotMatch<\/Code>/);
  });

  it("awsJson: an unknown target is UnknownOperationException, bad JSON a SerializationException", async () => {
    const handler = createServiceHandler({
      credentials: () => undefined,
      acceptAnySignature: true,
      dispatch: () => ({}),
    });
    const unknown = await handler("ssm", {
      method: "POST",
      path: "/",
      headers: { "x-amz-target": "AmazonSSM.Frobnicate" },
      body: "{}",
    });
    expect(unknown.status).toBe(400);
    expect(JSON.parse(unknown.body)).toEqual({
      __type: "UnknownOperationException",
      message: "The operation Frobnicate is not known to this service",
    });
    expect(unknown.headers["x-amzn-errortype"]).toBe("UnknownOperationException");
    const bad = await handler("ssm", {
      method: "POST",
      path: "/",
      headers: { "x-amz-target": "AmazonSSM.GetParameter" },
      body: '{"Name": 12}',
    });
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body)).toMatchObject({
      __type: "SerializationException",
      message: "Expected a string at 'Name'",
    });
    const notJson = await handler("ssm", {
      method: "POST",
      path: "/",
      headers: { "x-amz-target": "AmazonSSM.GetParameter" },
      body: "{",
    });
    expect(JSON.parse(notJson.body).__type).toBe("SerializationException");
  });

  it("routes by X-Amz-Target, then the credential scope, then the awsQuery Version, else EC2", () => {
    const req = (headers: Record<string, string>, body = "") => ({ method: "POST", path: "/", headers, body });
    expect(serviceOfRequest(req({ "X-Amz-Target": "AmazonSSM.GetParameter" }))).toBe("ssm");
    expect(serviceOfRequest(req({ authorization: scope("iam") }))).toBe("iam");
    expect(serviceOfRequest(req({ authorization: scope("sts") }))).toBe("sts");
    expect(serviceOfRequest(req({ authorization: scope("ec2") }))).toBe("ec2");
    expect(serviceOfRequest(req({}, "Action=GetCallerIdentity&Version=2011-06-15"))).toBe("sts");
    expect(serviceOfRequest(req({}, "Action=ListRoles&Version=2010-05-08"))).toBe("iam");
    expect(serviceOfRequest(req({}, "Action=DescribeImages&Version=2016-11-15"))).toBe("ec2");
    expect(serviceOfRequest(req({}))).toBe("ec2");
    const presigned = {
      method: "GET",
      path: `/?Action=ListRoles&X-Amz-Credential=AKIA1%2F20241212%2Fus-east-1%2Fiam%2Faws4_request`,
      headers: {},
      body: "",
    };
    expect(serviceOfRequest(presigned)).toBe("iam");
  });
});
