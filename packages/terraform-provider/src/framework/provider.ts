// The resource/data-source framework: turns resource definitions into tfplugin6 handlers with
// SDK-like planning (ForceNew -> RequiresReplace, defaults, unknown computed values), state
// upgrade from raw JSON, import, refresh, apply and diagnostics.

import type { ProviderHandlers } from "../plugin.ts";
import { type PAttributePath, type PDiagnostic, Severity } from "../proto/tfplugin6.ts";
import { checkAttributeConstraints, checkConfigValidators } from "./constraints.ts";
import { errorCode, ProviderClients, ResourceContext, resolveProviderConfig } from "./context.ts";
import { containsUnknown, decodeValue, encodeValue, isUnknown, UNKNOWN } from "./msgpack.ts";
import { type Block, type DataSourceSchema, fullBlock, type ResourceSchema, strList, toProtoSchema } from "./schema.ts";
import { isObj, mergeTags, normalize, type Obj, sameValue, unknownsToNull } from "./values.ts";

export interface ResourceImpl {
  readonly schema: ResourceSchema;
  /** Human name used in diagnostics, as hashicorp/aws words them ("EC2 Instance"). */
  readonly title: string;
  create(ctx: ResourceContext, plan: Obj, config: Obj): Promise<Obj>;
  /** null: the remote object is gone (terraform drops it from state). */
  read(ctx: ResourceContext, state: Obj): Promise<Obj | null>;
  update?(ctx: ResourceContext, prior: Obj, plan: Obj, config: Obj): Promise<Obj | void>;
  delete(ctx: ResourceContext, state: Obj): Promise<void>;
  /** The state an import starts from (then refreshed with read). Default: { id }. */
  importState?(id: string): Obj;
  /** Adjust a plan (mark values unknown, extra replacements). Returns extra requires-replace attribute names. */
  modifyPlan?(args: { prior: Obj | null; plan: Obj; config: Obj; providerRegion: string }): string[] | void;
  /** Known limits against hashicorp/aws (docs/COVERAGE.md's "partial"). */
  readonly partial?: string;
  /** Extra checks at validate time: a message (an error whose summary it is) or a full diagnostic. */
  validate?(config: Obj): (string | PDiagnostic)[];
  /**
   * Refuses every plan that would create or keep an instance of the type (the types ec2sim leaves out).
   * At plan, not validate: modules declare optional resources behind `count = 0`, and terraform
   * validates those blocks too but plans only the instances that exist.
   */
  refuse?(): PDiagnostic;
}

export interface DataSourceImpl {
  readonly schema: DataSourceSchema;
  readonly title: string;
  /** Known limits against hashicorp/aws (docs/COVERAGE.md's "partial"). */
  readonly partial?: string;
  read(ctx: ResourceContext, config: Obj): Promise<Obj>;
}

export interface ProviderDefinition {
  schema: Block;
  resources: Record<string, ResourceImpl>;
  dataSources: Record<string, DataSourceImpl>;
}

// ---- diagnostics ----
export function errorDiagnostic(summary: string, detail = "", path?: string[]): PDiagnostic {
  const d: PDiagnostic = { severity: Severity.ERROR, summary, detail };
  if (path) d.attribute = { steps: path.map((attribute_name) => ({ attribute_name })) };
  return d;
}

/** An error as a diagnostic: EC2's error code goes into the summary, like hashicorp/aws's "api error Code: message". */
export function diagnosticFromError(action: string, err: unknown): PDiagnostic {
  const code = errorCode(err);
  const message = err instanceof Error ? err.message : String(err);
  return errorDiagnostic(code ? `${action}: api error ${code}: ${message}` : `${action}: ${message}`);
}

const NULL_DV = () => ({ msgpack: encodeValue(null) });
const dv = (v: unknown) => ({ msgpack: encodeValue(v) });

// ---- planning helpers ----
function applyDefaults(block: Block, plan: Obj, config: Obj | null): void {
  for (const [name, a] of Object.entries(block.attributes)) {
    if (a.default !== undefined && (config?.[name] ?? null) === null && (plan[name] ?? null) === null)
      plan[name] = a.default;
  }
  for (const [name, b] of Object.entries(block.blocks ?? {})) {
    const pv = plan[name];
    const cv = config?.[name];
    if (b.nesting === "single") {
      if (isObj(pv)) applyDefaults(b.block, pv, isObj(cv) ? cv : null);
    } else if (Array.isArray(pv)) {
      for (const [i, e] of pv.entries()) {
        if (isObj(e)) applyDefaults(b.block, e, Array.isArray(cv) && isObj(cv[i]) ? (cv[i] as Obj) : null);
      }
    }
  }
}

