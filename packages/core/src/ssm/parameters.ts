/**
 * SSM Parameter Store's parameters (core actions `ssm:*`): String, StringList and SecureString
 * values with versions (up to 100) and labels, selectors (`name:3`, `name:label`) and ARNs in reads,
 * hierarchies read by path, DescribeParameters with SSM's filters, tags — and the public
 * parameters under `/aws/service/`, readable by everyone. SecureString values are kept in the
 * sandbox as given; without `WithDecryption` they read as an opaque ciphertext, and the WebSocket
 * stream never carries them.
 */
import type {
  DeleteParametersResult,
  DescribeParametersResult,
  GetParameterHistoryResult,
  GetParameterResult,
  GetParametersByPathResult,
  GetParametersResult,
  LabelParameterVersionResult,
  ListTagsForResourceResult,
  ParameterMetadata,
  ParameterStringFilter,
  PutParameterResult,
  Parameter as SsmParameter,
  UnlabelParameterVersionResult,
} from "@aws-sdk/client-ssm";
import { Ec2Error } from "../errors.ts";
import type { TagList } from "../events.ts";
import { hex17 } from "../ids.ts";
import type { Tx } from "../tx.ts";
import {
  latest,
  type Parameter,
  type ParameterType,
  type ParameterVersion,
  parameterArn,
  parametersOf,
} from "./model.ts";
import { isPublicName, PUBLIC_PREFIX, publicParameter, publicParameterNames } from "./public-parameters.ts";

type Out<T> = Omit<T, "$metadata">;

const ssmError = (code: string, message: string) => new Ec2Error(code, message, 400);
const validation = (message: string) => ssmError("ValidationException", message);
export const parameterNotFound = (name: string) => ssmError("ParameterNotFound", `Parameter ${name} not found.`);

const NAME_RULE =
  'Parameter name: can\'t be prefixed with "aws" or "ssm" (case-insensitive). If formed as a path, it can consist of sub-paths divided by slash symbol; each sub-path can be formed as a mix of letters, numbers and the following 3 symbols .-_';
const MAX_VERSIONS = 100;
const MAX_LEVELS = 15;
const DEFAULT_KEY = "alias/aws/ssm";

/** A name as PutParameter takes it: SSM's characters, not reserved, at most 15 levels. */
function checkNewName(name: string | undefined): string {
  if (name === undefined || name === "")
    throw validation(
      "1 validation error detected: Value null at 'name' failed to satisfy constraint: Member must not be null",
    );
  if (name.length > 1011) {
    throw validation(
      `1 validation error detected: Value '${name.slice(0, 100)}...' at 'name' failed to satisfy constraint: Member must have length less than or equal to 2048`,
    );
  }
  const bare = name.startsWith("/") ? name.slice(1) : name;
  if (!/^[a-zA-Z0-9_.\-/]+$/.test(name) || /^(aws|ssm)/i.test(bare) || bare.split("/").some((s) => s === "")) {
    throw validation(NAME_RULE);
  }
  if (name.includes("/") && !name.startsWith("/")) throw validation(NAME_RULE);
  if (name.split("/").length - 1 > MAX_LEVELS) {
    throw ssmError(
      "HierarchyLevelLimitExceededException",
      `A hierarchy can have a maximum of ${MAX_LEVELS} levels. For more information, see Requirements and constraints for parameter names in the AWS Systems Manager User Guide.`,
    );
  }
  return name;
}

/** `name`, `name:3`, `name:label` or the parameter's ARN (with a selector): the name and the selector. */
function readName(tx: Tx, raw: string | undefined): { name: string; selector?: string } {
  if (!raw)
    throw validation(
      "1 validation error detected: Value null at 'name' failed to satisfy constraint: Member must not be null",
    );
  let text = raw;
  const arn = /^arn:aws:ssm:([a-z0-9-]+):(\d{12})?:parameter(\/.*)$/.exec(raw);
  if (arn) {
    const [, region, account, rest] = arn as unknown as [string, string, string | undefined, string];
    const publicArn = account === undefined && isPublicName(rest);
    // Parameters shared from other accounts are not modelled: another account's ARN finds nothing.
    if (region !== tx.ctx.region || (!publicArn && account !== tx.ctx.accountId)) throw parameterNotFound(raw);
    text = rest;
    // `parameter/db` is the ARN of `/db` and of `db`: whichever exists (the slash form first).
    const bare = rest.slice(1);
    const own = parametersOf(tx.region, tx.ctx.accountId);
    if (!publicArn && !own.has(rest.split(":", 1)[0]!) && own.has(bare.split(":", 1)[0]!)) text = bare;
  }
  const cut = text.indexOf(":");
  return cut === -1 ? { name: text } : { name: text.slice(0, cut), selector: text.slice(cut + 1) };
}

