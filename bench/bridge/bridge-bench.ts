/**
 * Bridge benchmark: export (plan + in-process cdktf synth to cdk.tf.json, and HCL) time and peak
 * RSS for sandboxes of 1,000 and 10,000 instances with AMIs, volumes and rules; diff time and peak
 * RSS at the same sizes — two sandboxes built by the same commands (no origin tags), and a mirrored
 * copy with drift (with and without origin tags). Each size and mode runs in its own process so RSS
 * is that run's alone.
 *
 *   npx tsx bench/bridge/bridge-bench.ts             # all, prints Markdown tables
 *   npx tsx bench/bridge/bridge-bench.ts export 1000 # one size (used by the parent)
 *   npx tsx bench/bridge/bridge-bench.ts diff 1000
 *   BRIDGE_BENCH_SIZES=100,1000 npx tsx bench/bridge/bridge-bench.ts
 */
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import {
  buildExportPlan,
  defaultSynthesizer,
  diffInventories,
  diffJson,
  type Inventory,
  readSandboxState,
  renderPlan,
} from "@ec2sim/cdktf-bridge";
import { Sandbox } from "@ec2sim/core";

const ACCOUNT = "111122223333";
const BENCH_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIIIMFcZb0hdVrkIzmdMtQFjHkdI24sOSZz5aj94Uyt9b bench";

/** N instances; every 10th is imaged and relaunched; per 10: a security group with 3 rules; per instance a data volume; per 10 a snapshot; 5 EIPs (the account limit). */
function workload(n: number, seed = `bench-${n}`): Sandbox {
  const sb = new Sandbox({ seed, realNow: () => 0 });
  sb.createAccount({ accountId: ACCOUNT });
  const call = (a: string, i: Record<string, unknown>) =>
    sb.call({ accountId: ACCOUNT, region: "us-east-1" }, a, i).output;
  const ami = call("DescribeImages", {
    Owners: ["amazon"],
    Filters: [{ Name: "name", Values: ["al2023-ami-2023.*-x86_64"] }],
  }).Images[0].ImageId;
  const groups: string[] = [];
  for (let g = 0; g < Math.max(1, n / 10); g++) {
    const id = call("CreateSecurityGroup", { GroupName: `web-${g}`, Description: `group ${g}` }).GroupId;
    call("AuthorizeSecurityGroupIngress", {
      GroupId: id,
      IpPermissions: [
        { IpProtocol: "tcp", FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: `10.${g % 256}.0.0/16` }] },
        { IpProtocol: "tcp", FromPort: 80, ToPort: 80, IpRanges: [{ CidrIp: "0.0.0.0/0" }] },
        { IpProtocol: "tcp", FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: "0.0.0.0/0" }] },
      ],
    });
    groups.push(id);
  }
  // Imported (not created): two workloads then hold the same key, as one person's accounts would.
  call("ImportKeyPair", { KeyName: "bench", PublicKeyMaterial: BENCH_KEY });
  const base = Math.ceil(n * 0.9);
  const ids: string[] = [];
  for (let i = 0; i < base; i++) {
    const r = call("RunInstances", {
      ImageId: ami,
      InstanceType: "t3.micro",
      MinCount: 1,
      MaxCount: 1,
      KeyName: "bench",
      SecurityGroupIds: [groups[i % groups.length]],
      TagSpecifications: [{ ResourceType: "instance", Tags: [{ Key: "Name", Value: `web-${i}` }] }],
    });
    ids.push(r.Instances[0].InstanceId);
  }
  sb.advance(60_000);
  const images: string[] = [];
  for (let i = 0; i < base && images.length < n - base; i += 9) {
    if (images.length % 2 === 0)
      call("GuestRun", {
        InstanceId: ids[i],
        Command: "sudo dnf install -y nginx && echo hi | sudo tee /usr/share/nginx/html/index.html",
      });
    images.push(call("CreateImage", { InstanceId: ids[i], Name: `app-${i}`, NoReboot: true }).ImageId);
  }
  sb.advance(600_000);
  for (let i = 0; ids.length < n; i++) {
    const r = call("RunInstances", {
      ImageId: images[i % images.length],
      InstanceType: "t3.small",
      MinCount: 1,
      MaxCount: 1,
      SecurityGroupIds: [groups[i % groups.length]],
      TagSpecifications: [{ ResourceType: "instance", Tags: [{ Key: "Name", Value: `app-${i}` }] }],
    });
    ids.push(r.Instances[0].InstanceId);
  }
  sb.advance(60_000);
  const azOf = new Map<string, string>();
  for (const i of sb.state.regions.get("us-east-1")!.instances.values()) azOf.set(i.instanceId, i.availabilityZone);
  const vols: string[] = [];
  for (const id of ids)
    vols.push(
      call("CreateVolume", {
        AvailabilityZone: azOf.get(id),
        Size: 10,
        VolumeType: "gp3",
        TagSpecifications: [{ ResourceType: "volume", Tags: [{ Key: "Name", Value: `data-${vols.length}` }] }],
      }).VolumeId,
    );
  sb.advance(10_000);
  ids.forEach((id, k) => {
    call("AttachVolume", { VolumeId: vols[k], InstanceId: id, Device: "/dev/sdf" });
  });
  sb.advance(10_000);
  for (let k = 0; k < vols.length; k += 10) call("CreateSnapshot", { VolumeId: vols[k] });
  for (let k = 0; k < ids.length && k < 100; k += 20)
    call("AssociateAddress", {
      AllocationId: call("AllocateAddress", { Domain: "vpc" }).AllocationId,
      InstanceId: ids[k],
    });
  sb.advance(600_000);
  return sb;
}

