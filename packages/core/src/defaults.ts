/**
 * What a caller gets when nothing names something else: the account of keys the sandbox does not
 * know (with signature checks off) or of a plain Terraform configuration — the first of a sandbox's
 * standard accounts — and the region of requests that name none. One definition for every package.
 */
export const DEFAULT_ACCOUNT_ID = "111122223333";
export const DEFAULT_REGION = "us-east-1";
