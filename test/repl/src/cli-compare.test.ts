/**
 * The REPL's AWS CLI syntax prints what the AWS CLI prints: the same `ec2 …` commands with
 * `--query` and `--output json|text|table|yaml` run through the real AWS CLI v2 and through the
 * REPL's command path (its WebSocket client, view and formatters, at the CLI's 80 columns) against
 * one real `ec2sim serve`, and their stdout is compared byte for byte.
 *
 * Documented differences, and only these, are allowed for:
 *   - members newer than the installed CLI's model: an older AWS CLI drops members it does not know
 *     (botocore parses by its model), so the REPL is run as that CLI's model would print (the list
 *     comes from the CLI's own botocore data); the REPL shows them otherwise;
 *   - `create-key-pair`: the REPL keeps the private key instead of printing it (not compared).
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { gunzipSync } from "node:zlib";
import { SandboxClient } from "@ec2sim/protocol";
import { KeyStore, type RunContext, runLine, SandboxView } from "@ec2sim/repl";
import { awsCliRunner } from "@ec2sim/test-endpoint/src/aws-cli-story.ts";
import { findAwsCliV2 } from "@ec2sim/test-endpoint/src/harness.ts";
import { accountsOf, adminOk, type ServerProcess, startServer, tempDir } from "@ec2sim/test-harness";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/** Which structure members the installed CLI's botocore model knows. */
function cliModelMembers(awsPath: string): (structure: string, member: string) => boolean {
  const candidates = [
    "/usr/lib/python3/dist-packages/awscli/botocore/data/ec2/2016-11-15",
    join(dirname(dirname(awsPath)), "lib/aws-cli/awscli/botocore/data/ec2/2016-11-15"),
  ];
  for (const dir of candidates) {
    const file = [join(dir, "service-2.json"), join(dir, "service-2.json.gz")].find(existsSync);
    if (!file) continue;
    const raw = readFileSync(file);
    const shapes = (
      JSON.parse((file.endsWith(".gz") ? gunzipSync(raw) : raw).toString("utf8")) as {
        shapes: Record<string, { members?: Record<string, unknown> }>;
      }
    ).shapes;
    return (structure, member) => !!shapes[structure]?.members && member in shapes[structure].members!;
  }
  throw new Error(`cannot find the EC2 model of the AWS CLI at ${awsPath} (looked in ${candidates.join(", ")})`);
}

