/**
 * The networking story through the AWS SDK v3 (R27–R32), run inside `sdkStorySuite` (so on every
 * store the suite runs on): a web server in its own VPC, built and torn down the way the AWS
 * documentation does it, checked field by field, with EC2's errors where the order is wrong.
 */
import {
  AssociateRouteTableCommand,
  AttachInternetGatewayCommand,
  CreateInternetGatewayCommand,
  CreateRouteCommand,
  CreateRouteTableCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  DeleteInternetGatewayCommand,
  DeleteRouteTableCommand,
  DeleteSubnetCommand,
  DeleteVpcCommand,
  DescribeAccountAttributesCommand,
  DescribeInternetGatewaysCommand,
  DescribeNetworkAclsCommand,
  DescribeRouteTablesCommand,
  DescribeSubnetsCommand,
  DescribeVpcAttributeCommand,
  DescribeVpcsCommand,
  DetachInternetGatewayCommand,
  DisassociateRouteTableCommand,
  type EC2Client,
  ModifySubnetAttributeCommand,
  ModifyVpcAttributeCommand,
  paginateDescribeSubnets,
  RunInstancesCommand,
  TerminateInstancesCommand,
  waitUntilInstanceTerminated,
} from "@aws-sdk/client-ec2";
import { newestAl2023 } from "@ec2sim/test-harness";
import { expect } from "vitest";
import { ec2Error } from "./sdk-story.ts";

const ID = (prefix: string) => new RegExp(`^${prefix}-[0-9a-f]{17}$`);
const waitOpts = (client: EC2Client) => ({ client, maxWaitTime: 60, minDelay: 1, maxDelay: 2 });

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
  for (const wrong of [
    a.send(new DeleteInternetGatewayCommand({ InternetGatewayId: igw.InternetGatewayId })),
    a.send(new DeleteRouteTableCommand({ RouteTableId: main.RouteTableId })),
    a.send(new DeleteRouteTableCommand({ RouteTableId: rtb.RouteTableId })),
    a.send(new DeleteVpcCommand({ VpcId: vpcId })),
  ])
    expect((await ec2Error(wrong)).name).toBe("DependencyViolation");
  await a.send(new DisassociateRouteTableCommand({ AssociationId: assoc.AssociationId }));
  await a.send(new DeleteRouteTableCommand({ RouteTableId: rtb.RouteTableId }));
  await a.send(new DetachInternetGatewayCommand({ InternetGatewayId: igw.InternetGatewayId, VpcId: vpcId }));
  await a.send(new DeleteInternetGatewayCommand({ InternetGatewayId: igw.InternetGatewayId }));
  await a.send(new DeleteSubnetCommand({ SubnetId: subnetId }));
  await a.send(new DeleteVpcCommand({ VpcId: vpcId }));
}
