/**
 * cloud-init runs the user data on the first boot (R26: what an instance needs at start-up is
 * injected before it serves): `#cloud-config` and `#!` scripts, through the guest shell.
 */
import { describe, expect, it } from "vitest";
import { A, AL2023_X86, ami, ctx, launch, ok, sandbox, sh, UBUNTU_X86, waitFor } from "./r01-r13-helpers.ts";

const b64 = (s: string) => Buffer.from(s).toString("base64");

describe("cloud-init on first boot", () => {
  it("R26 a #cloud-config user data installs packages, writes files after them and enables the service", () => {
    const sb = sandbox("r26-cloud-config");
    const c = ctx(A);
    const userData = [
      "#cloud-config",
      "packages:",
      "  - nginx",
      "write_files:",
      "  - path: /usr/share/nginx/html/index.html",
      "    content: |",
      "      <h1>Cats from cloud-init</h1>",
      "    defer: true",
      "  - path: /etc/cats.conf",
      "    content: bWVvdz15ZXMK",
      "    encoding: b64",
      "    permissions: '0600'",
      "runcmd:",
      "  - systemctl enable --now nginx",
      "  - [sh, -c, 'echo started >> /var/log/cats.log']",
      "  - sh -c 'curl -s localhost > /tmp/first-page.html'",
    ].join("\n");
    const id = launch(sb, c, ami(AL2023_X86), "t3.micro", { UserData: b64(userData) }).instanceId;
    waitFor(sb, c, id, "running");
    expect(ok(sb, c, id, "curl -s localhost")).toBe("<h1>Cats from cloud-init</h1>\n");
    expect(ok(sb, c, id, "systemctl is-enabled nginx")).toBe("enabled\n");
    expect(ok(sb, c, id, "sudo cat /etc/cats.conf")).toBe("meow=yes\n");
    // runcmd runs after the service is up: a child shell sees it running.
    expect(ok(sb, c, id, "cat /tmp/first-page.html")).toBe("<h1>Cats from cloud-init</h1>\n");
    expect(sh(sb, c, id, "cat /etc/cats.conf").Output).toMatch(/Permission denied/);
    expect(ok(sb, c, id, "sudo cat /var/log/cloud-init-output.log")).toMatch(
      /dnf install -y 'nginx'[\s\S]*Complete![\s\S]*finished at/,
    );
    // Only the first boot runs it.
    sb.call(c, "StopInstances", { InstanceIds: [id] });
    waitFor(sb, c, id, "stopped");
    sb.call(c, "StartInstances", { InstanceIds: [id] });
    waitFor(sb, c, id, "running");
    expect(ok(sb, c, id, "cat /var/log/cats.log")).toBe("started\n");
    expect(ok(sb, c, id, "curl -s localhost")).toBe("<h1>Cats from cloud-init</h1>\n");
  });

  it("R26 a #! script runs as root line by line with the distribution's package manager", () => {
    const sb = sandbox("r26-script");
    const c = ctx(A);
    const script =
      "#!/bin/bash\n# install a web server\napt-get update -y\napt-get install -y nginx\necho '<p>ubuntu cats</p>' > /var/www/html/index.html\nsystemctl enable --now nginx\n";
    const id = launch(sb, c, ami(UBUNTU_X86), "t3.micro", { UserData: b64(script) }).instanceId;
    waitFor(sb, c, id, "running");
    expect(ok(sb, c, id, "curl -s localhost")).toBe("<p>ubuntu cats</p>\n");
    expect(ok(sb, c, id, "dpkg -l")).toMatch(/nginx/);
  });

  it("R26 user data cloud-init cannot read is logged and the instance still boots", () => {
    const sb = sandbox("r26-bad-yaml");
    const c = ctx(A);
    const id = launch(sb, c, ami(AL2023_X86), "t3.micro", {
      UserData: b64("#cloud-config\npackages: [nginx\n"),
    }).instanceId;
    waitFor(sb, c, id, "running");
    expect(ok(sb, c, id, "sudo cat /var/log/cloud-init-output.log")).toMatch(/not valid YAML/);
    expect(sh(sb, c, id, "systemctl is-active nginx").ExitCode).not.toBe(0);
  });

  it("R26 `cloud-init status --wait` says done once the instance runs, and `install` places a file with its mode and owner (what image builds run)", () => {
    const sb = sandbox("r26-status-install");
    const c = ctx(A);
    const id = launch(sb, c, ami(AL2023_X86), "t3.micro", {
      UserData: b64("#cloud-config\nwrite_files:\n  - path: /tmp/app.conf\n    content: port=8080\n"),
    }).instanceId;
    waitFor(sb, c, id, "running");
    expect(ok(sb, c, id, "cloud-init status --wait")).toBe("\nstatus: done\n");
    expect(sh(sb, c, id, "cloud-init init").ExitCode).toBe(2);
    // Without sudo: another owner, or a folder the user may not write, is refused.
    expect(sh(sb, c, id, "install -m 0600 -o root /tmp/app.conf /tmp/x.conf").Output).toMatch(
      /Operation not permitted/,
    );
    expect(sh(sb, c, id, "install /tmp/app.conf /etc/app.conf").Output).toMatch(/Permission denied/);
    expect(sh(sb, c, id, "install /tmp/nope /tmp/y").Output).toMatch(/cannot stat/);
    ok(sb, c, id, "sudo install -D -m 0640 -o ec2-user -g ec2-user /tmp/app.conf /opt/app/app.conf");
    expect(ok(sb, c, id, "cat /opt/app/app.conf")).toBe("port=8080");
    expect(ok(sb, c, id, "ls -l /opt/app/app.conf")).toMatch(/ec2-user/);
    ok(sb, c, id, "sudo install -m 0600 /tmp/app.conf /opt/app/secret.conf");
    expect(sh(sb, c, id, "cat /opt/app/secret.conf").Output).toMatch(/Permission denied/);
  });
});
