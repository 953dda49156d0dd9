// biome-ignore-all lint/suspicious/noExplicitAny: cells read the EC2 API's items, which arrive untyped
/**
 * The columns of each view, and the rows a view shows: filtered (`/text`, over every cell) and
 * sorted (by a column, else in creation order so rows keep their place). Columns that do not fit
 * the terminal go first by `keep` (lowest first).
 */
import { fit, money, STATE_GLYPH, shortDuration } from "../format/units.ts";
import type { Sort, TableState } from "../state/ui.ts";
import type { BaseRow, ImageRow, InstanceRow, ResourceKind } from "./resources.ts";
import type { ViewSnapshot } from "./sandbox-view.ts";

export interface CellContext {
  now: number;
  snap: ViewSnapshot;
}

export interface Column {
  title: string;
  width: number;
  /** Lower goes first when space runs out. */
  keep: number;
  align?: "right";
  cell: (row: any, ctx: CellContext) => string;
  /** Sort key (the cell's text unless given). */
  sort?: (row: any, ctx: CellContext) => string | number;
  /** Colour the cell by the row's state. */
  stateColour?: boolean;
}

const age = (since: number, now: number) => (since > 0 ? shortDuration(now - since) : "–");
const cost = (r: BaseRow, { snap }: CellContext) => money(snap.costByResource[r.id] ?? 0);
const costSort = (r: BaseRow, { snap }: CellContext) => snap.costByResource[r.id] ?? 0;
const state = (glyph: boolean) => (r: BaseRow) =>
  r.state ? `${glyph ? `${STATE_GLYPH[r.state] ?? "·"} ` : ""}${r.state}` : "";

function shortName(name: string): string {
  if (name.startsWith("al2023-ami")) return "al2023";
  if (name.startsWith("amzn2-ami")) return "amzn2";
  if (name.includes("ubuntu-noble")) return "ubuntu24";
  if (name.includes("ubuntu-jammy")) return "ubuntu22";
  return name;
}

