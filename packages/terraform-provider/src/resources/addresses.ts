// aws_eip and aws_eip_association.
import type { Address } from "@aws-sdk/client-ec2";
import type { ResourceContext } from "../framework/context.ts";
import type { DataSourceImpl, ResourceImpl } from "../framework/provider.ts";
import type { Obj } from "../framework/values.ts";
import { aws_eip, aws_eip_association, data_aws_eip } from "../schemas/addresses.ts";
import {
  arn,
  b,
  buildFilters,
  dataSourceTags,
  nullIfNotFound,
  s,
  singleResult,
  tagSpecs,
  tagsAll,
  tagsFromApi,
  updateTags,
} from "./common.ts";

async function findAddress(
  ctx: ResourceContext,
  filter: { AllocationIds?: string[]; Filters?: { Name: string; Values: string[] }[] },
): Promise<Address | null> {
  const ec2 = await ctx.ec2();
  return nullIfNotFound(async () => (await ec2.describeAddresses(filter)).Addresses?.[0] ?? null);
}

/** EC2's public DNS name for an address, as hashicorp/aws derives it. */
function publicDns(region: string, ip: string | undefined): string {
  if (!ip) return "";
  const dashed = ip.replace(/\./g, "-");
  return region === "us-east-1"
    ? `ec2-${dashed}.compute-1.amazonaws.com`
    : `ec2-${dashed}.${region}.compute.amazonaws.com`;
}
function privateDns(region: string, ip: string | undefined): string {
  if (!ip) return "";
  const dashed = ip.replace(/\./g, "-");
  return region === "us-east-1" ? `ip-${dashed}.ec2.internal` : `ip-${dashed}.${region}.compute.internal`;
}

async function flattenAddress(ctx: ResourceContext, a: Address, state: Obj): Promise<Obj> {
  return {
    id: a.AllocationId,
    allocation_id: a.AllocationId ?? null,
    arn: await arn(ctx, "elastic-ip", a.AllocationId!),
    association_id: a.AssociationId ?? "",
    carrier_ip: a.CarrierIp ?? "",
    customer_owned_ip: a.CustomerOwnedIp ?? "",
    customer_owned_ipv4_pool: a.CustomerOwnedIpv4Pool ?? "",
    domain: a.Domain ?? "vpc",
    // 5.x and earlier (schemas/history.ts): vpc = true for a VPC address.
    vpc: (a.Domain ?? "vpc") === "vpc",
    instance: a.InstanceId ?? "",
    network_border_group: a.NetworkBorderGroup ?? ctx.region,
    network_interface: a.NetworkInterfaceId ?? "",
    private_dns: privateDns(ctx.region, a.PrivateIpAddress),
    private_ip: a.PrivateIpAddress ?? "",
    ptr_record: "",
    public_dns: publicDns(ctx.region, a.PublicIp),
    public_ip: a.PublicIp ?? null,
    public_ipv4_pool: a.PublicIpv4Pool ?? "amazon",
    tags: tagsFromApi(ctx, a.Tags, state),
  };
}

async function associate(ctx: ResourceContext, allocationId: string, plan: Obj): Promise<void> {
  if (!s(plan.instance) && !s(plan.network_interface)) return;
  const ec2 = await ctx.ec2();
  await ec2.associateAddress({
    AllocationId: allocationId,
    InstanceId: s(plan.instance),
    NetworkInterfaceId: s(plan.network_interface),
    PrivateIpAddress: s(plan.associate_with_private_ip),
    AllowReassociation: true,
  });
  await ctx.waitFor(`EIP (${allocationId}) association`, ctx.timeout("update"), async () => {
    const a = await findAddress(ctx, { AllocationIds: [allocationId] });
    return a?.AssociationId ? true : undefined;
  });
}

