// The EC2 commands of instance profiles on instances (aws_instance.iam_instance_profile updates),
// kept beside ec2-client.ts's list: imported one by one so the bundle holds only these.
import {
  AssociateIamInstanceProfileCommand,
  DescribeIamInstanceProfileAssociationsCommand,
  DisassociateIamInstanceProfileCommand,
  type EC2,
  type EC2Client,
  ReplaceIamInstanceProfileAssociationCommand,
} from "@aws-sdk/client-ec2";

export const IAM_PROFILE_COMMANDS = {
  associateIamInstanceProfile: AssociateIamInstanceProfileCommand,
  describeIamInstanceProfileAssociations: DescribeIamInstanceProfileAssociationsCommand,
  disassociateIamInstanceProfile: DisassociateIamInstanceProfileCommand,
  replaceIamInstanceProfileAssociation: ReplaceIamInstanceProfileAssociationCommand,
} as unknown as Record<IamProfileMethod, new (input: never) => Parameters<EC2Client["send"]>[0]>;

export type IamProfileMethod =
  | "associateIamInstanceProfile"
  | "describeIamInstanceProfileAssociations"
  | "disassociateIamInstanceProfile"
  | "replaceIamInstanceProfileAssociation";
export type IamProfileEc2 = Pick<EC2, IamProfileMethod>;
