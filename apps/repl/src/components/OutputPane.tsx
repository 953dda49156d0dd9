/** @jsxRuntime automatic */
/** @jsxImportSource react */
import { Box, Text } from "ink";
import type { OutLine } from "../commands/run.ts";
import { cutToWidth } from "../format/units.ts";

/**
 * Splits lines at newlines and at the pane's width in terminal columns (tabs as 4 spaces; a wide
 * character never straddles the edge), so each piece is one row and heights are exact.
 */
export function wrapAll(lines: readonly OutLine[], width: number): OutLine[] {
  const out: OutLine[] = [];
  for (const l of lines) {
    for (const raw of l.text.split("\n")) {
      let part = raw.replace(/\t/g, "    ");
      if (!part) out.push({ ...l, text: "" });
      while (part) {
        const piece = cutToWidth(part, width) || [...part][0]!; // a wide character in a 1-column pane
        out.push({ ...l, text: piece });
        part = part.slice(piece.length);
      }
    }
  }
  return out;
}

/** How a line of output is drawn: its style, cut at the pane's edge (never wrapped into a second row). */
export const lineStyle = (l: OutLine) =>
  ({
    wrap: "truncate-end",
    dimColor: l.dim ?? false,
    bold: l.bold ?? false,
    ...(l.color ? { color: l.color } : {}),
  }) as const;

/**
 * The rows of output that fit `keepLast`, ending `back` rows before the newest (scrollback), and
 * how many rows there are in all. Only the lines needed are wrapped.
 */
export function wrapLines(
  lines: readonly OutLine[],
  width: number,
  keepLast: number,
  back = 0,
): OutLine[] & { total?: number } {
  const out: OutLine[] = [];
  const need = keepLast + back;
  for (let i = lines.length - 1; i >= 0 && out.length < need; i--) {
    const pieces = wrapAll([lines[i]!], width);
    for (let j = pieces.length - 1; j >= 0 && out.length < need; j--) out.push(pieces[j]!);
  }
  out.reverse();
  return out.slice(0, Math.max(0, out.length - back)).slice(-keepLast);
}

/** The newest lines of output that fit `height` rows, or older ones when scrolled back. */
export function OutputPane({
  lines,
  height,
  width,
  back = 0,
}: {
  lines: readonly OutLine[];
  height: number;
  width: number;
  back?: number;
}) {
  if (height <= 0) return null;
  const shown = wrapLines(lines, Math.max(10, width), back ? height - 1 : height, back);
  return (
    <Box flexDirection="column" height={height} justifyContent="flex-end">
      {shown.map((l, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: output lines are positional; the newest are shown
        <Text key={i} {...lineStyle(l)}>
          {l.text || " "}
        </Text>
      ))}
      {back ? (
        <Text inverse wrap="truncate-end">
          {` ↑ scrolled back ${back} line${back === 1 ? "" : "s"} · PgDn returns `.slice(0, width)}
        </Text>
      ) : null}
    </Box>
  );
}
