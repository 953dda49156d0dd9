// Data sources of the regions family: aws_availability_zone (one zone, DescribeAvailabilityZones)
// and aws_regions (the regions enabled for the account, or all with all_regions; DescribeRegions).
import type { DataSourceImpl } from "../framework/provider.ts";
import { data_aws_availability_zone, data_aws_regions } from "../schemas/regions.ts";
import { buildFilters, NotFoundError, s, singleResult } from "./common.ts";

export const dataAwsAvailabilityZone: DataSourceImpl = {
  schema: data_aws_availability_zone,
  title: "Availability Zone",
  async read(ctx, config) {
    const ec2 = await ctx.ec2();
    const out = await ec2.describeAvailabilityZones({
      AllAvailabilityZones: config.all_availability_zones === true ? true : undefined,
      ZoneNames: s(config.name) ? [String(config.name)] : undefined,
      ZoneIds: s(config.zone_id) ? [String(config.zone_id)] : undefined,
      Filters: buildFilters(config, { state: config.state }),
    });
    if (!out.AvailabilityZones?.length) throw new NotFoundError("no matching EC2 Availability Zone found");
    const z = singleResult(out.AvailabilityZones, "EC2 Availability Zone");
    const region = z.RegionName ?? ctx.region;
    const name = z.ZoneName ?? "";
    return {
      id: name,
      group_long_name: z.GroupLongName ?? "",
      group_name: z.GroupName ?? "",
      name,
      // The zone's letter(s) after its region ("a" of us-east-1a).
      name_suffix: name.startsWith(region) ? name.slice(region.length) : "",
      network_border_group: z.NetworkBorderGroup ?? "",
      opt_in_status: z.OptInStatus ?? "",
      parent_zone_id: z.ParentZoneId ?? "",
      parent_zone_name: z.ParentZoneName ?? "",
      region,
      state: z.State ?? "",
      zone_id: z.ZoneId ?? "",
      zone_type: z.ZoneType ?? "",
    };
  },
};

export const dataAwsRegions: DataSourceImpl = {
  schema: data_aws_regions,
  title: "Regions",
  async read(ctx, config) {
    const ec2 = await ctx.ec2();
    const out = await ec2.describeRegions({
      AllRegions: config.all_regions === true ? true : undefined,
      Filters: buildFilters(config),
    });
    // hashicorp/aws's ID is the partition (aws).
    return { id: "aws", names: (out.Regions ?? []).map((r) => r.RegionName).filter(Boolean) };
  },
};
