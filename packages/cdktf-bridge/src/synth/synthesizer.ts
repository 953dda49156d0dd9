/**
 * The narrow interface between the bridge and a CDK for Terraform library. The bridge builds an
 * `ExportPlan`; a synthesizer turns it into Terraform JSON or HCL. Today: cdktf 0.21 (upstream,
 * archived December 2025); tomorrow the cdktn fork behind the same interface (it wants Node 22).
 */
import type { ExportPlan } from "../plan.ts";

export interface Synthesizer {
  readonly name: string;
  /** Versions the generated project's package.json pins. */
  readonly versions: { cdktf: string; constructs: string; "@cdktf/provider-aws": string; "cdktf-cli": string };
  /** The synthesized `cdk.tf.json`. */
  synthJson(plan: ExportPlan): Promise<Record<string, unknown>>;
  /** The synthesized HCL (unformatted: run `terraform fmt` on it). */
  synthHcl(plan: ExportPlan): Promise<string>;
}

/** The synthesizer in use (loaded lazily, so readers and diff never load cdktf). */
export async function defaultSynthesizer(): Promise<Synthesizer> {
  return (await import("./cdktf.ts")).cdktfSynthesizer;
}
