// The provider against a real `ec2sim serve` process: apply -> no-change plan -> import -> destroy
// through the real terraform CLI and the bundled plugin (endpoint and keys in the provider block),
// and the handlers in-process for what a configuration cannot easily show: keys taken from the
// sandbox's admin API, EC2 error codes in diagnostics, resources gone on refresh, waits measured
// on the sandbox's simulated clock. (test/terraform has the whole story.)

import { generateKeyPairSync } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { DescribeKeyPairsCommand, EC2Client } from "@aws-sdk/client-ec2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeValue, encodeValue } from "../src/framework/msgpack.ts";
import { createProvider } from "../src/framework/provider.ts";
import { providerDefinition } from "../src/resources/index.ts";
import { type Ec2simServer, startEc2sim } from "./ec2sim-server.ts";
import { requireTerraform, type Sandbox, setupSandbox, tf, workdir } from "./terraform-cli.ts";

let sb: Sandbox;
let server: Ec2simServer;

beforeAll(async () => {
  requireTerraform();
  [sb, server] = await Promise.all([setupSandbox(), startEc2sim(200)]);
}, 120_000);
afterAll(async () => {
  await server?.stop();
});

/** A fresh ed25519 public key in OpenSSH format (EC2 checks the key material). */
function sshPublicKey(comment: string): string {
  const raw = generateKeyPairSync("ed25519").publicKey.export({ format: "der", type: "spki" }).subarray(-32);
  const str = (b: Buffer) => Buffer.concat([Buffer.from([0, 0, 0, b.length]), b]);
  return `ssh-ed25519 ${Buffer.concat([str(Buffer.from("ssh-ed25519")), str(raw)]).toString("base64")} ${comment}`;
}
const PUBLIC_KEY = sshPublicKey("deployer@example.com");

const config = (endpoint: string, keys: { accessKeyId: string; secretAccessKey: string }) => `terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = "~> 6.0" }
  }
}
provider "aws" {
  region     = "us-east-1"
  access_key = "${keys.accessKeyId}"
  secret_key = "${keys.secretAccessKey}"
  endpoints {
    ec2 = "${endpoint}"
  }
}
resource "aws_key_pair" "deployer" {
  key_name   = "deployer"
  public_key = "${PUBLIC_KEY}"
}
data "aws_caller_identity" "me" {}
output "arn" { value = aws_key_pair.deployer.arn }
output "account" { value = data.aws_caller_identity.me.account_id }
`;

const dv = (v: unknown) => ({ msgpack: encodeValue(v) });
const sdk = (acct: { accessKeyId: string; secretAccessKey: string }) =>
  new EC2Client({
    endpoint: server.url,
    region: "us-east-1",
    credentials: { accessKeyId: acct.accessKeyId, secretAccessKey: acct.secretAccessKey },
    maxAttempts: 1,
  });

describe("apply against ec2sim serve", () => {
  it("creates, re-plans with no changes, imports and destroys an aws_key_pair (keys and endpoint in the provider block)", async () => {
    const B = server.accounts.find((a) => a.accountId === "444455556666")!;
    const dir = workdir(sb, "no-api");
    writeFileSync(join(dir, "main.tf"), config(server.url, B));
    expect((await tf(sb, dir, ["init", "-no-color", "-input=false"])).status).toBe(0);

    const apply = await tf(sb, dir, ["apply", "-no-color", "-input=false", "-auto-approve"]);
    expect(apply.stderr).toBe("");
    expect(apply.stdout).toContain("Apply complete! Resources: 1 added, 0 changed, 0 destroyed.");
    const inB = await sdk(B).send(new DescribeKeyPairsCommand({ KeyNames: ["deployer"] }));
    expect(inB.KeyPairs?.[0]).toMatchObject({ KeyName: "deployer", KeyType: "ed25519" });
    const out = JSON.parse((await tf(sb, dir, ["output", "-json"])).stdout) as Record<string, { value: string }>;
    expect(out.arn!.value).toBe(`arn:aws:ec2:us-east-1:444455556666:key-pair/deployer`);
    expect(out.account!.value).toBe("444455556666");

    const again = await tf(sb, dir, ["plan", "-no-color", "-input=false", "-detailed-exitcode"]);
    expect(again.stderr).toBe("");
    expect(again.stdout).toContain("No changes.");
    expect(again.status).toBe(0);

    expect((await tf(sb, dir, ["state", "rm", "aws_key_pair.deployer"])).status).toBe(0);
    const imp = await tf(sb, dir, ["import", "-no-color", "-input=false", "aws_key_pair.deployer", "deployer"]);
    expect(imp.stderr).toBe("");
    expect(imp.stdout).toContain("Import successful!");
    const show = JSON.parse((await tf(sb, dir, ["show", "-json"])).stdout) as {
      values: { root_module: { resources: { address: string; values: Record<string, unknown> }[] } };
    };
    const kp = show.values.root_module.resources.find((r) => r.address === "aws_key_pair.deployer")!;
    expect(kp.values).toMatchObject({
      key_name: "deployer",
      fingerprint: inB.KeyPairs![0]!.KeyFingerprint,
      key_type: "ed25519",
      key_pair_id: inB.KeyPairs![0]!.KeyPairId,
      region: "us-east-1",
    });

    const destroy = await tf(sb, dir, ["destroy", "-no-color", "-input=false", "-auto-approve"]);
    expect(destroy.stderr).toBe("");
    expect(destroy.stdout).toContain("Destroy complete! Resources: 1 destroyed.");
    expect((await sdk(B).send(new DescribeKeyPairsCommand({}))).KeyPairs).toEqual([]);
  });
});

