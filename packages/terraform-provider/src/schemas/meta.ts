// Schemas of the meta family, matching hashicorp/aws 6.x (6.25.0): names, types, nesting and
// computed-ness as that provider reports them; ForceNew and defaults as its resource code declares.
import { bool, type DataSourceSchema, filterBlock, str, strList, strSet } from "../framework/schema.ts";

export const data_aws_availability_zones: DataSourceSchema = {
  version: 0,
  timeouts: { read: "20m" },
  block: {
    attributes: {
      all_availability_zones: bool("o"),
      exclude_names: strSet("o"),
      exclude_zone_ids: strSet("o"),
      group_names: strSet("c"),
      id: str("oc"),
      names: strList("c"),
      region: str("oc"),
      state: str("oc"),
      zone_ids: strList("c"),
    },
    blocks: {
      filter: filterBlock(),
    },
  },
};

export const data_aws_region: DataSourceSchema = {
  version: 0,
  block: {
    attributes: {
      description: str("c"),
      endpoint: str("oc"),
      id: str("oc"),
      name: str("oc"),
      region: str("oc"),
    },
  },
};

export const data_aws_caller_identity: DataSourceSchema = {
  version: 0,
  block: {
    attributes: {
      account_id: str("c"),
      arn: str("c"),
      id: str("oc"),
      user_id: str("c"),
    },
  },
};
