/**
 * The REPL's behaviour in one plain object: the line editor, the queue of lines to run (a paste
 * of several lines runs them one after another), ssh sessions, completion with Tab cycling, the
 * output and its scrollback, and the views' state (ui.ts). Components draw its snapshot; tests
 * drive it with keys. It is an external store for `useSyncExternalStore`: every change makes a new
 * snapshot and tells the listeners once.
 */
import { applyTab, type Candidate, type TabState } from "../commands/complete.ts";
import { type OutLine, type RunContext, runGuestLine, runLine, type SshSession, sshPrompt } from "../commands/run.ts";
import { wrapAll } from "../components/OutputPane.tsx";
import { describeLines } from "../view/describe.ts";
import { kindNamed, type ResourceKind } from "../view/resources.ts";
import type { History } from "./history.ts";
import { type InkKey, splitKeys } from "./keys.ts";
import { type EditorState, editKey, emptyEditor } from "./line-editor.ts";
import { initialUi, switchView, type TableState, type TableView, type UiState, viewKey, withCursor } from "./ui.ts";

export const MAX_OUTPUT_LINES = 2_000;

export interface ReplSnapshot {
  editor: EditorState;
  output: OutLine[];
  busy: boolean;
  /** Lines waiting to run after the current one. */
  queued: number;
  ssh: SshSession | undefined;
  candidates: Candidate[];
  /** The candidate Tab put in the line while cycling. */
  selected: number;
  prompt: string;
  ui: UiState;
  describe: { id: string; lines: OutLine[] } | undefined;
  version: number;
}

export interface ControllerOptions {
  history: History;
  onExit: () => void;
  greeting?: OutLine[];
  /** The current context to run commands in (the session may change: another account). */
  context: () => RunContext | undefined;
  /**
   * The table of a view state: as drawn now, or — when keys of one chunk changed the filter or
   * the sort since the last frame (a paste of "/web⏎") — as it will be drawn.
   */
  table: (t: TableState) => TableView;
  /** Lines of output that fit the pane (for PgUp/PgDn). */
  outputPage: () => number;
}

export class ReplController {
  private snap: ReplSnapshot;
  private readonly listeners = new Set<() => void>();
  private readonly queue: string[] = [];
  private tab: TabState | undefined;

  constructor(private readonly o: ControllerOptions) {
    this.snap = {
      editor: emptyEditor(),
      output: o.greeting ?? [],
      busy: false,
      queued: 0,
      ssh: undefined,
      candidates: [],
      selected: -1,
      prompt: "> ",
      ui: initialUi(),
      describe: undefined,
      version: 0,
    };
  }

  subscribe = (l: () => void): (() => void) => {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  };
  getSnapshot = (): ReplSnapshot => this.snap;

  private set(patch: Partial<ReplSnapshot>): void {
    const next = { ...this.snap, ...patch, version: this.snap.version + 1 };
    next.prompt = next.ssh ? sshPrompt(next.ssh) : "> ";
    this.snap = next;
    for (const l of this.listeners) l();
  }

  append(lines: readonly OutLine[]): void {
    if (!lines.length) return;
    let out = this.snap.output.concat(lines);
    if (out.length > MAX_OUTPUT_LINES) out = out.slice(out.length - MAX_OUTPUT_LINES);
    // new output brings a scrolled-back pane to the newest lines
    this.set({ output: out, ui: { ...this.snap.ui, outputScroll: 0 } });
  }

  /** One Ink input event: split into keys (a paste, two Backspaces), each handled in turn. */
  input(input: string, key: InkKey): void {
    for (const k of splitKeys(input, key)) {
      if (k.input.length > 1 && !k.meta && this.viewHasKeys()) this.viewRun(k.input);
      else this.key(k);
    }
  }

  private viewHasKeys(): boolean {
    const ui = this.snap.ui;
    return !!(ui.confirm || ui.overlay || ui.focus === "table");
  }

  /**
   * The view's keys are single characters: a run of them in one chunk (`:images` pasted, or typed
   * faster than the terminal reads) is taken a key at a time, and what follows a key that moved
   * the focus to the prompt (`:`, `/`) goes into the line.
   */
  private viewRun(text: string): void {
    const chars = [...text];
    for (let i = 0; i < chars.length; i++) {
      if (!this.viewHasKeys()) return this.key({ input: chars.slice(i).join("") });
      this.key({ input: chars[i]! });
    }
  }

