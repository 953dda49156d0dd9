/**
 * The JSON admin API and named sandboxes: create a sandbox with a seed, reach it at
 * /sandbox/<name>/ with the SDK, move its clock by hand, read its cost report, run a core action
 * the EC2 API lacks (GuestRun), and see that seeds make IDs and credentials deterministic.
 */
import { DescribeImagesCommand, DescribeInstancesCommand, RunInstancesCommand } from "@aws-sdk/client-ec2";
import { admin, adminHeaders, type ServerProcess, sdkClient, startServer, tempDir } from "@ec2sim/test-harness";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

describe("admin API and named sandboxes", () => {
  let server: ServerProcess;
  let data: ReturnType<typeof tempDir>;
  beforeAll(async () => {
    data = tempDir("admin");
    server = await startServer({
      dataDir: data.dir,
      speed: 1,
      extraArgs: ["--sandbox", "default", "--sandbox", "team:seed-42"],
    });
  });
  afterAll(async () => {
    await server?.stop();
    data?.remove();
  });

  it("lists the sandboxes given on the command line with their accounts, organization and clock", async () => {
    const { status, json } = await admin(server.url, "GET", "/sandboxes");
    expect(status).toBe(200);
    expect(json.map((s: any) => [s.name, s.seed])).toEqual([
      ["default", "default"],
      ["team", "seed-42"],
    ]);
    const team = json[1];
    expect(team.accounts.map((a: any) => a.accountId)).toEqual(["111122223333", "444455556666"]);
    expect(team.accounts[0].organizationArn).toBe(team.accounts[1].organizationArn);
    expect(team.accounts[0].ouArn).not.toBe(team.accounts[1].ouArn);
    expect(team.accounts[0].accessKeyId).toMatch(/^AKIA[A-Z2-7]{16}$/);
    expect(team.clock).toMatchObject({ speed: 1, paused: false });
    expect(server.output()).toContain(`${server.url}/sandbox/team/`);
  });

  it("creates a seeded sandbox; the same seed gives the same credentials and IDs", async () => {
    const one = await admin(server.url, "POST", "/sandboxes", { name: "s1", seed: "same-seed", paused: true });
    const two = await admin(server.url, "POST", "/sandboxes", { name: "s2", seed: "same-seed", paused: true });
    expect(one.status).toBe(201);
    expect(one.json.accounts).toEqual(two.json.accounts);
    expect(one.json.clock).toMatchObject({ paused: true });
    const dup = await admin(server.url, "POST", "/sandboxes", { name: "s1" });
    expect(dup.status).toBe(400);
    expect(dup.json.error.code).toBe("InvalidParameterValue");
    const ids: string[] = [];
    for (const name of ["s1", "s2"]) {
      const acct = one.json.accounts[0];
      const c = sdkClient(`${server.url}/sandbox/${name}`, acct);
      const img = (
        await c.send(
          new DescribeImagesCommand({
            Owners: ["amazon"],
            Filters: [{ Name: "name", Values: ["al2023-ami-2023*-x86_64"] }],
          }),
        )
      ).Images!.sort((x, y) => y.CreationDate!.localeCompare(x.CreationDate!))[0]!;
      const run = await c.send(
        new RunInstancesCommand({ ImageId: img.ImageId, InstanceType: "t3.micro", MinCount: 1, MaxCount: 1 }),
      );
      ids.push(run.Instances![0]!.InstanceId!);
    }
    expect(ids[0]).toBe(ids[1]);
    // Sandboxes are separate: the default sandbox has no such instance.
    const [a] = (await admin(server.url, "GET", "/sandboxes/default")).json.accounts;
    const d = await sdkClient(server.url, a).send(new DescribeInstancesCommand({}));
    expect(d.Reservations!.flatMap((r) => r.Instances!).map((i) => i.InstanceId)).not.toContain(ids[0]);
  });

  it("moves the clock by hand, bills by it, and runs core-only actions", async () => {
    await admin(server.url, "POST", "/sandboxes", { name: "clocked", seed: "c", paused: true });
    const acct = (await admin(server.url, "GET", "/sandboxes/clocked")).json.accounts[0];
    const c = sdkClient(`${server.url}/sandbox/clocked/`, acct);
    const img = (
      await c.send(
        new DescribeImagesCommand({
          Owners: ["amazon"],
          Filters: [{ Name: "name", Values: ["al2023-ami-2023*-x86_64"] }],
        }),
      )
    ).Images![0]!;
    const id = (
      await c.send(
        new RunInstancesCommand({ ImageId: img.ImageId, InstanceType: "t3.micro", MinCount: 1, MaxCount: 1 }),
      )
    ).Instances![0]!.InstanceId!;
    const before = (await admin(server.url, "GET", "/sandboxes/clocked/clock")).json;
    const adv = await admin(server.url, "POST", "/sandboxes/clocked/clock", { advance: "1h" });
    expect(adv.status).toBe(200);
    expect(adv.json.nowMs - before.nowMs).toBe(3_600_000);
    const state = (await c.send(new DescribeInstancesCommand({ InstanceIds: [id] }))).Reservations![0]!.Instances![0]!
      .State!.Name;
    expect(state).toBe("running");
    const cost = await admin(server.url, "GET", `/sandboxes/clocked/cost?accountId=${acct.accountId}`);
    expect(cost.status).toBe(200);
    expect(cost.json.byKind.instance).toBeGreaterThan(0);
    expect(cost.json.total).toBeGreaterThan(0);
    const run = await admin(server.url, "POST", "/sandboxes/clocked/call", {
      action: "GuestRun",
      input: { InstanceId: id, Command: "hostname" },
    });
    expect(run.status).toBe(200);
    expect(run.json.output.ExitCode).toBe(0);
    expect(run.json.output.Output).toMatch(/^ip-/);
    const speed = await admin(server.url, "POST", "/sandboxes/clocked/clock", { speed: 60, paused: false });
    expect(speed.json).toMatchObject({ speed: 60, paused: false });
  });

  it("answers bad admin requests with JSON errors, never 500", async () => {
    const cases: [string, string, unknown, number, string][] = [
      ["POST", "/sandboxes", undefined, 400, "MissingParameter"],
      ["POST", "/sandboxes", { name: "../etc" }, 400, "InvalidParameterValue"],
      ["POST", "/sandboxes", { name: "x", speed: "fast" }, 400, "InvalidParameterValue"],
      ["POST", "/sandboxes", { name: "y", speed: -1 }, 400, "InvalidParameterValue"],
      ["GET", "/sandboxes/nope", undefined, 404, "InvalidSandbox.NotFound"],
      ["POST", "/sandboxes/default/clock", { advance: "soon" }, 400, "InvalidParameterValue"],
      ["POST", "/sandboxes/default/clock", { speed: 1e9 }, 400, "InvalidParameterValue"],
      ["POST", "/sandboxes/default/call", { action: "NoSuchAction" }, 400, "InvalidAction"],
      ["POST", "/sandboxes/default/call", { action: "RunInstances", input: [] }, 400, "InvalidParameterValue"],
      ["POST", "/sandboxes/default/call", { action: "DescribeRegions", accountId: "999999999999" }, 401, "AuthFailure"],
      ["POST", "/sandboxes/default/accounts", { accountId: "12" }, 400, "InvalidParameterValue"],
      ["DELETE", "/sandboxes/nope", undefined, 404, "InvalidSandbox.NotFound"],
      ["GET", "/nothing-here", undefined, 404, "InvalidAction"],
      ["PATCH", "/sandboxes", undefined, 405, "InvalidHttpRequest"],
    ];
    for (const [method, path, body, status, code] of cases) {
      const r = await admin(server.url, method, path, body);
      expect([method, path, r.status, r.json?.error?.code]).toEqual([method, path, status, code]);
    }
    const broken = await fetch(`${server.url}/_ec2sim/sandboxes`, {
      method: "POST",
      headers: adminHeaders(server.url, "POST"),
      body: "{not json",
    });
    expect(broken.status).toBe(400);
    expect(((await broken.json()) as { error: { code: string } }).error.code).toBe("MalformedJson");
    const added = await admin(server.url, "POST", "/sandboxes/default/accounts", {
      accountId: "777788889999",
      alias: "third",
    });
    expect(added.status).toBe(201);
    expect(added.json.accountId).toBe("777788889999");
    expect((await admin(server.url, "DELETE", "/sandboxes/s2")).status).toBe(204);
    expect((await admin(server.url, "GET", "/sandboxes/s2")).status).toBe(404);
  });
});
