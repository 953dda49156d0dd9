/**
 * The one file that imports cdktf and @cdktf/provider-aws (deep imports, loaded on demand: the
 * barrel import costs seconds). Everything else talks to the `Synthesizer` interface, so the
 * maintained fork (cdktn, @cdktn/provider-aws) can replace this file alone.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type Block,
  constructOf,
  type ExportPlan,
  isRef,
  isVarRef,
  PROVIDER_REQUIREMENT,
  type Value,
} from "../plan.ts";
import type { Synthesizer } from "./synthesizer.ts";

type Ctor = new (scope: unknown, id: string, config: Record<string, unknown>) => Record<string, unknown>;

/** Imports a module by specifier (`cdktf`, `@cdktf/provider-aws/lib/instance/index.js`). */
export type ModuleLoader = (specifier: string) => Promise<Record<string, unknown>>;

/** Resolves cdktf where this module is: the bridge's own dependencies, or packages installed beside ec2sim. */
const importHere: ModuleLoader = (specifier) => import(specifier) as Promise<Record<string, unknown>>;

/** Whether cdktf and @cdktf/provider-aws resolve from here (false when they are not installed). */
export async function cdktfResolvable(): Promise<boolean> {
  try {
    await importHere("cdktf");
    await importHere("@cdktf/provider-aws/lib/provider/index.js");
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ERR_MODULE_NOT_FOUND") return false;
    throw e;
  }
}

async function build(loader: ModuleLoader, plan: ExportPlan, outdir: string, hcl: boolean) {
  const moduleCache = new Map<string, Promise<Record<string, unknown>>>();
  const load = (module: string): Promise<Record<string, unknown>> => {
    let p = moduleCache.get(module);
    if (!p) moduleCache.set(module, (p = loader(`@cdktf/provider-aws/lib/${module}/index.js`)));
    return p;
  };
  const cdktf = (await loader("cdktf")) as unknown as typeof import("cdktf");
  const classes = new Map<string, Ctor>();
  for (const b of [{ kind: "provider", tfType: "aws" }, ...plan.blocks]) {
    const c = constructOf(b);
    if (!classes.has(c.className)) classes.set(c.className, (await load(c.module))[c.className] as Ctor);
  }
  // cdktf's stack reads SYNTH_HCL_OUTPUT when it is built (App's hclOutput alone names the file only).
  const saved = process.env.SYNTH_HCL_OUTPUT;
  process.env.SYNTH_HCL_OUTPUT = hcl ? "true" : "false";
  try {
    const app = new cdktf.App({ outdir, hclOutput: hcl });
    const stack = new cdktf.TerraformStack(app, plan.stackName);
    stack.addOverride("terraform.required_providers.aws", PROVIDER_REQUIREMENT);
    if (plan.statePath) new cdktf.LocalBackend(stack, { path: plan.statePath });
    const vars = new Map<string, InstanceType<typeof cdktf.TerraformVariable>>();
    const types = new Map(plan.variables.map((v) => [v.name, v.type]));
    for (const v of plan.variables)
      vars.set(
        v.name,
        new cdktf.TerraformVariable(stack, v.name, {
          type: v.type,
          description: v.description,
          ...(v.default !== undefined ? { default: v.default } : {}),
        }),
      );
    const variable = (name: string, index?: number): unknown => {
      const x = vars.get(name)!;
      if (index !== undefined) return cdktf.Fn.element(x.listValue, index);
      const t = types.get(name);
      return t === "bool" ? x.booleanValue : t === "number" ? x.numberValue : t === "string" ? x.stringValue : x.value;
    };
    const built = new Map<string, Record<string, unknown>>();
    const Provider = classes.get("AwsProvider")!;
    for (const p of plan.providers)
      built.set(
        p.key,
        new Provider(stack, p.key, {
          region: p.regionVar ? variable(p.regionVar) : p.region,
          ...(p.alias ? { alias: p.alias } : {}),
          ...(plan.defaultTagsVar ? { defaultTags: [{ tags: variable(plan.defaultTagsVar) }] } : {}),
        }),
      );
    const resolve = (v: Value): unknown => {
      if (isVarRef(v)) return variable(v.$var, v.index);
      if (isRef(v)) {
        let x: unknown = built.get(v.$ref);
        if (x === undefined) throw new Error(`reference to ${v.$ref}, which is not defined before use`);
        for (const p of v.path) x = (x as Record<string, unknown>)[p];
        return x;
      }
      if (Array.isArray(v)) return v.map(resolve);
      if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, resolve(x)]));
      return v;
    };
    for (const b of plan.blocks) {
      const C = classes.get(constructOf(b).className)!;
      const config = resolve(b.config) as Record<string, unknown>;
      if (b.provider) config.provider = built.get(b.provider);
      built.set(b.key, new C(stack, b.key, config));
    }
    for (const o of plan.outputs)
      new cdktf.TerraformOutput(stack, o.name, { value: resolve(o.value), description: o.description });
    app.synth();
  } finally {
    if (saved === undefined) delete process.env.SYNTH_HCL_OUTPUT;
    else process.env.SYNTH_HCL_OUTPUT = saved;
  }
}

/** The synthesizer over the cdktf that `loader` imports (from a cache folder, say). */
export const cdktfSynthesizerWith = (loader: ModuleLoader): Synthesizer => ({
  name: "cdktf 0.21.0 + @cdktf/provider-aws 21.22.1",
  versions: { cdktf: "0.21.0", constructs: "^10.4.2", "@cdktf/provider-aws": "21.22.1", "cdktf-cli": "0.21.0" },
  async synthJson(plan) {
    const outdir = mkdtempSync(join(tmpdir(), "ec2sim-synth-"));
    try {
      await build(loader, plan, outdir, false);
      return JSON.parse(readFileSync(join(outdir, "stacks", plan.stackName, "cdk.tf.json"), "utf8")) as Record<
        string,
        unknown
      >;
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  },
  async synthHcl(plan) {
    const outdir = mkdtempSync(join(tmpdir(), "ec2sim-synth-"));
    try {
      await build(loader, plan, outdir, true);
      return readFileSync(join(outdir, "stacks", plan.stackName, "cdk.tf"), "utf8");
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  },
});

export const cdktfSynthesizer: Synthesizer = cdktfSynthesizerWith(importHere);

export type { Block };
