/** @jsxRuntime automatic */
/** @jsxImportSource react */

import type { SandboxClient } from "@ec2sim/protocol";
import { Box, Text, useInput } from "ink";
import type { OutLine } from "../commands/run.ts";
import type { History } from "../state/history.ts";
import type { KeyStore } from "../state/key-store.ts";
import { useRepl } from "../state/use-repl.ts";
import { useSimNow, useTerminalSize, useViewSnapshot } from "../state/use-view.ts";
import type { SandboxView } from "../view/sandbox-view.ts";
import { Header } from "./Header.tsx";
import { InstancesPane } from "./InstancesPane.tsx";
import { OutputPane } from "./OutputPane.tsx";
import { PendingPane } from "./PendingPane.tsx";
import { Completions, Prompt } from "./Prompt.tsx";

export interface AppProps {
  client: SandboxClient;
  view: SandboxView;
  keys: KeyStore;
  history: History;
  onExit: () => void;
  greeting?: OutLine[];
  /** Fixed size (tests); the terminal's otherwise. */
  size?: { columns: number; rows: number };
}

/** How many rows each pane gets: the whole frame stays one row short of the terminal (no flicker). */
export function layout(rows: number, instances: number, pending: number, candidates: number) {
  const budget = Math.max(8, rows - 1);
  const instanceRows = instances === 0 ? 1 : Math.min(instances + 1, Math.max(3, Math.floor(budget * 0.35)));
  const pendingRows = Math.min(pending, 3) + (pending > 3 ? 1 : 0);
  const completionRows = Math.min(candidates, 6);
  const fixed = 1 /* header */ + instanceRows + pendingRows + 1 /* rule */ + 1; /* prompt */
  const outputRows = Math.max(1, budget - fixed - completionRows);
  return { instanceRows, pendingRows: Math.min(pending, 3), completionRows, outputRows };
}

export function App(props: AppProps) {
  const terminal = useTerminalSize();
  const { columns, rows } = props.size ?? terminal;
  const snap = useViewSnapshot(props.view);
  const now = useSimNow(props.view, snap);
  const repl = useRepl({
    client: props.client,
    view: props.view,
    keys: props.keys,
    history: props.history,
    width: columns,
    onExit: props.onExit,
    ...(props.greeting ? { greeting: props.greeting } : {}),
  });
  useInput((input, key) => repl.handleKey({ ...key, input }));
  const l = layout(rows, snap.instances.length, snap.pending.length, repl.candidates.length);
  return (
    <Box flexDirection="column" width={columns}>
      <Header snap={snap} now={now} width={columns} />
      <InstancesPane snap={snap} now={now} width={columns} rows={l.instanceRows - 1} />
      <PendingPane pending={snap.pending} now={now} width={columns} rows={l.pendingRows} />
      <Text dimColor>{"─".repeat(columns)}</Text>
      <OutputPane lines={repl.output} height={l.outputRows} width={columns} />
      <Completions candidates={repl.candidates} rows={l.completionRows} width={columns} />
      <Prompt editor={repl.editor} prompt={repl.prompt} busy={repl.busy} width={columns} />
    </Box>
  );
}
