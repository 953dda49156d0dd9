/**
 * The clock's bounds and owner through the real `ec2sim serve` (issue #11): a poisoning advance is
 * refused with a clear error and nothing is stored (the server restarts fine); only the sandbox's
 * clock operators move the clock over the WebSocket; a data directory poisoned by an earlier
 * version (a ClockChanged at 1e300 in its journal) still starts, with a warning.
 */

import { request } from "node:http";
import { DescribeKeyPairsCommand } from "@aws-sdk/client-ec2";
import { Sandbox } from "@ec2sim/core";
import { SandboxClient } from "@ec2sim/protocol";
import { JournalStore } from "@ec2sim/server";
import {
  ACCOUNT_A,
  ACCOUNT_B,
  accountsOf,
  admin,
  adminOk,
  credentialsFor,
  type ServerProcess,
  sdkClient,
  startServer,
  tempDir,
} from "@ec2sim/test-harness";
import { describe, expect, it } from "vitest";

describe("the clock's bounds and owner (ec2sim serve)", { timeout: 180_000 }, () => {
  it("refuses a poisoning advance or speed with a clear error; nothing is stored; the server restarts", async () => {
    const data = tempDir("clock");
    let server: ServerProcess | undefined;
    try {
      server = await startServer({ dataDir: data.dir });
      const before = await adminOk(server.url, "GET", "/sandboxes/default");
      for (const [body, message] of [
        [{ advance: 1e300 }, /at most 10 years/],
        [{ advance: "4000d" }, /at most 10 years/],
        [{ advance: -5 }, /finite, non-negative/],
        [{ speed: 0 }, /Clock speed must be between 0.001 and 100000/],
        [{ speed: 1e9 }, /Clock speed must be between/],
      ] as const) {
        const r = await admin(server.url, "POST", "/sandboxes/default/clock", body);
        expect(r.status).toBe(400);
        expect(r.json.error.code).toBe("InvalidParameterValue");
        expect(r.json.error.message).toMatch(message);
      }
      const after = await adminOk(server.url, "GET", "/sandboxes/default");
      expect(after.lastSeq).toBe(before.lastSeq);
      // Ten years is fine.
      expect((await admin(server.url, "POST", "/sandboxes/default/clock", { advance: "3650d" })).status).toBe(200);
      expect(await server.stop()).toBe(0);
      server = await startServer({ dataDir: data.dir });
      expect((await adminOk(server.url, "GET", "/sandboxes/default")).clock.now).toMatch(/^20[3-9]\d-/);
    } finally {
      await server?.stop();
      data.remove();
    }
  });

  it("over the WebSocket only the sandbox's clock operators (the first account, until the admin names others) or a connection carrying the admin token move the clock", async () => {
    const server = await startServer({});
    const [a, b] = await accountsOf(server.url);
    const connect = (acct: { accessKeyId: string; secretAccessKey: string }) =>
      SandboxClient.connect({ url: server.url.replace(/^http/, "ws"), ...acct, reconnect: false });
    const ca = await connect(a);
    const cb = await connect(b);
    try {
      expect((await adminOk(server.url, "GET", "/sandboxes/default")).clockOperators).toEqual([ACCOUNT_A]);
      const refused = await cb.clock({ advance: "5m" }).catch((e: { code?: string; message?: string }) => e);
      expect(refused).toMatchObject({ code: "UnauthorizedOperation" });
      expect((refused as { message: string }).message).toContain(`account ${ACCOUNT_B} is not an operator`);
      await expect(cb.clock({ paused: true })).rejects.toMatchObject({ code: "UnauthorizedOperation" });
      // Reading the clock is anyone's.
      expect((await cb.info()).clock.speed).toBeGreaterThan(0);
      const moved = await ca.clock({ advance: "5m" });
      expect(moved.now).toBeGreaterThan(0);
      // The admin names B the operator: now B may, A may not.
      await adminOk(server.url, "POST", "/sandboxes/default/clock-operators", { accountIds: [ACCOUNT_B] });
      await cb.clock({ advance: "1m" });
      await expect(ca.clock({ advance: "1m" })).rejects.toMatchObject({ code: "UnauthorizedOperation" });
      const bad = await admin(server.url, "POST", "/sandboxes/default/clock-operators", { accountIds: ["nope"] });
      expect(bad.status).toBe(400);
      // A connection whose upgrade carried the admin token may move the clock whatever account signs
      // in; a wrong token is refused at the upgrade (401), not taken for no token.
      const asAdmin = await SandboxClient.connect({
        url: server.url.replace(/^http/, "ws"),
        ...a,
        reconnect: false,
        adminToken: server.adminToken,
      });
      try {
        expect((await asAdmin.clock({ advance: "1m" })).now).toBeGreaterThan(moved.now);
      } finally {
        await asAdmin.close();
      }
      const notAdmin = SandboxClient.connect({
        url: server.url.replace(/^http/, "ws"),
        ...a,
        reconnect: false,
        adminToken: "not-the-admin-token-0123456789",
      });
      await expect(notAdmin).rejects.toThrow(/401/);
      // What any WebSocket client sees: the upgrade answered 401 with EC2's error body.
      const refusedUpgrade = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = request(`${server.url}/_ec2sim/ws`, {
          headers: {
            connection: "Upgrade",
            upgrade: "websocket",
            "sec-websocket-version": "13",
            "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
            authorization: "Bearer not-the-admin-token-0123456789",
          },
        });
        req.on("upgrade", () => reject(new Error("upgraded with a wrong admin token")));
        req.on("response", (res) => {
          let body = "";
          res.on("data", (c: Buffer) => (body += c.toString()));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
        });
        req.on("error", reject);
        req.end();
      });
      expect(refusedUpgrade.status).toBe(401);
      expect(JSON.parse(refusedUpgrade.body)).toMatchObject({ error: { code: "AuthFailure" } });
    } finally {
      await ca.close();
      await cb.close();
      await server.stop();
    }
  });

  it("a data directory poisoned by an earlier version (ClockChanged at 1e300 in the journal) starts, warns, and answers", async () => {
    const data = tempDir("poisoned");
    let server: ServerProcess | undefined;
    try {
      // Write the journal as an earlier ec2sim left it: a sandbox, its accounts, a key pair, then the poison.
      const writer = new Sandbox({ seed: "default", realNow: () => 0 });
      const log = [
        ...writer.createAccount({ accountId: ACCOUNT_A }).events,
        ...writer.createAccount({ accountId: ACCOUNT_B }).events,
        ...writer.call({ accountId: ACCOUNT_A, region: "us-east-1" }, "CreateKeyPair", { KeyName: "before" }).events,
      ];
      const poisonAt = writer.now + 1e300;
      log.push({
        seq: log.length + 1,
        at: poisonAt,
        event: { type: "ClockChanged", clock: { simAtAnchor: poisonAt, realAtAnchor: 0, speed: 1, paused: false } },
      });
      const store = await JournalStore.open(data.dir);
      await store.create({ name: "default", createdAt: new Date().toISOString(), config: { seed: "default" } });
      await store.append(
        "default",
        log.map((event) => ({ seq: event.seq, event })),
        0,
      );
      await store.close();
      server = await startServer({ dataDir: data.dir });
      expect(server.output()).toContain(`warning: sandbox "default": 1 event(s) of its log hold times beyond`);
      const info = await adminOk(server.url, "GET", "/sandboxes/default");
      expect(info.clock.now).toMatch(/^2025-/);
      const client = sdkClient(server.url, await credentialsFor(server.url));
      const keys = await client.send(new DescribeKeyPairsCommand({}));
      expect(keys.KeyPairs?.map((k) => k.KeyName)).toEqual(["before"]);
    } finally {
      await server?.stop();
      data.remove();
    }
  });
});
