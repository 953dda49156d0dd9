/**
 * R30 (network interfaces: the primary one of every instance, interfaces of their own, secondary
 * addresses, groups and source/dest check per interface, Elastic IPs on an interface's address) and
 * RunInstances with NetworkInterfaces, through the sandbox's public API.
 */
import { describe, expect, it } from "vitest";
import { type Any, expectFailure, MY_IP, type NetworkWorld, networkWorld } from "./network-world.ts";

/** A VPC with two subnets in us-east-1a and one in us-east-1b, an attached gateway, and a route to it. */
function vpcWithSubnets(w: NetworkWorld) {
  const vpc = w.call("CreateVpc", { CidrBlock: "10.0.0.0/16" }).Vpc.VpcId;
  const a1 = w.call("CreateSubnet", { VpcId: vpc, CidrBlock: "10.0.1.0/24", AvailabilityZone: "us-east-1a" }).Subnet
    .SubnetId;
  const a2 = w.call("CreateSubnet", { VpcId: vpc, CidrBlock: "10.0.2.0/24", AvailabilityZone: "us-east-1a" }).Subnet
    .SubnetId;
  const b1 = w.call("CreateSubnet", { VpcId: vpc, CidrBlock: "10.0.3.0/24", AvailabilityZone: "us-east-1b" }).Subnet
    .SubnetId;
  const igw = w.call("CreateInternetGateway").InternetGateway.InternetGatewayId;
  w.call("AttachInternetGateway", { InternetGatewayId: igw, VpcId: vpc });
  const main = w.call("DescribeRouteTables", { Filters: [{ Name: "vpc-id", Values: [vpc] }] }).RouteTables[0]
    .RouteTableId;
  w.call("CreateRoute", { RouteTableId: main, DestinationCidrBlock: "0.0.0.0/0", GatewayId: igw });
  const defaultSg =
    w.vpc(vpc) &&
    w.call("DescribeSecurityGroups", { Filters: [{ Name: "vpc-id", Values: [vpc] }] }).SecurityGroups[0].GroupId;
  return { vpc, a1, a2, b1, igw, main, defaultSg };
}

const eni = (w: NetworkWorld, id: string): Any =>
  w.call("DescribeNetworkInterfaces", { NetworkInterfaceIds: [id] }).NetworkInterfaces[0];

