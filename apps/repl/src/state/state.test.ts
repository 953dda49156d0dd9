/** History (persisted, ↑/↓, Ctrl-R) and the line editor. */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { History } from "./history.ts";
import { type InkKey, splitKeys } from "./keys.ts";
import { type EditorState, editKey, emptyEditor } from "./line-editor.ts";
import { initialUi, type TableView, type UiState, viewKey, windowStart } from "./ui.ts";

const k = (input: string, extra: Partial<InkKey> = {}): InkKey => ({ input, ...extra });

describe("history", () => {
  it("is kept across runs in the data dir, without repeats", () => {
    const file = join(mkdtempSync(join(tmpdir(), "hist-")), "repl_history");
    const h = new History(file);
    h.add("launch al2023 t3.micro");
    h.add("launch al2023 t3.micro");
    h.add("cost");
    expect(readFileSync(file, "utf8")).toBe("launch al2023 t3.micro\ncost\n");
    expect(new History(file).all()).toEqual(["launch al2023 t3.micro", "cost"]);
  });
  it("walks with ↑/↓ back to the draft, and searches backwards", () => {
    const h = new History();
    for (const l of ["a one", "b two", "a three"]) h.add(l);
    expect(h.previous("dra")).toBe("a three");
    expect(h.previous("")).toBe("b two");
    expect(h.next()).toBe("a three");
    expect(h.next()).toBe("dra");
    expect(h.search("a")).toEqual({ line: "a three", index: 2 });
    expect(h.search("a", 2)).toEqual({ line: "a one", index: 0 });
  });
});

describe("line editor", () => {
  it("types, moves, deletes, and submits", () => {
    const h = new History();
    let s: EditorState = emptyEditor();
    for (const ch of "lanch") s = editKey(s, k(ch), h).state;
    s = editKey(s, k("", { leftArrow: true }), h).state;
    s = editKey(s, k("", { leftArrow: true }), h).state;
    s = editKey(s, k("", { leftArrow: true }), h).state;
    s = editKey(s, k("u"), h).state;
    expect(s.line).toBe("launch");
    s = editKey(s, k("", { backspace: true }), h).state;
    expect(s.line).toBe("lanch");
    const r = editKey({ line: "cost", cursor: 4 }, k("", { return: true }), h);
    expect(r.effect).toEqual({ kind: "submit", line: "cost" });
    expect(r.state).toEqual(emptyEditor());
  });
  it("Ctrl-C cancels, Ctrl-D exits only on an empty line, Ctrl-R searches", () => {
    const h = new History();
    h.add("clock advance 5m");
    expect(editKey({ line: "x", cursor: 1 }, k("c", { ctrl: true }), h).effect).toEqual({ kind: "cancel" });
    expect(editKey(emptyEditor(), k("d", { ctrl: true }), h).effect).toEqual({ kind: "exit" });
    expect(editKey({ line: "x", cursor: 0 }, k("d", { ctrl: true }), h).effect).toBeUndefined();
    let s = editKey(emptyEditor(), k("r", { ctrl: true }), h).state;
    for (const ch of "adv") s = editKey(s, k(ch), h).state;
    expect(s.search?.match).toBe("clock advance 5m");
    expect(editKey(s, k("", { return: true }), h).effect).toEqual({ kind: "submit", line: "clock advance 5m" });
  });
});

describe("keys from one chunk of input", () => {
  it("splits Backspaces, Enters and Ctrl-keys sent together, keeps printable runs together", () => {
    expect(splitKeys("\u007f\u007f", { input: "\u007f\u007f" })).toEqual([
      { input: "", backspace: true },
      { input: "", backspace: true },
    ]);
    expect(splitKeys("tree\rimages\r", { input: "tree\rimages\r" })).toEqual([
      { input: "tree" },
      { input: "", return: true },
      { input: "images" },
      { input: "", return: true },
    ]);
    expect(splitKeys("a\tb\u0015", { input: "" })).toEqual([
      { input: "a" },
      { input: "", tab: true },
      { input: "b" },
      { input: "u", ctrl: true },
    ]);
    // a key Ink recognised passes as it is
    expect(splitKeys("", { input: "", upArrow: true })).toEqual([{ input: "", upArrow: true }]);
  });
});

