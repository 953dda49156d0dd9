/** Hooks over the live view: its snapshot, a ticking simulated clock, the terminal's size. */
import { useStdout } from "ink";
import { useEffect, useState, useSyncExternalStore } from "react";
import type { SandboxView, ViewSnapshot } from "../view/sandbox-view.ts";

export function useViewSnapshot(view: SandboxView): ViewSnapshot {
  return useSyncExternalStore(view.subscribe, view.getSnapshot, view.getSnapshot);
}

/** Simulated now, re-rendered once a second while the clock runs. */
export function useSimNow(view: SandboxView, snap: ViewSnapshot, everyMs = 1_000): number {
  const [, setTick] = useState(0);
  useEffect(() => {
    if (snap.clock.paused) return;
    const t = setInterval(() => setTick((n) => n + 1), everyMs);
    return () => clearInterval(t);
  }, [snap.clock.paused, everyMs]);
  return view.simNow();
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