export interface Found {
  name: string;
  /** The version read (the selected one, else the latest). */
  version: ParameterVersion;
  latest: ParameterVersion;
  own?: Parameter;
  public: boolean;
}

function find(tx: Tx, name: string): { own?: Parameter; pub?: ReturnType<typeof publicParameter> } {
  if (isPublicName(name)) return { pub: publicParameter(tx.ctx.region, name) };
  return { own: parametersOf(tx.region, tx.ctx.accountId).get(name) };
}

/** The version a reference (`name`, `name:3`, `name:label`, an ARN) reads, own or public. */
export function selectParameter(tx: Tx, raw: string | undefined): Found {
  return select(tx, raw);
}

function select(tx: Tx, raw: string | undefined): Found {
  const { name, selector } = readName(tx, raw);
  const { own, pub } = find(tx, name);
  if (!own && !pub) throw parameterNotFound(name);
  const versions = own ? own.versions : [pub!.current];
  const last = versions[versions.length - 1]!;
  let version = last;
  if (selector !== undefined) {
    const hit = /^\d+$/.test(selector)
      ? versions.find((v) => v.version === Number(selector))
      : versions.find((v) => v.labels.includes(selector));
    if (!hit) {
      throw ssmError(
        "ParameterVersionNotFound",
        `Systems Manager could not find version ${selector} of ${name}. Verify the version and try again.`,
      );
    }
    version = hit;
  }
  return { name, version, latest: last, ...(own ? { own } : {}), public: !own };
}

/** What a SecureString reads as without decryption: opaque, deterministic, longer for longer values. */
function ciphertext(name: string, v: ParameterVersion): string {
  let hex = "";
  for (let i = 0; hex.length < 2 * (v.value.length + 64); i++)
    hex += hex17(`${name}:${v.version}:${v.keyId}:${i}:${v.value}`);
  return `AQICAH${Buffer.from(hex, "hex").toString("base64")}`;
}

function toSsmParameter(tx: Tx, f: Found, decrypt: boolean, selector?: string): SsmParameter {
  const v = f.version;
  return {
    Name: f.name,
    Type: v.type,
    Value: v.type === "SecureString" && !decrypt ? ciphertext(f.name, v) : v.value,
    Version: v.version,
    ...(selector !== undefined ? { Selector: `:${selector}` } : {}),
    LastModifiedDate: new Date(v.lastModified),
    ARN: parameterArn(tx.ctx.region, f.public ? "" : tx.ctx.accountId, f.name),
    DataType: v.dataType,
  };
}

const who = (tx: Tx) => `arn:aws:iam::${tx.ctx.accountId}:root`;

function metadataOf(tx: Tx, p: Parameter): ParameterMetadata {
  const v = latest(p);
  return {
    Name: p.name,
    ARN: parameterArn(tx.ctx.region, tx.ctx.accountId, p.name),
    Type: v.type,
    ...(v.keyId ? { KeyId: v.keyId } : {}),
    LastModifiedDate: new Date(v.lastModified),
    LastModifiedUser: who(tx),
    ...(v.description !== undefined ? { Description: v.description } : {}),
    ...(v.allowedPattern !== undefined ? { AllowedPattern: v.allowedPattern } : {}),
    Version: v.version,
    Tier: v.tier,
    Policies: [],
    DataType: v.dataType,
  };
}

/** Page tokens: the position and a guard, so a token from another listing is refused. */
function page<T>(all: readonly T[], input: { MaxResults?: number; NextToken?: string }, max: number, guard: string) {
  const size = input.MaxResults ?? max;
  if (!Number.isInteger(size) || size < 1 || size > max) {
    throw validation(
      `1 validation error detected: Value '${size}' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to ${max}`,
    );
  }
  let start = 0;
  if (input.NextToken !== undefined) {
    const m = /^(.*)#(\d+)$/.exec(Buffer.from(input.NextToken, "base64").toString("utf8"));
    if (!m || m[1] !== guard) throw ssmError("InvalidNextToken", "The specified token isn't valid.");
    start = Number(m[2]);
  }
  const items = all.slice(start, start + size);
  const next = start + size < all.length ? Buffer.from(`${guard}#${start + size}`).toString("base64") : undefined;
  return { items, ...(next ? { NextToken: next } : {}) };
}

