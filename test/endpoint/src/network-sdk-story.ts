/**
 * The networking story through the AWS SDK v3 (R27–R32), run inside `sdkStorySuite` (so on every
 * store the suite runs on): a web server in its own VPC, built and torn down the way the AWS
 * documentation does it, checked field by field, with EC2's errors where the order is wrong.
 */
import {
  AllocateAddressCommand,
  AssociateRouteTableCommand,
  AttachInternetGatewayCommand,
  AuthorizeSecurityGroupIngressCommand,
  CreateInternetGatewayCommand,
  CreateKeyPairCommand,
  CreateLaunchTemplateCommand,
  CreateLaunchTemplateVersionCommand,
  CreateNatGatewayCommand,
  CreateRouteCommand,
  CreateRouteTableCommand,
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  DeleteInternetGatewayCommand,
  DeleteLaunchTemplateCommand,
  DeleteNatGatewayCommand,
  DeleteRouteTableCommand,
  DeleteSecurityGroupCommand,
  DeleteSubnetCommand,
  DeleteVpcCommand,
  DescribeAccountAttributesCommand,
  DescribeInternetGatewaysCommand,
  DescribeLaunchTemplatesCommand,
  DescribeLaunchTemplateVersionsCommand,
  DescribeNetworkAclsCommand,
  DescribeNetworkInterfacesCommand,
  DescribeRouteTablesCommand,
  DescribeSubnetsCommand,
  DescribeVpcAttributeCommand,
  DescribeVpcsCommand,
  DetachInternetGatewayCommand,
  DisassociateRouteTableCommand,
  type EC2Client,
  ModifyLaunchTemplateCommand,
  ModifySubnetAttributeCommand,
  ModifyVpcAttributeCommand,
  paginateDescribeSubnets,
  ReleaseAddressCommand,
  RunInstancesCommand,
  TerminateInstancesCommand,
  waitUntilInstanceRunning,
  waitUntilInstanceTerminated,
  waitUntilNatGatewayAvailable,
  waitUntilNatGatewayDeleted,
} from "@aws-sdk/client-ec2";
import { admin, newestAl2023 } from "@ec2sim/test-harness";
import { expect } from "vitest";
import { ec2Error } from "./sdk-story.ts";

const ID = (prefix: string) => new RegExp(`^${prefix}-[0-9a-f]{17}$`);
// At ×200 a transition takes a fraction of a second: polls 0.1–1 s apart (not the SDK's seconds) find it soon after.
const waitOpts = (client: EC2Client) => ({ client, maxWaitTime: 60, minDelay: 0.1, maxDelay: 1 });

