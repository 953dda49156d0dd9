/**
 * Runs a parsed command against the sandbox through the WebSocket client and says what happened,
 * as lines for the output pane. Short forms and the AWS CLI syntax end in the same core actions;
 * AWS CLI syntax prints exactly what the AWS CLI would (format/cli).
 */
import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { formatDuration } from "@ec2sim/core";
import { isProtocolError, type SandboxClient } from "@ec2sim/protocol";
import { cliOutput, type KnownMembers, QueryError } from "../format/cli/index.ts";
import { costChart } from "../format/cost.ts";
import { lineage } from "../format/lineage.ts";
import { clockText, fit, shortDuration } from "../format/units.ts";
import type { KeyStore } from "../state/key-store.ts";
import type { ResourceKind } from "../view/resources.ts";
import type { InstanceRow, SandboxView } from "../view/sandbox-view.ts";
import { cliOperations, flagsOf, kebab, shapeHint } from "./aws-cli.ts";
import { type Command, ParseError, parseLine, SHORT_FORMS } from "./parse.ts";
import { resolveInstance, resolveLaunchImage, resolveOwnImage } from "./resolve.ts";

export interface OutLine {
  text: string;
  color?: string;
  dim?: boolean;
  bold?: boolean;
}

export interface SshSession {
  instanceId: string;
  user: string;
  host: string;
  hostname: string;
  cwd: string;
  privateKey: string;
  region: string;
}

export interface Outcome {
  lines: OutLine[];
  ssh?: SshSession;
  exit?: boolean;
  clear?: boolean;
  /** Switch the top pane to this view. */
  view?: ResourceKind;
}

/** What the REPL lets a command change about itself: the region, the account. */
export interface SessionControl {
  readonly region: string;
  setRegion(region: string): void;
  accounts(): Promise<{ accountId: string; alias?: string }[]>;
  /** Reconnects as another account of the sandbox; resolves to it. */
  switchAccount(account: string): Promise<{ accountId: string; alias?: string }>;
}

export interface RunContext {
  client: SandboxClient;
  view: SandboxView;
  keys: KeyStore;
  width: number;
  session?: SessionControl;
  /** Print AWS CLI output as a CLI whose model knows only these members would (tests against an installed CLI). */
  cliKnows?: KnownMembers;
}

const regionOf = (ctx: RunContext) => ctx.session?.region ?? "us-east-1";
const line = (text: string, style: Omit<OutLine, "text"> = {}): OutLine => ({ text, ...style });
const plain = (texts: string[]): OutLine[] => texts.map((t) => line(t));

/** What to try next, by error code. */
export const HINTS: Record<string, string> = {
  "InvalidAMIID.NotFound":
    "AMIs belong to one region: images lists yours, ec2 describe-images --owners amazon the Quick Start ones (Tab completes ami-…)",
  "InvalidAMIID.Malformed": "AMI IDs look like ami-0123456789abcdef0 (Tab completes them)",
  "InvalidInstanceID.NotFound": "the instances table shows yours, with their regions; Tab completes i-… and Name tags",
  "InvalidInstanceID.Malformed": "instance IDs look like i-0123456789abcdef0 (Tab completes them)",
  IncorrectInstanceState: "check its state in the table above; transitions take simulated time: clock advance 1m",
  IncorrectState: "wait for the resource to finish its transition: clock advance 1m",
  "InvalidKeyPair.NotFound":
    "create one: ec2 create-key-pair --key-name NAME (the REPL keeps the private key), or launch without --key",
  "InvalidKeyPair.Duplicate": "pick another name, or use it: launch … --key NAME",
  "InvalidGroup.NotFound":
    "list groups: ec2 describe-security-groups --query 'SecurityGroups[].[GroupId,GroupName]' --output text",
  SshConnectionTimedOut:
    "the instance must be running, with a public IP and a security group that allows TCP 22 (launch makes one for you)",
  SshPermissionDenied:
    "launch with a key this REPL created (launch without --key does), give the key file: ssh -i key.pem …, or: ec2 create-key-pair --key-name NAME",
  SshNoPublicAddress:
    "associate an Elastic IP: ec2 allocate-address, then ec2 associate-address --instance-id … --allocation-id …",
  InvalidAction: "Tab after 'ec2 ' lists the operations",
  MissingParameter: "help ec2 <operation> lists its options",
  InvalidParameterValue: "help ec2 <operation> shows what each option takes",
  InvalidParameterCombination: "help ec2 <operation> shows what each option takes",
  UnknownParameter: "help ec2 <operation> lists its options",
  "InvalidAMIName.Duplicate": "AMI names are unique per account and region: pick another name",
  DryRunOperation: "drop --dry-run to do it",
  InsufficientInstanceCapacity: "try another instance type or availability zone",
  ConnectionLost: "the REPL reconnects by itself; run the command again once the header says connected",
  NotConnected: "the REPL reconnects by itself; run the command again once the header says connected",
  ServiceUnavailable: "retry in a moment",
};

