/** @jsxRuntime automatic */
/** @jsxImportSource react */
/** A scrollable page of lines (the describe view, the keys): a title, the lines that fit, where you are. */
import { Box, Text } from "ink";
import type { OutLine } from "../commands/run.ts";
import { fit } from "../format/units.ts";
import { lineStyle, wrapAll } from "./OutputPane.tsx";

export function Pager({
  title,
  lines,
  scroll,
  height,
  width,
}: {
  title: string;
  lines: readonly OutLine[];
  scroll: number;
  height: number;
  width: number;
}) {
  const wrapped = wrapAll(lines, width);
  const body = Math.max(1, height - 2);
  const max = Math.max(0, wrapped.length - body);
  const at = Math.min(scroll, max);
  const shown = wrapped.slice(at, at + body);
  const where = wrapped.length > body ? ` · lines ${at + 1}-${at + shown.length} of ${wrapped.length}` : "";
  return (
    <Box flexDirection="column" height={height}>
      <Text inverse wrap="truncate-end">
        {fit(` ${title}${where}`, width)}
      </Text>
      {shown.map((l, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: lines of a page are positional
        <Text key={i} {...lineStyle(l)}>
          {l.text || " "}
        </Text>
      ))}
      <Box flexGrow={1} />
      <Text dimColor wrap="truncate-end">
        {fit("↑/↓ PgUp/PgDn scroll · Home/End · Esc or q closes", width)}
      </Text>
    </Box>
  );
}
