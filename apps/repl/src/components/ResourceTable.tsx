/** @jsxRuntime automatic */
/** @jsxImportSource react */
/**
 * A view's table: the header (the sorted column marked ▲/▼), the rows that fit, the cursor's row
 * in inverse when the view has the focus, and a line saying what is above and below.
 */
import { Box, Text } from "ink";
import { memo } from "react";
import { fit, stateColor } from "../format/units.ts";
import type { TableState } from "../state/ui.ts";
import { type CellContext, type Column, rowCells } from "../view/columns.ts";
import { KINDS } from "../view/resources.ts";
import type { BaseRow } from "../view/sandbox-view.ts";

export interface ResourceTableProps {
  table: TableState;
  columns: Column[];
  /** The rows to show, filtered and sorted. */
  rows: readonly BaseRow[];
  /** All rows of the kind (for the counts). */
  total: number;
  start: number;
  height: number;
  width: number;
  focused: boolean;
  loaded: boolean;
  ctx: CellContext;
}

export function ResourceTable(p: ResourceTableProps) {
  const { table, columns, rows, width } = p;
  const spec = KINDS[table.kind];
  if (!p.loaded)
    return (
      <Text dimColor wrap="truncate-end">
        {fit(`${spec.title}: reading every region…`, width)}
      </Text>
    );
  if (!p.total) {
    const empty =
      table.kind === "instances"
        ? "No instances yet. Try: launch al2023 t3.micro (? for help, Tab completes)"
        : `No ${spec.title.replace(/ \(yours\)$/, "").toLowerCase()} (:instances goes back)`;
    return (
      <Text dimColor wrap="truncate-end">
        {fit(empty, width)}
      </Text>
    );
  }
  const bodyRows = Math.max(1, p.height - 2);
  const shown = rows.slice(p.start, p.start + bodyRows);
  const header = columns
    .map((c) => {
      const mark = table.sort?.column === c.title ? (table.sort.desc ? "▼" : "▲") : "";
      return fit(`${c.title}${mark}`, c.width, c.align);
    })
    .join(" ");
  const colourAt = columns.findIndex((c) => c.stateColour);
  const above = p.start;
  const below = Math.max(0, rows.length - p.start - shown.length);
  const filtered = table.filter ? ` matching /${table.filter}` : "";
  const status =
    rows.length === 0
      ? `nothing${filtered} (of ${p.total}) — Esc then / changes the filter`
      : `${rows.length}${filtered ? ` of ${p.total}` : ""} ${spec.title.toLowerCase()}${filtered}${above ? ` · ${above} above` : ""}${below ? ` · ${below} below` : ""}${p.focused ? "" : " · Esc: keys"}`;
  return (
    <Box flexDirection="column">
      <Text bold wrap="truncate-end">
        {fit(header, width)}
      </Text>
      {shown.map((r) => {
        const cells = rowCells(r, columns, p.ctx);
        const selected = p.focused && r.id === table.cursorId;
        return (
          <Row
            key={r.id}
            cells={cells}
            colourAt={colourAt}
            colour={r.state ? stateColor(r.state) : undefined}
            selected={selected}
            width={width}
          />
        );
      })}
      <Text dimColor wrap="truncate-end">
        {fit(status, width)}
      </Text>
    </Box>
  );
}

interface RowProps {
  cells: readonly string[];
  /** The cell drawn in the state's colour (-1: none). */
  colourAt: number;
  colour: string | undefined;
  selected: boolean;
  width: number;
}

/**
 * One row: three text runs (before the state cell, the state in its colour, after it), not one
 * per cell, and drawn again only when a cell's text changes — the seconds clock redraws the frame
 * once a second, and most rows print the same.
 */
const Row = memo(
  function Row({ cells, colourAt, colour, selected, width }: RowProps) {
    if (selected)
      return (
        <Text inverse wrap="truncate-end">
          {fit(cells.join(" "), width)}
        </Text>
      );
    if (colourAt < 0 || !colour) return <Text wrap="truncate-end">{cells.join(" ")}</Text>;
    const head = cells
      .slice(0, colourAt)
      .map((c) => `${c} `)
      .join("");
    const tail = cells
      .slice(colourAt + 1)
      .map((c) => ` ${c}`)
      .join("");
    return (
      <Text wrap="truncate-end">
        {head}
        <Text color={colour}>{cells[colourAt]}</Text>
        {tail}
      </Text>
    );
  },
  (a, b) =>
    a.selected === b.selected &&
    a.width === b.width &&
    a.colour === b.colour &&
    a.colourAt === b.colourAt &&
    a.cells.length === b.cells.length &&
    a.cells.every((c, i) => c === b.cells[i]),
);
