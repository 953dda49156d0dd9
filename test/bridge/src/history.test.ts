/**
 * The sandbox reader after snapshots. A server saving a snapshot every 50 events (`ec2sim serve
 * --snapshot-every 50`) keeps the whole history, so `ec2sim export --at SEQ`, `ec2sim diff --from
 * sandbox:S@SEQ` and the `--data` reader give, at the latest seq and at earlier ones, exactly what
 * a server that never snapshots (`--snapshot-every 0`) gives for the same commands. The sandboxes'
 * clocks are paused (time moves only by explicit advances) and IDs are seeded, so both servers
 * record the same log but for what real randomness and the real clock make: key pair material and
 * the real-time anchor of clock changes (normalized where compared).
 */
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { adminHeaders, adminTokenOf, BIN, type ServerProcess, startServer } from "@ec2sim/test-harness";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { catPhotoStory, type StoryIds } from "./story.ts";

const ACCOUNT = "111122223333";
const execFileP = promisify(execFile);

const made: string[] = [];
const temp = (prefix: string) => {
  const d = mkdtempSync(join(tmpdir(), `ec2sim-history-${prefix}-`));
  made.push(d);
  return d;
};

/** `ec2sim serve` on a data dir of the test's own (read again after the server stopped). */
const serve = (extra: string[]): Promise<ServerProcess> =>
  startServer({ dataDir: temp("data"), extraArgs: ["--tick-ms", "20", ...extra] });