function checkType(t: string | undefined): ParameterType | undefined {
  if (t === undefined) return undefined;
  if (t !== "String" && t !== "StringList" && t !== "SecureString") {
    throw validation(
      `1 validation error detected: Value '${t}' at 'type' failed to satisfy constraint: Member must satisfy enum value set: [SecureString, StringList, String]`,
    );
  }
  return t;
}

function checkTags(tags: { Key?: string; Value?: string }[] | undefined, existing = 0): TagList {
  const out: TagList = [];
  for (const t of tags ?? []) {
    const k = t.Key ?? "";
    if (k.length < 1 || k.length > 128 || /^aws:/i.test(k)) {
      throw validation(
        `1 validation error detected: Value '${k}' at 'tags.member.key' failed to satisfy constraint: Member must have length between 1 and 128`,
      );
    }
    if ((t.Value ?? "").length > 256) {
      throw validation(
        `1 validation error detected: Value at 'tags.member.value' failed to satisfy constraint: Member must have length less than or equal to 256`,
      );
    }
    out.push([k, t.Value ?? ""]);
  }
  if (out.length + existing > 50) throw ssmError("TooManyTagsError", "The Tags parameter contains more than 50 tags.");
  return out;
}

/** Matches ParameterStringFilters (DescribeParameters, GetParametersByPath) against a parameter. */
function filterMatcher(
  filters: ParameterStringFilter[] | undefined,
  allowed: readonly string[],
): (p: { name: string; v: ParameterVersion; tags?: Map<string, string> }) => boolean {
  const tests: ((p: { name: string; v: ParameterVersion; tags?: Map<string, string> }) => boolean)[] = [];
  for (const f of filters ?? []) {
    const key = f.Key ?? "";
    const values = f.Values ?? [];
    const option = f.Option ?? (key === "Path" ? "OneLevel" : "Equals");
    const isTag = key.startsWith("tag:");
    if (!isTag && !allowed.includes(key)) {
      throw ssmError(
        "InvalidFilterKey",
        `The filter key ${key} is not valid here. Valid keys: ${allowed.join(", ")}, tag:KEY`,
      );
    }
    if (values.length === 0 && key !== "tag-key")
      throw ssmError("InvalidFilterValue", `The filter ${key} needs at least one value.`);
    const options: Record<string, string[]> = {
      Name: ["Equals", "BeginsWith", "Contains"],
      Path: ["Recursive", "OneLevel"],
    };
    if (!(options[key] ?? ["Equals"]).includes(option) && !(isTag && option === "Equals")) {
      throw ssmError("InvalidFilterOption", `The filter option ${option} is not valid for key ${key}.`);
    }
    switch (key) {
      case "Name":
        tests.push(({ name }) =>
          values.some((val) => {
            const want = option === "Contains" || val.startsWith("/") || !name.startsWith("/") ? val : `/${val}`;
            return option === "Equals"
              ? name === want
              : option === "BeginsWith"
                ? name.startsWith(want)
                : name.includes(val);
          }),
        );
        break;
      case "Path":
        tests.push(({ name }) =>
          values.some((path) => {
            const prefix = path.endsWith("/") ? path : `${path}/`;
            if (!name.startsWith(prefix)) return false;
            return option === "Recursive" || !name.slice(prefix.length).includes("/");
          }),
        );
        break;
      case "Type":
        tests.push(({ v }) => values.includes(v.type));
        break;
      case "KeyId":
        tests.push(({ v }) => v.keyId !== undefined && values.includes(v.keyId));
        break;
      case "Tier":
        tests.push(({ v }) => values.includes(v.tier));
        break;
      case "DataType":
        tests.push(({ v }) => values.includes(v.dataType));
        break;
      case "Label":
        tests.push(({ v }) => v.labels.some((l) => values.includes(l)));
        break;
      default: {
        const tagKey = key.slice(4);
        tests.push(({ tags }) => tags?.has(tagKey) === true && values.includes(tags.get(tagKey)!));
      }
    }
  }
  return (p) => tests.every((t) => t(p));
}

