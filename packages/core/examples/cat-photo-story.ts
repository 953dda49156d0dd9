/**
 * The seeds' story, told through core's public API: AMI #1 -> instance #1 (key pair, security
 * group) -> install nginx and write the cat photo app -> AMI #2 -> instance #2 serves the same app
 * -> copy AMI #2 to another region -> share it with an account and an OU -> deregister AMI #1
 * (instance #1 keeps running) -> stop/start, terminate -> the cost report.
 */
import { type CallContext, formatDuration, Sandbox } from "@ec2sim/core";

const sb = new Sandbox({ seed: "cat-photo-story", realNow: () => 0 });
const org = "arn:aws:organizations::111122223333:organization/o-a1b2c3d4e5";
const ou = "arn:aws:organizations::111122223333:ou/o-a1b2c3d4e5/ou-ab12-cdef3456";
const me = sb.createAccount({ accountId: "111122223333", alias: "cats-prod", organizationArn: org }).output;
const friend = sb.createAccount({
  accountId: "444455556666",
  organizationArn: org,
  ouArn: `${ou}/ou-ab12-77778888`,
}).output;
const ctx: CallContext = { accountId: me.accountId, region: "us-east-1" };
const start = sb.now;

const bold = (s: string) => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s);
const dim = (s: string) => (process.stdout.isTTY ? `\x1b[2m${s}\x1b[0m` : s);
const step = (title: string) => console.log(`\n${bold(`▸ ${title}`)}  ${dim(`[t+${formatDuration(sb.now - start)}]`)}`);
const call = <T = any>(action: string, input: Record<string, unknown>, c: CallContext = ctx): T =>
  sb.call<T>(c, action, input).output;
const sh = (id: string, cmd: string) => {
  const r = call<{ Output: string; ExitCode: number }>("GuestRun", { InstanceId: id, Command: cmd });
  console.log(`  ${dim("$")} ${cmd}`);
  const lines = r.Output.trimEnd().split("\n");
  for (const l of lines.slice(0, 6)) console.log(`    ${l}`);
  if (lines.length > 6) console.log(dim(`    … ${lines.length - 6} more lines`));
  return r;
};
const waitFor = (what: string, ms: number) => {
  sb.advance(ms);
  console.log(dim(`  (clock +${formatDuration(ms)}: ${what})`));
};
const stateOf = (id: string) => call("DescribeInstances", { InstanceIds: [id] }).Reservations[0].Instances[0].State;

step("AMI #1: the newest Amazon Linux 2023 Quick Start image");
const images = call("DescribeImages", {
  Owners: ["amazon"],
  Filters: [
    { Name: "name", Values: ["al2023-ami-2023.*-x86_64"] },
    { Name: "state", Values: ["available"] },
  ],
}).Images;
const ami1 = images.sort((a: any, b: any) => b.CreationDate.localeCompare(a.CreationDate))[0];
console.log(`  ${ami1.ImageId}  ${ami1.Name}  (${ami1.ImageOwnerAlias}, ${ami1.RootDeviceType}, ${ami1.Architecture})`);

step("A key pair and a security group with SSH and HTTP");
const key = call("CreateKeyPair", { KeyName: "cats-key" });
console.log(
  `  key pair ${key.KeyName} (${key.KeyPairId}) fingerprint ${key.KeyFingerprint} — private key returned once`,
);
const sg = call("CreateSecurityGroup", { GroupName: "cats-web", Description: "SSH from my IP, HTTP from anywhere" });
call("AuthorizeSecurityGroupIngress", {
  GroupId: sg.GroupId,
  IpPermissions: [
    { IpProtocol: "tcp", FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: "203.0.113.10/32", Description: "my IP" }] },
    { IpProtocol: "tcp", FromPort: 80, ToPort: 80, IpRanges: [{ CidrIp: "0.0.0.0/0" }] },
  ],
});
console.log(`  security group ${sg.GroupId}: tcp/22 from 203.0.113.10/32, tcp/80 from 0.0.0.0/0`);

step("Instance #1 from AMI #1");
const run1 = call("RunInstances", {
  ImageId: ami1.ImageId,
  InstanceType: "t3.micro",
  MinCount: 1,
  MaxCount: 1,
  KeyName: "cats-key",
  SecurityGroupIds: [sg.GroupId],
  TagSpecifications: [
    {
      ResourceType: "instance",
      Tags: [
        { Key: "Name", Value: "cats-1" },
        { Key: "app", Value: "cats" },
      ],
    },
  ],
});
const i1 = run1.Instances[0].InstanceId;
console.log(
  `  ${i1} ${run1.Instances[0].State.Name} (${run1.Instances[0].State.Code}) in ${run1.Instances[0].Placement.AvailabilityZone}, public IP ${run1.Instances[0].PublicIpAddress}`,
);
waitFor("boot", 60_000);
console.log(`  ${i1} is ${stateOf(i1).Name} (${stateOf(i1).Code})`);

step("SSH in with the key, install nginx and write the cat photo app");
const session = call("SshConnect", { InstanceId: i1, PrivateKey: key.KeyMaterial });
console.log(`  ssh -i cats-key.pem ${session.User}@${session.Host}  → connected to ${session.Hostname}`);
sh(i1, "sudo dnf install -y nginx");
sh(i1, `echo '<h1>Cat photos</h1><img src="/cats/tabby.jpg">' | sudo tee /usr/share/nginx/html/index.html`);
sh(
  i1,
  "sudo mkdir -p /usr/share/nginx/html/cats && echo 'JPEG…tabby' | sudo tee /usr/share/nginx/html/cats/tabby.jpg > /dev/null",
);
sh(i1, "sudo systemctl enable --now nginx");
sh(i1, "curl -s localhost");

