/**
 * R27 (VPC and subnet CIDRs, zones, addresses), R28 (default VPCs and public IPs on launch), and the
 * VPC/subnet part of R31 (what cannot be deleted while in use), through the sandbox's public API.
 */
import { describe, expect, it } from "vitest";
import { type Any, expectFailure, ME, networkWorld, OTHER, REGION } from "./network-world.ts";

describe("R27 VPC and subnet CIDRs", () => {
  it("R27 a VPC's CIDR is /16 to /28: /15, /29 and malformed blocks are refused with EC2's codes", () => {
    const w = networkWorld("r27-vpc-cidr");
    expectFailure(
      w.fail("CreateVpc", { CidrBlock: "10.0.0.0/15" }),
      "InvalidVpc.Range",
      "The CIDR '10.0.0.0/15' is invalid.",
    );
    expectFailure(w.fail("CreateVpc", { CidrBlock: "10.0.0.0/29" }), "InvalidVpc.Range");
    expectFailure(
      w.fail("CreateVpc", { CidrBlock: "10.0.0.0" }),
      "InvalidParameterValue",
      "Value (10.0.0.0) for parameter cidrBlock is invalid. This is not a valid CIDR block.",
    );
    expectFailure(w.fail("CreateVpc", { CidrBlock: "10.0.0.5/16" }), "InvalidParameterValue");
    expectFailure(w.fail("CreateVpc", { CidrBlock: "10.300.0.0/16" }), "InvalidParameterValue");
    expectFailure(w.fail("CreateVpc", {}), "MissingParameter");
    expectFailure(
      w.fail("CreateVpc", { CidrBlock: "10.0.0.0/16", AmazonProvidedIpv6CidrBlock: true }),
      "UnsupportedOperation",
      "IPv6",
    );

    const big = w.call("CreateVpc", { CidrBlock: "10.0.0.0/16", TagSpecifications: w.tag("vpc", "big") }).Vpc;
    expect(big.VpcId).toMatch(/^vpc-[0-9a-f]{17}$/);
    // EC2 answers CreateVpc while the VPC is pending; it is available by the next call.
    expect(big).toMatchObject({ CidrBlock: "10.0.0.0/16", State: "pending", IsDefault: false, OwnerId: ME });
    expect(big.Tags).toEqual([{ Key: "Name", Value: "big" }]);
    const small = w.call("CreateVpc", { CidrBlock: "192.168.7.16/28" }).Vpc;
    expect(w.vpc(big.VpcId)).toMatchObject({ State: "available", InstanceTenancy: "default" });
    expect(w.vpc(small.VpcId).CidrBlockAssociationSet).toEqual([
      expect.objectContaining({ CidrBlock: "192.168.7.16/28", CidrBlockState: { State: "associated" } }),
    ]);
    // VPCs of one account may overlap (EC2 has no rule against it).
    expect(w.call("CreateVpc", { CidrBlock: "10.0.0.0/16" }).Vpc.VpcId).not.toBe(big.VpcId);
  });

  it("R27 DNS attributes: a new VPC resolves but gives no hostnames until told to; one attribute per call", () => {
    const w = networkWorld("r27-vpc-dns");
    const id = w.call("CreateVpc", { CidrBlock: "10.1.0.0/16" }).Vpc.VpcId;
    const attr = (Attribute: string) => w.call("DescribeVpcAttribute", { VpcId: id, Attribute });
    expect(attr("enableDnsSupport")).toEqual({ VpcId: id, EnableDnsSupport: { Value: true } });
    expect(attr("enableDnsHostnames")).toEqual({ VpcId: id, EnableDnsHostnames: { Value: false } });
    w.call("ModifyVpcAttribute", { VpcId: id, EnableDnsHostnames: { Value: true } });
    expect(attr("enableDnsHostnames").EnableDnsHostnames.Value).toBe(true);
    expectFailure(
      w.fail("ModifyVpcAttribute", {
        VpcId: id,
        EnableDnsSupport: { Value: true },
        EnableDnsHostnames: { Value: true },
      }),
      "InvalidParameterCombination",
    );
    expectFailure(w.fail("DescribeVpcAttribute", { VpcId: id, Attribute: "colour" }), "InvalidParameterValue");
    expectFailure(
      w.fail("DescribeVpcAttribute", { VpcId: "vpc-00000000000000000", Attribute: "enableDnsSupport" }),
      "InvalidVpcID.NotFound",
    );
    // The default VPC hands out hostnames.
    const def = w.call("DescribeVpcs", { Filters: [{ Name: "is-default", Values: ["true"] }] }).Vpcs[0].VpcId;
    expect(
      w.call("DescribeVpcAttribute", { VpcId: def, Attribute: "enableDnsHostnames" }).EnableDnsHostnames.Value,
    ).toBe(true);
  });

  it("R27 subnets lie inside their VPC, do not overlap and sit in one zone of the region", () => {
    const w = networkWorld("r27-subnet-cidr");
    const vpcId = w.call("CreateVpc", { CidrBlock: "10.2.0.0/16" }).Vpc.VpcId;
    const a = w.call("CreateSubnet", { VpcId: vpcId, CidrBlock: "10.2.1.0/24", AvailabilityZone: "us-east-1b" }).Subnet;
    expect(a).toMatchObject({
      VpcId: vpcId,
      CidrBlock: "10.2.1.0/24",
      AvailabilityZone: "us-east-1b",
      State: "available",
    });
    expect(a.AvailabilityZoneId).toMatch(/^use1-az\d$/);
    expectFailure(
      w.fail("CreateSubnet", { VpcId: vpcId, CidrBlock: "10.3.0.0/24" }),
      "InvalidSubnet.Range",
      "The CIDR '10.3.0.0/24' is invalid.",
    );
    expectFailure(w.fail("CreateSubnet", { VpcId: vpcId, CidrBlock: "10.2.0.0/29" }), "InvalidSubnet.Range");
    expectFailure(
      w.fail("CreateSubnet", { VpcId: vpcId, CidrBlock: "10.2.1.128/25" }),
      "InvalidSubnet.Conflict",
      "The CIDR '10.2.1.128/25' conflicts with another subnet",
    );
    expectFailure(w.fail("CreateSubnet", { VpcId: vpcId, CidrBlock: "10.2.0.0/16" }), "InvalidSubnet.Conflict");
    expectFailure(
      w.fail("CreateSubnet", { VpcId: vpcId, CidrBlock: "10.2.2.0/24", AvailabilityZone: "eu-west-1a" }),
      "InvalidParameterValue",
      "Value (eu-west-1a) for parameter availabilityZone is invalid. Subnets can currently only be created in the following availability zones: us-east-1a,",
    );
    expectFailure(
      w.fail("CreateSubnet", { VpcId: "vpc-00000000000000000", CidrBlock: "10.2.2.0/24" }),
      "InvalidVpcID.NotFound",
    );
    // A zone ID picks the zone too; without either, EC2 picks one (here: the emptiest, so they spread).
    const byId = w.call("CreateSubnet", {
      VpcId: vpcId,
      CidrBlock: "10.2.2.0/24",
      AvailabilityZoneId: a.AvailabilityZoneId,
    }).Subnet;
    expect(byId.AvailabilityZone).toBe("us-east-1b");
    const zones = [3, 4, 5].map(
      (n) => w.call("CreateSubnet", { VpcId: vpcId, CidrBlock: `10.2.${n}.0/24` }).Subnet.AvailabilityZone,
    );
    expect(new Set(zones).size).toBe(3);
    expect(zones).not.toContain("us-east-1b");
    // Another VPC may use the same block.
    const other = w.call("CreateVpc", { CidrBlock: "10.2.0.0/16" }).Vpc.VpcId;
    expect(w.call("CreateSubnet", { VpcId: other, CidrBlock: "10.2.1.0/24" }).Subnet.VpcId).toBe(other);
  });

  it("R27 AvailableIpAddressCount starts at size − 5 and falls as instances take addresses; a full subnet refuses a launch", () => {
    const w = networkWorld("r27-addresses");
    const vpcId = w.call("CreateVpc", { CidrBlock: "10.4.0.0/16" }).Vpc.VpcId;
    const sn = w.call("CreateSubnet", {
      VpcId: vpcId,
      CidrBlock: "10.4.0.0/28",
      AvailabilityZone: "us-east-1a",
    }).Subnet;
    expect(sn.AvailableIpAddressCount).toBe(16 - 5);
    const three = w.launch({ SubnetId: sn.SubnetId, MinCount: 3, MaxCount: 3 }).Instances;
    // The first four addresses (network, router, DNS, reserved) are EC2's: hosts start at .4.
    expect(three.map((i: Any) => i.PrivateIpAddress)).toEqual(["10.4.0.4", "10.4.0.5", "10.4.0.6"]);
    expect(three.map((i: Any) => [i.SubnetId, i.VpcId, i.Placement.AvailabilityZone])).toEqual(
      three.map(() => [sn.SubnetId, vpcId, "us-east-1a"]),
    );
    expect(w.subnet(sn.SubnetId).AvailableIpAddressCount).toBe(8);
    expectFailure(
      w.fail("RunInstances", {
        ImageId: three[0].ImageId,
        InstanceType: "t3.micro",
        MinCount: 9,
        MaxCount: 9,
        SubnetId: sn.SubnetId,
      }),
      "InsufficientFreeAddressesInSubnet",
      `There are not enough free addresses in subnet '${sn.SubnetId}' to satisfy the requested number of instances.`,
    );
    // Between MinCount and MaxCount, EC2 launches as many as fit.
    const rest = w.launch({ SubnetId: sn.SubnetId, MinCount: 2, MaxCount: 20 }).Instances;
    expect(rest).toHaveLength(8);
    expect(rest.at(-1).PrivateIpAddress).toBe("10.4.0.14"); // .15 is the broadcast address, also EC2's
    expect(w.subnet(sn.SubnetId).AvailableIpAddressCount).toBe(0);
    expectFailure(
      w.fail("RunInstances", { ImageId: three[0].ImageId, MinCount: 1, MaxCount: 1, SubnetId: sn.SubnetId }),
      "InsufficientFreeAddressesInSubnet",
    );
    // A terminated instance gives its address back.
    w.call("TerminateInstances", { InstanceIds: [three[1].InstanceId] });
    expect(w.subnet(sn.SubnetId).AvailableIpAddressCount).toBe(0);
    w.until(three[1].InstanceId, "terminated");
    expect(w.subnet(sn.SubnetId).AvailableIpAddressCount).toBe(1);
    expect(w.launch({ SubnetId: sn.SubnetId }).Instances[0].PrivateIpAddress).toBe("10.4.0.5");
    expect(
      w
        .call("DescribeSubnets", { Filters: [{ Name: "available-ip-address-count", Values: ["0"] }] })
        .Subnets.map((s: Any) => s.SubnetId),
    ).toEqual([sn.SubnetId]);
  });

  it("R27 a chosen private address must lie in the subnet, be free and not be one EC2 reserves", () => {
    const w = networkWorld("r27-chosen-ip");
    const vpcId = w.call("CreateVpc", { CidrBlock: "10.5.0.0/16" }).Vpc.VpcId;
    const sn = w.call("CreateSubnet", { VpcId: vpcId, CidrBlock: "10.5.1.0/24" }).Subnet.SubnetId;
    const i = w.launch({ SubnetId: sn, PrivateIpAddress: "10.5.1.100" }).Instances[0];
    expect(i.PrivateIpAddress).toBe("10.5.1.100");
    expect(i.PrivateDnsName).toBe("ip-10-5-1-100.ec2.internal");
    expectFailure(
      w.fail("RunInstances", {
        ImageId: i.ImageId,
        MinCount: 1,
        MaxCount: 1,
        SubnetId: sn,
        PrivateIpAddress: "10.5.1.100",
      }),
      "InvalidIPAddress.InUse",
      "Address 10.5.1.100 is in use.",
    );
    expectFailure(
      w.fail("RunInstances", {
        ImageId: i.ImageId,
        MinCount: 1,
        MaxCount: 1,
        SubnetId: sn,
        PrivateIpAddress: "10.5.2.7",
      }),
      "InvalidParameterValue",
      "does not fall within the subnet's address range",
    );
    expectFailure(
      w.fail("RunInstances", {
        ImageId: i.ImageId,
        MinCount: 1,
        MaxCount: 1,
        SubnetId: sn,
        PrivateIpAddress: "10.5.1.1",
      }),
      "InvalidParameterValue",
      "reserved",
    );
    expectFailure(
      w.fail("RunInstances", {
        ImageId: i.ImageId,
        MinCount: 2,
        MaxCount: 2,
        SubnetId: sn,
        PrivateIpAddress: "10.5.1.7",
      }),
      "InvalidParameterCombination",
    );
    // Automatic addresses step around the chosen one.
    expect(w.launch({ SubnetId: sn }).Instances[0].PrivateIpAddress).toBe("10.5.1.101");
  });
});

