/**
 * The fold: applies one event envelope to the state. Each family folds its own events; this file
 * only routes them. Replaying the log through here rebuilds a sandbox exactly.
 */
import { applyAccountCreated } from "./accounts.ts";
import { applyAddressEvent } from "./addresses.ts";
import { repairEnvelope } from "./clock.ts";
import type { DomainEvent, EventEnvelope } from "./events.ts";
import { applyIamEvent, applyRoleAssumed } from "./iam/index.ts";
import { applyImageBuilderEvent } from "./image-builder.ts";
import { applyImageEvent } from "./images.ts";
import { applyProfileAssociationEvent } from "./instance-profile-associations.ts";
import { applyDeleteOnTermination, applyInstanceEvent, noteInstanceWire } from "./instances.ts";
import { applyInternetGatewayEvent } from "./internet-gateways.ts";
import { applyKeyPairCreated } from "./key-pairs.ts";
import { applyLaunchTemplateEvent } from "./launch-templates.ts";
import { applyNatGatewayEvent } from "./nat-gateways.ts";
import { applyNetworkAclEvent } from "./network-acls.ts";
import { applyNetworkInterfaceEvent } from "./network-interfaces.ts";
import { applyRouteTableEvent } from "./route-tables.ts";
import { applySecurityGroupEvent } from "./security-groups.ts";
import { applySpotCancelled } from "./spot.ts";
import { applySsmEvent } from "./ssm/index.ts";
import { regionState, type SandboxState } from "./state.ts";
import { applySubnetEvent } from "./subnets.ts";
import { applyTags } from "./tags.ts";
import { applyVolumeEvent } from "./volumes.ts";
import { applyVpcEvent } from "./vpcs.ts";

