// Schemas of the volumes family, matching hashicorp/aws 6.x (6.25.0): names, types, nesting and
// computed-ness as that provider reports them; ForceNew and defaults as its resource code declares.
import { bool, num, type ResourceSchema, str, tagsAttrs } from "../framework/schema.ts";

export const aws_ebs_volume: ResourceSchema = {
  version: 0,
  timeouts: { create: "5m", delete: "5m", update: "5m" },
  block: {
    attributes: {
      arn: str("c"),
      availability_zone: str("rF"),
      create_time: str("c"),
      encrypted: bool("ocF"),
      final_snapshot: bool("o", { default: false }),
      id: str("oc"),
      iops: num("oc"),
      kms_key_id: str("ocF"),
      multi_attach_enabled: bool("oF"),
      outpost_arn: str("oF"),
      region: str("oc"),
      size: num("oc", { atLeastOneOf: ["size", "snapshot_id"] }),
      snapshot_id: str("ocF", { atLeastOneOf: ["size", "snapshot_id"] }),
      ...tagsAttrs(),
      throughput: num("oc"),
      type: str("oc"),
      volume_initialization_rate: num("oF"),
    },
  },
};

export const aws_volume_attachment: ResourceSchema = {
  version: 0,
  timeouts: { create: "5m", delete: "5m" },
  block: {
    attributes: {
      device_name: str("rF"),
      force_detach: bool("o"),
      id: str("oc"),
      instance_id: str("rF"),
      region: str("oc"),
      skip_destroy: bool("o"),
      stop_instance_before_detaching: bool("o"),
      volume_id: str("rF"),
    },
  },
};

export const aws_ebs_snapshot: ResourceSchema = {
  version: 0,
  timeouts: { create: "10m", delete: "10m" },
  block: {
    attributes: {
      arn: str("c"),
      data_encryption_key_id: str("c"),
      description: str("oF"),
      encrypted: bool("c"),
      id: str("oc"),
      kms_key_id: str("c"),
      outpost_arn: str("oF"),
      owner_alias: str("c"),
      owner_id: str("c"),
      permanent_restore: bool("o"),
      region: str("oc"),
      storage_tier: str("oc"),
      ...tagsAttrs(),
      temporary_restore_days: num("o"),
      volume_id: str("rF"),
      volume_size: num("c"),
    },
  },
};
