/**
 * The real @aws-sdk/client-ec2 v3 drives the handler over HTTP: what the SDK sends must arrive in
 * dispatch as the SDK's own input shape, and what dispatch returns must come back out of the SDK.
 */
import {
  CreateTagsCommand,
  DescribeImagesCommand,
  EC2Client,
  type Image,
  ImportKeyPairCommand,
  type Instance,
  paginateDescribeInstances,
  RunInstancesCommand,
} from "@aws-sdk/client-ec2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { errors } from "../src/ec2-error.ts";
import { createQueryHandler, type QueryRequestContext } from "../src/index.ts";
import { type RunningEndpoint, recordingDispatch, serve, signedPost } from "./http-harness.ts";

const ALICE = { accessKeyId: "AKIAALICE0000000001", secretAccessKey: "alice-secret", accountId: "111122223333" };

const images: Image[] = [
  {
    ImageId: "ami-0f3c1e2d3c4b5a697",
    Name: "al2023-ami-2023.6.20241212.0-kernel-6.1-x86_64",
    CreationDate: "2024-12-12T05:03:52.000Z",
    DeprecationTime: "2025-03-12T05:03:52.000Z",
    Architecture: "x86_64",
    ImageType: "machine",
    Public: true,
    OwnerId: "137112412989",
    ImageOwnerAlias: "amazon",
    State: "available",
    RootDeviceType: "ebs",
    RootDeviceName: "/dev/xvda",
    VirtualizationType: "hvm",
    Hypervisor: "xen",
    EnaSupport: true,
    BlockDeviceMappings: [
      {
        DeviceName: "/dev/xvda",
        Ebs: {
          SnapshotId: "snap-0a1b2c3d4e5f60718",
          VolumeSize: 8,
          VolumeType: "gp3",
          DeleteOnTermination: true,
          Encrypted: false,
          Iops: 3000,
          Throughput: 125,
        },
      },
      { DeviceName: "/dev/sdb", VirtualName: "ephemeral0" },
    ],
    ProductCodes: [{ ProductCodeId: "aw0evgkw8e5c1q413zgy5pjce", ProductCodeType: "marketplace" }],
    Tags: [
      { Key: "Name", Value: "web <base> & \"friends\" 'quoted'" },
      { Key: "empty", Value: "" },
    ],
  },
];

const launchTime = new Date("2024-12-12T05:03:52.000Z");
const instance = (id: string): Instance => ({
  InstanceId: id,
  ImageId: "ami-0f3c1e2d3c4b5a697",
  InstanceType: "t3.micro",
  State: { Code: 16, Name: "running" },
  LaunchTime: launchTime,
  Placement: { AvailabilityZone: "us-east-1a", Tenancy: "default", GroupName: "" },
  SecurityGroups: [{ GroupId: "sg-0123456789abcdef0", GroupName: "default" }],
  PrivateIpAddress: "172.31.1.2",
  Tags: [{ Key: "Name", Value: id }],
  BlockDeviceMappings: [
    {
      DeviceName: "/dev/xvda",
      Ebs: { VolumeId: "vol-0123", Status: "attached", AttachTime: launchTime, DeleteOnTermination: true },
    },
  ],
  Monitoring: { State: "disabled" },
  EbsOptimized: false,
  AmiLaunchIndex: 0,
});

const allInstances = Array.from({ length: 5 }, (_, i) => instance(`i-000000000000000${i}`));

