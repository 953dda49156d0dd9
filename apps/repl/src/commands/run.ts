/**
 * Runs a parsed command against the sandbox through the WebSocket client and says what happened,
 * as lines for the output pane. Short forms and the AWS CLI syntax end in the same core actions.
 */
import { formatDuration } from "@ec2sim/core";
import { isProtocolError, type SandboxClient } from "@ec2sim/protocol";
import { costChart } from "../format/cost.ts";
import { lineage } from "../format/lineage.ts";
import { applyQuery, formatOutput, QueryError } from "../format/output.ts";
import { clockText, fit, money, shortDuration } from "../format/units.ts";
import type { KeyStore } from "../state/key-store.ts";
import type { SandboxView } from "../view/sandbox-view.ts";
import { cliOperations, flagsOf, kebab, shapeHint } from "./aws-cli.ts";
import { type Command, IMAGE_ALIASES, ParseError, parseLine, SHORT_FORMS } from "./parse.ts";

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
}

export interface RunContext {
  client: SandboxClient;
  view: SandboxView;
  keys: KeyStore;
  width: number;
}

const line = (text: string, style: Omit<OutLine, "text"> = {}): OutLine => ({ text, ...style });
const plain = (texts: string[]): OutLine[] => texts.map((t) => line(t));

/** What to try next, by error code. */
export const HINTS: Record<string, string> = {
  "InvalidAMIID.NotFound": "list AMIs with: images, or ec2 describe-images --owners self amazon (Tab completes ami-…)",
  "InvalidAMIID.Malformed": "AMI IDs look like ami-0123456789abcdef0 (Tab completes them)",
  "InvalidInstanceID.NotFound": "the instances table shows yours; Tab completes i-…",
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
    "launch with a key this REPL created (launch without --key does), or: ec2 create-key-pair --key-name NAME",
  SshNoPublicAddress:
    "associate an Elastic IP: ec2 allocate-address, then ec2 associate-address --instance-id … --allocation-id …",
  UnsupportedOperation: "this sandbox does not model that action (yet)",
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
    const hint = HINTS[e.code];
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
  switch (cmd.kind) {
    case "empty":
      return { lines: [] };
    case "exit":
      return { lines: [], exit: true };
    case "clear":
      return { lines: [], clear: true };
    case "help":
      return { lines: helpLines(cmd.topic, ctx.width) };
    case "call":
      return { lines: await runCall(cmd, ctx) };
    case "launch":
      return { lines: await launch(cmd, ctx) };
    case "lifecycle": {
      const out = await client.call(cmd.action, { InstanceIds: cmd.ids });
      const changes = (out.StoppingInstances ?? out.StartingInstances ?? out.TerminatingInstances ?? []) as {
        InstanceId: string;
        PreviousState: { Name: string };
        CurrentState: { Name: string };
      }[];
      view.schedule("instances");
      if (cmd.action === "RebootInstances") return { lines: plain(cmd.ids.map((id) => `${id}: rebooting`)) };
      return { lines: changes.map((c) => line(`${c.InstanceId}: ${c.PreviousState.Name} → ${c.CurrentState.Name}`)) };
    }
    case "image-create": {
      const out = await client.call<{ ImageId: string }>("CreateImage", {
        InstanceId: cmd.instanceId,
        Name: cmd.name,
        ...(cmd.noReboot ? { NoReboot: true } : {}),
      });
      view.schedule("images");
      return {
        lines: [
          line(
            `${out.ImageId} ${cmd.name}: pending (snapshotting ${cmd.instanceId}'s volumes${cmd.noReboot ? "" : "; the instance reboots"})`,
          ),
          line("  it becomes available in a few simulated minutes: watch the progress above, or clock advance 5m", {
            dim: true,
          }),
        ],
      };
    }
    case "image-copy": {
      const src = view.getSnapshot().images.find((i) => i.id === cmd.imageId);
      const out = await client.call<{ ImageId: string }>(
        "CopyImage",
        {
          SourceImageId: cmd.imageId,
          SourceRegion: src?.region ?? "us-east-1",
          Name: cmd.name ?? src?.name ?? cmd.imageId,
        },
        cmd.region,
      );
      view.schedule("images");
      return {
        lines: [line(`${cmd.region} ${out.ImageId}: copy of ${cmd.imageId} pending (a new ID, its own snapshots)`)],
      };
    }
    case "image-deregister": {
      const src = view.getSnapshot().images.find((i) => i.id === cmd.imageId);
      await client.call("DeregisterImage", { ImageId: cmd.imageId }, src?.region);
      view.schedule("images");
      return { lines: [line(`${cmd.imageId}: deregistered (instances launched from it keep running)`)] };
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
      view.schedule("cost");
      const labels: Record<string, string> = {};
      for (const i of s.instances) labels[i.id] = `${i.type}${i.name ? ` ${i.name}` : ""}`;
      for (const i of s.images) labels[i.id] = i.name;
      const history = [
        ...s.costHistory.filter((h) => h.at < report.at),
        { at: report.at, total: report.total, byResource: report.byResource },
      ];
      return {
        lines: [
          line(`Cost so far (simulated ${clockText(report.at)}): ${money(report.total)}`, { bold: true }),
          ...plain(costChart(report.byResource, report.total, history, labels, ctx.width)),
        ],
      };
    }
    case "clock": {
      let c;
      if (cmd.op === "advance") c = await client.clock({ advance: cmd.ms! });
      else if (cmd.op === "speed") c = await client.clock({ speed: cmd.speed!, paused: false });
      else if (cmd.op === "pause") c = await client.clock({ paused: true });
      else if (cmd.op === "resume") c = await client.clock({ paused: false });
      else c = await client.info().then((i) => ({ ...i.clock, now: i.now }));
      const what = cmd.op === "advance" ? `advanced ${formatDuration(cmd.ms!)}: ` : "";
      return { lines: [line(`clock ${what}${clockText(c.now)} ×${c.speed}${c.paused ? " (paused)" : ""}`)] };
    }
    case "ssh":
      return ssh(cmd.instanceId, ctx);
  }
}