/** R27, R28: a VPC and subnets of one's own, their addresses, and the default VPC beside them. */
export async function vpcAndSubnetStory(a: EC2Client, b: EC2Client): Promise<void> {
  const vpc = (
    await a.send(
      new CreateVpcCommand({
        CidrBlock: "10.30.0.0/16",
        TagSpecifications: [{ ResourceType: "vpc", Tags: [{ Key: "Name", Value: "sdk-vpc" }] }],
      }),
    )
  ).Vpc!;
  expect(vpc.VpcId).toMatch(ID("vpc"));
  expect(vpc).toMatchObject({ CidrBlock: "10.30.0.0/16", IsDefault: false, InstanceTenancy: "default" });
  expect(vpc.Tags).toEqual([{ Key: "Name", Value: "sdk-vpc" }]);
  const vpcId = vpc.VpcId!;
  await a.send(new ModifyVpcAttributeCommand({ VpcId: vpcId, EnableDnsHostnames: { Value: true } }));
  expect(
    (await a.send(new DescribeVpcAttributeCommand({ VpcId: vpcId, Attribute: "enableDnsHostnames" })))
      .EnableDnsHostnames,
  ).toEqual({ Value: true });
  expect((await ec2Error(a.send(new CreateVpcCommand({ CidrBlock: "10.0.0.0/8" })))).name).toBe("InvalidVpc.Range");

  const subnet = (
    await a.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: "10.30.1.0/28", AvailabilityZone: "us-east-1a" }))
  ).Subnet!;
  expect(subnet.SubnetId).toMatch(ID("subnet"));
  expect(subnet).toMatchObject({
    VpcId: vpcId,
    CidrBlock: "10.30.1.0/28",
    AvailabilityZone: "us-east-1a",
    AvailableIpAddressCount: 11,
    MapPublicIpOnLaunch: false,
    DefaultForAz: false,
    State: "available",
  });
  expect((await ec2Error(a.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: "10.30.0.0/20" })))).name).toBe(
    "InvalidSubnet.Conflict",
  );
  expect((await ec2Error(a.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: "10.31.0.0/24" })))).name).toBe(
    "InvalidSubnet.Range",
  );
  await a.send(new ModifySubnetAttributeCommand({ SubnetId: subnet.SubnetId, MapPublicIpOnLaunch: { Value: true } }));

  // Addresses: a /28 holds 11 instances; the twelfth finds the subnet full.
  const img = await newestAl2023(a);
  const run = await a.send(
    new RunInstancesCommand({
      ImageId: img.ImageId,
      InstanceType: "t3.micro",
      MinCount: 1,
      MaxCount: 11,
      SubnetId: subnet.SubnetId,
    }),
  );
  expect(run.Instances).toHaveLength(11);
  expect(run.Instances!.map((i) => i.PrivateIpAddress)).toEqual(
    Array.from({ length: 11 }, (_, k) => `10.30.1.${k + 4}`),
  );
  expect(run.Instances!.every((i) => i.PublicIpAddress !== undefined && i.VpcId === vpcId)).toBe(true);
  const full = await ec2Error(
    a.send(
      new RunInstancesCommand({
        ImageId: img.ImageId,
        InstanceType: "t3.micro",
        MinCount: 1,
        MaxCount: 1,
        SubnetId: subnet.SubnetId,
      }),
    ),
  );
  expect(full.name).toBe("InsufficientFreeAddressesInSubnet");
  expect(full.message).toContain(subnet.SubnetId);
  const described = (await a.send(new DescribeSubnetsCommand({ SubnetIds: [subnet.SubnetId!] }))).Subnets![0]!;
  expect(described).toMatchObject({ AvailableIpAddressCount: 0, MapPublicIpOnLaunch: true });

  // R31: in use, neither the subnet nor the VPC can go.
  expect((await ec2Error(a.send(new DeleteSubnetCommand({ SubnetId: subnet.SubnetId })))).name).toBe(
    "DependencyViolation",
  );
  const vpcInUse = await ec2Error(a.send(new DeleteVpcCommand({ VpcId: vpcId })));
  expect(vpcInUse.name).toBe("DependencyViolation");
  expect(vpcInUse.message).toBe(`The vpc '${vpcId}' has dependencies and cannot be deleted.`);

  // R28: the default VPC is there too, and the account attribute names it; B sees none of A's.
  const def = (await a.send(new DescribeVpcsCommand({ Filters: [{ Name: "is-default", Values: ["true"] }] }))).Vpcs!;
  expect(def.map((v) => v.CidrBlock)).toEqual(["172.31.0.0/16"]);
  const attrs = await a.send(new DescribeAccountAttributesCommand({ AttributeNames: ["default-vpc"] }));
  expect(attrs.AccountAttributes).toEqual([
    { AttributeName: "default-vpc", AttributeValues: [{ AttributeValue: def[0]!.VpcId }] },
  ]);
  expect((await ec2Error(b.send(new DescribeVpcsCommand({ VpcIds: [vpcId] })))).name).toBe("InvalidVpcID.NotFound");
  const mine: string[] = [];
  for await (const page of paginateDescribeSubnets(
    { client: a, pageSize: 5 },
    { Filters: [{ Name: "vpc-id", Values: [vpcId, def[0]!.VpcId!] }] },
  ))
    for (const s of page.Subnets ?? []) mine.push(s.SubnetId!);
  expect(mine).toContain(subnet.SubnetId);
  expect(mine.length).toBe(1 + 6); // us-east-1 has six zones, one default subnet each

  // Emptied, they go: instances, then the subnet, then the VPC.
  const ids = run.Instances!.map((i) => i.InstanceId!);
  await a.send(new TerminateInstancesCommand({ InstanceIds: ids }));
  await waitUntilInstanceTerminated(waitOpts(a), { InstanceIds: ids });
  await a.send(new DeleteSubnetCommand({ SubnetId: subnet.SubnetId }));
  await a.send(new DeleteVpcCommand({ VpcId: vpcId }));
  expect((await ec2Error(a.send(new DescribeVpcsCommand({ VpcIds: [vpcId] })))).name).toBe("InvalidVpcID.NotFound");
}

