/**
 * Actions the sandbox answers with known limits, by core action name (`RunInstances`,
 * `iam:CreateRole`): the "partial" of docs/COVERAGE.md. Keep each note short and say what is left out.
 */
export const PARTIAL_ACTIONS: Readonly<Record<string, string>> = {
  DescribeVolumesModifications: "no Filters",
  DescribeInstanceCreditSpecifications: "no Filters",
  DescribeSnapshotAttribute: "createVolumePermission and productCodes only",
  DescribeSpotInstanceRequests: "requests are fulfilled at once; no interruptions, no re-opened persistent requests",
  CancelSpotInstanceRequests: "no re-opened persistent requests to stop",
  RequestSpotInstances:
    "fulfilled at once (no Spot capacity or price to wait for); ValidFrom ahead refused; persistent requests never re-open",
  "sts:AssumeRole": "trust policy checked; session policies, session tags, MFA and source identity ignored",
  "iam:CreateRole": "policies stored and returned, never enforced (no iam:PassRole check)",
  "iam:CreatePolicy": "policies stored and returned, never enforced",
};
