/**
 * Snapshots of folded state: a sandbox's state as plain JSON, so a host can start from it and fold
 * only the events after it (`Sandbox.fromSnapshot(snapshot, opts)` then `sb.apply(later)`) instead of
 * replaying the whole log.
 *
 * Format 2 (`SNAPSHOT_FORMAT`):
 * - `seed`, `seq`, `cursor`, `now`: the fold's counters.
 * - `layers`: every guest file-system layer the state reaches, once each, parents before children:
 *   `[parent, frozen, entries]` where `parent` is null, the index of an earlier layer, or the guest
 *   key of a catalog base layer (`baseFileSystem(key)`, rebuilt from data and re-linked on restore,
 *   never written out). Entries are `[path, node | null]`, a node being
 *   `[content, size, mode, owner, firstBlock, blocks]`. Volumes, snapshots, images, bundles and
 *   instances that shared a layer share it again after the restore.
 * - `state`: the other fields of `SandboxState` (accounts, clock, ClientToken records, bundles,
 *   resource regions, … and any field added later), in a tagged JSON encoding: `{"$m": [[k, v]…]}`
 *   a Map, `{"$s": […]}` a Set, `{"$b": [prefix, …extra]}` a BlockSet, `{"$l": ref}` a layer,
 *   `{"$u": 0}` undefined in an array, `{"$n": "Infinity"}` a non-finite number, `{"$h": [shape,
 *   …values]}` a plain object of two keys or more whose key list is `shapes[shape]` (entities share
 *   a few shapes, so keys are written once), `{"$o": {…}}` a one-key object whose key starts with
 *   `$`. Object properties that are undefined are left out.
 * - `regions`: each region's fields in the same encoding (the billing side lists that hang off the
 *   region — deleted volumes and snapshots, forgotten instances, released addresses — included;
 *   instances, volumes and snapshots there as the fields their bill reads, model.ts `Billed*`),
 *   without its indexes: owner indexes are rebuilt from the maps; the state and tag indexes keep their
 *   iteration order (it is history-dependent and shows in DescribeInstances answers) as positions in
 *   the region's instance map.
 * - `timers`: the pending transitions `[at, region, kind, id]` in firing order. The queue is kept, not
 *   derived from entity deadlines, because equal deadlines fire in insertion order and an image's
 *   retry timer exists only in the queue; timers already due whose entity no longer waits on them
 *   (what a replay leaves behind) are dropped.
 * - `alloc`: block allocators of instance-store layers (`[layer, nextBlock]`).
 *
 * Format 1 is format 2 with whole records in those side lists (file layers, interfaces, block
 * devices: 96% of a long-lived sandbox's snapshot) and the dead ones' IDs in `resourceRegion`; it is
 * read, and compacted as the fold now keeps them (`compactDead`).
 *
 * Snapshots written before the networking state existed (VPC attributes, subnet addresses, …) are
 * read too: `upgradeNetwork` fills in what the fold of the same events builds now; `upgradeInstances`
 * the primary interface's attach time of instances saved before it was kept.
 */
import { upgradeNetwork } from "./default-network.ts";
import { ephemeralNextBlock, setEphemeralNextBlock } from "./guest/access.ts";
import { BlockSet, type FileNode, FsLayer } from "./guest/fs.ts";
import { baseFileSystem, baseLayerKey } from "./guest/os.ts";
import { billedInstance } from "./instances.ts";
import type { Sandbox } from "./sandbox.ts";
import {
  Index,
  launchKeys,
  newRegionState,
  newState,
  type RegionState,
  type SandboxState,
  type Timer,
  TimerQueue,
} from "./state.ts";
import { billedSnapshot, billedVolume } from "./volumes.ts";

export const SNAPSHOT_FORMAT = 2;
/** The formats `restoreState` reads. */
export type SnapshotFormat = 1 | typeof SNAPSHOT_FORMAT;

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** A layer reference: an index into `layers`, or the guest key of a catalog base layer. */
export type LayerRef = number | string;
export type EncodedNode = [
  content: string,
  size: number,
  mode: number,
  owner: string,
  firstBlock: number,
  blocks: number,
];
export type EncodedLayer = [parent: LayerRef | null, frozen: 0 | 1, entries: [string, EncodedNode | null][]];

