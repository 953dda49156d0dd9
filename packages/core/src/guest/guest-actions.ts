/**
 * Reaching the guest (R18, R19, R29): SSH succeeds only if the instance is running, reachable from
 * the internet (a public or Elastic IP, an internet gateway attached to its VPC, a route to it, a
 * security group that lets TCP 22 in from the caller's IP: reachability.ts), and the private key
 * belongs to the instance's key pair; otherwise the sandbox says which check failed. Then a shell.
 */
import { Ec2Error, errors } from "../errors.ts";
import { requireInstance } from "../instances.ts";
import { reachFromInternet } from "../reachability.ts";
import type { Tx } from "../tx.ts";
import { guestView, instanceDropPaths, shellEnv } from "./access.ts";
import { guestEgress, recordDownload } from "./network.ts";
import { guestBase } from "./os.ts";
import { runShell } from "./shell.ts";

export interface SshInput {
  InstanceId?: string;
  PrivateKey?: string;
  User?: string;
  SourceIp?: string;
}

export function checkSsh(tx: Tx, input: SshInput): { user: string; host: string } {
  if (!input.InstanceId) throw errors.missingParameter("InstanceId");
  const inst = requireInstance(tx, input.InstanceId);
  const base = guestBase(inst.guest.os);
  if (inst.platform === "windows")
    throw new Ec2Error(
      "SshUnsupported",
      `${inst.instanceId} runs Windows: connect with RDP (port 3389) and the password from GetPasswordData, not SSH`,
    );
  if (inst.state !== "running")
    throw new Ec2Error(
      "SshConnectionTimedOut",
      `ssh: connect to host ${inst.publicIpAddress ?? inst.privateIpAddress} port 22: Connection timed out (the instance is ${inst.state}, not running)`,
    );
  const sourceIp = input.SourceIp ?? tx.state.accounts.get(tx.ctx.accountId)?.callerIp ?? "203.0.113.10";
  // R29: a public IPv4, an attached internet gateway, a route to it, and a group rule (R19).
  const entry = reachFromInternet(tx.region, inst, sourceIp, 22);
  const host = entry.publicIp;
  if (!inst.keyName)
    throw new Ec2Error(
      "SshPermissionDenied",
      `${base.defaultUser}@${host}: Permission denied (publickey). The instance was launched without a key pair.`,
    );
  const key = [...tx.region.keyPairs.values()].find((k) => k.keyName === inst.keyName && k.ownerId === inst.ownerId);
  const offered = input.PrivateKey ? tx.keys.publicKeyOf(input.PrivateKey) : undefined;
  if (!input.PrivateKey)
    throw new Ec2Error(
      "SshPermissionDenied",
      `${base.defaultUser}@${host}: Permission denied (publickey). Give the private key of key pair '${inst.keyName}' (ssh -i ${inst.keyName}.pem).`,
    );
  if (!offered || !key || offered.split(" ").slice(0, 2).join(" ") !== key.publicKey.split(" ").slice(0, 2).join(" ")) {
    throw new Ec2Error(
      "SshPermissionDenied",
      `${base.defaultUser}@${host}: Permission denied (publickey). That key is not the private key of key pair '${inst.keyName}'.`,
    );
  }
  const user = input.User ?? base.defaultUser;
  if (user !== base.defaultUser) {
    throw new Ec2Error(
      "SshPermissionDenied",
      `Please login as the user "${base.defaultUser}" rather than the user "${user}".`,
    );
  }
  return { user, host };
}

export const guestActions = {
  /** Not an EC2 action: the SSH checks of R19, answered as a connection would be. */
  SshConnect(tx: Tx, input: SshInput) {
    const r = checkSsh(tx, input);
    const inst = requireInstance(tx, input.InstanceId!);
    const base = guestBase(inst.guest.os);
    const motd =
      base.family === "amazon-linux"
        ? `   ,     #_\n   ~\\_  ####_        Amazon Linux 2023\n  ~~  \\_#####\\\n  ~~     \\###|\n  ~~       \\#/ ___   https://aws.amazon.com/linux/amazon-linux-2023\n   ~~       V~' '->\n    ~~~         /\n      ~~._.   _/\n         _/ _/\n       _/m/'\n`
        : `Welcome to ${
            guestView(tx.state, inst)
              .get("/etc/os-release")
              ?.content.match(/PRETTY_NAME="([^"]+)"/)?.[1] ?? "Linux"
          }\n`;
    return {
      User: r.user,
      Host: r.host,
      Hostname: inst.guest.hostname,
      Banner: motd,
      Cwd: r.user === "root" ? "/root" : `/home/${r.user}`,
    };
  },
  /** Not an EC2 action: one command line in the guest shell, as the login user. */
  GuestRun(tx: Tx, input: { InstanceId?: string; Command?: string; User?: string; Cwd?: string }) {
    if (!input.InstanceId) throw errors.missingParameter("InstanceId");
    const inst = requireInstance(tx, input.InstanceId);
    if (inst.state !== "running")
      throw new Ec2Error(
        "SshConnectionClosed",
        `Connection to ${inst.publicIpAddress ?? inst.privateIpAddress} closed: the instance is ${inst.state}`,
      );
    const base = guestBase(inst.guest.os);
    const user = input.User ?? base.defaultUser;
    const net = guestEgress(tx, inst);
    const res = runShell(
      { ...shellEnv(tx.state, inst, user, input.Cwd, tx.now), egress: net.env },
      input.Command ?? "",
    );
    const effects = res.effects.map((e) =>
      e.op === "bundle" ? { ...e, dropPaths: instanceDropPaths(tx.state, inst) } : e,
    );
    if (effects.length) tx.emit({ type: "GuestChanged", region: tx.ctx.region, instanceId: inst.instanceId, effects });
    recordDownload(tx, inst, net.egress, res);
    if (res.shutdown) {
      // instance-initiated shutdown: stop or terminate as the attribute says
      const terminate = inst.instanceInitiatedShutdownBehavior === "terminate" || inst.rootDeviceType !== "ebs";
      tx.emit({
        type: "InstanceStateChanged",
        region: tx.ctx.region,
        instanceId: inst.instanceId,
        state: terminate ? "shutting-down" : "stopping",
        reason: "User initiated (shutdown from the guest)",
        stateReason: {
          code: "Client.InstanceInitiatedShutdown",
          message: "Client.InstanceInitiatedShutdown: Instance initiated shutdown",
        },
        transitionAt: tx.now + 10_000,
      });
    }
    return { Output: res.output, ExitCode: res.exitCode, Cwd: res.cwd, Closed: res.exit || res.shutdown || false };
  },
};
