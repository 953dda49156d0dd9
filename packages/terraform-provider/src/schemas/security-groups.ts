// Schemas of the security-groups family, matching hashicorp/aws 6.x (6.25.0): names, types, nesting and
// computed-ness as that provider reports them; ForceNew and defaults as its resource code declares.
import {
  type Attr,
  attr,
  bool,
  type DataSourceSchema,
  filterBlock,
  list,
  num,
  obj,
  type ResourceSchema,
  set,
  str,
  strList,
  strMap,
  tagsAttrs,
} from "../framework/schema.ts";

/** aws_security_group's inline `ingress` and `egress` rules: sets of objects, optional and computed. */
const sgRules = (): Attr =>
  attr(
    set(
      obj({
        cidr_blocks: list("string"),
        description: "string",
        from_port: "number",
        ipv6_cidr_blocks: list("string"),
        prefix_list_ids: list("string"),
        protocol: "string",
        security_groups: set("string"),
        self: "bool",
        to_port: "number",
      }),
    ),
    "oc",
  );

export const aws_security_group: ResourceSchema = {
  version: 1,
  timeouts: { create: "10m", delete: "15m" },
  block: {
    attributes: {
      arn: str("c"),
      description: str("oF", { default: "Managed by Terraform" }),
      egress: sgRules(),
      id: str("oc"),
      ingress: sgRules(),
      name: str("ocF", { conflictsWith: ["name_prefix"] }),
      name_prefix: str("ocF", { conflictsWith: ["name"] }),
      owner_id: str("c"),
      region: str("oc"),
      revoke_rules_on_delete: bool("o", { default: false }),
      ...tagsAttrs(),
      vpc_id: str("ocF"),
    },
  },
};

/** aws_vpc_security_group_ingress_rule and aws_vpc_security_group_egress_rule (one schema, two directions). */
function vpcSecurityGroupRule(): ResourceSchema {
  return {
    version: 0,
    block: {
      attributes: {
        arn: str("c"),
        cidr_ipv4: str("o"),
        cidr_ipv6: str("o"),
        description: str("o"),
        from_port: num("o"),
        id: str("c"),
        ip_protocol: str("r"),
        prefix_list_id: str("o"),
        referenced_security_group_id: str("o"),
        region: str("oc"),
        security_group_id: str("rF"),
        security_group_rule_id: str("c"),
        ...tagsAttrs(true),
        to_port: num("o"),
      },
    },
    validators: [{ exactlyOneOf: ["cidr_ipv4", "cidr_ipv6", "prefix_list_id", "referenced_security_group_id"] }],
  };
}

export const aws_vpc_security_group_ingress_rule: ResourceSchema = vpcSecurityGroupRule();
export const aws_vpc_security_group_egress_rule: ResourceSchema = vpcSecurityGroupRule();

const RULE_SOURCES = ["cidr_blocks", "ipv6_cidr_blocks", "prefix_list_ids", "self", "source_security_group_id"];

export const aws_security_group_rule: ResourceSchema = {
  version: 2,
  timeouts: { create: "5m" },
  block: {
    attributes: {
      cidr_blocks: strList("oF", { conflictsWith: ["source_security_group_id", "self"], atLeastOneOf: RULE_SOURCES }),
      description: str("o"),
      from_port: num("rF"),
      id: str("oc"),
      ipv6_cidr_blocks: strList("oF", {
        conflictsWith: ["source_security_group_id", "self"],
        atLeastOneOf: RULE_SOURCES,
      }),
      prefix_list_ids: strList("oF", { atLeastOneOf: RULE_SOURCES }),
      protocol: str("rF"),
      region: str("oc"),
      security_group_id: str("rF"),
      security_group_rule_id: str("c"),
      self: bool("oF", {
        default: false,
        conflictsWith: ["cidr_blocks", "ipv6_cidr_blocks", "source_security_group_id"],
        atLeastOneOf: RULE_SOURCES,
      }),
      source_security_group_id: str("ocF", {
        conflictsWith: ["cidr_blocks", "ipv6_cidr_blocks", "self"],
        atLeastOneOf: RULE_SOURCES,
      }),
      to_port: num("rF"),
      type: str("rF", { oneOf: ["ingress", "egress"] }),
    },
  },
};

/** Adopts a VPC's default group: its rules become the configured ones; destroy only forgets it. */
export const aws_default_security_group: ResourceSchema = {
  version: 1,
  block: {
    attributes: {
      arn: str("c"),
      description: str("c"),
      egress: sgRules(),
      id: str("oc"),
      ingress: sgRules(),
      name: str("c"),
      name_prefix: str("c"),
      owner_id: str("c"),
      region: str("oc"),
      revoke_rules_on_delete: bool("o", { default: false }),
      ...tagsAttrs(),
      vpc_id: str("ocF"),
    },
  },
};

export const data_aws_security_groups: DataSourceSchema = {
  version: 0,
  timeouts: { read: "20m" },
  block: {
    attributes: {
      arns: strList("c"),
      id: str("oc"),
      ids: strList("c"),
      region: str("oc"),
      tags: strMap("oc"),
      vpc_ids: strList("c"),
    },
    blocks: {
      filter: filterBlock(),
    },
  },
};

export const data_aws_security_group: DataSourceSchema = {
  version: 0,
  timeouts: { read: "20m" },
  block: {
    attributes: {
      arn: str("c"),
      description: str("c"),
      id: str("oc"),
      name: str("oc"),
      region: str("oc"),
      tags: strMap("oc"),
      vpc_id: str("oc"),
    },
    blocks: {
      filter: filterBlock(),
    },
  },
};
