/** Output formats, the lineage tree, the cost chart. */
import { describe, expect, it } from "vitest";
import { costChart } from "./cost.ts";
import { lineage } from "./lineage.ts";
import { applyQuery, formatOutput } from "./output.ts";

describe("output", () => {
  const out = {
    Reservations: [
      {
        Instances: [
          { InstanceId: "i-1", State: { Name: "running" } },
          { InstanceId: "i-2", State: { Name: "pending" } },
        ],
      },
    ],
  };
  it("applies --query (JMESPath) and prints json, text and table as the CLI does", () => {
    const ids = applyQuery(out, "Reservations[].Instances[].[InstanceId,State.Name]");
    expect(ids).toEqual([
      ["i-1", "running"],
      ["i-2", "pending"],
    ]);
    expect(formatOutput(ids, "text", "DescribeInstances")).toEqual(["i-1\trunning", "i-2\tpending"]);
    expect(formatOutput({ a: 1 }, "json", "X")).toEqual(["{", '    "a": 1', "}"]);
    const table = formatOutput(ids, "table", "DescribeInstances");
    expect(table[1]).toMatch(/^\|\s+DescribeInstances\s+\|$/);
    expect(table.join("\n")).toMatch(/\| i-1 \| running\s+\|/);
    expect(() => applyQuery(out, "Reservations[")).toThrow(/Bad value for --query/);
  });
});

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
        },
        {
          id: "ami-3",
          name: "MyCustomAMI",
          state: "pending",
          ownerId: "1",
          region: "eu-west-1",
          sourceImageId: "ami-2",
          sourceRegion: "us-east-1",
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