/** On create: every computed attribute the configuration leaves null becomes unknown. */
function markComputedUnknown(block: Block, plan: Obj, config: Obj | null): void {
  for (const [name, a] of Object.entries(block.attributes)) {
    if (a.computed && (config?.[name] ?? null) === null && a.default === undefined) plan[name] = UNKNOWN;
  }
  for (const [name, b] of Object.entries(block.blocks ?? {})) {
    const pv = plan[name];
    const cv = config?.[name];
    if (b.nesting === "single") {
      if (isObj(pv)) markComputedUnknown(b.block, pv, isObj(cv) ? cv : null);
    } else if (Array.isArray(pv)) {
      for (const [i, e] of pv.entries()) {
        if (isObj(e)) markComputedUnknown(b.block, e, Array.isArray(cv) && isObj(cv[i]) ? (cv[i] as Obj) : null);
      }
    }
  }
}

/**
 * SDK Optional+Computed blocks: when the configuration has none, the plan keeps the prior state's
 * blocks (on update) or leaves them unknown (on create), as terraform-plugin-sdk does; otherwise
 * every refresh would plan to remove what the API reports (root_block_device, metadata_options, …).
 */
function keepComputedBlocks(block: Block, plan: Obj, prior: Obj | null, config: Obj | null): void {
  for (const [name, b] of Object.entries(block.blocks ?? {})) {
    const cv = config?.[name];
    const configured = b.nesting === "single" ? isObj(cv) : Array.isArray(cv) && cv.length > 0;
    if (b.computed && !configured) {
      plan[name] = prior ? (prior[name] ?? (b.nesting === "single" ? null : [])) : UNKNOWN;
      continue;
    }
    // Recurse into configured list/single blocks (sets have no stable positions to match prior elements).
    const pv = plan[name];
    const ov = prior?.[name];
    if (b.nesting === "single") {
      if (isObj(pv)) keepComputedBlocks(b.block, pv, isObj(ov) ? ov : null, isObj(cv) ? cv : null);
    } else if (b.nesting === "list" && Array.isArray(pv)) {
      for (const [i, e] of pv.entries()) {
        if (isObj(e))
          keepComputedBlocks(
            b.block,
            e,
            Array.isArray(ov) && isObj(ov[i]) ? (ov[i] as Obj) : null,
            Array.isArray(cv) && isObj(cv[i]) ? (cv[i] as Obj) : null,
          );
      }
    }
  }
}

const configElems = (v: unknown): Obj[] => (Array.isArray(v) ? v.filter(isObj) : isObj(v) ? [v] : []);

/**
 * A planned nested object equals a prior one except for unknown computed attributes that the
 * configuration does not set (recursively). `config` holds the configuration's elements of this block.
 */
function matchesModuloUnknown(block: Block, plan: Obj, prior: Obj, config: Obj[]): boolean {
  for (const [name, a] of Object.entries(block.attributes)) {
    const pv = plan[name];
    if (isUnknown(pv)) {
      if (!a.computed || config.some((c) => (c[name] ?? null) !== null)) return false;
      continue;
    }
    // null and the zero value are the same to the SDK (see keepZeroValues).
    if ((pv ?? null) === null && isZero(prior[name])) continue;
    if (!sameValue(pv ?? null, prior[name] ?? null, attrIsSet(block, name))) return false;
  }
  for (const [name, b] of Object.entries(block.blocks ?? {})) {
    const pv = plan[name];
    const ov = prior[name];
    const cv = config.flatMap((c) => configElems(c[name]));
    if (isUnknown(pv)) {
      if (!b.computed || cv.length) return false;
      continue;
    }
    if (b.nesting === "single") {
      if (isObj(pv) !== isObj(ov) || (isObj(pv) && isObj(ov) && !matchesModuloUnknown(b.block, pv, ov, cv)))
        return false;
      continue;
    }
    const ps = Array.isArray(pv) ? pv.filter(isObj) : [];
    const os = Array.isArray(ov) ? ov.filter(isObj) : [];
    if (ps.length !== os.length) return false;
    if (b.nesting === "list") {
      if (!ps.every((e, i) => matchesModuloUnknown(b.block, e, os[i]!, cv))) return false;
    } else {
      const used = new Set<number>();
      for (const e of ps) {
        const j = os.findIndex((o, k) => !used.has(k) && matchesModuloUnknown(b.block, e, o, cv));
        if (j < 0) return false;
        used.add(j);
      }
    }
  }
  return true;
}

