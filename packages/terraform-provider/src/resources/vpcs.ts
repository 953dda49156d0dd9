// aws_vpc, aws_default_vpc, data aws_vpc and data aws_vpcs against the EC2 Query API.

import type { Vpc } from "@aws-sdk/client-ec2";
import { errorCode, isNotFound, type ResourceContext } from "../framework/context.ts";
import { isUnknown } from "../framework/msgpack.ts";
import type { DataSourceImpl, ResourceImpl } from "../framework/provider.ts";
import type { Obj } from "../framework/values.ts";
import { aws_default_vpc, aws_vpc, data_aws_vpc, data_aws_vpcs } from "../schemas/vpcs.ts";
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

export async function findVpc(ctx: ResourceContext, id: string): Promise<Vpc | null> {
  const ec2 = await ctx.ec2();
  return nullIfNotFound(
    async () => (await ec2.describeVpcs({ VpcIds: [id] })).Vpcs?.find((v) => v.VpcId === id) ?? null,
  );
}

type VpcAttribute = "enableDnsHostnames" | "enableDnsSupport" | "enableNetworkAddressUsageMetrics";

async function vpcAttribute(ctx: ResourceContext, id: string, Attribute: VpcAttribute): Promise<boolean> {
  const ec2 = await ctx.ec2();
  try {
    const r = await ec2.describeVpcAttribute({ VpcId: id, Attribute });
    return (r.EnableDnsHostnames ?? r.EnableDnsSupport ?? r.EnableNetworkAddressUsageMetrics)?.Value ?? false;
  } catch (err) {
    // An endpoint without the attribute: EC2's defaults for a new VPC.
    if (errorCode(err) === "UnsupportedOperation") return Attribute === "enableDnsSupport";
    throw err;
  }
}

async function setVpcAttribute(ctx: ResourceContext, id: string, Attribute: VpcAttribute, value: boolean) {
  const ec2 = await ctx.ec2();
  const v = { Value: value };
  await ec2.modifyVpcAttribute({
    VpcId: id,
    ...(Attribute === "enableDnsHostnames"
      ? { EnableDnsHostnames: v }
      : Attribute === "enableDnsSupport"
        ? { EnableDnsSupport: v }
        : { EnableNetworkAddressUsageMetrics: v }),
  });
}

/** The VPC's main route table, default security group and default network ACL (null when EC2 has none). */
async function vpcDefaults(ctx: ResourceContext, id: string) {
  const ec2 = await ctx.ec2();
  const vpcFilter = { Name: "vpc-id", Values: [id] };
  const quietly = async <T>(f: () => Promise<T>): Promise<T | null> => {
    try {
      return await f();
    } catch {
      return null; // as hashicorp/aws: a warning in its log, the attribute left empty
    }
  };
  const [rt, sg, acl] = await Promise.all([
    quietly(
      async () =>
        (await ec2.describeRouteTables({ Filters: [vpcFilter, { Name: "association.main", Values: ["true"] }] }))
          .RouteTables?.[0]?.RouteTableId ?? null,
    ),
    quietly(
      async () =>
        (await ec2.describeSecurityGroups({ Filters: [vpcFilter, { Name: "group-name", Values: ["default"] }] }))
          .SecurityGroups?.[0]?.GroupId ?? null,
    ),
    quietly(
      async () =>
        (await ec2.describeNetworkAcls({ Filters: [vpcFilter, { Name: "default", Values: ["true"] }] }))
          .NetworkAcls?.[0]?.NetworkAclId ?? null,
    ),
  ]);
  return { mainRouteTable: rt ?? "", defaultGroup: sg ?? "", defaultAcl: acl ?? "" };
}

// A value not yet known (a module's input variable at `terraform validate`) is not set.
const isSet = (v: unknown) => v !== null && v !== undefined && v !== "" && !isUnknown(v);

/** State values of a VPC as hashicorp/aws reports them (aws_vpc and aws_default_vpc). */
async function flattenVpc(ctx: ResourceContext, vpc: Vpc, state: Obj): Promise<Obj> {
  const id = vpc.VpcId!;
  const [hostnames, support, metrics, defaults] = await Promise.all([
    vpcAttribute(ctx, id, "enableDnsHostnames"),
    vpcAttribute(ctx, id, "enableDnsSupport"),
    vpcAttribute(ctx, id, "enableNetworkAddressUsageMetrics"),
    vpcDefaults(ctx, id),
  ]);
  const v6 = (vpc.Ipv6CidrBlockAssociationSet ?? []).find((a) => a.Ipv6CidrBlockState?.State === "associated");
  return {
    id,
    arn: `arn:aws:ec2:${ctx.region}:${vpc.OwnerId}:vpc/${id}`,
    assign_generated_ipv6_cidr_block: v6 ? v6.Ipv6Pool === "Amazon" : false,
    cidr_block: vpc.CidrBlock ?? null,
    default_network_acl_id: defaults.defaultAcl,
    default_route_table_id: defaults.mainRouteTable,
    default_security_group_id: defaults.defaultGroup,
    dhcp_options_id: vpc.DhcpOptionsId ?? "",
    enable_dns_hostnames: hostnames,
    enable_dns_support: support,
    enable_network_address_usage_metrics: metrics,
    instance_tenancy: vpc.InstanceTenancy ?? "default",
    ipv6_association_id: v6?.AssociationId ?? "",
    ipv6_cidr_block: v6?.Ipv6CidrBlock ?? "",
    ipv6_cidr_block_network_border_group: v6?.NetworkBorderGroup ?? "",
    main_route_table_id: defaults.mainRouteTable,
    owner_id: vpc.OwnerId ?? null,
    tags: tagsFromApi(ctx, vpc.Tags, state),
  };
}

