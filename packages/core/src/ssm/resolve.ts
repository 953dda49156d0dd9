/**
 * `resolve:ssm:NAME` where EC2 takes an AMI ID (RunInstances' ImageId, launch templates): the
 * parameter — the account's own (`NAME`, `NAME:3`, `NAME:label`, its ARN) or a public one
 * (`/aws/service/…`) — is read in the caller's region at launch, and its value must be an AMI ID.
 */
import { Ec2Error, isEc2Error } from "../errors.ts";
import type { Tx } from "../tx.ts";
import { selectParameter } from "./parameters.ts";

export const RESOLVE_SSM = "resolve:ssm:";

/** The AMI ID an ImageId stands for: itself, or the value of the SSM parameter it names. */
export function resolveImageReference(tx: Tx, imageId: string): string {
  if (!imageId.startsWith(RESOLVE_SSM)) return imageId;
  const ref = imageId.slice(RESOLVE_SSM.length);
  const invalid = (why: string) =>
    new Ec2Error("InvalidParameterValue", `Unable to resolve ${imageId.slice(0, 300)}: ${why}`);
  let found: ReturnType<typeof selectParameter>;
  try {
    found = selectParameter(tx, ref);
  } catch (e) {
    if (isEc2Error(e) && (e.code === "ParameterNotFound" || e.code === "ParameterVersionNotFound")) {
      throw invalid(`the SSM parameter ${ref.slice(0, 300)} does not exist in ${tx.ctx.region}`);
    }
    if (isEc2Error(e)) throw invalid(e.message);
    throw e;
  }
  const v = found.version;
  if (v.type === "SecureString") throw invalid("SecureString parameters cannot stand for an AMI ID");
  if (!/^ami-[0-9a-f]{8,17}$/.test(v.value)) {
    throw invalid(`the value of the SSM parameter ${found.name} (version ${v.version}) is not an AMI ID`);
  }
  return v.value;
}
