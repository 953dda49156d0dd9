/**
 * JournalStore benchmark. Run: npx tsx bench/store/journal-bench.ts [dir]
 * (dir defaults to a fresh folder in the OS temp dir; it is removed afterwards).
 *
 * Measures appends/s with 1 and 20 concurrent appenders (one ~300-byte event per append, every
 * append durable before it resolves), bytes on disk per 1,000 events, the same for large events
 * (one-instance launches, ~1.6 KB of JSON, which the journal compresses), and the time to load a
 * sandbox of 100,000 events.
 */
import { mkdtemp, readdir, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { JournalStore } from "../../packages/server/src/store/index.ts";
import { journalRecords } from "./journal-records.ts";

function event(seq: number) {
  return {
    type: "InstanceStateChanged",
    seq,
    instanceId: `i-${((seq * 2654435761) % 2 ** 32).toString(16).padStart(17, "0")}`,
    from: "pending",
    to: "running",
    at: new Date(Date.UTC(2025, 0, 1) + seq * 1000).toISOString(),
    reason: "User initiated (2025-01-01 00:00:00 GMT)",
    tags: { Name: `web-${seq % 97}`, Team: "platform", Env: "sandbox", CostCenter: "cc-1234" },
    az: "us-east-1a",
    ownerId: "111122223333",
  };
}
/**
 * A one-instance launch as the sandbox journals it (~1.5 KB of JSON): the large kind of event, the
 * one the journal compresses (small ones like `event` above stay as they are).
 */
function launchEvent(seq: number) {
  const id = (p: string) => `${p}-${((seq * 2654435761) % 2 ** 32).toString(16).padStart(17, "0")}`;
  return {
    type: "InstancesLaunched",
    region: "us-east-1",
    reservationId: id("r"),
    instances: [
      {
        instanceId: id("i"),
        ownerId: "111122223333",
        subnetId: "subnet-3851c41250cd4b772",
        vpcId: "vpc-954afc0fdfc778d0e",
        availabilityZone: "us-east-1a",
        securityGroupIds: ["sg-081affeeee98ba6f2"],
        privateIpAddress: `10.0.${(seq >> 8) & 255}.${seq & 255}`,
        imageId: "ami-7cc8957725b8b4170",
        instanceType: "t3.micro",
        keyName: "k",
        amiLaunchIndex: 0,
        transitionAt: 1736154015958 + seq,
        architecture: "x86_64",
        platformDetails: "Linux/UNIX",
        usageOperation: "RunInstances",
        rootDeviceType: "ebs",
        rootDeviceName: "/dev/xvda",
        virtualizationType: "hvm",
        bootMode: "uefi-preferred",
        enaSupport: true,
        ebsOptimized: true,
        volumes: [
          {
            volumeId: id("vol"),
            region: "us-east-1",
            availabilityZone: "us-east-1a",
            ownerId: "111122223333",
            size: 8,
            volumeType: "gp3",
            iops: 3000,
            throughput: 125,
            encrypted: false,
            snapshotId: "snap-719835828614c1278",
            availableAt: 1736154000460 + seq,
            tags: [],
            deviceName: "/dev/xvda",
            deleteOnTermination: true,
          },
        ],
        instanceStores: [],
        disableApiTermination: false,
        disableApiStop: false,
        instanceInitiatedShutdownBehavior: "stop",
        monitoring: "disabled",
        productCodes: [],
        softwareUsdPerHour: 0,
        creditSpecification: "unlimited",
        metadataOptions: { httpTokens: "required", httpEndpoint: "enabled", httpPutResponseHopLimit: 2 },
        guestOs: "al2023",
        hostname: `ip-10-0-${(seq >> 8) & 255}-${seq & 255}.ec2.internal`,
        tags: [["Name", `web-${seq % 97}`]],
      },
    ],
  };
}
const meta = (name: string) => ({ name, createdAt: new Date().toISOString(), config: {} });

/** `appenders` concurrent loops sharing one seq counter until `total` events are appended. */
async function run(
  store: JournalStore,
  name: string,
  appenders: number,
  total: number,
  start = 0,
  make: (seq: number) => unknown = event,
): Promise<number> {
  let next = start + 1;
  const end = start + total;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: appenders }, async () => {
      while (next <= end) {
        const seq = next++;
        await store.append(name, [{ seq, event: make(seq) }], seq - 1);
      }
    }),
  );
  return performance.now() - t0;
}

