/**
 * What an operating system looks like inside a sandbox instance: the base file system of each
 * distribution (from data/guest-bases.json and data/package-repos.json), where packages and
 * enabled services are recorded on disk (so they survive an image), what happens at boot
 * (cloud-init: hostname, the key pair's public key, fresh host keys), and which runtime data an
 * image drops (R8).
 */
import { GUEST_BASES, PACKAGE_REPOS } from "../catalog-data.ts";
import type { GuestBase, RepoPackage } from "../data-types.ts";
import { Ec2Error } from "../errors.ts";
import { hex17 } from "../ids.ts";
import { BLOCK_BYTES, BLOCKS_PER_GIB, BlockSet, baseLayer, type FileNode, FsLayer } from "./fs.ts";

/** Where the package database lives on disk: one file per installed package holding its version. */
export const PACKAGE_DB = "/var/lib/ec2sim/packages/";
/** systemd's record of enabled units. */
export const WANTS_DIR = "/etc/systemd/system/multi-user.target.wants/";
export const SWAP_FILE = "/swapfile";

export function guestBase(key: string): GuestBase {
  const b = GUEST_BASES[key];
  if (!b) throw new Ec2Error("InternalError", `No guest base '${key}'`, 500);
  return b;
}

export function repoPackages(base: GuestBase): Map<string, RepoPackage> {
  return new Map((PACKAGE_REPOS[base.repository] ?? []).map((p) => [p.name, p]));
}

const baseCache = new Map<string, { layer: FsLayer; blocks: BlockSet }>();
const baseKeys = new WeakMap<FsLayer, string>();

/** The guest key of a cached base layer (`baseFileSystem(key).layer`), else undefined (snapshots reference bases by key). */
export const baseLayerKey = (layer: FsLayer): string | undefined => baseKeys.get(layer);

/** The frozen root file system of a distribution, shared by every image and volume built on it. */
export function baseFileSystem(key: string): { layer: FsLayer; blocks: BlockSet } {
  const hit = baseCache.get(key);
  if (hit) return hit;
  const base = guestBase(key);
  const repo = repoPackages(base);
  const files: Record<string, { content: string; size?: number; mode?: number }> = {};
  for (const [path, content] of Object.entries(base.files)) files[path] = { content };
  for (const [name, version] of Object.entries(base.packages)) {
    const pkg = repo.get(name);
    for (const [path, content] of Object.entries(pkg?.files ?? {})) files[path] ??= { content };
    files[PACKAGE_DB + name] = { content: `${version}\n`, size: (pkg?.sizeKiB ?? 64) * 1024 };
  }
  for (const svc of base.enabledServices)
    files[`${WANTS_DIR}${svc}.service`] = { content: `/usr/lib/systemd/system/${svc}.service\n` };
  const usedBlocks = Math.round(base.usedGiB * BLOCKS_PER_GIB);
  const { layer } = baseLayer(files, 0);
  const built = { layer, blocks: new BlockSet(usedBlocks) };
  baseCache.set(key, built);
  baseKeys.set(layer, key);
  return built;
}

export function installedPackages(fs: FsLayer): Map<string, string> {
  const out = new Map<string, string>();
  for (const p of fs.paths())
    if (p.startsWith(PACKAGE_DB)) out.set(p.slice(PACKAGE_DB.length), fs.get(p)!.content.trim());
  return out;
}

export function enabledServices(fs: FsLayer): string[] {
  return fs.pathsUnder(WANTS_DIR).map((p) => p.slice(WANTS_DIR.length).replace(/\.service$/, ""));
}

/** Services a package set provides (installed packages' units). */
export function knownServices(base: GuestBase, fs: FsLayer): Set<string> {
  const repo = repoPackages(base);
  const out = new Set<string>(base.enabledServices);
  for (const name of installedPackages(fs).keys()) for (const s of repo.get(name)?.services ?? []) out.add(s);
  return out;
}

export interface BootFacts {
  instanceId: string;
  hostname: string;
  user: string;
  publicKey?: string;
  keyName?: string;
  /** The instance's user data, decoded (cloud-init fetches it on every boot). */
  userData?: string;
  /** R26: the image's launch parameters with their values for this instance. */
  parameters?: { name: string; value: string }[];
}

/** Where cloud-init leaves the user data, and where the sandbox writes an image's launch parameters (R26). */
export const USER_DATA_FILE = "/var/lib/cloud/instance/user-data.txt";
export const PARAMETERS_FILE = "/var/lib/cloud/instance/parameters.env";

/**
 * The values of an image's parameters for one launch: a `NAME=value` line in the user data sets
 * one, otherwise its default applies.
 */
