/**
 * Own AMIs on real EC2 (issue 16), in the golden-image workflow: a builder instance set up by hand,
 * imaged, terminated; a web server runs from the image. `--ami-strategy lookup` references the AMI
 * by ID (a variable); `--ami-strategy packer` writes a Packer template that builds it again and
 * looks the newest build up by name. Each is applied with real terraform into a sandbox that has
 * such an AMI, then `ec2sim diff` compares with the original.
 *
 * Packer is not installable here: the template is parsed as HCL2 (@cdktf/hcl2json), its content
 * checked against the cloud-init the same export generates, and the build it describes is run in
 * a sandbox — a build instance from the AMI its source_ami_filter finds, the file provisioner's
 * uploads as cloud-init write_files (what Packer's SSH upload does), each shell provisioner's lines
 * through GuestRun, CreateImage with the name its ami_name gives — before terraform looks it up.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { adminOk, credentialsFor, type ServerProcess } from "@ec2sim/test-harness";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminCall, ec2sim, removeTempDirs, startServer, tempDir, terraform, terraformCliConfig } from "./harness.ts";
import { newestImage } from "./newest-image.ts";

type Json = Record<string, any>;

// Its typings pull in the DOM library (`/// <reference lib="dom" />`), which would change fetch's
// types for every package the one typecheck covers: imported by a name TypeScript does not resolve.
const HCL2JSON = "@cdktf/hcl2json";
const parse = async (file: string, text: string): Promise<Json> =>
  ((await import(HCL2JSON)) as { parse: (f: string, t: string) => Promise<Json> }).parse(file, text);
let server: ServerProcess;
let cliConfig: string;
const amiOf: Record<string, string> = {};
const SECRET = "db_password = s3cr3t-cats-2024";

const call = (sandbox: string) => adminCall(server.url, sandbox);
const advance = (sandbox: string, ms: number) =>
  adminOk(server.url, "POST", `/sandboxes/${sandbox}/clock`, { advance: ms });
const sh = async (sandbox: string, instanceId: string, command: string): Promise<string> => {
  const r = await call(sandbox)("GuestRun", { InstanceId: instanceId, Command: command });
  if (r.ExitCode !== 0) throw new Error(`${command.slice(0, 80)}: exit ${r.ExitCode}: ${r.Output}`);
  return r.Output as string;
};
const tag = (type: string, name: string) => [{ ResourceType: type, Tags: [{ Key: "Name", Value: name }] }];

/** The newest image of an owner matching a name pattern, as most_recent finds it. */
async function newest(sandbox: string, owner: string, name: string): Promise<Json> {
  const images = (
    await call(sandbox)("DescribeImages", { Owners: [owner], Filters: [{ Name: "name", Values: [name] }] })
  ).Images as Json[];
  return newestImage(images);
}

async function running(sandbox: string, input: Json): Promise<string> {
  const id = (await call(sandbox)("RunInstances", { InstanceType: "t3.micro", MinCount: 1, MaxCount: 1, ...input }))
    .Instances[0].InstanceId as string;
  await advance(sandbox, 60_000);
  return id;
}

/** The image, taken, then its builder terminated (the builder's work is what the image holds). */
async function image(sandbox: string, builder: string, input: Json): Promise<string> {
  const id = (await call(sandbox)("CreateImage", { InstanceId: builder, ...input })).ImageId as string;
  await advance(sandbox, 120_000);
  await call(sandbox)("TerminateInstances", { InstanceIds: [builder] });
  await advance(sandbox, 60_000);
  return id;
}

/** The golden image, by hand: what a team does on a builder before CreateImage. */
async function goldenByHand(sandbox: string): Promise<string> {
  const base = await newest(sandbox, "amazon", "al2023-ami-2023.*-kernel-6.1-x86_64");
  const b = await running(sandbox, { ImageId: base.ImageId, TagSpecifications: tag("instance", "builder") });
  await sh(sandbox, b, "sudo dnf install -y nginx");
  await sh(sandbox, b, "echo '<h1>Cats</h1>' | sudo tee /usr/share/nginx/html/index.html > /dev/null");
  await sh(sandbox, b, "echo 'export CATS=1' >> ~/.bashrc");
  await sh(sandbox, b, "echo 'port=8080' | sudo tee /opt/app/app.conf > /dev/null");
  await sh(sandbox, b, "sudo chmod 640 /opt/app/app.conf && sudo chown ec2-user:ec2-user /opt/app/app.conf");
  await sh(sandbox, b, `echo '${SECRET}' | sudo tee /etc/app.secret > /dev/null`);
  await sh(sandbox, b, "sudo systemctl enable nginx");
  return image(sandbox, b, {
    Name: "web-ami",
    Description: "Cats web server",
    TagSpecifications: tag("image", "web-ami"),
  });
}