const rssMB = () => process.resourceUsage().maxRSS / 1024;

async function exportSize(n: number) {
  let t = performance.now();
  const sb = workload(n);
  const buildS = (performance.now() - t) / 1000;
  const rssBefore = rssMB();
  t = performance.now();
  const plan = buildExportPlan(sb.state, { sandbox: "bench", accountId: ACCOUNT });
  const planMs = performance.now() - t;
  const synth = await defaultSynthesizer();
  t = performance.now();
  const json = await synth.synthJson(plan);
  const synthMs = performance.now() - t;
  t = performance.now();
  const hcl = await synth.synthHcl(plan);
  const hclMs = performance.now() - t;
  const resources = plan.blocks.filter((b) => b.kind === "resource").length;
  console.log(
    JSON.stringify({
      n,
      resources,
      buildS,
      planMs,
      synthMs,
      hclMs,
      jsonMB: JSON.stringify(json).length / 1e6,
      hclMB: hcl.length / 1e6,
      rssBeforeMB: rssBefore,
      peakRssMB: rssMB(),
    }),
  );
}

/** A copy of an inventory as another world would read it: new IDs, origin tags pointing back. */
function mirror(inv: Inventory): Inventory {
  const map = new Map(inv.resources.map((r, i) => [r.id, `x-${i.toString(16).padStart(8, "0")}`]));
  const m = (v: string) => map.get(v) ?? v;
  return {
    source: "mirror",
    warnings: [],
    resources: inv.resources.map((r) => ({
      ...r,
      id: m(r.id),
      origin: `bench/${r.id}`,
      tags: { ...r.tags },
      attrs: { ...r.attrs },
      refs: Object.fromEntries(Object.entries(r.refs).map(([k, v]) => [k, Array.isArray(v) ? v.map(m) : m(v)])),
    })),
  };
}

