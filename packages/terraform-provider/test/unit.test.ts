import { X509Certificate } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { generateCertificate } from "../src/der.ts";
import { decodeValue, encodeValue, isUnknown, Unknown } from "../src/framework/msgpack.ts";
import { createProvider } from "../src/framework/provider.ts";
import { type Block, ctyTypeJson, fullBlock, toProtoSchema } from "../src/framework/schema.ts";
import { normalize, parseDuration } from "../src/framework/values.ts";
import { LAUNCHER, packageHash } from "../src/install.ts";
import { handshakeLine } from "../src/plugin.ts";
import { NestingMode, rpcs } from "../src/proto/tfplugin6.ts";
import { decodeMessage, encodeMessage } from "../src/proto/wire.ts";
import { providerDefinition, providerDefinitionFor } from "../src/resources/index.ts";
import { volumeAttachmentId } from "../src/resources/volumes.ts";
import { aws_ami_launch_permission } from "../src/schemas/images.ts";
import { aws_instance } from "../src/schemas/instances.ts";
import { aws_route } from "../src/schemas/route-tables.ts";
import { aws_vpc_security_group_ingress_rule } from "../src/schemas/security-groups.ts";
import { OFFERED_VERSIONS, summarizeVersions } from "../src/versions.ts";

describe("msgpack DynamicValue", () => {
  it("decodes an unknown (ext 0, d4 00 00) and encodes it back byte for byte", () => {
    const bytes = new Uint8Array([0x81, 0xa2, 0x69, 0x64, 0xd4, 0x00, 0x00]); // {"id": <unknown>}
    const v = decodeValue(bytes) as Record<string, unknown>;
    expect(isUnknown(v.id)).toBe(true);
    expect((v.id as Unknown).extType).toBe(0);
    expect(Buffer.from(encodeValue(v))).toEqual(Buffer.from(bytes));
  });

  it("keeps a refined unknown (ext 12) unchanged through a round trip", () => {
    // ext 12 with a payload (a refinement map as terraform 1.11 sends, e.g. not-null + string prefix)
    const refinement = new Uint8Array([0x82, 0x01, 0xc2, 0x02, 0xa4, 0x61, 0x6d, 0x69, 0x2d]);
    const ext = new Uint8Array([0xc7, refinement.length, 0x0c, ...refinement]);
    const bytes = new Uint8Array([0x92, ...ext, 0xa1, 0x78]); // [<refined unknown>, "x"]
    const v = decodeValue(bytes) as unknown[];
    expect(v[0]).toBeInstanceOf(Unknown);
    expect((v[0] as Unknown).extType).toBe(12);
    expect(Buffer.from((v[0] as Unknown).data)).toEqual(Buffer.from(refinement));
    expect(v[1]).toBe("x");
    expect(Buffer.from(encodeValue(v))).toEqual(Buffer.from(bytes));
  });

  it("treats an empty DynamicValue as null and encodes null as msgpack nil", () => {
    expect(decodeValue(new Uint8Array())).toBeNull();
    expect(decodeValue(undefined)).toBeNull();
    expect(Array.from(encodeValue(null))).toEqual([0xc0]);
  });
});

describe("AutoMTLS certificate", () => {
  it("is a CA certificate for localhost that node's X509Certificate parses and verifies", () => {
    const cert = generateCertificate();
    const x = new X509Certificate(Buffer.from(cert.certDer));
    expect(x.ca).toBe(true);
    expect(x.subjectAltName).toBe("DNS:localhost");
    expect(x.checkHost("localhost")).toBe("localhost");
    expect(x.subject).toContain("CN=localhost");
    expect(x.publicKey.asymmetricKeyType).toBe("ec");
    expect(x.publicKey.asymmetricKeyDetails?.namedCurve).toBe("prime256v1");
    expect(x.verify(x.publicKey)).toBe(true);
    expect(x.checkPrivateKey(cert.key)).toBe(true);
    expect(x.keyUsage).toEqual(expect.arrayContaining(["1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"]));
    expect(new Date(x.validTo).getTime()).toBeGreaterThan(Date.now() + 20 * 365 * 86400_000);
    expect(cert.certPem).toMatch(/^-----BEGIN CERTIFICATE-----\n/);
  });

  it("goes into the handshake line as unpadded standard base64 DER", () => {
    const cert = generateCertificate();
    const line = handshakeLine(1234, cert.certDer);
    const [core, app, net, addr, proto, b64] = line.split("|");
    expect([core, app, net, addr, proto]).toEqual(["1", "6", "tcp", "127.0.0.1:1234", "grpc"]);
    expect(b64).not.toMatch(/=/);
    expect(Buffer.from(b64!, "base64")).toEqual(Buffer.from(cert.certDer));
  });
});

