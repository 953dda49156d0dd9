/**
 * An Ink tree rendered with ink-testing-library, and ways to wait for what it draws: `until`
 * resolves on the first frame that satisfies a condition (checked on every frame Ink writes), so
 * tests wait on frames, not on sleeps. The deadline runs on the real clock even under fake timers.
 */
import { render } from "ink-testing-library";
import type { ReactElement } from "react";

const realSetTimeout = globalThis.setTimeout;
const realClearTimeout = globalThis.clearTimeout;

export const strip = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, "");

export interface Screen {
  readonly r: ReturnType<typeof render>;
  /** The last frame, without colours. */
  frame(): string;
  /** How many frames Ink wrote so far. */
  frames(): number;
  until(pred: (frame: string) => boolean, what: string, ms?: number): Promise<string>;
  /** Sends raw input (one chunk) and waits for a frame that satisfies `pred`. */
  send(data: string, pred: (frame: string) => boolean, what: string): Promise<string>;
  unmount(): void;
}

/**
 * `columns`: the terminal's width as Ink sees it (ink-testing-library's stdout is 100 wide; a frame
 * wider than that would be cut before the test sees it). Set before the first layout is kept.
 */
export function screen(tree: ReactElement, opts: { columns?: number } = {}): Screen {
  const r = render(tree);
  if (opts.columns) {
    Object.defineProperty(r.stdout, "columns", { value: opts.columns });
    r.rerender(tree);
  }
  const waiters = new Set<() => void>();
  const stdout = r.stdout as unknown as { write: (s: string) => void };
  const write = stdout.write;
  let count = 0;
  stdout.write = (s: string) => {
    write(s);
    count++;
    for (const w of [...waiters]) w();
  };
  const frame = () => strip(r.lastFrame() ?? "");
  const until = (pred: (f: string) => boolean, what: string, ms = 10_000) =>
    new Promise<string>((resolve, reject) => {
      if (pred(frame())) return resolve(frame());
      const check = () => {
        if (!pred(frame())) return;
        done();
        resolve(frame());
      };
      const timer = realSetTimeout(() => {
        done();
        reject(new Error(`timed out waiting for ${what}; the screen was:\n${frame()}`));
      }, ms);
      const done = () => {
        waiters.delete(check);
        realClearTimeout(timer);
      };
      waiters.add(check);
    });
  return {
    r,
    frame,
    frames: () => count,
    until,
    send: (data, pred, what) => {
      const p = until(pred, what);
      r.stdin.write(data);
      return p;
    },
    unmount: () => r.unmount(),
  };
}
