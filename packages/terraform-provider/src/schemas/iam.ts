// Schemas of the IAM family, matching hashicorp/aws 6.x (6.25.0): names, types, nesting and
// computed-ness as that provider declares them (internal/service/iam), ForceNew and defaults as its
// resource code declares. IAM is global: no `region` argument.
import {
  attr,
  bool,
  type DataSourceSchema,
  list,
  listBlock,
  num,
  obj,
  type ResourceSchema,
  setBlock,
  str,
  strList,
  strMap,
  strSet,
  tagsAttrs,
} from "../framework/schema.ts";

const DEPRECATED_INLINE =
  "inline_policy is deprecated. Use the aws_iam_role_policy resource instead. If Terraform should exclusively manage all inline policy associations (the current behavior of this argument), use the aws_iam_role_policies_exclusive resource as well.";
const DEPRECATED_MANAGED =
  "managed_policy_arns is deprecated. Use the aws_iam_role_policy_attachment resource instead. If Terraform should exclusively manage all managed policy attachments (the current behavior of this argument), use the aws_iam_role_policy_attachments_exclusive resource as well.";

export const aws_iam_role: ResourceSchema = {
  version: 0,
  block: {
    attributes: {
      arn: str("c"),
      assume_role_policy: str("r"),
      create_date: str("c"),
      description: str("o"),
      force_detach_policies: bool("o", { default: false }),
      id: str("oc"),
      managed_policy_arns: strSet("oc", { deprecated: DEPRECATED_MANAGED }),
      max_session_duration: num("o", { default: 3600 }),
      name: str("ocF", { conflictsWith: ["name_prefix"] }),
      name_prefix: str("ocF", { conflictsWith: ["name"] }),
      path: str("oF", { default: "/" }),
      permissions_boundary: str("o"),
      ...tagsAttrs(),
      unique_id: str("c"),
    },
    blocks: {
      inline_policy: setBlock({ name: str("o"), policy: str("o") }, { computed: true, deprecated: DEPRECATED_INLINE }),
    },
  },
};

export const aws_iam_instance_profile: ResourceSchema = {
  version: 0,
  block: {
    attributes: {
      arn: str("c"),
      create_date: str("c"),
      id: str("oc"),
      name: str("ocF", { conflictsWith: ["name_prefix"] }),
      name_prefix: str("ocF", { conflictsWith: ["name"] }),
      path: str("oF", { default: "/" }),
      role: str("o"),
      ...tagsAttrs(),
      unique_id: str("c"),
    },
  },
};

export const aws_iam_role_policy: ResourceSchema = {
  version: 0,
  block: {
    attributes: {
      id: str("oc"),
      name: str("ocF", { conflictsWith: ["name_prefix"] }),
      name_prefix: str("ocF", { conflictsWith: ["name"] }),
      policy: str("r"),
      role: str("rF"),
    },
  },
};

export const aws_iam_role_policy_attachment: ResourceSchema = {
  version: 0,
  block: {
    attributes: {
      id: str("oc"),
      policy_arn: str("rF"),
      role: str("rF"),
    },
  },
};

export const aws_iam_policy: ResourceSchema = {
  version: 0,
  block: {
    attributes: {
      arn: str("c"),
      attachment_count: num("c"),
      description: str("oF"),
      id: str("oc"),
      name: str("ocF", { conflictsWith: ["name_prefix"] }),
      name_prefix: str("ocF", { conflictsWith: ["name"] }),
      path: str("oF", { default: "/" }),
      policy: str("r"),
      policy_id: str("c"),
      ...tagsAttrs(),
    },
  },
};

const principalsBlock = () => setBlock({ identifiers: strSet("r"), type: str("r") });

export const data_aws_iam_policy_document: DataSourceSchema = {
  version: 0,
  block: {
    attributes: {
      id: str("oc"),
      json: str("c"),
      minified_json: str("c"),
      override_json: str("o", { deprecated: "Not used" }),
      override_policy_documents: strList("o"),
      policy_id: str("o"),
      source_json: str("o", { deprecated: "Not used" }),
      source_policy_documents: strList("o"),
      version: str("o", { oneOf: ["2008-10-17", "2012-10-17"] }),
    },
    blocks: {
      statement: listBlock(
        {
          actions: strSet("o"),
          effect: str("o", { oneOf: ["Allow", "Deny"] }),
          not_actions: strSet("o"),
          not_resources: strSet("o"),
          resources: strSet("o"),
          sid: str("o"),
        },
        {
          blocks: {
            condition: setBlock({ test: str("r"), values: strList("r"), variable: str("r") }),
            not_principals: principalsBlock(),
            principals: principalsBlock(),
          },
        },
      ),
    },
  },
};

export const data_aws_iam_role: DataSourceSchema = {
  version: 0,
  block: {
    attributes: {
      arn: str("c"),
      assume_role_policy: str("c"),
      create_date: str("c"),
      description: str("c"),
      id: str("oc"),
      max_session_duration: num("c"),
      name: str("r"),
      path: str("c"),
      permissions_boundary: str("c"),
      role_last_used: attr(list(obj({ last_used_date: "string", region: "string" })), "c"),
      tags: strMap("oc"),
      unique_id: str("c"),
    },
  },
};

export const data_aws_iam_instance_profile: DataSourceSchema = {
  version: 0,
  block: {
    attributes: {
      arn: str("c"),
      create_date: str("c"),
      id: str("oc"),
      name: str("r"),
      path: str("c"),
      role_arn: str("c"),
      role_id: str("c"),
      role_name: str("c"),
    },
  },
};

export const data_aws_iam_policy: DataSourceSchema = {
  version: 0,
  block: {
    attributes: {
      arn: str("oc", { conflictsWith: ["name", "path_prefix"] }),
      attachment_count: num("c"),
      description: str("c"),
      id: str("oc"),
      name: str("oc", { conflictsWith: ["arn"] }),
      path: str("c"),
      path_prefix: str("o", { conflictsWith: ["arn"] }),
      policy: str("c"),
      policy_id: str("c"),
      tags: strMap("oc"),
    },
  },
};

export const data_aws_partition: DataSourceSchema = {
  version: 0,
  block: {
    attributes: {
      dns_suffix: str("c"),
      id: str("oc"),
      partition: str("c"),
      reverse_dns_prefix: str("c"),
    },
  },
};
