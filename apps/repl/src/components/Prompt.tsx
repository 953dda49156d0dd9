/** @jsxRuntime automatic */
/** @jsxImportSource react */
import { Box, Text } from "ink";
import type { Candidate } from "../commands/complete.ts";
import { cellWidth, fit, tailToWidth } from "../format/units.ts";
import type { EditorState } from "../state/line-editor.ts";
import type { Confirm } from "../state/ui.ts";

/** Completion candidates under the prompt, each with its description; the one Tab put in the line highlighted. */
export function Completions({
  candidates,
  selected = -1,
  rows,
  width,
}: {
  candidates: readonly Candidate[];
  selected?: number;
  rows: number;
  width: number;
}) {
  if (!candidates.length || rows <= 0) return null;
  const fitRows = rows - (candidates.length > rows ? 1 : 0);
  // keep the selected candidate on screen while Tab cycles
  const first = selected >= fitRows ? selected - fitRows + 1 : 0;
  const shown = candidates.slice(first, first + fitRows);
  const w = Math.min(44, Math.max(...shown.map((c) => cellWidth(c.value))) + 2);
  return (
    <Box flexDirection="column">
      {shown.map((c, n) => (
        <Text key={c.value} inverse={first + n === selected} wrap="truncate-end">
          {"   "}
          <Text color="cyan">{fit(c.value, w)}</Text>
          <Text dimColor>{fit(c.description ?? "", Math.max(0, width - w - 4))}</Text>
        </Text>
      ))}
      {candidates.length > shown.length ? (
        <Text dimColor wrap="truncate-end">
          {"   "}… {candidates.length - shown.length} more: Tab cycles, or type more letters
        </Text>
      ) : null}
    </Box>
  );
}

/**
 * A question before an action, with the text it asks for (an image name, a region). On a narrow
 * terminal the question is cut, never the answer being typed and its cursor.
 */
export function ConfirmLine({ confirm, width }: { confirm: Confirm; width: number }) {
  if (confirm.input) {
    const ask = ` — ${confirm.input.label}: `;
    const hint = "  Enter runs, Esc cancels";
    const room = Math.max(1, width - cellWidth(ask) - 1 - 12); // at least 12 columns of the question
    const value = confirm.input.value;
    const shown = cellWidth(value) > room ? `…${tailToWidth(value, room - 1)}` : value;
    const questionRoom = Math.max(0, width - cellWidth(ask) - cellWidth(shown) - 1);
    const question =
      cellWidth(confirm.question) > questionRoom ? fit(confirm.question, questionRoom) : confirm.question;
    const left = width - cellWidth(question) - cellWidth(ask) - cellWidth(shown) - 1;
    return (
      <Text wrap="truncate-end">
        <Text color="yellow" bold>
          {question}
          {ask}
        </Text>
        {shown}
        <Text inverse> </Text>
        {left >= hint.length ? <Text dimColor>{hint}</Text> : null}
      </Text>
    );
  }
  const yn = " [y/N] ";
  const question = fit(confirm.question, width - yn.length - 1).trimEnd();
  return (
    <Text wrap="truncate-end">
      <Text color="yellow" bold>
        {question}
      </Text>
      <Text>{yn}</Text>
      <Text inverse> </Text>
    </Text>
  );
}

/** The input line with its cursor (or the reverse search). */
export function Prompt({
  editor,
  prompt,
  busy,
  queued = 0,
  width,
  focused = true,
}: {
  editor: EditorState;
  prompt: string;
  busy: boolean;
  queued?: number;
  width: number;
  focused?: boolean;
}) {
  if (editor.search) {
    return (
      <Text wrap="truncate-end">
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
    <Text wrap="truncate-end">
      <Text color={busy ? "gray" : focused ? "green" : "gray"} bold>
        {prompt}
      </Text>
      {visible.slice(0, c)}
      {focused ? <Text inverse>{visible[c] ?? " "}</Text> : (visible[c] ?? "")}
      {visible.slice(c + 1)}
      {busy ? <Text dimColor> …{queued ? ` (${queued} queued)` : ""}</Text> : null}
    </Text>
  );
}
