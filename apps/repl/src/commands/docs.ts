/**
 * The EC2 model's own documentation, for completion and help: each operation's flags with the
 * first sentence of their doc, and the filter names its `--filters` accepts (with the values the
 * doc lists). Derived by scripts/ec2-docs.ts from the doc comments `@aws-sdk/client-ec2` ships.
 * 460 KB: loaded after the REPL's first frame (`loadDocs`), not at start-up; until then completion
 * works without the docs.
 */

interface OpDocs {
  flags: Record<string, string>;
  filters?: Record<string, { doc: string; values?: string[] }>;
}

let docs: Record<string, OpDocs> | undefined;
let loading: Promise<void> | undefined;

/** Loads the docs (once); resolves when they are there (or could not be read: then without them). */
export function loadDocs(): Promise<void> {
  loading ??= import("../../data/ec2-docs.json", { with: { type: "json" } }).then(
    (m) => {
      docs = m.default as Record<string, OpDocs>;
    },
    () => {
      docs = {};
    },
  );
  return loading;
}

/** The first sentence of a member's doc (`RunInstances`, `ImageId` → "The ID of the AMI."). */
export function flagDoc(action: string, member: string): string | undefined {
  return docs?.[action]?.flags[member];
}

/** The filters an operation documents, by name. */
export function filterDocs(action: string): Record<string, { doc: string; values?: string[] }> {
  return docs?.[action]?.filters ?? {};
}
