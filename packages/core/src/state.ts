/**
 * A sandbox's state: what the fold of its events has built. Per region (R2: most resources belong
 * to one region), with the secondary indexes Describe calls need so they do not scan everything.
 */
import type { ClockState } from "./clock.ts";
import { initialClock } from "./clock.ts";
import { Ec2Error } from "./errors.ts";
import type { IamAccount } from "./iam/model.ts";
import type {
  Account,
  Address,
  BilledInstance,
  BilledSnapshot,
  BilledVolume,
  Image,
  ImagePipeline,
  ImageRecipe,
  Instance,
  InternetGateway,
  KeyPair,
  LaunchTemplate,
  NatGateway,
  NetworkAcl,
  NetworkInterface,
  RouteTable,
  SecurityGroup,
  Snapshot,
  Subnet,
  Volume,
  Vpc,
} from "./model.ts";
import type { Parameter } from "./ssm/model.ts";
import type { StsSession } from "./sts.ts";

/** Set-valued index: key -> ids. */
export class Index {
  readonly map = new Map<string, Set<string>>();
  add(key: string, id: string): void {
    let s = this.map.get(key);
    if (!s) this.map.set(key, (s = new Set()));
    s.add(id);
  }
  remove(key: string, id: string): void {
    const s = this.map.get(key);
    if (s) {
      s.delete(id);
      if (s.size === 0) this.map.delete(key);
    }
  }
  get(key: string): ReadonlySet<string> {
    return this.map.get(key) ?? EMPTY;
  }
}
const EMPTY: ReadonlySet<string> = new Set();

/** The `instancesByLaunch` keys of an instance: facts that never change after its launch. */
export const launchKeys = (i: Pick<Instance, "vpcId" | "subnetId" | "imageId">): string[] => [
  `vpc-id=${i.vpcId}`,
  `subnet-id=${i.subnetId}`,
  `image-id=${i.imageId}`,
];

export interface RegionState {
  name: string;
  vpcs: Map<string, Vpc>;
  subnets: Map<string, Subnet>;
  internetGateways: Map<string, InternetGateway>;
  routeTables: Map<string, RouteTable>;
  networkAcls: Map<string, NetworkAcl>;
  networkInterfaces: Map<string, NetworkInterface>;
  natGateways: Map<string, NatGateway>;
  launchTemplates: Map<string, LaunchTemplate>;
  securityGroups: Map<string, SecurityGroup>;
  keyPairs: Map<string, KeyPair>;
  images: Map<string, Image>;
  instances: Map<string, Instance>;
  volumes: Map<string, Volume>;
  snapshots: Map<string, Snapshot>;
  addresses: Map<string, Address>;
  recipes: Map<string, ImageRecipe>;
  pipelines: Map<string, ImagePipeline>;
  /** Accounts that turned on block public access for AMIs here (R7). */
  imageBlockPublicAccess: Set<string>;
  /** SSM parameters: account -> name -> parameter. */
  ssm: Map<string, Map<string, Parameter>>;
  /** instances by owner account; by state name; by `tagKey=value`. */
  instancesByOwner: Index;
  instancesByState: Index;
  instancesByTag: Index;
  /**
   * instances by what is fixed at launch, keyed like their filters: `vpc-id=…`, `subnet-id=…`,
   * `image-id=…`. Added and removed with the owner index, so each set lists its instances in the
   * owner index's (the instance map's) order.
   */
  instancesByLaunch: Index;
  imagesByOwner: Index;
  /**
   * What left the lists but stays on the bill — forgotten instances, deleted volumes and snapshots,
   * released addresses: made on first use (`??= []`), kept in state snapshots under these names.
   * Instances, volumes and snapshots are kept as the few fields their cost lines read (model.ts
   * `Billed*`), not their whole records: a long-lived sandbox accumulates them without end.
   */
  _forgotten?: BilledInstance[];
  _deletedSnaps?: BilledSnapshot[];
  _deletedVols?: BilledVolume[];
  _released?: Address[];
}

export const newRegionState = (name: string): RegionState => ({
  name,
  vpcs: new Map(),
  subnets: new Map(),
  internetGateways: new Map(),
  routeTables: new Map(),
  networkAcls: new Map(),
  networkInterfaces: new Map(),
  natGateways: new Map(),
  launchTemplates: new Map(),
  securityGroups: new Map(),
  keyPairs: new Map(),
  images: new Map(),
  instances: new Map(),
  volumes: new Map(),
  snapshots: new Map(),
  addresses: new Map(),
  recipes: new Map(),
  pipelines: new Map(),
  imageBlockPublicAccess: new Set(),
  ssm: new Map(),
  instancesByOwner: new Index(),
  instancesByState: new Index(),
  instancesByTag: new Index(),
  instancesByLaunch: new Index(),
  imagesByOwner: new Index(),
});

