/**
 * R32: launch templates hold numbered, immutable versions of launch parameters and a default
 * version; RunInstances with a template merges the chosen version ($Latest, $Default or a number)
 * with the call's own parameters, the call winning.
 */
import { describe, expect, it } from "vitest";
import { type Any, expectFailure, networkWorld } from "./network-world.ts";
import { AL2023_ARM, AL2023_X86, ami } from "./r01-r13-helpers.ts";

describe("R32 launch templates", () => {
  it("R32 versions are numbered and immutable; the default moves with ModifyLaunchTemplate; names are unique", () => {
    const w = networkWorld("r32-versions");
    const created = w.call("CreateLaunchTemplate", {
      LaunchTemplateName: "web",
      VersionDescription: "first",
      LaunchTemplateData: { ImageId: ami(AL2023_X86), InstanceType: "t3.micro" },
      TagSpecifications: w.tag("launch-template", "web-lt"),
    }).LaunchTemplate;
    expect(created).toMatchObject({
      LaunchTemplateId: expect.stringMatching(/^lt-[0-9a-f]{17}$/),
      LaunchTemplateName: "web",
      DefaultVersionNumber: 1,
      LatestVersionNumber: 1,
      CreatedBy: "arn:aws:iam::111122223333:root",
      Tags: [{ Key: "Name", Value: "web-lt" }],
    });
    const id = created.LaunchTemplateId;
    expectFailure(
      w.fail("CreateLaunchTemplate", { LaunchTemplateName: "web", LaunchTemplateData: {} }),
      "InvalidLaunchTemplateName.AlreadyExistsException",
      "Launch template name already in use.",
    );
    expectFailure(
      w.fail("CreateLaunchTemplate", { LaunchTemplateName: "a b", LaunchTemplateData: {} }),
      "InvalidLaunchTemplateName.MalformedException",
    );
    expectFailure(w.fail("CreateLaunchTemplate", { LaunchTemplateName: "no-data" }), "MissingParameter");
    const v2 = w.call("CreateLaunchTemplateVersion", {
      LaunchTemplateId: id,
      VersionDescription: "bigger",
      LaunchTemplateData: { ImageId: ami(AL2023_X86), InstanceType: "t3.large" },
    }).LaunchTemplateVersion;
    expect(v2).toMatchObject({ VersionNumber: 2, DefaultVersion: false, VersionDescription: "bigger" });
    // From a source version: its parameters, with the new ones over them.
    const v3 = w.call("CreateLaunchTemplateVersion", {
      LaunchTemplateName: "web",
      SourceVersion: "1",
      LaunchTemplateData: { KeyName: "k" },
    }).LaunchTemplateVersion;
    expect(v3.LaunchTemplateData).toEqual({ ImageId: ami(AL2023_X86), InstanceType: "t3.micro", KeyName: "k" });
    const lt = () => w.call("DescribeLaunchTemplates", { LaunchTemplateIds: [id] }).LaunchTemplates[0];
    expect(lt()).toMatchObject({ DefaultVersionNumber: 1, LatestVersionNumber: 3 });
    w.call("ModifyLaunchTemplate", { LaunchTemplateId: id, DefaultVersion: "2" });
    expect(lt().DefaultVersionNumber).toBe(2);
    expectFailure(
      w.fail("ModifyLaunchTemplate", { LaunchTemplateId: id, DefaultVersion: "9" }),
      "InvalidLaunchTemplateId.VersionNotFound",
    );
    const versions = (Versions?: string[]) =>
      w
        .call("DescribeLaunchTemplateVersions", { LaunchTemplateId: id, ...(Versions ? { Versions } : {}) })
        .LaunchTemplateVersions.map((v: Any) => [v.VersionNumber, v.DefaultVersion]);
    expect(versions()).toEqual([
      [3, false],
      [2, true],
      [1, false],
    ]);
    expect(versions(["$Latest", "$Default"])).toEqual([
      [3, false],
      [2, true],
    ]);
    expect(
      w
        .call("DescribeLaunchTemplateVersions", {
          LaunchTemplateName: "web",
          Filters: [{ Name: "instance-type", Values: ["t3.micro"] }],
        })
        .LaunchTemplateVersions.map((v: Any) => v.VersionNumber),
    ).toEqual([3, 1]);
    // The default version cannot be deleted; others can.
    const del = w.call("DeleteLaunchTemplateVersions", { LaunchTemplateId: id, Versions: ["2", "3"] });
    expect(del.SuccessfullyDeletedLaunchTemplateVersions.map((v: Any) => v.VersionNumber)).toEqual([3]);
    expect(del.UnsuccessfullyDeletedLaunchTemplateVersions[0].ResponseError.Code).toBe(
      "launchTemplateVersionIsDefault",
    );
    expectFailure(
      w.fail("DescribeLaunchTemplates", { LaunchTemplateIds: ["lt-00000000000000000"] }),
      "InvalidLaunchTemplateId.NotFound",
      "The specified launch template, with template ID lt-00000000000000000, does not exist.",
    );
    // Another account sees none of it.
    expectFailure(
      w.fail(
        "DescribeLaunchTemplates",
        { LaunchTemplateIds: [id] },
        { accountId: "444455556666", region: "us-east-1" },
      ),
      "InvalidLaunchTemplateId.NotFound",
    );
    w.call("DeleteLaunchTemplate", { LaunchTemplateName: "web" });
    expectFailure(w.fail("DescribeLaunchTemplates", { LaunchTemplateIds: [id] }), "InvalidLaunchTemplateId.NotFound");
  });

  it("R32 RunInstances merges the chosen version with the call's parameters, the call winning", () => {
    const w = networkWorld("r32-launch");
    const vpc = w.call("CreateVpc", { CidrBlock: "10.0.0.0/16" }).Vpc.VpcId;
    const sn = w.call("CreateSubnet", { VpcId: vpc, CidrBlock: "10.0.1.0/24" }).Subnet.SubnetId;
    const sg = w.call("CreateSecurityGroup", { GroupName: "web", Description: "web", VpcId: vpc }).GroupId;
    w.call("CreateKeyPair", { KeyName: "k" });
    const id = w.call("CreateLaunchTemplate", {
      LaunchTemplateName: "app",
      LaunchTemplateData: {
        ImageId: ami(AL2023_X86),
        InstanceType: "t3.small",
        KeyName: "k",
        NetworkInterfaces: [{ DeviceIndex: 0, SubnetId: sn, Groups: [sg], AssociatePublicIpAddress: false }],
        TagSpecifications: [
          { ResourceType: "instance", Tags: [{ Key: "Name", Value: "from-template" }] },
          { ResourceType: "volume", Tags: [{ Key: "tier", Value: "app" }] },
        ],
        MetadataOptions: { HttpTokens: "required" },
        UserData: Buffer.from("#!/bin/bash\necho templated > /var/tmp/t.txt\n").toString("base64"),
      },
    }).LaunchTemplate.LaunchTemplateId;
    w.call("CreateLaunchTemplateVersion", {
      LaunchTemplateId: id,
      SourceVersion: "1",
      LaunchTemplateData: { InstanceType: "t3.medium" },
    });

    // No version: the default (1).
    const d = w.launch({ ImageId: undefined, InstanceType: undefined, LaunchTemplate: { LaunchTemplateId: id } })
      .Instances[0];
    expect(d).toMatchObject({ InstanceType: "t3.small", KeyName: "k", SubnetId: sn, VpcId: vpc });
    expect(d.SecurityGroups).toEqual([{ GroupId: sg, GroupName: "web" }]);
    expect(d.PublicIpAddress).toBeUndefined();
    expect(d.MetadataOptions.HttpTokens).toBe("required");
    const tags = Object.fromEntries(d.Tags.map((t: Any) => [t.Key, t.Value]));
    expect(tags).toEqual({
      Name: "from-template",
      "aws:ec2launchtemplate:id": id,
      "aws:ec2launchtemplate:version": "1",
    });
    const vol = w.call("DescribeVolumes", { VolumeIds: [d.BlockDeviceMappings[0].Ebs.VolumeId] }).Volumes[0];
    expect(vol.Tags).toEqual([{ Key: "tier", Value: "app" }]);
    // $Latest, by name.
    const latest = w.launch({
      ImageId: undefined,
      InstanceType: undefined,
      LaunchTemplate: { LaunchTemplateName: "app", Version: "$Latest" },
    }).Instances[0];
    expect(latest.InstanceType).toBe("t3.medium");
    expect(latest.Tags).toContainEqual({ Key: "aws:ec2launchtemplate:version", Value: "2" });
    // The call wins: its type, its image, its instance tags (the template's volume tags stay).
    const mine = w.launch({
      ImageId: ami(AL2023_ARM),
      InstanceType: "t4g.micro",
      LaunchTemplate: { LaunchTemplateId: id, Version: "2" },
      TagSpecifications: w.tag("instance", "from-call"),
    }).Instances[0];
    expect(mine).toMatchObject({ InstanceType: "t4g.micro", ImageId: ami(AL2023_ARM), Architecture: "arm64" });
    expect(mine.Tags).toContainEqual({ Key: "Name", Value: "from-call" });
    expect(mine.Tags).not.toContainEqual({ Key: "Name", Value: "from-template" });
    // A subnet of the call goes to the template's primary interface.
    const other = w.call("CreateSubnet", { VpcId: vpc, CidrBlock: "10.0.2.0/24" }).Subnet.SubnetId;
    const moved = w.launch({
      ImageId: undefined,
      InstanceType: undefined,
      SubnetId: other,
      LaunchTemplate: { LaunchTemplateId: id },
    }).Instances[0];
    expect(moved.SubnetId).toBe(other);
    expect(moved.SecurityGroups[0].GroupId).toBe(sg);
    // The template's user data ran at boot.
    w.until(d.InstanceId, "running");
    expect(w.call("GuestRun", { InstanceId: d.InstanceId, Command: "cat /var/tmp/t.txt" }).Output).toBe("templated\n");
    // Errors: a missing version, a missing template.
    expectFailure(
      w.fail("RunInstances", { MinCount: 1, MaxCount: 1, LaunchTemplate: { LaunchTemplateId: id, Version: "7" } }),
      "InvalidLaunchTemplateId.VersionNotFound",
    );
    expectFailure(
      w.fail("RunInstances", { MinCount: 1, MaxCount: 1, LaunchTemplate: { LaunchTemplateName: "nope" } }),
      "InvalidLaunchTemplateName.NotFoundException",
    );
    // A template without an image needs one from the call.
    const bare = w.call("CreateLaunchTemplate", {
      LaunchTemplateName: "bare",
      LaunchTemplateData: { InstanceType: "t3.micro" },
    }).LaunchTemplate.LaunchTemplateId;
    expectFailure(
      w.fail("RunInstances", { MinCount: 1, MaxCount: 1, LaunchTemplate: { LaunchTemplateId: bare } }),
      "MissingParameter",
      "ImageId",
    );
    // The template's later changes do not touch the launched instances (versions are immutable).
    w.call("ModifyLaunchTemplate", { LaunchTemplateId: id, DefaultVersion: "2" });
    expect(w.instance(d.InstanceId).InstanceType).toBe("t3.small");
  });

  it("R32 a template's resolve:ssm: image is resolved at each launch, not when the template is made", () => {
    const w = networkWorld("r32-ssm");
    w.call("ssm:PutParameter", {
      Name: "/golden/web",
      Value: ami(AL2023_X86),
      Type: "String",
      DataType: "aws:ec2:image",
    });
    const id = w.call("CreateLaunchTemplate", {
      LaunchTemplateName: "golden",
      LaunchTemplateData: { ImageId: "resolve:ssm:/golden/web", InstanceType: "t4g.micro" },
    }).LaunchTemplate.LaunchTemplateId;
    const first = w.call("RunInstances", {
      LaunchTemplate: { LaunchTemplateId: id },
      InstanceType: "t3.micro",
      MinCount: 1,
      MaxCount: 1,
    }).Instances[0];
    expect(first.ImageId).toBe(ami(AL2023_X86));
    // The parameter moves on: the same template version launches the new image.
    w.call("ssm:PutParameter", { Name: "/golden/web", Value: ami(AL2023_ARM), Overwrite: true });
    const second = w.call("RunInstances", {
      LaunchTemplate: { LaunchTemplateName: "golden" },
      MinCount: 1,
      MaxCount: 1,
    }).Instances[0];
    expect(second.ImageId).toBe(ami(AL2023_ARM));
    expect(w.instance(second.InstanceId).ImageId).toBe(ami(AL2023_ARM));
    // The version keeps the alias; ResolveAlias shows what it resolves to now.
    const data = (input: Record<string, unknown>) =>
      w.call("DescribeLaunchTemplateVersions", { LaunchTemplateId: id, ...input }).LaunchTemplateVersions[0]
        .LaunchTemplateData;
    expect(data({}).ImageId).toBe("resolve:ssm:/golden/web");
    expect(data({ ResolveAlias: true }).ImageId).toBe(ami(AL2023_ARM));
    // A parameter gone: the launch fails as RunInstances' own resolve:ssm: does, and nothing launches.
    w.call("ssm:DeleteParameter", { Name: "/golden/web" });
    expectFailure(
      w.fail("RunInstances", { LaunchTemplate: { LaunchTemplateId: id }, MinCount: 1, MaxCount: 1 }),
      "InvalidParameterValue",
      /\/golden\/web does not exist/,
    );
  });
});
