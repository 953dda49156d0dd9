/**
 * The one error family: every failure a user can see carries an EC2 error code and an EC2-shaped
 * message, so the endpoint, the REPL and the Terraform provider all report the same thing.
 */
export class Ec2Error extends Error {
  override readonly name = "Ec2Error";
  constructor(
    /** EC2's own code, e.g. `InvalidAMIID.NotFound`. */
    readonly code: string,
    message: string,
    /** HTTP status the Query API answers with; EC2 uses 400 for nearly every client error. */
    readonly httpStatus = 400,
  ) {
    super(message);
  }
}

export const isEc2Error = (e: unknown): e is Ec2Error => e instanceof Ec2Error;

/** Constructors for the codes used across families, worded as EC2 words them. */
export const errors = {
  notFound: (code: string, what: string, id: string) => new Ec2Error(code, `The ${what} '${id}' does not exist`),
  amiNotFound: (id: string) => new Ec2Error("InvalidAMIID.NotFound", `The image id '[${id}]' does not exist`),
  amiMalformed: (id: string) => new Ec2Error("InvalidAMIID.Malformed", `Invalid id: "${id}" (expecting "ami-...")`),
  amiUnavailable: (id: string, state: string) =>
    new Ec2Error("InvalidAMIID.Unavailable", `The image '${id}' is ${state} and cannot be used`),
  instanceNotFound: (id: string) =>
    new Ec2Error("InvalidInstanceID.NotFound", `The instance ID '${id}' does not exist`),
  instanceMalformed: (id: string) =>
    new Ec2Error("InvalidInstanceID.Malformed", `Invalid id: "${id}" (expecting "i-...")`),
  incorrectInstanceState: (id: string, state: string, action: string) =>
    new Ec2Error(
      "IncorrectInstanceState",
      `The instance '${id}' is not in a state from which it can be ${action}. Current state: ${state}`,
    ),
  unsupported: (message: string) => new Ec2Error("UnsupportedOperation", message),
  invalidParameterValue: (message: string) => new Ec2Error("InvalidParameterValue", message),
  invalidParameter: (message: string) => new Ec2Error("InvalidParameter", message),
  invalidCombination: (message: string) => new Ec2Error("InvalidParameterCombination", message),
  missingParameter: (name: string) =>
    new Ec2Error("MissingParameter", `The request must contain the parameter ${name}`),
  dryRun: () => new Ec2Error("DryRunOperation", "Request would have succeeded, but DryRun flag is set.", 412),
  unauthorized: (message = "You are not authorized to perform this operation.") =>
    new Ec2Error("UnauthorizedOperation", message, 403),
  authFailure: (message = "AWS was not able to validate the provided access credentials") =>
    new Ec2Error("AuthFailure", message, 401),
  invalidAction: (action: string) =>
    new Ec2Error("InvalidAction", `The action ${action} is not valid for this web service.`),
  idempotentMismatch: () =>
    new Ec2Error(
      "IdempotentParameterMismatch",
      "The client token you have provided is associated with a resource that is already deleted or with different parameters.",
    ),
} as const;
