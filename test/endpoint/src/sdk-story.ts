/**
 * The AWS SDK story suite, one suite for every store: the seeds' story with paginators, waiters
 * and typed errors; account isolation (R7); ClientToken idempotency; signatures; durability across
 * a clean restart. `sdk.test.ts` runs it on the embedded journal store; test/replicas runs it on
 * PostgreSQL, through one server and through two replicas taken alternately.
 */
import {
  CopyImageCommand,
  CreateImageCommand,
  CreateKeyPairCommand,
  CreateTagsCommand,
  DeregisterImageCommand,
  DescribeImageAttributeCommand,
  DescribeImagesCommand,
  DescribeInstancesCommand,
  DescribeRegionsCommand,
  type EC2Client,
  EC2ServiceException,
  ModifyImageAttributeCommand,
  paginateDescribeInstances,
  RunInstancesCommand,
  StartInstancesCommand,
  StopInstancesCommand,
  TerminateInstancesCommand,
  waitUntilImageAvailable,
  waitUntilInstanceRunning,
  waitUntilInstanceStopped,
  waitUntilInstanceTerminated,
} from "@aws-sdk/client-ec2";
import { type Account, accountsOf, admin, newestAl2023, type ServerProcess, sdkClient } from "@ec2sim/test-harness";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  gatewayAndRouteStory,
  launchTemplateStory,
  natGatewayStory,
  vpcAndSubnetStory,
  webServerInOwnVpcStory,
} from "./network-sdk-story.ts";

export { newestAl2023 };

/** Where the suite runs: the server(s) behind one durable store. */
export interface StoryTarget {
  /** A server's URL, for the admin API. */
  readonly url: string;
  /** An EC2 client for an account (spread over the replicas, if there are several). */
  client(account: Pick<Account, "accessKeyId" | "secretAccessKey">, region?: string): EC2Client;
  /** Stops every server (SIGTERM) and starts them again on the same store; each one's exit code and output. */
  restart(): Promise<{ code: number | null; output: string }[]>;
  close(): Promise<void>;
}

const ID = (prefix: string) => new RegExp(`^${prefix}-[0-9a-f]{17}$`);
// At ×200 a transition takes a fraction of a second: polls 0.1–1 s apart (not the SDK's seconds) find it soon after.
const waitOpts = (client: EC2Client) => ({ client, maxWaitTime: 60, minDelay: 0.1, maxDelay: 1 });

/** The EC2 error a call fails with (fails the test if it succeeds or throws something else). */
export async function ec2Error(p: Promise<unknown>): Promise<EC2ServiceException> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(EC2ServiceException);
    return e as EC2ServiceException;
  }
  throw new Error("expected the call to fail");
}

/**
 * The target of one server: `start` starts it (again, on the same store, for `restart`);
 * `cleanup` runs after the last stop.
 */
export async function oneServerTarget(start: () => Promise<ServerProcess>, cleanup?: () => void): Promise<StoryTarget> {
  let server = await start();
  return {
    get url() {
      return server.url;
    },
    client: (account, region) => sdkClient(server.url, account, region),
    async restart() {
      const code = await server.stop();
      const output = server.output();
      server = await start();
      return [{ code, output }];
    },
    async close() {
      await server.stop();
      cleanup?.();
    },
  };
}

