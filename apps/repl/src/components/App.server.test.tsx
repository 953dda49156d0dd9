/** @jsxRuntime automatic */
/** @jsxImportSource react */
/**
 * The REPL against a real in-process server (memory store, paused clock): short forms (what they
 * refuse, Name tags, suggestions, completion of the instances they apply to) and the AWS CLI's
 * syntax end to end, live updates from another client, ssh, the lineage and the bill, and a
 * second REPL that must find everything the first one made, in every region. Waits on frames.
 */
import { statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { SandboxClient } from "@ec2sim/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { History } from "../state/history.ts";
import { type LiveServer, startLiveServer } from "../testing/live-server.tsx";

let live: LiveServer;
const ID = "i-[0-9a-f]{17}";
const AMI = "ami-[0-9a-f]{17}";

async function mount(opts: { columns?: number; rows?: number } = {}) {
  let exited = false;
  const m = await live.mount({
    columns: opts.columns ?? 100,
    rows: opts.rows ?? 30,
    history: new History(join(live.dir, `history-${Math.random().toString(36).slice(2)}`)),
    onExit: () => (exited = true),
  });
  /** Types a line (one chunk, as a paste) and Enter, then waits for `pred`. */
  const enter = (line: string, pred: (f: string) => boolean, what: string) => m.s.send(`${line}\r`, pred, what);
  return { ...m, enter, exited: () => exited };
}

/** An EC2 action as the account, straight into the server's host (what the AWS CLI would reach). */
const ec2 = (action: string, input: Record<string, unknown>): Promise<any> => live.ec2(action, input);

/** Launches an al2023 t3.micro named `name` through EC2 (not the REPL); its ID. */
const launchNamed = async (name: string): Promise<string> => (await live.launch(name))[0]!;

// a paused clock: time moves only when a test says so
beforeAll(async () => {
  live = await startLiveServer("repl");
});

afterAll(() => live.close());

describe("the REPL on a real server", () => {
  it("launches with a short form; the instances table shows it pending, then running as the clock moves", async () => {
    const { s, enter, keys } = await mount();
    await s.until((f) => f.includes("No instances yet"), "the empty home screen");
    await enter("launch al2023 t3.micro --name web", (f) => f.includes("launched 1 × t3.micro"), "the launch");
    await s.until((f) => new RegExp(`${ID} web\\s+◐ pending`).test(f), "a pending row");
    await enter("clock advance 1m", (f) => /web\s+● running/.test(f), "the row turning running");
    // the private key of the key pair launch made is kept, mode 600
    expect(statSync(keys.pathOf("ec2sim-repl")).mode & 0o777).toBe(0o600);
  });

  it("fits 80×24: never more rows than the terminal minus one, never wider than 80", async () => {
    const { s, enter } = await mount({ columns: 80, rows: 24 });
    await enter("help", (f) => f.includes("Keys: Tab complete"), "help");
    const lines = s.frame().split("\n");
    expect(lines.length).toBeLessThanOrEqual(23);
    for (const l of lines) expect([...l].length).toBeLessThanOrEqual(80);
  });

  it("answers the AWS CLI's syntax with --query and --output, JMESPath backtick literals included", async () => {
    const { enter } = await mount();
    await enter(
      "ec2 describe-images --owners amazon --filters Name=name,Values=al2023-ami-2023*-x86_64 --query 'Images[].ImageId' --output text",
      (f) => new RegExp(`${AMI}\\s+${AMI}`).test(f),
      "tab-separated AMI IDs",
    );
    await enter(
      "ec2 describe-instances --query 'Reservations[].Instances[].[InstanceId,Tags[?Key==`Name`]|[0].Value]' --output text",
      (f) => new RegExp(`${ID}\\tweb`.replace("\\t", "\\s+")).test(f),
      "the Name tag through a backtick literal",
    );
  });

  it("prints nothing for an operation without output (modify-image-attribute), as the CLI does", async () => {
    const { s, enter } = await mount({ rows: 40 });
    const id = (await s.until((f) => new RegExp(`${ID} web`).test(f), "web"))!.match(new RegExp(`(${ID}) web`))![1]!;
    await enter(`image create ${id} AttrAMI`, (f) => /AttrAMI: pending/.test(f), "the image");
    const ami = /(ami-[0-9a-f]{17}) AttrAMI: pending/.exec(s.frame())![1]!;
    await enter(
      `ec2 modify-image-attribute --image-id ${ami} --description Value=fine`,
      (f) => /> ec2 modify-image-attribute[^\n]*\n>/.test(f),
      "an empty answer followed by the prompt",
    );
    expect(s.frame()).not.toMatch(/^\{\}$/m);
  });

  it("shows an error with EC2's code and a hint; typos get a suggestion", async () => {
    const { s, enter } = await mount();
    await enter(
      "ec2 run-instances --image-id ami-0123456789abcdef0 --instance-type t3.micro",
      (f) => f.includes("An error occurred (InvalidAMIID.NotFound) when calling the RunInstances"),
      "the EC2 error",
    );
    expect(s.frame()).toMatch(/hint: AMIs belong to one region/);
    await enter("ec2 describe-imagez", (f) => f.includes("did you mean: ec2 describe-images"), "a suggestion");
    await enter("lauch al2023", (f) => f.includes("did you mean: launch al2023?"), "a short form's suggestion");
  });

  it("the instance-store stop refusal says it is an EC2 rule", async () => {
    const { s, enter } = await mount({ rows: 40 });
    await enter(
      "ec2 describe-images --filters Name=root-device-type,Values=instance-store --query 'Images[0].ImageId' --output text",
      (f) => new RegExp(`\\n${AMI}\\n`).test(f),
      "an instance-store AMI",
    );
    const ami = new RegExp(`\\n(${AMI})\\n`).exec(s.frame())![1]!;
    await enter(
      `launch ${ami} m5d.large --name store`,
      (f) => f.replace(/\n/g, "").includes("m1.* (e.g. m1.small)"),
      "the types that can",
    );
    await enter(`launch ${ami} m3.medium --name store`, (f) => f.includes("launched 1 × m3.medium"), "launched");
    await enter("clock advance 5m", (f) => /store\s+● running/.test(f), "running");
    await enter("stop store", (f) => f.includes("An error occurred (UnsupportedOperation)"), "refused");
    expect(s.frame()).toContain("hint: an EC2 rule: an instance-store-backed instance cannot be stopped");
    expect(s.frame()).not.toContain("does not model");
  });

  it("completes commands, and live instance IDs from their Name tags", async () => {
    const { s } = await mount();
    await s.until((f) => f.includes("web"), "the instance from the first test");
    await s.send("lau\t", (f) => /> launch\s*$/m.test(f), "the completed command");
    await s.send("\u0015", (f) => /^>\s*$/m.test(f), "Ctrl-U clears the line");
    await s.send("ssh we\t", (f) => new RegExp(`> ssh ${ID}\\s*$`, "m").test(f), "web completed to its ID");
    await s.send("\u0015", (f) => /^>\s*$/m.test(f), "cleared");
    await s.send("ec2 describe-images --ow\t", (f) => /--owners\s*$/m.test(f), "the completed flag");
  });

  it("recalls history with ↑ and searches it with Ctrl-R; Ctrl-C cancels the line", async () => {
    const { s, enter, history } = await mount();
    await enter("clock", (f) => f.includes("clock 2025-"), "clock");
    await enter("images", (f) => f.includes("> images") && f.includes("AttrAMI"), "images");
    await s.send("\u001B[A", (f) => /> images\s*$/m.test(f), "↑ recalls 'images'");
    await s.send("\u0003", (f) => f.includes("images^C"), "Ctrl-C echo");
    await s.send("\u0012", (f) => f.includes("(reverse-i-search)"), "reverse search");
    await s.send("clo", (f) => f.includes("(reverse-i-search)'clo': clock"), "found");
    s.r.stdin.write("\u0007"); // Ctrl-G leaves the search
    expect(history.all()).toEqual(["clock", "images"]);
  });

  it("opens an instance's shell with ssh (by Name tag, or with -i FILE), runs commands in it, and leaves with exit", async () => {
    const { enter, keys } = await mount({ rows: 40 });
    await enter(
      "launch al2023 t3.micro --name shell",
      (f) => /launched 1 × t3\.micro[^\n]*\n[^\n]*shell/.test(f) || f.includes("launched"),
      "launch",
    );
    await enter("clock advance 1m", (f) => /shell\s+● running/.test(f), "running");
    await enter("ssh shell", (f) => /\[ec2-user@ip-[0-9-]+ ~\]\$/.test(f), "the shell prompt");
    await enter("sudo dnf install -y nginx", (f) => f.includes("Complete!"), "nginx installed");
    await enter("echo hello > note.txt && cat note.txt", (f) => f.includes("\nhello"), "the file's content");
    await enter("exit", (f) => f.includes("closed.") && /\n>\s*$/.test(f), "back at the REPL prompt");
    // ssh -i FILE: the key file a user has (here: a copy of the one the REPL kept)
    const file = join(live.dir, "my-key.pem");
    writeFileSync(file, keys.load("ec2sim-repl")!, { mode: 0o600 });
    await enter(`ssh -i ${file} ec2-user@shell`, (f) => f.includes(`ssh -i ${file} ec2-user@`), "connected with -i");
    await enter("whoami", (f) => f.includes("\nec2-user"), "logged in");
    await enter("exit", (f) => /closed\.\n>\s*$/.test(f), "left");
    await enter(`ssh -i ${join(live.dir, "nope.pem")} shell`, (f) => f.includes("Identity file"), "a missing file");
  });

  it("decodes get-console-output as the CLI does", async () => {
    const { s, enter } = await mount({ rows: 40 });
    const id = new RegExp(`(${ID}) shell`).exec(await s.until((f) => f.includes("shell"), "shell"))![1]!;
    await enter(
      `ec2 get-console-output --instance-id ${id} --query Output --output text`,
      (f) => /Linux version|cloud-init|login:/.test(f),
      "readable console text",
    );
  });

  it("shows the lineage tree and the cost chart", async () => {
    const { s, enter } = await mount({ columns: 100, rows: 40 });
    const id = new RegExp(`(${ID}) shell`).exec(await s.until((f) => f.includes("shell"), "instances"))![1]!;
    await enter(`image create ${id} ShellAMI`, (f) => f.includes("ShellAMI: pending"), "image pending");
    await s.until((f) => /imaging ami-[0-9a-f]{17} ShellAMI/.test(f), "image progress");
    await enter("clock advance 10m", (f) => f.includes("clock advanced 10m"), "time passes");
    await enter("tree", (f) => /└─ ami-[0-9a-f]{17}\s+ShellAMI\s+available/.test(f), "the AMI under its instance");
    await enter("cost", (f) => f.includes("Cost so far") && f.includes("total"), "the cost chart");
    expect(s.frame()).toMatch(/i-[0-9a-f]{17}\s+t3\.micro/);
  });

  it("shows an instance another client launched, live", async () => {
    const { s } = await mount();
    const other = await SandboxClient.connect({
      url: live.server.url,
      accessKeyId: live.account.accessKeyId,
      secretAccessKey: live.account.secretAccessKey,
    });
    live.onClose(() => other.close());
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

  it("a second REPL finds everything in every region: instances and AMI copies, names of public AMIs", async () => {
    const first = await mount({ rows: 40 });
    const ami = new RegExp(`(${AMI}) ShellAMI`).exec(
      await first.enter("images", (f) => f.includes("ShellAMI"), "images"),
    )![1]!;
    await first.enter(`image copy ${ami} eu-west-1 ShellCopy`, (f) => f.includes("eu-west-1 ami-"), "the copy");
    await first.enter("clock advance 10m", (f) => f.includes("clock advanced 10m"), "the copy completes");
    await first.enter(
      "launch ShellCopy t3.micro --name euro --region eu-west-1",
      (f) => f.includes("in eu-west-1"),
      "an instance in eu-west-1",
    );
    // a REPL started now knows nothing of where things are
    const second = await mount({ columns: 120, rows: 40 });
    await second.s.until((f) => /euro\s+◐ pending\s+t3\.micro\s+eu-west-1/.test(f), "eu-west-1's instance in the pane");
    expect(second.s.frame()).toMatch(/web\s+● running.*al2023/);
    expect(second.s.frame()).not.toContain("(unavailable)");
    await second.enter("images", (f) => /ShellCopy\s+available\s+eu-west-1/.test(f), "the copy in images");
    await second.enter("tree", (f) => /ShellCopy \(copy in eu-west-1\)/.test(f), "the copy in the tree");
    expect(second.s.frame()).toMatch(/ami-[0-9a-f]{17}\s+al2023-ami-2023/);
    expect(second.s.frame()).not.toContain("(not yours)");
    // completion offers the AMI of the region commands run in, not the copy in eu-west-1
    await second.s.send("launch Shell\t", (f) => /> launch ShellAMI\s*$/m.test(f), "completed to ShellAMI alone");
  });

  it("launch NAME after image deregister names the region of the copy left, and completion no longer offers it", async () => {
    const { s, enter } = await mount({ rows: 40 });
    await enter("image deregister ShellAMI", (f) => /ShellAMI, us-east-1\): deregistered/.test(f), "deregistered");
    await enter(
      "launch ShellCopy",
      (f) => f.includes("your AMI 'ShellCopy' is in eu-west-1, not us-east-1"),
      "the region the copy is in",
    );
    expect(s.frame()).not.toContain("not available yet");
    await enter("launch ShellAMI", (f) => f.includes("no available image called 'ShellAMI' in us-east-1"), "gone");
    await s.send("launch Shell\t", (f) => /> launch Shell\s*$/m.test(f), "nothing to complete");
    expect(s.frame()).not.toMatch(/^ {3}Shell(AMI|Copy)\b/m); // no candidate either (they sit under the prompt's line)
  });

  it("short forms refuse what they do not know, take Name tags, and suggest the command meant", async () => {
    const { s, enter } = await mount({ rows: 40 });
    const id = await launchNamed("cats-2");
    await live.server.host.advance("default", 60_000);
    await ec2("StopInstances", { InstanceIds: [id] });
    await live.server.host.advance("default", 60_000);
    await s.until((f) => /cats-2\s+○ stopped/.test(f), "cats-2 stopped");
    await enter("images --bogus", (f) => f.includes("images: unexpected argument '--bogus'"), "refused");
    await enter("instances cats", (f) => f.includes("instances: unexpected argument 'cats'"), "refused");
    await enter("strat cats-2", (f) => f.includes("did you mean: start cats-2?"), "suggested");
    await enter("start cats-2", (f) => f.includes(`${id} (cats-2): stopped → pending`), "by its Name tag");
    await s.until((f) => /cats-2\s+◐ pending/.test(f), "the row pending");
    await enter("stop cats-9", (f) => f.includes("no instance with ID or Name tag 'cats-9'"), "an unknown name");
    expect(s.frame()).toContain("did you mean cats-2?");
  });

  it("stop then Tab offers the running instances only; Tab puts each in the line in turn, Shift-Tab goes back", async () => {
    const running = [await launchNamed("zq-1"), await launchNamed("zq-2")];
    const stopped = await launchNamed("zq-3");
    await live.server.host.advance("default", 60_000);
    await ec2("StopInstances", { InstanceIds: [stopped] });
    await live.server.host.advance("default", 60_000);
    const { s } = await mount({ rows: 40 });
    await s.until((f) => /zq-3\s+○ stopped/.test(f) && /zq-2\s+● running/.test(f), "the rows");
    await s.send("stop zq", (f) => /> stop zq\s*$/m.test(f), "typed");
    const menu = await s.send("\t", (f) => f.includes("zq-1 (running") && f.includes("zq-2 (running"), "the menu");
    expect(menu).not.toContain("zq-3 (stopped");
    // the candidates in the order shown
    const shown = [...menu.matchAll(new RegExp(`^ +(${ID}) +zq-\\d \\(running`, "gm"))].map((m) => m[1]!);
    expect([...shown].sort()).toEqual([...running].sort());
    await s.send("\t", (f) => new RegExp(`> stop ${shown[0]}\\s*$`, "m").test(f), "the first");
    await s.send("\t", (f) => new RegExp(`> stop ${shown[1]}\\s*$`, "m").test(f), "the second");
    await s.send("\u001b[Z", (f) => new RegExp(`> stop ${shown[0]}\\s*$`, "m").test(f), "Shift-Tab: the first again");
  });

  it("leaves on Ctrl-D", async () => {
    const { s, exited } = await mount();
    await s.until((f) => f.includes(">"), "the prompt");
    s.r.stdin.write("\u0004");
    await s.until(() => exited(), "exit");
  });
});
