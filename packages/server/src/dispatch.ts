/**
 * From the endpoint to a hosted sandbox. One port serves every service: a request goes to EC2's
 * Query handler or to the IAM/STS/SSM handler by the service it is for (`serviceOfRequest`: the
 * X-Amz-Target prefix, the SigV4 scope, the awsQuery Version). Then, which action goes where:
 *   core has it                       -> the sandbox runs it (durable before it answers)
 *   the model has it, core does not   -> EC2: UnsupportedOperation; IAM/STS: InvalidAction; SSM:
 *                                        UnknownOperationException (each service's own code)
 *   neither                           -> the protocol layer answered already (InvalidAction, …)
 * Core names the other services' actions with their prefix (`iam:CreateRole`).
 */

import {
  createServiceHandler,
  SERVICES,
  type ServiceId,
  serviceOfRequest,
  unknownOperation,
} from "@ec2sim/aws-protocols";
import { Ec2Error, errors, Sandbox, UNSUPPORTED_FEATURES_DOC, unsupportedFeatureOfAction } from "@ec2sim/core";
import { createQueryHandler, findOperation, type QueryHandler } from "@ec2sim/ec2-query";
import { DEFAULT_ACCOUNT_ID, type SandboxHost } from "./host.ts";

/** An EC2 action of the model core lacks; when it belongs to a feature left out on purpose, the message names it. */
export function unsupportedOperation(action: string): Ec2Error {
  const base = `The action ${action} is not supported by this sandbox`;
  const f = unsupportedFeatureOfAction(action);
  return new Ec2Error(
    "UnsupportedOperation",
    f ? `${base}: ec2sim does not simulate ${f.feature} (${UNSUPPORTED_FEATURES_DOC} lists what it leaves out)` : base,
  );
}

type Route = "core" | "unsupported" | "invalid";
/** Routes of the model's actions, worked out once each (a fixed set: unknown names are not kept). */
const routes = new Map<string, Route>();

export function routeAction(action: string): Route {
  let route = routes.get(action);
  if (route === undefined) {
    if (!findOperation(action)) return "invalid";
    route = Sandbox.hasAction(action) ? "core" : "unsupported";
    routes.set(action, route);
  }
  return route;
}

export interface EndpointOptions {
  acceptAnySignature?: boolean;
  /** Wall clock for signature checks. */
  now?: () => Date;
  onInternalError?: (error: unknown, context: { requestId: string; action?: string }) => void;
}

/** A modelled action of IAM, STS or SSM that core does not implement, in the service's own words. */
export function unimplementedServiceAction(service: ServiceId, action: string): Ec2Error {
  if (SERVICES[service].protocol === "awsJson1_1") {
    const e = unknownOperation(action);
    return new Ec2Error(e.code, `The operation ${action} is not supported by this sandbox`);
  }
  return new Ec2Error("InvalidAction", `The action ${action} is not supported by this sandbox`);
}

/**
 * The endpoint of one hosted sandbox: EC2, IAM, STS and SSM on one URL. The sandbox must be loaded
 * before a request is handed in.
 */
export function sandboxEndpoint(host: SandboxHost, sandbox: string, options: EndpointOptions = {}): QueryHandler {
  const ec2 = ec2Endpoint(host, sandbox, options);
  const services = createServiceHandler({
    acceptAnySignature: options.acceptAnySignature ?? false,
    defaultAccountId: DEFAULT_ACCOUNT_ID,
    defaultRegion: "us-east-1",
    ...(options.now ? { now: options.now } : {}),
    ...(options.onInternalError ? { onInternalError: options.onInternalError } : {}),
    credentials: (accessKeyId) => host.peek(sandbox)?.accountForAccessKey(accessKeyId),
    dispatch: (service, action, input, ctx) => {
      const coreAction = `${SERVICES[service].actionPrefix}:${action}`;
      if (!Sandbox.hasAction(coreAction)) throw unimplementedServiceAction(service, action);
      return host.call(
        sandbox,
        { accountId: ctx.accountId, region: ctx.region, ...(ctx.accessKeyId ? { accessKeyId: ctx.accessKeyId } : {}) },
        coreAction,
        input,
      );
    },
  });
  return (request) => {
    const service = serviceOfRequest(request);
    return service === "ec2" ? ec2(request) : services(service, request);
  };
}

function ec2Endpoint(host: SandboxHost, sandbox: string, options: EndpointOptions): QueryHandler {
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
