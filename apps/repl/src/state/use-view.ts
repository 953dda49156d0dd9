/** Hooks over the live view: a ticking simulated clock, the terminal's size. */
import { useStdout } from "ink";
import { useEffect, useState } from "react";
import type { SandboxView, ViewSnapshot } from "../view/sandbox-view.ts";

/**
 * Real ms until the clock's text (whole simulated seconds) next changes at `speed`, but not
 * sooner than `minMs` when it changes faster than that (×60: once a second, not 60 times).
 */
export function nextClockChange(simNow: number, speed: number, minMs = 1_000): number {
  const toNextSecond = (1_000 - (((simNow % 1_000) + 1_000) % 1_000)) / speed;
  return Math.ceil(toNextSecond < minMs && speed > 1 ? minMs : toNextSecond);
}

/**
 * Simulated now (never going back), re-rendered only when the header's clock would show another
 * second — at ×1 on each simulated second, at ×0.1 every 10 s, at ×60 once a second — and not at
 * all while the clock is paused or the connection is down. Every other change (rows, bill,
 * progress) redraws through the view's own notifications.
 */
export function useSimNow(view: SandboxView | undefined, snap: ViewSnapshot | undefined, minMs = 1_000): number {
  const [, setTick] = useState(0);
  const running = !!view && !!snap && !snap.clock.paused && snap.connection === "open";
  const speed = snap?.clock.speed ?? 1;
  useEffect(() => {
    if (!running || !view || !(speed > 0)) return;
    let timer: NodeJS.Timeout | undefined;
    const schedule = () => {
      timer = setTimeout(
        () => {
          setTick((n) => n + 1);
          schedule();
        },
        nextClockChange(view.simNow(), speed, minMs),
      );
    };
    schedule();
    return () => clearTimeout(timer);
  }, [running, view, speed, minMs]);
  return view ? view.simNow() : 0;
}

export function useTerminalSize(fallback = { columns: 80, rows: 24 }): { columns: number; rows: number } {
  const { stdout } = useStdout();
  const { columns: fc, rows: fr } = fallback;
  const [size, setSize] = useState(() => ({ columns: stdout.columns || fc, rows: stdout.rows || fr }));
  useEffect(() => {
    const onResize = () => setSize({ columns: stdout.columns || fc, rows: stdout.rows || fr });
    stdout.on("resize", onResize);
    return () => {
      stdout.off("resize", onResize);
    };
  }, [stdout, fc, fr]);
  return size;
}
