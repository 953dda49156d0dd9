/**
 * The HTTP face of a `SandboxHost`:
 *   POST|GET /                       EC2 Query API of the default sandbox
 *   POST|GET /sandbox/<name>[/]      EC2 Query API of a named sandbox
 *   /_ec2sim/...                     a small JSON admin API (see `admin.ts`)
 * Every EC2 answer is EC2-shaped XML, including failures of the HTTP layer itself; nothing ever
 * answers with a stack trace.
 */
import { isUtf8 } from "node:buffer";
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Ec2Error, isEc2Error } from "@ec2sim/core";
import { type QueryHandler, serializeError } from "@ec2sim/ec2-query";
import { handleAdmin } from "./admin.ts";
import { type EndpointOptions, sandboxEndpoint } from "./dispatch.ts";
import { DEFAULT_SANDBOX, type SandboxHost } from "./host.ts";

/** Bodies beyond this are refused before they are read (the Query parser's own limit is 4 MiB). */
export const MAX_BODY_BYTES = 5 * 1024 * 1024;

export interface HttpServerOptions extends EndpointOptions {
  /** Sandbox behind `/`. */
  defaultSandbox?: string;
  log?: (message: string, error?: unknown) => void;
}

export interface RunningServer {
  readonly server: Server;
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

class BodyTooLarge extends Error {}

class BodyNotUtf8 extends Error {}

function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers["content-length"]);
    if (Number.isFinite(declared) && declared > limit) {
      reject(new BodyTooLarge());
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on("data", (c: Buffer) => {
      if (done) return;
      size += c.length;
      if (size > limit) {
        done = true;
        reject(new BodyTooLarge());
        return;
      }
      chunks.push(c);
    });
    req.on("end", () => {
      if (!done) {
        done = true;
        const buf = Buffer.concat(chunks);
        // Form bodies are ASCII; raw bytes that are not even UTF-8 cannot be read (nor their signature checked).
        if (!isUtf8(buf)) reject(new BodyNotUtf8());
        else resolve(buf.toString("utf8"));
      }
    });
    req.on("error", (e) => {
      if (!done) {
        done = true;
        reject(e);
      }
    });
  });
}

function sendXmlError(res: ServerResponse, error: Ec2Error, requestId = randomUUID()): void {
  const { status, body } = serializeError(error, requestId);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(status, {
    "content-type": "text/xml;charset=UTF-8",
    "x-amzn-requestid": requestId,
    server: "AmazonEC2",
  });
  res.end(body);
}

/** `/sandbox/<name>` and `/sandbox/<name>/…` -> name; `/` -> default; anything else -> undefined. */
export function sandboxOfPath(path: string, defaultSandbox: string): string | undefined {
  const pathname = path.split("?", 1)[0] ?? "/";
  if (pathname === "/" || pathname === "") return defaultSandbox;
  const m = /^\/sandbox\/([^/]+)\/?$/.exec(pathname);
  if (!m) return undefined;
  try {
    return decodeURIComponent(m[1]!);
  } catch {
    return undefined;
  }
}

export function createHttpServer(host: SandboxHost, options: HttpServerOptions = {}): Server {
  const defaultSandbox = options.defaultSandbox ?? DEFAULT_SANDBOX;
  const log = options.log ?? ((m: string, e?: unknown) => console.error(`ec2sim: ${m}`, e ?? ""));
  const endpoints = new Map<string, QueryHandler>();
  const endpointOptions: EndpointOptions = {
    ...options,
    onInternalError: (error, ctx) => {
      log(`internal error in ${ctx.action ?? "request"} (request ${ctx.requestId})`, error);
      options.onInternalError?.(error, ctx);
    },
  };
  const endpointOf = (name: string): QueryHandler => {
    let e = endpoints.get(name);
    if (!e) {
      e = sandboxEndpoint(host, name, endpointOptions);
      endpoints.set(name, e);
    }
    return e;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = req.url ?? "/";
    if (path.startsWith("/_ec2sim/") || path === "/_ec2sim") {
      let body = "";
      try {
        body = await readBody(req, MAX_BODY_BYTES);
      } catch (e) {
        if (e instanceof BodyNotUtf8) {
          res.writeHead(400, { "content-type": "application/json" });
          res.end(JSON.stringify({ error: { code: "MalformedJson", message: "The request body is not valid UTF-8" } }));
          return;
        }
        res.writeHead(413, { "content-type": "application/json", connection: "close" });
        res.end(JSON.stringify({ error: { code: "RequestEntityTooLarge", message: "The request body is too large" } }));
        return;
      }
      const out = await handleAdmin(host, { method: req.method ?? "GET", path, body }, { defaultSandbox });
      res.writeHead(out.status, { "content-type": "application/json", ...(out.headers ?? {}) });
      res.end(out.body);
      return;
    }
    const sandbox = sandboxOfPath(path, defaultSandbox);
    if (sandbox === undefined) {
      sendXmlError(
        res,
        new Ec2Error(
          "InvalidAction",
          `There is no EC2 endpoint at ${path.split("?", 1)[0]!.slice(0, 100)}; use / or /sandbox/<name>/`,
          404,
        ),
      );
      req.resume();
      return;
    }
    let body: string;
    try {
      body = await readBody(req, MAX_BODY_BYTES);
    } catch (e) {
      if (e instanceof BodyTooLarge) {
        res.setHeader("connection", "close");
        sendXmlError(res, new Ec2Error("RequestEntityTooLarge", `Request body exceeds ${MAX_BODY_BYTES} bytes`, 413));
      } else if (e instanceof BodyNotUtf8) {
        sendXmlError(
          res,
          new Ec2Error(
            "MalformedQueryString",
            "The request body is not valid UTF-8; percent-encode every byte outside ASCII",
          ),
        );
      } else {
        res.destroy();
      }
      return;
    }
    try {
      await host.load(sandbox);
    } catch (e) {
      sendXmlError(res, isEc2Error(e) ? e : new Ec2Error("InternalError", "An internal error has occurred", 500));
      return;
    }
    const headers: Record<string, string | undefined> = {};
    for (const [k, v] of Object.entries(req.headers)) headers[k] = Array.isArray(v) ? v.join(",") : v;
    const out = await endpointOf(sandbox)({ method: req.method ?? "GET", path, headers, body });
    res.writeHead(out.status, out.headers);
    res.end(out.body);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      log("request failed", e);
      try {
        sendXmlError(res, new Ec2Error("InternalError", "An internal error has occurred", 500));
      } catch {
        res.destroy();
      }
    });
  });
  // Malformed HTTP (not even a request line): answer EC2-shaped, then hang up.
  server.on("clientError", (_err, socket) => {
    if (!socket.writable) {
      socket.destroy();
      return;
    }
    const requestId = randomUUID();
    const { body } = serializeError(new Ec2Error("MalformedQueryString", "The request is not valid HTTP"), requestId);
    socket.end(
      `HTTP/1.1 400 Bad Request\r\ncontent-type: text/xml;charset=UTF-8\r\nx-amzn-requestid: ${requestId}\r\nconnection: close\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  });
  server.keepAliveTimeout = 30_000;
  server.headersTimeout = 35_000;
  server.requestTimeout = 60_000;
  return server;
}

/** Listens on host:port (0 picks a free port). */
export async function listen(server: Server, port: number, hostname: string): Promise<RunningServer> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, hostname, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;
  const shownHost = addr.family === "IPv6" ? `[${addr.address}]` : addr.address;
  return {
    server,
    port: addr.port,
    url: `http://${shownHost}:${addr.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        setTimeout(() => server.closeAllConnections(), 2_000).unref();
      }),
  };
}
