/**
 * Issue #12 through the real terraform CLI and the provider plugin spawned the normal way, against a
 * real `ec2sim serve`: a web server in its own VPC written the way the hashicorp/aws documentation
 * writes it (VPC, public subnet, internet gateway, route table and association, security group with
 * rule resources, key pair, instance): apply, checked through the AWS SDK; reachable over SSH through
 * the sandbox (the REPL's `ssh`, here the WebSocket protocol's SshConnect with the private key) and
 * not once the route to the gateway is gone; a no-change plan; every resource removed from state and
 * imported back (import blocks, one apply), then no changes; destroy.
 */

import {
  DescribeInternetGatewaysCommand,
  DescribeLaunchTemplatesCommand,
  DescribeRouteTablesCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
} from "@aws-sdk/client-ec2";
import { SandboxClient } from "@ec2sim/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  describeInstance,
  expectImportsBackUnchanged,
  expectNoChanges,
  ID,
  sshKeyPair,
  terraformProject,
  type Workdir,
} from "./harness.ts";

interface Options {
  /** The public route table's internet route (false: the table is there, the route is not). */
  internetRoute: boolean;
}

function config(publicKey: string, o: Options): string {
  return `terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 6.0"
    }
  }
}

provider "aws" {
  region = "us-east-1"
}

data "aws_availability_zones" "available" {
  state = "available"
}

data "aws_ami" "al2023" {
  most_recent = true
  owners      = ["amazon"]

  filter {
    name   = "name"
    values = ["al2023-ami-2023*-x86_64"]
  }
}

resource "aws_vpc" "main" {
  cidr_block           = "10.0.0.0/16"
  enable_dns_hostnames = true

  tags = {
    Name = "main"
  }
}

resource "aws_subnet" "public" {
  vpc_id                  = aws_vpc.main.id
  cidr_block              = "10.0.1.0/24"
  availability_zone       = data.aws_availability_zones.available.names[0]
  map_public_ip_on_launch = true

  tags = {
    Name = "public"
  }
}

resource "aws_internet_gateway" "gw" {
  vpc_id = aws_vpc.main.id

  tags = {
    Name = "main"
  }
}

resource "aws_route_table" "public" {
  vpc_id = aws_vpc.main.id
${
  o.internetRoute
    ? `
  route {
    cidr_block = "0.0.0.0/0"
    gateway_id = aws_internet_gateway.gw.id
  }
`
    : `
  # As hashicorp/aws documents it: routes are an attribute in blocks mode, so none at all is an empty list.
  route = []
`
}
  tags = {
    Name = "public"
  }
}

resource "aws_route_table_association" "public" {
  subnet_id      = aws_subnet.public.id
  route_table_id = aws_route_table.public.id
}

resource "aws_security_group" "web" {
  name        = "web"
  description = "Allow SSH inbound traffic and all outbound traffic"
  vpc_id      = aws_vpc.main.id

  tags = {
    Name = "web"
  }
}

resource "aws_vpc_security_group_ingress_rule" "ssh" {
  security_group_id = aws_security_group.web.id
  cidr_ipv4         = "0.0.0.0/0"
  from_port         = 22
  ip_protocol       = "tcp"
  to_port           = 22
}

resource "aws_vpc_security_group_egress_rule" "all" {
  security_group_id = aws_security_group.web.id
  cidr_ipv4         = "0.0.0.0/0"
  ip_protocol       = "-1"
}

resource "aws_key_pair" "deployer" {
  key_name   = "deployer-key"
  public_key = ${JSON.stringify(publicKey)}
}

resource "aws_instance" "web" {
  ami                    = data.aws_ami.al2023.id
  instance_type          = "t3.micro"
  subnet_id              = aws_subnet.public.id
  vpc_security_group_ids = [aws_security_group.web.id]
  key_name               = aws_key_pair.deployer.key_name

  tags = {
    Name = "HelloWorld"
  }
}
output "public_ip" {
  value = aws_instance.web.public_ip
}
`;
}

const key = sshKeyPair("deployer@example.com");

// One server for the file: the two projects are independent (their own VPCs, their own state).
const p = terraformProject("network", { mainTf: config(key.publicKey, { internetRoute: true }) });

