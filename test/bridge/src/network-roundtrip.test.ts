/**
 * Issue #12's round trip: a shop built in its own VPC in sandbox N1 (story.ts: VPC, public and
 * private subnets, internet gateway, route table with a default route, association, a group in the
 * VPC, two instances, a NAT gateway with its Elastic IP routing the private subnet, a second network
 * interface attached to the web server, a launch template and a worker launched from it) -> `ec2sim export` (cdk.tf.json, HCL and the CDKTF project all reference the
 * VPC's pieces instead of literal IDs) -> `terraform apply` of the JSON into an empty sandbox N2 with
 * the project's provider plugin -> `ec2sim diff` of N1 against N2 says no changes (exit 0), read as
 * the sandbox, through the AWS SDK and from terraform's state. The web server in N2 is reachable over
 * SSH with the private key N1 made (its key pair was exported with the public key).
 */

import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { adminOk, credentialsFor, type ServerProcess } from "@ec2sim/test-harness";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ACCOUNT,
  adminCall,
  ec2sim,
  removeTempDirs,
  startServer,
  tempDir,
  terraform,
  terraformCliConfig,
} from "./harness.ts";
import { type NetworkIds, networkStory } from "./story.ts";

let server: ServerProcess;
let ids: NetworkIds;
let work: string;
let exportDir: string;
let tfEnv: NodeJS.ProcessEnv;
const byAddress = new Map<string, Record<string, any>>(); // terraform address -> values in N2

beforeAll(async () => {
  server = await startServer(["N1", "N2"]);
  ids = await networkStory(adminCall(server.url, "N1"), async (ms) => {
    await adminOk(server.url, "POST", "/sandboxes/N1/clock", { advance: ms });
  });
  const creds = await credentialsFor(server.url, "N2");
  work = tempDir("network");
  tfEnv = {
    TF_CLI_CONFIG_FILE: await terraformCliConfig(join(work, "cli")),
    EC2SIM_ENDPOINT: `${server.url}/sandbox/N2`,
    EC2SIM_TF_POLL_MS: "50",
    AWS_ACCESS_KEY_ID: creds.accessKeyId,
    AWS_SECRET_ACCESS_KEY: creds.secretAccessKey,
  };
  exportDir = join(work, "export");
}, 300_000);

afterAll(async () => {
  await server?.stop();
  removeTempDirs();
});

const exportAs = (format: string, out: string) =>
  ec2sim(["export", "--server", server.url, "--sandbox", "N1", "--format", format, "--out", out]);
const diff = (to: string, extra: string[] = []) =>
  ec2sim(["diff", "--server", server.url, "--from", "sandbox:N1", "--to", to, "--detailed-exitcode", ...extra]);

