/** @jsxRuntime automatic */
/** @jsxImportSource react */
import { Box, Text } from "ink";
import { bar, fit } from "../format/units.ts";
import type { PendingWork } from "../view/sandbox-view.ts";

const VERB: Record<PendingWork["kind"], string> = {
  boot: "booting",
  stop: "stopping",
  shutdown: "shutting down",
  image: "imaging",
  copy: "copying",
  snapshot: "snapshot",
};

/** Progress of work that takes simulated time: boots, images, copies — in `rows` rows, the last saying how many more. */
export function PendingPane({
  pending,
  now,
  width,
  rows,
}: {
  pending: readonly PendingWork[];
  now: number;
  width: number;
  rows: number;
}) {
  if (!pending.length || rows <= 0) return null;
  const shown = pending.slice(0, pending.length > rows ? rows - 1 : rows);
  const barW = 12;
  return (
    <Box flexDirection="column">
      {shown.map((p) => {
        const frac = p.end && p.end > p.start ? (now - p.start) / (p.end - p.start) : undefined;
        const pct =
          frac === undefined ? "  …" : `${String(Math.min(99, Math.max(0, Math.floor(frac * 100)))).padStart(3)}%`;
        const label = fit(`${VERB[p.kind]} ${p.id} ${p.label === p.id ? "" : p.label}`, Math.max(10, width - barW - 8));
        return (
          <Text key={p.id} color="yellow" wrap="truncate-end">
            {label} {frac === undefined ? "░".repeat(barW) : bar(frac, barW)} {pct}
          </Text>
        );
      })}
      {pending.length > shown.length ? (
        <Text dimColor wrap="truncate-end">
          … {pending.length - shown.length} more in progress
        </Text>
      ) : null}
    </Box>
  );
}
