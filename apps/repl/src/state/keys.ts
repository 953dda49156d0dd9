/**
 * Keys from a chunk of terminal input. Ink hands `useInput` one chunk at a time and treats a run
 * of ordinary bytes as one "key": two Backspaces sent together arrive as "\x7f\x7f" (which Ink
 * recognises as nothing), a pasted "tree\rimages\r" as one string with the Enters inside. Ink
 * already splits escape sequences (arrows, PgUp) out; this splits what is left into single keys:
 * each control character on its own (Enter, Tab, Backspace, Ctrl-letters), printable runs kept
 * together (a paste types fast).
 */
import type { KeyInput } from "./line-editor.ts";

/** Ink's key flags for one input event, plus the event's text. */
export interface InkKey extends KeyInput {
  pageUp?: boolean;
  pageDown?: boolean;
  home?: boolean;
  end?: boolean;
  shift?: boolean;
}

const NAMED = (k: InkKey) =>
  k.upArrow ||
  k.downArrow ||
  k.leftArrow ||
  k.rightArrow ||
  k.pageUp ||
  k.pageDown ||
  k.home ||
  k.end ||
  k.tab ||
  k.escape ||
  k.return ||
  k.backspace ||
  k.delete;

/** One Ink input event as the keys it holds. */
export function splitKeys(input: string, key: InkKey): InkKey[] {
  // A single key Ink recognised (an arrow, Enter, Tab, Ctrl-x): pass it on as it is.
  if (NAMED(key) || key.ctrl || input.length <= 1) return [{ ...key, input }];
  const out: InkKey[] = [];
  let text = "";
  const flush = () => {
    if (text) out.push({ input: text, ...(key.meta ? { meta: true } : {}) });
    text = "";
  };
  for (const ch of input) {
    const code = ch.codePointAt(0)!;
    if (code >= 0x20 && code !== 0x7f) {
      text += ch;
      continue;
    }
    flush();
    if (ch === "\r" || ch === "\n") out.push({ input: "", return: true });
    else if (ch === "\t") out.push({ input: "", tab: true });
    else if (ch === "\x7f" || ch === "\b") out.push({ input: "", backspace: true });
    else if (ch === "\x1b") out.push({ input: "", escape: true });
    else if (code >= 1 && code <= 26) out.push({ input: String.fromCharCode(code + 96), ctrl: true });
  }
  flush();
  return out;
}
