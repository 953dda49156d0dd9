/**
 * Fuzz: thousands of malformed requests, correctly signed so they get past SigV4 and into the
 * parser and the sandbox — unknown actions, wrong types, huge values, broken percent-encoding,
 * invalid UTF-8, absurd list indices, unknown parameters — plus unsigned and badly signed ones,
 * non-HTTP garbage and oversized bodies. Every answer must be an EC2-shaped error (or a success),
 * never a 500, never a stack trace, and the server must keep serving.
 */
import { createHash, createHmac } from "node:crypto";
import { connect } from "node:net";
import { DescribeRegionsCommand } from "@aws-sdk/client-ec2";
import {
  type Account,
  accountsOf,
  mulberry32,
  type ServerProcess,
  sdkClient,
  startServer,
  tempDir,
} from "@ec2sim/test-harness";
import { SignatureV4 } from "@smithy/signature-v4";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/** How long one request may wait for its answer (generous: the machine may be busy). */
const REQUEST_DEADLINE_MS = 120_000;

type SourceData = string | ArrayBuffer | ArrayBufferView;
const bytesOf = (d: SourceData): string | Uint8Array =>
  typeof d === "string"
    ? d
    : d instanceof ArrayBuffer
      ? new Uint8Array(d)
      : new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
class NodeSha256 {
  private h;
  private readonly secret: string | Uint8Array | undefined;
  constructor(secret?: SourceData) {
    this.secret = secret === undefined ? undefined : bytesOf(secret);
    this.h = this.secret ? createHmac("sha256", this.secret) : createHash("sha256");
  }
  update(d: SourceData): void {
    this.h.update(bytesOf(d));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.h.digest());
  }
  reset(): void {
    this.h = this.secret ? createHmac("sha256", this.secret) : createHash("sha256");
  }
}

const CORE_ACTIONS: Record<string, string[]> = {
  RunInstances: [
    "ImageId",
    "InstanceType",
    "MinCount",
    "MaxCount",
    "KeyName",
    "SecurityGroupId.1",
    "UserData",
    "TagSpecification.1.ResourceType",
    "TagSpecification.1.Tag.1.Key",
    "TagSpecification.1.Tag.1.Value",
    "BlockDeviceMapping.1.DeviceName",
    "BlockDeviceMapping.1.Ebs.VolumeSize",
    "Placement.AvailabilityZone",
    "ClientToken",
    "DryRun",
  ],
  DescribeInstances: ["InstanceId.1", "Filter.1.Name", "Filter.1.Value.1", "MaxResults", "NextToken"],
  DescribeImages: [
    "Owner.1",
    "ImageId.1",
    "ExecutableBy.1",
    "Filter.1.Name",
    "Filter.1.Value.1",
    "IncludeDeprecated",
    "MaxResults",
  ],
  CreateImage: ["InstanceId", "Name", "Description", "NoReboot", "BlockDeviceMapping.1.DeviceName"],
  CopyImage: ["SourceImageId", "SourceRegion", "Name", "Encrypted", "ClientToken"],
  ModifyImageAttribute: [
    "ImageId",
    "Attribute",
    "LaunchPermission.Add.1.UserId",
    "LaunchPermission.Add.1.Group",
    "LaunchPermission.Remove.1.OrganizationalUnitArn",
    "UserId.1",
    "OperationType",
  ],
  DeregisterImage: ["ImageId"],
  CreateTags: ["ResourceId.1", "Tag.1.Key", "Tag.1.Value"],
  StopInstances: ["InstanceId.1", "Force", "Hibernate"],
  StartInstances: ["InstanceId.1"],
  TerminateInstances: ["InstanceId.1"],
  CreateKeyPair: ["KeyName", "KeyType", "KeyFormat"],
  ImportKeyPair: ["KeyName", "PublicKeyMaterial"],
  CreateSecurityGroup: ["GroupName", "GroupDescription", "VpcId"],
  AuthorizeSecurityGroupIngress: [
    "GroupId",
    "IpPermissions.1.IpProtocol",
    "IpPermissions.1.FromPort",
    "IpPermissions.1.ToPort",
    "IpPermissions.1.IpRanges.1.CidrIp",
  ],
  CreateVolume: ["AvailabilityZone", "Size", "VolumeType", "Iops", "SnapshotId"],
  AttachVolume: ["VolumeId", "InstanceId", "Device"],
  CreateSnapshot: ["VolumeId", "Description"],
  AllocateAddress: ["Domain"],
  AssociateAddress: ["AllocationId", "InstanceId"],
  ModifyInstanceAttribute: ["InstanceId", "InstanceType.Value", "UserData.Value", "Attribute", "Value"],
  DescribeInstanceTypes: ["InstanceType.1", "Filter.1.Name", "Filter.1.Value.1", "MaxResults"],
  DescribeAvailabilityZones: ["ZoneName.1", "AllAvailabilityZones"],
  RegisterImage: ["Name", "ImageLocation", "RootDeviceName", "BlockDeviceMapping.1.Ebs.SnapshotId", "Architecture"],
};
const ACTIONS = Object.keys(CORE_ACTIONS);
const NOT_IN_CORE = [
  "CreateVpcEndpoint",
  "CreateTransitGateway",
  "DescribeFleets",
  "CreateLaunchTemplate",
  "AcceptVpcPeeringConnection",
];

