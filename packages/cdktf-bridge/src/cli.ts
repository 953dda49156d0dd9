/**
 * `ec2sim export` and `ec2sim diff` (the command line is parsed by apps/cli, which calls these with
 * typed options):
 *
 *   ec2sim export [--sandbox S] [--account A] [--region R]… [--at SEQ] --format cdktf|json|hcl --out DIR
 *   ec2sim diff --from SPEC --to SPEC [--json] [--detailed-exitcode] [--only-managed] [--ignore-file F]
 *       SPEC: sandbox:NAME[@SEQ] | aws:[PROFILE][/REGION] | tfstate:FILE-OR-DIR
 *
 * A sandbox is read from a running server's admin API (--server, default http://127.0.0.1:4566 or
 * EC2SIM_URL) or, with --data DIR, from a server's data directory while no server holds it.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { DEFAULT_ACCOUNT_ID } from "@ec2sim/core/defaults";
import { type Adoption, adopt, importFiles } from "./diff/adopt.ts";
import { readIgnoreFile } from "./diff/ignore.ts";
import { diffInventories } from "./diff/index.ts";
import type { DiffResult } from "./diff/types.ts";
import { decodeUserData, ownUserData } from "./diff/user-data.ts";
import type { AmiStrategy } from "./export/build-plan.ts";
import { type ExportFormat, exportSandbox } from "./export/index.ts";
import { planFromInventory } from "./export/inventory-plan.ts";
import type { Inventory } from "./inventory.ts";
import { enabledRegions, readAws } from "./readers/aws.ts";
import {
  type LoadedSandbox,
  type LocalStoreOpener,
  loadFromDataDir,
  loadFromServer,
} from "./readers/sandbox-source.ts";
import { readSandboxState } from "./readers/sandbox-state.ts";
import { readTfState } from "./readers/tfstate.ts";
import { diffJson, renderPlan } from "./render.ts";
import type { Synthesizer } from "./synth/synthesizer.ts";

export interface BridgeDeps {
  /** Opens the server's journal store (for --data). */
  openStore?: LocalStoreOpener;
  /** The synthesizer of exports (default: cdktf resolved from this package). */
  synthesizer?: () => Promise<Synthesizer>;
  defaultDataDir?: string;
  stdout?: (s: string) => void;
  stderr?: (s: string) => void;
  isTTY?: boolean;
  env?: NodeJS.ProcessEnv;
}

/** Where sandboxes are read from, and which account and regions of them. */
export interface SourceOptions {
  /** The sandbox account (default 111122223333). */
  account?: string;
  /** Only these regions. */
  regions?: string[];
  /** A running server's URL (default $EC2SIM_URL or http://127.0.0.1:4566). */
  server?: string;
  /** A data directory to read instead of a server. */
  data?: string;
}

export interface ExportCommandOptions extends SourceOptions {
  format: ExportFormat;
  out: string;
  /** Default "default". */
  sandbox?: string;
  /** The sandbox as of this event. */
  at?: number;
  /** Export guest files that look like credentials (left out and listed by default). */
  includeSecrets?: boolean;
  /** Pin packages to the versions installed in the guest. */
  pinPackages?: boolean;
  /** Overwrite files edited since the last export (default: refuse, showing what would change). */
  force?: boolean;
  /** Export an account read through the AWS SDK (`aws:[PROFILE][/REGION]`) instead of a sandbox. */
  from?: string;
  /** The EC2 endpoint of --from. */
  endpoint?: string /** Leave out the `ec2sim:origin` tags. */;
  noOriginTags?: boolean;
  /** Own AMIs: built again (`rebuild`, default), existing ones by ID (`lookup`), Packer templates (`packer`). */
  amiStrategy?: AmiStrategy;
}

export interface DiffCommandOptions extends SourceOptions {
  from: string;
  to: string;
  json?: boolean;
  detailedExitcode?: boolean;
  /** The EC2 endpoint of aws: sources. */
  endpoint?: string;
  /** Leave out what `to` holds that `from` does not describe. */
  onlyManaged?: boolean;
  /** An ignore file (default: .ec2simignore in the working folder, when there is one). */
  ignoreFile?: string;
  /** Adopt mode: write the export of --from (a sandbox) here, with import blocks for what --to holds. */
  adopt?: string;
  /** The adopted project's format (default hcl). */
  adoptFormat?: "hcl" | "json";
  /** What --adopt's export passes on (see ExportCommandOptions). */
  includeSecrets?: boolean;
  force?: boolean;
}

