// Our own description of the subset of the tfplugin6 protocol (6.8, as spoken by terraform 1.11)
// that this provider uses. Message names and field numbers are wire facts of the protocol; the
// descriptors and types below are written for this package (no generated code, no .proto parsing).
import type { FieldDesc, MessageDesc } from "./wire.ts";

const m = (name: string, fields: FieldDesc[]): MessageDesc => ({ name, fields });
const f = (no: number, name: string, kind: FieldDesc["kind"], extra: Partial<FieldDesc> = {}): FieldDesc => ({
  no,
  name,
  kind,
  ...extra,
});
const rep = { repeated: true } as const;

// ---- shared messages ----
export const DynamicValueD = m("DynamicValue", [f(1, "msgpack", "bytes"), f(2, "json", "bytes")]);
export const AttributePathStepD = m("AttributePath.Step", [
  f(1, "attribute_name", "string"),
  f(2, "element_key_string", "string"),
  f(3, "element_key_int", "int64"),
]);
export const AttributePathD = m("AttributePath", [f(1, "steps", () => AttributePathStepD, rep)]);
export const DiagnosticD = m("Diagnostic", [
  f(1, "severity", "enum"),
  f(2, "summary", "string"),
  f(3, "detail", "string"),
  f(4, "attribute", () => AttributePathD),
]);
export const RawStateD = m("RawState", [f(1, "json", "bytes"), f(2, "flatmap", "string", { map: true })]);
export const ClientCapabilitiesD = m("ClientCapabilities", [
  f(1, "deferral_allowed", "bool"),
  f(2, "write_only_attributes_allowed", "bool"),
]);
export const ServerCapabilitiesD = m("ServerCapabilities", [
  f(1, "plan_destroy", "bool"),
  f(2, "get_provider_schema_optional", "bool"),
  f(3, "move_resource_state", "bool"),
]);

// ---- schema ----
export const SchemaAttributeD: MessageDesc = m("Schema.Attribute", [
  f(1, "name", "string"),
  f(2, "type", "bytes"),
  f(3, "description", "string"),
  f(4, "required", "bool"),
  f(5, "optional", "bool"),
  f(6, "computed", "bool"),
  f(7, "sensitive", "bool"),
  f(8, "description_kind", "enum"),
  f(9, "deprecated", "bool"),
  f(11, "write_only", "bool"),
]);
export const SchemaBlockD: MessageDesc = m("Schema.Block", [
  f(1, "version", "int64"),
  f(2, "attributes", () => SchemaAttributeD, rep),
  f(3, "block_types", () => SchemaNestedBlockD, rep),
  f(4, "description", "string"),
  f(5, "description_kind", "enum"),
  f(6, "deprecated", "bool"),
]);
export const SchemaNestedBlockD: MessageDesc = m("Schema.NestedBlock", [
  f(1, "type_name", "string"),
  f(2, "block", () => SchemaBlockD),
  f(3, "nesting", "enum"),
  f(4, "min_items", "int64"),
  f(5, "max_items", "int64"),
]);
export const SchemaD = m("Schema", [f(1, "version", "int64"), f(2, "block", () => SchemaBlockD)]);

export const NestingMode = { INVALID: 0, SINGLE: 1, LIST: 2, SET: 3, MAP: 4, GROUP: 5 } as const;
export const Severity = { INVALID: 0, ERROR: 1, WARNING: 2 } as const;

export interface PDynamicValue {
  msgpack?: Uint8Array;
  json?: Uint8Array;
}
export interface PAttributePathStep {
  attribute_name?: string;
  element_key_string?: string;
  element_key_int?: number | bigint;
}
export interface PAttributePath {
  steps: PAttributePathStep[];
}
export interface PDiagnostic {
  severity: number;
  summary: string;
  detail?: string;
  attribute?: PAttributePath;
}
export interface PSchemaAttribute {
  name: string;
  type: Uint8Array;
  description?: string;
  required?: boolean;
  optional?: boolean;
  computed?: boolean;
  sensitive?: boolean;
  deprecated?: boolean;
}
export interface PSchemaBlock {
  version?: number;
  attributes: PSchemaAttribute[];
  block_types: PSchemaNestedBlock[];
  description?: string;
  deprecated?: boolean;
}
export interface PSchemaNestedBlock {
  type_name: string;
  block: PSchemaBlock;
  nesting: number;
  min_items?: number;
  max_items?: number;
}
export interface PSchema {
  version: number;
  block: PSchemaBlock;
}

// ---- requests/responses (Request then Response, per RPC) ----
const Empty = m("Empty", []);
const diags = (no: number) => f(no, "diagnostics", () => DiagnosticD, rep);
const dv = (no: number, name: string) => f(no, name, () => DynamicValueD);
const typeMeta = m("TypeMetadata", [f(1, "type_name", "string")]);

