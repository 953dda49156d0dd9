// Builds the provider bundle into packages/terraform-provider/bundle (or the directory given).
//   npx tsx packages/terraform-provider/scripts/build.ts [outdir]
import { resolve } from "node:path";
import { buildProvider } from "../src/build.ts";

const started = Date.now();
const out = await buildProvider(process.argv[2] ? resolve(process.argv[2]) : undefined);
process.stdout.write(`built ${out.bundle} and ${out.wrapper} in ${Date.now() - started} ms\n`);
