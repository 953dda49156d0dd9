/**
 * R29 (reachability through an internet gateway and a route), R31 (internet gateways, route tables
 * and VPCs that are in use), the default network's gateway, route table and ACL, and
 * CreateDefaultVpc — through the sandbox's public API.
 */
import { describe, expect, it } from "vitest";
import { type Any, expectFailure, MY_IP, type NetworkWorld, networkWorld } from "./network-world.ts";

/** A VPC with one subnet that maps public IPs, a group open to TCP 22 from MY_IP, and a running instance. */
function webInOwnVpc(w: NetworkWorld) {
  const vpc = w.call("CreateVpc", { CidrBlock: "10.0.0.0/16" }).Vpc.VpcId;
  const subnet = w.call("CreateSubnet", { VpcId: vpc, CidrBlock: "10.0.1.0/24" }).Subnet.SubnetId;
  w.call("ModifySubnetAttribute", { SubnetId: subnet, MapPublicIpOnLaunch: { Value: true } });
  const sg = w.call("CreateSecurityGroup", { GroupName: "ssh", Description: "ssh", VpcId: vpc }).GroupId;
  w.call("AuthorizeSecurityGroupIngress", {
    GroupId: sg,
    IpPermissions: [{ IpProtocol: "tcp", FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: `${MY_IP}/32` }] }],
  });
  const key = w.call("CreateKeyPair", { KeyName: "k" }).KeyMaterial;
  const id = w.launch({ SubnetId: subnet, SecurityGroupIds: [sg], KeyName: "k" }).Instances[0].InstanceId;
  w.until(id, "running");
  const ssh = (extra: Record<string, unknown> = {}) =>
    w.fail("SshConnect", { InstanceId: id, PrivateKey: key, ...extra });
  const sshOk = (extra: Record<string, unknown> = {}) =>
    w.call("SshConnect", { InstanceId: id, PrivateKey: key, ...extra });
  const mainTable = w.call("DescribeRouteTables", {
    Filters: [
      { Name: "vpc-id", Values: [vpc] },
      { Name: "association.main", Values: ["true"] },
    ],
  }).RouteTables[0];
  return { vpc, subnet, sg, id, key, ssh, sshOk, mainTable };
}

