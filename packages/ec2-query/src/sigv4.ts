/**
 * Verification of AWS Signature Version 4 (`AWS4-HMAC-SHA256`), in the `Authorization` header form
 * every SDK uses and the presigned query-string form (`X-Amz-Signature=…`). Time comes in as a value
 * (`now`) so verification is testable; secrets come from a lookup so the caller owns the accounts.
 */
import * as crypto from "node:crypto";
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { Ec2Error, errors } from "./ec2-error.ts";
import { echo } from "./limits.ts";
import { decodeQueryPairs, type QueryPair } from "./query-string.ts";

/** An HTTP request as the transport saw it: `path` includes any query string. */
export interface HttpRequestLike {
  readonly method: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly body: string;
}

export interface AccountSecret {
  readonly secretAccessKey: string;
  readonly accountId: string;
}

/** Finds the secret and account of an access key; undefined when the key is unknown. */
export type SecretLookup = (accessKeyId: string) => AccountSecret | undefined;

export interface VerifySigV4Options {
  readonly secretFor: SecretLookup;
  /** The wall clock (clients sign with real time, not a sandbox's simulated clock). */
  readonly now: () => Date;
  /** The signing name the credential scope must carry; `ec2` unless told. */
  readonly service?: string;
  /** Allowed difference between the signing time and `now`; 15 minutes, as AWS allows. */
  readonly maxSkewMs?: number;
  /**
   * The service's own words for an unknown access key and a wrong signature (IAM and STS say
   * `InvalidClientTokenId` and `SignatureDoesNotMatch`); EC2's `AuthFailure` for both unless told.
   */
  readonly authErrors?: { readonly unknownKey: () => Error; readonly badSignature: () => Error };
}

export interface VerifiedCaller {
  readonly accessKeyId: string;
  readonly accountId: string;
  /** Region of the credential scope, which is the region the client meant to call. */
  readonly region: string;
  readonly service: string;
  readonly signedAt: Date;
}

/** What a request claims about its signer, before (or without) checking the signature. */
export interface CredentialScope {
  readonly accessKeyId: string;
  readonly date: string;
  readonly region: string;
  readonly service: string;
}

const ALGORITHM = "AWS4-HMAC-SHA256";
const FIFTEEN_MINUTES = 15 * 60 * 1000;
const MAX_PRESIGNED_SECONDS = 7 * 24 * 3600;
const EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

export const authFailure = (message?: string): Ec2Error => errors.authFailure(message);
const incompleteSignature = (message: string): Ec2Error => new Ec2Error("IncompleteSignature", message);
export const missingAuthenticationToken = (): Ec2Error =>
  new Ec2Error(
    "MissingAuthenticationToken",
    "The request must contain either a valid (registered) AWS access key ID or X.509 certificate.",
    403,
  );
const requestExpired = (detail: string): Ec2Error => new Ec2Error("RequestExpired", `Request has expired. ${detail}`);

/** Splits `/path?query` into its parts. */
export function splitPath(path: string): { pathname: string; query: string } {
  const q = path.indexOf("?");
  return q === -1
    ? { pathname: path || "/", query: "" }
    : { pathname: path.slice(0, q) || "/", query: path.slice(q + 1) };
}

const lowerCaseHeaders = (headers: Readonly<Record<string, string | undefined>>): Map<string, string> => {
  const out = new Map<string, string>();
  for (const name in headers) {
    const value = headers[name];
    if (value !== undefined) out.set(name.toLowerCase(), value);
  }
  return out;
};

interface SignatureClaim {
  readonly scope: CredentialScope;
  readonly signedHeaders: readonly string[];
  readonly signature: string;
  readonly amzDate: string;
  readonly presigned: boolean;
  /** Presigned lifetime in seconds. */
  readonly expires?: number;
}

/**
 * Reads the signature a request carries, without verifying it. Undefined when the request is not
 * signed at all.
 */