async function runCall(cmd: Extract<Command, { kind: "call" }>, ctx: RunContext): Promise<OutLine[]> {
  let out = await ctx.client.call<Record<string, unknown>>(cmd.action, cmd.input, cmd.region);
  const notes: OutLine[] = [];
  if (cmd.action === "CreateKeyPair" && typeof out?.KeyMaterial === "string") {
    const path = ctx.keys.save(String(out.KeyName), out.KeyMaterial, cmd.region ?? "us-east-1");
    out = { ...out, KeyMaterial: `(kept in ${path}, mode 600; ssh offers it)` };
    notes.push(
      line(`private key of ${String(out.KeyName)} kept in ${path} (mode 600): ssh i-… uses it`, { dim: true }),
    );
  }
  if (
    /^(Run|Start|Stop|Terminate|Reboot)Instances$|^(Create|Copy|Deregister|Register)Image$|^CreateTags$|^DeleteTags$/.test(
      cmd.action,
    )
  )
    ctx.view.refreshAll();
  const shown = applyQuery(out ?? {}, cmd.query);
  return [...plain(formatOutput(shown, cmd.output ?? "json", kebabTitle(cmd.action), ctx.width)), ...notes];
}

const kebabTitle = (action: string) => action;

async function resolveImage(spec: string, ctx: RunContext): Promise<{ id: string; name: string }> {
  if (/^ami-[0-9a-f]{8,17}$/.test(spec)) {
    const known = ctx.view.getSnapshot().images.find((i) => i.id === spec);
    return { id: spec, name: known?.name ?? ctx.view.getSnapshot().imageNames[spec] ?? "" };
  }
  const alias = IMAGE_ALIASES[spec.toLowerCase()];
  const filters = [
    { Name: "name", Values: [alias ? alias.pattern : spec] },
    { Name: "state", Values: ["available"] },
  ];
  const out = await ctx.client.call<{ Images: { ImageId: string; Name: string; CreationDate: string }[] }>(
    "DescribeImages",
    { Owners: alias ? [alias.owner] : ["self"], Filters: filters },
  );
  let images = out.Images ?? [];
  if (!alias && !images.length) {
    const pending = ctx.view.getSnapshot().images.find((i) => i.name === spec);
    if (pending)
      throw new ParseError(
        `launch: ${pending.id} (${spec}) is ${pending.state}, not available yet`,
        "wait for it (progress above) or clock advance 5m",
      );
    images =
      (
        await ctx.client.call<{ Images: { ImageId: string; Name: string; CreationDate: string }[] }>("DescribeImages", {
          Owners: ["amazon"],
          Filters: filters,
        })
      ).Images ?? [];
  }
  const best = images.sort((a, b) => b.CreationDate.localeCompare(a.CreationDate))[0];
  if (!best)
    throw new ParseError(
      `launch: no available image called '${spec}'`,
      `use an AMI ID, one of ${Object.keys(IMAGE_ALIASES).join(", ")}, or the name of one of your images`,
    );
  return { id: best.ImageId, name: best.Name };
}

