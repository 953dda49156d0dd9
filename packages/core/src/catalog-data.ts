/**
 * The catalog's real data (packages/core/data, see data/SOURCES.md), typed. Nothing here invents
 * numbers: regions, instance types and offerings are derived from AWS's own API output by
 * scripts/derive-catalog.ts; images, guest bases, repositories and prices are hand-authored JSON.
 *
 * The files are validated by catalog-data.test.ts, not at load time.
 */

import guestBasesJson from "../data/guest-bases.json" with { type: "json" };
import imagesJson from "../data/images.json" with { type: "json" };
import offeringsJson from "../data/instance-type-offerings.json" with { type: "json" };
import instanceTypesJson from "../data/instance-types.json" with { type: "json" };
import packageReposJson from "../data/package-repos.json" with { type: "json" };
import pricesJson from "../data/prices.json" with { type: "json" };
import regionsJson from "../data/regions.json" with { type: "json" };
import type {
  CatalogImage,
  GuestBase,
  InstanceTypeInfo,
  RegionInfo,
  RepoPackage,
  StoragePrices,
} from "./data-types.ts";

function deepFreeze<T>(x: T): T {
  if (x && typeof x === "object" && !Object.isFrozen(x)) {
    Object.freeze(x);
    for (const v of Object.values(x)) deepFreeze(v);
  }
  return x;
}

/** Every commercial AWS region (partition `aws`), sorted by name. */
export const REGIONS: readonly RegionInfo[] = deepFreeze(regionsJson as RegionInfo[]);

const instanceTypeList = deepFreeze(instanceTypesJson as InstanceTypeInfo[]);
/** Instance types by name (`t3.micro` → …), in catalog order (family, then size). */
export const INSTANCE_TYPES: ReadonlyMap<string, InstanceTypeInfo> = new Map(
  instanceTypeList.map((t) => [t.instanceType, t]),
);

/** Region name → the catalog's instance types offered there. */
export const INSTANCE_TYPE_OFFERINGS: Readonly<Record<string, readonly string[]>> = deepFreeze(
  offeringsJson as Record<string, string[]>,
);

/** Guest base key (`al2023`, `ubuntu-2404`, …) → what that distribution looks like inside. */
export const GUEST_BASES: Readonly<Record<string, GuestBase>> = deepFreeze(guestBasesJson as Record<string, GuestBase>);

/** Repository key (`al2023`, `ubuntu-noble`, …) → the packages `dnf|yum|apt install` can get. */
export const PACKAGE_REPOS: Readonly<Record<string, readonly RepoPackage[]>> = deepFreeze(
  packageReposJson as Record<string, RepoPackage[]>,
);

/** Quick Start, Marketplace and Community images (IDs are derived per region elsewhere). */
export const CATALOG_IMAGES: readonly CatalogImage[] = deepFreeze(imagesJson as CatalogImage[]);

/** Storage prices per GB-month (and public IPv4 per hour) in us-east-1. */
export const STORAGE_PRICES: StoragePrices = deepFreeze(pricesJson as StoragePrices);

const regionIndex = new Map(REGIONS.map((r) => [r.regionName, r]));

export function regionByName(name: string): RegionInfo | undefined {
  return regionIndex.get(name);
}

export function instanceType(name: string): InstanceTypeInfo | undefined {
  return INSTANCE_TYPES.get(name);
}

/** Whether `region` offers `type` (false for unknown regions or types). */
export function isOffered(region: string, type: string): boolean {
  return INSTANCE_TYPE_OFFERINGS[region]?.includes(type) ?? false;
}

/** Linux on-demand USD/hour of `type` in `region` (us-east-1 price × the region's factor). */
export function onDemandUsdPerHour(type: string, region: string): number | undefined {
  const t = INSTANCE_TYPES.get(type);
  const r = regionIndex.get(region);
  if (!t || !r) return undefined;
  return Math.round(t.onDemandUsdPerHour * r.priceFactor * 1e6) / 1e6;
}
