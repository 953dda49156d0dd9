/**
 * The live view against a real in-process server with its clock running: it tells the screen only
 * of what the screen would show differently.
 */

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SandboxClient } from "@ec2sim/protocol";
import { type RunningSandboxServer, startServer } from "@ec2sim/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseLine } from "../commands/parse.ts";
import { type RunContext, runCommand } from "../commands/run.ts";
import { KeyStore } from "../state/key-store.ts";
import { SandboxView } from "./sandbox-view.ts";

let server: RunningSandboxServer;
beforeAll(async () => {
  server = await startServer({ store: "memory", port: 0, log: () => undefined });
});
afterAll(async () => {
  await server.close();
});

/** Polls until `pred` holds (a generous deadline; no fixed sleeps). */
async function until(pred: () => boolean, what: string, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe("the live view's notifications", () => {
  it("reads of a bill that looks the same wake nothing while the clock runs (the chart's history still grows)", async () => {
    // the second account: nothing in it bills, so every reading says $0
    const account = server.sandboxes[0]!.accounts[1]!;
    const client = await SandboxClient.connect({
      url: server.url,
      accessKeyId: account.accessKeyId,
      secretAccessKey: account.secretAccessKey,
    });
    let reads = 0;
    const cost = client.cost.bind(client);
    client.cost = ((...args: Parameters<typeof cost>) => {
      reads++;
      return cost(...args);
    }) as typeof client.cost;
    const view = new SandboxView(client, { costEveryMs: 20, throttleMs: 5, notifyMs: 1 });
    await view.start();
    await view.ready;
    expect(view.getSnapshot().clock.paused).toBe(false);
    let told = 0;
    view.subscribe(() => told++);
    // start-up settles first (the first read and the re-reads the replayed events ask for)
    await until(() => reads >= 5, "the first readings");
    told = 0;
    const from = reads;
    await until(() => reads >= from + 10, "ten more readings of the bill");
    await until(() => view.getSnapshot().costHistory.length > 2, "the chart's samples");
    expect(told).toBe(0);
    expect(view.getSnapshot().costTotal).toBe(0);
    view.stop();
    await client.close();
  });
});

describe("names typed right after the command that made them", () => {
  it("image copy finds the AMI the previous line created, though the view's own re-read is a minute away", async () => {
    const account = server.sandboxes[0]!.accounts[0]!;
    const client = await SandboxClient.connect({
      url: server.url,
      accessKeyId: account.accessKeyId,
      secretAccessKey: account.secretAccessKey,
    });
    // re-reads the events ask for wait a minute: only what the command itself settles can help
    const view = new SandboxView(client, { throttleMs: 60_000, notifyMs: 1 });
    await view.start();
    const dir = mkdtempSync(join(tmpdir(), "ec2sim-view-keys-"));
    const ctx: RunContext = {
      client,
      view,
      keys: new KeyStore(dir, { sandbox: "default", accountId: account.accountId }),
      width: 120,
    };
    const run = async (text: string) => (await runCommand(parseLine(text), ctx)).lines.map((l) => l.text).join("\n");
    try {
      expect(await run("launch al2023 t3.micro --name typist")).toMatch(/launched 1/);
      expect(await run("clock advance 2m")).toMatch(/clock advanced/);
      expect(await run("image create typist QuickAMI")).toMatch(/QuickAMI: pending/);
      expect(await run("clock advance 10m")).toMatch(/clock advanced/);
      expect(await run("image copy QuickAMI eu-west-1 QuickCopy")).toMatch(/eu-west-1 ami-[0-9a-f]{17}: copy of/);
    } finally {
      view.stop();
      await client.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
