/**
 * Reductions, each defined as one TF Python call:
 *
 * | JS                              | TF Python                               | nodes                           |
 * |---------------------------------|-----------------------------------------|---------------------------------|
 * | `sum(x, axis?, keepdims?)`      | `tf.math.reduce_sum(x, axis, keepdims)` | `Sum`, `Sum/reduction_indices`  |
 * | `mean`, `max`, `min`, `prod`    | `tf.math.reduce_mean` ...               | `Mean`, `Max`, `Min`, `Prod`    |
 * | `all`, `any`                    | `tf.math.reduce_all`, `reduce_any`      | `All`, `Any`                    |
 * | `argMax(x, axis?, outputType?)` | `tf.math.argmax(x, axis, output_type)`  | `ArgMax`, `ArgMax/dimension`    |
 * | `argMin`                        | `tf.math.argmin`                        | `ArgMin`                        |
 *
 * Without `axis` every dim is reduced: TF passes a `Const` holding `[0, 1, ..., rank-1]` (or
 * computes the range at run time when the rank is unknown) and the result is a scalar.
 */
import { DType } from "../../../core/dtype.js";
import { TfDataError } from "../../../core/errors.js";
import { applyOp, castTensor, constantOp, convertToTensor } from "../apply-op.js";
import type { FuncGraph } from "../func-graph.js";
import { fullyDefined } from "../shape-algebra.js";
import type { SymbolicTensor } from "../symbolic-tensor.js";
import { range, rank } from "./array.js";
import { graphFor, isTensor, toDType, type DTypeLike, type TensorLike } from "./common.js";

/** An axis argument: a number, a list of numbers, or an int tensor. */
export type Axis = TensorLike;

/** TF's `_ReductionDims`: `axis`, or all dims of `x` when it is omitted. */
function reductionDims(g: FuncGraph, x: SymbolicTensor, axis: Axis | undefined): TensorLike {
  if (axis !== undefined && axis !== null) return axis;
  const r = x.shape === null ? 0 : x.shape.length;
  if (r > 0) return constantOp(g, { dtype: DType.int32, shape: [r], values: Array.from({ length: r }, (_, i) => i) });
  return range(0, rank(x));
}

function reduce(op: string, x: TensorLike, axis: Axis | undefined, keepdims: boolean): SymbolicTensor {
  const g = graphFor(x, axis);
  const xt = isTensor(x) ? x : convertToTensor(g, x);
  const dims = reductionDims(g, xt, axis);
  const out = applyOp(g, op, { inputs: { input: xt, reduction_indices: dims }, attrs: { keep_dims: keepdims } })[0];
  // TF's `_may_reduce_to_scalar`: a full reduction without keepdims is a scalar even when
  // shape inference could not tell.
  if (!fullyDefined(out.shape) && !keepdims && (axis === undefined || axis === null)) out.setShape([]);
  return out;
}

/** `tf.math.reduce_sum(x, axis, keepdims)`. */
export function sum(x: TensorLike, axis?: Axis, keepdims = false): SymbolicTensor {
  return reduce("Sum", x, axis, keepdims);
}

/** `tf.math.reduce_mean(x, axis, keepdims)` (integer inputs give an integer mean, as in TF). */
export function mean(x: TensorLike, axis?: Axis, keepdims = false): SymbolicTensor {
  return reduce("Mean", x, axis, keepdims);
}

/** `tf.math.reduce_max(x, axis, keepdims)`. */
export function max(x: TensorLike, axis?: Axis, keepdims = false): SymbolicTensor {
  return reduce("Max", x, axis, keepdims);
}

/** `tf.math.reduce_min(x, axis, keepdims)`. */
export function min(x: TensorLike, axis?: Axis, keepdims = false): SymbolicTensor {
  return reduce("Min", x, axis, keepdims);
}

/** `tf.math.reduce_prod(x, axis, keepdims)`. */
export function prod(x: TensorLike, axis?: Axis, keepdims = false): SymbolicTensor {
  return reduce("Prod", x, axis, keepdims);
}

/** `tf.math.reduce_all(x, axis, keepdims)` (bool input). */
export function all(x: TensorLike, axis?: Axis, keepdims = false): SymbolicTensor {
  return reduce("All", x, axis, keepdims);
}

/** `tf.math.reduce_any(x, axis, keepdims)` (bool input). */
export function any(x: TensorLike, axis?: Axis, keepdims = false): SymbolicTensor {
  return reduce("Any", x, axis, keepdims);
}

const AXIS_DTYPES: readonly DType[] = [DType.int8, DType.uint8, DType.int16, DType.uint16, DType.int32, DType.int64];
const CASTABLE_AXIS: readonly DType[] = [DType.int8, DType.int16, DType.uint8, DType.uint16];

function argReduce(op: string, x: TensorLike, axis: TensorLike | undefined, outputType: DTypeLike): SymbolicTensor {
  const g = graphFor(x, axis);
  let a: TensorLike = axis ?? 0;
  if (isTensor(a)) {
    if (!AXIS_DTYPES.includes(a.dtype)) throw new TfDataError("InvalidArgument", `axis tensor dtypes ${a.dtype} is not supported`);
    if (CASTABLE_AXIS.includes(a.dtype)) a = castTensor(g, a, DType.int32);
  } else if (typeof a !== "number" || !Number.isInteger(a)) {
    throw new TfDataError("InvalidArgument", "axis must be int or Tensor with integer datatype");
  }
  return applyOp(g, op, { inputs: { input: x, dimension: a }, attrs: { output_type: toDType(outputType) } })[0];
}

/** `tf.math.argmax(x, axis=0, output_type=int64)`. */
export function argMax(x: TensorLike, axis?: TensorLike, outputType: DTypeLike = DType.int64): SymbolicTensor {
  return argReduce("ArgMax", x, axis, outputType);
}

/** `tf.math.argmin(x, axis=0, output_type=int64)`. */
export function argMin(x: TensorLike, axis?: TensorLike, outputType: DTypeLike = DType.int64): SymbolicTensor {
  return argReduce("ArgMin", x, axis, outputType);
}
