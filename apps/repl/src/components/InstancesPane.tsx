/** @jsxRuntime automatic */
/** @jsxImportSource react */
import { Box, Text } from "ink";
import { fit, money, STATE_GLYPH, shortDuration, stateColor } from "../format/units.ts";
import type { InstanceRow, ViewSnapshot } from "../view/sandbox-view.ts";

interface Column {
  title: string;
  width: number;
  /** Lower goes first when space runs out. */
  keep: number;
  align?: "right";
  cell: (i: InstanceRow, ctx: { now: number; snap: ViewSnapshot }) => string;
}

const COLUMNS: Column[] = [
  { title: "INSTANCE ID", width: 19, keep: 9, cell: (i) => i.id },
  { title: "NAME", width: 8, keep: 4, cell: (i) => i.name ?? "" },
  { title: "STATE", width: 11, keep: 9, cell: (i) => `${STATE_GLYPH[i.state] ?? "·"} ${i.state}` },
  { title: "TYPE", width: 9, keep: 8, cell: (i) => i.type },
  { title: "AZ", width: 10, keep: 1, cell: (i) => i.az },
  { title: "PUBLIC IP", width: 15, keep: 6, cell: (i) => i.publicIp ?? "–" },
  {
    title: "AMI",
    width: 24,
    keep: 0,
    cell: (i, { snap }) =>
      `${i.imageId.slice(0, 12)}… ${shortName(snap.images.find((x) => x.id === i.imageId)?.name ?? snap.imageNames[i.imageId] ?? "")}`,
  },
  {
    title: "UP",
    width: 5,
    keep: 5,
    align: "right",
    cell: (i, { now }) => (i.state === "running" || i.state === "pending" ? shortDuration(now - i.launchTime) : "–"),
  },
  { title: "COST", width: 7, keep: 3, align: "right", cell: (i, { snap }) => money(snap.costByResource[i.id] ?? 0) },
];

function shortName(name: string): string {
  if (name.startsWith("al2023-ami")) return "al2023";
  if (name.startsWith("amzn2-ami")) return "amzn2";
  if (name.includes("ubuntu-noble")) return "ubuntu24";
  if (name.includes("ubuntu-jammy")) return "ubuntu22";
  return name;
}

/** The columns that fit `width`, dropping the least needed first. */
export function columnsFor(width: number): Column[] {
  let cols = [...COLUMNS];
  const total = (cs: Column[]) => cs.reduce((a, c) => a + c.width + 1, -1);
  while (total(cols) > width && cols.length > 3) {
    const drop = cols.reduce((m, c) => (c.keep < m.keep ? c : m));
    cols = cols.filter((c) => c !== drop);
  }
  return cols;
}

/** Which instances to show in `rows` lines: the live ones first, newest last. */
export function visibleInstances(all: readonly InstanceRow[], rows: number): { shown: InstanceRow[]; hidden: number } {
  if (all.length <= rows) return { shown: [...all], hidden: 0 };
  const live = all.filter((i) => i.state !== "terminated");
  const pool =
    live.length >= rows ? live : [...all.filter((i) => i.state === "terminated").slice(-(rows - live.length)), ...live];
  const shown = pool.slice(-(rows - 1));
  return { shown, hidden: all.length - shown.length };
}

/** The live instances table: the home screen. */
export function InstancesPane({
  snap,
  now,
  width,
  rows,
}: {
  snap: ViewSnapshot;
  now: number;
  width: number;
  rows: number;
}) {
  const cols = columnsFor(width);
  if (!snap.instances.length) {
    return <Text dimColor>No instances yet. Try: launch al2023 t3.micro (? for help, Tab completes)</Text>;
  }
  const { shown, hidden } = visibleInstances(snap.instances, rows);
  const counts: Record<string, number> = {};
  if (hidden) for (const i of snap.instances) counts[i.state] = (counts[i.state] ?? 0) + 1;
  return (
    <Box flexDirection="column">
      <Text bold>{cols.map((c) => fit(c.title, c.width, c.align)).join(" ")}</Text>
      {shown.map((i) => (
        <Text key={i.id}>
          {cols.map((c, n) => {
            const text = fit(c.cell(i, { now, snap }), c.width, c.align);
            const sep = n < cols.length - 1 ? " " : "";
            return c.title === "STATE" ? (
              <Text key={c.title} color={stateColor(i.state)}>
                {text}
                {sep}
              </Text>
            ) : (
              <Text key={c.title}>
                {text}
                {sep}
              </Text>
            );
          })}
        </Text>
      ))}
      {hidden ? (
        <Text dimColor>
          … {hidden} more (
          {Object.entries(counts)
            .map(([s, n]) => `${n} ${s}`)
            .join(", ")}
          ): instances lists them all
        </Text>
      ) : null}
    </Box>
  );
}