/**
 * terraform-plugin-sdk keeps the prior value of a computed attribute the configuration leaves
 * unset, also inside nested blocks; terraform core cannot correlate set elements, so it proposes
 * such attributes as unknown. A planned nested object that equals a prior one except for those
 * unknowns takes the prior object (no spurious "known after apply", no replacement).
 */
function keepPriorNested(block: Block, plan: Obj, prior: Obj, config: Obj | null): void {
  for (const [name, b] of Object.entries(block.blocks ?? {})) {
    const pv = plan[name];
    const ov = prior[name];
    const cv = configElems(config?.[name]);
    if (b.nesting === "single") {
      if (isObj(pv) && isObj(ov)) {
        if (matchesModuloUnknown(b.block, pv, ov, cv)) plan[name] = ov;
        else keepPriorNested(b.block, pv, ov, cv[0] ?? null);
      }
      continue;
    }
    if (!Array.isArray(pv) || !Array.isArray(ov)) continue;
    const used = new Set<number>();
    plan[name] = pv.map((e, i) => {
      if (!isObj(e)) return e;
      if (b.nesting === "list") {
        const o = ov[i];
        if (!isObj(o)) return e;
        if (matchesModuloUnknown(b.block, e, o, cv[i] ? [cv[i]] : [])) return o;
        keepPriorNested(b.block, e, o, cv[i] ?? null);
        return e;
      }
      const j = ov.findIndex((o, k) => !used.has(k) && isObj(o) && matchesModuloUnknown(b.block, e, o, cv));
      if (j < 0) return e;
      used.add(j);
      return ov[j];
    });
  }
}

/**
 * terraform-plugin-sdk cannot tell an empty list, set or map in the configuration from an unset one:
 * an Optional+Computed collection configured empty (modules pass `vpc_security_group_ids = []` when
 * they make no group) keeps what the API reports, or is known after apply on create.
 */
function emptyCollectionsUnset(block: Block, plan: Obj, prior: Obj | null, config: Obj): void {
  for (const [name, a] of Object.entries(block.attributes)) {
    // Collections of objects (`ingress = []`, `route = []`: attributes as blocks) do mean "none".
    if (!a.optional || !a.computed || typeof a.type === "string" || typeof a.type[1] !== "string") continue;
    const cv = config[name];
    const empty = (Array.isArray(cv) && cv.length === 0) || (isObj(cv) && Object.keys(cv).length === 0);
    if (empty) plan[name] = prior ? (prior[name] ?? null) : UNKNOWN;
  }
}

/** Blocks marked emptyIsMissing: one element with every argument null plans as the prior "none". */
function keepMissingForEmpty(block: Block, plan: Obj, prior: Obj): void {
  for (const [name, b] of Object.entries(block.blocks ?? {})) {
    if (!b.emptyIsMissing) continue;
    const pv = plan[name];
    const ov = prior[name];
    const none = ov === null || ov === undefined || (Array.isArray(ov) && ov.length === 0);
    const allNull = (e: unknown) => isObj(e) && Object.values(e).every((v) => v === null || v === undefined);
    if (none && Array.isArray(pv) && pv.length === 1 && allNull(pv[0])) plan[name] = ov ?? [];
  }
}

function isZero(v: unknown): boolean {
  return (
    v === "" ||
    v === false ||
    v === 0 ||
    (Array.isArray(v) && v.length === 0) ||
    (isObj(v) && Object.keys(v).length === 0)
  );
}

/**
 * terraform-plugin-sdk treats null and the zero value ("", false, 0, empty list/map) of an attribute
 * as equal: an attribute the configuration leaves null keeps a zero value read from the API, so
 * refreshes do not produce perpetual diffs (or replacements, for ForceNew attributes).
 */
