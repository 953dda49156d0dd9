// The provider driven by the real terraform CLI: handshake, init through the filesystem mirror,
// validate of a configuration using every type, plan of resources that need no API call, and
// reattach mode. (Plans and applies that read or change real resources need the ec2sim server.)
import { spawn } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateCertificate } from "../src/der.ts";
import { createProvider } from "../src/framework/provider.ts";
import { MAGIC_COOKIE_VALUE, type RunningServer, startServer } from "../src/plugin.ts";
import { providerDefinition } from "../src/resources/index.ts";
import { NEWEST_VERSION } from "../src/versions.ts";
import { requireTerraform, type Sandbox, setupSandbox, tf, workdir } from "./terraform-cli.ts";

let sb: Sandbox;
let version: string;

beforeAll(async () => {
  version = requireTerraform();
  sb = await setupSandbox();
}, 120_000);

/** Spawn the plugin executable as terraform would and time spawn -> handshake line. */
function handshake(exe: string, env: NodeJS.ProcessEnv): Promise<{ line: string; ms: number }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const p = spawn(exe, [], { env });
    let out = "";
    let err = "";
    p.stdout.on("data", (d: Buffer) => {
      out += d.toString();
      if (out.includes("\n")) {
        const ms = performance.now() - t0;
        p.kill("SIGKILL");
        resolve({ line: out.split("\n")[0]!, ms });
      }
    });
    p.stderr.on("data", (d: Buffer) => (err += d.toString()));
    p.on("exit", (code) => {
      if (!out.includes("\n")) reject(Object.assign(new Error(`plugin exited ${code}: ${err}`), { code, stderr: err }));
    });
  });
}

describe("go-plugin handshake", () => {
  it("answers protocol 6 over TCP with an AutoMTLS certificate, and starts fast", async () => {
    const clientCert = generateCertificate().certPem;
    const env = {
      ...sb.env,
      TF_PLUGIN_MAGIC_COOKIE: MAGIC_COOKIE_VALUE,
      PLUGIN_PROTOCOL_VERSIONS: "5,6",
      PLUGIN_CLIENT_CERT: clientCert,
    };
    const exe = sb.cli.executables[0]!;
    const times: number[] = [];
    let line = "";
    for (let i = 0; i < 5; i++) {
      const r = await handshake(exe, env);
      times.push(r.ms);
      line = r.line;
    }
    expect(line).toMatch(/^1\|6\|tcp\|127\.0\.0\.1:\d+\|grpc\|[A-Za-z0-9+/]+$/);
    const cert = new X509Certificate(Buffer.from(line.split("|")[5]!, "base64"));
    expect(cert.subjectAltName).toBe("DNS:localhost");
    times.sort((a, b) => a - b);
    const median = times[2]!;
    console.log(
      `plugin start-up (spawn -> handshake line), 5 runs: median ${median.toFixed(0)} ms, min ${times[0]!.toFixed(0)} ms, max ${times[4]!.toFixed(0)} ms`,
    );
    expect(median).toBeLessThan(1500);
  });

  it("refuses to run without terraform's magic cookie", async () => {
    const env = { ...sb.env };
    delete env.TF_PLUGIN_MAGIC_COOKIE;
    const err = (await handshake(sb.cli.executables[0]!, env).catch((e: unknown) => e)) as {
      code: number;
      stderr: string;
    };
    expect(err.code).toBe(1);
    expect(err.stderr).toContain("This binary is a plugin");
  });
});

