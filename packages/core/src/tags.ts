/**
 * Tags (R21): on every resource, set at creation with TagSpecifications and later with CreateTags,
 * removed with DeleteTags, listed with DescribeTags, and filterable in every Describe call.
 */
import type { Tag, TagDescription, TagSpecification } from "@aws-sdk/client-ec2";
import { Ec2Error, errors } from "./errors.ts";
import type { TagList } from "./events.ts";
import { compileFilters, exactValues, type Filter, paginate } from "./filters.ts";
import type { Tags } from "./model.ts";
import { interfaceTags, ownPrimaryId, writableInterfaceTags } from "./network-interfaces.ts";
import { findSpotRequest, spotTags } from "./spot.ts";
import type { RegionState, SandboxState } from "./state.ts";
import type { Tx } from "./tx.ts";

/** The tags of instances' own primary interfaces that have any, as DescribeTags lists them. */
function* ownPrimaryTags(r: RegionState) {
  for (const i of r.instances.values())
    if (i.eni?.tags?.size && !i.primaryEniId && i.state !== "terminated")
      yield { tags: i.eni.tags, ownerId: i.ownerId, networkInterfaceId: ownPrimaryId(i.instanceId) };
}

/** Spot requests that have tags, as DescribeTags lists them. */
function* spotRequestTags(r: RegionState) {
  for (const i of r.instances.values())
    if (i.spot?.tags?.size) yield { tags: i.spot.tags, ownerId: i.ownerId, spotInstanceRequestId: i.spot.requestId };
}

type TaggedEntity = { tags: Tags; ownerId: string } & Record<string, unknown>;

/**
 * DescribeTags' families in the order it lists them, each map keyed by the field that names its
 * resource (a snapshot also holds a volumeId, an address an instanceId). Instances' own primary
 * interfaces and Spot requests follow them (see DescribeTags).
 */
type TagPool =
  | "instances"
  | "images"
  | "volumes"
  | "snapshots"
  | "securityGroups"
  | "keyPairs"
  | "addresses"
  | "vpcs"
  | "subnets"
  | "internetGateways"
  | "routeTables"
  | "networkAcls"
  | "networkInterfaces"
  | "natGateways"
  | "launchTemplates";
const poolOf = (r: RegionState, field: TagPool) => r[field] as Map<string, { tags: Tags; ownerId: string }>;
const TAG_POOLS: readonly [TagPool, string][] = [
  ["instances", "instanceId"],
  ["images", "imageId"],
  ["volumes", "volumeId"],
  ["snapshots", "snapshotId"],
  ["securityGroups", "groupId"],
  ["keyPairs", "keyPairId"],
  ["addresses", "allocationId"],
  ["vpcs", "vpcId"],
  ["subnets", "subnetId"],
  ["internetGateways", "internetGatewayId"],
  ["routeTables", "routeTableId"],
  ["networkAcls", "networkAclId"],
  ["networkInterfaces", "networkInterfaceId"],
  ["natGateways", "natGatewayId"],
  ["launchTemplates", "launchTemplateId"],
];

/**
 * For a `resource-id` filter of exact IDs: the entities they name, by pool, in DescribeTags' order
 * — map lookups instead of a walk over every tagged thing of the region. Undefined (walk) when an
 * ID may name an instance's own primary interface or a Spot request (they are not in a map).
 */
function resourceIdHits(r: RegionState, ids: string[] | undefined): Map<number, TaggedEntity[]> | undefined {
  if (!ids || ids.some((id) => id.startsWith("eni-") || id.startsWith("sir-"))) return undefined;
  const wanted = new Set(ids);
  const out = new Map<number, TaggedEntity[]>();
  TAG_POOLS.forEach(([field, idField], pool) => {
    const map = poolOf(r, field) as Map<string, TaggedEntity>;
    const hits: TaggedEntity[] = [];
    for (const id of wanted) {
      const e = map.get(id);
      if (e && e[idField] === id) hits.push(e);
    }
    if (hits.length === 0) return;
    // Two or more in one family: the map's own order, as the walk lists them.
    if (hits.length > 1) {
      const set = new Set(hits);
      hits.length = 0;
      for (const e of map.values()) if (set.has(e)) hits.push(e);
    }
    out.set(pool, hits);
  });
  return out;
}

export const toTagSet = (tags: Tags): Tag[] | undefined =>
  tags.size === 0 ? undefined : [...tags].map(([Key, Value]) => ({ Key, Value }));

export const tagMap = (list: TagList | undefined): Tags => new Map(list ?? []);

function validateTag(key: string | undefined, value: string | undefined): void {
  if (!key) throw new Ec2Error("InvalidParameterValue", "Tag key cannot be null or empty");
  if (key.length > 128)
    throw new Ec2Error("InvalidParameterValue", `Tag key exceeds the maximum length of 128 characters`);
  if (key.toLowerCase().startsWith("aws:"))
    throw new Ec2Error("InvalidParameterValue", "Tag keys starting with 'aws:' are reserved for internal use");
  if ((value ?? "").length > 256)
    throw new Ec2Error("InvalidParameterValue", "Tag value exceeds the maximum length of 256 characters");
}