async function dirBytes(dir: string): Promise<number> {
  let total = 0;
  for (const f of await readdir(dir)) total += (await stat(join(dir, f))).size;
  return total;
}

/** Records and write batches (= fdatasync calls) in a sandbox's segments. */
async function batches(dir: string): Promise<{ records: number; batches: number }> {
  let records = 0;
  const ids = new Set<number>();
  for await (const rec of journalRecords(dir)) {
    records++;
    ids.add(rec.batchSeq);
  }
  return { records, batches: ids.size };
}

const root = process.argv[2] ?? (await mkdtemp(join(tmpdir(), "ec2sim-bench-")));
const store = await JournalStore.open(root);
const eventJsonBytes = JSON.stringify(event(50_000)).length;
console.log(`event JSON size ~${eventJsonBytes} bytes; store at ${root}`);

for (const appenders of [1, 20]) {
  const name = `bench-${appenders}`;
  await store.create(meta(name));
  await run(store, name, appenders, 200); // warm-up
  const n = appenders === 1 ? 3_000 : 20_000;
  const ms = await run(store, name, appenders, n, 200);
  const b = await batches(join(root, "sandboxes", name));
  console.log(
    `${appenders} appender(s): ${n} appends in ${ms.toFixed(0)} ms = ${Math.round((n / ms) * 1000)} appends/s ` +
      `(${b.records} records in ${b.batches} write+fdatasync batches, ${(b.records / b.batches).toFixed(1)} per batch)`,
  );
}

// Bytes per 1,000 events, one event per append (the usual case).
{
  await store.create(meta("size"));
  await run(store, "size", 20, 10_000);
  const bytes = await dirBytes(join(root, "sandboxes", "size"));
  console.log(`on disk: ${Math.round(bytes / 10)} bytes per 1,000 events (JSON alone: ${eventJsonBytes * 1000})`);
}

// Large events (one-instance launches), 20 appenders: appends/s, bytes per 1,000, load time.
{
  const launchJsonBytes = JSON.stringify(launchEvent(5_000)).length;
  await store.create(meta("launches"));
  const ms = await run(store, "launches", 20, 10_000, 0, launchEvent);
  const bytes = await dirBytes(join(root, "sandboxes", "launches"));
  console.log(
    `launch events (~${launchJsonBytes} bytes of JSON each), 20 appenders: ${Math.round((10_000 / ms) * 1000)} appends/s; ` +
      `on disk ${Math.round(bytes / 10)} bytes per 1,000 (JSON alone: ${launchJsonBytes * 1000})`,
  );
  await store.close();
  const t0 = performance.now();
  const reopened = await JournalStore.open(root);
  const loaded = await reopened.load("launches");
  if (loaded.entries.length !== 10_000) throw new Error(`loaded ${loaded.entries.length} launches`);
  console.log(`load 10,000 launch events: ${(performance.now() - t0).toFixed(0)} ms after reopen`);
  await reopened.close();
}

// Load time for 100,000 events.
{
  const store = await JournalStore.open(root);
  await store.create(meta("load"));
  const ms = await run(store, "load", 20, 100_000);
  console.log(`wrote 100,000 events in ${ms.toFixed(0)} ms`);
  await store.close();
  const t0 = performance.now();
  const reopened = await JournalStore.open(root);
  const loaded = await reopened.load("load");
  const first = performance.now() - t0;
  const t1 = performance.now();
  await reopened.load("load");
  const second = performance.now() - t1;
  if (loaded.entries.length !== 100_000) throw new Error(`loaded ${loaded.entries.length} events`);
  console.log(
    `load 100,000 events: ${first.toFixed(0)} ms after reopen (recovery scan + read + parse), ${second.toFixed(0)} ms again`,
  );
  await reopened.saveSnapshot("load", 100_000, { note: "a folded state would go here", size: 100_000 });
  const t2 = performance.now();
  await reopened.load("load");
  console.log(`load after a snapshot at 100,000: ${(performance.now() - t2).toFixed(1)} ms`);
  await reopened.close();
}
if (process.argv[2] === undefined) await rm(root, { recursive: true, force: true });
