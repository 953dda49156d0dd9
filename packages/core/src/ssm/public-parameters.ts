/**
 * The public parameters under `/aws/service/`: Amazon Linux, Ubuntu, Debian and Windows publish the
 * ID of their newest image there, per region (data/ssm-public-parameters.json names the catalog
 * image each one points at; the value is that image's ID in the caller's region, R1). Read-only:
 * every account sees them, none can change them, DescribeParameters does not list them.
 */
import publicJson from "../../data/ssm-public-parameters.json" with { type: "json" };
import { catalogImage, catalogImageId } from "../catalog.ts";
import type { ParameterVersion } from "./model.ts";

interface PublicEntry {
  name: string;
  image: string;
  version?: number;
}

const entries = (publicJson as { parameters: PublicEntry[] }).parameters;
const byName = new Map(entries.map((e) => [e.name, e]));

export const PUBLIC_PREFIX = "/aws/service/";
export const isPublicName = (name: string): boolean => name.startsWith(PUBLIC_PREFIX);

/** A public parameter as it stands in a region, or undefined when there is none of that name there. */
export function publicParameter(region: string, name: string): { name: string; current: ParameterVersion } | undefined {
  const e = byName.get(name);
  if (!e) return undefined;
  const imageId = catalogImageId(region, e.image);
  const image = catalogImage(region, imageId);
  if (!image) return undefined;
  return {
    name,
    current: {
      version: e.version ?? 1,
      value: imageId,
      type: "String",
      dataType: "text",
      tier: "Standard",
      lastModified: image.creationDate,
      labels: [],
    },
  };
}

/** Every public parameter's name, sorted. */
export const publicParameterNames = (): string[] => [...byName.keys()].sort();
