/**
 * Deterministic IDs and randomness. Everything random in a sandbox is a pure function of the
 * sandbox seed and a cursor that only moves forward, so the same seed and the same commands give
 * the same IDs, addresses and timings on every run (R1), and a replay of the event log lands on the
 * same cursor.
 */

/** EC2's ID prefixes per resource type (R1). */
export const ID_PREFIX = {
  image: "ami",
  instance: "i",
  volume: "vol",
  snapshot: "snap",
  securityGroup: "sg",
  securityGroupRule: "sgr",
  keyPair: "key",
  allocation: "eipalloc",
  association: "eipassoc",
  reservation: "r",
  vpc: "vpc",
  subnet: "subnet",
  networkInterface: "eni",
  networkInterfaceAttachment: "eni-attach",
  internetGateway: "igw",
  routeTable: "rtb",
  routeTableAssociation: "rtbassoc",
  natGateway: "nat",
  networkAcl: "acl",
  networkAclAssociation: "aclassoc",
  vpcCidrAssociation: "vpc-cidr-assoc",
  launchTemplate: "lt",
  importTask: "import-ami",
  imageBuilder: "ib",
  iamInstanceProfileAssociation: "iip-assoc",
  spotInstanceRequest: "sir",
} as const;
export type IdKind = keyof typeof ID_PREFIX;

const HEX = /^(?:[0-9a-f]{17}|[0-9a-f]{8})$/;
/**
 * Whether `id` is `<prefix>-` and 17 lowercase hex digits, or the 8 of IDs made before 2016
 * (`ami-21f78e11`: EC2 calls those NotFound, not Malformed). `eni-attach-…` is not an `eni-`.
 */
export const looksLikeId = (prefix: string, id: string): boolean => {
  const digits = id.length - prefix.length - 1;
  return (digits === 17 || digits === 8) && id.startsWith(`${prefix}-`) && HEX.test(id.slice(prefix.length + 1));
};

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A 32-bit hash of a string with a salt (murmur3-style mixing; not cryptographic). */
export function hash32(text: string, salt = 0): number {
  let h = (0x9747b28c ^ salt) >>> 0;
  for (let i = 0; i < text.length; i++) {
    h = Math.imul(h ^ text.charCodeAt(i), 0x5bd1e995);
    h ^= h >>> 15;
  }
  return fmix32(h ^ text.length);
}

/** 17 lowercase hex digits derived from a text: the body of an EC2 ID. */
export function hex17(text: string): string {
  const a = hash32(text, 1).toString(16).padStart(8, "0");
  const b = hash32(text, 2).toString(16).padStart(8, "0");
  const c = hash32(text, 3).toString(16).padStart(8, "0");
  return (a + b + c).slice(0, 17);
}

/** A stable ID for a thing named by text (catalog AMIs per region, default VPCs per account). */
export const stableId = (kind: IdKind, text: string): string => `${ID_PREFIX[kind]}-${hex17(text)}`;

/** A uniform float in [0, 1) for a seed and cursor. */
export function unitFloat(seed: string, cursor: number): number {
  return hash32(`${seed}#${cursor}`, 7) / 4294967296;
}
