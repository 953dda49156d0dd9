// aws_network_interface, aws_network_interface_attachment and data aws_network_interface against the
// EC2 Query API.
import type { NetworkInterface } from "@aws-sdk/client-ec2";
import { errorCode, isNotFound, type ResourceContext } from "../framework/context.ts";
import type { DataSourceImpl, ResourceImpl } from "../framework/provider.ts";
import type { Obj } from "../framework/values.ts";
import {
  aws_network_interface,
  aws_network_interface_attachment,
  data_aws_network_interface,
} from "../schemas/network-interfaces.ts";
import {
  b,
  buildFilters,
  dataSourceTags,
  first,
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

export async function findNetworkInterface(ctx: ResourceContext, id: string): Promise<NetworkInterface | null> {
  const ec2 = await ctx.ec2();
  return nullIfNotFound(
    async () =>
      (await ec2.describeNetworkInterfaces({ NetworkInterfaceIds: [id] })).NetworkInterfaces?.find(
        (x) => x.NetworkInterfaceId === id,
      ) ?? null,
  );
}

const eniArn = (ctx: ResourceContext, e: NetworkInterface) =>
  `arn:aws:ec2:${ctx.region}:${e.OwnerId}:network-interface/${e.NetworkInterfaceId}`;

/** Private IPv4 addresses, the primary first. */
const privateIps = (e: NetworkInterface): string[] => [
  ...(e.PrivateIpAddresses ?? []).filter((p) => p.Primary).map((p) => p.PrivateIpAddress!),
  ...(e.PrivateIpAddresses ?? []).filter((p) => !p.Primary).map((p) => p.PrivateIpAddress!),
];

function flattenNetworkInterface(ctx: ResourceContext, e: NetworkInterface, state: Obj): Obj {
  const att = e.Attachment && e.Attachment.Status !== "detached" ? e.Attachment : undefined;
  const ips = privateIps(e);
  const v6 = (e.Ipv6Addresses ?? []).map((a) => a.Ipv6Address!).filter(Boolean);
  return {
    id: e.NetworkInterfaceId,
    arn: eniArn(ctx, e),
    attachment: att
      ? [
          {
            attachment_id: att.AttachmentId ?? "",
            device_index: att.DeviceIndex ?? 0,
            instance: att.InstanceId ?? "",
            network_card_index: att.NetworkCardIndex ?? 0,
          },
        ]
      : [],
    description: e.Description ?? "",
    enable_primary_ipv6: (e.Ipv6Addresses ?? []).some((a) => a.IsPrimaryIpv6),
    interface_type: e.InterfaceType ?? "interface",
    ipv4_prefix_count: (e.Ipv4Prefixes ?? []).length,
    ipv4_prefixes: (e.Ipv4Prefixes ?? []).map((p) => p.Ipv4Prefix!),
    ipv6_address_count: v6.length,
    ipv6_address_list: v6,
    ipv6_addresses: v6,
    ipv6_prefix_count: (e.Ipv6Prefixes ?? []).length,
    ipv6_prefixes: (e.Ipv6Prefixes ?? []).map((p) => p.Ipv6Prefix!),
    mac_address: e.MacAddress ?? "",
    outpost_arn: e.OutpostArn ?? "",
    owner_id: e.OwnerId ?? null,
    private_dns_name: e.PrivateDnsName ?? "",
    private_ip: e.PrivateIpAddress ?? "",
    private_ip_list: ips,
    private_ips: ips,
    private_ips_count: Math.max(0, ips.length - 1),
    security_groups: (e.Groups ?? []).map((g) => g.GroupId!),
    source_dest_check: e.SourceDestCheck ?? true,
    subnet_id: e.SubnetId ?? null,
    tags: tagsFromApi(ctx, e.TagSet, state),
  };
}

async function waitEni(ctx: ResourceContext, id: string, what: string, ok: (e: NetworkInterface) => boolean) {
  return ctx.waitFor(`EC2 Network Interface (${id}) ${what}`, ctx.timeout("create"), async () => {
    const e = await findNetworkInterface(ctx, id);
    return e && ok(e) ? e : undefined;
  });
}

async function attach(ctx: ResourceContext, eniId: string, instanceId: string, deviceIndex: number, card?: number) {
  const ec2 = await ctx.ec2();
  const out = await ec2.attachNetworkInterface({
    NetworkInterfaceId: eniId,
    InstanceId: instanceId,
    DeviceIndex: deviceIndex,
    NetworkCardIndex: card,
  });
  await waitEni(ctx, eniId, "attach", (e) => e.Attachment?.Status === "attached");
  return out.AttachmentId!;
}

async function detach(ctx: ResourceContext, eniId: string, attachmentId: string) {
  const ec2 = await ctx.ec2();
  try {
    await ec2.detachNetworkInterface({ AttachmentId: attachmentId, Force: true });
  } catch (err) {
    if (isNotFound(err) || errorCode(err) === "InvalidAttachmentID.NotFound") return;
    throw err;
  }
  await waitEni(ctx, eniId, "detach", (e) => !e.Attachment || e.Attachment.Status === "detached");
}

export const awsNetworkInterface: ResourceImpl = {
  schema: aws_network_interface,
  title: "EC2 Network Interface",
  async create(ctx, plan) {
    const ec2 = await ctx.ec2();
    const ips = plan.private_ip_list_enabled === true ? strs(plan.private_ip_list) : strs(plan.private_ips);
    const v6 = strs(plan.ipv6_address_list_enabled === true ? plan.ipv6_address_list : plan.ipv6_addresses);
    const out = await ec2.createNetworkInterface({
      ClientToken: `terraform-${Date.now()}-${Math.random().toString(36).slice(2, 10)}`,
      SubnetId: s(plan.subnet_id),
      Description: s(plan.description),
      InterfaceType: s(plan.interface_type) as never,
      Groups: strs(plan.security_groups).length ? strs(plan.security_groups) : undefined,
      PrivateIpAddress: ips.length ? undefined : s(plan.private_ip),
      PrivateIpAddresses: ips.length
        ? ips.map((PrivateIpAddress, i) => ({ PrivateIpAddress, Primary: i === 0 }))
        : undefined,
      SecondaryPrivateIpAddressCount: !ips.length && n(plan.private_ips_count) ? n(plan.private_ips_count) : undefined,
      Ipv6AddressCount: v6.length ? undefined : n(plan.ipv6_address_count) || undefined,
      Ipv6Addresses: v6.length ? v6.map((Ipv6Address) => ({ Ipv6Address })) : undefined,
      Ipv4PrefixCount: n(plan.ipv4_prefix_count) || undefined,
      Ipv4Prefixes: strs(plan.ipv4_prefixes).length
        ? strs(plan.ipv4_prefixes).map((Ipv4Prefix) => ({ Ipv4Prefix }))
        : undefined,
      EnablePrimaryIpv6: b(plan.enable_primary_ipv6),
      TagSpecifications: tagSpecs("network-interface", tagsAll(plan)),
    });
    const id = out.NetworkInterface!.NetworkInterfaceId!;
    ctx.partial = { id };
    await waitEni(ctx, id, "create", (e) => e.Status === "available" || e.Status === "in-use");
    // More secondaries than the listed addresses: EC2 picks the rest.
    const count = n(plan.private_ips_count);
    if (ips.length && count !== undefined && count + 1 > ips.length)
      await ec2.assignPrivateIpAddresses({
        NetworkInterfaceId: id,
        SecondaryPrivateIpAddressCount: count + 1 - ips.length,
      });
    if (plan.source_dest_check === false)
      await ec2.modifyNetworkInterfaceAttribute({ NetworkInterfaceId: id, SourceDestCheck: { Value: false } });
    const att = first(plan.attachment);
    if (att) await attach(ctx, id, String(att.instance), n(att.device_index) ?? 1, n(att.network_card_index));
    const e = await findNetworkInterface(ctx, id);
    if (!e) throw new Error(`EC2 Network Interface (${id}) not found after create`);
    return flattenNetworkInterface(ctx, e, plan);
  },
  async read(ctx, state) {
    const e = await findNetworkInterface(ctx, String(state.id));
    return e ? flattenNetworkInterface(ctx, e, state) : null;
  },
  async update(ctx, prior, plan) {
    const ec2 = await ctx.ec2();
    const id = String(prior.id);
    const changed = (k: string) => JSON.stringify(prior[k] ?? null) !== JSON.stringify(plan[k] ?? null);
    if (changed("attachment")) {
      const old = first(prior.attachment);
      if (old && s(old.attachment_id)) await detach(ctx, id, old.attachment_id as string);
      const att = first(plan.attachment);
      if (att) await attach(ctx, id, String(att.instance), n(att.device_index) ?? 1, n(att.network_card_index));
    }
    if (changed("private_ips") && Array.isArray(plan.private_ips)) {
      const before = strs(prior.private_ips);
      const after = strs(plan.private_ips);
      const primary = s(prior.private_ip);
      const removed = before.filter((ip) => !after.includes(ip) && ip !== primary);
      const added = after.filter((ip) => !before.includes(ip));
      if (removed.length) await ec2.unassignPrivateIpAddresses({ NetworkInterfaceId: id, PrivateIpAddresses: removed });
      if (added.length) await ec2.assignPrivateIpAddresses({ NetworkInterfaceId: id, PrivateIpAddresses: added });
    } else if (changed("private_ips_count") && n(plan.private_ips_count) !== undefined) {
      const have = n(prior.private_ips_count) ?? 0;
      const want = n(plan.private_ips_count)!;
      if (want > have)
        await ec2.assignPrivateIpAddresses({ NetworkInterfaceId: id, SecondaryPrivateIpAddressCount: want - have });
      else if (want < have) {
        const secondaries = strs(prior.private_ip_list).slice(1);
        await ec2.unassignPrivateIpAddresses({
          NetworkInterfaceId: id,
          PrivateIpAddresses: secondaries.slice(secondaries.length - (have - want)),
        });
      }
    }
    if (changed("security_groups") && Array.isArray(plan.security_groups))
      await ec2.modifyNetworkInterfaceAttribute({ NetworkInterfaceId: id, Groups: strs(plan.security_groups) });
    if (changed("source_dest_check") && b(plan.source_dest_check) !== undefined)
      await ec2.modifyNetworkInterfaceAttribute({
        NetworkInterfaceId: id,
        SourceDestCheck: { Value: plan.source_dest_check as boolean },
      });
    if (changed("description"))
      await ec2.modifyNetworkInterfaceAttribute({
        NetworkInterfaceId: id,
        Description: { Value: s(plan.description) ?? "" },
      });
    if (changed("tags_all")) await updateTags(ctx, id, prior, plan);
  },
  async delete(ctx, state) {
    const ec2 = await ctx.ec2();
    const id = String(state.id);
    const e = await findNetworkInterface(ctx, id);
    if (!e) return;
    if (e.Attachment?.AttachmentId && e.Attachment.Status !== "detached")
      await detach(ctx, id, e.Attachment.AttachmentId);
    await nullIfNotFound(() => ec2.deleteNetworkInterface({ NetworkInterfaceId: id }));
  },
};

// ---- aws_network_interface_attachment ----
async function findByAttachment(ctx: ResourceContext, attachmentId: string): Promise<NetworkInterface | null> {
  const ec2 = await ctx.ec2();
  const out = await nullIfNotFound(() =>
    ec2.describeNetworkInterfaces({ Filters: [{ Name: "attachment.attachment-id", Values: [attachmentId] }] }),
  );
  return out?.NetworkInterfaces?.find((e) => e.Attachment?.AttachmentId === attachmentId) ?? null;
}

function flattenAttachment(e: NetworkInterface): Obj {
  const a = e.Attachment!;
  return {
    id: a.AttachmentId,
    attachment_id: a.AttachmentId,
    device_index: a.DeviceIndex ?? 0,
    instance_id: a.InstanceId ?? null,
    network_card_index: a.NetworkCardIndex ?? 0,
    network_interface_id: e.NetworkInterfaceId,
    status: a.Status ?? "",
  };
}

export const awsNetworkInterfaceAttachment: ResourceImpl = {
  schema: aws_network_interface_attachment,
  title: "EC2 Network Interface Attachment",
  async create(ctx, plan) {
    const eni = String(plan.network_interface_id);
    const id = await attach(ctx, eni, String(plan.instance_id), n(plan.device_index) ?? 1, n(plan.network_card_index));
    ctx.partial = { id };
    const e = await findByAttachment(ctx, id);
    if (!e) throw new Error(`EC2 Network Interface Attachment (${id}) not found after attach`);
    return flattenAttachment(e);
  },
  async read(ctx, state) {
    const e = await findByAttachment(ctx, String(state.id));
    if (!e?.Attachment || e.Attachment.Status === "detached") return null;
    return flattenAttachment(e);
  },
  async delete(ctx, state) {
    await detach(ctx, String(state.network_interface_id), String(state.id));
  },
};

// ---- data aws_network_interface ----
export const dataAwsNetworkInterface: DataSourceImpl = {
  schema: data_aws_network_interface,
  title: "EC2 Network Interface",
  async read(ctx, config) {
    const ec2 = await ctx.ec2();
    const out = await ec2.describeNetworkInterfaces({
      NetworkInterfaceIds: s(config.id) ? [config.id as string] : undefined,
      Filters: buildFilters(config, {}, [config.tags]),
    });
    const e = singleResult(out.NetworkInterfaces, "EC2 Network Interface");
    const assoc = e.Association;
    const att = e.Attachment && e.Attachment.Status !== "detached" ? e.Attachment : undefined;
    return {
      id: e.NetworkInterfaceId,
      arn: eniArn(ctx, e),
      association: assoc
        ? [
            {
              allocation_id: assoc.AllocationId ?? "",
              association_id: assoc.AssociationId ?? "",
              carrier_ip: assoc.CarrierIp ?? "",
              customer_owned_ip: assoc.CustomerOwnedIp ?? "",
              ip_owner_id: assoc.IpOwnerId ?? "",
              public_dns_name: assoc.PublicDnsName ?? "",
              public_ip: assoc.PublicIp ?? "",
            },
          ]
        : [],
      attachment: att
        ? [
            {
              attachment_id: att.AttachmentId ?? "",
              device_index: att.DeviceIndex ?? 0,
              instance_id: att.InstanceId ?? "",
              instance_owner_id: att.InstanceOwnerId ?? "",
              network_card_index: att.NetworkCardIndex ?? 0,
            },
          ]
        : [],
      availability_zone: e.AvailabilityZone ?? null,
      description: e.Description ?? "",
      interface_type: e.InterfaceType ?? "interface",
      ipv6_addresses: (e.Ipv6Addresses ?? []).map((a) => a.Ipv6Address!).filter(Boolean),
      mac_address: e.MacAddress ?? "",
      outpost_arn: e.OutpostArn ?? "",
      owner_id: e.OwnerId ?? null,
      private_dns_name: e.PrivateDnsName ?? "",
      private_ip: e.PrivateIpAddress ?? "",
      private_ips: privateIps(e),
      requester_id: e.RequesterId ?? "",
      security_groups: (e.Groups ?? []).map((g) => g.GroupId!),
      subnet_id: e.SubnetId ?? null,
      tags: dataSourceTags(ctx, e.TagSet),
      vpc_id: e.VpcId ?? null,
    };
  },
};
