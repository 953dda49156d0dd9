/**
 * From the EC2 Query handler to a hosted sandbox: which action goes where.
 *   core has it                       -> the sandbox runs it (durable before it answers)
 *   EC2's model has it, core does not -> UnsupportedOperation
 *   neither                           -> InvalidAction
 */
import { Ec2Error, errors, Sandbox } from "@ec2sim/core";
import { createQueryHandler, findOperation, type QueryHandler } from "@ec2sim/ec2-query";
import { DEFAULT_ACCOUNT_ID, type SandboxHost } from "./host.ts";

export function unsupportedOperation(action: string): Ec2Error {
  return new Ec2Error("UnsupportedOperation", `The action ${action} is not supported by this sandbox`);
}

export function routeAction(action: string): "core" | "unsupported" | "invalid" {
  if (Sandbox.hasAction(action) && findOperation(action)) return "core";
  if (findOperation(action)) return "unsupported";
  return "invalid";
}

export interface EndpointOptions {
  acceptAnySignature?: boolean;
  /** Wall clock for signature checks. */
  now?: () => Date;
  onInternalError?: (error: unknown, context: { requestId: string; action?: string }) => void;
}

/** The EC2 Query endpoint of one hosted sandbox. The sandbox must be loaded before a request is handed in. */
export function sandboxEndpoint(host: SandboxHost, sandbox: string, options: EndpointOptions = {}): QueryHandler {
  return createQueryHandler({
    acceptAnySignature: options.acceptAnySignature ?? false,
    defaultAccountId: DEFAULT_ACCOUNT_ID,
    defaultRegion: "us-east-1",
    ...(options.now ? { now: options.now } : {}),
    ...(options.onInternalError ? { onInternalError: options.onInternalError } : {}),
    credentials: (accessKeyId) => host.peek(sandbox)?.accountForAccessKey(accessKeyId),
    dispatch: (action, input, ctx) => {
      switch (routeAction(action)) {
        case "core":
          return host.call(sandbox, { accountId: ctx.accountId, region: ctx.region }, action, input);
        case "unsupported":
          throw unsupportedOperation(action);
        default:
          throw errors.invalidAction(action);
      }
    },
  });
}
