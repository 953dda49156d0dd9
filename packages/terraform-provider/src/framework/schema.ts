// A small schema DSL shaped like terraform-plugin-sdk's: attributes with
// required/optional/computed, ForceNew, defaults and sensitivity; nested blocks (list, set, single);
// and the conversion to tfplugin6's Schema message.
import { NestingMode, type PSchema, type PSchemaBlock, type PSchemaNestedBlock } from "../proto/tfplugin6.ts";
import type { ConfigValidator } from "./constraints.ts";

export type CtyType =
  | "string"
  | "number"
  | "bool"
  /** cty.DynamicPseudoType: any value (only the unsupported types' placeholder schemas use it). */
  | "dynamic"
  | readonly ["list" | "set" | "map", CtyType]
  | readonly ["object", { readonly [name: string]: CtyType }];

export interface Attr {
  readonly type: CtyType;
  readonly required?: boolean;
  readonly optional?: boolean;
  readonly computed?: boolean;
  /** A change to this attribute replaces the resource (SDK ForceNew / framework RequiresReplace). */
  readonly forceNew?: boolean;
  readonly sensitive?: boolean;
  readonly deprecated?: string;
  /** Planned when the configuration leaves the attribute null (SDK Default). */
  readonly default?: unknown;
  /** Allowed values for a string (checked at validate time when the value is known). */
  readonly oneOf?: readonly string[];
  /** SDK ConflictsWith: sibling attributes that may not be set beside this one (see constraints.ts). */
  readonly conflictsWith?: readonly string[];
  /** SDK ExactlyOneOf: exactly one of these siblings (this one included) must be set. */
  readonly exactlyOneOf?: readonly string[];
  /** SDK AtLeastOneOf: at least one of these siblings (this one included) must be set. */
  readonly atLeastOneOf?: readonly string[];
  readonly description?: string;
}

export interface NestedBlock {
  readonly nesting: "list" | "set" | "single";
  readonly block: Block;
  readonly min?: number;
  readonly max?: number;
  readonly forceNew?: boolean;
  /** SDK "Optional+Computed" block: when the configuration has none, the prior/API value is kept. */
  readonly computed?: boolean;
  /**
   * hashicorp/aws's SuppressMissingOptionalConfigurationBlock: a configured block whose arguments are
   * all null (`credit_specification { cpu_credits = null }`, as modules write it) equals none at all.
   */
  readonly emptyIsMissing?: boolean;
  readonly deprecated?: string;
}

export interface Block {
  readonly attributes: { readonly [name: string]: Attr };
  readonly blocks?: { readonly [name: string]: NestedBlock };
}

// ---- DSL helpers ----
// Flags: r = required, o = optional, c = computed, F = ForceNew, S = sensitive.
type Extra = Omit<Attr, "type" | "required" | "optional" | "computed" | "forceNew" | "sensitive">;
export function attr(type: CtyType, flags: string, extra: Extra = {}): Attr {
  const a: Attr = {
    type,
    ...(flags.includes("r") ? { required: true } : {}),
    ...(flags.includes("o") ? { optional: true } : {}),
    ...(flags.includes("c") ? { computed: true } : {}),
    ...(flags.includes("F") ? { forceNew: true } : {}),
    ...(flags.includes("S") ? { sensitive: true } : {}),
    ...extra,
  };
  if (!a.required && !a.optional && !a.computed)
    throw new Error(`attribute flags "${flags}" say neither required, optional nor computed`);
  return a;
}
export const str = (flags: string, extra?: Extra): Attr => attr("string", flags, extra);
export const num = (flags: string, extra?: Extra): Attr => attr("number", flags, extra);
export const bool = (flags: string, extra?: Extra): Attr => attr("bool", flags, extra);
export const list = (t: CtyType): CtyType => ["list", t];
export const set = (t: CtyType): CtyType => ["set", t];
export const map = (t: CtyType): CtyType => ["map", t];
export const obj = (o: { [name: string]: CtyType }): CtyType => ["object", o];
export const strList = (flags: string, extra?: Extra): Attr => attr(list("string"), flags, extra);
export const strSet = (flags: string, extra?: Extra): Attr => attr(set("string"), flags, extra);
export const strMap = (flags: string, extra?: Extra): Attr => attr(map("string"), flags, extra);

