/**
 * Actions the sandbox answers with known limits, by core action name (`RunInstances`,
 * `iam:CreateRole`): the "partial" of docs/COVERAGE.md. Keep each note short and say what is left out.
 */
export const PARTIAL_ACTIONS: Readonly<Record<string, string>> = {
  DescribeVolumesModifications: "no Filters",
  DescribeInstanceCreditSpecifications: "no Filters",
  DescribeSnapshotAttribute: "createVolumePermission and productCodes only",
  DescribeSpotInstanceRequests:
    "the requests of Spot launches through RunInstances (RequestSpotInstances is not served); no interruptions",
  CancelSpotInstanceRequests: "requests of Spot launches through RunInstances",
  "sts:AssumeRole": "trust policy checked; session policies, session tags, MFA and source identity ignored",
  "iam:CreateRole": "policies stored and returned, never enforced (no iam:PassRole check)",
  "iam:CreatePolicy": "policies stored and returned, never enforced",
};
