/**
 * Adopt mode (`ec2sim diff --from sandbox:S --to aws:… --adopt DIR`): the export of S, with a
 * Terraform 1.5+ `import {}` block for every resource the account already holds and the diff
 * paired with it, so `terraform plan` there says "N to import, 0 to add" for what exists and
 * creates only the rest. The configuration is adjusted to what is adopted:
 *
 * - no `ec2sim:origin` tags (the account's resources have none; they would be an update);
 * - an adopted instance keeps the user data it has (its software is there already): the
 *   sandbox's own user data only, not the cloud-init ec2sim generates from the guest;
 * - an adopted key pair ignores changes to `public_key`: EC2 does not give it back on import, and
 *   terraform would replace the key (hashicorp/aws's documented workaround);
 * - images: hashicorp/aws imports neither aws_ami_from_instance nor aws_ami_copy, so an adopted
 *   image is read (`data "aws_ami"` by its ID) instead, and what launches from it stays as it is.
 */
import { type Inventory, ORIGIN_TAG } from "../inventory.ts";
import { type Block, type ExportPlan, isRef, type Value } from "../plan.ts";
import type { DiffResult, PlanObject } from "./types.ts";

export interface ImportBlock {
  to: string;
  id: string;
  /** `aws.<alias>` for another region. */
  provider?: string;
}

export interface AdoptOptions {
  /** The sandbox's own user data of an instance (sandbox ID -> text), without ec2sim's cloud-init. */
  ownUserData: (instanceId: string) => string | undefined;
}

export interface Adoption {
  imports: ImportBlock[];
  /** Adopted images read as data sources: block key -> image ID. */
  readImages: Map<string, string>;
}

/** Adjusts `plan` (of the sandbox `from` was read from) in place for what `d` paired; returns the import blocks. */
export function adopt(plan: ExportPlan, from: Inventory, d: DiffResult, opts: AdoptOptions): Adoption {
  const originOf = blockOrigins(plan, from);
  const pairs = new Map<string, { toId: string; before: PlanObject }>();
  for (const c of d.changes)
    if (c.fromId && c.toId && c.before && c.action !== "delete")
      pairs.set(c.fromId, { toId: c.toId, before: c.before });
  const alias = new Map(plan.providers.map((p) => [p.key, p.alias]));
  const imports: ImportBlock[] = [];
  const readImages = new Map<string, string>();
  for (const b of plan.blocks) {
    if (b.kind !== "resource") continue;
    stripOrigin(b);
    const origin = originOf(b);
    const pair = origin ? pairs.get(origin) : undefined;
    if (!pair) continue;
    if (b.tfType === "aws_ami_from_instance" || b.tfType === "aws_ami_copy") {
      readImages.set(b.key, pair.toId);
      b.kind = "data";
      b.tfType = "aws_ami";
      b.config = { owners: ["self"], filter: [{ name: "image-id", values: [pair.toId] }] };
      b.comment = `${b.comment ? `${b.comment}; ` : ""}adopted: ${pair.toId} is read (hashicorp/aws cannot import it)`;
      continue;
    }
    if (b.tfType === "aws_instance" && b.origin) {
      delete b.config.userDataBase64;
      const own = opts.ownUserData(b.origin);
      if (own) b.config.userData = own;
      else delete b.config.userData;
    }
    if (b.tfType === "aws_key_pair") b.config.lifecycle = { ignoreChanges: ["public_key"] };
    const id = importId(b.tfType, pair.toId, pair.before);
    const a = b.provider ? alias.get(b.provider) : undefined;
    imports.push({ to: `${b.tfType}.${b.key}`, id, ...(a ? { provider: `aws.${a}` } : {}) });
  }
  return { imports, readImages };
}

const snakeCase = (k: string) => k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/**
 * The sandbox resource a block stands for: its origin when the inventory has that ID; else (what
 * joins others: attachments, associations, routes, grants named by a suffix) the one resource of
 * its type whose references and attributes are what the block's configuration says.
 */
function blockOrigins(plan: ExportPlan, from: Inventory): (b: Block) => string | undefined {
  const ids = new Set(from.resources.map((r) => r.id));
  const byKey = new Map(plan.blocks.map((b) => [b.key, b]));
  const memo = new Map<string, string | undefined>();
  const originOf = (b: Block): string | undefined => {
    if (memo.has(b.key)) return memo.get(b.key);
    memo.set(b.key, undefined);
    let found: string | undefined;
    if (b.origin && ids.has(b.origin)) found = b.origin;
    else {
      const want: [string, string | Value][] = [];
      for (const [k, v] of Object.entries(b.config)) {
        if (isRef(v)) {
          const target = byKey.get(v.$ref);
          const o = target ? originOf(target) : undefined;
          if (o) want.push([snakeCase(k), o]);
        } else if (typeof v === "string" || typeof v === "number") want.push([snakeCase(k), v]);
      }
      const candidates = from.resources.filter(
        (r) =>
          r.type === b.tfType &&
          (!b.origin || r.id.startsWith(b.origin.slice(0, b.origin.indexOf("/") + 1))) &&
          want.every(([k, v]) => (k in r.refs ? r.refs[k] === v : k in r.attrs ? r.attrs[k] === v : true)),
      );
      if (candidates.length === 1) found = candidates[0]!.id;
    }
    memo.set(b.key, found);
    return found;
  };
  return originOf;
}

function stripOrigin(b: Block): void {
  const tags = b.config.tags;
  if (!tags || typeof tags !== "object" || Array.isArray(tags) || "$ref" in tags) return;
  const t = tags as Record<string, Value>;
  delete t[ORIGIN_TAG];
  if (!Object.keys(t).length) delete b.config.tags;
}

/** The ID `terraform import` takes for a resource (hashicorp/aws's formats). */
export function importId(tfType: string, id: string, before: PlanObject): string {
  switch (tfType) {
    case "aws_key_pair":
      return String(before.key_name ?? id);
    case "aws_ami_launch_permission": {
      // The inventory's ID is IMAGE/GRANTEE; terraform wants GRANTEE/IMAGE.
      const i = id.indexOf("/");
      return `${id.slice(i + 1)}/${id.slice(0, i)}`;
    }
    case "aws_route_table_association":
      return `${before.subnet_id ?? before.gateway_id}/${before.route_table_id}`;
    case "aws_default_route_table":
      return String(before.vpc_id ?? id);
    default:
      // Instances, groups, rules (sgr-), volumes, snapshots, EIPs, associations, VPC resources by
      // their ID; attachments as DEVICE:VOLUME:INSTANCE and routes as TABLE_DESTINATION, as the
      // inventory already writes them.
      return id;
  }
}

/** `imports.tf` (HCL) or `imports.tf.json`. */
export function importFiles(imports: ImportBlock[], format: "hcl" | "json"): Record<string, string> {
  if (format === "json")
    return { "imports.tf.json": `${JSON.stringify({ import: imports.map((i) => ({ ...i })) }, null, 2)}\n` };
  const text = imports
    .map((i) =>
      [
        "import {",
        `  to = ${i.to}`,
        `  id = ${JSON.stringify(i.id)}`,
        ...(i.provider ? [`  provider = ${i.provider}`] : []),
        "}",
      ].join("\n"),
    )
    .join("\n\n");
  return {
    "imports.tf": `# Resources the account already holds, adopted by ec2sim diff --adopt (Terraform 1.5+).\n# terraform plan imports them; apply once, then these blocks can go.\n\n${text}\n`,
  };
}
