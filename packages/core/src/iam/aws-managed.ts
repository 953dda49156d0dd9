/**
 * The AWS managed policies (`arn:aws:iam::aws:policy/…`): every one by name, as AWS lists them,
 * and the documents of the popular ones (data/iam-aws-managed-policies.json, see data/SOURCES.md).
 * They exist in every account without events; attaching one records only the attachment.
 */
import managedJson from "../../data/iam-aws-managed-policies.json" with { type: "json" };

export interface AwsManagedPolicy {
  name: string;
  policyId: string;
  path: string;
  arn: string;
  defaultVersionId: string;
  createDate: number;
  updateDate: number;
  /** The default version's document, when the sandbox holds it. */
  document?: string;
}

interface ManagedFile {
  policies: [string, string, string, string, string, string][];
  documents: Record<string, { versionId: string; document: unknown }>;
}

let byArn: Map<string, AwsManagedPolicy> | undefined;

function load(): Map<string, AwsManagedPolicy> {
  if (byArn) return byArn;
  const file = managedJson as unknown as ManagedFile;
  byArn = new Map();
  for (const [name, policyId, path, defaultVersionId, created, updated] of file.policies) {
    const doc = file.documents[name];
    const arn = `arn:aws:iam::aws:policy${path}${name}`;
    byArn.set(arn, {
      name,
      policyId,
      path,
      arn,
      defaultVersionId,
      createDate: Date.parse(created),
      updateDate: Date.parse(updated),
      ...(doc ? { document: JSON.stringify(doc.document) } : {}),
    });
  }
  return byArn;
}

export const awsManagedPolicy = (arn: string): AwsManagedPolicy | undefined => load().get(arn);
export const awsManagedPolicies = (): Iterable<AwsManagedPolicy> => load().values();
export const isAwsManagedArn = (arn: string): boolean => arn.startsWith("arn:aws:iam::aws:policy/");
