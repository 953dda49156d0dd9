/**
 * Shared set-up for the R1–R13 rule tests: a paused, seeded sandbox, accounts, catalog image IDs,
 * launching and waiting in simulated time, the guest shell, and EC2 error assertions.
 */
import { expect } from "vitest";
import { type CallContext, catalogImageId, isEc2Error, Sandbox } from "../src/index.ts";

export const A = "111122223333";
export const B = "444455556666";
export const US = "us-east-1";
export const EU = "eu-west-1";

export const AL2023_X86 = "al2023-ami-2023.6.20241212.0-kernel-6.1-x86_64";
export const AL2023_ARM = "al2023-ami-2023.6.20241212.0-kernel-6.1-arm64";
export const UBUNTU_X86 = "ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-20241206";
export const DEBIAN_I386 = "debian-12-i386-hvm-20241201";
export const DEBIAN_INSTANCE_STORE = "debian-12-instance-store-x86_64-20241015";
export const NGINX_PLUS_X86 = "nginx-plus-r33-al2023-x86_64-cis-l1-20241209-3f0a5c9e-6d1b-4a77-9e2b-8c41d5f07a12";
export const WINDOWS_2022 = "Windows_Server-2022-English-Full-Base-2024.12.13";

/** The ID of a catalog image (Quick Start, Marketplace, Community) in a region. */
export const ami = (name: string, region = US) => catalogImageId(region, name);

export const ctx = (accountId = A, region = US): CallContext => ({ accountId, region });

/** A paused sandbox (the clock moves only with `advance`) with account A, and any extra accounts. */
export function sandbox(seed = "rules-r01-r13", ...more: Parameters<Sandbox["createAccount"]>[0][]): Sandbox {
  const sb = new Sandbox({ seed, realNow: () => 0 });
  sb.createAccount({ accountId: A });
  for (const spec of more) sb.createAccount(spec);
  return sb;
}

/** Runs `fn` and checks it fails with this EC2 error code (and message, when given). */
export function expectEc2Error(fn: () => unknown, code: string, message?: string | RegExp): void {
  let thrown: unknown;
  try {
    fn();
  } catch (e) {
    thrown = e;
  }
  expect(thrown, `expected ${code}`).toBeDefined();
  expect(isEc2Error(thrown), `expected an Ec2Error, got ${String(thrown)}`).toBe(true);
  const err = thrown as { code: string; message: string };
  expect(err.code).toBe(code);
  if (message !== undefined) {
    if (typeof message === "string") expect(err.message).toBe(message);
    else expect(err.message).toMatch(message);
  }
}

export interface Launched {
  instanceId: string;
  state: { Code?: number; Name?: string };
}

export function launch(
  sb: Sandbox,
  c: CallContext,
  imageId: string,
  instanceType: string,
  extra: Record<string, unknown> = {},
): Launched {
  const out = sb.call(c, "RunInstances", {
    ImageId: imageId,
    InstanceType: instanceType,
    MinCount: 1,
    MaxCount: 1,
    ...extra,
  }).output;
  const i = out.Instances[0];
  return { instanceId: i.InstanceId, state: i.State };
}

export function describeInstance(sb: Sandbox, c: CallContext, id: string) {
  return sb.call(c, "DescribeInstances", { InstanceIds: [id] }).output.Reservations[0].Instances[0];
}

export const stateOf = (sb: Sandbox, c: CallContext, id: string): { Code: number; Name: string } =>
  describeInstance(sb, c, id).State;

/** Advances the clock a second at a time until the instance is in `state`; returns the ms it took. */
export function waitFor(sb: Sandbox, c: CallContext, id: string, state: string, limitMs = 3_600_000): number {
  let waited = 0;
  while (stateOf(sb, c, id).Name !== state) {
    if (waited >= limitMs) throw new Error(`${id} not ${state} after ${waited} ms (is ${stateOf(sb, c, id).Name})`);
    sb.advance(1000);
    waited += 1000;
  }
  return waited;
}

export function describeImage(sb: Sandbox, c: CallContext, id: string) {
  return sb.call(c, "DescribeImages", { ImageIds: [id] }).output.Images[0];
}

/** Advances until the image is `available`; returns the ms it took. */
export function waitImage(sb: Sandbox, c: CallContext, id: string, limitMs = 3_600_000): number {
  let waited = 0;
  while (describeImage(sb, c, id).State !== "available") {
    if (waited >= limitMs) throw new Error(`${id} not available after ${waited} ms`);
    sb.advance(1000);
    waited += 1000;
  }
  return waited;
}

/** One command line in the guest shell, as the login user. */
export function sh(sb: Sandbox, c: CallContext, id: string, command: string): { Output: string; ExitCode: number } {
  return sb.call(c, "GuestRun", { InstanceId: id, Command: command }).output;
}

/** Runs a command and checks it succeeds; returns its output. */
export function ok(sb: Sandbox, c: CallContext, id: string, command: string): string {
  const r = sh(sb, c, id, command);
  expect(r.ExitCode, `${command}\n${r.Output}`).toBe(0);
  return r.Output;
}
