// The EC2 commands of the data sources and resources added for configurations written elsewhere
// (instance types, regions, EBS snapshot copies and permissions, single tags), kept beside
// ec2-client.ts's list so each family adds its own: imported one by one so the bundle holds only these.
import {
  CopySnapshotCommand,
  DescribeInstanceTypeOfferingsCommand,
  DescribeInstanceTypesCommand,
  DescribeRegionsCommand,
  DescribeSnapshotAttributeCommand,
  DescribeSpotInstanceRequestsCommand,
  DescribeTagsCommand,
  type EC2,
  type EC2Client,
  ModifySnapshotAttributeCommand,
} from "@aws-sdk/client-ec2";

export const COMPAT_COMMANDS = {
  copySnapshot: CopySnapshotCommand,
  describeInstanceTypeOfferings: DescribeInstanceTypeOfferingsCommand,
  describeInstanceTypes: DescribeInstanceTypesCommand,
  describeRegions: DescribeRegionsCommand,
  describeSnapshotAttribute: DescribeSnapshotAttributeCommand,
  describeSpotInstanceRequests: DescribeSpotInstanceRequestsCommand,
  describeTags: DescribeTagsCommand,
  modifySnapshotAttribute: ModifySnapshotAttributeCommand,
} as unknown as Record<CompatMethod, new (input: never) => Parameters<EC2Client["send"]>[0]>;

export type CompatMethod =
  | "copySnapshot"
  | "describeInstanceTypeOfferings"
  | "describeInstanceTypes"
  | "describeRegions"
  | "describeSnapshotAttribute"
  | "describeSpotInstanceRequests"
  | "describeTags"
  | "modifySnapshotAttribute";
export type CompatEc2 = Pick<EC2, CompatMethod>;
