// Shared helpers of the trace tests.
import { DType } from "../../../src/core/dtype.js";
import type { ElementStructure } from "../../../src/graph/trace/index.js";
import type { TfStructure } from "../../fixtures/trace/fixture-types.js";

/** The DType of a TF dtype name. */
export function dtypeOf(name: string): DType {
  const d = (DType as Record<string, DType>)[name];
  if (d === undefined) throw new Error(`unknown dtype ${name}`);
  return d;
}

/** A fixture's element structure with dtype numbers. */
export function toStructure(s: TfStructure): ElementStructure {
  if ("tensor" in s) return { tensor: { dtype: dtypeOf(s.tensor.dtype), shape: s.tensor.shape === null ? null : [...s.tensor.shape] } };
  if ("tuple" in s) return { tuple: s.tuple.map(toStructure) };
  const dict: Record<string, ElementStructure> = {};
  for (const [k, v] of Object.entries(s.dict)) dict[k] = toStructure(v);
  return { dict };
}

/** Decodes base64 (fixtures store protos that way). */
export function b64(s: string): Uint8Array {
  return Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
}
