/** @ec2sim/server — hosts sandboxes durably and serves the EC2 Query endpoint and the admin API. */
export * from "./store/index.ts";
export {
  SandboxHost,
  STANDARD_ACCOUNTS,
  STANDARD_ORGANIZATION_ARN,
  STANDARD_OU_ARNS,
  DEFAULT_ACCOUNT_ID,
  DEFAULT_SANDBOX,
  serviceUnavailable,
  sandboxNotFound,
  type SandboxHostOptions,
  type SandboxInfo,
  type SandboxConfig,
  type AccountInfo,
  type CreateSandboxOptions,
  type DurableListener,
} from "./host.ts";
export { sandboxEndpoint, routeAction, unsupportedOperation, type EndpointOptions } from "./dispatch.ts";
export { createHttpServer, listen, sandboxOfPath, MAX_BODY_BYTES, type HttpServerOptions, type RunningServer } from "./http.ts";
export { handleAdmin, type AdminRequest, type AdminResponse } from "./admin.ts";
export { startServer, defaultDataDir, type ServeOptions, type RunningSandboxServer } from "./serve.ts";
export { main as cliMain, parseServeArgs } from "./cli.ts";
export { attachWebSocket, type WebSocketOptions, type WebSocketEndpoint } from "./ws.ts";
export { OwnerCache, visibleEvent, visibleEvents } from "./ws-filter.ts";
