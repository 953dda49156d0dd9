// What the hashicorp/aws 3.x, 4.x and 5.x lines lacked or still had, relative to the 6.x schemas of
// this folder, for the types ec2sim serves. A configuration pinned to an older line validates against
// that line's schema: an argument it never had is refused as terraform refuses it, and one it had
// but 6.0 removed (written by configurations of the time) is accepted and honoured. Sources: the
// provider's version 4, 5 and 6 upgrade guides and CHANGELOG (for what a line added).
import type { Attr, Block, NestedBlock, ResourceSchema } from "../framework/schema.ts";
import { bool, num, str } from "../framework/schema.ts";

export type Major = 3 | 4 | 5 | 6;

interface AttrChange {
  /** "resource", "data" or "provider" (the provider block: `type` is ignored). */
  readonly kind: "resource" | "data" | "provider";
  readonly type: string;
  readonly attr: string;
  /** Present from this major line on (absent before). */
  readonly since?: Major;
  /** Present up to and including this major line, with this schema (removed after). */
  readonly until?: Major;
  readonly schema?: Attr;
  /** With `until`: the attribute stays after that line, with the 6.x schema (only its flags changed). */
  readonly keepAfter?: boolean;
}

const ATTR_CHANGES: readonly AttrChange[] = [
  // 6.0: every regional resource and data source got a `region` argument (handled for all types below).
  // 6.0 removed aws_eip.vpc (deprecated in 5.0 for `domain`, which 4.x only reported).
  { kind: "resource", type: "aws_eip", attr: "vpc", until: 5, schema: bool("ocF") },
  { kind: "resource", type: "aws_eip", attr: "domain", until: 4, schema: str("c"), keepAfter: true },
  // 6.0 removed cpu_core_count and cpu_threads_per_core from aws_instance (cpu_options replaces them).
  { kind: "resource", type: "aws_instance", attr: "cpu_core_count", until: 5, schema: num("ocF") },
  { kind: "resource", type: "aws_instance", attr: "cpu_threads_per_core", until: 5, schema: num("ocF") },
  // aws_spot_instance_request is built from aws_instance's schema: the same removals and additions.
  { kind: "resource", type: "aws_spot_instance_request", attr: "cpu_core_count", until: 5, schema: num("ocF") },
  { kind: "resource", type: "aws_spot_instance_request", attr: "cpu_threads_per_core", until: 5, schema: num("ocF") },
  { kind: "resource", type: "aws_spot_instance_request", attr: "disable_api_stop", since: 4 },
  // 6.0 added allow_unsafe_filter to data "aws_ami" (most_recent without an owner became an error).
  { kind: "data", type: "aws_ami", attr: "allow_unsafe_filter", since: 6 },
  // 4.x added launch permissions for groups and organizations (3.x grants to an account ID only).
  { kind: "resource", type: "aws_ami_launch_permission", attr: "group", since: 4 },
  { kind: "resource", type: "aws_ami_launch_permission", attr: "organization_arn", since: 4 },
  { kind: "resource", type: "aws_ami_launch_permission", attr: "organizational_unit_arn", since: 4 },
  // 4.x added disable_api_stop to aws_instance.
  { kind: "resource", type: "aws_instance", attr: "disable_api_stop", since: 4 },
  // 5.0 removed these provider arguments (configurations of the 3.x/4.x days still set them).
  { kind: "provider", type: "", attr: "skip_get_ec2_platforms", until: 4, schema: bool("o") },
  { kind: "provider", type: "", attr: "s3_force_path_style", until: 4, schema: bool("o") },
  { kind: "provider", type: "", attr: "shared_credentials_file", until: 4, schema: str("o") },
];

/** Resource types a line did not have yet. */
const TYPES_SINCE: readonly { kind: "resource" | "data"; type: string; since: Major }[] = [
  // aws_vpc_security_group_ingress_rule/_egress_rule arrived in 4.56.0.
  { kind: "resource", type: "aws_vpc_security_group_ingress_rule", since: 4 },
  { kind: "resource", type: "aws_vpc_security_group_egress_rule", since: 4 },
];

/**
 * What releases inside the 6.x line added, for the types ec2sim serves: absent from every release
 * before `since` (the 6.x schemas here are 6.25.0's plus these). terraform-aws-modules/ec2-instance
 * 6.4.0 requires >= 6.37 for them; the exact minor that added each is assumed to be 6.37.
 */
const MINOR_ADDITIONS: readonly { types: readonly string[]; block?: string; attr?: string; since: string }[] = [
  { types: ["aws_instance", "aws_spot_instance_request"], block: "secondary_network_interface", since: "6.37.0" },
  {
    types: ["aws_instance", "aws_spot_instance_request"],
    block: "cpu_options",
    attr: "nested_virtualization",
    since: "6.37.0",
  },
];

const versionBefore = (version: string, since: string): boolean => {
  const a = version.split(".").map(Number);
  const b = since.split(".").map(Number);
  for (let i = 0; i < 3; i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) < (b[i] ?? 0);
  return false;
};

