/**
 * Provider releases through the real terraform CLI and the spawned plugin against `ec2sim serve`:
 * every major line's constraint resolves through the mirror to a release with that line's schema;
 * a configuration written for 4.x (arguments 5.0/6.0 removed) applies; a project's committed lock
 * file pinning 5.31.0 (written with ec2sim elsewhere: fixtures/locked-5.31.0) inits and applies
 * unchanged, and `terraform providers lock` against the mirror writes that very hash; a lock file
 * written with the real provider is refused as terraform refuses any foreign package, and
 * `terraform init -upgrade` re-locks it to 5.100.0, which applies a 5.x configuration. (`~> 4.0` applies
 * below; `>= 6.37` in community-idioms.test.ts.)
 */

import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DescribeAddressesCommand } from "@aws-sdk/client-ec2";
import { terraformPlatform } from "@ec2sim/terraform-provider";
import { describe, expect, it } from "vitest";
import { expectNoChanges, FIXTURES, ok, TF, terraformProject } from "./harness.ts";

const pinned = (constraint: string, body = "") => `terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = "${constraint}" }
  }
}
${body}`;

/** A configuration of the 4.x days: provider arguments 5.0 removed, aws_eip.vpc and cpu_core_count 6.0 removed. */
const fourX = (constraint: string) =>
  pinned(
    constraint,
    `provider "aws" {
  region                 = "us-east-1"
  skip_get_ec2_platforms = true
}

data "aws_ami" "al2023" {
  most_recent = true
  owners      = ["amazon"]
  filter {
    name   = "name"
    values = ["al2023-ami-2023*-x86_64"]
  }
}

resource "aws_instance" "app" {
  ami                  = data.aws_ami.al2023.id
  instance_type        = "m5.large"
  cpu_core_count       = 1
  cpu_threads_per_core = 2
}

resource "aws_eip" "app" {
  vpc      = true
  instance = aws_instance.app.id
}
`,
  );

interface SchemaJson {
  provider_schemas: Record<
    string,
    {
      provider: { block: { attributes: Record<string, unknown> } };
      resource_schemas: Record<
        string,
        { block: { attributes: Record<string, unknown>; block_types?: Record<string, unknown> } }
      >;
    }
  >;
}

