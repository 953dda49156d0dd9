/** The command line: AWS CLI syntax (model-driven), shorthand, short forms, completion. */
import { describe, expect, it } from "vitest";
import { parseAwsCli } from "./aws-cli.ts";
import { applyTab, complete, type Resources } from "./complete.ts";
import { ParseError, parseLine } from "./parse.ts";
import { parseShorthand } from "./shorthand.ts";

const words = (s: string) => s.split(" ");

describe("the AWS CLI's syntax, from the model", () => {
  it("maps kebab-case operations and flags to the SDK's input shape, with --count", () => {
    expect(
      parseAwsCli(words("run-instances --image-id ami-0abc --instance-type t3.micro --count 2 --key-name k")),
    ).toMatchObject({
      action: "RunInstances",
      input: { ImageId: "ami-0abc", InstanceType: "t3.micro", MinCount: 2, MaxCount: 2, KeyName: "k" },
    });
    expect(parseAwsCli(words("run-instances --image-id ami-0abc --count 1:3")).input).toMatchObject({
      MinCount: 1,
      MaxCount: 3,
    });
    expect(parseAwsCli(words("run-instances --image-id ami-0abc")).input).toMatchObject({ MinCount: 1, MaxCount: 1 });
  });

  it("reads lists, filters shorthand, JSON, booleans and the global options", () => {
    const c = parseAwsCli([
      "describe-instances",
      "--instance-ids",
      "i-1",
      "i-2",
      "--filters",
      "Name=instance-state-name,Values=running,stopped",
      "Name=tag:Name,Values=web",
      "--query",
      "Reservations[]",
      "--output",
      "table",
      "--region",
      "eu-west-1",
    ]);
    expect(c.input).toEqual({
      InstanceIds: ["i-1", "i-2"],
      Filters: [
        { Name: "instance-state-name", Values: ["running", "stopped"] },
        { Name: "tag:Name", Values: ["web"] },
      ],
    });
    expect(c).toMatchObject({ query: "Reservations[]", output: "table", region: "eu-west-1" });
    expect(parseAwsCli(["create-tags", "--resources", "i-1", "--tags", '[{"Key":"a","Value":"b"}]']).input).toEqual({
      Resources: ["i-1"],
      Tags: [{ Key: "a", Value: "b" }],
    });
    expect(parseAwsCli(["describe-images", "--dry-run"]).input).toEqual({ DryRun: true });
    expect(parseAwsCli(["create-image", "--instance-id", "i-1", "--name", "x", "--no-reboot"]).input).toEqual({
      InstanceId: "i-1",
      Name: "x",
      NoReboot: true,
    });
    expect(
      parseAwsCli([
        "run-instances",
        "--image-id",
        "a",
        "--tag-specifications",
        "ResourceType=instance,Tags=[{Key=Name,Value=web}]",
      ]).input.TagSpecifications,
    ).toEqual([{ ResourceType: "instance", Tags: [{ Key: "Name", Value: "web" }] }]);
    expect(
      parseAwsCli([
        "authorize-security-group-ingress",
        "--group-id",
        "sg-1",
        "--ip-permissions",
        "IpProtocol=tcp,FromPort=22,ToPort=22,IpRanges=[{CidrIp=0.0.0.0/0}]",
      ]).input.IpPermissions,
    ).toEqual([{ IpProtocol: "tcp", FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: "0.0.0.0/0" }] }]);
  });

  it("says what is wrong, with a suggestion", () => {
    expect(() => parseAwsCli(["describe-imagez"])).toThrow(/invalid choice/);
    expect(() => parseAwsCli(["describe-images", "--ownerz", "self"])).toThrow(/Unknown options: --ownerz/);
    expect(() => parseAwsCli(["run-instances", "--max-count", "lots"])).toThrow(/expected a number/);
  });

  it("parses shorthand into plain values", () => {
    expect(parseShorthand("Key=a,Value=b")).toEqual({ Key: "a", Value: "b" });
    expect(parseShorthand("Name=x,Values=a,b,c")).toEqual({ Name: "x", Values: ["a", "b", "c"] });
    expect(parseShorthand("[{Key=a,Value=b},{Key=c,Value=d}]")).toEqual([
      { Key: "a", Value: "b" },
      { Key: "c", Value: "d" },
    ]);
  });
});

