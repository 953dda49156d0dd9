/**
 * The awsQuery protocol (IAM, STS), server side: requests are EC2-style form bodies in awsQuery's
 * dialect (`Tags.member.1.Key`, read by ec2-query's one Query parser); answers are
 * `<XResponse xmlns=…><XResult>…</XResult><ResponseMetadata><RequestId>…` with members written by
 * the same model-driven XML member serializer as EC2's (list items `<member>`, from the model), and
 * errors are `<ErrorResponse><Error><Type>Sender</Type><Code>…</Code><Message>…`. One codec for every
 * awsQuery service: what differs (namespace, version) comes from the service table.
 */
import { Ec2Error } from "@ec2sim/core";
import {
  AWS_QUERY_DIALECT,
  decodeQueryPairs,
  escapeXml,
  parseInput,
  type QueryPair,
  serializeStructMembers,
} from "@ec2sim/ec2-query";
import { queryStatusOf, type ServiceModel } from "../model.ts";
import type { ServiceSpec } from "../services.ts";

const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n';

export interface ParsedServiceRequest {
  readonly action: string;
  readonly input: Record<string, unknown>;
}

const echo = (text: string): string => (text.length > 200 ? `${text.slice(0, 200)}...` : text);

/** The service's own "no such action" error. */
export const invalidQueryAction = (spec: ServiceSpec, action: string): Ec2Error =>
  new Ec2Error("InvalidAction", `Could not find operation ${echo(action)} for version ${spec.version}`);

/** Reads an awsQuery request (form body or query string) against the service's model. */
export function parseAwsQueryRequest(
  spec: ServiceSpec,
  model: ServiceModel,
  params: string | readonly QueryPair[],
): ParsedServiceRequest {
  const pairs = typeof params === "string" ? decodeQueryPairs(params) : params;
  let action: string | undefined;
  for (const [key, value] of pairs) if (key === "Action") action = value;
  if (action === undefined || action === "") {
    throw new Ec2Error("MissingAction", "The request must contain the parameter Action");
  }
  const operation = model.operation(action);
  if (!operation) throw invalidQueryAction(spec, action);
  return { action, input: parseInput(operation.input, pairs, AWS_QUERY_DIALECT) };
}

const metadata = (requestId: string) =>
  `<ResponseMetadata><RequestId>${escapeXml(requestId)}</RequestId></ResponseMetadata>`;

/** The XML answer to `action`, `output` shaped as the SDK's `…Response`. */
export function serializeAwsQueryResponse(
  spec: ServiceSpec,
  model: ServiceModel,
  action: string,
  output: unknown,
  requestId: string,
): string {
  const operation = model.operation(action);
  if (!operation) throw invalidQueryAction(spec, action);
  const root = `${action}Response`;
  let xml = `${XML_DECLARATION}<${root} xmlns="${spec.xmlNamespace}">`;
  if (operation.output.kind === "struct") {
    if (output != null && typeof output !== "object") {
      throw new Ec2Error(
        "InternalFailure",
        `An internal error has occurred (${action} answered a ${typeof output})`,
        500,
      );
    }
    xml += `<${action}Result>${serializeStructMembers(operation.output, (output ?? {}) as Record<string, unknown>)}</${action}Result>`;
  }
  return `${xml}${metadata(requestId)}</${root}>`;
}

export interface SerializedServiceError {
  readonly status: number;
  readonly body: string;
}

/** HTTP status of an error: its own when it was raised with one, else what the model says, else 400. */
export function errorStatus(model: ServiceModel | undefined, error: Ec2Error): number {
  if (error.httpStatus !== 400) return error.httpStatus;
  const known = model?.error(error.code);
  return known ? queryStatusOf(known) : 400;
}

/** `<ErrorResponse>` with the fault type (`Sender` for the caller's errors, `Receiver` for ours). */
export function serializeAwsQueryError(
  spec: ServiceSpec,
  model: ServiceModel | undefined,
  error: Ec2Error,
  requestId: string,
): SerializedServiceError {
  const status = errorStatus(model, error);
  const type = status >= 500 ? "Receiver" : "Sender";
  const body =
    `${XML_DECLARATION}<ErrorResponse xmlns="${spec.xmlNamespace}"><Error><Type>${type}</Type>` +
    `<Code>${escapeXml(error.code)}</Code><Message>${escapeXml(error.message)}</Message></Error>` +
    `<RequestId>${escapeXml(requestId)}</RequestId></ErrorResponse>`;
  return { status, body };
}
