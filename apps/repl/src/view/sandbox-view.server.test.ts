/**
 * The live view against a real in-process server with its clock running: it tells the screen only
 * of what the screen would show differently.
 */
import { SandboxClient } from "@ec2sim/protocol";
import { type RunningSandboxServer, startServer } from "@ec2sim/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
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
