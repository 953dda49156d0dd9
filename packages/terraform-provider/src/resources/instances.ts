// aws_instance, data aws_instance, data aws_instances against the EC2 Query API.
import type {
  BlockDeviceMapping,
  Instance,
  InstanceBlockDeviceMapping,
  RunInstancesCommandInput,
  Volume,
} from "@aws-sdk/client-ec2";
import { isNotFound, type ResourceContext } from "../framework/context.ts";
import type { DataSourceImpl, ResourceImpl } from "../framework/provider.ts";
import { isObj, type Obj } from "../framework/values.ts";
import { aws_instance, data_aws_instance, data_aws_instances } from "../schemas/instances.ts";
import {
  b,
  buildFilters,
  dataSourceTags,
  first,
  iso,
  NotFoundError,
  n,
  nullIfNotFound,
  objs,
  s,
  singleResult,
  strs,
  tagSpecs,
  tagsAll,
  tagsFromApi,
  updateTags,
} from "./common.ts";

const b64 = (v: string) => Buffer.from(v, "utf8").toString("base64");

export async function findInstance(
  ctx: ResourceContext,
  id: string,
): Promise<{ inst: Instance; owner?: string } | null> {
  const ec2 = await ctx.ec2();
  return nullIfNotFound(async () => {
    const out = await ec2.describeInstances({ InstanceIds: [id] });
    for (const r of out.Reservations ?? [])
      for (const inst of r.Instances ?? []) if (inst.InstanceId === id) return { inst, owner: r.OwnerId };
    return null;
  });
}

export async function waitState(
  ctx: ResourceContext,
  id: string,
  want: string[],
  timeoutMs: number,
  goneOk = false,
): Promise<Instance | null> {
  return ctx.waitFor(`EC2 Instance (${id}) to become ${want.join("|")}`, timeoutMs, async () => {
    const found = await findInstance(ctx, id);
    if (!found) return goneOk ? null : undefined;
    const state = found.inst.State?.Name ?? "";
    if (want.includes(state)) return found.inst;
    if (state === "terminated" && !want.includes("terminated"))
      throw new Error(`EC2 Instance (${id}) terminated unexpectedly: ${found.inst.StateReason?.Message ?? ""}`);
    return undefined;
  });
}

function ebsMapping(d: Obj, device: string | undefined): BlockDeviceMapping {
  return {
    DeviceName: device,
    Ebs: {
      DeleteOnTermination: b(d.delete_on_termination),
      Encrypted: b(d.encrypted),
      Iops: n(d.iops) || undefined,
      KmsKeyId: s(d.kms_key_id),
      SnapshotId: s(d.snapshot_id),
      Throughput: n(d.throughput) || undefined,
      VolumeSize: n(d.volume_size) || undefined,
      VolumeType: s(d.volume_type) as never,
    },
  };
}

const RESOLVE_SSM = "resolve:ssm:";

/** The AMI ID an `ami` stands for: itself, or the value of the SSM parameter `resolve:ssm:NAME` names. */
async function resolveAmi(ctx: ResourceContext, ami: string): Promise<string> {
  if (!ami.startsWith(RESOLVE_SSM)) return ami;
  const ssm = await ctx.ssm();
  const got = await ssm.getParameter({ Name: ami.slice(RESOLVE_SSM.length) });
  return got.Parameter?.Value ?? ami;
}

/**
 * iam_instance_profile in place, as hashicorp/aws changes it: associate one when there was none,
 * replace the association when there was, disassociate when the argument is removed.
 */
async function setInstanceProfile(ctx: ResourceContext, id: string, profile: string | undefined): Promise<void> {
  const ec2 = await ctx.ec2();
  const current = (
    await ec2.describeIamInstanceProfileAssociations({ Filters: [{ Name: "instance-id", Values: [id] }] })
  ).IamInstanceProfileAssociations?.find((a) => a.State === "associated" || a.State === "associating");
  const spec = profile?.startsWith("arn:") ? { Arn: profile } : { Name: profile };
  if (!profile) {
    if (current) await ec2.disassociateIamInstanceProfile({ AssociationId: current.AssociationId });
  } else if (current) {
    await ec2.replaceIamInstanceProfileAssociation({ AssociationId: current.AssociationId, IamInstanceProfile: spec });
  } else {
    await ec2.associateIamInstanceProfile({ InstanceId: id, IamInstanceProfile: spec });
  }
}