/** R29, R31: an internet gateway and a route table of one's own; the main table and default ACL. */
export async function gatewayAndRouteStory(a: EC2Client): Promise<void> {
  const vpcId = (await a.send(new CreateVpcCommand({ CidrBlock: "10.32.0.0/16" }))).Vpc!.VpcId!;
  const subnetId = (await a.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: "10.32.0.0/24" }))).Subnet!
    .SubnetId!;
  const igw = (
    await a.send(
      new CreateInternetGatewayCommand({
        TagSpecifications: [{ ResourceType: "internet-gateway", Tags: [{ Key: "Name", Value: "sdk-igw" }] }],
      }),
    )
  ).InternetGateway!;
  expect(igw.InternetGatewayId).toMatch(ID("igw"));
  expect(igw.Attachments).toEqual([]);
  await a.send(new AttachInternetGatewayCommand({ InternetGatewayId: igw.InternetGatewayId, VpcId: vpcId }));
  const attached = (await a.send(new DescribeInternetGatewaysCommand({ InternetGatewayIds: [igw.InternetGatewayId!] })))
    .InternetGateways![0]!;
  expect(attached.Attachments).toEqual([{ State: "available", VpcId: vpcId }]);

  const rtb = (await a.send(new CreateRouteTableCommand({ VpcId: vpcId }))).RouteTable!;
  expect(rtb.RouteTableId).toMatch(ID("rtb"));
  expect(rtb.Routes).toEqual([
    { DestinationCidrBlock: "10.32.0.0/16", GatewayId: "local", Origin: "CreateRouteTable", State: "active" },
  ]);
  expect(
    (
      await a.send(
        new CreateRouteCommand({
          RouteTableId: rtb.RouteTableId,
          DestinationCidrBlock: "0.0.0.0/0",
          GatewayId: igw.InternetGatewayId,
        }),
      )
    ).Return,
  ).toBe(true);
  const dup = await ec2Error(
    a.send(
      new CreateRouteCommand({
        RouteTableId: rtb.RouteTableId,
        DestinationCidrBlock: "0.0.0.0/0",
        GatewayId: igw.InternetGatewayId,
      }),
    ),
  );
  expect(dup.name).toBe("RouteAlreadyExists");
  const assoc = await a.send(new AssociateRouteTableCommand({ RouteTableId: rtb.RouteTableId, SubnetId: subnetId }));
  expect(assoc.AssociationState).toEqual({ State: "associated" });
  const tables = (await a.send(new DescribeRouteTablesCommand({ Filters: [{ Name: "vpc-id", Values: [vpcId] }] })))
    .RouteTables!;
  expect(tables).toHaveLength(2);
  const main = tables.find((t) => t.Associations!.some((x) => x.Main))!;
  expect(main.Routes!.map((r) => r.GatewayId)).toEqual(["local"]);
  const mine = tables.find((t) => t.RouteTableId === rtb.RouteTableId)!;
  expect(mine.Associations).toEqual([
    {
      Main: false,
      RouteTableAssociationId: assoc.AssociationId,
      RouteTableId: rtb.RouteTableId,
      SubnetId: subnetId,
      AssociationState: { State: "associated" },
    },
  ]);
  const acl = (
    await a.send(
      new DescribeNetworkAclsCommand({
        Filters: [
          { Name: "vpc-id", Values: [vpcId] },
          { Name: "default", Values: ["true"] },
        ],
      }),
    )
  ).NetworkAcls!;
  expect(acl.map((x) => x.Associations!.map((y) => y.SubnetId))).toEqual([[subnetId]]);

  // R31: wrong order first, then the right one.
  // One call at a time: a refusal that arrives before its turn to be awaited is an unhandled rejection.
  for (const wrong of [
    () => a.send(new DeleteInternetGatewayCommand({ InternetGatewayId: igw.InternetGatewayId })),
    () => a.send(new DeleteRouteTableCommand({ RouteTableId: main.RouteTableId })),
    () => a.send(new DeleteRouteTableCommand({ RouteTableId: rtb.RouteTableId })),
    () => a.send(new DeleteVpcCommand({ VpcId: vpcId })),
  ])
    expect((await ec2Error(wrong())).name).toBe("DependencyViolation");
  await a.send(new DisassociateRouteTableCommand({ AssociationId: assoc.AssociationId }));
  await a.send(new DeleteRouteTableCommand({ RouteTableId: rtb.RouteTableId }));
  await a.send(new DetachInternetGatewayCommand({ InternetGatewayId: igw.InternetGatewayId, VpcId: vpcId }));
  await a.send(new DeleteInternetGatewayCommand({ InternetGatewayId: igw.InternetGatewayId }));
  await a.send(new DeleteSubnetCommand({ SubnetId: subnetId }));
  await a.send(new DeleteVpcCommand({ VpcId: vpcId }));
}

