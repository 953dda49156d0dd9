/**
 * End to end: the real `ec2sim` command (bin/ec2sim, no arguments) from a clean start, in tmux at
 * 80×24, typed at like a person would. The seeds' story: launch, ssh in, install nginx, write the
 * cat photo page, curl it, exit, image the instance, launch from the image (the page is there),
 * cost, lineage. And a second client — the AWS SDK through the EC2 endpoint the REPL shows — whose
 * instance appears on the REPL's screen live.
 */
import { DescribeImagesCommand, RunInstancesCommand } from "@aws-sdk/client-ec2";
import { accountsOf, sdkClient, useAdminTokenOf } from "@ec2sim/test-harness";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hasTmux, startTerminal, type Terminal } from "./tmux.ts";

const ID = "i-[0-9a-f]{17}";

describe("ec2sim in a terminal", () => {
  let t: Terminal;

  beforeAll(async () => {
    if (!(await hasTmux())) throw new Error("tmux is required by the REPL's end-to-end tests: apt-get install -y tmux");
    t = await startTerminal(["--port", "0"], { columns: 80, rows: 24 });
  });

  afterAll(async () => {
    await t?.close();
  });

  it("tells the seeds' story from a clean start", async () => {
    await t.waitFor(/served at http:\/\/127\.0\.0\.1:\d+/, "the endpoint", 60_000);
    await t.waitFor(/No instances yet/, "the empty home screen");

    await t.enter("launch al2023 t3.micro --name cats-1");
    await t.waitFor(/launched 1 × t3\.micro from ami-/, "the launch");
    const id1 = (await t.waitFor(new RegExp(`(${ID}) cats-1\\s+◐ pending`), "cats-1 pending"))[1]!;
    await t.enter("clock advance 1m");
    await t.waitFor(/cats-1\s+● running/, "cats-1 running");

    // Tab completes the running instance's ID
    await t.type("ssh i-");
    await t.key("Tab");
    await t.waitFor(new RegExp(`> ssh ${id1}`), "the completed ID");
    await t.enter("");
    await t.waitFor(/\[ec2-user@ip-[0-9-]+ ~\]\$/, "the instance's shell");
    await t.enter("sudo dnf install -y nginx");
    await t.waitFor(/Complete!/, "nginx installed");
    await t.enter(`echo '<h1>Cat photos</h1>' | sudo tee /usr/share/nginx/html/index.html`);
    await t.enter("sudo systemctl enable --now nginx");
    await t.enter("curl -s localhost");
    await t.waitFor(/\$ curl -s localhost\n<h1>Cat photos<\/h1>/, "the page served");
    await t.enter("exit");
    await t.waitFor(/Connection to [0-9.]+ closed\.\n>/, "back at the REPL");

    await t.enter(`image create ${id1} MyCustomAMI`);
    const ami = (await t.waitFor(/(ami-[0-9a-f]{17}) MyCustomAMI: pending/, "the image pending"))[1]!;
    await t.waitFor(/imaging ami-[0-9a-f]{17} MyCustomAMI/, "its progress");
    await t.enter("clock advance 5m");
    await t.enter("launch MyCustomAMI t3.micro --name cats-2");
    await t.waitFor(new RegExp(`launched 1 × t3\\.micro from ${ami} \\(MyCustomAMI\\)`), "launch from the new image");
    await t.enter("clock advance 1m");
    const id2 = (await t.waitFor(new RegExp(`(${ID}) cats-2\\s+● running`), "cats-2 running"))[1]!;
    await t.enter(`ssh ${id2}`);
    await t.waitFor(/\[ec2-user@ip-[0-9-]+ ~\]\$/, "the second instance's shell");
    await t.enter("curl -s localhost");
    await t.waitFor(/\$ curl -s localhost\n<h1>Cat photos<\/h1>/, "the same page on the new instance");
    await t.enter("exit");

    await t.enter("cost");
    const cost = await t.waitFor(/Cost so far \(simulated [^)]+\): \$[0-9.]+/, "the bill");
    expect(cost[0]).not.toMatch(/\$0$/);
    await t.waitFor(new RegExp(`${id1}\\s+t3\\.micro cats-1`), "per-resource lines");
    await t.enter("tree");
    await t.waitFor(
      new RegExp(`└─ ${id1}\\s+cats-1[\\s\\S]*└─ ${ami}\\s+MyCustomAMI\\s+available[\\s\\S]*└─ ${id2}\\s+cats-2`),
      "the lineage",
    );

    // 80×24: the frame never spills past the terminal
    const screen = await t.screen();
    expect(screen.split("\n").length).toBeLessThanOrEqual(25);

    await t.key("C-d");
    await t.waitFor(/\[ec2sim exited 0\]/, "a clean exit");
  }, 180_000);
});

describe("a second client", () => {
  let t: Terminal;

  beforeAll(async () => {
    t = await startTerminal(["--port", "0"], { columns: 100, rows: 30 });
  });

  afterAll(async () => {
    await t?.close();
  });

  it("an instance launched through the EC2 endpoint with the AWS SDK appears on the REPL's screen live", async () => {
    const url = (await t.waitFor(/served at (http:\/\/127\.0\.0\.1:\d+)/, "the endpoint", 60_000))[1]!;
    await t.waitFor(/No instances yet/, "the empty home screen");
    useAdminTokenOf(url, t.dataDir);
    const [a] = await accountsOf(url);
    const ec2 = sdkClient(url, a);
    const { Images } = await ec2.send(
      new DescribeImagesCommand({
        Owners: ["amazon"],
        Filters: [{ Name: "name", Values: ["al2023-ami-2023*-x86_64"] }],
      }),
    );
    const out = await ec2.send(
      new RunInstancesCommand({
        ImageId: Images![0]!.ImageId!,
        InstanceType: "t3.nano",
        MinCount: 1,
        MaxCount: 1,
        TagSpecifications: [{ ResourceType: "instance", Tags: [{ Key: "Name", Value: "from-sdk" }] }],
      }),
    );
    const id = out.Instances![0]!.InstanceId!;
    await t.waitFor(
      new RegExp(`${id} from-sdk\\s+◐ pending\\s+t3\\.nano`),
      "the SDK's instance on the REPL's screen",
      10_000,
    );
    // and its transition, driven by the server's clock ticker
    await t.enter("clock advance 1m");
    await t.waitFor(new RegExp(`${id} from-sdk\\s+● running`), "it running");
    ec2.destroy();
    await t.key("C-d");
    await t.waitFor(/\[ec2sim exited 0\]/, "a clean exit");
  }, 120_000);
});
