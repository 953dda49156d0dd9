/**
 * Key pairs (R18): EC2 keeps only the public key and its fingerprint; CreateKeyPair returns the
 * private key once; ImportKeyPair takes your own public key. Names are unique per account and region.
 */
import type { KeyPairInfo, TagSpecification } from "@aws-sdk/client-ec2";
import { Ec2Error, errors } from "./errors.ts";
import type { EventOf } from "./events.ts";
import { compileFilters, type Filter } from "./filters.ts";
import type { KeyPair } from "./model.ts";
import type { SandboxState } from "./state.ts";
import { regionState } from "./state.ts";
import { tagMap, tagsFor, toTagSet } from "./tags.ts";
import type { Tx } from "./tx.ts";

const KEY_NAME_RE = /^[\x20-\x7e]{1,255}$/;

export function findKeyPairByName(tx: Tx, name: string, region = tx.ctx.region): KeyPair | undefined {
  for (const k of tx.regionOf(region).keyPairs.values())
    if (k.keyName === name && k.ownerId === tx.ctx.accountId) return k;
  return undefined;
}

export function requireKeyPair(tx: Tx, name: string): KeyPair {
  const k = findKeyPairByName(tx, name);
  if (!k) throw new Ec2Error("InvalidKeyPair.NotFound", `The key pair '${name}' does not exist`);
  return k;
}

function checkNewName(tx: Tx, name: string | undefined): string {
  if (!name) throw errors.missingParameter("KeyName");
  if (!KEY_NAME_RE.test(name))
    throw new Ec2Error(
      "InvalidParameterValue",
      `Value (${name}) for parameter KeyName is invalid. Key names must be ASCII and at most 255 characters`,
    );
  if (findKeyPairByName(tx, name)) throw new Ec2Error("InvalidKeyPair.Duplicate", `The keypair already exists`);
  return name;
}

export function applyKeyPairCreated(state: SandboxState, e: EventOf<"KeyPairCreated">, at: number): void {
  regionState(state, e.region).keyPairs.set(e.keyPairId, {
    keyPairId: e.keyPairId,
    keyName: e.keyName,
    ownerId: e.ownerId,
    region: e.region,
    keyType: e.keyType,
    keyFingerprint: e.keyFingerprint,
    publicKey: e.publicKey,
    createTime: at,
    tags: tagMap(e.tags),
  });
  state.resourceRegion.set(e.keyPairId, e.region);
}

const toEc2 = (k: KeyPair, includePublicKey: boolean): KeyPairInfo => ({
  KeyPairId: k.keyPairId,
  KeyName: k.keyName,
  KeyFingerprint: k.keyFingerprint,
  KeyType: k.keyType,
  CreateTime: new Date(k.createTime),
  Tags: toTagSet(k.tags) ?? [],
  ...(includePublicKey ? { PublicKey: `${k.publicKey} ${k.keyName}` } : {}),
});

