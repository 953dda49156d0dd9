/**
 * What was done inside an instance, as cloud-init: the packages installed, the files written under
 * the paths people put software and content in, and the services enabled since the image the
 * instance is launched from. The real instance runs it on first boot and ends with the same software.
 */
import { enabledServices, guestBase, installedPackages, type RepoPackage, repoPackages, secretIn } from "@ec2sim/core";

/** What the bridge needs of a file system: core's FsLayer fits. */
export interface FsView {
  get(path: string): { content: string; mode: number; owner: string } | undefined;
  paths(): string[];
}

/** Paths whose files become `write_files` (the issue's list). */
export const EXPORTED_PREFIXES = ["/etc/", "/usr/share/", "/var/www/", "/home/", "/opt/"];

/** Written by cloud-init or the sandbox itself at boot, or managed by other means: never exported. */
function managedElsewhere(path: string): boolean {
  return (
    path === "/etc/hostname" ||
    /^\/etc\/ssh\/ssh_host_/.test(path) ||
    path.startsWith("/etc/systemd/system/multi-user.target.wants/") ||
    /^\/home\/[^/]+\/\.ssh\/authorized_keys$/.test(path) ||
    /^\/root\/\.ssh\//.test(path) ||
    path.startsWith("/var/lib/cloud/")
  );
}

/**
 * Files a real image's users get from /etc/skel, which the sandbox's base images leave out: one of
 * them that appears in the guest was appended to (`echo … >> ~/.bashrc`), and writing it whole
 * on real EC2 would wipe the image's own.
 */
const SKEL_FILES = new Set([".bashrc", ".bash_profile", ".bash_logout", ".profile"]);

export interface GuestFile {
  path: string;
  /** The whole file, or with `append` what was added to the end of the image's file. */
  content: string;
  mode: number;
  owner: string;
  append?: boolean;
}

export interface GuestChanges {
  /** What was asked for: installed packages no other new package pulls in (the resolver brings the rest). */
  packages: { name: string; version: string }[];
  files: GuestFile[];
  /** Empty folders made inside the guest. */
  dirs: string[];
  deleted: string[];
  services: string[];
  /** Files that look like credentials (R25's scan), left out unless secrets are included. */
  secrets: { path: string; what: string }[];
}

export interface GuestChangeOptions {
  /** Export files that look like credentials too (`--include-secrets`). */
  includeSecrets?: boolean;
}

export function guestChanges(
  fs: FsView,
  base: FsView,
  guestKey: string | undefined,
  opts: GuestChangeOptions = {},
): GuestChanges {
  const basePkgs = installedPackages(base as never);
  const nowPkgs = installedPackages(fs as never);
  const added = [...nowPkgs.keys()].filter((p) => !basePkgs.has(p)).sort();
  // Files a package puts on disk are the package's business, unless someone changed them.
  const shipped = new Map<string, string>();
  let repo: Map<string, RepoPackage> | undefined;
  if (guestKey) {
    try {
      repo = repoPackages(guestBase(guestKey));
    } catch {
      repo = undefined;
    }
    for (const name of nowPkgs.keys())
      for (const [p, c] of Object.entries(repo?.get(name)?.files ?? {})) shipped.set(p, c);
  }
  const packages = requested(added, repo).map((name) => ({ name, version: nowPkgs.get(name) ?? "" }));
  const files: GuestFile[] = [];
  const secrets: GuestChanges["secrets"] = [];
  for (const p of fs.paths()) {
    if (!EXPORTED_PREFIXES.some((x) => p.startsWith(x)) || managedElsewhere(p)) continue;
    const node = fs.get(p)!;
    const before = base.get(p);
    if (before && before.content === node.content && before.mode === node.mode && before.owner === node.owner) continue;
    if (!before && shipped.get(p) === node.content) continue;
    const what = secretIn(node.content);
    if (what && !opts.includeSecrets) {
      secrets.push({ path: p, what });
      continue;
    }
    const file: GuestFile = { path: p, content: node.content, mode: node.mode, owner: node.owner };
    if (before?.content && node.content.length > before.content.length && node.content.startsWith(before.content))
      Object.assign(file, { content: node.content.slice(before.content.length), append: true });
    else if (!before && /^\/home\/[^/]+\/[^/]+$/.test(p) && SKEL_FILES.has(p.slice(p.lastIndexOf("/") + 1)))
      file.append = true;
    files.push(file);
  }
  // `mkdir` leaves a `.keep` marker: a folder cloud-init creates anyway when a file goes in it.
  const dirs: string[] = [];
  for (let i = files.length - 1; i >= 0; i--) {
    const f = files[i]!;
    if (!f.path.endsWith("/.keep") || f.content !== "") continue;
    files.splice(i, 1);
    const dir = f.path.slice(0, -"/.keep".length);
    if (!files.some((x) => x.path.startsWith(`${dir}/`))) dirs.unshift(dir);
  }
  const deleted = base
    .paths()
    .filter((p) => EXPORTED_PREFIXES.some((x) => p.startsWith(x)) && !managedElsewhere(p) && !fs.get(p));
  const baseServices = new Set(enabledServices(base as never));
  const services = enabledServices(fs as never)
    .filter((s) => !baseServices.has(s))
    .sort();
  return { packages, files, dirs, deleted, services, secrets };
}

