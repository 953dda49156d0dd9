/** @jsxRuntime automatic */
/** @jsxImportSource react */
/**
 * The REPL's screen: the header, a live view at the top (k9s style: instances, images, volumes,
 * snapshots, security groups, key pairs, VPCs, subnets), work in progress, the output with its
 * scrollback, completions and the prompt. The frame is drawn at once; the session (server,
 * connection, first read) arrives behind it. The whole frame stays one row shorter than the
 * terminal, whatever the panes hold (see `layout`).
 */
import type { SandboxClient } from "@ec2sim/protocol";
import { Box, Text, useInput } from "ink";
import { type ReactNode, useEffect, useMemo, useRef, useState, useSyncExternalStore } from "react";
import { loadDocs } from "../commands/docs.ts";
import type { OutLine, RunContext, SessionControl } from "../commands/run.ts";
import { VIEW_KEYS } from "../commands/run.ts";
import { cellWidth, fit } from "../format/units.ts";
import { ReplController } from "../state/controller.ts";
import type { History } from "../state/history.ts";
import type { KeyStore } from "../state/key-store.ts";
import { cursorIndex, type TableState, type TableView, windowStart, withCursor } from "../state/ui.ts";
import { useSimNow, useTerminalSize } from "../state/use-view.ts";
import { type CellContext, columnsFor, visibleRows } from "../view/columns.ts";
import { KINDS } from "../view/resources.ts";
import type { BaseRow, SandboxView, ViewSnapshot } from "../view/sandbox-view.ts";
import { Header } from "./Header.tsx";
import { OutputPane } from "./OutputPane.tsx";
import { Pager } from "./Pager.tsx";
import { PendingPane } from "./PendingPane.tsx";
import { Completions, ConfirmLine, Prompt } from "./Prompt.tsx";
import { ResourceTable } from "./ResourceTable.tsx";

/** What the REPL talks to: a connection as one account, its live view, the keys kept for it. */
export interface Session {
  client: SandboxClient;
  view: SandboxView;
  keys: KeyStore;
  /** Lines shown when the session starts (where the server runs, how to reach it). */
  greeting?: OutLine[];
}

export interface AppProps {
  session?: Session;
  /** Resolves to the session once the server runs and the client is connected: the frame is drawn before. */
  connecting?: Promise<Session>;
  /** What start-up is doing, for the header until the session is there. */
  starting?: string;
  history: History;
  onExit: () => void;
  greeting?: OutLine[];
  /** Fixed size (tests); the terminal's otherwise. */
  size?: { columns: number; rows: number };
  /** The sandbox's accounts, and a session as one of them (`account NAME`). */
  accounts?: () => Promise<{ accountId: string; alias?: string }[]>;
  openAccount?: (account: string) => Promise<Session>;
  /** Told of each new session (the entry closes the old one on exit). */
  onSession?: (s: Session) => void;
}

/**
 * How many rows each pane gets; they add up to one row less than the terminal, always. A frame as
 * tall as the terminal makes Ink clear the screen on every redraw (flicker); a taller one scrolls
 * the terminal, and Ink's incremental writer, moving the cursor up by the frame's height, then
 * rewrites rows one off (stale rows stay on the screen). The prompt, the header, the rule and one
 * row of output come first; then completions (the user is typing), work in progress, the table.
 */
export function layout(
  rows: number,
  opts: { tableRows: number; tableFocused: boolean; pending: number; candidates: number; overlay: boolean },
) {
  const budget = Math.max(1, rows - 1);
  const fixed = 3; /* header, rule, prompt */
  if (opts.overlay)
    return {
      budget,
      tableRows: 0,
      pendingRows: 0,
      completionRows: 0,
      outputRows: 0,
      overlayRows: Math.max(0, budget - 2),
    };
  let left = Math.max(0, budget - fixed - 1);
  const take = (n: number) => {
    const t = Math.max(0, Math.min(n, left));
    left -= t;
    return t;
  };
  const completionRows = take(Math.min(opts.candidates, 6));
  // three in progress, and a line saying how many more
  const pendingRows = take(Math.min(opts.pending, 3) + (opts.pending > 3 ? 1 : 0));
  const share = opts.tableFocused ? 0.6 : 0.35;
  const wanted = opts.tableRows <= 0 ? 1 : opts.tableRows + 2;
  const tableRows = take(Math.min(wanted, Math.max(3, Math.floor(budget * share))));
  const outputRows = Math.max(0, budget - fixed - completionRows - pendingRows - tableRows);
  return { budget, tableRows, pendingRows, completionRows, outputRows, overlayRows: 0 };
}

/**
 * A pane of exactly `rows` rows, so the frame's height never moves. Not `overflow="hidden"`: Ink
 * clips every write through slice-ansi then, which made each frame cost half as much again; the
 * panes draw no more than their rows, each row cut at the terminal's width.
 */
function Rows({ rows, children }: { rows: number; children: ReactNode }) {
  if (rows <= 0) return null;
  return (
    <Box flexDirection="column" height={rows} flexShrink={0}>
      {children}
    </Box>
  );
}

