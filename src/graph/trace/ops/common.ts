/**
 * Shared pieces of the op modules: the value types ops accept, dtype arguments by name, and the
 * helpers that mirror TF's Python conveniences (`convert_to_tensor` in the caller's graph).
 */
import { DType, dtypeName } from "../../../core/dtype.js";
import { TfDataError } from "../../../core/errors.js";
import { convertToTensor, graphOf, type ConvertOptions } from "../apply-op.js";
import type { FuncGraph } from "../func-graph.js";
import type { JsConstant } from "../host-value.js";
import { SymbolicTensor } from "../symbolic-tensor.js";

/** What ops accept where TF accepts a tensor: a symbolic tensor, a JS constant, or a JS array mixing both. */
export type TensorLike = SymbolicTensor | JsConstant | readonly TensorLike[];

/** A dtype by number (`DType.float32`) or by TF name (`"float32"`). */
export type DTypeLike = DType | keyof typeof DType;

/** The dtype number of `d`. */
export function toDType(d: DTypeLike): DType {
  if (typeof d === "number") {
    if (!Object.values(DType).includes(d)) throw new TfDataError("InvalidArgument", `unknown dtype number ${d}`);
    return d;
  }
  const v = (DType as Record<string, DType>)[d];
  if (v === undefined) {
    throw new TfDataError("InvalidArgument", `unknown dtype '${String(d)}'; expected one of ${Object.keys(DType).join(", ")}`);
  }
  return v;
}

/** `convert_to_tensor` in the graph of `value` (or the graph being traced). */
export function toTensor(g: FuncGraph, value: unknown, opts?: ConvertOptions): SymbolicTensor {
  return convertToTensor(g, value, opts);
}

/** The graph the arguments belong to. */
export function graphFor(...values: unknown[]): FuncGraph {
  return graphOf(...values);
}

/** Whether `v` is a symbolic tensor. */
export function isTensor(v: unknown): v is SymbolicTensor {
  return v instanceof SymbolicTensor;
}

/** TF's name of a dtype in messages (`tf.int64`). */
export function tfDTypeRepr(d: DType): string {
  return `tf.${dtypeName(d)}`;
}
