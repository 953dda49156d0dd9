/** History (persisted, ↑/↓, Ctrl-R) and the line editor. */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { History } from "./history.ts";
import { type EditorState, editKey, emptyEditor, type KeyInput } from "./line-editor.ts";

const k = (input: string, extra: Partial<KeyInput> = {}): KeyInput => ({ input, ...extra });

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
