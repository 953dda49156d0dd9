/**
 * EC2's error body: `<Response><Errors><Error><Code>…</Code><Message>…</Message></Error></Errors>
 * <RequestID>…</RequestID></Response>`, as the SDKs, botocore and Terraform's provider read it.
 */
import type { Ec2Error } from "./ec2-error.ts";
import { escapeXml } from "./xml-escape.ts";

/**
 * HTTP status of codes whose status EC2 fixes, used when an Ec2Error was raised with the default 400.
 * An Ec2Error raised with any other status keeps it.
 */
const STATUS_BY_CODE: Readonly<Record<string, number>> = {
  DryRunOperation: 412,
  AuthFailure: 401,
  UnauthorizedOperation: 403,
  MissingAuthenticationToken: 403,
  OptInRequired: 403,
  Blocked: 403,
  InternalError: 500,
  InternalFailure: 500,
  ServiceUnavailable: 503,
  Unavailable: 503,
  RequestLimitExceeded: 503,
};

export interface SerializedError {
  readonly status: number;
  readonly body: string;
}

/** The HTTP status an Ec2Error answers with. */
export function statusOf(error: Ec2Error): number {
  if (error.httpStatus !== 400) return error.httpStatus;
  return STATUS_BY_CODE[error.code] ?? 400;
}

/** The XML body and HTTP status of an EC2 error response. */
export function serializeError(error: Ec2Error, requestId: string): SerializedError {
  const body =
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<Response><Errors><Error><Code>${escapeXml(error.code)}</Code><Message>${escapeXml(error.message)}</Message></Error></Errors>` +
    `<RequestID>${escapeXml(requestId)}</RequestID></Response>`;
  return { status: statusOf(error), body };
}
