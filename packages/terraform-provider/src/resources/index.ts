// The provider definition: schema plus every resource and data source.
import type { ProviderDefinition } from "../framework/provider.ts";
import { definitionForMajor } from "../schemas/history.ts";
import { providerSchema } from "../schemas/provider.ts";
import { majorOf } from "../versions.ts";
import { awsEip, awsEipAssociation } from "./addresses.ts";
import { awsAmi, awsAmiCopy, awsAmiFromInstance, awsAmiLaunchPermission, dataAwsAmi, dataAwsAmiIds } from "./images.ts";
import { awsInstance, dataAwsInstance, dataAwsInstances } from "./instances.ts";
import { awsKeyPair, dataAwsKeyPair } from "./key-pairs.ts";
import { dataAwsAvailabilityZones, dataAwsCallerIdentity, dataAwsRegion } from "./meta.ts";
import { networkDataSources, networkResources } from "./network.ts";
import {
  awsSecurityGroup,
  awsSecurityGroupRule,
  awsVpcSecurityGroupEgressRule,
  awsVpcSecurityGroupIngressRule,
  dataAwsSecurityGroup,
} from "./security-groups.ts";
import { awsEbsSnapshot, awsEbsVolume, awsVolumeAttachment } from "./volumes.ts";

export const providerDefinition: ProviderDefinition = {
  schema: providerSchema,
  resources: {
    aws_instance: awsInstance,
    aws_ami: awsAmi,
    aws_ami_from_instance: awsAmiFromInstance,
    aws_ami_copy: awsAmiCopy,
    aws_ami_launch_permission: awsAmiLaunchPermission,
    aws_key_pair: awsKeyPair,
    aws_security_group: awsSecurityGroup,
    aws_vpc_security_group_ingress_rule: awsVpcSecurityGroupIngressRule,
    aws_vpc_security_group_egress_rule: awsVpcSecurityGroupEgressRule,
    aws_security_group_rule: awsSecurityGroupRule,
    aws_ebs_volume: awsEbsVolume,
    aws_volume_attachment: awsVolumeAttachment,
    aws_ebs_snapshot: awsEbsSnapshot,
    aws_eip: awsEip,
    aws_eip_association: awsEipAssociation,
    ...networkResources,
  },
  dataSources: {
    aws_ami: dataAwsAmi,
    aws_ami_ids: dataAwsAmiIds,
    aws_instance: dataAwsInstance,
    aws_instances: dataAwsInstances,
    aws_availability_zones: dataAwsAvailabilityZones,
    aws_region: dataAwsRegion,
    aws_caller_identity: dataAwsCallerIdentity,
    aws_security_group: dataAwsSecurityGroup,
    aws_key_pair: dataAwsKeyPair,
    ...networkDataSources,
  },
};

/**
 * The definition served as hashicorp/aws `version` (the release terraform installed from the mirror;
 * the launcher passes it in EC2SIM_TF_PROVIDER_VERSION): the schemas of that major line.
 */
export function providerDefinitionFor(version: string | undefined): ProviderDefinition {
  return definitionForMajor(providerDefinition, majorOf(version));
}
