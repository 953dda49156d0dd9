/**
 * A small shell for the simulated guest: enough of bash, coreutils, dnf/yum/apt and systemd to
 * install a web server, write an app, enable it, and check it with curl. Pure: it reads a view of
 * the guest and returns output plus the effects to record (the fold applies them).
 */

import type { GuestBase, RepoPackage } from "../data-types.ts";
import type { GuestEffect } from "../events.ts";
import { PACKAGE_DB, repoPackages, WANTS_DIR } from "./os.ts";

export interface GuestFileView {
  get(path: string): { content: string; size: number; mode: number; owner: string } | undefined;
  paths(): string[];
}

export interface ShellEnv {
  fs: GuestFileView;
  base: GuestBase;
  user: string;
  hostname: string;
  running: ReadonlySet<string>;
  cwd: string;
  facts: {
    instanceId: string;
    instanceType: string;
    region: string;
    availabilityZone: string;
    privateIp: string;
    publicIp?: string;
    imageId: string;
    accountId: string;
    rootDeviceType: string;
    rootSizeGiB?: number;
    architecture?: string;
    /** The metadata service's `iam/` tree (path below meta-data/ -> body), when a profile is associated. */
    iam?: Readonly<Record<string, string>>;
  };
  /** Whether the instance reaches the internet going out (R29); absent means it does. */
  egress?: { ok: true } | { ok: false; why: string };
}

export interface ShellResult {
  output: string;
  exitCode: number;
  effects: GuestEffect[];
  cwd: string;
  exit?: boolean;
  shutdown?: boolean;
  /** Bytes fetched from the internet (package downloads), for NAT gateway billing. */
  downloadedBytes?: number;
}

const WEB_SERVERS = ["nginx", "httpd", "apache2", "lighttpd"];

/** Splits a command line into words, honouring quotes and backslashes; operators stay separate. */
export function tokenize(line: string): string[] {
  const out: string[] = [];
  let cur = "",
    quote: string | null = null,
    had = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote) {
      if (c === quote) quote = null;
      else if (c === "\\" && quote === '"' && i + 1 < line.length) cur += line[++i];
      else cur += c;
      continue;
    }
    if (c === "'" || c === '"') {
      quote = c;
      had = true;
      continue;
    }
    if (c === "\\" && i + 1 < line.length) {
      cur += line[++i];
      had = true;
      continue;
    }
    if (/\s/.test(c)) {
      if (cur || had) out.push(cur);
      cur = "";
      had = false;
      continue;
    }
    const two = line.slice(i, i + 2);
    if (two === "&&" || two === "||" || two === ">>") {
      if (cur || had) out.push(cur);
      out.push(two);
      cur = "";
      had = false;
      i++;
      continue;
    }
    if (c === ";" || c === "|" || c === ">") {
      if (cur || had) out.push(cur);
      out.push(c);
      cur = "";
      had = false;
      continue;
    }
    cur += c;
  }
  if (quote) throw new Error("unexpected EOF while looking for matching quote");
  if (cur || had) out.push(cur);
  return out;
}

class Session {
  readonly effects: GuestEffect[] = [];
  private readonly overlay = new Map<string, { content: string; size: number; mode: number; owner: string } | null>();
  private readonly runningNow: Set<string>;
  cwd: string;
  hostname: string;
  exit = false;
  shutdown = false;
  downloaded = 0;

  constructor(readonly env: ShellEnv) {
    this.cwd = env.cwd;
    this.hostname = env.hostname;
    this.runningNow = new Set(env.running);
  }
  get(path: string) {
    return this.overlay.has(path) ? (this.overlay.get(path) ?? undefined) : this.env.fs.get(path);
  }
  paths(): string[] {
    const set = new Set(this.env.fs.paths());
    for (const [p, v] of this.overlay) v ? set.add(p) : set.delete(p);
    return [...set].sort();
  }
  write(path: string, content: string, owner: string, size?: number) {
    const node = { content, size: size ?? Buffer.byteLength(content), mode: 0o644, owner };
    this.overlay.set(path, node);
    this.effects.push({ op: "write", path, content, ...(size !== undefined ? { size } : {}), owner });
  }
  /** chmod/chown: the same content, another mode or owner. */
  setAttrs(path: string, attrs: { mode?: number; owner?: string }) {
    const n = this.get(path)!;
    const node = { ...n, ...attrs };
    this.overlay.set(path, node);
    this.effects.push({ op: "write", path, content: n.content, size: n.size, mode: node.mode, owner: node.owner });
  }
  remove(path: string) {
    this.overlay.set(path, null);
    this.effects.push({ op: "delete", path });
  }
  service(name: string, running: boolean) {
    if (running) this.runningNow.add(name);
    else this.runningNow.delete(name);
    this.effects.push({ op: "service", name, running });
  }
  isRunning(name: string) {
    return this.runningNow.has(name);
  }
  runningServices(): ReadonlySet<string> {
    return this.runningNow;
  }
  abs(path: string): string {
    const home = this.env.user === "root" ? "/root" : `/home/${this.env.user}`;
    const p = path.startsWith("~")
      ? home + path.slice(1)
      : path.startsWith("/")
        ? path
        : `${this.cwd.replace(/\/$/, "")}/${path}`;
    const parts: string[] = [];
    for (const seg of p.split("/")) {
      if (!seg || seg === ".") continue;
      if (seg === "..") parts.pop();
      else parts.push(seg);
    }
    return `/${parts.join("/")}`;
  }
  isDir(path: string): boolean {
    if (path === "/") return true;
    const prefix = path.endsWith("/") ? path : `${path}/`;
    return this.paths().some((p) => p.startsWith(prefix)) || this.get(`${path}/.keep`) !== undefined;
  }
}

interface Cmd {
  argv: string[];
  stdin?: string;
}
type Out = { out: string; code: number };

