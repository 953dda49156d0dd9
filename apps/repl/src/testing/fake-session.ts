// biome-ignore-all lint/suspicious/noExplicitAny: a test double answers whatever the test says
/**
 * A session for component tests without a server: a fake view whose rows, clock and events the
 * test sets, and a fake client that records every call and answers from a function the test
 * gives. Counts the snapshots it hands out, so a test can tell how often the screen had to redraw.
 */
import type { ClockInfoT } from "@ec2sim/protocol";
import type { Session } from "../components/App.tsx";
import { KeyStore } from "../state/key-store.ts";
import { KIND_LIST, KINDS, kindOfId, type ResourceKind } from "../view/resources.ts";
import type { BaseRow, EventNote, ImageRow, InstanceRow, SandboxView, ViewSnapshot } from "../view/sandbox-view.ts";

export interface Call {
  action: string;
  input: Record<string, unknown>;
  region: string | undefined;
}

export class FakeClient {
  readonly calls: Call[] = [];
  accountId = "111122223333";
  welcome = { alias: "sandbox-a", sandbox: "default", accountId: "111122223333" };
  state = "open";
  constructor(public answer: (c: Call) => unknown = () => ({})) {}
  async call(action: string, input: Record<string, unknown> = {}, region?: string): Promise<any> {
    const c = { action, input, region };
    this.calls.push(c);
    return this.answer(c);
  }
  async cost(): Promise<any> {
    return { at: 0, total: 0, byResource: {} };
  }
  async clock(): Promise<any> {
    return { now: 0, speed: 1, paused: true, simAtAnchor: 0, realAtAnchor: 0 };
  }
  async info(): Promise<any> {
    return { now: 0, clock: { speed: 1, paused: true, simAtAnchor: 0, realAtAnchor: 0 } };
  }
  serverNow(): number {
    return Date.now();
  }
}

const EMPTY = (): Record<ResourceKind, BaseRow[]> =>
  Object.fromEntries(KIND_LIST.map((k) => [k, []])) as unknown as Record<ResourceKind, BaseRow[]>;

export class FakeView {
  readonly client: FakeClient;
  private snap: ViewSnapshot;
  private readonly listeners = new Set<() => void>();
  readonly events = new Map<string, EventNote[]>();
  readonly ensured: ResourceKind[] = [];
  /** How many times listeners were told (each is a redraw). */
  notified = 0;
  ready: Promise<void> = Promise.resolve();

  constructor(client = new FakeClient(), clock: Partial<ClockInfoT> = {}) {
    this.client = client;
    this.snap = {
      connection: "open",
      sandbox: "default",
      accountId: "111122223333",
      alias: "sandbox-a",
      clock: { simAtAnchor: Date.UTC(2025, 0, 6, 9), realAtAnchor: 0, speed: 1, paused: true, ...clock },
      instances: [],
      images: [],
      rows: EMPTY(),
      loaded: Object.fromEntries(KIND_LIST.map((k) => [k, true])),
      imageNames: {},
      costTotal: 0,
      costByResource: {},
      costHistory: [],
      pending: [],
      lastSeq: 0,
      version: 0,
    };
  }

  subscribe = (l: () => void) => {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  };
  getSnapshot = () => this.snap;

  /** Replaces rows of a kind (as the real view does after a re-read) and tells listeners. */
  setRows(kind: ResourceKind, rows: BaseRow[]): void {
    const patch: Partial<ViewSnapshot> = { rows: { ...this.snap.rows, [kind]: rows } };
    if (kind === "instances") patch.instances = rows as InstanceRow[];
    if (kind === "images") patch.images = rows as ImageRow[];
    this.update(patch);
  }

  update(patch: Partial<ViewSnapshot>): void {
    this.snap = { ...this.snap, ...patch, version: this.snap.version + 1 };
    this.notified++;
    for (const l of this.listeners) l();
  }

  simNow(): number {
    const c = this.snap.clock;
    return c.paused ? c.simAtAnchor : c.simAtAnchor + (Date.now() - c.realAtAnchor) * c.speed;
  }
  async ensure(kind: ResourceKind): Promise<void> {
    this.ensured.push(kind);
  }
  async refreshNow(): Promise<void> {}
  async settled(): Promise<void> {}
  touch(): void {}
  refreshAll(): void {}
  eventsOf(id: string): readonly EventNote[] {
    return this.events.get(id) ?? [];
  }
  find(id: string): BaseRow | undefined {
    const k = kindOfId(id);
    return k ? this.snap.rows[k].find((r) => r.id === id) : undefined;
  }
}

/** A session on a fake view; the view and client are returned for the test to drive. */
export function fakeSession(keysDir: string, answer?: (c: Call) => unknown): Session & { fake: FakeView } {
  const client = new FakeClient(answer);
  const view = new FakeView(client);
  return {
    client: client as never,
    view: view as unknown as SandboxView,
    keys: new KeyStore(keysDir, { sandbox: "default", accountId: client.accountId }),
    fake: view,
  };
}

/** An instance row as the view makes them (state, Name tag, type, when launched). */
export function instance(n: number, over: Partial<InstanceRow> = {}): InstanceRow {
  const id = `i-${n.toString(16).padStart(17, "0")}`;
  const launch = Date.UTC(2025, 0, 6, 9) + n * 1000;
  return {
    id,
    region: "us-east-1",
    name: `web-${n}`,
    state: "running",
    type: "t3.micro",
    az: "us-east-1a",
    publicIp: `54.0.${Math.floor(n / 250)}.${n % 250}`,
    imageId: "ami-0aaaaaaaaaaaaaaa1",
    launchTime: launch,
    created: launch,
    raw: { InstanceId: id, InstanceType: "t3.micro", Tags: [{ Key: "Name", Value: `web-${n}` }] },
    ...over,
  };
}

export function image(n: number, over: Partial<ImageRow> = {}): ImageRow {
  const id = `ami-${n.toString(16).padStart(17, "0")}`;
  return {
    id,
    region: "us-east-1",
    name: `image-${n}`,
    state: "available",
    ownerId: "111122223333",
    created: n,
    raw: { ImageId: id, Name: `image-${n}` },
    ...over,
  };
}

export { KINDS };