export interface SandboxSnapshot {
  format: SnapshotFormat;
  seed: string;
  seq: number;
  cursor: number;
  now: number;
  layers: EncodedLayer[];
  state: Record<string, Json>;
  /** Key lists of the `$h` objects. */
  shapes: string[][];
  regions: { name: string; fields: Json; byState: Record<string, number[]>; byTag: Record<string, number[]> }[];
  timers: [at: number, region: string, kind: Timer["kind"], id: string][];
  alloc: [LayerRef, number][];
}

/** SandboxState fields written by hand (the rest go through the generic encoding). */
const TOP = new Set(["seed", "seq", "cursor", "now", "regions", "timers"]);

interface ShapeNode {
  next: Map<string, ShapeNode>;
  id?: number;
}

class Encoder {
  readonly layers: EncodedLayer[] = [];
  private readonly refs = new Map<FsLayer, LayerRef>();
  readonly alloc: [LayerRef, number][] = [];

  layer(l: FsLayer): LayerRef {
    const known = this.refs.get(l);
    if (known !== undefined) return known;
    // Walk down to a layer already written or a base, then write the chain upwards (no recursion:
    // chains can be long).
    const chain: FsLayer[] = [];
    let cur: FsLayer | undefined = l;
    let parent: LayerRef | null = null;
    while (cur) {
      const hit = this.refs.get(cur);
      if (hit !== undefined) {
        parent = hit;
        break;
      }
      const base = baseLayerKey(cur);
      if (base !== undefined) {
        this.refs.set(cur, base);
        parent = base;
        break;
      }
      chain.push(cur);
      cur = cur.parent;
    }
    for (let i = chain.length - 1; i >= 0; i--) {
      const c = chain[i]!;
      const entries: [string, EncodedNode | null][] = [];
      for (const [p, n] of c.entries)
        entries.push([p, n ? [n.content, n.size, n.mode, n.owner, n.firstBlock, n.blocks] : null]);
      const id = this.layers.length;
      this.layers.push([parent, c.frozen ? 1 : 0, entries]);
      this.refs.set(c, id);
      const next = ephemeralNextBlock(c);
      if (next !== undefined) this.alloc.push([id, next]);
      parent = id;
    }
    return parent!;
  }

  value(v: unknown): Json {
    switch (typeof v) {
      case "string":
      case "boolean":
        return v;
      case "number":
        return Number.isFinite(v) ? v : { $n: String(v) };
      case "undefined":
        return { $u: 0 };
      case "object":
        break;
      default:
        throw new TypeError(`snapshot: cannot encode a ${typeof v}`);
    }
    if (v === null) return null;
    if (Array.isArray(v)) return v.map((x) => this.value(x));
    if (v instanceof Map) {
      const out: Json[] = [];
      for (const [k, x] of v) out.push([this.value(k), this.value(x)]);
      return { $m: out };
    }
    if (v instanceof Set) return { $s: [...v].map((x) => this.value(x)) };
    if (v instanceof BlockSet) return { $b: [v.prefix, ...v.extra] };
    if (v instanceof FsLayer) return { $l: this.layer(v) };
    const proto = Object.getPrototypeOf(v) as unknown;
    if (proto !== Object.prototype && proto !== null) {
      throw new TypeError(
        `snapshot: cannot encode an instance of ${(v as object).constructor?.name ?? "an unknown class"}`,
      );
    }
    return this.object(v as Record<string, unknown>);
  }

  readonly shapes: string[][] = [];
  private readonly shapeRoot: ShapeNode = { next: new Map() };

  /** A plain object: `{"$h": [shape, ...values]}` when it has two keys or more, else itself. */
  object(o: Record<string, unknown>, skip?: (k: string, v: unknown) => boolean): Json {
    const keys: string[] = [];
    for (const k in o) {
      const x = o[k];
      if (x === undefined || skip?.(k, x)) continue;
      keys.push(k);
    }
    if (keys.length < 2) {
      const out: Record<string, Json> = {};
      for (const k of keys) out[k] = this.value(o[k]);
      return keys.length === 1 && keys[0]!.charCodeAt(0) === 36 /* $ */ ? { $o: out } : out;
    }
    // Shapes by key sequence, looked up through a trie (no signature strings to build).
    let node = this.shapeRoot;
    for (const k of keys) {
      let next = node.next.get(k);
      if (!next) node.next.set(k, (next = { next: new Map() }));
      node = next;
    }
    let shape = node.id;
    if (shape === undefined) {
      shape = node.id = this.shapes.length;
      this.shapes.push(keys);
    }
    const vals: Json[] = [shape];
    for (const k of keys) vals.push(this.value(o[k]));
    return { $h: vals };
  }
}