/** Tags from a TagSpecifications list for one resource type ("instance", "volume", "image"…). */
export function tagsFor(
  specs: readonly TagSpecification[] | undefined,
  resourceType: string,
  allowed: readonly string[],
): TagList {
  const out: TagList = [];
  for (const spec of specs ?? []) {
    if (!spec.ResourceType) throw errors.missingParameter("TagSpecification.ResourceType");
    if (!allowed.includes(spec.ResourceType)) {
      throw new Ec2Error(
        "InvalidParameterValue",
        `'${spec.ResourceType}' is not a valid taggable resource type for this operation.`,
      );
    }
    if (spec.ResourceType !== resourceType) continue;
    for (const t of spec.Tags ?? []) {
      validateTag(t.Key, t.Value);
      out.push([t.Key!, t.Value ?? ""]);
    }
  }
  if (out.length > 50) throw new Ec2Error("TagLimitExceeded", "The maximum number of tags per resource is 50");
  return out;
}

/** Every taggable entity of a region by ID, with its type name for DescribeTags. */
export function findTaggable(
  region: RegionState,
  id: string,
): { tags: Tags; ownerId: string; type: string } | undefined {
  const r = region;
  const hit =
    (id.startsWith("i-") && r.instances.get(id)) ||
    (id.startsWith("ami-") && r.images.get(id)) ||
    (id.startsWith("vol-") && r.volumes.get(id)) ||
    (id.startsWith("snap-") && r.snapshots.get(id)) ||
    (id.startsWith("sg-") && r.securityGroups.get(id)) ||
    (id.startsWith("key-") && r.keyPairs.get(id)) ||
    (id.startsWith("eipalloc-") && r.addresses.get(id)) ||
    (id.startsWith("vpc-") && r.vpcs.get(id)) ||
    (id.startsWith("subnet-") && r.subnets.get(id)) ||
    (id.startsWith("igw-") && r.internetGateways.get(id)) ||
    (id.startsWith("rtb-") && r.routeTables.get(id)) ||
    (id.startsWith("acl-") && r.networkAcls.get(id)) ||
    (id.startsWith("nat-") && r.natGateways.get(id)) ||
    (id.startsWith("lt-") && r.launchTemplates.get(id)) ||
    undefined;
  if (!hit) {
    if (id.startsWith("eni-")) {
      const eni = interfaceTags(r, id);
      if (eni) return { tags: eni.tags, ownerId: eni.ownerId, type: "network-interface" };
    }
    if (id.startsWith("sir-")) {
      const i = findSpotRequest(r.instances.values(), id);
      if (i?.spot) return { tags: spotTags(i.spot), ownerId: i.ownerId, type: "spot-instances-request" };
    }
    if (id.startsWith("sgr-")) {
      for (const g of r.securityGroups.values()) {
        const rule = g.rules.get(id);
        if (rule) return { tags: rule.tags, ownerId: g.ownerId, type: "security-group-rule" };
      }
    }
    return undefined;
  }
  return { tags: hit.tags, ownerId: hit.ownerId, type: resourceTypeOf(id) };
}

const TYPE_BY_PREFIX: Record<string, string> = {
  i: "instance",
  ami: "image",
  vol: "volume",
  snap: "snapshot",
  sg: "security-group",
  key: "key-pair",
  eipalloc: "elastic-ip",
  vpc: "vpc",
  subnet: "subnet",
  sgr: "security-group-rule",
  igw: "internet-gateway",
  rtb: "route-table",
  acl: "network-acl",
  eni: "network-interface",
  nat: "natgateway",
  lt: "launch-template",
  sir: "spot-instances-request",
};
export const resourceTypeOf = (id: string): string => TYPE_BY_PREFIX[id.slice(0, id.indexOf("-"))] ?? "unknown";

/** Applies TagsCreated/TagsDeleted, keeping the instance tag index right. */
export function applyTags(
  state: SandboxState,
  region: RegionState,
  ids: string[],
  set: TagList,
  del: [string, string | null][],
): void {
  for (const id of ids) {
    const t = id.startsWith("eni-") ? { tags: writableInterfaceTags(region, id) } : findTaggable(region, id);
    if (!t?.tags) continue;
    const isInstance = id.startsWith("i-");
    for (const [k, v] of set) {
      if (isInstance) {
        const old = t.tags.get(k);
        if (old !== undefined) region.instancesByTag.remove(`${k}=${old}`, id);
        region.instancesByTag.add(`${k}=${v}`, id);
      }
      t.tags.set(k, v);
    }
    for (const [k, v] of del) {
      const old = t.tags.get(k);
      if (old === undefined || (v !== null && v !== old)) continue;
      if (isInstance) region.instancesByTag.remove(`${k}=${old}`, id);
      t.tags.delete(k);
    }
  }
  void state;
}

