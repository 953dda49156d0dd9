// biome-ignore-all lint/suspicious/noExplicitAny: events arrive as plain JSON from the subscription
/** One line about an event, for a resource's recent events in its describe view. */

const list = (xs: unknown[] | undefined, n = 3) =>
  (xs ?? []).slice(0, n).join(", ") + ((xs?.length ?? 0) > n ? ` (+${(xs?.length ?? 0) - n})` : "");

export function eventText(e: any): string {
  switch (e.type) {
    case "InstancesLaunched":
      return `launched ${list(e.instances?.map((i: any) => i.instanceId))} (${e.instances?.[0]?.instanceType ?? "?"} from ${e.instances?.[0]?.imageId ?? "?"})`;
    case "InstanceStateChanged":
      return `${e.instanceId} → ${e.state}${e.reason ? ` (${e.reason})` : ""}`;
    case "InstanceRebooted":
      return `${e.instanceId} rebooted`;
    case "InstanceForgotten":
      return `${e.instanceId} left the list (terminated a while ago)`;
    case "InstanceAttributeChanged":
      return `${e.instanceId}: attribute changed`;
    case "GuestChanged":
      return `${e.instanceId}: changed inside (${(e.effects ?? []).length} effect${(e.effects ?? []).length === 1 ? "" : "s"})`;
    case "ImageCreated":
      return `${e.image?.imageId} ${e.image?.name ?? ""} created${e.image?.sourceInstanceId ? ` from ${e.image.sourceInstanceId}` : e.image?.sourceImageId ? ` as a copy of ${e.image.sourceImageId}` : ""}`;
    case "ImageStateChanged":
      return `${e.imageId} → ${e.state}`;
    case "ImageDeregistered":
      return `${e.imageId} deregistered`;
    case "ImageAttributesChanged":
      return `${e.imageId}: attributes changed`;
    case "TagsCreated":
      return `tagged ${list(e.resourceIds)}: ${(e.tags ?? []).map((t: any) => `${t.Key ?? t[0]}=${t.Value ?? t[1] ?? ""}`).join(", ")}`;
    case "TagsDeleted":
      return `untagged ${list(e.resourceIds)}`;
    case "VolumeCreated":
      return `${e.volume?.volumeId} created (${e.volume?.size ?? "?"} GiB ${e.volume?.volumeType ?? ""})`;
    case "VolumeAttached":
      return `${e.volumeId} attached to ${e.instanceId} as ${e.device ?? "?"}`;
    case "VolumeDetached":
      return `${e.volumeId} detached`;
    case "VolumeStateChanged":
      return `${e.volumeId} → ${e.state}`;
    case "VolumeDeleted":
      return `${e.volumeId} deleted`;
    case "SnapshotStarted":
      return `${e.snapshot?.snapshotId ?? e.snapshotId} started${e.snapshot?.volumeId ? ` from ${e.snapshot.volumeId}` : ""}`;
    case "SnapshotStateChanged":
      return `${e.snapshotId} → ${e.state}`;
    case "SnapshotDeleted":
      return `${e.snapshotId} deleted`;
    case "KeyPairCreated":
      return `key pair ${e.keyPair?.keyName ?? e.keyName ?? ""} created`;
    case "KeyPairDeleted":
      return `key pair ${e.keyPairId} deleted`;
    case "SecurityGroupCreated":
      return `security group ${e.group?.groupId ?? e.groupId ?? ""} ${e.group?.groupName ?? ""} created`;
    case "SecurityGroupRulesAuthorized":
      return `${e.groupId}: ${(e.rules ?? []).length} rule(s) authorized`;
    case "SecurityGroupRulesRevoked":
      return `${e.groupId}: ${(e.ruleIds ?? []).length} rule(s) revoked`;
    case "SecurityGroupDeleted":
      return `${e.groupId} deleted`;
    case "AddressAssociated":
      return `Elastic IP ${e.publicIp ?? e.allocationId} associated with ${e.instanceId ?? "?"}`;
    case "AddressDisassociated":
      return `Elastic IP ${e.allocationId} disassociated`;
    default:
      return e.type;
  }
}
