/** The command line: AWS CLI syntax (model-driven), shorthand, short forms, completion. */
import { beforeAll, describe, expect, it } from "vitest";
import { parseAwsCli } from "./aws-cli.ts";
import { applyTab, complete, type Resources } from "./complete.ts";
import { loadDocs } from "./docs.ts";
import { ParseError, parseLine } from "./parse.ts";
import { parseShorthand } from "./shorthand.ts";
import { closest, fuzzyFilter } from "./suggest.ts";

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
      targets: ["i-0123456789abcdef0"],
    });
    expect(parseLine("stop cats-2 --force")).toEqual({
      kind: "lifecycle",
      action: "StopInstances",
      targets: ["cats-2"],
      force: true,
    });
    expect(parseLine("image create cats-1 MyCustomAMI")).toEqual({
      kind: "image-create",
      instance: "cats-1",
      name: "MyCustomAMI",
      noReboot: false,
    });
    expect(parseLine("ssh -i ~/.ssh/k.pem ec2-user@cats-1")).toEqual({
      kind: "ssh",
      target: "cats-1",
      user: "ec2-user",
      identity: "~/.ssh/k.pem",
    });
    expect(parseLine("region eu-west-1")).toEqual({ kind: "region", region: "eu-west-1" });
    expect(parseLine("account sandbox-b")).toEqual({ kind: "account", account: "sandbox-b" });
    expect(parseLine(":ami")).toEqual({ kind: "view", view: "images" });
    expect(parseLine("launch MyAMI --region eu-west-1")).toMatchObject({ image: "MyAMI", region: "eu-west-1" });
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

  it("refuse what they do not know, with a suggestion for typos", () => {
    const hintOf = (line: string) => {
      try {
        parseLine(line);
      } catch (x) {
        expect(x).toBeInstanceOf(ParseError);
        return `${(x as ParseError).message} | ${(x as ParseError).hint}`;
      }
      throw new Error(`${line} parsed`);
    };
    expect(hintOf("images --bogus")).toMatch(/images: unexpected argument '--bogus'/);
    expect(hintOf("instances cats")).toMatch(/instances: unexpected argument 'cats'/);
    expect(hintOf("tree now")).toMatch(/unexpected argument 'now'/);
    expect(hintOf("stop --hard web-1")).toMatch(/stop: unknown option --hard/);
    expect(hintOf("lanuch al2023")).toMatch(/did you mean: launch al2023\?/);
    expect(hintOf("terminte web")).toMatch(/did you mean: terminate web\?/);
    expect(hintOf("image creat i-1 x")).toMatch(/did you mean: image create\?/);
    expect(hintOf("launch al2023 --nmae web")).toMatch(/did you mean --name\?/);
    expect(hintOf("region eu-wset-1")).toMatch(/did you mean eu-west-1\?/);
    expect(hintOf("ssh -x i-1")).toMatch(/ssh: unknown option -x/);
    expect(hintOf("frobnicate")).toMatch(/unknown command 'frobnicate'/);
    expect(hintOf("clock advance soon")).toMatch(/not a duration/);
    expect(hintOf(":nothing")).toMatch(/no view ':nothing'/);
  });
});