function readClaim(headers: Map<string, string>, queryPairs: readonly QueryPair[]): SignatureClaim | undefined {
  const authorization = headers.get("authorization");
  if (authorization !== undefined) {
    const trimmed = authorization.trim();
    if (!trimmed.startsWith(`${ALGORITHM} `)) {
      throw incompleteSignature(
        `Unsupported authorization type '${echo(trimmed.split(" ")[0] ?? "")}': this endpoint accepts ${ALGORITHM} only`,
      );
    }
    // The three fields by name (a later one of the same name wins); others are ignored.
    let credential: string | undefined;
    let signedHeaders: string | undefined;
    let signature: string | undefined;
    for (const part of trimmed.slice(ALGORITHM.length).split(",")) {
      const eq = part.indexOf("=");
      if (eq <= 0) continue;
      const name = part.slice(0, eq).trim();
      if (name === "Credential") credential = part.slice(eq + 1).trim();
      else if (name === "SignedHeaders") signedHeaders = part.slice(eq + 1).trim();
      else if (name === "Signature") signature = part.slice(eq + 1).trim();
    }
    const missing = !credential ? "Credential" : !signedHeaders ? "SignedHeaders" : !signature ? "Signature" : "";
    if (missing) {
      throw incompleteSignature(`Authorization header requires '${missing}' parameter. Authorization=${echo(trimmed)}`);
    }
    const amzDate = headers.get("x-amz-date");
    if (!amzDate) {
      throw incompleteSignature("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
    }
    return {
      scope: parseCredential(credential!),
      signedHeaders: signedHeaders!.split(";"),
      signature: signature!,
      amzDate: amzDate.trim(),
      presigned: false,
    };
  }
  const query = new Map(queryPairs);
  const algorithm = query.get("X-Amz-Algorithm");
  if (algorithm === undefined) return undefined;
  if (algorithm !== ALGORITHM) throw incompleteSignature(`Unsupported X-Amz-Algorithm '${echo(algorithm)}'`);
  const required = ["X-Amz-Credential", "X-Amz-Date", "X-Amz-SignedHeaders", "X-Amz-Signature"] as const;
  for (const name of required) {
    if (!query.get(name)) throw incompleteSignature(`AWS query-string parameters must include '${name}'.`);
  }
  const expires = query.has("X-Amz-Expires") ? Number(query.get("X-Amz-Expires")) : MAX_PRESIGNED_SECONDS;
  if (!Number.isInteger(expires) || expires < 0 || expires > MAX_PRESIGNED_SECONDS) {
    throw authFailure("X-Amz-Expires must be a whole number of seconds between 0 and 604800");
  }
  return {
    scope: parseCredential(query.get("X-Amz-Credential")!),
    signedHeaders: query.get("X-Amz-SignedHeaders")!.split(";"),
    signature: query.get("X-Amz-Signature")!,
    amzDate: query.get("X-Amz-Date")!,
    presigned: true,
    expires,
  };
}

function parseCredential(credential: string): CredentialScope {
  const parts = credential.split("/");
  if (parts.length !== 5 || parts[4] !== "aws4_request" || !parts[0] || !parts[1] || !parts[2] || !parts[3]) {
    throw incompleteSignature(
      `Credential should be of the form 'ACCESSKEY/YYYYMMDD/region/service/aws4_request', got '${echo(credential)}'`,
    );
  }
  const [accessKeyId, date, region, service] = parts as [string, string, string, string];
  return { accessKeyId, date, region, service };
}

/**
 * The credential scope a request was signed with, read without verifying anything; undefined when
 * it carries no SigV4 signature. For endpoints that accept any signature but still want to know
 * which access key (and so which account) and region the caller meant.
 */
export function readCredentialScope(request: HttpRequestLike): CredentialScope | undefined {
  try {
    return readClaim(lowerCaseHeaders(request.headers), decodeQueryPairs(splitPath(request.path).query))?.scope;
  } catch {
    return undefined;
  }
}

const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

function parseAmzDate(text: string): Date {
  const m = AMZ_DATE.exec(text);
  const date = m ? new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!)) : undefined;
  if (!date || Number.isNaN(date.getTime())) {
    throw incompleteSignature(
      `Date must be in ISO-8601 'basic format'. Got '${echo(text)}'. See http://en.wikipedia.org/wiki/ISO_8601`,
    );
  }
  return date;
}

const toAmzDate = (d: Date): string =>
  d
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}/, "");

/** RFC 3986 encoding as SigV4 requires: everything but `A-Za-z0-9-._~` percent-encoded, upper-case hex. */
export const uriEncode = (text: string): string =>
  encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

const safeDecode = (text: string): string => {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
};

/** The canonical URI: segments normalized (`.`/`..`/empty dropped) and each encoded once. */
function canonicalUri(pathname: string): string {
  if (pathname === "/") return pathname; // every SDK's EC2 call
  const segments: string[] = [];
  for (const segment of pathname.split("/")) {
    if (segment === "" || segment === ".") continue;
    if (segment === "..") segments.pop();
    else segments.push(uriEncode(safeDecode(segment)));
  }
  const trailing = segments.length > 0 && pathname.endsWith("/") ? "/" : "";
  return `/${segments.join("/")}${trailing}`;
}

