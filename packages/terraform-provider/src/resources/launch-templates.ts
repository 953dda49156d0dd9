// aws_launch_template and data aws_launch_template against the EC2 Query API. The launch parameters
// map to LaunchTemplateData through one table (MAPPING), read both ways: expand (plan -> request) and
// flatten (response -> state, every field present with the SDK's zero value when EC2 leaves it out).
import type { LaunchTemplate, ResponseLaunchTemplateData } from "@aws-sdk/client-ec2";
import type { ResourceContext } from "../framework/context.ts";
import { isUnknown, UNKNOWN } from "../framework/msgpack.ts";
import type { DataSourceImpl, ResourceImpl } from "../framework/provider.ts";
import { isObj, type Obj, sameValue } from "../framework/values.ts";
import { aws_launch_template, data_aws_launch_template } from "../schemas/launch-templates.ts";
import {
  buildFilters,
  dataSourceTags,
  nullIfNotFound,
  objs,
  prefixedUniqueId,
  s,
  singleResult,
  strs,
  tagSpecs,
  tagsAll,
  tagsFromApi,
  updateTags,
} from "./common.ts";

/**
 * How a value maps: s string, n number (0 = unset), b bool, nb hashicorp/aws's "nullable bool"
 * (a string "true"/"false", "" = unset), ss a set of strings, `[item]` a set of strings that EC2
 * holds as objects with that one member, tags a map as EC2's tag list.
 */
type Kind = "s" | "n" | "b" | "nb" | "ss" | "tags" | readonly [item: string];
/** A block: `one` when EC2 holds one object (Terraform: a list of at most one), else a list. */
interface BlockMap {
  readonly api: string;
  readonly one: boolean;
  readonly fields: Mapping;
}
type Mapping = { readonly [tf: string]: readonly [api: string, kind: Kind] | BlockMap };

const block = (api: string, fields: Mapping, one = true): BlockMap => ({ api, one, fields });

