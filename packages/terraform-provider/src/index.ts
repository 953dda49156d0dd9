// @ec2sim/terraform-provider: a Terraform provider (tfplugin6) for ec2sim, written in TypeScript.

export {
  type BuildResult,
  type BundleOptions,
  buildProvider,
  DEFAULT_DIST_DIR,
  installOrBuild,
  installPrebuilt,
  type WrapperOptions,
  wrapperScript,
} from "./build.ts";
export { reattach, type SetupOptions, type SetupResult, setup as setupTerraform, TerraformUsageError } from "./cli.ts";
export { generateCertificate } from "./der.ts";
export { DEFAULT_ENDPOINT, type ProviderConfig, resolveProviderConfig, SandboxAdmin } from "./framework/context.ts";
export { decodeValue, encodeValue, isUnknown, UNKNOWN, Unknown } from "./framework/msgpack.ts";
export {
  createProvider,
  type DataSourceImpl,
  diagnosticFromError,
  type ProviderDefinition,
  type ResourceImpl,
} from "./framework/provider.ts";
export * as schema from "./framework/schema.ts";
export {
  type CliConfig,
  type CliConfigOptions,
  DEFAULT_PROVIDER_VERSION,
  DEFAULT_PROVIDER_VERSIONS,
  EC2SIM_EC2SIM,
  HASHICORP_AWS,
  LAUNCHER,
  MIRRORED_PROVIDERS,
  packageHash,
  providerAddress,
  terraformPlatform,
  writeTerraformCliConfig,
} from "./install.ts";
export {
  handshakeLine,
  MAGIC_COOKIE_KEY,
  MAGIC_COOKIE_VALUE,
  type ProviderHandlers,
  type RunningServer,
  servePlugin,
  startServer,
} from "./plugin.ts";
export { providerDefinition, providerDefinitionFor } from "./resources/index.ts";
export { unsupportedTerraformTypes } from "./schemas/unsupported.ts";
export { CDKTF_PROVIDER_VERSION, majorOf, NEWEST_VERSION, OFFERED_VERSIONS, summarizeVersions } from "./versions.ts";
