// aws_ami, aws_ami_from_instance, aws_ami_copy, aws_ami_launch_permission, data aws_ami, data aws_ami_ids.
import type { BlockDeviceMapping, Image, LaunchPermission } from "@aws-sdk/client-ec2";
import { isNotFound, type ResourceContext } from "../framework/context.ts";
import type { DataSourceImpl, ResourceImpl } from "../framework/provider.ts";
import type { ResourceSchema } from "../framework/schema.ts";
import type { Obj } from "../framework/values.ts";
import {
  aws_ami,
  aws_ami_copy,
  aws_ami_from_instance,
  aws_ami_launch_permission,
  data_aws_ami,
  data_aws_ami_ids,
} from "../schemas/images.ts";
import {
  b,
  buildFilters,
  dataSourceTags,
  NotFoundError,
  n,
  nullIfNotFound,
  objs,
  s,
  strs,
  tagSpecs,
  tagsAll,
  tagsFromApi,
  updateTags,
} from "./common.ts";

async function findImage(ctx: ResourceContext, id: string): Promise<Image | null> {
  const ec2 = await ctx.ec2();
  return nullIfNotFound(async () => {
    const out = await ec2.describeImages({ ImageIds: [id], IncludeDeprecated: true, IncludeDisabled: true });
    return out.Images?.find((i) => i.ImageId === id) ?? null;
  });
}

async function waitImage(ctx: ResourceContext, id: string, timeoutMs: number): Promise<Image> {
  return ctx.waitFor(`AMI (${id}) to become available`, timeoutMs, async () => {
    const img = await findImage(ctx, id);
    if (!img) return undefined; // eventual consistency right after creation
    if (img.State === "available") return img;
    if (img.State === "failed" || img.State === "error" || img.State === "invalid")
      throw new Error(`AMI (${id}) is ${img.State}: ${img.StateReason?.Message ?? ""}`);
    return undefined;
  });
}

async function waitImageGone(ctx: ResourceContext, id: string, timeoutMs: number): Promise<void> {
  await ctx.waitFor(`AMI (${id}) to be deregistered`, timeoutMs, async () => {
    const img = await findImage(ctx, id);
    return !img || img.State === "deregistered" ? true : undefined;
  });
}

function flattenBlockDevices(img: Image): { ebs: Obj[]; ephemeral: Obj[] } {
  const ebs: Obj[] = [];
  const ephemeral: Obj[] = [];
  for (const m of img.BlockDeviceMappings ?? []) {
    if (m.Ebs) {
      ebs.push({
        delete_on_termination: m.Ebs.DeleteOnTermination ?? false,
        device_name: m.DeviceName ?? null,
        encrypted: m.Ebs.Encrypted ?? false,
        iops: m.Ebs.Iops ?? 0,
        outpost_arn: m.Ebs.OutpostArn ?? "",
        snapshot_id: m.Ebs.SnapshotId ?? "",
        throughput: m.Ebs.Throughput ?? 0,
        volume_size: m.Ebs.VolumeSize ?? 0,
        volume_type: m.Ebs.VolumeType ?? "",
      });
    } else if (m.VirtualName) {
      ephemeral.push({ device_name: m.DeviceName ?? null, virtual_name: m.VirtualName });
    }
  }
  return { ebs, ephemeral };
}

/** Attributes shared by aws_ami, aws_ami_from_instance, aws_ami_copy and data aws_ami. */
function flattenImage(ctx: ResourceContext, img: Image, state: Obj): Obj {
  const { ebs, ephemeral } = flattenBlockDevices(img);
  const root = (img.BlockDeviceMappings ?? []).find((m) => m.DeviceName === img.RootDeviceName);
  return {
    id: img.ImageId,
    arn: `arn:aws:ec2:${ctx.region}::image/${img.ImageId}`,
    architecture: img.Architecture ?? null,
    boot_mode: img.BootMode ?? "",
    deprecation_time: img.DeprecationTime ?? "",
    description: img.Description ?? "",
    ebs_block_device: ebs,
    ena_support: img.EnaSupport ?? false,
    ephemeral_block_device: ephemeral,
    hypervisor: img.Hypervisor ?? null,
    image_location: img.ImageLocation ?? null,
    image_owner_alias: img.ImageOwnerAlias ?? "",
    image_type: img.ImageType ?? null,
    imds_support: img.ImdsSupport ?? "",
    kernel_id: img.KernelId ?? "",
    last_launched_time: img.LastLaunchedTime ?? "",
    name: img.Name ?? null,
    owner_id: img.OwnerId ?? null,
    platform: img.Platform ?? "",
    platform_details: img.PlatformDetails ?? "",
    public: img.Public ?? false,
    ramdisk_id: img.RamdiskId ?? "",
    root_device_name: img.RootDeviceName ?? null,
    root_snapshot_id: root?.Ebs?.SnapshotId ?? "",
    sriov_net_support: img.SriovNetSupport ?? "",
    tags: tagsFromApi(ctx, img.Tags, state),
    tpm_support: img.TpmSupport ?? "",
    usage_operation: img.UsageOperation ?? "",
    virtualization_type: img.VirtualizationType ?? null,
  };
}

