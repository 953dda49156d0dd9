/**
 * Derives packages/core/data/{regions,instance-types,instance-type-offerings}.json from a checkout of
 * the public getmoto/moto repository (Apache-2.0), whose resource files are AWS's own API output:
 *
 *  - moto/ec2/resources/instance_types.json          DescribeInstanceTypes for every type
 *  - moto/ec2/resources/instance_type_offerings/...  DescribeInstanceTypeOfferings per region / AZ / AZ ID
 *  - moto/ssm/resources/regions.json                 SSM public parameters /aws/service/global-infrastructure
 *  - moto/ec2/models/availability_zones_and_regions.py  moto's AZ-name -> zone-ID mapping
 *
 * Usage:  npx tsx packages/core/scripts/derive-catalog.ts <path to a moto checkout or bare git dir>
 *
 * Only data is read from moto; none of its code is copied. The script also rewrites
 * packages/core/data/SOURCES.md's "derived" section with the moto commit(s) used.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { InstanceTypeInfo, RegionInfo, ZoneInfo } from "../src/data-types.ts";
import {
  DEFAULT_REGIONS,
  FAMILIES,
  NEW_REGION_OFFERINGS_PROXY,
  OFFERINGS_PINNED,
  priceFor,
  priceSource,
  REGION_T3_MICRO_USD,
  T3_MICRO_US_EAST_1,
} from "./catalog-facts.ts";

const here = dirname(fileURLToPath(import.meta.url));
const dataDir = join(here, "..", "data");

const arg = process.argv[2];
if (!arg) {
  console.error("usage: derive-catalog.ts <moto checkout or bare git dir>");
  process.exit(2);
}
const gitDir = existsSync(join(arg, ".git")) ? join(arg, ".git") : arg;

function git(...args: string[]): string {
  return execFileSync("git", ["--git-dir", gitDir, ...args], { encoding: "utf8", maxBuffer: 512 * 1024 * 1024 });
}
function show(rev: string, path: string): string {
  return git("show", `${rev}:${path}`);
}
function tryShow(rev: string, path: string): string | undefined {
  try {
    return execFileSync("git", ["--git-dir", gitDir, "show", `${rev}:${path}`], {
      encoding: "utf8",
      maxBuffer: 512 * 1024 * 1024,
      stdio: ["ignore", "pipe", "ignore"],
    });
  } catch {
    return undefined;
  }
}

const head = git("rev-parse", "HEAD").trim();
const headDate = git("log", "-1", "--format=%cI", head).trim();

// ---------------------------------------------------------------- instance types
const TYPES_PATH = "moto/ec2/resources/instance_types.json";
const OFFERINGS_DIR = "moto/ec2/resources/instance_type_offerings";

type MotoType = Record<string, any>;
const headTypes = JSON.parse(show(head, TYPES_PATH)) as Record<string, MotoType>;

const familyOf = (t: string) => t.split(".")[0]!;

/** For a family AWS no longer lists (e.g. p3, dropped from moto in 2026), the newest commit that still has it. */
const fallbackCommits = new Map<string, string>();
function typesFor(family: string): { commit: string; types: MotoType[] } {
  const now = Object.values(headTypes).filter((t) => familyOf(t.InstanceType) === family);
  if (now.length > 0) return { commit: head, types: now };
  const commits = git("log", "--format=%H", head, "--", TYPES_PATH).trim().split("\n");
  for (const c of commits) {
    const text = tryShow(c, TYPES_PATH);
    if (!text) continue;
    const old = Object.values(JSON.parse(text) as Record<string, MotoType>).filter(
      (t) => familyOf(t.InstanceType) === family,
    );
    if (old.length > 0) {
      fallbackCommits.set(family, c);
      return { commit: c, types: old };
    }
  }
  throw new Error(`family ${family} not found in any moto commit`);
}

