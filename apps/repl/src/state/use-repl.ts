/**
 * The REPL's behaviour as one hook: the line editor, running commands (or shell lines inside an
 * ssh session), completion, and the output buffer. Components only draw what it returns.
 */
import { useCallback, useRef, useState } from "react";
import { applyTab, type Candidate } from "../commands/complete.ts";
import { type OutLine, type RunContext, runGuestLine, runLine, type SshSession, sshPrompt } from "../commands/run.ts";
import type { History } from "./history.ts";
import { type EditorState, editKey, emptyEditor, type KeyInput } from "./line-editor.ts";

export const MAX_OUTPUT_LINES = 2_000;

export interface ReplState {
  editor: EditorState;
  output: OutLine[];
  busy: boolean;
  ssh: SshSession | undefined;
  candidates: Candidate[];
  prompt: string;
}

export interface UseReplOptions extends RunContext {
  history: History;
  onExit: () => void;
  /** Lines shown before the first prompt. */
  greeting?: OutLine[];
}

export function useRepl(opts: UseReplOptions): ReplState & { handleKey: (key: KeyInput) => void } {
  const [editor, setEditor] = useState<EditorState>(emptyEditor);
  const [output, setOutput] = useState<OutLine[]>(opts.greeting ?? []);
  const [busy, setBusy] = useState(false);
  const [ssh, setSsh] = useState<SshSession | undefined>(undefined);
  const [candidates, setCandidates] = useState<Candidate[]>([]);
  // The latest values, for key handlers that run between renders (fast typing, pasted text).
  const ref = useRef({ editor, busy, ssh, opts });
  ref.current.opts = opts;

  const append = useCallback((lines: OutLine[]) => {
    if (!lines.length) return;
    setOutput((prev) => {
      const next = prev.concat(lines);
      return next.length > MAX_OUTPUT_LINES ? next.slice(next.length - MAX_OUTPUT_LINES) : next;
    });
  }, []);

  // Stable setters that keep the ref and the rendered state together.
  const setEditorBoth = useCallback((e: EditorState) => {
    ref.current.editor = e;
    setEditor(e);
  }, []);
  const setSshBoth = useCallback((s: SshSession | undefined) => {
    ref.current.ssh = s;
    setSsh(s);
  }, []);
  const setBusyBoth = useCallback((b: boolean) => {
    ref.current.busy = b;
    setBusy(b);
  }, []);

  const submit = useCallback(
    (line: string) => {
      const o = ref.current.opts;
      const session = ref.current.ssh;
      setCandidates([]);
      if (session) {
        append([{ text: `${sshPrompt(session)}${line}` }]);
        if (!line.trim()) return;
        setBusyBoth(true);
        void runGuestLine(line, session, o).then((r) => {
          append(r.lines);
          setSshBoth(r.session);
          setBusyBoth(false);
          if (!r.session) o.view.refreshAll();
        });
        return;
      }
      append([{ text: `> ${line}`, bold: true }]);
      if (!line.trim()) return;
      o.history.add(line);
      setBusyBoth(true);
      void runLine(line, o).then((r) => {
        if (r.clear) setOutput([]);
        append(r.lines);
        if (r.ssh) setSshBoth(r.ssh);
        setBusyBoth(false);
        if (r.exit) o.onExit();
      });
    },
    [append, setBusyBoth, setSshBoth],
  );

  const handleKey = useCallback(
    (key: KeyInput) => {
      const o = ref.current.opts;
      const cur = ref.current.editor;
      if (ref.current.busy && !(key.ctrl && (key.input === "c" || key.input === "d"))) {
        // typing ahead is kept; Enter waits until the command is done
        if (key.return || key.tab) return;
      }
      const { state, effect } = editKey(cur, key, o.history);
      if (!effect) {
        setEditorBoth(state);
        if (candidates.length && state.line !== cur.line) setCandidates([]);
        return;
      }
      switch (effect.kind) {
        case "submit":
          setEditorBoth(state);
          submit(effect.line);
          return;
        case "complete": {
          if (ref.current.ssh) return;
          const snap = o.view.getSnapshot();
          const { line, shown } = applyTab(cur.line.slice(0, cur.cursor), snap);
          const rest = cur.line.slice(cur.cursor);
          setEditorBoth({ line: line + rest, cursor: line.length });
          setCandidates(shown);
          return;
        }
        case "cancel":
          setEditorBoth(state);
          setCandidates([]);
          append([{ text: `${ref.current.ssh ? sshPrompt(ref.current.ssh) : "> "}${cur.line}^C`, dim: true }]);
          return;
        case "clear-screen":
          setOutput([]);
          return;
        case "exit":
          if (ref.current.ssh) {
            append([{ text: `logout\nConnection to ${ref.current.ssh.host} closed.`, dim: true }]);
            setSshBoth(undefined);
            o.view.refreshAll();
            return;
          }
          o.onExit();
          return;
      }
    },
    [append, submit, candidates.length, setSshBoth, setEditorBoth],
  );

  return { editor, output, busy, ssh, candidates, prompt: ssh ? sshPrompt(ssh) : "> ", handleKey };
}
