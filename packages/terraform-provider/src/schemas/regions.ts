// Schemas of the regions family (data aws_availability_zone, aws_regions), matching hashicorp/aws 6.x.
import { bool, type DataSourceSchema, filterBlock, str, strSet } from "../framework/schema.ts";

export const data_aws_availability_zone: DataSourceSchema = {
  version: 0,
  timeouts: { read: "20m" },
  block: {
    attributes: {
      all_availability_zones: bool("o"),
      group_long_name: str("c"),
      group_name: str("c"),
      id: str("oc"),
      name: str("oc"),
      name_suffix: str("c"),
      network_border_group: str("c"),
      opt_in_status: str("c"),
      parent_zone_id: str("c"),
      parent_zone_name: str("c"),
      region: str("oc"),
      state: str("oc"),
      zone_id: str("oc"),
      zone_type: str("c"),
    },
    blocks: { filter: filterBlock() },
  },
};

/** Regions are global: no per-resource region here. */
export const data_aws_regions: DataSourceSchema = {
  version: 0,
  block: {
    attributes: { all_regions: bool("o"), id: str("oc"), names: strSet("c") },
    blocks: { filter: filterBlock() },
  },
};
