/**
 * The real-time ticker: every period it asks the executor to fire the transitions that are due in
 * each loaded sandbox (an executor decides per sandbox whether it may: a replica only where it
 * holds the clock lease, a faulted journal only once its retry time came), so time moves even when
 * nobody calls.
 */
export class Ticker {
  private readonly timer: NodeJS.Timeout | undefined;

  /** `periodMs` 0 never ticks. */
  constructor(periodMs: number, tick: () => void) {
    if (periodMs > 0) {
      this.timer = setInterval(tick, periodMs);
      this.timer.unref();
    }
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }
}
