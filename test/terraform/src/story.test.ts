/**
 * The seeds' story through the real terraform CLI and the provider plugin spawned the normal way
 * (filesystem mirror, go-plugin handshake, AutoMTLS), against a real `ec2sim serve` process:
 * Quick Start AMI lookup, key pair, security group (inline SSH + a separate HTTP rule), two
 * instances, an AMI from one of them, its copy in another region through an aliased provider,
 * a launch permission, a data volume attached and snapshotted, an Elastic IP. Then: a no-change
 * plan, an in-place update (instance type: stop/modify/start; tags), a replacement (AMI), import
 * of an instance made through the AWS SDK, drift made through the SDK, destroy, and
 * `terraform show -json`. No keys and no endpoint in the configuration: the plugin finds the
 * sandbox through EC2SIM_ENDPOINT and takes its default account's keys from the admin API.
 */

import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import {
  CreateTagsCommand,
  DeleteSnapshotCommand,
  DescribeAddressesCommand,
  DescribeImageAttributeCommand,
  DescribeImagesCommand,
  DescribeInstancesCommand,
  DescribeKeyPairsCommand,
  DescribeSecurityGroupsCommand,
  DescribeSnapshotsCommand,
  DescribeVolumesCommand,
  type EC2Client,
  ModifyInstanceAttributeCommand,
  RunInstancesCommand,
} from "@aws-sdk/client-ec2";
import { ACCOUNT_B as B_ACCOUNT } from "@ec2sim/test-harness";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { describeInstance, expectNoChanges, ID, ok, resourcesOf, sshPublicKey, terraformProject } from "./harness.ts";

interface StoryOptions {
  appType: string;
  /** HCL expression of the app instance's AMI. */
  appAmi: string;
  webTags: Record<string, string>;
  imported?: boolean;
}

function storyConfig(publicKey: string, o: StoryOptions): string {
  const tags = (t: Record<string, string>) =>
    `{ ${Object.entries(t)
      .map(([k, v]) => `${k} = ${JSON.stringify(v)}`)
      .join(", ")} }`;
  return `terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "6.25.0"
    }
  }
}

provider "aws" {
  region = "us-east-1"
}

provider "aws" {
  alias  = "west"
  region = "us-west-2"
}

# The Quick Start AMI: looked up by owner and name, never by ID.
data "aws_ami" "al2023" {
  most_recent = true
  owners      = ["amazon"]
  filter {
    name   = "name"
    values = ["al2023-ami-2023*-x86_64"]
  }
}

resource "aws_key_pair" "cat" {
  key_name   = "cat-photo"
  public_key = ${JSON.stringify(publicKey)}
}

resource "aws_security_group" "web" {
  name        = "cat-photo-web"
  description = "SSH and HTTP"
  ingress {
    description = "SSH"
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
  egress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }
  # HTTP comes from aws_vpc_security_group_ingress_rule.http: as with hashicorp/aws, inline rules
  # and rule resources on one group fight unless the inline side ignores the others.
  lifecycle {
    ignore_changes = [ingress]
  }
}

resource "aws_vpc_security_group_ingress_rule" "http" {
  security_group_id = aws_security_group.web.id
  description       = "HTTP"
  cidr_ipv4         = "0.0.0.0/0"
  from_port         = 80
  to_port           = 80
  ip_protocol       = "tcp"
}

resource "aws_instance" "web" {
  ami                    = data.aws_ami.al2023.id
  instance_type          = "t3.micro"
  key_name               = aws_key_pair.cat.key_name
  vpc_security_group_ids = [aws_security_group.web.id]
  tags                   = ${tags(o.webTags)}
}

resource "aws_instance" "app" {
  ami                    = ${o.appAmi}
  instance_type          = ${JSON.stringify(o.appType)}
  key_name               = aws_key_pair.cat.key_name
  vpc_security_group_ids = [aws_security_group.web.id]
  tags                   = { Name = "app" }
}

resource "aws_ami_from_instance" "cat" {
  name               = "cat-photo-app"
  description        = "web server with the cat photo app"
  source_instance_id = aws_instance.web.id
  tags               = { App = "cat-photo" }
}

resource "aws_ami_copy" "cat_west" {
  provider          = aws.west
  name              = "cat-photo-app"
  description       = "cat-photo-app from us-east-1"
  source_ami_id     = aws_ami_from_instance.cat.id
  source_ami_region = "us-east-1"
}

resource "aws_ami_launch_permission" "share" {
  image_id   = aws_ami_from_instance.cat.id
  account_id = "${B_ACCOUNT}"
}

resource "aws_ebs_volume" "data" {
  availability_zone = aws_instance.web.availability_zone
  size              = 10
  type              = "gp3"
  tags              = { Name = "cat-photos" }
}

resource "aws_volume_attachment" "data" {
  device_name = "/dev/sdf"
  volume_id   = aws_ebs_volume.data.id
  instance_id = aws_instance.web.id
  # Image the web server before the data volume is attached (an AMI images attached volumes too).
  depends_on = [aws_ami_from_instance.cat]
}

resource "aws_ebs_snapshot" "data" {
  volume_id   = aws_ebs_volume.data.id
  description = "cat photos"
  depends_on  = [aws_volume_attachment.data]
}

resource "aws_eip" "app" {
  domain = "vpc"
  tags   = { Name = "app" }
}

resource "aws_eip_association" "app" {
  allocation_id = aws_eip.app.id
  instance_id   = aws_instance.app.id
}
${
  o.imported
    ? `
resource "aws_instance" "imported" {
  ami           = data.aws_ami.al2023.id
  instance_type = "t3.nano"
  tags          = { Name = "made-outside" }
}
`
    : ""
}
output "app_public_ip" {
  value = aws_eip.app.public_ip
}

output "cat_ami" {
  value = aws_ami_from_instance.cat.id
}
`;
}

