import type { SandboxSnapshot } from "../src/index.ts";

type Any = any;

/**
 * A snapshot in a form that does not depend on key order or on the order layers were met in (both
 * depend on history, not on state): objects expanded from their shapes, layers inlined.
 */
export function canonical(snapshot: SandboxSnapshot): unknown {
  const s = JSON.parse(JSON.stringify(snapshot)) as SandboxSnapshot;
  const layer = (ref: string | number): unknown => {
    if (typeof ref === "string") return { base: ref };
    const [parent, frozen, entries] = s.layers[ref]!;
    return {
      parent: parent === null ? null : layer(parent),
      frozen,
      entries,
      alloc: s.alloc.find(([r]) => r === ref)?.[1],
    };
  };
  const expand = (j: Any): Any => {
    if (Array.isArray(j)) return j.map(expand);
    if (!j || typeof j !== "object") return j;
    if (Array.isArray(j.$h)) {
      const keys = s.shapes[j.$h[0]]!;
      const out: Any = Object.fromEntries(keys.map((k, i) => [k, expand(j.$h[i + 1])]));
      return out;
    }
    if (j.$l !== undefined) return layer(j.$l);
    return Object.fromEntries(Object.entries(j).map(([k, v]) => [k, expand(v)]));
  };
  return {
    ...s,
    shapes: undefined,
    layers: undefined,
    alloc: undefined,
    state: expand(s.state),
    regions: expand(s.regions),
    // A replay keeps past timers until they fire; only what is still ahead must agree.
    timers: s.timers.filter(([at]) => at > s.now),
  };
}
