/**
 * The WebSocket face of a `SandboxHost` (protocol: `@ec2sim/protocol`), at `/_ec2sim/ws` on the
 * same HTTP server as the EC2 endpoint. The transport stays here, at the edge: every frame is
 * validated with the shared zod schemas, then becomes a host call, so a WebSocket client runs the
 * same commands with the same account checks and the same durability as the EC2 endpoint.
 *
 * Streaming: the host tells this module of every event once it is durable, whoever caused it
 * (another WebSocket client, the AWS CLI, Terraform, the clock ticker). Each subscriber gets the
 * part its account may see (`ws-filter.ts`), in seq order, with `upTo` so that a client that
 * reconnects resumes after the last seq it saw; recent events are kept in a ring for resumes,
 * older ones are read back from the store.
 */
import type { IncomingMessage, Server } from "node:http";
import type { Duplex } from "node:stream";
import { Ec2Error, type EventEnvelope, errors, isEc2Error, parseDuration, Sandbox } from "@ec2sim/core";
import {
  CLOSE,
  type HelloMsg,
  newNonce,
  PROTOCOL_VERSION,
  parseClientMessage,
  type RequestMsg,
  toWire,
  verifyChallenge,
  WS_PATH,
} from "@ec2sim/protocol";
import { type WebSocket, WebSocketServer } from "ws";
import { routeAction, unsupportedOperation } from "./dispatch.ts";
import type { RequestGuard } from "./guard.ts";
import type { SandboxHost } from "./host.ts";
import { OwnerCache, visibleEvents } from "./ws-filter.ts";

export interface WebSocketOptions {
  /** Sandbox a hello may name as "-" (or the default when a client names none). */
  defaultSandbox?: string;
  /** Path answered (default `/_ec2sim/ws`). */
  path?: string;
  /** Events kept in memory per sandbox for resumes (default 50,000). */
  ringSize?: number;
  /** A connection that has not said hello by then is closed (default 10 s). */
  helloTimeoutMs?: number;
  /** A client this far behind (bytes queued) is dropped; it can reconnect and resume. */
  maxBufferedBytes?: number;
  /**
   * Host and Origin checks at the upgrade, and the admin token (a bearer header on the upgrade:
   * the clock may then be moved whatever account signs in). Without one, no one is admin.
   */
  guard?: RequestGuard;
  log?: (message: string, error?: unknown) => void;
}

export interface WebSocketEndpoint {
  readonly wss: WebSocketServer;
  /** Connected, authenticated clients. */
  clientCount(): number;
  close(): Promise<void>;
}

const SERVER_NAME = "ec2sim";

