/**
 * Snapshots of folded state (snapshot.ts): a sandbox restored from a snapshot taken at any point,
 * with the rest of the log folded in, answers exactly as the live sandbox and a full replay do —
 * every Describe*, the guest files, the bill — and goes on identically (next IDs, times, events).
 */
import { describe, expect, it } from "vitest";
import {
  type CallContext,
  type EventEnvelope,
  guestView,
  Sandbox,
  type SandboxSnapshot,
  snapshotState,
} from "../src/index.ts";
import { A, AL2023_ARM, AL2023_X86, ami, B, DEBIAN_INSTANCE_STORE, EU, NGINX_PLUS_X86, US } from "./r01-r13-helpers.ts";
import { canonical } from "./snapshot-canonical.ts";

type Any = any;

const a: CallContext = { accountId: A, region: US };
const b: CallContext = { accountId: B, region: US };
const aEu: CallContext = { accountId: A, region: EU };

interface Run {
  sb: Sandbox;
  events: EventEnvelope[];
  ids: Any;
  /** Snapshots taken after each step, with the step's name. */
  cuts: { step: string; seq: number; snapshot: SandboxSnapshot }[];
}

/** A small seeded generator, so each seed takes its own path through the story. */
function rng(seed: string): () => number {
  let h = 2166136261;
  for (const ch of seed) h = Math.imul(h ^ ch.charCodeAt(0), 16777619);
  return () => {
    h = Math.imul(h ^ (h >>> 15), 2246822507) ^ Math.imul(h ^ (h >>> 13), 3266489909);
    return ((h ^= h >>> 16) >>> 0) / 4294967296;
  };
}

/**
 * The seeds' story and then some: launches with tags, nginx, an AMI chain, an instance-store bundle
 * registered and launched, sharing, copies to another region, volumes created / modified /
 * snapshotted / deleted, Elastic IPs, stop/start/terminate/forget, instance-store files, an image
 * builder pipeline, ClientTokens — snapshotting after every step, many of them mid-transition.
 */
