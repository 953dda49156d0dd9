/**
 * The networking part of an AWS account (or any EC2 endpoint) as inventory resources: VPCs, subnets,
 * internet and NAT gateways, route tables with their routes and associations, network interfaces
 * created on their own and their attachments, launch templates. The default VPC and what EC2 made in
 * it (default subnets, its gateway, its main route table) are not managed, like the default group.
 */
import type { EC2 as EC2Type, LaunchTemplateVersion, Tag } from "@aws-sdk/client-ec2";
import { type InvResource, routeKey, routeTarget, splitTags } from "../inventory.ts";

const tagPairs = (tags: Tag[] | undefined): [string, string][] =>
  (tags ?? []).filter((t) => t.Key !== undefined).map((t) => [t.Key!, t.Value ?? ""]);

/** What the other families need to know: which VPCs and subnets are defaults (not managed). */
export interface NetworkFacts {
  defaultVpcs: Set<string>;
  defaultSubnets: Set<string>;
  /** VPC reference for an ID: the ID, or `vpc:default`. */
  vpcRef(id: string | undefined): string | undefined;
  /** Subnet reference for an ID, undefined for a default subnet (the instance's zone says it all). */
  subnetRef(id: string | undefined): string | undefined;
}

/** Every page of a NextToken-paged EC2 list, in order. */
export async function all<T>(
  fetch: (token?: string) => Promise<{ NextToken?: string | undefined; items: T[] }>,
): Promise<T[]> {
  const items: T[] = [];
  let token: string | undefined;
  do {
    const r = await fetch(token);
    items.push(...r.items);
    token = r.NextToken;
  } while (token);
  return items;
}

/**
 * Reads the region's networking. `resources` is called once the caller knows how to refer to images
 * and groups (launch templates name AMIs; `imageIds` are the ones they use).
 */
