// aws_internet_gateway, data aws_internet_gateway and aws_nat_gateway against the EC2 Query API.
import type { InternetGateway, NatGateway } from "@aws-sdk/client-ec2";
import { errorCode, isNotFound, type ResourceContext } from "../framework/context.ts";
import type { DataSourceImpl, ResourceImpl } from "../framework/provider.ts";
import type { Obj } from "../framework/values.ts";
import { aws_internet_gateway, aws_nat_gateway, data_aws_internet_gateway } from "../schemas/gateways.ts";
import {
  buildFilters,
  dataSourceTags,
  n,
  nullIfNotFound,
  s,
  singleResult,
  strs,
  tagSpecs,
  tagsAll,
  tagsFromApi,
  updateTags,
} from "./common.ts";

// ---- internet gateways ----
async function findInternetGateway(ctx: ResourceContext, id: string): Promise<InternetGateway | null> {
  const ec2 = await ctx.ec2();
  return nullIfNotFound(
    async () =>
      (await ec2.describeInternetGateways({ InternetGatewayIds: [id] })).InternetGateways?.find(
        (g) => g.InternetGatewayId === id,
      ) ?? null,
  );
}

const igwArn = (ctx: ResourceContext, g: InternetGateway) =>
  `arn:aws:ec2:${ctx.region}:${g.OwnerId}:internet-gateway/${g.InternetGatewayId}`;

async function attachInternetGateway(ctx: ResourceContext, id: string, vpcId: string, timeoutMs: number) {
  const ec2 = await ctx.ec2();
  await ec2.attachInternetGateway({ InternetGatewayId: id, VpcId: vpcId });
  await ctx.waitFor(`EC2 Internet Gateway (${id}) to attach to VPC (${vpcId})`, timeoutMs, async () => {
    const g = await findInternetGateway(ctx, id);
    const att = g?.Attachments?.find((a) => a.VpcId === vpcId);
    // EC2 reports an attached internet gateway as "available" (InternetGatewayAttachment.State).
    return (att?.State as string) === "available" || att?.State === "attached" ? true : undefined;
  });
}

/** DetachInternetGateway, retried on DependencyViolation (mapped public addresses still in the VPC). */
async function detachInternetGateway(ctx: ResourceContext, id: string, vpcId: string, timeoutMs: number) {
  const ec2 = await ctx.ec2();
  await ctx.waitFor(`EC2 Internet Gateway (${id}) to detach from VPC (${vpcId})`, timeoutMs, async () => {
    try {
      await ec2.detachInternetGateway({ InternetGatewayId: id, VpcId: vpcId });
      return true;
    } catch (err) {
      const code = errorCode(err);
      if (code === "Gateway.NotAttached" || isNotFound(err)) return true;
      if (code === "DependencyViolation") return undefined;
      throw err;
    }
  });
}

export const awsInternetGateway: ResourceImpl = {
  schema: aws_internet_gateway,
  title: "EC2 Internet Gateway",
  async create(ctx, plan) {
    const ec2 = await ctx.ec2();
    const out = await ec2.createInternetGateway({ TagSpecifications: tagSpecs("internet-gateway", tagsAll(plan)) });
    const id = out.InternetGateway!.InternetGatewayId!;
    ctx.partial = { id };
    if (s(plan.vpc_id)) await attachInternetGateway(ctx, id, plan.vpc_id as string, ctx.timeout("create"));
    const g = await findInternetGateway(ctx, id);
    if (!g) throw new Error(`EC2 Internet Gateway (${id}) not found after create`);
    return flattenInternetGateway(ctx, g, plan);
  },
  async read(ctx, state) {
    const g = await findInternetGateway(ctx, String(state.id));
    return g ? flattenInternetGateway(ctx, g, state) : null;
  },
  async update(ctx, prior, plan) {
    const id = String(prior.id);
    if ((prior.vpc_id ?? "") !== (plan.vpc_id ?? "")) {
      if (s(prior.vpc_id)) await detachInternetGateway(ctx, id, prior.vpc_id as string, ctx.timeout("update"));
      if (s(plan.vpc_id)) await attachInternetGateway(ctx, id, plan.vpc_id as string, ctx.timeout("update"));
    }
    if (JSON.stringify(prior.tags_all) !== JSON.stringify(plan.tags_all)) await updateTags(ctx, id, prior, plan);
  },
  async delete(ctx, state) {
    const id = String(state.id);
    const ec2 = await ctx.ec2();
    if (s(state.vpc_id)) await detachInternetGateway(ctx, id, state.vpc_id as string, ctx.timeout("delete"));
    await ctx.waitFor(`EC2 Internet Gateway (${id}) delete`, ctx.timeout("delete"), async () => {
      try {
        await ec2.deleteInternetGateway({ InternetGatewayId: id });
        return true;
      } catch (err) {
        if (isNotFound(err)) return true;
        if (errorCode(err) === "DependencyViolation") return undefined;
        throw err;
      }
    });
  },
};

function flattenInternetGateway(ctx: ResourceContext, g: InternetGateway, state: Obj): Obj {
  return {
    id: g.InternetGatewayId,
    arn: igwArn(ctx, g),
    owner_id: g.OwnerId ?? null,
    tags: tagsFromApi(ctx, g.Tags, state),
    vpc_id: g.Attachments?.[0]?.VpcId ?? "",
  };
}