describe("terraform: the seeds' story against ec2sim serve (spawned plugin)", () => {
  const publicKey = sshPublicKey("cat@example.com");
  const story = (o: Partial<StoryOptions> = {}) =>
    storyConfig(publicKey, { appType: "t3.micro", appAmi: "data.aws_ami.al2023.id", webTags: { Name: "web" }, ...o });
  // init is the first test's subject.
  const p = terraformProject("story", { mainTf: story(), init: false });
  let ec2: EC2Client;
  let west: EC2Client;
  let ids: Record<string, string> = {};
  const times: Record<string, number> = {};
  const write = (o: Partial<StoryOptions> = {}) => p.write(story(o));
  const state = () => p.state();

  beforeAll(() => {
    ec2 = p.ec2;
    west = p.client("us-west-2");
  });
  afterAll(() => {
    console.log(
      `story timings (ms): ${Object.entries(times)
        .map(([k, v]) => `${k} ${v.toFixed(0)}`)
        .join(", ")}`,
    );
  });

  it("init installs hashicorp/aws 6.25.0 from the mirror; validate accepts the configuration", async () => {
    const init = await p.init();
    expect(init.stdout).toContain("Installed hashicorp/aws v6.25.0 (unauthenticated)");
    expect(readFileSync(join(p.dir, ".terraform.lock.hcl"), "utf8")).toMatch(
      /provider "registry.terraform.io\/hashicorp\/aws"[\s\S]*version\s+= "6\.25\.0"/,
    );
    const v = await p.run(["validate", "-no-color", "-json"]);
    const out = JSON.parse(v.stdout) as { valid: boolean; diagnostics: unknown[] };
    expect(out).toMatchObject({ valid: true, diagnostics: [] });
    times.init = init.ms;
    times.validate = v.ms;
  });

  it("plan reads the Quick Start AMI and plans every resource", async () => {
    const plan = await p.run(["plan", "-no-color", "-input=false", "-detailed-exitcode", "-out=tfplan"]);
    expect(plan.stderr).toBe("");
    expect(plan.status).toBe(2);
    expect(plan.stdout).toContain("Plan: 13 to add, 0 to change, 0 to destroy.");
    times.plan = plan.ms;
    const planned = await p.show<{
      prior_state: any;
      resource_changes: { address: string; change: { actions: string[]; after: any } }[];
    }>("tfplan");
    const ami = (planned.prior_state.values.root_module.resources as any[]).find(
      (r) => r.address === "data.aws_ami.al2023",
    );
    expect(ami.values.name).toMatch(/^al2023-ami-2023\.[\d.]+-kernel-[\d.]+-x86_64$/);
    expect(ami.values.owner_id).toBe("137112412989");
    expect(ami.values.image_owner_alias).toBe("amazon");
    expect(ami.values.id).toMatch(ID("ami"));
    const byAddr = new Map(planned.resource_changes.map((c) => [c.address, c.change]));
    expect([...byAddr.values()].every((c) => c.actions.join() === "create")).toBe(true);
    expect(byAddr.get("aws_instance.web")!.after).toMatchObject({
      ami: ami.values.id,
      instance_type: "t3.micro",
      key_name: "cat-photo",
      region: "us-east-1",
    });
    expect(byAddr.get("aws_ami_copy.cat_west")!.after).toMatchObject({
      region: "us-west-2",
      source_ami_region: "us-east-1",
    });
  });

  it("apply creates everything; EC2 shows it through the AWS SDK", async () => {
    const apply = await p.run(["apply", "-no-color", "-input=false", "tfplan"]);
    ok(apply, "apply");
    expect(apply.stdout).toContain("Apply complete! Resources: 13 added, 0 changed, 0 destroyed.");
    times.apply = apply.ms;
    const s = await state();
    const v = (addr: string) => s.get(addr)!.values;
    ids = {
      web: v("aws_instance.web").id,
      app: v("aws_instance.app").id,
      cat: v("aws_ami_from_instance.cat").id,
      west: v("aws_ami_copy.cat_west").id,
      sg: v("aws_security_group.web").id,
      vol: v("aws_ebs_volume.data").id,
      snap: v("aws_ebs_snapshot.data").id,
      eip: v("aws_eip.app").id,
      al2023: v("data.aws_ami.al2023").id,
    };

    const web = await describeInstance(ec2, ids.web!);
    expect(web).toMatchObject({
      State: { Name: "running" },
      InstanceType: "t3.micro",
      ImageId: ids.al2023,
      KeyName: "cat-photo",
    });
    expect(web.SecurityGroups?.map((g) => g.GroupId)).toEqual([ids.sg]);
    expect(web.Tags).toEqual([{ Key: "Name", Value: "web" }]);
    expect(web.BlockDeviceMappings?.map((m) => m.DeviceName).sort()).toEqual(["/dev/sdf", "/dev/xvda"]);

    const sg = (await ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [ids.sg!] }))).SecurityGroups![0]!;
    expect(sg.IpPermissions?.map((p) => [p.IpProtocol, p.FromPort, p.ToPort]).sort()).toEqual([
      ["tcp", 22, 22],
      ["tcp", 80, 80],
    ]);

    const cat = (await ec2.send(new DescribeImagesCommand({ ImageIds: [ids.cat!] }))).Images![0]!;
    expect(cat).toMatchObject({
      State: "available",
      Name: "cat-photo-app",
      OwnerId: p.A.accountId,
      Tags: [{ Key: "App", Value: "cat-photo" }],
    });
    const copy = (await west.send(new DescribeImagesCommand({ ImageIds: [ids.west!] }))).Images![0]!;
    expect(copy).toMatchObject({
      State: "available",
      Name: "cat-photo-app",
      Description: "cat-photo-app from us-east-1",
    });
    const perms = await ec2.send(
      new DescribeImageAttributeCommand({ ImageId: ids.cat, Attribute: "launchPermission" }),
    );
    expect(perms.LaunchPermissions).toEqual([{ UserId: B_ACCOUNT }]);
    // Account B sees the shared AMI.
    const bSees = await p.client("us-east-1", p.B).send(new DescribeImagesCommand({ ExecutableUsers: ["self"] }));
    expect(bSees.Images?.map((i) => i.ImageId)).toEqual([ids.cat]);

    const vol = (await ec2.send(new DescribeVolumesCommand({ VolumeIds: [ids.vol!] }))).Volumes![0]!;
    expect(vol).toMatchObject({
      State: "in-use",
      Size: 10,
      VolumeType: "gp3",
      Attachments: [{ InstanceId: ids.web, Device: "/dev/sdf", State: "attached" }],
    });
    const snap = (await ec2.send(new DescribeSnapshotsCommand({ SnapshotIds: [ids.snap!] }))).Snapshots![0]!;
    expect(snap).toMatchObject({ State: "completed", VolumeId: ids.vol, Description: "cat photos", VolumeSize: 10 });

    const eip = (await ec2.send(new DescribeAddressesCommand({ AllocationIds: [ids.eip!] }))).Addresses![0]!;
    expect(eip.InstanceId).toBe(ids.app);
    const out = JSON.parse((await p.run(["output", "-json"])).stdout) as Record<string, { value: string }>;
    expect(out.app_public_ip!.value).toBe(eip.PublicIp);
    expect(out.cat_ami!.value).toBe(ids.cat);
    expect((await describeInstance(ec2, ids.app!)).PublicIpAddress).toBe(eip.PublicIp);
  });

  it("a second plan has no changes (exit 0)", async () => {
    const plan = await p.run(["plan", "-no-color", "-input=false", "-detailed-exitcode"]);
    expect(plan.stderr).toBe("");
    expect(plan.stdout).toContain("No changes. Your infrastructure matches the configuration.");
    expect(plan.status).toBe(0);
    times.noChangePlan = plan.ms;
  });

  it("show -json: every resource and the data source, structurally", async () => {
    const show = await p.show();
    expect(show.format_version).toMatch(/^1\.\d+$/);
    expect(show.terraform_version).toMatch(/^1\.\d+\.\d+/);
    expect(Object.keys(show.values!.outputs!).sort()).toEqual(["app_public_ip", "cat_ami"]);
    const resources = show.values!.root_module.resources!;
    expect(resources.map((r) => r.address).sort()).toEqual(
      [
        "aws_ami_copy.cat_west",
        "aws_ami_from_instance.cat",
        "aws_ami_launch_permission.share",
        "aws_ebs_snapshot.data",
        "aws_ebs_volume.data",
        "aws_eip.app",
        "aws_eip_association.app",
        "aws_instance.app",
        "aws_instance.web",
        "aws_key_pair.cat",
        "aws_security_group.web",
        "aws_volume_attachment.data",
        "aws_vpc_security_group_ingress_rule.http",
        "data.aws_ami.al2023",
      ].sort(),
    );
    for (const r of resources) {
      expect(r.provider_name).toBe("registry.terraform.io/hashicorp/aws");
      expect(r.mode).toBe(r.address.startsWith("data.") ? "data" : "managed");
      expect(typeof r.values.id).toBe("string");
      expect(r.values.region).toBe(r.address === "aws_ami_copy.cat_west" ? "us-west-2" : "us-east-1");
    }
    const s = resourcesOf(show);
    const web = s.get("aws_instance.web")!.values;
    expect(web).toMatchObject({
      id: expect.stringMatching(ID("i")),
      arn: `arn:aws:ec2:us-east-1:${p.A.accountId}:instance/${web.id}`,
      instance_state: "running",
      instance_type: "t3.micro",
      availability_zone: expect.stringMatching(/^us-east-1[a-f]$/),
      private_ip: expect.stringMatching(/^\d+\.\d+\.\d+\.\d+$/),
      public_ip: expect.stringMatching(/^\d+\.\d+\.\d+\.\d+$/),
      tags: { Name: "web" },
      tags_all: { Name: "web" },
      vpc_security_group_ids: [ids.sg],
    });
    expect(web.root_block_device).toEqual([
      expect.objectContaining({
        device_name: "/dev/xvda",
        volume_id: expect.stringMatching(ID("vol")),
        delete_on_termination: true,
      }),
    ]);
    expect(s.get("aws_ami_from_instance.cat")!.values).toMatchObject({
      arn: `arn:aws:ec2:us-east-1::image/${ids.cat}`,
      owner_id: p.A.accountId,
      source_instance_id: ids.web,
      root_device_name: "/dev/xvda",
      manage_ebs_snapshots: true,
      ebs_block_device: [
        expect.objectContaining({ device_name: "/dev/xvda", snapshot_id: expect.stringMatching(ID("snap")) }),
      ],
    });
    expect(s.get("aws_ami_copy.cat_west")!.values).toMatchObject({
      arn: `arn:aws:ec2:us-west-2::image/${ids.west}`,
      source_ami_id: ids.cat,
    });
    expect(s.get("aws_ami_launch_permission.share")!.values).toMatchObject({
      id: `${B_ACCOUNT}/${ids.cat}`,
      account_id: B_ACCOUNT,
      image_id: ids.cat,
    });
    expect(s.get("aws_key_pair.cat")!.values).toMatchObject({
      key_name: "cat-photo",
      key_type: "ed25519",
      key_pair_id: expect.stringMatching(ID("key")),
      fingerprint: expect.any(String),
    });
    expect(s.get("aws_volume_attachment.data")!.values).toMatchObject({
      id: expect.stringMatching(/^vai-\d+$/),
      device_name: "/dev/sdf",
      volume_id: ids.vol,
      instance_id: ids.web,
    });
    expect(s.get("aws_eip.app")!.values).toMatchObject({
      domain: "vpc",
      allocation_id: ids.eip,
      public_ip: expect.stringMatching(/^\d+\.\d+\.\d+\.\d+$/),
    });
    expect(s.get("aws_eip_association.app")!.values).toMatchObject({
      id: expect.stringMatching(ID("eipassoc")),
      allocation_id: ids.eip,
      instance_id: ids.app,
    });
    expect(s.get("aws_vpc_security_group_ingress_rule.http")!.values).toMatchObject({
      id: expect.stringMatching(ID("sgr")),
      from_port: 80,
      to_port: 80,
      ip_protocol: "tcp",
      cidr_ipv4: "0.0.0.0/0",
    });
    // State as the apply left it: the HTTP rule resource was created after the group was read.
    expect(s.get("aws_security_group.web")!.values.ingress).toEqual([
      expect.objectContaining({ description: "SSH", from_port: 22, to_port: 22, protocol: "tcp" }),
    ]);
  });

  it("an instance type change updates in place (stop, modify, start) and tags change in place", async () => {
    // EC2 refuses to change the type of a running instance: terraform has to stop it first.
    const refused = await ec2
      .send(new ModifyInstanceAttributeCommand({ InstanceId: ids.app, InstanceType: { Value: "t3.small" } }))
      .catch((e: Error) => e);
    expect((refused as Error).name).toBe("IncorrectInstanceState");

    write({ appType: "t3.small", webTags: { Name: "web", Env: "prod" } });
    const plan = await p.plan(["-out=tfplan"]);
    expect(plan.status).toBe(2);
    expect(plan.stdout).toContain("# aws_instance.app will be updated in-place");
    expect(plan.stdout).toMatch(/~ instance_type\s+= "t3\.micro" -> "t3\.small"/);
    expect(plan.stdout).toContain("# aws_instance.web will be updated in-place");
    expect(plan.stdout).toMatch(/\+ "Env"\s+= "prod"/);
    expect(plan.stdout).toContain("Plan: 0 to add, 2 to change, 0 to destroy.");
    const apply = await p.applyPlan("tfplan");
    expect(apply.stdout).toContain("Apply complete! Resources: 0 added, 2 changed, 0 destroyed.");
    times.applyUpdate = apply.ms;
    const app = await describeInstance(ec2, ids.app!);
    expect(app).toMatchObject({ InstanceId: ids.app, InstanceType: "t3.small", State: { Name: "running" } });
    const eip = (await ec2.send(new DescribeAddressesCommand({ AllocationIds: [ids.eip!] }))).Addresses![0]!;
    expect(app.PublicIpAddress).toBe(eip.PublicIp); // an Elastic IP survives stop/start
    expect((await describeInstance(ec2, ids.web!)).Tags?.sort((a, b) => a.Key!.localeCompare(b.Key!))).toEqual([
      { Key: "Env", Value: "prod" },
      { Key: "Name", Value: "web" },
    ]);
    await expectNoChanges(p);
  });

  it("an AMI change replaces the instance (and its EIP association)", async () => {
    write({ appType: "t3.small", appAmi: "aws_ami_from_instance.cat.id", webTags: { Name: "web", Env: "prod" } });
    const plan = await p.plan(["-out=tfplan"]);
    expect(plan.status).toBe(2);
    expect(plan.stdout).toContain("# aws_instance.app must be replaced");
    expect(plan.stdout).toMatch(/~ ami\s+= "ami-[0-9a-f]{17}" -> "ami-[0-9a-f]{17}" # forces replacement/);
    expect(plan.stdout).toContain("# aws_eip_association.app must be replaced");
    expect(plan.stdout).toContain("Plan: 2 to add, 0 to change, 2 to destroy.");
    const apply = await p.applyPlan("tfplan");
    expect(apply.stdout).toContain("Apply complete! Resources: 2 added, 0 changed, 2 destroyed.");
    times.applyReplace = apply.ms;
    const s = await state();
    const newApp = s.get("aws_instance.app")!.values.id as string;
    expect(newApp).not.toBe(ids.app);
    expect((await describeInstance(ec2, ids.app!)).State?.Name).toMatch(/^(shutting-down|terminated)$/);
    expect(await describeInstance(ec2, newApp)).toMatchObject({
      ImageId: ids.cat,
      InstanceType: "t3.small",
      State: { Name: "running" },
    });
    expect(
      (await ec2.send(new DescribeAddressesCommand({ AllocationIds: [ids.eip!] }))).Addresses![0]!.InstanceId,
    ).toBe(newApp);
    ids.app = newApp;
  });

  it("import adopts an instance made through the AWS SDK; the next plan has no changes", async () => {
    const run = await ec2.send(
      new RunInstancesCommand({
        ImageId: ids.al2023,
        InstanceType: "t3.nano",
        MinCount: 1,
        MaxCount: 1,
        TagSpecifications: [{ ResourceType: "instance", Tags: [{ Key: "Name", Value: "made-outside" }] }],
      }),
    );
    const id = run.Instances![0]!.InstanceId!;
    write({
      appType: "t3.small",
      appAmi: "aws_ami_from_instance.cat.id",
      webTags: { Name: "web", Env: "prod" },
      imported: true,
    });
    const imp = await p.run(["import", "-no-color", "-input=false", "aws_instance.imported", id]);
    ok(imp, "import");
    expect(imp.stdout).toContain("aws_instance.imported: Import prepared!");
    expect(imp.stdout).toContain("Import successful!");
    const s = await state();
    expect(s.get("aws_instance.imported")!.values).toMatchObject({
      id,
      ami: ids.al2023,
      instance_type: "t3.nano",
      tags: { Name: "made-outside" },
    });
    await expectNoChanges(p);
  });

  it("drift made through the AWS SDK shows in plan (exit 2); apply puts it back", async () => {
    await ec2.send(new CreateTagsCommand({ Resources: [ids.web!], Tags: [{ Key: "Name", Value: "renamed-by-hand" }] }));
    await ec2.send(new DeleteSnapshotCommand({ SnapshotId: ids.snap }));
    const plan = await p.plan(["-out=tfplan"]);
    expect(plan.stderr).toBe("");
    expect(plan.status).toBe(2);
    expect(plan.stdout).toContain("# aws_instance.web will be updated in-place");
    expect(plan.stdout).toMatch(/~ "Name"\s+= "renamed-by-hand" -> "web"/);
    expect(plan.stdout).toContain("# aws_ebs_snapshot.data will be created");
    expect(plan.stdout).toContain("Plan: 1 to add, 1 to change, 0 to destroy.");
    const _apply = await p.applyPlan("tfplan");
    expect((await describeInstance(ec2, ids.web!)).Tags?.find((x) => x.Key === "Name")?.Value).toBe("web");
    const snaps = await ec2.send(
      new DescribeSnapshotsCommand({ OwnerIds: ["self"], Filters: [{ Name: "volume-id", Values: [ids.vol!] }] }),
    );
    expect(snaps.Snapshots?.map((x) => x.State)).toEqual(["completed"]);
  });

  it("destroy removes everything it made, in both regions", async () => {
    const destroy = await p.run(["destroy", "-no-color", "-input=false", "-auto-approve"]);
    ok(destroy, "destroy");
    expect(destroy.stdout).toContain("Destroy complete! Resources: 14 destroyed.");
    times.destroy = destroy.ms;
    const live =
      (
        await ec2.send(
          new DescribeInstancesCommand({
            Filters: [{ Name: "instance-state-name", Values: ["pending", "running", "stopping", "stopped"] }],
          }),
        )
      ).Reservations ?? [];
    expect(live.flatMap((r) => r.Instances ?? [])).toEqual([]);
    expect((await ec2.send(new DescribeImagesCommand({ Owners: ["self"] }))).Images).toEqual([]);
    expect((await west.send(new DescribeImagesCommand({ Owners: ["self"] }))).Images).toEqual([]);
    expect((await ec2.send(new DescribeSnapshotsCommand({ OwnerIds: ["self"] }))).Snapshots).toEqual([]);
    expect((await west.send(new DescribeSnapshotsCommand({ OwnerIds: ["self"] }))).Snapshots).toEqual([]);
    expect((await ec2.send(new DescribeVolumesCommand({}))).Volumes?.filter((v) => v.State !== "deleted")).toEqual([]);
    expect((await ec2.send(new DescribeAddressesCommand({}))).Addresses).toEqual([]);
    expect((await ec2.send(new DescribeKeyPairsCommand({}))).KeyPairs).toEqual([]);
    expect(
      (
        await ec2.send(
          new DescribeSecurityGroupsCommand({ Filters: [{ Name: "group-name", Values: ["cat-photo-web"] }] }),
        )
      ).SecurityGroups,
    ).toEqual([]);
    expect([...(await p.state()).keys()]).toEqual([]);
    expect(existsSync(join(p.dir, "terraform.tfstate"))).toBe(true);
  });
});
