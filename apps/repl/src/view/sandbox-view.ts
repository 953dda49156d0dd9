// biome-ignore-all lint/suspicious/noExplicitAny: rows are read from EC2 answers the protocol client returns untyped
/**
 * What the REPL shows, kept live: the account's resources in every region, the bill and its
 * history, the clock, work in progress, and the recent events of each resource.
 *
 * - Loading: on start, instances and the account's images are read in every region (a restarted
 *   or second REPL knows nothing of where things are); other kinds when their view first opens.
 * - Keeping up: events from the subscription say what changed — each event names its region and
 *   the IDs it touches — and only those are re-read, by ID (`Filters: <kind>-id`, so an ID that is
 *   gone answers nothing and leaves the view), batched and throttled. Nothing re-reads a whole
 *   list because something changed, so 10,000 instances cost what the few that changed cost.
 * - Drawing: listeners are told at most once per `notifyMs`, however many events arrive.
 * A plain class with `subscribe`/`getSnapshot` for React's `useSyncExternalStore`.
 */
import { REGIONS } from "@ec2sim/core";
import type { ClockInfoT, ConnectionState, SandboxClient, WireEnvelope } from "@ec2sim/protocol";
import { money } from "../format/units.ts";
import { eventText } from "./event-text.ts";
import {
  type BaseRow,
  type ImageRow,
  type InstanceRow,
  KIND_LIST,
  KINDS,
  kindOfId,
  RESOURCE_ID,
  type ResourceKind,
} from "./resources.ts";

export type { BaseRow, GenericRow, ImageRow, InstanceRow, ResourceKind } from "./resources.ts";

export interface PendingWork {
  id: string;
  kind: "boot" | "stop" | "image" | "copy" | "snapshot" | "shutdown";
  label: string;
  start: number;
  end?: number;
}

export interface CostSample {
  at: number;
  total: number;
  byResource: Record<string, number>;
}

/** One event about a resource, for its describe view. */
export interface EventNote {
  seq: number;
  at: number;
  text: string;
}

export interface ViewSnapshot {
  connection: ConnectionState;
  sandbox: string;
  accountId: string;
  alias?: string;
  clock: ClockInfoT;
  instances: InstanceRow[];
  images: ImageRow[];
  /** Every kind's rows, in creation order (instances and images included). */
  rows: Record<ResourceKind, BaseRow[]>;
  /** Kinds read at least once. */
  loaded: Partial<Record<ResourceKind, true>>;
  /** Names of AMIs that are not the account's own (Quick Start, shared), for the AMI column and the tree. */
  imageNames: Record<string, string>;
  costTotal: number;
  costByResource: Record<string, number>;
  costHistory: CostSample[];
  pending: PendingWork[];
  lastSeq: number;
  /** Set when a refresh failed (shown in the header). */
  problem?: string;
  /** Bumped on every change (cheap memo key). */
  version: number;
}

export interface ViewOptions {
  /** Minimum ms between two re-reads of what events said changed (default 150). */
  throttleMs?: number;
  /** Re-read the bill this often while the clock runs (default 2000). */
  costEveryMs?: number;
  /** Cost samples kept for the chart. */
  historySize?: number;
  /** Listeners are told at most this often (default 50 ms). */
  notifyMs?: number;
  /** Regions to read (default: every region). */
  regions?: readonly string[];
  /** Events replayed at start for the describe view's history (default 2,000). */
  backfill?: number;
}

const EMPTY_ROWS = (): Record<ResourceKind, BaseRow[]> =>
  Object.fromEntries(KIND_LIST.map((k) => [k, []])) as unknown as Record<ResourceKind, BaseRow[]>;

export class SandboxView {
  private snap: ViewSnapshot;
  private readonly listeners = new Set<() => void>();
  private readonly tables = new Map<ResourceKind, Map<string, BaseRow>>();
  private readonly sorted = new Map<ResourceKind, BaseRow[]>();
  private readonly loading = new Map<ResourceKind, Promise<void>>();
  /** kind -> region -> IDs to re-read. */
  private readonly dirty = new Map<ResourceKind, Map<string, Set<string>>>();
  /** kind -> IDs re-read while a whole read of that kind ran (its older answer must not win). */
  private readonly rereadDuringLoad = new Map<ResourceKind, Map<string, string>>();
  private readonly names = new Map<string, string>();
  private readonly history = new Map<string, EventNote[]>();
  private readonly deadlines = new Map<string, { start: number; end?: number }>();
  private readonly regions: readonly string[];
  private flushTimer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  private lastFlush = 0;
  private notifyTimer: NodeJS.Timeout | undefined;
  private lastNotify = 0;
  private costTimer: NodeJS.Timeout | undefined;
  private costDue = false;
  private unsubscribe: (() => void) | undefined;
  private stopped = false;
  private historyFrom = 0;
  /** Resolves once instances, images and the bill were read the first time. */
  ready: Promise<void> = Promise.resolve();