function story(seed: string, snap = true): Run {
  const r = rng(seed);
  const sb = new Sandbox({ seed, realNow: () => 0 });
  const events: EventEnvelope[] = [];
  sb.subscribe((es) => events.push(...es));
  const ids: Any = {};
  const cuts: Run["cuts"] = [];
  const call = (c: CallContext, action: string, input: Record<string, unknown> = {}): Any =>
    sb.call(c, action, input).output;
  const sh = (c: CallContext, id: string, command: string) => call(c, "GuestRun", { InstanceId: id, Command: command });
  const wait = (ms: number) => sb.advance(ms);
  const until = (_c: CallContext, check: () => boolean, step = 5_000) => {
    for (let i = 0; i < 2000 && !check(); i++) sb.advance(step);
    if (!check()) throw new Error("never reached");
  };
  const instState = (c: CallContext, id: string) =>
    call(c, "DescribeInstances", { InstanceIds: [id] }).Reservations[0].Instances[0].State.Name;
  const imageState = (c: CallContext, id: string) => call(c, "DescribeImages", { ImageIds: [id] }).Images[0].State;
  const n = 1 + Math.floor(r() * 3);
  const steps: [string, () => void][] = [
    [
      "accounts",
      () => {
        sb.createAccount({ accountId: A, organizationArn: "arn:aws:organizations::111122223333:organization/o-snap" });
        sb.createAccount({ accountId: B });
      },
    ],
    [
      "key and group",
      () => {
        ids.key = call(a, "CreateKeyPair", { KeyName: "ops" }).KeyPairId;
        ids.sg = call(a, "CreateSecurityGroup", { GroupName: "web", Description: "web" }).GroupId;
        call(a, "AuthorizeSecurityGroupIngress", {
          GroupId: ids.sg,
          IpPermissions: [{ IpProtocol: "tcp", FromPort: 80, ToPort: 80, IpRanges: [{ CidrIp: "0.0.0.0/0" }] }],
        });
      },
    ],
    [
      "IAM roles, profile, policies, a role session",
      () => {
        const trust = (principal: Record<string, string>) =>
          JSON.stringify({
            Version: "2012-10-17",
            Statement: [{ Effect: "Allow", Principal: principal, Action: "sts:AssumeRole" }],
          });
        call(a, "iam:CreateRole", {
          RoleName: "web",
          Path: "/app/",
          AssumeRolePolicyDocument: trust({ Service: "ec2.amazonaws.com" }),
          Tags: [{ Key: "team", Value: "shop" }],
        });
        call(a, "iam:PutRolePolicy", {
          RoleName: "web",
          PolicyName: "read",
          PolicyDocument: JSON.stringify({
            Version: "2012-10-17",
            Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "*" }],
          }),
        });
        call(a, "iam:AttachRolePolicy", {
          RoleName: "web",
          PolicyArn: "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore",
        });
        call(a, "iam:CreateInstanceProfile", { InstanceProfileName: "web" });
        call(a, "iam:AddRoleToInstanceProfile", { InstanceProfileName: "web", RoleName: "web" });
        const policy = call(a, "iam:CreatePolicy", {
          PolicyName: "ops",
          PolicyDocument: JSON.stringify({
            Version: "2012-10-17",
            Statement: [{ Effect: "Allow", Action: "ec2:Describe*", Resource: "*" }],
          }),
        }).Policy;
        call(a, "iam:AttachRolePolicy", { RoleName: "web", PolicyArn: policy.Arn });
        const deployer = call(b, "iam:CreateRole", {
          RoleName: "deployer",
          AssumeRolePolicyDocument: trust({ AWS: `arn:aws:iam::${A}:root` }),
        }).Role;
        ids.session = call(a, "sts:AssumeRole", {
          RoleArn: deployer.Arn,
          RoleSessionName: "snap",
          DurationSeconds: 900 + Math.floor(r() * 2700),
        }).Credentials.AccessKeyId;
      },
    ],
    [
      "SSM parameters",
      () => {
        call(a, "ssm:PutParameter", {
          Name: "/shop/db",
          Value: "postgres://db",
          Type: "String",
          Tags: [{ Key: "k", Value: "v" }],
        });
        call(a, "ssm:PutParameter", { Name: "/shop/db", Value: "postgres://db2", Overwrite: true });
        call(a, "ssm:LabelParameterVersion", { Name: "/shop/db", ParameterVersion: 1, Labels: ["old"] });
        call(aEu, "ssm:PutParameter", {
          Name: "/shop/secret",
          Value: `pw-${Math.floor(r() * 1000)}`,
          Type: "SecureString",
        });
        call(a, "ssm:PutParameter", {
          Name: "/shop/ami",
          Value: ami(AL2023_X86),
          Type: "String",
          DataType: "aws:ec2:image",
        });
      },
    ],
    [
      "launch web (pending)",
      () => {
        const run = call(a, "RunInstances", {
          ImageId: ami(AL2023_X86),
          InstanceType: "t3.micro",
          MinCount: n + 1,
          MaxCount: n + 1,
          KeyName: "ops",
          SecurityGroupIds: [ids.sg],
          TagSpecifications: [
            {
              ResourceType: "instance",
              Tags: [
                { Key: "app", Value: "shop" },
                { Key: "env", Value: r() < 0.5 ? "prod" : "dev" },
              ],
            },
          ],
          UserData: Buffer.from("#!/bin/bash\necho booted > /var/tmp/boot.txt\n").toString("base64"),
          ClientToken: "web-1",
        });
        ids.web1 = run.Instances[0].InstanceId;
        ids.web2 = run.Instances[1].InstanceId;
        // The same ClientToken answers the same.
        expect(
          call(a, "RunInstances", {
            ImageId: ami(AL2023_X86),
            InstanceType: "t3.micro",
            MinCount: n + 1,
            MaxCount: n + 1,
            KeyName: "ops",
            SecurityGroupIds: [ids.sg],
            TagSpecifications: [
              {
                ResourceType: "instance",
                Tags: [
                  { Key: "app", Value: "shop" },
                  { Key: "env", Value: run.Instances[0].Tags.find((t: Any) => t.Key === "env").Value },
                ],
              },
            ],
            UserData: Buffer.from("#!/bin/bash\necho booted > /var/tmp/boot.txt\n").toString("base64"),
            ClientToken: "web-1",
          }).ReservationId,
        ).toBe(run.ReservationId);
      },
    ],
    [
      "launch arm, marketplace, instance-store, m5d",
      () => {
        ids.arm = call(a, "RunInstances", {
          ImageId: ami(AL2023_ARM),
          InstanceType: "t4g.micro",
          MinCount: 1,
          MaxCount: 1,
        }).Instances[0].InstanceId;
        ids.market = call(b, "RunInstances", {
          ImageId: ami(NGINX_PLUS_X86),
          InstanceType: "m5.large",
          MinCount: 1,
          MaxCount: 1,
        }).Instances[0].InstanceId;
        ids.store = call(b, "RunInstances", {
          ImageId: ami(DEBIAN_INSTANCE_STORE),
          InstanceType: "m3.medium",
          MinCount: 1,
          MaxCount: 1,
        }).Instances[0].InstanceId;
        ids.nvme = call(a, "RunInstances", {
          ImageId: ami(AL2023_X86),
          InstanceType: "m5d.large",
          MinCount: 1,
          MaxCount: 1,
          BlockDeviceMappings: [
            { DeviceName: "/dev/sdf", Ebs: { VolumeSize: 20, VolumeType: "gp3", DeleteOnTermination: false } },
          ],
        }).Instances[0].InstanceId;
      },
    ],
    [
      "own VPC (networking, R27–R32)",
      () => {
        ids.vpc = call(a, "CreateVpc", {
          CidrBlock: "10.20.0.0/16",
          TagSpecifications: [{ ResourceType: "vpc", Tags: [{ Key: "Name", Value: "shop" }] }],
        }).Vpc.VpcId;
        call(a, "ModifyVpcAttribute", { VpcId: ids.vpc, EnableDnsHostnames: { Value: true } });
        ids.subnet = call(a, "CreateSubnet", { VpcId: ids.vpc, CidrBlock: "10.20.1.0/28" }).Subnet.SubnetId;
        ids.subnet2 = call(a, "CreateSubnet", { VpcId: ids.vpc, CidrBlock: "10.20.2.0/24" }).Subnet.SubnetId;
        call(a, "ModifySubnetAttribute", { SubnetId: ids.subnet, MapPublicIpOnLaunch: { Value: r() < 0.5 } });
        ids.vpcSg = call(a, "CreateSecurityGroup", { GroupName: "app", Description: "app", VpcId: ids.vpc }).GroupId;
        ids.inVpc = call(a, "RunInstances", {
          ImageId: ami(AL2023_X86),
          InstanceType: "t3.micro",
          MinCount: 2,
          MaxCount: 3 + n,
          SubnetId: ids.subnet,
          SecurityGroupIds: [ids.vpcSg],
        }).Instances.map((i: Any) => i.InstanceId);
        call(a, "TerminateInstances", { InstanceIds: [ids.inVpc[0]] });
        ids.gone = call(b, "CreateVpc", { CidrBlock: "192.168.0.0/24" }).Vpc.VpcId;
        call(b, "DeleteVpc", { VpcId: ids.gone });
        ids.igw = call(a, "CreateInternetGateway", {}).InternetGateway.InternetGatewayId;
        call(a, "AttachInternetGateway", { InternetGatewayId: ids.igw, VpcId: ids.vpc });
        ids.rtb = call(a, "CreateRouteTable", { VpcId: ids.vpc }).RouteTable.RouteTableId;
        call(a, "CreateRoute", { RouteTableId: ids.rtb, DestinationCidrBlock: "0.0.0.0/0", GatewayId: ids.igw });
        ids.rtbAssoc = call(a, "AssociateRouteTable", { RouteTableId: ids.rtb, SubnetId: ids.subnet }).AssociationId;
        call(a, "AssociateRouteTable", { RouteTableId: ids.rtb, SubnetId: ids.subnet2 });
        if (r() < 0.5) call(a, "DisassociateRouteTable", { AssociationId: ids.rtbAssoc });
        call(a, "CreateRoute", {
          RouteTableId: ids.rtb,
          DestinationCidrBlock: "198.51.100.0/24",
          InstanceId: ids.inVpc[1],
        });
        ids.eni = call(a, "CreateNetworkInterface", {
          SubnetId: ids.subnet2,
          SecondaryPrivateIpAddressCount: 1,
          TagSpecifications: [{ ResourceType: "network-interface", Tags: [{ Key: "Name", Value: "leg" }] }],
        }).NetworkInterface.NetworkInterfaceId;
        ids.multi = call(a, "RunInstances", {
          ImageId: ami(AL2023_X86),
          InstanceType: "m5.large",
          MinCount: 1,
          MaxCount: 1,
          NetworkInterfaces: [
            {
              DeviceIndex: 0,
              SubnetId: ids.subnet2,
              DeleteOnTermination: r() < 0.5,
              SecondaryPrivateIpAddressCount: 1,
            },
            { DeviceIndex: 1, SubnetId: ids.subnet2, Groups: [ids.vpcSg] },
          ],
        }).Instances[0].InstanceId;
        call(a, "AttachNetworkInterface", { NetworkInterfaceId: ids.eni, InstanceId: ids.multi, DeviceIndex: 2 });
        const primary = call(a, "DescribeInstances", { InstanceIds: [ids.multi] }).Reservations[0].Instances[0]
          .NetworkInterfaces[0].NetworkInterfaceId;
        call(a, "AssignPrivateIpAddresses", { NetworkInterfaceId: primary, SecondaryPrivateIpAddressCount: 2 });
        call(a, "ModifyNetworkInterfaceAttribute", { NetworkInterfaceId: primary, SourceDestCheck: { Value: false } });
        call(a, "CreateTags", { Resources: [primary], Tags: [{ Key: "role", Value: "router" }] });
        call(a, "CreateRoute", {
          RouteTableId: ids.rtb,
          DestinationCidrBlock: "192.0.2.0/24",
          NetworkInterfaceId: ids.eni,
        });
        ids.natEip = call(a, "AllocateAddress", { Domain: "vpc" }).AllocationId;
        ids.nat = call(a, "CreateNatGateway", {
          SubnetId: ids.subnet,
          AllocationId: ids.natEip,
        }).NatGateway.NatGatewayId;
        ids.privRtb = call(a, "CreateRouteTable", { VpcId: ids.vpc }).RouteTable.RouteTableId;
        call(a, "CreateRoute", { RouteTableId: ids.privRtb, DestinationCidrBlock: "0.0.0.0/0", NatGatewayId: ids.nat });
        ids.privSubnet = call(a, "CreateSubnet", { VpcId: ids.vpc, CidrBlock: "10.20.3.0/24" }).Subnet.SubnetId;
        call(a, "AssociateRouteTable", { RouteTableId: ids.privRtb, SubnetId: ids.privSubnet });
        ids.lt = call(a, "CreateLaunchTemplate", {
          LaunchTemplateName: "shop-app",
          LaunchTemplateData: { ImageId: ami(AL2023_X86), InstanceType: "t3.micro", SecurityGroupIds: [ids.vpcSg] },
        }).LaunchTemplate.LaunchTemplateId;
        call(a, "CreateLaunchTemplateVersion", {
          LaunchTemplateId: ids.lt,
          SourceVersion: "1",
          LaunchTemplateData: { InstanceType: r() < 0.5 ? "t3.small" : "t3.medium" },
        });
        if (r() < 0.5) call(a, "ModifyLaunchTemplate", { LaunchTemplateId: ids.lt, DefaultVersion: "2" });
        ids.fromLt = call(a, "RunInstances", {
          MinCount: 1,
          MaxCount: 1,
          SubnetId: ids.subnet2,
          LaunchTemplate: { LaunchTemplateName: "shop-app" },
        }).Instances[0].InstanceId;
        ids.priv = call(a, "RunInstances", {
          ImageId: ami(AL2023_X86),
          InstanceType: "t3.micro",
          MinCount: 1,
          MaxCount: 1,
          SubnetId: ids.privSubnet,
          UserData: Buffer.from("#cloud-config\npackages:\n  - nginx\n").toString("base64"),
        }).Instances[0].InstanceId;
      },
    ],
    [
      "instance profile on web2",
      () => {
        call(a, "AssociateIamInstanceProfile", { InstanceId: ids.web2, IamInstanceProfile: { Name: "web" } });
      },
    ],
    ["20 s in (some booted)", () => wait(20_000 + Math.floor(r() * 10_000))],
    ["5 min in", () => wait(5 * 60_000)],
    [
      "nginx",
      () => {
        sh(a, ids.web1, "sudo dnf install -y nginx && sudo systemctl enable --now nginx");
        sh(a, ids.web1, "echo '<h1>shop</h1>' | sudo tee /usr/share/nginx/html/index.html");
        sh(
          a,
          ids.web1,
          "echo 'secret=1' > /home/ec2-user/notes.txt && rm /home/ec2-user/notes.txt && echo kept > /home/ec2-user/kept.txt",
        );
      },
    ],
    [
      "instance-store files",
      () => {
        sh(
          a,
          ids.nvme,
          "echo scratch | sudo tee /media/ephemeral0/big.txt && echo more | sudo tee /media/ephemeral0/small.txt && sudo rm /media/ephemeral0/small.txt",
        );
        sh(b, ids.store, "echo data | sudo tee /etc/app.conf");
      },
    ],
    [
      "bundle",
      () => {
        sh(
          b,
          ids.store,
          "sudo ec2-bundle-vol -d /tmp && sudo ec2-upload-bundle -b b-bucket/app -m /tmp/image.manifest.xml",
        );
        ids.bundleAmi = call(b, "RegisterImage", {
          Name: "b-app",
          ImageLocation: "b-bucket/app/image.manifest.xml",
        }).ImageId;
      },
    ],
    [
      "image shop-1 (pending)",
      () => {
        ids.ami1 = call(a, "CreateImage", { InstanceId: ids.web1, Name: "shop-1", NoReboot: r() < 0.5 }).ImageId;
        wait(3_000);
      },
    ],
    ["shop-1 available", () => until(a, () => imageState(a, ids.ami1) === "available")],
    [
      "launch from bundle and from shop-1",
      () => {
        ids.fromBundle = call(b, "RunInstances", {
          ImageId: ids.bundleAmi,
          InstanceType: "m3.medium",
          MinCount: 1,
          MaxCount: 1,
        }).Instances[0].InstanceId;
        ids.gen2 = call(a, "RunInstances", {
          ImageId: ids.ami1,
          InstanceType: "t3.small",
          MinCount: 1,
          MaxCount: 1,
          KeyName: "ops",
        }).Instances[0].InstanceId;
        until(a, () => instState(a, ids.gen2) === "running");
      },
    ],
    [
      "AMI chain shop-2",
      () => {
        sh(a, ids.gen2, "echo v2 | sudo tee /usr/share/nginx/html/version.txt");
        ids.ami2 = call(a, "CreateImage", { InstanceId: ids.gen2, Name: "shop-2" }).ImageId;
        until(a, () => imageState(a, ids.ami2) === "available");
        ids.gen3 = call(a, "RunInstances", {
          ImageId: ids.ami2,
          InstanceType: "t3.micro",
          MinCount: 1,
          MaxCount: 1,
        }).Instances[0].InstanceId;
      },
    ],
    [
      "share and copy to EU (pending copies)",
      () => {
        call(a, "ModifyImageAttribute", { ImageId: ids.ami1, LaunchPermission: { Add: [{ UserId: B }] } });
        ids.fromShared = call(b, "RunInstances", {
          ImageId: ids.ami1,
          InstanceType: "t3.small",
          MinCount: 1,
          MaxCount: 1,
        }).Instances[0].InstanceId;
        ids.copy = call(aEu, "CopyImage", {
          SourceImageId: ids.ami2,
          SourceRegion: US,
          Name: "shop-2-eu",
          CopyImageTags: true,
        }).ImageId;
        wait(10_000);
      },
    ],
    [
      "volumes mid-flight",
      () => {
        const az = call(a, "DescribeInstances", { InstanceIds: [ids.web2] }).Reservations[0].Instances[0].Placement
          .AvailabilityZone;
        ids.vol = call(a, "CreateVolume", {
          AvailabilityZone: az,
          Size: 5 + Math.floor(r() * 5),
          VolumeType: "gp3",
        }).VolumeId;
        wait(2_000);
      },
    ],
    [
      "attach, modify, snapshot",
      () => {
        until(a, () => call(a, "DescribeVolumes", { VolumeIds: [ids.vol] }).Volumes[0].State === "available", 1_000);
        call(a, "AttachVolume", { VolumeId: ids.vol, InstanceId: ids.web2, Device: "/dev/sdg" });
        call(a, "ModifyVolume", { VolumeId: ids.vol, Size: 30 });
        ids.snap1 = call(a, "CreateSnapshot", { VolumeId: ids.vol, Description: "first" }).SnapshotId;
        wait(1_000);
      },
    ],
    [
      "more snapshots, copy, delete",
      () => {
        wait(60_000);
        ids.snap2 = call(a, "CreateSnapshot", { VolumeId: ids.vol, Description: "second" }).SnapshotId;
        wait(60_000);
        ids.snapCopy = call(aEu, "CopySnapshot", { SourceRegion: US, SourceSnapshotId: ids.snap1 }).SnapshotId;
        call(a, "DeleteSnapshot", { SnapshotId: ids.snap1 });
        call(a, "DetachVolume", { VolumeId: ids.vol });
      },
    ],
    [
      "elastic IPs",
      () => {
        ids.eip = call(a, "AllocateAddress", { Domain: "vpc" }).AllocationId;
        call(a, "AssociateAddress", { AllocationId: ids.eip, InstanceId: ids.web1 });
        ids.eip2 = call(a, "AllocateAddress", { Domain: "vpc" }).AllocationId;
        wait(3_600_000);
        call(a, "ReleaseAddress", { AllocationId: ids.eip2 });
      },
    ],
    [
      "stop, terminate (mid-flight)",
      () => {
        call(a, "StopInstances", { InstanceIds: [ids.web2] });
        call(a, "TerminateInstances", { InstanceIds: [ids.arm, ids.nvme, ids.multi] });
        if (r() < 0.5) call(a, "DeleteNatGateway", { NatGatewayId: ids.nat });
        call(b, "TerminateInstances", { InstanceIds: [ids.fromShared] });
        wait(5_000);
      },
    ],
    [
      "tags",
      () => {
        call(a, "CreateTags", {
          Resources: [ids.web1, ids.gen2],
          Tags: [
            { Key: "env", Value: "staging" },
            { Key: "owner", Value: "ops" },
          ],
        });
        call(a, "DeleteTags", { Resources: [ids.web1], Tags: [{ Key: "app" }] });
      },
    ],
    [
      "an hour on: forgotten",
      () => {
        wait(61 * 60_000);
        call(a, "StartInstances", { InstanceIds: [ids.web2] });
        call(a, "DeleteVolume", { VolumeId: ids.vol });
      },
    ],
    [
      "image builder",
      () => {
        const recipe = call(a, "CreateImageRecipe", {
          name: "web",
          semanticVersion: "1.0.0",
          parentImage: ami(AL2023_X86),
          components: [{ name: "nginx", commands: ["dnf install -y nginx", "systemctl enable nginx"] }],
        });
        const pipeline = call(a, "CreateImagePipeline", { name: "web-golden", imageRecipeArn: recipe.imageRecipeArn });
        ids.built = call(a, "StartImagePipelineExecution", { imagePipelineArn: pipeline.imagePipelineArn }).imageId;
      },
    ],
    [
      "deregister, EU launch",
      () => {
        until(a, () => imageState(aEu, ids.copy) === "available");
        ids.eu = call(aEu, "RunInstances", {
          ImageId: ids.copy,
          InstanceType: "t3.micro",
          MinCount: 1,
          MaxCount: 1,
        }).Instances[0].InstanceId;
        call(a, "DeregisterImage", { ImageId: ids.ami2 });
        wait(10_000 + Math.floor(r() * 20_000));
      },
    ],
  ];
  for (const [name, step] of steps) {
    step();
    if (snap) cuts.push({ step: name, seq: sb.state.seq, snapshot: snapshotState(sb) });
  }
  return { sb, events, ids, cuts };
}

