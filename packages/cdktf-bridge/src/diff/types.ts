/**
 * What a diff is made of. A change is one resource in `terraform show -json`'s terms (before and
 * after as objects, with maps and nested blocks), plus where it came from in ec2sim's terms.
 */
import type { ResourceType } from "../inventory.ts";

export type PlanValue = null | string | number | boolean | PlanValue[] | { [k: string]: PlanValue };
export type PlanObject = { [k: string]: PlanValue };

/** `replace` is terraform's ["delete", "create"]. */
export type Action = "create" | "update" | "replace" | "delete" | "no-op";

/** How a resource of `from` was paired with one of `to`. */
export type MatchedBy = "origin" | "content" | "name" | "key";

export interface ResourceChange {
  action: Action;
  address: string;
  type: ResourceType;
  /** The label after the type in the address. */
  name: string;
  region: string;
  /** Null for creates. */
  before: PlanObject | null;
  /** Null for deletes. */
  after: PlanObject | null;
  /**
   * What of `after` is known only after apply (references to what is still to be created): a
   * top-level attribute (true) or elements of a list (true where unknown), as terraform's after_unknown.
   */
  afterUnknown: Record<string, true | boolean[]>;
  /** Attributes whose change forces a replacement. */
  replacePaths: string[];
  fromId?: string;
  toId?: string;
  matchedBy?: MatchedBy;
}

/** A resource of `to` that nothing in `from` describes (driftctl's "unmanaged"). */
export interface Unmanaged {
  address: string;
  type: ResourceType;
  region: string;
  id: string;
  values: PlanObject;
}

export interface Coverage {
  /** Resources of `to` paired with one of `from`. */
  managed: number;
  unmanaged: number;
  /** managed / (managed + unmanaged), 0..100, one decimal; 100 when `to` is empty. */
  percent: number;
}

export interface DiffOptions {
  /** The text of an `.ec2simignore` (see ignore.ts). */
  ignore?: string;
  /**
   * `to` is a Terraform state: what it holds and `from` does not is a destroy (terraform would).
   * Otherwise (an account, a sandbox) such resources are unmanaged, not destroys.
   */
  toIsState?: boolean;
}

export interface DiffResult {
  from: string;
  to: string;
  /** Every paired or planned resource, no-ops included, by address. */
  changes: ResourceChange[];
  summary: { add: number; change: number; destroy: number };
  unchanged: number;
  unmanaged: Unmanaged[];
  /** Resources left out by the ignore patterns (both sides). */
  ignored: number;
  coverage: Coverage;
  warnings: string[];
}
