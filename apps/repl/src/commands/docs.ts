/**
 * The EC2 model's own documentation, for completion and help: each operation's flags with the
 * first sentence of their doc, and the filter names its `--filters` accepts (with the values the
 * doc lists). Derived by scripts/ec2-docs.ts from the doc comments `@aws-sdk/client-ec2` ships;
 * read on first use (460 KB), not at start-up.
 */
import { readFileSync } from "node:fs";

interface OpDocs {
  flags: Record<string, string>;
  filters?: Record<string, { doc: string; values?: string[] }>;
}

let docs: Record<string, OpDocs> | undefined;

function all(): Record<string, OpDocs> {
  if (!docs) {
    try {
      docs = JSON.parse(readFileSync(new URL("../../data/ec2-docs.json", import.meta.url), "utf8")) as Record<
        string,
        OpDocs
      >;
    } catch {
      docs = {};
    }
  }
  return docs;
}

/** The first sentence of a member's doc (`RunInstances`, `ImageId` → "The ID of the AMI."). */
export function flagDoc(action: string, member: string): string | undefined {
  return all()[action]?.flags[member];
}

/** The filters an operation documents, by name. */
export function filterDocs(action: string): Record<string, { doc: string; values?: string[] }> {
  return all()[action]?.filters ?? {};
}
