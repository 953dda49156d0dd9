// Writes docs/COVERAGE.md from the models and the code (see coverage.ts): `npm run coverage`.
import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { coverageMarkdown } from "./coverage.ts";

const file = join(dirname(fileURLToPath(import.meta.url)), "../../../docs/COVERAGE.md");
writeFileSync(file, await coverageMarkdown());
console.log(`wrote ${file}`);
