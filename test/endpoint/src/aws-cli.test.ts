/**
 * The real AWS CLI v2 against a real `ec2sim serve` process, with the sandbox account's
 * credentials in the environment: the seeds' story, field by field, including `aws ec2 wait`.
 * Requires the AWS CLI v2 (Debian: apt-get install -y awscli); fails, never skips, without it.
 */
import { execFile } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { accountsOf, findAwsCliV2, sleep, startServerProcess, tempDir, type Account, type ServerProcess } from "./harness.ts";

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  json: any;
}

/** The CLI's error line; with AWS_MAX_ATTEMPTS=1 it adds " (reached max retries: 0)". */
const cliError = (code: string, operation: string, message: string) =>
  new RegExp(`An error occurred \\(${code.replace(/\./g, "\\.")}\\) when calling the ${operation} operation( \\(reached max retries: 0\\))?: ${message.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`);
const ID = (prefix: string) => new RegExp(`^${prefix}-[0-9a-f]{17}$`);

describe("AWS CLI v2 against ec2sim serve", () => {
  let server: ServerProcess;
  let data: ReturnType<typeof tempDir>;
  let awsPath = "";
  let A: Account;
  let B: Account;

  beforeAll(async () => {
    const found = await findAwsCliV2();
    if ("error" in found) throw new Error(found.error);
    awsPath = found.path;
    data = tempDir("cli");
    server = await startServerProcess({ dataDir: data.dir, speed: 200 });
    [A, B] = await accountsOf(server.url);
  });
  afterAll(async () => {
    await server?.stop();
    data?.remove();
  });

  const aws = (args: string[], opts: { as?: Account; region?: string; timeoutMs?: number } = {}): Promise<CliResult> => {
    const who = opts.as ?? A;
    const env = {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: process.env.HOME ?? "/tmp",
      AWS_ACCESS_KEY_ID: who.accessKeyId,
      AWS_SECRET_ACCESS_KEY: who.secretAccessKey,
      AWS_DEFAULT_REGION: opts.region ?? "us-east-1",
      AWS_CONFIG_FILE: "/dev/null",
      AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
      AWS_PAGER: "",
      AWS_MAX_ATTEMPTS: "1",
    };
    return new Promise((resolve) => {
      execFile(awsPath, ["--endpoint-url", server.url, "--output", "json", "ec2", ...args], { env, timeout: opts.timeoutMs ?? 60_000 }, (err, stdout, stderr) => {
        const code = err ? (typeof (err as { code?: unknown }).code === "number" ? ((err as { code: number }).code) : -1) : 0;
        let json: any;
        try {
          json = stdout.trim() ? JSON.parse(stdout) : undefined;
        } catch {
          json = undefined;
        }
        resolve({ code, stdout, stderr, json });
      });
    });
  };
  const ok = async (args: string[], opts: Parameters<typeof aws>[1] = {}) => {
    const r = await aws(args, opts);
    if (r.code !== 0) throw new Error(`aws ec2 ${args.join(" ")} failed (${r.code}): ${r.stderr}`);
    return r.json;
  };

  it("runs the seeds' story with --endpoint-url", { timeout: 150_000 }, async () => {
    const key = await ok(["create-key-pair", "--key-name", "cli-key"]);
    expect(key.KeyName).toBe("cli-key");
    expect(key.KeyPairId).toMatch(ID("key"));
    expect(key.KeyMaterial).toMatch(/^-----BEGIN (RSA )?PRIVATE KEY-----/);
    expect(typeof key.KeyFingerprint).toBe("string");

    const images = await ok(["describe-images", "--owners", "amazon", "--filters", "Name=name,Values=al2023-ami-2023*-x86_64"]);
    expect(images.Images.length).toBeGreaterThan(1);
    for (const img of images.Images) {
      expect(img.Name).toMatch(/^al2023-ami-2023.*-x86_64$/);
      expect(img.ImageOwnerAlias).toBe("amazon");
      expect(img.Architecture).toBe("x86_64");
      expect(img.State).toBe("available");
    }
    const newest = [...images.Images].sort((x: any, y: any) => y.CreationDate.localeCompare(x.CreationDate))[0];
    expect(newest.CreationDate).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);

    const run1 = await ok(["run-instances", "--image-id", newest.ImageId, "--instance-type", "t3.micro", "--count", "1", "--key-name", "cli-key",
      "--tag-specifications", "ResourceType=instance,Tags=[{Key=Name,Value=cli-1}]"]);
    expect(run1.OwnerId).toBe(A.accountId);
    expect(run1.ReservationId).toMatch(ID("r"));
    const i1 = run1.Instances[0];
    expect(i1.InstanceId).toMatch(ID("i"));
    expect(i1.State).toEqual({ Code: 0, Name: "pending" });
    expect(i1.ImageId).toBe(newest.ImageId);
    expect(i1.InstanceType).toBe("t3.micro");
    expect(i1.KeyName).toBe("cli-key");
    expect(i1.Tags).toEqual([{ Key: "Name", Value: "cli-1" }]);
    expect(i1.Placement.AvailabilityZone).toMatch(/^us-east-1[a-f]$/);

    // The first wait polls for real: the instance is pending on the waiter's first look.
    const waitRun = await aws(["wait", "instance-running", "--instance-ids", i1.InstanceId], { timeoutMs: 90_000 });
    expect(waitRun.code, waitRun.stderr).toBe(0);
    const d1 = await ok(["describe-instances", "--instance-ids", i1.InstanceId]);
    const inst1 = d1.Reservations[0].Instances[0];
    expect(inst1.State).toEqual({ Code: 16, Name: "running" });
    expect(inst1.PublicIpAddress).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    expect(inst1.RootDeviceType).toBe("ebs");
    expect(inst1.BlockDeviceMappings[0].Ebs.VolumeId).toMatch(ID("vol"));

    const created = await ok(["create-image", "--instance-id", i1.InstanceId, "--name", "MyCustomAMI"]);
    expect(created.ImageId).toMatch(ID("ami"));
    const mine = await ok(["describe-images", "--owners", "self"]);
    expect(mine.Images).toHaveLength(1);
    expect(mine.Images[0]).toMatchObject({ ImageId: created.ImageId, Name: "MyCustomAMI", OwnerId: A.accountId, Public: false, RootDeviceType: "ebs" });
    expect(["pending", "available"]).toContain(mine.Images[0].State);
    await sleep(1_000);
    const waitImg = await aws(["wait", "image-available", "--image-ids", created.ImageId], { timeoutMs: 90_000 });
    expect(waitImg.code, waitImg.stderr).toBe(0);
    expect((await ok(["describe-images", "--image-ids", created.ImageId])).Images[0].State).toBe("available");

    const run2 = await ok(["run-instances", "--image-id", created.ImageId, "--instance-type", "t3.small", "--count", "1"]);
    const i2 = run2.Instances[0].InstanceId;
    expect(run2.Instances[0].ImageId).toBe(created.ImageId);
    await sleep(1_000);
    expect((await aws(["wait", "instance-running", "--instance-ids", i2], { timeoutMs: 90_000 })).code).toBe(0);

    // Share with the second account.
    expect((await aws(["describe-images", "--image-ids", created.ImageId], { as: B })).stderr).toContain("InvalidAMIID.NotFound");
    await ok(["modify-image-attribute", "--image-id", created.ImageId, "--launch-permission", `Add=[{UserId=${B.accountId}}]`]);
    const attr = await ok(["describe-image-attribute", "--image-id", created.ImageId, "--attribute", "launchPermission"]);
    expect(attr).toMatchObject({ ImageId: created.ImageId, LaunchPermissions: [{ UserId: B.accountId }] });
    const asB = await ok(["describe-images", "--image-ids", created.ImageId], { as: B });
    expect(asB.Images[0]).toMatchObject({ ImageId: created.ImageId, OwnerId: A.accountId });

    // Copy to eu-west-1.
    const copy = await ok(["copy-image", "--region", "eu-west-1", "--source-region", "us-east-1", "--source-image-id", created.ImageId, "--name", "MyCustomAMI-eu"]);
    expect(copy.ImageId).toMatch(ID("ami"));
    expect(copy.ImageId).not.toBe(created.ImageId);
    const inEu = await ok(["describe-images", "--region", "eu-west-1", "--image-ids", copy.ImageId]);
    expect(inEu.Images[0]).toMatchObject({ ImageId: copy.ImageId, Name: "MyCustomAMI-eu", OwnerId: A.accountId });
    expect((await aws(["describe-images", "--image-ids", copy.ImageId])).stderr).toContain("InvalidAMIID.NotFound");

    // Deregister: gone from My AMIs, cannot launch, the instance launched from it keeps running.
    const dereg = await aws(["deregister-image", "--image-id", created.ImageId]);
    expect(dereg.code, dereg.stderr).toBe(0);
    expect((await ok(["describe-images", "--owners", "self"])).Images).toEqual([]);
    const relaunch = await aws(["run-instances", "--image-id", created.ImageId, "--instance-type", "t3.micro", "--count", "1"]);
    expect(relaunch.code).not.toBe(0);
    expect(relaunch.stderr).toContain("InvalidAMIID.NotFound");
    expect((await ok(["describe-instances", "--instance-ids", i2])).Reservations[0].Instances[0].State.Name).toBe("running");

    // Stop, wait, start, terminate.
    const stop = await ok(["stop-instances", "--instance-ids", i1.InstanceId]);
    expect(stop.StoppingInstances).toEqual([{ InstanceId: i1.InstanceId, CurrentState: { Code: 64, Name: "stopping" }, PreviousState: { Code: 16, Name: "running" } }]);
    await sleep(1_000);
    expect((await aws(["wait", "instance-stopped", "--instance-ids", i1.InstanceId], { timeoutMs: 90_000 })).code).toBe(0);
    expect((await ok(["describe-instances", "--instance-ids", i1.InstanceId])).Reservations[0].Instances[0].State).toEqual({ Code: 80, Name: "stopped" });
    const start = await ok(["start-instances", "--instance-ids", i1.InstanceId]);
    expect(start.StartingInstances).toEqual([{ InstanceId: i1.InstanceId, CurrentState: { Code: 0, Name: "pending" }, PreviousState: { Code: 80, Name: "stopped" } }]);
    const term = await ok(["terminate-instances", "--instance-ids", i1.InstanceId, i2]);
    expect(term.TerminatingInstances.map((t: any) => t.InstanceId).sort()).toEqual([i1.InstanceId, i2].sort());
    for (const t of term.TerminatingInstances) expect(t.CurrentState).toEqual({ Code: 32, Name: "shutting-down" });
    await sleep(1_000);
    expect((await aws(["wait", "instance-terminated", "--instance-ids", i1.InstanceId, i2], { timeoutMs: 90_000 })).code).toBe(0);
    const restart = await aws(["start-instances", "--instance-ids", i1.InstanceId]);
    expect(restart.stderr).toContain("IncorrectInstanceState");
  });

  it("answers --dry-run with DryRunOperation (HTTP 412) and changes nothing", async () => {
    const images = await ok(["describe-images", "--owners", "amazon", "--filters", "Name=name,Values=al2023-ami-2023*-x86_64", "Name=state,Values=available"]);
    const before = await ok(["describe-instances"]);
    const r = await aws(["run-instances", "--dry-run", "--image-id", images.Images[0].ImageId, "--instance-type", "t3.micro", "--count", "1", "--debug"]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(cliError("DryRunOperation", "RunInstances", "Request would have succeeded, but DryRun flag is set."));
    expect(r.stderr).toMatch(/"POST \/ HTTP\/1\.1" 412 /);
    expect(await ok(["describe-instances"])).toEqual(before);
  });

  it("answers a wrong secret with AuthFailure and an action the sandbox lacks with UnsupportedOperation", async () => {
    const wrong = await aws(["describe-regions"], { as: { ...A, secretAccessKey: "not-the-secret" } });
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toMatch(cliError("AuthFailure", "DescribeRegions", "AWS was not able to validate the provided access credentials"));
    const unsupported = await aws(["create-vpc-endpoint", "--vpc-id", "vpc-0123456789abcdef0", "--service-name", "com.amazonaws.us-east-1.s3"]);
    expect(unsupported.stderr).toMatch(cliError("UnsupportedOperation", "CreateVpcEndpoint", "The action CreateVpcEndpoint is not supported by this sandbox"));
    const regions = await ok(["describe-regions", "--region-names", "eu-west-1", "us-east-1"]);
    expect(regions.Regions.map((r: any) => r.RegionName).sort()).toEqual(["eu-west-1", "us-east-1"]);
  });
});
