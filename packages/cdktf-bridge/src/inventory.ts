/**
 * The neutral picture of "what exists" that every reader produces (a sandbox, an AWS account, a
 * Terraform state) and that diff compares. One entry per resource Terraform would manage, typed
 * by its Terraform resource type, with comparable attributes and references to other entries.
 *
 * References hold IDs of the same world (`i-…`, `sg-…`) or external keys that mean the same thing
 * in every account: `ami:<owner alias or id>/<name>` for images nobody here manages (Quick Start,
 * Marketplace, shared), `sg:default` for a VPC's default security group, `vpc:default` for the
 * region's default VPC. The default VPC, its default subnets, internet gateway and main route table
 * are not managed (like the default security group): what sits in default subnets names no subnet.
 */

export type Scalar = string | number | boolean | null;
export type AttrValue = Scalar | Scalar[];

export type ResourceType =
  | "aws_key_pair"
  | "aws_security_group"
  | "aws_vpc_security_group_ingress_rule"
  | "aws_vpc_security_group_egress_rule"
  | "aws_instance"
  | "aws_ami_from_instance"
  | "aws_ami_copy"
  | "aws_ami"
  | "aws_ami_launch_permission"
  | "aws_ebs_volume"
  | "aws_volume_attachment"
  | "aws_ebs_snapshot"
  | "aws_eip"
  | "aws_eip_association"
  | "aws_vpc"
  | "aws_subnet"
  | "aws_internet_gateway"
  | "aws_route_table"
  /** A VPC's main route table: EC2 makes it with the VPC; Terraform manages it as aws_default_route_table. */
  | "aws_default_route_table"
  | "aws_route"
  | "aws_route_table_association"
  | "aws_nat_gateway"
  | "aws_network_interface"
  | "aws_network_interface_attachment"
  | "aws_launch_template";

export interface InvResource {
  type: ResourceType;
  /** The resource's ID in its world (for rules, attachments and permissions: a composite). */
  id: string;
  region: string;
  /** What people call it: the Name tag, else its natural name (key name, group name, image name). */
  name?: string;
  /** Its Terraform address, when the reader knows it (a state). */
  address?: string;
  /** User tags (the origin tag is kept apart in `origin`; `aws:` tags are dropped). */
  tags: Record<string, string>;
  /** The value of the `ec2sim:origin` tag: `<sandbox>/<resource id>` it was exported from. */
  origin?: string;
  attrs: Record<string, AttrValue>;
  /** attr -> referenced resource IDs (same world) or external keys. */
  refs: Record<string, string | string[]>;
}

export interface Inventory {
  /** Where it was read from, for messages: `sandbox:A`, `aws:default/us-east-1`, `tfstate:FILE`. */
  source: string;
  resources: InvResource[];
  /** Things the reader saw but could not represent. */
  warnings: string[];
}

export const ORIGIN_TAG = "ec2sim:origin";

/** The family a type belongs to for matching: every kind of AMI is an image. */
export function familyOf(type: ResourceType): string {
  return type === "aws_ami_from_instance" || type === "aws_ami_copy" || type === "aws_ami" ? "image" : type;
}

/** Splits tags into user tags and the origin tag. */
export function splitTags(tags: Iterable<[string, string]> | Record<string, string> | undefined): {
  tags: Record<string, string>;
  origin?: string;
} {
  const out: Record<string, string> = {};
  let origin: string | undefined;
  const entries =
    tags === undefined
      ? []
      : Symbol.iterator in Object(tags)
        ? [...(tags as Iterable<[string, string]>)]
        : Object.entries(tags as Record<string, string>);
  for (const [k, v] of entries) {
    if (k === ORIGIN_TAG) origin = v;
    else if (!k.startsWith("aws:")) out[k] = v;
  }
  return origin === undefined ? { tags: out } : { tags: out, origin };
}

/** Deterministic key of a rule's shape (shared by readers so composite IDs agree). */
export function ruleShape(r: {
  protocol: string;
  fromPort?: number | null;
  toPort?: number | null;
  cidrIpv4?: string | null;
  cidrIpv6?: string | null;
  referencedGroup?: string | null;
}): string {
  const proto = normalizeProtocol(r.protocol);
  const ports = proto === "-1" ? "" : `${r.fromPort ?? ""}-${r.toPort ?? ""}`;
  return `${proto}:${ports}:${r.cidrIpv4 ?? ""}:${r.cidrIpv6 ?? ""}:${r.referencedGroup ?? ""}`;
}

export function normalizeProtocol(p: string | number | undefined | null): string {
  const s = String(p ?? "-1").toLowerCase();
  if (s === "all" || s === "-1") return "-1";
  if (s === "6") return "tcp";
  if (s === "17") return "udp";
  if (s === "1") return "icmp";
  return s;
}

/** `ssh-rsa AAAA… comment` -> `ssh-rsa AAAA…` (EC2 and Terraform differ on the comment). */
export function normalizePublicKey(k: string | undefined | null): string | null {
  if (!k) return null;
  const parts = k.trim().split(/\s+/);
  return parts.slice(0, 2).join(" ");
}

/**
 * Volumes that are part of an instance (its root, or one created with it from a block device
 * mapping) are not resources of their own: EC2 marks those DeleteOnTermination, AttachVolume does not.
 */
export function isLaunchVolume(
  att: { device: string; deleteOnTermination: boolean },
  inst: { rootDeviceName: string },
): boolean {
  return att.device === inst.rootDeviceName || att.deleteOnTermination;
}

/** The ID of an aws_route in an inventory: its table and destination (as `terraform import` takes it). */
export const routeKey = (routeTableId: string, destination: string) => `${routeTableId}_${destination}`;

/** The target of a route as an inventory reference name and value (local routes have none). */
export function routeTarget(r: {
  gatewayId?: string | null;
  natGatewayId?: string | null;
  networkInterfaceId?: string | null;
  instanceId?: string | null;
  vpcPeeringConnectionId?: string | null;
  transitGatewayId?: string | null;
}): [string, string] | undefined {
  if (r.natGatewayId) return ["nat_gateway_id", r.natGatewayId];
  if (r.gatewayId && r.gatewayId !== "local") return ["gateway_id", r.gatewayId];
  // A route to an instance names the instance (its interface belongs to it, in every world).
  if (r.instanceId) return ["instance_id", r.instanceId];
  if (r.networkInterfaceId) return ["network_interface_id", r.networkInterfaceId];
  if (r.vpcPeeringConnectionId) return ["vpc_peering_connection_id", r.vpcPeeringConnectionId];
  if (r.transitGatewayId) return ["transit_gateway_id", r.transitGatewayId];
  return undefined;
}

/** The template an instance was launched from (EC2's aws:ec2launchtemplate:id tag), while it exists. */
export function launchTemplateRef(
  templates: { has(id: string): boolean },
  tags: Iterable<[string, string]>,
): { launch_template_id?: string } {
  for (const [k, v] of tags) if (k === "aws:ec2launchtemplate:id" && templates.has(v)) return { launch_template_id: v };
  return {};
}