function keepZeroValues(block: Block, plan: Obj, prior: Obj, config: Obj | null): void {
  for (const [name, a] of Object.entries(block.attributes)) {
    if (a.computed || a.default !== undefined) continue;
    if ((config?.[name] ?? null) === null && (plan[name] ?? null) === null && isZero(prior[name]))
      plan[name] = prior[name];
  }
  for (const [name, b] of Object.entries(block.blocks ?? {})) {
    const pv = plan[name];
    const ov = prior[name];
    const cv = config?.[name];
    if (b.nesting === "single") {
      if (isObj(pv) && isObj(ov)) keepZeroValues(b.block, pv, ov, isObj(cv) ? cv : null);
    } else if (b.nesting === "list" && Array.isArray(pv) && Array.isArray(ov)) {
      for (const [i, e] of pv.entries()) {
        if (isObj(e) && isObj(ov[i]))
          keepZeroValues(b.block, e, ov[i] as Obj, Array.isArray(cv) && isObj(cv[i]) ? (cv[i] as Obj) : null);
      }
    }
  }
}

function attrIsSet(block: Block, name: string): boolean {
  const a = block.attributes[name];
  if (a) return typeof a.type !== "string" && a.type[0] === "set";
  return block.blocks?.[name]?.nesting === "set";
}

/** Attribute names whose change forces replacement (top level; a ForceNew nested attribute marks its block). */
function forceNewChanges(block: Block, prior: Obj, plan: Obj): string[] {
  const out: string[] = [];
  for (const [name, a] of Object.entries(block.attributes)) {
    if (a.forceNew && !sameValue(prior[name] ?? null, plan[name] ?? null, attrIsSet(block, name))) out.push(name);
  }
  for (const [name, b] of Object.entries(block.blocks ?? {})) {
    const pv = prior[name];
    const nv = plan[name];
    if (b.forceNew) {
      if (!sameValue(pv ?? null, nv ?? null, b.nesting === "set")) out.push(name);
      continue;
    }
    if (
      hasNestedForceNew(b.block) &&
      !sameValue(projectForceNew(b.block, pv), projectForceNew(b.block, nv), b.nesting === "set")
    ) {
      // Only counts when the block is configured (an Optional+Computed block left out keeps its value).
      if (!(b.computed && Array.isArray(nv) && nv.length === 0)) out.push(name);
    }
  }
  return out;
}
function hasNestedForceNew(block: Block): boolean {
  return (
    Object.values(block.attributes).some((a) => a.forceNew) ||
    Object.values(block.blocks ?? {}).some((b) => b.forceNew || hasNestedForceNew(b.block))
  );
}
function projectForceNew(block: Block, v: unknown): unknown {
  if (isUnknown(v)) return v;
  const one = (o: unknown) => {
    if (!isObj(o)) return o ?? null;
    const out: Obj = {};
    for (const [n, a] of Object.entries(block.attributes)) if (a.forceNew) out[n] = o[n] ?? null;
    for (const [n, b] of Object.entries(block.blocks ?? {}))
      out[n] = b.forceNew ? (o[n] ?? null) : projectForceNew(b.block, o[n]);
    return out;
  };
  return Array.isArray(v) ? v.map(one) : one(v);
}

function mergeState(block: Block, base: Obj, over: Obj): Obj {
  const out: Obj = { ...base };
  for (const [k, v] of Object.entries(over)) if (v !== undefined) out[k] = v;
  return normalize(block, out);
}

