/**
 * Issue #8 with the REPL itself: the real `ec2sim --connect ws://…` in tmux (test/repl's terminal
 * driver), joined to replica 2 of two `ec2sim serve` replicas on one PostgreSQL database, shows an
 * instance launched through replica 1 (EC2 endpoint, AWS SDK) live — nothing typed — and its move to
 * running when the clock is advanced through replica 1's admin API. The replicas run at speed 1, so
 * the boot completes only because of that advance. Fails, never skips, without PostgreSQL or tmux.
 */
import { RunInstancesCommand } from "@aws-sdk/client-ec2";
import { type Account, accountsOf, adminOk, newestAl2023, type ServerProcess, sdkClient } from "@ec2sim/test-harness";
import { type PgCluster, startCluster } from "@ec2sim/test-pg";
import { hasTmux, startTerminal, type Terminal } from "@ec2sim/test-repl/tmux";
import { afterAll, beforeAll, describe, it } from "vitest";
import { freshDatabase, startReplica } from "./harness.ts";

describe("a REPL on replica 2 sees replica 1's launches live", () => {
  let cluster: PgCluster;
  let r1: ServerProcess;
  let r2: ServerProcess;
  let A: Account;
  let t: Terminal;
  beforeAll(async () => {
    if (!(await hasTmux())) throw new Error("tmux is required: apt-get install -y tmux");
    cluster = await startCluster();
    const db = await freshDatabase(cluster, "repl");
    r1 = await startReplica(db, { speed: 1 });
    r2 = await startReplica(db, { speed: 1 });
    [A] = await accountsOf(r1.url);
  }, 180_000);
  afterAll(async () => {
    await t?.close();
    await Promise.all([r1?.stop(), r2?.stop()]);
    await cluster?.destroy();
  });

  it("the instance and its Name appear on the REPL's screen without typing, then go to running when the clock moves", async () => {
    const ws = r2.url.replace(/^http/, "ws");
    t = await startTerminal(
      ["--connect", ws, "--access-key-id", A.accessKeyId, "--secret-access-key", A.secretAccessKey],
      { columns: 100, rows: 30 },
    );
    await t.waitFor(
      new RegExp(`connected to ${ws.replace(/[.:/]/g, "\\$&")}`),
      "the REPL connected to replica 2",
      30_000,
    );
    await t.waitFor(/No instances yet/, "the empty home screen");

    const ec2 = sdkClient(r1.url, A);
    const out = await ec2.send(
      new RunInstancesCommand({
        ImageId: (await newestAl2023(ec2)).ImageId!,
        InstanceType: "t3.nano",
        MinCount: 1,
        MaxCount: 1,
        TagSpecifications: [{ ResourceType: "instance", Tags: [{ Key: "Name", Value: "from-r1" }] }],
      }),
    );
    const id = out.Instances![0]!.InstanceId!;
    const launchedAt = Date.now();
    await t.waitFor(
      new RegExp(`${id} from-r1\\s+◐ pending\\s+t3\\.nano`),
      "replica 1's instance on the REPL's screen",
      10_000,
    );
    await t.waitFor(new RegExp(`booting ${id} from-r1`), "its boot progress");
    console.log(`launch through replica 1 on the REPL's screen (replica 2) within ${Date.now() - launchedAt} ms`);

    await adminOk(r1.url, "POST", "/sandboxes/default/clock", { advance: "1m" });
    const advancedAt = Date.now();
    await t.waitFor(new RegExp(`${id} from-r1\\s+● running`), "it running after the clock advance", 10_000);
    console.log(`running on the REPL's screen within ${Date.now() - advancedAt} ms of the advance`);
    ec2.destroy();

    await t.key("C-d");
    await t.waitFor(/\[ec2sim exited 0\]/, "a clean exit");
  }, 60_000);
});
