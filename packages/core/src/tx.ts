/**
 * A transaction: one command (or one timer firing) against a sandbox. It validates against the
 * state, then emits events; each emitted event is folded in at once so the handler reads its own
 * writes. Handlers validate before they emit, so a refused command leaves no trace.
 */
import { Ec2Error, errors } from "./errors.ts";
import type { DomainEvent, EventEnvelope } from "./events.ts";
import { hash32, hex17, ID_PREFIX, type IdKind, unitFloat } from "./ids.ts";
import type { KeyMaterial } from "./key-material.ts";
import type { RegionState, SandboxState } from "./state.ts";
import { regionState } from "./state.ts";

export interface CallContext {
  accountId: string;
  region: string;
  /** The access key that signed the request, when known: it tells an account's root keys from a role session's. */
  accessKeyId?: string;
}

export type Fold = (state: SandboxState, env: EventEnvelope) => void;

/** An action of a resource family: validates, emits, answers in the SDK's output shape. */
// biome-ignore lint/suspicious/noExplicitAny: handlers take the SDK input of their own action; the table holds them all
export type ActionHandler = (tx: Tx, input: any) => unknown;

/**
 * The actions a transaction can run on behalf of a family (the sandbox's whole table): one family
 * calls another through it, inside the same transaction — as moto's backend calls through `self` —
 * instead of importing it (a cycle) or being wired with a hook at start-up.
 */
export type ActionsPort = Readonly<Record<string, ActionHandler>>;

export class Tx {
  readonly events: EventEnvelope[] = [];
  private readonly cursorAtStart: number;

  constructor(
    readonly state: SandboxState,
    readonly ctx: CallContext,
    readonly now: number,
    private readonly fold: Fold,
    readonly keys: KeyMaterial,
    private readonly actions: ActionsPort,
    readonly dryRun = false,
  ) {
    this.cursorAtStart = state.cursor;
  }

  /** Runs another action in this transaction (its events join this one's), e.g. a build's RunInstances. */
  call<O = unknown>(action: string, input: object): O {
    const handler = Object.hasOwn(this.actions, action) ? this.actions[action] : undefined;
    if (!handler) throw new Ec2Error("InternalError", `no action ${action}`, 500);
    return handler(this, input) as O;
  }

  get region(): RegionState {
    return regionState(this.state, this.ctx.region);
  }

  regionOf(name: string): RegionState {
    return regionState(this.state, name);
  }

  /** Records an event and folds it into the state. Under DryRun, the first emit is the answer. */
  emit(event: DomainEvent): void {
    if (this.dryRun) throw errors.dryRun();
    const env: EventEnvelope = { seq: this.state.seq + 1, at: this.now, event };
    this.fold(this.state, env);
    this.events.push(env);
  }

  /** A new EC2 ID (R1): a pure function of the seed and the cursor. */
  newId(kind: IdKind): string {
    const n = ++this.state.cursor;
    return `${ID_PREFIX[kind]}-${hex17(`${this.state.seed}:${n}`)}`;
  }

  /**
   * `length` characters of `alphabet` (IAM unique IDs such as `AROA…`, session keys and secrets): a
   * pure function of the seed and the cursor, like every ID.
   */
  newChars(length: number, alphabet: string): string {
    const n = ++this.state.cursor;
    let out = "";
    for (let i = 0; out.length < length; i++) {
      const h = hash32(`${this.state.seed}:${n}:${i}`, 11);
      for (let b = 0; b < 4 && out.length < length; b++) out += alphabet[((h >>> (b * 8)) & 0xff) % alphabet.length];
    }
    return out;
  }

  /** A deterministic float in [0, 1). */
  random(): number {
    return unitFloat(this.state.seed, ++this.state.cursor);
  }

  /** A deterministic integer in [lo, hi]. */
  randomInt(lo: number, hi: number): number {
    return lo + Math.floor(this.random() * (hi - lo + 1));
  }

  /** Closes the transaction: the cursor moves are carried by the last event, or undone. */
  commit(): EventEnvelope[] {
    const last = this.events[this.events.length - 1];
    if (last) {
      if (this.state.cursor !== this.cursorAtStart) last.cursor = this.state.cursor;
    } else {
      this.state.cursor = this.cursorAtStart;
    }
    return this.events;
  }

  /** Undo the cursor after a refusal (events are only emitted after validation). */
  abort(): void {
    if (this.events.length > 0) {
      // A handler emitted and then failed: the state holds half a command. That is a bug in core.
      throw new Ec2Error("InternalError", "An internal error has occurred", 500);
    }
    this.state.cursor = this.cursorAtStart;
  }
}
