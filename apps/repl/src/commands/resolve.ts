/**
 * Short forms take resources the way people name them: an ID, a Name tag (`stop cats-2`), an
 * AMI's name (`launch MyCustomAMI`), a public IP (`ssh 54.1.2.3`). Resolved against the live view
 * and, for images, the EC2 API of the region the command runs in — never silently another region.
 */
import type { ImageRow, InstanceRow, SandboxView } from "../view/sandbox-view.ts";
import { IMAGE_ALIASES, IMAGE_ID, INSTANCE_ID, ParseError } from "./parse.ts";
import { closest } from "./suggest.ts";

interface ImageItem {
  ImageId: string;
  Name: string;
  State: string;
  CreationDate: string;
}

/** The instance an ID, Name tag or public IP names; prefers the current region when a name is used twice. */
export function resolveInstance(target: string, view: SandboxView, region: string): InstanceRow {
  const all = view.getSnapshot().instances;
  if (INSTANCE_ID.test(target)) {
    const known = all.find((i) => i.id === target);
    if (known) return known;
    // not (yet) in the view: let EC2 say whether it exists, in the current region
    return {
      id: target,
      region,
      state: "?",
      type: "?",
      az: region,
      imageId: "",
      launchTime: 0,
      created: 0,
      raw: {},
    };
  }
  const live = all.filter((i) => i.state !== "terminated");
  const byIp = live.filter((i) => i.publicIp === target || i.privateIp === target);
  if (byIp.length === 1) return byIp[0]!;
  let matches = live.filter((i) => i.name === target);
  if (matches.length > 1 && matches.some((i) => i.region === region))
    matches = matches.filter((i) => i.region === region);
  if (matches.length === 1) return matches[0]!;
  if (matches.length > 1)
    throw new ParseError(
      `'${target}' names ${matches.length} instances: ${matches.map((i) => `${i.id} (${i.state}, ${i.region})`).join(", ")}`,
      "use the instance ID (Tab completes it)",
    );
  const names = [...new Set(live.map((i) => i.name).filter((n): n is string => !!n))];
  const guess = closest(target, names);
  throw new ParseError(
    `no instance with ID or Name tag '${target}'`,
    guess ? `did you mean ${guess}? (Tab completes IDs and Name tags)` : "Tab completes IDs and Name tags",
  );
}

/** The account's image an ID or name names, in `region` unless the name is only found elsewhere. */
export function resolveOwnImage(target: string, view: SandboxView, region: string): ImageRow {
  const images = view.getSnapshot().images.filter((i) => i.state !== "deregistered");
  if (IMAGE_ID.test(target)) {
    const known = view.getSnapshot().images.find((i) => i.id === target);
    if (known) return known;
    return { id: target, region, name: "", state: "?", ownerId: "", created: 0, raw: {} };
  }
  const here = images.filter((i) => i.name === target && i.region === region);
  if (here.length === 1) return here[0]!;
  const anywhere = images.filter((i) => i.name === target);
  if (anywhere.length === 1) return anywhere[0]!;
  if (anywhere.length > 1)
    throw new ParseError(
      `'${target}' names ${anywhere.length} of your AMIs: ${anywhere.map((i) => `${i.id} (${i.region})`).join(", ")}`,
      "use the AMI ID, or switch region first: region eu-west-1",
    );
  const guess = closest(
    target,
    images.map((i) => i.name),
  );
  throw new ParseError(
    `you own no AMI called '${target}'`,
    guess ? `did you mean ${guess}? (images lists yours)` : "images lists yours; Tab completes them",
  );
}

/**
 * The image `launch` runs in `region`: an AMI ID, a Quick Start alias (the newest match), or the
 * name of one of the account's AMIs there — available, not pending, not deregistered, and not a
 * copy in another region.
 */
export async function resolveLaunchImage(
  spec: string,
  view: SandboxView,
  region: string,
): Promise<{ id: string; name: string }> {
  const client = view.client;
  if (IMAGE_ID.test(spec)) {
    const snap = view.getSnapshot();
    return { id: spec, name: snap.images.find((i) => i.id === spec)?.name ?? snap.imageNames[spec] ?? "" };
  }
  const alias = IMAGE_ALIASES[spec.toLowerCase()];
  if (alias) {
    const out = await client.call<{ Images: ImageItem[] }>(
      "DescribeImages",
      {
        Owners: [alias.owner],
        Filters: [
          { Name: "name", Values: [alias.pattern] },
          { Name: "state", Values: ["available"] },
        ],
      },
      region,
    );
    const best = newest(out.Images ?? []);
    if (!best) throw new ParseError(`launch: no ${alias.what} image in ${region}`);
    return { id: best.ImageId, name: best.Name };
  }
  const own = await client.call<{ Images: ImageItem[] }>(
    "DescribeImages",
    { Owners: ["self"], Filters: [{ Name: "name", Values: [spec] }] },
    region,
  );
  const available = newest((own.Images ?? []).filter((i) => i.State === "available"));
  if (available) return { id: available.ImageId, name: available.Name };
  const pending = (own.Images ?? []).find((i) => i.State === "pending");
  if (pending)
    throw new ParseError(
      `launch: ${pending.ImageId} (${spec}) is pending, not available yet`,
      "wait for it (progress above) or clock advance 5m",
    );
  const unusable = (own.Images ?? [])[0];
  if (unusable)
    throw new ParseError(`launch: ${unusable.ImageId} (${spec}) is ${unusable.State}`, "it cannot launch instances");
  const elsewhere = view
    .getSnapshot()
    .images.filter((i) => i.name === spec && i.region !== region && i.state !== "deregistered");
  if (elsewhere.length) {
    const e = elsewhere[0]!;
    throw new ParseError(
      `launch: your AMI '${spec}' is in ${[...new Set(elsewhere.map((i) => i.region))].join(", ")}, not ${region} (AMIs belong to one region)`,
      `launch ${spec} --region ${e.region}, or copy it here: image copy ${e.id} ${region}`,
    );
  }
  // a public image by its exact name (Quick Start, Marketplace, community)
  const pub = await client.call<{ Images: ImageItem[] }>(
    "DescribeImages",
    {
      Filters: [
        { Name: "name", Values: [spec] },
        { Name: "state", Values: ["available"] },
      ],
    },
    region,
  );
  const best = newest(pub.Images ?? []);
  if (best) return { id: best.ImageId, name: best.Name };
  const mine = view
    .getSnapshot()
    .images.filter((i) => i.region === region && i.state === "available")
    .map((i) => i.name);
  const guess = closest(spec, [...Object.keys(IMAGE_ALIASES), ...mine]);
  throw new ParseError(
    `launch: no available image called '${spec}' in ${region}`,
    guess
      ? `did you mean ${guess}?`
      : `use an AMI ID, one of ${Object.keys(IMAGE_ALIASES).join(", ")}, or the name of one of your images`,
  );
}

function newest(images: ImageItem[]): ImageItem | undefined {
  return [...images].sort((a, b) => b.CreationDate.localeCompare(a.CreationDate))[0];
}
