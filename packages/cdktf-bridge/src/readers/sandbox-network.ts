/**
 * A sandbox's networking (core's fold) as inventory resources, in the shapes aws-network.ts reads
 * from EC2: VPCs, subnets, internet gateways, route tables with their routes and associations, NAT
 * gateways, network interfaces made on their own and their attachments, launch templates. The
 * default VPC and what EC2 made in it (default subnets, its gateway, its main route table) are not
 * managed, like the default security group; nor are interfaces an instance was launched with or
 * that a NAT gateway holds (they come and go with it).
 */
import type { LaunchTemplate, RegionState } from "@ec2sim/core";
import { type InvResource, routeKey, routeTarget, splitTags } from "../inventory.ts";

export interface SandboxNetwork {
  resources: InvResource[];
  /** VPC reference for an ID: the ID, or `vpc:default`. */
  vpcRef(id: string | undefined): string | undefined;
  /** Subnet reference for an ID, undefined for a default subnet. */
  subnetRef(id: string | undefined): string | undefined;
}

export function readSandboxNetwork(
  r: RegionState,
  region: string,
  acct: string,
  imageRef: (id: string) => string,
  groupRef: (id: string) => string,
): SandboxNetwork {
  const mine = (x: { ownerId: string }) => x.ownerId === acct;
  const defaultVpcs = new Set([...r.vpcs.values()].filter((v) => mine(v) && v.isDefault).map((v) => v.vpcId));
  const vpcRef = (id: string | undefined) => (id === undefined ? undefined : defaultVpcs.has(id) ? "vpc:default" : id);
  const subnetRef = (id: string | undefined) => {
    const s = id === undefined ? undefined : r.subnets.get(id);
    return s && !s.defaultForAz ? s.subnetId : undefined;
  };
  const out: InvResource[] = [];
  const named = (tags: Map<string, string>) => {
    const t = splitTags(tags);
    return { ...t, ...(t.tags.Name ? { name: t.tags.Name } : {}) };
  };
  for (const v of r.vpcs.values()) {
    if (!mine(v) || v.isDefault) continue;
    out.push({
      type: "aws_vpc",
      id: v.vpcId,
      region,
      ...named(v.tags),
      attrs: {
        cidr_block: v.cidrBlock,
        enable_dns_hostnames: v.enableDnsHostnames,
        enable_dns_support: v.enableDnsSupport,
        instance_tenancy: v.instanceTenancy,
      },
      refs: {},
    });
  }
  for (const s of r.subnets.values()) {
    if (!mine(s) || s.defaultForAz) continue;
    out.push({
      type: "aws_subnet",
      id: s.subnetId,
      region,
      ...named(s.tags),
      attrs: {
        cidr_block: s.cidrBlock,
        availability_zone: s.availabilityZone,
        map_public_ip_on_launch: s.mapPublicIpOnLaunch,
      },
      refs: { vpc_id: vpcRef(s.vpcId)! },
    });
  }
  for (const g of r.internetGateways.values()) {
    if (!mine(g) || (g.vpcId && defaultVpcs.has(g.vpcId))) continue;
    out.push({
      type: "aws_internet_gateway",
      id: g.internetGatewayId,
      region,
      ...named(g.tags),
      attrs: {},
      refs: g.vpcId ? { vpc_id: g.vpcId } : {},
    });
  }
  for (const t of r.routeTables.values()) {
    if (!mine(t) || defaultVpcs.has(t.vpcId)) continue;
    out.push({
      type: t.associations.some((a) => a.main) ? "aws_default_route_table" : "aws_route_table",
      id: t.routeTableId,
      region,
      ...named(t.tags),
      attrs: {},
      refs: { vpc_id: t.vpcId },
    });
    for (const route of t.routes) {
      const target = routeTarget(route);
      if (!target) continue;
      out.push({
        type: "aws_route",
        id: routeKey(t.routeTableId, route.destinationCidrBlock),
        region,
        tags: {},
        attrs: { destination_cidr_block: route.destinationCidrBlock },
        refs: { route_table_id: t.routeTableId, [target[0]]: target[1] },
      });
    }
    for (const a of t.associations) {
      if (a.main || !a.subnetId) continue;
      out.push({
        type: "aws_route_table_association",
        id: a.associationId,
        region,
        tags: {},
        attrs: {},
        refs: { route_table_id: t.routeTableId, subnet_id: a.subnetId },
      });
    }
  }
  for (const n of r.natGateways.values()) {
    if (!mine(n) || n.state === "deleted" || n.state === "deleting" || n.state === "failed") continue;
    out.push({
      type: "aws_nat_gateway",
      id: n.natGatewayId,
      region,
      ...named(n.tags),
      attrs: { connectivity_type: n.connectivityType },
      refs: { subnet_id: n.subnetId, ...(n.allocationId ? { allocation_id: n.allocationId } : {}) },
    });
  }
  for (const e of r.networkInterfaces.values()) {
    const att = e.attachment;
    if (!mine(e) || e.requesterManaged || e.interfaceType !== "interface" || att?.deleteOnTermination) continue;
    out.push({
      type: "aws_network_interface",
      id: e.networkInterfaceId,
      region,
      ...named(e.tags),
      attrs: {
        description: e.description || null,
        source_dest_check: e.sourceDestCheck,
        private_ips_count: e.secondaryPrivateIps.length,
      },
      refs: { subnet_id: e.subnetId, security_groups: e.groupIds.map(groupRef).sort() },
    });
    if (att)
      out.push({
        type: "aws_network_interface_attachment",
        id: att.attachmentId,
        region,
        tags: {},
        attrs: { device_index: att.deviceIndex },
        refs: { network_interface_id: e.networkInterfaceId, instance_id: att.instanceId },
      });
  }
  for (const t of r.launchTemplates.values()) {
    if (!mine(t)) continue;
    const d = latestData(t);
    const ni = (d.NetworkInterfaces as Record<string, unknown>[] | undefined)?.[0];
    const strings = (v: unknown) => (Array.isArray(v) ? (v as string[]) : []);
    const named_ = named(t.tags);
    const image = typeof d.ImageId === "string" ? d.ImageId : undefined;
    const subnet = typeof ni?.SubnetId === "string" ? ni.SubnetId : undefined;
    out.push({
      type: "aws_launch_template",
      id: t.launchTemplateId,
      region,
      ...named_,
      name: named_.tags.Name ?? t.launchTemplateName,
      attrs: {
        name: t.launchTemplateName,
        instance_type: (d.InstanceType as string | undefined) ?? null,
        key_name: (d.KeyName as string | undefined) ?? null,
        http_tokens: ((d.MetadataOptions as { HttpTokens?: string } | undefined)?.HttpTokens as string) ?? null,
        associate_public_ip_address: (ni?.AssociatePublicIpAddress as boolean | undefined) ?? null,
      },
      refs: {
        // resolve:ssm: stays a reference to the parameter, as EC2 keeps it in the template.
        ...(image ? { image_id: image.startsWith("resolve:ssm:") ? image : imageRef(image) } : {}),
        vpc_security_group_ids: [...strings(d.SecurityGroupIds), ...strings(ni?.Groups)].map(groupRef).sort(),
        ...(subnetRef(subnet) ? { subnet_id: subnet! } : {}),
      },
    });
  }
  return { resources: out, vpcRef, subnetRef };
}

/** The launch data of a template's latest version (what a reader of AWS describes too). */
export function latestData(t: LaunchTemplate): Record<string, unknown> {
  return t.versions.get(t.latestVersion)?.data ?? {};
}
