/**
 * The messages of ec2sim's WebSocket protocol, as zod schemas: the one description that the server
 * validates at its edge and the client validates on receipt. JSON text frames, one message each.
 *
 *   server → client  challenge {protocol, server, nonce}                 on connect
 *   client → server  hello {protocol, sandbox, accessKeyId, signature}   signature = HMAC of the nonce
 *   server → client  welcome {...} | error {code, message} (then close)
 *   client → server  request {id, method, params}
 *   server → client  result {id, result} | error {id, code, message}
 *   server → client  events {sub, upTo, events}                          after a `subscribe` request
 *
 * Versioned: `protocol` in challenge and hello. A server answers a client of another version with
 * `ProtocolVersionMismatch` and a message that says which side to upgrade.
 */
import { z } from "zod";

/** The protocol version this package speaks. Bump on any incompatible change. */
export const PROTOCOL_VERSION = 1;

/** Where a server answers WebSocket upgrades. */
export const WS_PATH = "/_ec2sim/ws";

/** Close codes (4000–4999 are the application's). */
export const CLOSE = {
  protocolMismatch: 4001,
  authFailed: 4003,
  helloTimeout: 4008,
  shuttingDown: 1001,
} as const;

const id = z.union([z.string().min(1).max(100), z.number().int()]);
const region = z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, "a region name such as us-east-1");

// ---------------------------------------------------------------- server → client

export const Challenge = z.object({
  type: z.literal("challenge"),
  protocol: z.number().int(),
  server: z.string(),
  nonce: z.string().min(16),
});

export const ClockInfo = z.object({
  simAtAnchor: z.number(),
  realAtAnchor: z.number(),
  speed: z.number(),
  paused: z.boolean(),
});

export const Welcome = z.object({
  type: z.literal("welcome"),
  protocol: z.number().int(),
  sandbox: z.string(),
  accountId: z.string(),
  alias: z.string().optional(),
  region: z.string(),
  /** Last durable seq of the sandbox. */
  lastSeq: z.number().int(),
  clock: ClockInfo,
  /** The server's real clock when it sent this (to correct the client's clock skew). */
  serverNow: z.number(),
});

export const ErrorBody = z.object({
  /** EC2's code (`InvalidAMIID.NotFound`) or the protocol's own (`InvalidMessage`, `AuthFailure`, …). */
  code: z.string(),
  message: z.string(),
});

export const ErrorMessage = z.object({
  type: z.literal("error"),
  /** The request this answers; absent for errors about the connection or an unreadable message. */
  id: id.optional(),
  error: ErrorBody,
});

export const ResultMessage = z.object({
  type: z.literal("result"),
  id,
  result: z.unknown(),
});

export const EventEnvelopeSchema = z.object({
  seq: z.number().int(),
  at: z.number(),
  cursor: z.number().optional(),
  event: z.object({ type: z.string() }).loose(),
});

export const EventsMessage = z.object({
  type: z.literal("events"),
  /** The subscribe request's id. */
  sub: id,
  /** Every seq up to here has been considered (some may be hidden from this account): resume from it. */
  upTo: z.number().int(),
  events: z.array(EventEnvelopeSchema),
});

export const ServerMessage = z.discriminatedUnion("type", [
  Challenge,
  Welcome,
  ErrorMessage,
  ResultMessage,
  EventsMessage,
]);

// ---------------------------------------------------------------- client → server

export const Hello = z.object({
  type: z.literal("hello"),
  protocol: z.number().int(),
  sandbox: z.string().min(1).max(63),
  accessKeyId: z.string().min(1).max(128),
  /** hex HMAC-SHA256 of the challenge (see `auth.ts`); the secret itself is never sent. */
  signature: z.string().regex(/^[0-9a-f]{64}$/, "64 hex digits"),
  client: z.string().max(100).optional(),
});

/** Every request method, with its params. */
export const CallParams = z.object({
  action: z.string().min(1).max(100),
  input: z.record(z.string(), z.unknown()).default({}),
  region: region.optional(),
});
export const ClockParams = z
  .object({
    /** `5m`, `1h30m`, or milliseconds. */
    advance: z.union([z.string().max(40), z.number().nonnegative()]).optional(),
    speed: z.number().positive().max(100_000).optional(),
    paused: z.boolean().optional(),
  })
  .refine(
    (p) => p.advance !== undefined || p.speed !== undefined || p.paused !== undefined,
    "give advance, speed or paused",
  );
export const CostParams = z.object({}).default({});
export const InfoParams = z.object({}).default({});
export const SubscribeParams = z.object({
  /** Resume: send every (visible) event after this seq first. Omit to get only new events. */
  since: z.number().int().nonnegative().optional(),
});
export const UnsubscribeParams = z.object({ sub: id });

