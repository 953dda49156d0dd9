/**
 * Export of the seeds' story, in-process: the synthesized JSON holds the expected resources and
 * references (structural checks, no golden files), the HCL is formatted Terraform, user data
 * carries what was done inside the instance, and what cannot be expressed is listed.
 */

import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { buildExportPlan, exportSandbox } from "@ec2sim/cdktf-bridge";
import type { Sandbox } from "@ec2sim/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ACCOUNT, FRIEND, OU_B, removeTempDirs, storySandbox, tempDir } from "./harness.ts";
import type { StoryIds } from "./story.ts";

type Json = Record<string, any>;
let sb: Sandbox;
let ids: StoryIds;
let json: Json;
let outDir: string;

beforeAll(async () => {
  ({ sb, ids } = await storySandbox());
  outDir = tempDir("json");
  const r = await exportSandbox(sb.state, { sandbox: "A", accountId: ACCOUNT, format: "json", outDir });
  json = JSON.parse(readFileSync(join(outDir, "cdk.tf.json"), "utf8")) as Json;
  expect(r.json).toEqual(json);
});

const inst1Zone = () => sb.state.regions.get("us-east-1")!.instances.get(ids.i1)!.availabilityZone;
const res = (type: string): Json => json.resource?.[type] ?? {};
const one = (type: string, name: string): Json => {
  const r = res(type)[name];
  if (!r) throw new Error(`no ${type}.${name}; have ${Object.keys(res(type)).join(", ")}`);
  return r;
};

afterAll(removeTempDirs);