let endpoint: RunningEndpoint;
let client: EC2Client;
const { dispatch, calls } = recordingDispatch({
  DescribeImages: () => ({ Images: images }),
  RunInstances: (input) => ({
    ReservationId: "r-0123456789abcdef0",
    OwnerId: ALICE.accountId,
    Groups: [],
    Instances: [
      {
        ...instance("i-0aaaaaaaaaaaaaaaa"),
        State: { Code: 0, Name: "pending" },
        ClientToken: input.ClientToken as string,
      },
    ],
  }),
  ImportKeyPair: (input) => ({
    KeyName: input.KeyName,
    KeyFingerprint: "1f:51:ae:28:bf:89:e9:d8:1f:25:5d:37:2d:7d:b8:ca",
    KeyPairId: "key-0123456789abcdef0",
    Tags: [],
  }),
  CreateTags: () => undefined,
  DescribeInstances: (input) => {
    const start = input.NextToken ? Number(input.NextToken) : 0;
    const size = (input.MaxResults as number | undefined) ?? 1000;
    const page = allInstances.slice(start, start + size);
    const next = start + size < allInstances.length ? String(start + size) : undefined;
    return {
      Reservations: page.map((i, n) => ({ ReservationId: `r-${start + n}`, OwnerId: ALICE.accountId, Instances: [i] })),
      ...(next ? { NextToken: next } : {}),
    };
  },
  DescribeVolumes: (input) => {
    if (input.DryRun) throw errors.dryRun();
    return { Volumes: [] };
  },
  DescribeKeyPairs: () => {
    throw errors.amiNotFound("ami-12345678");
  },
  DescribeRegions: () => {
    throw new TypeError("cannot read properties of undefined (reading 'boom')");
  },
});

const lastCall = () => calls[calls.length - 1]!;

beforeAll(async () => {
  const handler = createQueryHandler({
    dispatch,
    credentials: (key) => (key === ALICE.accessKeyId ? ALICE : undefined),
    requestIdFactory: (() => {
      let n = 0;
      return () => `req-${++n}`;
    })(),
  });
  endpoint = await serve(handler);
  client = new EC2Client({
    endpoint: endpoint.endpoint,
    region: "eu-west-1",
    credentials: { accessKeyId: ALICE.accessKeyId, secretAccessKey: ALICE.secretAccessKey },
    maxAttempts: 1,
  });
});

afterAll(async () => {
  client?.destroy();
  await endpoint?.close();
});

