/**
 * Concurrency and faults on one sandbox shared by two real replicas (issue #8): 20 AWS SDK clients
 * spread over 2 `ec2sim serve` processes on one PostgreSQL database run 1,000 mixed commands
 * (RunInstances with ClientTokens, CreateTags, CreateVolume, TerminateInstances, Describe*).
 * Midway replica 2 is killed with SIGKILL (its clients retry on replica 1, same ClientToken) and
 * later started again; PostgreSQL is restarted once (pg_ctl restart -m fast). Afterwards:
 * - every change a client saw acknowledged is in the log, and nothing is recorded twice (one
 *   launch per ClientToken, one 'running' per instance, contiguous seqs);
 * - both replicas' Describe* answers equal those of core folding the log (Sandbox.replay);
 * - every server error was EC2's ServiceUnavailable (503); no request hung.
 * Fails, never skips, without PostgreSQL.
 */
import {
  CreateTagsCommand,
  CreateVolumeCommand,
  DescribeInstancesCommand,
  DescribeVolumesCommand,
  type EC2Client,
  RunInstancesCommand,
  TerminateInstancesCommand,
} from "@aws-sdk/client-ec2";
import { type EventEnvelope, Sandbox } from "@ec2sim/core";
import { SandboxClient } from "@ec2sim/protocol";
import {
  accountsOf,
  admin,
  mulberry32,
  newestAl2023,
  type ServerProcess,
  sdkClient,
  sleep,
} from "@ec2sim/test-harness";
import { type PgCluster, startCluster } from "@ec2sim/test-pg";
import { afterAll, describe, expect, it } from "vitest";
import { freshDatabase, startReplica } from "./harness.ts";

const CLIENTS = 20;
const COMMANDS = 1_000;
const REQUEST_LIMIT_MS = 30_000;

type Ack =
  | { kind: "run"; token: string; instanceId: string }
  | { kind: "tag"; resource: string; key: string; value: string }
  | { kind: "volume"; volumeId: string }
  | { kind: "terminate"; instanceId: string };

