/**
 * docs/NETWORKING.md names every feature the sandbox leaves out, in the words the endpoint and the
 * Terraform provider use (core's UNSUPPORTED_FEATURES), and every resource type the provider refuses.
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  ACTIONS,
  UNSUPPORTED_FEATURES,
  unsupportedFeatureOfAction,
  unsupportedFeatureOfTerraformType,
} from "@ec2sim/core";
import { listOperations } from "@ec2sim/ec2-query";
import { providerDefinition, unsupportedTerraformTypes } from "@ec2sim/terraform-provider";
import { describe, expect, it } from "vitest";

const DOC = readFileSync(join(dirname(fileURLToPath(import.meta.url)), "../../../docs/NETWORKING.md"), "utf8");
const LEFT_OUT = DOC.slice(DOC.indexOf("## Not modelled"));

describe("docs/NETWORKING.md and the one list of what is left out", () => {
  it("names every feature of the list, as the messages word it", () => {
    const missing = UNSUPPORTED_FEATURES.map((f) => f.feature).filter((f) => !LEFT_OUT.includes(`| ${f} |`));
    expect(missing).toEqual([]);
  });

  it("names every resource type the provider refuses at plan, and each belongs to a feature", () => {
    const types = unsupportedTerraformTypes();
    expect(types).toEqual(expect.arrayContaining(["aws_vpc_peering_connection", "aws_flow_log", "aws_vpn_gateway"]));
    // The doc abbreviates a family's further types as `_suffix` after its first one.
    const named = (t: string) =>
      LEFT_OUT.includes(`\`${t}\``) ||
      types.some((base) => t.startsWith(`${base}_`) && LEFT_OUT.includes(`\`${t.slice(base.length)}\``));
    expect(types.filter((t) => !named(t))).toEqual([]);
    expect(types.filter((t) => !unsupportedFeatureOfTerraformType(t))).toEqual([]);
    for (const t of types) expect(providerDefinition.resources[t], t).toBeDefined();
  });

  it("every feature with EC2 actions matches some action of the model that core does not serve", () => {
    const unserved = listOperations().filter((a) => !(a in ACTIONS));
    for (const f of UNSUPPORTED_FEATURES.filter((x) => x.actions))
      expect(
        unserved.some((a) => unsupportedFeatureOfAction(a) === f),
        f.feature,
      ).toBe(true);
    expect(unsupportedFeatureOfAction("CreateVpcPeeringConnection")?.feature).toBe("VPC peering");
    expect(unsupportedFeatureOfAction("CreateManagedPrefixList")?.feature).toBe("prefix lists");
    expect(unsupportedFeatureOfAction("CreateIpamPrefixListResolver")?.feature).toBe(
      "IPAM and bring-your-own IP addresses",
    );
    expect(unsupportedFeatureOfAction("RunInstances")).toBeUndefined();
  });
});