describe("a sandbox built in a custom VPC: export -> terraform apply -> diff", () => {
  it("exports the VPC, subnets, gateway, route table, route and association, and references them", async () => {
    const r = await exportAs("json", exportDir);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const doc = JSON.parse(readFileSync(join(exportDir, "cdk.tf.json"), "utf8"));
    const res = doc.resource as Record<string, Record<string, any>>;
    expect(Object.keys(res).sort()).toEqual(
      expect.arrayContaining([
        "aws_instance",
        "aws_internet_gateway",
        "aws_route",
        "aws_route_table",
        "aws_route_table_association",
        "aws_security_group",
        "aws_subnet",
        "aws_vpc",
      ]),
    );
    expect(res.aws_vpc!.shop).toMatchObject({ cidr_block: "10.20.0.0/16", enable_dns_hostnames: true });
    expect(res.aws_subnet!.shop_public).toMatchObject({
      vpc_id: "${aws_vpc.shop.id}",
      cidr_block: "10.20.1.0/24",
      availability_zone: "${element(var.availability_zones, 0)}",
      map_public_ip_on_launch: true,
    });
    expect(res.aws_internet_gateway!.shop_igw).toMatchObject({ vpc_id: "${aws_vpc.shop.id}" });
    expect(Object.values(res.aws_route!)).toHaveLength(2);
    expect(Object.values(res.aws_route!)).toContainEqual(
      expect.objectContaining({
        route_table_id: "${aws_route_table.shop_public_routes.id}",
        destination_cidr_block: "0.0.0.0/0",
        gateway_id: "${aws_internet_gateway.shop_igw.id}",
      }),
    );
    expect(Object.values(res.aws_route_table_association!)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          subnet_id: "${aws_subnet.shop_public.id}",
          route_table_id: "${aws_route_table.shop_public_routes.id}",
        }),
        expect.objectContaining({
          subnet_id: "${aws_subnet.shop_private.id}",
          route_table_id: "${aws_route_table.shop_private_routes.id}",
        }),
      ]),
    );
    expect(res.aws_security_group!.shop_web_sg).toMatchObject({ vpc_id: "${aws_vpc.shop.id}" });
    // Instances name the exported subnet, never a sandbox ID.
    expect(res.aws_instance!.shop_web).toMatchObject({
      subnet_id: "${aws_subnet.shop_public.id}",
      vpc_security_group_ids: ["${aws_security_group.shop_web_sg.id}"],
    });
    expect(res.aws_instance!.shop_db).toMatchObject({ subnet_id: "${aws_subnet.shop_private.id}" });
    // The NAT gateway with its Elastic IP, after the internet gateway; the private table routes to it.
    expect(res.aws_eip!.shop_nat_ip).toMatchObject({ domain: "vpc" });
    expect(res.aws_nat_gateway!.shop_nat).toMatchObject({
      subnet_id: "${aws_subnet.shop_public.id}",
      allocation_id: "${aws_eip.shop_nat_ip.id}",
      depends_on: ["aws_internet_gateway.shop_igw"],
    });
    expect(Object.values(res.aws_route!)).toContainEqual(
      expect.objectContaining({
        route_table_id: "${aws_route_table.shop_private_routes.id}",
        destination_cidr_block: "0.0.0.0/0",
        nat_gateway_id: "${aws_nat_gateway.shop_nat.id}",
      }),
    );
    expect(res.aws_eip_association ?? {}).toEqual({}); // the NAT gateway holds its address itself
    // The web server's own second interface, and its attachment as device 1.
    expect(res.aws_network_interface!.shop_admin_eni).toMatchObject({
      subnet_id: "${aws_subnet.shop_public.id}",
      description: "shop admin",
      security_groups: ["${aws_security_group.shop_web_sg.id}"],
      private_ips_count: 1,
    });
    expect(Object.values(res.aws_network_interface_attachment!)).toEqual([
      expect.objectContaining({
        instance_id: "${aws_instance.shop_web.id}",
        network_interface_id: "${aws_network_interface.shop_admin_eni.id}",
        device_index: 1,
      }),
    ]);
    // The launch template keeps resolve:ssm: as written; the worker names the template.
    expect(res.aws_launch_template!.shop_worker_template).toMatchObject({
      name: "shop-worker-template",
      image_id: "resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64",
      instance_type: "t3.small",
      key_name: "${aws_key_pair.shop_key.key_name}",
      vpc_security_group_ids: ["${aws_security_group.shop_web_sg.id}"],
      metadata_options: { http_tokens: "required" },
    });
    expect(res.aws_instance!.shop_worker).toMatchObject({
      subnet_id: "${aws_subnet.shop_private.id}",
      launch_template: { id: "${aws_launch_template.shop_worker_template.id}", version: "$Latest" },
    });
    expect(JSON.stringify(doc)).not.toMatch(/"(vpc|subnet|igw|rtb|nat|eni|lt|eipalloc)-[0-9a-f]{17}"/);
  });

  it("HCL and the CDKTF project carry the same references", async () => {
    const hclDir = join(work, "hcl");
    expect((await exportAs("hcl", hclDir)).code).toBe(0);
    const hcl = readFileSync(join(hclDir, "main.tf"), "utf8");
    // terraform fmt's HCL: references unquoted, the block's attributes in order.
    expect(hcl).toMatch(/resource "aws_subnet" "shop_public" \{[\s\S]*?\n {2}vpc_id += aws_vpc\.shop\.id\n/);
    expect(hcl).toMatch(
      /resource "aws_instance" "shop_web" \{[\s\S]*?\n {2}subnet_id += aws_subnet\.shop_public\.id\n/,
    );
    const tsDir = join(work, "cdktf");
    expect((await exportAs("cdktf", tsDir)).code).toBe(0);
    const main = readFileSync(join(tsDir, "main.ts"), "utf8");
    expect(main).toContain('import { Vpc } from "@cdktf/provider-aws/lib/vpc";');
    expect(main).toMatch(/new Subnet\(this, "shop_public", \{[^}]*vpcId: shop\.id/s);
    expect(main).toMatch(/new Instance\(this, "shop_web", \{[\s\S]*?subnetId: shopPublic\.id/);
    expect(main).toMatch(/new NatGateway\(this, "shop_nat", \{[\s\S]*?allocationId: shopNatIp\.id/);
    expect(main).toMatch(/new NatGateway\(this, "shop_nat", \{[\s\S]*?dependsOn: \[shopIgw\]/);
    expect(main).toMatch(/new NetworkInterfaceAttachmentA\(this, "shop_admin_eni_attachment", \{/);
    expect(main).toMatch(
      /new Instance\(this, "shop_worker", \{[\s\S]*?launchTemplate: \{\s*id: shopWorkerTemplate\.id/,
    );
    expect(hcl).toMatch(/resource "aws_launch_template" "shop_worker_template" \{[\s\S]*?metadata_options \{/);
    expect(hcl).toMatch(/resource "aws_nat_gateway" "shop_nat" \{[\s\S]*?allocation_id += aws_eip\.shop_nat_ip\.id/);
  });

  it("terraform init + apply recreates it in the empty sandbox N2", async () => {
    expect((await terraform(["init", "-input=false", "-no-color"], exportDir, tfEnv)).code).toBe(0);
    const apply = await terraform(["apply", "-auto-approve", "-input=false", "-no-color"], exportDir, tfEnv);
    expect(apply.out).toMatch(/Apply complete! Resources: \d+ added, 0 changed, 0 destroyed\./);
    expect(apply.code).toBe(0);
    const state = JSON.parse((await terraform(["show", "-json"], exportDir, tfEnv)).out);
    for (const r of state.values.root_module.resources) byAddress.set(r.address, r.values);
    expect(byAddress.get("aws_instance.shop_web")!.subnet_id).toBe(byAddress.get("aws_subnet.shop_public")!.id);
    expect(byAddress.get("aws_instance.shop_web")!.public_ip).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    expect(byAddress.get("aws_nat_gateway.shop_nat")!.allocation_id).toBe(byAddress.get("aws_eip.shop_nat_ip")!.id);
    expect(byAddress.get("aws_instance.shop_worker")!.launch_template).toEqual([
      expect.objectContaining({ id: byAddress.get("aws_launch_template.shop_worker_template")!.id }),
    ]);
  }, 120_000);

  it("diff sandbox:N1 -> sandbox:N2: no changes, exit 0; so say the AWS SDK and terraform state readers", async () => {
    const r = await diff("sandbox:N2");
    expect(r.stdout).toMatch(/No changes\. sandbox:N2 matches sandbox:N1 \(\d+ resources\)\./);
    expect(r.code).toBe(0);
    // aws:PROFILE reads a named profile from its own shared files, as against a real account.
    const creds = await credentialsFor(server.url, "N2");
    writeFileSync(
      join(work, "credentials"),
      `[sandbox-n2]\naws_access_key_id = ${creds.accessKeyId}\naws_secret_access_key = ${creds.secretAccessKey}\n`,
    );
    writeFileSync(join(work, "config"), "[profile sandbox-n2]\nregion = us-east-1\n");
    const aws = await ec2sim(
      [
        "diff",
        "--server",
        server.url,
        "--from",
        "sandbox:N1",
        "--to",
        "aws:sandbox-n2",
        "--endpoint",
        `${server.url}/sandbox/N2`,
        "--detailed-exitcode",
      ],
      {
        AWS_SHARED_CREDENTIALS_FILE: join(work, "credentials"),
        AWS_CONFIG_FILE: join(work, "config"),
        AWS_ACCESS_KEY_ID: "",
        AWS_SECRET_ACCESS_KEY: "",
        AWS_PROFILE: "",
      },
    );
    expect(aws.stdout).toMatch(/No changes\./);
    expect(aws.code).toBe(0);
    writeFileSync(join(exportDir, "show.json"), (await terraform(["show", "-json"], exportDir, tfEnv)).out);
    for (const spec of [`tfstate:${join(exportDir, "show.json")}`, `tfstate:${join(exportDir, "terraform.tfstate")}`]) {
      const s = await diff(spec);
      expect(s.stdout, spec).toMatch(/No changes\./);
      expect(s.code, spec).toBe(0);
    }
  });

  it("export --from aws: of N1 (read through the SDK) carries its launch template as the sandbox export does; terraform imports all of it, nothing to add or change", async () => {
    const dir = join(work, "from-aws");
    const creds = await credentialsFor(server.url, "N1");
    const env = { AWS_ACCESS_KEY_ID: creds.accessKeyId, AWS_SECRET_ACCESS_KEY: creds.secretAccessKey, AWS_PROFILE: "" };
    const r = await ec2sim(
      ["export", "--from", "aws:", "--endpoint", `${server.url}/sandbox/N1`, "--region", "us-east-1", "--out", dir],
      env,
    );
    expect(r.code, r.stderr).toBe(0);
    const resources = Number(/(\d+) resources \(each with an import \{\} block\)/.exec(r.stdout)![1]);
    const hcl = readFileSync(join(dir, "main.tf"), "utf8");
    const lt = hcl.slice(hcl.indexOf('resource "aws_launch_template" "shop_worker_template" {'));
    expect(lt.slice(0, lt.indexOf("\n}\n"))).toMatch(
      new RegExp(
        [
          'name += "shop-worker-template"',
          'image_id += "resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"',
          'instance_type += "t3.small"',
          "key_name += aws_key_pair\\.shop_key\\.key_name",
          "vpc_security_group_ids = \\[aws_security_group\\.shop_web_sg\\.id\\]",
          "",
          "metadata_options \\{",
          'http_tokens = "required"',
        ].join("\\n\\s*"),
      ),
    );
    // The worker names its template; the version it was launched with is terraform's to read.
    expect(hcl).toMatch(
      /resource "aws_instance" "shop_worker" \{[\s\S]*?launch_template \{\n\s*id += aws_launch_template\.shop_worker_template\.id\n\s*version = "\$Latest"\n\s*\}[\s\S]*?ignore_changes = \[launch_template\]/,
    );
    expect(readFileSync(join(dir, "imports.tf"), "utf8")).toContain(
      `to = aws_launch_template.shop_worker_template\n  id = "${ids.template}"`,
    );
    expect(readFileSync(join(dir, "NOT-EXPORTED.md"), "utf8")).not.toMatch(/not mapped from an account/);
    const fromEnv = {
      TF_CLI_CONFIG_FILE: tfEnv.TF_CLI_CONFIG_FILE,
      EC2SIM_ENDPOINT: `${server.url}/sandbox/N1`,
      ...env,
    };
    expect((await terraform(["init", "-input=false", "-no-color"], dir, fromEnv)).code).toBe(0);
    const plan = await terraform(["plan", "-input=false", "-no-color"], dir, fromEnv);
    expect(plan.out).toContain(`Plan: ${resources} to import, 0 to add, 0 to change, 0 to destroy.`);
    expect(plan.code).toBe(0);
  }, 180_000);

  it("a route removed and an interface detached in N2 show as resources to create; the web server is reachable over SSH", async () => {
    const web = byAddress.get("aws_instance.shop_web")!;
    const ssh = await adminOk(server.url, "POST", "/sandboxes/N2/call", {
      action: "SshConnect",
      accountId: ACCOUNT,
      region: "us-east-1",
      input: { InstanceId: web.id, PrivateKey: ids.privateKey },
    });
    expect(ssh.output).toMatchObject({ Host: web.public_ip, User: "ec2-user" });
    const route = byAddress.get("aws_route.shop_public_routes_default")!;
    await adminOk(server.url, "POST", "/sandboxes/N2/call", {
      action: "DeleteRoute",
      accountId: ACCOUNT,
      region: "us-east-1",
      input: { RouteTableId: route.route_table_id, DestinationCidrBlock: "0.0.0.0/0" },
    });
    // The diff reads interfaces too: the admin interface detached in N2 is an attachment to create.
    await adminOk(server.url, "POST", "/sandboxes/N2/call", {
      action: "DetachNetworkInterface",
      accountId: ACCOUNT,
      region: "us-east-1",
      input: {
        AttachmentId: byAddress.get("aws_network_interface_attachment.shop_admin_eni_attachment")!.attachment_id,
      },
    });
    const r = await diff("sandbox:N2", ["--json"]);
    expect(r.code).toBe(2);
    const j = JSON.parse(r.stdout);
    const acting = j.resource_changes.filter((c: any) => c.change.actions[0] !== "no-op");
    expect(acting.map((c: any) => `${c.change.actions.join(",")} ${c.type}`).sort()).toEqual([
      "create aws_network_interface_attachment",
      "create aws_route",
    ]);
  });
});