export function parameterValues(
  params: readonly { name: string; default?: string }[],
  userData: string | undefined,
): { name: string; value: string }[] {
  const given = new Map<string, string>();
  for (const line of (userData ?? "").split(/\r?\n/)) {
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (m) given.set(m[1]!, m[2]!.trim().replace(/^(['"])(.*)\1$/, "$2"));
  }
  return params.map((p) => ({ name: p.name, value: given.get(p.name) ?? p.default ?? "" }));
}

/**
 * cloud-init on every boot: the hostname and the user data; on the first boot: the key pair, new
 * host keys and the image's launch parameters (R26: files injected before the software starts).
 */
export function bootFiles(
  fs: FsLayer,
  facts: BootFacts,
  firstBoot: boolean,
): { path: string; content: string; mode?: number; owner?: string }[] {
  const out: { path: string; content: string; mode?: number; owner?: string }[] = [
    { path: "/etc/hostname", content: `${facts.hostname}\n` },
  ];
  // An image can carry its source instance's copy; this instance's user data (or none) replaces it.
  if (facts.userData !== undefined || fs.get(USER_DATA_FILE))
    out.push({ path: USER_DATA_FILE, content: facts.userData ?? "", mode: 0o600 });
  if (!firstBoot) return out;
  if (facts.parameters?.length) {
    const quote = (v: string) => (/^[A-Za-z0-9_./:@%+,-]*$/.test(v) ? v : `'${v.replace(/'/g, `'\\''`)}'`);
    out.push({
      path: PARAMETERS_FILE,
      content: facts.parameters.map((p) => `${p.name}=${quote(p.value)}\n`).join(""),
      mode: 0o600,
    });
  }
  const home = facts.user === "root" ? "/root" : `/home/${facts.user}`;
  if (facts.publicKey) {
    // cloud-init adds the launch key and keeps what the image already had (which is why AWS warns
    // about leftover keys in shared AMIs, R25).
    const path = `${home}/.ssh/authorized_keys`;
    const had = fs.get(path)?.content ?? "";
    const blob = facts.publicKey.split(/\s+/).slice(0, 2).join(" ");
    if (!had.split("\n").some((l) => l.split(/\s+/).slice(0, 2).join(" ") === blob)) {
      out.push({
        path,
        content: `${had}${facts.publicKey} ${facts.keyName ?? ""}\n`.replace(/ \n$/, "\n"),
        mode: 0o600,
        owner: facts.user,
      });
    }
  }
  for (const alg of ["ed25519", "ecdsa", "rsa"]) {
    const path = `/etc/ssh/ssh_host_${alg}_key`;
    if (!fs.get(path)) {
      const tag = hex17(`${facts.instanceId}:${alg}`);
      out.push({
        path,
        content: `-----BEGIN OPENSSH PRIVATE KEY-----\n(host key ${alg} ${tag})\n-----END OPENSSH PRIVATE KEY-----\n`,
        mode: 0o600,
      });
      out.push({
        path: `${path}.pub`,
        content: `ssh-${alg === "ecdsa" ? "ecdsa-sha2-nistp256" : alg} AAAA${tag} root@${facts.hostname}\n`,
      });
    }
  }
  return out;
}

/**
 * R8: what an image leaves behind — swap, host keys, the hostname, and any file that holds the
 * instance's IP addresses or hostname (seed 003: "images usually remove some data related to
 * runtime operations").
 */
export function runtimeDropPaths(
  fs: FsLayer,
  facts: { privateIp: string; publicIp?: string; hostname: string },
): string[] {
  // Whole addresses and names only: 172.31.0.4 must not match 172.31.0.40.
  const needles = [facts.privateIp, facts.publicIp, facts.hostname]
    .filter((x): x is string => !!x)
    .map(
      (n) =>
        new RegExp(`(^|[^0-9A-Za-z.-])${n.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}($|[^0-9A-Za-z-]|\\.(?![0-9A-Za-z]))`),
    );
  const drops: string[] = [];
  for (const p of fs.paths()) {
    if (p === SWAP_FILE || p === "/etc/hostname" || /^\/etc\/ssh\/ssh_host_.*_key(\.pub)?$/.test(p)) drops.push(p);
    else if (p.startsWith("/proc/") || p.startsWith("/run/") || p.startsWith("/tmp/")) drops.push(p);
    else {
      const node = fs.get(p)!;
      if (needles.some((n) => n.test(node.content))) drops.push(p);
    }
  }
  return drops;
}

/** Writes a file into a layer, allocating blocks, and reports the blocks it wrote. */
export function writeFile(
  fs: FsLayer,
  alloc: { nextBlock: number },
  path: string,
  content: string,
  opts: { size?: number; mode?: number; owner?: string } = {},
): { first: number; count: number } {
  const size = opts.size ?? Buffer.byteLength(content);
  const blocks = Math.max(1, Math.ceil(size / BLOCK_BYTES));
  const old = fs.get(path);
  let first: number;
  if (old && old.blocks >= blocks) first = old.firstBlock;
  else {
    first = alloc.nextBlock;
    alloc.nextBlock += blocks;
  }
  const node: FileNode = {
    content,
    size,
    mode: opts.mode ?? old?.mode ?? 0o644,
    owner: opts.owner ?? old?.owner ?? "root",
    firstBlock: first,
    blocks,
  };
  fs.set(path, node);
  return { first, count: blocks };
}

export { FsLayer };
