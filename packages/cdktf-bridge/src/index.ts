/**
 * @ec2sim/cdktf-bridge — leaves the sandbox for the real cloud: exports a sandbox as a CDKTF
 * project, Terraform JSON or HCL; reads real state (an AWS account, a Terraform state, another
 * sandbox); plans/diffs one against another in `terraform plan`'s language.
 *
 * cdktf is loaded only by synth/cdktf.ts, behind the `Synthesizer` interface.
 */
export * from "./inventory.ts";
export * from "./plan.ts";
export { exportSandbox, buildExportPlan, type ExportFormat, type ExportOptions, type ExportResult } from "./export/index.ts";
export { projectFiles, mainTs, notExportedMd } from "./export/project.ts";
export { guestChanges, cloudConfig, type GuestChanges } from "./export/cloud-init.ts";
export { defaultSynthesizer, type Synthesizer } from "./synth/synthesizer.ts";
export { readSandboxState } from "./readers/sandbox-state.ts";
export { readAws, enabledRegions, type AwsReaderOptions } from "./readers/aws.ts";
export { readTfState, stateResources } from "./readers/tfstate.ts";
export { loadFromServer, loadFromDataDir, type LoadedSandbox, type LocalStoreOpener } from "./readers/sandbox-source.ts";
export { diffInventories, type DiffResult, type Change, type AttrChange, type Action } from "./diff.ts";
export { renderPlan, diffJson } from "./render.ts";
export { bridgeMain, readSpec, type BridgeDeps } from "./cli.ts";
