/**
 * Test-only plumbing: serves a QueryHandler over node:http on 127.0.0.1:0, records what dispatch
 * receives, and signs raw requests with the SDK's own SigV4 signer.
 */
import { createHash, createHmac } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { SignatureV4 } from "@smithy/signature-v4";
import type { QueryDispatch, QueryHandler, QueryRequestContext } from "../src/index.ts";

export interface RunningEndpoint {
  readonly endpoint: string;
  readonly port: number;
  close(): Promise<void>;
}

export async function serve(handler: QueryHandler): Promise<RunningEndpoint> {
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const headers: Record<string, string | undefined> = {};
      for (const [k, v] of Object.entries(req.headers)) headers[k] = Array.isArray(v) ? v.join(",") : v;
      void handler({
        method: req.method ?? "GET",
        path: req.url ?? "/",
        headers,
        body: Buffer.concat(chunks).toString("utf8"),
      }).then((out) => {
        res.writeHead(out.status, out.headers);
        res.end(out.body);
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface RecordedCall {
  readonly action: string;
  readonly input: Record<string, unknown>;
  readonly context: QueryRequestContext;
}

/** A dispatch that records every call and answers from a table of per-action responders. */
export function recordingDispatch(
  responders: Record<string, (input: Record<string, unknown>, context: QueryRequestContext) => unknown>,
): { dispatch: QueryDispatch; calls: RecordedCall[] } {
  const calls: RecordedCall[] = [];
  const dispatch: QueryDispatch = (action, input, context) => {
    calls.push({ action, input, context });
    const responder = responders[action];
    if (!responder) throw new Error(`test dispatch has no responder for ${action}`);
    return responder(input, context);
  };
  return { dispatch, calls };
}

/** node:crypto behind the hash interface @smithy/signature-v4 expects. */
type SourceData = string | ArrayBuffer | ArrayBufferView;
const bytesOf = (data: SourceData): string | Uint8Array =>
  typeof data === "string"
    ? data
    : data instanceof ArrayBuffer
      ? new Uint8Array(data)
      : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);

class NodeSha256 {
  private hash;
  private readonly secret: string | Uint8Array | undefined;
  constructor(secret?: SourceData) {
    this.secret = secret === undefined ? undefined : bytesOf(secret);
    this.hash = this.secret ? createHmac("sha256", this.secret) : createHash("sha256");
  }
  update(data: SourceData): void {
    this.hash.update(bytesOf(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
  reset(): void {
    this.hash = this.secret ? createHmac("sha256", this.secret) : createHash("sha256");
  }
}

export function sdkSigner(
  credentials: { accessKeyId: string; secretAccessKey: string },
  region = "us-east-1",
  service = "ec2",
) {
  return new SignatureV4({ credentials, region, service, sha256: NodeSha256, applyChecksum: false });
}

/** Signs a POST form body the way the SDK would, for raw requests the SDK cannot make. */
export async function signedPost(
  endpoint: string,
  body: string,
  credentials: { accessKeyId: string; secretAccessKey: string },
  signingDate = new Date(),
): Promise<{ path: string; method: string; headers: Record<string, string>; body: string }> {
  const url = new URL(endpoint);
  const request = {
    method: "POST",
    protocol: "http:",
    hostname: url.hostname,
    port: Number(url.port),
    path: "/",
    query: {},
    headers: { host: url.host, "content-type": "application/x-www-form-urlencoded" },
    body,
  };
  const signed = await sdkSigner(credentials).sign(request, { signingDate });
  return { path: "/", method: "POST", headers: signed.headers as Record<string, string>, body };
}