export function applyEvent(state: SandboxState, e: DomainEvent, at: number): void {
  switch (e.type) {
    case "AccountCreated":
      return applyAccountCreated(state, e);
    case "ClockChanged":
      state.clock = e.clock;
      return;
    case "ClockOperatorsSet":
      state.clockOperators = [...e.accountIds];
      return;
    case "KeyPairCreated":
      return applyKeyPairCreated(state, e, at);
    case "KeyPairDeleted":
      regionState(state, e.region).keyPairs.delete(e.keyPairId);
      return;
    // A VPC comes with a default security group (and a main route table, a default network ACL),
    // each folded by its own family.
    case "VpcCreated":
    case "VpcDeleted":
      applyVpcEvent(state, e);
      applySecurityGroupEvent(state, e);
      applyRouteTableEvent(state, e);
      applyNetworkAclEvent(state, e);
      return;
    case "VpcAttributeChanged":
      return applyVpcEvent(state, e);
    case "SubnetCreated":
    case "SubnetAttributeChanged":
      return applySubnetEvent(state, e);
    case "SubnetDeleted":
      applySubnetEvent(state, e);
      applyRouteTableEvent(state, e); // its own route table association goes with it
      return;
    case "NetworkInterfaceCreated":
    case "NetworkInterfaceAttached":
    case "NetworkInterfaceDetached":
    case "NetworkInterfaceAttributeChanged":
    case "NetworkInterfaceDeleted":
    case "PrivateIpAddressesAssigned":
    case "PrivateIpAddressesUnassigned":
      return applyNetworkInterfaceEvent(state, e, at);
    case "LaunchTemplateCreated":
    case "LaunchTemplateVersionCreated":
    case "LaunchTemplateModified":
    case "LaunchTemplateVersionsDeleted":
    case "LaunchTemplateDeleted":
      return applyLaunchTemplateEvent(state, e, at);
    case "NatGatewayCreated":
    case "NatGatewayStateChanged":
    case "NatGatewayTrafficRecorded":
      return applyNatGatewayEvent(state, e, at);
    case "InternetGatewayCreated":
    case "InternetGatewayAttached":
    case "InternetGatewayDetached":
    case "InternetGatewayDeleted":
      return applyInternetGatewayEvent(state, e);
    case "RouteTableCreated":
    case "RouteTableDeleted":
    case "RouteCreated":
    case "RouteReplaced":
    case "RouteDeleted":
    case "RouteTableAssociated":
    case "RouteTableDisassociated":
    case "RouteTableAssociationReplaced":
      return applyRouteTableEvent(state, e);
    case "SecurityGroupCreated":
    case "SecurityGroupRulesAuthorized":
    case "SecurityGroupRulesRevoked":
    case "SecurityGroupDeleted":
      return applySecurityGroupEvent(state, e);
    case "TagsCreated":
      return applyTags(state, regionState(state, e.region), e.resourceIds, e.tags, []);
    case "TagsDeleted":
      return applyTags(state, regionState(state, e.region), e.resourceIds, [], e.tags);
    case "VolumeCreated":
    case "VolumeStateChanged":
    case "VolumeAttached":
    case "VolumeDetached":
    case "VolumeDeleted":
    case "VolumeModified":
    case "SnapshotStarted":
    case "SnapshotCopied":
    case "SnapshotStateChanged":
    case "SnapshotDeleted":
    case "SnapshotPermissionChanged":
      return applyVolumeEvent(state, e, at);
    case "VolumeModificationCompleted": {
      const m = regionState(state, e.region).volumes.get(e.volumeId)?.modification;
      if (m) m.state = "completed";
      return;
    }
    case "VolumeDeleteOnTerminationSet":
      return applyDeleteOnTermination(state, e);
    case "ImageCreated":
    case "ImageStateChanged":
    case "ImageAttributesChanged":
    case "ImageDeregistered":
    case "ImageBlockPublicAccessSet":
      return applyImageEvent(state, e, at);
    case "InstancesLaunched":
    case "InstanceStateChanged":
    case "InstanceAttributeChanged":
    case "InstanceRebooted":
    case "InstanceForgotten":
    case "GuestChanged":
      return applyInstanceEvent(state, e, at);
    case "SpotInstanceRequestsCancelled":
      return applySpotCancelled(regionState(state, e.region).instances, e, at);
    case "AddressAllocated":
    case "AddressAssociated":
    case "AddressDisassociated":
    case "AddressReleased":
      return applyAddressEvent(state, e, at);
    case "ClientTokenRecorded":
      state.clientTokens.set(e.key, { fingerprint: e.fingerprint, output: e.output });
      return;
    case "RecipeCreated":
    case "PipelineCreated":
    case "PipelineBuildRecorded":
    case "PipelineVersionSelected":
      return applyImageBuilderEvent(state, e, at);
    case "IamRoleCreated":
    case "IamRoleUpdated":
    case "IamRoleDeleted":
    case "IamRolePolicyPut":
    case "IamRolePolicyDeleted":
    case "IamRolePolicyAttached":
    case "IamRolePolicyDetached":
    case "IamPolicyCreated":
    case "IamPolicyVersionCreated":
    case "IamPolicyVersionDeleted":
    case "IamPolicyDefaultVersionSet":
    case "IamPolicyDeleted":
    case "IamInstanceProfileCreated":
    case "IamInstanceProfileDeleted":
    case "IamInstanceProfileRoleAdded":
    case "IamInstanceProfileRoleRemoved":
    case "IamTagsChanged":
      return applyIamEvent(state, e, at);
    case "StsRoleAssumed":
      return applyRoleAssumed(state, e);
    case "IamInstanceProfileAssociated":
    case "IamInstanceProfileDisassociated":
      return applyProfileAssociationEvent(state, e, at);
    case "SsmParameterPut":
    case "SsmParametersDeleted":
    case "SsmParameterLabeled":
    case "SsmParameterUnlabeled":
    case "SsmTagsChanged":
      return applySsmEvent(state, e, at);
  }
}

export function applyEnvelope(state: SandboxState, env: EventEnvelope): void {
  if (env.seq !== state.seq + 1) throw new Error(`event ${env.seq} does not follow ${state.seq}`);
  state.seq = env.seq;
  // A log from before the clock's bounds may hold times no client can print: repaired, and counted.
  const repaired = repairEnvelope(env, state.now, state.clock);
  if (repaired) state.clockRepairs = (state.clockRepairs ?? 0) + 1;
  const at = repaired?.at ?? env.at;
  if (at > state.now) state.now = at;
  if (env.cursor !== undefined) state.cursor = env.cursor;
  const event = (repaired?.event ?? env.event) as DomainEvent;
  applyEvent(state, event, at);
  noteInstanceWire(state, event);
}
