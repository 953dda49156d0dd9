/**
 * The EC2 Query endpoint as a transport-agnostic function: an HTTP-shaped request in, an HTTP-shaped
 * response out. Verifies SigV4, parses the request against the model, calls `dispatch`, and writes
 * the result (or the error) as EC2 writes it. Whatever goes wrong, the answer is an EC2-shaped body:
 * an unexpected exception becomes `InternalError` (500) without a stack trace.
 */
import { randomUUID } from "node:crypto";
import { DEFAULT_ACCOUNT_ID, DEFAULT_REGION } from "@ec2sim/core/defaults";
import { Ec2Error, isEc2Error } from "./ec2-error.ts";
import { parseQueryRequest } from "./parse-request.ts";
import { serializeError } from "./serialize-error.ts";
import { bodyText, serializeResponseBody, type XmlBody } from "./serialize-response.ts";
import { type HttpRequestLike, readCredentialScope, type SecretLookup, splitPath, verifySigV4 } from "./sigv4.ts";

/** Who is calling, and where: passed to `dispatch` with every action. */
export interface QueryRequestContext {
  readonly accountId: string;
  readonly region: string;
  /** Undefined only for unsigned requests accepted under `acceptAnySignature`. */
  readonly accessKeyId: string | undefined;
  readonly requestId: string;
}

/**
 * Performs an action: returns the output object (shaped as the SDK's `…Result`, plain values,
 * `Date` for timestamps) or throws an Ec2Error. `DryRun` arrives in `input` like any member.
 */
export type QueryDispatch = (action: string, input: Record<string, unknown>, context: QueryRequestContext) => unknown;

export interface QueryHandlerOptions {
  readonly dispatch: QueryDispatch;
  /** Access key -> secret and account. */
  readonly credentials: SecretLookup;
  /**
   * Skip signature verification, for tools that sign with dummy keys. A known access key still
   * selects its account; any other caller gets `defaultAccountId`.
   */
  readonly acceptAnySignature?: boolean;
  readonly defaultAccountId?: string;
  /** Region for callers whose request names none (unsigned, under `acceptAnySignature`). */
  readonly defaultRegion?: string;
  /** Wall clock for signature time checks. */
  readonly now?: () => Date;
  readonly requestIdFactory?: () => string;
  /** Told of exceptions that were not Ec2Errors (they answer InternalError). */
  readonly onInternalError?: (error: unknown, context: { requestId: string; action?: string }) => void;
}

export interface QueryHttpResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  /** The whole body (joined on first read when the answer came as chunks). */
  readonly body: string;
  /**
   * A successful EC2 answer as written: send these one after the other (large answers are never
   * joined into one string; the kept bytes of unchanged resources go out as they are).
   */
  readonly chunks?: XmlBody;
}

export type QueryHandler = (request: HttpRequestLike) => Promise<QueryHttpResponse>;

/** A successful answer: its text is joined only if someone reads `body` (the HTTP layer sends the chunks). */
class ChunkedAnswer implements QueryHttpResponse {
  readonly status = 200;
  readonly headers: Record<string, string>;
  private text: string | undefined;
  constructor(
    requestId: string,
    readonly chunks: XmlBody,
  ) {
    this.headers = { "content-type": "text/xml;charset=UTF-8", "x-amzn-requestid": requestId, server: "AmazonEC2" };
  }
  get body(): string {
    this.text ??= bodyText(this.chunks);
    return this.text;
  }
}

const internalError = (): Ec2Error => new Ec2Error("InternalError", "An internal error has occurred", 500);

export function createQueryHandler(options: QueryHandlerOptions): QueryHandler {
  const now = options.now ?? (() => new Date());
  const newRequestId = options.requestIdFactory ?? randomUUID;
  const defaultAccountId = options.defaultAccountId ?? DEFAULT_ACCOUNT_ID;
  const defaultRegion = options.defaultRegion ?? DEFAULT_REGION;

  const verifyOptions = { secretFor: options.credentials, now };
  const identify = (request: HttpRequestLike, requestId: string): QueryRequestContext => {
    if (!options.acceptAnySignature) {
      const caller = verifySigV4(request, verifyOptions);
      return { accountId: caller.accountId, region: caller.region, accessKeyId: caller.accessKeyId, requestId };
    }
    const scope = readCredentialScope(request);
    if (!scope) return { accountId: defaultAccountId, region: defaultRegion, accessKeyId: undefined, requestId };
    const known = options.credentials(scope.accessKeyId);
    return {
      accountId: known?.accountId ?? defaultAccountId,
      region: scope.region,
      accessKeyId: scope.accessKeyId,
      requestId,
    };
  };

  const respond = (status: number, body: string, requestId: string): QueryHttpResponse => ({
    status,
    headers: {
      "content-type": "text/xml;charset=UTF-8",
      "x-amzn-requestid": requestId,
      server: "AmazonEC2",
    },
    body,
  });

  return async (request) => {
    let requestId = "";
    let action: string | undefined;
    try {
      requestId = newRequestId();
      const caller = identify(request, requestId);
      const { query } = splitPath(request.path);
      const method = request.method.toUpperCase();
      if (method !== "GET" && method !== "POST") {
        throw new Ec2Error(
          "InvalidHttpRequest",
          `The HTTP method ${method.slice(0, 20)} is not supported; use POST or GET`,
          405,
        );
      }
      const params =
        method === "GET" ? query : query && request.body ? `${query}&${request.body}` : query || request.body;
      const parsed = parseQueryRequest(params);
      action = parsed.action;
      const output = await options.dispatch(parsed.action, parsed.input, caller);
      return new ChunkedAnswer(requestId, serializeResponseBody(parsed.action, output, requestId));
    } catch (error) {
      try {
        if (isEc2Error(error)) {
          const { status, body } = serializeError(error, requestId);
          return respond(status, body, requestId);
        }
        options.onInternalError?.(error, { requestId, ...(action ? { action } : {}) });
      } catch {
        // fall through to the plainest answer there is
      }
      const { status, body } = serializeError(internalError(), requestId);
      return respond(status, body, requestId);
    }
  };
}