describe(`terraform CLI`, () => {
  let allTypes: string;
  let noApi: string;

  it("terraform init installs the newest 6.x hashicorp/aws (~> 6.0) from the filesystem mirror", async () => {
    allTypes = workdir(sb, "all-types");
    const r = await tf(sb, allTypes, ["init", "-no-color", "-input=false"]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`Installed hashicorp/aws v${NEWEST_VERSION} (unauthenticated)`);
    expect(readFileSync(join(allTypes, ".terraform.lock.hcl"), "utf8")).toContain(`version     = "${NEWEST_VERSION}"`);
    console.log(`terraform ${version}: init ${r.ms.toFixed(0)} ms`);
  });

  it("terraform validate accepts a configuration using every resource and data source", async () => {
    const r = await tf(sb, allTypes, ["validate", "-no-color", "-json"]);
    const out = JSON.parse(r.stdout) as {
      valid: boolean;
      error_count: number;
      warning_count: number;
      diagnostics: { summary: string; detail: string }[];
    };
    expect(out.diagnostics).toEqual([]);
    expect(out.valid).toBe(true);
    expect(r.status).toBe(0);
    console.log(`terraform validate (all types): ${r.ms.toFixed(0)} ms`);
  });

  it("terraform validate reports schema errors the way hashicorp/aws would", async () => {
    const dir = workdir(sb, "all-types");
    writeFileSync(
      join(dir, "bad.tf"),
      `resource "aws_instance" "bad" {\n  instance_type = "t3.micro"\n  ami = "ami-1"\n  no_such_argument = 1\n}\nresource "aws_security_group_rule" "bad" {\n  type = "sideways"\n  from_port = 1\n  to_port = 1\n  protocol = "tcp"\n  security_group_id = "sg-1"\n  cidr_blocks = ["0.0.0.0/0"]\n}\nresource "aws_key_pair" "missing" {}\n`,
    );
    expect((await tf(sb, dir, ["init", "-no-color", "-input=false"])).status).toBe(0);
    const r = await tf(sb, dir, ["validate", "-no-color", "-json"]);
    const out = JSON.parse(r.stdout) as { valid: boolean; diagnostics: { summary: string; detail: string }[] };
    expect(out.valid).toBe(false);
    const text = out.diagnostics.map((d) => `${d.summary}: ${d.detail}`).join("\n");
    expect(text).toContain('An argument named "no_such_argument" is not expected here');
    expect(text).toContain('The argument "public_key" is required');
    expect(text).toContain("expected type to be one of [ingress egress], got sideways");
  });

  it("terraform plan of resources that need no API call: every type planned, computed values unknown", async () => {
    noApi = workdir(sb, "no-api");
    expect((await tf(sb, noApi, ["init", "-no-color", "-input=false"])).status).toBe(0);
    const r = await tf(sb, noApi, ["plan", "-no-color", "-input=false", "-detailed-exitcode", "-out=tfplan"]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(2); // changes present
    expect(r.stdout).toContain("Plan: 15 to add, 0 to change, 0 to destroy.");
    console.log(`terraform plan (15 resources, no API): ${r.ms.toFixed(0)} ms`);
    const show = await tf(sb, noApi, ["show", "-json", "tfplan"]);
    expect(show.status).toBe(0);
    const plan = JSON.parse(show.stdout) as {
      resource_changes: {
        address: string;
        change: { actions: string[]; after: Record<string, any>; after_unknown: Record<string, any> };
      }[];
    };
    const byAddr = Object.fromEntries(plan.resource_changes.map((c) => [c.address, c.change]));
    const inst = byAddr["aws_instance.web"]!;
    expect(inst.actions).toEqual(["create"]);
    expect(inst.after).toMatchObject({
      ami: "ami-0abcdef1234567890",
      instance_type: "t3.micro",
      region: "eu-west-1",
      availability_zone: "eu-west-1a",
      source_dest_check: true,
      tags_all: { Environment: "sandbox", Name: "web-0" },
    });
    expect(inst.after_unknown).toMatchObject({
      id: true,
      arn: true,
      public_ip: true,
      private_ip: true,
      vpc_security_group_ids: [true],
    });
    expect(inst.after.root_block_device[0].volume_size).toBe(8);
    expect(inst.after.root_block_device[0].delete_on_termination).toBe(true);
    expect(byAddr["aws_security_group.web"]!.after.ingress[0]).toEqual({
      cidr_blocks: ["0.0.0.0/0"],
      description: "",
      from_port: 80,
      ipv6_cidr_blocks: [],
      prefix_list_ids: [],
      protocol: "tcp",
      security_groups: [],
      self: false,
      to_port: 80,
    });
    expect(byAddr["aws_vpc_security_group_egress_rule.all"]!.after.ip_protocol).toBe("-1");
    expect(byAddr["aws_eip.web"]!.after_unknown).toMatchObject({ public_ip: true, allocation_id: true });
    expect(Object.keys(byAddr).sort()).toEqual([
      "aws_ami.scratch",
      "aws_ami_copy.web",
      "aws_ami_from_instance.web",
      "aws_ami_launch_permission.share",
      "aws_ebs_snapshot.data",
      "aws_ebs_volume.data",
      "aws_eip.web",
      "aws_eip_association.web",
      "aws_instance.web",
      "aws_key_pair.deployer",
      "aws_security_group.web",
      "aws_security_group_rule.https",
      "aws_volume_attachment.data",
      "aws_vpc_security_group_egress_rule.all",
      "aws_vpc_security_group_ingress_rule.ssh",
    ]);
  });

  it("plan of a data source that needs the API fails with a diagnostic, not a crash", async () => {
    const dir = workdir(sb, "no-api");
    writeFileSync(join(dir, "vpc.tf"), `data "aws_vpc" "default" {\n  default = true\n}\n`);
    expect((await tf(sb, dir, ["init", "-no-color", "-input=false"])).status).toBe(0);
    const r = await tf(sb, dir, ["plan", "-no-color", "-input=false"], { EC2SIM_ENDPOINT: "http://127.0.0.1:9" });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("reading EC2 VPC");
  });

  describe("reattach mode (one long-lived provider process)", () => {
    let server: RunningServer;
    beforeAll(async () => {
      server = await startServer({ handlers: createProvider(providerDefinition) });
    });
    afterAll(async () => {
      await server?.close();
    });

    it("serves validate and plan through TF_REATTACH_PROVIDERS", async () => {
      const env = { TF_REATTACH_PROVIDERS: server.reattach(["registry.terraform.io/hashicorp/aws"]) };
      const v = await tf(sb, noApi, ["validate", "-no-color"], env);
      expect(v.stderr).toBe("");
      expect(v.status).toBe(0);
      const p = await tf(sb, noApi, ["plan", "-no-color", "-input=false"], env);
      expect(p.stderr).toBe("");
      expect(p.stdout).toContain("Plan: 15 to add");
      console.log(`reattach: validate ${v.ms.toFixed(0)} ms, plan ${p.ms.toFixed(0)} ms`);
    });
  });

  it("the same plugin installs as ec2sim/ec2sim", async () => {
    const dir = workdir(sb, "no-api");
    writeFileSync(
      join(dir, "main.tf"),
      `terraform {\n  required_providers {\n    ec2sim = { source = "ec2sim/ec2sim" }\n  }\n}\nprovider "ec2sim" {\n  region = "us-east-1"\n}\nresource "aws_key_pair" "k" {\n  provider   = ec2sim\n  key_name   = "k"\n  public_key = "ssh-ed25519 AAAA k"\n}\n`,
    );
    const i = await tf(sb, dir, ["init", "-no-color", "-input=false"]);
    expect(i.stdout).toContain(`Installed ec2sim/ec2sim v${NEWEST_VERSION} (unauthenticated)`);
    const p = await tf(sb, dir, ["plan", "-no-color", "-input=false"]);
    expect(p.stderr).toBe("");
    expect(p.stdout).toContain("Plan: 1 to add");
    expect(existsSync(join(dir, ".terraform.lock.hcl"))).toBe(true);
  });
});
