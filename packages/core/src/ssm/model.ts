/**
 * SSM Parameter Store: parameters per account and region (SSM is regional), each with its versions
 * (values, labels) and tags. Names are case-sensitive. The public parameters under `/aws/service/`
 * are not stored: they are derived from the catalog (public-parameters.ts).
 */
import type { Tags } from "../model.ts";
import type { RegionState } from "../state.ts";

export type ParameterType = "String" | "StringList" | "SecureString";

export interface ParameterVersion {
  version: number;
  value: string;
  type: ParameterType;
  dataType: string;
  keyId?: string;
  description?: string;
  allowedPattern?: string;
  tier: "Standard" | "Advanced";
  lastModified: number;
  labels: string[];
}

export interface Parameter {
  name: string;
  /** Oldest first; at most 100 (the oldest unlabelled one goes first, as in SSM). */
  versions: ParameterVersion[];
  tags: Tags;
}

/** The account's parameters in a region (folds create the map; readers get an empty one). */
export function parametersOf(region: RegionState, accountId: string, create = false): Map<string, Parameter> {
  let m = region.ssm.get(accountId);
  if (!m) {
    m = new Map();
    if (create) region.ssm.set(accountId, m);
  }
  return m;
}

export const latest = (p: Parameter): ParameterVersion => p.versions[p.versions.length - 1]!;

export const parameterArn = (region: string, accountId: string, name: string): string =>
  `arn:aws:ssm:${region}:${accountId}:parameter${name.startsWith("/") ? "" : "/"}${name}`;