/** Terraform's launch parameters -> LaunchTemplateData (RequestLaunchTemplateData / ResponseLaunchTemplateData). */
const MAPPING: Mapping = {
  disable_api_stop: ["DisableApiStop", "b"],
  disable_api_termination: ["DisableApiTermination", "b"],
  ebs_optimized: ["EbsOptimized", "nb"],
  image_id: ["ImageId", "s"],
  instance_initiated_shutdown_behavior: ["InstanceInitiatedShutdownBehavior", "s"],
  instance_type: ["InstanceType", "s"],
  kernel_id: ["KernelId", "s"],
  key_name: ["KeyName", "s"],
  ram_disk_id: ["RamDiskId", "s"],
  security_group_names: ["SecurityGroups", "ss"],
  user_data: ["UserData", "s"],
  vpc_security_group_ids: ["SecurityGroupIds", "ss"],
  block_device_mappings: block(
    "BlockDeviceMappings",
    {
      device_name: ["DeviceName", "s"],
      no_device: ["NoDevice", "s"],
      virtual_name: ["VirtualName", "s"],
      ebs: block("Ebs", {
        delete_on_termination: ["DeleteOnTermination", "nb"],
        encrypted: ["Encrypted", "nb"],
        iops: ["Iops", "n"],
        kms_key_id: ["KmsKeyId", "s"],
        snapshot_id: ["SnapshotId", "s"],
        throughput: ["Throughput", "n"],
        volume_initialization_rate: ["VolumeInitializationRate", "n"],
        volume_size: ["VolumeSize", "n"],
        volume_type: ["VolumeType", "s"],
      }),
    },
    false,
  ),
  capacity_reservation_specification: block("CapacityReservationSpecification", {
    capacity_reservation_preference: ["CapacityReservationPreference", "s"],
    capacity_reservation_target: block("CapacityReservationTarget", {
      capacity_reservation_id: ["CapacityReservationId", "s"],
      capacity_reservation_resource_group_arn: ["CapacityReservationResourceGroupArn", "s"],
    }),
  }),
  cpu_options: block("CpuOptions", {
    amd_sev_snp: ["AmdSevSnp", "s"],
    core_count: ["CoreCount", "n"],
    threads_per_core: ["ThreadsPerCore", "n"],
  }),
  credit_specification: block("CreditSpecification", { cpu_credits: ["CpuCredits", "s"] }),
  enclave_options: block("EnclaveOptions", { enabled: ["Enabled", "b"] }),
  hibernation_options: block("HibernationOptions", { configured: ["Configured", "b"] }),
  iam_instance_profile: block("IamInstanceProfile", { arn: ["Arn", "s"], name: ["Name", "s"] }),
  instance_market_options: block("InstanceMarketOptions", {
    market_type: ["MarketType", "s"],
    spot_options: block("SpotOptions", {
      block_duration_minutes: ["BlockDurationMinutes", "n"],
      instance_interruption_behavior: ["InstanceInterruptionBehavior", "s"],
      max_price: ["MaxPrice", "s"],
      spot_instance_type: ["SpotInstanceType", "s"],
      valid_until: ["ValidUntil", "s"],
    }),
  }),
  license_specification: block(
    "LicenseSpecifications",
    { license_configuration_arn: ["LicenseConfigurationArn", "s"] },
    false,
  ),
  maintenance_options: block("MaintenanceOptions", { auto_recovery: ["AutoRecovery", "s"] }),
  metadata_options: block("MetadataOptions", {
    http_endpoint: ["HttpEndpoint", "s"],
    http_protocol_ipv6: ["HttpProtocolIpv6", "s"],
    http_put_response_hop_limit: ["HttpPutResponseHopLimit", "n"],
    http_tokens: ["HttpTokens", "s"],
    instance_metadata_tags: ["InstanceMetadataTags", "s"],
  }),
  monitoring: block("Monitoring", { enabled: ["Enabled", "b"] }),
  network_interfaces: block(
    "NetworkInterfaces",
    {
      associate_carrier_ip_address: ["AssociateCarrierIpAddress", "nb"],
      associate_public_ip_address: ["AssociatePublicIpAddress", "nb"],
      delete_on_termination: ["DeleteOnTermination", "nb"],
      description: ["Description", "s"],
      device_index: ["DeviceIndex", "n"],
      interface_type: ["InterfaceType", "s"],
      ipv4_address_count: ["SecondaryPrivateIpAddressCount", "n"],
      ipv4_addresses: ["PrivateIpAddresses", ["PrivateIpAddress"]],
      ipv4_prefix_count: ["Ipv4PrefixCount", "n"],
      ipv4_prefixes: ["Ipv4Prefixes", ["Ipv4Prefix"]],
      ipv6_address_count: ["Ipv6AddressCount", "n"],
      ipv6_addresses: ["Ipv6Addresses", ["Ipv6Address"]],
      ipv6_prefix_count: ["Ipv6PrefixCount", "n"],
      ipv6_prefixes: ["Ipv6Prefixes", ["Ipv6Prefix"]],
      network_card_index: ["NetworkCardIndex", "n"],
      network_interface_id: ["NetworkInterfaceId", "s"],
      primary_ipv6: ["PrimaryIpv6", "nb"],
      private_ip_address: ["PrivateIpAddress", "s"],
      security_groups: ["Groups", "ss"],
      subnet_id: ["SubnetId", "s"],
      connection_tracking_specification: block("ConnectionTrackingSpecification", {
        tcp_established_timeout: ["TcpEstablishedTimeout", "n"],
        udp_stream_timeout: ["UdpStreamTimeout", "n"],
        udp_timeout: ["UdpTimeout", "n"],
      }),
      ena_srd_specification: block("EnaSrdSpecification", {
        ena_srd_enabled: ["EnaSrdEnabled", "b"],
        ena_srd_udp_specification: block("EnaSrdUdpSpecification", { ena_srd_udp_enabled: ["EnaSrdUdpEnabled", "b"] }),
      }),
    },
    false,
  ),
  placement: block("Placement", {
    affinity: ["Affinity", "s"],
    availability_zone: ["AvailabilityZone", "s"],
    group_id: ["GroupId", "s"],
    group_name: ["GroupName", "s"],
    host_id: ["HostId", "s"],
    host_resource_group_arn: ["HostResourceGroupArn", "s"],
    partition_number: ["PartitionNumber", "n"],
    spread_domain: ["SpreadDomain", "s"],
    tenancy: ["Tenancy", "s"],
  }),
  private_dns_name_options: block("PrivateDnsNameOptions", {
    enable_resource_name_dns_a_record: ["EnableResourceNameDnsARecord", "b"],
    enable_resource_name_dns_aaaa_record: ["EnableResourceNameDnsAAAARecord", "b"],
    hostname_type: ["HostnameType", "s"],
  }),
  tag_specifications: block(
    "TagSpecifications",
    { resource_type: ["ResourceType", "s"], tags: ["Tags", "tags"] },
    false,
  ),
};

const isBlock = (m: Mapping[string]): m is BlockMap => !Array.isArray(m);

