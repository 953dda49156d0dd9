// Schema of aws_ec2_instance_state (keeps an instance running or stopped), matching hashicorp/aws 6.x.
import { bool, type ResourceSchema, str } from "../framework/schema.ts";

export const aws_ec2_instance_state: ResourceSchema = {
  version: 0,
  timeouts: { create: "10m", update: "10m", delete: "1m" },
  block: {
    attributes: {
      force: bool("o", { default: false }),
      id: str("oc"),
      instance_id: str("rF"),
      region: str("oc"),
      state: str("r", { oneOf: ["running", "stopped"] }),
    },
  },
};
