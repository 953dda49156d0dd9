/**
 * A sandbox whose instances show most of what DescribeInstances can: every state, tags, key pairs,
 * extra and secondary addresses, Elastic IPs, extra volumes, an instance profile, Spot, Windows,
 * changed attributes and metadata options, and a group deleted under a terminated instance. Built
 * step by step, so a test can look after each step (the instance-shape cache, issue #15) or only
 * at the end (the XML writers).
 */
import { Sandbox } from "../src/index.ts";
import { type Any, ME, OTHER, REGION } from "./network-world.ts";
import { AL2023_X86, ami, UBUNTU_X86, WINDOWS_2022 } from "./r01-r13-helpers.ts";

export interface VariedWorld {
  readonly sb: Sandbox;
  /** Each step changes the sandbox; run them in order. */
  readonly steps: readonly [string, () => void][];
}

export function variedInstances(seed = "varied-instances"): VariedWorld {
  const sb = new Sandbox({ seed, realNow: () => 0 });
  sb.createAccount({ accountId: ME, callerIp: "203.0.113.10" });
  sb.createAccount({ accountId: OTHER, callerIp: "198.51.100.20" });
  const me = { accountId: ME, region: REGION };
  const call = (action: string, input: Record<string, unknown> = {}): Any => sb.call(me, action, input).output;
  const run = (extra: Record<string, unknown> = {}, image = ami(AL2023_X86)): string[] =>
    call("RunInstances", {
      ImageId: image,
      InstanceType: "t3.micro",
      MinCount: 1,
      MaxCount: 1,
      ...extra,
    }).Instances.map((i: Any) => i.InstanceId);
  const ids: Record<string, string> = {};
  const vars: Record<string, Any> = {};
  const steps: [string, () => void][] = [
    [
      "launch a tagged pair with a key pair",
      () => {
        call("CreateKeyPair", { KeyName: "k1", KeyType: "ed25519" });
        const [a, b] = run({
          MinCount: 2,
          MaxCount: 2,
          KeyName: "k1",
          TagSpecifications: [
            {
              ResourceType: "instance",
              Tags: [
                { Key: "Name", Value: "web <&> é 日" },
                { Key: "env", Value: "prod" },
              ],
            },
          ],
        });
        ids.a = a!;
        ids.b = b!;
      },
    ],
    ["run them", () => sb.advance(120_000)],
    [
      "an instance profile",
      () => {
        call("iam:CreateRole", {
          RoleName: "web-role",
          AssumeRolePolicyDocument: JSON.stringify({
            Version: "2012-10-17",
            Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }],
          }),
        });
        call("iam:CreateInstanceProfile", { InstanceProfileName: "web-profile" });
        call("iam:AddRoleToInstanceProfile", { InstanceProfileName: "web-profile", RoleName: "web-role" });
        ids.p = run({ IamInstanceProfile: { Name: "web-profile" }, Monitoring: { Enabled: true } })[0]!;
      },
    ],
    ["a Spot instance", () => void (ids.s = run({ InstanceMarketOptions: { MarketType: "spot" } })[0]!)],
    ["Windows", () => void (ids.w = run({ InstanceType: "t3.medium" }, ami(WINDOWS_2022))[0]!)],
    ["Ubuntu", () => void (ids.u = run({}, ami(UBUNTU_X86))[0]!)],
    ["boot", () => sb.advance(300_000)],
    ["tag one", () => call("CreateTags", { Resources: [ids.a], Tags: [{ Key: "touched", Value: "1" }] })],
    ["untag another", () => call("DeleteTags", { Resources: [ids.b], Tags: [{ Key: "env" }] })],
    [
      "an extra interface",
      () => {
        const subnet = call("DescribeInstances", { InstanceIds: [ids.a] }).Reservations[0].Instances[0].SubnetId;
        vars.eni = call("CreateNetworkInterface", { SubnetId: subnet, Description: "leg" }).NetworkInterface;
        call("AttachNetworkInterface", {
          NetworkInterfaceId: vars.eni.NetworkInterfaceId,
          InstanceId: ids.a,
          DeviceIndex: 1,
        });
      },
    ],
    [
      "secondary addresses",
      () =>
        call("AssignPrivateIpAddresses", {
          NetworkInterfaceId: vars.eni.NetworkInterfaceId,
          SecondaryPrivateIpAddressCount: 1,
        }),
    ],
    [
      "an Elastic IP",
      () => {
        vars.eip = call("AllocateAddress", { Domain: "vpc" });
        call("AssociateAddress", { AllocationId: vars.eip.AllocationId, InstanceId: ids.b });
      },
    ],
    [
      "an extra volume",
      () => {
        const az = call("DescribeInstances", { InstanceIds: [ids.u] }).Reservations[0].Instances[0].Placement
          .AvailabilityZone;
        vars.vol = call("CreateVolume", { AvailabilityZone: az, Size: 2 }).VolumeId;
        sb.advance(10_000);
        call("AttachVolume", { VolumeId: vars.vol, InstanceId: ids.u, Device: "/dev/sdf" });
      },
    ],
    ["metadata options", () => call("ModifyInstanceMetadataOptions", { InstanceId: ids.p, HttpTokens: "required" })],
    ["stop one", () => call("StopInstances", { InstanceIds: [ids.u] })],
    ["stopped", () => sb.advance(120_000)],
    [
      "change its type",
      () => call("ModifyInstanceAttribute", { InstanceId: ids.u, InstanceType: { Value: "t3.small" } }),
    ],
    [
      "source/dest check",
      () => call("ModifyInstanceAttribute", { InstanceId: ids.a, SourceDestCheck: { Value: false } }),
    ],
    ["detach the volume", () => call("DetachVolume", { VolumeId: vars.vol })],
    ["start it again", () => call("StartInstances", { InstanceIds: [ids.u] })],
    ["reboot one", () => call("RebootInstances", { InstanceIds: [ids.a] })],
    [
      "move the Elastic IP",
      () =>
        call("AssociateAddress", { AllocationId: vars.eip.AllocationId, InstanceId: ids.w, AllowReassociation: true }),
    ],
    [
      "a group only a terminating instance uses",
      () => {
        const vpc = call("DescribeInstances", { InstanceIds: [ids.a] }).Reservations[0].Instances[0].VpcId;
        vars.sg = call("CreateSecurityGroup", { GroupName: "short-lived", Description: "x", VpcId: vpc }).GroupId;
        ids.t = run({ SecurityGroupIds: [vars.sg] })[0]!;
      },
    ],
    ["terminate it", () => call("TerminateInstances", { InstanceIds: [ids.t] })],
    ["and the Spot one", () => call("TerminateInstances", { InstanceIds: [ids.s] })],
    ["shut down", () => sb.advance(120_000)],
    ["delete the group", () => call("DeleteSecurityGroup", { GroupId: vars.sg })],
    [
      "disassociate the profile",
      () => {
        const assoc = call("DescribeIamInstanceProfileAssociations", {}).IamInstanceProfileAssociations[0];
        call("DisassociateIamInstanceProfile", { AssociationId: assoc.AssociationId });
      },
    ],
    ["stop another (stopping)", () => call("StopInstances", { InstanceIds: [ids.w] })],
    [
      "launch one more (pending)",
      () =>
        void (ids.n = run({
          TagSpecifications: [{ ResourceType: "instance", Tags: [{ Key: "late", Value: "" }] }],
        })[0]!),
    ],
  ];
  return { sb, steps };
}