/** Terraform values -> the API's, leaving out what is unset (null, "", 0, empty), as hashicorp/aws does. */
function expand(mapping: Mapping, tf: Obj): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, m] of Object.entries(mapping)) {
    const v = tf[name];
    if (v === null || v === undefined || isUnknown(v)) continue;
    if (isBlock(m)) {
      const items = objs(v).map((x) => expand(m.fields, x));
      if (!items.length) continue;
      out[m.api] = m.one ? items[0] : items;
      continue;
    }
    const [api, kind] = m;
    if (kind === "s" && v !== "") out[api] = v;
    else if (kind === "n" && typeof v === "number" && v !== 0) out[api] = v;
    else if (kind === "b" && typeof v === "boolean") out[api] = v;
    else if (kind === "nb" && (v === "true" || v === "false")) out[api] = v === "true";
    else if (kind === "ss" && strs(v).length) out[api] = strs(v);
    else if (kind === "tags" && isObj(v) && Object.keys(v).length)
      out[api] = Object.entries(v).map(([Key, Value]) => ({ Key, Value }));
    else if (Array.isArray(kind) && strs(v).length) out[api] = strs(v).map((x) => ({ [kind[0]]: x }));
  }
  return out;
}

/** The API's values -> Terraform's, every field present with its zero value when EC2 leaves it out. */
function flatten(mapping: Mapping, api: Record<string, unknown>): Obj {
  const out: Obj = {};
  for (const [name, m] of Object.entries(mapping)) {
    const v = api[isBlock(m) ? m.api : m[0]];
    if (isBlock(m)) {
      const items = m.one ? (isObj(v) ? [v] : []) : Array.isArray(v) ? v.filter(isObj) : [];
      out[name] = items.map((x) => flatten(m.fields, x as Record<string, unknown>));
      continue;
    }
    const kind = m[1];
    if (kind === "s") out[name] = typeof v === "string" ? v : "";
    else if (kind === "n") out[name] = typeof v === "number" ? v : 0;
    else if (kind === "b") out[name] = typeof v === "boolean" ? v : false;
    else if (kind === "nb") out[name] = typeof v === "boolean" ? String(v) : "";
    else if (kind === "ss") out[name] = strs(v);
    else if (kind === "tags")
      out[name] = Object.fromEntries(
        (Array.isArray(v) ? v : []).filter(isObj).map((t) => [String(t.Key), String(t.Value ?? "")]),
      );
    else out[name] = (Array.isArray(v) ? v : []).filter(isObj).map((x) => String(x[kind[0]]));
  }
  return out;
}

/** A template's launch parameters as LaunchTemplateData, and back (every field present in state). */
export const launchData = {
  expand: (tf: Obj): Record<string, unknown> => expand(MAPPING, tf),
  flatten: (api: Record<string, unknown>): Obj => flatten(MAPPING, api),
};

async function findTemplate(ctx: ResourceContext, id: string): Promise<LaunchTemplate | null> {
  const ec2 = await ctx.ec2();
  return nullIfNotFound(
    async () =>
      (await ec2.describeLaunchTemplates({ LaunchTemplateIds: [id] })).LaunchTemplates?.find(
        (t) => t.LaunchTemplateId === id,
      ) ?? null,
  );
}

async function templateVersion(ctx: ResourceContext, id: string, version: string) {
  const ec2 = await ctx.ec2();
  const out = await ec2.describeLaunchTemplateVersions({ LaunchTemplateId: id, Versions: [version] });
  const v = out.LaunchTemplateVersions?.[0];
  if (!v) throw new Error(`EC2 Launch Template (${id}) version ${version} not found`);
  return v;
}

const ltArn = (ctx: ResourceContext, t: LaunchTemplate, account: string) =>
  `arn:aws:ec2:${ctx.region}:${account}:launch-template/${t.LaunchTemplateId}`;

/** State of a template as hashicorp/aws reports it: the launch data of its latest version. */
async function flattenTemplate(ctx: ResourceContext, t: LaunchTemplate, state: Obj): Promise<Obj> {
  const latest = await templateVersion(ctx, t.LaunchTemplateId!, String(t.LatestVersionNumber ?? 1));
  const data = (latest.LaunchTemplateData ?? {}) as ResponseLaunchTemplateData;
  return {
    ...flatten(MAPPING, data as Record<string, unknown>),
    id: t.LaunchTemplateId,
    arn: ltArn(ctx, t, await ctx.accountId()),
    default_version: t.DefaultVersionNumber ?? 1,
    description: latest.VersionDescription ?? "",
    latest_version: t.LatestVersionNumber ?? 1,
    name: t.LaunchTemplateName ?? null,
    tags: tagsFromApi(ctx, t.Tags, state),
  };
}

