// biome-ignore-all lint/suspicious/noExplicitAny: rows are read from EC2 answers the protocol client returns untyped
/**
 * What the REPL shows, kept live: the account's instances and images, the bill and its history,
 * the clock, and work in progress. Events from the subscription say *what* changed; the view then
 * re-reads it with ordinary describe calls (throttled), so it shows exactly what the EC2 API says.
 * A plain class with `subscribe`/`getSnapshot` for React's `useSyncExternalStore`.
 */
import type { ClockInfoT, ConnectionState, SandboxClient, WireEnvelope } from "@ec2sim/protocol";

export interface InstanceRow {
  id: string;
  name?: string;
  state: string;
  type: string;
  az: string;
  publicIp?: string;
  privateIp?: string;
  imageId: string;
  keyName?: string;
  launchTime: number;
  region: string;
}

export interface ImageRow {
  id: string;
  name: string;
  state: string;
  ownerId: string;
  ownerAlias?: string;
  region: string;
  sourceInstanceId?: string;
  sourceImageId?: string;
  sourceRegion?: string;
  creationDate?: string;
}

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

export interface ViewSnapshot {
  connection: ConnectionState;
  sandbox: string;
  accountId: string;
  alias?: string;
  clock: ClockInfoT;
  /** The server's real clock offset, for computing simulated now. */
  instances: InstanceRow[];
  images: ImageRow[];
  /** Names of AMIs that are not the account's own (Quick Start), for the AMI column and the tree. */
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
  /** Minimum ms between two re-reads of the same kind (default 250). */
  throttleMs?: number;
  /** Re-read the bill this often while the clock runs (default 2000). */
  costEveryMs?: number;
  /** Cost samples kept for the chart. */
  historySize?: number;
}

type Kind = "instances" | "images" | "cost";

export class SandboxView {
  private snap: ViewSnapshot;
  private readonly listeners = new Set<() => void>();
  private readonly timers = new Map<Kind, NodeJS.Timeout>();
  private readonly lastRun = new Map<Kind, number>();
  private readonly inFlight = new Set<Kind>();
  private readonly again = new Set<Kind>();
  private readonly regions = new Set<string>(["us-east-1"]);
  private costTimer: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;
  private stopped = false;

  constructor(
    readonly client: SandboxClient,
    private readonly options: ViewOptions = {},
  ) {
    const w = client.welcome;
    this.snap = {
      connection: client.state,
      sandbox: w.sandbox,
      accountId: w.accountId,
      ...(w.alias ? { alias: w.alias } : {}),
      clock: w.clock,
      instances: [],
      images: [],
      imageNames: {},
      costTotal: 0,
      costByResource: {},
      costHistory: [],
      pending: [],
      lastSeq: w.lastSeq,
      version: 0,
    };
  }

  /** Subscribes to events and loads everything once. */
  async start(): Promise<void> {
    this.client.onState((s) => {
      this.update({ connection: s });
      if (s === "open") this.refreshAll();
    });
    this.unsubscribe = await this.client.subscribe((events, upTo) => this.onEvents(events, upTo));
    await Promise.all([this.refresh("instances"), this.refresh("images"), this.refresh("cost")]);
    this.costTimer = setInterval(() => {
      if (!this.snap.clock.paused) this.schedule("cost");
    }, this.options.costEveryMs ?? 2_000);
    this.costTimer.unref();
  }

