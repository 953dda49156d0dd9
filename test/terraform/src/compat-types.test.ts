/**
 * The data sources and resources configurations written elsewhere reach for beside the core EC2 ones,
 * through the real terraform CLI and the spawned plugin against `ec2sim serve`: instance type facts
 * and offerings, one Availability Zone, the regions, the provider's default tags, an EBS volume and
 * snapshot looked up, a snapshot copied to another region and shared, a tag on a resource terraform
 * does not manage, an instance kept stopped, an Elastic IP looked up. Then a clean re-plan, import of
 * the importable ones, and destroy.
 */

import {
  DescribeInstancesCommand,
  DescribeSnapshotAttributeCommand,
  DescribeSnapshotsCommand,
  DescribeTagsCommand,
  type EC2Client,
} from "@aws-sdk/client-ec2";
import { ACCOUNT_B as B_ACCOUNT } from "@ec2sim/test-harness";
import { beforeAll, describe, expect, it } from "vitest";
import { expectImportsBackUnchanged, expectNoChanges, terraformProject } from "./harness.ts";

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

describe("terraform: the wider EC2 data sources and resources (spawned plugin)", () => {
  const p = terraformProject("compat-types", { mainTf: config });
  let ec2: EC2Client;
  let west: EC2Client;

  beforeAll(() => {
    ec2 = p.ec2;
    west = p.client("us-west-2");
  });

  it("apply reads every data source and makes every resource; EC2 shows them through the SDK", {
    timeout: 300_000,
  }, async () => {
    // (apply validates the configuration first, as `terraform validate` does.)
    await p.apply();
    const s = await p.state();
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
    await expectNoChanges(p);
    const s = await p.state();
    const ids: [string, string][] = [
      "aws_ec2_tag.owner",
      "aws_ec2_instance_state.batch",
      "aws_snapshot_create_volume_permission.partner",
    ].map((address) => [address, s.get(address)!.values.id as string]);
    await expectImportsBackUnchanged(p, ids);
    await p.destroy();
    const vpcId = s.get("data.aws_vpc.default")!.values.id as string;
    const tags = await ec2.send(new DescribeTagsCommand({ Filters: [{ Name: "resource-id", Values: [vpcId] }] }));
    expect(tags.Tags).toEqual([]);
  });
});
