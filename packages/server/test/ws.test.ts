/**
 * The WebSocket protocol end to end: a real server (memory store, port 0) and real `ws` clients.
 */

import { PROTOCOL_VERSION, ProtocolError, SandboxClient, signChallenge, type WireEnvelope } from "@ec2sim/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { type AccountInfo, type RunningSandboxServer, startServer } from "../src/index.ts";

let server: RunningSandboxServer;
let a: AccountInfo;
let b: AccountInfo;
let ami: string;
const clients: SandboxClient[] = [];

async function connect(
  account: AccountInfo = a,
  extra: Partial<Parameters<typeof SandboxClient.connect>[0]> = {},
): Promise<SandboxClient> {
  const c = await SandboxClient.connect({
    url: server.url,
    accessKeyId: account.accessKeyId,
    secretAccessKey: account.secretAccessKey,
    ...extra,
  });
  clients.push(c);
  return c;
}

/** Collects a subscription's events; `until` waits for a predicate over everything seen. */
function collector() {
  const seen: WireEnvelope[] = [];
  const waiters: { pred: (e: WireEnvelope[]) => boolean; resolve: () => void }[] = [];
  return {
    seen,
    handler: (events: readonly WireEnvelope[]) => {
      seen.push(...events);
      for (const w of [...waiters]) if (w.pred(seen)) w.resolve();
    },
    until(pred: (e: WireEnvelope[]) => boolean, ms = 5_000): Promise<void> {
      if (pred(seen)) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`timed out; saw ${seen.map((e) => e.event.type).join(", ")}`)), ms);
        waiters.push({ pred, resolve: () => (clearTimeout(t), resolve()) });
      });
    },
  };
}

const launchedIds = (events: WireEnvelope[]) =>
  events
    .filter((e) => e.event.type === "InstancesLaunched")
    .flatMap((e) => (e.event as unknown as { instances: { instanceId: string }[] }).instances.map((i) => i.instanceId));

const runOne = (c: SandboxClient, extra: Record<string, unknown> = {}) =>
  c
    .call<{ Instances: { InstanceId: string }[] }>("RunInstances", {
      ImageId: ami,
      InstanceType: "t3.micro",
      MinCount: 1,
      MaxCount: 1,
      ...extra,
    })
    .then((r) => r.Instances[0]!.InstanceId);

/** A raw socket that has answered the challenge (or not), for malformed-message tests. */
async function rawSocket(hello = true): Promise<{ ws: WebSocket; next(): Promise<any> }> {
  const ws = new WebSocket(`${server.url.replace("http", "ws")}/_ec2sim/ws`);
  const inbox: any[] = [];
  const waiting: ((m: any) => void)[] = [];
  ws.on("message", (d) => {
    const m = JSON.parse(d.toString());
    const w = waiting.shift();
    if (w) w(m);
    else inbox.push(m);
  });
  const next = () => (inbox.length ? Promise.resolve(inbox.shift()) : new Promise<any>((r) => waiting.push(r)));
  const challenge = await next();
  expect(challenge).toMatchObject({ type: "challenge", protocol: PROTOCOL_VERSION });
  if (hello) {
    ws.send(
      JSON.stringify({
        type: "hello",
        protocol: PROTOCOL_VERSION,
        sandbox: "default",
        accessKeyId: a.accessKeyId,
        signature: signChallenge(a.secretAccessKey, challenge.nonce, "default", a.accessKeyId),
      }),
    );
    expect(await next()).toMatchObject({ type: "welcome", accountId: a.accountId });
  }
  return { ws, next };
}

beforeAll(async () => {
  server = await startServer({ store: "memory", port: 0, speed: 100, tickMs: 50, log: () => undefined });
  [a, b] = server.sandboxes[0]!.accounts as [AccountInfo, AccountInfo];
  const c = await connect();
  const { Images } = await c.call("DescribeImages", {
    Owners: ["amazon"],
    Filters: [{ Name: "name", Values: ["al2023-ami-2023*-x86_64"] }],
  });
  ami = Images[0].ImageId;
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await server.close();
});

