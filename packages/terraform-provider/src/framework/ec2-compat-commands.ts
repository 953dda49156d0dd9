// The EC2 commands of the data sources and resources added for configurations written elsewhere
// (instance types, regions, EBS snapshot copies and permissions, single tags, Spot requests), kept beside
// ec2-client.ts's list so each family adds its own: imported one by one so the bundle holds only these.
import {
  CancelSpotInstanceRequestsCommand,
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
  RequestSpotInstancesCommand,
} from "@aws-sdk/client-ec2";

export const COMPAT_COMMANDS = {
  cancelSpotInstanceRequests: CancelSpotInstanceRequestsCommand,
  copySnapshot: CopySnapshotCommand,
  describeInstanceTypeOfferings: DescribeInstanceTypeOfferingsCommand,
  describeInstanceTypes: DescribeInstanceTypesCommand,
  describeRegions: DescribeRegionsCommand,
  describeSnapshotAttribute: DescribeSnapshotAttributeCommand,
  describeSpotInstanceRequests: DescribeSpotInstanceRequestsCommand,
  describeTags: DescribeTagsCommand,
  modifySnapshotAttribute: ModifySnapshotAttributeCommand,
  requestSpotInstances: RequestSpotInstancesCommand,
} as unknown as Record<CompatMethod, new (input: never) => Parameters<EC2Client["send"]>[0]>;

export type CompatMethod =
  | "cancelSpotInstanceRequests"
  | "copySnapshot"
  | "describeInstanceTypeOfferings"
  | "describeInstanceTypes"
  | "describeRegions"
  | "describeSnapshotAttribute"
  | "describeSpotInstanceRequests"
  | "describeTags"
  | "modifySnapshotAttribute"
  | "requestSpotInstances";
export type CompatEc2 = Pick<EC2, CompatMethod>;
