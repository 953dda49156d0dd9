import { describe, expect, it } from "vitest";
import { Ec2Error, errors } from "./ec2-error.ts";
import { serializeError } from "./serialize-error.ts";

describe("serializeError", () => {
  it("writes EC2's error document with code, message and RequestID", () => {
    expect(serializeError(errors.amiNotFound("ami-1"), "req-9")).toEqual({
      status: 400,
      body:
        '<?xml version="1.0" encoding="UTF-8"?>\n' +
        "<Response><Errors><Error><Code>InvalidAMIID.NotFound</Code><Message>The image id '[ami-1]' does not exist</Message></Error></Errors><RequestID>req-9</RequestID></Response>",
    });
  });

  it("escapes the message", () => {
    expect(serializeError(new Ec2Error("X", `a <b> & "c"`), "r").body).toContain(
      `<Message>a &lt;b&gt; &amp; "c"</Message>`,
    );
  });

  it.each([
    [errors.dryRun(), 412],
    [errors.authFailure(), 401],
    [errors.unauthorized(), 403],
    [new Ec2Error("DryRunOperation", "Request would have succeeded, but DryRun flag is set."), 412],
    [new Ec2Error("AuthFailure", "x"), 401],
    [new Ec2Error("UnauthorizedOperation", "x"), 403],
    [new Ec2Error("ServiceUnavailable", "x"), 503],
    [new Ec2Error("InternalError", "x"), 500],
    [new Ec2Error("RequestLimitExceeded", "x"), 503],
    [new Ec2Error("InvalidParameterValue", "x"), 400],
    [new Ec2Error("Custom", "x", 409), 409],
  ])("%s answers %i", (error, status) => {
    expect(serializeError(error, "r").status).toBe(status);
  });
});
