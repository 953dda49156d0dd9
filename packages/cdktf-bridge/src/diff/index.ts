/**
 * plan/diff between two inventories: `from` is what is wanted (a sandbox), `to` is what exists
 * (an account, a state, another sandbox). Resources are paired (match.ts), then compared as
 * terraform shows them (shape.ts), references through the pairing. The result speaks `terraform
 * plan`'s language — create, update in-place, replace, destroy — and driftctl's: what `to` holds
 * that `from` does not describe is unmanaged (a destroy only when `to` is a Terraform state), and
 * the coverage is the share of `to` that `from` manages.
 */
import { familyOf, type Inventory, type InvResource } from "../inventory.ts";
import { addressNames, splitAddress } from "./addresses.ts";
import { isIgnored, parseIgnore } from "./ignore.ts";
import { matchInventories } from "./match.ts";
import { FORCE_NEW, PARTIAL_ATTRS, planObject, sameValue } from "./shape.ts";
import type { DiffOptions, DiffResult, ResourceChange, Unmanaged } from "./types.ts";

export * from "./types.ts";

export function diffInventories(from: Inventory, to: Inventory, opts: DiffOptions = {}): DiffResult {
  const m = matchInventories(from.resources, to.resources);
  const addresses = addressNames(from.resources, to.resources, m);
  const rules = parseIgnore(opts.ignore ?? "");
  let ignored = 0;
  const changes: ResourceChange[] = [];
  const unmanaged: Unmanaged[] = [];
  /** `from`'s references in `to`'s world: the pair's ID, external keys as they are, unknown when unpaired. */
  const translate = (v: string): string | undefined => {
    const p = m.fromTo.get(v);
    if (p) return p.to.id;
    if (v.startsWith("ami:") || v.startsWith("sg:") || v.startsWith("vpc:")) return v;
    return from.resources.length && fromIds.has(v) ? undefined : v;
  };
  const fromIds = new Set(from.resources.map((r) => r.id));
  const fromRefs = (r: InvResource): Record<string, string | (string | undefined)[] | undefined> => {
    const out: Record<string, string | (string | undefined)[] | undefined> = {};
    for (const [k, v] of Object.entries(r.refs)) {
      // Known IDs first, sorted; what is still to be created after them.
      if (Array.isArray(v)) {
        const xs = v.map(translate);
        out[k] = [...(xs.filter((x) => x !== undefined) as string[]).sort(), ...xs.filter((x) => x === undefined)];
      } else out[k] = translate(v);
    }
    return out;
  };
  const toRefs = (r: InvResource): Record<string, string | string[]> => {
    const out: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(r.refs)) out[k] = Array.isArray(v) ? [...v].sort() : v;
    return out;
  };
  const skip = (address: string, ids: (string | undefined)[], type: string) =>
    rules.length > 0 &&
    isIgnored(rules, [address, ...ids.filter((x): x is string => !!x).flatMap((id) => [id, `${type}.${id}`])]);
  const label = (address: string) => splitAddress(address).name;

  for (const f of from.resources) {
    const p = m.fromTo.get(f.id);
    const address = addresses.get(`from:${f.id}`)!;
    if (skip(address, [f.id, p?.to.id], f.type)) {
      ignored += p ? 2 : 1;
      continue;
    }
    const base = { address, type: f.type, name: label(address), region: f.region, fromId: f.id };
    if (!p) {
      const after = planObject(f, fromRefs(f), undefined);
      changes.push({
        ...base,
        action: "create",
        before: null,
        after: after.values,
        afterUnknown: after.unknown,
        replacePaths: [],
      });
      continue;
    }
    const t = p.to;
    const before = planObject(t, toRefs(t), t.id).values;
    const after = planObject(f, fromRefs(f), t.id);
    if (familyOf(f.type) === "image" && f.type !== t.type) {
      before.type = t.type;
      after.values.type = f.type;
    }
    // What only one side can see is not compared.
    for (const k of PARTIAL_ATTRS)
      if (!(k in before) || !(k in after.values)) {
        delete before[k];
        delete after.values[k];
      }
    const fam = familyOf(f.type);
    const changed = [...new Set([...Object.keys(before), ...Object.keys(after.values)])].filter(
      (k) => k in after.unknown || !sameValue(before[k], after.values[k]),
    );
    const replacePaths = changed.filter((k) => FORCE_NEW[fam]?.has(k));
    changes.push({
      ...base,
      action: !changed.length ? "no-op" : replacePaths.length ? "replace" : "update",
      before,
      after: after.values,
      afterUnknown: replacePaths.length ? { ...after.unknown, id: true } : after.unknown,
      replacePaths: replacePaths.sort(),
      toId: t.id,
      matchedBy: p.by,
    });
  }
  for (const t of to.resources) {
    if (m.toFrom.has(t.id)) continue;
    const address = addresses.get(`to:${t.id}`)!;
    if (skip(address, [t.id], t.type)) {
      ignored++;
      continue;
    }
    const values = planObject(t, toRefs(t), t.id).values;
    if (opts.toIsState)
      changes.push({
        action: "delete",
        address,
        type: t.type,
        name: label(address),
        region: t.region,
        before: values,
        after: null,
        afterUnknown: {},
        replacePaths: [],
        toId: t.id,
      });
    else unmanaged.push({ address, type: t.type, region: t.region, id: t.id, values });
  }
  const rank = { delete: 0, replace: 1, update: 2, create: 3, "no-op": 4 } as const;
  changes.sort((x, y) => x.address.localeCompare(y.address) || rank[x.action] - rank[y.action]);
  unmanaged.sort((x, y) => x.address.localeCompare(y.address));
  const summary = { add: 0, change: 0, destroy: 0 };
  for (const c of changes) {
    if (c.action === "create") summary.add++;
    else if (c.action === "delete") summary.destroy++;
    else if (c.action === "update") summary.change++;
    else if (c.action === "replace") {
      summary.add++;
      summary.destroy++;
    }
  }
  const managed = changes.filter((c) => c.toId !== undefined && c.action !== "delete").length;
  const total = managed + unmanaged.length;
  return {
    from: from.source,
    to: to.source,
    changes,
    summary,
    unchanged: changes.filter((c) => c.action === "no-op").length,
    unmanaged,
    ignored,
    coverage: {
      managed,
      unmanaged: unmanaged.length,
      percent: total ? Math.round((managed / total) * 1000) / 10 : 100,
    },
    warnings: [...from.warnings.map((w) => `${from.source}: ${w}`), ...to.warnings.map((w) => `${to.source}: ${w}`)],
  };
}
