/**
 * Hand-recorded facts the derive script combines with moto's data: which families the catalog holds,
 * their us-east-1 Linux on-demand prices, regional price levels and AWS's default (non opt-in) regions.
 *
 * Where each number comes from is stated beside it:
 *  - "notes": the project's data-sources note (docs/shared notes), checked against AWS's public EC2
 *    On-Demand pricing page;
 *  - "published": AWS's published price as the author knows it (not fetched here: there is no network);
 *  - "derived": computed — AWS prices these families linearly by size (vCPUs, or memory for the burstable
 *    t families whose small sizes share 2 vCPUs), so a size's price is the anchor's times its multiple.
 *    For every derived value in these families the result equals the published price as far as the
 *    author knows; where it does not (t2.small, g5, m1, m3, c3), the published value is listed instead.
 */
import type { InstanceTypeInfo } from "../src/data-types.ts";

export interface FamilyFacts {
  family: string;
  /** The size whose price the others derive from, and that price (us-east-1, Linux, USD/hour). */
  anchor: { type: string; usd: number; source: "notes" | "published" };
  /** What the price scales with inside the family. */
  scaleBy: "vcpus" | "memory";
  /** Sizes whose published price is not the linear one (or the whole family's published table). */
  published?: Record<string, number>;
}

export const FAMILIES: FamilyFacts[] = [
  // burstable: sizes nano..large all have 2 vCPUs (t2: 1–2), price follows memory
  {
    family: "t2",
    anchor: { type: "t2.micro", usd: 0.0116, source: "notes" },
    scaleBy: "memory",
    published: { "t2.small": 0.023 },
  },
  { family: "t3", anchor: { type: "t3.micro", usd: 0.0104, source: "notes" }, scaleBy: "memory" },
  { family: "t3a", anchor: { type: "t3a.micro", usd: 0.0094, source: "notes" }, scaleBy: "memory" },
  { family: "t4g", anchor: { type: "t4g.micro", usd: 0.0084, source: "notes" }, scaleBy: "memory" },
  // general purpose
  { family: "m5", anchor: { type: "m5.large", usd: 0.096, source: "notes" }, scaleBy: "vcpus" },
  { family: "m5d", anchor: { type: "m5d.large", usd: 0.113, source: "notes" }, scaleBy: "vcpus" },
  { family: "m6g", anchor: { type: "m6g.large", usd: 0.077, source: "notes" }, scaleBy: "vcpus" },
  { family: "m6i", anchor: { type: "m6i.large", usd: 0.096, source: "published" }, scaleBy: "vcpus" },
  { family: "m7i", anchor: { type: "m7i.large", usd: 0.1008, source: "notes" }, scaleBy: "vcpus" },
  { family: "m7g", anchor: { type: "m7g.large", usd: 0.0816, source: "published" }, scaleBy: "vcpus" },
  { family: "a1", anchor: { type: "a1.large", usd: 0.051, source: "published" }, scaleBy: "vcpus" },
  // compute optimized
  { family: "c5", anchor: { type: "c5.large", usd: 0.085, source: "notes" }, scaleBy: "vcpus" },
  { family: "c5d", anchor: { type: "c5d.large", usd: 0.096, source: "notes" }, scaleBy: "vcpus" },
  { family: "c6i", anchor: { type: "c6i.large", usd: 0.085, source: "published" }, scaleBy: "vcpus" },
  { family: "c7g", anchor: { type: "c7g.large", usd: 0.0725, source: "notes" }, scaleBy: "vcpus" },
  // memory optimized
  { family: "r5", anchor: { type: "r5.large", usd: 0.126, source: "notes" }, scaleBy: "vcpus" },
  { family: "r6i", anchor: { type: "r6i.large", usd: 0.126, source: "published" }, scaleBy: "vcpus" },
  // storage optimized
  { family: "i3", anchor: { type: "i3.large", usd: 0.156, source: "notes" }, scaleBy: "vcpus" },
  // accelerated
  { family: "p3", anchor: { type: "p3.2xlarge", usd: 3.06, source: "notes" }, scaleBy: "vcpus" },
  {
    family: "g5",
    anchor: { type: "g5.xlarge", usd: 1.006, source: "notes" },
    scaleBy: "vcpus",
    // g5 is not linear: the GPU is the same for xlarge..16xlarge. AWS's published table:
    published: {
      "g5.xlarge": 1.006,
      "g5.2xlarge": 1.212,
      "g5.4xlarge": 1.624,
      "g5.8xlarge": 2.448,
      "g5.12xlarge": 5.672,
      "g5.16xlarge": 4.096,
      "g5.24xlarge": 8.144,
      "g5.48xlarge": 16.288,
    },
  },
  // previous generation, kept because they are the types that boot instance-store-backed,
  // paravirtual and i386 AMIs (R10, R13). Published previous-generation prices:
  {
    family: "m1",
    anchor: { type: "m1.small", usd: 0.044, source: "published" },
    scaleBy: "vcpus",
    published: { "m1.small": 0.044, "m1.medium": 0.087, "m1.large": 0.175, "m1.xlarge": 0.35 },
  },
  {
    family: "m3",
    anchor: { type: "m3.medium", usd: 0.067, source: "published" },
    scaleBy: "vcpus",
    published: { "m3.medium": 0.067, "m3.large": 0.133, "m3.xlarge": 0.266, "m3.2xlarge": 0.532 },
  },
  {
    family: "c3",
    anchor: { type: "c3.large", usd: 0.105, source: "published" },
    scaleBy: "vcpus",
    published: { "c3.large": 0.105, "c3.xlarge": 0.21, "c3.2xlarge": 0.42, "c3.4xlarge": 0.84, "c3.8xlarge": 1.68 },
  },
];

