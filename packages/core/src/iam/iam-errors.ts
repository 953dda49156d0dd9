/** IAM's error codes and wording, with the statuses IAM answers them with (the one error family). */
import { Ec2Error } from "../errors.ts";

export const iamErrors = {
  noSuchEntity: (message: string) => new Ec2Error("NoSuchEntity", message, 404),
  exists: (message: string) => new Ec2Error("EntityAlreadyExists", message, 409),
  deleteConflict: (message: string) => new Ec2Error("DeleteConflict", message, 409),
  limitExceeded: (message: string) => new Ec2Error("LimitExceeded", message, 409),
  invalidInput: (message: string) => new Ec2Error("InvalidInput", message, 400),
  validation: (message: string) => new Ec2Error("ValidationError", message, 400),
  /** IAM's wording for one failed constraint, as its validation layer prints it. */
  constraint: (value: string, member: string, constraint: string) =>
    new Ec2Error(
      "ValidationError",
      `1 validation error detected: Value '${value.length > 200 ? `${value.slice(0, 200)}...` : value}' at '${member}' failed to satisfy constraint: ${constraint}`,
      400,
    ),
} as const;