export const COLUMNS: Record<ResourceKind, Column[]> = {
  instances: [
    { title: "INSTANCE ID", width: 19, keep: 9, cell: (i: InstanceRow) => i.id },
    { title: "NAME", width: 8, keep: 4, cell: (i: InstanceRow) => i.name ?? "" },
    { title: "STATE", width: 11, keep: 9, cell: state(true), sort: (i: InstanceRow) => i.state, stateColour: true },
    { title: "TYPE", width: 9, keep: 8, cell: (i: InstanceRow) => i.type },
    { title: "AZ", width: 11, keep: 2, cell: (i: InstanceRow) => i.az },
    { title: "PUBLIC IP", width: 15, keep: 6, cell: (i: InstanceRow) => i.publicIp ?? "–" },
    {
      title: "AMI",
      width: 24,
      keep: 0,
      cell: (i: InstanceRow, { snap }) =>
        `${i.imageId.slice(0, 12)}… ${shortName(snap.images.find((x) => x.id === i.imageId)?.name ?? snap.imageNames[i.imageId] ?? "")}`,
    },
    {
      title: "UP",
      width: 5,
      keep: 5,
      align: "right",
      cell: (i: InstanceRow, { now }) =>
        i.state === "running" || i.state === "pending" ? shortDuration(now - i.launchTime) : "–",
      sort: (i: InstanceRow) => -i.launchTime,
    },
    { title: "COST", width: 7, keep: 3, align: "right", cell: cost, sort: costSort },
  ],
  images: [
    { title: "IMAGE ID", width: 21, keep: 9, cell: (i: ImageRow) => i.id },
    { title: "NAME", width: 20, keep: 8, cell: (i: ImageRow) => i.name },
    { title: "STATE", width: 11, keep: 7, cell: state(false), stateColour: true },
    { title: "REGION", width: 14, keep: 6, cell: (i: ImageRow) => i.region },
    {
      title: "FROM",
      width: 21,
      keep: 3,
      cell: (i: ImageRow) => i.sourceInstanceId ?? (i.sourceImageId ? `copy of ${i.sourceImageId}` : ""),
    },
    { title: "AGE", width: 5, keep: 2, align: "right", cell: (i: ImageRow, { now }) => age(i.created, now) },
    { title: "COST", width: 7, keep: 1, align: "right", cell: cost, sort: costSort },
  ],
  volumes: [
    { title: "VOLUME ID", width: 21, keep: 9, cell: (v) => v.id },
    { title: "NAME", width: 8, keep: 2, cell: (v) => v.name ?? "" },
    { title: "STATE", width: 9, keep: 8, cell: state(false), stateColour: true },
    { title: "SIZE", width: 7, keep: 7, align: "right", cell: (v) => `${v.raw.Size} GiB`, sort: (v) => v.raw.Size },
    { title: "TYPE", width: 5, keep: 6, cell: (v) => v.raw.VolumeType ?? "" },
    { title: "AZ", width: 11, keep: 5, cell: (v) => v.raw.AvailabilityZone ?? "" },
    {
      title: "ATTACHED TO",
      width: 26,
      keep: 4,
      cell: (v) => (v.raw.Attachments ?? []).map((a: any) => `${a.InstanceId} ${a.Device}`).join(", "),
    },
    { title: "COST", width: 7, keep: 3, align: "right", cell: cost, sort: costSort },
  ],
  snapshots: [
    { title: "SNAPSHOT ID", width: 22, keep: 9, cell: (s) => s.id },
    { title: "STATE", width: 9, keep: 8, cell: state(false), stateColour: true },
    { title: "PROGRESS", width: 8, keep: 4, align: "right", cell: (s) => s.raw.Progress ?? "" },
    { title: "VOLUME", width: 21, keep: 6, cell: (s) => s.raw.VolumeId ?? "" },
    {
      title: "SIZE",
      width: 7,
      keep: 5,
      align: "right",
      cell: (s) => `${s.raw.VolumeSize} GiB`,
      sort: (s) => s.raw.VolumeSize,
    },
    { title: "DESCRIPTION", width: 24, keep: 1, cell: (s) => s.raw.Description ?? "" },
    { title: "AGE", width: 5, keep: 3, align: "right", cell: (s, { now }) => age(s.created, now) },
    { title: "COST", width: 7, keep: 2, align: "right", cell: cost, sort: costSort },
  ],
  securityGroups: [
    { title: "GROUP ID", width: 20, keep: 9, cell: (g) => g.id },
    { title: "NAME", width: 16, keep: 8, cell: (g) => g.name ?? "" },
    { title: "VPC", width: 21, keep: 3, cell: (g) => g.raw.VpcId ?? "" },
    { title: "REGION", width: 14, keep: 5, cell: (g) => g.region },
    {
      title: "INBOUND",
      width: 30,
      keep: 6,
      cell: (g) =>
        (g.raw.IpPermissions ?? [])
          .map((p: any) => {
            const ports =
              p.IpProtocol === "-1"
                ? "all"
                : `${p.IpProtocol}/${p.FromPort === p.ToPort ? p.FromPort : `${p.FromPort}-${p.ToPort}`}`;
            const from = [
              ...(p.IpRanges ?? []).map((r: any) => r.CidrIp),
              ...(p.UserIdGroupPairs ?? []).map((u: any) => u.GroupId),
            ];
            return `${ports} ${from.join(" ")}`;
          })
          .join(", ") || "(none)",
    },
  ],
  keyPairs: [
    { title: "KEY PAIR ID", width: 21, keep: 7, cell: (k) => k.id },
    { title: "NAME", width: 16, keep: 9, cell: (k) => k.name ?? "" },
    { title: "TYPE", width: 7, keep: 4, cell: (k) => k.raw.KeyType ?? "" },
    { title: "REGION", width: 14, keep: 6, cell: (k) => k.region },
    { title: "FINGERPRINT", width: 30, keep: 2, cell: (k) => k.raw.KeyFingerprint ?? "" },
  ],
  vpcs: [
    { title: "VPC ID", width: 21, keep: 9, cell: (v) => v.id },
    { title: "NAME", width: 10, keep: 4, cell: (v) => v.name ?? "" },
    { title: "CIDR", width: 18, keep: 8, cell: (v) => v.raw.CidrBlock ?? "" },
    { title: "STATE", width: 9, keep: 5, cell: state(false), stateColour: true },
    { title: "DEFAULT", width: 7, keep: 3, cell: (v) => (v.raw.IsDefault ? "yes" : "") },
    { title: "REGION", width: 14, keep: 7, cell: (v) => v.region },
  ],
  subnets: [
    { title: "SUBNET ID", width: 24, keep: 9, cell: (s) => s.id },
    { title: "NAME", width: 10, keep: 3, cell: (s) => s.name ?? "" },
    { title: "VPC", width: 21, keep: 5, cell: (s) => s.raw.VpcId ?? "" },
    { title: "CIDR", width: 18, keep: 8, cell: (s) => s.raw.CidrBlock ?? "" },
    { title: "AZ", width: 12, keep: 7, cell: (s) => s.raw.AvailabilityZone ?? "" },
    {
      title: "FREE IPS",
      width: 8,
      keep: 4,
      align: "right",
      cell: (s) => String(s.raw.AvailableIpAddressCount ?? ""),
      sort: (s) => s.raw.AvailableIpAddressCount ?? 0,
    },
    { title: "DEFAULT", width: 7, keep: 2, cell: (s) => (s.raw.DefaultForAz ? "yes" : "") },
  ],
};