/**
 * The packages someone asked for: of those added, the ones no other added package requires
 * (directly or through others). A dependency cycle with no way in keeps its members.
 */
function requested(added: string[], repo: Map<string, RepoPackage> | undefined): string[] {
  if (!repo) return added;
  const set = new Set(added);
  const reach = (name: string, seen: Set<string>) => {
    for (const d of repo.get(name)?.requires ?? [])
      if (!seen.has(d)) {
        seen.add(d);
        reach(d, seen);
      }
  };
  const pulled = new Set<string>();
  for (const n of added) {
    const seen = new Set<string>();
    reach(n, seen);
    for (const d of seen) if (d !== n && set.has(d)) pulled.add(d);
  }
  const roots = added.filter((n) => !pulled.has(n));
  const covered = new Set(roots);
  for (const r of roots) reach(r, covered);
  return [...roots, ...added.filter((n) => !covered.has(n))].sort();
}

/** Whether there is anything for user data to do (withheld secrets do not count). */
export function isEmpty(c: GuestChanges): boolean {
  return !c.packages.length && !c.files.length && !c.dirs.length && !c.deleted.length && !c.services.length;
}

/** A YAML scalar: a block literal for plain text, a JSON (YAML double-quoted) string otherwise. */
function yamlText(s: string, indent: string): string {
  const plain =
    s.endsWith("\n") &&
    !/[\r\t\u0000-\u0008\u000b-\u001f\u007f]/.test(s) &&
    !/^ /.test(s) &&
    !/\n\n$/.test(s) &&
    !s.split("\n").some((l) => / $/.test(l));
  if (!plain) return JSON.stringify(s);
  return `|\n${s
    .slice(0, -1)
    .split("\n")
    .map((l) => (l ? `${indent}${l}` : ""))
    .join("\n")}`;
}

const q = (s: string) =>
  /^[A-Za-z0-9_./@:+-]+$/.test(s) && !/^[-:]/.test(s) && !/^(true|false|yes|no|on|off|null|~)$/i.test(s)
    ? s
    : JSON.stringify(s);

/**
 * `#cloud-config` for the changes (write_files deferred until packages are installed). Packages
 * are names, so the distribution's current versions install, unless `pinPackages` asks for the
 * guest's versions (`[name, version]`, as cloud-init takes them).
 */
export function cloudConfig(c: GuestChanges, header: string, opts: { pinPackages?: boolean } = {}): string {
  const lines = ["#cloud-config", ...header.split("\n").map((l) => `# ${l}`.trimEnd())];
  if (c.packages.length) {
    lines.push("packages:");
    for (const p of c.packages)
      lines.push(
        opts.pinPackages && p.version ? `  - [${q(p.name)}, ${JSON.stringify(p.version)}]` : `  - ${q(p.name)}`,
      );
  }
  if (c.files.length) {
    lines.push("write_files:");
    for (const f of c.files) {
      lines.push(`  - path: ${q(f.path)}`);
      lines.push(`    permissions: "0${f.mode.toString(8).padStart(3, "0")}"`);
      lines.push(`    owner: ${q(f.owner === "root" ? "root:root" : `${f.owner}:${f.owner}`)}`);
      if (f.append) lines.push("    append: true");
      lines.push(`    defer: true`);
      lines.push(`    content: ${yamlText(f.content, "      ")}`);
    }
  }
  if (c.dirs.length || c.deleted.length || c.services.length) {
    lines.push("runcmd:");
    for (const d of c.dirs) lines.push(`  - [mkdir, -p, ${q(d)}]`);
    for (const p of c.deleted) lines.push(`  - [rm, -f, ${q(p)}]`);
    for (const s of c.services) lines.push(`  - [systemctl, enable, --now, ${q(s)}]`);
  }
  return `${lines.join("\n")}\n`;
}

/** The original user data and the changes together, as cloud-init's MIME multi-part. */
export function multipart(parts: { type: string; content: string }[]): string {
  const boundary = "==EC2SIM-BOUNDARY==";
  const out = [`Content-Type: multipart/mixed; boundary="${boundary}"`, "MIME-Version: 1.0", ""];
  for (const p of parts)
    out.push(
      `--${boundary}`,
      `Content-Type: ${p.type}; charset="utf-8"`,
      "MIME-Version: 1.0",
      "",
      p.content.replace(/\n?$/, ""),
      "",
    );
  out.push(`--${boundary}--`, "");
  return out.join("\n");
}

export function userDataType(s: string): string {
  if (s.startsWith("#cloud-config")) return "text/cloud-config";
  if (s.startsWith("#!")) return "text/x-shellscript";
  return "text/x-shellscript";
}