const request = <M extends string, P extends z.ZodType>(method: M, params: P) =>
  z.object({ type: z.literal("request"), id, method: z.literal(method), params });

export const Request = z.discriminatedUnion("method", [
  request("call", CallParams),
  request("clock", ClockParams),
  request("cost", CostParams),
  request("info", InfoParams),
  request("subscribe", SubscribeParams),
  request("unsubscribe", UnsubscribeParams),
]);

export const ClientMessage = z.union([Hello, Request]);

// ---------------------------------------------------------------- results

export const ClockResult = ClockInfo.extend({ now: z.number() });
export const InfoResult = z.object({
  sandbox: z.string(),
  lastSeq: z.number().int(),
  clock: ClockInfo,
  now: z.number(),
  serverNow: z.number(),
});
export const SubscribeResult = z.object({ sub: id, lastSeq: z.number().int() });

export type ChallengeMsg = z.infer<typeof Challenge>;
export type WelcomeMsg = z.infer<typeof Welcome>;
export type ErrorMsg = z.infer<typeof ErrorMessage>;
export type ResultMsg = z.infer<typeof ResultMessage>;
export type EventsMsg = z.infer<typeof EventsMessage>;
export type ServerMsg = z.infer<typeof ServerMessage>;
export type HelloMsg = z.infer<typeof Hello>;
export type RequestMsg = z.infer<typeof Request>;
export type ClientMsg = z.infer<typeof ClientMessage>;
export type Method = RequestMsg["method"];
export type ParamsOf<M extends Method> = z.input<(typeof paramSchemas)[M]>;
export type ClockInfoT = z.infer<typeof ClockInfo>;
export type ClockResultT = z.infer<typeof ClockResult>;
export type InfoResultT = z.infer<typeof InfoResult>;
export type SubscribeResultT = z.infer<typeof SubscribeResult>;
export type WireEnvelope = z.infer<typeof EventEnvelopeSchema>;

export const paramSchemas = {
  call: CallParams,
  clock: ClockParams,
  cost: CostParams,
  info: InfoParams,
  subscribe: SubscribeParams,
  unsubscribe: UnsubscribeParams,
} as const;

/** A readable one-line account of why a message failed validation (path: problem; …). */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => `${i.path.length ? i.path.join(".") : "message"}: ${i.message}`)
    .join("; ");
}

/** Parses one client frame: the message, or an error body saying what is wrong with it. */
export function parseClientMessage(
  text: string,
): { ok: true; message: ClientMsg } | { ok: false; error: z.infer<typeof ErrorBody>; id?: string | number } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return {
      ok: false,
      error: {
        code: "MalformedMessage",
        message: "The message is not valid JSON: send one JSON object per text frame",
      },
    };
  }
  const maybeId = typeof raw === "object" && raw !== null ? (raw as { id?: unknown }).id : undefined;
  const idOk = typeof maybeId === "string" || typeof maybeId === "number" ? maybeId : undefined;
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    return { ok: false, error: { code: "InvalidMessage", message: "A message must be a JSON object with a type" } };
  }
  const type = (raw as { type?: unknown }).type;
  if (type === "hello") {
    const r = Hello.safeParse(raw);
    return r.success
      ? { ok: true, message: r.data }
      : { ok: false, error: { code: "InvalidMessage", message: `Invalid hello: ${describeIssues(r.error)}` } };
  }
  if (type === "request") {
    const method = (raw as { method?: unknown }).method;
    if (typeof method !== "string" || !(method in paramSchemas)) {
      return {
        ok: false,
        ...(idOk !== undefined ? { id: idOk } : {}),
        error: {
          code: "InvalidMethod",
          message: `Unknown method ${JSON.stringify(method)}: use one of ${Object.keys(paramSchemas).join(", ")}`,
        },
      };
    }
    const r = Request.safeParse(raw);
    return r.success
      ? { ok: true, message: r.data }
      : {
          ok: false,
          ...(idOk !== undefined ? { id: idOk } : {}),
          error: { code: "InvalidMessage", message: `Invalid ${method} request: ${describeIssues(r.error)}` },
        };
  }
  return {
    ok: false,
    ...(idOk !== undefined ? { id: idOk } : {}),
    error: {
      code: "InvalidMessage",
      message: `Unknown message type ${JSON.stringify(type)}: a client sends "hello" first, then "request"s`,
    },
  };
}

/** Parses one server frame (the client side of the edge). */
export function parseServerMessage(text: string): ServerMsg {
  return ServerMessage.parse(JSON.parse(text));
}

/** JSON for the wire: binary as base64 (as the EC2 API does), dates as ISO-8601. */
export function toWire(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (v instanceof Uint8Array ? Buffer.from(v).toString("base64") : v));
}