  key(k: InkKey): void {
    const ui = this.snap.ui;
    if (ui.confirm || ui.overlay || ui.focus === "table") return this.viewKey(k);
    this.promptKey(k);
  }

  private viewKey(k: InkKey): void {
    if (k.ctrl && k.input === "d" && !this.snap.ui.overlay && !this.snap.ui.confirm) return this.o.onExit();
    const ui = this.snap.ui;
    const view = this.o.table(ui.table);
    // keys move from the row the cursor is drawn on (the one that took its place when its own went)
    const drawnOn = view.selected?.id;
    const table =
      ui.focus !== "table" || ui.overlay
        ? ui.table
        : drawnOn !== undefined && !view.ids.includes(ui.table.cursorId ?? "")
          ? { ...ui.table, cursorId: drawnOn }
          : withCursor(ui.table, view.ids);
    const { state, effect } = viewKey(table === ui.table ? ui : { ...ui, table }, k, view);
    const closedDescribe = this.snap.ui.overlay?.kind === "describe" && !state.overlay;
    this.set({ ui: state, ...(closedDescribe ? { describe: undefined } : {}) });
    if (!effect) return;
    if (effect.kind === "run") this.submit(effect.line);
    else if (effect.kind === "describe") void this.openDescribe(effect.id);
    else if (effect.kind === "prompt") {
      this.set({ editor: { line: effect.text, cursor: effect.text.length } });
    }
  }

  private async openDescribe(id: string): Promise<void> {
    const ctx = this.o.context();
    if (!ctx) return;
    this.set({
      ui: { ...this.snap.ui, overlay: { kind: "describe", id, scroll: this.snap.ui.overlay?.scroll ?? 0 } },
      describe: { id, lines: [{ text: "reading…", dim: true }] },
    });
    let lines: OutLine[];
    try {
      lines = await describeLines(ctx.view, id, ctx.width - 2);
    } catch (e) {
      lines = [{ text: `${id}: ${e instanceof Error ? e.message : String(e)}`, color: "red" }];
    }
    if (this.snap.ui.overlay?.id === id) this.set({ describe: { id, lines } });
  }

  private setFilter(filter: string): void {
    const ui = this.snap.ui;
    this.set({ ui: { ...ui, table: { ...ui.table, filter, offset: 0 } } });
  }