describe("requests and responses", () => {
  it("matches answers to requests by id, concurrently", async () => {
    const c = await connect();
    const [images, regions, cost] = await Promise.all([
      c.call("DescribeImages", { ImageIds: [ami] }),
      c.call("DescribeRegions", {}),
      c.cost(),
    ]);
    expect(images.Images[0].ImageId).toBe(ami);
    expect(regions.Regions.length).toBeGreaterThan(3);
    expect(cost).toHaveProperty("total");
  });

  it("answers a failed action with EC2's code and message", async () => {
    const c = await connect();
    const err = await c
      .call("RunInstances", { ImageId: "ami-0123456789abcdef0", InstanceType: "t3.micro", MinCount: 1, MaxCount: 1 })
      .catch((e) => e);
    expect(err).toBeInstanceOf(ProtocolError);
    expect(err.code).toBe("InvalidAMIID.NotFound");
    expect(err.message).toMatch(/ami-0123456789abcdef0/);
    const unknown = await c.call("FlyToTheMoon", {}).catch((e) => e);
    expect(unknown.code).toBe("InvalidAction");
    // An EC2 action the sandbox leaves out: the endpoint's answer, naming the feature (the REPL's `ec2 …`).
    const peering = await c.call("CreateVpcPeeringConnection", { VpcId: "vpc-1" }).catch((e) => e);
    expect(peering.code).toBe("UnsupportedOperation");
    expect(peering.message).toBe(
      "The action CreateVpcPeeringConnection is not supported by this sandbox: ec2sim does not simulate VPC peering " +
        "(docs/NETWORKING.md lists what it leaves out)",
    );
  });

  it("moves the clock: advance, speed, pause", async () => {
    const c = await connect();
    const before = await c.info();
    const paused = await c.clock({ paused: true });
    expect(paused.paused).toBe(true);
    const advanced = await c.clock({ advance: "5m" });
    expect(advanced.now).toBeGreaterThanOrEqual(before.now + 300_000);
    const bad = await c.clock({ advance: "soon" }).catch((e) => e);
    expect(bad.code).toBe("InvalidParameterValue");
    const resumed = await c.clock({ paused: false, speed: 100 });
    expect(resumed).toMatchObject({ paused: false, speed: 100 });
  });

  it("runs describe calls through core's account checks: B does not see A's instance", async () => {
    const ca = await connect(a);
    const cb = await connect(b);
    const id = await runOne(ca);
    const seenByB = await cb.call("DescribeInstances", { InstanceIds: [id] }).catch((e) => e);
    expect(seenByB.code).toBe("InvalidInstanceID.NotFound");
  });
});