async function blockDeviceMappings(ctx: ResourceContext, plan: Obj): Promise<BlockDeviceMapping[] | undefined> {
  const out: BlockDeviceMapping[] = [];
  const root = first(plan.root_block_device);
  if (root && s(plan.ami)) {
    const ec2 = await ctx.ec2();
    const img = (await ec2.describeImages({ ImageIds: [await resolveAmi(ctx, s(plan.ami)!)] })).Images?.[0];
    if (img?.RootDeviceName) out.push(ebsMapping(root, img.RootDeviceName));
  }
  for (const d of objs(plan.ebs_block_device)) out.push(ebsMapping(d, s(d.device_name)));
  for (const d of objs(plan.ephemeral_block_device)) {
    out.push(
      d.no_device
        ? { DeviceName: s(d.device_name), NoDevice: "" }
        : { DeviceName: s(d.device_name), VirtualName: s(d.virtual_name) },
    );
  }
  return out.length ? out : undefined;
}

/** State values of an instance as hashicorp/aws reports them. */
export async function flattenInstance(
  ctx: ResourceContext,
  inst: Instance,
  owner: string | undefined,
  state: Obj,
  /** data "aws_instance": block device tags as data sources report them (default tags included). */
  forDataSource = false,
): Promise<Obj> {
  const ec2 = await ctx.ec2();
  const volIds = (inst.BlockDeviceMappings ?? []).map((m) => m.Ebs?.VolumeId).filter((v): v is string => !!v);
  const volumes = new Map<string, Volume>();
  if (volIds.length) {
    await nullIfNotFound(async () => {
      for (const v of (await ec2.describeVolumes({ VolumeIds: volIds })).Volumes ?? [])
        if (v.VolumeId) volumes.set(v.VolumeId, v);
    });
  }
  // hashicorp/aws reads a block device's tags only when volume_tags is not set (volume_tags owns them then).
  const byVolumeTags = isObj(state.volume_tags) && Object.keys(state.volume_tags).length > 0;
  const volObj = (m: InstanceBlockDeviceMapping): Obj => {
    const v = volumes.get(m.Ebs?.VolumeId ?? "");
    const tags = forDataSource
      ? { tags: dataSourceTags(ctx, v?.Tags) }
      : byVolumeTags
        ? { tags: null, tags_all: null }
        : {
            tags: tagsFromApi(ctx, v?.Tags),
            tags_all: Object.fromEntries(
              (v?.Tags ?? []).filter((t) => t.Key && !t.Key.startsWith("aws:")).map((t) => [t.Key, t.Value ?? ""]),
            ),
          };
    return {
      delete_on_termination: m.Ebs?.DeleteOnTermination ?? null,
      device_name: m.DeviceName ?? null,
      encrypted: v?.Encrypted ?? null,
      iops: v?.Iops ?? 0,
      kms_key_id: v?.KmsKeyId ?? "",
      throughput: v?.Throughput ?? 0,
      volume_id: m.Ebs?.VolumeId ?? null,
      volume_size: v?.Size ?? null,
      volume_type: v?.VolumeType ?? null,
      ...tags,
      snapshot_id: v?.SnapshotId ?? "",
    };
  };
  const rootName = inst.RootDeviceName;
  const rootMap = (inst.BlockDeviceMappings ?? []).find((m) => m.DeviceName === rootName);
  const ebs = (inst.BlockDeviceMappings ?? []).filter((m) => m.DeviceName !== rootName && m.Ebs);
  const attr = async (Attribute: string) => {
    try {
      return await ec2.describeInstanceAttribute({ InstanceId: inst.InstanceId!, Attribute: Attribute as never });
    } catch {
      return undefined;
    }
  };
  const [term, stop, shutdown, userData, market] = await Promise.all([
    attr("disableApiTermination"),
    attr("disableApiStop"),
    attr("instanceInitiatedShutdownBehavior"),
    attr("userData"),
    readMarketOptions(ctx, inst),
  ]);
  const groups = inst.SecurityGroups ?? [];
  const primaryEni = (inst.NetworkInterfaces ?? []).find((e) => e.Attachment?.DeviceIndex === 0);
  const account = owner ?? (await ctx.accountId());
  const userDataB64 = userData?.UserData?.Value;
  let password: string | null = null;
  if (state.get_password_data === true) {
    try {
      password = (await ec2.getPasswordData({ InstanceId: inst.InstanceId! })).PasswordData ?? null;
    } catch {
      password = null;
    }
  }
  const launchTemplate = forDataSource ? undefined : await launchTemplateOf(ctx, inst, state);
  const out: Obj = {
    id: inst.InstanceId,
    ...(launchTemplate ? { launch_template: launchTemplate } : {}),
    // `resolve:ssm:NAME` stays as configured: EC2 resolved it at launch (the instance has the AMI ID).
    ami: s(state.ami)?.startsWith(RESOLVE_SSM) ? state.ami : (inst.ImageId ?? null),
    arn: `arn:aws:ec2:${ctx.region}:${account}:instance/${inst.InstanceId}`,
    associate_public_ip_address: !!inst.PublicIpAddress,
    availability_zone: inst.Placement?.AvailabilityZone ?? null,
    cpu_options: inst.CpuOptions
      ? [
          {
            amd_sev_snp: inst.CpuOptions.AmdSevSnp ?? "",
            core_count: inst.CpuOptions.CoreCount ?? null,
            // Only "disabled" gets this far (instanceValidate): kept as configured.
            nested_virtualization: first(state.cpu_options)?.nested_virtualization ?? null,
            threads_per_core: inst.CpuOptions.ThreadsPerCore ?? null,
          },
        ]
      : [],
    // 5.x and earlier (schemas/history.ts) also report the CPU options flat.
    cpu_core_count: inst.CpuOptions?.CoreCount ?? null,
    cpu_threads_per_core: inst.CpuOptions?.ThreadsPerCore ?? null,
    disable_api_stop: stop?.DisableApiStop?.Value ?? false,
    disable_api_termination: term?.DisableApiTermination?.Value ?? false,
    ebs_block_device: ebs.map(volObj),
    ebs_optimized: inst.EbsOptimized ?? false,
    enclave_options: [{ enabled: inst.EnclaveOptions?.Enabled ?? false }],
    hibernation: inst.HibernationOptions?.Configured ?? false,
    host_id: inst.Placement?.HostId ?? "",
    host_resource_group_arn: inst.Placement?.HostResourceGroupArn ?? "",
    iam_instance_profile: inst.IamInstanceProfile?.Arn?.split("/").pop() ?? "",
    instance_initiated_shutdown_behavior: shutdown?.InstanceInitiatedShutdownBehavior?.Value ?? "stop",
    instance_lifecycle: inst.InstanceLifecycle ?? "",
    instance_state: inst.State?.Name ?? null,
    instance_type: inst.InstanceType ?? null,
    ipv6_address_count: (primaryEni?.Ipv6Addresses ?? []).length,
    ipv6_addresses: (primaryEni?.Ipv6Addresses ?? []).map((a) => a.Ipv6Address),
    key_name: inst.KeyName ?? "",
    maintenance_options: [{ auto_recovery: inst.MaintenanceOptions?.AutoRecovery ?? "default" }],
    metadata_options: [
      {
        http_endpoint: inst.MetadataOptions?.HttpEndpoint ?? "enabled",
        http_protocol_ipv6: inst.MetadataOptions?.HttpProtocolIpv6 ?? "disabled",
        http_put_response_hop_limit: inst.MetadataOptions?.HttpPutResponseHopLimit ?? 1,
        http_tokens: inst.MetadataOptions?.HttpTokens ?? "optional",
        instance_metadata_tags: inst.MetadataOptions?.InstanceMetadataTags ?? "disabled",
      },
    ],
    monitoring: inst.Monitoring?.State === "enabled" || inst.Monitoring?.State === "pending",
    outpost_arn: inst.OutpostArn ?? "",
    password_data: password ?? "",
    placement_group: inst.Placement?.GroupName ?? "",
    placement_group_id: inst.Placement?.GroupId ?? "",
    placement_partition_number: inst.Placement?.PartitionNumber ?? 0,
    primary_network_interface_id: primaryEni?.NetworkInterfaceId ?? "",
    // Every attached interface, as hashicorp/aws reads them (network_interface is Optional+Computed).
    network_interface: (inst.NetworkInterfaces ?? [])
      .filter((e) => e.Attachment)
      .map((e) => ({
        delete_on_termination: e.Attachment?.DeleteOnTermination ?? false,
        device_index: e.Attachment?.DeviceIndex ?? 0,
        network_card_index: e.Attachment?.NetworkCardIndex ?? 0,
        network_interface_id: e.NetworkInterfaceId ?? null,
      })),
    primary_network_interface: primaryEni
      ? [
          {
            delete_on_termination: primaryEni.Attachment?.DeleteOnTermination ?? true,
            network_interface_id: primaryEni.NetworkInterfaceId ?? null,
          },
        ]
      : [],
    private_dns: inst.PrivateDnsName ?? "",
    private_dns_name_options: inst.PrivateDnsNameOptions
      ? [
          {
            enable_resource_name_dns_a_record: inst.PrivateDnsNameOptions.EnableResourceNameDnsARecord ?? false,
            enable_resource_name_dns_aaaa_record: inst.PrivateDnsNameOptions.EnableResourceNameDnsAAAARecord ?? false,
            hostname_type: inst.PrivateDnsNameOptions.HostnameType ?? "ip-name",
          },
        ]
      : [],
    private_ip: inst.PrivateIpAddress ?? "",
    public_dns: inst.PublicDnsName ?? "",
    public_ip: inst.PublicIpAddress ?? "",
    root_block_device: rootMap ? [volObj(rootMap)].map(({ snapshot_id: _s, ...rest }) => rest) : [],
    secondary_private_ips: (primaryEni?.PrivateIpAddresses ?? [])
      .filter((p) => !p.Primary)
      .map((p) => p.PrivateIpAddress),
    security_groups: inst.SubnetId ? [] : groups.map((g) => g.GroupName),
    source_dest_check: inst.SourceDestCheck ?? true,
    spot_instance_request_id: inst.SpotInstanceRequestId ?? "",
    ...(market ? { instance_market_options: market } : {}),
    subnet_id: inst.SubnetId ?? "",
    tags: tagsFromApi(ctx, inst.Tags, state),
    tenancy: inst.Placement?.Tenancy ?? "default",
    vpc_security_group_ids: inst.SubnetId ? groups.map((g) => g.GroupId) : [],
    credit_specification: Array.isArray(state.credit_specification) ? state.credit_specification : [],
    capacity_reservation_specification: inst.CapacityReservationSpecification
      ? [
          {
            capacity_reservation_preference:
              inst.CapacityReservationSpecification.CapacityReservationPreference ?? "open",
            capacity_reservation_target: [],
          },
        ]
      : [],
  };
  if (userDataB64 !== undefined) {
    if (s(state.user_data_base64)) out.user_data_base64 = userDataB64;
    else if (
      s(state.user_data) === undefined ||
      Buffer.from(userDataB64, "base64").toString("utf8") !== state.user_data
    ) {
      out.user_data = Buffer.from(userDataB64, "base64").toString("utf8");
    }
  } else if (state.user_data === null || state.user_data === undefined) {
    out.user_data = null;
  }
  return out;
}

