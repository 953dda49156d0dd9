/**
 * The data sources and resources configurations written elsewhere reach for beside the core EC2 ones,
 * through the real terraform CLI and the spawned plugin against `ec2sim serve`: instance type facts
 * and offerings, one Availability Zone, the regions, the provider's default tags, an EBS volume and
 * snapshot looked up, a snapshot copied to another region and shared, a tag on a resource terraform
 * does not manage, an instance kept stopped, an Elastic IP looked up. Then a clean re-plan, import of
 * the importable ones, and destroy.
 */

import { writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  DescribeInstancesCommand,
  DescribeSnapshotAttributeCommand,
  DescribeSnapshotsCommand,
  DescribeTagsCommand,
  type EC2Client,
} from "@aws-sdk/client-ec2";
import { accountsOf, type ServerProcess, sdkClient, startServer } from "@ec2sim/test-harness";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  importBack,
  prepareTerraform,
  requireTerraform,
  resourcesOf,
  showJson,
  type Terraform,
  type TfResult,
} from "./harness.ts";

const B_ACCOUNT = "444455556666";

const config = `terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = "~> 6.0" }
  }
}

provider "aws" {
  region = "us-east-1"
  default_tags {
    tags = { Project = "compat" }
  }
}

data "aws_ec2_instance_type" "small" {
  instance_type = "t3.micro"
}

data "aws_ec2_instance_types" "graviton_burstable" {
  filter {
    name   = "instance-type"
    values = ["t4g.*"]
  }
}

data "aws_ec2_instance_type_offerings" "where" {
  location_type = "availability-zone"
  filter {
    name   = "instance-type"
    values = ["t3.micro"]
  }
}

data "aws_availability_zone" "a" {
  name = "us-east-1a"
}

data "aws_regions" "all" {}

data "aws_default_tags" "current" {}

data "aws_vpc" "default" {
  default = true
}

data "aws_ami" "al2023" {
  most_recent = true
  owners      = ["amazon"]
  filter {
    name   = "name"
    values = ["al2023-ami-2023*-x86_64"]
  }
}

resource "aws_instance" "batch" {
  ami               = data.aws_ami.al2023.id
  instance_type     = data.aws_ec2_instance_type.small.instance_type
  availability_zone = data.aws_availability_zone.a.name
}

resource "aws_instance" "spot" {
  ami           = data.aws_ami.al2023.id
  instance_type = "t3.micro"
  instance_market_options {
    market_type = "spot"
    spot_options {
      max_price = "0.0052"
    }
  }
}

resource "aws_ec2_instance_state" "batch" {
  instance_id = aws_instance.batch.id
  state       = "stopped"
}

resource "aws_ebs_volume" "data" {
  availability_zone = data.aws_availability_zone.a.name
  size              = 2
  tags              = { Name = "data" }
}

resource "aws_ebs_snapshot" "data" {
  volume_id = aws_ebs_volume.data.id
}

resource "aws_ebs_snapshot_copy" "west" {
  region             = "us-west-2"
  source_snapshot_id = aws_ebs_snapshot.data.id
  source_region      = "us-east-1"
  description        = "disaster recovery copy"
}

resource "aws_snapshot_create_volume_permission" "partner" {
  snapshot_id = aws_ebs_snapshot.data.id
  account_id  = "${B_ACCOUNT}"
}

resource "aws_ec2_tag" "owner" {
  resource_id = data.aws_vpc.default.id
  key         = "Owner"
  value       = "platform-team"
}

resource "aws_eip" "ip" {
  domain = "vpc"
}

data "aws_eip" "by_ip" {
  public_ip = aws_eip.ip.public_ip
}

data "aws_ebs_volume" "data" {
  most_recent = true
  filter {
    name   = "volume-id"
    values = [aws_ebs_volume.data.id]
  }
}

data "aws_ebs_snapshot" "data" {
  most_recent  = true
  owners       = ["self"]
  snapshot_ids = [aws_ebs_snapshot.data.id]
}

data "aws_ebs_snapshot_ids" "mine" {
  owners     = ["self"]
  depends_on = [aws_ebs_snapshot.data]
}
`;

