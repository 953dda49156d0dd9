/**
 * The IAM and SSM resources and data sources through the real terraform CLI and the spawned plugin
 * against `ec2sim serve`, written the way the community modules write them (terraform-aws-modules/
 * ec2-instance's idioms): a role from data "aws_iam_policy_document" with ARNs built from
 * data "aws_partition", managed and inline policies, an instance profile on an instance whose AMI is
 * `resolve:ssm:`, SSM parameters read back, optional resources behind `count = 0` that must still
 * validate. Then a re-plan with no changes, every resource imported back, and destroy — each step
 * checked through the AWS SDK.
 */
import { DescribeInstancesCommand, type EC2Client } from "@aws-sdk/client-ec2";
import {
  GetInstanceProfileCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  IAMClient,
  ListAttachedRolePoliciesCommand,
  NoSuchEntityException,
} from "@aws-sdk/client-iam";
import { GetParameterCommand, ParameterNotFound, SSMClient } from "@aws-sdk/client-ssm";
import type { Account } from "@ec2sim/test-harness";
import { beforeAll, describe, expect, it } from "vitest";
import { expectImportsBackUnchanged, expectNoChanges, terraformProject } from "./harness.ts";

const AL2023 = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64";

const config = `terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = "~> 6.0" }
  }
}

provider "aws" {
  region = "us-east-1"
  default_tags {
    tags = { Project = "iam-ssm" }
  }
}

variable "create_optional" {
  type    = bool
  default = false
}

data "aws_partition" "current" {}
data "aws_caller_identity" "current" {}

data "aws_iam_policy_document" "assume" {
  statement {
    sid     = "EC2AssumeRole"
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ec2.\${data.aws_partition.current.dns_suffix}"]
    }
  }
}

resource "aws_iam_role" "web" {
  name               = "tf-web"
  path               = "/app/"
  description        = "web servers"
  assume_role_policy = data.aws_iam_policy_document.assume.json
  tags               = { Name = "tf-web" }
}

resource "aws_iam_role_policy_attachment" "this" {
  for_each = { ssm = "AmazonSSMManagedInstanceCore", cw = "CloudWatchAgentServerPolicy", none = null }

  role       = aws_iam_role.web.name
  policy_arn = each.value == null ? aws_iam_policy.logs.arn : "arn:\${data.aws_partition.current.partition}:iam::aws:policy/\${each.value}"
}

data "aws_iam_policy_document" "read_config" {
  statement {
    actions   = ["ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath"]
    resources = ["arn:\${data.aws_partition.current.partition}:ssm:us-east-1:\${data.aws_caller_identity.current.account_id}:parameter/web/*"]
  }
}

resource "aws_iam_role_policy" "read_config" {
  name   = "read-config"
  role   = aws_iam_role.web.id
  policy = data.aws_iam_policy_document.read_config.json
}

resource "aws_iam_policy" "logs" {
  name        = "tf-web-logs"
  description = "CloudWatch Logs for the web servers"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = ["logs:CreateLogStream", "logs:PutLogEvents"], Resource = "*" }]
  })
}

resource "aws_iam_instance_profile" "web" {
  name = "tf-web"
  role = aws_iam_role.web.name
}

# Optional pieces a module leaves out: their types must still validate.
resource "aws_iam_role" "optional" {
  count              = var.create_optional ? 1 : 0
  name_prefix        = "optional-"
  assume_role_policy = data.aws_iam_policy_document.assume.json
}

resource "aws_iam_instance_profile" "optional" {
  count = var.create_optional ? 1 : 0
  role  = aws_iam_role.optional[0].name
}

resource "aws_ssm_parameter" "config" {
  name        = "/web/config"
  description = "what the web servers read"
  type        = "String"
  value       = "color=orange"
  tags        = { Owner = "web" }
}

resource "aws_ssm_parameter" "password" {
  name  = "/web/db-password"
  type  = "SecureString"
  value = "hunter2"
}

data "aws_ssm_parameter" "al2023" {
  name = "${AL2023}"
}

resource "aws_instance" "web" {
  ami                  = "resolve:ssm:${AL2023}"
  instance_type        = "t3.micro"
  iam_instance_profile = aws_iam_instance_profile.web.name
  tags                 = { Name = "web" }
}

data "aws_iam_role" "web" {
  name = aws_iam_role.web.name
}

data "aws_iam_instance_profile" "web" {
  name = aws_iam_instance_profile.web.name
}

data "aws_iam_policy" "ssm" {
  arn = "arn:\${data.aws_partition.current.partition}:iam::aws:policy/AmazonSSMManagedInstanceCore"
}

output "assume_json" {
  value = data.aws_iam_policy_document.assume.json
}
`;

