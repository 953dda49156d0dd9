// Schemas of the key-pairs family, matching hashicorp/aws 6.x (6.25.0): names, types, nesting and
// computed-ness as that provider reports them; ForceNew and defaults as its resource code declares.
import {
  bool,
  type DataSourceSchema,
  filterBlock,
  type ResourceSchema,
  str,
  strMap,
  tagsAttrs,
} from "../framework/schema.ts";

export const aws_key_pair: ResourceSchema = {
  version: 1,
  block: {
    attributes: {
      arn: str("c"),
      fingerprint: str("c"),
      id: str("oc"),
      key_name: str("ocF", { conflictsWith: ["key_name_prefix"] }),
      key_name_prefix: str("ocF", { conflictsWith: ["key_name"] }),
      key_pair_id: str("c"),
      key_type: str("c"),
      public_key: str("rF"),
      region: str("oc"),
      ...tagsAttrs(),
    },
  },
};

export const data_aws_key_pair: DataSourceSchema = {
  version: 0,
  timeouts: { read: "20m" },
  block: {
    attributes: {
      arn: str("c"),
      create_time: str("c"),
      fingerprint: str("c"),
      id: str("oc"),
      include_public_key: bool("o"),
      key_name: str("oc"),
      key_pair_id: str("oc"),
      key_type: str("c"),
      public_key: str("c"),
      region: str("oc"),
      tags: strMap("oc"),
    },
    blocks: {
      filter: filterBlock(),
    },
  },
};