  constructor(
    readonly client: SandboxClient,
    private readonly options: ViewOptions = {},
  ) {
    const w = client.welcome;
    this.regions = options.regions ?? REGIONS.map((r) => r.regionName);
    this.snap = {
      connection: client.state,
      sandbox: w.sandbox,
      accountId: w.accountId,
      ...(w.alias ? { alias: w.alias } : {}),
      clock: w.clock,
      instances: [],
      images: [],
      rows: EMPTY_ROWS(),
      loaded: {},
      imageNames: {},
      costTotal: 0,
      costByResource: {},
      costHistory: [],
      pending: [],
      lastSeq: w.lastSeq,
      version: 0,
    };
  }

  /** Subscribes to events and starts reading everything; `ready` says when the first read is done. */
  async start(): Promise<void> {
    this.client.onState((s) => {
      this.snap = { ...this.snap, connection: s };
      this.notify(true);
      if (s === "open") {
        // after a reconnect: what happened meanwhile is unknown, read it again
        for (const k of this.tables.keys()) void this.load(k);
        this.costDue = true;
        this.scheduleFlush();
      }
    });
    const last = this.client.welcome.lastSeq;
    this.historyFrom = last;
    const since = Math.max(0, last - (this.options.backfill ?? 2_000));
    this.unsubscribe = await this.client.subscribe((events, upTo) => this.onEvents(events, upTo), { since });
    this.ready = Promise.all([this.load("instances"), this.load("images"), this.loadCost()]).then(() => undefined);
    this.ready.catch(() => undefined);
    this.costTimer = setInterval(() => {
      if (!this.snap.clock.paused) {
        this.costDue = true;
        this.scheduleFlush();
      }
    }, this.options.costEveryMs ?? 2_000);
    this.costTimer.unref();
  }