export async function readAwsNetwork(
  ec2: EC2Type,
  region: string,
): Promise<{
  facts: NetworkFacts;
  imageIds: string[];
  /** The region's launch templates (an instance names the one it was launched from while it exists). */
  templateIds: Set<string>;
  warnings: string[];
  resources(imageRef: (id: string) => string, groupRef: (id: string) => string): InvResource[];
}> {
  const warnings: string[] = [];
  /** An endpoint that lacks an action (an older ec2sim) has none of those resources: say so, go on. */
  const optional = async <T>(what: string, list: Promise<T[]>): Promise<T[]> => {
    try {
      return await list;
    } catch (e) {
      if ((e as { name?: string }).name !== "UnsupportedOperation") throw e;
      warnings.push(`${region}: ${what} not read: ${(e as Error).message}`);
      return [];
    }
  };
  const [vpcs, subnets, igws, tables, nats, enis, templates] = await Promise.all([
    all((t) => ec2.describeVpcs({ NextToken: t }).then((r) => ({ NextToken: r.NextToken, items: r.Vpcs ?? [] }))),
    all((t) => ec2.describeSubnets({ NextToken: t }).then((r) => ({ NextToken: r.NextToken, items: r.Subnets ?? [] }))),
    all((t) =>
      ec2
        .describeInternetGateways({ NextToken: t })
        .then((r) => ({ NextToken: r.NextToken, items: r.InternetGateways ?? [] })),
    ),
    all((t) =>
      ec2.describeRouteTables({ NextToken: t }).then((r) => ({ NextToken: r.NextToken, items: r.RouteTables ?? [] })),
    ),
    optional(
      "NAT gateways",
      all((t) =>
        ec2.describeNatGateways({ NextToken: t }).then((r) => ({ NextToken: r.NextToken, items: r.NatGateways ?? [] })),
      ),
    ),
    optional(
      "network interfaces",
      all((t) =>
        ec2
          .describeNetworkInterfaces({ NextToken: t })
          .then((r) => ({ NextToken: r.NextToken, items: r.NetworkInterfaces ?? [] })),
      ),
    ),
    optional(
      "launch templates",
      all((t) =>
        ec2
          .describeLaunchTemplates({ NextToken: t })
          .then((r) => ({ NextToken: r.NextToken, items: r.LaunchTemplates ?? [] })),
      ),
    ),
  ]);
  const defaultVpcs = new Set(vpcs.filter((v) => v.IsDefault).map((v) => v.VpcId!));
  const defaultSubnets = new Set(subnets.filter((s) => s.DefaultForAz).map((s) => s.SubnetId!));
  const facts: NetworkFacts = {
    defaultVpcs,
    defaultSubnets,
    vpcRef: (id) => (id === undefined ? undefined : defaultVpcs.has(id) ? "vpc:default" : id),
    subnetRef: (id) => (id === undefined || defaultSubnets.has(id) ? undefined : id),
  };
  const dns = async (id: string, Attribute: "enableDnsHostnames" | "enableDnsSupport") => {
    const r = await ec2.describeVpcAttribute({ VpcId: id, Attribute });
    return (r.EnableDnsHostnames ?? r.EnableDnsSupport)?.Value ?? null;
  };
  const vpcDns = new Map<string, { hostnames: boolean | null; support: boolean | null }>();
  for (const v of vpcs)
    if (!v.IsDefault)
      vpcDns.set(v.VpcId!, {
        hostnames: await dns(v.VpcId!, "enableDnsHostnames"),
        support: await dns(v.VpcId!, "enableDnsSupport"),
      });
  const templateData = new Map<string, LaunchTemplateVersion["LaunchTemplateData"]>();
  for (const t of templates) {
    const v = (
      await ec2.describeLaunchTemplateVersions({
        LaunchTemplateId: t.LaunchTemplateId!,
        Versions: [String(t.LatestVersionNumber ?? "$Latest")],
      })
    ).LaunchTemplateVersions?.[0];
    templateData.set(t.LaunchTemplateId!, v?.LaunchTemplateData ?? {});
  }
  // resolve:ssm:NAME is no image ID: it stays as written (EC2 resolves it at each launch).
  const imageIds = [...templateData.values()]
    .map((d) => d?.ImageId)
    .filter((x): x is string => !!x && !x.startsWith("resolve:ssm:"));
  const templateIds = new Set(templates.map((t) => t.LaunchTemplateId!));
  return { facts, imageIds, templateIds, warnings, resources: (imageRef, groupRef) => build(imageRef, groupRef) };

  function build(imageRef: (id: string) => string, groupRef: (id: string) => string): InvResource[] {
    const out: InvResource[] = [];
    const named = (tags: Tag[] | undefined) => {
      const t = splitTags(tagPairs(tags));
      return { ...t, ...(t.tags.Name ? { name: t.tags.Name } : {}) };
    };
    for (const v of vpcs) {
      if (v.IsDefault) continue;
      out.push({
        type: "aws_vpc",
        id: v.VpcId!,
        region,
        ...named(v.Tags),
        attrs: {
          cidr_block: v.CidrBlock ?? null,
          enable_dns_hostnames: vpcDns.get(v.VpcId!)?.hostnames ?? null,
          enable_dns_support: vpcDns.get(v.VpcId!)?.support ?? null,
          instance_tenancy: v.InstanceTenancy ?? "default",
        },
        refs: {},
      });
    }
    for (const s of subnets) {
      if (s.DefaultForAz) continue;
      out.push({
        type: "aws_subnet",
        id: s.SubnetId!,
        region,
        ...named(s.Tags),
        attrs: {
          cidr_block: s.CidrBlock ?? null,
          availability_zone: s.AvailabilityZone ?? null,
          map_public_ip_on_launch: s.MapPublicIpOnLaunch ?? false,
        },
        refs: { vpc_id: facts.vpcRef(s.VpcId)! },
      });
    }
    for (const g of igws) {
      const vpc = g.Attachments?.[0]?.VpcId;
      if (vpc && defaultVpcs.has(vpc)) continue;
      out.push({
        type: "aws_internet_gateway",
        id: g.InternetGatewayId!,
        region,
        ...named(g.Tags),
        attrs: {},
        refs: vpc ? { vpc_id: vpc } : {},
      });
    }
    for (const t of tables) {
      if (t.VpcId && defaultVpcs.has(t.VpcId)) continue;
      const main = (t.Associations ?? []).some((a) => a.Main);
      out.push({
        type: main ? "aws_default_route_table" : "aws_route_table",
        id: t.RouteTableId!,
        region,
        ...named(t.Tags),
        attrs: {},
        refs: { vpc_id: t.VpcId! },
      });
      for (const r of t.Routes ?? []) {
        const target = routeTarget({
          gatewayId: r.GatewayId,
          natGatewayId: r.NatGatewayId,
          networkInterfaceId: r.NetworkInterfaceId,
          instanceId: r.InstanceId,
          vpcPeeringConnectionId: r.VpcPeeringConnectionId,
          transitGatewayId: r.TransitGatewayId,
        });
        const dest = r.DestinationCidrBlock ?? r.DestinationIpv6CidrBlock;
        if (!target || !dest || r.Origin === "EnableVgwRoutePropagation") continue;
        out.push({
          type: "aws_route",
          id: routeKey(t.RouteTableId!, dest),
          region,
          tags: {},
          attrs: r.DestinationCidrBlock
            ? { destination_cidr_block: r.DestinationCidrBlock }
            : { destination_ipv6_cidr_block: dest },
          refs: { route_table_id: t.RouteTableId!, [target[0]]: target[1] },
        });
      }
      for (const a of t.Associations ?? []) {
        if (a.Main || !a.RouteTableAssociationId) continue;
        const state = a.AssociationState?.State;
        if (state && state !== "associated") continue;
        out.push({
          type: "aws_route_table_association",
          id: a.RouteTableAssociationId,
          region,
          tags: {},
          attrs: {},
          refs: {
            route_table_id: t.RouteTableId!,
            ...(a.SubnetId ? { subnet_id: a.SubnetId } : { gateway_id: a.GatewayId! }),
          },
        });
      }
    }
    for (const n of nats) {
      if (n.State === "deleted" || n.State === "deleting" || n.State === "failed") continue;
      const primary = (n.NatGatewayAddresses ?? []).find((a) => a.IsPrimary) ?? n.NatGatewayAddresses?.[0];
      out.push({
        type: "aws_nat_gateway",
        id: n.NatGatewayId!,
        region,
        ...named(n.Tags),
        attrs: { connectivity_type: n.ConnectivityType ?? "public" },
        refs: { subnet_id: n.SubnetId!, ...(primary?.AllocationId ? { allocation_id: primary.AllocationId } : {}) },
      });
    }
    for (const e of enis) {
      // Interfaces an instance was launched with, and the ones AWS services manage, come with them.
      const att = e.Attachment;
      if (e.RequesterManaged || /^nat_?gateway$/i.test(e.InterfaceType ?? "") || att?.DeleteOnTermination) continue;
      out.push({
        type: "aws_network_interface",
        id: e.NetworkInterfaceId!,
        region,
        ...named(e.TagSet),
        attrs: {
          description: e.Description || null,
          source_dest_check: e.SourceDestCheck ?? true,
          private_ips_count: Math.max(0, (e.PrivateIpAddresses ?? []).length - 1),
        },
        refs: {
          subnet_id: e.SubnetId!,
          security_groups: (e.Groups ?? []).map((g) => groupRef(g.GroupId!)).sort(),
        },
      });
      if (att?.AttachmentId && att.InstanceId && att.Status !== "detached" && att.Status !== "detaching")
        out.push({
          type: "aws_network_interface_attachment",
          id: att.AttachmentId,
          region,
          tags: {},
          attrs: { device_index: att.DeviceIndex ?? null },
          refs: { network_interface_id: e.NetworkInterfaceId!, instance_id: att.InstanceId },
        });
    }
    for (const t of templates) {
      const d = templateData.get(t.LaunchTemplateId!) ?? {};
      const ni = d.NetworkInterfaces?.[0];
      out.push({
        type: "aws_launch_template",
        id: t.LaunchTemplateId!,
        region,
        ...named(t.Tags),
        name: splitTags(tagPairs(t.Tags)).tags.Name ?? t.LaunchTemplateName!,
        attrs: {
          name: t.LaunchTemplateName ?? null,
          instance_type: d.InstanceType ?? null,
          key_name: d.KeyName ?? null,
          http_tokens: d.MetadataOptions?.HttpTokens ?? null,
          associate_public_ip_address: ni?.AssociatePublicIpAddress ?? null,
        },
        refs: {
          ...(d.ImageId ? { image_id: d.ImageId.startsWith("resolve:ssm:") ? d.ImageId : imageRef(d.ImageId) } : {}),
          vpc_security_group_ids: [...(d.SecurityGroupIds ?? []), ...(ni?.Groups ?? [])].map(groupRef).sort(),
          ...(ni?.SubnetId && facts.subnetRef(ni.SubnetId) ? { subnet_id: ni.SubnetId } : {}),
        },
      });
    }
    return out;
  }
}