describe("completion", () => {
  beforeAll(() => loadDocs());
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
        created: 0,
        raw: {},
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
        created: 0,
        raw: {},
      },
    ],
    images: [
      {
        id: "ami-0ddddddddddddddd1",
        name: "MyCustomAMI",
        state: "available",
        ownerId: "1",
        region: "us-east-1",
        created: 0,
        raw: {},
      },
      {
        id: "ami-0eeeeeeeeeeeeeee2",
        name: "MyCustomAMI",
        state: "available",
        ownerId: "1",
        region: "eu-west-1",
        created: 1,
        raw: {},
      },
      {
        id: "ami-0fffffffffffffff3",
        name: "OldAMI",
        state: "deregistered",
        ownerId: "1",
        region: "us-east-1",
        created: 2,
        raw: {},
      },
    ],
    imageNames: { "ami-0ccccccccccccccc1": "al2023-ami-2023.6" },
  };
  it("offers commands, operations and flags, fuzzily, each flag with its doc from the EC2 model", () => {
    expect(complete("", r).candidates.map((c) => c.value)).toContain("launch");
    expect(complete("ec2 describe-ima", r).candidates.map((c) => c.value)).toContain("describe-images");
    // letters in order: dscimg finds describe-images, prefixes first
    expect(complete("ec2 dscimgs", r).candidates.map((c) => c.value)).toContain("describe-images");
    const flag = complete("ec2 run-instances --ima", r).candidates[0]!;
    expect(flag).toEqual({ value: "--image-id", description: "<value>  The ID of the AMI." });
    expect(complete("ec2 run-instances --instance-t", r).candidates[0]?.description).toMatch(/The instance type\./);
    expect(complete(":vo", r).candidates.map((c) => c.value)).toEqual([":volumes"]);
  });
  it("offers filter names with their docs, then values (documented, or live)", () => {
    const names = complete("ec2 describe-instances --filters Name=instance-st", r).candidates;
    const stateName = names.find((c) => c.value === "Name=instance-state-name,Values=");
    expect(stateName).toMatchObject({ noSpace: true });
    expect(stateName!.description).toMatch(/The state of the instance/);
    expect(names.map((c) => c.value)).toContain("Name=instance-state-code,Values=");
    expect(
      complete("ec2 describe-instances --filters Name=instance-state-name,Values=st", r)
        .candidates.map((c) => c.value)
        .sort(),
    ).toEqual(["Name=instance-state-name,Values=stopped", "Name=instance-state-name,Values=stopping"]);
    expect(
      complete("ec2 describe-images --filters Name=architecture,Values=x86_64,ar", r).candidates.map((c) => c.value),
    ).toContain("Name=architecture,Values=x86_64,arm64");
    expect(
      complete("ec2 describe-instances --filters Name=tag:Name,Values=w", r).candidates.map((c) => c.value),
    ).toEqual(["Name=tag:Name,Values=web-0"]);
    expect(applyTab("ec2 describe-instances --filters Name=instance-state-na", r).line).toBe(
      "ec2 describe-instances --filters Name=instance-state-name,Values=",
    );
  });
  it("offers live IDs with their Name tags, filtered by what the command accepts", () => {
    expect(complete("ssh ", r).candidates).toEqual([
      { value: "i-0aaaaaaaaaaaaaaa1", match: "web-0", description: "web-0 (running, t3.micro, us-east-1)" },
    ]);
    expect(complete("start ", r).candidates.map((c) => c.value)).toEqual(["i-0bbbbbbbbbbbbbbb2"]);
    expect(
      complete("ec2 run-instances --image-id ", r, { region: "us-east-1" }).candidates.map((c) => c.description),
    ).toEqual(["MyCustomAMI (self, available)", "al2023-ami-2023.6"]);
    // the region commands run in decides which AMI a name means; deregistered ones are gone
    expect(complete("launch My", r, { region: "us-east-1" }).candidates).toEqual([
      { value: "MyCustomAMI", match: "ami-0ddddddddddddddd1", description: "ami-0ddddddddddddddd1 (self, available)" },
    ]);
    expect(complete("launch My", r, { region: "eu-west-1" }).candidates[0]?.description).toMatch(
      /ami-0eeeeeeeeeeeeeee2/,
    );
    expect(complete("launch Old", r, { region: "us-east-1" }).candidates).toEqual([]);
    expect(complete("image deregister ", r, { region: "us-east-1" }).candidates.map((c) => c.value)).toEqual([
      "ami-0ddddddddddddddd1",
    ]);
    // a Name tag completes to the instance's ID
    expect(applyTab("ssh web", r).line).toBe("ssh i-0aaaaaaaaaaaaaaa1 ");
    expect(complete("region eu-we", r).candidates.map((c) => c.value)).toEqual(["eu-west-1", "eu-west-2", "eu-west-3"]);
  });
  it("Tab inserts the only candidate, or the common prefix and shows the rest; Tab again cycles", () => {
    expect(applyTab("ssh i-", r)).toEqual({ line: "ssh i-0aaaaaaaaaaaaaaa1 ", shown: [] });
    const t = applyTab("terminate i-0", r);
    expect(t.line).toBe("terminate i-0");
    expect(t.shown).toHaveLength(2);
    const t2 = applyTab(t.line, r, t.state);
    expect(t2.line).toBe("terminate i-0aaaaaaaaaaaaaaa1");
    const t3 = applyTab(t2.line, r, t2.state);
    expect(t3.line).toBe("terminate i-0bbbbbbbbbbbbbbb2");
    expect(applyTab(t3.line, r, t3.state).line).toBe("terminate i-0aaaaaaaaaaaaaaa1");
    expect(applyTab(t3.line, r, t3.state, true).line).toBe("terminate i-0aaaaaaaaaaaaaaa1");
  });
});

describe("loose matching", () => {
  it("suggests the nearest word for a typo (swaps count once), and only when it is near", () => {
    expect(closest("descibe-images", ["describe-images", "describe-instances"])).toBe("describe-images");
    expect(closest("tpo", ["top", "tree"])).toBe("top");
    expect(closest("xyzzy", ["launch", "stop"])).toBeUndefined();
  });
  it("fuzzy-filters with prefixes first, then word starts", () => {
    expect(fuzzyFilter("di", ["edit", "describe-images", "disassociate"], (x) => x)).toEqual([
      "disassociate",
      "describe-images",
      "edit",
    ]);
    expect(fuzzyFilter("dsi", ["describe-images", "delete-snapshot", "describe-instances"], (x) => x)[0]).toBe(
      "describe-images",
    );
  });
});
