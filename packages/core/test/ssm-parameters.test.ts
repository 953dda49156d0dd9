/**
 * SSM Parameter Store in core: user parameters (String, StringList, SecureString) with versions,
 * labels and selectors, paths, filters and tags; the public AMI parameters under /aws/service/,
 * which resolve to the catalog's image in the caller's region; and `resolve:ssm:` in RunInstances.
 */
import { describe, expect, it } from "vitest";
import { type CallContext, Sandbox, snapshotState } from "../src/index.ts";
import { A, AL2023_ARM, AL2023_X86, ami, B, EU, expectEc2Error, US } from "./r01-r13-helpers.ts";

type Any = any;

const a: CallContext = { accountId: A, region: US };
const aEu: CallContext = { accountId: A, region: EU };
const b: CallContext = { accountId: B, region: US };

function fresh(events?: Any[]): Sandbox {
  const sb = new Sandbox({ seed: "ssm", realNow: () => 0 });
  if (events) sb.subscribe((es) => events.push(...es));
  sb.createAccount({ accountId: A });
  sb.createAccount({ accountId: B });
  return sb;
}
const call = (sb: Sandbox, c: CallContext, action: string, input: Record<string, unknown> = {}): Any =>
  sb.call(c, action, input).output;

describe("SSM user parameters", () => {
  it("String, StringList and SecureString: versions on overwrite, the SecureString opaque unless decrypted", () => {
    const sb = fresh();
    expect(call(sb, a, "ssm:PutParameter", { Name: "/app/db/url", Value: "postgres://db", Type: "String" })).toEqual({
      Version: 1,
      Tier: "Standard",
    });
    call(sb, a, "ssm:PutParameter", { Name: "/app/hosts", Value: "a,b,c", Type: "StringList" });
    call(sb, a, "ssm:PutParameter", { Name: "/app/db/password", Value: "s3cret!", Type: "SecureString" });
    expectEc2Error(
      () => call(sb, a, "ssm:PutParameter", { Name: "/app/db/url", Value: "x", Type: "String" }),
      "ParameterAlreadyExists",
      "The parameter already exists. To overwrite this value, set the overwrite option in the request to true.",
    );
    sb.advance(60_000);
    expect(
      call(sb, a, "ssm:PutParameter", { Name: "/app/db/url", Value: "postgres://db2", Overwrite: true }).Version,
    ).toBe(2);
    const got = call(sb, a, "ssm:GetParameter", { Name: "/app/db/url" }).Parameter;
    expect(got).toEqual({
      Name: "/app/db/url",
      Type: "String",
      Value: "postgres://db2",
      Version: 2,
      LastModifiedDate: new Date(sb.now),
      ARN: `arn:aws:ssm:us-east-1:${A}:parameter/app/db/url`,
      DataType: "text",
    });
    const secret = call(sb, a, "ssm:GetParameter", { Name: "/app/db/password" }).Parameter;
    expect(secret.Value).not.toContain("s3cret");
    expect(secret.Value).toMatch(/^AQICAH[A-Za-z0-9+/=]+$/);
    expect(call(sb, a, "ssm:GetParameter", { Name: "/app/db/password", WithDecryption: true }).Parameter.Value).toBe(
      "s3cret!",
    );
    // Selectors and ARNs.
    expect(call(sb, a, "ssm:GetParameter", { Name: "/app/db/url:1" }).Parameter).toMatchObject({
      Value: "postgres://db",
      Version: 1,
      Selector: ":1",
    });
    expect(call(sb, a, "ssm:GetParameter", { Name: got.ARN }).Parameter.Value).toBe("postgres://db2");
    expectEc2Error(() => call(sb, a, "ssm:GetParameter", { Name: "/app/db/url:7" }), "ParameterVersionNotFound");
    // Per account and per region.
    expectEc2Error(
      () => call(sb, b, "ssm:GetParameter", { Name: "/app/db/url" }),
      "ParameterNotFound",
      "Parameter /app/db/url not found.",
    );
    expectEc2Error(() => call(sb, aEu, "ssm:GetParameter", { Name: "/app/db/url" }), "ParameterNotFound");
  });

  it("names, values and patterns are checked as SSM checks them", () => {
    const sb = fresh();
    expectEc2Error(
      () => call(sb, a, "ssm:PutParameter", { Name: "aws-thing", Value: "x", Type: "String" }),
      "ValidationException",
      /can't be prefixed with "aws" or "ssm"/,
    );
    expectEc2Error(
      () => call(sb, a, "ssm:PutParameter", { Name: "/aws/service/mine", Value: "x", Type: "String" }),
      "AccessDeniedException",
    );
    expectEc2Error(() => call(sb, a, "ssm:PutParameter", { Name: "no type", Value: "x" }), "ValidationException");
    expectEc2Error(
      () => call(sb, a, "ssm:PutParameter", { Name: "/typeless", Value: "x" }),
      "ValidationException",
      "A parameter type is required when you create a parameter.",
    );
    expectEc2Error(
      () => call(sb, a, "ssm:PutParameter", { Name: "/big", Value: "x".repeat(4097), Type: "String" }),
      "ValidationException",
      /Standard tier parameters support a maximum parameter value of 4096 characters/,
    );
    expect(
      call(sb, a, "ssm:PutParameter", { Name: "/big", Value: "x".repeat(4097), Type: "String", Tier: "Advanced" }).Tier,
    ).toBe("Advanced");
    expectEc2Error(
      () => call(sb, a, "ssm:PutParameter", { Name: "/port", Value: "80a", Type: "String", AllowedPattern: "\\d+" }),
      "ParameterPatternMismatchException",
      "Parameter value, cannot be validated against allowedPattern: \\d+",
    );
    expectEc2Error(
      () =>
        call(sb, a, "ssm:PutParameter", {
          Name: "/ami",
          Value: "not-an-ami",
          Type: "String",
          DataType: "aws:ec2:image",
        }),
      "ValidationException",
    );
    call(sb, a, "ssm:PutParameter", { Name: "/tagged", Value: "x", Type: "String", Tags: [{ Key: "a", Value: "b" }] });
    expectEc2Error(
      () =>
        call(sb, a, "ssm:PutParameter", {
          Name: "/tagged",
          Value: "y",
          Overwrite: true,
          Tags: [{ Key: "c", Value: "d" }],
        }),
      "ValidationException",
      /tags and overwrite can't be used together/,
    );
    expect(call(sb, a, "ssm:DescribeParameters").Parameters.map((p: Any) => p.Name)).toEqual(["/big", "/tagged"]);
  });

  it("GetParametersByPath one level or recursive, paged by 10; GetParameters reports the names it could not find", () => {
    const sb = fresh();
    for (let i = 0; i < 12; i++)
      call(sb, a, "ssm:PutParameter", { Name: `/svc/p${String(i).padStart(2, "0")}`, Value: `${i}`, Type: "String" });
    call(sb, a, "ssm:PutParameter", { Name: "/svc/deep/x", Value: "x", Type: "SecureString" });
    const first = call(sb, a, "ssm:GetParametersByPath", { Path: "/svc" });
    expect(first.Parameters).toHaveLength(10);
    const second = call(sb, a, "ssm:GetParametersByPath", { Path: "/svc", NextToken: first.NextToken });
    expect([...first.Parameters, ...second.Parameters].map((p: Any) => p.Name)).toEqual(
      Array.from({ length: 12 }, (_, i) => `/svc/p${String(i).padStart(2, "0")}`),
    );
    expect(second.NextToken).toBeUndefined();
    const all = call(sb, a, "ssm:GetParametersByPath", { Path: "/svc/", Recursive: true, MaxResults: 10 });
    const rest = call(sb, a, "ssm:GetParametersByPath", {
      Path: "/svc/",
      Recursive: true,
      MaxResults: 10,
      NextToken: all.NextToken,
    });
    expect([...all.Parameters, ...rest.Parameters].map((p: Any) => p.Name)).toContain("/svc/deep/x");
    const secure = call(sb, a, "ssm:GetParametersByPath", {
      Path: "/svc",
      Recursive: true,
      ParameterFilters: [{ Key: "Type", Values: ["SecureString"] }],
      WithDecryption: true,
    });
    expect(secure.Parameters).toEqual([expect.objectContaining({ Name: "/svc/deep/x", Value: "x" })]);
    expectEc2Error(
      () => call(sb, a, "ssm:GetParametersByPath", { Path: "/svc", NextToken: "bogus" }),
      "InvalidNextToken",
    );
    expect(call(sb, a, "ssm:GetParameters", { Names: ["/svc/p00", "/nope", "/svc/p01:9"] })).toMatchObject({
      Parameters: [expect.objectContaining({ Name: "/svc/p00", Value: "0" })],
      InvalidParameters: ["/nope", "/svc/p01:9"],
    });
  });

  it("DescribeParameters filters (Name BeginsWith, Path, Type, tag) and pages by 50; metadata, no values", () => {
    const sb = fresh();
    call(sb, a, "ssm:PutParameter", {
      Name: "/app/a",
      Value: "1",
      Type: "String",
      Description: "first",
      Tags: [{ Key: "env", Value: "prod" }],
    });
    call(sb, a, "ssm:PutParameter", { Name: "/app/sub/b", Value: "2", Type: "SecureString" });
    call(sb, a, "ssm:PutParameter", { Name: "plain", Value: "3", Type: "StringList" });
    const names = (filters: Any[]) =>
      call(sb, a, "ssm:DescribeParameters", { ParameterFilters: filters }).Parameters.map((p: Any) => p.Name);
    expect(names([{ Key: "Name", Option: "BeginsWith", Values: ["/app"] }])).toEqual(["/app/a", "/app/sub/b"]);
    expect(names([{ Key: "Path", Option: "OneLevel", Values: ["/app"] }])).toEqual(["/app/a"]);
    expect(names([{ Key: "Path", Option: "Recursive", Values: ["/app"] }])).toEqual(["/app/a", "/app/sub/b"]);
    expect(names([{ Key: "Type", Values: ["StringList"] }])).toEqual(["plain"]);
    expect(names([{ Key: "tag:env", Values: ["prod"] }])).toEqual(["/app/a"]);
    expectEc2Error(() => names([{ Key: "Colour", Values: ["red"] }]), "InvalidFilterKey");
    const meta = call(sb, a, "ssm:DescribeParameters", { ParameterFilters: [{ Key: "Name", Values: ["/app/sub/b"] }] })
      .Parameters[0];
    expect(meta).toMatchObject({
      Name: "/app/sub/b",
      Type: "SecureString",
      KeyId: "alias/aws/ssm",
      Version: 1,
      Tier: "Standard",
      DataType: "text",
      LastModifiedUser: `arn:aws:iam::${A}:root`,
    });
    expect(meta.Value).toBeUndefined();
  });

  it("labels move between versions; history keeps every version; tags; delete one or many", () => {
    const sb = fresh();
    call(sb, a, "ssm:PutParameter", { Name: "/rel", Value: "v1", Type: "String" });
    call(sb, a, "ssm:PutParameter", { Name: "/rel", Value: "v2", Overwrite: true });
    expect(
      call(sb, a, "ssm:LabelParameterVersion", { Name: "/rel", ParameterVersion: 1, Labels: ["prod", "1bad"] }),
    ).toEqual({
      InvalidLabels: ["1bad"],
      ParameterVersion: 1,
    });
    expect(call(sb, a, "ssm:GetParameter", { Name: "/rel:prod" }).Parameter.Value).toBe("v1");
    call(sb, a, "ssm:LabelParameterVersion", { Name: "/rel", Labels: ["prod"] });
    expect(call(sb, a, "ssm:GetParameter", { Name: "/rel:prod" }).Parameter.Value).toBe("v2");
    expect(
      call(sb, a, "ssm:GetParameterHistory", { Name: "/rel" }).Parameters.map((p: Any) => [
        p.Version,
        p.Value,
        p.Labels,
      ]),
    ).toEqual([
      [1, "v1", []],
      [2, "v2", ["prod"]],
    ]);
    call(sb, a, "ssm:AddTagsToResource", {
      ResourceType: "Parameter",
      ResourceId: "/rel",
      Tags: [{ Key: "team", Value: "cats" }],
    });
    expect(call(sb, a, "ssm:ListTagsForResource", { ResourceType: "Parameter", ResourceId: "/rel" })).toEqual({
      TagList: [{ Key: "team", Value: "cats" }],
    });
    call(sb, a, "ssm:RemoveTagsFromResource", { ResourceType: "Parameter", ResourceId: "/rel", TagKeys: ["team"] });
    expect(call(sb, a, "ssm:ListTagsForResource", { ResourceType: "Parameter", ResourceId: "/rel" }).TagList).toEqual(
      [],
    );
    expectEc2Error(
      () => call(sb, a, "ssm:ListTagsForResource", { ResourceType: "Document", ResourceId: "/rel" }),
      "InvalidResourceType",
    );
    call(sb, a, "ssm:PutParameter", { Name: "/other", Value: "o", Type: "String" });
    expect(call(sb, a, "ssm:DeleteParameters", { Names: ["/rel", "/missing"] })).toEqual({
      DeletedParameters: ["/rel"],
      InvalidParameters: ["/missing"],
    });
    call(sb, a, "ssm:DeleteParameter", { Name: "/other" });
    expectEc2Error(() => call(sb, a, "ssm:DeleteParameter", { Name: "/other" }), "ParameterNotFound");
  });
});