describe("the views' keys", () => {
  const v = (ids: string[], selected?: string): TableView => ({
    ids,
    pageSize: 3,
    columns: ["INSTANCE ID", "NAME", "STATE"],
    ...(selected ? { selected: { id: selected, region: "us-east-1", name: "web" } } : {}),
  });
  const focused = (): UiState => ({ ...initialUi(), focus: "table" });
  const ids = ["i-1", "i-2", "i-3", "i-4", "i-5", "i-6", "i-7"];

  it("moves the cursor by row and page, keeps it on screen, and stays on the ends", () => {
    let s = viewKey(focused(), k("", { upArrow: true }), v(ids)).state;
    expect(s.table.cursorId).toBe("i-7"); // from no cursor: the newest row
    s = viewKey(s, k("", { pageUp: true }), v(ids)).state;
    expect(s.table.cursorId).toBe("i-4");
    s = viewKey(s, k("g"), v(ids)).state;
    expect(s.table).toMatchObject({ cursorId: "i-1", offset: 0 });
    s = viewKey(s, k("", { upArrow: true }), v(ids)).state;
    expect(s.table.cursorId).toBe("i-1");
    s = viewKey(s, k("G"), v(ids)).state;
    expect(s.table).toMatchObject({ cursorId: "i-7", offset: 4 });
    expect(windowStart(s.table, ids, 3)).toBe(4);
  });

  it("sorts by Shift+letter (again: reversed) and steps with < >", () => {
    let s = viewKey(focused(), k("N"), v(ids)).state;
    expect(s.table.sort).toEqual({ column: "NAME", desc: false });
    s = viewKey(s, k("N"), v(ids)).state;
    expect(s.table.sort).toEqual({ column: "NAME", desc: true });
    s = viewKey(s, k(">"), v(ids)).state;
    expect(s.table.sort).toEqual({ column: "STATE", desc: false });
    s = viewKey(s, k(">"), v(ids)).state;
    expect(s.table.sort).toEqual({ column: "INSTANCE ID", desc: false });
  });

  it("asks before acting: y runs the command line, anything else cancels; a typed value fills it in", () => {
    const s = viewKey(focused(), k("x"), v(ids, "i-3")).state;
    expect(s.confirm).toEqual({
      question: "Terminate i-3 (web)? Its instance store and root volume go with it",
      command: "terminate i-3",
    });
    expect(viewKey(s, k("y"), v(ids)).effect).toEqual({ kind: "run", line: "terminate i-3" });
    expect(viewKey(s, k("", { return: true }), v(ids))).toEqual({ state: { ...s, confirm: undefined } });
    let named = viewKey(focused(), k("i"), v(ids, "i-3")).state;
    named = viewKey(named, k("", { backspace: true }), v(ids)).state;
    named = viewKey(named, k("s gold"), v(ids)).state;
    expect(viewKey(named, k("", { return: true }), v(ids)).effect).toEqual({
      kind: "run",
      line: "image create i-3 'web-imags gold'",
    });
  });

  it("Enter describes, s opens ssh, / and : go to the prompt, Esc leaves", () => {
    expect(viewKey(focused(), k("", { return: true }), v(ids, "i-2")).effect).toEqual({ kind: "describe", id: "i-2" });
    expect(viewKey(focused(), k("s"), v(ids, "i-2")).effect).toEqual({ kind: "run", line: "ssh i-2" });
    expect(viewKey(focused(), k("/"), v(ids)).effect).toEqual({ kind: "prompt", text: "/" });
    expect(viewKey(focused(), k(":"), v(ids)).effect).toEqual({ kind: "prompt", text: ":" });
    expect(viewKey(focused(), k("", { escape: true }), v(ids)).state.focus).toBe("prompt");
  });
});
