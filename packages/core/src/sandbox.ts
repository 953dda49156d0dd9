/**
 * A sandbox: the state, the simulated clock and the action table, composed. Every mutation goes
 * through `call` (EC2 actions and the sandbox's own) or the clock, and comes back as events that the
 * host persists and streams. Time moves only when the host says so: `sync()` fires the transitions
 * that are due by the simulated clock, which itself runs off an injected real clock.
 */
import { accountActions, createAccountEvent, type NewAccount } from "./accounts.ts";
import type {
  Ec2Action,
  Ec2Input,
  Ec2Output,
  IamAction,
  IamInput,
  IamOutput,
  SsmAction,
  SsmInput,
  SsmOutput,
  StsAction,
  StsInput,
  StsOutput,
} from "./action-types.ts";
import { addressActions } from "./addresses.ts";
import { type CostReport, costReport } from "./billing.ts";
import { catalogEntryActions } from "./catalog-entry.ts";
import { checkAdvance, checkSpeed, reanchor, simNow } from "./clock.ts";
import { defaultNetworkActions } from "./default-network.ts";
import { Ec2Error, errors, isEc2Error } from "./errors.ts";
import type { EventEnvelope } from "./events.ts";
import { applyEnvelope } from "./fold.ts";
import { guestActions } from "./guest/guest-actions.ts";
import { iamActions } from "./iam/index.ts";
import { imageBuilderActions } from "./image-builder.ts";
import { imageActions, imageTimer } from "./images.ts";
import { instanceRoleSession, profileAssociationActions } from "./instance-profile-associations.ts";
import { instanceTypeActions } from "./instance-types.ts";
import { forgetTimer, instanceActions, instanceTimer } from "./instances.ts";
import { internetGatewayActions } from "./internet-gateways.ts";
import { type KeyMaterial, nodeKeyMaterial } from "./key-material.ts";
import { keyPairActions } from "./key-pairs.ts";
import { launchTemplateActions } from "./launch-templates.ts";
import { natGatewayActions, natGatewayTimer } from "./nat-gateways.ts";
import { networkAclActions } from "./network-acls.ts";
import { networkInterfaceActions } from "./network-interfaces.ts";
import { regionActions, requireRegion } from "./regions.ts";
import { routeTableActions } from "./route-tables.ts";
import { securityGroupActions } from "./security-groups.ts";
import { restoreState, type SandboxSnapshot } from "./snapshot.ts";
import { spotActions } from "./spot.ts";
import { ssmActions } from "./ssm/index.ts";
import { newState, regionState, type SandboxState, type Timer } from "./state.ts";
import { sessionOf, stsActions } from "./sts.ts";
import { subnetActions } from "./subnets.ts";
import { tagActions } from "./tags.ts";
import { type ActionHandler, type CallContext, Tx } from "./tx.ts";
import { volumeActions } from "./volumes.ts";
import { vpcActions } from "./vpcs.ts";

type Handler = ActionHandler;

const FAMILY_ACTIONS = {
  ...regionActions,
  ...accountActions,
  ...instanceTypeActions,
  ...vpcActions,
  ...subnetActions,
  ...internetGatewayActions,
  ...routeTableActions,
  ...networkAclActions,
  ...networkInterfaceActions,
  ...natGatewayActions,
  ...launchTemplateActions,
  ...defaultNetworkActions,
  ...keyPairActions,
  ...securityGroupActions,
  ...tagActions,
  ...volumeActions,
  ...imageActions,
  ...instanceActions,
  ...profileAssociationActions,
  ...addressActions,
  ...imageBuilderActions,
  ...guestActions,
  ...catalogEntryActions,
  ...stsActions,
  ...iamActions,
  ...ssmActions,
  ...spotActions,
};

/**
 * Each action's handler against the SDK's own types — EC2's by name, IAM's, STS's and SSM's by
 * their prefixed names (`iam:CreateRole`) against @aws-sdk/client-iam, -sts and -ssm: its input
 * must take the action's request and its answer must be the action's result, so the compiler
 * holds every handler — a new family's too — to the official model, not only the Describe
 * builders. The sandbox's own actions (`SshConnect`, …) have no model and keep their own types.
 */
