/**
 * The guest file system: layers of path -> file, copy-on-write. A volume writes into its top layer;
 * a snapshot freezes it; a volume made from a snapshot starts with an empty layer over the frozen
 * one. So 100,000 instances of one AMI share one base, and the files that survive an image chain
 * are exactly the files in the layers.
 *
 * Storage is counted in EBS's 512 KiB blocks (R23): every file sits on a run of blocks, and a write
 * marks its blocks dirty so the next snapshot stores only those.
 */

export const BLOCK_BYTES = 512 * 1024;
export const BLOCKS_PER_GIB = (1024 * 1024 * 1024) / BLOCK_BYTES;

export interface FileNode {
  /** What `cat` prints. Package binaries hold a short placeholder. */
  content: string;
  /** Logical size in bytes (may exceed content length for packaged binaries). */
  size: number;
  mode: number;
  owner: string;
  firstBlock: number;
  blocks: number;
}

let nextLayerId = 1;

export class FsLayer {
  readonly id: number;
  readonly entries = new Map<string, FileNode | null>();
  frozen = false;
  readonly depth: number;

  constructor(
    readonly parent?: FsLayer,
    id?: number,
  ) {
    this.id = id ?? nextLayerId++;
    if (id !== undefined && id >= nextLayerId) nextLayerId = id + 1;
    this.depth = parent ? parent.depth + 1 : 0;
  }

  get(path: string): FileNode | undefined {
    for (let l: FsLayer | undefined = this; l; l = l.parent) {
      const hit = l.entries.get(path);
      if (hit !== undefined) return hit ?? undefined;
    }
    return undefined;
  }

  /** Every live path, newest layer winning. */
  paths(): string[] {
    const seen = new Map<string, boolean>();
    for (let l: FsLayer | undefined = this; l; l = l.parent) {
      for (const [p, node] of l.entries) if (!seen.has(p)) seen.set(p, node !== null);
    }
    return [...seen]
      .filter(([, live]) => live)
      .map(([p]) => p)
      .sort();
  }

  /** `paths()` restricted to those starting with `prefix` (sorted), without merging the rest. */
  pathsUnder(prefix: string): string[] {
    const seen = new Map<string, boolean>();
    for (let l: FsLayer | undefined = this; l; l = l.parent) {
      for (const [p, node] of l.entries) if (p.startsWith(prefix) && !seen.has(p)) seen.set(p, node !== null);
    }
    return [...seen]
      .filter(([, live]) => live)
      .map(([p]) => p)
      .sort();
  }

  set(path: string, node: FileNode | null): void {
    if (this.frozen) throw new Error(`fs layer ${this.id} is frozen`);
    // A deletion only needs a tombstone if a lower layer has the path.
    if (node === null && !this.parent?.get(path)) this.entries.delete(path);
    else this.entries.set(path, node);
  }

  /** One layer holding the merged view, for chains that grew deep. */
  flatten(): FsLayer {
    const flat = new FsLayer();
    for (const p of this.paths()) flat.entries.set(p, this.get(p)!);
    flat.frozen = true;
    return flat;
  }
}

/** Builds a frozen base layer from a path -> content map (catalog images). */
export function baseLayer(
  files: Record<string, string | { content: string; size?: number; mode?: number }>,
  firstFreeBlock = 0,
): {
  layer: FsLayer;
  nextBlock: number;
} {
  const layer = new FsLayer();
  let block = firstFreeBlock;
  for (const [path, spec] of Object.entries(files)) {
    const content = typeof spec === "string" ? spec : spec.content;
    const size = typeof spec === "string" ? Buffer.byteLength(spec) : (spec.size ?? Buffer.byteLength(spec.content));
    const blocks = Math.max(1, Math.ceil(size / BLOCK_BYTES));
    layer.entries.set(path, {
      content,
      size,
      mode: typeof spec === "string" ? 0o644 : (spec.mode ?? 0o644),
      owner: "root",
      firstBlock: block,
      blocks,
    });
    block += blocks;
  }
  layer.frozen = true;
  return { layer, nextBlock: block };
}

/**
 * A set of block indices: a dense prefix [0, prefix) plus scattered extras. A full snapshot of a
 * volume restored from a catalog image is mostly the dense prefix, so this stays small.
 */
export class BlockSet {
  constructor(
    public prefix = 0,
    readonly extra = new Set<number>(),
  ) {}
  get size(): number {
    return this.prefix + this.extra.size;
  }
  has(b: number): boolean {
    return b < this.prefix || this.extra.has(b);
  }
  add(b: number): void {
    if (b >= this.prefix) this.extra.add(b);
  }
  addRun(first: number, count: number): void {
    for (let b = first; b < first + count; b++) this.add(b);
  }
  clone(): BlockSet {
    return new BlockSet(this.prefix, new Set(this.extra));
  }
  /** Blocks of this set that are not in `other`. */
  minus(other: BlockSet): BlockSet {
    const out = new BlockSet();
    if (this.prefix > other.prefix) {
      for (let b = other.prefix; b < this.prefix; b++) if (!other.extra.has(b)) out.extra.add(b);
    }
    for (const b of this.extra) if (!other.has(b)) out.extra.add(b);
    return out;
  }
  union(other: BlockSet): BlockSet {
    const out = new BlockSet(Math.max(this.prefix, other.prefix));
    for (const b of this.extra) out.add(b);
    for (const b of other.extra) out.add(b);
    return out;
  }
  toJSON(): { prefix: number; extra: number[] } {
    return { prefix: this.prefix, extra: [...this.extra] };
  }
}
