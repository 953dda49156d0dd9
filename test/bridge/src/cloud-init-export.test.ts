/**
 * Safe cloud-init (issue 16): what was done inside a guest exports as user data that applies on
 * EC2 and means the same thing. A guest with a 40 KB file, an append to ~/.bashrc and /etc/hosts,
 * httpd installed (which pulls in apr, apr-util, mailcap) and a file holding a password is
 * exported through the `ec2sim` CLI, applied with real terraform into an empty sandbox, and the new
 * guest is read back: the big file arrived (gzip + user_data_base64), the appended files kept
 * their image's lines, the password file stayed behind (listed), only httpd was asked for. A
 * 40 KB file that does not compress fails the export, naming the file.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { adminOk, credentialsFor, type ServerProcess } from "@ec2sim/test-harness";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminCall, ec2sim, removeTempDirs, startServer, tempDir, terraform, terraformCliConfig } from "./harness.ts";
import { newestImage } from "./newest-image.ts";

type Json = Record<string, any>;
let server: ServerProcess;
let instanceA: string;
let tfEnv: NodeJS.ProcessEnv;
const BIG = `${"The cat sat on the mat and looked at the photos of other cats. ".repeat(640)}`.trim(); // ~40 KB
const SECRET = "db_password = s3cr3t-cats-2024";

const sh = async (sandbox: string, instanceId: string, command: string): Promise<string> => {
  const r = await adminCall(server.url, sandbox)("GuestRun", { InstanceId: instanceId, Command: command });
  if (r.ExitCode !== 0) throw new Error(`${command.slice(0, 80)}: exit ${r.ExitCode}: ${r.Output}`);
  return r.Output as string;
};
const advance = (sandbox: string, ms: number) =>
  adminOk(server.url, "POST", `/sandboxes/${sandbox}/clock`, { advance: ms });
const exportA = (dir: string, extra: string[] = []) =>
  ec2sim(["export", "--server", server.url, "--sandbox", "A", "--format", "json", "--out", dir, ...extra]);

beforeAll(async () => {
  server = await startServer(["A", "B", "C"]);
  const call = adminCall(server.url, "A");
  const ami = newestImage(
    (
      await call("DescribeImages", {
        Owners: ["amazon"],
        Filters: [{ Name: "name", Values: ["al2023-ami-2023.*-x86_64"] }],
      })
    ).Images,
  ).ImageId;
  instanceA = (
    await call("RunInstances", {
      ImageId: ami,
      InstanceType: "t3.micro",
      MinCount: 1,
      MaxCount: 1,
      TagSpecifications: [{ ResourceType: "instance", Tags: [{ Key: "Name", Value: "app-1" }] }],
    })
  ).Instances[0].InstanceId;
  await advance("A", 60_000);
  await sh("A", instanceA, "sudo dnf install -y httpd");
  await sh("A", instanceA, "echo 'export APP_HOME=/opt/app' >> ~/.bashrc");
  await sh("A", instanceA, "echo '10.0.0.5 db.internal' | sudo tee -a /etc/hosts");
  await sh("A", instanceA, `echo '${BIG}' | sudo tee /opt/app/catalogue.txt > /dev/null`);
  await sh("A", instanceA, `echo '${SECRET}' | sudo tee /etc/app.secret > /dev/null`);
  await sh("A", instanceA, "echo 'port=8080' | sudo tee /opt/app/app.conf > /dev/null");
  await sh("A", instanceA, "sudo chmod 640 /opt/app/app.conf && sudo chown ec2-user:ec2-user /opt/app/app.conf");
  const credsB = await credentialsFor(server.url, "B");
  tfEnv = {
    TF_CLI_CONFIG_FILE: await terraformCliConfig(join(tempDir("cli"), "cli")),
    EC2SIM_ENDPOINT: `${server.url}/sandbox/B`,
    EC2SIM_TF_POLL_MS: "50",
    AWS_ACCESS_KEY_ID: credsB.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credsB.secretAccessKey,
  };
}, 300_000);

afterAll(async () => {
  await server?.stop();
  removeTempDirs();
});

/** The exported instance's cloud-config, whichever attribute carries it. */
function userDataOf(dir: string): string {
  const json = JSON.parse(readFileSync(join(dir, "cdk.tf.json"), "utf8")) as Json;
  const [inst] = Object.values(json.resource.aws_instance as Json) as Json[];
  if (inst!.user_data_base64) return gunzipSync(Buffer.from(inst!.user_data_base64, "base64")).toString("utf8");
  return inst!.user_data;
}