function convert(t: MotoType): InstanceTypeInfo {
  const p = t.ProcessorInfo ?? {};
  const v = t.VCpuInfo ?? {};
  const n = t.NetworkInfo ?? {};
  const ebs = t.EbsInfo ?? {};
  const out: InstanceTypeInfo = {
    instanceType: t.InstanceType,
    currentGeneration: t.CurrentGeneration,
    freeTierEligible: t.FreeTierEligible,
    supportedUsageClasses: t.SupportedUsageClasses,
    supportedRootDeviceTypes: t.SupportedRootDeviceTypes,
    supportedVirtualizationTypes: t.SupportedVirtualizationTypes,
    bareMetal: t.BareMetal,
    architectures: p.SupportedArchitectures,
    defaultVCpus: v.DefaultVCpus,
    memoryMiB: t.MemoryInfo.SizeInMiB,
    instanceStorageSupported: t.InstanceStorageSupported,
    ebsOptimizedSupport: ebs.EbsOptimizedSupport,
    networkPerformance: n.NetworkPerformance,
    maximumNetworkInterfaces: n.MaximumNetworkInterfaces,
    ipv4AddressesPerInterface: n.Ipv4AddressesPerInterface,
    enaSupport: n.EnaSupport,
    burstablePerformanceSupported: t.BurstablePerformanceSupported,
    supportedBootModes: t.SupportedBootModes ?? ["legacy-bios"],
    onDemandUsdPerHour: 0,
  };
  if (t.Hypervisor) out.hypervisor = t.Hypervisor;
  if (p.SustainedClockSpeedInGhz !== undefined) out.sustainedClockSpeedInGhz = p.SustainedClockSpeedInGhz;
  if (v.DefaultCores !== undefined) out.defaultCores = v.DefaultCores;
  if (v.DefaultThreadsPerCore !== undefined) out.defaultThreadsPerCore = v.DefaultThreadsPerCore;
  if (ebs.EncryptionSupport) out.encryptionSupport = ebs.EncryptionSupport;
  const s = t.InstanceStorageInfo;
  if (s) {
    out.instanceStorage = {
      totalSizeInGB: s.TotalSizeInGB,
      disks: s.Disks.map((d: any) => ({ count: d.Count, sizeInGB: d.SizeInGB, type: d.Type })),
      nvmeSupport: s.NvmeSupport,
    };
  }
  const g = t.GpuInfo;
  if (g) {
    out.gpus = g.Gpus.map((x: any) => ({
      name: x.Name,
      manufacturer: x.Manufacturer,
      count: x.Count,
      memoryMiB: x.MemoryInfo.SizeInMiB,
    }));
  }
  // key order as in the interface, so the JSON reads like the type
  const ordered: Record<string, unknown> = {};
  for (const k of KEY_ORDER) if ((out as any)[k] !== undefined) ordered[k] = (out as any)[k];
  return ordered as unknown as InstanceTypeInfo;
}
const KEY_ORDER = [
  "instanceType",
  "currentGeneration",
  "freeTierEligible",
  "supportedUsageClasses",
  "supportedRootDeviceTypes",
  "supportedVirtualizationTypes",
  "bareMetal",
  "hypervisor",
  "architectures",
  "sustainedClockSpeedInGhz",
  "defaultVCpus",
  "defaultCores",
  "defaultThreadsPerCore",
  "memoryMiB",
  "instanceStorageSupported",
  "instanceStorage",
  "ebsOptimizedSupport",
  "encryptionSupport",
  "networkPerformance",
  "maximumNetworkInterfaces",
  "ipv4AddressesPerInterface",
  "enaSupport",
  "gpus",
  "burstablePerformanceSupported",
  "supportedBootModes",
  "onDemandUsdPerHour",
];

const sizeOrder = (t: InstanceTypeInfo) => t.defaultVCpus * 1e7 + t.memoryMiB + (t.bareMetal ? 0.5 : 0);
const instanceTypes: InstanceTypeInfo[] = [];
const typeCommit = new Map<string, string>();
for (const fam of FAMILIES) {
  const { commit, types } = typesFor(fam.family);
  const infos = types.map(convert).sort((a, b) => sizeOrder(a) - sizeOrder(b));
  const anchor = infos.find((i) => i.instanceType === fam.anchor.type);
  if (!anchor) throw new Error(`anchor ${fam.anchor.type} missing from moto's data`);
  for (const info of infos) {
    info.onDemandUsdPerHour = priceFor(info, anchor);
    instanceTypes.push(info);
    typeCommit.set(info.instanceType, commit);
  }
}
const catalogTypes = new Set(instanceTypes.map((t) => t.instanceType));