/** Everything a user can see: Describe* of both accounts in both regions, files, the bill. */
function view(sb: Sandbox): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const call = (c: CallContext, action: string, input: Record<string, unknown> = {}): Any =>
    sb.call(c, action, input).output;
  for (const acct of [A, B]) {
    for (const region of [US, EU]) {
      const c = { accountId: acct, region };
      const k = `${acct}/${region}`;
      out[`${k}/instances`] = call(c, "DescribeInstances");
      out[`${k}/running`] = call(c, "DescribeInstances", {
        Filters: [{ Name: "instance-state-name", Values: ["running", "stopped"] }],
      });
      out[`${k}/tagged`] = call(c, "DescribeInstances", {
        Filters: [{ Name: "tag:env", Values: ["prod", "dev", "staging"] }],
      });
      out[`${k}/status`] = call(c, "DescribeInstanceStatus", { IncludeAllInstances: true });
      out[`${k}/images`] = call(c, "DescribeImages", { Owners: ["self"] });
      out[`${k}/shared`] = call(c, "DescribeImages", { ExecutableUsers: ["self"] });
      out[`${k}/volumes`] = call(c, "DescribeVolumes");
      out[`${k}/mods`] = call(c, "DescribeVolumesModifications");
      out[`${k}/snapshots`] = call(c, "DescribeSnapshots", { OwnerIds: ["self"] });
      out[`${k}/addresses`] = call(c, "DescribeAddresses");
      out[`${k}/keys`] = call(c, "DescribeKeyPairs");
      out[`${k}/groups`] = call(c, "DescribeSecurityGroups");
      out[`${k}/vpcs`] = call(c, "DescribeVpcs");
      out[`${k}/subnets`] = call(c, "DescribeSubnets");
      out[`${k}/vpc-attrs`] = call(c, "DescribeVpcs").Vpcs.map((v: Any) =>
        ["enableDnsSupport", "enableDnsHostnames"].map((Attribute) =>
          call(c, "DescribeVpcAttribute", { VpcId: v.VpcId, Attribute }),
        ),
      );
      out[`${k}/account`] = call(c, "DescribeAccountAttributes");
      out[`${k}/igws`] = call(c, "DescribeInternetGateways");
      out[`${k}/rtbs`] = call(c, "DescribeRouteTables");
      out[`${k}/acls`] = call(c, "DescribeNetworkAcls");
      out[`${k}/profiles`] = call(c, "DescribeIamInstanceProfileAssociations");
      out[`${k}/enis`] = call(c, "DescribeNetworkInterfaces");
      out[`${k}/nats`] = call(c, "DescribeNatGateways");
      out[`${k}/lts`] = call(c, "DescribeLaunchTemplates");
      out[`${k}/ltvs`] = call(c, "DescribeLaunchTemplateVersions");
      out[`${k}/cost`] = sb.costReport(acct);
    }
  }
  // IAM is per account, not per region; role sessions are keys that act as an account.
  for (const acct of [A, B]) {
    const c = { accountId: acct, region: US };
    out[`${acct}/iam/roles`] = call(c, "iam:ListRoles");
    out[`${acct}/iam/profiles`] = call(c, "iam:ListInstanceProfiles");
    out[`${acct}/iam/policies`] = call(c, "iam:ListPolicies", { Scope: "Local" });
    for (const role of (call(c, "iam:ListRoles") as Any).Roles) {
      out[`${acct}/iam/role/${role.RoleName}`] = [
        call(c, "iam:GetRole", { RoleName: role.RoleName }),
        call(c, "iam:ListRolePolicies", { RoleName: role.RoleName }),
        call(c, "iam:ListAttachedRolePolicies", { RoleName: role.RoleName }),
      ];
    }
  }
  for (const key of sb.state.stsSessions.keys()) out[`session/${key}`] = sb.accountForAccessKey(key) ?? null;
  for (const c of [a, aEu]) {
    const params = call(c, "ssm:DescribeParameters") as Any;
    out[`ssm/${c.region}`] = params;
    for (const p of params.Parameters) {
      out[`ssm/${c.region}/${p.Name}`] = call(c, "ssm:GetParameterHistory", { Name: p.Name, WithDecryption: true });
    }
  }
  // Guest files of every listed instance, node by node (contents, sizes, blocks).
  for (const r of sb.state.regions.values()) {
    for (const inst of r.instances.values()) {
      const g = guestView(sb.state, inst);
      out[`fs/${inst.instanceId}`] = g.paths().map((p) => [p, g.get(p)]);
      out[`running/${inst.instanceId}`] = [...inst.guest.running];
    }
  }
  out.cost = sb.costReport();
  out.now = sb.now;
  out.seq = sb.state.seq;
  out.cursor = sb.state.cursor;
  return out;
}