/** The ID an import takes for each address (as `terraform import` documents it), from the state terraform wrote. */
function importIds(state: Map<string, { type: string; values: Record<string, any> }>): [string, string][] {
  const out: [string, string][] = [];
  for (const [address, r] of state) {
    if (address.startsWith("data.")) continue;
    const v = r.values;
    const id =
      r.type === "aws_route_table_association"
        ? `${v.subnet_id}/${v.route_table_id}`
        : r.type === "aws_key_pair"
          ? v.key_name
          : v.id;
    out.push([address, id]);
  }
  return out;
}

describe("terraform: a web server in its own VPC (spawned plugin)", () => {
  let ws: SandboxClient;
  const write = (o: Partial<Options> = {}) => p.write(config(key.publicKey, { internetRoute: true, ...o }));
  const state = () => p.state();
  const ssh = (id: string) =>
    ws.call<{ Host: string; User: string }>("SshConnect", { InstanceId: id, PrivateKey: key.privateKeyPem });

  beforeAll(async () => {
    ws = await SandboxClient.connect({
      url: p.url,
      accessKeyId: p.A.accessKeyId,
      secretAccessKey: p.A.secretAccessKey,
    });
  });
  afterAll(async () => {
    await ws?.close();
  });

  it("init + apply creates the VPC, subnet, gateway, routes, security group and instance", async () => {
    const apply = await p.apply();
    expect(apply.stdout).toContain("Apply complete! Resources: 10 added, 0 changed, 0 destroyed.");

    const s = await state();
    const v = (a: string) => s.get(a)!.values;
    const vpcId = v("aws_vpc.main").id as string;
    const subnetId = v("aws_subnet.public").id as string;
    expect(v("aws_vpc.main")).toMatchObject({
      id: expect.stringMatching(ID("vpc")),
      cidr_block: "10.0.0.0/16",
      enable_dns_hostnames: true,
      enable_dns_support: true,
      main_route_table_id: expect.stringMatching(ID("rtb")),
      default_security_group_id: expect.stringMatching(ID("sg")),
      arn: `arn:aws:ec2:us-east-1:${p.A.accountId}:vpc/${vpcId}`,
    });
    const web = await describeInstance(p.ec2, v("aws_instance.web").id);
    expect(web).toMatchObject({ VpcId: vpcId, SubnetId: subnetId, State: { Name: "running" } });
    expect(web.PrivateIpAddress).toMatch(/^10\.0\.1\.\d+$/);
    expect(web.PublicIpAddress).toMatch(/^\d+\.\d+\.\d+\.\d+$/); // the subnet maps public IPs on launch
    expect(v("aws_instance.web")).toMatchObject({
      subnet_id: subnetId,
      vpc_security_group_ids: [v("aws_security_group.web").id],
      security_groups: [],
      public_ip: web.PublicIpAddress,
      private_ip: web.PrivateIpAddress,
      primary_network_interface_id: expect.stringMatching(ID("eni")),
    });
    // The instance's interfaces as hashicorp/aws reads them back.
    const eni = v("aws_instance.web").primary_network_interface_id;
    expect(v("aws_instance.web").primary_network_interface).toEqual([
      { network_interface_id: eni, delete_on_termination: true },
    ]);
    expect(v("aws_instance.web").network_interface).toEqual([
      { network_interface_id: eni, device_index: 0, network_card_index: 0, delete_on_termination: true },
    ]);

    const vpc = (await p.ec2.send(new DescribeVpcsCommand({ VpcIds: [vpcId] }))).Vpcs![0]!;
    expect(vpc).toMatchObject({ CidrBlock: "10.0.0.0/16", IsDefault: false, Tags: [{ Key: "Name", Value: "main" }] });
    const subnet = (await p.ec2.send(new DescribeSubnetsCommand({ SubnetIds: [subnetId] }))).Subnets![0]!;
    expect(subnet).toMatchObject({ VpcId: vpcId, CidrBlock: "10.0.1.0/24", MapPublicIpOnLaunch: true });
    const igw = (
      await p.ec2.send(new DescribeInternetGatewaysCommand({ InternetGatewayIds: [v("aws_internet_gateway.gw").id] }))
    ).InternetGateways![0]!;
    expect(igw.Attachments).toEqual([{ VpcId: vpcId, State: "available" }]);
    const rt = (await p.ec2.send(new DescribeRouteTablesCommand({ RouteTableIds: [v("aws_route_table.public").id] })))
      .RouteTables![0]!;
    expect(rt.Routes).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ DestinationCidrBlock: "10.0.0.0/16", GatewayId: "local" }),
        expect.objectContaining({ DestinationCidrBlock: "0.0.0.0/0", GatewayId: igw.InternetGatewayId }),
      ]),
    );
    expect(rt.Associations).toEqual([
      expect.objectContaining({
        SubnetId: subnetId,
        RouteTableAssociationId: v("aws_route_table_association.public").id,
      }),
    ]);
    // The inline route as hashicorp/aws stores it: the local route left out, every field present.
    expect(v("aws_route_table.public").route).toEqual([
      expect.objectContaining({ cidr_block: "0.0.0.0/0", gateway_id: igw.InternetGatewayId, nat_gateway_id: "" }),
    ]);
  });

  it("the instance is reachable over SSH through the sandbox, as `ssh` in the REPL checks it", async () => {
    const s = await state();
    const id = s.get("aws_instance.web")!.values.id as string;
    const session = await ssh(id);
    expect(session).toMatchObject({ Host: s.get("aws_instance.web")!.values.public_ip, User: "ec2-user" });
    const out = await ws.call<{ Output: string }>("GuestRun", { InstanceId: id, Command: "hostname" });
    expect(out.Output.trim()).toMatch(/^ip-10-0-1-\d+/);
  });

  it("a second plan has no changes", async () => {
    await expectNoChanges(p);
  });

  it("without the route to the internet gateway the instance is unreachable; the route back, reachable again", async () => {
    const id = (await state()).get("aws_instance.web")!.values.id as string;
    write({ internetRoute: false });
    const plan = await p.plan(["-out=tfplan"]);
    expect(plan.stdout).toContain("# aws_route_table.public will be updated in-place");
    expect(plan.stdout).toContain("Plan: 0 to add, 1 to change, 0 to destroy.");
    await p.applyPlan("tfplan");
    const refused = await ssh(id).catch((e: Error & { code?: string }) => e);
    expect(refused).toBeInstanceOf(Error);
    expect((refused as Error).message).toMatch(/route/i);
    write();
    await p.apply();
    expect((await ssh(id)).Host).toBe((await describeInstance(p.ec2, id)).PublicIpAddress);
  });

  it("every resource, removed from state and imported back, plans no changes", async () => {
    // Not the key pair: EC2 does not give its public key back, so hashicorp/aws documents that an
    // imported aws_key_pair is replaced on the next apply.
    const ids = importIds(await state()).filter(([a]) => a !== "aws_key_pair.deployer");
    expect(ids.map(([a]) => a).sort()).toEqual([
      "aws_instance.web",
      "aws_internet_gateway.gw",
      "aws_route_table.public",
      "aws_route_table_association.public",
      "aws_security_group.web",
      "aws_subnet.public",
      "aws_vpc.main",
      "aws_vpc_security_group_egress_rule.all",
      "aws_vpc_security_group_ingress_rule.ssh",
    ]);
    await expectImportsBackUnchanged(p, ids);
  });

  it("destroy removes it all, the VPC last", async () => {
    const vpcId = (await state()).get("aws_vpc.main")!.values.id as string;
    const destroy = await p.destroy();
    expect(destroy.stdout).toContain("Destroy complete! Resources: 10 destroyed.");
    const gone = await p.ec2.send(new DescribeVpcsCommand({ VpcIds: [vpcId] })).catch((e: Error) => e);
    expect((gone as Error).name).toBe("InvalidVpcID.NotFound");
  });
});