async function waitVpcAvailable(ctx: ResourceContext, id: string): Promise<Vpc> {
  return ctx.waitFor(`EC2 VPC (${id}) create`, ctx.timeout("create"), async () => {
    const v = await findVpc(ctx, id);
    return v?.State === "available" ? v : undefined;
  });
}

/** Bring the DNS and metrics attributes from what EC2 has to what the plan says (on create or adoption). */
async function applyVpcAttributes(ctx: ResourceContext, id: string, plan: Obj, current: Record<VpcAttribute, boolean>) {
  const wanted: [VpcAttribute, unknown][] = [
    ["enableDnsSupport", plan.enable_dns_support],
    ["enableDnsHostnames", plan.enable_dns_hostnames],
    ["enableNetworkAddressUsageMetrics", plan.enable_network_address_usage_metrics],
  ];
  for (const [attribute, v] of wanted)
    if (typeof v === "boolean" && v !== current[attribute]) await setVpcAttribute(ctx, id, attribute, v);
}

async function updateVpc(ctx: ResourceContext, prior: Obj, plan: Obj): Promise<void> {
  const id = String(prior.id);
  const changed = (k: string) => JSON.stringify(prior[k] ?? null) !== JSON.stringify(plan[k] ?? null);
  if (changed("enable_dns_support") && b(plan.enable_dns_support) !== undefined)
    await setVpcAttribute(ctx, id, "enableDnsSupport", plan.enable_dns_support as boolean);
  if (changed("enable_dns_hostnames") && b(plan.enable_dns_hostnames) !== undefined)
    await setVpcAttribute(ctx, id, "enableDnsHostnames", plan.enable_dns_hostnames as boolean);
  if (changed("enable_network_address_usage_metrics") && b(plan.enable_network_address_usage_metrics) !== undefined)
    await setVpcAttribute(
      ctx,
      id,
      "enableNetworkAddressUsageMetrics",
      plan.enable_network_address_usage_metrics as boolean,
    );
  if (changed("tags_all")) await updateTags(ctx, id, prior, plan);
}

/** DeleteVpc, retried while EC2 answers DependencyViolation (what is in it is being deleted too). */
async function deleteVpc(ctx: ResourceContext, id: string): Promise<void> {
  const ec2 = await ctx.ec2();
  await ctx.waitFor(`EC2 VPC (${id}) delete`, ctx.timeout("delete"), async () => {
    try {
      await ec2.deleteVpc({ VpcId: id });
      return true;
    } catch (err) {
      if (isNotFound(err)) return true;
      if (errorCode(err) === "DependencyViolation") return undefined;
      throw err;
    }
  });
}

const currentAttributes = async (ctx: ResourceContext, id: string): Promise<Record<VpcAttribute, boolean>> => {
  const [enableDnsHostnames, enableDnsSupport, enableNetworkAddressUsageMetrics] = await Promise.all([
    vpcAttribute(ctx, id, "enableDnsHostnames"),
    vpcAttribute(ctx, id, "enableDnsSupport"),
    vpcAttribute(ctx, id, "enableNetworkAddressUsageMetrics"),
  ]);
  return { enableDnsHostnames, enableDnsSupport, enableNetworkAddressUsageMetrics };
};

