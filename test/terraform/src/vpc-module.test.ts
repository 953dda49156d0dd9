/**
 * A VPC module in the style of terraform-aws-modules/vpc (fixtures/vpc-module: the module's resource
 * types, most of them optional behind `count = 0`) called the way its README's first example calls it
 * — public and private subnets in two zones, an internet gateway, `enable_nat_gateway = true,
 * single_nat_gateway = true` — through the real terraform CLI and the provider plugin against a real
 * `ec2sim serve`: validate (every declared type is in the provider's schema, used or not), plan,
 * apply (checked through the AWS SDK), a second plan with no changes, destroy (nothing left).
 *
 * EC2SIM_VPC_MODULE_SOURCE=/path/to/terraform-aws-vpc (a checkout of the public module) runs the same
 * test against that module instead of the fixture's.
 */

import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  DescribeNatGatewaysCommand,
  DescribeRouteTablesCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
  type EC2Client,
} from "@aws-sdk/client-ec2";
import { beforeAll, describe, expect, it } from "vitest";
import { expectNoChanges, FIXTURES, ok, terraformProject } from "./harness.ts";

interface Outputs {
  vpc_id: string;
  public_subnets: string[];
  private_subnets: string[];
  natgw_ids: string[];
  nat_public_ips: string[];
}

describe("a terraform-aws-modules/vpc style module: two zones, public and private subnets, one NAT gateway", () => {
  const source = process.env.EC2SIM_VPC_MODULE_SOURCE;
  const p = terraformProject("vpc-module", {
    fixture: "vpc-module",
    // The fixture's root module, calling the public module's checkout instead of the fixture's copy.
    ...(source
      ? {
          mainTf: readFileSync(join(FIXTURES, "vpc-module", "main.tf"), "utf8").replace(
            'source = "./modules/vpc"',
            `source = "${source}"`,
          ),
        }
      : {}),
  });
  let ec2: EC2Client;
  let out: Outputs;

  beforeAll(() => {
    ec2 = p.ec2;
  });

  it("validates: every resource type the module declares is known, those it does not use included", async () => {
    const r = await p.run(["validate", "-no-color", "-json"]);
    const v = JSON.parse(r.stdout) as { valid: boolean; diagnostics: unknown[] };
    expect(v.diagnostics).toEqual([]);
    expect(v.valid).toBe(true);
  });

  it("plans the 18 resources of a two-zone VPC with one NAT gateway, and none of the unused ones", async () => {
    const r = await p.run(["plan", "-no-color", "-input=false", "-out=tfplan"]);
    ok(r, "plan");
    expect(r.stdout).toContain("Plan: 18 to add, 0 to change, 0 to destroy.");
    const plan = JSON.parse((await p.run(["show", "-json", "tfplan"])).stdout) as {
      resource_changes: { address: string; change: { actions: string[] } }[];
    };
    const made = plan.resource_changes
      .filter((c) => c.change.actions.includes("create"))
      .map((c) => c.address.replace(/^module\.vpc\./, ""))
      .sort();
    expect(made).toEqual([
      "aws_default_route_table.default[0]",
      "aws_default_security_group.this[0]",
      "aws_eip.nat[0]",
      "aws_internet_gateway.this[0]",
      "aws_nat_gateway.this[0]",
      "aws_route.private_nat_gateway[0]",
      "aws_route.public_internet_gateway[0]",
      "aws_route_table.private[0]",
      "aws_route_table.public[0]",
      "aws_route_table_association.private[0]",
      "aws_route_table_association.private[1]",
      "aws_route_table_association.public[0]",
      "aws_route_table_association.public[1]",
      "aws_subnet.private[0]",
      "aws_subnet.private[1]",
      "aws_subnet.public[0]",
      "aws_subnet.public[1]",
      // The fixture's VPC has no count; the public module's is aws_vpc.this[0].
      expect.stringMatching(/^aws_vpc\.this(\[0\])?$/),
    ]);
  });

  it("applies, and the sandbox holds the VPC as EC2 would: subnets in two zones, routes out through the gateways", async () => {
    const apply = await p.run(["apply", "-no-color", "-input=false", "tfplan"]);
    ok(apply, "apply");
    expect(apply.stdout).toContain("Apply complete! Resources: 18 added, 0 changed, 0 destroyed.");
    out = (await p.outputs()) as Outputs;

    const vpc = (await ec2.send(new DescribeVpcsCommand({ VpcIds: [out.vpc_id] }))).Vpcs![0]!;
    expect(vpc).toMatchObject({ CidrBlock: "10.0.0.0/16", IsDefault: false });
    expect(vpc.Tags).toEqual(
      expect.arrayContaining([
        { Key: "Name", Value: "my-vpc" },
        { Key: "Environment", Value: "dev" },
      ]),
    );
    const subnets = (
      await ec2.send(new DescribeSubnetsCommand({ SubnetIds: [...out.public_subnets, ...out.private_subnets] }))
    ).Subnets!;
    const byCidr = Object.fromEntries(subnets.map((s) => [s.CidrBlock!, s]));
    expect(Object.keys(byCidr).sort()).toEqual(["10.0.1.0/24", "10.0.101.0/24", "10.0.102.0/24", "10.0.2.0/24"]);
    expect(byCidr["10.0.1.0/24"]!.AvailabilityZone).toBe("us-east-1a");
    expect(byCidr["10.0.2.0/24"]!.AvailabilityZone).toBe("us-east-1b");
    expect(byCidr["10.0.101.0/24"]!.MapPublicIpOnLaunch).toBe(false);

    const nat = (await ec2.send(new DescribeNatGatewaysCommand({ NatGatewayIds: out.natgw_ids }))).NatGateways!;
    expect(nat).toHaveLength(1);
    expect(nat[0]).toMatchObject({ State: "available", SubnetId: out.public_subnets[0], VpcId: out.vpc_id });
    expect(nat[0]!.NatGatewayAddresses![0]!.PublicIp).toBe(out.nat_public_ips[0]);

    const tables = (
      await ec2.send(new DescribeRouteTablesCommand({ Filters: [{ Name: "vpc-id", Values: [out.vpc_id] }] }))
    ).RouteTables!;
    const tableOf = (subnet: string) => tables.find((rt) => rt.Associations?.some((a) => a.SubnetId === subnet))!;
    for (const s of out.public_subnets)
      expect(tableOf(s).Routes).toContainEqual(
        expect.objectContaining({ DestinationCidrBlock: "0.0.0.0/0", GatewayId: expect.stringMatching(/^igw-/) }),
      );
    // One NAT gateway for both zones: both private subnets share the table whose default route goes through it.
    expect(tableOf(out.private_subnets[0]!).RouteTableId).toBe(tableOf(out.private_subnets[1]!).RouteTableId);
    expect(tableOf(out.private_subnets[0]!).Routes).toContainEqual(
      expect.objectContaining({ DestinationCidrBlock: "0.0.0.0/0", NatGatewayId: out.natgw_ids[0] }),
    );
  });

  it("a second plan finds no changes", async () => {
    await expectNoChanges(p);
  });

  it("destroys everything it made", async () => {
    const r = await p.destroy();
    expect(r.stdout).toContain("Destroy complete! Resources: 18 destroyed.");
    await expect(ec2.send(new DescribeVpcsCommand({ VpcIds: [out.vpc_id] }))).rejects.toThrow(/does not exist/);
    const nat = (await ec2.send(new DescribeNatGatewaysCommand({ NatGatewayIds: out.natgw_ids }))).NatGateways!;
    expect(nat.map((n) => n.State)).toEqual(["deleted"]);
  });
});