/**
 * A launch-template-based instance written as hashicorp/aws documents it (aws_launch_template with
 * metadata options and tag specifications, aws_instance with `launch_template {}` naming its latest
 * version and no AMI or type of its own) in a private subnet that goes out through a NAT gateway with its Elastic IP, with a
 * second interface of its own attached; the data sources aws_launch_template and aws_network_interface.
 */
const TEMPLATE_CONFIG = `provider "aws" {
  region = "us-east-1"
}

data "aws_ami" "al2023" {
  most_recent = true
  owners      = ["amazon"]

  filter {
    name   = "name"
    values = ["al2023-ami-2023*-x86_64"]
  }
}

resource "aws_vpc" "app" {
  cidr_block = "10.2.0.0/16"
}

resource "aws_subnet" "public" {
  vpc_id                  = aws_vpc.app.id
  cidr_block              = "10.2.1.0/24"
  availability_zone       = "us-east-1a"
  map_public_ip_on_launch = true
}

resource "aws_subnet" "private" {
  vpc_id            = aws_vpc.app.id
  cidr_block        = "10.2.2.0/24"
  availability_zone = "us-east-1a"
}

resource "aws_internet_gateway" "gw" {
  vpc_id = aws_vpc.app.id
}

resource "aws_eip" "nat" {
  domain = "vpc"
}

resource "aws_nat_gateway" "nat" {
  allocation_id = aws_eip.nat.id
  subnet_id     = aws_subnet.public.id

  tags = {
    Name = "gw NAT"
  }

  # To ensure proper ordering, it is recommended to add an explicit dependency
  # on the Internet Gateway for the VPC.
  depends_on = [aws_internet_gateway.gw]
}

resource "aws_route_table" "private" {
  vpc_id = aws_vpc.app.id

  route {
    cidr_block     = "0.0.0.0/0"
    nat_gateway_id = aws_nat_gateway.nat.id
  }
}

resource "aws_route_table_association" "private" {
  subnet_id      = aws_subnet.private.id
  route_table_id = aws_route_table.private.id
}

resource "aws_security_group" "app" {
  name   = "app"
  vpc_id = aws_vpc.app.id
}

resource "aws_launch_template" "app" {
  name                   = "app"
  image_id               = data.aws_ami.al2023.id
  instance_type          = "t3.micro"
  vpc_security_group_ids = [aws_security_group.app.id]

  metadata_options {
    http_endpoint = "enabled"
    http_tokens   = "required"
  }

  tag_specifications {
    resource_type = "instance"

    tags = {
      Name = "from-template"
    }
  }
}

resource "aws_instance" "app" {
  subnet_id = aws_subnet.private.id

  launch_template {
    id      = aws_launch_template.app.id
    version = aws_launch_template.app.latest_version
  }

  # As with hashicorp/aws, tags the template gave the instance read back as the instance's own:
  # configured here too, or the next plan would remove them.
  tags = {
    Name = "from-template"
  }
}

resource "aws_network_interface" "admin" {
  subnet_id         = aws_subnet.private.id
  security_groups   = [aws_security_group.app.id]
  private_ips_count = 1
  description       = "admin"
}

resource "aws_network_interface_attachment" "admin" {
  instance_id          = aws_instance.app.id
  network_interface_id = aws_network_interface.admin.id
  device_index         = 1
}

data "aws_launch_template" "app" {
  name = aws_launch_template.app.name
}

data "aws_network_interface" "admin" {
  id = aws_network_interface_attachment.admin.network_interface_id
}

output "template_image" {
  value = data.aws_launch_template.app.image_id
}

output "admin_instance" {
  value = data.aws_network_interface.admin.attachment[0].instance_id
}
`;