describe("R28 default VPCs and public IPs", () => {
  it("R28 every region has a default VPC 172.31.0.0/16 with a default /20 subnet per zone that maps public IPs", () => {
    const w = networkWorld("r28-default");
    for (const region of [REGION, "eu-west-1", "ap-southeast-2"]) {
      const c = { accountId: ME, region };
      const vpcs = w.call("DescribeVpcs", { Filters: [{ Name: "is-default", Values: ["true"] }] }, c).Vpcs;
      expect(vpcs).toHaveLength(1);
      expect(vpcs[0]).toMatchObject({ CidrBlock: "172.31.0.0/16", IsDefault: true, State: "available" });
      const attrs = w.call("DescribeAccountAttributes", { AttributeNames: ["default-vpc"] }, c).AccountAttributes;
      expect(attrs).toEqual([{ AttributeName: "default-vpc", AttributeValues: [{ AttributeValue: vpcs[0].VpcId }] }]);
      const subnets = w.call("DescribeSubnets", { Filters: [{ Name: "vpc-id", Values: [vpcs[0].VpcId] }] }, c).Subnets;
      const zones = w.call("DescribeAvailabilityZones", {}, c).AvailabilityZones;
      expect(subnets).toHaveLength(zones.length);
      for (const s of subnets) {
        expect(s).toMatchObject({ DefaultForAz: true, MapPublicIpOnLaunch: true, AvailableIpAddressCount: 4096 - 5 });
        expect(s.CidrBlock).toMatch(/^172\.31\.\d+\.0\/20$/);
      }
    }
    // A launch with no network named lands in a default subnet with a public IP.
    const i = w.launch().Instances[0];
    expect(i.PublicIpAddress).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    expect(i.PrivateIpAddress).toMatch(/^172\.31\./);
  });

  it("R28 a new VPC's subnets map public IPs only when MapPublicIpOnLaunch is set or the launch asks for one", () => {
    const w = networkWorld("r28-public-ip");
    const vpcId = w.call("CreateVpc", { CidrBlock: "10.6.0.0/16" }).Vpc.VpcId;
    const sn = w.call("CreateSubnet", { VpcId: vpcId, CidrBlock: "10.6.0.0/24" }).Subnet;
    expect(sn).toMatchObject({ MapPublicIpOnLaunch: false, DefaultForAz: false });
    expect(w.launch({ SubnetId: sn.SubnetId }).Instances[0].PublicIpAddress).toBeUndefined();
    const asked = w.launch({
      NetworkInterfaces: [{ DeviceIndex: 0, SubnetId: sn.SubnetId, AssociatePublicIpAddress: true }],
    }).Instances[0];
    expect(asked.PublicIpAddress).toBeDefined();
    expect(asked.SubnetId).toBe(sn.SubnetId);
    w.call("ModifySubnetAttribute", { SubnetId: sn.SubnetId, MapPublicIpOnLaunch: { Value: true } });
    expect(w.subnet(sn.SubnetId).MapPublicIpOnLaunch).toBe(true);
    expect(w.launch({ SubnetId: sn.SubnetId }).Instances[0].PublicIpAddress).toBeDefined();
    // And the other way: a default subnet's instance without one when the launch says so.
    expect(
      w.launch({ NetworkInterfaces: [{ DeviceIndex: 0, AssociatePublicIpAddress: false }] }).Instances[0]
        .PublicIpAddress,
    ).toBeUndefined();
    expectFailure(
      w.fail("ModifySubnetAttribute", { SubnetId: sn.SubnetId, AssignIpv6AddressOnCreation: { Value: true } }),
      "UnsupportedOperation",
      "IPv6",
    );
    expectFailure(
      w.fail("CreateSubnet", { VpcId: vpcId, CidrBlock: "10.6.1.0/24", Ipv6Native: true }),
      "UnsupportedOperation",
      "IPv6-only",
    );
  });

  it("R28 a launch names a zone or a subnet in another zone: EC2's errors", () => {
    const w = networkWorld("r28-zones");
    const vpcId = w.call("CreateVpc", { CidrBlock: "10.7.0.0/16" }).Vpc.VpcId;
    const sn = w.call("CreateSubnet", { VpcId: vpcId, CidrBlock: "10.7.0.0/24", AvailabilityZone: "us-east-1c" }).Subnet
      .SubnetId;
    expectFailure(
      w.fail("RunInstances", {
        ImageId: w.launch().Instances[0].ImageId,
        MinCount: 1,
        MaxCount: 1,
        SubnetId: sn,
        Placement: { AvailabilityZone: "us-east-1d" },
      }),
      "InvalidParameterValue",
      `Value (us-east-1d) for parameter availabilityZone is invalid. Subnet '${sn}' is in the availability zone us-east-1c`,
    );
    // With a zone and no subnet, the default subnet of that zone.
    const inD = w.launch({ Placement: { AvailabilityZone: "us-east-1d" } }).Instances[0];
    expect(inD.Placement.AvailabilityZone).toBe("us-east-1d");
    expect(w.subnet(inD.SubnetId).DefaultForAz).toBe(true);
  });
});

