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
import { createServer as createHttpsServer, Server as HttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { Ec2Error, isEc2Error } from "@ec2sim/core";
import { type QueryHandler, serializeError, type XmlBody } from "@ec2sim/ec2-query";
import { handleAdmin } from "./admin.ts";
import { type EndpointOptions, sandboxEndpoint } from "./dispatch.ts";
import type { Refusal, RequestGuard } from "./guard.ts";
import { DEFAULT_SANDBOX, type SandboxHost } from "./host.ts";

/** Bodies beyond this are refused before they are read (the Query parser's own limit is 4 MiB). */
export const MAX_BODY_BYTES = 5 * 1024 * 1024;

export interface HttpServerOptions extends EndpointOptions {
  /** Sandbox behind `/`. */
  defaultSandbox?: string;
  log?: (message: string, error?: unknown) => void;
  /**
   * Who may use the admin API (guard.ts): without one, every admin route but `GET /health` is
   * refused — an admin API without credentials is never served.
   */
  guard?: RequestGuard;
  /** Serve HTTPS with this certificate and key (PEM). */
  tls?: { cert: Buffer | string; key: Buffer | string };
  /** Open connections allowed in all (8,192 unless told) and per client address (512): beyond, a 503 and close. */
  maxConnections?: number;
  maxConnectionsPerClient?: number;
  /** How long a client may take to send its headers (10 s unless told) and its whole request (30 s): beyond, a 408. */
  headersTimeoutMs?: number;
  requestTimeoutMs?: number;
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
        const buf = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
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

/** Bytes handed to the socket at a time before waiting for it to drain, when a body comes in chunks. */
const STREAM_BATCH_BYTES = 1 << 20;

/**
 * Answers up to this size are joined into one buffer and sent with their headers in one write, as
 * a plain node:http server does, not as a writev of many small pieces (the kept bytes of each zone,
 * each instance): in one side-by-side run 0.45 → 0.50 of a bare server's simple calls per second,
 * within this machine's noise in another (bench/endpoint/RESULTS.md).
 */
const ONE_WRITE_BYTES = 64 * 1024;

/** The chunks of a small body in one buffer: one allocation, strings encoded straight into it. */
function joined(body: XmlBody): Buffer {
  const out = Buffer.allocUnsafe(body.byteLength);
  let at = 0;
  for (const c of body.chunks) at += typeof c === "string" ? out.write(c, at, "utf8") : c.copy(out, at);
  return out;
}

/**
 * Sends a body written in chunks (serializeResponseBody): as one write when it is one chunk, else
 * about a megabyte at a time (corked, so each batch is one writev), waiting for the socket to drain
 * in between. Kept fragments go out as the very buffers the serializer holds: no copy, no join.
 */
async function sendChunks(res: ServerResponse, status: number, headers: Record<string, string>, body: XmlBody) {
  res.writeHead(status, { ...headers, "content-length": String(body.byteLength) });
  const { chunks } = body;
  if (chunks.length === 1) {
    res.end(chunks[0]);
    return;
  }
  if (body.byteLength <= ONE_WRITE_BYTES) {
    res.end(joined(body));
    return;
  }
  let i = 0;
  while (i < chunks.length) {
    if (res.destroyed) return;
    res.cork();
    for (let batch = 0; i < chunks.length && batch < STREAM_BATCH_BYTES; i++) {
      const c = chunks[i]!;
      batch += c.length;
      res.write(c);
    }
    res.uncork();
    if (i < chunks.length && res.writableNeedDrain) {
      await new Promise<void>((resolve) => {
        const done = () => {
          res.off("drain", done);
          res.off("close", done);
          resolve();
        };
        res.on("drain", done);
        res.on("close", done);
        // Closed before the listeners were there: nothing more will come.
        if (res.destroyed || res.closed) done();
      });
    }
  }
  res.end();
}

/**
 * Sends a whole answer with its Content-Length: node:http sends chunked encoding when the head was
 * written first, and AWS's endpoints (and the clients that log or check lengths) always say it.
 */
function sendWhole(
  res: ServerResponse,
  status: number,
  headers: Record<string, string | undefined>,
  body: string | Uint8Array,
): void {
  const length = typeof body === "string" ? Buffer.byteLength(body) : body.byteLength;
  res.writeHead(status, { ...headers, "content-length": String(length) });
  res.end(body);
}

function sendXmlError(res: ServerResponse, error: Ec2Error, requestId = randomUUID()): void {
  const { status, body } = serializeError(error, requestId);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendWhole(
    res,
    status,
    { "content-type": "text/xml;charset=UTF-8", "x-amzn-requestid": requestId, server: "AmazonEC2" },
    body,
  );
}

/**
 * Why an admin request is refused, if it is: a foreign Host or Origin (403), no admin token (401),
 * or a state change that is not JSON (415). `GET /_ec2sim/health` is anyone's.
 */
function adminRefusal(req: IncomingMessage, guard: RequestGuard | undefined): Refusal | undefined {
  const method = (req.method ?? "GET").toUpperCase();
  const pathname = (req.url ?? "/").split("?", 1)[0];
  if (method === "GET" && pathname === "/_ec2sim/health") return undefined;
  if (!guard) return { status: 401, code: "AuthFailure", message: "This server's admin API is not enabled" };
  const site = guard.checkSite(req.headers);
  if (site) return site;
  if (!guard.isAdmin(req.headers)) {
    return {
      status: 401,
      code: "AuthFailure",
      message:
        "The admin API needs the admin token: send 'Authorization: Bearer <token>' (the token is in the server's data directory, file admin-token, mode 600)",
    };
  }
  if (method !== "GET" && method !== "HEAD") {
    const type = String(req.headers["content-type"] ?? "")
      .split(";", 1)[0]!
      .trim()
      .toLowerCase();
    if (type !== "application/json") {
      return {
        status: 415,
        code: "UnsupportedMediaType",
        message: `The admin API takes changes as JSON only: send 'content-type: application/json' (got '${type.slice(0, 60)}')`,
      };
    }
  }
  return undefined;
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
      const refusal = adminRefusal(req, options.guard);
      if (refusal) {
        req.resume();
        sendWhole(
          res,
          refusal.status,
          {
            "content-type": "application/json",
            ...(refusal.status === 401 ? { "www-authenticate": 'Bearer realm="ec2sim admin"' } : {}),
          },
          JSON.stringify({ error: { code: refusal.code, message: refusal.message } }),
        );
        return;
      }
      let body = "";
      try {
        body = await readBody(req, MAX_BODY_BYTES);
      } catch (e) {
        if (e instanceof BodyNotUtf8) {
          sendWhole(
            res,
            400,
            { "content-type": "application/json" },
            JSON.stringify({ error: { code: "MalformedJson", message: "The request body is not valid UTF-8" } }),
          );
          return;
        }
        sendWhole(
          res,
          413,
          { "content-type": "application/json", connection: "close" },
          JSON.stringify({ error: { code: "RequestEntityTooLarge", message: "The request body is too large" } }),
        );
        return;
      }
      const out = await handleAdmin(host, { method: req.method ?? "GET", path, body }, { defaultSandbox });
      sendWhole(res, out.status, { "content-type": "application/json", ...(out.headers ?? {}) }, out.body);
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
    // Loaded already (nearly always): no await, which would cost the request a turn of the queue.
    if (host.peek(sandbox) === undefined) {
      try {
        await host.load(sandbox);
      } catch (e) {
        sendXmlError(res, isEc2Error(e) ? e : new Ec2Error("InternalError", "An internal error has occurred", 500));
        return;
      }
    }
    const headers: Record<string, string | undefined> = {};
    const raw = req.headers;
    for (const k in raw) {
      const v = raw[k];
      headers[k] = Array.isArray(v) ? v.join(",") : v;
    }
    const out = await endpointOf(sandbox)({ method: req.method ?? "GET", path, headers, body });
    if (out.chunks) return sendChunks(res, out.status, out.headers, out.chunks);
    sendWhole(res, out.status, out.headers, out.body);
  };

  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    handle(req, res).catch((e: unknown) => {
      log("request failed", e);
      try {
        sendXmlError(res, new Ec2Error("InternalError", "An internal error has occurred", 500));
      } catch {
        res.destroy();
      }
    });
  };
  // A client that trickles its headers or body holds a socket (and a descriptor) only this long. Node
  // looks for expired ones every connectionsCheckingInterval (30 s by default, which would let a slow
  // client stay up to 30 s past its timeout): every half header timeout instead.
  const headersTimeout = options.headersTimeoutMs ?? 10_000;
  const timeouts = {
    headersTimeout,
    requestTimeout: options.requestTimeoutMs ?? 30_000,
    connectionsCheckingInterval: Math.max(100, Math.ceil(headersTimeout / 2)),
  };
  const server: Server = options.tls
    ? createHttpsServer({ ...options.tls, ...timeouts }, onRequest)
    : createServer(timeouts, onRequest);
  // Malformed HTTP (not even a request line): answer EC2-shaped, then hang up.
  server.on("clientError", (err: NodeJS.ErrnoException, socket) => {
    if (!socket.writable) {
      socket.destroy();
      return;
    }
    const requestId = randomUUID();
    if (err.code === "ERR_HTTP_REQUEST_TIMEOUT") {
      // Headers or body not received in time (a slow client holds a socket only this long).
      const { body } = serializeError(
        new Ec2Error("RequestTimeout", "The request was not received in time; the connection is closed", 408),
        requestId,
      );
      socket.end(
        `HTTP/1.1 408 Request Timeout\r\ncontent-type: text/xml;charset=UTF-8\r\nx-amzn-requestid: ${requestId}\r\nconnection: close\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      );
      return;
    }
    const { body } = serializeError(new Ec2Error("MalformedQueryString", "The request is not valid HTTP"), requestId);
    socket.end(
      `HTTP/1.1 400 Bad Request\r\ncontent-type: text/xml;charset=UTF-8\r\nx-amzn-requestid: ${requestId}\r\nconnection: close\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  });
  server.keepAliveTimeout = 30_000; // idle keep-alive sockets are bounded by the connection caps below
  limitConnections(server, options.maxConnections ?? 8_192, options.maxConnectionsPerClient ?? 512);
  return server;
}

/**
 * Caps open connections, in all and per client address, so that one client's thousands of slow
 * or idle sockets cannot use up the server's file descriptors: a connection beyond either cap is
 * answered `503 ServiceUnavailable` (EC2-shaped, with Retry-After) and closed at once.
 */
function limitConnections(server: Server, total: number, perClient: number): void {
  const byClient = new Map<string, number>();
  let open = 0;
  server.on("connection", (socket) => {
    const client = socket.remoteAddress ?? "?";
    const mine = byClient.get(client) ?? 0;
    if (open >= total || mine >= perClient) {
      const why =
        mine >= perClient
          ? `too many connections from ${client} (${mine} open, at most ${perClient})`
          : `too many connections (${open} open, at most ${total})`;
      const requestId = randomUUID();
      const { body } = serializeError(
        new Ec2Error("ServiceUnavailable", `The server is busy: ${why}. Please retry your request.`, 503),
        requestId,
      );
      socket.on("error", () => undefined);
      socket.end(
        `HTTP/1.1 503 Service Unavailable\r\ncontent-type: text/xml;charset=UTF-8\r\nx-amzn-requestid: ${requestId}\r\nretry-after: 1\r\nconnection: close\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      );
      setTimeout(() => socket.destroy(), 1_000).unref();
      return;
    }
    open++;
    byClient.set(client, mine + 1);
    socket.once("close", () => {
      open--;
      const n = (byClient.get(client) ?? 1) - 1;
      if (n > 0) byClient.set(client, n);
      else byClient.delete(client);
    });
  });
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
  const scheme = server instanceof HttpsServer ? "https" : "http";
  return {
    server,
    port: addr.port,
    url: `${scheme}://${shownHost}:${addr.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        setTimeout(() => server.closeAllConnections(), 2_000).unref();
      }),
  };
}