describe("short forms", () => {
  it("parse to the same actions", () => {
    expect(parseLine("launch al2023 t3.small --count 2 --key k --sg sg-1 --name web")).toEqual({
      kind: "launch",
      image: "al2023",
      instanceType: "t3.small",
      count: 2,
      key: "k",
      securityGroups: ["sg-1"],
      name: "web",
    });
    expect(parseLine("stop i-0123456789abcdef0")).toEqual({
      kind: "lifecycle",
      action: "StopInstances",
      ids: ["i-0123456789abcdef0"],
    });
    expect(parseLine("image create i-0123456789abcdef0 MyCustomAMI")).toEqual({
      kind: "image-create",
      instanceId: "i-0123456789abcdef0",
      name: "MyCustomAMI",
      noReboot: false,
    });
    expect(parseLine("clock advance 5m")).toEqual({ kind: "clock", op: "advance", ms: 300_000 });
    expect(parseLine("clock speed 60")).toEqual({ kind: "clock", op: "speed", speed: 60 });
    expect(parseLine("clock pause")).toEqual({ kind: "clock", op: "pause" });
    expect(parseLine("aws ec2 describe-images --owners self")).toMatchObject({
      kind: "call",
      action: "DescribeImages",
      input: { Owners: ["self"] },
    });
    expect(parseLine("?")).toEqual({ kind: "help" });
    expect(parseLine("launch?")).toEqual({ kind: "help", topic: "launch" });
  });

  it("refuse nonsense with a hint", () => {
    const e = (() => {
      try {
        parseLine("stop web-1");
      } catch (x) {
        return x as ParseError;
      }
    })();
    expect(e).toBeInstanceOf(ParseError);
    expect(e!.hint).toMatch(/Tab completes/);
    expect(() => parseLine("frobnicate")).toThrow(/unknown command/);
    expect(() => parseLine("clock advance soon")).toThrow(/not a duration/);
  });
});

describe("completion", () => {
  const r: Resources = {
    instances: [
      {
        id: "i-0aaaaaaaaaaaaaaa1",
        name: "web-0",
        state: "running",
        type: "t3.micro",
        az: "us-east-1a",
        imageId: "ami-0ccccccccccccccc1",
        launchTime: 0,
        region: "us-east-1",
      },
      {
        id: "i-0bbbbbbbbbbbbbbb2",
        name: "db",
        state: "stopped",
        type: "t3.small",
        az: "us-east-1b",
        imageId: "ami-0ccccccccccccccc1",
        launchTime: 0,
        region: "us-east-1",
      },
    ],
    images: [
      { id: "ami-0ddddddddddddddd1", name: "MyCustomAMI", state: "available", ownerId: "1", region: "us-east-1" },
    ],
    imageNames: { "ami-0ccccccccccccccc1": "al2023-ami-2023.6" },
  };
  it("offers commands, operations and flags", () => {
    expect(complete("", r).candidates.map((c) => c.value)).toContain("launch");
    expect(complete("ec2 describe-ima", r).candidates.map((c) => c.value)).toContain("describe-images");
    expect(complete("ec2 run-instances --ima", r).candidates.map((c) => c.value)).toEqual(["--image-id"]);
  });
  it("offers live IDs with their Name tags, filtered by what the command accepts", () => {
    expect(complete("ssh ", r).candidates).toEqual([
      { value: "i-0aaaaaaaaaaaaaaa1", description: "web-0 (running, t3.micro)" },
    ]);
    expect(complete("start ", r).candidates.map((c) => c.value)).toEqual(["i-0bbbbbbbbbbbbbbb2"]);
    expect(complete("ec2 run-instances --image-id ", r).candidates.map((c) => c.description)).toEqual([
      "MyCustomAMI (self, available)",
      "al2023-ami-2023.6",
    ]);
    expect(complete("launch ", r).candidates.map((c) => c.value)).toEqual(
      expect.arrayContaining(["al2023", "MyCustomAMI"]),
    );
  });
  it("Tab inserts the only candidate, or the common prefix and shows the rest", () => {
    expect(applyTab("ssh i-", r)).toEqual({ line: "ssh i-0aaaaaaaaaaaaaaa1 ", shown: [] });
    const t = applyTab("terminate i-0", r);
    expect(t.line).toBe("terminate i-0");
    expect(t.shown).toHaveLength(2);
  });
});
