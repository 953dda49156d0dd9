/**
 * The public catalogs (R6): Quick Start (owner alias `amazon` and the distributions' own
 * accounts), AWS Marketplace (product codes, an hourly software charge) and Community images. They
 * exist in every region with IDs derived from the region and the image name (R1: IDs differ per
 * region), and are built lazily: a region's catalog is made the first time someone looks there.
 */
import { CATALOG_IMAGES } from "./catalog-data.ts";
import type { CatalogImage } from "./data-types.ts";
import { baseFileSystem } from "./guest/os.ts";
import { stableId } from "./ids.ts";
import type { Image, Snapshot } from "./model.ts";

interface RegionCatalog {
  images: Map<string, Image>;
  snapshots: Map<string, Snapshot>;
}

const cache = new Map<string, RegionCatalog>();

const snapshotIdFor = (region: string, c: CatalogImage) => stableId("snapshot", `catalog:${region}:${c.name}:root`);
export const catalogImageId = (region: string, name: string) => stableId("image", `catalog:${region}:${name}`);

function build(region: string): RegionCatalog {
  const images = new Map<string, Image>();
  const snapshots = new Map<string, Snapshot>();
  for (const c of CATALOG_IMAGES) {
    if (c.regions && !c.regions.includes(region)) continue;
    const imageId = catalogImageId(region, c.name);
    const created = Date.parse(c.creationDate);
    const fs = baseFileSystem(c.guest);
    const isEbs = c.rootDeviceType === "ebs";
    const snapshotId = snapshotIdFor(region, c);
    if (isEbs) {
      snapshots.set(snapshotId, {
        snapshotId,
        region,
        ownerId: c.ownerId,
        ownerAlias: c.ownerAlias,
        volumeId: "vol-ffffffff",
        volumeSize: c.rootVolumeSizeGiB,
        description: `Root snapshot of ${c.name}`,
        state: "completed",
        startTime: created,
        completedAt: created,
        encrypted: false,
        layer: fs.layer,
        blocks: fs.blocks,
        storedBlocks: fs.blocks,
        guest: c.guest,
        // Public images' snapshots can be read by everyone (the root volume is created from them).
        createVolumePermissions: new Set(["all"]),
        tags: new Map(),
      });
    }
    images.set(imageId, {
      imageId,
      region,
      ownerId: c.ownerId,
      ownerAlias: c.ownerAlias,
      name: c.name,
      description: c.description,
      state: "available",
      architecture: c.architecture,
      platform: c.platform,
      platformDetails: c.platformDetails,
      usageOperation: c.usageOperation,
      rootDeviceType: c.rootDeviceType,
      rootDeviceName: c.rootDeviceName,
      virtualizationType: c.virtualizationType,
      bootMode: c.bootMode,
      enaSupport: c.enaSupport,
      sriovNetSupport: c.sriovNetSupport,
      imdsSupport: c.imdsSupport,
      imageLocation: c.imageLocation,
      creationDate: created,
      deprecationTime: c.deprecationTime ? Date.parse(c.deprecationTime) : undefined,
      blockDeviceMappings: isEbs
        ? [
            {
              deviceName: c.rootDeviceName,
              ebs: {
                snapshotId,
                volumeSize: c.rootVolumeSizeGiB,
                volumeType: c.rootVolumeType,
                deleteOnTermination: true,
                encrypted: false,
                ...(c.rootVolumeType === "gp3" ? { iops: 3000, throughput: 125 } : {}),
              },
            },
          ]
        : [{ deviceName: "sdb", virtualName: "ephemeral0" }],
      productCodes: (c.productCodes ?? []).map((p) => ({
        productCodeId: p.productCodeId,
        productCodeType: p.productCodeType,
      })),
      launchPermissions: { userIds: new Set(), organizationArns: new Set(), ouArns: new Set(), public: true },
      deregistrationProtection: false,
      catalog: c.catalog,
      guest: c.guest,
      softwareUsdPerHour: c.softwareUsdPerHour,
      bundle: isEbs
        ? undefined
        : {
            layer: fs.layer,
            sizeBytes: fs.blocks.size * 512 * 1024,
            usedBlocks: fs.blocks.size,
            manifest: c.imageLocation,
          },
      gettingStarted: c.gettingStarted,
      parameters: c.parameters,
      tags: new Map(),
    });
  }
  return { images, snapshots };
}

function regionCatalog(region: string): RegionCatalog {
  let c = cache.get(region);
  if (!c) cache.set(region, (c = build(region)));
  return c;
}

export const catalogImages = (region: string): Iterable<Image> => regionCatalog(region).images.values();
export const catalogImage = (region: string, id: string): Image | undefined => regionCatalog(region).images.get(id);
export const catalogSnapshot = (region: string, id: string): Snapshot | undefined =>
  id.startsWith("snap-") ? regionCatalog(region).snapshots.get(id) : undefined;

/** The newest catalog image whose name matches a prefix and architecture (REPL short forms). */
export function latestCatalogImage(region: string, predicate: (img: Image) => boolean): Image | undefined {
  let best: Image | undefined;
  for (const img of catalogImages(region))
    if (predicate(img) && (!best || img.creationDate > best.creationDate)) best = img;
  return best;
}
