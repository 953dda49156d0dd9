/**
 * The JSON admin API under `/_ec2sim/`, for the REPL, tests and scripts. Every route but
 * `GET /health` needs the admin token (guard.ts, checked before this runs).
 *
 *   GET    /_ec2sim/health                              {"ok":true} (the one route open without the admin token)
 *   GET    /_ec2sim/metrics                             HostMetrics: snapshots saved, by where they were
 *                                                        encoded (worker / event loop / large ones on the loop)
 *   GET    /_ec2sim/sandboxes                           [SandboxInfo]
 *   POST   /_ec2sim/sandboxes                           {name, seed?, speed?, paused?} -> 201 SandboxInfo
 *   GET    /_ec2sim/sandboxes/<name>                    SandboxInfo (clock, accounts and credentials)
 *   DELETE /_ec2sim/sandboxes/<name>                    204
 *   POST   /_ec2sim/sandboxes/<name>/accounts           {accountId?, alias?, organizationArn?, ouArn?} -> 201 account
 *   POST   /_ec2sim/sandboxes/<name>/clock              {advance?: "5m" | ms, speed?, paused?} -> clock
 *   POST   /_ec2sim/sandboxes/<name>/clock-operators    {accountIds} -> {clockOperators}: who may move the
 *                                                        clock over the WebSocket (the admin token always may)
 *   GET    /_ec2sim/sandboxes/<name>/cost[?accountId=]  CostReport
 *   POST   /_ec2sim/sandboxes/<name>/call               {action, input?, accountId?, region?} -> {output}
 *                                                        (any core action, sandbox-only ones included)
 *   GET    /_ec2sim/sandboxes/<name>/events[?upTo=N]    {name, config: {seed, start?}, lastSeq, events: [EventEnvelope]}
 *                                                        (the durable log, to replay: exports, diffs, branches;
 *                                                        all of it across snapshots — 410 InvalidSandbox.EventsCompacted
 *                                                        only when the server compacts: --compact-history)
 * Errors: {"error":{"code","message"}} with the EC2 code's HTTP status.
 */
import { Ec2Error, isEc2Error, type NewAccount, parseDuration } from "@ec2sim/core";
import { DEFAULT_ACCOUNT_ID, type SandboxHost } from "./host.ts";

export interface AdminRequest {
  method: string;
  path: string;
  body: string;
}

export interface AdminResponse {
  status: number;
  body: string;
  headers?: Record<string, string>;
}

const json = (status: number, value: unknown): AdminResponse => ({
  status,
  body: JSON.stringify(value, (_k, v: unknown) => (v instanceof Uint8Array ? Buffer.from(v).toString("base64") : v)),
});

const bad = (message: string) => new Ec2Error("InvalidParameterValue", message);

function parseJson(body: string): Record<string, unknown> {
  if (body.trim() === "") return {};
  let v: unknown;
  try {
    v = JSON.parse(body);
  } catch {
    throw new Ec2Error("MalformedJson", "The request body is not valid JSON");
  }
  if (v === null || typeof v !== "object" || Array.isArray(v))
    throw new Ec2Error("MalformedJson", "The request body must be a JSON object");
  return v as Record<string, unknown>;
}

const optString = (o: Record<string, unknown>, k: string): string | undefined => {
  const v = o[k];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string") throw bad(`${k} must be a string`);
  return v;
};
const optNumber = (o: Record<string, unknown>, k: string): number | undefined => {
  const v = o[k];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "number" || !Number.isFinite(v)) throw bad(`${k} must be a number`);
  return v;
};
const optBool = (o: Record<string, unknown>, k: string): boolean | undefined => {
  const v = o[k];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "boolean") throw bad(`${k} must be true or false`);
  return v;
};

