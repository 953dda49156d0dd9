/**
 * Launch templates in an export: each of the account's templates as one `aws_launch_template` with
 * its latest version's launch data (Terraform manages one version at a time: a change makes the next),
 * the members hashicorp/aws expresses that the sandbox keeps — image (a reference, or `resolve:ssm:`
 * as written), type, key, groups, the first interface's subnet/groups/public IP, IMDS tokens, user
 * data — and the rest listed. Instances launched from one name it (`launch_template {}`).
 */
import type { LaunchTemplate } from "@ec2sim/core";
import { type NotExported, ref, type Value } from "../plan.ts";
import { latestData } from "../readers/sandbox-network.ts";

export interface LaunchTemplatePlanContext {
  region: string;
  keyOf: Map<string, string>;
  /** An image ID as the export refers to it (an exported AMI, a lookup), undefined when it cannot. */
  imageValue(imageId: string): Value | undefined;
  groupValue(groupId: string): Value | undefined;
  subnetValue(subnetId: string | undefined): Value | undefined;
  keyNameValue(keyName: string): Value;
  add(b: {
    key: string;
    kind: "resource";
    tfType: string;
    region: string;
    origin: string;
    config: Record<string, Value>;
    comment: string;
  }): void;
  tags(m: Map<string, string>, id: string): Record<string, string>;
  note(resource: string, kind: string, reason: string, severity?: NotExported["severity"]): void;
}

/** What this module carries over; any other member of the launch data is noted. */
const CARRIED = new Set([
  "ImageId",
  "InstanceType",
  "KeyName",
  "SecurityGroupIds",
  "NetworkInterfaces",
  "MetadataOptions",
  "UserData",
  "TagSpecifications",
]);

type Obj = Record<string, unknown>;
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x) => typeof x === "string") : []);

export function addLaunchTemplate(ctx: LaunchTemplatePlanContext, t: LaunchTemplate): void {
  const d = latestData(t);
  const id = t.launchTemplateId;
  const key = ctx.keyOf.get(id)!;
  const config: Record<string, Value> = { name: t.launchTemplateName };
  if (t.versions.get(t.latestVersion)?.description) config.description = t.versions.get(t.latestVersion)!.description!;
  if (typeof d.ImageId === "string") {
    const v = d.ImageId.startsWith("resolve:ssm:") ? d.ImageId : ctx.imageValue(d.ImageId);
    if (v === undefined) ctx.note(id, "launch template image", `its image ${d.ImageId} is not exported`, "partial");
    else config.imageId = v;
  }
  if (typeof d.InstanceType === "string") config.instanceType = d.InstanceType;
  if (typeof d.KeyName === "string") config.keyName = ctx.keyNameValue(d.KeyName);
  const groups = (ids: string[]) => ids.map((g) => ctx.groupValue(g)).filter((v): v is Value => v !== undefined);
  if (strings(d.SecurityGroupIds).length) config.vpcSecurityGroupIds = groups(strings(d.SecurityGroupIds));
  const nis = Array.isArray(d.NetworkInterfaces) ? (d.NetworkInterfaces as Obj[]) : [];
  if (nis.length) {
    config.networkInterfaces = nis.map((ni) => {
      const out: Record<string, Value> = {};
      if (typeof ni.DeviceIndex === "number") out.deviceIndex = ni.DeviceIndex;
      // hashicorp/aws types these as strings ("true"/"false"/"" for unset).
      if (typeof ni.AssociatePublicIpAddress === "boolean")
        out.associatePublicIpAddress = String(ni.AssociatePublicIpAddress);
      if (typeof ni.DeleteOnTermination === "boolean") out.deleteOnTermination = String(ni.DeleteOnTermination);
      const subnet = ctx.subnetValue(typeof ni.SubnetId === "string" ? ni.SubnetId : undefined);
      if (subnet) out.subnetId = subnet;
      else if (typeof ni.SubnetId === "string")
        ctx.note(
          id,
          "launch template subnet",
          `its subnet ${ni.SubnetId} is not exported (a default subnet)`,
          "partial",
        );
      if (strings(ni.Groups).length) out.securityGroups = groups(strings(ni.Groups));
      if (typeof ni.Description === "string") out.description = ni.Description;
      return out;
    });
  }
  const md = d.MetadataOptions as Obj | undefined;
  if (md && typeof md.HttpTokens === "string") config.metadataOptions = { httpTokens: md.HttpTokens };
  if (typeof d.UserData === "string") config.userData = d.UserData;
  const specs = Array.isArray(d.TagSpecifications) ? (d.TagSpecifications as Obj[]) : [];
  if (specs.length)
    config.tagSpecifications = specs.map((s) => ({
      resourceType: String(s.ResourceType),
      tags: Object.fromEntries(
        (Array.isArray(s.Tags) ? (s.Tags as { Key?: string; Value?: string }[]) : []).map((x) => [
          x.Key ?? "",
          x.Value ?? "",
        ]),
      ),
    }));
  const left = Object.keys(d).filter((k) => !CARRIED.has(k));
  if (left.length) ctx.note(id, "launch template data", `not carried over: ${left.sort().join(", ")}`, "partial");
  if (t.versions.size > 1)
    ctx.note(
      id,
      "launch template versions",
      `only the latest version (${t.latestVersion}) is exported; Terraform makes a new version on each change`,
      "partial",
    );
  config.tags = ctx.tags(t.tags, id);
  ctx.add({
    key,
    kind: "resource",
    tfType: "aws_launch_template",
    region: ctx.region,
    origin: id,
    config,
    comment: `Launch template ${t.launchTemplateName} (${id}), version ${t.latestVersion} of ${t.versions.size}`,
  });
}

/** `launch_template {}` of an instance launched from an exported template (EC2's aws:ec2launchtemplate tags). */
export function instanceLaunchTemplate(
  keyOf: Map<string, string>,
  templates: Map<string, LaunchTemplate>,
  tags: Map<string, string>,
): { value?: Value; olderVersion?: string } {
  const id = tags.get("aws:ec2launchtemplate:id");
  const t = id ? templates.get(id) : undefined;
  if (!t || !keyOf.has(t.launchTemplateId)) return {};
  const version = tags.get("aws:ec2launchtemplate:version");
  return {
    value: { id: ref(keyOf.get(t.launchTemplateId)!), version: "$Latest" },
    ...(version && version !== String(t.latestVersion) ? { olderVersion: version } : {}),
  };
}
