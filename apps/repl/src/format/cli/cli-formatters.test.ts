/**
 * The REPL's output formats against the AWS CLI's own formatters: random values (nested dicts and
 * lists, floats, unicode, strings YAML must quote or fold, East Asian widths) formatted by awscli's
 * formatter classes in Python (awscli-oracle.py, from the installed AWS CLI v2's awscli package)
 * and by ours, compared byte for byte.
 */
import { execFileSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { formatValue, type OutputFormat, PyFloat, type PyValue } from "./index.ts";

const ORACLE = join(dirname(fileURLToPath(import.meta.url)), "awscli-oracle.py");

interface Case {
  value: unknown;
  format: OutputFormat;
  width: number;
  expected: string;
}

function untag(v: unknown): PyValue {
  if (Array.isArray(v)) return v.map(untag);
  if (v !== null && typeof v === "object") {
    const o = v as Record<string, unknown>;
    if (Object.keys(o).length === 1 && "__f" in o) return new PyFloat(o.__f as number);
    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, untag(x)]));
  }
  return v as PyValue;
}

function oracle(seed: number, count: number): Case[] {
  try {
    return JSON.parse(
      execFileSync("/usr/bin/python3", [ORACLE, String(seed), String(count)], {
        encoding: "utf8",
        env: { ...process.env, PYTHONPATH: "/usr/lib/python3/dist-packages" },
        maxBuffer: 64 * 1024 * 1024,
      }),
    ) as Case[];
  } catch (e) {
    throw new Error(
      `the AWS CLI v2's awscli Python package is needed as the oracle (apt-get install -y awscli): ${(e as Error).message}`,
    );
  }
}

describe("AWS CLI output formats", () => {
  for (const seed of [1, 2, 3]) {
    it(`json, text, table and yaml print byte for byte what awscli's formatters print (seed ${seed})`, () => {
      const cases = oracle(seed, 250);
      expect(cases.length).toBeGreaterThan(600);
      const differ: string[] = [];
      for (const c of cases) {
        const lines = formatValue(untag(c.value), c.format, "DescribeThings", c.width);
        const got = lines.length ? `${lines.join("\n")}\n` : "";
        if (got !== c.expected)
          differ.push(`${c.format} at width ${c.width} of ${JSON.stringify(c.value)}:\n${c.expected}---\n${got}`);
      }
      expect(differ.slice(0, 3)).toEqual([]);
    });
  }
});
