// Entry point of the bundled plugin executable.
//   (launched by terraform)   go-plugin handshake on stdout, AutoMTLS, serve until Shutdown.
//   --reattach                serve over plain TCP and print TF_REATTACH_PROVIDERS (tests, benchmarks).
import { createProvider } from "./framework/provider.ts";
import { servePlugin, startServer } from "./plugin.ts";
import { providerDefinitionFor } from "./resources/index.ts";

export const PROVIDER_ADDRESSES = ["registry.terraform.io/hashicorp/aws", "registry.terraform.io/ec2sim/ec2sim"];

async function main(argv: string[]): Promise<void> {
  // The mirror's launcher says which hashicorp/aws release terraform installed (install.ts).
  const handlers = createProvider(providerDefinitionFor(process.env.EC2SIM_TF_PROVIDER_VERSION));
  if (argv.includes("--reattach")) {
    const running = await startServer({ handlers });
    process.stdout.write(`TF_REATTACH_PROVIDERS='${running.reattach(PROVIDER_ADDRESSES)}'\n`);
    const stop = () => void running.close().then(() => process.exit(0));
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
    return;
  }
  await servePlugin(handlers);
}

main(process.argv.slice(2)).catch((err: unknown) => {
  process.stderr.write(
    `ec2sim terraform provider: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  process.exit(1);
});