const homeOf = (user: string) => (user === "root" ? "/root" : `/home/${user}`);
const writable = (user: string, path: string) =>
  user === "root" || path.startsWith(`${homeOf(user)}/`) || path.startsWith("/tmp/");

export function runShell(env: ShellEnv, line: string): ShellResult {
  const s = new Session(env);
  let tokens: string[];
  try {
    tokens = tokenize(line.trim());
  } catch (e) {
    return { output: `-bash: ${(e as Error).message}\n`, exitCode: 2, effects: [], cwd: env.cwd };
  }
  let output = "";
  let code = 0;
  // Command lists: a && b || c ; d
  let i = 0;
  let skip = false;
  while (i < tokens.length) {
    let j = i;
    while (j < tokens.length && !["&&", "||", ";"].includes(tokens[j]!)) j++;
    const segment = tokens.slice(i, j);
    if (!skip && segment.length) {
      const r = runPipeline(s, segment, env.user);
      output += r.out;
      code = r.code;
    }
    const op = tokens[j];
    skip = (op === "&&" && code !== 0) || (op === "||" && code === 0);
    i = j + 1;
    if (s.exit || s.shutdown) break;
  }
  return {
    output,
    exitCode: code,
    effects: s.effects,
    cwd: s.cwd,
    exit: s.exit,
    shutdown: s.shutdown,
    ...(s.downloaded ? { downloadedBytes: s.downloaded } : {}),
  };
}

function runPipeline(s: Session, tokens: string[], user: string): Out {
  const stages: string[][] = [[]];
  for (const t of tokens) t === "|" ? stages.push([]) : stages[stages.length - 1]!.push(t);
  let stdin: string | undefined;
  let last: Out = { out: "", code: 0 };
  for (const stage of stages) {
    let argv = stage;
    let redirect: { path: string; append: boolean } | undefined;
    const r = argv.findIndex((t) => t === ">" || t === ">>");
    if (r >= 0) {
      if (!argv[r + 1]) return { out: "-bash: syntax error near unexpected token `newline'\n", code: 2 };
      redirect = { path: argv[r + 1]!, append: argv[r] === ">>" };
      argv = [...argv.slice(0, r), ...argv.slice(r + 2)];
    }
    last = runCommand(s, { argv, stdin }, user);
    if (redirect) {
      // The redirection is done by the calling shell, as the calling user: `sudo echo x > /etc/f` fails.
      const path = s.abs(redirect.path);
      if (path === "/dev/null") {
        last = { out: "", code: last.code };
        stdin = "";
        continue;
      }
      if (!writable(user, path)) return { out: `-bash: ${redirect.path}: Permission denied\n`, code: 1 };
      const prev = redirect.append ? (s.get(path)?.content ?? "") : "";
      s.write(path, prev + last.out, user);
      last = { out: "", code: last.code };
    }
    stdin = last.out;
  }
  return last;
}

function runCommand(s: Session, cmd: Cmd, user: string): Out {
  const [name, ...args] = cmd.argv;
  if (!name) return { out: "", code: 0 };
  if (name === "sudo") {
    if (args[0] === "-i" || args[0] === "su") return { out: "", code: 0 };
    const rest = args[0] === "-u" ? args.slice(2) : args;
    return runCommand(s, { argv: rest, stdin: cmd.stdin }, "root");
  }
  if ((name === "sh" || name === "bash") && args[0] === "-c" && args[1] !== undefined)
    return subshell(s, args[1], user);
  const fn = COMMANDS[name];
  if (!fn) return { out: `-bash: ${name}: command not found\n`, code: 127 };
  return fn(s, args, user, cmd.stdin);
}

/** `sh -c '…'`: a child shell as `user`, seeing (and adding to) this line's changes. */
function subshell(s: Session, script: string, user: string): Out {
  const sub = runShell(
    { ...s.env, user, fs: { get: (p) => s.get(p), paths: () => s.paths() }, running: s.runningServices(), cwd: s.cwd },
    script,
  );
  for (const e of sub.effects) {
    if (e.op === "write") s.write(e.path, e.content, e.owner ?? user, e.size);
    else if (e.op === "delete") s.remove(e.path);
    else if (e.op === "service") s.service(e.name, e.running);
    else s.effects.push(e);
  }
  return { out: sub.output, code: sub.exitCode };
}

type Handler = (s: Session, args: string[], user: string, stdin?: string) => Out;

const ok = (out = ""): Out => ({ out, code: 0 });
const fail = (out: string, code = 1): Out => ({ out, code });

/** What dnf and apt print when the repositories cannot be reached (no route out: R29). */
function noRepository(s: Session, isApt: boolean, names: string[] = []): Out {
  const why = s.env.egress && !s.env.egress.ok ? s.env.egress.why : "";
  if (isApt)
    return fail(
      `Err:1 http://archive.ubuntu.com/ubuntu noble InRelease\n  Could not connect to archive.ubuntu.com:80, connection timed out (${why})\nReading package lists... Done\n${names.map((n) => `E: Unable to locate package ${n}\n`).join("")}`,
      100,
    );
  const repo = s.env.base.family === "amazon-linux" ? "amazonlinux" : "baseos";
  return fail(
    `Error: Failed to download metadata for repo '${repo}': Cannot download repomd.xml: Curl error (28): Timeout was reached [Connection timed out after 30000 milliseconds] (${why})\n`,
  );
}

