/**
 * STS: who the caller is. An account's own keys are its root user (`arn:aws:iam::ACCOUNT:root`, the
 * user ID is the account ID), as for every account a sandbox holds.
 */
import type { GetCallerIdentityResponse } from "@aws-sdk/client-sts";
import type { Tx } from "./tx.ts";

export const stsActions = {
  "sts:GetCallerIdentity"(tx: Tx): Omit<GetCallerIdentityResponse, "$metadata"> {
    const account = tx.ctx.accountId;
    return { UserId: account, Account: account, Arn: `arn:aws:iam::${account}:root` };
  },
};
