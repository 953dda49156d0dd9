import { describe, expect, it } from "vitest";
import { sdkSigner } from "../test/http-harness.ts";
import { prng } from "../test/random-values.ts";
import { errors } from "./ec2-error.ts";
import { createQueryHandler, type QueryDispatch, type QueryRequestContext } from "./query-handler.ts";
import type { HttpRequestLike } from "./sigv4.ts";

const alice = { accessKeyId: "AKIAALICE", secretAccessKey: "alice-secret", accountId: "111122223333" };
const credentials = (key: string) => (key === alice.accessKeyId ? alice : undefined);
const NOW = new Date("2024-12-12T05:03:52Z");

const recorder = () => {
  const calls: Array<{ action: string; input: Record<string, unknown>; context: QueryRequestContext }> = [];
  const dispatch: QueryDispatch = (action, input, context) => {
    calls.push({ action, input, context });
    return {
      Regions: [
        { RegionName: "eu-west-1", Endpoint: "ec2.eu-west-1.amazonaws.com", OptInStatus: "opt-in-not-required" },
      ],
    };
  };
  return { calls, dispatch };
};

const ERROR_BODY =
  /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<Response><Errors><Error><Code>[A-Za-z.]+<\/Code><Message>[^<]*<\/Message><\/Error><\/Errors><RequestID>[^<]+<\/RequestID><\/Response>$/;