describe("R30 network interfaces", () => {
  it("R30 every instance has a primary interface at device index 0 that cannot be detached or deleted", () => {
    const w = networkWorld("r30-primary");
    const net = vpcWithSubnets(w);
    const i = w.launch({ SubnetId: net.a1 }).Instances[0];
    const primary = i.NetworkInterfaces[0];
    expect(i.NetworkInterfaces).toHaveLength(1);
    expect(primary).toMatchObject({
      NetworkInterfaceId: expect.stringMatching(/^eni-[0-9a-f]{17}$/),
      SubnetId: net.a1,
      VpcId: net.vpc,
      PrivateIpAddress: i.PrivateIpAddress,
      Status: "in-use",
      Groups: [{ GroupId: net.defaultSg, GroupName: "default" }],
      Attachment: expect.objectContaining({ DeviceIndex: 0, Status: "attached", DeleteOnTermination: true }),
    });
    const listed = w.call("DescribeNetworkInterfaces", {
      Filters: [{ Name: "attachment.instance-id", Values: [i.InstanceId] }],
    }).NetworkInterfaces;
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({
      NetworkInterfaceId: primary.NetworkInterfaceId,
      AvailabilityZone: "us-east-1a",
      Status: "in-use",
      InterfaceType: "interface",
      RequesterManaged: false,
      PrivateIpAddresses: [expect.objectContaining({ Primary: true, PrivateIpAddress: i.PrivateIpAddress })],
      Attachment: expect.objectContaining({ InstanceId: i.InstanceId, DeviceIndex: 0 }),
    });
    expectFailure(
      w.fail("DetachNetworkInterface", { AttachmentId: primary.Attachment.AttachmentId }),
      "OperationNotPermitted",
      "The network interface at device index 0 and networkCard index 0 cannot be detached.",
    );
    expectFailure(
      w.fail("DeleteNetworkInterface", { NetworkInterfaceId: primary.NetworkInterfaceId }),
      "InvalidNetworkInterface.InUse",
      `The network interface '${primary.NetworkInterfaceId}' is currently in use.`,
    );
    // It goes with the instance.
    w.call("TerminateInstances", { InstanceIds: [i.InstanceId] });
    w.until(i.InstanceId, "terminated");
    expectFailure(
      w.fail("DescribeNetworkInterfaces", { NetworkInterfaceIds: [primary.NetworkInterfaceId] }),
      "InvalidNetworkInterfaceID.NotFound",
      `The networkInterface ID '${primary.NetworkInterfaceId}' does not exist`,
    );
    expect(w.instance(i.InstanceId).NetworkInterfaces).toEqual([]);
  });

  it("R30 R12 the primary interface keeps its attach time across stop and start; LaunchTime moves", () => {
    const w = networkWorld("r30-attach-time");
    const i = w.launch().Instances[0];
    w.until(i.InstanceId, "running");
    const attached = i.NetworkInterfaces[0].Attachment.AttachTime;
    expect(attached).toEqual(i.LaunchTime);
    w.sb.advance(3_600_000);
    w.call("StopInstances", { InstanceIds: [i.InstanceId] });
    w.until(i.InstanceId, "stopped");
    w.sb.advance(600_000);
    w.call("StartInstances", { InstanceIds: [i.InstanceId] });
    w.until(i.InstanceId, "running");
    const again = w.instance(i.InstanceId);
    expect(again.LaunchTime.getTime()).toBeGreaterThan(i.LaunchTime.getTime() + 3_600_000);
    // DescribeInstances and DescribeNetworkInterfaces show the attach time of the launch
    expect(again.NetworkInterfaces[0].Attachment.AttachTime).toEqual(attached);
    expect(eni(w, again.NetworkInterfaces[0].NetworkInterfaceId).Attachment.AttachTime).toEqual(attached);
    const listed = w.call("DescribeNetworkInterfaces", {
      Filters: [{ Name: "attachment.instance-id", Values: [i.InstanceId] }],
    }).NetworkInterfaces;
    expect(listed.map((n: Any) => n.Attachment.AttachTime)).toEqual([attached]);
  });

  it("R30 R27 an interface of its own takes addresses from its subnet, attaches in the same zone only, detaches and goes", () => {
    const w = networkWorld("r30-own");
    const net = vpcWithSubnets(w);
    const free = () => w.subnet(net.a2).AvailableIpAddressCount;
    expect(free()).toBe(251);
    const created = w.call("CreateNetworkInterface", {
      SubnetId: net.a2,
      Description: "second leg",
      SecondaryPrivateIpAddressCount: 1,
      TagSpecifications: w.tag("network-interface", "leg"),
    }).NetworkInterface;
    expect(created).toMatchObject({
      SubnetId: net.a2,
      VpcId: net.vpc,
      AvailabilityZone: "us-east-1a",
      Description: "second leg",
      Status: "available",
      Groups: [{ GroupId: net.defaultSg, GroupName: "default" }],
      TagSet: [{ Key: "Name", Value: "leg" }],
      SourceDestCheck: true,
    });
    expect(created.PrivateIpAddresses.map((p: Any) => p.Primary)).toEqual([true, false]);
    expect(free()).toBe(249);
    const id = created.NetworkInterfaceId;

    const i = w.launch({ SubnetId: net.a1 }).Instances[0].InstanceId;
    const other = w.launch({ SubnetId: net.b1 }).Instances[0].InstanceId;
    expectFailure(
      w.fail("AttachNetworkInterface", { NetworkInterfaceId: id, InstanceId: other, DeviceIndex: 1 }),
      "InvalidParameterCombination",
      "not in the same availability zone",
    );
    expectFailure(
      w.fail("AttachNetworkInterface", { NetworkInterfaceId: id, InstanceId: i, DeviceIndex: 0 }),
      "InvalidParameterValue",
    );
    const attached = w.call("AttachNetworkInterface", { NetworkInterfaceId: id, InstanceId: i, DeviceIndex: 1 });
    expect(attached.AttachmentId).toMatch(/^eni-attach-[0-9a-f]{17}$/);
    expect(eni(w, id)).toMatchObject({ Status: "in-use", Attachment: { InstanceId: i, DeviceIndex: 1 } });
    expect(w.instance(i).NetworkInterfaces.map((n: Any) => [n.Attachment.DeviceIndex, n.NetworkInterfaceId])).toEqual([
      [0, expect.stringMatching(/^eni-/)],
      [1, id],
    ]);
    // t3.micro takes two interfaces.
    const third = w.call("CreateNetworkInterface", { SubnetId: net.a1 }).NetworkInterface.NetworkInterfaceId;
    expectFailure(
      w.fail("AttachNetworkInterface", { NetworkInterfaceId: third, InstanceId: i, DeviceIndex: 1 }),
      "InvalidParameterValue",
      `Instance '${i}' already has an interface attached at device index '1'.`,
    );
    expectFailure(
      w.fail("AttachNetworkInterface", { NetworkInterfaceId: third, InstanceId: i, DeviceIndex: 2 }),
      "AttachmentLimitExceeded",
      "Interface count 3 exceeds the limit for t3.micro",
    );
    expectFailure(w.fail("DeleteNetworkInterface", { NetworkInterfaceId: id }), "InvalidNetworkInterface.InUse");
    expectFailure(w.fail("DeleteSubnet", { SubnetId: net.a2 }), "DependencyViolation");
    w.call("DetachNetworkInterface", { AttachmentId: attached.AttachmentId });
    expect(eni(w, id).Status).toBe("available");
    expect(w.instance(i).NetworkInterfaces).toHaveLength(1);
    w.call("DeleteNetworkInterface", { NetworkInterfaceId: id });
    expect(free()).toBe(251);
    w.call("DeleteSubnet", { SubnetId: net.a2 });
    expectFailure(
      w.fail("DetachNetworkInterface", { AttachmentId: attached.AttachmentId }),
      "InvalidAttachmentID.NotFound",
    );
  });

  it("R30 R19 security groups belong to interfaces: each has its own, and a group in use by any cannot go", () => {
    const w = networkWorld("r30-groups");
    const net = vpcWithSubnets(w);
    const web = w.call("CreateSecurityGroup", { GroupName: "web", Description: "web", VpcId: net.vpc }).GroupId;
    const admin = w.call("CreateSecurityGroup", { GroupName: "admin", Description: "admin", VpcId: net.vpc }).GroupId;
    const foreign = w.call("CreateSecurityGroup", { GroupName: "x", Description: "x" }).GroupId;
    const i = w.launch({ SubnetId: net.a1, SecurityGroupIds: [web] }).Instances[0];
    const primary = i.NetworkInterfaces[0].NetworkInterfaceId;
    const leg = w.call("CreateNetworkInterface", { SubnetId: net.a1, Groups: [admin] }).NetworkInterface
      .NetworkInterfaceId;
    w.call("AttachNetworkInterface", { NetworkInterfaceId: leg, InstanceId: i.InstanceId, DeviceIndex: 1 });
    const groups = (id: string) => eni(w, id).Groups.map((g: Any) => g.GroupId);
    expect([groups(primary), groups(leg)]).toEqual([[web], [admin]]);
    // The instance's groups are its primary interface's.
    w.call("ModifyNetworkInterfaceAttribute", { NetworkInterfaceId: primary, Groups: [web, admin] });
    expect(w.instance(i.InstanceId).SecurityGroups.map((g: Any) => g.GroupId)).toEqual([web, admin]);
    w.call("ModifyNetworkInterfaceAttribute", { NetworkInterfaceId: leg, Groups: [web] });
    expect(w.instance(i.InstanceId).SecurityGroups.map((g: Any) => g.GroupId)).toEqual([web, admin]);
    w.call("ModifyInstanceAttribute", { InstanceId: i.InstanceId, Groups: [admin] });
    expect(groups(primary)).toEqual([admin]);
    expectFailure(
      w.fail("ModifyNetworkInterfaceAttribute", { NetworkInterfaceId: leg, Groups: [foreign] }),
      "InvalidParameter",
      "belong to different networks",
    );
    expectFailure(
      w.fail("ModifyNetworkInterfaceAttribute", {
        NetworkInterfaceId: leg,
        Groups: [web],
        Description: { Value: "x" },
      }),
      "InvalidParameterCombination",
    );
    expect(
      w.call("DescribeNetworkInterfaceAttribute", { NetworkInterfaceId: leg, Attribute: "groupSet" }).Groups,
    ).toEqual([{ GroupId: web, GroupName: "web" }]);
    // `web` is used only by the interface of its own now: still a dependency.
    expectFailure(w.fail("DeleteSecurityGroup", { GroupId: web }), "DependencyViolation");
    const byGroup = w.call("DescribeNetworkInterfaces", { Filters: [{ Name: "group-id", Values: [web] }] });
    expect(byGroup.NetworkInterfaces.map((n: Any) => n.NetworkInterfaceId)).toEqual([leg]);
  });

  it("R30 secondary private addresses: assigned and unassigned on any interface, within the type's limit", () => {
    const w = networkWorld("r30-secondary");
    const net = vpcWithSubnets(w);
    const i = w.launch({ SubnetId: net.a1, InstanceType: "m5.large" }).Instances[0];
    const primary = i.NetworkInterfaces[0].NetworkInterfaceId;
    const out = w.call("AssignPrivateIpAddresses", { NetworkInterfaceId: primary, SecondaryPrivateIpAddressCount: 2 });
    expect(out.NetworkInterfaceId).toBe(primary);
    expect(out.AssignedPrivateIpAddresses).toHaveLength(2);
    w.call("AssignPrivateIpAddresses", { NetworkInterfaceId: primary, PrivateIpAddresses: ["10.0.1.200"] });
    const ips = w.instance(i.InstanceId).NetworkInterfaces[0].PrivateIpAddresses;
    expect(ips.map((p: Any) => [p.Primary, p.PrivateIpAddress])).toEqual([
      [true, i.PrivateIpAddress],
      [false, out.AssignedPrivateIpAddresses[0].PrivateIpAddress],
      [false, out.AssignedPrivateIpAddresses[1].PrivateIpAddress],
      [false, "10.0.1.200"],
    ]);
    expect(w.subnet(net.a1).AvailableIpAddressCount).toBe(251 - 4);
    expectFailure(
      w.fail("AssignPrivateIpAddresses", { NetworkInterfaceId: primary, PrivateIpAddresses: ["10.0.1.200"] }),
      "InvalidIPAddress.InUse",
    );
    expectFailure(
      w.fail("UnassignPrivateIpAddresses", { NetworkInterfaceId: primary, PrivateIpAddresses: [i.PrivateIpAddress] }),
      "InvalidParameterValue",
      "cannot be unassigned",
    );
    expectFailure(
      w.fail("UnassignPrivateIpAddresses", { NetworkInterfaceId: primary, PrivateIpAddresses: ["10.0.1.99"] }),
      "InvalidParameterValue",
      "not assigned",
    );
    w.call("UnassignPrivateIpAddresses", { NetworkInterfaceId: primary, PrivateIpAddresses: ["10.0.1.200"] });
    expect(w.subnet(net.a1).AvailableIpAddressCount).toBe(251 - 3);
    // t3.micro: two addresses per interface.
    const small = w.launch({ SubnetId: net.a1 }).Instances[0].NetworkInterfaces[0].NetworkInterfaceId;
    w.call("AssignPrivateIpAddresses", { NetworkInterfaceId: small, SecondaryPrivateIpAddressCount: 1 });
    expectFailure(
      w.fail("AssignPrivateIpAddresses", { NetworkInterfaceId: small, SecondaryPrivateIpAddressCount: 1 }),
      "PrivateIpAddressLimitExceeded",
      "Number of private addresses will exceed limit.",
    );
    // Filters see secondaries.
    const hit = w.call("DescribeNetworkInterfaces", {
      Filters: [{ Name: "addresses.private-ip-address", Values: [out.AssignedPrivateIpAddresses[1].PrivateIpAddress] }],
    });
    expect(hit.NetworkInterfaces.map((n: Any) => n.NetworkInterfaceId)).toEqual([primary]);
  });

  it("R30 R20 an Elastic IP goes to an interface's private address; with several interfaces the call must name one", () => {
    const w = networkWorld("r30-eip");
    const net = vpcWithSubnets(w);
    const ssh = w.call("CreateSecurityGroup", { GroupName: "ssh", Description: "ssh", VpcId: net.vpc }).GroupId;
    w.call("AuthorizeSecurityGroupIngress", {
      GroupId: ssh,
      IpPermissions: [{ IpProtocol: "tcp", FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: `${MY_IP}/32` }] }],
    });
    const key = w.call("CreateKeyPair", { KeyName: "k" }).KeyMaterial;
    const i = w.launch({ SubnetId: net.a1, KeyName: "k" }).Instances[0];
    const leg = w.call("CreateNetworkInterface", { SubnetId: net.a1, Groups: [ssh] }).NetworkInterface;
    const eip = w.call("AllocateAddress", { Domain: "vpc" });
    // On an interface that is not attached yet.
    w.call("AssociateAddress", { AllocationId: eip.AllocationId, NetworkInterfaceId: leg.NetworkInterfaceId });
    let addr = w.call("DescribeAddresses", { AllocationIds: [eip.AllocationId] }).Addresses[0];
    expect(addr).toMatchObject({ NetworkInterfaceId: leg.NetworkInterfaceId, PrivateIpAddress: leg.PrivateIpAddress });
    expect(addr.InstanceId).toBeUndefined();
    expect(eni(w, leg.NetworkInterfaceId).Association).toMatchObject({
      PublicIp: eip.PublicIp,
      AllocationId: eip.AllocationId,
      IpOwnerId: "111122223333",
    });
    w.call("AttachNetworkInterface", {
      NetworkInterfaceId: leg.NetworkInterfaceId,
      InstanceId: i.InstanceId,
      DeviceIndex: 1,
    });
    addr = w.call("DescribeAddresses", { AllocationIds: [eip.AllocationId] }).Addresses[0];
    expect(addr.InstanceId).toBe(i.InstanceId);
    // The instance's own public IP is its primary interface's (none here: the subnet does not map them).
    const seen = w.instance(i.InstanceId);
    expect(seen.PublicIpAddress).toBeUndefined();
    expect(seen.NetworkInterfaces[1].Association.PublicIp).toBe(eip.PublicIp);
    // R29: reachable through the interface that holds the address, with that interface's groups.
    w.until(i.InstanceId, "running");
    expect(w.call("SshConnect", { InstanceId: i.InstanceId, PrivateKey: key }).Host).toBe(eip.PublicIp);
    w.call("ModifyNetworkInterfaceAttribute", { NetworkInterfaceId: leg.NetworkInterfaceId, Groups: [net.defaultSg] });
    expectFailure(
      w.fail("SshConnect", { InstanceId: i.InstanceId, PrivateKey: key }),
      "SshConnectionTimedOut",
      "no rule in",
    );
    // Two interfaces: the instance alone is ambiguous.
    const eip2 = w.call("AllocateAddress", { Domain: "vpc" });
    expectFailure(
      w.fail("AssociateAddress", { AllocationId: eip2.AllocationId, InstanceId: i.InstanceId }),
      "InvalidInstanceID",
      `There are multiple interfaces attached to instance '${i.InstanceId}'. Please specify an interface ID for the operation instead.`,
    );
    // On a secondary address of the primary interface: the instance's public IP stays as it is.
    const primary = i.NetworkInterfaces[0].NetworkInterfaceId;
    const second = w.call("AssignPrivateIpAddresses", {
      NetworkInterfaceId: primary,
      SecondaryPrivateIpAddressCount: 1,
    }).AssignedPrivateIpAddresses[0].PrivateIpAddress;
    w.call("AssociateAddress", {
      AllocationId: eip2.AllocationId,
      NetworkInterfaceId: primary,
      PrivateIpAddress: second,
    });
    const after = w.instance(i.InstanceId);
    expect(after.PublicIpAddress).toBeUndefined();
    expect(after.NetworkInterfaces[0].PrivateIpAddresses[1].Association.PublicIp).toBe(eip2.PublicIp);
    expectFailure(
      w.fail("AssociateAddress", {
        AllocationId: eip2.AllocationId,
        NetworkInterfaceId: primary,
        PrivateIpAddress: "10.0.9.9",
      }),
      "InvalidParameterValue",
    );
    // Unassigning the address takes its Elastic IP off; deleting a detached interface releases its association.
    w.call("UnassignPrivateIpAddresses", { NetworkInterfaceId: primary, PrivateIpAddresses: [second] });
    expect(
      w.call("DescribeAddresses", { AllocationIds: [eip2.AllocationId] }).Addresses[0].AssociationId,
    ).toBeUndefined();
  });

  it("R30 the source/dest check belongs to the interface: ModifyInstanceAttribute and the interface's own calls agree", () => {
    const w = networkWorld("r30-sdc");
    const net = vpcWithSubnets(w);
    const i = w.launch({ SubnetId: net.a1 }).Instances[0];
    const primary = i.NetworkInterfaces[0].NetworkInterfaceId;
    w.call("ModifyNetworkInterfaceAttribute", { NetworkInterfaceId: primary, SourceDestCheck: { Value: false } });
    expect(w.instance(i.InstanceId).SourceDestCheck).toBe(false);
    expect(
      w.call("DescribeInstanceAttribute", { InstanceId: i.InstanceId, Attribute: "sourceDestCheck" }).SourceDestCheck,
    ).toEqual({ Value: false });
    w.call("ResetNetworkInterfaceAttribute", { NetworkInterfaceId: primary, SourceDestCheck: "sourceDestCheck" });
    expect(eni(w, primary).SourceDestCheck).toBe(true);
    w.call("ModifyInstanceAttribute", { InstanceId: i.InstanceId, SourceDestCheck: { Value: false } });
    expect(
      w.call("DescribeNetworkInterfaceAttribute", { NetworkInterfaceId: primary, Attribute: "sourceDestCheck" }),
    ).toEqual({
      NetworkInterfaceId: primary,
      SourceDestCheck: { Value: false },
    });
    w.call("ModifyNetworkInterfaceAttribute", { NetworkInterfaceId: primary, Description: { Value: "router" } });
    expect(eni(w, primary).Description).toBe("router");
    w.call("CreateTags", { Resources: [primary], Tags: [{ Key: "role", Value: "router" }] });
    expect(eni(w, primary).TagSet).toEqual([{ Key: "role", Value: "router" }]);
    expect(
      w.call("DescribeNetworkInterfaces", { Filters: [{ Name: "tag:role", Values: ["router"] }] }).NetworkInterfaces,
    ).toHaveLength(1);
  });
});

