/**
 * The arrows of docs/ARCHITECTURE.md, checked against the code: each package's sources import only
 * the workspace packages below it in the picture, declare each of them in package.json, and core
 * imports no I/O (no fs, http, net, ws, child process, cdktf). Imports are read from the source text
 * (static, dynamic and type-only alike: a type import is still a dependency of the code).
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { REPO } from "@ec2sim/test-harness";
import { describe, expect, it } from "vitest";

/** What each package may import from the workspace: the picture's arrows, downwards only. */
const ALLOWED: Record<string, readonly string[]> = {
  "packages/core": [],
  "packages/protocol": [],
  "packages/ec2-query": ["core"],
  "packages/aws-protocols": ["core", "ec2-query"],
  "packages/server": ["core", "ec2-query", "aws-protocols", "protocol"],
  "packages/cdktf-bridge": ["core", "protocol"],
  "packages/terraform-provider": ["core", "protocol"],
  "apps/repl": ["core", "ec2-query", "protocol", "server"],
  "apps/cli": [
    "core",
    "ec2-query",
    "aws-protocols",
    "protocol",
    "server",
    "cdktf-bridge",
    "terraform-provider",
    "repl",
  ],
};

/** Modules core must not import: it is pure (clock, randomness and I/O come in through ports). */
const CORE_FORBIDDEN =
  /^(node:)?(fs|fs\/promises|http|https|http2|net|dgram|child_process|worker_threads|cluster)$|^(ws|pg|cdktf|constructs|@cdktf\/.*)$/;

const IMPORT =
  /(?:^|[^\w.])(?:import|export)\s*(?:type\s+)?(?:[\w*{}\s,$]+from\s*)?["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === "node_modules" ? [] : sourceFiles(path);
    return /\.tsx?$/.test(name) && !/\.test\.tsx?$/.test(name) ? [path] : [];
  });
}

function importsOf(pkg: string): { file: string; specifier: string }[] {
  return sourceFiles(join(REPO, pkg, "src")).flatMap((file) => {
    const text = readFileSync(file, "utf8");
    return [...text.matchAll(IMPORT)].map((m) => ({ file: file.slice(REPO.length + 1), specifier: (m[1] ?? m[2])! }));
  });
}

const workspacePackage = (specifier: string) => /^@ec2sim\/([a-z0-9-]+)/.exec(specifier)?.[1];

describe("layers (docs/ARCHITECTURE.md: dependencies point one way)", () => {
  it("the table covers every package of the workspace", () => {
    const all = ["packages", "apps"].flatMap((group) =>
      readdirSync(join(REPO, group)).map((name) => `${group}/${name}`),
    );
    expect(all.sort()).toEqual(Object.keys(ALLOWED).sort());
  });

  it.each(Object.entries(ALLOWED))("%s imports only what is below it, and declares it", (pkg, allowed) => {
    const manifest = JSON.parse(readFileSync(join(REPO, pkg, "package.json"), "utf8"));
    const declared = new Set(
      Object.keys({ ...manifest.dependencies, ...manifest.devDependencies, ...manifest.peerDependencies }),
    );
    const imports = importsOf(pkg);
    expect(imports.length).toBeGreaterThan(0);
    const against = imports.filter(({ specifier }) => {
      const target = workspacePackage(specifier);
      return target !== undefined && !allowed.includes(target);
    });
    expect(against, "imports against the arrows").toEqual([]);
    const undeclared = imports.filter(({ specifier }) => {
      const target = workspacePackage(specifier);
      return target !== undefined && !declared.has(`@ec2sim/${target}`);
    });
    expect(undeclared, "workspace imports missing from package.json").toEqual([]);
  });

  it("core imports no I/O", () => {
    const io = importsOf("packages/core").filter(({ specifier }) => CORE_FORBIDDEN.test(specifier));
    expect(io).toEqual([]);
  });

  it("the check sees a wrong import: the server importing the bridge would be reported", () => {
    const text = 'import { exportSandbox } from "@ec2sim/cdktf-bridge";\nconst x = await import("@ec2sim/repl/main");';
    const found = [...text.matchAll(IMPORT)].map((m) => workspacePackage((m[1] ?? m[2])!));
    expect(found).toEqual(["cdktf-bridge", "repl"]);
    expect(found.filter((t) => !ALLOWED["packages/server"]!.includes(t!))).toEqual(["cdktf-bridge", "repl"]);
  });
});
