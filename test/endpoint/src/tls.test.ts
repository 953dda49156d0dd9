/**
 * TLS (`ec2sim serve --tls-cert FILE --tls-key FILE`, docs/SECURITY.md), served on loopback with a
 * throwaway self-signed certificate made by openssl at test time, driven by real clients that
 * trust it and only it: the AWS SDK v3 (an https agent given the certificate), the AWS CLI v2
 * (`--ca-bundle`), the admin API (node:https) and the WebSocket over wss (the protocol's client,
 * `ca`). A client that does not trust the certificate is refused, and plain HTTP gets no answer
 * from the TLS port.
 */
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { Agent, request } from "node:https";
import { join } from "node:path";
import { promisify } from "node:util";
import { DescribeInstancesCommand, DescribeRegionsCommand, EC2Client, RunInstancesCommand } from "@aws-sdk/client-ec2";
import { SandboxClient } from "@ec2sim/protocol";
import { newestAl2023, type ServerProcess, startServer, tempDir } from "@ec2sim/test-harness";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findAwsCliV2 } from "./harness.ts";
import { runAws } from "./warm-aws-cli.ts";

const run = promisify(execFile);

interface Account {
  accountId: string;
  accessKeyId: string;
  secretAccessKey: string;
}

describe("TLS: ec2sim serve --tls-cert/--tls-key on loopback", { timeout: 240_000 }, () => {
  const dir = tempDir("tls");
  const certFile = join(dir.dir, "cert.pem");
  const keyFile = join(dir.dir, "key.pem");
  let ca: Buffer;
  let server: ServerProcess;
  let accounts: Account[];

  /** The admin API over https, trusting the test's certificate: status and parsed JSON. */
  const adminTls = (method: string, path: string, body?: unknown) =>
    new Promise<{ status: number; json: any }>((resolve, reject) => {
      const req = request(
        `${server.url}/_ec2sim${path}`,
        {
          method,
          ca,
          headers: {
            authorization: `Bearer ${server.adminToken}`,
            ...(body === undefined ? {} : { "content-type": "application/json" }),
          },
        },
        (res) => {
          let text = "";
          res.on("data", (c: Buffer) => (text += c.toString()));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, json: text ? JSON.parse(text) : undefined }));
        },
      );
      req.on("error", reject);
      req.end(body === undefined ? undefined : JSON.stringify(body));
    });

  beforeAll(async () => {
    // A certificate for 127.0.0.1 (and localhost), valid one day, signing itself.
    await run("openssl", [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-keyout",
      keyFile,
      "-out",
      certFile,
      "-days",
      "1",
      "-subj",
      "/CN=ec2sim test",
      "-addext",
      "subjectAltName=IP:127.0.0.1,DNS:localhost",
    ]);
    ca = readFileSync(certFile);
    server = await startServer({
      extraArgs: ["--tls-cert", certFile, "--tls-key", keyFile],
      bannerUrl: /serving EC2 at (https:\/\/127\.0\.0\.1:\d+)/,
    });
    const info = await adminTls("GET", "/sandboxes/default");
    expect(info.status).toBe(200);
    accounts = info.json.accounts;
  });
  afterAll(async () => {
    await server?.stop();
    dir.remove();
  });

  it("the banner names an https URL; a client that does not trust the certificate is refused, plain HTTP gets no answer", async () => {
    expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const untrusted = await fetch(`${server.url}/_ec2sim/health`).catch(
      (e: Error & { cause?: { code?: string } }) => e,
    );
    expect(untrusted).toBeInstanceOf(Error);
    expect((untrusted as Error & { cause?: { code?: string } }).cause?.code).toBe("DEPTH_ZERO_SELF_SIGNED_CERT");
    const plain = await fetch(`${server.url.replace("https:", "http:")}/_ec2sim/health`).then(
      (r) => r.status,
      (e: Error) => e.message,
    );
    expect(plain).not.toBe(200);
    expect((await adminTls("GET", "/health")).json).toEqual({ ok: true });
  });

  it("the AWS SDK v3 with an https agent trusting the certificate: signed calls, a launch, a describe", async () => {
    const a = accounts[0]!;
    const ec2 = new EC2Client({
      endpoint: server.url,
      region: "us-east-1",
      credentials: { accessKeyId: a.accessKeyId, secretAccessKey: a.secretAccessKey },
      requestHandler: { httpsAgent: new Agent({ ca }) },
      maxAttempts: 1,
    });
    const regions = await ec2.send(new DescribeRegionsCommand({}));
    expect(regions.Regions!.map((r) => r.RegionName)).toContain("eu-west-1");
    const ImageId = (await newestAl2023(ec2)).ImageId!;
    const launched = await ec2.send(
      new RunInstancesCommand({
        ImageId,
        InstanceType: "t3.micro",
        MinCount: 1,
        MaxCount: 1,
        TagSpecifications: [{ ResourceType: "instance", Tags: [{ Key: "Name", Value: "over-tls" }] }],
      }),
    );
    const id = launched.Instances![0]!.InstanceId!;
    const described = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [id] }));
    expect(described.Reservations![0]!.Instances![0]!.Tags).toEqual([{ Key: "Name", Value: "over-tls" }]);
    ec2.destroy();
  });

  it("the AWS CLI v2 with --ca-bundle; without it the CLI refuses the certificate", async () => {
    const cli = await findAwsCliV2();
    if ("error" in cli) throw new Error(cli.error);
    const a = accounts[0]!;
    const env = {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: dir.dir,
      AWS_ACCESS_KEY_ID: a.accessKeyId,
      AWS_SECRET_ACCESS_KEY: a.secretAccessKey,
      AWS_DEFAULT_REGION: "us-east-1",
      AWS_MAX_ATTEMPTS: "1",
      AWS_PAGER: "",
    };
    const base = ["--endpoint-url", server.url, "ec2"];
    const ok = await runAws(
      cli.path,
      ["--ca-bundle", certFile, ...base, "describe-instances", "--filters", "Name=tag:Name,Values=over-tls"],
      env,
      120_000,
    );
    expect(ok.stderr).toBe("");
    expect(ok.code).toBe(0);
    const reservations = JSON.parse(ok.stdout).Reservations as { Instances: { Tags: unknown }[] }[];
    expect(reservations.flatMap((r) => r.Instances.map((i) => i.Tags))).toEqual([[{ Key: "Name", Value: "over-tls" }]]);
    const refused = await runAws(cli.path, [...base, "describe-regions"], env, 120_000);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/SSL|certificate/i);
  });

  it("the WebSocket over wss: an account signs in trusting the certificate, moves the clock and sees a change live", async () => {
    const a = accounts[0]!;
    const url = server.url.replace(/^https/, "wss");
    // Without the certificate the connection is refused.
    await expect(
      SandboxClient.connect({ url, accessKeyId: a.accessKeyId, secretAccessKey: a.secretAccessKey, reconnect: false }),
    ).rejects.toThrow(/self[- ]signed/i);
    const client = await SandboxClient.connect({
      url,
      accessKeyId: a.accessKeyId,
      secretAccessKey: a.secretAccessKey,
      reconnect: false,
      ca,
    });
    try {
      expect(client.accountId).toBe(a.accountId);
      const before = (await client.info()).now;
      const moved = await client.clock({ advance: "5m" });
      expect(moved.now).toBeGreaterThanOrEqual(before + 5 * 60_000);
      const seen: string[] = [];
      const stop = await client.subscribe((events) => {
        for (const e of events) seen.push(JSON.stringify(e));
      });
      const made = await adminTls("POST", "/sandboxes/default/call", {
        action: "CreateKeyPair",
        input: { KeyName: "over-wss", KeyType: "ed25519" },
      });
      expect(made.status).toBe(200);
      for (const end = Date.now() + 60_000; !seen.some((s) => s.includes("over-wss")); ) {
        if (Date.now() > end) throw new Error(`the key pair never reached the WebSocket: ${seen.slice(-3).join("\n")}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      stop();
    } finally {
      await client.close();
    }
  });
});
