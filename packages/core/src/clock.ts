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

import { Ec2Error } from "./errors.ts";

/**
 * Bounds (issue #11): simulated time stays a date every client can print (4-digit years: the
 * SDKs' timestamp parsers and `Date#toISOString` stop there), one advance moves at most ten years,
 * and the speed stays where a simulation makes sense. A log written by an earlier version that
 * broke them is repaired on load (`repairEnvelope`).
 */
export const MAX_SIM_TIME = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
/** Ten years, leap days included. */
export const MAX_ADVANCE_MS = 3653 * 86_400_000;
export const MIN_SPEED = 0.001;
export const MAX_SPEED = 100_000;

/** A simulated instant inside the bounds. */
export const validSimTime = (t: unknown): t is number =>
  typeof t === "number" && Number.isFinite(t) && t >= 0 && t <= MAX_SIM_TIME;

export const validSpeed = (s: unknown): s is number => typeof s === "number" && s >= MIN_SPEED && s <= MAX_SPEED;

export function validClock(c: ClockState | undefined): boolean {
  return (
    !!c &&
    validSimTime(c.simAtAnchor) &&
    Number.isFinite(c.realAtAnchor) &&
    validSpeed(c.speed) &&
    typeof c.paused === "boolean"
  );
}

/** Refuses an advance that is not a finite, non-negative number of ms of at most ten years, or that leaves year 9999. */
export function checkAdvance(ms: number, now: number): void {
  if (typeof ms !== "number" || !Number.isFinite(ms) || ms < 0)
    throw new Ec2Error(
      "InvalidParameterValue",
      `Cannot advance the clock by ${String(ms).slice(0, 40)} ms: give a finite, non-negative duration`,
    );
  if (ms > MAX_ADVANCE_MS)
    throw new Ec2Error(
      "InvalidParameterValue",
      `Cannot advance the clock by ${String(ms).slice(0, 40)} ms: one advance moves at most 10 years (${MAX_ADVANCE_MS} ms)`,
    );
  if (now + ms > MAX_SIM_TIME)
    throw new Ec2Error("InvalidParameterValue", "Cannot advance the clock past the end of year 9999");
}

export function checkSpeed(speed: number): void {
  if (!validSpeed(speed) || Number.isNaN(speed))
    throw new Ec2Error(
      "InvalidParameterValue",
      `Clock speed must be between ${MIN_SPEED} and ${MAX_SPEED}, not ${String(speed).slice(0, 40)}`,
    );
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
  return Math.min(MAX_SIM_TIME, clock.simAtAnchor + Math.max(0, realNow - clock.realAtAnchor) * clock.speed);
}

/**
 * An envelope from a log written before the bounds (issue #11) whose time, or clock, is out of
 * them: the clock change is dropped (the clock stays as it was) and every out-of-bounds time in it
 * becomes the last valid time, so the sandbox loads and goes on from there. `undefined` when the
 * envelope is fine. Never mutates `env`.
 */
export function repairEnvelope(
  env: { at: number; event: { type: string } },
  now: number,
  clock: ClockState,
): { at: number; event: { type: string } } | undefined {
  const e = env.event as { type: string; clock?: ClockState };
  const badClock = e.type === "ClockChanged" && !validClock(e.clock);
  if (validSimTime(env.at) && !badClock) return undefined;
  if (badClock) {
    const kept: { type: string; clock: ClockState } = { type: "ClockChanged", clock: { ...clock } };
    return { at: validSimTime(env.at) ? env.at : now, event: kept };
  }
  return { at: now, event: clampTimes(structuredClone(env.event), now) as { type: string } };
}

/** Numbers under keys that name a time (`…At`, `…Time`) beyond the bounds become `now`. */
function clampTimes(v: unknown, now: number): unknown {
  if (Array.isArray(v)) return v.map((x) => clampTimes(x, now));
  if (v === null || typeof v !== "object") return v;
  const o = v as Record<string, unknown>;
  for (const [k, x] of Object.entries(o)) {
    if (typeof x === "number" && /(At|Time)$/.test(k) && !validSimTime(x)) o[k] = now;
    else if (typeof x === "object") o[k] = clampTimes(x, now);
  }
  return o;
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
