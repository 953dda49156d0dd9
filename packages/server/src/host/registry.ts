/**
 * Which sandboxes are in memory. A sandbox is loaded once (concurrent first uses share one load),
 * evicted when its store fails it, and loaded again on next use.
 */
import type { Hosted } from "./hosted.ts";

export class SandboxRegistry<H extends Hosted> {
  private readonly loaded = new Map<string, Promise<H>>();
  /** Loads that finished, by name: what `current` hands out synchronously. */
  private readonly settled = new Map<string, H>();
  /** The sandboxes ready for synchronous reads (credential lookups); a broken one leaves at once. */
  private readonly ready = new Map<string, H>();

  /** The hosted sandbox, loading it with `load` unless it is loaded or loading. */
  get(name: string, load: () => Promise<H>): Promise<H> {
    let p = this.loaded.get(name);
    if (!p) {
      const loading = load();
      p = loading;
      this.loaded.set(name, loading);
      loading.then(
        (h) => {
          if (this.loaded.get(name) === loading) this.settled.set(name, h);
        },
        () => {
          if (this.loaded.get(name) === loading) this.loaded.delete(name);
        },
      );
    }
    return p;
  }

  /** Registers a sandbox made in memory (just created). */
  put(h: H): void {
    this.loaded.set(h.name, Promise.resolve(h));
    this.settled.set(h.name, h);
  }

  /** The loaded sandbox, synchronously, if its load finished. */
  current(name: string): H | undefined {
    return this.settled.get(name);
  }

  markReady(h: H): void {
    this.ready.set(h.name, h);
  }

  readyOne(name: string): H | undefined {
    return this.ready.get(name);
  }

  /** Drops `h` (broken): the next use loads the sandbox again. */
  evict(h: H): void {
    if (this.ready.get(h.name) === h) this.ready.delete(h.name);
    if (this.settled.get(h.name) === h) this.settled.delete(h.name);
    void this.loaded.get(h.name)?.then((cur) => {
      if (cur === h) this.loaded.delete(h.name);
    });
  }

  /** Drops `h` if it is still the loaded one, so the next `get` reloads. */
  async release(h: H): Promise<void> {
    const p = this.loaded.get(h.name);
    if (p && (await p.catch(() => undefined)) === h && this.loaded.get(h.name) === p) {
      this.loaded.delete(h.name);
      if (this.settled.get(h.name) === h) this.settled.delete(h.name);
    }
  }

  /** The load in progress or done, if any. */
  pending(name: string): Promise<H> | undefined {
    return this.loaded.get(name);
  }

  drop(name: string): void {
    this.loaded.delete(name);
    this.settled.delete(name);
    this.ready.delete(name);
  }

  loads(): Promise<H>[] {
    return [...this.loaded.values()];
  }

  entries(): IterableIterator<[string, Promise<H>]> {
    return this.loaded.entries();
  }
}
