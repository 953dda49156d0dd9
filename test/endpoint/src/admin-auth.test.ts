/**
 * The control surface of the real `ec2sim serve` (issue #11): the admin API needs the admin token
 * (made at the first start in the data directory, mode 600, shown once), takes changes as JSON
 * only, answers only its own Host names and no foreign Origin; the WebSocket refuses foreign
 * origins; a non-loopback --host needs TLS or --insecure-expose; account keys come from a
 * per-install secret, so two installs with the same seed share IDs but not keys, and a data
 * directory from before install secrets keeps its (computable) keys with a notice.
 */
import { statSync } from "node:fs";
import { join } from "node:path";
import { DescribeRegionsCommand, DescribeSecurityGroupsCommand } from "@aws-sdk/client-ec2";
import { credentialsFor, Sandbox } from "@ec2sim/core";
import { JournalStore } from "@ec2sim/server";
import {
  ACCOUNT_A,
  accountsOf,
  admin,
  BIN,
  type ServerProcess,
  sdkClient,
  startServer,
  tempDir,
} from "@ec2sim/test-harness";
import { describe, expect, it } from "vitest";
import WebSocket from "ws";
import { run } from "./harness.ts";

const raw = (url: string, path: string, init: RequestInit = {}) =>
  fetch(`${url}/_ec2sim${path}`, init).then(async (r) => ({ status: r.status, body: await r.text() }));

/** Whether a WebSocket upgrade with these headers is accepted (the server's challenge arrives) or refused. */
function upgrade(url: string, headers: Record<string, string>): Promise<string> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`${url.replace(/^http/, "ws")}/_ec2sim/ws`, { headers });
    ws.on("message", () => {
      ws.close();
      resolve("accepted");
    });
    ws.on("unexpected-response", (_req, res) => resolve(`refused ${res.statusCode}`));
    ws.on("error", () => resolve("error"));
  });
}

