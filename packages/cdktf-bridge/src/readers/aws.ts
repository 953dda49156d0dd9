/**
 * An AWS account (or anything that speaks EC2's API: an ec2sim endpoint) as an inventory, through
 * @aws-sdk/client-ec2 with the standard credentials chain (a profile when given) and any endpoint.
 */
import type { EC2 as EC2Type, Image as SdkImage } from "@aws-sdk/client-ec2";
import { userDataHash } from "../diff/user-data.ts";
import {
  type Inventory,
  type InvResource,
  isLaunchVolume,
  launchTemplateRef,
  normalizeProtocol,
  normalizePublicKey,
  splitTags,
} from "../inventory.ts";
import { all, readAwsNetwork } from "./aws-network.ts";

export interface AwsReaderOptions {
  /** A profile of the shared config/credentials files; the default chain when absent. */
  profile?: string;
  regions: string[];
  /** EC2 endpoint (else AWS_ENDPOINT_URL_EC2 / AWS_ENDPOINT_URL / the real one). */
  endpoint?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  source?: string;
}

type Tag = { Key?: string; Value?: string };
const tagPairs = (tags: Tag[] | undefined): [string, string][] =>
  (tags ?? []).filter((t) => t.Key !== undefined).map((t) => [t.Key!, t.Value ?? ""]);