export const awsEip: ResourceImpl = {
  schema: aws_eip,
  title: "EC2 EIP",
  async create(ctx, plan) {
    const ec2 = await ctx.ec2();
    const out = await ec2.allocateAddress({
      Domain: (s(plan.domain) ?? "vpc") as never,
      Address: s(plan.address),
      PublicIpv4Pool: s(plan.public_ipv4_pool),
      CustomerOwnedIpv4Pool: s(plan.customer_owned_ipv4_pool),
      NetworkBorderGroup: s(plan.network_border_group),
      IpamPoolId: s(plan.ipam_pool_id),
      TagSpecifications: tagSpecs("elastic-ip", tagsAll(plan)),
    });
    const id = out.AllocationId!;
    ctx.partial = { id };
    await associate(ctx, id, plan);
    const a = await ctx.waitFor(
      `EIP (${id})`,
      ctx.timeout("read"),
      async () => (await findAddress(ctx, { AllocationIds: [id] })) ?? undefined,
    );
    return flattenAddress(ctx, a, plan);
  },
  async read(ctx, state) {
    const a = await findAddress(ctx, { AllocationIds: [String(state.id)] });
    return a ? flattenAddress(ctx, a, state) : null;
  },
  async update(ctx, prior, plan) {
    const id = String(prior.id);
    const ec2 = await ctx.ec2();
    if (JSON.stringify(prior.tags_all) !== JSON.stringify(plan.tags_all)) await updateTags(ctx, id, prior, plan);
    if (
      prior.instance !== plan.instance ||
      prior.network_interface !== plan.network_interface ||
      prior.associate_with_private_ip !== plan.associate_with_private_ip
    ) {
      if (s(prior.association_id)) await ec2.disassociateAddress({ AssociationId: String(prior.association_id) });
      await associate(ctx, id, plan);
    }
    const a = await findAddress(ctx, { AllocationIds: [id] });
    return a ? flattenAddress(ctx, a, plan) : undefined;
  },
  async delete(ctx, state) {
    const ec2 = await ctx.ec2();
    const a = await findAddress(ctx, { AllocationIds: [String(state.id)] });
    if (!a) return;
    if (a.AssociationId) await ec2.disassociateAddress({ AssociationId: a.AssociationId });
    await ec2.releaseAddress({ AllocationId: String(state.id), NetworkBorderGroup: a.NetworkBorderGroup });
  },
};

export const awsEipAssociation: ResourceImpl = {
  schema: aws_eip_association,
  title: "EC2 EIP Association",
  async create(ctx, plan) {
    const ec2 = await ctx.ec2();
    const out = await ec2.associateAddress({
      AllocationId: s(plan.allocation_id),
      PublicIp: s(plan.allocation_id) ? undefined : s(plan.public_ip),
      InstanceId: s(plan.instance_id),
      NetworkInterfaceId: s(plan.network_interface_id),
      PrivateIpAddress: s(plan.private_ip_address),
      AllowReassociation: b(plan.allow_reassociation),
    });
    const id = out.AssociationId!;
    ctx.partial = { id };
    const a = await ctx.waitFor(
      `EIP association (${id})`,
      5 * 60_000,
      async () => (await findAddress(ctx, { Filters: [{ Name: "association-id", Values: [id] }] })) ?? undefined,
    );
    return flattenAssociation(a, id);
  },
  async read(ctx, state) {
    const a = await findAddress(ctx, { Filters: [{ Name: "association-id", Values: [String(state.id)] }] });
    return a ? flattenAssociation(a, String(state.id)) : null;
  },
  async delete(ctx, state) {
    const ec2 = await ctx.ec2();
    await nullIfNotFound(() => ec2.disassociateAddress({ AssociationId: String(state.id) }));
  },
};

function flattenAssociation(a: Address, id: string): Obj {
  return {
    id,
    allocation_id: a.AllocationId ?? "",
    instance_id: a.InstanceId ?? "",
    network_interface_id: a.NetworkInterfaceId ?? "",
    private_ip_address: a.PrivateIpAddress ?? "",
    public_ip: a.PublicIp ?? "",
  };
}

export const dataAwsEip: DataSourceImpl = {
  schema: data_aws_eip,
  title: "EC2 EIP",
  async read(ctx, config) {
    const ec2 = await ctx.ec2();
    const out = await ec2.describeAddresses({
      AllocationIds: s(config.id) ? [String(config.id)] : undefined,
      PublicIps: s(config.public_ip) ? [String(config.public_ip)] : undefined,
      Filters: buildFilters(config, {}, [config.tags]),
    });
    const a = singleResult(out.Addresses, "EC2 EIP");
    return {
      id: a.AllocationId,
      arn: await arn(ctx, "elastic-ip", a.AllocationId!),
      association_id: a.AssociationId ?? "",
      carrier_ip: a.CarrierIp ?? "",
      customer_owned_ip: a.CustomerOwnedIp ?? "",
      customer_owned_ipv4_pool: a.CustomerOwnedIpv4Pool ?? "",
      domain: a.Domain ?? "vpc",
      instance_id: a.InstanceId ?? "",
      ipam_pool_id: "",
      network_interface_id: a.NetworkInterfaceId ?? "",
      network_interface_owner_id: a.NetworkInterfaceOwnerId ?? "",
      private_dns: privateDns(ctx.region, a.PrivateIpAddress),
      private_ip: a.PrivateIpAddress ?? "",
      ptr_record: "",
      public_dns: publicDns(ctx.region, a.PublicIp),
      public_ip: a.PublicIp ?? "",
      public_ipv4_pool: a.PublicIpv4Pool ?? "amazon",
      tags: dataSourceTags(ctx, a.Tags),
    };
  },
};