export const awsVpc: ResourceImpl = {
  schema: aws_vpc,
  title: "EC2 VPC",
  validate(config) {
    const v6 = ["ipv6_cidr_block", "ipv6_ipam_pool_id", "ipv6_netmask_length"].find((k) => isSet(config[k]));
    if (config.assign_generated_ipv6_cidr_block === true || v6)
      return [
        `ec2sim does not support IPv6 CIDR blocks of VPCs (${v6 ?? "assign_generated_ipv6_cidr_block = true"}): ` +
          "sandbox VPCs are IPv4 (docs/NETWORKING.md in ec2sim lists what it leaves out)",
      ];
    return [];
  },
  async create(ctx, plan) {
    const ec2 = await ctx.ec2();
    const out = await ec2.createVpc({
      CidrBlock: s(plan.cidr_block),
      InstanceTenancy: s(plan.instance_tenancy) as never,
      AmazonProvidedIpv6CidrBlock: b(plan.assign_generated_ipv6_cidr_block),
      Ipv4IpamPoolId: s(plan.ipv4_ipam_pool_id),
      Ipv4NetmaskLength: n(plan.ipv4_netmask_length),
      Ipv6CidrBlock: s(plan.ipv6_cidr_block),
      Ipv6IpamPoolId: s(plan.ipv6_ipam_pool_id),
      Ipv6NetmaskLength: n(plan.ipv6_netmask_length),
      Ipv6CidrBlockNetworkBorderGroup: s(plan.ipv6_cidr_block_network_border_group),
      TagSpecifications: tagSpecs("vpc", tagsAll(plan)),
    });
    const id = out.Vpc!.VpcId!;
    ctx.partial = { id };
    const vpc = await waitVpcAvailable(ctx, id);
    // A new VPC has DNS support on, DNS hostnames and address-usage metrics off.
    await applyVpcAttributes(ctx, id, plan, {
      enableDnsHostnames: false,
      enableDnsSupport: true,
      enableNetworkAddressUsageMetrics: false,
    });
    return flattenVpc(ctx, (await findVpc(ctx, id)) ?? vpc, plan);
  },
  async read(ctx, state) {
    const vpc = await findVpc(ctx, String(state.id));
    return vpc ? flattenVpc(ctx, vpc, state) : null;
  },
  async update(ctx, prior, plan) {
    await updateVpc(ctx, prior, plan);
  },
  async delete(ctx, state) {
    await deleteVpc(ctx, String(state.id));
  },
};

export const awsDefaultVpc: ResourceImpl = {
  schema: aws_default_vpc,
  title: "EC2 Default VPC",
  async create(ctx, plan) {
    const ec2 = await ctx.ec2();
    const existing = (await ec2.describeVpcs({ Filters: [{ Name: "is-default", Values: ["true"] }] })).Vpcs?.[0];
    let vpc: Vpc;
    if (existing) vpc = existing;
    else {
      const out = await ec2.createDefaultVpc({});
      vpc = await waitVpcAvailable(ctx, out.Vpc!.VpcId!);
    }
    const id = vpc.VpcId!;
    ctx.partial = { id, existing_default_vpc: !!existing };
    await applyVpcAttributes(ctx, id, plan, await currentAttributes(ctx, id));
    // Adoption: the VPC's tags become the configured ones.
    const current = Object.fromEntries(
      (vpc.Tags ?? []).filter((t) => t.Key && !t.Key.startsWith("aws:")).map((t) => [t.Key!, t.Value ?? ""]),
    );
    await updateTags(ctx, id, { tags_all: current }, plan);
    return {
      ...(await flattenVpc(ctx, (await findVpc(ctx, id)) ?? vpc, plan)),
      existing_default_vpc: !!existing,
    };
  },
  async read(ctx, state) {
    const vpc = await findVpc(ctx, String(state.id));
    return vpc ? flattenVpc(ctx, vpc, state) : null;
  },
  async update(ctx, prior, plan) {
    await updateVpc(ctx, prior, plan);
  },
  async delete(ctx, state) {
    // As hashicorp/aws: the default VPC stays unless force_destroy says otherwise.
    if (state.force_destroy === true) await deleteVpc(ctx, String(state.id));
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
    const flat = await flattenVpc(ctx, vpc, {});
    return {
      id: flat.id,
      arn: flat.arn,
      cidr_block: flat.cidr_block,
      cidr_block_associations: (vpc.CidrBlockAssociationSet ?? []).map((a) => ({
        association_id: a.AssociationId ?? "",
        cidr_block: a.CidrBlock ?? "",
        state: a.CidrBlockState?.State ?? "",
      })),
      default: vpc.IsDefault ?? false,
      dhcp_options_id: flat.dhcp_options_id,
      enable_dns_hostnames: flat.enable_dns_hostnames,
      enable_dns_support: flat.enable_dns_support,
      enable_network_address_usage_metrics: flat.enable_network_address_usage_metrics,
      instance_tenancy: flat.instance_tenancy,
      ipv6_association_id: flat.ipv6_association_id,
      ipv6_cidr_block: flat.ipv6_cidr_block,
      main_route_table_id: flat.main_route_table_id,
      owner_id: flat.owner_id,
      state: vpc.State ?? null,
      tags: dataSourceTags(ctx, vpc.Tags),
    };
  },
};

export const dataAwsVpcs: DataSourceImpl = {
  schema: data_aws_vpcs,
  title: "EC2 VPCs",
  async read(ctx, config) {
    const ec2 = await ctx.ec2();
    const ids: string[] = [];
    let token: string | undefined;
    do {
      const out = await ec2.describeVpcs({ Filters: buildFilters(config, {}, [config.tags]), NextToken: token });
      for (const v of out.Vpcs ?? []) if (v.VpcId) ids.push(v.VpcId);
      token = out.NextToken;
    } while (token);
    return { id: ctx.region, ids };
  },
};