/**
 * launch_template as hashicorp/aws reads it back: from EC2's aws:ec2launchtemplate:id/version tags
 * (so an imported instance has it too), the template's name from DescribeLaunchTemplates, and the
 * version as configured when it still names the same one ($Latest, $Default), else its number.
 * Undefined when the instance was not launched from a template; [] when the template is gone.
 */
async function launchTemplateOf(ctx: ResourceContext, inst: Instance, state: Obj): Promise<Obj[] | undefined> {
  const tag = (k: string) => inst.Tags?.find((t) => t.Key === k)?.Value;
  const id = tag("aws:ec2launchtemplate:id");
  if (!id) return undefined;
  const current = tag("aws:ec2launchtemplate:version") ?? "";
  const ec2 = await ctx.ec2();
  const t = await nullIfNotFound(
    async () => (await ec2.describeLaunchTemplates({ LaunchTemplateIds: [id] })).LaunchTemplates?.[0],
  );
  if (!t) return [];
  const prior = s(first(state.launch_template)?.version);
  const version =
    (prior === "$Latest" && current === String(t.LatestVersionNumber)) ||
    (prior === "$Default" && current === String(t.DefaultVersionNumber))
      ? prior
      : current;
  return [{ id, name: t.LaunchTemplateName ?? null, version }];
}