export function listBlock(
  attributes: Block["attributes"],
  opts: Omit<NestedBlock, "nesting" | "block"> & { blocks?: Block["blocks"] } = {},
): NestedBlock {
  const { blocks, ...rest } = opts;
  return { nesting: "list", block: { attributes, ...(blocks ? { blocks } : {}) }, ...rest };
}
export function setBlock(
  attributes: Block["attributes"],
  opts: Omit<NestedBlock, "nesting" | "block"> & { blocks?: Block["blocks"] } = {},
): NestedBlock {
  const { blocks, ...rest } = opts;
  return { nesting: "set", block: { attributes, ...(blocks ? { blocks } : {}) }, ...rest };
}

/** Standard tags arguments. `framework` resources (plugin-framework in hashicorp/aws) have computed-only tags_all. */
export const tagsAttrs = (framework = false): Block["attributes"] => ({
  tags: strMap("o"),
  tags_all: strMap(framework ? "c" : "oc"),
});

/** A data source's `filter { name values }` blocks, passed to the Describe* call as EC2 filters. */
export const filterBlock = (): NestedBlock => setBlock({ name: str("r"), values: strSet("r") });

/** The `timeouts` block: SDK resources get a single nested block of duration strings. */
export function timeoutsBlock(keys: readonly string[]): NestedBlock {
  return { nesting: "single", block: { attributes: Object.fromEntries(keys.map((k) => [k, str("o")])) } };
}

// ---- conversion to the wire schema ----
const textEncoder = new TextEncoder();

export function ctyTypeJson(t: CtyType): unknown {
  if (typeof t === "string") return t;
  if (t[0] === "object")
    return ["object", Object.fromEntries(Object.entries(t[1]).map(([k, v]) => [k, ctyTypeJson(v)]))];
  return [t[0], ctyTypeJson(t[1])];
}

export function toProtoBlock(block: Block): PSchemaBlock {
  const attributes = Object.keys(block.attributes)
    .sort()
    .map((name) => {
      const a = block.attributes[name]!;
      return {
        name,
        type: textEncoder.encode(JSON.stringify(ctyTypeJson(a.type))),
        description: a.description ?? "",
        required: !!a.required,
        optional: !!a.optional,
        computed: !!a.computed,
        sensitive: !!a.sensitive,
        deprecated: !!a.deprecated,
      };
    });
  const block_types: PSchemaNestedBlock[] = Object.keys(block.blocks ?? {})
    .sort()
    .map((name) => {
      const b = block.blocks![name]!;
      return {
        type_name: name,
        block: toProtoBlock(b.block),
        nesting: b.nesting === "single" ? NestingMode.SINGLE : b.nesting === "set" ? NestingMode.SET : NestingMode.LIST,
        min_items: b.min ?? 0,
        max_items: b.max ?? 0,
      };
    });
  return { attributes, block_types };
}

export function toProtoSchema(block: Block, version = 0): PSchema {
  return { version, block: { version, ...toProtoBlock(block) } };
}

/** A resource's schema: the block (without `timeouts`, which is added from `timeouts`), its version and default timeouts. */
export interface ResourceSchema {
  readonly version: number;
  readonly block: Block;
  /** Timeout keys this resource accepts, with hashicorp/aws's defaults (Go durations). */
  readonly timeouts?: { readonly [key: string]: string };
  /** terraform-plugin-framework config validators (hashicorp/aws's framework resources). */
  readonly validators?: readonly ConfigValidator[];
}
export type DataSourceSchema = ResourceSchema;

/**
 * The full block terraform sees: attributes in name order (as hashicorp/aws lists them, so a schema
 * may be put together from shared fragments in any order), with the timeouts block when the resource
 * has timeouts.
 */
export function fullBlock(s: ResourceSchema): Block {
  const attributes = Object.fromEntries(
    Object.keys(s.block.attributes)
      .sort()
      .map((k) => [k, s.block.attributes[k]!]),
  );
  if (!s.timeouts) return { ...s.block, attributes };
  return { attributes, blocks: { ...(s.block.blocks ?? {}), timeouts: timeoutsBlock(Object.keys(s.timeouts)) } };
}
