/**
 * The executor of a store this process alone writes (the journal, the memory store).
 *
 * - Ordering: every command on a sandbox runs to completion synchronously (core is synchronous),
 *   so two commands never interleave; before each one the due transitions fire (`sb.sync()`), and
 *   the events a command produced are handed to the store in the same tick, in seq order. Appends
 *   are pipelined: the store group-commits appends that arrive while an fsync is in flight, which
 *   is what lets 20 concurrent clients share one fsync.
 * - Durability: a command's answer is released only when every event up to and including its own
 *   is durable (`tail`, a promise that resolves in seq order). That holds for reads too, so no
 *   client ever sees a state that a crash could take back.
 * - Faults: if an append fails (a full disk, a read-only directory), the sandbox is marked broken
 *   and evicted; its pending answers are `ServiceUnavailable`. It reloads from the store's durable
 *   state at once, and from then on reads (Describe*, the cost report) answer from that state —
 *   without firing due transitions, which would be writes — while writes answer
 *   `ServiceUnavailable` until the next retry: the first write after it reloads the sandbox again
 *   (the journal store reopens its files then) and runs; retries back off from 250 ms to 5 s.
 */
import type { EventEnvelope } from "@ec2sim/core";
import { type LoadedSandbox, StoreConflictError } from "../store/store.ts";
import { reanchorClock } from "./clock.ts";
import { serviceUnavailable } from "./errors.ts";
import { BaseExecutor, CONFLICT_RETRIES } from "./executor.ts";
import type { Hosted, HostedView, Mutation } from "./hosted.ts";

/** A sandbox whose store failed a write: reads answer from its durable state, writes wait for `retryAt`. */
interface Fault {
  error: Error;
  delayMs: number;
  /** Real ms (Date.now) from which a write may try again. */
  retryAt: number;
}
const FAULT_FIRST_RETRY_MS = 250;
const FAULT_MAX_RETRY_MS = 5_000;

/** Another writer appended first (a `broken` that only asks for a reload). */
const conflicted = (h: Hosted): boolean => h.broken instanceof StoreConflictError;

const noop: Mutation<void> = () => ({ output: undefined, events: [] });

export class SoleExecutor extends BaseExecutor<Hosted> {
  private readonly faults = new Map<string, Fault>();

  protected make(base: Hosted): Hosted {
    return base;
  }

  protected async created(): Promise<void> {}

  protected async loaded(h: Hosted, stored: LoadedSandbox): Promise<void> {
    this.registry.markReady(h);
    // Reloaded after a store fault: it was hosted all along, its clock did not rest (nor can it be written now).
    if (this.faults.has(h.name)) return;
    const events = reanchorClock(h.sb, this.realNow(), stored.clockMark);
    if (events.length) this.issue(h, events);
    await this.clockMarks.mark(h); // before anyone sees the resumed clock
  }

  protected tickOne(h: Hosted): void {
    const fault = this.faults.get(h.name);
    if (!fault) void this.clockMarks.mark(h); // no marks while the store fails writes
    if (fault && (Date.now() < fault.retryAt || !((h.sb.state.timers.peek()?.at ?? Infinity) <= h.sb.now))) return;
    this.execute(h, noop).catch((e) => this.log(`sandbox "${h.name}": clock tick failed`, e));
  }

  async view(name: string, current: boolean): Promise<HostedView> {
    let h = await this.hosted(name);
    if (current && h.broken) h = await this.rehost(h, 0);
    await h.tail.catch(() => undefined);
    return h;
  }

  protected broke(h: Hosted, error: Error): void {
    if (!(error instanceof StoreConflictError)) this.noteFault(h.name, error);
  }

  protected forgot(): void {}

  protected async settle(): Promise<void> {}

  protected mayTakeSnapshot(): boolean {
    return true;
  }

  protected execute<T>(h: Hosted, fn: Mutation<T>, read = false): Promise<T> {
    return this.attempt(h, fn, 0, read);
  }

