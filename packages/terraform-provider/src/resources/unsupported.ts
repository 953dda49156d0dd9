// The resource types ec2sim leaves out (VPC peering, transit gateways, flow logs, …): in the schema so
// that configurations declaring them unused (a module's optional resources behind `count = 0`) validate
// and plan, and a plan that would make one gets a diagnostic naming what is missing.
import { UNSUPPORTED_FEATURES_DOC } from "@ec2sim/core/unsupported-features";
import type { ResourceImpl } from "../framework/provider.ts";
import { errorDiagnostic } from "../framework/provider.ts";
import { unsupportedSchemas, unsupportedWhat } from "../schemas/unsupported.ts";

function unsupported(type: string): ResourceImpl {
  const what = unsupportedWhat(type);
  const refuse = async (): Promise<never> => {
    throw new Error(`ec2sim does not support ${what} (${type})`);
  };
  return {
    schema: { version: 0, block: unsupportedSchemas[type]! },
    title: type,
    refuse: () =>
      errorDiagnostic(
        `ec2sim does not support ${type}`,
        `The sandbox does not simulate ${what}, so ${type} cannot be planned or applied against it. ` +
          `Remove it from the configuration used with the sandbox (${UNSUPPORTED_FEATURES_DOC} in ec2sim lists what it leaves out).`,
      ),
    create: refuse,
    read: refuse,
    delete: refuse,
  };
}

/** Every unsupported type, as resources of the provider definition. */
export const unsupportedResources: Record<string, ResourceImpl> = Object.fromEntries(
  Object.keys(unsupportedSchemas).map((t) => [t, unsupported(t)]),
);
