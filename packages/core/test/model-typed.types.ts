/**
 * Type-level checks of `ModelTyped` (run by the typecheck, not by vitest): the action table holds
 * every handler — EC2's, and IAM's, STS's and SSM's by their prefixed names — to the AWS SDK's
 * request and result types. Each `@ts-expect-error` fails the typecheck if the check stops biting.
 */
import type { ModelTyped } from "../src/sandbox.ts";
import type { Tx } from "../src/tx.ts";

const iamWrongAnswer = {
  "iam:GetRole"(_tx: Tx, _input: { RoleName?: string }) {
    return { Role: 5 };
  },
};
const iamUnknownAction = {
  "iam:CreateRol"(_tx: Tx) {
    return {};
  },
};
const ssmWrongInput = {
  "ssm:GetParameter"(_tx: Tx, _input: { Name: number }) {
    return {};
  },
};
const stsWrongAnswer = {
  "sts:GetCallerIdentity"(_tx: Tx) {
    return { Account: 111122223333 };
  },
};
const ec2WrongAnswer = {
  DescribeRegions(_tx: Tx) {
    return { Regions: [{ RegionName: 1 }] };
  },
};
const right = {
  "sts:GetCallerIdentity"(_tx: Tx) {
    return { Account: "111122223333", Arn: "arn:aws:iam::111122223333:root", UserId: "111122223333" };
  },
  "ssm:GetParameter"(_tx: Tx, input: { Name?: string }) {
    return { Parameter: { Name: input.Name, Value: "v", Version: 1 } };
  },
  SshConnect(_tx: Tx, _input: { anything: true }) {
    return "the sandbox's own actions keep their own types";
  },
};

export const checks = [
  // @ts-expect-error Role must be the SDK's Role
  iamWrongAnswer satisfies ModelTyped<typeof iamWrongAnswer>,
  // @ts-expect-error IAM has no CreateRol
  iamUnknownAction satisfies ModelTyped<typeof iamUnknownAction>,
  // @ts-expect-error GetParameter's Name is a string
  ssmWrongInput satisfies ModelTyped<typeof ssmWrongInput>,
  // @ts-expect-error an account ID is a string
  stsWrongAnswer satisfies ModelTyped<typeof stsWrongAnswer>,
  // @ts-expect-error a region's name is a string
  ec2WrongAnswer satisfies ModelTyped<typeof ec2WrongAnswer>,
  right satisfies ModelTyped<typeof right>,
];