describe("R29 reachability from the internet", () => {
  it("R29 a public IP is not enough: the SSH check names the missing gateway, then the missing route, then the group", () => {
    const w = networkWorld("r29-reach");
    const web = webInOwnVpc(w);
    const ip = w.instance(web.id).PublicIpAddress;
    expect(ip).toBeDefined();
    expectFailure(web.ssh(), "SshConnectionTimedOut", `VPC ${web.vpc} has no internet gateway attached`);

    const igw = w.call("CreateInternetGateway", { TagSpecifications: w.tag("internet-gateway", "gw") }).InternetGateway;
    expect(igw).toMatchObject({ Attachments: [], Tags: [{ Key: "Name", Value: "gw" }] });
    w.call("AttachInternetGateway", { InternetGatewayId: igw.InternetGatewayId, VpcId: web.vpc });
    expectFailure(
      web.ssh(),
      "SshConnectionTimedOut",
      `route table ${web.mainTable.RouteTableId} of subnet ${web.subnet} has no route to internet gateway ${igw.InternetGatewayId}`,
    );

    // A table of its own with the route, not yet associated: the subnet still uses the main table.
    const rtb = w.call("CreateRouteTable", { VpcId: web.vpc }).RouteTable.RouteTableId;
    w.call("CreateRoute", { RouteTableId: rtb, DestinationCidrBlock: "0.0.0.0/0", GatewayId: igw.InternetGatewayId });
    expectFailure(web.ssh(), "SshConnectionTimedOut", `route table ${web.mainTable.RouteTableId}`);
    const assoc = w.call("AssociateRouteTable", { RouteTableId: rtb, SubnetId: web.subnet }).AssociationId;
    expect(assoc).toMatch(/^rtbassoc-[0-9a-f]{17}$/);
    expect(web.sshOk().Host).toBe(ip);

    // A covering prefix is enough, for the addresses it covers.
    w.call("ReplaceRoute", { RouteTableId: rtb, DestinationCidrBlock: "0.0.0.0/0", InstanceId: web.id });
    expectFailure(web.ssh(), "SshConnectionTimedOut", "has no route to internet gateway");
    w.call("CreateRoute", {
      RouteTableId: rtb,
      DestinationCidrBlock: "203.0.113.0/24",
      GatewayId: igw.InternetGatewayId,
    });
    expect(web.sshOk().Host).toBe(ip);
    expectFailure(web.ssh({ SourceIp: "198.51.100.7" }), "SshConnectionTimedOut", "198.51.100.7");

    // With the way in, the group decides (R19).
    w.call("CreateRoute", {
      RouteTableId: rtb,
      DestinationCidrBlock: "198.51.100.0/24",
      GatewayId: igw.InternetGatewayId,
    });
    expectFailure(
      web.ssh({ SourceIp: "198.51.100.7" }),
      "SshConnectionTimedOut",
      `no rule in ${web.sg} allows TCP 22 from your IP 198.51.100.7`,
    );
    // Back to the main table (which has no route): unreachable again.
    w.call("DisassociateRouteTable", { AssociationId: assoc });
    expectFailure(web.ssh(), "SshConnectionTimedOut", "has no route to internet gateway");
  });

  it("R29 without a public IPv4 the check says so first, whatever else is missing; an Elastic IP is a way in", () => {
    const w = networkWorld("r29-no-ip");
    const vpc = w.call("CreateVpc", { CidrBlock: "10.1.0.0/16" }).Vpc.VpcId;
    const subnet = w.call("CreateSubnet", { VpcId: vpc, CidrBlock: "10.1.0.0/24" }).Subnet.SubnetId;
    w.call("CreateKeyPair", { KeyName: "k" });
    const id = w.launch({ SubnetId: subnet, KeyName: "k" }).Instances[0].InstanceId;
    w.until(id, "running");
    expectFailure(w.fail("SshConnect", { InstanceId: id }), "SshNoPublicAddress", "no public IPv4 address");
    const eip = w.call("AllocateAddress", { Domain: "vpc" });
    // An Elastic IP comes in through the VPC's gateway: without one, EC2 refuses the association.
    expectFailure(
      w.fail("AssociateAddress", { AllocationId: eip.AllocationId, InstanceId: id }),
      "Gateway.NotAttached",
      `Network ${vpc} is not attached to any internet gateway`,
    );
    const igw = w.call("CreateInternetGateway").InternetGateway.InternetGatewayId;
    w.call("AttachInternetGateway", { InternetGatewayId: igw, VpcId: vpc });
    w.call("AssociateAddress", { AllocationId: eip.AllocationId, InstanceId: id });
    expect(w.instance(id).PublicIpAddress).toBe(eip.PublicIp);
    expectFailure(
      w.fail("SshConnect", { InstanceId: id }),
      "SshConnectionTimedOut",
      "has no route to internet gateway",
    );
  });

  it("R29 the default VPC comes with a gateway and a 0.0.0.0/0 route in its main table, so its instances are reachable", () => {
    const w = networkWorld("r29-default");
    const vpc = w.call("DescribeVpcs", { Filters: [{ Name: "is-default", Values: ["true"] }] }).Vpcs[0].VpcId;
    const igws = w.call("DescribeInternetGateways", {
      Filters: [{ Name: "attachment.vpc-id", Values: [vpc] }],
    }).InternetGateways;
    expect(igws).toHaveLength(1);
    expect(igws[0].Attachments).toEqual([{ State: "available", VpcId: vpc }]);
    const main = w.call("DescribeRouteTables", { Filters: [{ Name: "vpc-id", Values: [vpc] }] }).RouteTables;
    expect(main).toHaveLength(1);
    expect(main[0].Associations).toEqual([
      expect.objectContaining({
        Main: true,
        RouteTableId: main[0].RouteTableId,
        AssociationState: { State: "associated" },
      }),
    ]);
    expect(main[0].Routes).toEqual([
      { DestinationCidrBlock: "172.31.0.0/16", GatewayId: "local", Origin: "CreateRouteTable", State: "active" },
      {
        DestinationCidrBlock: "0.0.0.0/0",
        GatewayId: igws[0].InternetGatewayId,
        Origin: "CreateRoute",
        State: "active",
      },
    ]);
    const acls = w.call("DescribeNetworkAcls", {
      Filters: [
        { Name: "default", Values: ["true"] },
        { Name: "vpc-id", Values: [vpc] },
      ],
    }).NetworkAcls;
    expect(acls).toHaveLength(1);
    expect(acls[0].Associations).toHaveLength(6);
    expect(acls[0].Entries).toContainEqual({
      RuleNumber: 100,
      Protocol: "-1",
      RuleAction: "allow",
      Egress: false,
      CidrBlock: "0.0.0.0/0",
    });
    // The same IDs on every run of the seed (no events made them).
    const again = networkWorld("r29-default");
    expect(again.call("DescribeInternetGateways", {}).InternetGateways[0].InternetGatewayId).toBe(
      igws[0].InternetGatewayId,
    );
  });
});

