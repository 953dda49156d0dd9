/**
 * Output exactly as the AWS CLI v2 prints it, for `--output json|text|table|yaml`: the answer is
 * first rebuilt as the CLI would hold it after parsing the EC2 XML (normalize.ts), then `--query`
 * runs on it, then one of the CLI's formatters (ports of awscli's formatter.py, text.py, table.py,
 * and of ruamel/libyaml for YAML).
 */
import { jsonLines } from "./json.ts";
import { type KnownMembers, normalizeOutput } from "./normalize.ts";
import { isDict, type PyValue } from "./python.ts";
import { applyQuery } from "./query.ts";
import { tableLines } from "./table.ts";
import { textLines } from "./text.ts";
import { yamlLines } from "./yaml.ts";

export type OutputFormat = "json" | "text" | "table" | "yaml" | "yaml-stream";
export const OUTPUT_FORMATS: readonly OutputFormat[] = ["json", "text", "table", "yaml", "yaml-stream"];

export { cliTimestamp, type KnownMembers, normalizeOutput } from "./normalize.ts";
export { floatRepr, PyFloat, type PyValue, pyStr } from "./python.ts";
export { applyQuery, QueryError } from "./query.ts";

/** The lines printed for a value (already normalized and queried). */
export function formatValue(value: PyValue, format: OutputFormat, title: string, width = 80): string[] {
  switch (format) {
    case "json":
      return jsonLines(value);
    case "text":
      return textLines(value).flatMap((l) => l.split("\n"));
    case "table":
      return tableLines(value, title, width);
    case "yaml":
      return yamlLines(value);
    case "yaml-stream":
      // one response: a stream of one document, written as a list of it (nothing for `{}`)
      return isDict(value) && !Object.keys(value).length ? [] : yamlLines([value]);
  }
}

/** What `aws ec2 <operation> [--query Q] [--output F]` prints for `output`, the answer to `action`, as lines. */
export function cliOutput(
  action: string,
  output: unknown,
  opts: { query?: string; format?: OutputFormat; width?: number; known?: KnownMembers } = {},
): string[] {
  const value = applyQuery(normalizeOutput(action, output, opts.known), opts.query);
  return formatValue(value, opts.format ?? "json", action, opts.width ?? 80);
}