/** The hint for an error: by code, and for UnsupportedOperation by what it refused. */
export function hintFor(code: string, message: string): string | undefined {
  if (code === "UnsupportedOperation") {
    if (/ec2sim does not simulate/.test(message))
      return "a feature the sandbox leaves out: docs/NETWORKING.md lists them";
    if (/not supported by this sandbox/.test(message)) return "this sandbox does not model that action (yet)";
    if (/'ebs' root device type and cannot be stopped/.test(message))
      return "an EC2 rule: an instance-store-backed instance cannot be stopped (its data lives only while it runs) — reboot or terminate it";
    return "an EC2 rule: EC2 refuses this for this resource (the message says why)";
  }
  return HINTS[code];
}

export function errorLines(e: unknown, action?: string): OutLine[] {
  if (e instanceof ParseError)
    return [line(e.message, { color: "red" }), ...(e.hint ? [line(`  hint: ${e.hint}`, { dim: true })] : [])];
  if (e instanceof QueryError)
    return [
      line(e.message, { color: "red" }),
      line("  hint: JMESPath, e.g. --query 'Reservations[].Instances[].InstanceId'", { dim: true }),
    ];
  if (isProtocolError(e)) {
    if (e.code === "DryRunOperation")
      return [
        line(`An error occurred (DryRunOperation) when calling the ${action ?? "?"} operation: ${e.message}`, {
          color: "yellow",
        }),
      ];
    const hint = hintFor(e.code, e.message);
    return [
      line(`An error occurred (${e.code})${action ? ` when calling the ${action} operation` : ""}: ${e.message}`, {
        color: "red",
      }),
      ...(hint ? [line(`  hint: ${hint}`, { dim: true })] : []),
    ];
  }
  return [line(`error: ${e instanceof Error ? e.message : String(e)}`, { color: "red" })];
}

/** Parses and runs one line. Never throws: failures become red lines with a hint. */
export async function runLine(text: string, ctx: RunContext): Promise<Outcome> {
  let cmd: Command;
  try {
    cmd = parseLine(text);
  } catch (e) {
    return { lines: errorLines(e) };
  }
  try {
    return await runCommand(cmd, ctx);
  } catch (e) {
    return { lines: errorLines(e, actionOf(cmd)) };
  }
}

function actionOf(cmd: Command): string | undefined {
  switch (cmd.kind) {
    case "call":
      return cmd.action;
    case "launch":
      return "RunInstances";
    case "lifecycle":
      return cmd.action;
    case "image-create":
      return "CreateImage";
    case "image-copy":
      return "CopyImage";
    case "image-deregister":
      return "DeregisterImage";
    case "ssh":
      return "SshConnect";
    default:
      return undefined;
  }
}