const ok = (r: TfResult, what: string) => {
  if (r.status !== 0) throw new Error(`terraform ${what} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  expect(r.stderr).toBe("");
};

describe("terraform: the wider EC2 data sources and resources (spawned plugin)", () => {
  let server: ServerProcess;
  let t: Terraform;
  let dir: string;
  let ec2: EC2Client;
  let west: EC2Client;

  beforeAll(async () => {
    requireTerraform();
    server = await startServer({ speed: 200 });
    const [A] = await accountsOf(server.url);
    ec2 = sdkClient(server.url, A);
    west = sdkClient(server.url, A, "us-west-2");
    t = await prepareTerraform({ EC2SIM_ENDPOINT: server.url });
    dir = t.workdir("compat-types");
    writeFileSync(join(dir, "main.tf"), config);
  });
  afterAll(async () => {
    await server?.stop();
    t?.remove();
  });

  it("apply reads every data source and makes every resource; EC2 shows them through the SDK", {
    timeout: 300_000,
  }, async () => {
    ok(await t.run(dir, ["init", "-no-color", "-input=false"]), "init");
    ok(await t.run(dir, ["validate", "-no-color"]), "validate");
    ok(await t.run(dir, ["apply", "-no-color", "-input=false", "-auto-approve"]), "apply");
    const s = resourcesOf(await showJson(t, dir));
    const v = (address: string) => s.get(address)!.values;

    expect(v("data.aws_ec2_instance_type.small")).toMatchObject({
      instance_type: "t3.micro",
      default_vcpus: 2,
      memory_size: 1024,
      supported_architectures: ["x86_64"],
      burstable_performance_supported: true,
    });
    const graviton = v("data.aws_ec2_instance_types.graviton_burstable").instance_types as string[];
    expect(graviton).toContain("t4g.micro");
    expect(graviton.every((x) => x.startsWith("t4g."))).toBe(true);
    const where = v("data.aws_ec2_instance_type_offerings.where");
    expect(where.locations).toContain("us-east-1a");
    expect(new Set(where.location_types)).toEqual(new Set(["availability-zone"]));
    expect(v("data.aws_availability_zone.a")).toMatchObject({
      name: "us-east-1a",
      name_suffix: "a",
      region: "us-east-1",
      state: "available",
      zone_type: "availability-zone",
    });
    expect(v("data.aws_availability_zone.a").zone_id).toMatch(/^use1-az\d$/);
    expect(v("data.aws_regions.all").names).toEqual(
      expect.arrayContaining(["us-east-1", "eu-west-1", "ap-southeast-2"]),
    );
    expect(v("data.aws_default_tags.current").tags).toEqual({ Project: "compat" });

    // The instance is kept stopped by aws_ec2_instance_state.
    const instanceId = v("aws_instance.batch").id as string;
    const inst = (await ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }))).Reservations![0]!
      .Instances![0]!;
    expect(inst.State?.Name).toBe("stopped");
    expect(v("aws_ec2_instance_state.batch")).toMatchObject({ id: instanceId, state: "stopped" });

    // A Spot Instance through instance_market_options: EC2 reports its lifecycle and request.
    const spot = v("aws_instance.spot");
    const spotInst = (await ec2.send(new DescribeInstancesCommand({ InstanceIds: [spot.id] }))).Reservations![0]!
      .Instances![0]!;
    expect(spotInst.InstanceLifecycle).toBe("spot");
    expect(spot).toMatchObject({
      instance_lifecycle: "spot",
      spot_instance_request_id: spotInst.SpotInstanceRequestId,
    });
    expect(spot.instance_market_options).toEqual([
      {
        market_type: "spot",
        spot_options: [
          {
            instance_interruption_behavior: "terminate",
            max_price: "0.0052",
            spot_instance_type: "one-time",
            valid_until: "",
          },
        ],
      },
    ]);

    // The snapshot, its copy in us-west-2 and the partner's permission.
    const snapshotId = v("aws_ebs_snapshot.data").id as string;
    const copy = v("aws_ebs_snapshot_copy.west");
    const copied = (await west.send(new DescribeSnapshotsCommand({ SnapshotIds: [copy.id] }))).Snapshots![0]!;
    expect(copied).toMatchObject({ State: "completed", Description: "disaster recovery copy", VolumeSize: 2 });
    expect(copy).toMatchObject({ region: "us-west-2", volume_size: 2, tags_all: { Project: "compat" } });
    const perm = await ec2.send(
      new DescribeSnapshotAttributeCommand({ SnapshotId: snapshotId, Attribute: "createVolumePermission" }),
    );
    expect(perm.CreateVolumePermissions).toEqual([{ UserId: B_ACCOUNT }]);
    expect(v("aws_snapshot_create_volume_permission.partner").id).toBe(`${snapshotId}-${B_ACCOUNT}`);

    // The tag on the default VPC, which terraform does not manage.
    const vpcId = v("data.aws_vpc.default").id as string;
    const tags = await ec2.send(new DescribeTagsCommand({ Filters: [{ Name: "resource-id", Values: [vpcId] }] }));
    expect(tags.Tags?.map((x) => [x.Key, x.Value])).toEqual([["Owner", "platform-team"]]);
    expect(v("aws_ec2_tag.owner").id).toBe(`${vpcId},Owner`);

    // Lookups.
    expect(v("data.aws_eip.by_ip")).toMatchObject({ id: v("aws_eip.ip").id, domain: "vpc" });
    expect(v("data.aws_ebs_volume.data")).toMatchObject({
      volume_id: v("aws_ebs_volume.data").id,
      size: 2,
      volume_type: "gp2",
      tags: { Name: "data", Project: "compat" },
    });
    expect(v("data.aws_ebs_snapshot.data")).toMatchObject({
      snapshot_id: snapshotId,
      volume_size: 2,
      state: "completed",
    });
    expect(v("data.aws_ebs_snapshot_ids.mine").ids).toContain(snapshotId);
  });

  it("a second plan has no changes; the importable ones import back; destroy removes them", {
    timeout: 300_000,
  }, async () => {
    const plan = await t.run(dir, ["plan", "-no-color", "-input=false", "-detailed-exitcode"]);
    expect(plan.stdout).toContain("No changes.");
    expect(plan.status).toBe(0);
    const s = resourcesOf(await showJson(t, dir));
    const ids: [string, string][] = [
      "aws_ec2_tag.owner",
      "aws_ec2_instance_state.batch",
      "aws_snapshot_create_volume_permission.partner",
    ].map((address) => [address, s.get(address)!.values.id as string]);
    ok(await t.run(dir, ["state", "rm", "-no-color", ...ids.map(([a]) => a)]), "state rm");
    const imported = await importBack(t, dir, ids);
    ok(imported, "apply (import blocks)");
    expect(imported.stdout).toContain(`Plan: ${ids.length} to import, 0 to add, 0 to change, 0 to destroy.`);
    expect(imported.stdout).toContain(`Resources: ${ids.length} imported, 0 added, 0 changed, 0 destroyed.`);
    const again = await t.run(dir, ["plan", "-no-color", "-input=false", "-detailed-exitcode"]);
    expect(again.stdout).toContain("No changes.");
    ok(await t.run(dir, ["destroy", "-no-color", "-input=false", "-auto-approve"]), "destroy");
    const vpcId = s.get("data.aws_vpc.default")!.values.id as string;
    const tags = await ec2.send(new DescribeTagsCommand({ Filters: [{ Name: "resource-id", Values: [vpcId] }] }));
    expect(tags.Tags).toEqual([]);
  });
});
