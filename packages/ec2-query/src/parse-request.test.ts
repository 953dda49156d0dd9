import { describe, expect, it } from "vitest";
import { Ec2Error } from "./ec2-error.ts";
import { parseQueryRequest } from "./parse-request.ts";

const parse = (body: string) => parseQueryRequest(body);
const failure = (body: string | URLSearchParams): Ec2Error => {
  try {
    parseQueryRequest(body);
  } catch (e) {
    expect(e).toBeInstanceOf(Ec2Error);
    return e as Ec2Error;
  }
  throw new Error(`expected ${String(body)} to be refused`);
};

describe("parseQueryRequest", () => {
  it("reads action and version, and flattened lists by the member's xmlName (Owner.1, ImageId.1)", () => {
    expect(parse("Action=DescribeImages&Version=2016-11-15&Owner.1=self&Owner.2=amazon&ImageId.1=ami-1")).toEqual({
      action: "DescribeImages",
      version: "2016-11-15",
      input: { Owners: ["self", "amazon"], ImageIds: ["ami-1"] },
    });
  });

  it("reads nested lists of structures (Filter.N.Value.M) in index order, whatever the key order", () => {
    const { input } = parse(
      "Action=DescribeImages&Filter.2.Value.1=x86_64&Filter.1.Value.2=b*&Filter.1.Name=name&Filter.1.Value.1=a*&Filter.2.Name=architecture",
    );
    expect(input).toEqual({
      Filters: [
        { Name: "name", Values: ["a*", "b*"] },
        { Name: "architecture", Values: ["x86_64"] },
      ],
    });
  });

  it("compacts gaps in list indices", () => {
    expect(parse("Action=DescribeImages&ImageId.3=c&ImageId.1=a").input).toEqual({ ImageIds: ["a", "c"] });
  });

  it("reads an empty value on a list key as an empty list (botocore sends `ImageId=`)", () => {
    expect(parse("Action=DescribeImages&ImageId=").input).toEqual({ ImageIds: [] });
  });

  it("uses ec2QueryName where the model has one (DryRun, ClientToken, NetworkInterface)", () => {
    const { input } = parse(
      "Action=RunInstances&ImageId=ami-1&MinCount=1&MaxCount=1&DryRun=true&ClientToken=t&NetworkInterface.1.DeviceIndex=0&NetworkInterface.1.SubnetId=subnet-1&NetworkInterface.1.SecurityGroupId.1=sg-1",
    );
    expect(input).toEqual({
      ImageId: "ami-1",
      MinCount: 1,
      MaxCount: 1,
      DryRun: true,
      ClientToken: "t",
      NetworkInterfaces: [{ DeviceIndex: 0, SubnetId: "subnet-1", Groups: ["sg-1"] }],
    });
  });

  it("reads deep structures: BlockDeviceMapping.N.Ebs.*, TagSpecification.N.Tag.M.*", () => {
    const { input } = parse(
      "Action=RunInstances&MinCount=1&MaxCount=1&BlockDeviceMapping.1.DeviceName=%2Fdev%2Fxvda&BlockDeviceMapping.1.Ebs.VolumeSize=30&BlockDeviceMapping.1.Ebs.DeleteOnTermination=false&BlockDeviceMapping.2.DeviceName=%2Fdev%2Fsdb&BlockDeviceMapping.2.NoDevice=&TagSpecification.1.ResourceType=instance&TagSpecification.1.Tag.1.Key=Name&TagSpecification.1.Tag.1.Value=",
    );
    expect(input).toEqual({
      MinCount: 1,
      MaxCount: 1,
      BlockDeviceMappings: [
        { DeviceName: "/dev/xvda", Ebs: { VolumeSize: 30, DeleteOnTermination: false } },
        { DeviceName: "/dev/sdb", NoDevice: "" },
      ],
      TagSpecifications: [{ ResourceType: "instance", Tags: [{ Key: "Name", Value: "" }] }],
    });
  });

  it("decodes percent-encoding and `+` as space", () => {
    expect(parse("Action=CreateTags&ResourceId.1=i-1&Tag.1.Key=a%20b+c&Tag.1.Value=%E6%97%A5%26%3D%2B").input).toEqual({
      Resources: ["i-1"],
      Tags: [{ Key: "a b c", Value: "日&=+" }],
    });
  });

  it("coerces numbers, booleans, timestamps and blobs by schema; keeps enums and user data as strings", () => {
    expect(parse("Action=DescribeImages&MaxResults=25&IncludeDeprecated=TRUE").input).toEqual({
      MaxResults: 25,
      IncludeDeprecated: true,
    });
    const spot = parse("Action=DescribeSpotPriceHistory&StartTime=2024-12-12T05%3A03%3A52Z&EndTime=1734000000").input;
    expect(spot.StartTime).toEqual(new Date("2024-12-12T05:03:52.000Z"));
    expect(spot.EndTime).toEqual(new Date(1734000000 * 1000));
    expect(parse("Action=DescribeSpotPriceHistory&StartTime=2024-12-12T05%3A03%3A52").input.StartTime).toEqual(
      new Date("2024-12-12T05:03:52.000Z"),
    );
    const key = parse("Action=ImportKeyPair&KeyName=k&PublicKeyMaterial=c3NoLXJzYSBBQUFB").input;
    expect(key.PublicKeyMaterial).toEqual(new Uint8Array(Buffer.from("ssh-rsa AAAA")));
    expect(
      parse("Action=RunInstances&MinCount=1&MaxCount=1&UserData=IyEvYmluL2Jhc2g%3D&InstanceType=t3.micro").input,
    ).toEqual({
      MinCount: 1,
      MaxCount: 1,
      UserData: "IyEvYmluL2Jhc2g=",
      InstanceType: "t3.micro",
    });
  });

  it("accepts URLSearchParams", () => {
    const params = new URLSearchParams({ Action: "DescribeInstances", "InstanceId.1": "i-1", MaxResults: "5" });
    expect(parseQueryRequest(params)).toEqual({
      action: "DescribeInstances",
      version: undefined,
      input: { InstanceIds: ["i-1"], MaxResults: 5 },
    });
  });

  it("ignores signing parameters of presigned (SigV4) and legacy (SigV2) requests", () => {
    const { input } = parse(
      "Action=DescribeRegions&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=a%2Fb&X-Amz-Date=20240101T000000Z&X-Amz-SignedHeaders=host&X-Amz-Signature=00&X-Amz-Expires=60&AWSAccessKeyId=x&Signature=y&SignatureMethod=HmacSHA256&SignatureVersion=2&Timestamp=t",
    );
    expect(input).toEqual({});
  });

  describe("refusals, always as Ec2Error", () => {
    it.each([
      ["", "InvalidAction", "The request must contain the parameter Action"],
      ["Version=2016-11-15", "InvalidAction", "The request must contain the parameter Action"],
      ["Action=LaunchRocket", "InvalidAction", "The action LaunchRocket is not valid for this web service."],
      ["Action=describeImages", "InvalidAction", "The action describeImages is not valid for this web service."],
      ["Action=Image", "InvalidAction", "The action Image is not valid for this web service."],
      ["Action=DescribeImages&Foo=1", "UnknownParameter", "The parameter Foo is not recognized"],
      ["Action=DescribeImages&ImageIds.1=a", "UnknownParameter", "The parameter ImageIds.1 is not recognized"],
      ["Action=DescribeImages&Filter.1.Nom=x", "UnknownParameter", "The parameter Filter.1.Nom is not recognized"],
      ["Action=DescribeImages&Filter.1=x", "UnknownParameter", "The parameter Filter.1 is not recognized"],
      ["Action=DescribeImages&Filter.x.Name=x", "UnknownParameter", "The parameter Filter.x.Name is not recognized"],
      ["Action=DescribeImages&ImageId.1.Foo=x", "UnknownParameter", "The parameter ImageId.1.Foo is not recognized"],
      ["Action=DescribeImages&ImageId=ami-1", "UnknownParameter", "The parameter ImageId is not recognized"],
      ["Action=DescribeImages&Filter..Name=x", "UnknownParameter", "The parameter Filter..Name is not recognized"],
      ["Action=DescribeImages&MaxResults=x", "InvalidParameterValue", "Invalid value 'x' for MaxResults"],
      ["Action=DescribeImages&MaxResults=", "InvalidParameterValue", "Invalid value '' for MaxResults"],
      ["Action=DescribeImages&MaxResults=1e999", "InvalidParameterValue", "Invalid value '1e999' for MaxResults"],
      ["Action=DescribeImages&DryRun=yes", "InvalidParameterValue", "Invalid value 'yes' for DryRun"],
      ["Action=DescribeImages&ImageId.0=a", "InvalidParameterValue", "Invalid value '0' for ImageId.0"],
      [
        "Action=DescribeImages&ImageId.1001=a",
        "InvalidParameterValue",
        "The list index 1001 in ImageId.1001 exceeds the maximum of 1000",
      ],
      [
        "Action=RunInstances&BlockDeviceMapping.1.Ebs.VolumeSize=big",
        "InvalidParameterValue",
        "Invalid value 'big' for BlockDeviceMapping.1.Ebs.VolumeSize",
      ],
      [
        "Action=DescribeSpotPriceHistory&StartTime=yesterday",
        "InvalidParameterValue",
        "Invalid value 'yesterday' for StartTime",
      ],
      [
        "Action=ImportKeyPair&PublicKeyMaterial=%%%",
        "MalformedQueryString",
        "The query string contains a syntax error: invalid percent-encoding",
      ],
      [
        "Action=ImportKeyPair&PublicKeyMaterial=***",
        "InvalidParameterValue",
        "Invalid value '***' for PublicKeyMaterial",
      ],
      [
        "Action=DescribeImages&%E0%A4%A=1",
        "MalformedQueryString",
        "The query string contains a syntax error: invalid percent-encoding",
      ],
    ])("%s -> %s", (body, code, message) => {
      const e = failure(body);
      expect(e.code).toBe(code);
      expect(e.message).toBe(message);
      expect(e.httpStatus).toBe(400);
    });

    it("refuses bodies over the size limit with RequestEntityTooLarge (413)", () => {
      const e = failure(`Action=DescribeImages&ImageId.1=${"a".repeat(5 * 1024 * 1024)}`);
      expect(e.code).toBe("RequestEntityTooLarge");
      expect(e.httpStatus).toBe(413);
    });

    it("shortens long junk echoed in messages", () => {
      const e = failure(`Action=DescribeImages&MaxResults=${"9x".repeat(5000)}`);
      expect(e.message.length).toBeLessThan(300);
    });
  });
});