describe("export of the seeds' story as cdk.tf.json", () => {
  it("has one resource per sandbox resource, named from Name tags and natural names", () => {
    const counts = Object.fromEntries(
      Object.entries(json.resource).map(([t, v]) => [t, Object.keys(v as Json).sort()]),
    );
    expect(counts).toEqual({
      aws_key_pair: ["cats_key"],
      aws_security_group: ["cats_web"],
      aws_vpc_security_group_ingress_rule: ["cats_web_ingress_tcp_22_203_0_113_10", "cats_web_ingress_tcp_80"],
      aws_vpc_security_group_egress_rule: ["cats_web_egress_all"],
      aws_instance: ["cats_1", "cats_2"],
      aws_ami_from_instance: ["my_custom_ami"],
      aws_ami_copy: ["my_custom_ami_eu_west_1"],
      aws_ami_launch_permission: ["my_custom_ami_share_444455556666", "my_custom_ami_share_ou_ec2s_bbbb2222"],
      aws_ebs_volume: ["cats_data"],
      aws_volume_attachment: ["cats_data_attachment"],
      aws_ebs_snapshot: ["cats_data_backup"],
      aws_eip: ["cats_ip"],
      aws_eip_association: ["cats_ip_association"],
    });
    expect(Object.keys(json.data.aws_ami)).toHaveLength(1);
  });

  it("looks the Quick Start AMI up by owner and a name pattern (a variable), and launches cats-1 from it", () => {
    const [key, ami] = Object.entries(json.data.aws_ami as Json)[0]!;
    const src = sb.call({ accountId: ACCOUNT, region: "us-east-1" }, "DescribeImages", { ImageIds: [ids.ami1] }).output
      .Images[0];
    expect(ami.owners).toEqual(["amazon"]);
    expect(ami.most_recent).toBe(true);
    expect(ami.include_deprecated).toBe("${var.include_deprecated_amis}");
    expect(ami.filter).toEqual([{ name: "name", values: [`\${var.${key}_name}`] }]);
    expect(json.variable[`${key}_name`].default).toBe(src.Name.replace(/2023\.\d+\.\d{8}\.\d+/, "2023.*"));
    expect(one("aws_instance", "cats_1").ami).toBe(`\${data.aws_ami.${key}.id}`);
  });

  it("makes the custom AMI an aws_ami_from_instance of the exported instance, and cats-2 runs it", () => {
    const ami = one("aws_ami_from_instance", "my_custom_ami");
    expect(ami.source_instance_id).toBe("${aws_instance.cats_1.id}");
    expect(ami.name).toBe("MyCustomAMI");
    expect(ami.description).toBe("Cat photo app on AL2023");
    expect(ami.tags).toEqual({ Version: "1.0.0", "ec2sim:origin": `A/${ids.ami2}` });
    expect(one("aws_instance", "cats_2").ami).toBe("${aws_ami_from_instance.my_custom_ami.id}");
  });

  it("copies the AMI to eu-west-1 through an aliased provider", () => {
    expect(json.provider.aws).toEqual([
      { region: "${var.region}", default_tags: [{ tags: "${var.default_tags}" }] },
      { region: "${var.eu_west_1_region}", alias: "eu_west_1", default_tags: [{ tags: "${var.default_tags}" }] },
    ]);
    expect(json.variable.eu_west_1_region.default).toBe("eu-west-1");
    const copy = one("aws_ami_copy", "my_custom_ami_eu_west_1");
    expect(copy.provider).toBe("aws.eu_west_1");
    expect(copy.source_ami_id).toBe("${aws_ami_from_instance.my_custom_ami.id}");
    expect(copy.source_ami_region).toBe("us-east-1");
    expect(copy.tags["ec2sim:origin"]).toBe(`A/${ids.copy}`);
    // Nothing else is in eu-west-1.
    for (const [type, byName] of Object.entries(json.resource as Json))
      for (const [name, r] of Object.entries(byName as Json))
        if (`${type}.${name}` !== "aws_ami_copy.my_custom_ami_eu_west_1") expect(r.provider).toBeUndefined();
  });

  it("shares the AMI with the account and the OU", () => {
    expect(one("aws_ami_launch_permission", `my_custom_ami_share_${FRIEND}`)).toMatchObject({
      image_id: "${aws_ami_from_instance.my_custom_ami.id}",
      account_id: FRIEND,
    });
    expect(one("aws_ami_launch_permission", "my_custom_ami_share_ou_ec2s_bbbb2222")).toMatchObject({
      image_id: "${aws_ami_from_instance.my_custom_ami.id}",
      organizational_unit_arn: OU_B,
    });
  });

  it("exports instances with type, zone, key, groups, root device and tags", () => {
    const i1 = one("aws_instance", "cats_1");
    expect(i1).toMatchObject({
      instance_type: "${var.instance_type}",
      availability_zone: "${element(var.availability_zones, 0)}",
      key_name: "${aws_key_pair.cats_key.key_name}",
      vpc_security_group_ids: ["${aws_security_group.cats_web.id}"],
      root_block_device: { volume_size: 8, volume_type: "gp3", delete_on_termination: true },
      tags: { Name: "cats-1", app: "cats", "ec2sim:origin": `A/${ids.i1}` },
    });
  });

  it("turns what was done inside cats-1 into cloud-init user data; cats-2 gets it from the AMI", () => {
    const ud = one("aws_instance", "cats_1").user_data as string;
    expect(ud.startsWith("#cloud-config\n")).toBe(true);
    const py = execFileSync(
      "python3",
      ["-c", "import sys, json, yaml; print(json.dumps(yaml.safe_load(sys.stdin.read())))"],
      { input: ud, encoding: "utf8" },
    );
    const cc = JSON.parse(py) as Json;
    expect(cc.packages).toEqual(["nginx"]);
    const files = Object.fromEntries((cc.write_files as Json[]).map((f) => [f.path, f]));
    expect(Object.keys(files).sort()).toEqual([
      "/usr/share/nginx/html/cats/tabby.jpg",
      "/usr/share/nginx/html/index.html",
    ]);
    expect(files["/usr/share/nginx/html/index.html"]).toMatchObject({
      content: '<h1>Cat photos</h1><img src="/cats/tabby.jpg">\n',
      permissions: "0644",
      owner: "root:root",
      defer: true,
    });
    expect(files["/usr/share/nginx/html/cats/tabby.jpg"].content).toBe("JPEG…tabby\n");
    expect(cc.runcmd).toEqual([["systemctl", "enable", "--now", "nginx"]]);
    // Nothing the boot writes (hostname, host keys, authorized_keys) leaks into it.
    expect(ud).not.toMatch(/hostname|ssh_host|authorized_keys|PRIVATE KEY/);
    expect(one("aws_instance", "cats_2").user_data).toBeUndefined();
  });

  it("exports key pairs with the public key only", () => {
    const kp = one("aws_key_pair", "cats_key");
    expect(kp.public_key).toBe("${var.public_key}");
    expect(json.variable.public_key.default).toMatch(/^ssh-rsa AAAA[A-Za-z0-9+/=]+$/);
    expect(json.variable.availability_zones.default).toEqual([inst1Zone()]);
    expect(readFileSync(join(outDir, "cdk.tf.json"), "utf8")).not.toMatch(/PRIVATE KEY/);
  });

  it("exports the security group with its rules (the default egress made explicit)", () => {
    expect(one("aws_security_group", "cats_web")).toMatchObject({
      name: "cats-web",
      description: "SSH from my IP, HTTP from anywhere",
    });
    expect(one("aws_vpc_security_group_ingress_rule", "cats_web_ingress_tcp_22_203_0_113_10")).toMatchObject({
      security_group_id: "${aws_security_group.cats_web.id}",
      ip_protocol: "tcp",
      from_port: 22,
      to_port: 22,
      cidr_ipv4: "203.0.113.10/32",
      description: "my IP",
    });
    expect(one("aws_vpc_security_group_ingress_rule", "cats_web_ingress_tcp_80")).toMatchObject({
      ip_protocol: "tcp",
      from_port: 80,
      to_port: 80,
      cidr_ipv4: "0.0.0.0/0",
    });
    expect(one("aws_vpc_security_group_egress_rule", "cats_web_egress_all")).toMatchObject({
      ip_protocol: "-1",
      cidr_ipv4: "0.0.0.0/0",
    });
  });

  it("exports the data volume, its attachment, its snapshot, the Elastic IP and its association", () => {
    expect(one("aws_ebs_volume", "cats_data")).toMatchObject({
      size: 20,
      type: "gp3",
      tags: { Name: "cats-data", "ec2sim:origin": `A/${ids.volume}` },
    });
    expect(one("aws_ebs_volume", "cats_data").iops).toBeUndefined(); // gp3 defaults are not spelled out
    expect(one("aws_volume_attachment", "cats_data_attachment")).toMatchObject({
      device_name: "/dev/sdf",
      volume_id: "${aws_ebs_volume.cats_data.id}",
      instance_id: "${aws_instance.cats_2.id}",
    });
    expect(one("aws_ebs_snapshot", "cats_data_backup")).toMatchObject({
      volume_id: "${aws_ebs_volume.cats_data.id}",
      description: "cat photos backup",
    });
    expect(one("aws_eip", "cats_ip")).toMatchObject({ domain: "vpc" });
    expect(one("aws_eip_association", "cats_ip_association")).toMatchObject({
      allocation_id: "${aws_eip.cats_ip.id}",
      instance_id: "${aws_instance.cats_2.id}",
    });
  });

  it("tags everything taggable with its origin", () => {
    for (const [type, byName] of Object.entries(json.resource as Json)) {
      for (const [name, r] of Object.entries(byName as Json)) {
        if (["aws_ami_launch_permission", "aws_volume_attachment", "aws_eip_association"].includes(type)) continue;
        expect(r.tags?.["ec2sim:origin"], `${type}.${name}`).toMatch(/^A\/[a-z]+-[0-9a-f]+$/);
      }
    }
  });

  it("keeps a local backend with a relative path and pins the provider version", () => {
    expect(json.terraform.backend).toEqual({ local: { path: "terraform.tfstate" } });
    expect(json.terraform.required_providers.aws).toEqual({ source: "hashicorp/aws", version: "~> 6.0" });
    expect(readFileSync(join(outDir, "NOT-EXPORTED.md"), "utf8")).toMatch(/Everything in the sandbox was exported/);
  });
});

