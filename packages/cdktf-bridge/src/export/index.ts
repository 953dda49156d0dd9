/**
 * `ec2sim export`: a sandbox's state -> a CDKTF project, the synthesized cdk.tf.json, or HCL.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { SandboxState } from "@ec2sim/core";
import type { ExportPlan } from "../plan.ts";
import { defaultSynthesizer, type Synthesizer } from "../synth/synthesizer.ts";
import { buildExportPlan, ExportError, type ExportOptions } from "./build-plan.ts";
import { conflicts, readManifest, sha256, writeManifest } from "./manifest.ts";
import { notExportedMd, projectFiles } from "./project.ts";

export type ExportFormat = "cdktf" | "json" | "hcl";

export interface ExportResult {
  plan: ExportPlan;
  /** Files written, relative to the output folder. */
  files: string[];
  /** The synthesized JSON (formats json and hcl build it; cdktf does not need to). */
  json?: Record<string, unknown>;
  /** `terraform fmt` failed or is missing: the HCL is written unformatted. */
  warnings: string[];
  ms: { plan: number; synth: number };
}

export async function exportSandbox(
  state: SandboxState | undefined,
  opts: ExportOptions & {
    format: ExportFormat;
    outDir: string;
    synthesizer?: Synthesizer;
    terraformBin?: string;
    /** Overwrite files that were edited since ec2sim wrote them. */
    force?: boolean;
    /** Changes the plan before it is written and gives files to add (`ec2sim diff --adopt`: import blocks). */
    adjust?: (plan: ExportPlan) => Record<string, string>;
    /** A plan made elsewhere (`ec2sim export --from aws:…`) instead of one built from `state`. */
    plan?: ExportPlan;
  },
): Promise<ExportResult> {
  const t0 = performance.now();
  if (!opts.plan && !state) throw new Error("nothing to export: no sandbox state and no plan");
  const plan = opts.plan ?? buildExportPlan(state as SandboxState, opts);
  const extra = opts.adjust?.(plan) ?? {};
  const t1 = performance.now();
  const synth = opts.synthesizer ?? (await defaultSynthesizer());
  mkdirSync(opts.outDir, { recursive: true });
  const files: Record<string, string> = {};
  const warnings: string[] = [];
  let json: Record<string, unknown> | undefined;
  if (opts.format === "cdktf") Object.assign(files, projectFiles(plan, synth));
  else if (opts.format === "json") {
    json = await synth.synthJson(plan);
    files["cdk.tf.json"] = `${JSON.stringify(json, null, 2)}\n`;
    files["NOT-EXPORTED.md"] = notExportedMd(plan);
  } else {
    // cdktf quotes provider references in HCL ("aws.eu_west_1"), which terraform warns about.
    files["main.tf"] = tidyHcl(await synth.synthHcl(plan));
    files["NOT-EXPORTED.md"] = notExportedMd(plan);
  }
  Object.assign(files, extra);
  const t2 = performance.now();
  const previous = readManifest(opts.outDir);
  const clash = conflicts(opts.outDir, files, previous);
  if (clash.length && !opts.force)
    throw new ExportError(
      [
        `${clash.length} file(s) in ${opts.outDir} differ from what ec2sim last wrote; nothing was written (--force overwrites them):`,
        ...clash.map(
          (c) => `  ${c.file}: ${c.why === "edited" ? "edited since the last export" : "not written by ec2sim"}`,
        ),
        "",
        "What the export would change:",
        ...clash.map((c) => c.diff),
      ].join("\n"),
    );
  if (clash.length) warnings.push(`overwrote ${clash.map((c) => c.file).join(", ")} (--force)`);
  // Files the last export wrote that this one does not: gone, unless someone edited them.
  for (const [name, sum] of Object.entries(previous?.files ?? {})) {
    const p = join(opts.outDir, name);
    if (name in files || !existsSync(p)) continue;
    if (sha256(readFileSync(p)) === sum) rmSync(p);
    else warnings.push(`${name} is no longer generated but was edited; left as it is`);
  }
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(opts.outDir, name)), { recursive: true });
    writeFileSync(join(opts.outDir, name), text);
  }
  if (opts.format === "hcl") {
    try {
      // fmt needs no CLI configuration; a TF_CLI_CONFIG_FILE that does not exist only makes it warn.
      const cfg = process.env.TF_CLI_CONFIG_FILE;
      const env = {
        ...process.env,
        CHECKPOINT_DISABLE: "1",
        ...(cfg && !existsSync(cfg) ? { TF_CLI_CONFIG_FILE: "/dev/null" } : {}),
      };
      execFileSync(opts.terraformBin ?? "terraform", ["fmt", "main.tf"], {
        cwd: opts.outDir,
        stdio: ["ignore", "pipe", "pipe"],
        env,
      });
    } catch (e) {
      warnings.push(`terraform fmt failed, main.tf is unformatted: ${(e as Error).message.split("\n")[0]}`);
    }
  }
  const addresses: Record<string, string> = {};
  for (const b of plan.blocks) if (b.origin) addresses[b.origin] = `${b.tfType}.${b.key}`;
  writeManifest(opts.outDir, {
    generator: "ec2sim export",
    sandbox: plan.sandbox,
    seq: plan.seq,
    format: opts.format,
    // What is on disk now (after terraform fmt), so the next export knows it as its own.
    files: Object.fromEntries(Object.keys(files).map((n) => [n, sha256(readFileSync(join(opts.outDir, n)))])),
    addresses,
  });
  return {
    plan,
    files: Object.keys(files),
    ...(json ? { json } : {}),
    warnings,
    ms: { plan: t1 - t0, synth: t2 - t1 },
  };
}

export { buildExportPlan, type ExportOptions };

/**
 * cdktf's HCL, tidied where `terraform fmt` does not: provider references unquoted (cdktf quotes
 * them, terraform warns), no empty lines before a closing brace, one between top-level blocks.
 * Heredoc bodies (user data) are kept byte for byte, less the newline cdktf adds to them.
 */
export function tidyHcl(hcl: string): string {
  const out: string[] = [];
  let heredoc: string | undefined;
  for (const line of hcl.split("\n")) {
    if (heredoc !== undefined) {
      if (line.trim() === heredoc) {
        // cdktf writes `<<EOF\n${text}\nEOF`: text that ends in a newline gains a second one.
        if (out[out.length - 1] === "") out.pop();
        heredoc = undefined;
      }
      out.push(line);
      continue;
    }
    const m = /<<-?([A-Za-z_][A-Za-z0-9_]*)\s*$/.exec(line);
    if (m) heredoc = m[1];
    if (/^\s*\}/.test(line)) while (out.length && out[out.length - 1]!.trim() === "") out.pop();
    if (
      /^(resource|data|provider|terraform|locals|output|variable) /.test(line) &&
      out.length &&
      out[out.length - 1] === "}"
    )
      out.push("");
    out.push(line.replace(/^(\s*provider\s*=\s*)"(aws\.[A-Za-z0-9_-]+)"/, "$1$2"));
  }
  return out.join("\n");
}
