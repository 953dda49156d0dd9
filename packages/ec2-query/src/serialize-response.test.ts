import { describe, expect, it } from "vitest";
import { Ec2Error } from "./ec2-error.ts";
import { serializeResponse } from "./serialize-response.ts";
import { escapeXml } from "./xml-escape.ts";

const HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n';
const body = (xml: string): string => {
  const start = xml.indexOf("</requestId>") + "</requestId>".length;
  return xml.slice(start, xml.lastIndexOf("</"));
};

describe("serializeResponse", () => {
  it("writes the EC2 envelope: declaration, <XResponse xmlns=…>, requestId first", () => {
    expect(serializeResponse("DescribeRegions", { Regions: [] }, "abc-123")).toBe(
      `${HEAD}<DescribeRegionsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>abc-123</requestId><regionInfo/></DescribeRegionsResponse>`,
    );
  });

  it("names elements by xmlName and wraps list items in <item>", () => {
    const xml = serializeResponse(
      "DescribeImages",
      { Images: [{ ImageId: "ami-1", Public: false, Tags: [{ Key: "k", Value: "v" }] }, { ImageId: "ami-2" }] },
      "r",
    );
    expect(body(xml)).toBe(
      "<imagesSet><item><tagSet><item><key>k</key><value>v</value></item></tagSet><imageId>ami-1</imageId><isPublic>false</isPublic></item><item><imageId>ami-2</imageId></item></imagesSet>",
    );
  });

  it("writes nested lists of structures (reservations of instances of block devices), members in model order", () => {
    const xml = serializeResponse(
      "DescribeInstances",
      {
        Reservations: [
          {
            ReservationId: "r-1",
            Instances: [
              {
                InstanceId: "i-1",
                State: { Code: 16, Name: "running" },
                BlockDeviceMappings: [
                  { DeviceName: "/dev/xvda", Ebs: { VolumeId: "vol-1", DeleteOnTermination: true } },
                ],
              },
            ],
          },
        ],
      },
      "r",
    );
    expect(body(xml)).toBe(
      "<reservationSet><item><reservationId>r-1</reservationId><instancesSet><item><blockDeviceMapping><item><deviceName>/dev/xvda</deviceName><ebs><deleteOnTermination>true</deleteOnTermination><volumeId>vol-1</volumeId></ebs></item></blockDeviceMapping><instanceId>i-1</instanceId><instanceState><code>16</code><name>running</name></instanceState></item></instancesSet></item></reservationSet>",
    );
  });

  it("writes an empty list as an empty element and omits absent and null members", () => {
    const xml = serializeResponse(
      "DescribeImages",
      { Images: [{ ImageId: "ami-1", Tags: [], Name: null, Description: undefined }] },
      "r",
    );
    expect(body(xml)).toBe("<imagesSet><item><tagSet/><imageId>ami-1</imageId></item></imagesSet>");
  });

  it("prints timestamps as EC2 does, ISO-8601 UTC with milliseconds, from a Date, an ISO string or epoch ms", () => {
    for (const launch of [new Date("2024-12-12T05:03:52Z"), "2024-12-12T05:03:52Z", Date.UTC(2024, 11, 12, 5, 3, 52)]) {
      const xml = serializeResponse(
        "DescribeInstances",
        { Reservations: [{ Instances: [{ LaunchTime: launch }] }] },
        "r",
      );
      expect(xml).toContain("<launchTime>2024-12-12T05:03:52.000Z</launchTime>");
    }
  });

  it("escapes <&> (quotes need no escaping in content) and carriage returns; replaces characters XML cannot carry", () => {
    const xml = serializeResponse("DescribeTags", { Tags: [{ Key: `<&>"'`, Value: "a\r\nb\u0000c\uD800" }] }, "r");
    expect(body(xml)).toBe(
      `<tagSet><item><key>&lt;&amp;&gt;"'</key><value>a&#13;\nb\uFFFDc\uFFFD</value></item></tagSet>`,
    );
    expect(escapeXml("plain text é 日 😀")).toBe("plain text é 日 😀");
  });

  it("writes booleans as true/false and numbers as numbers", () => {
    const xml = serializeResponse(
      "DescribeVolumes",
      { Volumes: [{ Size: 8, Encrypted: false, Iops: 3000, MultiAttachEnabled: true }] },
      "r",
    );
    expect(body(xml)).toContain("<size>8</size>");
    expect(body(xml)).toContain("<encrypted>false</encrypted>");
    expect(body(xml)).toContain("<multiAttachEnabled>true</multiAttachEnabled>");
  });

  it("ignores properties the model does not know", () => {
    const xml = serializeResponse(
      "DescribeImages",
      { Images: [{ ImageId: "ami-1", internalNote: "x" }], other: 1 },
      "r",
    );
    expect(body(xml)).toBe("<imagesSet><item><imageId>ami-1</imageId></item></imagesSet>");
  });

  it("answers <return>true</return> for actions without output", () => {
    expect(body(serializeResponse("CreateTags", undefined, "r"))).toBe("<return>true</return>");
  });

  it("reports a handler's wrongly typed output as InternalError 500", () => {
    const attempt = (output: unknown) => () => serializeResponse("DescribeImages", output, "r");
    for (const bad of [
      { Images: "ami-1" },
      { Images: [{ Public: "yes" }] },
      { Images: [{ ImageId: { nested: true } }] },
      { Images: [{ BlockDeviceMappings: [{ Ebs: { VolumeSize: "big" } }] }] },
    ]) {
      expect(attempt(bad)).toThrow(Ec2Error);
      try {
        attempt(bad)();
      } catch (e) {
        expect((e as Ec2Error).code).toBe("InternalError");
        expect((e as Ec2Error).httpStatus).toBe(500);
      }
    }
    expect(() =>
      serializeResponse("DescribeInstances", { Reservations: [{ Instances: [{ LaunchTime: "not a date" }] }] }, "r"),
    ).toThrow(/launchTime should be a timestamp/);
  });

  it("refuses an action the model does not know", () => {
    expect(() => serializeResponse("LaunchRocket", {}, "r")).toThrow(/LaunchRocket is not valid/);
  });
});
