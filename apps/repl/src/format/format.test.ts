/** The lineage tree, the cost chart (output formats: cli/cli-formatters.test.ts). */
import { describe, expect, it } from "vitest";
import { costChart } from "./cost.ts";
import { lineage } from "./lineage.ts";

describe("lineage", () => {
  it("draws AMI → instance → AMI → instance, and copies under their source", () => {
    const lines = lineage(
      [
        {
          id: "ami-2",
          name: "MyCustomAMI",
          state: "available",
          ownerId: "1",
          region: "us-east-1",
          sourceInstanceId: "i-1",
          sourceImageId: "ami-1",
          created: 1,
          raw: {},
        },
        {
          id: "ami-3",
          name: "MyCustomAMI",
          state: "pending",
          ownerId: "1",
          region: "eu-west-1",
          sourceImageId: "ami-2",
          sourceRegion: "us-east-1",
          created: 2,
          raw: {},
        },
      ],
      [
        {
          id: "i-1",
          name: "cats-1",
          state: "running",
          type: "t3.micro",
          az: "a",
          imageId: "ami-1",
          launchTime: 0,
          region: "us-east-1",
          created: 0,
          raw: {},
        },
        {
          id: "i-2",
          name: "cats-2",
          state: "pending",
          type: "t3.micro",
          az: "a",
          imageId: "ami-2",
          launchTime: 0,
          region: "us-east-1",
          created: 0,
          raw: {},
        },
      ],
      { "ami-1": "al2023" },
    ).map((l) => `${l.prefix}${l.id} ${l.text}`);
    expect(lines).toEqual([
      "ami-1 al2023",
      "└─ i-1 cats-1  ● running",
      "   └─ ami-2 MyCustomAMI  available",
      "      ├─ i-2 cats-2  ◐ pending",
      "      └─ ami-3 MyCustomAMI (copy in eu-west-1)  pending",
    ]);
  });
});

describe("cost chart", () => {
  it("lists resources by cost with a share bar and a sparkline over time", () => {
    const lines = costChart(
      { "i-1": 0.02, "vol-1": 0.005 },
      0.025,
      [
        { at: 1, total: 0.01, byResource: { "i-1": 0.01 } },
        { at: 2, total: 0.025, byResource: { "i-1": 0.02, "vol-1": 0.005 } },
      ],
      { "i-1": "t3.micro" },
    );
    expect(lines[1]).toMatch(/^i-1\s+t3\.micro\s+\$0\.02\s+█{12}\s+[▁-█]{2}$/);
    expect(lines.at(-1)).toMatch(/^total\s+\$0\.03/);
  });
});
