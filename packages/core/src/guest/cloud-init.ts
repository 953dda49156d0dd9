/**
 * cloud-init on the first boot: the instance's user data runs as EC2's Linux AMIs run it — a
 * `#!` script as root, or a `#cloud-config` document (write_files, packages, deferred
 * write_files, runcmd, in cloud-init's order). Each step goes through the guest shell and is
 * recorded as guest events, and the output lands in /var/log/cloud-init-output.log, so what a
 * Terraform `user_data` or an exported CDKTF stack asks for is really there.
 */
import { gunzipSync } from "node:zlib";
import { parse } from "yaml";
import type { GuestEffect } from "../events.ts";
import type { Instance } from "../model.ts";
import type { Tx } from "../tx.ts";
import { shellEnv } from "./access.ts";
import { guestEgress, recordDownload } from "./network.ts";
import { runShell } from "./shell.ts";

export const CLOUD_INIT_LOG = "/var/log/cloud-init-output.log";

interface WriteFile {
  path?: string;
  content?: string;
  encoding?: string;
  permissions?: string | number;
  owner?: string;
  append?: boolean;
  defer?: boolean;
}

/**
 * User data (base64, as EC2 keeps it) as text. cloud-init gunzips gzip-compressed user data first,
 * which is how user data larger than EC2's 16 KB fits (Terraform's `user_data_base64`).
 */
export function userDataText(base64: string): string {
  const raw = Buffer.from(base64, "base64");
  if (raw.length > 2 && raw[0] === 0x1f && raw[1] === 0x8b) {
    try {
      return gunzipSync(raw).toString("utf8");
    } catch {
      // Not gzip after all: cloud-init would see the bytes as they are.
    }
  }
  return raw.toString("utf8");
}

/** Shell-quotes a word for the guest shell (single quotes, as bash would). */
const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

function decode(f: WriteFile): string {
  const c = f.content ?? "";
  return f.encoding === "b64" || f.encoding === "base64" ? Buffer.from(c, "base64").toString("utf8") : c;
}

/** The user data as cloud-init sees it: the commands to run, or why it was skipped. */
export function cloudInitPlan(userData: string): {
  steps: { label: string; effects?: GuestEffect[]; command?: string }[];
  note?: string;
} {
  const text = userData.replace(/^\uFEFF/, "");
  if (text.startsWith("#!")) {
    const body = text.split("\n").slice(1);
    return {
      steps: body
        .map((l) => l.trim())
        .filter((l) => l && !l.startsWith("#"))
        .map((command) => ({ label: "script", command })),
    };
  }
  if (!text.startsWith("#cloud-config"))
    return { steps: [], note: "user data is neither a #! script nor #cloud-config; cloud-init left it alone" };
  let doc: Record<string, unknown>;
  try {
    doc = (parse(text) ?? {}) as Record<string, unknown>;
  } catch (e) {
    return { steps: [], note: `#cloud-config is not valid YAML: ${(e as Error).message.split("\n")[0]}` };
  }
  const files = Array.isArray(doc.write_files) ? (doc.write_files as WriteFile[]) : [];
  const write = (f: WriteFile) => {
    const mode = typeof f.permissions === "string" ? Number.parseInt(f.permissions, 8) : f.permissions;
    return {
      label: `write_files ${f.path}`,
      effects: [
        {
          op: "write" as const,
          path: f.path!,
          content: decode(f),
          ...(mode !== undefined && !Number.isNaN(mode) ? { mode } : {}),
          owner: (f.owner ?? "root").split(":")[0]!,
        },
      ],
      append: f.append === true,
    };
  };
  const steps: { label: string; effects?: GuestEffect[]; command?: string }[] = [];
  const appendStep = (f: WriteFile) => ({
    label: `write_files ${f.path} (append)`,
    command: `printf %s ${q(decode(f))} | tee -a ${q(f.path!)} > /dev/null`,
  });
  for (const f of files.filter((x) => x.path && !x.defer)) steps.push(f.append ? appendStep(f) : write(f));
  const pkgs = Array.isArray(doc.packages)
    ? (doc.packages as unknown[]).map((p) => (Array.isArray(p) ? String(p[0]) : String(p)))
    : [];
  if (doc.package_update === true || doc.package_upgrade === true)
    steps.push({ label: "package_update", command: "__PM__ update -y" });
  if (pkgs.length) steps.push({ label: "packages", command: `__PM__ install -y ${pkgs.map(q).join(" ")}` });
  for (const f of files.filter((x) => x.path && x.defer)) steps.push(f.append ? appendStep(f) : write(f));
  for (const c of Array.isArray(doc.runcmd) ? (doc.runcmd as unknown[]) : []) {
    steps.push({ label: "runcmd", command: Array.isArray(c) ? c.map((w) => q(String(w))).join(" ") : String(c) });
  }
  return { steps };
}

/** Runs the instance's user data on its first boot, recording what it did. */
export function runCloudInit(tx: Tx, inst: Instance): void {
  if (!inst.userData) return;
  const plan = cloudInitPlan(userDataText(inst.userData));
  const pm = shellEnv(tx.state, inst, "root").base.packageManager;
  let log = `Cloud-init v. 22.2.2 running 'modules:final' at ${new Date(tx.now).toUTCString()}.\n`;
  if (plan.note) log += `${plan.note}\n`;
  for (const step of plan.steps) {
    if (step.effects) {
      tx.emit({ type: "GuestChanged", region: inst.region, instanceId: inst.instanceId, effects: step.effects });
      continue;
    }
    const command = step.command!.replace("__PM__", pm === "apt" ? "apt-get" : pm);
    const net = guestEgress(tx, inst);
    const res = runShell({ ...shellEnv(tx.state, inst, "root", undefined, tx.now), egress: net.env }, command);
    if (res.effects.length)
      tx.emit({
        type: "GuestChanged",
        region: inst.region,
        instanceId: inst.instanceId,
        effects: res.effects.filter((e) => e.op !== "bundle"),
      });
    recordDownload(tx, inst, net.egress, res);
    log += `+ ${command}\n${res.output}`;
    if (res.exitCode !== 0) {
      log += `cloud-init: ${step.label} failed (exit ${res.exitCode}); continuing\n`;
    }
  }
  log += `Cloud-init v. 22.2.2 finished at ${new Date(tx.now).toUTCString()}. Datasource DataSourceEc2Local.\n`;
  tx.emit({
    type: "GuestChanged",
    region: inst.region,
    instanceId: inst.instanceId,
    effects: [{ op: "write", path: CLOUD_INIT_LOG, content: log, mode: 0o640, owner: "root" }],
  });
}