describe("subscriptions", () => {
  it("streams domain events with seq and time", async () => {
    const c = await connect();
    const col = collector();
    await c.subscribe(col.handler);
    const id = await runOne(c);
    await col.until((e) => launchedIds(e).includes(id));
    // the clock ticker moves it to running, and that transition is streamed too
    await col.until(
      (e) =>
        e.some(
          (x) =>
            x.event.type === "InstanceStateChanged" &&
            (x.event as any).instanceId === id &&
            (x.event as any).state === "running",
        ),
      10_000,
    );
    const seqs = col.seen.map((e) => e.seq);
    expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
    expect(new Set(seqs).size).toBe(seqs.length);
  });

  it("two clients see each other's changes live", async () => {
    const c1 = await connect();
    const c2 = await connect();
    const col1 = collector();
    const col2 = collector();
    await c1.subscribe(col1.handler);
    await c2.subscribe(col2.handler);
    const fromC1 = await runOne(c1);
    const fromC2 = await runOne(c2);
    await col2.until((e) => launchedIds(e).includes(fromC1));
    await col1.until((e) => launchedIds(e).includes(fromC2));
  });

  it("streams changes made outside the WebSocket (the EC2 endpoint's path through the host)", async () => {
    const c = await connect();
    const col = collector();
    await c.subscribe(col.handler);
    const out = await server.host.call<{ Instances: { InstanceId: string }[] }>(
      "default",
      { accountId: a.accountId, region: "us-east-1" },
      "RunInstances",
      { ImageId: ami, InstanceType: "t3.nano", MinCount: 1, MaxCount: 1 },
    );
    await col.until((e) => launchedIds(e).includes(out.Instances[0]!.InstanceId));
  });

  it("shows an account only its own resources, and never a secret key", async () => {
    const cb = await connect(b);
    const colB = collector();
    await cb.subscribe(colB.handler, { since: 0 });
    const ca = await connect(a);
    const idA = await runOne(ca);
    const idB = await runOne(cb);
    await colB.until((e) => launchedIds(e).includes(idB));
    expect(launchedIds(colB.seen)).not.toContain(idA);
    const accounts = colB.seen.filter((e) => e.event.type === "AccountCreated");
    expect(accounts.map((e) => (e.event as any).accountId)).toEqual([b.accountId]);
    expect(JSON.stringify(colB.seen)).not.toContain(b.secretAccessKey);
    expect(JSON.stringify(colB.seen)).not.toContain(a.secretAccessKey);
    expect(colB.seen.some((e) => e.event.type === "ClockChanged")).toBe(true);
  });

  it("IAM changes reach only their account; a role session's secret key and token never travel", async () => {
    const trust = (account: string) =>
      JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: "sts:AssumeRole" }],
      });
    const ca = await connect(a);
    const cb = await connect(b);
    const colA = collector();
    const colB = collector();
    await ca.subscribe(colA.handler);
    await cb.subscribe(colB.handler);
    await ca.call("iam:CreateRole", { RoleName: "ws-a-only", AssumeRolePolicyDocument: trust(a.accountId) });
    const role = await cb.call<{ Role: { Arn: string } }>("iam:CreateRole", {
      RoleName: "ws-deployer",
      AssumeRolePolicyDocument: trust(a.accountId),
    });
    const { Credentials } = await ca.call<{
      Credentials: { AccessKeyId: string; SecretAccessKey: string; SessionToken: string };
    }>("sts:AssumeRole", { RoleArn: role.Role.Arn, RoleSessionName: "ws-session" });
    const assumed = (e: WireEnvelope[]) => e.some((x) => x.event.type === "StsRoleAssumed");
    await colA.until(assumed);
    await colB.until(assumed);
    const roles = (seen: WireEnvelope[]) =>
      seen.filter((e) => e.event.type === "IamRoleCreated").map((e) => (e.event as any).roleName);
    expect(roles(colA.seen)).toEqual(["ws-a-only"]);
    expect(roles(colB.seen)).toEqual(["ws-deployer"]);
    for (const seen of [colA.seen, colB.seen]) {
      const text = JSON.stringify(seen);
      expect(text).toContain(Credentials.AccessKeyId);
      expect(text).not.toContain(Credentials.SecretAccessKey);
      expect(text).not.toContain(Credentials.SessionToken);
    }
  });

  it("SSM parameters reach only their account; a SecureString's value never travels", async () => {
    const ca = await connect(a);
    const cb = await connect(b);
    const colA = collector();
    const colB = collector();
    await ca.subscribe(colA.handler);
    await cb.subscribe(colB.handler);
    await ca.call("ssm:PutParameter", { Name: "/ws/plain", Value: "plain-value-1", Type: "String" });
    await ca.call("ssm:PutParameter", { Name: "/ws/secret", Value: "secret-value-2", Type: "SecureString" });
    const put = (name: string) => (e: WireEnvelope[]) =>
      e.some((x) => x.event.type === "SsmParameterPut" && (x.event as any).name === name);
    await colA.until(put("/ws/secret"));
    const text = JSON.stringify(colA.seen);
    expect(text).toContain("plain-value-1");
    expect(text).not.toContain("secret-value-2");
    await cb.call("ssm:PutParameter", { Name: "/ws/b", Value: "b", Type: "String" });
    await colB.until(put("/ws/b"));
    expect(colB.seen.some((x) => x.event.type === "SsmParameterPut" && (x.event as any).name === "/ws/plain")).toBe(
      false,
    );
  });

  it("routes networking events (VPCs, subnets, …) to the account that owns them only", async () => {
    const ca = await connect(a);
    const cb = await connect(b);
    const colA = collector();
    const colB = collector();
    await ca.subscribe(colA.handler, { since: 0 });
    await cb.subscribe(colB.handler, { since: 0 });
    const vpcA = (await ca.call<{ Vpc: { VpcId: string } }>("CreateVpc", { CidrBlock: "10.40.0.0/16" })).Vpc.VpcId;
    const subnetA = (
      await ca.call<{ Subnet: { SubnetId: string } }>("CreateSubnet", { VpcId: vpcA, CidrBlock: "10.40.1.0/24" })
    ).Subnet.SubnetId;
    await ca.call("ModifySubnetAttribute", { SubnetId: subnetA, MapPublicIpOnLaunch: { Value: true } });
    await ca.call("ModifyVpcAttribute", { VpcId: vpcA, EnableDnsHostnames: { Value: true } });
    const igwA = (await ca.call<{ InternetGateway: { InternetGatewayId: string } }>("CreateInternetGateway", {}))
      .InternetGateway.InternetGatewayId;
    await ca.call("AttachInternetGateway", { InternetGatewayId: igwA, VpcId: vpcA });
    const rtbA = (await ca.call<{ RouteTable: { RouteTableId: string } }>("CreateRouteTable", { VpcId: vpcA }))
      .RouteTable.RouteTableId;
    await ca.call("CreateRoute", { RouteTableId: rtbA, DestinationCidrBlock: "0.0.0.0/0", GatewayId: igwA });
    const assoc = (
      await ca.call<{ AssociationId: string }>("AssociateRouteTable", { RouteTableId: rtbA, SubnetId: subnetA })
    ).AssociationId;
    const eniA = (
      await ca.call<{ NetworkInterface: { NetworkInterfaceId: string } }>("CreateNetworkInterface", {
        SubnetId: subnetA,
      })
    ).NetworkInterface.NetworkInterfaceId;
    await ca.call("AssignPrivateIpAddresses", { NetworkInterfaceId: eniA, SecondaryPrivateIpAddressCount: 1 });
    await ca.call("ModifyNetworkInterfaceAttribute", { NetworkInterfaceId: eniA, SourceDestCheck: { Value: false } });
    await ca.call("DeleteNetworkInterface", { NetworkInterfaceId: eniA });
    const natA = (
      await ca.call<{ NatGateway: { NatGatewayId: string } }>("CreateNatGateway", {
        SubnetId: subnetA,
        ConnectivityType: "private",
      })
    ).NatGateway.NatGatewayId;
    await ca.call("DeleteNatGateway", { NatGatewayId: natA });
    await ca.clock({ advance: "5m" });
    const ltA = (
      await ca.call<{ LaunchTemplate: { LaunchTemplateId: string } }>("CreateLaunchTemplate", {
        LaunchTemplateName: "ws-template",
        LaunchTemplateData: { InstanceType: "t3.micro" },
      })
    ).LaunchTemplate.LaunchTemplateId;
    await ca.call("CreateLaunchTemplateVersion", {
      LaunchTemplateId: ltA,
      LaunchTemplateData: { InstanceType: "t3.small" },
    });
    await ca.call("ModifyLaunchTemplate", { LaunchTemplateId: ltA, DefaultVersion: "2" });
    await ca.call("DeleteLaunchTemplate", { LaunchTemplateId: ltA });
    await ca.call("DisassociateRouteTable", { AssociationId: assoc });
    await ca.call("DeleteRouteTable", { RouteTableId: rtbA });
    await ca.call("DetachInternetGateway", { InternetGatewayId: igwA, VpcId: vpcA });
    await ca.call("DeleteInternetGateway", { InternetGatewayId: igwA });
    await ca.call("DeleteSubnet", { SubnetId: subnetA });
    await ca.call("DeleteVpc", { VpcId: vpcA });
    const vpcB = (await cb.call<{ Vpc: { VpcId: string } }>("CreateVpc", { CidrBlock: "10.41.0.0/16" })).Vpc.VpcId;
    const mentions = (events: WireEnvelope[], id: string) => events.filter((e) => JSON.stringify(e.event).includes(id));
    await colA.until((e) => e.some((x) => x.event.type === "VpcDeleted"));
    await colB.until((e) => mentions(e, vpcB).length > 0);
    expect(mentions(colA.seen, vpcA).map((e) => e.event.type)).toEqual([
      "VpcCreated",
      "SubnetCreated",
      "VpcAttributeChanged",
      "InternetGatewayAttached",
      "RouteTableCreated",
      "NetworkInterfaceCreated",
      "NatGatewayCreated",
      "InternetGatewayDetached",
      "VpcDeleted",
    ]);
    expect(mentions(colA.seen, rtbA).map((e) => e.event.type)).toEqual([
      "RouteTableCreated",
      "RouteCreated",
      "RouteTableAssociated",
      "RouteTableDisassociated",
      "RouteTableDeleted",
    ]);
    expect(mentions(colA.seen, igwA)).toHaveLength(5);
    expect(mentions(colA.seen, eniA).map((e) => e.event.type)).toEqual([
      "NetworkInterfaceCreated",
      "PrivateIpAddressesAssigned",
      "NetworkInterfaceAttributeChanged",
      "NetworkInterfaceDeleted",
    ]);
    await colA.until((e) => mentions(e, natA).some((x) => (x.event as any).state === "deleted"));
    expect(mentions(colA.seen, natA).map((e) => e.event.type)).toEqual([
      "NatGatewayCreated",
      "NatGatewayStateChanged",
      "NatGatewayStateChanged",
    ]);
    await colA.until((e) => mentions(e, ltA).some((x) => x.event.type === "LaunchTemplateDeleted"));
    expect(mentions(colA.seen, ltA).map((e) => e.event.type)).toEqual([
      "LaunchTemplateCreated",
      "LaunchTemplateVersionCreated",
      "LaunchTemplateModified",
      "LaunchTemplateDeleted",
    ]);
    for (const id of [igwA, rtbA, eniA, natA, ltA]) expect(mentions(colB.seen, id)).toEqual([]);
    expect(mentions(colA.seen, subnetA).map((e) => e.event.type)).toEqual([
      "SubnetCreated",
      "SubnetAttributeChanged",
      "RouteTableAssociated",
      "NetworkInterfaceCreated",
      "NatGatewayCreated",
      "SubnetDeleted",
    ]);
    expect(mentions(colB.seen, vpcA)).toEqual([]);
    expect(mentions(colB.seen, subnetA)).toEqual([]);
    expect(mentions(colA.seen, vpcB)).toEqual([]);
  });

  it("resumes after a reconnect from the last seq seen: nothing lost, nothing twice", async () => {
    const watcher = await connect();
    const writer = await connect();
    const col = collector();
    await watcher.subscribe(col.handler);
    const before = await runOne(writer);
    await col.until((e) => launchedIds(e).includes(before));
    const reconnected = new Promise<void>((resolve) => watcher.onState((s) => s === "open" && resolve()));
    watcher.dropConnection();
    // launched while the watcher is away
    const missed = [await runOne(writer), await runOne(writer)];
    await reconnected;
    const after = await runOne(writer);
    await col.until((e) => [...missed, after].every((id) => launchedIds(e).includes(id)));
    const seqs = col.seen.map((e) => e.seq);
    expect(new Set(seqs).size).toBe(seqs.length);
    expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
  });

  it("a new client resumes from a seq (since) and gets the backlog first", async () => {
    const writer = await connect();
    const { lastSeq } = await writer.info();
    const id = await runOne(writer);
    const late = await connect();
    const col = collector();
    await late.subscribe(col.handler, { since: lastSeq });
    await col.until((e) => launchedIds(e).includes(id));
    expect(col.seen[0]!.seq).toBeGreaterThan(lastSeq);
  });
});