async function modifyAttr(ctx: ResourceContext, id: string, input: Record<string, unknown>): Promise<void> {
  const ec2 = await ctx.ec2();
  await ec2.modifyInstanceAttribute({ InstanceId: id, ...input } as never);
}

async function stopAndStart<T>(
  ctx: ResourceContext,
  id: string,
  timeoutMs: number,
  work: () => Promise<T>,
): Promise<T> {
  const ec2 = await ctx.ec2();
  await ec2.stopInstances({ InstanceIds: [id] });
  await waitState(ctx, id, ["stopped"], timeoutMs);
  const r = await work();
  await ec2.startInstances({ InstanceIds: [id] });
  await waitState(ctx, id, ["running"], timeoutMs);
  return r;
}

/** RunInstances' InstanceMarketOptions from the instance_market_options block (Spot). */
function marketOptions(plan: Obj): RunInstancesCommandInput["InstanceMarketOptions"] {
  const m = first(plan.instance_market_options);
  if (!m || !s(m.market_type)) return undefined;
  const o = first(m.spot_options);
  return {
    MarketType: m.market_type as never,
    SpotOptions: o
      ? {
          MaxPrice: s(o.max_price),
          SpotInstanceType: s(o.spot_instance_type) as never,
          InstanceInterruptionBehavior: s(o.instance_interruption_behavior) as never,
          ValidUntil: s(o.valid_until) ? new Date(String(o.valid_until)) : undefined,
        }
      : undefined,
  };
}

