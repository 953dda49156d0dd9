/**
 * Where cdktf comes from. In the repository, the bridge's own dependencies. In the published
 * package, cdktf, constructs and @cdktf/provider-aws (about 400 MB) are optional peer
 * dependencies: used when installed beside ec2sim, else installed on first use into a cache folder
 * (EC2SIM_CDKTF_DIR, default ~/.ec2sim/cdktf-<versions>) with npm, saying so first.
 */
import type { Synthesizer } from "@ec2sim/cdktf-bridge";

export async function cdktfSynthesizer(): Promise<Synthesizer> {
  const { defaultSynthesizer } = await import("@ec2sim/cdktf-bridge");
  return defaultSynthesizer();
}
