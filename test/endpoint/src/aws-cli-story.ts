/**
 * The seeds' story through the real AWS CLI v2, field by field, including `aws ec2 wait` — shared by
 * test/endpoint/src/aws-cli.test.ts (one `ec2sim serve` on the journal) and
 * test/replicas/src/aws-cli-replicas.test.ts (two replicas on one PostgreSQL database, alternately).
 * The story only sees an `AwsCli`: where each invocation goes (`--endpoint-url`) is the runner's choice.
 */
import { expect } from "vitest";
import { runAws } from "./warm-aws-cli.ts";

export interface CliAccount {
  accountId: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** Temporary credentials (an assumed role) carry a session token. */
  sessionToken?: string;
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  json: any;
}

export interface CliOptions {
  as?: CliAccount;
  region?: string;
  timeoutMs?: number;
  /** The CLI's service command (`iam`, `ssm`, `sts`); `ec2` unless told. */
  service?: string;
}

export interface AwsCli {
  /** `aws ec2 ARGS…` (or another service's) with JSON output; never throws, the exit code is in the result. */
  aws(args: string[], opts?: CliOptions): Promise<CliResult>;
  /** Like `aws`, but throws unless it exits 0; returns the parsed output. */
  ok(args: string[], opts?: CliOptions): Promise<any>;
}

export interface AwsCliStoryResult {
  keyName: string;
  /** The instance launched from the catalog image (stopped, started, terminated). */
  instance1: string;
  /** The instance launched from MyCustomAMI (terminated). */
  instance2: string;
  /** MyCustomAMI in us-east-1 (deregistered). */
  imageId: string;
  /** Its copy in eu-west-1 (kept). */
  copyImageId: string;
}

export const ID = (prefix: string) => new RegExp(`^${prefix}-[0-9a-f]{17}$`);

/**
 * Describes through the CLI until `done` holds: at ×200 a transition takes well under a second of
 * real time, so the `aws ec2 wait` after it finds the state at its first poll instead of sleeping its
 * 15 s delay, without a fixed sleep that a busy machine can outlast.
 */
export async function until(
  ok: AwsCli["ok"],
  args: string[],
  done: (out: any) => boolean,
  timeoutMs = 60_000,
): Promise<void> {
  for (const end = Date.now() + timeoutMs; !done(await ok(args)); ) {
    if (Date.now() > end) throw new Error(`aws ec2 ${args.join(" ")}: not so within ${timeoutMs} ms`);
  }
}
export const states = (out: any): string[] =>
  out.Reservations.flatMap((r: any) => r.Instances.map((i: any) => i.State.Name as string));

/**
 * A runner for `aws ec2 …` with the given account's credentials in a clean environment (no config
 * files, no pager, AWS_MAX_ATTEMPTS=1), asking `endpoint()` for each invocation's `--endpoint-url`.
 * `calls` records where every invocation went, its exit code and how long it took.
 */
export function awsCliRunner(
  awsPath: string,
  endpoint: () => string,
  defaultAccount: () => CliAccount,
): AwsCli & { calls: { endpoint: string; args: string[]; code: number; ms: number }[] } {
  const calls: { endpoint: string; args: string[]; code: number; ms: number }[] = [];
  const aws = (args: string[], opts: CliOptions = {}): Promise<CliResult> => {
    const who = opts.as ?? defaultAccount();
    const url = endpoint();
    const env = {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: process.env.HOME ?? "/tmp",
      AWS_ACCESS_KEY_ID: who.accessKeyId,
      AWS_SECRET_ACCESS_KEY: who.secretAccessKey,
      ...(who.sessionToken ? { AWS_SESSION_TOKEN: who.sessionToken } : {}),
      AWS_DEFAULT_REGION: opts.region ?? "us-east-1",
      AWS_CONFIG_FILE: "/dev/null",
      AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
      AWS_PAGER: "",
      AWS_MAX_ATTEMPTS: "1",
    };
    const t0 = Date.now();
    return runAws(
      awsPath,
      ["--endpoint-url", url, "--output", "json", opts.service ?? "ec2", ...args],
      env,
      opts.timeoutMs ?? 60_000,
    ).then(({ code, stdout, stderr }) => {
      let json: any;
      try {
        json = stdout.trim() ? JSON.parse(stdout) : undefined;
      } catch {
        json = undefined;
      }
      calls.push({ endpoint: url, args, code, ms: Date.now() - t0 });
      return { code, stdout, stderr, json };
    });
  };
  const ok = async (args: string[], opts: CliOptions = {}) => {
    const r = await aws(args, opts);
    if (r.code !== 0)
      throw new Error(
        `aws ${opts.service ?? "ec2"} ${args.join(" ")} failed (${r.code}) at ${calls.at(-1)?.endpoint}: ${r.stderr}`,
      );
    return r.json;
  };
  return { aws, ok, calls };
}