describe("protobuf codec", () => {
  it("round-trips a GetProviderSchema response with maps, nested messages and enums", () => {
    const res = createProvider(providerDefinition).GetProviderSchema!({}) as Record<string, unknown>;
    const bytes = encodeMessage(rpcs.GetProviderSchema.res, res);
    const back = decodeMessage<Record<string, any>>(rpcs.GetProviderSchema.res, bytes);
    expect(Object.keys(back.resource_schemas).sort()).toEqual(Object.keys(providerDefinition.resources).sort());
    expect(Object.keys(back.data_source_schemas).sort()).toEqual(Object.keys(providerDefinition.dataSources).sort());
    const inst = back.resource_schemas.aws_instance;
    expect(inst.version).toBe(1);
    const ami = inst.block.attributes.find((a: any) => a.name === "ami");
    expect(new TextDecoder().decode(ami.type)).toBe('"string"');
    expect(ami.optional && ami.computed).toBe(true);
    const root = inst.block.block_types.find((b: any) => b.type_name === "root_block_device");
    expect(root.nesting).toBe(NestingMode.LIST);
    expect(root.max_items).toBe(1);
    const timeouts = inst.block.block_types.find((b: any) => b.type_name === "timeouts");
    expect(timeouts.nesting).toBe(NestingMode.SINGLE);
  });

  it("encodes negative int64 as ten-byte varints and decodes them back", () => {
    const desc = rpcs.UpgradeResourceState.req;
    const back = decodeMessage<Record<string, unknown>>(desc, encodeMessage(desc, { type_name: "x", version: -1 }));
    expect(back.version).toBe(-1);
  });
});

describe("schema conversion", () => {
  it("writes cty type JSON for nested types", () => {
    expect(ctyTypeJson(["list", ["object", { a: "string", b: ["set", "number"] }]])).toEqual([
      "list",
      ["object", { a: "string", b: ["set", "number"] }],
    ]);
  });

  it("adds the timeouts block and keeps every attribute", () => {
    const block = fullBlock(aws_instance);
    const schema = toProtoSchema(block, aws_instance.version);
    const names = schema.block.attributes.map((a) => a.name);
    for (const n of ["ami", "arn", "instance_type", "tags", "tags_all", "region", "id", "user_data_replace_on_change"])
      expect(names).toContain(n);
    expect(schema.block.block_types.map((b) => b.type_name)).toContain("timeouts");
    expect(names).toEqual([...names].sort());
  });

  it("has region (optional+computed) on every regional resource, as hashicorp/aws 6.x does (IAM is global)", () => {
    for (const [name, r] of Object.entries(providerDefinition.resources)) {
      const region = r.schema.block.attributes.region;
      if (name.startsWith("aws_iam_")) {
        expect(region, name).toBeUndefined();
        continue;
      }
      expect(region, name).toBeDefined();
      expect(region!.optional && region!.computed, name).toBe(true);
    }
  });

  it("normalizes values: every attribute present, absent blocks as empty lists", () => {
    const block: Block = {
      attributes: { a: { type: "string", optional: true }, o: { type: ["object", { x: "number" }], computed: true } },
      blocks: { b: { nesting: "list", block: { attributes: { c: { type: "bool", optional: true } } } } },
    };
    expect(normalize(block, { o: {} })).toEqual({ a: null, o: { x: null }, b: [] });
  });

  it("parses Go durations", () => {
    expect(parseDuration("10m")).toBe(600_000);
    expect(parseDuration("1h30m5s")).toBe(5_405_000);
    expect(() => parseDuration("ten")).toThrow();
  });
});