describe("terraform: hashicorp/aws releases of every line (spawned plugin)", () => {
  // Each test makes working directories of its own (one per release line or lock file) on this server.
  const p = terraformProject("versions", { init: false });

  it("~> 3.0, ~> 4.0, ~> 5.0, 5.31.0, 6.36.0 and >= 6.37 each install a release serving its line's schema", {
    timeout: 300_000,
  }, async () => {
    for (const [constraint, release, line] of [
      ["~> 3.0", "3.76.1", 3],
      ["~> 4.0", "4.67.0", 4],
      ["~> 5.0", "5.100.0", 5],
      ["5.31.0", "5.31.0", 5],
      ["6.36.0", "6.36.0", 6],
      [">= 6.37", "6.38.0", 6],
    ] as const) {
      const w = p.workdir(`line-${release}`, { mainTf: pinned(constraint) });
      const init = await w.init();
      expect(init.stdout).toContain(`Installed hashicorp/aws v${release} (unauthenticated)`);
      const schema = await w.run(["providers", "schema", "-json"]);
      ok(schema, "providers schema");
      const aws = (JSON.parse(schema.stdout) as SchemaJson).provider_schemas["registry.terraform.io/hashicorp/aws"]!;
      const attrs = (type: string) => Object.keys(aws.resource_schemas[type]?.block.attributes ?? {});
      // 6.0 added region to every regional type and removed aws_eip.vpc and the flat CPU options.
      expect(attrs("aws_instance").includes("region"), `${release} region`).toBe(line === 6);
      expect(attrs("aws_eip").includes("vpc"), `${release} vpc`).toBe(line <= 5);
      expect(attrs("aws_instance").includes("cpu_core_count"), `${release} cpu_core_count`).toBe(line <= 5);
      // 5.0 removed skip_get_ec2_platforms; 4.x brought aws_vpc_security_group_ingress_rule and group launch permissions.
      expect("skip_get_ec2_platforms" in aws.provider.block.attributes, `${release} provider`).toBe(line <= 4);
      expect("aws_vpc_security_group_ingress_rule" in aws.resource_schemas, `${release} sg rule`).toBe(line >= 4);
      expect(attrs("aws_ami_launch_permission").includes("group"), `${release} group`).toBe(line >= 4);
      // 6.37 added secondary interfaces and nested virtualization to aws_instance (and so to Spot requests).
      const blockTypes = (type: string) => Object.keys(aws.resource_schemas[type]?.block.block_types ?? {});
      const since637 = release === "6.38.0";
      expect(blockTypes("aws_instance").includes("secondary_network_interface"), `${release} sni`).toBe(since637);
      expect(blockTypes("aws_spot_instance_request").includes("secondary_network_interface")).toBe(since637);
      expect("aws_spot_instance_request" in aws.resource_schemas, `${release} spot request`).toBe(true);
      if (since637) {
        // Known to the schema, refused by the sandbox, which does not simulate them.
        w.write(
          pinned(
            constraint,
            `resource "aws_instance" "nested" {
  ami           = "ami-12345678"
  instance_type = "c8i.large"
  cpu_options {
    nested_virtualization = "enabled"
  }
  secondary_network_interface {
    network_card_index  = 0
    secondary_subnet_id = "subnet-12345678"
  }
}
`,
          ),
        );
        const v = await w.run(["validate", "-no-color"]);
        expect(v.status).toBe(1);
        expect(v.stderr).toContain("ec2sim does not support EC2 secondary interfaces (secondary_network_interface)");
        expect(v.stderr).toContain(
          'ec2sim does not support nested virtualization (cpu_options.nested_virtualization = "enabled")',
        );
      }
    }
  });

  it("a 4.x configuration (vpc = true, cpu_core_count, skip_get_ec2_platforms) applies; 6.x refuses it", {
    timeout: 300_000,
  }, async () => {
    const w = p.workdir("four-x", { mainTf: fourX("~> 4.0") });
    await w.init();
    await w.apply();
    const state = await w.state();
    const eip = state.get("aws_eip.app")!.values;
    expect(eip).toMatchObject({ vpc: true, domain: "vpc" });
    expect("region" in eip).toBe(false);
    expect(state.get("aws_instance.app")!.values).toMatchObject({ cpu_core_count: 1, cpu_threads_per_core: 2 });
    const addr = (await p.ec2.send(new DescribeAddressesCommand({ AllocationIds: [eip.id] }))).Addresses![0]!;
    expect(addr).toMatchObject({ Domain: "vpc", InstanceId: state.get("aws_instance.app")!.values.id });
    await expectNoChanges(w);
    await w.destroy();

    const six = p.workdir("four-x-on-six", { mainTf: fourX("~> 6.0") });
    await six.init();
    const v = await six.run(["validate", "-no-color"]);
    expect(v.status).toBe(1);
    expect(v.stderr).toContain('An argument named "skip_get_ec2_platforms" is not expected here.');
    // terraform stops at the provider block; without it, the resources' removed arguments.
    six.write(fourX("~> 6.0").replace(/ +skip_get_ec2_platforms = true\n/, ""));
    const r = await six.run(["validate", "-no-color"]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('An argument named "cpu_core_count" is not expected here.');
    expect(r.stderr).toContain('An argument named "cpu_threads_per_core" is not expected here.');
    // (the Elastic IP depends on the refused instance, so terraform checks it alone)
    six.write(pinned("~> 6.0", `resource "aws_eip" "app" {\n  vpc = true\n}\n`));
    const e = await six.run(["validate", "-no-color"]);
    expect(e.status).toBe(1);
    expect(e.stderr).toContain('An argument named "vpc" is not expected here.');
  });

  it("a committed lock file pinning 5.31.0, written with ec2sim elsewhere, inits and applies unchanged", {
    timeout: 300_000,
  }, async () => {
    const w = p.workdir("locked", { fixture: "locked-5.31.0" });
    const lock = readFileSync(join(w.dir, ".terraform.lock.hcl"), "utf8");
    const init = await w.init();
    expect(init.stdout).toContain("Reusing previous version of hashicorp/aws from the dependency lock file");
    expect(init.stdout).toContain("Installed hashicorp/aws v5.31.0 (unauthenticated)");
    await w.apply();
    const state = await w.state();
    expect(state.get("aws_eip.app")!.values).toMatchObject({
      vpc: true,
      instance: state.get("aws_instance.app")!.values.id,
    });
    expect(readFileSync(join(w.dir, ".terraform.lock.hcl"), "utf8")).toBe(lock);
    await w.destroy();
  });

  it("terraform providers lock against the mirror writes the hash of the committed 5.31.0 lock file", async () => {
    const w = p.workdir("providers-lock", { mainTf: pinned("5.31.0") });
    const platform = terraformPlatform();
    const r = await w.run([
      "providers",
      "lock",
      "-no-color",
      `-fs-mirror=${p.t.cli.mirrorDir}`,
      `-platform=${platform}`,
    ]);
    ok(r, "providers lock");
    const hashes = (text: string) => [...text.matchAll(/"(h1:[^"]+)"/g)].map((m) => m[1]);
    const written = readFileSync(join(w.dir, ".terraform.lock.hcl"), "utf8");
    expect(written).toMatch(/version\s+= "5\.31\.0"/);
    const committed = readFileSync(join(FIXTURES, "locked-5.31.0", ".terraform.lock.hcl"), "utf8");
    expect(hashes(written)).toEqual(hashes(committed));
    // terraform init accepts what it wrote.
    const init = await w.init();
    expect(init.stdout).toContain("Installed hashicorp/aws v5.31.0 (unauthenticated)");
  });

  it("a lock file written with the real hashicorp/aws is refused; init -upgrade re-locks it to 5.100.0, which applies", {
    timeout: 300_000,
  }, async () => {
    // A 5.x configuration: aws_eip.vpc is gone in 6.0.
    const w = p.workdir("real-lock", {
      mainTf: pinned(
        "~> 5.0",
        `provider "aws" {
  region = "us-east-1"
}

resource "aws_eip" "spare" {
  vpc  = true
  tags = { Name = "five-x" }
}
`,
      ),
    });
    // The real 5.31.0 package's hash (what the registry's package records), not ec2sim's launcher.
    writeFileSync(
      join(w.dir, ".terraform.lock.hcl"),
      `provider "registry.terraform.io/hashicorp/aws" {
  version     = "5.31.0"
  constraints = "~> 5.0"
  hashes = [
    "h1:pm3uoaQYHaavwE83zsEzAFn/LKD1EWGiYRfzVxNCaIA=",
  ]
}
`,
    );
    const init = await w.run(["init", ...TF]);
    expect(init.status).toBe(1);
    expect(init.stderr.replace(/\s+/g, " ")).toContain(
      "doesn't match any of the checksums previously recorded in the dependency lock file",
    );
    const upgrade = await w.run(["init", "-upgrade", ...TF]);
    ok(upgrade, "init -upgrade");
    expect(upgrade.stdout).toContain("Installed hashicorp/aws v5.100.0 (unauthenticated)");
    expect(readFileSync(join(w.dir, ".terraform.lock.hcl"), "utf8")).toMatch(/version\s+= "5\.100\.0"/);
    await w.apply();
    const eip = (await w.state()).get("aws_eip.spare")!.values;
    expect(eip).toMatchObject({ vpc: true, domain: "vpc" });
    const addr = (await p.ec2.send(new DescribeAddressesCommand({ AllocationIds: [eip.id] }))).Addresses![0]!;
    expect(addr.Tags).toEqual([{ Key: "Name", Value: "five-x" }]);
    await expectNoChanges(w);
    await w.destroy();
  });
});