describe("the edge: invalid messages, versions, authentication", () => {
  it("answers a frame that is not JSON with a clear error and keeps the connection", async () => {
    const { ws, next } = await rawSocket();
    ws.send("this is not json");
    expect(await next()).toEqual({
      type: "error",
      error: { code: "MalformedMessage", message: expect.stringMatching(/not valid JSON/) },
    });
    ws.send(JSON.stringify({ type: "request", id: 7, method: "call", params: { input: {} } }));
    const bad = await next();
    expect(bad).toMatchObject({ type: "error", id: 7, error: { code: "InvalidMessage" } });
    expect(bad.error.message).toMatch(/action/);
    ws.send(JSON.stringify({ type: "request", id: 8, method: "teleport", params: {} }));
    expect(await next()).toMatchObject({
      type: "error",
      id: 8,
      error: { code: "InvalidMethod", message: expect.stringMatching(/call, clock/) },
    });
    ws.send(JSON.stringify({ type: "request", id: 9, method: "call", params: { action: "DescribeRegions" } }));
    expect(await next()).toMatchObject({ type: "result", id: 9 });
    ws.close();
  });

  it("refuses requests before hello", async () => {
    const { ws, next } = await rawSocket(false);
    ws.send(JSON.stringify({ type: "request", id: 1, method: "info", params: {} }));
    expect(await next()).toMatchObject({ type: "error", id: 1, error: { code: "AuthRequired" } });
    ws.close();
  });

  it("tells an old client, and a too-new one, what to upgrade", async () => {
    const old = await connect(a, { protocol: PROTOCOL_VERSION - 1 }).catch((e) => e);
    expect(old).toBeInstanceOf(ProtocolError);
    expect(old.code).toBe("ProtocolVersionMismatch");
    expect(old.message).toMatch(
      new RegExp(`server speaks protocol version ${PROTOCOL_VERSION}.*older.*Upgrade the client`),
    );
    const newer = await connect(a, { protocol: PROTOCOL_VERSION + 1 }).catch((e) => e);
    expect(newer.code).toBe("ProtocolVersionMismatch");
    expect(newer.message).toMatch(/newer.*Upgrade the server/);
  });

  it("refuses a wrong secret (the secret itself never travels) and an unknown sandbox", async () => {
    const wrong = await connect({ ...a, secretAccessKey: "not-the-secret" }).catch((e) => e);
    expect(wrong.code).toBe("AuthFailure");
    const nowhere = await connect(a, { sandbox: "no-such-sandbox" }).catch((e) => e);
    expect(nowhere.code).toBe("InvalidSandbox.NotFound");
  });
});