  /** Sync, run, hand the events to the store in the same tick, then answer once everything up to here is durable. */
  private async attempt<T>(h: Hosted, fn: Mutation<T>, attempt: number, read: boolean): Promise<T> {
    if (conflicted(h) && attempt < CONFLICT_RETRIES)
      return this.attempt(await this.rehost(h, attempt), fn, attempt + 1, read);
    const fault = this.faults.get(h.name);
    if (fault || h.broken) {
      if (read) return this.readDurable(h.broken ? await this.rehost(h, 0) : h, fn);
      if (fault && Date.now() < fault.retryAt) throw faulted(h.name, fault);
      // Time to try again: reload from the store (which reopens its files), then run as usual.
      h = await this.rehost(h, 0);
      if (h.broken) throw serviceUnavailable(`sandbox '${h.name}' lost its journal (${h.broken.message})`);
    }
    if (h.sb !== this.registry.readyOne(h.name)?.sb) this.registry.markReady(h);
    const events: EventEnvelope[] = [];
    let output: T | undefined;
    let failure: unknown;
    let failed = false;
    try {
      events.push(...h.sb.sync());
      const r = fn(h.sb);
      output = r.output;
      events.push(...r.events);
    } catch (e) {
      failed = true;
      failure = e;
      const carried = (e as { events?: EventEnvelope[] } | null)?.events;
      if (Array.isArray(carried)) events.push(...carried);
    }
    if (events.length) this.issue(h, events);
    try {
      await h.tail;
    } catch (e) {
      // Another writer appended first: nothing of this command was stored, so run it again on the
      // sandbox as the store now has it.
      if (conflicted(h) && attempt < CONFLICT_RETRIES)
        return this.attempt(await this.rehost(h, attempt), fn, attempt + 1, false);
      throw e;
    }
    if (failed) throw failure;
    return output as T;
  }

  /** A read while the store fails writes: on the durable state as loaded, without firing due transitions. */
  private async readDurable<T>(h: Hosted, fn: Mutation<T>): Promise<T> {
    await h.tail.catch(() => undefined);
    const r = fn(h.sb);
    if (r.events.length) {
      this.breakHosted(h, new Error("a read changed the sandbox"));
      throw serviceUnavailable(`sandbox '${h.name}' cannot persist changes right now`);
    }
    return r.output;
  }

  /** Hands events to the store; `tail` then covers them. */
  private issue(h: Hosted, events: EventEnvelope[]): void {
    const first = events[0]!.seq;
    const last = events[events.length - 1]!.seq;
    const contiguous = first === h.issuedSeq + 1 && last - first === events.length - 1 && h.sb.state.seq === last;
    if (!contiguous) {
      this.breakHosted(
        h,
        new Error(`events ${first}..${last} do not follow seq ${h.issuedSeq} (state at ${h.sb.state.seq})`),
      );
      return;
    }
    const expected = h.issuedSeq;
    h.issuedSeq = last;
    const entries = events.map((e) => ({ seq: e.seq, event: e }));
    const appended = this.store.append(h.name, entries, expected).then(
      () => {
        h.durableSeq = last;
        if (this.faults.delete(h.name)) this.log(`sandbox "${h.name}": its store takes writes again`);
        this.snapshots.soon(h);
        this.told(h, events);
      },
      (e: unknown) => {
        this.breakHosted(h, e instanceof Error ? e : new Error(String(e)));
        throw serviceUnavailable(`sandbox '${h.name}' could not persist a change`);
      },
    );
    appended.catch(() => undefined); // observed through `tail`; unobserved when an earlier append failed first
    // Appends of one sandbox resolve in order; chaining keeps `tail` "everything so far".
    const prev = h.tail;
    h.tail = prev.then(() => appended);
    h.tail.catch(() => undefined);
  }

  /** Records (or extends, backing off) a sandbox's store fault. */
  private noteFault(name: string, error: Error): void {
    const prev = this.faults.get(name);
    const delayMs = prev ? Math.min(prev.delayMs * 2, FAULT_MAX_RETRY_MS) : FAULT_FIRST_RETRY_MS;
    this.faults.set(name, { error, delayMs, retryAt: Date.now() + delayMs });
  }
}

const faulted = (name: string, fault: Fault) =>
  serviceUnavailable(
    `sandbox '${name}' cannot persist changes right now (${fault.error.message}); reads still answer, writes are tried again from ${new Date(fault.retryAt).toISOString()}`,
  );
