/**
 * The AWS CLI v2's paginated lists in their plain form, against a real `ec2sim serve`. The CLI
 * follows NextToken itself, and for describe-volumes and describe-snapshots (alone or with
 * --owner-ids) it sends MaxResults=1000 unasked (awscli/customizations/ec2/paginate.py): EC2 caps
 * that at its page size, so the sandbox must too. Every other paginated Describe the sandbox
 * answers is run with no arguments; the list comes from the model (the SDK's paginators) and from
 * core's action table, so a new one is covered without touching this file.
 */
import * as ec2Model from "@aws-sdk/client-ec2";
import { CreateSnapshotCommand, CreateVolumeCommand } from "@aws-sdk/client-ec2";
import { ACTIONS } from "@ec2sim/core";
import { type Account, accountsOf, type ServerProcess, sdkClient, startServer } from "@ec2sim/test-harness";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { awsCliRunner } from "./aws-cli-story.ts";
import { findAwsCliV2 } from "./harness.ts";

const model = ec2Model as unknown as Record<string, unknown>;
const deref = (x: unknown): unknown => (typeof x === "function" ? (x as () => unknown)() : x);

/** Operations the model paginates (the SDK exports `paginateX` for them). */
const paginated = Object.keys(model)
  .filter((k) => k.startsWith("paginate"))
  .map((k) => k.slice("paginate".length))
  .sort();

/** How many members the operation's input requires (struct schema: [3, ns, name, traits, names, schemas, required?]). */
function requiredMembers(action: string): number {
  const op = model[`${action}$`] as unknown[];
  const input = deref(op[4]) as unknown[];
  return typeof input[6] === "number" ? input[6] : 0;
}

const kebab = (action: string) => action.replace(/[A-Z]/g, (c, i: number) => (i ? "-" : "") + c.toLowerCase());

describe("AWS CLI v2 paginated lists with their defaults", () => {
  let server: ServerProcess;
  let A: Account;
  let cli: ReturnType<typeof awsCliRunner>;
  const volumeIds: string[] = [];
  const snapshotIds: string[] = [];

  beforeAll(async () => {
    const found = await findAwsCliV2();
    if ("error" in found) throw new Error(found.error);
    server = await startServer({ speed: 200 });
    [A] = await accountsOf(server.url);
    cli = awsCliRunner(
      found.path,
      () => server.url,
      () => A,
    );
    const ec2 = sdkClient(server.url, A);
    for (let i = 0; i < 7; i++) {
      const v = await ec2.send(new CreateVolumeCommand({ AvailabilityZone: "us-east-1a", Size: 1 }));
      volumeIds.push(v.VolumeId!);
    }
    for (const VolumeId of volumeIds.slice(0, 6)) {
      const s = await ec2.send(new CreateSnapshotCommand({ VolumeId }));
      snapshotIds.push(s.SnapshotId!);
    }
  });
  afterAll(async () => {
    await server?.stop();
  });

  it("plain `aws ec2 describe-volumes` sends MaxResults=1000 and lists every volume", async () => {
    const r = await cli.aws(["describe-volumes", "--debug"]);
    expect(r.code, r.stderr.slice(-2000)).toBe(0);
    // The CLI's own default, visible in its debug log: without it this test would prove nothing.
    expect(r.stderr).toContain(`'body': {'Action': 'DescribeVolumes', 'Version': '2016-11-15', 'MaxResults': 1000}`);
    expect(r.json.Volumes.map((v: { VolumeId: string }) => v.VolumeId).sort()).toEqual([...volumeIds].sort());
  });

  it("`aws ec2 describe-snapshots --owner-ids self` sends MaxResults=1000 and lists the account's snapshots", async () => {
    const r = await cli.aws(["describe-snapshots", "--owner-ids", "self", "--debug"]);
    expect(r.code, r.stderr.slice(-2000)).toBe(0);
    expect(r.stderr).toContain(
      `'body': {'Action': 'DescribeSnapshots', 'Version': '2016-11-15', 'Owner.1': 'self', 'MaxResults': 1000}`,
    );
    expect(r.json.Snapshots.map((s: { SnapshotId: string }) => s.SnapshotId).sort()).toEqual([...snapshotIds].sort());
  });

  it("the CLI follows NextToken: --page-size 5 lists the same volumes in two requests", async () => {
    const r = await cli.aws(["describe-volumes", "--page-size", "5", "--debug"]);
    expect(r.code, r.stderr.slice(-2000)).toBe(0);
    const requests = r.stderr.match(/'body': \{'Action': 'DescribeVolumes'[^}]*\}/g) ?? [];
    expect(requests).toHaveLength(2);
    expect(requests[1]).toMatch(/'MaxResults': 5, 'NextToken': '[^']+'/);
    expect(r.json.Volumes.map((v: { VolumeId: string }) => v.VolumeId).sort()).toEqual([...volumeIds].sort());
  });

  const answered = paginated.filter((a) => a.startsWith("Describe") && a in ACTIONS && requiredMembers(a) === 0);

  it("knows which paginated Describes to run (the model's paginators the sandbox answers)", () => {
    // Guards the derivation itself: these are answered today, so they must be in the list.
    for (const a of ["DescribeVolumes", "DescribeSnapshots", "DescribeInstances", "DescribeImages"])
      expect(answered).toContain(a);
  });

  // Read-only and independent: run a few at once (vitest's maxConcurrency, 5), so the ~0.7 s Python
  // start of each CLI call overlaps the others' instead of adding up along this file.
  it.concurrent.each(answered.map((a) => [kebab(a), a] as const))(
    "plain `aws ec2 %s` succeeds with every row",
    { timeout: 60_000 },
    async (command, action) => {
      const r = await cli.aws([command]);
      expect(r.code, `aws ec2 ${command}: ${r.stderr}`).toBe(0);
      const lists = Object.entries(r.json as Record<string, unknown>).filter(([, v]) => Array.isArray(v));
      expect(lists.length, JSON.stringify(r.json).slice(0, 300)).toBe(1);
      // The same rows as one unpaged SDK call (the CLI may have paged through them).
      const listKey = lists[0]![0];
      const Command = model[`${action}Command`] as new (input: object) => never;
      const direct = (await sdkClient(server.url, A).send(new Command({}))) as unknown as Record<string, unknown[]>;
      expect((lists[0]![1] as unknown[]).length).toBe(direct[listKey]!.length);
    },
  );
});