const round6 = (x: number) => Math.round(x * 1e6) / 1e6;

/** us-east-1 Linux on-demand USD/hour for a type, given the family's anchor type's info. */
export function priceFor(info: InstanceTypeInfo, anchorInfo?: InstanceTypeInfo): number {
  const fam = FAMILIES.find((f) => f.family === info.instanceType.split(".")[0]);
  if (!fam) throw new Error(`no price facts for ${info.instanceType}`);
  const pub = fam.published?.[info.instanceType];
  if (pub !== undefined) return pub;
  if (info.instanceType === fam.anchor.type) return fam.anchor.usd;
  if (!anchorInfo) throw new Error(`anchor ${fam.anchor.type} needed to price ${info.instanceType}`);
  const ratio =
    fam.scaleBy === "vcpus" ? info.defaultVCpus / anchorInfo.defaultVCpus : info.memoryMiB / anchorInfo.memoryMiB;
  return round6(fam.anchor.usd * ratio);
}

/** Price provenance of one type, for SOURCES.md. */
export function priceSource(instanceType: string): "notes" | "published" | "derived" {
  const fam = FAMILIES.find((f) => f.family === instanceType.split(".")[0]);
  if (!fam) throw new Error(`no price facts for ${instanceType}`);
  if (instanceType === fam.anchor.type) return fam.anchor.source;
  return fam.published?.[instanceType] !== undefined ? "published" : "derived";
}

export const T3_MICRO_US_EAST_1 = 0.0104;

/**
 * t3.micro Linux on-demand USD/hour per region; a region's priceFactor is this / 0.0104.
 *  - "published": AWS's published t3.micro price in that region as the author knows it;
 *  - "recalled, approximate": the author's recollection, may be off by a few percent;
 *  - "estimated": region opened too recently for the author to know its price; set near its
 *    neighbours' level.
 */
export const REGION_T3_MICRO_USD: Record<
  string,
  { usd: number; confidence: "published" | "recalled, approximate" | "estimated" }
