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
  type TabState,
} from "./commands/complete.ts";
export { filterDocs, flagDoc, loadDocs } from "./commands/docs.ts";
export {
  type Command,
  IMAGE_ALIASES,
  ParseError,
  parseLine,
  SHORT_FORMS,
  type ShortForm,
} from "./commands/parse.ts";
export { resolveInstance, resolveLaunchImage, resolveOwnImage } from "./commands/resolve.ts";
export {
  errorLines,
  HINTS,
  helpLines,
  hintFor,
  type Outcome,
  type OutLine,
  type RunContext,
  runCommand,
  runGuestLine,
  runLine,
  type SessionControl,
  type SshSession,
  sshPrompt,
  VIEW_KEYS,
} from "./commands/run.ts";
export { coerce, parseShorthand, ShorthandError } from "./commands/shorthand.ts";
export { closest, distance, fuzzyFilter, fuzzyScore } from "./commands/suggest.ts";
export { type Token, tokenize, tokenizeLoose } from "./commands/tokenize.ts";
export { App, type AppProps, layout, type Session } from "./components/App.tsx";
export { Header } from "./components/Header.tsx";
export { OutputPane, wrapAll, wrapLines } from "./components/OutputPane.tsx";
export { Pager } from "./components/Pager.tsx";
export { PendingPane } from "./components/PendingPane.tsx";
export { Completions, ConfirmLine, Prompt } from "./components/Prompt.tsx";
export { ResourceTable } from "./components/ResourceTable.tsx";
export {
  applyQuery,
  cliOutput,
  formatValue,
  type KnownMembers,
  normalizeOutput,
  OUTPUT_FORMATS,
  PyFloat,
  type PyValue,
  QueryError,
} from "./format/cli/index.ts";
export { costChart } from "./format/cost.ts";
export { lineage, type TreeLine } from "./format/lineage.ts";
export { bar, clockText, fit, money, STATE_GLYPH, shortDuration, sparkline, stateColor } from "./format/units.ts";
export { type ReplArgs, ReplUsageError, runRepl } from "./main.ts";
export { type ControllerOptions, ReplController, type ReplSnapshot } from "./state/controller.ts";
export { History } from "./state/history.ts";
export { KeyStore } from "./state/key-store.ts";
export { type InkKey, splitKeys } from "./state/keys.ts";
export { type EditorEffect, type EditorState, editKey, emptyEditor, type KeyInput } from "./state/line-editor.ts";
export {
  type Confirm,
  cursorIndex,
  initialUi,
  type TableState,
  type TableView,
  type UiEffect,
  type UiState,
  viewKey,
  windowStart,
} from "./state/ui.ts";
export { nextClockChange, useSimNow, useTerminalSize } from "./state/use-view.ts";
export { type CellContext, COLUMNS, type Column, columnsFor, visibleRows } from "./view/columns.ts";
export { describeLines } from "./view/describe.ts";
export { eventText } from "./view/event-text.ts";
export { KIND_LIST, KINDS, kindNamed, kindOfId, type ResourceKind } from "./view/resources.ts";
export {
  type BaseRow,
  type CostSample,
  type EventNote,
  type ImageRow,
  type InstanceRow,
  type PendingWork,
  SandboxView,
  type ViewOptions,
  type ViewSnapshot,
} from "./view/sandbox-view.ts";
