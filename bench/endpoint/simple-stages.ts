/**
 * Where a simple signed call's server time goes, in process (no sockets): DescribeAvailabilityZones
 * signed once, then timed N times through each stage alone and through the whole endpoint — SigV4
 * verification, the Query parse, the host's call, the XML writer, and `sandboxEndpoint` end to end.
 * Complements scale-bench.ts `--simple-only` (over HTTP, beside a bare node:http server).
 *
 *   npx tsx bench/endpoint/simple-stages.ts [--n 20000]
 */
import { createHash, createHmac } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseQueryRequest, serializeResponseBody, verifySigV4 } from "../../packages/ec2-query/src/index.ts";
import { JournalStore, MemoryStore, SandboxHost, sandboxEndpoint } from "../../packages/server/src/index.ts";

const argv = process.argv.slice(2);
const N = Number(argv[argv.indexOf("--n") + 1] || 20000);
/** As `ec2sim serve --speed 1000` (the HTTP bench's server) with `--speed 1000`; 1 unless told. */
const SPEED = Number(argv.includes("--speed") ? argv[argv.indexOf("--speed") + 1] : 1);
/** The journal store in a temp folder (as `serve`), not the memory store. */
const JOURNAL = argv.includes("--journal");

function sign(accessKeyId: string, secret: string, host: string, body: string): Record<string, string> {
  const amzDate = new Date()
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}/, "");
  const date = amzDate.slice(0, 8);
  const hmac = (k: Buffer | string, s: string) => createHmac("sha256", k).update(s).digest();
  const key = hmac(hmac(hmac(hmac(`AWS4${secret}`, date), "us-east-1"), "ec2"), "aws4_request");
  const contentType = "application/x-www-form-urlencoded; charset=utf-8";
  const sha = (s: string) => createHash("sha256").update(s).digest("hex");
  const canonical = `POST\n/\n\ncontent-type:${contentType}\nhost:${host}\nx-amz-date:${amzDate}\n\ncontent-type;host;x-amz-date\n${sha(body)}`;
  const scope = `${date}/us-east-1/ec2/aws4_request`;
  const signature = createHmac("sha256", key)
    .update(`AWS4-HMAC-SHA256\n${amzDate}\n${scope}\n${sha(canonical)}`)
    .digest("hex");
  return {
    "content-type": contentType,
    host,
    "x-amz-date": amzDate,
    "content-length": String(body.length),
    connection: "keep-alive",
    authorization: `AWS4-HMAC-SHA256 Credential=${accessKeyId}/${scope}, SignedHeaders=content-type;host;x-amz-date, Signature=${signature}`,
  };
}

/** `--only LABEL-PREFIX`: time that stage alone (for a CPU profile of it). */
const ONLY = argv.includes("--only") ? argv[argv.indexOf("--only") + 1]! : "";
async function time(label: string, f: () => unknown): Promise<void> {
  if (!label.startsWith(ONLY)) return;
  for (let i = 0; i < 2000; i++) await f(); // warm
  // CPU time, not wall time: on a busy machine the wall clock mostly measures other processes.
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < N; i++) await f();
  const wall = Number(process.hrtime.bigint() - t0) / 1000 / N;
  const c = process.cpuUsage(c0);
  const cpu = (c.user + c.system) / N;
  console.log(`${label.padEnd(28)} ${cpu.toFixed(2).padStart(7)} µs CPU  (${wall.toFixed(2)} µs wall)`);
}

const dir = mkdtempSync(join(tmpdir(), "ec2sim-stages-"));
const store = JOURNAL ? await JournalStore.open(dir) : new MemoryStore();
const host = new SandboxHost({ store, tickMs: 0, snapshotWorker: false, keyWorker: false });
const info = await host.create("default", { speed: SPEED });
const acct = info.accounts[0]!;
const sb = await host.load("default");
const body = "Action=DescribeAvailabilityZones&Version=2016-11-15";
const request = {
  method: "POST",
  path: "/",
  headers: sign(acct.accessKeyId, acct.secretAccessKey, "127.0.0.1:1", body),
  body,
};
const endpoint = sandboxEndpoint(host, "default");
const ctx = { accountId: acct.accountId, region: "us-east-1" };
const first = await endpoint(request);
if (first.status !== 200) throw new Error(first.body);
const output = await host.call("default", ctx, "DescribeAvailabilityZones", {});

await time("verifySigV4", () =>
  verifySigV4(request, { secretFor: (k) => sb.accountForAccessKey(k), now: () => new Date() }),
);
await time("parseQueryRequest", () => parseQueryRequest(body));
await time("host.call (awaited)", () => host.call("default", ctx, "DescribeAvailabilityZones", {}));
await time("serializeResponseBody", () => serializeResponseBody("DescribeAvailabilityZones", output, "r-1"));
await time("sandboxEndpoint, whole", () => endpoint(request));
await host.close();
rmSync(dir, { recursive: true, force: true });