function install(s: Session, args: string[], user: string, tool: "dnf" | "yum" | "apt"): Out {
  const base = s.env.base;
  if (base.packageManager === "none" || base.packageManager === "zypper")
    return fail(`${tool}: command not found\n`, 127);
  const sub = args.find((a) => !a.startsWith("-"));
  const names = args.filter((a) => !a.startsWith("-")).slice(1);
  const isApt = tool === "apt";
  const repo = repoPackages(base);
  const installed = new Set(
    s
      .paths()
      .filter((p) => p.startsWith(PACKAGE_DB))
      .map((p) => p.slice(PACKAGE_DB.length)),
  );
  if (sub === "update" || sub === "upgrade" || sub === "makecache" || sub === "check-update") {
    if (user === "root" && s.env.egress && !s.env.egress.ok) return noRepository(s, isApt);
    if (user !== "root")
      return isApt
        ? fail(
            "Reading package lists... Done\nE: Could not open lock file /var/lib/apt/lists/lock - open (13: Permission denied)\n",
            100,
          )
        : fail("Error: This command has to be run with superuser privileges (under the root user on most systems).\n");
    return ok(
      isApt
        ? "Hit:1 http://archive.ubuntu.com/ubuntu noble InRelease\nReading package lists... Done\n"
        : "Last metadata expiration check: 0:01:12 ago.\nDependencies resolved.\nNothing to do.\nComplete!\n",
    );
  }
  if (sub === "list" || sub === "info") {
    const lines = [...installed].sort().map((n) => `${n}  ${s.get(PACKAGE_DB + n)!.content.trim()}`);
    return ok(`Installed Packages\n${lines.join("\n")}\n`);
  }
  if (sub !== "install" && sub !== "remove" && sub !== "erase" && sub !== "purge")
    return fail(`${tool}: unsupported command '${sub ?? ""}' in this sandbox (install, remove, update, list)\n`, 1);
  if (names.length === 0)
    return fail(
      isApt
        ? "0 upgraded, 0 newly installed, 0 to remove and 0 not upgraded.\n"
        : "Error: Need to pass a list of pkgs to install\n",
      1,
    );
  if (user !== "root") {
    return isApt
      ? fail(
          "E: Could not open lock file /var/lib/dpkg/lock-frontend - open (13: Permission denied)\nE: Unable to acquire the dpkg frontend lock (/var/lib/dpkg/lock-frontend), are you root?\n",
          100,
        )
      : fail("Error: This command has to be run with superuser privileges (under the root user on most systems).\n");
  }
  if (sub !== "install") {
    for (const n of names) {
      if (!installed.has(n))
        return fail(
          isApt
            ? `E: Unable to locate package ${n}\n`
            : `No match for argument: ${n}\nError: No packages marked for removal.\n`,
        );
      const pkg = repo.get(n);
      for (const p of Object.keys(pkg?.files ?? {})) s.remove(p);
      s.remove(PACKAGE_DB + n);
      for (const svc of pkg?.services ?? [])
        if (s.get(`${WANTS_DIR}${svc}.service`)) s.remove(`${WANTS_DIR}${svc}.service`);
    }
    return ok(isApt ? `Removing ${names.join(" ")} ...\n` : `Removed:\n  ${names.join("\n  ")}\n\nComplete!\n`);
  }
  const plan: RepoPackage[] = [];
  const want = (n: string): string | undefined => {
    if (installed.has(n) || plan.some((p) => p.name === n)) return undefined;
    const pkg = repo.get(n);
    if (!pkg) return n;
    for (const dep of pkg.requires ?? []) {
      const miss = want(dep);
      if (miss) return miss;
    }
    plan.push(pkg);
    return undefined;
  };
  for (const n of names) {
    const missing = want(n);
    if (missing)
      return fail(
        isApt
          ? `Reading package lists... Done\nBuilding dependency tree... Done\nE: Unable to locate package ${missing}\n`
          : `Last metadata expiration check: 0:00:41 ago.\nNo match for argument: ${missing}\nError: Unable to find a match: ${missing}\n`,
      );
  }
  if (plan.length === 0)
    return ok(
      names
        .map((n) =>
          isApt
            ? `${n} is already the newest version (${s.get(PACKAGE_DB + n)?.content.trim()}).\n`
            : `Package ${n}-${s.get(PACKAGE_DB + n)?.content.trim()} is already installed.\n`,
        )
        .join("") + (isApt ? "" : "Dependencies resolved.\nNothing to do.\nComplete!\n"),
    );
  // R29: packages come from the internet; without a way out the download times out.
  if (s.env.egress && !s.env.egress.ok) return noRepository(s, isApt, names);
  s.downloaded += plan.reduce((a, p) => a + p.sizeKiB * 1024, 0);
  for (const pkg of plan) {
    for (const [path, content] of Object.entries(pkg.files ?? {})) s.write(path, content, "root");
    s.write(PACKAGE_DB + pkg.name, `${pkg.version}\n`, "root", pkg.sizeKiB * 1024);
  }
  const total = plan.reduce((a, p) => a + p.sizeKiB, 0);
  if (isApt) {
    return ok(
      `Reading package lists... Done\nBuilding dependency tree... Done\nThe following NEW packages will be installed:\n  ${plan.map((p) => p.name).join(" ")}\n0 upgraded, ${plan.length} newly installed, 0 to remove and 0 not upgraded.\nAfter this operation, ${(total / 1024).toFixed(1)} MB of additional disk space will be used.\n${plan.map((p) => `Setting up ${p.name} (${p.version}) ...`).join("\n")}\n`,
    );
  }
  return ok(
    `Dependencies resolved.\n================================================================================\n Package              Version                     Size\n================================================================================\nInstalling:\n${plan.map((p) => ` ${p.name.padEnd(20)} ${p.version.padEnd(27)} ${p.sizeKiB} k`).join("\n")}\n\nTransaction Summary\n================================================================================\nInstall  ${plan.length} Package${plan.length > 1 ? "s" : ""}\n\nTotal download size: ${(total / 1024).toFixed(1)} M\n${plan.map((p) => `  Installing       : ${p.name}-${p.version}`).join("\n")}\n\nInstalled:\n  ${plan.map((p) => `${p.name}-${p.version}`).join("\n  ")}\n\nComplete!\n`,
  );
}

