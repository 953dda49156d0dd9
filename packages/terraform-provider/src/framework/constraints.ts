// Cross-attribute constraints checked at validate time, with the semantics and wording of the two
// libraries hashicorp/aws is built on:
// - terraform-plugin-sdk attribute options (`ConflictsWith`, `ExactlyOneOf`, `AtLeastOneOf`), one
//   diagnostic per attribute that declares the option, as helper/schema's validate does;
// - terraform-plugin-framework config validators (`resourcevalidator.ExactlyOneOf`, `Conflicting`,
//   `AtLeastOneOf`) over root attributes, one diagnostic per validator.
// A value not yet known (a reference to something unapplied, `each.value.x` while `terraform
// validate` checks a for_each resource once for all its instances) may still turn out null, so it is
// never counted as set: a conflict is only reported between known values, and "none given" only when
// every candidate is known. Terraform validates again once the values are known (at plan and apply).
import { type PDiagnostic, Severity } from "../proto/tfplugin6.ts";
import { containsUnknown } from "./msgpack.ts";
import type { Block } from "./schema.ts";
import { isObj, type Obj } from "./values.ts";

/** A terraform-plugin-framework resource-level config validator over root attribute names. */
export type ConfigValidator =
  | { readonly exactlyOneOf: readonly string[] }
  | { readonly conflicting: readonly string[] }
  | { readonly atLeastOneOf: readonly string[] };

type Presence = "null" | "unknown" | "set";

function presence(v: unknown): Presence {
  if (v === null || v === undefined) return "null";
  return containsUnknown(v) ? "unknown" : "set";
}

function error(summary: string, detail: string, path: string[]): PDiagnostic {
  return {
    severity: Severity.ERROR,
    summary,
    detail,
    attribute: { steps: path.map((attribute_name) => ({ attribute_name })) },
  };
}

const uniqueSorted = (keys: readonly string[]) => [...new Set(keys)].sort();

/** The SDK options of every attribute of `block` (and of its nested blocks' elements) against `config`. */
export function checkAttributeConstraints(block: Block, config: Obj, path: string[] = []): PDiagnostic[] {
  const out: PDiagnostic[] = [];
  // A key may name a nested block: none configured is an empty list (or null), as the SDK sees it.
  const of = (k: string) => {
    const v = config[k];
    return block.blocks?.[k] && Array.isArray(v) && v.length === 0 ? "null" : presence(v);
  };
  for (const [name, a] of Object.entries(block.attributes)) {
    const at = [...path, name];
    if (a.exactlyOneOf?.length) {
      const keys = uniqueSorted([...a.exactlyOneOf, name]);
      const specified = keys.filter((k) => of(k) === "set");
      const unknown = keys.some((k) => of(k) === "unknown");
      if (specified.length === 0 && !unknown)
        out.push(
          error("Invalid combination of arguments", `"${name}": one of \`${keys.join(",")}\` must be specified`, at),
        );
      else if (specified.length > 1)
        out.push(
          error(
            "Invalid combination of arguments",
            `"${name}": only one of \`${keys.join(",")}\` can be specified, but \`${specified.join(",")}\` were specified.`,
            at,
          ),
        );
    }
    if (a.atLeastOneOf?.length) {
      const keys = uniqueSorted([...a.atLeastOneOf, name]);
      // The SDK takes an unknown value as given here: it is checked again once known.
      if (keys.every((k) => of(k) === "null"))
        out.push(error("Missing required argument", `"${name}": one of \`${keys.join(",")}\` must be specified`, at));
    }
    if (a.conflictsWith?.length && of(name) === "set") {
      const other = a.conflictsWith.find((k) => of(k) === "set");
      if (other) out.push(error("Conflicting configuration arguments", `"${name}": conflicts with ${other}`, at));
    }
  }
  for (const [name, b] of Object.entries(block.blocks ?? {})) {
    const v = config[name];
    const items = Array.isArray(v) ? v : isObj(v) ? [v] : [];
    for (const [i, e] of items.entries())
      if (isObj(e))
        out.push(
          ...checkAttributeConstraints(
            b.block,
            e,
            b.nesting === "single" ? [...path, name] : [...path, name, String(i)],
          ),
        );
  }
  return out;
}

/** The framework's config validators, as resourcevalidator words them. */
export function checkConfigValidators(validators: readonly ConfigValidator[], config: Obj): PDiagnostic[] {
  const out: PDiagnostic[] = [];
  for (const v of validators) {
    const keys = "exactlyOneOf" in v ? v.exactlyOneOf : "conflicting" in v ? v.conflicting : v.atLeastOneOf;
    const list = `[${keys.join(",")}]`;
    const configured = keys.filter((k) => presence(config[k]) === "set");
    const unknown = keys.some((k) => presence(config[k]) === "unknown");
    if ("exactlyOneOf" in v) {
      const description = `Exactly one of these attributes must be configured: ${list}`;
      if (configured.length > 1) out.push(error("Invalid Attribute Combination", description, [configured[0]!]));
      else if (configured.length === 0 && !unknown)
        out.push({ severity: Severity.ERROR, summary: "Missing Attribute Configuration", detail: description });
    } else if ("conflicting" in v) {
      if (configured.length > 1)
        out.push(
          error("Invalid Attribute Combination", `These attributes cannot be configured together: ${list}`, [
            configured[0]!,
          ]),
        );
    } else if (configured.length === 0 && !unknown) {
      out.push({
        severity: Severity.ERROR,
        summary: "Missing Attribute Configuration",
        detail: `At least one of these attributes must be configured: ${list}`,
      });
    }
  }
  return out;
}