/** What happens next: new IDs, times, transitions and the events they make. */
function next(sb: Sandbox, ids: Any): unknown {
  const from = sb.state.seq;
  const log: EventEnvelope[] = [];
  const off = sb.subscribe((es) => log.push(...es));
  const run = sb.call(a, "RunInstances", {
    ImageId: ami(AL2023_X86),
    InstanceType: "m5.large",
    MinCount: 3,
    MaxCount: 3,
    TagSpecifications: [{ ResourceType: "instance", Tags: [{ Key: "env", Value: "prod" }] }],
  }).output as Any;
  sb.advance(90_000);
  const img = (
    sb.call(a, "CreateImage", { InstanceId: run.Instances[0].InstanceId, Name: `next-${from}` }).output as Any
  ).ImageId;
  const vol = (
    sb.call(a, "CreateVolume", { AvailabilityZone: run.Instances[0].Placement.AvailabilityZone, Size: 3 }).output as Any
  ).VolumeId;
  const eip = (sb.call(a, "AllocateAddress", {}).output as Any).PublicIp;
  sb.call(a, "GuestRun", {
    InstanceId: run.Instances[1].InstanceId,
    Command: "echo hi | sudo tee /etc/motd && dnf install -y httpd",
  });
  sb.call(a, "TerminateInstances", { InstanceIds: [run.Instances[2].InstanceId] });
  sb.advance(2 * 3_600_000);
  off();
  return {
    ids: run.Instances.map((i: Any) => [i.InstanceId, i.PrivateIpAddress, i.PublicIpAddress]),
    img,
    vol,
    eip,
    log,
    view: view(sb),
    web1: ids.web1,
  };
}

