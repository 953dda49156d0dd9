export { findOperation, listOperations, EC2_API_VERSION } from "./operations.ts";
export type { Ec2Operation, StaticOperationSchema } from "./operations.ts";
export { shapePlanOf } from "./shape-plan.ts";
export type { Shape, StructShape, ListShape, MapShape, LeafShape, LeafKind, MemberPlan, SchemaRef } from "./shape-plan.ts";
export { parseQueryRequest, parseInput } from "./parse-request.ts";
export type { ParsedQueryRequest } from "./parse-request.ts";
export { decodeQueryPairs } from "./query-string.ts";
export type { QueryPair } from "./query-string.ts";
export { serializeResponse, EC2_XML_NAMESPACE } from "./serialize-response.ts";
export { serializeError, statusOf } from "./serialize-error.ts";
export type { SerializedError } from "./serialize-error.ts";
export { escapeXml } from "./xml-escape.ts";
export { verifySigV4, readCredentialScope, signingKey } from "./sigv4.ts";
export type {
  HttpRequestLike,
  AccountSecret,
  SecretLookup,
  VerifySigV4Options,
  VerifiedCaller,
  CredentialScope,
} from "./sigv4.ts";
export { createQueryHandler, DEFAULT_ACCOUNT_ID, DEFAULT_REGION } from "./query-handler.ts";
export type {
  QueryHandler,
  QueryHandlerOptions,
  QueryDispatch,
  QueryRequestContext,
  QueryHttpResponse,
} from "./query-handler.ts";
export { limits } from "./limits.ts";
export type { Ec2Action, Ec2Input, Ec2Output } from "./action-types.ts";
