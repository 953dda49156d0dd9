/**
 * Who may use the admin API and the WebSocket (issue #11; threat model in docs/SECURITY.md):
 *
 * - the admin token, as `Authorization: Bearer <token>`, for every admin route but `GET /health`
 *   (and, on a WebSocket upgrade, for the clock whatever account signs in);
 * - only names the server is meant to be reached by in `Host` (loopback names, the address it is
 *   bound to, `--allow-host`), so a web page cannot reach it through DNS rebinding;
 * - no foreign `Origin` (a browser's page elsewhere): loopback or allowed hosts, or `--allow-origin`.
 * The admin API also takes state changes only as JSON (`content-type: application/json`), which a
 * page cannot send to another origin without a CORS preflight this server never grants.
 */
import type { IncomingHttpHeaders } from "node:http";
import { bearerOf, tokenMatches } from "./install.ts";

export interface GuardOptions {
  adminToken: string;
  allowedHosts?: string[];
  allowedOrigins?: string[];
}

export interface Refusal {
  status: number;
  code: string;
  message: string;
}

export interface RequestGuard {
  /** Whether Host and Origin are ones this server answers the admin API and the WebSocket for. */
  checkSite(headers: IncomingHttpHeaders): Refusal | undefined;
  /** Whether the request carries the admin token. */
  isAdmin(headers: IncomingHttpHeaders): boolean;
}

/** localhost, 127.0.0.0/8, ::1 (with or without brackets). */
export function isLoopbackHost(name: string): boolean {
  const h = name.toLowerCase().replace(/^\[|\]$/g, "");
  return h === "localhost" || h.endsWith(".localhost") || h === "::1" || /^127(\.\d{1,3}){3}$/.test(h);
}

/** The host name of a Host header value (`name:port`, `[v6]:port`). */
export function hostnameOf(hostHeader: string): string {
  const v = hostHeader.trim().toLowerCase();
  if (v.startsWith("[")) return v.slice(0, v.indexOf("]") + 1);
  const i = v.lastIndexOf(":");
  return i >= 0 && v.indexOf(":") === i ? v.slice(0, i) : v;
}

export function requestGuard(options: GuardOptions): RequestGuard {
  const hosts = new Set((options.allowedHosts ?? []).map((h) => hostnameOf(h)));
  const origins = new Set((options.allowedOrigins ?? []).map((o) => o.replace(/\/+$/, "").toLowerCase()));
  const hostOk = (name: string) => isLoopbackHost(name) || hosts.has(name);
  return {
    checkSite(headers) {
      const host = headers.host;
      if (host === undefined || !hostOk(hostnameOf(host))) {
        return {
          status: 403,
          code: "InvalidHost",
          message: `This ec2sim server does not answer to the host name '${String(host ?? "").slice(0, 100)}' (start it with --allow-host NAME to add one)`,
        };
      }
      const origin = headers.origin;
      if (origin === undefined) return undefined; // not a browser (the CLI, SDKs, curl)
      let ok = origins.has(origin.toLowerCase());
      if (!ok && origin !== "null") {
        try {
          ok = hostOk(new URL(origin).hostname.toLowerCase());
        } catch {
          ok = false;
        }
      }
      if (ok) return undefined;
      return {
        status: 403,
        code: "InvalidOrigin",
        message: `Requests from the web origin '${origin.slice(0, 100)}' are refused (start the server with --allow-origin ORIGIN to allow one)`,
      };
    },
    isAdmin(headers) {
      return tokenMatches(bearerOf(headers.authorization), options.adminToken);
    },
  };
}
