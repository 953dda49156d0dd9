/**
 * Each built library's package.json `exports` (docs/ARCHITECTURE.md, "The build"): `source` is a
 * TypeScript file of the package (what the workspace runs), `types` and `default` the declaration
 * file and JavaScript the build places in its `dist/` for it; after a build (`npm run build`),
 * those files are there.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { REPO } from "@ec2sim/test-harness";
import { describe, expect, it } from "vitest";
import { BUILT_PACKAGES } from "../../../scripts/place-build.ts";

type Target = { source: string; types: string; default: string };

describe("built packages' exports", () => {
  for (const name of BUILT_PACKAGES) {
    it(`${name}: every export serves its source to the workspace and its build to everyone else`, () => {
      const dir = join(REPO, name);
      const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { exports: Record<string, Target> };
      const built = existsSync(join(dir, "dist"));
      for (const [path, target] of Object.entries(pkg.exports)) {
        expect(Object.keys(target), path).toEqual(["source", "types", "default"]);
        const m = /^\.\/src\/(.+)\.ts$/.exec(target.source);
        expect(m, `${path}: source ${target.source}`).not.toBeNull();
        expect(existsSync(join(dir, target.source)), target.source).toBe(true);
        expect(target.types).toBe(`./dist/${m![1]}.d.ts`);
        expect(target.default).toBe(`./dist/${m![1]}.js`);
        if (built) {
          expect(existsSync(join(dir, target.types)), target.types).toBe(true);
          expect(existsSync(join(dir, target.default)), target.default).toBe(true);
        }
      }
    });
  }
});
