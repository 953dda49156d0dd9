/**
 * Two details of what an image keeps: files holding the instance's addresses are dropped only when
 * they hold that exact address (R8), and cloud-init adds the new launch key to authorized_keys while
 * keeping the keys the image already carried (R18), as real AMIs do.
 */
import { describe, expect, it } from "vitest";
import {
  A,
  AL2023_X86,
  ami,
  ctx,
  describeInstance,
  launch,
  ok,
  sandbox,
  sh,
  waitFor,
  waitImage,
} from "./r01-r13-helpers.ts";

describe("runtime data and keys in the AMI chain", () => {
  it("R8 a file naming a longer address that only starts with the instance's IP is kept", () => {
    const sb = sandbox("r08-ip-boundary");
    const c = ctx(A);
    const i1 = launch(sb, c, ami(AL2023_X86), "t3.micro").instanceId;
    waitFor(sb, c, i1, "running");
    const ip: string = describeInstance(sb, c, i1).PrivateIpAddress;
    const longer = `${ip}0`; // e.g. 172.31.0.4 -> 172.31.0.40, another host
    ok(sb, c, i1, `echo 'bind ${ip}' | sudo tee /etc/myapp.conf`);
    ok(sb, c, i1, `echo 'peer ${longer}' | sudo tee /etc/peers.conf`);
    const img = sb.call(c, "CreateImage", { InstanceId: i1, Name: "boundary", NoReboot: true }).output.ImageId;
    waitImage(sb, c, img);
    const i2 = launch(sb, c, img, "t3.micro").instanceId;
    waitFor(sb, c, i2, "running");
    expect(sh(sb, c, i2, "cat /etc/myapp.conf").Output).toMatch(/No such file/);
    expect(ok(sb, c, i2, "cat /etc/peers.conf")).toBe(`peer ${longer}\n`);
  });

  it("R18 an instance launched from an AMI has the new key pair's key added beside the keys the image carried", () => {
    const sb = sandbox("r18-authorized-keys");
    const c = ctx(A);
    const k1 = sb.call(c, "CreateKeyPair", { KeyName: "first" }).output;
    const k2 = sb.call(c, "CreateKeyPair", { KeyName: "second", KeyType: "ed25519" }).output;
    const i1 = launch(sb, c, ami(AL2023_X86), "t3.micro", { KeyName: "first" }).instanceId;
    waitFor(sb, c, i1, "running");
    const img = sb.call(c, "CreateImage", { InstanceId: i1, Name: "with-first-key", NoReboot: true }).output.ImageId;
    waitImage(sb, c, img);
    const i2 = launch(sb, c, img, "t3.micro", { KeyName: "second" }).instanceId;
    waitFor(sb, c, i2, "running");
    const keys = ok(sb, c, i2, "cat /home/ec2-user/.ssh/authorized_keys").trim().split("\n");
    const pub1 = sb
      .call(c, "DescribeKeyPairs", { KeyNames: ["first"], IncludePublicKey: true })
      .output.KeyPairs[0].PublicKey.split(" ")
      .slice(0, 2)
      .join(" ");
    const pub2 = sb
      .call(c, "DescribeKeyPairs", { KeyNames: ["second"], IncludePublicKey: true })
      .output.KeyPairs[0].PublicKey.split(" ")
      .slice(0, 2)
      .join(" ");
    expect(keys.map((l) => l.split(" ").slice(0, 2).join(" "))).toEqual([pub1, pub2]);
    expect(k1.KeyMaterial).toBeTruthy();
    expect(k2.KeyMaterial).toBeTruthy();
    // A reboot does not add the key again.
    sb.call(c, "RebootInstances", { InstanceIds: [i2] });
    expect(ok(sb, c, i2, "cat /home/ec2-user/.ssh/authorized_keys").trim().split("\n")).toHaveLength(2);
  });
});
