/**
 * IPv4 addresses and CIDR blocks as numbers: what VPCs, subnets, routes and security-group rules
 * are made of. Pure arithmetic, no lookups.
 */

/** An IPv4 address as an unsigned 32-bit number, or undefined when it is not dotted-quad text. */
export function ipToInt(ip: string): number | undefined {
  const p = ip.split(".");
  if (p.length !== 4 || p.some((x) => !/^\d{1,3}$/.test(x) || Number(x) > 255)) return undefined;
  return p.reduce((acc, x) => acc * 256 + Number(x), 0);
}

export const intToIp = (n: number): string =>
  `${Math.floor(n / 16777216) % 256}.${Math.floor(n / 65536) % 256}.${Math.floor(n / 256) % 256}.${n % 256}`;

export interface Cidr {
  /** The address as written (host bits may be set). */
  base: number;
  bits: number;
  /** The network address (host bits cleared) and the number of addresses in the block. */
  network: number;
  size: number;
}

/** A CIDR block `a.b.c.d/n`, or undefined when malformed. */
export function parseCidr(cidr: string): Cidr | undefined {
  const slash = cidr.indexOf("/");
  if (slash < 0) return undefined;
  const base = ipToInt(cidr.slice(0, slash));
  const bitsText = cidr.slice(slash + 1);
  const bits = Number(bitsText);
  if (base === undefined || !/^\d{1,2}$/.test(bitsText) || bits > 32) return undefined;
  const size = 2 ** (32 - bits);
  return { base, bits, network: Math.floor(base / size) * size, size };
}

/** A block whose address is its network address (EC2 refuses `10.0.0.5/16` where it wants a network). */
export const isNetworkCidr = (c: Cidr): boolean => c.base === c.network;

export function cidrContains(cidr: string | Cidr, ip: string | number): boolean {
  const c = typeof cidr === "string" ? parseCidr(cidr) : cidr;
  const n = typeof ip === "number" ? ip : ipToInt(ip);
  if (!c || n === undefined) return false;
  return n >= c.network && n < c.network + c.size;
}

/** Whether `inner` lies wholly inside `outer`. */
export const cidrWithin = (inner: Cidr, outer: Cidr): boolean =>
  inner.network >= outer.network && inner.network + inner.size <= outer.network + outer.size;

export const cidrsOverlap = (a: Cidr, b: Cidr): boolean =>
  a.network < b.network + b.size && b.network < a.network + a.size;

/** The canonical text of a block (`10.0.0.0/16`). */
export const cidrText = (c: Cidr): string => `${intToIp(c.network)}/${c.bits}`;
