/**
 * kill -9: clients write in a loop through the AWS SDK (RunInstances and CreateTags, each write a
 * unique change), the server process is SIGKILLed at a random moment, restarted on the same data
 * directory, and every change a client saw acknowledged must be there. Eight rounds; the check is
 * cumulative, so a later recovery that loses an earlier round's data fails too.
 */
import {
  CreateTagsCommand,
  DescribeImagesCommand,
  DescribeInstancesCommand,
  type EC2Client,
  RunInstancesCommand,
} from "@aws-sdk/client-ec2";
import {
  accountsOf,
  mulberry32,
  type ServerProcess,
  sdkClient,
  sleep,
  startServer,
  tempDir,
} from "@ec2sim/test-harness";
import { afterAll, describe, expect, it } from "vitest";

const ROUNDS = 8;
const WORKERS = 4;
const TAGS_PER_INSTANCE = 40;

describe("kill -9 durability", () => {
  const data = tempDir("kill9");
  let server: ServerProcess | undefined;
  afterAll(async () => {
    await server?.kill9().catch(() => undefined);
    data.remove();
  });

  it("keeps every acknowledged change across 8 SIGKILLs at random moments", { timeout: 180_000 }, async () => {
    const seed = Number(process.env.KILL9_SEED ?? Date.now() % 1_000_000);
    const random = mulberry32(seed);
    console.log(`kill9: seed ${seed} (set KILL9_SEED to repeat)`);
    /** instance id -> tag keys acknowledged on it */
    const acked = new Map<string, Set<string>>();
    let ackedWrites = 0;
    let failedWrites = 0;
    let image = "";

    for (let round = 1; round <= ROUNDS; round++) {
      server = await startServer({ dataDir: data.dir, speed: 200 });
      const [A] = await accountsOf(server.url);
      const client = sdkClient(server.url, A);

      // Everything acknowledged so far (in earlier rounds) survived the kill(s).
      await verify(client, acked, `after restart ${round - 1}`);

      if (!image) {
        const imgs = await client.send(
          new DescribeImagesCommand({
            Owners: ["amazon"],
            Filters: [{ Name: "name", Values: ["al2023-ami-2023*-x86_64"] }],
          }),
        );
        image = imgs.Images![0]!.ImageId!;
      }
      let stop = false;
      const worker = async (w: number) => {
        let current: string | undefined;
        let tags = 0;
        for (let n = 0; !stop; n++) {
          try {
            if (!current || tags >= TAGS_PER_INSTANCE) {
              const r = await client.send(
                new RunInstancesCommand({
                  ImageId: image,
                  InstanceType: "t3.nano",
                  MinCount: 1,
                  MaxCount: 1,
                  TagSpecifications: [{ ResourceType: "instance", Tags: [{ Key: "kill9", Value: `r${round}w${w}` }] }],
                }),
              );
              current = r.Instances![0]!.InstanceId!;
              tags = 1;
              acked.set(current, new Set(["kill9"]));
            } else {
              const key = `r${round}-w${w}-n${n}`;
              await client.send(
                new CreateTagsCommand({ Resources: [current], Tags: [{ Key: key, Value: String(n) }] }),
              );
              acked.get(current)!.add(key);
              tags++;
            }
            ackedWrites++;
          } catch {
            failedWrites++;
            return; // the server is gone: this write was not acknowledged
          }
        }
      };
      const workers = Array.from({ length: WORKERS }, (_, w) => worker(w));
      await sleep(300 + Math.floor(random() * 1200));
      await server.kill9();
      stop = true;
      await Promise.all(workers);
      server = undefined;
    }

    server = await startServer({ dataDir: data.dir, speed: 200 });
    const [A] = await accountsOf(server.url);
    const client = sdkClient(server.url, A);
    const total = await verify(client, acked, "after the last restart");
    console.log(
      `kill9: ${ROUNDS} kills, ${ackedWrites} acknowledged writes all present (${total} tags on ${acked.size} instances), ${failedWrites} writes cut off unacknowledged`,
    );
    expect(ackedWrites).toBeGreaterThan(ROUNDS * 10);
    expect(failedWrites).toBeGreaterThan(0);
    await server.stop();
    server = undefined;
  });
});

async function verify(client: EC2Client, acked: Map<string, Set<string>>, when: string): Promise<number> {
  const found = new Map<string, Set<string>>();
  const r = await client.send(new DescribeInstancesCommand({}));
  for (const res of r.Reservations ?? [])
    for (const i of res.Instances ?? []) found.set(i.InstanceId!, new Set((i.Tags ?? []).map((t) => t.Key!)));
  let total = 0;
  const missing: string[] = [];
  for (const [id, keys] of acked) {
    const have = found.get(id);
    if (!have) {
      missing.push(`instance ${id}`);
      continue;
    }
    for (const k of keys) {
      total++;
      if (!have.has(k)) missing.push(`${id} tag ${k}`);
    }
  }
  expect(missing, `acknowledged changes lost ${when}`).toEqual([]);
  return total;
}