describe("safe cloud-init", () => {
  let dir: string;

  it("a 40 KB file: the user data goes gzip-compressed as user_data_base64, under EC2's 16 KB", async () => {
    dir = tempDir("gz");
    const r = await exportA(dir);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const json = JSON.parse(readFileSync(join(dir, "cdk.tf.json"), "utf8")) as Json;
    const inst = Object.values(json.resource.aws_instance as Json)[0] as Json;
    expect(inst.user_data).toBeUndefined();
    expect(Buffer.from(inst.user_data_base64, "base64").length).toBeLessThanOrEqual(16384);
    expect(userDataOf(dir)).toContain(BIG);
  });

  it("appends stay appends; owner and mode are kept; packages are what was asked for; the password file is left out and listed", () => {
    const ud = userDataOf(dir);
    expect(ud).toMatch(
      /- path: \/home\/ec2-user\/\.bashrc\n {4}permissions: "0644"\n {4}owner: ec2-user:ec2-user\n {4}append: true\n {4}defer: true\n {4}content: \|\n {6}export APP_HOME=\/opt\/app\n/,
    );
    // Only the added line of /etc/hosts, appended to the image's own.
    expect(ud).toMatch(
      /- path: \/etc\/hosts\n[^-]*append: true\n {4}defer: true\n {4}content: \|\n {6}10\.0\.0\.5 db\.internal\n/,
    );
    expect(ud).toMatch(/\npackages:\n {2}- httpd\nwrite_files:/);
    // Owner and mode as the guest has them.
    expect(ud).toMatch(/- path: \/opt\/app\/app\.conf\n {4}permissions: "0640"\n {4}owner: ec2-user:ec2-user\n/);
    expect(ud).not.toContain(SECRET);
    expect(ud).not.toContain("/etc/app.secret");
    const notExported = readFileSync(join(dir, "NOT-EXPORTED.md"), "utf8");
    expect(notExported).toMatch(
      new RegExp(`\`${instanceA}:/etc/app\\.secret\` \\| guest file \\| .*a password or token`),
    );
  });

  it("terraform apply into an empty sandbox: the guest gets the file, keeps its image's lines, has httpd and its dependencies", async () => {
    const init = await terraform(["init", "-input=false", "-no-color"], dir, tfEnv);
    expect(init.code, init.out).toBe(0);
    const apply = await terraform(["apply", "-auto-approve", "-input=false", "-no-color"], dir, tfEnv);
    expect(apply.out).toMatch(/Apply complete! Resources: 1 added/);
    const state = JSON.parse((await terraform(["show", "-json"], dir, tfEnv)).out) as Json;
    const idB = state.values.root_module.resources.find((x: Json) => x.type === "aws_instance").values.id as string;
    await advance("B", 60_000);
    expect((await sh("B", idB, "cat /opt/app/catalogue.txt")).trim()).toBe(BIG);
    const hostsA = await sh("A", instanceA, "cat /etc/hosts");
    expect(await sh("B", idB, "cat /etc/hosts")).toBe(hostsA);
    expect(await sh("B", idB, "cat ~/.bashrc")).toBe("export APP_HOME=/opt/app\n");
    const rpm = await sh("B", idB, "rpm -qa");
    for (const p of ["httpd", "apr", "apr-util", "mailcap"]) expect(rpm).toMatch(new RegExp(`^${p}-`, "m"));
    expect(
      await adminCall(server.url, "B")("GuestRun", { InstanceId: idB, Command: "cat /etc/app.secret" }),
    ).toMatchObject({
      ExitCode: 1,
    });
  }, 180_000);

  it("--include-secrets puts the password file in; --pin-packages pins versions", async () => {
    const d = tempDir("secrets");
    const r = await exportA(d, ["--include-secrets", "--pin-packages"]);
    expect(r.code).toBe(0);
    const ud = userDataOf(d);
    expect(ud).toContain(`- path: /etc/app.secret`);
    expect(ud).toContain(SECRET);
    expect(ud).toMatch(/\npackages:\n {2}- \[httpd, "2\.4\.\d+[^"]*"\]\n/);
    expect(readFileSync(join(d, "NOT-EXPORTED.md"), "utf8")).not.toContain("/etc/app.secret");
  });

  it("a 40 KB file that does not compress fails the export, naming the file, and writes nothing", async () => {
    let noise = "";
    for (let i = 0; noise.length < 44_000; i++) noise += createHash("sha256").update(String(i)).digest("base64");
    await sh("A", instanceA, `echo '${noise}' | sudo tee /opt/app/noise.bin > /dev/null`);
    const d = tempDir("toobig");
    const r = await exportA(d);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /app-1 \(i-[0-9a-f]+\): its user data would be [\d.]+ KB, [\d.]+ KB gzip-compressed; EC2 takes at most 16 KB/,
    );
    expect(r.stderr).toMatch(
      /The largest files written inside it:\n {2}\/opt\/app\/noise\.bin \(43\.\d KB\)\n {2}\/opt\/app\/catalogue\.txt \(39\.\d KB\)\nRemove/,
    );
    expect(r.stderr).toMatch(/S3 .* is not generated by ec2sim export/);
    expect(() => readFileSync(join(d, "cdk.tf.json"))).toThrow();
  });
});
