/**
 * The real AWS CLI (botocore's EC2 serializer and parser) against the handler, when `aws` is on the
 * PATH. botocore differs from the JS SDK in the details that matter here: it base64-encodes
 * `--user-data` itself, reads `fileb://` blobs, retries 5xx, and parses errors from the body.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { errors } from "../src/ec2-error.ts";
import { createQueryHandler } from "../src/index.ts";
import { type RunningEndpoint, recordingDispatch, serve } from "./http-harness.ts";

const run = promisify(execFile);
const hasAwsCli = await run("aws", ["--version"]).then(
  () => true,
  () => false,
);

describe("EC2 Query endpoint driven by the real AWS CLI", () => {
  // Never skipped: without the CLI this suite fails and says what to install.
  it("finds the AWS CLI on PATH", () => {
    expect(hasAwsCli, "the AWS CLI is not on PATH: install it (apt-get install -y awscli)").toBe(true);
  });
  let endpoint: RunningEndpoint;
  const { dispatch, calls } = recordingDispatch({
    DescribeImages: (input) => {
      if (input.DryRun) throw errors.dryRun();
      return {
        Images: [
          {
            ImageId: "ami-1",
            Name: "al2023 <x> & 'y'",
            CreationDate: "2024-12-12T05:03:52.000Z",
            Public: true,
            BlockDeviceMappings: [{ DeviceName: "/dev/xvda", Ebs: { VolumeSize: 8, DeleteOnTermination: true } }],
            Tags: [],
          },
        ],
      };
    },
    RunInstances: () => ({
      ReservationId: "r-1",
      Instances: [
        { InstanceId: "i-1", State: { Code: 0, Name: "pending" }, LaunchTime: new Date("2024-12-12T05:03:52Z") },
      ],
    }),
    ImportKeyPair: (input) => ({ KeyName: input.KeyName, KeyPairId: "key-1", KeyFingerprint: "ab:cd" }),
  });
  const env = {
    ...process.env,
    AWS_ACCESS_KEY_ID: "AKIACLI",
    AWS_SECRET_ACCESS_KEY: "cli-secret",
    AWS_DEFAULT_REGION: "eu-west-1",
    AWS_CONFIG_FILE: "/dev/null",
    AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
    AWS_MAX_ATTEMPTS: "1",
    AWS_PAGER: "",
  };
  const aws = async (args: string[], extraEnv: Record<string, string> = {}) => {
    try {
      const { stdout } = await run("aws", ["--endpoint-url", endpoint.endpoint, "--output", "json", "ec2", ...args], {
        env: { ...env, ...extraEnv },
      });
      return { ok: true as const, json: JSON.parse(stdout) as Record<string, unknown> };
    } catch (e) {
      return { ok: false as const, stderr: String((e as { stderr?: string }).stderr) };
    }
  };

  beforeAll(async () => {
    endpoint = await serve(
      createQueryHandler({
        dispatch,
        credentials: (key) =>
          key === "AKIACLI" ? { secretAccessKey: "cli-secret", accountId: "111122223333" } : undefined,
      }),
    );
  });
  afterAll(async () => endpoint?.close());

  it("describe-images with owners and filters", async () => {
    const out = await aws([
      "describe-images",
      "--owners",
      "self",
      "--filters",
      "Name=name,Values=al2023-ami-*",
      "Name=architecture,Values=x86_64",
    ]);
    expect(calls.at(-1)!.input).toEqual({
      Owners: ["self"],
      Filters: [
        { Name: "name", Values: ["al2023-ami-*"] },
        { Name: "architecture", Values: ["x86_64"] },
      ],
    });
    expect(calls.at(-1)!.context.region).toBe("eu-west-1");
    expect(out).toEqual({
      ok: true,
      json: {
        Images: [
          {
            ImageId: "ami-1",
            Name: "al2023 <x> & 'y'",
            CreationDate: "2024-12-12T05:03:52.000Z",
            Public: true,
            BlockDeviceMappings: [{ DeviceName: "/dev/xvda", Ebs: { VolumeSize: 8, DeleteOnTermination: true } }],
            Tags: [],
          },
        ],
      },
    });
  });

  it("run-instances with user data, block devices and tags; import-key-pair from fileb://", async () => {
    const out = await aws([
      "run-instances",
      "--image-id",
      "ami-1",
      "--count",
      "2",
      "--user-data",
      "echo hi",
      "--block-device-mappings",
      '[{"DeviceName":"/dev/xvda","Ebs":{"VolumeSize":30}}]',
      "--tag-specifications",
      "ResourceType=instance,Tags=[{Key=Name,Value=web}]",
    ]);
    expect(out.ok && (out.json.Instances as Array<Record<string, unknown>>)[0]).toEqual({
      InstanceId: "i-1",
      State: { Code: 0, Name: "pending" },
      LaunchTime: "2024-12-12T05:03:52.000Z",
    });
    expect(calls.at(-1)!.input).toMatchObject({
      ImageId: "ami-1",
      MinCount: 2,
      MaxCount: 2,
      UserData: Buffer.from("echo hi").toString("base64"),
      BlockDeviceMappings: [{ DeviceName: "/dev/xvda", Ebs: { VolumeSize: 30 } }],
      TagSpecifications: [{ ResourceType: "instance", Tags: [{ Key: "Name", Value: "web" }] }],
      ClientToken: expect.any(String),
    });

    const dir = mkdtempSync(join(tmpdir(), "ec2-query-cli-"));
    writeFileSync(join(dir, "k.pub"), "ssh-ed25519 AAAA me\n");
    const key = await aws([
      "import-key-pair",
      "--key-name",
      "k",
      "--public-key-material",
      `fileb://${join(dir, "k.pub")}`,
    ]);
    expect(key).toEqual({ ok: true, json: { KeyName: "k", KeyPairId: "key-1", KeyFingerprint: "ab:cd" } });
    expect(Buffer.from(calls.at(-1)!.input.PublicKeyMaterial as Uint8Array).toString()).toBe("ssh-ed25519 AAAA me\n");
    rmSync(dir, { recursive: true, force: true });
  });

  it("errors: DryRunOperation (412) and AuthFailure for a wrong secret, as the CLI prints them", async () => {
    const dry = await aws(["describe-images", "--dry-run"]);
    expect(dry.ok).toBe(false);
    expect(!dry.ok && dry.stderr).toContain(
      "An error occurred (DryRunOperation) when calling the DescribeImages operation: Request would have succeeded, but DryRun flag is set.",
    );
    const wrong = await aws(["describe-images"], { AWS_SECRET_ACCESS_KEY: "wrong" });
    expect(!wrong.ok && wrong.stderr).toContain(
      "An error occurred (AuthFailure) when calling the DescribeImages operation: AWS was not able to validate the provided access credentials",
    );
  });
});