/** The key pair `launch` uses when none is given: made once, private key kept in the data dir. */
async function defaultKey(ctx: RunContext): Promise<string> {
  const existing = await ctx.client.call<{ KeyPairs: { KeyName: string }[] }>("DescribeKeyPairs", {});
  const remote = new Set((existing.KeyPairs ?? []).map((k) => k.KeyName));
  for (let n = 1; n < 100; n++) {
    const name = n === 1 ? "ec2sim-repl" : `ec2sim-repl-${n}`;
    const local = ctx.keys.load(name);
    if (local && remote.has(name)) return name;
    if (!remote.has(name)) {
      const k = await ctx.client.call<{ KeyName: string; KeyMaterial: string }>("CreateKeyPair", { KeyName: name });
      ctx.keys.save(k.KeyName, k.KeyMaterial);
      return name;
    }
  }
  throw new ParseError("launch: could not make a key pair", "give one: launch … --key NAME");
}

/** The security group `launch` uses when none is given: SSH and HTTP from anywhere. */
async function defaultGroup(ctx: RunContext): Promise<string> {
  const found = await ctx.client.call<{ SecurityGroups: { GroupId: string }[] }>("DescribeSecurityGroups", {
    Filters: [{ Name: "group-name", Values: ["ec2sim-repl"] }],
  });
  const g = found.SecurityGroups?.[0];
  if (g) return g.GroupId;
  const created = await ctx.client.call<{ GroupId: string }>("CreateSecurityGroup", {
    GroupName: "ec2sim-repl",
    Description: "ec2sim REPL: SSH and HTTP",
  });
  await ctx.client.call("AuthorizeSecurityGroupIngress", {
    GroupId: created.GroupId,
    IpPermissions: [
      { IpProtocol: "tcp", FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: "0.0.0.0/0", Description: "SSH" }] },
      { IpProtocol: "tcp", FromPort: 80, ToPort: 80, IpRanges: [{ CidrIp: "0.0.0.0/0", Description: "HTTP" }] },
    ],
  });
  return created.GroupId;
}

async function launch(cmd: Extract<Command, { kind: "launch" }>, ctx: RunContext): Promise<OutLine[]> {
  const image = await resolveImage(cmd.image, ctx);
  const notes: OutLine[] = [];
  let keyName = cmd.key;
  if (keyName && !ctx.keys.load(keyName))
    notes.push(line(`note: the REPL keeps no private key for '${keyName}': ssh will not get in`, { color: "yellow" }));
  keyName ??= await defaultKey(ctx);
  const groups = cmd.securityGroups ?? [await defaultGroup(ctx)];
  const tags = cmd.name ? [{ ResourceType: "instance", Tags: [{ Key: "Name", Value: cmd.name }] }] : undefined;
  const out = await ctx.client.call<{ Instances: { InstanceId: string; Placement: { AvailabilityZone: string } }[] }>(
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
  );
  ctx.view.refreshAll();
  const ids = out.Instances.map((i) => i.InstanceId);
  return [
    line(
      `launched ${ids.length} × ${cmd.instanceType} from ${image.id}${image.name ? ` (${image.name})` : ""}: ${ids.join(", ")}`,
      { color: "green" },
    ),
    line(`  key ${keyName}, security group ${groups.join(", ")}; pending until booted (clock advance 1m to hurry)`, {
      dim: true,
    }),
    ...notes,
  ];
}