function checkLabel(label: string): boolean {
  return (
    label.length >= 1 &&
    label.length <= 100 &&
    /^[a-zA-Z0-9_.-]+$/.test(label) &&
    !/^(aws|ssm)/i.test(label) &&
    !/^\d/.test(label)
  );
}

export const ssmParameterActions = {
  "ssm:PutParameter"(
    tx: Tx,
    input: {
      Name?: string;
      Description?: string;
      Value?: string;
      Type?: string;
      KeyId?: string;
      Overwrite?: boolean;
      AllowedPattern?: string;
      Tags?: { Key?: string; Value?: string }[];
      Tier?: string;
      Policies?: string;
      DataType?: string;
    },
  ): Out<PutParameterResult> {
    if (input.Name !== undefined && isPublicName(input.Name)) {
      throw ssmError("AccessDeniedException", `No access to reserved parameter name: ${input.Name}.`);
    }
    const name = checkNewName(input.Name);
    const value = input.Value;
    if (value === undefined || value === "") {
      throw validation(
        "1 validation error detected: Value at 'value' failed to satisfy constraint: Member must have length greater than or equal to 1",
      );
    }
    if (input.Policies !== undefined) throw validation("Parameter policies are not supported by this sandbox.");
    const existing = parametersOf(tx.region, tx.ctx.accountId).get(name);
    if (existing && !input.Overwrite) {
      throw ssmError(
        "ParameterAlreadyExists",
        "The parameter already exists. To overwrite this value, set the overwrite option in the request to true.",
      );
    }
    if (existing && input.Tags?.length) {
      throw validation(
        "Invalid request: tags and overwrite can't be used together. To create a parameter with tags, please remove overwrite flag. To update tags for an existing parameter, please use AddTagsToResource or RemoveTagsFromResource.",
      );
    }
    const prev = existing ? latest(existing) : undefined;
    const type = checkType(input.Type) ?? prev?.type;
    if (!type) throw validation("A parameter type is required when you create a parameter.");
    if (input.KeyId !== undefined && type !== "SecureString") {
      throw validation("KeyId is supported only for parameters of type SecureString.");
    }
    const tierAsked = input.Tier ?? prev?.tier ?? "Standard";
    if (!["Standard", "Advanced", "Intelligent-Tiering"].includes(tierAsked)) {
      throw validation(
        `1 validation error detected: Value '${tierAsked}' at 'tier' failed to satisfy constraint: Member must satisfy enum value set: [Standard, Advanced, Intelligent-Tiering]`,
      );
    }
    const tier =
      tierAsked === "Advanced" || (tierAsked === "Intelligent-Tiering" && value.length > 4096)
        ? "Advanced"
        : "Standard";
    if (prev?.tier === "Advanced" && tier === "Standard" && input.Tier === "Standard") {
      throw validation(
        "This parameter uses the advanced-parameter tier. You can't downgrade a parameter from the advanced-parameter tier to the standard-parameter tier.",
      );
    }
    if (tier === "Standard" && value.length > 4096) {
      throw validation(
        "Standard tier parameters support a maximum parameter value of 4096 characters. To create a larger parameter value, upgrade the parameter to use the advanced-parameter tier. For more information, see https://docs.aws.amazon.com/systems-manager/latest/userguide/parameter-store-advanced-parameters.html",
      );
    }
    if (value.length > 8192) {
      throw validation(
        "1 validation error detected: Value at 'value' failed to satisfy constraint: Member must have length less than or equal to 8192",
      );
    }
    const dataType = input.DataType ?? prev?.dataType ?? "text";
    if (!["text", "aws:ec2:image", "aws:ssm:integration"].includes(dataType)) {
      throw validation(`The following data type is not supported: ${dataType} (Data type names are all lowercase.)`);
    }
    if (dataType === "aws:ec2:image" && !/^ami-([0-9a-f]{8}|[0-9a-f]{17})$/.test(value)) {
      throw validation(`Parameter value: ${value.slice(0, 100)} is not a valid AMI ID.`);
    }
    const allowedPattern = input.AllowedPattern ?? prev?.allowedPattern;
    if (allowedPattern !== undefined) {
      let re: RegExp;
      try {
        re = new RegExp(`^(?:${allowedPattern})$`);
      } catch {
        throw ssmError(
          "InvalidAllowedPatternException",
          `The allowed pattern ${allowedPattern} is not a valid regular expression.`,
        );
      }
      if (!re.test(value)) {
        throw ssmError(
          "ParameterPatternMismatchException",
          `Parameter value, cannot be validated against allowedPattern: ${allowedPattern}`,
        );
      }
    }
    const tags = existing ? [] : checkTags(input.Tags);
    if (existing && existing.versions.length >= MAX_VERSIONS && existing.versions[0]!.labels.length) {
      throw ssmError(
        "ParameterMaxVersionLimitExceeded",
        `You attempted to create a new version of ${name} by calling the PutParameter API with the overwrite flag. Version ${existing.versions[0]!.version}, the oldest version, can't be deleted because it has a label associated with it. Move the label to another version of the parameter, and try again.`,
      );
    }
    const version = (prev?.version ?? 0) + 1;
    const description = input.Description ?? prev?.description;
    const keyId =
      type === "SecureString"
        ? (input.KeyId ?? (prev?.type === "SecureString" ? prev.keyId : undefined) ?? DEFAULT_KEY)
        : undefined;
    tx.emit({
      type: "SsmParameterPut",
      region: tx.ctx.region,
      accountId: tx.ctx.accountId,
      name,
      version,
      parameterType: type,
      dataType,
      value,
      ...(keyId ? { keyId } : {}),
      ...(description !== undefined ? { description } : {}),
      ...(allowedPattern !== undefined ? { allowedPattern } : {}),
      tier,
      ...(tags.length ? { tags } : {}),
    });
    return { Version: version, Tier: tier };
  },

  "ssm:GetParameter"(tx: Tx, input: { Name?: string; WithDecryption?: boolean }): Out<GetParameterResult> {
    const { selector } = readName(tx, input.Name);
    const found = select(tx, input.Name);
    return { Parameter: toSsmParameter(tx, found, input.WithDecryption === true, selector) };
  },

  "ssm:GetParameters"(tx: Tx, input: { Names?: string[]; WithDecryption?: boolean }): Out<GetParametersResult> {
    const names = input.Names ?? [];
    if (names.length < 1 || names.length > 10) {
      throw validation(
        `1 validation error detected: Value '[${names.slice(0, 11).join(", ")}]' at 'names' failed to satisfy constraint: Member must have length less than or equal to 10`,
      );
    }
    const Parameters: SsmParameter[] = [];
    const InvalidParameters: string[] = [];
    for (const raw of names) {
      try {
        const { selector } = readName(tx, raw);
        Parameters.push(toSsmParameter(tx, select(tx, raw), input.WithDecryption === true, selector));
      } catch (e) {
        if (e instanceof Ec2Error && (e.code === "ParameterNotFound" || e.code === "ParameterVersionNotFound"))
          InvalidParameters.push(raw);
        else throw e;
      }
    }
    return { Parameters, InvalidParameters };
  },

  "ssm:GetParametersByPath"(
    tx: Tx,
    input: {
      Path?: string;
      Recursive?: boolean;
      ParameterFilters?: ParameterStringFilter[];
      WithDecryption?: boolean;
      MaxResults?: number;
      NextToken?: string;
    },
  ): Out<GetParametersByPathResult> {
    const path = input.Path ?? "";
    if (!path.startsWith("/") || path.length > 2048) {
      throw validation(
        'The parameter doesn\'t meet the parameter name requirements. The parameter name must begin with a forward slash "/".',
      );
    }
    const prefix = path.endsWith("/") ? path : `${path}/`;
    const match = filterMatcher(input.ParameterFilters, ["Type", "KeyId", "Label"]);
    const inPath = (name: string) =>
      name.startsWith(prefix) && (input.Recursive === true || !name.slice(prefix.length).includes("/"));
    const rows: Found[] = [];
    if (isPublicName(prefix) || PUBLIC_PREFIX.startsWith(prefix)) {
      for (const name of publicParameterNames()) {
        if (!inPath(name)) continue;
        const pub = publicParameter(tx.ctx.region, name);
        if (pub && match({ name, v: pub.current }))
          rows.push({ name, version: pub.current, latest: pub.current, public: true });
      }
    }
    if (!isPublicName(prefix)) {
      const own = [...parametersOf(tx.region, tx.ctx.accountId).values()].sort((a, b) => (a.name < b.name ? -1 : 1));
      for (const p of own) {
        if (inPath(p.name) && match({ name: p.name, v: latest(p), tags: p.tags })) {
          rows.push({ name: p.name, version: latest(p), latest: latest(p), own: p, public: false });
        }
      }
    }
    const { items, NextToken } = page(rows, input, 10, `path:${path}:${input.Recursive ? 1 : 0}`);
    return {
      Parameters: items.map((f) => toSsmParameter(tx, f, input.WithDecryption === true)),
      ...(NextToken ? { NextToken } : {}),
    };
  },

  "ssm:DescribeParameters"(
    tx: Tx,
    input: {
      Filters?: { Key?: string; Values?: string[] }[];
      ParameterFilters?: ParameterStringFilter[];
      MaxResults?: number;
      NextToken?: string;
      Shared?: boolean;
    },
  ): Out<DescribeParametersResult> {
    if (input.Filters?.length && input.ParameterFilters?.length) {
      throw validation("You can use either Filters or ParameterFilters in a single request.");
    }
    const legacy: ParameterStringFilter[] = (input.Filters ?? []).map((f) => ({
      Key: f.Key,
      Option: f.Key === "Name" ? "BeginsWith" : "Equals",
      Values: f.Values,
    }));
    const match = filterMatcher(input.ParameterFilters ?? legacy, [
      "Name",
      "Type",
      "KeyId",
      "Path",
      "Tier",
      "DataType",
    ]);
    const own = [...parametersOf(tx.region, tx.ctx.accountId).values()]
      .sort((a, b) => (a.name < b.name ? -1 : 1))
      .filter((p) => match({ name: p.name, v: latest(p), tags: p.tags }));
    const { items, NextToken } = page(own, input, 50, `describe:${JSON.stringify(input.ParameterFilters ?? legacy)}`);
    return { Parameters: items.map((p) => metadataOf(tx, p)), ...(NextToken ? { NextToken } : {}) };
  },

  "ssm:GetParameterHistory"(
    tx: Tx,
    input: { Name?: string; WithDecryption?: boolean; MaxResults?: number; NextToken?: string },
  ): Out<GetParameterHistoryResult> {
    const { name } = readName(tx, input.Name);
    const { own, pub } = find(tx, name);
    if (!own && !pub) throw parameterNotFound(name);
    const versions = own ? own.versions : [pub!.current];
    const { items, NextToken } = page(versions, input, 50, `history:${name}`);
    return {
      Parameters: items.map((v) => ({
        Name: name,
        Type: v.type,
        ...(v.keyId ? { KeyId: v.keyId } : {}),
        LastModifiedDate: new Date(v.lastModified),
        LastModifiedUser: own ? who(tx) : "",
        ...(v.description !== undefined ? { Description: v.description } : {}),
        Value: v.type === "SecureString" && !input.WithDecryption ? ciphertext(name, v) : v.value,
        ...(v.allowedPattern !== undefined ? { AllowedPattern: v.allowedPattern } : {}),
        Version: v.version,
        Labels: [...v.labels],
        Tier: v.tier,
        Policies: [],
        DataType: v.dataType,
      })),
      ...(NextToken ? { NextToken } : {}),
    };
  },

  "ssm:DeleteParameter"(tx: Tx, input: { Name?: string }) {
    const name = input.Name ?? "";
    if (!parametersOf(tx.region, tx.ctx.accountId).has(name)) throw parameterNotFound(name);
    tx.emit({ type: "SsmParametersDeleted", region: tx.ctx.region, accountId: tx.ctx.accountId, names: [name] });
    return {};
  },

  "ssm:DeleteParameters"(tx: Tx, input: { Names?: string[] }): Out<DeleteParametersResult> {
    const names = input.Names ?? [];
    if (names.length < 1 || names.length > 10) {
      throw validation(
        "1 validation error detected: Value at 'names' failed to satisfy constraint: Member must have length between 1 and 10",
      );
    }
    const own = parametersOf(tx.region, tx.ctx.accountId);
    const deleted = [...new Set(names.filter((n) => own.has(n)))];
    const invalid = names.filter((n) => !own.has(n));
    if (deleted.length)
      tx.emit({ type: "SsmParametersDeleted", region: tx.ctx.region, accountId: tx.ctx.accountId, names: deleted });
    return { DeletedParameters: deleted, InvalidParameters: invalid };
  },

  "ssm:LabelParameterVersion"(
    tx: Tx,
    input: { Name?: string; ParameterVersion?: number; Labels?: string[] },
  ): Out<LabelParameterVersionResult> {
    const name = input.Name ?? "";
    const p = parametersOf(tx.region, tx.ctx.accountId).get(name);
    if (!p) throw parameterNotFound(name);
    const v =
      input.ParameterVersion === undefined ? latest(p) : p.versions.find((x) => x.version === input.ParameterVersion);
    if (!v) {
      throw ssmError(
        "ParameterVersionNotFound",
        `Systems Manager could not find version ${input.ParameterVersion} of ${name}. Verify the version and try again.`,
      );
    }
    const labels = input.Labels ?? [];
    const valid = labels.filter(checkLabel);
    const invalid = labels.filter((l) => !checkLabel(l));
    if (new Set([...v.labels, ...valid]).size > 10) {
      throw ssmError(
        "ParameterVersionLabelLimitExceeded",
        "A parameter version can have a maximum of ten labels. Move one or more labels to another version and try again.",
      );
    }
    if (valid.length) {
      tx.emit({
        type: "SsmParameterLabeled",
        region: tx.ctx.region,
        accountId: tx.ctx.accountId,
        name,
        version: v.version,
        labels: valid,
      });
    }
    return { InvalidLabels: invalid, ParameterVersion: v.version };
  },

  "ssm:UnlabelParameterVersion"(
    tx: Tx,
    input: { Name?: string; ParameterVersion?: number; Labels?: string[] },
  ): Out<UnlabelParameterVersionResult> {
    const name = input.Name ?? "";
    const p = parametersOf(tx.region, tx.ctx.accountId).get(name);
    if (!p) throw parameterNotFound(name);
    const v = p.versions.find((x) => x.version === input.ParameterVersion);
    if (!v) {
      throw ssmError(
        "ParameterVersionNotFound",
        `Systems Manager could not find version ${input.ParameterVersion} of ${name}. Verify the version and try again.`,
      );
    }
    const labels = input.Labels ?? [];
    const removed = labels.filter((l) => v.labels.includes(l));
    if (removed.length) {
      tx.emit({
        type: "SsmParameterUnlabeled",
        region: tx.ctx.region,
        accountId: tx.ctx.accountId,
        name,
        version: v.version,
        labels: removed,
      });
    }
    return { RemovedLabels: removed, InvalidLabels: labels.filter((l) => !v.labels.includes(l)) };
  },

  "ssm:AddTagsToResource"(
    tx: Tx,
    input: { ResourceType?: string; ResourceId?: string; Tags?: { Key?: string; Value?: string }[] },
  ) {
    const p = taggable(tx, input.ResourceType, input.ResourceId);
    const set = checkTags(input.Tags);
    checkTags(input.Tags, [...p.tags.keys()].filter((k) => !set.some(([n]) => n === k)).length);
    tx.emit({
      type: "SsmTagsChanged",
      region: tx.ctx.region,
      accountId: tx.ctx.accountId,
      name: p.name,
      set,
      remove: [],
    });
    return {};
  },

  "ssm:RemoveTagsFromResource"(tx: Tx, input: { ResourceType?: string; ResourceId?: string; TagKeys?: string[] }) {
    const p = taggable(tx, input.ResourceType, input.ResourceId);
    tx.emit({
      type: "SsmTagsChanged",
      region: tx.ctx.region,
      accountId: tx.ctx.accountId,
      name: p.name,
      set: [],
      remove: input.TagKeys ?? [],
    });
    return {};
  },

  "ssm:ListTagsForResource"(
    tx: Tx,
    input: { ResourceType?: string; ResourceId?: string },
  ): Out<ListTagsForResourceResult> {
    const p = taggable(tx, input.ResourceType, input.ResourceId);
    return { TagList: [...p.tags].map(([Key, Value]) => ({ Key, Value })) };
  },
};

/** The parameter a tagging call names (`ResourceType: Parameter`, the name or ARN as the ID). */
function taggable(tx: Tx, type: string | undefined, id: string | undefined): Parameter {
  if (type !== "Parameter") {
    throw ssmError(
      "InvalidResourceType",
      `The resource type ${type ?? "(none)"} is not valid: this sandbox tags parameters only.`,
    );
  }
  const { name } = readName(tx, id);
  const p = parametersOf(tx.region, tx.ctx.accountId).get(name);
  if (!p)
    throw ssmError(
      "InvalidResourceId",
      "The resource ID is not valid. Verify that you entered the correct ID and try again.",
    );
  return p;
}
