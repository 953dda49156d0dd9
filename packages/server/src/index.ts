/** @ec2sim/server — hosts sandboxes durably and serves the EC2 Query endpoint and the admin API. */

export { type AdminRequest, type AdminResponse, handleAdmin } from "./admin.ts";
export { type EndpointOptions, routeAction, sandboxEndpoint, unsupportedOperation } from "./dispatch.ts";
export { type GuardOptions, hostnameOf, isLoopbackHost, type RequestGuard, requestGuard } from "./guard.ts";
export {
  type AccountInfo,
  type CreateSandboxOptions,
  DEFAULT_ACCOUNT_ID,
  DEFAULT_SANDBOX,
  type DurableListener,
  type HostMetrics,
  type SandboxConfig,
  SandboxHost,
  type SandboxHostOptions,
  type SandboxInfo,
  STANDARD_ACCOUNTS,
  STANDARD_ORGANIZATION_ARN,
  STANDARD_OU_ARNS,
  sandboxNotFound,
  serviceUnavailable,
} from "./host.ts";
export {
  createHttpServer,
  type HttpServerOptions,
  listen,
  MAX_BODY_BYTES,
  type RunningServer,
  sandboxOfPath,
} from "./http.ts";
export { ADMIN_TOKEN_FILE, INSTALL_SECRET_FILE, readOrCreateSecret } from "./install.ts";
export { defaultDataDir, type RunningSandboxServer, type ServeOptions, startServer } from "./serve.ts";
export * from "./store/index.ts";
export { attachWebSocket, type WebSocketEndpoint, type WebSocketOptions } from "./ws.ts";
export { OwnerCache, visibleEvent, visibleEvents } from "./ws-filter.ts";
