/**
 * No client can stall the others (issue #11), with the real `ec2sim serve`: RSA key pairs made in
 * the thread pool (10 at once, all distinct and valid), a 3.9 MB ImportKeyPair refused at once,
 * connections capped per client address with a clear 503 while other clients go on, and a client
 * that trickles its headers (or never finishes its body) cut off by the header (request) timeout. Latencies side by side: bench/endpoint.
 */
import { createPrivateKey, createPublicKey } from "node:crypto";
import { connect, type Socket } from "node:net";
import { CreateKeyPairCommand, DescribeRegionsCommand, ImportKeyPairCommand } from "@aws-sdk/client-ec2";
import { credentialsFor, type ServerProcess, sdkClient, startServer } from "@ec2sim/test-harness";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

let server: ServerProcess;
beforeAll(async () => {
  server = await startServer({});
});
afterAll(async () => {
  await server?.stop();
});

/** A socket from `localAddress` that sends the start of a request and then nothing; resolves once connected. */
function slowSocket(
  localAddress: string,
  to: ServerProcess = server,
): Promise<{ socket: Socket; received: () => string; closed: Promise<void> }> {
  const { port } = new URL(to.url);
  return new Promise((resolve, reject) => {
    let got = "";
    const socket = connect({ host: "127.0.0.1", port: Number(port), localAddress }, () => {
      socket.write("GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ");
      resolve({ socket, received: () => got, closed });
    });
    const closed = new Promise<void>((r) => socket.on("close", () => r()));
    socket.on("data", (d) => (got += d.toString()));
    socket.on("error", reject);
  });
}

