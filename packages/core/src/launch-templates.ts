/**
 * Launch templates (R32): numbered, immutable versions of launch parameters and a default version.
 * RunInstances with a template takes the chosen version (`$Latest`, `$Default` or a number) and lays
 * the call's own parameters over it, the call winning member by member (tag specifications by
 * resource type; a subnet or groups of the call go to the template's primary interface when the
 * template describes interfaces). Instances launched from a template carry EC2's
 * `aws:ec2launchtemplate:id`/`version` tags.
 */
import type {
  CreateLaunchTemplateRequest,
  CreateLaunchTemplateResult,
  CreateLaunchTemplateVersionRequest,
  CreateLaunchTemplateVersionResult,
  DeleteLaunchTemplateRequest,
  DeleteLaunchTemplateResult,
  DeleteLaunchTemplateVersionsRequest,
  DeleteLaunchTemplateVersionsResult,
  DescribeLaunchTemplatesRequest,
  DescribeLaunchTemplatesResult,
  DescribeLaunchTemplateVersionsRequest,
  DescribeLaunchTemplateVersionsResult,
  LaunchTemplate as Ec2LaunchTemplate,
  LaunchTemplateVersion as Ec2LaunchTemplateVersion,
  ModifyLaunchTemplateRequest,
  ModifyLaunchTemplateResult,
  ResponseLaunchTemplateData,
  TagSpecification,
} from "@aws-sdk/client-ec2";
import { Ec2Error, errors } from "./errors.ts";
import type { EventOf, TagList } from "./events.ts";
import { compileFilters, type Filter, paginate } from "./filters.ts";
import type { LaunchTemplate, LaunchTemplateData, LaunchTemplateVersion } from "./model.ts";
import { resolveImageReference } from "./ssm/index.ts";
import { regionState, type SandboxState } from "./state.ts";
import { tagMap, tagsFor, toTagSet } from "./tags.ts";
import type { Tx } from "./tx.ts";

const NAME_RE = /^[a-zA-Z0-9().\-/_]{3,128}$/;

export const notFoundTemplateId = (id: string) =>
  new Ec2Error(
    "InvalidLaunchTemplateId.NotFound",
    `The specified launch template, with template ID ${id}, does not exist.`,
  );
const notFoundTemplateName = (name: string) =>
  new Ec2Error(
    "InvalidLaunchTemplateName.NotFoundException",
    `The specified launch template, with template name ${name}, does not exist.`,
  );
const versionNotFound = (version: string, id: string) =>
  new Ec2Error(
    "InvalidLaunchTemplateId.VersionNotFound",
    `Could not find the specified version ${version} for the launch template with ID ${id}.`,
  );

/** The template a call names by ID or by name (exactly one). */
export function requireTemplate(
  tx: Tx,
  ref: { LaunchTemplateId?: string; LaunchTemplateName?: string },
): LaunchTemplate {
  if (ref.LaunchTemplateId !== undefined && ref.LaunchTemplateName !== undefined)
    throw errors.invalidCombination("Specify either a launch template ID or a launch template name, not both.");
  if (ref.LaunchTemplateId !== undefined) {
    const t = tx.region.launchTemplates.get(ref.LaunchTemplateId);
    if (!t || t.ownerId !== tx.ctx.accountId) throw notFoundTemplateId(ref.LaunchTemplateId);
    return t;
  }
  if (ref.LaunchTemplateName !== undefined) {
    for (const t of tx.region.launchTemplates.values())
      if (t.ownerId === tx.ctx.accountId && t.launchTemplateName === ref.LaunchTemplateName) return t;
    throw notFoundTemplateName(ref.LaunchTemplateName);
  }
  throw errors.missingParameter("LaunchTemplateId or LaunchTemplateName");
}

/** A version by `$Latest`, `$Default` or its number (the default when none is given). */
export function resolveVersion(t: LaunchTemplate, version: string | undefined): LaunchTemplateVersion {
  const n =
    version === undefined || version === "$Default"
      ? t.defaultVersion
      : version === "$Latest"
        ? t.latestVersion
        : /^\d+$/.test(version)
          ? Number(version)
          : Number.NaN;
  const v = t.versions.get(n);
  if (!v) throw versionNotFound(version ?? "$Default", t.launchTemplateId);
  return v;
}

