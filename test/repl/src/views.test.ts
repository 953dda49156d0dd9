/**
 * The real `ec2sim` command in tmux, as k9s and aws-shell users would use it: a paste of two
 * commands runs both; Esc into the view, move, filter, describe, and stop an instance from the
 * keyboard after a confirm step; a second REPL (`--connect`) finds every region's instances and AMI
 * copies and the names of public AMIs; after Ctrl-D and a restart the clock the user saw has not
 * gone back.
 */
import { readFileSync } from "node:fs";
import { type AddressInfo, createServer } from "node:net";
import { join } from "node:path";
import { tempDir } from "@ec2sim/test-harness";
import { afterAll, describe, expect, it } from "vitest";
import { hasTmux, startTerminal, type Terminal } from "./tmux.ts";

const ID = "i-[0-9a-f]{17}";
const terminals: Terminal[] = [];
const data = tempDir("views");
afterAll(async () => {
  for (const t of terminals) await t.close();
  data.remove();
});

async function open(
  args: string[],
  opts: { columns?: number; rows?: number; dataDir?: string; env?: Record<string, string> } = {},
) {
  if (!(await hasTmux())) throw new Error("tmux is required by the REPL's end-to-end tests: apt-get install -y tmux");
  const t = await startTerminal(args, opts);
  terminals.push(t);
  return t;
}

