// Data sources about the account and its regions: aws_availability_zones, aws_region,
// aws_caller_identity. (aws_vpc, aws_subnet, … are in vpcs.ts and subnets.ts.)
import type { DataSourceImpl } from "../framework/provider.ts";
import { data_aws_availability_zones, data_aws_caller_identity, data_aws_region } from "../schemas/meta.ts";
import { buildFilters, s, strs } from "./common.ts";

/** Region descriptions as AWS names them (data aws_region needs no API call, like hashicorp/aws). */
const REGION_NAMES: Record<string, string> = {
  "us-east-1": "US East (N. Virginia)",
  "us-east-2": "US East (Ohio)",
  "us-west-1": "US West (N. California)",
  "us-west-2": "US West (Oregon)",
  "ca-central-1": "Canada (Central)",
  "eu-west-1": "Europe (Ireland)",
  "eu-west-2": "Europe (London)",
  "eu-west-3": "Europe (Paris)",
  "eu-central-1": "Europe (Frankfurt)",
  "eu-north-1": "Europe (Stockholm)",
  "eu-south-1": "Europe (Milan)",
  "ap-northeast-1": "Asia Pacific (Tokyo)",
  "ap-northeast-2": "Asia Pacific (Seoul)",
  "ap-northeast-3": "Asia Pacific (Osaka)",
  "ap-southeast-1": "Asia Pacific (Singapore)",
  "ap-southeast-2": "Asia Pacific (Sydney)",
  "ap-south-1": "Asia Pacific (Mumbai)",
  "sa-east-1": "South America (Sao Paulo)",
  "me-south-1": "Middle East (Bahrain)",
  "af-south-1": "Africa (Cape Town)",
};

export const dataAwsRegion: DataSourceImpl = {
  schema: data_aws_region,
  title: "Region",
  async read(ctx, config) {
    const region = s(config.region) ?? s(config.name) ?? ctx.region;
    if (s(config.endpoint) && config.endpoint !== `ec2.${region}.amazonaws.com`)
      throw new Error(`no region matches endpoint ${config.endpoint}`);
    return {
      id: region,
      name: region,
      region,
      endpoint: `ec2.${region}.amazonaws.com`,
      description: REGION_NAMES[region] ?? region,
    };
  },
};

export const dataAwsCallerIdentity: DataSourceImpl = {
  schema: data_aws_caller_identity,
  title: "Caller Identity",
  async read(ctx) {
    // STS says who the caller is (an assumed role's session too); an endpoint without STS, the account.
    try {
      const me = await (await ctx.sts()).getCallerIdentity({});
      if (me.Account && me.Arn && me.UserId)
        return { id: me.Account, account_id: me.Account, arn: me.Arn, user_id: me.UserId };
    } catch {
      // fall through
    }
    const account = await ctx.accountId();
    return { id: account, account_id: account, arn: `arn:aws:iam::${account}:root`, user_id: account };
  },
};

export const dataAwsAvailabilityZones: DataSourceImpl = {
  schema: data_aws_availability_zones,
  title: "Availability Zones",
  async read(ctx, config) {
    const ec2 = await ctx.ec2();
    const out = await ec2.describeAvailabilityZones({
      AllAvailabilityZones: config.all_availability_zones === true ? true : undefined,
      Filters: buildFilters(config, { state: config.state }),
    });
    const excludeNames = new Set(strs(config.exclude_names));
    const excludeIds = new Set(strs(config.exclude_zone_ids));
    const zones = (out.AvailabilityZones ?? [])
      .filter((z) => !excludeNames.has(z.ZoneName ?? "") && !excludeIds.has(z.ZoneId ?? ""))
      .sort((a, b) => (a.ZoneName ?? "").localeCompare(b.ZoneName ?? ""));
    return {
      id: ctx.region,
      names: zones.map((z) => z.ZoneName),
      zone_ids: zones.map((z) => z.ZoneId),
      group_names: [...new Set(zones.map((z) => z.GroupName).filter(Boolean))],
    };
  },
};
