/** @jsxRuntime automatic */
/** @jsxImportSource react */
/**
 * The REPL's screen and keys with a fake view (rows, clock and answers set by the test) and fake
 * timers: the views (cursor, scrolling, sorting, filtering, describe, confirmed actions, view
 * switching, the keys overlay), the prompt (paste, Backspace, scrollback), start-up, and how often
 * the screen redraws. Tests wait on frames, never on sleeps. The short forms, their completion and
 * every view's keys run against a real server: App.server.test.tsx, Views.server.test.tsx.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";

// colours on, so the cursor's row (drawn in inverse) can be told apart
vi.hoisted(() => {
  process.env.FORCE_COLOR = "1";
});

import { History } from "../state/history.ts";
import { type Call, fakeSession, image, instance } from "../testing/fake-session.ts";
import { DOWN, ESC, PGDN, PGUP, UP } from "../testing/keys.ts";
import { type Screen, screen } from "../testing/screen.ts";
import { App, type Session } from "./App.tsx";

const dir = mkdtempSync(join(tmpdir(), "ec2sim-app-test-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const mounted: Screen[] = [];
afterEach(() => {
  for (const s of mounted.splice(0)) s.unmount();
  vi.useRealTimers();
});

function mount(session: Session, opts: { columns?: number; rows?: number } = {}) {
  const exits = { count: 0 };
  const s = screen(
    <App
      session={session}
      history={new History()}
      onExit={() => exits.count++}
      size={{ columns: opts.columns ?? 100, rows: opts.rows ?? 24 }}
    />,
  );
  mounted.push(s);
  return { s, exits };
}

/** The line drawn in inverse (the cursor's row), without colours. */
function selected(raw: string): string | undefined {
  const line = raw.split("\n").find((l) => l.includes("\u001b[7m") && /i-|ami-|vol-/.test(l));
  return line?.replace(/\u001b\[[0-9;]*m/g, "");
}

const rawFrame = (s: Screen) => s.r.lastFrame() ?? "";

describe("the views, k9s style", () => {
  it("draws the frame before the session is there, then the view once it connects", async () => {
    let connect!: (s: Session) => void;
    const connecting = new Promise<Session>((r) => (connect = r));
    const session = fakeSession(dir);
    session.fake.setRows("instances", [instance(1)]);
    const s = screen(
      <App connecting={connecting} starting="starting the server…" history={new History()} onExit={() => undefined} />,
    );
    mounted.push(s);
    await s.until((f) => f.includes("ec2sim · starting the server…") && f.includes(">"), "the first frame");
    connect({ ...session, greeting: [{ text: "served at http://127.0.0.1:1" }] });
    await s.until((f) => f.includes("web-1") && f.includes("served at http://127.0.0.1:1"), "the view and greeting");
  });

  it("Esc moves into the view; ↑/↓ move the cursor; PgUp/PgDn and End/Home scroll beyond the rows that fit", async () => {
    const session = fakeSession(dir);
    session.fake.setRows(
      "instances",
      Array.from({ length: 60 }, (_, n) => instance(n + 1)),
    );
    const { s } = mount(session, { rows: 24 });
    await s.until((f) => f.includes("web-60") && f.includes("60 instances"), "the newest rows, shown by default");
    expect(s.frame()).not.toContain("web-1 ");
    await s.send(ESC, (f) => f.includes("↑↓ move"), "the view focused");
    expect(selected(rawFrame(s))).toContain("web-60");
    await s.send(UP, () => !!selected(rawFrame(s))?.includes("web-59"), "the cursor one up");
    await s.send(PGUP, (f) => f.includes("below"), "a page up");
    const afterPage = selected(rawFrame(s))!;
    expect(Number(/web-(\d+)/.exec(afterPage)![1])).toBeLessThan(59);
    await s.send("g", () => !!selected(rawFrame(s))?.includes("web-1 "), "the first row (g)");
    expect(s.frame()).toMatch(/60 instances · \d+ below/);
    await s.send(PGDN, (f) => /\d+ above/.test(f), "a page down: rows above now");
    await s.send("G", () => !!selected(rawFrame(s))?.includes("web-60"), "the last row (G)");
    await s.send(DOWN, () => true, "nothing below the last row");
    expect(selected(rawFrame(s))).toContain("web-60");
    await s.send(ESC, (f) => f.includes("Esc: into the view"), "back at the prompt");
  });

  it("sorts by a column (Shift+letter, again to reverse; < and > step) and marks it ▲/▼", async () => {
    const session = fakeSession(dir);
    session.fake.setRows("instances", [
      instance(1, { name: "bravo", state: "stopped" }),
      instance(2, { name: "alpha" }),
      instance(3, { name: "charlie", state: "pending" }),
    ]);
    const { s } = mount(session);
    await s.until((f) => f.includes("charlie"), "rows");
    await s.send(ESC, (f) => f.includes("↑↓ move"), "the view focused");
    const order = (f: string) => ["alpha", "bravo", "charlie"].sort((a, b) => f.indexOf(a) - f.indexOf(b)).join(",");
    await s.send("N", (f) => f.includes("NAME▲"), "sorted by name");
    expect(order(s.frame())).toBe("alpha,bravo,charlie");
    await s.send("N", (f) => f.includes("NAME▼"), "reversed");
    expect(order(s.frame())).toBe("charlie,bravo,alpha");
    await s.send("S", (f) => f.includes("STATE▲"), "sorted by state");
    expect(order(s.frame())).toBe("charlie,alpha,bravo"); // ◐ pending, ● running, ○ stopped
    await s.send(">", (f) => f.includes("TYPE▲"), "the next column");
  });

  it("/ filters the view live as you type; Enter keeps the filter, Esc at the prompt clears it", async () => {
    const session = fakeSession(dir);
    session.fake.setRows("instances", [
      instance(1, { name: "web-a" }),
      instance(2, { name: "db-a" }),
      instance(3, { name: "web-b" }),
    ]);
    const { s } = mount(session);
    await s.until((f) => f.includes("db-a"), "rows");
    await s.send("/", (f) => f.includes("> /"), "the filter prompt");
    await s.send("w", (f) => !f.includes("db-a") && f.includes("web-a"), "filtered on the first letter");
    await s.send("eb-b", (f) => !f.includes("web-a") && f.includes("web-b"), "filtered further");
    expect(s.frame()).toContain("1 of 3 instances matching /web-b");
    await s.send("\r", (f) => f.includes("↑↓ move"), "Enter keeps it and focuses the view");
    expect(selected(rawFrame(s))).toContain("web-b");
    await s.send("/", (f) => f.includes("> /web-b"), "/ again edits the filter");
    await s.send(ESC, (f) => f.includes("db-a") && f.includes("web-a"), "Esc clears it");
  });

  it("a row keeps its place, and the cursor stays on it, when its state changes", async () => {
    const session = fakeSession(dir);
    const rows = [instance(1), instance(2), instance(3)];
    session.fake.setRows("instances", rows);
    const { s } = mount(session);
    await s.until((f) => f.includes("web-3"), "rows");
    await s.send(ESC, (f) => f.includes("↑↓ move"), "the view focused");
    await s.send(UP, () => !!selected(rawFrame(s))?.includes("web-2"), "the cursor on web-2");
    const before = s
      .frame()
      .split("\n")
      .findIndex((l) => l.includes("web-2"));
    session.fake.setRows("instances", [rows[0]!, { ...rows[1]!, state: "stopping" }, rows[2]!]);
    await s.until((f) => /web-2\s+◑ stopping/.test(f), "web-2 stopping");
    expect(
      s
        .frame()
        .split("\n")
        .findIndex((l) => l.includes("web-2")),
    ).toBe(before);
    expect(selected(rawFrame(s))).toContain("web-2");
    // a row arriving (launched elsewhere) does not move the cursor either
    session.fake.setRows("instances", [...rows, instance(4)]);
    await s.until((f) => f.includes("web-4"), "a new row");
    expect(selected(rawFrame(s))).toContain("web-2");
  });

  it("Enter describes the row: every attribute (as aws --output yaml), tags, lineage, cost and its recent events", async () => {
    const session = fakeSession(dir, (c: Call) =>
      c.action === "DescribeInstances"
        ? {
            Reservations: [
              {
                Instances: [
                  {
                    InstanceId: instance(7).id,
                    InstanceType: "t3.micro",
                    LaunchTime: "2025-01-06T09:00:07.000Z",
                    State: { Code: 16, Name: "running" },
                    Tags: [{ Key: "Name", Value: "web-7" }],
                  },
                ],
              },
            ],
          }
        : {},
    );
    session.fake.setRows("instances", [instance(7)]);
    session.fake.update({
      imageNames: { "ami-0aaaaaaaaaaaaaaa1": "al2023-ami-2023.6-x86_64" },
      costByResource: { [instance(7).id]: 0.0123 },
    });
    session.fake.events.set(instance(7).id, [
      { seq: 9, at: Date.UTC(2025, 0, 6, 9, 0, 40), text: `${instance(7).id} → running` },
    ]);
    const { s } = mount(session, { rows: 40 });
    await s.until((f) => f.includes("web-7"), "the row");
    await s.send(ESC, (f) => f.includes("↑↓ move"), "the view focused");
    const f = await s.send("\r", (x) => x.includes("InstanceType: t3.micro"), "the describe view");
    expect(f).toContain(`describe ${instance(7).id}`);
    expect(f).toContain("Cost so far: $0.01");
    expect(f).toMatch(/ami-0aaaaaaaaaaaaaaa1\s+al2023-ami-2023\.6-x86_64/);
    expect(f).toMatch(/i-0+7\s+web-7.*← this/);
    expect(f).toContain("Name = web-7");
    expect(f).toMatch(/09:00:40\s+#9\s+i-0+7 → running/);
    expect(f).toContain("LaunchTime: '2025-01-06T09:00:07+00:00'");
    expect(f).toContain("  State:\n    Code: 16\n    Name: running");
    await s.send(ESC, (x) => !x.includes("describe i-") && x.includes("web-7"), "Esc closes it");
  });

  it("action keys ask first: p then y stops the selected instance; n cancels", async () => {
    const session = fakeSession(dir, (c) =>
      c.action === "StopInstances"
        ? {
            StoppingInstances: [
              { InstanceId: instance(2).id, PreviousState: { Name: "running" }, CurrentState: { Name: "stopping" } },
            ],
          }
        : {},
    );
    session.fake.setRows("instances", [instance(1), instance(2)]);
    const { s } = mount(session);
    await s.until((f) => f.includes("web-2"), "rows");
    await s.send(ESC, (f) => f.includes("↑↓ move"), "the view focused");
    await s.send("p", (f) => f.includes(`Stop ${instance(2).id} (web-2)? [y/N]`), "the question");
    await s.send("n", (f) => !f.includes("[y/N]"), "n cancels");
    expect(session.fake.client.calls.filter((c) => c.action === "StopInstances")).toEqual([]);
    await s.send("p", (f) => f.includes("[y/N]"), "asked again");
    await s.send("y", (f) => f.includes("(web-2): running → stopping"), "stopped");
    expect(s.frame()).toContain(`> stop ${instance(2).id}`);
    expect(session.fake.client.calls.find((c) => c.action === "StopInstances")).toMatchObject({
      input: { InstanceIds: [instance(2).id] },
      region: "us-east-1",
    });
  });

  it("i asks for the image's name (editable) and creates the image from the selected instance", async () => {
    const session = fakeSession(dir, (c) => (c.action === "CreateImage" ? { ImageId: "ami-0bbbbbbbbbbbbbbb2" } : {}));
    session.fake.setRows("instances", [instance(3)]);
    const { s } = mount(session);
    await s.until((f) => f.includes("web-3"), "rows");
    await s.send(ESC, (f) => f.includes("↑↓ move"), "the view focused");
    await s.send("i", (f) => f.includes("— name: web-3-image"), "the name asked for");
    await s.send("\u007f\u007f\u007f\u007f\u007f\u007fgolden", (f) => f.includes("— name: web-3golden"), "edited");
    await s.send("\r", (f) => f.includes("ami-0bbbbbbbbbbbbbbb2 web-3golden: pending"), "created");
    expect(session.fake.client.calls.find((c) => c.action === "CreateImage")?.input).toEqual({
      InstanceId: instance(3).id,
      Name: "web-3golden",
    });
  });

  it(": switches the view (:images, :vol …); ? shows the keys and Esc closes them", async () => {
    const session = fakeSession(dir);
    session.fake.setRows("instances", [instance(1)]);
    session.fake.setRows("images", [image(1, { name: "golden" })]);
    const { s } = mount(session);
    await s.until((f) => f.includes("web-1"), "instances");
    await s.send(":images\r", (f) => f.includes("IMAGE ID") && f.includes("golden"), "the images view");
    expect(session.fake.ensured).toContain("images");
    await s.send("?", (f) => f.includes("Keys (k9s style)") && f.includes("sort by"), "the keys");
    await s.send(ESC, (f) => f.includes("golden") && !f.includes("Keys (k9s style)"), "closed");
    await s.send(":", (f) => f.includes("> :"), ": goes to the prompt");
    await s.send("vol\r", (f) => f.includes("No volumes"), "the volumes view");
    await s.send(ESC, (f) => f.includes("Esc: into the view"), "the prompt");
    await s.send(":bogus\r", (f) => f.includes("no view ':bogus'"), "an unknown view");
  });

  it("region eu-west-1 shows in the header, and commands run there", async () => {
    const session = fakeSession(dir);
    const { s } = mount(session);
    await s.until((f) => f.includes("us-east-1 ·"), "the header");
    await s.send(
      "region eu-west-1\r",
      (f) => f.includes("· eu-west-1 ·") && f.includes("commands run there"),
      "switched",
    );
    await s.send("ec2 describe-key-pairs --output text\r", () => session.fake.client.calls.length > 0, "a call");
    expect(session.fake.client.calls.at(-1)).toMatchObject({ action: "DescribeKeyPairs", region: "eu-west-1" });
  });
});

describe("the prompt", () => {
  it("a paste of two commands runs both, in order", async () => {
    const { s } = mount(fakeSession(dir), { rows: 40 });
    await s.until((f) => f.includes(">"), "the prompt");
    await s.send("help tree\rhelp cost\r", (f) => f.includes("> help cost") && f.includes("the bill so far"), "both");
    const f = s.frame();
    expect(f.indexOf("> help tree")).toBeLessThan(f.indexOf("> help cost"));
    expect(f).toContain("AMI lineage: AMI → instance");
  });

  it("two Backspaces sent in one chunk delete two characters", async () => {
    const { s } = mount(fakeSession(dir));
    await s.until((f) => f.includes(">"), "the prompt");
    await s.send("launchxx", (f) => f.includes("> launchxx"), "typed");
    await s.send("\u007f\u007f", (f) => /> launch\s*$/m.test(f), "both deleted");
  });

  it("PgUp/PgDn scroll the output back and forth", async () => {
    const { s } = mount(fakeSession(dir), { rows: 24 });
    await s.until((f) => f.includes(">"), "the prompt");
    await s.send("help\r", (f) => f.includes("Keys: Tab complete"), "long output");
    expect(s.frame()).not.toContain("> help\n");
    await s.send(PGUP, (f) => f.includes("scrolled back"), "scrolled back");
    await s.send(PGUP, (f) => f.includes("> help"), "to the top of it");
    await s.send(PGDN + PGDN + PGDN, (f) => !f.includes("scrolled back") && f.includes("Keys: Tab complete"), "back");
  });
});

describe("redrawing", () => {
  it("an idle REPL does not redraw: with the clock paused nothing is drawn; running, once a second", async () => {
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval", "setTimeout", "clearTimeout", "Date"] });
    const session = fakeSession(dir);
    session.fake.setRows(
      "instances",
      Array.from({ length: 50 }, (_, n) => instance(n + 1, { state: n % 2 ? "running" : "pending" })),
    );
    const { s } = mount(session);
    await s.until((f) => f.includes("web-50"), "rows");
    const before = s.frames();
    vi.advanceTimersByTime(10_000);
    await Promise.resolve();
    expect(s.frames() - before).toBe(0);
    session.fake.update({ clock: { ...session.fake.getSnapshot().clock, paused: false, realAtAnchor: Date.now() } });
    await s.until(() => s.frames() > before, "the clock running");
    const running = s.frames();
    for (let i = 0; i < 10; i++) {
      vi.advanceTimersByTime(1_000);
      await s.until(() => s.frames() >= running + i + 1, `tick ${i + 1}`);
    }
    expect(s.frames() - running).toBe(10);
  });

  it("redraws only when the header's clock shows another second: at ×0.25 every 4 s, at ×60 once a second", async () => {
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval", "setTimeout", "clearTimeout", "Date"] });
    const session = fakeSession(dir);
    session.fake.setRows("instances", [instance(1, { state: "pending" })]);
    const { s } = mount(session);
    await s.until((f) => f.includes("web-1") && f.includes("09:00:00"), "the paused clock");
    const clock = session.fake.getSnapshot().clock;
    session.fake.update({ clock: { ...clock, paused: false, speed: 0.25, realAtAnchor: Date.now() } });
    await s.until((f) => f.includes("×0.25"), "the clock running at ×0.25");
    const start = s.frames();
    vi.advanceTimersByTime(3_999);
    await Promise.resolve();
    expect(s.frames()).toBe(start); // 09:00:00 still: nothing to draw
    vi.advanceTimersByTime(1);
    await s.until((f) => f.includes("2025-01-06 09:00:01"), "the next second, 4 s later");
    expect(s.frames()).toBe(start + 1);

    const at = session.fake.getSnapshot().clock;
    session.fake.update({ clock: { ...at, speed: 60, simAtAnchor: session.fake.simNow(), realAtAnchor: Date.now() } });
    await s.until((f) => f.includes("×60"), "×60");
    const fast = s.frames();
    const shown: string[] = [];
    for (let i = 1; i <= 5; i++) {
      vi.advanceTimersByTime(1_000);
      await s.until(() => s.frames() >= fast + i, `second ${i}`);
      shown.push(/09:\d\d:\d\d/.exec(s.frame())![0]);
    }
    expect(s.frames() - fast).toBe(5); // not 60 a second
    expect(new Set(shown).size).toBe(5); // each frame a minute on
  });
});