/**
 * The web server in its own VPC (R27–R31), as the AWS documentation builds it: VPC → subnet →
 * internet gateway → route table → security group → instance with a public IP → reachable over SSH
 * (the sandbox's SSH check, through the admin API); then deletion in the wrong order answers
 * DependencyViolation at each step, and the right order removes everything.
 */
export async function webServerInOwnVpcStory(a: EC2Client, url: string, accountId: string): Promise<void> {
  const tag = (
    ResourceType: "vpc" | "subnet" | "internet-gateway" | "route-table" | "security-group",
    name: string,
  ) => [{ ResourceType, Tags: [{ Key: "Name", Value: name }] }];
  const vpcId = (
    await a.send(new CreateVpcCommand({ CidrBlock: "10.50.0.0/16", TagSpecifications: tag("vpc", "web") }))
  ).Vpc!.VpcId!;
  await a.send(new ModifyVpcAttributeCommand({ VpcId: vpcId, EnableDnsHostnames: { Value: true } }));
  const subnetId = (
    await a.send(
      new CreateSubnetCommand({
        VpcId: vpcId,
        CidrBlock: "10.50.1.0/24",
        AvailabilityZone: "us-east-1a",
        TagSpecifications: tag("subnet", "web-public"),
      }),
    )
  ).Subnet!.SubnetId!;
  await a.send(new ModifySubnetAttributeCommand({ SubnetId: subnetId, MapPublicIpOnLaunch: { Value: true } }));
  const igwId = (await a.send(new CreateInternetGatewayCommand({ TagSpecifications: tag("internet-gateway", "web") })))
    .InternetGateway!.InternetGatewayId!;
  await a.send(new AttachInternetGatewayCommand({ InternetGatewayId: igwId, VpcId: vpcId }));
  const rtbId = (
    await a.send(new CreateRouteTableCommand({ VpcId: vpcId, TagSpecifications: tag("route-table", "web") }))
  ).RouteTable!.RouteTableId!;
  await a.send(new CreateRouteCommand({ RouteTableId: rtbId, DestinationCidrBlock: "0.0.0.0/0", GatewayId: igwId }));
  const assocId = (await a.send(new AssociateRouteTableCommand({ RouteTableId: rtbId, SubnetId: subnetId })))
    .AssociationId!;
  const sgId = (
    await a.send(
      new CreateSecurityGroupCommand({
        GroupName: "web",
        Description: "HTTP and SSH",
        VpcId: vpcId,
        TagSpecifications: tag("security-group", "web"),
      }),
    )
  ).GroupId!;
  await a.send(
    new AuthorizeSecurityGroupIngressCommand({
      GroupId: sgId,
      IpPermissions: [
        { IpProtocol: "tcp", FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: "203.0.113.10/32" }] },
        { IpProtocol: "tcp", FromPort: 80, ToPort: 80, IpRanges: [{ CidrIp: "0.0.0.0/0" }] },
      ],
    }),
  );
  const key = await a.send(new CreateKeyPairCommand({ KeyName: "web-in-vpc" }));
  const img = await newestAl2023(a);
  const run = await a.send(
    new RunInstancesCommand({
      ImageId: img.ImageId,
      InstanceType: "t3.micro",
      MinCount: 1,
      MaxCount: 1,
      SubnetId: subnetId,
      SecurityGroupIds: [sgId],
      KeyName: "web-in-vpc",
    }),
  );
  const inst = run.Instances![0]!;
  expect(inst).toMatchObject({
    SubnetId: subnetId,
    VpcId: vpcId,
    SecurityGroups: [{ GroupId: sgId, GroupName: "web" }],
  });
  expect(inst.PrivateIpAddress).toMatch(/^10\.50\.1\.\d+$/);
  expect(inst.PublicIpAddress).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
  await waitUntilInstanceRunning(waitOpts(a), { InstanceIds: [inst.InstanceId!] });
  const eni = (
    await a.send(
      new DescribeNetworkInterfacesCommand({
        Filters: [{ Name: "attachment.instance-id", Values: [inst.InstanceId!] }],
      }),
    )
  ).NetworkInterfaces!;
  expect(eni.map((n) => [n.SubnetId, n.PrivateIpAddress, n.Attachment?.DeviceIndex, n.Association?.PublicIp])).toEqual([
    [subnetId, inst.PrivateIpAddress, 0, inst.PublicIpAddress],
  ]);
  // Reachable: the sandbox's SSH check walks the path (public IP, gateway, route, group, key).
  const ssh = await admin(url, "POST", "/sandboxes/default/call", {
    action: "SshConnect",
    accountId,
    input: { InstanceId: inst.InstanceId, PrivateKey: key.KeyMaterial },
  });
  expect(ssh.status, JSON.stringify(ssh.json)).toBe(200);
  expect(ssh.json.output).toMatchObject({ User: "ec2-user", Host: inst.PublicIpAddress });

  // Wrong order: each step is refused with DependencyViolation.
  const wrong = [
    () => a.send(new DeleteVpcCommand({ VpcId: vpcId })),
    () => a.send(new DeleteSubnetCommand({ SubnetId: subnetId })),
    () => a.send(new DeleteSecurityGroupCommand({ GroupId: sgId })),
    () => a.send(new DetachInternetGatewayCommand({ InternetGatewayId: igwId, VpcId: vpcId })),
    () => a.send(new DeleteInternetGatewayCommand({ InternetGatewayId: igwId })),
    () => a.send(new DeleteRouteTableCommand({ RouteTableId: rtbId })),
  ];
  for (const call of wrong) expect((await ec2Error(call())).name).toBe("DependencyViolation");
  // Right order.
  await a.send(new TerminateInstancesCommand({ InstanceIds: [inst.InstanceId!] }));
  await waitUntilInstanceTerminated(waitOpts(a), { InstanceIds: [inst.InstanceId!] });
  await a.send(new DeleteSecurityGroupCommand({ GroupId: sgId }));
  await a.send(new DisassociateRouteTableCommand({ AssociationId: assocId }));
  await a.send(new DeleteRouteTableCommand({ RouteTableId: rtbId }));
  await a.send(new DetachInternetGatewayCommand({ InternetGatewayId: igwId, VpcId: vpcId }));
  await a.send(new DeleteInternetGatewayCommand({ InternetGatewayId: igwId }));
  await a.send(new DeleteSubnetCommand({ SubnetId: subnetId }));
  await a.send(new DeleteVpcCommand({ VpcId: vpcId }));
  expect((await ec2Error(a.send(new DescribeVpcsCommand({ VpcIds: [vpcId] })))).name).toBe("InvalidVpcID.NotFound");
}

