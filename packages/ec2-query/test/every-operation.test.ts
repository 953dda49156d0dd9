/**
 * Every operation in the model, both directions, with the real SDK as the oracle: random inputs
 * serialized by the SDK's EC2 Query serializer parse back to the same input, and random outputs
 * written by our serializer parse back (through the SDK's XML deserializer) to the same output.
 */
import * as ec2 from "@aws-sdk/client-ec2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createQueryHandler, findOperation, listOperations, parseQueryRequest } from "../src/index.ts";
import { type RunningEndpoint, serve } from "./http-harness.ts";
import { prng, randomStruct } from "./random-values.ts";

type AnyCommandCtor = new (
  input: Record<string, unknown>,
) => ec2.EC2Client extends { send(c: infer C): unknown } ? C : never;
const commandFor = (action: string): AnyCommandCtor | undefined =>
  (ec2 as unknown as Record<string, AnyCommandCtor | undefined>)[`${action}Command`];

/** Operations whose SDK middleware rewrites the input (CopySnapshot presigns a URL into it). */
const REWRITTEN_BY_SDK = new Set(["CopySnapshot"]);

const credentials = { accessKeyId: "AKIATEST", secretAccessKey: "secret" };

describe("every operation in the model", () => {
  it("lists all EC2 actions", () => {
    const actions = listOperations();
    expect(actions.length).toBeGreaterThan(700);
    for (const a of [
      "DescribeImages",
      "RunInstances",
      "CreateImage",
      "CopyImage",
      "ImportKeyPair",
      "TerminateInstances",
    ]) {
      expect(actions).toContain(a);
    }
  });

  it("parses what the SDK serializes, for random inputs of every action", async () => {
    let captured = "";
    const client = new ec2.EC2Client({
      endpoint: "http://127.0.0.1:9",
      region: "us-east-1",
      credentials,
      maxAttempts: 1,
    });
    client.middlewareStack.add(
      (_next) => async (args) => {
        captured = (args.request as { body: string }).body;
        throw new Error("captured");
      },
      { step: "build", priority: "low" },
    );
    const rnd = prng(20241212);
    let checked = 0;
    for (const action of listOperations()) {
      const Command = commandFor(action);
      if (!Command || REWRITTEN_BY_SDK.has(action)) continue;
      const operation = findOperation(action)!;
      for (let round = 0; round < 3; round++) {
        const input = randomStruct(operation.input, rnd, { wholeSecondTimestamps: true, fillIdempotencyTokens: true })!;
        captured = "";
        await client.send(new Command(input)).catch(() => undefined);
        const parsed = parseQueryRequest(captured);
        if (parsed.action !== action) throw new Error(`action mismatch for ${action}`);
        expect(parsed.input, `${action} from ${captured}`).toEqual(input);
        checked++;
      }
    }
    client.destroy();
    expect(checked).toBeGreaterThan(2000);
  });

  describe("responses", () => {
    let endpoint: RunningEndpoint;
    let client: ec2.EC2Client;
    const outputs = new Map<string, unknown>();
    beforeAll(async () => {
      endpoint = await serve(
        createQueryHandler({
          dispatch: (action) => outputs.get(action),
          credentials: () => undefined,
          acceptAnySignature: true,
        }),
      );
      client = new ec2.EC2Client({ endpoint: endpoint.endpoint, region: "us-east-1", credentials, maxAttempts: 1 });
    });
    afterAll(async () => {
      client.destroy();
      await endpoint.close();
    });

    it("the SDK reads back what we serialize, for random outputs of every action", async () => {
      const rnd = prng(7);
      let checked = 0;
      let elements = 0;
      for (const action of listOperations()) {
        const Command = commandFor(action);
        const operation = findOperation(action)!;
        if (!Command || operation.output.kind !== "struct" || REWRITTEN_BY_SDK.has(action)) continue;
        const output = randomStruct(operation.output, rnd, {
          wholeSecondTimestamps: false,
          fillIdempotencyTokens: false,
          memberProbability: 0.7,
          maxDepth: 8,
        })!;
        elements += JSON.stringify(output).length;
        outputs.set(action, output);
        const { $metadata, ...got } = (await client.send(new Command({}))) as unknown as Record<string, unknown>;
        expect($metadata).toBeDefined();
        expect(got, action).toEqual(output);
        checked++;
      }
      expect(checked).toBeGreaterThan(700);
      // The outputs are not trivially small: some hundreds of kilobytes of JSON in all.
      expect(elements).toBeGreaterThan(200_000);
    });
  });
});
