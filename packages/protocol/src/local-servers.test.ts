import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { adminTokenFor, announceServer } from "./local-servers.ts";

const tmp = () => mkdtempSync(join(tmpdir(), "ec2sim-local-servers-"));

describe("finding a local server's admin token from its URL", () => {
  it("reads the token file a live server's note names, for any loopback spelling of its URL", () => {
    const run = tmp();
    const data = tmp();
    writeFileSync(join(data, "admin-token"), "token-of-the-server\n", { mode: 0o600 });
    const env = { EC2SIM_RUN_DIR: run, HOME: tmp() };
    const withdraw = announceServer("http://127.0.0.1:45123", join(data, "admin-token"), env);
    expect(statSync(join(run, "45123.json")).mode & 0o777).toBe(0o600);
    expect(adminTokenFor("http://127.0.0.1:45123", env)).toBe("token-of-the-server");
    expect(adminTokenFor("http://localhost:45123/sandbox/x/", env)).toBe("token-of-the-server");
    expect(adminTokenFor("ws://127.0.0.1:45123/_ec2sim/ws", env)).toBe("token-of-the-server");
    // Another port is another server; the note holds a path, never the token.
    expect(adminTokenFor("http://127.0.0.1:45124", env)).toBeUndefined();
    withdraw();
    expect(readdirSync(run)).toEqual([]);
    expect(adminTokenFor("http://127.0.0.1:45123", env)).toBeUndefined();
  });

  it("prefers EC2SIM_ADMIN_TOKEN, and falls back to the default data directory's token", () => {
    const home = tmp();
    const data = tmp();
    writeFileSync(join(data, "admin-token"), "from-data-dir");
    const env = { EC2SIM_RUN_DIR: tmp(), HOME: home, EC2SIM_DATA: data };
    expect(adminTokenFor("http://127.0.0.1:45125", env)).toBe("from-data-dir");
    expect(adminTokenFor("http://127.0.0.1:45125", { ...env, EC2SIM_ADMIN_TOKEN: "from-env" })).toBe("from-env");
  });

  it("ignores the note of a server that is gone (killed without withdrawing it)", async () => {
    const run = tmp();
    const data = tmp();
    writeFileSync(join(data, "admin-token"), "stale");
    const child = spawn(process.execPath, ["-e", "setTimeout(() => {}, 60_000)"]);
    const pid = child.pid!;
    writeFileSync(
      join(run, "45126.json"),
      JSON.stringify({ url: "http://127.0.0.1:45126", pid, adminTokenFile: join(data, "admin-token") }),
    );
    const env = { EC2SIM_RUN_DIR: run, HOME: tmp() };
    expect(adminTokenFor("http://127.0.0.1:45126", env)).toBe("stale");
    const exited = new Promise((r) => child.once("exit", r));
    child.kill("SIGKILL");
    await exited;
    expect(adminTokenFor("http://127.0.0.1:45126", env)).toBeUndefined();
  });
});