describe("R30 RunInstances with NetworkInterfaces", () => {
  it("R30 a launch with two interfaces, secondary addresses and tags; terminating deletes what it made and keeps the rest", () => {
    const w = networkWorld("r30-launch");
    const net = vpcWithSubnets(w);
    const existing = w.call("CreateNetworkInterface", { SubnetId: net.a2, Description: "kept" }).NetworkInterface;
    const run = w.launch({
      InstanceType: "m5.large",
      NetworkInterfaces: [
        { DeviceIndex: 0, SubnetId: net.a1, SecondaryPrivateIpAddressCount: 1, Description: "front" },
        { DeviceIndex: 1, SubnetId: net.a2, PrivateIpAddress: "10.0.2.50" },
        { DeviceIndex: 2, NetworkInterfaceId: existing.NetworkInterfaceId },
      ],
      TagSpecifications: w.tag("network-interface", "launched"),
    }).Instances[0];
    const nis = run.NetworkInterfaces;
    expect(nis.map((n: Any) => [n.Attachment.DeviceIndex, n.SubnetId, n.PrivateIpAddress])).toEqual([
      [0, net.a1, run.PrivateIpAddress],
      [1, net.a2, "10.0.2.50"],
      [2, net.a2, existing.PrivateIpAddress],
    ]);
    expect(nis[0].PrivateIpAddresses).toHaveLength(2);
    expect(nis[0].Description).toBe("front");
    expect(nis.map((n: Any) => n.Attachment.DeleteOnTermination)).toEqual([true, true, false]);
    // With several interfaces, no auto-assigned public IP (EC2 gives none).
    expect(run.PublicIpAddress).toBeUndefined();
    expect(eni(w, nis[1].NetworkInterfaceId).TagSet).toEqual([{ Key: "Name", Value: "launched" }]);
    expect(eni(w, nis[0].NetworkInterfaceId).TagSet).toEqual([{ Key: "Name", Value: "launched" }]);
    w.call("TerminateInstances", { InstanceIds: [run.InstanceId] });
    w.until(run.InstanceId, "terminated");
    const left = w.call("DescribeNetworkInterfaces", {
      Filters: [{ Name: "vpc-id", Values: [net.vpc] }],
    }).NetworkInterfaces;
    expect(left.map((n: Any) => [n.NetworkInterfaceId, n.Status])).toEqual([
      [existing.NetworkInterfaceId, "available"],
    ]);
    expect(w.subnet(net.a1).AvailableIpAddressCount).toBe(251);
    expect(w.subnet(net.a2).AvailableIpAddressCount).toBe(250);
  });

  it("R30 a launch on an existing interface, and a primary interface kept after termination", () => {
    const w = networkWorld("r30-existing");
    const net = vpcWithSubnets(w);
    const sg = w.call("CreateSecurityGroup", { GroupName: "app", Description: "app", VpcId: net.vpc }).GroupId;
    const mine = w.call("CreateNetworkInterface", { SubnetId: net.a1, Groups: [sg], PrivateIpAddress: "10.0.1.77" })
      .NetworkInterface.NetworkInterfaceId;
    const i = w.launch({ NetworkInterfaces: [{ DeviceIndex: 0, NetworkInterfaceId: mine }] }).Instances[0];
    expect(i).toMatchObject({ PrivateIpAddress: "10.0.1.77", SubnetId: net.a1, VpcId: net.vpc });
    expect(i.SecurityGroups).toEqual([{ GroupId: sg, GroupName: "app" }]);
    expect(i.NetworkInterfaces.map((n: Any) => n.NetworkInterfaceId)).toEqual([mine]);
    expectFailure(
      w.fail("DetachNetworkInterface", { AttachmentId: i.NetworkInterfaces[0].Attachment.AttachmentId }),
      "OperationNotPermitted",
    );
    w.call("ModifyInstanceAttribute", { InstanceId: i.InstanceId, SourceDestCheck: { Value: false } });
    expect(eni(w, mine).SourceDestCheck).toBe(false);
    w.call("TerminateInstances", { InstanceIds: [i.InstanceId] });
    w.until(i.InstanceId, "terminated");
    expect(eni(w, mine)).toMatchObject({ Status: "available", PrivateIpAddress: "10.0.1.77" });

    // DeleteOnTermination=false on a primary interface the launch makes: it stays, as an interface of its own.
    const kept = w.launch({ NetworkInterfaces: [{ DeviceIndex: 0, SubnetId: net.a2, DeleteOnTermination: false }] })
      .Instances[0];
    const keptId = kept.NetworkInterfaces[0].NetworkInterfaceId;
    w.call("TerminateInstances", { InstanceIds: [kept.InstanceId] });
    w.until(kept.InstanceId, "terminated");
    expect(eni(w, keptId)).toMatchObject({
      Status: "available",
      PrivateIpAddress: kept.PrivateIpAddress,
      SubnetId: net.a2,
    });
    w.call("DeleteNetworkInterface", { NetworkInterfaceId: keptId });
  });

  it("R30 R27 launch errors: interfaces with an instance-level subnet, no device 0, a public IP on several, a group of another VPC", () => {
    const w = networkWorld("r30-launch-errors");
    const net = vpcWithSubnets(w);
    const imageId = w.launch().Instances[0].ImageId;
    const run = (extra: Record<string, unknown>) =>
      w.fail("RunInstances", { ImageId: imageId, InstanceType: "t3.micro", MinCount: 1, MaxCount: 1, ...extra });
    expectFailure(
      run({ SubnetId: net.a1, NetworkInterfaces: [{ DeviceIndex: 0, SubnetId: net.a1 }] }),
      "InvalidParameterCombination",
      "Network interfaces and an instance-level subnet ID may not be specified on the same request",
    );
    expectFailure(
      run({ NetworkInterfaces: [{ DeviceIndex: 1, SubnetId: net.a1 }] }),
      "InvalidParameterValue",
      "device index 0",
    );
    expectFailure(
      run({
        NetworkInterfaces: [
          { DeviceIndex: 0, SubnetId: net.a1, AssociatePublicIpAddress: true },
          { DeviceIndex: 1, SubnetId: net.a1 },
        ],
      }),
      "InvalidParameterCombination",
      "The associatePublicIPAddress parameter cannot be specified when launching with multiple network interfaces.",
    );
    expectFailure(
      run({
        NetworkInterfaces: [
          { DeviceIndex: 0, SubnetId: net.a1 },
          { DeviceIndex: 1, SubnetId: net.b1 },
        ],
      }),
      "InvalidParameterCombination",
      "same availability zone",
    );
    const foreign = w.call("CreateSecurityGroup", { GroupName: "x", Description: "x" }).GroupId;
    expectFailure(
      run({ NetworkInterfaces: [{ DeviceIndex: 0, SubnetId: net.a1, Groups: [foreign] }] }),
      "InvalidParameter",
      "belong to different networks",
    );
    expectFailure(
      run({
        NetworkInterfaces: [
          { DeviceIndex: 0, SubnetId: net.a1 },
          { DeviceIndex: 1, SubnetId: net.a1 },
          { DeviceIndex: 2, SubnetId: net.a1 },
        ],
      }),
      "InvalidParameterValue",
      "exceeds the limit for t3.micro",
    );
    expectFailure(
      run({ NetworkInterfaces: [{ DeviceIndex: 0, SubnetId: net.a1, SecondaryPrivateIpAddressCount: 3 }] }),
      "PrivateIpAddressLimitExceeded",
    );
    // Nothing of the refused launches stayed behind.
    expect(w.subnet(net.a1).AvailableIpAddressCount).toBe(251);
  });

  it("R30 R29 a route to an interface follows the interface: active while attached to a running instance", () => {
    const w = networkWorld("r30-route");
    const net = vpcWithSubnets(w);
    const router = w.launch({ SubnetId: net.a1 }).Instances[0].InstanceId;
    const leg = w.call("CreateNetworkInterface", { SubnetId: net.a1 }).NetworkInterface.NetworkInterfaceId;
    const rtb = w.call("CreateRouteTable", { VpcId: net.vpc }).RouteTable.RouteTableId;
    w.call("CreateRoute", { RouteTableId: rtb, DestinationCidrBlock: "192.168.0.0/16", NetworkInterfaceId: leg });
    const route = () => w.call("DescribeRouteTables", { RouteTableIds: [rtb] }).RouteTables[0].Routes[1];
    expect(route()).toMatchObject({ NetworkInterfaceId: leg, State: "blackhole" });
    const att = w.call("AttachNetworkInterface", { NetworkInterfaceId: leg, InstanceId: router, DeviceIndex: 1 });
    w.until(router, "running");
    expect(route()).toMatchObject({ NetworkInterfaceId: leg, InstanceId: router, State: "active" });
    // A route to the instance itself needs a single interface now.
    expectFailure(
      w.fail("CreateRoute", { RouteTableId: rtb, DestinationCidrBlock: "172.16.0.0/12", InstanceId: router }),
      "InvalidInstanceID",
      "There are multiple interfaces attached",
    );
    w.call("DetachNetworkInterface", { AttachmentId: att.AttachmentId });
    expect(route().State).toBe("blackhole");
  });
});