export async function runCommand(cmd: Command, ctx: RunContext): Promise<Outcome> {
  const { client, view } = ctx;
  const region = regionOf(ctx);
  // names (`stop cats-2`, `launch MyAMI`) resolve against the view: let its first read, and the
  // re-reads the last command asked for, finish (a fast typist names what was just created)
  await view.ready;
  await view.settled();
  switch (cmd.kind) {
    case "empty":
      return { lines: [] };
    case "exit":
      return { lines: [], exit: true };
    case "clear":
      return { lines: [], clear: true };
    case "help":
      return { lines: helpLines(cmd.topic, ctx.width) };
    case "view":
      return { lines: [], view: cmd.view };
    case "call":
      return { lines: await runCall(cmd, ctx) };
    case "launch":
      return { lines: await launch(cmd, ctx) };
    case "lifecycle":
      return { lines: await lifecycle(cmd, ctx) };
    case "image-create": {
      const inst = resolveInstance(cmd.instance, view, region);
      const out = await client.call<{ ImageId: string }>(
        "CreateImage",
        { InstanceId: inst.id, Name: cmd.name, ...(cmd.noReboot ? { NoReboot: true } : {}) },
        inst.region,
      );
      view.touch([out.ImageId, inst.id], inst.region);
      return {
        lines: [
          line(
            `${out.ImageId} ${cmd.name}: pending (snapshotting ${inst.id}'s volumes${cmd.noReboot ? "" : "; the instance reboots"})`,
          ),
          line("  it becomes available in a few simulated minutes: watch the progress above, or clock advance 5m", {
            dim: true,
          }),
        ],
      };
    }
    case "image-copy": {
      const src = resolveOwnImage(cmd.image, view, region);
      const out = await client.call<{ ImageId: string }>(
        "CopyImage",
        { SourceImageId: src.id, SourceRegion: src.region, Name: cmd.name ?? (src.name || src.id) },
        cmd.region,
      );
      view.touch([out.ImageId], cmd.region);
      return {
        lines: [line(`${cmd.region} ${out.ImageId}: copy of ${src.id} pending (a new ID, its own snapshots)`)],
      };
    }
    case "image-deregister": {
      const img = resolveOwnImage(cmd.image, view, region);
      await client.call("DeregisterImage", { ImageId: img.id }, img.region);
      view.touch([img.id], img.region);
      return {
        lines: [
          line(
            `${img.id}${img.name ? ` (${img.name}, ${img.region})` : ""}: deregistered (instances launched from it keep running)`,
          ),
        ],
      };
    }
    case "images":
      await view.refreshNow("images");
      return { lines: imagesLines(ctx) };
    case "instances":
      await view.refreshNow("instances");
      return { lines: instancesLines(ctx) };
    case "tree": {
      await view.refreshNow("instances", "images");
      const s = view.getSnapshot();
      const t = lineage(s.images, s.instances, s.imageNames);
      if (!t.length)
        return { lines: [line("No lineage yet: launch an instance, then image create i-… NAME", { dim: true })] };
      return {
        lines: [
          line("AMI lineage (AMI → instance → AMI …; copies under their source)", { bold: true }),
          ...t.map((l) => line(`${l.prefix}${l.id}  ${l.text}`)),
        ],
      };
    }
    case "cost": {
      const s = view.getSnapshot();
      const report = await client.cost<{ at: number; total: number; byResource: Record<string, number> }>();
      const labels: Record<string, string> = {};
      for (const i of s.instances) labels[i.id] = `${i.type}${i.name ? ` ${i.name}` : ""}`;
      for (const i of s.images) labels[i.id] = i.name;
      const history = [
        ...s.costHistory.filter((h) => h.at < report.at),
        { at: report.at, total: report.total, byResource: report.byResource },
      ];
      return {
        lines: [
          line(`Cost so far (simulated ${clockText(report.at)}): $${report.total.toFixed(4)}`, { bold: true }),
          ...plain(costChart(report.byResource, report.total, history, labels, ctx.width)),
        ],
      };
    }
    case "clock": {
      let c: { now: number; speed: number; paused: boolean };
      if (cmd.op === "advance") c = await client.clock({ advance: cmd.ms! });
      else if (cmd.op === "speed") c = await client.clock({ speed: cmd.speed!, paused: false });
      else if (cmd.op === "pause") c = await client.clock({ paused: true });
      else if (cmd.op === "resume") c = await client.clock({ paused: false });
      else c = await client.info().then((i) => ({ ...i.clock, now: i.now }));
      const what = cmd.op === "advance" ? `advanced ${formatDuration(cmd.ms!)}: ` : "";
      return { lines: [line(`clock ${what}${clockText(c.now)} ×${c.speed}${c.paused ? " (paused)" : ""}`)] };
    }
    case "region": {
      if (!cmd.region) return { lines: [line(`region ${region} (region NAME switches; Tab completes names)`)] };
      ctx.session?.setRegion(cmd.region);
      return {
        lines: [line(`region ${cmd.region}: commands run there now (the views show every region)`, { color: "cyan" })],
      };
    }
    case "account":
      return { lines: await account(cmd.account, ctx) };
    case "ssh":
      return ssh(cmd, ctx);
  }
}