/** A Spot Instance's instance_market_options, read back from its Spot request as hashicorp/aws does. */
async function readMarketOptions(ctx: ResourceContext, inst: Instance): Promise<Obj[] | undefined> {
  if (inst.InstanceLifecycle !== "spot" || !inst.SpotInstanceRequestId) return undefined;
  const ec2 = await ctx.ec2();
  const out = await nullIfNotFound(() =>
    ec2.describeSpotInstanceRequests({ SpotInstanceRequestIds: [inst.SpotInstanceRequestId!] }),
  );
  const r = out?.SpotInstanceRequests?.[0];
  if (!r) return undefined;
  return [
    {
      market_type: "spot",
      spot_options: [
        {
          instance_interruption_behavior: r.InstanceInterruptionBehavior ?? "terminate",
          max_price: r.SpotPrice ?? "",
          spot_instance_type: r.Type ?? "one-time",
          valid_until: iso(r.ValidUntil) ?? "",
        },
      ],
    },
  ];
}

/** RunInstances' input for an aws_instance plan (aws_spot_instance_request's launch specification too). */
export async function runInstancesInput(ctx: ResourceContext, plan: Obj): Promise<RunInstancesCommandInput> {
  const lt = first(plan.launch_template);
  const userData = s(plan.user_data_base64) ?? (s(plan.user_data) ? b64(plan.user_data as string) : undefined);
  const sgIds = strs(plan.vpc_security_group_ids);
  const sgNames = strs(plan.security_groups);
  const mdo = first(plan.metadata_options);
  // 5.x and earlier set the CPU options flat (cpu_core_count, cpu_threads_per_core).
  const cpu =
    first(plan.cpu_options) ??
    (n(plan.cpu_core_count) || n(plan.cpu_threads_per_core)
      ? { core_count: plan.cpu_core_count, threads_per_core: plan.cpu_threads_per_core }
      : undefined);
  const credit = first(plan.credit_specification);
  const tags = tagsAll(plan);
  const volumeTags = isObj(plan.volume_tags) ? (plan.volume_tags as Record<string, string>) : {};
  const nis = objs(plan.network_interface);
  const input: RunInstancesCommandInput = {
    MinCount: 1,
    MaxCount: 1,
    ClientToken: `terraform-${Date.now()}-${Math.random().toString(36).slice(2, 10)}`,
    ImageId: s(plan.ami),
    InstanceType: s(plan.instance_type) as never,
    KeyName: s(plan.key_name),
    UserData: userData,
    EbsOptimized: b(plan.ebs_optimized),
    DisableApiTermination: b(plan.disable_api_termination),
    DisableApiStop: b(plan.disable_api_stop),
    InstanceInitiatedShutdownBehavior: s(plan.instance_initiated_shutdown_behavior) as never,
    Monitoring: b(plan.monitoring) !== undefined ? { Enabled: plan.monitoring as boolean } : undefined,
    IamInstanceProfile: s(plan.iam_instance_profile)
      ? (plan.iam_instance_profile as string).startsWith("arn:")
        ? { Arn: plan.iam_instance_profile as string }
        : { Name: plan.iam_instance_profile as string }
      : undefined,
    Placement: {
      AvailabilityZone: s(plan.availability_zone),
      GroupName: s(plan.placement_group),
      GroupId: s(plan.placement_group_id),
      HostId: s(plan.host_id),
      Tenancy: s(plan.tenancy) as never,
      PartitionNumber: n(plan.placement_partition_number) || undefined,
      HostResourceGroupArn: s(plan.host_resource_group_arn),
    },
    HibernationOptions: b(plan.hibernation) !== undefined ? { Configured: plan.hibernation as boolean } : undefined,
    InstanceMarketOptions: marketOptions(plan),
    MetadataOptions: mdo
      ? {
          HttpEndpoint: s(mdo.http_endpoint) as never,
          HttpTokens: s(mdo.http_tokens) as never,
          HttpPutResponseHopLimit: n(mdo.http_put_response_hop_limit),
          HttpProtocolIpv6: s(mdo.http_protocol_ipv6) as never,
          InstanceMetadataTags: s(mdo.instance_metadata_tags) as never,
        }
      : undefined,
    CpuOptions:
      cpu && (n(cpu.core_count) || n(cpu.threads_per_core) || s(cpu.amd_sev_snp))
        ? {
            CoreCount: n(cpu.core_count),
            ThreadsPerCore: n(cpu.threads_per_core),
            AmdSevSnp: s(cpu.amd_sev_snp) as never,
          }
        : undefined,
    CreditSpecification: credit && s(credit.cpu_credits) ? { CpuCredits: credit.cpu_credits as string } : undefined,
    LaunchTemplate: lt
      ? { LaunchTemplateId: s(lt.id), LaunchTemplateName: s(lt.name), Version: s(lt.version) }
      : undefined,
    BlockDeviceMappings: await blockDeviceMappings(ctx, plan),
    TagSpecifications: [...(tagSpecs("instance", tags) ?? []), ...(tagSpecs("volume", volumeTags) ?? [])],
  };
  if (nis.length) {
    input.NetworkInterfaces = nis.map((ni) => ({
      DeviceIndex: n(ni.device_index),
      NetworkInterfaceId: s(ni.network_interface_id),
      DeleteOnTermination: b(ni.delete_on_termination),
      NetworkCardIndex: n(ni.network_card_index),
    }));
  } else if (b(plan.associate_public_ip_address) !== undefined && s(plan.subnet_id)) {
    input.NetworkInterfaces = [
      {
        DeviceIndex: 0,
        AssociatePublicIpAddress: plan.associate_public_ip_address as boolean,
        SubnetId: s(plan.subnet_id),
        Groups: sgIds.length ? sgIds : undefined,
        PrivateIpAddress: s(plan.private_ip),
        Ipv6AddressCount: n(plan.ipv6_address_count) || undefined,
        Ipv6Addresses: strs(plan.ipv6_addresses).map((Ipv6Address) => ({ Ipv6Address })),
        SecondaryPrivateIpAddressCount: undefined,
        PrivateIpAddresses: strs(plan.secondary_private_ips).length
          ? [
              { PrivateIpAddress: s(plan.private_ip), Primary: true },
              ...strs(plan.secondary_private_ips).map((PrivateIpAddress) => ({ PrivateIpAddress, Primary: false })),
            ].filter((p) => p.PrivateIpAddress)
          : undefined,
      },
    ];
  } else {
    input.SubnetId = s(plan.subnet_id);
    input.SecurityGroupIds = sgIds.length ? sgIds : undefined;
    input.SecurityGroups = sgNames.length ? sgNames : undefined;
    input.PrivateIpAddress = s(plan.private_ip);
    input.Ipv6AddressCount = n(plan.ipv6_address_count) || undefined;
    input.Ipv6Addresses = strs(plan.ipv6_addresses).length
      ? strs(plan.ipv6_addresses).map((Ipv6Address) => ({ Ipv6Address }))
      : undefined;
  }
  if (!input.TagSpecifications?.length) delete input.TagSpecifications;
  return input;
}