/** Launch parameters as plain JSON (the event stores them; Dates become ISO text). */
function plainData(data: unknown): LaunchTemplateData {
  if (data === null || typeof data !== "object" || Array.isArray(data))
    throw errors.missingParameter("LaunchTemplateData");
  return JSON.parse(
    JSON.stringify(data, (_k, v: unknown) => (v instanceof Uint8Array ? Buffer.from(v).toString("base64") : v)),
  ) as LaunchTemplateData;
}

const createdBy = (tx: Tx) => `arn:aws:iam::${tx.ctx.accountId}:root`;

// ── fold ─────────────────────────────────────────────────────────────────────────────────────
export function applyLaunchTemplateEvent(
  state: SandboxState,
  e: EventOf<
    | "LaunchTemplateCreated"
    | "LaunchTemplateVersionCreated"
    | "LaunchTemplateModified"
    | "LaunchTemplateVersionsDeleted"
    | "LaunchTemplateDeleted"
  >,
  at: number,
): void {
  const region = regionState(state, e.region);
  if (e.type === "LaunchTemplateCreated") {
    const t: LaunchTemplate = {
      launchTemplateId: e.launchTemplateId,
      launchTemplateName: e.launchTemplateName,
      ownerId: e.ownerId,
      region: e.region,
      createTime: at,
      createdBy: e.createdBy,
      defaultVersion: 1,
      latestVersion: 1,
      versions: new Map([
        [1, { versionNumber: 1, description: e.description, data: e.data, createTime: at, createdBy: e.createdBy }],
      ]),
      tags: tagMap(e.tags),
    };
    region.launchTemplates.set(t.launchTemplateId, t);
    state.resourceRegion.set(t.launchTemplateId, e.region);
    return;
  }
  const t = region.launchTemplates.get(e.launchTemplateId);
  if (!t) return;
  switch (e.type) {
    case "LaunchTemplateVersionCreated":
      t.versions.set(e.versionNumber, {
        versionNumber: e.versionNumber,
        description: e.description,
        data: e.data,
        createTime: at,
        createdBy: e.createdBy,
      });
      t.latestVersion = Math.max(t.latestVersion, e.versionNumber);
      return;
    case "LaunchTemplateModified":
      t.defaultVersion = e.defaultVersion;
      return;
    case "LaunchTemplateVersionsDeleted":
      for (const n of e.versions) t.versions.delete(n);
      t.latestVersion = Math.max(...t.versions.keys());
      return;
    case "LaunchTemplateDeleted":
      region.launchTemplates.delete(t.launchTemplateId);
      return;
  }
}

// ── wire shapes ──────────────────────────────────────────────────────────────────────────────
const toEc2Template = (t: LaunchTemplate): Ec2LaunchTemplate => ({
  LaunchTemplateId: t.launchTemplateId,
  LaunchTemplateName: t.launchTemplateName,
  CreateTime: new Date(t.createTime),
  CreatedBy: t.createdBy,
  DefaultVersionNumber: t.defaultVersion,
  LatestVersionNumber: t.latestVersion,
  Tags: toTagSet(t.tags) ?? [],
});

const toEc2Version = (t: LaunchTemplate, v: LaunchTemplateVersion): Ec2LaunchTemplateVersion => ({
  LaunchTemplateId: t.launchTemplateId,
  LaunchTemplateName: t.launchTemplateName,
  VersionNumber: v.versionNumber,
  ...(v.description !== undefined ? { VersionDescription: v.description } : {}),
  CreateTime: new Date(v.createTime),
  CreatedBy: v.createdBy,
  DefaultVersion: v.versionNumber === t.defaultVersion,
  // The request's members carry the same names in the answer (RamDiskId included).
  LaunchTemplateData: v.data as ResponseLaunchTemplateData,
});