/** SUSE's zypper: `install|in`, `remove|rm`, `refresh|ref`, `update|up`, `search|se`, with its own wording. */
function zypper(s: Session, args: string[], user: string): Out {
  const base = s.env.base;
  if (base.packageManager !== "zypper") return fail("zypper: command not found\n", 127);
  const words = args.filter((a) => !a.startsWith("-"));
  const sub =
    ({ in: "install", rm: "remove", ref: "refresh", up: "update", se: "search" } as Record<string, string>)[
      words[0] ?? ""
    ] ?? words[0];
  const names = words.slice(1);
  const repo = repoPackages(base);
  const installed = (n: string) => s.get(PACKAGE_DB + n) !== undefined;
  if (sub === "search") {
    const hits = [...repo.values()].filter((p) => names.every((n) => p.name.includes(n)));
    return ok(
      `Loading repository data...\nReading installed packages...\n\nS  | Name | Summary | Type\n---+------+---------+--------\n${hits
        .map((p) => `${installed(p.name) ? "i+" : "  "} | ${p.name} | ${p.name} | package`)
        .join("\n")}\n`,
    );
  }
  if (user !== "root") return fail("Root privileges are required to run this command.\n", 5);
  if (sub === "refresh" || sub === "update") {
    return ok(
      "Repository 'SLE-Module-Basesystem15-SP6-Updates' is up to date.\nAll repositories have been refreshed.\n",
    );
  }
  if (sub === "remove") {
    for (const n of names)
      if (!installed(n))
        return fail(`'${n}' not found in package names. Trying capabilities.\nNo provider of '${n}' found.\n`, 104);
    for (const n of names) {
      const pkg = repo.get(n);
      for (const p of Object.keys(pkg?.files ?? {})) s.remove(p);
      s.remove(PACKAGE_DB + n);
      for (const svc of pkg?.services ?? [])
        if (s.get(`${WANTS_DIR}${svc}.service`)) s.remove(`${WANTS_DIR}${svc}.service`);
    }
    return ok(
      `Reading installed packages...\nResolving package dependencies...\n\nThe following ${names.length} package${names.length > 1 ? "s are" : " is"} going to be REMOVED:\n  ${names.join(" ")}\n`,
    );
  }
  if (sub !== "install")
    return fail(
      `zypper: '${sub ?? ""}' is not a command this sandbox knows (install, remove, refresh, update, search)\n`,
      1,
    );
  const plan: RepoPackage[] = [];
  const want = (n: string): string | undefined => {
    if (installed(n) || plan.some((p) => p.name === n)) return undefined;
    const pkg = repo.get(n);
    if (!pkg) return n;
    for (const dep of pkg.requires ?? []) {
      const miss = want(dep);
      if (miss) return miss;
    }
    plan.push(pkg);
    return undefined;
  };
  for (const n of names) {
    const missing = want(n);
    if (missing)
      return fail(`Loading repository data...\nReading installed packages...\nPackage '${missing}' not found.\n`, 104);
  }
  if (plan.length === 0) {
    return ok(
      `Loading repository data...\nReading installed packages...\n${names.map((n) => `'${n}' is already installed.`).join("\n")}\nNothing to do.\n`,
    );
  }
  for (const pkg of plan) {
    for (const [path, content] of Object.entries(pkg.files ?? {})) s.write(path, content, "root");
    s.write(PACKAGE_DB + pkg.name, `${pkg.version}\n`, "root", pkg.sizeKiB * 1024);
  }
  const total = plan.reduce((a, p) => a + p.sizeKiB, 0);
  return ok(
    `Loading repository data...\nReading installed packages...\nResolving package dependencies...\n\nThe following ${plan.length} NEW package${plan.length > 1 ? "s are" : " is"} going to be installed:\n  ${plan.map((p) => p.name).join(" ")}\n\n${plan.length} new package${plan.length > 1 ? "s" : ""} to install.\nAfter the operation, additional ${(total / 1024).toFixed(1)} MiB will be used.\n${plan.map((p, i) => `(${i + 1}/${plan.length}) Installing: ${p.name}-${p.version} ...[done]`).join("\n")}\n`,
  );
}

function knownUnits(s: Session): Set<string> {
  const repo = repoPackages(s.env.base);
  const units = new Set(s.env.base.enabledServices);
  for (const p of s.paths())
    if (p.startsWith(PACKAGE_DB))
      for (const svc of repo.get(p.slice(PACKAGE_DB.length))?.services ?? []) units.add(svc);
  return units;
}

