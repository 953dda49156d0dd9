// biome-ignore-all lint/suspicious/noExplicitAny: modules are loaded at run time from a tree given on the command line
/**
 * What an idle REPL costs while 500 instances are pending (issue #17): CPU, frames and bytes
 * written per second, for REPLs of two source trees side by side in one run.
 *
 *   npx tsx bench/ws/idle-bench.ts [--before DIR] [--window-ms 10000] [--windows 3] [--react development]
 *
 * A server process (memory store, clock at ×1) launches 500 instance-store instances (they boot in
 * 120–270 simulated s, so they stay pending for the whole run). Then one process per variant
 * connects a SandboxView and renders the App with Ink's own `render` (not ink-testing-library)
 * onto a fake 120×35 terminal, as `ec2sim` does; NODE_ENV=production, as in the published build.
 * Every variant is measured over the same windows (they run at once, so load hits them alike):
 * CPU of its process (user+system / wall), frames Ink wrote, bytes written.
 *
 * Variants: the view alone (no screen: the floor); this tree's REPL as shipped (incremental
 * rendering); this tree's REPL writing whole frames (what incremental rendering saves); and with
 * `--before DIR` (an installed checkout of an earlier commit: `git archive <commit> | tar -x -C DIR`
 * then `sh scripts/setup.sh` in DIR), that tree's REPL with its own render options.
 */
import { type ChildProcess, fork } from "node:child_process";
import { EventEmitter } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";

const PENDING = 500;
const HERE = resolve(fileURLToPath(new URL("../..", import.meta.url)));
const SELF = fileURLToPath(import.meta.url);

const { values } = parseArgs({
  options: {
    role: { type: "string" },
    tree: { type: "string" },
    screen: { type: "string" },
    before: { type: "string" },
    "window-ms": { type: "string" },
    windows: { type: "string" },
    react: { type: "string" },
  },
});

/** A modules loader for a source tree: its REPL, its protocol client, the Ink and React its REPL uses. */
async function treeModules(tree: string) {
  const req = createRequire(join(tree, "apps/repl/package.json"));
  const load = (spec: string) => import(pathToFileURL(req.resolve(spec)).href);
  return {
    repl: await import(pathToFileURL(join(tree, "apps/repl/src/index.ts")).href),
    protocol: await load("@ec2sim/protocol"),
    ink: await load("ink"),
    react: (await load("react")).default,
  };
}

async function serverRole(): Promise<void> {
  const { startServer } = await import("@ec2sim/server");
  const server = await startServer({ store: "memory", port: 0, log: () => undefined });
  const acct = server.sandboxes[0]!.accounts[0]!;
  const ctx = { accountId: acct.accountId, region: "us-east-1" };
  const { Images } = await server.host.call<any>("default", ctx, "DescribeImages", {
    Filters: [{ Name: "root-device-type", Values: ["instance-store"] }],
  });
  for (let n = 0; n < PENDING; n += 100)
    await server.host.call("default", ctx, "RunInstances", {
      ImageId: Images[0].ImageId,
      InstanceType: "m3.medium",
      MinCount: 100,
      MaxCount: 100,
    });
  process.send!({
    url: server.url,
    accessKeyId: acct.accessKeyId,
    secretAccessKey: acct.secretAccessKey,
    accountId: acct.accountId,
  });
}

/** A terminal for Ink: 120×35, counting what is written. */
class FakeTty extends EventEmitter {
  isTTY = true;
  columns = 120;
  rows = 35;
  frames = 0;
  bytes = 0;
  write = (s: string) => {
    // Ink brackets each frame in synchronized-output marks (CSI ?2026h … l); count the frames
    if (s !== "\u001b[?2026h" && s !== "\u001b[?2026l") this.frames++;
    this.bytes += Buffer.byteLength(s);
    return true;
  };
}

class FakeStdin extends EventEmitter {
  isTTY = true;
  setEncoding() {}
  setRawMode() {}
  resume() {}
  pause() {}
  ref() {}
  unref() {}
  read = () => null;
}