export function sdkStorySuite(label: string, open: () => Promise<StoryTarget>): void {
  describe(label, () => {
    let target: StoryTarget;
    let A: Account;
    let B: Account;
    let a: EC2Client;
    let b: EC2Client;

    beforeAll(async () => {
      target = await open();
      [A, B] = await accountsOf(target.url);
      a = target.client(A);
      b = target.client(B);
    });
    afterAll(async () => {
      await target?.close();
    });

    it("tells the seeds' story: key pair, newest AL2023, launch, AMI, relaunch, share, copy, deregister, stop/start/terminate", async () => {
      const key = await a.send(new CreateKeyPairCommand({ KeyName: "story-key" }));
      expect(key.KeyName).toBe("story-key");
      expect(key.KeyPairId).toMatch(ID("key"));
      expect(key.KeyMaterial).toMatch(/^-----BEGIN (RSA )?PRIVATE KEY-----/);
      expect(key.KeyFingerprint).toMatch(/^([0-9a-f]{2}:){19}[0-9a-f]{2}$|^([0-9a-f]{2}:){15}[0-9a-f]{2}$/);

      const images = await a.send(
        new DescribeImagesCommand({
          Owners: ["amazon"],
          Filters: [{ Name: "name", Values: ["al2023-ami-2023*-x86_64"] }],
        }),
      );
      expect(images.Images!.length).toBeGreaterThan(1);
      for (const img of images.Images!) {
        expect(img.Name).toMatch(/^al2023-ami-2023.*-x86_64$/);
        expect(img.ImageOwnerAlias).toBe("amazon");
        expect(img.Architecture).toBe("x86_64");
        expect(img.State).toBe("available");
        expect(img.Public).toBe(true);
      }
      const newest = [...images.Images!].sort((x, y) => y.CreationDate!.localeCompare(x.CreationDate!))[0]!;
      expect(newest.ImageId).toMatch(ID("ami"));
      expect(newest.RootDeviceType).toBe("ebs");

      const run1 = await a.send(
        new RunInstancesCommand({
          ImageId: newest.ImageId,
          InstanceType: "t3.micro",
          MinCount: 1,
          MaxCount: 1,
          KeyName: "story-key",
          TagSpecifications: [{ ResourceType: "instance", Tags: [{ Key: "Name", Value: "web-1" }] }],
        }),
      );
      const i1 = run1.Instances![0]!;
      expect(run1.ReservationId).toMatch(ID("r"));
      expect(run1.OwnerId).toBe(A.accountId);
      expect(i1.InstanceId).toMatch(ID("i"));
      expect(i1.State).toEqual({ Code: 0, Name: "pending" });
      expect(i1.ImageId).toBe(newest.ImageId);
      expect(i1.InstanceType).toBe("t3.micro");
      expect(i1.KeyName).toBe("story-key");
      expect(i1.LaunchTime).toBeInstanceOf(Date);
      expect(i1.Placement!.AvailabilityZone).toMatch(/^us-east-1[a-f]$/);
      expect(i1.Tags).toEqual([{ Key: "Name", Value: "web-1" }]);

      const running = await waitUntilInstanceRunning(waitOpts(a), { InstanceIds: [i1.InstanceId!] });
      expect(running.state).toBe("SUCCESS");
      const d1 = await a.send(new DescribeInstancesCommand({ InstanceIds: [i1.InstanceId!] }));
      expect(d1.Reservations![0]!.Instances![0]!.State).toEqual({ Code: 16, Name: "running" });
      expect(d1.Reservations![0]!.Instances![0]!.PublicIpAddress).toMatch(/^\d+\.\d+\.\d+\.\d+$/);

      const created = await a.send(
        new CreateImageCommand({ InstanceId: i1.InstanceId, Name: "MyCustomAMI", Description: "web server" }),
      );
      expect(created.ImageId).toMatch(ID("ami"));
      const mine = await a.send(new DescribeImagesCommand({ Owners: ["self"] }));
      expect(mine.Images!.map((i) => i.ImageId)).toEqual([created.ImageId]);
      const ami = mine.Images![0]!;
      expect(ami.Name).toBe("MyCustomAMI");
      expect(ami.OwnerId).toBe(A.accountId);
      expect(ami.Public).toBe(false);
      expect(["pending", "available"]).toContain(ami.State);
      expect(ami.BlockDeviceMappings![0]!.Ebs!.SnapshotId).toMatch(ID("snap"));

      expect((await waitUntilImageAvailable(waitOpts(a), { ImageIds: [created.ImageId!] })).state).toBe("SUCCESS");

      const run2 = await a.send(
        new RunInstancesCommand({ ImageId: created.ImageId, InstanceType: "t3.small", MinCount: 1, MaxCount: 1 }),
      );
      const i2 = run2.Instances![0]!.InstanceId!;
      expect(run2.Instances![0]!.ImageId).toBe(created.ImageId);
      await waitUntilInstanceRunning(waitOpts(a), { InstanceIds: [i2] });

      // Share with account B (R7): B sees it and may launch it.
      await a.send(
        new ModifyImageAttributeCommand({
          ImageId: created.ImageId,
          LaunchPermission: { Add: [{ UserId: B.accountId }] },
        }),
      );
      const perms = await a.send(
        new DescribeImageAttributeCommand({ ImageId: created.ImageId, Attribute: "launchPermission" }),
      );
      expect(perms.LaunchPermissions).toEqual([{ UserId: B.accountId }]);
      const seenByB = await b.send(new DescribeImagesCommand({ ImageIds: [created.ImageId!] }));
      expect(seenByB.Images!.map((i) => [i.ImageId, i.OwnerId])).toEqual([[created.ImageId, A.accountId]]);

      // Copy to eu-west-1 (R11): a new ID there; the source is unchanged.
      const eu = target.client(A, "eu-west-1");
      const copy = await eu.send(
        new CopyImageCommand({ SourceImageId: created.ImageId, SourceRegion: "us-east-1", Name: "MyCustomAMI-eu" }),
      );
      expect(copy.ImageId).toMatch(ID("ami"));
      expect(copy.ImageId).not.toBe(created.ImageId);
      const inEu = await eu.send(new DescribeImagesCommand({ ImageIds: [copy.ImageId!] }));
      expect(inEu.Images![0]!.Name).toBe("MyCustomAMI-eu");
      expect((await ec2Error(a.send(new DescribeImagesCommand({ ImageIds: [copy.ImageId!] })))).name).toBe(
        "InvalidAMIID.NotFound",
      );
      await waitUntilImageAvailable(waitOpts(eu), { ImageIds: [copy.ImageId!] });

      // Deregister the custom AMI: it cannot launch any more, the instance launched from it keeps running.
      await a.send(new DeregisterImageCommand({ ImageId: created.ImageId }));
      expect((await a.send(new DescribeImagesCommand({ Owners: ["self"] }))).Images).toEqual([]);
      const gone = await ec2Error(
        a.send(
          new RunInstancesCommand({ ImageId: created.ImageId, InstanceType: "t3.micro", MinCount: 1, MaxCount: 1 }),
        ),
      );
      expect(gone.name).toBe("InvalidAMIID.NotFound");
      expect(gone.$metadata.httpStatusCode).toBe(400);
      const still = await a.send(new DescribeInstancesCommand({ InstanceIds: [i2] }));
      expect(still.Reservations![0]!.Instances![0]!.State!.Name).toBe("running");

      // Stop, start, terminate instance #1.
      const stopping = await a.send(new StopInstancesCommand({ InstanceIds: [i1.InstanceId!] }));
      expect(stopping.StoppingInstances![0]).toMatchObject({
        InstanceId: i1.InstanceId,
        PreviousState: { Code: 16, Name: "running" },
        CurrentState: { Code: 64, Name: "stopping" },
      });
      await waitUntilInstanceStopped(waitOpts(a), { InstanceIds: [i1.InstanceId!] });
      const started = await a.send(new StartInstancesCommand({ InstanceIds: [i1.InstanceId!] }));
      expect(started.StartingInstances![0]).toMatchObject({
        PreviousState: { Code: 80, Name: "stopped" },
        CurrentState: { Code: 0, Name: "pending" },
      });
      await waitUntilInstanceRunning(waitOpts(a), { InstanceIds: [i1.InstanceId!] });
      const term = await a.send(new TerminateInstancesCommand({ InstanceIds: [i1.InstanceId!, i2] }));
      expect(term.TerminatingInstances!.map((t) => t.CurrentState!.Name)).toEqual(["shutting-down", "shutting-down"]);
      await waitUntilInstanceTerminated(waitOpts(a), { InstanceIds: [i1.InstanceId!, i2] });
      const restart = await ec2Error(a.send(new StartInstancesCommand({ InstanceIds: [i1.InstanceId!] })));
      expect(restart.name).toBe("IncorrectInstanceState");
    });

    it("paginates DescribeInstances with paginateDescribeInstances and filters server-side", async () => {
      const img = await newestAl2023(a);
      const run = await a.send(
        new RunInstancesCommand({
          ImageId: img.ImageId,
          InstanceType: "t3.nano",
          MinCount: 12,
          MaxCount: 12,
          TagSpecifications: [{ ResourceType: "instance", Tags: [{ Key: "batch", Value: "pages" }] }],
        }),
      );
      expect(run.Instances).toHaveLength(12);
      const ids = new Set<string>();
      let pages = 0;
      for await (const page of paginateDescribeInstances(
        { client: a, pageSize: 5 },
        { Filters: [{ Name: "tag:batch", Values: ["pages"] }] },
      )) {
        pages++;
        for (const r of page.Reservations ?? []) for (const i of r.Instances ?? []) ids.add(i.InstanceId!);
      }
      expect(ids).toEqual(new Set(run.Instances!.map((i) => i.InstanceId!)));
      expect(pages).toBeGreaterThanOrEqual(3);
      const typed = await a.send(
        new DescribeInstancesCommand({
          Filters: [
            { Name: "instance-type", Values: ["t3.nano"] },
            { Name: "tag:batch", Values: ["pages"] },
          ],
        }),
      );
      expect(typed.Reservations!.flatMap((r) => r.Instances!)).toHaveLength(12);
      const bad = await ec2Error(a.send(new DescribeInstancesCommand({ MaxResults: 2 })));
      expect(bad.name).toBe("InvalidParameterValue");
    });

    it("raises typed errors with EC2's codes and request IDs", async () => {
      const notFound = await ec2Error(a.send(new DescribeImagesCommand({ ImageIds: ["ami-0123456789abcdef0"] })));
      expect(notFound.name).toBe("InvalidAMIID.NotFound");
      expect(notFound.message).toContain("ami-0123456789abcdef0");
      expect(notFound.$metadata.httpStatusCode).toBe(400);
      expect(notFound.$metadata.requestId).toMatch(/^[0-9a-f-]{36}$/);
      const malformed = await ec2Error(a.send(new DescribeInstancesCommand({ InstanceIds: ["not-an-id"] })));
      expect(malformed.name).toBe("InvalidInstanceID.Malformed");
      const noInstance = await ec2Error(
        a.send(new TerminateInstancesCommand({ InstanceIds: ["i-0123456789abcdef0"] })),
      );
      expect(noInstance.name).toBe("InvalidInstanceID.NotFound");
      const dry = await ec2Error(
        a.send(
          new RunInstancesCommand({
            DryRun: true,
            ImageId: (await newestAl2023(a)).ImageId,
            InstanceType: "t3.micro",
            MinCount: 1,
            MaxCount: 1,
          }),
        ),
      );
      expect(dry.name).toBe("DryRunOperation");
      expect(dry.$metadata.httpStatusCode).toBe(412);
    });

    it("R7 account isolation: B can neither see nor launch A's private AMI until A grants it", async () => {
      const img = await newestAl2023(a);
      const run = await a.send(
        new RunInstancesCommand({ ImageId: img.ImageId, InstanceType: "t3.micro", MinCount: 1, MaxCount: 1 }),
      );
      const src = run.Instances![0]!.InstanceId!;
      await waitUntilInstanceRunning(waitOpts(a), { InstanceIds: [src] });
      const ami = (await a.send(new CreateImageCommand({ InstanceId: src, Name: "private-of-A", NoReboot: true })))
        .ImageId!;
      await waitUntilImageAvailable(waitOpts(a), { ImageIds: [ami] });

      expect((await ec2Error(b.send(new DescribeImagesCommand({ ImageIds: [ami] })))).name).toBe(
        "InvalidAMIID.NotFound",
      );
      expect((await b.send(new DescribeImagesCommand({ Owners: [A.accountId] }))).Images).toEqual([]);
      expect(
        (
          await b.send(
            new DescribeImagesCommand({
              ExecutableUsers: ["self"],
              Filters: [{ Name: "name", Values: ["private-of-A"] }],
            }),
          )
        ).Images,
      ).toEqual([]);
      expect(
        (
          await ec2Error(
            b.send(new RunInstancesCommand({ ImageId: ami, InstanceType: "t3.micro", MinCount: 1, MaxCount: 1 })),
          )
        ).name,
      ).toBe("InvalidAMIID.NotFound");
      // B cannot touch A's instance either.
      expect((await ec2Error(b.send(new DescribeInstancesCommand({ InstanceIds: [src] })))).name).toBe(
        "InvalidInstanceID.NotFound",
      );
      expect(
        (
          await ec2Error(
            b.send(
              new ModifyImageAttributeCommand({ ImageId: ami, LaunchPermission: { Add: [{ UserId: B.accountId }] } }),
            ),
          )
        ).name,
      ).toBe("InvalidAMIID.NotFound");

      await a.send(
        new ModifyImageAttributeCommand({ ImageId: ami, LaunchPermission: { Add: [{ UserId: B.accountId }] } }),
      );
      const visible = await b.send(
        new DescribeImagesCommand({ ExecutableUsers: ["self"], Filters: [{ Name: "name", Values: ["private-of-A"] }] }),
      );
      expect(visible.Images!.map((i) => i.ImageId)).toEqual([ami]);
      const launched = await b.send(
        new RunInstancesCommand({ ImageId: ami, InstanceType: "t3.micro", MinCount: 1, MaxCount: 1 }),
      );
      expect(launched.OwnerId).toBe(B.accountId);
      const bInstance = launched.Instances![0]!.InstanceId!;
      expect((await ec2Error(a.send(new DescribeInstancesCommand({ InstanceIds: [bInstance] })))).name).toBe(
        "InvalidInstanceID.NotFound",
      );

      // Revoking takes it away again.
      await a.send(
        new ModifyImageAttributeCommand({ ImageId: ami, LaunchPermission: { Remove: [{ UserId: B.accountId }] } }),
      );
      expect(
        (
          await ec2Error(
            b.send(new RunInstancesCommand({ ImageId: ami, InstanceType: "t3.micro", MinCount: 1, MaxCount: 1 })),
          )
        ).name,
      ).toBe("InvalidAMIID.NotFound");
      // Sharing with B's OU (R7): the standard accounts sit in OUs of one organization.
      const info = (await admin(target.url, "GET", "/sandboxes/default")).json as {
        accounts: { accountId: string; ouArn?: string }[];
      };
      const bOu = info.accounts.find((x) => x.accountId === B.accountId)!.ouArn!;
      await a.send(
        new ModifyImageAttributeCommand({ ImageId: ami, LaunchPermission: { Add: [{ OrganizationalUnitArn: bOu }] } }),
      );
      expect((await b.send(new DescribeImagesCommand({ ImageIds: [ami] }))).Images).toHaveLength(1);
      const perms = await a.send(new DescribeImageAttributeCommand({ ImageId: ami, Attribute: "launchPermission" }));
      expect(perms.LaunchPermissions).toEqual([{ OrganizationalUnitArn: bOu }]);
    });

    it("R27 R28 R31 VPCs and subnets of one's own: CIDRs, addresses, a full subnet, the default VPC, deletion order", async () => {
      await vpcAndSubnetStory(a, b);
    });

    it("R29 R31 internet gateways and route tables: attach, routes, associations, the main table, deletion order", async () => {
      await gatewayAndRouteStory(a);
    });

    it("R27–R31 a web server in its own VPC: VPC, subnet, gateway, route table, group, instance with a public IP, reachable; deletion order", async () => {
      await webServerInOwnVpcStory(a, target.url, A.accountId);
    });

    it("R29 a NAT gateway: available on the clock (SDK waiters), outbound only for a private instance, billed, deleted", async () => {
      await natGatewayStory(a, target.url, A.accountId);
    });

    it("R32 launch templates: versions, the default, RunInstances from $Default, $Latest and numbers", async () => {
      await launchTemplateStory(a);
    });

    it("honours ClientToken idempotency on RunInstances", async () => {
      const img = await newestAl2023(a);
      const input = {
        ImageId: img.ImageId,
        InstanceType: "t3.micro",
        MinCount: 2,
        MaxCount: 2,
        ClientToken: "idem-token-1",
      } as const;
      const first = await a.send(new RunInstancesCommand(input));
      const second = await a.send(new RunInstancesCommand(input));
      expect(second.ReservationId).toBe(first.ReservationId);
      expect(second.Instances!.map((i) => i.InstanceId)).toEqual(first.Instances!.map((i) => i.InstanceId));
      expect(second.Instances![0]!.LaunchTime).toEqual(first.Instances![0]!.LaunchTime);
      const all = await a.send(
        new DescribeInstancesCommand({ Filters: [{ Name: "client-token", Values: ["idem-token-1"] }] }),
      );
      const n = all.Reservations!.flatMap((r) => r.Instances!).length;
      expect(n === 2 || n === 0).toBe(true); // the filter may be unsupported (0), never duplicated
      const byReservation = await a.send(
        new DescribeInstancesCommand({ Filters: [{ Name: "reservation-id", Values: [first.ReservationId!] }] }),
      );
      expect(byReservation.Reservations!.flatMap((r) => r.Instances!)).toHaveLength(2);
      const mismatch = await ec2Error(a.send(new RunInstancesCommand({ ...input, InstanceType: "t3.small" })));
      expect(mismatch.name).toBe("IdempotentParameterMismatch");
    });

    it("rejects a wrong signature or an unknown key with AuthFailure", async () => {
      // one character changed, to one it certainly is not (secrets are random per install: a secret
      // ending in "xx" made the old `…xx` the right one)
      const last = A.secretAccessKey.slice(-1);
      const wrong = target.client({
        accessKeyId: A.accessKeyId,
        secretAccessKey: `${A.secretAccessKey.slice(0, -1)}${last === "x" ? "y" : "x"}`,
      });
      const e1 = await ec2Error(wrong.send(new DescribeRegionsCommand({})));
      expect(e1.name).toBe("AuthFailure");
      expect(e1.$metadata.httpStatusCode).toBe(401);
      const unknown = target.client({
        accessKeyId: "AKIAIOSFODNN7EXAMPLE",
        secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
      });
      expect((await ec2Error(unknown.send(new DescribeRegionsCommand({})))).name).toBe("AuthFailure");
    });

    it("keeps every acknowledged change across a clean restart (SIGTERM, same store)", async () => {
      const img = await newestAl2023(a);
      const run = await a.send(
        new RunInstancesCommand({ ImageId: img.ImageId, InstanceType: "t3.micro", MinCount: 1, MaxCount: 1 }),
      );
      const id = run.Instances![0]!.InstanceId!;
      await a.send(new CreateTagsCommand({ Resources: [id], Tags: [{ Key: "survives", Value: "restart" }] }));
      const before = await a.send(new DescribeInstancesCommand({}));
      for (const stopped of await target.restart()) {
        expect(stopped.code).toBe(0);
        expect(stopped.output).toContain("closed");
      }
      a = target.client(A);
      b = target.client(B);
      const after = await a.send(new DescribeInstancesCommand({}));
      // Terminated instances leave DescribeInstances about an hour (simulated) after they end, which a
      // restart on a busy machine can span at this speed: every other instance must still be there.
      const ids = (r: typeof before) =>
        r
          .Reservations!.flatMap((x) => x.Instances!)
          .filter((i) => i.State?.Name !== "terminated" && i.State?.Name !== "shutting-down")
          .map((i) => i.InstanceId)
          .sort();
      expect(ids(before)).toContain(id);
      expect(ids(after)).toEqual(ids(before));
      const tagged = await a.send(
        new DescribeInstancesCommand({ Filters: [{ Name: "tag:survives", Values: ["restart"] }] }),
      );
      expect(tagged.Reservations!.flatMap((r) => r.Instances!).map((i) => i.InstanceId)).toEqual([id]);
    });
  });
}
