/**
 * A throwaway PostgreSQL cluster for tests and benchmarks.
 *
 * `startCluster()` runs `initdb` in a fresh temp dir, starts `postgres` with `pg_ctl` on a free
 * loopback port (its Unix socket stays inside the temp dir), and returns its URL plus controls to
 * stop, start, restart or crash it. `destroy()` stops it and removes the dir; a process exit does
 * the same as a last resort. PostgreSQL refuses to run as root: as root, the cluster runs as the
 * `postgres` user (Debian's package creates it) or, failing that, a system user `ec2sim-pg` made
 * with `useradd`, through `runuser`.
 *
 * Needs the server binaries (initdb, pg_ctl, postgres): `apt-get install -y postgresql` on
 * Debian/Ubuntu. They are looked for in $PG_BIN, /usr/lib/postgresql/<newest>/bin, then $PATH.
 * Missing binaries are an error, never a skipped test.
 */
import { execFileSync, spawn } from "node:child_process";
import { chownSync, existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { mkdtemp, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";

export interface PgCluster {
  /** postgres://USER@127.0.0.1:PORT/postgres (trust authentication on loopback). */
  readonly url: string;
  readonly port: number;
  readonly dir: string;
  readonly binDir: string;
  /** A URL for another database of this cluster. */
  urlFor(database: string): string;
  /** CREATE DATABASE (through psql); returns its URL. */
  createDatabase(name: string): Promise<string>;
  /** Runs SQL through psql, returns its unaligned output. */
  psql(sql: string, database?: string): Promise<string>;
  /** pg_ctl stop; mode "fast" (default: clean shutdown) or "immediate" (a crash: WAL recovery on start). */
  stop(mode?: "fast" | "immediate"): Promise<void>;
  /** pg_ctl start on the same port and dir; waits until it accepts connections. */
  start(): Promise<void>;
  restart(mode?: "fast" | "immediate"): Promise<void>;
  /** Server log so far (for failure messages). */
  log(): string;
  /** Stops the server (immediate) and removes the dir. Idempotent. */
  destroy(): Promise<void>;
}

export interface StartClusterOptions {
  /** Extra `-c name=value` server settings, e.g. { fsync: "off" } for speed where durability is not under test. */
  settings?: Record<string, string>;
}

export const INSTALL_HINT =
  "PostgreSQL server binaries (initdb, pg_ctl, postgres) were not found. Install them: `apt-get install -y postgresql` " +
  "(Debian/Ubuntu; they land in /usr/lib/postgresql/<version>/bin), or point $PG_BIN at a directory holding them.";

/** Where initdb, pg_ctl and postgres live; throws with `INSTALL_HINT` when they are missing. */
export function findPgBinDir(env: NodeJS.ProcessEnv = process.env): string {
  const has = (d: string) => ["initdb", "pg_ctl", "postgres"].every((b) => existsSync(join(d, b)));
  const candidates: string[] = [];
  if (env.PG_BIN) candidates.push(env.PG_BIN);
  const debian = "/usr/lib/postgresql";
  if (existsSync(debian)) {
    const versions = readdirSync(debian)
      .filter((v) => /^\d+(\.\d+)?$/.test(v))
      .sort((a, b) => Number(b) - Number(a));
    for (const v of versions) candidates.push(join(debian, v, "bin"));
  }
  for (const p of (env.PATH ?? "").split(delimiter)) if (p) candidates.push(p);
  const found = candidates.find(has);
  if (!found) throw new Error(INSTALL_HINT);
  return found;
}

function isRoot(): boolean {
  return typeof process.getuid === "function" && process.getuid() === 0;
}

function userIds(user: string): { uid: number; gid: number } | undefined {
  try {
    const uid = Number(
      execFileSync("id", ["-u", user], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim(),
    );
    const gid = Number(
      execFileSync("id", ["-g", user], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim(),
    );
    return { uid, gid };
  } catch {
    return undefined;
  }
}

/** The non-root user to run the cluster as when we are root (created if needed). */
function clusterUser(): { name: string; uid: number; gid: number } {
  for (const name of ["postgres", "ec2sim-pg"]) {
    const ids = userIds(name);
    if (ids) return { name, ...ids };
  }
  execFileSync("useradd", ["--system", "--no-create-home", "--shell", "/usr/sbin/nologin", "ec2sim-pg"], {
    stdio: "ignore",
  });
  const ids = userIds("ec2sim-pg");
  if (!ids) throw new Error("could not create the user ec2sim-pg to run PostgreSQL as (it refuses to run as root)");
  return { name: "ec2sim-pg", ...ids };
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

function run(cmd: string, args: string[], asUser: string | undefined): Promise<{ code: number; out: string }> {
  const [file, argv] = asUser ? ["runuser", ["-u", asUser, "--", cmd, ...args]] : [cmd, args];
  return new Promise((resolve, reject) => {
    const child = spawn(file, argv as string[], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (out += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, out }));
  });
}

const live = new Set<() => void>();
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on("exit", () => {
    for (const kill of live) kill();
  });
}

export async function startCluster(options: StartClusterOptions = {}): Promise<PgCluster> {
  const binDir = findPgBinDir();
  const bin = (b: string) => join(binDir, b);
  const asRoot = isRoot();
  const user = asRoot ? clusterUser() : undefined;
  const dir = await mkdtemp(join(tmpdir(), "ec2sim-pg-"));
  const data = join(dir, "data");
  const logFile = join(dir, "server.log");
  if (user) chownSync(dir, user.uid, user.gid);
  const dbUser = "ec2sim";
  const as = user?.name;

  const init = await run(
    bin("initdb"),
    ["-D", data, "-U", dbUser, "--auth=trust", "-E", "UTF8", "--no-locale", "--no-sync"],
    as,
  );
  if (init.code !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`initdb failed (exit ${init.code}):\n${init.out}`);
  }
  const port = await freePort();
  const settings: Record<string, string> = {
    listen_addresses: "'127.0.0.1'",
    port: String(port),
    unix_socket_directories: `'${dir}'`,
    max_connections: "200",
    shared_buffers: "64MB",
    logging_collector: "off",
    ...Object.fromEntries(
      Object.entries(options.settings ?? {}).map(([k, v]) => [k, /^[\w.-]+$/.test(v) ? v : `'${v}'`]),
    ),
  };
  await writeFile(
    join(data, "postgresql.auto.conf"),
    `${Object.entries(settings)
      .map(([k, v]) => `${k} = ${v}`)
      .join("\n")}\n`,
  );
  if (user) chownSync(join(data, "postgresql.auto.conf"), user.uid, user.gid);

  const url = `postgres://${dbUser}@127.0.0.1:${port}/postgres`;
  let running = false;
  let destroyed = false;
  const killSync = () => {
    try {
      const args = ["-D", data, "-m", "immediate", "-w", "stop"];
      if (as) execFileSync("runuser", ["-u", as, "--", bin("pg_ctl"), ...args], { stdio: "ignore" });
      else execFileSync(bin("pg_ctl"), args, { stdio: "ignore" });
    } catch {
      /* not running */
    }
    rmSync(dir, { recursive: true, force: true });
  };

  const cluster: PgCluster = {
    url,
    port,
    dir,
    binDir,
    urlFor: (db) => `postgres://${dbUser}@127.0.0.1:${port}/${encodeURIComponent(db)}`,
    async createDatabase(name) {
      await cluster.psql(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
      return cluster.urlFor(name);
    },
    async psql(sql, database = "postgres") {
      const r = await run(
        bin("psql"),
        [
          "-X",
          "-A",
          "-t",
          "-v",
          "ON_ERROR_STOP=1",
          "-h",
          "127.0.0.1",
          "-p",
          String(port),
          "-U",
          dbUser,
          "-d",
          database,
          "-c",
          sql,
        ],
        undefined,
      );
      if (r.code !== 0) throw new Error(`psql failed (exit ${r.code}): ${r.out}`);
      return r.out.trim();
    },
    async start() {
      if (destroyed) throw new Error("cluster destroyed");
      const r = await run(bin("pg_ctl"), ["-D", data, "-l", logFile, "-w", "-t", "60", "start"], as);
      if (r.code !== 0) throw new Error(`pg_ctl start failed (exit ${r.code}): ${r.out}\n${cluster.log()}`);
      running = true;
    },
    async stop(mode = "fast") {
      if (!running) return;
      const r = await run(bin("pg_ctl"), ["-D", data, "-m", mode, "-w", "-t", "60", "stop"], as);
      if (r.code !== 0) throw new Error(`pg_ctl stop failed (exit ${r.code}): ${r.out}`);
      running = false;
    },
    async restart(mode = "fast") {
      await cluster.stop(mode);
      await cluster.start();
    },
    log: () => {
      try {
        return readFileSync(logFile, "utf8");
      } catch {
        return "";
      }
    },
    async destroy() {
      if (destroyed) return;
      destroyed = true;
      live.delete(killSync);
      await cluster.stop("immediate").catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  installExitHook();
  live.add(killSync);
  try {
    await cluster.start();
  } catch (e) {
    await cluster.destroy();
    throw e;
  }
  return cluster;
}
