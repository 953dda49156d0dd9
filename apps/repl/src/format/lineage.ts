/**
 * The AMI lineage tree: AMI#1 → instance#1 → AMI#2 → instance#2 …, copies across regions under
 * the AMI they were copied from. Built from what describe calls return: an instance's ImageId, an
 * image's SourceInstanceId (CreateImage) or SourceImageId without a source instance (CopyImage).
 */
import type { ImageRow, InstanceRow } from "../view/sandbox-view.ts";
import { STATE_GLYPH } from "./units.ts";

export interface TreeLine {
  prefix: string;
  id: string;
  text: string;
  state: string;
}

interface Node {
  kind: "image" | "instance";
  id: string;
  text: string;
  state: string;
  children: Node[];
}

export function lineage(
  images: readonly ImageRow[],
  instances: readonly InstanceRow[],
  names: Record<string, string>,
): TreeLine[] {
  const imageNodes = new Map<string, Node>();
  const instanceNodes = new Map<string, Node>();
  const imageNode = (id: string): Node => {
    let n = imageNodes.get(id);
    if (!n) {
      const img = images.find((i) => i.id === id);
      n = img
        ? {
            kind: "image",
            id,
            text: `${img.name}${img.sourceImageId && !img.sourceInstanceId ? ` (copy in ${img.region})` : ""}`,
            state: img.state,
            children: [],
          }
        : { kind: "image", id, text: names[id] ?? "(not yours)", state: "", children: [] };
      imageNodes.set(id, n);
    }
    return n;
  };
  const parents = new Map<Node, Node>();
  const link = (parent: Node, child: Node) => {
    if (parents.has(child)) return;
    parents.set(child, parent);
    parent.children.push(child);
  };
  for (const i of instances) {
    const n: Node = { kind: "instance", id: i.id, text: i.name ?? "", state: i.state, children: [] };
    instanceNodes.set(i.id, n);
    link(imageNode(i.imageId), n);
  }
  for (const img of images) {
    const n = imageNode(img.id);
    if (img.sourceInstanceId) {
      let inst = instanceNodes.get(img.sourceInstanceId);
      if (!inst) {
        inst = { kind: "instance", id: img.sourceInstanceId, text: "(gone)", state: "terminated", children: [] };
        instanceNodes.set(inst.id, inst);
        if (img.sourceImageId) link(imageNode(img.sourceImageId), inst);
      }
      link(inst, n);
    } else if (img.sourceImageId) {
      link(imageNode(img.sourceImageId), n);
    }
  }
  const roots = [...imageNodes.values()].filter((n) => !parents.has(n));
  const out: TreeLine[] = [];
  const walk = (n: Node, prefix: string, childPrefix: string) => {
    const glyph = n.kind === "instance" ? `${STATE_GLYPH[n.state] ?? "·"} ` : "";
    out.push({ prefix, id: n.id, text: `${n.text}${n.state ? `  ${glyph}${n.state}` : ""}`, state: n.state });
    n.children.forEach((c, idx) => {
      const last = idx === n.children.length - 1;
      walk(c, `${childPrefix}${last ? "└─ " : "├─ "}`, `${childPrefix}${last ? "   " : "│  "}`);
    });
  };
  for (const r of roots) walk(r, "", "");
  return out;
}
