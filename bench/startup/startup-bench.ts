/**
 * Start-up and memory at rest, measured side by side in one run (rounds interleave the variants, so
 * load from elsewhere on the machine falls on all of them alike):
 *   - `node -e 0`: the floor;
 *   - `ec2sim --help`;
 *   - `ec2sim serve` (journal store, empty data dir) until its port answers HTTP, and its RSS then;
 *   - the REPL (no command, in a 100×30 tmux window) until its header line is on the screen.
 * Variants: the built command (apps/cli/dist, what `npm pack` ships), the sources through tsx
 * (bin/ec2sim, what a clone runs), and, with --before DIR, bin/ec2sim of an older checkout that has
 * its own node_modules (e.g. `git archive ed5efa6 | tar -x -C DIR && cd DIR && pnpm install`).
 * moto's server (`python3 -m moto.server`, the mock most users would otherwise pick) is timed the same
 * way until its port answers, with its RSS then, when `python3` can import it (skipped with a note, or
 * with --no-moto, otherwise).
 *   npx tsx bench/startup/startup-bench.ts [--rounds N] [--before DIR] [--no-moto] [--out FILE.json]
 */
import { type ChildProcess, execFileSync, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const { values } = parseArgs({
  options: {
    rounds: { type: "string" },
    before: { type: "string" },
    out: { type: "string" },
    "no-moto": { type: "boolean" },
  },
});
const ROUNDS = Number(values.rounds ?? 7);

interface Variant {
  name: string;
  /** argv of `ec2sim` in this variant. */
  cmd: string[];
}
const variants: Variant[] = [
  { name: "built (apps/cli/dist)", cmd: [process.execPath, join(REPO, "apps/cli/dist/ec2sim.mjs")] },
  { name: "sources via tsx (bin/ec2sim)", cmd: ["sh", join(REPO, "bin/ec2sim")] },
  ...(values.before
    ? [{ name: `before (${values.before})`, cmd: ["sh", join(resolve(values.before), "bin/ec2sim")] }]
    : []),
];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/** Wall time and peak RSS of a command that exits (GNU time's %M). */
function timed(argv: string[]): { ms: number; rssMiB: number } {
  const t0 = performance.now();
  const r = spawnSync("/usr/bin/time", ["-f", "%M", ...argv], {
    stdio: ["ignore", "ignore", "pipe"],
    encoding: "utf8",
  });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${argv.join(" ")} exited ${r.status}: ${r.stderr}`);
  const kb = Number(r.stderr.trim().split("\n").pop());
  return { ms, rssMiB: kb / 1024 };
}

/** RSS of a process and its descendants (bin/ec2sim is sh → node), MiB. */
function treeRssMiB(pid: number): number {
  const out = execFileSync("ps", ["-eo", "pid=,ppid=,rss="], { encoding: "utf8" });
  const rows = out
    .trim()
    .split("\n")
    .map((l) => l.trim().split(/\s+/).map(Number) as [number, number, number]);
  const tree = new Set([pid]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const [p, pp] of rows) if (tree.has(pp) && !tree.has(p)) tree.add(p), (grew = true);
  }
  return rows.filter(([p]) => tree.has(p)).reduce((a, [, , rss]) => a + rss, 0) / 1024;
}

/** moto's version when `python3 -m moto.server` can run here, else undefined. */
function motoVersion(): string | undefined {
  if (values["no-moto"]) return undefined;
  const r = spawnSync("python3", ["-c", "import moto.server, moto; print(moto.__version__)"], { encoding: "utf8" });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

async function serveReady(v: Variant): Promise<{ ms: number; rssMiB: number }> {
  const data = mkdtempSync(join(tmpdir(), "ec2sim-startup-"));
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  try {
    return await timeToAnswer(
      v.name,
      [...v.cmd, "serve", "--port", String(port), "--data", data],
      `http://127.0.0.1:${port}/_ec2sim/sandboxes`,
    );
  } finally {
    rmSync(data, { recursive: true, force: true });
  }
}

async function motoReady(): Promise<{ ms: number; rssMiB: number }> {
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const argv = ["python3", "-m", "moto.server", "-H", "127.0.0.1", "-p", String(port)];
  return timeToAnswer("moto", argv, `http://127.0.0.1:${port}/moto-api/`);
}