/** True if a timer that is already due can still do something (its entity waits on it). */
function timerLive(state: SandboxState, t: Timer): boolean {
  const r = state.regions.get(t.region);
  if (!r) return false;
  switch (t.kind) {
    case "instance":
      return r.instances.get(t.id)?.transitionAt !== undefined;
    case "forget-instance": {
      const i = r.instances.get(t.id);
      return i !== undefined && i.state === "terminated" && i.forgetAt !== undefined;
    }
    case "image":
      return r.images.get(t.id)?.state === "pending";
    case "nat-gateway": {
      const n = r.natGateways.get(t.id);
      return n !== undefined && n.transitionAt !== undefined;
    }
    case "snapshot":
      return r.snapshots.get(t.id)?.state === "pending";
    case "volume":
      return r.volumes.get(t.id)?.state === "creating";
    case "volume-modification": {
      const m = r.volumes.get(t.id)?.modification;
      return m !== undefined && m.state !== "completed";
    }
    default:
      // A kind this file does not know: keep it.
      return true;
  }
}

/** The state of a sandbox as plain JSON (see the format above). The state is only read. */
export function snapshotState(sb: Sandbox | SandboxState): SandboxSnapshot {
  const state: SandboxState = "state" in sb ? sb.state : sb;
  const enc = new Encoder();
  const rest: Record<string, Json> = {};
  for (const k of Object.keys(state) as (keyof SandboxState)[]) {
    if (TOP.has(k) || state[k] === undefined) continue;
    rest[k] = enc.value(state[k]);
  }
  const regions: SandboxSnapshot["regions"] = [];
  for (const [name, r] of state.regions) {
    // Side lists hang off the region once read (`??= []`): an empty one is the same as none.
    const fields = enc.object(
      r as unknown as Record<string, unknown>,
      (k, v) => v instanceof Index || (k.startsWith("_") && Array.isArray(v) && v.length === 0),
    );
    const pos = new Map<string, number>();
    for (const id of r.instances.keys()) pos.set(id, pos.size);
    const positions = (idx: Index) => {
      const out: Record<string, number[]> = {};
      for (const [key, ids] of idx.map) out[key] = [...ids].map((id) => pos.get(id) ?? -1).filter((n) => n >= 0);
      return out;
    };
    regions.push({ name, fields, byState: positions(r.instancesByState), byTag: positions(r.instancesByTag) });
  }
  const timers: SandboxSnapshot["timers"] = [];
  for (const t of state.timers.toArray()) {
    if (t.at <= state.now && !timerLive(state, t)) continue;
    timers.push([t.at, t.region, t.kind, t.id]);
  }
  return {
    format: SNAPSHOT_FORMAT,
    seed: state.seed,
    seq: state.seq,
    cursor: state.cursor,
    now: state.now,
    shapes: enc.shapes,
    layers: enc.layers,
    state: rest,
    regions,
    timers,
    alloc: enc.alloc,
  };
}

class Decoder {
  readonly layers: FsLayer[] = [];
  private readonly shapes: string[][];

  constructor(snapshot: SandboxSnapshot) {
    this.shapes = snapshot.shapes;
    for (const [parent, frozen, entries] of snapshot.layers) {
      const l = new FsLayer(parent === null ? undefined : this.layer(parent));
      for (const [p, n] of entries) {
        l.entries.set(
          p,
          n
            ? ({
                content: n[0],
                size: n[1],
                mode: n[2],
                owner: n[3],
                firstBlock: n[4],
                blocks: n[5],
              } satisfies FileNode)
            : null,
        );
      }
      l.frozen = frozen === 1;
      this.layers.push(l);
    }
    for (const [ref, next] of snapshot.alloc) setEphemeralNextBlock(this.layer(ref), next);
  }

  layer(ref: LayerRef): FsLayer {
    if (typeof ref === "string") return baseFileSystem(ref).layer;
    const l = this.layers[ref];
    if (!l) throw new Error(`snapshot: layer ${ref} is referenced before it is defined`);
    return l;
  }