/** The columns of `kind` that fit `width`, dropping the least needed first. */
export function columnsFor(kind: ResourceKind, width: number): Column[] {
  let cols = [...COLUMNS[kind]];
  const total = (cs: Column[]) => cs.reduce((a, c) => a + c.width + 1, -1);
  while (total(cols) > width && cols.length > 2) {
    const drop = cols.reduce((m, c) => (c.keep < m.keep ? c : m));
    cols = cols.filter((c) => c !== drop);
  }
  // give what is left over to the widest text column (names, descriptions)
  const spare = width - total(cols);
  const grow = cols.find((c) => c.title === "NAME" || c.title === "DESCRIPTION" || c.title === "INBOUND");
  if (spare > 0 && grow) cols = cols.map((c) => (c === grow ? { ...c, width: c.width + Math.min(spare, 24) } : c));
  return cols;
}

/** One row's cells, fitted. */
export function rowCells(row: BaseRow, cols: Column[], ctx: CellContext): string[] {
  return cols.map((c) => fit(c.cell(row, ctx), c.width, c.align));
}

const searchTexts = new WeakMap<BaseRow, string>();

/** What `/text` matches against: every column's cell (and the region), lower-cased, once per row version. */
function searchText(row: BaseRow, kind: ResourceKind, ctx: CellContext): string {
  let t = searchTexts.get(row);
  if (t === undefined) {
    t = `${COLUMNS[kind].map((c) => c.cell(row, ctx)).join(" ")} ${row.region} ${row.name ?? ""}`.toLowerCase();
    searchTexts.set(row, t);
  }
  return t;
}

/** The rows a view shows: filtered by `/text` (every word must appear), sorted by a column or by creation. */
export function visibleRows(
  rows: readonly BaseRow[],
  t: Pick<TableState, "kind" | "filter" | "sort">,
  ctx: CellContext,
): BaseRow[] {
  let out: BaseRow[] = rows as BaseRow[];
  const words = t.filter.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length) out = out.filter((r) => words.every((w) => searchText(r, t.kind, ctx).includes(w)));
  if (t.sort) out = sortRows(out, t.kind, t.sort, ctx);
  return out;
}

function sortRows(rows: BaseRow[], kind: ResourceKind, sort: Sort, ctx: CellContext): BaseRow[] {
  const col = COLUMNS[kind].find((c) => c.title === sort.column);
  if (!col) return rows;
  const key = (r: BaseRow) => (col.sort ? col.sort(r, ctx) : col.cell(r, ctx));
  const keyed = rows.map((r, i) => ({ r, i, k: key(r) }));
  keyed.sort((a, b) => {
    const d = typeof a.k === "number" && typeof b.k === "number" ? a.k - b.k : String(a.k).localeCompare(String(b.k));
    return (sort.desc ? -d : d) || a.i - b.i;
  });
  return keyed.map((x) => x.r);
}
