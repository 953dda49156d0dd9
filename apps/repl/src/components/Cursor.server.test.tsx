/** @jsxRuntime automatic */
/** @jsxImportSource react */
/**
 * Where the view's cursor goes when its row goes, against a real in-process server (memory store,
 * paused clock) and the REPL's live view: onto the row that took its place, as k9s does — not back
 * to the first row. Its row filtered away, or its instance terminated and gone from the list; the
 * last row gone, the one before it.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

// colours on, so the cursor's row (drawn in inverse) can be told apart
vi.hoisted(() => {
  process.env.FORCE_COLOR = "1";
});

import { DOWN, END, HOME } from "../testing/keys.ts";
import { type LiveServer, startLiveServer } from "../testing/live-server.tsx";
import type { Screen } from "../testing/screen.ts";

let live: LiveServer;
const ids: Record<string, string> = {};
const row = (n: number) => `row-${String(n).padStart(2, "0")}`;
const ec2 = (action: string, input: Record<string, unknown>): Promise<any> => live.ec2(action, input);

beforeAll(async () => {
  live = await startLiveServer("cursor");
  // a second apart, so the view's (creation) order is row-01 … row-10
  for (let n = 1; n <= 10; n++) {
    ids[row(n)] = (await live.launch(row(n)))[0]!;
    await live.server.host.advance("default", 1_000);
  }
  await live.server.host.advance("default", 60_000);
});

afterAll(() => live.close());

const mount = async (): Promise<Screen> => (await live.mount()).s;

/** The row drawn in inverse (the cursor's), without colours. */
function cursorRow(s: Screen): string | undefined {
  const plain = (l: string) => l.replace(/\u001b\[[0-9;]*m/g, "");
  const line = (s.r.lastFrame() ?? "")
    .split("\n")
    .find((l) => l.includes("\u001b[7m") && /^i-[0-9a-f]{17}/.test(plain(l)));
  return line && plain(line);
}
const cursorOn = (s: Screen, name: string) =>
  s.until(() => !!cursorRow(s)?.includes(`${name} `), `the cursor on ${name}`);
const focused = (f: string) => f.includes("↑↓ move · ⏎ describe");

describe("the cursor when its row goes", () => {
  it("filtered away, then terminated and gone from the list: onto the row that took its place; the last row gone, the one before", async () => {
    const s = await mount();
    await s.until((f) => f.includes(`${row(10)} `), "the rows");
    await s.send("\u001b", focused, "the view focused");
    await s.send(HOME, () => !!cursorRow(s)?.includes(row(1)), "row 1");
    await s.send(DOWN.repeat(3), () => !!cursorRow(s)?.includes(row(4)), "row 4");

    // row-04 stops; a filter on running instances takes it away: the cursor goes to row-05, below
    await ec2("StopInstances", { InstanceIds: [ids[row(4)]] });
    await s.until((f) => new RegExp(`${row(4)}\\s+◑ stopping`).test(f), "row-04 stopping");
    await s.send("/", (f) => /> \/\s*$/m.test(f), "the filter prompt");
    await s.send("running", (f) => f.includes("9 of 10 instances matching /running"), "filtered live");
    await s.send("\r", focused, "the filter kept");
    await cursorOn(s, row(5));
    // and the keys move from there
    await s.send(DOWN, () => !!cursorRow(s)?.includes(row(6)), "↓ from row-05: row-06");

    // row-06 is terminated: gone from the running ones, and later from the list itself
    await s.send("/", (f) => /> \/running\s*$/m.test(f), "the filter prompt again");
    await s.send("\u007f".repeat("running".length), (f) => /> \/\s*$/m.test(f), "the filter emptied");
    await s.send("\r", (f) => focused(f) && f.includes("10 instances"), "every row");
    await cursorOn(s, row(6));
    await ec2("TerminateInstances", { InstanceIds: [ids[row(6)]] });
    await live.server.host.advance("default", 60_000);
    await s.until((f) => new RegExp(`${row(6)}\\s+✕ terminat`).test(f), "row-06 terminated, still listed");
    await cursorOn(s, row(6));
    await live.server.host.advance("default", 3_600_000); // EC2 lists a terminated instance for about an hour
    await s.until((f) => !f.includes(`${row(6)} `) && f.includes("9 instances"), "row-06 gone from the list");
    await cursorOn(s, row(7));
    expect(cursorRow(s)).not.toContain(row(1));

    // the last row goes: the cursor takes the one before it
    await s.send(END, () => !!cursorRow(s)?.includes(row(10)), "the last row");
    await ec2("TerminateInstances", { InstanceIds: [ids[row(10)]] });
    await live.server.host.advance("default", 3_700_000);
    await s.until((f) => !f.includes(`${row(10)} `) && f.includes("8 instances"), "row-10 gone from the list");
    await cursorOn(s, row(9));
  });
});
