/**
 * Key pairs (R18): generating a private key, reading an imported public key, and fingerprints the
 * way EC2 computes them. A port, so hosts can swap it (tests use the default, which needs only
 * node:crypto and no I/O).
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from "node:crypto";
import { Ec2Error } from "./errors.ts";

export interface GeneratedKey {
  keyMaterial: string;
  publicKey: string;
  fingerprint: string;
}

export interface KeyMaterial {
  generate(type: "rsa" | "ed25519", format: "pem" | "ppk"): GeneratedKey;
  /** Reads an OpenSSH/PEM public key given to ImportKeyPair. */
  importPublicKey(material: string): { publicKey: string; fingerprint: string; type: "rsa" | "ed25519" };
  /** The OpenSSH public key that belongs to a private key, if the text is one. */
  publicKeyOf(privateKey: string): string | undefined;
}

const colonHex = (buf: Buffer) => buf.toString("hex").match(/../g)!.join(":");

function sshString(buf: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(buf.length);
  return Buffer.concat([len, buf]);
}

/** Unsigned big-endian integer as an SSH mpint (leading zero when the top bit is set). */
function mpint(buf: Buffer): Buffer {
  let b = buf;
  while (b.length > 1 && b[0] === 0) b = b.subarray(1);
  if (b[0]! & 0x80) b = Buffer.concat([Buffer.from([0]), b]);
  return sshString(b);
}

function openSshPublic(key: KeyObject): { text: string; type: "rsa" | "ed25519" } {
  const jwk = key.export({ format: "jwk" });
  if (jwk.kty === "RSA") {
    const blob = Buffer.concat([
      sshString(Buffer.from("ssh-rsa")),
      mpint(Buffer.from(jwk.e!, "base64url")),
      mpint(Buffer.from(jwk.n!, "base64url")),
    ]);
    return { text: `ssh-rsa ${blob.toString("base64")}`, type: "rsa" };
  }
  if (jwk.kty === "OKP" && jwk.crv === "Ed25519") {
    const blob = Buffer.concat([sshString(Buffer.from("ssh-ed25519")), sshString(Buffer.from(jwk.x!, "base64url"))]);
    return { text: `ssh-ed25519 ${blob.toString("base64")}`, type: "ed25519" };
  }
  throw new Ec2Error("InvalidKey.Format", "Key is not in valid OpenSSH public key format");
}

/** Parses `ssh-rsa AAAA… comment` or `ssh-ed25519 AAAA…` into a KeyObject. */
function parseOpenSsh(text: string): KeyObject {
  const m = /^(ssh-rsa|ssh-ed25519)\s+([A-Za-z0-9+/=]+)(\s.*)?$/.exec(text.trim());
  if (!m) throw new Ec2Error("InvalidKey.Format", "Key is not in valid OpenSSH public key format");
  const blob = Buffer.from(m[2]!, "base64");
  const parts: Buffer[] = [];
  for (let off = 0; off < blob.length; ) {
    if (off + 4 > blob.length) throw new Ec2Error("InvalidKey.Format", "Key is not in valid OpenSSH public key format");
    const len = blob.readUInt32BE(off);
    if (off + 4 + len > blob.length)
      throw new Ec2Error("InvalidKey.Format", "Key is not in valid OpenSSH public key format");
    parts.push(blob.subarray(off + 4, off + 4 + len));
    off += 4 + len;
  }
  if (parts[0]?.toString() !== m[1])
    throw new Ec2Error("InvalidKey.Format", "Key is not in valid OpenSSH public key format");
  try {
    if (m[1] === "ssh-rsa") {
      const strip = (b: Buffer) => (b[0] === 0 ? b.subarray(1) : b);
      return createPublicKey({
        key: { kty: "RSA", e: strip(parts[1]!).toString("base64url"), n: strip(parts[2]!).toString("base64url") },
        format: "jwk",
      });
    }
    return createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x: parts[1]!.toString("base64url") }, format: "jwk" });
  } catch {
    throw new Ec2Error("InvalidKey.Format", "Key is not in valid OpenSSH public key format");
  }
}

/** EC2's fingerprint of an ED25519 key: base64 SHA-256 of the OpenSSH blob, without padding. */
const ed25519Fingerprint = (openssh: string) =>
  createHash("sha256")
    .update(Buffer.from(openssh.split(/\s+/)[1]!, "base64"))
    .digest("base64")
    .replace(/=+$/, "");

/** EC2's answer for an RSA key pair it made (the pair may be made elsewhere: the host makes them off the event loop). */
export function rsaKeyFrom(privateKey: KeyObject, publicKey: KeyObject): GeneratedKey {
  // EC2: for keys it creates, the SHA-1 digest of the DER-encoded PKCS#8 private key.
  const pkcs8 = privateKey.export({ type: "pkcs8", format: "der" });
  return {
    keyMaterial: privateKey.export({ type: "pkcs1", format: "pem" }).toString(),
    publicKey: openSshPublic(publicKey).text,
    fingerprint: colonHex(createHash("sha1").update(pkcs8).digest()),
  };
}

/** ImportKeyPair's longest public key material (characters). */
export const MAX_PUBLIC_KEY_CHARS = 16_384;

export const nodeKeyMaterial: KeyMaterial = {
  generate(type) {
    if (type === "ed25519") {
      const { privateKey, publicKey } = generateKeyPairSync("ed25519");
      const pub = openSshPublic(publicKey).text;
      return {
        keyMaterial: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
        publicKey: pub,
        fingerprint: ed25519Fingerprint(pub),
      };
    }
    const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    return rsaKeyFrom(privateKey, publicKey);
  },
  importPublicKey(material) {
    let key: KeyObject;
    // The largest key EC2 imports (RSA 4096, or one with a long comment) is a few KiB; megabytes of
    // "key" are only a way to keep the server busy parsing them.
    if (material.length > MAX_PUBLIC_KEY_CHARS)
      throw new Ec2Error(
        "InvalidKey.Format",
        `Key is not in valid OpenSSH public key format (longer than ${MAX_PUBLIC_KEY_CHARS} characters)`,
      );
    const text = material.trim();
    if (text.startsWith("ssh-")) key = parseOpenSsh(text);
    else {
      try {
        key = createPublicKey(text);
      } catch {
        throw new Ec2Error("InvalidKey.Format", "Key is not in valid OpenSSH public key format");
      }
    }
    const { text: pub, type } = openSshPublic(key);
    if (type === "rsa") {
      // EC2: for imported RSA keys, the MD5 digest of the DER-encoded public key.
      const der = key.export({ type: "spki", format: "der" });
      return { publicKey: pub, type, fingerprint: colonHex(createHash("md5").update(der).digest()) };
    }
    return { publicKey: pub, type, fingerprint: ed25519Fingerprint(pub) };
  },
  publicKeyOf(privateKey) {
    try {
      return openSshPublic(createPublicKey(createPrivateKey(privateKey))).text;
    } catch {
      return undefined;
    }
  },
};