async function replRole(tree: string, screen: string): Promise<void> {
  const m = await treeModules(tree);
  const server: any = await new Promise((r) => process.once("message", r));
  const client = await m.protocol.SandboxClient.connect(server);
  const view = new m.repl.SandboxView(client);
  await view.start();
  await view.ready;
  const tty = new FakeTty();
  const dir = mkdtempSync(join(tmpdir(), "ec2sim-idlebench-"));
  if (screen !== "none") {
    m.ink.render(
      m.react.createElement(m.repl.App, {
        session: { client, view, keys: new m.repl.KeyStore(dir, { sandbox: "default", accountId: server.accountId }) },
        history: new m.repl.History(),
        onExit: () => undefined,
      }),
      {
        stdout: tty,
        stderr: tty,
        stdin: new FakeStdin(),
        exitOnCtrlC: false,
        patchConsole: false,
        incrementalRendering: screen === "incremental",
      },
    );
  }
  let from: { cpu: NodeJS.CpuUsage; at: number; frames: number; bytes: number } | undefined;
  process.on("message", (msg: any) => {
    if (msg === "start")
      from = { cpu: process.cpuUsage(), at: performance.now(), frames: tty.frames, bytes: tty.bytes };
    else if (msg === "stop" && from) {
      const cpu = process.cpuUsage(from.cpu);
      const s = (performance.now() - from.at) / 1000;
      process.send!({
        cpu: (cpu.user + cpu.system) / 1e6 / s,
        frames: (tty.frames - from.frames) / s,
        bytes: (tty.bytes - from.bytes) / s,
        pending: view.getSnapshot().pending.length,
      });
    } else if (msg === "exit") {
      rmSync(dir, { recursive: true, force: true });
      process.exit(0);
    }
  });
  process.send!("ready");
}

interface Variant {
  name: string;
  tree: string;
  screen: "none" | "incremental" | "whole";
}

async function main(): Promise<void> {
  const windowMs = Number(values["window-ms"] ?? 10_000);
  const windows = Number(values.windows ?? 3);
  // production React, as the published build defines it; --react development as bin/ec2sim runs from the sources
  const env = { ...process.env, NODE_ENV: values.react === "development" ? "development" : "production" };
  const child = (args: string[]) => fork(SELF, args, { execArgv: ["--import", "tsx"], env });
  const server = child(["--role", "server"]);
  const creds = await new Promise((r) => server.once("message", r));
  const variants: Variant[] = [
    { name: "the view alone, no screen (the floor)", tree: HERE, screen: "none" },
    ...(values.before
      ? [{ name: `before: ${values.before} (whole frames)`, tree: resolve(values.before), screen: "whole" as const }]
      : []),
    { name: "after: this tree, whole frames", tree: HERE, screen: "whole" },
    { name: "after: this tree as shipped (incremental)", tree: HERE, screen: "incremental" },
  ];
  const procs: ChildProcess[] = [];
  for (const v of variants) {
    const p = child(["--role", "repl", "--tree", v.tree, "--screen", v.screen]);
    procs.push(p);
    p.send(creds as object);
  }
  await Promise.all(procs.map((p) => new Promise((r) => p.once("message", r))));
  await new Promise((r) => setTimeout(r, 3_000)); // the first frames and the first bill
  const results: any[][] = variants.map(() => []);
  for (let w = 0; w < windows; w++) {
    const answers = procs.map((p) => new Promise<any>((r) => p.once("message", r)));
    for (const p of procs) p.send("start");
    await new Promise((r) => setTimeout(r, windowMs));
    for (const p of procs) p.send("stop");
    const got = await Promise.all(answers);
    for (const [i, g] of got.entries()) results[i]!.push(g);
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  console.log(
    `## Idle REPL, ${PENDING} pending instances, clock ×1, 120×35 — ${windows} windows of ${windowMs / 1000} s, medians, ${env.NODE_ENV} React (node ${process.version}, ${new Date().toISOString().slice(0, 10)})\n`,
  );
  console.log("| variant | CPU | frames/s | bytes/s | pending seen |");
  console.log("|---|---|---|---|---|");
  variants.forEach((v, i) => {
    const r = results[i]!;
    console.log(
      `| ${v.name} | ${(median(r.map((x) => x.cpu)) * 100).toFixed(2)}% | ${median(r.map((x) => x.frames)).toFixed(2)} | ${median(r.map((x) => x.bytes)).toFixed(0)} | ${r.at(-1).pending} |`,
    );
  });
  for (const p of procs) p.send("exit");
  server.kill();
  process.exit(0);
}

if (values.role === "server") await serverRole();
else if (values.role === "repl") await replRole(values.tree!, values.screen!);
else await main();