const SEEDS = ["snap-a", "snap-b", "snap-c"];

describe("snapshots of folded state", () => {
  for (const seed of SEEDS) {
    it(`${seed}: restore at every step + the rest of the log = live = full replay, and they go on identically`, () => {
      const live = story(seed);
      const replayed = Sandbox.replay(live.events, { seed, realNow: () => 0 });
      const want = view(live.sb);
      expect(view(replayed)).toEqual(want);
      // Snapshots of the live sandbox, the replay and a restore agree (timers aside: a replay keeps past ones until they fire).
      const body = (sb: Sandbox) => {
        expect(sb.sync()).toEqual([]);
        return canonical(snapshotState(sb));
      };
      const liveBody = body(live.sb); // the live sandbox does not move below: its snapshot is taken once
      expect(body(replayed)).toEqual(liveBody);
      const r = rng(`${seed}/cuts`);
      for (const cut of live.cuts) {
        const json = r() < 0.5;
        const snapshot = json ? (JSON.parse(JSON.stringify(cut.snapshot)) as SandboxSnapshot) : cut.snapshot;
        const restored = Sandbox.fromSnapshot(snapshot, { realNow: () => 0 });
        expect(restored.state.seq, cut.step).toBe(cut.seq);
        restored.apply(live.events.filter((e) => e.seq > cut.seq));
        expect(body(restored), cut.step).toEqual(liveBody);
        expect(view(restored), cut.step).toEqual(want);
      }
      // Going on: a restore from a mid-story snapshot (JSON round trip), a replay and the live
      // sandbox make the same IDs, times, events and answers. Pick a cut with transitions in flight.
      const mid = live.cuts.find((c) => c.step === "volumes mid-flight")!;
      expect(mid.snapshot.timers.length).toBeGreaterThan(0);
      const restored = Sandbox.fromSnapshot(JSON.parse(JSON.stringify(mid.snapshot)) as SandboxSnapshot, {
        realNow: () => 0,
      });
      restored.apply(live.events.filter((e) => e.seq > mid.seq));
      const fromReplaySnapshot = Sandbox.fromSnapshot(
        JSON.parse(
          JSON.stringify(snapshotState(Sandbox.replay(live.events, { seed, realNow: () => 0 }))),
        ) as SandboxSnapshot,
        { realNow: () => 0 },
      );
      const goLive = next(live.sb, live.ids);
      expect(next(replayed, live.ids)).toEqual(goLive);
      expect(next(restored, live.ids)).toEqual(goLive);
      expect(next(fromReplaySnapshot, live.ids)).toEqual(goLive);
    });
  }

  it("a snapshot taken mid-transition continues from there without the log: same events as the live sandbox", () => {
    const live = story("snap-mid");
    for (const step of [
      "launch web (pending)",
      "image shop-1 (pending)",
      "share and copy to EU (pending copies)",
      "attach, modify, snapshot",
      "stop, terminate (mid-flight)",
    ]) {
      const cut = live.cuts.find((c) => c.step === step)!;
      const twin = Sandbox.replay(live.events, { seed: "snap-mid", realNow: () => 0, upTo: cut.seq });
      const restored = Sandbox.fromSnapshot(JSON.parse(JSON.stringify(cut.snapshot)) as SandboxSnapshot, {
        realNow: () => 0,
      });
      const fired = (sb: Sandbox) => sb.advance(3 * 3_600_000).map((e) => ({ ...e }));
      const fromRestore = fired(restored);
      expect(fromRestore.length, step).toBeGreaterThan(1);
      expect(fromRestore, step).toEqual(fired(twin));
      expect(view(restored), step).toEqual(view(twin));
    }
  });

  it("a snapshot written before VPCs and subnets had their networking fields restores with them filled in", () => {
    const sb = new Sandbox({ seed: "old-snap", realNow: () => 0 });
    sb.createAccount({ accountId: A });
    sb.createAccount({ accountId: B });
    const run = sb.call(a, "RunInstances", { ImageId: ami(AL2023_X86), MinCount: 3, MaxCount: 3 }).output as Any;
    sb.call(a, "TerminateInstances", { InstanceIds: [run.Instances[1].InstanceId] });
    sb.advance(120_000);
    // The state as the previous version folded it: VPCs and subnets without the fields added since.
    const old = Sandbox.fromSnapshot(snapshotState(sb), { realNow: () => 0 });
    for (const r of old.state.regions.values()) {
      r.internetGateways.clear();
      r.routeTables.clear();
      r.networkAcls.clear();
      for (const v of r.vpcs.values())
        for (const k of [
          "instanceTenancy",
          "enableDnsSupport",
          "enableDnsHostnames",
          "enableNetworkAddressUsageMetrics",
        ])
          delete (v as Any)[k];
      for (const v of r.vpcs.values())
        for (const k of ["defaultSecurityGroupId", "defaultNetworkAclId"]) delete (v as Any)[k];
      for (const sn of r.subnets.values()) {
        for (const k of ["usedHosts", "privateDnsHostnameType", "enableResourceNameDnsARecord"]) delete (sn as Any)[k];
        (sn as Any).nextHost = 3; // the old meaning: addresses handed out so far
      }
    }
    const restored = Sandbox.fromSnapshot(JSON.parse(JSON.stringify(snapshotState(old))) as SandboxSnapshot, {
      realNow: () => 0,
    });
    expect(view(restored)).toEqual(view(sb));
    expect(next(restored, {})).toEqual(next(sb, {}));
  });

  it("refuses another format, and a seed that is not the snapshot's", () => {
    const s = snapshotState(new Sandbox({ seed: "x", realNow: () => 0 }));
    expect(() => Sandbox.fromSnapshot({ ...s, format: 3 as 2 })).toThrow(/format 3 is not supported/);
    expect(() => Sandbox.fromSnapshot(s, { seed: "y" })).toThrow(/seed 'x'/);
    expect(Sandbox.fromSnapshot(s).state.seed).toBe("x");
  });

  it("10,000 instances of one AMI: base layers are referenced, not copied (size recorded)", () => {
    const sb = new Sandbox({ seed: "size", realNow: () => 0 });
    sb.createAccount({ accountId: A });
    for (let i = 0; i < 10; i++)
      sb.call(a, "RunInstances", {
        ImageId: ami(AL2023_X86),
        InstanceType: "t3.micro",
        MinCount: 1000,
        MaxCount: 1000,
        TagSpecifications: [{ ResourceType: "instance", Tags: [{ Key: "team", Value: `t${i % 3}` }] }],
      });
    sb.advance(120_000);
    const t0 = performance.now();
    const snap = snapshotState(sb);
    const json = JSON.stringify(snap);
    const t1 = performance.now();
    const restored = Sandbox.fromSnapshot(JSON.parse(json) as SandboxSnapshot, { realNow: () => 0 });
    const t2 = performance.now();
    const perInstance = json.length / 10_000;
    // Every root volume's layer sits on the one AL2023 base, which is written as its key only.
    expect(snap.layers.length).toBe(10_000);
    expect(snap.layers.every(([parent]) => parent === snap.layers[0]![0] && typeof parent === "string")).toBe(true);
    expect(json.length).toBeLessThan(60 * 1024 * 1024);
    console.log(
      `snapshot of 10,000 running instances: ${(json.length / 1024 / 1024).toFixed(1)} MiB JSON (${(perInstance / 1024).toFixed(2)} KiB/instance), snapshot+stringify ${(t1 - t0).toFixed(0)} ms, parse+restore ${(t2 - t1).toFixed(0)} ms`,
    );
    const c = (s: Sandbox) =>
      s.call(a, "DescribeInstances", { Filters: [{ Name: "tag:team", Values: ["t1"] }], MaxResults: 50 }).output;
    expect(c(restored)).toEqual(c(sb));
    const id = [...sb.state.regions.get(US)!.instances.keys()][1234]!;
    const cat = (s: Sandbox) =>
      s.call(a, "GuestRun", { InstanceId: id, Command: "cat /etc/hostname /etc/os-release" }).output;
    expect(cat(restored)).toEqual(cat(sb));
  }, 120_000);
});
