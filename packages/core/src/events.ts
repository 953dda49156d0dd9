/**
 * The domain events: everything that ever changes a sandbox. They are plain JSON so the server can
 * persist them, the WebSocket protocol can stream them, and a sandbox can be replayed or branched.
 */
import type { ClockState } from "./clock.ts";
import type {
  Image,
  Instance,
  InstanceStateName,
  InstanceStoreVolume,
  LaunchTemplateData,
  MachineFacts,
  NatGateway,
  NetworkInterface,
  Route,
  SecurityGroupRule,
  SpotRequest,
  Subnet,
  Volume,
  Vpc,
} from "./model.ts";

export type TagList = [string, string][];

export interface EventEnvelope<E = DomainEvent> {
  seq: number;
  /** Simulated time (epoch ms). */
  at: number;
  /** Randomness cursor after this event, when it moved. */
  cursor?: number;
  event: E;
}

export type GuestEffect =
  | { op: "write"; path: string; content: string; size?: number; mode?: number; owner?: string }
  | { op: "delete"; path: string }
  | { op: "service"; name: string; running: boolean }
  | { op: "hostname"; name: string }
  /** ec2-upload-bundle: the instance's root, as bundled, is stored at an S3 location (R10). */
  | { op: "bundle"; location: string; dropPaths: string[] };

/** The facts an image is born with; the rest of `Image` (state, permissions, dates) the fold sets. */
export interface ImageInit
  extends MachineFacts,
    Pick<
      Image,
      | "imageId"
      | "region"
      | "ownerId"
      | "name"
      | "description"
      | "sriovNetSupport"
      | "imdsSupport"
      | "imageLocation"
      | "kernelId"
      | "ramdiskId"
      | "blockDeviceMappings"
      | "productCodes"
      | "softwareUsdPerHour"
      | "guest"
      | "sourceInstanceId"
      | "sourceImageId"
      | "sourceRegion"
    > {
  availableAt: number;
  tags: TagList;
  /** Instance-store images: the bundle is made from this instance's (or image's) root. */
  bundleFrom?: { instanceId?: string; imageId?: string; region: string; manifest: string };
}

/** The facts a volume is born with; its file system and blocks come from its snapshot in the fold. */
export interface VolumeInit
  extends Pick<
    Volume,
    | "volumeId"
    | "region"
    | "availabilityZone"
    | "ownerId"
    | "size"
    | "volumeType"
    | "iops"
    | "throughput"
    | "encrypted"
    | "snapshotId"
  > {
  availableAt: number;
  tags: TagList;
}

/** The facts an instance is launched with; its volumes are created and attached by the fold. */
export interface InstanceInit
  extends MachineFacts,
    Pick<
      Instance,
      | "instanceId"
      | "ownerId"
      | "availabilityZone"
      | "subnetId"
      | "vpcId"
      | "imageId"
      | "instanceType"
      | "keyName"
      | "securityGroupIds"
      | "amiLaunchIndex"
      | "privateIpAddress"
      | "publicIpAddress"
      | "ebsOptimized"
      | "userData"
      | "kernelId"
      | "ramdiskId"
      | "disableApiTermination"
      | "disableApiStop"
      | "instanceInitiatedShutdownBehavior"
      | "monitoring"
      | "clientToken"
      | "productCodes"
      | "softwareUsdPerHour"
      | "creditSpecification"
      | "metadataOptions"
    > {
  /** Its Spot request, if a Spot launch (its tags come as TagsCreated on the request ID). */
  spot?: Omit<SpotRequest, "tags">;
  /** The instance profile it launches with (RunInstances' IamInstanceProfile), if any. */
  iamInstanceProfile?: { associationId: string; arn: string; id: string };
  transitionAt: number;
  /** Secondary private IPs of its own primary interface, its description, and whether it outlives the instance. */
  secondaryPrivateIps?: string[];
  eniDescription?: string;
  keepPrimaryEni?: boolean;
  /** A network interface of its own attached at device index 0 (launched with an existing one). */
  primaryEniId?: string;
  /** Interfaces of their own attached at launch: existing ones, or ones the launch creates (`create`). */
  interfaces?: LaunchInterface[];
  /** Tags of the interfaces the launch creates (TagSpecifications of type network-interface). */
  eniTags?: TagList;
  volumes: (VolumeInit & { deviceName: string; deleteOnTermination: boolean })[];
  instanceStores: Omit<InstanceStoreVolume, "fs">[];
  guestOs: string;
  hostname: string;
  tags: TagList;
}

