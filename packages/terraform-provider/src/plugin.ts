// go-plugin server side: handshake, AutoMTLS, the gRPC services (tfplugin6.Provider and
// plugin.GRPCController) and reattach mode for tests and benchmarks.
import * as grpc from "@grpc/grpc-js";
import { generateCertificate } from "./der.ts";
import { controllerRpcs, type RpcDesc, rpcs } from "./proto/tfplugin6.ts";
import { decodeMessage, encodeMessage } from "./proto/wire.ts";

export const MAGIC_COOKIE_KEY = "TF_PLUGIN_MAGIC_COOKIE";
export const MAGIC_COOKIE_VALUE = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";
export const PROTOCOL_VERSION = 6;

// Handlers receive decoded request objects and return plain response objects.
// biome-ignore lint/suspicious/noExplicitAny: requests are decoded from each RPC's own message type
export type Handler = (req: any) => Promise<Record<string, unknown>> | Record<string, unknown>;
export type ProviderHandlers = Partial<Record<keyof typeof rpcs, Handler>>;

function serviceDefinition(pkgService: string, table: Record<string, RpcDesc>): grpc.ServiceDefinition {
  const def: Record<string, grpc.MethodDefinition<Record<string, unknown>, Record<string, unknown>>> = {};
  for (const [name, rpc] of Object.entries(table)) {
    def[name] = {
      path: `/${pkgService}/${name}`,
      requestStream: false,
      responseStream: false,
      requestSerialize: (v: Record<string, unknown>) => Buffer.from(encodeMessage(rpc.req, v)),
      requestDeserialize: (b: Buffer) => decodeMessage<Record<string, unknown>>(rpc.req, b),
      responseSerialize: (v: Record<string, unknown>) => Buffer.from(encodeMessage(rpc.res, v)),
      responseDeserialize: (b: Buffer) => decodeMessage<Record<string, unknown>>(rpc.res, b),
      originalName: name,
    };
  }
  return def as grpc.ServiceDefinition;
}

function unary(name: string, handler: Handler | undefined): grpc.handleUnaryCall<unknown, unknown> {
  return (call, callback) => {
    if (!handler) {
      callback({ code: grpc.status.UNIMPLEMENTED, details: `method ${name} not implemented` });
      return;
    }
    Promise.resolve()
      .then(() => handler(call.request))
      .then(
        (res) => callback(null, res),
        (err: unknown) => {
          if (process.env.TF_LOG)
            process.stderr.write(
              `[ERROR] ${name}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
            );
          callback({ code: grpc.status.INTERNAL, details: err instanceof Error ? err.message : String(err) });
        },
      );
  };
}

export interface RunningServer {
  server: grpc.Server;
  port: number;
  /** The TF_REATTACH_PROVIDERS value for this server (reattach mode only). */
  reattach(providerAddresses: string[]): string;
  close(): Promise<void>;
}

export interface StartOptions {
  handlers: ProviderHandlers;
  /** PEM of terraform's client certificate: serve TLS requiring it (AutoMTLS). Absent: plain TCP. */
  clientCertPem?: string;
  onShutdown?: () => void;
}

export async function startServer(opts: StartOptions): Promise<RunningServer & { certDer?: Uint8Array }> {
  const server = new grpc.Server({
    "grpc.max_receive_message_length": 256 << 20,
    "grpc.max_send_message_length": 256 << 20,
  });
  const impl: grpc.UntypedServiceImplementation = {};
  for (const name of Object.keys(rpcs)) impl[name] = unary(name, opts.handlers[name as keyof typeof rpcs]);
  server.addService(serviceDefinition("tfplugin6.Provider", rpcs), impl);
  server.addService(serviceDefinition("plugin.GRPCController", controllerRpcs), {
    Shutdown: unary("Shutdown", () => {
      setImmediate(() => opts.onShutdown?.());
      return {};
    }),
  });

  let creds: grpc.ServerCredentials;
  let certDer: Uint8Array | undefined;
  if (opts.clientCertPem) {
    const cert = generateCertificate();
    certDer = cert.certDer;
    creds = grpc.ServerCredentials.createSsl(
      Buffer.from(opts.clientCertPem),
      [{ private_key: Buffer.from(cert.keyPem), cert_chain: Buffer.from(cert.certPem) }],
      true,
    );
  } else {
    creds = grpc.ServerCredentials.createInsecure();
  }
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", creds, (err, p) => (err ? reject(err) : resolve(p))),
  );
  return {
    server,
    port,
    certDer,
    reattach(addresses) {
      const entry = {
        Protocol: "grpc",
        ProtocolVersion: PROTOCOL_VERSION,
        Pid: process.pid,
        Test: true,
        Addr: { Network: "tcp", String: `127.0.0.1:${port}` },
      };
      return JSON.stringify(Object.fromEntries(addresses.map((a) => [a, entry])));
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.tryShutdown(() => resolve());
        setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, 1000).unref();
      }),
  };
}

/** The go-plugin handshake line: CORE-PROTOCOL|APP-PROTOCOL|NETWORK|ADDR|PROTOCOL|CERT (base64 DER, no padding). */
export function handshakeLine(port: number, certDer?: Uint8Array): string {
  const cert = certDer ? Buffer.from(certDer).toString("base64").replace(/=+$/, "") : "";
  return `1|${PROTOCOL_VERSION}|tcp|127.0.0.1:${port}|grpc|${cert}`;
}

/** Run as a plugin launched by terraform: check the cookie, negotiate, print the handshake line. */
export async function servePlugin(handlers: ProviderHandlers, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  if (env[MAGIC_COOKIE_KEY] !== MAGIC_COOKIE_VALUE) {
    process.stderr.write(
      "This binary is a plugin. These are not meant to be executed directly.\n" +
        "Please execute the program that consumes these plugins, which will\n" +
        "load any plugins automatically\n" +
        "(For tests and benchmarks, run it with --reattach to serve over plain TCP and print TF_REATTACH_PROVIDERS.)\n",
    );
    process.exit(1);
  }
  const versions = (env.PLUGIN_PROTOCOL_VERSIONS ?? String(PROTOCOL_VERSION)).split(",").map((v) => Number(v.trim()));
  if (!versions.includes(PROTOCOL_VERSION)) {
    process.stderr.write(
      `Incompatible API version with plugin. Plugin version: ${PROTOCOL_VERSION}, Client versions: ${versions.join(",")}\n`,
    );
    process.exit(1);
  }
  // go-plugin plugins ignore SIGINT: terraform handles interrupts and asks the plugin to stop.
  process.on("SIGINT", () => {});
  const running = await startServer({
    handlers,
    clientCertPem: env.PLUGIN_CLIENT_CERT || undefined,
    onShutdown: () => {
      running.server.forceShutdown();
      process.exit(0);
    },
  });
  process.stdout.write(`${handshakeLine(running.port, running.certDer)}\n`);
}