describe("the REPL's AWS CLI syntax against the real AWS CLI v2", () => {
  const data = tempDir("cli-compare");
  let server: ServerProcess;
  let cli: ReturnType<typeof awsCliRunner>;
  let ctx: RunContext;
  let client: SandboxClient;
  let view: SandboxView;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    const found = await findAwsCliV2();
    if ("error" in found) throw new Error(found.error);
    server = await startServer({ dataDir: data.dir, speed: 1 });
    const [a] = await accountsOf(server.url);
    cli = awsCliRunner(
      found.path,
      () => server.url,
      () => a,
    );
    // a sandbox with a bit of everything, made through the CLI
    const ami = (
      await cli.aws([
        "describe-images",
        "--owners",
        "amazon",
        "--filters",
        "Name=name,Values=al2023-ami-2023*-x86_64",
        "--query",
        "sort_by(Images,&CreationDate)[-1].ImageId",
        "--output",
        "text",
      ])
    ).stdout.trim();
    await cli.ok(["create-key-pair", "--key-name", "compare"]);
    const sg = (await cli.ok(["create-security-group", "--group-name", "web", "--description", "web: SSH and HTTP"]))
      .GroupId;
    await cli.ok([
      "authorize-security-group-ingress",
      "--group-id",
      sg,
      "--ip-permissions",
      "IpProtocol=tcp,FromPort=22,ToPort=22,IpRanges=[{CidrIp=0.0.0.0/0,Description=SSH}]",
      "IpProtocol=tcp,FromPort=80,ToPort=80,IpRanges=[{CidrIp=0.0.0.0/0}]",
    ]);
    const run = await cli.ok([
      "run-instances",
      "--image-id",
      ami,
      "--instance-type",
      "t3.micro",
      "--count",
      "2",
      "--key-name",
      "compare",
      "--security-group-ids",
      sg,
      "--tag-specifications",
      "ResourceType=instance,Tags=[{Key=Name,Value=web},{Key=team,Value=cats}]",
    ]);
    ids.i1 = run.Instances[0].InstanceId;
    ids.i2 = run.Instances[1].InstanceId;
    await cli.ok(["run-instances", "--image-id", ami, "--instance-type", "t3.nano"]);
    await adminOk(server.url, "POST", "/sandboxes/default/clock", { advance: "2m" });
    ids.image = (await cli.ok(["create-image", "--instance-id", ids.i1!, "--name", "MyCustomAMI"])).ImageId;
    await cli.ok(["create-volume", "--availability-zone", "us-east-1a", "--size", "8", "--volume-type", "gp3"]);
    await adminOk(server.url, "POST", "/sandboxes/default/clock", { advance: "10m" });
    await cli.ok(["stop-instances", "--instance-ids", ids.i2!]);
    await adminOk(server.url, "POST", "/sandboxes/default/clock", { advance: "2m" });
    // time stands still while both print
    await adminOk(server.url, "POST", "/sandboxes/default/clock", { paused: true });
    client = await SandboxClient.connect({
      url: server.url,
      accessKeyId: a.accessKeyId,
      secretAccessKey: a.secretAccessKey,
    });
    view = new SandboxView(client);
    await view.start();
    await view.ready;
    ctx = {
      client,
      view,
      keys: new KeyStore(join(data.dir, "repl-keys"), { sandbox: "default", accountId: a.accountId }),
      width: 80,
      cliKnows: cliModelMembers(found.path),
    };
  }, 240_000);

  afterAll(async () => {
    view?.stop();
    await client?.close();
    await server?.stop();
    data.remove();
  });

  /** Both outputs of `aws ec2 ARGS`: the CLI's stdout and what the REPL prints for `ec2 ARGS`. */
  async function both(args: string[]): Promise<{ cli: string; repl: string }> {
    const c = await cli.aws(args);
    if (c.code !== 0) throw new Error(`aws ec2 ${args.join(" ")} failed: ${c.stderr}`);
    const quoted = args.map((w) => (/^[A-Za-z0-9_.,:=/*@+-]+$/.test(w) ? w : `'${w.replace(/'/g, "'\\''")}'`));
    const r = await runLine(`ec2 ${quoted.join(" ")}`, ctx);
    const text = r.lines.map((l) => l.text);
    return { cli: c.stdout, repl: text.length ? `${text.join("\n")}\n` : "" };
  }

  const FORMATS = ["json", "text", "table", "yaml"] as const;
  const QUERIES: [string, string[]][] = [
    ["describe-instances, whole", ["describe-instances"]],
    [
      "Name tags through a backtick literal",
      ["describe-instances", "--query", "Reservations[].Instances[].[InstanceId,Tags[?Key==`Name`]|[0].Value]"],
    ],
    [
      "a multi-select hash with a timestamp",
      [
        "describe-instances",
        "--query",
        "Reservations[].Instances[].{id:InstanceId,type:InstanceType,state:State.Name,launched:LaunchTime}",
      ],
    ],
    ["a scalar", ["describe-instances", "--query", "length(Reservations[].Instances[])"]],
    ["a list of integers", ["describe-instances", "--query", "Reservations[].Instances[].State.Code"]],
    ["nothing (null)", ["describe-instances", "--query", "Nope"]],
    ["a filter", ["describe-instances", "--filters", "Name=instance-state-name,Values=stopped"]],
    ["the account's images", ["describe-images", "--owners", "self"]],
    [
      "Quick Start images, sorted",
      [
        "describe-images",
        "--owners",
        "amazon",
        "--filters",
        "Name=name,Values=al2023-ami-2023*",
        "--query",
        "sort_by(Images,&Name)[].[ImageId,Name,Architecture,CreationDate]",
      ],
    ],
    ["security groups and rules", ["describe-security-groups", "--filters", "Name=group-name,Values=web"]],
    ["key pairs", ["describe-key-pairs"]],
    ["volumes", ["describe-volumes"]],
    ["instance types (doubles)", ["describe-instance-types", "--instance-types", "m5.large", "t3.micro", "c5d.large"]],
    ["regions, sliced", ["describe-regions", "--query", "Regions[0:6]"]],
    ["availability zones of another region", ["describe-availability-zones", "--region", "eu-west-1"]],
  ];

  for (const [what, args] of QUERIES) {
    it(`${what}: --output json, text, table and yaml`, async () => {
      // the four CLI processes run side by side (each spends seconds starting Python)
      const outputs = await Promise.all(FORMATS.map((format) => both([...args, "--output", format])));
      for (const [i, { cli: expected, repl }] of outputs.entries())
        expect(repl, `--output ${FORMATS[i]}`).toBe(expected);
    });
  }

  it("an operation without output prints nothing (modify-image-attribute), as the CLI does", async () => {
    const args = ["modify-image-attribute", "--image-id", ids.image!, "--description", "Value=golden"];
    const c = await both(args);
    expect(c).toEqual({ cli: "", repl: "" });
  });

  it("get-console-output is decoded, as the CLI does", async () => {
    const outputs = await Promise.all(
      FORMATS.map((format) => both(["get-console-output", "--instance-id", ids.i1!, "--output", format])),
    );
    for (const { cli: expected, repl } of outputs) expect(repl).toBe(expected);
    const { cli: decoded } = await both([
      "get-console-output",
      "--instance-id",
      ids.i1!,
      "--query",
      "Output",
      "--output",
      "text",
    ]);
    expect(decoded).toMatch(/[a-z]{4}/); // text, not base64
  });
});
