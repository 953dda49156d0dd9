/**
 * The export plan: the Terraform blocks a sandbox becomes, in a form that no CDK library knows
 * about. The cdktf synthesizer (synth/cdktf.ts) turns it into constructs, the project writer
 * (export/project.ts) into the TypeScript of a CDKTF app: both read this one plan, so the
 * in-process synth and `cdktf synth` of the project agree.
 */

/** A reference to another block's attribute; `path` is cdktf's getter chain (e.g. ["rootBlockDevice", "volumeId"]). */
export interface Ref {
  $ref: string;
  path: string[];
}
/** An input variable (`var.name`), or one element of a list variable (`var.name[index]`). */
export interface VarRef {
  $var: string;
  index?: number;
}
export type Value = string | number | boolean | null | Ref | VarRef | Value[] | { [k: string]: Value };

export const ref = (key: string, ...path: string[]): Ref => ({ $ref: key, path: path.length ? path : ["id"] });
export const isRef = (v: unknown): v is Ref => typeof v === "object" && v !== null && "$ref" in v;
export const varRef = (name: string, index?: number): VarRef =>
  index === undefined ? { $var: name } : { $var: name, index };
export const isVarRef = (v: unknown): v is VarRef => typeof v === "object" && v !== null && "$var" in v;

export interface Variable {
  name: string;
  type: "string" | "bool" | "number" | "list(string)" | "map(string)";
  description: string;
  /** Absent: the user must give it (-var, tfvars). */
  default?: Value;
}

export interface Output {
  name: string;
  description: string;
  value: Value;
}

/**
 * Alike resources (same type and configuration but for a few attributes) that the HCL renders as
 * one block with `for_each`, and main.ts as a loop. The plan keeps each member as its own block
 * (the JSON synth writes them one by one); `varying` are the config paths that differ (dotted).
 */
export interface Group {
  label: string;
  tfType: string;
  /** Member block key -> its `each.key` (the Name tag). */
  members: { block: string; key: string }[];
  varying: string[];
}

export interface ProviderBlock {
  key: string;
  region: string;
  /** Absent for the default provider. */
  alias?: string;
  /** The variable that holds its region. */
  regionVar?: string;
}

export interface Block {
  /** The construct ID, unique in the stack; also the Terraform name. */
  key: string;
  kind: "resource" | "data";
  /** Terraform type without the `data.` prefix (e.g. `aws_instance`, `aws_ami`). */
  tfType: string;
  /** Provider block key when not the default. */
  provider?: string;
  /** cdktf (camelCase) configuration. */
  config: Record<string, Value>;
  /** The sandbox resource it comes from. */
  origin?: string;
  region: string;
  /** One line for the generated code. */
  comment?: string;
}

export interface NotExported {
  /** The sandbox resource (ID and what it is). */
  resource: string;
  kind: string;
  reason: string;
  /** `skipped`: nothing generated; `partial`: generated, but something about it is not carried over. */
  severity: "skipped" | "partial";
}

export interface ExportPlan {
  sandbox: string;
  accountId: string;
  /** The sandbox's seq the export was taken at. */
  seq: number;
  stackName: string;
  providers: ProviderBlock[];
  blocks: Block[];
  notExported: NotExported[];
  variables: Variable[];
  outputs: Output[];
  groups: Group[];
  /** The providers' `default_tags` come from this variable (tags every exported resource had). */
  defaultTagsVar?: string;
  /** Addresses that changed since the previous export (HCL's `moved` blocks). */
  moved: { from: string; to: string }[];
  /** Files beside the configuration in every format (Packer templates: `packer/<label>.pkr.hcl`). */
  files?: Record<string, string>;
  /** The local backend's state file, relative to where terraform runs (absent: no backend block). */
  statePath?: string;
}

/** What the exported configuration asks of the provider: any 6.x of hashicorp/aws. */
export const PROVIDER_REQUIREMENT = { source: "hashicorp/aws", version: "~> 6.0" } as const;

