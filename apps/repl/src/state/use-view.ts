/** Hooks over the live view: a ticking simulated clock, the terminal's size. */
import { useStdout } from "ink";
import { useEffect, useState } from "react";
import type { SandboxView, ViewSnapshot } from "../view/sandbox-view.ts";

/** Simulated now, re-rendered once a second while the clock runs (and never going back). */
export function useSimNow(view: SandboxView | undefined, snap: ViewSnapshot | undefined, everyMs = 1_000): number {
  const [, setTick] = useState(0);
  const running = !!snap && !snap.clock.paused && snap.connection === "open";
  useEffect(() => {
    if (!running) return;
    const t = setInterval(() => setTick((n) => n + 1), everyMs);
    return () => clearInterval(t);
  }, [running, everyMs]);
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