> = {
  "us-east-1": { usd: 0.0104, confidence: "published" },
  "us-east-2": { usd: 0.0104, confidence: "published" },
  "us-west-1": { usd: 0.0124, confidence: "published" },
  "us-west-2": { usd: 0.0104, confidence: "published" },
  "ca-central-1": { usd: 0.0116, confidence: "published" },
  "ca-west-1": { usd: 0.0116, confidence: "recalled, approximate" },
  "mx-central-1": { usd: 0.0118, confidence: "estimated" },
  "sa-east-1": { usd: 0.0168, confidence: "published" },
  "eu-west-1": { usd: 0.0114, confidence: "published" },
  "eu-west-2": { usd: 0.0118, confidence: "published" },
  "eu-west-3": { usd: 0.0118, confidence: "published" },
  "eu-central-1": { usd: 0.012, confidence: "published" },
  "eu-central-2": { usd: 0.0132, confidence: "recalled, approximate" },
  "eu-north-1": { usd: 0.0108, confidence: "published" },
  "eu-south-1": { usd: 0.0122, confidence: "recalled, approximate" },
  "eu-south-2": { usd: 0.0114, confidence: "recalled, approximate" },
  "il-central-1": { usd: 0.0123, confidence: "recalled, approximate" },
  "me-south-1": { usd: 0.0127, confidence: "recalled, approximate" },
  "me-central-1": { usd: 0.0128, confidence: "recalled, approximate" },
  "af-south-1": { usd: 0.0136, confidence: "recalled, approximate" },
  "ap-east-1": { usd: 0.0146, confidence: "published" },
  "ap-east-2": { usd: 0.0136, confidence: "estimated" },
  "ap-south-1": { usd: 0.0112, confidence: "published" },
  "ap-south-2": { usd: 0.0112, confidence: "recalled, approximate" },
  "ap-northeast-1": { usd: 0.0136, confidence: "published" },
  "ap-northeast-2": { usd: 0.013, confidence: "published" },
  "ap-northeast-3": { usd: 0.0136, confidence: "recalled, approximate" },
  "ap-southeast-1": { usd: 0.0132, confidence: "published" },
  "ap-southeast-2": { usd: 0.0132, confidence: "published" },
  "ap-southeast-3": { usd: 0.0132, confidence: "recalled, approximate" },
  "ap-southeast-4": { usd: 0.0132, confidence: "recalled, approximate" },
  "ap-southeast-5": { usd: 0.0118, confidence: "estimated" },
  "ap-southeast-6": { usd: 0.0138, confidence: "estimated" },
  "ap-southeast-7": { usd: 0.0118, confidence: "estimated" },
};

/**
 * Regions enabled by default in every account (those AWS launched before 20 March 2019); every later
 * region must be opted into (DescribeRegions reports `not-opted-in` until then).
 */
export const DEFAULT_REGIONS: ReadonlySet<string> = new Set([
  "us-east-1",
  "us-east-2",
  "us-west-1",
  "us-west-2",
  "ca-central-1",
  "sa-east-1",
  "eu-west-1",
  "eu-west-2",
  "eu-west-3",
  "eu-central-1",
  "eu-north-1",
  "ap-south-1",
  "ap-northeast-1",
  "ap-northeast-2",
  "ap-northeast-3",
  "ap-southeast-1",
  "ap-southeast-2",
]);

/**
 * Regions that moto has no DescribeInstanceTypeOfferings data for (opened in 2025) are given the
 * offerings of this region: the newest one with data (Asia Pacific (Malaysia), opened August 2024).
 */
export const NEW_REGION_OFFERINGS_PROXY = "ap-southeast-5";

/**
 * Regions whose newest moto offering file is not representative of the catalog's time (its images
 * are from December 2024): their offerings come from the newest moto update of that region's file
 * committed before `before`.
 */
export const OFFERINGS_PINNED: Record<string, { before: string; reason: string }> = {
  "me-central-1": {
    before: "2026-03-10",
    reason:
      "moto's 2026-03-16 update no longer lists t3/t4g (and a few other types) in me-central-1, a change in the region long after the catalog's December 2024 images; every earlier update since 2024 lists them",
  },
};
