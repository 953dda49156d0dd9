/**
 * A large EC2 answer goes out in chunks (issue #15): the kept bytes of unchanged instances and the
 * text between them, a megabyte per write, waiting for the socket to drain. What a client receives
 * must be the whole answer, its Content-Length true, whether it reads at once or slowly (the server
 * then waits on drain), and the same before and after the instances' bytes are kept.
 */
import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningSandboxServer, startServer } from "../src/index.ts";

let server: RunningSandboxServer;
const N = 2000;

interface Received {
  status: number;
  contentLength: number;
  body: Buffer;
}

/** POSTs a form; with `pauseMs`, stops reading after the first chunk until that long has passed. */
function post(form: string, pauseMs = 0): Promise<Received> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${server.url}/`,
      { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" } },
      (res) => {
        const chunks: Buffer[] = [];
        let paused = false;
        res.on("data", (c: Buffer) => {
          chunks.push(c);
          if (pauseMs > 0 && !paused) {
            paused = true;
            res.pause();
            setTimeout(() => res.resume(), pauseMs);
          }
        });
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            contentLength: Number(res.headers["content-length"]),
            body: Buffer.concat(chunks),
          }),
        );
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(form);
  });
}

/** Any request, answered with its framing headers (what a client that logs or checks lengths sees). */
function raw(method: string, path: string, body = ""): Promise<Received & { chunked: boolean }> {
  return new Promise((resolve, reject) => {
    const req = request(`${server.url}${path}`, { method }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () =>
        resolve({
          status: res.statusCode ?? 0,
          contentLength: Number(res.headers["content-length"]),
          chunked: res.headers["transfer-encoding"] !== undefined,
          body: Buffer.concat(chunks),
        }),
      );
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(body);
  });
}

const withoutRequestId = (xml: string) => xml.replace(/<requestId>[^<]*<\/requestId>/, "");

beforeAll(async () => {
  server = await startServer({ store: "memory", port: 0, speed: 1000, acceptAnySignature: true, log: () => undefined });
  const images = (await post("Action=DescribeImages&Version=2016-11-15&Owner.1=amazon")).body.toString();
  const image = /<imageId>([^<]+)<\/imageId>/.exec(images)![1]!;
  for (let launched = 0; launched < N; launched += 500) {
    const out = await post(
      `Action=RunInstances&Version=2016-11-15&ImageId=${image}&InstanceType=t3.nano&MinCount=500&MaxCount=500` +
        "&TagSpecification.1.ResourceType=instance&TagSpecification.1.Tag.1.Key=Name&TagSpecification.1.Tag.1.Value=%C3%A9%3C%26",
    );
    expect(out.status, out.body.toString().slice(0, 300)).toBe(200);
  }
  // All running, so nothing changes between the describes below.
  const deadline = Date.now() + 60_000;
  const pending =
    "Action=DescribeInstances&Version=2016-11-15&Filter.1.Name=instance-state-name&Filter.1.Value.1=pending";
  while ((await post(pending)).body.toString().includes("<instanceId>")) {
    if (Date.now() > deadline) throw new Error("instances still pending after a minute");
    await new Promise((r) => setTimeout(r, 50));
  }
}, 120_000);

afterAll(async () => {
  await server?.close();
});

describe("large answers", () => {
  it(`DescribeInstances of ${N} arrives whole, read at once or slowly, and the same once kept`, async () => {
    const form = "Action=DescribeInstances&Version=2016-11-15";
    const first = await post(form);
    const kept = await post(form);
    const slow = await post(form, 300);
    for (const r of [first, kept, slow]) {
      expect(r.status).toBe(200);
      expect(r.body.length).toBe(r.contentLength);
      const xml = r.body.toString("utf8");
      expect(xml.endsWith("</DescribeInstancesResponse>")).toBe(true);
      expect(xml.match(/<instanceId>/g)?.length).toBe(N);
      expect(xml.match(/<value>é&lt;&amp;<\/value>/g)?.length).toBe(N);
    }
    // Several megabytes: more than one batch of writes, so the server had to wait for the socket.
    expect(first.contentLength).toBeGreaterThan(4 * 1024 * 1024);
    const text = withoutRequestId(first.body.toString("utf8"));
    expect(withoutRequestId(kept.body.toString("utf8"))).toBe(text);
    expect(withoutRequestId(slow.body.toString("utf8"))).toBe(text);
  });

  it("small answers, EC2 errors and admin refusals say their Content-Length, as AWS's do (never chunked)", async () => {
    const answers = {
      small: await raw("POST", "/", "Action=DescribeRegions&Version=2016-11-15&RegionName.1=us-east-1"),
      unknownAction: await raw("POST", "/", "Action=NoSuchAction&Version=2016-11-15"),
      noSuchSandbox: await raw("POST", "/sandbox/nope/", "Action=DescribeRegions&Version=2016-11-15"),
      adminWithoutToken: await raw("GET", "/_ec2sim/sandboxes"),
    };
    expect(Object.fromEntries(Object.entries(answers).map(([k, r]) => [k, r.status]))).toEqual({
      small: 200,
      unknownAction: 400,
      noSuchSandbox: 404,
      adminWithoutToken: 401,
    });
    for (const [what, r] of Object.entries(answers)) {
      expect({ what, chunked: r.chunked, length: r.contentLength }).toEqual({
        what,
        chunked: false,
        length: r.body.length,
      });
    }
    expect(answers.unknownAction.body.toString()).toContain("<Code>InvalidAction</Code>");
  });
});