  private promptKey(k: InkKey): void {
    const cur = this.snap.editor;
    const ui = this.snap.ui;
    if (k.pageUp || k.pageDown) {
      const ctx = this.o.context();
      const page = Math.max(1, this.o.outputPage() - 1);
      const total = wrapAll(this.snap.output, Math.max(10, ctx?.width ?? 80)).length;
      // scrolled back, the pane gives one row to the "scrolled back" line
      const max = Math.max(0, total - (this.o.outputPage() - 1));
      const back = Math.max(0, Math.min(max, ui.outputScroll + (k.pageUp ? page : -page)));
      this.set({ ui: { ...ui, outputScroll: back } });
      return;
    }
    if (k.escape) {
      if (cur.line.startsWith("/")) {
        this.setFilter("");
        this.set({ editor: emptyEditor() });
        return;
      }
      if (this.snap.candidates.length) {
        this.tab = undefined;
        this.set({ candidates: [], selected: -1 });
        return;
      }
      if (!cur.line && !this.snap.ssh) {
        const ids = this.o.table(ui.table).ids;
        const table = ui.table.cursorId === undefined && ids.length ? { ...ui.table, cursorId: ids.at(-1)! } : ui.table;
        this.set({ ui: { ...ui, focus: "table", table } });
      }
      return;
    }
    if (k.return && cur.line.startsWith("/") && !this.snap.ssh) {
      this.setFilter(cur.line.slice(1));
      const t = this.snap.ui.table;
      const view = this.o.table(t);
      const ids = view.ids;
      // the cursor's row filtered away: the row that took its place
      const table =
        t.cursorId === undefined || !ids.includes(t.cursorId) ? { ...t, cursorId: view.selected?.id ?? ids[0] } : t;
      this.set({ editor: emptyEditor(), ui: { ...this.snap.ui, focus: "table", table } as UiState });
      return;
    }
    if (k.tab && !k.ctrl) return this.complete(!!k.shift);
    const { state, effect } = editKey(cur, k, this.o.history);
    if (!effect) {
      const changed = state.line !== cur.line;
      if (changed) this.tab = undefined;
      // a key typed into `/filter` changes the line and the filter in one snapshot (one frame, not two)
      const filtering = changed && !this.snap.ssh && (state.line.startsWith("/") || cur.line.startsWith("/"));
      const filter = state.line.startsWith("/") ? state.line.slice(1) : "";
      this.set({
        editor: state,
        ...(changed && this.snap.candidates.length ? { candidates: [], selected: -1 } : {}),
        ...(filtering ? { ui: { ...ui, table: { ...ui.table, filter, offset: 0 } } } : {}),
      });
      return;
    }
    switch (effect.kind) {
      case "submit":
        this.tab = undefined;
        this.set({ editor: state, candidates: [], selected: -1 });
        this.submit(effect.line);
        return;
      case "complete":
        return this.complete(false);
      case "cancel":
        this.queue.length = 0;
        this.tab = undefined;
        this.set({ editor: state, candidates: [], selected: -1, queued: 0 });
        this.append([{ text: `${this.snap.prompt}${cur.line}^C`, dim: true }]);
        return;
      case "clear-screen":
        this.set({ output: [] });
        return;
      case "exit":
        if (this.snap.ssh) {
          this.append([{ text: `logout\nConnection to ${this.snap.ssh.host} closed.`, dim: true }]);
          this.set({ ssh: undefined });
          this.o.context()?.view.refreshAll();
          return;
        }
        this.o.onExit();
        return;
    }
  }

  private complete(backwards: boolean): void {
    if (this.snap.ssh) return;
    const ctx = this.o.context();
    if (!ctx) return;
    const cur = this.snap.editor;
    const r = applyTab(cur.line.slice(0, cur.cursor), ctx.view.getSnapshot(), this.tab, backwards, {
      region: ctx.session?.region ?? "us-east-1",
    });
    this.tab = r.state;
    const rest = cur.line.slice(cur.cursor);
    this.set({
      editor: { line: r.line + rest, cursor: r.line.length },
      candidates: r.shown,
      selected: r.state?.index ?? -1,
    });
  }

  /** Queues a line to run; lines run one at a time, in order. */
  submit(line: string): void {
    this.queue.push(line);
    this.set({ queued: this.snap.busy ? this.queue.length : 0 });
    if (!this.snap.busy) void this.drain();
  }

  private async drain(): Promise<void> {
    while (this.queue.length) {
      const line = this.queue.shift()!;
      this.set({ busy: true, queued: this.queue.length });
      await this.runOne(line);
    }
    this.set({ busy: false, queued: 0 });
  }

  private async runOne(line: string): Promise<void> {
    const ctx = this.o.context();
    const session = this.snap.ssh;
    if (session) {
      this.append([{ text: `${sshPrompt(session)}${line}` }]);
      if (!line.trim() || !ctx) return;
      const r = await runGuestLine(line, session, ctx);
      this.append(r.lines);
      this.set({ ssh: r.session });
      if (!r.session) ctx.view.refreshAll();
      return;
    }
    this.append([{ text: `> ${line}`, bold: true }]);
    if (!line.trim()) return;
    this.o.history.add(line);
    if (!ctx) {
      this.append([{ text: "still starting: run it again in a moment", color: "yellow" }]);
      return;
    }
    const r = await runLine(line, ctx);
    if (r.clear) this.set({ output: [] });
    this.append(r.lines);
    if (r.ssh) this.set({ ssh: r.ssh });
    if (r.view) this.showView(r.view);
    if (r.exit) this.o.onExit();
  }

  /** Switches the view at the top (and gives it the focus). */
  showView(kind: ResourceKind): void {
    void this.o.context()?.view.ensure(kind);
    this.set({ ui: switchView(this.snap.ui, kind) });
  }

  /** For completion of `:names`. */
  static viewNamed = kindNamed;
}