/** The image's state, or null once it is gone (deregistered). */
async function readImage(ctx: ResourceContext, state: Obj): Promise<Obj | null> {
  const img = await findImage(ctx, String(state.id));
  if (!img || img.State === "deregistered") return null;
  return flattenImage(ctx, img, state);
}

async function updateImage(ctx: ResourceContext, prior: Obj, plan: Obj): Promise<Obj> {
  const id = String(prior.id);
  const ec2 = await ctx.ec2();
  if (JSON.stringify(prior.tags_all) !== JSON.stringify(plan.tags_all)) await updateTags(ctx, id, prior, plan);
  if (prior.description !== plan.description && typeof plan.description === "string") {
    await ec2.modifyImageAttribute({ ImageId: id, Description: { Value: plan.description } });
  }
  if (prior.deprecation_time !== plan.deprecation_time) {
    if (s(plan.deprecation_time))
      await ec2.enableImageDeprecation({ ImageId: id, DeprecateAt: new Date(plan.deprecation_time as string) });
    else await ec2.disableImageDeprecation({ ImageId: id });
  }
  const img = await findImage(ctx, id);
  if (!img) throw new NotFoundError(`AMI (${id}) not found`);
  return flattenImage(ctx, img, plan);
}

/** Deregister, and for AMIs terraform created from instances or copies, delete their snapshots. */
async function deregister(ctx: ResourceContext, state: Obj, deleteSnapshots: boolean): Promise<void> {
  const id = String(state.id);
  const ec2 = await ctx.ec2();
  const snapshots = deleteSnapshots
    ? objs(state.ebs_block_device)
        .map((d) => s(d.snapshot_id))
        .filter((x): x is string => !!x)
    : [];
  try {
    await ec2.deregisterImage({ ImageId: id });
  } catch (err) {
    if (isNotFound(err)) return;
    throw err;
  }
  await waitImageGone(ctx, id, ctx.timeout("delete"));
  for (const snap of snapshots) {
    await nullIfNotFound(() => ec2.deleteSnapshot({ SnapshotId: snap }));
  }
}

async function afterCreate(ctx: ResourceContext, id: string, plan: Obj): Promise<Obj> {
  ctx.partial = { id };
  const img = await waitImage(ctx, id, ctx.timeout("create"));
  if (s(plan.deprecation_time)) {
    const ec2 = await ctx.ec2();
    await ec2.enableImageDeprecation({ ImageId: id, DeprecateAt: new Date(plan.deprecation_time as string) });
  }
  return flattenImage(ctx, (await findImage(ctx, id)) ?? img, plan);
}

export const awsAmi: ResourceImpl = {
  schema: aws_ami,
  title: "EC2 AMI",
  async create(ctx, plan) {
    const ec2 = await ctx.ec2();
    const mappings: BlockDeviceMapping[] = [
      ...objs(plan.ebs_block_device).map((d) => ({
        DeviceName: s(d.device_name),
        Ebs: {
          DeleteOnTermination: b(d.delete_on_termination),
          Encrypted: s(d.snapshot_id) ? undefined : b(d.encrypted),
          Iops: n(d.iops) || undefined,
          OutpostArn: s(d.outpost_arn),
          SnapshotId: s(d.snapshot_id),
          Throughput: n(d.throughput) || undefined,
          VolumeSize: n(d.volume_size) || undefined,
          VolumeType: s(d.volume_type) as never,
        },
      })),
      ...objs(plan.ephemeral_block_device).map((d) => ({
        DeviceName: s(d.device_name),
        VirtualName: s(d.virtual_name),
      })),
    ];
    const out = await ec2.registerImage({
      Name: s(plan.name),
      Description: s(plan.description),
      Architecture: s(plan.architecture) as never,
      BootMode: s(plan.boot_mode) as never,
      EnaSupport: b(plan.ena_support),
      ImageLocation: s(plan.image_location),
      ImdsSupport: s(plan.imds_support) as never,
      KernelId: s(plan.kernel_id),
      RamdiskId: s(plan.ramdisk_id),
      RootDeviceName: s(plan.root_device_name),
      SriovNetSupport: s(plan.sriov_net_support),
      TpmSupport: s(plan.tpm_support) as never,
      UefiData: s(plan.uefi_data),
      VirtualizationType: s(plan.virtualization_type),
      BlockDeviceMappings: mappings.length ? mappings : undefined,
      TagSpecifications: tagSpecs("image", tagsAll(plan)),
    });
    return afterCreate(ctx, out.ImageId!, plan);
  },
  read: (ctx, state) => readImage(ctx, state),
  update: (ctx, prior, plan) => updateImage(ctx, prior, plan),
  delete: (ctx, state) => deregister(ctx, state, false),
};

