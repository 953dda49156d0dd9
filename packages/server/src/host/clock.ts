/**
 * Simulated time around hosting: the re-anchor when a resting sandbox is hosted again, and the
 * clock marks written while it runs (see docs/ARCHITECTURE.md, "The host").
 */
import type { ClockState, EventEnvelope, Sandbox } from "@ec2sim/core";
import type { SandboxStore } from "../store/store.ts";
import type { Hosted } from "./hosted.ts";

/**
 * Simulated time stands still while a sandbox is not hosted: a running clock is re-anchored at the
 * last moment it was known to have reached, so a server that was down overnight at ×60 does not
 * wake up to 40 simulated days of uptime and bills. Time anyone saw never goes back: it resumes
 * from the later of the last event (a clean close records the moment it stopped) and the store's
 * clock mark (written ahead while it ran, for a crash). Folds the `ClockChanged` it records into
 * `sb` and returns it (nothing for a paused clock).
 */
export function reanchorClock(sb: Sandbox, realNow: number, clockMark?: number): EventEnvelope[] {
  const { state } = sb;
  if (state.clock.paused) return [];
  const at = Math.max(state.now, clockMark ?? state.now);
  const clock: ClockState = { ...state.clock, simAtAnchor: at, realAtAnchor: realNow };
  const env: EventEnvelope = { seq: state.seq + 1, at, event: { type: "ClockChanged", clock } };
  sb.apply([env]);
  return [env];
}

/** While a sandbox's clock runs: a mark in the store every `periodMs`, two periods ahead (it may be read after a crash). */
export class ClockMarker {
  constructor(
    private readonly store: SandboxStore,
    private readonly periodMs: number,
    private readonly realNow: () => number,
    private readonly log: (message: string, error?: unknown) => void,
  ) {}

  async mark(h: Hosted): Promise<void> {
    const clock = h.sb.state.clock;
    if (!this.store.markClock || this.periodMs <= 0 || clock.paused) return;
    const real = this.realNow();
    if (real - (h.markedAt ?? Number.NEGATIVE_INFINITY) < this.periodMs) return;
    h.markedAt = real;
    const ahead = clock.simAtAnchor + Math.max(0, real + 2 * this.periodMs - clock.realAtAnchor) * clock.speed;
    await this.store
      .markClock(h.name, ahead)
      .catch((e: unknown) => this.log(`sandbox "${h.name}": clock mark failed`, e));
  }
}