const failure = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => e,
  );

describe("terraform: IAM roles, policies, instance profiles and SSM parameters (spawned plugin)", () => {
  const p = terraformProject("iam-ssm", { mainTf: config });
  let ec2: EC2Client;
  let iam: IAMClient;
  let ssm: SSMClient;
  let A: Account;

  beforeAll(() => {
    A = p.A;
    ec2 = p.ec2;
    iam = p.sdk(IAMClient);
    ssm = p.sdk(SSMClient);
  });

  it("apply makes the role from the policy document, its policies, the profile on a resolve:ssm instance, the parameters", async () => {
    // apply validates first, as `terraform validate` does (the count = 0 resources included).
    await p.apply();
    const s = await p.state();
    const v = (address: string) => s.get(address)!.values;

    // data "aws_iam_policy_document" is hashicorp/aws's document, byte for byte.
    expect((await p.outputs()).assume_json).toBe(`{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "EC2AssumeRole",
      "Effect": "Allow",
      "Action": "sts:AssumeRole",
      "Principal": {
        "Service": "ec2.amazonaws.com"
      }
    }
  ]
}`);
    expect(v("data.aws_partition.current")).toMatchObject({ partition: "aws", dns_suffix: "amazonaws.com" });
    expect(v("data.aws_caller_identity.current")).toMatchObject({
      account_id: A.accountId,
      arn: `arn:aws:iam::${A.accountId}:root`,
    });

    // The role, as IAM has it.
    const role = (await iam.send(new GetRoleCommand({ RoleName: "tf-web" }))).Role!;
    expect(role).toMatchObject({
      Path: "/app/",
      Description: "web servers",
      Arn: `arn:aws:iam::${A.accountId}:role/app/tf-web`,
    });
    expect(JSON.parse(decodeURIComponent(role.AssumeRolePolicyDocument!)).Statement[0].Principal).toEqual({
      Service: "ec2.amazonaws.com",
    });
    expect(role.Tags).toEqual(
      expect.arrayContaining([
        { Key: "Name", Value: "tf-web" },
        { Key: "Project", Value: "iam-ssm" },
      ]),
    );
    expect(v("aws_iam_role.web")).toMatchObject({
      arn: role.Arn,
      unique_id: role.RoleId,
      name: "tf-web",
      tags: { Name: "tf-web" },
      tags_all: { Name: "tf-web", Project: "iam-ssm" },
    });
    const attached = (await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: "tf-web" }))).AttachedPolicies!;
    expect(attached.map((p) => p.PolicyName).sort()).toEqual([
      "AmazonSSMManagedInstanceCore",
      "CloudWatchAgentServerPolicy",
      "tf-web-logs",
    ]);
    const inline = await iam.send(new GetRolePolicyCommand({ RoleName: "tf-web", PolicyName: "read-config" }));
    expect(JSON.parse(decodeURIComponent(inline.PolicyDocument!)).Statement[0].Resource).toBe(
      `arn:aws:ssm:us-east-1:${A.accountId}:parameter/web/*`,
    );
    expect(v("aws_iam_policy.logs")).toMatchObject({
      attachment_count: 0,
      path: "/",
      description: "CloudWatch Logs for the web servers",
    });

    // The profile carries the role; the instance carries the profile and the AMI the parameter holds.
    const profile = (await iam.send(new GetInstanceProfileCommand({ InstanceProfileName: "tf-web" }))).InstanceProfile!;
    expect(profile.Roles?.map((r) => r.RoleName)).toEqual(["tf-web"]);
    const instanceId = v("aws_instance.web").id as string;
    const inst = (await ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }))).Reservations![0]!
      .Instances![0]!;
    expect(inst.IamInstanceProfile).toEqual({ Arn: profile.Arn, Id: profile.InstanceProfileId });
    expect(inst.ImageId).toBe(v("data.aws_ssm_parameter.al2023").value);
    expect(v("aws_instance.web")).toMatchObject({ ami: `resolve:ssm:${AL2023}`, iam_instance_profile: "tf-web" });

    // Data sources read what the resources made.
    expect(v("data.aws_iam_role.web")).toMatchObject({ arn: role.Arn, unique_id: role.RoleId, path: "/app/" });
    expect(v("data.aws_iam_instance_profile.web")).toMatchObject({
      role_name: "tf-web",
      role_arn: role.Arn,
      arn: profile.Arn,
    });
    expect(v("data.aws_iam_policy.ssm")).toMatchObject({ name: "AmazonSSMManagedInstanceCore", path: "/" });
    expect(JSON.parse(v("data.aws_iam_policy.ssm").policy).Statement[0].Action).toContain(
      "ssm:UpdateInstanceInformation",
    );

    // The parameters, as SSM has them (the SecureString only with decryption).
    const config = (await ssm.send(new GetParameterCommand({ Name: "/web/config" }))).Parameter!;
    expect(config).toMatchObject({ Type: "String", Value: "color=orange", Version: 1 });
    expect(v("aws_ssm_parameter.config")).toMatchObject({
      arn: config.ARN,
      version: 1,
      tier: "Standard",
      data_type: "text",
    });
    const password = (await ssm.send(new GetParameterCommand({ Name: "/web/db-password", WithDecryption: true })))
      .Parameter!;
    expect(password).toMatchObject({ Type: "SecureString", Value: "hunter2" });
    expect(v("aws_ssm_parameter.password")).toMatchObject({ key_id: "alias/aws/ssm", value: "hunter2" });
    expect(s.get("aws_iam_role.optional[0]")).toBeUndefined();
  });

  it("a second plan has no changes (equivalent policies, the resolve:ssm AMI); an edit updates in place", async () => {
    await expectNoChanges(p);
    // The same trust policy written differently is no change; a new value is a new version.
    const edited = config
      .replace(
        "assume_role_policy = data.aws_iam_policy_document.assume.json",
        'assume_role_policy = jsonencode({ Statement = [{ Principal = { Service = ["ec2.amazonaws.com"] }, Action = "sts:AssumeRole", Effect = "Allow", Sid = "EC2AssumeRole" }], Version = "2012-10-17" })',
      )
      .replace('value       = "color=orange"', 'value       = "color=teal"');
    // (The first match is aws_iam_role.web's.)
    expect(edited).toContain("assume_role_policy = jsonencode({ Statement = [{ Principal");
    p.write(edited);
    const second = await p.plan(["-out=edit.tfplan"]);
    expect(second.status).toBe(2);
    expect(second.stdout).toContain("Plan: 0 to add, 1 to change, 0 to destroy.");
    expect(second.stdout).toContain("aws_ssm_parameter.config will be updated in-place");
    await p.applyPlan("edit.tfplan");
    expect((await ssm.send(new GetParameterCommand({ Name: "/web/config" }))).Parameter).toMatchObject({
      Value: "color=teal",
      Version: 2,
    });
    // The next tests go on from the edited configuration (the role's policy as jsonencode, the new value).
  });

  it("each resource imports back from its ID with no changes after", async () => {
    const s = await p.state();
    const imports: [string, string][] = [
      ["aws_iam_role.web", "tf-web"],
      ["aws_iam_instance_profile.web", "tf-web"],
      ["aws_iam_role_policy.read_config", "tf-web:read-config"],
      ['aws_iam_role_policy_attachment.this["ssm"]', "tf-web/arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"],
      ["aws_iam_policy.logs", s.get("aws_iam_policy.logs")!.values.arn as string],
      ["aws_ssm_parameter.config", "/web/config"],
    ];
    await expectImportsBackUnchanged(p, imports);
  });

  it("destroy removes every one of them", async () => {
    await p.destroy();
    expect(await failure(iam.send(new GetRoleCommand({ RoleName: "tf-web" })))).toBeInstanceOf(NoSuchEntityException);
    expect(await failure(iam.send(new GetInstanceProfileCommand({ InstanceProfileName: "tf-web" })))).toBeInstanceOf(
      NoSuchEntityException,
    );
    expect(await failure(ssm.send(new GetParameterCommand({ Name: "/web/config" })))).toBeInstanceOf(ParameterNotFound);
  });
});
