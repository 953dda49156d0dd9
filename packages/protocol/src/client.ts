/**
 * A Node client of the protocol (the REPL's, the tests' and the benchmark's): connects, answers the
 * challenge, matches responses to requests by id, and keeps subscriptions alive across reconnects,
 * resuming from the last seq it saw so no event is lost or seen twice.
 */
import WebSocket from "ws";
import { signChallenge } from "./auth.ts";
import { ProtocolError } from "./errors.ts";
import {
  type ClockResultT,
  type InfoResultT,
  type Method,
  type ParamsOf,
  PROTOCOL_VERSION,
  parseServerMessage,
  type ServerMsg,
  type SubscribeResultT,
  type WelcomeMsg,
  type WireEnvelope,
  WS_PATH,
} from "./messages.ts";

export interface ClientOptions {
  /** `ws://127.0.0.1:4566/_ec2sim/ws` (the path is added when the URL has none). */
  url: string;
  sandbox?: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** Reconnect after a lost connection (with back-off) and resume subscriptions. Default true. */
  reconnect?: boolean;
  /** Protocol version to announce (tests use it to act as an old client). */
  protocol?: number;
  /** A request with no answer after this long fails with `RequestTimeout`. Default 60 s. */
  requestTimeoutMs?: number;
  clientName?: string;
  /**
   * Certificates to trust for a `wss://` server besides the system's (PEM): a server with a
   * self-signed certificate (`ec2sim serve --tls-cert`). NODE_EXTRA_CA_CERTS does the same for a
   * whole process.
   */
  ca?: string | Buffer;
  /**
   * The server's admin token, sent as a bearer header on the upgrade: the connection may then move
   * the sandbox's clock whatever account signs in (docs/SECURITY.md). Never needed for anything else.
   */
  adminToken?: string;
}

export type ConnectionState = "connecting" | "open" | "reconnecting" | "closed";

export type EventsHandler = (events: readonly WireEnvelope[], upTo: number) => void;

interface Pending {
  resolve(v: unknown): void;
  reject(e: unknown): void;
  timer: NodeJS.Timeout;
}

interface Subscription {
  /** Server-side id of the current subscribe request. */
  wireId: string | undefined;
  handler: EventsHandler;
  /** Highest seq considered (from `upTo`), what a resume starts after. */
  lastSeq: number;
}

/** Normalises a server address: http(s) becomes ws(s), a missing path becomes the protocol's. */
export function wsUrlOf(url: string): string {
  const u = new URL(url.includes("://") ? url : `ws://${url}`);
  if (u.protocol === "http:") u.protocol = "ws:";
  if (u.protocol === "https:") u.protocol = "wss:";
  if (u.pathname === "/" || u.pathname === "") u.pathname = WS_PATH;
  return u.toString();
}

export class SandboxClient {
  private ws: WebSocket | undefined;
  private nextId = 1;
  private readonly pending = new Map<string, Pending>();
  private readonly subs = new Map<number, Subscription>();
  private nextSub = 1;
  private readonly stateListeners = new Set<(s: ConnectionState, why?: string) => void>();
  private closedByUser = false;
  private attempt = 0;
  private clockOffset = 0;
  state: ConnectionState = "connecting";
  welcome!: WelcomeMsg;

  private constructor(readonly options: ClientOptions & { sandbox: string }) {}

  /** Connects and authenticates; rejects with the server's error (e.g. `ProtocolVersionMismatch`, `AuthFailure`). */
  static async connect(options: ClientOptions): Promise<SandboxClient> {
    const c = new SandboxClient({ ...options, sandbox: options.sandbox ?? "default" });
    await c.open();
    return c;
  }

  get accountId(): string {
    return this.welcome.accountId;
  }

  /** The server's real clock now, as far as this client can tell. */
  serverNow(): number {
    return Date.now() + this.clockOffset;
  }