describe("planning", () => {
  const handlers = createProvider(providerDefinition);
  const dv = (v: unknown) => ({ msgpack: encodeValue(v) });
  const configure = () =>
    handlers.ConfigureProvider!({ config: dv({ region: "eu-west-1", default_tags: [{ tags: { Env: "test" } }] }) });

  it("marks computed values unknown on create, applies defaults and computes tags_all", async () => {
    await configure();
    const config = normalize(fullBlock(aws_instance), {
      ami: "ami-1",
      instance_type: "t3.micro",
      tags: { Name: "web" },
    });
    const res = (await handlers.PlanResourceChange!({
      type_name: "aws_instance",
      prior_state: dv(null),
      proposed_new_state: dv(config),
      config: dv(config),
    })) as any;
    const plan = decodeValue(res.planned_state.msgpack) as Record<string, unknown>;
    expect(isUnknown(plan.id)).toBe(true);
    expect(isUnknown(plan.arn)).toBe(true);
    expect(plan.ami).toBe("ami-1");
    expect(plan.source_dest_check).toBe(true);
    expect(plan.region).toBe("eu-west-1");
    expect(plan.tags_all).toEqual({ Env: "test", Name: "web" });
    expect(res.requires_replace).toEqual([]);
  });

  it("requires replacement when a ForceNew attribute changes, not for an in-place one", async () => {
    await configure();
    const block = fullBlock(aws_instance);
    const prior = normalize(block, {
      id: "i-1",
      ami: "ami-1",
      instance_type: "t3.micro",
      region: "eu-west-1",
      source_dest_check: true,
      tags_all: { Env: "test" },
    });
    const next = { ...prior, ami: "ami-2", instance_type: "t3.small" };
    const res = (await handlers.PlanResourceChange!({
      type_name: "aws_instance",
      prior_state: dv(prior),
      proposed_new_state: dv(next),
      config: dv(next),
    })) as any;
    expect(res.requires_replace.map((p: any) => p.steps[0].attribute_name)).toEqual(["ami"]);
  });

  it("plans destroy as null and imports with the given ID", async () => {
    await configure();
    const res = (await handlers.PlanResourceChange!({
      type_name: "aws_key_pair",
      prior_state: dv({ id: "k" }),
      proposed_new_state: dv(null),
      config: dv(null),
    })) as any;
    expect(decodeValue(res.planned_state.msgpack)).toBeNull();
    const imp = (await handlers.ImportResourceState!({
      type_name: "aws_ami_launch_permission",
      id: "123456789012/ami-12345678",
    })) as any;
    const state = decodeValue(imp.imported_resources[0].state.msgpack) as Record<string, unknown>;
    expect(state).toMatchObject({ account_id: "123456789012", image_id: "ami-12345678", region: "eu-west-1" });
  });

  it("upgrades raw JSON state to the current schema", async () => {
    const raw = new TextEncoder().encode(JSON.stringify({ id: "deployer", key_name: "deployer", unknown_old_attr: 1 }));
    const res = (await handlers.UpgradeResourceState!({
      type_name: "aws_key_pair",
      version: 1,
      raw_state: { json: raw },
    })) as any;
    const state = decodeValue(res.upgraded_state.msgpack) as Record<string, unknown>;
    expect(state.key_name).toBe("deployer");
    expect(state).not.toHaveProperty("unknown_old_attr");
    expect(state).toHaveProperty("fingerprint", null);
  });

  it("names EC2's error code in diagnostics", async () => {
    await configure();
    const state = { ...normalize(fullBlock(aws_instance), { id: "i-1", region: "eu-west-1" }) };
    // No server at this endpoint: the error has no EC2 code, but a diagnostic, not a crash.
    process.env.EC2SIM_ENDPOINT = "http://127.0.0.1:9";
    await handlers.ConfigureProvider!({ config: dv({ region: "eu-west-1", max_retries: 0 }) });
    const res = (await handlers.ReadResource!({ type_name: "aws_instance", current_state: dv(state) })) as any;
    delete process.env.EC2SIM_ENDPOINT;
    expect(res.diagnostics[0].summary).toMatch(/^reading EC2 Instance \(i-1\): /);
  });
});