function tfEnvFor(creds: { accessKeyId: string; secretAccessKey: string }, sandbox: string): NodeJS.ProcessEnv {
  return {
    TF_CLI_CONFIG_FILE: cliConfig,
    EC2SIM_ENDPOINT: `${server.url}/sandbox/${sandbox}`,
    EC2SIM_TF_POLL_MS: "50",
    AWS_ACCESS_KEY_ID: creds.accessKeyId,
    AWS_SECRET_ACCESS_KEY: creds.secretAccessKey,
  };
}

const exportA = (dir: string, strategy: string) =>
  ec2sim([
    "export",
    "--server",
    server.url,
    "--sandbox",
    "A",
    "--format",
    "hcl",
    "--ami-strategy",
    strategy,
    "--no-origin-tags",
    "--out",
    dir,
  ]);
const diffA = (to: string, extra: string[] = []) =>
  ec2sim([
    "diff",
    "--server",
    server.url,
    "--from",
    "sandbox:A",
    "--to",
    `sandbox:${to}`,
    "--detailed-exitcode",
    ...extra,
  ]);

beforeAll(async () => {
  server = await startServer(["A", "B", "C"]);
  cliConfig = await terraformCliConfig(join(tempDir("cli"), "cli"));
  amiOf.A = await goldenByHand("A");
  await running("A", { ImageId: amiOf.A, TagSpecifications: tag("instance", "web-1") });
  // B's team built the same image the same way: the AMI lookup takes.
  amiOf.B = await goldenByHand("B");
}, 300_000);

afterAll(async () => {
  await server?.stop();
  removeTempDirs();
});