  stop(): void {
    this.stopped = true;
    this.unsubscribe?.();
    if (this.costTimer) clearInterval(this.costTimer);
    for (const t of this.timers.values()) clearTimeout(t);
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getSnapshot = (): ViewSnapshot => this.snap;

  /** Simulated now, from the clock and the server's real clock. */
  simNow(): number {
    const c = this.snap.clock;
    if (c.paused) return c.simAtAnchor;
    return c.simAtAnchor + Math.max(0, this.client.serverNow() - c.realAtAnchor) * c.speed;
  }

  private update(patch: Partial<ViewSnapshot>): void {
    this.snap = { ...this.snap, ...patch, version: this.snap.version + 1 };
    for (const l of this.listeners) l();
  }

  refreshAll(): void {
    for (const k of ["instances", "images", "cost"] as const) this.schedule(k);
  }

  /** Re-reads now and waits (commands that print the view: tree, images, instances). */
  async refreshNow(...kinds: Kind[]): Promise<void> {
    await Promise.all(kinds.map((k) => this.refresh(k)));
  }

  /** Re-reads one kind soon; at most once per throttle period, never two at once. */
  schedule(kind: Kind): void {
    if (this.stopped || this.timers.has(kind)) return;
    if (this.inFlight.has(kind)) {
      this.again.add(kind);
      return;
    }
    const wait = Math.max(0, (this.lastRun.get(kind) ?? 0) + (this.options.throttleMs ?? 250) - Date.now());
    const t = setTimeout(() => {
      this.timers.delete(kind);
      void this.refresh(kind);
    }, wait);
    t.unref();
    this.timers.set(kind, t);
  }

  private async refresh(kind: Kind): Promise<void> {
    if (this.stopped || this.client.state !== "open") return;
    this.inFlight.add(kind);
    this.lastRun.set(kind, Date.now());
    try {
      if (kind === "instances") await this.loadInstances();
      else if (kind === "images") await this.loadImages();
      else await this.loadCost();
      if (this.snap.problem) this.update({ problem: undefined });
    } catch (e) {
      if (!this.stopped) this.update({ problem: e instanceof Error ? e.message : String(e) });
    } finally {
      this.inFlight.delete(kind);
      if (this.again.delete(kind)) this.schedule(kind);
    }
  }

  private async loadInstances(): Promise<void> {
    const rows: InstanceRow[] = [];
    for (const region of this.regions) {
      const out = await this.client.call<{ Reservations: { Instances: any[] }[] }>("DescribeInstances", {}, region);
      for (const r of out.Reservations ?? []) for (const i of r.Instances ?? []) rows.push(instanceRow(i, region));
    }
    rows.sort((a, b) => a.launchTime - b.launchTime || a.id.localeCompare(b.id));
    const known = new Set([...this.snap.images.map((i) => i.id), ...Object.keys(this.snap.imageNames)]);
    const unknown = [...new Set(rows.map((r) => r.imageId))].filter((id) => !known.has(id));
    let imageNames = this.snap.imageNames;
    if (unknown.length) {
      const names = await this.client
        .call<{ Images: any[] }>("DescribeImages", { ImageIds: unknown.slice(0, 200) })
        .catch(() => ({ Images: [] }));
      imageNames = { ...imageNames };
      for (const img of names.Images ?? []) imageNames[img.ImageId] = img.Name;
      for (const id of unknown) imageNames[id] ??= "(unavailable)";
    }
    this.update({ instances: rows, imageNames, pending: this.pendingFrom(rows, this.snap.images) });
  }

  private async loadImages(): Promise<void> {
    const rows: ImageRow[] = [];
    for (const region of this.regions) {
      const out = await this.client.call<{ Images: any[] }>("DescribeImages", { Owners: ["self"] }, region);
      for (const img of out.Images ?? []) rows.push(imageRow(img, region));
    }
    rows.sort((a, b) => (a.creationDate ?? "").localeCompare(b.creationDate ?? ""));
    this.update({ images: rows, pending: this.pendingFrom(this.snap.instances, rows) });
  }

  private async loadCost(): Promise<void> {
    const report = await this.client.cost<{ at: number; total: number; byResource: Record<string, number> }>();
    const history = [...this.snap.costHistory];
    const lastAt = history.at(-1)?.at;
    if (lastAt === undefined || report.at > lastAt)
      history.push({ at: report.at, total: report.total, byResource: report.byResource });
    const max = this.options.historySize ?? 120;
    this.update({ costTotal: report.total, costByResource: report.byResource, costHistory: history.slice(-max) });
  }

  /** Timed work: what the events said (deadlines), merged with what describe calls show pending. */
  private readonly deadlines = new Map<string, { kind: PendingWork["kind"]; start: number; end?: number }>();

  private pendingFrom(instances: InstanceRow[], images: ImageRow[]): PendingWork[] {
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
    const want = new Set<Kind>();
    let clock: ClockInfoT | undefined;
    for (const env of events) {
      const e = env.event as any;
      switch (e.type) {
        case "ClockChanged":
          clock = e.clock;
          want.add("cost");
          break;
        case "InstancesLaunched":
          this.regions.add(e.region);
          for (const i of e.instances)
            this.deadlines.set(i.instanceId, { kind: "boot", start: env.at, end: i.transitionAt });
          want.add("instances").add("cost");
          break;
        case "InstanceStateChanged":
          if (e.transitionAt) this.deadlines.set(e.instanceId, { kind: "boot", start: env.at, end: e.transitionAt });
          else this.deadlines.delete(e.instanceId);
          want.add("instances").add("cost");
          break;
        case "ImageCreated":
          this.regions.add(e.image.region);
          this.deadlines.set(e.image.imageId, { kind: "image", start: env.at, end: e.image.availableAt });
          want.add("images");
          break;
        case "ImageStateChanged":
        case "ImageDeregistered":
        case "ImageAttributesChanged":
          want.add("images");
          if (e.type !== "ImageAttributesChanged") this.deadlines.delete(e.imageId);
          break;
        case "TagsCreated":
        case "TagsDeleted":
          want.add("instances").add("images");
          break;
        case "VolumeCreated":
        case "SnapshotStarted":
        case "SnapshotStateChanged":
        case "VolumeDeleted":
        case "SnapshotDeleted":
        case "AddressAllocated":
        case "AddressReleased":
          want.add("cost");
          break;
        case "InstanceForgotten":
          want.add("instances");
          break;
        default:
          break;
      }
    }
    this.update({ lastSeq: upTo, ...(clock ? { clock } : {}) });
    for (const k of want) this.schedule(k);
  }
}

const tagOf = (tags: { Key?: string; Value?: string }[] | undefined, key: string) =>
  tags?.find((t) => t.Key === key)?.Value;

function instanceRow(i: any, region: string): InstanceRow {
  return {
    id: i.InstanceId,
    ...(tagOf(i.Tags, "Name") ? { name: tagOf(i.Tags, "Name") } : {}),
    state: i.State?.Name ?? "?",
    type: i.InstanceType,
    az: i.Placement?.AvailabilityZone ?? region,
    ...(i.PublicIpAddress ? { publicIp: i.PublicIpAddress } : {}),
    ...(i.PrivateIpAddress ? { privateIp: i.PrivateIpAddress } : {}),
    imageId: i.ImageId,
    ...(i.KeyName ? { keyName: i.KeyName } : {}),
    launchTime: Date.parse(i.LaunchTime),
    region,
  };
}

function imageRow(img: any, region: string): ImageRow {
  return {
    id: img.ImageId,
    name: img.Name,
    state: img.State,
    ownerId: img.OwnerId,
    ...(img.ImageOwnerAlias ? { ownerAlias: img.ImageOwnerAlias } : {}),
    region,
    ...(img.SourceInstanceId ? { sourceInstanceId: img.SourceInstanceId } : {}),
    ...(img.SourceImageId ? { sourceImageId: img.SourceImageId, sourceRegion: img.SourceImageRegion } : {}),
    ...(img.CreationDate ? { creationDate: img.CreationDate } : {}),
  };
}
