/**
 * A project in the community modules' idioms (fixtures/community-idioms: a local instance module
 * called four times, written after reading terraform-aws-modules/ec2-instance) through the real
 * terraform CLI and the spawned plugin against `ec2sim serve`: `>= 6.37` installs 6.38.0; init,
 * validate, plan and apply; a second plan is empty (exit 0 with -detailed-exitcode); a new AMI under
 * `ignore_changes = [ami]` changes nothing while a new group description and profile path replace
 * the group and the instance profile create-before-destroy, the instance following in place; a Spot
 * Instance through aws_spot_instance_request (fulfilled, tagged by aws_ec2_tag, imported back); the
 * disabled call creates nothing; destroy removes everything. Each step is checked through the SDKs.
 */

import {
  DescribeAddressesCommand,
  DescribeImagesCommand,
  DescribeInstancesCommand,
  DescribeNetworkInterfacesCommand,
  DescribeSecurityGroupRulesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSpotInstanceRequestsCommand,
  DescribeVolumesCommand,
  type EC2Client,
  type Instance,
} from "@aws-sdk/client-ec2";
import {
  GetInstanceProfileCommand,
  IAMClient,
  ListAttachedRolePoliciesCommand,
  ListInstanceProfilesCommand,
  ListRolesCommand,
} from "@aws-sdk/client-iam";
import { GetParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { beforeAll, describe, expect, it } from "vitest";
import { describeInstance, expectNoChanges, ok, TF, terraformProject } from "./harness.ts";

interface WebOutput {
  id: string;
  ami: string;
  public_ip: string;
  role_arn: string;
  profile: string;
  sg: string;
  root: number;
  tags_all: Record<string, string>;
}

interface SpotOutput {
  id: string;
  state: string;
  bid_status: string;
  instance: string;
  price: string;
  private_ip: string;
}

describe("terraform: a project in the community modules' idioms (spawned plugin, >= 6.37)", () => {
  // init is the first test's subject.
  const p = terraformProject("idioms", { fixture: "community-idioms", init: false });
  let ec2: EC2Client;
  let iam: IAMClient;
  let ssm: SSMClient;
  let first: WebOutput;
  let spotRequest: SpotOutput;

  const instance = (id: string): Promise<Instance> => describeInstance(ec2, id);
  const byName = async (name: string): Promise<Instance[]> =>
    (
      await ec2.send(
        new DescribeInstancesCommand({
          Filters: [
            { Name: "tag:Name", Values: [name] },
            { Name: "instance-state-name", Values: ["pending", "running", "stopping", "stopped"] },
          ],
        }),
      )
    ).Reservations!.flatMap((r) => r.Instances ?? []);
  const outputs = async () => {
    const o = await p.outputs();
    return { web: o.web as WebOutput, spot: o.spot_request as SpotOutput, disabled: o.disabled as unknown[] };
  };

  beforeAll(() => {
    ec2 = p.ec2;
    iam = p.sdk(IAMClient);
    ssm = p.sdk(SSMClient);
  });

  it("init takes 6.38.0 for >= 6.37; validate (count = 0 types included), plan and apply build it", {
    timeout: 300_000,
  }, async () => {
    const init = await p.init();
    expect(init.stdout).toContain("Installed hashicorp/aws v6.38.0 (unauthenticated)");
    ok(await p.run(["validate", "-no-color"]), "validate");
    const plan = await p.run(["plan", ...TF, "-out=first.tfplan"]);
    ok(plan, "plan");
    expect(plan.stdout).toContain("Plan: 24 to add, 0 to change, 0 to destroy.");
    expect(plan.stdout).not.toContain("module.disabled.aws_");
    ok(await p.run(["apply", ...TF, "first.tfplan"]), "apply");

    const { web, disabled } = await outputs();
    first = web;
    expect(disabled).toEqual([null, null, null]);

    // The instance: the AMI its SSM parameter names (kept as resolve:ssm: in state), the profile
    // made from the policy document, the module's group, gp3 root, default tags merged in.
    const inst = await instance(web.id);
    const param = (await ssm.send(new GetParameterCommand({ Name: "/idioms/web/ami" }))).Parameter!;
    expect(inst.ImageId).toBe(param.Value);
    expect(web.ami).toBe("resolve:ssm:/idioms/web/ami");
    expect(inst.InstanceType).toBe("t3.small");
    expect(inst.MetadataOptions).toMatchObject({ HttpTokens: "required", HttpPutResponseHopLimit: 1 });
    expect(inst.SecurityGroups!.map((g) => g.GroupId)).toEqual([web.sg]);
    expect(Object.fromEntries(inst.Tags!.map((x) => [x.Key, x.Value]))).toEqual({
      Name: "web",
      Service: "web",
      Environment: "test",
      Project: "idioms",
    });
    expect(web.tags_all).toEqual({ Name: "web", Service: "web", Environment: "test", Project: "idioms" });
    // A data source reports every tag, the provider's default tags included (hashicorp/aws's data sources do).
    const dataInstance = (await p.state()).get("data.aws_instance.web")!.values;
    expect(dataInstance.tags).toEqual({ Name: "web", Service: "web", Environment: "test", Project: "idioms" });

    const profile = (
      await iam.send(new GetInstanceProfileCommand({ InstanceProfileName: web.profile.split("/").pop() }))
    ).InstanceProfile!;
    expect(inst.IamInstanceProfile?.Arn).toBe(web.profile);
    expect(profile).toMatchObject({ Path: "/web/", Arn: web.profile });
    expect(profile.InstanceProfileName).toMatch(/^web-\d{26}$/);
    expect(profile.Roles!.map((r) => r.Arn)).toEqual([web.role_arn]);
    const role = profile.Roles![0]!;
    expect(JSON.parse(decodeURIComponent(role.AssumeRolePolicyDocument!)).Statement[0]).toEqual({
      Sid: "EC2AssumeRole",
      Effect: "Allow",
      Action: "sts:AssumeRole",
      Principal: { Service: "ec2.amazonaws.com" },
    });
    const attached = await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: role.RoleName }));
    expect(attached.AttachedPolicies!.map((p) => p.PolicyArn)).toEqual([
      "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore",
    ]);

    // Volumes: the root as the dynamic block says, the inline ebs_block_device, two volumes attached
    // by for_each (one named by its key, one by coalesce(device_name, key)), volume_tags on each.
    const vols = (
      await ec2.send(new DescribeVolumesCommand({ Filters: [{ Name: "attachment.instance-id", Values: [web.id] }] }))
    ).Volumes!;
    const dev = (d: string) => vols.find((v) => v.Attachments![0]!.Device === d)!;
    expect(dev(inst.RootDeviceName!)).toMatchObject({ Size: 16, VolumeType: "gp3", Encrypted: true });
    expect(web.root).toBe(16);
    expect(dev("/dev/sdh")).toMatchObject({ Size: 4, VolumeType: "gp3" });
    expect(dev("/dev/sdf")).toMatchObject({ Size: 10, VolumeType: "gp3" });
    const data = dev("/dev/sdg");
    expect(data).toMatchObject({ Size: 5, VolumeType: "gp3" });
    expect(Object.fromEntries(data.Tags!.map((x) => [x.Key, x.Value]))).toMatchObject({
      Name: "web-data",
      Role: "data",
      Project: "idioms",
    });
    expect(dev("/dev/sdh").Tags).toEqual(expect.arrayContaining([{ Key: "Name", Value: "web" }]));

    // The group's rules: for_each over maps whose entries leave most sources null; one port given
    // as from_port, one as to_port (try(coalesce(…)) fills the other).
    const rules = (
      await ec2.send(new DescribeSecurityGroupRulesCommand({ Filters: [{ Name: "group-id", Values: [web.sg] }] }))
    ).SecurityGroupRules!;
    const ingress = rules.filter((r) => !r.IsEgress).map((r) => [r.CidrIpv4, r.FromPort, r.ToPort, r.IpProtocol]);
    expect(ingress.sort()).toEqual([
      ["0.0.0.0/0", 443, 443, "tcp"],
      ["10.0.0.0/8", 22, 22, "tcp"],
    ]);
    expect(
      rules
        .filter((r) => r.IsEgress)
        .map((r) => r.CidrIpv4 ?? r.CidrIpv6)
        .sort(),
    ).toEqual(["0.0.0.0/0", "::/0"]);

    // The Elastic IP is the instance's public address; aws_ec2_tag tagged its interface, leaving out the null.
    const eip = (await ec2.send(new DescribeAddressesCommand({ PublicIps: [web.public_ip] }))).Addresses![0]!;
    expect(eip.InstanceId).toBe(web.id);
    const eni = (
      await ec2.send(
        new DescribeNetworkInterfacesCommand({ Filters: [{ Name: "attachment.instance-id", Values: [web.id] }] }),
      )
    ).NetworkInterfaces![0]!;
    const eniTags = Object.fromEntries((eni.TagSet ?? []).map((x) => [x.Key, x.Value]));
    expect(eniTags).toMatchObject({ Team: "web", Owner: "ops" });
    expect("CostCenter" in eniTags).toBe(false);

    // The other calls: a Spot Instance through instance_market_options with the flat CPU options
    // block, an instance pinned to its AMI in the web module's group, nothing for the disabled one.
    const [spot] = await byName("spot");
    expect(spot).toMatchObject({ InstanceLifecycle: "spot", InstanceType: "m5.large" });
    expect(spot!.CpuOptions).toMatchObject({ CoreCount: 1, ThreadsPerCore: 2 });
    const [pinned] = await byName("pinned");
    expect(pinned!.SecurityGroups!.map((g) => g.GroupId)).toEqual([web.sg]);
    expect(await byName("never")).toEqual([]);

    // aws_spot_instance_request (wait_for_fulfillment): the request carries its tags (default tags
    // too), its instance gets the module's through aws_ec2_tag, a volume attaches through the
    // try() chain of instance IDs.
    const { spot: req } = await outputs();
    spotRequest = req;
    const sir = (await ec2.send(new DescribeSpotInstanceRequestsCommand({ SpotInstanceRequestIds: [req.id] })))
      .SpotInstanceRequests![0]!;
    expect(sir).toMatchObject({
      State: "active",
      Type: "one-time",
      SpotPrice: "0.05",
      InstanceId: req.instance,
      Status: { Code: "fulfilled" },
    });
    expect(req).toMatchObject({ state: "active", bid_status: "fulfilled", price: "0.05" });
    expect(Object.fromEntries(sir.Tags!.map((x) => [x.Key, x.Value]))).toEqual({
      Name: "spot-request",
      Service: "batch",
      Environment: "test",
      Project: "idioms",
    });
    const spotInst = await instance(req.instance);
    expect(spotInst).toMatchObject({
      InstanceLifecycle: "spot",
      SpotInstanceRequestId: req.id,
      InstanceType: "c5.large",
      PrivateIpAddress: req.private_ip,
    });
    expect(Object.fromEntries(spotInst.Tags!.map((x) => [x.Key, x.Value]))).toEqual({
      Name: "spot-request",
      Service: "batch",
    });
    const spotVols = (
      await ec2.send(
        new DescribeVolumesCommand({ Filters: [{ Name: "attachment.instance-id", Values: [req.instance] }] }),
      )
    ).Volumes!;
    expect(spotVols.map((v) => [v.Attachments![0]!.Device, v.Size, v.VolumeType]).sort()).toEqual([
      ["/dev/sdf", 2, "gp3"],
      [spotInst.RootDeviceName, 12, "gp3"],
    ]);
  });

  it("a second plan has no changes; the Spot request imports back by its ID", { timeout: 300_000 }, async () => {
    await expectNoChanges(p);

    const address = "module.spot_request.aws_spot_instance_request.this[0]";
    ok(await p.run(["state", "rm", "-no-color", address]), "state rm");
    ok(await p.run(["import", ...TF, address, spotRequest.id]), "import");
    // As with hashicorp/aws, wait_for_fulfillment is not read back: the one change is that argument.
    const after = await p.plan(["-out=import.tfplan"]);
    expect(after.stdout, after.stdout).toContain("Plan: 0 to add, 1 to change, 0 to destroy.");
    expect(after.stdout).toMatch(/~ wait_for_fulfillment\s+= false -> true/);
    await p.applyPlan("import.tfplan");
    await expectNoChanges(p);
  });

  it("a new AMI is ignored where ignore_changes says so; group and profile are replaced create-before-destroy", {
    timeout: 300_000,
  }, async () => {
    const [pinnedBefore] = await byName("pinned");
    const other = (
      await ec2.send(
        new DescribeImagesCommand({
          Owners: ["amazon"],
          Filters: [{ Name: "name", Values: ["amzn2-ami-kernel-5.10-hvm-*-x86_64-gp2"] }],
        }),
      )
    ).Images![0]!.ImageId!;
    const vars = [
      "-var",
      `golden_ami=${other}`,
      "-var",
      "sg_description=web servers v2",
      "-var",
      "profile_path=/web/v2/",
    ];
    const plan = ok(await p.run(["plan", ...TF, ...vars, "-out=v2.tfplan"]), "plan");
    expect(plan.stdout).toContain("module.web.aws_security_group.this[0] must be replaced");
    expect(plan.stdout).toContain('+/- resource "aws_security_group" "this"');
    expect(plan.stdout).toContain('+/- resource "aws_iam_instance_profile" "this"');
    expect(plan.stdout).not.toContain("module.pinned.aws_instance.pinned_ami[0] must be replaced");
    expect(plan.stdout).not.toContain("module.web.aws_instance.this[0] must be replaced");
    const apply = await p.applyPlan("v2.tfplan");
    // The replacement came first: created before its predecessor was destroyed.
    const created = apply.stdout.indexOf("module.web.aws_security_group.this[0]: Creation complete");
    const destroyed = apply.stdout.indexOf("module.web.aws_security_group.this[0] (deposed object");
    expect(created).toBeGreaterThan(0);
    expect(destroyed).toBeGreaterThan(created);

    const { web } = await outputs();
    expect(web.id).toBe(first.id);
    expect(web.sg).not.toBe(first.sg);
    const inst = await instance(web.id);
    expect(inst.SecurityGroups!.map((g) => g.GroupId)).toEqual([web.sg]);
    expect(inst.IamInstanceProfile?.Arn).toBe(web.profile);
    expect(web.profile).toMatch(/:instance-profile\/web\/v2\/web-/);
    const groups = await ec2.send(
      new DescribeSecurityGroupsCommand({ Filters: [{ Name: "group-id", Values: [first.sg] }] }),
    );
    expect(groups.SecurityGroups).toEqual([]);
    const sg = (await ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [web.sg] }))).SecurityGroups![0]!;
    expect(sg.Description).toBe("web servers v2");
    // The pinned instance kept its AMI and its identity; it follows the new group in place.
    const [pinned] = await byName("pinned");
    expect(pinned!.InstanceId).toBe(pinnedBefore!.InstanceId);
    expect(pinned!.ImageId).toBe(pinnedBefore!.ImageId);
    expect(pinned!.SecurityGroups!.map((g) => g.GroupId)).toEqual([web.sg]);

    await expectNoChanges(p, vars);
    ok(await p.run(["destroy", ...TF, "-auto-approve", ...vars]), "destroy");
  });

  it("destroy removed everything it made", async () => {
    for (const name of ["web", "pinned", "spot", "spot-request"]) expect(await byName(name)).toEqual([]);
    const sir = (await ec2.send(new DescribeSpotInstanceRequestsCommand({ SpotInstanceRequestIds: [spotRequest.id] })))
      .SpotInstanceRequests![0]!;
    expect(sir.State).toBe("cancelled");
    expect((await instance(spotRequest.instance)).State?.Name).toBe("terminated");
    const roles = (await iam.send(new ListRolesCommand({ PathPrefix: "/web/" }))).Roles!;
    expect(roles).toEqual([]);
    expect((await iam.send(new ListInstanceProfilesCommand({ PathPrefix: "/web/" }))).InstanceProfiles).toEqual([]);
    const addresses = (await ec2.send(new DescribeAddressesCommand({}))).Addresses!;
    expect(addresses.filter((a) => a.PublicIp === first.public_ip)).toEqual([]);
  });
});