/**
 * R29 NAT gateways through the SDK: a public and a private subnet, a NAT gateway with an Elastic IP
 * (the SDK's NatGatewayAvailable/Deleted waiters), a private instance that installs a package
 * through it (the guest shell, through the admin API) and the bill's NAT lines.
 */
export async function natGatewayStory(a: EC2Client, url: string, accountId: string): Promise<void> {
  const vpcId = (await a.send(new CreateVpcCommand({ CidrBlock: "10.80.0.0/16" }))).Vpc!.VpcId!;
  const pub = (
    await a.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: "10.80.0.0/24", AvailabilityZone: "us-east-1a" }))
  ).Subnet!.SubnetId!;
  const priv = (
    await a.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: "10.80.1.0/24", AvailabilityZone: "us-east-1a" }))
  ).Subnet!.SubnetId!;
  const igw = (await a.send(new CreateInternetGatewayCommand({}))).InternetGateway!.InternetGatewayId!;
  await a.send(new AttachInternetGatewayCommand({ InternetGatewayId: igw, VpcId: vpcId }));
  const pubRtb = (await a.send(new CreateRouteTableCommand({ VpcId: vpcId }))).RouteTable!.RouteTableId!;
  await a.send(new CreateRouteCommand({ RouteTableId: pubRtb, DestinationCidrBlock: "0.0.0.0/0", GatewayId: igw }));
  await a.send(new AssociateRouteTableCommand({ RouteTableId: pubRtb, SubnetId: pub }));
  const eip = await a.send(new AllocateAddressCommand({ Domain: "vpc" }));
  const created = (await a.send(new CreateNatGatewayCommand({ SubnetId: pub, AllocationId: eip.AllocationId })))
    .NatGateway!;
  expect(created).toMatchObject({ State: "pending", SubnetId: pub, VpcId: vpcId, ConnectivityType: "public" });
  expect(created.NatGatewayId).toMatch(ID("nat"));
  expect(created.NatGatewayAddresses).toEqual([
    expect.objectContaining({ AllocationId: eip.AllocationId, PublicIp: eip.PublicIp, IsPrimary: true }),
  ]);
  const natId = created.NatGatewayId!;
  await waitUntilNatGatewayAvailable(waitOpts(a), { NatGatewayIds: [natId] });
  // The main table of the VPC serves the private subnet: internet traffic goes to the NAT gateway.
  const main = (
    await a.send(
      new DescribeRouteTablesCommand({
        Filters: [
          { Name: "vpc-id", Values: [vpcId] },
          { Name: "association.main", Values: ["true"] },
        ],
      }),
    )
  ).RouteTables![0]!.RouteTableId!;
  await a.send(new CreateRouteCommand({ RouteTableId: main, DestinationCidrBlock: "0.0.0.0/0", NatGatewayId: natId }));
  const img = await newestAl2023(a);
  const app = (
    await a.send(
      new RunInstancesCommand({
        ImageId: img.ImageId,
        InstanceType: "t3.micro",
        MinCount: 1,
        MaxCount: 1,
        SubnetId: priv,
      }),
    )
  ).Instances![0]!;
  expect(app.PublicIpAddress).toBeUndefined();
  await waitUntilInstanceRunning(waitOpts(a), { InstanceIds: [app.InstanceId!] });
  const run = await admin(url, "POST", "/sandboxes/default/call", {
    action: "GuestRun",
    accountId,
    input: { InstanceId: app.InstanceId, Command: "sudo dnf install -y nginx" },
  });
  expect(run.status, JSON.stringify(run.json)).toBe(200);
  expect(run.json.output.ExitCode, run.json.output.Output).toBe(0);
  const cost = await admin(url, "GET", `/sandboxes/default/cost?accountId=${accountId}`);
  const natLines = cost.json.lines.filter((l: { resourceId: string }) => l.resourceId === natId);
  expect(natLines.map((l: { unit: string }) => l.unit).sort()).toEqual(["GB", "hours"]);
  expect(cost.json.byKind.nat).toBeGreaterThan(0);
  // R31: the NAT gateway holds its subnet and keeps the gateway attached (its public address).
  expect((await ec2Error(a.send(new DeleteSubnetCommand({ SubnetId: pub })))).name).toBe("DependencyViolation");
  await a.send(new TerminateInstancesCommand({ InstanceIds: [app.InstanceId!] }));
  await a.send(new DeleteNatGatewayCommand({ NatGatewayId: natId }));
  await waitUntilNatGatewayDeleted(waitOpts(a), { NatGatewayIds: [natId] });
  await waitUntilInstanceTerminated(waitOpts(a), { InstanceIds: [app.InstanceId!] });
  await a.send(new ReleaseAddressCommand({ AllocationId: eip.AllocationId }));
  await a.send(new DetachInternetGatewayCommand({ InternetGatewayId: igw, VpcId: vpcId }));
  await a.send(new DeleteInternetGatewayCommand({ InternetGatewayId: igw }));
  for (const s of [pub, priv]) await a.send(new DeleteSubnetCommand({ SubnetId: s }));
  await a.send(new DeleteRouteTableCommand({ RouteTableId: pubRtb }));
  await a.send(new DeleteVpcCommand({ VpcId: vpcId }));
}