/** ISO timestamps in JSON inputs of `call` become Dates where core expects them (it accepts both). */
export async function handleAdmin(
  host: SandboxHost,
  req: AdminRequest,
  opts: { defaultSandbox: string },
): Promise<AdminResponse> {
  try {
    const url = new URL(req.path, "http://admin");
    let parts: string[];
    try {
      parts = url.pathname.split("/").filter(Boolean).slice(1).map(decodeURIComponent);
    } catch {
      throw bad("The path is not valid percent-encoding");
    }
    const method = req.method.toUpperCase();
    const [root, name, sub, ...rest] = parts;
    if (rest.length) throw new Ec2Error("InvalidAction", `No admin route ${method} ${url.pathname}`, 404);
    if (root === "health" && !name) return json(200, { ok: true });
    if (root === "metrics" && !name) {
      if (method !== "GET") throw methodNotAllowed(method, url.pathname);
      return json(200, host.metrics());
    }
    if (root !== "sandboxes") throw new Ec2Error("InvalidAction", `No admin route ${method} ${url.pathname}`, 404);
    if (!name) {
      if (method === "GET") return json(200, await host.list());
      if (method === "POST") {
        const b = parseJson(req.body);
        const sandboxName = optString(b, "name");
        if (!sandboxName) throw new Ec2Error("MissingParameter", "The request must contain the parameter name");
        const seed = optString(b, "seed");
        const speed = optNumber(b, "speed");
        const paused = optBool(b, "paused");
        const info = await host.create(sandboxName, {
          ...(seed !== undefined ? { seed } : {}),
          ...(speed !== undefined ? { speed } : {}),
          ...(paused !== undefined ? { paused } : {}),
        });
        return json(201, info);
      }
      throw methodNotAllowed(method, url.pathname);
    }
    const sandbox = name === "-" ? opts.defaultSandbox : name;
    if (!sub) {
      if (method === "GET") return json(200, await host.info(sandbox));
      if (method === "DELETE") {
        await host.delete(sandbox);
        return { status: 204, body: "" };
      }
      throw methodNotAllowed(method, url.pathname);
    }
    switch (sub) {
      case "accounts": {
        if (method !== "POST") throw methodNotAllowed(method, url.pathname);
        const b = parseJson(req.body);
        const spec: NewAccount = {};
        for (const k of ["accountId", "alias", "organizationArn", "ouArn", "callerIp"] as const) {
          const v = optString(b, k);
          if (v !== undefined) spec[k] = v;
        }
        return json(201, await host.createAccount(sandbox, spec));
      }
      case "clock": {
        if (method === "GET") return json(200, (await host.info(sandbox)).clock);
        if (method !== "POST") throw methodNotAllowed(method, url.pathname);
        const b = parseJson(req.body);
        const adv = b.advance;
        if (adv !== undefined) {
          const ms = typeof adv === "number" ? adv : typeof adv === "string" ? parseDuration(adv) : undefined;
          if (ms === undefined)
            throw bad(
              `Cannot advance the clock by '${String(adv).slice(0, 40)}': give ms or a duration like 90s, 5m, 1h30m`,
            );
          await host.advance(sandbox, ms); // bounds (finite, at most 10 years) checked by core
        }
        const speed = optNumber(b, "speed");
        const paused = optBool(b, "paused");
        if (speed !== undefined || paused !== undefined) {
          await host.setClock(sandbox, {
            ...(speed !== undefined ? { speed } : {}),
            ...(paused !== undefined ? { paused } : {}),
          });
        }
        return json(200, (await host.info(sandbox)).clock);
      }
      case "clock-operators": {
        if (method !== "POST") throw methodNotAllowed(method, url.pathname);
        const ids = parseJson(req.body).accountIds;
        if (!Array.isArray(ids) || !ids.every((x) => typeof x === "string"))
          throw bad("accountIds must be a list of account IDs");
        return json(200, { clockOperators: await host.setClockOperators(sandbox, ids as string[]) });
      }
      case "cost": {
        if (method !== "GET") throw methodNotAllowed(method, url.pathname);
        const accountId = url.searchParams.get("accountId") ?? undefined;
        return json(200, await host.costReport(sandbox, accountId));
      }
      case "events": {
        if (method !== "GET") throw methodNotAllowed(method, url.pathname);
        const upTo = url.searchParams.get("upTo");
        const n = upTo === null ? undefined : Number(upTo);
        if (n !== undefined && (!Number.isSafeInteger(n) || n < 0))
          throw bad(`upTo must be a non-negative integer, not '${String(upTo).slice(0, 40)}'`);
        return json(200, await host.events(sandbox, n));
      }
      case "call": {
        if (method !== "POST") throw methodNotAllowed(method, url.pathname);
        const b = parseJson(req.body);
        const action = optString(b, "action");
        if (!action) throw new Ec2Error("MissingParameter", "The request must contain the parameter action");
        const input = b.input ?? {};
        if (input === null || typeof input !== "object" || Array.isArray(input)) throw bad("input must be an object");
        const accountId = optString(b, "accountId") ?? DEFAULT_ACCOUNT_ID;
        const region = optString(b, "region") ?? "us-east-1";
        const output = await host.call(sandbox, { accountId, region }, action, input as Record<string, unknown>);
        return json(200, { output });
      }
      default:
        throw new Ec2Error("InvalidAction", `No admin route ${method} ${url.pathname}`, 404);
    }
  } catch (e) {
    if (isEc2Error(e)) return json(e.httpStatus, { error: { code: e.code, message: e.message } });
    return json(500, { error: { code: "InternalError", message: "An internal error has occurred" } });
  }
}

function methodNotAllowed(method: string, path: string): Ec2Error {
  return new Ec2Error("InvalidHttpRequest", `${method.slice(0, 10)} is not allowed on ${path}`, 405);
}