function canonicalQuery(pairs: readonly QueryPair[], presigned: boolean): string {
  if (pairs.length === 0) return "";
  const encoded: Array<[string, string]> = [];
  for (const [k, v] of pairs) {
    if (presigned && k === "X-Amz-Signature") continue;
    encoded.push([uriEncode(k), uriEncode(v)]);
  }
  encoded.sort(([ka, va], [kb, vb]) => (ka < kb ? -1 : ka > kb ? 1 : va < vb ? -1 : va > vb ? 1 : 0));
  return encoded.map(([k, v]) => `${k}=${v}`).join("&");
}

/** What folding would change inside a value (most values have none of it: then trimming is all). */
const NEEDS_FOLDING = /[\r\n\t]| {2}/;
const canonicalHeaderValue = (value: string): string =>
  NEEDS_FOLDING.test(value)
    ? value
        .replace(/[\r\n]/g, " ")
        .replace(/[ \t]+/g, " ")
        .trim()
    : value.trim();

/** One-shot `crypto.hash` where this Node has it (20.12+, 21.7+): no Hash object per call. */
const oneShotHash = (crypto as { hash?: (algorithm: string, data: string, encoding: "hex") => string }).hash;
const sha256Hex: (text: string) => string = oneShotHash
  ? (text) => oneShotHash("sha256", text, "hex")
  : (text) => createHash("sha256").update(text, "utf8").digest("hex");
const hmac = (key: string | Buffer, text: string): Buffer => createHmac("sha256", key).update(text, "utf8").digest();

/** The SigV4 signing key for a secret, date (YYYYMMDD), region and service. */
export function signingKey(secretAccessKey: string, date: string, region: string, service: string): Buffer {
  return hmac(hmac(hmac(hmac(`AWS4${secretAccessKey}`, date), region), service), "aws4_request");
}

/**
 * Derived keys change once a day per (secret, region, service), yet deriving one costs four HMACs:
 * most of a small call's signature check. So they are kept, as the SDKs' signers keep theirs, in a
 * bounded map (insertion order is age: the oldest goes first). The secret is part of the key, so a
 * rotated secret never meets an old key; the map lives only in this process's memory.
 */
const KEY_CACHE_LIMIT = 1024;
const keyCache = new Map<string, Buffer>();

export function cachedSigningKey(secretAccessKey: string, date: string, region: string, service: string): Buffer {
  const id = `${date}\n${region}\n${service}\n${secretAccessKey}`;
  let key = keyCache.get(id);
  if (key === undefined) {
    key = signingKey(secretAccessKey, date, region, service);
    if (keyCache.size >= KEY_CACHE_LIMIT) keyCache.delete(keyCache.keys().next().value!);
    keyCache.set(id, key);
  }
  return key;
}

/** How many derived keys are kept (for tests). */
export const signingKeyCacheSize = (): number => keyCache.size;

interface SignatureInput {
  method: string;
  pathname: string;
  queryPairs: readonly QueryPair[];
  headers: ReadonlyMap<string, string>;
  signedHeaders: readonly string[];
  payloadHash: string;
  amzDate: string;
  scope: CredentialScope;
  secretAccessKey: string;
  presigned: boolean;
}

/** The canonical request, the string to sign and the signature's 32 bytes. */
function signatureOf(input: SignatureInput): { canonicalRequest: string; stringToSign: string; digest: Buffer } {
  let headerLines = "";
  for (const h of input.signedHeaders) headerLines += `${h}:${canonicalHeaderValue(input.headers.get(h) ?? "")}\n`;
  const canonicalRequest = `${input.method.toUpperCase()}\n${canonicalUri(input.pathname)}\n${canonicalQuery(
    input.queryPairs,
    input.presigned,
  )}\n${headerLines}\n${input.signedHeaders.join(";")}\n${input.payloadHash}`;
  const { date, region, service } = input.scope;
  const stringToSign = `${ALGORITHM}\n${input.amzDate}\n${date}/${region}/${service}/aws4_request\n${sha256Hex(canonicalRequest)}`;
  const digest = createHmac("sha256", cachedSigningKey(input.secretAccessKey, date, region, service))
    .update(stringToSign, "utf8")
    .digest();
  return { canonicalRequest, stringToSign, digest };
}

