/**
 * The resources that adopt what EC2 made (aws_default_vpc, aws_default_subnet, and a custom VPC's
 * aws_default_route_table and aws_default_security_group), aws_route beside aws_route_table, and the
 * networking data sources, through the real terraform CLI and the spawned plugin against `ec2sim
 * serve`: apply (the adopted objects take the configured routes, rules and tags), the data sources
 * read what EC2 has, no-change plan, import by the IDs hashicorp/aws documents, destroy (what was
 * adopted stays, as hashicorp/aws leaves it).
 */

import { DescribeRouteTablesCommand, DescribeSecurityGroupsCommand, DescribeVpcsCommand } from "@aws-sdk/client-ec2";
import { describe, expect, it } from "vitest";
import { expectImportsBackUnchanged, expectNoChanges, terraformProject } from "./harness.ts";

const CONFIG = `provider "aws" {
  region = "us-east-1"
}

resource "aws_default_vpc" "default" {
  tags = {
    Name = "Default VPC"
  }
}

resource "aws_default_subnet" "default_az1" {
  availability_zone = "us-east-1a"

  tags = {
    Name = "Default subnet for us-east-1a"
  }
}

resource "aws_vpc" "app" {
  cidr_block = "10.1.0.0/16"
}

resource "aws_subnet" "app" {
  vpc_id            = aws_vpc.app.id
  cidr_block        = "10.1.1.0/24"
  availability_zone = "us-east-1b"
}

resource "aws_internet_gateway" "app" {
  vpc_id = aws_vpc.app.id
}

resource "aws_default_route_table" "app" {
  default_route_table_id = aws_vpc.app.default_route_table_id

  route {
    cidr_block = "0.0.0.0/0"
    gateway_id = aws_internet_gateway.app.id
  }

  tags = {
    Name = "app-main"
  }
}

resource "aws_default_security_group" "app" {
  vpc_id = aws_vpc.app.id

  ingress {
    protocol  = -1
    self      = true
    from_port = 0
    to_port   = 0
  }

  egress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_route_table" "extra" {
  vpc_id = aws_vpc.app.id
}

resource "aws_route" "extra_default" {
  route_table_id         = aws_route_table.extra.id
  destination_cidr_block = "0.0.0.0/0"
  gateway_id             = aws_internet_gateway.app.id
}

data "aws_vpc" "default" {
  default = true
}

data "aws_vpcs" "all" {
  depends_on = [aws_vpc.app]
}

data "aws_subnets" "app" {
  filter {
    name   = "vpc-id"
    values = [aws_vpc.app.id]
  }
  depends_on = [aws_subnet.app]
}

data "aws_subnet" "az1" {
  id = aws_default_subnet.default_az1.id
}

data "aws_route_table" "main" {
  vpc_id = aws_vpc.app.id

  filter {
    name   = "association.main"
    values = ["true"]
  }
  depends_on = [aws_default_route_table.app]
}

data "aws_internet_gateway" "app" {
  filter {
    name   = "attachment.vpc-id"
    values = [aws_vpc.app.id]
  }
  depends_on = [aws_internet_gateway.app]
}

data "aws_security_groups" "app" {
  filter {
    name   = "vpc-id"
    values = [aws_vpc.app.id]
  }
  depends_on = [aws_default_security_group.app]
}

output "default_vpc" {
  value = data.aws_vpc.default.id
}
output "vpcs" {
  value = data.aws_vpcs.all.ids
}
output "app_subnets" {
  value = data.aws_subnets.app.ids
}
output "az1" {
  value = data.aws_subnet.az1
}
output "main_routes" {
  value = data.aws_route_table.main.routes
}
output "igw_attachments" {
  value = data.aws_internet_gateway.app.attachments
}
output "app_groups" {
  value = data.aws_security_groups.app.ids
}
`;

