/**
 * "Only one of …" checks and values not yet known, through the real terraform CLI and the spawned
 * plugin against `ec2sim serve`. Community modules build rules and permissions with for_each over
 * maps whose entries leave most sources null; `terraform validate` checks such a resource once with
 * each.value unknown, and a plan may still hold references to what is not yet created. hashicorp/aws
 * (terraform-plugin-sdk ExactlyOneOf/ConflictsWith, terraform-plugin-framework ExactlyOneOf) never
 * counts an unknown value as set; two known sources are still refused, with its words.
 */

import { DescribeImageAttributeCommand, DescribeSecurityGroupRulesCommand } from "@aws-sdk/client-ec2";
import { ACCOUNT_B as B_ACCOUNT } from "@ec2sim/test-harness";
import { describe, expect, it } from "vitest";
import { expectNoChanges, ok, TF, terraformProject } from "./harness.ts";

const header = `terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = "~> 6.0" }
  }
}
provider "aws" {
  region = "us-east-1"
}
`;

const forEachConfig = `${header}
variable "ingress" {
  type = map(object({
    port                         = number
    cidr_ipv4                    = optional(string)
    cidr_ipv6                    = optional(string)
    prefix_list_id               = optional(string)
    referenced_security_group_id = optional(string)
  }))
  default = {
    http    = { port = 80, cidr_ipv4 = "0.0.0.0/0" }
    https6  = { port = 443, cidr_ipv6 = "::/0" }
    from_lb = { port = 8080 }
  }
}

variable "share_with" {
  type = map(object({
    account_id = optional(string)
    group      = optional(string)
  }))
  default = {
    partner = { account_id = "${B_ACCOUNT}" }
    public  = { group = "all" }
  }
}

data "aws_ami" "al2023" {
  most_recent = true
  owners      = ["amazon"]
  filter {
    name   = "name"
    values = ["al2023-ami-2023*-x86_64"]
  }
}

resource "aws_security_group" "web" {
  name = "web"
}

resource "aws_security_group" "lb" {
  name = "lb"
}

locals {
  # The load balancer's rule points at a group that does not exist yet: unknown until apply.
  ingress = {
    for k, v in var.ingress : k => merge(v, k == "from_lb" ? { referenced_security_group_id = aws_security_group.lb.id } : {})
  }
}

resource "aws_vpc_security_group_ingress_rule" "web" {
  for_each = local.ingress

  security_group_id            = aws_security_group.web.id
  ip_protocol                  = "tcp"
  from_port                    = each.value.port
  to_port                      = each.value.port
  cidr_ipv4                    = each.value.cidr_ipv4
  cidr_ipv6                    = each.value.cidr_ipv6
  prefix_list_id               = each.value.prefix_list_id
  referenced_security_group_id = each.value.referenced_security_group_id
}

# No description: hashicorp/aws sends "" and the copy has none (EC2 would otherwise keep the source's).
resource "aws_ami_copy" "golden" {
  name              = "golden"
  source_ami_id     = data.aws_ami.al2023.id
  source_ami_region = "us-east-1"
}

resource "aws_ami_launch_permission" "golden" {
  for_each = var.share_with

  image_id   = aws_ami_copy.golden.id
  account_id = each.value.account_id
  group      = each.value.group
}
`;

describe("terraform: conflict checks with values not yet known (spawned plugin)", () => {
  const p = terraformProject("for-each-nulls", { mainTf: forEachConfig });

  it("for_each over maps holding nulls validates, plans and applies; a second plan has no changes", {
    timeout: 300_000,
  }, async () => {
    const validate = await p.run(["validate", "-no-color"]);
    ok(validate, "validate");
    expect(validate.stdout).toContain("Success! The configuration is valid.");
    const plan = ok(await p.run(["plan", ...TF, "-out=tfplan"]), "plan");
    expect(plan.stdout).toContain("Plan: 8 to add, 0 to change, 0 to destroy.");
    await p.applyPlan("tfplan");

    const state = await p.state();
    const web = state.get("aws_security_group.web")!.values.id as string;
    const lb = state.get("aws_security_group.lb")!.values.id as string;
    const rules = (
      await p.ec2.send(new DescribeSecurityGroupRulesCommand({ Filters: [{ Name: "group-id", Values: [web] }] }))
    ).SecurityGroupRules!.filter((r) => !r.IsEgress);
    expect(
      rules.map((r) => `${r.FromPort} ${r.CidrIpv4 ?? r.CidrIpv6 ?? r.ReferencedGroupInfo?.GroupId}`).sort(),
    ).toEqual([`443 ::/0`, "80 0.0.0.0/0", `8080 ${lb}`]);
    const image = state.get("aws_ami_copy.golden")!.values.id as string;
    const perms = await p.ec2.send(
      new DescribeImageAttributeCommand({ ImageId: image, Attribute: "launchPermission" }),
    );
    expect(perms.LaunchPermissions).toEqual(expect.arrayContaining([{ UserId: B_ACCOUNT }, { Group: "all" }]));
    expect(perms.LaunchPermissions).toHaveLength(2);

    await expectNoChanges(p);
    await p.destroy();
  });

  it("two known sources (or none) are still refused at validate, in hashicorp/aws's words", {
    timeout: 300_000,
  }, async () => {
    const w = p.workdir("two-sources", {
      mainTf: `${header}
resource "aws_vpc_security_group_ingress_rule" "both" {
  security_group_id = "sg-0123456789abcdef0"
  ip_protocol       = "-1"
  cidr_ipv4         = "10.0.0.0/8"
  cidr_ipv6         = "::/0"
}
resource "aws_vpc_security_group_ingress_rule" "none" {
  security_group_id = "sg-0123456789abcdef0"
  ip_protocol       = "-1"
}
resource "aws_ami_launch_permission" "both" {
  image_id   = "ami-0123456789abcdef0"
  account_id = "${B_ACCOUNT}"
  group      = "all"
}
`,
    });
    await w.init();
    const r = await w.run(["validate", "-no-color"]);
    expect(r.status).toBe(1);
    // terraform wraps diagnostics at 78 columns.
    const stderr = r.stderr.replace(/\s+/g, " ");
    const list = "[cidr_ipv4,cidr_ipv6,prefix_list_id,referenced_security_group_id]";
    expect(stderr).toContain("Error: Invalid Attribute Combination with aws_vpc_security_group_ingress_rule.both,");
    expect(stderr).toContain(`Exactly one of these attributes must be configured: ${list}`);
    expect(stderr).toContain("Error: Missing Attribute Configuration with aws_vpc_security_group_ingress_rule.none,");
    expect(stderr).toContain(
      '"account_id": only one of `account_id,group,organization_arn,organizational_unit_arn` can be specified, but `account_id,group` were specified.',
    );
  });
});
