// biome-ignore-all lint/suspicious/noExplicitAny: the EC2 API's items arrive untyped
/**
 * The describe view of one resource (Enter on a row): what it is, what it cost so far, where it
 * comes from (the AMI lineage), its tags, its recent events, and every attribute as the AWS CLI
 * prints it in YAML — read fresh from EC2 when it opens.
 */
import type { OutLine } from "../commands/run.ts";
import { formatValue } from "../format/cli/index.ts";
import { normalizeOutput } from "../format/cli/normalize.ts";
import { isDict, type PyValue } from "../format/cli/python.ts";
import { lineage } from "../format/lineage.ts";
import { clockText, money } from "../format/units.ts";
import { KINDS, kindOfId, type ResourceKind } from "./resources.ts";
import type { SandboxView } from "./sandbox-view.ts";

const line = (text: string, style: Omit<OutLine, "text"> = {}): OutLine => ({ text, ...style });

/** The item EC2 answers for `id` now, as the CLI would hold it (model order, CLI timestamps). */
async function freshItem(
  view: SandboxView,
  kind: ResourceKind,
  id: string,
  region: string,
): Promise<PyValue | undefined> {
  const spec = KINDS[kind];
  const out = await view.client.call(
    spec.action,
    { ...spec.input, Filters: [{ Name: spec.idFilter, Values: [id] }] },
    region,
  );
  const normal = normalizeOutput(spec.action, out);
  const items = isDict(normal)
    ? kind === "instances"
      ? ((normal.Reservations as PyValue[] | undefined) ?? []).flatMap((r) =>
          isDict(r) ? ((r.Instances as PyValue[] | undefined) ?? []) : [],
        )
      : ((Object.values(normal).find(Array.isArray) as PyValue[] | undefined) ?? [])
    : [];
  return items[0];
}

/** The lines of the describe view of `id`. */
export async function describeLines(view: SandboxView, id: string, width: number): Promise<OutLine[]> {
  const kind = kindOfId(id);
  const row = view.find(id);
  if (!kind || !row) return [line(`${id}: not in this view any more`, { color: "red" })];
  const snap = view.getSnapshot();
  const item = await freshItem(view, kind, id, row.region);
  const out: OutLine[] = [];
  out.push(
    line(
      `${id}${row.name ? ` (${row.name})` : ""} · ${KINDS[kind].noun} in ${row.region}${row.state ? ` · ${row.state}` : ""}`,
      { bold: true, color: "cyan" },
    ),
  );
  if (!item) out.push(line("  EC2 no longer lists it (deleted or forgotten)", { color: "yellow" }));

  // the cost so far: the resource, and for an instance its volumes too
  const own = snap.costByResource[id] ?? 0;
  if (kind === "instances") {
    const vols = ((row.raw as any).BlockDeviceMappings ?? [])
      .map((b: any) => b.Ebs?.VolumeId)
      .filter(Boolean) as string[];
    const volCost = vols.reduce((a, v) => a + (snap.costByResource[v] ?? 0), 0);
    out.push(
      line(
        `Cost so far: ${money(own + volCost)} (instance ${money(own)}${vols.length ? `, volumes ${vols.map((v) => `${v} ${money(snap.costByResource[v] ?? 0)}`).join(", ")}` : ""})`,
      ),
    );
  } else out.push(line(`Cost so far: ${money(own)}`));

  // where it comes from
  const lin = lineageOf(view, kind, id);
  if (lin.length) {
    out.push(line("Lineage", { bold: true }));
    out.push(...lin.map((t) => line(`  ${t}`)));
  }

  const tags = (isDict(item) && Array.isArray(item.Tags) ? item.Tags : []) as { Key?: string; Value?: string }[];
  out.push(line("Tags", { bold: true }));
  out.push(
    ...(tags.length ? tags.map((t) => line(`  ${t.Key} = ${t.Value ?? ""}`)) : [line("  (none)", { dim: true })]),
  );

  const events = view.eventsOf(id);
  out.push(line("Recent events", { bold: true }));
  out.push(
    ...(events.length
      ? events.slice(-12).map((e) => line(`  ${clockText(e.at).slice(11)}  #${e.seq}  ${e.text}`))
      : [line("  (none since this REPL started)", { dim: true })]),
  );

  if (item) {
    out.push(line(`Attributes (${KINDS[kind].action}, as aws --output yaml prints them)`, { bold: true }));
    out.push(...formatValue(item, "yaml", "", width).map((l) => line(`  ${l}`)));
  }
  return out;
}

/** An instance's AMI chain up to its root; an image's chain and what came of it. */
function lineageOf(view: SandboxView, kind: ResourceKind, id: string): string[] {
  if (kind !== "instances" && kind !== "images") return [];
  const snap = view.getSnapshot();
  const tree = lineage(snap.images, snap.instances, snap.imageNames);
  // keep the path from the root to `id` and everything under `id`
  const at = tree.findIndex((t) => t.id === id);
  if (at < 0) return [];
  const depth = (p: string) => [...p].length / 3;
  const mine = depth(tree[at]!.prefix);
  const path: typeof tree = [];
  let want = mine - 1;
  for (let i = at - 1; i >= 0 && want >= 0; i--) {
    if (depth(tree[i]!.prefix) === want) {
      path.unshift(tree[i]!);
      want--;
    }
  }
  const below: typeof tree = [];
  for (let i = at + 1; i < tree.length && depth(tree[i]!.prefix) > mine; i++) below.push(tree[i]!);
  const fmt = (t: (typeof tree)[number], mark = "") => `${"   ".repeat(depth(t.prefix))}${t.id}  ${t.text}${mark}`;
  return [...path.map((t) => fmt(t)), fmt(tree[at]!, "   ← this"), ...below.map((t) => fmt(t))];
}
