/**
 * Issue #8 with the real AWS CLI v2: two `ec2sim serve --store postgres://…` replicas on one
 * database of a throwaway PostgreSQL cluster, and the seeds' AWS CLI story
 * (test/endpoint/src/aws-cli-story.ts, also run against one journal-backed server by
 * test/endpoint/src/aws-cli.test.ts) with every `aws ec2 …` invocation — waiters included — sent
 * to the other replica than the last. The same field-by-field assertions hold, and afterwards, with
 * the sandbox clock paused, DescribeInstances and DescribeImages answer identically through either.
 * Fails (never skips) without the AWS CLI v2 or the PostgreSQL server binaries.
 */

import { awsCliRunner, type CliAccount, runAwsCliStory } from "@ec2sim/test-endpoint/src/aws-cli-story.ts";
import { findAwsCliV2 } from "@ec2sim/test-endpoint/src/harness.ts";
import { accountsOf, adminHeaders } from "@ec2sim/test-harness";
import { type PgCluster, startCluster } from "@ec2sim/test-pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freshDatabase, startReplica } from "./harness.ts";

type Replica = Awaited<ReturnType<typeof startReplica>>;

describe("AWS CLI v2 through two ec2sim replicas on one PostgreSQL database, alternately", () => {
  let cluster: PgCluster | undefined;
  let replicas: Replica[] = [];
  let awsPath = "";
  let A: CliAccount;
  let B: CliAccount;

  beforeAll(async () => {
    const found = await findAwsCliV2();
    if ("error" in found) throw new Error(found.error);
    awsPath = found.path;
    cluster = await startCluster();
    const db = await freshDatabase(cluster, "awscli");
    // One at a time: the first creates the default sandbox in the database, the second loads it.
    replicas.push(await startReplica(db, { speed: 200 }));
    replicas.push(await startReplica(db, { speed: 200 }));
    [A, B] = await accountsOf(replicas[1]!.url);
    const [A1, B1] = await accountsOf(replicas[0]!.url);
    expect([A1, B1]).toEqual([A, B]);
  });
  afterAll(async () => {
    await Promise.all(replicas.map((r) => r.stop()));
    replicas = [];
    await cluster?.destroy();
  });

  it("runs the seeds' story with --endpoint-url alternating between replica 1 and replica 2", {
    // About 70 AWS CLI invocations, each a Python start: generous, as in test/endpoint's aws-cli.test.ts.
    timeout: 480_000,
  }, async () => {
    const urls = replicas.map((r) => r.url);
    let next = 0;
    const alternate = awsCliRunner(
      awsPath,
      () => urls[next++ % urls.length]!,
      () => A,
    );
    const story = await runAwsCliStory(alternate, A, B);

    // The copy in eu-west-1 settles (through whichever replica is next), so the final listing is at rest.
    const waitCopy = await alternate.aws(
      ["wait", "image-available", "--region", "eu-west-1", "--image-ids", story.copyImageId],
      { timeoutMs: 90_000 },
    );
    expect(waitCopy.code, waitCopy.stderr).toBe(0);

    // Every step went to the other replica than the one before, and both served half the story.
    const calls = alternate.calls;
    const slow = calls
      .filter((c) => c.ms > 5_000)
      .map((c) => `${c.args.slice(0, 2).join(" ")} ${(c.ms / 1000).toFixed(1)} s`);
    console.log(
      `${calls.length} aws invocations, ${(calls.reduce((t, c) => t + c.ms, 0) / 1000).toFixed(1)} s in all; over 5 s: ${slow.join(", ") || "none"}`,
    );
    expect(calls.length).toBeGreaterThanOrEqual(30);
    calls.forEach((c, i) => {
      expect(c.endpoint, `call ${i}: aws ec2 ${c.args.join(" ")}`).toBe(urls[i % 2]);
    });
    for (const url of urls)
      expect(calls.filter((c) => c.endpoint === url).length).toBeGreaterThanOrEqual(Math.floor(calls.length / 2));

    // Freeze the sandbox's clock (a journaled event, through replica 2) so both replicas are asked about one instant.
    const paused = await fetch(`${urls[1]}/_ec2sim/sandboxes/default/clock`, {
      method: "POST",
      headers: adminHeaders(urls[1]!, "POST"),
      body: JSON.stringify({ paused: true }),
    });
    expect(paused.status, await paused.clone().text()).toBe(200);
    expect(((await paused.json()) as { paused: boolean }).paused).toBe(true);

    const through = urls.map((url) =>
      awsCliRunner(
        awsPath,
        () => url,
        () => A,
      ),
    );
    const both = async (args: string[], opts: { as?: CliAccount; region?: string } = {}) => {
      const [one, two] = await Promise.all(through.map((cli) => cli.ok(args, opts)));
      expect(two, `aws ec2 ${args.join(" ")} through replica 2 vs replica 1`).toEqual(one);
      return one;
    };

    const instances = await both(["describe-instances"]);
    const listed = instances.Reservations.flatMap((r: any) => r.Instances);
    expect(listed.map((i: any) => i.InstanceId).sort()).toEqual([story.instance1, story.instance2].sort());
    for (const i of listed) expect(i.State).toEqual({ Code: 48, Name: "terminated" });
    const byId = await both(["describe-instances", "--instance-ids", story.instance1, story.instance2]);
    expect(byId).toEqual(instances);
    expect((await both(["describe-instances", "--region", "eu-west-1"])).Reservations).toEqual([]);

    expect((await both(["describe-images", "--owners", "self"])).Images).toEqual([]);
    const eu = await both(["describe-images", "--owners", "self", "--region", "eu-west-1"]);
    expect(eu.Images).toHaveLength(1);
    expect(eu.Images[0]).toMatchObject({
      ImageId: story.copyImageId,
      Name: "MyCustomAMI-eu",
      OwnerId: A.accountId,
      State: "available",
      Public: false,
    });
    const catalog = await both([
      "describe-images",
      "--owners",
      "amazon",
      "--filters",
      "Name=name,Values=al2023-ami-2023*-x86_64",
    ]);
    expect(catalog.Images.length).toBeGreaterThan(1);
    const asB = await both(["describe-images", "--executable-users", "self"], { as: B });
    expect(asB.Images.map((i: any) => i.ImageId)).not.toContain(story.imageId);
    const keys = await both(["describe-key-pairs"]);
    expect(keys.KeyPairs.map((k: any) => k.KeyName)).toEqual([story.keyName]);

    // A deregistered image is gone through either replica.
    for (const cli of through)
      expect((await cli.aws(["describe-images", "--image-ids", story.imageId])).stderr).toContain(
        "InvalidAMIID.NotFound",
      );
  });
});
