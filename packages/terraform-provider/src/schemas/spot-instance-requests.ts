// aws_spot_instance_request as hashicorp/aws builds it: aws_instance's schema with every argument
// ForceNew (tags aside), without the instance's own Spot attributes, plus the request's arguments.
import { type Attr, bool, type NestedBlock, num, type ResourceSchema, str } from "../framework/schema.ts";
import { aws_instance } from "./instances.ts";

const instanceAttrs = Object.fromEntries(
  Object.entries(aws_instance.block.attributes)
    .filter(([name]) => !["instance_lifecycle", "spot_instance_request_id"].includes(name))
    .map(([name, a]): [string, Attr] => [
      name,
      (a.computed && !a.optional) || ["id", "tags", "tags_all"].includes(name) ? a : { ...a, forceNew: true },
    ]),
);

const instanceBlocks = Object.fromEntries(
  Object.entries(aws_instance.block.blocks ?? {})
    .filter(([name]) => name !== "instance_market_options")
    .map(([name, b]): [string, NestedBlock] => [name, { ...b, forceNew: true }]),
);

export const aws_spot_instance_request: ResourceSchema = {
  version: 0,
  timeouts: { create: "10m", read: "15m", delete: "20m" },
  block: {
    attributes: {
      ...instanceAttrs,
      block_duration_minutes: num("oF"),
      instance_interruption_behavior: str("oF", {
        default: "terminate",
        oneOf: ["hibernate", "stop", "terminate"],
      }),
      launch_group: str("oF"),
      spot_bid_status: str("c"),
      spot_instance_id: str("c"),
      spot_price: str("ocF"),
      spot_request_state: str("c"),
      spot_type: str("o", { default: "persistent", oneOf: ["one-time", "persistent"] }),
      valid_from: str("ocF"),
      valid_until: str("ocF"),
      wait_for_fulfillment: bool("o", { default: false }),
    },
    blocks: instanceBlocks,
  },
};
