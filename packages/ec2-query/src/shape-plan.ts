/**
 * A compiled, plain-object view of a Smithy schema, built once per schema from the official model
 * (`@aws-sdk/client-ec2` schemas walked with `NormalizedSchema`) and cached. The request parser and
 * the response serializer walk these plans instead of re-normalizing schemas on every request:
 * `NormalizedSchema.structIterator()` allocates a member schema per member per call, which is too
 * slow for a DescribeInstances of a thousand instances.
 *
 * Names follow the EC2 Query protocol as the SDK's client side writes and reads it:
 * - the request key of a member is its `ec2QueryName` trait, else its `xmlName` capitalised, else
 *   its member name capitalised (`QueryShapeSerializer.getKey` with `ec2: true, capitalizeKeys`);
 *   in the plain awsQuery protocol (IAM, STS) it is the `xmlName`, else the member name;
 * - the response element of a member is its member-level `xmlName`, else its member name
 *   (`XmlShapeDeserializer.readSchema`); list items are named by the list member's `xmlName`
 *   (`item` throughout EC2), else `member`.
 */
import { NormalizedSchema } from "@smithy/core/schema";

export type LeafKind =
  | "string"
  | "number"
  | "boolean"
  | "timestamp"
  | "blob"
  | "bigInteger"
  | "bigDecimal"
  | "document"
  | "unit";

export interface LeafShape {
  readonly kind: LeafKind;
}

export interface ListShape {
  readonly kind: "list";
  readonly name: string;
  /** Element name of each item in responses (`item` in EC2). */
  readonly itemXmlName: string;
  /** A flattened list repeats the member element itself instead of wrapping items. */
  readonly flattened: boolean;
  readonly item: Shape;
}

export interface MapShape {
  readonly kind: "map";
  readonly name: string;
  readonly flattened: boolean;
  readonly keyXmlName: string;
  readonly valueXmlName: string;
  readonly keyQueryName: string;
  readonly valueQueryName: string;
  readonly value: Shape;
}

export interface MemberPlan {
  /** Member name as the SDK spells it in input/output objects (`ImageIds`). */
  readonly name: string;
  /** Key segment in an EC2 Query request (`ImageId`). */
  readonly queryKey: string;
  /** Key segment in an awsQuery request (IAM, STS): the `xmlName` trait, else the member name. */
  readonly awsQueryKey: string;
  /** Element name in an EC2 XML response (`imagesSet`). */
  readonly xmlName: string;
  /** `<imagesSet>`, `</imagesSet>`: precomputed for the serializer's hot loop. */
  readonly openTag: string;
  readonly closeTag: string;
  readonly idempotencyToken: boolean;
  readonly shape: Shape;
}

export interface StructShape {
  readonly kind: "struct";
  readonly name: string;
  /** Members in model order. */
  readonly members: readonly MemberPlan[];
  /** Members by their request key. */
  readonly membersByQueryKey: ReadonlyMap<string, MemberPlan>;
  /** Members by their awsQuery request key. */
  readonly membersByAwsQueryKey: ReadonlyMap<string, MemberPlan>;
}

/** A schema reference as the model holds it: a static schema, a number sentinel or a thunk. */
export type SchemaRef = unknown;

export type Shape = LeafShape | ListShape | MapShape | StructShape;

const leaves: Record<LeafKind, LeafShape> = {
  string: { kind: "string" },
  number: { kind: "number" },
  boolean: { kind: "boolean" },
  timestamp: { kind: "timestamp" },
  blob: { kind: "blob" },
  bigInteger: { kind: "bigInteger" },
  bigDecimal: { kind: "bigDecimal" },
  document: { kind: "document" },
  unit: { kind: "unit" },
};

/** Plans by the schema object they were compiled from (model schemas are static arrays). */
const planCache = new WeakMap<object, Shape>();

const capitalize = (s: string): string => (s.length === 0 ? s : s[0]!.toUpperCase() + s.slice(1));

const traitString = (traits: Record<string, unknown>, name: string): string | undefined => {
  const v = traits[name];
  return typeof v === "string" ? v : undefined;
};

/** Compiles (or returns the cached plan of) a schema reference from the model. */
export function shapePlanOf(schemaRef: SchemaRef): Shape {
  return planFor(NormalizedSchema.of(schemaRef as Parameters<typeof NormalizedSchema.of>[0]));
}

