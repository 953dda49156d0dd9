import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { sdkSigner } from "../test/http-harness.ts";
import { Ec2Error } from "./ec2-error.ts";
import {
  cachedSigningKey,
  type HttpRequestLike,
  readCredentialScope,
  signingKey,
  signingKeyCacheSize,
  type VerifySigV4Options,
  verifySigV4,
} from "./sigv4.ts";

const codeOf = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(Ec2Error);
    return `${(e as Ec2Error).code}: ${(e as Ec2Error).message}`;
  }
  return "no error";
};

describe("verifySigV4 against AWS's published examples", () => {
  // The AWS SigV4 test suite (aws-sig-v4-test-suite), credentials AKIDEXAMPLE, 2015-08-30T12:36:00Z.
  const suite: VerifySigV4Options = {
    secretFor: (key) =>
      key === "AKIDEXAMPLE"
        ? { secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", accountId: "123456789012" }
        : undefined,
    now: () => new Date("2015-08-30T12:36:00Z"),
    service: "service",
  };
  const suiteRequest = (path: string, signature: string): HttpRequestLike => ({
    method: "GET",
    path,
    headers: {
      Host: "example.amazonaws.com",
      "X-Amz-Date": "20150830T123600Z",
      Authorization: `AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=${signature}`,
    },
    body: "",
  });

  it("get-vanilla", () => {
    const caller = verifySigV4(
      suiteRequest("/", "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"),
      suite,
    );
    expect(caller).toEqual({
      accessKeyId: "AKIDEXAMPLE",
      accountId: "123456789012",
      region: "us-east-1",
      service: "service",
      signedAt: new Date("2015-08-30T12:36:00Z"),
    });
  });

  it("get-vanilla-query-order-key-case: the query is sorted before signing", () => {
    expect(() =>
      verifySigV4(
        suiteRequest(
          "/?Param2=value2&Param1=value1",
          "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500",
        ),
        suite,
      ),
    ).not.toThrow();
  });

  it("the same signature over a different query is refused", () => {
    expect(
      codeOf(() =>
        verifySigV4(
          suiteRequest(
            "/?Param2=value2&Param1=value3",
            "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500",
          ),
          suite,
        ),
      ),
    ).toBe("AuthFailure: AWS was not able to validate the provided access credentials");
  });

  it("the S3 documentation's GET Object example (signed payload hash header, range header)", () => {
    const request: HttpRequestLike = {
      method: "GET",
      path: "/test.txt",
      headers: {
        host: "examplebucket.s3.amazonaws.com",
        range: "bytes=0-9",
        "x-amz-content-sha256": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "x-amz-date": "20130524T000000Z",
        authorization:
          "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41",
      },
      body: "",
    };
    const caller = verifySigV4(request, {
      secretFor: () => ({ secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", accountId: "1" }),
      now: () => new Date("2013-05-24T00:05:00Z"),
      service: "s3",
    });
    expect(caller.accessKeyId).toBe("AKIAIOSFODNN7EXAMPLE");
  });
});

describe("verifySigV4 against requests signed by the SDK's own signer (@smithy/signature-v4)", () => {
  const alice = { accessKeyId: "AKIAALICE", secretAccessKey: "alice/secret+key" };
  const signedAt = new Date("2024-12-12T05:03:52Z");
  const options: VerifySigV4Options = {
    secretFor: (key) =>
      key === alice.accessKeyId ? { secretAccessKey: alice.secretAccessKey, accountId: "111122223333" } : undefined,
    now: () => signedAt,
  };
  const body =
    "Action=DescribeImages&Version=2016-11-15&Owner.1=self&Filter.1.Name=name&Filter.1.Value.1=al2023-ami-%2A";

  const signPost = async (
    credentials = alice,
    region = "eu-west-1",
    service = "ec2",
    extraHeaders: Record<string, string> = {},
  ) => {
    const signed = await sdkSigner(credentials, region, service).sign(
      {
        method: "POST",
        protocol: "http:",
        hostname: "127.0.0.1",
        port: 8080,
        path: "/",
        query: {},
        headers: {
          host: "127.0.0.1:8080",
          "content-type": "application/x-www-form-urlencoded; charset=utf-8",
          "user-agent": "aws-sdk-js/3",
          ...extraHeaders,
        },
        body,
      },
      { signingDate: signedAt },
    );
    return {
      method: "POST",
      path: "/",
      headers: signed.headers as Record<string, string>,
      body,
    } satisfies HttpRequestLike;
  };

  it("accepts a correctly signed request and names the caller's account and region", async () => {
    const caller = verifySigV4(await signPost(), options);
    expect(caller).toMatchObject({
      accessKeyId: "AKIAALICE",
      accountId: "111122223333",
      region: "eu-west-1",
      service: "ec2",
    });
  });

  it("ignores header-name case and unsigned headers (user-agent is never signed)", async () => {
    const request = await signPost();
    const shouted = Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k.toUpperCase(), v]));
    expect(() =>
      verifySigV4({ ...request, headers: { ...shouted, "user-agent": "something else" } }, options),
    ).not.toThrow();
  });

  it("refuses a changed body, a changed signed header, another method", async () => {
    const request = await signPost();
    const bad = "AuthFailure: AWS was not able to validate the provided access credentials";
    expect(codeOf(() => verifySigV4({ ...request, body: request.body.replace("self", "amazon") }, options))).toBe(bad);
    expect(
      codeOf(() => verifySigV4({ ...request, headers: { ...request.headers, host: "127.0.0.1:8081" } }, options)),
    ).toBe(bad);
    expect(codeOf(() => verifySigV4({ ...request, method: "PUT" }, options))).toBe(bad);
  });

  it("refuses a body that differs from the payload hash the signature declares (x-amz-content-sha256)", async () => {
    const declared = createHash("sha256").update(body).digest("hex");
    const request = await signPost(alice, "eu-west-1", "ec2", { "x-amz-content-sha256": declared });
    expect(() => verifySigV4(request, options)).not.toThrow();
    // The declaration is signed, so the signature still matches it: only the body gives the change away.
    expect(codeOf(() => verifySigV4({ ...request, body: request.body.replace("self", "amazon") }, options))).toBe(
      "AuthFailure: AWS was not able to validate the provided access credentials",
    );
  });

  it("keeps derived signing keys per secret, date, region and service, bounded, and never mixes them up", async () => {
    verifySigV4(await signPost(), options);
    const before = signingKeyCacheSize();
    verifySigV4(await signPost(), options);
    expect(signingKeyCacheSize()).toBe(before);
    verifySigV4(await signPost(alice, "ap-south-1"), options);
    expect(signingKeyCacheSize()).toBe(before + 1);
    // A key derived for one region or secret does not verify another's signature.
    const wrongSecret = await signPost({ ...alice, secretAccessKey: "guess" }, "ap-south-1");
    expect(codeOf(() => verifySigV4(wrongSecret, options))).toMatch(/^AuthFailure/);
    for (let i = 0; i < 1100; i++) cachedSigningKey(`secret-${i}`, "20241212", "us-east-1", "ec2");
    expect(signingKeyCacheSize()).toBe(1024);
    expect(cachedSigningKey("s", "20241212", "us-east-1", "ec2")).toEqual(
      signingKey("s", "20241212", "us-east-1", "ec2"),
    );
    verifySigV4(await signPost(), options);
  });

  it("refuses a wrong secret and an unknown access key with AuthFailure", async () => {
    const wrongSecret = await signPost({ ...alice, secretAccessKey: "guess" });
    expect(codeOf(() => verifySigV4(wrongSecret, options))).toBe(
      "AuthFailure: AWS was not able to validate the provided access credentials",
    );
    const stranger = await signPost({ accessKeyId: "AKIASTRANGER", secretAccessKey: "x" });
    expect(codeOf(() => verifySigV4(stranger, options))).toBe(
      "AuthFailure: AWS was not able to validate the provided access credentials",
    );
  });

  it("allows 15 minutes of clock skew either way, then answers RequestExpired", async () => {
    const request = await signPost();
    const at = (ms: number) => ({ ...options, now: () => new Date(signedAt.getTime() + ms) });
    expect(() => verifySigV4(request, at(14 * 60_000))).not.toThrow();
    expect(() => verifySigV4(request, at(-14 * 60_000))).not.toThrow();
    expect(codeOf(() => verifySigV4(request, at(16 * 60_000)))).toMatch(/^RequestExpired: Request has expired\./);
    expect(codeOf(() => verifySigV4(request, at(-16 * 60_000)))).toMatch(/^RequestExpired: /);
  });

  it("refuses a credential scoped to another service", async () => {
    const s3 = await signPost(alice, "us-east-1", "s3");
    expect(codeOf(() => verifySigV4(s3, options))).toBe(
      "AuthFailure: Credential should be scoped to correct service: 'ec2'.",
    );
  });

  it("answers MissingAuthenticationToken for an unsigned request and IncompleteSignature for a malformed one", async () => {
    expect(codeOf(() => verifySigV4({ method: "POST", path: "/", headers: {}, body }, options))).toMatch(
      /^MissingAuthenticationToken: /,
    );
    const request = await signPost();
    const auth = request.headers.authorization!;
    const broken = (authorization: string) =>
      codeOf(() => verifySigV4({ ...request, headers: { ...request.headers, authorization } }, options));
    expect(broken(auth.replace(/, Signature=[0-9a-f]+/, ""))).toMatch(
      /^IncompleteSignature: Authorization header requires 'Signature'/,
    );
    expect(broken(auth.replace(/\/aws4_request/, ""))).toMatch(
      /^IncompleteSignature: Credential should be of the form/,
    );
    expect(broken("AWS AKIA:abc")).toMatch(/^IncompleteSignature: Unsupported authorization type 'AWS'/);
    expect(broken(auth.replace(/Signature=[0-9a-f]+/, "Signature=zz"))).toMatch(/^AuthFailure: /);
    const noDate = { ...request.headers };
    delete noDate["x-amz-date"];
    expect(codeOf(() => verifySigV4({ ...request, headers: noDate }, options))).toMatch(
      /^IncompleteSignature: .*X-Amz-Date/,
    );
  });

  it("verifies presigned GET URLs, and refuses them once expired or altered", async () => {
    const presigned = await sdkSigner(alice, "ap-southeast-2").presign(
      {
        method: "GET",
        protocol: "http:",
        hostname: "127.0.0.1",
        port: 8080,
        path: "/",
        query: { Action: "DescribeRegions", Version: "2016-11-15", "RegionName.1": "ap-southeast-2" },
        headers: { host: "127.0.0.1:8080" },
      },
      { signingDate: signedAt, expiresIn: 300 },
    );
    const query = Object.entries(presigned.query ?? {})
      .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
      .join("&");
    const request: HttpRequestLike = {
      method: "GET",
      path: `/?${query}`,
      headers: { host: "127.0.0.1:8080" },
      body: "",
    };
    expect(verifySigV4(request, options)).toMatchObject({ accountId: "111122223333", region: "ap-southeast-2" });
    expect(readCredentialScope(request)).toEqual({
      accessKeyId: "AKIAALICE",
      date: "20241212",
      region: "ap-southeast-2",
      service: "ec2",
    });
    const later = { ...options, now: () => new Date(signedAt.getTime() + 301_000) };
    expect(codeOf(() => verifySigV4(request, later))).toMatch(/^RequestExpired: /);
    const altered = { ...request, path: request.path.replace("ap-southeast-2&", "us-east-1&") };
    expect(altered.path).not.toBe(request.path);
    expect(codeOf(() => verifySigV4(altered, options))).toMatch(/^AuthFailure: /);
  });

  it("readCredentialScope reads the header form without verifying, and is undefined when unsigned", async () => {
    expect(readCredentialScope(await signPost({ accessKeyId: "AKIAANY", secretAccessKey: "x" }, "sa-east-1"))).toEqual({
      accessKeyId: "AKIAANY",
      date: "20241212",
      region: "sa-east-1",
      service: "ec2",
    });
    expect(readCredentialScope({ method: "POST", path: "/", headers: {}, body: "" })).toBeUndefined();
    expect(
      readCredentialScope({ method: "POST", path: "/", headers: { authorization: "garbage" }, body: "" }),
    ).toBeUndefined();
  });
});