describe("the provider's handlers against ec2sim serve", () => {
  const configured = async (config: Record<string, unknown>, env: Record<string, string | undefined> = {}) => {
    const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
    for (const [k, v] of Object.entries(env))
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    try {
      const h = createProvider(providerDefinition);
      await h.ConfigureProvider!({ config: dv(config) });
      return h;
    } finally {
      for (const [k, v] of Object.entries(saved))
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
    }
  };
  const noKeys = {
    AWS_ACCESS_KEY_ID: undefined,
    AWS_SECRET_ACCESS_KEY: undefined,
    EC2SIM_ACCESS_KEY_ID: undefined,
    EC2SIM_SECRET_ACCESS_KEY: undefined,
  };

  it("without keys, acts as the sandbox's default account (keys from the admin API)", async () => {
    const h = await configured(
      { region: "us-east-1" },
      { ...noKeys, EC2SIM_ENDPOINT: server.url, EC2SIM_ADMIN_TOKEN: server.adminToken },
    );
    const res = (await h.ApplyResourceChange!({
      type_name: "aws_key_pair",
      prior_state: dv(null),
      planned_state: dv({ key_name: "no-keys", public_key: PUBLIC_KEY, tags_all: {} }),
      config: dv({ key_name: "no-keys", public_key: PUBLIC_KEY }),
    })) as any;
    expect(res.diagnostics ?? []).toEqual([]);
    expect(decodeValue(res.new_state.msgpack)).toMatchObject({
      id: "no-keys",
      arn: "arn:aws:ec2:us-east-1:111122223333:key-pair/no-keys",
    });
    const A = server.accounts.find((a) => a.accountId === "111122223333")!;
    expect((await sdk(A).send(new DescribeKeyPairsCommand({ KeyNames: ["no-keys"] }))).KeyPairs).toHaveLength(1);
  });

  it("puts EC2's error code into the diagnostic summary, and drops a resource gone from EC2 on refresh", async () => {
    const h = await configured(
      { region: "us-east-1", endpoints: [{ ec2: server.url }] },
      { ...noKeys, EC2SIM_ADMIN_TOKEN: server.adminToken },
    );
    const gone = (await h.ReadResource!({
      type_name: "aws_key_pair",
      current_state: dv({ id: "nope", key_name: "nope" }),
    })) as any;
    expect(gone.diagnostics ?? []).toEqual([]);
    expect(decodeValue(gone.new_state.msgpack)).toBeNull();
    const res = (await h.ApplyResourceChange!({
      type_name: "aws_instance",
      prior_state: dv(null),
      planned_state: dv({ ami: "ami-0123456789abcdef0", instance_type: "t3.micro", tags_all: {} }),
      config: dv({ ami: "ami-0123456789abcdef0", instance_type: "t3.micro" }),
    })) as any;
    expect(res.diagnostics[0].summary).toBe(
      "creating EC2 Instance: api error InvalidAMIID.NotFound: The image id '[ami-0123456789abcdef0]' does not exist",
    );
    expect(decodeValue(res.new_state.msgpack)).toBeNull();
  });

  it("waits on the sandbox's clock: a 5s create timeout runs out in simulated time, long before 5 real seconds", async () => {
    const h = await configured(
      { region: "us-east-1", endpoints: [{ ec2: server.url }] },
      { ...noKeys, EC2SIM_ADMIN_TOKEN: server.adminToken },
    );
    const images = (await h.ReadDataSource!({
      type_name: "aws_ami",
      config: dv({
        most_recent: true,
        owners: ["amazon"],
        filter: [{ name: "name", values: ["al2023-ami-2023*-x86_64"] }],
      }),
    })) as any;
    const ami = (decodeValue(images.state.msgpack) as { id: string }).id;
    const t0 = performance.now();
    const res = (await h.ApplyResourceChange!({
      type_name: "aws_instance",
      prior_state: dv(null),
      planned_state: dv({ ami, instance_type: "t3.micro", tags_all: {}, timeouts: { create: "5s" } }),
      config: dv({ ami, instance_type: "t3.micro", timeouts: { create: "5s" } }),
    })) as any;
    const ms = performance.now() - t0;
    // An EBS-backed instance takes 15-45 s of simulated time to boot; at ×200 that is under 0.25 s real.
    expect(res.diagnostics[0].summary).toMatch(
      /^creating EC2 Instance: timeout while waiting for EC2 Instance \(i-[0-9a-f]{17}\) to become running \(timeout: 5s on the sandbox clock\)$/,
    );
    expect(ms).toBeLessThan(4000);
    // The instance exists: it is kept in state (terraform marks it tainted).
    expect(decodeValue(res.new_state.msgpack)).toMatchObject({ id: expect.stringMatching(/^i-[0-9a-f]{17}$/) });
  });
});