/** A pending transition: the fold files one whenever an entity gains a `...At` deadline. */
export interface Timer {
  at: number;
  region: string;
  kind: "instance" | "image" | "snapshot" | "volume" | "forget-instance" | "volume-modification" | "nat-gateway";
  id: string;
}

/** Binary min-heap of timers by time (ties keep insertion order via a serial). */
export class TimerQueue {
  private heap: (Timer & { n: number })[] = [];
  private serial = 0;
  get size(): number {
    return this.heap.length;
  }
  push(t: Timer): void {
    const h = this.heap;
    h.push({ ...t, n: this.serial++ });
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (this.less(h[i]!, h[p]!)) {
        [h[i], h[p]] = [h[p]!, h[i]!];
        i = p;
      } else break;
    }
  }
  peek(): Timer | undefined {
    return this.heap[0];
  }
  /** Every queued timer in firing order (snapshots keep that order: ties fire by insertion). */
  toArray(): Timer[] {
    return [...this.heap].sort((a, b) => a.at - b.at || a.n - b.n).map(({ n: _n, ...t }) => t);
  }
  pop(): Timer | undefined {
    const h = this.heap;
    if (h.length === 0) return undefined;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1,
          r = l + 1;
        let m = i;
        if (l < h.length && this.less(h[l]!, h[m]!)) m = l;
        if (r < h.length && this.less(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    return top;
  }
  private less(a: Timer & { n: number }, b: Timer & { n: number }): boolean {
    return a.at < b.at || (a.at === b.at && a.n < b.n);
  }
}

export interface Bundle {
  location: string;
  ownerId: string;
  region: string;
  layer: import("./guest/fs.ts").FsLayer;
  usedBlocks: number;
  guest: string;
  architecture: import("./data-types.ts").Architecture;
  uploadedAt: number;
}

export interface SandboxState {
  seed: string;
  /** Sequence number of the last event folded in. */
  seq: number;
  /** Randomness cursor (see ids.ts). */
  cursor: number;
  /** Simulated time of the last event or clock move. */
  now: number;
  clock: ClockState;
  accounts: Map<string, Account>;
  accountsByAccessKey: Map<string, string>;
  regions: Map<string, RegionState>;
  /** resource id -> region, for calls that take IDs of any type (CreateTags). */
  resourceRegion: Map<string, string>;
  timers: TimerQueue;
  /** Instance-store bundles uploaded to S3 (R10): manifest location -> bundle. */
  bundles: Map<string, Bundle>;
  /** ClientToken idempotency: key -> the first call's fingerprint and answer. */
  clientTokens: Map<string, { fingerprint: string; output: unknown }>;
  /** IAM, per account (global: not per region). */
  iam: Map<string, IamAccount>;
  /** Role sessions (STS AssumeRole) by their temporary access key ID. */
  stsSessions: Map<string, StsSession>;
  /**
   * Accounts that may move the shared clock (`ClockOperatorsSet`); until set, the first account
   * created. The admin token always may (the host's rule).
   */
  clockOperators?: string[];
  /** Envelopes of an old log repaired on load because their times broke the clock's bounds (clock.ts). */
  clockRepairs?: number;
}

export function newState(seed: string, start?: number): SandboxState {
  const clock = initialClock(start);
  return {
    seed,
    seq: 0,
    cursor: 0,
    now: clock.simAtAnchor,
    clock,
    accounts: new Map(),
    accountsByAccessKey: new Map(),
    regions: new Map(),
    resourceRegion: new Map(),
    timers: new TimerQueue(),
    clientTokens: new Map(),
    bundles: new Map(),
    iam: new Map(),
    stsSessions: new Map(),
  };
}

/** The region's state, created on first touch (regions are validated by the caller). */
export function regionState(state: SandboxState, region: string): RegionState {
  let r = state.regions.get(region);
  if (!r) state.regions.set(region, (r = newRegionState(region)));
  return r;
}

export function accountOf(state: SandboxState, accountId: string): import("./model.ts").Account {
  const a = state.accounts.get(accountId);
  if (!a) throw new Ec2Error("AuthFailure", `Account ${accountId} does not exist in this sandbox`, 401);
  return a;
}
