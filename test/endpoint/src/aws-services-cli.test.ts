/**
 * The services around EC2 on the same endpoint, driven by the real AWS CLI v2 against a real
 * `ec2sim serve` process: `aws sts`, `aws iam`, `aws ssm` with `--endpoint-url` pointing at the one
 * port EC2 is served on. Requires the AWS CLI v2; fails, never skips, without it.
 */
import { type Account, accountsOf, type ServerProcess, startServer } from "@ec2sim/test-harness";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { awsCliRunner } from "./aws-cli-story.ts";
import { findAwsCliV2 } from "./harness.ts";

/** The CLI's error line; with AWS_MAX_ATTEMPTS=1 it adds " (reached max retries: 0)". */
const cliError = (code: string, operation: string, message = "") =>
  new RegExp(
    `An error occurred \\(${code}\\) when calling the ${operation} operation( \\(reached max retries: 0\\))?: ${message.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`,
  );

describe("AWS CLI v2: STS, IAM and SSM on the EC2 endpoint", () => {
  let server: ServerProcess;
  let A: Account;
  let B: Account;
  let cli: ReturnType<typeof awsCliRunner>;

  beforeAll(async () => {
    const found = await findAwsCliV2();
    if ("error" in found) throw new Error(found.error);
    server = await startServer({ speed: 200 });
    [A, B] = await accountsOf(server.url);
    cli = awsCliRunner(
      found.path,
      () => server.url,
      () => A,
    );
  });
  afterAll(async () => {
    await server?.stop();
  });

  it("aws sts get-caller-identity answers each account's root identity", async () => {
    expect(await cli.ok(["get-caller-identity"], { service: "sts" })).toEqual({
      UserId: A.accountId,
      Account: A.accountId,
      Arn: `arn:aws:iam::${A.accountId}:root`,
    });
    expect(await cli.ok(["get-caller-identity"], { service: "sts", as: B, region: "eu-west-1" })).toEqual({
      UserId: B.accountId,
      Account: B.accountId,
      Arn: `arn:aws:iam::${B.accountId}:root`,
    });
  });

  it("a wrong secret is SignatureDoesNotMatch, an unknown key InvalidClientTokenId, as STS says", async () => {
    const r = await cli.aws(["get-caller-identity"], {
      service: "sts",
      as: { ...A, secretAccessKey: "not-the-secret" },
    });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(
      cliError("SignatureDoesNotMatch", "GetCallerIdentity", "The request signature we calculated"),
    );
    const unknown = await cli.aws(["get-caller-identity"], {
      service: "sts",
      as: { ...A, accessKeyId: "AKIAUNKNOWNUNKNOWN00" },
    });
    expect(unknown.stderr).toMatch(
      cliError("InvalidClientTokenId", "GetCallerIdentity", "The security token included in the request is invalid."),
    );
  });
});
