// The networking families (issue #12): VPCs, subnets, gateways, route tables, network interfaces,
// launch templates, default security groups, and the types ec2sim leaves out, registered as a group.
import type { DataSourceImpl, ResourceImpl } from "../framework/provider.ts";
import { awsInternetGateway, awsNatGateway, dataAwsInternetGateway } from "./gateways.ts";
import { awsLaunchTemplate, dataAwsLaunchTemplate } from "./launch-templates.ts";
import { awsNetworkInterface, awsNetworkInterfaceAttachment, dataAwsNetworkInterface } from "./network-interfaces.ts";
import {
  awsDefaultRouteTable,
  awsRoute,
  awsRouteTable,
  awsRouteTableAssociation,
  dataAwsRouteTable,
} from "./route-tables.ts";
import { awsDefaultSecurityGroup, dataAwsSecurityGroups } from "./security-groups.ts";
import { awsDefaultSubnet, awsSubnet, dataAwsSubnet, dataAwsSubnets } from "./subnets.ts";
import { unsupportedResources } from "./unsupported.ts";
import { awsDefaultVpc, awsVpc, dataAwsVpc, dataAwsVpcs } from "./vpcs.ts";

export const networkResources: Record<string, ResourceImpl> = {
  aws_vpc: awsVpc,
  aws_default_vpc: awsDefaultVpc,
  aws_subnet: awsSubnet,
  aws_default_subnet: awsDefaultSubnet,
  aws_internet_gateway: awsInternetGateway,
  aws_nat_gateway: awsNatGateway,
  aws_route_table: awsRouteTable,
  aws_default_route_table: awsDefaultRouteTable,
  aws_route: awsRoute,
  aws_route_table_association: awsRouteTableAssociation,
  aws_network_interface: awsNetworkInterface,
  aws_network_interface_attachment: awsNetworkInterfaceAttachment,
  aws_default_security_group: awsDefaultSecurityGroup,
  aws_launch_template: awsLaunchTemplate,
  ...unsupportedResources,
};

export const networkDataSources: Record<string, DataSourceImpl> = {
  aws_vpc: dataAwsVpc,
  aws_vpcs: dataAwsVpcs,
  aws_subnet: dataAwsSubnet,
  aws_subnets: dataAwsSubnets,
  aws_internet_gateway: dataAwsInternetGateway,
  aws_route_table: dataAwsRouteTable,
  aws_network_interface: dataAwsNetworkInterface,
  aws_security_groups: dataAwsSecurityGroups,
  aws_launch_template: dataAwsLaunchTemplate,
};