export type RuleInit = Omit<SecurityGroupRule, "tags"> & { tags: TagList };

/**
 * A VPC as created: the VPC and what EC2 makes with it — the main route table and its main
 * association, the default security group with its two rules, the default network ACL.
 */
export interface VpcInit
  extends Pick<
    Vpc,
    | "vpcId"
    | "ownerId"
    | "cidrBlock"
    | "isDefault"
    | "instanceTenancy"
    | "defaultSecurityGroupId"
    | "defaultNetworkAclId"
  > {
  mainRouteTableId: string;
  mainRouteTableAssociationId: string;
  defaultSgIngressRuleId: string;
  defaultSgEgressRuleId: string;
  tags: TagList;
}

/** A network interface as created (it is attached later, or by its launch). */
export type EniInit = Omit<NetworkInterface, "region" | "tags" | "attachment"> & { tags: TagList };

export interface LaunchInterface {
  networkInterfaceId: string;
  deviceIndex: number;
  attachmentId: string;
  deleteOnTermination: boolean;
  create?: EniInit;
}

/** A NAT gateway as created: pending until `availableAt`, with its interface (and Elastic IP, when public). */
export type NatGatewayInit = Pick<
  NatGateway,
  | "natGatewayId"
  | "ownerId"
  | "subnetId"
  | "vpcId"
  | "connectivityType"
  | "allocationId"
  | "associationId"
  | "privateIp"
  | "networkInterfaceId"
> & { availableAt: number; tags: TagList };

/** A route as CreateRoute/ReplaceRoute give it: a destination and one target. */
export type RouteTarget = Omit<Route, "origin">;

export type SubnetInit = Pick<
  Subnet,
  | "subnetId"
  | "vpcId"
  | "ownerId"
  | "availabilityZone"
  | "availabilityZoneId"
  | "cidrBlock"
  | "defaultForAz"
  | "mapPublicIpOnLaunch"
> & { tags: TagList };

