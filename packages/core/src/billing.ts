/**
 * The bill (R22, R23): per-second instance usage with a one-minute minimum each time an instance
 * starts, Marketplace software charges, EBS GB-months, snapshot GB-months of the blocks each
 * snapshot stores, S3 GB-months for instance-store bundles, public IPv4 hours, and NAT gateway hours
 * and GB processed. A pure function
 * of the state and a moment, so the REPL can chart it and tests can check it to the second.
 */

import { releasedAddresses } from "./addresses.ts";
import { regionByName, STORAGE_PRICES } from "./catalog-data.ts";
import { BLOCK_BYTES } from "./guest/fs.ts";
import { hourlyPrice, requireInstanceType } from "./instance-types.ts";
import { forgottenInstances } from "./instances.ts";
import type { BilledInstance, BilledSnapshot, BilledVolume, NatGateway, Tags } from "./model.ts";
import type { SandboxState } from "./state.ts";
import { billedSnapshot, deletedSnapshots, deletedVolumes } from "./volumes.ts";

/** AWS prorates GB-month storage by the second over a 30-day month. */
export const SECONDS_PER_MONTH = 30 * 86_400;
const GIB = 1024 ** 3;

export type CostKind = "instance" | "software" | "ebs" | "snapshot" | "s3" | "ipv4" | "nat";

export interface CostLine {
  accountId: string;
  region: string;
  resourceId: string;
  kind: CostKind;
  /** Seconds billed (instance, software, ipv4), GB-months (storage), hours or GB (NAT gateways). */
  quantity: number;
  unit: "seconds" | "GB-month" | "hours" | "GB";
  usd: number;
  detail: string;
  tags: Record<string, string>;
}

export interface CostReport {
  at: number;
  lines: CostLine[];
  total: number;
  byAccount: Record<string, number>;
  byResource: Record<string, number>;
  byKind: Record<CostKind, number>;
  /** Totals per `key=value` tag. */
  byTag: Record<string, number>;
}

/** R22: seconds billed for one run: at least 60, then to the second. */
export function billedSeconds(start: number, end: number): number {
  const s = Math.floor(Math.max(0, end - start) / 1000);
  return Math.max(60, s);
}

const tagObj = (t: Tags) => Object.fromEntries(t);
const factor = (region: string) => regionByName(region)?.priceFactor ?? 1;

function instanceLines(i: BilledInstance, now: number, out: CostLine[]): void {
  let seconds = 0,
    usd = 0,
    ipSeconds = 0;
  const details: string[] = [];
  for (const run of i.runs) {
    const end = Math.min(run.end ?? now, now);
    if (run.start > now) continue;
    const s = billedSeconds(run.start, end);
    seconds += s;
    // A Spot Instance pays its request's price (spot.ts), an On-Demand one its type's.
    usd += (s / 3600) * (i.spot?.hourlyPrice ?? hourlyPrice(requireInstanceType(run.instanceType), i.region));
    details.push(`${run.instanceType} ${s}s`);
    if (run.publicIp) ipSeconds += Math.floor(Math.max(0, end - run.start) / 1000);
  }
  if (seconds === 0) return;
  const tags = tagObj(i.tags);
  out.push({
    accountId: i.ownerId,
    region: i.region,
    resourceId: i.instanceId,
    kind: "instance",
    quantity: seconds,
    unit: "seconds",
    usd,
    detail: details.join(", "),
    tags,
  });
  if (i.softwareUsdPerHour > 0) {
    out.push({
      accountId: i.ownerId,
      region: i.region,
      resourceId: i.instanceId,
      kind: "software",
      quantity: seconds,
      unit: "seconds",
      usd: (seconds / 3600) * i.softwareUsdPerHour,
      detail: `Marketplace ${i.productCodes.map((p) => p.productCodeId).join(",")} at $${i.softwareUsdPerHour}/h`,
      tags,
    });
  }
  if (ipSeconds > 0) {
    out.push({
      accountId: i.ownerId,
      region: i.region,
      resourceId: i.instanceId,
      kind: "ipv4",
      quantity: ipSeconds,
      unit: "seconds",
      usd: (ipSeconds / 3600) * STORAGE_PRICES.publicIpv4PerHour,
      detail: "public IPv4 address",
      tags,
    });
  }
}

/**
 * A NAT gateway bills every hour, or part of one, from its creation until it is deleted (a failed
 * one bills nothing), and every GB it processes.
 */
function natLines(n: NatGateway, now: number, out: CostLine[]): void {
  if (n.failure) return;
  const end = Math.min(n.deleteTime ?? now, now);
  const hours = Math.ceil(Math.max(0, end - n.createTime) / 3_600_000);
  const tags = tagObj(n.tags);
  const base = { accountId: n.ownerId, region: n.region, resourceId: n.natGatewayId, kind: "nat" as const, tags };
  if (hours > 0)
    out.push({
      ...base,
      quantity: hours,
      unit: "hours",
      usd: hours * STORAGE_PRICES.natGatewayPerHour * factor(n.region),
      detail: `NAT gateway hours (${n.connectivityType})`,
    });
  if (n.bytesProcessed > 0) {
    const gb = n.bytesProcessed / GIB;
    out.push({
      ...base,
      quantity: gb,
      unit: "GB",
      usd: gb * STORAGE_PRICES.natGatewayPerGb * factor(n.region),
      detail: `${gb.toFixed(3)} GB processed`,
    });
  }
}