describe("R29 route tables", () => {
  it("R29 routes: one destination each, one target each, the most specific wins, a detached gateway's route is a blackhole", () => {
    const w = networkWorld("r29-routes");
    const vpc = w.call("CreateVpc", { CidrBlock: "10.2.0.0/16", TagSpecifications: w.tag("vpc", "v") }).Vpc.VpcId;
    const rtb = w.call("CreateRouteTable", {
      VpcId: vpc,
      TagSpecifications: w.tag("route-table", "public"),
    }).RouteTable;
    expect(rtb).toMatchObject({
      VpcId: vpc,
      Associations: [],
      Routes: [
        { DestinationCidrBlock: "10.2.0.0/16", GatewayId: "local", Origin: "CreateRouteTable", State: "active" },
      ],
      Tags: [{ Key: "Name", Value: "public" }],
    });
    const t = rtb.RouteTableId;
    const igw = w.call("CreateInternetGateway").InternetGateway.InternetGatewayId;
    expectFailure(
      w.fail("CreateRoute", { RouteTableId: t, DestinationCidrBlock: "0.0.0.0/0", GatewayId: igw }),
      "InvalidParameterValue",
      `route table ${t} and network gateway ${igw} belong to different networks`,
    );
    w.call("AttachInternetGateway", { InternetGatewayId: igw, VpcId: vpc });
    expectFailure(
      w.fail("AttachInternetGateway", { InternetGatewayId: igw, VpcId: vpc }),
      "Resource.AlreadyAssociated",
      `resource ${igw} is already attached to network ${vpc}`,
    );
    const second = w.call("CreateInternetGateway").InternetGateway.InternetGatewayId;
    expectFailure(
      w.fail("AttachInternetGateway", { InternetGatewayId: second, VpcId: vpc }),
      "Resource.AlreadyAssociated",
    );
    expect(w.call("CreateRoute", { RouteTableId: t, DestinationCidrBlock: "0.0.0.0/0", GatewayId: igw })).toEqual({
      Return: true,
    });
    expectFailure(
      w.fail("CreateRoute", { RouteTableId: t, DestinationCidrBlock: "0.0.0.0/0", GatewayId: igw }),
      "RouteAlreadyExists",
      "The route identified by 0.0.0.0/0 already exists.",
    );
    expectFailure(
      w.fail("CreateRoute", { RouteTableId: t, DestinationCidrBlock: "10.2.0.0/16", GatewayId: igw }),
      "RouteAlreadyExists",
    );
    expectFailure(
      w.fail("CreateRoute", { RouteTableId: t, DestinationCidrBlock: "10.2.3.0/24", GatewayId: igw }),
      "InvalidParameterValue",
      "is equal to or more specific than one of this VPC's CIDR blocks",
    );
    expectFailure(
      w.fail("CreateRoute", { RouteTableId: t, DestinationCidrBlock: "1.0.0.0/8" }),
      "InvalidParameterCombination",
    );
    expectFailure(
      w.fail("CreateRoute", { RouteTableId: t, DestinationCidrBlock: "nowhere", GatewayId: igw }),
      "InvalidParameterValue",
      "destinationCidrBlock",
    );
    expectFailure(
      w.fail("CreateRoute", {
        RouteTableId: t,
        DestinationCidrBlock: "1.0.0.0/8",
        VpcPeeringConnectionId: "pcx-0123456789abcdef0",
      }),
      "UnsupportedOperation",
      "VPC peering connections",
    );
    expectFailure(
      w.fail("CreateRoute", {
        RouteTableId: t,
        DestinationCidrBlock: "1.0.0.0/8",
        TransitGatewayId: "tgw-0123456789abcdef0",
      }),
      "UnsupportedOperation",
      "transit gateways",
    );
    expectFailure(
      w.fail("CreateRoute", {
        RouteTableId: "rtb-00000000000000000",
        DestinationCidrBlock: "1.0.0.0/8",
        GatewayId: igw,
      }),
      "InvalidRouteTableID.NotFound",
      "The routeTable ID 'rtb-00000000000000000' does not exist",
    );
    expectFailure(
      w.fail("ReplaceRoute", { RouteTableId: t, DestinationCidrBlock: "8.8.8.0/24", GatewayId: igw }),
      "InvalidParameterValue",
      "There is no route defined for '8.8.8.0/24' in the route table. Use CreateRoute instead.",
    );
    expectFailure(
      w.fail("DeleteRoute", { RouteTableId: t, DestinationCidrBlock: "10.2.0.0/16" }),
      "InvalidParameterValue",
      "cannot remove local route 10.2.0.0/16",
    );
    expectFailure(
      w.fail("DeleteRoute", { RouteTableId: t, DestinationCidrBlock: "8.8.8.0/24" }),
      "InvalidRoute.NotFound",
      `no route with destination-cidr-block 8.8.8.0/24 in route table ${t}`,
    );
    // Filters over routes.
    const byGateway = w.call("DescribeRouteTables", {
      Filters: [{ Name: "route.gateway-id", Values: [igw] }],
    }).RouteTables;
    expect(byGateway.map((x: Any) => x.RouteTableId)).toEqual([t]);
    // A detached gateway leaves a blackhole behind; attached again, the route is active again.
    w.call("DetachInternetGateway", { InternetGatewayId: igw, VpcId: vpc });
    const state = () => w.call("DescribeRouteTables", { RouteTableIds: [t] }).RouteTables[0].Routes[1].State;
    expect(state()).toBe("blackhole");
    expect(
      w.call("DescribeRouteTables", { Filters: [{ Name: "route.state", Values: ["blackhole"] }] }).RouteTables,
    ).toHaveLength(1);
    w.call("AttachInternetGateway", { InternetGatewayId: igw, VpcId: vpc });
    expect(state()).toBe("active");
    w.call("DeleteRoute", { RouteTableId: t, DestinationCidrBlock: "0.0.0.0/0" });
    expect(w.call("DescribeRouteTables", { RouteTableIds: [t] }).RouteTables[0].Routes).toHaveLength(1);
  });

  it("R29 associations: one table per subnet, the main table moves with ReplaceRouteTableAssociation", () => {
    const w = networkWorld("r29-assoc");
    const vpc = w.call("CreateVpc", { CidrBlock: "10.3.0.0/16" }).Vpc.VpcId;
    const other = w.call("CreateVpc", { CidrBlock: "10.4.0.0/16" }).Vpc.VpcId;
    const sn = w.call("CreateSubnet", { VpcId: vpc, CidrBlock: "10.3.1.0/24" }).Subnet.SubnetId;
    const a = w.call("CreateRouteTable", { VpcId: vpc }).RouteTable.RouteTableId;
    const b = w.call("CreateRouteTable", { VpcId: vpc }).RouteTable.RouteTableId;
    const foreign = w.call("CreateRouteTable", { VpcId: other }).RouteTable.RouteTableId;
    expectFailure(
      w.fail("AssociateRouteTable", { RouteTableId: foreign, SubnetId: sn }),
      "InvalidParameterValue",
      "belong to different networks",
    );
    const assoc = w.call("AssociateRouteTable", { RouteTableId: a, SubnetId: sn });
    expect(assoc).toEqual({
      AssociationId: expect.stringMatching(/^rtbassoc-/),
      AssociationState: { State: "associated" },
    });
    expectFailure(w.fail("AssociateRouteTable", { RouteTableId: b, SubnetId: sn }), "Resource.AlreadyAssociated");
    const moved = w.call("ReplaceRouteTableAssociation", {
      AssociationId: assoc.AssociationId,
      RouteTableId: b,
    }).NewAssociationId;
    expect(
      w
        .call("DescribeRouteTables", { Filters: [{ Name: "association.subnet-id", Values: [sn] }] })
        .RouteTables.map((t: Any) => t.RouteTableId),
    ).toEqual([b]);
    expectFailure(
      w.fail("DisassociateRouteTable", { AssociationId: assoc.AssociationId }),
      "InvalidAssociationID.NotFound",
    );
    // R31: a table in use cannot be deleted; nor the main one; the main association cannot be dropped.
    expectFailure(
      w.fail("DeleteRouteTable", { RouteTableId: b }),
      "DependencyViolation",
      `The routeTable '${b}' has dependencies and cannot be deleted.`,
    );
    const main = w.call("DescribeRouteTables", {
      Filters: [
        { Name: "vpc-id", Values: [vpc] },
        { Name: "association.main", Values: ["true"] },
      ],
    }).RouteTables[0];
    const mainAssoc = main.Associations[0].RouteTableAssociationId;
    expectFailure(w.fail("DeleteRouteTable", { RouteTableId: main.RouteTableId }), "DependencyViolation");
    expectFailure(
      w.fail("DisassociateRouteTable", { AssociationId: mainAssoc }),
      "InvalidParameterValue",
      "main route table association",
    );
    // The main table can change: a replaced main table is an ordinary one and can go.
    const newMain = w.call("ReplaceRouteTableAssociation", {
      AssociationId: mainAssoc,
      RouteTableId: a,
    }).NewAssociationId;
    const mains = w.call("DescribeRouteTables", {
      Filters: [
        { Name: "association.main", Values: ["true"] },
        { Name: "vpc-id", Values: [vpc] },
      ],
    }).RouteTables;
    expect(mains.map((t: Any) => [t.RouteTableId, t.Associations[0].RouteTableAssociationId])).toEqual([[a, newMain]]);
    w.call("DeleteRouteTable", { RouteTableId: main.RouteTableId });
    w.call("DisassociateRouteTable", { AssociationId: moved });
    w.call("DeleteRouteTable", { RouteTableId: b });
    // Deleting a subnet drops its association with it.
    const sn2 = w.call("CreateSubnet", { VpcId: vpc, CidrBlock: "10.3.2.0/24" }).Subnet.SubnetId;
    const c = w.call("CreateRouteTable", { VpcId: vpc }).RouteTable.RouteTableId;
    w.call("AssociateRouteTable", { RouteTableId: c, SubnetId: sn2 });
    w.call("DeleteSubnet", { SubnetId: sn2 });
    w.call("DeleteRouteTable", { RouteTableId: c });
  });
});

