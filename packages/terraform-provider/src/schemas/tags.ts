// Schemas of the tags family: aws_ec2_tag (one tag on any EC2 resource) and data aws_default_tags
// (the provider's default_tags), matching hashicorp/aws 6.x.
import { type DataSourceSchema, type ResourceSchema, str, strMap } from "../framework/schema.ts";

export const aws_ec2_tag: ResourceSchema = {
  version: 0,
  block: {
    attributes: {
      id: str("oc"),
      key: str("rF"),
      region: str("oc"),
      resource_id: str("rF"),
      value: str("r"),
    },
  },
};

/** Provider-level: no API call and no region. */
export const data_aws_default_tags: DataSourceSchema = {
  version: 0,
  block: { attributes: { id: str("oc"), tags: strMap("c") } },
};
