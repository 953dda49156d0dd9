/**
 * The AWS SDK for JavaScript v3 (@aws-sdk/client-ec2, pinned) against a real `ec2sim serve`
 * process on the embedded journal store: the story suite of `sdk-story.ts` (test/replicas runs the
 * same suite on PostgreSQL, through one server and through two replicas), and --accept-any-signature.
 */
import { DescribeInstancesCommand, DescribeRegionsCommand, RunInstancesCommand } from "@aws-sdk/client-ec2";
import { accountsOf, newestAl2023, type ServerProcess, sdkClient, startServer, tempDir } from "@ec2sim/test-harness";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ec2Error, oneServerTarget, sdkStorySuite } from "./sdk-story.ts";

sdkStorySuite("AWS SDK v3 against ec2sim serve (journal store)", async () => {
  const data = tempDir("sdk");
  return oneServerTarget(() => startServer({ dataDir: data.dir, speed: 200 }), data.remove);
});

describe("--accept-any-signature", () => {
  let server: ServerProcess;
  beforeAll(async () => {
    server = await startServer({ extraArgs: ["--accept-any-signature"] });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it("warns loudly and lets dummy keys in as account 111122223333", async () => {
    expect(server.output()).toMatch(/WARNING: --accept-any-signature is ON/);
    const dummy = sdkClient(server.url, { accessKeyId: "test", secretAccessKey: "test" });
    const regions = await dummy.send(new DescribeRegionsCommand({}));
    expect(regions.Regions!.map((r) => r.RegionName)).toContain("us-east-1");
    const img = await newestAl2023(dummy);
    const run = await dummy.send(
      new RunInstancesCommand({ ImageId: img.ImageId, InstanceType: "t3.micro", MinCount: 1, MaxCount: 1 }),
    );
    expect(run.OwnerId).toBe("111122223333");
    // A known key still selects its own account, even with a wrong secret.
    const [, B] = await accountsOf(server.url);
    const asB = sdkClient(server.url, { accessKeyId: B.accessKeyId, secretAccessKey: "whatever" });
    expect((await asB.send(new DescribeInstancesCommand({}))).Reservations).toEqual([]);
  });

  it("is off by default: a server without the flag does not print the warning", async () => {
    const plain = await startServer({ extraArgs: [] });
    try {
      expect(plain.output()).not.toMatch(/accept-any-signature is ON/);
      const dummy = sdkClient(plain.url, { accessKeyId: "test", secretAccessKey: "test" });
      expect((await ec2Error(dummy.send(new DescribeRegionsCommand({})))).name).toBe("AuthFailure");
    } finally {
      await plain.stop();
    }
  });
});