describe("terraform: adopting EC2's defaults, aws_route, and the networking data sources (spawned plugin)", () => {
  const p = terraformProject("defaults", { mainTf: CONFIG });
  const state = () => p.state();

  it("apply adopts the default VPC and subnet, takes over the app VPC's main table and default group", async () => {
    const apply = await p.apply();
    expect(apply.stdout).toContain("Apply complete! Resources: 9 added, 0 changed, 0 destroyed.");
    const s = await state();
    const v = (a: string) => s.get(a)!.values;
    const def = (await p.ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: "is-default", Values: ["true"] }] })))
      .Vpcs![0]!;
    expect(v("aws_default_vpc.default")).toMatchObject({
      id: def.VpcId,
      cidr_block: "172.31.0.0/16",
      existing_default_vpc: true,
      enable_dns_hostnames: true,
      enable_dns_support: true,
      tags: { Name: "Default VPC" },
    });
    expect(def.Tags).toEqual([{ Key: "Name", Value: "Default VPC" }]);
    expect(v("aws_default_subnet.default_az1")).toMatchObject({
      vpc_id: def.VpcId,
      availability_zone: "us-east-1a",
      map_public_ip_on_launch: true,
      existing_default_subnet: true,
    });
    const app = v("aws_vpc.app");
    const main = (await p.ec2.send(new DescribeRouteTablesCommand({ RouteTableIds: [app.main_route_table_id] })))
      .RouteTables![0]!;
    expect(v("aws_default_route_table.app").id).toBe(app.main_route_table_id);
    expect(main.Routes).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ DestinationCidrBlock: "0.0.0.0/0", GatewayId: v("aws_internet_gateway.app").id }),
      ]),
    );
    expect(main.Tags).toEqual([{ Key: "Name", Value: "app-main" }]);
    const sg = (
      await p.ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [v("aws_default_security_group.app").id] }))
    ).SecurityGroups![0]!;
    expect(sg).toMatchObject({ GroupName: "default", VpcId: app.id });
    expect(sg.IpPermissions).toEqual([
      expect.objectContaining({
        IpProtocol: "-1",
        UserIdGroupPairs: [expect.objectContaining({ GroupId: sg.GroupId })],
      }),
    ]);
    expect(v("aws_route.extra_default")).toMatchObject({
      id: expect.stringMatching(new RegExp(`^r-${v("aws_route_table.extra").id}\\d+$`)),
      gateway_id: v("aws_internet_gateway.app").id,
      origin: "CreateRoute",
      state: "active",
    });
  });

  it("the data sources read what EC2 has", async () => {
    const s = await state();
    const v = (a: string) => s.get(a)!.values;
    const out = JSON.parse((await p.run(["output", "-json"])).stdout) as Record<string, { value: any }>;
    expect(out.default_vpc!.value).toBe(v("aws_default_vpc.default").id);
    expect([...out.vpcs!.value].sort()).toEqual([v("aws_default_vpc.default").id, v("aws_vpc.app").id].sort());
    expect(out.app_subnets!.value).toEqual([v("aws_subnet.app").id]);
    expect(out.az1!.value).toMatchObject({
      default_for_az: true,
      available_ip_address_count: 4091,
      cidr_block: v("aws_default_subnet.default_az1").cidr_block,
    });
    expect(out.main_routes!.value).toEqual([
      expect.objectContaining({ cidr_block: "0.0.0.0/0", gateway_id: v("aws_internet_gateway.app").id }),
    ]);
    expect(out.igw_attachments!.value).toEqual([{ state: "available", vpc_id: v("aws_vpc.app").id }]);
    expect(out.app_groups!.value).toEqual([v("aws_default_security_group.app").id]);
  });

  it("a second plan has no changes", async () => {
    await expectNoChanges(p);
  });

  it("imports by the IDs hashicorp/aws documents, then no changes", async () => {
    const s = await state();
    const v = (a: string) => s.get(a)!.values;
    const ids: [string, string][] = [
      ["aws_default_vpc.default", v("aws_default_vpc.default").id],
      ["aws_default_subnet.default_az1", v("aws_default_subnet.default_az1").id],
      ["aws_default_route_table.app", v("aws_vpc.app").id], // by VPC ID
      ["aws_default_security_group.app", v("aws_default_security_group.app").id],
      ["aws_route_table.extra", v("aws_route_table.extra").id],
      ["aws_route.extra_default", `${v("aws_route_table.extra").id}_0.0.0.0/0`],
      ["aws_internet_gateway.app", v("aws_internet_gateway.app").id],
      ["aws_subnet.app", v("aws_subnet.app").id],
      ["aws_vpc.app", v("aws_vpc.app").id],
    ];
    await expectImportsBackUnchanged(p, ids);
    const after = await state();
    expect(after.get("aws_default_route_table.app")!.values).toMatchObject({
      id: v("aws_default_route_table.app").id,
      default_route_table_id: v("aws_default_route_table.app").id,
      vpc_id: v("aws_vpc.app").id,
    });
    expect(after.get("aws_route.extra_default")!.values.id).toBe(v("aws_route.extra_default").id);
    await expectNoChanges(p);
  });

  it("destroy removes what was made; the default VPC and subnet stay, as hashicorp/aws leaves them", async () => {
    const s = await state();
    const defaultVpc = s.get("aws_default_vpc.default")!.values.id as string;
    const app = s.get("aws_vpc.app")!.values.id as string;
    const destroy = await p.destroy();
    expect(destroy.stdout).toContain("Destroy complete! Resources: 9 destroyed.");
    const left = (await p.ec2.send(new DescribeVpcsCommand({}))).Vpcs!.map((x) => x.VpcId);
    expect(left).toContain(defaultVpc);
    expect(left).not.toContain(app);
  });
});
