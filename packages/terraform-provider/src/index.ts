// @ec2sim/terraform-provider: a Terraform provider (tfplugin6) for ec2sim, written in TypeScript.
export { createProvider, diagnosticFromError, type DataSourceImpl, type ProviderDefinition, type ResourceImpl } from "./framework/provider.ts";
export { DEFAULT_ENDPOINT, resolveProviderConfig, SandboxAdmin, type ProviderConfig } from "./framework/context.ts";
export { decodeValue, encodeValue, isUnknown, Unknown, UNKNOWN } from "./framework/msgpack.ts";
export * as schema from "./framework/schema.ts";
export { generateCertificate } from "./der.ts";
export { handshakeLine, MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE, servePlugin, startServer, type ProviderHandlers, type RunningServer } from "./plugin.ts";
export { providerDefinition } from "./resources/index.ts";
export {
  DEFAULT_PROVIDER_VERSION,
  DEFAULT_PROVIDER_VERSIONS,
  EC2SIM_EC2SIM,
  HASHICORP_AWS,
  MIRRORED_PROVIDERS,
  providerAddress,
  terraformPlatform,
  writeTerraformCliConfig,
  type CliConfig,
  type CliConfigOptions,
} from "./install.ts";
export { buildProvider, DEFAULT_DIST_DIR, wrapperScript, type BuildResult, type BundleOptions, type WrapperOptions } from "./build.ts";
export { setup as setupTerraform, terraformCommand, type SetupOptions, type SetupResult } from "./cli.ts";