// ---- the handlers ----
export function createProvider(def: ProviderDefinition): ProviderHandlers {
  let clients: ProviderClients | null = null;
  const blocks = new WeakMap<ResourceSchema, Block>();
  const blockOf = (s: ResourceSchema): Block => {
    let b = blocks.get(s);
    if (!b) {
      b = fullBlock(s);
      blocks.set(s, b);
    }
    return b;
  };

  const providerRegion = () => clients?.config.region ?? "us-east-1";
  const ctxFor = (typeName: string, schema: ResourceSchema, state: Obj | null): ResourceContext => {
    if (!clients) throw new Error("the provider is not configured");
    const region = typeof state?.region === "string" && state.region ? state.region : clients.config.region;
    if (!region) throw new Error('no region: set "region" in the provider block or AWS_REGION');
    const timeouts = isObj(state?.timeouts) ? (state.timeouts as Obj) : null;
    return new ResourceContext(typeName, clients, region, schema.timeouts ?? {}, timeouts);
  };

  const resource = (name: string): ResourceImpl => {
    const r = def.resources[name];
    if (!r) throw new Error(`unknown resource type ${name}`);
    return r;
  };

  // Terraform starts the plugin 3–5 times per command; with get_provider_schema_optional it asks the
  // first instance for the schema and reuses it for the others (its per-process schema cache), as
  // terraform-plugin-framework providers allow. Every handler reads `def` itself, never what was sent.
  const capabilities = { plan_destroy: false, get_provider_schema_optional: true };
  return {
    GetMetadata: () => ({
      server_capabilities: capabilities,
      resources: Object.keys(def.resources).map((type_name) => ({ type_name })),
      data_sources: Object.keys(def.dataSources).map((type_name) => ({ type_name })),
    }),

    GetProviderSchema: () => ({
      provider: toProtoSchema(def.schema),
      resource_schemas: Object.fromEntries(
        Object.entries(def.resources).map(([n, r]) => [n, toProtoSchema(blockOf(r.schema), r.schema.version)]),
      ),
      data_source_schemas: Object.fromEntries(
        Object.entries(def.dataSources).map(([n, d]) => [n, toProtoSchema(blockOf(d.schema), d.schema.version)]),
      ),
      // hashicorp/aws's provider_meta: modules add their name to the User-Agent (terraform-aws-modules do).
      provider_meta: toProtoSchema({ attributes: { user_agent: strList("o") } }),
      server_capabilities: capabilities,
    }),

    ValidateProviderConfig: () => ({ diagnostics: [] }),

    ConfigureProvider: (req: { config?: { msgpack?: Uint8Array } }) => {
      const config = decodeValue(req.config?.msgpack);
      clients = new ProviderClients(resolveProviderConfig(isObj(config) ? (unknownsToNull(config) as Obj) : {}));
      return { diagnostics: [] };
    },

    ValidateResourceConfig: (req: { type_name: string; config?: { msgpack?: Uint8Array } }) => {
      const r = def.resources[req.type_name];
      if (!r) return { diagnostics: [errorDiagnostic(`unknown resource type ${req.type_name}`)] };
      const config = decodeValue(req.config?.msgpack);
      const cfg = isObj(config) ? config : {};
      const diags = validateConfig(r.schema, blockOf(r.schema), cfg);
      for (const msg of r.validate?.(cfg) ?? []) diags.push(typeof msg === "string" ? errorDiagnostic(msg) : msg);
      return { diagnostics: diags };
    },

    ValidateDataResourceConfig: (req: { type_name: string; config?: { msgpack?: Uint8Array } }) => {
      const d = def.dataSources[req.type_name];
      if (!d) return { diagnostics: [errorDiagnostic(`unknown data source ${req.type_name}`)] };
      const config = decodeValue(req.config?.msgpack);
      return { diagnostics: validateConfig(d.schema, blockOf(d.schema), isObj(config) ? config : {}) };
    },

    UpgradeResourceState: (req: { type_name: string; version: number; raw_state?: { json?: Uint8Array } }) => {
      const r = resource(req.type_name);
      const raw = req.raw_state?.json?.length ? JSON.parse(new TextDecoder().decode(req.raw_state.json)) : null;
      if (raw === null) return { upgraded_state: NULL_DV() };
      return { upgraded_state: dv(normalize(blockOf(r.schema), raw)), diagnostics: [] };
    },

    ReadResource: async (req: {
      type_name: string;
      current_state?: { msgpack?: Uint8Array };
      private?: Uint8Array;
    }) => {
      const r = resource(req.type_name);
      const block = blockOf(r.schema);
      const state = decodeValue(req.current_state?.msgpack);
      if (!isObj(state)) return { new_state: NULL_DV(), private: req.private };
      try {
        const ctx = ctxFor(req.type_name, r.schema, state);
        const fresh = await r.read(ctx, state);
        if (fresh === null) return { new_state: NULL_DV() };
        return {
          new_state: dv(withTagsAll(block, mergeState(block, state, fresh), clients?.config.defaultTags ?? {})),
          private: req.private,
        };
      } catch (err) {
        return {
          new_state: req.current_state,
          private: req.private,
          diagnostics: [diagnosticFromError(`reading ${r.title} (${String(state.id)})`, err)],
        };
      }
    },

    PlanResourceChange: (req: {
      type_name: string;
      prior_state?: { msgpack?: Uint8Array };
      proposed_new_state?: { msgpack?: Uint8Array };
      config?: { msgpack?: Uint8Array };
      prior_private?: Uint8Array;
    }) => {
      const r = resource(req.type_name);
      const block = blockOf(r.schema);
      const prior = decodeValue(req.prior_state?.msgpack);
      const proposed = decodeValue(req.proposed_new_state?.msgpack);
      const config = decodeValue(req.config?.msgpack);
      if (!isObj(proposed))
        return { planned_state: NULL_DV(), planned_private: req.prior_private, legacy_type_system: true };
      const refusal = r.refuse?.();
      if (refusal) return { planned_state: req.proposed_new_state, diagnostics: [refusal], legacy_type_system: true };
      const cfg = isObj(config) ? config : {};
      const plan = normalize(block, proposed);
      applyDefaults(block, plan, cfg);
      if ("region" in block.attributes && (cfg.region ?? null) === null)
        plan.region = isObj(prior) && prior.region ? prior.region : providerRegion();
      if ("tags_all" in block.attributes) plan.tags_all = mergeTags(clients?.config.defaultTags ?? {}, plan.tags);

      let replace: string[] = [];
      emptyCollectionsUnset(block, plan, isObj(prior) ? prior : null, cfg);
      keepComputedBlocks(block, plan, isObj(prior) ? prior : null, cfg);
      if (!isObj(prior)) {
        markComputedUnknown(block, plan, cfg);
        if ("region" in block.attributes && (cfg.region ?? null) === null) plan.region = providerRegion();
        if ("tags_all" in block.attributes) plan.tags_all = mergeTags(clients?.config.defaultTags ?? {}, plan.tags);
      } else {
        keepMissingForEmpty(block, plan, prior);
        keepZeroValues(block, plan, prior, cfg);
        keepPriorNested(block, plan, prior, cfg);
        if ("tags_all" in block.attributes) plan.tags_all = mergeTags(clients?.config.defaultTags ?? {}, plan.tags);
        replace = forceNewChanges(block, prior, plan);
        if ("region" in block.attributes && !sameValue(prior.region ?? null, plan.region ?? null))
          replace.push("region");
      }
      const extra =
        r.modifyPlan?.({ prior: isObj(prior) ? prior : null, plan, config: cfg, providerRegion: providerRegion() }) ??
        [];
      replace = [...new Set([...replace, ...extra])];
      const requires_replace: PAttributePath[] = replace.map((n) => ({ steps: [{ attribute_name: n }] }));
      return {
        planned_state: dv(plan),
        requires_replace,
        planned_private: req.prior_private,
        legacy_type_system: true,
      };
    },

    ApplyResourceChange: async (req: {
      type_name: string;
      prior_state?: { msgpack?: Uint8Array };
      planned_state?: { msgpack?: Uint8Array };
      config?: { msgpack?: Uint8Array };
      planned_private?: Uint8Array;
    }) => {
      const r = resource(req.type_name);
      const block = blockOf(r.schema);
      const prior = decodeValue(req.prior_state?.msgpack);
      const planned = decodeValue(req.planned_state?.msgpack);
      const config = decodeValue(req.config?.msgpack);
      const cfg = isObj(config) ? config : {};
      if (!isObj(planned)) {
        if (!isObj(prior)) return { new_state: NULL_DV(), legacy_type_system: true };
        try {
          await r.delete(ctxFor(req.type_name, r.schema, prior), prior);
          return { new_state: NULL_DV(), legacy_type_system: true };
        } catch (err) {
          return {
            new_state: req.prior_state,
            legacy_type_system: true,
            diagnostics: [diagnosticFromError(`deleting ${r.title} (${String(prior.id)})`, err)],
          };
        }
      }
      const ctx = ctxFor(req.type_name, r.schema, planned);
      const finish = (s: Obj) =>
        dv(normalize(block, unknownsToNull(withTagsAll(block, s, clients?.config.defaultTags ?? {}))));
      if (!isObj(prior)) {
        try {
          const created = await r.create(ctx, planned, cfg);
          return {
            new_state: finish(mergeState(block, planned, created)),
            private: req.planned_private,
            legacy_type_system: true,
          };
        } catch (err) {
          const diag = diagnosticFromError(`creating ${r.title}`, err);
          if (ctx.partial)
            return {
              new_state: finish(mergeState(block, planned, ctx.partial)),
              diagnostics: [diag],
              legacy_type_system: true,
            };
          return { new_state: NULL_DV(), diagnostics: [diag], legacy_type_system: true };
        }
      }
      try {
        const updated = r.update ? await r.update(ctx, prior, planned, cfg) : undefined;
        let next = mergeState(block, planned, updated ?? {});
        if (containsUnknown(next)) {
          // Computed values the update did not report: refresh them.
          const fresh = await r.read(ctx, unknownsToNull(next) as Obj);
          if (fresh) next = mergeState(block, next, fresh);
        }
        return { new_state: finish(next), private: req.planned_private, legacy_type_system: true };
      } catch (err) {
        return {
          new_state: req.prior_state,
          diagnostics: [diagnosticFromError(`updating ${r.title} (${String(prior.id)})`, err)],
          legacy_type_system: true,
        };
      }
    },

    ImportResourceState: (req: { type_name: string; id: string }) => {
      const r = resource(req.type_name);
      const block = blockOf(r.schema);
      try {
        const start = r.importState ? r.importState(req.id) : { id: req.id };
        const state = normalize(block, { region: providerRegion(), ...start });
        applyDefaults(block, state, null);
        return { imported_resources: [{ type_name: req.type_name, state: dv(state) }] };
      } catch (err) {
        return { diagnostics: [diagnosticFromError(`importing ${r.title} (${req.id})`, err)] };
      }
    },

    ReadDataSource: async (req: { type_name: string; config?: { msgpack?: Uint8Array } }) => {
      const d = def.dataSources[req.type_name];
      if (!d) return { diagnostics: [errorDiagnostic(`unknown data source ${req.type_name}`)] };
      const block = blockOf(d.schema);
      const config = decodeValue(req.config?.msgpack);
      const cfg = normalize(block, isObj(config) ? config : {});
      try {
        const ctx = ctxFor(req.type_name, d.schema, cfg);
        const result = await d.read(ctx, cfg);
        const state = mergeState(block, cfg, result);
        // Non-computed arguments must come back exactly as configured.
        for (const [n, a] of Object.entries(block.attributes)) if (!a.computed) state[n] = cfg[n];
        if ("region" in block.attributes && state.region === null) state.region = ctx.region;
        return { state: dv(unknownsToNull(state)) };
      } catch (err) {
        return { diagnostics: [diagnosticFromError(`reading ${d.title}`, err)] };
      }
    },

    StopProvider: () => ({ Error: "" }),
  };
}

