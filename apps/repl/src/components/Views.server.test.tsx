/** @jsxRuntime automatic */
/** @jsxImportSource react */
/**
 * Every view and every view key, on the screen a user sees, against a real in-process server
 * (memory store, paused clock) and the REPL's real live view: the resources are made through the
 * server's EC2 actions, the keys go in as terminal bytes, and each test waits on frames.
 * Views: instances, images, volumes, snapshots, security groups, key pairs, VPCs, subnets. Keys:
 * Esc, ↑/↓, PgUp/PgDn, Home/End (g/G), sort (Shift+letter, < >), / filter, Enter/d describe (r,
 * PgDn, Esc), : switch, ? keys, and stop/start/reboot/terminate/ssh/image (launch/copy/deregister
 * in the images view) with their confirm step, answered and cancelled. And the header: region and
 * account switching.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

// colours on, so the cursor's row (drawn in inverse) can be told apart
vi.hoisted(() => {
  process.env.FORCE_COLOR = "1";
});

import { REGIONS } from "@ec2sim/core";
import { History } from "../state/history.ts";
import { DOWN, END, ESC, HOME, PGDN, PGUP, UP } from "../testing/keys.ts";
import { type LiveServer, startLiveServer } from "../testing/live-server.tsx";
import { type Screen, screen } from "../testing/screen.ts";
import { App } from "./App.tsx";

let live: LiveServer;
/** IDs of what beforeAll made, by name. */
const made: Record<string, string> = {};
const FLEET = 24;
const fleet = (n: number) => `fleet-${String(n).padStart(2, "0")}`;

/** An EC2 action as the account, straight into the server's host (what the AWS CLI would reach). */
const ec2 = (action: string, input: Record<string, unknown>, region = "us-east-1"): Promise<any> =>
  live.ec2(action, input, region);
const nameTag = (type: string, name: string) => [{ ResourceType: type, Tags: [{ Key: "Name", Value: name }] }];

const launch = async (name: string): Promise<string> => (await live.launch(name))[0]!;

beforeAll(async () => {
  live = await startLiveServer("views");
  made.al2023 = await live.al2023();
  // one instance a second apart, so the default (creation) order is fleet-01 … fleet-24
  for (let n = 1; n <= FLEET; n++) {
    made[fleet(n)] = await launch(fleet(n));
    await live.server.host.advance("default", 1_000);
  }
  await live.server.host.advance("default", 60_000);
  made.golden = (await ec2("CreateImage", { InstanceId: made[fleet(1)], Name: "golden", NoReboot: true })).ImageId;
  const vol = await ec2("CreateVolume", {
    AvailabilityZone: "us-east-1a",
    Size: 8,
    VolumeType: "gp3",
    TagSpecifications: nameTag("volume", "data-vol"),
  });
  made.dataVol = vol.VolumeId;
  made.nightly = (await ec2("CreateSnapshot", { VolumeId: vol.VolumeId, Description: "nightly" })).SnapshotId;
  const sg = await ec2("CreateSecurityGroup", { GroupName: "web-sg", Description: "web servers" });
  made.webSg = sg.GroupId;
  await ec2("AuthorizeSecurityGroupIngress", {
    GroupId: sg.GroupId,
    IpPermissions: [{ IpProtocol: "tcp", FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: "203.0.113.0/24" }] }],
  });
  made.deployKey = (await ec2("CreateKeyPair", { KeyName: "deploy-key" })).KeyPairId;
  const vpc = await ec2("CreateVpc", { CidrBlock: "10.20.0.0/16", TagSpecifications: nameTag("vpc", "lab-vpc") });
  made.labVpc = vpc.Vpc.VpcId;
  const subnet = await ec2("CreateSubnet", {
    VpcId: vpc.Vpc.VpcId,
    CidrBlock: "10.20.1.0/24",
    AvailabilityZone: "us-east-1b",
    TagSpecifications: nameTag("subnet", "lab-subnet"),
  });
  made.labSubnet = subnet.Subnet.SubnetId;
  await live.server.host.advance("default", 15 * 60_000); // the image and the snapshot complete
});