describe("the admin API and the WebSocket need credentials and a local origin", { timeout: 180_000 }, () => {
  it("token: required, made once (mode 600, shown once), JSON only for changes, Host and Origin checked", async () => {
    const data = tempDir("auth");
    let server = await startServer({ dataDir: data.dir });
    try {
      const tokenFile = join(data.dir, "admin-token");
      expect(statSync(tokenFile).mode & 0o777).toBe(0o600);
      expect(server.output()).toContain(`admin token ${server.adminToken}  (made now, shown once`);
      const auth = { authorization: `Bearer ${server.adminToken}` };
      // Without the token: nothing but health.
      expect((await raw(server.url, "/health")).status).toBe(200);
      const denied = await raw(server.url, "/sandboxes");
      expect(denied.status).toBe(401);
      expect(JSON.parse(denied.body).error.code).toBe("AuthFailure");
      expect((await raw(server.url, "/sandboxes", { headers: { authorization: "Bearer wrong" } })).status).toBe(401);
      // A text/plain POST (what any web page can send without a preflight) changes nothing, token or not.
      for (const headers of [{ "content-type": "text/plain" }, { ...auth, "content-type": "text/plain" }]) {
        const r = await raw(server.url, "/sandboxes", {
          method: "POST",
          headers,
          body: JSON.stringify({ name: "evil" }),
        });
        expect([401, 415]).toContain(r.status);
      }
      expect((await admin(server.url, "GET", "/sandboxes")).json.map((s: { name: string }) => s.name)).toEqual([
        "default",
      ]);
      // A foreign Origin or Host is refused even with the token.
      const evil = await raw(server.url, "/sandboxes", { headers: { ...auth, origin: "https://evil.example" } });
      expect(evil.status).toBe(403);
      expect(JSON.parse(evil.body).error.code).toBe("InvalidOrigin");
      const rebound = await run("curl", [
        "-s",
        "-o",
        "/dev/null",
        "-w",
        "%{http_code}",
        "-H",
        "Host: attacker.example",
        "-H",
        `authorization: Bearer ${server.adminToken}`,
        `${server.url}/_ec2sim/sandboxes`,
      ]);
      expect(rebound.stdout).toBe("403");
      expect((await raw(server.url, "/sandboxes", { headers: { ...auth, origin: server.url } })).status).toBe(200);
      // The WebSocket: foreign origins refused before the handshake, local ones and tools (no Origin) accepted.
      expect(await upgrade(server.url, { origin: "https://evil.example" })).toBe("refused 403");
      expect(await upgrade(server.url, { origin: server.url })).toBe("accepted");
      expect(await upgrade(server.url, {})).toBe("accepted");
      // The next start keeps the token and does not show it again.
      const token = server.adminToken;
      expect(await server.stop()).toBe(0);
      server = await startServer({ dataDir: data.dir });
      expect(server.adminToken).toBe(token);
      expect(server.output()).not.toContain(token);
      expect(server.output()).toContain(`admin token in ${tokenFile} (mode 600)`);
    } finally {
      await server.stop();
      data.remove();
    }
  });

  it("two installs of one seed: same IDs, different keys (a per-install secret); each refuses the other's keys", async () => {
    const [x, y] = await Promise.all([startServer({}), startServer({})]);
    try {
      const [ax] = await accountsOf(x.url);
      const [ay] = await accountsOf(y.url);
      expect(ax.accessKeyId).not.toBe(ay.accessKeyId);
      expect(ax.secretAccessKey).not.toBe(ay.secretAccessKey);
      expect(ax.accessKeyId).toMatch(/^AKIA[A-Z2-7]{16}$/);
      const groups = async (url: string, creds: typeof ax) =>
        (await sdkClient(url, creds).send(new DescribeSecurityGroupsCommand({}))).SecurityGroups!.map((g) => g.GroupId);
      expect(await groups(x.url, ax)).toEqual(await groups(y.url, ay));
      await expect(groups(x.url, ay)).rejects.toMatchObject({ name: "AuthFailure" });
    } finally {
      await Promise.all([x.stop(), y.stop()]);
    }
  });

  it("a data directory from before install secrets: its sandbox keeps its seed-derived keys (they still sign) and the server says anyone can compute them; a new sandbox gets private keys", async () => {
    const data = tempDir("pre-secret");
    let server: ServerProcess | undefined;
    try {
      // The journal as an earlier ec2sim left it: no install secret, account keys derived from the seed.
      const writer = new Sandbox({ seed: "default", realNow: () => 0 });
      const log = [...writer.createAccount({ accountId: ACCOUNT_A }).events];
      const store = await JournalStore.open(data.dir);
      await store.create({ name: "default", createdAt: new Date().toISOString(), config: { seed: "default" } });
      await store.append(
        "default",
        log.map((event) => ({ seq: event.seq, event })),
        0,
      );
      await store.close();
      const computable = credentialsFor("default", ACCOUNT_A);
      server = await startServer({ dataDir: data.dir });
      expect(server.output()).toContain(
        `notice: sandbox "default" was made by an earlier ec2sim: the keys of account(s) ${ACCOUNT_A} derive from its seed, so anyone can compute them.`,
      );
      const regions = await sdkClient(server.url, computable).send(new DescribeRegionsCommand({}));
      expect(regions.Regions!.length).toBeGreaterThan(10);
      // A sandbox made now has keys from the install secret this start made.
      const fresh = await admin<{ accounts: { accountId: string; secretAccessKey: string }[] }>(
        server.url,
        "POST",
        "/sandboxes",
        { name: "fresh" },
      );
      expect(fresh.status).toBe(201);
      const a = fresh.json.accounts.find((x) => x.accountId === ACCOUNT_A)!;
      expect(a.secretAccessKey).not.toBe(credentialsFor("fresh", ACCOUNT_A).secretAccessKey);
      expect(statSync(join(data.dir, "install-secret")).mode & 0o777).toBe(0o600);
    } finally {
      await server?.stop();
      data.remove();
    }
  });

  it("--host other than loopback: refused without TLS; with --insecure-expose it starts and warns", async () => {
    const data = tempDir("expose");
    try {
      const refused = await run(BIN, ["serve", "--port", "0", "--data", data.dir, "--host", "0.0.0.0"]).catch(
        (e: { code: number; stderr: string }) => e,
      );
      expect((refused as { code: number }).code).toBe(2);
      expect((refused as { stderr: string }).stderr).toContain("refusing to serve on 0.0.0.0 without TLS");
      // In a network namespace of its own (only its own loopback), so nothing is exposed for real.
      const exposed = await startServer({
        dataDir: data.dir,
        prefix: ["unshare", "--net", "--kill-child", "sh", "-c", 'ip link set lo up && exec "$0" "$@"'],
        extraArgs: ["--host", "0.0.0.0", "--insecure-expose"],
        bannerUrl: /serving EC2 at (http:\/\/0\.0\.0\.0:\d+)/,
      });
      expect(exposed.output()).toContain("WARNING: serving on 0.0.0.0, reachable from other machines WITHOUT TLS");
      await exposed.stop();
    } finally {
      data.remove();
    }
  });
});