export type DomainEvent =
  // accounts and time
  | {
      type: "AccountCreated";
      accountId: string;
      alias?: string;
      accessKeyId: string;
      secretAccessKey: string;
      organizationArn?: string;
      ouArn?: string;
      callerIp: string;
    }
  | { type: "ClockChanged"; clock: ClockState }
  | { type: "ClockOperatorsSet"; accountIds: string[] }
  // key pairs
  | {
      type: "KeyPairCreated";
      region: string;
      keyPairId: string;
      keyName: string;
      ownerId: string;
      keyType: "rsa" | "ed25519";
      keyFingerprint: string;
      publicKey: string;
      tags: TagList;
    }
  | { type: "KeyPairDeleted"; region: string; keyPairId: string }
  // security groups
  | {
      type: "SecurityGroupCreated";
      region: string;
      groupId: string;
      groupName: string;
      description: string;
      ownerId: string;
      vpcId: string;
      tags: TagList;
      egressRuleId: string;
    }
  | { type: "SecurityGroupRulesAuthorized"; region: string; groupId: string; rules: RuleInit[] }
  | { type: "SecurityGroupRulesRevoked"; region: string; groupId: string; ruleIds: string[] }
  | { type: "SecurityGroupDeleted"; region: string; groupId: string }
  // VPCs and subnets
  | { type: "VpcCreated"; region: string; vpc: VpcInit }
  | {
      type: "VpcAttributeChanged";
      region: string;
      vpcId: string;
      attrs: Partial<Pick<Vpc, "enableDnsSupport" | "enableDnsHostnames" | "enableNetworkAddressUsageMetrics">>;
    }
  | { type: "VpcDeleted"; region: string; vpcId: string }
  | { type: "SubnetCreated"; region: string; subnet: SubnetInit }
  | {
      type: "SubnetAttributeChanged";
      region: string;
      subnetId: string;
      attrs: Partial<Pick<Subnet, "mapPublicIpOnLaunch" | "privateDnsHostnameType" | "enableResourceNameDnsARecord">>;
    }
  | { type: "SubnetDeleted"; region: string; subnetId: string }
  // network interfaces (an instance's own primary interface included, by its ID)
  | { type: "NetworkInterfaceCreated"; region: string; eni: EniInit }
  | {
      type: "NetworkInterfaceAttached";
      region: string;
      networkInterfaceId: string;
      instanceId: string;
      deviceIndex: number;
      attachmentId: string;
      deleteOnTermination: boolean;
    }
  | { type: "NetworkInterfaceDetached"; region: string; networkInterfaceId: string; instanceId: string }
  | {
      type: "NetworkInterfaceAttributeChanged";
      region: string;
      networkInterfaceId: string;
      attrs: { description?: string; groupIds?: string[]; sourceDestCheck?: boolean; deleteOnTermination?: boolean };
    }
  | { type: "NetworkInterfaceDeleted"; region: string; networkInterfaceId: string }
  | { type: "PrivateIpAddressesAssigned"; region: string; networkInterfaceId: string; addresses: string[] }
  | { type: "PrivateIpAddressesUnassigned"; region: string; networkInterfaceId: string; addresses: string[] }
  // NAT gateways
  | { type: "NatGatewayCreated"; region: string; nat: NatGatewayInit }
  | {
      type: "NatGatewayStateChanged";
      region: string;
      natGatewayId: string;
      state: "available" | "deleting" | "deleted" | "failed";
      transitionAt?: number;
      failure?: { code: string; message: string };
    }
  | { type: "NatGatewayTrafficRecorded"; region: string; natGatewayId: string; bytes: number }
  // launch templates
  | {
      type: "LaunchTemplateCreated";
      region: string;
      launchTemplateId: string;
      launchTemplateName: string;
      ownerId: string;
      createdBy: string;
      description?: string;
      data: LaunchTemplateData;
      tags: TagList;
    }
  | {
      type: "LaunchTemplateVersionCreated";
      region: string;
      launchTemplateId: string;
      versionNumber: number;
      description?: string;
      data: LaunchTemplateData;
      createdBy: string;
    }
  | { type: "LaunchTemplateModified"; region: string; launchTemplateId: string; defaultVersion: number }
  | { type: "LaunchTemplateVersionsDeleted"; region: string; launchTemplateId: string; versions: number[] }
  | { type: "LaunchTemplateDeleted"; region: string; launchTemplateId: string }
  // internet gateways and route tables
  | { type: "InternetGatewayCreated"; region: string; internetGatewayId: string; ownerId: string; tags: TagList }
  | { type: "InternetGatewayAttached"; region: string; internetGatewayId: string; vpcId: string }
  | { type: "InternetGatewayDetached"; region: string; internetGatewayId: string; vpcId: string }
  | { type: "InternetGatewayDeleted"; region: string; internetGatewayId: string }
  | { type: "RouteTableCreated"; region: string; routeTableId: string; vpcId: string; ownerId: string; tags: TagList }
  | { type: "RouteTableDeleted"; region: string; routeTableId: string }
  | { type: "RouteCreated"; region: string; routeTableId: string; route: RouteTarget }
  | { type: "RouteReplaced"; region: string; routeTableId: string; route: RouteTarget }
  | { type: "RouteDeleted"; region: string; routeTableId: string; destinationCidrBlock: string }
  | { type: "RouteTableAssociated"; region: string; routeTableId: string; associationId: string; subnetId: string }
  | { type: "RouteTableDisassociated"; region: string; routeTableId: string; associationId: string }
  | {
      type: "RouteTableAssociationReplaced";
      region: string;
      associationId: string;
      newAssociationId: string;
      routeTableId: string;
    }
  // tags
  | { type: "TagsCreated"; region: string; resourceIds: string[]; tags: TagList }
  | { type: "TagsDeleted"; region: string; resourceIds: string[]; tags: [string, string | null][] }
  // volumes and snapshots
  | { type: "VolumeCreated"; volume: VolumeInit }
  | { type: "VolumeStateChanged"; region: string; volumeId: string; state: "available" | "in-use" | "deleted" }
  | {
      type: "VolumeAttached";
      region: string;
      volumeId: string;
      instanceId: string;
      device: string;
      deleteOnTermination: boolean;
    }
  | { type: "VolumeDetached"; region: string; volumeId: string }
  | { type: "VolumeDeleted"; region: string; volumeId: string }
  | {
      type: "VolumeModified";
      region: string;
      volumeId: string;
      size: number;
      volumeType: string;
      iops?: number;
      throughput?: number;
      doneAt: number;
    }
  | { type: "VolumeModificationCompleted"; region: string; volumeId: string }
  | {
      type: "VolumeDeleteOnTerminationSet";
      region: string;
      instanceId: string;
      deviceName: string;
      deleteOnTermination: boolean;
    }
  | {
      type: "SnapshotStarted";
      region: string;
      snapshotId: string;
      volumeId: string;
      ownerId: string;
      description?: string;
      tags: TagList;
      completesAt: number;
      dropPaths?: string[];
    }
  | {
      type: "SnapshotCopied";
      region: string;
      snapshotId: string;
      sourceRegion: string;
      sourceSnapshotId: string;
      ownerId: string;
      description?: string;
      tags: TagList;
      completesAt: number;
    }
  | { type: "SnapshotStateChanged"; region: string; snapshotId: string; state: "completed" | "error" }
  | { type: "SnapshotDeleted"; region: string; snapshotId: string }
  | { type: "SnapshotPermissionChanged"; region: string; snapshotId: string; add: string[]; remove: string[] }
  // images
  | { type: "ImageCreated"; image: ImageInit }
  | {
      type: "ImageStateChanged";
      region: string;
      imageId: string;
      state: "available" | "failed" | "disabled";
      reason?: { code: string; message: string };
    }
  | {
      type: "ImageAttributesChanged";
      region: string;
      imageId: string;
      description?: string;
      deregistrationProtection?: boolean;
      lastLaunchedTime?: number;
      launchAdd?: LaunchPermissionDelta;
      launchRemove?: LaunchPermissionDelta;
      launchReset?: boolean;
    }
  | { type: "ImageDeregistered"; region: string; imageId: string }
  | { type: "ImageBlockPublicAccessSet"; region: string; accountId: string; enabled: boolean }
  // instances
  | { type: "InstancesLaunched"; region: string; reservationId: string; instances: InstanceInit[] }
  | { type: "SpotInstanceRequestsCancelled"; region: string; instanceIds: string[] }
  | {
      type: "InstanceStateChanged";
      region: string;
      instanceId: string;
      state: InstanceStateName;
      reason?: string;
      stateReason?: { code: string; message: string };
      transitionAt?: number;
      publicIp?: string | null;
      forgetAt?: number;
    }
  | {
      type: "InstanceAttributeChanged";
      region: string;
      instanceId: string;
      attrs: Partial<{
        instanceType: string;
        userData: string | null;
        kernelId: string;
        ramdiskId: string;
        disableApiTermination: boolean;
        disableApiStop: boolean;
        instanceInitiatedShutdownBehavior: "stop" | "terminate";
        sourceDestCheck: boolean;
        securityGroupIds: string[];
        ebsOptimized: boolean;
        monitoring: "disabled" | "enabled";
        creditSpecification: "standard" | "unlimited";
        httpTokens: "optional" | "required";
      }>;
    }
  | { type: "InstanceRebooted"; region: string; instanceId: string }
  | {
      type: "IamInstanceProfileAssociated";
      region: string;
      instanceId: string;
      associationId: string;
      arn: string;
      id: string;
    }
  | { type: "IamInstanceProfileDisassociated"; region: string; instanceId: string; associationId: string }
  | { type: "InstanceForgotten"; region: string; instanceId: string }
  | { type: "GuestChanged"; region: string; instanceId: string; effects: GuestEffect[] }
  // Elastic IPs
  | { type: "AddressAllocated"; region: string; allocationId: string; publicIp: string; ownerId: string; tags: TagList }
  | {
      type: "AddressAssociated";
      region: string;
      allocationId: string;
      associationId: string;
      /** The instance whose interface it goes to (older events name only the instance: its primary interface). */
      instanceId?: string;
      networkInterfaceId?: string;
      privateIpAddress: string;
    }
  | { type: "AddressDisassociated"; region: string; allocationId: string }
  | { type: "AddressReleased"; region: string; allocationId: string }
  // idempotency
  | { type: "ClientTokenRecorded"; key: string; fingerprint: string; output: unknown }
  // image builder
  | {
      type: "RecipeCreated";
      region: string;
      arn: string;
      name: string;
      version: string;
      ownerId: string;
      parentImage: string;
      components: { name: string; commands: string[] }[];
    }
  | {
      type: "PipelineCreated";
      region: string;
      arn: string;
      name: string;
      ownerId: string;
      recipeArn: string;
      instanceType: string;
    }
  | { type: "PipelineBuildRecorded"; region: string; arn: string; version: string; imageId: string }
  | { type: "PipelineVersionSelected"; region: string; arn: string; version: string }
  // IAM (global: every event names its account)
  | {
      type: "IamRoleCreated";
      accountId: string;
      roleName: string;
      roleId: string;
      path: string;
      assumeRolePolicyDocument: string;
      description?: string;
      maxSessionDuration: number;
      permissionsBoundary?: string;
      tags: TagList;
    }
  | {
      type: "IamRoleUpdated";
      accountId: string;
      roleName: string;
      /** Null removes the value (a description, a permissions boundary). */
      description?: string | null;
      maxSessionDuration?: number;
      assumeRolePolicyDocument?: string;
      permissionsBoundary?: string | null;
    }
  | { type: "IamRoleDeleted"; accountId: string; roleName: string }
  | { type: "IamRolePolicyPut"; accountId: string; roleName: string; policyName: string; document: string }
  | { type: "IamRolePolicyDeleted"; accountId: string; roleName: string; policyName: string }
  | { type: "IamRolePolicyAttached"; accountId: string; roleName: string; policyArn: string }
  | { type: "IamRolePolicyDetached"; accountId: string; roleName: string; policyArn: string }
  | {
      type: "IamPolicyCreated";
      accountId: string;
      policyName: string;
      policyId: string;
      path: string;
      description?: string;
      document: string;
      tags: TagList;
    }
  | {
      type: "IamPolicyVersionCreated";
      accountId: string;
      policyArn: string;
      versionId: string;
      document: string;
      setAsDefault: boolean;
    }
  | { type: "IamPolicyVersionDeleted"; accountId: string; policyArn: string; versionId: string }
  | { type: "IamPolicyDefaultVersionSet"; accountId: string; policyArn: string; versionId: string }
  | { type: "IamPolicyDeleted"; accountId: string; policyArn: string }
  | { type: "IamInstanceProfileCreated"; accountId: string; name: string; id: string; path: string; tags: TagList }
  | { type: "IamInstanceProfileDeleted"; accountId: string; name: string }
  | { type: "IamInstanceProfileRoleAdded"; accountId: string; name: string; roleName: string }
  | { type: "IamInstanceProfileRoleRemoved"; accountId: string; name: string; roleName: string }
  | {
      type: "IamTagsChanged";
      accountId: string;
      /** What is tagged: a role or instance profile by name, a managed policy by ARN. */
      resource: { kind: "role" | "instance-profile"; name: string } | { kind: "policy"; arn: string };
      set: TagList;
      remove: string[];
    }
  // SSM Parameter Store (regional, per account)
  | {
      type: "SsmParameterPut";
      region: string;
      accountId: string;
      name: string;
      version: number;
      parameterType: "String" | "StringList" | "SecureString";
      dataType: string;
      /** A SecureString's value is withheld from the WebSocket stream. */
      value: string;
      keyId?: string;
      description?: string;
      allowedPattern?: string;
      tier: "Standard" | "Advanced";
      /** Only when the parameter is created. */
      tags?: TagList;
    }
  | { type: "SsmParametersDeleted"; region: string; accountId: string; names: string[] }
  | { type: "SsmParameterLabeled"; region: string; accountId: string; name: string; version: number; labels: string[] }
  | {
      type: "SsmParameterUnlabeled";
      region: string;
      accountId: string;
      name: string;
      version: number;
      labels: string[];
    }
  | { type: "SsmTagsChanged"; region: string; accountId: string; name: string; set: TagList; remove: string[] }
  // STS
  | {
      type: "StsRoleAssumed";
      /** The role's account, which the session acts as. */
      accountId: string;
      /** Who assumed it. */
      callerAccountId: string;
      roleName: string;
      roleId: string;
      rolePath: string;
      sessionName: string;
      accessKeyId: string;
      secretAccessKey: string;
      sessionToken: string;
      expiresAt: number;
    };

export interface LaunchPermissionDelta {
  userIds?: string[];
  group?: "all";
  organizationArns?: string[];
  ouArns?: string[];
}

export type EventType = DomainEvent["type"];
export type EventOf<T extends EventType> = Extract<DomainEvent, { type: T }>;