describe("EC2 Query endpoint driven by the real @aws-sdk/client-ec2", () => {
  it("DescribeImages: owners and filters arrive as the SDK's input; images come back intact", async () => {
    const out = await client.send(
      new DescribeImagesCommand({
        Owners: ["self"],
        Filters: [
          { Name: "name", Values: ["al2023-ami-*"] },
          { Name: "architecture", Values: ["x86_64", "arm64"] },
        ],
      }),
    );
    expect(lastCall().action).toBe("DescribeImages");
    expect(lastCall().input).toEqual({
      Owners: ["self"],
      Filters: [
        { Name: "name", Values: ["al2023-ami-*"] },
        { Name: "architecture", Values: ["x86_64", "arm64"] },
      ],
    });
    expect(lastCall().context).toEqual<QueryRequestContext>({
      accountId: ALICE.accountId,
      region: "eu-west-1",
      accessKeyId: ALICE.accessKeyId,
      requestId: expect.stringMatching(/^req-\d+$/) as unknown as string,
    });
    expect(out.Images).toEqual(images);
    expect(out.$metadata.httpStatusCode).toBe(200);
    expect(out.$metadata.requestId).toBe(lastCall().context.requestId);
  });

  it("RunInstances: block devices, tag specifications, counts, user data and client token; instances parse back", async () => {
    const userData = Buffer.from("#!/bin/bash\necho hello > /tmp/hi\n").toString("base64");
    const out = await client.send(
      new RunInstancesCommand({
        ImageId: "ami-0f3c1e2d3c4b5a697",
        InstanceType: "t3.micro",
        MinCount: 1,
        MaxCount: 2,
        KeyName: "my-key",
        UserData: userData,
        ClientToken: "token-123",
        BlockDeviceMappings: [
          { DeviceName: "/dev/xvda", Ebs: { VolumeSize: 30, VolumeType: "gp3", DeleteOnTermination: true } },
          { DeviceName: "/dev/sdf", Ebs: { VolumeSize: 100, Encrypted: true } },
        ],
        TagSpecifications: [
          {
            ResourceType: "instance",
            Tags: [
              { Key: "Name", Value: "web-0" },
              { Key: "env", Value: "dev" },
            ],
          },
          { ResourceType: "volume", Tags: [{ Key: "Name", Value: "web-0-root" }] },
        ],
        SecurityGroupIds: ["sg-0123456789abcdef0"],
        Placement: { AvailabilityZone: "eu-west-1a" },
        DisableApiTermination: false,
      }),
    );
    expect(lastCall().input).toEqual({
      ImageId: "ami-0f3c1e2d3c4b5a697",
      InstanceType: "t3.micro",
      MinCount: 1,
      MaxCount: 2,
      KeyName: "my-key",
      UserData: userData,
      ClientToken: "token-123",
      BlockDeviceMappings: [
        { DeviceName: "/dev/xvda", Ebs: { VolumeSize: 30, VolumeType: "gp3", DeleteOnTermination: true } },
        { DeviceName: "/dev/sdf", Ebs: { VolumeSize: 100, Encrypted: true } },
      ],
      TagSpecifications: [
        {
          ResourceType: "instance",
          Tags: [
            { Key: "Name", Value: "web-0" },
            { Key: "env", Value: "dev" },
          ],
        },
        { ResourceType: "volume", Tags: [{ Key: "Name", Value: "web-0-root" }] },
      ],
      SecurityGroupIds: ["sg-0123456789abcdef0"],
      Placement: { AvailabilityZone: "eu-west-1a" },
      DisableApiTermination: false,
    });
    expect(out.ReservationId).toBe("r-0123456789abcdef0");
    const [launched] = out.Instances!;
    expect(launched!.State).toEqual({ Code: 0, Name: "pending" });
    expect(launched!.LaunchTime).toBeInstanceOf(Date);
    expect(launched!.LaunchTime!.toISOString()).toBe("2024-12-12T05:03:52.000Z");
    expect(launched!.SecurityGroups).toEqual([{ GroupId: "sg-0123456789abcdef0", GroupName: "default" }]);
    expect(launched!.Placement).toEqual({ AvailabilityZone: "us-east-1a", Tenancy: "default", GroupName: "" });
    expect(launched!.BlockDeviceMappings![0]!.Ebs!.AttachTime).toEqual(launchTime);
    expect(launched!.ClientToken).toBe("token-123");
    expect(out.Groups).toEqual([]);
  });

  it("RunInstances without a ClientToken: the SDK generates one and it arrives", async () => {
    await client.send(new RunInstancesCommand({ ImageId: "ami-1", MinCount: 1, MaxCount: 1 }));
    expect(lastCall().input.ClientToken).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("ImportKeyPair: the public key blob arrives as the same bytes", async () => {
    const material = new TextEncoder().encode("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIExample user@host\n");
    const out = await client.send(new ImportKeyPairCommand({ KeyName: "laptop", PublicKeyMaterial: material }));
    expect(lastCall().input.KeyName).toBe("laptop");
    expect(lastCall().input.PublicKeyMaterial).toBeInstanceOf(Uint8Array);
    expect(Buffer.from(lastCall().input.PublicKeyMaterial as Uint8Array).equals(Buffer.from(material))).toBe(true);
    expect(out.KeyPairId).toBe("key-0123456789abcdef0");
    expect(out.KeyFingerprint).toBe("1f:51:ae:28:bf:89:e9:d8:1f:25:5d:37:2d:7d:b8:ca");
  });

  it("CreateTags: resources and tags arrive; an empty result is fine for the SDK", async () => {
    const out = await client.send(
      new CreateTagsCommand({ Resources: ["i-1", "ami-2"], Tags: [{ Key: "team", Value: "a&b" }, { Key: "x" }] }),
    );
    expect(lastCall().input).toEqual({
      Resources: ["i-1", "ami-2"],
      Tags: [{ Key: "team", Value: "a&b" }, { Key: "x" }],
    });
    expect(out.$metadata.httpStatusCode).toBe(200);
  });

  it("an Ec2Error thrown by dispatch reaches the SDK with its code, message and status 400", async () => {
    const { DescribeKeyPairsCommand } = await import("@aws-sdk/client-ec2");
    const err = await client.send(new DescribeKeyPairsCommand({})).catch((e: unknown) => e);
    expect(err).toMatchObject({
      name: "InvalidAMIID.NotFound",
      message: "The image id '[ami-12345678]' does not exist",
      $metadata: { httpStatusCode: 400 },
    });
  });

  it("DryRun passes through to dispatch; DryRunOperation answers 412", async () => {
    const { DescribeVolumesCommand } = await import("@aws-sdk/client-ec2");
    const err = await client.send(new DescribeVolumesCommand({ DryRun: true })).catch((e: unknown) => e);
    expect(lastCall().input).toEqual({ DryRun: true });
    expect(err).toMatchObject({
      name: "DryRunOperation",
      message: "Request would have succeeded, but DryRun flag is set.",
      $metadata: { httpStatusCode: 412 },
    });
  });

  it("an unexpected exception in dispatch is InternalError 500, without a stack trace", async () => {
    const { DescribeRegionsCommand } = await import("@aws-sdk/client-ec2");
    const err = (await client.send(new DescribeRegionsCommand({})).catch((e: unknown) => e)) as Record<string, unknown>;
    expect(err).toMatchObject({
      name: "InternalError",
      message: "An internal error has occurred",
      $metadata: { httpStatusCode: 500 },
    });
    expect(JSON.stringify(err)).not.toContain("boom");
  });

  it("a wrong secret is AuthFailure 401", async () => {
    const intruder = new EC2Client({
      endpoint: endpoint.endpoint,
      region: "us-east-1",
      credentials: { accessKeyId: ALICE.accessKeyId, secretAccessKey: "not-alice-secret" },
      maxAttempts: 1,
    });
    const before = calls.length;
    const err = await intruder.send(new DescribeImagesCommand({})).catch((e: unknown) => e);
    intruder.destroy();
    expect(err).toMatchObject({
      name: "AuthFailure",
      message: "AWS was not able to validate the provided access credentials",
      $metadata: { httpStatusCode: 401 },
    });
    expect(calls.length).toBe(before);
  });

  it("an unknown access key is AuthFailure too", async () => {
    const stranger = new EC2Client({
      endpoint: endpoint.endpoint,
      region: "us-east-1",
      credentials: { accessKeyId: "AKIASTRANGER", secretAccessKey: "x" },
      maxAttempts: 1,
    });
    const err = await stranger.send(new DescribeImagesCommand({})).catch((e: unknown) => e);
    stranger.destroy();
    expect(err).toMatchObject({ name: "AuthFailure", $metadata: { httpStatusCode: 401 } });
  });

  it("an action the model does not know is InvalidAction, over a correctly signed request", async () => {
    const req = await signedPost(endpoint.endpoint, "Action=LaunchRocket&Version=2016-11-15", ALICE);
    const res = await fetch(endpoint.endpoint + req.path, { method: "POST", headers: req.headers, body: req.body });
    const body = await res.text();
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toBe("text/xml;charset=UTF-8");
    expect(res.headers.get("x-amzn-requestid")).toMatch(/^req-\d+$/);
    expect(body).toContain("<Code>InvalidAction</Code>");
    expect(body).toContain("<Message>The action LaunchRocket is not valid for this web service.</Message>");
    expect(body).toContain(`<RequestID>${res.headers.get("x-amzn-requestid")}</RequestID>`);
  });

  it("paginateDescribeInstances walks every page through NextToken", async () => {
    const seen: string[] = [];
    let pages = 0;
    for await (const page of paginateDescribeInstances({ client, pageSize: 2 }, {})) {
      pages++;
      for (const r of page.Reservations ?? []) for (const i of r.Instances ?? []) seen.push(i.InstanceId!);
    }
    expect(pages).toBe(3);
    expect(seen).toEqual(allInstances.map((i) => i.InstanceId));
    const describeCalls = calls.filter((c) => c.action === "DescribeInstances").map((c) => c.input);
    expect(describeCalls.slice(-3)).toEqual([
      { MaxResults: 2 },
      { MaxResults: 2, NextToken: "2" },
      { MaxResults: 2, NextToken: "4" },
    ]);
  });
});
