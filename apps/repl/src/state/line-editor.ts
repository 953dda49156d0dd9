/**
 * The prompt's line editor as a pure function of (state, key): typing, cursor movement, ↑/↓
 * history, Ctrl-R reverse search, Ctrl-C / Ctrl-D, Tab. Effects it cannot do itself (run the line,
 * complete it, exit) are returned for the hook to carry out.
 */
import type { History } from "./history.ts";

export interface EditorState {
  line: string;
  cursor: number;
  /** Ctrl-R: the search term and the index of the current match. */
  search?: { term: string; index: number; match: string };
}

export interface KeyInput {
  input: string;
  upArrow?: boolean;
  downArrow?: boolean;
  leftArrow?: boolean;
  rightArrow?: boolean;
  return?: boolean;
  escape?: boolean;
  ctrl?: boolean;
  meta?: boolean;
  tab?: boolean;
  backspace?: boolean;
  delete?: boolean;
  home?: boolean;
  end?: boolean;
}

export type EditorEffect =
  | { kind: "submit"; line: string }
  | { kind: "complete" }
  | { kind: "exit" }
  | { kind: "cancel" }
  | { kind: "clear-screen" };

export const emptyEditor = (): EditorState => ({ line: "", cursor: 0 });

const set = (line: string, cursor = line.length): EditorState => ({
  line,
  cursor: Math.max(0, Math.min(cursor, line.length)),
});

export function editKey(
  s: EditorState,
  key: KeyInput,
  history: History,
): { state: EditorState; effect?: EditorEffect } {
  if (s.search) return searchKey(s, key, history);
  if (key.ctrl) {
    switch (key.input) {
      case "c":
        history.resetWalk();
        return { state: emptyEditor(), effect: { kind: "cancel" } };
      case "d":
        if (s.line === "") return { state: s, effect: { kind: "exit" } };
        return { state: set(s.line.slice(0, s.cursor) + s.line.slice(s.cursor + 1), s.cursor) };
      case "r": {
        return { state: { ...s, search: { term: "", index: history.all().length, match: "" } } };
      }
      case "a":
        return { state: { ...s, cursor: 0 } };
      case "e":
        return { state: { ...s, cursor: s.line.length } };
      case "u":
        return { state: set(s.line.slice(s.cursor), 0) };
      case "k":
        return { state: set(s.line.slice(0, s.cursor)) };
      case "w": {
        const before = s.line.slice(0, s.cursor).replace(/\S+\s*$/, "");
        return { state: set(before + s.line.slice(s.cursor), before.length) };
      }
      case "l":
        return { state: s, effect: { kind: "clear-screen" } };
      default:
        return { state: s };
    }
  }
  if (key.return) {
    history.resetWalk();
    return { state: emptyEditor(), effect: { kind: "submit", line: s.line } };
  }
  if (key.tab) return { state: s, effect: { kind: "complete" } };
  if (key.upArrow) {
    const prev = history.previous(s.line);
    return { state: prev === undefined ? s : set(prev) };
  }
  if (key.downArrow) {
    const next = history.next();
    return { state: next === undefined ? s : set(next) };
  }
  if (key.home) return { state: { ...s, cursor: 0 } };
  if (key.end) return { state: { ...s, cursor: s.line.length } };
  if (key.leftArrow) return { state: { ...s, cursor: Math.max(0, s.cursor - 1) } };
  if (key.rightArrow) return { state: { ...s, cursor: Math.min(s.line.length, s.cursor + 1) } };
  if (key.backspace || key.delete) {
    // Terminals send DEL (0x7f) for Backspace, which Ink reports as `delete`: both erase leftwards.
    if (s.cursor === 0) return { state: s };
    return { state: set(s.line.slice(0, s.cursor - 1) + s.line.slice(s.cursor), s.cursor - 1) };
  }
  if (key.escape || key.meta) return { state: s };
  const text = key.input.replace(/[\x00-\x1f\x7f]/g, "");
  if (!text) return { state: s };
  return { state: set(s.line.slice(0, s.cursor) + text + s.line.slice(s.cursor), s.cursor + text.length) };
}

function searchKey(s: EditorState, key: KeyInput, history: History): { state: EditorState; effect?: EditorEffect } {
  const search = s.search!;
  if (key.ctrl && key.input === "r") {
    const found = history.search(search.term, search.index);
    return { state: found ? { ...s, search: { ...search, index: found.index, match: found.line } } : s };
  }
  if ((key.ctrl && (key.input === "c" || key.input === "g")) || key.escape) return { state: set(s.line, s.cursor) };
  if (key.return) {
    const line = search.match || s.line;
    history.resetWalk();
    return { state: emptyEditor(), effect: { kind: "submit", line } };
  }
  if (key.tab || key.leftArrow || key.rightArrow || key.upArrow || key.downArrow)
    return { state: set(search.match || s.line) };
  if (key.backspace || key.delete) {
    const term = search.term.slice(0, -1);
    const found = history.search(term);
    return { state: { ...s, search: { term, index: found?.index ?? history.all().length, match: found?.line ?? "" } } };
  }
  if (key.ctrl || key.meta || !key.input) return { state: s };
  const term = search.term + key.input;
  const found = history.search(term);
  return { state: { ...s, search: { term, index: found?.index ?? history.all().length, match: found?.line ?? "" } } };
}
