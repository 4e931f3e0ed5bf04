/**
 * Element structure: how a dataset element's components are nested. TF elements are nested
 * structures (a tensor, a tuple, a dict) of tensors; graphs and the core see them flattened.
 * Flattening follows TF's `tf.nest`: tuples in order, dicts by sorted key.
 */
import { TfDataError } from "../core/errors.js";
import type { Tensor } from "../core/tensor.js";
import { TensorSpec } from "./tensor-spec.js";

/** The type of an element: a `TensorSpec`, a tuple of structures or a dict of structures. */
export type ElementSpec = TensorSpec | readonly ElementSpec[] | { readonly [key: string]: ElementSpec };

/**
 * One component's value: scalars as plain JS values (int64/uint64 -> bigint, other numbers ->
 * number, bool -> boolean, string -> Uint8Array bytes as TF gives `bytes`), higher ranks as
 * `Tensor` objects (typed-array data, no per-value boxing).
 */
export type ComponentValue = number | bigint | boolean | Uint8Array | { re: number; im: number } | Tensor;

/** An element: its components nested as its `ElementSpec`. */
export type Element = ComponentValue | readonly Element[] | { readonly [key: string]: Element };

/** The component specs of `spec` in TF's flattening order. */
export function flattenSpec(spec: ElementSpec): TensorSpec[] {
  if (spec instanceof TensorSpec) return [spec];
  if (Array.isArray(spec)) return (spec as readonly ElementSpec[]).flatMap(flattenSpec);
  const dict = spec as { readonly [key: string]: ElementSpec };
  return Object.keys(dict).sort().flatMap((k) => flattenSpec(dict[k]));
}

/** A structure shaped like an `ElementSpec` with leaves of type `T`. */
export type Nested<T> = T | readonly Nested<T>[] | { readonly [key: string]: Nested<T> };

/** Nests `leaves` (in flattening order) the way `spec` is nested. */
export function packNested<T>(spec: ElementSpec, leaves: readonly T[]): Nested<T> {
  let pos = 0;
  const build = (s: ElementSpec): Nested<T> => {
    if (s instanceof TensorSpec) {
      if (pos >= leaves.length) throw mismatch(spec, leaves.length);
      return leaves[pos++];
    }
    if (Array.isArray(s)) return (s as readonly ElementSpec[]).map(build);
    const dict = s as { readonly [key: string]: ElementSpec };
    const out: Record<string, Nested<T>> = {};
    for (const k of Object.keys(dict).sort()) out[k] = build(dict[k]);
    return out;
  };
  const packed = build(spec);
  if (pos !== leaves.length) throw mismatch(spec, leaves.length);
  return packed;
}

/** Rebuilds an element of `spec` from its flat components (the inverse of flattening). */
export function packElement(spec: ElementSpec, components: readonly ComponentValue[]): Element {
  return packNested(spec, components);
}

function mismatch(spec: ElementSpec, got: number): TfDataError {
  return new TfDataError("Internal", `an element of ${flattenSpec(spec).length} components was expected, got ${got}`);
}

/** TF-like text of a structure, for messages. */
export function formatElementSpec(spec: ElementSpec): string {
  if (spec instanceof TensorSpec) return spec.toString();
  if (Array.isArray(spec)) return `(${(spec as readonly ElementSpec[]).map(formatElementSpec).join(", ")})`;
  const dict = spec as { readonly [key: string]: ElementSpec };
  return `{${Object.keys(dict).sort().map((k) => `'${k}': ${formatElementSpec(dict[k])}`).join(", ")}}`;
}