/**
 * The seeds' story as account A (B is the account MyCustomAMI is shared with): key pair, the newest
 * AL2023 image, run + wait running, create-image + wait available, launch from it, share it, copy it
 * to eu-west-1, deregister it, stop/wait/start/terminate/wait. Every output is checked field by field.
 */
export async function runAwsCliStory(cli: AwsCli, A: CliAccount, B: CliAccount): Promise<AwsCliStoryResult> {
  const { aws, ok } = cli;
  const key = await ok(["create-key-pair", "--key-name", "cli-key"]);
  expect(key.KeyName).toBe("cli-key");
  expect(key.KeyPairId).toMatch(ID("key"));
  expect(key.KeyMaterial).toMatch(/^-----BEGIN (RSA )?PRIVATE KEY-----/);
  expect(typeof key.KeyFingerprint).toBe("string");

  const images = await ok([
    "describe-images",
    "--owners",
    "amazon",
    "--filters",
    "Name=name,Values=al2023-ami-2023*-x86_64",
  ]);
  expect(images.Images.length).toBeGreaterThan(1);
  for (const img of images.Images) {
    expect(img.Name).toMatch(/^al2023-ami-2023.*-x86_64$/);
    expect(img.ImageOwnerAlias).toBe("amazon");
    expect(img.Architecture).toBe("x86_64");
    expect(img.State).toBe("available");
  }
  const newest = [...images.Images].sort((x: any, y: any) => y.CreationDate.localeCompare(x.CreationDate))[0];
  expect(newest.CreationDate).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);

  const run1 = await ok([
    "run-instances",
    "--image-id",
    newest.ImageId,
    "--instance-type",
    "t3.micro",
    "--count",
    "1",
    "--key-name",
    "cli-key",
    "--tag-specifications",
    "ResourceType=instance,Tags=[{Key=Name,Value=cli-1}]",
  ]);
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
  expect(mine.Images[0]).toMatchObject({
    ImageId: created.ImageId,
    Name: "MyCustomAMI",
    OwnerId: A.accountId,
    Public: false,
    RootDeviceType: "ebs",
  });
  expect(["pending", "available"]).toContain(mine.Images[0].State);
  await until(ok, ["describe-images", "--image-ids", created.ImageId], (o) => o.Images[0].State === "available");
  const waitImg = await aws(["wait", "image-available", "--image-ids", created.ImageId], { timeoutMs: 90_000 });
  expect(waitImg.code, waitImg.stderr).toBe(0);
  expect((await ok(["describe-images", "--image-ids", created.ImageId])).Images[0].State).toBe("available");

  const run2 = await ok([
    "run-instances",
    "--image-id",
    created.ImageId,
    "--instance-type",
    "t3.small",
    "--count",
    "1",
  ]);
  const i2 = run2.Instances[0].InstanceId;
  expect(run2.Instances[0].ImageId).toBe(created.ImageId);
  await until(ok, ["describe-instances", "--instance-ids", i2], (o) => states(o).every((st) => st === "running"));
  expect((await aws(["wait", "instance-running", "--instance-ids", i2], { timeoutMs: 90_000 })).code).toBe(0);

  // Share with the second account.
  expect((await aws(["describe-images", "--image-ids", created.ImageId], { as: B })).stderr).toContain(
    "InvalidAMIID.NotFound",
  );
  await ok([
    "modify-image-attribute",
    "--image-id",
    created.ImageId,
    "--launch-permission",
    `Add=[{UserId=${B.accountId}}]`,
  ]);
  const attr = await ok(["describe-image-attribute", "--image-id", created.ImageId, "--attribute", "launchPermission"]);
  expect(attr).toMatchObject({ ImageId: created.ImageId, LaunchPermissions: [{ UserId: B.accountId }] });
  const asB = await ok(["describe-images", "--image-ids", created.ImageId], { as: B });
  expect(asB.Images[0]).toMatchObject({ ImageId: created.ImageId, OwnerId: A.accountId });

  // Copy to eu-west-1.
  const copy = await ok([
    "copy-image",
    "--region",
    "eu-west-1",
    "--source-region",
    "us-east-1",
    "--source-image-id",
    created.ImageId,
    "--name",
    "MyCustomAMI-eu",
  ]);
  expect(copy.ImageId).toMatch(ID("ami"));
  expect(copy.ImageId).not.toBe(created.ImageId);
  const inEu = await ok(["describe-images", "--region", "eu-west-1", "--image-ids", copy.ImageId]);
  expect(inEu.Images[0]).toMatchObject({ ImageId: copy.ImageId, Name: "MyCustomAMI-eu", OwnerId: A.accountId });
  expect((await aws(["describe-images", "--image-ids", copy.ImageId])).stderr).toContain("InvalidAMIID.NotFound");

  // Deregister: gone from My AMIs, cannot launch, the instance launched from it keeps running.
  const dereg = await aws(["deregister-image", "--image-id", created.ImageId]);
  expect(dereg.code, dereg.stderr).toBe(0);
  expect((await ok(["describe-images", "--owners", "self"])).Images).toEqual([]);
  const relaunch = await aws([
    "run-instances",
    "--image-id",
    created.ImageId,
    "--instance-type",
    "t3.micro",
    "--count",
    "1",
  ]);
  expect(relaunch.code).not.toBe(0);
  expect(relaunch.stderr).toContain("InvalidAMIID.NotFound");
  expect((await ok(["describe-instances", "--instance-ids", i2])).Reservations[0].Instances[0].State.Name).toBe(
    "running",
  );

  // Stop, wait, start, terminate.
  const stop = await ok(["stop-instances", "--instance-ids", i1.InstanceId]);
  expect(stop.StoppingInstances).toEqual([
    {
      InstanceId: i1.InstanceId,
      CurrentState: { Code: 64, Name: "stopping" },
      PreviousState: { Code: 16, Name: "running" },
    },
  ]);
  await until(ok, ["describe-instances", "--instance-ids", i1.InstanceId], (o) =>
    states(o).every((st) => st === "stopped"),
  );
  expect((await aws(["wait", "instance-stopped", "--instance-ids", i1.InstanceId], { timeoutMs: 90_000 })).code).toBe(
    0,
  );
  expect(
    (await ok(["describe-instances", "--instance-ids", i1.InstanceId])).Reservations[0].Instances[0].State,
  ).toEqual({ Code: 80, Name: "stopped" });
  const start = await ok(["start-instances", "--instance-ids", i1.InstanceId]);
  expect(start.StartingInstances).toEqual([
    {
      InstanceId: i1.InstanceId,
      CurrentState: { Code: 0, Name: "pending" },
      PreviousState: { Code: 80, Name: "stopped" },
    },
  ]);
  const term = await ok(["terminate-instances", "--instance-ids", i1.InstanceId, i2]);
  expect(term.TerminatingInstances.map((t: any) => t.InstanceId).sort()).toEqual([i1.InstanceId, i2].sort());
  for (const t of term.TerminatingInstances) expect(t.CurrentState).toEqual({ Code: 32, Name: "shutting-down" });
  await until(ok, ["describe-instances", "--instance-ids", i1.InstanceId, i2], (o) =>
    states(o).every((st) => st === "terminated"),
  );
  // A terminated instance stays listed for an hour of simulated time (18 s at ×200): ask about it
  // at once, before the waiter, so a slow machine's CLI starts do not outlast it.
  const restart = await aws(["start-instances", "--instance-ids", i1.InstanceId]);
  expect(restart.stderr).toContain("IncorrectInstanceState");
  expect(
    (await aws(["wait", "instance-terminated", "--instance-ids", i1.InstanceId, i2], { timeoutMs: 90_000 })).code,
  ).toBe(0);
  return {
    keyName: key.KeyName,
    instance1: i1.InstanceId,
    instance2: i2,
    imageId: created.ImageId,
    copyImageId: copy.ImageId,
  };
}