describe("IDs as hashicorp/aws makes them", () => {
  it("volume attachment IDs are vai- + CRC-32 of device-instance-volume-", () => {
    expect(volumeAttachmentId("/dev/sdh", "i-1", "vol-1")).toMatch(/^vai-\d+$/);
    expect(volumeAttachmentId("/dev/sdh", "i-1", "vol-1")).toBe(volumeAttachmentId("/dev/sdh", "i-1", "vol-1"));
  });
});

describe("conflict checks at validate time (terraform-plugin-sdk and -framework semantics)", () => {
  const handlers = createProvider(providerDefinition);
  const validate = async (type: string, schema: Parameters<typeof fullBlock>[0], values: Record<string, unknown>) => {
    const res = (await handlers.ValidateResourceConfig!({
      type_name: type,
      config: { msgpack: encodeValue(normalize(fullBlock(schema), values)) },
    })) as { diagnostics: { summary: string; detail: string; attribute?: { steps: { attribute_name: string }[] } }[] };
    return res.diagnostics.map((d) => `${d.summary}: ${d.detail}`);
  };
  const u = new Unknown();

  it("a framework ExactlyOneOf counts only known values: unknowns pass, two known values fail, none known fails", async () => {
    const base = { security_group_id: "sg-1", ip_protocol: "tcp" };
    const rule = "aws_vpc_security_group_ingress_rule";
    // for_each over a map holding nulls, validated before each.value is known: every source is unknown.
    expect(
      await validate(rule, aws_vpc_security_group_ingress_rule, {
        ...base,
        cidr_ipv4: u,
        cidr_ipv6: u,
        prefix_list_id: u,
        referenced_security_group_id: u,
      }),
    ).toEqual([]);
    expect(
      await validate(rule, aws_vpc_security_group_ingress_rule, { ...base, cidr_ipv4: "10.0.0.0/8", cidr_ipv6: u }),
    ).toEqual([]);
    const list = "[cidr_ipv4,cidr_ipv6,prefix_list_id,referenced_security_group_id]";
    expect(
      await validate(rule, aws_vpc_security_group_ingress_rule, {
        ...base,
        cidr_ipv4: "10.0.0.0/8",
        referenced_security_group_id: "sg-2",
      }),
    ).toEqual([`Invalid Attribute Combination: Exactly one of these attributes must be configured: ${list}`]);
    expect(await validate(rule, aws_vpc_security_group_ingress_rule, base)).toEqual([
      `Missing Attribute Configuration: Exactly one of these attributes must be configured: ${list}`,
    ]);
  });

  it("an SDK ExactlyOneOf (launch permissions) reports per attribute, and never counts an unknown as given", async () => {
    const lp = "aws_ami_launch_permission";
    expect(await validate(lp, aws_ami_launch_permission, { image_id: "ami-1", account_id: u, group: u })).toEqual([]);
    expect(
      await validate(lp, aws_ami_launch_permission, { image_id: "ami-1", account_id: "111122223333", group: u }),
    ).toEqual([]);
    const both = await validate(lp, aws_ami_launch_permission, {
      image_id: "ami-1",
      account_id: "111122223333",
      group: "all",
    });
    expect(both).toHaveLength(4);
    expect(both[0]).toBe(
      'Invalid combination of arguments: "account_id": only one of `account_id,group,organization_arn,organizational_unit_arn` can be specified, but `account_id,group` were specified.',
    );
    expect(await validate(lp, aws_ami_launch_permission, { image_id: "ami-1" })).toContain(
      'Invalid combination of arguments: "group": one of `account_id,group,organization_arn,organizational_unit_arn` must be specified',
    );
  });

  it("SDK ConflictsWith and AtLeastOneOf: known values conflict, unknown ones wait; a nested block counts once configured", async () => {
    expect(
      await validate("aws_instance", aws_instance, { ami: "ami-1", user_data: "a", user_data_base64: "Yg==" }),
    ).toEqual([
      'Conflicting configuration arguments: "user_data": conflicts with user_data_base64',
      'Conflicting configuration arguments: "user_data_base64": conflicts with user_data',
    ]);
    expect(
      await validate("aws_instance", aws_instance, { ami: "ami-1", user_data: u, user_data_base64: "Yg==" }),
    ).toEqual([]);
    expect(await validate("aws_instance", aws_instance, {})).toEqual([
      'Missing required argument: "ami": one of `ami,launch_template` must be specified',
    ]);
    expect(await validate("aws_instance", aws_instance, { launch_template: [{ id: "lt-1" }] })).toEqual([]);
    expect(await validate("aws_instance", aws_instance, { ami: u })).toEqual([]);
  });

  it("aws_route's destination and target checks wait for unknown values too", async () => {
    const base = { route_table_id: "rtb-1" };
    expect(
      await validate("aws_route", aws_route, { ...base, destination_cidr_block: u, gateway_id: u, nat_gateway_id: u }),
    ).toEqual([]);
    const two = await validate("aws_route", aws_route, {
      ...base,
      destination_cidr_block: "0.0.0.0/0",
      gateway_id: "igw-1",
      nat_gateway_id: "nat-1",
    });
    // Declared on each target, as terraform-plugin-sdk reports ExactlyOneOf: one diagnostic per attribute.
    expect(two.length).toBeGreaterThan(0);
    for (const d of two) expect(d).toContain("but `gateway_id,nat_gateway_id` were specified");
  });
});