async function account(which: string | undefined, ctx: RunContext): Promise<OutLine[]> {
  if (!ctx.session) throw new ParseError("account: this REPL cannot switch accounts");
  if (!which) {
    const all = await ctx.session.accounts();
    return [
      line("Accounts of this sandbox (account NAME|ID switches):", { bold: true }),
      ...all.map((a) =>
        line(`  ${a.accountId}  ${a.alias ?? ""}${a.accountId === ctx.client.accountId ? "  (current)" : ""}`),
      ),
    ];
  }
  const a = await ctx.session.switchAccount(which);
  return [line(`now acting as ${a.accountId}${a.alias ? ` (${a.alias})` : ""}`, { color: "cyan" })];
}

async function runCall(cmd: Extract<Command, { kind: "call" }>, ctx: RunContext): Promise<OutLine[]> {
  const region = cmd.region ?? regionOf(ctx);
  let out = await ctx.client.call<Record<string, unknown>>(cmd.action, cmd.input, region);
  const notes: OutLine[] = [];
  if (cmd.action === "CreateKeyPair" && typeof out?.KeyMaterial === "string") {
    const path = ctx.keys.save(String(out.KeyName), out.KeyMaterial, region);
    // a documented difference from the AWS CLI: the REPL keeps the private key instead of printing it
    out = { ...out, KeyMaterial: `(kept in ${path}, mode 600; ssh offers it)` };
    notes.push(
      line(`private key of ${String(out.KeyName)} kept in ${path} (mode 600): ssh i-… uses it`, { dim: true }),
    );
  }
  const lines = cliOutput(cmd.action, out ?? {}, {
    ...(cmd.query !== undefined ? { query: cmd.query } : {}),
    format: cmd.output ?? "json",
    width: ctx.width,
    ...(ctx.cliKnows ? { known: ctx.cliKnows } : {}),
  });
  return [...plain(lines), ...notes];
}

/** The key pair `launch` uses when none is given: made once per region, private key kept in the data dir. */
async function defaultKey(ctx: RunContext, region: string): Promise<string> {
  const existing = await ctx.client.call<{ KeyPairs: { KeyName: string }[] }>("DescribeKeyPairs", {}, region);
  const remote = new Set((existing.KeyPairs ?? []).map((k) => k.KeyName));
  for (let n = 1; n < 100; n++) {
    const name = n === 1 ? "ec2sim-repl" : `ec2sim-repl-${n}`;
    const local = ctx.keys.load(name, region);
    if (local && remote.has(name)) return name;
    if (!remote.has(name)) {
      const k = await ctx.client.call<{ KeyName: string; KeyMaterial: string }>(
        "CreateKeyPair",
        { KeyName: name },
        region,
      );
      ctx.keys.save(k.KeyName, k.KeyMaterial, region);
      return name;
    }
  }
  throw new ParseError("launch: could not make a key pair", "give one: launch … --key NAME");
}

/** The security group `launch` uses when none is given: SSH and HTTP from anywhere. */
async function defaultGroup(ctx: RunContext, region: string): Promise<string> {
  const found = await ctx.client.call<{ SecurityGroups: { GroupId: string }[] }>(
    "DescribeSecurityGroups",
    { Filters: [{ Name: "group-name", Values: ["ec2sim-repl"] }] },
    region,
  );
  const g = found.SecurityGroups?.[0];
  if (g) return g.GroupId;
  const created = await ctx.client.call<{ GroupId: string }>(
    "CreateSecurityGroup",
    { GroupName: "ec2sim-repl", Description: "ec2sim REPL: SSH and HTTP" },
    region,
  );
  await ctx.client.call(
    "AuthorizeSecurityGroupIngress",
    {
      GroupId: created.GroupId,
      IpPermissions: [
        { IpProtocol: "tcp", FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: "0.0.0.0/0", Description: "SSH" }] },
        { IpProtocol: "tcp", FromPort: 80, ToPort: 80, IpRanges: [{ CidrIp: "0.0.0.0/0", Description: "HTTP" }] },
      ],
    },
    region,
  );
  return created.GroupId;
}