  onState(listener: (s: ConnectionState, why?: string) => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  private setState(s: ConnectionState, why?: string): void {
    this.state = s;
    for (const l of this.stateListeners) l(s, why);
  }

  private open(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const ws = new WebSocket(wsUrlOf(this.options.url), {
        perMessageDeflate: false,
        ...(this.options.ca !== undefined ? { ca: this.options.ca } : {}),
        ...(this.options.adminToken !== undefined
          ? { headers: { authorization: `Bearer ${this.options.adminToken}` } }
          : {}),
      });
      this.ws = ws;
      let settled = false;
      const fail = (e: unknown) => {
        if (settled) return;
        settled = true;
        reject(e);
      };
      ws.on("message", (data) => {
        let msg: ServerMsg;
        try {
          msg = parseServerMessage(data.toString());
        } catch (e) {
          fail(
            new ProtocolError(
              "InvalidServerMessage",
              `The server sent a message this client cannot read: ${e instanceof Error ? e.message.slice(0, 200) : String(e)}`,
            ),
          );
          ws.close();
          return;
        }
        if (msg.type === "challenge") {
          const signature = signChallenge(
            this.options.secretAccessKey,
            msg.nonce,
            this.options.sandbox,
            this.options.accessKeyId,
          );
          ws.send(
            JSON.stringify({
              type: "hello",
              protocol: this.options.protocol ?? PROTOCOL_VERSION,
              sandbox: this.options.sandbox,
              accessKeyId: this.options.accessKeyId,
              signature,
              client: this.options.clientName ?? "ec2sim-node",
            }),
          );
          return;
        }
        if (msg.type === "welcome") {
          this.welcome = msg;
          this.clockOffset = msg.serverNow - Date.now();
          this.attempt = 0;
          settled = true;
          this.setState("open");
          resolve();
          this.resubscribe();
          return;
        }
        if (!settled && msg.type === "error" && msg.id === undefined) {
          fail(new ProtocolError(msg.error.code, msg.error.message));
          return;
        }
        this.dispatch(msg);
      });
      ws.on("error", (e) =>
        fail(
          new ProtocolError(
            "ConnectionFailed",
            `Cannot reach the ec2sim server at ${wsUrlOf(this.options.url)}: ${e.message}`,
          ),
        ),
      );
      ws.on("close", (code, reason) => {
        fail(
          new ProtocolError(
            "ConnectionClosed",
            `The server closed the connection (${code}${reason.length ? `: ${reason.toString()}` : ""})`,
          ),
        );
        this.onClose(code);
      });
    });
  }

  private onClose(code: number): void {
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(
        new ProtocolError(
          "ConnectionLost",
          "The connection to the ec2sim server was lost before it answered; the request may or may not have run",
        ),
      );
      this.pending.delete(id);
    }
    for (const s of this.subs.values()) s.wireId = undefined;
    const permanent = code === 4001 || code === 4003;
    if (this.closedByUser || permanent || this.options.reconnect === false || this.state === "connecting") {
      this.setState("closed");
      return;
    }
    this.setState("reconnecting");
    const delay = Math.min(5_000, 100 * 2 ** this.attempt++);
    setTimeout(() => {
      if (this.closedByUser) return;
      this.open().catch(() => {
        // onClose runs again and schedules the next attempt
      });
    }, delay).unref();
  }

  private dispatch(msg: ServerMsg): void {
    if (msg.type === "result" || (msg.type === "error" && msg.id !== undefined)) {
      const key = String(msg.id);
      const p = this.pending.get(key);
      if (!p) return;
      this.pending.delete(key);
      clearTimeout(p.timer);
      if (msg.type === "result") p.resolve(msg.result);
      else p.reject(new ProtocolError(msg.error.code, msg.error.message));
      return;
    }
    if (msg.type === "events") {
      for (const s of this.subs.values()) {
        if (s.wireId !== String(msg.sub)) continue;
        const fresh = msg.events.filter((e) => e.seq > s.lastSeq);
        s.lastSeq = Math.max(s.lastSeq, msg.upTo);
        if (fresh.length || msg.upTo) s.handler(fresh, s.lastSeq);
      }
    }
  }

  /** Sends one request and waits for its answer. */
  request<M extends Method>(method: M, params: ParamsOf<M>): Promise<unknown> {
    const ws = this.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN || this.state !== "open") {
      return Promise.reject(new ProtocolError("NotConnected", `Not connected to the ec2sim server (${this.state})`));
    }
    const id = `r${this.nextId++}`;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(
          new ProtocolError(
            "RequestTimeout",
            `The server did not answer ${method} within ${this.options.requestTimeoutMs ?? 60_000} ms`,
          ),
        );
      }, this.options.requestTimeoutMs ?? 60_000);
      timer.unref();
      this.pending.set(id, { resolve, reject, timer });
      ws.send(JSON.stringify({ type: "request", id, method, params }));
    });
  }

  /** Runs an EC2 action (or a sandbox action such as `SshConnect`) as this client's account. */
  // biome-ignore lint/suspicious/noExplicitAny: the answer's type is the caller's to name (the SDK output of `action`)
  call<T = any>(action: string, input: Record<string, unknown> = {}, region?: string): Promise<T> {
    return this.request("call", { action, input, ...(region ? { region } : {}) }) as Promise<T>;
  }

  clock(change: ParamsOf<"clock">): Promise<ClockResultT> {
    return this.request("clock", change) as Promise<ClockResultT>;
  }

  // biome-ignore lint/suspicious/noExplicitAny: the cost report's type lives in core, which the protocol does not import
  cost<T = any>(): Promise<T> {
    return this.request("cost", {}) as Promise<T>;
  }

  info(): Promise<InfoResultT> {
    return this.request("info", {}) as Promise<InfoResultT>;
  }

  /**
   * Streams the sandbox's events visible to this account. `since` (a seq) replays what came after it
   * first; without it, only new events. Survives reconnects. Returns the unsubscribe function.
   */
  async subscribe(handler: EventsHandler, opts: { since?: number } = {}): Promise<() => void> {
    const key = this.nextSub++;
    const sub: Subscription = { wireId: undefined, handler, lastSeq: opts.since ?? -1 };
    this.subs.set(key, sub);
    await this.startSub(sub, opts.since);
    return () => {
      this.subs.delete(key);
      if (sub.wireId && this.state === "open") this.request("unsubscribe", { sub: sub.wireId }).catch(() => undefined);
    };
  }

  /** Last seq a subscription has seen (what a fresh client would pass as `since` to resume). */
  lastSeq(): number {
    return Math.max(-1, ...[...this.subs.values()].map((s) => s.lastSeq));
  }

  private async startSub(sub: Subscription, since: number | undefined): Promise<void> {
    const id = `r${this.nextId}`;
    sub.wireId = id; // events may arrive before the result
    const r = (await this.request("subscribe", since !== undefined && since >= 0 ? { since } : {})) as SubscribeResultT;
    sub.wireId = String(r.sub);
    if (sub.lastSeq < 0) sub.lastSeq = r.lastSeq;
  }

  private resubscribe(): void {
    for (const s of this.subs.values()) {
      if (s.wireId !== undefined) continue;
      this.startSub(s, s.lastSeq).catch(() => undefined);
    }
  }

  /** Drops the connection without closing the client (tests: a network cut); it reconnects. */
  dropConnection(): void {
    this.ws?.terminate();
  }

  async close(): Promise<void> {
    this.closedByUser = true;
    const ws = this.ws;
    if (!ws || ws.readyState === WebSocket.CLOSED) {
      this.setState("closed");
      return;
    }
    await new Promise<void>((resolve) => {
      ws.once("close", () => resolve());
      ws.close(1000);
      setTimeout(() => {
        ws.terminate();
        resolve();
      }, 1_000).unref();
    });
  }
}
