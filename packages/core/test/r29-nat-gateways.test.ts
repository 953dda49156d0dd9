/**
 * R29: a NAT gateway gives outbound access only — pending then available on the simulated clock,
 * an Elastic IP on its interface, deleting then deleted, billed per hour and per GB — and the
 * guest's package downloads go out only through a gateway (directly with a public IP, or through a
 * NAT gateway from a private subnet).
 */
import { describe, expect, it } from "vitest";
import { STORAGE_PRICES } from "../src/index.ts";
import { NAT_TIMING } from "../src/nat-gateways.ts";
import { type Any, expectFailure, MY_IP, type NetworkWorld, networkWorld } from "./network-world.ts";

/** A public and a private subnet; the public one routes to an internet gateway. */
function twoTier(w: NetworkWorld) {
  const vpc = w.call("CreateVpc", { CidrBlock: "10.0.0.0/16" }).Vpc.VpcId;
  const pub = w.call("CreateSubnet", { VpcId: vpc, CidrBlock: "10.0.0.0/24", AvailabilityZone: "us-east-1a" }).Subnet
    .SubnetId;
  const priv = w.call("CreateSubnet", { VpcId: vpc, CidrBlock: "10.0.1.0/24", AvailabilityZone: "us-east-1a" }).Subnet
    .SubnetId;
  const igw = w.call("CreateInternetGateway").InternetGateway.InternetGatewayId;
  w.call("AttachInternetGateway", { InternetGatewayId: igw, VpcId: vpc });
  const pubRtb = w.call("CreateRouteTable", { VpcId: vpc }).RouteTable.RouteTableId;
  w.call("CreateRoute", { RouteTableId: pubRtb, DestinationCidrBlock: "0.0.0.0/0", GatewayId: igw });
  w.call("AssociateRouteTable", { RouteTableId: pubRtb, SubnetId: pub });
  const privRtb = w.call("CreateRouteTable", { VpcId: vpc }).RouteTable.RouteTableId;
  w.call("AssociateRouteTable", { RouteTableId: privRtb, SubnetId: priv });
  return { vpc, pub, priv, igw, pubRtb, privRtb };
}

const nat = (w: NetworkWorld, id: string): Any => w.call("DescribeNatGateways", { NatGatewayIds: [id] }).NatGateways[0];

/** Steps the clock until the NAT gateway is in `state`; returns the simulated ms it took. */
function natUntil(w: NetworkWorld, id: string, state: string): number {
  const t0 = w.sb.now;
  for (let k = 0; k < 600; k++) {
    if (nat(w, id).State === state) return w.sb.now - t0;
    w.sb.advance(1000);
  }
  throw new Error(`${id} never ${state}`);
}

