/** @jsxRuntime automatic */
/** @jsxImportSource react */
/**
 * The frame's height, against a real in-process server (memory store, paused clock): at 80×24 and
 * 120×35, in every view and overlay, with long output, wide characters (CJK and emoji Name tags),
 * work in progress, the completion menu open, output scrolled back and a confirm step, the frame is
 * exactly one row shorter than the terminal and no row is wider than it. A taller frame scrolls
 * the terminal and Ink's incremental writer then leaves stale rows on it (issue 17); one as tall
 * makes Ink clear the screen on every redraw.
 */
import stringWidth from "string-width";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CTRL_C, DOWN, ESC, PGDN, PGUP, TAB } from "../testing/keys.ts";
import { type LiveServer, startLiveServer } from "../testing/live-server.tsx";
import type { Screen } from "../testing/screen.ts";

let live: LiveServer;
const WIDE = ["猫の写真サーバー", "🐱🐱-emoji-box", "データベース"];
const ec2 = (action: string, input: Record<string, unknown>): Promise<any> => live.ec2(action, input);

beforeAll(async () => {
  live = await startLiveServer("frame");
  await live.launch("fleet", 30);
  for (const name of WIDE) await live.launch(name);
  await live.server.host.advance("default", 120_000);
  const { Reservations } = await ec2("DescribeInstances", {});
  await ec2("CreateImage", { InstanceId: Reservations[0].Instances[0].InstanceId, Name: "golden" });
  await ec2("CreateKeyPair", { KeyName: "deploy-key" });
  await live.server.host.advance("default", 15 * 60_000); // the image (and its snapshot) complete
  // five still booting: the work-in-progress pane at its fullest (three, and "2 more")
  await live.launch("booting", 5);
});

afterAll(() => live.close());

const mount = async (columns: number, rows: number): Promise<Screen> =>
  (await live.mount({ columns, rows, inkColumns: true })).s;

describe.each([
  [80, 24],
  [120, 35],
])("at %i×%i the frame is one row shorter than the terminal", (columns, rows) => {
  it("in every view and overlay, with long and wide output, completions, scrollback and confirm steps", async () => {
    const s = await mount(columns, rows);
    const seen: string[] = [];
    /** Waits for `pred`, then checks the frame's height, its width and that the header and prompt are in it. */
    const at = async (what: string, pred: (f: string) => boolean, send?: string) => {
      const f = send === undefined ? await s.until(pred, what) : await s.send(send, pred, what);
      const lines = f.split("\n");
      expect(lines.length, `${what}: rows\n${f}`).toBe(rows - 1);
      for (const l of lines)
        expect(stringWidth(l), `${what}: a row wider than ${columns}:\n${l}`).toBeLessThanOrEqual(columns);
      expect(lines[0], `${what}: the header on top`).toMatch(/^ec2sim · default · /);
      expect(lines.at(-1), `${what}: the prompt at the bottom`).toMatch(/^>|\[y\/N\]|— name:/);
      seen.push(what);
    };
    await at("the home screen, three booting", (f) => f.includes("booting i-") && f.includes("2 more in progress"));
    await at("long output", (f) => f.includes("Keys: Tab complete"), "help\r");
    await at(
      "wide characters in the output",
      (f) => WIDE.every((w) => f.includes(w.slice(0, 2))) && /\n>\s*$/.test(f),
      "ec2 describe-instances --query 'Reservations[].Instances[].Tags[].Value' --output text\r",
    );
    await at("output scrolled back", (f) => f.includes("scrolled back"), PGUP);
    await at("scrolled to the newest again", (f) => !f.includes("scrolled back"), PGDN + PGDN + PGDN + PGDN);
    await at("the completion menu", (f) => /… \d+ more: Tab cycles/.test(f), `ec2 describe-${TAB}`);
    await at("a candidate put in the line", (f) => /> ec2 describe-\S+/.test(f), TAB);
    await at("the line cancelled", (f) => !f.includes("more: Tab cycles") && /\n>\s*$/.test(f), CTRL_C);
    await at("the table focused", (f) => f.includes("↑↓ move · ⏎ describe"), ESC);
    await at("the filter prompt", (f) => /\n> \/\s*$/.test(f), "/");
    await at("a wide Name tag filtered live", (f) => f.includes("1 of 38 instances matching /猫"), "猫");
    await at("the filter kept", (f) => f.includes("matching /猫") && f.includes("↑↓ move"), "\r");
    await at("describe", (f) => f.includes("Esc closes, r reads again") && f.includes("猫の"), "\r");
    await at("describe, a page down", (f) => / lines \d+-\d+ of \d+/.test(f), PGDN);
    await at("back from describe", (f) => f.includes("matching /猫") && !f.includes("Esc closes"), ESC);
    await at("a confirm step", (f) => /Stop i-[0-9a-f]{17} \(猫の写真サーバー\)\? \[y\/N\]/.test(f), "p");
    await at("cancelled", (f) => !f.includes("[y/N]"), "n");
    await at("a confirm step that asks for a name", (f) => f.includes("— name: 猫の写真サーバー-image"), "i");
    await at("cancelled again", (f) => !f.includes("— name:"), ESC);
    await at("the keys", (f) => f.includes("Keys (k9s style)"), "?");
    await at("the keys closed", (f) => !f.includes("Keys (k9s style)"), ESC);
    await at("the filter again", (f) => /\n> \/猫\s*$/.test(f), "/");
    await at("the filter cleared", (f) => f.includes("38 instances") && !f.includes("matching"), `${"\u007f"}\r`);
    await at("the cursor moved down", (f) => f.includes("↑↓ move"), DOWN + DOWN);
    for (const [view, header] of [
      ["images", "IMAGE ID"],
      ["vol", "VOLUME ID"],
      ["snapshots", "SNAPSHOT ID"],
      ["sg", "GROUP ID"],
      ["keys", "KEY PAIR ID"],
      ["vpcs", "VPC ID"],
      ["subnets", "SUBNET ID"],
      ["instances", "INSTANCE ID"],
    ] as const) {
      await at(`: for ${view}`, (f) => /\n> :\s*$/.test(f), ":");
      await at(`:${view}`, (f) => f.includes(header) && f.includes("↑↓ move"), `${view}\r`);
    }
    expect(seen.length).toBe(40);
  });
});
