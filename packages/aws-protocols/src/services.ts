/**
 * The services served beside EC2 on the same endpoint, and how each one speaks. IAM and STS use the
 * awsQuery protocol (form bodies in, `<XResponse><XResult>` XML out), SSM uses awsJson1.1
 * (`X-Amz-Target: AmazonSSM.X`, JSON both ways). Each service's official model (`@aws-sdk/client-*`)
 * is imported on the service's first request, never at start-up.
 */

export type ServiceId = "iam" | "sts" | "ssm";
export type Protocol = "awsQuery" | "awsJson1_1";

export interface ServiceSpec {
  readonly id: ServiceId;
  readonly protocol: Protocol;
  /** The SigV4 signing name in the credential scope (`…/us-east-1/iam/aws4_request`). */
  readonly signingName: string;
  /** The API version the model describes (`Version=` of awsQuery requests). */
  readonly version: string;
  /** awsQuery: the XML namespace of responses. */
  readonly xmlNamespace?: string;
  /** awsJson: the prefix of `X-Amz-Target` (`AmazonSSM`). */
  readonly targetPrefix?: string;
  /** The prefix of the service's actions in core (`iam:CreateRole`), as in IAM policy actions. */
  readonly actionPrefix: string;
  /** The `Server` header the real endpoint sends. */
  readonly server: string;
  /** Imports the model: the module's exports hold the operation, structure and error schemas. */
  readonly load: () => Promise<object>;
  /** The service's codes for an unknown access key and a wrong signature, with their statuses. */
  readonly authErrors: {
    readonly unknownKey: readonly [code: string, status: number];
    readonly badSignature: readonly [code: string, status: number];
  };
}

/** What IAM and STS answer for credentials they do not know or a signature that does not match. */
const QUERY_AUTH = {
  unknownKey: ["InvalidClientTokenId", 403],
  badSignature: ["SignatureDoesNotMatch", 403],
} as const;

export const SERVICES: Readonly<Record<ServiceId, ServiceSpec>> = {
  iam: {
    id: "iam",
    protocol: "awsQuery",
    signingName: "iam",
    version: "2010-05-08",
    xmlNamespace: "https://iam.amazonaws.com/doc/2010-05-08/",
    actionPrefix: "iam",
    server: "AmazonIAM",
    load: () => import("@aws-sdk/client-iam"),
    authErrors: QUERY_AUTH,
  },
  sts: {
    id: "sts",
    protocol: "awsQuery",
    signingName: "sts",
    version: "2011-06-15",
    xmlNamespace: "https://sts.amazonaws.com/doc/2011-06-15/",
    actionPrefix: "sts",
    server: "AmazonSTS",
    load: () => import("@aws-sdk/client-sts"),
    authErrors: QUERY_AUTH,
  },
  ssm: {
    id: "ssm",
    protocol: "awsJson1_1",
    signingName: "ssm",
    version: "2014-11-06",
    targetPrefix: "AmazonSSM",
    actionPrefix: "ssm",
    server: "Server",
    load: () => import("@aws-sdk/client-ssm"),
    authErrors: { unknownKey: ["UnrecognizedClientException", 400], badSignature: ["InvalidSignatureException", 400] },
  },
};

const BY_SIGNING_NAME = new Map(Object.values(SERVICES).map((s) => [s.signingName, s.id]));
const BY_VERSION = new Map(
  Object.values(SERVICES)
    .filter((s) => s.protocol === "awsQuery")
    .map((s) => [s.version, s.id]),
);
const BY_TARGET_PREFIX = new Map(
  Object.values(SERVICES)
    .filter((s) => s.targetPrefix)
    .map((s) => [s.targetPrefix!, s.id]),
);

export const serviceBySigningName = (name: string): ServiceId | undefined => BY_SIGNING_NAME.get(name);
export const serviceByQueryVersion = (version: string): ServiceId | undefined => BY_VERSION.get(version);
export const serviceByTargetPrefix = (prefix: string): ServiceId | undefined => BY_TARGET_PREFIX.get(prefix);