async function launch(cmd: Extract<Command, { kind: "launch" }>, ctx: RunContext): Promise<OutLine[]> {
  const region = cmd.region ?? regionOf(ctx);
  const image = await resolveLaunchImage(cmd.image, ctx.view, region);
  const notes: OutLine[] = [];
  let keyName = cmd.key;
  if (keyName && !ctx.keys.load(keyName, region))
    notes.push(
      line(`note: the REPL keeps no private key for '${keyName}': ssh will need -i FILE`, { color: "yellow" }),
    );
  keyName ??= await defaultKey(ctx, region);
  const groups = cmd.securityGroups ?? [await defaultGroup(ctx, region)];
  const tags = cmd.name ? [{ ResourceType: "instance", Tags: [{ Key: "Name", Value: cmd.name }] }] : undefined;
  const out = await ctx.client.call<{ Instances: { InstanceId: string }[] }>(
    "RunInstances",
    {
      ImageId: image.id,
      InstanceType: cmd.instanceType,
      MinCount: cmd.count,
      MaxCount: cmd.count,
      KeyName: keyName,
      SecurityGroupIds: groups,
      ...(tags ? { TagSpecifications: tags } : {}),
    },
    region,
  );
  const ids = out.Instances.map((i) => i.InstanceId);
  ctx.view.touch(ids, region);
  return [
    line(
      `launched ${ids.length} × ${cmd.instanceType} from ${image.id}${image.name ? ` (${image.name})` : ""}${region !== "us-east-1" ? ` in ${region}` : ""}: ${ids.join(", ")}`,
      { color: "green" },
    ),
    line(`  key ${keyName}, security group ${groups.join(", ")}; pending until booted (clock advance 1m to hurry)`, {
      dim: true,
    }),
    ...notes,
  ];
}

async function lifecycle(cmd: Extract<Command, { kind: "lifecycle" }>, ctx: RunContext): Promise<OutLine[]> {
  const region = regionOf(ctx);
  const targets = cmd.targets.map((t) => resolveInstance(t, ctx.view, region));
  const byRegion = new Map<string, InstanceRow[]>();
  for (const t of targets) byRegion.set(t.region, [...(byRegion.get(t.region) ?? []), t]);
  const out: OutLine[] = [];
  for (const [r, insts] of byRegion) {
    const ids = [...new Set(insts.map((i) => i.id))];
    const res = await ctx.client.call(cmd.action, { InstanceIds: ids, ...(cmd.force ? { Force: true } : {}) }, r);
    ctx.view.touch(ids, r);
    if (cmd.action === "RebootInstances") {
      out.push(...plain(ids.map((id) => `${id}: rebooting`)));
      continue;
    }
    const changes = (res.StoppingInstances ?? res.StartingInstances ?? res.TerminatingInstances ?? []) as {
      InstanceId: string;
      PreviousState: { Name: string };
      CurrentState: { Name: string };
    }[];
    const label = (id: string) => {
      const name = insts.find((i) => i.id === id)?.name;
      return name ? `${id} (${name})` : id;
    };
    out.push(...changes.map((c) => line(`${label(c.InstanceId)}: ${c.PreviousState.Name} → ${c.CurrentState.Name}`)));
  }
  return out;
}

/** Reads an identity file the way ssh does (`~` is the home directory). */
function readIdentity(path: string): string {
  const p = path.startsWith("~/") ? `${homedir()}${path.slice(1)}` : path;
  try {
    return readFileSync(p, "utf8");
  } catch (e) {
    throw new ParseError(
      `ssh: Warning: Identity file ${path} not accessible: ${(e as NodeJS.ErrnoException).code === "ENOENT" ? "No such file or directory" : (e as Error).message}.`,
      "give the private key's path; keys the REPL made are offered without -i",
    );
  }
}