/** Answers an upgrade request with an HTTP error and EC2's JSON error body, then closes. */
function refuseUpgrade(socket: Duplex, status: string, code: string, message: string): void {
  const body = JSON.stringify({ error: { code, message } });
  socket.end(
    `HTTP/1.1 ${status}\r\ncontent-type: application/json\r\nconnection: close\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}
const BACKLOG_CHUNK = 1_000;

interface Sub {
  id: string | number;
  /** Live events wait here while the backlog is being sent. */
  queue: EventEnvelope[] | undefined;
  /** Highest seq sent (or considered) on this subscription. */
  sentUpTo: number;
}

interface Session {
  ws: WebSocket;
  sandbox: string;
  accountId: string;
  /** The upgrade carried the admin token. */
  admin: boolean;
  subs: Map<string, Sub>;
}

/** Recent events of one sandbox, for resumes. */
class Ring {
  private buf: EventEnvelope[] = [];
  constructor(private readonly size: number) {}
  push(events: readonly EventEnvelope[]): void {
    for (const e of events) this.buf.push(e);
    if (this.buf.length > this.size * 1.25) this.buf = this.buf.slice(this.buf.length - this.size);
  }
  /** Events after `since` up to `upTo`, or undefined when the ring does not reach back that far. */
  after(since: number, upTo: number): EventEnvelope[] | undefined {
    const first = this.buf[0];
    if (!first || first.seq > since + 1) return undefined;
    let lo = 0;
    let hi = this.buf.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.buf[mid]!.seq <= since) lo = mid + 1;
      else hi = mid;
    }
    const out: EventEnvelope[] = [];
    for (let i = lo; i < this.buf.length && this.buf[i]!.seq <= upTo; i++) out.push(this.buf[i]!);
    return out;
  }
}

export function attachWebSocket(server: Server, host: SandboxHost, options: WebSocketOptions = {}): WebSocketEndpoint {
  const path = options.path ?? WS_PATH;
  const defaultSandbox = options.defaultSandbox ?? "default";
  const ringSize = options.ringSize ?? 50_000;
  const maxBuffered = options.maxBufferedBytes ?? 64 * 1024 * 1024;
  const log =
    options.log ??
    ((m: string, e?: unknown) =>
      console.error(`ec2sim ws: ${m}${e ? `: ${e instanceof Error ? e.message : String(e)}` : ""}`));
  const wss = new WebSocketServer({ noServer: true, maxPayload: 4 * 1024 * 1024, perMessageDeflate: false });
  const sessions = new Set<Session>();
  const rings = new Map<string, Ring>();
  const owners = new Map<string, OwnerCache>();
  const cacheOf = (sandbox: string) => {
    let c = owners.get(sandbox);
    if (!c) owners.set(sandbox, (c = new OwnerCache()));
    return c;
  };

  const unsubscribeHost = host.subscribe((sandbox, events) => {
    cacheOf(sandbox).note(events);
    let ring = rings.get(sandbox);
    if (!ring) rings.set(sandbox, (ring = new Ring(ringSize)));
    ring.push(events);
    fanOut(sandbox, events);
  });

  /** One batch to every subscriber of a sandbox; the visible part and its JSON computed once per account. */
  function fanOut(sandbox: string, events: readonly EventEnvelope[]): void {
    const upTo = events[events.length - 1]!.seq;
    const perAccount = new Map<string, { events: EventEnvelope[]; json: string }>();
    const sb = host.peek(sandbox);
    for (const s of sessions) {
      if (s.sandbox !== sandbox || s.subs.size === 0) continue;
      let part = perAccount.get(s.accountId);
      if (!part) {
        const visible = visibleEvents(sb, cacheOf(sandbox), s.accountId, events);
        part = { events: visible, json: toWire(visible) };
        perAccount.set(s.accountId, part);
      }
      for (const sub of s.subs.values()) {
        if (sub.queue) {
          sub.queue.push(...events);
          continue;
        }
        if (upTo <= sub.sentUpTo) continue;
        sendEvents(s, sub, part.json, upTo);
      }
    }
  }

  function sendEvents(s: Session, sub: Sub, eventsJson: string, upTo: number): void {
    sub.sentUpTo = upTo;
    if (s.ws.bufferedAmount > maxBuffered) {
      log(
        `dropping a client of account ${s.accountId} that is ${s.ws.bufferedAmount} bytes behind; it can reconnect and resume`,
      );
      s.ws.terminate();
      return;
    }
    s.ws.send(`{"type":"events","sub":${JSON.stringify(sub.id)},"upTo":${upTo},"events":${eventsJson}}`);
  }

  /** Sandboxes whose owner cache has seen their whole history. */
  const primed = new Set<string>();
  async function backlog(sandbox: string, since: number, upTo: number): Promise<EventEnvelope[]> {
    const fromRing = rings.get(sandbox)?.after(since, upTo);
    if (fromRing) return fromRing;
    // The owner cache must know resources deleted before `since` too: the first read from the
    // store takes the whole history (later events reach the cache through host.subscribe).
    if (!primed.has(sandbox)) {
      const all = await host
        .events(sandbox, upTo)
        .catch((e: unknown) =>
          isEc2Error(e) && e.code === "InvalidSandbox.EventsCompacted" ? undefined : Promise.reject(e),
        );
      if (all) {
        cacheOf(sandbox).note(all.events);
        primed.add(sandbox);
        return all.events.filter((e) => e.seq > since);
      }
    }
    const { events } = await host.events(sandbox, upTo, since);
    cacheOf(sandbox).note(events);
    return events.filter((e) => e.seq > since);
  }

  async function subscribe(
    s: Session,
    id: string | number,
    since: number | undefined,
  ): Promise<{ sub: string | number; lastSeq: number }> {
    const key = String(id);
    if (s.subs.has(key))
      throw new Ec2Error("InvalidParameterValue", `A subscription with id ${key} exists on this connection`);
    const sub: Sub = { id, queue: [], sentUpTo: -1 };
    s.subs.set(key, sub);
    const info = await host.info(s.sandbox);
    const lastSeq = info.lastSeq;
    // The result goes first; then the backlog, then what arrived meanwhile.
    send(s.ws, { type: "result", id, result: { sub: id, lastSeq } });
    const sb = host.peek(s.sandbox);
    if (since !== undefined && since < lastSeq) {
      const old = await backlog(s.sandbox, since, lastSeq);
      for (let i = 0; i < old.length; i += BACKLOG_CHUNK) {
        const chunk = old.slice(i, i + BACKLOG_CHUNK);
        const upTo = i + BACKLOG_CHUNK >= old.length ? lastSeq : chunk[chunk.length - 1]!.seq;
        sendEvents(s, sub, toWire(visibleEvents(sb, cacheOf(s.sandbox), s.accountId, chunk)), upTo);
      }
      if (!old.length) sendEvents(s, sub, "[]", lastSeq);
    }
    sub.sentUpTo = Math.max(sub.sentUpTo, lastSeq);
    const queued = (sub.queue ?? []).filter((e) => e.seq > sub.sentUpTo);
    sub.queue = undefined;
    if (queued.length)
      sendEvents(
        s,
        sub,
        toWire(visibleEvents(sb, cacheOf(s.sandbox), s.accountId, queued)),
        queued[queued.length - 1]!.seq,
      );
    // Nothing is sent as the `result` of this request: it was sent above.
    return { sub: id, lastSeq: -1 };
  }

  async function handleRequest(s: Session, req: RequestMsg): Promise<unknown> {
    switch (req.method) {
      case "call": {
        const { action, input, region } = req.params;
        // As the EC2 endpoint answers: an action of the model core lacks is UnsupportedOperation.
        if (!Sandbox.hasAction(action))
          throw routeAction(action) === "unsupported" ? unsupportedOperation(action) : errors.invalidAction(action);
        return host.call(s.sandbox, { accountId: s.accountId, region: region ?? "us-east-1" }, action, input);
      }
      case "clock": {
        const p = req.params;
        if (p.advance !== undefined || p.speed !== undefined || p.paused !== undefined) {
          // Every account of the sandbox shares its clock: only its operators move it.
          const sb = await host.load(s.sandbox);
          if (!s.admin && !sb.isClockOperator(s.accountId))
            throw new Ec2Error(
              "UnauthorizedOperation",
              `You are not authorized to perform this operation: account ${s.accountId} is not an operator of sandbox '${s.sandbox}', so it cannot move the clock every account shares (an operator or the admin token can)`,
              403,
            );
        }
        if (p.advance !== undefined) {
          const ms = typeof p.advance === "number" ? p.advance : parseDuration(p.advance);
          if (ms === undefined)
            throw new Ec2Error("InvalidParameterValue", `'${p.advance}' is not a duration: use 90s, 5m, 1h30m or 2d`);
          await host.advance(s.sandbox, ms);
        }
        if (p.speed !== undefined || p.paused !== undefined) {
          await host.setClock(s.sandbox, {
            ...(p.speed !== undefined ? { speed: p.speed } : {}),
            ...(p.paused !== undefined ? { paused: p.paused } : {}),
          });
        }
        const sb = await host.load(s.sandbox);
        return { ...sb.state.clock, now: sb.now };
      }
      case "cost":
        return host.costReport(s.sandbox, s.accountId);
      case "info": {
        const info = await host.info(s.sandbox);
        const sb = await host.load(s.sandbox);
        return {
          sandbox: s.sandbox,
          lastSeq: info.lastSeq,
          clock: { ...sb.state.clock },
          now: sb.now,
          serverNow: Date.now(),
        };
      }
      case "subscribe":
        return subscribe(s, req.id, req.params.since);
      case "unsubscribe": {
        const existed = s.subs.delete(String(req.params.sub));
        if (!existed)
          throw new Ec2Error("InvalidParameterValue", `No subscription ${String(req.params.sub)} on this connection`);
        return { ok: true };
      }
    }
  }

  async function handleHello(
    ws: WebSocket,
    nonce: string,
    hello: HelloMsg,
    admin: boolean,
  ): Promise<Session | undefined> {
    if (hello.protocol !== PROTOCOL_VERSION) {
      const advice =
        hello.protocol < PROTOCOL_VERSION
          ? `This ec2sim server speaks protocol version ${PROTOCOL_VERSION}; your client speaks ${hello.protocol}, which is older. Upgrade the client (update ec2sim) to connect.`
          : `This ec2sim server speaks protocol version ${PROTOCOL_VERSION}; your client speaks ${hello.protocol}, which is newer. Upgrade the server, or use a client of the server's version.`;
      send(ws, { type: "error", error: { code: "ProtocolVersionMismatch", message: advice } });
      ws.close(CLOSE.protocolMismatch, "protocol version mismatch");
      return undefined;
    }
    const sandbox = hello.sandbox === "-" ? defaultSandbox : hello.sandbox;
    let sb: Sandbox;
    try {
      sb = await host.load(sandbox);
    } catch (e) {
      send(ws, { type: "error", error: errorBody(e, log) });
      ws.close(CLOSE.authFailed, "no such sandbox");
      return undefined;
    }
    const account = sb.accountForAccessKey(hello.accessKeyId);
    if (!account || !verifyChallenge(account.secretAccessKey, nonce, sandbox, hello.accessKeyId, hello.signature)) {
      send(ws, {
        type: "error",
        error: {
          code: "AuthFailure",
          message: `Authentication failed for access key ${hello.accessKeyId.slice(0, 24)} on sandbox '${sandbox}': unknown key or wrong signature (sign the challenge with the account's secret key)`,
        },
      });
      ws.close(CLOSE.authFailed, "authentication failed");
      return undefined;
    }
    const info = await host.info(sandbox);
    const acct = sb.state.accounts.get(account.accountId);
    send(ws, {
      type: "welcome",
      protocol: PROTOCOL_VERSION,
      sandbox,
      accountId: account.accountId,
      ...(acct?.alias ? { alias: acct.alias } : {}),
      region: "us-east-1",
      lastSeq: info.lastSeq,
      clock: { ...sb.state.clock },
      serverNow: Date.now(),
    });
    return { ws, sandbox, accountId: account.accountId, admin, subs: new Map() };
  }

  wss.on("connection", (ws: WebSocket, req: IncomingMessage) => {
    const admin = options.guard?.isAdmin(req.headers) ?? false;
    const nonce = newNonce();
    let session: Session | undefined;
    let helloing = false;
    const helloTimer = setTimeout(() => {
      if (!session) ws.close(CLOSE.helloTimeout, "no hello in time");
    }, options.helloTimeoutMs ?? 10_000);
    helloTimer.unref();
    send(ws, { type: "challenge", protocol: PROTOCOL_VERSION, server: SERVER_NAME, nonce });
    ws.on("message", (data, isBinary) => {
      const text = isBinary ? "" : data.toString();
      const parsed = parseClientMessage(isBinary ? "binary" : text);
      if (!parsed.ok) {
        send(ws, {
          type: "error",
          ...(parsed.id !== undefined ? { id: parsed.id } : {}),
          error: isBinary
            ? { code: "MalformedMessage", message: "Binary frames are not part of the protocol: send JSON text frames" }
            : parsed.error,
        });
        return;
      }
      const msg = parsed.message;
      if (msg.type === "hello") {
        if (session || helloing) {
          send(ws, {
            type: "error",
            error: { code: "InvalidMessage", message: "hello was already sent on this connection" },
          });
          return;
        }
        helloing = true;
        handleHello(ws, nonce, msg, admin).then(
          (s) => {
            clearTimeout(helloTimer);
            if (!s) return;
            if (ws.readyState !== ws.OPEN) return;
            session = s;
            sessions.add(s);
          },
          (e: unknown) => {
            send(ws, { type: "error", error: errorBody(e, log) });
            ws.close(CLOSE.authFailed, "hello failed");
          },
        );
        return;
      }
      if (!session) {
        send(ws, {
          type: "error",
          id: msg.id,
          error: { code: "AuthRequired", message: "Send hello (answering the challenge) before any request" },
        });
        return;
      }
      const s = session;
      handleRequest(s, msg).then(
        (result) => {
          if (msg.method === "subscribe") return; // answered inside subscribe(), before its backlog
          send(ws, { type: "result", id: msg.id, result });
        },
        (e: unknown) => {
          if (msg.method === "subscribe") s.subs.delete(String(msg.id));
          send(ws, { type: "error", id: msg.id, error: errorBody(e, log) });
        },
      );
    });
    ws.on("close", () => {
      clearTimeout(helloTimer);
      if (session) sessions.delete(session);
    });
    ws.on("error", () => undefined);
  });

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const pathname = (req.url ?? "/").split("?", 1)[0];
    if (pathname !== path) {
      socket.end("HTTP/1.1 404 Not Found\r\nconnection: close\r\ncontent-length: 0\r\n\r\n");
      return;
    }
    // A page elsewhere (cross-site WebSocket hijacking) or a rebound DNS name is refused before the handshake.
    const refusal = options.guard?.checkSite(req.headers);
    if (refusal) return refuseUpgrade(socket, "403 Forbidden", refusal.code, refusal.message);
    // A token that is sent must be the right one: a wrong one is refused, not taken as "no token".
    if (req.headers.authorization !== undefined && !options.guard?.isAdmin(req.headers)) {
      return refuseUpgrade(
        socket,
        "401 Unauthorized",
        "AuthFailure",
        "The Authorization header does not carry this server's admin token (connect without it to sign in as an account only)",
      );
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit("connection", ws, req));
  };
  server.on("upgrade", onUpgrade);

  return {
    wss,
    clientCount: () => sessions.size,
    close: async () => {
      unsubscribeHost();
      server.off("upgrade", onUpgrade);
      for (const ws of wss.clients) ws.close(CLOSE.shuttingDown, "server shutting down");
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => {
          for (const ws of wss.clients) ws.terminate();
          resolve();
        }, 1_000);
        t.unref();
        wss.close(() => {
          clearTimeout(t);
          resolve();
        });
      });
    },
  };
}

function send(ws: WebSocket, msg: unknown): void {
  if (ws.readyState === ws.OPEN) ws.send(toWire(msg));
}

function errorBody(e: unknown, log: (m: string, e?: unknown) => void): { code: string; message: string } {
  if (isEc2Error(e)) return { code: e.code, message: e.message };
  log("request failed", e);
  return { code: "InternalError", message: "An internal error has occurred" };
}