/** Where each type's construct lives in @cdktf/provider-aws (deep imports only). */
export const CONSTRUCTS: Record<string, { module: string; className: string }> = {
  "provider:aws": { module: "provider", className: "AwsProvider" },
  "data:aws_ami": { module: "data-aws-ami", className: "DataAwsAmi" },
  "data:aws_security_group": { module: "data-aws-security-group", className: "DataAwsSecurityGroup" },
  "resource:aws_key_pair": { module: "key-pair", className: "KeyPair" },
  "resource:aws_security_group": { module: "security-group", className: "SecurityGroup" },
  "resource:aws_vpc_security_group_ingress_rule": {
    module: "vpc-security-group-ingress-rule",
    className: "VpcSecurityGroupIngressRule",
  },
  "resource:aws_vpc_security_group_egress_rule": {
    module: "vpc-security-group-egress-rule",
    className: "VpcSecurityGroupEgressRule",
  },
  "resource:aws_instance": { module: "instance", className: "Instance" },
  "resource:aws_ami_from_instance": { module: "ami-from-instance", className: "AmiFromInstance" },
  "resource:aws_ami_copy": { module: "ami-copy", className: "AmiCopy" },
  "resource:aws_ami_launch_permission": { module: "ami-launch-permission", className: "AmiLaunchPermission" },
  "resource:aws_ebs_volume": { module: "ebs-volume", className: "EbsVolume" },
  "resource:aws_volume_attachment": { module: "volume-attachment", className: "VolumeAttachment" },
  "resource:aws_ebs_snapshot": { module: "ebs-snapshot", className: "EbsSnapshot" },
  "resource:aws_ebs_snapshot_copy": { module: "ebs-snapshot-copy", className: "EbsSnapshotCopy" },
  "resource:aws_eip": { module: "eip", className: "Eip" },
  "resource:aws_eip_association": { module: "eip-association", className: "EipAssociation" },
  "data:aws_vpc": { module: "data-aws-vpc", className: "DataAwsVpc" },
  "resource:aws_vpc": { module: "vpc", className: "Vpc" },
  "resource:aws_subnet": { module: "subnet", className: "Subnet" },
  "resource:aws_internet_gateway": { module: "internet-gateway", className: "InternetGateway" },
  "resource:aws_route_table": { module: "route-table", className: "RouteTable" },
  "resource:aws_route": { module: "route", className: "Route" },
  "resource:aws_route_table_association": { module: "route-table-association", className: "RouteTableAssociation" },
  "resource:aws_nat_gateway": { module: "nat-gateway", className: "NatGateway" },
  "resource:aws_network_interface": { module: "network-interface", className: "NetworkInterface" },
  "resource:aws_network_interface_attachment": {
    module: "network-interface-attachment",
    className: "NetworkInterfaceAttachmentA",
  },
  "resource:aws_launch_template": { module: "launch-template", className: "LaunchTemplate" },
};

export function constructOf(b: { kind: string; tfType: string }): { module: string; className: string } {
  const c = CONSTRUCTS[`${b.kind}:${b.tfType}`];
  if (!c) throw new Error(`no construct for ${b.kind} ${b.tfType}`);
  return c;
}

/** Every block key a value references. */
export function refsIn(v: Value, out: string[] = []): string[] {
  if (isRef(v)) out.push(v.$ref);
  else if (Array.isArray(v)) for (const x of v) refsIn(x, out);
  else if (v && typeof v === "object") for (const x of Object.values(v)) refsIn(x as Value, out);
  return out;
}

/** Orders blocks so every block comes after what it references (stable otherwise). */
export function topoSort(blocks: Block[]): Block[] {
  const byKey = new Map(blocks.map((b) => [b.key, b]));
  const done = new Set<string>();
  const visiting = new Set<string>();
  const out: Block[] = [];
  const visit = (b: Block) => {
    if (done.has(b.key)) return;
    if (visiting.has(b.key)) throw new Error(`reference cycle through ${b.tfType}.${b.key}`);
    visiting.add(b.key);
    for (const k of refsIn(b.config)) {
      const dep = byKey.get(k);
      if (dep) visit(dep);
    }
    visiting.delete(b.key);
    done.add(b.key);
    out.push(b);
  };
  for (const b of blocks) visit(b);
  return out;
}

/** `MyCustomAMI` -> `my_custom_ami`, `cats-web` -> `cats_web`, `10.0.0.0/16` -> `r_10_0_0_0_16`. */
export function snake(base: string): string {
  let s = base
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1_$2")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "")
    .slice(0, 60);
  if (!s) s = "resource";
  if (!/^[a-z_]/.test(s)) s = `r_${s}`;
  return s;
}

/**
 * Construct IDs and Terraform labels: snake_case from names, unique in the stack. Labels an
 * earlier export gave (sandbox ID -> label) are kept for the same resources and never reused for
 * others, so addresses stay stable across exports.
 */
export class Namer {
  private used = new Set<string>();
  private readonly kept = new Map<string, string>();
  constructor(reserved: string[] = [], previous: Record<string, string> = {}) {
    for (const r of reserved) this.used.add(r);
    for (const [origin, label] of Object.entries(previous))
      if (snake(label) === label) {
        this.kept.set(origin, label);
        this.used.add(label);
      }
  }
  unique(base: string, origin?: string): string {
    const kept = origin === undefined ? undefined : this.kept.get(origin);
    if (kept) return kept;
    const s = snake(base);
    let name = s;
    for (let i = 2; this.used.has(name); i++) name = `${s}_${i}`;
    this.used.add(name);
    return name;
  }
}
