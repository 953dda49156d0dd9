// aws_subnet, aws_default_subnet, data aws_subnet and data aws_subnets against the EC2 Query API.
import type { ModifySubnetAttributeCommandInput, Subnet } from "@aws-sdk/client-ec2";
import { errorCode, isNotFound, type ResourceContext } from "../framework/context.ts";
import type { DataSourceImpl, ResourceImpl } from "../framework/provider.ts";
import { isObj, type Obj } from "../framework/values.ts";
import { aws_default_subnet, aws_subnet, data_aws_subnet, data_aws_subnets } from "../schemas/subnets.ts";
import {
  b,
  buildFilters,
  dataSourceTags,
  n,
  nullIfNotFound,
  s,
  singleResult,
  tagSpecs,
  tagsAll,
  tagsFromApi,
  updateTags,
} from "./common.ts";

export async function findSubnet(ctx: ResourceContext, id: string): Promise<Subnet | null> {
  const ec2 = await ctx.ec2();
  return nullIfNotFound(
    async () => (await ec2.describeSubnets({ SubnetIds: [id] })).Subnets?.find((x) => x.SubnetId === id) ?? null,
  );
}

/** State values of a subnet as hashicorp/aws reports them (aws_subnet and aws_default_subnet). */
function flattenSubnet(ctx: ResourceContext, sn: Subnet, state: Obj): Obj {
  const v6 = (sn.Ipv6CidrBlockAssociationSet ?? []).find((a) => a.Ipv6CidrBlockState?.State === "associated");
  const dns = sn.PrivateDnsNameOptionsOnLaunch;
  return {
    id: sn.SubnetId,
    arn: sn.SubnetArn ?? `arn:aws:ec2:${ctx.region}:${sn.OwnerId}:subnet/${sn.SubnetId}`,
    assign_ipv6_address_on_creation: sn.AssignIpv6AddressOnCreation ?? false,
    availability_zone: sn.AvailabilityZone ?? null,
    availability_zone_id: sn.AvailabilityZoneId ?? null,
    cidr_block: sn.CidrBlock ?? null,
    customer_owned_ipv4_pool: sn.CustomerOwnedIpv4Pool ?? "",
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
    tags: tagsFromApi(ctx, sn.Tags, state),
    vpc_id: sn.VpcId ?? null,
  };
}

/**
 * ModifySubnetAttribute takes one attribute per call (EC2 refuses more): bring each attribute the
 * plan sets from `current` (the subnet's state values) to the planned value.
 */
async function modifySubnet(ctx: ResourceContext, id: string, current: Obj, plan: Obj): Promise<void> {
  const ec2 = await ctx.ec2();
  const bools: [string, keyof ModifySubnetAttributeCommandInput][] = [
    ["assign_ipv6_address_on_creation", "AssignIpv6AddressOnCreation"],
    ["enable_dns64", "EnableDns64"],
    ["enable_resource_name_dns_a_record_on_launch", "EnableResourceNameDnsARecordOnLaunch"],
    ["enable_resource_name_dns_aaaa_record_on_launch", "EnableResourceNameDnsAAAARecordOnLaunch"],
    ["map_public_ip_on_launch", "MapPublicIpOnLaunch"],
  ];
  for (const [attr, member] of bools) {
    const want = b(plan[attr]);
    if (want !== undefined && want !== (current[attr] ?? false))
      await ec2.modifySubnetAttribute({ SubnetId: id, [member]: { Value: want } });
  }
  const hostname = s(plan.private_dns_hostname_type_on_launch);
  if (hostname && hostname !== current.private_dns_hostname_type_on_launch)
    await ec2.modifySubnetAttribute({ SubnetId: id, PrivateDnsHostnameTypeOnLaunch: hostname as never });
  const lni = n(plan.enable_lni_at_device_index);
  if (lni && lni !== current.enable_lni_at_device_index)
    await ec2.modifySubnetAttribute({ SubnetId: id, EnableLniAtDeviceIndex: lni });
}

async function waitSubnetAvailable(ctx: ResourceContext, id: string): Promise<Subnet> {
  return ctx.waitFor(`EC2 Subnet (${id}) create`, ctx.timeout("create"), async () => {
    const sn = await findSubnet(ctx, id);
    return sn?.State === "available" ? sn : undefined;
  });
}