describe("public AMI parameters under /aws/service/", () => {
  const AL = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64";

  it("resolve to the catalog image's ID in the caller's region (R1: it differs per region), for every account", () => {
    const sb = fresh();
    const us = call(sb, a, "ssm:GetParameter", { Name: AL }).Parameter;
    expect(us).toMatchObject({ Name: AL, Type: "String", Value: ami(AL2023_X86), DataType: "text", Version: 182 });
    expect(us.ARN).toBe(`arn:aws:ssm:us-east-1::parameter${AL}`);
    expect(call(sb, b, "ssm:GetParameter", { Name: AL }).Parameter.Value).toBe(ami(AL2023_X86));
    expect(call(sb, aEu, "ssm:GetParameter", { Name: AL }).Parameter.Value).toBe(ami(AL2023_X86, EU));
    expect(ami(AL2023_X86, EU)).not.toBe(ami(AL2023_X86));
    // What the parameter names is an image DescribeImages knows.
    const img = call(sb, a, "DescribeImages", { ImageIds: [us.Value] }).Images[0];
    expect(img.Name).toBe(AL2023_X86);
    expect(call(sb, a, "ssm:GetParameter", { Name: us.ARN }).Parameter.Value).toBe(us.Value);
  });

  it("GetParametersByPath lists the Amazon Linux tree; DescribeParameters lists only the account's own", () => {
    const sb = fresh();
    const names: string[] = [];
    let token: string | undefined;
    do {
      const out = call(sb, a, "ssm:GetParametersByPath", {
        Path: "/aws/service/ami-amazon-linux-latest",
        NextToken: token,
      });
      names.push(...out.Parameters.map((p: Any) => p.Name));
      token = out.NextToken;
    } while (token);
    expect(names).toContain(AL);
    expect(names).toContain("/aws/service/ami-amazon-linux-latest/amzn2-ami-kernel-5.10-hvm-x86_64-gp2");
    expect(names.every((n) => n.startsWith("/aws/service/ami-amazon-linux-latest/"))).toBe(true);
    const ubuntu = call(sb, a, "ssm:GetParametersByPath", {
      Path: "/aws/service/canonical",
      Recursive: true,
      MaxResults: 10,
    });
    expect(ubuntu.Parameters.length).toBe(10);
    expect(call(sb, a, "ssm:DescribeParameters").Parameters).toEqual([]);
  });
});

