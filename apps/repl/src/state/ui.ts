/**
 * The views' state and keys as a pure reducer (k9s's habits): which view is at the top, the row
 * under the cursor (by ID, so it stays on its row while rows change underneath), the scroll
 * offset, the sort, the live filter, the describe pager, the keys overlay, and a confirm step
 * before an action. `viewKey` returns the next state and, when a key asks for it, an effect for
 * the hook to carry out (run a command line, describe a row, go back to the prompt).
 */
import type { ResourceKind } from "../view/resources.ts";
import type { InkKey } from "./keys.ts";

export interface Sort {
  column: string;
  desc: boolean;
}

export interface TableState {
  kind: ResourceKind;
  /** The row under the cursor; none: follow the newest rows (the home screen's default). */
  cursorId?: string;
  offset: number;
  sort?: Sort;
  filter: string;
}

export interface Confirm {
  question: string;
  /** The command line to run on yes; `{}` is replaced by the text typed when `input` is set. */
  command: string;
  input?: { label: string; value: string };
}

export interface Overlay {
  kind: "describe" | "keys";
  id?: string;
  scroll: number;
}

export interface UiState {
  focus: "prompt" | "table";
  table: TableState;
  /** Per view, its table state when it was left (cursor, sort, filter come back). */
  saved: Partial<Record<ResourceKind, TableState>>;
  overlay?: Overlay;
  confirm?: Confirm;
  /** Lines scrolled back from the newest output (PgUp/PgDn at the prompt). */
  outputScroll: number;
}

export type UiEffect =
  | { kind: "run"; line: string }
  | { kind: "describe"; id: string }
  | { kind: "prompt"; text: string };

export const initialUi = (kind: ResourceKind = "instances"): UiState => ({
  focus: "prompt",
  table: { kind, offset: 0, filter: "" },
  saved: {},
  outputScroll: 0,
});

/** What the reducer needs to know of the table as drawn. */
export interface TableView {
  /** IDs of the rows shown (filtered and sorted), in order. */
  ids: readonly string[];
  /** Rows that fit on screen. */
  pageSize: number;
  /** Column titles, for sorting by letter. */
  columns: readonly string[];
  /** The selected row's kind-specific facts the action keys need. */
  selected?: { id: string; state?: string; name?: string; region: string };
}

export function switchView(s: UiState, kind: ResourceKind): UiState {
  if (kind === s.table.kind) return { ...s, focus: "table", overlay: undefined } as UiState;
  const saved = { ...s.saved, [s.table.kind]: s.table };
  return {
    ...s,
    saved,
    table: s.saved[kind] ?? { kind, offset: 0, filter: "" },
    focus: "table",
    overlay: undefined,
  } as UiState;
}

/** The cursor's index among `ids` (-1: none). */
export function cursorIndex(t: TableState, ids: readonly string[]): number {
  return t.cursorId === undefined ? -1 : ids.indexOf(t.cursorId);
}

/**
 * The table with its cursor on a row that is there: its own row; when that row has gone (filtered
 * away, terminated and left) the row that took its place, as k9s does — the first of the rows that
 * followed it in `before` (the rows as they were while the cursor's row was among them) still
 * there, else the nearest one before it; else the first (the view was entered before its rows were
 * read).
 */
export function withCursor(t: TableState, ids: readonly string[], before?: readonly string[]): TableState {
  if (!ids.length || (t.cursorId !== undefined && ids.includes(t.cursorId))) return t;
  const was = t.cursorId === undefined || !before ? -1 : before.indexOf(t.cursorId);
  if (was >= 0) {
    const here = new Set(ids);
    for (let j = was + 1; j < before!.length; j++) if (here.has(before![j]!)) return { ...t, cursorId: before![j]! };
    for (let j = was - 1; j >= 0; j--) if (here.has(before![j]!)) return { ...t, cursorId: before![j]! };
  }
  return { ...t, cursorId: ids[0]! };
}

/** The first row to draw so the cursor is on screen (or, with no cursor, the newest rows are). */
export function windowStart(t: TableState, ids: readonly string[], pageSize: number): number {
  const n = ids.length;
  const max = Math.max(0, n - pageSize);
  const at = cursorIndex(t, ids);
  if (at < 0) return t.cursorId === undefined ? max : Math.min(t.offset, max);
  if (at < t.offset) return at;
  if (at >= t.offset + pageSize) return Math.min(max, at - pageSize + 1);
  return Math.min(t.offset, max);
}

function moveTo(t: TableState, ids: readonly string[], index: number, pageSize: number): TableState {
  if (!ids.length) return t;
  const i = Math.max(0, Math.min(ids.length - 1, index));
  const next = { ...t, cursorId: ids[i]! };
  return { ...next, offset: windowStart(next, ids, pageSize) };
}