function checkIds(tx: Tx, ids: string[] | undefined): string[] {
  if (!ids || ids.length === 0) throw errors.missingParameter("ResourceId");
  for (const id of ids) {
    const t = findTaggable(tx.region, id);
    if (!t || t.ownerId !== tx.ctx.accountId) {
      const type = resourceTypeOf(id);
      const code = {
        instance: "InvalidInstanceID.NotFound",
        image: "InvalidAMIID.NotFound",
        volume: "InvalidVolume.NotFound",
        snapshot: "InvalidSnapshot.NotFound",
        "security-group": "InvalidGroup.NotFound",
        "key-pair": "InvalidKeyPair.NotFound",
        "elastic-ip": "InvalidAllocationID.NotFound",
        vpc: "InvalidVpcID.NotFound",
        subnet: "InvalidSubnetID.NotFound",
        "internet-gateway": "InvalidInternetGatewayID.NotFound",
        "route-table": "InvalidRouteTableID.NotFound",
        "network-acl": "InvalidNetworkAclID.NotFound",
        "network-interface": "InvalidNetworkInterfaceID.NotFound",
        natgateway: "NatGatewayNotFound",
        "launch-template": "InvalidLaunchTemplateId.NotFound",
        "spot-instances-request": "InvalidSpotInstanceRequestID.NotFound",
      }[type];
      if (!code) throw new Ec2Error("InvalidID", `The ID '${id}' is not valid`);
      throw new Ec2Error(
        code,
        type === "spot-instances-request"
          ? `The spot instance request ID '${id}' does not exist`
          : `The ${type === "image" ? "image id" : `${type.replace(/-/g, " ")} ID`} '${id}' does not exist`,
      );
    }
  }
  return ids;
}

export const tagActions = {
  CreateTags(tx: Tx, input: { Resources?: string[]; Tags?: Tag[]; DryRun?: boolean }) {
    const ids = checkIds(tx, input.Resources);
    if (!input.Tags || input.Tags.length === 0) throw errors.missingParameter("Tag");
    const tags: TagList = input.Tags.map((t) => {
      validateTag(t.Key, t.Value);
      return [t.Key!, t.Value ?? ""];
    });
    tx.emit({ type: "TagsCreated", region: tx.ctx.region, resourceIds: ids, tags });
    return {};
  },
  DeleteTags(tx: Tx, input: { Resources?: string[]; Tags?: Tag[] }) {
    const ids = checkIds(tx, input.Resources);
    const all = !input.Tags || input.Tags.length === 0;
    const tags: [string, string | null][] = all
      ? [...new Set(ids.flatMap((id) => [...findTaggable(tx.region, id)!.tags.keys()]))].map((k) => [k, null])
      : input.Tags!.map((t) => [t.Key ?? "", t.Value === undefined ? null : t.Value]);
    tx.emit({ type: "TagsDeleted", region: tx.ctx.region, resourceIds: ids, tags });
    return {};
  },
  DescribeTags(tx: Tx, input: { Filters?: Filter[]; MaxResults?: number; NextToken?: string }) {
    const r = tx.region;
    const match = compileFilters<TagDescription & { tags: Tags }>(input.Filters, {
      key: (t) => t.Key,
      value: (t) => t.Value,
      "resource-id": (t) => t.ResourceId,
      "resource-type": (t) => t.ResourceType,
    });
    const rows: (TagDescription & { tags: Tags })[] = [];
    const push = (e: { tags: Tags; ownerId: string } & Record<string, unknown>, idField: string) => {
      if (e.ownerId !== tx.ctx.accountId) return;
      const id = e[idField] as string;
      for (const [Key, Value] of e.tags)
        rows.push({
          ResourceId: id,
          ResourceType: resourceTypeOf(id) as TagDescription["ResourceType"],
          Key,
          Value,
          tags: new Map([[Key, Value]]),
        });
    };
    const byId = resourceIdHits(r, exactValues(input.Filters, "resource-id"));
    if (byId) {
      // The same rows, in the same order, as the walk below would give (the filters still apply).
      for (const [pool, hits] of byId) for (const e of hits) push(e, TAG_POOLS[pool]![1]);
    } else {
      for (const [field, idField] of TAG_POOLS)
        for (const e of poolOf(r, field).values()) push(e as TaggedEntity, idField);
      for (const e of ownPrimaryTags(r)) push(e, "networkInterfaceId");
      for (const e of spotRequestTags(r)) push(e, "spotInstanceRequestId");
    }
    const { page, nextToken } = paginate(rows.filter(match), input, { min: 5, max: 1000 }, "tags");
    return { Tags: page.map(({ tags: _t, ...rest }) => rest), NextToken: nextToken };
  },
};