async function diffSize(n: number) {
  let t = performance.now();
  const a = workload(n, `bench-${n}-a`);
  const b = workload(n, `bench-${n}-b`);
  const buildS = (performance.now() - t) / 1000;
  t = performance.now();
  const from = readSandboxState(a.state, { accountId: ACCOUNT, source: "sandbox:a" });
  const readMs = performance.now() - t;
  const twin = readSandboxState(b.state, { accountId: ACCOUNT, source: "sandbox:b" });
  // Two sandboxes built by the same commands: no origin tags, every ID different.
  t = performance.now();
  const same = diffInventories(from, twin);
  const twinMs = performance.now() - t;
  const acting = (d: ReturnType<typeof diffInventories>) => d.changes.filter((c) => c.action !== "no-op").length;
  const to = mirror(from);
  // 1% drift: tags changed, 0.5% missing, 0.5% extra.
  to.resources.forEach((r, i) => {
    if (i % 100 === 0) r.tags.env = "drifted";
  });
  const extra = to.resources
    .filter((_, i) => i % 200 === 1)
    .map((r) => ({ ...r, id: `${r.id}-extra`, origin: undefined, name: `${r.name ?? r.id}-extra` }));
  to.resources = to.resources.filter((_, i) => i % 200 !== 2).concat(extra);
  t = performance.now();
  const d = diffInventories(from, to);
  const diffMs = performance.now() - t;
  // Without origin tags: content, names and keys only.
  const anon = { ...to, resources: to.resources.map((r) => ({ ...r, origin: undefined })) };
  t = performance.now();
  const d2 = diffInventories(from, anon);
  const diffNoOriginMs = performance.now() - t;
  t = performance.now();
  const text = renderPlan(d2);
  const json = diffJson(d2);
  const renderMs = performance.now() - t;
  console.log(
    JSON.stringify({
      n,
      resources: from.resources.length,
      buildS,
      readMs,
      twinMs,
      twinChanges: acting(same),
      twinCoverage: same.coverage.percent,
      diffMs,
      diffNoOriginMs,
      changes: acting(d),
      summary: d.summary,
      unmanaged: d.unmanaged.length,
      changesNoOrigin: acting(d2),
      summaryNoOrigin: d2.summary,
      unmanagedNoOrigin: d2.unmanaged.length,
      renderMs,
      textMB: text.length / 1e6,
      jsonMB: json.length / 1e6,
      peakRssMB: rssMB(),
    }),
  );
}

const [mode, size] = process.argv.slice(2);
if (mode === "export") await exportSize(Number(size));
else if (mode === "diff") await diffSize(Number(size));
else {
  const self = fileURLToPath(import.meta.url);
  const run = (args: string[]) =>
    JSON.parse(
      execFileSync(process.execPath, ["--import", "tsx", self, ...args], { encoding: "utf8", maxBuffer: 1 << 26 })
        .trim()
        .split("\n")
        .pop()!,
    );
  const sizes = (process.env.BRIDGE_BENCH_SIZES ?? "1000,10000").split(",").map(Number);
  console.log(
    "| instances | resources | workload build | plan | synth JSON | synth HCL | JSON | peak RSS (RSS before export) |",
  );
  console.log("|---:|---:|---:|---:|---:|---:|---:|---:|");
  for (const n of sizes) {
    const r = run(["export", String(n)]);
    console.log(
      `| ${r.n} | ${r.resources} | ${r.buildS.toFixed(1)} s | ${r.planMs.toFixed(0)} ms | ${r.synthMs.toFixed(0)} ms | ${r.hclMs.toFixed(0)} ms | ${r.jsonMB.toFixed(2)} MB | ${r.peakRssMB.toFixed(0)} MB (${r.rssBeforeMB.toFixed(0)} MB) |`,
    );
  }
  console.log(
    "\n| instances | resources | read sandbox | twins (no origin tags) | mirror + drift, origin tags | same, no origin tags | render text + JSON | peak RSS |",
  );
  console.log("|---:|---:|---:|---:|---:|---:|---:|---:|");
  for (const n of sizes) {
    const d = run(["diff", String(n)]);
    const s = (x: { add: number; change: number; destroy: number }) => `+${x.add} ~${x.change} -${x.destroy}`;
    console.log(
      `| ${d.n} | ${d.resources} | ${d.readMs.toFixed(0)} ms | ${d.twinMs.toFixed(0)} ms (${d.twinChanges} changes, coverage ${d.twinCoverage}%) | ${d.diffMs.toFixed(0)} ms (${s(d.summary)}, ${d.unmanaged} unmanaged) | ${d.diffNoOriginMs.toFixed(0)} ms (${s(d.summaryNoOrigin)}, ${d.unmanagedNoOrigin} unmanaged) | ${d.renderMs.toFixed(0)} ms (${d.textMB.toFixed(1)} + ${d.jsonMB.toFixed(1)} MB) | ${d.peakRssMB.toFixed(0)} MB |`,
    );
  }
}
