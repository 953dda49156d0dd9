/**
 * How a tool on this machine finds a running server's admin token when it is given only the
 * server's URL. A server announces itself with a note in a per-user run directory — its URL, its
 * PID and the path of its admin-token file, never the token — and the Terraform provider, the
 * bridge and a `--connect` REPL read the token from the file the note names. So a server whose data
 * lives elsewhere than ~/.ec2sim/data (`--data DIR`, a test's temp dir) is found without
 * EC2SIM_ADMIN_TOKEN. The file's own mode (600) decides who may read the token, as before.
 *
 * Node built-ins only: imported by packages that must stay light (`@ec2sim/protocol/local-servers`).
 */
import { chmodSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

type Env = NodeJS.ProcessEnv;

interface ServerNote {
  url: string;
  pid: number;
  adminTokenFile: string;
}

/** The per-user directory of notes: EC2SIM_RUN_DIR, else $XDG_RUNTIME_DIR/ec2sim, else ~/.ec2sim/run. */
export function runDir(env: Env = process.env): string {
  if (env.EC2SIM_RUN_DIR) return env.EC2SIM_RUN_DIR;
  if (env.XDG_RUNTIME_DIR) return join(env.XDG_RUNTIME_DIR, "ec2sim");
  return join(env.HOME || homedir(), ".ec2sim", "run");
}

/** The data directory a tool assumes when told nothing: EC2SIM_DATA, else ~/.ec2sim/data. */
export function defaultDataDir(env: Env = process.env): string {
  return env.EC2SIM_DATA || join(env.HOME || homedir(), ".ec2sim", "data");
}

const noteName = (url: URL) => `${url.port || (url.protocol === "https:" ? "443" : "80")}.json`;

/**
 * Leaves a note that a server with this admin-token file answers at `url`; returns the function that
 * takes it back (on close). Best effort: a read-only home only means tools need EC2SIM_ADMIN_TOKEN.
 */
export function announceServer(url: string, adminTokenFile: string, env: Env = process.env): () => void {
  const dir = runDir(env);
  const file = join(dir, noteName(new URL(url)));
  const note: ServerNote = { url, pid: process.pid, adminTokenFile };
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(note), { mode: 0o600 });
    chmodSync(tmp, 0o600);
    renameSync(tmp, file);
  } catch {
    return () => undefined;
  }
  return () => {
    // Only our own note: another server may have taken the port (and the note) since.
    if (readNote(file)?.pid === process.pid) rmSync(file, { force: true });
  };
}

function readNote(file: string): ServerNote | undefined {
  try {
    const n = JSON.parse(readFileSync(file, "utf8")) as Partial<ServerNote>;
    if (typeof n.url !== "string" || typeof n.pid !== "number" || typeof n.adminTokenFile !== "string")
      return undefined;
    return n as ServerNote;
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]", "::1"]);

/** The same server: same scheme and port, and the same host (any loopback name counts as one). */
function sameServer(a: URL, b: URL): boolean {
  if (a.protocol !== b.protocol || a.port !== b.port) return false;
  return a.hostname === b.hostname || (LOOPBACK.has(a.hostname) && LOOPBACK.has(b.hostname));
}

function readToken(file: string): string | undefined {
  try {
    return readFileSync(file, "utf8").trim() || undefined;
  } catch {
    return undefined;
  }
}

/**
 * The admin token for the server at `endpoint`: EC2SIM_ADMIN_TOKEN, else the token file named by a
 * live server's note for that URL, else `<dataDir>/admin-token` (by default EC2SIM_DATA or ~/.ec2sim/data).
 */
export function adminTokenFor(
  endpoint: string | undefined,
  env: Env = process.env,
  dataDir: string = defaultDataDir(env),
): string | undefined {
  if (env.EC2SIM_ADMIN_TOKEN) return env.EC2SIM_ADMIN_TOKEN;
  const fromNote = endpoint ? noteFor(endpoint, env) : undefined;
  if (fromNote) {
    const token = readToken(fromNote.adminTokenFile);
    if (token) return token;
  }
  return readToken(join(dataDir, "admin-token"));
}

function noteFor(endpoint: string, env: Env): ServerNote | undefined {
  let url: URL;
  try {
    url = new URL(endpoint.replace(/^ws(s?):/, "http$1:"));
  } catch {
    return undefined;
  }
  const note = readNote(join(runDir(env), noteName(url)));
  return note && alive(note.pid) && sameServer(new URL(note.url), url) ? note : undefined;
}