  stop(): void {
    this.stopped = true;
    this.unsubscribe?.();
    if (this.costTimer) clearInterval(this.costTimer);
    if (this.flushTimer) clearTimeout(this.flushTimer);
    if (this.notifyTimer) clearTimeout(this.notifyTimer);
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getSnapshot = (): ViewSnapshot => this.snap;

  private shownNow = Number.NEGATIVE_INFINITY;
  /**
   * Simulated now, from the clock and the server's real clock. Never goes back on screen: while
   * the connection is down the clock is not extrapolated, and a resumed server (which never
   * resumes before what anyone saw) cannot show less than was shown.
   */
  simNow(): number {
    const c = this.snap.clock;
    const t =
      c.paused || this.snap.connection !== "open"
        ? c.simAtAnchor
        : c.simAtAnchor + Math.max(0, this.client.serverNow() - c.realAtAnchor) * c.speed;
    this.shownNow = Math.max(this.shownNow, t);
    return this.shownNow;
  }

  /** The recent events of a resource, newest last. */
  eventsOf(id: string): readonly EventNote[] {
    return this.history.get(id) ?? [];
  }

  /** A row by ID, whatever its kind. */
  find(id: string): BaseRow | undefined {
    const kind = kindOfId(id);
    return kind ? this.tables.get(kind)?.get(id) : undefined;
  }

  /** Reads a kind in every region unless it was read already (a view opening). */
  ensure(kind: ResourceKind): Promise<void> {
    return this.tables.has(kind) ? Promise.resolve() : this.load(kind);
  }

  /** Waits for the first read of `kinds` and for every re-read that events asked for (commands that print the view). */
  async refreshNow(...kinds: ResourceKind[]): Promise<void> {
    await Promise.all(kinds.map((k) => this.ensure(k)));
    await Promise.all(kinds.map((k) => this.loading.get(k)));
    if (this.flushTimer) {
      clearTimeout(this.flushTimer);
      this.flushTimer = undefined;
    }
    await this.flush();
  }

  /**
   * Finishes the re-reads already asked for (by the last command's `touch`, or by events), so a
   * name typed right after `image create … MyAMI` finds MyAMI. Reads nothing when nothing is due.
   */
  async settled(): Promise<void> {
    await Promise.all(this.loading.values());
    if (!this.dirty.size && !this.flushing && !this.flushTimer) return;
    if (this.flushTimer) {
      clearTimeout(this.flushTimer);
      this.flushTimer = undefined;
    }
    await this.flush();
  }

  /** A command changed these resources: re-read them soon (their events will say so too; this is quicker). */
  touch(ids: readonly string[], region: string): void {
    for (const id of ids) this.markDirty(id, region);
    this.scheduleFlush();
  }

  /** Reads everything again (after an ssh session, a reconnect). */
  refreshAll(): void {
    for (const k of this.tables.keys()) void this.load(k);
    this.costDue = true;
    this.scheduleFlush();
  }

  private load(kind: ResourceKind): Promise<void> {
    const running = this.loading.get(kind);
    if (running) return running;
    const spec = KINDS[kind];
    const work = (async () => {
      const rows = new Map<string, BaseRow>();
      await Promise.all(
        this.regions.map(async (region) => {
          if (this.stopped || this.client.state !== "open") return;
          const out = await this.client.call(spec.action, spec.input, region);
          for (const item of spec.items(out)) {
            const row = spec.row(item, region);
            rows.set(row.id, row);
          }
        }),
      );
      this.tables.set(kind, rows);
      // rows re-read while this read ran may be newer than its answer: read them again
      for (const [id, region] of this.rereadDuringLoad.get(kind) ?? []) this.markDirty(id, region);
      this.rereadDuringLoad.delete(kind);
      if (this.dirty.size) this.scheduleFlush();
      this.sorted.delete(kind);
      if (kind === "instances") await this.loadNames();
      this.changed(kind);
    })()
      .catch((e: unknown) => this.fail(e))
      .finally(() => this.loading.delete(kind));
    this.loading.set(kind, work);
    return work;
  }

  private fail(e: unknown): void {
    if (this.stopped) return;
    this.snap = { ...this.snap, problem: e instanceof Error ? e.message : String(e), version: this.snap.version + 1 };
    this.notify();
  }

  /** Names of the AMIs instances run that are not the account's own (public, shared), by region. */
  private async loadNames(): Promise<void> {
    const wanted = new Map<string, Set<string>>();
    const own = this.tables.get("images");
    for (const i of this.tables.get("instances")?.values() ?? []) {
      const r = i as InstanceRow;
      if (this.names.has(r.imageId) || own?.has(r.imageId)) continue;
      let set = wanted.get(r.region);
      if (!set) wanted.set(r.region, (set = new Set()));
      set.add(r.imageId);
    }
    await Promise.all(
      [...wanted].map(async ([region, ids]) => {
        for (const chunk of chunks([...ids], 200)) {
          const out = await this.client.call(
            "DescribeImages",
            { Filters: [{ Name: "image-id", Values: chunk }] },
            region,
          );
          for (const img of out.Images ?? []) this.names.set(img.ImageId, img.Name);
          for (const id of chunk) if (!this.names.has(id)) this.names.set(id, "(deregistered)");
        }
      }),
    );
  }

  private async loadCost(): Promise<void> {
    const report = await this.client.cost<{ at: number; total: number; byResource: Record<string, number> }>();
    const history = [...this.snap.costHistory];
    const lastAt = history.at(-1)?.at;
    if (lastAt === undefined || report.at > lastAt)
      history.push({ at: report.at, total: report.total, byResource: report.byResource });
    const max = this.options.historySize ?? 120;
    // the chart's history is read when `cost` prints it: only a bill the screen shows differently redraws
    const shown = !sameMoney(report, this.snap);
    this.snap = {
      ...this.snap,
      costTotal: report.total,
      costByResource: report.byResource,
      costHistory: history.slice(-max),
      version: this.snap.version + 1,
    };
    if (shown) this.notify();
  }

  private markDirty(id: string, region: string): void {
    const kind = kindOfId(id);
    if (!kind) return;
    if (!this.tables.has(kind)) {
      // the first read of this kind is under way and may have been answered before this change
      if (this.loading.has(kind)) this.rereadLater(kind, [id], region);
      return;
    }
    let byRegion = this.dirty.get(kind);
    if (!byRegion) this.dirty.set(kind, (byRegion = new Map()));
    let ids = byRegion.get(region);
    if (!ids) byRegion.set(region, (ids = new Set()));
    ids.add(id);
  }

  private scheduleFlush(): void {
    if (this.stopped || this.flushTimer) return;
    const wait = Math.max(0, this.lastFlush + (this.options.throttleMs ?? 150) - Date.now());
    this.flushTimer = setTimeout(() => {
      this.flushTimer = undefined;
      void this.flush();
    }, wait);
    this.flushTimer.unref();
  }

  /** Re-reads what events marked, by ID, and the bill when due. */
  private async flush(): Promise<void> {
    if (this.flushing) {
      await this.flushing;
      if (this.dirty.size || this.costDue) return this.flush();
      return;
    }
    if (this.stopped || this.client.state !== "open") return;
    this.lastFlush = Date.now();
    const work = [...this.dirty];
    this.dirty.clear();
    const cost = this.costDue;
    this.costDue = false;
    this.flushing = (async () => {
      const jobs: Promise<void>[] = work.flatMap(([kind, byRegion]) =>
        [...byRegion].map(([region, ids]) => this.reread(kind, region, [...ids])),
      );
      if (cost) jobs.push(this.loadCost());
      await Promise.all(jobs);
      if (work.some(([k]) => k === "instances")) {
        await this.loadNames();
        this.changed("instances");
      }
    })()
      .catch((e: unknown) => this.fail(e))
      .finally(() => (this.flushing = undefined));
    await this.flushing;
  }

  private rereadLater(kind: ResourceKind, ids: readonly string[], region: string): void {
    let during = this.rereadDuringLoad.get(kind);
    if (!during) this.rereadDuringLoad.set(kind, (during = new Map()));
    for (const id of ids) during.set(id, region);
  }

  private async reread(kind: ResourceKind, region: string, ids: string[]): Promise<void> {
    const spec = KINDS[kind];
    const table = this.tables.get(kind);
    if (!table) return;
    if (this.loading.has(kind)) this.rereadLater(kind, ids, region);
    for (const chunk of chunks(ids, 500)) {
      const out = await this.client.call(
        spec.action,
        { ...spec.input, Filters: [{ Name: spec.idFilter, Values: chunk }] },
        region,
      );
      const seen = new Set<string>();
      for (const item of spec.items(out)) {
        const row = spec.row(item, region);
        seen.add(row.id);
        // a row keeps its place in creation order while this REPL shows it, whatever the answer says now
        const known = table.get(row.id)?.created;
        if (known) row.created = known;
        table.set(row.id, row);
      }
      for (const id of chunk) if (!seen.has(id) && table.get(id)?.region === region) table.delete(id);
    }
    this.sorted.delete(kind);
    this.changed(kind);
  }

  /** Rebuilds the snapshot's rows of `kind` and tells listeners (coalesced). */
  private changed(kind: ResourceKind): void {
    const rows = this.rowsOf(kind);
    const patch: Partial<ViewSnapshot> = {
      rows: { ...this.snap.rows, [kind]: rows },
      loaded: { ...this.snap.loaded, [kind]: true },
    };
    if (kind === "instances") {
      patch.instances = rows as InstanceRow[];
      patch.imageNames = Object.fromEntries(this.names);
    }
    if (kind === "images") patch.images = rows as ImageRow[];
    const instances = patch.instances ?? this.snap.instances;
    const images = patch.images ?? this.snap.images;
    patch.pending = this.pendingFrom(instances, images);
    this.snap = { ...this.snap, ...patch, problem: undefined, version: this.snap.version + 1 };
    delete this.snap.problem;
    this.notify();
  }

  private rowsOf(kind: ResourceKind): BaseRow[] {
    let rows = this.sorted.get(kind);
    if (!rows) {
      rows = [...(this.tables.get(kind)?.values() ?? [])].sort(
        (a, b) => a.created - b.created || a.id.localeCompare(b.id),
      );
      this.sorted.set(kind, rows);
    }
    return rows;
  }

  /** Tells listeners, at most once per `notifyMs` (a burst of events draws one frame). */
  private notify(now = false): void {
    if (this.stopped) return;
    const fire = () => {
      this.notifyTimer = undefined;
      this.lastNotify = Date.now();
      for (const l of this.listeners) l();
    };
    if (now) {
      if (this.notifyTimer) clearTimeout(this.notifyTimer);
      fire();
      return;
    }
    if (this.notifyTimer) return;
    const wait = Math.max(0, this.lastNotify + (this.options.notifyMs ?? 50) - Date.now());
    this.notifyTimer = setTimeout(fire, wait);
    this.notifyTimer.unref();
  }

  private pendingFrom(instances: readonly InstanceRow[], images: readonly ImageRow[]): PendingWork[] {
    const out: PendingWork[] = [];
    for (const i of instances) {
      const kind =
        i.state === "pending"
          ? "boot"
          : i.state === "stopping"
            ? "stop"
            : i.state === "shutting-down"
              ? "shutdown"
              : undefined;
      if (!kind) continue;
      const d = this.deadlines.get(i.id);
      out.push({
        id: i.id,
        kind,
        label: i.name ?? i.id,
        start: d?.start ?? i.launchTime,
        ...(d?.end ? { end: d.end } : {}),
      });
    }
    for (const img of images) {
      if (img.state !== "pending") continue;
      const d = this.deadlines.get(img.id);
      const copy = !img.sourceInstanceId && !!img.sourceImageId;
      out.push({
        id: img.id,
        kind: copy ? "copy" : "image",
        label: `${img.name}${copy ? ` → ${img.region}` : ""}`,
        start: d?.start ?? (Date.parse(img.creationDate ?? "") || 0),
        ...(d?.end ? { end: d.end } : {}),
      });
    }
    return out;
  }

  private onEvents(events: readonly WireEnvelope[], upTo: number): void {
    let clock: ClockInfoT | undefined;
    for (const env of events) {
      const e = env.event as any;
      if (e.type === "ClockChanged") {
        clock = e.clock;
        this.costDue = true;
        continue;
      }
      const region = regionOf(e);
      const ids = idsIn(e);
      const text = eventText(e);
      for (const id of ids) {
        const notes = this.history.get(id) ?? [];
        notes.push({ seq: env.seq, at: env.at, text });
        if (notes.length > 20) notes.shift();
        this.history.set(id, notes);
      }
      if (this.history.size > 20_000) this.history.delete(this.history.keys().next().value!);
      this.deadline(e, env.at);
      if (env.seq <= this.historyFrom) continue; // replayed for the history only: the first read covers it
      if (e.type === "GuestChanged") continue; // inside the instance: nothing a view shows
      if (region) for (const id of ids) this.markDirty(id, region);
      if (/^(Instance|Volume|Snapshot|Address|Image)/.test(e.type)) this.costDue = true;
    }
    this.snap = { ...this.snap, lastSeq: upTo, ...(clock ? { clock } : {}), version: this.snap.version + 1 };
    if (clock) this.notify(true);
    this.scheduleFlush();
  }

  /** Start and end of timed work, for the progress bars. */
  private deadline(e: any, at: number): void {
    switch (e.type) {
      case "InstancesLaunched":
        for (const i of e.instances) this.deadlines.set(i.instanceId, { start: at, end: i.transitionAt });
        break;
      case "InstanceStateChanged":
        if (e.transitionAt) this.deadlines.set(e.instanceId, { start: at, end: e.transitionAt });
        else this.deadlines.delete(e.instanceId);
        break;
      case "ImageCreated":
        this.deadlines.set(e.image.imageId, { start: at, end: e.image.availableAt });
        break;
      case "ImageStateChanged":
      case "ImageDeregistered":
        this.deadlines.delete(e.imageId);
        break;
    }
  }
}

/** Whether two bills look the same on screen (the header's total, the COST columns), as `money` prints them. */
function sameMoney(
  a: { total: number; byResource: Record<string, number> },
  b: { costTotal: number; costByResource: Record<string, number> },
): boolean {
  if (money(a.total) !== money(b.costTotal)) return false;
  const ka = Object.keys(a.byResource);
  if (ka.length !== Object.keys(b.costByResource).length) return false;
  for (const k of ka) if (money(a.byResource[k]!) !== money(b.costByResource[k] ?? 0)) return false;
  return true;
}

function chunks<T>(xs: T[], n: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += n) out.push(xs.slice(i, i + n));
  return out;
}

/** The region an event happened in (top level, or in the entity it creates). */
function regionOf(e: any): string | undefined {
  if (typeof e.region === "string") return e.region;
  for (const v of Object.values(e)) {
    if (v && typeof v === "object" && !Array.isArray(v) && typeof (v as any).region === "string")
      return (v as any).region;
  }
  return undefined;
}

/** The resource IDs an event names, anywhere in it (bounded depth). */
function idsIn(e: unknown, depth = 0, out = new Set<string>()): Set<string> {
  if (depth > 4) return out;
  if (typeof e === "string") {
    if (RESOURCE_ID.test(e)) out.add(e);
  } else if (Array.isArray(e)) {
    for (const x of e.slice(0, 1_000)) idsIn(x, depth + 1, out);
  } else if (e && typeof e === "object") {
    for (const [k, v] of Object.entries(e)) if (k !== "effects" && k !== "clock") idsIn(v, depth + 1, out);
  }
  return out;
}
