/** `ec2sim terraform setup|reattach`: the Terraform provider package, loaded only for this command. */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { type Parsed, UsageError } from "../spec.ts";
import { terraform as spec } from "../table.ts";

export async function terraformCommand(p: Parsed): Promise<number> {
  const str = (name: string) => p.values[name] as string | undefined;
  const { setup, reattach, TerraformUsageError } = await import("@ec2sim/terraform-provider/cli");
  try {
    if (p.positionals[0] === "reattach") {
      if (str("dir") || str("address")) throw new UsageError("reattach takes --endpoint only", spec);
      await reattach(str("endpoint") ? { endpoint: str("endpoint")! } : {});
      return 0;
    }
    // The published package ships the provider prebuilt beside its code; from the sources it is built.
    const prebuilt = fileURLToPath(new URL("./terraform-provider/", import.meta.url));
    await setup({
      ...(existsSync(prebuilt) ? { prebuilt } : {}),
      ...(str("dir") ? { dir: str("dir")! } : {}),
      ...(str("address") ? { address: str("address")! } : {}),
      ...(str("endpoint") ? { endpoint: str("endpoint")! } : {}),
    });
    return 0;
  } catch (e) {
    if (e instanceof TerraformUsageError) {
      if (e.exitCode === 2) throw new UsageError(e.message, spec);
      console.error(`ec2sim terraform: ${e.message}`);
      return e.exitCode;
    }
    throw e;
  }
}