/** Spawns a server and times it until `url` gets any HTTP answer; its process tree's RSS a second later. */
async function timeToAnswer(name: string, argv: string[], url: string): Promise<{ ms: number; rssMiB: number }> {
  const t0 = performance.now();
  const proc: ChildProcess = spawn(argv[0]!, argv.slice(1), { stdio: "ignore", detached: true });
  try {
    for (const deadline = Date.now() + 60_000; ; ) {
      if (Date.now() > deadline) throw new Error(`${name}: the server did not answer within 60 s`);
      // Any HTTP answer means it is serving (the admin API may want a token: 401 counts).
      const ok = await fetch(url).then(
        (r) => r.status > 0,
        () => false,
      );
      if (ok) break;
      await sleep(5);
    }
    const ms = performance.now() - t0;
    await sleep(1_000); // at rest: the first requests' garbage settles
    return { ms, rssMiB: treeRssMiB(proc.pid!) };
  } finally {
    process.kill(-proc.pid!, "SIGTERM");
    await new Promise((r) => proc.once("exit", r));
  }
}

/** The REPL in tmux until its header (`ec2sim · default · sandbox-a 111122223333 · …`) is drawn. */
async function replFirstFrame(v: Variant): Promise<number> {
  const data = mkdtempSync(join(tmpdir(), "ec2sim-startup-repl-"));
  const session = `ec2sim-startup-${process.pid}`;
  const command = [...v.cmd, "--data", data, "--port", "0"].map((a) => `'${a}'`).join(" ");
  const t0 = performance.now();
  execFileSync("tmux", ["new-session", "-d", "-s", session, "-x", "100", "-y", "30", command]);
  try {
    for (const deadline = Date.now() + 60_000; ; ) {
      if (Date.now() > deadline) throw new Error(`${v.name}: no REPL frame within 60 s`);
      const screen = execFileSync("tmux", ["capture-pane", "-p", "-t", session], { encoding: "utf8" });
      if (/ec2sim · default · (\S+ )?\d{12}/.test(screen)) return performance.now() - t0; // alias, then account
      await sleep(5);
    }
  } finally {
    execFileSync("tmux", ["kill-session", "-t", session]);
    await sleep(300); // the REPL closes its server and releases the data dir
    rmSync(data, { recursive: true, force: true });
  }
}

const load0 = loadavg();
const samples: Record<
  string,
  { help: number[]; helpRss: number[]; serve: number[]; serveRss: number[]; repl: number[] }
> = {};
const node: { ms: number[]; rss: number[] } = { ms: [], rss: [] };
const moto = motoVersion();
const motoSamples: { serve: number[]; serveRss: number[] } = { serve: [], serveRss: [] };
if (!moto) process.stderr.write("moto: not measured (python3 cannot import moto.server here, or --no-moto)\n");
for (const v of variants) samples[v.name] = { help: [], helpRss: [], serve: [], serveRss: [], repl: [] };
for (let round = 0; round < ROUNDS; round++) {
  const n = timed([process.execPath, "-e", "0"]);
  node.ms.push(n.ms);
  node.rss.push(n.rssMiB);
  for (const v of variants) {
    const s = samples[v.name]!;
    const h = timed([...v.cmd, "--help"]);
    s.help.push(h.ms);
    s.helpRss.push(h.rssMiB);
    const r = await serveReady(v);
    s.serve.push(r.ms);
    s.serveRss.push(r.rssMiB);
    s.repl.push(await replFirstFrame(v));
  }
  if (moto) {
    const r = await motoReady();
    motoSamples.serve.push(r.ms);
    motoSamples.serveRss.push(r.rssMiB);
  }
  process.stderr.write(`round ${round + 1}/${ROUNDS}\n`);
}
const load1 = loadavg();

const f = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const m = (mib: number) => `${mib.toFixed(0)} MiB`;
const nodeMs = median(node.ms);
const lines = [
  `Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? "cpu"}; ${ROUNDS} rounds, medians; load average ${load0
    .map((x) => x.toFixed(1))
    .join(" ")} at the start, ${load1.map((x) => x.toFixed(1)).join(" ")} at the end.`,
  "",
  "| | `--help` | `serve` ready | `serve` RSS at rest | REPL first frame |",
  "|---|---|---|---|---|",
  `| \`node -e 0\` | ${f(nodeMs)} (${m(median(node.rss))}) | | | |`,
  ...variants.map((v) => {
    const s = samples[v.name]!;
    return `| ${v.name} | ${f(median(s.help))} (×${(median(s.help) / nodeMs).toFixed(1)} node) | ${f(median(s.serve))} (×${(median(s.serve) / nodeMs).toFixed(1)}) | ${m(median(s.serveRss))} | ${f(median(s.repl))} |`;
  }),
  ...(moto
    ? [
        `| moto ${moto} (\`python3 -m moto.server\`) | | ${f(median(motoSamples.serve))} (×${(median(motoSamples.serve) / nodeMs).toFixed(1)}) | ${m(median(motoSamples.serveRss))} | |`,
      ]
    : []),
];
process.stdout.write(`${lines.join("\n")}\n`);
if (values.out)
  writeFileSync(
    values.out,
    JSON.stringify({ node: process.version, load0, load1, nodeSamples: node, samples, moto, motoSamples }, null, 2),
  );
