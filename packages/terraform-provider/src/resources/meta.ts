// Data sources about the account and its network: aws_availability_zones, aws_region,
// aws_caller_identity, aws_vpc, aws_subnet, aws_subnets.
import type { DataSourceImpl } from "../framework/provider.ts";
import { isObj } from "../framework/values.ts";
import {
  data_aws_availability_zones,
  data_aws_caller_identity,
  data_aws_region,
  data_aws_subnet,
  data_aws_subnets,
  data_aws_vpc,
} from "../schemas/meta.ts";
import { buildFilters, s, singleResult, strs, tagsFromApi } from "./common.ts";

/** Region descriptions as AWS names them (data aws_region needs no API call, like hashicorp/aws). */
const REGION_NAMES: Record<string, string> = {
  "us-east-1": "US East (N. Virginia)",
  "us-east-2": "US East (Ohio)",
  "us-west-1": "US West (N. California)",
  "us-west-2": "US West (Oregon)",
  "ca-central-1": "Canada (Central)",
  "eu-west-1": "Europe (Ireland)",
  "eu-west-2": "Europe (London)",
  "eu-west-3": "Europe (Paris)",
  "eu-central-1": "Europe (Frankfurt)",
  "eu-north-1": "Europe (Stockholm)",
  "eu-south-1": "Europe (Milan)",
  "ap-northeast-1": "Asia Pacific (Tokyo)",
  "ap-northeast-2": "Asia Pacific (Seoul)",
  "ap-northeast-3": "Asia Pacific (Osaka)",
  "ap-southeast-1": "Asia Pacific (Singapore)",
  "ap-southeast-2": "Asia Pacific (Sydney)",
  "ap-south-1": "Asia Pacific (Mumbai)",
  "sa-east-1": "South America (Sao Paulo)",
  "me-south-1": "Middle East (Bahrain)",
  "af-south-1": "Africa (Cape Town)",
};

export const dataAwsRegion: DataSourceImpl = {
  schema: data_aws_region,
  title: "Region",
  async read(ctx, config) {
    const region = s(config.region) ?? s(config.name) ?? ctx.region;
    if (s(config.endpoint) && config.endpoint !== `ec2.${region}.amazonaws.com`)
      throw new Error(`no region matches endpoint ${config.endpoint}`);
    return {
      id: region,
      name: region,
      region,
      endpoint: `ec2.${region}.amazonaws.com`,
      description: REGION_NAMES[region] ?? region,
    };
  },
};

export const dataAwsCallerIdentity: DataSourceImpl = {
  schema: data_aws_caller_identity,
  title: "Caller Identity",
  async read(ctx) {
    const account = await ctx.accountId();
    return { id: account, account_id: account, arn: `arn:aws:iam::${account}:root`, user_id: account };
  },
};

export const dataAwsAvailabilityZones: DataSourceImpl = {
  schema: data_aws_availability_zones,
  title: "Availability Zones",
  async read(ctx, config) {
    const ec2 = await ctx.ec2();
    const out = await ec2.describeAvailabilityZones({
      AllAvailabilityZones: config.all_availability_zones === true ? true : undefined,
      Filters: buildFilters(config, { state: config.state }),
    });
    const excludeNames = new Set(strs(config.exclude_names));
    const excludeIds = new Set(strs(config.exclude_zone_ids));
    const zones = (out.AvailabilityZones ?? [])
      .filter((z) => !excludeNames.has(z.ZoneName ?? "") && !excludeIds.has(z.ZoneId ?? ""))
      .sort((a, b) => (a.ZoneName ?? "").localeCompare(b.ZoneName ?? ""));
    return {
      id: ctx.region,
      names: zones.map((z) => z.ZoneName),
      zone_ids: zones.map((z) => z.ZoneId),
      group_names: [...new Set(zones.map((z) => z.GroupName).filter(Boolean))],
    };
  },
};