function planFor(ns: NormalizedSchema): Shape {
  const target = ns.getSchema() as unknown;
  const cacheable = typeof target === "object" && target !== null;
  if (cacheable) {
    const cached = planCache.get(target);
    if (cached) return cached;
  }
  const plan = compile(ns);
  if (cacheable) planCache.set(target as object, plan);
  return plan;
}

function compile(ns: NormalizedSchema): Shape {
  if (ns.isStructSchema()) return compileStruct(ns);
  if (ns.isListSchema()) {
    const item = ns.getValueSchema();
    const itemTraits = item.getMergedTraits() as Record<string, unknown>;
    return {
      kind: "list",
      name: ns.getName() ?? "List",
      itemXmlName: traitString(itemTraits, "xmlName") ?? "member",
      flattened: Boolean((ns.getMergedTraits() as Record<string, unknown>).xmlFlattened),
      item: planFor(item),
    };
  }
  if (ns.isMapSchema()) {
    const keyTraits = ns.getKeySchema().getMergedTraits() as Record<string, unknown>;
    const value = ns.getValueSchema();
    const valueTraits = value.getMergedTraits() as Record<string, unknown>;
    return {
      kind: "map",
      name: ns.getName() ?? "Map",
      flattened: Boolean((ns.getMergedTraits() as Record<string, unknown>).xmlFlattened),
      keyXmlName: traitString(keyTraits, "xmlName") ?? "key",
      valueXmlName: traitString(valueTraits, "xmlName") ?? "value",
      keyQueryName: traitString(keyTraits, "ec2QueryName") ?? traitString(keyTraits, "xmlName") ?? "key",
      valueQueryName: traitString(valueTraits, "ec2QueryName") ?? traitString(valueTraits, "xmlName") ?? "value",
      value: planFor(value),
    };
  }
  if (ns.isBlobSchema()) return leaves.blob;
  if (ns.isTimestampSchema()) return leaves.timestamp;
  if (ns.isBooleanSchema()) return leaves.boolean;
  if (ns.isNumericSchema()) return leaves.number;
  if (ns.isBigIntegerSchema()) return leaves.bigInteger;
  if (ns.isBigDecimalSchema()) return leaves.bigDecimal;
  if (ns.isDocumentSchema()) return leaves.document;
  if (ns.isUnitSchema()) return leaves.unit;
  return leaves.string;
}

/**
 * Structures may be recursive, so a structure's members are compiled on first use and the plan is
 * cached before that happens.
 */
function compileStruct(ns: NormalizedSchema): StructShape {
  let members: MemberPlan[] | undefined;
  let byKey: Map<string, MemberPlan> | undefined;
  let byAwsQueryKey: Map<string, MemberPlan> | undefined;
  const load = (): MemberPlan[] => {
    if (members) return members;
    const list: MemberPlan[] = [];
    for (const [name, member] of ns.structIterator()) {
      const merged = member.getMergedTraits() as Record<string, unknown>;
      const own = member.getMemberTraits() as Record<string, unknown>;
      const xmlName = traitString(own, "xmlName") ?? name;
      const memberPlan: MemberPlan = {
        name,
        queryKey: traitString(merged, "ec2QueryName") ?? capitalize(traitString(merged, "xmlName") ?? name),
        awsQueryKey: traitString(merged, "xmlName") ?? name,
        xmlName,
        openTag: `<${xmlName}>`,
        closeTag: `</${xmlName}>`,
        idempotencyToken: Boolean(merged.idempotencyToken),
        get shape(): Shape {
          const shape = planFor(member);
          Object.defineProperty(this, "shape", { value: shape, enumerable: true });
          return shape;
        },
      };
      list.push(memberPlan);
    }
    members = list;
    return list;
  };
  const plan: StructShape = {
    kind: "struct",
    name: ns.getName() ?? "Structure",
    get members() {
      const loaded = load();
      // From now on a plain property: the serializer reads it once per object.
      Object.defineProperty(plan, "members", { value: loaded, enumerable: true });
      return loaded;
    },
    get membersByQueryKey() {
      if (!byKey) byKey = new Map(load().map((m) => [m.queryKey, m]));
      return byKey;
    },
    get membersByAwsQueryKey() {
      if (!byAwsQueryKey) byAwsQueryKey = new Map(load().map((m) => [m.awsQueryKey, m]));
      return byAwsQueryKey;
    },
  };
  return plan;
}