export type ModelTyped<T> = {
  [K in keyof T]: K extends Ec2Action
    ? (tx: Tx, input: Ec2Input<K>) => Ec2Output<K>
    : K extends `iam:${infer A}`
      ? A extends IamAction
        ? (tx: Tx, input: IamInput<A>) => IamOutput<A>
        : never // not an IAM action
      : K extends `sts:${infer A}`
        ? A extends StsAction
          ? (tx: Tx, input: StsInput<A>) => StsOutput<A>
          : never
        : K extends `ssm:${infer A}`
          ? A extends SsmAction
            ? (tx: Tx, input: SsmInput<A>) => SsmOutput<A>
            : never
          : T[K];
};

/**
 * Every action a sandbox answers, by EC2 action name (plus a few of its own); the other services'
 * actions carry their service prefix, as in IAM policies (`sts:GetCallerIdentity`, `iam:CreateRole`).
 */
export const ACTIONS: Readonly<Record<string, Handler>> = FAMILY_ACTIONS satisfies ModelTyped<typeof FAMILY_ACTIONS>;

/** Actions that take a ClientToken and must answer a repeat with the first answer. */
const IDEMPOTENT = new Set([
  "RunInstances",
  "CopyImage",
  "CreateImage",
  "CreateVolume",
  "CopySnapshot",
  "CreateSnapshot",
  "RegisterImage",
  "AllocateAddress",
  "CreateNetworkInterface",
  "CreateNatGateway",
  "CreateLaunchTemplate",
  "RequestSpotInstances",
]);

/** Actions a client may call without a region's resources being touched (no clock sync needed). */
export const SANDBOX_ONLY_ACTIONS = new Set([
  "SshConnect",
  "GuestRun",
  "CreateImageRecipe",
  "CreateImagePipeline",
  "StartImagePipelineExecution",
  "RollbackImagePipeline",
  "ListImagePipelineImages",
  "DescribeCatalogEntry",
]);

export interface SandboxOptions {
  seed?: string;
  /** Simulated start time (epoch ms). */
  start?: number;
  /** The real clock the simulated one runs off (injected; default Date.now). */
  realNow?: () => number;
  keys?: KeyMaterial;
  /**
   * The host's per-install secret: accounts created from now on get access keys derived from it
   * (`credentialsFor`), so no one else can compute them. Not part of the state: keys are recorded
   * in `AccountCreated`, so replays need it only for accounts created after them.
   */
  installSecret?: string;
}

export interface CallResult<T = unknown> {
  output: T;
  events: EventEnvelope[];
}

export type EventListener = (events: readonly EventEnvelope[]) => void;

export class Sandbox {
  readonly state: SandboxState;
  private readonly realNow: () => number;
  private readonly keys: KeyMaterial;
  private readonly installSecret: string | undefined;
  private readonly listeners = new Set<EventListener>();

  constructor(opts: SandboxOptions = {}) {
    this.state = newState(opts.seed ?? "ec2sim", opts.start);
    this.realNow = opts.realNow ?? Date.now;
    this.keys = opts.keys ?? nodeKeyMaterial;
    this.installSecret = opts.installSecret;
  }

  /** Rebuilds a sandbox from its log (optionally only up to a sequence number: a branch point). */
  static replay(events: Iterable<EventEnvelope>, opts: SandboxOptions & { upTo?: number } = {}): Sandbox {
    const sb = new Sandbox(opts);
    for (const e of events) {
      if (opts.upTo !== undefined && e.seq > opts.upTo) break;
      applyEnvelope(sb.state, e);
    }
    return sb;
  }

  /**
   * Rebuilds a sandbox from a snapshot of its folded state (`snapshotState`); fold the events after
   * `snapshot.seq` with `apply`. The seed comes from the snapshot.
   */
  static fromSnapshot(
    snapshot: SandboxSnapshot,
    opts: Omit<SandboxOptions, "seed" | "start"> & { seed?: string } = {},
  ): Sandbox {
    if (opts.seed !== undefined && opts.seed !== snapshot.seed)
      throw new Error(`snapshot is of seed '${snapshot.seed}', not '${opts.seed}'`);
    const sb = new Sandbox({ ...opts, seed: snapshot.seed });
    (sb as unknown as { state: SandboxState }).state = restoreState(snapshot);
    return sb;
  }

  /** Folds events produced elsewhere (another replica, a replay) into this sandbox. */
  apply(events: readonly EventEnvelope[]): void {
    for (const e of events) applyEnvelope(this.state, e);
    if (events.length) this.emitToListeners(events);
  }

  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emitToListeners(events: readonly EventEnvelope[]): void {
    for (const l of this.listeners) l(events);
  }