describe("fuzz: malformed requests never break the endpoint", () => {
  let server: ServerProcess;
  let data: ReturnType<typeof tempDir>;
  let A: Account;
  let signer: SignatureV4;

  beforeAll(async () => {
    data = tempDir("fuzz");
    server = await startServer({ dataDir: data.dir, speed: 200 });
    [A] = await accountsOf(server.url);
    signer = new SignatureV4({
      credentials: A,
      region: "us-east-1",
      service: "ec2",
      sha256: NodeSha256,
      applyChecksum: false,
    });
  });
  afterAll(async () => {
    await server?.stop();
    data?.remove();
  });

  const send = async (
    body: string | Uint8Array,
    opts: { sign?: boolean; headers?: Record<string, string>; path?: string; method?: string } = {},
  ) => {
    const url = new URL(server.url);
    const path = opts.path ?? "/";
    let headers: Record<string, string> = {
      host: url.host,
      "content-type": "application/x-www-form-urlencoded; charset=utf-8",
      ...(opts.headers ?? {}),
    };
    if (opts.sign !== false) {
      const [pathname, query] = path.split("?", 2) as [string, string | undefined];
      const q: Record<string, string> = {};
      if (query)
        for (const kv of query.split("&"))
          q[decodeURIComponent(kv.split("=")[0]!)] = decodeURIComponent(kv.split("=")[1] ?? "");
      const signed = await signer.sign({
        method: opts.method ?? "POST",
        protocol: "http:",
        hostname: url.hostname,
        port: Number(url.port),
        path: pathname,
        query: q,
        headers,
        body,
      });
      headers = signed.headers as Record<string, string>;
    }
    const { host: _h, ...sendHeaders } = headers;
    // A deadline per request: an answer that never comes fails the test naming the request, rather
    // than hanging it until the test's own limit (fetch would wait 300 s for the headers).
    const res = await fetch(`${server.url}${path}`, {
      method: opts.method ?? "POST",
      headers: sendHeaders,
      signal: AbortSignal.timeout(REQUEST_DEADLINE_MS),
      ...(opts.method === "GET" ? {} : { body }),
    });
    return { status: res.status, text: await res.text(), requestId: res.headers.get("x-amzn-requestid") };
  };

  const checkAnswer = (
    r: { status: number; text: string; requestId: string | null },
    what: string,
    codes: Map<string, number>,
  ) => {
    expect(r.status, `${what}: ${r.text.slice(0, 300)}`).not.toBe(500);
    expect(r.status, what).toBeLessThan(500);
    expect(r.requestId, what).toMatch(/^[0-9a-f-]{36}$/);
    expect(r.text, what).not.toMatch(
      /\bat .*\.(ts|js):\d+|Error: |TypeError|RangeError|undefined is not|Cannot read prop/,
    );
    if (r.status === 200) {
      expect(r.text, what).toMatch(
        /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<\w+Response xmlns="http:\/\/ec2\.amazonaws\.com\/doc\/2016-11-15\/">/,
      );
      codes.set("(200)", (codes.get("(200)") ?? 0) + 1);
    } else {
      const m =
        /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<Response><Errors><Error><Code>([A-Za-z.]+)<\/Code><Message>[^<]*<\/Message><\/Error><\/Errors><RequestID>([0-9a-f-]{36})<\/RequestID><\/Response>$/s.exec(
          r.text,
        );
      expect(m, `${what}: not EC2 error XML: ${r.text.slice(0, 300)}`).not.toBeNull();
      expect(m![2]).toBe(r.requestId);
      codes.set(m![1]!, (codes.get(m![1]!) ?? 0) + 1);
    }
  };

  it("answers 3,000 signed malformed requests with EC2 errors and keeps serving", { timeout: 300_000 }, async () => {
    const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 1_000_000);
    const random = mulberry32(seed);
    console.log(`fuzz: seed ${seed} (set FUZZ_SEED to repeat)`);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
    const ids = [
      "ami-0123456789abcdef0",
      "i-0123456789abcdef0",
      "vol-0123456789abcdef0",
      "snap-0123456789abcdef0",
      "sg-0123456789abcdef0",
      "ami-",
      "i-xyz",
      "",
      "ami-0123456789ABCDEF0",
    ];
    const values = (): string => {
      switch (Math.floor(random() * 16)) {
        case 0:
          return "";
        case 1:
          return String(Math.floor(random() * 1e6) - 5e5);
        case 2:
          return "1e309";
        case 3:
          return "NaN";
        case 4:
          return "-1";
        case 5:
          return "99999999999999999999999";
        case 6:
          return pick(["true", "false", "TRUE", "yes", "0", "1"]);
        case 7:
          return "x".repeat(1 + Math.floor(random() * 200_000));
        case 8:
          return "é漢字🚀\u0000\u0001\uFFFF";
        case 9:
          return pick(ids);
        case 10:
          return "<script>&amp;</Code>]]>";
        case 11:
          return pick([
            "t3.micro",
            "us-east-1a",
            "eu-west-1",
            "al2023-ami-2023*",
            "all",
            "self",
            "amazon",
            "/dev/xvda",
            "ebs",
            "gp3",
          ]);
        case 12:
          return "2025-01-01T00:00:00Z";
        case 13:
          return Buffer.from(String(random())).toString("base64");
        case 14:
          return "%%%";
        default:
          return String(random());
      }
    };
    const enc = (s: string) => encodeURIComponent(s);
    const bodies: { body: string | Uint8Array; what: string }[] = [];
    const expectedCode = new Map<number, string>();
    for (let n = 0; n < 3000; n++) {
      const kind = Math.floor(random() * 10);
      if (kind === 0) {
        const action = pick([
          "",
          "Foo",
          "describeinstances",
          "DescribeInstances ",
          "Describe%20Instances",
          "X".repeat(5000),
          "__proto__",
          "constructor",
          "toString",
          "hasOwnProperty",
          "SshConnect",
          "GuestRun",
        ]);
        bodies.push({
          body: `Action=${enc(action)}&Version=2016-11-15`,
          what: `unknown action ${action.slice(0, 40)}`,
        });
      } else if (kind === 1) {
        bodies.push({ body: `Action=${pick(NOT_IN_CORE)}&Version=2016-11-15`, what: "model action core lacks" });
      } else if (kind === 2) {
        const raw = pick([
          "Action=DescribeInstances&Version=2016-11-15&InstanceId.1=%ZZ",
          "Action=DescribeImages&%",
          "Action=%E0%A4%A",
          "&&&&=&=",
          "=",
          "Action",
          "Action=DescribeImages&Filter.1.Name=name&Filter.1.Value.99999=x",
          "Action=DescribeImages&Filter.0.Name=x",
          "Action=DescribeImages&Filter.-1.Name=x",
          "Action=DescribeImages&Filter.1.1.1.Name=x",
          "Action=RunInstances&MinCount=1&MinCount=2&MaxCount=1&ImageId=ami-0123456789abcdef0",
          "Action=DescribeImages&Owner=self",
          "Action=DescribeImages&Owner.1.x=self",
          "Action=DescribeImages&Version=1999-01-01",
        ]);
        bodies.push({ body: raw, what: `broken encoding ${raw.slice(0, 60)}` });
      } else if (kind === 3) {
        // Invalid UTF-8 bytes, percent-encoded and raw.
        const bytes = Buffer.concat([
          Buffer.from("Action=CreateTags&Version=2016-11-15&ResourceId.1=i-0123456789abcdef0&Tag.1.Key="),
          Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0xa0, 0xa1]),
          Buffer.from("&Tag.1.Value=%C3%28%FF"),
        ]);
        bodies.push({ body: new Uint8Array(bytes), what: "invalid UTF-8" });
        expectedCode.set(bodies.length - 1, "MalformedQueryString");
      } else if (kind === 4) {
        const many = Array.from(
          { length: 1 + Math.floor(random() * 3000) },
          (_, i) => `InstanceId.${i + 1}=i-${String(i).padStart(17, "0")}`,
        ).join("&");
        bodies.push({
          body: `Action=${pick(["DescribeInstances", "TerminateInstances", "StopInstances"])}&Version=2016-11-15&${many}`,
          what: "many list items",
        });
      } else {
        const action = pick(ACTIONS);
        const params = CORE_ACTIONS[action]!;
        const parts = [`Action=${action}`, "Version=2016-11-15"];
        const count = Math.floor(random() * (params.length + 2));
        for (let i = 0; i < count; i++) {
          const key =
            random() < 0.1
              ? pick(["Bogus", "instanceId.1", "Filter.1.Nope", "Tag.1001.Key", "MinCount.1"])
              : pick(params);
          parts.push(`${enc(key)}=${enc(values())}`);
        }
        bodies.push({ body: parts.join("&"), what: `${action} with random params` });
      }
    }
    const codes = new Map<string, number>();
    let next = 0;
    const worker = async () => {
      while (next < bodies.length) {
        const i = next++;
        const { body, what } = bodies[i]!;
        const r = await send(body).catch((e: unknown) => {
          throw new Error(`request ${i} (${what}) got no answer: ${String(e)}; body: ${String(body).slice(0, 300)}`);
        });
        checkAnswer(r, what, codes);
        const want = expectedCode.get(i);
        if (want) expect(r.text, what).toContain(`<Code>${want}</Code>`);
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    console.log(
      `fuzz: ${bodies.length} signed requests, answers by code: ${JSON.stringify(Object.fromEntries([...codes].sort((x, y) => y[1] - x[1])))}`,
    );
    expect(codes.get("InvalidAction")).toBeGreaterThan(0);
    expect(codes.get("UnsupportedOperation")).toBeGreaterThan(0);
    expect(codes.has("InternalError")).toBe(false);
    expect(codes.has("AuthFailure"), "every fuzz request was correctly signed").toBe(false);
    // Still serving, still the same process.
    expect(server.proc.exitCode).toBeNull();
    const regions = await sdkClient(server.url, A).send(new DescribeRegionsCommand({}));
    expect(regions.Regions!.length).toBeGreaterThan(10);
    expect(server.output()).not.toMatch(/internal error/i);
  });

  it("answers unsigned, badly signed, wrong-method and wrong-path requests with EC2 errors", async () => {
    const codes = new Map<string, number>();
    const amzDate = new Date()
      .toISOString()
      .replace(/[-:]/g, "")
      .replace(/\.\d{3}/, "");
    const cases: [string, Promise<{ status: number; text: string; requestId: string | null }>, number, string][] = [
      [
        "unsigned",
        send("Action=DescribeRegions&Version=2016-11-15", { sign: false }),
        403,
        "MissingAuthenticationToken",
      ],
      [
        "garbage auth header",
        send("Action=DescribeRegions&Version=2016-11-15", {
          sign: false,
          headers: { authorization: "AWS4-HMAC-SHA256 garbage" },
        }),
        400,
        "IncompleteSignature",
      ],
      [
        "wrong key",
        send("Action=DescribeRegions&Version=2016-11-15", {
          sign: false,
          headers: {
            authorization: `AWS4-HMAC-SHA256 Credential=AKIANOPE/${amzDate.slice(0, 8)}/us-east-1/ec2/aws4_request, SignedHeaders=host;x-amz-date, Signature=${"0".repeat(64)}`,
            "x-amz-date": amzDate,
          },
        }),
        401,
        "AuthFailure",
      ],
      [
        "stale signature",
        send("Action=DescribeRegions&Version=2016-11-15", {
          sign: false,
          headers: {
            authorization: `AWS4-HMAC-SHA256 Credential=${A.accessKeyId}/20200101/us-east-1/ec2/aws4_request, SignedHeaders=host;x-amz-date, Signature=${"0".repeat(64)}`,
            "x-amz-date": "20200101T000000Z",
          },
        }),
        400,
        "RequestExpired",
      ],
      ["PUT", send("Action=DescribeRegions&Version=2016-11-15", { method: "PUT" }), 405, "InvalidHttpRequest"],
      ["unknown path", send("Action=DescribeRegions&Version=2016-11-15", { path: "/nope/here" }), 404, "InvalidAction"],
      [
        "unknown sandbox",
        send("Action=DescribeRegions&Version=2016-11-15", { path: "/sandbox/nope" }),
        404,
        "InvalidSandbox.NotFound",
      ],
    ];
    for (const [what, p, status, code] of cases) {
      const r = await p;
      expect(r.status, what).toBe(status);
      expect(r.text, what).toContain(`<Code>${code}</Code>`);
      checkAnswer(r, what, codes);
    }
    // A GET with the query in the URL works like EC2's GET form.
    const get = await send("", {
      method: "GET",
      path: "/?Action=DescribeRegions&Version=2016-11-15&RegionName.1=eu-west-1",
    });
    expect(get.status).toBe(200);
    expect(get.text).toContain("<regionName>eu-west-1</regionName>");
  });

  it("refuses an oversized body with 413 and survives non-HTTP garbage on the socket", async () => {
    const big = `Action=DescribeRegions&Version=2016-11-15&X=${"a".repeat(6 * 1024 * 1024)}`;
    const r = await fetch(`${server.url}/`, {
      method: "POST",
      body: big,
      headers: { "content-type": "application/x-www-form-urlencoded" },
    }).then(
      async (res) => ({ status: res.status, text: await res.text() }),
      () => ({ status: 413, text: "<Code>RequestEntityTooLarge</Code> (connection closed while sending)" }),
    );
    expect(r.status).toBe(413);
    expect(r.text).toContain("<Code>RequestEntityTooLarge</Code>");
    for (const junk of [
      "\x00\x01\x02\x03 garbage\r\n\r\n",
      "GET / HTTP/9.9\r\nbroken header line\r\n\r\n",
      `POST / HTTP/1.1\r\nContent-Length: -5\r\n\r\n`,
      "\r\n\r\n\r\n",
    ]) {
      const answer = await new Promise<string>((resolve) => {
        const port = new URL(server.url).port;
        const sock = connect(Number(port), "127.0.0.1", () => sock.end(junk));
        let out = "";
        sock.on("data", (c) => (out += c.toString()));
        sock.on("close", () => resolve(out));
        sock.on("error", () => resolve(out));
        sock.setTimeout(5_000, () => sock.destroy());
      });
      if (answer) expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    }
    const regions = await sdkClient(server.url, A).send(new DescribeRegionsCommand({ RegionNames: ["us-east-1"] }));
    expect(regions.Regions).toHaveLength(1);
    expect(server.proc.exitCode).toBeNull();
  });
});
