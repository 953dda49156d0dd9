// The IAM, SSM and STS clients the IAM/SSM resources use, with only the commands they send (imported
// one by one so the bundle keeps just those), loaded lazily like the EC2 client: configurations
// without these resources never pay for them.
import {
  AddRoleToInstanceProfileCommand,
  AttachRolePolicyCommand,
  CreateInstanceProfileCommand,
  CreatePolicyCommand,
  CreatePolicyVersionCommand,
  CreateRoleCommand,
  DeleteInstanceProfileCommand,
  DeletePolicyCommand,
  DeletePolicyVersionCommand,
  DeleteRoleCommand,
  DeleteRolePermissionsBoundaryCommand,
  DeleteRolePolicyCommand,
  DetachRolePolicyCommand,
  GetInstanceProfileCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  type IAM,
  IAMClient,
  type IAMClientConfig,
  ListAttachedRolePoliciesCommand,
  ListInstanceProfilesForRoleCommand,
  ListPoliciesCommand,
  ListPolicyVersionsCommand,
  ListRolePoliciesCommand,
  PutRolePermissionsBoundaryCommand,
  PutRolePolicyCommand,
  RemoveRoleFromInstanceProfileCommand,
  TagInstanceProfileCommand,
  TagPolicyCommand,
  TagRoleCommand,
  UntagInstanceProfileCommand,
  UntagPolicyCommand,
  UntagRoleCommand,
  UpdateAssumeRolePolicyCommand,
  UpdateRoleCommand,
  UpdateRoleDescriptionCommand,
} from "@aws-sdk/client-iam";
import {
  AddTagsToResourceCommand,
  DeleteParameterCommand,
  DescribeParametersCommand,
  GetParameterCommand,
  ListTagsForResourceCommand,
  PutParameterCommand,
  RemoveTagsFromResourceCommand,
  type SSM,
  SSMClient,
  type SSMClientConfig,
} from "@aws-sdk/client-ssm";
import { GetCallerIdentityCommand, type STS, STSClient, type STSClientConfig } from "@aws-sdk/client-sts";

const IAM_COMMANDS = {
  addRoleToInstanceProfile: AddRoleToInstanceProfileCommand,
  attachRolePolicy: AttachRolePolicyCommand,
  createInstanceProfile: CreateInstanceProfileCommand,
  createPolicy: CreatePolicyCommand,
  createPolicyVersion: CreatePolicyVersionCommand,
  createRole: CreateRoleCommand,
  deleteInstanceProfile: DeleteInstanceProfileCommand,
  deletePolicy: DeletePolicyCommand,
  deletePolicyVersion: DeletePolicyVersionCommand,
  deleteRole: DeleteRoleCommand,
  deleteRolePermissionsBoundary: DeleteRolePermissionsBoundaryCommand,
  deleteRolePolicy: DeleteRolePolicyCommand,
  detachRolePolicy: DetachRolePolicyCommand,
  getInstanceProfile: GetInstanceProfileCommand,
  getPolicy: GetPolicyCommand,
  getPolicyVersion: GetPolicyVersionCommand,
  getRole: GetRoleCommand,
  getRolePolicy: GetRolePolicyCommand,
  listAttachedRolePolicies: ListAttachedRolePoliciesCommand,
  listInstanceProfilesForRole: ListInstanceProfilesForRoleCommand,
  listPolicies: ListPoliciesCommand,
  listPolicyVersions: ListPolicyVersionsCommand,
  listRolePolicies: ListRolePoliciesCommand,
  putRolePermissionsBoundary: PutRolePermissionsBoundaryCommand,
  putRolePolicy: PutRolePolicyCommand,
  removeRoleFromInstanceProfile: RemoveRoleFromInstanceProfileCommand,
  tagInstanceProfile: TagInstanceProfileCommand,
  tagPolicy: TagPolicyCommand,
  tagRole: TagRoleCommand,
  untagInstanceProfile: UntagInstanceProfileCommand,
  untagPolicy: UntagPolicyCommand,
  untagRole: UntagRoleCommand,
  updateAssumeRolePolicy: UpdateAssumeRolePolicyCommand,
  updateRole: UpdateRoleCommand,
  updateRoleDescription: UpdateRoleDescriptionCommand,
};
export type Iam = Pick<IAM, keyof typeof IAM_COMMANDS>;

const SSM_COMMANDS = {
  addTagsToResource: AddTagsToResourceCommand,
  deleteParameter: DeleteParameterCommand,
  describeParameters: DescribeParametersCommand,
  getParameter: GetParameterCommand,
  listTagsForResource: ListTagsForResourceCommand,
  putParameter: PutParameterCommand,
  removeTagsFromResource: RemoveTagsFromResourceCommand,
};
export type Ssm = Pick<SSM, keyof typeof SSM_COMMANDS>;

export type Sts = Pick<STS, "getCallerIdentity">;

type Sendable = { send(command: never): Promise<unknown> };
function methods<T>(client: Sendable, commands: Record<string, unknown>): T {
  const out: Record<string, (input: never) => Promise<unknown>> = {};
  for (const [name, Command] of Object.entries(commands)) {
    const C = Command as new (input: never) => never;
    out[name] = (input: never) => client.send(new C(input));
  }
  return out as T;
}

export const createIam = (config: IAMClientConfig): Iam =>
  methods<Iam>(new IAMClient(config) as unknown as Sendable, IAM_COMMANDS);
export const createSsm = (config: SSMClientConfig): Ssm =>
  methods<Ssm>(new SSMClient(config) as unknown as Sendable, SSM_COMMANDS);
export const createSts = (config: STSClientConfig): Sts =>
  methods<Sts>(new STSClient(config) as unknown as Sendable, { getCallerIdentity: GetCallerIdentityCommand });