describe("R31 VPCs and subnets in use", () => {
  it("R31 a VPC with subnets or groups and a subnet with an instance cannot be deleted; then they can", () => {
    const w = networkWorld("r31-vpc-subnet");
    const vpc = w.call("CreateVpc", { CidrBlock: "10.8.0.0/16" }).Vpc.VpcId;
    const sn = w.call("CreateSubnet", { VpcId: vpc, CidrBlock: "10.8.1.0/24" }).Subnet.SubnetId;
    const sg = w.call("CreateSecurityGroup", { GroupName: "web", Description: "web", VpcId: vpc }).GroupId;
    const i = w.launch({ SubnetId: sn, SecurityGroupIds: [sg] }).Instances[0].InstanceId;
    expectFailure(
      w.fail("DeleteVpc", { VpcId: vpc }),
      "DependencyViolation",
      `The vpc '${vpc}' has dependencies and cannot be deleted.`,
    );
    expectFailure(
      w.fail("DeleteSubnet", { SubnetId: sn }),
      "DependencyViolation",
      `The subnet '${sn}' has dependencies and cannot be deleted.`,
    );
    w.call("TerminateInstances", { InstanceIds: [i] });
    w.until(i, "terminated");
    w.call("DeleteSubnet", { SubnetId: sn });
    expectFailure(
      w.fail("DescribeSubnets", { SubnetIds: [sn] }),
      "InvalidSubnetID.NotFound",
      `The subnet ID '${sn}' does not exist`,
    );
    expectFailure(w.fail("DeleteVpc", { VpcId: vpc }), "DependencyViolation");
    w.call("DeleteSecurityGroup", { GroupId: sg });
    // The VPC's own default group does not hold it back, and goes with it.
    const def = w.call("DescribeSecurityGroups", { Filters: [{ Name: "vpc-id", Values: [vpc] }] }).SecurityGroups;
    expect(def.map((g: Any) => g.GroupName)).toEqual(["default"]);
    expectFailure(w.fail("DeleteSecurityGroup", { GroupId: def[0].GroupId }), "CannotDelete");
    w.call("DeleteVpc", { VpcId: vpc });
    expectFailure(
      w.fail("DescribeVpcs", { VpcIds: [vpc] }),
      "InvalidVpcID.NotFound",
      `The vpc ID '${vpc}' does not exist`,
    );
    expect(w.call("DescribeSecurityGroups", { Filters: [{ Name: "vpc-id", Values: [vpc] }] }).SecurityGroups).toEqual(
      [],
    );
    // The default VPC keeps its subnets, so it cannot go either.
    const defVpc = w.call("DescribeVpcs", { Filters: [{ Name: "is-default", Values: ["true"] }] }).Vpcs[0].VpcId;
    expectFailure(w.fail("DeleteVpc", { VpcId: defVpc }), "DependencyViolation");
  });
});

