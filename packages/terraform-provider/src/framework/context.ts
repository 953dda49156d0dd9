// What resources see: the configured provider, a lazily loaded EC2 client per region, timeouts and
// a polling helper for waiters. The AWS SDK is imported on first use only, so validate and plan of
// configurations that need no API call never pay for loading it.
import { DEFAULT_ACCOUNT_ID } from "@ec2sim/core/defaults";
import { adminTokenFor } from "@ec2sim/protocol/local-servers";
import type { Ec2 as EC2 } from "./ec2-client.ts";
import type { Iam, Ssm, Sts } from "./iam-client.ts";
import { isObj, type Obj, parseDuration } from "./values.ts";

export const DEFAULT_ENDPOINT = "http://127.0.0.1:4566";

export interface ProviderConfig {
  region: string | null;
  endpoint: string;
  /** `endpoints { iam, ssm, sts }`, else the EC2 endpoint (ec2sim serves them all on one port). */
  serviceEndpoints: { iam: string; ssm: string; sts: string };
  /** Keys from the provider block or the environment; when absent, the sandbox's default account (admin API). */
  accessKeyId?: string;
  secretAccessKey?: string;
  sessionToken?: string;
  maxRetries: number;
  defaultTags: Record<string, string>;
  ignoreTagKeys: string[];
  ignoreTagPrefixes: string[];
}

function firstObj(v: unknown): Obj | null {
  if (Array.isArray(v)) return (v.find(isObj) as Obj | undefined) ?? null;
  return isObj(v) ? v : null;
}
const strOr = (v: unknown, d: string | undefined): string | undefined => (typeof v === "string" && v !== "" ? v : d);

/** Provider configuration from the `provider "aws"` block and the environment. */
export function resolveProviderConfig(config: Obj, env: NodeJS.ProcessEnv = process.env): ProviderConfig {
  const endpoints = Array.isArray(config.endpoints) ? config.endpoints.filter(isObj) : [];
  const ec2Endpoint = endpoints.map((e) => e.ec2).find((v): v is string => typeof v === "string" && v !== "");
  const defaultTags = firstObj(config.default_tags);
  const ignoreTags = firstObj(config.ignore_tags);
  const endpoint = ec2Endpoint ?? (env.EC2SIM_ENDPOINT || DEFAULT_ENDPOINT);
  const service = (name: string) =>
    endpoints.map((e) => e[name]).find((v): v is string => typeof v === "string" && v !== "") ?? endpoint;
  return {
    region: strOr(config.region, env.AWS_REGION || env.AWS_DEFAULT_REGION) ?? null,
    endpoint,
    serviceEndpoints: { iam: service("iam"), ssm: service("ssm"), sts: service("sts") },
    ...keysFrom(config, env),
    maxRetries: typeof config.max_retries === "number" ? config.max_retries : 3,
    defaultTags: (isObj(defaultTags?.tags) ? defaultTags.tags : {}) as Record<string, string>,
    ignoreTagKeys: Array.isArray(ignoreTags?.keys) ? (ignoreTags.keys as string[]) : [],
    ignoreTagPrefixes: Array.isArray(ignoreTags?.key_prefixes) ? (ignoreTags.key_prefixes as string[]) : [],
  };
}

/** access_key/secret_key, else EC2SIM_ACCESS_KEY_ID/…, else AWS_ACCESS_KEY_ID/…; a pair or nothing. */
function keysFrom(
  config: Obj,
  env: NodeJS.ProcessEnv,
): Pick<ProviderConfig, "accessKeyId" | "secretAccessKey" | "sessionToken"> {
  const pairs: [unknown, unknown, unknown][] = [
    [config.access_key, config.secret_key, config.token],
    [env.EC2SIM_ACCESS_KEY_ID, env.EC2SIM_SECRET_ACCESS_KEY, undefined],
    [env.AWS_ACCESS_KEY_ID, env.AWS_SECRET_ACCESS_KEY, env.AWS_SESSION_TOKEN],
  ];
  for (const [id, secret, token] of pairs) {
    const accessKeyId = strOr(id, undefined);
    const secretAccessKey = strOr(secret, undefined);
    if (accessKeyId && secretAccessKey)
      return { accessKeyId, secretAccessKey, ...(strOr(token, undefined) ? { sessionToken: token as string } : {}) };
  }
  return {};
}

/**
 * The ec2sim admin API beside an EC2 endpoint (`http://host:port/` or `…/sandbox/NAME/`):
 * the sandbox's accounts (default credentials) and its simulated clock. Every method answers
 * null when the endpoint is not an ec2sim server.
 */
export class SandboxAdmin {
  readonly base: string;
  readonly sandbox: string;
  private infoPromise?: Promise<SandboxInfo | null>;
  private reachable = true;
  private readonly token: string | undefined;

