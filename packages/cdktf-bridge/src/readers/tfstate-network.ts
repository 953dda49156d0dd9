// biome-ignore-all lint/suspicious/noExplicitAny: terraform state values are untyped JSON whose shape depends on the resource type
/**
 * The networking resources of a Terraform state as inventory resources (see aws-network.ts for the
 * shapes). A VPC's main route table is not a resource in a state unless aws_default_route_table
 * adopts it: it is read from the VPC's main_route_table_id, as EC2 would list it. Inline routes of
 * a route table and inline attachments of an interface become their own entries, as with aws_route.
 */
import { type AttrValue, type InvResource, routeKey, routeTarget, splitTags } from "../inventory.ts";

type Obj = Record<string, any>;
interface StateResource {
  mode: "managed" | "data";
  type: string;
  values: Obj;
}

export const NETWORK_TYPES = new Set([
  "aws_vpc",
  "aws_default_vpc",
  "aws_subnet",
  "aws_default_subnet",
  "aws_internet_gateway",
  "aws_route_table",
  "aws_default_route_table",
  "aws_route",
  "aws_route_table_association",
  "aws_nat_gateway",
  "aws_network_interface",
  "aws_network_interface_attachment",
  "aws_launch_template",
  "aws_default_security_group",
]);

const n = (v: unknown): AttrValue => (v === undefined || v === "" ? null : (v as AttrValue));
const regionFromArn = (arn: unknown): string => (typeof arn === "string" ? (arn.split(":")[3] ?? "") : "");

