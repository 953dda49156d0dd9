// What resources see: the configured provider, a lazily loaded EC2 client per region, timeouts and
// a polling helper for waiters. The AWS SDK is imported on first use only, so validate and plan of
// configurations that need no API call never pay for loading it.
import type { EC2 } from "@aws-sdk/client-ec2";
import { isObj, parseDuration, type Obj } from "./values.ts";

export const DEFAULT_ENDPOINT = "http://127.0.0.1:4566";

export interface ProviderConfig {
  region: string | null;
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
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
  return {
    region: strOr(config.region, env.AWS_REGION || env.AWS_DEFAULT_REGION) ?? null,
    endpoint: ec2Endpoint ?? (env.EC2SIM_ENDPOINT || DEFAULT_ENDPOINT),
    accessKeyId: strOr(config.access_key, env.AWS_ACCESS_KEY_ID) ?? "test",
    secretAccessKey: strOr(config.secret_key, env.AWS_SECRET_ACCESS_KEY) ?? "test",
    sessionToken: strOr(config.token, env.AWS_SESSION_TOKEN),
    maxRetries: typeof config.max_retries === "number" ? config.max_retries : 3,
    defaultTags: (isObj(defaultTags?.tags) ? defaultTags.tags : {}) as Record<string, string>,
    ignoreTagKeys: Array.isArray(ignoreTags?.keys) ? (ignoreTags.keys as string[]) : [],
    ignoreTagPrefixes: Array.isArray(ignoreTags?.key_prefixes) ? (ignoreTags.key_prefixes as string[]) : [],
  };
}

type Sdk = typeof import("@aws-sdk/client-ec2");
let sdkPromise: Promise<Sdk> | undefined;
export function loadSdk(): Promise<Sdk> {
  // Bundled, the CommonJS SDK comes back as { default: exports }; unbundled, with named exports.
  sdkPromise ??= import("@aws-sdk/client-ec2").then((m) => ((m as { EC2?: unknown }).EC2 ? m : (m as unknown as { default: Sdk }).default));
  return sdkPromise;
}

/** Shared per configured provider: clients per region and the account ID. */
export class ProviderClients {
  private clients = new Map<string, Promise<EC2>>();
  private account?: Promise<string>;
  constructor(readonly config: ProviderConfig) {}

  ec2(region: string): Promise<EC2> {
    let c = this.clients.get(region);
    if (!c) {
      c = loadSdk().then(
        (sdk) =>
          new sdk.EC2({
            region,
            endpoint: this.config.endpoint,
            credentials: { accessKeyId: this.config.accessKeyId, secretAccessKey: this.config.secretAccessKey, sessionToken: this.config.sessionToken },
            maxAttempts: this.config.maxRetries + 1,
          }),
      );
      this.clients.set(region, c);
    }
    return c;
  }

  /**
   * The caller's account ID. ec2sim serves EC2 only (no STS), so it is read from the owner of the
   * caller's `default` security group, as EC2 reports it.
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
  sdk(): Promise<Sdk> {
    return loadSdk();
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
   * Poll `check` until it returns a value other than undefined, or fail after `timeoutMs`.
   * The interval starts short (a sandbox's clock can run fast) and backs off to `maxIntervalMs`.
   */
  async waitFor<T>(what: string, timeoutMs: number, check: () => Promise<T | undefined>, maxIntervalMs = pollInterval()): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    let interval = Math.min(100, maxIntervalMs);
    for (;;) {
      const v = await check();
      if (v !== undefined) return v;
      if (Date.now() + interval > deadline) throw new Error(`timeout while waiting for ${what} (${Math.round(timeoutMs / 1000)}s)`);
      await new Promise((r) => setTimeout(r, interval));
      interval = Math.min(interval * 2, maxIntervalMs);
    }
  }
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