function withTagsAll(block: Block, s: Obj, defaults: Record<string, string>): Obj {
  if ("tags_all" in block.attributes && !isUnknown(s.tags)) s.tags_all = mergeTags(defaults, s.tags);
  return s;
}

/** What the schema declares, checked on a configuration (terraform itself checks required attributes and types). */
function validateConfig(schema: ResourceSchema, block: Block, config: Obj): PDiagnostic[] {
  return [
    ...validateBlock(block, config, []),
    ...checkAttributeConstraints(block, config),
    ...checkConfigValidators(schema.validators ?? [], config),
  ];
}

/** Generic checks on known values: string enums (oneOf). */
function validateBlock(block: Block, config: Obj, path: string[]): PDiagnostic[] {
  const out: PDiagnostic[] = [];
  for (const [name, a] of Object.entries(block.attributes)) {
    const v = config[name];
    if (a.oneOf && typeof v === "string" && !a.oneOf.includes(v)) {
      out.push(
        errorDiagnostic("Invalid value", `expected ${name} to be one of [${a.oneOf.join(" ")}], got ${v}`, [
          ...path,
          name,
        ]),
      );
    }
  }
  for (const [name, b] of Object.entries(block.blocks ?? {})) {
    const v = config[name];
    const items = Array.isArray(v) ? v : isObj(v) ? [v] : [];
    for (const e of items) if (isObj(e)) out.push(...validateBlock(b.block, e, [...path, name]));
  }
  return out;
}
