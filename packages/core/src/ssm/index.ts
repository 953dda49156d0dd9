/** SSM Parameter Store (core actions `ssm:*`) and `resolve:ssm:` image references. */
export { applySsmEvent, type SsmEvent } from "./fold.ts";
export { ssmParameterActions as ssmActions } from "./parameters.ts";
export { resolveImageReference } from "./resolve.ts";