/** The row drawn in inverse video (the view's cursor), without escape codes. */
async function cursorRow(t: Terminal): Promise<string | undefined> {
  const raw = await t.rawScreen();
  // tmux writes attributes as SGR codes; 7 is inverse
  const line = raw.split("\n").find((l) => /\x1b\[[0-9;]*\b7m/.test(l) && new RegExp(ID).test(l));
  return line?.replace(/\x1b\[[0-9;]*m/g, "");
}

/** Polls the cursor's row until it matches (with a deadline). */
async function cursorOn(t: Terminal, pattern: RegExp, what: string): Promise<string> {
  const until = Date.now() + 20_000;
  let row: string | undefined;
  while (Date.now() < until) {
    row = await cursorRow(t);
    if (row && pattern.test(row)) return row;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for the cursor on ${what}; it was on: ${row}\n${await t.screen()}`);
}

/** A header: its clock and the bill at its right end. */
const HEADER = /^ec2sim · [^\n]*(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) ×[^\n]* \$([\d.,]+)\s*$/gm;

/** The bill at the header's right end ($0, $0.0012, $0.89, $1,234). */
async function headerBill(t: Terminal): Promise<number> {
  const m = await t.waitFor(/^ec2sim · [^\n]* \$([\d.,]+)\s*$/m, "the header's bill");
  return Number(m[1]!.replace(/,/g, ""));
}

async function headerTime(t: Terminal): Promise<number> {
  const m = await t.waitFor(/(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) ×/, "the header's clock");
  return Date.parse(`${m[1]!.replace(" ", "T")}Z`);
}

describe("the REPL's views and keys in a terminal", () => {
  it("a paste of two commands runs both; Esc, ↑, / filter, Enter describe, p then y stops — from the keyboard", async () => {
    const t = await open(["--port", "0"], { columns: 100, rows: 30 });
    await t.waitFor(/served at http:\/\/127\.0\.0\.1:\d+/, "the endpoint", 60_000);
    await t.enter("launch al2023 t3.micro --count 2 --name web");
    await t.enter("launch al2023 t3.micro --name db");
    await t.enter("clock advance 1m");
    await t.waitFor(/db\s+● running/, "db running");
    await t.waitFor(/web\s+● running[\s\S]*web\s+● running/, "both web running");

    // one chunk, two commands
    await t.type("tree\rimages\r");
    await t.waitFor(/> tree\n[\s\S]*AMI lineage[\s\S]*> images\nYou own no AMIs yet/, "both commands' output");

    await t.key("Escape");
    await t.waitFor(/↑↓ move · ⏎ describe/, "the view focused");
    await t.waitFor(/3 instances/, "the rows");
    await cursorOn(t, /db\s+● running/, "db, the newest row");
    await t.key("Up");
    await cursorOn(t, /web\s+● running/, "a web row");

    await t.type("/");
    await t.waitFor(/> \/\s*$/m, "the filter prompt");
    await t.type("db");
    await t.waitFor(/1 of 3 instances matching \/db/, "filtered live");
    // the terminal shows what the frame holds: no web row left above the new footer (Ink's incremental
    // writer once left them there), the header still on the top row
    const filtered = await t.screen();
    expect(filtered).not.toMatch(new RegExp(`^${ID} web`, "m"));
    expect(filtered).toMatch(
      new RegExp(`^ec2sim · [^\\n]*\\nINSTANCE ID[^\\n]*\\n${ID} db [^\\n]*\\n1 of 3 instances matching /db`),
    );
    await t.key("Enter");
    await t.waitFor(/↑↓ move/, "back in the view, filter kept");
    const db = new RegExp(`(${ID}) db`).exec(await cursorOn(t, /db/, "db"))?.[1];
    expect(db).toBeDefined();

    await t.key("Enter");
    await t.waitFor(
      new RegExp(`describe ${db}[\\s\\S]*${db} \\(db\\) · instance in us-east-1 · running`),
      "the describe view",
    );
    await t.waitFor(/Attributes \(DescribeInstances[\s\S]*AmiLaunchIndex: 0/, "every attribute");
    await t.key("PageDown");
    await t.waitFor(/InstanceType: t3\.micro/, "further down, a page on");
    await t.key("Escape");
    await t.waitFor(/1 of 3 instances matching \/db/, "closed");

    await t.type("p");
    await t.waitFor(new RegExp(`Stop ${db} \\(db\\)\\? \\[y/N\\]`), "the confirm step");
    await t.type("y");
    await t.waitFor(new RegExp(`> stop ${db}\\n${db} \\(db\\): running → stopping`), "stopped after yes");
    await t.waitFor(/db\s+◑ stopping/, "the row stopping");

    await t.key("C-d");
    await t.waitFor(/\[ec2sim exited 0\]/, "a clean exit");
  }, 240_000);

  it("a second REPL finds every region's resources and public AMI names; a restart never takes the clock back", async () => {
    const t = await open(["--port", "0", "--speed", "60"], { columns: 120, rows: 32, dataDir: data.dir });
    const url = (await t.waitFor(/served at (http:\/\/127\.0\.0\.1:\d+)/, "the endpoint", 60_000))[1]!;
    await t.enter("launch al2023 t3.micro --name cats-1");
    await t.enter("launch al2023 t3.micro --name euro --region eu-west-1");
    await t.waitFor(/euro\s+◐ pending\s+t3\.micro\s+eu-west-1a/, "the instance in eu-west-1");
    await t.enter("clock advance 2m");
    await t.waitFor(/cats-1\s+● running/, "cats-1 running");
    await t.enter("image create cats-1 MyAMI");
    await t.waitFor(/MyAMI: pending/, "the image");
    await t.enter("clock advance 10m");
    await t.enter("image copy MyAMI eu-west-1 MyAMICopy");
    await t.waitFor(/eu-west-1 ami-[0-9a-f]{17}: copy of/, "the copy", 60_000);
    await t.enter("clock advance 10m");

    // another REPL on the same server knows nothing yet of where things are (it takes the accounts'
    // keys from the admin API, with the token of the first REPL's server)
    const token = readFileSync(join(data.dir, "admin-token"), "utf8").trim();
    const other = await open(["--connect", url.replace("http", "ws")], {
      columns: 120,
      rows: 32,
      env: { EC2SIM_ADMIN_TOKEN: token },
    });
    await other.waitFor(/euro\s+● running\s+t3\.micro\s+eu-west-1a/, "eu-west-1's instance in the pane", 60_000);
    await other.waitFor(/cats-1\s+● running[^\n]*ami-[0-9a-f]{8}… al2023/, "the public AMI's name");
    expect(await other.screen()).not.toContain("(unavailable)");
    await other.enter("images");
    await other.waitFor(/MyAMICopy\s+available\s+eu-west-1/, "the copy among the images");
    await other.enter("tree");
    await other.waitFor(
      /al2023-ami-2023[\s\S]*cats-1[\s\S]*MyAMI[\s\S]*MyAMICopy \(copy in eu-west-1\)/,
      "the lineage",
    );
    await other.key("C-d");
    await other.waitFor(/\[ec2sim exited 0\]/, "the second REPL left");

    // what the user saw last, then a restart on the same data
    const seen = await headerTime(t);
    const billSeen = await headerBill(t);
    await t.key("C-d");
    await t.waitFor(/\[ec2sim exited 0\]/, "a clean exit");
    // the final frame stays in the terminal (the shell's line after it scrolls its header off the
    // screen, so read the last header in the scrollback)
    const final = [...(await t.scrollback()).matchAll(HEADER)].at(-1);
    expect(final, "the final frame's header").toBeDefined();
    const last = Math.max(seen, Date.parse(`${final![1]!.replace(" ", "T")}Z`));
    const lastBill = Math.max(billSeen, Number(final![2]!.replace(/,/g, "")));
    expect(lastBill).toBeGreaterThan(0);
    const again = await open(["--port", "0", "--speed", "60"], { columns: 120, rows: 32, dataDir: data.dir });
    await again.waitFor(/euro\s+● running/, "the sandbox again", 60_000);
    const after = await headerTime(again);
    expect(after).toBeGreaterThanOrEqual(last);
    // the bill is read a moment after the rows: wait for it to show, then it must not have fallen
    await again.waitFor(/^ec2sim · [^\n]* \$(?!0\s*$)[\d.,]+\s*$/m, "the bill again");
    expect(await headerBill(again)).toBeGreaterThanOrEqual(lastBill);
    await again.key("C-d");
    await again.waitFor(/\[ec2sim exited 0\]/, "a clean exit");
  }, 300_000);

  it("draws the frame at once and loads behind it: a --connect to a server that does not answer still shows it", async () => {
    // a server that takes the connection and never answers
    const silent = createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, "127.0.0.1", r));
    const port = (silent.address() as AddressInfo).port;
    try {
      const t = await open(["--connect", `ws://127.0.0.1:${port}`], { columns: 100, rows: 24 });
      await t.waitFor(new RegExp(`ec2sim · connecting to ws://127\\.0\\.0\\.1:${port}…`), "the header", 60_000);
      await t.waitFor(/^>\s*$/m, "the prompt");
      await t.enter("launch al2023");
      await t.waitFor(/still starting: run it again in a moment/, "an answer while it loads");
    } finally {
      silent.close();
    }
  }, 120_000);
});