describe("resolve:ssm: in RunInstances", () => {
  it("launches the AMI a public or own parameter holds (by version or label too); the instance shows the AMI ID", () => {
    const sb = fresh();
    const run = (imageId: string, type = "t3.micro") =>
      call(sb, a, "RunInstances", { ImageId: imageId, InstanceType: type, MinCount: 1, MaxCount: 1 }).Instances[0];
    expect(run("resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64").ImageId).toBe(
      ami(AL2023_X86),
    );
    expect(
      run("resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64", "t4g.micro").ImageId,
    ).toBe(ami(AL2023_ARM));
    call(sb, a, "ssm:PutParameter", {
      Name: "/golden/web",
      Value: ami(AL2023_X86),
      Type: "String",
      DataType: "aws:ec2:image",
    });
    call(sb, a, "ssm:PutParameter", { Name: "/golden/web", Value: ami(AL2023_ARM), Overwrite: true });
    call(sb, a, "ssm:LabelParameterVersion", { Name: "/golden/web", ParameterVersion: 1, Labels: ["stable"] });
    expect(run("resolve:ssm:/golden/web:1").ImageId).toBe(ami(AL2023_X86));
    expect(run("resolve:ssm:/golden/web:stable").ImageId).toBe(ami(AL2023_X86));
    expect(run("resolve:ssm:/golden/web", "t4g.micro").ImageId).toBe(ami(AL2023_ARM));
    const listed = call(sb, a, "DescribeInstances").Reservations.flatMap((r: Any) =>
      r.Instances.map((i: Any) => i.ImageId),
    );
    expect(listed.every((id: string) => id.startsWith("ami-"))).toBe(true);
  });

  it("refuses a parameter that does not exist, is secret, or does not hold an AMI ID — and changes nothing", () => {
    const sb = fresh();
    const run = (imageId: string) =>
      call(sb, a, "RunInstances", { ImageId: imageId, InstanceType: "t3.micro", MinCount: 1, MaxCount: 1 });
    expectEc2Error(
      () => run("resolve:ssm:/nope"),
      "InvalidParameterValue",
      /the SSM parameter \/nope does not exist in us-east-1/,
    );
    call(sb, a, "ssm:PutParameter", { Name: "/secret-ami", Value: ami(AL2023_X86), Type: "SecureString" });
    expectEc2Error(() => run("resolve:ssm:/secret-ami"), "InvalidParameterValue", /SecureString/);
    call(sb, a, "ssm:PutParameter", { Name: "/text", Value: "hello", Type: "String" });
    expectEc2Error(() => run("resolve:ssm:/text"), "InvalidParameterValue", /is not an AMI ID/);
    expect(call(sb, a, "DescribeInstances").Reservations).toEqual([]);
  });
});

