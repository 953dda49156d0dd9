/**
 * EC2SIM_ADMIN_TOKEN and the servers the test harness starts (`ec2sim serve`, the built command):
 * - a developer who exports one in the shell running `npm test` still gets working servers (the
 *   harness starts them without it, so each keeps its own token file, and it reads that);
 * - a server given one by the harness on purpose uses it (no file), and the harness sends it;
 * - an empty one is treated as unset (docs/SECURITY.md): the server makes and keeps its own.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { admin, adminOk, type ServerProcess, startServer, tempDir } from "@ec2sim/test-harness";
import { afterEach, describe, expect, it } from "vitest";

const EXPORTED = "exported-by-the-developer-0123456789";

describe("EC2SIM_ADMIN_TOKEN and harness-started servers", { timeout: 120_000 }, () => {
  const saved = process.env.EC2SIM_ADMIN_TOKEN;
  let server: ServerProcess | undefined;
  afterEach(async () => {
    if (saved === undefined) delete process.env.EC2SIM_ADMIN_TOKEN;
    else process.env.EC2SIM_ADMIN_TOKEN = saved;
    await server?.stop();
    server = undefined;
  });

  it("with one exported in the shell running the tests, a harness-started server keeps its own token file and the admin API works", async () => {
    process.env.EC2SIM_ADMIN_TOKEN = EXPORTED;
    server = await startServer();
    const file = join(server.dataDir, "admin-token");
    expect(readFileSync(file, "utf8").trim()).toBe(server.adminToken);
    expect(server.adminToken).not.toBe(EXPORTED);
    expect((await adminOk<{ name: string }[]>(server.url, "GET", "/sandboxes")).map((s) => s.name)).toEqual([
      "default",
    ]);
    // The server never saw the exported token: it is refused like any wrong one.
    const wrong = await fetch(`${server.url}/_ec2sim/sandboxes`, { headers: { authorization: `Bearer ${EXPORTED}` } });
    expect(wrong.status).toBe(401);
  });

  it("given a token on purpose, the server uses it and keeps no file; the harness sends that token", async () => {
    const data = tempDir("token-env");
    try {
      server = await startServer({
        dataDir: data.dir,
        env: { ...process.env, EC2SIM_DATA: "", EC2SIM_ADMIN_TOKEN: EXPORTED },
      });
      expect(server.adminToken).toBe(EXPORTED);
      expect(existsSync(join(data.dir, "admin-token"))).toBe(false);
      expect(server.output()).toContain("admin token from EC2SIM_ADMIN_TOKEN");
      expect((await admin(server.url, "GET", "/sandboxes")).status).toBe(200);
    } finally {
      await server?.stop();
      server = undefined;
      data.remove();
    }
  });

  it("an empty EC2SIM_ADMIN_TOKEN is treated as unset: the server makes its own token, says so, and answers with it", async () => {
    server = await startServer({ env: { ...process.env, EC2SIM_DATA: "", EC2SIM_ADMIN_TOKEN: "" } });
    expect(server.adminToken).toMatch(/^\S{16,}$/);
    expect(readFileSync(join(server.dataDir, "admin-token"), "utf8").trim()).toBe(server.adminToken);
    expect(server.output()).toContain("EC2SIM_ADMIN_TOKEN is empty");
    expect(server.output()).toMatch(/admin token \S+ {2}\(made now, shown once/);
    expect((await admin(server.url, "GET", "/sandboxes")).status).toBe(200);
    const empty = await fetch(`${server.url}/_ec2sim/sandboxes`, { headers: { authorization: "Bearer " } });
    expect(empty.status).toBe(401);
  });
});