describe("R29 NAT gateways", () => {
  it("R29 a NAT gateway is pending, then available on the clock; its Elastic IP sits on its requester-managed interface", () => {
    const w = networkWorld("r29-nat-life");
    const net = twoTier(w);
    const eip = w.call("AllocateAddress", { Domain: "vpc" });
    const created = w.call("CreateNatGateway", {
      SubnetId: net.pub,
      AllocationId: eip.AllocationId,
      TagSpecifications: w.tag("natgateway", "out"),
    }).NatGateway;
    expect(created).toMatchObject({
      NatGatewayId: expect.stringMatching(/^nat-[0-9a-f]{17}$/),
      SubnetId: net.pub,
      VpcId: net.vpc,
      State: "pending",
      ConnectivityType: "public",
      Tags: [{ Key: "Name", Value: "out" }],
    });
    const address = created.NatGatewayAddresses[0];
    expect(address).toMatchObject({ AllocationId: eip.AllocationId, PublicIp: eip.PublicIp, IsPrimary: true });
    expect(address.PrivateIp).toMatch(/^10\.0\.0\.\d+$/);
    const took = natUntil(w, created.NatGatewayId, "available");
    expect(took).toBeGreaterThanOrEqual(NAT_TIMING.create[0] - 1000);
    expect(took).toBeLessThanOrEqual(NAT_TIMING.create[1] + 1000);
    const eni = w.call("DescribeNetworkInterfaces", { NetworkInterfaceIds: [address.NetworkInterfaceId] })
      .NetworkInterfaces[0];
    expect(eni).toMatchObject({
      InterfaceType: "nat_gateway",
      RequesterManaged: true,
      Status: "in-use",
      PrivateIpAddress: address.PrivateIp,
      Description: `Interface for NAT Gateway ${created.NatGatewayId}`,
      Association: expect.objectContaining({ PublicIp: eip.PublicIp, AllocationId: eip.AllocationId }),
    });
    expectFailure(
      w.fail("DeleteNetworkInterface", { NetworkInterfaceId: address.NetworkInterfaceId }),
      "OperationNotPermitted",
    );
    expect(w.call("DescribeAddresses", { AllocationIds: [eip.AllocationId] }).Addresses[0]).toMatchObject({
      NetworkInterfaceId: address.NetworkInterfaceId,
      PrivateIpAddress: address.PrivateIp,
    });
    expect(w.subnet(net.pub).AvailableIpAddressCount).toBe(250);
    // Filters, and an unknown ID.
    expect(
      w
        .call("DescribeNatGateways", { Filter: [{ Name: "vpc-id", Values: [net.vpc] }] })
        .NatGateways.map((n: Any) => n.State),
    ).toEqual(["available"]);
    expectFailure(
      w.fail("DescribeNatGateways", { NatGatewayIds: ["nat-00000000000000000"] }),
      "NatGatewayNotFound",
      "nat-00000000000000000",
    );

    // Deleting, then deleted: its interface and the association go; the address is free again.
    expect(w.call("DeleteNatGateway", { NatGatewayId: created.NatGatewayId })).toEqual({
      NatGatewayId: created.NatGatewayId,
    });
    expect(nat(w, created.NatGatewayId).State).toBe("deleting");
    natUntil(w, created.NatGatewayId, "deleted");
    expect(nat(w, created.NatGatewayId).DeleteTime).toBeInstanceOf(Date);
    expect(
      w.call("DescribeAddresses", { AllocationIds: [eip.AllocationId] }).Addresses[0].AssociationId,
    ).toBeUndefined();
    expectFailure(
      w.fail("DescribeNetworkInterfaces", { NetworkInterfaceIds: [address.NetworkInterfaceId] }),
      "InvalidNetworkInterfaceID.NotFound",
    );
    expect(w.subnet(net.pub).AvailableIpAddressCount).toBe(251);
    w.call("ReleaseAddress", { AllocationId: eip.AllocationId });
  });

  it("R29 EC2's refusals: no Elastic IP, one already in use, a private gateway with one; a public one without an internet gateway fails", () => {
    const w = networkWorld("r29-nat-errors");
    const net = twoTier(w);
    expectFailure(w.fail("CreateNatGateway", { SubnetId: net.pub }), "MissingParameter", "AllocationId");
    const eip = w.call("AllocateAddress", { Domain: "vpc" });
    expectFailure(
      w.fail("CreateNatGateway", { SubnetId: net.pub, AllocationId: "eipalloc-00000000000000000" }),
      "InvalidAllocationID.NotFound",
    );
    expectFailure(
      w.fail("CreateNatGateway", { SubnetId: net.priv, ConnectivityType: "private", AllocationId: eip.AllocationId }),
      "InvalidParameterCombination",
    );
    const first = w.call("CreateNatGateway", { SubnetId: net.pub, AllocationId: eip.AllocationId }).NatGateway;
    expectFailure(
      w.fail("CreateNatGateway", { SubnetId: net.pub, AllocationId: eip.AllocationId }),
      "Resource.AlreadyAssociated",
      `Elastic IP address [${eip.AllocationId}] is already associated`,
    );
    expectFailure(w.fail("ReleaseAddress", { AllocationId: eip.AllocationId }), "InvalidIPAddress.InUse");
    // A private one needs no address.
    const priv = w.call("CreateNatGateway", { SubnetId: net.priv, ConnectivityType: "private" }).NatGateway;
    expect(priv.NatGatewayAddresses[0].PublicIp).toBeUndefined();
    // A public one in a VPC without an internet gateway fails when it would have become available.
    const lonely = w.call("CreateVpc", { CidrBlock: "10.9.0.0/16" }).Vpc.VpcId;
    const sn = w.call("CreateSubnet", { VpcId: lonely, CidrBlock: "10.9.0.0/24" }).Subnet.SubnetId;
    const eip2 = w.call("AllocateAddress", { Domain: "vpc" });
    const doomed = w.call("CreateNatGateway", { SubnetId: sn, AllocationId: eip2.AllocationId }).NatGateway;
    natUntil(w, doomed.NatGatewayId, "failed");
    expect(nat(w, doomed.NatGatewayId)).toMatchObject({
      FailureCode: "Gateway.NotAttached",
      FailureMessage: `Network ${lonely} has no Internet gateway attached`,
    });
    // Its address and interface are back; the VPC can be emptied.
    expect(
      w.call("DescribeAddresses", { AllocationIds: [eip2.AllocationId] }).Addresses[0].AssociationId,
    ).toBeUndefined();
    w.call("DeleteSubnet", { SubnetId: sn });
    w.call("DeleteVpc", { VpcId: lonely });
    // R31: a gateway holds its subnet; its public address holds the internet gateway.
    natUntil(w, first.NatGatewayId, "available");
    expectFailure(w.fail("DeleteSubnet", { SubnetId: net.pub }), "DependencyViolation");
    expectFailure(
      w.fail("DetachInternetGateway", { InternetGatewayId: net.igw, VpcId: net.vpc }),
      "DependencyViolation",
      "mapped public address",
    );
  });

  it("R29 outbound only: a private instance installs packages through the NAT gateway, and nothing comes in through it", () => {
    const w = networkWorld("r29-nat-egress");
    const net = twoTier(w);
    const ssh = w.call("CreateSecurityGroup", { GroupName: "ssh", Description: "ssh", VpcId: net.vpc }).GroupId;
    w.call("AuthorizeSecurityGroupIngress", {
      GroupId: ssh,
      IpPermissions: [{ IpProtocol: "tcp", FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: `${MY_IP}/32` }] }],
    });
    w.call("CreateKeyPair", { KeyName: "k" });
    const app = w.launch({ SubnetId: net.priv, SecurityGroupIds: [ssh], KeyName: "k" }).Instances[0].InstanceId;
    w.until(app, "running");
    const sh = (command: string) => w.call("GuestRun", { InstanceId: app, Command: command });
    // No way out yet: dnf times out, and says why.
    const blocked = sh("sudo dnf install -y nginx");
    expect(blocked.ExitCode).not.toBe(0);
    expect(blocked.Output).toContain("Curl error (28): Timeout was reached");
    expect(blocked.Output).toContain(`route table ${net.privRtb} of subnet ${net.priv} has no route to the internet`);
    expect(sh("rpm -q nginx || echo missing").Output).toContain("missing");

    const eip = w.call("AllocateAddress", { Domain: "vpc" });
    const gw = w.call("CreateNatGateway", { SubnetId: net.pub, AllocationId: eip.AllocationId }).NatGateway
      .NatGatewayId;
    w.call("CreateRoute", { RouteTableId: net.privRtb, DestinationCidrBlock: "0.0.0.0/0", NatGatewayId: gw });
    const route = () => w.call("DescribeRouteTables", { RouteTableIds: [net.privRtb] }).RouteTables[0].Routes[1];
    expect(route()).toMatchObject({ NatGatewayId: gw, State: "blackhole" });
    expect(sh("sudo dnf install -y nginx").ExitCode).not.toBe(0); // pending: not yet
    natUntil(w, gw, "available");
    expect(route().State).toBe("active");
    const installed = sh("sudo dnf install -y nginx");
    expect(installed.ExitCode, installed.Output).toBe(0);
    expect(installed.Output).toContain("Complete!");
    const processed = w.sb.costReport().lines.find((l) => l.resourceId === gw && l.unit === "GB");
    expect(processed?.quantity).toBeGreaterThan(0);

    // Outbound only: the instance has no public address, and the NAT gateway's is not its way in.
    expectFailure(w.fail("SshConnect", { InstanceId: app }), "SshNoPublicAddress");
    // A public instance needs no NAT gateway; without a public IP, the public subnet does not help either.
    const front = w.launch({ SubnetId: net.pub, NetworkInterfaces: undefined }).Instances[0].InstanceId;
    w.until(front, "running");
    const noIp = w.call("GuestRun", { InstanceId: front, Command: "sudo dnf install -y httpd" });
    expect(noIp.Output).toContain("no public IPv4 address");
    // A private NAT gateway does not reach the internet.
    const priv = w.call("CreateNatGateway", { SubnetId: net.pub, ConnectivityType: "private" }).NatGateway.NatGatewayId;
    natUntil(w, priv, "available");
    w.call("ReplaceRoute", { RouteTableId: net.privRtb, DestinationCidrBlock: "0.0.0.0/0", NatGatewayId: priv });
    expect(sh("sudo dnf install -y httpd").Output).toContain(`NAT gateway ${priv} is private`);
  });

  it("R29 R22 billing: every hour or part of one while it exists, and every GB processed, at the price list's rates", () => {
    const w = networkWorld("r29-nat-bill");
    const net = twoTier(w);
    const eip = w.call("AllocateAddress", { Domain: "vpc" });
    const gw = w.call("CreateNatGateway", { SubnetId: net.pub, AllocationId: eip.AllocationId }).NatGateway
      .NatGatewayId;
    const lines = () => w.sb.costReport("111122223333").lines.filter((l) => l.resourceId === gw);
    w.sb.advance(10 * 60_000);
    // Ten minutes bill one hour.
    expect(lines()).toEqual([
      expect.objectContaining({ kind: "nat", unit: "hours", quantity: 1, usd: STORAGE_PRICES.natGatewayPerHour }),
    ]);
    w.sb.advance(2 * 3_600_000);
    expect(lines()[0]).toMatchObject({ quantity: 3, usd: 3 * STORAGE_PRICES.natGatewayPerHour });
    w.call("DeleteNatGateway", { NatGatewayId: gw });
    natUntil(w, gw, "deleted");
    w.sb.advance(5 * 3_600_000);
    // Nothing after deletion.
    expect(lines()[0]!.quantity).toBe(3);
    expect(w.sb.costReport().byKind.nat).toBeCloseTo(3 * STORAGE_PRICES.natGatewayPerHour, 10);
  });
});