export interface RpcDesc {
  readonly req: MessageDesc;
  readonly res: MessageDesc;
}

export const rpcs = {
  GetMetadata: {
    req: Empty,
    res: m("GetMetadata.Response", [
      f(1, "server_capabilities", () => ServerCapabilitiesD),
      diags(2),
      f(3, "data_sources", () => typeMeta, rep),
      f(4, "resources", () => typeMeta, rep),
    ]),
  },
  GetProviderSchema: {
    req: Empty,
    res: m("GetProviderSchema.Response", [
      f(1, "provider", () => SchemaD),
      f(2, "resource_schemas", () => SchemaD, { map: true }),
      f(3, "data_source_schemas", () => SchemaD, { map: true }),
      diags(4),
      f(5, "provider_meta", () => SchemaD),
      f(6, "server_capabilities", () => ServerCapabilitiesD),
    ]),
  },
  ValidateProviderConfig: {
    req: m("ValidateProviderConfig.Request", [dv(1, "config")]),
    res: m("ValidateProviderConfig.Response", [diags(2)]),
  },
  ValidateResourceConfig: {
    req: m("ValidateResourceConfig.Request", [
      f(1, "type_name", "string"),
      dv(2, "config"),
      f(3, "client_capabilities", () => ClientCapabilitiesD),
    ]),
    res: m("ValidateResourceConfig.Response", [diags(1)]),
  },
  ValidateDataResourceConfig: {
    req: m("ValidateDataResourceConfig.Request", [f(1, "type_name", "string"), dv(2, "config")]),
    res: m("ValidateDataResourceConfig.Response", [diags(1)]),
  },
  UpgradeResourceState: {
    req: m("UpgradeResourceState.Request", [
      f(1, "type_name", "string"),
      f(2, "version", "int64"),
      f(3, "raw_state", () => RawStateD),
    ]),
    res: m("UpgradeResourceState.Response", [dv(1, "upgraded_state"), diags(2)]),
  },
  ConfigureProvider: {
    req: m("ConfigureProvider.Request", [
      f(1, "terraform_version", "string"),
      dv(2, "config"),
      f(3, "client_capabilities", () => ClientCapabilitiesD),
    ]),
    res: m("ConfigureProvider.Response", [diags(1)]),
  },
  ReadResource: {
    req: m("ReadResource.Request", [
      f(1, "type_name", "string"),
      dv(2, "current_state"),
      f(3, "private", "bytes"),
      dv(4, "provider_meta"),
    ]),
    res: m("ReadResource.Response", [dv(1, "new_state"), diags(2), f(3, "private", "bytes")]),
  },
  PlanResourceChange: {
    req: m("PlanResourceChange.Request", [
      f(1, "type_name", "string"),
      dv(2, "prior_state"),
      dv(3, "proposed_new_state"),
      dv(4, "config"),
      f(5, "prior_private", "bytes"),
      dv(6, "provider_meta"),
    ]),
    res: m("PlanResourceChange.Response", [
      dv(1, "planned_state"),
      f(2, "requires_replace", () => AttributePathD, rep),
      f(3, "planned_private", "bytes"),
      diags(4),
      f(5, "legacy_type_system", "bool"),
    ]),
  },
  ApplyResourceChange: {
    req: m("ApplyResourceChange.Request", [
      f(1, "type_name", "string"),
      dv(2, "prior_state"),
      dv(3, "planned_state"),
      dv(4, "config"),
      f(5, "planned_private", "bytes"),
      dv(6, "provider_meta"),
    ]),
    res: m("ApplyResourceChange.Response", [
      dv(1, "new_state"),
      f(2, "private", "bytes"),
      diags(3),
      f(4, "legacy_type_system", "bool"),
    ]),
  },
  ImportResourceState: {
    req: m("ImportResourceState.Request", [f(1, "type_name", "string"), f(2, "id", "string")]),
    res: m("ImportResourceState.Response", [
      f(
        1,
        "imported_resources",
        () =>
          m("ImportResourceState.ImportedResource", [
            f(1, "type_name", "string"),
            dv(2, "state"),
            f(3, "private", "bytes"),
          ]),
        rep,
      ),
      diags(2),
    ]),
  },
  ReadDataSource: {
    req: m("ReadDataSource.Request", [f(1, "type_name", "string"), dv(2, "config"), dv(3, "provider_meta")]),
    res: m("ReadDataSource.Response", [dv(1, "state"), diags(2)]),
  },
  StopProvider: {
    req: Empty,
    res: m("StopProvider.Response", [f(1, "Error", "string")]),
  },
} satisfies Record<string, RpcDesc>;

export type RpcName = keyof typeof rpcs;

/** go-plugin's controller service (package plugin): Shutdown(Empty) returns (Empty). */
export const controllerRpcs = { Shutdown: { req: Empty, res: Empty } } satisfies Record<string, RpcDesc>;
