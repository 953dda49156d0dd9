/**
 * Accounts (R3): 12-digit IDs with their own access keys, an organization and OU for launch
 * permissions (R7), and in every region a default network (default-network.ts).
 */
import { createHmac } from "node:crypto";
import type { AccountAttribute } from "@aws-sdk/client-ec2";
import { REGIONS } from "./catalog-data.ts";
import { foldDefaultNetwork } from "./default-network.ts";
import { Ec2Error } from "./errors.ts";
import type { EventOf } from "./events.ts";
import { hex17 } from "./ids.ts";
import type { SandboxState } from "./state.ts";
import type { Tx } from "./tx.ts";
import { defaultVpcOf } from "./vpcs.ts";

export interface NewAccount {
  accountId?: string;
  alias?: string;
  organizationArn?: string;
  ouArn?: string;
  callerIp?: string;
}

/**
 * Access key and secret for an account. With the install's secret (the host's, random at its first
 * start, issue #11) they are an HMAC of it: no one without that secret can compute them, while IDs,
 * times and bills stay a function of the seed. Without one (core's own tests and examples) they
 * are deterministic test data derived from the public seed — never a real credential.
 */
export function credentialsFor(
  seed: string,
  accountId: string,
  installSecret?: string,
): { accessKeyId: string; secretAccessKey: string } {
  if (installSecret !== undefined) {
    const mac = (label: string) =>
      createHmac("sha256", installSecret).update(`${label}\0${seed}\0${accountId}`).digest();
    const base32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    const ak = [...mac("access-key").subarray(0, 16)].map((b) => base32[b & 31]).join("");
    return { accessKeyId: `AKIA${ak}`, secretAccessKey: mac("secret-key").toString("base64").slice(0, 40) };
  }
  const body = (hex17(`${seed}:ak:${accountId}`) + hex17(`${seed}:ak2:${accountId}`))
    .toUpperCase()
    .replace(/[^A-Z2-7]/g, (c) => "ABCDEFGHIJ"[Number(c)] ?? "Z");
  const secret = Buffer.from(
    hex17(`${seed}:sk:${accountId}`) + hex17(`${seed}:sk2:${accountId}`) + hex17(`${seed}:sk3:${accountId}`),
  )
    .toString("base64")
    .slice(0, 40);
  return { accessKeyId: `AKIA${body.slice(0, 16)}`, secretAccessKey: secret };
}

export function createAccountEvent(
  state: SandboxState,
  spec: NewAccount,
  installSecret?: string,
): EventOf<"AccountCreated"> {
  const accountId =
    spec.accountId ??
    String(
      100000000000 +
        (Number.parseInt(hex17(`${state.seed}:acct:${state.accounts.size}`).slice(0, 10), 16) % 899999999999),
    );
  if (!/^\d{12}$/.test(accountId))
    throw new Ec2Error("InvalidParameterValue", `Account IDs are 12 digits: '${accountId}'`);
  if (state.accounts.has(accountId)) throw new Ec2Error("InvalidParameterValue", `Account ${accountId} already exists`);
  const creds = credentialsFor(state.seed, accountId, installSecret);
  return {
    type: "AccountCreated",
    accountId,
    ...(spec.alias ? { alias: spec.alias } : {}),
    ...creds,
    ...(spec.organizationArn ? { organizationArn: spec.organizationArn } : {}),
    ...(spec.ouArn ? { ouArn: spec.ouArn } : {}),
    callerIp: spec.callerIp ?? "203.0.113.10",
  };
}

export function applyAccountCreated(state: SandboxState, e: EventOf<"AccountCreated">): void {
  state.accounts.set(e.accountId, {
    accountId: e.accountId,
    alias: e.alias,
    accessKeyId: e.accessKeyId,
    secretAccessKey: e.secretAccessKey,
    organizationArn: e.organizationArn,
    ouArn: e.ouArn,
    callerIp: e.callerIp,
  });
  state.accountsByAccessKey.set(e.accessKeyId, e.accountId);
  for (const r of REGIONS) foldDefaultNetwork(state, e.accountId, r.regionName, r.zones);
}

export const accountActions = {
  DescribeAccountAttributes(tx: Tx, input: { AttributeNames?: string[] }) {
    // A deleted default VPC reads "none", as on EC2.
    const vpc = defaultVpcOf(tx.region, tx.ctx.accountId);
    const all: AccountAttribute[] = [
      { AttributeName: "supported-platforms", AttributeValues: [{ AttributeValue: "VPC" }] },
      { AttributeName: "default-vpc", AttributeValues: [{ AttributeValue: vpc?.vpcId ?? "none" }] },
      { AttributeName: "max-instances", AttributeValues: [{ AttributeValue: "1000" }] },
      { AttributeName: "vpc-max-security-groups-per-interface", AttributeValues: [{ AttributeValue: "5" }] },
      { AttributeName: "max-elastic-ips", AttributeValues: [{ AttributeValue: "5" }] },
      { AttributeName: "vpc-max-elastic-ips", AttributeValues: [{ AttributeValue: "5" }] },
    ];
    const names = input.AttributeNames ?? [];
    for (const n of names)
      if (!all.some((a) => a.AttributeName === n))
        throw new Ec2Error("InvalidParameterValue", `Invalid account attribute name: ${n}`);
    return { AccountAttributes: names.length ? all.filter((a) => names.includes(a.AttributeName!)) : all };
  },
};