function systemctl(s: Session, args: string[], user: string): Out {
  const verb = args[0];
  const now = args.includes("--now");
  const units = args
    .slice(1)
    .filter((a) => !a.startsWith("-"))
    .map((u) => u.replace(/\.service$/, ""));
  if (!verb) return fail("systemctl: missing verb\n");
  if (verb === "list-units" || verb === "list-unit-files") {
    const known = [...knownUnits(s)].sort();
    return ok(
      `${known
        .map(
          (u) => `${(`${u}.service`).padEnd(30)} ${s.isRunning(u) ? "loaded active running" : "loaded inactive dead"}`,
        )
        .join("\n")}\n`,
    );
  }
  const known = knownUnits(s);
  let out = "";
  for (const u of units) {
    if (!known.has(u)) {
      if (verb === "is-active") return fail("inactive\n", 3);
      if (verb === "is-enabled")
        return fail(`Failed to get unit file state for ${u}.service: No such file or directory\n`, 1);
      return fail(`Failed to ${verb} ${u}.service: Unit ${u}.service not found.\n`, 5);
    }
    const needsRoot = !["status", "is-active", "is-enabled"].includes(verb);
    if (needsRoot && user !== "root")
      return fail(
        `Failed to ${verb} ${u}.service: Access denied\nSee system logs and 'systemctl status ${u}.service' for details.\n`,
        1,
      );
    const wants = `${WANTS_DIR}${u}.service`;
    switch (verb) {
      case "start":
      case "restart":
      case "reload":
        s.service(u, true);
        break;
      case "stop":
        s.service(u, false);
        break;
      case "enable":
        if (!s.get(wants)) {
          s.write(wants, `/usr/lib/systemd/system/${u}.service\n`, "root");
          out += `Created symlink ${wants} → /usr/lib/systemd/system/${u}.service.\n`;
        }
        if (now) s.service(u, true);
        break;
      case "disable":
        if (s.get(wants)) {
          s.remove(wants);
          out += `Removed "${wants}".\n`;
        }
        if (now) s.service(u, false);
        break;
      case "is-active":
        return s.isRunning(u) ? ok("active\n") : fail("inactive\n", 3);
      case "is-enabled":
        return s.get(wants) ? ok("enabled\n") : fail("disabled\n", 1);
      case "status": {
        const active = s.isRunning(u);
        out += `● ${u}.service - ${u}\n     Loaded: loaded (/usr/lib/systemd/system/${u}.service; ${s.get(wants) ? "enabled" : "disabled"}; preset: disabled)\n     Active: ${active ? "active (running)" : "inactive (dead)"}\n`;
        if (!active) return { out, code: 3 };
        break;
      }
      default:
        return fail(`Unknown command verb ${verb}.\n`);
    }
  }
  return ok(out);
}

function metadata(s: Session, path: string): Out {
  const f = s.env.facts;
  const md: Record<string, string> = {
    "instance-id": f.instanceId,
    "instance-type": f.instanceType,
    "ami-id": f.imageId,
    "local-ipv4": f.privateIp,
    hostname: s.hostname,
    "local-hostname": s.hostname,
    "placement/availability-zone": f.availabilityZone,
    "placement/region": f.region,
    ...(f.publicIp ? { "public-ipv4": f.publicIp } : {}),
  };
  const key = path.replace(/^\/latest\/meta-data\/?/, "").replace(/\/$/, "");
  if (key === "") return ok(`${[...Object.keys(md), ...(f.iam ? ["iam/"] : [])].join("\n")}\n`);
  if (f.iam && (key === "iam" || key.startsWith("iam/"))) {
    const body = f.iam[key];
    if (body !== undefined) return ok(body);
  }
  if (path.startsWith("/latest/dynamic/instance-identity/document")) {
    return ok(
      `${JSON.stringify(
        {
          accountId: f.accountId,
          architecture: f.architecture ?? "x86_64",
          availabilityZone: f.availabilityZone,
          imageId: f.imageId,
          instanceId: f.instanceId,
          instanceType: f.instanceType,
          privateIp: f.privateIp,
          region: f.region,
        },
        null,
        2,
      )}\n`,
    );
  }
  const v = md[key];
  return v === undefined
    ? fail(`<?xml version="1.0" encoding="iso-8859-1"?>\n<title>404 - Not Found</title>\n`, 0)
    : ok(v);
}

function curl(s: Session, args: string[]): Out {
  const url = args.find((a) => !a.startsWith("-"));
  const head = args.includes("-I") || args.includes("--head");
  if (!url) return fail("curl: try 'curl --help' for more information\n", 2);
  const m = /^(?:https?:\/\/)?([^/:]+)(?::(\d+))?(\/.*)?$/.exec(url);
  if (!m) return fail(`curl: (3) URL using bad/illegal format or missing URL\n`, 3);
  const [, host, portText, pathRaw] = m;
  const path = pathRaw ?? "/";
  if (host === "169.254.169.254") return metadata(s, path);
  const local = host === "localhost" || host === "127.0.0.1" || host === s.env.facts.privateIp || host === s.hostname;
  if (!local) return fail(`curl: (6) Could not resolve host: ${host}\n`, 6);
  const port = Number(portText ?? (url.startsWith("https") ? 443 : 80));
  const server = WEB_SERVERS.find((w) => s.isRunning(w));
  if (port !== 80 || !server)
    return fail(`curl: (7) Failed to connect to ${host} port ${port} after 0 ms: Couldn't connect to server\n`, 7);
  const root = s.env.base.webRoot;
  const file = path.endsWith("/") ? `${root}${path}index.html` : `${root}${path}`;
  const body = s.get(file)?.content;
  const serverHeader = server === "nginx" ? "nginx" : "Apache";
  if (body === undefined) {
    return head
      ? ok(`HTTP/1.1 404 Not Found\r\nServer: ${serverHeader}\r\n\r\n`)
      : ok(
          `<html>\n<head><title>404 Not Found</title></head>\n<body>\n<center><h1>404 Not Found</h1></center>\n<hr><center>${serverHeader}</center>\n</body>\n</html>\n`,
        );
  }
  return head
    ? ok(
        `HTTP/1.1 200 OK\r\nServer: ${serverHeader}\r\nContent-Type: text/html\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n`,
      )
    : ok(body);
}

/** `11G`, `512M`, `1GiB` (powers of 1024) or `1GB` (powers of 1000), as fallocate reads a length. */
function parseSize(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(?:([KMGT])(iB|B)?)?$/i.exec(text);
  if (!m) return undefined;
  const exp = m[2] ? "KMGT".indexOf(m[2].toUpperCase()) + 1 : 0;
  return Math.round(Number(m[1]) * (m[3]?.toUpperCase() === "B" ? 1000 : 1024) ** exp);
}

/** Roughly what the root file system holds: the distribution plus what was added since (instance stores excluded). */
function rootUsedBytes(s: Session): number {
  let bytes = s.env.base.usedGiB * 1024 ** 3;
  for (const p of s.paths()) {
    if (p.startsWith("/media/") || (p.startsWith(PACKAGE_DB) && p.slice(PACKAGE_DB.length) in s.env.base.packages))
      continue;
    bytes += s.get(p)?.size ?? 0;
  }
  return bytes;
}

