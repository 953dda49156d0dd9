/**
 * `ec2sim export` and `ec2sim diff`, dispatched from the server's CLI (packages/server/src/cli.ts).
 *
 *   ec2sim export [--sandbox S] [--account A] [--region R]… [--at SEQ] --format cdktf|json|hcl --out DIR
 *   ec2sim diff --from SPEC --to SPEC [--json] [--detailed-exitcode]
 *       SPEC: sandbox:NAME[@SEQ] | aws:[PROFILE][/REGION] | tfstate:FILE-OR-DIR
 *
 * A sandbox is read from a running server's admin API (--server, default http://127.0.0.1:4566 or
 * EC2SIM_URL) or, with --data DIR, from a server's data directory while no server holds it.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { diffInventories } from "./diff.ts";
import { type ExportFormat, exportSandbox } from "./export/index.ts";
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

export interface BridgeDeps {
  /** Opens the server's journal store (for --data). */
  openStore?: LocalStoreOpener;
  defaultDataDir?: string;
  stdout?: (s: string) => void;
  stderr?: (s: string) => void;
  isTTY?: boolean;
  env?: NodeJS.ProcessEnv;
}

export const EXPORT_USAGE = `Usage: ec2sim export --format cdktf|json|hcl --out DIR [options]

Writes a sandbox as a CDKTF TypeScript project (cdktf), the synthesized cdk.tf.json (json) or
Terraform HCL (hcl). What cannot be expressed is listed in DIR/NOT-EXPORTED.md and printed.

Options:
  --sandbox NAME     the sandbox (default "default")
  --account ID       whose resources (default 111122223333)
  --region R         only these regions (repeatable; default every region the sandbox used)
  --at SEQ           the sandbox as of event SEQ (default: now)
  --server URL       a running ec2sim server (default $EC2SIM_URL or http://127.0.0.1:4566)
  --data DIR         read the sandbox from a data directory instead (no server may hold it)
`;

export const DIFF_USAGE = `Usage: ec2sim diff --from SPEC --to SPEC [--json] [--detailed-exitcode]

Shows what it would take to make --to look like --from, in terraform plan's words.
SPEC is one of:
  sandbox:NAME[@SEQ]         a sandbox (of the server at --server, or of --data DIR), optionally as of event SEQ
  aws:[PROFILE][/REGION]     an AWS account through the SDK's credentials chain (a profile when given);
                             --endpoint URL (or AWS_ENDPOINT_URL_EC2) points it at any EC2 endpoint
  tfstate:FILE|DIR           a Terraform state: \`terraform show -json\` output, a .tfstate file, or a
                             folder where \`terraform show -json\` is run
Options:
  --account ID               the sandbox account to compare (default 111122223333)
  --region R                 only these regions (repeatable)
  --server URL, --data DIR   where sandboxes are read from (as for export)
  --json                     machine-readable output
  --detailed-exitcode        exit 0 when the same, 1 on error, 2 when there are differences
`;

class Usage extends Error {
  constructor(
    message: string,
    readonly code = 1,
  ) {
    super(message);
  }
}