/** R32 through the SDK: a template with two versions, the default moved, instances launched from each. */
export async function launchTemplateStory(a: EC2Client): Promise<void> {
  const img = await newestAl2023(a);
  const created = await a.send(
    new CreateLaunchTemplateCommand({
      LaunchTemplateName: "sdk-web",
      VersionDescription: "small",
      LaunchTemplateData: {
        ImageId: img.ImageId,
        InstanceType: "t3.micro",
        TagSpecifications: [{ ResourceType: "instance", Tags: [{ Key: "Name", Value: "from-template" }] }],
      },
    }),
  );
  const lt = created.LaunchTemplate!;
  expect(lt).toMatchObject({ LaunchTemplateName: "sdk-web", DefaultVersionNumber: 1, LatestVersionNumber: 1 });
  expect(lt.LaunchTemplateId).toMatch(ID("lt"));
  const v2 = await a.send(
    new CreateLaunchTemplateVersionCommand({
      LaunchTemplateId: lt.LaunchTemplateId,
      SourceVersion: "1",
      VersionDescription: "bigger",
      LaunchTemplateData: { InstanceType: "t3.small" },
    }),
  );
  expect(v2.LaunchTemplateVersion).toMatchObject({
    VersionNumber: 2,
    DefaultVersion: false,
    LaunchTemplateData: expect.objectContaining({ ImageId: img.ImageId, InstanceType: "t3.small" }),
  });
  const launch = async (Version?: string) =>
    (
      await a.send(
        new RunInstancesCommand({
          MinCount: 1,
          MaxCount: 1,
          LaunchTemplate: { LaunchTemplateId: lt.LaunchTemplateId, ...(Version ? { Version } : {}) },
        }),
      )
    ).Instances![0]!;
  const byDefault = await launch();
  expect(byDefault.InstanceType).toBe("t3.micro");
  expect(byDefault.Tags).toEqual(
    expect.arrayContaining([
      { Key: "Name", Value: "from-template" },
      { Key: "aws:ec2launchtemplate:id", Value: lt.LaunchTemplateId },
      { Key: "aws:ec2launchtemplate:version", Value: "1" },
    ]),
  );
  expect((await launch("$Latest")).InstanceType).toBe("t3.small");
  await a.send(new ModifyLaunchTemplateCommand({ LaunchTemplateId: lt.LaunchTemplateId, DefaultVersion: "2" }));
  expect((await launch()).InstanceType).toBe("t3.small");
  const versions = await a.send(
    new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateName: "sdk-web", Versions: ["$Default", "1"] }),
  );
  expect(versions.LaunchTemplateVersions!.map((v) => [v.VersionNumber, v.DefaultVersion])).toEqual([
    [2, true],
    [1, false],
  ]);
  expect(
    (
      await ec2Error(
        a.send(
          new RunInstancesCommand({
            MinCount: 1,
            MaxCount: 1,
            LaunchTemplate: { LaunchTemplateId: lt.LaunchTemplateId, Version: "5" },
          }),
        ),
      )
    ).name,
  ).toBe("InvalidLaunchTemplateId.VersionNotFound");
  expect(
    (await ec2Error(a.send(new CreateLaunchTemplateCommand({ LaunchTemplateName: "sdk-web", LaunchTemplateData: {} }))))
      .name,
  ).toBe("InvalidLaunchTemplateName.AlreadyExistsException");
  await a.send(new DeleteLaunchTemplateCommand({ LaunchTemplateName: "sdk-web" }));
  expect(
    (await ec2Error(a.send(new DescribeLaunchTemplatesCommand({ LaunchTemplateIds: [lt.LaunchTemplateId!] })))).name,
  ).toBe("InvalidLaunchTemplateId.NotFound");
}
