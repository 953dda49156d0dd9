// The provider definition: schema plus every resource and data source.
import type { ProviderDefinition } from "../framework/provider.ts";
import { definitionForMajor, schemaForVersion } from "../schemas/history.ts";
import { providerSchema } from "../schemas/provider.ts";
import { majorOf } from "../versions.ts";
import { awsEip, awsEipAssociation, dataAwsEip } from "./addresses.ts";
import {
  awsEbsSnapshotCopy,
  awsSnapshotCreateVolumePermission,
  dataAwsEbsSnapshot,
  dataAwsEbsSnapshotIds,
  dataAwsEbsVolume,
} from "./ebs.ts";
import { awsIamInstanceProfile, dataAwsIamInstanceProfile } from "./iam-instance-profiles.ts";
import { awsIamPolicy, dataAwsIamPolicy, dataAwsIamPolicyDocument, dataAwsPartition } from "./iam-policies.ts";
import { awsIamRole, awsIamRolePolicy, awsIamRolePolicyAttachment, dataAwsIamRole } from "./iam-roles.ts";
import { awsAmi, awsAmiCopy, awsAmiFromInstance, awsAmiLaunchPermission, dataAwsAmi, dataAwsAmiIds } from "./images.ts";
import { awsEc2InstanceState } from "./instance-state.ts";
import { dataAwsEc2InstanceType, dataAwsEc2InstanceTypeOfferings, dataAwsEc2InstanceTypes } from "./instance-types.ts";
import { awsInstance, dataAwsInstance, dataAwsInstances } from "./instances.ts";
import { awsKeyPair, dataAwsKeyPair } from "./key-pairs.ts";
import { dataAwsAvailabilityZones, dataAwsCallerIdentity, dataAwsRegion } from "./meta.ts";
import { networkDataSources, networkResources } from "./network.ts";
import { dataAwsAvailabilityZone, dataAwsRegions } from "./regions.ts";
import {
  awsSecurityGroup,
  awsSecurityGroupRule,
  awsVpcSecurityGroupEgressRule,
  awsVpcSecurityGroupIngressRule,
  dataAwsSecurityGroup,
} from "./security-groups.ts";
import { awsSpotInstanceRequest } from "./spot-instance-requests.ts";
import { awsSsmParameter, dataAwsSsmParameter } from "./ssm-parameters.ts";
import { awsEc2Tag, dataAwsDefaultTags } from "./tags.ts";
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
    aws_ebs_snapshot_copy: awsEbsSnapshotCopy,
    aws_snapshot_create_volume_permission: awsSnapshotCreateVolumePermission,
    aws_ec2_tag: awsEc2Tag,
    aws_ec2_instance_state: awsEc2InstanceState,
    aws_spot_instance_request: awsSpotInstanceRequest,
    aws_iam_role: awsIamRole,
    aws_iam_role_policy: awsIamRolePolicy,
    aws_iam_role_policy_attachment: awsIamRolePolicyAttachment,
    aws_iam_instance_profile: awsIamInstanceProfile,
    aws_iam_policy: awsIamPolicy,
    aws_ssm_parameter: awsSsmParameter,
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
    aws_ec2_instance_type: dataAwsEc2InstanceType,
    aws_ec2_instance_types: dataAwsEc2InstanceTypes,
    aws_ec2_instance_type_offerings: dataAwsEc2InstanceTypeOfferings,
    aws_ebs_volume: dataAwsEbsVolume,
    aws_ebs_snapshot: dataAwsEbsSnapshot,
    aws_ebs_snapshot_ids: dataAwsEbsSnapshotIds,
    aws_eip: dataAwsEip,
    aws_availability_zone: dataAwsAvailabilityZone,
    aws_regions: dataAwsRegions,
    aws_default_tags: dataAwsDefaultTags,
    aws_iam_policy_document: dataAwsIamPolicyDocument,
    aws_iam_role: dataAwsIamRole,
    aws_iam_instance_profile: dataAwsIamInstanceProfile,
    aws_iam_policy: dataAwsIamPolicy,
    aws_partition: dataAwsPartition,
    aws_ssm_parameter: dataAwsSsmParameter,
    ...networkDataSources,
  },
};

/**
 * The definition served as hashicorp/aws `version` (the release terraform installed from the mirror;
 * the launcher passes it in EC2SIM_TF_PROVIDER_VERSION): the schemas of that major line.
 */
export function providerDefinitionFor(version: string | undefined): ProviderDefinition {
  const def = definitionForMajor(providerDefinition, majorOf(version));
  if (!version) return def;
  // What minor releases of 6.x added is absent from every release before them.
  let changed = false;
  const resources = Object.fromEntries(
    Object.entries(def.resources).map(([type, impl]) => {
      const schema = schemaForVersion(type, impl.schema, version);
      if (schema === impl.schema) return [type, impl];
      changed = true;
      return [type, { ...impl, schema }];
    }),
  );
  return changed ? { ...def, resources } : def;
}
