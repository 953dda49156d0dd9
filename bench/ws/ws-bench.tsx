/** @jsxRuntime automatic */
/** @jsxImportSource react */
/**
 * WebSocket and REPL benchmarks (issues #5, #17). Run: npx tsx bench/ws/ws-bench.tsx [--clients 50]
 * [--instances 1000] [--repl-instances 10000] [--only fanout|repl]
 *
 * 1. Fan-out: a server on the journal store (durable before delivered), 50 subscribed clients,
 *    1,000 instances launched one RunInstances at a time by a writer client (20 in flight). For
 *    every client and every launch: latency from the writer sending RunInstances to that client
 *    receiving the InstancesLaunched event, and from the event being durable (host listener) to
 *    the client receiving it. Clients and server share one process (one event loop), as in the
 *    REPL's embedded mode: the figures include the clients' own parsing.
 * 2. REPL: 10,000 instances in the sandbox (Name tags batch-0 … batch-99), the App rendered with
 *    ink-testing-library at 120×40; keystroke-to-render = stdin.write(char) until a frame
 *    containing it is written — at the prompt, and in a live filter (`/batch-42` typed a key at a
 *    time: until the frame shows the table filtered by what was typed so far).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { SandboxClient } from "@ec2sim/protocol";
import { App, History, KeyStore, SandboxView } from "@ec2sim/repl";
import { startServer } from "@ec2sim/server";
import { render } from "ink-testing-library";

const { values } = parseArgs({
  options: {
    clients: { type: "string" },
    instances: { type: "string" },
    "repl-instances": { type: "string" },
    only: { type: "string" },
  },
});
const CLIENTS = Number(values.clients ?? 50);
const LAUNCHES = Number(values.instances ?? 1000);
const REPL_INSTANCES = Number(values["repl-instances"] ?? 10_000);

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
};
const ms = (x: number) => `${x.toFixed(1)} ms`;

async function fanOut(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "ec2sim-wsbench-"));
  const server = await startServer({ store: "journal", dataDir: dir, port: 0, log: () => undefined });
  const acct = server.sandboxes[0]!.accounts[0]!;
  const durableAt = new Map<number, number>();
  server.host.subscribe((_s, events) => {
    const t = performance.now();
    for (const e of events) durableAt.set(e.seq, t);
  });
  const connect = () =>
    SandboxClient.connect({ url: server.url, accessKeyId: acct.accessKeyId, secretAccessKey: acct.secretAccessKey });
  const sentAt = new Map<string, number>(); // instance id -> when its RunInstances was sent
  const pendingIds = new Map<number, { recvAt: number; ids: string[]; seq: number }[]>();
  const received: { client: number; ids: string[]; seq: number; at: number }[] = [];
  const clients: SandboxClient[] = [];
  let delivered = 0;
  const expected = CLIENTS * LAUNCHES;
  let resolveAll!: () => void;
  const all = new Promise<void>((r) => (resolveAll = r));
  for (let c = 0; c < CLIENTS; c++) {
    const client = await connect();
    clients.push(client);
    await client.subscribe((events) => {
      const at = performance.now();
      for (const e of events) {
        if (e.event.type !== "InstancesLaunched") continue;
        const ids = (e.event as unknown as { instances: { instanceId: string }[] }).instances.map((i) => i.instanceId);
        received.push({ client: c, ids, seq: e.seq, at });
        delivered++;
        if (delivered === expected) resolveAll();
      }
    });
  }
  void pendingIds;
  const writer = await connect();
  const { Images } = await writer.call("DescribeImages", {
    Owners: ["amazon"],
    Filters: [{ Name: "name", Values: ["al2023-ami-2023*-x86_64"] }],
  });
  const ami = Images[0].ImageId;
  const t0 = performance.now();
  let next = 0;
  const launchOne = async () => {
    while (next < LAUNCHES) {
      next++;
      const sent = performance.now();
      const out = await writer.call("RunInstances", {
        ImageId: ami,
        InstanceType: "t3.micro",
        MinCount: 1,
        MaxCount: 1,
      });
      sentAt.set(out.Instances[0].InstanceId, sent);
    }
  };
  await Promise.all(Array.from({ length: 20 }, launchOne));
  const tLaunched = performance.now();
  await Promise.race([all, new Promise((r) => setTimeout(r, 60_000))]);
  const tDone = performance.now();
  const fromSend = received.map((r) => r.at - (sentAt.get(r.ids[0]!) ?? r.at));
  const fromDurable = received.map((r) => r.at - (durableAt.get(r.seq) ?? r.at));
  console.log(
    `## Fan-out: ${CLIENTS} subscribed clients, ${LAUNCHES} instances launched (RunInstances ×${LAUNCHES}, 20 in flight, journal store)`,
  );
  console.log(`- deliveries: ${delivered} of ${expected} InstancesLaunched events`);
  console.log(
    `- launches took ${ms(tLaunched - t0)} (${(LAUNCHES / ((tLaunched - t0) / 1000)).toFixed(0)}/s); last delivery ${ms(tDone - t0)} after the first send`,
  );
  console.log(
    `- RunInstances sent → event received by a client: p50 ${ms(pct(fromSend, 50))}, p99 ${ms(pct(fromSend, 99))}, max ${ms(pct(fromSend, 100))}`,
  );
  console.log(
    `- event durable → received by a client (fan-out alone): p50 ${ms(pct(fromDurable, 50))}, p99 ${ms(pct(fromDurable, 99))}, max ${ms(pct(fromDurable, 100))}`,
  );
  await Promise.all([...clients, writer].map((c) => c.close()));
  await server.close();
  rmSync(dir, { recursive: true, force: true });
}

async function replKeystrokes(): Promise<void> {
  const server = await startServer({ store: "memory", port: 0, log: () => undefined });
  const acct = server.sandboxes[0]!.accounts[0]!;
  await server.host.setClock("default", { paused: true });
  const ctx = { accountId: acct.accountId, region: "us-east-1" };
  const { Images } = await server.host.call<any>("default", ctx, "DescribeImages", {
    Owners: ["amazon"],
    Filters: [{ Name: "name", Values: ["al2023-ami-2023*-x86_64"] }],
  });
  for (let n = 0; n < REPL_INSTANCES; n += 100) {
    await server.host.call("default", ctx, "RunInstances", {
      ImageId: Images[0].ImageId,
      InstanceType: "t3.micro",
      MinCount: 100,
      MaxCount: 100,
      TagSpecifications: [{ ResourceType: "instance", Tags: [{ Key: "Name", Value: `batch-${n / 100}` }] }],
    });
  }
  await server.host.advance("default", 120_000);
  const client = await SandboxClient.connect({
    url: server.url,
    accessKeyId: acct.accessKeyId,
    secretAccessKey: acct.secretAccessKey,
  });
  const view = new SandboxView(client);
  const tLoad = performance.now();
  await view.start();
  await view.ready; // start() subscribes; the first read of every region runs behind it
  const loadMs = performance.now() - tLoad;
  const dir = mkdtempSync(join(tmpdir(), "ec2sim-replbench-"));
  const r = render(
    <App
      session={{ client, view, keys: new KeyStore(dir, { sandbox: "default", accountId: acct.accountId }) }}
      history={new History()}
      onExit={() => undefined}
      size={{ columns: 120, rows: 40 }}
    />,
  );
  // frames as ink writes them, with the time
  const stdout = r.stdout as unknown as { write: (s: string) => boolean };
  const original = stdout.write.bind(stdout);
  let lastFrame = "";
  let lastAt = 0;
  stdout.write = (s: string) => {
    lastFrame = s;
    lastAt = performance.now();
    return original(s);
  };
  await new Promise((res) => setTimeout(res, 300));
  const times: number[] = [];
  let typed = "";
  for (let k = 0; k < 60; k++) {
    const ch = "describe"[k % 8]!;
    typed += ch;
    const t = performance.now();
    r.stdin.write(ch);
    const until = t + 2_000;
    while (!lastFrame.includes(`> ${typed}`) && performance.now() < until)
      await new Promise((res) => setImmediate(res));
    times.push(lastAt - t);
    if (typed.length > 40) {
      r.stdin.write("\u0015");
      typed = "";
      await new Promise((res) => setTimeout(res, 20));
    }
  }
  // a live filter: "/" then a Name typed a key at a time; each key's frame shows the table filtered by it
  r.stdin.write("\u0015");
  const filterTimes: number[] = [];
  const matched: number[] = [];
  for (let round = 0; filterTimes.length < 60; round++) {
    r.stdin.write("/");
    const until = performance.now() + 2_000;
    while (!lastFrame.includes("> /") && performance.now() < until) await new Promise((res) => setImmediate(res));
    let typed = "";
    for (const ch of `batch-${(round * 37) % 100}`) {
      typed += ch;
      const t = performance.now();
      r.stdin.write(ch);
      const deadline = t + 5_000;
      while (!lastFrame.includes(`matching /${typed}`) && performance.now() < deadline)
        await new Promise((res) => setImmediate(res));
      filterTimes.push(lastAt - t);
      const m = /(\d+) of (\d+) instances matching/.exec(lastFrame);
      if (m) matched.push(Number(m[1]));
    }
    r.stdin.write("\u001b"); // Esc clears the filter
    const back = performance.now() + 5_000;
    while (lastFrame.includes("matching /") && performance.now() < back) await new Promise((res) => setImmediate(res));
  }
  const describeStart = performance.now();
  await client.call("DescribeInstances", {});
  const describeMs = performance.now() - describeStart;
  console.log(
    `## REPL: keystroke to render with ${view.getSnapshot().instances.length} instances in the sandbox (120×40)`,
  );
  console.log(`- first load of the view (DescribeInstances of all over the WebSocket + images + bill): ${ms(loadMs)}`);
  console.log(`- one DescribeInstances of all ${REPL_INSTANCES} over the WebSocket: ${ms(describeMs)}`);
  console.log(
    `- keystroke → frame with the character: p50 ${ms(pct(times, 50))}, p99 ${ms(pct(times, 99))}, max ${ms(pct(times, 100))} (${times.length} keys)`,
  );
  console.log(
    `- live filter (/batch-N typed a key at a time, the table filtered on each): keystroke → filtered frame p50 ${ms(pct(filterTimes, 50))}, p99 ${ms(pct(filterTimes, 99))}, max ${ms(pct(filterTimes, 100))} (${filterTimes.length} keys; rows matching from ${Math.max(...matched)} to ${Math.min(...matched)})`,
  );
  r.unmount();
  view.stop();
  await client.close();
  await server.close();
  rmSync(dir, { recursive: true, force: true });
}

console.log(`# ec2sim WebSocket/REPL bench — node ${process.version}, ${new Date().toISOString().slice(0, 10)}\n`);
if (values.only !== "repl") await fanOut();
console.log("");
if (values.only !== "fanout") await replKeystrokes();
process.exit(0);
