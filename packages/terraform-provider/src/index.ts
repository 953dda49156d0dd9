// @ec2sim/terraform-provider: a Terraform provider (tfplugin6) for ec2sim, written in TypeScript.
export { createProvider, diagnosticFromError, type DataSourceImpl, type ProviderDefinition, type ResourceImpl } from "./framework/provider.ts";
export { DEFAULT_ENDPOINT, resolveProviderConfig, type ProviderConfig } from "./framework/context.ts";
export { decodeValue, encodeValue, isUnknown, Unknown, UNKNOWN } from "./framework/msgpack.ts";
export * as schema from "./framework/schema.ts";
export { generateCertificate } from "./der.ts";
export { handshakeLine, MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE, servePlugin, startServer, type ProviderHandlers, type RunningServer } from "./plugin.ts";
export { providerDefinition } from "./resources/index.ts";
export { DEFAULT_PROVIDER_VERSION, MIRRORED_PROVIDERS, writeTerraformCliConfig, type CliConfig, type CliConfigOptions } from "./install.ts";