async function deleteSubnet(ctx: ResourceContext, id: string): Promise<void> {
  const ec2 = await ctx.ec2();
  // DependencyViolation while instances, interfaces or NAT gateways in it are still going away.
  await ctx.waitFor(`EC2 Subnet (${id}) delete`, ctx.timeout("delete"), async () => {
    try {
      await ec2.deleteSubnet({ SubnetId: id });
      return true;
    } catch (err) {
      if (isNotFound(err)) return true;
      if (errorCode(err) === "DependencyViolation") return undefined;
      throw err;
    }
  });
}

async function updateSubnet(ctx: ResourceContext, prior: Obj, plan: Obj): Promise<void> {
  const id = String(prior.id);
  await modifySubnet(ctx, id, prior, plan);
  if (JSON.stringify(prior.tags_all) !== JSON.stringify(plan.tags_all)) await updateTags(ctx, id, prior, plan);
}

export const awsSubnet: ResourceImpl = {
  schema: aws_subnet,
  title: "EC2 Subnet",
  validate(config) {
    const errs: string[] = [];
    if (config.ipv6_native === true)
      errs.push(
        "ec2sim does not support IPv6-only subnets (ipv6_native = true): sandbox subnets are IPv4 (docs/NETWORKING.md in ec2sim lists what it leaves out)",
      );
    return errs;
  },
  async create(ctx, plan) {
    const ec2 = await ctx.ec2();
    const out = await ec2.createSubnet({
      VpcId: s(plan.vpc_id),
      CidrBlock: s(plan.cidr_block),
      AvailabilityZone: s(plan.availability_zone),
      AvailabilityZoneId: s(plan.availability_zone_id),
      Ipv6CidrBlock: s(plan.ipv6_cidr_block),
      OutpostArn: s(plan.outpost_arn),
      TagSpecifications: tagSpecs("subnet", tagsAll(plan)),
    });
    const id = out.Subnet!.SubnetId!;
    ctx.partial = { id };
    const sn = await waitSubnetAvailable(ctx, id);
    await modifySubnet(ctx, id, flattenSubnet(ctx, sn, plan), plan);
    return flattenSubnet(ctx, (await findSubnet(ctx, id)) ?? sn, plan);
  },
  async read(ctx, state) {
    const sn = await findSubnet(ctx, String(state.id));
    return sn ? flattenSubnet(ctx, sn, state) : null;
  },
  async update(ctx, prior, plan) {
    await updateSubnet(ctx, prior, plan);
  },
  async delete(ctx, state) {
    await deleteSubnet(ctx, String(state.id));
  },
};

export const awsDefaultSubnet: ResourceImpl = {
  schema: aws_default_subnet,
  title: "EC2 Default Subnet",
  async create(ctx, plan) {
    const ec2 = await ctx.ec2();
    const az = String(plan.availability_zone);
    const existing = (
      await ec2.describeSubnets({
        Filters: [
          { Name: "availabilityZone", Values: [az] },
          { Name: "defaultForAz", Values: ["true"] },
        ],
      })
    ).Subnets?.[0];
    let sn: Subnet;
    if (existing) sn = existing;
    else {
      const out = await ec2.createDefaultSubnet({ AvailabilityZone: az });
      sn = await waitSubnetAvailable(ctx, out.Subnet!.SubnetId!);
    }
    const id = sn.SubnetId!;
    ctx.partial = { id, existing_default_subnet: !!existing };
    await modifySubnet(ctx, id, flattenSubnet(ctx, sn, plan), plan);
    const current = Object.fromEntries(
      (sn.Tags ?? []).filter((t) => t.Key && !t.Key.startsWith("aws:")).map((t) => [t.Key!, t.Value ?? ""]),
    );
    await updateTags(ctx, id, { tags_all: current }, plan);
    return {
      ...flattenSubnet(ctx, (await findSubnet(ctx, id)) ?? sn, plan),
      existing_default_subnet: !!existing,
    };
  },
  async read(ctx, state) {
    const sn = await findSubnet(ctx, String(state.id));
    return sn ? flattenSubnet(ctx, sn, state) : null;
  },
  async update(ctx, prior, plan) {
    await updateSubnet(ctx, prior, plan);
  },
  async delete(ctx, state) {
    // As hashicorp/aws: the default subnet stays unless force_destroy says otherwise.
    if (state.force_destroy === true) await deleteSubnet(ctx, String(state.id));
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
    const { tags: _t, ...flat } = flattenSubnet(ctx, sn, {});
    return {
      ...flat,
      available_ip_address_count: sn.AvailableIpAddressCount ?? 0,
      default_for_az: sn.DefaultForAz ?? false,
      state: sn.State ?? null,
      tags: dataSourceTags(ctx, sn.Tags),
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
