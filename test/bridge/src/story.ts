/**
 * The seeds' story, the live part (nothing deregistered or terminated, so there is something to
 * export): AMI #1 (Quick Start AL2023) -> instance cats-1 with a key pair and a security group ->
 * nginx and the cat photo app inside it -> AMI #2 from it -> instance cats-2 from AMI #2 -> AMI #2
 * copied to eu-west-1 and shared with an account and an OU. Plus what the bridge also maps: a data
 * volume attached to cats-2, a snapshot of it, an Elastic IP on cats-2.
 *
 * Runs through any `call` (core in-process, or the server's admin API), so the same story builds
 * a sandbox in a test and in a running server.
 */
import { newestImage } from "./newest-image.ts";

export type Call = (action: string, input: Record<string, unknown>, region?: string) => Promise<any>;

export interface StoryIds {
  ami1: string;
  keyPairId: string;
  sg: string;
  i1: string;
  ami2: string;
  i2: string;
  copy: string;
  volume: string;
  snapshot: string;
  allocationId: string;
}

export async function catPhotoStory(
  call: Call,
  advance: (ms: number) => Promise<void>,
  share: { accountId: string; ouArn: string },
  /** Import this public key as cats-key instead of creating one (so two runs hold the same key). */
  publicKey?: string,
): Promise<StoryIds> {
  const images = (
    await call("DescribeImages", {
      Owners: ["amazon"],
      Filters: [
        { Name: "name", Values: ["al2023-ami-2023.*-x86_64"] },
        { Name: "state", Values: ["available"] },
      ],
    })
  ).Images;
  const ami1 = newestImage(images).ImageId as string;
  const key = publicKey
    ? await call("ImportKeyPair", { KeyName: "cats-key", PublicKeyMaterial: publicKey })
    : await call("CreateKeyPair", { KeyName: "cats-key" });
  const sg = await call("CreateSecurityGroup", {
    GroupName: "cats-web",
    Description: "SSH from my IP, HTTP from anywhere",
  });
  await call("AuthorizeSecurityGroupIngress", {
    GroupId: sg.GroupId,
    IpPermissions: [
      { IpProtocol: "tcp", FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: "203.0.113.10/32", Description: "my IP" }] },
      { IpProtocol: "tcp", FromPort: 80, ToPort: 80, IpRanges: [{ CidrIp: "0.0.0.0/0" }] },
    ],
  });
  const tagsOf = (name: string) => [
    {
      ResourceType: "instance",
      Tags: [
        { Key: "Name", Value: name },
        { Key: "app", Value: "cats" },
      ],
    },
  ];
  const run1 = await call("RunInstances", {
    ImageId: ami1,
    InstanceType: "t3.micro",
    MinCount: 1,
    MaxCount: 1,
    KeyName: "cats-key",
    SecurityGroupIds: [sg.GroupId],
    TagSpecifications: tagsOf("cats-1"),
  });
  const i1 = run1.Instances[0].InstanceId as string;
  await advance(60_000);
  const sh = async (cmd: string) => {
    const r = await call("GuestRun", { InstanceId: i1, Command: cmd });
    if (r.ExitCode !== 0) throw new Error(`${cmd}: exit ${r.ExitCode}: ${r.Output}`);
  };
  await sh("sudo dnf install -y nginx");
  await sh(`echo '<h1>Cat photos</h1><img src="/cats/tabby.jpg">' | sudo tee /usr/share/nginx/html/index.html`);
  await sh(
    "sudo mkdir -p /usr/share/nginx/html/cats && echo 'JPEG…tabby' | sudo tee /usr/share/nginx/html/cats/tabby.jpg > /dev/null",
  );
  await sh("sudo systemctl enable --now nginx");
  const ami2 = (
    await call("CreateImage", {
      InstanceId: i1,
      Name: "MyCustomAMI",
      Description: "Cat photo app on AL2023",
      TagSpecifications: [{ ResourceType: "image", Tags: [{ Key: "Version", Value: "1.0.0" }] }],
    })
  ).ImageId as string;
  await advance(120_000);
  const run2 = await call("RunInstances", {
    ImageId: ami2,
    InstanceType: "t3.micro",
    MinCount: 1,
    MaxCount: 1,
    KeyName: "cats-key",
    SecurityGroupIds: [sg.GroupId],
    TagSpecifications: tagsOf("cats-2"),
  });
  const i2 = run2.Instances[0].InstanceId as string;
  const az = run2.Instances[0].Placement.AvailabilityZone as string;
  await advance(60_000);
  const copy = (
    await call("CopyImage", { SourceImageId: ami2, SourceRegion: "us-east-1", Name: "MyCustomAMI" }, "eu-west-1")
  ).ImageId as string;
  await call("ModifyImageAttribute", {
    ImageId: ami2,
    LaunchPermission: { Add: [{ UserId: share.accountId }, { OrganizationalUnitArn: share.ouArn }] },
  });
  const vol = await call("CreateVolume", {
    AvailabilityZone: az,
    Size: 20,
    VolumeType: "gp3",
    TagSpecifications: [{ ResourceType: "volume", Tags: [{ Key: "Name", Value: "cats-data" }] }],
  });
  await advance(10_000);
  await call("AttachVolume", { VolumeId: vol.VolumeId, InstanceId: i2, Device: "/dev/sdf" });
  await advance(10_000);
  const snap = await call("CreateSnapshot", {
    VolumeId: vol.VolumeId,
    Description: "cat photos backup",
    TagSpecifications: [{ ResourceType: "snapshot", Tags: [{ Key: "Name", Value: "cats-data-backup" }] }],
  });
  const eip = await call("AllocateAddress", {
    Domain: "vpc",
    TagSpecifications: [{ ResourceType: "elastic-ip", Tags: [{ Key: "Name", Value: "cats-ip" }] }],
  });
  await call("AssociateAddress", { AllocationId: eip.AllocationId, InstanceId: i2 });
  await advance(300_000);
  return {
    ami1,
    keyPairId: key.KeyPairId,
    sg: sg.GroupId,
    i1,
    ami2,
    i2,
    copy,
    volume: vol.VolumeId,
    snapshot: snap.SnapshotId,
    allocationId: eip.AllocationId,
  };
}

