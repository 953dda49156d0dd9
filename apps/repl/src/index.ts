/** @ec2sim/repl — the ec2sim REPL: what is public. */

export {
  type AwsCliCommand,
  CliUsageError,
  cliOperations,
  flagsOf,
  kebab,
  type OutputFormat,
  parseAwsCli,
} from "./commands/aws-cli.ts";
export {
  applyTab,
  type Candidate,
  type Completion,
  commonPrefix,
  complete,
  type Resources,
} from "./commands/complete.ts";
export { type Command, IMAGE_ALIASES, ParseError, parseLine, SHORT_FORMS, type ShortForm } from "./commands/parse.ts";
export {
  errorLines,
  HINTS,
  helpLines,
  type Outcome,
  type OutLine,
  type RunContext,
  runCommand,
  runGuestLine,
  runLine,
  type SshSession,
  sshPrompt,
} from "./commands/run.ts";
export { coerce, parseShorthand, ShorthandError } from "./commands/shorthand.ts";
export { type Token, tokenize, tokenizeLoose } from "./commands/tokenize.ts";
export { App, type AppProps, layout } from "./components/App.tsx";
export { Header } from "./components/Header.tsx";
export { columnsFor, InstancesPane, visibleInstances } from "./components/InstancesPane.tsx";
export { OutputPane, wrapLines } from "./components/OutputPane.tsx";
export { PendingPane } from "./components/PendingPane.tsx";
export { Completions, Prompt } from "./components/Prompt.tsx";
export { costChart } from "./format/cost.ts";
export { lineage, type TreeLine } from "./format/lineage.ts";
export { applyQuery, formatOutput, QueryError } from "./format/output.ts";
export { bar, clockText, fit, money, STATE_GLYPH, shortDuration, sparkline, stateColor } from "./format/units.ts";
export { type ReplArgs, ReplUsageError, runRepl } from "./main.ts";
export { History } from "./state/history.ts";
export { KeyStore } from "./state/key-store.ts";
export { type EditorEffect, type EditorState, editKey, emptyEditor, type KeyInput } from "./state/line-editor.ts";
export { type ReplState, useRepl } from "./state/use-repl.ts";
export { useSimNow, useTerminalSize, useViewSnapshot } from "./state/use-view.ts";
export {
  type CostSample,
  type ImageRow,
  type InstanceRow,
  type PendingWork,
  SandboxView,
  type ViewSnapshot,
} from "./view/sandbox-view.ts";
