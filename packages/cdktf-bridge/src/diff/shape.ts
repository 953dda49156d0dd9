/**
 * An inventory resource as terraform shows it: flat attributes, references, `tags` as a map, an
 * instance's root and launch volumes as `root_block_device` / `ebs_block_device` blocks; and what
 * forces a replacement (as in hashicorp/aws).
 */
import type { AttrValue, InvResource } from "../inventory.ts";
import type { PlanObject, PlanValue } from "./types.ts";

/** Attributes whose change means a new resource, by family (every kind of AMI is `image`). */
export const FORCE_NEW: Partial<Record<string, ReadonlySet<string>>> = {
  aws_key_pair: new Set(["key_name", "public_key", "key_type"]),
  aws_security_group: new Set(["name", "description", "vpc_id"]),
  aws_vpc_security_group_ingress_rule: new Set(["security_group_id"]),
  aws_vpc_security_group_egress_rule: new Set(["security_group_id"]),
  aws_instance: new Set(["ami", "availability_zone", "key_name", "ebs_block_device", "subnet_id"]),
  image: new Set([
    "name",
    "source_instance_id",
    "source_ami_id",
    "source_ami_region",
    "architecture",
    "root_volume_size",
    "type",
  ]),
  aws_ami_launch_permission: new Set([
    "image_id",
    "account_id",
    "group",
    "organization_arn",
    "organizational_unit_arn",
  ]),
  aws_ebs_volume: new Set(["availability_zone", "snapshot_id", "encrypted"]),
  aws_volume_attachment: new Set(["device_name", "volume_id", "instance_id"]),
  aws_ebs_snapshot: new Set(["volume_id", "description"]),
  aws_eip: new Set(["domain"]),
  aws_eip_association: new Set(["allocation_id", "instance_id"]),
  aws_vpc: new Set(["cidr_block"]),
  aws_subnet: new Set(["vpc_id", "cidr_block", "availability_zone"]),
  aws_route_table: new Set(["vpc_id"]),
  aws_default_route_table: new Set(["vpc_id"]),
  aws_route: new Set(["route_table_id", "destination_cidr_block", "destination_ipv6_cidr_block"]),
  aws_route_table_association: new Set(["subnet_id", "gateway_id"]),
  aws_nat_gateway: new Set(["subnet_id", "allocation_id", "connectivity_type"]),
  aws_network_interface: new Set(["subnet_id"]),
  aws_network_interface_attachment: new Set(["network_interface_id", "instance_id", "device_index"]),
  aws_launch_template: new Set(["name"]),
};

/**
 * Attributes only some readers can see (an account shows user data but not the guest; a state
 * holds a hash of the whole user data): compared only when both sides have them.
 */
export const PARTIAL_ATTRS = new Set(["user_data", "guest_files", "guest_packages"]);

/** Attributes that are not terraform's (shown in the plan, never in generated configuration). */
export const PSEUDO_ATTRS = new Set(["guest_files", "guest_packages"]);

/**
 * The plan object of a resource. `refs` are already in the world the object describes (IDs of
 * `to`, or `undefined` for what is not known before apply).
 */
export function planObject(
  r: InvResource,
  refs: Record<string, string | (string | undefined)[] | undefined>,
  id: string | undefined,
): { values: PlanObject; unknown: Record<string, true | boolean[]> } {
  const values: PlanObject = {};
  const unknown: Record<string, true | boolean[]> = {};
  if (id !== undefined) values.id = id;
  else unknown.id = true;
  const a = r.attrs;
  for (const [k, v] of Object.entries(a)) {
    if (r.type === "aws_instance" && (k.startsWith("root_") || k === "ebs_block_devices")) continue;
    if (k === "guest_files") {
      values.guest_files = pathMap(v);
      continue;
    }
    values[k] = v as PlanValue;
  }
  for (const [k, v] of Object.entries(refs)) {
    if (v === undefined) {
      unknown[k] = true;
      values[k] = null;
    } else if (Array.isArray(v)) {
      values[k] = v.map((x) => x ?? null);
      if (v.some((x) => x === undefined)) unknown[k] = v.map((x) => x === undefined);
    } else values[k] = v;
  }
  if (Object.keys(r.tags).length) values.tags = { ...r.tags };
  if (r.type === "aws_instance") {
    if (a.root_volume_size != null || a.root_volume_type != null)
      values.root_block_device = [
        {
          delete_on_termination: (a.root_delete_on_termination ?? null) as PlanValue,
          volume_size: (a.root_volume_size ?? null) as PlanValue,
          volume_type: (a.root_volume_type ?? null) as PlanValue,
        },
      ];
    const ebs = (a.ebs_block_devices ?? []) as string[];
    if (ebs.length)
      values.ebs_block_device = ebs.map((s) => {
        const [device_name, size, type, dot] = s.split(":");
        return {
          delete_on_termination: dot === "true",
          device_name: device_name ?? null,
          volume_size: size && size !== "undefined" ? Number(size) : null,
          volume_type: type && type !== "undefined" ? type : null,
        };
      });
  }
  return { values, unknown };
}

/** `["/etc/x sha256:…", …]` (a reader's guest file list) as a path -> hash map. */
function pathMap(v: AttrValue): PlanValue {
  if (!Array.isArray(v)) return v;
  const out: PlanObject = {};
  for (const s of v) {
    const str = String(s);
    const i = str.lastIndexOf(" ");
    out[i < 0 ? str : str.slice(0, i)] = i < 0 ? "" : str.slice(i + 1);
  }
  return out;
}

/** Values that mean "nothing": null, "", [], {}. */
export function isEmptyValue(v: PlanValue | undefined): boolean {
  return (
    v === undefined ||
    v === null ||
    v === "" ||
    (Array.isArray(v) && v.length === 0) ||
    (typeof v === "object" && !Array.isArray(v) && Object.keys(v).length === 0)
  );
}

/** A canonical text of a value: nothing-values alike, lists of scalars as sets, keys sorted. */
export function canonical(v: PlanValue | undefined): string {
  if (isEmptyValue(v)) return "null";
  if (Array.isArray(v)) {
    const items = v.map((x) => canonical(x));
    return `[${(v.every((x) => x === null || typeof x !== "object") ? items.sort() : items).join(",")}]`;
  }
  if (v && typeof v === "object")
    return `{${Object.keys(v)
      .sort()
      .filter((k) => !isEmptyValue(v[k]))
      .map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`)
      .join(",")}}`;
  return JSON.stringify(v);
}

export const sameValue = (a: PlanValue | undefined, b: PlanValue | undefined) => canonical(a) === canonical(b);
