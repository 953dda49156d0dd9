/**
 * What makes one install of ec2sim different from every other (issue #11), made at its first start:
 *
 * - the install secret, which account access keys derive from (`credentialsFor` in core), so no
 *   one can compute another install's keys; `<data>/install-secret`, or the PostgreSQL database's
 *   `install` table for the postgres store (every replica derives the same);
 * - the admin token, which the admin API and the WebSocket's admin actions require (a bearer
 *   header); `<data>/admin-token`, unless given (`EC2SIM_ADMIN_TOKEN`, e.g. the same for every
 *   replica of a team server). This project's tools read it from the data directory.
 *
 * Both files are created with O_EXCL and mode 600, so two processes starting at once agree, and
 * are never printed again after the banner that announced them.
 */
import { randomBytes, timingSafeEqual } from "node:crypto";
import { mkdir, open, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { writeFully } from "./store/fsutil.ts";

export const ADMIN_TOKEN_FILE = "admin-token";
export const INSTALL_SECRET_FILE = "install-secret";

/** A fresh random token: 32 bytes, base64url. */
export const newSecret = (): string => randomBytes(32).toString("base64url");

/** Reads `dir/name`, or creates it (mode 600) with `make()` if it does not exist. */
export async function readOrCreateSecret(
  dir: string,
  name: string,
  make: () => string = newSecret,
): Promise<{ value: string; file: string; created: boolean }> {
  const file = join(dir, name);
  await mkdir(dir, { recursive: true });
  const value = make();
  try {
    const fh = await open(file, "wx", 0o600);
    try {
      await writeFully(fh, Buffer.from(`${value}\n`), 0);
      await fh.sync();
    } finally {
      await fh.close();
    }
    return { value, file, created: true };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
  }
  // Someone made it first (an earlier start, or a process racing us): theirs counts.
  for (let i = 0; i < 50; i++) {
    const text = (await readFile(file, "utf8")).trim();
    if (text) {
      if (((await stat(file)).mode & 0o077) !== 0)
        throw new Error(`${file} can be read by other users: make it private (chmod 600 ${file})`);
      return { value: text, file, created: false };
    }
    await new Promise((r) => setTimeout(r, 20)); // being written right now
  }
  throw new Error(`${file} is empty: delete it to have a new one made`);
}

/** Compares a presented token with the right one in constant time. */
export function tokenMatches(presented: string | undefined, token: string): boolean {
  if (presented === undefined) return false;
  const a = Buffer.from(presented);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The bearer token of an `Authorization` header value. */
export function bearerOf(header: string | string[] | undefined): string | undefined {
  const v = Array.isArray(header) ? header[0] : header;
  const m = v === undefined ? null : /^Bearer\s+(\S+)\s*$/i.exec(v);
  return m ? m[1] : undefined;
}