describe("VPCs and subnets are regional, owned, tagged and filtered like every resource", () => {
  it("R21 tags at creation and later; filters by tag, CIDR, zone and VPC; other accounts do not see them", () => {
    const w = networkWorld("r27-tags-filters");
    const vpc = w.call("CreateVpc", { CidrBlock: "10.9.0.0/16", TagSpecifications: w.tag("vpc", "shop") }).Vpc.VpcId;
    const a = w.call("CreateSubnet", {
      VpcId: vpc,
      CidrBlock: "10.9.1.0/24",
      AvailabilityZone: "us-east-1a",
      TagSpecifications: w.tag("subnet", "public-a"),
    }).Subnet.SubnetId;
    const b = w.call("CreateSubnet", { VpcId: vpc, CidrBlock: "10.9.2.0/24", AvailabilityZone: "us-east-1b" }).Subnet
      .SubnetId;
    w.call("CreateTags", {
      Resources: [b],
      Tags: [
        { Key: "Name", Value: "private-b" },
        { Key: "tier", Value: "db" },
      ],
    });
    const ids = (action: string, key: string, Filters: Any[]) =>
      w.call(action, { Filters })[key].map((x: Any) => x.VpcId ?? x.SubnetId);
    expect(ids("DescribeVpcs", "Vpcs", [{ Name: "tag:Name", Values: ["shop"] }])).toEqual([vpc]);
    expect(ids("DescribeVpcs", "Vpcs", [{ Name: "cidr", Values: ["10.9.0.0/16"] }])).toEqual([vpc]);
    expect(
      w
        .call("DescribeSubnets", { Filters: [{ Name: "vpc-id", Values: [vpc] }] })
        .Subnets.map((s: Any) => s.SubnetId)
        .sort(),
    ).toEqual([a, b].sort());
    expect(
      w
        .call("DescribeSubnets", {
          Filters: [
            { Name: "tag:Name", Values: ["p*"] },
            { Name: "availability-zone", Values: ["us-east-1b"] },
          ],
        })
        .Subnets.map((s: Any) => s.SubnetId),
    ).toEqual([b]);
    expect(w.call("DescribeTags", { Filters: [{ Name: "resource-id", Values: [b] }] }).Tags).toEqual([
      { ResourceId: b, ResourceType: "subnet", Key: "Name", Value: "private-b" },
      { ResourceId: b, ResourceType: "subnet", Key: "tier", Value: "db" },
    ]);
    expectFailure(
      w.fail("DescribeSubnets", { Filters: [{ Name: "colour", Values: ["x"] }] }),
      "InvalidParameterValue",
      "The filter 'colour' is invalid",
    );
    const other = { accountId: OTHER, region: REGION };
    expectFailure(w.fail("DescribeVpcs", { VpcIds: [vpc] }, other), "InvalidVpcID.NotFound");
    expectFailure(w.fail("CreateSubnet", { VpcId: vpc, CidrBlock: "10.9.3.0/24" }, other), "InvalidVpcID.NotFound");
    expect(w.call("DescribeVpcs", {}, other).Vpcs.map((v: Any) => v.IsDefault)).toEqual([true]);
    // Regional: not in another region.
    expectFailure(
      w.fail("DescribeVpcs", { VpcIds: [vpc] }, { accountId: ME, region: "eu-west-1" }),
      "InvalidVpcID.NotFound",
    );
    // Pages.
    const page = w.call("DescribeSubnets", { MaxResults: 5 });
    expect(page.Subnets).toHaveLength(5);
    expect(page.NextToken).toBeDefined();
  });

  it("R19 security groups live in any VPC: same names in two VPCs, and a launch refuses a group of another VPC", () => {
    const w = networkWorld("r19-vpc-groups");
    const vpc = w.call("CreateVpc", { CidrBlock: "10.10.0.0/16" }).Vpc.VpcId;
    const sn = w.call("CreateSubnet", { VpcId: vpc, CidrBlock: "10.10.0.0/24" }).Subnet.SubnetId;
    const inVpc = w.call("CreateSecurityGroup", { GroupName: "web", Description: "web", VpcId: vpc }).GroupId;
    const inDefault = w.call("CreateSecurityGroup", { GroupName: "web", Description: "web" }).GroupId;
    expectFailure(
      w.fail("CreateSecurityGroup", { GroupName: "web", Description: "again", VpcId: vpc }),
      "InvalidGroup.Duplicate",
    );
    expectFailure(
      w.fail("CreateSecurityGroup", { GroupName: "default", Description: "x", VpcId: vpc }),
      "InvalidParameterValue",
      "reserved",
    );
    expectFailure(
      w.fail("CreateSecurityGroup", { GroupName: "x", Description: "x", VpcId: "vpc-00000000000000000" }),
      "InvalidVpcID.NotFound",
    );
    // The VPC-scoped rule calls take the group by ID, whatever its VPC.
    w.call("AuthorizeSecurityGroupIngress", {
      GroupId: inVpc,
      IpPermissions: [{ IpProtocol: "tcp", FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: "0.0.0.0/0" }] }],
    });
    const rules = w.call("DescribeSecurityGroupRules", {
      Filters: [{ Name: "group-id", Values: [inVpc] }],
    }).SecurityGroupRules;
    expect(rules.map((r: Any) => [r.IsEgress, r.FromPort ?? -1]).sort()).toEqual([
      [false, 443],
      [true, -1],
    ]);
    expectFailure(
      w.fail("RunInstances", {
        ImageId: w.launch().Instances[0].ImageId,
        MinCount: 1,
        MaxCount: 1,
        SubnetId: sn,
        SecurityGroupIds: [inDefault],
      }),
      "InvalidParameter",
      `Security group ${inDefault} and subnet ${sn} belong to different networks.`,
    );
    const i = w.launch({ SubnetId: sn }).Instances[0];
    // No group named: the VPC's default group.
    const def = w.call("DescribeSecurityGroups", {
      Filters: [
        { Name: "vpc-id", Values: [vpc] },
        { Name: "group-name", Values: ["default"] },
      ],
    }).SecurityGroups[0];
    expect(i.SecurityGroups).toEqual([{ GroupId: def.GroupId, GroupName: "default" }]);
    expect(w.launch({ SubnetId: sn, SecurityGroups: ["web"] }).Instances[0].SecurityGroups[0].GroupId).toBe(inVpc);
  });
});