  value(j: Json): unknown {
    if (j === null || typeof j !== "object") return j;
    if (Array.isArray(j)) return j.map((x) => this.value(x));
    const keys = Object.keys(j);
    if (keys.length === 1 && keys[0]!.charCodeAt(0) === 36) {
      const x = j[keys[0]!]!;
      switch (keys[0]) {
        case "$m":
          return new Map((x as Json[][]).map(([k, v]) => [this.value(k!), this.value(v!)]));
        case "$s":
          return new Set((x as Json[]).map((v) => this.value(v)));
        case "$b": {
          const [prefix, ...extra] = x as number[];
          return new BlockSet(prefix, new Set(extra));
        }
        case "$l":
          return this.layer(x as LayerRef);
        case "$u":
          return undefined;
        case "$n":
          return Number(x);
        case "$o":
          return this.object(x as Record<string, Json>);
        case "$h": {
          const vals = x as Json[];
          const keys = this.shapes[vals[0] as number];
          if (!keys) throw new Error(`snapshot: unknown object shape ${String(vals[0])}`);
          const out: Record<string, unknown> = {};
          for (let i = 0; i < keys.length; i++) out[keys[i]!] = this.value(vals[i + 1]!);
          return out;
        }
      }
    }
    return this.object(j);
  }

  object(j: Record<string, Json>): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const k in j) out[k] = this.value(j[k]!);
    return out;
  }
}

/** Rebuilds the state a snapshot was taken of. */
export function restoreState(snapshot: SandboxSnapshot): SandboxState {
  if (!snapshot || typeof snapshot !== "object" || (snapshot.format !== SNAPSHOT_FORMAT && snapshot.format !== 1)) {
    throw new Error(
      `snapshot: format ${String((snapshot as { format?: unknown } | null)?.format)} is not supported (this version reads formats 1 and ${SNAPSHOT_FORMAT})`,
    );
  }
  const dec = new Decoder(snapshot);
  // Defaults first, so a field added to the state after the snapshot was taken starts empty.
  const state = newState(snapshot.seed);
  for (const [k, v] of Object.entries(snapshot.state)) (state as unknown as Record<string, unknown>)[k] = dec.value(v);
  state.seed = snapshot.seed;
  state.seq = snapshot.seq;
  state.cursor = snapshot.cursor;
  state.now = snapshot.now;
  state.regions = new Map();
  for (const rec of snapshot.regions) {
    const r: RegionState = Object.assign(newRegionState(rec.name), dec.value(rec.fields) as Partial<RegionState>);
    const ids = [...r.instances.keys()];
    for (const inst of r.instances.values()) {
      r.instancesByOwner.add(inst.ownerId, inst.instanceId);
      for (const key of launchKeys(inst)) r.instancesByLaunch.add(key, inst.instanceId);
    }
    for (const img of r.images.values())
      if (img.state !== "deregistered") r.imagesByOwner.add(img.ownerId, img.imageId);
    for (const [key, list] of Object.entries(rec.byState)) for (const p of list) r.instancesByState.add(key, ids[p]!);
    for (const [key, list] of Object.entries(rec.byTag)) for (const p of list) r.instancesByTag.add(key, ids[p]!);
    state.regions.set(rec.name, r);
  }
  state.timers = new TimerQueue();
  for (const [at, region, kind, id] of snapshot.timers) state.timers.push({ at, region, kind, id });
  upgradeNetwork(state);
  upgradeInstances(state);
  if (snapshot.format === 1) compactDead(state);
  return state;
}

/**
 * Format 1 kept forgotten instances and deleted volumes and snapshots whole, and their IDs in
 * `resourceRegion`: keep what the fold keeps of them now.
 */
function compactDead(state: SandboxState): void {
  for (const r of state.regions.values()) {
    if (r._forgotten) r._forgotten = r._forgotten.map(billedInstance);
    if (r._deletedVols) r._deletedVols = r._deletedVols.map(billedVolume);
    if (r._deletedSnaps) r._deletedSnaps = r._deletedSnaps.map(billedSnapshot);
    for (const i of r._forgotten ?? []) state.resourceRegion.delete(i.instanceId);
    for (const v of r._deletedVols ?? []) state.resourceRegion.delete(v.volumeId);
    for (const s of r._deletedSnaps ?? []) state.resourceRegion.delete(s.snapshotId);
  }
}

/**
 * Instances saved before their primary interface's attach time was kept (it was read from LaunchTime,
 * which a start after a stop moves): the launch's time is the earliest of LaunchTime and the attach
 * times of the volumes attached since (an EBS root is attached at launch and stays).
 */
function upgradeInstances(state: SandboxState): void {
  for (const region of state.regions.values())
    for (const inst of region.instances.values())
      if (inst.primaryAttachTime === undefined)
        inst.primaryAttachTime = Math.min(inst.launchTime, ...inst.blockDevices.map((b) => b.attachTime));
}
