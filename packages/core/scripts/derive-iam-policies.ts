/**
 * Derives packages/core/data/iam-aws-managed-policies.json from a checkout of the public
 * zoph-io/MAMIP repository, which archives AWS's own API answers about the AWS managed policies:
 *
 *  - policies-list.json   `aws iam list-policies --scope AWS` (name, ID, ARN path, default version, dates)
 *  - policies/<Name>      `aws iam get-policy-version` of each policy's default version
 *
 * Every policy is kept by name (so any AWS managed policy ARN attaches, as in AWS); the documents
 * of the policies below are kept too (the others answer GetPolicyVersion with NoSuchEntity saying
 * so: all the documents together are 6 MB).
 *
 * Usage:  npx tsx packages/core/scripts/derive-iam-policies.ts <path to a MAMIP checkout or bare git dir>
 *
 * Only AWS's answers are read; the repository's own code and texts are not copied. The script
 * rewrites the "iam-policies" section of packages/core/data/SOURCES.md with the commit used.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** Policies whose documents the sandbox holds: the ones EC2 roles, CI and tutorials attach most. */
export const WITH_DOCUMENTS = [
  "AdministratorAccess",
  "PowerUserAccess",
  "AmazonSSMManagedInstanceCore",
  "AmazonSSMReadOnlyAccess",
  "AmazonSSMFullAccess",
  "AmazonEC2RoleforSSM",
  "AmazonSSMPatchAssociation",
  "AmazonSSMDirectoryServiceAccess",
  "AmazonEC2ReadOnlyAccess",
  "AmazonEC2FullAccess",
  "AmazonS3ReadOnlyAccess",
  "AmazonS3FullAccess",
  "CloudWatchAgentServerPolicy",
  "CloudWatchAgentAdminPolicy",
  "CloudWatchLogsFullAccess",
  "CloudWatchReadOnlyAccess",
  "AmazonEC2ContainerRegistryReadOnly",
  "AmazonEC2ContainerRegistryPowerUser",
  "AmazonEC2ContainerServiceforEC2Role",
  "AmazonECSTaskExecutionRolePolicy",
  "AmazonEKSWorkerNodePolicy",
  "AmazonEKS_CNI_Policy",
  "AmazonEKSClusterPolicy",
  "AmazonEKSVPCResourceController",
  "AmazonEBSCSIDriverPolicy",
  "AWSLambdaBasicExecutionRole",
  "AWSLambdaVPCAccessExecutionRole",
  "IAMReadOnlyAccess",
  "IAMFullAccess",
  "SecretsManagerReadWrite",
  "AmazonDynamoDBReadOnlyAccess",
  "AmazonDynamoDBFullAccess",
  "AmazonSQSFullAccess",
  "AmazonSNSFullAccess",
  "AWSXrayWriteOnlyAccess",
  "AmazonRDSReadOnlyAccess",
  "AmazonEC2SpotFleetTaggingRole",
  "EC2InstanceConnect",
];

const here = dirname(fileURLToPath(import.meta.url));
const dataDir = join(here, "..", "data");

const arg = process.argv[2];
if (!arg) {
  console.error("usage: derive-iam-policies.ts <MAMIP checkout or bare git dir>");
  process.exit(2);
}
const gitDir = existsSync(join(arg, ".git")) ? join(arg, ".git") : arg;
const git = (...args: string[]): string =>
  execFileSync("git", ["--git-dir", gitDir, ...args], { encoding: "utf8", maxBuffer: 512 * 1024 * 1024 });

const head = git("rev-parse", "HEAD").trim();
const headDate = git("log", "-1", "--format=%cI", head).trim();

interface Listed {
  PolicyName: string;
  PolicyId: string;
  Path: string;
  DefaultVersionId: string;
  CreateDate: string;
  UpdateDate: string;
}
const listed = (JSON.parse(git("show", `${head}:policies-list.json`)) as { Policies: Listed[] }).Policies;
const iso = (d: string) => new Date(d).toISOString().replace(".000Z", "Z");
const policies = listed
  .map((p) => [p.PolicyName, p.PolicyId, p.Path, p.DefaultVersionId, iso(p.CreateDate), iso(p.UpdateDate)])
  .sort((a, b) => String(a[0]).localeCompare(String(b[0])));

const documents: Record<string, { versionId: string; document: unknown }> = {};
for (const name of WITH_DOCUMENTS) {
  const v = (
    JSON.parse(git("show", `${head}:policies/${name}`)) as { PolicyVersion: { VersionId: string; Document: unknown } }
  ).PolicyVersion;
  const entry = listed.find((p) => p.PolicyName === name);
  if (!entry) throw new Error(`${name} is not in policies-list.json`);
  if (entry.DefaultVersionId !== v.VersionId) {
    throw new Error(`${name}: the list says ${entry.DefaultVersionId}, the document is ${v.VersionId}`);
  }
  documents[name] = { versionId: v.VersionId, document: v.Document };
}

const out = {
  source: `zoph-io/MAMIP ${head} (${headDate})`,
  columns: ["name", "policyId", "path", "defaultVersionId", "createDate", "updateDate"],
  policies,
  documents,
};
writeFileSync(join(dataDir, "iam-aws-managed-policies.json"), `${JSON.stringify(out)}\n`);

const sourcesPath = join(dataDir, "SOURCES.md");
const begin = "<!-- derive-iam-policies:begin -->";
const end = "<!-- derive-iam-policies:end -->";
const section = `${begin}
\`iam-aws-managed-policies.json\` is written by \`npx tsx packages/core/scripts/derive-iam-policies.ts <MAMIP>\`
from zoph-io/MAMIP commit \`${head}\` (${headDate}), an archive of AWS's own answers: \`policies-list.json\`
(\`aws iam list-policies --scope AWS\`) and \`policies/<Name>\` (\`aws iam get-policy-version\` of the default version).
Only AWS's answers are taken. ${policies.length} AWS managed policies by name, ID, path, default version and dates;
the documents of ${WITH_DOCUMENTS.length} of them (${WITH_DOCUMENTS.join(", ")}). The others attach, list and
answer GetPolicy like any AWS managed policy, but GetPolicyVersion says the sandbox does not hold their document.
${end}`;
const prev = readFileSync(sourcesPath, "utf8");
writeFileSync(
  sourcesPath,
  prev.includes(begin)
    ? prev.replace(new RegExp(`${begin}[\\s\\S]*?${end}`), section)
    : `${prev.trimEnd()}\n\n## IAM: the AWS managed policies\n\n${section}\n`,
);
console.log(`${policies.length} policies, ${Object.keys(documents).length} documents`);