async function ssh(cmd: Extract<Command, { kind: "ssh" }>, ctx: RunContext): Promise<Outcome> {
  const target = resolveInstance(cmd.target, ctx.view, regionOf(ctx));
  const region = target.region;
  const d = await ctx.client.call<{ Reservations: { Instances: { KeyName?: string }[] }[] }>(
    "DescribeInstances",
    { InstanceIds: [target.id] },
    region,
  );
  const keyName = d.Reservations?.[0]?.Instances?.[0]?.KeyName;
  const privateKey = cmd.identity ? readIdentity(cmd.identity) : keyName ? ctx.keys.load(keyName, region) : undefined;
  const s = await ctx.client.call<{ User: string; Host: string; Hostname: string; Banner: string; Cwd: string }>(
    "SshConnect",
    {
      InstanceId: target.id,
      ...(privateKey ? { PrivateKey: privateKey } : {}),
      ...(cmd.user ? { User: cmd.user } : {}),
    },
    region,
  );
  const session: SshSession = {
    instanceId: target.id,
    user: s.User,
    host: s.Host,
    hostname: s.Hostname,
    cwd: s.Cwd,
    privateKey: privateKey ?? "",
    region,
  };
  return {
    lines: [
      line(`ssh -i ${cmd.identity ?? `${keyName ?? "?"}.pem`} ${s.User}@${s.Host}  (type exit to leave)`, {
        dim: true,
      }),
      ...plain(s.Banner.trimEnd().split("\n")),
    ],
    ssh: session,
  };
}

/** One line typed inside an ssh session. */
export async function runGuestLine(
  text: string,
  session: SshSession,
  ctx: RunContext,
): Promise<{ lines: OutLine[]; session?: SshSession }> {
  const cmd = text.trim();
  if (cmd === "exit" || cmd === "logout")
    return { lines: [line(`Connection to ${session.host} closed.`, { dim: true })] };
  try {
    const r = await ctx.client.call<{ Output: string; ExitCode: number; Cwd: string; Closed: boolean }>(
      "GuestRun",
      { InstanceId: session.instanceId, Command: cmd, Cwd: session.cwd },
      session.region,
    );
    const out = r.Output.replace(/\n$/, "");
    const lines = out ? plain(out.split("\n")) : [];
    if (r.Closed) return { lines: [...lines, line(`Connection to ${session.host} closed.`, { dim: true })] };
    return { lines, session: { ...session, cwd: r.Cwd } };
  } catch (e) {
    if (isProtocolError(e) && e.code === "SshConnectionClosed") return { lines: errorLines(e, "GuestRun") };
    return { lines: errorLines(e, "GuestRun"), session };
  }
}

export function sshPrompt(s: SshSession): string {
  const home = s.user === "root" ? "/root" : `/home/${s.user}`;
  const dir = s.cwd === home ? "~" : s.cwd.split("/").pop() || "/";
  return `[${s.user}@${s.hostname.split(".")[0]} ${dir}]${s.user === "root" ? "#" : "$"} `;
}

function imagesLines(ctx: RunContext): OutLine[] {
  const s = ctx.view.getSnapshot();
  if (!s.images.length) return [line("You own no AMIs yet: image create i-… NAME", { dim: true })];
  const w = ctx.width;
  const nameW = Math.max(12, w - 72);
  const head = `${fit("IMAGE ID", 21)} ${fit("NAME", nameW)} ${fit("STATE", 12)} ${fit("REGION", 14)} FROM`;
  return [
    line(head, { bold: true }),
    ...s.images.map((i) =>
      line(
        `${fit(i.id, 21)} ${fit(i.name, nameW)} ${fit(i.state, 12)} ${fit(i.region, 14)} ${i.sourceInstanceId ?? (i.sourceImageId ? `copy of ${i.sourceImageId}` : "")}`,
      ),
    ),
  ];
}

function instancesLines(ctx: RunContext): OutLine[] {
  const s = ctx.view.getSnapshot();
  if (!s.instances.length) return [line("No instances: launch al2023 t3.micro", { dim: true })];
  const now = ctx.view.simNow();
  return [
    line(
      `${fit("INSTANCE ID", 20)} ${fit("NAME", 10)} ${fit("STATE", 13)} ${fit("TYPE", 10)} ${fit("AZ", 12)} ${fit("PUBLIC IP", 15)} ${fit("AMI", 21)} UP`,
      { bold: true },
    ),
    ...s.instances.map((i) =>
      line(
        `${fit(i.id, 20)} ${fit(i.name ?? "", 10)} ${fit(i.state, 13)} ${fit(i.type, 10)} ${fit(i.az, 12)} ${fit(i.publicIp ?? "–", 15)} ${fit(i.imageId, 21)} ${i.state === "running" || i.state === "pending" ? shortDuration(now - i.launchTime) : "–"}`,
      ),
    ),
  ];
}

