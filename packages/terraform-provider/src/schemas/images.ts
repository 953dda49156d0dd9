// Schemas of the images family, matching hashicorp/aws 6.x (6.25.0): names, types, nesting and
// computed-ness as that provider reports them; ForceNew and defaults as its resource code declares.
import {
  attr,
  type Block,
  bool,
  type DataSourceSchema,
  filterBlock,
  map,
  num,
  obj,
  type ResourceSchema,
  set,
  setBlock,
  str,
  strList,
  strMap,
  tagsAttrs,
} from "../framework/schema.ts";

/** What an AMI reports about itself: computed in aws_ami_copy, aws_ami_from_instance and data aws_ami (aws_ami sets the image's properties as arguments). */
function amiAttributes(): Block["attributes"] {
  return {
    architecture: str("c"),
    arn: str("c"),
    boot_mode: str("c"),
    ena_support: bool("c"),
    hypervisor: str("c"),
    id: str("oc"),
    image_location: str("c"),
    image_owner_alias: str("c"),
    image_type: str("c"),
    imds_support: str("c"),
    kernel_id: str("c"),
    last_launched_time: str("c"),
    owner_id: str("c"),
    platform: str("c"),
    platform_details: str("c"),
    public: bool("c"),
    ramdisk_id: str("c"),
    region: str("oc"),
    root_device_name: str("c"),
    root_snapshot_id: str("c"),
    sriov_net_support: str("c"),
    tpm_support: str("c"),
    uefi_data: str("c"),
    usage_operation: str("c"),
    virtualization_type: str("c"),
  };
}

/** The attributes of the three AMI resources: amiAttributes plus name, description, deprecation_time and tags. */
function amiResourceAttributes(): Block["attributes"] {
  return {
    ...amiAttributes(),
    deprecation_time: str("o"),
    description: str("o"),
    manage_ebs_snapshots: bool("c"),
    name: str("rF"),
    ...tagsAttrs(),
  };
}

const amiTimeouts = { create: "40m", delete: "90m", update: "40m" };

export const aws_ami: ResourceSchema = {
  version: 0,
  timeouts: amiTimeouts,
  block: {
    attributes: {
      ...amiResourceAttributes(),
      // RegisterImage's arguments.
      architecture: str("oF", { default: "x86_64" }),
      boot_mode: str("oF"),
      ena_support: bool("oF"),
      image_location: str("ocF"),
      imds_support: str("oF"),
      kernel_id: str("oF"),
      ramdisk_id: str("oF"),
      root_device_name: str("oF"),
      sriov_net_support: str("oF", { default: "simple" }),
      tpm_support: str("oF"),
      uefi_data: str("oF"),
      virtualization_type: str("oF", { default: "paravirtual" }),
    },
    blocks: {
      ebs_block_device: setBlock(
        {
          delete_on_termination: bool("oF", { default: true }),
          device_name: str("rF"),
          encrypted: bool("oF", { default: false }),
          iops: num("ocF"),
          outpost_arn: str("oF"),
          snapshot_id: str("oF"),
          throughput: num("ocF"),
          volume_size: num("ocF"),
          volume_type: str("oF", { default: "standard" }),
        },
        { computed: true, forceNew: true },
      ),
      ephemeral_block_device: setBlock(
        {
          device_name: str("rF"),
          virtual_name: str("rF"),
        },
        { computed: true, forceNew: true },
      ),
    },
  },
};

/** aws_ami_from_instance and aws_ami_copy: an AMI EC2 makes from something else, whose properties and block devices are only reported. */
function derivedAmi(args: Block["attributes"]): ResourceSchema {
  return {
    version: 0,
    timeouts: amiTimeouts,
    block: {
      attributes: { ...amiResourceAttributes(), ...args },
      blocks: {
        ebs_block_device: setBlock(
          {
            delete_on_termination: bool("c"),
            device_name: str("c"),
            encrypted: bool("c"),
            iops: num("c"),
            outpost_arn: str("c"),
            snapshot_id: str("c"),
            throughput: num("c"),
            volume_size: num("c"),
            volume_type: str("c"),
          },
          { computed: true },
        ),
        ephemeral_block_device: setBlock(
          {
            device_name: str("c"),
            virtual_name: str("c"),
          },
          { computed: true },
        ),
      },
    },
  };
}

export const aws_ami_from_instance: ResourceSchema = derivedAmi({
  snapshot_without_reboot: bool("oF"),
  source_instance_id: str("rF"),
});

export const aws_ami_copy: ResourceSchema = derivedAmi({
  destination_outpost_arn: str("oF"),
  encrypted: bool("oF", { default: false }),
  kms_key_id: str("ocF"),
  source_ami_id: str("rF"),
  source_ami_region: str("rF"),
});

const LAUNCH_PERMISSION_TARGETS = ["account_id", "group", "organization_arn", "organizational_unit_arn"];

export const aws_ami_launch_permission: ResourceSchema = {
  version: 0,
  block: {
    attributes: {
      account_id: str("oF", { exactlyOneOf: LAUNCH_PERMISSION_TARGETS }),
      group: str("oF", { exactlyOneOf: LAUNCH_PERMISSION_TARGETS }),
      id: str("oc"),
      image_id: str("rF"),
      organization_arn: str("oF", { exactlyOneOf: LAUNCH_PERMISSION_TARGETS }),
      organizational_unit_arn: str("oF", { exactlyOneOf: LAUNCH_PERMISSION_TARGETS }),
      region: str("oc"),
    },
  },
};

export const data_aws_ami: DataSourceSchema = {
  version: 0,
  timeouts: { read: "20m" },
  block: {
    attributes: {
      ...amiAttributes(),
      allow_unsafe_filter: bool("o"),
      block_device_mappings: attr(
        set(obj({ device_name: "string", ebs: map("string"), no_device: "string", virtual_name: "string" })),
        "c",
      ),
      creation_date: str("c"),
      deprecation_time: str("c"),
      description: str("c"),
      executable_users: strList("o"),
      image_id: str("c"),
      include_deprecated: bool("o"),
      most_recent: bool("o"),
      name: str("c"),
      name_regex: str("o"),
      owners: strList("o"),
      product_codes: attr(set(obj({ product_code_id: "string", product_code_type: "string" })), "c"),
      root_device_type: str("c"),
      state: str("c"),
      state_reason: strMap("c"),
      tags: strMap("oc"),
      uefi_data: str("oc"),
    },
    blocks: {
      filter: filterBlock(),
    },
  },
};

export const data_aws_ami_ids: DataSourceSchema = {
  version: 0,
  timeouts: { read: "20m" },
  block: {
    attributes: {
      executable_users: strList("o"),
      id: str("oc"),
      ids: strList("c"),
      include_deprecated: bool("o"),
      name_regex: str("o"),
      owners: strList("r"),
      region: str("oc"),
      sort_ascending: bool("o"),
    },
    blocks: {
      filter: filterBlock(),
    },
  },
};
