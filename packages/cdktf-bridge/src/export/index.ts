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
import { hclAddresses, hclFiles } from "./hcl.ts";
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
  const previous = readManifest(opts.outDir);
  const plan =
    opts.plan ??
    buildExportPlan(state as SandboxState, { ...opts, ...(previous ? { previousLabels: previous.labels } : {}) });
  // Adopt mode imports resource by resource (`import { to = aws_instance.x }`): no for_each groups.
  if (opts.adjust) plan.groups = [];
  const extra = opts.adjust?.(plan) ?? {};
  const t1 = performance.now();
  mkdirSync(opts.outDir, { recursive: true });
  const files: Record<string, string> = {};
  const warnings: string[] = [];
  let json: Record<string, unknown> | undefined;
  let addresses: Record<string, string> = {};
  for (const b of plan.blocks) if (b.origin && b.kind === "resource") addresses[b.origin] = `${b.tfType}.${b.key}`;
  if (opts.format === "hcl") {
    addresses = hclAddresses(plan);
    // What moved since the last HCL export (a label kept can still change address: grouped now).
    if (previous?.format === "hcl")
      for (const [origin, to] of Object.entries(addresses)) {
        const from = previous.addresses[origin];
        if (from && from !== to && from.split(".")[0] === to.split(".")[0]) plan.moved.push({ from, to });
      }
    Object.assign(files, hclFiles(plan));
    files["NOT-EXPORTED.md"] = notExportedMd(plan);
  } else {
    const synth = opts.synthesizer ?? (await defaultSynthesizer());
    if (opts.format === "cdktf") {
      // cdktf runs terraform in cdktf.out/stacks/<stack>: the state lives beside main.ts, not in there.
      plan.statePath = "../../../terraform.tfstate";
      Object.assign(files, projectFiles(plan, synth));
    } else {
      plan.statePath = "terraform.tfstate";
      json = await synth.synthJson(plan);
      files["cdk.tf.json"] = `${JSON.stringify(json, null, 2)}\n`;
      files["NOT-EXPORTED.md"] = notExportedMd(plan);
    }
  }
  Object.assign(files, plan.files ?? {}, extra);
  const t2 = performance.now();
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
      execFileSync(opts.terraformBin ?? "terraform", ["fmt", ...Object.keys(files).filter((f) => f.endsWith(".tf"))], {
        cwd: opts.outDir,
        stdio: ["ignore", "pipe", "pipe"],
        env,
      });
    } catch (e) {
      warnings.push(`terraform fmt failed, the .tf files are unformatted: ${(e as Error).message.split("\n")[0]}`);
    }
  }
  const labels: Record<string, string> = {};
  for (const b of plan.blocks) if (b.origin && b.kind === "resource") labels[b.origin] = b.key;
  writeManifest(opts.outDir, {
    generator: "ec2sim export",
    sandbox: plan.sandbox,
    seq: plan.seq,
    format: opts.format,
    // What is on disk now (after terraform fmt), so the next export knows it as its own.
    files: Object.fromEntries(Object.keys(files).map((n) => [n, sha256(readFileSync(join(opts.outDir, n)))])),
    labels,
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
