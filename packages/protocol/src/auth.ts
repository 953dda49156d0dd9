/**
 * Challenge–response authentication with the sandbox account's access key: the server sends a
 * random nonce, the client answers with HMAC-SHA256(secret, "ec2sim-ws-v1\n" + nonce + "\n" +
 * sandbox + "\n" + accessKeyId) in hex. The secret never crosses the wire, a recorded answer is
 * useless on another connection (new nonce), and it is bound to the sandbox and key it names.
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

export function newNonce(): string {
  return randomBytes(24).toString("base64url");
}

export function signChallenge(secretAccessKey: string, nonce: string, sandbox: string, accessKeyId: string): string {
  return createHmac("sha256", secretAccessKey)
    .update(`ec2sim-ws-v1\n${nonce}\n${sandbox}\n${accessKeyId}`)
    .digest("hex");
}

export function verifyChallenge(
  secretAccessKey: string,
  nonce: string,
  sandbox: string,
  accessKeyId: string,
  signature: string,
): boolean {
  const expected = Buffer.from(signChallenge(secretAccessKey, nonce, sandbox, accessKeyId), "hex");
  const given = Buffer.from(signature, "hex");
  return given.length === expected.length && timingSafeEqual(given, expected);
}