/** The keys of the views, for `help keys` and `?` on a view. */
export const VIEW_KEYS: [string, string][] = [
  ["Esc", "between the prompt and the view (the prompt's ↑/↓ walk the history)"],
  ["↑ ↓  j k", "move the cursor; PgUp/PgDn a page; Home/End (g/G) the ends"],
  ["Enter  d", "describe the selected row: every attribute, tags, lineage, cost, recent events"],
  ["/", "filter the view as you type (Enter keeps it, Esc clears it)"],
  [":", "switch view: :instances :images :volumes :snapshots :sg :keys :vpcs :subnets"],
  [
    "< >  or  Shift+letter",
    "sort by the previous/next column, or by the column starting with that letter (again: reverse)",
  ],
  ["s", "ssh into the selected instance"],
  ["p / u / r / x", "stop / start / reboot / terminate the selected instance (asks first)"],
  ["i", "create an image of the selected instance (asks for a name)"],
  ["l / c / x", "images view: launch from / copy to another region / deregister the selected image (asks first)"],
  ["PgUp PgDn", "at the prompt: scroll the output back and forth"],
  ["?", "these keys"],
];

export function helpLines(topic: string | undefined, width: number): OutLine[] {
  if (!topic) {
    const w = 26;
    const rest = Math.max(20, width - w - 3);
    return [
      line("Commands (help <command> for more; Tab completes; help keys for the views' keys)", { bold: true }),
      ...SHORT_FORMS.map((s) => line(`  ${fit(s.short, w)} ${fit(s.summary, rest)}`)),
      line(
        `  ${fit("ec2 <operation> [--flags]", w)} ${fit("any EC2 operation in the AWS CLI's syntax, with --query and --output", rest)}`,
      ),
      line(`  ${fit(":images  :vol  :sg …", w)} ${fit("switch the view at the top (Esc moves into it)", rest)}`),
      line("Keys: Tab complete · ↑/↓ history · Ctrl-R search history · Ctrl-C cancel line · Ctrl-D exit · Esc view", {
        dim: true,
      }),
    ];
  }
  const words = topic.trim().split(/\s+/);
  if (words[0] === "keys") {
    return [
      line("Keys of the views (k9s style)", { bold: true }),
      ...VIEW_KEYS.map(([k, what]) => line(`  ${fit(k, 22)} ${what}`)),
    ];
  }
  if (words[0] === "ec2") {
    if (!words[1])
      return [
        line("ec2 <operation> [--flags]: every EC2 operation by its AWS CLI name; Tab after 'ec2 ' lists them", {
          bold: true,
        }),
        line(
          "  e.g. ec2 describe-images --owners self   ec2 run-instances --image-id ami-… --instance-type t3.micro --count 2",
        ),
      ];
    const action = cliOperations().get(words[1]);
    if (!action) return [line(`help: no EC2 operation '${words[1]}'`, { color: "red" })];
    const flags = flagsOf(action);
    return [
      line(`ec2 ${kebab(action)}  (${action})`, { bold: true }),
      ...flags.map((f) => line(`  ${shapeHint(f.member)}`)),
      line("  --query <JMESPath>  --output json|text|table|yaml  --region <region>", { dim: true }),
    ];
  }
  const s = SHORT_FORMS.find((x) => x.name === words[0] || x.aliases?.includes(words[0]!));
  if (!s)
    return [
      line(`help: no command '${topic}'`, { color: "red" }),
      line("  hint: ? lists the commands; help ec2 <operation> shows an EC2 operation's options", { dim: true }),
    ];
  return [
    line(s.usage, { bold: true }),
    line(`  ${s.summary}`),
    ...(s.equivalent ? [line(`  same as: ${s.equivalent}`, { dim: true })] : []),
    ...s.examples.map((e) => line(`  e.g. ${e}`)),
  ];
}