  /** The simulated time now. */
  get now(): number {
    return Math.max(this.state.now, simNow(this.state.clock, this.realNow()));
  }

  /** Fires every transition due by the simulated clock. */
  sync(): EventEnvelope[] {
    return this.runTimers(this.now);
  }

  private runTimers(until: number): EventEnvelope[] {
    const out: EventEnvelope[] = [];
    const q = this.state.timers;
    for (let t = q.peek(); t && t.at <= until; t = q.peek()) {
      q.pop();
      out.push(...this.fire(t));
    }
    if (until > this.state.now) this.state.now = until;
    if (out.length) this.emitToListeners(out);
    return out;
  }

  private fire(t: Timer): EventEnvelope[] {
    const tx = new Tx(
      this.state,
      { accountId: "", region: t.region },
      Math.max(t.at, this.state.now),
      applyEnvelope,
      this.keys,
      ACTIONS,
    );
    try {
      const r = regionState(this.state, t.region);
      switch (t.kind) {
        case "instance":
          instanceTimer(tx, t.id);
          break;
        case "forget-instance":
          forgetTimer(tx, t.id);
          break;
        case "image":
          imageTimer(tx, t.id);
          break;
        case "nat-gateway":
          natGatewayTimer(tx, t.id);
          break;
        case "snapshot": {
          const s = r.snapshots.get(t.id);
          if (s && s.state === "pending" && (s.completedAt ?? 0) <= tx.now)
            tx.emit({ type: "SnapshotStateChanged", region: t.region, snapshotId: t.id, state: "completed" });
          break;
        }
        case "volume": {
          const v = r.volumes.get(t.id);
          if (v && v.state === "creating" && (v.availableAt ?? 0) <= tx.now)
            tx.emit({ type: "VolumeStateChanged", region: t.region, volumeId: t.id, state: "available" });
          break;
        }
        case "volume-modification": {
          const v = r.volumes.get(t.id);
          // Recorded as an event, so a replay and the live sandbox agree on the modification's state.
          if (v?.modification && v.modification.state !== "completed" && v.modification.doneAt <= tx.now) {
            tx.emit({ type: "VolumeModificationCompleted", region: t.region, volumeId: t.id });
          }
          break;
        }
      }
      return tx.commit();
    } catch (e) {
      tx.abort();
      throw e;
    }
  }

  /** Moves the simulated clock forward by hand, firing what falls due on the way. */
  advance(ms: number): EventEnvelope[] {
    checkAdvance(ms, this.now);
    const target = this.now + ms;
    const events = this.runTimers(target);
    return [...events, ...this.clockEvent({ simAt: target })];
  }

  /** Pause, resume, or change the speed of the simulated clock. */
  setClock(change: { speed?: number; paused?: boolean }): EventEnvelope[] {
    if (change.speed !== undefined) checkSpeed(change.speed);
    if (change.paused !== undefined && typeof change.paused !== "boolean")
      throw new Ec2Error("InvalidParameterValue", "paused must be true or false");
    const fired = this.sync();
    return [...fired, ...this.clockEvent(change)];
  }

  private clockEvent(change: { speed?: number; paused?: boolean; simAt?: number }): EventEnvelope[] {
    const at = change.simAt ?? this.now;
    const clock = reanchor(this.state.clock, at, this.realNow(), change);
    const env: EventEnvelope = { seq: this.state.seq + 1, at, event: { type: "ClockChanged", clock } };
    applyEnvelope(this.state, env);
    this.emitToListeners([env]);
    return [env];
  }

  /** Whether an account may move the shared clock: an operator (until named, the first account created). */
  isClockOperator(accountId: string): boolean {
    const ops = this.state.clockOperators ?? [...this.state.accounts.keys()].slice(0, 1);
    return ops.includes(accountId);
  }

  /** Names the accounts that may move the clock (each must exist). */
  setClockOperators(accountIds: string[]): EventEnvelope[] {
    for (const id of accountIds)
      if (!this.state.accounts.has(id))
        throw new Ec2Error(
          "InvalidParameterValue",
          `Account ${String(id).slice(0, 20)} does not exist in this sandbox`,
        );
    const env: EventEnvelope = {
      seq: this.state.seq + 1,
      at: this.now,
      event: { type: "ClockOperatorsSet", accountIds: [...new Set(accountIds)] },
    };
    applyEnvelope(this.state, env);
    this.emitToListeners([env]);
    return [env];
  }

