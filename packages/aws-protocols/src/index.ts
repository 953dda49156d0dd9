/** @ec2sim/aws-protocols — the services beside EC2 on the same endpoint: awsQuery (IAM, STS) and awsJson1.1 (SSM). */
export type { ServiceDispatch, ServiceHandler, ServiceHandlerOptions } from "./handler.ts";
export { createServiceHandler } from "./handler.ts";
export {
  parseAwsJsonRequest,
  serializeAwsJsonError,
  serializeAwsJsonResponse,
  unknownOperation,
} from "./json/aws-json.ts";
export type { ModelError, ServiceOperation } from "./model.ts";
export { loadServiceModel, ServiceModel, serviceModelLoaded } from "./model.ts";
export {
  invalidQueryAction,
  parseAwsQueryRequest,
  serializeAwsQueryError,
  serializeAwsQueryResponse,
} from "./query/aws-query.ts";
export { type RoutedService, serviceOfRequest } from "./route.ts";
export { type Protocol, SERVICES, type ServiceId, type ServiceSpec } from "./services.ts";
