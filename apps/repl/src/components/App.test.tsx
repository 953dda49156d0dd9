/** @jsxRuntime automatic */
/** @jsxImportSource react */
/**
 * The REPL's components rendered with ink-testing-library against a real in-process server (memory
 * store): typing, live updates, completion, history, errors, ssh, and another client's changes.
 */
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SandboxClient } from "@ec2sim/protocol";
import { type AccountInfo, type RunningSandboxServer, startServer } from "@ec2sim/server";
import { render } from "ink-testing-library";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { History } from "../state/history.ts";
import { KeyStore } from "../state/key-store.ts";
import { SandboxView } from "../view/sandbox-view.ts";
import { App } from "./App.tsx";

let server: RunningSandboxServer;
let account: AccountInfo;
let dir: string;
const cleanups: (() => unknown)[] = [];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(pred: () => boolean, what: string, frame: () => string | undefined, ms = 8_000): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (pred()) return;
    await sleep(20);
  }
  throw new Error(`timed out waiting for ${what}; screen:\n${frame()}`);
}

async function mount(opts: { columns?: number; rows?: number; account?: AccountInfo } = {}) {
  const client = await SandboxClient.connect({
    url: server.url,
    accessKeyId: (opts.account ?? account).accessKeyId,
    secretAccessKey: (opts.account ?? account).secretAccessKey,
  });
  const view = new SandboxView(client, { throttleMs: 30, costEveryMs: 200 });
  await view.start();
  const history = new History(join(dir, `history-${Math.random().toString(36).slice(2)}`));
  const keys = new KeyStore(join(dir, "keys"), { sandbox: "default", accountId: client.accountId });
  let exited = false;
  const r = render(
    <App
      client={client}
      view={view}
      keys={keys}
      history={history}
      onExit={() => (exited = true)}
      size={{ columns: opts.columns ?? 80, rows: opts.rows ?? 24 }}
    />,
  );
  cleanups.push(
    () => r.unmount(),
    () => view.stop(),
    () => client.close(),
  );
  const frame = () => (r.lastFrame() ?? "").replace(/\x1b\[[0-9;]*m/g, "");
  const type = async (text: string) => {
    for (const ch of text) r.stdin.write(ch);
    await sleep(30);
  };
  const enter = async (text: string) => {
    await type(text);
    r.stdin.write("\r");
    await sleep(30);
  };
  const until = (pred: (f: string) => boolean, what: string, ms?: number) =>
    waitFor(() => pred(frame()), what, frame, ms);
  return { r, client, view, history, keys, frame, type, enter, until, exited: () => exited };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "ec2sim-repl-test-"));
  server = await startServer({ store: "memory", port: 0, tickMs: 30, log: () => undefined });
  account = server.sandboxes[0]!.accounts[0]!;
  // a paused clock: time moves only when a test says so
  await server.host.setClock("default", { paused: true });
});

afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("the REPL screen", () => {
  it("launches with a short form; the instances table shows it pending, then running as the clock moves", async () => {
    const s = await mount();
    await s.until((f) => f.includes("No instances yet"), "the empty home screen");
    await s.enter("launch al2023 t3.micro --name web");
    await s.until((f) => f.includes("launched 1 × t3.micro"), "the launch result");
    await s.until((f) => /i-[0-9a-f]{17} web\s+◐ pending/.test(f), "a pending row");
    await s.enter("clock advance 1m");
    await s.until((f) => /web\s+● running/.test(f), "the row turning running");
    // the private key of the key pair launch made is kept, mode 600
    const pem = s.keys.pathOf("ec2sim-repl");
    expect(statSync(pem).mode & 0o777).toBe(0o600);
  });

  it("fits 80×24: never more rows than the terminal minus one, never wider than 80", async () => {
    const s = await mount({ columns: 80, rows: 24 });
    await s.enter("help");
    await s.until((f) => f.includes("Keys: Tab complete"), "help");
    const lines = s.frame().split("\n");
    expect(lines.length).toBeLessThanOrEqual(23);
    for (const l of lines) expect([...l].length).toBeLessThanOrEqual(80);
  });

  it("answers the AWS CLI's syntax with --query and --output text", async () => {
    const s = await mount();
    await s.enter(
      "ec2 describe-images --owners amazon --filters Name=name,Values=al2023-ami-2023*-x86_64 --query 'Images[].ImageId' --output text",
    );
    await s.until((f) => /ami-[0-9a-f]{17}\s+ami-[0-9a-f]{17}/.test(f), "tab-separated AMI IDs");
  });

  it("shows an error with EC2's code and a hint", async () => {
    const s = await mount();
    await s.enter("ec2 run-instances --image-id ami-0123456789abcdef0 --instance-type t3.micro");
    await s.until(
      (f) => f.includes("An error occurred (InvalidAMIID.NotFound) when calling the RunInstances"),
      "the EC2 error",
    );
    expect(s.frame()).toMatch(/hint: list AMIs/);
    expect(s.frame()).toMatch(/ami-0123456789abcdef0\]?' does not exist/);
    await s.enter("ec2 describe-imagez");
    await s.until((f) => f.includes("did you mean: ec2 describe-images"), "a suggestion");
  });

  it("completes commands, and live instance IDs with their Name tags", async () => {
    const s = await mount();
    await s.until((f) => f.includes("web"), "the instance from the first test");
    await s.type("lau");
    s.r.stdin.write("\t");
    await s.until((f) => /> launch\s*$/m.test(f), "the completed command");
    s.r.stdin.write("\u0015"); // Ctrl-U: clear the line
    await s.type("stop i-");
    s.r.stdin.write("\t");
    await s.until((f) => /> stop i-[0-9a-f]{17}\s*$/m.test(f), "the completed instance ID");
    s.r.stdin.write("\u0015");
    await s.type("ec2 describe-images --ow");
    s.r.stdin.write("\t");
    await s.until((f) => /--owners\s*$/m.test(f), "the completed flag");
  });

  it("recalls history with ↑ and searches it with Ctrl-R; Ctrl-C cancels the line", async () => {
    const s = await mount();
    await s.enter("clock");
    await s.enter("images");
    s.r.stdin.write("\u001B[A");
    await s.until((f) => f.includes("> images"), "↑ recalls 'images'");
    s.r.stdin.write("\u0003");
    await s.until((f) => f.includes("images^C"), "Ctrl-C echo");
    s.r.stdin.write("\u0012");
    await s.type("clo");
    await s.until((f) => f.includes("(reverse-i-search)'clo': clock"), "reverse search");
    s.r.stdin.write("\u0007"); // Ctrl-G leaves the search
    expect(s.history.all()).toEqual(["clock", "images"]);
  });

  it("opens an instance's shell with ssh, runs commands in it, and leaves with exit", async () => {
    const s = await mount();
    await s.enter("launch al2023 t3.micro --name shell");
    await s.until((f) => f.includes("launched"), "launch");
    await s.enter("clock advance 1m");
    await s.until((f) => /shell\s+● running/.test(f), "running");
    const id = /(i-[0-9a-f]{17}) shell/.exec(s.frame())![1]!;
    await s.enter(`ssh ${id}`);
    await s.until((f) => /\[ec2-user@ip-[0-9-]+ ~\]\$/.test(f), "the shell prompt");
    await s.enter("sudo dnf install -y nginx");
    await s.until((f) => f.includes("Complete!"), "nginx installed");
    await s.enter("echo hello > note.txt && cat note.txt");
    await s.until((f) => f.includes("\nhello"), "the file's content");
    await s.enter("exit");
    await s.until((f) => f.includes("closed.") && /\n>\s*$/.test(f), "back at the REPL prompt");
  });

  it("shows the lineage tree and the cost chart", async () => {
    const s = await mount({ columns: 100, rows: 40 });
    await s.until((f) => f.includes("shell"), "instances");
    const id = /(i-[0-9a-f]{17}) shell/.exec(s.frame())![1]!;
    await s.enter(`image create ${id} ShellAMI`);
    await s.until((f) => f.includes("ShellAMI: pending"), "image pending");
    await s.until((f) => /imaging ami-[0-9a-f]{17} ShellAMI/.test(f), "image progress");
    await s.enter("clock advance 10m");
    await s.enter("tree");
    await s.until((f) => /└─ ami-[0-9a-f]{17}\s+ShellAMI\s+available/.test(f), "the AMI under its instance");
    await s.enter("cost");
    await s.until((f) => f.includes("Cost so far") && f.includes("total"), "the cost chart");
    expect(s.frame()).toMatch(/i-[0-9a-f]{17}\s+t3\.micro/);
  });

  it("shows an instance another client launched, live", async () => {
    const s = await mount();
    const other = await SandboxClient.connect({
      url: server.url,
      accessKeyId: account.accessKeyId,
      secretAccessKey: account.secretAccessKey,
    });
    cleanups.push(() => other.close());
    const { Images } = await other.call("DescribeImages", {
      Owners: ["amazon"],
      Filters: [{ Name: "name", Values: ["al2023-ami-2023*-x86_64"] }],
    });
    await other.call("RunInstances", {
      ImageId: Images[0].ImageId,
      InstanceType: "t3.nano",
      MinCount: 1,
      MaxCount: 1,
      TagSpecifications: [{ ResourceType: "instance", Tags: [{ Key: "Name", Value: "other" }] }],
    });
    await s.until((f) => /other\s+◐ pending\s+t3\.nano/.test(f), "the other client's instance");
  });

  it("leaves on Ctrl-D", async () => {
    const s = await mount();
    s.r.stdin.write("\u0004");
    await waitFor(() => s.exited(), "exit", s.frame);
  });
});
