/** The lineage tree, the cost chart, text fitted to terminal columns (output formats: cli/cli-formatters.test.ts). */
import stringWidth from "string-width";
import { describe, expect, it } from "vitest";
import { costChart } from "./cost.ts";
import { lineage } from "./lineage.ts";
import { cellWidth, cutToWidth, fit, tailToWidth } from "./units.ts";

describe("terminal columns", () => {
  it("cellWidth counts what Ink counts (string-width) for every character up to U+2FFF, CJK and emoji", () => {
    // its fast path must never disagree with string-width: a row measured short wraps in the frame
    const wrong: string[] = [];
    for (let c = 0x20; c <= 0x2fff; c++) {
      if (c >= 0xd800 && c <= 0xdfff) continue;
      const ch = String.fromCodePoint(c);
      if (cellWidth(`a${ch}b`) !== stringWidth(`a${ch}b`)) wrong.push(c.toString(16));
    }
    expect(wrong).toEqual([]);
    for (const text of ["猫の写真サーバー", "🐱🐱-emoji-box", "データベース ● running", "e\u0301t\u00e9"])
      expect(cellWidth(text), text).toBe(stringWidth(text));
  });

  it("fit pads or cuts to exactly the columns asked for, wide characters included; cuts keep starts or ends", () => {
    expect(fit("猫の写真サーバー", 11)).toBe("猫の写真サ…");
    expect(stringWidth(fit("猫の写真サーバー", 11))).toBe(11);
    expect(stringWidth(fit("猫の写真サーバー", 10))).toBe(10); // "猫の写真" and "…", then a space
    expect(fit("● running", 12)).toBe("● running   ");
    expect(fit("42", 5, "right")).toBe("   42");
    expect(cutToWidth("ab猫cd", 3)).toBe("ab");
    expect(tailToWidth("ab猫cd", 4)).toBe("猫cd");
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