export const dataAwsInternetGateway: DataSourceImpl = {
  schema: data_aws_internet_gateway,
  title: "EC2 Internet Gateway",
  async read(ctx, config) {
    const ec2 = await ctx.ec2();
    const id = s(config.internet_gateway_id);
    const out = await ec2.describeInternetGateways({
      InternetGatewayIds: id ? [id] : undefined,
      Filters: buildFilters(config, {}, [config.tags]),
    });
    const g = singleResult(out.InternetGateways, "EC2 Internet Gateway");
    return {
      id: g.InternetGatewayId,
      arn: igwArn(ctx, g),
      attachments: (g.Attachments ?? []).map((a) => ({ state: a.State ?? "", vpc_id: a.VpcId ?? "" })),
      internet_gateway_id: g.InternetGatewayId,
      owner_id: g.OwnerId ?? null,
      tags: dataSourceTags(ctx, g.Tags),
    };
  },
};

// ---- NAT gateways ----
async function findNatGateway(ctx: ResourceContext, id: string): Promise<NatGateway | null> {
  const ec2 = await ctx.ec2();
  return nullIfNotFound(
    async () =>
      (await ec2.describeNatGateways({ NatGatewayIds: [id] })).NatGateways?.find((g) => g.NatGatewayId === id) ?? null,
  );
}

function flattenNatGateway(ctx: ResourceContext, g: NatGateway, state: Obj): Obj {
  const addresses = g.NatGatewayAddresses ?? [];
  const primary = addresses.find((a) => a.IsPrimary) ?? (addresses.length === 1 ? addresses[0] : undefined);
  const secondary = addresses.filter((a) => a !== primary);
  return {
    id: g.NatGatewayId,
    allocation_id: primary?.AllocationId ?? "",
    association_id: primary?.AssociationId ?? "",
    auto_provision_zones: "",
    auto_scaling_ips: "",
    availability_mode: "zonal",
    connectivity_type: g.ConnectivityType ?? "public",
    network_interface_id: primary?.NetworkInterfaceId ?? "",
    private_ip: primary?.PrivateIp ?? "",
    public_ip: primary?.PublicIp ?? "",
    regional_nat_gateway_address: [],
    regional_nat_gateway_auto_mode: "",
    route_table_id: "",
    secondary_allocation_ids: secondary.map((a) => a.AllocationId).filter((x): x is string => !!x),
    secondary_private_ip_address_count: secondary.filter((a) => a.PrivateIp).length,
    secondary_private_ip_addresses: secondary.map((a) => a.PrivateIp).filter((x): x is string => !!x),
    subnet_id: g.SubnetId ?? null,
    tags: tagsFromApi(ctx, g.Tags, state),
    vpc_id: g.VpcId ?? "",
  };
}

export const awsNatGateway: ResourceImpl = {
  schema: aws_nat_gateway,
  title: "EC2 NAT Gateway",
  validate(config) {
    const errs: string[] = [];
    if (config.availability_mode === "regional")
      errs.push(
        'ec2sim does not support regional NAT gateways (availability_mode = "regional"): give subnet_id for a zonal one',
      );
    if (config.connectivity_type === "private" && s(config.allocation_id))
      errs.push('allocation_id is not supported with connectivity_type = "private"');
    return errs;
  },
  async create(ctx, plan) {
    const ec2 = await ctx.ec2();
    const out = await ec2.createNatGateway({
      ClientToken: `terraform-${Date.now()}-${Math.random().toString(36).slice(2, 10)}`,
      SubnetId: s(plan.subnet_id),
      AllocationId: s(plan.allocation_id),
      ConnectivityType: s(plan.connectivity_type) as never,
      PrivateIpAddress: s(plan.private_ip),
      SecondaryAllocationIds: strs(plan.secondary_allocation_ids).length
        ? strs(plan.secondary_allocation_ids)
        : undefined,
      SecondaryPrivateIpAddressCount: n(plan.secondary_private_ip_address_count) || undefined,
      SecondaryPrivateIpAddresses: strs(plan.secondary_private_ip_addresses).length
        ? strs(plan.secondary_private_ip_addresses)
        : undefined,
      TagSpecifications: tagSpecs("natgateway", tagsAll(plan)),
    });
    const id = out.NatGateway!.NatGatewayId!;
    ctx.partial = { id };
    // pending -> available on the sandbox clock (a failed gateway says why).
    const g = await ctx.waitFor(`EC2 NAT Gateway (${id}) create`, ctx.timeout("create"), async () => {
      const x = await findNatGateway(ctx, id);
      if (x?.State === "failed")
        throw new Error(`EC2 NAT Gateway (${id}) failed: ${x.FailureCode ?? ""} ${x.FailureMessage ?? ""}`.trim());
      return x?.State === "available" ? x : undefined;
    });
    return flattenNatGateway(ctx, g, plan);
  },
  async read(ctx, state) {
    const g = await findNatGateway(ctx, String(state.id));
    if (!g || g.State === "deleted") return null;
    return flattenNatGateway(ctx, g, state);
  },
  async update(ctx, prior, plan) {
    if (JSON.stringify(prior.tags_all) !== JSON.stringify(plan.tags_all))
      await updateTags(ctx, String(prior.id), prior, plan);
  },
  async delete(ctx, state) {
    const id = String(state.id);
    const ec2 = await ctx.ec2();
    try {
      await ec2.deleteNatGateway({ NatGatewayId: id });
    } catch (err) {
      if (isNotFound(err)) return;
      throw err;
    }
    // deleting -> deleted on the sandbox clock; its Elastic IP is free again only then.
    await ctx.waitFor(`EC2 NAT Gateway (${id}) delete`, ctx.timeout("delete"), async () => {
      const g = await findNatGateway(ctx, id);
      return !g || g.State === "deleted" ? true : undefined;
    });
  },
};