export async function bridgeMain(command: "export" | "diff", argv: string[], deps: BridgeDeps = {}): Promise<number> {
  const out = deps.stdout ?? ((s: string) => void process.stdout.write(s));
  const err = deps.stderr ?? ((s: string) => void process.stderr.write(s));
  try {
    return command === "export" ? await runExport(argv, deps, out, err) : await runDiff(argv, deps, out, err);
  } catch (e) {
    if (e instanceof Usage) {
      (e.code === 0 ? out : err)(`${e.message}\n`);
      return e.code;
    }
    err(`ec2sim ${command}: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
}

const common = {
  sandbox: { type: "string" },
  account: { type: "string" },
  region: { type: "string", multiple: true },
  server: { type: "string" },
  data: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

type Options = NonNullable<NonNullable<Parameters<typeof parseArgs>[0]>["options"]>;
function parse(argv: string[], options: Options, usage: string) {
  try {
    const r = parseArgs({ args: argv, options, strict: true, allowPositionals: false });
    if ((r.values as { help?: boolean }).help) throw new Usage(usage, 0);
    return r.values as Record<string, string | string[] | boolean | undefined>;
  } catch (e) {
    if (e instanceof Usage) throw e;
    throw new Usage(`${(e as Error).message}\n\n${usage}`, 1);
  }
}

async function loadSandbox(
  name: string,
  upTo: number | undefined,
  v: Record<string, unknown>,
  deps: BridgeDeps,
): Promise<LoadedSandbox> {
  const env = deps.env ?? process.env;
  if (typeof v.data === "string") {
    if (!deps.openStore) throw new Error("--data needs the server's store (run through `ec2sim`)");
    return loadFromDataDir(deps.openStore, resolve(v.data), name, upTo);
  }
  const url = (v.server as string | undefined) ?? env.EC2SIM_URL ?? "http://127.0.0.1:4566";
  return loadFromServer(url, name, upTo);
}

const seqOf = (s: string | undefined, what: string): number | undefined => {
  if (s === undefined) return undefined;
  const n = Number(s);
  if (!Number.isSafeInteger(n) || n < 0) throw new Usage(`${what} must be a non-negative integer, not '${s}'`);
  return n;
};

async function runExport(
  argv: string[],
  deps: BridgeDeps,
  out: (s: string) => void,
  err: (s: string) => void,
): Promise<number> {
  const v = parse(
    argv,
    { ...common, format: { type: "string" }, out: { type: "string" }, at: { type: "string" } },
    EXPORT_USAGE,
  );
  const format = (v.format as string | undefined) ?? "cdktf";
  if (!["cdktf", "json", "hcl"].includes(format))
    throw new Usage(`--format must be cdktf, json or hcl, not '${format}'\n\n${EXPORT_USAGE}`);
  if (typeof v.out !== "string") throw new Usage(`--out DIR is required\n\n${EXPORT_USAGE}`);
  const name = (v.sandbox as string | undefined) ?? "default";
  const sb = await loadSandbox(name, seqOf(v.at as string | undefined, "--at"), v, deps);
  const accountId = (v.account as string | undefined) ?? "111122223333";
  const r = await exportSandbox(sb.state, {
    sandbox: name,
    accountId,
    ...(v.region ? { regions: v.region as string[] } : {}),
    format: format as ExportFormat,
    outDir: resolve(v.out),
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

async function runDiff(
  argv: string[],
  deps: BridgeDeps,
  out: (s: string) => void,
  err: (s: string) => void,
): Promise<number> {
  const v = parse(
    argv,
    {
      ...common,
      from: { type: "string" },
      to: { type: "string" },
      json: { type: "boolean" },
      "detailed-exitcode": { type: "boolean" },
      endpoint: { type: "string" },
    },
    DIFF_USAGE,
  );
  if (typeof v.from !== "string" || typeof v.to !== "string")
    throw new Usage(`--from and --to are required\n\n${DIFF_USAGE}`);
  const from = await readSpec(v.from, v, deps, undefined);
  const to = await readSpec(v.to, v, deps, from);
  const d = diffInventories(from, to);
  const env = deps.env ?? process.env;
  const color = (deps.isTTY ?? process.stdout.isTTY) && !env.NO_COLOR;
  out(v.json ? diffJson(d) : renderPlan(d, { color: !!color }));
  void err;
  return v["detailed-exitcode"] && d.changes.length ? 2 : 0;
}

/** Reads one side of a diff. `other` (the side read first) suggests regions for an AWS account. */
export async function readSpec(
  spec: string,
  v: Record<string, unknown>,
  deps: BridgeDeps,
  other: Inventory | undefined,
): Promise<Inventory> {
  const i = spec.indexOf(":");
  const kind = i < 0 ? spec : spec.slice(0, i);
  const rest = i < 0 ? "" : spec.slice(i + 1);
  const regions = v.region as string[] | undefined;
  const accountId = (v.account as string | undefined) ?? "111122223333";
  switch (kind) {
    case "sandbox": {
      const [name, at] = rest.split("@");
      if (!name) throw new Usage(`sandbox:NAME needs a name (${spec})`);
      const sb = await loadSandbox(name, seqOf(at, "@SEQ"), v, deps);
      return readSandboxState(sb.state, {
        accountId,
        ...(regions ? { regions } : {}),
        source: `sandbox:${name}${at ? `@${at}` : ""}`,
      });
    }
    case "aws": {
      const [profile, region] = rest.split("/");
      const endpoint = v.endpoint as string | undefined;
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
      if (!rest) throw new Usage(`tfstate:FILE needs a file or folder (${spec})`);
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
      throw new Usage(
        `unknown source '${spec}': use sandbox:NAME, aws:PROFILE[/REGION] or tfstate:FILE\n\n${DIFF_USAGE}`,
      );
  }
}