/** What aws_instance (and aws_spot_instance_request) accept in their schema but the sandbox does not simulate. */
export function instanceValidate(config: Obj): string[] {
  const errs: string[] = [];
  if (objs(config.secondary_network_interface).length)
    errs.push(
      "ec2sim does not support EC2 secondary interfaces (secondary_network_interface): " +
        "attach more interfaces with network_interface or aws_network_interface_attachment",
    );
  if (first(config.cpu_options)?.nested_virtualization === "enabled")
    errs.push('ec2sim does not support nested virtualization (cpu_options.nested_virtualization = "enabled")');
  return errs;
}

export const awsInstance: ResourceImpl = {
  schema: aws_instance,
  title: "EC2 Instance",
  partial: 'secondary_network_interface and cpu_options.nested_virtualization = "enabled" are refused (not simulated)',
  validate: instanceValidate,
  modifyPlan({ prior, plan, config }) {
    if (!prior) return;
    const replace: string[] = [];
    if (plan.user_data_replace_on_change === true) {
      for (const k of ["user_data", "user_data_base64"])
        if (config[k] !== null && plan[k] !== prior[k]) replace.push(k);
    }
    // Derived values that change with the instance type or a stop/start.
    if (plan.instance_type !== prior.instance_type) {
      for (const k of ["public_ip", "public_dns"]) plan[k] = prior[k];
    }
    return replace;
  },
  async create(ctx, plan) {
    const ec2 = await ctx.ec2();
    const out = await ec2.runInstances(await runInstancesInput(ctx, plan));
    const id = out.Instances?.[0]?.InstanceId;
    if (!id) throw new Error("RunInstances returned no instance");
    ctx.partial = { id };
    const inst = await waitState(ctx, id, ["running"], ctx.timeout("create"));
    if (plan.source_dest_check === false) await modifyAttr(ctx, id, { SourceDestCheck: { Value: false } });
    const found = await findInstance(ctx, id);
    return flattenInstance(ctx, found?.inst ?? inst!, found?.owner ?? out.OwnerId, plan);
  },
  async read(ctx, state) {
    const found = await findInstance(ctx, String(state.id));
    if (!found || found.inst.State?.Name === "terminated") return null;
    return flattenInstance(ctx, found.inst, found.owner, state);
  },
  async update(ctx, prior, plan) {
    const id = String(prior.id);
    const ec2 = await ctx.ec2();
    const changed = (k: string) => JSON.stringify(prior[k] ?? null) !== JSON.stringify(plan[k] ?? null);
    const timeout = ctx.timeout("update");
    if (changed("tags_all")) await updateTags(ctx, id, prior, plan);
    if (changed("vpc_security_group_ids") && strs(plan.vpc_security_group_ids).length)
      await modifyAttr(ctx, id, { Groups: strs(plan.vpc_security_group_ids) });
    if (changed("source_dest_check") && b(plan.source_dest_check) !== undefined)
      await modifyAttr(ctx, id, { SourceDestCheck: { Value: plan.source_dest_check } });
    if (changed("disable_api_termination") && b(plan.disable_api_termination) !== undefined)
      await modifyAttr(ctx, id, { DisableApiTermination: { Value: plan.disable_api_termination } });
    if (changed("disable_api_stop") && b(plan.disable_api_stop) !== undefined)
      await modifyAttr(ctx, id, { DisableApiStop: { Value: plan.disable_api_stop } });
    if (changed("instance_initiated_shutdown_behavior") && s(plan.instance_initiated_shutdown_behavior))
      await modifyAttr(ctx, id, {
        InstanceInitiatedShutdownBehavior: { Value: plan.instance_initiated_shutdown_behavior },
      });
    if (changed("monitoring") && b(plan.monitoring) !== undefined) {
      if (plan.monitoring) await ec2.monitorInstances({ InstanceIds: [id] });
      else await ec2.unmonitorInstances({ InstanceIds: [id] });
    }
    const mdo = first(plan.metadata_options);
    if (changed("metadata_options") && mdo) {
      await ec2.modifyInstanceMetadataOptions({
        InstanceId: id,
        HttpEndpoint: s(mdo.http_endpoint) as never,
        HttpTokens: s(mdo.http_tokens) as never,
        HttpPutResponseHopLimit: n(mdo.http_put_response_hop_limit),
        HttpProtocolIpv6: s(mdo.http_protocol_ipv6) as never,
        InstanceMetadataTags: s(mdo.instance_metadata_tags) as never,
      });
    }
    if (changed("iam_instance_profile")) await setInstanceProfile(ctx, id, s(plan.iam_instance_profile));
    const typeChanged = changed("instance_type") && s(plan.instance_type);
    const userDataChanged =
      (changed("user_data") && typeof plan.user_data === "string") ||
      (changed("user_data_base64") && typeof plan.user_data_base64 === "string");
    if (typeChanged || userDataChanged) {
      await stopAndStart(ctx, id, timeout, async () => {
        if (typeChanged) await modifyAttr(ctx, id, { InstanceType: { Value: plan.instance_type } });
        if (userDataChanged) {
          const data = s(plan.user_data_base64) ?? b64(String(plan.user_data ?? ""));
          await modifyAttr(ctx, id, { UserData: { Value: new Uint8Array(Buffer.from(data, "utf8")) } });
        }
      });
    }
    const oldRoot = first(prior.root_block_device);
    const newRoot = first(plan.root_block_device);
    if (oldRoot && newRoot && s(oldRoot.volume_id)) {
      const sizeCh = n(newRoot.volume_size) !== undefined && newRoot.volume_size !== oldRoot.volume_size;
      const typeCh = s(newRoot.volume_type) !== undefined && newRoot.volume_type !== oldRoot.volume_type;
      const iopsCh = n(newRoot.iops) !== undefined && newRoot.iops !== oldRoot.iops;
      const tpCh = n(newRoot.throughput) !== undefined && newRoot.throughput !== oldRoot.throughput;
      if (sizeCh || typeCh || iopsCh || tpCh) {
        await ec2.modifyVolume({
          VolumeId: oldRoot.volume_id as string,
          Size: sizeCh ? (newRoot.volume_size as number) : undefined,
          VolumeType: typeCh ? (newRoot.volume_type as never) : undefined,
          Iops: iopsCh && newRoot.iops ? (newRoot.iops as number) : undefined,
          Throughput: tpCh && newRoot.throughput ? (newRoot.throughput as number) : undefined,
        });
      }
      if (
        newRoot.delete_on_termination !== oldRoot.delete_on_termination &&
        b(newRoot.delete_on_termination) !== undefined
      ) {
        await modifyAttr(ctx, id, {
          BlockDeviceMappings: [
            { DeviceName: oldRoot.device_name, Ebs: { DeleteOnTermination: newRoot.delete_on_termination } },
          ],
        });
      }
    }
    const found = await findInstance(ctx, id);
    if (!found) throw new NotFoundError(`EC2 Instance (${id}) not found`);
    return flattenInstance(ctx, found.inst, found.owner, plan);
  },
  async delete(ctx, state) {
    const id = String(state.id);
    const ec2 = await ctx.ec2();
    if (state.disable_api_termination === true && state.force_destroy === true)
      await modifyAttr(ctx, id, { DisableApiTermination: { Value: false } });
    if (state.disable_api_stop === true && state.force_destroy === true)
      await modifyAttr(ctx, id, { DisableApiStop: { Value: false } });
    try {
      await ec2.terminateInstances({ InstanceIds: [id] });
    } catch (err) {
      if (isNotFound(err)) return;
      throw err;
    }
    await waitState(ctx, id, ["terminated"], ctx.timeout("delete"), true);
  },
};

