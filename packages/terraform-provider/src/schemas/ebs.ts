// Schemas of the EBS data sources and the snapshot resources beside aws_ebs_volume/aws_ebs_snapshot
// (data aws_ebs_volume, aws_ebs_snapshot, aws_ebs_snapshot_ids; aws_ebs_snapshot_copy,
// aws_snapshot_create_volume_permission), matching hashicorp/aws 6.x.
import {
  bool,
  type DataSourceSchema,
  filterBlock,
  num,
  type ResourceSchema,
  str,
  strList,
  strMap,
  tagsAttrs,
} from "../framework/schema.ts";

export const data_aws_ebs_volume: DataSourceSchema = {
  version: 0,
  timeouts: { read: "20m" },
  block: {
    attributes: {
      arn: str("c"),
      availability_zone: str("c"),
      create_time: str("c"),
      encrypted: bool("c"),
      id: str("oc"),
      iops: num("c"),
      kms_key_id: str("c"),
      most_recent: bool("o", { default: false }),
      multi_attach_enabled: bool("c"),
      outpost_arn: str("c"),
      region: str("oc"),
      size: num("c"),
      snapshot_id: str("c"),
      tags: strMap("oc"),
      throughput: num("c"),
      volume_id: str("c"),
      volume_initialization_rate: num("c"),
      volume_type: str("c"),
    },
    blocks: { filter: filterBlock() },
  },
};

export const data_aws_ebs_snapshot: DataSourceSchema = {
  version: 0,
  timeouts: { read: "20m" },
  block: {
    attributes: {
      arn: str("c"),
      data_encryption_key_id: str("c"),
      description: str("c"),
      encrypted: bool("c"),
      id: str("oc"),
      kms_key_id: str("c"),
      most_recent: bool("o", { default: false }),
      outpost_arn: str("c"),
      owner_alias: str("c"),
      owner_id: str("c"),
      owners: strList("o"),
      region: str("oc"),
      restorable_by_user_ids: strList("o"),
      snapshot_id: str("c"),
      snapshot_ids: strList("o"),
      start_time: str("c"),
      state: str("c"),
      storage_tier: str("c"),
      tags: strMap("oc"),
      volume_id: str("c"),
      volume_size: num("c"),
    },
    blocks: { filter: filterBlock() },
  },
};

export const data_aws_ebs_snapshot_ids: DataSourceSchema = {
  version: 0,
  timeouts: { read: "20m" },
  block: {
    attributes: {
      id: str("oc"),
      ids: strList("c"),
      owners: strList("o"),
      region: str("oc"),
      restorable_by_user_ids: strList("o"),
    },
    blocks: { filter: filterBlock() },
  },
};

export const aws_ebs_snapshot_copy: ResourceSchema = {
  version: 0,
  timeouts: { create: "10m", delete: "10m" },
  block: {
    attributes: {
      arn: str("c"),
      completion_duration_minutes: num("oF"),
      data_encryption_key_id: str("c"),
      description: str("oF"),
      encrypted: bool("oF"),
      id: str("oc"),
      kms_key_id: str("oF"),
      outpost_arn: str("c"),
      owner_alias: str("c"),
      owner_id: str("c"),
      permanent_restore: bool("o"),
      region: str("oc"),
      source_region: str("rF"),
      source_snapshot_id: str("rF"),
      storage_tier: str("oc", { oneOf: ["archive", "standard"] }),
      ...tagsAttrs(),
      temporary_restore_days: num("o"),
      volume_id: str("c"),
      volume_size: num("c"),
    },
  },
};

export const aws_snapshot_create_volume_permission: ResourceSchema = {
  version: 0,
  timeouts: { create: "20m", delete: "5m" },
  block: {
    attributes: {
      account_id: str("rF"),
      id: str("oc"),
      region: str("oc"),
      snapshot_id: str("rF"),
    },
  },
};
