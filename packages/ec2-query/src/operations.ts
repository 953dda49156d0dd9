/**
 * The registry of EC2 operations, read from the official model: the operation schemas that
 * `@aws-sdk/client-ec2` exports (`DescribeImages$`, …; see model.ts for what the build loads when).
 * Nothing is walked at start-up: an operation's input and output plans are compiled the first time
 * the action is used.
 */
import { loadFullModel, MODEL_ACTIONS, servedModel } from "./model.ts";
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

const OPERATION_SCHEMA = 9;
const modelActions = MODEL_ACTIONS && new Set(MODEL_ACTIONS);

/** The operation schema of `action`: from the served part of the model, else (a known action) the rest. */
function schemaOf(action: string): unknown {
  const exportName = `${action}$`;
  if (Object.hasOwn(servedModel, exportName)) return servedModel[exportName];
  if (!modelActions?.has(action)) return undefined;
  const full = loadFullModel();
  return Object.hasOwn(full, exportName) ? full[exportName] : undefined;
}

const isOperationSchema = (value: unknown, action: string): value is StaticOperationSchema =>
  Array.isArray(value) && value[0] === OPERATION_SCHEMA && value[2] === action;

const registry = new Map<string, Ec2Operation | null>();

/** The operation named `action`, or undefined when the model has no such action. */
export function findOperation(action: string): Ec2Operation | undefined {
  const known = registry.get(action);
  if (known !== undefined) return known ?? undefined;
  const schema = schemaOf(action);
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
    allActions =
      MODEL_ACTIONS ??
      Object.keys(servedModel)
        .filter((k) => k.endsWith("$") && isOperationSchema(servedModel[k], k.slice(0, -1)))
        .map((k) => k.slice(0, -1))
        .sort();
  }
  return allActions;
}

/** The EC2 API version the model describes, used in response namespaces. */
export const EC2_API_VERSION = "2016-11-15";