// ── RunInstances ─────────────────────────────────────────────────────────────────────────────
/** The RunInstances members a template's data may set (its names, where they differ from the call's). */
const RENAMED: Record<string, string> = { RamDiskId: "RamdiskId" };

interface TemplateRef {
  LaunchTemplate?: { LaunchTemplateId?: string; LaunchTemplateName?: string; Version?: string };
}

/**
 * A RunInstances request with its launch template's version laid under it (R32): the call wins,
 * member by member. Also returns the template and version, for the instances' system tags.
 */
export function withLaunchTemplate<T extends TemplateRef>(tx: Tx, request: T): { input: T; tags: TagList } {
  if (!request.LaunchTemplate) return { input: request, tags: [] };
  const t = requireTemplate(tx, request.LaunchTemplate);
  const v = resolveVersion(t, request.LaunchTemplate.Version);
  const fromTemplate: Record<string, unknown> = {};
  for (const [k, value] of Object.entries(v.data)) fromTemplate[RENAMED[k] ?? k] = structuredClone(value);
  const { LaunchTemplate: _lt, ...call } = request as TemplateRef & Record<string, unknown>;
  const merged: Record<string, unknown> = { ...fromTemplate };
  for (const [k, value] of Object.entries(call)) if (value !== undefined) merged[k] = value;
  // Tag specifications merge by resource type, the call's replacing the template's for a type.
  const tplSpecs = (fromTemplate.TagSpecifications as TagSpecification[] | undefined) ?? [];
  const callSpecs = (call.TagSpecifications as TagSpecification[] | undefined) ?? [];
  if (tplSpecs.length && callSpecs.length)
    merged.TagSpecifications = [
      ...tplSpecs.filter((s) => !callSpecs.some((c) => c.ResourceType === s.ResourceType)),
      ...callSpecs,
    ];
  // A template with interfaces: the call's subnet and groups go to its primary interface.
  const nics = merged.NetworkInterfaces as Record<string, unknown>[] | undefined;
  if (nics?.length && !call.NetworkInterfaces && (call.SubnetId || call.SecurityGroupIds)) {
    merged.NetworkInterfaces = nics.map((n) =>
      (n.DeviceIndex ?? 0) === 0
        ? {
            ...n,
            ...(call.SubnetId ? { SubnetId: call.SubnetId } : {}),
            ...(call.SecurityGroupIds ? { Groups: call.SecurityGroupIds } : {}),
          }
        : n,
    );
    delete merged.SubnetId;
    delete merged.SecurityGroupIds;
  }
  return {
    input: merged as T,
    tags: [
      ["aws:ec2launchtemplate:id", t.launchTemplateId],
      ["aws:ec2launchtemplate:version", String(v.versionNumber)],
    ],
  };
}

// ── actions ──────────────────────────────────────────────────────────────────────────────────
function checkName(name: string | undefined): string {
  if (!name) throw errors.missingParameter("LaunchTemplateName");
  if (!NAME_RE.test(name))
    throw new Ec2Error(
      "InvalidLaunchTemplateName.MalformedException",
      "A launch template name must be between 3 and 128 characters, and may contain letters, numbers, and the following characters: - ( ) . / _.'",
    );
  return name;
}

/** One version of one template, as the version filters see it. */
type VersionRow = { t: LaunchTemplate; v: LaunchTemplateVersion; tags: Map<string, string> };
const VERSION_FILTERS = {
  "create-time": (x: VersionRow) => new Date(x.v.createTime).toISOString(),
  "is-default-version": (x: VersionRow) => String(x.v.versionNumber === x.t.defaultVersion),
  "image-id": (x: VersionRow) => x.v.data.ImageId as string | undefined,
  "instance-type": (x: VersionRow) => x.v.data.InstanceType as string | undefined,
  "kernel-id": (x: VersionRow) => x.v.data.KernelId as string | undefined,
  "ram-disk-id": (x: VersionRow) => x.v.data.RamDiskId as string | undefined,
};

