// A small DER writer and an X.509 v3 certificate builder using node:crypto alone.
// Enough for go-plugin's AutoMTLS server certificate: ECDSA P-256, self-signed, CA:TRUE,
// SAN DNS:localhost, key usage and extended key usage as go-plugin generates them.
import { createPrivateKey, generateKeyPairSync, type KeyObject, randomBytes, sign } from "node:crypto";

// ---- DER primitives ----
function lengthBytes(n: number): number[] {
  if (n < 0x80) return [n];
  const out: number[] = [];
  while (n > 0) {
    out.unshift(n & 0xff);
    n = Math.floor(n / 256);
  }
  return [0x80 | out.length, ...out];
}

export function tlv(tag: number, content: Uint8Array): Uint8Array {
  const len = lengthBytes(content.length);
  const out = new Uint8Array(1 + len.length + content.length);
  out[0] = tag;
  out.set(len, 1);
  out.set(content, 1 + len.length);
  return out;
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  const total = parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(total);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

export const seq = (...items: Uint8Array[]): Uint8Array => tlv(0x30, concat(...items));
export const set = (...items: Uint8Array[]): Uint8Array => tlv(0x31, concat(...items));
export const octetString = (b: Uint8Array): Uint8Array => tlv(0x04, b);
export const bool = (v: boolean): Uint8Array => tlv(0x01, new Uint8Array([v ? 0xff : 0x00]));
export const utf8 = (s: string): Uint8Array => tlv(0x0c, new TextEncoder().encode(s));
/** [n] EXPLICIT */
export const explicit = (n: number, inner: Uint8Array): Uint8Array => tlv(0xa0 | n, inner);

/** INTEGER from unsigned big-endian bytes (adds a 0 byte when the high bit is set). */
export function uint(bytes: Uint8Array): Uint8Array {
  let i = 0;
  while (i < bytes.length - 1 && bytes[i] === 0) i++;
  let b = bytes.subarray(i);
  if (b[0]! & 0x80) b = concat(new Uint8Array([0]), b);
  return tlv(0x02, b);
}
export const int = (n: number): Uint8Array => {
  const bytes: number[] = [];
  do {
    bytes.unshift(n & 0xff);
    n = Math.floor(n / 256);
  } while (n > 0);
  return uint(new Uint8Array(bytes));
};

export function oid(dotted: string): Uint8Array {
  const parts = dotted.split(".").map(Number);
  const out: number[] = [parts[0]! * 40 + parts[1]!];
  for (const p of parts.slice(2)) {
    const chunk: number[] = [];
    let v = p;
    chunk.unshift(v & 0x7f);
    v = Math.floor(v / 128);
    while (v > 0) {
      chunk.unshift((v & 0x7f) | 0x80);
      v = Math.floor(v / 128);
    }
    out.push(...chunk);
  }
  return tlv(0x06, new Uint8Array(out));
}

/** BIT STRING with the given bits set (bit 0 = most significant bit of the first byte), DER-minimal. */
export function namedBits(bits: number[]): Uint8Array {
  const max = Math.max(...bits);
  const nbytes = Math.floor(max / 8) + 1;
  const data = new Uint8Array(nbytes);
  for (const b of bits) data[Math.floor(b / 8)]! |= 0x80 >> (b % 8);
  const unused = nbytes * 8 - 1 - max;
  return tlv(0x03, concat(new Uint8Array([unused]), data));
}
export const bitString = (b: Uint8Array): Uint8Array => tlv(0x03, concat(new Uint8Array([0]), b));

function time(d: Date): Uint8Array {
  const p = (n: number) => String(n).padStart(2, "0");
  const y = d.getUTCFullYear();
  const body = `${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}Z`;
  // RFC 5280: UTCTime through 2049, GeneralizedTime after.
  return y < 2050
    ? tlv(0x17, new TextEncoder().encode(`${p(y % 100)}${body}`))
    : tlv(0x18, new TextEncoder().encode(`${y}${body}`));
}

// ---- the certificate ----
const OID = {
  ecPublicKey: "1.2.840.10045.2.1",
  prime256v1: "1.2.840.10045.3.1.7",
  ecdsaWithSHA256: "1.2.840.10045.4.3.2",
  commonName: "2.5.4.3",
  organization: "2.5.4.10",
  keyUsage: "2.5.29.15",
  extKeyUsage: "2.5.29.37",
  basicConstraints: "2.5.29.19",
  subjectAltName: "2.5.29.17",
  serverAuth: "1.3.6.1.5.5.7.3.1",
  clientAuth: "1.3.6.1.5.5.7.3.2",
};

export interface GeneratedCert {
  certDer: Uint8Array;
  certPem: string;
  keyPem: string;
  key: KeyObject;
}

function toPem(label: string, der: Uint8Array): string {
  const b64 = Buffer.from(der).toString("base64");
  return `-----BEGIN ${label}-----\n${b64.replace(/(.{64})/g, "$1\n").replace(/\n$/, "")}\n-----END ${label}-----\n`;
}

/** A self-signed server certificate shaped like go-plugin's generateCert(). */
export function generateCertificate(now = new Date()): GeneratedCert {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const spki = new Uint8Array(publicKey.export({ type: "spki", format: "der" }));

  const serial = randomBytes(16);
  serial[0]! &= 0x7f;
  const name = seq(
    set(seq(oid(OID.organization), utf8("HashiCorp"))),
    set(seq(oid(OID.commonName), utf8("localhost"))),
  );
  const notBefore = new Date(now.getTime() - 30_000);
  const notAfter = new Date(now.getTime() + 262_980 * 3600_000); // go-plugin: ~30 years
  const sigAlg = seq(oid(OID.ecdsaWithSHA256));

  // digitalSignature(0) | keyEncipherment(2) | keyAgreement(4) | keyCertSign(5)
  const keyUsage = seq(oid(OID.keyUsage), bool(true), octetString(namedBits([0, 2, 4, 5])));
  const extKeyUsage = seq(oid(OID.extKeyUsage), octetString(seq(oid(OID.clientAuth), oid(OID.serverAuth))));
  const basic = seq(oid(OID.basicConstraints), bool(true), octetString(seq(bool(true))));
  const san = seq(oid(OID.subjectAltName), octetString(seq(tlv(0x82, new TextEncoder().encode("localhost")))));

  const tbs = seq(
    explicit(0, int(2)), // v3
    uint(serial),
    sigAlg,
    name,
    seq(time(notBefore), time(notAfter)),
    name,
    spki,
    explicit(3, seq(keyUsage, extKeyUsage, basic, san)),
  );
  const signature = sign("sha256", tbs, privateKey); // DER ECDSA-Sig-Value
  const certDer = seq(tbs, sigAlg, bitString(new Uint8Array(signature)));
  const keyPem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
  return { certDer, certPem: toPem("CERTIFICATE", certDer), keyPem, key: createPrivateKey(keyPem) };
}