/** Attributes that are launch data: a change to any of them makes a new version. */
const DATA_ATTRIBUTES = ["description", ...Object.keys(MAPPING)];

export const awsLaunchTemplate: ResourceImpl = {
  schema: aws_launch_template,
  title: "EC2 Launch Template",
  validate(config) {
    const errs: string[] = [];
    if (Array.isArray(config.instance_requirements) && config.instance_requirements.length)
      errs.push(
        "ec2sim does not support instance_requirements (attribute-based instance type selection) in launch templates: give instance_type",
      );
    return errs;
  },
  modifyPlan({ prior, plan, config }) {
    if (!prior) {
      plan.name_prefix = config.name_prefix ?? (s(config.name) ? "" : "terraform-");
      return;
    }
    // New launch data is a new version; the default follows it when update_default_version says so.
    if (DATA_ATTRIBUTES.some((k) => !sameValue(prior[k] ?? null, plan[k] ?? null))) {
      plan.latest_version = UNKNOWN;
      if (plan.update_default_version === true) plan.default_version = UNKNOWN;
    }
  },
  async create(ctx, plan) {
    const ec2 = await ctx.ec2();
    const name = s(plan.name) ?? prefixedUniqueId(s(plan.name_prefix) ?? "terraform-");
    const out = await ec2.createLaunchTemplate({
      LaunchTemplateName: name,
      VersionDescription: s(plan.description),
      LaunchTemplateData: expand(MAPPING, plan) as never,
      TagSpecifications: tagSpecs("launch-template", tagsAll(plan)),
    });
    const id = out.LaunchTemplate!.LaunchTemplateId!;
    ctx.partial = { id };
    const t = await findTemplate(ctx, id);
    if (!t) throw new Error(`EC2 Launch Template (${id}) not found after create`);
    return { ...(await flattenTemplate(ctx, t, plan)), name_prefix: s(plan.name_prefix) ?? "" };
  },
  async read(ctx, state) {
    const t = await findTemplate(ctx, String(state.id));
    return t ? flattenTemplate(ctx, t, state) : null;
  },
  async update(ctx, prior, plan) {
    const ec2 = await ctx.ec2();
    const id = String(prior.id);
    let latest = prior.latest_version as number;
    if (DATA_ATTRIBUTES.some((k) => !sameValue(prior[k] ?? null, plan[k] ?? null))) {
      const out = await ec2.createLaunchTemplateVersion({
        LaunchTemplateId: id,
        VersionDescription: s(plan.description),
        LaunchTemplateData: expand(MAPPING, plan) as never,
      });
      latest = out.LaunchTemplateVersion!.VersionNumber!;
    }
    const wantDefault =
      plan.update_default_version === true
        ? latest
        : typeof plan.default_version === "number" && plan.default_version !== prior.default_version
          ? plan.default_version
          : undefined;
    if (wantDefault !== undefined && wantDefault !== prior.default_version)
      await ec2.modifyLaunchTemplate({ LaunchTemplateId: id, DefaultVersion: String(wantDefault) });
    if (JSON.stringify(prior.tags_all) !== JSON.stringify(plan.tags_all)) await updateTags(ctx, id, prior, plan);
    const t = await findTemplate(ctx, id);
    if (!t) throw new Error(`EC2 Launch Template (${id}) not found after update`);
    return flattenTemplate(ctx, t, plan);
  },
  async delete(ctx, state) {
    const ec2 = await ctx.ec2();
    await nullIfNotFound(() => ec2.deleteLaunchTemplate({ LaunchTemplateId: String(state.id) }));
  },
};

export const dataAwsLaunchTemplate: DataSourceImpl = {
  schema: data_aws_launch_template,
  title: "EC2 Launch Template",
  async read(ctx, config) {
    const ec2 = await ctx.ec2();
    const out = await ec2.describeLaunchTemplates({
      LaunchTemplateIds: s(config.id) ? [config.id as string] : undefined,
      LaunchTemplateNames: s(config.name) ? [config.name as string] : undefined,
      Filters: buildFilters(config, {}, [config.tags]),
    });
    const t = singleResult(out.LaunchTemplates, "EC2 Launch Template");
    const { name_prefix: _p, ...flat } = await flattenTemplate(ctx, t, {});
    return { ...flat, tags: dataSourceTags(ctx, t.Tags) };
  },
};