describe("terraform: an instance from a launch template, behind a NAT gateway, with a second interface", () => {
  let w: Workdir;
  const state = () => w.state();

  beforeAll(async () => {
    w = p.workdir("network-template", { mainTf: TEMPLATE_CONFIG });
    await w.init();
  });

  it("apply launches the instance from the template (its AMI, type, groups, tags), the NAT gateway and interface", async () => {
    const apply = await w.apply();
    expect(apply.stdout).toContain("Apply complete! Resources: 13 added, 0 changed, 0 destroyed.");
    const s = await state();
    const v = (a: string) => s.get(a)!.values;
    const inst = await describeInstance(p.ec2, v("aws_instance.app").id);
    expect(inst).toMatchObject({
      ImageId: v("data.aws_ami.al2023").id,
      InstanceType: "t3.micro",
      SubnetId: v("aws_subnet.private").id,
      SecurityGroups: [expect.objectContaining({ GroupId: v("aws_security_group.app").id })],
      MetadataOptions: expect.objectContaining({ HttpTokens: "required" }),
    });
    expect(inst.PublicIpAddress).toBeUndefined();
    const tags = Object.fromEntries((inst.Tags ?? []).map((x) => [x.Key, x.Value]));
    expect(tags).toMatchObject({
      Name: "from-template",
      "aws:ec2launchtemplate:id": v("aws_launch_template.app").id,
      "aws:ec2launchtemplate:version": "1",
    });
    expect(v("aws_instance.app")).toMatchObject({
      ami: v("data.aws_ami.al2023").id,
      instance_type: "t3.micro",
      launch_template: [{ id: v("aws_launch_template.app").id, name: "app", version: "1" }],
    });
    // The second interface is device 1 of the instance; the NAT gateway holds the Elastic IP.
    const eni = inst.NetworkInterfaces?.find((n) => n.Attachment?.DeviceIndex === 1);
    expect(eni).toMatchObject({ NetworkInterfaceId: v("aws_network_interface.admin").id, Description: "admin" });
    expect(eni!.PrivateIpAddresses).toHaveLength(2);
    expect(v("aws_nat_gateway.nat")).toMatchObject({
      allocation_id: v("aws_eip.nat").id,
      public_ip: v("aws_eip.nat").public_ip,
      connectivity_type: "public",
    });
    // The data sources read the template and the interface back.
    expect(v("data.aws_launch_template.app")).toMatchObject({
      id: v("aws_launch_template.app").id,
      image_id: v("data.aws_ami.al2023").id,
      instance_type: "t3.micro",
    });
    expect(v("data.aws_network_interface.admin")).toMatchObject({
      subnet_id: v("aws_subnet.private").id,
      description: "admin",
    });
    expect(v("data.aws_network_interface.admin").attachment).toEqual([
      expect.objectContaining({ instance_id: inst.InstanceId, device_index: 1 }),
    ]);
  }, 300_000);

  it("a second plan has no changes", async () => {
    await expectNoChanges(w);
  });

  it("every resource, removed from state and imported back by hashicorp/aws's IDs, plans no changes", async () => {
    const s = await state();
    const ids: [string, string][] = [...s]
      .filter(([a]) => !a.startsWith("data."))
      .map(([a, r]) => [
        a,
        r.type === "aws_route_table_association"
          ? `${r.values.subnet_id}/${r.values.route_table_id}`
          : r.type === "aws_network_interface_attachment"
            ? (r.values.attachment_id as string)
            : (r.values.id as string),
      ]);
    expect(ids.map(([a]) => a).sort()).toEqual([
      "aws_eip.nat",
      "aws_instance.app",
      "aws_internet_gateway.gw",
      "aws_launch_template.app",
      "aws_nat_gateway.nat",
      "aws_network_interface.admin",
      "aws_network_interface_attachment.admin",
      "aws_route_table.private",
      "aws_route_table_association.private",
      "aws_security_group.app",
      "aws_subnet.private",
      "aws_subnet.public",
      "aws_vpc.app",
    ]);
    await expectImportsBackUnchanged(w, ids);
  }, 300_000);

  it("destroy removes it all: the instance, its interface, the NAT gateway, the template, the VPC", async () => {
    const s = await state();
    const vpcId = s.get("aws_vpc.app")!.values.id as string;
    const ltId = s.get("aws_launch_template.app")!.values.id as string;
    const destroy = await w.destroy();
    expect(destroy.stdout).toContain("Destroy complete! Resources: 13 destroyed.");
    const gone = await p.ec2.send(new DescribeVpcsCommand({ VpcIds: [vpcId] })).catch((e: Error) => e);
    expect((gone as Error).name).toBe("InvalidVpcID.NotFound");
    const lt = await p.ec2
      .send(new DescribeLaunchTemplatesCommand({ LaunchTemplateIds: [ltId] }))
      .catch((e: Error) => e);
    expect((lt as Error).name).toBe("InvalidLaunchTemplateId.NotFound");
  }, 300_000);
});