describe("--ami-strategy lookup", () => {
  it("the AMI is a variable (no default) and the instance runs from it; nothing images an instance", async () => {
    const dir = tempDir("lookup");
    const r = await exportA(dir, "lookup");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const main = readFileSync(join(dir, "main.tf"), "utf8");
    expect(main).not.toMatch(/aws_ami_from_instance|aws_ami_copy|user_data/);
    expect(main).toMatch(/resource "aws_instance" "web_1" \{[^}]*\n {2}ami += var\.web_ami_ami_id\n/);
    const vars = readFileSync(join(dir, "variables.tf"), "utf8");
    const v = vars.slice(vars.indexOf('variable "web_ami_ami_id"'));
    expect(v.slice(0, v.indexOf("\n}"))).toMatch(/description = "ID of an existing AMI built like web-ami/);
    expect(v.slice(0, v.indexOf("\n}"))).not.toContain("default");
    // Applied against B, which has such an AMI: one instance, from B's AMI; and A matches B.
    const env = tfEnvFor(await credentialsFor(server.url, "B"), "B");
    expect((await terraform(["init", "-input=false", "-no-color"], dir, env)).code).toBe(0);
    const apply = await terraform(
      ["apply", "-auto-approve", "-input=false", "-no-color", `-var=web_ami_ami_id=${amiOf.B}`],
      dir,
      env,
    );
    expect(apply.out).toMatch(/Apply complete! Resources: 1 added, 0 changed, 0 destroyed\./);
    const state = JSON.parse((await terraform(["show", "-json"], dir, env)).out);
    expect(state.values.root_module.resources.map((x: Json) => [x.address, x.values.ami])).toEqual([
      ["aws_instance.web_1", amiOf.B],
    ]);
    const d = await diffA("B");
    expect(d.stdout).toMatch(/No changes\. sandbox:B matches sandbox:A \(2 resources\)\./);
    expect(d.code).toBe(0);
  }, 180_000);
});

describe("--ami-strategy packer", () => {
  let dir: string;
  let tpl: Json;
  let text: string;

  it("writes packer/web_ami.pkr.hcl, valid HCL2: amazon-ebs from the newest base AMI, a timestamped name, the image's tags", async () => {
    dir = tempDir("packer");
    const r = await exportA(dir, "packer");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("packer/web_ami.pkr.hcl");
    text = readFileSync(join(dir, "packer/web_ami.pkr.hcl"), "utf8");
    tpl = (await parse("web_ami.pkr.hcl", text)) as Json;
    expect(tpl.packer[0].required_plugins[0].amazon.source).toBe("github.com/hashicorp/amazon");
    expect(tpl.variable.region[0].default).toBe("us-east-1");
    expect(tpl.variable.instance_type[0].default).toBe("t3.micro");
    const src = tpl.source["amazon-ebs"].web_ami[0];
    expect(src).toMatchObject({
      region: "${var.region}",
      instance_type: "${var.instance_type}",
      ssh_username: "ec2-user",
      ami_name: "web-ami-${local.timestamp}",
      ami_description: "Cats web server",
      tags: { Name: "web-ami" },
    });
    expect(src.source_ami_filter).toEqual([
      {
        filters: {
          name: "al2023-ami-2023.*-kernel-6.1-x86_64",
          "root-device-type": "ebs",
          "virtualization-type": "hvm",
        },
        owners: ["amazon"],
        most_recent: true,
      },
    ]);
    expect(tpl.locals[0].timestamp).toBe('${formatdate("YYYYMMDDhhmmss", timestamp())}');
    expect(tpl.build[0].sources).toEqual(["source.amazon-ebs.web_ami"]);
  });

  it("its provisioners replay the guest as the export's cloud-init does: same files, modes, owners, appends, packages; the secret refused", async () => {
    const files = tpl.build[0].provisioner.file as Json[];
    const shell = (tpl.build[0].provisioner.shell as Json[]).flatMap((s) => s.inline as string[]);
    expect(shell[0]).toBe("cloud-init status --wait");
    expect(shell).toContain("sudo dnf install -y nginx");
    expect(shell).toContain("sudo systemctl enable nginx");
    // Each upload is put in place: path -> content, mode, owner, append.
    const placed = new Map<string, { content: string; mode: string; owner: string; append: boolean }>();
    files.forEach((f, i) => {
      const tmp = `/tmp/ec2sim-file-${i + 1}`;
      expect(f.destination).toBe(tmp);
      const install = shell.find((l) => l.startsWith("sudo install ") && l.includes(` ${tmp} `));
      if (install) {
        const [, mode, owner, path] = install.match(/-m (\d+) -o (\S+) -g \S+ \S+ (\S+)$/)!;
        placed.set(path!, { content: f.content, mode: mode!, owner: owner!, append: false });
        return;
      }
      const path = shell.find((l) => l.startsWith(`cat ${tmp} | sudo tee -a `))!.split(" ")[6]!;
      const mode = shell.find((l) => l.startsWith("sudo chmod ") && l.endsWith(` ${path}`))!.split(" ")[2]!;
      const owner = shell.find((l) => l.startsWith("sudo chown ") && l.endsWith(` ${path}`))!.split(" ")[2]!;
      placed.set(path, { content: f.content, mode, owner: owner.split(":")[0]!, append: true });
    });
    expect(Object.fromEntries(placed)).toEqual({
      "/usr/share/nginx/html/index.html": { content: "<h1>Cats</h1>\n", mode: "0644", owner: "root", append: false },
      "/home/ec2-user/.bashrc": { content: "export CATS=1\n", mode: "0644", owner: "ec2-user", append: true },
      "/opt/app/app.conf": { content: "port=8080\n", mode: "0640", owner: "ec2-user", append: false },
    });
    // The rebuild export cannot image a terminated builder, so its web-1 carries the same guest as
    // cloud-init: the same files, each with the same mode, owner and append.
    const rebuild = tempDir("rebuild");
    expect((await exportA(rebuild, "rebuild")).code).toBe(0);
    const main = readFileSync(join(rebuild, "main.tf"), "utf8");
    const cc = main.slice(main.indexOf("#cloud-config"), main.indexOf("\nEOT", main.indexOf("#cloud-config")));
    const entries = cc.split("\n  - path: ").slice(1);
    expect(entries.map((e) => e.split("\n")[0]).sort()).toEqual([...placed.keys()].sort());
    for (const e of entries) {
      const p = placed.get(e.split("\n")[0]!)!;
      expect(e).toContain(`permissions: "${p.mode}"`);
      expect(e).toContain(`owner: ${p.owner}:${p.owner}`);
      expect(e.includes("append: true")).toBe(p.append);
      expect(`${e}\n`).toContain(`content: |\n      ${p.content.trimEnd()}\n`);
    }
    expect(cc).toMatch(/\npackages:\n {2}- nginx\n/);
    expect(cc).toContain("[systemctl, enable, --now, nginx]");
    // The password file: in neither, and listed.
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain("/etc/app.secret");
    expect(readFileSync(join(dir, "NOT-EXPORTED.md"), "utf8")).toMatch(
      new RegExp(`\`${amiOf.A}:/etc/app\\.secret\` \\| guest file \\| .*a password or token.*commit`),
    );
  }, 60_000);

  it("terraform looks the newest build up by name (owners self): built as the template says in C, applied, A's web server matches", async () => {
    const main = readFileSync(join(dir, "main.tf"), "utf8");
    expect(main).not.toMatch(/aws_ami_from_instance/);
    expect(main).toMatch(
      /data "aws_ami" "web_ami" \{\n {2}most_recent = true\n {2}owners += \["self"\]\n\n {2}filter \{\n {4}name += "name"\n {4}values = \[var\.web_ami_ami_name\]\n/,
    );
    expect(main).toMatch(/ami += data\.aws_ami\.web_ami\.id/);
    expect(readFileSync(join(dir, "variables.tf"), "utf8")).toMatch(
      /variable "web_ami_ami_name" \{[^}]*default += "web-ami-\?{14}"/,
    );
    // The build the template describes, in C.
    const src = tpl.source["amazon-ebs"].web_ami[0];
    const filter = src.source_ami_filter[0];
    const base = await newest("C", filter.owners[0], filter.filters.name);
    const uploads = (tpl.build[0].provisioner.file as Json[]).map((f) => ({ path: f.destination, content: f.content }));
    const builder = await running("C", {
      ImageId: base.ImageId,
      InstanceType: tpl.variable.instance_type[0].default,
      UserData: Buffer.from(`#cloud-config\nwrite_files: ${JSON.stringify(uploads)}\n`).toString("base64"),
    });
    for (const s of tpl.build[0].provisioner.shell as Json[]) for (const line of s.inline) await sh("C", builder, line);
    const stamp = new Date().toISOString().replace(/\D/g, "").slice(0, 14);
    const built = await image("C", builder, {
      Name: src.ami_name.replace("${local.timestamp}", stamp),
      Description: src.ami_description,
      TagSpecifications: [
        { ResourceType: "image", Tags: Object.entries(src.tags).map(([Key, Value]) => ({ Key, Value })) },
      ],
    });
    const env = tfEnvFor(await credentialsFor(server.url, "C"), "C");
    expect((await terraform(["init", "-input=false", "-no-color"], dir, env)).code).toBe(0);
    const apply = await terraform(["apply", "-auto-approve", "-input=false", "-no-color"], dir, env);
    expect(apply.out).toMatch(/Apply complete! Resources: 1 added, 0 changed, 0 destroyed\./);
    const state = JSON.parse((await terraform(["show", "-json"], dir, env)).out);
    expect(
      state.values.root_module.resources.map((x: Json) => [x.address, x.values.id ?? null, x.values.ami ?? null]),
    ).toEqual([
      ["data.aws_ami.web_ami", built, null],
      ["aws_instance.web_1", expect.stringMatching(/^i-/), built],
    ]);
    // The web server from the Packer-built image has A's guest (files, modes, owners, packages):
    // the one change is the build's name.
    const d = await diffA("C", ["--json"]);
    expect(d.code).toBe(2);
    const acting = JSON.parse(d.stdout).resource_changes.filter((c: Json) => c.change.actions[0] !== "no-op");
    expect(acting.map((c: Json) => [c.type, c.change.before.name, c.change.after.name])).toEqual([
      ["aws_ami_from_instance", `web-ami-${stamp}`, "web-ami"],
    ]);
    const web = JSON.parse(d.stdout).resource_changes.find((c: Json) => c.type === "aws_instance");
    expect(web.change.actions).toEqual(["no-op"]);
    expect(Object.keys(web.change.after.guest_files).sort()).toEqual([
      "/home/ec2-user/.bashrc",
      "/opt/app/app.conf",
      "/usr/share/nginx/html/index.html",
    ]);
  }, 240_000);
});
