/**
 * @ec2sim/cdktf-bridge — leaves the sandbox for the real cloud: exports a sandbox as a CDKTF
 * project, Terraform JSON or HCL; reads real state (an AWS account, a Terraform state, another
 * sandbox); plans/diffs one against another in `terraform plan`'s language.
 *
 * cdktf is loaded only by synth/cdktf.ts, behind the `Synthesizer` interface.
 */

export {
  type BridgeDeps,
  BridgeUsageError,
  type DiffCommandOptions,
  diffCommand,
  type ExportCommandOptions,
  exportCommand,
  readSpec,
  type SourceOptions,
} from "./cli.ts";
export * from "./diff/index.ts";
export { cloudConfig, type GuestChanges, guestChanges } from "./export/cloud-init.ts";
export {
  buildExportPlan,
  type ExportFormat,
  type ExportOptions,
  type ExportResult,
  exportSandbox,
} from "./export/index.ts";
export { mainTs, notExportedMd, projectFiles } from "./export/project.ts";
export * from "./inventory.ts";
export * from "./plan.ts";
export { type AwsReaderOptions, enabledRegions, readAws } from "./readers/aws.ts";
export {
  type LoadedSandbox,
  type LocalStoreOpener,
  loadFromDataDir,
  loadFromServer,
} from "./readers/sandbox-source.ts";
export { readSandboxState } from "./readers/sandbox-state.ts";
export { readTfState, stateResources } from "./readers/tfstate.ts";
export { diffJson, renderPlan } from "./render.ts";
export { defaultSynthesizer, type Synthesizer } from "./synth/synthesizer.ts";