// ---------------------------------------------------------------- regions
const ssm = JSON.parse(show(head, "moto/ssm/resources/regions.json"));
const ssmRegions: Record<string, any> = ssm.aws.service["global-infrastructure"].regions;
const commercial = Object.entries(ssmRegions)
  .filter(([, r]) => r.partition?.Value === "aws")
  .map(([name]) => name)
  .sort();

// moto's explicit AZ-name -> zone-ID mapping (zone IDs are account-specific in reality; this is moto's choice)
const azPy = show(head, "moto/ec2/models/availability_zones_and_regions.py");
const explicit = new Map<string, ZoneInfo[]>();
for (const m of azPy.matchAll(/Zone\(\s*region_name="([^"]+)",\s*name="([^"]+)",\s*zone_id="([^"]+)",?\s*\)/g)) {
  const [, region, name, id] = m as unknown as [string, string, string, string];
  if (!explicit.has(region)) explicit.set(region, []);
  explicit.get(region)!.push({ zoneName: name, zoneId: id });
}

function locations(kind: string, region: string, rev = head): string[] | undefined {
  const text = tryShow(rev, `${OFFERINGS_DIR}/${kind}/${region}.json`);
  if (!text) return undefined;
  return [...new Set((JSON.parse(text) as { Location: string }[]).map((o) => o.Location))].sort();
}

const estimatedOfferingRegions: string[] = [];
const regionZoneSource = new Map<string, string>();
const regions: RegionInfo[] = commercial.map((name) => {
  const names = locations("availability-zone", name);
  const ids = locations("availability-zone-id", name);
  let zones: ZoneInfo[];
  const ex = explicit.get(name);
  if (
    ex &&
    names &&
    ex
      .map((z) => z.zoneName)
      .sort()
      .join() === names.join()
  ) {
    zones = ex;
    regionZoneSource.set(name, "EC2 AZ offerings + moto's explicit name->ID mapping");
  } else if (names && ids && names.length === ids.length) {
    zones = names.map((n, i) => ({ zoneName: n, zoneId: ids[i]! }));
    regionZoneSource.set(name, "EC2 AZ offerings, names and IDs paired in order (as moto does)");
  } else {
    const ssmIds = Object.keys(ssmRegions[name]["availability-zones"] ?? {}).sort();
    zones = ssmIds.map((id, i) => ({ zoneName: `${name}${String.fromCharCode(97 + i)}`, zoneId: id }));
    regionZoneSource.set(name, "SSM global-infrastructure zone IDs, names a,b,c… paired in order");
  }
  const endpoint: string = ssmRegions[name].services?.ec2?.endpoint?.Value ?? `ec2.${name}.amazonaws.com`;
  const t3 = REGION_T3_MICRO_USD[name];
  if (!t3) throw new Error(`no t3.micro price recorded for ${name}`);
  return {
    regionName: name,
    optInStatus: DEFAULT_REGIONS.has(name) ? "opt-in-not-required" : "not-opted-in",
    endpoint,
    zones,
    priceFactor: Math.round((t3.usd / T3_MICRO_US_EAST_1) * 10000) / 10000,
  };
});

// ---------------------------------------------------------------- offerings
const offerings: Record<string, string[]> = {};
const withData: string[] = [];
const pinnedNotes: string[] = [];
function offeringsCommit(region: string): string {
  const pin = OFFERINGS_PINNED[region];
  if (!pin) return head;
  const c = git(
    "log",
    "-1",
    "--format=%H",
    `--before=${pin.before}`,
    head,
    "--",
    `${OFFERINGS_DIR}/region/${region}.json`,
  ).trim();
  if (!c) throw new Error(`no moto commit of ${region}'s offerings before ${pin.before}`);
  pinnedNotes.push(
    `- ${region}'s offerings come from ${c} (${git("log", "-1", "--format=%cs", c).trim()}): ${pin.reason}.`,
  );
  return c;
}
for (const r of regions) {
  const text = tryShow(offeringsCommit(r.regionName), `${OFFERINGS_DIR}/region/${r.regionName}.json`);
  if (!text) continue;
  const set = new Set(
    (JSON.parse(text) as { InstanceType: string }[]).map((o) => o.InstanceType).filter((t) => catalogTypes.has(t)),
  );
  // retired families: the offerings of the commit their data came from
  for (const [, commit] of fallbackCommits) {
    const old = tryShow(commit, `${OFFERINGS_DIR}/region/${r.regionName}.json`);
    if (!old) continue;
    for (const o of JSON.parse(old) as { InstanceType: string }[]) {
      if (catalogTypes.has(o.InstanceType) && typeCommit.get(o.InstanceType) === commit) set.add(o.InstanceType);
    }
  }
  offerings[r.regionName] = instanceTypes.map((t) => t.instanceType).filter((t) => set.has(t));
  withData.push(r.regionName);
}
// Regions newer than moto's offering files: AWS opens new regions with current-generation types only,
// so they get the offerings of the newest region that has data (an estimate, recorded in SOURCES.md).
const proxy = NEW_REGION_OFFERINGS_PROXY;
const everywhere = offerings[proxy];
if (!everywhere) throw new Error(`proxy region ${proxy} has no offering data`);
for (const r of regions) {
  if (!offerings[r.regionName]) {
    offerings[r.regionName] = everywhere;
    estimatedOfferingRegions.push(r.regionName);
  }
}