function instanceFilters(config: Obj): ReturnType<typeof buildFilters> {
  return buildFilters(config, {}, [config.instance_tags]);
}

export const dataAwsInstance: DataSourceImpl = {
  schema: data_aws_instance,
  title: "EC2 Instance",
  async read(ctx, config) {
    const ec2 = await ctx.ec2();
    const out = await ec2.describeInstances({
      InstanceIds: s(config.instance_id) ? [config.instance_id as string] : undefined,
      Filters: instanceFilters(config),
    });
    const all = (out.Reservations ?? []).flatMap((r) =>
      (r.Instances ?? []).filter((i) => i.State?.Name !== "terminated").map((inst) => ({ inst, owner: r.OwnerId })),
    );
    if (all.length === 0) throw new NotFoundError();
    const { inst, owner } = singleResult(all, "EC2 Instance");
    const flat = await flattenInstance(ctx, inst, owner, { get_password_data: config.get_password_data }, true);
    const ud =
      config.get_user_data === true
        ? (await ec2.describeInstanceAttribute({ InstanceId: inst.InstanceId!, Attribute: "userData" })).UserData?.Value
        : undefined;
    const { ephemeral_block_device: _e, ...rest } = flat;
    return {
      ...rest,
      instance_id: inst.InstanceId,
      instance_tags: config.instance_tags,
      launch_time: iso(inst.LaunchTime),
      user_data: ud ? Buffer.from(ud, "base64").toString("utf8") : null,
      user_data_base64: ud ?? null,
      ephemeral_block_device: [],
      network_interface_id:
        (inst.NetworkInterfaces ?? []).find((e) => e.Attachment?.DeviceIndex === 0)?.NetworkInterfaceId ?? "",
      placement_group: inst.Placement?.GroupName ?? "",
      tags: dataSourceTags(ctx, inst.Tags),
    };
  },
};

