/**
 * `--json`: the shape of `terraform show -json PLAN` — `format_version` and `resource_changes`
 * (address, mode, type, name, provider_name, change: actions, before, after, after_unknown,
 * before_sensitive, after_sensitive, replace_paths, importing), so tools written for terraform's
 * plans read it. What terraform's plans have no place for sits under `ec2sim` (per change: region,
 * IDs and how it was paired; at the top: sources, summary, unmanaged resources, coverage).
 */
import { splitAddress } from "./addresses.ts";
import type { DiffResult, ResourceChange } from "./types.ts";

export const PROVIDER_NAME = "registry.terraform.io/hashicorp/aws";

const ACTIONS: Record<ResourceChange["action"], string[]> = {
  create: ["create"],
  update: ["update"],
  replace: ["delete", "create"],
  delete: ["delete"],
  "no-op": ["no-op"],
};

export interface JsonOptions {
  onlyManaged?: boolean;
}

export function resourceChangeJson(x: ResourceChange, importing?: string): Record<string, unknown> {
  const unknown = x.afterUnknown;
  const at = splitAddress(x.address);
  return {
    address: x.address,
    ...(at.moduleAddress ? { module_address: at.moduleAddress } : {}),
    mode: "managed",
    type: x.type,
    name: x.name,
    ...(at.index !== undefined ? { index: at.index } : {}),
    provider_name: PROVIDER_NAME,
    change: {
      actions: ACTIONS[x.action],
      before: x.before,
      after: x.after,
      after_unknown: x.after ? unknown : {},
      before_sensitive: x.before ? {} : false,
      after_sensitive: x.after ? {} : false,
      ...(x.replacePaths.length ? { replace_paths: x.replacePaths.map((p) => [p]) } : {}),
      ...(importing ? { importing: { id: importing } } : {}),
    },
    ...(x.action === "delete" ? { action_reason: "delete_because_no_resource_config" } : {}),
    ...(x.action === "replace" ? { action_reason: "replace_because_cannot_update" } : {}),
    ec2sim: {
      region: x.region,
      from_id: x.fromId ?? null,
      to_id: x.toId ?? null,
      matched_by: x.matchedBy ?? null,
    },
  };
}

export function diffJson(d: DiffResult, opts: JsonOptions = {}): string {
  return `${JSON.stringify(
    {
      format_version: "1.2",
      resource_changes: d.changes.map((x) => resourceChangeJson(x)),
      ec2sim: {
        from: d.from,
        to: d.to,
        summary: d.summary,
        unchanged: d.unchanged,
        unmanaged: opts.onlyManaged
          ? []
          : d.unmanaged.map((u) => ({
              address: u.address,
              type: u.type,
              region: u.region,
              id: u.id,
              values: u.values,
            })),
        ignored: d.ignored,
        coverage: d.coverage,
        warnings: d.warnings,
      },
    },
    null,
    2,
  )}\n`;
}