  /** Adds an account (R3) with its credentials and default network. */
  createAccount(
    spec: NewAccount = {},
  ): CallResult<{ accountId: string; accessKeyId: string; secretAccessKey: string }> {
    const event = createAccountEvent(this.state, spec, this.installSecret);
    const env: EventEnvelope = { seq: this.state.seq + 1, at: this.now, event };
    applyEnvelope(this.state, env);
    this.emitToListeners([env]);
    return {
      output: { accountId: event.accountId, accessKeyId: event.accessKeyId, secretAccessKey: event.secretAccessKey },
      events: [env],
    };
  }

  accountForAccessKey(accessKeyId: string): { accountId: string; secretAccessKey: string } | undefined {
    // A role session (STS AssumeRole) acts as the role's account until it expires.
    const session = sessionOf(this.state, accessKeyId, this.now);
    if (session) return { accountId: session.accountId, secretAccessKey: session.secretAccessKey };
    // An instance's role credentials (from its metadata service) act as the role's account (R33).
    const instanceRole = accessKeyId.startsWith("ASIA")
      ? instanceRoleSession(this.state, accessKeyId, this.now)
      : undefined;
    if (instanceRole) return { accountId: instanceRole.accountId, secretAccessKey: instanceRole.secretAccessKey };
    const id = this.state.accountsByAccessKey.get(accessKeyId);
    const a = id ? this.state.accounts.get(id) : undefined;
    return a ? { accountId: a.accountId, secretAccessKey: a.secretAccessKey } : undefined;
  }

  static hasAction(action: string): boolean {
    return Object.hasOwn(ACTIONS, action);
  }

  /**
   * Runs one action for an account in a region. Due transitions fire first, so the action sees
   * the state as of now. Returns the answer and every event recorded (transitions included).
   */
  // biome-ignore lint/suspicious/noExplicitAny: the answer's type is the caller's to name (the SDK output of `action`)
  call<T = any>(ctx: CallContext, action: string, input: Record<string, unknown> = {}): CallResult<T> {
    const handler = Sandbox.hasAction(action) ? ACTIONS[action] : undefined;
    if (!handler) throw errors.invalidAction(action);
    if (!this.state.accounts.has(ctx.accountId)) throw errors.authFailure();
    requireRegion(ctx.region);
    const before = this.sync();
    const dryRun = input.DryRun === true;
    const token =
      typeof input.ClientToken === "string" && IDEMPOTENT.has(action)
        ? `${ctx.accountId}:${ctx.region}:${action}:${input.ClientToken}`
        : undefined;
    const { DryRun: _d, ClientToken: _c, ...rest } = input;
    const fingerprint = token ? stableJson(rest) : "";
    if (token && !dryRun) {
      const seen = this.state.clientTokens.get(token);
      if (seen) {
        if (seen.fingerprint !== fingerprint) throw errors.idempotentMismatch();
        return { output: seen.output as T, events: before };
      }
    }
    const tx = new Tx(this.state, ctx, this.now, applyEnvelope, this.keys, ACTIONS, dryRun);
    let output: unknown;
    try {
      output = handler(tx, input);
      if (dryRun) throw errors.dryRun();
      if (token)
        tx.emit({ type: "ClientTokenRecorded", key: token, fingerprint, output: JSON.parse(JSON.stringify(output)) });
    } catch (e) {
      tx.abort();
      if (before.length && isEc2Error(e)) (e as Ec2Error & { events?: EventEnvelope[] }).events = before;
      throw e;
    }
    const events = tx.commit();
    if (events.length) this.emitToListeners(events);
    return { output: output as T, events: [...before, ...events] };
  }

  costReport(accountId?: string): CostReport {
    return costReport(this.state, this.now, accountId);
  }
}

function stableJson(v: unknown): string {
  if (v === null || typeof v !== "object") return JSON.stringify(v) ?? "null";
  if (Array.isArray(v)) return `[${v.map(stableJson).join(",")}]`;
  if (v instanceof Uint8Array) return JSON.stringify(Buffer.from(v).toString("base64"));
  return `{${Object.keys(v)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${stableJson((v as Record<string, unknown>)[k])}`)
    .join(",")}}`;
}

export type { CallContext };