export function readStateNetwork(
  res: StateResource[],
  imageRef: (id: string) => string,
  groupRef: (id: string) => string,
): { resources: InvResource[]; vpcRef(id: unknown): string | undefined; subnetRef(id: unknown): string | undefined } {
  const managed = res.filter((r) => r.mode === "managed");
  const vpcs = new Set(managed.filter((r) => r.type === "aws_vpc").map((r) => r.values.id as string));
  const subnets = new Set(managed.filter((r) => r.type === "aws_subnet").map((r) => r.values.id as string));
  const vpcRef = (id: unknown) => (typeof id !== "string" || !id ? undefined : vpcs.has(id) ? id : "vpc:default");
  const subnetRef = (id: unknown) => (typeof id === "string" && subnets.has(id) ? id : undefined);
  const out: InvResource[] = [];
  const base = (v: Obj) => {
    const t = splitTags(v.tags_all ?? v.tags ?? {});
    return { region: regionFromArn(v.arn), ...t, ...(t.tags.Name ? { name: t.tags.Name } : {}) };
  };
  const route = (tableId: string, r: Obj, dest: string | undefined, destKey: string) => {
    const target = routeTarget({
      gatewayId: r.gateway_id,
      natGatewayId: r.nat_gateway_id,
      networkInterfaceId: r.network_interface_id,
      instanceId: r.instance_id,
      vpcPeeringConnectionId: r.vpc_peering_connection_id,
      transitGatewayId: r.transit_gateway_id,
    });
    if (!dest || !target) return;
    out.push({
      type: "aws_route",
      id: routeKey(tableId, dest),
      region: "",
      tags: {},
      attrs: { [destKey]: dest },
      refs: { route_table_id: tableId, [target[0]]: target[1] },
    });
  };
  const adopted = new Set(
    managed.filter((r) => r.type === "aws_default_route_table").map((r) => r.values.id as string),
  );
  for (const { type, values: v } of managed) {
    switch (type) {
      case "aws_vpc":
        out.push({
          type: "aws_vpc",
          id: v.id,
          ...base(v),
          attrs: {
            cidr_block: n(v.cidr_block),
            enable_dns_hostnames: v.enable_dns_hostnames ?? null,
            enable_dns_support: v.enable_dns_support ?? null,
            instance_tenancy: v.instance_tenancy || "default",
          },
          refs: {},
        });
        if (v.main_route_table_id && !adopted.has(v.main_route_table_id))
          out.push({
            type: "aws_default_route_table",
            id: v.main_route_table_id,
            region: regionFromArn(v.arn),
            tags: {},
            attrs: {},
            refs: { vpc_id: v.id },
          });
        break;
      case "aws_subnet":
        out.push({
          type: "aws_subnet",
          id: v.id,
          ...base(v),
          attrs: {
            cidr_block: n(v.cidr_block),
            availability_zone: n(v.availability_zone),
            map_public_ip_on_launch: !!v.map_public_ip_on_launch,
          },
          refs: { vpc_id: vpcRef(v.vpc_id)! },
        });
        break;
      case "aws_internet_gateway":
        if (vpcRef(v.vpc_id) === "vpc:default") break;
        out.push({
          type: "aws_internet_gateway",
          id: v.id,
          ...base(v),
          attrs: {},
          refs: v.vpc_id ? { vpc_id: v.vpc_id } : {},
        });
        break;
      case "aws_route_table":
      case "aws_default_route_table":
        if (vpcRef(v.vpc_id) === "vpc:default") break;
        out.push({ type, id: v.id, ...base(v), attrs: {}, refs: { vpc_id: v.vpc_id } });
        for (const r of (v.route ?? []) as Obj[]) {
          if (r.cidr_block) route(v.id, r, r.cidr_block, "destination_cidr_block");
          else route(v.id, r, r.ipv6_cidr_block, "destination_ipv6_cidr_block");
        }
        break;
      case "aws_route":
        if (v.destination_cidr_block) route(v.route_table_id, v, v.destination_cidr_block, "destination_cidr_block");
        else route(v.route_table_id, v, v.destination_ipv6_cidr_block, "destination_ipv6_cidr_block");
        break;
      case "aws_route_table_association":
        out.push({
          type: "aws_route_table_association",
          id: v.id,
          region: "",
          tags: {},
          attrs: {},
          refs: {
            route_table_id: v.route_table_id,
            ...(v.subnet_id ? { subnet_id: v.subnet_id } : { gateway_id: v.gateway_id }),
          },
        });
        break;
      case "aws_nat_gateway":
        out.push({
          type: "aws_nat_gateway",
          id: v.id,
          ...base(v),
          attrs: { connectivity_type: v.connectivity_type || "public" },
          refs: { subnet_id: v.subnet_id, ...(v.allocation_id ? { allocation_id: v.allocation_id } : {}) },
        });
        break;
      case "aws_network_interface":
        out.push({
          type: "aws_network_interface",
          id: v.id,
          ...base(v),
          attrs: {
            description: n(v.description),
            source_dest_check: v.source_dest_check ?? true,
            private_ips_count: v.private_ips_count ?? 0,
          },
          refs: {
            subnet_id: v.subnet_id,
            security_groups: ((v.security_groups ?? []) as string[]).map(groupRef).sort(),
          },
        });
        for (const a of (v.attachment ?? []) as Obj[])
          if (a.attachment_id)
            out.push({
              type: "aws_network_interface_attachment",
              id: a.attachment_id,
              region: "",
              tags: {},
              attrs: { device_index: a.device_index ?? null },
              refs: { network_interface_id: v.id, instance_id: a.instance },
            });
        break;
      case "aws_network_interface_attachment":
        out.push({
          type: "aws_network_interface_attachment",
          id: v.attachment_id || v.id,
          region: "",
          tags: {},
          attrs: { device_index: v.device_index ?? null },
          refs: { network_interface_id: v.network_interface_id, instance_id: v.instance_id },
        });
        break;
      case "aws_launch_template": {
        const ni = (v.network_interfaces ?? [])[0] as Obj | undefined;
        const nb = (x: unknown) => (x === "true" ? true : x === "false" ? false : null);
        out.push({
          type: "aws_launch_template",
          id: v.id,
          ...base(v),
          name: splitTags(v.tags_all ?? v.tags ?? {}).tags.Name ?? v.name,
          attrs: {
            name: v.name,
            instance_type: n(v.instance_type),
            key_name: n(v.key_name),
            http_tokens: n((v.metadata_options ?? [])[0]?.http_tokens),
            associate_public_ip_address: nb(ni?.associate_public_ip_address),
          },
          refs: {
            ...(v.image_id ? { image_id: imageRef(v.image_id) } : {}),
            vpc_security_group_ids: [...(v.vpc_security_group_ids ?? []), ...(ni?.security_groups ?? [])]
              .map(groupRef)
              .sort(),
            ...(subnetRef(ni?.subnet_id) ? { subnet_id: ni!.subnet_id } : {}),
          },
        });
        break;
      }
    }
  }
  return { resources: out, vpcRef, subnetRef };
}
