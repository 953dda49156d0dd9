/**
 * A service's operations and errors, read from its official model (the schemas a
 * `@aws-sdk/client-*` package exports: `GetRole$`, `NoSuchEntityException$`, …) the first time the
 * service is called. Operations compile to the same cached shape plans EC2's do.
 */
import { type SchemaRef, type Shape, type StructShape, shapePlanOf } from "@ec2sim/ec2-query";
import { SERVICES, type ServiceId } from "./services.ts";

export interface ServiceOperation {
  readonly action: string;
  readonly input: StructShape;
  /** The output structure, or `unit` for operations that answer nothing. */
  readonly output: StructShape | { readonly kind: "unit" };
}

export interface ModelError {
  readonly fault: "client" | "server";
  /** The `httpError` trait, if any. */
  readonly httpError?: number;
  /** The status of the `awsQueryError` trait (what awsQuery services answer), if any. */
  readonly queryStatus?: number;
}

/** The status an awsQuery service answers an error with. */
export const queryStatusOf = (e: ModelError): number =>
  e.queryStatus ?? e.httpError ?? (e.fault === "server" ? 500 : 400);
/** The status an awsJson service answers an error with (awsQuery compatibility does not change it). */
export const jsonStatusOf = (e: ModelError): number => e.httpError ?? (e.fault === "server" ? 500 : 400);

const OPERATION_SCHEMA = 9;
const ERROR_SCHEMA = -3;
type StaticOperation = readonly [9, string, string, unknown, SchemaRef, SchemaRef];
type StaticError = readonly [-3, string, string, Record<string, unknown>, ...unknown[]];

const emptyStruct = (name: string): StructShape => ({
  kind: "struct",
  name,
  members: [],
  membersByQueryKey: new Map(),
  membersByAwsQueryKey: new Map(),
});

export class ServiceModel {
  private readonly operations = new Map<string, ServiceOperation | null>();
  private errorsByCode: Map<string, ModelError> | undefined;
  private actionList: readonly string[] | undefined;

  constructor(
    readonly id: ServiceId,
    private readonly exportsByName: Record<string, unknown>,
  ) {}

  /** The operation named `action`, or undefined when the model has none. */
  operation(action: string): ServiceOperation | undefined {
    const known = this.operations.get(action);
    if (known !== undefined) return known ?? undefined;
    const name = `${action}$`;
    const schema = Object.hasOwn(this.exportsByName, name) ? this.exportsByName[name] : undefined;
    const op =
      Array.isArray(schema) && schema[0] === OPERATION_SCHEMA && schema[2] === action
        ? compile(action, schema as unknown as StaticOperation)
        : null;
    // Misses are remembered only for names shaped like actions, so junk cannot grow the map.
    if ((op || /^[A-Z][A-Za-z0-9]{0,99}$/.test(action)) && this.operations.size < 2000) this.operations.set(action, op);
    return op ?? undefined;
  }

  /** Every action of the model, sorted. */
  actions(): readonly string[] {
    this.actionList ??= Object.keys(this.exportsByName)
      .filter((k) => {
        const v = this.exportsByName[k];
        return k.endsWith("$") && Array.isArray(v) && v[0] === OPERATION_SCHEMA && v[2] === k.slice(0, -1);
      })
      .map((k) => k.slice(0, -1))
      .sort();
    return this.actionList;
  }

  /** What the model says about an error code (`NoSuchEntity` → 404), if it declares it. */
  error(code: string): ModelError | undefined {
    if (!this.errorsByCode) {
      const map = new Map<string, ModelError>();
      for (const [k, v] of Object.entries(this.exportsByName)) {
        if (!k.endsWith("$") || !Array.isArray(v) || v[0] !== ERROR_SCHEMA) continue;
        const [, , name, traits] = v as unknown as StaticError;
        const fault = traits.error === "server" ? "server" : "client";
        const query = traits.awsQueryError as [string, number] | undefined;
        const info: ModelError = {
          fault,
          ...(typeof traits.httpError === "number" ? { httpError: traits.httpError } : {}),
          ...(query ? { queryStatus: query[1] } : {}),
        };
        map.set(query?.[0] ?? name, info);
        map.set(name, info);
      }
      this.errorsByCode = map;
    }
    return this.errorsByCode.get(code);
  }
}

function compile(action: string, schema: StaticOperation): ServiceOperation {
  let input: StructShape | undefined;
  let output: Shape | undefined;
  return {
    action,
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

const loading = new Map<ServiceId, Promise<ServiceModel>>();

/** The service's model, imported on first use (a few hundred ms once), then cached. */
export function loadServiceModel(id: ServiceId): Promise<ServiceModel> {
  let p = loading.get(id);
  if (!p) {
    p = SERVICES[id].load().then((m) => new ServiceModel(id, m as Record<string, unknown>));
    loading.set(id, p);
    p.catch(() => loading.delete(id));
  }
  return p;
}

/** True once `id`'s model has been imported (start-up tests check that nothing was). */
export const serviceModelLoaded = (id: ServiceId): boolean => loading.has(id);