export const launchTemplateActions = {
  CreateLaunchTemplate(tx: Tx, input: CreateLaunchTemplateRequest): CreateLaunchTemplateResult {
    const name = checkName(input.LaunchTemplateName);
    for (const t of tx.region.launchTemplates.values())
      if (t.ownerId === tx.ctx.accountId && t.launchTemplateName === name)
        throw new Ec2Error("InvalidLaunchTemplateName.AlreadyExistsException", "Launch template name already in use.");
    const data = plainData(input.LaunchTemplateData);
    const tags = tagsFor(input.TagSpecifications, "launch-template", ["launch-template"]);
    const launchTemplateId = tx.newId("launchTemplate");
    tx.emit({
      type: "LaunchTemplateCreated",
      region: tx.ctx.region,
      launchTemplateId,
      launchTemplateName: name,
      ownerId: tx.ctx.accountId,
      createdBy: createdBy(tx),
      ...(input.VersionDescription !== undefined ? { description: input.VersionDescription } : {}),
      data,
      tags,
    });
    return { LaunchTemplate: toEc2Template(tx.region.launchTemplates.get(launchTemplateId)!) };
  },

  CreateLaunchTemplateVersion(tx: Tx, input: CreateLaunchTemplateVersionRequest): CreateLaunchTemplateVersionResult {
    const t = requireTemplate(tx, input);
    let data = plainData(input.LaunchTemplateData);
    // From a source version: its parameters, with the new ones laid over them.
    if (input.SourceVersion !== undefined) data = { ...resolveVersion(t, input.SourceVersion).data, ...data };
    const versionNumber = t.latestVersion + 1;
    tx.emit({
      type: "LaunchTemplateVersionCreated",
      region: tx.ctx.region,
      launchTemplateId: t.launchTemplateId,
      versionNumber,
      ...(input.VersionDescription !== undefined ? { description: input.VersionDescription } : {}),
      data,
      createdBy: createdBy(tx),
    });
    return { LaunchTemplateVersion: toEc2Version(t, t.versions.get(versionNumber)!) };
  },

  ModifyLaunchTemplate(tx: Tx, input: ModifyLaunchTemplateRequest): ModifyLaunchTemplateResult {
    const t = requireTemplate(tx, input);
    if (input.DefaultVersion !== undefined) {
      const v = resolveVersion(t, input.DefaultVersion);
      tx.emit({
        type: "LaunchTemplateModified",
        region: tx.ctx.region,
        launchTemplateId: t.launchTemplateId,
        defaultVersion: v.versionNumber,
      });
    }
    return { LaunchTemplate: toEc2Template(t) };
  },

  DescribeLaunchTemplates(
    tx: Tx,
    input: DescribeLaunchTemplatesRequest & { Filters?: Filter[] },
  ): DescribeLaunchTemplatesResult {
    const mine = [...tx.region.launchTemplates.values()].filter((t) => t.ownerId === tx.ctx.accountId);
    for (const id of input.LaunchTemplateIds ?? [])
      if (!mine.some((t) => t.launchTemplateId === id)) throw notFoundTemplateId(id);
    for (const n of input.LaunchTemplateNames ?? [])
      if (!mine.some((t) => t.launchTemplateName === n))
        throw new Ec2Error(
          "InvalidLaunchTemplateName.NotFoundException",
          "At least one of the launch templates specified in the request does not exist.",
        );
    const match = compileFilters(input.Filters, {
      "create-time": (t: LaunchTemplate) => new Date(t.createTime).toISOString(),
      "launch-template-name": (t: LaunchTemplate) => t.launchTemplateName,
    });
    const rows = mine.filter(
      (t) =>
        (!input.LaunchTemplateIds?.length || input.LaunchTemplateIds.includes(t.launchTemplateId)) &&
        (!input.LaunchTemplateNames?.length || input.LaunchTemplateNames.includes(t.launchTemplateName)) &&
        match(t),
    );
    const { page, nextToken } = paginate(rows, input, { min: 1, max: 200 }, "lts");
    return { LaunchTemplates: page.map(toEc2Template), NextToken: nextToken };
  },

  DescribeLaunchTemplateVersions(
    tx: Tx,
    input: DescribeLaunchTemplateVersionsRequest & { Filters?: Filter[] },
  ): DescribeLaunchTemplateVersionsResult {
    const named = input.LaunchTemplateId !== undefined || input.LaunchTemplateName !== undefined;
    const templates = named
      ? [requireTemplate(tx, input)]
      : [...tx.region.launchTemplates.values()].filter((t) => t.ownerId === tx.ctx.accountId);
    const rows: VersionRow[] = [];
    const min = input.MinVersion !== undefined ? Number(input.MinVersion) : -Infinity;
    const max = input.MaxVersion !== undefined ? Number(input.MaxVersion) : Infinity;
    for (const t of templates) {
      const chosen = input.Versions?.length
        ? input.Versions.map((x) => {
            if (named) return resolveVersion(t, x);
            // Across templates only the aliases make sense; a number picks that version where it exists.
            try {
              return resolveVersion(t, x);
            } catch {
              return undefined;
            }
          }).filter((v): v is LaunchTemplateVersion => v !== undefined)
        : [...t.versions.values()];
      for (const v of new Set(chosen))
        if (v.versionNumber >= min && v.versionNumber <= max) rows.push({ t, v, tags: t.tags });
    }
    rows.sort((a, b) => (a.t === b.t ? b.v.versionNumber - a.v.versionNumber : 0));
    const match = compileFilters(input.Filters, VERSION_FILTERS);
    const { page, nextToken } = paginate(rows.filter(match), input, { min: 1, max: 200 }, "ltvs");
    const versions = page.map((r) => toEc2Version(r.t, r.v));
    // ResolveAlias: a resolve:ssm: image shows as the AMI ID the parameter holds now (EC2 keeps the
    // alias in the version and resolves it again at every launch).
    if (input.ResolveAlias)
      for (const v of versions) {
        const image = v.LaunchTemplateData?.ImageId;
        if (image?.startsWith("resolve:ssm:"))
          v.LaunchTemplateData = { ...v.LaunchTemplateData, ImageId: resolveImageReference(tx, image) };
      }
    return { LaunchTemplateVersions: versions, NextToken: nextToken };
  },

  DeleteLaunchTemplateVersions(tx: Tx, input: DeleteLaunchTemplateVersionsRequest): DeleteLaunchTemplateVersionsResult {
    const t = requireTemplate(tx, input);
    if (!input.Versions?.length) throw errors.missingParameter("LaunchTemplateVersion");
    const deleted: number[] = [];
    const refused: { version: string; code: string; message: string }[] = [];
    for (const text of input.Versions) {
      const n = Number(text);
      if (!t.versions.has(n))
        refused.push({
          version: text,
          code: "launchTemplateVersionDoesNotExist",
          message: "The specified launch template version does not exist.",
        });
      else if (n === t.defaultVersion)
        refused.push({
          version: text,
          code: "launchTemplateVersionIsDefault",
          message: "The default version of a launch template cannot be deleted.",
        });
      else deleted.push(n);
    }
    if (deleted.length)
      tx.emit({
        type: "LaunchTemplateVersionsDeleted",
        region: tx.ctx.region,
        launchTemplateId: t.launchTemplateId,
        versions: deleted,
      });
    return {
      SuccessfullyDeletedLaunchTemplateVersions: deleted.map((VersionNumber) => ({
        LaunchTemplateId: t.launchTemplateId,
        LaunchTemplateName: t.launchTemplateName,
        VersionNumber,
      })),
      UnsuccessfullyDeletedLaunchTemplateVersions: refused.map((r) => ({
        LaunchTemplateId: t.launchTemplateId,
        LaunchTemplateName: t.launchTemplateName,
        VersionNumber: Number(r.version),
        ResponseError: { Code: r.code as never, Message: r.message },
      })),
    };
  },

  DeleteLaunchTemplate(tx: Tx, input: DeleteLaunchTemplateRequest): DeleteLaunchTemplateResult {
    const t = requireTemplate(tx, input);
    tx.emit({ type: "LaunchTemplateDeleted", region: tx.ctx.region, launchTemplateId: t.launchTemplateId });
    return { LaunchTemplate: toEc2Template(t) };
  },
};
