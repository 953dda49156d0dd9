/**
 * The web server in its own VPC (R27–R31) through the real AWS CLI v2, as the AWS documentation's
 * walkthrough does it: create-vpc, create-subnet, create-internet-gateway + attach, create-route-table
 * + create-route + associate, create-security-group + authorize, run-instances with
 * --associate-public-ip-address, reachable (the sandbox's SSH check, through the admin API); then
 * deleting in the wrong order is refused with DependencyViolation as the CLI prints it, and the right
 * order removes everything; then a launch template and a launch from it (R32). Used by aws-cli.test.ts.
 */
import { admin } from "@ec2sim/test-harness";
import { expect } from "vitest";
import { type AwsCli, type CliAccount, ID, states, until } from "./aws-cli-story.ts";

const dependencyViolation = (operation: string) =>
  new RegExp(`An error occurred \\(DependencyViolation\\) when calling the ${operation} operation`);

export async function runNetworkCliStory(cli: AwsCli, A: CliAccount, url: string): Promise<void> {
  const { aws, ok } = cli;
  const vpc = (
    await ok([
      "create-vpc",
      "--cidr-block",
      "10.60.0.0/16",
      "--tag-specifications",
      "ResourceType=vpc,Tags=[{Key=Name,Value=cli-web}]",
    ])
  ).Vpc;
  expect(vpc.VpcId).toMatch(ID("vpc"));
  expect(vpc).toMatchObject({ CidrBlock: "10.60.0.0/16", State: "pending", IsDefault: false });
  const waited = await aws(["wait", "vpc-available", "--vpc-ids", vpc.VpcId]);
  expect(waited.code, waited.stderr).toBe(0);
  await ok(["modify-vpc-attribute", "--vpc-id", vpc.VpcId, "--enable-dns-hostnames", '{"Value":true}']);
  const dns = await ok(["describe-vpc-attribute", "--vpc-id", vpc.VpcId, "--attribute", "enableDnsHostnames"]);
  expect(dns).toEqual({ VpcId: vpc.VpcId, EnableDnsHostnames: { Value: true } });

  const subnet = (
    await ok([
      "create-subnet",
      "--vpc-id",
      vpc.VpcId,
      "--cidr-block",
      "10.60.1.0/24",
      "--availability-zone",
      "us-east-1b",
    ])
  ).Subnet;
  expect(subnet).toMatchObject({ VpcId: vpc.VpcId, AvailabilityZone: "us-east-1b", AvailableIpAddressCount: 251 });
  const overlap = await aws(["create-subnet", "--vpc-id", vpc.VpcId, "--cidr-block", "10.60.1.128/25"]);
  expect(overlap.stderr).toMatch(
    /\(InvalidSubnet\.Conflict\).*The CIDR '10\.60\.1\.128\/25' conflicts with another subnet/,
  );

  const igw = (await ok(["create-internet-gateway"])).InternetGateway;
  expect(igw.InternetGatewayId).toMatch(ID("igw"));
  await ok(["attach-internet-gateway", "--internet-gateway-id", igw.InternetGatewayId, "--vpc-id", vpc.VpcId]);
  const rtb = (await ok(["create-route-table", "--vpc-id", vpc.VpcId])).RouteTable;
  expect(
    (
      await ok([
        "create-route",
        "--route-table-id",
        rtb.RouteTableId,
        "--destination-cidr-block",
        "0.0.0.0/0",
        "--gateway-id",
        igw.InternetGatewayId,
      ])
    ).Return,
  ).toBe(true);
  const assoc = await ok([
    "associate-route-table",
    "--route-table-id",
    rtb.RouteTableId,
    "--subnet-id",
    subnet.SubnetId,
  ]);
  expect(assoc.AssociationId).toMatch(ID("rtbassoc"));
  const tables = await ok([
    "describe-route-tables",
    "--filters",
    `Name=association.subnet-id,Values=${subnet.SubnetId}`,
    "--query",
    "RouteTables[].Routes[].[DestinationCidrBlock,GatewayId,State]",
  ]);
  expect(tables).toEqual([
    ["10.60.0.0/16", "local", "active"],
    ["0.0.0.0/0", igw.InternetGatewayId, "active"],
  ]);

  const sg = (
    await ok(["create-security-group", "--group-name", "cli-web", "--description", "web", "--vpc-id", vpc.VpcId])
  ).GroupId;
  await ok([
    "authorize-security-group-ingress",
    "--group-id",
    sg,
    "--protocol",
    "tcp",
    "--port",
    "22",
    "--cidr",
    "203.0.113.10/32",
  ]);
  await ok([
    "authorize-security-group-ingress",
    "--group-id",
    sg,
    "--protocol",
    "tcp",
    "--port",
    "80",
    "--cidr",
    "0.0.0.0/0",
  ]);
  const key = await ok(["create-key-pair", "--key-name", "cli-web-key"]);
  const image = (await ok([
    "describe-images",
    "--owners",
    "amazon",
    "--filters",
    "Name=name,Values=al2023-ami-2023*-x86_64",
    "--query",
    "sort_by(Images,&CreationDate)[-1].ImageId",
  ])) as string;
  // The subnet does not map public IPs: the launch asks for one (the CLI sends it as an interface spec).
  const run = await ok([
    "run-instances",
    "--image-id",
    image,
    "--instance-type",
    "t3.micro",
    "--count",
    "1",
    "--subnet-id",
    subnet.SubnetId,
    "--security-group-ids",
    sg,
    "--associate-public-ip-address",
    "--key-name",
    "cli-web-key",
  ]);
  const inst = run.Instances[0];
  expect(inst).toMatchObject({ SubnetId: subnet.SubnetId, VpcId: vpc.VpcId });
  expect(inst.PrivateIpAddress).toMatch(/^10\.60\.1\.\d+$/);
  expect(inst.PublicIpAddress).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
  expect(inst.NetworkInterfaces[0]).toMatchObject({
    SubnetId: subnet.SubnetId,
    Groups: [{ GroupId: sg, GroupName: "cli-web" }],
    Attachment: expect.objectContaining({ DeviceIndex: 0 }),
  });
  // As in the seeds' story: described until running first, so the waiter finds it at its first poll
  // instead of sleeping its 15 s delay.
  await until(ok, ["describe-instances", "--instance-ids", inst.InstanceId], (o) =>
    states(o).every((st) => st === "running"),
  );
  const running = await aws(["wait", "instance-running", "--instance-ids", inst.InstanceId], { timeoutMs: 90_000 });
  expect(running.code, running.stderr).toBe(0);
  const enis = await ok(["describe-network-interfaces", "--filters", `Name=vpc-id,Values=${vpc.VpcId}`]);
  expect(enis.NetworkInterfaces.map((n: any) => [n.Attachment.InstanceId, n.Association.PublicIp])).toEqual([
    [inst.InstanceId, inst.PublicIpAddress],
  ]);
  expect(
    (await ok([
      "describe-subnets",
      "--subnet-ids",
      subnet.SubnetId,
      "--query",
      "Subnets[0].AvailableIpAddressCount",
    ])) as number,
  ).toBe(250);

  const ssh = await admin(url, "POST", "/sandboxes/default/call", {
    action: "SshConnect",
    accountId: A.accountId,
    input: { InstanceId: inst.InstanceId, PrivateKey: key.KeyMaterial },
  });
  expect(ssh.status, JSON.stringify(ssh.json)).toBe(200);
  expect(ssh.json.output.Host).toBe(inst.PublicIpAddress);

  // Wrong order: refused, as the CLI prints it.
  for (const [operation, args] of [
    ["DeleteVpc", ["delete-vpc", "--vpc-id", vpc.VpcId]],
    ["DeleteSubnet", ["delete-subnet", "--subnet-id", subnet.SubnetId]],
    ["DeleteSecurityGroup", ["delete-security-group", "--group-id", sg]],
    [
      "DetachInternetGateway",
      ["detach-internet-gateway", "--internet-gateway-id", igw.InternetGatewayId, "--vpc-id", vpc.VpcId],
    ],
    ["DeleteInternetGateway", ["delete-internet-gateway", "--internet-gateway-id", igw.InternetGatewayId]],
    ["DeleteRouteTable", ["delete-route-table", "--route-table-id", rtb.RouteTableId]],
  ] as [string, string[]][]) {
    const r = await aws(args);
    expect(r.code, `${operation} should be refused`).not.toBe(0);
    expect(r.stderr).toMatch(dependencyViolation(operation));
  }
  // Right order.
  await ok(["terminate-instances", "--instance-ids", inst.InstanceId]);
  await until(ok, ["describe-instances", "--instance-ids", inst.InstanceId], (o) =>
    states(o).every((st) => st === "terminated"),
  );
  const gone = await aws(["wait", "instance-terminated", "--instance-ids", inst.InstanceId], { timeoutMs: 90_000 });
  expect(gone.code, gone.stderr).toBe(0);
  await ok(["delete-security-group", "--group-id", sg]);
  await ok(["disassociate-route-table", "--association-id", assoc.AssociationId]);
  await ok(["delete-route-table", "--route-table-id", rtb.RouteTableId]);
  await ok(["detach-internet-gateway", "--internet-gateway-id", igw.InternetGatewayId, "--vpc-id", vpc.VpcId]);
  await ok(["delete-internet-gateway", "--internet-gateway-id", igw.InternetGatewayId]);
  await ok(["delete-subnet", "--subnet-id", subnet.SubnetId]);
  await ok(["delete-vpc", "--vpc-id", vpc.VpcId]);
  const after = await aws(["describe-vpcs", "--vpc-ids", vpc.VpcId]);
  expect(after.stderr).toMatch(/\(InvalidVpcID\.NotFound\).*The vpc ID '.*' does not exist/);

  // R32: a launch template, and a launch from it with the CLI's shorthand.
  const lt = (
    await ok([
      "create-launch-template",
      "--launch-template-name",
      "cli-lt",
      "--launch-template-data",
      JSON.stringify({ ImageId: image, InstanceType: "t3.small" }),
    ])
  ).LaunchTemplate;
  expect(lt).toMatchObject({ LaunchTemplateName: "cli-lt", DefaultVersionNumber: 1 });
  const fromLt = (await ok(["run-instances", "--launch-template", "LaunchTemplateName=cli-lt,Version=$Latest"]))
    .Instances[0];
  expect(fromLt.InstanceType).toBe("t3.small");
  expect(fromLt.Tags).toContainEqual({ Key: "aws:ec2launchtemplate:id", Value: lt.LaunchTemplateId });
  await ok(["terminate-instances", "--instance-ids", fromLt.InstanceId]);
  await ok(["delete-launch-template", "--launch-template-id", lt.LaunchTemplateId]);
}
