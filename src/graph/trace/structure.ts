/**
 * Element structures: how a dataset element nests its components (TF's `element_spec`), flattened
 * the way TF's `nest` flattens them: tuples in order, dicts by sorted key, depth first.
 *
 * The JSON form is `{ tensor: { dtype, shape } }`, `{ tuple: [...] }` or `{ dict: { key: ... } }`.
 */
import type { DType } from "../../core/dtype.js";
import { TfDataError } from "../../core/errors.js";
import type { ComponentSpec } from "../component-spec.js";

/** A nested element structure with a component spec at each leaf. */
export type ElementStructure =
  | { readonly tensor: ComponentSpec }
  | { readonly tuple: readonly ElementStructure[] }
  | { readonly dict: Readonly<Record<string, ElementStructure>> };

/** Most components one element may have (a runaway structure fails cleanly). */
export const MAX_COMPONENTS = 10_000;

/** TF's key order for dicts (Python sorts keys). */
export function sortedKeys(obj: Readonly<Record<string, unknown>>): string[] {
  return Object.keys(obj).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** The leaves of `s` in TF's flattening order. */
export function flattenStructure(s: ElementStructure): ComponentSpec[] {
  const out: ComponentSpec[] = [];
  const walk = (x: ElementStructure) => {
    if ("tensor" in x) {
      if (out.length >= MAX_COMPONENTS) throw new TfDataError("InvalidArgument", `element has more than ${MAX_COMPONENTS} components`);
      out.push(x.tensor);
    } else if ("tuple" in x) {
      x.tuple.forEach(walk);
    } else {
      for (const k of sortedKeys(x.dict)) walk(x.dict[k]);
    }
  };
  walk(s);
  return out;
}

/** Rebuilds `s` with its leaves replaced, in flattening order, by `leaves`. */
export function packStructure<T>(s: ElementStructure, leaves: readonly T[]): unknown {
  let i = 0;
  const walk = (x: ElementStructure): unknown => {
    if ("tensor" in x) return leaves[i++];
    if ("tuple" in x) return x.tuple.map(walk);
    const out: Record<string, unknown> = {};
    for (const k of sortedKeys(x.dict)) out[k] = walk(x.dict[k]);
    return out;
  };
  const packed = walk(s);
  if (i !== leaves.length) throw new TfDataError("Internal", `structure has ${i} leaves, got ${leaves.length}`);
  return packed;
}

/** A single-tensor structure. */
export function tensorStructure(dtype: DType, shape: ComponentSpec["shape"]): ElementStructure {
  return { tensor: { dtype, shape } };
}
