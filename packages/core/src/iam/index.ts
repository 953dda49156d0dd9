/** IAM: roles, instance profiles, managed policies (core actions `iam:*`). */

import type { Tx } from "../tx.ts";
import { instanceProfileActions } from "./instance-profiles.ts";
import { managedPolicyActions } from "./managed-policies.ts";
import { roleActions } from "./roles.ts";

export const iamActions = {
  ...roleActions,
  ...instanceProfileActions,
  ...managedPolicyActions,
  /** The account's alias (the sandbox's accounts have one), as IAM lists it. */
  "iam:ListAccountAliases"(tx: Tx) {
    const alias = tx.state.accounts.get(tx.ctx.accountId)?.alias;
    return { AccountAliases: alias ? [alias] : [], IsTruncated: false };
  },
};

export { applyIamEvent, applyRoleAssumed, type IamEvent } from "./fold.ts";
export { findInstanceProfile } from "./instance-profiles.ts";
export { type IamAccount, type InstanceProfile, instanceProfileArn, parseIamArn, type Role, roleArn } from "./model.ts";
export { trustAllows } from "./policy-document.ts";
export { findRole } from "./roles.ts";
