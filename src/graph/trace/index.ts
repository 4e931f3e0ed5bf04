/**
 * Function tracing for `Dataset.map` / `filter`: the user's function runs once on symbolic
 * tensors and what it does becomes a TF `FunctionDef` equal to the one TF 2.21 builds for the same
 * Python function. Every op is available as a method (`x.add(1)`) and as a free function
 * (`add(x, 1)`); each is defined as one TF Python spelling (see `ops/*.ts`).
 *
 * Where JS and Python differ:
 * - a JS number is a Python `int` when integer-valued, else a `float`; write `float(2)` where TF's
 *   `2.0` decides a dtype on its own (`constant(float(0))`, `where(c, float(1), float(0))`,
 *   `range(0.5, float(2))`); next to a tensor (`x.mul(2)` on floats) it makes no difference;
 * - a bigint is an int64; TypedArrays and core `Tensor`s are numpy arrays (dtype kept);
 * - returned JS arrays are tuples at every depth (in Python only the outer list is) and plain
 *   objects are dicts; use `constant([...])` to return a tensor;
 * - `x[...]` is `x.index(...)` with Python slice strings (`x.index(":", "1:", ELLIPSIS, NEW_AXIS)`);
 * - `equal`/`notEqual` are `tf.math.equal`/`not_equal` (Python's `==` is not offered).
 *
 * Example:
 * ```ts
 * const { functionDef, outputSpecs } = traceFunction({
 *   name: tfFunctionName("Dataset.map", "lambda"),
 *   input: { tensor: { dtype: DType.int64, shape: [] } },
 *   fn: (x: SymbolicTensor) => x.mul(2).add(1),
 * });
 * ```
 */
export { SymbolicTensor } from "./symbolic-tensor.js";
export { traceFunction, tfFunctionName, CONSTRUCTION_CONTEXT, type TraceOptions, type TracedFunction } from "./trace-function.js";
export { flattenStructure, packStructure, type ElementStructure } from "./structure.js";
export { float, FloatLiteral, type JsConstant } from "./host-value.js";
export { OP_TABLE, opSpec, type OpSpec, type ArgSpec, type AttrSpec } from "./op-table.js";
export type { TensorLike, DTypeLike } from "./ops/common.js";
export {
  add, sub, mul, div, floorDiv, floorMod, pow, neg, abs, square, sqrt, rsqrt, exp, log, round, floor, ceil, sign,
  maximum, minimum, clipByValue, equal, notEqual, less, lessEqual, greater, greaterEqual, logicalAnd, logicalOr,
  logicalNot, where, cast,
} from "./ops/math.js";
export {
  constant, reshape, expandDims, squeeze, stack, concat, slice, gather, transpose, tile, fill, zeros, ones,
  zerosLike, onesLike, range, shape, size, rank, oneHot, type OneHotOptions,
} from "./ops/array.js";
export { sum, mean, max, min, prod, all, any, argMax, argMin, type Axis } from "./ops/reduce.js";
export { stringToNumber, asString, type AsStringOptions } from "./ops/string.js";
export {
  getItem, stridedSlice, ELLIPSIS, NEW_AXIS, type IndexItem, type SliceItem, type StridedSliceMasks,
} from "./ops/slicing.js";