const COMMANDS: Record<string, Handler> = {
  echo: (_s, args) => {
    const noNl = args[0] === "-n";
    const e = args[0] === "-e";
    const text = args.slice(noNl || e ? 1 : 0).join(" ");
    return ok((e ? text.replace(/\\n/g, "\n").replace(/\\t/g, "\t") : text) + (noNl ? "" : "\n"));
  },
  printf: (_s, args) => ok((args[0] ?? "").replace(/\\n/g, "\n").replace(/%s/g, () => args[1] ?? "")),
  cat: (s, args, _u, stdin) => {
    if (args.length === 0) return ok(stdin ?? "");
    let out = "";
    for (const a of args) {
      const p = s.abs(a);
      const f = s.get(p);
      if (!f) {
        if (s.isDir(p)) return fail(`${out}cat: ${a}: Is a directory\n`);
        return fail(`${out}cat: ${a}: No such file or directory\n`);
      }
      if ((f.mode & 0o004) === 0 && _u !== "root" && f.owner !== _u)
        return fail(`${out}cat: ${a}: Permission denied\n`);
      out += f.content;
    }
    return ok(out);
  },
  tee: (s, args, user, stdin) => {
    const append = args.includes("-a");
    for (const a of args.filter((x) => !x.startsWith("-"))) {
      const p = s.abs(a);
      if (p === "/dev/null") continue;
      if (!writable(user, p)) return fail(`tee: ${a}: Permission denied\n`);
      s.write(p, (append ? (s.get(p)?.content ?? "") : "") + (stdin ?? ""), user);
    }
    return ok(stdin ?? "");
  },
  ls: (s, args) => {
    const long = args.some((a) => /^-\w*l/.test(a));
    const all = args.some((a) => /^-\w*a/.test(a));
    const targets = args.filter((a) => !a.startsWith("-"));
    const dir = s.abs(targets[0] ?? ".");
    const f = s.get(dir);
    if (f) return ok(long ? `-rw-r--r-- 1 ${f.owner} ${f.owner} ${f.size} ${targets[0]}\n` : `${targets[0]}\n`);
    const prefix = dir === "/" ? "/" : `${dir}/`;
    const names = new Set<string>();
    for (const p of s.paths()) if (p.startsWith(prefix)) names.add(p.slice(prefix.length).split("/")[0]!);
    if (names.size === 0 && dir !== "/" && !s.isDir(dir))
      return fail(`ls: cannot access '${targets[0]}': No such file or directory\n`, 2);
    const list = [...names].filter((n) => all || !n.startsWith(".")).sort();
    if (!long) return ok(list.length ? `${list.join("  ")}\n` : "");
    return ok(
      `${list
        .map((n) => {
          const node = s.get(prefix + n);
          return node
            ? `-rw-r--r-- 1 ${node.owner} ${node.owner} ${String(node.size).padStart(8)} ${n}`
            : `drwxr-xr-x 2 root root     4096 ${n}`;
        })
        .join("\n")}\n`,
    );
  },
  pwd: (s) => ok(`${s.cwd}\n`),
  cd: (s, args) => {
    const target = s.abs(args[0] ?? "~");
    if (target !== "/" && !s.isDir(target) && !target.startsWith(homeOf(s.env.user)))
      return fail(`-bash: cd: ${args[0]}: No such file or directory\n`);
    s.cwd = target;
    return ok();
  },
  mkdir: (s, args, user) => {
    for (const a of args.filter((x) => !x.startsWith("-"))) {
      const p = s.abs(a);
      if (!writable(user, `${p}/`)) return fail(`mkdir: cannot create directory '${a}': Permission denied\n`);
      s.write(`${p}/.keep`, "", user);
    }
    return ok();
  },
  chmod: (s, args, user) => {
    const [mode, ...files] = args.filter((a) => !a.startsWith("-"));
    if (!mode || !files.length) return fail("chmod: missing operand\n");
    if (!/^[0-7]{3,4}$/.test(mode)) return fail(`chmod: invalid mode: '${mode}' (this sandbox takes octal modes)\n`);
    for (const f of files) {
      const p = s.abs(f);
      const node = s.get(p);
      if (!node) return fail(`chmod: cannot access '${f}': No such file or directory\n`);
      if (user !== "root" && node.owner !== user)
        return fail(`chmod: changing permissions of '${f}': Operation not permitted\n`);
      s.setAttrs(p, { mode: Number.parseInt(mode, 8) });
    }
    return ok();
  },
  chown: (s, args, user) => {
    const [who, ...files] = args.filter((a) => !a.startsWith("-"));
    if (!who || !files.length) return fail("chown: missing operand\n");
    const owner = who.split(":")[0]!;
    for (const f of files) {
      const p = s.abs(f);
      if (!s.get(p)) return fail(`chown: cannot access '${f}': No such file or directory\n`);
      if (user !== "root") return fail(`chown: changing ownership of '${f}': Operation not permitted\n`);
      s.setAttrs(p, { owner });
    }
    return ok();
  },
  touch: (s, args, user) => {
    for (const a of args) {
      const p = s.abs(a);
      if (!writable(user, p)) return fail(`touch: cannot touch '${a}': Permission denied\n`);
      if (!s.get(p)) s.write(p, "", user);
    }
    return ok();
  },
  rm: (s, args, user) => {
    const recursive = args.some((a) => /^-\w*r/i.test(a));
    const force = args.some((a) => /^-\w*f/.test(a));
    for (const a of args.filter((x) => !x.startsWith("-"))) {
      const p = s.abs(a);
      if (!writable(user, p)) return fail(`rm: cannot remove '${a}': Permission denied\n`);
      if (s.get(p)) s.remove(p);
      else if (recursive && s.isDir(p))
        for (const q of s.paths()) {
          if (q.startsWith(`${p}/`)) s.remove(q);
        }
      else if (!force) return fail(`rm: cannot remove '${a}': No such file or directory\n`);
    }
    return ok();
  },
  cp: (s, args, user) => {
    const [src, dst] = args.filter((a) => !a.startsWith("-"));
    if (!src || !dst) return fail("cp: missing file operand\n");
    const f = s.get(s.abs(src));
    if (!f) return fail(`cp: cannot stat '${src}': No such file or directory\n`);
    let target = s.abs(dst);
    if (s.isDir(target)) target = `${target}/${src.split("/").pop()}`;
    if (!writable(user, target)) return fail(`cp: cannot create regular file '${dst}': Permission denied\n`);
    s.write(target, f.content, user, f.size);
    return ok();
  },
  // `install [-D] [-m MODE] [-o OWNER] [-g GROUP] SRC DEST`: a copy with its mode and owner (how image builds place files).
  install: (s, args, user) => {
    const words: string[] = [];
    let mode = 0o755;
    let owner = user;
    for (let i = 0; i < args.length; i++) {
      const a = args[i]!;
      if (a === "-m" || a === "-o" || a === "-g") {
        const v = args[++i];
        if (v === undefined) return fail(`install: option requires an argument -- '${a[1]}'\n`);
        if (a === "-m") {
          if (!/^[0-7]{3,4}$/.test(v)) return fail(`install: invalid mode '${v}' (this sandbox takes octal modes)\n`);
          mode = Number.parseInt(v, 8);
        } else if (a === "-o") owner = v;
      } else if (!a.startsWith("-")) words.push(a);
    }
    const [src, dst] = words;
    if (!src || !dst) return fail("install: missing file operand\n");
    const f = s.get(s.abs(src));
    if (!f) return fail(`install: cannot stat '${src}': No such file or directory\n`);
    const target = s.abs(dst);
    if (!writable(user, target)) return fail(`install: cannot create regular file '${dst}': Permission denied\n`);
    if (owner !== user && user !== "root")
      return fail(`install: cannot change ownership of '${dst}': Operation not permitted\n`);
    s.write(target, f.content, owner, f.size);
    s.setAttrs(target, { mode, owner });
    return ok();
  },
  // cloud-init runs in the same step as the boot that starts it, so it is done by the time anyone can log in.
  "cloud-init": (_s, args) => {
    if (args[0] !== "status")
      return fail("usage: cloud-init status [--wait] (the one subcommand this sandbox has)\n", 2);
    return ok(`${args.includes("--wait") ? "\n" : ""}status: done\n`);
  },
  mv: (s, args, user) => {
    const r = COMMANDS.cp!(s, args, user);
    if (r.code !== 0) return { out: r.out.replace(/^cp/, "mv"), code: r.code };
    s.remove(s.abs(args.filter((a) => !a.startsWith("-"))[0]!));
    return ok();
  },
  grep: (s, args, _u, stdin) => {
    const [pattern, ...files] = args.filter((a) => !a.startsWith("-"));
    if (!pattern) return fail("Usage: grep PATTERN [FILE]...\n", 2);
    const text = files.length ? files.map((f) => s.get(s.abs(f))?.content ?? "").join("") : (stdin ?? "");
    const hits = text.split("\n").filter((l) => l.includes(pattern));
    return hits.length ? ok(`${hits.join("\n")}\n`) : fail("", 1);
  },
  head: (_s, args, _u, stdin) =>
    ok(
      `${(stdin ?? "")
        .split("\n")
        .slice(0, Number(args[1] ?? 10))
        .join("\n")}\n`,
    ),
  wc: (_s, _a, _u, stdin) => ok(`${(stdin ?? "").split("\n").length - 1}\n`),
  hostname: (s) => ok(`${s.hostname}\n`),
  hostnamectl: (s, args, user) => {
    if (args[0] !== "set-hostname" || !args[1]) return ok(`   Static hostname: ${s.hostname}\n`);
    if (user !== "root") return fail("Could not set static hostname: Access denied\n");
    s.hostname = args[1];
    s.write("/etc/hostname", `${args[1]}\n`, "root");
    s.effects.push({ op: "hostname", name: args[1] });
    return ok();
  },
  whoami: (_s, _a, user) => ok(`${user}\n`),
  id: (_s, _a, user) =>
    ok(
      user === "root"
        ? "uid=0(root) gid=0(root) groups=0(root)\n"
        : `uid=1000(${user}) gid=1000(${user}) groups=1000(${user}),4(adm),10(wheel)\n`,
    ),
  uname: (s, args) => {
    const a = s.env.facts.architecture;
    const arch =
      a === "arm64"
        ? "aarch64"
        : a === "i386"
          ? "i686"
          : a === "x86_64"
            ? "x86_64"
            : s.env.facts.instanceType.match(/^(t4g|m6g|m7g|c7g|a1|c6g|r6g)/)
              ? "aarch64"
              : "x86_64";
    if (args.includes("-a"))
      return ok(`Linux ${s.hostname} 6.1.119-129.201.amzn2023.${arch} #1 SMP PREEMPT_DYNAMIC ${arch} GNU/Linux\n`);
    if (args.includes("-m")) return ok(`${arch}\n`);
    if (args.includes("-r")) return ok(`6.1.119-129.201.amzn2023.${arch}\n`);
    return ok("Linux\n");
  },
  uptime: () => ok(" up 3 min,  1 user,  load average: 0.00, 0.02, 0.00\n"),
  df: (s) =>
    ok(
      `Filesystem      Size  Used Avail Use% Mounted on\n/dev/root       ${s.env.facts.rootDeviceType === "ebs" ? "8.0G" : "9.8G"}  ${s.env.base.usedGiB.toFixed(1)}G  ${(8 - s.env.base.usedGiB).toFixed(1)}G  ${Math.round((s.env.base.usedGiB / 8) * 100)}% /\n`,
    ),
  fallocate: (s, args, user) => {
    const l = args.indexOf("-l");
    const len = l >= 0 ? parseSize(args[l + 1] ?? "") : undefined;
    const file = args.filter((a, k) => !a.startsWith("-") && k !== l + 1)[0];
    if (len === undefined || !file)
      return fail("fallocate: no length argument specified\nTry 'fallocate --help' for more information.\n");
    const p = s.abs(file);
    if (!writable(user, p)) return fail(`fallocate: cannot open ${file}: Permission denied\n`);
    // R16: the root file system is as big as the root device (an instance-store root: 10 GiB).
    const limit = s.env.facts.rootSizeGiB;
    if (
      limit !== undefined &&
      !p.startsWith("/media/") &&
      rootUsedBytes(s) - (s.get(p)?.size ?? 0) + len > limit * 1024 ** 3
    )
      return fail("fallocate: fallocate failed: No space left on device\n");
    s.write(p, "", user, len);
    return ok();
  },
  dnf: (s, a, u) => install(s, a, u, "dnf"),
  yum: (s, a, u) => install(s, a, u, s.env.base.packageManager === "dnf" ? "dnf" : "yum"),
  apt: (s, a, u) => install(s, a, u, "apt"),
  "apt-get": (s, a, u) => install(s, a, u, "apt"),
  zypper: (s, a, u) => zypper(s, a, u),
  rpm: (s, args) =>
    args[0] === "-qa"
      ? ok(
          `${s
            .paths()
            .filter((p) => p.startsWith(PACKAGE_DB))
            .map((p) => `${p.slice(PACKAGE_DB.length)}-${s.get(p)!.content.trim()}`)
            .join("\n")}\n`,
        )
      : fail("rpm: only -qa is supported here\n"),
  dpkg: (s, args) =>
    args[0] === "-l"
      ? ok(
          `${s
            .paths()
            .filter((p) => p.startsWith(PACKAGE_DB))
            .map((p) => `ii  ${p.slice(PACKAGE_DB.length).padEnd(24)} ${s.get(p)!.content.trim()}`)
            .join("\n")}\n`,
        )
      : fail("dpkg: only -l is supported here\n"),
  systemctl: systemctl,
  service: (s, args, user) => systemctl(s, [args[1] ?? "status", args[0] ?? ""], user),
  curl: curl,
  "ec2-bundle-vol": (s, args, user) => {
    if (user !== "root") return fail("ec2-bundle-vol must be run as root\n");
    if (s.env.facts.rootDeviceType !== "instance-store")
      return fail(
        "ERROR: ec2-bundle-vol bundles instance-store-backed instances; for an EBS-backed instance use CreateImage.\n",
      );
    const dir = args[args.indexOf("-d") + 1] && args.includes("-d") ? args[args.indexOf("-d") + 1]! : "/tmp";
    s.write(
      `${s.abs(dir)}/image.manifest.xml`,
      `<manifest><image>${s.env.facts.instanceId}</image><arch>${s.env.facts.instanceType}</arch></manifest>\n`,
      "root",
    );
    return ok(
      `Copying / into the image file ${dir}/image...\nExcluding: /sys /proc /dev/pts /proc/sys/fs/binfmt_misc /dev /media /mnt /proc /sys /tmp/image /etc/ssh/ssh_host_*\nBundling image file...\nSplitting ${dir}/image.tar.gz.enc...\nCreated image.part.00\nGenerating digests for each part...\nCreating bundle manifest...\nec2-bundle-vol complete.\n`,
    );
  },
  "ec2-upload-bundle": (s, args) => {
    const b = args.indexOf("-b");
    const m = args.indexOf("-m");
    if (b < 0 || !args[b + 1]) return fail("ec2-upload-bundle: missing bucket (-b bucket[/prefix])\n");
    const manifestPath = m >= 0 && args[m + 1] ? s.abs(args[m + 1]!) : "/tmp/image.manifest.xml";
    if (!s.get(manifestPath))
      return fail(`ec2-upload-bundle: manifest ${manifestPath} not found; run ec2-bundle-vol first\n`);
    const location = `${args[b + 1]!.replace(/\/$/, "")}/image.manifest.xml`;
    s.effects.push({ op: "bundle", location, dropPaths: [] });
    return ok(
      `Uploading bundled image parts to the S3 bucket ${args[b + 1]} ...\nUploaded image.part.00\nUploading manifest ...\nUploaded manifest.\nManifest uploaded to: ${location}\nBundle upload completed.\n`,
    );
  },
  shutdown: (s, _a, user) => {
    if (user !== "root")
      return fail("Failed to set wall message, ignoring: Access denied\nCall to PowerOff failed: Access denied\n");
    s.shutdown = true;
    return ok("");
  },
  exit: (s) => {
    s.exit = true;
    return ok("logout\n");
  },
  help: () =>
    ok(
      "Commands: echo cat tee ls pwd cd mkdir touch chmod chown rm cp mv install grep head wc hostname hostnamectl cloud-init status whoami id uname uptime df fallocate\n  dnf|yum|apt|apt-get|zypper install|remove|update|list, rpm -qa, dpkg -l, systemctl start|stop|restart|enable [--now]|disable|status|is-active|is-enabled, service\n  curl http://localhost/ (and the instance metadata service at 169.254.169.254), ec2-bundle-vol, ec2-upload-bundle, sudo, shutdown, exit\n  Operators: | > >> && || ;\n",
    ),
};
COMMANDS.poweroff = COMMANDS.shutdown!;
COMMANDS.halt = COMMANDS.shutdown!;
COMMANDS.logout = COMMANDS.exit!;
