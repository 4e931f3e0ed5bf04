/**
 * Conversions between the Dataset layer's `ElementSpec` (TensorSpec / arrays / plain objects) and
 * the tracer's `ElementStructure` (`{tensor}` / `{tuple}` / `{dict}`): traced functions receive and
 * return elements in the tracer's form.
 */
import type { ElementStructure } from "../../graph/trace/structure.js";
import type { ElementSpec } from "../structure.js";
import { TensorSpec } from "../tensor-spec.js";

/** The tracer's structure of elements of `spec`. */
export function toStructure(spec: ElementSpec): ElementStructure {
  if (spec instanceof TensorSpec) return { tensor: spec.toComponent() };
  if (Array.isArray(spec)) return { tuple: (spec as readonly ElementSpec[]).map(toStructure) };
  const dict = spec as { readonly [key: string]: ElementSpec };
  const out: Record<string, ElementStructure> = {};
  for (const k of Object.keys(dict)) out[k] = toStructure(dict[k]);
  return { dict: out };
}

/** The `ElementSpec` of a traced structure. */
export function fromStructure(s: ElementStructure): ElementSpec {
  if ("tensor" in s) return TensorSpec.fromComponent(s.tensor);
  if ("tuple" in s) return s.tuple.map(fromStructure);
  const out: Record<string, ElementSpec> = {};
  for (const k of Object.keys(s.dict)) out[k] = fromStructure(s.dict[k]);
  return out;
}