/** Handles a key while the view has the focus (or an overlay or confirm step is open). */
export function viewKey(s: UiState, key: InkKey, v: TableView): { state: UiState; effect?: UiEffect } {
  if (s.confirm) return confirmKey(s, key);
  if (s.overlay) {
    const o = s.overlay;
    if (key.escape || key.input === "q" || (key.ctrl && key.input === "c") || (o.kind === "keys" && key.input === "?"))
      return { state: { ...s, overlay: undefined } as UiState };
    const page = Math.max(1, v.pageSize);
    let scroll = o.scroll;
    if (key.upArrow || key.input === "k") scroll--;
    else if (key.downArrow || key.input === "j") scroll++;
    else if (key.pageUp) scroll -= page;
    else if (key.pageDown || key.input === " ") scroll += page;
    else if (key.home || key.input === "g") scroll = 0;
    else if (key.end || key.input === "G") scroll = Number.MAX_SAFE_INTEGER;
    else if (o.kind === "describe" && key.input === "r" && o.id)
      return { state: s, effect: { kind: "describe", id: o.id } };
    return { state: { ...s, overlay: { ...o, scroll: Math.max(0, scroll) } } };
  }
  const t = s.table;
  const ids = v.ids;
  const at = cursorIndex(t, ids);
  const page = Math.max(1, v.pageSize);
  const table = (next: TableState) => ({ state: { ...s, table: next } });
  if (key.escape || (key.ctrl && key.input === "c")) return { state: { ...s, focus: "prompt" } };
  if (key.upArrow || key.input === "k") return table(moveTo(t, ids, at < 0 ? ids.length - 1 : at - 1, page));
  if (key.downArrow || key.input === "j") return table(moveTo(t, ids, at < 0 ? ids.length - 1 : at + 1, page));
  if (key.pageUp) return table(moveTo(t, ids, (at < 0 ? ids.length - 1 : at) - page, page));
  if (key.pageDown) return table(moveTo(t, ids, (at < 0 ? ids.length - 1 : at) + page, page));
  if (key.home || key.input === "g") return table(moveTo(t, ids, 0, page));
  if (key.end || key.input === "G") return table(moveTo(t, ids, ids.length - 1, page));
  if (key.input === "?") return { state: { ...s, overlay: { kind: "keys", scroll: 0 } } };
  if (key.input === "/") return { state: { ...s, focus: "prompt" }, effect: { kind: "prompt", text: `/${t.filter}` } };
  if (key.input === ":") return { state: { ...s, focus: "prompt" }, effect: { kind: "prompt", text: ":" } };
  if (key.input === "<" || key.input === ">") return table(sortStep(t, v.columns, key.input === ">" ? 1 : -1));
  if (key.input.length === 1 && /[A-Z]/.test(key.input)) {
    const column = v.columns.find((c) => c.toUpperCase().startsWith(key.input));
    if (column) return table(sortBy(t, column));
    return { state: s };
  }
  const sel = v.selected;
  if (!sel) return { state: s };
  if (key.return || key.input === "d") return { state: s, effect: { kind: "describe", id: sel.id } };
  const label = sel.name ? `${sel.id} (${sel.name})` : sel.id;
  const ask = (question: string, command: string, input?: Confirm["input"]) => ({
    state: { ...s, confirm: { question, command, ...(input ? { input } : {}) } },
  });
  if (t.kind === "instances") {
    switch (key.input) {
      case "s":
        return { state: { ...s, focus: "prompt" as const }, effect: { kind: "run", line: `ssh ${sel.id}` } };
      case "p":
        return ask(`Stop ${label}?`, `stop ${sel.id}`);
      case "u":
        return ask(`Start ${label}?`, `start ${sel.id}`);
      case "r":
        return ask(`Reboot ${label}?`, `reboot ${sel.id}`);
      case "x":
        return ask(`Terminate ${label}? Its instance store and root volume go with it`, `terminate ${sel.id}`);
      case "i":
        return ask(`Create an image of ${label}`, `image create ${sel.id} {}`, {
          label: "name",
          value: `${sel.name ?? sel.id}-image`,
        });
    }
  }
  if (t.kind === "images") {
    switch (key.input) {
      case "l":
        return ask(`Launch from ${label} in ${sel.region}`, `launch ${sel.id} {} --region ${sel.region}`, {
          label: "instance type",
          value: "t3.micro",
        });
      case "c":
        return ask(`Copy ${label} to`, `image copy ${sel.id} {}`, { label: "region", value: "eu-west-1" });
      case "x":
        return ask(`Deregister ${label}? Instances launched from it keep running`, `image deregister ${sel.id}`);
    }
  }
  return { state: s };
}

function confirmKey(s: UiState, key: InkKey): { state: UiState; effect?: UiEffect } {
  const c = s.confirm!;
  const closed = { ...s, confirm: undefined } as UiState;
  if (key.escape || (key.ctrl && key.input === "c")) return { state: closed };
  if (c.input) {
    if (key.return) {
      const value = c.input.value.trim();
      if (!value) return { state: s };
      return { state: closed, effect: { kind: "run", line: c.command.replace("{}", quote(value)) } };
    }
    if (key.backspace || key.delete)
      return { state: { ...s, confirm: { ...c, input: { ...c.input, value: c.input.value.slice(0, -1) } } } };
    if (key.ctrl && key.input === "u") return { state: { ...s, confirm: { ...c, input: { ...c.input, value: "" } } } };
    if (!key.ctrl && !key.meta && key.input)
      return {
        state: {
          ...s,
          confirm: { ...c, input: { ...c.input, value: c.input.value + key.input.replace(/[\x00-\x1f\x7f]/g, "") } },
        },
      };
    return { state: s };
  }
  if (key.input === "y" || key.input === "Y") return { state: closed, effect: { kind: "run", line: c.command } };
  if (key.return || key.input === "n" || key.input === "N") return { state: closed };
  return { state: s };
}

const quote = (v: string) => (/^[A-Za-z0-9._:/@+-]+$/.test(v) ? v : `'${v.replace(/'/g, "'\\''")}'`);

function sortBy(t: TableState, column: string): TableState {
  if (t.sort?.column === column) return { ...t, sort: { column, desc: !t.sort.desc } };
  return { ...t, sort: { column, desc: false } };
}

function sortStep(t: TableState, columns: readonly string[], step: 1 | -1): TableState {
  if (!columns.length) return t;
  const i = t.sort ? columns.indexOf(t.sort.column) : step > 0 ? -1 : columns.length;
  const next = (i + step + columns.length) % columns.length;
  return { ...t, sort: { column: columns[next]!, desc: false } };
}