describe("export formats", () => {
  it("writes formatted HCL with unquoted provider references", async () => {
    const dir = tempDir("hcl");
    const r = await exportSandbox(sb.state, { sandbox: "A", accountId: ACCOUNT, format: "hcl", outDir: dir });
    expect(r.warnings).toEqual([]);
    const hcl = readFileSync(join(dir, "main.tf"), "utf8");
    expect(hcl).toMatch(/^resource "aws_ami_from_instance" "my_custom_ami" \{$/m);
    expect(hcl).toMatch(/^\s+source_instance_id\s+= aws_instance\.cats_1\.id$/m);
    expect(hcl).toMatch(/^\s+provider\s+= aws\.eu_west_1$/m);
    // The user data survives as a heredoc, byte for byte.
    const heredoc = /resource "aws_instance" "cats_1" \{[\s\S]*?user_data\s+= <<(\w+)\n([\s\S]*?)\n\1\n/.exec(hcl);
    expect(`${heredoc?.[2]}\n`).toBe(one("aws_instance", "cats_1").user_data);
    // terraform fmt leaves it unchanged.
    expect(
      execFileSync("terraform", ["fmt", "-check", "-list=true", "."], {
        cwd: dir,
        encoding: "utf8",
        env: { ...process.env, CHECKPOINT_DISABLE: "1" },
      }),
    ).toBe("");
  });

  it("writes a CDKTF project: pinned package.json, cdktf.json, readable main.ts with deep imports", async () => {
    const dir = tempDir("cdktf");
    await exportSandbox(sb.state, { sandbox: "A", accountId: ACCOUNT, format: "cdktf", outDir: dir });
    const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as Json;
    expect(pkg.dependencies).toEqual({ cdktf: "0.21.0", constructs: "^10.4.2", "@cdktf/provider-aws": "21.22.1" });
    expect(Object.keys(pkg.devDependencies).sort()).toEqual(["cdktf-cli", "tsx", "typescript"]);
    expect(JSON.parse(readFileSync(join(dir, "cdktf.json"), "utf8"))).toMatchObject({
      language: "typescript",
      app: "npx tsx main.ts",
    });
    const main = readFileSync(join(dir, "main.ts"), "utf8");
    // The state lives beside main.ts, not in the git-ignored cdktf.out/.
    expect(main).toMatch(/new LocalBackend\(this, \{ path: "\.\.\/\.\.\/\.\.\/terraform\.tfstate" \}\)/);
    expect(main).toMatch(/^const app = new App\(\);$/m); // no outdir: cdktf synth passes CDKTF_OUTDIR
    expect(main).not.toMatch(/from "@cdktf\/provider-aws";/); // no barrel import
    expect(main).toMatch(/import \{ AmiFromInstance \} from "@cdktf\/provider-aws\/lib\/ami-from-instance";/);
    expect(main).toMatch(/const cats1 = new Instance\(this, "cats_1", \{/);
    expect(main).toMatch(/sourceInstanceId: cats1\.id/);
    expect(main).toMatch(/provider: awsEuWest1/);
    expect(readFileSync(join(dir, "README.md"), "utf8")).toMatch(/cdktf deploy/);
  });

  it("--ami-strategy packer writes its template beside the configuration in the JSON and CDKTF formats too, in the manifest", async () => {
    for (const format of ["json", "cdktf"] as const) {
      const dir = tempDir(`packer-${format}`);
      const r = await exportSandbox(sb.state, {
        sandbox: "A",
        accountId: ACCOUNT,
        format,
        outDir: dir,
        amiStrategy: "packer",
      });
      expect(r.files, format).toContain("packer/my_custom_ami.pkr.hcl");
      const tpl = readFileSync(join(dir, "packer/my_custom_ami.pkr.hcl"), "utf8");
      expect(tpl).toContain('source "amazon-ebs" "my_custom_ami" {');
      expect(tpl).toContain('"sudo dnf install -y nginx"');
      const manifest = JSON.parse(readFileSync(join(dir, ".ec2sim/export.json"), "utf8")) as Json;
      expect(Object.keys(manifest.files), format).toContain("packer/my_custom_ami.pkr.hcl");
      if (format === "json") {
        const doc = JSON.parse(readFileSync(join(dir, "cdk.tf.json"), "utf8")) as Json;
        expect(doc.resource.aws_ami_from_instance).toBeUndefined();
        expect(doc.data.aws_ami.my_custom_ami).toMatchObject({ most_recent: true, owners: ["self"] });
        expect(doc.resource.aws_instance.cats_2.ami).toBe("${data.aws_ami.my_custom_ami.id}");
      } else {
        const main = readFileSync(join(dir, "main.ts"), "utf8");
        expect(main).not.toMatch(/AmiFromInstance/);
        expect(main).toMatch(/new DataAwsAmi\(this, "my_custom_ami", \{/);
      }
    }
  });
});

describe("what cannot be expressed is listed, never dropped", () => {
  it("an AMI whose source instance is gone is not exported; instances run from it fall back to the base image with everything in user data", async () => {
    const { sb: s, ids: x } = await storySandbox("B");
    const call = (action: string, input: Record<string, unknown>, region = "us-east-1") =>
      s.call({ accountId: ACCOUNT, region }, action, input).output;
    call("TerminateInstances", { InstanceIds: [x.i1] });
    call("StopInstances", { InstanceIds: [x.i2] });
    s.advance(120_000);
    const recipe = call("CreateImageRecipe", {
      name: "cats",
      semanticVersion: "1.0.0",
      parentImage: x.ami1,
      components: [{ name: "web", commands: ["sudo dnf install -y nginx"] }],
    });
    call("CreateImagePipeline", { name: "cats", imageRecipeArn: recipe.imageRecipeArn, instanceType: "t3.micro" });
    const plan = buildExportPlan(s.state, { sandbox: "B", accountId: ACCOUNT });
    const notes = plan.notExported.map((n) => `${n.severity} ${n.kind}: ${n.resource}: ${n.reason}`);
    expect(notes).toContainEqual(
      expect.stringMatching(
        new RegExp(`^skipped AMI: ${x.ami2} \\(MyCustomAMI\\): its source instance ${x.i1} is not exported`),
      ),
    );
    expect(notes).toContainEqual(
      expect.stringMatching(
        new RegExp(`^skipped AMI: ${x.copy} \\(MyCustomAMI\\): its source image ${x.ami2} is not exported`),
      ),
    );
    expect(notes).toContainEqual(
      expect.stringMatching(
        new RegExp(`^partial instance AMI: ${x.i2}: ${x.ami2} .* launched from a base image instead`),
      ),
    );
    expect(notes).toContainEqual(
      expect.stringMatching(new RegExp(`^partial instance state: ${x.i2}: the instance is stopped`)),
    );
    expect(notes).toContainEqual(expect.stringMatching(/^skipped Image Builder pipeline: arn:aws:imagebuilder:/));
    const i2 = plan.blocks.find((b) => b.tfType === "aws_instance" && b.origin === x.i2)!;
    expect(i2.config.ami).toMatchObject({
      $ref: plan.blocks.find((b) => b.kind === "data" && b.tfType === "aws_ami")!.key,
    });
    expect(i2.config.userData).toMatch(/packages:\n {2}- nginx\n/);
    expect(i2.config.userData).toMatch(/path: \/usr\/share\/nginx\/html\/index\.html/);
    expect(plan.blocks.some((b) => b.tfType === "aws_ami_copy" || b.tfType === "aws_ami_from_instance")).toBe(false);
    expect(plan.blocks.some((b) => b.tfType === "aws_ami_launch_permission")).toBe(false);
  });
});
