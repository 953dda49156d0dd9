/**
 * Drives the real `ec2sim` binary in a real terminal: a tmux session on its own server socket,
 * keys sent with send-keys, the screen read back with capture-pane. Keys are sent without pauses
 * (the REPL takes a chunk of several keys as those keys); tests wait for what the screen shows.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { BIN, sleep } from "@ec2sim/test-harness";

const run = promisify(execFile);

export async function hasTmux(): Promise<boolean> {
  try {
    await run("tmux", ["-V"]);
    return true;
  } catch {
    return false;
  }
}

export interface Terminal {
  readonly socket: string;
  readonly dataDir: string;
  screen(): Promise<string>;
  /** The screen and up to `lines` rows scrolled off above it. */
  scrollback(lines?: number): Promise<string>;
  /** The screen with its colours and attributes (inverse marks the cursor's row). */
  rawScreen(): Promise<string>;
  /** Types text literally (no Enter). */
  type(text: string): Promise<void>;
  /** Types a line and presses Enter. */
  enter(text: string): Promise<void>;
  key(name: string): Promise<void>;
  /** Waits until the screen matches; returns the match. */
  waitFor(pattern: RegExp, what: string, timeoutMs?: number): Promise<RegExpExecArray>;
  close(): Promise<void>;
}

/**
 * Starts `ec2sim ARGS` in a fresh tmux session of `columns`×`rows`, with a fresh data dir (or the
 * one given, which `close` then leaves in place).
 */
export async function startTerminal(
  args: string[] = [],
  opts: { columns?: number; rows?: number; dataDir?: string; env?: Record<string, string> } = {},
): Promise<Terminal> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), "ec2sim-tmux-"));
  const socket = `ec2sim-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const tmux = (...a: string[]) => run("tmux", ["-L", socket, ...a], { timeout: 10_000 });
  const quoted = [BIN, ...args].map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(" ");
  // After ec2sim exits, say how, and keep the pane so the test can read it.
  const env = Object.entries(opts.env ?? {})
    .map(([k, v]) => `${k}=${JSON.stringify(v)} `)
    .join("");
  // The shell's EC2SIM_ADMIN_TOKEN would leave the REPL's server no <data>/admin-token to read: unset unless given.
  const unset = opts.env?.EC2SIM_ADMIN_TOKEN === undefined ? "unset EC2SIM_ADMIN_TOKEN; " : "";
  const command = `cd ${JSON.stringify(tmpdir())} && ${unset}${env}EC2SIM_DATA=${JSON.stringify(dataDir)} TERM=xterm-256color ${quoted}; echo "[ec2sim exited $?]"; sleep 600`;
  await tmux(
    "new-session",
    "-d",
    "-s",
    "main",
    "-x",
    String(opts.columns ?? 80),
    "-y",
    String(opts.rows ?? 24),
    command,
  );
  const t: Terminal = {
    socket,
    dataDir,
    screen: async () => (await tmux("capture-pane", "-p", "-t", "main")).stdout,
    scrollback: async (lines = 200) => (await tmux("capture-pane", "-p", "-S", `-${lines}`, "-t", "main")).stdout,
    rawScreen: async () => (await tmux("capture-pane", "-p", "-e", "-t", "main")).stdout,
    type: async (text) => {
      await tmux("send-keys", "-t", "main", "-l", text);
    },
    enter: async (text) => {
      if (text) await tmux("send-keys", "-t", "main", "-l", text);
      await tmux("send-keys", "-t", "main", "Enter");
    },
    key: async (name) => {
      await tmux("send-keys", "-t", "main", name);
    },
    waitFor: async (pattern, what, timeoutMs = 20_000) => {
      const until = Date.now() + timeoutMs;
      let last = "";
      while (Date.now() < until) {
        last = await t.screen();
        const m = pattern.exec(last);
        if (m) return m;
        await sleep(100);
      }
      throw new Error(`timed out waiting for ${what} (${pattern}); the screen was:\n${last}`);
    },
    close: async () => {
      await tmux("kill-server").catch(() => undefined);
      if (!opts.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return t;
}