/** A mistake in what the user asked for (a malformed SPEC): said with the command's usage. */
export class BridgeUsageError extends Error {
  override readonly name = "BridgeUsageError";
}

/** `ec2sim export`: resolves to the exit code; errors other than usage errors are printed (exit 1). */
export async function exportCommand(opts: ExportCommandOptions, deps: BridgeDeps = {}): Promise<number> {
  return guarded("export", deps, (out, err) => runExport(opts, deps, out, err));
}

/** `ec2sim diff`: resolves to the exit code (2 for differences with detailedExitcode). */
export async function diffCommand(opts: DiffCommandOptions, deps: BridgeDeps = {}): Promise<number> {
  return guarded("diff", deps, (out) => runDiff(opts, deps, out));
}

async function guarded(
  command: string,
  deps: BridgeDeps,
  body: (out: (s: string) => void, err: (s: string) => void) => Promise<number>,
): Promise<number> {
  const out = deps.stdout ?? ((s: string) => void process.stdout.write(s));
  const err = deps.stderr ?? ((s: string) => void process.stderr.write(s));
  try {
    return await body(out, err);
  } catch (e) {
    if (e instanceof BridgeUsageError) throw e;
    err(`ec2sim ${command}: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
}

async function loadSandbox(
  name: string,
  upTo: number | undefined,
  v: SourceOptions,
  deps: BridgeDeps,
): Promise<LoadedSandbox> {
  const env = deps.env ?? process.env;
  if (v.data !== undefined) {
    if (!deps.openStore) throw new Error("--data needs the server's store (run through `ec2sim`)");
    return loadFromDataDir(deps.openStore, resolve(v.data), name, upTo);
  }
  const url = v.server ?? env.EC2SIM_URL ?? "http://127.0.0.1:4566";
  return loadFromServer(url, name, upTo);
}

const seqOf = (s: string | undefined, what: string): number | undefined => {
  if (s === undefined) return undefined;
  const n = Number(s);
  if (!Number.isSafeInteger(n) || n < 0)
    throw new BridgeUsageError(`${what} must be a non-negative integer, not '${s}'`);
  return n;
};

async function runExport(
  v: ExportCommandOptions,
  deps: BridgeDeps,
  out: (s: string) => void,
  err: (s: string) => void,
): Promise<number> {
  if (v.from !== undefined) return runExportFrom(v, deps, out, err);
  const format = v.format;
  const name = v.sandbox ?? "default";
  const sb = await loadSandbox(name, v.at, v, deps);
  const accountId = v.account ?? DEFAULT_ACCOUNT_ID;
  const r = await exportSandbox(sb.state, {
    sandbox: name,
    accountId,
    ...(v.regions ? { regions: v.regions } : {}),
    ...(v.includeSecrets ? { includeSecrets: true } : {}),
    ...(v.pinPackages ? { pinPackages: true } : {}),
    ...(v.force ? { force: true } : {}),
    ...(v.noOriginTags ? { originTags: false } : {}),
    ...(v.amiStrategy ? { amiStrategy: v.amiStrategy } : {}),
    format,
    outDir: resolve(v.out),
    ...(deps.synthesizer ? { synthesizer: await deps.synthesizer() } : {}),
  });
  const counts = new Map<string, number>();
  for (const b of r.plan.blocks)
    counts.set(
      b.kind === "data" ? `data.${b.tfType}` : b.tfType,
      (counts.get(b.kind === "data" ? `data.${b.tfType}` : b.tfType) ?? 0) + 1,
    );
  out(
    `Exported sandbox ${name} (account ${accountId}, event ${sb.seq}) as ${format} to ${resolve(v.out)}: ${r.files.join(", ")}\n`,
  );
  out(
    `  ${r.plan.blocks.filter((b) => b.kind === "resource").length} resources, ${r.plan.blocks.filter((b) => b.kind === "data").length} lookups, ${r.plan.providers.length} provider(s) (${r.plan.providers.map((p) => p.region).join(", ")})\n`,
  );
  for (const [t, n] of [...counts].sort()) out(`    ${String(n).padStart(4)}  ${t}\n`);
  if (r.plan.notExported.length) {
    out(`  Not exported (see NOT-EXPORTED.md):\n`);
    for (const n of r.plan.notExported)
      out(`    ${n.severity === "skipped" ? "✗" : "~"} ${n.resource} (${n.kind}): ${n.reason}\n`);
  }
  for (const w of r.warnings) err(`warning: ${w}\n`);
  if (format === "cdktf") out(`Next: cd ${v.out} && npm install && npx cdktf synth\n`);
  return 0;
}

async function runDiff(v: DiffCommandOptions, deps: BridgeDeps, out: (s: string) => void): Promise<number> {
  if (v.adopt !== undefined && !v.from.startsWith("sandbox:"))
    throw new BridgeUsageError(`--adopt writes the export of --from, which must be sandbox:NAME (not ${v.from})`);
  const from = await readSpec(v.from, v, deps, undefined);
  const to = await readSpec(v.to, v, deps, from);
  const d = diffInventories(from, to, {
    ignore: readIgnoreFile(v.ignoreFile),
    toIsState: v.to.startsWith("tfstate:"),
  });
  const env = deps.env ?? process.env;
  const color = (deps.isTTY ?? process.stdout.isTTY) && !env.NO_COLOR;
  const onlyManaged = !!v.onlyManaged;
  out(v.json ? diffJson(d, { onlyManaged }) : renderPlan(d, { color: !!color, onlyManaged }));
  if (v.adopt !== undefined) await runAdopt(v, deps, from, d, out);
  const differs = d.changes.some((c) => c.action !== "no-op") || (!onlyManaged && d.unmanaged.length > 0);
  return v.detailedExitcode && differs ? 2 : 0;
}

/** `ec2sim export --from aws:…`: an account as configuration, with import blocks for all of it. */
async function runExportFrom(
  v: ExportCommandOptions,
  deps: BridgeDeps,
  out: (s: string) => void,
  err: (s: string) => void,
): Promise<number> {
  const spec = v.from!;
  if (!spec.startsWith("aws:"))
    throw new BridgeUsageError(`--from reads an AWS account: aws:[PROFILE][/REGION], not ${spec}`);
  if (v.format === "cdktf")
    throw new BridgeUsageError("--from writes import {} blocks, which need --format hcl or json (not cdktf)");
  if (v.sandbox !== undefined || v.at !== undefined)
    throw new BridgeUsageError("--from reads an account: no --sandbox or --at");
  const inv = await readSpec(spec, v, deps, undefined);
  const { plan, imports } = planFromInventory(inv, { ...(v.account ? { accountId: v.account } : {}) });
  const format = v.format as "hcl" | "json";
  const r = await exportSandbox(undefined, {
    sandbox: inv.source,
    accountId: v.account ?? "",
    format,
    outDir: resolve(v.out),
    plan,
    ...(v.force ? { force: true } : {}),
    ...(deps.synthesizer ? { synthesizer: await deps.synthesizer() } : {}),
    adjust: () => importFiles(imports, format),
  });
  const resources = plan.blocks.filter((b) => b.kind === "resource").length;
  out(`Exported ${inv.source} as ${format} to ${resolve(v.out)}: ${r.files.join(", ")}\n`);
  out(
    `  ${resources} resources (each with an import {} block), ${plan.blocks.length - resources} lookups, ${plan.providers.length} provider(s) (${plan.providers.map((p) => p.region).join(", ")})\n`,
  );
  if (plan.notExported.length)
    out(`  ${plan.notExported.length} thing(s) the account does not show: see NOT-EXPORTED.md\n`);
  for (const w of [...inv.warnings, ...r.warnings]) err(`warning: ${w}\n`);
  out(
    `Next: cd ${v.out} && terraform init && terraform plan   (Terraform 1.5 or later; it imports, creates nothing)\n`,
  );
  return 0;
}

/** `--adopt DIR`: the export of the --from sandbox with import blocks for what --to already holds. */
async function runAdopt(
  v: DiffCommandOptions,
  deps: BridgeDeps,
  from: Inventory,
  d: DiffResult,
  out: (s: string) => void,
): Promise<void> {
  const [name, at] = v.from.slice("sandbox:".length).split("@");
  const sb = await loadSandbox(name!, seqOf(at, "@SEQ"), v, deps);
  const format = v.adoptFormat ?? "hcl";
  const dir = resolve(v.adopt!);
  let adoption: Adoption | undefined;
  const r = await exportSandbox(sb.state, {
    sandbox: name!,
    accountId: v.account ?? DEFAULT_ACCOUNT_ID,
    ...(v.regions ? { regions: v.regions } : {}),
    ...(v.includeSecrets ? { includeSecrets: true } : {}),
    ...(v.force ? { force: true } : {}),
    format,
    outDir: dir,
    ...(deps.synthesizer ? { synthesizer: await deps.synthesizer() } : {}),
    adjust: (plan) => {
      adoption = adopt(plan, from, d, {
        ownUserData: (id) => {
          for (const r of sb.state.regions.values()) {
            const inst = r.instances.get(id);
            if (inst) return ownUserData(decodeUserData(inst.userData)) ?? undefined;
          }
          return undefined;
        },
      });
      return importFiles(adoption.imports, format);
    },
  });
  const resources = r.plan.blocks.filter((b) => b.kind === "resource").length;
  const imported = adoption?.imports.length ?? 0;
  out(
    `\nAdopt: wrote ${dir} (${r.files.join(", ")}): ${imported} resource(s) to import from ${d.to}, ${resources - imported} to create, ${adoption?.readImages.size ?? 0} image(s) read as data sources.\n`,
  );
  out(`Next: cd ${v.adopt} && terraform init && terraform plan   (Terraform 1.5 or later)\n`);
}

/** Reads one side of a diff. `other` (the side read first) suggests regions for an AWS account. */
export async function readSpec(
  spec: string,
  v: SourceOptions & { endpoint?: string },
  deps: BridgeDeps,
  other: Inventory | undefined,
): Promise<Inventory> {
  const i = spec.indexOf(":");
  const kind = i < 0 ? spec : spec.slice(0, i);
  const rest = i < 0 ? "" : spec.slice(i + 1);
  const regions = v.regions;
  const accountId = v.account ?? DEFAULT_ACCOUNT_ID;
  switch (kind) {
    case "sandbox": {
      const [name, at] = rest.split("@");
      if (!name) throw new BridgeUsageError(`sandbox:NAME needs a name (${spec})`);
      const sb = await loadSandbox(name, seqOf(at, "@SEQ"), v, deps);
      return readSandboxState(sb.state, {
        accountId,
        ...(regions ? { regions } : {}),
        source: `sandbox:${name}${at ? `@${at}` : ""}`,
      });
    }
    case "aws": {
      const [profile, region] = rest.split("/");
      const endpoint = v.endpoint;
      const base = { ...(profile ? { profile } : {}), ...(endpoint ? { endpoint } : {}) };
      const rs = region
        ? [region]
        : regions?.length
          ? regions
          : other?.resources.length
            ? [...new Set(other.resources.map((r) => r.region))].sort()
            : await enabledRegions(base);
      return readAws({ ...base, regions: rs, source: spec });
    }
    case "tfstate": {
      if (!rest) throw new BridgeUsageError(`tfstate:FILE needs a file or folder (${spec})`);
      const path = resolve(rest);
      if (!existsSync(path)) throw new Error(`${rest}: no such file or folder`);
      let text: string;
      if (statSync(path).isDirectory()) {
        text = execFileSync("terraform", ["show", "-json"], {
          cwd: path,
          encoding: "utf8",
          maxBuffer: 1 << 30,
          env: { ...process.env, CHECKPOINT_DISABLE: "1" },
        });
      } else text = readFileSync(path, "utf8");
      const inv = readTfState(JSON.parse(text) as Record<string, unknown>, { source: spec });
      if (regions?.length) inv.resources = inv.resources.filter((r) => regions.includes(r.region));
      return inv;
    }
    default:
      throw new BridgeUsageError(`unknown source '${spec}': use sandbox:NAME, aws:PROFILE[/REGION] or tfstate:FILE`);
  }
}
