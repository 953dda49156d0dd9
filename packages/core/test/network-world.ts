/**
 * Set-up shared by the networking rule tests (R27–R32): a paused, seeded sandbox with two accounts,
 * calls that return the answer or the EC2 error, launching and waiting in simulated time, and a
 * "VPC with a public subnet" built the way the AWS documentation builds it.
 */
import { expect } from "vitest";
import { type CallContext, type EventEnvelope, Sandbox } from "../src/index.ts";
import { AL2023_X86, ami } from "./r01-r13-helpers.ts";

export const ME = "111122223333";
export const OTHER = "444455556666";
export const MY_IP = "203.0.113.10";
export const REGION = "us-east-1";

export type Any = any;

export interface EC2Failure {
  code: string;
  message: string;
}

export function networkWorld(seed: string) {
  const sb = new Sandbox({ seed, realNow: () => 0 });
  sb.createAccount({ accountId: ME, callerIp: MY_IP });
  sb.createAccount({ accountId: OTHER, callerIp: "198.51.100.20" });
  const log: EventEnvelope[] = [];
  sb.subscribe((evs) => log.push(...evs));
  const me: CallContext = { accountId: ME, region: REGION };
  const call = (action: string, input: Record<string, unknown> = {}, c: CallContext = me): Any =>
    sb.call(c, action, input).output;
  const fail = (action: string, input: Record<string, unknown> = {}, c: CallContext = me): EC2Failure => {
    try {
      sb.call(c, action, input);
    } catch (e) {
      const err = e as { code?: string; message: string };
      if (!err.code) throw e;
      return { code: err.code, message: err.message };
    }
    throw new Error(`${action} succeeded; expected an error`);
  };
  const instance = (id: string, c: CallContext = me): Any =>
    call("DescribeInstances", { InstanceIds: [id] }, c).Reservations[0].Instances[0];
  const launch = (extra: Record<string, unknown> = {}, c: CallContext = me): Any =>
    call("RunInstances", { ImageId: ami(AL2023_X86), InstanceType: "t3.micro", MinCount: 1, MaxCount: 1, ...extra }, c);
  /** Steps the clock until the instance is in `state`. */
  const until = (id: string, state: string, c: CallContext = me, limitMs = 900_000): void => {
    for (let waited = 0; waited <= limitMs; waited += 1000) {
      if (instance(id, c).State.Name === state) return;
      sb.advance(1000);
    }
    throw new Error(`${id} did not reach ${state}`);
  };
  const subnet = (id: string, c: CallContext = me): Any => call("DescribeSubnets", { SubnetIds: [id] }, c).Subnets[0];
  const vpc = (id: string, c: CallContext = me): Any => call("DescribeVpcs", { VpcIds: [id] }, c).Vpcs[0];
  const tag = (type: string, name: string) => [{ ResourceType: type, Tags: [{ Key: "Name", Value: name }] }];
  return { sb, log, me, call, fail, instance, launch, until, subnet, vpc, tag };
}

export type NetworkWorld = ReturnType<typeof networkWorld>;

/** Asserts an EC2 failure's code and (part of) its message. */
export function expectFailure(f: EC2Failure, code: string, message?: string | RegExp): void {
  expect(f.code, f.message).toBe(code);
  if (typeof message === "string") expect(f.message).toContain(message);
  else if (message) expect(f.message).toMatch(message);
}