describe("20 clients over 2 replicas, 1,000 commands on one sandbox, kill -9 of a replica and a PostgreSQL restart", () => {
  let cluster: PgCluster;
  const replicas: (ServerProcess | undefined)[] = [];
  afterAll(async () => {
    await Promise.all(replicas.map((r) => r?.stop()));
    await cluster?.destroy();
  });

  it("keeps every acknowledged change, records nothing twice, folds to what the replicas answer, and fails only with 503", async () => {
    const seed = Number(process.env.EC2SIM_LOAD_SEED ?? Date.now() % 100_000);
    console.log(`load seed ${seed} (EC2SIM_LOAD_SEED=${seed} repeats it)`);
    cluster = await startCluster();
    const db = await freshDatabase(cluster, "load");
    replicas[0] = await startReplica(db, { speed: 60 });
    replicas[1] = await startReplica(db, { speed: 60 });
    const [A] = await accountsOf(replicas[0].url);
    const ami = (await newestAl2023(sdkClient(replicas[0].url, A))).ImageId!;

    const clients = new Map<string, EC2Client>();
    const clientFor = (url: string) => {
      let c = clients.get(url);
      if (!c) clients.set(url, (c = sdkClient(url, A)));
      return c;
    };
    const acks: Ack[] = [];
    const errors = new Map<string, number>();
    const count = (k: string) => errors.set(k, (errors.get(k) ?? 0) + 1);
    let issued = 0;
    let done = 0;
    let slowest = 0;

    /** Sends to the preferred replica; on 503 or a dead replica, retries (same input, same ClientToken) on the other. */
    async function send<T>(prefer: number, make: () => any): Promise<T | undefined> {
      for (let attempt = 0; attempt < 60; attempt++) {
        const i = (prefer + attempt) % 2;
        const r = replicas[i];
        if (!r || r.proc.exitCode !== null || r.proc.signalCode !== null) {
          await sleep(50);
          continue;
        }
        const t0 = Date.now();
        let timer: NodeJS.Timeout | undefined;
        try {
          const out = await Promise.race([
            clientFor(r.url).send(make()) as Promise<T>,
            new Promise<never>(
              (_, rej) =>
                (timer = setTimeout(
                  () => rej(new Error(`HUNG: no answer from replica ${i + 1} within ${REQUEST_LIMIT_MS} ms`)),
                  REQUEST_LIMIT_MS,
                )),
            ),
          ]);
          slowest = Math.max(slowest, Date.now() - t0);
          return out;
        } catch (e) {
          const err = e as { name?: string; code?: string; message?: string; $metadata?: { httpStatusCode?: number } };
          if (err.message?.startsWith("HUNG")) throw e;
          const status = err.$metadata?.httpStatusCode;
          if (status === 503 && err.name === "ServiceUnavailable") {
            count(`replica ${i + 1}: 503 ServiceUnavailable`);
          } else if (status !== undefined && status >= 500) {
            throw new Error(`replica ${i + 1} answered ${status} ${err.name}: ${err.message}`);
          } else if (status !== undefined) {
            count(`${err.name}`);
            return undefined; // an EC2 refusal (e.g. IncorrectInstanceState): no change, nothing to retry
          } else {
            // No HTTP answer: only the killed replica may do that.
            if (i === 0)
              throw new Error(`replica 1 (never killed) failed without an answer: ${err.code ?? ""} ${err.message}`);
            count(`replica ${i + 1}: connection failed (${err.code ?? err.name})`);
          }
          await sleep(40 + Math.random() * 120);
        } finally {
          clearTimeout(timer);
        }
      }
      count("gave up after 60 attempts");
      return undefined;
    }

    async function worker(w: number): Promise<void> {
      const rnd = mulberry32(seed * 100 + w);
      const prefer = w % 2;
      const mine: string[] = [];
      let k = 0;
      while (issued < COMMANDS) {
        issued++;
        if (issued > COMMANDS * 0.7) await secondWave; // the last 300 commands run with replica 2 back
        k++;
        const p = rnd();
        const live = mine.filter((id) => !acks.some((a) => a.kind === "terminate" && a.instanceId === id));
        if (p < 0.3 || live.length === 0) {
          const token = `w${w}-${k}`;
          const out = await send<{ Instances?: { InstanceId?: string }[] }>(
            prefer,
            () =>
              new RunInstancesCommand({
                ImageId: ami,
                InstanceType: "t3.micro",
                MinCount: 1,
                MaxCount: 1,
                ClientToken: token,
              }),
          );
          const id = out?.Instances?.[0]?.InstanceId;
          if (id) {
            acks.push({ kind: "run", token, instanceId: id });
            mine.push(id);
          }
        } else if (p < 0.6) {
          const resource = live[Math.floor(rnd() * live.length)]!;
          const key = `w${w}-k${k}`;
          const value = `v${Math.floor(rnd() * 1e6)}`;
          if (
            await send(
              prefer,
              () => new CreateTagsCommand({ Resources: [resource], Tags: [{ Key: key, Value: value }] }),
            )
          )
            acks.push({ kind: "tag", resource, key, value });
        } else if (p < 0.7) {
          const out = await send<{ VolumeId?: string }>(
            prefer,
            () => new CreateVolumeCommand({ AvailabilityZone: "us-east-1a", Size: 1 + Math.floor(rnd() * 8) }),
          );
          if (out?.VolumeId) acks.push({ kind: "volume", volumeId: out.VolumeId });
        } else if (p < 0.78) {
          const id = live[Math.floor(rnd() * live.length)]!;
          if (await send(prefer, () => new TerminateInstancesCommand({ InstanceIds: [id] })))
            acks.push({ kind: "terminate", instanceId: id });
        } else if (p < 0.92) {
          await send(
            prefer,
            () => new DescribeInstancesCommand({ InstanceIds: [live[Math.floor(rnd() * live.length)]!] }),
          );
        } else {
          await send(prefer, () => new DescribeVolumesCommand({}));
        }
        done++;
      }
    }

    let back!: () => void;
    const secondWave = new Promise<void>((r) => (back = r));
    async function faults(): Promise<string[]> {
      const notes: string[] = [];
      const at = async (n: number) => {
        while (done < n) await sleep(10);
      };
      await at(300);
      await replicas[1]!.kill9();
      notes.push(`replica 2 SIGKILLed after ${done} commands`);
      await at(450);
      const t0 = Date.now();
      await cluster.restart("fast");
      notes.push(`PostgreSQL restarted (-m fast) after ${done} commands in ${Date.now() - t0} ms`);
      const t1 = Date.now();
      replicas[1] = await startReplica(db, { speed: 60 });
      notes.push(`replica 2 started again after ${done} commands (${Date.now() - t1} ms)`);
      back();
      return notes;
    }

    const t0 = Date.now();
    const [notes] = await Promise.all([faults(), ...Array.from({ length: CLIENTS }, (_, w) => worker(w))]);
    const ms = Date.now() - t0;
    console.log(
      `${COMMANDS} commands by ${CLIENTS} clients in ${ms} ms (${Math.round((COMMANDS * 1000) / ms)}/s), slowest answer ${slowest} ms; ${acks.length} acknowledged changes\n${notes.join("\n")}\nerrors: ${JSON.stringify(Object.fromEntries(errors))}`,
    );

    // Freeze the simulated clock so both replicas and the fold answer at the same moment.
    expect((await admin(replicas[0]!.url, "POST", "/sandboxes/default/clock", { paused: true })).status).toBe(200);
    const ws = await Promise.all(
      replicas.map((r) =>
        SandboxClient.connect({
          url: r!.url,
          accessKeyId: A.accessKeyId,
          secretAccessKey: A.secretAccessKey,
          reconnect: false,
        }),
      ),
    );
    const queries: [string, Record<string, unknown>][] = [
      ["DescribeInstances", {}],
      ["DescribeVolumes", {}],
      ["DescribeTags", { MaxResults: 1000 }],
      ["DescribeAddresses", {}],
      ["DescribeSecurityGroups", {}],
    ];
    const answers = await Promise.all(ws.map((c) => Promise.all(queries.map(([a, input]) => c.call(a, input)))));
    const { json: log } = await admin<{
      config: { seed: string; start?: number };
      lastSeq: number;
      events: EventEnvelope[];
    }>(replicas[1]!.url, "GET", "/sandboxes/default/events");
    await Promise.all(ws.map((c) => c.close()));

    // The log: contiguous, nothing twice.
    expect(log.events.map((e) => e.seq)).toEqual(log.events.map((_, i) => i + 1));
    const tokens = log.events
      .filter((e) => e.event.type === "ClientTokenRecorded")
      .map((e) => (e.event as { key: string }).key);
    expect(tokens.length).toBe(new Set(tokens).size);
    const launched = log.events.flatMap((e) =>
      e.event.type === "InstancesLaunched"
        ? (e.event as { instances: { instanceId: string }[] }).instances.map((i) => i.instanceId)
        : [],
    );
    expect(launched.length).toBe(new Set(launched).size);
    const toRunning = log.events
      .filter((e) => e.event.type === "InstanceStateChanged" && (e.event as { state: string }).state === "running")
      .map((e) => (e.event as { instanceId: string }).instanceId);
    expect(toRunning.length).toBe(new Set(toRunning).size);

    // Every acknowledged change is there.
    const text = new Map<number, string>(log.events.map((e) => [e.seq, JSON.stringify(e.event)]));
    const has = (pred: (e: EventEnvelope) => boolean) => log.events.some(pred);
    const missing: Ack[] = [];
    for (const a of acks) {
      const ok =
        a.kind === "run"
          ? launched.includes(a.instanceId) && tokens.some((t) => t.endsWith(`:RunInstances:${a.token}`))
          : a.kind === "tag"
            ? has(
                (e) =>
                  e.event.type === "TagsCreated" &&
                  text.get(e.seq)!.includes(`"${a.resource}"`) &&
                  text.get(e.seq)!.includes(`"${a.key}"`) &&
                  text.get(e.seq)!.includes(`"${a.value}"`),
              )
            : a.kind === "volume"
              ? has((e) => e.event.type === "VolumeCreated" && text.get(e.seq)!.includes(`"${a.volumeId}"`))
              : has(
                  (e) =>
                    e.event.type === "InstanceStateChanged" &&
                    (e.event as { instanceId: string }).instanceId === a.instanceId &&
                    /shutting-down|terminated/.test((e.event as { state: string }).state),
                );
      if (!ok) missing.push(a);
    }
    expect(missing).toEqual([]);
    // One launch per ClientToken even when a retry went to the other replica.
    const runAcks = acks.filter((a): a is Extract<Ack, { kind: "run" }> => a.kind === "run");
    expect(new Set(runAcks.map((a) => a.instanceId)).size).toBe(runAcks.length);

    // The replicas' answers are the fold of the log.
    const sb = Sandbox.replay(log.events, {
      seed: log.config.seed,
      ...(log.config.start !== undefined ? { start: log.config.start } : {}),
    });
    const fold = queries.map(
      ([a, input]) =>
        JSON.parse(
          JSON.stringify(sb.call({ accountId: A.accountId, region: "us-east-1" }, a, input).output),
        ) as unknown,
    );
    expect(answers[0]).toEqual(fold);
    expect(answers[1]).toEqual(fold);
    expect((fold[0] as { Reservations: unknown[] }).Reservations.length).toBeGreaterThan(100);

    // Failures were 503s or the killed replica's closed connections, never anything else.
    for (const k of errors.keys())
      expect(k).toMatch(/503 ServiceUnavailable|replica 2: connection failed|IncorrectInstanceState|InvalidInstanceID/);
    expect(errors.get("gave up after 60 attempts") ?? 0).toBe(0);
    expect(errors.get("replica 1: 503 ServiceUnavailable") ?? 0, "the PostgreSQL restart was noticed").toBeGreaterThan(
      0,
    );
  }, 300_000);
});
