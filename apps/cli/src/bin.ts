#!/usr/bin/env node
/** Entry of the `ec2sim` executable (the package's bin; bin/ec2sim runs it from the sources). */
import { main } from "./main.ts";

main(process.argv.slice(2)).then(
  (code) => {
    // Let the event loop drain (exiting with the terminal still being reset can trip Node's stdio
    // assertion); leave by force only if something still holds it open.
    process.exitCode = code;
    setTimeout(() => process.exit(code), 3_000).unref();
  },
  (e: unknown) => {
    console.error(`ec2sim: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    process.exit(1);
  },
);
