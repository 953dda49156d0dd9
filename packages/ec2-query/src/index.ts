export { DEFAULT_ACCOUNT_ID, DEFAULT_REGION } from "@ec2sim/core/defaults";
export type { Ec2Action, Ec2Input, Ec2Output } from "./action-types.ts";
export { limits } from "./limits.ts";
export type { Ec2Operation, StaticOperationSchema } from "./operations.ts";
export { EC2_API_VERSION, findOperation, listOperations } from "./operations.ts";
export type { ParsedQueryRequest, QueryDialect } from "./parse-request.ts";
export { AWS_QUERY_DIALECT, EC2_QUERY_DIALECT, parseInput, parseQueryRequest } from "./parse-request.ts";
export type {
  QueryDispatch,
  QueryHandler,
  QueryHandlerOptions,
  QueryHttpResponse,
  QueryRequestContext,
} from "./query-handler.ts";
export { createQueryHandler } from "./query-handler.ts";
export type { QueryPair } from "./query-string.ts";
export { decodeQueryPairs } from "./query-string.ts";
export type { SerializedError } from "./serialize-error.ts";
export { serializeError, statusOf } from "./serialize-error.ts";
export type { XmlBody } from "./serialize-response.ts";
export {
  bodyText,
  EC2_XML_NAMESPACE,
  serializeResponse,
  serializeResponseBody,
  serializeStructMembers,
} from "./serialize-response.ts";
export type {
  LeafKind,
  LeafShape,
  ListShape,
  MapShape,
  MemberPlan,
  SchemaRef,
  Shape,
  StructShape,
} from "./shape-plan.ts";
export { shapePlanOf } from "./shape-plan.ts";
export type {
  AccountSecret,
  CredentialScope,
  HttpRequestLike,
  SecretLookup,
  VerifiedCaller,
  VerifySigV4Options,
} from "./sigv4.ts";
export { readCredentialScope, signingKey, splitPath, verifySigV4 } from "./sigv4.ts";
export { escapeXml } from "./xml-escape.ts";
