/**
 * `--query`: JMESPath as the AWS CLI evaluates it (jmespath.py). Two of its habits matter here:
 *   - a backtick literal that is not JSON is read as a string (`Tags[?Key==\`Name\`]`), the legacy
 *     form jmespath.py still accepts;
 *   - numbers keep their Python type, so a double member projected by a query still prints `3.0`.
 *     The query runs on plain JSON, and once more with each float replaced by a marker string:
 *     where the two results agree except that a number stands where a marker stood, that number
 *     is a float. (A query that compares or sorts floats makes them differ: those print as
 *     integers when they are whole — a documented difference.)
 */
import { search } from "@jmespath-community/jmespath";
import { isDict, PyFloat, type PyValue } from "./python.ts";

export class QueryError extends Error {}

const MARK = "\u0000ec2sim-float:";

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

function toJson(v: PyValue, mark: boolean): Json {
  if (v instanceof PyFloat) return mark ? `${MARK}${v.value}` : v.value;
  if (Array.isArray(v)) return v.map((x) => toJson(x, mark));
  if (isDict(v)) {
    const o: { [key: string]: Json } = {};
    for (const [k, x] of Object.entries(v)) o[k] = toJson(x, mark);
    return o;
  }
  return v;
}

function hasFloat(v: PyValue): boolean {
  if (v instanceof PyFloat) return true;
  if (Array.isArray(v)) return v.some(hasFloat);
  if (isDict(v)) return Object.values(v).some(hasFloat);
  return false;
}

/** Puts the floats back: `plain` and `marked` are the query's results without and with markers. */
function retag(plain: Json, marked: Json): PyValue {
  if (typeof plain === "number" && typeof marked === "string" && marked.startsWith(MARK)) {
    return Number(marked.slice(MARK.length)) === plain ? new PyFloat(plain) : plain;
  }
  if (Array.isArray(plain)) {
    const m = Array.isArray(marked) && marked.length === plain.length ? marked : undefined;
    return plain.map((x, i) => (m ? retag(x, m[i]!) : fromJson(x)));
  }
  if (plain !== null && typeof plain === "object") {
    const m = marked !== null && typeof marked === "object" && !Array.isArray(marked) ? marked : undefined;
    const o: { [key: string]: PyValue } = {};
    for (const [k, x] of Object.entries(plain)) o[k] = m && k in m ? retag(x, m[k]!) : fromJson(x);
    return o;
  }
  return plain;
}

const fromJson = (v: Json): PyValue => v as PyValue;

function evaluate(data: Json, query: string): Json {
  try {
    return search(data as never, query, { enable_legacy_literals: true }) as Json;
  } catch (e) {
    throw new QueryError(
      `Bad value for --query ${query}: Invalid jmespath expression: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
}

/** The value `--query` selects from `value` (the value itself without a query). */
export function applyQuery(value: PyValue, query: string | undefined): PyValue {
  if (!query) return value;
  const plain = evaluate(toJson(value, false), query);
  if (!hasFloat(value)) return fromJson(plain);
  let marked: Json;
  try {
    marked = evaluate(toJson(value, true), query);
  } catch {
    return fromJson(plain);
  }
  return retag(plain, marked);
}
