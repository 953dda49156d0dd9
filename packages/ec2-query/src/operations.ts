/**
 * The registry of EC2 operations, read from the official model: the operation schemas that
 * `@aws-sdk/client-ec2` exports (`DescribeImages$`, …). Nothing is walked at start-up: an
 * operation's input and output plans are compiled the first time the action is used.
 */
import * as ec2Model from "@aws-sdk/client-ec2";
import { type SchemaRef, type Shape, type StructShape, shapePlanOf } from "./shape-plan.ts";

/** The static operation schema tuple the model exports: [9, namespace, name, traits, input, output]. */
export type StaticOperationSchema = readonly [9, string, string, unknown, SchemaRef, SchemaRef];

export interface Ec2Operation {
  /** Action name as sent in `Action=` (`DescribeImages`). */
  readonly action: string;
  /** The model's operation schema (`DescribeImages$`). */
  readonly schema: StaticOperationSchema;
  /** Plan of the input structure (`DescribeImagesRequest`). */
  readonly input: StructShape;
  /** Plan of the output structure, or `unit` for operations that return nothing. */
  readonly output: StructShape | { readonly kind: "unit" };
}

const exportsByName = ec2Model as unknown as Record<string, unknown>;
const OPERATION_SCHEMA = 9;

const isOperationSchema = (value: unknown, action: string): value is StaticOperationSchema =>
  Array.isArray(value) && value[0] === OPERATION_SCHEMA && value[2] === action;

const registry = new Map<string, Ec2Operation | null>();

/** The operation named `action`, or undefined when the model has no such action. */
export function findOperation(action: string): Ec2Operation | undefined {
  const known = registry.get(action);
  if (known !== undefined) return known ?? undefined;
  const exportName = `${action}$`;
  const schema = Object.hasOwn(exportsByName, exportName) ? exportsByName[exportName] : undefined;
  const operation = isOperationSchema(schema, action) ? compileOperation(action, schema) : null;
  // Remember misses too, but only for names shaped like actions, so junk cannot grow the map.
  if (operation || /^[A-Z][A-Za-z0-9]{0,99}$/.test(action)) {
    if (registry.size < 5000) registry.set(action, operation);
  }
  return operation ?? undefined;
}

function compileOperation(action: string, schema: StaticOperationSchema): Ec2Operation {
  let input: StructShape | undefined;
  let output: Shape | undefined;
  return {
    action,
    schema,
    get input(): StructShape {
      if (!input) {
        const plan = shapePlanOf(schema[4]);
        input = plan.kind === "struct" ? plan : emptyStruct(`${action}Request`);
      }
      return input;
    },
    get output(): StructShape | { readonly kind: "unit" } {
      if (!output) output = shapePlanOf(schema[5]);
      return output.kind === "struct" ? output : { kind: "unit" };
    },
  };
}

const emptyStruct = (name: string): StructShape => ({
  kind: "struct",
  name,
  members: [],
  membersByQueryKey: new Map(),
  membersByAwsQueryKey: new Map(),
});

let allActions: readonly string[] | undefined;

/** Every action in the model, sorted. Scans export names only; compiles nothing. */
export function listOperations(): readonly string[] {
  if (!allActions) {
    allActions = Object.keys(exportsByName)
      .filter((k) => k.endsWith("$") && isOperationSchema(exportsByName[k], k.slice(0, -1)))
      .map((k) => k.slice(0, -1))
      .sort();
  }
  return allActions;
}

/** The EC2 API version the model describes, used in response namespaces. */
export const EC2_API_VERSION = "2016-11-15";
