/**
 * The endpoint of the services beside EC2 as a transport-agnostic function, like ec2-query's
 * `createQueryHandler`: verify SigV4 (scoped to the service's signing name), load the service's
 * model on its first request, parse with the service's protocol, call `dispatch`, and answer in
 * that protocol — errors included: whatever goes wrong, the body is the service's own error shape,
 * and an unexpected exception is a 500 without a stack trace.
 */
import { randomUUID } from "node:crypto";
import { Ec2Error, isEc2Error } from "@ec2sim/core";
import {
  DEFAULT_ACCOUNT_ID,
  DEFAULT_REGION,
  type HttpRequestLike,
  type QueryHttpResponse,
  type QueryRequestContext,
  readCredentialScope,
  type SecretLookup,
  splitPath,
  verifySigV4,
} from "@ec2sim/ec2-query";
import { parseAwsJsonRequest, serializeAwsJsonError, serializeAwsJsonResponse } from "./json/aws-json.ts";
import { loadServiceModel, type ServiceModel } from "./model.ts";
import { parseAwsQueryRequest, serializeAwsQueryError, serializeAwsQueryResponse } from "./query/aws-query.ts";
import { requestHeader } from "./route.ts";
import { SERVICES, type ServiceId, type ServiceSpec } from "./services.ts";

/** Performs an action of a service: returns the SDK-shaped output or throws an Ec2Error. */
export type ServiceDispatch = (
  service: ServiceId,
  action: string,
  input: Record<string, unknown>,
  context: QueryRequestContext,
) => unknown;

export interface ServiceHandlerOptions {
  readonly dispatch: ServiceDispatch;
  readonly credentials: SecretLookup;
  readonly acceptAnySignature?: boolean;
  readonly defaultAccountId?: string;
  readonly defaultRegion?: string;
  readonly now?: () => Date;
  readonly requestIdFactory?: () => string;
  readonly onInternalError?: (error: unknown, context: { requestId: string; action?: string }) => void;
}

export type ServiceHandler = (service: ServiceId, request: HttpRequestLike) => Promise<QueryHttpResponse>;

const UNKNOWN_KEY = "The security token included in the request is invalid.";
const BAD_SIGNATURE =
  "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.";

const authErrorsOf = (spec: ServiceSpec) => ({
  unknownKey: () => new Ec2Error(spec.authErrors.unknownKey[0], UNKNOWN_KEY, spec.authErrors.unknownKey[1]),
  badSignature: () => new Ec2Error(spec.authErrors.badSignature[0], BAD_SIGNATURE, spec.authErrors.badSignature[1]),
});

export function createServiceHandler(options: ServiceHandlerOptions): ServiceHandler {
  const now = options.now ?? (() => new Date());
  const newRequestId = options.requestIdFactory ?? randomUUID;
  const defaultAccountId = options.defaultAccountId ?? DEFAULT_ACCOUNT_ID;
  const defaultRegion = options.defaultRegion ?? DEFAULT_REGION;

  const identify = (spec: ServiceSpec, request: HttpRequestLike): Omit<QueryRequestContext, "requestId"> => {
    if (!options.acceptAnySignature) {
      const caller = verifySigV4(request, {
        secretFor: options.credentials,
        now,
        service: spec.signingName,
        authErrors: authErrorsOf(spec),
      });
      return { accountId: caller.accountId, region: caller.region, accessKeyId: caller.accessKeyId };
    }
    const scope = readCredentialScope(request);
    if (!scope) return { accountId: defaultAccountId, region: defaultRegion, accessKeyId: undefined };
    const known = options.credentials(scope.accessKeyId);
    return { accountId: known?.accountId ?? defaultAccountId, region: scope.region, accessKeyId: scope.accessKeyId };
  };

  const respond = (spec: ServiceSpec, status: number, body: string, requestId: string): QueryHttpResponse => ({
    status,
    headers: {
      "content-type": spec.protocol === "awsJson1_1" ? "application/x-amz-json-1.1" : "text/xml",
      "x-amzn-requestid": requestId,
      server: spec.server,
    },
    body,
  });

  const fail = (spec: ServiceSpec, model: ServiceModel | undefined, error: Ec2Error, requestId: string) => {
    if (spec.protocol === "awsJson1_1") {
      const { status, body } = serializeAwsJsonError(model, error);
      const out = respond(spec, status, body, requestId);
      return { ...out, headers: { ...out.headers, "x-amzn-errortype": error.code } };
    }
    const { status, body } = serializeAwsQueryError(spec, model, error, requestId);
    return respond(spec, status, body, requestId);
  };

  return async (service, request) => {
    const spec = SERVICES[service];
    let requestId = "";
    let model: ServiceModel | undefined;
    let action: string | undefined;
    try {
      requestId = newRequestId();
      const caller = identify(spec, request);
      model = await loadServiceModel(service);
      const method = request.method.toUpperCase();
      const { query } = splitPath(request.path);
      let parsed: { action: string; input: Record<string, unknown> };
      if (spec.protocol === "awsJson1_1") {
        if (method !== "POST") throw new Ec2Error("UnknownOperationException", "awsJson requests are POSTs", 405);
        parsed = parseAwsJsonRequest(spec, model, requestHeader(request, "x-amz-target"), request.body);
      } else {
        if (method !== "GET" && method !== "POST") {
          throw new Ec2Error("InvalidHttpRequest", `The HTTP method ${method.slice(0, 20)} is not supported`, 405);
        }
        const params =
          method === "GET" ? query : query && request.body ? `${query}&${request.body}` : query || request.body;
        parsed = parseAwsQueryRequest(spec, model, params);
      }
      action = parsed.action;
      const output = await options.dispatch(service, parsed.action, parsed.input, { ...caller, requestId });
      const body =
        spec.protocol === "awsJson1_1"
          ? serializeAwsJsonResponse(model, parsed.action, output)
          : serializeAwsQueryResponse(spec, model, parsed.action, output, requestId);
      return respond(spec, 200, body, requestId);
    } catch (error) {
      try {
        if (isEc2Error(error)) return fail(spec, model, error, requestId);
        options.onInternalError?.(error, { requestId, ...(action ? { action: `${service}:${action}` } : {}) });
      } catch {
        // fall through to the plainest answer there is
      }
      const code = spec.protocol === "awsJson1_1" ? "InternalServerError" : "InternalFailure";
      return fail(spec, model, new Ec2Error(code, "An internal error has occurred", 500), requestId);
    }
  };
}
