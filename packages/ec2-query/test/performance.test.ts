/**
 * Figures for the wire layer. Parsing + serializing a DescribeInstances of 1,000 instances should
 * take a few milliseconds once the plans are compiled; the bounds asserted here are loose (shared CI
 * machines) and the measured figures are printed.
 */
import { describe, expect, it } from "vitest";
import { findOperation, parseQueryRequest, serializeResponse } from "../src/index.ts";

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

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const time = (f: () => unknown, runs: number): number => {
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    f();
    samples.push(performance.now() - t0);
  }
  return median(samples);
};

describe("performance", () => {
  it("DescribeInstances with 1,000 instances: parse the request, serialize the response", () => {
    const t0 = performance.now();
    findOperation("DescribeInstances")!.output;
    const compileMs = performance.now() - t0;

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

    const firstSerializeMs = time(() => serializeResponse("DescribeInstances", output, "r"), 1);
    const serializeMs = time(() => serializeResponse("DescribeInstances", output, "r"), 20);
    const parseMs = time(() => parseQueryRequest(requestBody), 20);
    const xml = serializeResponse("DescribeInstances", output, "r");
    const parsed = parseQueryRequest(requestBody);
    expect((parsed.input.InstanceIds as string[]).length).toBe(1000);
    expect(xml.split("<instanceId>").length - 1).toBe(1000);

    console.log(
      `DescribeInstances x1000: plan compile ${compileMs.toFixed(2)} ms, first serialize ${firstSerializeMs.toFixed(2)} ms, ` +
        `serialize median ${serializeMs.toFixed(2)} ms (${(xml.length / 1024).toFixed(0)} KiB), parse 1,000-id request median ${parseMs.toFixed(2)} ms`,
    );
    expect(serializeMs + parseMs).toBeLessThan(50);
  });
});
