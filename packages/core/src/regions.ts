/**
 * Regions and Availability Zones (R2): the real names and counts, from data/regions.json.
 */
import type { AvailabilityZone, Region } from "@aws-sdk/client-ec2";
import { REGIONS, regionByName } from "./catalog-data.ts";
import type { RegionInfo } from "./data-types.ts";
import { Ec2Error } from "./errors.ts";
import { compileFilters, type Filter } from "./filters.ts";
import type { Tx } from "./tx.ts";

export function requireRegion(name: string): RegionInfo {
  const r = regionByName(name);
  if (!r) {
    throw new Ec2Error(
      "InvalidParameterValue",
      `Invalid region: '${name}' is not a region this sandbox knows (try us-east-1)`,
    );
  }
  return r;
}

export function requireZone(region: string, zone: string): { zoneName: string; zoneId: string } {
  const z = requireRegion(region).zones.find((x) => x.zoneName === zone || x.zoneId === zone);
  if (!z) throw new Ec2Error("InvalidParameterValue", `Invalid availability zone: [${zone}]`);
  return z;
}

/** In a sandbox every account is opted in to every region: opt-in regions report `opted-in`. */
const optIn = (r: RegionInfo) => (r.optInStatus === "opt-in-not-required" ? "opt-in-not-required" : "opted-in");

const noTags = new Map<string, string>();

/**
 * A region's and a zone's answer depend on the catalog alone (every account sees the same, opted
 * in everywhere): each is built once and frozen, so the XML writer keeps its encoded bytes and a
 * DescribeRegions / DescribeAvailabilityZones costs the filtering, not the writing.
 */
const regionAnswers = new WeakMap<RegionInfo, Region>();
const zoneAnswers = new WeakMap<object, AvailabilityZone>();

function regionAnswer(r: RegionInfo): Region {
  let a = regionAnswers.get(r);
  if (!a) {
    a = Object.freeze({ RegionName: r.regionName, Endpoint: r.endpoint, OptInStatus: optIn(r) });
    regionAnswers.set(r, a);
  }
  return a;
}

function zoneAnswer(r: RegionInfo, z: { zoneName: string; zoneId: string }): AvailabilityZone {
  let a = zoneAnswers.get(z);
  if (!a) {
    a = Object.freeze({
      State: "available",
      OptInStatus: "opt-in-not-required",
      Messages: Object.freeze([]) as unknown as AvailabilityZone["Messages"],
      RegionName: r.regionName,
      ZoneName: z.zoneName,
      ZoneId: z.zoneId,
      GroupName: r.regionName,
      NetworkBorderGroup: r.regionName,
      ZoneType: "availability-zone",
      GroupLongName: r.regionName,
    } satisfies AvailabilityZone);
    zoneAnswers.set(z, a);
  }
  return a;
}

export const regionActions = {
  DescribeRegions(_tx: Tx, input: { RegionNames?: string[]; Filters?: Filter[]; AllRegions?: boolean }) {
    for (const n of input.RegionNames ?? []) requireRegion(n);
    const rows = REGIONS.map((r) => ({ r, tags: noTags }));
    const match = compileFilters<{ r: RegionInfo; tags: Map<string, string> }>(input.Filters, {
      endpoint: ({ r }) => r.endpoint,
      "region-name": ({ r }) => r.regionName,
      "opt-in-status": ({ r }) => optIn(r),
    });
    const Regions: Region[] = rows
      .filter((x) => (!input.RegionNames?.length || input.RegionNames.includes(x.r.regionName)) && match(x))
      .map(({ r }) => regionAnswer(r));
    return { Regions };
  },
  DescribeAvailabilityZones(
    tx: Tx,
    input: { ZoneNames?: string[]; ZoneIds?: string[]; Filters?: Filter[]; AllAvailabilityZones?: boolean },
  ) {
    const r = requireRegion(tx.ctx.region);
    for (const z of input.ZoneNames ?? [])
      if (!r.zones.some((x) => x.zoneName === z))
        throw new Ec2Error("InvalidParameterValue", `Invalid availability zone: [${z}]`);
    for (const z of input.ZoneIds ?? [])
      if (!r.zones.some((x) => x.zoneId === z))
        throw new Ec2Error("InvalidParameterValue", `Invalid availability zone ID: [${z}]`);
    const match = compileFilters<{ z: { zoneName: string; zoneId: string }; tags: Map<string, string> }>(
      input.Filters,
      {
        "zone-name": (x) => x.z.zoneName,
        "zone-id": (x) => x.z.zoneId,
        "region-name": () => r.regionName,
        state: () => "available",
        "zone-type": () => "availability-zone",
        "group-name": () => r.regionName,
        "opt-in-status": () => "opt-in-not-required",
      },
    );
    const AvailabilityZones: AvailabilityZone[] = r.zones
      .map((z) => ({ z, tags: noTags }))
      .filter(
        (x) =>
          (!input.ZoneNames?.length || input.ZoneNames.includes(x.z.zoneName)) &&
          (!input.ZoneIds?.length || input.ZoneIds.includes(x.z.zoneId)) &&
          match(x),
      )
      .map(({ z }) => zoneAnswer(r, z));
    return { AvailabilityZones };
  },
};