export const dataAwsInstances: DataSourceImpl = {
  schema: data_aws_instances,
  title: "EC2 Instances",
  async read(ctx, config) {
    const ec2 = await ctx.ec2();
    const states = strs(config.instance_state_names);
    const filters = buildFilters(config, { "instance-state-name": states.length ? states : ["pending", "running"] }, [
      config.instance_tags,
    ]);
    const ids: string[] = [];
    const privateIps: string[] = [];
    const publicIps: string[] = [];
    const ipv6: string[] = [];
    let token: string | undefined;
    do {
      const out = await ec2.describeInstances({ Filters: filters, NextToken: token });
      for (const r of out.Reservations ?? [])
        for (const i of r.Instances ?? []) {
          ids.push(i.InstanceId!);
          if (i.PrivateIpAddress) privateIps.push(i.PrivateIpAddress);
          if (i.PublicIpAddress) publicIps.push(i.PublicIpAddress);
          for (const ni of i.NetworkInterfaces ?? [])
            for (const a of ni.Ipv6Addresses ?? []) if (a.Ipv6Address) ipv6.push(a.Ipv6Address);
        }
      token = out.NextToken;
    } while (token);
    return { id: ctx.region, ids, private_ips: privateIps, public_ips: publicIps, ipv6_addresses: ipv6 };
  },
};