export async function readAws(opts: AwsReaderOptions): Promise<Inventory> {
  const sdk = await import("@aws-sdk/client-ec2");
  const out: InvResource[] = [];
  const warnings: string[] = [];
  const endpoint = opts.endpoint ?? process.env.AWS_ENDPOINT_URL_EC2 ?? process.env.AWS_ENDPOINT_URL;
  for (const region of opts.regions) {
    const ec2: EC2Type = new sdk.EC2({
      region,
      ...(endpoint ? { endpoint } : {}),
      ...(opts.credentials ? { credentials: opts.credentials } : opts.profile ? { profile: opts.profile } : {}),
      maxAttempts: 3,
    });
    const [network, reservations, images, keyPairs, groups, rules, volumes, snapshots, addresses] = await Promise.all([
      readAwsNetwork(ec2, region),
      all((t) =>
        ec2.describeInstances({ NextToken: t }).then((r) => ({ NextToken: r.NextToken, items: r.Reservations ?? [] })),
      ),
      ec2.describeImages({ Owners: ["self"] }).then((r) => r.Images ?? []),
      ec2.describeKeyPairs({ IncludePublicKey: true }).then((r) => r.KeyPairs ?? []),
      all((t) =>
        ec2
          .describeSecurityGroups({ NextToken: t })
          .then((r) => ({ NextToken: r.NextToken, items: r.SecurityGroups ?? [] })),
      ),
      all((t) =>
        ec2
          .describeSecurityGroupRules({ NextToken: t })
          .then((r) => ({ NextToken: r.NextToken, items: r.SecurityGroupRules ?? [] })),
      ),
      all((t) =>
        ec2.describeVolumes({ NextToken: t }).then((r) => ({ NextToken: r.NextToken, items: r.Volumes ?? [] })),
      ),
      all((t) =>
        ec2
          .describeSnapshots({ OwnerIds: ["self"], NextToken: t })
          .then((r) => ({ NextToken: r.NextToken, items: r.Snapshots ?? [] })),
      ),
      ec2.describeAddresses({}).then((r) => r.Addresses ?? []),
    ]);
    const ownImages = new Map(images.filter((i) => i.State !== "deregistered").map((i) => [i.ImageId!, i]));
    const amiSnaps = new Set(
      images.flatMap((i) =>
        (i.BlockDeviceMappings ?? []).map((b) => b.Ebs?.SnapshotId).filter((x): x is string => !!x),
      ),
    );
    const groupById = new Map(groups.map((g) => [g.GroupId!, g]));
    const groupRef = (id: string) => (groupById.get(id)?.GroupName === "default" ? "sg:default" : id);
    const instances = reservations
      .flatMap((r) => r.Instances ?? [])
      .filter((i) => !["terminated", "shutting-down"].includes(i.State?.Name ?? ""));
    const volumeById = new Map(volumes.map((v) => [v.VolumeId!, v]));
    // Images the instances run that are not ours: their owner and name are what matches across accounts.
    const foreign = [
      ...new Set([...instances.map((i) => i.ImageId!), ...network.imageIds].filter((id) => !ownImages.has(id))),
    ];
    const foreignImages = new Map<string, SdkImage>();
    for (const ids of chunk(foreign, 100)) {
      try {
        for (const img of (await ec2.describeImages({ ImageIds: ids })).Images ?? [])
          foreignImages.set(img.ImageId!, img);
      } catch (e) {
        warnings.push(`${region}: cannot describe images ${ids.join(", ")}: ${(e as Error).message}`);
      }
    }
    const imageRef = (id: string, fromRegion = region): string => {
      if (fromRegion === region && ownImages.has(id)) return id;
      const img = foreignImages.get(id);
      if (img) return `ami:${img.ImageOwnerAlias ?? img.OwnerId}/${img.Name}`;
      return id;
    };
    for (const k of keyPairs) {
      const t = splitTags(tagPairs(k.Tags));
      out.push({
        type: "aws_key_pair",
        id: k.KeyPairId!,
        region,
        name: k.KeyName!,
        ...t,
        attrs: { key_name: k.KeyName!, key_type: k.KeyType ?? "rsa", public_key: normalizePublicKey(k.PublicKey) },
        refs: {},
      });
    }
    const { facts } = network;
    warnings.push(...network.warnings);
    out.push(...network.resources(imageRef, groupRef));
    for (const g of groups) {
      if (g.GroupName === "default") continue;
      const t = splitTags(tagPairs(g.Tags));
      const vpc = facts.vpcRef(g.VpcId);
      out.push({
        type: "aws_security_group",
        id: g.GroupId!,
        region,
        name: t.tags.Name ?? g.GroupName!,
        ...t,
        attrs: { name: g.GroupName!, description: g.Description ?? null },
        refs: vpc && vpc !== "vpc:default" ? { vpc_id: vpc } : {},
      });
    }
    for (const r of rules) {
      if (!r.GroupId || groupById.get(r.GroupId)?.GroupName === "default") continue;
      const t = splitTags(tagPairs(r.Tags));
      const proto = normalizeProtocol(r.IpProtocol);
      out.push({
        type: r.IsEgress ? "aws_vpc_security_group_egress_rule" : "aws_vpc_security_group_ingress_rule",
        id: r.SecurityGroupRuleId!,
        region,
        ...t,
        attrs: {
          ip_protocol: proto,
          from_port: proto === "-1" ? null : (r.FromPort ?? null),
          to_port: proto === "-1" ? null : (r.ToPort ?? null),
          cidr_ipv4: r.CidrIpv4 ?? null,
          cidr_ipv6: r.CidrIpv6 ?? null,
          description: r.Description ?? null,
        },
        refs: {
          security_group_id: r.GroupId,
          ...(r.ReferencedGroupInfo?.GroupId
            ? { referenced_security_group_id: groupRef(r.ReferencedGroupInfo.GroupId) }
            : {}),
        },
      });
    }
    // User data is an attribute of its own (one call per instance, a few at a time).
    const userData = new Map<string, string | null>();
    await inBatches(instances, 8, async (i) => {
      try {
        const r = await ec2.describeInstanceAttribute({ InstanceId: i.InstanceId!, Attribute: "userData" });
        userData.set(i.InstanceId!, userDataHash(r.UserData?.Value));
      } catch (e) {
        warnings.push(`${region}: user data of ${i.InstanceId}: ${(e as Error).message}`);
      }
    });
    for (const i of instances) {
      const t = splitTags(tagPairs(i.Tags));
      let root: { size: number | null; type: string | null; dot: boolean | null } = {
        size: null,
        type: null,
        dot: null,
      };
      const extra: string[] = [];
      for (const b of i.BlockDeviceMappings ?? []) {
        const v = b.Ebs?.VolumeId ? volumeById.get(b.Ebs.VolumeId) : undefined;
        if (b.DeviceName === i.RootDeviceName)
          root = { size: v?.Size ?? null, type: v?.VolumeType ?? null, dot: b.Ebs?.DeleteOnTermination ?? null };
        else if (b.Ebs?.DeleteOnTermination) extra.push(`${b.DeviceName}:${v?.Size}:${v?.VolumeType}:true`);
      }
      out.push({
        type: "aws_instance",
        id: i.InstanceId!,
        region,
        ...(t.tags.Name ? { name: t.tags.Name } : {}),
        ...t,
        attrs: {
          instance_type: i.InstanceType ?? null,
          availability_zone: i.Placement?.AvailabilityZone ?? null,
          key_name: i.KeyName ?? null,
          root_volume_size: root.size,
          root_volume_type: root.type,
          root_delete_on_termination: root.dot,
          ebs_block_devices: extra.sort(),
          ...(userData.has(i.InstanceId!) ? { user_data: userData.get(i.InstanceId!)! } : {}),
        },
        refs: {
          ami: imageRef(i.ImageId!),
          vpc_security_group_ids: (i.SecurityGroups ?? []).map((g) => groupRef(g.GroupId!)).sort(),
          ...(facts.subnetRef(i.SubnetId) ? { subnet_id: i.SubnetId! } : {}),
          ...launchTemplateRef(network.templateIds, tagPairs(i.Tags)),
        },
      });
    }
    for (const img of ownImages.values()) {
      const t = splitTags(tagPairs(img.Tags));
      const type = img.SourceInstanceId ? "aws_ami_from_instance" : img.SourceImageId ? "aws_ami_copy" : "aws_ami";
      const attrs: InvResource["attrs"] = {
        name: img.Name ?? null,
        description: img.Description ?? null,
        architecture: img.Architecture ?? null,
        root_volume_size:
          (img.BlockDeviceMappings ?? []).find((b) => b.DeviceName === img.RootDeviceName)?.Ebs?.VolumeSize ?? null,
      };
      const refs: Record<string, string> = {};
      // A builder that is gone (terminated) is nothing either side can pair: the image stands alone.
      if (type === "aws_ami_from_instance" && instances.some((i) => i.InstanceId === img.SourceInstanceId))
        refs.source_instance_id = img.SourceInstanceId!;
      if (type === "aws_ami_copy") {
        attrs.source_ami_region = img.SourceImageRegion ?? region;
        refs.source_ami_id = img.SourceImageId!;
      }
      out.push({ type, id: img.ImageId!, region, name: t.tags.Name ?? img.Name!, ...t, attrs, refs });
      try {
        const lp =
          (await ec2.describeImageAttribute({ ImageId: img.ImageId!, Attribute: "launchPermission" }))
            .LaunchPermissions ?? [];
        for (const p of lp) {
          const grantee = p.UserId ?? p.OrganizationArn ?? p.OrganizationalUnitArn ?? p.Group ?? "?";
          out.push({
            type: "aws_ami_launch_permission",
            id: `${img.ImageId}/${grantee}`,
            region,
            tags: {},
            attrs: {
              account_id: p.UserId ?? null,
              group: p.Group ?? null,
              organization_arn: p.OrganizationArn ?? null,
              organizational_unit_arn: p.OrganizationalUnitArn ?? null,
            },
            refs: { image_id: img.ImageId! },
          });
        }
      } catch (e) {
        warnings.push(`${region}: launch permissions of ${img.ImageId}: ${(e as Error).message}`);
      }
    }
    const liveInstances = new Map(instances.map((i) => [i.InstanceId!, i]));
    for (const v of volumes) {
      if (v.State === "deleted" || v.State === "deleting") continue;
      const att = v.Attachments?.find((a) => a.State !== "detached");
      const inst = att?.InstanceId ? liveInstances.get(att.InstanceId) : undefined;
      if (
        att &&
        inst &&
        isLaunchVolume(
          { device: att.Device!, deleteOnTermination: !!att.DeleteOnTermination },
          { rootDeviceName: inst.RootDeviceName! },
        )
      )
        continue;
      const t = splitTags(tagPairs(v.Tags));
      out.push({
        type: "aws_ebs_volume",
        id: v.VolumeId!,
        region,
        ...(t.tags.Name ? { name: t.tags.Name } : {}),
        ...t,
        attrs: {
          availability_zone: v.AvailabilityZone ?? null,
          size: v.Size ?? null,
          type: v.VolumeType ?? null,
          iops: v.Iops ?? null,
          throughput: v.Throughput ?? null,
          encrypted: v.Encrypted ?? false,
        },
        refs: v.SnapshotId ? { snapshot_id: v.SnapshotId } : {},
      });
      if (att && inst)
        out.push({
          type: "aws_volume_attachment",
          id: `${att.Device}:${v.VolumeId}:${att.InstanceId}`,
          region,
          tags: {},
          attrs: { device_name: att.Device! },
          refs: { volume_id: v.VolumeId!, instance_id: att.InstanceId! },
        });
    }
    for (const s of snapshots) {
      if (amiSnaps.has(s.SnapshotId!)) continue;
      const t = splitTags(tagPairs(s.Tags));
      out.push({
        type: "aws_ebs_snapshot",
        id: s.SnapshotId!,
        region,
        ...(t.tags.Name ? { name: t.tags.Name } : {}),
        ...t,
        attrs: { description: s.Description ?? null, volume_size: s.VolumeSize ?? null },
        refs: { volume_id: s.VolumeId! },
      });
    }
    for (const a of addresses) {
      const t = splitTags(tagPairs(a.Tags));
      out.push({
        type: "aws_eip",
        id: a.AllocationId!,
        region,
        ...(t.tags.Name ? { name: t.tags.Name } : {}),
        ...t,
        attrs: { domain: a.Domain ?? "vpc" },
        refs: {},
      });
      if (a.InstanceId)
        out.push({
          type: "aws_eip_association",
          id: a.AssociationId ?? `${a.AllocationId}:${a.InstanceId}`,
          region,
          tags: {},
          attrs: {},
          refs: { allocation_id: a.AllocationId!, instance_id: a.InstanceId },
        });
    }
  }
  return { source: opts.source ?? `aws:${opts.profile ?? "default"}`, resources: out, warnings };
}

async function inBatches<T>(xs: T[], n: number, f: (x: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < xs.length) await f(xs[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(n, xs.length) }, worker));
}

function chunk<T>(xs: T[], n: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += n) out.push(xs.slice(i, i + n));
  return out;
}

/** The regions an account has enabled (for `aws:PROFILE` without a region). */
export async function enabledRegions(opts: Omit<AwsReaderOptions, "regions">): Promise<string[]> {
  const sdk = await import("@aws-sdk/client-ec2");
  const endpoint = opts.endpoint ?? process.env.AWS_ENDPOINT_URL_EC2 ?? process.env.AWS_ENDPOINT_URL;
  const ec2 = new sdk.EC2({
    region: process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? "us-east-1",
    ...(endpoint ? { endpoint } : {}),
    ...(opts.credentials ? { credentials: opts.credentials } : opts.profile ? { profile: opts.profile } : {}),
  });
  const r = await ec2.describeRegions({});
  return (r.Regions ?? []).map((x) => x.RegionName!).sort();
}