async function admin<T = any>(url: string, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${url}/_ec2sim${path}`, {
    method,
    headers: adminHeaders(url, method),
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: HTTP ${res.status}: ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

async function ec2sim(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    // `--server URL` reads the admin API: the command gets that server's admin token.
    const server = args.includes("--server") ? args[args.indexOf("--server") + 1] : undefined;
    const token = server ? adminTokenOf(server) : undefined;
    const r = await execFileP(BIN, args, {
      env: { ...process.env, NO_COLOR: "1", EC2SIM_URL: "", ...(token ? { EC2SIM_ADMIN_TOKEN: token } : {}) },
      maxBuffer: 1 << 28,
    });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const x = e as { code?: number; stdout?: string; stderr?: string };
    if (typeof x.code !== "number") throw e;
    return { code: x.code, stdout: x.stdout ?? "", stderr: x.stderr ?? "" };
  }
}

/** The same commands on a server: the seeds' story in a paused sandbox, then 250 tag changes. */
async function build(url: string): Promise<StoryIds> {
  await admin(url, "POST", "/sandboxes", { name: "S", seed: "history", paused: true });
  const call = async (action: string, input: Record<string, unknown>, region?: string) =>
    (
      await admin(url, "POST", "/sandboxes/S/call", {
        action,
        input,
        accountId: ACCOUNT,
        region: region ?? "us-east-1",
      })
    ).output;
  const ids = await catPhotoStory(
    call,
    async (ms) => void (await admin(url, "POST", "/sandboxes/S/clock", { advance: ms })),
    { accountId: "444455556666", ouArn: "arn:aws:organizations::111122223333:ou/o-ec2sim0001/ou-ec2s-bbbb2222" },
  );
  for (let i = 0; i < 250; i++)
    await call("CreateTags", { Resources: [i % 2 ? ids.i1 : ids.i2], Tags: [{ Key: "round", Value: String(i) }] });
  await call("TerminateInstances", { InstanceIds: [ids.i1] });
  await admin(url, "POST", "/sandboxes/S/clock", { advance: 120_000 });
  return ids;
}

let snapshotting: ServerProcess;
let never: ServerProcess;
let lastSeq: number;
/** Seqs to read the sandbox at: early (before the first snapshot), between snapshots, near the end. */
let seqs: number[];

beforeAll(async () => {
  [snapshotting, never] = await Promise.all([serve(["--snapshot-every", "50"]), serve(["--snapshot-every", "0"])]);
  await Promise.all([build(snapshotting.url), build(never.url)]);
  lastSeq = (await admin(snapshotting.url, "GET", "/sandboxes/S")).lastSeq;
  seqs = [30, 123, lastSeq - 5];
}, 240_000);

afterAll(async () => {
  await Promise.all([snapshotting?.stop(), never?.stop()]);
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** The export as JSON, with the key pair's public key (real randomness, differs between servers) normalized. */
async function exportJson(source: string[], at?: number): Promise<{ json: any; stdout: string }> {
  const out = temp("export");
  const r = await ec2sim([
    "export",
    ...source,
    "--sandbox",
    "S",
    "--format",
    "json",
    "--out",
    out,
    ...(at !== undefined ? ["--at", String(at)] : []),
  ]);
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  const json = JSON.parse(readFileSync(join(out, "cdk.tf.json"), "utf8"));
  // Public keys are random: they sit in the variables' defaults.
  for (const v of Object.values<any>(json.variable ?? {}))
    if (typeof v.default === "string" && v.default.startsWith("ssh-")) {
      expect(v.default).toMatch(/^ssh-rsa /);
      v.default = "ssh-rsa (random)";
    }
  return { json, stdout: r.stdout.replaceAll(out, "OUT") };
}

/** An event with what real randomness and the real clock put in it normalized. */
function normalized(e: { seq: number; event: Record<string, unknown> }): unknown {
  const ev = { ...e.event };
  for (const k of ["keyFingerprint", "publicKey", "keyMaterial", "privateKey"]) if (k in ev) ev[k] = "(random)";
  // Account keys come from each install's own secret: two servers (two data dirs) differ there only.
  for (const k of ["accessKeyId", "secretAccessKey"]) if (k in ev) ev[k] = "(per install)";
  if (ev.type === "ClockChanged") ev.clock = { ...(ev.clock as object), realAtAnchor: 0 };
  return { ...e, event: ev };
}

describe("history across snapshots (ec2sim serve --snapshot-every 50)", () => {
  it("the server snapshotted several times and kept every segment; both servers recorded the same log, all of it readable", async () => {
    expect(lastSeq).toBeGreaterThan(250);
    const dir = join(snapshotting.dataDir, "sandboxes", "S");
    expect(existsSync(join(dir, "snapshot.snap"))).toBe(true);
    const segments = readdirSync(dir)
      .filter((f) => f.startsWith("journal-"))
      .sort();
    expect(segments.length).toBeGreaterThanOrEqual(6); // one per snapshot, plus the first
    expect(segments[0]).toBe("journal-0000000000000001.log");
    expect(existsSync(join(never.dataDir, "sandboxes", "S", "snapshot.snap"))).toBe(false);
    const a = await admin(snapshotting.url, "GET", "/sandboxes/S/events");
    const b = await admin(never.url, "GET", "/sandboxes/S/events");
    expect(a.events.map((e: { seq: number }) => e.seq)).toEqual(Array.from({ length: lastSeq }, (_, i) => i + 1));
    expect(a.lastSeq).toBe(lastSeq);
    expect(a.events.map(normalized)).toEqual(b.events.map(normalized));
    expect({ ...a, events: [] }).toEqual({ ...b, events: [] });
    expect(await admin(snapshotting.url, "GET", "/sandboxes/S/events?upTo=123")).toEqual({
      ...a,
      events: a.events.slice(0, 123),
    });
  });

  it("ec2sim export (from the server) at the latest seq and at earlier ones gives what the never-snapshotted server gives", async () => {
    for (const at of [undefined, ...seqs]) {
      const [x, y] = await Promise.all([
        exportJson(["--server", snapshotting.url], at),
        exportJson(["--server", never.url], at),
      ]);
      expect(x, `--at ${at}`).toEqual(y);
      expect(x.stdout).toContain(`event ${at ?? lastSeq})`);
    }
    // Early and late states differ (the test reads different points in time).
    const early = await exportJson(["--server", snapshotting.url], seqs[0]);
    const late = await exportJson(["--server", snapshotting.url]);
    expect(early.json).not.toEqual(late.json);
  }, 120_000);

  it("ec2sim diff --from sandbox:S@SEQ --to sandbox:S agrees with the never-snapshotted server", async () => {
    const diff = (url: string) =>
      ec2sim([
        "diff",
        "--server",
        url,
        "--from",
        `sandbox:S@${seqs[1]}`,
        "--to",
        "sandbox:S",
        "--json",
        "--detailed-exitcode",
      ]);
    const [x, y] = await Promise.all([diff(snapshotting.url), diff(never.url)]);
    expect(x.stderr).toBe("");
    expect(x.code).toBe(2); // i1 was terminated since
    // The JSON carries every resource's values, the key pair's public key too (real randomness per server).
    const normalized = (r: { code: number; stdout: string }) => ({
      code: r.code,
      json: JSON.parse(r.stdout.replace(/"public_key": "[^"]*"/g, '"public_key": "…"')),
    });
    expect(normalized(x)).toEqual(normalized(y));
  }, 60_000);

  it("the --data reader of a stopped server's directory, with its snapshots, gives the same at every seq", async () => {
    await snapshotting.stop();
    for (const at of [undefined, seqs[0], seqs[2]]) {
      const fromData = await exportJson(["--data", snapshotting.dataDir], at);
      const fromServer = await exportJson(["--server", never.url], at);
      expect(fromData.json, `--at ${at}`).toEqual(fromServer.json);
    }
  }, 120_000);
});