async function ssh(instanceId: string, ctx: RunContext): Promise<Outcome> {
  const d = await ctx.client.call<{
    Reservations: { Instances: { KeyName?: string; Placement: { AvailabilityZone: string } }[] }[];
  }>("DescribeInstances", { InstanceIds: [instanceId] });
  const inst = d.Reservations?.[0]?.Instances?.[0];
  const keyName = inst?.KeyName;
  const privateKey = keyName ? ctx.keys.load(keyName) : undefined;
  const s = await ctx.client.call<{ User: string; Host: string; Hostname: string; Banner: string; Cwd: string }>(
    "SshConnect",
    { InstanceId: instanceId, ...(privateKey ? { PrivateKey: privateKey } : {}) },
  );
  const session: SshSession = {
    instanceId,
    user: s.User,
    host: s.Host,
    hostname: s.Hostname,
    cwd: s.Cwd,
    privateKey: privateKey ?? "",
    region: "us-east-1",
  };
  return {
    lines: [
      line(`ssh -i ${keyName ?? "?"}.pem ${s.User}@${s.Host}  (type exit to leave)`, { dim: true }),
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
    const r = await ctx.client.call<{ Output: string; ExitCode: number; Cwd: string; Closed: boolean }>("GuestRun", {
      InstanceId: session.instanceId,
      Command: cmd,
      Cwd: session.cwd,
    });
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
  const head = `${fit("IMAGE ID", 22)} ${fit("NAME", Math.max(12, w - 70))} ${fit("STATE", 11)} ${fit("REGION", 10)} FROM`;
  return [
    line(head, { bold: true }),
    ...s.images.map((i) =>
      line(
        `${fit(i.id, 22)} ${fit(i.name, Math.max(12, w - 70))} ${fit(i.state, 11)} ${fit(i.region, 10)} ${i.sourceInstanceId ?? (i.sourceImageId ? `copy of ${i.sourceImageId}` : "")}`,
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
      `${fit("INSTANCE ID", 20)} ${fit("NAME", 10)} ${fit("STATE", 13)} ${fit("TYPE", 10)} ${fit("PUBLIC IP", 15)} ${fit("AMI", 21)} UP`,
      { bold: true },
    ),
    ...s.instances.map((i) =>
      line(
        `${fit(i.id, 20)} ${fit(i.name ?? "", 10)} ${fit(i.state, 13)} ${fit(i.type, 10)} ${fit(i.publicIp ?? "–", 15)} ${fit(i.imageId, 21)} ${i.state === "terminated" ? "–" : shortDuration(now - i.launchTime)}`,
      ),
    ),
  ];
}

export function helpLines(topic: string | undefined, width: number): OutLine[] {
  if (!topic) {
    const w = 26;
    const rest = Math.max(20, width - w - 3);
    return [
      line("Commands (help <command> for more; Tab completes)", { bold: true }),
      ...SHORT_FORMS.map((s) => line(`  ${fit(s.short, w)} ${fit(s.summary, rest)}`)),
      line(
        `  ${fit("ec2 <operation> [--flags]", w)} ${fit("any EC2 operation in the AWS CLI's syntax, with --query and --output", rest)}`,
      ),
      line("Keys: Tab complete · ↑/↓ history · Ctrl-R search history · Ctrl-C cancel line · Ctrl-D exit", {
        dim: true,
      }),
    ];
  }
  const words = topic.trim().split(/\s+/);
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
      line("  --query <JMESPath>  --output json|table|text  --region <region>", { dim: true }),
    ];
  }
  const s = SHORT_FORMS.find((x) => x.name === words[0]);
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