  constructor(endpoint: string) {
    let url: URL;
    try {
      url = new URL(endpoint);
    } catch {
      url = new URL(DEFAULT_ENDPOINT);
    }
    const m = /^\/sandbox\/([^/]+)\/?$/.exec(url.pathname);
    this.base = `${url.origin}/_ec2sim`;
    this.token = adminTokenFor(endpoint); // read when the provider is configured
    this.sandbox = m ? decodeURIComponent(m[1]!) : "-";
  }

  private async get<T>(path: string): Promise<T | null> {
    if (!this.reachable) return null;
    try {
      const token = this.token;
      const res = await fetch(`${this.base}/sandboxes/${encodeURIComponent(this.sandbox)}${path}`, {
        signal: AbortSignal.timeout(5000),
        ...(token ? { headers: { authorization: `Bearer ${token}` } } : {}),
      });
      if (!res.ok) return null;
      return (await res.json()) as T;
    } catch {
      // Not an ec2sim server (or not reachable): stop asking.
      this.reachable = false;
      return null;
    }
  }

  info(): Promise<SandboxInfo | null> {
    this.infoPromise ??= this.get<SandboxInfo>("");
    return this.infoPromise;
  }

  /** The sandbox clock now, or null (then waits fall back to the wall clock). */
  clock(): Promise<SandboxClock | null> {
    return this.get<SandboxClock>("/clock");
  }
}

export interface SandboxClock {
  nowMs: number;
  speed: number;
  paused: boolean;
}
interface SandboxInfo {
  accounts?: { accountId: string; accessKeyId: string; secretAccessKey: string }[];
}

/** The account a plain configuration acts as: ec2sim's first standard account. */
export { DEFAULT_ACCOUNT_ID };

type Ec2Module = typeof import("./ec2-client.ts");
let sdkPromise: Promise<Ec2Module> | undefined;
/** The EC2 client module (and with it the AWS SDK), loaded on first use. */
export function loadSdk(): Promise<Ec2Module> {
  sdkPromise ??= import("./ec2-client.ts");
  return sdkPromise;
}

type IamModule = typeof import("./iam-client.ts");
let iamSdkPromise: Promise<IamModule> | undefined;
/** The IAM/SSM/STS client module, loaded on first use. */
export function loadIamSdk(): Promise<IamModule> {
  iamSdkPromise ??= import("./iam-client.ts");
  return iamSdkPromise;
}

/** Shared per configured provider: clients per region and the account ID. */
export class ProviderClients {
  private clients = new Map<string, Promise<EC2>>();
  private iamClient?: Promise<Iam>;
  private stsClient?: Promise<Sts>;
  private ssmClients = new Map<string, Promise<Ssm>>();
  private account?: Promise<string>;
  private creds?: Promise<{ accessKeyId: string; secretAccessKey: string; sessionToken?: string }>;
  readonly admin: SandboxAdmin;
  constructor(readonly config: ProviderConfig) {
    this.admin = new SandboxAdmin(config.endpoint);
  }

  /** Configured keys, else the sandbox's default account keys from the admin API, else dummy keys. */
  credentials(): Promise<{ accessKeyId: string; secretAccessKey: string; sessionToken?: string }> {
    this.creds ??= (async () => {
      const { accessKeyId, secretAccessKey, sessionToken } = this.config;
      if (accessKeyId && secretAccessKey)
        return { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) };
      const info = await this.admin.info();
      const acct = info?.accounts?.find((a) => a.accountId === DEFAULT_ACCOUNT_ID) ?? info?.accounts?.[0];
      if (acct) return { accessKeyId: acct.accessKeyId, secretAccessKey: acct.secretAccessKey };
      return { accessKeyId: "test", secretAccessKey: "test" };
    })();
    return this.creds;
  }

  ec2(region: string): Promise<EC2> {
    let c = this.clients.get(region);
    if (!c) {
      c = loadSdk().then((sdk) =>
        sdk.createEc2({
          region,
          endpoint: this.config.endpoint,
          credentials: () => this.credentials(),
          maxAttempts: this.config.maxRetries + 1,
        }),
      );
      this.clients.set(region, c);
    }
    return c;
  }

  /** IAM is global: one client, signed for us-east-1 as hashicorp/aws signs it in the aws partition. */
  iam(): Promise<Iam> {
    this.iamClient ??= loadIamSdk().then((sdk) =>
      sdk.createIam({
        region: "us-east-1",
        endpoint: this.config.serviceEndpoints.iam,
        credentials: () => this.credentials(),
        maxAttempts: this.config.maxRetries + 1,
      }),
    );
    return this.iamClient;
  }

  ssm(region: string): Promise<Ssm> {
    let c = this.ssmClients.get(region);
    if (!c) {
      c = loadIamSdk().then((sdk) =>
        sdk.createSsm({
          region,
          endpoint: this.config.serviceEndpoints.ssm,
          credentials: () => this.credentials(),
          maxAttempts: this.config.maxRetries + 1,
        }),
      );
      this.ssmClients.set(region, c);
    }
    return c;
  }

  sts(region: string): Promise<Sts> {
    this.stsClient ??= loadIamSdk().then((sdk) =>
      sdk.createSts({
        region,
        endpoint: this.config.serviceEndpoints.sts,
        credentials: () => this.credentials(),
        maxAttempts: this.config.maxRetries + 1,
      }),
    );
    return this.stsClient;
  }

  /**
   * The caller's account ID: the owner of the caller's `default` security group, as EC2 reports it
   * (one EC2 call, which every configuration of this provider can make).
   */
  accountId(region: string): Promise<string> {
    this.account ??= (async () => {
      if (process.env.EC2SIM_ACCOUNT_ID) return process.env.EC2SIM_ACCOUNT_ID;
      const ec2 = await this.ec2(region);
      const out = await ec2.describeSecurityGroups({ Filters: [{ Name: "group-name", Values: ["default"] }] });
      const owner = out.SecurityGroups?.find((g) => g.OwnerId)?.OwnerId;
      if (!owner) throw new Error("cannot determine the account ID: no default security group was found");
      return owner;
    })();
    this.account.catch(() => (this.account = undefined));
    return this.account;
  }
}

