// apply -> no-change plan -> import -> destroy through the real terraform CLI and the bundled plugin,
// against a fake EC2 endpoint that knows key pairs only. Everything else needs the ec2sim server.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeValue, encodeValue } from "../src/framework/msgpack.ts";
import { createProvider } from "../src/framework/provider.ts";
import { providerDefinition } from "../src/resources/index.ts";
import { FAKE_ACCOUNT, startFakeEc2, type FakeEc2 } from "./fake-ec2.ts";
import { requireTerraform, setupSandbox, tf, workdir, type Sandbox } from "./terraform-cli.ts";

let sb: Sandbox;
let fake: FakeEc2;

beforeAll(async () => {
  requireTerraform();
  sb = await setupSandbox();
  fake = await startFakeEc2();
}, 120_000);
afterAll(async () => {
  await fake?.close();
});

const config = (endpoint: string) => `terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = "~> 6.0" }
  }
}
provider "aws" {
  region = "us-east-1"
  endpoints { ec2 = "${endpoint}" }
}
resource "aws_key_pair" "deployer" {
  key_name   = "deployer"
  public_key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHh0d3ZtaGlXbGx4a2F0c3BhZGVzY2F0cGhvdG9hcHA deployer@example.com"
}
data "aws_caller_identity" "me" {}
output "arn" { value = aws_key_pair.deployer.arn }
output "account" { value = data.aws_caller_identity.me.account_id }
`;

describe("apply against an EC2 endpoint (fake, key pairs only)", () => {
  it("creates, re-plans with no changes, imports and destroys an aws_key_pair", async () => {
    const dir = workdir(sb, "no-api");
    writeFileSync(join(dir, "main.tf"), config(fake.endpoint));
    expect((await tf(sb, dir, ["init", "-no-color", "-input=false"])).status).toBe(0);

    const apply = await tf(sb, dir, ["apply", "-no-color", "-input=false", "-auto-approve"]);
    expect(apply.stderr).toBe("");
    expect(apply.stdout).toContain("Apply complete! Resources: 1 added, 0 changed, 0 destroyed.");
    expect(fake.keys.get("deployer")?.material).toMatch(/^ssh-ed25519 /);
    const out = JSON.parse((await tf(sb, dir, ["output", "-json"])).stdout) as Record<string, { value: string }>;
    expect(out.arn!.value).toBe(`arn:aws:ec2:us-east-1:${FAKE_ACCOUNT}:key-pair/deployer`);
    expect(out.account!.value).toBe(FAKE_ACCOUNT);

    const again = await tf(sb, dir, ["plan", "-no-color", "-input=false", "-detailed-exitcode"]);
    expect(again.stderr).toBe("");
    expect(again.stdout).toContain("No changes.");
    expect(again.status).toBe(0);

    expect((await tf(sb, dir, ["state", "rm", "aws_key_pair.deployer"])).status).toBe(0);
    const imp = await tf(sb, dir, ["import", "-no-color", "-input=false", "aws_key_pair.deployer", "deployer"]);
    expect(imp.stderr).toBe("");
    expect(imp.stdout).toContain("Import successful!");
    // public_key cannot be read back from EC2 (as in hashicorp/aws): after import the plan replaces it.
    const show = JSON.parse((await tf(sb, dir, ["show", "-json"])).stdout) as { values: { root_module: { resources: { address: string; values: Record<string, unknown> }[] } } };
    const kp = show.values.root_module.resources.find((r) => r.address === "aws_key_pair.deployer")!;
    expect(kp.values).toMatchObject({ key_name: "deployer", fingerprint: "aa:bb:cc", key_type: "ed25519", region: "us-east-1" });

    const destroy = await tf(sb, dir, ["destroy", "-no-color", "-input=false", "-auto-approve"]);
    expect(destroy.stderr).toBe("");
    expect(destroy.stdout).toContain("Destroy complete! Resources: 1 destroyed.");
    expect(fake.keys.size).toBe(0);
    expect(fake.calls).toEqual(expect.arrayContaining(["ImportKeyPair", "DescribeKeyPairs", "DeleteKeyPair", "DescribeSecurityGroups"]));
  });

  it("puts EC2's error code into the diagnostic summary, and drops a resource gone from EC2 on refresh", async () => {
    const handlers = createProvider(providerDefinition);
    const dv = (v: unknown) => ({ msgpack: encodeValue(v) });
    await handlers.ConfigureProvider!({ config: dv({ region: "us-east-1", endpoints: [{ ec2: fake.endpoint }] }) });
    const gone = (await handlers.ReadResource!({ type_name: "aws_key_pair", current_state: dv({ id: "nope", key_name: "nope" }) })) as any;
    expect(decodeValue(gone.new_state.msgpack)).toBeNull();
    const res = (await handlers.ApplyResourceChange!({
      type_name: "aws_ebs_volume",
      prior_state: dv(null),
      planned_state: dv({ availability_zone: "us-east-1a", size: 1 }),
      config: dv({ availability_zone: "us-east-1a", size: 1 }),
    })) as any;
    expect(res.diagnostics[0].summary).toMatch(/^creating EBS Volume: api error InvalidAction: The action CreateVolume is not valid/);
  });
});