export const keyPairActions = {
  CreateKeyPair(
    tx: Tx,
    input: {
      KeyName?: string;
      KeyType?: "rsa" | "ed25519";
      KeyFormat?: "pem" | "ppk";
      TagSpecifications?: TagSpecification[];
    },
  ) {
    const name = checkNewName(tx, input.KeyName);
    const keyType = input.KeyType ?? "rsa";
    if (keyType !== "rsa" && keyType !== "ed25519")
      throw new Ec2Error("InvalidParameterValue", `Value (${keyType}) for parameter KeyType is invalid`);
    const tags = tagsFor(input.TagSpecifications, "key-pair", ["key-pair"]);
    if (tx.dryRun) throw errors.dryRun();
    const key = tx.keys.generate(keyType, input.KeyFormat ?? "pem");
    const keyPairId = tx.newId("keyPair");
    tx.emit({
      type: "KeyPairCreated",
      region: tx.ctx.region,
      keyPairId,
      keyName: name,
      ownerId: tx.ctx.accountId,
      keyType,
      keyFingerprint: key.fingerprint,
      publicKey: key.publicKey,
      tags,
    });
    return {
      KeyName: name,
      KeyFingerprint: key.fingerprint,
      KeyMaterial: key.keyMaterial,
      KeyPairId: keyPairId,
      Tags: tags.length ? tags.map(([Key, Value]) => ({ Key, Value })) : undefined,
    };
  },
  ImportKeyPair(
    tx: Tx,
    input: { KeyName?: string; PublicKeyMaterial?: Uint8Array | string; TagSpecifications?: TagSpecification[] },
  ) {
    const name = checkNewName(tx, input.KeyName);
    if (input.PublicKeyMaterial === undefined) throw errors.missingParameter("PublicKeyMaterial");
    const text =
      typeof input.PublicKeyMaterial === "string"
        ? input.PublicKeyMaterial
        : Buffer.from(input.PublicKeyMaterial).toString("utf8");
    const imported = tx.keys.importPublicKey(text);
    const tags = tagsFor(input.TagSpecifications, "key-pair", ["key-pair"]);
    const keyPairId = tx.newId("keyPair");
    tx.emit({
      type: "KeyPairCreated",
      region: tx.ctx.region,
      keyPairId,
      keyName: name,
      ownerId: tx.ctx.accountId,
      keyType: imported.type,
      keyFingerprint: imported.fingerprint,
      publicKey: imported.publicKey,
      tags,
    });
    return {
      KeyName: name,
      KeyFingerprint: imported.fingerprint,
      KeyPairId: keyPairId,
      Tags: tags.length ? tags.map(([Key, Value]) => ({ Key, Value })) : undefined,
    };
  },
  DescribeKeyPairs(
    tx: Tx,
    input: { KeyNames?: string[]; KeyPairIds?: string[]; Filters?: Filter[]; IncludePublicKey?: boolean },
  ) {
    const mine = [...tx.region.keyPairs.values()].filter((k) => k.ownerId === tx.ctx.accountId);
    for (const n of input.KeyNames ?? [])
      if (!mine.some((k) => k.keyName === n))
        throw new Ec2Error("InvalidKeyPair.NotFound", `The key pair '${n}' does not exist`);
    for (const id of input.KeyPairIds ?? [])
      if (!mine.some((k) => k.keyPairId === id))
        throw new Ec2Error("InvalidKeyPair.NotFound", `The key pair '${id}' does not exist`);
    const match = compileFilters<KeyPair>(input.Filters, {
      "key-name": (k) => k.keyName,
      "key-pair-id": (k) => k.keyPairId,
      fingerprint: (k) => k.keyFingerprint,
      "key-type": (k) => k.keyType,
    });
    const rows = mine.filter(
      (k) =>
        (!input.KeyNames?.length || input.KeyNames.includes(k.keyName)) &&
        (!input.KeyPairIds?.length || input.KeyPairIds.includes(k.keyPairId)) &&
        match(k),
    );
    return { KeyPairs: rows.map((k) => toEc2(k, input.IncludePublicKey === true)) };
  },
  DeleteKeyPair(tx: Tx, input: { KeyName?: string; KeyPairId?: string }) {
    if (!input.KeyName && !input.KeyPairId) throw errors.missingParameter("KeyName");
    const k = input.KeyPairId ? tx.region.keyPairs.get(input.KeyPairId) : findKeyPairByName(tx, input.KeyName!);
    // EC2 answers success for a name that does not exist; an unknown ID is an error.
    if (!k || k.ownerId !== tx.ctx.accountId) {
      if (input.KeyPairId)
        throw new Ec2Error("InvalidKeyPair.NotFound", `The key pair '${input.KeyPairId}' does not exist`);
      if (tx.dryRun) throw errors.dryRun();
      return { Return: true };
    }
    tx.emit({ type: "KeyPairDeleted", region: tx.ctx.region, keyPairId: k.keyPairId });
    return { Return: true, KeyPairId: k.keyPairId };
  },
};