export class ResourceContext {
  /** Set by create once the remote object exists, so a failure after that still records it (tainted). */
  partial: Obj | null = null;

  constructor(
    readonly typeName: string,
    readonly clients: ProviderClients,
    readonly region: string,
    private readonly timeouts: Record<string, string>,
    private readonly configured: Obj | null,
  ) {}

  get config(): ProviderConfig {
    return this.clients.config;
  }
  ec2(): Promise<EC2> {
    return this.clients.ec2(this.region);
  }
  iam(): Promise<Iam> {
    return this.clients.iam();
  }
  ssm(): Promise<Ssm> {
    return this.clients.ssm(this.region);
  }
  sts(): Promise<Sts> {
    return this.clients.sts(this.region);
  }
  accountId(): Promise<string> {
    return this.clients.accountId(this.region);
  }

  /** The timeout for an operation in ms: the resource's `timeouts` block, else hashicorp/aws's default. */
  timeout(kind: "create" | "read" | "update" | "delete"): number {
    const v = this.configured?.[kind];
    if (typeof v === "string" && v) return parseDuration(v);
    return parseDuration(this.timeouts[kind] ?? this.timeouts.create ?? "20m");
  }

  /**
   * Poll `check` until it returns a value other than undefined, or fail once `timeoutMs` have passed
   * on the sandbox's simulated clock (the wall clock when the endpoint is not ec2sim). Polls are
   * spaced in simulated time (1 s, backing off to 10 s, like hashicorp/aws's waiters in spirit), so
   * a fast sandbox clock means short real waits; `maxIntervalMs` caps the real interval.
   */
  async waitFor<T>(
    what: string,
    timeoutMs: number,
    check: () => Promise<T | undefined>,
    maxIntervalMs = pollInterval(),
  ): Promise<T> {
    const admin = this.clients.admin;
    const wallStart = Date.now();
    const start = await admin.clock();
    let simInterval = 1000;
    for (;;) {
      const v = await check();
      if (v !== undefined) return v;
      const clock = start ? await admin.clock() : null;
      const elapsed = start && clock ? clock.nowMs - start.nowMs : Date.now() - wallStart;
      if (elapsed >= timeoutMs) {
        throw new Error(
          `timeout while waiting for ${what} (timeout: ${formatDuration(timeoutMs)}${start && clock ? " on the sandbox clock" : ""})`,
        );
      }
      const speed = clock ? (clock.paused ? 0 : clock.speed) : 1;
      const real = speed > 0 ? Math.min(simInterval, timeoutMs - elapsed) / speed : maxIntervalMs;
      await new Promise((r) => setTimeout(r, Math.max(10, Math.min(real, maxIntervalMs))));
      simInterval = Math.min(simInterval * 2, 10_000);
    }
  }
}

/** A duration as Go prints it (hashicorp/aws's timeout messages): 10m0s, 1h30m0s, 45s. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const sec = (ms % 60_000) / 1000;
  return `${h ? `${h}h` : ""}${h || m ? `${m}m` : ""}${sec}s`;
}

function pollInterval(): number {
  const v = Number(process.env.EC2SIM_TF_POLL_MS);
  return Number.isFinite(v) && v > 0 ? v : 2000;
}

/** EC2's error code of an AWS SDK error (its `name`), if any. */
export function errorCode(err: unknown): string | undefined {
  if (err && typeof err === "object") {
    const e = err as { name?: string; Code?: string; $metadata?: unknown };
    if (e.Code) return e.Code;
    if (e.$metadata && e.name) return e.name;
  }
  return undefined;
}

export function isNotFound(err: unknown): boolean {
  const code = errorCode(err);
  return !!code && /NotFound/.test(code);
}