// ---------------------------------------------------------------- write
const json = (x: unknown) => `${JSON.stringify(x, null, 1)}\n`;
writeFileSync(join(dataDir, "regions.json"), json(regions));
writeFileSync(join(dataDir, "instance-types.json"), json(instanceTypes));
writeFileSync(
  join(dataDir, "instance-type-offerings.json"),
  `${JSON.stringify(offerings, null, 0).replace(/\],/g, "],\n")}\n`,
);

// SOURCES.md: replace the generated section between the markers
const sourcesPath = join(dataDir, "SOURCES.md");
const begin = "<!-- derive-catalog:begin -->";
const end = "<!-- derive-catalog:end -->";
const fallbackLines = [...fallbackCommits].map(
  ([fam, c]) =>
    `- \`${fam}\`: no longer in moto HEAD's instance_types.json; taken (types and region offerings) from ${c}, the newest commit that still lists it.`,
);
const generated = [
  begin,
  `Derived by \`npx tsx packages/core/scripts/derive-catalog.ts <moto>\` from getmoto/moto commit`,
  `\`${head}\` (${headDate}).`,
  "",
  `- ${instanceTypes.length} instance types in ${FAMILIES.length} families: ${FAMILIES.map((f) => f.family).join(", ")}.`,
  ...fallbackLines,
  `- Prices (us-east-1 Linux on-demand, scripts/catalog-facts.ts): from the project's notes: ${instanceTypes
    .filter((t) => priceSource(t.instanceType) === "notes")
    .map((t) => t.instanceType)
    .join(", ")}; published values known to the author: ${instanceTypes
    .filter((t) => priceSource(t.instanceType) === "published")
    .map((t) => t.instanceType)
    .join(", ")}; every other size derived linearly from its family's anchor (vCPUs, or memory for t2/t3/t3a/t4g).`,
  `- ${regions.length} commercial regions (partition \`aws\` in moto/ssm/resources/regions.json).`,
  ...regions.map(
    (r) =>
      `  - ${r.regionName}: ${r.zones.length} AZs — ${regionZoneSource.get(r.regionName)}; t3.micro ${REGION_T3_MICRO_USD[r.regionName]!.usd} (${REGION_T3_MICRO_USD[r.regionName]!.confidence})`,
  ),
  ...pinnedNotes,
  estimatedOfferingRegions.length
    ? `- No offering data in moto for ${estimatedOfferingRegions.join(", ")}: they get the ${everywhere.length} catalog types of ${proxy}, the newest region with data (an estimate: new regions open with current-generation types).`
    : "- Every region has offering data.",
  end,
].join("\n");
const prev = existsSync(sourcesPath) ? readFileSync(sourcesPath, "utf8") : `${begin}\n${end}\n`;
const i = prev.indexOf(begin);
const j = prev.indexOf(end);
const next = i >= 0 && j > i ? prev.slice(0, i) + generated + prev.slice(j + end.length) : `${prev}\n${generated}\n`;
writeFileSync(sourcesPath, next);

console.log(
  `moto ${head.slice(0, 10)}: ${instanceTypes.length} types, ${regions.length} regions, offerings estimated for [${estimatedOfferingRegions.join(", ")}]`,
);
