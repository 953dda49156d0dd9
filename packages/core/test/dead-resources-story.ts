/**
 * A sandbox whose bill holds dead resources (R22, R23): forgotten instances — on-demand with a stop
 * and start, Marketplace, Spot, public IPs, tags, two accounts and regions — their deleted root
 * volumes, a deleted data volume, and deleted snapshots (a full one whose blocks moved to the next, an
 * incremental one).
 * Public API only: fixtures/make-format1-dead.ts runs it on the version before compact dead records.
 */
import { type CallContext, type EventEnvelope, Sandbox } from "../src/index.ts";
import { A, AL2023_X86, ami, B, EU, NGINX_PLUS_X86, US } from "./r01-r13-helpers.ts";

type Any = any;

export const DEAD_SEED = "dead-resources";

export function deadResourcesStory(): { sb: Sandbox; events: EventEnvelope[] } {
  const sb = new Sandbox({ seed: DEAD_SEED, realNow: () => 0 });
  const events: EventEnvelope[] = [];
  sb.subscribe((es) => events.push(...es));
  sb.createAccount({ accountId: A });
  sb.createAccount({ accountId: B });
  const a: CallContext = { accountId: A, region: US };
  const bEu: CallContext = { accountId: B, region: EU };
  const call = (c: CallContext, action: string, input: Record<string, unknown> = {}): Any =>
    sb.call(c, action, input).output;
  const until = (check: () => boolean) => {
    for (let i = 0; i < 2000 && !check(); i++) sb.advance(10_000);
    if (!check()) throw new Error("never reached");
  };
  const ids = (run: Any): string[] => run.Instances.map((i: Any) => i.InstanceId);
  const tagged = (team: string) => [
    { ResourceType: "instance", Tags: [{ Key: "team", Value: team }] },
    { ResourceType: "volume", Tags: [{ Key: "team", Value: team }] },
  ];
  const web = ids(
    call(a, "RunInstances", {
      ImageId: ami(AL2023_X86),
      InstanceType: "t3.micro",
      MinCount: 3,
      MaxCount: 3,
      TagSpecifications: tagged("web"),
    }),
  );
  const nginx = ids(call(a, "RunInstances", { ImageId: ami(NGINX_PLUS_X86), InstanceType: "t3.small", MinCount: 1 }));
  const spot = ids(
    call(a, "RunInstances", {
      ImageId: ami(AL2023_X86),
      InstanceType: "m5.large",
      MinCount: 1,
      InstanceMarketOptions: { MarketType: "spot", SpotOptions: {} },
    }),
  );
  const eu = ids(
    call(bEu, "RunInstances", { ImageId: ami(AL2023_X86, EU), MinCount: 2, TagSpecifications: tagged("eu") }),
  );
  sb.advance(5 * 60_000);
  call(a, "StopInstances", { InstanceIds: [web[0]] });
  sb.advance(2 * 60_000);
  call(a, "StartInstances", { InstanceIds: [web[0]] });
  sb.advance(3 * 60_000);
  // Snapshots of root volumes: a full one, then an incremental one after a write, the first deleted
  // (its blocks move to the second); on another, a full one and an incremental one deleted.
  const root = (id: string) =>
    call(a, "DescribeInstances", { InstanceIds: [id] }).Reservations[0].Instances[0].BlockDeviceMappings[0].Ebs
      .VolumeId as string;
  const snapshot = (volumeId: string) => {
    const id = call(a, "CreateSnapshot", { VolumeId: volumeId }).SnapshotId as string;
    until(() => call(a, "DescribeSnapshots", { SnapshotIds: [id] }).Snapshots[0].State === "completed");
    return id;
  };
  const vol1 = root(web[1]!);
  const snap1 = snapshot(vol1);
  const write = (id: string) => call(a, "GuestRun", { InstanceId: id, Command: "echo data | sudo tee /var/data" });
  write(web[1]!);
  const snap2 = snapshot(vol1);
  call(a, "CreateTags", { Resources: [snap2], Tags: [{ Key: "keep", Value: "no" }] });
  sb.advance(20 * 60_000);
  call(a, "DeleteSnapshot", { SnapshotId: snap1 });
  snapshot(root(web[2]!));
  write(web[2]!);
  const snap4 = snapshot(root(web[2]!));
  sb.advance(40 * 60_000);
  call(a, "DeleteSnapshot", { SnapshotId: snap4 });
  // A data volume, tagged, created and deleted.
  const az = call(a, "DescribeInstances", { InstanceIds: [web[0]] }).Reservations[0].Instances[0].Placement
    .AvailabilityZone;
  const data = call(a, "CreateVolume", {
    AvailabilityZone: az,
    Size: 40,
    VolumeType: "io1",
    Iops: 400,
    TagSpecifications: [{ ResourceType: "volume", Tags: [{ Key: "team", Value: "db" }] }],
  }).VolumeId;
  until(() => call(a, "DescribeVolumes", { VolumeIds: [data] }).Volumes[0].State === "available");
  sb.advance(30 * 60_000);
  call(a, "DeleteVolume", { VolumeId: data });
  // Everything but web[2] terminated, then forgotten (an hour later, R13).
  call(a, "TerminateInstances", { InstanceIds: [web[0], web[1], ...nginx, ...spot] });
  sb.advance(10 * 60_000);
  call(bEu, "TerminateInstances", { InstanceIds: eu });
  sb.advance(2 * 3_600_000);
  return { sb, events };
}