/** A resource schema as `version` has it: the additions of later 6.x releases left out. */
export function schemaForVersion(type: string, schema: ResourceSchema, version: string): ResourceSchema {
  const changes = MINOR_ADDITIONS.filter((c) => c.types.includes(type) && versionBefore(version, c.since));
  if (!changes.length) return schema;
  const blocks: Record<string, NestedBlock> = { ...(schema.block.blocks ?? {}) };
  const attributes: Record<string, Attr> = { ...schema.block.attributes };
  for (const c of changes) {
    if (c.block && !c.attr) delete blocks[c.block];
    else if (c.block && c.attr && blocks[c.block]) {
      const nested = blocks[c.block]!;
      const { [c.attr]: _gone, ...rest } = nested.block.attributes;
      blocks[c.block] = { ...nested, block: { ...nested.block, attributes: rest } };
    } else if (c.attr) delete attributes[c.attr];
  }
  return { ...schema, block: { ...schema.block, attributes, blocks } };
}

/** The block changes an attribute change makes for `major`: undefined = leave, null = remove, Attr = add. */
function verdict(change: AttrChange, major: Major): Attr | null | undefined {
  if (change.since !== undefined && major < change.since) return null;
  if (change.until !== undefined) return major <= change.until ? change.schema : change.keepAfter ? undefined : null;
  return undefined;
}

function adjustBlock(block: Block, changes: readonly AttrChange[], major: Major, dropRegion: boolean): Block {
  const attributes: Record<string, Attr> = { ...block.attributes };
  if (dropRegion) delete attributes.region;
  for (const c of changes) {
    const v = verdict(c, major);
    if (v === null) delete attributes[c.attr];
    else if (v !== undefined) attributes[c.attr] = v;
  }
  // Cross-attribute options must not name what this line lacks.
  for (const [name, a] of Object.entries(attributes)) {
    const keep = (keys: readonly string[] | undefined) =>
      keys?.filter((k) => k in attributes || (block.blocks && k in block.blocks));
    if (a.conflictsWith || a.exactlyOneOf || a.atLeastOneOf) {
      attributes[name] = {
        ...a,
        ...(a.conflictsWith ? { conflictsWith: keep(a.conflictsWith) } : {}),
        ...(a.exactlyOneOf ? { exactlyOneOf: keep(a.exactlyOneOf) } : {}),
        ...(a.atLeastOneOf ? { atLeastOneOf: keep(a.atLeastOneOf) } : {}),
      };
    }
  }
  return { ...block, attributes };
}

/** A resource or data source schema as `major` has it; null when that line has no such type. */
export function schemaForMajor(
  kind: "resource" | "data",
  type: string,
  schema: ResourceSchema,
  major: Major,
): ResourceSchema | null {
  if (major === 6) return schema;
  if (TYPES_SINCE.some((t) => t.kind === kind && t.type === type && major < t.since)) return null;
  const changes = ATTR_CHANGES.filter((c) => c.kind === kind && c.type === type);
  let block = adjustBlock(schema.block, changes, major, true);
  // A lone launch permission target was required before 4.x added the others.
  if (major === 3 && type === "aws_ami_launch_permission")
    block = { ...block, attributes: { ...block.attributes, account_id: str("rF") } };
  return { ...schema, block };
}

/** The provider block as `major` has it. */
export function providerSchemaForMajor(schema: Block, major: Major): Block {
  if (major === 6) return schema;
  const block = adjustBlock(
    schema,
    ATTR_CHANGES.filter((c) => c.kind === "provider"),
    major,
    false,
  );
  if (major > 4) return block;
  // Before 5.0, skip_metadata_api_check was a bool and assume_role took duration_seconds.
  const assume = schema.blocks?.assume_role as NestedBlock | undefined;
  return {
    ...block,
    attributes: { ...block.attributes, skip_metadata_api_check: bool("o") },
    blocks: {
      ...block.blocks,
      ...(assume
        ? {
            assume_role: {
              ...assume,
              block: { ...assume.block, attributes: { ...assume.block.attributes, duration_seconds: num("o") } },
            },
          }
        : {}),
    },
  };
}

/** A provider definition as the `major` line has it: schemas adjusted, types it lacked left out. */
export function definitionForMajor<R extends { schema: ResourceSchema }, D extends { schema: ResourceSchema }>(
  def: { schema: Block; resources: Record<string, R>; dataSources: Record<string, D> },
  major: Major,
): { schema: Block; resources: Record<string, R>; dataSources: Record<string, D> } {
  if (major === 6) return def;
  const adjust = <T extends { schema: ResourceSchema }>(kind: "resource" | "data", all: Record<string, T>) =>
    Object.fromEntries(
      Object.entries(all).flatMap(([type, impl]) => {
        const schema = schemaForMajor(kind, type, impl.schema, major);
        return schema ? [[type, { ...impl, schema }]] : [];
      }),
    ) as Record<string, T>;
  return {
    schema: providerSchemaForMajor(def.schema, major),
    resources: adjust("resource", def.resources),
    dataSources: adjust("data", def.dataSources),
  };
}