/**
 * aws_ami_from_instance and aws_ami_copy: EC2 makes the AMI (`start` asks for it and returns its ID)
 * and its snapshots, which terraform deletes with it unless manage_ebs_snapshots is false.
 */
function derivedAmi(
  schema: ResourceSchema,
  title: string,
  start: (ctx: ResourceContext, plan: Obj) => Promise<string>,
): ResourceImpl {
  return {
    schema,
    title,
    async create(ctx, plan) {
      const state = await afterCreate(ctx, await start(ctx, plan), plan);
      return { ...state, manage_ebs_snapshots: true };
    },
    async read(ctx, state) {
      const flat = await readImage(ctx, state);
      if (!flat) return null;
      return { ...flat, manage_ebs_snapshots: state.manage_ebs_snapshots ?? true };
    },
    update: async (ctx, prior, plan) => ({
      ...(await updateImage(ctx, prior, plan)),
      manage_ebs_snapshots: prior.manage_ebs_snapshots ?? true,
    }),
    delete: (ctx, state) => deregister(ctx, state, state.manage_ebs_snapshots !== false),
  };
}

export const awsAmiFromInstance: ResourceImpl = derivedAmi(
  aws_ami_from_instance,
  "EC2 AMI (from instance)",
  async (ctx, plan) => {
    const ec2 = await ctx.ec2();
    const out = await ec2.createImage({
      InstanceId: s(plan.source_instance_id),
      Name: s(plan.name),
      // hashicorp/aws always sends the description, "" when unset (EC2 would otherwise fill its own).
      Description: typeof plan.description === "string" ? plan.description : "",
      NoReboot: b(plan.snapshot_without_reboot),
      TagSpecifications: tagSpecs("image", tagsAll(plan)),
    });
    return out.ImageId!;
  },
);

export const awsAmiCopy: ResourceImpl = derivedAmi(aws_ami_copy, "EC2 AMI (copy)", async (ctx, plan) => {
  const ec2 = await ctx.ec2();
  const out = await ec2.copyImage({
    SourceImageId: s(plan.source_ami_id),
    SourceRegion: s(plan.source_ami_region),
    Name: s(plan.name),
    // As hashicorp/aws: always sent, "" when unset — else EC2 keeps the source's and the next plan differs.
    Description: typeof plan.description === "string" ? plan.description : "",
    Encrypted: b(plan.encrypted),
    KmsKeyId: s(plan.kms_key_id),
    DestinationOutpostArn: s(plan.destination_outpost_arn),
    ClientToken: `terraform-${Date.now()}-${Math.random().toString(36).slice(2, 10)}`,
    TagSpecifications: tagSpecs("image", tagsAll(plan)),
  });
  return out.ImageId!;
});

function launchPermissionOf(state: Obj): LaunchPermission {
  if (s(state.account_id)) return { UserId: state.account_id as string };
  if (s(state.group)) return { Group: state.group as never };
  if (s(state.organization_arn)) return { OrganizationArn: state.organization_arn as string };
  return { OrganizationalUnitArn: s(state.organizational_unit_arn) };
}
function permissionKey(p: LaunchPermission): string {
  return p.UserId ?? p.Group ?? p.OrganizationArn ?? p.OrganizationalUnitArn ?? "";
}

