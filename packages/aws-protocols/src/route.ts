/**
 * Which service a request on the shared endpoint is for, as LocalStack routes: the `X-Amz-Target`
 * prefix of a JSON request (`AmazonSSM.GetParameter`), else the service in the SigV4 credential
 * scope (`…/us-east-1/iam/aws4_request`), else — for unsigned requests, under "accept any
 * signature" — the awsQuery `Version` (`2010-05-08` is IAM's). Everything else is EC2's.
 */
import { type HttpRequestLike, splitPath } from "@ec2sim/ec2-query";
import { type ServiceId, serviceByQueryVersion, serviceBySigningName, serviceByTargetPrefix } from "./services.ts";

export type RoutedService = ServiceId | "ec2";

/** A header by its lower-case name (node:http's own spelling, tried first), whatever case it came in. */
function header(request: HttpRequestLike, name: string): string | undefined {
  const { headers } = request;
  const exact = headers[name];
  if (exact !== undefined) return exact;
  for (const k in headers) if (k.toLowerCase() === name) return headers[k];
  return undefined;
}

const VERSION = /(?:^|&)Version=([0-9-]{10})(?:&|$)/;
/** The service of a credential scope, in the Authorization header or a presigned URL (`%2F` encoded). */
const SCOPE_SERVICE =
  /Credential=[^,&\s]*?(?:\/|%2F)\d{8}(?:\/|%2F)[^/%,&\s]+(?:\/|%2F)([A-Za-z0-9-]+)(?:\/|%2F)aws4_request/i;

/** The signing service a request claims (checked later, by the signature verification). */
function scopeService(request: HttpRequestLike): string | undefined {
  const auth = header(request, "authorization");
  if (auth) return SCOPE_SERVICE.exec(auth)?.[1];
  return SCOPE_SERVICE.exec(splitPath(request.path).query)?.[1];
}

export function serviceOfRequest(request: HttpRequestLike): RoutedService {
  const target = header(request, "x-amz-target");
  if (target) {
    const byTarget = serviceByTargetPrefix(target.split(".", 1)[0]!);
    if (byTarget) return byTarget;
  }
  const signedFor = scopeService(request);
  if (signedFor) return serviceBySigningName(signedFor) ?? "ec2";
  const version = VERSION.exec(request.body)?.[1] ?? VERSION.exec(splitPath(request.path).query)?.[1];
  return (version && serviceByQueryVersion(version)) || "ec2";
}

export { header as requestHeader };