step("AMI #2 from instance #1 (CreateImage: snapshots, runtime data dropped)");
const ami2 = call("CreateImage", {
  InstanceId: i1,
  Name: "MyCustomAMI",
  Description: "Cat photo app on AL2023",
  TagSpecifications: [{ ResourceType: "image", Tags: [{ Key: "Version", Value: "1.0.0" }] }],
});
console.log(`  ${ami2.ImageId} ${call("DescribeImages", { ImageIds: [ami2.ImageId] }).Images[0].State}`);
waitFor("snapshot and image", 120_000);
const ami2d = call("DescribeImages", { Owners: ["self"] }).Images[0];
console.log(
  `  ${ami2d.ImageId} ${ami2d.Name} ${ami2d.State}, root snapshot ${ami2d.BlockDeviceMappings[0].Ebs.SnapshotId}`,
);

step("Instance #2 from AMI #2 has the same app");
const run2 = call("RunInstances", {
  ImageId: ami2.ImageId,
  InstanceType: "t3.micro",
  MinCount: 1,
  MaxCount: 1,
  KeyName: "cats-key",
  SecurityGroupIds: [sg.GroupId],
  TagSpecifications: [
    {
      ResourceType: "instance",
      Tags: [
        { Key: "Name", Value: "cats-2" },
        { Key: "app", Value: "cats" },
      ],
    },
  ],
});
const i2 = run2.Instances[0].InstanceId;
waitFor("boot", 60_000);
sh(i2, "curl -s localhost");
sh(i2, "systemctl is-active nginx");
sh(i2, "hostname");

step("Copy AMI #2 to eu-west-1 (new ID, its own snapshots)");
const copy = call(
  "CopyImage",
  { SourceImageId: ami2.ImageId, SourceRegion: "us-east-1", Name: "MyCustomAMI" },
  { ...ctx, region: "eu-west-1" },
);
console.log(`  eu-west-1 ${copy.ImageId} (copy of us-east-1 ${ami2.ImageId})`);

step("Share AMI #2 with an account and an OU");
const shared = call("ModifyImageAttribute", {
  ImageId: ami2.ImageId,
  LaunchPermission: { Add: [{ UserId: friend.accountId }, { OrganizationalUnitArn: ou }] },
});
console.log(
  `  launch permissions: ${call("DescribeImageAttribute", { ImageId: ami2.ImageId, Attribute: "launchPermission" })
    .LaunchPermissions.map((p: any) => p.UserId ?? p.OrganizationalUnitArn)
    .join(", ")}`,
);
if (shared.Warnings) for (const w of shared.Warnings) console.log(`  ⚠ ${w}`);
const seen = call("DescribeImages", { ImageIds: [ami2.ImageId] }, { accountId: friend.accountId, region: "us-east-1" })
  .Images[0];
console.log(`  account ${friend.accountId} now sees ${seen.ImageId} (${seen.Name})`);

waitFor("cross-region copy", 300_000);
console.log(
  `  eu-west-1 ${copy.ImageId} is ${call("DescribeImages", { ImageIds: [copy.ImageId] }, { ...ctx, region: "eu-west-1" }).Images[0].State}`,
);

// AMI #1 is Amazon's to deregister, not ours: the same rule shows on AMI #2, which instance #2 runs from.
step("Deregister AMI #2: instance #2, launched from it, keeps running; new launches fail");
call("DeregisterImage", { ImageId: ami2.ImageId });
console.log(`  ${i2} is still ${stateOf(i2).Name}`);
try {
  call("RunInstances", { ImageId: ami2.ImageId, InstanceType: "t3.micro", MinCount: 1, MaxCount: 1 });
} catch (e: any) {
  console.log(`  RunInstances ${ami2.ImageId}: ${e.code}: ${e.message}`);
}

step("Stop and start instance #1 (EBS-backed), then terminate both");
call("StopInstances", { InstanceIds: [i1] });
waitFor("stop", 60_000);
console.log(`  ${i1} ${stateOf(i1).Name} (${stateOf(i1).Code})`);
call("StartInstances", { InstanceIds: [i1] });
waitFor("start", 30_000);
console.log(`  ${i1} ${stateOf(i1).Name}; the app is still there:`);
sh(i1, "curl -s localhost");
waitFor("an hour of serving cats", 3_600_000);
call("TerminateInstances", { InstanceIds: [i1, i2] });
waitFor("shutdown", 60_000);
console.log(`  ${i1} ${stateOf(i1).Name} (${stateOf(i1).Code}), ${i2} ${stateOf(i2).Name}`);

step("The cost report");
const report = sb.costReport(me.accountId);
for (const l of report.lines) {
  const q = l.unit === "seconds" ? `${l.quantity} s` : `${l.quantity.toFixed(6)} GB-mo`;
  console.log(
    `  ${l.resourceId.padEnd(24)} ${l.kind.padEnd(9)} ${q.padStart(16)}  $${l.usd.toFixed(6)}  ${dim(l.detail)}`,
  );
}
console.log(`  ${"total".padEnd(24)} ${"".padEnd(9)} ${"".padStart(16)}  $${report.total.toFixed(6)}`);
console.log(`\n${sb.state.seq} events recorded; the same seed replays to the same IDs, times and bill.`);