export const awsAmiLaunchPermission: ResourceImpl = {
  schema: aws_ami_launch_permission,
  title: "AMI Launch Permission",
  importState(id) {
    const i = id.lastIndexOf("/");
    if (i < 0)
      throw new Error(
        `unexpected format for ID (${id}), expected ACCOUNT-ID/IMAGE-ID or GROUP-NAME/IMAGE-ID or ORGANIZATION-ARN/IMAGE-ID or ORGANIZATIONAL-UNIT-ARN/IMAGE-ID`,
      );
    const who = id.slice(0, i);
    const image_id = id.slice(i + 1);
    const key = who.includes(":organization/")
      ? "organization_arn"
      : who.includes(":ou/")
        ? "organizational_unit_arn"
        : /^\d{12}$/.test(who)
          ? "account_id"
          : "group";
    return { id, image_id, [key]: who };
  },
  async create(ctx, plan) {
    const ec2 = await ctx.ec2();
    const perm = launchPermissionOf(plan);
    await ec2.modifyImageAttribute({
      ImageId: s(plan.image_id),
      Attribute: "launchPermission",
      LaunchPermission: { Add: [perm] },
    });
    return { id: `${permissionKey(perm)}/${plan.image_id}` };
  },
  async read(ctx, state) {
    const ec2 = await ctx.ec2();
    const perm = launchPermissionOf(state);
    return nullIfNotFound(async () => {
      const out = await ec2.describeImageAttribute({ ImageId: String(state.image_id), Attribute: "launchPermission" });
      const found = (out.LaunchPermissions ?? []).find((p) => permissionKey(p) === permissionKey(perm));
      return found ? {} : null;
    });
  },
  async delete(ctx, state) {
    const ec2 = await ctx.ec2();
    await nullIfNotFound(() =>
      ec2.modifyImageAttribute({
        ImageId: String(state.image_id),
        Attribute: "launchPermission",
        LaunchPermission: { Remove: [launchPermissionOf(state)] },
      }),
    );
  },
};

async function queryImages(ctx: ResourceContext, config: Obj): Promise<Image[]> {
  const ec2 = await ctx.ec2();
  const out = await ec2.describeImages({
    Owners: strs(config.owners).length ? strs(config.owners) : undefined,
    ExecutableUsers: strs(config.executable_users).length ? strs(config.executable_users) : undefined,
    Filters: buildFilters(config),
    IncludeDeprecated: b(config.include_deprecated),
  });
  let images = out.Images ?? [];
  if (s(config.name_regex)) {
    const re = new RegExp(config.name_regex as string);
    images = images.filter((i) => re.test(i.Name ?? ""));
  }
  return images;
}
const byCreation = (a: Image, b2: Image) => (a.CreationDate ?? "").localeCompare(b2.CreationDate ?? "");

export const dataAwsAmi: DataSourceImpl = {
  schema: data_aws_ami,
  title: "EC2 AMI",
  async read(ctx, config) {
    const images = await queryImages(ctx, config);
    if (images.length === 0) throw new NotFoundError();
    if (images.length > 1 && config.most_recent !== true)
      throw new Error(
        "Your query returned more than one result. Please try a more specific search criteria, or set `most_recent` attribute to true.",
      );
    const img = [...images].sort(byCreation).pop()!;
    const flat = flattenImage(ctx, img, {});
    return {
      ...flat,
      block_device_mappings: (img.BlockDeviceMappings ?? []).map((m) => ({
        device_name: m.DeviceName ?? "",
        ebs: m.Ebs
          ? Object.fromEntries(
              Object.entries({
                delete_on_termination: m.Ebs.DeleteOnTermination,
                encrypted: m.Ebs.Encrypted,
                iops: m.Ebs.Iops,
                snapshot_id: m.Ebs.SnapshotId,
                throughput: m.Ebs.Throughput,
                volume_size: m.Ebs.VolumeSize,
                volume_type: m.Ebs.VolumeType,
              }).map(([k, v]) => [k, v === undefined ? "" : String(v)]),
            )
          : {},
        no_device: m.NoDevice ?? "",
        virtual_name: m.VirtualName ?? "",
      })),
      creation_date: img.CreationDate ?? null,
      image_id: img.ImageId,
      product_codes: (img.ProductCodes ?? []).map((p) => ({
        product_code_id: p.ProductCodeId ?? "",
        product_code_type: p.ProductCodeType ?? "",
      })),
      state: img.State ?? null,
      state_reason: { code: img.StateReason?.Code ?? "UNSET", message: img.StateReason?.Message ?? "UNSET" },
      tags: dataSourceTags(ctx, img.Tags),
      deprecation_time: img.DeprecationTime ?? "",
      last_launched_time: img.LastLaunchedTime ?? "",
      ena_support: img.EnaSupport ?? false,
      uefi_data: "",
    };
  },
};

export const dataAwsAmiIds: DataSourceImpl = {
  schema: data_aws_ami_ids,
  title: "EC2 AMIs",
  async read(ctx, config) {
    const images = (await queryImages(ctx, config)).sort(byCreation);
    if (config.sort_ascending !== true) images.reverse();
    return { id: ctx.region, ids: images.map((i) => i.ImageId) };
  },
};