export interface NetworkIds {
  vpc: string;
  publicSubnet: string;
  privateSubnet: string;
  igw: string;
  publicTable: string;
  sg: string;
  web: string;
  db: string;
  nat: string;
  natEip: string;
  eni: string;
  template: string;
  worker: string;
  /** The private key of shop-key, as CreateKeyPair gave it (the export carries the public half). */
  privateKey: string;
}

/**
 * A shop in its own VPC (issue #12): VPC 10.20.0.0/16 with DNS hostnames, a public subnet that maps
 * public IPs and a private one, an internet gateway, a public route table (0.0.0.0/0 to the gateway)
 * for the public subnet, a web security group in the VPC, a web server in the public subnet and a
 * database server in the private one (the VPC's default group); the private subnet's own table
 * routes out through a NAT gateway with an Elastic IP; the web server has a second interface of its
 * own (device 1, one secondary address); a launch template whose image is `resolve:ssm:` launches a
 * worker into the private subnet.
 */
export async function networkStory(call: Call, advance: (ms: number) => Promise<void>): Promise<NetworkIds> {
  const name = (resource: string, n: string) => [{ ResourceType: resource, Tags: [{ Key: "Name", Value: n }] }];
  const vpc = (await call("CreateVpc", { CidrBlock: "10.20.0.0/16", TagSpecifications: name("vpc", "shop") })).Vpc
    .VpcId as string;
  await call("ModifyVpcAttribute", { VpcId: vpc, EnableDnsHostnames: { Value: true } });
  const subnet = async (cidr: string, n: string) =>
    (
      await call("CreateSubnet", {
        VpcId: vpc,
        CidrBlock: cidr,
        AvailabilityZone: "us-east-1a",
        TagSpecifications: name("subnet", n),
      })
    ).Subnet.SubnetId as string;
  const publicSubnet = await subnet("10.20.1.0/24", "shop-public");
  const privateSubnet = await subnet("10.20.2.0/24", "shop-private");
  await call("ModifySubnetAttribute", { SubnetId: publicSubnet, MapPublicIpOnLaunch: { Value: true } });
  const igw = (await call("CreateInternetGateway", { TagSpecifications: name("internet-gateway", "shop-igw") }))
    .InternetGateway.InternetGatewayId as string;
  await call("AttachInternetGateway", { InternetGatewayId: igw, VpcId: vpc });
  const publicTable = (
    await call("CreateRouteTable", { VpcId: vpc, TagSpecifications: name("route-table", "shop-public-routes") })
  ).RouteTable.RouteTableId as string;
  await call("CreateRoute", { RouteTableId: publicTable, DestinationCidrBlock: "0.0.0.0/0", GatewayId: igw });
  await call("AssociateRouteTable", { RouteTableId: publicTable, SubnetId: publicSubnet });
  const sg = (
    await call("CreateSecurityGroup", { GroupName: "shop-web-sg", Description: "SSH and HTTP to the shop", VpcId: vpc })
  ).GroupId as string;
  await call("AuthorizeSecurityGroupIngress", {
    GroupId: sg,
    IpPermissions: [
      { IpProtocol: "tcp", FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: "0.0.0.0/0" }] },
      { IpProtocol: "tcp", FromPort: 80, ToPort: 80, IpRanges: [{ CidrIp: "0.0.0.0/0" }] },
    ],
  });
  const key = await call("CreateKeyPair", { KeyName: "shop-key" });
  const run = async (subnetId: string, n: string, groups?: string[]) =>
    (
      await call("RunInstances", {
        ImageId: newestImage(
          (
            await call("DescribeImages", {
              Owners: ["amazon"],
              Filters: [{ Name: "name", Values: ["al2023-ami-2023.*-x86_64"] }],
            })
          ).Images,
        ).ImageId,
        InstanceType: "t3.micro",
        MinCount: 1,
        MaxCount: 1,
        KeyName: "shop-key",
        SubnetId: subnetId,
        ...(groups ? { SecurityGroupIds: groups } : {}),
        TagSpecifications: name("instance", n),
      })
    ).Instances[0].InstanceId as string;
  const web = await run(publicSubnet, "shop-web", [sg]);
  const db = await run(privateSubnet, "shop-db");
  // The private subnet goes out through a NAT gateway with its Elastic IP, in a table of its own.
  const natEip = (
    await call("AllocateAddress", { Domain: "vpc", TagSpecifications: name("elastic-ip", "shop-nat-ip") })
  ).AllocationId as string;
  const nat = (
    await call("CreateNatGateway", {
      SubnetId: publicSubnet,
      AllocationId: natEip,
      TagSpecifications: name("natgateway", "shop-nat"),
    })
  ).NatGateway.NatGatewayId as string;
  const privateTable = (
    await call("CreateRouteTable", { VpcId: vpc, TagSpecifications: name("route-table", "shop-private-routes") })
  ).RouteTable.RouteTableId as string;
  await call("CreateRoute", { RouteTableId: privateTable, DestinationCidrBlock: "0.0.0.0/0", NatGatewayId: nat });
  await call("AssociateRouteTable", { RouteTableId: privateTable, SubnetId: privateSubnet });
  // A second interface of its own on the web server (an admin network, say).
  const eni = (
    await call("CreateNetworkInterface", {
      SubnetId: publicSubnet,
      Description: "shop admin",
      Groups: [sg],
      SecondaryPrivateIpAddressCount: 1,
      TagSpecifications: name("network-interface", "shop-admin-eni"),
    })
  ).NetworkInterface.NetworkInterfaceId as string;
  await call("AttachNetworkInterface", { NetworkInterfaceId: eni, InstanceId: web, DeviceIndex: 1 });
  // A launch template whose image is an SSM parameter, resolved at each launch, and a worker from it.
  const template = (
    await call("CreateLaunchTemplate", {
      LaunchTemplateName: "shop-worker-template",
      LaunchTemplateData: {
        ImageId: "resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64",
        InstanceType: "t3.small",
        KeyName: "shop-key",
        SecurityGroupIds: [sg],
        MetadataOptions: { HttpTokens: "required" },
      },
    })
  ).LaunchTemplate.LaunchTemplateId as string;
  const worker = (
    await call("RunInstances", {
      LaunchTemplate: { LaunchTemplateId: template },
      MinCount: 1,
      MaxCount: 1,
      SubnetId: privateSubnet,
      TagSpecifications: name("instance", "shop-worker"),
    })
  ).Instances[0].InstanceId as string;
  await advance(120_000);
  return {
    vpc,
    publicSubnet,
    privateSubnet,
    igw,
    publicTable,
    sg,
    web,
    db,
    nat,
    natEip,
    eni,
    template,
    worker,
    privateKey: key.KeyMaterial,
  };
}