/** What the keys need to know of a table: its rows' IDs in order, a page, its columns, the row under the cursor. */
function tableView(
  t: TableState,
  rows: readonly BaseRow[],
  ids: readonly string[],
  pageSize: number,
  cols: readonly { title: string }[],
): TableView {
  const at = cursorIndex(withCursor(t, ids), ids);
  const sel = at >= 0 ? rows[at] : undefined;
  return {
    ids,
    pageSize,
    columns: cols.map((c) => c.title),
    ...(sel
      ? {
          selected: {
            id: sel.id,
            region: sel.region,
            ...(sel.state ? { state: sel.state } : {}),
            ...(sel.name ? { name: sel.name } : {}),
          },
        }
      : {}),
  };
}

const NO_VIEW = { subscribe: () => () => undefined, getSnapshot: (): ViewSnapshot | undefined => undefined };

export function App(props: AppProps) {
  const terminal = useTerminalSize();
  const { columns, rows } = props.size ?? terminal;
  const [session, setSession] = useState<Session | undefined>(props.session);
  const [region, setRegion] = useState("us-east-1");
  const [starting, setStarting] = useState(props.starting);

  const view = session?.view;
  const store = view ?? NO_VIEW;
  const snap = useSyncExternalStore(store.subscribe, store.getSnapshot, store.getSnapshot) as ViewSnapshot | undefined;
  const now = useSimNow(view, snap);

  // the latest values, for the controller's callbacks
  const latest = useRef({
    session,
    region,
    columns,
    tableFor: undefined as ((t: TableState) => TableView) | undefined,
    outputRows: 1,
    control: undefined as SessionControl | undefined,
  });
  latest.current.session = session;
  latest.current.region = region;
  latest.current.columns = columns;

  const control = useMemo<SessionControl>(
    () => ({
      get region() {
        return latest.current.region;
      },
      setRegion: (r: string) => {
        latest.current.region = r;
        setRegion(r);
      },
      accounts: async () => (props.accounts ? props.accounts() : []),
      switchAccount: async (account: string) => {
        if (!props.openAccount) throw new Error("this REPL was given one account's keys only");
        const s = await props.openAccount(account);
        latest.current.session = s;
        setSession(s);
        props.onSession?.(s);
        return { accountId: s.client.accountId, ...(s.client.welcome.alias ? { alias: s.client.welcome.alias } : {}) };
      },
    }),
    [props.accounts, props.openAccount, props.onSession],
  );

  // one controller for the REPL's life; it reads the latest session, size and table through `latest`
  const controllerRef = useRef<ReplController | undefined>(undefined);
  latest.current.control = control;
  controllerRef.current ??= new ReplController({
    history: props.history,
    onExit: props.onExit,
    ...(props.greeting ? { greeting: props.greeting } : {}),
    context: (): RunContext | undefined => {
      const s = latest.current.session;
      return s ? { ...s, width: latest.current.columns, session: latest.current.control! } : undefined;
    },
    table: (t: TableState) => latest.current.tableFor?.(t) ?? { ids: [], pageSize: 1, columns: [] },
    outputPage: () => latest.current.outputRows,
  });
  const controller = controllerRef.current;
  useEffect(() => {
    if (!props.connecting) return;
    let live = true;
    props.connecting.then(
      (s) => {
        if (!live) return;
        latest.current.session = s;
        setSession(s);
        props.onSession?.(s);
        if (s.greeting) controller.append(s.greeting);
      },
      (e: unknown) => live && setStarting(`could not start: ${e instanceof Error ? e.message : String(e)}`),
    );
    return () => {
      live = false;
    };
  }, [props.connecting, props.onSession, controller]);
  const repl = useSyncExternalStore(controller.subscribe, controller.getSnapshot, controller.getSnapshot);
  useInput((input, key) => controller.input(input, { ...key, input }));

  useEffect(() => {
    void loadDocs(); // the flag docs for completion, after the first frame
  }, []);
  const ui = repl.ui;
  const kind = ui.table.kind;
  useEffect(() => {
    void view?.ensure(kind);
  }, [view, kind]);
  const cols = useMemo(() => columnsFor(kind, columns), [kind, columns]);
  const allRows = snap?.rows[kind] ?? [];
  const ctxRef = useRef<CellContext | undefined>(undefined);
  const cellCtx: CellContext | undefined = snap ? { now, snap } : undefined;
  ctxRef.current = cellCtx;
  // filtering and sorting depend on the rows, the filter and the sort — not on the clock ticking
  const { filter, sort } = ui.table;
  const shown = useMemo(
    () => (ctxRef.current ? visibleRows(allRows, { kind, filter, sort }, ctxRef.current) : []),
    [allRows, kind, filter, sort],
  );
  const ids = useMemo(() => shown.map((r) => r.id), [shown]);
  const overlayOpen = !!ui.overlay;
  const l = layout(rows, {
    tableRows: shown.length || (allRows.length ? 1 : 0),
    tableFocused: ui.focus === "table",
    pending: snap?.pending.length ?? 0,
    candidates: repl.candidates.length,
    overlay: overlayOpen,
  });
  const pageSize = overlayOpen ? Math.max(1, l.overlayRows - 2) : Math.max(1, l.tableRows - 2);
  // The cursor is on a row that is there: its own, or the one that took its place when it went (found
  // in the rows as they were the last time the cursor's row was among them). Drawn in the focused view.
  const cursorRows = useRef<{ kind: string; id: string; ids: readonly string[] } | undefined>(undefined);
  const cursorId = ui.table.cursorId;
  const before =
    cursorRows.current?.kind === kind && cursorRows.current.id === cursorId ? cursorRows.current.ids : undefined;
  const near = withCursor(ui.table, ids, before);
  if (cursorId !== undefined && near === ui.table && ids.length) cursorRows.current = { kind, id: cursorId, ids };
  const table = ui.focus === "table" ? near : ui.table;
  const start = windowStart(table, ids, Math.max(1, l.tableRows - 2));
  const drawn = tableView(near, shown, ids, pageSize, cols);
  latest.current.tableFor = (t: TableState): TableView => {
    const same =
      t.kind === kind && t.filter === filter && t.sort?.column === sort?.column && t.sort?.desc === sort?.desc;
    if (same)
      return t.cursorId === cursorId || t.cursorId === near.cursorId ? drawn : tableView(t, shown, ids, pageSize, cols);
    // keys of one chunk changed the filter or sort since this frame: the rows as they will be drawn
    const rows = cellCtx ? visibleRows(snap?.rows[t.kind] ?? [], t, cellCtx) : [];
    return tableView(
      t,
      rows,
      rows.map((r) => r.id),
      pageSize,
      t.kind === kind ? cols : columnsFor(t.kind, columns),
    );
  };
  latest.current.outputRows = l.outputRows;

  const ruleLabel =
    ui.focus === "table"
      ? ` :${KINDS[kind].names[0]} · ↑↓ move · ⏎ describe · / filter · : view · ? keys · Esc prompt `
      : ` :${KINDS[kind].names[0]}${ui.table.filter ? ` /${ui.table.filter}` : ""} · Esc: into the view · ? help `;
  const rule = fit(`──${ruleLabel}${"─".repeat(Math.max(0, columns - cellWidth(ruleLabel) - 2))}`, columns);

  return (
    <Box flexDirection="column" width={columns} height={l.budget}>
      <Rows rows={1}>
        <Header snap={snap} now={now} width={columns} region={region} {...(starting ? { starting } : {})} />
      </Rows>
      {ui.overlay ? (
        <Rows rows={l.overlayRows}>
          {ui.overlay.kind === "keys" ? (
            <Pager
              title="Keys (k9s style) — Esc closes"
              lines={VIEW_KEYS.map(([k, what]) => ({ text: `${fit(k, 22)} ${what}` }))}
              scroll={ui.overlay.scroll}
              height={l.overlayRows}
              width={columns}
            />
          ) : (
            <Pager
              title={`describe ${ui.overlay.id ?? ""} — Esc closes, r reads again`}
              lines={repl.describe?.lines ?? []}
              scroll={ui.overlay.scroll}
              height={l.overlayRows}
              width={columns}
            />
          )}
        </Rows>
      ) : (
        <>
          <Rows rows={l.tableRows}>
            {cellCtx ? (
              <ResourceTable
                table={table}
                columns={cols}
                rows={shown}
                total={allRows.length}
                start={start}
                height={l.tableRows}
                width={columns}
                focused={ui.focus === "table"}
                loaded={!!snap?.loaded[kind]}
                ctx={cellCtx}
              />
            ) : (
              <Text dimColor wrap="truncate-end">
                {fit(starting ?? "starting…", columns)}
              </Text>
            )}
          </Rows>
          <Rows rows={l.pendingRows}>
            <PendingPane pending={snap?.pending ?? []} now={now} width={columns} rows={l.pendingRows} />
          </Rows>
          <Rows rows={1}>
            <Text dimColor wrap="truncate-end">
              {rule}
            </Text>
          </Rows>
          <Rows rows={l.outputRows}>
            <OutputPane lines={repl.output} height={l.outputRows} width={columns} back={ui.outputScroll} />
          </Rows>
          <Rows rows={l.completionRows}>
            <Completions
              candidates={repl.candidates}
              selected={repl.selected}
              rows={l.completionRows}
              width={columns}
            />
          </Rows>
        </>
      )}
      <Rows rows={1}>
        {ui.confirm ? (
          <ConfirmLine confirm={ui.confirm} width={columns} />
        ) : (
          <Prompt
            editor={repl.editor}
            prompt={repl.prompt}
            busy={repl.busy}
            queued={repl.queued}
            width={columns}
            focused={ui.focus === "prompt" && !ui.overlay}
          />
        )}
      </Rows>
    </Box>
  );
}