afterAll(() => live.close());

async function mount(opts: { columns?: number; rows?: number } = {}): Promise<Screen> {
  return (await live.mount({ columns: opts.columns ?? 120, rows: opts.rows ?? 24 })).s;
}

/** The row drawn in inverse (the cursor's), without colours. */
function cursorRow(s: Screen): string | undefined {
  const plain = (l: string) => l.replace(/\u001b\[[0-9;]*m/g, "");
  const line = (s.r.lastFrame() ?? "")
    .split("\n")
    .find((l) => l.includes("\u001b[7m") && /^[a-z]+-[0-9a-f]{8}/.test(plain(l)));
  return line && plain(line);
}
const cursorOn = (s: Screen, text: string) =>
  s.until(() => !!cursorRow(s)?.includes(`${text} `), `the cursor on ${text}`);
/** Which of `names` are drawn, top to bottom. */
const order = (frame: string, names: string[]) =>
  names.filter((n) => frame.includes(`${n} `)).sort((a, b) => frame.indexOf(`${a} `) - frame.indexOf(`${b} `));
const focused = (f: string) => f.includes("↑↓ move · ⏎ describe");

describe("every view, switched to with :", () => {
  const VIEWS: { open: string; header: RegExp; filter: string; row: (f: string) => boolean; attribute: string }[] = [
    {
      open: "images",
      header: /IMAGE ID\s+NAME\s+STATE\s+REGION\s+FROM/,
      filter: "golden",
      row: (f) => new RegExp(`${made.golden}\\s+golden\\s+available\\s+us-east-1\\s+${made[fleet(1)]}`).test(f),
      attribute: "Name: golden",
    },
    {
      open: "vol",
      header: /VOLUME ID\s+NAME\s+STATE\s+SIZE\s+TYPE\s+AZ/,
      filter: "data-vol",
      row: (f) => new RegExp(`${made.dataVol}\\s+data-vol\\s+available\\s+8 GiB\\s+gp3\\s+us-east-1a`).test(f),
      attribute: "VolumeType: gp3",
    },
    {
      open: "snapshots",
      header: /SNAPSHOT ID\s+STATE\s+PROGRESS\s+VOLUME\s+SIZE\s+DESCRIPTION/,
      filter: "nightly",
      row: (f) => new RegExp(`${made.nightly}\\s+completed\\s+100%\\s+${made.dataVol}\\s+8 GiB\\s+nightly`).test(f),
      attribute: "Description: nightly",
    },
    {
      open: "sg",
      header: /GROUP ID\s+NAME\s+VPC\s+REGION\s+INBOUND/,
      filter: "web-sg",
      row: (f) =>
        new RegExp(`${made.webSg}\\s+web-sg\\s+vpc-[0-9a-f]+\\s+us-east-1\\s+tcp/22 203\\.0\\.113\\.0/24`).test(f),
      attribute: "GroupName: web-sg",
    },
    {
      open: "keys",
      header: /KEY PAIR ID\s+NAME\s+TYPE\s+REGION\s+FINGERPRINT/,
      filter: "deploy",
      row: (f) => new RegExp(`${made.deployKey}\\s+deploy-key\\s+rsa\\s+us-east-1`).test(f),
      attribute: "KeyName: deploy-key",
    },
    {
      open: "vpcs",
      header: /VPC ID\s+NAME\s+CIDR\s+STATE\s+DEFAULT\s+REGION/,
      filter: "lab-vpc",
      row: (f) => new RegExp(`${made.labVpc}\\s+lab-vpc\\s+10\\.20\\.0\\.0/16\\s+available\\s+us-east-1`).test(f),
      attribute: "CidrBlock: 10.20.0.0/16",
    },
    {
      open: "subnets",
      header: /SUBNET ID\s+NAME\s+VPC\s+CIDR\s+AZ\s+FREE IPS/,
      filter: "lab-subnet",
      row: (f) =>
        new RegExp(`${made.labSubnet}\\s+lab-subnet\\s+${made.labVpc}\\s+10\\.20\\.1\\.0/24\\s+us-east-1b\\s+251`).test(
          f,
        ),
      attribute: "AvailableIpAddressCount: 251",
    },
    {
      open: "instances",
      header: /INSTANCE ID\s+NAME\s+STATE\s+TYPE\s+AZ/,
      filter: "fleet-07",
      row: (f) => new RegExp(`${made[fleet(7)]} fleet-07\\s+● running\\s+t3\\.micro`).test(f),
      attribute: "InstanceType: t3.micro",
    },
  ];

  it("each view lists what the EC2 API made; / filters it, Enter describes the row (every attribute), Esc comes back", async () => {
    const s = await mount({ columns: 160, rows: 60 });
    await s.until((f) => f.includes(`${fleet(FLEET)} `), "the instances");
    for (const v of VIEWS) {
      // ":" from the view, or typed at the prompt: either way the line reads ":name"
      await s.send(":", (f) => /> :\s*$/m.test(f), "the : prompt");
      await s.send(`${v.open}\r`, (f) => v.header.test(f) && focused(f), `the ${v.open} view`);
      await s.send("/", (f) => /> \/\s*$/m.test(f), "the filter prompt");
      await s.send(
        `${v.filter}\r`,
        (f) => v.row(f) && f.includes(`matching /${v.filter}`) && focused(f) && !!cursorRow(s),
        `${v.open}: the row, under the cursor`,
      );
      const id = /\b([a-z]+-[0-9a-f]{8,17})\b/.exec(cursorRow(s) ?? "")?.[1];
      expect(id, `${v.open}: the cursor on the filtered row`).toBeDefined();
      await s.send("\r", (f) => f.includes(`describe ${id} — Esc closes`) && f.includes(v.attribute), "describe");
      expect(s.frame()).toMatch(/^Attributes \(Describe/m);
      await s.send(ESC, (f) => v.row(f) && !f.includes("Esc closes"), `back in ${v.open}`);
    }
  });

  it(": then an unknown name says so; each view comes back with its filter when switched to again", async () => {
    const s = await mount({ columns: 160, rows: 40 });
    await s.until((f) => f.includes(`${fleet(FLEET)} `), "the instances");
    await s.send(":vpcs\r", (f) => f.includes("VPC ID") && /\d+ vpcs/.test(f), "the VPCs, every region's");
    // a default VPC in each region, and the one made
    expect(s.frame()).toContain(`${REGIONS.length + 1} vpcs`);
    expect(s.frame()).toMatch(/vpc-[0-9a-f]+\s+172\.31\.0\.0\/16\s+available\s+yes\s+[a-z]+-[a-z]+-\d/);
    await s.send("/", (f) => /> \/\s*$/m.test(f), "the filter prompt");
    // (not "lab": it is in "available")
    await s.send("lab-vpc\r", (f) => f.includes("1 of ") && f.includes("matching /lab-vpc"), "filtered");
    await s.send(":", (f) => /> :\s*$/m.test(f), "the : prompt");
    await s.send("i\r", (f) => f.includes("INSTANCE ID"), "the instances (:i)");
    await s.send(":", (f) => /> :\s*$/m.test(f), "the : prompt");
    await s.send("vpc\r", (f) => f.includes("VPC ID") && f.includes("matching /lab-vpc"), "the VPCs, filter kept");
    await s.send(ESC, (f) => f.includes("Esc: into the view"), "the prompt");
    await s.send(":nope\r", (f) => f.includes("no view ':nope'"), "an unknown view");
  });
});

describe("keys in one chunk", () => {
  it("in the view, a run of keys typed at once is taken a key at a time: ':images⏎' switches the view, '/golden⏎' filters", async () => {
    const s = await mount({ columns: 120, rows: 30 });
    await s.until((f) => f.includes(`${fleet(FLEET)} `), "the instances");
    await s.send(ESC, focused, "the view focused");
    await s.send(":images\r", (f) => /IMAGE ID\s+NAME/.test(f) && focused(f), "the images view");
    await s.send("/golden\r", (f) => f.includes("matching /golden") && focused(f) && !!cursorRow(s), "filtered");
    expect(cursorRow(s)).toContain(`${made.golden} `);
  });
});

describe("the header", () => {
  it("region and account switch in the header; the view follows the account", async () => {
    const all = live.server.sandboxes[0]!.accounts;
    const s = screen(
      <App
        session={await live.session()}
        history={new History()}
        onExit={() => undefined}
        size={{ columns: 120, rows: 24 }}
        accounts={async () => all.map((a) => ({ accountId: a.accountId, ...(a.alias ? { alias: a.alias } : {}) }))}
        openAccount={(which) => live.session(all.find((a) => a.alias === which || a.accountId === which)!)}
      />,
    );
    live.onClose(() => s.unmount());
    await s.until((f) => f.includes(`${fleet(FLEET)} `), "sandbox-a's instances");
    expect(s.frame()).toMatch(/^ec2sim · default · sandbox-a 111122223333 · us-east-1 · /);
    await s.send(
      "region eu-west-1\r",
      (f) => /^ec2sim · default · sandbox-a 111122223333 · eu-west-1 · /.test(f),
      "eu-west-1",
    );
    await s.send("account sandbox-b\r", (f) => f.includes("now acting as 444455556666 (sandbox-b)"), "switched");
    await s.until(
      (f) => /^ec2sim · default · sandbox-b 444455556666 · eu-west-1 · /.test(f) && f.includes("No instances yet"),
      "sandbox-b in the header, and its (empty) view",
    );
  });
});

describe("the view's keys", () => {
  it("↑/↓, PgUp/PgDn and Home/End (g/G) move the cursor beyond the rows that fit", async () => {
    const s = await mount({ rows: 24 });
    await s.until((f) => f.includes(`${fleet(FLEET)} `) && /\d+ above/.test(f), "the newest rows");
    expect(s.frame()).not.toContain(`${fleet(1)} `);
    await s.send(ESC, focused, "the view focused");
    await cursorOn(s, fleet(FLEET));
    await s.send(UP, () => !!cursorRow(s)?.includes(fleet(FLEET - 1)), "↑");
    await s.send(HOME, (f) => f.includes(`${fleet(1)} `) && !/above/.test(f), "Home: the first row");
    await cursorOn(s, fleet(1));
    await s.send(DOWN, () => !!cursorRow(s)?.includes(fleet(2)), "↓");
    const page = order(
      s.frame(),
      Array.from({ length: FLEET }, (_, n) => fleet(n + 1)),
    ).length; // the rows that fit
    await s.send(PGDN, () => !!cursorRow(s)?.includes(fleet(2 + page)), `PgDn: ${page} rows on`);
    expect(s.frame()).toMatch(/\d+ above/);
    expect(s.frame()).not.toContain(`${fleet(1)} `);
    await s.send(PGUP, () => !!cursorRow(s)?.includes(fleet(2)), "PgUp: back");
    await s.send(END, () => !!cursorRow(s)?.includes(fleet(FLEET)), "End: the last row");
    await s.send(DOWN, () => true, "↓ on the last row");
    expect(cursorRow(s)).toContain(fleet(FLEET));
    await s.send("g", () => !!cursorRow(s)?.includes(fleet(1)), "g: the first row");
    await s.send(UP, () => true, "↑ on the first row");
    expect(cursorRow(s)).toContain(fleet(1));
    await s.send("G", () => !!cursorRow(s)?.includes(fleet(FLEET)), "G: the last row");
    await s.send("k", () => !!cursorRow(s)?.includes(fleet(FLEET - 1)), "k is ↑");
    await s.send("j", () => !!cursorRow(s)?.includes(fleet(FLEET)), "j is ↓");
    await s.send(ESC, (f) => f.includes("Esc: into the view"), "Esc: back at the prompt");
  });

  it("sorts by a column: Shift+N by name (▲, again ▼), < and > step through the columns", async () => {
    const s = await mount({ rows: 24 });
    await s.until((f) => f.includes(`${fleet(FLEET)} `), "the rows");
    await s.send(ESC, focused, "the view focused");
    await s.send("N", (f) => f.includes("NAME▲"), "by name");
    await s.send(HOME, (f) => f.includes(`${fleet(1)} `), "the top");
    expect(order(s.frame(), [fleet(1), fleet(2), fleet(3)])).toEqual([fleet(1), fleet(2), fleet(3)]);
    await s.send("N", (f) => f.includes("NAME▼"), "reversed");
    await s.send(HOME, (f) => f.includes(`${fleet(FLEET)} `), "the top");
    expect(order(s.frame(), [fleet(FLEET), fleet(FLEET - 1)])).toEqual([fleet(FLEET), fleet(FLEET - 1)]);
    await s.send(">", (f) => f.includes("STATE▲") && !f.includes("NAME▼"), "> the next column");
    await s.send("<", (f) => f.includes("NAME▲"), "< the one before");
  });

  it("/ filters the rows as each key is typed; Enter keeps the filter and moves into the view; Esc clears it", async () => {
    const s = await mount({ rows: 30 });
    await s.until((f) => f.includes(`${fleet(FLEET)} `), "the rows");
    await s.send("/", (f) => /> \/\s*$/m.test(f), "the filter prompt");
    await s.send("fleet-1", (f) => f.includes(`10 of ${FLEET}`) || f.includes("matching /fleet-1"), "fleet-1…");
    expect(s.frame()).toMatch(/(\d+) of \d+ instances matching \/fleet-1/);
    expect(s.frame()).not.toContain(`${fleet(2)} `);
    await s.send("2", (f) => f.includes("1 of ") && f.includes("matching /fleet-12"), "one row left");
    await s.send("\r", focused, "Enter: into the view");
    await cursorOn(s, fleet(12));
    await s.send(ESC, (f) => f.includes(":instances /fleet-12 · Esc: into the view"), "the prompt, the filter kept");
    await s.send(ESC, focused, "back in the view");
    await s.send("/", (f) => /> \/fleet-12\s*$/m.test(f), "/ in the view edits the filter");
    await s.send(ESC, (f) => !f.includes("matching") && f.includes(`${FLEET} instances`), "Esc clears it");
    await s.send(ESC, focused, "back in the view");
    expect(cursorRow(s)).toContain(fleet(12)); // every row back, the cursor where it was
  });

  it("Enter (or d) describes the row; PgDn scrolls it, r reads it again, Esc (or q) goes back; ? shows the keys", async () => {
    const s = await mount({ columns: 120, rows: 30 });
    await s.until((f) => f.includes(`${fleet(FLEET)} `), "the rows");
    await s.send(ESC, focused, "the view focused");
    await s.send(HOME, () => !!cursorRow(s)?.includes(fleet(1)), "fleet-01");
    const id = made[fleet(1)]!;
    await s.send("\r", (f) => f.includes(`${id} (fleet-01) · instance in us-east-1 · running`), "the describe view");
    const f = s.frame();
    expect(f).toMatch(new RegExp(`${made.al2023}\\s+al2023-ami-2023`)); // the lineage: its AMI
    expect(f).toMatch(new RegExp(`${made.golden}\\s+golden`)); // … and the image made from it
    expect(f).toContain("Name = fleet-01");
    expect(f).toMatch(/Recent events\n\s+\(none since this REPL started\)|Recent events\n\s+\d\d:\d\d:\d\d\s+#\d+/);
    const lines = /lines 1-(\d+) of (\d+)/.exec(f);
    expect(lines).not.toBeNull();
    await s.send(PGDN, (x) => /lines (\d+)-/.exec(x)?.[1] !== "1", "PgDn: further down");
    await s.send("g", (x) => x.includes("lines 1-"), "g: the top");
    await ec2("CreateTags", { Resources: [id], Tags: [{ Key: "team", Value: "blue" }] });
    await s.send("r", (x) => x.includes("team = blue"), "r: read again, the new tag");
    await s.send("q", (x) => focused(x) && !x.includes("Esc closes"), "q: back in the view");
    await s.send("d", (x) => x.includes(`describe ${id}`), "d describes too");
    await s.send(ESC, (x) => focused(x) && !x.includes("Esc closes"), "Esc: back");
    await s.send("?", (x) => x.includes("Keys (k9s style)") && x.includes("stop / start / reboot / terminate"), "?");
    expect(s.frame()).toContain("switch view: :instances :images :volumes :snapshots :sg :keys :vpcs :subnets");
    await s.send("?", (x) => !x.includes("Keys (k9s style)") && focused(x), "? again closes");
    await s.send("?", (x) => x.includes("Keys (k9s style)"), "?");
    await s.send(ESC, (x) => !x.includes("Keys (k9s style)"), "Esc closes");
  });

  it("rows keep their place: the cursor on row 3 stays on its instance when another changes state or launches above it", async () => {
    const s = await mount({ columns: 120, rows: 30 });
    await s.until((f) => f.includes(`${fleet(FLEET)} `), "the rows");
    await s.send("/", (f) => /> \/\s*$/m.test(f), "the filter prompt");
    await s.send("fleet-0\r", (f) => f.includes("matching /fleet-0") && focused(f), "fleet-01 … fleet-09");
    await s.send("N", (f) => f.includes("NAME▲"), "by name");
    await s.send(HOME, () => !!cursorRow(s)?.includes(fleet(1)), "row 1");
    await s.send(DOWN + DOWN, () => !!cursorRow(s)?.includes(fleet(3)), "row 3: fleet-03");
    const rowOf = (name: string) =>
      s
        .frame()
        .split("\n")
        .findIndex((l) => l.includes(`${name} `));
    const at = rowOf(fleet(3));

    // another instance stops (its row stays where it is, and so does the cursor)
    await ec2("StopInstances", { InstanceIds: [made[fleet(2)]] });
    await s.until((f) => new RegExp(`${fleet(2)}\\s+◑ stopping`).test(f), "fleet-02 stopping");
    expect(cursorRow(s)).toContain(fleet(3));
    expect(rowOf(fleet(3))).toBe(at);

    // a new instance sorts above it: fleet-03 moves down a row, the cursor with it
    made["fleet-00"] = await launch("fleet-00");
    await s.until((f) => f.includes("fleet-00 "), "fleet-00, launched elsewhere");
    expect(cursorRow(s)).toContain(fleet(3));
    expect(rowOf(fleet(3))).toBe(at + 1);
    expect(order(s.frame(), ["fleet-00", fleet(1), fleet(2), fleet(3)])).toEqual([
      "fleet-00",
      fleet(1),
      fleet(2),
      fleet(3),
    ]);
  });

  it("rows keep their place in creation order when an instance stops and starts again (EC2 moves its LaunchTime)", async () => {
    const s = await mount({ columns: 120, rows: 40 });
    await s.until((f) => f.includes(`${fleet(FLEET)} `), "the rows");
    await s.send("/", (f) => /> \/\s*$/m.test(f), "the filter prompt");
    await s.send("fleet-0\r", (f) => f.includes("matching /fleet-0") && focused(f), "fleet-0*");
    const names = ["fleet-00", ...[1, 2, 3, 4].map(fleet)];
    await live.server.host.advance("default", 60_000); // fleet-02 stopped (the test before stopped it)
    await s.until((f) => new RegExp(`${fleet(2)}\\s+○ stopped`).test(f), "fleet-02 stopped");
    const before = order(s.frame(), names);
    expect(before.slice(0, 4)).toEqual([fleet(1), fleet(2), fleet(3), fleet(4)]);
    await ec2("StartInstances", { InstanceIds: [made[fleet(2)]] });
    await live.server.host.advance("default", 60_000);
    await s.until((f) => new RegExp(`${fleet(2)}\\s+● running`).test(f), "fleet-02 running again");
    expect(order(s.frame(), names)).toEqual(before);
    // a REPL started now reads the same order
    const fresh = await mount({ columns: 120, rows: 40 });
    await fresh.until((f) => f.includes(`${fleet(FLEET)} `), "a second REPL's rows");
    await fresh.send("/", (f) => /> \/\s*$/m.test(f), "the filter prompt");
    await fresh.send("fleet-0\r", (f) => f.includes("matching /fleet-0"), "fleet-0*");
    expect(order(fresh.frame(), names)).toEqual(before);
  });
});

describe("action keys ask first", () => {
  it("p stops, u starts, r reboots, x terminates the selected instance — after y; n and Esc cancel", async () => {
    const s = await mount({ columns: 120, rows: 30 });
    await s.until((f) => f.includes(`${fleet(FLEET)} `), "the rows");
    await s.send("/", (f) => /> \/\s*$/m.test(f), "the filter prompt");
    await s.send(`${fleet(20)}\r`, (f) => f.includes(`matching /${fleet(20)}`) && focused(f), "fleet-20 alone");
    await cursorOn(s, fleet(20));
    const id = made[fleet(20)]!;
    const label = `${id} (${fleet(20)})`;

    await s.send("p", (f) => f.includes(`Stop ${label}? [y/N]`), "p asks");
    await s.send("n", (f) => !f.includes("[y/N]"), "n cancels");
    await s.send("p", (f) => f.includes("[y/N]"), "p asks again");
    await s.send(ESC, (f) => !f.includes("[y/N]"), "Esc cancels");
    expect(s.frame()).toMatch(new RegExp(`${fleet(20)}\\s+● running`));
    await s.send("p", (f) => f.includes("[y/N]"), "p");
    await s.send("y", (f) => f.includes(`${label}: running → stopping`), "y stops it");
    await s.until((f) => new RegExp(`${fleet(20)}\\s+◑ stopping`).test(f), "the row stopping");
    await live.server.host.advance("default", 60_000);
    await s.until((f) => new RegExp(`${fleet(20)}\\s+○ stopped`).test(f), "stopped");

    await s.until(focused, "still in the view");
    await s.send("u", (f) => f.includes(`Start ${label}? [y/N]`), "u asks");
    await s.send("\r", (f) => !f.includes("[y/N]"), "Enter answers no");
    expect(s.frame()).not.toContain("stopped → pending");
    await s.send("u", (f) => f.includes("[y/N]"), "u");
    await s.send("y", (f) => f.includes(`${label}: stopped → pending`), "y starts it");
    await live.server.host.advance("default", 60_000);
    await s.until((f) => new RegExp(`${fleet(20)}\\s+● running`).test(f), "running");

    await s.until(focused, "still in the view");
    await s.send("r", (f) => f.includes(`Reboot ${label}? [y/N]`), "r asks");
    await s.send("n", (f) => !f.includes("[y/N]"), "n cancels");
    await s.send("r", (f) => f.includes("[y/N]"), "r");
    await s.send("Y", (f) => f.includes(`${id}: rebooting`), "Y reboots it");

    await s.until(focused, "still in the view");
    await s.send("x", (f) => f.includes(`Terminate ${label}? Its instance store and root volume go with it`), "x");
    await s.send("n", (f) => !f.includes("[y/N]"), "n cancels");
    expect(s.frame()).toMatch(new RegExp(`${fleet(20)}\\s+● running`));
    await s.send("x", (f) => f.includes("[y/N]"), "x");
    await s.send("y", (f) => f.includes(`${label}: running → shutting-down`), "y terminates it");
    await s.until((f) => new RegExp(`${fleet(20)}\\s+◑ shutting`).test(f), "the row shutting down");
  });

  it("s opens a shell on the selected instance; i asks for the image's name and creates it", async () => {
    const s = await mount({ columns: 120, rows: 30 });
    await s.until((f) => f.includes(`${fleet(FLEET)} `), "the rows");
    // ssh needs the key the REPL keeps: an instance launched from the REPL
    await s.send("launch al2023 t3.micro --name shellbox\r", (f) => f.includes("launched 1 × t3.micro"), "launch");
    await live.server.host.advance("default", 60_000);
    await s.until((f) => /shellbox\s+● running/.test(f), "running");
    await s.send("/", (f) => /> \/\s*$/m.test(f), "the filter prompt");
    await s.send("shellbox\r", (f) => f.includes("matching /shellbox") && focused(f), "shellbox alone");
    await cursorOn(s, "shellbox");
    await s.send("s", (f) => /\[ec2-user@ip-[0-9-]+ ~\]\$/.test(f), "s: its shell");
    await s.send("whoami\r", (f) => f.includes("\nec2-user"), "a command in it");
    await s.send("exit\r", (f) => f.includes("closed.") && /\n>\s*$/.test(f), "back at the REPL prompt");

    await s.send(ESC, focused, "the view focused");
    await s.send("i", (f) => f.includes("— name: shellbox-image"), "i asks for a name, shellbox-image offered");
    await s.send(ESC, (f) => !f.includes("— name:"), "Esc cancels");
    await s.send("i", (f) => f.includes("— name: shellbox-image"), "i again");
    await s.send("\u007f".repeat(5), (f) => f.includes("— name: shellbox-") && !f.includes("shellbox-image"), "edited");
    await s.send("v2\r", (f) => /ami-[0-9a-f]{17} shellbox-v2: pending/.test(f), "Enter creates it");
    await s.send(":", (f) => /> :\s*$/m.test(f), ":");
    await s.send("images\r", (f) => /shellbox-v2\s+pending/.test(f), "the new image in the images view");
  });

  it("in the images view: l launches from the image, c copies it to a region, x deregisters it — each asked first", async () => {
    const s = await mount({ columns: 140, rows: 30 });
    await s.until((f) => f.includes(`${fleet(FLEET)} `), "the rows");
    await s.send(":images\r", (f) => /golden\s+available/.test(f) && focused(f), "the images view");
    await s.send("/", (f) => /> \/\s*$/m.test(f), "the filter prompt");
    await s.send("golden\r", (f) => f.includes("matching /golden") && focused(f), "golden alone");
    await cursorOn(s, made.golden!);
    const label = `${made.golden} (golden)`;

    await s.send("l", (f) => f.includes(`Launch from ${label} in us-east-1 — instance type: t3.micro`), "l asks");
    await s.send(ESC, (f) => !f.includes("instance type:"), "Esc cancels");
    await s.send("l", (f) => f.includes("instance type: t3.micro"), "l");
    await s.send(
      `${"\u007f".repeat(5)}small\r`,
      (f) => f.includes(`launched 1 × t3.small from ${made.golden} (golden)`),
      "launched",
    );

    await s.until(focused, "still in the view");
    await s.send("c", (f) => f.includes(`Copy ${label} to — region: eu-west-1`), "c asks");
    await s.send(
      "\r",
      (f) => new RegExp(`eu-west-1 ami-[0-9a-f]{17}: copy of ${made.golden} pending`).test(f),
      "copied",
    );
    await s.send("/", (f) => /> \/golden\s*$/m.test(f), "the filter prompt");
    await s.send("\u0015\r", (f) => /golden\s+pending\s+eu-west-1/.test(f), "the copy in the view");

    await s.send("/", (f) => /> \/\s*$/m.test(f), "the filter prompt");
    await s.send("us-east-1 golden\r", (f) => f.includes("1 of") && focused(f), "the source alone");
    await s.send("x", (f) => f.includes(`Deregister ${label}? Instances launched from it keep running [y/N]`), "x");
    await s.send("n", (f) => !f.includes("[y/N]"), "n cancels");
    await s.send("x", (f) => f.includes("[y/N]"), "x");
    await s.send("y", (f) => f.includes(`${made.golden} (golden, us-east-1): deregistered`), "y deregisters it");
    await s.until((f) => f.includes("nothing matching /us-east-1 golden"), "gone from the view");
  });
});