export const dataAwsVpc: DataSourceImpl = {
  schema: data_aws_vpc,
  title: "EC2 VPC",
  async read(ctx, config) {
    const ec2 = await ctx.ec2();
    const out = await ec2.describeVpcs({
      VpcIds: s(config.id) ? [config.id as string] : undefined,
      Filters: buildFilters(
        config,
        {
          "cidr-block": config.cidr_block,
          "dhcp-options-id": config.dhcp_options_id,
          "is-default": typeof config.default === "boolean" ? String(config.default) : undefined,
          state: config.state,
        },
        [config.tags],
      ),
    });
    const vpc = singleResult(out.Vpcs, "EC2 VPC");
    const id = vpc.VpcId!;
    const attr = async (Attribute: "enableDnsHostnames" | "enableDnsSupport" | "enableNetworkAddressUsageMetrics") => {
      try {
        const r = await ec2.describeVpcAttribute({ VpcId: id, Attribute });
        return (r.EnableDnsHostnames ?? r.EnableDnsSupport ?? r.EnableNetworkAddressUsageMetrics)?.Value ?? false;
      } catch {
        return Attribute === "enableDnsSupport";
      }
    };
    let mainRouteTable = "";
    try {
      const rt = await ec2.describeRouteTables({
        Filters: [
          { Name: "vpc-id", Values: [id] },
          { Name: "association.main", Values: ["true"] },
        ],
      });
      mainRouteTable = rt.RouteTables?.[0]?.RouteTableId ?? "";
    } catch {
      mainRouteTable = "";
    }
    const v6 = vpc.Ipv6CidrBlockAssociationSet?.[0];
    return {
      id,
      arn: `arn:aws:ec2:${ctx.region}:${vpc.OwnerId}:vpc/${id}`,
      cidr_block: vpc.CidrBlock ?? null,
      cidr_block_associations: (vpc.CidrBlockAssociationSet ?? []).map((a) => ({
        association_id: a.AssociationId ?? "",
        cidr_block: a.CidrBlock ?? "",
        state: a.CidrBlockState?.State ?? "",
      })),
      default: vpc.IsDefault ?? false,
      dhcp_options_id: vpc.DhcpOptionsId ?? "",
      enable_dns_hostnames: await attr("enableDnsHostnames"),
      enable_dns_support: await attr("enableDnsSupport"),
      enable_network_address_usage_metrics: await attr("enableNetworkAddressUsageMetrics"),
      instance_tenancy: vpc.InstanceTenancy ?? "default",
      ipv6_association_id: v6?.AssociationId ?? "",
      ipv6_cidr_block: v6?.Ipv6CidrBlock ?? "",
      main_route_table_id: mainRouteTable,
      owner_id: vpc.OwnerId ?? null,
      state: vpc.State ?? null,
      tags: tagsFromApi(ctx, vpc.Tags),
    };
  },
};

export const dataAwsSubnet: DataSourceImpl = {
  schema: data_aws_subnet,
  title: "EC2 Subnet",
  async read(ctx, config) {
    const ec2 = await ctx.ec2();
    const out = await ec2.describeSubnets({
      SubnetIds: s(config.id) ? [config.id as string] : undefined,
      Filters: buildFilters(
        config,
        {
          "availability-zone": config.availability_zone,
          "availability-zone-id": config.availability_zone_id,
          "cidr-block": config.cidr_block,
          "default-for-az": typeof config.default_for_az === "boolean" ? String(config.default_for_az) : undefined,
          "ipv6-cidr-block-association.ipv6-cidr-block": config.ipv6_cidr_block,
          state: config.state,
          "vpc-id": config.vpc_id,
        },
        [config.tags],
      ),
    });
    const sn = singleResult(out.Subnets, "EC2 Subnet");
    const v6 = sn.Ipv6CidrBlockAssociationSet?.[0];
    const dns = sn.PrivateDnsNameOptionsOnLaunch;
    return {
      id: sn.SubnetId,
      arn: sn.SubnetArn ?? `arn:aws:ec2:${ctx.region}:${sn.OwnerId}:subnet/${sn.SubnetId}`,
      assign_ipv6_address_on_creation: sn.AssignIpv6AddressOnCreation ?? false,
      availability_zone: sn.AvailabilityZone ?? null,
      availability_zone_id: sn.AvailabilityZoneId ?? null,
      available_ip_address_count: sn.AvailableIpAddressCount ?? 0,
      cidr_block: sn.CidrBlock ?? null,
      customer_owned_ipv4_pool: sn.CustomerOwnedIpv4Pool ?? "",
      default_for_az: sn.DefaultForAz ?? false,
      enable_dns64: sn.EnableDns64 ?? false,
      enable_lni_at_device_index: sn.EnableLniAtDeviceIndex ?? 0,
      enable_resource_name_dns_a_record_on_launch: dns?.EnableResourceNameDnsARecord ?? false,
      enable_resource_name_dns_aaaa_record_on_launch: dns?.EnableResourceNameDnsAAAARecord ?? false,
      ipv6_cidr_block: v6?.Ipv6CidrBlock ?? "",
      ipv6_cidr_block_association_id: v6?.AssociationId ?? "",
      ipv6_native: sn.Ipv6Native ?? false,
      map_customer_owned_ip_on_launch: sn.MapCustomerOwnedIpOnLaunch ?? false,
      map_public_ip_on_launch: sn.MapPublicIpOnLaunch ?? false,
      outpost_arn: sn.OutpostArn ?? "",
      owner_id: sn.OwnerId ?? null,
      private_dns_hostname_type_on_launch: dns?.HostnameType ?? "ip-name",
      state: sn.State ?? null,
      tags: tagsFromApi(ctx, sn.Tags),
      vpc_id: sn.VpcId ?? null,
    };
  },
};

export const dataAwsSubnets: DataSourceImpl = {
  schema: data_aws_subnets,
  title: "EC2 Subnets",
  async read(ctx, config) {
    const ec2 = await ctx.ec2();
    const ids: string[] = [];
    let token: string | undefined;
    do {
      const out = await ec2.describeSubnets({
        Filters: buildFilters(config, {}, [isObj(config.tags) ? config.tags : null]),
        NextToken: token,
      });
      for (const sn of out.Subnets ?? []) if (sn.SubnetId) ids.push(sn.SubnetId);
      token = out.NextToken;
    } while (token);
    return { id: ctx.region, ids };
  },
};
