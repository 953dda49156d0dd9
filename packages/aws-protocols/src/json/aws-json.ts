/**
 * The awsJson1.1 protocol (SSM), server side, driven by the model: the action comes from
 * `X-Amz-Target: AmazonSSM.GetParameter`, the input is the JSON body checked member by member
 * against the operation's input shape (timestamps as epoch seconds, blobs as base64), the answer is
 * the output walked through its shape (members the model does not know are dropped, `Date`s become
 * epoch seconds), and errors are `{"__type": "ParameterNotFound", "message": "…"}` with the code in
 * `x-amzn-ErrorType` too. One codec for every awsJson service.
 */
import { Ec2Error } from "@ec2sim/core";
import { limits, type Shape, type StructShape } from "@ec2sim/ec2-query";
import { jsonStatusOf, type ServiceModel } from "../model.ts";
import type { ServiceSpec } from "../services.ts";

const echo = (text: string): string => (text.length > 200 ? `${text.slice(0, 200)}...` : text);

export const unknownOperation = (action: string): Ec2Error =>
  new Ec2Error("UnknownOperationException", `The operation ${echo(action)} is not known to this service`);

const serialization = (message: string): Ec2Error => new Ec2Error("SerializationException", message);

export interface ParsedJsonRequest {
  readonly action: string;
  readonly input: Record<string, unknown>;
}

/** Reads `X-Amz-Target` and the JSON body of an awsJson request. */
export function parseAwsJsonRequest(
  spec: ServiceSpec,
  model: ServiceModel,
  target: string | undefined,
  body: string,
): ParsedJsonRequest {
  const prefix = `${spec.targetPrefix}.`;
  if (!target?.startsWith(prefix)) {
    throw unknownOperation(target ?? "(no X-Amz-Target header)");
  }
  const action = target.slice(prefix.length);
  const operation = model.operation(action);
  if (!operation) throw unknownOperation(action);
  if (body.length > limits.maxBodyChars) {
    throw new Ec2Error("RequestEntityTooLarge", "The request body is too large", 413);
  }
  let json: unknown;
  try {
    json = body.trim() === "" ? {} : JSON.parse(body);
  } catch {
    throw serialization("The request body is not valid JSON");
  }
  if (json === null || typeof json !== "object" || Array.isArray(json)) {
    throw serialization("Start of structure or map expected at the top of the request body");
  }
  return { action, input: readStruct(operation.input, json as Record<string, unknown>, "", 0) };
}

const MAX_DEPTH = 64;

function readStruct(shape: StructShape, value: Record<string, unknown>, path: string, depth: number) {
  const out: Record<string, unknown> = {};
  for (const m of shape.members) {
    const v = Object.hasOwn(value, m.name) ? value[m.name] : undefined;
    if (v === null || v === undefined) continue;
    out[m.name] = read(m.shape, v, path ? `${path}.${m.name}` : m.name, depth + 1);
  }
  // Members the model does not know are ignored, as the real services do.
  return out;
}

function read(shape: Shape, value: unknown, path: string, depth: number): unknown {
  if (depth > MAX_DEPTH) throw serialization(`The request nests deeper than ${MAX_DEPTH} levels`);
  const wrong = (what: string) => serialization(`Expected ${what} at '${echo(path)}'`);
  switch (shape.kind) {
    case "struct":
      if (typeof value !== "object" || value === null || Array.isArray(value)) throw wrong("an object");
      return readStruct(shape, value as Record<string, unknown>, path, depth);
    case "list":
      if (!Array.isArray(value)) throw wrong("a list");
      return value.filter((v) => v != null).map((v, i) => read(shape.item, v, `${path}[${i}]`, depth + 1));
    case "map": {
      if (typeof value !== "object" || value === null || Array.isArray(value)) throw wrong("a map");
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) {
        if (v != null) out[k] = read(shape.value, v, `${path}.${k}`, depth + 1);
      }
      return out;
    }
    case "string":
      if (typeof value !== "string") throw wrong("a string");
      return value;
    case "number":
    case "bigDecimal":
      if (typeof value !== "number" || !Number.isFinite(value)) throw wrong("a number");
      return value;
    case "bigInteger":
      if (typeof value !== "number" || !Number.isInteger(value)) throw wrong("an integer");
      return BigInt(value);
    case "boolean":
      if (typeof value !== "boolean") throw wrong("a boolean");
      return value;
    case "timestamp": {
      if (typeof value !== "number" || !Number.isFinite(value)) throw wrong("a timestamp in epoch seconds");
      return new Date(value * 1000);
    }
    case "blob": {
      if (typeof value !== "string" || !/^[A-Za-z0-9+/]*={0,2}$/.test(value)) throw wrong("base64 data");
      const bytes = Buffer.from(value, "base64");
      return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    }
    default:
      return value;
  }
}

/** The JSON body of a successful answer. */
export function serializeAwsJsonResponse(model: ServiceModel, action: string, output: unknown): string {
  const operation = model.operation(action);
  if (!operation) throw unknownOperation(action);
  if (operation.output.kind !== "struct") return "{}";
  if (output != null && typeof output !== "object") throw internal(`${action} answered a ${typeof output}`);
  return JSON.stringify(write(operation.output, output ?? {}, action));
}

const internal = (detail: string): Ec2Error =>
  new Ec2Error("InternalServerError", `An internal error has occurred (${detail})`, 500);

function write(shape: Shape, value: unknown, path: string): unknown {
  switch (shape.kind) {
    case "struct": {
      if (typeof value !== "object" || value === null || Array.isArray(value))
        throw internal(`${path} is not an object`);
      const out: Record<string, unknown> = {};
      const record = value as Record<string, unknown>;
      for (const m of shape.members) {
        const v = record[m.name];
        if (v != null) out[m.name] = write(m.shape, v, `${path}.${m.name}`);
      }
      return out;
    }
    case "list":
      if (!Array.isArray(value)) throw internal(`${path} is not a list`);
      return value.filter((v) => v != null).map((v) => write(shape.item, v, path));
    case "map": {
      if (typeof value !== "object" || value === null) throw internal(`${path} is not a map`);
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) if (v != null) out[k] = write(shape.value, v, `${path}.${k}`);
      return out;
    }
    case "timestamp": {
      const date = value instanceof Date ? value : new Date(value as string | number);
      if (Number.isNaN(date.getTime())) throw internal(`${path} is not a timestamp`);
      return date.getTime() / 1000;
    }
    case "blob":
      if (value instanceof Uint8Array)
        return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString("base64");
      if (typeof value === "string") return Buffer.from(value, "utf8").toString("base64");
      throw internal(`${path} is not bytes`);
    case "bigInteger":
      return typeof value === "bigint" ? Number(value) : value;
    default:
      return value;
  }
}

export interface SerializedJsonError {
  readonly status: number;
  readonly body: string;
}

/** `{"__type": code, "message": …}` with the model's status for the code (400 for the caller's errors). */
export function serializeAwsJsonError(model: ServiceModel | undefined, error: Ec2Error): SerializedJsonError {
  const known = model?.error(error.code);
  const status = error.httpStatus !== 400 ? error.httpStatus : known ? jsonStatusOf(known) : 400;
  return { status, body: JSON.stringify({ __type: error.code, message: error.message }) };
}

export type { ServiceSpec };
