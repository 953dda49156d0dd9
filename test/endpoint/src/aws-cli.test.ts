/**
 * The real AWS CLI v2 against a real `ec2sim serve` process, with the sandbox account's
 * credentials in the environment: the seeds' story, field by field, including `aws ec2 wait`.
 * Requires the AWS CLI v2 (Debian: apt-get install -y awscli); fails, never skips, without it.
 */

import { type Account, accountsOf, type ServerProcess, startServer, tempDir } from "@ec2sim/test-harness";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { awsCliRunner, runAwsCliStory } from "./aws-cli-story.ts";
import { findAwsCliV2 } from "./harness.ts";
import { runNetworkCliStory } from "./network-cli-story.ts";

/** The CLI's error line; with AWS_MAX_ATTEMPTS=1 it adds " (reached max retries: 0)". */
const cliError = (code: string, operation: string, message: string) =>
  new RegExp(
    `An error occurred \\(${code.replace(/\./g, "\\.")}\\) when calling the ${operation} operation( \\(reached max retries: 0\\))?: ${message.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`,
  );

describe("AWS CLI v2 against ec2sim serve", () => {
  let server: ServerProcess;
  let data: ReturnType<typeof tempDir>;
  let awsPath = "";
  let A: Account;
  let B: Account;

  beforeAll(async () => {
    const found = await findAwsCliV2();
    if ("error" in found) throw new Error(found.error);
    awsPath = found.path;
    cli = awsCliRunner(
      awsPath,
      () => server.url,
      () => A,
    );
    data = tempDir("cli");
    server = await startServer({ dataDir: data.dir, speed: 200 });
    [A, B] = await accountsOf(server.url);
  });
  afterAll(async () => {
    await server?.stop();
    data?.remove();
  });

  // One runner for every CLI suite (credentials in a clean environment, no config files or pager),
  // made once the CLI is found.
  let cli: ReturnType<typeof awsCliRunner>;
  const aws: ReturnType<typeof awsCliRunner>["aws"] = (args, opts) => cli.aws(args, opts);
  const ok: ReturnType<typeof awsCliRunner>["ok"] = (args, opts) => cli.ok(args, opts);

  // About 70 AWS CLI invocations, each a Python start (~0.7 s quiet, several seconds at load 8 and
  // more): the time goes to the CLI, not to the server, so the bound is generous.
  it("runs the seeds' story with --endpoint-url", { timeout: 480_000 }, async () => {
    await runAwsCliStory({ aws, ok }, A, B);
  });

  it("R27–R31 builds a web server in its own VPC, reaches it, and deletes in the wrong then the right order", {
    timeout: 300_000,
  }, async () => {
    await runNetworkCliStory({ aws, ok }, A, server.url);
  });

  it("answers --dry-run with DryRunOperation (HTTP 412) and changes nothing", async () => {
    const images = await ok([
      "describe-images",
      "--owners",
      "amazon",
      "--filters",
      "Name=name,Values=al2023-ami-2023*-x86_64",
      "Name=state,Values=available",
    ]);
    const before = await ok(["describe-instances"]);
    const r = await aws([
      "run-instances",
      "--dry-run",
      "--image-id",
      images.Images[0].ImageId,
      "--instance-type",
      "t3.micro",
      "--count",
      "1",
      "--debug",
    ]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(
      cliError("DryRunOperation", "RunInstances", "Request would have succeeded, but DryRun flag is set."),
    );
    expect(r.stderr).toMatch(/"POST \/ HTTP\/1\.1" 412 /);
    // Nothing launched: no instance now that was not there before. (Not the whole answer compared: an
    // instance an earlier test terminated leaves the listing an hour of sandbox time later, 18 real
    // seconds at ×200, which a busy machine can spend within this test.)
    const ids = (r: { Reservations: { Instances: { InstanceId: string }[] }[] }) =>
      r.Reservations.flatMap((x) => x.Instances.map((i) => i.InstanceId));
    const known = new Set(ids(before));
    expect(ids(await ok(["describe-instances"])).filter((id) => !known.has(id))).toEqual([]);
  });

  it("answers a wrong secret with AuthFailure and an action the sandbox lacks with UnsupportedOperation", async () => {
    const wrong = await aws(["describe-regions"], { as: { ...A, secretAccessKey: "not-the-secret" } });
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toMatch(
      cliError("AuthFailure", "DescribeRegions", "AWS was not able to validate the provided access credentials"),
    );
    const unsupported = await aws([
      "create-vpc-endpoint",
      "--vpc-id",
      "vpc-0123456789abcdef0",
      "--service-name",
      "com.amazonaws.us-east-1.s3",
    ]);
    expect(unsupported.stderr).toMatch(
      cliError(
        "UnsupportedOperation",
        "CreateVpcEndpoint",
        "The action CreateVpcEndpoint is not supported by this sandbox: ec2sim does not simulate VPC endpoints " +
          "(gateway and interface endpoints, PrivateLink services) (docs/NETWORKING.md lists what it leaves out)",
      ),
    );
    // An action of no feature left out on purpose keeps the plain answer.
    const plain = await aws(["describe-fleets"]);
    expect(plain.code).not.toBe(0);
    expect(plain.stderr).toMatch(
      cliError("UnsupportedOperation", "DescribeFleets", "The action DescribeFleets is not supported by this sandbox"),
    );
    expect(plain.stderr).not.toContain("does not simulate");
    const regions = await ok(["describe-regions", "--region-names", "eu-west-1", "us-east-1"]);
    expect(regions.Regions.map((r: any) => r.RegionName).sort()).toEqual(["eu-west-1", "us-east-1"]);
  });

  it("answers the networking EC2 has and the sandbox leaves out with UnsupportedOperation naming the feature", {
    timeout: 120_000,
  }, async () => {
    const vpc = (await ok(["create-vpc", "--cidr-block", "10.8.0.0/16"])).Vpc.VpcId as string;
    const other = (await ok(["create-vpc", "--cidr-block", "10.9.0.0/16"])).Vpc.VpcId as string;
    const cases: [args: string[], operation: string, feature: string][] = [
      [
        ["create-vpc-peering-connection", "--vpc-id", vpc, "--peer-vpc-id", other],
        "CreateVpcPeeringConnection",
        "VPC peering",
      ],
      [["create-transit-gateway", "--description", "hub"], "CreateTransitGateway", "transit gateways"],
      [
        ["create-flow-logs", "--resource-type", "VPC", "--resource-ids", vpc, "--traffic-type", "ALL"],
        "CreateFlowLogs",
        "VPC flow logs",
      ],
      [
        ["create-egress-only-internet-gateway", "--vpc-id", vpc],
        "CreateEgressOnlyInternetGateway",
        "egress-only internet gateways (IPv6)",
      ],
      [
        ["associate-vpc-cidr-block", "--vpc-id", vpc, "--amazon-provided-ipv6-cidr-block"],
        "AssociateVpcCidrBlock",
        "additional CIDR blocks of VPCs (secondary IPv4, IPv6)",
      ],
      [
        ["create-vpn-gateway", "--type", "ipsec.1"],
        "CreateVpnGateway",
        "site-to-site VPN (virtual private gateways, customer gateways, VPN connections)",
      ],
      [
        ["create-customer-gateway", "--type", "ipsec.1", "--public-ip", "203.0.113.12", "--bgp-asn", "65000"],
        "CreateCustomerGateway",
        "site-to-site VPN (virtual private gateways, customer gateways, VPN connections)",
      ],
    ];
    for (const [args, operation, feature] of cases) {
      const r = await aws(args);
      expect(r.code, operation).not.toBe(0);
      expect(r.stderr).toMatch(
        cliError(
          "UnsupportedOperation",
          operation,
          `The action ${operation} is not supported by this sandbox: ec2sim does not simulate ${feature} ` +
            "(docs/NETWORKING.md lists what it leaves out)",
        ),
      );
    }
    // A modelled action asked for a left-out part names it too (the same error family).
    const v6 = await aws(["create-subnet", "--vpc-id", vpc, "--cidr-block", "10.8.1.0/24", "--ipv6-native"]);
    expect(v6.stderr).toMatch(
      /\(UnsupportedOperation\) when calling the CreateSubnet operation[^:]*: .*IPv6-only subnets/,
    );
    // Nothing was made: the VPCs delete with no dependency left behind.
    await ok(["delete-vpc", "--vpc-id", vpc]);
    await ok(["delete-vpc", "--vpc-id", other]);
  });
});