describe("createQueryHandler", () => {
  it("answers a signed POST with the action's XML, x-amzn-requestid and EC2's content type", async () => {
    const { calls, dispatch } = recorder();
    const handler = createQueryHandler({ dispatch, credentials, now: () => NOW, requestIdFactory: () => "rid-1" });
    const body = "Action=DescribeRegions&Version=2016-11-15&RegionName.1=eu-west-1";
    const signed = await sdkSigner(alice, "eu-west-1").sign(
      { method: "POST", protocol: "http:", hostname: "h", path: "/", query: {}, headers: { host: "h" }, body },
      { signingDate: NOW },
    );
    const res = await handler({ method: "POST", path: "/", headers: signed.headers as Record<string, string>, body });
    expect(res.status).toBe(200);
    expect(res.headers).toMatchObject({ "content-type": "text/xml;charset=UTF-8", "x-amzn-requestid": "rid-1" });
    expect(res.body).toBe(
      '<?xml version="1.0" encoding="UTF-8"?>\n<DescribeRegionsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>rid-1</requestId><regionInfo><item><optInStatus>opt-in-not-required</optInStatus><regionName>eu-west-1</regionName><regionEndpoint>ec2.eu-west-1.amazonaws.com</regionEndpoint></item></regionInfo></DescribeRegionsResponse>',
    );
    expect(calls).toEqual([
      {
        action: "DescribeRegions",
        input: { RegionNames: ["eu-west-1"] },
        context: {
          accountId: alice.accountId,
          region: "eu-west-1",
          accessKeyId: alice.accessKeyId,
          requestId: "rid-1",
        },
      },
    ]);
  });

  it("accepts GET with the parameters in the query string, signed in the header or presigned", async () => {
    const { calls, dispatch } = recorder();
    const handler = createQueryHandler({ dispatch, credentials, now: () => NOW });
    const query = {
      Action: "DescribeRegions",
      Version: "2016-11-15",
      "Filter.1.Name": "region-name",
      "Filter.1.Value.1": "eu-*",
    };
    const base = { method: "GET", protocol: "http:", hostname: "h", path: "/", query, headers: { host: "h" } };
    const toPath = (q: Record<string, unknown>) =>
      "/?" +
      Object.entries(q)
        .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
        .join("&");

    const signed = await sdkSigner(alice).sign(base, { signingDate: NOW });
    const viaHeader = await handler({
      method: "GET",
      path: toPath(query),
      headers: signed.headers as Record<string, string>,
      body: "",
    });
    expect(viaHeader.status).toBe(200);

    const presigned = await sdkSigner(alice, "ca-central-1").presign(base, { signingDate: NOW, expiresIn: 60 });
    const viaQuery = await handler({
      method: "GET",
      path: toPath(presigned.query ?? {}),
      headers: { host: "h" },
      body: "",
    });
    expect(viaQuery.status).toBe(200);
    expect(calls.map((c) => [c.input, c.context.region])).toEqual([
      [{ Filters: [{ Name: "region-name", Values: ["eu-*"] }] }, "us-east-1"],
      [{ Filters: [{ Name: "region-name", Values: ["eu-*"] }] }, "ca-central-1"],
    ]);
  });

  it("refuses unsigned requests unless told to accept any signature", async () => {
    const { dispatch } = recorder();
    const strict = createQueryHandler({ dispatch, credentials, now: () => NOW });
    const res = await strict({ method: "POST", path: "/", headers: {}, body: "Action=DescribeRegions" });
    expect(res.status).toBe(403);
    expect(res.body).toMatch(ERROR_BODY);
    expect(res.body).toContain("<Code>MissingAuthenticationToken</Code>");
  });

  it("with acceptAnySignature, a known key still selects its account; others get the default account", async () => {
    const { calls, dispatch } = recorder();
    const lax = createQueryHandler({
      dispatch,
      credentials,
      acceptAnySignature: true,
      defaultAccountId: "999999999999",
      now: () => NOW,
    });
    const sign = async (accessKeyId: string, region: string) => {
      const body = "Action=DescribeRegions";
      const s = await sdkSigner({ accessKeyId, secretAccessKey: "whatever" }, region).sign(
        { method: "POST", protocol: "http:", hostname: "h", path: "/", query: {}, headers: { host: "h" }, body },
        { signingDate: new Date("2001-01-01T00:00:00Z") },
      );
      return {
        method: "POST",
        path: "/",
        headers: s.headers as Record<string, string>,
        body,
      } satisfies HttpRequestLike;
    };
    expect((await lax(await sign(alice.accessKeyId, "eu-north-1"))).status).toBe(200);
    expect((await lax(await sign("AKIADUMMY", "us-west-2"))).status).toBe(200);
    expect((await lax({ method: "POST", path: "/", headers: {}, body: "Action=DescribeRegions" })).status).toBe(200);
    expect(calls.map((c) => [c.context.accountId, c.context.region, c.context.accessKeyId])).toEqual([
      [alice.accountId, "eu-north-1", alice.accessKeyId],
      ["999999999999", "us-west-2", "AKIADUMMY"],
      ["999999999999", "us-east-1", undefined],
    ]);
  });

  it("turns any other exception into InternalError 500 without leaking it, and reports it", async () => {
    const reported: unknown[] = [];
    const handler = createQueryHandler({
      dispatch: () => {
        throw new Error("secret database password in stack");
      },
      credentials,
      acceptAnySignature: true,
      requestIdFactory: () => "rid-2",
      onInternalError: (e) => reported.push(e),
    });
    const res = await handler({ method: "POST", path: "/", headers: {}, body: "Action=DescribeRegions" });
    expect(res.status).toBe(500);
    expect(res.body).toBe(
      '<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>InternalError</Code><Message>An internal error has occurred</Message></Error></Errors><RequestID>rid-2</RequestID></Response>',
    );
    expect(reported).toHaveLength(1);
  });

  it("answers InternalError when dispatch returns something the model cannot carry", async () => {
    const handler = createQueryHandler({
      dispatch: () => ({ Regions: "eu-west-1" }),
      credentials,
      acceptAnySignature: true,
    });
    const res = await handler({ method: "POST", path: "/", headers: {}, body: "Action=DescribeRegions" });
    expect(res.status).toBe(500);
    expect(res.body).toContain("<Code>InternalError</Code>");
  });

  it("passes DryRun to dispatch, which decides", async () => {
    const handler = createQueryHandler({
      dispatch: (_a, input) => {
        if (input.DryRun) throw errors.dryRun();
        return {};
      },
      credentials,
      acceptAnySignature: true,
    });
    const res = await handler({
      method: "POST",
      path: "/",
      headers: {},
      body: "Action=TerminateInstances&InstanceId.1=i-1&DryRun=true",
    });
    expect(res.status).toBe(412);
    expect(res.body).toContain("<Code>DryRunOperation</Code>");
  });

  it("refuses methods other than GET and POST with an EC2 error", async () => {
    const handler = createQueryHandler({ dispatch: () => ({}), credentials, acceptAnySignature: true });
    const res = await handler({ method: "DELETE", path: "/", headers: {}, body: "Action=DescribeRegions" });
    expect(res.status).toBe(405);
    expect(res.body).toMatch(ERROR_BODY);
  });

  describe("fuzz: malformed requests always get an EC2-shaped answer, never a throw", () => {
    const VOCAB = [
      "Action=DescribeImages",
      "Action=RunInstances",
      "Action=",
      "Action=%",
      "Action=Nope",
      "Version=2016-11-15",
      "Filter.1.Name=name",
      "Filter.1.Value.1=a*",
      "Filter.99999999999.Name=x",
      "Filter.1.Value.0=x",
      "Filter.-1.Name=x",
      "Filter.1=x",
      "Filter=",
      "ImageId.1=ami-1",
      "ImageId.1001=x",
      "MaxResults=abc",
      "MaxResults=5",
      "MaxResults=1e400",
      "DryRun=true",
      "DryRun=maybe",
      "BlockDeviceMapping.1.Ebs.VolumeSize=8",
      "BlockDeviceMapping.1.Ebs.VolumeSize=x",
      "PublicKeyMaterial=***",
      "PublicKeyMaterial=c3No",
      "UserData=%ZZ",
      "%E0%A4%A",
      "%00=%00",
      "a.b.c.d.e.f=1",
      "__proto__=1",
      "constructor.prototype.x=1",
      "Filter.1.__proto__=1",
      "MinCount=1",
      "MaxCount=2",
      "=",
      "&&&",
      "+++",
      "TagSpecification.1.Tag.1.Key=k",
      "X-Amz-Signature=zz",
      "StartTime=nope",
      "StartTime=2024-01-01",
    ];
    const rnd = prng(42);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
    const junk = (): string => {
      const n = Math.floor(rnd() * 40);
      let s = "";
      for (let i = 0; i < n; i++) s += String.fromCharCode(Math.floor(rnd() * (rnd() < 0.9 ? 128 : 0xffff)));
      return s;
    };
    const randomBody = (): string => {
      const parts: string[] = [];
      const n = Math.floor(rnd() * 8);
      for (let i = 0; i < n; i++) parts.push(rnd() < 0.8 ? pick(VOCAB) : junk());
      if (rnd() < 0.7)
        parts.unshift(
          pick(["Action=DescribeImages", "Action=RunInstances", "Action=CreateTags", "Action=ImportKeyPair"]),
        );
      return parts.join(rnd() < 0.95 ? "&" : pick(["&&", ";", "=", "%26"]));
    };

    it("5,000 random bodies through the lax handler", async () => {
      const handler = createQueryHandler({ dispatch: () => ({}), credentials, acceptAnySignature: true });
      const statuses = new Map<number, number>();
      for (let i = 0; i < 5000; i++) {
        const body = randomBody();
        const res = await handler({
          method: rnd() < 0.9 ? "POST" : "GET",
          path: rnd() < 0.2 ? `/?${randomBody()}` : "/",
          headers: {},
          body,
        });
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        if (res.status !== 200) expect(res.body, body).toMatch(ERROR_BODY);
        else expect(res.body).toMatch(/^<\?xml version="1\.0" encoding="UTF-8"\?>\n<[A-Za-z]+Response xmlns=/);
        expect(res.headers["content-type"]).toBe("text/xml;charset=UTF-8");
      }
      expect(statuses.get(200)).toBeGreaterThan(50);
      expect(statuses.get(400)).toBeGreaterThan(1000);
      expect(statuses.get(500)).toBeUndefined();
    });

    it("1,000 requests with random authorization headers through the strict handler", async () => {
      const handler = createQueryHandler({ dispatch: () => ({}), credentials, now: () => NOW });
      const authPieces = [
        "AWS4-HMAC-SHA256",
        " Credential=",
        "AKIAALICE",
        "/20241212/us-east-1/ec2/aws4_request",
        ",",
        " SignedHeaders=host;x-amz-date",
        " Signature=",
        "0".repeat(64),
        "=",
        ",,",
        "/",
        "AWS ",
        "Bearer x",
      ];
      for (let i = 0; i < 1000; i++) {
        let authorization = "";
        const n = Math.floor(rnd() * 10);
        for (let j = 0; j < n; j++) authorization += rnd() < 0.85 ? pick(authPieces) : junk();
        const headers: Record<string, string> = { authorization, host: "h" };
        if (rnd() < 0.7) headers["x-amz-date"] = rnd() < 0.7 ? "20241212T050352Z" : junk();
        const res = await handler({
          method: "POST",
          path: rnd() < 0.1 ? `/?${randomBody()}` : "/",
          headers,
          body: randomBody(),
        });
        expect([400, 401, 403, 413]).toContain(res.status);
        expect(res.body).toMatch(ERROR_BODY);
      }
    });
  });
});
