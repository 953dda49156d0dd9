/** @jsxRuntime automatic */
/** @jsxImportSource react */
import { Box, Text } from "ink";
import type { Candidate } from "../commands/complete.ts";
import { fit } from "../format/units.ts";
import type { EditorState } from "../state/line-editor.ts";

/** Completion candidates under the prompt, each with its description. */
export function Completions({
  candidates,
  rows,
  width,
}: {
  candidates: readonly Candidate[];
  rows: number;
  width: number;
}) {
  if (!candidates.length || rows <= 0) return null;
  const shown = candidates.slice(0, rows - (candidates.length > rows ? 1 : 0));
  const w = Math.min(40, Math.max(...shown.map((c) => c.value.length)) + 2);
  return (
    <Box flexDirection="column">
      {shown.map((c) => (
        <Text key={c.value}>
          {"   "}
          <Text color="cyan">{fit(c.value, w)}</Text>
          <Text dimColor>{fit(c.description ?? "", Math.max(0, width - w - 4))}</Text>
        </Text>
      ))}
      {candidates.length > shown.length ? (
        <Text dimColor>
          {"   "}… {candidates.length - shown.length} more: type more letters
        </Text>
      ) : null}
    </Box>
  );
}

/** The input line with its cursor (or the reverse search). */
export function Prompt({
  editor,
  prompt,
  busy,
  width,
}: {
  editor: EditorState;
  prompt: string;
  busy: boolean;
  width: number;
}) {
  if (editor.search) {
    return (
      <Text>
        <Text color="magenta">(reverse-i-search)'{editor.search.term}': </Text>
        {editor.search.match}
      </Text>
    );
  }
  const { line, cursor } = editor;
  // keep the cursor in view on long lines
  const room = Math.max(10, width - prompt.length - 2);
  const offset = Math.max(0, cursor - room + 1);
  const visible = line.slice(offset, offset + room);
  const c = cursor - offset;
  return (
    <Text>
      <Text color={busy ? "gray" : "green"} bold>
        {prompt}
      </Text>
      {visible.slice(0, c)}
      <Text inverse>{visible[c] ?? " "}</Text>
      {visible.slice(c + 1)}
      {busy ? <Text dimColor> …</Text> : null}
    </Text>
  );
}