describe("SSM state", () => {
  it("replays exactly and survives a snapshot", () => {
    const events: Any[] = [];
    const sb = fresh(events);
    call(sb, a, "ssm:PutParameter", { Name: "/x", Value: "1", Type: "String", Tags: [{ Key: "k", Value: "v" }] });
    call(sb, a, "ssm:PutParameter", { Name: "/x", Value: "2", Overwrite: true });
    call(sb, a, "ssm:LabelParameterVersion", { Name: "/x", ParameterVersion: 1, Labels: ["old"] });
    call(sb, aEu, "ssm:PutParameter", { Name: "/s", Value: "pw", Type: "SecureString" });
    const view = (s: Sandbox) => ({
      us: call(s, a, "ssm:GetParameterHistory", { Name: "/x", WithDecryption: true }),
      eu: call(s, aEu, "ssm:GetParameter", { Name: "/s", WithDecryption: true }),
      tags: call(s, a, "ssm:ListTagsForResource", { ResourceType: "Parameter", ResourceId: "/x" }),
      described: call(s, a, "ssm:DescribeParameters"),
    });
    expect(view(Sandbox.replay(events, { seed: "ssm", realNow: () => 0 }))).toEqual(view(sb));
    expect(view(Sandbox.fromSnapshot(JSON.parse(JSON.stringify(snapshotState(sb))), { realNow: () => 0 }))).toEqual(
      view(sb),
    );
  });
});