describe("R31 gateways, tables and VPCs in use", () => {
  it("R31 delete in the wrong order: DependencyViolation at each step; in the right order everything goes", () => {
    const w = networkWorld("r31-order");
    const vpc = w.call("CreateVpc", { CidrBlock: "10.5.0.0/16" }).Vpc.VpcId;
    const sn = w.call("CreateSubnet", { VpcId: vpc, CidrBlock: "10.5.1.0/24" }).Subnet.SubnetId;
    const igw = w.call("CreateInternetGateway").InternetGateway.InternetGatewayId;
    w.call("AttachInternetGateway", { InternetGatewayId: igw, VpcId: vpc });
    const rtb = w.call("CreateRouteTable", { VpcId: vpc }).RouteTable.RouteTableId;
    w.call("CreateRoute", { RouteTableId: rtb, DestinationCidrBlock: "0.0.0.0/0", GatewayId: igw });
    w.call("AssociateRouteTable", { RouteTableId: rtb, SubnetId: sn });
    const i = w.launch({ NetworkInterfaces: [{ DeviceIndex: 0, SubnetId: sn, AssociatePublicIpAddress: true }] })
      .Instances[0].InstanceId;

    expectFailure(
      w.fail("DeleteInternetGateway", { InternetGatewayId: igw }),
      "DependencyViolation",
      `The internetGateway '${igw}' has dependencies and cannot be deleted.`,
    );
    expectFailure(
      w.fail("DetachInternetGateway", { InternetGatewayId: igw, VpcId: vpc }),
      "DependencyViolation",
      `Network ${vpc} has some mapped public address(es). Please unmap those public address(es) before detaching the gateway.`,
    );
    expectFailure(w.fail("DeleteVpc", { VpcId: vpc }), "DependencyViolation");
    w.call("TerminateInstances", { InstanceIds: [i] });
    w.until(i, "terminated");
    expectFailure(
      w.fail("DetachInternetGateway", { InternetGatewayId: igw, VpcId: "vpc-00000000000000000" }),
      "InvalidVpcID.NotFound",
    );
    w.call("DetachInternetGateway", { InternetGatewayId: igw, VpcId: vpc });
    expectFailure(
      w.fail("DetachInternetGateway", { InternetGatewayId: igw, VpcId: vpc }),
      "Gateway.NotAttached",
      `resource ${igw} is not attached to network ${vpc}`,
    );
    w.call("DeleteInternetGateway", { InternetGatewayId: igw });
    expectFailure(
      w.fail("DescribeInternetGateways", { InternetGatewayIds: [igw] }),
      "InvalidInternetGatewayID.NotFound",
      `The internetGateway ID '${igw}' does not exist`,
    );
    // Still a subnet and a table of its own.
    w.call("DeleteSubnet", { SubnetId: sn });
    expectFailure(w.fail("DeleteVpc", { VpcId: vpc }), "DependencyViolation");
    w.call("DeleteRouteTable", { RouteTableId: rtb });
    w.call("DeleteVpc", { VpcId: vpc });
    // The main table and the default ACL went with the VPC.
    expect(w.call("DescribeRouteTables", { Filters: [{ Name: "vpc-id", Values: [vpc] }] }).RouteTables).toEqual([]);
    expect(w.call("DescribeNetworkAcls", { Filters: [{ Name: "vpc-id", Values: [vpc] }] }).NetworkAcls).toEqual([]);
  });

  it("R31 R28 the default VPC can be deleted once emptied (default-vpc: none) and made again with CreateDefaultVpc", () => {
    const w = networkWorld("r31-default-vpc");
    const def = w.call("DescribeVpcs", { Filters: [{ Name: "is-default", Values: ["true"] }] }).Vpcs[0].VpcId;
    const igw = w.call("DescribeInternetGateways", {}).InternetGateways[0].InternetGatewayId;
    for (const s of w.call("DescribeSubnets", { Filters: [{ Name: "vpc-id", Values: [def] }] }).Subnets)
      w.call("DeleteSubnet", { SubnetId: s.SubnetId });
    w.call("DetachInternetGateway", { InternetGatewayId: igw, VpcId: def });
    w.call("DeleteInternetGateway", { InternetGatewayId: igw });
    w.call("DeleteVpc", { VpcId: def });
    expect(
      w.call("DescribeAccountAttributes", { AttributeNames: ["default-vpc"] }).AccountAttributes[0].AttributeValues,
    ).toEqual([{ AttributeValue: "none" }]);
    expectFailure(
      w.fail("RunInstances", { ImageId: "ami-00000000000000000", MinCount: 1, MaxCount: 1 }),
      "InvalidAMIID.NotFound",
    );
    const imageId = w.call("DescribeImages", {
      Owners: ["amazon"],
      Filters: [{ Name: "name", Values: ["al2023-ami-2023*-x86_64"] }],
    }).Images[0].ImageId;
    expectFailure(
      w.fail("RunInstances", { ImageId: imageId, MinCount: 1, MaxCount: 1 }),
      "VPCIdNotSpecified",
      "No default VPC for this user",
    );
    expectFailure(w.fail("CreateSecurityGroup", { GroupName: "x", Description: "x" }), "VPCIdNotSpecified");

    const made = w.call("CreateDefaultVpc", {}).Vpc;
    expect(made).toMatchObject({ CidrBlock: "172.31.0.0/16", IsDefault: true });
    expect(made.VpcId).not.toBe(def);
    expectFailure(
      w.fail("CreateDefaultVpc", {}),
      "DefaultVpcAlreadyExists",
      "A Default VPC already exists for this account in this region.",
    );
    const subnets = w.call("DescribeSubnets", { Filters: [{ Name: "default-for-az", Values: ["true"] }] }).Subnets;
    expect(subnets).toHaveLength(6);
    const i = w.launch().Instances[0];
    expect(i.VpcId).toBe(made.VpcId);
    expect(i.PublicIpAddress).toBeDefined();
    // Reachable through its new gateway (the default group lets nothing in from outside: R19 says so).
    w.call("CreateKeyPair", { KeyName: "k" });
    expectFailure(
      w.fail("SshConnect", { InstanceId: i.InstanceId }),
      "SshConnectionTimedOut",
      "the instance is pending",
    );
    // One default subnet gone, CreateDefaultSubnet makes it again in a free /20.
    const inF = subnets.find((s: Any) => s.AvailabilityZone === "us-east-1f");
    w.call("DeleteSubnet", { SubnetId: inF.SubnetId });
    expectFailure(
      w.fail("CreateDefaultSubnet", { AvailabilityZone: "us-east-1a" }),
      "DefaultSubnetAlreadyExistsInAvailabilityZone",
    );
    const again = w.call("CreateDefaultSubnet", { AvailabilityZone: "us-east-1f" }).Subnet;
    expect(again).toMatchObject({
      AvailabilityZone: "us-east-1f",
      DefaultForAz: true,
      MapPublicIpOnLaunch: true,
      CidrBlock: inF.CidrBlock,
    });
  });

  it("R21 gateways and route tables take tags and filters; other accounts do not see them", () => {
    const w = networkWorld("r21-gw-rtb");
    const igw = w.call("CreateInternetGateway", { TagSpecifications: w.tag("internet-gateway", "edge") })
      .InternetGateway.InternetGatewayId;
    const vpc = w.call("CreateVpc", { CidrBlock: "10.6.0.0/16" }).Vpc.VpcId;
    const rtb = w.call("CreateRouteTable", { VpcId: vpc }).RouteTable.RouteTableId;
    w.call("CreateTags", { Resources: [rtb, igw], Tags: [{ Key: "team", Value: "net" }] });
    expect(
      w
        .call("DescribeInternetGateways", { Filters: [{ Name: "tag:Name", Values: ["edge"] }] })
        .InternetGateways.map((g: Any) => g.InternetGatewayId),
    ).toEqual([igw]);
    expect(
      w
        .call("DescribeRouteTables", { Filters: [{ Name: "tag:team", Values: ["net"] }] })
        .RouteTables.map((t: Any) => t.RouteTableId),
    ).toEqual([rtb]);
    expect(
      w.call("DescribeTags", { Filters: [{ Name: "resource-type", Values: ["internet-gateway", "route-table"] }] })
        .Tags,
    ).toHaveLength(3);
    const other = { accountId: "444455556666", region: "us-east-1" };
    expectFailure(w.fail("DescribeRouteTables", { RouteTableIds: [rtb] }, other), "InvalidRouteTableID.NotFound");
    expectFailure(
      w.fail("AttachInternetGateway", { InternetGatewayId: igw, VpcId: vpc }, other),
      "InvalidInternetGatewayID.NotFound",
    );
  });
});
