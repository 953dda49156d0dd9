/**
 * The guest's view of the network (R29): whether its traffic gets out to the internet (package
 * downloads need it), and the bytes a download sends through a NAT gateway, which bills them per GB.
 */
import type { Instance } from "../model.ts";
import { type Egress, internetEgress } from "../reachability.ts";
import type { Tx } from "../tx.ts";
import type { ShellEnv, ShellResult } from "./shell.ts";

/** The instance's way out, and the part of it the shell needs. */
export function guestEgress(tx: Tx, inst: Instance): { egress: Egress; env: NonNullable<ShellEnv["egress"]> } {
  const egress = internetEgress(tx.regionOf(inst.region), inst);
  return { egress, env: egress.ok ? { ok: true } : { ok: false, why: egress.why } };
}

/** Records what a command downloaded through a NAT gateway. */
export function recordDownload(tx: Tx, inst: Instance, egress: Egress, res: ShellResult): void {
  if (res.downloadedBytes && egress.ok && egress.via === "nat-gateway")
    tx.emit({
      type: "NatGatewayTrafficRecorded",
      region: inst.region,
      natGatewayId: egress.natGatewayId,
      bytes: res.downloadedBytes,
    });
}
