/**
 * The wire layer at the size of a large account: a 1,000-ID request parses and a 1,000-instance
 * DescribeInstances serializes whole. How long that takes is measured by bench/endpoint, not asserted
 * here (shared machines make timing assertions flaky).
 */
import { describe, expect, it } from "vitest";
import { parseQueryRequest, serializeResponse } from "../src/index.ts";

const launch = new Date("2024-12-12T05:03:52.000Z");
const instance = (n: number) => ({
  InstanceId: `i-${n.toString(16).padStart(17, "0")}`,
  ImageId: "ami-0f3c1e2d3c4b5a697",
  InstanceType: "t3.micro",
  KeyName: "laptop",
  State: { Code: 16, Name: "running" },
  LaunchTime: launch,
  Placement: { AvailabilityZone: "us-east-1a", Tenancy: "default", GroupName: "" },
  PrivateDnsName: `ip-172-31-${n % 250}-${n % 200}.ec2.internal`,
  PrivateIpAddress: `172.31.${n % 250}.${n % 200}`,
  PublicDnsName: `ec2-54-210-${n % 250}-${n % 200}.compute-1.amazonaws.com`,
  PublicIpAddress: `54.210.${n % 250}.${n % 200}`,
  SubnetId: "subnet-0123456789abcdef0",
  VpcId: "vpc-0123456789abcdef0",
  Architecture: "x86_64",
  RootDeviceName: "/dev/xvda",
  RootDeviceType: "ebs",
  VirtualizationType: "hvm",
  Hypervisor: "xen",
  EbsOptimized: false,
  EnaSupport: true,
  SourceDestCheck: true,
  AmiLaunchIndex: 0,
  Monitoring: { State: "disabled" },
  SecurityGroups: [{ GroupId: "sg-0123456789abcdef0", GroupName: "web" }],
  Tags: [
    { Key: "Name", Value: `web-${n}` },
    { Key: "env", Value: "dev & test <sandbox>" },
  ],
  BlockDeviceMappings: [
    {
      DeviceName: "/dev/xvda",
      Ebs: { VolumeId: "vol-0123456789abcdef0", Status: "attached", AttachTime: launch, DeleteOnTermination: true },
    },
  ],
  CpuOptions: { CoreCount: 1, ThreadsPerCore: 2 },
  MetadataOptions: { State: "applied", HttpTokens: "required", HttpPutResponseHopLimit: 2, HttpEndpoint: "enabled" },
});

describe("large payloads", () => {
  it("DescribeInstances with 1,000 instances: parse the request, serialize the response", () => {
    const output = {
      Reservations: Array.from({ length: 1000 }, (_, n) => ({
        ReservationId: `r-${n.toString(16).padStart(17, "0")}`,
        OwnerId: "111122223333",
        Groups: [],
        Instances: [instance(n)],
      })),
    };
    const requestBody = [
      "Action=DescribeInstances&Version=2016-11-15&MaxResults=1000",
      ...Array.from({ length: 1000 }, (_, n) => `InstanceId.${n + 1}=i-${n.toString(16).padStart(17, "0")}`),
      "Filter.1.Name=instance-state-name&Filter.1.Value.1=running&Filter.1.Value.2=pending",
      "Filter.2.Name=tag%3Aenv&Filter.2.Value.1=dev",
    ].join("&");

    const xml = serializeResponse("DescribeInstances", output, "r");
    const parsed = parseQueryRequest(requestBody);
    expect((parsed.input.InstanceIds as string[]).length).toBe(1000);
    expect(xml.split("<instanceId>").length - 1).toBe(1000);

    // Every instance is there once, with its tags escaped and its block device kept.
    expect(xml.split("<item><key>env</key><value>dev &amp; test &lt;sandbox&gt;</value></item>").length - 1).toBe(1000);
    expect(xml.split("<volumeId>vol-0123456789abcdef0</volumeId>").length - 1).toBe(1000);
    expect(parsed.input.Filters).toEqual([
      { Name: "instance-state-name", Values: ["running", "pending"] },
      { Name: "tag:env", Values: ["dev"] },
    ]);
  });
});
