// Schemas of the SSM Parameter Store family, matching hashicorp/aws 6.x (6.25.0) as its resource code
// declares them (internal/service/ssm/parameter.go). The write-only value_wo/value_wo_version pair is
// left out: ec2sim's plugin protocol handling has no write-only attributes (docs/COVERAGE.md).
import { bool, type DataSourceSchema, num, type ResourceSchema, str, tagsAttrs } from "../framework/schema.ts";

export const aws_ssm_parameter: ResourceSchema = {
  version: 0,
  block: {
    attributes: {
      allowed_pattern: str("o"),
      arn: str("oc"),
      data_type: str("ocF", { oneOf: ["aws:ec2:image", "aws:ssm:integration", "text"] }),
      description: str("o"),
      id: str("oc"),
      insecure_value: str("oc", { exactlyOneOf: ["insecure_value", "value"] }),
      key_id: str("oc"),
      name: str("rF"),
      overwrite: bool("o", { deprecated: "this attribute has been deprecated" }),
      region: str("oc"),
      ...tagsAttrs(),
      tier: str("o", { default: "Standard", oneOf: ["Standard", "Advanced", "Intelligent-Tiering"] }),
      type: str("r", { oneOf: ["String", "StringList", "SecureString"] }),
      value: str("ocS", { exactlyOneOf: ["insecure_value", "value"] }),
      version: num("c"),
    },
  },
};

export const data_aws_ssm_parameter: DataSourceSchema = {
  version: 0,
  block: {
    attributes: {
      arn: str("c"),
      id: str("oc"),
      insecure_value: str("c"),
      name: str("r"),
      region: str("oc"),
      type: str("c"),
      value: str("cS"),
      version: num("c"),
      with_decryption: bool("o"),
    },
  },
};
