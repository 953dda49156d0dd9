/** @jsxRuntime automatic */
/** @jsxImportSource react */
import { Box, Text } from "ink";
import type { OutLine } from "../commands/run.ts";

/** Splits lines at newlines and at the pane's width, so the pane's height is exact. */
export function wrapLines(lines: readonly OutLine[], width: number, keepLast: number): OutLine[] {
  const out: OutLine[] = [];
  for (let i = lines.length - 1; i >= 0 && out.length < keepLast; i--) {
    const l = lines[i]!;
    const pieces: string[] = [];
    for (const part of l.text.split("\n")) {
      const chars = [...part.replace(/\t/g, "    ")];
      if (!chars.length) pieces.push("");
      for (let j = 0; j < chars.length; j += width) pieces.push(chars.slice(j, j + width).join(""));
    }
    for (let j = pieces.length - 1; j >= 0 && out.length < keepLast; j--) out.push({ ...l, text: pieces[j]! });
  }
  return out.reverse();
}

/** The newest lines of output that fit `height` rows. */
export function OutputPane({ lines, height, width }: { lines: readonly OutLine[]; height: number; width: number }) {
  if (height <= 0) return null;
  const shown = wrapLines(lines, Math.max(10, width), height);
  return (
    <Box flexDirection="column" height={height} justifyContent="flex-end">
      {shown.map((l, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: output lines are positional; the newest are shown
        <Text key={i} {...(l.color ? { color: l.color } : {})} dimColor={l.dim ?? false} bold={l.bold ?? false}>
          {l.text || " "}
        </Text>
      ))}
    </Box>
  );
}
