/**
 * Where an instance's files live: the root EBS volume (or, for instance-store-backed instances,
 * the ephemeral root), plus instance store volumes mounted at /media/ephemeralN. The fold applies
 * guest effects here, counting the blocks each write touches.
 */
import type { GuestEffect } from "../events.ts";
import { instanceRoleMetadata } from "../instance-profile-associations.ts";
import type { Instance, Volume } from "../model.ts";
import { regionState, type SandboxState } from "../state.ts";
import { MAX_INSTANCE_STORE_ROOT_GIB, touchBlocks } from "../volumes.ts";
import { BLOCK_BYTES, BlockSet, FsLayer } from "./fs.ts";
import { guestBase, runtimeDropPaths, writeFile } from "./os.ts";
import type { ShellEnv } from "./shell.ts";

export function rootVolume(state: SandboxState, inst: Instance): Volume | undefined {
  const dev = inst.blockDevices.find((b) => b.deviceName === inst.rootDeviceName);
  return dev ? regionState(state, inst.region).volumes.get(dev.volumeId) : undefined;
}

export function rootFileSystem(state: SandboxState, inst: Instance): FsLayer {
  if (inst.ephemeralRoot) return inst.ephemeralRoot.fs;
  return rootVolume(state, inst)?.fs ?? new FsLayer();
}

/** The file system and path inside it that a guest path resolves to. */
export function resolvePath(
  state: SandboxState,
  inst: Instance,
  path: string,
): { fs: FsLayer; path: string; store?: Instance["instanceStores"][number] } {
  for (const s of inst.instanceStores) {
    if (path === s.mountPoint || path.startsWith(`${s.mountPoint}/`))
      return { fs: s.fs, path: path.slice(s.mountPoint.length) || "/", store: s };
  }
  return { fs: rootFileSystem(state, inst), path };
}

/** The merged view a shell sees: root paths plus instance store paths under their mount points. */
export function guestView(
  state: SandboxState,
  inst: Instance,
): {
  get(path: string): { content: string; size: number; mode: number; owner: string } | undefined;
  paths(): string[];
} {
  return {
    get(path) {
      const r = resolvePath(state, inst, path);
      return r.fs.get(r.path);
    },
    paths() {
      const out = rootFileSystem(state, inst).paths();
      for (const s of inst.instanceStores) for (const p of s.fs.paths()) out.push(s.mountPoint + p);
      return out.sort();
    },
  };
}

const ephemeralAlloc = new WeakMap<FsLayer, { nextBlock: number }>();

/** The block allocator of an instance-store or ephemeral-root layer, when it has written (snapshots carry it). */
export const ephemeralNextBlock = (fs: FsLayer): number | undefined => ephemeralAlloc.get(fs)?.nextBlock;
export const setEphemeralNextBlock = (fs: FsLayer, nextBlock: number): void =>
  void ephemeralAlloc.set(fs, { nextBlock });

export function applyGuestEffects(state: SandboxState, inst: Instance, effects: GuestEffect[], at: number): void {
  const vol = rootVolume(state, inst);
  for (const e of effects) {
    switch (e.op) {
      case "write": {
        const r = resolvePath(state, inst, e.path);
        if (!r.store && vol) {
          const w = writeFile(r.fs, vol, r.path, e.content, e);
          touchBlocks(vol, w.first, w.count);
        } else {
          let alloc = ephemeralAlloc.get(r.fs);
          if (!alloc)
            ephemeralAlloc.set(
              r.fs,
              (alloc = { nextBlock: inst.ephemeralRoot && !r.store ? inst.ephemeralRoot.usedBlocks : 0 }),
            );
          const w = writeFile(r.fs, alloc, r.path, e.content, e);
          if (inst.ephemeralRoot && !r.store)
            inst.ephemeralRoot.usedBlocks = Math.max(inst.ephemeralRoot.usedBlocks, w.first + w.count);
        }
        break;
      }
      case "delete": {
        const r = resolvePath(state, inst, e.path);
        if (r.fs.get(r.path)) r.fs.set(r.path, null);
        break;
      }
      case "service":
        if (e.running) inst.guest.running.add(e.name);
        else inst.guest.running.delete(e.name);
        break;
      case "hostname":
        inst.guest.hostname = e.name;
        break;
      case "bundle": {
        // The bundle holds the root as it is now, less what ec2-bundle-vol excludes.
        const fs = rootFileSystem(state, inst);
        fs.frozen = true;
        let layer = fs;
        if (inst.ephemeralRoot) inst.ephemeralRoot.fs = new FsLayer(fs);
        else if (vol) vol.fs = new FsLayer(fs);
        const cleaned = new FsLayer(layer);
        for (const p of e.dropPaths) if (layer.get(p)) cleaned.entries.set(p, null);
        cleaned.frozen = true;
        layer = cleaned;
        state.bundles.set(e.location, {
          location: e.location,
          ownerId: inst.ownerId,
          region: inst.region,
          layer,
          guest: inst.guest.os,
          architecture: inst.architecture,
          usedBlocks: inst.ephemeralRoot?.usedBlocks ?? vol?.usedBlocks.size ?? 0,
          uploadedAt: at,
        });
        break;
      }
    }
  }
}

/** Runtime data an image or bundle of this instance leaves out (R8). */
export const instanceDropPaths = (state: SandboxState, inst: Instance) =>
  runtimeDropPaths(rootFileSystem(state, inst), {
    privateIp: inst.privateIpAddress,
    publicIp: inst.publicIpAddress,
    hostname: inst.guest.hostname,
  });

export { BLOCK_BYTES, BlockSet };

/** What the guest shell sees of an instance, as `user`. */
/** The shell's view of an instance; `now` (simulated ms) dates what the metadata service hands out. */
export function shellEnv(state: SandboxState, inst: Instance, user: string, cwd?: string, now = state.now): ShellEnv {
  const iam = instanceRoleMetadata(state, inst, now);
  return {
    fs: guestView(state, inst),
    base: guestBase(inst.guest.os),
    user,
    hostname: inst.guest.hostname,
    running: inst.guest.running,
    cwd: cwd ?? (user === "root" ? "/root" : `/home/${user}`),
    facts: {
      instanceId: inst.instanceId,
      instanceType: inst.instanceType,
      region: inst.region,
      availabilityZone: inst.availabilityZone,
      privateIp: inst.privateIpAddress,
      publicIp: inst.publicIpAddress,
      imageId: inst.imageId,
      accountId: inst.ownerId,
      rootDeviceType: inst.rootDeviceType,
      rootSizeGiB: inst.rootDeviceType === "ebs" ? rootVolume(state, inst)?.size : MAX_INSTANCE_STORE_ROOT_GIB,
      architecture: inst.architecture,
      ...(iam ? { iam } : {}),
    },
  };
}