describe("limits (ec2sim serve)", { timeout: 120_000 }, () => {
  it("10 concurrent RSA CreateKeyPair: all succeed with distinct, valid keys", async () => {
    const ec2 = sdkClient(server.url, await credentialsFor(server.url));
    const made = await Promise.all(
      Array.from({ length: 10 }, (_, i) => ec2.send(new CreateKeyPairCommand({ KeyName: `rsa-${i}` }))),
    );
    expect(new Set(made.map((k) => k.KeyFingerprint)).size).toBe(10);
    for (const k of made) {
      const key = createPrivateKey(k.KeyMaterial!);
      expect(key.asymmetricKeyType).toBe("rsa");
      expect(createPublicKey(key).asymmetricKeyDetails?.modulusLength).toBe(2048);
    }
  });

  it("a 2.8 MB ImportKeyPair is refused on its length with InvalidKey.Format (bigger bodies: RequestEntityTooLarge)", async () => {
    const ec2 = sdkClient(server.url, await credentialsFor(server.url));
    const huge = `ssh-rsa ${"A".repeat(2_800_000)} big`;
    const err = await ec2
      .send(new ImportKeyPairCommand({ KeyName: "huge", PublicKeyMaterial: Buffer.from(huge) }))
      .catch((e: { name: string; message: string }) => e);
    expect(err).toMatchObject({ name: "InvalidKey.Format" });
    // Refused on its length, before any parsing (which took seconds of the event loop).
    expect((err as Error).message).toMatch(/longer than 16384 characters/);
  });

  it("a client address past 512 open connections gets a clear 503; other clients go on", async () => {
    const held: Socket[] = [];
    try {
      for (let i = 0; i < 512; i++) held.push((await slowSocket("127.0.0.3")).socket);
      const extra = await slowSocket("127.0.0.3");
      await extra.closed;
      expect(extra.received()).toMatch(/^HTTP\/1\.1 503 Service Unavailable/);
      expect(extra.received()).toContain("<Code>ServiceUnavailable</Code>");
      expect(extra.received()).toContain("too many connections from");
      const ec2 = sdkClient(server.url, await credentialsFor(server.url));
      expect((await ec2.send(new DescribeRegionsCommand({}))).Regions!.length).toBeGreaterThan(0);
    } finally {
      for (const s of held) s.destroy();
    }
  });

  it("past the overall cap (--max-connections) every new connection gets a clear 503, whatever its address; freed, it serves again", async () => {
    const capped = await startServer({ extraArgs: ["--max-connections", "30", "--max-connections-per-client", "20"] });
    const held: Socket[] = [];
    try {
      // Keys first: while the cap is full the admin API is refused too, and after the sockets are
      // destroyed the server may not have seen them go yet.
      const ec2 = sdkClient(capped.url, await credentialsFor(capped.url));
      for (let i = 0; i < 20; i++) held.push((await slowSocket("127.0.0.6", capped)).socket);
      const sameClient = await slowSocket("127.0.0.6", capped);
      await sameClient.closed;
      expect(sameClient.received()).toContain("too many connections from 127.0.0.6 (20 open, at most 20)");
      for (let i = 0; i < 10; i++) held.push((await slowSocket("127.0.0.7", capped)).socket);
      const other = await slowSocket("127.0.0.8", capped);
      await other.closed;
      expect(other.received()).toMatch(/^HTTP\/1\.1 503 Service Unavailable/);
      expect(other.received()).toContain("<Code>ServiceUnavailable</Code>");
      expect(other.received()).toContain("too many connections (30 open, at most 30)");
      for (const s of held.splice(0)) s.destroy();
      // Once the server has seen them go, a client is served again.
      for (const end = Date.now() + 60_000; ; ) {
        const r = await ec2.send(new DescribeRegionsCommand({})).catch((e: Error) => e);
        if (!(r instanceof Error)) break;
        if (Date.now() > end) throw r;
        await new Promise((res) => setTimeout(res, 100));
      }
    } finally {
      for (const s of held) s.destroy();
      await capped.stop();
    }
  });

  // The timeouts are the server's own (10 s for headers, 30 s for a whole request unless told): this
  // server is told 2 s and 5 s, so the test waits seconds, not a minute, for the same 408s. Its own
  // server, as the slow sockets the cap tests hold on the one above would be cut off as well.
  describe("timeouts (--header-timeout-ms, --request-timeout-ms)", () => {
    let quick: ServerProcess;
    beforeAll(async () => {
      quick = await startServer({ extraArgs: ["--header-timeout-ms", "2000", "--request-timeout-ms", "5000"] });
    });
    afterAll(async () => {
      await quick?.stop();
    });

    it("a client that never finishes its headers is cut off by the header timeout", async () => {
      const slow = await slowSocket("127.0.0.4", quick);
      await slow.closed; // by the server (the test's own limit would fail a socket held for good)
      expect(slow.received()).toMatch(/^HTTP\/1\.1 408 Request Timeout/);
      expect(slow.received()).toContain("<Code>RequestTimeout</Code>");
    });

    it("a client that sends its headers but never its whole body is cut off by the request timeout; others go on", async () => {
      const ec2 = sdkClient(quick.url, await credentialsFor(quick.url));
      const { port } = new URL(quick.url);
      let got = "";
      let cutOff = false;
      const socket = await new Promise<Socket>((resolve) => {
        const s = connect({ host: "127.0.0.1", port: Number(port), localAddress: "127.0.0.5" }, () => resolve(s));
        s.on("error", () => undefined);
      });
      socket.write(
        "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\ncontent-type: application/x-www-form-urlencoded\r\ncontent-length: 1000\r\n\r\nAction=",
      );
      socket.on("data", (d) => (got += d.toString()));
      const closed = new Promise<void>((r) =>
        socket.on("close", () => {
          cutOff = true;
          r();
        }),
      );
      // Another client is served while the slow one still holds its request open (seconds to spare).
      expect((await ec2.send(new DescribeRegionsCommand({}))).Regions!.length).toBeGreaterThan(0);
      expect(cutOff).toBe(false);
      await closed; // by the server, once the request timeout passed
      expect(got).toMatch(/^HTTP\/1\.1 408 Request Timeout/);
      expect(got).toContain("<Code>RequestTimeout</Code>");
    });
  });
});