describe("hashicorp/aws releases", () => {
  it("each package folder is the one LAUNCHER, whose hash users' lock files hold: it must never change", () => {
    const dir = mkdtempSync(join(tmpdir(), "ec2sim-launcher-"));
    try {
      const pkg = join(dir, "registry.terraform.io/hashicorp/aws/5.31.0/linux_amd64");
      mkdirSync(pkg, { recursive: true });
      writeFileSync(join(pkg, "terraform-provider-aws_v5.31.0"), LAUNCHER);
      // The h1 terraform wrote into test/terraform/fixtures/locked-5.31.0/.terraform.lock.hcl.
      expect(packageHash(pkg)).toBe("h1:ndhoI1leoAEDHceMqeAZDjQ6WgbW0y+QorU8fKLySQ0=");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("offers the last 3.x and 4.x, every 5.x and 6.x minor; each line serves its schema", () => {
    expect(OFFERED_VERSIONS).toEqual(
      expect.arrayContaining(["3.76.1", "4.67.0", "5.31.0", "5.100.0", "6.25.0", "6.38.0"]),
    );
    expect(summarizeVersions(OFFERED_VERSIONS)).toBe("3.76.1, 4.67.0, 5.0.0–5.100.0, 6.0.0–6.38.0");
    const v3 = providerDefinitionFor("3.76.1");
    const v4 = providerDefinitionFor("4.67.0");
    const v5 = providerDefinitionFor("5.31.0");
    const v6 = providerDefinitionFor("6.38.0");
    expect(v6).toBe(providerDefinition);
    expect(providerDefinitionFor(undefined)).toBe(providerDefinition);
    for (const def of [v3, v4, v5]) {
      expect(Object.values(def.resources).some((r) => "region" in r.schema.block.attributes)).toBe(false);
      expect(def.resources.aws_eip!.schema.block.attributes.vpc).toBeDefined();
    }
    expect(v4.resources.aws_eip!.schema.block.attributes.domain).toMatchObject({ computed: true });
    expect(v4.resources.aws_eip!.schema.block.attributes.domain!.optional).toBeUndefined();
    expect(v5.resources.aws_eip!.schema.block.attributes.domain).toMatchObject({ optional: true, computed: true });
    expect(v3.resources.aws_vpc_security_group_ingress_rule).toBeUndefined();
    expect(v3.resources.aws_ami_launch_permission!.schema.block.attributes.account_id).toMatchObject({
      required: true,
    });
    expect(v4.schema.attributes.skip_get_ec2_platforms).toBeDefined();
    expect(v5.schema.attributes.skip_get_ec2_platforms).toBeUndefined();
    expect(v5.dataSources.aws_ami!.schema.block.attributes.allow_unsafe_filter).toBeUndefined();
  });
});