const gbMonths = (bytes: number, from: number, to: number) =>
  (bytes / GIB) * (Math.max(0, to - from) / 1000 / SECONDS_PER_MONTH);

function volumeLine(v: BilledVolume, now: number, out: CostLine[]): void {
  const q = gbMonths(v.size * GIB, v.createTime, Math.min(v.deletedAt ?? now, now));
  const price = (STORAGE_PRICES.ebs as Record<string, number>)[v.volumeType] ?? STORAGE_PRICES.ebs.gp2;
  if (q > 0)
    out.push({
      accountId: v.ownerId,
      region: v.region,
      resourceId: v.volumeId,
      kind: "ebs",
      quantity: q,
      unit: "GB-month",
      usd: q * price * factor(v.region),
      detail: `${v.size} GiB ${v.volumeType}`,
      tags: tagObj(v.tags),
    });
}

function snapshotLine(s: BilledSnapshot, now: number, out: CostLine[]): void {
  const bytes = s.storedBlockCount * BLOCK_BYTES;
  const q = gbMonths(bytes, s.startTime, Math.min(s.deletedAt ?? now, now));
  if (q > 0)
    out.push({
      accountId: s.ownerId,
      region: s.region,
      resourceId: s.snapshotId,
      kind: "snapshot",
      quantity: q,
      unit: "GB-month",
      usd: q * STORAGE_PRICES.snapshot * factor(s.region),
      detail: `${(bytes / GIB).toFixed(3)} GiB stored${s.parentSnapshotId ? ` (incremental on ${s.parentSnapshotId})` : " (full)"}`,
      tags: tagObj(s.tags),
    });
}

export function costReport(state: SandboxState, now = state.now, accountId?: string): CostReport {
  const lines: CostLine[] = [];
  for (const r of state.regions.values()) {
    for (const i of r.instances.values()) instanceLines(i, now, lines);
    for (const i of forgottenInstances(r)) instanceLines(i, now, lines);
    for (const v of r.volumes.values()) volumeLine(v, now, lines);
    for (const v of deletedVolumes(r)) volumeLine(v, now, lines);
    for (const s of r.snapshots.values()) snapshotLine(billedSnapshot(s), now, lines);
    for (const s of deletedSnapshots(r)) snapshotLine(s, now, lines);
    for (const img of r.images.values()) {
      // R23: instance-store AMIs keep their whole bundle in S3, each one in full — deregistered ones
      // too, until now: deregistering does not delete the bundle from the bucket, so it still bills.
      if (!img.bundle) continue;
      const q = gbMonths(img.bundle.sizeBytes, img.creationDate, now);
      if (q > 0)
        lines.push({
          accountId: img.ownerId,
          region: img.region,
          resourceId: img.imageId,
          kind: "s3",
          quantity: q,
          unit: "GB-month",
          usd: q * STORAGE_PRICES.s3Standard * factor(img.region),
          detail: `bundle ${img.bundle.manifest} ${(img.bundle.sizeBytes / GIB).toFixed(2)} GiB`,
          tags: tagObj(img.tags),
        });
    }
    for (const n of r.natGateways.values()) natLines(n, now, lines);
    for (const a of [...r.addresses.values(), ...releasedAddresses(r)]) {
      const s = Math.floor(Math.max(0, Math.min(a.releasedAt ?? now, now) - a.allocatedAt) / 1000);
      if (s > 0)
        lines.push({
          accountId: a.ownerId,
          region: a.region,
          resourceId: a.allocationId,
          kind: "ipv4",
          quantity: s,
          unit: "seconds",
          usd: (s / 3600) * STORAGE_PRICES.publicIpv4PerHour,
          detail: `Elastic IP ${a.publicIp}`,
          tags: tagObj(a.tags),
        });
    }
  }
  const mine = accountId ? lines.filter((l) => l.accountId === accountId) : lines;
  const report: CostReport = {
    at: now,
    lines: mine,
    total: 0,
    byAccount: {},
    byResource: {},
    byKind: { instance: 0, software: 0, ebs: 0, snapshot: 0, s3: 0, ipv4: 0, nat: 0 },
    byTag: {},
  };
  for (const l of mine) {
    report.total += l.usd;
    report.byAccount[l.accountId] = (report.byAccount[l.accountId] ?? 0) + l.usd;
    report.byResource[l.resourceId] = (report.byResource[l.resourceId] ?? 0) + l.usd;
    report.byKind[l.kind] += l.usd;
    for (const [k, v] of Object.entries(l.tags)) report.byTag[`${k}=${v}`] = (report.byTag[`${k}=${v}`] ?? 0) + l.usd;
  }
  return report;
}