/** The string to sign and signature of a request's canonical form (exported for tests). */
export function computeSignature(input: SignatureInput): {
  canonicalRequest: string;
  stringToSign: string;
  signature: string;
} {
  const { canonicalRequest, stringToSign, digest } = signatureOf(input);
  return { canonicalRequest, stringToSign, signature: digest.toString("hex") };
}

const HEX_SHA256 = /^[0-9a-f]{64}$/;

/** The 32 bytes a lower-case hex signature or hash stands for; undefined when it is not one. */
const hexBytes = (given: string): Buffer | undefined =>
  HEX_SHA256.test(given) ? Buffer.from(given, "hex") : undefined;

/** Constant-time comparison of the bytes expected with those given (any malformed `given` fails). */
const sameBytes = (expected: Buffer, given: Buffer | undefined): boolean =>
  given !== undefined && given.length === expected.length && timingSafeEqual(expected, given);

/**
 * Verifies a request's SigV4 signature and says who signed it. Throws EC2's errors: `AuthFailure`
 * for an unknown key or a wrong signature, `MissingAuthenticationToken` when unsigned,
 * `IncompleteSignature` when the signature is malformed, `RequestExpired` when the signing time is
 * more than 15 minutes from `now` (or a presigned URL has expired).
 */
export function verifySigV4(request: HttpRequestLike, options: VerifySigV4Options): VerifiedCaller {
  const service = options.service ?? "ec2";
  const headers = lowerCaseHeaders(request.headers);
  const { pathname, query } = splitPath(request.path);
  const queryPairs = decodeQueryPairs(query);
  const claim = readClaim(headers, queryPairs);
  if (!claim) throw missingAuthenticationToken();
  const { scope } = claim;

  const signedAt = parseAmzDate(claim.amzDate);
  if (claim.amzDate.slice(0, 8) !== scope.date) {
    throw authFailure(
      `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${echo(scope.date)}' != '${claim.amzDate.slice(0, 8)}'`,
    );
  }
  if (scope.service !== service) {
    throw authFailure(`Credential should be scoped to correct service: '${service}'.`);
  }
  const now = options.now();
  const skew = options.maxSkewMs ?? FIFTEEN_MINUTES;
  if (claim.presigned) {
    if (now.getTime() + skew < signedAt.getTime()) {
      throw requestExpired(`Request date ${claim.amzDate} is in the future (server time ${toAmzDate(now)}).`);
    }
    if (now.getTime() > signedAt.getTime() + (claim.expires ?? 0) * 1000) {
      throw requestExpired(`The presigned request expired ${claim.expires ?? 0} seconds after ${claim.amzDate}.`);
    }
  } else if (Math.abs(now.getTime() - signedAt.getTime()) > skew) {
    throw requestExpired(
      `Signature date ${claim.amzDate} is more than 15 minutes from the server time ${toAmzDate(now)}.`,
    );
  }

  const secret = options.secretFor(scope.accessKeyId);
  if (!secret) throw options.authErrors?.unknownKey() ?? authFailure();

  // The body is hashed once. A declared hash (x-amz-content-sha256) must be the body's: the
  // signature covers the declaration, so a body that differs from it was not what was signed.
  const declared = headers.get("x-amz-content-sha256");
  if (declared !== undefined && declared !== "UNSIGNED-PAYLOAD") {
    const actual = request.body === "" ? EMPTY_SHA256 : sha256Hex(request.body);
    if (!sameBytes(Buffer.from(actual, "hex"), hexBytes(declared.toLowerCase()))) {
      throw options.authErrors?.badSignature() ?? authFailure();
    }
  }
  const payloadCandidates =
    declared !== undefined
      ? [declared]
      : request.body === ""
        ? [EMPTY_SHA256, ...(claim.presigned ? ["UNSIGNED-PAYLOAD"] : [])]
        : [sha256Hex(request.body), ...(claim.presigned ? ["UNSIGNED-PAYLOAD"] : [])];
  const given = hexBytes(claim.signature.toLowerCase());
  for (const payloadHash of payloadCandidates) {
    const { digest } = signatureOf({
      method: request.method,
      pathname,
      queryPairs,
      headers,
      signedHeaders: claim.signedHeaders,
      payloadHash,
      amzDate: claim.amzDate,
      scope,
      secretAccessKey: secret.secretAccessKey,
      presigned: claim.presigned,
    });
    if (sameBytes(digest, given)) {
      return { accessKeyId: scope.accessKeyId, accountId: secret.accountId, region: scope.region, service, signedAt };
    }
  }
  throw options.authErrors?.badSignature() ?? authFailure();
}
