/**
 * The simulated clock. Simulated time is derived from an injected real clock: paused, advanced by
 * hand, or running at a speed (×1 real time, ×60 a minute per second). The clock never reads the
 * system time itself; the host passes `realNow`.
 */

export interface ClockState {
  /** Simulated epoch ms at the anchor. */
  simAtAnchor: number;
  /** Real epoch ms at the anchor (only meaningful while running). */
  realAtAnchor: number;
  /** Simulated ms per real ms. */
  speed: number;
  paused: boolean;
}

/** 2025-01-06T09:00:00Z: a Monday morning, so sandboxes start at a recognisable moment. */
export const DEFAULT_EPOCH = Date.UTC(2025, 0, 6, 9, 0, 0);

export const initialClock = (start = DEFAULT_EPOCH, speed = 1, paused = true): ClockState => ({
  simAtAnchor: start,
  realAtAnchor: 0,
  speed,
  paused,
});

/** Simulated time for a real instant. Never goes below the anchor. */
export function simNow(clock: ClockState, realNow: number): number {
  if (clock.paused) return clock.simAtAnchor;
  return clock.simAtAnchor + Math.max(0, realNow - clock.realAtAnchor) * clock.speed;
}

/** Re-anchor the clock at `sim` (the current simulated time) with new settings. */
export function reanchor(
  clock: ClockState,
  sim: number,
  realNow: number,
  change: { speed?: number; paused?: boolean },
): ClockState {
  return {
    simAtAnchor: sim,
    realAtAnchor: realNow,
    speed: change.speed ?? clock.speed,
    paused: change.paused ?? clock.paused,
  };
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Parses `90s`, `5m`, `1h30m`, `2d`, `250ms` into ms; undefined if it is not a duration. */
export function parseDuration(text: string): number | undefined {
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/g;
  const compact = text.trim().toLowerCase().replace(/\s+/g, "");
  if (!compact || !/^((\d+(?:\.\d+)?)(ms|s|m|h|d))+$/.test(compact)) return undefined;
  let total = 0;
  for (const m of compact.matchAll(re)) total += Number(m[1]) * UNIT_MS[m[2]!]!;
  return Math.round(total);
}

/** `1h 2m 3s` style text for a duration in ms. */
export function formatDuration(ms: number): string {
  const s = Math.floor(ms / 1000);
  const d = Math.floor(s / 86400),
    h = Math.floor((s % 86400) / 3600),
    m = Math.floor((s % 3600) / 60);
  const parts: string[] = [];
  if (d) parts.push(`${d}d`);
  if (h) parts.push(`${h}h`);
  if (m) parts.push(`${m}m`);
  if (s % 60 || parts.length === 0) parts.push(`${s % 60}s`);
  return parts.join(" ");
}
