/**
 * `ec2sim export` and `ec2sim diff`: the CDKTF bridge, loaded only for these commands (and cdktf
 * itself only when an export synthesizes).
 */
import type { BridgeDeps, SourceOptions } from "@ec2sim/cdktf-bridge/cli";
import { type Parsed, UsageError } from "../spec.ts";
import { diff as diffSpec, exportCommand as exportSpec } from "../table.ts";
import { cdktfSynthesizer } from "./cdktf.ts";

const str = (p: Parsed, name: string) => p.values[name] as string | undefined;

function sourceOptions(p: Parsed): SourceOptions {
  const regions = p.values.region as string[] | undefined;
  return {
    ...(str(p, "account") ? { account: str(p, "account") } : {}),
    ...(regions?.length ? { regions } : {}),
    ...(str(p, "server") ? { server: str(p, "server") } : {}),
    ...(str(p, "data") ? { data: str(p, "data") } : {}),
  };
}

/** The server's journal store, for --data: loaded only when asked for. */
const deps = (): BridgeDeps => ({
  openStore: async (dir) => (await import("@ec2sim/server/store/journal")).JournalStore.open(dir),
  synthesizer: cdktfSynthesizer,
});

export async function exportCommand(p: Parsed): Promise<number> {
  const out = str(p, "out");
  if (out === undefined) throw new UsageError("--out DIR is required", exportSpec);
  const atText = str(p, "at");
  const at = atText === undefined ? undefined : Number(atText);
  if (at !== undefined && (!Number.isSafeInteger(at) || at < 0))
    throw new UsageError(`--at must be a non-negative integer, not '${atText}'`, exportSpec);
  const bridge = await import("@ec2sim/cdktf-bridge/cli");
  try {
    return await bridge.exportCommand(
      {
        ...sourceOptions(p),
        // An account exports with import blocks, which cdktf projects cannot carry: HCL by default.
        format: (str(p, "format") ?? (str(p, "from") ? "hcl" : "cdktf")) as "cdktf" | "json" | "hcl",
        out,
        ...(str(p, "sandbox") ? { sandbox: str(p, "sandbox") } : {}),
        ...(str(p, "from") ? { from: str(p, "from") } : {}),
        ...(str(p, "endpoint") ? { endpoint: str(p, "endpoint") } : {}),
        ...(at !== undefined ? { at } : {}),
        ...(p.values["include-secrets"] ? { includeSecrets: true } : {}),
        ...(p.values["pin-packages"] ? { pinPackages: true } : {}),
        ...(p.values.force ? { force: true } : {}),
        ...(p.values["no-origin-tags"] ? { noOriginTags: true } : {}),
        ...(str(p, "ami-strategy") ? { amiStrategy: str(p, "ami-strategy") as "rebuild" | "lookup" | "packer" } : {}),
      },
      deps(),
    );
  } catch (e) {
    if (e instanceof bridge.BridgeUsageError) throw new UsageError(e.message, exportSpec);
    throw e;
  }
}

export async function diffCommand(p: Parsed): Promise<number> {
  const from = str(p, "from");
  const to = str(p, "to");
  if (from === undefined || to === undefined) throw new UsageError("--from and --to are required", diffSpec);
  const bridge = await import("@ec2sim/cdktf-bridge/cli");
  try {
    return await bridge.diffCommand(
      {
        ...sourceOptions(p),
        from,
        to,
        ...(p.values.json ? { json: true } : {}),
        ...(p.values["detailed-exitcode"] ? { detailedExitcode: true } : {}),
        ...(str(p, "endpoint") ? { endpoint: str(p, "endpoint") } : {}),
        ...(p.values["only-managed"] ? { onlyManaged: true } : {}),
        ...(str(p, "ignore-file") ? { ignoreFile: str(p, "ignore-file") } : {}),
        ...(str(p, "adopt") !== undefined ? { adopt: str(p, "adopt") } : {}),
        ...(str(p, "format") ? { adoptFormat: str(p, "format") as "hcl" | "json" } : {}),
      },
      deps(),
    );
  } catch (e) {
    if (e instanceof bridge.BridgeUsageError) throw new UsageError(e.message, diffSpec);
    throw e;
  }
}
